use crate::ci::github::{self, Trigger, Workflow};
use crate::ci::pipelines::{self, Gitlab, GitlabJob, OtherPipeline};
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Outcome, SourceFile, declare_check};

declare_check! {
    /// ## What it checks
    /// A CI pipeline exists and runs on pull (merge) requests, so that every change is built
    /// and checked before it merges.
    ///
    /// - GitHub Actions: a workflow in `.github/workflows/` triggered by `pull_request`,
    ///   `pull_request_target` or `merge_group` (`on:` as a string, a list or a map), or by
    ///   `push` on every branch (which builds pull request branches of the same repository).
    ///   A workflow that runs only on `push` to named branches (`main`) checks changes after
    ///   they merge: that is the finding, at its `push` trigger. `pull_request` limited to
    ///   `types: [closed]` runs after the merge too.
    /// - GitLab CI: merge request pipelines (`workflow:rules` or job `rules` with
    ///   `$CI_PIPELINE_SOURCE == "merge_request_event"`, `only: [merge_requests]`), or branch
    ///   pipelines: a job without `rules`/`only` runs on every push, including the branches
    ///   behind merge requests. `workflow:rules` that only admit the default branch, tags or
    ///   schedules are the finding. Local includes are read; when rules golive cannot classify
    ///   or includes from other projects decide, the check passes and says so.
    /// - CircleCI, Azure Pipelines, Jenkins, Buildkite, Bitbucket Pipelines, Travis CI, Drone,
    ///   Tekton, Woodpecker, Semaphore, AppVeyor, Cirrus CI, TeamCity, Bitrise, Google Cloud
    ///   Build, AWS CodeBuild, Gitea/Forgejo Actions: the configuration's presence is enough;
    ///   these systems decide on the server whether pull requests are built, and the evidence
    ///   says what the file shows (e.g. Azure's `pr:` trigger, Bitbucket's `pull-requests:`).
    ///
    /// The check is never not-applicable for a repository with files: no CI at all is a
    /// finding about the repository. (A folder with no readable files is not-applicable.)
    ///
    /// ## Why it matters
    /// Without a pipeline on pull requests, a change reaches the main branch, and from there
    /// production, without anyone's tests having run on it; the build breaks after the merge,
    /// for everyone. (Production Ready Checklist, Continuous Integration: "Set up a build
    /// server", "Set up automated tests"; Deep Dive to Production Readiness: "Each repository
    /// must have its automated pipeline: when an engineer pushes changes, it runs the tests,
    /// builds, static code analysis, security checks".)
    ///
    /// ## How to fix
    /// Run the pipeline on pull requests (and on the merge queue, if you use one):
    /// ```yaml
    /// # .github/workflows/ci.yml
    /// on:
    ///   pull_request:
    ///   merge_group:
    ///   push:
    ///     branches: [main]
    /// ```
    /// In GitLab, admit merge request pipelines:
    /// ```yaml
    /// workflow:
    ///   rules:
    ///     - if: $CI_PIPELINE_SOURCE == "merge_request_event"
    ///     - if: $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH
    /// ```
    pub struct Pipeline {
        id: "ci/pipeline",
        title: "A CI pipeline runs on pull requests",
        category: Ci,
        level: Bronze,
        severity: Error,
        facets: [],
        seeds: [
            "004: Production Ready Checklist, Continuous Integration: set up a build server; set up automated tests",
            "000: Deep Dive to Production Readiness Checklist: each repository must have its automated pipeline",
            "001: From Code to Production: build pipelines",
        ],
        fix: "add a CI workflow that runs on pull requests (GitHub: `on: pull_request`; GitLab: merge request pipelines)",
    }
}

