//! The terminal scorecard: categories with their checks, findings as rustc-style snippets with
//! a fix hint, then the level, the score, what the next level needs and the gate verdict.

use annotate_snippets::{AnnotationKind, Group, Level as SnippetLevel, Renderer, Snippet};
use anstyle::{AnsiColor, Effects, Style};
use golive_core::Severity;
use golive_core::model::{Finding, Table};
use golive_core::report::{BaselineState, CheckResult, Report, Status, WaiverProblem};
use std::fmt::Write;

/// How to render text.
#[derive(Clone, Debug)]
pub struct TextOptions {
    /// ANSI colours (the caller decides: TTY, NO_COLOR, --color).
    pub color: bool,
    /// Only the summary (level, score, gate).
    pub quiet: bool,
    /// Findings shown per check before "… and N more" (0: all).
    pub max_findings: usize,
}

impl Default for TextOptions {
    fn default() -> Self {
        TextOptions {
            color: false,
            quiet: false,
            max_findings: 10,
        }
    }
}

pub(crate) struct Painter {
    pub(crate) color: bool,
}

impl Painter {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }
}

const BOLD: Style = Style::new().effects(Effects::BOLD);
const DIM: Style = Style::new().effects(Effects::DIMMED);
const GREEN: Style = AnsiColor::Green.on_default();
const RED: Style = AnsiColor::Red.on_default().effects(Effects::BOLD);
const YELLOW: Style = AnsiColor::Yellow.on_default();

/// Renders the scorecard.
pub fn render_text(report: &Report, opts: &TextOptions) -> String {
    let p = Painter { color: opts.color };
    let mut out = String::new();
    header(report, &p, &mut out);
    if !opts.quiet {
        let id_width = report.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
        for cat in &report.categories {
            let checks = report.checks_in(cat.id);
            let score = format!(
                "{}/{} ({}%)",
                cat.score.passed, cat.score.applicable, cat.score.percent
            );
            let score = if cat.score.applicable == 0 {
                "n/a".to_string()
            } else {
                score
            };
            let _ = writeln!(
                out,
                "\n{}  {}",
                p.paint(BOLD, &cat.title),
                p.paint(DIM, &score)
            );
            for c in checks {
                check_line(c, id_width, &p, &mut out);
                tables(c, &p, &mut out);
                findings(c, opts, &mut out);
            }
        }
        waiver_notes(report, &p, &mut out);
    }
    summary(report, &p, &mut out);
    out
}

fn header(report: &Report, p: &Painter, out: &mut String) {
    let mut who = format!("golive {}", report.golive_version);
    if let Some(s) = &report.service {
        who.push_str(&format!(" · {s}"));
    }
    if let Some(t) = report.tier {
        who.push_str(&format!(" (tier {t})"));
    }
    let files = &report.files;
    // A `golive probe` report: a URL, no files read.
    let probed = files.scanned == 0
        && (report.target.starts_with("http://") || report.target.starts_with("https://"));
    if probed {
        let line = format!("{who} · {} · live probe", report.target);
        let _ = writeln!(out, "{}", p.paint(BOLD, &line));
        return;
    }
    let mut line = format!(
        "{who} · {} · {} files, {}",
        report.target,
        files.scanned,
        human_bytes(files.bytes)
    );
    let s = &files.skipped;
    if s.total() > 0 {
        let mut parts = Vec::new();
        for (n, what) in [
            (s.binary, "binary"),
            (s.too_large, "too large"),
            (s.non_utf8, "not UTF-8"),
            (s.symlinks, "symlinks"),
            (s.unreadable, "unreadable"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {what}"));
            }
        }
        line.push_str(&format!(" ({} skipped: {})", s.total(), parts.join(", ")));
    }
    let _ = writeln!(out, "{}", p.paint(BOLD, &line));
    let facets: Vec<&str> = report.facets.iter().map(|f| f.as_str()).collect();
    let facets = if facets.is_empty() {
        "none detected".to_string()
    } else {
        facets.join(", ")
    };
    let _ = writeln!(out, "{}", p.paint(DIM, &format!("facets: {facets}")));
}

