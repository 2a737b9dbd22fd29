use super::stack::{Backend, Judgement, Module, Stack, Tally};
use golive_core::workspace::Workspace;
use golive_core::{Context, Evidence, Finding, Location, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Every Terraform root module keeps its state in a remote backend, not in a local file.
    ///
    /// A root module is a directory with `.tf` files where `terraform apply` runs: not a child
    /// module (under `modules/`, or called by another directory with a local
    /// `module { source = "./…" }`), not an example or test fixture (`examples/`, `test/`), not a
    /// Terragrunt unit (its `terragrunt.hcl` generates the backend). A directory that declares a
    /// backend is a root module even when it is also called as a module. A root module passes
    /// with a `terraform { backend "<type>" {} }` block of any type but `local`, or a
    /// `terraform { cloud {} }` block (HCP Terraform). Without either, Terraform writes
    /// `terraform.tfstate` into the directory: a finding at line 1 of the module's `main.tf` (or
    /// its first `.tf` file); `backend "local"` is a finding at the block.
    ///
    /// A state bootstrap stack (the one that creates the state bucket the other stacks use) is
    /// reported too, with its own message: the chicken-and-egg problem only lasts until its
    /// first apply, after which its state can move into the bucket it created. Keeping it local
    /// on purpose is a decision to record with a waiver (reason, owner, expiry).
    ///
    /// ## Why it matters
    /// Local state lives on one laptop or one CI runner: it is lost with the machine, cannot be
    /// shared, cannot be locked against two concurrent applies, and cannot be recovered from a
    /// previous version after a crashed `apply` corrupts it. The recovery after a crashed apply
    /// (Terraform state article: back up the state object, fix the lock and digest, plan) is only
    /// possible because the state is in S3 with versioning; committed to git instead, the state
    /// also exposes every secret the stack manages. (Production Ready Checklist, Continuous
    /// Delivery: "Define your infrastructure as code".)
    ///
    /// ## How to fix
    /// Add a backend to the root module and migrate the state into it:
    /// ```hcl
    /// terraform {
    ///   backend "s3" {
    ///     bucket       = "acme-terraform-state"
    ///     key          = "payments/prod/terraform.tfstate"
    ///     region       = "eu-west-1"
    ///     encrypt      = true
    ///     use_lockfile = true
    ///   }
    /// }
    /// ```
    /// then run `terraform init -migrate-state`. For the bootstrap stack, apply once with local
    /// state, then add the backend for the bucket it created and migrate.
    pub struct RemoteState {
        id: "terraform/remote-state",
        title: "Terraform state is stored remotely",
        category: Terraform,
        level: Bronze,
        severity: Error,
        facets: [Terraform],
        seeds: [
            "000: Terraform Apply Crashed in CI? Recover your S3 state (state in S3, lock in DynamoDB)",
            "004: Production Ready Checklist, Continuous Delivery: Define your infrastructure as code",
        ],
        fix: "add a `backend` block (e.g. `backend \"s3\"`) to the root module's `terraform {}` block and run `terraform init -migrate-state`",
    }
}

impl golive_core::Check for RemoteState {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let stack = Stack::read(cx.ws);
        let state_buckets = stack.state_buckets();
        let mut tally = Tally::default();
        for module in stack.roots() {
            if !module.is_readable() {
                tally.evidence.push(module.unreadable_note());
                continue;
            }
            let name = module.label();
            let bootstrap = state_buckets
                .iter()
                .find(|b| module.defines_bucket(b).is_some());
            // `what` is wrong with the module, and where its state `is` as a result.
            let local = |location: Location, what: &str, is: &str| {
                Judgement::Bad(match bootstrap {
                    Some(bucket) => Finding::at(
                        location,
                        format!(
                            "`{name}` creates the state bucket `{bucket}` but {what}: its own state is {is}"
                        ),
                    )
                    .with_help(format!(
                        "after its first apply, add `backend \"s3\"` for `{bucket}` to `{name}` and run `terraform init -migrate-state`; if its state must stay local, record why in a waiver"
                    )),
                    None => Finding::at(location, format!("`{name}` {what}: its state is {is}")),
                })
            };
            let judgement = match module.backend() {
                Backend::Implicit => local(
                    module.location(),
                    "has no backend",
                    committed_state(cx.ws, module),
                ),
                Backend::Declared { kind, .. } if kind.is_empty() => Judgement::Unknown {
                    subject: format!("`{name}`"),
                    why: "its backend block has no type (Terraform rejects it)".into(),
                },
                Backend::Declared {
                    kind, file, block, ..
                } if kind == "local" => local(
                    block.pos().location(&file.path),
                    "uses the `local` backend",
                    "a file on whichever machine runs terraform",
                ),
                Backend::Declared {
                    kind, file, block, ..
                } => Judgement::Good(Evidence::at(
                    &file.path,
                    block.pos().line,
                    format!("`{name}`: state in the `{kind}` backend"),
                )),
                Backend::Cloud { file, block } => Judgement::Good(Evidence::at(
                    &file.path,
                    block.pos().line,
                    format!("`{name}`: state in HCP Terraform (`cloud` block)"),
                )),
            };
            tally.add(judgement);
        }
        tally.evidence.extend(stack.non_root_notes());
        let any_root = stack.roots().next().is_some();
        tally.outcome(|| match any_root {
            true => "no Terraform root module could be read (see parse/invalid-hcl)".into(),
            false => "no Terraform root module: every directory with .tf files is a child module, an example or a Terragrunt unit".into(),
        })
    }
}

/// Where a module without a backend keeps its state: a local file, or one committed to the
/// repository when its terraform.tfstate is among the scanned files.
fn committed_state(ws: &Workspace, module: &Module<'_>) -> &'static str {
    let path = match module.dir.as_str() {
        "" => "terraform.tfstate".to_string(),
        dir => format!("{dir}/terraform.tfstate"),
    };
    match ws.file(&path) {
        Some(_) => {
            "terraform.tfstate, committed to the repository with every secret the stack manages"
        }
        None => "a local terraform.tfstate file",
    }
}
