use crate::delivery::gitops;
use crate::delivery::pipeline::{
    DeployJob, EnvKind, Job, Pipelines, System, deploy_jobs, env_kind, non_production,
};
use crate::k8s::relations::Manifests;
use golive_core::{Context, Evidence, Finding, Location, Outcome, Severity, declare_check};

declare_check! {
    /// ## What it checks
    /// Every job that deploys to production waits for a person's approval:
    ///
    /// - GitHub Actions: the job declares an `environment:` (required reviewers and wait timers
    ///   are protection rules of that environment, set in the repository's settings, which
    ///   golive cannot see: the evidence says to check them), or the workflow only runs when
    ///   started by hand (`workflow_dispatch`).
    /// - GitLab CI: `when: manual` on the job or in one of its `rules`, or an `environment:`
    ///   (protected environments with deployment approvals are project settings).
    /// - Other systems: an approval step (Jenkins `input`, CircleCI `type: approval`,
    ///   Buildkite `block`/`input`, Azure `ManualValidation` or a deployment job's
    ///   `environment:`, whose approvals and checks live in Azure DevOps). These files are
    ///   read as one job: an approval step anywhere in the file counts.
    /// - A gate on a job the deploy `needs` (directly or through other jobs) gates it too: a
    ///   manual job, or a job bound to a production environment (an approval job); a staging
    ///   job's environment is not an approval of production.
    /// - GitOps: an Argo CD or Flux object that deploys production from the repository makes
    ///   promotion a change to git, reviewed in a pull request when the branch is protected
    ///   (a setting golive cannot see); an Argo CD application without automated sync is
    ///   synced by hand.
    ///
    /// A deploy through a reusable workflow of another repository (or a GitLab include golive
    /// cannot read) may hold its gate there: it is noted, not reported.
    ///
    /// A job deploys to production when its `environment:` says so, else its name, else its
    /// deploy command (`-n production`, `overlays/prod`, `values-prod.yaml`); a deploy job that
    /// names no environment at all is taken for production, and the finding says so. The
    /// finding points at each production deploy job that runs with no gate; a job that runs
    /// on every tag push is reported too (pushing a tag is not an approval). Not-applicable
    /// when nothing deploys to production.
    ///
    /// ## Why it matters
    /// A production deploy that starts on every merge ships whatever merged, at whatever hour,
    /// with nobody deciding that now is a good time (not during an incident, not on a
    /// holiday). (Multi-environment pipeline: "Approval gates: manual checkpoints for
    /// production"; go-live checklist: "Production sign off process: a person responsible for
    /// production deployment"; From Code to Production: "Avoid risky deployments".)
    ///
    /// ## How to fix
    /// Deploy production from a job bound to a protected environment:
    /// ```yaml
    /// deploy-production:
    ///   needs: deploy-staging
    ///   environment: production   # Settings → Environments → production: required reviewers
    ///   runs-on: ubuntu-latest
    /// ```
    /// In GitLab, make the job manual: `when: manual` (or a rule with `when: manual`).
    pub struct ProductionGate {
        id: "delivery/production-gate",
        title: "Production deploys wait for an approval",
        category: Delivery,
        level: Silver,
        severity: Error,
        facets: [],
        seeds: [
            "002: Multi-Environment Pipeline: approval gates, manual checkpoints for production",
            "003: Go-live checklist: production sign off process",
            "001: From Code to Production: avoid risky deployments",
        ],
        fix: "bind the production deploy job to a protected environment with required reviewers (GitHub `environment: production`), or make it manual (GitLab `when: manual`), or promote through a reviewed GitOps change",
    }
}

/// What holds a production deploy back until a person says go.
enum Gate {
    Environment(String, Location),
    Manual(String, Location),
    Dispatch(Location),
}