fn check_line(c: &CheckResult, id_width: usize, p: &Painter, out: &mut String) {
    let (mark, style) = match c.status {
        Status::Pass => ("✔ pass  ", GREEN),
        Status::Fail => ("✘ fail  ", RED),
        Status::NotApplicable => ("– n/a   ", DIM),
        Status::Waived => ("~ waived", YELLOW),
        Status::Error => ("! error ", RED),
    };
    let detail = match c.status {
        Status::Fail => {
            let n = c.findings.len();
            format!("{} ({n} finding{})", c.title, if n == 1 { "" } else { "s" })
        }
        Status::NotApplicable | Status::Error => {
            format!("{} — {}", c.title, c.reason.as_deref().unwrap_or(""))
        }
        Status::Waived => {
            let w = c.waiver.as_ref();
            let by = w
                .map(|w| format!(" — waived: {} ({})", w.reason, w.source))
                .unwrap_or_default();
            format!("{}{by}", c.title)
        }
        Status::Pass => c.title.clone(),
    };
    let _ = writeln!(
        out,
        "  {} {} {:<id_width$}  {}",
        p.paint(style, mark),
        c.level.letter(),
        c.id,
        detail
    );
}

/// The check's tables, indented under its line.
fn tables(c: &CheckResult, p: &Painter, out: &mut String) {
    for t in &c.tables {
        for line in table_lines(t, p) {
            let _ = writeln!(out, "      {line}");
        }
        out.push('\n');
    }
}

/// A table as lines: its title, the header, one line per row, columns aligned on characters.
pub(crate) fn table_lines(t: &Table, p: &Painter) -> Vec<String> {
    let mut widths: Vec<usize> = t.columns.iter().map(|c| c.chars().count()).collect();
    for row in &t.rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| -> String {
        let mut text = String::new();
        for (cell, w) in cells.iter().zip(&widths) {
            text.push_str(cell);
            text.push_str(&" ".repeat(w.saturating_sub(cell.chars().count()) + 2));
        }
        text.trim_end().to_string()
    };
    let mut lines = vec![p.paint(BOLD, &t.title), p.paint(DIM, &line(&t.columns))];
    lines.extend(t.rows.iter().map(|row| line(row)));
    lines
}

fn findings(c: &CheckResult, opts: &TextOptions, out: &mut String) {
    if c.findings.is_empty() {
        return;
    }
    let limit = if opts.max_findings == 0 {
        usize::MAX
    } else {
        opts.max_findings
    };
    let renderer = if opts.color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    for f in c.findings.iter().take(limit) {
        let title = match f.baseline {
            Some(BaselineState::Existing) => format!("{} [in baseline]", f.message),
            Some(BaselineState::New) => format!("{} [new]", f.message),
            None => f.message.clone(),
        };
        let rendered = renderer.render(&[finding_group(c, f, &title)]);
        for line in rendered.lines() {
            let _ = writeln!(out, "      {line}");
        }
    }
    if c.findings.len() > limit {
        let _ = writeln!(
            out,
            "      … and {} more finding(s) (all of them: --max-findings 0 or --format json)",
            c.findings.len() - limit
        );
    }
    out.push('\n');
}

fn finding_group<'a>(c: &'a CheckResult, f: &'a Finding, title: &'a str) -> Group<'a> {
    let level = match f.severity {
        Severity::Error => SnippetLevel::ERROR,
        Severity::Warning => SnippetLevel::WARNING,
        Severity::Info => SnippetLevel::INFO,
    };
    let help = f.help.as_deref().unwrap_or(&c.help);
    match (&f.location, &f.snippet) {
        (Some(loc), Some(snippet)) => {
            let (line, column, end_line, end_column) =
                snippet
                    .mark
                    .unwrap_or((loc.line, loc.column, loc.end_line, loc.end_column));
            let span = span_in(snippet, line, column, end_line, end_column);
            let group = Group::with_title(level.primary_title(title).id(c.id.as_str())).element(
                Snippet::source(snippet.text.as_str())
                    .line_start(snippet.start_line as usize)
                    .path(loc.path.as_str())
                    .annotation(AnnotationKind::Primary.span(span)),
            );
            group.element(annotate_snippets::Level::HELP.message(help))
        }
        (Some(loc), None) => {
            let origin = annotate_snippets::Origin::path(loc.path.as_str())
                .line(loc.line as usize)
                .char_column(loc.column.saturating_sub(1) as usize);
            Group::with_title(level.primary_title(title).id(c.id.as_str()))
                .element(origin)
                .element(annotate_snippets::Level::HELP.message(help))
        }
        _ => Group::with_title(level.primary_title(title).id(c.id.as_str()))
            .element(annotate_snippets::Level::HELP.message(help)),
    }
}

