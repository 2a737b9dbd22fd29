use crate::delivery::gitops;
use crate::delivery::pipeline::{
    DeployJob, Line, Pipelines, Step, check_in_line, check_in_step, deploy_jobs, non_production,
    rollout_wait_in_line,
};
use crate::delivery::production_gate::opaque_note;
use crate::k8s::relations::Manifests;
use golive_core::{Context, Evidence, Finding, Location, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// After each production deploy, a step checks that the deployed service answers: later in
    /// the same job, in a job that `needs` the deploy job (directly or through others), or
    /// (GitLab) in a job of a later stage. A check is:
    ///
    /// - `curl`/`wget`/`httpie`/`hurl`/`grpcurl` of a health URL (`/health`, `/healthz`,
    ///   `/ready`, `/status`, `/ping`), or one that fails on an error status (`curl -f`);
    ///   downloads (`-o`), installers piped to a shell and webhook posts are not checks;
    /// - `helm test`;
    /// - a smoke or end-to-end test command (`npm run test:smoke`, `make e2e`,
    ///   `./scripts/smoke-test.sh`), `k6 run`, `newman run`, `playwright test`, `cypress run`;
    /// - a health-check action (`jtalk/url-health-check-action`, ...) or a step named for it
    ///   (`Smoke test`, `Health check`, `Verify deployment`).
    ///
    /// `kubectl rollout status` alone is not enough, and neither are `kubectl wait`, `helm
    /// --wait`/`--atomic` or `argocd app wait`: they wait until the new pods pass their
    /// readiness probes, which says the processes started, not that the service answers
    /// through its Service and ingress, with its real configuration, secrets and
    /// dependencies. The finding says when a job only waits for the rollout. For other CI
    /// systems read as one file, a check on a later line than the deploy counts. GitOps
    /// deploys to production are checked by an Argo CD `PostSync` hook Job under the
    /// application's source path (any PostSync hook when the repository does not hold that
    /// path), or by `spec.test.enable: true` on the Flux `HelmRelease` itself (for a Flux
    /// `Kustomization`, on a HelmRelease under its path). Argo CD does not run Helm test hooks.
    ///
    /// Deploys to other environments are listed in the evidence but not required to have a
    /// check; a deploy through a reusable workflow of another repository (or a GitLab include
    /// golive cannot read) may hold its check there, and is noted, not reported. Not-applicable when nothing deploys to production (see delivery/production-gate
    /// for how golive tells which environment a job deploys to).
    ///
    /// ## Why it matters
    /// A deploy that "succeeded" can still serve errors: a wrong secret, a missing route, a
    /// dependency it cannot reach. A smoke test right after the deploy catches that in
    /// minutes, while the previous version is one rollback away, instead of when users
    /// report it. (Go-live checklist, smoke tests: "a list of smoke tests (it's good if they
    /// are automated) that could show that production is up and running"; From Code to
    /// Production: "automatically roll back changes if sanity tests fail".)
    ///
    /// ## How to fix
    /// Check the service after the rollout:
    /// ```yaml
    /// - run: kubectl rollout status deployment/web --timeout=5m
    /// - name: Smoke test
    ///   run: curl --fail --retry 5 --retry-delay 5 https://shop.example.com/healthz
    /// ```
    pub struct SmokeTest {
        id: "delivery/smoke-test",
        title: "Production deploys are followed by a smoke test",
        category: Delivery,
        level: Silver,
        severity: Error,
        facets: [],
        seeds: [
            "003: Go-live checklist, smoke tests: automated smoke tests show that production is up and running",
            "001: From Code to Production: automatically roll back if sanity tests fail",
        ],
        fix: "add a step after the deploy that checks the service (curl --fail its health URL, helm test, a smoke test suite)",
    }
}

