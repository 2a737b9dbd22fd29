use crate::ci::{github, pipelines};
use crate::delivery::commands::{Command, commands, deploy_action};
use crate::docs::find::{doc_files, heading_is_about, split_name};
use crate::docs::outline::Outline;
use crate::k8s::relations::Manifests;
use golive_core::parse::yaml::Node;
use golive_core::workspace::Lang;
use golive_core::{Context, Evidence, FileKind, Finding, Location, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// A release can be rolled back: the repository holds a rollback mechanism, and the
    /// evidence says which.
    ///
    /// Any of these passes:
    ///
    /// * a pipeline step, script or Makefile recipe that rolls back: `kubectl rollout undo`,
    ///   `helm rollback`, `argocd app rollback`, `kubectl argo rollouts undo|abort`
    ///   (GitHub Actions, composite actions, GitLab CI, the other CI systems' files, `*.sh`,
    ///   `Makefile`);
    /// * a `workflow_dispatch` workflow named for rolling back (`rollback`, `revert`, `undo`
    ///   in its name, file or job) that deploys or rolls back;
    /// * automatic rollback: `helm upgrade --atomic` (or `--rollback-on-failure`), an Argo
    ///   Rollouts `Rollout` with analysis (a failed analysis aborts it and returns traffic to
    ///   the stable version), a Flagger `Canary` with metric analysis;
    /// * a documented procedure: a heading about rolling back (`Rollback`, `Rolling back a
    ///   release`) in the README, a runbook or any document, whose section gives the command
    ///   to run (a rollback or deploy command in its code), or a rollback command shown in any
    ///   document's code.
    ///
    /// Headings about rolling back a transaction, a migration or a database are not release
    /// rollbacks, and release notes (CHANGELOG, HISTORY, NEWS) are not read.
    /// A rollback section without a command is not enough: it is the finding (at its heading)
    /// when nothing else provides a rollback path, and a note otherwise. A Deployment with
    /// `revisionHistoryLimit: 0` keeps no previous ReplicaSet, so `kubectl rollout undo` has
    /// nothing to return to: that is always a finding.
    ///
    /// The check applies when the repository deploys something golive can see: long-running
    /// Kubernetes workloads, a Helm application chart, Argo CD or Flux objects, or a pipeline
    /// step that deploys (`kubectl apply`, `helm upgrade`, `argocd app sync`, `gcloud run
    /// deploy`, `aws ecs update-service`, `fly deploy`, deploy actions). Infrastructure alone
    /// (`terraform apply`) is rolled back by reverting and applying again, and is not counted.
    ///
    /// ## Why it matters
    /// When a release breaks production, the fastest fix is to put the previous version back,
    /// and that is only fast if it was prepared: a command people know, a button in the
    /// pipeline, or a canary that aborts by itself. Working it out during an incident adds
    /// the outage's longest minutes. (From Code to Production, Rollback: "Automated Rollbacks:
    /// ensure rollbacks are automated so that they can be executed quickly and reliably";
    /// Production Ready Checklist: "Roll back in case of failure"; Go-live checklist: "Rollback
    /// process should be automated and tested".)
    ///
    /// ## How to fix
    /// A rollback workflow the on-call engineer can run:
    /// ```yaml
    /// # .github/workflows/rollback.yml
    /// name: Rollback
    /// on:
    ///   workflow_dispatch:
    ///     inputs:
    ///       revision: { description: "Helm revision to return to (empty: the previous one)", required: false }
    /// jobs:
    ///   rollback:
    ///     runs-on: ubuntu-latest
    ///     environment: production
    ///     steps:
    ///       - run: helm rollback web ${{ inputs.revision }} --namespace prod --wait
    /// ```
    /// or deploy with `helm upgrade --install web ./chart --atomic`, or document the command
    /// in a `## Rollback` section of the runbook.
    pub struct RollbackPath {
        id: "delivery/rollback-path",
        title: "A release can be rolled back",
        category: Delivery,
        level: Silver,
        severity: Error,
        facets: [],
        seeds: [
            "001: From Code to Production, Rollback and Roll Forward: automated rollbacks",
            "004: Production Ready Checklist, Continuous Delivery: roll back in case of failure",
            "003: Go-live checklist, Backups: rollback process should be automated and tested",
        ],
        fix: "add a rollback step or workflow (helm rollback, kubectl rollout undo), deploy with helm --atomic or a canary with analysis, or document the rollback command in the runbook",
    }
}

/// Phrases a heading about rolling back a release starts with (`Rollback`, `Rolling back a
/// release`, `Deploy and roll back`).
const ROLLBACK_HEADINGS: &[&str] = &[
    "rollback",
    "rollbacks",
    "roll back",
    "rolling back",
    "rolled back",
];

