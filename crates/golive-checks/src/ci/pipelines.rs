//! CI systems other than GitHub Actions: GitLab CI read as jobs (with `extends`, anchors,
//! `!reference` and local includes resolved inside the repository), and the other systems
//! (CircleCI, Azure Pipelines, Jenkins, Buildkite, Bitbucket, Travis, Drone, Tekton, ...)
//! discovered by their file names. Shared by the ci checks and testing/ci-runs-tests.

use globset::Glob;
use golive_core::parse::yaml::Node;
use golive_core::{SourceFile, Workspace};
use std::collections::VecDeque;

/// The GitLab CI configuration of a repository: `.gitlab-ci.yml` and the local files it includes.
pub(crate) struct Gitlab<'a> {
    /// `.gitlab-ci.yml` first, then included local files in include order.
    pub files: Vec<GitlabFile<'a>>,
    /// Every job and hidden template (see [`Gitlab::all_jobs`]), computed once.
    jobs: Vec<GitlabJob<'a>>,
    /// Includes golive cannot read (other projects, remote URLs, templates, components), with
    /// the file and node that name them.
    pub external_includes: Vec<(&'a SourceFile, Node<'a>, String)>,
    /// Files of the configuration that do not parse, and local includes not found.
    pub unreadable: Vec<String>,
}

/// One file of a GitLab configuration.
pub(crate) struct GitlabFile<'a> {
    pub file: &'a SourceFile,
    pub root: Node<'a>,
}

/// A job (or a hidden `.template`) and where it is defined.
#[derive(Clone, Copy)]
pub(crate) struct GitlabJob<'a> {
    pub name: &'a str,
    pub file: &'a SourceFile,
    pub key: Node<'a>,
    pub node: Node<'a>,
}

/// A value found for a job, and the file it is written in.
#[derive(Clone, Copy)]
pub(crate) struct Located<'a> {
    pub file: &'a SourceFile,
    pub node: Node<'a>,
}

/// Top-level keys of `.gitlab-ci.yml` that are not jobs.
const GITLAB_KEYWORDS: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
    "types",
    "spec",
];

/// How deep `extends` chains and nested includes are followed (GitLab's own limits are 11 and
/// 150 files; these are generous and keep hostile input bounded).
const MAX_EXTENDS_DEPTH: usize = 11;
const MAX_INCLUDED_FILES: usize = 150;
/// Most script items (lines and `!reference`s) read for one job.
const MAX_SCRIPT_ITEMS: usize = 10_000;

/// Reads the GitLab CI configuration, if the repository has one.
pub(crate) fn gitlab(ws: &Workspace) -> Option<Gitlab<'_>> {
    let main = [".gitlab-ci.yml", ".gitlab-ci.yaml"]
        .iter()
        .find_map(|p| ws.file(p))?;
    let mut gl = Gitlab {
        files: Vec::new(),
        jobs: Vec::new(),
        external_includes: Vec::new(),
        unreadable: Vec::new(),
    };
    let mut queue = VecDeque::from([main]);
    let mut seen = vec![main.path.clone()];
    while let Some(file) = queue.pop_front() {
        let Some(root) = config_root(file) else {
            gl.unreadable.push(file.path.clone());
            continue;
        };
        for include in includes(root) {
            match include {
                Include::Local(node, pattern) => {
                    let found = local_files(ws, &pattern);
                    if found.is_empty() {
                        gl.unreadable.push(format!(
                            "{} (included at {}:{}, not found in the repository)",
                            pattern,
                            file.path,
                            node.line()
                        ));
                    }
                    for f in found {
                        if !seen.contains(&f.path) && seen.len() < MAX_INCLUDED_FILES {
                            seen.push(f.path.clone());
                            queue.push_back(f);
                        }
                    }
                }
                Include::External(node, what) => gl.external_includes.push((file, node, what)),
            }
        }
        gl.files.push(GitlabFile { file, root });
    }
    gl.jobs = gl.all_jobs();
    Some(gl)
}

/// The document holding the pipeline: the file's last mapping document (a `spec:` header, when
/// present, is its own first document).
fn config_root(file: &SourceFile) -> Option<Node<'_>> {
    let docs = file.yaml().ok()?;
    let roots: Vec<Node<'_>> = docs
        .iter()
        .filter_map(|d| d.root())
        .filter(|r| r.is_map())
        .collect();
    match roots.as_slice() {
        [] => None,
        [only] => Some(*only),
        [first, .., last] if first.len() == 1 && first.get("spec").is_some() => Some(*last),
        [first, ..] => Some(*first),
    }
}

