//! The lines a repository's git history added (`golive check --history`), for checks that look
//! for what was committed and later deleted (secrets/committed).
//!
//! `git log --all -p --reverse -U0` is read oldest commit first, so the first commit that added
//! a line comes first.

use std::path::Path;
use std::process::Command;

/// The lines one commit added to one file, in order: (line number in that commit, text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddedLines {
    /// Full commit hash.
    pub commit: String,
    pub path: String,
    pub lines: Vec<(u32, String)>,
}

impl AddedLines {
    /// The commit's abbreviated hash (12 characters).
    pub fn short_commit(&self) -> &str {
        self.commit.get(..12).unwrap_or(&self.commit)
    }
}

/// Every file change of every commit reachable from any ref, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GitHistory {
    pub commits: usize,
    pub changes: Vec<AddedLines>,
}

/// Reads the history of the repository at `root` with `git`. The error says what is wrong (no
/// git, not a repository, a failing command).
pub fn read(root: &Path) -> Result<GitHistory, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "log",
            "--all",
            "--reverse",
            "-p",
            "--no-color",
            "--no-ext-diff",
            "--no-renames",
            "-U0",
            "--format=commit %H",
        ])
        .output()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                "--history needs git, which is not installed (not found on PATH)".to_string()
            } else {
                format!("--history: cannot run git: {e}")
            }
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr.lines().next().unwrap_or("").trim();
        return Err(if stderr.contains("not a git repository") {
            format!(
                "--history: {} is not a git repository ({first})",
                root.display()
            )
        } else if stderr.contains("does not have any commits") {
            format!("--history: {} has no commits yet", root.display())
        } else {
            format!("--history: `git log` failed in {}: {first}", root.display())
        });
    }
    Ok(parse(&String::from_utf8_lossy(&output.stdout)))
}

/// Parses `git log -p -U0 --format='commit %H'` output: the added lines of each file of each
/// commit, with their line numbers in the commit.
pub fn parse(log: &str) -> GitHistory {
    let mut history = GitHistory::default();
    let mut commit = String::new();
    let mut current: Option<AddedLines> = None;
    let mut next_line: u32 = 0;
    let mut in_hunk = false;
    let flush = |current: &mut Option<AddedLines>, history: &mut GitHistory| {
        if let Some(c) = current.take().filter(|c| !c.lines.is_empty()) {
            history.changes.push(c);
        }
    };
    for line in log.split('\n') {
        if let Some(hash) = line.strip_prefix("commit ").filter(|h| is_hash(h)) {
            flush(&mut current, &mut history);
            commit = hash.to_string();
            history.commits += 1;
            in_hunk = false;
        } else if line.starts_with("diff --git ") {
            flush(&mut current, &mut history);
            in_hunk = false;
        } else if !in_hunk && line.starts_with("+++ ") {
            let path = line[4..].trim_matches('"');
            current = path.strip_prefix("b/").map(|p| AddedLines {
                commit: commit.clone(),
                path: p.to_string(),
                lines: Vec::new(),
            });
        } else if let Some(header) = line.strip_prefix("@@ ") {
            // `@@ -a,b +c,d @@`: added lines start at c.
            next_line = header
                .split(' ')
                .find_map(|p| p.strip_prefix('+'))
                .and_then(|p| p.split(',').next())
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            in_hunk = current.is_some();
        } else if in_hunk {
            if let Some(added) = line.strip_prefix('+') {
                if let Some(c) = current.as_mut() {
                    c.lines.push((next_line, added.to_string()));
                }
                next_line += 1;
            } else if !line.starts_with('-') && !line.starts_with('\\') {
                in_hunk = false;
            }
        }
    }
    flush(&mut current, &mut history);
    history
}

fn is_hash(s: &str) -> bool {
    s.len() >= 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_added_lines_with_their_numbers() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let log = format!(
            "commit {a}\n\ndiff --git a/x.env b/x.env\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ b/x.env\n@@ -0,0 +1,2 @@\n+A=1\n+B=2\ncommit {b}\n\ndiff --git a/x.env b/x.env\nindex 1111111..2222222 100644\n--- a/x.env\n+++ b/x.env\n@@ -2 +1,0 @@\n-B=2\n@@ -5,0 +7 @@\n+++C=3\ndiff --git a/gone b/gone\ndeleted file mode 100644\n--- a/gone\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n"
        );
        let h = parse(&log);
        assert_eq!(h.commits, 2);
        assert_eq!(h.changes.len(), 2);
        assert_eq!(h.changes[0].path, "x.env");
        assert_eq!(
            h.changes[0].lines,
            vec![(1, "A=1".to_string()), (2, "B=2".to_string())]
        );
        assert_eq!(h.changes[1].commit, b);
        assert_eq!(h.changes[1].short_commit(), "bbbbbbbbbbbb");
        assert_eq!(h.changes[1].lines, vec![(7, "++C=3".to_string())]);
    }
}
