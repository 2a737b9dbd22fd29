//! The engine: runs the selected checks in parallel over a workspace, applies severities and
//! waivers (golive.toml and inline), and scores the result into a [`Report`].

use crate::check::{Check, CheckMeta, Context, Outcome};
use crate::config::Config;
use crate::date::Date;
use crate::model::{
    BaselineState, Category, Facet, FailOn, Finding, Level, Severity, Snippet, Table,
};
use crate::report::*;
use crate::workspace::Workspace;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Instant;

/// Lines of source shown with a finding, at most.
const SNIPPET_LINES: u32 = 6;

/// What the engine needs besides the workspace and configuration.
pub struct RunOptions {
    /// The scanned path as the user wrote it (reports never show absolute paths they did not give).
    pub target: String,
    /// Waivers and attestations expire relative to this date.
    pub today: Date,
    pub golive_version: String,
}

/// Runs `checks` over `ws`.
pub fn run(ws: &Workspace, config: &Config, checks: &[&dyn Check], opts: &RunOptions) -> Report {
    let started = Instant::now();
    let selected: Vec<&dyn Check> = checks
        .iter()
        .copied()
        .filter(|c| config.is_selected(c.meta().id))
        .collect();
    // Parse every YAML file in parallel once; facet detection and most checks need them.
    ws.parse_yaml_in_parallel();
    let facets = ws.facets();
    let outcomes: Vec<(&'static CheckMeta, Outcome, Vec<Table>)> = selected
        .par_iter()
        .map(|check| {
            let meta = check.meta();
            let needed = meta.facets;
            if !needed.is_empty() && !needed.iter().any(|f| facets.contains(f)) {
                let names: Vec<&str> = needed.iter().map(|f| f.title()).collect();
                let mut reason = format!("no {} found in the repository", names.join(" or "));
                if needed.contains(&Facet::Kubernetes) && facets.contains(&Facet::Helm) {
                    reason.push_str(
                        "; its Helm chart is checked through its values only (k8s/helm-values): \
                         pass `helm template` output with --manifests to check the rendered objects",
                    );
                }
                return (meta, Outcome::NotApplicable(reason), Vec::new());
            }
            let cx = Context::new(ws, config).with_today(opts.today);
            let outcome =
                catch_unwind(AssertUnwindSafe(|| check.run(&cx))).unwrap_or_else(|panic| {
                    let what = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "unknown panic".into());
                    Outcome::Error {
                        reason: format!("internal error in golive (please report it): {what}"),
                        findings: Vec::new(),
                    }
                });
            let tables = match outcome {
                Outcome::Pass(_) | Outcome::Fail { .. } => cx.take_tables(),
                Outcome::NotApplicable(_) | Outcome::Error { .. } => Vec::new(),
            };
            (meta, outcome, tables)
        })
        .collect();

    let checks_ms = started.elapsed().as_secs_f64() * 1000.0;
    let known: Vec<&str> = checks.iter().map(|c| c.meta().id).collect();
    report_from_outcomes(outcomes, ws, config, &known, opts, checks_ms)
}

