use crate::ci::github;
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Every GitHub Actions job sets `timeout-minutes` (at job level, or on every one of its
    /// steps).
    ///
    /// Jobs that call a reusable workflow (`uses:` at job level) cannot set it and are exempt:
    /// the called workflow's jobs are checked where they are defined. An expression
    /// (`timeout-minutes: ${{ inputs.timeout }}`) counts as set. One finding per job, at the
    /// job's key.
    ///
    /// ## Why it matters
    /// Without a timeout, a hung job (a deadlocked test, a prompt waiting for input, a stuck
    /// `terraform apply`) runs for GitHub's default of 6 hours, holding the runner, the
    /// concurrency group and whatever it locked. When it is finally killed, the cleanup never
    /// runs: a Terraform apply killed mid-run leaves a stale state lock and a mismatched digest
    /// that block every later plan. A timeout sized to the job makes the failure quick,
    /// visible and predictable. (Terraform Apply Crashed in CI?: "CI timeouts with grace
    /// periods: set workflow timeout-minutes generously and add a cleanup step".)
    ///
    /// ## How to fix
    /// Give every job a timeout a little above its normal duration:
    /// ```yaml
    /// jobs:
    ///   test:
    ///     runs-on: ubuntu-latest
    ///     timeout-minutes: 15
    /// ```
    pub struct Timeouts {
        id: "ci/timeouts",
        title: "GitHub Actions jobs have timeouts",
        category: Ci,
        level: Silver,
        severity: Warning,
        facets: [GithubActions],
        seeds: [
            "000: Terraform Apply Crashed in CI?: CI timeouts with grace periods (set timeout-minutes)",
        ],
        fix: "set `timeout-minutes` on the job, a little above its normal duration",
    }
}

impl golive_core::Check for Timeouts {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let workflows = github::workflows(cx.ws);
        if workflows.parsed.is_empty() {
            return Outcome::not_applicable(if workflows.unreadable.is_empty() {
                "no GitHub Actions workflows".to_string()
            } else {
                "no GitHub Actions workflow could be read (parse/invalid-yaml reports why)"
                    .to_string()
            });
        }
        let mut findings = Vec::new();
        let (mut with_timeout, mut step_timeouts) = (0, 0);
        let mut reusable = Vec::new();
        for wf in &workflows.parsed {
            for job in &wf.jobs {
                if job.uses.is_some() {
                    reusable.push(format!("{}:{} `{}`", wf.file.path, job.key.line(), job.id));
                    continue;
                }
                if job.node.get("timeout-minutes").is_some() {
                    with_timeout += 1;
                    continue;
                }
                if !job.steps.is_empty()
                    && job
                        .steps
                        .iter()
                        .all(|s| s.node.get("timeout-minutes").is_some())
                {
                    step_timeouts += 1;
                    continue;
                }
                findings.push(Finding::at(
                    job.key.location(&wf.file.path),
                    format!(
                        "job `{}` of workflow `{}` has no `timeout-minutes`: a hung run holds the runner and any lock it took for up to 6 hours",
                        job.id,
                        wf.display_name()
                    ),
                ));
            }
        }
        let mut evidence = Vec::new();
        if with_timeout > 0 {
            evidence.push(Evidence::note(format!(
                "{with_timeout} job(s) set `timeout-minutes`"
            )));
        }
        if step_timeouts > 0 {
            evidence.push(Evidence::note(format!(
                "{step_timeouts} job(s) set `timeout-minutes` on every step"
            )));
        }
        if !reusable.is_empty() {
            evidence.push(Evidence::note(format!(
                "reusable workflow calls are exempt (their jobs set their own timeouts): {}",
                reusable.join(", ")
            )));
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
        if findings.is_empty() && with_timeout + step_timeouts == 0 {
            return Outcome::not_applicable(
                "the workflows define no jobs of their own (only reusable workflow calls)",
            );
        }
        Outcome::from_findings(findings, evidence)
    }
}