enum Include<'a> {
    Local(Node<'a>, String),
    External(Node<'a>, String),
}

fn includes(root: Node<'_>) -> Vec<Include<'_>> {
    let Some(include) = root.get("include") else {
        return Vec::new();
    };
    let items: Vec<Node<'_>> = if include.is_seq() {
        include.items().collect()
    } else {
        vec![include]
    };
    let mut out = Vec::new();
    for item in items {
        if let Some(s) = item.as_text() {
            if s.contains("://") {
                out.push(Include::External(item, format!("remote `{s}`")));
            } else {
                out.push(Include::Local(item, s.to_string()));
            }
            continue;
        }
        if let Some(local) = item.get_str("local") {
            out.push(Include::Local(item, local.to_string()));
        } else if let Some(project) = item.get_str("project") {
            out.push(Include::External(item, format!("project `{project}`")));
        } else if let Some(remote) = item.get_str("remote") {
            out.push(Include::External(item, format!("remote `{remote}`")));
        } else if let Some(template) = item.get_str("template") {
            out.push(Include::External(item, format!("template `{template}`")));
        } else if let Some(component) = item.get_str("component") {
            out.push(Include::External(item, format!("component `{component}`")));
        }
    }
    out
}

/// The repository files a local include names (a path from the root, possibly with globs).
fn local_files<'a>(ws: &'a Workspace, pattern: &str) -> Vec<&'a SourceFile> {
    let pattern = pattern.trim().trim_start_matches('/');
    if pattern.contains("$") {
        return Vec::new();
    }
    if !pattern.contains('*') {
        return ws.file(pattern).into_iter().collect();
    }
    let Ok(glob) = Glob::new(pattern) else {
        return Vec::new();
    };
    let matcher = glob.compile_matcher();
    ws.files()
        .iter()
        .filter(|f| matcher.is_match(&f.path))
        .collect()
}

impl<'a> Gitlab<'a> {
    /// `workflow:` (key and value) and its file: the main file's wins over included ones.
    pub fn workflow(&self) -> Option<(&'a SourceFile, Node<'a>, Node<'a>)> {
        self.files
            .iter()
            .find_map(|f| f.root.entry("workflow").map(|(k, v)| (f.file, k, v)))
    }

