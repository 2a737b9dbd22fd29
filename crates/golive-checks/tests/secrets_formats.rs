//! Every built-in rule of secrets/committed fires on its token format, with the value redacted in
//! every output (JSON and text), and placeholders of the same formats (`EXAMPLE`, `xxxx`,
//! `<token>`, `${VAR}`) do not fire. Values are generated at test time (`support::fake_value`):
//! nothing secret-looking is committed.

#[allow(dead_code)]
mod support;

// The rule table (ids and names), compiled from the crate's source as the bench does.
#[allow(dead_code, unused_imports)]
#[path = "../src/secrets/rules.rs"]
mod rules;

use golive_core::engine::{self, RunOptions};
use golive_core::workspace::{ScanOptions, Workspace};
use golive_core::{Config, Date, Report, Status};
use golive_report::{TextOptions, render_json, render_text};
use std::collections::BTreeSet;

/// (rule id, file, text with one `{{fake:KIND}}` marker): each rule's format as it is committed.
const CASES: &[(&str, &str, &str)] = &[
    (
        "aws-access-key-id",
        ".env",
        "AWS_ACCESS_KEY_ID={{fake:aws-access-key-id}}\n",
    ),
    (
        "aws-access-key-id",
        "deploy.sh",
        "export AWS_ACCESS_KEY_ID={{fake:aws-session-key-id}}\n",
    ),
    (
        "aws-secret-access-key",
        "credentials",
        "[default]\naws_secret_access_key = {{fake:aws-secret-access-key}}\n",
    ),
    (
        "gcp-service-account-key",
        "sa.json",
        "{\n  \"type\": \"service_account\",\n  \"private_key\": \"{{fake:gcp-private-key-json}}\"\n}\n",
    ),
    (
        "gcp-api-key",
        "web/config.js",
        "export const mapsKey = \"{{fake:gcp-api-key}}\";\n",
    ),
    (
        "azure-storage-account-key",
        "app.config",
        "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey={{fake:azure-storage-key}};EndpointSuffix=core.windows.net\n",
    ),
    (
        "azure-shared-access-key",
        "bus.env",
        "SB=Endpoint=sb://acme.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey={{fake:azure-shared-access-key}}\n",
    ),
    (
        "azure-ad-client-secret",
        "appsettings.json",
        "{ \"AzureAd\": { \"ClientCredential\": \"{{fake:azure-ad-client-secret}}\" } }\n",
    ),
    ("github-pat", "gh.env", "GH={{fake:github-pat}}\n"),
    (
        "github-fine-grained-pat",
        "ci.sh",
        "curl -H \"Authorization: token {{fake:github-fine-grained-pat}}\" https://api.github.com\n",
    ),
    (
        "github-oauth-token",
        "a.yaml",
        "oauth: {{fake:github-oauth-token}}\n",
    ),
    (
        "github-app-token",
        "app.yaml",
        "installation: {{fake:github-app-token}}\n",
    ),
    (
        "github-app-token",
        "b.yaml",
        "user: {{fake:github-user-token}}\n",
    ),
    (
        "github-refresh-token",
        "a.json",
        "{\"refresh\": \"{{fake:github-refresh-token}}\"}\n",
    ),
    (
        "gitlab-pat",
        ".gitlab-ci.yml",
        "variables:\n  GL: {{fake:gitlab-pat}}\n",
    ),
    (
        "gitlab-token",
        "trigger.sh",
        "curl -F token={{fake:gitlab-trigger-token}} -F ref=main https://gitlab.example.org/api/v4/projects/1/trigger/pipeline\n",
    ),
    (
        "gitlab-token",
        "config.toml",
        "[[runners]]\n  token = \"{{fake:gitlab-runner-token}}\"\n",
    ),
    (
        "gitlab-token",
        "values.yaml",
        "deployToken: {{fake:gitlab-deploy-token}}\n",
    ),
    (
        "gitlab-token",
        "register.sh",
        "gitlab-runner register --registration-token {{fake:gitlab-runner-registration}}\n",
    ),
    (
        "bitbucket-app-password",
        "bitbucket-pipelines.yml",
        "  - curl -u ci:{{fake:bitbucket-app-password}} https://api.bitbucket.org/2.0/user\n",
    ),
    (
        "atlassian-api-token",
        "jira.env",
        "JIRA_API={{fake:atlassian-api-token}}\n",
    ),
    (
        "circleci-token",
        "scripts/trigger.sh",
        "curl -H \"Circle-Token: {{fake:circleci-token}}\" https://circleci.com/api/v2/me\n",
    ),
    ("buildkite-token", "bk.env", "BK={{fake:buildkite-token}}\n"),
    ("slack-token", "bot.env", "SLACK={{fake:slack-bot-token}}\n"),
    (
        "slack-token",
        "user.env",
        "SLACK={{fake:slack-user-token}}\n",
    ),
    (
        "slack-app-token",
        "socket.env",
        "SOCKET={{fake:slack-app-token}}\n",
    ),
    (
        "slack-webhook",
        "alertmanager.yml",
        "receivers:\n  - name: ops\n    slack_configs:\n      - api_url: {{fake:slack-webhook}}\n",
    ),
    (
        "discord-webhook",
        "notify.py",
        "HOOK = \"{{fake:discord-webhook}}\"\n",
    ),
    (
        "teams-webhook",
        "notify.ps1",
        "$hook = \"{{fake:teams-webhook}}\"\n",
    ),
    (
        "stripe-secret-key",
        "pay.rb",
        "Stripe.api_key = '{{fake:stripe-secret-key}}'\n",
    ),
    (
        "stripe-restricted-key",
        "pay.env",
        "STRIPE={{fake:stripe-restricted-key}}\n",
    ),
    (
        "square-access-token",
        "square.env",
        "SQUARE={{fake:square-access-token}}\n",
    ),
    (
        "square-access-token",
        "square2.env",
        "SQUARE={{fake:square-sandbox-style-token}}\n",
    ),
    (
        "square-oauth-secret",
        "square3.env",
        "SQUARE_APP={{fake:square-oauth-secret}}\n",
    ),
    (
        "paypal-braintree-access-token",
        "braintree.env",
        "BT={{fake:paypal-braintree-access-token}}\n",
    ),
    (
        "twilio-api-key",
        "sms.env",
        "TWILIO_API_KEY={{fake:twilio-api-key}}\n",
    ),
    (
        "twilio-auth-token",
        "sms2.env",
        "TWILIO_AUTH_TOKEN={{fake:twilio-auth-token}}\n",
    ),
    (
        "sendgrid-api-key",
        "mail.py",
        "key = \"{{fake:sendgrid-api-key}}\"\n",
    ),
    (
        "npm-token",
        ".npmrc",
        "//registry.npmjs.org/:_authToken={{fake:npm-token}}\n",
    ),
    (
        "npmrc-auth",
        "web/.npmrc",
        "//npm.corp.internal/:_authToken={{fake:hex32}}\n",
    ),
    (
        "pypi-token",
        ".pypirc",
        "[pypi]\nusername = __token__\npassword = {{fake:pypi-token}}\n",
    ),
    (
        "hashicorp-vault-token",
        "vault.env",
        "VAULT={{fake:hashicorp-vault-token}}\n",
    ),
    (
        "terraform-cloud-token",
        ".terraformrc",
        "credentials \"app.terraform.io\" {\n  token = \"{{fake:terraform-cloud-token}}\"\n}\n",
    ),
    (
        "docker-hub-token",
        "login.sh",
        "echo {{fake:docker-hub-token}} | docker login -u acme --password-stdin\n",
    ),
    (
        "digitalocean-token",
        "do.env",
        "DO={{fake:digitalocean-token}}\n",
    ),
    (
        "openai-api-key",
        "llm.py",
        "client = OpenAI(api_key=\"{{fake:openai-api-key}}\")\n",
    ),
    (
        "anthropic-api-key",
        "llm.ts",
        "const client = new Anthropic({ apiKey: \"{{fake:anthropic-api-key}}\" });\n",
    ),
    (
        "private-key",
        "deploy/id_rsa",
        "-----BEGIN RSA PRIVATE KEY-----\n{{fake:pem-body}}\n-----END RSA PRIVATE KEY-----\n",
    ),
    (
        "private-key",
        "deploy/id_ed25519",
        "-----BEGIN OPENSSH PRIVATE KEY-----\n{{fake:openssh-body}}\n-----END OPENSSH PRIVATE KEY-----\n",
    ),
    (
        "jwt",
        "req.http",
        "GET /api\nAuthorization: Bearer {{fake:jwt}}\n",
    ),
    (
        "url-password",
        "docker-compose.yml",
        "services:\n  api:\n    environment:\n      DATABASE_URL: postgres://app:{{fake:password}}@db.prod.acme.io:5432/app\n",
    ),
    (
        "generic-secret",
        "config/app.yaml",
        "database:\n  password: {{fake:token32}}\n",
    ),
    (
        "generic-secret",
        "settings.py",
        "SECRET_KEY = '{{fake:token32/django}}'\n",
    ),
];