/// Turns checks' outcomes (metadata, outcome, tables) into a scored and gated [`Report`]:
/// severities, waivers, fingerprints, scores, level and gate, exactly as `golive check` does.
/// `known` are the ids of every check the caller knows (to tell invalid inline ignores);
/// `ws` may be an empty workspace for checks that read none (the live checks of `golive probe`).
pub fn report_from_outcomes(
    outcomes: Vec<(&'static CheckMeta, Outcome, Vec<Table>)>,
    ws: &Workspace,
    config: &Config,
    known: &[&str],
    opts: &RunOptions,
    checks_ms: f64,
) -> Report {
    let mut waivers = WaiverBook::new(ws, config, opts.today);
    let mut results: Vec<CheckResult> = outcomes
        .into_iter()
        .map(|(meta, outcome, tables)| {
            let mut result = finish(meta, outcome, ws, config, &mut waivers);
            result.tables = tables;
            result
        })
        .collect();
    results.sort_by(|a, b| (a.category, &a.id).cmp(&(b.category, &b.id)));
    let ran: BTreeSet<&str> = results.iter().map(|r| r.id.as_str()).collect();
    let known: BTreeSet<&str> = known.iter().copied().collect();
    let waiver_notes = waivers.notes(&ran, &known);

    let mut report = Report {
        version: REPORT_VERSION,
        golive_version: opts.golive_version.clone(),
        target: opts.target.clone(),
        service: config.service.clone(),
        tier: config.tier,
        facets: ws.facets().iter().copied().collect(),
        files: FileStats {
            scanned: ws.files().len() as u32,
            bytes: ws.total_bytes(),
            skipped: ws.skipped().clone(),
        },
        level: None,
        target_level: config.target_level(),
        gate: Gate {
            passed: false,
            fail_on: config.fail_on,
            reasons: Vec::new(),
        },
        score: Score::default(),
        next_level: None,
        categories: Vec::new(),
        checks: results,
        waivers: waiver_notes,
        baseline: None,
        timings: Timings {
            scan_ms: 0.0,
            checks_ms,
            total_ms: 0.0,
        },
    };
    score(&mut report);
    gate(&mut report, config.fail_on);
    report
}

/// Merges the checks of another report (the live checks of `golive probe`) into `report`, in
/// catalogue order, and scores and gates the whole again: one scorecard. A check id present in
/// both keeps `other`'s result. Waiver notes are added; `other`'s target and files are not.
pub fn merge(report: &mut Report, other: Report, fail_on: FailOn) {
    let incoming: BTreeSet<String> = other.checks.iter().map(|c| c.id.clone()).collect();
    report.checks.retain(|c| !incoming.contains(&c.id));
    report.checks.extend(other.checks);
    report
        .checks
        .sort_by(|a, b| (a.category, &a.id).cmp(&(b.category, &b.id)));
    report.waivers.extend(other.waivers);
    report.waivers.sort();
    report.waivers.dedup();
    report.timings.checks_ms += other.timings.checks_ms;
    score(report);
    gate(report, fail_on);
}

/// Turns an outcome into a result: severities, fingerprints, snippets, waivers, status.
fn finish(
    meta: &'static CheckMeta,
    outcome: Outcome,
    ws: &Workspace,
    config: &Config,
    waivers: &mut WaiverBook,
) -> CheckResult {
    let configured = config.severity.get(meta.id).copied();
    let severity = configured.unwrap_or(meta.severity);
    let mut result = CheckResult {
        id: meta.id.to_string(),
        title: meta.title.to_string(),
        category: meta.category,
        level: meta.level,
        severity,
        status: Status::Pass,
        reason: None,
        waiver: None,
        help: meta.fix.to_string(),
        evidence: Vec::new(),
        findings: Vec::new(),
        waived_findings: Vec::new(),
        tables: Vec::new(),
    };
    let (findings, status) = match outcome {
        Outcome::Pass(evidence) => {
            result.evidence = evidence;
            (Vec::new(), Status::Pass)
        }
        Outcome::NotApplicable(reason) => {
            result.reason = Some(reason);
            (Vec::new(), Status::NotApplicable)
        }
        Outcome::Fail { findings, evidence } => {
            result.evidence = evidence;
            (findings, Status::Fail)
        }
        Outcome::Error { reason, findings } => {
            result.reason = Some(reason);
            (findings, Status::Error)
        }
    };
    result.status = status;
    for mut f in findings {
        f.severity = match configured {
            Some(s) => s,
            None if f.severity_chosen => f.severity,
            None => meta.severity,
        };
        decorate(&mut f, meta.id, ws);
        match (status, waivers.waive(meta.id, &f)) {
            (Status::Fail, Some(waiver)) => result
                .waived_findings
                .push(WaivedFinding { finding: f, waiver }),
            _ => result.findings.push(f),
        }
    }
    result
        .findings
        .sort_by(|a, b| (&a.location, &a.message).cmp(&(&b.location, &b.message)));
    // The same finding at the same place once: a base value rendered by several kustomize
    // overlays is one thing to fix.
    result
        .findings
        .dedup_by(|a, b| a.location == b.location && a.message == b.message);
    result.waived_findings.sort_by(|a, b| {
        (&a.finding.location, &a.finding.message).cmp(&(&b.finding.location, &b.finding.message))
    });
    result.waived_findings.dedup_by(|a, b| {
        a.finding.location == b.finding.location && a.finding.message == b.finding.message
    });
    result.evidence.sort();
    result.evidence.dedup();
    if status == Status::Fail && result.findings.is_empty() {
        result.status = Status::Waived;
        let first = result.waived_findings.first().map(|w| w.waiver.clone());
        result.reason = first.as_ref().map(|w| w.reason.clone());
        result.waiver = first;
    }
    result
}

/// Adds the snippet (redacted) and the line-independent fingerprint.
fn decorate(f: &mut Finding, check: &str, ws: &Workspace) {
    let mut hasher = Sha256::new();
    hasher.update(check.as_bytes());
    hasher.update([0]);
    if let Some(loc) = &f.location {
        hasher.update(loc.path.as_bytes());
        hasher.update([0]);
        if let Some(file) = ws.file(&loc.path) {
            let last = loc.end_line.max(loc.line).min(loc.line + SNIPPET_LINES - 1);
            let mut text = String::new();
            for n in loc.line..=last {
                match file.line_text(n) {
                    Some(l) => {
                        text.push_str(l);
                        text.push('\n');
                    }
                    None => break,
                }
            }
            if let Some(first) = file.line_text(loc.line) {
                hasher.update(first.trim().as_bytes());
            }
            let mut mark = None;
            if !f.redact.is_empty() {
                let (redacted, m) = redact(&text, &f.redact, loc);
                text = redacted;
                mark = Some(m);
            }
            if !text.is_empty() {
                f.snippet = Some(Snippet {
                    start_line: loc.line,
                    text,
                    mark,
                });
            }
        }
    }
    hasher.update([0]);
    hasher.update(f.message.as_bytes());
    let digest = hasher.finalize();
    f.fingerprint = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
}

/// Replaces every secret in a snippet by its redacted form, and moves the finding's span
/// (given in file coordinates; the snippet starts at `loc.line`) to where it lands in the
/// redacted text: a span starting or ending inside a secret covers its redacted form.
fn redact(
    text: &str,
    redact: &[(String, String)],
    loc: &crate::model::Location,
) -> (String, (u32, u32, u32, u32)) {
    let offset_of = |line: u32, column: u32| -> usize {
        let mut at = 0;
        for (i, l) in text.split_inclusive('\n').enumerate() {
            if loc.line + i as u32 == line {
                let within: usize = l
                    .chars()
                    .take(column.saturating_sub(1) as usize)
                    .map(char::len_utf8)
                    .sum();
                return at + within;
            }
            at += l.len();
        }
        at
    };
    let (mut start, mut end) = (
        offset_of(loc.line, loc.column),
        offset_of(loc.end_line, loc.end_column),
    );
    // Non-overlapping occurrences, leftmost first, longest secret first at a position.
    let mut hits: Vec<(usize, usize, &str)> = Vec::new();
    for (secret, shown) in redact {
        if secret.is_empty() {
            continue;
        }
        for (i, _) in text.match_indices(secret.as_str()) {
            hits.push((i, i + secret.len(), shown.as_str()));
        }
    }
    hits.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut out = String::with_capacity(text.len());
    let (mut cursor, mut shift): (usize, isize) = (0, 0);
    let (mut new_start, mut new_end) = (None, None);
    for (from, to, shown) in hits {
        if from < cursor {
            continue;
        }
        let here = out.len() + (from - cursor);
        if new_start.is_none() && start < from {
            new_start = Some((start as isize + shift) as usize);
        } else if new_start.is_none() && start < to {
            new_start = Some(here);
            start = from;
        }
        if new_end.is_none() && end <= from {
            new_end = Some((end as isize + shift) as usize);
        } else if new_end.is_none() && end <= to {
            new_end = Some(here + shown.len());
            end = to;
        }
        out.push_str(&text[cursor..from]);
        out.push_str(shown);
        shift += shown.len() as isize - (to - from) as isize;
        cursor = to;
    }
    out.push_str(&text[cursor..]);
    let new_start = new_start.unwrap_or((start as isize + shift).max(0) as usize);
    let new_end = new_end.unwrap_or((end as isize + shift).max(0) as usize);
    let position = |offset: usize| -> (u32, u32) {
        let before = out.get(..offset).unwrap_or(&out);
        let line = loc.line + before.matches('\n').count() as u32;
        let column = before
            .rsplit('\n')
            .next()
            .map(|l| l.chars().count())
            .unwrap_or(0) as u32
            + 1;
        (line, column)
    };
    let (l1, c1) = position(new_start);
    let (l2, c2) = position(new_end.max(new_start));
    (out, (l1, c1, l2, c2))
}

/// Tracks which waivers were used, so expired, stale and invalid ones can be reported.
struct WaiverBook<'a> {
    ws: &'a Workspace,
    config: &'a Config,
    today: Date,
    used_config: BTreeSet<usize>,
    expired_hits: BTreeMap<usize, u32>,
    used_inline: BTreeSet<(String, u32)>,
    expired_inline: BTreeSet<(String, u32)>,
}