/// Headings about rolling back something other than a release.
const OTHER_ROLLBACKS: &[&str] = &[
    "transaction",
    "transactions",
    "migration",
    "migrations",
    "database",
    "schema",
];

/// Most rollback sections read in one document.
const MAX_SECTIONS: usize = 50;

/// Words of a workflow name, file or job about rolling back.
const ROLLBACK_NAMES: &[&str] = &["rollback", "roll-back", "roll back", "revert", "undo"];

impl golive_core::Check for RollbackPath {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let ws = cx.ws;
        let mut s = Search::default();
        s.pipelines(ws);
        s.scripts(ws);
        s.manifests(ws);
        s.documents(ws);
        if s.deploys.is_empty() {
            return Outcome::not_applicable(if s.infrastructure {
                "the repository only applies infrastructure (terraform apply): rolling it back is a revert and an apply, not a release rollback"
            } else {
                "the repository deploys nothing golive can see: no long-running Kubernetes workload, Helm application chart, Argo CD/Flux object or pipeline deploy step"
            });
        }
        let mut findings = s.history_findings;
        let mut evidence = s.mechanisms;
        if evidence.is_empty() {
            if s.commandless.is_empty() {
                findings.push(
                    Finding::repo(format!(
                        "no rollback path: the repository deploys ({}), but no pipeline step, workflow, automatic rollback or documented procedure rolls a release back",
                        s.deploys.join("; ")
                    )),
                );
            } else {
                for (path, line, heading) in &s.commandless {
                    findings.push(Finding::at(
                        Location::line(path, *line),
                        format!("{path}: the `{heading}` section gives no command to roll back with, and nothing else in the repository rolls a release back"),
                    ).with_help("write the exact command in the section (e.g. `helm rollback web --namespace prod`, `kubectl rollout undo deployment/web`)"));
                }
            }
        } else {
            for (path, line, heading) in &s.commandless {
                evidence.push(Evidence::at(
                    path,
                    *line,
                    format!("note: the `{heading}` section gives no command"),
                ));
            }
        }
        evidence.push(Evidence::note(format!("deploys: {}", s.deploys.join("; "))));
        Outcome::from_findings(findings, evidence)
    }
}

#[derive(Default)]
struct Search {
    /// What the repository deploys, for messages.
    deploys: Vec<String>,
    /// Whether a pipeline applies infrastructure.
    infrastructure: bool,
    /// Rollback mechanisms found.
    mechanisms: Vec<Evidence>,
    /// Rollback sections without a command: (path, line, heading).
    commandless: Vec<(String, u32, String)>,
    /// Deployments that keep no revision history.
    history_findings: Vec<Finding>,
}

impl Search {
    fn deploy(&mut self, what: String) {
        if !self.deploys.contains(&what) {
            self.deploys.push(what);
        }
    }

    /// Reads the commands of a script text located at `at`; `source` names it for evidence.
    fn script(&mut self, text: &str, path: &str, line: u32, source: &str) {
        for l in text.lines() {
            for c in commands(l) {
                match c {
                    Command::Rollback(cmd) => self.mechanisms.push(Evidence::at(
                        path,
                        line,
                        format!("{source} rolls back with `{cmd}`"),
                    )),
                    Command::AutoRollback(cmd) => {
                        self.deploy(format!("{source} deploys with `{cmd}`"));
                        self.mechanisms.push(Evidence::at(
                            path,
                            line,
                            format!("{source} deploys with `{cmd}`, which rolls back a failed upgrade by itself"),
                        ));
                    }
                    Command::Deploy(cmd) => self.deploy(format!("{source} runs `{cmd}`")),
                    Command::Infrastructure(_) => self.infrastructure = true,
                }
            }
        }
    }

