use crate::ci::github::{self, ActionRef, Workflow};
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Location, Outcome, Severity, declare_check};

declare_check! {
    /// ## What it checks
    /// Every GitHub Actions workflow declares the `GITHUB_TOKEN` permissions it needs:
    /// `permissions:` at the top level, or on every job.
    ///
    /// - No `permissions:` anywhere in a workflow: one finding, at its `on:`.
    /// - Some jobs declare theirs and the workflow sets none at the top: a finding per job
    ///   that does not.
    /// - `permissions: write-all`, at the top or on a job: a finding at that line.
    /// - A `pull_request_target` workflow that checks out the pull request's head
    ///   (`actions/checkout` with `ref: ${{ github.event.pull_request.head.sha }}`, `head.ref`,
    ///   `github.head_ref`, or `gh pr checkout` in a `run:`): a finding of severity error, the
    ///   classic "pwn request". When the job is gated by a person (an `environment:`, which can
    ///   require reviewers, or an `if:` on labels, author association or actor) it is a
    ///   warning: the gate only helps while every new commit is reviewed before it runs.
    ///
    /// A reusable workflow (only `on: workflow_call`) runs with its caller's token, which it
    /// can only narrow: it is not required to declare permissions (its callers are).
    ///
    /// Which scopes a job really needs cannot be read from the file, so any explicit
    /// declaration other than `write-all` passes (`read-all` and `{}` included).
    ///
    /// ## Why it matters
    /// Without `permissions:`, each job's token gets the repository's default, which is
    /// read-write on every scope for repositories created before February 2023 and wherever
    /// an organisation allows it: any compromised step or dependency can push commits, publish
    /// packages or rewrite releases. `pull_request_target` runs with a write token and the
    /// repository's secrets even for pull requests from forks; checking out and running the
    /// fork's code there hands both to anyone who opens a pull request. (Production Ready
    /// Checklist, Security: "permissions are minimal, users only have permissions they need";
    /// From Code to Production: "authorization policies adhere to the principle of least
    /// privilege".)
    ///
    /// ## How to fix
    /// Declare read-only defaults at the top and grant writes only to the job that needs them:
    /// ```yaml
    /// permissions:
    ///   contents: read
    /// jobs:
    ///   release:
    ///     permissions:
    ///       contents: write
    /// ```
    /// Build untrusted pull request code under `pull_request` (no secrets, read-only token), and
    /// keep `pull_request_target` for labelling or commenting without checking the code out.
    pub struct TokenPermissions {
        id: "ci/token-permissions",
        title: "Workflows declare least-privilege token permissions",
        category: Ci,
        level: Silver,
        severity: Warning,
        facets: [GithubActions],
        seeds: [
            "004: Production Ready Checklist, Security: permissions are minimal, users only have permissions they need",
            "001: From Code to Production: authorization policies adhere to the principle of least privilege",
        ],
        fix: "declare `permissions:` (e.g. `contents: read`) at the top of the workflow and grant writes per job",
    }
}

impl golive_core::Check for TokenPermissions {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let workflows = github::workflows(cx.ws);
        if workflows.parsed.is_empty() {
            return Outcome::not_applicable(
                "no GitHub Actions workflow could be read (parse/invalid-yaml reports why)",
            );
        }
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        for wf in &workflows.parsed {
            check_workflow(wf, &mut findings, &mut evidence);
            pwn_requests(wf, &mut findings);
        }
        if !workflows.unreadable.is_empty() {
            let paths: Vec<&str> = workflows
                .unreadable
                .iter()
                .map(|f| f.path.as_str())
                .collect();
            evidence.push(Evidence::note(format!(
                "not checked, does not parse: {}",
                paths.join(", ")
            )));
        }
        Outcome::from_findings(findings, evidence)
    }
}

fn check_workflow(wf: &Workflow<'_>, findings: &mut Vec<Finding>, evidence: &mut Vec<Evidence>) {
    let path = &wf.file.path;
    let name = wf.display_name();
    let write_all = |value: Node<'_>| value.as_text().is_some_and(|v| v.trim() == "write-all");
    if let Some((key, value)) = wf.permissions {
        if write_all(value) {
            findings.push(Finding::at(
                value.location(path),
                format!(
                    "workflow `{name}` grants `permissions: write-all`: every job's token can push code, publish packages and change releases"
                ),
            ));
        } else {
            evidence.push(Evidence::at(
                path.as_str(),
                key.line(),
                format!(
                    "workflow `{name}` declares `permissions: {}`",
                    describe(value)
                ),
            ));
        }
    }
    let undeclared: Vec<_> = wf.jobs.iter().filter(|j| j.permissions.is_none()).collect();
    for job in &wf.jobs {
        if let Some((_, value)) = job.permissions
            && write_all(value)
        {
            findings.push(Finding::at(
                value.location(path),
                format!(
                    "job `{}` of workflow `{name}` grants `permissions: write-all`: grant only the scopes it writes",
                    job.id
                ),
            ));
        }
    }
    if wf.permissions.is_some() || wf.jobs.is_empty() {
        return;
    }
    // A reusable workflow runs with its caller's token, which it can only narrow.
    if !wf.triggers.is_empty() && wf.triggers.iter().all(|t| t.event == "workflow_call") {
        evidence.push(Evidence::file(
            path.as_str(),
            format!(
                "reusable workflow `{name}` runs with its callers' token permissions (declare them where it is called)"
            ),
        ));
        return;
    }
    if undeclared.is_empty() {
        evidence.push(Evidence::file(
            path.as_str(),
            format!("every job of workflow `{name}` declares its `permissions:`"),
        ));
        return;
    }
    if undeclared.len() == wf.jobs.len() {
        let at = wf
            .on
            .map(|(k, _)| k.location(path))
            .unwrap_or_else(|| Location::line(path.as_str(), 1));
        findings.push(Finding::at(
            at,
            format!(
                "workflow `{name}` declares no `permissions:`: its jobs get the repository's default token permissions (read-write on older repositories and where the organisation allows it)"
            ),
        ));
        return;
    }
    for job in undeclared {
        findings.push(Finding::at(
            job.key.location(path),
            format!(
                "job `{}` of workflow `{name}` declares no `permissions:` and the workflow sets none at the top: it gets the repository's default token permissions",
                job.id
            ),
        ));
    }
}