impl golive_core::Check for SmokeTest {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let p = Pipelines::read(cx.ws);
        let m = Manifests::new(cx.ws);
        let apps = gitops::apps(&m);
        let jobs = deploy_jobs(&p);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut production = 0;
        for dj in &jobs {
            let checked = check_after(&p, dj);
            if !dj.target.is_production() {
                let note = match &checked {
                    Some((what, _)) => format!(
                        "{} deploys to another environment ({}); {what} checks it",
                        dj.job.label,
                        dj.target.why()
                    ),
                    None => format!(
                        "{} deploys to another environment ({}), with no check after it (not required outside production)",
                        dj.job.label,
                        dj.target.why()
                    ),
                };
                let at = checked
                    .as_ref()
                    .map(|(_, l)| l.clone())
                    .unwrap_or_else(|| dj.location());
                evidence.push(Evidence::located(&at, note));
                continue;
            }
            production += 1;
            match checked {
                Some((what, location)) => evidence.push(Evidence::located(
                    &location,
                    format!(
                        "{} deploys to production and {what} checks the service",
                        dj.job.label
                    ),
                )),
                None if dj.job.opaque.is_some() => {
                    evidence.push(opaque_note(dj, "a smoke test"));
                }
                None => {
                    let waits = wait_after(&p, dj);
                    let message = match waits {
                        Some((wait, at)) => format!(
                            "{} deploys to production and waits for the rollout (`{wait}` at line {}) but nothing checks that the service answers: a rollout status only says the pods passed their readiness probes",
                            dj.job.label, at.line
                        ),
                        None => format!(
                            "{} deploys to production ({}) and no step after it checks that the service answers",
                            dj.job.label,
                            dj.deploys
                                .first()
                                .map(|d| d.what.as_str())
                                .unwrap_or("a deploy")
                        ),
                    };
                    findings.push(Finding::at(dj.location(), message));
                }
            }
        }
        let hooks = gitops_checks(&m);
        for app in apps.iter().filter(|a| a.is_production()) {
            production += 1;
            match gitops_check_for(app, &hooks) {
                Some((what, location)) => evidence.push(Evidence::located(
                    &location,
                    format!("{} deploys production; {what} checks the release", app.describe()),
                )),
                None => findings.push(Finding::at(
                    app.location.clone(),
                    format!(
                        "{} deploys production and nothing checks the service after a sync: no Argo CD PostSync hook Job or HelmRelease `test.enable`",
                        app.describe()
                    ),
                ).with_help("add a PostSync hook Job that curls the service's health URL (annotation `argocd.argoproj.io/hook: PostSync`), or enable Helm tests (`spec.test.enable: true`)")),
            }
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

/// Whether a line comes after `deploy` in the same step's script.
fn after(line: &Line, deploy: &Location) -> bool {
    line.location.path != deploy.path || line.location.line > deploy.line
}

/// How a check is called in messages: `step \`Smoke\` (\`curl ...\`)`, or the command alone
/// when the step has no name.
fn describe(step: &Step<'_>, what: &str) -> String {
    match step.name {
        Some(name) if what.is_empty() => format!("step `{}`", name.trim()),
        Some(name) => format!("step `{}` ({what})", name.trim()),
        None => what.to_string(),
    }
}

/// The first check after the job's last deploy: later in the job, or in a job that runs
/// after it. (what, where)
fn check_after(p: &Pipelines<'_>, dj: &DeployJob<'_, '_>) -> Option<(String, Location)> {
    let last = dj
        .deploys
        .iter()
        .max_by_key(|d| (d.step_index, d.location.line))?;
    for (i, step) in dj.job.steps.iter().enumerate().skip(last.step_index) {
        if i > last.step_index
            && let Some(what) = check_in_step(step)
        {
            return Some((describe(step, &what), step.location.clone()));
        }
        for line in &step.lines {
            if (i > last.step_index || after(line, &last.location))
                && let Some(what) = check_in_line(&line.text)
            {
                return Some((describe(step, &format!("`{what}`")), line.location.clone()));
            }
        }
    }
    for later in p.jobs.iter().filter(|j| p.runs_after(j, dj.job)) {
        for step in &later.steps {
            if let Some(what) = check_in_step(step) {
                return Some((
                    format!(
                        "{}, which runs after it, with {}",
                        later.label,
                        describe(step, &what)
                    ),
                    step.location.clone(),
                ));
            }
            for line in &step.lines {
                if let Some(what) = check_in_line(&line.text) {
                    return Some((
                        format!(
                            "{}, which runs after it, with {}",
                            later.label,
                            describe(step, &format!("`{what}`"))
                        ),
                        line.location.clone(),
                    ));
                }
            }
        }
    }
    None
}

/// A rollout wait in the deploy line itself (`helm --wait`) or after it.
fn wait_after(p: &Pipelines<'_>, dj: &DeployJob<'_, '_>) -> Option<(String, Location)> {
    let first = dj
        .deploys
        .iter()
        .min_by_key(|d| (d.step_index, d.location.line))?;
    for (i, step) in dj.job.steps.iter().enumerate().skip(first.step_index) {
        for line in &step.lines {
            if (i > first.step_index || line.location.line >= first.location.line)
                && let Some(what) = rollout_wait_in_line(&line.text)
            {
                return Some((what, line.location.clone()));
            }
        }
    }
    p.jobs
        .iter()
        .filter(|j| p.runs_after(j, dj.job))
        .flat_map(|j| j.lines())
        .find_map(|(_, l)| rollout_wait_in_line(&l.text).map(|w| (w, l.location.clone())))
}

/// A check that runs after a GitOps sync: an Argo CD PostSync hook Job, or a Flux HelmRelease
/// with tests enabled (Argo CD does not run Helm test hooks).
struct Hook {
    what: String,
    location: Location,
    /// An Argo CD PostSync hook (else: a HelmRelease with tests enabled).
    argo: bool,
    /// The HelmRelease itself, for tests enabled on it.
    object: String,
}

fn gitops_checks(m: &Manifests<'_>) -> Vec<Hook> {
    let mut out = Vec::new();
    for obj in m.objects() {
        let hook = obj
            .node
            .path(&["metadata", "annotations", "argocd.argoproj.io/hook"])
            .and_then(|h| h.as_text());
        if obj.kind == "Job" && hook.is_some_and(|h| h.contains("PostSync")) {
            out.push(Hook {
                what: format!("the PostSync hook {}", obj.display_name()),
                location: obj.location(),
                argo: true,
                object: String::new(),
            });
        }
        if obj.kind == "HelmRelease"
            && let Some(enable) = obj.node.path(&["spec", "test", "enable"])
            && enable.as_bool() == Some(true)
        {
            out.push(Hook {
                what: format!("Helm tests enabled on {}", obj.display_name()),
                location: enable.location(&obj.file.path),
                argo: false,
                object: format!("{}:{}", obj.file.path, obj.location().line),
            });
        }
    }
    out
}

/// The check that runs after this application's sync: for an Argo CD application, a PostSync
/// hook under its source path (any PostSync hook when the repository does not hold that
/// path); for a Flux HelmRelease, its own `test.enable`; for a Flux Kustomization, a
/// HelmRelease with tests enabled under its path.
fn gitops_check_for(app: &gitops::App<'_>, hooks: &[Hook]) -> Option<(String, Location)> {
    let source = app
        .source
        .as_deref()
        .map(|s| s.trim_start_matches("./").trim_end_matches('/'))
        .filter(|s| !s.is_empty() && !s.contains("{{"));
    let under = |path: &str| source.is_some_and(|s| path.starts_with(&format!("{s}/")));
    let found = match (app.tool, app.obj.kind) {
        ("Argo CD", _) => {
            let argo: Vec<&Hook> = hooks.iter().filter(|h| h.argo).collect();
            let local = argo.iter().any(|h| under(&h.location.path));
            argo.into_iter().find(|h| !local || under(&h.location.path))
        }
        (_, "HelmRelease") => {
            let me = format!("{}:{}", app.obj.file.path, app.location.line);
            hooks.iter().find(|h| !h.argo && h.object == me)
        }
        _ => hooks.iter().find(|h| !h.argo && under(&h.location.path)),
    };
    found.map(|h| (h.what.clone(), h.location.clone()))
}