impl golive_core::Check for Pipeline {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let ws = cx.ws;
        if ws.files().is_empty() {
            return Outcome::not_applicable(
                "the folder has no files golive could read: nothing to build",
            );
        }
        let mut checked: Vec<Evidence> = Vec::new();
        let mut notes: Vec<Evidence> = Vec::new();
        let mut findings: Vec<Finding> = Vec::new();
        let mut other_only: Vec<String> = Vec::new();
        let mut unreadable: Vec<String> = Vec::new();

        let workflows = github::workflows(ws);
        unreadable.extend(workflows.unreadable.iter().map(|f| f.path.clone()));
        for wf in &workflows.parsed {
            match workflow_reach(wf) {
                WorkflowReach::PullRequests(t) => checked.push(Evidence::at(
                    &wf.file.path,
                    t.node.line(),
                    format!(
                        "GitHub Actions workflow `{}` runs on `{}`",
                        wf.display_name(),
                        t.event
                    ),
                )),
                WorkflowReach::AllBranches(t) => checked.push(Evidence::at(
                    &wf.file.path,
                    t.node.line(),
                    format!(
                        "GitHub Actions workflow `{}` runs on `push` to every branch (pull requests from forks are not built)",
                        wf.display_name()
                    ),
                )),
                WorkflowReach::NamedBranches(t, branches) => findings.push(
                    Finding::at(
                        t.node.location(&wf.file.path),
                        format!(
                            "workflow `{}` runs on push only (to {}): changes are not checked before merge",
                            wf.display_name(),
                            branches.join(", ")
                        ),
                    )
                    .with_help("add `pull_request:` (and `merge_group:` with a merge queue) to the workflow's `on:`"),
                ),
                WorkflowReach::Other(events) => {
                    other_only.push(format!("{} ({})", wf.file.path, events))
                }
            }
        }

        if let Some(gl) = pipelines::gitlab(ws) {
            unreadable.extend(gl.unreadable.iter().cloned());
            if !gl.external_includes.is_empty() {
                notes.push(Evidence::note(format!(
                    "GitLab CI includes configuration golive cannot read: {}",
                    external_list(&gl)
                )));
            }
            match gitlab_verdict(&gl) {
                GitlabVerdict::Checked(e) | GitlabVerdict::Unsure(e) => checked.push(e),
                GitlabVerdict::NotBeforeMerge(f) => findings.push(f),
            }
        }

        for p in pipelines::other_pipelines(ws) {
            checked.push(other_evidence(&p));
        }

        if !unreadable.is_empty() {
            notes.push(Evidence::note(format!(
                "could not read {} (parse/invalid-yaml reports why)",
                unreadable.join(", ")
            )));
        }
        if !checked.is_empty() {
            checked.extend(notes);
            return Outcome::Pass(checked);
        }
        if !other_only.is_empty() {
            let list = other_only.join("; ");
            if findings.is_empty() {
                findings.push(Finding::repo(format!(
                    "no workflow runs on pull requests or branch pushes: {list}"
                )));
            } else {
                notes.push(Evidence::note(format!(
                    "workflows that do not run on pull requests either: {list}"
                )));
            }
        }
        if !unreadable.is_empty() {
            return Outcome::Error {
                reason: format!(
                    "CI configuration that could decide this does not parse: {}",
                    unreadable.join(", ")
                ),
                findings,
            };
        }
        if findings.is_empty() {
            findings.push(Finding::repo(
                "no CI pipeline found: changes merge without an automated build or test (looked for GitHub Actions workflows, .gitlab-ci.yml, Jenkinsfile, CircleCI, Azure Pipelines, Buildkite, Bitbucket Pipelines, Travis CI, Drone, Tekton and others)",
            ));
        }
        Outcome::from_findings(findings, notes)
    }
}

/// Which changes a workflow builds.
enum WorkflowReach<'w, 'a> {
    /// Pull requests (or the merge queue) trigger it.
    PullRequests(&'w Trigger<'a>),
    /// Pushes to every branch trigger it.
    AllBranches(&'w Trigger<'a>),
    /// Only pushes to these branches (after a merge).
    NamedBranches(&'w Trigger<'a>, Vec<String>),
    /// Neither (schedule, dispatch, release, tags, reusable workflow): the events.
    Other(String),
}

