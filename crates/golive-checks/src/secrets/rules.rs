//! The built-in secret rules (well-known credential formats), and the policy that tells a
//! credential from a placeholder: placeholder values, documented example keys, entropy, and which
//! files are lockfiles or code.
//!
//! Every rule has literal keywords (3 bytes or more, matched case-sensitively, so case variants
//! are listed; 4 bytes or more wherever the format allows, since the prefilter is much more
//! selective then). The scanner's prefilter looks only for keywords; a rule's regex runs only
//! around a keyword hit, on the hit's line (or, for private keys, on the block that follows). A
//! rule that has no literal of its own (a bare 40-character AWS secret, a Twilio auth token, a
//! password) is confined to assignments whose name carries the keyword.
//!
//! Keywords of the assignment rules are word cores (`ecret` for `secret`, `Secret`, `clientSecret`;
//! `assword` for `password` and `Password`): fewer patterns, each at least 4 bytes.

/// How a rule's match is confirmed once its regex has matched.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Validate {
    /// A token with a distinctive format: not a placeholder, and random enough.
    Token { min_entropy: f64 },
    /// `scheme://user:password@host`: not a placeholder, not the user name, not a local host.
    UrlPassword,
    /// `-----BEGIN … PRIVATE KEY-----`: the block has a real body (the scanner finds its end).
    PrivateKey,
    /// A JSON Web Token: a token whose payload has a registered claim (`exp`, `iat`, `sub`, …);
    /// documentation's demo tokens (`{"some":"payload"}`) have none.
    Jwt,
    /// A value assigned to a secret-named key: quoted in code, long, random (entropy threshold).
    Generic,
}

/// A cheap test of the text right after a keyword hit, before the rule's regex runs there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precheck {
    None,
    /// The keyword is inside the name of an assignment: the name's characters, an optional
    /// closing quote and spaces must be followed by `:` or `=` (not `::` or `==`).
    Assignment,
    /// [`Precheck::Assignment`], and the whole name must not name a non-secret
    /// ([`non_secret_name`]); in code, the value must be a string literal.
    SecretAssignment,
    /// The keyword is `://`: the authority must contain `@` before its end.
    UserInfo,
}

/// A built-in rule. Its regex names the secret with a `secret` group (the whole match otherwise),
/// and may name `name` (the assigned key), `q` (the opening quote), `user` and `host` (URLs).
#[derive(Debug)]
pub struct RuleSpec {
    pub id: &'static str,
    /// Shown in findings: `<name>: <redacted>`.
    pub name: &'static str,
    pub keywords: &'static [&'static str],
    pub regex: &'static str,
    pub validate: Validate,
    pub precheck: Precheck,
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

/// Whether the text around a keyword hit at `start..end` can be what the rule looks for.
pub fn precheck(kind: Precheck, bytes: &[u8], start: usize, end: usize, class: FileClass) -> bool {
    let end = end.min(bytes.len());
    let rest = &bytes[end..];
    match kind {
        Precheck::None => true,
        Precheck::Assignment | Precheck::SecretAssignment => {
            let mut i = 0;
            while i < rest.len() && i < 96 && is_name_byte(rest[i]) {
                i += 1;
            }
            let name_end = end + i;
            if i < rest.len() && matches!(rest[i], b'"' | b'\'') {
                i += 1;
            }
            while i < rest.len() && matches!(rest[i], b' ' | b'\t') {
                i += 1;
            }
            let op = match (rest.get(i), rest.get(i + 1)) {
                (Some(b':'), Some(b':')) | (Some(b'='), Some(b'=')) => return false,
                (Some(b':'), Some(b'=')) | (Some(b'='), Some(b'>')) => 2,
                (Some(b':' | b'='), _) => 1,
                _ => return false,
            };
            if kind == Precheck::Assignment {
                return true;
            }
            if class.code {
                i += op;
                while i < rest.len() && matches!(rest[i], b' ' | b'\t') {
                    i += 1;
                }
                if !rest
                    .get(i)
                    .is_some_and(|b| matches!(b, b'"' | b'\'' | b'`'))
                {
                    return false;
                }
            }
            // Last, as it is the dearest: the whole name must not name a non-secret.
            let mut from = start.min(end);
            while from > 0 && end - from < 96 && is_name_byte(bytes[from - 1]) {
                from -= 1;
            }
            !non_secret_name_bytes(&bytes[from..name_end])
        }
        Precheck::UserInfo => rest
            .iter()
            .take(400)
            .find(|b| {
                matches!(
                    b,
                    b'@' | b'/' | b'?' | b'#' | b'"' | b'\'' | b'<' | b'>' | b'`' | b'\\'
                ) || b.is_ascii_whitespace()
            })
            .is_some_and(|b| *b == b'@'),
    }
}

/// A credential format's random part has at least this entropy (bits per character); lower means
/// a made-up value such as `ghp_abababab…`.
const TOKEN_ENTROPY: f64 = 3.0;

/// The assignment operators of YAML, JSON, HCL, .env, properties, shell, Python, Go, JS, Ruby.
macro_rules! assign {
    () => {
        r#"["']?[ \t]*(?::=|=>|=|:)[ \t]*"#
    };
}

