use super::config::{self, Form};
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

/// Keys whose value is a credential, anywhere in an alertmanager.yml (global, integrations,
/// `http_config`); each has a `*_file` variant or, for HTTP clients, `credentials_file`.
const SECRET_KEYS: [&str; 20] = [
    "slack_api_url",
    "opsgenie_api_key",
    "victorops_api_key",
    "smtp_auth_password",
    "smtp_auth_secret",
    "wechat_api_secret",
    "telegram_bot_token",
    "rocketchat_token",
    "routing_key",
    "service_key",
    "api_key",
    "auth_password",
    "auth_secret",
    "api_secret",
    "bot_token",
    "user_key",
    "token",
    "password",
    "bearer_token",
    "client_secret",
];

/// Keys whose value is a URL that is itself a credential (incoming webhooks).
const SECRET_URL_KEYS: [&str; 2] = ["webhook_url", "api_url"];

/// Integrations whose `api_url` is a secret webhook URL (for others it is a base URL).
const WEBHOOK_API_URL: [&str; 1] = ["slack_configs"];

declare_check! {
    /// ## What it checks
    /// No Alertmanager configuration holds a credential inline: Slack webhook URLs
    /// (`slack_api_url`, `slack_configs[].api_url`), Discord / MS Teams `webhook_url`s,
    /// PagerDuty `routing_key`/`service_key`, Opsgenie/VictorOps `api_key`, Pushover
    /// `user_key`/`token`, SMTP `auth_password`, Telegram `bot_token`, `http_config`
    /// `password`/`bearer_token`/`credentials`/`client_secret`, and any URL carrying a
    /// password (`https://user:pass@...`) or a token in its query string.
    ///
    /// Accepted: the `*_file` variants (`api_url_file`, `routing_key_file`,
    /// `credentials_file`...), values substituted at deploy time (`$(SLACK_URL)`,
    /// `${SLACK_URL}`, `{{ .Values.slack }}`), SOPS-encrypted values (`ENC[...]`), obvious
    /// placeholders (`<slack-url>`, `XXX`, `changeme`) and, in an AlertmanagerConfig, secrets
    /// referenced by Secret key selectors (`apiURL: {name, key}`). Findings show only a
    /// redacted value: a webhook URL's scheme and host, never its path or the token.
    ///
    /// A config embedded in a Kubernetes Secret is still checked: the manifest is committed,
    /// so a token in its `stringData` (or base64 `data`) is a token in git.
    ///
    /// ## Why it matters
    /// A Slack webhook URL or a PagerDuty routing key in git lets anyone with read access
    /// post to the on-call channel or open incidents, and it cannot be rotated without a
    /// commit. The DevSecOps guide (000) and the go-live checklist (003: "secrets are not
    /// stored in the repository") ask for secrets to come from a secret store.
    ///
    /// ## How to fix
    /// ```yaml
    /// receivers:
    /// - name: slack
    ///   slack_configs:
    ///   - api_url_file: /etc/alertmanager/secrets/slack-webhook
    ///     channel: '#alerts'
    /// - name: pagerduty
    ///   pagerduty_configs:
    ///   - routing_key_file: /etc/alertmanager/secrets/pagerduty-routing-key
    /// ```
    pub struct NoInlineSecrets {
        id: "alertmanager/no-inline-secrets",
        title: "Alertmanager configs hold no inline credentials",
        category: Alerting,
        level: Bronze,
        severity: Error,
        facets: [Alertmanager],
        seeds: [
            "000: DevSecOps: secrets come from a secret store, never from the repository",
            "003: Go-live checklist: secrets are not stored in the repository",
        ],
        fix: "use the `*_file` variant (`api_url_file`, `routing_key_file`, `credentials_file`) mounted from a Secret, or a Secret key selector in an AlertmanagerConfig",
    }
}

const REDACTED: &str = "<redacted>";

impl golive_core::Check for NoInlineSecrets {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let found = config::discover(cx.ws);
        if found.sources.is_empty() {
            return Outcome::not_applicable(found.none_reason());
        }
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        for source in &found.sources {
            let cfg = source.config();
            let Some(root) = cfg.root else { continue };
            let mut hits = Vec::new();
            walk(root, None, cfg.crd, 0, &mut hits);
            let note = source.position_note();
            for hit in &hits {
                let mut finding = Finding::at(
                    hit.node.location(&source.path),
                    format!(
                        "{}: `{}` is inline: {} ({}){note}",
                        source.name, hit.key, hit.what, hit.shown
                    ),
                )
                .redacting(hit.secret.clone(), hit.shown.clone());
                if let Form::Base64 = source.form
                    && let Some(raw) = &source.raw
                {
                    finding = finding.redacting(raw.clone(), "<base64 config>");
                }
                findings.push(finding);
            }
            if hits.is_empty() {
                evidence.push(Evidence::file(
                    &source.path,
                    if cfg.crd {
                        format!(
                            "{}: no inline credential (secrets come from Secret key selectors)",
                            source.name
                        )
                    } else {
                        format!("{}: no inline credential", source.name)
                    },
                ));
            }
        }
        Outcome::from_findings(findings, evidence)
    }
}

