//! The report: what every output format renders. Versioned (see docs/json-report.md); everything
//! but `timings` is byte-identical between runs on the same input.

use crate::date::Date;
pub use crate::model::BaselineState;
use crate::model::{Category, Evidence, Facet, FailOn, Finding, Level, Severity, Table};
use crate::workspace::Skipped;
use serde::{Serialize, Serializer};

/// The JSON report's schema version. Bump on any incompatible change.
pub const REPORT_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub version: u32,
    pub golive_version: String,
    /// The scanned path as given on the command line.
    pub target: String,
    pub service: Option<String>,
    pub tier: Option<u8>,
    pub facets: Vec<Facet>,
    pub files: FileStats,
    /// The level reached; `"none"` in JSON when not even bronze.
    #[serde(serialize_with = "level_or_none")]
    pub level: Option<Level>,
    pub target_level: Level,
    pub gate: Gate,
    pub score: Score,
    /// The next level up and the checks that stand in the way (None at gold).
    pub next_level: Option<NextLevel>,
    pub categories: Vec<CategoryResult>,
    pub checks: Vec<CheckResult>,
    /// Expired, stale and invalid waivers (config and inline).
    pub waivers: Vec<WaiverNote>,
    /// With `--baseline`: how the findings compare with the baseline report.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub baseline: Option<BaselineSummary>,
    pub timings: Timings,
}

/// The findings compared with a baseline report (see `baseline.rs`).
#[derive(Clone, Debug, Serialize)]
pub struct BaselineSummary {
    /// The baseline file as given on the command line.
    pub source: String,
    pub new: u32,
    pub existing: u32,
    /// Baseline findings of checks that ran and no longer report them.
    pub fixed: Vec<FixedFinding>,
}

/// A baseline finding that is gone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FixedFinding {
    pub check: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    pub message: String,
}

fn level_or_none<S: Serializer>(level: &Option<Level>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(level.map(Level::as_str).unwrap_or("none"))
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct FileStats {
    pub scanned: u32,
    pub bytes: u64,
    pub skipped: Skipped,
}

#[derive(Clone, Debug, Serialize)]
pub struct Gate {
    pub passed: bool,
    /// Which findings fail the gate by severity.
    pub fail_on: FailOn,
    /// Why the gate failed (empty when it passed).
    pub reasons: Vec<String>,
}

/// passed / applicable. Waived counts as passed (an accepted, accountable decision);
/// not-applicable counts as neither.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Score {
    pub passed: u32,
    pub applicable: u32,
    /// Rounded down, 0..=100; 100 when nothing applies.
    pub percent: u32,
}

impl Score {
    pub fn new(passed: u32, applicable: u32) -> Score {
        let percent = (passed * 100).checked_div(applicable).unwrap_or(100);
        Score {
            passed,
            applicable,
            percent,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct NextLevel {
    pub level: Level,
    /// Ids of the checks (at this level or below) that fail or could not be evaluated.
    pub missing: Vec<String>,
}

#[derive(Clone, Debug, Serialize)]
pub struct CategoryResult {
    pub id: Category,
    pub title: String,
    pub score: Score,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Pass,
    Fail,
    NotApplicable,
    Waived,
    Error,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NotApplicable => "not-applicable",
            Status::Waived => "waived",
            Status::Error => "error",
        }
    }

    /// Whether the status counts towards a level (pass or waived).
    pub fn is_ok(self) -> bool {
        matches!(self, Status::Pass | Status::Waived)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct CheckResult {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub level: Level,
    /// The check's severity after configuration overrides.
    pub severity: Severity,
    pub status: Status,
    /// Why the check is not-applicable, waived or in error.
    pub reason: Option<String>,
    /// For waived checks: the waiver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waiver: Option<WaiverInfo>,
    /// The check's one-line fix hint.
    pub help: String,
    pub evidence: Vec<Evidence>,
    pub findings: Vec<Finding>,
    /// Findings suppressed by a waiver, with the waiver (they do not fail the check).
    pub waived_findings: Vec<WaivedFinding>,
    /// Tables the check left for people to read (see [`Table`]); absent from JSON when none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tables: Vec<Table>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WaiverInfo {
    pub reason: String,
    pub owner: Option<String>,
    pub expires: Option<Date>,
    /// `golive.toml:12` or `path/to/file.yaml:7` for an inline comment.
    pub source: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct WaivedFinding {
    #[serde(flatten)]
    pub finding: Finding,
    pub waiver: WaiverInfo,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WaiverProblem {
    /// Past its expiry date: it no longer suppresses anything.
    Expired,
    /// Matches no finding: the problem was fixed, or the waiver is wrong.
    Stale,
    /// Cannot be used (no reason given, unknown check id).
    Invalid,
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct WaiverNote {
    pub source: String,
    pub check: String,
    pub problem: WaiverProblem,
    pub message: String,
}

/// Wall-clock timings in milliseconds; the only part of a report that varies between runs.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Timings {
    pub scan_ms: f64,
    pub checks_ms: f64,
    pub total_ms: f64,
}

impl Report {
    pub fn check(&self, id: &str) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// The results of one category's checks, in report order (what every renderer groups by).
    pub fn checks_in(&self, category: Category) -> Vec<&CheckResult> {
        self.checks
            .iter()
            .filter(|c| c.category == category)
            .collect()
    }
}
