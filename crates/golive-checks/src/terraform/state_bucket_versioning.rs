use super::resolve::{Resolved, Resource, references};
use super::stack::{Judgement, Stack, Tally};
use golive_core::parse::hcl::Value;
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};
use std::collections::BTreeSet;

declare_check! {
    /// ## What it checks
    /// Where the S3 bucket that holds Terraform state is defined in the repository, versioning is
    /// enabled on it.
    ///
    /// The state buckets are the literal `bucket` settings of the root modules' `s3` backends
    /// (partial configuration files such as `prod.s3.tfbackend` included). Every deployed
    /// `aws_s3_bucket` (in root modules and the local modules they call, in each environment
    /// of `.tfvars` files) whose `bucket` resolves to one of them is the bucket's definition;
    /// it passes with an `aws_s3_bucket_versioning` resource of the same module that points at
    /// it (`bucket = aws_s3_bucket.state.id` or the same name) with
    /// `versioning_configuration { status = "Enabled" }`, or with the legacy inline
    /// `versioning { enabled = true }`. `Suspended`, `Disabled` or `enabled = false` is a
    /// finding at that setting; no versioning at all is a finding at the bucket. A value golive
    /// cannot resolve (a local, a function) is noted, not reported.
    ///
    /// Not applicable when no backend names a bucket, or when the state buckets are created
    /// elsewhere (by hand, another repository): the check says which.
    ///
    /// ## Why it matters
    /// When an apply crashes mid-write, the state object can be left truncated or half-written;
    /// the recovery starts by downloading "the current and previous version", which exists only
    /// if the bucket is versioned. Terraform state article (000): "S3 versioning: Always enabled
    /// on the state bucket. Gives you a rollback path if the state file itself is corrupted."
    ///
    /// ## How to fix
    /// ```hcl
    /// resource "aws_s3_bucket_versioning" "state" {
    ///   bucket = aws_s3_bucket.state.id
    ///   versioning_configuration {
    ///     status = "Enabled"
    ///   }
    /// }
    /// ```
    pub struct StateBucketVersioning {
        id: "terraform/state-bucket-versioning",
        title: "The Terraform state bucket is versioned",
        category: Terraform,
        level: Silver,
        severity: Error,
        facets: [Terraform],
        seeds: [
            "000: Terraform Apply Crashed in CI? S3 versioning: always enabled on the state bucket (the rollback path)",
        ],
        fix: "add an `aws_s3_bucket_versioning` resource with `status = \"Enabled\"` for the state bucket",
    }
}

impl golive_core::Check for StateBucketVersioning {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let stack = Stack::read(cx.ws);
        let buckets = stack.state_buckets();
        if buckets.is_empty() {
            return Outcome::not_applicable(
                "no Terraform S3 backend names its state bucket in the repository",
            );
        }
        let resources =
            stack.resources_of_types(cx.ws, &["aws_s3_bucket", "aws_s3_bucket_versioning"]);
        let mut tally = Tally::default();
        let mut defined: BTreeSet<String> = BTreeSet::new();
        // The same literal bucket in several environments is judged once per place and verdict.
        let mut seen: BTreeSet<String> = BTreeSet::new();
        for bucket in resources.iter().filter(|r| r.kind() == "aws_s3_bucket") {
            let Some((_, name)) = bucket.attr("bucket") else {
                continue;
            };
            let Some(name) = name.value().and_then(Value::as_str) else {
                continue;
            };
            if !buckets.contains(name) {
                continue;
            }
            defined.insert(name.to_string());
            let judgement = judge(bucket, name, &resources);
            let key = match &judgement {
                Judgement::Good(e) => format!("good {e:?}"),
                Judgement::Bad(f) => format!("bad {:?} {}", f.location, f.message),
                Judgement::Unknown { subject, why } => format!("unknown {subject} {why}"),
            };
            if seen.insert(key) {
                tally.add(judgement);
            }
        }
        let elsewhere: Vec<String> = buckets
            .iter()
            .filter(|b| !defined.contains(*b))
            .map(|b| format!("`{b}`"))
            .collect();
        if defined.is_empty() {
            return Outcome::not_applicable(format!(
                "the state bucket(s) {} are not defined in this repository (no deployed `aws_s3_bucket` with that name): their versioning cannot be checked here",
                elsewhere.join(", ")
            ));
        }
        if !elsewhere.is_empty() {
            tally.evidence.push(Evidence::note(format!(
                "state bucket(s) {} not defined in this repository: not checked",
                elsewhere.join(", ")
            )));
        }
        tally.outcome(|| "no state bucket could be judged".into())
    }
}

/// Versioning of one state bucket definition.
fn judge(bucket: &Resource<'_>, name: &str, all: &[Resource<'_>]) -> Judgement {
    let subject = format!(
        "{}: state bucket `{name}` (`{}`)",
        bucket.stack_label(),
        bucket.address()
    );
    // The separate resource (AWS provider >= 4), in the same module instance.
    let versioning: Vec<&Resource<'_>> = all
        .iter()
        .filter(|v| {
            v.kind() == "aws_s3_bucket_versioning"
                && v.root == bucket.root
                && v.env == bucket.env
                && v.path == bucket.path
                && v.block.attribute("bucket").is_some_and(|a| {
                    let value = a.value();
                    references(&value, "aws_s3_bucket").as_deref() == Some(bucket.name())
                        || v.resolve(&value).value().and_then(Value::as_str) == Some(name)
                })
        })
        .collect();
    for v in &versioning {
        let Some((attribute, status)) = v.nested_attr("versioning_configuration", "status") else {
            continue;
        };
        let at = attribute.pos().location(&v.file.path);
        return match &status {
            Resolved::Known { value, .. } => match value.as_str() {
                Some("Enabled") => Judgement::Good(Evidence::located(
                    &at,
                    format!("{subject}: versioning enabled by `{}`", v.address()),
                )),
                Some(other) => Judgement::Bad(Finding::at(
                    at,
                    format!(
                        "{subject}: versioning is `{other}`{}: a corrupted state file has no previous version to roll back to",
                        status.origin()
                    ),
                )),
                None => Judgement::Unknown {
                    subject,
                    why: "the versioning status is not a string".into(),
                },
            },
            Resolved::Unknown(expr) => Judgement::Unknown {
                subject,
                why: format!("versioning status is {expr}, which golive does not resolve"),
            },
        };
    }
    // Legacy inline `versioning { enabled = ... }` (AWS provider < 4).
    if let Some((attribute, enabled)) = bucket.nested_attr("versioning", "enabled") {
        let at = attribute.pos().location(&bucket.file.path);
        return match enabled.value().and_then(Value::to_bool) {
            Some(true) => Judgement::Good(Evidence::located(
                &at,
                format!("{subject}: inline `versioning {{ enabled = true }}`"),
            )),
            Some(false) => Judgement::Bad(Finding::at(
                at,
                format!(
                    "{subject}: `versioning {{ enabled = false }}`{}: a corrupted state file has no previous version to roll back to",
                    enabled.origin()
                ),
            )),
            None => Judgement::Unknown {
                subject,
                why: "the inline versioning setting is not a literal golive resolves".into(),
            },
        };
    }
    if !versioning.is_empty() {
        return Judgement::Unknown {
            subject,
            why: "its `aws_s3_bucket_versioning` has no literal `versioning_configuration.status`"
                .into(),
        };
    }
    Judgement::Bad(Finding::at(
        bucket.location(),
        format!(
            "{subject} is not versioned (no `aws_s3_bucket_versioning` for it, no inline `versioning`): a corrupted state file has no previous version to roll back to"
        ),
    ))
}
