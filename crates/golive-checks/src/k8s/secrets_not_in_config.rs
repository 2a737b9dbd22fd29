use super::relations::Manifests;
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Location, Outcome, SourceFile, declare_check};

declare_check! {
    /// ## What it checks
    /// No credential is written into a ConfigMap or into a container's plain `env[].value`.
    ///
    /// A key is a credential's when its last word names one: `password`, `passwd`, `pass`
    /// (after another word, as in `SMTP_PASS`), `secret`, `token`, `credentials`, or `key`
    /// after `api`, `private`, `access`, `secret`, `signing` or `encryption` (`DB_PASSWORD`,
    /// `apiKey`, `AWS_SECRET_ACCESS_KEY`, `client_secret`, `GITHUB_TOKEN`). Keys that name
    /// something about a credential are not (`PASSWORD_FILE`, `TOKEN_PATH`, `token_ttl`,
    /// `secret_name`, `SECRET_REF`). It is a finding when such a key has a non-empty literal
    /// value: placeholders such as `changeme` are findings too, because the manifest is what
    /// gets deployed. Empty values, references (`$(VAR)`, `${VAR}`, `{{ ... }}`, `vault:`,
    /// `ref+`, secret-manager ARNs) and file paths are not. ConfigMap entries that hold a
    /// configuration file (`.properties`, `.ini`, `.env`, `.cfg`, `.yaml`, `.toml`, `.json`)
    /// are read line by line with the same rules. Secrets are exempt: that is where
    /// credentials belong. Values are never printed: findings name the key only.
    ///
    /// ## Why it matters
    /// ConfigMaps and pod specs are readable by everyone who can read the namespace, are
    /// printed by `kubectl describe`, land in logs, dashboards and GitOps diffs, and are
    /// committed with the repository: a credential there is leaked to all of them, and it
    /// cannot be rotated without a redeploy. (Go-live checklist, secrets: "should be stored in
    /// any service which is responsible for secret management; none of the passwords or keys
    /// should be stored anywhere"; Production Ready Checklist, security: "no secrets exposed
    /// in repository".)
    ///
    /// ## How to fix
    /// Keep the value in a Secret (or an external secret store) and reference it:
    /// ```yaml
    /// env:
    ///   - name: DB_PASSWORD
    ///     valueFrom:
    ///       secretKeyRef: { name: db, key: password }
    /// ```
    pub struct SecretsNotInConfig {
        id: "k8s/secrets-not-in-config",
        title: "No credentials in ConfigMaps or plain env values",
        category: Kubernetes,
        level: Bronze,
        severity: Error,
        facets: [Kubernetes],
        seeds: [
            "003: Secrets: should be stored in a secret management service; none of the passwords or keys should be stored anywhere",
            "004: Security: no secrets exposed in repository; set up a secrets management solution",
        ],
        fix: "move the value into a Secret and reference it (env[].valueFrom.secretKeyRef, or envFrom.secretRef)",
    }
}

/// What a flagged value is shown as in snippets.
const REDACTED: &str = "<redacted>";

/// File extensions of ConfigMap entries read line by line as `key: value` / `key = value`.
const CONFIG_FILE_EXTENSIONS: &[&str] = &[
    "properties",
    "ini",
    "env",
    "cfg",
    "yaml",
    "yml",
    "toml",
    "json",
];

