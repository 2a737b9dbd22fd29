use super::rules::{self, RuleKind};
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

/// Deepest bracket nesting golive hands to the PromQL parser (it recurses; a hostile expression
/// must become a finding, not a stack overflow). Real expressions stay far below.
const MAX_NESTING: usize = 128;

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
            if rules::is_templated(text) {
                templated += 1;
                continue;
            }
            if nesting(text) > MAX_NESTING {
                findings.push(Finding::at(
                    at,
                    format!("{what}: `expr` nests brackets deeper than {MAX_NESTING} levels; golive does not parse it"),
                ));
                continue;
            }
            match promql_parser::parser::parse(text) {
                Ok(_) => match rule.kind {
                    RuleKind::Alert => alerting += 1,
                    RuleKind::Record => recording += 1,
                },
                Err(_) if has_pipeline(text) => logql += 1,
                Err(e) => findings.push(Finding::at(
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

/// Visits the characters of an expression that are outside string literals.
fn outside_strings(text: &str, mut visit: impl FnMut(char)) {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' && q != '`' && q != '\n' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
            None if c == '#' => {
                // A PromQL comment runs to the end of its line; skip it like a string.
                quote = Some('\n');
            }
            None => visit(c),
        }
    }
}

/// The deepest bracket nesting outside strings.
fn nesting(text: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    outside_strings(text, |c| match c {
        '(' | '[' | '{' => {
            depth += 1;
            max = max.max(depth);
        }
        ')' | ']' | '}' => depth = depth.saturating_sub(1),
        _ => {}
    });
    max
}

/// A `|` outside strings: PromQL has no such operator, LogQL pipelines start with one.
fn has_pipeline(text: &str) -> bool {
    let mut found = false;
    outside_strings(text, |c| found |= c == '|');
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_ignores_strings_and_comments() {
        assert_eq!(nesting("sum(rate(x{a=\"((((\"}[5m]))"), 3);
        assert_eq!(nesting("x # ((((\n + y"), 0);
        let deep = format!("{}x{}", "(".repeat(200), ")".repeat(200));
        assert_eq!(nesting(&deep), 200);
    }

    #[test]
    fn pipelines_are_logql_regex_alternatives_are_not() {
        assert!(has_pipeline(r#"sum(rate({app="api"} |= "error" [5m]))"#));
        assert!(!has_pipeline(r#"rate(x{status=~"5..|4.."}[5m])"#));
    }

    #[test]
    fn parser_api_is_what_the_check_expects() {
        assert!(promql_parser::parser::parse("up == 0").is_ok());
        let err = promql_parser::parser::parse("sum(rate(x[5m])").unwrap_err();
        assert!(!err.is_empty());
    }
}