impl golive_core::Check for ProductionGate {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let ws = cx.ws;
        let p = Pipelines::read(ws);
        let m = Manifests::new(ws);
        let apps = gitops::apps(&m);
        let jobs = deploy_jobs(&p);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut production = 0;
        for dj in &jobs {
            if !dj.target.is_production() {
                if let Some(d) = dj.deploys.first() {
                    evidence.push(Evidence::located(
                        &d.location,
                        format!(
                            "{} deploys to another environment ({}): not gated here",
                            dj.job.label,
                            dj.target.why()
                        ),
                    ));
                }
                continue;
            }
            production += 1;
            match gate(&p, dj.job) {
                Some((gate, via)) => evidence.push(describe_gate(dj, &gate, via)),
                // The gate may be inside what golive cannot read.
                None if dj.job.opaque.is_some() => {
                    evidence.push(opaque_note(dj, "its approval gate"))
                }
                None => findings.push(ungated(dj)),
            }
        }
        for app in apps.iter().filter(|a| a.is_production()) {
            production += 1;
            let source = app
                .source
                .as_deref()
                .map(|s| format!("`{s}`"))
                .unwrap_or_else(|| "its source".into());
            let message = if app.tool == "Argo CD" && !app.automated {
                format!(
                    "{} deploys {source} to production when someone presses sync (no `syncPolicy.automated`): a manual gate",
                    app.describe()
                )
            } else {
                format!(
                    "{} deploys {source} to production from git: promotion is a commit there, reviewed in a pull request if the branch is protected (a setting golive cannot see: check it)",
                    app.describe()
                )
            };
            evidence.push(Evidence::located(&app.location, message));
        }
        if production == 0 {
            return Outcome::not_applicable(if jobs.is_empty() && apps.is_empty() {
                "nothing deploys from this repository (no CI deploy job, no Argo CD or Flux object): delivery/automated-deploy reports that".to_string()
            } else {
                non_production(&jobs, &apps)
            });
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// The gate in front of a job: its own, or one on a job it needs (with that job's label).
fn gate(p: &Pipelines<'_>, job: &Job<'_>) -> Option<(Gate, Option<String>)> {
    if let Some(g) = own_gate(job) {
        return Some((g, None));
    }
    // A job it needs gates it when a person approves that job: a manual job, or one bound to
    // a production environment (an approval job). Another environment's protection (staging)
    // is not an approval of production.
    p.needed_by(job)
        .into_iter()
        .find_map(|j| match own_gate(j)? {
            Gate::Environment(name, _)
                if matches!(env_kind(&name), Some(EnvKind::Other(_))) || name.contains('$') =>
            {
                None
            }
            g => Some((g, Some(j.label.clone()))),
        })
}

fn own_gate(job: &Job<'_>) -> Option<Gate> {
    if let Some((location, what)) = &job.manual {
        return Some(Gate::Manual(what.clone(), location.clone()));
    }
    if let Some(env) = &job.environment
        && !env.stops
    {
        return Some(Gate::Environment(env.name.clone(), env.location.clone()));
    }
    if job.system == System::GitHub
        && !job.events.is_empty()
        && job.events.iter().all(|e| e == "workflow_dispatch")
    {
        return Some(Gate::Dispatch(job.location.clone()));
    }
    None
}

fn describe_gate(dj: &DeployJob<'_, '_>, gate: &Gate, via: Option<String>) -> Evidence {
    let via = via
        .map(|v| format!(" through {v}, which it needs"))
        .unwrap_or_default();
    let label = &dj.job.label;
    match gate {
        Gate::Environment(name, location) => {
            let settings = match dj.job.system {
                System::GitHub => {
                    "its required reviewers are a protection rule in the repository's settings, which golive cannot see: check them"
                }
                System::GitLab => {
                    "approvals are a protected-environment setting of the project, which golive cannot see: check them"
                }
                System::Other(_) => {
                    "its approvals and checks are configured in the CI system, which golive cannot see: check them"
                }
            };
            Evidence::located(
                location,
                format!(
                    "{label} deploys to production ({}) behind environment `{name}`{via}; {settings}",
                    dj.target.why()
                ),
            )
        }
        Gate::Manual(what, location) => Evidence::located(
            location,
            format!(
                "{label} deploys to production ({}) after {what}{via}",
                dj.target.why()
            ),
        ),
        Gate::Dispatch(location) => Evidence::located(
            location,
            format!(
                "{label} deploys to production ({}) only when started by hand (`workflow_dispatch`){via}; an environment with required reviewers would also say who may start it",
                dj.target.why()
            ),
        ),
    }
}

fn ungated(dj: &DeployJob<'_, '_>) -> Finding {
    let job = dj.job;
    let when = if job.on_tags.is_some() {
        "on every tag push".to_string()
    } else if job.system == System::GitHub && !job.events.is_empty() {
        format!("on `{}`", job.events.join("`, `"))
    } else {
        "as soon as the pipeline reaches it".to_string()
    };
    let what = dj
        .deploys
        .first()
        .map(|d| format!(" ({})", d.what))
        .unwrap_or_default();
    let help = match job.system {
        System::GitHub => {
            "add `environment: production` to the job and required reviewers to that environment (Settings → Environments)"
        }
        System::GitLab => {
            "add `when: manual` to the job (or to its rule for the default branch), or a protected `environment: production` with approvals"
        }
        System::Other(_) => {
            "add an approval step before the production deploy (Jenkins `input`, CircleCI `type: approval`, Buildkite `block`, Azure environment approvals)"
        }
    };
    let finding = Finding::at(
        dj.location(),
        format!(
            "{} deploys to production{what} {when} with no approval gate ({})",
            job.label,
            dj.target.why()
        ),
    )
    .with_help(help);
    if job.on_tags.is_some() {
        finding.with_severity(Severity::Warning)
    } else {
        finding
    }
}

/// Evidence for a deploy whose steps golive cannot read: what it may hold is not a finding.
pub(crate) fn opaque_note(dj: &DeployJob<'_, '_>, what: &str) -> Evidence {
    let (called, location) = dj
        .job
        .opaque
        .clone()
        .unwrap_or_else(|| (String::new(), dj.job.location.clone()));
    Evidence::located(
        &location,
        format!(
            "{} deploys to production through {called}, which golive cannot read: {what}, if any, is there",
            dj.job.label
        ),
    )
}
