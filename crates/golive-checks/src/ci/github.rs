//! GitHub Actions as the ci checks read it: workflows (triggers, top-level and job permissions,
//! jobs with their key nodes, steps with their `uses`/`run`/`with` nodes), composite actions, and
//! `uses:` references. One reader for every check, so that they agree on what a job or a step is.

use golive_core::parse::yaml::Node;
use golive_core::{FileKind, SourceFile, Workspace};

/// Where GitHub looks for workflows (files directly in this folder, not in subfolders).
pub(crate) const WORKFLOWS_DIR: &str = ".github/workflows/";

/// Whether `path` is a workflow file GitHub runs.
pub(crate) fn is_workflow_path(path: &str) -> bool {
    path.strip_prefix(WORKFLOWS_DIR).is_some_and(|rest| {
        !rest.contains('/') && (rest.ends_with(".yml") || rest.ends_with(".yaml"))
    })
}

/// One workflow file.
pub(crate) struct Workflow<'a> {
    pub file: &'a SourceFile,
    /// `name:` of the workflow.
    pub name: Option<&'a str>,
    /// The `on:` key and its value (None when the workflow has no trigger).
    pub on: Option<(Node<'a>, Node<'a>)>,
    pub triggers: Vec<Trigger<'a>>,
    /// The top-level `permissions:` key and value.
    pub permissions: Option<(Node<'a>, Node<'a>)>,
    pub jobs: Vec<Job<'a>>,
}

impl<'a> Workflow<'a> {
    /// How the workflow is called in messages: its `name:`, else its file name.
    pub fn display_name(&self) -> &'a str {
        self.name.unwrap_or_else(|| self.file.name())
    }
}

/// One event of `on:` (string, list item or map key).
pub(crate) struct Trigger<'a> {
    pub event: &'a str,
    /// The node naming the event (for its line).
    pub node: Node<'a>,
    /// The event's configuration (`branches`, `types`, ...) when `on:` is a map.
    pub config: Option<Node<'a>>,
}

/// One job of a workflow.
pub(crate) struct Job<'a> {
    pub id: &'a str,
    /// The job's key under `jobs:` (findings about the job point here).
    pub key: Node<'a>,
    pub node: Node<'a>,
    /// `uses:` at job level: a call of a reusable workflow (no steps of its own).
    pub uses: Option<Node<'a>>,
    pub permissions: Option<(Node<'a>, Node<'a>)>,
    pub steps: Vec<Step<'a>>,
}

/// One step of a job or of a composite action.
pub(crate) struct Step<'a> {
    pub node: Node<'a>,
    pub name: Option<&'a str>,
    pub uses: Option<Node<'a>>,
    pub run: Option<Node<'a>>,
    pub with: Option<Node<'a>>,
    /// The step's working directory (its own, else the job's or the workflow's default).
    pub working_directory: Option<&'a str>,
}

impl Step<'_> {
    /// How the step is called in messages: its name, else what it uses or runs.
    pub fn label(&self) -> String {
        if let Some(name) = self.name {
            return format!("`{}`", name.trim());
        }
        if let Some(uses) = self.uses.and_then(|u| u.as_text()) {
            return format!("`{}`", uses.trim());
        }
        let first = self
            .run
            .and_then(|r| r.as_text())
            .and_then(|t| t.lines().map(str::trim).find(|l| !l.is_empty()))
            .unwrap_or("");
        format!("`{}`", shorten(first, 60))
    }
}

impl Step<'_> {
    /// The shell command an action stands for, for the actions that wrap one:
    /// `actions-rs/cargo` (`command`, `args`) and Gradle's build actions (`arguments`).
    pub fn action_command(&self) -> Option<String> {
        let uses = self.uses?.as_text()?;
        let repo = ActionRef::parse(uses).repository()?.to_ascii_lowercase();
        let input = |key: &str| {
            self.with
                .and_then(|w| w.get_str(key))
                .map(str::trim)
                .unwrap_or("")
        };
        let command = match repo.as_str() {
            "actions-rs/cargo" => format!("cargo {} {}", input("command"), input("args")),
            "gradle/gradle-build-action" | "gradle/actions" | "eskatos/gradle-command-action" => {
                let arguments = input("arguments");
                if arguments.is_empty() {
                    return None;
                }
                format!("gradle {arguments}")
            }
            _ => return None,
        };
        Some(command.trim().to_string())
    }
}

/// The workflows of a repository: those read, and those that could not be.
pub(crate) struct Workflows<'a> {
    pub parsed: Vec<Workflow<'a>>,
    /// Workflow files that do not parse or are not a mapping (parse/invalid-yaml reports why).
    pub unreadable: Vec<&'a SourceFile>,
}

