//! `golive check DIR...`: many repositories at once, summed up as a fleet table (service, level,
//! score, gate, failing checks), in text, Markdown and JSON.

use crate::markdown::cell;
use crate::text::{Painter, table_lines};
use golive_core::Report;
use golive_core::Table;
use golive_core::report::Status;
use std::fmt::Write;

/// One repository of a fleet run: its report, or why it could not be checked.
#[derive(Debug)]
pub enum FleetEntry<'a> {
    Checked(&'a Report),
    Failed { target: String, message: String },
}

/// A row of the fleet table.
struct Row {
    service: String,
    target: String,
    level: String,
    target_level: String,
    score: String,
    verdict: &'static str,
    failing: Vec<String>,
}

/// Failing checks shown per row before "+N more".
const FAILING_SHOWN: usize = 3;

fn rows(entries: &[FleetEntry<'_>]) -> Vec<Row> {
    entries
        .iter()
        .map(|e| match e {
            FleetEntry::Checked(r) => Row {
                service: r.service.clone().unwrap_or_else(|| "-".into()),
                target: r.target.clone(),
                level: r.level.map(|l| l.as_str()).unwrap_or("none").into(),
                target_level: r.target_level.as_str().into(),
                score: format!("{}%", r.score.percent),
                verdict: if r.gate.passed { "ready" } else { "NOT READY" },
                failing: failing(r),
            },
            FleetEntry::Failed { target, message } => Row {
                service: "-".into(),
                target: target.clone(),
                level: "-".into(),
                target_level: "-".into(),
                score: "-".into(),
                verdict: "ERROR",
                failing: vec![message.clone()],
            },
        })
        .collect()
}

/// Failing checks, the lowest level first (they hold back every level above).
fn failing(r: &Report) -> Vec<String> {
    let mut checks: Vec<_> = r
        .checks
        .iter()
        .filter(|c| matches!(c.status, Status::Fail | Status::Error))
        .collect();
    checks.sort_by_key(|c| (c.level, c.id.clone()));
    checks.into_iter().map(|c| c.id.clone()).collect()
}

fn failing_text(failing: &[String]) -> String {
    let mut text = failing
        .iter()
        .take(FAILING_SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if failing.len() > FAILING_SHOWN {
        let _ = write!(text, " (+{} more)", failing.len() - FAILING_SHOWN);
    }
    text
}

fn headline(entries: &[FleetEntry<'_>]) -> String {
    let ready = entries
        .iter()
        .filter(|e| matches!(e, FleetEntry::Checked(r) if r.gate.passed))
        .count();
    let errors = entries
        .iter()
        .filter(|e| matches!(e, FleetEntry::Failed { .. }))
        .count();
    let mut line = format!(
        "{} repositories: {ready} ready, {} not ready",
        entries.len(),
        entries.len() - ready - errors
    );
    if errors > 0 {
        let _ = write!(line, ", {errors} could not be checked");
    }
    line
}

/// The fleet table for a terminal.
pub fn render_fleet_text(entries: &[FleetEntry<'_>]) -> String {
    let mut table = Table::new(
        format!("golive fleet · {}", headline(entries)),
        &[
            "service", "path", "level", "target", "score", "gate", "failing",
        ],
    );
    for r in rows(entries) {
        let failing = failing_text(&r.failing);
        table.row([
            r.service,
            r.target,
            r.level,
            r.target_level,
            r.score,
            r.verdict.to_string(),
            failing,
        ]);
    }
    let lines = table_lines(&table, &Painter { color: false });
    let mut out = String::new();
    for (i, line) in lines.iter().enumerate() {
        out.push_str(line);
        out.push('\n');
        if i == 0 {
            out.push('\n');
        }
    }
    out
}

/// The fleet table as Markdown (a pull-request comment or a step summary).
pub fn render_fleet_markdown(entries: &[FleetEntry<'_>]) -> String {
    let mut out = format!(
        "## golive fleet\n\n{}\n\n| service | path | level | target | score | gate | failing checks |\n| --- | --- | --- | --- | --- | --- | --- |\n",
        headline(entries)
    );
    for r in rows(entries) {
        let mark = match r.verdict {
            "ready" => "✅ ready",
            "ERROR" => "⚠️ error",
            _ => "❌ not ready",
        };
        let failing: Vec<String> = r.failing.iter().map(|f| format!("`{}`", cell(f))).collect();
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} | {mark} | {} |",
            cell(&r.service),
            cell(&r.target),
            r.level,
            r.target_level,
            r.score,
            failing.join(", ")
        );
    }
    out
}

/// The fleet as JSON: one summary row per repository, then the full reports.
pub fn render_fleet_json(entries: &[FleetEntry<'_>]) -> String {
    let fleet: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| match e {
            FleetEntry::Checked(r) => serde_json::json!({
                "target": r.target,
                "service": r.service,
                "level": r.level.map(|l| l.as_str()).unwrap_or("none"),
                "target_level": r.target_level,
                "score": r.score,
                "gate": r.gate,
                "failing": failing(r),
            }),
            FleetEntry::Failed { target, message } => serde_json::json!({
                "target": target,
                "error": message,
            }),
        })
        .collect();
    let reports: Vec<&Report> = entries
        .iter()
        .filter_map(|e| match e {
            FleetEntry::Checked(r) => Some(*r),
            FleetEntry::Failed { .. } => None,
        })
        .collect();
    let doc = serde_json::json!({
        "version": golive_core::report::REPORT_VERSION,
        "fleet": fleet,
        "reports": reports,
    });
    match serde_json::to_string_pretty(&doc) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        Err(e) => format!("{{\"error\": \"could not serialise the fleet report: {e}\"}}\n"),
    }
}