    fn pipelines(&mut self, ws: &golive_core::Workspace) {
        let workflows = github::workflows(ws);
        for wf in &workflows.parsed {
            let path = &wf.file.path;
            let before = (self.mechanisms.len(), self.deploys.len());
            for job in &wf.jobs {
                for step in &job.steps {
                    let source = format!(
                        "workflow `{}` job `{}` step {}",
                        wf.display_name(),
                        job.id,
                        step.label()
                    );
                    if let Some(run) = step.run
                        && let Some(text) = run.as_text()
                    {
                        self.script(text, path, run.line(), &source);
                    }
                    if let Some(uses) = step.uses.and_then(|u| u.as_text())
                        && deploy_action(uses)
                    {
                        self.deploy(format!("{source} uses `{uses}`"));
                    }
                }
            }
            // A workflow run by hand to roll back.
            let dispatch = wf.triggers.iter().find(|t| t.event == "workflow_dispatch");
            let named = |s: &str| {
                let s = s.to_ascii_lowercase();
                ROLLBACK_NAMES.iter().any(|w| s.contains(w))
            };
            let is_rollback = named(wf.display_name())
                || named(wf.file.name())
                || wf.jobs.iter().any(|j| named(j.id));
            let acts = self.mechanisms.len() > before.0
                || self.deploys.len() > before.1
                || wf.jobs.iter().any(|j| j.uses.is_some());
            if let Some(t) = dispatch
                && is_rollback
                && acts
            {
                let inputs: Vec<&str> = t
                    .config
                    .and_then(|c| c.get("inputs"))
                    .into_iter()
                    .flat_map(|i| i.entries())
                    .filter_map(|(k, _)| k.as_text())
                    .collect();
                self.mechanisms.push(Evidence::located(
                    &t.node.location(path),
                    format!(
                        "workflow `{}` is run by hand (workflow_dispatch) to roll back{}",
                        wf.display_name(),
                        if inputs.is_empty() {
                            String::new()
                        } else {
                            format!(", with input(s) {}", inputs.join(", "))
                        }
                    ),
                ));
            }
        }
        for action in github::composite_actions(ws) {
            for step in &action.steps {
                if let Some(run) = step.run
                    && let Some(text) = run.as_text()
                {
                    let source = format!(
                        "composite action {} step {}",
                        action.file.path,
                        step.label()
                    );
                    self.script(text, &action.file.path, run.line(), &source);
                }
            }
        }
        if let Some(gl) = pipelines::gitlab(ws) {
            for job in gl.jobs() {
                for line in gl.scripts(&job) {
                    if let Some(text) = line.node.as_text() {
                        let source = format!("GitLab job `{}`", job.name);
                        self.script(text, &line.file.path, line.node.line(), &source);
                    }
                }
            }
        }
        for other in pipelines::other_pipelines(ws) {
            for (i, l) in other.file.text.lines().enumerate() {
                let source = format!("{} pipeline {}", other.system, other.file.path);
                self.script(l, &other.file.path, i as u32 + 1, &source);
            }
        }
    }

    /// Shell scripts and Makefiles of the repository's own.
    fn scripts(&mut self, ws: &golive_core::Workspace) {
        for file in ws
            .files()
            .iter()
            .filter(|f| !crate::foreign::is_not_ours(&f.path))
        {
            let is_script = file.kind == FileKind::Source(Lang::Shell)
                || matches!(
                    file.name(),
                    "Makefile" | "makefile" | "GNUmakefile" | "justfile" | "Justfile"
                );
            if !is_script {
                continue;
            }
            for (i, l) in file.text.lines().enumerate() {
                self.script(l, &file.path, i as u32 + 1, &file.path);
            }
        }
    }