impl<'a> WaiverBook<'a> {
    fn new(ws: &'a Workspace, config: &'a Config, today: Date) -> Self {
        WaiverBook {
            ws,
            config,
            today,
            used_config: BTreeSet::new(),
            expired_hits: BTreeMap::new(),
            used_inline: BTreeSet::new(),
            expired_inline: BTreeSet::new(),
        }
    }

    /// The waiver that suppresses this finding, if any.
    fn waive(&mut self, check: &str, f: &Finding) -> Option<WaiverInfo> {
        if let Some(loc) = &f.location
            && let Some(file) = self.ws.file(&loc.path)
        {
            for d in file.inline_ignores() {
                if !d.applies_to(check, loc.line) {
                    continue;
                }
                let Some(reason) = &d.reason else { continue };
                if d.until.is_some_and(|u| u < self.today) {
                    self.expired_inline.insert((loc.path.clone(), d.line));
                    continue;
                }
                self.used_inline.insert((loc.path.clone(), d.line));
                return Some(WaiverInfo {
                    reason: reason.clone(),
                    owner: None,
                    expires: d.until,
                    source: format!("{}:{}", loc.path, d.line),
                });
            }
        }
        for (i, w) in self.config.waivers.iter().enumerate() {
            if w.check != check {
                continue;
            }
            let path_ok = match (&w.matcher, &f.location) {
                (None, _) => true,
                (Some(m), Some(loc)) => m.is_match(&loc.path),
                (Some(_), None) => false,
            };
            if !path_ok {
                continue;
            }
            if w.expires.is_some_and(|e| e < self.today) {
                *self.expired_hits.entry(i).or_default() += 1;
                continue;
            }
            self.used_config.insert(i);
            return Some(WaiverInfo {
                reason: w.reason.clone(),
                owner: Some(w.owner.clone()),
                expires: w.expires,
                source: w.declared_at.clone(),
            });
        }
        None
    }