fn workflow_reach<'w, 'a>(wf: &'w Workflow<'a>) -> WorkflowReach<'w, 'a> {
    let mut all_branches = None;
    let mut named = None;
    let mut others = Vec::new();
    for t in &wf.triggers {
        match trigger_reach(t) {
            TriggerReach::PullRequests => return WorkflowReach::PullRequests(t),
            TriggerReach::AllBranches => all_branches = all_branches.or(Some(t)),
            TriggerReach::Named(b) => {
                if named.is_none() {
                    named = Some((t, b));
                }
            }
            TriggerReach::Other(what) => others.push(what),
        }
    }
    if let Some(t) = all_branches {
        return WorkflowReach::AllBranches(t);
    }
    if let Some((t, b)) = named {
        return WorkflowReach::NamedBranches(t, b);
    }
    if others.is_empty() {
        others.push("no `on:` trigger".to_string());
    }
    WorkflowReach::Other(others.join(", "))
}

enum TriggerReach {
    PullRequests,
    AllBranches,
    Named(Vec<String>),
    Other(String),
}

/// Pull request activity types that mean the pull request's code is being proposed (as
/// opposed to `closed`, `assigned`, ...).
const PROPOSING_TYPES: &[&str] = &[
    "opened",
    "synchronize",
    "reopened",
    "labeled",
    "unlabeled",
    "ready_for_review",
    "edited",
];

/// Branch-name prefixes of branches that receive merged changes (not feature branches).
const RELEASE_PREFIXES: &[&str] = &[
    "main",
    "master",
    "release",
    "releases",
    "hotfix",
    "stable",
    "prod",
    "production",
    "v",
    "trunk",
    "develop",
];

fn trigger_reach(t: &Trigger<'_>) -> TriggerReach {
    match t.event {
        "pull_request" | "pull_request_target" => {
            let types = strings(t.config.and_then(|c| c.get("types")));
            if types.is_empty()
                || types
                    .iter()
                    .any(|ty| PROPOSING_TYPES.contains(&ty.as_str()))
            {
                TriggerReach::PullRequests
            } else {
                TriggerReach::Other(format!("{} types {}", t.event, types.join(", ")))
            }
        }
        "merge_group" => TriggerReach::PullRequests,
        "push" => {
            let Some(config) = t.config else {
                return TriggerReach::AllBranches;
            };
            if config.get("branches-ignore").is_some() {
                return TriggerReach::AllBranches;
            }
            let branches = strings(config.get("branches"));
            if config.get("branches").is_none() {
                return if config.get("tags").is_some() || config.get("tags-ignore").is_some() {
                    TriggerReach::Other("push to tags".into())
                } else {
                    TriggerReach::AllBranches
                };
            }
            // `'**'`, `'feature/**'` reach feature branches; `'release/*'`, `'v*'` do not.
            let feature_pattern = branches.iter().any(|b| {
                let Some((prefix, _)) = b.split_once('*') else {
                    return false;
                };
                let first = prefix.split(['/', '-', '_', '.']).next().unwrap_or("");
                first.is_empty() || !RELEASE_PREFIXES.contains(&first)
            });
            if feature_pattern {
                TriggerReach::AllBranches
            } else {
                TriggerReach::Named(branches)
            }
        }
        other => TriggerReach::Other(other.to_string()),
    }
}

/// A string or a list of strings.
fn strings(node: Option<Node<'_>>) -> Vec<String> {
    let Some(node) = node else {
        return Vec::new();
    };
    match node.as_text() {
        Some(s) => vec![s.to_string()],
        None => node
            .items()
            .filter_map(|i| i.as_text().map(str::to_string))
            .collect(),
    }
}

