use golive_core::parse::hcl::{Attribute, Block, Value};
use golive_core::workspace::{FileKind, SourceFile};
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// No credential is written as a literal in the repository's Terraform (`.tf` and `.tfvars`
    /// files).
    ///
    /// A literal string (not a `var.`, `data.` or function reference) is a finding when it is
    /// the value of a credential-named setting: provider and backend `access_key`, `secret_key`,
    /// `token`; `password`, `master_password`, `admin_password`, ElastiCache `auth_token`,
    /// `client_secret`, `api_key`, any name ending in `_password`, `_secret`, `_secret_key`,
    /// `_access_key`, `_api_key`, `_private_key` (also inside objects, such as a Lambda's
    /// `environment.variables`, and in module inputs); the default of a `variable` with such a
    /// name; an entry of a `.tfvars` file with such a name; and any string that is an AWS access
    /// key id (`AKIA…`/`ASIA…`). Empty strings, ARNs, file paths and `<placeholder>` values are
    /// not credentials. Values are never shown: findings name the setting and redact it.
    ///
    /// ## Why it matters
    /// A credential in a `.tf` or `.tfvars` file is in every clone, fork and CI log of the
    /// repository, and stays in its history after it is removed (Production Ready Checklist,
    /// Security: "No secrets exposed in repository"; go-live checklist 003: "None of the
    /// passwords or keys should be stored anywhere" but in a secret management service).
    /// Provider keys in code are also long-lived keys: nobody rotates what is committed.
    ///
    /// ## How to fix
    /// ```hcl
    /// # Let the provider use the environment (OIDC in CI, SSO locally), and let AWS manage the
    /// # database password in Secrets Manager.
    /// provider "aws" {
    ///   region = "eu-west-1"
    /// }
    ///
    /// resource "aws_db_instance" "main" {
    ///   manage_master_user_password = true
    /// }
    /// ```
    /// Rotate any credential that was committed: removing it from the file does not remove it
    /// from the history.
    pub struct NoHardcodedCredentials {
        id: "terraform/no-hardcoded-credentials",
        title: "No credentials hardcoded in Terraform",
        category: Terraform,
        level: Bronze,
        severity: Error,
        facets: [Terraform],
        seeds: [
            "004: Production Ready Checklist, Security: No secrets exposed in repository",
            "003: Go-live checklist, Secrets: none of the passwords or keys should be stored anywhere",
        ],
        fix: "read the credential from a secret manager or the environment (a `sensitive` variable without default, `manage_master_user_password`, provider credentials from OIDC/SSO) and rotate the committed one",
    }
}

const REDACTED: &str = "<redacted>";

/// Setting names that hold a credential, whole.
const SECRET_NAMES: &[&str] = &[
    "access_key",
    "secret_key",
    "secret_access_key",
    "token",
    "password",
    "passwd",
    "master_password",
    "admin_password",
    "auth_token",
    "api_token",
    "access_token",
    "refresh_token",
    "client_secret",
    "api_key",
    "private_key",
    "secret_string",
];

/// Name endings that hold a credential.
const SECRET_SUFFIXES: &[&str] = &[
    "_password",
    "_passwd",
    "_secret",
    "_secret_key",
    "_access_key",
    "_api_key",
    "_api_token",
    "_auth_token",
    "_access_token",
    "_private_key",
];

/// Whether a setting, variable or object key names a credential (`DB_PASSWORD` too).
pub(crate) fn is_secret_name(name: &str) -> bool {
    let name = name.trim().to_ascii_lowercase().replace('-', "_");
    SECRET_NAMES.contains(&name.as_str()) || SECRET_SUFFIXES.iter().any(|s| name.ends_with(s))
}

/// Whether a literal could be a credential (not empty, an ARN, a path or a placeholder).
fn could_be_secret(value: &str) -> bool {
    let v = value.trim();
    !(v.is_empty()
        || v.starts_with("arn:")
        || v.starts_with('/')
        || v.starts_with("~/")
        || v.starts_with("./")
        || (v.starts_with('<') && v.ends_with('>')))
}

/// `AKIA…`/`ASIA…` followed by 16 upper-case base32 characters.
pub(crate) fn is_aws_access_key_id(value: &str) -> bool {
    let v = value.trim();
    (v.starts_with("AKIA") || v.starts_with("ASIA"))
        && v.len() == 20
        && v.chars()
            .skip(4)
            .all(|c| c.is_ascii_uppercase() || ('2'..='7').contains(&c))
}

