//! One self-contained HTML file (no network: styles, chart and script inline) for people who open
//! a report in a browser: the level and verdict, a chart of the categories, what the next level
//! needs, then every check with its findings as code snippets, its fix and its tables.

use crate::markup as esc;
use golive_core::Severity;
use golive_core::model::{Finding, Table};
use golive_core::report::{BaselineState, CheckResult, Report, Status};
use std::fmt::Write;

const STYLE: &str = r#"
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#fff; --soft:#f6f8fa;
  --pass:#1a7f37; --fail:#cf222e; --warn:#9a6700; --na:#8c959f; --gold:#c9a227; --silver:#8a9ba8; --bronze:#b0703c; }
* { box-sizing: border-box; }
body { font: 14px/1.5 -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--fg);
  background: var(--bg); margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); padding-bottom: 4px; }
.muted { color: var(--muted); }
.badge { display: inline-block; border-radius: 4px; padding: 2px 10px; color: #fff; font-weight: 600; }
.level-gold { background: var(--gold); } .level-silver { background: var(--silver); }
.level-bronze { background: var(--bronze); } .level-none { background: var(--fail); }
.verdict { font-weight: 600; } .ready { color: var(--pass); } .not-ready { color: var(--fail); }
svg.chart text { font-size: 12px; fill: var(--fg); }
.check { border: 1px solid var(--line); border-radius: 6px; margin: 8px 0; }
.check > summary { cursor: pointer; padding: 6px 10px; list-style: none; display: flex; gap: 10px; align-items: baseline; }
.check > summary::-webkit-details-marker { display: none; }
.check .body { padding: 0 12px 10px; }
.status { font-weight: 600; min-width: 64px; } .st-pass { color: var(--pass); } .st-fail { color: var(--fail); }
.st-waived { color: var(--warn); } .st-na { color: var(--na); } .st-error { color: var(--fail); }
.lvl { font: 12px monospace; color: var(--muted); } .id { font-family: monospace; }
.finding { margin: 10px 0; } .finding .msg { font-weight: 600; } .sev-error { color: var(--fail); }
.sev-warning { color: var(--warn); } .sev-info { color: var(--muted); }
pre.snippet { background: var(--soft); border: 1px solid var(--line); border-radius: 4px; padding: 6px 0; overflow-x: auto; margin: 4px 0; }
pre.snippet span.l { display: block; padding: 0 10px; } pre.snippet span.hit { background: #fff8c5; }
pre.snippet span.n { display: inline-block; width: 4ch; color: var(--muted); text-align: right; margin-right: 1ch; user-select: none; }
.fix { color: var(--muted); } .fix b { color: var(--fg); }
table.data { border-collapse: collapse; margin: 8px 0; } table.data th, table.data td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; }
table.data th { background: var(--soft); }
.controls { margin: 8px 0; } .hide-ok .check.ok { display: none; }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; }
"#;

/// A small script: the "show passing checks" switch, and a count of what the page shows (so a
/// headless browser test can tell the page was rendered and its script ran).
const SCRIPT: &str = r#"
(function () {
  var body = document.body;
  var toggle = document.getElementById('show-ok');
  function apply() { body.classList.toggle('hide-ok', !toggle.checked); }
  toggle.addEventListener('change', apply);
  apply();
  var shown = document.querySelectorAll('.finding').length;
  document.getElementById('shown-findings').textContent = shown + ' finding' + (shown === 1 ? '' : 's') + ' shown';
  body.setAttribute('data-rendered', 'findings:' + shown + ';checks:' + document.querySelectorAll('.check').length);
})();
"#;