/// The built-in rules. Order matters when two rules match the same text: the earlier rule wins
/// (specific formats before the generic assignment rule, which only fills the gaps).
pub static BUILTIN: &[RuleSpec] = &[
    RuleSpec {
        id: "aws-access-key-id",
        name: "AWS access key ID",
        keywords: &["AKIA", "ASIA"],
        regex: r"(?m)(?:^|[^A-Za-z0-9])(?P<secret>(?:AKIA|ASIA)[A-Z2-7]{16})(?:[^A-Za-z0-9]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "aws-secret-access-key",
        name: "AWS secret access key",
        // `aws_secret_access_key`, `AWS_SECRET_KEY`, `SecretAccessKey`, `awsSecret`, …
        keywords: &["ecret", "ECRET"],
        regex: concat!(
            r"(?mi)(?:secret[_.-]?access[_.-]?key|aws[_.-]?secret(?:[_.-]?key)?)[A-Za-z0-9_.-]*",
            assign!(),
            r#"["'`]?(?P<secret>[A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)"#
        ),
        validate: Validate::Token { min_entropy: 3.5 },
        precheck: Precheck::Assignment,
    },
    RuleSpec {
        id: "gcp-service-account-key",
        name: "GCP service account private key",
        // `"private_key"` contains the generic rule's `rivate_key`.
        keywords: &["rivate_key"],
        regex: r#""private_key"\s*:\s*"(?P<secret>-----BEGIN (?:RSA )?PRIVATE KEY-----(?:\\r)?\\n[A-Za-z0-9+/=\\]{64,}?-----END (?:RSA )?PRIVATE KEY-----(?:\\r)?(?:\\n)?)""#,
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "gcp-api-key",
        name: "Google API key",
        keywords: &["AIza"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_-])(?P<secret>AIza[A-Za-z0-9_-]{35})(?:[^A-Za-z0-9_-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "azure-storage-account-key",
        name: "Azure storage account key",
        // `AccountKey=` (connection strings), `accountKey`, `account_key`,
        // `AZURE_STORAGE_ACCOUNT_KEY`, `AZURE_STORAGE_KEY`.
        keywords: &["ccountKey", "ccount_key", "CCOUNT_KEY", "TORAGE_KEY"],
        regex: concat!(
            r"(?mi)(?:account[_.-]?key|storage[_.-]?key)[A-Za-z0-9_.-]*",
            assign!(),
            r#"["'`]?(?P<secret>[A-Za-z0-9+/]{86}==)"#
        ),
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::Assignment,
    },
    RuleSpec {
        id: "azure-shared-access-key",
        name: "Azure shared access key (connection string)",
        // `SharedAccessKey=` contains the generic rule's `ccessKey`.
        keywords: &["ccessKey"],
        regex: r"SharedAccessKey=(?P<secret>[A-Za-z0-9+/]{42,43}=)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "github-pat",
        name: "GitHub personal access token",
        keywords: &["ghp_"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_])(?P<secret>ghp_[A-Za-z0-9]{36,})(?:[^A-Za-z0-9_]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "github-fine-grained-pat",
        name: "GitHub fine-grained personal access token",
        keywords: &["github_pat_"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_])(?P<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?:[^A-Za-z0-9_]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "github-oauth-token",
        name: "GitHub OAuth access token",
        keywords: &["gho_"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_])(?P<secret>gho_[A-Za-z0-9]{36,})(?:[^A-Za-z0-9_]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "github-app-token",
        name: "GitHub App token",
        keywords: &["ghu_", "ghs_"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_])(?P<secret>gh[us]_[A-Za-z0-9]{36,})(?:[^A-Za-z0-9_]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "github-refresh-token",
        name: "GitHub refresh token",
        keywords: &["ghr_"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_])(?P<secret>ghr_[A-Za-z0-9]{36,})(?:[^A-Za-z0-9_]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "gitlab-pat",
        name: "GitLab personal access token",
        keywords: &["glpat-"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_-])(?P<secret>glpat-[A-Za-z0-9_-]{20,})(?:[^A-Za-z0-9_-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "slack-token",
        name: "Slack token",
        keywords: &["xox"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_-])(?P<secret>xox[abpr]-[0-9]+-[A-Za-z0-9-]{10,})(?:[^A-Za-z0-9_-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "slack-webhook",
        name: "Slack webhook URL",
        keywords: &["hooks.slack.com"],
        regex: r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/(?P<secret>[A-Za-z0-9_+-]{8,}/[A-Za-z0-9_/+-]{8,})",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "discord-webhook",
        name: "Discord webhook URL",
        keywords: &["/api/webhooks/"],
        regex: r"https?://(?:(?:ptb|canary)\.)?discord(?:app)?\.com/api/webhooks/(?P<secret>[0-9]{17,20}/[A-Za-z0-9_-]{60,})",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "teams-webhook",
        name: "Microsoft Teams webhook URL",
        keywords: &["webhook.office.com"],
        regex: r"https://[A-Za-z0-9-]+\.webhook\.office\.com/webhookb2/(?P<secret>[0-9A-Fa-f-]{36}@[0-9A-Fa-f-]{36}/IncomingWebhook/[0-9A-Fa-f]{32}/[0-9A-Fa-f-]{36}(?:/[A-Za-z0-9_-]{8,})?)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "stripe-secret-key",
        name: "Stripe live secret key",
        keywords: &["k_live_"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_])(?P<secret>sk_live_[A-Za-z0-9]{24,})(?:[^A-Za-z0-9_]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "stripe-restricted-key",
        name: "Stripe live restricted key",
        keywords: &["k_live_"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_])(?P<secret>rk_live_[A-Za-z0-9]{24,})(?:[^A-Za-z0-9_]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    // Twilio keys have no literal prefix of 3 bytes (`SK` + 32 hex; auth tokens are bare hex), so
    // both are confined to lines that name Twilio.
    RuleSpec {
        id: "twilio-api-key",
        name: "Twilio API key",
        keywords: &["wilio", "WILIO"],
        regex: r"(?m)(?:^|[^A-Za-z0-9])(?P<secret>SK[0-9a-fA-F]{32})(?:[^A-Za-z0-9]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "twilio-auth-token",
        name: "Twilio auth token",
        keywords: &["wilio", "WILIO"],
        regex: concat!(
            r"(?mi)twilio[A-Za-z0-9_.-]*(?:auth[_.-]?token|secret|token)[A-Za-z0-9_.-]*",
            assign!(),
            r#"["'`]?(?P<secret>[0-9a-f]{32})(?:[^0-9a-fA-F]|$)"#
        ),
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::Assignment,
    },
    RuleSpec {
        id: "sendgrid-api-key",
        name: "SendGrid API key",
        keywords: &["SG."],
        regex: r"(?m)(?:^|[^A-Za-z0-9_.-])(?P<secret>SG\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "npm-token",
        name: "npm access token",
        keywords: &["npm_"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_])(?P<secret>npm_[A-Za-z0-9]{36})(?:[^A-Za-z0-9_]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "npmrc-auth",
        name: "npm registry credential (.npmrc)",
        // `_authToken` and `_password` contain the generic rule's `oken` and `assword`.
        keywords: &["oken", "assword", "_auth"],
        regex: r#"(?m)(?:^|:)_(?:authToken|auth|password)[ \t]*=[ \t]*["']?(?P<secret>[^\s"']{8,})"#,
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::Assignment,
    },
    RuleSpec {
        id: "pypi-token",
        name: "PyPI API token",
        keywords: &["pypi-AgE"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_-])(?P<secret>pypi-AgE(?:IcHlwaS5vcmc|NdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,})(?:[^A-Za-z0-9_-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    // Entra ID client secrets: 3 characters, a digit and `Q~`, then 31 to 34 (gitleaks' azure-ad-client-secret).
    RuleSpec {
        id: "azure-ad-client-secret",
        name: "Azure AD (Entra ID) client secret",
        keywords: &[
            "0Q~", "1Q~", "2Q~", "3Q~", "4Q~", "5Q~", "6Q~", "7Q~", "8Q~", "9Q~",
        ],
        regex: r"(?m)(?:^|[^A-Za-z0-9_~.-])(?P<secret>[A-Za-z0-9_~.]{3}[0-9]Q~[A-Za-z0-9_~.-]{31,34})(?:[^A-Za-z0-9_~.-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    // Pipeline trigger, runner, deploy, feed, service-account, agent and CI build tokens; runner registration tokens.
    RuleSpec {
        id: "gitlab-token",
        name: "GitLab token",
        keywords: &[
            "glptt-",
            "glrt-",
            "gldt-",
            "glft-",
            "glsoat-",
            "glagent-",
            "glcbt-",
            "GR1348941",
        ],
        regex: r"(?m)(?:^|[^A-Za-z0-9_-])(?P<secret>(?:glptt-[0-9a-f]{40}|(?:glrt|gldt|glft|glsoat|glcbt)-[A-Za-z0-9_-]{20,}|glagent-[A-Za-z0-9_-]{50,}|GR1348941[A-Za-z0-9_-]{20,}))(?:[^A-Za-z0-9_-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "bitbucket-app-password",
        name: "Bitbucket app password",
        keywords: &["ATBB"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_-])(?P<secret>ATBB[A-Za-z0-9_=.-]{32,})(?:[^A-Za-z0-9_-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "atlassian-api-token",
        name: "Atlassian API token",
        keywords: &["ATATT3"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_-])(?P<secret>ATATT3[A-Za-z0-9_=-]{150,})(?:[^A-Za-z0-9_=-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "circleci-token",
        name: "CircleCI API token",
        keywords: &["CCIPAT_", "CCIPRJ_"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_-])(?P<secret>CCIP(?:AT|RJ)_[A-Za-z0-9]{22}_[0-9a-f]{40})(?:[^A-Za-z0-9_-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "buildkite-token",
        name: "Buildkite API access token",
        keywords: &["bkua_"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_-])(?P<secret>bkua_[0-9a-f]{40})(?:[^A-Za-z0-9_-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "slack-app-token",
        name: "Slack app-level token",
        keywords: &["xapp-"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_-])(?P<secret>xapp-[0-9]-[A-Z0-9]+-[0-9]+-[A-Za-z0-9]{20,})(?:[^A-Za-z0-9_-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "square-access-token",
        name: "Square access token",
        keywords: &["sq0atp-", "EAAA"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_-])(?P<secret>(?:sq0atp-[A-Za-z0-9_-]{22}|EAAA[A-Za-z0-9_-]{60}))(?:[^A-Za-z0-9_-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "square-oauth-secret",
        name: "Square OAuth secret",
        keywords: &["sq0csp-"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_-])(?P<secret>sq0csp-[A-Za-z0-9_-]{43})(?:[^A-Za-z0-9_-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "paypal-braintree-access-token",
        name: "PayPal Braintree access token",
        keywords: &["access_token$production$"],
        regex: r"(?P<secret>access_token\$production\$[0-9a-z]{16}\$[0-9a-f]{32})",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "hashicorp-vault-token",
        name: "HashiCorp Vault token",
        keywords: &["hvs.", "hvb."],
        regex: r"(?m)(?:^|[^A-Za-z0-9_.-])(?P<secret>hv[sb]\.[A-Za-z0-9_-]{90,})(?:[^A-Za-z0-9_-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "terraform-cloud-token",
        name: "Terraform Cloud / Enterprise API token",
        keywords: &[".atlasv1."],
        regex: r"(?m)(?:^|[^A-Za-z0-9_.-])(?P<secret>[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70})(?:[^A-Za-z0-9_-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "docker-hub-token",
        name: "Docker Hub personal access token",
        keywords: &["dckr_pat_"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_-])(?P<secret>dckr_pat_[A-Za-z0-9_-]{27})(?:[^A-Za-z0-9_-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "digitalocean-token",
        name: "DigitalOcean token",
        keywords: &["dop_v1_", "doo_v1_", "dor_v1_"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_-])(?P<secret>do[opr]_v1_[0-9a-f]{64})(?:[^A-Za-z0-9_-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "openai-api-key",
        name: "OpenAI API key",
        keywords: &["T3BlbkFJ"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_-])(?P<secret>sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,74}T3BlbkFJ[A-Za-z0-9_-]{20,74})(?:[^A-Za-z0-9_-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "anthropic-api-key",
        name: "Anthropic API key",
        keywords: &["sk-ant-"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_-])(?P<secret>sk-ant-(?:api|admin)[0-9]{2}-[A-Za-z0-9_-]{80,100}AA)(?:[^A-Za-z0-9_-]|$)",
        validate: Validate::Token {
            min_entropy: TOKEN_ENTROPY,
        },
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "private-key",
        name: "Private key",
        keywords: &["-----BEGIN"],
        regex: r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |PGP |ENCRYPTED )?PRIVATE KEY(?: BLOCK)?-----",
        validate: Validate::PrivateKey,
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "jwt",
        name: "JSON Web Token",
        // The payload segment of a JWT is a JSON object too: `.eyJ` is 4 bytes.
        keywords: &[".eyJ"],
        regex: r"(?m)(?:^|[^A-Za-z0-9_-])(?P<secret>eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,})(?:[^A-Za-z0-9_.-]|$)",
        validate: Validate::Jwt,
        precheck: Precheck::None,
    },
    RuleSpec {
        id: "url-password",
        name: "Password in URL",
        keywords: &["://"],
        regex: r#"[A-Za-z][A-Za-z0-9+.-]{1,31}://(?P<user>[^\s:/?#@"'`<>\[\]{}\\|]*):(?P<secret>[^\s:/?#@"'`<>\\|]+)@(?P<host>[A-Za-z0-9._~%-]+|\[[0-9A-Fa-f:.]+\])"#,
        validate: Validate::UrlPassword,
        precheck: Precheck::UserInfo,
    },
    RuleSpec {
        id: "generic-secret",
        name: "Secret assigned to a secret-named key",
        // Word cores: `assword` is in `password`, `Password`, `dbPassword`; `PASSWORD` has `ASSWORD`.
        keywords: &[
            "assword",
            "ASSWORD",
            "asswd",
            "ASSWD",
            "ecret",
            "ECRET",
            "oken",
            "OKEN",
            "pi_key",
            "pi-key",
            "pikey",
            "piKey",
            "PI_KEY",
            "PIKEY",
            "ccess_key",
            "ccessKey",
            "CCESS_KEY",
            "rivate_key",
            "rivateKey",
            "RIVATE_KEY",
        ],
        regex: concat!(
            r"(?P<name>[A-Za-z0-9_.-]*(?i:password|passwd|secret|token|api[_-]?key|access[_-]?key|private[_-]?key)[A-Za-z0-9_.-]*)",
            assign!(),
            r#"(?P<q>["'`]?)(?P<secret>[^\s"'`,;=][^\s"'`,;]{15,})"#
        ),
        validate: Validate::Generic,
        precheck: Precheck::SecretAssignment,
    },
];

/// What a rule's match turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verdict {
    /// A credential.
    Secret,
    /// The right shape, but a placeholder or documented example (counted, never reported).
    Placeholder,
    /// Not what the rule looks for after all (e.g. a variable reference in code).
    NoMatch,
}

/// What the scanner knows about a match when it validates it.
#[derive(Clone, Copy, Debug, Default)]
pub struct Candidate<'a> {
    pub secret: &'a str,
    pub name: Option<&'a str>,
    pub quote: Option<&'a str>,
    /// The byte right after the secret (to check a quoted value ends with its quote).
    pub after: Option<u8>,
    pub user: Option<&'a str>,
    pub host: Option<&'a str>,
    pub class: FileClass,
}

impl Validate {
    pub fn verdict(self, c: &Candidate<'_>) -> Verdict {
        match self {
            Validate::Token { min_entropy } => {
                if is_placeholder(c.secret) || shannon_entropy(c.secret) < min_entropy {
                    Verdict::Placeholder
                } else {
                    Verdict::Secret
                }
            }
            Validate::UrlPassword => url_password(c),
            Validate::Jwt => match (Validate::Token {
                min_entropy: TOKEN_ENTROPY,
            })
            .verdict(c)
            {
                Verdict::Secret if !jwt_has_claims(c.secret) => Verdict::Placeholder,
                v => v,
            },
            Validate::PrivateKey => private_key(c.secret),
            Validate::Generic => generic(c),
        }
    }
}

fn url_password(c: &Candidate<'_>) -> Verdict {
    let pw = c.secret;
    let lower = pw.to_ascii_lowercase();
    let host = c.host.unwrap_or("");
    if pw.len() < 4
        || is_placeholder(pw)
        || DEFAULT_PASSWORDS.contains(&lower.as_str())
        || Some(pw) == c.user
        || pw.bytes().all(|b| b == b'*')
        || is_local_host(host)
    {
        return Verdict::Placeholder;
    }
    Verdict::Secret
}

/// `secret` is the block from `-----BEGIN` to the end of its `-----END …-----` line (or of its
/// body when the end marker is missing).
fn private_key(block: &str) -> Verdict {
    // The body: the block's lines (real line breaks or `\n` escapes in a JSON/YAML string),
    // without the BEGIN/END markers, PEM headers such as `Proc-Type: 4,ENCRYPTED`, and the
    // decorations of a string literal split over lines (`"…\n" +`).
    let mut body = String::new();
    for piece in block.split('\n').flat_map(|l| l.split("\\n")) {
        let piece = piece
            .trim()
            .trim_end_matches("\\r")
            .trim_matches(|c: char| matches!(c, '"' | '\'' | '`' | '+' | ',' | ';' | '\\' | ' '));
        if piece.is_empty() || piece.contains("-----") || piece.contains(": ") {
            continue;
        }
        // A line that is not base64 means this is code or prose around a key's markers.
        if !piece
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        {
            return if piece.contains("...") || piece.contains('…') || piece.contains('<') {
                Verdict::Placeholder
            } else {
                Verdict::NoMatch
            };
        }
        body.push_str(piece);
    }
    if body.len() < 64 || dominated_by_one_char(&body) {
        return Verdict::Placeholder;
    }
    Verdict::Secret
}

fn generic(c: &Candidate<'_>) -> Verdict {
    let v = c.secret;
    if c.name.is_some_and(non_secret_name) {
        return Verdict::NoMatch;
    }
    match c.quote.filter(|q| !q.is_empty()) {
        // A quoted value must end with its quote: `"a sentence, with spaces"` is not a token.
        Some(q) if c.after != q.bytes().next() => return Verdict::NoMatch,
        Some(_) => {}
        // In code an unquoted value is an expression (`os.environ["X"]`, `var.password`).
        None if c.class.code => return Verdict::NoMatch,
        None => {}
    }
    if is_placeholder(v) {
        return Verdict::Placeholder;
    }
    // Unquoted, brackets and paths are code or markup (`rand::thread_rng().gen_range(1..=100)`
    // in a tutorial), and URL-encoded text is data, not a key.
    let quoted = c.quote.is_some_and(|q| !q.is_empty());
    let expression =
        !quoted && (v.contains(['(', ')', '[', ']', '{', '}', '<', '>']) || v.contains("::"));
    let url_encoded = v
        .as_bytes()
        .windows(3)
        .filter(|w| w[0] == b'%' && w[1].is_ascii_hexdigit() && w[2].is_ascii_hexdigit())
        .count()
        >= 2;
    let not_a_value = expression
        || url_encoded
        || is_password_hash(v)
        || v.contains("://")
        || v.starts_with(['/', '!', '&', '*', '|', '>', '@'])
        || v.starts_with("./")
        || v.starts_with("~/")
        || v.starts_with("ENC[")
        || looks_like_uuid(v)
        || is_word_like(v)
        || !v.bytes().any(|b| b.is_ascii_alphabetic())
        || !v.bytes().any(|b| b.is_ascii_digit());
    if not_a_value || !high_entropy(v) {
        return Verdict::NoMatch;
    }
    Verdict::Secret
}

/// Minimum length of a value the generic rule reports.
pub const GENERIC_MIN_LEN: usize = 16;
/// Minimum Shannon entropy (bits per character) of such a value; hex values (at most 4 bits per
/// character) need 32 characters and 3.0 bits instead.
pub const GENERIC_MIN_ENTROPY: f64 = 3.5;

fn high_entropy(v: &str) -> bool {
    if v.len() < GENERIC_MIN_LEN {
        return false;
    }
    let e = shannon_entropy(v);
    if v.bytes().all(|b| b.is_ascii_hexdigit()) {
        v.len() >= 32 && e >= 3.0
    } else {
        e >= GENERIC_MIN_ENTROPY
    }
}

/// Shannon entropy of the bytes of `s`, in bits per byte.
pub fn shannon_entropy(s: &str) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Words that make a value a placeholder. Matched case-sensitively in their lower, UPPER and
/// Capitalised forms, so that a random token (which mixes case) almost never contains one by
/// chance, while `your-key`, `YOUR_KEY`, `ChangeMe` and `xxxx` are caught.
const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "changeme",
    "change_me",
    "change-me",
    "replaceme",
    "replace_me",
    "replace-me",
    "placeholder",
    "dummy",
    "sample",
    "redacted",
    "xxxx",
    "test",
    "fake",
    "todo",
    "your",
    "insert",
    "password",
    "passwd",
    "secret",
    "notreal",
    "not_real",
    "not-real",
];

/// Template, format-string and reference syntax: the value is filled in elsewhere.
const REFERENCE_MARKERS: &[&str] = &[
    "${", "$(", "{{", "}}", "%(", "#{", "<%", "...", "…", "****", "%s", "%v", "%d",
];

/// Values published in vendor documentation as examples; reported nowhere.
const DOCUMENTED_EXAMPLES: &[&str] = &[
    // AWS documentation's example access key pair.
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    // The Azure Storage emulator's (Azurite) published account key for `devstoreaccount1`.
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==",
    // The signature of jwt.io's sample token (HS256, `your-256-bit-secret`).
    "SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
    // OAuth 2.0 (RFC 6749) example access and refresh tokens, and OAuth 1.0 (RFC 5849) example
    // token, quoted in many libraries' docstrings and tests.
    "2YotnFZFEjr1zCsicMWpAA",
    "tGzv3JOkF0XG5Qx2TlKWIA",
    "ad180jjd733klru7",
];

/// Whether a JWT's payload (its second segment, base64url JSON) names a registered claim.
fn jwt_has_claims(jwt: &str) -> bool {
    let Some(payload) = jwt.split('.').nth(1) else {
        return false;
    };
    let json = base64url_decode(payload);
    [
        "\"exp\"", "\"iat\"", "\"nbf\"", "\"sub\"", "\"iss\"", "\"aud\"", "\"jti\"",
    ]
    .iter()
    .any(|claim| json.windows(claim.len()).any(|w| w == claim.as_bytes()))
}

/// Lenient base64url (and base64) decoding: stops at the first byte outside the alphabet.
fn base64url_decode(s: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => break,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

/// Passwords that are defaults or stand-ins in example URLs (compared case-insensitively).
const DEFAULT_PASSWORDS: &[&str] = &[
    "pass",
    "pwd",
    "admin",
    "root",
    "guest",
    "anonymous",
    "user",
    "username",
    "demo",
    "postgres",
    "mysql",
    "redis",
    "foo",
    "bar",
    "baz",
    "qwerty",
    "letmein",
    "123456",
    "none",
    "null",
    "nil",
    "empty",
    "default",
    "string",
    "token",
    "value",
    "pw",
    "p",
    "x",
];

/// Whether a value is a placeholder, a reference, a documented example or obviously made up.
pub fn is_placeholder(v: &str) -> bool {
    if v.is_empty() || REFERENCE_MARKERS.iter().any(|m| v.contains(m)) {
        return true;
    }
    let bytes = v.as_bytes();
    // `$VAR`, `%VAR%`, `<your-key>`, `[KEY]`, `{password}` (a format string's field)
    if (bytes[0] == b'$'
        && bytes
            .get(1)
            .is_some_and(|b| b.is_ascii_alphabetic() || *b == b'_'))
        || (v.len() > 2 && v.starts_with('%') && v.ends_with('%'))
        || (v.contains('<') && v.contains('>'))
        || (v.starts_with('[') && v.ends_with(']'))
        || (v.contains('{') && v.contains('}'))
    {
        return true;
    }
    if DOCUMENTED_EXAMPLES.iter().any(|e| v.contains(e)) {
        return true;
    }
    for word in PLACEHOLDER_WORDS {
        let upper = word.to_ascii_uppercase();
        let mut capital = word.to_string();
        capital[..1].make_ascii_uppercase();
        if v.contains(word) || v.contains(&upper) || v.contains(&capital) {
            return true;
        }
    }
    has_sequence(bytes, 8) || dominated_by_one_char(v)
}

/// A run of `len` consecutive ascending bytes (`12345678`, `abcdefgh`).
fn has_sequence(bytes: &[u8], len: usize) -> bool {
    let mut run = 1;
    for w in bytes.windows(2) {
        if w[0].is_ascii_alphanumeric() && w[1] == w[0].wrapping_add(1) {
            run += 1;
            if run >= len {
                return true;
            }
        } else {
            run = 1;
        }
    }
    false
}

/// Half or more of the characters are the same one (`ghp_xxxx…`, all-same strings).
fn dominated_by_one_char(v: &str) -> bool {
    let alnum: Vec<u8> = v.bytes().filter(u8::is_ascii_alphanumeric).collect();
    if alnum.len() < 8 {
        return false;
    }
    let mut counts = [0usize; 256];
    for &b in &alnum {
        counts[b as usize] += 1;
    }
    counts.iter().max().is_some_and(|&m| m * 2 >= alnum.len())
}

/// Password hashes (bcrypt, crypt, argon2, PBKDF2, LDAP) are not credentials.
fn is_password_hash(v: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "$2a$",
        "$2b$",
        "$2y$",
        "$1$",
        "$5$",
        "$6$",
        "$argon2",
        "$pbkdf2",
        "$scrypt",
        "{SSHA}",
        "{SHA}",
        "{CRYPT}",
        "pbkdf2_sha256$",
        "sha256$",
    ];
    PREFIXES.iter().any(|p| v.starts_with(p))
}

/// 8-4-4-4-12 hex digits. Under a secret-named key a UUID is usually an identifier.
pub fn looks_like_uuid(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Lowercase words joined by separators (`prod-db-credentials-v2`, `secrets/app/db.json`):
/// a name, not a random value.
fn is_word_like(v: &str) -> bool {
    let parts: Vec<&str> = v
        .split(['-', '_', '.', '/', ':'])
        .filter(|p| !p.is_empty())
        .collect();
    parts.len() >= 2
        && parts.iter().all(|p| {
            p.bytes().all(|b| b.is_ascii_lowercase())
                || (p.len() <= 3 && p.bytes().all(|b| b.is_ascii_alphanumeric()))
        })
}

/// Secret-named keys that hold something else: a reference, a location, a setting.
const NON_SECRET_SUFFIXES: &[&str] = &[
    "name",
    "names",
    "ref",
    "file",
    "files",
    "path",
    "paths",
    "dir",
    "url",
    "uri",
    "endpoint",
    "type",
    "ttl",
    "length",
    "len",
    "version",
    "policy",
    "mode",
    "header",
    "prefix",
    "format",
    "label",
    "count",
    "size",
    "expiry",
    "expires",
    "expiration",
    "hash",
    "regex",
    "pattern",
    "provider",
    "store",
    "manager",
    "kind",
    "field",
    "selector",
    "mount",
    "location",
    "arn",
    "template",
    "timeout",
    "lifetime",
    "duration",
    "rotation",
    "enabled",
    "required",
    "env",
    "source",
    "class",
    "algorithm",
    "method",
    "scope",
    "scopes",
    "audience",
    "issuer",
    "id",
];

/// Whether an assigned key, though it contains a secret word, names something that is not one
/// (`secretName`, `password_file`, `token_url`, `api_key_header`).
pub fn non_secret_name(name: &str) -> bool {
    non_secret_name_bytes(name.as_bytes())
}

fn non_secret_name_bytes(name: &[u8]) -> bool {
    let trimmed = name
        .iter()
        .rposition(u8::is_ascii_alphanumeric)
        .map_or(&name[..0], |i| &name[..=i]);
    NON_SECRET_SUFFIXES.iter().any(|s| {
        trimmed.len() >= s.len()
            && trimmed[trimmed.len() - s.len()..].eq_ignore_ascii_case(s.as_bytes())
    })
}

/// Hosts that only exist on a developer's machine or in documentation.
pub fn is_local_host(host: &str) -> bool {
    let h = host.trim_matches(['[', ']']).to_ascii_lowercase();
    let h = h.split(':').next().unwrap_or("");
    h == "localhost"
        || h.starts_with("127.")
        || h == "0.0.0.0"
        || host.contains("::1")
        || ["example.com", "example.org", "example.net"].contains(&h)
        || [
            ".example",
            ".test",
            ".invalid",
            ".localhost",
            ".example.com",
            ".example.org",
        ]
        .iter()
        .any(|s| h.ends_with(s))
}

/// What kind of file is scanned: decides which rules run and how values are read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileClass {
    /// Source code: a secret-named assignment is reported only for a string literal.
    pub code: bool,
    /// A lockfile: full of integrity hashes, so the entropy-based generic rule is off; the
    /// format rules still run (registry credentials do leak into `resolved` URLs).
    pub lockfile: bool,
}

/// Lockfiles: generated by package managers, full of checksums and integrity hashes.
pub const LOCKFILES: &[&str] = &[
    "Cargo.lock",
    "package-lock.json",
    "npm-shrinkwrap.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "bun.lock",
    "deno.lock",
    "go.sum",
    "go.work.sum",
    "poetry.lock",
    "Pipfile.lock",
    "pdm.lock",
    "uv.lock",
    "composer.lock",
    "Gemfile.lock",
    "gradle.lockfile",
    "packages.lock.json",
    "paket.lock",
    "mix.lock",
    "pubspec.lock",
    "Podfile.lock",
    "Package.resolved",
    "flake.lock",
    ".terraform.lock.hcl",
];

/// Extensions of source code (where an unquoted value after `=` is an expression).
const CODE_EXTENSIONS: &[&str] = &[
    "rs", "go", "py", "pyi", "js", "jsx", "mjs", "cjs", "ts", "tsx", "mts", "cts", "java", "kt",
    "kts", "scala", "groovy", "gradle", "rb", "php", "cs", "fs", "vb", "swift", "m", "mm", "c",
    "h", "cc", "cpp", "cxx", "hpp", "hh", "dart", "lua", "ex", "exs", "erl", "clj", "cljs", "jl",
    "pl", "pm", "r", "tf", "hcl", "tfvars", "nomad", "vue", "svelte",
];

impl FileClass {
    pub fn of(path: &str) -> FileClass {
        let name = path.rsplit('/').next().unwrap_or(path);
        let ext = name
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        FileClass {
            code: CODE_EXTENSIONS.contains(&ext.as_str()),
            lockfile: LOCKFILES.contains(&name),
        }
    }
}

/// Deterministic random strings for tests: secret-looking values are generated, never committed.
#[cfg(test)]
pub(crate) mod testgen {
    pub const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    pub const BASE64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    pub const HEX: &str = "0123456789abcdef";
    pub const URLSAFE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    /// `len` characters of `charset`, from a splitmix64 stream seeded with `seed`.
    pub fn random(seed: u64, charset: &str, len: usize) -> String {
        let chars: Vec<char> = charset.chars().collect();
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
        (0..len)
            .map(|_| {
                state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                let mut z = state;
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                z ^= z >> 31;
                chars[(z % chars.len() as u64) as usize]
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entropy_of_known_strings() {
        assert_eq!(shannon_entropy(""), 0.0);
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
        assert!((shannon_entropy("0123456789abcdef") - 4.0).abs() < 1e-9);
    }

    #[test]
    fn placeholders_are_recognised() {
        for p in [
            "changeme",
            "CHANGEME",
            "ChangeMe123456789",
            "example-key",
            "xxx-xxxx-xxx",
            "XXXXXXXXXXXXXXXX",
            "<your-key>",
            "${VAR}",
            "$(VAR)",
            "$DB_PASSWORD",
            "%API_KEY%",
            "{{ .Values.x }}",
            "{{.Values.db.password}}",
            "#{secret}",
            "<%= ENV['X'] %>",
            "REPLACE_ME",
            "replace-me-with-a-real-key",
            "AKIAIOSFODNN7EXAMPLE",
            "aaaaaaaaaaaaaaaaaaaa",
            "ghp_000000000000000000000000000000000000",
            "abcdefghijklmnopqrstuvwxyz",
            "1234567890123456",
            "sk_live_...",
            "your_api_key_here",
            "my-test-token-value",
            "********",
            "[API_KEY]",
            "{password}",
            "{pw}",
            "%s",
        ] {
            assert!(is_placeholder(p), "{p} is a placeholder");
        }
        // Random values are not (generated: nothing secret-looking is committed).
        for seed in 0..200 {
            let v = testgen::random(seed, testgen::ALNUM, 32);
            assert!(!is_placeholder(&v), "{v}");
        }
    }

    #[test]
    fn names_that_are_references_are_not_secrets() {
        for n in [
            "secretName",
            "password_file",
            "PASSWORD_FILE",
            "token_url",
            "secretKeyRef",
            "api_key_header",
            "token_endpoint",
            "passwordHash",
        ] {
            assert!(non_secret_name(n), "{n}");
        }
        for n in [
            "password",
            "DB_PASSWORD",
            "clientSecret",
            "api_key",
            "secret_key_base",
        ] {
            assert!(!non_secret_name(n), "{n}");
        }
    }

    #[test]
    fn jwt_claims() {
        let b64 = |s: &str| {
            let alphabet = testgen::URLSAFE.as_bytes();
            let mut out = String::new();
            for chunk in s.as_bytes().chunks(3) {
                let n = chunk
                    .iter()
                    .enumerate()
                    .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
                for i in 0..=chunk.len() {
                    out.push(alphabet[((n >> (18 - 6 * i)) & 63) as usize] as char);
                }
            }
            out
        };
        assert_eq!(
            base64url_decode(&b64("{\"sub\":\"x\"}")),
            b"{\"sub\":\"x\"}"
        );
        assert!(jwt_has_claims(&format!(
            "h.{}.s",
            b64("{\"sub\":\"42\",\"exp\":1}")
        )));
        assert!(!jwt_has_claims(&format!(
            "h.{}.s",
            b64("{\"some\":\"payload\"}")
        )));
        assert!(!jwt_has_claims("no-dots"));
    }

    #[test]
    fn value_shapes() {
        assert!(looks_like_uuid("123e4567-e89b-12d3-a456-426614174000"));
        assert!(!looks_like_uuid("123e4567e89b12d3a456426614174000"));
        assert!(is_word_like("prod-db-credentials-v2"));
        assert!(is_word_like("secrets/app/db.json"));
        assert!(!is_word_like(&testgen::random(1, testgen::ALNUM, 16)));
        assert!(is_password_hash("$2b$12$abcdefghijklmnopqrstuv"));
        assert!(has_sequence(b"xx12345678yy", 8));
        assert!(!has_sequence(b"x1y2z3", 3));
        assert!(is_local_host("localhost:5432"));
        assert!(is_local_host("127.0.0.1"));
        assert!(is_local_host("[::1]"));
        assert!(is_local_host("db.example.com"));
        assert!(!is_local_host("db.internal"));
    }

    #[test]
    fn file_classes() {
        assert_eq!(
            FileClass::of("app/settings.py"),
            FileClass {
                code: true,
                lockfile: false
            }
        );
        assert!(FileClass::of("web/yarn.lock").lockfile);
        assert!(FileClass::of("Cargo.lock").lockfile);
        assert!(!FileClass::of("deploy/values.yaml").code);
        assert!(!FileClass::of(".env").code);
        assert!(!FileClass::of("config.lock.yaml").lockfile);
    }

    #[test]
    fn prechecks() {
        let at = |kind, text: &str, start, end, class| {
            precheck(kind, text.as_bytes(), start, end, class)
        };
        let ok = |kind, text: &str, end| at(kind, text, end, end, FileClass::default());
        let code = FileClass {
            code: true,
            lockfile: false,
        };
        let secret = Precheck::SecretAssignment;
        assert!(at(secret, "db_password: x", 4, 11, FileClass::default()));
        assert!(!at(
            secret,
            "db_password_file: x",
            4,
            11,
            FileClass::default()
        ));
        assert!(!at(secret, "secretName: x", 0, 6, FileClass::default()));
        assert!(at(secret, "password = \"x\"", 0, 8, code));
        assert!(at(secret, "token := `x`", 0, 5, code));
        assert!(!at(secret, "password = os.environ[x]", 0, 8, code));
        assert!(at(secret, "password = x", 0, 8, FileClass::default()));
        assert!(ok(Precheck::Assignment, "password: x", 8));
        assert!(ok(Precheck::Assignment, "db_password_prod = x", 4));
        assert!(ok(Precheck::Assignment, "\"token\" : \"x\"", 6));
        assert!(ok(Precheck::Assignment, "token := x", 5));
        assert!(!ok(Precheck::Assignment, "token == x", 5));
        assert!(!ok(Precheck::Assignment, "token::Token", 5));
        assert!(!ok(Precheck::Assignment, "tokenizer.push(x)", 5));
        assert!(!ok(Precheck::Assignment, "the token is", 5));
        assert!(ok(Precheck::UserInfo, "https://u:p@h/x", 8));
        assert!(!ok(Precheck::UserInfo, "https://h/x?u@y", 8));
        assert!(!ok(Precheck::UserInfo, "https://host x@y", 8));
        assert!(ok(Precheck::None, "", 0));
    }

    #[test]
    fn every_rule_has_selective_keywords() {
        for rule in BUILTIN {
            assert!(!rule.keywords.is_empty(), "{}", rule.id);
            for k in rule.keywords {
                assert!(k.len() >= 3, "{}: keyword `{k}` is too short", rule.id);
            }
        }
    }
}