impl golive_core::Check for NoHardcodedCredentials {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut scanned = 0usize;
        let files = cx
            .ws
            .files_of(FileKind::Terraform)
            .chain(cx.ws.files_of(FileKind::TfVars));
        for file in files {
            let Some(Ok(hcl)) = file.hcl() else {
                evidence.push(Evidence::note(format!(
                    "`{}`: not checked, golive could not read it (see parse/invalid-hcl)",
                    file.path
                )));
                continue;
            };
            scanned += 1;
            let tfvars = file.kind == FileKind::TfVars;
            for attribute in hcl.attributes() {
                let what = if tfvars { "tfvars entry" } else { "attribute" };
                inspect(
                    file,
                    &attribute,
                    &format!("{what} `{}`", attribute.key()),
                    &mut findings,
                );
            }
            for block in hcl.blocks() {
                if block.ident() == "variable" {
                    let name = block.label(0).unwrap_or("");
                    if let Some(default) = block.attribute("default") {
                        let value = default.value();
                        if let Some(s) = value.as_str()
                            && is_secret_name(name)
                            && could_be_secret(s)
                        {
                            findings.push(found(
                                file,
                                &default,
                                format!("variable `{name}` has a literal default"),
                                s,
                            ));
                        } else {
                            inspect_value(
                                file,
                                &default,
                                &format!("variable `{name}`"),
                                "default",
                                &value,
                                &mut findings,
                            );
                        }
                    }
                    continue;
                }
                walk(file, &block, &describe(&block), &mut findings);
            }
        }
        if scanned == 0 {
            return Outcome::not_applicable(
                "no Terraform file could be read (see parse/invalid-hcl)",
            );
        }
        if findings.is_empty() {
            evidence.push(Evidence::note(format!(
                "{scanned} Terraform file(s) read: no credential-named setting has a literal value"
            )));
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// `provider "aws"`, `resource "aws_db_instance" "main"`, `module "db"`.
fn describe(block: &Block<'_>) -> String {
    let labels: Vec<String> = block.labels().iter().map(|l| format!("\"{l}\"")).collect();
    if labels.is_empty() {
        format!("`{}`", block.ident())
    } else {
        format!("`{} {}`", block.ident(), labels.join(" "))
    }
}

fn walk(file: &SourceFile, block: &Block<'_>, owner: &str, findings: &mut Vec<Finding>) {
    for attribute in block.attributes() {
        inspect(
            file,
            &attribute,
            &format!("{owner}: `{}`", attribute.key()),
            findings,
        );
    }
    for nested in block.all_blocks() {
        walk(file, &nested, owner, findings);
    }
}

/// One attribute: a credential-named literal, or credentials inside its value.
fn inspect(file: &SourceFile, attribute: &Attribute<'_>, what: &str, findings: &mut Vec<Finding>) {
    let value = attribute.value();
    if let Some(s) = value.as_str()
        && is_secret_name(attribute.key())
        && could_be_secret(s)
    {
        findings.push(found(
            file,
            attribute,
            format!("{what} is a literal credential"),
            s,
        ));
        return;
    }
    inspect_value(file, attribute, what, attribute.key(), &value, findings);
}

/// Credential-named entries of objects and access key ids anywhere in a value.
fn inspect_value(
    file: &SourceFile,
    attribute: &Attribute<'_>,
    what: &str,
    key: &str,
    value: &Value,
    findings: &mut Vec<Finding>,
) {
    match value {
        Value::String(s) if is_aws_access_key_id(s) => findings.push(found(
            file,
            attribute,
            format!("{what}: `{key}` is a literal AWS access key id"),
            s,
        )),
        Value::Object(entries) => {
            for (k, v) in entries {
                match v.as_str() {
                    Some(s) if is_secret_name(k) && could_be_secret(s) => {
                        let at = entry_location(file, attribute, k, value);
                        findings.push(
                            Finding::at(
                                at,
                                format!("{what}: `{k}` is a literal credential ({REDACTED})"),
                            )
                            .redacting(s, REDACTED),
                        );
                    }
                    Some(s) if is_aws_access_key_id(s) => {
                        let at = entry_location(file, attribute, k, value);
                        findings.push(
                            Finding::at(
                                at,
                                format!(
                                    "{what}: `{k}` is a literal AWS access key id ({REDACTED})"
                                ),
                            )
                            .redacting(s, REDACTED),
                        );
                    }
                    _ => inspect_value(file, attribute, what, k, v, findings),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                inspect_value(file, attribute, what, key, item, findings);
            }
        }
        _ => {}
    }
}

/// The `key = value` entry when `object` is the attribute's own value, else the attribute.
fn entry_location(
    file: &SourceFile,
    attribute: &Attribute<'_>,
    key: &str,
    object: &Value,
) -> golive_core::Location {
    let own = attribute.value();
    let pos = (own == *object)
        .then(|| attribute.entry_pos(key))
        .flatten()
        .unwrap_or_else(|| attribute.pos());
    pos.location(&file.path)
}

fn found(file: &SourceFile, attribute: &Attribute<'_>, message: String, secret: &str) -> Finding {
    Finding::at(
        attribute.pos().location(&file.path),
        format!("{message} ({REDACTED})"),
    )
    .redacting(secret, REDACTED)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for yes in [
            "password",
            "master_password",
            "DB_PASSWORD",
            "secret_key",
            "AWS_SECRET_ACCESS_KEY",
            "auth_token",
            "github-api-key",
            "token",
        ] {
            assert!(is_secret_name(yes), "{yes}");
        }
        for no in [
            "creation_token",
            "password_length",
            "secret_name",
            "kms_key_id",
            "username",
            "password_secret_arn",
        ] {
            assert!(!is_secret_name(no), "{no}");
        }
    }

    #[test]
    fn access_key_ids_and_non_secrets() {
        assert!(is_aws_access_key_id("AKIAABCDEFGHIJKLMNOP"));
        assert!(!is_aws_access_key_id("AKIAabcdefghijklmnop"));
        assert!(!is_aws_access_key_id("AKIA123"));
        assert!(!could_be_secret(""));
        assert!(!could_be_secret(
            "arn:aws:secretsmanager:eu-west-1:1:secret:x"
        ));
        assert!(!could_be_secret("<your password>"));
        assert!(could_be_secret("changeme"));
    }
}