/// How to fix GitLab `workflow:rules` that only run after merge.
const GITLAB_WORKFLOW_HELP: &str =
    "add a rule that admits merge requests: `- if: $CI_PIPELINE_SOURCE == \"merge_request_event\"`";
/// How to fix GitLab jobs that only run after merge.
const GITLAB_JOBS_HELP: &str = "run the test jobs in merge request pipelines: `rules: - if: $CI_PIPELINE_SOURCE == \"merge_request_event\"` (or `only: [merge_requests]`)";

enum GitlabVerdict {
    Checked(Evidence),
    Unsure(Evidence),
    NotBeforeMerge(Finding),
}

/// What a rule, an `only:` or a whole configuration admits, best first.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Admits {
    MergeRequests,
    Branches,
    Unknown,
    Restricted(String),
}

impl Admits {
    /// Best first, ignoring what a restriction names (so the first restricted job is shown).
    fn rank(&self) -> u8 {
        match self {
            Admits::MergeRequests => 0,
            Admits::Branches => 1,
            Admits::Unknown => 2,
            Admits::Restricted(_) => 3,
        }
    }
}

fn gitlab_verdict(gl: &Gitlab<'_>) -> GitlabVerdict {
    let main = gl.files.first().map(|f| f.file);
    let workflow = gl.workflow();
    let workflow_rules = workflow.and_then(|(file, key, w)| w.get("rules").map(|r| (file, key, r)));
    let from_workflow = workflow_rules.map(|(file, key, rules)| (file, key, rules_admit(rules)));
    if let Some((file, key, (admits, node))) = &from_workflow {
        match admits {
            Admits::MergeRequests => {
                return GitlabVerdict::Checked(Evidence::at(
                    &file.path,
                    node.line(),
                    "GitLab CI runs merge request pipelines (`workflow:rules`)",
                ));
            }
            Admits::Restricted(what) => {
                let message = format!(
                    "GitLab `workflow:rules` only run pipelines for {what}: changes are not checked before merge"
                );
                return restricted(gl, file, *key, message, GITLAB_WORKFLOW_HELP);
            }
            Admits::Branches | Admits::Unknown => {}
        }
    }
    let jobs = gl.jobs();
    let mut best: Option<(Admits, GitlabJob<'_>, &SourceFile, Node<'_>)> = None;
    let mut restricted_to: Vec<String> = Vec::new();
    for job in &jobs {
        let (admits, file, node) = job_admits(gl, job);
        if let Admits::Restricted(what) = &admits {
            for w in what.split(", ") {
                if !restricted_to.iter().any(|r| r == w) {
                    restricted_to.push(w.to_string());
                }
            }
        }
        if best.as_ref().is_none_or(|(b, ..)| admits.rank() < b.rank()) {
            best = Some((admits, *job, file, node));
        }
    }
    let workflow_unknown = matches!(&from_workflow, Some((_, _, (Admits::Unknown, _))));
    match best {
        None => {
            let file = main.map(|f| f.path.as_str()).unwrap_or(".gitlab-ci.yml");
            if gl.external_includes.is_empty() {
                GitlabVerdict::NotBeforeMerge(
                    Finding::at(
                        golive_core::Location::file(file),
                        "`.gitlab-ci.yml` defines no jobs: nothing runs on merge requests",
                    )
                    .with_help(GITLAB_JOBS_HELP),
                )
            } else {
                GitlabVerdict::Unsure(Evidence::file(
                    file,
                    format!(
                        "GitLab CI jobs come from includes golive cannot read ({}): assumed to run on merge requests",
                        external_list(gl)
                    ),
                ))
            }
        }
        Some((Admits::MergeRequests, job, file, node)) => GitlabVerdict::Checked(Evidence::at(
            &file.path,
            node.line(),
            format!(
                "GitLab CI job `{}` runs in merge request pipelines",
                job.name
            ),
        )),
        Some((Admits::Branches, job, file, node)) if !workflow_unknown => {
            GitlabVerdict::Checked(Evidence::at(
                &file.path,
                node.line(),
                format!(
                    "GitLab CI job `{}` runs on every branch push (no `rules`/`only` limit it), including merge request branches",
                    job.name
                ),
            ))
        }
        Some((Admits::Branches | Admits::Unknown, job, file, node)) => {
            let (path, line) = match &from_workflow {
                Some((wf_file, _, (_, wf_node))) if workflow_unknown => {
                    (wf_file.path.as_str(), wf_node.line())
                }
                _ => (file.path.as_str(), node.line()),
            };
            GitlabVerdict::Unsure(Evidence::at(
                path,
                line,
                format!(
                    "GitLab CI: golive could not tell from the rules whether merge requests or branch pushes run job `{}`; assumed they do",
                    job.name
                ),
            ))
        }
        Some((Admits::Restricted(_), job, _, _)) => {
            let message = format!(
                "GitLab CI jobs only run for {}: changes are not checked before merge",
                restricted_to.join(", ")
            );
            restricted(gl, job.file, job.key, message, GITLAB_JOBS_HELP)
        }
    }
}

