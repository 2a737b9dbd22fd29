use super::promql::{self, Parsed, metric_name, walk};
use super::rules::{self, RuleKind};
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};
use promql_parser::label::METRIC_NAME;
use promql_parser::parser::value::ValueType;
use promql_parser::parser::{
    BinaryExpr, Expr, LabelModifier, VectorMatchCardinality, VectorSelector,
};
use std::collections::{BTreeSet, HashMap};

declare_check! {
    /// ## What it checks
    /// Every division of one vector by another in a rule (alerting and recording) has the same
    /// labels on both sides, so that each numerator series meets the denominator it is meant
    /// for:
    ///
    /// - fine: `sum by (job) (...) / sum by (job) (...)`, `sum (...) / sum (...)`, the same
    ///   `without (...)` on both sides, an `on (...)` or `ignoring (...)` modifier (with or
    ///   without `group_left`/`group_right`), a division by a number or `scalar(...)`, the same
    ///   series on both sides (`rate(x_sum[5m]) / rate(x_count[5m])` with identical matchers),
    ///   and two recording-rule series of the same level (`job:errors:rate5m /
    ///   job:requests:rate5m`: the `level:metric:operations` naming convention says both are
    ///   aggregated by `job`);
    /// - a finding: the raw series of the same metric on both sides with different matchers
    ///   (`rate(x{status=~"5.."}[5m]) / rate(x[5m])`: every label is kept, so each 5xx series
    ///   is divided by itself and the ratio is 1); raw `x_bucket{le="0.3"} / x_count` without
    ///   `ignoring (le)` (the buckets' `le` label never matches); two sides aggregated to different labels
    ///   (`sum by (job, code) / sum by (job)`) or recording series of different levels: no
    ///   series ever match, the result is empty and the alert never fires; one side aggregated
    ///   without `instance` and the other the raw series of a scraped metric (which always has
    ///   an `instance` label): no match either.
    ///
    /// A series recorded by a recording rule of the repository takes the labels of that rule's
    /// expression (recursively): `cluster:node_cpu:sum_rate5m` recorded from a `sum (...)` has
    /// no label at all, whatever its name says. A recording rule defined elsewhere is judged by
    /// its name only when both sides have the same level; different levels, or a level against
    /// a `by (...)`, are not judged (a naming convention is not a guarantee). Divisions of two
    /// different raw metrics (`node_filesystem_avail_bytes / node_filesystem_size_bytes`) are
    /// not judged either: their labels are usually the same by construction, and golive cannot
    /// see them. The evidence lists every division not judged. The finding points at the
    /// `expr` value, names both sides' labels, and its help suggests a rewrite.
    ///
    /// ## Why it matters
    /// The monitoring article's own example (002, "High Error Rate Alert") is
    /// `rate(http_requests_total{status=~"5.."}[5m]) / rate(http_requests_total[5m]) > 0.05`:
    /// both sides keep the `status` label, so a single 500 response makes its series' ratio 1
    /// and pages someone, while a real 4% error rate spread over healthy series never shows.
    /// The mirror bug, `sum by (job, code) / sum by (job)`, silently matches nothing: the alert
    /// looks configured (004: "solution has alerting in place") and can never fire.
    ///
    /// ## How to fix
    /// Aggregate both sides to the same labels:
    /// ```yaml
    /// - alert: HighErrorRate
    ///   expr: |
    ///     sum by (job) (rate(http_requests_total{status=~"5.."}[5m]))
    ///       / sum by (job) (rate(http_requests_total[5m])) > 0.05
    /// ```
    /// or say how the labels match: `... / ignoring (code) group_left sum by (job) (...)`.
    pub struct RatioAggregated {
        id: "alerts/ratio-aggregated",
        title: "Ratios divide series aggregated to the same labels",
        category: Alerting,
        level: Silver,
        severity: Error,
        facets: [PrometheusRules],
        seeds: [
            "002: Monitoring & Alerting: the High Error Rate alert rule (rate of 5xx over rate of all requests)",
            "004: Production Ready Checklist, Monitoring: solution has alerting in place",
        ],
        fix: "aggregate both sides of the division to the same labels (`sum by (job) (...) / sum by (job) (...)`) or match them explicitly with `on (...)`/`ignoring (...)`",
    }
}

