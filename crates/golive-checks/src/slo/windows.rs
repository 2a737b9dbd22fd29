//! Burn-rate conditions in alert expressions, the way the SRE workbook (ch. 5, "Alerting on
//! SLOs") writes them: an error ratio over a window compared to `factor * (1 - objective)`, and
//! the multi-window form that `and`s the same comparison over a long and a short window
//! (1h & 5m, 6h & 30m, 1d & 2h, 3d & 6h).
//!
//! The error ratio is either a recording rule whose name ends in its window
//! (`slo:sli_error:ratio_rate1h`, `job:slo_errors_per_request:ratio_rate1h`,
//! `apiserver_request:burnrate1h`) or an inline division whose range selectors share one
//! window (`sum(rate(errors[1h])) / sum(rate(requests[1h]))`).

use crate::alerts::promql::{self, metric_names};
use promql_parser::parser::Expr;
use promql_parser::parser::token::{T_DIV, T_GTE, T_GTR, T_LAND, T_LSS, T_LTE, T_MUL};

/// One comparison of an error ratio over one window against a constant threshold.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Condition {
    pub window_ms: u128,
    /// The window as written (`1h`, `30m`).
    pub window: String,
    /// The burn-rate factor when the threshold is `factor * budget` (e.g. 14.4 * 0.001).
    pub factor: Option<f64>,
    /// The ratio is named as an SLO's (`slo:`, `burnrate`, `error_budget`).
    pub slo_named: bool,
}

impl Condition {
    /// Whether this is a burn-rate comparison (not any error-ratio threshold).
    pub(crate) fn is_burn_rate(&self) -> bool {
        self.factor.is_some() || self.slo_named
    }
}

/// A long and a short window of the same alert, `and`-ed.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Pair {
    pub long: Condition,
    pub short: Condition,
}

impl Pair {
    /// Fast burns (long window up to 6h) page; slower ones open tickets (workbook table 5-8).
    pub(crate) fn is_fast(&self) -> bool {
        self.long.window_ms <= 6 * 3_600_000
    }

    pub(crate) fn describe(&self) -> String {
        let factor = match self.long.factor.or(self.short.factor) {
            Some(f) => format!(", burn rate {}", trim_float(f)),
            None => String::new(),
        };
        format!(
            "{} & {} windows{factor} ({})",
            self.long.window,
            self.short.window,
            if self.is_fast() {
                "fast burn: page"
            } else {
                "slow burn: ticket"
            }
        )
    }
}

/// What an alert expression is, as far as burn rates go.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Shape {
    /// At least one long/short window pair.
    MultiWindow(Vec<Pair>),
    /// Burn-rate comparisons over one window only.
    SingleWindow(Condition),
    /// Not a burn-rate alert.
    Other,
}

/// Classifies an alert expression.
pub(crate) fn shape(expr: &Expr) -> Shape {
    let mut pairs = Vec::new();
    promql::walk(expr, &mut |e| {
        if let Expr::Binary(b) = e
            && b.op.id() == T_LAND
        {
            let (left, right) = (conditions(&b.lhs), conditions(&b.rhs));
            for l in &left {
                for r in &right {
                    if l.window_ms == r.window_ms {
                        continue;
                    }
                    let (long, short) = if l.window_ms > r.window_ms {
                        (l.clone(), r.clone())
                    } else {
                        (r.clone(), l.clone())
                    };
                    let pair = Pair { long, short };
                    if !pairs.contains(&pair) {
                        pairs.push(pair);
                    }
                }
            }
        }
    });
    if !pairs.is_empty() {
        return Shape::MultiWindow(pairs);
    }
    match conditions(expr).into_iter().find(Condition::is_burn_rate) {
        Some(c) => Shape::SingleWindow(c),
        None => Shape::Other,
    }
}

/// Every windowed error-ratio comparison of an expression.
pub(crate) fn conditions(expr: &Expr) -> Vec<Condition> {
    let mut out = Vec::new();
    promql::walk(expr, &mut |e| {
        let Expr::Binary(b) = e else { return };
        let (ratio, threshold) = match b.op.id() {
            T_GTR | T_GTE => (&*b.lhs, &*b.rhs),
            T_LSS | T_LTE => (&*b.rhs, &*b.lhs),
            _ => return,
        };
        if promql::const_value(threshold).is_none() {
            return;
        }
        if let Some((window_ms, window, slo_named)) = windowed_ratio(ratio) {
            out.push(Condition {
                window_ms,
                window,
                factor: burn_factor(threshold),
                slo_named,
            });
        }
    });
    out
}