impl golive_core::Check for SecretsNotInConfig {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut findings = Vec::new();
        let (mut config_maps, mut envs, mut secrets) = (0, 0, 0);
        for obj in m.objects() {
            match (obj.group(), obj.kind) {
                ("", "Secret") => secrets += 1,
                ("", "ConfigMap") => {
                    config_maps += 1;
                    let name = obj.display_name();
                    let path = &obj.file.path;
                    for (key, value) in obj.node.get("data").into_iter().flat_map(|d| d.entries()) {
                        let (Some(k), Some(v)) = (key.as_str(), value.as_str()) else {
                            continue;
                        };
                        if names_a_secret(k) && is_literal_credential(v) {
                            findings.push(
                                Finding::at(
                                    key.location(path),
                                    format!(
                                        "{name}: data key `{k}` holds a credential in plain text"
                                    ),
                                )
                                .redacting(v, REDACTED),
                            );
                        } else if v.contains('\n') && is_config_file(k) {
                            findings.extend(embedded(obj.file, &name, key, v));
                        }
                    }
                }
                _ => {}
            }
        }
        for w in m.workloads() {
            let Some(template) = w.template else {
                continue;
            };
            let name = w.obj.display_name();
            let path = &w.obj.file.path;
            for c in template.all_containers() {
                for var in c.node.get("env").into_iter().flat_map(|e| e.items()) {
                    envs += 1;
                    let Some(var_name) = var.get_str("name") else {
                        continue;
                    };
                    let Some((value_key, value)) = var.entry("value") else {
                        continue;
                    };
                    let Some(v) = value.as_str() else {
                        continue;
                    };
                    if names_a_secret(var_name) && is_literal_credential(v) {
                        findings.push(
                            Finding::at(
                                value_key.location(path),
                                format!(
                                    "{name}: {} sets `{var_name}` to a plain-text credential",
                                    c.describe()
                                ),
                            )
                            .redacting(v, REDACTED),
                        );
                    }
                }
            }
        }
        if config_maps == 0 && envs == 0 {
            return Outcome::not_applicable(
                "no ConfigMaps and no container env values in the manifests",
            );
        }
        let mut evidence = vec![Evidence::note(format!(
            "{config_maps} ConfigMap(s) and {envs} container env variable(s) read; no credential-named key holds a literal value"
        ))];
        if secrets > 0 {
            evidence.push(Evidence::note(format!(
                "{secrets} Secret(s) not checked: that is where credentials belong"
            )));
        }
        if !findings.is_empty() {
            evidence.remove(0);
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// Whether a ConfigMap key names a configuration file golive reads line by line.
fn is_config_file(key: &str) -> bool {
    key.rsplit_once('.')
        .is_some_and(|(_, ext)| CONFIG_FILE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()))
}

/// Findings for `key: value` / `key = value` lines of a configuration file held in a ConfigMap
/// entry. Lines are located exactly for literal block scalars (`|`); otherwise at the entry.
fn embedded(file: &SourceFile, config_map: &str, entry: Node<'_>, text: &str) -> Vec<Finding> {
    let entry_name = entry.as_str().unwrap_or("");
    // `key: |` (or `|-`, `|+`, `|2`): the content starts on the next line, line for line.
    let literal_block = file.line_text(entry.line()).is_some_and(|l| {
        l.trim_end()
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '-' || c == '+')
            .ends_with('|')
    });
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let Some((key, val)) = assignment(line) else {
            continue;
        };
        if !(names_a_secret(key) && is_literal_credential(val)) {
            continue;
        }
        let location = if literal_block {
            Location::line(&file.path, entry.line() + 1 + i as u32)
        } else {
            entry.location(&file.path)
        };
        out.push(
            Finding::at(
                location,
                format!("{config_map}: `{key}` in `{entry_name}` holds a credential in plain text"),
            )
            .redacting(val, REDACTED),
        );
    }
    out
}

/// `key: value`, `key = value`, `"key": "value",`, `export KEY=value` (key and unquoted value).
fn assignment(line: &str) -> Option<(&str, &str)> {
    let line = line.trim();
    if line.starts_with('#') || line.starts_with(';') || line.starts_with("//") {
        return None;
    }
    let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
    let split = line.find([':', '='])?;
    let key = line[..split].trim().trim_matches(|c| c == '"' || c == '\'');
    if key.is_empty()
        || !key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'))
    {
        return None;
    }
    let value = line[split + 1..].trim().trim_end_matches(',').trim();
    // A nested block or object (`password: |`, `"auth": {`) is not the value itself.
    if value.starts_with(['{', '[', '|', '>']) {
        return None;
    }
    Some((key, unquote(value)))
}

fn unquote(v: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
            return inner;
        }
    }
    v
}

/// The words of a key: split at `_`, `-`, `.`, spaces and camelCase boundaries, lowercased.
fn words(key: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = key.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary = c.is_ascii_uppercase()
            && i > 0
            && (chars[i - 1].is_ascii_lowercase()
                || chars[i - 1].is_ascii_digit()
                || (chars[i - 1].is_ascii_uppercase()
                    && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())));
        if boundary && !current.is_empty() {
            out.push(std::mem::take(&mut current));
        }
        current.push(c.to_ascii_lowercase());
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// Whether a key names a credential itself (its last word), not something about one.
pub(crate) fn names_a_secret(key: &str) -> bool {
    let words = words(key);
    let Some(last) = words.last() else {
        return false;
    };
    let before = words.len().checked_sub(2).and_then(|i| words.get(i));
    let last = last.as_str();
    if last.ends_with("password")
        || last.ends_with("passwd")
        || last.ends_with("secret")
        || last.ends_with("token")
        || matches!(last, "credentials" | "credential")
        || matches!(
            last,
            "apikey" | "accesskey" | "privatekey" | "secretkey" | "clientsecret"
        )
    {
        return true;
    }
    matches!(
        (before.map(String::as_str), last),
        (Some(_), "pass")
            | (
                Some("api" | "private" | "access" | "secret" | "signing" | "encryption"),
                "key"
            )
    )
}