/// The labels a vector expression's series carry, as far as the expression tells.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Shape {
    /// Aggregated `by (labels)`; `sum (...)` is `By` nothing.
    By(BTreeSet<String>),
    /// Aggregated `without (labels)`: the input's labels minus these.
    Without(BTreeSet<String>),
    /// Series of one selector, every label kept (functions like `rate` keep them).
    Series(SeriesShape),
    /// Not known from the expression (label_replace, set operations of different shapes...).
    Unknown,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SeriesShape {
    pub name: Option<String>,
    /// The selector's matchers other than the metric name, as written (sorted).
    pub matchers: BTreeSet<String>,
    /// Labels filtered by the matchers.
    pub filtered: BTreeSet<String>,
    /// The level of a recording rule's series named `level:metric:operations`.
    pub level: Option<String>,
}

fn series(v: &VectorSelector) -> SeriesShape {
    let name = metric_name(v).map(str::to_string);
    let mut matchers = BTreeSet::new();
    let mut filtered = BTreeSet::new();
    for m in &v.matchers.matchers {
        if m.name == METRIC_NAME {
            continue;
        }
        // `{x=~".*"}` and `{x=""}`-style no-op filters still count: they are written on purpose.
        matchers.insert(m.to_string());
        filtered.insert(m.name.clone());
    }
    let level = name.as_deref().and_then(level_of);
    SeriesShape {
        name,
        matchers,
        filtered,
        level,
    }
}

/// `job` of `job:http_errors:rate5m` (recording rules' `level:metric:operations` names).
fn level_of(name: &str) -> Option<String> {
    let mut parts = name.split(':');
    let (level, metric, ops) = (parts.next()?, parts.next()?, parts.next()?);
    (parts.next().is_none() && !level.is_empty() && !metric.is_empty() && !ops.is_empty())
        .then(|| level.to_string())
}

/// Functions whose result keeps the labels of their (first vector) argument.
fn keeps_labels(func: &str) -> bool {
    matches!(
        func,
        "rate"
            | "irate"
            | "increase"
            | "delta"
            | "idelta"
            | "deriv"
            | "predict_linear"
            | "resets"
            | "changes"
            | "abs"
            | "ceil"
            | "floor"
            | "round"
            | "sqrt"
            | "exp"
            | "ln"
            | "log2"
            | "log10"
            | "clamp"
            | "clamp_min"
            | "clamp_max"
            | "sgn"
            | "avg_over_time"
            | "min_over_time"
            | "max_over_time"
            | "sum_over_time"
            | "count_over_time"
            | "quantile_over_time"
            | "stddev_over_time"
            | "stdvar_over_time"
            | "last_over_time"
            | "present_over_time"
            | "mad_over_time"
            | "holt_winters"
            | "double_exponential_smoothing"
    )
}

fn is_vector(e: &Expr) -> bool {
    e.value_type() == ValueType::Vector
}

fn labels(l: &LabelModifier) -> BTreeSet<String> {
    l.labels().labels.iter().cloned().collect()
}

/// Recording rules' expressions by the series they record.
pub(crate) type Records = HashMap<String, Vec<Expr>>;

/// Deepest chain of recording rules followed.
const MAX_RECORD_DEPTH: usize = 8;

/// The shape of a vector expression as written (recording rules' series not resolved).
pub(crate) fn shape(e: &Expr) -> Shape {
    shape_in(e, None, 0)
}