    fn notes(&self, ran: &BTreeSet<&str>, known: &BTreeSet<&str>) -> Vec<WaiverNote> {
        let mut notes = Vec::new();
        for (i, w) in self.config.waivers.iter().enumerate() {
            if !ran.contains(w.check.as_str()) {
                continue;
            }
            let scope = w
                .path
                .as_deref()
                .map(|p| format!(" on `{p}`"))
                .unwrap_or_default();
            if let Some(exp) = w.expires.filter(|e| *e < self.today) {
                let hits = self.expired_hits.get(&i).copied().unwrap_or(0);
                notes.push(WaiverNote {
                    source: w.declared_at.clone(),
                    check: w.check.clone(),
                    problem: WaiverProblem::Expired,
                    message: format!("waiver for {}{scope} (owner {}) expired on {exp}; it no longer suppresses {hits} finding(s)", w.check, w.owner),
                });
            } else if !self.used_config.contains(&i) {
                notes.push(WaiverNote {
                    source: w.declared_at.clone(),
                    check: w.check.clone(),
                    problem: WaiverProblem::Stale,
                    message: format!(
                        "waiver for {}{scope} (owner {}) matches no finding: remove it",
                        w.check, w.owner
                    ),
                });
            }
        }
        for file in self.ws.files() {
            for d in file.inline_ignores() {
                let source = format!("{}:{}", file.path, d.line);
                let key = (file.path.clone(), d.line);
                if d.checks.is_empty() {
                    notes.push(note(
                        &source,
                        "",
                        WaiverProblem::Invalid,
                        "`golive:ignore` names no check: write `golive:ignore CHECK -- reason`"
                            .into(),
                    ));
                    continue;
                }
                for c in &d.checks {
                    if !known.contains(c.as_str()) {
                        notes.push(note(
                            &source,
                            c,
                            WaiverProblem::Invalid,
                            format!("`{c}` is not a check id (see `golive checks`)"),
                        ));
                    }
                }
                if !d.checks.iter().any(|c| ran.contains(c.as_str())) {
                    continue;
                }
                let check = d.checks.join(",");
                if d.reason.is_none() {
                    notes.push(note(&source, &check, WaiverProblem::Invalid, "inline ignore without a reason does not suppress anything: add `-- reason`".into()));
                } else if self.expired_inline.contains(&key)
                    || d.until.is_some_and(|u| u < self.today)
                {
                    let until = d.until.map(|u| u.to_string()).unwrap_or_default();
                    notes.push(note(
                        &source,
                        &check,
                        WaiverProblem::Expired,
                        format!(
                            "inline ignore expired on {until}; it no longer suppresses anything"
                        ),
                    ));
                } else if !self.used_inline.contains(&key) {
                    notes.push(note(
                        &source,
                        &check,
                        WaiverProblem::Stale,
                        format!(
                            "inline ignore matches no finding of {check} on line {}: remove it",
                            d.covers
                        ),
                    ));
                }
            }
        }
        notes.sort();
        notes
    }
}

