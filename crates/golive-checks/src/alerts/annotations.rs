use super::rules::{self, Rule};
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Every alerting rule has a non-empty, one-line `summary` annotation that says more than
    /// the alert's name, and a non-empty `description` annotation.
    ///
    /// - A missing annotation is a finding at the `- alert:` line; an empty one at its key; a
    ///   value that is not a string at the value.
    /// - `message` is accepted in place of `description`: it is the older kube-prometheus
    ///   convention (one annotation for both), still in some of its rules. The evidence counts
    ///   such alerts; they still need a `summary`.
    /// - A `summary` that only repeats the alert's name (`HighErrorRate`, `higherrorrate.`,
    ///   `{{ $labels.alertname }}`) is a finding at the value: it tells the reader nothing the
    ///   notification's title did not. The name spelled out in words ("High error rate") is
    ///   accepted: it reads as a sentence, which is what a summary is for.
    /// - A `summary` of more than one line is a finding at the value. Helm and Go templates are
    ///   fine: line breaks inside a `{{ }}` action, or removed by `{{-`/`-}}` trim markers, do
    ///   not count, and a templated summary is otherwise not judged against the name.
    ///
    /// Annotations are per rule: a rule group's `labels` never supply them.
    ///
    /// ## Why it matters
    /// The summary is the one line a paged engineer reads first (the title of the Slack
    /// message, the PagerDuty incident), and the description is the context they need before
    /// opening a dashboard. The monitoring article (002) makes "add context to alerts" the fix
    /// for alerts nobody can act on, and every example rule there carries both annotations;
    /// the go-live checklist (003, Alerts) asks for alerts that are actionable. A summary that
    /// is the alert's name again, or a paragraph that notification titles truncate, leaves the
    /// responder to decode the alert under pressure.
    ///
    /// ## How to fix
    /// ```yaml
    /// - alert: CheckoutHighErrorRate
    ///   expr: job:http_errors:ratio_rate5m{job="checkout"} > 0.05
    ///   for: 5m
    ///   annotations:
    ///     summary: Checkout is failing {{ $value | humanizePercentage }} of requests
    ///     description: >-
    ///       More than 5% of checkout requests on {{ $labels.instance }} returned a 5xx for
    ///       5 minutes. Customers cannot pay.
    /// ```
    pub struct Annotations {
        id: "alerts/annotations",
        title: "Alerts carry a summary and a description",
        category: Alerting,
        level: Silver,
        severity: Warning,
        facets: [PrometheusRules],
        seeds: [
            "002: Monitoring & Alerting: add context to alerts (summary, description, dashboard and runbook links)",
            "003: Go-live checklist, Alerts: alerts are actionable and tracked",
        ],
        fix: "add `annotations: {summary: <one line on what is wrong>, description: <what it means and for whom>}` to the alert",
    }
}

const HELP_COPY: &str = "say what is wrong and where in the summary (e.g. `Checkout fails {{ $value | humanizePercentage }} of requests`), not the alert's name again";
const HELP_LINES: &str = "keep the summary to one line (it is the notification's title) and move the detail to `description`";

impl golive_core::Check for Annotations {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let rules = rules::discover(cx.ws);
        if rules.alert_count() == 0 {
            return Outcome::not_applicable(rules.no_alerts_reason());
        }
        let mut findings = Vec::new();
        let (mut complete, mut message_only, mut templated) = (0, 0, 0);
        for alert in rules.alerts() {
            let what = alert.describe();
            if let Some((_, annotations)) = alert.field("annotations")
                && !annotations.is_map()
                && !annotations.is_null()
            {
                findings.push(Finding::at(
                    annotations.location(&alert.file.path),
                    format!("{what}: `annotations` is not a mapping"),
                ));
                continue;
            }
            let summary = alert.annotation("summary");
            let description = alert
                .annotation("description")
                .map(|entry| (entry, false))
                .or_else(|| alert.annotation("message").map(|entry| (entry, true)));
            if summary.is_none() && description.is_none() {
                let missing = if alert.field("annotations").is_none() {
                    "has no annotations: no `summary` and no `description`"
                } else {
                    "has no `summary` and no `description` annotation"
                };
                findings.push(Finding::at(alert.location(), format!("{what} {missing}")));
                continue;
            }
            let before = findings.len();
            match summary {
                None => findings.push(Finding::at(
                    alert.location(),
                    format!("{what} has no `summary` annotation"),
                )),
                Some((key, value)) => {
                    if let Some(text) = text_of(alert, "summary", key, value, &mut findings) {
                        let judged = findings.len();
                        judge_summary(alert, value, text, &mut findings);
                        if rules::is_templated(text) && findings.len() == judged {
                            templated += 1;
                        }
                    }
                }
            }
            match description {
                None => findings.push(Finding::at(
                    alert.location(),
                    format!("{what} has no `description` annotation"),
                )),
                Some(((key, value), from_message)) => {
                    let name = if from_message {
                        "message"
                    } else {
                        "description"
                    };
                    if text_of(alert, name, key, value, &mut findings).is_some() && from_message {
                        message_only += 1;
                    }
                }
            }
            if findings.len() == before {
                complete += 1;
            }
        }
        let mut evidence = vec![Evidence::note(format!(
            "{complete} alerting rule(s) carry a one-line summary and a description"
        ))];
        if message_only > 0 {
            evidence.push(Evidence::note(format!(
                "{message_only} alerting rule(s) describe themselves with `message` (the older kube-prometheus convention), accepted as their description"
            )));
        }
        if templated > 0 {
            evidence.push(Evidence::note(format!(
                "{templated} templated summary(ies) accepted: one line once rendered (line breaks inside `{{{{ }}}}` or trimmed by `{{{{-`/`-}}}}` do not count), not compared with the alert's name"
            )));
        }
        evidence.extend(rules.unread.notes());
        Outcome::from_findings(findings, evidence)
    }
}

