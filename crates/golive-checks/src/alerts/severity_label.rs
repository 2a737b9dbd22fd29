use super::rules;
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};
use std::collections::BTreeMap;

/// Severity values routing trees commonly match on (compared case-insensitively).
const KNOWN: [&str; 7] = [
    "critical", "error", "warning", "info", "none", "page", "ticket",
];

declare_check! {
    /// ## What it checks
    /// Every alerting rule has a `severity` label with a known value: `critical`, `error`,
    /// `warning`, `info`, `none`, `page` or `ticket` (in any letter case).
    ///
    /// The label may come from the rule's `labels` or from its group's `labels` (Prometheus 3
    /// merges group labels into each rule; the rule's value wins). A missing label is a finding
    /// at the `- alert:` line; an unknown or empty value is a finding at the value, naming it.
    /// A templated value (`{{ $labels.severity }}`) is accepted with a note: it is decided when
    /// the alert fires.
    ///
    /// ## Why it matters
    /// Alertmanager routes on labels: the monitoring article (002) sends `severity: critical`
    /// to PagerDuty, `warning` to Slack and `info` to email. An alert without a severity, or
    /// with one no route matches (`high`, `sev1`, `Critcal`), falls through to the default
    /// receiver, so a page-worthy alert lands in a mailbox. The article's alert quality
    /// checklist ends with "Correct severity?" (Critical = Page, Warning = Slack, Info = Email).
    ///
    /// ## How to fix
    /// ```yaml
    /// - alert: HighErrorRate
    ///   expr: job:http_errors:ratio_rate5m > 0.05
    ///   for: 5m
    ///   labels:
    ///     severity: critical
    /// ```
    pub struct SeverityLabel {
        id: "alerts/severity-label",
        title: "Alerts have a known severity label",
        category: Alerting,
        level: Silver,
        severity: Error,
        facets: [PrometheusRules],
        seeds: [
            "002: Monitoring & Alerting: route by severity (Critical = Page, Warning = Slack, Info = Email)",
            "003: Go-live checklist, Alerts: all alerts should be tracked",
        ],
        fix: "add `labels: {severity: critical|warning|info}` to the alert, using a value your Alertmanager routes match",
    }
}

impl golive_core::Check for SeverityLabel {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let rules = rules::discover(cx.ws);
        if rules.alert_count() == 0 {
            return Outcome::not_applicable(rules.no_alerts_reason());
        }
        let mut findings = Vec::new();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut templated = 0;
        for alert in rules.alerts() {
            let what = alert.describe();
            if let Some(labels) = alert.field("labels").map(|(_, v)| v)
                && !labels.is_map()
                && !labels.is_null()
            {
                findings.push(Finding::at(
                    labels.location(&alert.file.path),
                    format!("{what}: `labels` is not a mapping"),
                ));
                continue;
            }
            let Some(label) = alert.label("severity") else {
                findings.push(Finding::at(
                    alert.location(),
                    format!("{what} has no `severity` label"),
                ));
                continue;
            };
            let at = label.value.location(&alert.file.path);
            if !label.value.is_scalar() {
                findings.push(Finding::at(
                    at,
                    format!("{what}: the `severity` label is not a string"),
                ));
                continue;
            }
            let value = label.value.as_text().unwrap_or("").trim();
            if rules::is_templated(value) {
                templated += 1;
                continue;
            }
            let lower = value.to_lowercase();
            if value.is_empty() {
                findings.push(Finding::at(
                    at,
                    format!("{what} has an empty `severity` label"),
                ));
            } else if KNOWN.contains(&lower.as_str()) {
                *seen.entry(lower).or_default() += 1;
            } else {
                let from = if label.from_group {
                    " (set on its rule group)"
                } else {
                    ""
                };
                findings.push(Finding::at(
                    at,
                    format!(
                        "{what}: severity `{value}`{from} is not a known value ({})",
                        KNOWN.join(", ")
                    ),
                ));
            }
        }
        let counted: Vec<String> = seen.iter().map(|(v, n)| format!("{v}: {n}")).collect();
        let total: usize = seen.values().sum();
        let mut evidence = vec![Evidence::note(if counted.is_empty() {
            "no alerting rule carries a known severity".to_string()
        } else {
            format!(
                "{total} alerting rule(s) carry a known severity ({})",
                counted.join(", ")
            )
        })];
        if templated > 0 {
            evidence.push(Evidence::note(format!(
                "{templated} templated severity value(s) accepted (decided when the alert fires)"
            )));
        }
        evidence.extend(rules.unread.notes());
        Outcome::from_findings(findings, evidence)
    }
}