/// Expressions that name the pull request's own code.
const PR_HEAD: &[&str] = &[
    "github.event.pull_request.head.sha",
    "github.event.pull_request.head.ref",
    "github.event.pull_request.merge_commit_sha",
    "github.head_ref",
    "refs/pull/",
];

/// What gates a job behind a person's decision: a deployment environment (which can require
/// reviewers) or an `if:` on labels, the author's association or the actor.
fn gate(job: &github::Job<'_>) -> Option<String> {
    if let Some(env) = job.node.get("environment") {
        let name = env.as_text().or_else(|| env.get_str("name")).unwrap_or("…");
        return Some(format!("environment `{}`", name.trim()));
    }
    let cond = job.node.get_str("if")?;
    ["label", "author_association", "github.actor"]
        .iter()
        .any(|w| cond.contains(w))
        .then(|| format!("`if: {}`", github::shorten(cond.trim(), 60)))
}

/// `pull_request_target` jobs that check out the pull request's head.
fn pwn_requests(wf: &Workflow<'_>, findings: &mut Vec<Finding>) {
    if !wf.triggers.iter().any(|t| t.event == "pull_request_target") {
        return;
    }
    let path = &wf.file.path;
    let names_head = |s: &str| PR_HEAD.iter().any(|h| s.contains(h));
    for job in &wf.jobs {
        for step in &job.steps {
            let checkout = step
                .uses
                .and_then(|u| u.as_text())
                .map(ActionRef::parse)
                .is_some_and(|a| {
                    matches!(a, ActionRef::Remote { owner, repo, .. }
                        if owner.eq_ignore_ascii_case("actions") && repo.eq_ignore_ascii_case("checkout"))
                });
            let head_ref = step
                .with
                .and_then(|w| w.get("ref"))
                .filter(|r| r.as_text().is_some_and(names_head));
            if checkout && let Some(r) = head_ref {
                findings.push(pwn_finding(
                    r.location(path),
                    job,
                    &format!("ref: {}", r.as_text().unwrap_or("").trim()),
                ));
                continue;
            }
            if let Some(run) = step.run
                && let Some(text) = run.as_text()
                && let Some(command) = text.lines().find(|l| {
                    l.contains("gh pr checkout")
                        || ((l.contains("git checkout") || l.contains("git fetch"))
                            && names_head(l))
                })
            {
                let line = github::line_of(wf.file, run, command);
                findings.push(pwn_finding(
                    Location::line(path.as_str(), line),
                    job,
                    &github::shorten(command.trim(), 80),
                ));
            }
        }
    }
}

fn pwn_finding(at: Location, job: &github::Job<'_>, what: &str) -> Finding {
    let message = format!(
        "job `{}` runs on `pull_request_target` and checks out the pull request's code (`{what}`): code from any fork runs with this workflow's token and the repository's secrets",
        job.id
    );
    let help = "build pull request code under `pull_request`; keep `pull_request_target` for steps that never check it out";
    match gate(job) {
        // Still a finding: the approval must come after reading every new commit.
        Some(gate) => Finding::at(
            at,
            format!("{message} (gated by {gate}: safe only while every new commit is reviewed before it runs)"),
        )
        .with_severity(Severity::Warning),
        None => Finding::at(at, message).with_severity(Severity::Error),
    }
    .with_help(help)
}

/// A permissions value as written, on one line.
fn describe(value: Node<'_>) -> String {
    if let Some(s) = value.as_text() {
        return s.trim().to_string();
    }
    if value.is_map() && value.is_empty() {
        return "{}".to_string();
    }
    value
        .entries()
        .filter_map(|(k, v)| Some(format!("{}: {}", k.as_text()?, v.as_text().unwrap_or("?"))))
        .collect::<Vec<_>>()
        .join(", ")
}
