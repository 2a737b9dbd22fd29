use super::stack::{Backend, Judgement, Missing, Stack, Tally, Variant};
use golive_core::{Context, Evidence, Finding, Location, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Every Terraform root module's state is encrypted at rest: the S3 backend sets
    /// `encrypt = true`.
    ///
    /// - S3 (and the `oss` and `cos` backends, which have the same setting): `encrypt = true`
    ///   passes (with `kms_key_id` the state is encrypted with that KMS key). `encrypt = false` is
    ///   a finding at the attribute; no `encrypt` is a finding at the backend block. A
    ///   `kms_key_id` or `sse_customer_key` without `encrypt = true` is a finding at the key:
    ///   Terraform only sends the key when `encrypt` is true, so it is silently unused.
    /// - `gcs`, `azurerm`, `remote` and `cloud {}` store state in services that always encrypt
    ///   at rest: they pass with a note. For other backends (`pg`, `consul`, `kubernetes`,
    ///   `http`, ...) it depends on the server: noted as unknown.
    /// - OpenTofu's client-side state encryption (`terraform { encryption { ... } }`) passes
    ///   whatever the backend.
    /// - Local state is `terraform/remote-state`'s finding; such modules are not judged here.
    ///
    /// Partial configuration files (`*.tfbackend`, `backend*.hcl`, ...) next to the module are
    /// merged as in `terraform/state-locking`; when the backend's required settings are not all
    /// in the repository, `encrypt` may be given on the command line and the module is noted,
    /// not reported.
    ///
    /// ## Why it matters
    /// Terraform state holds every attribute of every resource in plain text: database
    /// passwords, private keys, access tokens. Whoever can read the state object can read them
    /// (Production Ready Checklist, Security: "Data is encrypted at REST"). S3 encrypts new
    /// objects with S3-managed keys by default since 2023, but `encrypt = true` is what makes
    /// Terraform ask for encryption on every write: it is required by bucket policies that deny
    /// unencrypted uploads, and it is the only way a `kms_key_id` is used, which puts reading the
    /// state behind a key policy and an audit trail.
    ///
    /// ## How to fix
    /// ```hcl
    /// terraform {
    ///   backend "s3" {
    ///     bucket       = "acme-terraform-state"
    ///     key          = "payments/prod/terraform.tfstate"
    ///     region       = "eu-west-1"
    ///     encrypt      = true
    ///     kms_key_id   = "arn:aws:kms:eu-west-1:111122223333:alias/terraform-state" # optional
    ///     use_lockfile = true
    ///   }
    /// }
    /// ```
    pub struct StateEncryption {
        id: "terraform/state-encryption",
        title: "Terraform state is encrypted at rest",
        category: Terraform,
        level: Silver,
        severity: Error,
        facets: [Terraform],
        seeds: [
            "004: Production Ready Checklist, Security: Data is encrypted at REST",
            "000: Terraform Apply Crashed in CI? The S3 backend stores the state object in S3",
        ],
        fix: "set `encrypt = true` in the S3 backend (optionally with `kms_key_id`)",
    }
}

/// Backends whose storage always encrypts at rest.
const ENCRYPTED_AT_REST: &[(&str, &str)] = &[
    ("gcs", "Google Cloud Storage encrypts objects at rest"),
    ("azurerm", "Azure Storage encrypts blobs at rest"),
    ("remote", "HCP Terraform encrypts state at rest"),
];

/// Backends with an S3-like `encrypt` setting.
const ENCRYPT_SETTING: &[&str] = &["s3", "oss", "cos"];

