//! Test support: values generated at test time so that nothing secret-looking is committed.

/// Expands `{{fake:KIND}}` markers in fixture text. Kinds are defined by [`fake_value`].
pub fn expand(text: &str) -> String {
    if !text.contains("{{fake:") {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("{{fake:") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 7..];
        match after.find("}}") {
            Some(end) => {
                // A multi-line value keeps the marker's indentation (a YAML block scalar).
                let line_start = out.rfind('\n').map_or(0, |i| i + 1);
                let indent = &out[line_start..];
                let value = fake_value(&after[..end]);
                if indent.trim().is_empty() {
                    let indented = value.replace('\n', &format!("\n{indent}"));
                    out.push_str(&indented);
                } else {
                    out.push_str(&value);
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The generated values a fixture text contains (what must never appear in a report).
#[allow(dead_code)]
pub fn fakes_in(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{fake:") {
        let after = &rest[start + 7..];
        let Some(end) = after.find("}}") else { break };
        out.push(fake_value(&after[..end]));
        rest = &after[end + 2..];
    }
    out
}

const UPPER_BASE32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URLSAFE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
const HEX: &str = "0123456789abcdef";
const DIGITS: &str = "0123456789";
const SLACK_ID: &str = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
/// Characters a generated password uses (all allowed in a URL's user info).
const PASSWORD: &str = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!*-_=+~";

/// A deterministic stream of random characters (splitmix64 seeded from the marker's text), so
/// that snapshots and fingerprints are stable.
struct Gen(u64);

impl Gen {
    fn new(label: &str, attempt: u64) -> Gen {
        // FNV-1a of the label.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in label.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        Gen(h ^ attempt.wrapping_mul(0x9E37_79B9_7F4A_7C15))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn take(&mut self, charset: &str, len: usize) -> String {
        let chars: Vec<char> = charset.chars().collect();
        (0..len)
            .map(|_| chars[(self.next() % chars.len() as u64) as usize])
            .collect()
    }

    fn uuid(&mut self) -> String {
        let h = self.take(HEX, 32);
        format!(
            "{}-{}-{}-{}-{}",
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..]
        )
    }

    /// Base64 lines of a PEM body (a DER structure starts `MII`).
    fn pem_lines(&mut self, lines: usize) -> Vec<String> {
        let mut out = vec![format!("MIIE{}", self.take(BASE64, 60))];
        out.extend((1..lines).map(|_| self.take(BASE64, 64)));
        out.push(format!("{}==", self.take(BASE64, 22)));
        out
    }
}

fn base64url(bytes: &[u8]) -> String {
    let chars: Vec<char> = URLSAFE.chars().collect();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(chars[((n >> (18 - 6 * i)) & 63) as usize]);
        }
    }
    out
}

/// A value generated for `kind` that a real token would never equal by chance, and that none of
/// the placeholder heuristics would dismiss (the generator retries until it is clean).
fn generate(kind: &str, g: &mut Gen) -> String {
    match kind {
        "aws-access-key-id" => format!("AKIA{}", g.take(UPPER_BASE32, 16)),
        "aws-session-key-id" => format!("ASIA{}", g.take(UPPER_BASE32, 16)),
        "aws-secret-access-key" => g.take(BASE64, 40),
        "gcp-api-key" => format!("AIza{}", g.take(URLSAFE, 35)),
        "gcp-private-key-json" => format!(
            "-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n",
            g.pem_lines(25).join("\\n")
        ),
        "pem-body" => g.pem_lines(20).join("\n"),
        "openssh-body" => {
            let mut lines = vec![format!("b3BlbnNzaC1rZXktdjE{}", g.take(BASE64, 51))];
            lines.extend((0..5).map(|_| g.take(BASE64, 70)));
            lines.join("\n")
        }
        "azure-storage-key" => format!("{}==", g.take(BASE64, 86)),
        "azure-shared-access-key" => format!("{}=", g.take(BASE64, 43)),
        "github-pat" => format!("ghp_{}", g.take(ALNUM, 36)),
        "github-oauth-token" => format!("gho_{}", g.take(ALNUM, 36)),
        "github-app-token" => format!("ghs_{}", g.take(ALNUM, 36)),
        "github-user-token" => format!("ghu_{}", g.take(ALNUM, 36)),
        "github-refresh-token" => format!("ghr_{}", g.take(ALNUM, 76)),
        "github-fine-grained-pat" => {
            format!("github_pat_{}_{}", g.take(ALNUM, 22), g.take(ALNUM, 59))
        }
        "gitlab-pat" => format!("glpat-{}", g.take(URLSAFE, 20)),
        "slack-bot-token" => format!(
            "xoxb-{}-{}-{}",
            g.take(DIGITS, 12),
            g.take(DIGITS, 13),
            g.take(ALNUM, 24)
        ),
        "slack-user-token" => format!(
            "xoxp-{}-{}-{}-{}",
            g.take(DIGITS, 12),
            g.take(DIGITS, 12),
            g.take(DIGITS, 13),
            g.take(HEX, 32)
        ),
        "slack-webhook" => format!(
            "https://hooks.slack.com/services/T{}/B{}/{}",
            g.take(SLACK_ID, 8),
            g.take(SLACK_ID, 10),
            g.take(ALNUM, 24)
        ),
        "discord-webhook" => format!(
            "https://discord.com/api/webhooks/{}/{}",
            g.take(DIGITS, 18),
            g.take(URLSAFE, 68)
        ),
        "teams-webhook" => format!(
            "https://contoso.webhook.office.com/webhookb2/{}@{}/IncomingWebhook/{}/{}",
            g.uuid(),
            g.uuid(),
            g.take(HEX, 32),
            g.uuid()
        ),
        "stripe-secret-key" => format!("sk_live_{}", g.take(ALNUM, 99)),
        "stripe-restricted-key" => format!("rk_live_{}", g.take(ALNUM, 99)),
        "twilio-api-key" => format!("SK{}", g.take(HEX, 32)),
        "twilio-auth-token" | "hex32" => g.take(HEX, 32),
        "sendgrid-api-key" => format!("SG.{}.{}", g.take(URLSAFE, 22), g.take(URLSAFE, 43)),
        "npm-token" => format!("npm_{}", g.take(ALNUM, 36)),
        "pypi-token" => format!("pypi-AgEIcHlwaS5vcmc{}", g.take(URLSAFE, 150)),
        "jwt" => {
            let header = base64url(br#"{"alg":"HS256","typ":"JWT"}"#);
            let payload = format!(
                r#"{{"sub":"{}","iat":1767225600,"exp":1798761600,"scope":"admin"}}"#,
                g.uuid()
            );
            format!(
                "{header}.{}.{}",
                base64url(payload.as_bytes()),
                g.take(URLSAFE, 43)
            )
        }
        "azure-ad-client-secret" => format!(
            "{}{}Q~{}",
            g.take(ALNUM, 3),
            g.take(DIGITS, 1),
            g.take(ALNUM, 34)
        ),
        "gitlab-trigger-token" => format!("glptt-{}", g.take(HEX, 40)),
        "gitlab-runner-token" => format!("glrt-{}", g.take(URLSAFE, 20)),
        "gitlab-deploy-token" => format!("gldt-{}", g.take(URLSAFE, 20)),
        "gitlab-runner-registration" => format!("GR1348941{}", g.take(URLSAFE, 20)),
        "bitbucket-app-password" => format!("ATBB{}", g.take(ALNUM, 32)),
        "atlassian-api-token" => format!("ATATT3xFfGF0{}={}", g.take(URLSAFE, 170), g.take(HEX, 8)),
        "circleci-token" => format!("CCIPAT_{}_{}", g.take(ALNUM, 22), g.take(HEX, 40)),
        "buildkite-token" => format!("bkua_{}", g.take(HEX, 40)),
        "slack-app-token" => format!(
            "xapp-1-A{}-{}-{}",
            g.take(SLACK_ID, 10),
            g.take(DIGITS, 13),
            g.take(HEX, 64)
        ),
        "square-access-token" => format!("EAAA{}", g.take(URLSAFE, 60)),
        "square-sandbox-style-token" => format!("sq0atp-{}", g.take(URLSAFE, 22)),
        "square-oauth-secret" => format!("sq0csp-{}", g.take(URLSAFE, 43)),
        "paypal-braintree-access-token" => format!(
            "access_token$production${}${}",
            g.take("abcdefghijklmnopqrstuvwxyz0123456789", 16),
            g.take(HEX, 32)
        ),
        "hashicorp-vault-token" => format!("hvs.CAESI{}", g.take(URLSAFE, 90)),
        "terraform-cloud-token" => format!("{}.atlasv1.{}", g.take(ALNUM, 14), g.take(URLSAFE, 67)),
        "docker-hub-token" => format!("dckr_pat_{}", g.take(URLSAFE, 27)),
        "digitalocean-token" => format!("dop_v1_{}", g.take(HEX, 64)),
        "openai-api-key" => format!(
            "sk-proj-{}T3BlbkFJ{}",
            g.take(URLSAFE, 64),
            g.take(URLSAFE, 64)
        ),
        "anthropic-api-key" => format!("sk-ant-api03-{}AA", g.take(URLSAFE, 93)),
        "password" => g.take(PASSWORD, 20),
        "token32" => g.take(ALNUM, 32),
        "base64-40" => g.take(BASE64, 40),
        "bcrypt-hash" => format!("$2b$12${}", g.take(ALNUM, 53)),
        "sha512-integrity" => format!("sha512-{}==", g.take(BASE64, 86)),
        "sha256-hex" => g.take(HEX, 64),
        "git-sha" => g.take(HEX, 40),
        "acme-api-key" => format!(
            "acme_{}",
            g.take("abcdefghijklmnopqrstuvwxyz0123456789", 32)
        ),
        _ => panic!("unknown fake value kind `{kind}`"),
    }
}

/// Substrings that would make a value look like a placeholder (see secrets/rules.rs).
const PLACEHOLDER_LOOKING: &[&str] = &[
    "example",
    "changeme",
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
    "replace",
];

fn looks_clean(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    !PLACEHOLDER_LOOKING.iter().any(|w| lower.contains(w))
        && !v
            .as_bytes()
            .windows(4)
            .any(|w| w[0].is_ascii_alphanumeric() && w.iter().all(|b| *b == w[0]))
}

/// A deterministic, realistic-looking (but never real) value of a given kind. `KIND/LABEL`
/// (e.g. `github-pat/second`) gives another value of the same kind.
pub fn fake_value(kind: &str) -> String {
    let base = kind.split('/').next().unwrap_or(kind);
    (0..100)
        .map(|attempt| generate(base, &mut Gen::new(kind, attempt)))
        .find(|v| looks_clean(v))
        .unwrap_or_else(|| panic!("no clean value for `{kind}`"))
}