    /// A top-level key of the configuration (`default`, `before_script`, ...), main file first.
    pub fn top(&self, key: &str) -> Option<Located<'a>> {
        self.files
            .iter()
            .find_map(|f| f.root.get(key).map(|node| Located { file: f.file, node }))
    }

    /// Every job and hidden template by name; a name defined in several files is the main
    /// file's (then the first include's).
    fn all_jobs(&self) -> Vec<GitlabJob<'a>> {
        let mut out: Vec<GitlabJob<'a>> = Vec::new();
        for f in &self.files {
            for (k, v) in f.root.entries() {
                let Some(name) = k.as_text() else { continue };
                if GITLAB_KEYWORDS.contains(&name) || !v.is_map() {
                    continue;
                }
                if out.iter().any(|j| j.name == name) {
                    continue;
                }
                out.push(GitlabJob {
                    name,
                    file: f.file,
                    key: k,
                    node: v,
                });
            }
        }
        out
    }

    /// The jobs that run (hidden `.templates` excluded).
    pub fn jobs(&self) -> Vec<GitlabJob<'a>> {
        self.jobs
            .iter()
            .copied()
            .filter(|j| !j.name.starts_with('.'))
            .collect()
    }

    fn job(&self, name: &str) -> Option<GitlabJob<'a>> {
        self.jobs.iter().copied().find(|j| j.name == name)
    }

    /// The value of `key` for a job: its own, else from what it `extends` (later entries win).
    pub fn job_value(&self, job: &GitlabJob<'a>, key: &str) -> Option<Located<'a>> {
        self.job_value_at(job, key, 0, &mut Vec::new())
    }

    fn job_value_at(
        &self,
        job: &GitlabJob<'a>,
        key: &str,
        depth: usize,
        seen: &mut Vec<&'a str>,
    ) -> Option<Located<'a>> {
        if let Some(node) = job.node.get(key) {
            return Some(Located {
                file: job.file,
                node,
            });
        }
        // Each template once: `extends` can fan out and loop in hostile files.
        if depth >= MAX_EXTENDS_DEPTH || seen.contains(&job.name) {
            return None;
        }
        seen.push(job.name);
        let extends = job.node.get("extends")?;
        let parents: Vec<&str> = match extends.as_text() {
            Some(one) => vec![one],
            None => extends.items().filter_map(|i| i.as_text()).collect(),
        };
        parents
            .iter()
            .rev()
            .filter_map(|p| self.job(p))
            .find_map(|parent| self.job_value_at(&parent, key, depth + 1, seen))
    }

    /// The script lines a job runs (`before_script`, `script`, `after_script`, with defaults,
    /// `extends` and `!reference` resolved): each a scalar node and its file.
    pub fn scripts(&self, job: &GitlabJob<'a>) -> Vec<Located<'a>> {
        let mut out = Vec::new();
        let mut budget = MAX_SCRIPT_ITEMS;
        for key in ["before_script", "script", "after_script"] {
            let value = self.job_value(job, key).or_else(|| {
                if key == "script" {
                    return None;
                }
                self.top("default")
                    .and_then(|d| d.node.get(key).map(|node| Located { file: d.file, node }))
                    .or_else(|| self.top(key))
            });
            if let Some(v) = value {
                self.script_items(v, 0, &mut budget, &mut out);
            }
        }
        out
    }

    fn script_items(
        &self,
        value: Located<'a>,
        depth: usize,
        budget: &mut usize,
        out: &mut Vec<Located<'a>>,
    ) {
        if value.node.as_text().is_some() {
            out.push(value);
            return;
        }
        for item in value.node.items() {
            // `!reference` can fan out in hostile files; a real job reads a few hundred items.
            if *budget == 0 {
                return;
            }
            *budget -= 1;
            if item.as_text().is_some() {
                out.push(Located {
                    file: value.file,
                    node: item,
                });
            } else if item.is_seq() && depth < MAX_EXTENDS_DEPTH {
                // `!reference [.job, script]`: the tag is dropped, the path stays.
                let path: Vec<&str> = item.items().filter_map(|i| i.as_text()).collect();
                if let Some((first, rest)) = path.split_first()
                    && let Some(job) = self.job(first)
                    && let Some(target) = job.node.path(rest)
                {
                    self.script_items(
                        Located {
                            file: job.file,
                            node: target,
                        },
                        depth + 1,
                        budget,
                        out,
                    );
                }
            }
        }
    }
}

/// A CI configuration of a system other than GitHub Actions and GitLab CI.
pub(crate) struct OtherPipeline<'a> {
    pub system: &'static str,
    pub file: &'a SourceFile,
}

/// The other CI systems' configuration files, found by name (not in vendored, example or
/// test-data folders).
pub(crate) fn other_pipelines(ws: &Workspace) -> Vec<OtherPipeline<'_>> {
    ws.files()
        .iter()
        .filter(|f| !crate::ci::is_not_ours(&f.path))
        .filter_map(|file| other_system(&file.path).map(|system| OtherPipeline { system, file }))
        .collect()
}

/// Which CI system a path configures, for the systems recognised by file name.
pub(crate) fn other_system(path: &str) -> Option<&'static str> {
    let name = path.rsplit('/').next().unwrap_or(path);
    let dir = path.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let yaml = name.ends_with(".yml") || name.ends_with(".yaml");
    let system = match (dir, name) {
        (".circleci", "config.yml" | "config.yaml") => "CircleCI",
        (_, "azure-pipelines.yml" | "azure-pipelines.yaml") => "Azure Pipelines",
        (".azure-pipelines" | ".azuredevops", _) if yaml => "Azure Pipelines",
        (_, "Jenkinsfile") => "Jenkins",
        (_, n) if n.starts_with("Jenkinsfile.") => "Jenkins",
        (".buildkite", n) if n.starts_with("pipeline") => "Buildkite",
        ("", "bitbucket-pipelines.yml" | "bitbucket-pipelines.yaml") => "Bitbucket Pipelines",
        ("", ".travis.yml" | ".travis.yaml") => "Travis CI",
        ("", ".drone.yml" | ".drone.yaml") => "Drone",
        (".tekton", _) if yaml => "Tekton",
        ("", ".woodpecker.yml" | ".woodpecker.yaml") | (".woodpecker", _) if yaml => {
            "Woodpecker CI"
        }
        (".semaphore", "semaphore.yml" | "semaphore.yaml") => "Semaphore",
        ("", "appveyor.yml" | ".appveyor.yml") => "AppVeyor",
        ("", ".cirrus.yml" | ".cirrus.yaml") => "Cirrus CI",
        (".teamcity", "settings.kts") => "TeamCity",
        ("", "bitrise.yml") => "Bitrise",
        ("", "cloudbuild.yaml" | "cloudbuild.yml" | "cloudbuild.json") => "Google Cloud Build",
        ("", "buildspec.yml" | "buildspec.yaml") => "AWS CodeBuild",
        (".gitea/workflows", _) if yaml => "Gitea Actions",
        (".forgejo/workflows", _) if yaml => "Forgejo Actions",
        _ => return None,
    };
    Some(system)
}