fn run(files: &[(String, String)]) -> (Report, String, String) {
    let tmp = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = tmp.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let ws = Workspace::scan(tmp.path(), &ScanOptions::default()).unwrap();
    let config = Config {
        select: vec!["secrets/committed".into()],
        ..Config::default()
    };
    let opts = RunOptions {
        target: ".".into(),
        today: Date {
            year: 2026,
            month: 11,
            day: 22,
        },
        golive_version: "test".into(),
    };
    let check = golive_checks::find("secrets/committed").expect("the check is registered");
    let report = engine::run(&ws, &config, &[check], &opts);
    let json = render_json(&report);
    let text = render_text(
        &report,
        &TextOptions {
            color: false,
            quiet: false,
            max_findings: 0,
        },
    );
    (report, json, text)
}

fn name_of(id: &str) -> &'static str {
    rules::BUILTIN
        .iter()
        .find(|r| r.id == id)
        .map(|r| r.name)
        .unwrap_or_else(|| panic!("no built-in rule `{id}`"))
}

/// The marker's kind and the text around it.
fn split(template: &str) -> (&str, &str, &str) {
    let start = template.find("{{fake:").unwrap();
    let end = start + template[start..].find("}}").unwrap();
    (
        &template[..start],
        &template[start + 7..end],
        &template[end + 2..],
    )
}

