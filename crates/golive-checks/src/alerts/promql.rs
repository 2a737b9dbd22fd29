//! PromQL as the `alerts/*` and `slo/*` checks read it: one parse entry point that tells
//! templates, LogQL and pathological input apart from real expressions, and walks over the
//! parsed tree (every sub-expression, the metrics an expression names, its selectors).

use promql_parser::label::{METRIC_NAME, MatchOp};
use promql_parser::parser::{Expr, VectorSelector};
use std::collections::{BTreeSet, HashMap};
use std::sync::{LazyLock, Mutex};

/// Deepest bracket nesting golive hands to the PromQL parser (it recurses; a hostile expression
/// must become a finding, not a stack overflow). Real expressions stay far below.
pub(crate) const MAX_NESTING: usize = 128;

/// What an `expr` string is.
#[derive(Clone, Debug)]
pub(crate) enum Parsed {
    /// Valid PromQL.
    Expr(Expr),
    /// Contains `{{`: a Helm, jsonnet or Go template, not PromQL until rendered.
    Templated,
    /// Not PromQL but a LogQL pipeline (Loki rules share the rule-file format).
    LogQl,
    /// Nested deeper than [`MAX_NESTING`]: not handed to the parser.
    TooDeep,
    /// Not valid PromQL: the parser's message.
    Invalid(String),
}

impl Parsed {
    pub(crate) fn expr(&self) -> Option<&Expr> {
        match self {
            Parsed::Expr(e) => Some(e),
            _ => None,
        }
    }
}

/// Expressions parsed so far, by text: half a dozen checks read every rule's expression, and
/// parsing PromQL costs far more than cloning the tree. Parsing is a pure function of the text,
/// so sharing results between checks (and runs) cannot change one.
static PARSED: LazyLock<Mutex<HashMap<String, Parsed>>> = LazyLock::new(Default::default);

/// Entries kept before the cache starts over (a bound on memory for very long runs).
const CACHE_LIMIT: usize = 50_000;

/// Parses an expression the way every check should: templates and LogQL are recognised, deep
/// nesting is refused before the (recursive) parser sees it. Results are shared between checks.
pub(crate) fn parse(text: &str) -> Parsed {
    let cached = PARSED
        .lock()
        .ok()
        .and_then(|cache| cache.get(text).cloned());
    if let Some(parsed) = cached {
        return parsed;
    }
    let parsed = parse_uncached(text);
    if let Ok(mut cache) = PARSED.lock() {
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(text.to_string(), parsed.clone());
    }
    parsed
}

fn parse_uncached(text: &str) -> Parsed {
    if text.contains("{{") {
        return Parsed::Templated;
    }
    if nesting(text) > MAX_NESTING {
        return Parsed::TooDeep;
    }
    match promql_parser::parser::parse(text) {
        Ok(e) => Parsed::Expr(e),
        Err(_) if has_pipeline(text) => Parsed::LogQl,
        Err(e) => Parsed::Invalid(e),
    }
}

/// Visits `expr` and every sub-expression, parents before children, left to right.
pub(crate) fn walk<'e>(expr: &'e Expr, visit: &mut impl FnMut(&'e Expr)) {
    visit(expr);
    match expr {
        Expr::Aggregate(a) => {
            if let Some(p) = &a.param {
                walk(p, visit);
            }
            walk(&a.expr, visit);
        }
        Expr::Unary(u) => walk(&u.expr, visit),
        Expr::Binary(b) => {
            walk(&b.lhs, visit);
            walk(&b.rhs, visit);
        }
        Expr::Paren(p) => walk(&p.expr, visit),
        Expr::Subquery(s) => walk(&s.expr, visit),
        Expr::Call(c) => {
            for a in &c.args.args {
                walk(a, visit);
            }
        }
        Expr::NumberLiteral(_)
        | Expr::StringLiteral(_)
        | Expr::VectorSelector(_)
        | Expr::MatrixSelector(_)
        | Expr::Extension(_) => {}
    }
}

/// Every series selector of the expression (the vector part of range selectors included).
pub(crate) fn selectors(expr: &Expr) -> Vec<&VectorSelector> {
    let mut out = Vec::new();
    walk(expr, &mut |e| match e {
        Expr::VectorSelector(v) => out.push(v),
        Expr::MatrixSelector(m) => out.push(&m.vs),
        _ => {}
    });
    out
}

