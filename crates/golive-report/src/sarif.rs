//! SARIF 2.1.0 for code-scanning services (GitHub code scanning, Azure DevOps, GitLab): one rule
//! descriptor per check that ran (help text from the check's own docs), one result per finding
//! with a 1-based region and a line-independent partial fingerprint. Waived findings are results
//! with an external suppression (so a scanning service shows them as dismissed, with the reason).

use golive_core::model::Finding;
use golive_core::report::{CheckResult, Report, Status};
use golive_core::{CheckMeta, Severity};
use serde_json::{Map, Value, json};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The report as a SARIF log. `metas` supplies each check's documentation (checks the report
/// names but `metas` lacks get a descriptor from the report alone).
pub fn render_sarif(report: &Report, metas: &[&'static CheckMeta]) -> String {
    let rules: Vec<Value> = report
        .checks
        .iter()
        .map(|c| rule(c, metas.iter().find(|m| m.id == c.id).copied()))
        .collect();
    let mut results = Vec::new();
    for (index, c) in report.checks.iter().enumerate() {
        if !matches!(c.status, Status::Fail | Status::Waived | Status::Error) {
            continue;
        }
        for f in &c.findings {
            results.push(result(c, index, f, None));
        }
        for w in &c.waived_findings {
            results.push(result(c, index, &w.finding, Some(&w.waiver.reason)));
        }
    }
    let level = report.level.map(|l| l.as_str()).unwrap_or("none");
    let log = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "golive",
                "semanticVersion": report.golive_version,
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"description": {"text": "the scanned repository"}}},
            "invocations": [{
                "executionSuccessful": true,
                "toolExecutionNotifications": notifications(report),
            }],
            "results": results,
            "properties": {
                "level": level,
                "targetLevel": report.target_level.as_str(),
                "score": report.score.percent,
                "gatePassed": report.gate.passed,
            },
        }],
    });
    match serde_json::to_string_pretty(&log) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        Err(e) => format!("{{\"error\": \"could not serialise the SARIF log: {e}\"}}\n"),
    }
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule(c: &CheckResult, meta: Option<&'static CheckMeta>) -> Value {
    let (summary, docs) = match meta {
        Some(m) => (m.summary(), m.docs()),
        None => (
            c.title.clone(),
            format!("{}\n\nHow to fix: {}\n", c.title, c.help),
        ),
    };
    let summary = if summary.is_empty() {
        c.title.clone()
    } else {
        summary
    };
    json!({
        "id": c.id,
        "name": rule_name(&c.id),
        "shortDescription": {"text": c.title},
        "fullDescription": {"text": summary},
        "help": {"text": format!("{}\n\n{docs}", c.help), "markdown": docs},
        "defaultConfiguration": {"level": sarif_level(c.severity)},
        "properties": {
            "category": c.category.as_str(),
            "level": c.level.as_str(),
            "tags": ["production-readiness", c.category.as_str(), c.level.as_str()],
        },
    })
}

/// `k8s/readiness-probe` → `K8sReadinessProbe` (SARIF's `name` is an identifier-like label).
fn rule_name(id: &str) -> String {
    id.split(['/', '-'])
        .map(|w| {
            let mut cs = w.chars();
            match cs.next() {
                Some(first) => first.to_uppercase().chain(cs).collect::<String>(),
                None => String::new(),
            }
        })
        .collect()
}

fn result(c: &CheckResult, index: usize, f: &Finding, suppressed: Option<&str>) -> Value {
    let mut r = Map::new();
    r.insert("ruleId".into(), json!(c.id));
    r.insert("ruleIndex".into(), json!(index));
    r.insert("level".into(), json!(sarif_level(f.severity)));
    let help = f.help.as_deref().unwrap_or(&c.help);
    r.insert(
        "message".into(),
        json!({"text": format!("{} (fix: {help})", f.message)}),
    );
    if let Some(loc) = &f.location {
        let mut region = Map::new();
        // SARIF regions are 1-based; a location without a line covers the whole file.
        if loc.line > 0 {
            region.insert("startLine".into(), json!(loc.line));
            region.insert("startColumn".into(), json!(loc.column.max(1)));
            let end_line = loc.end_line.max(loc.line);
            region.insert("endLine".into(), json!(end_line));
            let end_column = if end_line == loc.line {
                loc.end_column.max(loc.column.max(1))
            } else {
                loc.end_column.max(1)
            };
            // An empty span (end == start) marks the whole line: leave the end column out.
            if end_line != loc.line || end_column > loc.column.max(1) {
                region.insert("endColumn".into(), json!(end_column));
            }
            if let Some(snippet) = &f.snippet
                && snippet.start_line == loc.line
                && let Some(first) = snippet.text.lines().next()
            {
                region.insert("snippet".into(), json!({"text": first}));
            }
        }
        let mut physical = Map::new();
        physical.insert(
            "artifactLocation".into(),
            json!({"uri": uri(&loc.path), "uriBaseId": "%SRCROOT%"}),
        );
        if !region.is_empty() {
            physical.insert("region".into(), Value::Object(region));
        }
        r.insert(
            "locations".into(),
            json!([{"physicalLocation": Value::Object(physical)}]),
        );
    }
    r.insert(
        "partialFingerprints".into(),
        json!({"golive/v1": f.fingerprint}),
    );
    if let Some(reason) = suppressed {
        r.insert(
            "suppressions".into(),
            json!([{"kind": "external", "justification": reason}]),
        );
    }
    Value::Object(r)
}

/// A relative path as a URI reference: `/` separators, reserved characters percent-encoded.
/// History findings (`path@commit`) keep their path part.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' | b'@' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Checks in error are tool problems, not results: they become notifications.
fn notifications(report: &Report) -> Vec<Value> {
    report
        .checks
        .iter()
        .filter(|c| c.status == Status::Error)
        .map(|c| {
            json!({
                "level": "error",
                "message": {"text": format!("{}: {}", c.id, c.reason.as_deref().unwrap_or("could not be evaluated"))},
                "descriptor": {"id": c.id},
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_are_identifiers() {
        assert_eq!(rule_name("k8s/readiness-probe"), "K8sReadinessProbe");
        assert_eq!(rule_name("alerts/golden-signals"), "AlertsGoldenSignals");
    }

    #[test]
    fn uris_encode_reserved_characters() {
        assert_eq!(uri("k8s/a b.yaml"), "k8s/a%20b.yaml");
        assert_eq!(uri("src/é.rs"), "src/%C3%A9.rs");
        assert_eq!(uri("docs/#1.md"), "docs/%231.md");
    }
}
