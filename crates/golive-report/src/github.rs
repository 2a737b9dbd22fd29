//! GitHub Actions workflow commands: each finding becomes an `::error`/`::warning`/`::notice`
//! annotation on its file and line (shown inline on the pull request), followed by one notice
//! with the level, the score and the gate verdict.

use golive_core::Severity;
use golive_core::report::{Report, Status};
use std::fmt::Write;

pub fn render_github(report: &Report) -> String {
    let mut out = String::new();
    for c in &report.checks {
        if c.status == Status::Error {
            let _ = writeln!(
                out,
                "::error title={}::{}",
                property(&format!("golive {}", c.id)),
                data(&format!(
                    "{} could not be evaluated: {}",
                    c.id,
                    c.reason.as_deref().unwrap_or("unknown reason")
                ))
            );
        }
        for f in &c.findings {
            let command = match f.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "notice",
            };
            let mut props = Vec::new();
            if let Some(loc) = &f.location {
                // History findings (`path@commit`) cannot be annotated on a file of the tree.
                if !loc.path.contains('@') {
                    props.push(format!("file={}", property(&loc.path)));
                    if loc.line > 0 {
                        props.push(format!("line={}", loc.line));
                        let end_line = loc.end_line.max(loc.line);
                        if end_line != loc.line {
                            props.push(format!("endLine={end_line}"));
                        } else if loc.end_column > loc.column.max(1) {
                            props.push(format!("col={}", loc.column.max(1)));
                            props.push(format!("endColumn={}", loc.end_column));
                        }
                    }
                }
            }
            props.push(format!(
                "title={}",
                property(&format!("golive {} ({})", c.id, c.level))
            ));
            let help = f.help.as_deref().unwrap_or(&c.help);
            let mut message = format!("{}\nfix: {help}", f.message);
            if let Some(loc) = &f.location
                && loc.path.contains('@')
            {
                message = format!("{}: {message}", loc.path);
            }
            let _ = writeln!(out, "::{command} {}::{}", props.join(","), data(&message));
        }
    }
    let level = report.level.map(|l| l.as_str()).unwrap_or("none");
    let verdict = if report.gate.passed {
        "READY".to_string()
    } else {
        format!("NOT READY: {}", report.gate.reasons.join("; "))
    };
    let _ = writeln!(
        out,
        "::notice title=golive::{}",
        data(&format!(
            "level {level} (target {}), score {}% ({}/{} applicable checks pass). {verdict}",
            report.target_level, report.score.percent, report.score.passed, report.score.applicable
        ))
    );
    out
}

/// Escapes a command's message (`%`, CR, LF).
fn data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property (also `:` and `,`, which delimit properties).
fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_follows_the_workflow_command_rules() {
        assert_eq!(data("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(property("a:b,c"), "a%3Ab%2Cc");
    }
}