fn note(source: &str, check: &str, problem: WaiverProblem, message: String) -> WaiverNote {
    WaiverNote {
        source: source.to_string(),
        check: check.to_string(),
        problem,
        message,
    }
}

/// Scores per category and overall, the level reached, the next level's gaps and the gate.
fn score(report: &mut Report) {
    let count = |checks: &mut dyn Iterator<Item = &CheckResult>| {
        let (mut passed, mut applicable) = (0, 0);
        for c in checks {
            if c.status != Status::NotApplicable {
                applicable += 1;
                if c.status.is_ok() {
                    passed += 1;
                }
            }
        }
        Score::new(passed, applicable)
    };
    report.score = count(&mut report.checks.iter());
    report.categories = Category::ALL
        .iter()
        .filter(|cat| report.checks.iter().any(|c| c.category == **cat))
        .map(|cat| CategoryResult {
            id: *cat,
            title: cat.title().to_string(),
            score: count(&mut report.checks.iter().filter(|c| c.category == *cat)),
        })
        .collect();
    let blocking = |level: Level| -> Vec<String> {
        report
            .checks
            .iter()
            .filter(|c| c.level <= level && matches!(c.status, Status::Fail | Status::Error))
            .map(|c| c.id.clone())
            .collect()
    };
    let mut reached = None;
    for level in Level::ALL {
        if blocking(level).is_empty() {
            reached = Some(level);
        } else {
            break;
        }
    }
    report.level = reached;
    report.next_level = match reached {
        None => Some(Level::Bronze),
        Some(l) => l.next(),
    }
    .map(|level| NextLevel {
        level,
        missing: blocking(level),
    });
}

