//! Baselines: adopting golive on an existing codebase without fixing everything first. An earlier
//! JSON report is the baseline; each finding of the new report is matched to a baseline finding
//! of the same check by fingerprint (check, path, the first line's text and the message: never
//! the line number, so edits that move lines elsewhere in a file keep the match). Matched
//! findings are `existing`, the rest `new`, and baseline findings nobody matched are `fixed`.
//! With a baseline, only new findings can fail the gate.

use crate::report::{BaselineState, BaselineSummary, FixedFinding, Report};
use serde_json::Value;
use std::collections::BTreeMap;

/// The findings of an earlier report, by (check id, fingerprint).
#[derive(Debug, Default)]
pub struct Baseline {
    /// Where it was read from, as the user gave it.
    pub source: String,
    findings: BTreeMap<(String, String), Vec<FixedFinding>>,
}

/// Why a baseline file cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaselineError {
    pub message: String,
}

impl std::fmt::Display for BaselineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for BaselineError {}

impl Baseline {
    /// Reads a report written by `golive check --format json` (any version that has `checks`
    /// with `id` and `findings` with `fingerprint`). Waived findings count as baseline findings
    /// too: a waiver that expires later should not turn them into new ones.
    pub fn from_json(source: &str, text: &str) -> Result<Baseline, BaselineError> {
        let err = |message: String| BaselineError {
            message: format!("{source}: {message}"),
        };
        let value: Value = serde_json::from_str(text).map_err(|e| {
            err(format!(
                "not a golive JSON report: line {}, column {}: {e}",
                e.line(),
                e.column()
            ))
        })?;
        let checks = value
            .get("checks")
            .and_then(Value::as_array)
            .ok_or_else(|| {
                err("not a golive JSON report: no `checks` list (write one with `golive check --format json --output FILE`)".into())
            })?;
        let mut findings: BTreeMap<(String, String), Vec<FixedFinding>> = BTreeMap::new();
        for (i, check) in checks.iter().enumerate() {
            let id = check
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| err(format!("checks[{i}] has no `id`")))?;
            for key in ["findings", "waived_findings"] {
                for (j, f) in check
                    .get(key)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let fingerprint =
                        f.get("fingerprint")
                            .and_then(Value::as_str)
                            .ok_or_else(|| {
                                err(format!(
                                    "checks[{i}] ({id}): {key}[{j}] has no `fingerprint`"
                                ))
                            })?;
                    findings
                        .entry((id.to_string(), fingerprint.to_string()))
                        .or_default()
                        .push(FixedFinding {
                            check: id.to_string(),
                            path: f.get("path").and_then(Value::as_str).map(str::to_string),
                            line: f
                                .get("line")
                                .and_then(Value::as_u64)
                                .and_then(|l| u32::try_from(l).ok()),
                            message: f
                                .get("message")
                                .and_then(Value::as_str)
                                .unwrap_or_default()
                                .to_string(),
                        });
                }
            }
        }
        Ok(Baseline {
            source: source.to_string(),
            findings,
        })
    }

    /// Marks each finding of `report` new or existing and lists the fixed ones. Identical
    /// findings (same fingerprint) are matched one for one: a third copy of a line that was there
    /// twice is new.
    pub fn apply(&self, report: &mut Report) {
        let mut left = self.findings.clone();
        let (mut new, mut existing) = (0, 0);
        for check in &mut report.checks {
            let findings = check
                .findings
                .iter_mut()
                .chain(check.waived_findings.iter_mut().map(|w| &mut w.finding));
            for f in findings {
                let key = (check.id.clone(), f.fingerprint.clone());
                let matched = left.get_mut(&key).and_then(|v| v.pop()).is_some();
                if matched {
                    existing += 1;
                    f.baseline = Some(BaselineState::Existing);
                } else {
                    new += 1;
                    f.baseline = Some(BaselineState::New);
                }
            }
        }
        // A check that was not run this time (deselected) has not fixed anything.
        let ran: std::collections::BTreeSet<&str> =
            report.checks.iter().map(|c| c.id.as_str()).collect();
        let mut fixed: Vec<FixedFinding> = left
            .into_iter()
            .filter(|((check, _), _)| ran.contains(check.as_str()))
            .flat_map(|(_, v)| v)
            .collect();
        fixed.sort_by(|a, b| (&a.check, &a.path, a.line).cmp(&(&b.check, &b.path, b.line)));
        report.baseline = Some(BaselineSummary {
            source: self.source.clone(),
            new,
            existing,
            fixed,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Check, CheckMeta, Context, Outcome};
    use crate::engine::{RunOptions, run};
    use crate::model::{Finding, Location};
    use crate::{Config, Date, Workspace, declare_check};

    declare_check! {
        /// ## What it checks
        /// One finding per line that says `bad`.
        struct Bad {
            id: "test/bad",
            title: "no bad lines",
            category: Docs,
            level: Bronze,
            severity: Error,
            facets: [],
            seeds: [],
            fix: "remove it",
        }
    }

    impl Check for Bad {
        fn meta(&self) -> &'static CheckMeta {
            &Self::META
        }
        fn run(&self, cx: &Context<'_>) -> Outcome {
            let mut findings = Vec::new();
            for f in cx.ws.files() {
                for (i, line) in f.text.lines().enumerate() {
                    if line.trim() == "bad" {
                        findings.push(Finding::at(
                            Location::line(f.path.clone(), i as u32 + 1),
                            "a bad line",
                        ));
                    }
                }
            }
            Outcome::from_findings(findings, Vec::new())
        }
    }

    fn report(text: &str) -> Report {
        let ws = Workspace::from_texts(&[("a.txt", text)]);
        let opts = RunOptions {
            target: ".".into(),
            today: Date::parse("2026-01-01").expect("date"),
            golive_version: "0".into(),
        };
        run(&ws, &Config::default(), &[&Bad], &opts)
    }

    #[test]
    fn identical_findings_match_one_for_one_and_moved_lines_still_match() {
        let old = serde_json::to_string(&report("bad\nok\nbad\n")).expect("json");
        let baseline = Baseline::from_json("old.json", &old).expect("baseline");
        let mut new = report("x\ny\nbad\nbad\nbad\n");
        baseline.apply(&mut new);
        let states: Vec<_> = new.checks[0].findings.iter().map(|f| f.baseline).collect();
        assert_eq!(
            states
                .iter()
                .filter(|s| **s == Some(BaselineState::Existing))
                .count(),
            2
        );
        let summary = new.baseline.as_ref().expect("summary");
        assert_eq!(
            (summary.new, summary.existing, summary.fixed.len()),
            (1, 2, 0)
        );
        crate::engine::gate(&mut new, crate::model::FailOn::Error);
        assert!(!new.gate.passed);

        let mut fixed = report("ok\nbad\n");
        baseline.apply(&mut fixed);
        crate::engine::gate(&mut fixed, crate::model::FailOn::Error);
        assert!(fixed.gate.passed, "{:?}", fixed.gate.reasons);
        let summary = fixed.baseline.as_ref().expect("summary");
        assert_eq!(
            (summary.new, summary.existing, summary.fixed.len()),
            (0, 1, 1)
        );
        assert_eq!(summary.fixed[0].message, "a bad line");
    }

    #[test]
    fn reports_without_fingerprints_are_refused() {
        let e = Baseline::from_json(
            "old.json",
            r#"{"checks": [{"id": "x", "findings": [{"message": "m"}]}]}"#,
        )
        .unwrap_err();
        assert_eq!(
            e.message,
            "old.json: checks[0] (x): findings[0] has no `fingerprint`"
        );
    }
}