/// Byte range in the snippet text for a (line, column)..(end_line, end_column) span; a span
/// that covers no characters underlines the rest of the first line.
fn span_in(
    snippet: &golive_core::model::Snippet,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
) -> std::ops::Range<usize> {
    let offset = |l: u32, col: u32| -> Option<usize> {
        let mut at = 0;
        for (i, text) in snippet.text.split_inclusive('\n').enumerate() {
            if snippet.start_line + i as u32 == l {
                let within: usize = text
                    .chars()
                    .take(col.saturating_sub(1) as usize)
                    .map(char::len_utf8)
                    .sum();
                return Some(at + within.min(text.trim_end_matches('\n').len()));
            }
            at += text.len();
        }
        None
    };
    let start = offset(line, column).unwrap_or(0);
    let end = offset(end_line, end_column).unwrap_or(start);
    if end > start {
        return start..end;
    }
    let line_end = snippet.text[start..]
        .find('\n')
        .map(|n| start + n)
        .unwrap_or(snippet.text.len());
    let first_non_space =
        snippet.text[start..line_end].len() - snippet.text[start..line_end].trim_start().len();
    if start == 0 || column <= 1 {
        (start + first_non_space)..line_end
    } else {
        start..line_end.max(start)
    }
}

fn waiver_notes(report: &Report, p: &Painter, out: &mut String) {
    if report.waivers.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{}", p.paint(BOLD, "Waivers"));
    for n in &report.waivers {
        let tag = match n.problem {
            WaiverProblem::Expired => p.paint(RED, "expired"),
            WaiverProblem::Stale => p.paint(YELLOW, "stale  "),
            WaiverProblem::Invalid => p.paint(RED, "invalid"),
        };
        let _ = writeln!(out, "  {tag} {}: {}", n.source, n.message);
    }
}

fn summary(report: &Report, p: &Painter, out: &mut String) {
    let level = report
        .level
        .map(|l| l.as_str().to_string())
        .unwrap_or_else(|| "none".into());
    let _ = writeln!(
        out,
        "\n{} {} (target: {}) · {} {}% ({}/{} applicable checks pass)",
        p.paint(BOLD, "Level:"),
        p.paint(level_style(report), &level),
        report.target_level,
        p.paint(BOLD, "Score:"),
        report.score.percent,
        report.score.passed,
        report.score.applicable,
    );
    if let Some(next) = &report.next_level
        && !next.missing.is_empty()
    {
        let _ = writeln!(
            out,
            "{} {} needs {}",
            p.paint(BOLD, "Next:"),
            next.level,
            next.missing.join(", ")
        );
    }
    if let Some(b) = &report.baseline {
        let _ = writeln!(
            out,
            "{} {} new, {} in the baseline, {} fixed (compared with {})",
            p.paint(BOLD, "Baseline:"),
            b.new,
            b.existing,
            b.fixed.len(),
            b.source
        );
        for f in b.fixed.iter().take(10) {
            let at = match (&f.path, f.line) {
                (Some(p), Some(l)) => format!("{p}:{l}: "),
                (Some(p), None) => format!("{p}: "),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "  {} {}{} [{}]",
                p.paint(GREEN, "fixed"),
                at,
                f.message,
                f.check
            );
        }
        if b.fixed.len() > 10 {
            let _ = writeln!(
                out,
                "  … and {} more fixed (all of them: --format json)",
                b.fixed.len() - 10
            );
        }
    }
    if report.gate.passed {
        let _ = writeln!(
            out,
            "{}",
            p.paint(GREEN.effects(Effects::BOLD), "READY: the gate is met")
        );
    } else {
        let _ = writeln!(
            out,
            "{} {}",
            p.paint(RED, "NOT READY:"),
            report.gate.reasons.join("; ")
        );
    }
}

fn level_style(report: &Report) -> Style {
    match report.level {
        Some(l) if l >= report.target_level => GREEN.effects(Effects::BOLD),
        Some(_) => YELLOW.effects(Effects::BOLD),
        None => RED,
    }
}

fn human_bytes(n: u64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{:.1} KB", n as f64 / (1u64 << 10) as f64),
        n => format!("{n} B"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_align_columns_on_characters() {
        let mut t = Table::new("Alerts by signal", &["signal", "alert", "for"]);
        t.row(["errors", "HighErrorRate", "5m"]);
        t.row(["latency", "—", ""]);
        t.row(["saturation"]);
        let lines = table_lines(&t, &Painter { color: false });
        assert_eq!(
            lines,
            vec![
                "Alerts by signal",
                "signal      alert          for",
                "errors      HighErrorRate  5m",
                "latency     —",
                "saturation",
            ]
        );
    }
}