/// An annotation's text, or None after reporting it empty or not a string.
fn text_of<'a>(
    alert: &Rule<'a>,
    name: &str,
    key: Node<'a>,
    value: Node<'a>,
    findings: &mut Vec<Finding>,
) -> Option<&'a str> {
    let what = alert.describe();
    if value.is_null() || value.as_str().is_some_and(|t| t.trim().is_empty()) {
        findings.push(Finding::at(
            key.location(&alert.file.path),
            format!("{what} has an empty `{name}` annotation"),
        ));
        return None;
    }
    match value.as_text() {
        Some(text) if value.is_scalar() => Some(text.trim()),
        _ => {
            findings.push(Finding::at(
                value.location(&alert.file.path),
                format!("{what}: the `{name}` annotation is not a string"),
            ));
            None
        }
    }
}

/// Reports a summary that repeats the alert's name or spans several lines.
fn judge_summary(alert: &Rule<'_>, value: Node<'_>, text: &str, findings: &mut Vec<Finding>) {
    let what = alert.describe();
    let at = value.location(&alert.file.path);
    if repeats_name(text, alert.name()) {
        findings.push(
            Finding::at(
                at.clone(),
                format!("{what}: the summary `{text}` only repeats the alert's name"),
            )
            .with_help(HELP_COPY),
        );
    }
    let lines = rendered_lines(text);
    if lines > 1 {
        findings.push(
            Finding::at(
                at,
                format!(
                    "{what}: the summary spans {lines} lines; it is a notification's one-line title"
                ),
            )
            .with_help(HELP_LINES),
        );
    }
}

/// Whether a summary says nothing but the alert's name: the name itself (case and trailing
/// punctuation aside), or a template that prints the `alertname` label. A name spelled out in
/// words ("Prometheus operator not ready") is a readable summary and is accepted.
fn repeats_name(summary: &str, name: &str) -> bool {
    let squeezed: String = summary.chars().filter(|c| !c.is_whitespace()).collect();
    if matches!(
        squeezed.as_str(),
        "{{$labels.alertname}}" | "{{.Labels.alertname}}" | "{{$labels.alertname|title}}"
    ) {
        return true;
    }
    if rules::is_templated(summary) {
        return false;
    }
    let bare = summary.trim().trim_end_matches(['.', '!', ':']).trim();
    !bare.is_empty() && bare.eq_ignore_ascii_case(name.trim())
}

/// How many lines a (trimmed) summary renders to: line breaks inside a `{{ }}` action, or next
/// to a `{{-` / `-}}` trim marker, are not output.
fn rendered_lines(text: &str) -> usize {
    let mut breaks = 0;
    let mut depth = 0usize;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("{{") {
            depth += 1;
            rest = &rest[2..];
            continue;
        }
        if rest.starts_with("}}") {
            depth = depth.saturating_sub(1);
            rest = &rest[2..];
            continue;
        }
        if c == '\n' && depth == 0 {
            let before = text[..text.len() - rest.len()].trim_end();
            let after = rest[1..].trim_start();
            if !before.ends_with("-}}") && !after.starts_with("{{-") {
                breaks += 1;
            }
        }
        rest = &rest[c.len_utf8()..];
    }
    breaks + 1
}

#[cfg(test)]
mod tests {
    use super::{rendered_lines, repeats_name};

    #[test]
    fn a_summary_repeating_the_name_is_a_copy() {
        assert!(repeats_name("HighErrorRate", "HighErrorRate"));
        assert!(repeats_name("higherrorrate.", "HighErrorRate"));
        assert!(!repeats_name("High error rate", "HighErrorRate"));
        assert!(repeats_name("{{ $labels.alertname }}", "HighErrorRate"));
        assert!(!repeats_name(
            "High error rate on checkout",
            "HighErrorRate"
        ));
        assert!(!repeats_name(
            "{{ $labels.job }} HighErrorRate",
            "HighErrorRate"
        ));
        assert!(!repeats_name("", "HighErrorRate"));
    }

    #[test]
    fn template_line_breaks_are_not_summary_lines() {
        assert_eq!(rendered_lines("Checkout is down"), 1);
        assert_eq!(rendered_lines("Checkout is down.\nIt has been for 5m."), 2);
        assert_eq!(
            rendered_lines("{{- if eq $labels.x \"y\" -}}\nA\n{{- else -}}\nB\n{{- end -}}"),
            1
        );
        assert_eq!(
            rendered_lines("{{ with query\n  \"up\" }}{{ . }}{{ end }} targets up"),
            1
        );
        assert_eq!(rendered_lines("a\n\nb\nc"), 4);
    }
}
