use super::stack::{Backend, Judgement, Missing, Stack, Tally, Variant};
use golive_core::parse::hcl::Block;
use golive_core::workspace::SourceFile;
use golive_core::{Context, Evidence, Finding, Outcome, Severity, declare_check};

declare_check! {
    /// ## What it checks
    /// Every Terraform root module's backend locks the state, so two runs cannot write it at
    /// once.
    ///
    /// - S3 backend: `use_lockfile = true` (S3-native locking, Terraform >= 1.10) passes, also
    ///   together with `dynamodb_table` (the migration setup: both locks are taken).
    ///   `dynamodb_table` alone locks, but Terraform has deprecated it (and will remove it): it is a
    ///   **warning** finding ("dynamodb_table is deprecated: use use_lockfile = true"), and
    ///   because it is a finding the check fails, so the migration shows in the level report;
    ///   waive it with an expiry while migrating. Neither setting, or `use_lockfile = false`
    ///   alone, is an error finding at the backend block (or at the attribute).
    /// - `gcs`, `azurerm`, `remote`, `cloud {}`, `pg`, `kubernetes` and `cos` lock natively:
    ///   they pass with a note. `consul` passes unless `lock = false`; `http` needs a
    ///   `lock_address`, `oss` a `tablestore_table`.
    /// - Local state (no backend, or `backend "local"`) is `terraform/remote-state`'s finding;
    ///   such modules are not judged here. Other backends are noted as unknown.
    ///
    /// Partial configuration is read: files passed with `terraform init -backend-config=FILE`
    /// (`*.tfbackend`, `backend*.hcl`, `backend*.conf`, `backend*.tfvars`) in the module's
    /// directory or in folders below it are merged over the backend block, and each is judged on
    /// its own (one per environment). When the backend's required settings (the S3 `bucket` and
    /// `key`) are not all in the repository, the rest is given on the command line, where the
    /// locking setting may be too: that module is noted, not reported. When nothing can be
    /// judged, the check is not applicable.
    ///
    /// ## Why it matters
    /// Without a lock, two applies (two CI jobs, or a person and a pipeline) read the same state
    /// and each writes its own version: resources are orphaned or destroyed. A crashed apply
    /// shows the other side: the lock and the digest it leaves behind are what the recovery has
    /// to repair, and S3-native locking (Terraform 1.10+) removes the separate DynamoDB digest
    /// that goes stale (Terraform state article: "the digest/lock split issue goes away
    /// entirely").
    ///
    /// ## How to fix
    /// ```hcl
    /// terraform {
    ///   backend "s3" {
    ///     bucket       = "acme-terraform-state"
    ///     key          = "payments/prod/terraform.tfstate"
    ///     region       = "eu-west-1"
    ///     use_lockfile = true # S3-native lock; drop dynamodb_table once everyone runs >= 1.10
    ///   }
    /// }
    /// ```
    pub struct StateLocking {
        id: "terraform/state-locking",
        title: "Terraform state is locked",
        category: Terraform,
        level: Bronze,
        severity: Error,
        facets: [Terraform],
        seeds: [
            "000: Terraform Apply Crashed in CI? The stale lock, and S3-native locking in Terraform 1.10+",
        ],
        fix: "set `use_lockfile = true` in the S3 backend (Terraform >= 1.10)",
    }
}

/// Backends whose state locking cannot be turned off.
const LOCK_NATIVELY: &[&str] = &["gcs", "azurerm", "remote", "pg", "kubernetes", "cos"];

impl golive_core::Check for StateLocking {
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
            match module.backend() {
                Backend::Implicit => local += 1,
                Backend::Declared { kind, .. } if kind == "local" => local += 1,
                Backend::Cloud { file, block } => tally.add(Judgement::Good(Evidence::at(
                    &file.path,
                    block.pos().line,
                    format!("`{name}`: HCP Terraform locks state natively"),
                ))),
                Backend::Declared {
                    kind,
                    file,
                    block,
                    variants,
                } => {
                    for variant in &variants {
                        let at = Place {
                            name: &name,
                            kind: &kind,
                            file,
                            block,
                            variant,
                        };
                        tally.add(judge(&at));
                    }
                }
            }
        }
        tally.outcome(|| match local {
            0 => "no Terraform root module with a backend (see parse/invalid-hcl if some could not be read)".into(),
            n => format!("the {n} root module(s) keep local state, which cannot be locked: see terraform/remote-state"),
        })
    }
}

/// One backend variant of one root module.
struct Place<'p, 'a> {
    name: &'p str,
    kind: &'p str,
    file: &'a SourceFile,
    block: Block<'a>,
    variant: &'p Variant,
}

