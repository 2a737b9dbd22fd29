//! What a repository's CI runs, flattened for the checks that look for a tool (ci/lint,
//! ci/security-scan): every shell command (GitHub `run:` steps and composite actions, GitLab
//! job scripts with includes resolved, the other systems' files line by line), make targets
//! followed one level into the Makefile, every `uses:` action, and GitLab templates included.

use crate::ci::github::{self, ActionRef, Step};
use crate::ci::pipelines;
use crate::ci::test_commands::{base, is_prefix, logical_lines, segments, tokens};
use golive_core::{SourceFile, Workspace};

/// One command CI runs: its words, and where it is written.
pub(crate) struct Command<'a> {
    pub file: &'a SourceFile,
    pub line: u32,
    /// The command's words from the first real one (`sudo`, `bash -c`, `- ` dropped), unquoted.
    pub words: Vec<String>,
    /// Reached through `make <target>`: the target.
    pub via: Option<String>,
}

impl Command<'_> {
    /// The base name of the word at `i` (`./bin/golangci-lint` → `golangci-lint`).
    pub fn word(&self, i: usize) -> Option<&str> {
        self.words.get(i).map(|w| base(w))
    }

    pub fn has(&self, flag: &str) -> bool {
        self.words.iter().any(|w| w == flag)
    }

    /// The command as written, shortened, for evidence.
    pub fn text(&self) -> String {
        let text = github::shorten(&self.words.join(" "), 80);
        match &self.via {
            Some(t) => format!("`{text}` (via `make {t}`)"),
            None => format!("`{text}`"),
        }
    }
}

/// An action a GitHub step uses: `owner/repo[/path]`, lower-cased.
pub(crate) struct Uses<'a> {
    pub file: &'a SourceFile,
    pub line: u32,
    pub action: String,
}

/// Everything the CI of a repository runs.
pub(crate) struct Ci<'a> {
    /// The CI configuration files read.
    pub files: Vec<&'a SourceFile>,
    pub commands: Vec<Command<'a>>,
    pub uses: Vec<Uses<'a>>,
    /// GitLab `include: template:` names, with the file and line.
    pub templates: Vec<(&'a SourceFile, u32, String)>,
}

/// Reads the CI of a repository (None when it has no CI configuration).
pub(crate) fn ci(ws: &Workspace) -> Option<Ci<'_>> {
    let mut ci = Ci {
        files: Vec::new(),
        commands: Vec::new(),
        uses: Vec::new(),
        templates: Vec::new(),
    };
    let workflows = github::workflows(ws);
    for wf in &workflows.parsed {
        ci.files.push(wf.file);
        for job in &wf.jobs {
            steps(ws, wf.file, &job.steps, &mut ci);
        }
    }
    for action in github::composite_actions(ws) {
        ci.files.push(action.file);
        steps(ws, action.file, &action.steps, &mut ci);
    }
    if let Some(gl) = pipelines::gitlab(ws) {
        for f in &gl.files {
            ci.files.push(f.file);
        }
        for job in gl.jobs() {
            for script in gl.scripts(&job) {
                if let Some(text) = script.node.as_text() {
                    let line = script.node.line();
                    commands(ws, script.file, line, text, &mut ci);
                }
            }
        }
        for (file, node, what) in &gl.external_includes {
            if let Some(t) = what.strip_prefix("template `") {
                ci.templates
                    .push((file, node.line(), t.trim_end_matches('`').to_string()));
            }
        }
    }
    for p in pipelines::other_pipelines(ws) {
        ci.files.push(p.file);
        commands(ws, p.file, 1, &p.file.text, &mut ci);
        // `uses:`-style references in Gitea/Forgejo workflows.
        if p.file.path.contains("/workflows/") {
            for doc in p.file.yaml_docs() {
                for node in doc.nodes() {
                    if let Some(u) = node.get("uses").and_then(|u| u.as_text()) {
                        push_uses(p.file, node.line(), u, &mut ci);
                    }
                }
            }
        }
    }
    if ci.files.is_empty() {
        return None;
    }
    let mut seen = std::collections::BTreeSet::new();
    ci.files.retain(|f| seen.insert(f.path.clone()));
    Some(ci)
}

