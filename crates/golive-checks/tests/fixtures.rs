//! The data-driven fixture harness: every folder `tests/fixtures/<prefix>/<name>/<case>/` is a small
//! repository; the engine runs only the check `<prefix>/<name>` on it, the status must match the
//! case name (`pass*`, `fail*`, `not-applicable*`, `waived*`, `error*`) and the exact findings,
//! lines and evidence are snapshotted. Adding a check's tests means adding folders.

mod support;

use golive_core::engine::{self, RunOptions};
use golive_core::report::CheckResult;
use golive_core::workspace::{ScanOptions, Workspace};
use golive_core::{Config, Date};
use std::fmt::Write;
use std::path::{Path, PathBuf};

fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The fixed "today" of every fixture run, so waiver expiry is deterministic.
fn today() -> Date {
    Date {
        year: 2026,
        month: 11,
        day: 22,
    }
}

fn cases() -> Vec<(String, String, PathBuf)> {
    let mut out = Vec::new();
    let Ok(prefixes) = std::fs::read_dir(fixtures_root()) else {
        return out;
    };
    for prefix in prefixes.flatten() {
        for check in std::fs::read_dir(prefix.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let id = format!(
                "{}/{}",
                prefix.file_name().to_string_lossy(),
                check.file_name().to_string_lossy()
            );
            for case in std::fs::read_dir(check.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                if case.path().is_dir() {
                    out.push((
                        id.clone(),
                        case.file_name().to_string_lossy().into_owned(),
                        case.path(),
                    ));
                }
            }
        }
    }
    out.sort();
    out
}

/// Copies a fixture into a temporary folder, expanding generated test values (fake secrets are
/// never committed).
fn materialise(src: &Path, dst: &Path) {
    for entry in std::fs::read_dir(src).unwrap().flatten() {
        let target = dst.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            materialise(&entry.path(), &target);
        } else {
            let bytes = std::fs::read(entry.path()).unwrap();
            match String::from_utf8(bytes) {
                Ok(text) => std::fs::write(&target, support::expand(&text)).unwrap(),
                Err(e) => std::fs::write(&target, e.into_bytes()).unwrap(),
            }
        }
    }
}

pub fn render(result: &CheckResult, notes: &[golive_core::report::WaiverNote]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "status: {}", result.status.as_str());
    if let Some(reason) = &result.reason {
        let _ = writeln!(s, "reason: {reason}");
    }
    for f in &result.findings {
        let _ = writeln!(s, "finding: {}", line_of(f));
    }
    for w in &result.waived_findings {
        let _ = writeln!(
            s,
            "waived: {} [by {}: {}]",
            line_of(&w.finding),
            w.waiver.source,
            w.waiver.reason
        );
    }
    for e in &result.evidence {
        let at = match (&e.path, e.line) {
            (Some(p), Some(l)) => format!("{p}:{l}: "),
            (Some(p), None) => format!("{p}: "),
            _ => String::new(),
        };
        let _ = writeln!(s, "evidence: {at}{}", e.message);
    }
    for t in &result.tables {
        let _ = writeln!(s, "table: {}", t.title);
        let _ = writeln!(s, "  | {} |", t.columns.join(" | "));
        for row in &t.rows {
            let _ = writeln!(s, "  | {} |", row.join(" | "));
        }
    }
    for n in notes {
        let _ = writeln!(s, "waiver-note: {} {:?} {}", n.source, n.problem, n.message);
    }
    s
}

fn line_of(f: &golive_core::Finding) -> String {
    let at = match &f.location {
        Some(l) => format!(
            "{}:{}:{}-{}:{}",
            l.path, l.line, l.column, l.end_line, l.end_column
        ),
        None => "(repository)".into(),
    };
    let help = f
        .help
        .as_deref()
        .map(|h| format!(" (help: {h})"))
        .unwrap_or_default();
    format!("{} {at} {}{help}", f.severity, f.message)
}

#[test]
fn fixtures() {
    let catalogue = golive_checks::catalogue();
    let ids = golive_checks::ids();
    let mut failures = Vec::new();
    let cases = cases();
    assert!(
        !cases.is_empty(),
        "no fixtures found under {}",
        fixtures_root().display()
    );
    for (id, case, path) in &cases {
        let tmp = tempfile::tempdir().unwrap();
        materialise(path, tmp.path());
        let ws = Workspace::scan(tmp.path(), &ScanOptions::default()).unwrap();
        let mut config = match tmp.path().join("golive.toml") {
            p if p.exists() => {
                Config::load(&p, &ids).unwrap_or_else(|e| panic!("{id}/{case}: {e}"))
            }
            _ => Config::default(),
        };
        // `custom/<name>` fixtures declare their check in their golive.toml's [[custom]].
        let custom = golive_checks::custom::checks(&config);
        let check: &dyn golive_core::Check = match catalogue.iter().find(|c| c.meta().id == id) {
            Some(check) => *check,
            None => match custom.iter().find(|c| c.id() == id) {
                Some(check) => check,
                None => {
                    failures.push(format!("{id}/{case}: no check with id {id}"));
                    continue;
                }
            },
        };
        config.select = vec![id.clone()];
        let opts = RunOptions {
            target: ".".into(),
            today: today(),
            golive_version: "test".into(),
        };
        let report = engine::run(&ws, &config, &[check], &opts);
        let result = &report.checks[0];
        let expected = ["not-applicable", "pass", "fail", "waived", "error"]
            .into_iter()
            .find(|s| case.starts_with(s))
            .unwrap_or_else(|| panic!("{id}/{case}: case folders start with pass, fail, not-applicable, waived or error"));
        if result.status.as_str() != expected {
            failures.push(format!(
                "{id}/{case}: expected {expected}, got {}\n{}",
                result.status.as_str(),
                render(result, &report.waivers)
            ));
            continue;
        }
        let name = format!("{}__{case}", id.replace('/', "__"));
        insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
            insta::assert_snapshot!(name, render(result, &report.waivers));
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_check_has_pass_fail_and_not_applicable_fixtures() {
    let cases = cases();
    let mut missing = Vec::new();
    for id in golive_checks::ids() {
        // A manual attestation always applies (no READINESS.md is a failure by design): its
        // third case is `fail-no-readiness`.
        let kinds: &[&str] = if id.starts_with("manual/") {
            &["pass", "fail", "fail-no-readiness"]
        } else {
            &["pass", "fail", "not-applicable"]
        };
        for &kind in kinds {
            // A check whose only bad outcome is "could not evaluate" shows it with `error*`.
            let found = cases.iter().any(|(i, c, _)| {
                let other_fail = kind == "fail" && c.starts_with("fail-no-readiness");
                i == id
                    && ((c.starts_with(kind) && !other_fail)
                        || (kind == "fail" && c.starts_with("error")))
            });
            if !found {
                missing.push(format!("{id}: no `{kind}*` fixture"));
            }
        }
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
