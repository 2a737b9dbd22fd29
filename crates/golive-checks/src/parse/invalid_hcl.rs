use golive_core::workspace::FileKind;
use golive_core::{Context, Evidence, Finding, Location, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Every Terraform and HCL file (`.tf`, `.tfvars`, `.hcl`) can be read.
    ///
    /// A file golive cannot read is reported with the parser's message and position, and the
    /// check's status is `error` (could not be evaluated), not `fail`: golive's HCL reader has
    /// known gaps (a multi-line conditional inside a `for` object expression is one), so an
    /// unreadable file is not proof that the Terraform is invalid. Run `terraform validate` to
    /// tell the two apart.
    ///
    /// ## Why it matters
    /// Terraform checks (remote state, locking, encryption, version pins) only see the files
    /// golive can read; an unreadable file could hide the backend block they look for. (Terraform
    /// state article: the state backend is what protects a team from a crashed apply.)
    ///
    /// ## How to fix
    /// If `terraform validate` rejects the file, fix it at the reported position. If Terraform
    /// accepts it, wrap the expression golive cannot read in parentheses:
    /// ```hcl
    /// labels = { for k, v in var.labels : k => (
    ///   v == "" ? "none" : v
    /// ) }
    /// ```
    /// or ignore the check for that file with a waiver in golive.toml.
    pub struct InvalidHcl {
        id: "parse/invalid-hcl",
        title: "Terraform and HCL files can be read",
        category: Files,
        level: Bronze,
        severity: Error,
        facets: [],
        seeds: ["000: Terraform state recovery: the backend configuration is what protects state"],
        fix: "fix the HCL at the reported position (check with `terraform validate`)",
    }
}

impl golive_core::Check for InvalidHcl {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let mut findings = Vec::new();
        let mut read = 0;
        let files = cx.ws.files().iter().filter(|f| {
            matches!(
                f.kind,
                FileKind::Terraform | FileKind::TfVars | FileKind::Hcl
            )
        });
        for file in files {
            match file.hcl() {
                Some(Ok(_)) => read += 1,
                Some(Err(e)) => findings.push(Finding::at(
                    Location {
                        path: file.path.clone(),
                        line: e.line,
                        column: e.column,
                        end_line: e.line,
                        end_column: e.column,
                    },
                    format!("golive could not read this file: {}", e.message),
                )),
                None => {}
            }
        }
        if read == 0 && findings.is_empty() {
            return Outcome::not_applicable("no Terraform or HCL files in the repository");
        }
        let evidence = vec![Evidence::note(format!("{read} HCL file(s) read"))];
        if findings.is_empty() {
            return Outcome::Pass(evidence);
        }
        let n = findings.len();
        Outcome::Error {
            reason: format!("{n} HCL file(s) could not be read; Terraform checks did not see them"),
            findings,
        }
    }
}