impl Workflows<'_> {
    pub fn is_empty(&self) -> bool {
        self.parsed.is_empty() && self.unreadable.is_empty()
    }
}

/// Reads every workflow of the repository.
pub(crate) fn workflows(ws: &Workspace) -> Workflows<'_> {
    let mut out = Workflows {
        parsed: Vec::new(),
        unreadable: Vec::new(),
    };
    for file in ws.files().iter().filter(|f| is_workflow_path(&f.path)) {
        match workflow(file) {
            Some(w) => out.parsed.push(w),
            None => out.unreadable.push(file),
        }
    }
    out
}

fn workflow(file: &SourceFile) -> Option<Workflow<'_>> {
    if file.kind != FileKind::Yaml {
        return None;
    }
    let root = file.yaml().ok()?.iter().find_map(|d| d.root())?;
    if !root.is_map() {
        return None;
    }
    let on = root.entry("on");
    let triggers = on.map(|(_, v)| triggers(v)).unwrap_or_default();
    let working_directory = root
        .path(&["defaults", "run", "working-directory"])
        .and_then(|n| n.as_text());
    let jobs = root
        .get("jobs")
        .map(|jobs| {
            jobs.entries()
                .filter_map(|(k, v)| {
                    let id = k.as_text()?;
                    v.is_map().then(|| job(id, k, v, working_directory))
                })
                .collect()
        })
        .unwrap_or_default();
    Some(Workflow {
        file,
        name: root.get_str("name"),
        on,
        triggers,
        permissions: root.entry("permissions"),
        jobs,
    })
}

fn triggers(on: Node<'_>) -> Vec<Trigger<'_>> {
    if let Some(event) = on.as_text() {
        return vec![Trigger {
            event,
            node: on,
            config: None,
        }];
    }
    if on.is_seq() {
        return on
            .items()
            .filter_map(|item| {
                Some(Trigger {
                    event: item.as_text()?,
                    node: item,
                    config: None,
                })
            })
            .collect();
    }
    on.entries()
        .filter_map(|(k, v)| {
            Some(Trigger {
                event: k.as_text()?,
                node: k,
                config: (!v.is_null()).then_some(v),
            })
        })
        .collect()
}

fn job<'a>(id: &'a str, key: Node<'a>, node: Node<'a>, workflow_dir: Option<&'a str>) -> Job<'a> {
    let job_dir = node
        .path(&["defaults", "run", "working-directory"])
        .and_then(|n| n.as_text())
        .or(workflow_dir);
    Job {
        id,
        key,
        node,
        uses: node.get("uses"),
        permissions: node.entry("permissions"),
        steps: steps(node.get("steps"), job_dir),
    }
}

fn steps<'a>(steps: Option<Node<'a>>, default_dir: Option<&'a str>) -> Vec<Step<'a>> {
    let Some(steps) = steps else {
        return Vec::new();
    };
    steps
        .items()
        .filter(|s| s.is_map())
        .map(|s| Step {
            node: s,
            name: s.get_str("name"),
            uses: s.get("uses"),
            run: s.get("run"),
            with: s.get("with"),
            working_directory: s.get_str("working-directory").or(default_dir),
        })
        .collect()
}

/// A composite action (`action.yml` with `runs.using: composite`): its steps run inside the
/// jobs that use it.
pub(crate) struct CompositeAction<'a> {
    pub file: &'a SourceFile,
    pub steps: Vec<Step<'a>>,
}

/// Every composite action defined in the repository (not in vendored, example or test-data
/// folders).
pub(crate) fn composite_actions(ws: &Workspace) -> Vec<CompositeAction<'_>> {
    ws.files()
        .iter()
        .filter(|f| matches!(f.name(), "action.yml" | "action.yaml"))
        .filter(|f| !crate::ci::is_not_ours(&f.path))
        .filter_map(composite_action)
        .collect()
}

fn composite_action(file: &SourceFile) -> Option<CompositeAction<'_>> {
    let root = file.yaml_docs().iter().find_map(|d| d.root())?;
    let runs = root.get("runs")?;
    if !runs
        .get_str("using")
        .is_some_and(|u| u.eq_ignore_ascii_case("composite"))
    {
        return None;
    }
    Some(CompositeAction {
        file,
        steps: steps(runs.get("steps"), None),
    })
}

/// The composite action a local `uses: ./path` refers to, if the repository defines it.
pub(crate) fn local_composite_action<'a>(
    ws: &'a Workspace,
    local_path: &str,
) -> Option<CompositeAction<'a>> {
    let dir = local_path.trim_start_matches("./").trim_end_matches('/');
    ["action.yml", "action.yaml"].iter().find_map(|name| {
        let path = if dir.is_empty() {
            (*name).to_string()
        } else {
            format!("{dir}/{name}")
        };
        ws.file(&path).and_then(composite_action)
    })
}

