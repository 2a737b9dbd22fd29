//! Inline waivers in scanned files: `# golive:ignore CHECK[,CHECK] -- reason (until 2027-03-01)`
//! in YAML, HCL, Dockerfile and shell comments (and `//` comments).

use crate::date::Date;

const MARKER: &str = "golive:ignore";

/// One `golive:ignore` comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlineIgnore {
    /// The line of the comment.
    pub line: u32,
    /// The line it applies to: its own line for a trailing comment, otherwise the next line
    /// that is neither blank nor a comment.
    pub covers: u32,
    pub checks: Vec<String>,
    pub reason: Option<String>,
    pub until: Option<Date>,
}

impl InlineIgnore {
    pub fn applies_to(&self, check: &str, line: u32) -> bool {
        (line == self.covers || line == self.line) && self.checks.iter().any(|c| c == check)
    }
}

/// Finds every directive in a file's text (cheap when the marker is absent).
pub fn parse(text: &str) -> Vec<InlineIgnore> {
    if !text.contains(MARKER) {
        return Vec::new();
    }
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(at) = line.find(MARKER) else {
            continue;
        };
        let before = &line[..at];
        let Some(comment_start) = comment_start(before) else {
            continue;
        };
        let own_line = before[..comment_start].trim().is_empty();
        let covers = if own_line {
            lines
                .iter()
                .enumerate()
                .skip(i + 1)
                .find(|(_, l)| !l.trim().is_empty() && !is_comment_line(l))
                .map(|(j, _)| j as u32 + 1)
                .unwrap_or(i as u32 + 1)
        } else {
            i as u32 + 1
        };
        let rest = line[at + MARKER.len()..]
            .trim_end_matches("-->")
            .trim_end_matches("*/");
        let (ids, tail) = match rest.split_once("--") {
            Some((ids, tail)) => (ids, Some(tail.trim())),
            None => (rest, None),
        };
        let checks: Vec<String> = ids
            .split([',', ' '])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let (reason, until) = match tail {
            Some(tail) => split_until(tail),
            None => (None, None),
        };
        out.push(InlineIgnore {
            line: i as u32 + 1,
            covers,
            checks,
            reason,
            until,
        });
    }
    out
}

fn comment_start(before: &str) -> Option<usize> {
    ["#", "//", "<!--", "/*", "--"]
        .iter()
        .filter_map(|m| before.find(m))
        .min()
}

fn is_comment_line(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#') || t.starts_with("//") || t.starts_with("<!--") || t.starts_with("/*")
}

/// `reason text (until 2027-03-01)` → reason, date.
fn split_until(tail: &str) -> (Option<String>, Option<Date>) {
    let mut reason = tail.to_string();
    let mut until = None;
    if let Some(open) = tail.rfind("(until ")
        && let Some(close) = tail[open..].find(')')
    {
        until = Date::parse(&tail[open + 7..open + close]);
        if until.is_some() {
            reason = format!("{}{}", &tail[..open], &tail[open + close + 1..]);
        }
    }
    let reason = reason.trim().to_string();
    ((!reason.is_empty()).then_some(reason), until)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_line_comments_cover_the_next_content_line() {
        let text = "a: 1\n# golive:ignore k8s/replicas -- dev only (until 2027-03-01)\n# another comment\n\nreplicas: 1\n";
        let d = parse(text);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].line, 2);
        assert_eq!(d[0].covers, 5);
        assert_eq!(d[0].checks, vec!["k8s/replicas"]);
        assert_eq!(d[0].reason.as_deref(), Some("dev only"));
        assert_eq!(d[0].until, Date::parse("2027-03-01"));
        assert!(d[0].applies_to("k8s/replicas", 5));
        assert!(!d[0].applies_to("k8s/resources", 5));
    }

    #[test]
    fn trailing_comments_cover_their_line() {
        let d = parse(
            "FROM node:20 # golive:ignore docker/pinned-base,docker/non-root -- base is vetted\n",
        );
        assert_eq!(d[0].covers, 1);
        assert_eq!(d[0].checks.len(), 2);
        assert_eq!(d[0].until, None);
    }

    #[test]
    fn a_directive_without_reason_is_kept_for_reporting() {
        let d = parse("x = 1 // golive:ignore terraform/remote-state\n");
        assert_eq!(d[0].reason, None);
        assert!(parse("description: \"golive:ignore is a word here\"\n").is_empty());
    }
}
