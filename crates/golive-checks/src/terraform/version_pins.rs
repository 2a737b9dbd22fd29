use super::stack::{Module, Stack, Tally};
use golive_core::workspace::Workspace;
use golive_core::{Context, Evidence, Finding, Location, Outcome, declare_check};
use std::collections::BTreeSet;

declare_check! {
    /// ## What it checks
    /// Every Terraform root module constrains the Terraform version and every provider's version,
    /// and commits its `.terraform.lock.hcl`.
    ///
    /// For each root module (see `terraform/remote-state` for what a root module is), one finding
    /// per missing thing:
    /// - no `required_version` in any `terraform {}` block: at the `terraform {}` block that holds
    ///   `required_providers` (or the first one, or line 1 of the module's `main.tf` when there is
    ///   none);
    /// - a `required_providers` entry without a `version`: at the entry;
    /// - a provider the module uses but does not declare in `required_providers`: at the
    ///   `required_providers` block (or the `terraform {}` block, or the first use). A provider
    ///   is used by a `provider "x"` block or by a `resource`, `data` or `ephemeral` block (its
    ///   `provider = x.alias` argument, or the prefix of its type: `aws_s3_bucket` uses `aws`).
    ///   Terraform's built-in `terraform` provider needs no version;
    /// - no `.terraform.lock.hcl` in the module's directory, when it uses any provider: at line 1
    ///   of its `main.tf` (or first `.tf` file).
    ///
    /// Any constraint counts (`>= 1.6` as much as `~> 1.9.0`); child modules are not checked
    /// (they should state minimum versions only, and the root's lock file decides).
    ///
    /// ## Why it matters
    /// Without constraints, `terraform init` installs the newest Terraform-compatible provider
    /// the day it runs: a new major version of the AWS provider can change or replace resources
    /// in a plan nobody changed, and a newer Terraform upgrades the state so that older binaries
    /// can no longer read it. The lock file records the exact provider versions and checksums the
    /// last reviewed plan used, so CI applies with what was reviewed
    /// (`terraform init -lockfile=readonly`). (Production Ready Checklist: "Use dependency
    /// management", "Set up immutable infrastructure".)
    ///
    /// ## How to fix
    /// ```hcl
    /// terraform {
    ///   required_version = "~> 1.10"
    ///   required_providers {
    ///     aws = {
    ///       source  = "hashicorp/aws"
    ///       version = "~> 5.80"
    ///     }
    ///   }
    /// }
    /// ```
    /// then run `terraform init` (or `terraform providers lock -platform=linux_amd64
    /// -platform=darwin_arm64`) and commit `.terraform.lock.hcl`.
    pub struct VersionPins {
        id: "terraform/version-pins",
        title: "Terraform and provider versions are pinned",
        category: Terraform,
        level: Silver,
        severity: Warning,
        facets: [Terraform],
        seeds: [
            "004: Production Ready Checklist, Continuous Integration: Use dependency management",
            "004: Production Ready Checklist, Continuous Delivery: Set up immutable infrastructure",
        ],
        fix: "set `required_version` and a `version` for every provider in `required_providers`, and commit `.terraform.lock.hcl`",
    }
}

impl golive_core::Check for VersionPins {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let stack = Stack::read(cx.ws);
        let mut tally = Tally::default();
        for module in stack.roots() {
            if !module.is_readable() {
                tally.evidence.push(module.unreadable_note());
                continue;
            }
            tally.judged += 1;
            check_module(cx.ws, module, &mut tally);
        }
        tally.evidence.extend(stack.non_root_notes());
        let any_root = stack.roots().next().is_some();
        tally.outcome(|| match any_root {
            true => "no Terraform root module could be read (see parse/invalid-hcl)".into(),
            false => "no Terraform root module: every directory with .tf files is a child module, an example or a Terragrunt unit".into(),
        })
    }
}

fn check_module(ws: &Workspace, module: &Module<'_>, tally: &mut Tally) {
    let name = module.label();
    let terraform_blocks = module.terraform_blocks();
    // Versions are declared where the providers are: prefer that terraform block.
    let first_terraform = terraform_blocks
        .iter()
        .find(|(_, t)| t.block("required_providers").is_some())
        .or(terraform_blocks.first())
        .map(|(file, block)| block.pos().location(&file.path));

    // required_version
    let required_version = terraform_blocks
        .iter()
        .find_map(|(file, t)| t.attribute("required_version").map(|a| (file, a)));
    match required_version {
        Some((file, attr)) if attr.value().as_str() != Some("") => {
            let shown = attr
                .value()
                .as_str()
                .map(str::to_string)
                .unwrap_or_else(|| attr.expr_source());
            tally.evidence.push(Evidence::at(
                &file.path,
                attr.pos().line,
                format!("`{name}`: required_version `{shown}`"),
            ));
        }
        _ => tally.findings.push(Finding::at(
            first_terraform.clone().unwrap_or_else(|| module.location()),
            format!(
                "`{name}` does not constrain the Terraform version (no `required_version`): any version can apply it, and a newer one upgrades the state beyond what older binaries can read"
            ),
        )),
    }

    // required_providers entries
    let required = module.required_providers();
    let declared: BTreeSet<&str> = required.iter().map(|(_, p)| p.name.as_str()).collect();
    for (file, provider) in &required {
        match provider.version.as_deref().map(str::trim) {
            Some(version) if !version.is_empty() => {
                let line = provider.version_pos.unwrap_or(provider.pos).line;
                tally.evidence.push(Evidence::at(
                    &file.path,
                    line,
                    format!("`{name}`: provider `{}` version `{version}`", provider.name),
                ));
            }
            _ => tally.findings.push(Finding::at(
                provider.pos.location(&file.path),
                format!(
                    "`{name}`: provider `{}` has no version constraint in required_providers: `terraform init` installs its newest version",
                    provider.name
                ),
            )),
        }
    }

    // providers used but not declared
    let used = module.providers_used();
    let declare_at: Option<Location> = module
        .required_providers_block()
        .map(|(file, block)| block.pos().location(&file.path))
        .or(first_terraform);
    for provider in used.iter().filter(|p| !declared.contains(p.name.as_str())) {
        tally.findings.push(Finding::at(
            declare_at
                .clone()
                .unwrap_or_else(|| provider.location.clone()),
            format!(
                "`{name}`: provider `{}` is used ({}) but not in required_providers: `terraform init` installs its newest version",
                provider.name, provider.what
            ),
        ));
    }

    // the lock file
    if required.is_empty() && used.is_empty() {
        return;
    }
    let lock_path = match module.dir.as_str() {
        "" => ".terraform.lock.hcl".to_string(),
        dir => format!("{dir}/.terraform.lock.hcl"),
    };
    match ws.file(&lock_path) {
        Some(lock) => {
            let locked = match lock.hcl() {
                Some(Ok(hcl)) => format!("{} provider(s) locked", hcl.lock_providers().len()),
                _ => "present".to_string(),
            };
            tally.evidence.push(Evidence::file(
                &lock.path,
                format!("`{name}`: lock file committed ({locked})"),
            ));
        }
        None => tally.findings.push(Finding::at(
            module.location(),
            format!(
                "`{name}`: `.terraform.lock.hcl` is not committed: each `terraform init` may select different provider versions than the reviewed plan used"
            ),
        )),
    }
}
