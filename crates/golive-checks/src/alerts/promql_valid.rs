use super::promql::{self, MAX_NESTING, Parsed};
use super::rules::{self, RuleKind};
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Every rule's `expr` (alerting and recording rules, in rule files and PrometheusRule
    /// objects) parses as PromQL.
    ///
    /// A finding points at the `expr` value (the parser reports no position inside the
    /// expression). A rule without `expr`, with an empty one or with a non-string one is a
    /// finding too. Expressions containing `{{` are Helm or jsonnet templates and are skipped
    /// (counted in the evidence). So are expressions that fail to parse and contain a `|`
    /// pipeline outside strings: those are LogQL (Loki rules use the same file format). An
    /// expression nested deeper than 128 brackets is reported rather than parsed.
    ///
    /// ## Why it matters
    /// Prometheus refuses to load a rule file with one bad expression (and the operator
    /// rejects the PrometheusRule), so every alert of the file silently stops being evaluated:
    /// the alerting flow of the monitoring article (002: metrics, rule evaluation, Alertmanager)
    /// breaks at its second step, and the checklists' "Solution has alerting in place" (004)
    /// is no longer true while everything looks configured.
    ///
    /// ## How to fix
    /// Fix the expression at the reported line (`promtool check rules FILE` shows the same
    /// error with more context):
    /// ```yaml
    /// - alert: HighErrorRate
    ///   expr: |
    ///     sum by (job) (rate(http_requests_total{status=~"5.."}[5m]))
    ///       / sum by (job) (rate(http_requests_total[5m])) > 0.05
    /// ```
    pub struct PromqlValid {
        id: "alerts/promql-valid",
        title: "Rule expressions are valid PromQL",
        category: Alerting,
        level: Silver,
        severity: Error,
        facets: [PrometheusRules],
        seeds: [
            "002: Monitoring & Alerting: Prometheus evaluates the alert rules' PromQL every minute",
            "004: Production Ready Checklist, Monitoring: solution has alerting in place",
        ],
        fix: "fix the PromQL expression (check it with `promtool check rules`)",
    }
}

impl golive_core::Check for PromqlValid {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let rules = rules::discover(cx.ws);
        if rules.rules.is_empty() {
            return Outcome::not_applicable(rules.no_alerts_reason());
        }
        let mut findings = Vec::new();
        let (mut alerting, mut recording, mut templated, mut logql) = (0, 0, 0, 0);
        for rule in &rules.rules {
            let what = rule.describe();
            let Some((key, expr)) = rule.field("expr") else {
                findings.push(Finding::at(
                    rule.location(),
                    format!("{what} has no `expr`"),
                ));
                continue;
            };
            if expr.is_null() {
                findings.push(Finding::at(
                    key.location(&rule.file.path),
                    format!("{what} has an empty `expr`"),
                ));
                continue;
            }
            let Some(text) = expr.as_str() else {
                let shape = if expr.is_map() { "a mapping" } else { "a list" };
                findings.push(Finding::at(
                    expr.location(&rule.file.path),
                    format!("{what}: `expr` is {shape}, not a PromQL string"),
                ));
                continue;
            };
            let at = expr.location(&rule.file.path);
            if text.trim().is_empty() {
                findings.push(Finding::at(at, format!("{what} has an empty `expr`")));
                continue;
            }
            match promql::parse(text) {
                Parsed::Expr(_) => match rule.kind {
                    RuleKind::Alert => alerting += 1,
                    RuleKind::Record => recording += 1,
                },
                Parsed::Templated => templated += 1,
                Parsed::LogQl => logql += 1,
                Parsed::TooDeep => findings.push(Finding::at(
                    at,
                    format!("{what}: `expr` nests brackets deeper than {MAX_NESTING} levels; golive does not parse it"),
                )),
                Parsed::Invalid(e) => findings.push(Finding::at(
                    at,
                    format!("{what}: `expr` is not valid PromQL: {e}"),
                )),
            }
        }
        if findings.is_empty() && alerting + recording == 0 {
            return Outcome::not_applicable(format!(
                "no PromQL to check: {templated} templated and {logql} LogQL expression(s) skipped"
            ));
        }
        let mut evidence = vec![Evidence::note(format!(
            "{} expression(s) parse as PromQL ({alerting} alerting, {recording} recording rule(s))",
            alerting + recording
        ))];
        if templated > 0 {
            evidence.push(Evidence::note(format!(
                "{templated} expression(s) contain `{{{{` template actions and were not parsed"
            )));
        }
        if logql > 0 {
            evidence.push(Evidence::note(format!(
                "{logql} expression(s) use a `|` pipeline (LogQL, Loki rules) and were not parsed as PromQL"
            )));
        }
        evidence.extend(rules.unread.notes());
        Outcome::from_findings(findings, evidence)
    }
}