struct Hit<'a> {
    key: String,
    node: Node<'a>,
    what: &'static str,
    secret: String,
    shown: String,
}

fn walk<'a>(node: Node<'a>, parent: Option<&str>, crd: bool, depth: usize, out: &mut Vec<Hit<'a>>) {
    if depth > 32 {
        return;
    }
    if node.is_seq() {
        for item in node.items() {
            walk(item, parent, crd, depth + 1, out);
        }
        return;
    }
    for (k, v) in node.entries() {
        let Some(key) = k.as_str() else { continue };
        if v.is_map() || v.is_seq() {
            walk(v, Some(key), crd, depth + 1, out);
            continue;
        }
        let Some(value) = v.as_text().map(str::trim).filter(|t| !t.is_empty()) else {
            continue;
        };
        if is_reference(value) {
            continue;
        }
        let lower = key.to_lowercase();
        let secret_key = !crd
            && (SECRET_KEYS.contains(&lower.as_str())
                || (lower == "credentials" && parent == Some("authorization")));
        let webhook_key = !crd
            && (lower == "slack_api_url"
                || lower == "webhook_url"
                || (lower == "api_url" && parent.is_some_and(|p| WEBHOOK_API_URL.contains(&p))));
        if webhook_key || (secret_key && looks_like_url(value)) {
            out.push(Hit {
                key: key.to_string(),
                node: v,
                what: "a webhook URL, which is itself the credential",
                secret: value.to_string(),
                shown: redact_url(value),
            });
        } else if secret_key {
            out.push(Hit {
                key: key.to_string(),
                node: v,
                what: "a credential",
                secret: value.to_string(),
                shown: REDACTED.to_string(),
            });
        } else if looks_like_url(value)
            && (SECRET_URL_KEYS.contains(&lower.as_str()) || lower.ends_with("url"))
            && let Some(what) = url_credential(value)
        {
            out.push(Hit {
                key: key.to_string(),
                node: v,
                what,
                secret: value.to_string(),
                shown: redact_url(value),
            });
        }
    }
}

/// A value substituted at deploy time, encrypted, or a placeholder.
fn is_reference(value: &str) -> bool {
    let lower = value.to_lowercase();
    value.contains("$(")
        || value.contains("${")
        || value.contains("{{")
        || value.starts_with("ENC[")
        || (value.contains('<') && value.contains('>'))
        || [
            "xxx",
            "changeme",
            "change-me",
            "replace",
            "your_",
            "your-",
            "placeholder",
            "dummy",
            "todo",
            "redacted",
        ]
        .iter()
        .any(|p| lower.contains(p))
}

fn looks_like_url(value: &str) -> bool {
    value.starts_with("https://") || value.starts_with("http://")
}

/// A password in the URL's user info, or a token-like query parameter.
fn url_credential(url: &str) -> Option<&'static str> {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    if let Some((userinfo, _)) = authority.rsplit_once('@')
        && userinfo.contains(':')
    {
        return Some("a URL with a password");
    }
    let query = rest.split_once('?').map(|(_, q)| q)?;
    let secret_param = query.split('&').any(|pair| {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = name.to_lowercase();
        !value.is_empty()
            && ["token", "key", "secret", "password", "sig", "code"]
                .iter()
                .any(|p| name.contains(p))
    });
    secret_param.then_some("a URL with a credential in its query")
}

/// `https://hooks.slack.com/…`: scheme and host, never user info, path or query.
fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return REDACTED.to_string();
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority
        .rsplit_once('@')
        .map(|(_, h)| h)
        .unwrap_or(authority);
    format!("{scheme}://{host}/…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted_to_their_host() {
        assert_eq!(
            redact_url("https://hooks.slack.com/services/T0/B0/abc"),
            "https://hooks.slack.com/…"
        );
        assert_eq!(
            redact_url("https://u:p@example.com:8443/x?token=1"),
            "https://example.com:8443/…"
        );
        assert_eq!(redact_url("not a url"), REDACTED);
    }

    #[test]
    fn credentials_in_urls() {
        assert!(url_credential("https://u:p@example.com/hook").is_some());
        assert!(url_credential("https://example.com/hook?api_key=abc").is_some());
        assert!(url_credential("https://user@example.com/hook").is_none());
        assert!(url_credential("http://bot.monitoring.svc:8080/alerts?team=a").is_none());
    }

    #[test]
    fn references_and_placeholders_are_not_secrets() {
        for v in [
            "$(SLACK_URL)",
            "${KEY}",
            "{{ .Values.key }}",
            "ENC[AES256_GCM,data:x]",
            "<slack_url>",
            "https://hooks.slack.com/services/XXX",
        ] {
            assert!(is_reference(v), "{v}");
        }
        assert!(!is_reference("https://hooks.slack.com/services/T0/B0/abc"));
    }
}