/// The metric a selector names: `x{...}` or `{__name__="x"}`; None for a regex or no name.
pub(crate) fn metric_name(v: &VectorSelector) -> Option<&str> {
    if let Some(name) = &v.name {
        return Some(name);
    }
    v.matchers
        .matchers
        .iter()
        .find(|m| m.name == METRIC_NAME && matches!(m.op, MatchOp::Equal))
        .map(|m| m.value.as_str())
}

/// The metric names an expression reads, sorted.
pub(crate) fn metric_names(expr: &Expr) -> BTreeSet<String> {
    selectors(expr)
        .into_iter()
        .filter_map(metric_name)
        .map(str::to_string)
        .collect()
}

/// The value of a constant expression (number literals combined with `+ - * /`, parentheses
/// and unary minus), e.g. a threshold `(14.4 * (1 - 0.999))`; None when it reads any series.
pub(crate) fn const_value(expr: &Expr) -> Option<f64> {
    use promql_parser::parser::token::{T_ADD, T_DIV, T_MUL, T_SUB};
    match expr {
        Expr::NumberLiteral(n) => Some(n.val),
        Expr::Paren(p) => const_value(&p.expr),
        Expr::Unary(u) => const_value(&u.expr).map(|v| -v),
        Expr::Binary(b) => {
            let (l, r) = (const_value(&b.lhs)?, const_value(&b.rhs)?);
            let v = match b.op.id() {
                T_ADD => l + r,
                T_SUB => l - r,
                T_MUL => l * r,
                T_DIV if r != 0.0 => l / r,
                _ => return None,
            };
            v.is_finite().then_some(v)
        }
        _ => None,
    }
}

/// The range of every range selector and subquery of an expression (`[5m]`, `[1h:1m]`), in
/// milliseconds, sorted.
pub(crate) fn ranges_ms(expr: &Expr) -> BTreeSet<u128> {
    let mut out = BTreeSet::new();
    walk(expr, &mut |e| match e {
        Expr::MatrixSelector(m) => {
            out.insert(m.range.as_millis());
        }
        Expr::Subquery(s) => {
            out.insert(s.range.as_millis());
        }
        _ => {}
    });
    out
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
pub(crate) fn nesting(text: &str) -> usize {
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
pub(crate) fn has_pipeline(text: &str) -> bool {
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
    fn parse_tells_templates_logql_deep_and_invalid_apart() {
        assert!(parse("up == 0").expr().is_some());
        assert!(matches!(
            parse("up{job=\"{{ .Values.job }}\"} == 0"),
            Parsed::Templated
        ));
        assert!(matches!(
            parse(r#"sum(rate({app="api"} |= "error" [5m])) > 1"#),
            Parsed::LogQl
        ));
        let deep = format!("{}x{}", "(".repeat(200), ")".repeat(200));
        assert!(matches!(parse(&deep), Parsed::TooDeep));
        match parse("sum(rate(x[5m])") {
            Parsed::Invalid(e) => assert!(!e.is_empty()),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn metric_names_cover_ranges_subqueries_and_name_matchers() {
        let e = parse(
            r#"sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))
                 / sum by (job) (rate({__name__="http_requests_total"}[5m]))
               and on (job) max_over_time(up[10m:1m]) > 0
               or absent({__name__=~"x.*"})"#,
        );
        let names: Vec<String> = metric_names(e.expr().unwrap()).into_iter().collect();
        assert_eq!(names, vec!["http_requests_total", "up"]);
    }

    #[test]
    fn walk_visits_parents_before_children() {
        let e = parse("sum(rate(x[5m])) > 1");
        let mut kinds = Vec::new();
        walk(e.expr().unwrap(), &mut |e| {
            kinds.push(match e {
                Expr::Binary(_) => "binary",
                Expr::Aggregate(_) => "aggregate",
                Expr::Call(_) => "call",
                Expr::MatrixSelector(_) => "matrix",
                Expr::NumberLiteral(_) => "number",
                _ => "other",
            })
        });
        assert_eq!(
            kinds,
            vec!["binary", "aggregate", "call", "matrix", "number"]
        );
    }

    #[test]
    fn constants_and_ranges() {
        let c = |t: &str| const_value(parse(t).expr().unwrap());
        assert_eq!(
            c("(14.4 * (1 - 0.999))").map(|v| (v * 1e6).round()),
            Some(14400.0)
        );
        assert_eq!(c("-2 / 4"), Some(-0.5));
        assert_eq!(c("1 / 0"), None);
        assert_eq!(c("x * 2"), None);
        let r = ranges_ms(parse("rate(x[5m]) / rate(y[1h:1m])").expr().unwrap());
        assert_eq!(r.into_iter().collect::<Vec<_>>(), vec![300_000, 3_600_000]);
    }
}