/// Whether a value is a literal that would be deployed as the credential (not empty, not a
/// reference, template or file path).
pub(crate) fn is_literal_credential(value: &str) -> bool {
    let v = value.trim();
    if v.is_empty() {
        return false;
    }
    let lower = v.to_ascii_lowercase();
    let reference = v.contains("$(")
        || v.contains("${")
        || v.contains("{{")
        || v.contains("<%")
        || (v.starts_with('$')
            && v[1..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_'))
        || [
            "vault:",
            "ref+",
            "arn:aws:secretsmanager:",
            "arn:aws:ssm:",
            "sm://",
            "akv://",
            "op://",
            "secretref:",
        ]
        .iter()
        .any(|p| lower.starts_with(p));
    let path = v.starts_with('/')
        || v.starts_with("./")
        || v.starts_with("~/")
        || lower.starts_with("file:");
    let flag = matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "null" | "~"
    );
    !(reference || path || flag)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names_are_recognised_by_their_last_word() {
        for key in [
            "DB_PASSWORD",
            "password",
            "dbPassword",
            "SMTP_PASS",
            "apiKey",
            "API_KEY",
            "apikey",
            "AWS_SECRET_ACCESS_KEY",
            "client_secret",
            "clientSecret",
            "GITHUB_TOKEN",
            "authToken",
            "GOOGLE_API_KEY",
            "credentials",
            "JWT_SECRET",
            "private_key",
            "spring.datasource.password",
        ] {
            assert!(names_a_secret(key), "{key}");
        }
        for key in [
            "PASSWORD_FILE",
            "TOKEN_PATH",
            "token_ttl",
            "secret_name",
            "SECRET_REF",
            "ALLOYDB_SECRET_NAME",
            "PASS",
            "PWD",
            "MAX_TOKENS",
            "PASSWORD_MIN_LENGTH",
            "KEY",
            "REDIS_ADDR",
            "tokenizer",
            "secretKeyRef",
        ] {
            assert!(!names_a_secret(key), "{key}");
        }
    }

    #[test]
    fn references_paths_and_flags_are_not_literal_credentials() {
        for v in [
            "",
            "  ",
            "$(DB_PASSWORD)",
            "${DB_PASSWORD}",
            "$DB_PASSWORD",
            "{{ .Values.password }}",
            "vault:secret/data/db#password",
            "ref+awssecrets://db/password",
            "/var/secrets/google/key.json",
            "true",
        ] {
            assert!(!is_literal_credential(v), "{v:?}");
        }
        for v in [
            "changeme",
            "password",
            "GOOGLE_API_KEY_VAL",
            "12345",
            "s3cr3t-but-fake",
        ] {
            assert!(is_literal_credential(v), "{v:?}");
        }
    }

    #[test]
    fn values_never_reach_messages_or_snippets() {
        use golive_core::engine::{self, RunOptions};
        use golive_core::{Config, Date, Workspace};
        let ws = Workspace::from_files(vec![(
            "app.yaml".into(),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  DB_PASSWORD: hunter2-example\n  app.ini: |\n    [db]\n    password = hunter2-example\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n  - name: a\n    env:\n    - {name: API_TOKEN, value: hunter2-example}\n".into(),
        )]);
        let opts = RunOptions {
            target: ".".into(),
            today: Date {
                year: 2026,
                month: 1,
                day: 1,
            },
            golive_version: "test".into(),
        };
        let report = engine::run(&ws, &Config::default(), &[&SecretsNotInConfig], &opts);
        let findings = &report.checks[0].findings;
        assert_eq!(findings.len(), 3, "{findings:#?}");
        for f in findings {
            assert!(!f.message.contains("hunter2"), "{}", f.message);
            let snippet = f.snippet.as_ref().map(|s| s.text.as_str()).unwrap_or("");
            assert!(!snippet.contains("hunter2"), "{snippet}");
            assert!(snippet.contains(REDACTED), "{snippet}");
        }
        assert_eq!(findings[1].location.as_ref().map(|l| l.line), Some(8));
    }

    #[test]
    fn assignments_are_read_from_config_lines() {
        assert_eq!(
            assignment("db.password=changeme"),
            Some(("db.password", "changeme"))
        );
        assert_eq!(assignment("  password: \"x y\""), Some(("password", "x y")));
        assert_eq!(assignment("\"token\": \"abc\","), Some(("token", "abc")));
        assert_eq!(assignment("export API_KEY=abc"), Some(("API_KEY", "abc")));
        assert_eq!(assignment("# password: x"), None);
        assert_eq!(assignment("password: |"), None);
        assert_eq!(assignment("\"secureJsonData\": {"), None);
        assert_eq!(assignment("local password = os.getenv('X')"), None);
    }
}