impl Place<'_, '_> {
    /// "`infra/envs/prod`", with the partial configuration file when there is one.
    fn subject(&self) -> String {
        format!("`{}`{}", self.name, self.variant.with_file())
    }

    fn good(&self, message: String) -> Judgement {
        Judgement::Good(Evidence::at(
            &self.file.path,
            self.block.pos().line,
            format!("`{}`{}: {message}", self.name, self.variant.with_file()),
        ))
    }

    fn at_block(&self, message: String) -> Judgement {
        Judgement::Bad(Finding::at(
            self.block.pos().location(&self.file.path),
            format!("`{}`{}: {message}", self.name, self.variant.with_file()),
        ))
    }

    /// A setting golive looked for is not there: a finding when the backend is fully configured
    /// in the repository, otherwise unknown (it may be given with -backend-config).
    fn missing(&self, message: String, what: &str) -> Judgement {
        match self.variant.missing(self.kind) {
            Missing::Absent => self.at_block(message),
            Missing::MaybeOnCommandLine => Judgement::Unknown {
                subject: self.subject(),
                why: format!(
                    "the `{}` backend gets its settings from -backend-config at init (not in the repository), so {what} cannot be checked",
                    self.kind
                ),
            },
        }
    }
}

fn judge(at: &Place<'_, '_>) -> Judgement {
    let v = at.variant;
    match at.kind {
        "s3" => {
            let lockfile = v.get("use_lockfile");
            let table = v.get("dynamodb_table");
            let lockfile_value = match lockfile {
                Some(setting) => match setting.value.to_bool() {
                    Some(b) => Some(b),
                    None => {
                        return Judgement::Unknown {
                            subject: at.subject(),
                            why: "`use_lockfile` is not a literal (Terraform does not allow variables in a backend block)".into(),
                        };
                    }
                },
                None => None,
            };
            match (lockfile_value, table) {
                (Some(true), Some(_)) => at.good(
                    "S3 backend locks with `use_lockfile = true` and `dynamodb_table` (remove dynamodb_table once everyone runs Terraform >= 1.10)".into(),
                ),
                (Some(true), None) => {
                    at.good("S3 backend locks with `use_lockfile = true` (S3-native lock)".into())
                }
                (_, Some(table)) => Judgement::Bad(
                    Finding::at(
                        table.location.clone(),
                        format!(
                            "`{}`{}: dynamodb_table is deprecated: use use_lockfile = true (S3-native locking, Terraform >= 1.10)",
                            at.name,
                            v.with_file()
                        ),
                    )
                    .with_severity(Severity::Warning)
                    .with_help(
                        "add `use_lockfile = true`, keep `dynamodb_table` until everyone runs Terraform >= 1.10, then remove it",
                    ),
                ),
                (Some(false), None) => match lockfile {
                    Some(setting) => Judgement::Bad(Finding::at(
                        setting.location.clone(),
                        format!(
                            "`{}`{}: `use_lockfile = false` and no dynamodb_table: the state is not locked, two applies can write it at once",
                            at.name,
                            v.with_file()
                        ),
                    )),
                    None => at.at_block("the S3 backend does not lock the state".into()),
                },
                (None, None) => at.missing(
                    "the S3 backend does not lock the state (no `use_lockfile`, no `dynamodb_table`): two applies can write it at once".into(),
                    "its locking",
                ),
            }
        }
        "consul" => match v
            .get("lock")
            .and_then(|s| s.value.to_bool().map(|b| (b, s)))
        {
            Some((false, setting)) => Judgement::Bad(Finding::at(
                setting.location.clone(),
                format!(
                    "`{}`{}: `lock = false` turns off the consul backend's state locking",
                    at.name,
                    v.with_file()
                ),
            )),
            _ => at.good("the `consul` backend locks state natively".into()),
        },
        "http" => match v.get("lock_address") {
            Some(_) => at.good("the `http` backend locks through `lock_address`".into()),
            None => at.missing(
                "the `http` backend has no `lock_address`: the state is not locked".into(),
                "its locking",
            ),
        },
        "oss" => match v.get("tablestore_table") {
            Some(_) => at.good("the `oss` backend locks with `tablestore_table`".into()),
            None => at.missing(
                "the `oss` backend has no `tablestore_table`: the state is not locked".into(),
                "its locking",
            ),
        },
        kind if LOCK_NATIVELY.contains(&kind) => {
            at.good(format!("the `{kind}` backend locks state natively"))
        }
        "" => Judgement::Unknown {
            subject: at.subject(),
            why: "its backend block has no type (Terraform rejects it)".into(),
        },
        kind => Judgement::Unknown {
            subject: at.subject(),
            why: format!("golive does not know whether the `{kind}` backend locks state"),
        },
    }
}
