//! Markdown for a pull-request comment or `$GITHUB_STEP_SUMMARY`: the level as a badge, the
//! verdict, the top gaps (what to fix first), then one table per category (folded). Stays under
//! GitHub's 65,536-character comment limit by shortening the category tables first.

use crate::location_text;
use golive_core::report::{CheckResult, Report, Status};
use golive_core::{Level, Severity};
use std::fmt::Write;

/// GitHub refuses comments longer than this.
const MAX_CHARS: usize = 65_000;
/// Gaps listed in "Top gaps".
const TOP_GAPS: usize = 10;

pub fn render_markdown(report: &Report) -> String {
    let mut head = String::new();
    let who = report.service.as_deref().unwrap_or(&report.target);
    let _ = writeln!(
        head,
        "## golive · {} · {}\n",
        cell(who),
        badge(report.level)
    );
    let verdict = if report.gate.passed {
        "✅ **READY**: the gate is met".to_string()
    } else {
        format!(
            "❌ **NOT READY**: {}",
            cell(&report.gate.reasons.join("; "))
        )
    };
    let _ = writeln!(
        head,
        "**Level {}** (target {}) · **Score {}%** ({}/{} applicable checks pass) · {verdict}\n",
        report.level.map(|l| l.as_str()).unwrap_or("none"),
        report.target_level,
        report.score.percent,
        report.score.passed,
        report.score.applicable,
    );
    if let Some(next) = &report.next_level
        && !next.missing.is_empty()
    {
        let ids: Vec<String> = next.missing.iter().map(|m| format!("`{m}`")).collect();
        let _ = writeln!(head, "**Next: {}** needs {}\n", next.level, ids.join(", "));
    }
    top_gaps(report, &mut head);

    let mut tables: Vec<String> = report
        .categories
        .iter()
        .filter_map(|cat| {
            let checks = report.checks_in(cat.id);
            if checks.is_empty() {
                return None;
            }
            let score = if cat.score.applicable == 0 {
                "n/a".to_string()
            } else {
                format!(
                    "{}/{} ({}%)",
                    cat.score.passed, cat.score.applicable, cat.score.percent
                )
            };
            let mut t = format!(
                "<details><summary><b>{}</b> · {score}</summary>\n\n| | check | level | details |\n| --- | --- | --- | --- |\n",
                cat.title
            );
            for c in &checks {
                let _ = writeln!(
                    t,
                    "| {} | `{}` | {} | {} |",
                    status_mark(c.status),
                    c.id,
                    c.level,
                    cell(&details(c))
                );
            }
            for c in &checks {
                for table in &c.tables {
                    let _ = write!(
                        t,
                        "\n**{}** (`{}`)\n\n| {} |\n|{}\n",
                        cell(&table.title),
                        c.id,
                        table.columns.iter().map(|h| cell(h)).collect::<Vec<_>>().join(" | "),
                        " --- |".repeat(table.columns.len())
                    );
                    for row in &table.rows {
                        let cells: Vec<String> = row.iter().map(|x| cell(x)).collect();
                        let _ = writeln!(t, "| {} |", cells.join(" | "));
                    }
                }
            }
            t.push_str("\n</details>\n\n");
            Some(t)
        })
        .collect();

    let footer = "<sub>golive: production-readiness checks with file:line evidence. Run `golive explain CHECK` for what a check wants.</sub>\n";
    let mut budget = MAX_CHARS.saturating_sub(head.len() + footer.len() + 200);
    let mut out = head;
    out.push_str("### By category\n\n");
    let mut omitted = 0;
    for t in tables.drain(..) {
        if t.len() <= budget {
            budget -= t.len();
            out.push_str(&t);
        } else {
            omitted += 1;
        }
    }
    if omitted > 0 {
        let _ = writeln!(
            out,
            "_{omitted} category table(s) left out to stay within the comment size limit: see the full report (`--format json` or `--format html`)._\n"
        );
    }
    out.push_str(footer);
    out
}

/// A text badge for the level (no image: comments and summaries render it offline).
fn badge(level: Option<Level>) -> String {
    match level {
        Some(Level::Gold) => "🥇 gold".into(),
        Some(Level::Silver) => "🥈 silver".into(),
        Some(Level::Bronze) => "🥉 bronze".into(),
        None => "⚪ no level yet".into(),
    }
}

fn status_mark(status: Status) -> &'static str {
    match status {
        Status::Pass => "✅",
        Status::Fail => "❌",
        Status::NotApplicable => "➖",
        Status::Waived => "🟡",
        Status::Error => "⚠️",
    }
}

/// The failing checks that matter most: the lowest level first (they hold back every level
/// above), errors before warnings, then by how many findings they have.
fn top_gaps(report: &Report, out: &mut String) {
    let mut gaps: Vec<&CheckResult> = report
        .checks
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Error))
        .collect();
    if gaps.is_empty() {
        return;
    }
    gaps.sort_by_key(|c| {
        (
            c.level,
            c.severity != Severity::Error,
            std::cmp::Reverse(c.findings.len()),
            c.id.clone(),
        )
    });
    let _ = writeln!(
        out,
        "### Top gaps\n\n| | check | level | first finding | fix |\n| --- | --- | --- | --- | --- |"
    );
    for c in gaps.iter().take(TOP_GAPS) {
        let first = match c.findings.first() {
            Some(f) => {
                let at = f
                    .location
                    .as_ref()
                    .map(|l| format!("`{}` ", location_text(l).trim_end_matches([':', ' '])))
                    .unwrap_or_default();
                let more = match c.findings.len() {
                    0 | 1 => String::new(),
                    n => format!(" (+{} more)", n - 1),
                };
                format!("{at}{}{more}", cell(&f.message))
            }
            None => cell(c.reason.as_deref().unwrap_or("")),
        };
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {first} | {} |",
            status_mark(c.status),
            c.id,
            c.level,
            cell(&c.help)
        );
    }
    if gaps.len() > TOP_GAPS {
        let _ = writeln!(
            out,
            "\n_and {} more failing check(s) below._",
            gaps.len() - TOP_GAPS
        );
    }
    out.push('\n');
}

fn details(c: &CheckResult) -> String {
    match c.status {
        Status::Pass => c.title.clone(),
        Status::Fail => {
            let n = c.findings.len();
            format!("{} ({n} finding{})", c.title, if n == 1 { "" } else { "s" })
        }
        Status::NotApplicable | Status::Error => {
            format!("{}: {}", c.title, c.reason.as_deref().unwrap_or(""))
        }
        Status::Waived => {
            let why = c
                .waiver
                .as_ref()
                .map(|w| format!(" (waived: {})", w.reason))
                .unwrap_or_default();
            format!("{}{why}", c.title)
        }
    }
}

/// Text safe inside a table cell: one line, pipes and markup characters escaped.
pub(crate) fn cell(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut out = String::with_capacity(one_line.len());
    for c in one_line.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    if out.chars().count() > 300 {
        out = out.chars().take(299).collect::<String>() + "…";
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_one_line_and_escape_pipes_and_markup() {
        assert_eq!(cell("a | b\n  <c>"), "a \\| b &lt;c&gt;");
        assert_eq!(cell(&"x".repeat(400)).chars().count(), 300);
    }
}