    fn manifests(&mut self, ws: &golive_core::Workspace) {
        let m = Manifests::new(ws);
        let mut long_running: Vec<String> = Vec::new();
        for w in m.workloads().iter().filter(|w| w.obj.is_long_running()) {
            let name = w.obj.display_name();
            if !long_running.contains(&name) {
                long_running.push(name);
            }
        }
        if !long_running.is_empty() {
            let shown: Vec<&str> = long_running.iter().take(3).map(String::as_str).collect();
            self.deploy(format!(
                "Kubernetes workloads ({}{})",
                shown.join(", "),
                if long_running.len() > 3 {
                    format!(" and {} more", long_running.len() - 3)
                } else {
                    String::new()
                }
            ));
        }
        for obj in m.objects() {
            match (obj.group(), obj.kind) {
                ("argoproj.io", "Application" | "ApplicationSet")
                | ("kustomize.toolkit.fluxcd.io", "Kustomization")
                | ("helm.toolkit.fluxcd.io", "HelmRelease") => {
                    self.deploy(format!("GitOps {}", obj.display_name()));
                }
                ("argoproj.io", "Rollout") => {
                    let strategy = obj.node.path(&["spec", "strategy"]);
                    let analysis: Option<Node<'_>> = strategy.and_then(|s| {
                        s.path(&["canary", "analysis"])
                            .or_else(|| {
                                s.path(&["canary", "steps"])?
                                    .items()
                                    .find_map(|step| step.get("analysis"))
                            })
                            .or_else(|| s.path(&["blueGreen", "prePromotionAnalysis"]))
                            .or_else(|| s.path(&["blueGreen", "postPromotionAnalysis"]))
                    });
                    if let Some(a) = analysis {
                        self.mechanisms.push(Evidence::located(
                            &a.location(&obj.file.path),
                            format!(
                                "{}: a failed analysis aborts the rollout and returns traffic to the stable version (automatic rollback)",
                                obj.display_name()
                            ),
                        ));
                    }
                }
                ("flagger.app", "Canary") => {
                    let analysis = obj
                        .node
                        .path(&["spec", "analysis"])
                        .or_else(|| obj.node.path(&["spec", "canaryAnalysis"]));
                    if let Some(a) = analysis
                        && a.get("metrics").is_some_and(|m| m.items().next().is_some())
                    {
                        self.mechanisms.push(Evidence::located(
                            &a.location(&obj.file.path),
                            format!(
                                "{}: Flagger rolls the canary back when its metric checks fail{}",
                                obj.display_name(),
                                a.get_str("threshold")
                                    .map(|t| format!(" {t} times"))
                                    .unwrap_or_default()
                            ),
                        ));
                    }
                }
                _ => {}
            }
        }
        // Without revision history there is nothing to undo to.
        for obj in m.objects() {
            let undo = match (obj.group(), obj.kind) {
                ("apps", "Deployment") => "kubectl rollout undo",
                ("argoproj.io", "Rollout") => "kubectl argo rollouts undo",
                _ => continue,
            };
            if let Some(limit) = obj.node.path(&["spec", "revisionHistoryLimit"])
                && limit.as_i64() == Some(0)
            {
                self.history_findings.push(Finding::at(
                    limit.location(&obj.file.path),
                    format!(
                        "{}: revisionHistoryLimit: 0 keeps no previous ReplicaSet, so `{undo}` has no version to return to",
                        obj.display_name()
                    ),
                ).with_help("keep a few revisions (remove revisionHistoryLimit, default 10, or set it to 3 or more)"));
            }
        }
        for chart in ws.files().iter().filter(|f| f.name() == "Chart.yaml") {
            if crate::foreign::is_not_ours(&chart.path) {
                continue;
            }
            let library = chart
                .yaml_docs()
                .iter()
                .filter_map(|d| d.root())
                .any(|r| r.get_str("type") == Some("library"));
            if !library {
                let dir = if chart.dir().is_empty() {
                    "."
                } else {
                    chart.dir()
                };
                self.deploy(format!("Helm chart `{dir}`"));
            }
        }
    }

    fn documents(&mut self, ws: &golive_core::Workspace) {
        for file in doc_files(ws) {
            // Release notes mention rollbacks that shipped, not how to roll back.
            let stem = split_name(file.name()).0.to_ascii_lowercase();
            if [
                "changelog",
                "changes",
                "history",
                "news",
                "release-notes",
                "releases",
            ]
            .contains(&stem.as_str())
            {
                continue;
            }
            let Some(outline) = Outline::of(file) else {
                continue;
            };
            let code = outline.code();
            let mut in_sections: Vec<u32> = Vec::new();
            let mut sections = 0;
            for (index, heading) in outline.headings.iter().enumerate() {
                if !heading_is_about(&heading.text, ROLLBACK_HEADINGS, OTHER_ROLLBACKS) {
                    continue;
                }
                // Bounded: a document has a handful of rollback sections, not thousands.
                sections += 1;
                if sections > MAX_SECTIONS {
                    break;
                }
                let (first, last) = outline.section(index);
                let found = code
                    .iter()
                    .filter(|c| c.line >= first && c.line <= last)
                    .find_map(|c| {
                        let cmd = commands(&c.text).into_iter().find(|c| {
                            matches!(
                                c,
                                Command::Rollback(_)
                                    | Command::AutoRollback(_)
                                    | Command::Deploy(_)
                            )
                        });
                        cmd.map(|cmd| (c.line, cmd))
                    });
                match found {
                    Some((line, cmd)) => {
                        in_sections.push(line);
                        self.mechanisms.push(Evidence::at(
                            &file.path,
                            heading.line,
                            format!(
                                "the `{}` section documents the rollback: `{}` (line {line})",
                                heading.text.trim(),
                                name_of(cmd)
                            ),
                        ));
                    }
                    None => self.commandless.push((
                        file.path.clone(),
                        heading.line,
                        heading.text.trim().to_string(),
                    )),
                }
            }
            // Rollback commands shown anywhere else in the document.
            for c in code
                .iter()
                .filter(|c| !c.prose && !in_sections.contains(&c.line))
            {
                if let Some(Command::Rollback(cmd)) = commands(&c.text)
                    .into_iter()
                    .find(|c| matches!(c, Command::Rollback(_)))
                {
                    self.mechanisms.push(Evidence::at(
                        &file.path,
                        c.line,
                        format!("{} shows how to roll back: `{cmd}`", file.path),
                    ));
                    break;
                }
            }
        }
    }
}

fn name_of(c: Command) -> &'static str {
    match c {
        Command::Rollback(n)
        | Command::AutoRollback(n)
        | Command::Deploy(n)
        | Command::Infrastructure(n) => n,
    }
}
