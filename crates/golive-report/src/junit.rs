//! JUnit XML, the format every CI system can display as test results: one test suite per
//! category, one test case per check and target (the scanned repository). A failing check is a
//! `<failure>` listing its findings; not-applicable is `<skipped>`; a check that could not be
//! evaluated is an `<error>`; a waived check passes with its waiver in `<system-out>`.

use crate::{location_text, markup as xml};
use golive_core::report::{CheckResult, Report, Status};
use std::fmt::Write;

pub fn render_junit(report: &Report) -> String {
    render_junit_fleet(&[report])
}

/// Several repositories in one document: their suites side by side, named by repository when
/// there is more than one.
pub fn render_junit_fleet(reports: &[&Report]) -> String {
    let all = || reports.iter().flat_map(|r| &r.checks);
    let count = |s: Status| all().filter(|c| c.status == s).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let name = match reports {
        [one] => target_of(one).to_string(),
        _ => format!("{} repositories", reports.len()),
    };
    let _ = writeln!(
        out,
        "<testsuites name=\"golive {}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
        xml(&name),
        all().count(),
        count(Status::Fail),
        count(Status::Error),
        count(Status::NotApplicable),
    );
    for report in reports {
        let target = target_of(report);
        for cat in &report.categories {
            let checks = report.checks_in(cat.id);
            if checks.is_empty() {
                continue;
            }
            let n = |s: Status| checks.iter().filter(|c| c.status == s).count();
            let suite = if reports.len() > 1 {
                format!("{target} · {}", cat.title)
            } else {
                cat.title.clone()
            };
            let _ = writeln!(
                out,
                "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">",
                xml(&suite),
                checks.len(),
                n(Status::Fail),
                n(Status::Error),
                n(Status::NotApplicable),
            );
            for c in checks {
                testcase(c, target, &mut out);
            }
            out.push_str("  </testsuite>\n");
        }
        let level = report.level.map(|l| l.as_str()).unwrap_or("none");
        let _ = writeln!(
            out,
            "  <!-- {}: level {level} (target {}), score {}% ({}/{}), gate {} -->",
            xml(target).replace("--", "- -"),
            report.target_level,
            report.score.percent,
            report.score.passed,
            report.score.applicable,
            if report.gate.passed {
                "passed"
            } else {
                "failed"
            }
        );
    }
    out.push_str("</testsuites>\n");
    out
}

/// How a report names its repository: the service, else the scanned path.
fn target_of(report: &Report) -> &str {
    report.service.as_deref().unwrap_or(&report.target)
}

fn testcase(c: &CheckResult, target: &str, out: &mut String) {
    let open = format!(
        "    <testcase classname=\"golive.{}.{}\" name=\"{} [{}] {}\"",
        xml(&classname(target)),
        c.category.as_str(),
        xml(&c.id),
        c.level.as_str(),
        xml(&c.title),
    );
    match c.status {
        Status::Pass => {
            let _ = writeln!(out, "{open}/>");
        }
        Status::Fail => {
            let mut body = String::new();
            for f in &c.findings {
                let at = f.location.as_ref().map(location_text).unwrap_or_default();
                let _ = writeln!(body, "{}{}: {}", at, f.severity, f.message);
            }
            let _ = writeln!(body, "fix: {}", c.help);
            let n = c.findings.len();
            let _ = writeln!(
                out,
                "{open}>\n      <failure message=\"{} finding{}: {}\" type=\"{}\">{}</failure>\n    </testcase>",
                n,
                if n == 1 { "" } else { "s" },
                xml(c.findings.first().map(|f| f.message.as_str()).unwrap_or("")),
                c.severity,
                xml(&body),
            );
        }
        Status::NotApplicable => {
            let _ = writeln!(
                out,
                "{open}>\n      <skipped message=\"{}\"/>\n    </testcase>",
                xml(c.reason.as_deref().unwrap_or("not applicable"))
            );
        }
        Status::Error => {
            let _ = writeln!(
                out,
                "{open}>\n      <error message=\"{}\"/>\n    </testcase>",
                xml(c.reason.as_deref().unwrap_or("could not be evaluated"))
            );
        }
        Status::Waived => {
            let reason = c
                .waiver
                .as_ref()
                .map(|w| format!("waived: {} ({})", w.reason, w.source))
                .unwrap_or_else(|| "waived".into());
            let _ = writeln!(
                out,
                "{open}>\n      <system-out>{}</system-out>\n    </testcase>",
                xml(&reason)
            );
        }
    }
}

/// A target as a dotted class-name part: `services/checkout` → `services_checkout`.
fn classname(target: &str) -> String {
    let cleaned: String = target
        .trim_matches(['.', '/'])
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.is_empty() {
        "repository".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_names_are_dotted_identifiers() {
        assert_eq!(classname("./services/checkout/"), "services_checkout");
        assert_eq!(classname("."), "repository");
    }
}