impl golive_core::Check for StateEncryption {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let stack = Stack::read(cx.ws);
        let mut tally = Tally::default();
        let mut local = 0usize;
        for module in stack.roots() {
            if !module.is_readable() {
                tally.evidence.push(module.unreadable_note());
                continue;
            }
            let name = module.label();
            let client_side = module
                .terraform_blocks()
                .into_iter()
                .find_map(|(file, t)| t.block("encryption").map(|b| (file, b)));
            let backend = module.backend();
            if matches!(backend, Backend::Implicit)
                || matches!(&backend, Backend::Declared { kind, .. } if kind == "local")
            {
                local += 1;
                continue;
            }
            if let Some((file, block)) = client_side {
                tally.add(Judgement::Good(Evidence::at(
                    &file.path,
                    block.pos().line,
                    format!("`{name}`: state encrypted client-side (OpenTofu `encryption` block)"),
                )));
                continue;
            }
            match backend {
                Backend::Implicit => {}
                Backend::Cloud { file, block } => tally.add(Judgement::Good(Evidence::at(
                    &file.path,
                    block.pos().line,
                    format!("`{name}`: HCP Terraform encrypts state at rest"),
                ))),
                Backend::Declared {
                    kind,
                    file,
                    block,
                    variants,
                } => {
                    let block_at = block.pos().location(&file.path);
                    for variant in &variants {
                        tally.add(judge(&name, &kind, &block_at, variant));
                    }
                }
            }
        }
        tally.outcome(|| match local {
            0 => "no Terraform root module with a backend (see parse/invalid-hcl if some could not be read)".into(),
            n => format!("the {n} root module(s) keep local state: see terraform/remote-state"),
        })
    }
}

fn judge(name: &str, kind: &str, block_at: &Location, v: &Variant) -> Judgement {
    let label = format!("`{name}`{}", v.with_file());
    let good = |message: String| {
        Judgement::Good(Evidence::at(
            &block_at.path,
            block_at.line,
            format!("{label}: {message}"),
        ))
    };
    if let Some((_, note)) = ENCRYPTED_AT_REST.iter().find(|(k, _)| *k == kind) {
        return good(note.to_string());
    }
    if kind.is_empty() {
        return Judgement::Unknown {
            subject: label,
            why: "its backend block has no type (Terraform rejects it)".into(),
        };
    }
    if !ENCRYPT_SETTING.contains(&kind) {
        return Judgement::Unknown {
            subject: label,
            why: format!(
                "whether the `{kind}` backend encrypts state at rest depends on its server"
            ),
        };
    }
    let key = v.get("kms_key_id").or_else(|| v.get("sse_customer_key"));
    let encrypt = match v.get("encrypt") {
        Some(setting) => match setting.value.to_bool() {
            Some(b) => Some((b, setting)),
            None => {
                return Judgement::Unknown {
                    subject: label,
                    why: "`encrypt` is not a literal (Terraform does not allow variables in a backend block)".into(),
                };
            }
        },
        None => None,
    };
    match (encrypt, key) {
        (Some((true, _)), Some(_)) => good(format!(
            "the `{kind}` backend encrypts the state with its KMS key (`encrypt = true`, `kms_key_id`)"
        )),
        (Some((true, _)), None) => good(format!(
            "the `{kind}` backend encrypts the state server-side (`encrypt = true`)"
        )),
        (Some((false, setting)), _) => Judgement::Bad(Finding::at(
            setting.location.clone(),
            format!(
                "{label}: `encrypt = false`: the state, which holds secrets in plain text, is written without server-side encryption"
            ),
        )),
        (None, Some(key_setting)) => Judgement::Bad(Finding::at(
            key_setting.location.clone(),
            format!(
                "{label}: the encryption key is set but `encrypt` is not: Terraform only uses the key with `encrypt = true`"
            ),
        )),
        (None, None) => match v.missing(kind) {
            Missing::Absent => Judgement::Bad(Finding::at(
                block_at.clone(),
                format!(
                    "{label}: the `{kind}` backend does not set `encrypt = true`: the state, which holds secrets in plain text, is not explicitly encrypted"
                ),
            )),
            Missing::MaybeOnCommandLine => Judgement::Unknown {
                subject: label,
                why: format!(
                    "the `{kind}` backend gets its settings from -backend-config at init (not in the repository), so its encryption cannot be checked"
                ),
            },
        },
    }
}