/// Decides the gate: the required level is reached and no finding fails by its severity
/// (`fail_on`). With a baseline applied, only new findings count: a check fails the level
/// requirement only through a new finding (or an error), and only new findings fail by severity.
pub fn gate(report: &mut Report, fail_on: FailOn) {
    let with_baseline = report.baseline.is_some();
    let counts = |f: &Finding| !with_baseline || f.baseline == Some(BaselineState::New);
    let blocking = |c: &CheckResult| match c.status {
        Status::Error => true,
        Status::Fail => c.findings.iter().any(counts),
        _ => false,
    };
    let mut gate_level = None;
    for level in Level::ALL {
        if report
            .checks
            .iter()
            .any(|c| c.level <= level && blocking(c))
        {
            break;
        }
        gate_level = Some(level);
    }
    let mut reasons = Vec::new();
    if gate_level.is_none_or(|r| r < report.target_level) {
        let level = report.level.map(Level::as_str).unwrap_or("none");
        reasons.push(if with_baseline {
            format!(
                "target level {} not reached because of new findings (level: {level})",
                report.target_level
            )
        } else {
            format!(
                "target level {} not reached (level: {level})",
                report.target_level
            )
        });
    }
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    if let Some(threshold) = threshold {
        let failing: usize = report
            .checks
            .iter()
            .filter(|c| c.status == Status::Fail)
            .flat_map(|c| &c.findings)
            .filter(|f| counts(f) && severity_rank(f.severity) >= severity_rank(threshold))
            .count();
        if failing > 0 {
            let new = if with_baseline { "new " } else { "" };
            let what = match threshold {
                Severity::Error => "severity error",
                _ => "severity warning or error",
            };
            reasons.push(format!("{failing} {new}finding(s) with {what}"));
        }
    }
    report.gate = Gate {
        passed: reasons.is_empty(),
        fail_on,
        reasons,
    };
}

fn severity_rank(s: Severity) -> u8 {
    match s {
        Severity::Info => 0,
        Severity::Warning => 1,
        Severity::Error => 2,
    }
}

#[cfg(test)]
mod tests {
    use super::redact;
    use crate::model::Location;

    mod tables {
        use crate::check::{Check, CheckMeta, Context, Outcome};
        use crate::model::Table;
        use crate::{Config, Date, Workspace, declare_check};

        declare_check! {
            /// ## What it checks
            /// Leaves a table, then passes or not-applies as its name says.
            struct Passing {
                id: "test/passing",
                title: "passes",
                category: Docs,
                level: Bronze,
                severity: Error,
                facets: [],
                seeds: [],
                fix: "none",
            }
        }

        declare_check! {
            /// ## What it checks
            /// Leaves a table, then does not apply.
            struct Skipping {
                id: "test/skipping",
                title: "not applicable",
                category: Docs,
                level: Bronze,
                severity: Error,
                facets: [],
                seeds: [],
                fix: "none",
            }
        }

        fn table() -> Table {
            let mut t = Table::new("t", &["a", "b"]);
            t.row(["1"]);
            t
        }

        impl Check for Passing {
            fn meta(&self) -> &'static CheckMeta {
                &Self::META
            }
            fn run(&self, cx: &Context<'_>) -> Outcome {
                cx.table(table());
                Outcome::Pass(Vec::new())
            }
        }

