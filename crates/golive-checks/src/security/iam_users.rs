use crate::terraform::resolve::{Resource, references};
use crate::terraform::stack::Stack;
use golive_core::{Context, Evidence, Finding, Outcome, Severity, declare_check};
use std::collections::BTreeSet;

declare_check! {
    /// ## What it checks
    /// The deployed Terraform creates no IAM users with long-lived access keys, and prefers
    /// roles (and SSO for people) to IAM users.
    ///
    /// Deployed means declared in a root module or in a local module it calls (modules no root
    /// calls, examples and Terragrunt-managed directories are not read; remote modules are
    /// noted in the evidence, not followed). Every
    /// `aws_iam_access_key` is an error finding at the key resource: it is a long-lived secret
    /// for an IAM user. Every `aws_iam_user` that has no access key in the same module is a
    /// warning at the user: it may be a console user with a password, or a key created by hand,
    /// and in both cases a role (workloads, CI through OIDC) or IAM Identity Center (people) is
    /// the better identity. The same resource deployed by several environments is reported once.
    /// Passes when the deployed Terraform manages AWS resources but no IAM users; not applicable
    /// when it manages no AWS resources.
    ///
    /// ## Why it matters
    /// Access keys never expire on their own: they end up in CI variables, laptops and logs,
    /// and a leaked key works until someone notices. IAM users multiply: in the seed's IAM post
    /// (000, "How to Monitor Custom IAM Users in Your AWS Organization") teams that did not
    /// know about programmatic access through SSO created many IAM users, "a few were not even
    /// used for months", and the organisation needed bi-weekly audits to keep track of them.
    /// Roles give short-lived credentials that are rotated for you.
    ///
    /// ## How to fix
    /// ```hcl
    /// # CI deploys with a role it assumes through OIDC instead of an IAM user's key.
    /// resource "aws_iam_role" "deploy" {
    ///   name               = "github-deploy"
    ///   assume_role_policy = data.aws_iam_policy_document.github_oidc.json
    /// }
    /// ```
    pub struct IamUsers {
        id: "security/iam-users",
        title: "No IAM users with long-lived access keys",
        category: Security,
        level: Silver,
        severity: Error,
        facets: [Terraform],
        seeds: [
            "000: How to Monitor Custom IAM Users in Your AWS Organization (IAM users pile up; programmatic access through SSO)",
        ],
        fix: "replace the IAM user and its access key with a role (assumed through OIDC by CI, or by the workload), and people with IAM Identity Center (SSO)",
    }
}

impl golive_core::Check for IamUsers {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let stack = Stack::read(cx.ws);
        let aws = stack.resources_matching(cx.ws, &|kind| kind.starts_with("aws_"));
        if aws.is_empty() {
            return Outcome::not_applicable(
                "the deployed Terraform (root modules and the local modules they call) manages no AWS resources",
            );
        }
        let mut findings = Vec::new();
        let mut seen = BTreeSet::new();
        let keys: Vec<&Resource<'_>> = aws
            .iter()
            .filter(|r| r.kind() == "aws_iam_access_key")
            .collect();
        for key in &keys {
            if !seen.insert(key.location()) {
                continue;
            }
            let stacks = stacks_deploying(&aws, key);
            let user = key
                .block
                .attribute("user")
                .map(|a| match references(&a.value(), "aws_iam_user") {
                    Some(name) => format!(" for IAM user `aws_iam_user.{name}`"),
                    None => match key.resolve(&a.value()).value().and_then(|v| v.as_str()) {
                        Some(name) => format!(" for IAM user `{name}`"),
                        None => String::new(),
                    },
                })
                .unwrap_or_default();
            findings.push(Finding::at(
                key.location(),
                format!(
                    "{stacks}: `{}` creates a long-lived access key{user}: it never expires on its own and works wherever it leaks",
                    key.address()
                ),
            ));
        }
        for user in aws.iter().filter(|r| r.kind() == "aws_iam_user") {
            let has_key = keys.iter().any(|k| {
                k.root == user.root
                    && k.env == user.env
                    && k.path == user.path
                    && k.block.attribute("user").is_some_and(|a| {
                        references(&a.value(), "aws_iam_user").as_deref() == Some(user.name())
                    })
            });
            if has_key || !seen.insert(user.location()) {
                continue;
            }
            findings.push(
                Finding::at(
                    user.location(),
                    format!(
                        "{}: `{}` is an IAM user: prefer a role (workloads, CI through OIDC) or IAM Identity Center (people)",
                        stacks_deploying(&aws, user),
                        user.address()
                    ),
                )
                .with_severity(Severity::Warning),
            );
        }
        let mut evidence = if findings.is_empty() {
            vec![Evidence::note(format!(
                "{} deployed AWS resource instance(s) read: no `aws_iam_user` or `aws_iam_access_key`",
                aws.len()
            ))]
        } else {
            Vec::new()
        };
        evidence.extend(stack.remote_module_notes());
        Outcome::from_findings(findings, evidence)
    }
}

/// The stacks (root module and environment) that deploy the same resource block, for messages:
/// "`envs/prod`, `envs/staging`".
fn stacks_deploying(all: &[Resource<'_>], resource: &Resource<'_>) -> String {
    let at = resource.location();
    let labels: BTreeSet<String> = all
        .iter()
        .filter(|r| r.location() == at)
        .map(Resource::stack_label)
        .collect();
    labels.into_iter().collect::<Vec<_>>().join(", ")
}