/// The window of an error ratio: `(ms, as written, named as an SLO's)`.
fn windowed_ratio(expr: &Expr) -> Option<(u128, String, bool)> {
    let names = metric_names(expr);
    let slo_named = names.iter().any(|n| is_slo_name(n));
    let recorded: Vec<(u128, &str)> = names
        .iter()
        .filter(|n| n.contains(':') && is_ratio_name(n))
        .filter_map(|n| name_window(n))
        .collect();
    if let Some((ms, text)) = recorded.first() {
        return recorded
            .iter()
            .all(|(m, _)| m == ms)
            .then(|| (*ms, text.to_string(), slo_named));
    }
    let mut divides = false;
    promql::walk(expr, &mut |e| {
        divides |= matches!(e, Expr::Binary(b) if b.op.id() == T_DIV && promql::const_value(&b.rhs).is_none());
    });
    let ranges = promql::ranges_ms(expr);
    match (divides, ranges.len(), ranges.first()) {
        (true, 1, Some(ms)) => Some((*ms, format_ms(*ms), slo_named)),
        _ => None,
    }
}

/// `factor` when a threshold is `factor * budget` (a number ≥ 1 times a fraction ≤ 0.5).
fn burn_factor(threshold: &Expr) -> Option<f64> {
    let mut inner = threshold;
    while let Expr::Paren(p) = inner {
        inner = &p.expr;
    }
    let Expr::Binary(b) = inner else { return None };
    if b.op.id() != T_MUL {
        return None;
    }
    let (a, c) = (promql::const_value(&b.lhs)?, promql::const_value(&b.rhs)?);
    let (factor, budget) = if a >= c { (a, c) } else { (c, a) };
    (factor >= 1.0 && budget > 0.0 && budget <= 0.5).then_some(factor)
}

fn is_slo_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.starts_with("slo:")
        || lower.contains(":slo")
        || lower.starts_with("slo_")
        || lower.contains("_slo_")
        || lower.contains("burnrate")
        || lower.contains("burn_rate")
        || lower.contains("error_budget")
}

fn is_ratio_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["ratio", "burnrate", "burn_rate", "error", "availability"]
        .iter()
        .any(|w| lower.contains(w))
}

/// The window a recording rule's name ends in: `...rate1h` → 1h, `..._30m` → 30m.
pub(crate) fn name_window(name: &str) -> Option<(u128, &str)> {
    let unit_start = name.len()
        - name
            .bytes()
            .rev()
            .take_while(u8::is_ascii_alphabetic)
            .count();
    let unit = &name[unit_start..];
    let digits = name[..unit_start]
        .bytes()
        .rev()
        .take_while(u8::is_ascii_digit)
        .count();
    if digits == 0 || digits > 6 {
        return None;
    }
    let start = unit_start - digits;
    let before = name[..start].chars().next_back()?;
    if !(before.is_ascii_alphabetic() || before == '_') {
        return None;
    }
    let n: u128 = name[start..unit_start].parse().ok()?;
    let mult: u128 = match unit {
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        _ => return None,
    };
    Some((n * mult, &name[start..]))
}

