//! CI jobs as the delivery checks read them, across systems: GitHub Actions jobs (with local
//! composite actions inlined and local reusable workflows expanded into the calling job),
//! GitLab CI jobs (stages, `needs`, `environment`, `when: manual`), and the other CI systems'
//! files read as one job each. On top of the jobs: which commands deploy, which environment a
//! job deploys to, and whether a human gate stands before it. Shared by the delivery checks so
//! that they agree on what a deploy job is.

use crate::ci::github::{self, ActionRef};
use crate::ci::pipelines;
use crate::ci::test_commands::{base, is_prefix, logical_lines, segments, tokens};
use golive_core::parse::yaml::Node;
use golive_core::{Location, SourceFile, Workspace};

/// The CI system a job belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum System {
    GitHub,
    GitLab,
    Other(&'static str),
}

/// One logical shell line of a step, where it is written.
#[derive(Clone, Debug)]
pub(crate) struct Line {
    pub text: String,
    pub location: Location,
}

/// One step of a job (GitLab and other systems: the job's whole script is one step).
pub(crate) struct Step<'a> {
    /// How the step is called in messages (`step \`Deploy\``).
    pub label: String,
    pub name: Option<&'a str>,
    /// A remote action, lowercased `owner/repo[/path]`.
    pub action: Option<String>,
    pub with: Option<Node<'a>>,
    pub location: Location,
    pub lines: Vec<Line>,
}

/// A declared deployment environment (`environment:` of a GitHub or GitLab job).
#[derive(Clone, Debug)]
pub(crate) struct EnvDecl {
    /// The name as written, with `${{ inputs.x }}` of a reusable workflow resolved.
    pub name: String,
    pub location: Location,
    /// GitLab `action: stop` (tears an environment down, deploys nothing).
    pub stops: bool,
    /// GitLab `deployment_tier` (production, staging, testing, development, other).
    pub tier: Option<String>,
}

impl EnvDecl {
    /// The text that says which environment this is: GitLab's tier when it names one, else
    /// the name.
    pub fn kind_text(&self) -> &str {
        match self.tier.as_deref() {
            Some(t @ ("production" | "staging" | "testing" | "development")) => t,
            _ => &self.name,
        }
    }
}

/// One CI job.
pub(crate) struct Job<'a> {
    pub system: System,
    /// Jobs refer to each other (`needs`) within a scope: a workflow, a GitLab configuration.
    pub scope: usize,
    pub id: String,
    /// How the job is called in messages (`workflow \`CD\` job \`deploy\``).
    pub label: String,
    pub name: Option<String>,
    /// Where findings about the job point (its key).
    pub location: Location,
    pub steps: Vec<Step<'a>>,
    pub needs: Vec<String>,
    /// GitLab: the index of the job's stage.
    pub stage: Option<usize>,
    pub environment: Option<EnvDecl>,
    /// A human starts the job: GitLab `when: manual`, a CircleCI approval, a Jenkins `input`.
    pub manual: Option<(Location, String)>,
    /// GitHub: the events that start the workflow.
    pub events: Vec<String>,
    /// Runs on tag pushes (GitHub `on: push: tags`, GitLab `$CI_COMMIT_TAG` / `only: tags`).
    pub on_tags: Option<Location>,
    /// What the job runs comes from configuration golive cannot read (a reusable workflow of
    /// another repository, a GitLab template from another project): what, and where it is
    /// named.
    pub opaque: Option<(String, Location)>,
}

impl Job<'_> {
    /// The job's commands, step by step.
    pub fn lines(&self) -> impl Iterator<Item = (&Step<'_>, &Line)> {
        self.steps
            .iter()
            .flat_map(|s| s.lines.iter().map(move |l| (s, l)))
    }
}

/// Every CI job of the repository.
pub(crate) struct Pipelines<'a> {
    pub ws: &'a Workspace,
    pub jobs: Vec<Job<'a>>,
    /// Configuration files that do not parse (parse/invalid-yaml reports why).
    pub unreadable: Vec<String>,
}

impl<'a> Pipelines<'a> {
    pub fn read(ws: &'a Workspace) -> Pipelines<'a> {
        let mut jobs = Vec::new();
        let workflows = github::workflows(ws);
        let mut unreadable: Vec<String> = workflows
            .unreadable
            .iter()
            .map(|f| f.path.clone())
            .collect();
        let called: Vec<String> = workflows
            .parsed
            .iter()
            .flat_map(|w| w.jobs.iter())
            .filter_map(|j| local_workflow_path(j.uses?.as_text()?))
            .collect();
        for (wi, wf) in workflows.parsed.iter().enumerate() {
            // A reusable workflow called from this repository is read inside its callers.
            let only_called = !wf.triggers.is_empty()
                && wf.triggers.iter().all(|t| t.event == "workflow_call")
                && called.contains(&wf.file.path);
            if only_called {
                continue;
            }
            let events: Vec<String> = wf.triggers.iter().map(|t| t.event.to_string()).collect();
            let on_tags = wf
                .triggers
                .iter()
                .filter(|t| t.event == "push")
                .find_map(|t| t.config?.get("tags"))
                .map(|n| n.location(&wf.file.path));
            for job in &wf.jobs {
                let callee = job
                    .uses
                    .and_then(|u| u.as_text())
                    .and_then(local_workflow_path)
                    .and_then(|p| workflows.parsed.iter().find(|w| w.file.path == p));
                if let Some(callee) = callee {
                    let inputs = job.node.get("with");
                    for inner in &callee.jobs {
                        let mut j = github_job(ws, wi, wf, inner, inputs);
                        j.id = format!("{}::{}", job.id, inner.id);
                        j.label = format!(
                            "workflow `{}` job `{}` (reusable workflow `{}` job `{}`)",
                            wf.display_name(),
                            job.id,
                            callee.file.path,
                            inner.id
                        );
                        j.needs = if j.needs.is_empty() {
                            needs_of(job.node)
                        } else {
                            j.needs.iter().map(|n| format!("{}::{n}", job.id)).collect()
                        };
                        if j.environment.is_none() {
                            j.environment = environment_of(job.node, &wf.file.path, None);
                        }
                        j.events = events.clone();
                        j.on_tags = on_tags.clone();
                        jobs.push(j);
                    }
                    continue;
                }
                let mut j = github_job(ws, wi, wf, job, None);
                j.events = events.clone();
                j.on_tags = on_tags.clone();
                jobs.push(j);
            }
        }
        let scope = workflows.parsed.len();
        if let Some(gl) = pipelines::gitlab(ws) {
            unreadable.extend(gl.unreadable.iter().cloned());
            jobs.extend(gitlab_jobs(&gl, scope));
        }
        for (i, p) in pipelines::other_pipelines(ws).iter().enumerate() {
            jobs.push(other_job(p.system, p.file, scope + 1 + i));
        }
        Pipelines {
            ws,
            jobs,
            unreadable,
        }
    }

    /// Whether job `later` runs after job `earlier` has finished: it `needs` it (directly or
    /// through other jobs), or (GitLab) it is in a later stage and does not narrow its `needs`.
    pub fn runs_after(&self, later: &Job<'_>, earlier: &Job<'_>) -> bool {
        if later.scope != earlier.scope || later.id == earlier.id {
            return false;
        }
        if later.system == System::GitLab
            && later.needs.is_empty()
            && let (Some(a), Some(b)) = (later.stage, earlier.stage)
            && a > b
        {
            return true;
        }
        let mut seen: Vec<&str> = Vec::new();
        let mut todo: Vec<&str> = later.needs.iter().map(String::as_str).collect();
        while let Some(n) = todo.pop() {
            if seen.contains(&n) || seen.len() > 1000 {
                continue;
            }
            seen.push(n);
            if needs_names(n, &earlier.id) {
                return true;
            }
            for j in self.jobs.iter().filter(|j| j.scope == later.scope) {
                if needs_names(n, &j.id) {
                    todo.extend(j.needs.iter().map(String::as_str));
                }
            }
        }
        false
    }

    /// The jobs `job` needs, directly or through others (same scope; GitLab stages alone do
    /// not count: a manual job in an earlier stage does not hold later stages back).
    pub fn needed_by<'s>(&'s self, job: &Job<'_>) -> Vec<&'s Job<'a>> {
        let mut out: Vec<&'s Job<'a>> = Vec::new();
        let mut todo: Vec<&str> = job.needs.iter().map(String::as_str).collect();
        let mut seen: Vec<&str> = Vec::new();
        while let Some(n) = todo.pop() {
            if seen.contains(&n) || seen.len() > 1000 {
                continue;
            }
            seen.push(n);
            for j in self
                .jobs
                .iter()
                .filter(|j| j.scope == job.scope && needs_names(n, &j.id))
            {
                if !out.iter().any(|o| o.id == j.id) {
                    out.push(j);
                    todo.extend(j.needs.iter().map(String::as_str));
                }
            }
        }
        out
    }
}