/// The report as one HTML page.
pub fn render_html(report: &Report) -> String {
    let who = report.service.as_deref().unwrap_or(&report.target);
    let level = report.level.map(|l| l.as_str()).unwrap_or("none");
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>golive · {} · {}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        esc(who),
        level
    );
    let _ = writeln!(
        out,
        "<header><h1>{} <span class=\"badge level-{level}\" id=\"level\">{}</span></h1>",
        esc(who),
        if level == "none" {
            "no level yet"
        } else {
            level
        }
    );
    let _ = writeln!(
        out,
        "<div class=\"muted\">{} · golive {} · {} files · target level {}</div>",
        esc(&report.target),
        esc(&report.golive_version),
        report.files.scanned,
        report.target_level
    );
    let _ = writeln!(
        out,
        "<p><b>Score {}%</b> ({}/{} applicable checks pass) · {}</p>",
        report.score.percent,
        report.score.passed,
        report.score.applicable,
        if report.gate.passed {
            "<span class=\"verdict ready\" id=\"verdict\">READY: the gate is met</span>".to_string()
        } else {
            format!(
                "<span class=\"verdict not-ready\" id=\"verdict\">NOT READY: {}</span>",
                esc(&report.gate.reasons.join("; "))
            )
        }
    );
    if let Some(next) = &report.next_level
        && !next.missing.is_empty()
    {
        let ids: Vec<String> = next
            .missing
            .iter()
            .map(|m| format!("<a class=\"id\" href=\"#{}\">{}</a>", anchor(m), esc(m)))
            .collect();
        let _ = writeln!(
            out,
            "<p><b>Next: {}</b> needs {}</p>",
            next.level,
            ids.join(", ")
        );
    }
    out.push_str("</header>\n");
    chart(report, &mut out);
    out.push_str("<div class=\"controls\"><label><input type=\"checkbox\" id=\"show-ok\"> show passing and not-applicable checks</label> · <span id=\"shown-findings\" class=\"muted\"></span></div>\n");
    for cat in &report.categories {
        let checks = report.checks_in(cat.id);
        if checks.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "<section><h2>{} <span class=\"muted\">{}/{}</span></h2>",
            esc(&cat.title),
            cat.score.passed,
            cat.score.applicable
        );
        for c in checks {
            check(c, &mut out);
        }
        out.push_str("</section>\n");
    }
    let _ = writeln!(
        out,
        "<footer>golive: production-readiness checks with file:line evidence. <code>golive explain CHECK</code> says what a check wants.</footer>\n<script>{SCRIPT}</script>\n</body>\n</html>"
    );
    out
}

/// Horizontal bars, one per category: passed / applicable.
fn chart(report: &Report, out: &mut String) {
    let cats: Vec<_> = report
        .categories
        .iter()
        .filter(|c| c.score.applicable > 0)
        .collect();
    if cats.is_empty() {
        return;
    }
    let (label_w, bar_w, row_h) = (190u32, 420u32, 22u32);
    let height = row_h * cats.len() as u32 + 6;
    let _ = writeln!(
        out,
        "<svg class=\"chart\" id=\"chart\" width=\"{}\" height=\"{height}\" role=\"img\" aria-label=\"checks passed per category\">",
        label_w + bar_w + 70
    );
    for (i, c) in cats.iter().enumerate() {
        let y = i as u32 * row_h + 3;
        let filled = bar_w * c.score.passed / c.score.applicable.max(1);
        let color = if c.score.passed == c.score.applicable {
            "#1a7f37"
        } else if c.score.percent >= 50 {
            "#9a6700"
        } else {
            "#cf222e"
        };
        let _ = writeln!(
            out,
            "<text x=\"0\" y=\"{}\">{}</text><rect x=\"{label_w}\" y=\"{y}\" width=\"{bar_w}\" height=\"16\" fill=\"#eaeef2\"/><rect class=\"bar\" x=\"{label_w}\" y=\"{y}\" width=\"{filled}\" height=\"16\" fill=\"{color}\"/><text x=\"{}\" y=\"{}\">{}/{}</text>",
            y + 12,
            esc(&c.title),
            label_w + bar_w + 8,
            y + 12,
            c.score.passed,
            c.score.applicable
        );
    }
    out.push_str("</svg>\n");
}