fn steps<'a>(ws: &'a Workspace, file: &'a SourceFile, steps: &[Step<'a>], ci: &mut Ci<'a>) {
    for step in steps {
        if let Some(run) = step.run
            && let Some(text) = run.as_text()
        {
            // A block scalar's text starts on the line after `run: |`.
            let first = if run.line() == step.node.line() || text.lines().count() <= 1 {
                run.line()
            } else {
                github::line_of(file, run, text.lines().next().unwrap_or(""))
            };
            commands(ws, file, first, text, ci);
        }
        if let Some(uses) = step.uses
            && let Some(u) = uses.as_text()
        {
            push_uses(file, uses.line(), u, ci);
        }
        if let Some(command) = step.action_command() {
            let line = step.uses.map_or(step.node.line(), |u| u.line());
            commands(ws, file, line, &command, ci);
        }
    }
}

fn push_uses<'a>(file: &'a SourceFile, line: u32, uses: &str, ci: &mut Ci<'a>) {
    if let ActionRef::Remote {
        owner, repo, path, ..
    } = ActionRef::parse(uses)
    {
        let mut action = format!("{owner}/{repo}");
        if let Some(p) = path {
            action.push('/');
            action.push_str(p);
        }
        ci.uses.push(Uses {
            file,
            line,
            action: action.to_ascii_lowercase(),
        });
    }
}

/// The commands of a script (`first` is the line of its first line), make targets followed.
fn commands<'a>(ws: &'a Workspace, file: &'a SourceFile, first: u32, text: &str, ci: &mut Ci<'a>) {
    for (i, line) in logical_lines(text) {
        let at = first + i as u32;
        for segment in segments(&line) {
            let words = command_words(segment);
            if words.is_empty() {
                continue;
            }
            if words.first().map(|w| base(w)) == Some("make") {
                for target in words.iter().skip(1).filter(|w| !w.starts_with('-')) {
                    for recipe in make_recipe(ws, target) {
                        for seg in segments(&recipe) {
                            let w = command_words(seg);
                            if !w.is_empty() {
                                ci.commands.push(Command {
                                    file,
                                    line: at,
                                    words: w,
                                    via: Some(target.clone()),
                                });
                            }
                        }
                    }
                }
            }
            ci.commands.push(Command {
                file,
                line: at,
                words,
                via: None,
            });
        }
    }
}

fn command_words(segment: &str) -> Vec<String> {
    let words = tokens(segment);
    let start = words
        .iter()
        .position(|w| !is_prefix(w) && w != "-c")
        .unwrap_or(words.len());
    words.into_iter().skip(start).collect()
}

/// The recipe lines of a target of the root Makefile (one level, prerequisites not followed).
fn make_recipe(ws: &Workspace, target: &str) -> Vec<String> {
    let Some(makefile) = ["Makefile", "makefile", "GNUmakefile"]
        .iter()
        .find_map(|p| ws.file(p))
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut inside = false;
    for line in makefile.text.lines() {
        if let Some(recipe) = line.strip_prefix('\t') {
            if inside {
                out.push(recipe.trim_start_matches(['@', '-']).to_string());
            }
            continue;
        }
        inside = line
            .split_once(':')
            .filter(|(_, rest)| !rest.starts_with('='))
            .is_some_and(|(names, _)| names.split_whitespace().any(|n| n == target));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_workflows_gitlab_and_make_targets() {
        let ws = Workspace::from_files(vec![
            (
                ".github/workflows/ci.yml".to_string(),
                "on: pull_request\njobs:\n  lint:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: golangci/golangci-lint-action@v6\n      - run: |\n          sudo make lint\n          go vet ./...\n".to_string(),
            ),
            (
                "Makefile".to_string(),
                "lint: fmt\n\t@staticcheck ./...\nfmt:\n\tgofmt -l .\n".to_string(),
            ),
        ]);
        let ci = ci(&ws).unwrap();
        let got: Vec<(u32, String)> = ci
            .commands
            .iter()
            .map(|c| (c.line, c.words.join(" ")))
            .collect();
        assert_eq!(
            got,
            vec![
                (8, "staticcheck ./...".to_string()),
                (8, "make lint".to_string()),
                (9, "go vet ./...".to_string()),
            ]
        );
        assert_eq!(ci.uses[0].action, "golangci/golangci-lint-action");
    }
}