/// Whether a `needs` entry names a job (a caller job names every job of its reusable workflow).
fn needs_names(need: &str, id: &str) -> bool {
    id == need
        || id
            .strip_prefix(need)
            .is_some_and(|rest| rest.starts_with("::"))
}

/// `./.github/workflows/deploy.yml` → `.github/workflows/deploy.yml`.
fn local_workflow_path(uses: &str) -> Option<String> {
    let path = uses.trim().strip_prefix("./")?;
    github::is_workflow_path(path).then(|| path.to_string())
}

fn needs_of(node: Node<'_>) -> Vec<String> {
    match node.get("needs") {
        Some(n) if n.as_text().is_some() => {
            n.as_text().map(|s| vec![s.to_string()]).unwrap_or_default()
        }
        Some(n) => n
            .items()
            .filter_map(|i| i.as_text().or_else(|| i.get_str("job")))
            .map(str::to_string)
            .collect(),
        None => Vec::new(),
    }
}

/// A job's `environment:` (a name, or a map with `name`), with `${{ inputs.x }}` resolved from
/// the caller's `with:` for reusable workflows.
fn environment_of(node: Node<'_>, path: &str, inputs: Option<Node<'_>>) -> Option<EnvDecl> {
    let env = node.get("environment")?;
    let (name_node, stops) = if env.is_map() {
        (env.get("name")?, env.get_str("action") == Some("stop"))
    } else {
        (env, false)
    };
    let raw = name_node.as_text()?.trim();
    let name = resolve_inputs(raw, inputs);
    Some(EnvDecl {
        name,
        location: name_node.location(path),
        stops,
        tier: None,
    })
}

/// `${{ inputs.environment }}` → the caller's `with: environment:` value, when it is written.
fn resolve_inputs(raw: &str, inputs: Option<Node<'_>>) -> String {
    let Some(inputs) = inputs else {
        return raw.to_string();
    };
    let inner = raw
        .strip_prefix("${{")
        .and_then(|r| r.strip_suffix("}}"))
        .map(str::trim);
    if let Some(key) = inner.and_then(|i| i.strip_prefix("inputs."))
        && let Some(value) = inputs.get_str(key.trim())
    {
        return value.to_string();
    }
    raw.to_string()
}

fn github_job<'a>(
    ws: &'a Workspace,
    scope: usize,
    wf: &github::Workflow<'a>,
    job: &github::Job<'a>,
    inputs: Option<Node<'a>>,
) -> Job<'a> {
    let path = &wf.file.path;
    let mut steps = Vec::new();
    for (i, step) in job.steps.iter().enumerate() {
        let action = match step.uses.and_then(|u| u.as_text()).map(ActionRef::parse) {
            Some(ActionRef::Remote { .. }) => step
                .uses
                .and_then(|u| u.as_text())
                .map(|u| u.split('@').next().unwrap_or(u).to_ascii_lowercase()),
            Some(ActionRef::Local(local)) => {
                if let Some(composite) = github::local_composite_action(ws, local) {
                    for inner in &composite.steps {
                        steps.push(github_step(
                            composite.file,
                            inner,
                            format!(
                                "step {} → composite action step {}",
                                step.label(),
                                inner.label()
                            ),
                        ));
                    }
                }
                None
            }
            _ => None,
        };
        let mut s = github_step(wf.file, step, format!("step {}", step.label()));
        if step.name.is_none() && step.uses.is_none() && step.run.is_none() {
            s.label = format!("step {}", i + 1);
        }
        s.action = action;
        steps.push(s);
    }
    Job {
        system: System::GitHub,
        scope,
        id: job.id.to_string(),
        label: format!("workflow `{}` job `{}`", wf.display_name(), job.id),
        name: job.node.get_str("name").map(str::to_string),
        location: job.key.location(path),
        steps,
        needs: needs_of(job.node),
        stage: None,
        environment: environment_of(job.node, path, inputs),
        manual: None,
        events: Vec::new(),
        on_tags: None,
        opaque: job
            .uses
            .and_then(|u| u.as_text().map(|t| (t, u)))
            .filter(|(t, _)| matches!(ActionRef::parse(t), ActionRef::Remote { .. }))
            .map(|(t, u)| (format!("reusable workflow `{t}`"), u.location(path))),
    }
}