/// The shell commands Azure Pipelines tasks stand for (`DotNetCoreCLI@2` with `command: test`
/// is `dotnet test`; `Maven@4` runs its `goals`, `package` by default), each with its line.
pub(crate) fn azure_task_commands(file: &SourceFile) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    for doc in file.yaml_docs() {
        for node in doc.nodes() {
            let Some(task) = node.get_str("task") else {
                continue;
            };
            let input = |key: &str| {
                node.get("inputs")
                    .and_then(|i| i.get_str(key))
                    .map(str::trim)
            };
            let name = task.split('@').next().unwrap_or(task).to_ascii_lowercase();
            let command = match name.as_str() {
                "dotnetcorecli" => input("command")
                    .filter(|c| c.eq_ignore_ascii_case("test"))
                    .map(|_| "dotnet test".to_string()),
                "vstest" => Some("dotnet vstest".to_string()),
                "maven" => Some(format!(
                    "mvn {} {}",
                    input("goals").unwrap_or("package"),
                    input("options").unwrap_or("")
                )),
                "gradle" => Some(format!(
                    "gradle {} {}",
                    input("tasks").unwrap_or("build"),
                    input("options").unwrap_or("")
                )),
                "npm" => input("customCommand")
                    .filter(|_| input("command") == Some("custom"))
                    .map(|c| format!("npm {c}")),
                _ => None,
            };
            if let Some(c) = command {
                out.push((node.line(), c.trim().to_string()));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(files: &[(&str, &str)]) -> Workspace {
        Workspace::from_texts(files)
    }

    #[test]
    fn resolves_extends_defaults_references_and_local_includes() {
        let ws = ws(&[
            (
                ".gitlab-ci.yml",
                "include:\n  - local: ci/templates.yml\ndefault:\n  before_script: [echo setup]\ntest:\n  extends: .tests\n  script:\n    - !reference [.shared, script]\n    - make lint\n",
            ),
            (
                "ci/templates.yml",
                ".tests:\n  image: rust\n.shared:\n  script: [cargo test]\n",
            ),
        ]);
        let gl = gitlab(&ws).unwrap();
        assert_eq!(gl.files.len(), 2);
        let jobs = gl.jobs();
        assert_eq!(jobs.len(), 1);
        let lines: Vec<&str> = gl
            .scripts(&jobs[0])
            .iter()
            .filter_map(|l| l.node.as_text())
            .collect();
        assert_eq!(lines, vec!["echo setup", "cargo test", "make lint"]);
        assert_eq!(
            gl.job_value(&jobs[0], "image")
                .map(|l| l.file.path.as_str()),
            Some("ci/templates.yml")
        );
    }

    #[test]
    fn extends_loops_and_reference_fan_out_stay_bounded() {
        let mut text = String::from(".a:\n  extends: [.b, .a]\n.b:\n  extends: [.a, .b]\n");
        text.push_str(".r:\n  script:\n");
        for _ in 0..50 {
            text.push_str("    - !reference [.r, script]\n");
        }
        text.push_str("job:\n  extends: [.a, .b]\n  script:\n    - !reference [.r, script]\n");
        let ws = ws(&[(".gitlab-ci.yml", &text)]);
        let gl = gitlab(&ws).unwrap();
        let job = gl.jobs()[0];
        assert!(gl.job_value(&job, "image").is_none());
        assert!(gl.scripts(&job).len() <= MAX_SCRIPT_ITEMS);
    }

    #[test]
    fn recognises_other_systems_by_name() {
        assert_eq!(other_system(".circleci/config.yml"), Some("CircleCI"));
        assert_eq!(other_system("Jenkinsfile"), Some("Jenkins"));
        assert_eq!(other_system("services/api/Jenkinsfile"), Some("Jenkins"));
        assert_eq!(other_system(".tekton/pr.yaml"), Some("Tekton"));
        assert_eq!(other_system("docs/.travis.yml"), None);
        assert_eq!(other_system(".buildkite/pipeline.yml"), Some("Buildkite"));
    }
}