/// The shape of a vector expression; with `records`, a recording rule's series takes the shape
/// of the rule's expression (when all its definitions agree).
fn shape_in(e: &Expr, records: Option<&Records>, depth: usize) -> Shape {
    let shape = |e: &Expr| shape_in(e, records, depth);
    match e {
        Expr::Paren(p) => shape(&p.expr),
        Expr::Unary(u) => shape(&u.expr),
        Expr::Subquery(s) => shape(&s.expr),
        Expr::VectorSelector(v) => resolve(series(v), records, depth),
        Expr::MatrixSelector(m) => resolve(series(&m.vs), records, depth),
        Expr::Call(c) => {
            let name = c.func.name;
            if keeps_labels(name) {
                c.args
                    .args
                    .iter()
                    .find(|a| matches!(a.value_type(), ValueType::Vector | ValueType::Matrix))
                    .map_or(Shape::Unknown, |a| shape(a))
            } else if name == "histogram_quantile" {
                match c.args.args.get(1).map(|a| shape(a)) {
                    Some(Shape::By(mut set)) => {
                        set.remove("le");
                        Shape::By(set)
                    }
                    _ => Shape::Unknown,
                }
            } else {
                Shape::Unknown
            }
        }
        Expr::Aggregate(a) => match a.op.to_string().as_str() {
            "topk" | "bottomk" | "limitk" | "limit_ratio" => shape(&a.expr),
            "count_values" => Shape::Unknown,
            _ => match &a.modifier {
                None => Shape::By(BTreeSet::new()),
                Some(m @ LabelModifier::Include(_)) => Shape::By(labels(m)),
                Some(m @ LabelModifier::Exclude(_)) => Shape::Without(labels(m)),
            },
        },
        Expr::Binary(b) => binary_shape(b, &shape),
        _ => Shape::Unknown,
    }
}

/// A recording rule's series resolved to the shape of its expression.
fn resolve(s: SeriesShape, records: Option<&Records>, depth: usize) -> Shape {
    let Some(exprs) = records.and_then(|r| r.get(s.name.as_deref()?)) else {
        return Shape::Series(s);
    };
    if depth >= MAX_RECORD_DEPTH {
        return Shape::Unknown;
    }
    let mut shapes = exprs.iter().map(|e| shape_in(e, records, depth + 1));
    let first = shapes.next().unwrap_or(Shape::Unknown);
    if shapes.all(|other| other == first) {
        first
    } else {
        Shape::Unknown
    }
}

fn binary_shape(b: &BinaryExpr, shape: &dyn Fn(&Expr) -> Shape) -> Shape {
    let (lv, rv) = (is_vector(&b.lhs), is_vector(&b.rhs));
    match (lv, rv) {
        (true, false) => return shape(&b.lhs),
        (false, true) => return shape(&b.rhs),
        (false, false) => return Shape::Unknown,
        (true, true) => {}
    }
    let op = b.op.to_string();
    let card = b.modifier.as_ref().map(|m| &m.card);
    match op.as_str() {
        "and" | "unless" => shape(&b.lhs),
        "or" => {
            let (l, r) = (shape(&b.lhs), shape(&b.rhs));
            if l == r { l } else { Shape::Unknown }
        }
        _ => match card {
            Some(VectorMatchCardinality::OneToMany(_)) => Shape::Unknown,
            Some(VectorMatchCardinality::ManyToOne(_)) => Shape::Unknown,
            _ => {
                let (l, r) = (shape(&b.lhs), shape(&b.rhs));
                // One-to-one: the result has the left side's labels; equal shapes stay that shape.
                match (&l, &r) {
                    (Shape::By(a), Shape::By(c)) if a == c => l,
                    (Shape::Without(a), Shape::Without(c)) if a == c => l,
                    _ if b.modifier.as_ref().is_some_and(|m| m.matching.is_some()) => {
                        Shape::Unknown
                    }
                    _ => l,
                }
            }
        },
    }
}