fn github_step<'a>(file: &'a SourceFile, step: &github::Step<'a>, label: String) -> Step<'a> {
    let lines = step
        .run
        .map(|run| scalar_lines(file, run))
        .unwrap_or_default();
    Step {
        label,
        name: step.name,
        action: None,
        with: step.with,
        location: step.node.location(&file.path),
        lines,
    }
}

/// The logical lines of a YAML scalar holding a script, each located on its own line.
fn scalar_lines(file: &SourceFile, node: Node<'_>) -> Vec<Line> {
    let Some(text) = node.as_text() else {
        return Vec::new();
    };
    logical_lines(text)
        .into_iter()
        .map(|(i, logical)| {
            let first = text.lines().nth(i).unwrap_or("");
            let line = github::line_of(file, node, first);
            Line {
                text: logical,
                location: Location::line(file.path.as_str(), line),
            }
        })
        .collect()
}

/// GitLab's stages when `stages:` is not written.
const GITLAB_DEFAULT_STAGES: &[&str] = &[".pre", "build", "test", "deploy", ".post"];

fn gitlab_jobs<'a>(gl: &pipelines::Gitlab<'a>, scope: usize) -> Vec<Job<'a>> {
    let stages: Vec<String> = match gl.top("stages") {
        Some(s) => {
            let mut v: Vec<String> = vec![".pre".into()];
            v.extend(
                s.node
                    .items()
                    .filter_map(|i| i.as_text())
                    .map(str::to_string),
            );
            v.push(".post".into());
            v
        }
        None => GITLAB_DEFAULT_STAGES
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    let mut out = Vec::new();
    for job in gl.jobs() {
        if gl.job_value(&job, "trigger").is_some() {
            continue;
        }
        let path = job.file.path.as_str();
        let stage_name = gl
            .job_value(&job, "stage")
            .and_then(|s| s.node.as_text())
            .unwrap_or("test");
        let stage = stages.iter().position(|s| s == stage_name);
        let lines: Vec<Line> = gl
            .scripts(&job)
            .iter()
            .flat_map(|l| scalar_lines(l.file, l.node))
            .collect();
        let environment = gl.job_value(&job, "environment").and_then(|e| {
            let (name_node, stops) = if e.node.is_map() {
                (
                    e.node.get("name")?,
                    e.node.get_str("action") == Some("stop"),
                )
            } else {
                (e.node, false)
            };
            Some(EnvDecl {
                name: name_node.as_text()?.trim().to_string(),
                location: name_node.location(&e.file.path),
                stops,
                tier: e.node.get_str("deployment_tier").map(str::to_string),
            })
        });
        let mut manual = None;
        if let Some(w) = gl.job_value(&job, "when")
            && w.node.as_text() == Some("manual")
        {
            manual = Some((w.node.location(&w.file.path), "`when: manual`".to_string()));
        }
        let mut on_tags = None;
        if let Some(rules) = gl.job_value(&job, "rules") {
            for rule in rules.node.items() {
                if manual.is_none()
                    && let Some(w) = rule.get("when")
                    && w.as_text() == Some("manual")
                {
                    manual = Some((
                        w.location(&rules.file.path),
                        "a rule with `when: manual`".to_string(),
                    ));
                }
                if on_tags.is_none()
                    && rule.get_str("when") != Some("never")
                    && let Some(cond) = rule.get("if")
                    && cond.as_text().is_some_and(|c| {
                        c.contains("CI_COMMIT_TAG")
                            && !c.contains("CI_COMMIT_TAG ==")
                            && !c.contains("== null")
                    })
                {
                    on_tags = Some(cond.location(&rules.file.path));
                }
            }
        }
        if let Some(only) = gl.job_value(&job, "only") {
            let refs = only.node.get("refs").unwrap_or(only.node);
            if let Some(t) = refs
                .items()
                .chain(std::iter::once(refs))
                .find(|i| i.as_text() == Some("tags"))
            {
                on_tags = Some(t.location(&only.file.path));
            }
        }
        let needs = gl
            .job_value(&job, "needs")
            .map(|n| {
                n.node
                    .items()
                    .filter_map(|i| i.as_text().or_else(|| i.get_str("job")))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        out.push(Job {
            system: System::GitLab,
            scope,
            id: job.name.to_string(),
            label: format!("GitLab job `{}`", job.name),
            name: None,
            location: job.key.location(path),
            steps: vec![Step {
                label: "script".into(),
                name: None,
                action: None,
                with: None,
                location: job.key.location(path),
                lines,
            }],
            needs,
            stage,
            environment,
            manual,
            events: Vec::new(),
            on_tags,
            opaque: None,
        });
    }
    // A job whose script comes from an include golive cannot read.
    if !gl.external_includes.is_empty() {
        for job in out.iter_mut() {
            if job.steps.iter().all(|s| s.lines.is_empty()) {
                job.opaque = Some((
                    "a script from an include golive cannot read".to_string(),
                    job.location.clone(),
                ));
            }
        }
    }
    out
}

/// Another CI system's file, read as one job: its lines, its declared environment and its
/// approval steps.
fn other_job<'a>(system: &'static str, file: &'a SourceFile, scope: usize) -> Job<'a> {
    let lines: Vec<Line> = logical_lines(&file.text)
        .into_iter()
        .map(|(i, text)| Line {
            text,
            location: Location::line(file.path.as_str(), i as u32 + 1),
        })
        .collect();
    let mut environment = None;
    let mut manual = None;
    for doc in file.yaml_docs() {
        for node in doc.nodes() {
            // Azure deployment jobs' `environment:` and Bitbucket's `deployment:` name
            // environments; elsewhere `environment:` holds variables.
            let key = match system {
                "Azure Pipelines" => "environment",
                "Bitbucket Pipelines" => "deployment",
                _ => "",
            };
            if environment.is_none()
                && !key.is_empty()
                && let Some(env) = node.get(key)
            {
                let name_node = if env.is_map() {
                    env.get("name")
                } else {
                    Some(env)
                };
                if let Some(n) = name_node
                    && let Some(name) = n.as_text()
                {
                    environment = Some(EnvDecl {
                        name: name.trim().to_string(),
                        location: n.location(&file.path),
                        stops: false,
                        tier: None,
                    });
                }
            }
            if manual.is_none() {
                manual = approval_node(system, node, &file.path);
            }
        }
    }
    if manual.is_none() && system == "Jenkins" {
        manual = lines.iter().find_map(|l| {
            let t = l.text.trim_start();
            (t.starts_with("input ") || t.starts_with("input(") || t.starts_with("input message"))
                .then(|| (l.location.clone(), "a Jenkins `input` step".to_string()))
        });
    }
    Job {
        system: System::Other(system),
        scope,
        id: file.path.clone(),
        label: format!("{system} (`{}`)", file.path),
        name: None,
        location: Location::file(file.path.as_str()),
        steps: vec![Step {
            label: "script".into(),
            name: None,
            action: None,
            with: None,
            location: Location::file(file.path.as_str()),
            lines,
        }],
        needs: Vec::new(),
        stage: None,
        environment,
        manual,
        events: Vec::new(),
        on_tags: None,
        opaque: None,
    }
}

/// An approval step of another CI system: CircleCI `type: approval`, Buildkite `block`/`input`,
/// Azure Pipelines `ManualValidation` tasks.
fn approval_node(system: &str, node: Node<'_>, path: &str) -> Option<(Location, String)> {
    match system {
        "CircleCI" => node
            .get("type")
            .filter(|t| t.as_text() == Some("approval"))
            .map(|t| {
                (
                    t.location(path),
                    "a CircleCI `type: approval` job".to_string(),
                )
            }),
        "Buildkite" => ["block", "input"].iter().find_map(|k| {
            node.entry(k)
                .map(|(key, _)| (key.location(path), format!("a Buildkite `{k}` step")))
        }),
        "Azure Pipelines" => node
            .get("task")
            .filter(|t| {
                t.as_text()
                    .is_some_and(|t| t.to_ascii_lowercase().starts_with("manualvalidation"))
            })
            .map(|t| {
                (
                    t.location(path),
                    "an Azure `ManualValidation` task".to_string(),
                )
            }),
        _ => None,
    }
}

/// The words of a command segment from the program on: leading shell keywords, wrappers,
/// variable assignments and CI-file syntax (`- run:`) dropped; the program is its base name.
pub(crate) fn command_words(segment: &str) -> Vec<String> {
    let toks = tokens(segment);
    let Some(start) = toks
        .iter()
        .position(|t| !is_prefix(t) && !t.starts_with('-'))
    else {
        return Vec::new();
    };
    let mut words: Vec<String> = toks[start..].to_vec();
    if let Some(first) = words.first_mut() {
        *first = base(first).to_ascii_lowercase();
    }
    words
}

/// What a deploy command does (`helm upgrade`, `kubectl apply`), if the line deploys.
pub(crate) fn deploy_in_line(line: &str) -> Option<String> {
    segments(line)
        .into_iter()
        .find_map(|s| deploy_command(&command_words(s)))
}

/// Whether the words (program first) deploy, and as what.
pub(crate) fn deploy_command(words: &[String]) -> Option<String> {
    let first = words.first()?.as_str();
    let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
    let has = |w: &str| args.contains(&w);
    let pair = |a: &str, b: &str| args.windows(2).any(|p| p[0] == a && p[1] == b);
    let dry_run = args
        .iter()
        .any(|a| a.starts_with("--dry-run") || *a == "--check");
    if dry_run {
        return None;
    }
    let found = match first {
        "kubectl" | "oc" => {
            if has("apply") {
                "apply"
            } else if has("replace") {
                "replace"
            } else if pair("set", "image") {
                "set image"
            } else if pair("rollout", "restart") {
                "rollout restart"
            } else if has("create")
                && args
                    .iter()
                    .any(|a| matches!(*a, "-f" | "-k" | "--filename"))
            {
                "create"
            } else {
                return None;
            }
        }
        // `helm diff upgrade` (the helm-diff plugin) previews an upgrade.
        "helm"
            if args
                .first()
                .is_some_and(|a| matches!(*a, "plugin" | "repo" | "diff" | "template")) =>
        {
            return None;
        }
        "helm" if has("upgrade") => "upgrade",
        "helm" if has("install") => "install",
        "helmfile" => ["apply", "sync", "deploy"].into_iter().find(|w| has(w))?,
        "argocd" if pair("app", "sync") => "app sync",
        "flux" if has("reconcile") => "reconcile",
        "terraform" | "tofu" | "terragrunt" if has("apply") => "apply",
        "pulumi" if has("up") => "up",
        "cdk" | "sam" | "serverless" | "sls" | "copilot" | "eb" | "fly" | "flyctl" | "kamal"
        | "firebase" | "netlify" | "garden" | "okteto" | "railway" | "waypoint" => {
            ["deploy", "up"].into_iter().find(|w| has(w))?
        }
        "skaffold" => ["run", "deploy"].into_iter().find(|w| has(w))?,
        "gcloud" => {
            // `gcloud run deploy`, `gcloud app deploy`, `gcloud deploy releases create`.
            let at = args.iter().position(|a| *a == "deploy")?;
            let path: Vec<&str> = args[..=at]
                .iter()
                .copied()
                .filter(|a| !a.starts_with('-'))
                .collect();
            return Some(format!("gcloud {}", path.join(" ")));
        }
        "aws" => {
            const AWS: &[(&str, &str)] = &[
                ("ecs", "update-service"),
                ("ecs", "deploy"),
                ("lambda", "update-function-code"),
                ("cloudformation", "deploy"),
                ("cloudformation", "update-stack"),
                ("deploy", "create-deployment"),
                ("elasticbeanstalk", "update-environment"),
                ("apprunner", "start-deployment"),
            ];
            let (service, op) = AWS.iter().find(|(s, o)| pair(s, o))?;
            return Some(format!("aws {service} {op}"));
        }
        "az" => {
            const AZ: &[(&str, &str)] = &[
                ("webapp", "deploy"),
                ("webapp", "up"),
                ("containerapp", "update"),
                ("containerapp", "up"),
                ("functionapp", "deployment"),
                ("deployment", "group"),
                ("spring", "app"),
            ];
            let (a, b) = AZ.iter().find(|(a, b)| pair(a, b))?;
            return Some(format!("az {a} {b}"));
        }
        "vercel" if has("deploy") || has("--prod") => "deploy",
        "wrangler" => ["deploy", "publish"].into_iter().find(|w| has(w))?,
        "heroku" if has("container:release") => "container:release",
        "git" if has("push") && args.iter().any(|a| *a == "heroku" || a.contains("dokku")) => {
            "push (Heroku/Dokku)"
        }
        "nomad" if pair("job", "run") => "job run",
        "docker" if pair("stack", "deploy") => "stack deploy",
        "kn" if pair("service", "create") || pair("service", "update") => "service update",
        "ko" if has("apply") => "apply",
        "cap" | "capistrano" if has("deploy") => "deploy",
        _ => return None,
    };
    Some(format!("{first} {found}"))
}

/// Actions that deploy (lowercased `owner/repo[/path]`). GitHub Pages actions publish a
/// documentation site, not the service, and are not deploys here.
const DEPLOY_ACTIONS: &[&str] = &[
    "azure/k8s-deploy",
    "azure/webapps-deploy",
    "azure/functions-action",
    "azure/container-apps-deploy-action",
    "azure/arm-deploy",
    "azure/aci-deploy",
    "azure/static-web-apps-deploy",
    "google-github-actions/deploy-cloudrun",
    "google-github-actions/deploy-appengine",
    "google-github-actions/deploy-cloud-functions",
    "google-github-actions/create-cloud-deploy-release",
    "google-github-actions/deploy-gke",
    "aws-actions/amazon-ecs-deploy-task-definition",
    "aws-actions/aws-cloudformation-github-deploy",
    "aws-actions/aws-lambda-deploy",
    "akhileshns/heroku-deploy",
    "deliverybot/helm",
    "cloudflare/wrangler-action",
    "cloudflare/pages-action",
    "amondnet/vercel-action",
    "nwtgck/actions-netlify",
    "dflook/terraform-apply",
    "hashicorp/tfc-workflows-github/actions/apply-run",
    "superfly/flyctl-actions",
    "digitalocean/app_action",
    "clowdhaus/argo-cd-action",
];

/// Whether a step's action deploys; the action name when it does.
pub(crate) fn deploy_action(step: &Step<'_>) -> Option<String> {
    let action = step.action.as_deref()?;
    let known = DEPLOY_ACTIONS.iter().any(|a| {
        action == *a || action.starts_with(&format!("{a}/")) && *a != "superfly/flyctl-actions"
    });
    if !known {
        return None;
    }
    // Actions that run a CLI deploy only when their arguments say so.
    let input = |k: &str| step.with.and_then(|w| w.get_str(k)).unwrap_or("");
    match action {
        "superfly/flyctl-actions" => input("args").contains("deploy").then(|| action.to_string()),
        "clowdhaus/argo-cd-action" => (input("command").contains("app")
            && input("options").contains("sync")
            || input("command").contains("sync"))
        .then(|| action.to_string()),
        _ => Some(action.to_string()),
    }
}

/// A deploy found in a job: the step, what it runs, and where.
#[derive(Clone, Debug)]
pub(crate) struct Deploy {
    pub step: String,
    pub what: String,
    pub location: Location,
    /// Index of the step in the job (deploys and checks are ordered by it).
    pub step_index: usize,
    /// The command line (or action inputs) as text, for finding the environment it targets.
    pub text: String,
}

/// The deploys of a job, in order.
pub(crate) fn deploys(job: &Job<'_>, ws: &Workspace) -> Vec<Deploy> {
    if throwaway_cluster(job) {
        return Vec::new();
    }
    let mut out = Vec::new();
    // A job whose steps golive cannot read deploys when its name or what it calls says so.
    if let Some((what, location)) = &job.opaque
        && [
            job.id.as_str(),
            what.as_str(),
            job.name.as_deref().unwrap_or(""),
        ]
        .iter()
        .any(|t| {
            has_word(
                t,
                &["deploy", "deployment", "release", "rollout", "promote"],
            )
        })
    {
        out.push(Deploy {
            step: String::new(),
            what: what.clone(),
            location: location.clone(),
            step_index: 0,
            text: String::new(),
        });
    }
    for (i, step) in job.steps.iter().enumerate() {
        if let Some(action) = deploy_action(step) {
            let text = step
                .with
                .map(|w| {
                    w.entries()
                        .filter_map(|(k, v)| Some(format!("{} {}", k.as_text()?, v.as_text()?)))
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .unwrap_or_default();
            out.push(Deploy {
                step: step.label.clone(),
                what: format!("`{action}`"),
                location: step.location.clone(),
                step_index: i,
                text,
            });
        }
        for line in &step.lines {
            if let Some(what) = deploy_in_line(&line.text) {
                out.push(Deploy {
                    step: step.label.clone(),
                    what: format!("`{what}`"),
                    location: line.location.clone(),
                    step_index: i,
                    text: line.text.clone(),
                });
            } else if let Some((what, via, inner)) = indirect_deploy(ws, &line.text) {
                out.push(Deploy {
                    step: step.label.clone(),
                    what: format!("`{what}` (via {via})"),
                    location: line.location.clone(),
                    step_index: i,
                    text: format!("{} {inner}", line.text),
                });
            }
        }
    }
    out
}

/// A deploy reached through the repository, one level deep: a script file the line runs
/// (`./scripts/deploy.sh`, `bash deploy/rollout.sh`) or a make target's recipe (`make
/// deploy`). (what, where, the deploying line)
fn indirect_deploy(ws: &Workspace, line: &str) -> Option<(String, String, String)> {
    for segment in segments(line) {
        let toks = tokens(segment);
        let Some(start) = toks
            .iter()
            .position(|t| !is_prefix(t) && !t.starts_with('-'))
        else {
            continue;
        };
        let first = toks[start].as_str();
        if first == "make" {
            let makefile = ws.file("Makefile").or_else(|| ws.file("makefile"))?;
            for target in toks[start + 1..]
                .iter()
                .filter(|t| !t.starts_with('-') && !t.contains('='))
            {
                if let Some(found) = make_target_deploy(&makefile.text, target) {
                    let (n, what, inner) = found;
                    return Some((what, format!("{}:{n}", makefile.path), inner));
                }
            }
            continue;
        }
        if !(first.ends_with(".sh") || first.starts_with("./")) {
            continue;
        }
        let path = first.trim_start_matches("./");
        let Some(file) = ws.file(path) else { continue };
        for (i, inner) in logical_lines(&file.text) {
            if let Some(what) = deploy_in_line(&inner) {
                return Some((what, format!("{}:{}", file.path, i + 1), inner));
            }
        }
    }
    None
}

/// The first deploy in a make target's recipe (tab-indented lines after `target:`):
/// (1-based line, what, the line).
fn make_target_deploy(text: &str, target: &str) -> Option<(usize, String, String)> {
    let mut inside = false;
    for (i, raw) in text.lines().enumerate() {
        if raw.starts_with('\t') {
            if inside {
                let cmd = raw.trim().trim_start_matches(['@', '-', '+']);
                if let Some(what) = deploy_in_line(cmd) {
                    return Some((i + 1, what, cmd.to_string()));
                }
            }
            continue;
        }
        inside = raw.split_once(':').is_some_and(|(names, rest)| {
            !rest.starts_with('=') && names.split_whitespace().any(|n| n == target)
        });
    }
    None
}

/// Actions and commands that create a throwaway cluster inside the CI runner.
const THROWAWAY_CLUSTER_ACTIONS: &[&str] = &[
    "helm/kind-action",
    "engineerd/setup-kind",
    "container-tools/kind-action",
    "medyagh/setup-minikube",
    "manusa/actions-setup-minikube",
    "absaoss/k3d-action",
    "nolar/setup-k3d-k3s",
    "debianmaster/actions-k3s",
];

/// Whether the job deploys into a cluster it creates for the run (kind, minikube, k3d): an
/// end-to-end test, not a deploy.
pub(crate) fn throwaway_cluster(job: &Job<'_>) -> bool {
    job.steps.iter().any(|s| {
        s.action
            .as_deref()
            .is_some_and(|a| THROWAWAY_CLUSTER_ACTIONS.contains(&a))
    }) || job.lines().any(|(_, l)| {
        segments(&l.text).into_iter().any(|seg| {
            let w = command_words(seg);
            let w: Vec<&str> = w.iter().map(String::as_str).collect();
            matches!(
                w.as_slice(),
                ["kind", "create", "cluster", ..]
                    | ["minikube", "start", ..]
                    | ["k3d", "cluster", "create", ..]
                    | ["ctlptl", "create", ..]
            )
        })
    })
}

/// Words that name the production environment.
const PRODUCTION: &[&str] = &["prod", "production", "prd", "live"];

/// Words that name another environment.
const OTHER_ENVIRONMENTS: &[&str] = &[
    "dev",
    "develop",
    "development",
    "test",
    "testing",
    "staging",
    "stage",
    "stg",
    "qa",
    "uat",
    "preview",
    "review",
    "sandbox",
    "local",
    "preprod",
    "preproduction",
    "nonprod",
    "integration",
    "perf",
    "demo",
    "ephemeral",
];

/// Which environment a name is, by its words (`deploy-prod`, `overlays/staging`,
/// `values-production.yaml`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum EnvKind {
    /// The word that names production.
    Production(String),
    /// The word that names another environment.
    Other(String),
}

/// The environment words of a text, production first: `deploy to staging` → Other(staging).
pub(crate) fn env_kind(text: &str) -> Option<EnvKind> {
    let lower = text
        .to_ascii_lowercase()
        .replace("pre-prod", "preprod")
        .replace("pre_prod", "preprod")
        .replace("non-prod", "nonprod")
        .replace("non_prod", "nonprod");
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if let Some(w) = words.iter().find(|w| PRODUCTION.contains(w)) {
        return Some(EnvKind::Production((*w).to_string()));
    }
    words
        .iter()
        .find(|w| OTHER_ENVIRONMENTS.contains(w))
        .map(|w| EnvKind::Other((*w).to_string()))
}

/// The words of a command that may name an environment: paths, names, flags; not URLs and
/// image references, whose host names say nothing about the target (`europe-docker.pkg.dev`,
/// `https://staging-docs.example.com`).
fn env_words(text: &str) -> String {
    text.split_whitespace()
        .filter(|w| {
            let host = w.split('/').next().unwrap_or("");
            !(w.contains("://")
                || (w.contains('/') && host.contains('.') && !host.starts_with('.')))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Which environment a deploy job targets, and why golive thinks so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Target {
    Production(String),
    Other(String),
}

impl Target {
    pub fn is_production(&self) -> bool {
        matches!(self, Target::Production(_))
    }

    pub fn why(&self) -> &str {
        match self {
            Target::Production(w) | Target::Other(w) => w,
        }
    }
}

/// The environment a deploy job targets: its declared environment, else its name, else what its
/// deploy commands name (`-n staging`, `overlays/prod`, `values-dev.yaml`); a job that names no
/// environment is taken for production.
pub(crate) fn target(job: &Job<'_>, deploys: &[Deploy]) -> Target {
    if let Some(env) = &job.environment
        && !env.name.contains("${{")
        && !env.name.starts_with('$')
    {
        return match env_kind(env.kind_text()) {
            Some(EnvKind::Other(_)) => Target::Other(format!("its environment is `{}`", env.name)),
            _ => Target::Production(format!("its environment is `{}`", env.name)),
        };
    }
    if job.system == System::GitHub
        && !job.events.is_empty()
        && job.events.iter().all(|e| {
            matches!(
                e.as_str(),
                "pull_request" | "pull_request_target" | "merge_group"
            )
        })
    {
        return Target::Other("its workflow runs on pull requests only: a preview".into());
    }
    let names = [Some(job.id.as_str()), job.name.as_deref()];
    for name in names.into_iter().flatten() {
        match env_kind(name) {
            Some(EnvKind::Production(_)) => {
                return Target::Production(format!("its name `{name}` says production"));
            }
            Some(EnvKind::Other(w)) => {
                return Target::Other(format!("its name `{name}` names `{w}`"));
            }
            None => {}
        }
    }
    let mut other = None;
    for d in deploys {
        match env_kind(&env_words(&d.text)) {
            Some(EnvKind::Production(w)) => {
                return Target::Production(format!("its deploy command names `{w}`"));
            }
            Some(EnvKind::Other(w)) if other.is_none() => other = Some(w),
            _ => {}
        }
    }
    if let Some(w) = other {
        return Target::Other(format!("its deploy command names `{w}`"));
    }
    Target::Production("it names no environment, so golive takes it for production".into())
}

/// A job that deploys: its deploys and the environment they target.
pub(crate) struct DeployJob<'p, 'a> {
    pub job: &'p Job<'a>,
    pub deploys: Vec<Deploy>,
    pub target: Target,
}

impl DeployJob<'_, '_> {
    /// Where findings about the deploy point: the job's key, or for CI systems read as one
    /// file, the first deploy command.
    pub fn location(&self) -> Location {
        match (self.job.system, self.deploys.first()) {
            (System::Other(_), Some(d)) => d.location.clone(),
            _ => self.job.location.clone(),
        }
    }
}

/// The jobs that deploy (GitLab `action: stop` jobs tear an environment down and are left out).
pub(crate) fn deploy_jobs<'p, 'a>(p: &'p Pipelines<'a>) -> Vec<DeployJob<'p, 'a>> {
    p.jobs
        .iter()
        .filter(|j| !j.environment.as_ref().is_some_and(|e| e.stops))
        .filter_map(|job| {
            let deploys = deploys(job, p.ws);
            if deploys.is_empty() {
                return None;
            }
            let target = target(job, &deploys);
            Some(DeployJob {
                job,
                deploys,
                target,
            })
        })
        .collect()
}

/// The not-applicable reason when every deploy targets another environment: which, and why.
pub(crate) fn non_production(
    jobs: &[DeployJob<'_, '_>],
    apps: &[crate::delivery::gitops::App<'_>],
) -> String {
    let mut which: Vec<String> = jobs
        .iter()
        .map(|dj| format!("{} ({})", dj.job.label, dj.target.why()))
        .collect();
    which.extend(apps.iter().map(|a| a.describe()));
    format!(
        "no deploy targets production; the deploys go to other environments: {}",
        which.join("; ")
    )
}

/// Words in a URL or command that say it checks health.
const HEALTH_WORDS: &[&str] = &[
    "health",
    "healthz",
    "healthcheck",
    "ready",
    "readyz",
    "readiness",
    "livez",
    "ping",
    "status",
    "smoke",
];

/// Whether a line checks a deployed service (and how), for smoke tests: an HTTP request to a
/// health URL or one that fails on an error status, `helm test`, a smoke/e2e test command, an
/// API or browser test runner.
pub(crate) fn check_in_line(line: &str) -> Option<String> {
    let lower = line.to_ascii_lowercase();
    let installs = lower.contains("| sh") || lower.contains("| bash") || lower.contains("|sh");
    for segment in segments(line) {
        let words = command_words(segment);
        let Some(first) = words.first().map(String::as_str) else {
            continue;
        };
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        let shown = github::shorten(&words.join(" "), 70);
        match first {
            "echo" | "printf" | "mkdir" | "cd" | "cat" | "ls" | "rm" | "cp" | "mv" => continue,
            "helm" if args.first() == Some(&"test") => return Some(shown),
            "curl" | "wget" | "http" | "https" | "hurl" | "grpcurl" | "grpc_health_probe" => {
                if installs || is_post(&args) {
                    continue;
                }
                let healthy = args
                    .iter()
                    .any(|a| has_word(a, HEALTH_WORDS) || a.contains("http_code"));
                if healthy {
                    return Some(shown);
                }
                if is_download(&args) {
                    continue;
                }
                let fails_on_error = matches!(first, "wget" | "hurl" | "grpc_health_probe")
                    || args.iter().any(|a| {
                        *a == "--fail"
                            || *a == "--fail-with-body"
                            || (a.starts_with('-') && !a.starts_with("--") && a.contains('f'))
                    });
                if fails_on_error {
                    return Some(shown);
                }
            }
            "k6" | "newman" | "artillery" | "venom" | "playwright" | "cypress"
                if args.iter().any(|a| matches!(*a, "run" | "test")) =>
            {
                return Some(shown);
            }
            _ => {}
        }
        // `npm run test:smoke`, `make e2e`, `./scripts/smoke-test.sh`, `pytest tests/smoke`.
        if words.iter().any(|w| {
            has_word(
                w,
                &["smoke", "smoketest", "smoketests", "e2e", "acceptance"],
            )
        }) && !first.contains("docker")
        {
            return Some(shown);
        }
    }
    None
}

/// Writes (`-X POST`, `--data`, webhooks) are not checks.
fn is_post(args: &[&str]) -> bool {
    args.iter().any(|a| {
        matches!(
            *a,
            "-d" | "-F" | "--form" | "POST" | "PUT" | "PATCH" | "-T" | "--upload-file"
        ) || a.contains("hooks.slack.com")
            || a.to_ascii_lowercase().contains("webhook")
            || a.starts_with("--data")
    })
}

/// Downloads (`-o file`, `-O`, `-fsSLO`) fetch tools and artefacts, not the service.
fn is_download(args: &[&str]) -> bool {
    args.iter().any(|a| {
        matches!(*a, "--output" | "--remote-name" | "--output-document")
            || (a.starts_with('-') && !a.starts_with("--") && (a.contains('o') || a.contains('O')))
            || [".tar.gz", ".tgz", ".zip", ".sh", ".deb", ".rpm"]
                .iter()
                .any(|ext| a.ends_with(ext))
    })
}

/// Whether one of `text`'s words (split at non-alphanumerics) is in `words`.
fn has_word(text: &str, words: &[&str]) -> bool {
    text.to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| words.contains(&w))
}

/// Actions that check a URL's health.
const HEALTH_ACTIONS: &[&str] = &[
    "jtalk/url-health-check-action",
    "cygnetdigital/wait_for_response",
    "emilioschepis/wait-for-endpoint",
    "mydea/action-wait-for-api",
    "gerdemann/http-status-code",
];

/// Whether a step checks a deployed service: a health-check action, or a step named for it
/// (`Smoke test`, `Health check`, `E2E`, `Verify deployment`).
pub(crate) fn check_in_step(step: &Step<'_>) -> Option<String> {
    if let Some(a) = step.action.as_deref()
        && HEALTH_ACTIONS.contains(&a)
    {
        return Some(format!("`{a}`"));
    }
    let name = step.name?;
    let lower = name.to_ascii_lowercase();
    let named = has_word(&lower, &["smoke", "e2e", "healthcheck"])
        || lower.contains("health check")
        || lower.contains("health-check")
        || lower.contains("verify deploy")
        || lower.contains("post-deploy")
        || lower.contains("acceptance test");
    // Named for a check: the name says it all (an empty description).
    named.then(String::new)
}

/// Whether a line waits for a rollout to finish (which is not yet a check that the service
/// answers): `kubectl rollout status`, `kubectl wait`, `argocd app wait`, `helm --wait`,
/// `aws ecs wait services-stable`.
pub(crate) fn rollout_wait_in_line(line: &str) -> Option<String> {
    segments(line).into_iter().find_map(|segment| {
        let words = command_words(segment);
        let first = words.first()?.as_str();
        let args: Vec<&str> = words[1..].iter().map(String::as_str).collect();
        let pair = |a: &str, b: &str| args.windows(2).any(|p| p[0] == a && p[1] == b);
        let waits = match first {
            "kubectl" | "oc" => pair("rollout", "status") || args.contains(&"wait"),
            "argocd" => pair("app", "wait"),
            "helm" => {
                (args.contains(&"upgrade") || args.contains(&"install"))
                    && args
                        .iter()
                        .any(|a| matches!(*a, "--wait" | "--atomic" | "--rollback-on-failure"))
            }
            "aws" => pair("wait", "services-stable"),
            _ => false,
        };
        waits.then(|| github::shorten(&words.join(" "), 70))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(files: &[(&str, &str)]) -> Workspace {
        Workspace::from_texts(files)
    }

    #[test]
    fn recognises_deploy_commands() {
        for (line, what) in [
            ("kubectl apply -k overlays/production", "kubectl apply"),
            ("kustomize build . | kubectl apply -f -", "kubectl apply"),
            ("helm upgrade --install web ./chart", "helm upgrade"),
            ("sudo -E helm install web ./chart", "helm install"),
            (
                "helm secrets upgrade web ./chart -f secrets.yaml",
                "helm upgrade",
            ),
            (
                "kubectl -n shop set image deploy/web app=web:1",
                "kubectl set image",
            ),
            ("argocd app sync shop", "argocd app sync"),
            ("flux reconcile kustomization apps", "flux reconcile"),
            (
                "terraform -chdir=infra apply -auto-approve",
                "terraform apply",
            ),
            ("gcloud run deploy web --image x", "gcloud run deploy"),
            (
                "aws ecs update-service --cluster c --service s",
                "aws ecs update-service",
            ),
            ("flyctl deploy --remote-only", "flyctl deploy"),
            ("skaffold run -p prod", "skaffold run"),
        ] {
            assert_eq!(deploy_in_line(line).as_deref(), Some(what), "{line}");
        }
        for line in [
            "helm template web ./chart",
            "helm repo add bitnami https://charts.bitnami.com",
            "kubectl apply --dry-run=client -f k8s/",
            "kubectl rollout status deploy/web",
            "terraform plan",
            "echo kubectl apply -f k8s/",
            "helm plugin install https://github.com/databus23/helm-diff",
            "helm diff upgrade web ./chart",
            "kubectl get pods",
        ] {
            assert_eq!(deploy_in_line(line), None, "{line}");
        }
    }

    #[test]
    fn follows_scripts_and_make_targets_one_level() {
        let w = ws(&[
            (
                "scripts/deploy.sh",
                "#!/bin/sh\nset -eu\nhelm upgrade --install web ./chart\n",
            ),
            (
                "Makefile",
                "build:\n\tgo build ./...\n\ndeploy: build\n\t@kubectl apply -k deploy/overlays/prod\n",
            ),
        ]);
        let (what, via, _) = indirect_deploy(&w, "./scripts/deploy.sh").unwrap();
        assert_eq!(
            (what.as_str(), via.as_str()),
            ("helm upgrade", "scripts/deploy.sh:3")
        );
        let (what, via, _) = indirect_deploy(&w, "make deploy").unwrap();
        assert_eq!(
            (what.as_str(), via.as_str()),
            ("kubectl apply", "Makefile:5")
        );
        assert!(indirect_deploy(&w, "make build").is_none());
    }

    #[test]
    fn names_environments_by_their_words() {
        assert_eq!(
            env_kind("deploy-prod"),
            Some(EnvKind::Production("prod".into()))
        );
        assert_eq!(
            env_kind("overlays/staging"),
            Some(EnvKind::Other("staging".into()))
        );
        assert_eq!(env_kind("pre-prod"), Some(EnvKind::Other("preprod".into())));
        assert_eq!(
            env_kind("values-production.yaml"),
            Some(EnvKind::Production("production".into()))
        );
        assert_eq!(env_kind("deploy"), None);
        assert_eq!(env_kind("products"), None);
        assert_eq!(
            env_words("gcloud run deploy web --image europe-docker.pkg.dev/a/web:1 -n dev"),
            "gcloud run deploy web --image -n dev"
        );
    }

    #[test]
    fn reusable_workflows_are_read_in_their_callers_with_inputs() {
        let w = ws(&[
            (
                ".github/workflows/cd.yml",
                "on: {push: {branches: [main]}}\njobs:\n  staging:\n    uses: ./.github/workflows/deploy.yml\n    with: {environment: staging}\n  prod:\n    needs: staging\n    uses: ./.github/workflows/deploy.yml\n    with: {environment: production}\n  smoke:\n    needs: prod\n    runs-on: ubuntu-latest\n    steps:\n      - run: curl -f https://example.com/healthz\n",
            ),
            (
                ".github/workflows/deploy.yml",
                "on:\n  workflow_call:\n    inputs: {environment: {type: string}}\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    environment: ${{ inputs.environment }}\n    steps:\n      - run: helm upgrade --install web ./chart\n",
            ),
        ]);
        let p = Pipelines::read(&w);
        let ids: Vec<&str> = p.jobs.iter().map(|j| j.id.as_str()).collect();
        assert_eq!(ids, vec!["staging::deploy", "prod::deploy", "smoke"]);
        let envs: Vec<&str> = p
            .jobs
            .iter()
            .filter_map(|j| j.environment.as_ref().map(|e| e.name.as_str()))
            .collect();
        assert_eq!(envs, vec!["staging", "production"]);
        assert!(p.runs_after(&p.jobs[2], &p.jobs[1]));
        assert!(p.runs_after(&p.jobs[1], &p.jobs[0]));
        assert!(!p.runs_after(&p.jobs[0], &p.jobs[1]));
    }

    #[test]
    fn gitlab_deployment_tiers_name_the_environment() {
        let w = ws(&[(
            ".gitlab-ci.yml",
            "deploy_eu:\n  stage: deploy\n  environment: {name: eu-west-1, deployment_tier: production}\n  script: [helm upgrade --install web ./chart]\ndeploy_rc:\n  stage: deploy\n  environment: {name: rc, deployment_tier: staging}\n  script: [helm upgrade --install web ./chart]\n",
        )]);
        let p = Pipelines::read(&w);
        let targets: Vec<bool> = deploy_jobs(&p)
            .iter()
            .map(|d| d.target.is_production())
            .collect();
        assert_eq!(targets, vec![true, false]);
    }

    #[test]
    fn gitlab_stages_order_jobs_and_manual_rules_are_gates() {
        let w = ws(&[(
            ".gitlab-ci.yml",
            "stages: [build, deploy, verify]\nbuild:\n  stage: build\n  script: [make]\ndeploy:\n  stage: deploy\n  environment: {name: production}\n  rules:\n    - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH\n      when: manual\n  script: [helm upgrade --install web ./chart]\nsmoke:\n  stage: verify\n  script: [curl -f https://example.com/healthz]\n",
        )]);
        let p = Pipelines::read(&w);
        let deploy = p.jobs.iter().find(|j| j.id == "deploy").unwrap();
        let smoke = p.jobs.iter().find(|j| j.id == "smoke").unwrap();
        assert!(deploy.manual.is_some());
        assert_eq!(deploys(deploy, &w).len(), 1);
        assert!(p.runs_after(smoke, deploy));
        assert!(target(deploy, &deploys(deploy, &w)).is_production());
    }
}