/// What a `uses:` value refers to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ActionRef<'a> {
    /// `./path` in this repository.
    Local(&'a str),
    /// `docker://image[:tag][@digest]`.
    Docker { image: &'a str },
    /// `owner/repo[/path]@ref`; `git_ref` is None when there is no `@`.
    Remote {
        owner: &'a str,
        repo: &'a str,
        path: Option<&'a str>,
        git_ref: Option<&'a str>,
    },
    /// Anything else (an expression, an empty value).
    Unknown,
}

impl<'a> ActionRef<'a> {
    pub fn parse(uses: &'a str) -> ActionRef<'a> {
        let uses = uses.trim();
        if uses.starts_with("./") || uses.starts_with("../") {
            return ActionRef::Local(uses);
        }
        if let Some(image) = uses.strip_prefix("docker://") {
            return ActionRef::Docker { image };
        }
        if uses.is_empty() || uses.contains("${{") {
            return ActionRef::Unknown;
        }
        let (name, git_ref) = match uses.split_once('@') {
            Some((n, r)) => (n, Some(r)),
            None => (uses, None),
        };
        let mut parts = name.splitn(3, '/');
        match (parts.next(), parts.next(), parts.next()) {
            (Some(owner), Some(repo), path) if !owner.is_empty() && !repo.is_empty() => {
                ActionRef::Remote {
                    owner,
                    repo,
                    path,
                    git_ref,
                }
            }
            _ => ActionRef::Unknown,
        }
    }

    /// `owner/repo` of a remote action.
    pub fn repository(&self) -> Option<String> {
        match self {
            ActionRef::Remote { owner, repo, .. } => Some(format!("{owner}/{repo}")),
            _ => None,
        }
    }
}

/// The 1-based line of `file` inside `node`'s span that contains `needle` (a line of a
/// multi-line scalar, as written), else the node's own line.
pub(crate) fn line_of(file: &SourceFile, node: Node<'_>, needle: &str) -> u32 {
    let needle = needle.trim();
    if !needle.is_empty() {
        let from = node.line().saturating_sub(1).max(1);
        for line in from..=node.end().line.max(node.line()) {
            if file.line_text(line).is_some_and(|t| t.contains(needle)) {
                return line;
            }
        }
    }
    node.line()
}

/// Whether `s` is a full 40-hex-digit commit SHA.
pub(crate) fn is_full_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The first `max` characters of `s`, with an ellipsis when cut.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{}…", cut.trim_end())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_paths_are_files_directly_in_the_folder() {
        assert!(is_workflow_path(".github/workflows/ci.yml"));
        assert!(is_workflow_path(".github/workflows/ci.yaml"));
        assert!(!is_workflow_path(".github/workflows/sub/ci.yml"));
        assert!(!is_workflow_path(".github/workflows/README.md"));
        assert!(!is_workflow_path("x/.github/workflows/ci.yml"));
    }

    #[test]
    fn parses_action_references() {
        assert_eq!(
            ActionRef::parse("actions/checkout@v4"),
            ActionRef::Remote {
                owner: "actions",
                repo: "checkout",
                path: None,
                git_ref: Some("v4")
            }
        );
        assert_eq!(
            ActionRef::parse("github/codeql-action/init@v3"),
            ActionRef::Remote {
                owner: "github",
                repo: "codeql-action",
                path: Some("init"),
                git_ref: Some("v3")
            }
        );
        assert_eq!(
            ActionRef::parse("./.github/actions/setup"),
            ActionRef::Local("./.github/actions/setup")
        );
        assert_eq!(
            ActionRef::parse("docker://alpine:3.20"),
            ActionRef::Docker {
                image: "alpine:3.20"
            }
        );
        assert_eq!(ActionRef::parse("${{ matrix.action }}"), ActionRef::Unknown);
        assert!(is_full_sha("b4ffde65f46336ab88eb53be808477a3936bae11"));
        assert!(!is_full_sha("b4ffde6"));
    }

    #[test]
    fn reads_triggers_in_all_three_forms() {
        for (text, events) in [
            ("on: push\njobs: {}\n", vec!["push"]),
            (
                "on: [push, pull_request]\njobs: {}\n",
                vec!["push", "pull_request"],
            ),
            (
                "on:\n  push:\n    branches: [main]\n  merge_group:\njobs: {}\n",
                vec!["push", "merge_group"],
            ),
        ] {
            let file = SourceFile::new(".github/workflows/ci.yml", FileKind::Yaml, text.into());
            let wf = workflow(&file).unwrap();
            let got: Vec<&str> = wf.triggers.iter().map(|t| t.event).collect();
            assert_eq!(got, events, "{text}");
        }
    }
}