/// What a division is.
#[derive(Debug, PartialEq)]
pub(crate) enum Verdict {
    /// Both sides aggregated alike, or matched explicitly.
    Fine(&'static str),
    /// Golive cannot tell.
    Unjudged,
    /// Mismatched labels: what is wrong, and how to write it.
    Mismatch { problem: String, rewrite: String },
}

fn describe(s: &Shape) -> String {
    match s {
        Shape::By(set) if set.is_empty() => "no labels (aggregated without `by`)".into(),
        Shape::By(set) => format!("labels ({})", join(set)),
        Shape::Without(set) => format!("every label but ({})", join(set)),
        Shape::Series(SeriesShape {
            level: Some(level),
            name: Some(name),
            ..
        }) => format!("the `{level}` level of `{name}`"),
        Shape::Series(SeriesShape { name, .. }) => match name {
            Some(n) => format!("every label of `{n}`"),
            None => "every label of its series".into(),
        },
        Shape::Unknown => "unknown labels".into(),
    }
}

fn join(set: &BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join(", ")
}

/// The text of an expression, shortened for messages.
fn text(e: &Expr) -> String {
    let t = e.to_string();
    let t = t
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
        .filter(|_| matches!(e, Expr::Paren(_)))
        .map_or(t.clone(), str::to_string);
    if t.chars().count() > 120 {
        format!("{}...", t.chars().take(120).collect::<String>())
    } else {
        t
    }
}

/// Judges `lhs / rhs` (both vectors), recording rules' series resolved through `records`.
pub(crate) fn judge(b: &BinaryExpr, records: &Records) -> Verdict {
    if let Some(m) = &b.modifier
        && (m.matching.as_ref().is_some_and(|l| match l {
            LabelModifier::Include(_) => true,
            LabelModifier::Exclude(ls) => !ls.labels.is_empty(),
        }) || !matches!(m.card, VectorMatchCardinality::OneToOne))
    {
        return Verdict::Fine("match with `on`/`ignoring`");
    }
    let (lt, rt) = (text(&b.lhs), text(&b.rhs));
    // The same series on both sides (recorded or not) are compared as written.
    if let (Shape::Series(a), Shape::Series(c)) = (shape(&b.lhs), shape(&b.rhs))
        && let Some(v) = same_family(&a, &c, &lt, &rt)
    {
        return v;
    }
    let (l, r) = (
        shape_in(&b.lhs, Some(records), 0),
        shape_in(&b.rhs, Some(records), 0),
    );
    match (&l, &r) {
        (Shape::By(a), Shape::By(c)) => {
            if a == c {
                return Verdict::Fine("aggregate both sides alike");
            }
            let common: BTreeSet<String> = a.intersection(c).cloned().collect();
            let extra: BTreeSet<String> = a.symmetric_difference(c).cloned().collect();
            Verdict::Mismatch {
                problem: format!(
                    "the numerator has {} and the denominator {}: no series ever match, so the result is always empty",
                    describe(&l),
                    describe(&r)
                ),
                rewrite: format!(
                    "aggregate both sides `by ({})`, or match explicitly with `/ ignoring ({}) group_left`",
                    join(&common),
                    join(&extra)
                ),
            }
        }
        (Shape::Without(a), Shape::Without(c)) if a == c => {
            Verdict::Fine("aggregate both sides alike")
        }
        (Shape::Series(a), Shape::Series(c)) => series_pair(a, c),
        (Shape::By(set), Shape::Series(s)) | (Shape::Series(s), Shape::By(set)) => {
            let raw_left = matches!(l, Shape::Series(_));
            match &s.level {
                // A recording rule's series not defined here: its name is a convention, not
                // a guarantee of its labels.
                Some(_) => Verdict::Unjudged,
                None if s
                    .name
                    .as_deref()
                    .is_some_and(|n| !n.contains(':') && n != "ALERTS")
                    && !set.contains("instance") =>
                {
                    let raw = if raw_left { &lt } else { &rt };
                    let wrapped = if set.is_empty() {
                        format!("sum ({raw})")
                    } else {
                        format!("sum by ({}) ({raw})", join(set))
                    };
                    Verdict::Mismatch {
                        problem: format!(
                            "the numerator has {} and the denominator {}: the raw series keep their `instance` label and the aggregated ones do not, so no series ever match and the result is always empty",
                            describe(&l),
                            describe(&r)
                        ),
                        rewrite: format!("aggregate the raw side too: `{wrapped}`"),
                    }
                }
                None => Verdict::Unjudged,
            }
        }
        _ => Verdict::Unjudged,
    }
}

/// Two selectors of the same metric (or `x_sum`/`x_count`, `x_bucket`/`x_count`): fine when
/// their matchers are the same, a mismatch otherwise; None for different metrics.
fn same_family(a: &SeriesShape, c: &SeriesShape, lt: &str, rt: &str) -> Option<Verdict> {
    let (an, cn) = (a.name.as_ref()?, c.name.as_ref()?);
    let pair = |num: &str, den: &str| matches!((an.strip_suffix(num), cn.strip_suffix(den)), (Some(x), Some(y)) if x == y);
    if pair("_bucket", "_count") {
        // `le` is on the buckets only: one-to-one matching never pairs them.
        return Some(Verdict::Mismatch {
            problem: format!(
                "the `{an}` series carry an `le` label that the `{cn}` series lack: no series ever match, so the result is always empty"
            ),
            rewrite: format!("{lt} / ignoring (le) {rt}"),
        });
    }
    if pair("_sum", "_count") {
        // The same labels by construction; different filters still give a per-series average.
        return Some(if a.matchers == c.matchers {
            Verdict::Fine("divide the same series")
        } else {
            Verdict::Unjudged
        });
    }
    if an != cn {
        return None;
    }
    if a.matchers == c.matchers {
        return Some(Verdict::Fine("divide the same series"));
    }
    {
        let differing: BTreeSet<String> = a
            .filtered
            .symmetric_difference(&c.filtered)
            .cloned()
            .chain(
                a.matchers
                    .symmetric_difference(&c.matchers)
                    .filter_map(|m| {
                        m.split(['=', '!'])
                            .next()
                            .map(|l| l.trim_matches('"').to_string())
                    }),
            )
            .collect();
        // Raw series: aggregate by job; a recording rule's series: drop the differing labels.
        let grouping = if a.level.is_some() {
            format!("sum without ({})", join(&differing))
        } else {
            "sum by (job)".to_string()
        };
        Some(Verdict::Mismatch {
            problem: format!(
                "both sides are series of `{an}` with the same labels, selected by different matchers on ({}): each numerator series is divided by the denominator series with exactly its labels (itself, or nothing), so the ratio is 1 or missing for every series, never a share of the whole, and a single failing series is enough to fire",
                join(&differing)
            ),
            rewrite: format!("{grouping} ({lt}) / {grouping} ({rt})"),
        })
    }
}

/// Two series after recording rules were resolved: only recording series of the same level
/// (rules not defined in the repository, `job:errors:rate5m / job:requests:rate5m`) are judged,
/// by the naming convention.
fn series_pair(a: &SeriesShape, c: &SeriesShape) -> Verdict {
    match (&a.level, &c.level) {
        (Some(x), Some(y)) if x == y => Verdict::Fine("divide recording series of the same level"),
        _ => Verdict::Unjudged,
    }
}

impl golive_core::Check for RatioAggregated {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let rules = rules::discover(cx.ws);
        if rules.rules.is_empty() {
            return Outcome::not_applicable(rules.no_alerts_reason());
        }
        let mut records = Records::new();
        let all = rules.once_per_place();
        for r in all.iter().filter(|r| r.kind == RuleKind::Record) {
            if let Some((_, v)) = r.field("expr")
                && let Some(t) = v.as_str()
                && let Parsed::Expr(e) = promql::parse(t)
            {
                records.entry(r.name().to_string()).or_default().push(e);
            }
        }
        let mut findings = Vec::new();
        let (mut divisions, mut read) = (0usize, 0usize);
        let mut unjudged = Vec::new();
        let mut fine: std::collections::BTreeMap<&'static str, usize> = Default::default();
        for rule in &all {
            let Some((_, value)) = rule.field("expr") else {
                continue;
            };
            let Some(expr_text) = value.as_str() else {
                continue;
            };
            let Parsed::Expr(expr) = promql::parse(expr_text) else {
                continue;
            };
            read += 1;
            let mut verdicts = Vec::new();
            walk(&expr, &mut |e| {
                if let Expr::Binary(b) = e
                    && b.op.to_string() == "/"
                    && is_vector(&b.lhs)
                    && is_vector(&b.rhs)
                {
                    verdicts.push((text(e), judge(b, &records)));
                }
            });
            for (division, verdict) in verdicts {
                divisions += 1;
                match verdict {
                    Verdict::Fine(why) => *fine.entry(why).or_default() += 1,
                    Verdict::Unjudged => unjudged.push(Evidence::located(
                        &value.location(&rule.file.path),
                        format!("{}: `{division}` not judged", rule.describe()),
                    )),
                    Verdict::Mismatch { problem, rewrite } => {
                        let what = rule.describe();
                        let consequence = match rule.kind {
                            RuleKind::Alert => "",
                            RuleKind::Record => " (in the recorded series)",
                        };
                        findings.push(
                            Finding::at(
                                value.location(&rule.file.path),
                                format!("{what}: `{division}`: {problem}{consequence}"),
                            )
                            .with_help(format!("write it as: {rewrite}")),
                        );
                    }
                }
            }
        }
        if read == 0 {
            return Outcome::not_applicable(
                "no rule expression golive can read (templated, LogQL or invalid)",
            );
        }
        if divisions == 0 {
            return Outcome::not_applicable(format!(
                "no rule divides one vector by another ({read} expression(s) read)"
            ));
        }
        let mut evidence = vec![Evidence::note(format!(
            "{divisions} division(s) of two vectors in {read} rule expression(s)"
        ))];
        for (why, n) in &fine {
            evidence.push(Evidence::note(format!("{n} {why}")));
        }
        if !unjudged.is_empty() {
            evidence.push(Evidence::note(format!(
                "{} not judged: different raw metrics, recording rules not defined here or label-changing expressions on the two sides (their labels are not visible in the expression)",
                unjudged.len()
            )));
            evidence.extend(unjudged);
        }
        evidence.extend(rules.unread.notes());
        Outcome::from_findings(findings, evidence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn verdict(e: &str) -> Verdict {
        verdict_with(&[], e)
    }

    fn verdict_with(records: &[(&str, &str)], e: &str) -> Verdict {
        let mut map = Records::new();
        for (name, r) in records {
            map.entry(name.to_string())
                .or_default()
                .push(promql::parse(r).expr().cloned().expect("record parses"));
        }
        let parsed = promql::parse(e);
        let mut out = None;
        walk(parsed.expr().expect("parses"), &mut |x| {
            if out.is_none()
                && let Expr::Binary(b) = x
                && b.op.to_string() == "/"
            {
                out = Some(judge(b, &map));
            }
        });
        out.expect("a division")
    }

    fn is_fine(e: &str) -> bool {
        matches!(verdict(e), Verdict::Fine(_))
    }

    fn is_mismatch(e: &str) -> bool {
        matches!(verdict(e), Verdict::Mismatch { .. })
    }

    #[test]
    fn the_articles_high_error_rate_is_a_mismatch() {
        let v = verdict(
            r#"(rate(http_requests_total{status=~"5.."}[5m]) / rate(http_requests_total[5m])) > 0.05"#,
        );
        let Verdict::Mismatch { problem, rewrite } = v else {
            panic!("{v:?}")
        };
        assert!(
            problem.contains("different matchers on (status)"),
            "{problem}"
        );
        assert_eq!(
            rewrite,
            r#"sum by (job) (rate(http_requests_total{status=~"5.."}[5m])) / sum by (job) (rate(http_requests_total[5m]))"#
        );
    }

    #[test]
    fn buckets_over_counts_never_match_without_ignoring_le() {
        let v = verdict(r#"rate(x_bucket{le="0.3"}[5m]) / rate(x_count[5m])"#);
        let Verdict::Mismatch { rewrite, .. } = v else {
            panic!("{v:?}")
        };
        assert_eq!(
            rewrite,
            r#"rate(x_bucket{le="0.3"}[5m]) / ignoring (le) rate(x_count[5m])"#
        );
        assert!(is_fine(
            r#"rate(x_bucket{le="0.3"}[5m]) / ignoring (le) rate(x_count[5m])"#
        ));
        assert!(is_fine(
            r#"sum by (job) (rate(x_bucket{le="0.3"}[5m])) / sum by (job) (rate(x_count[5m]))"#
        ));
        // A filtered average is still an average.
        assert_eq!(
            verdict(r#"rate(d_sum{route="/a"}[5m]) / rate(d_count[5m])"#),
            Verdict::Unjudged
        );
    }

    #[test]
    fn different_aggregations_are_mismatches() {
        assert!(is_mismatch(
            r#"sum by (job, code) (rate(x{code=~"5.."}[5m])) / sum by (job) (rate(x[5m]))"#
        ));
        assert!(is_mismatch(
            r#"sum(rate(errors_total[5m])) / rate(requests_total[5m])"#
        ));
        assert!(is_mismatch(
            r#"job_code:x:rate5m{code=~"5.."} / job_code:x:rate5m"#
        ));
    }

    #[test]
    fn recording_rules_of_the_repository_are_resolved() {
        let records = [
            ("job_code:x:rate5m", "sum by (job, code) (rate(x[5m]))"),
            ("job:x:rate5m", "sum by (job) (rate(x[5m]))"),
            // kube-prometheus: the `cluster` level has no label at all.
            (
                "cluster:node_cpu:sum_rate5m",
                r#"sum(rate(node_cpu_seconds_total{mode!="idle"}[5m]))"#,
            ),
            ("a:b:c", "d:e:f"),
            ("d:e:f", "a:b:c"),
        ];
        assert!(matches!(
            verdict_with(&records, "job_code:x:rate5m / job:x:rate5m"),
            Verdict::Mismatch { .. }
        ));
        assert!(matches!(
            verdict_with(
                &records,
                "cluster:node_cpu:sum_rate5m / count(sum(node_cpu_seconds_total) BY (instance, cpu))"
            ),
            Verdict::Fine(_)
        ));
        assert_eq!(verdict_with(&records, "a:b:c / sum(x)"), Verdict::Unjudged);
        // Not defined here: a level is a naming convention, judged only when both are alike.
        assert_eq!(
            verdict("job_code:x:rate5m / job:y:rate5m"),
            Verdict::Unjudged
        );
        assert_eq!(
            verdict("sum by (job) (a) / instance:b:rate5m"),
            Verdict::Unjudged
        );
    }

    #[test]
    fn matching_aggregations_and_modifiers_are_fine() {
        for e in [
            r#"sum by (job) (rate(x{code=~"5.."}[5m])) / sum by (job) (rate(x[5m]))"#,
            r#"sum(rate(x{code=~"5.."}[5m])) by (job) / sum(rate(x[5m])) by (job)"#,
            r#"sum(rate(x{code=~"5.."}[5m])) / sum(rate(x[5m]))"#,
            r#"sum without (code) (x{code=~"5.."}) / sum without (code) (x)"#,
            r#"sum by (job, code) (rate(x[5m])) / ignoring (code) group_left sum by (job) (rate(x[5m]))"#,
            r#"rate(a_failed_total[5m]) / ignoring (reason) group_left rate(a_total[5m])"#,
            r#"x / on (namespace, pod) kube_pod_container_resource_limits"#,
            r#"rate(http_request_duration_seconds_sum{job="a"}[5m]) / rate(http_request_duration_seconds_count{job="a"}[5m])"#,
            "job:errors:rate5m / job:requests:rate5m",
            r#"count(up == 0) BY (cluster, job) / count(up) BY (cluster, job)"#,
            r#"sum by (c) (a) / (sum by (c) (b) + sum by (c) (d))"#,
            r#"histogram_quantile(0.9, sum by (le, job) (rate(x_bucket[5m]))) / sum by (job) (y)"#,
            "rate(x[5m]) / rate(x[1h])",
        ] {
            assert!(is_fine(e), "{e}: {:?}", verdict(e));
        }
    }

    #[test]
    fn unknown_label_sets_are_not_judged() {
        for e in [
            "node_filesystem_avail_bytes / node_filesystem_size_bytes",
            "node_load1 / count without (cpu, mode) (node_cpu_seconds_total)",
            r#"sum by (instance) (rate(a[5m])) / b"#,
            r#"label_replace(a, "x", "$1", "y", "(.*)") / sum(b)"#,
            "sum by (job) (a) / (b or vector(0))",
        ] {
            assert_eq!(verdict(e), Verdict::Unjudged, "{e}");
        }
    }

    #[test]
    fn divisions_by_scalars_are_not_divisions_of_vectors() {
        let parsed = promql::parse("sum(rate(x[5m])) / 60 + x / scalar(y)");
        let mut vector_divisions = 0;
        walk(parsed.expr().unwrap(), &mut |e| {
            if let Expr::Binary(b) = e
                && b.op.to_string() == "/"
                && is_vector(&b.lhs)
                && is_vector(&b.rhs)
            {
                vector_divisions += 1;
            }
        });
        assert_eq!(vector_divisions, 0);
    }
}