#[test]
fn every_rule_fires_on_its_format_and_is_redacted_everywhere() {
    let covered: BTreeSet<&str> = CASES.iter().map(|c| c.0).collect();
    for rule in rules::BUILTIN {
        assert!(
            covered.contains(rule.id),
            "rule `{}` has no format case",
            rule.id
        );
    }
    let files: Vec<(String, String)> = CASES
        .iter()
        .map(|(_, path, text)| (path.to_string(), support::expand(text)))
        .collect();
    let (report, json, text) = run(&files);
    let result = &report.checks[0];
    assert_eq!(result.status, Status::Fail);
    for (id, path, template) in CASES {
        let name = name_of(id);
        let hits: Vec<_> = result
            .findings
            .iter()
            .filter(|f| f.location.as_ref().is_some_and(|l| l.path == *path))
            .collect();
        assert_eq!(hits.len(), 1, "{id} in {path}: {hits:#?}");
        let f = hits[0];
        assert!(
            f.message.starts_with(&format!("{name}: ")) && f.message.contains("…fp:"),
            "{id} in {path}: {}",
            f.message
        );
        let snippet = f.snippet.as_ref().expect("findings have snippets");
        assert!(snippet.text.contains("…fp:"), "{id}: {}", snippet.text);
        let (_, kind, _) = split(template);
        let value = support::fake_value(kind);
        for part in value
            .split('\n')
            .flat_map(|l| l.split("\\n"))
            .map(str::trim)
            .filter(|l| l.len() >= 12 && !l.starts_with("-----"))
            .chain(std::iter::once(value.as_str()))
        {
            assert!(!json.contains(part), "{id}: JSON shows the secret");
            assert!(!text.contains(part), "{id}: text shows the secret");
        }
    }
    assert_eq!(result.findings.len(), CASES.len());
}

/// Placeholders in the shape of each format: the value with its random part masked (`xxxx`),
/// with `EXAMPLE` in it, or replaced by `<token>` or `${VAR}`.
fn placeholders(value: &str) -> Vec<String> {
    let keep = value.char_indices().nth(8).map_or(value.len(), |(i, _)| i);
    let masked: String = value[..keep]
        .chars()
        .chain(
            value[keep..]
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { 'x' } else { c }),
        )
        .collect();
    // `EXAMPLE` over seven characters in the middle of the value (of its secret part, for
    // webhook URLs whose secret is their path).
    let chars: Vec<char> = value.chars().collect();
    let mid = chars.len().saturating_sub(7) / 2 + chars.len() / 4;
    let mid = mid.min(chars.len().saturating_sub(7));
    let example: String = chars[..mid]
        .iter()
        .chain("EXAMPLE".chars().collect::<Vec<_>>().iter())
        .chain(chars[(mid + 7).min(chars.len())..].iter())
        .collect();
    vec![masked, example, "<token>".into(), "${SECRET_VALUE}".into()]
}

#[test]
fn placeholders_of_every_format_do_not_fire() {
    let mut files = Vec::new();
    for (n, (id, path, template)) in CASES.iter().enumerate() {
        let (before, kind, after) = split(template);
        let value = support::fake_value(kind);
        // A multi-line value (a key body) is masked line by line.
        for (i, p) in placeholders(&value).into_iter().enumerate() {
            let p = if value.contains('\n') && i == 0 {
                value
                    .lines()
                    .map(|l| {
                        l.chars()
                            .map(|c| if c.is_ascii_alphanumeric() { 'x' } else { c })
                            .collect::<String>()
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                p
            };
            // A key body with `EXAMPLE` in it is still judged a key: random base64 is not
            // searched for words (it would contain some by chance).
            if value.contains('\n') && i == 1 {
                continue;
            }
            let dir = format!("p{n}-{i}-{id}");
            files.push((format!("{dir}/{path}"), format!("{before}{p}{after}")));
        }
    }
    let (report, json, _) = run(&files);
    let result = &report.checks[0];
    let fired: Vec<String> = result
        .findings
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                f.location.as_ref().map_or("", |l| l.path.as_str()),
                f.message
            )
        })
        .collect();
    assert!(
        fired.is_empty(),
        "placeholders fired:\n{}",
        fired.join("\n")
    );
    assert_eq!(result.status, Status::Pass, "{json}");
}