/// `3600000` → `1h`, `5400000` → `90m`.
pub(crate) fn format_ms(ms: u128) -> String {
    for (unit, size) in [
        ("d", 86_400_000u128),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1_000),
    ] {
        if ms >= size && ms.is_multiple_of(size) {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{ms}ms")
}

fn trim_float(f: f64) -> String {
    let s = format!("{f:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape_of(text: &str) -> Shape {
        shape(promql::parse(text).expr().unwrap())
    }

    #[test]
    fn workbook_pairs_via_recording_rules_are_multi_window() {
        let s = shape_of(
            "(job:slo_errors_per_request:ratio_rate1h{job=\"checkout\"} > (14.4 * (1 - 0.999)) \
             and job:slo_errors_per_request:ratio_rate5m{job=\"checkout\"} > (14.4 * (1 - 0.999))) \
             or (job:slo_errors_per_request:ratio_rate6h > (6 * 0.001) \
             and job:slo_errors_per_request:ratio_rate30m > (6 * 0.001))",
        );
        let Shape::MultiWindow(pairs) = s else {
            panic!("{s:?}")
        };
        let described: Vec<String> = pairs.iter().map(Pair::describe).collect();
        assert_eq!(
            described,
            vec![
                "1h & 5m windows, burn rate 14.4 (fast burn: page)",
                "6h & 30m windows, burn rate 6 (fast burn: page)"
            ]
        );
    }

    #[test]
    fn sloth_kube_prometheus_and_inline_shapes() {
        // Sloth's generated page alert.
        let sloth = shape_of(
            "(max(slo:sli_error:ratio_rate5m{sloth_id=\"a\"} > (14.4 * 0.0009999999999999432)) without (sloth_window)\
             and max(slo:sli_error:ratio_rate1h{sloth_id=\"a\"} > (14.4 * 0.0009999999999999432)) without (sloth_window))",
        );
        assert!(matches!(sloth, Shape::MultiWindow(ref p) if p.len() == 1 && p[0].is_fast()));
        // kube-prometheus' KubeAPIErrorBudgetBurn (ticket).
        let kp = shape_of(
            "sum by(cluster) (apiserver_request:burnrate3d) > (1.00 * 0.01000) and on(cluster) sum by(cluster) (apiserver_request:burnrate6h) > (1.00 * 0.01000)",
        );
        assert!(
            matches!(kp, Shape::MultiWindow(ref p) if !p[0].is_fast() && p[0].long.window == "3d")
        );
        // Inline ratios.
        let inline = shape_of(
            "sum(rate(http_requests_total{code=~\"5..\"}[1d])) / sum(rate(http_requests_total[1d])) > 3 * (1 - 0.999) \
             and sum(rate(http_requests_total{code=~\"5..\"}[2h])) / sum(rate(http_requests_total[2h])) > 3 * (1 - 0.999)",
        );
        assert!(
            matches!(inline, Shape::MultiWindow(ref p) if p[0].long.window == "1d" && p[0].short.window == "2h")
        );
    }

    #[test]
    fn one_window_burn_rates_are_single_window() {
        let s = shape_of(
            "sum(rate(http_requests_total{code=~\"5..\"}[1h])) / sum(rate(http_requests_total[1h])) > 14.4 * (1 - 0.999)",
        );
        assert!(
            matches!(s, Shape::SingleWindow(ref c) if c.window == "1h" && c.factor == Some(14.4))
        );
        let named = shape_of("slo:sli_error:ratio_rate5m{slo=\"checkout\"} > 0.0144");
        assert!(matches!(named, Shape::SingleWindow(ref c) if c.window == "5m" && c.slo_named));
    }

    #[test]
    fn plain_thresholds_and_other_alerts_are_not_burn_rates() {
        for text in [
            "sum(rate(http_requests_total{code=~\"5..\"}[5m])) / sum(rate(http_requests_total[5m])) > 0.05",
            "job:http_errors:ratio_rate5m > 0.05",
            "up == 0",
            "rate(x[5m]) > 1 and rate(x[1h]) > 1",
            "absent(slo:sli_error:ratio_rate5m)",
            "instance:node_cpu:rate5m > 0.9 and instance:node_cpu:rate1h > 0.8",
        ] {
            assert_eq!(shape_of(text), Shape::Other, "{text}");
        }
    }

    #[test]
    fn windows_in_names() {
        assert_eq!(
            name_window("slo:sli_error:ratio_rate1h"),
            Some((3_600_000, "1h"))
        );
        assert_eq!(
            name_window("apiserver_request:burnrate30m"),
            Some((1_800_000, "30m"))
        );
        assert_eq!(name_window("x:errors:ratio_3d"), Some((259_200_000, "3d")));
        assert_eq!(name_window("http_requests_total"), None);
        assert_eq!(name_window("x:y:p99"), None);
        assert_eq!(name_window("1h"), None);
        assert_eq!(format_ms(1_800_000), "30m");
        assert_eq!(format_ms(86_400_000), "1d");
    }
}