/// A configuration that only runs after merge: a finding, unless includes golive cannot read
/// may add jobs that run on merge requests.
fn restricted(
    gl: &Gitlab<'_>,
    file: &SourceFile,
    node: Node<'_>,
    message: String,
    help: &str,
) -> GitlabVerdict {
    if gl.external_includes.is_empty() {
        GitlabVerdict::NotBeforeMerge(
            Finding::at(node.location(&file.path), message).with_help(help),
        )
    } else {
        GitlabVerdict::Unsure(Evidence::at(
            &file.path,
            node.line(),
            format!(
                "{message} — unless the includes golive cannot read ({}) add merge request jobs",
                external_list(gl)
            ),
        ))
    }
}

fn external_list(gl: &Gitlab<'_>) -> String {
    gl.external_includes
        .iter()
        .map(|(_, _, what)| what.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a job admits, and the node that decides it (its `rules`, `only`, or its key).
fn job_admits<'a>(gl: &Gitlab<'a>, job: &GitlabJob<'a>) -> (Admits, &'a SourceFile, Node<'a>) {
    if let Some(rules) = gl.job_value(job, "rules") {
        let (admits, node) = rules_admit(rules.node);
        return (admits, rules.file, node);
    }
    if let Some(only) = gl.job_value(job, "only") {
        let refs = if only.node.is_map() {
            only.node.get("refs")
        } else {
            Some(only.node)
        };
        if let Some(refs) = refs {
            let admits = any_of(strings(Some(refs)).iter().map(|r| only_admits(r)).collect());
            return (admits, only.file, only.node);
        }
    }
    (Admits::Branches, job.file, job.key)
}

fn only_admits(value: &str) -> Admits {
    match value {
        "merge_requests" => Admits::MergeRequests,
        "branches" | "pushes" => Admits::Branches,
        "tags"
        | "schedules"
        | "web"
        | "api"
        | "triggers"
        | "pipelines"
        | "external"
        | "chat"
        | "external_pull_requests" => Admits::Restricted(value.to_string()),
        v if v.starts_with('/') => Admits::Unknown,
        branch => Admits::Restricted(format!("branch `{branch}`")),
    }
}

/// What a `rules:` list admits (the best of its rules that are not `when: never`), and the
/// node of the deciding rule.
fn rules_admit(rules: Node<'_>) -> (Admits, Node<'_>) {
    let mut best: Option<(Admits, Node<'_>)> = None;
    let mut restricted: Vec<String> = Vec::new();
    for rule in rules.items() {
        if rule.get_str("when") == Some("never") {
            continue;
        }
        let admits = match rule.get_str("if") {
            None => Admits::Branches,
            Some(cond) => condition_admits(cond),
        };
        if let Admits::Restricted(what) = &admits
            && !restricted.contains(what)
        {
            restricted.push(what.clone());
        }
        if best.as_ref().is_none_or(|(b, _)| admits < *b) {
            best = Some((admits, rule));
        }
    }
    match best {
        Some((Admits::Restricted(_), node)) => (Admits::Restricted(restricted.join(", ")), node),
        Some(b) => b,
        None => (
            Admits::Restricted("nothing (every rule is `when: never`)".into()),
            rules,
        ),
    }
}

/// What a GitLab `rules:if` expression admits.
fn condition_admits(cond: &str) -> Admits {
    let disjuncts: Vec<Admits> = cond
        .split("||")
        .map(|disjunct| {
            let atoms: Vec<Admits> = disjunct.split("&&").map(atom_admits).collect();
            if let Some(r) = atoms.iter().find(|a| matches!(a, Admits::Restricted(_))) {
                return r.clone();
            }
            atoms.into_iter().min().unwrap_or(Admits::Unknown)
        })
        .collect();
    any_of(disjuncts)
}

/// What any of several alternatives admits: the best one; when all are restricted, all of
/// their restrictions (`branch \`main\`, tags`).
fn any_of(alternatives: Vec<Admits>) -> Admits {
    match alternatives.iter().min() {
        Some(Admits::Restricted(_)) => {
            let mut what: Vec<&str> = Vec::new();
            for a in &alternatives {
                if let Admits::Restricted(w) = a
                    && !what.contains(&w.as_str())
                {
                    what.push(w);
                }
            }
            Admits::Restricted(what.join(", "))
        }
        Some(best) => best.clone(),
        None => Admits::Unknown,
    }
}

fn atom_admits(atom: &str) -> Admits {
    let a: String = atom
        .chars()
        .filter(|c| !matches!(c, '(' | ')'))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let a = a.trim();
    let value = |s: &str| {
        s.rsplit(['=', '~'])
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches(['"', '\'', '/'])
            .to_string()
    };
    if a.contains("$CI_PIPELINE_SOURCE") {
        let source = value(a);
        if a.contains("!=") {
            return if source == "merge_request_event" {
                Admits::Branches
            } else {
                Admits::Unknown
            };
        }
        return match source.as_str() {
            "merge_request_event" => Admits::MergeRequests,
            "push" => Admits::Branches,
            "" => Admits::Unknown,
            s if s.contains("merge_request_event") => Admits::MergeRequests,
            s if s.contains('|') || s.contains('^') => Admits::Unknown,
            s => Admits::Restricted(format!("`{s}` pipelines")),
        };
    }
    if a.contains("$CI_MERGE_REQUEST_") {
        let negated = a.starts_with('!') || a.contains("== null") || a.contains("== \"\"");
        return if negated {
            Admits::Unknown
        } else {
            Admits::MergeRequests
        };
    }
    if a.contains("$CI_OPEN_MERGE_REQUESTS") {
        return Admits::Branches;
    }
    if a.contains("$CI_COMMIT_TAG") {
        return if a.contains("== null") || a.starts_with('!') {
            Admits::Unknown
        } else {
            Admits::Restricted("tags".into())
        };
    }
    for var in [
        "$CI_COMMIT_BRANCH",
        "$CI_COMMIT_REF_NAME",
        "$CI_COMMIT_REF_SLUG",
    ] {
        if a.contains(var) {
            if a.contains("!=") || a.contains("!~") {
                return Admits::Branches;
            }
            if a.contains("=~") {
                return Admits::Unknown;
            }
            if a.contains("==") {
                let v = value(a);
                let what = if v.contains("CI_DEFAULT_BRANCH") || a.contains("$CI_DEFAULT_BRANCH") {
                    "the default branch".to_string()
                } else {
                    format!("branch `{v}`")
                };
                return Admits::Restricted(what);
            }
            if a == var {
                return Admits::Branches;
            }
        }
    }
    if a.contains("$CI_COMMIT_REF_PROTECTED") && a.contains("true") {
        return Admits::Restricted("protected branches".into());
    }
    Admits::Unknown
}

/// What a file of another CI system shows about pull requests.
fn other_evidence(p: &OtherPipeline<'_>) -> Evidence {
    let path = p.file.path.as_str();
    let server = "whether pull requests are built is configured on the server";
    let root = p.file.yaml_docs().iter().find_map(|d| d.root());
    match p.system {
        "Azure Pipelines" => match root.and_then(|r| r.entry("pr")) {
            Some((k, v)) if v.as_text() == Some("none") => Evidence::at(
                path,
                k.line(),
                "Azure Pipelines: `pr: none` builds no pull requests from this file (Azure Repos validates pull requests with branch policies on the server; golive cannot see them)",
            ),
            Some((k, _)) => Evidence::at(
                path,
                k.line(),
                "Azure Pipelines runs on pull requests (`pr:` trigger)",
            ),
            None => Evidence::file(
                path,
                "Azure Pipelines: no `pr:` key, so pull request builds are on by default (GitHub and Bitbucket repositories; Azure Repos uses branch policies on the server)",
            ),
        },
        "Bitbucket Pipelines" => {
            let pipelines = root.and_then(|r| r.get("pipelines"));
            if let Some((k, _)) = pipelines.and_then(|p| p.entry("pull-requests")) {
                Evidence::at(
                    path,
                    k.line(),
                    "Bitbucket Pipelines runs on pull requests (`pull-requests:`)",
                )
            } else if let Some((k, _)) = pipelines.and_then(|p| p.entry("default")) {
                Evidence::at(
                    path,
                    k.line(),
                    "Bitbucket Pipelines: the `default` pipeline runs on every branch push, including pull request branches",
                )
            } else {
                Evidence::file(
                    path,
                    "Bitbucket Pipelines: no `pull-requests:` or `default:` pipeline in the file; check that pull requests are built",
                )
            }
        }
        "Drone" | "Woodpecker CI" | "Tekton" => match line_mentioning(p.file, "pull_request") {
            Some(line) => Evidence::at(path, line, format!("{} runs on pull requests", p.system)),
            None => Evidence::file(path, format!("{} pipeline ({server})", p.system)),
        },
        system => Evidence::file(path, format!("{system} pipeline ({server})")),
    }
}

fn line_mentioning(file: &SourceFile, needle: &str) -> Option<u32> {
    file.text
        .lines()
        .enumerate()
        .find(|(_, l)| {
            let t = l.trim_start();
            !t.starts_with('#') && t.contains(needle)
        })
        .map(|(i, _)| i as u32 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_gitlab_conditions() {
        assert_eq!(
            condition_admits("$CI_PIPELINE_SOURCE == \"merge_request_event\""),
            Admits::MergeRequests
        );
        assert_eq!(
            condition_admits("$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"),
            Admits::Restricted("the default branch".into())
        );
        assert_eq!(
            condition_admits("$CI_COMMIT_TAG || $CI_COMMIT_BRANCH == \"main\""),
            Admits::Restricted("tags, branch `main`".into())
        );
        assert_eq!(condition_admits("$CI_COMMIT_BRANCH"), Admits::Branches);
        assert_eq!(
            condition_admits(
                "$CI_PIPELINE_SOURCE == \"push\" && $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
            ),
            Admits::Restricted("the default branch".into())
        );
        assert_eq!(
            condition_admits("$CI_MERGE_REQUEST_IID || $CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"),
            Admits::MergeRequests
        );
        assert_eq!(condition_admits("$DEPLOY == \"true\""), Admits::Unknown);
        assert_eq!(
            condition_admits("$CI_PIPELINE_SOURCE == \"schedule\""),
            Admits::Restricted("`schedule` pipelines".into())
        );
    }
}