fn check(c: &CheckResult, out: &mut String) {
    let (mark, class) = match c.status {
        Status::Pass => ("✔ pass", "st-pass"),
        Status::Fail => ("✘ fail", "st-fail"),
        Status::NotApplicable => ("– n/a", "st-na"),
        Status::Waived => ("~ waived", "st-waived"),
        Status::Error => ("! error", "st-error"),
    };
    let ok = matches!(c.status, Status::Pass | Status::NotApplicable);
    let open = if matches!(c.status, Status::Fail | Status::Error) {
        " open"
    } else {
        ""
    };
    let detail = match c.status {
        Status::Fail => format!(
            "{} finding{}",
            c.findings.len(),
            if c.findings.len() == 1 { "" } else { "s" }
        ),
        Status::NotApplicable | Status::Error | Status::Waived => {
            c.reason.clone().unwrap_or_default()
        }
        Status::Pass => String::new(),
    };
    let _ = writeln!(
        out,
        "<details class=\"check{}\" id=\"{}\"{open}><summary><span class=\"status {class}\">{mark}</span><span class=\"lvl\">{}</span><span class=\"id\">{}</span><span>{}</span><span class=\"muted\">{}</span></summary><div class=\"body\">",
        if ok { " ok" } else { "" },
        anchor(&c.id),
        c.level.letter(),
        esc(&c.id),
        esc(&c.title),
        esc(&detail)
    );
    for t in &c.tables {
        table(t, out);
    }
    for f in &c.findings {
        finding(f, out);
    }
    if !c.findings.is_empty() {
        let _ = writeln!(out, "<p class=\"fix\"><b>Fix:</b> {}</p>", esc(&c.help));
    }
    if !c.evidence.is_empty() {
        out.push_str("<ul class=\"muted\">");
        for e in c.evidence.iter().take(20) {
            let at = match (&e.path, e.line) {
                (Some(p), Some(l)) => format!("{}:{l}: ", esc(p)),
                (Some(p), None) => format!("{}: ", esc(p)),
                _ => String::new(),
            };
            let _ = write!(out, "<li>{at}{}</li>", esc(&e.message));
        }
        if c.evidence.len() > 20 {
            let _ = write!(out, "<li>… and {} more</li>", c.evidence.len() - 20);
        }
        out.push_str("</ul>\n");
    }
    out.push_str("</div></details>\n");
}

fn finding(f: &Finding, out: &mut String) {
    let sev = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    };
    let at = f
        .location
        .as_ref()
        .map(|l| format!("<span class=\"id\">{}:{}</span> ", esc(&l.path), l.line))
        .unwrap_or_default();
    let baseline = match f.baseline {
        Some(BaselineState::Existing) => " <span class=\"muted\">[in baseline]</span>",
        Some(BaselineState::New) => " <span class=\"muted\">[new]</span>",
        None => "",
    };
    let _ = writeln!(
        out,
        "<div class=\"finding\"><div>{at}<span class=\"sev-{sev}\">{sev}</span>: <span class=\"msg\">{}</span>{baseline}</div>",
        esc(&f.message)
    );
    if let Some(snippet) = &f.snippet {
        let (first, last) = match &f.location {
            Some(l) => (l.line, l.end_line.max(l.line)),
            None => (0, 0),
        };
        out.push_str("<pre class=\"snippet\">");
        for (i, line) in snippet.text.lines().enumerate() {
            let n = snippet.start_line + i as u32;
            let hit = if n >= first && n <= last { " hit" } else { "" };
            let _ = write!(
                out,
                "<span class=\"l{hit}\"><span class=\"n\">{n}</span>{}</span>",
                esc(line)
            );
        }
        out.push_str("</pre>\n");
    }
    if let Some(help) = &f.help {
        let _ = writeln!(out, "<div class=\"fix\"><b>Fix:</b> {}</div>", esc(help));
    }
    out.push_str("</div>\n");
}

fn table(t: &Table, out: &mut String) {
    let _ = write!(
        out,
        "<table class=\"data\"><caption>{}</caption><tr>",
        esc(&t.title)
    );
    for c in &t.columns {
        let _ = write!(out, "<th>{}</th>", esc(c));
    }
    out.push_str("</tr>");
    for row in &t.rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", esc(cell));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>\n");
}

/// An element id for a check: `k8s/readiness-probe` → `check-k8s-readiness-probe`.
fn anchor(id: &str) -> String {
    let cleaned: String = id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("check-{cleaned}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_anchors_are_ids() {
        assert_eq!(
            esc("<script>\"x\" & 'y'"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;"
        );
        assert_eq!(anchor("k8s/readiness-probe"), "check-k8s-readiness-probe");
    }
}