        impl Check for Skipping {
            fn meta(&self) -> &'static CheckMeta {
                &Self::META
            }
            fn run(&self, cx: &Context<'_>) -> Outcome {
                cx.table(table());
                Outcome::not_applicable("nothing here")
            }
        }

        #[test]
        fn results_keep_the_tables_of_checks_that_applied() {
            let ws = Workspace::from_texts(&[("README.md", "# x\n")]);
            let opts = super::super::RunOptions {
                target: ".".into(),
                today: Date::parse("2026-01-01").unwrap(),
                golive_version: "0".into(),
            };
            let report = super::super::run(&ws, &Config::default(), &[&Passing, &Skipping], &opts);
            let passing = report.check("test/passing").unwrap();
            assert_eq!(passing.tables, vec![table()]);
            assert_eq!(
                passing.tables[0].rows,
                vec![vec!["1".to_string(), String::new()]]
            );
            assert!(report.check("test/skipping").unwrap().tables.is_empty());
        }

        #[test]
        fn merged_reports_are_rescored_as_one_scorecard() {
            let ws = Workspace::from_texts(&[("README.md", "# x\n")]);
            let opts = super::super::RunOptions {
                target: ".".into(),
                today: Date::parse("2026-01-01").unwrap(),
                golive_version: "0".into(),
            };
            let config = Config::default();
            let mut report = super::super::run(&ws, &config, &[&Passing], &opts);
            assert_eq!(report.score.applicable, 1);
            let failing = super::super::report_from_outcomes(
                vec![(
                    &Skipping::META,
                    Outcome::Fail {
                        findings: vec![crate::Finding::repo("http://x/: down")],
                        evidence: Vec::new(),
                    },
                    Vec::new(),
                )],
                &Workspace::from_texts(&[]),
                &config,
                &["test/skipping"],
                &opts,
                1.0,
            );
            assert!(!failing.gate.passed);
            super::super::merge(&mut report, failing, config.fail_on);
            let ids: Vec<&str> = report.checks.iter().map(|c| c.id.as_str()).collect();
            assert_eq!(ids, ["test/passing", "test/skipping"]);
            assert_eq!((report.score.passed, report.score.applicable), (1, 2));
            assert!(!report.gate.passed);
            assert_eq!(report.level, None);
        }
    }

    fn loc(line: u32, column: u32, end_line: u32, end_column: u32) -> Location {
        Location {
            path: "f".into(),
            line,
            column,
            end_line,
            end_column,
        }
    }

    #[test]
    fn redaction_moves_the_span_onto_the_redacted_form() {
        let text = "key = \"AKIAABCDEFGHIJKLMNOP\" # other AKIAABCDEFGHIJKLMNOP\n";
        let pairs = vec![("AKIAABCDEFGHIJKLMNOP".to_string(), "AKIA…fp:1".to_string())];
        let (out, mark) = redact(text, &pairs, &loc(3, 8, 3, 28));
        assert_eq!(out, "key = \"AKIA…fp:1\" # other AKIA…fp:1\n");
        assert_eq!(mark, (3, 8, 3, 17));
        assert!(!out.contains("ABCDEFGHIJKLMNOP"));
    }

    #[test]
    fn spans_after_a_redaction_shift_with_it() {
        let text = "a = \"SECRETSECRETSECRET\"; b = 1\n";
        let pairs = vec![("SECRETSECRETSECRET".to_string(), "SECR…".to_string())];
        let (out, mark) = redact(text, &pairs, &loc(1, 27, 1, 32));
        assert_eq!(out, "a = \"SECR…\"; b = 1\n");
        assert_eq!(
            &out.chars()
                .skip(mark.1 as usize - 1)
                .take((mark.3 - mark.1) as usize)
                .collect::<String>(),
            "b = 1"
        );
    }
}
