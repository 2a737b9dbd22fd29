use super::promql::{self, metric_name, walk};
use super::rules::{self, Rule, RuleKind};
use golive_core::{Context, Evidence, Finding, Outcome, Table, declare_check};
use promql_parser::label::MatchOp;
use promql_parser::parser::{Expr, VectorSelector};
use std::collections::{BTreeMap, HashMap};

declare_check! {
    /// ## What it checks
    /// The alerting rules, read together, cover the four golden signals: **errors** (a rate or
    /// ratio of requests with a 5xx/gRPC error status, or `*_errors_total`-like counters),
    /// **latency** (`histogram_quantile` over a duration histogram, summary quantiles, or an
    /// average duration `_sum / _count`), **saturation** (memory or CPU against limits, CPU
    /// throttling, filesystem/PVC/memory available, queue depth and consumer lag, connection
    /// pools, file descriptors, autoscalers at their maximum) and **availability** (`up == 0`,
    /// `absent(...)`, `*_up`, `probe_success`, unavailable replicas, pods not ready or crash
    /// looping).
    ///
    /// Each alert's PromQL is classified from the series it reads; a series that is the output
    /// of a recording rule of the repository (`job:http_errors:ratio_rate5m`) is replaced by
    /// that rule's expression, recursively. One finding per signal no alert covers. The result
    /// carries a table "Alerts by golden signal" (signal, alert, severity, `for`, runbook), and
    /// the evidence names each alert's classification at its line. When no alert reads the
    /// service's own request metrics (only Kubernetes, node and monitoring-stack metrics, as in
    /// kube-prometheus), the evidence says so: the signals are then covered for the platform,
    /// not for an application. Templated (`{{`) and invalid expressions are not classified.
    ///
    /// ## Why it matters
    /// The monitoring article (002) opens its alert rules with exactly these: "High Error Rate
    /// rate > 5%", "High Latency p95 > 500ms", "Low Availability", plus memory usage against the
    /// limit; the go-live checklist (004, Monitoring) asks that the solution has alerting in
    /// place. An alerting setup that only watches pods restarting stays silent while users get
    /// errors or time out.
    ///
    /// ## How to fix
    /// Add the missing alerts, for example:
    /// ```yaml
    /// - alert: CheckoutHighLatency
    ///   expr: |
    ///     histogram_quantile(0.95, sum by (le, job) (rate(http_request_duration_seconds_bucket{job="checkout"}[5m]))) > 0.5
    ///   for: 10m
    ///   labels: {severity: warning}
    /// - alert: CheckoutHighErrorRate
    ///   expr: |
    ///     sum by (job) (rate(http_requests_total{job="checkout",code=~"5.."}[5m]))
    ///       / sum by (job) (rate(http_requests_total{job="checkout"}[5m])) > 0.05
    ///   for: 5m
    ///   labels: {severity: critical}
    /// ```
    pub struct GoldenSignals {
        id: "alerts/golden-signals",
        title: "Alerts cover errors, latency, saturation and availability",
        category: Alerting,
        level: Silver,
        severity: Warning,
        facets: [PrometheusRules],
        seeds: [
            "002: Monitoring & Alerting: alert rules for high error rate, high latency (p95), low availability and memory usage",
            "004: Production Ready Checklist, Monitoring: solution has alerting in place",
        ],
        fix: "add an alert for each missing golden signal (error ratio, latency quantile, saturation against limits, availability)",
    }
}

/// A golden signal.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Signal {
    Errors,
    Latency,
    Saturation,
    Availability,
}

impl Signal {
    const ALL: [Signal; 4] = [
        Signal::Errors,
        Signal::Latency,
        Signal::Saturation,
        Signal::Availability,
    ];

    fn name(self) -> &'static str {
        match self {
            Signal::Errors => "errors",
            Signal::Latency => "latency",
            Signal::Saturation => "saturation",
            Signal::Availability => "availability",
        }
    }

    /// What an alert for the signal looks like, for the finding.
    fn example(self) -> &'static str {
        match self {
            Signal::Errors => {
                "a ratio of 5xx responses, e.g. `sum by (job) (rate(http_requests_total{code=~\"5..\"}[5m])) / sum by (job) (rate(http_requests_total[5m])) > 0.05`"
            }
            Signal::Latency => {
                "a latency quantile, e.g. `histogram_quantile(0.95, sum by (le, job) (rate(http_request_duration_seconds_bucket[5m]))) > 0.5`"
            }
            Signal::Saturation => {
                "memory or CPU against limits, queue depth, disk space, e.g. `container_memory_working_set_bytes / on (namespace, pod, container) kube_pod_container_resource_limits{resource=\"memory\"} > 0.9`"
            }
            Signal::Availability => {
                "targets down or replicas unavailable, e.g. `up{job=\"checkout\"} == 0` or `absent(up{job=\"checkout\"})`"
            }
        }
    }
}

/// Why an expression covers a signal: the first reason per signal.
pub(crate) type Classification = BTreeMap<Signal, String>;

/// Classifies expressions, resolving recording rules' outputs to their expressions.
pub(crate) struct Classifier {
    records: HashMap<String, Vec<Expr>>,
}

/// Deepest chain of recording rules followed.
const MAX_RECORD_DEPTH: usize = 16;

impl Classifier {
    pub(crate) fn new(records: HashMap<String, Vec<Expr>>) -> Classifier {
        Classifier { records }
    }

    pub(crate) fn classify(&self, expr: &Expr) -> Classification {
        let mut out = Classification::new();
        let mut seen = Vec::new();
        self.classify_into(expr, &mut seen, "", &mut out);
        out
    }

    fn classify_into(
        &self,
        expr: &Expr,
        seen: &mut Vec<String>,
        via: &str,
        out: &mut Classification,
    ) {
        let add = |out: &mut Classification, s: Signal, why: String| {
            out.entry(s).or_insert_with(|| format!("{via}{why}"));
        };
        walk(expr, &mut |e| match e {
            Expr::Call(c) => match c.func.name {
                "absent" | "absent_over_time" => {
                    add(out, Signal::Availability, format!("`{}(...)`", c.func.name))
                }
                "histogram_quantile" => {
                    if let Some(arg) = c.args.args.get(1) {
                        let names = self.resolved_names(arg, seen);
                        if let Some(n) = names.iter().find(|n| is_duration(n)) {
                            add(
                                out,
                                Signal::Latency,
                                format!("`histogram_quantile` over `{n}`"),
                            );
                        }
                    }
                }
                _ => {}
            },
            Expr::Binary(b) if b.op.to_string() == "/" => {
                let lhs = promql::metric_names(&b.lhs);
                let rhs = promql::metric_names(&b.rhs);
                for l in &lhs {
                    if let Some(base) = l.strip_suffix("_sum")
                        && is_duration(base)
                        && rhs.contains(&format!("{base}_count"))
                    {
                        add(
                            out,
                            Signal::Latency,
                            format!("average duration `{l} / {base}_count`"),
                        );
                    }
                }
            }
            Expr::VectorSelector(v) => self.selector(v, seen, via, out),
            Expr::MatrixSelector(m) => self.selector(&m.vs, seen, via, out),
            _ => {}
        });
    }

    fn selector(
        &self,
        v: &VectorSelector,
        seen: &mut Vec<String>,
        via: &str,
        out: &mut Classification,
    ) {
        let shown = short(&v.to_string(), 90);
        let own = classify_selector(v);
        let named = !own.is_empty();
        for (s, why) in own {
            out.entry(s)
                .or_insert_with(|| format!("{via}{why} in `{shown}`"));
        }
        let Some(name) = metric_name(v) else {
            return;
        };
        // A recording rule's name that already says what it measures
        // (`namespace_cpu:kube_pod_container_resource_requests:sum`) is taken at its word; the
        // others are replaced by their expressions.
        if !named
            && let Some(exprs) = self.records.get(name)
            && !seen.iter().any(|s| s == name)
            && seen.len() < MAX_RECORD_DEPTH
        {
            seen.push(name.to_string());
            let via = format!("{via}via recording rule `{name}`: ");
            for e in exprs {
                self.classify_into(e, seen, &via, out);
            }
            seen.pop();
        }
    }

    /// The metric names an expression reads, with the names its recording rules read.
    fn resolved_names(&self, expr: &Expr, seen: &mut Vec<String>) -> Vec<String> {
        let mut out = Vec::new();
        for name in promql::metric_names(expr) {
            if let Some(exprs) = self.records.get(&name)
                && !seen.contains(&name)
                && seen.len() < MAX_RECORD_DEPTH
            {
                seen.push(name.clone());
                for e in exprs {
                    out.extend(self.resolved_names(e, seen));
                }
                seen.pop();
            }
            out.push(name);
        }
        out
    }
}

/// The text cut to `max` characters.
fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{cut}...")
}

/// The name's words (`_` and `:` separated), lower-cased.
fn tokens(name: &str) -> Vec<String> {
    name.split(['_', ':'])
        .filter(|t| !t.is_empty())
        .map(str::to_ascii_lowercase)
        .collect()
}

/// A duration metric (histogram base, bucket, summary): seconds, duration, latency.
fn is_duration(name: &str) -> bool {
    let words = tokens(name);
    // Durations that are not how long a request took: certificate lifetimes, clocks, CPU time.
    let not_latency = words.iter().any(|t| {
        matches!(
            t.as_str(),
            "expiration"
                | "expiry"
                | "ttl"
                | "timestamp"
                | "age"
                | "uptime"
                | "start"
                | "offset"
                | "cpu"
                | "io"
                | "remaining"
                | "lifetime"
        )
    });
    !not_latency
        && words.iter().any(|t| {
            matches!(
                t.as_str(),
                "seconds" | "duration" | "latency" | "milliseconds" | "ms" | "microseconds"
            )
        })
}

/// Labels that carry a response status.
fn is_status_label(label: &str) -> bool {
    let l = label.to_ascii_lowercase();
    matches!(
        l.as_str(),
        "code"
            | "status"
            | "status_code"
            | "statuscode"
            | "http_status"
            | "http_code"
            | "http_status_code"
            | "http_response_status_code"
            | "response_code"
            | "response_status"
            | "status_class"
            | "grpc_code"
            | "grpc_status"
            | "rpc_grpc_status_code"
            | "result"
            | "outcome"
    ) || l.ends_with("_status_code")
}

/// gRPC codes that are server-side errors.
const GRPC_ERRORS: &[&str] = &[
    "unknown",
    "deadlineexceeded",
    "unimplemented",
    "internal",
    "unavailable",
    "dataloss",
    "resourceexhausted",
    "aborted",
    "2",
    "4",
    "8",
    "10",
    "12",
    "13",
    "14",
    "15",
];

/// Whether a status value (a regex alternative or a literal) selects server errors.
fn is_error_status(part: &str, grpc: bool) -> bool {
    let p = part
        .trim()
        .trim_start_matches(['(', '^'])
        .trim_end_matches([')', '$'])
        .to_ascii_lowercase();
    if p.starts_with('5') && (p.len() >= 2 || p == "5") {
        return true;
    }
    if p.starts_with('[') && p.split(']').next().is_some_and(|set| set.contains('5')) {
        return true;
    }
    if p.contains("error") || p.contains("fail") || p == "5xx" {
        return true;
    }
    grpc && GRPC_ERRORS.contains(&p.as_str())
}

/// Whether a status value selects successes (what a negative matcher leaves out).
fn is_success_status(part: &str) -> bool {
    let p = part
        .trim()
        .trim_start_matches(['(', '^'])
        .trim_end_matches([')', '$'])
        .to_ascii_lowercase();
    p.starts_with('2') || p.starts_with('3') || p == "ok" || p == "0" || p == "success"
}

/// The signals one selector shows on its own (its name and matchers).
pub(crate) fn classify_selector(v: &VectorSelector) -> Vec<(Signal, String)> {
    let mut out = Vec::new();
    for m in &v.matchers.matchers {
        if !is_status_label(&m.name) {
            continue;
        }
        let grpc = m.name.to_ascii_lowercase().contains("grpc");
        let parts: Vec<&str> = m.value.split('|').collect();
        let errors = match &m.op {
            MatchOp::Equal | MatchOp::Re(_) => parts.iter().any(|p| is_error_status(p, grpc)),
            // Everything but successes (and maybe client errors): the server errors remain.
            MatchOp::NotEqual | MatchOp::NotRe(_) => {
                parts.iter().any(|p| is_success_status(p))
                    && !parts.iter().any(|p| is_error_status(p, grpc))
            }
        };
        if errors {
            out.push((Signal::Errors, format!("error status `{m}`")));
            break;
        }
    }
    let Some(name) = metric_name(v) else {
        return out;
    };
    let words = tokens(name);
    let has = |w: &str| words.iter().any(|t| t == w);
    if [
        "errors",
        "error",
        "failures",
        "failure",
        "failed",
        "exceptions",
        "errs",
    ]
    .iter()
    .any(|w| has(w))
    {
        out.push((Signal::Errors, "error series".into()));
    }
    if has("quantile") && is_duration(name) {
        out.push((Signal::Latency, "latency quantile".into()));
    } else if is_duration(name)
        && v.matchers
            .matchers
            .iter()
            .any(|m| m.name == "quantile" && matches!(m.op, MatchOp::Equal | MatchOp::Re(_)))
    {
        out.push((Signal::Latency, "summary quantile".into()));
    } else if has("latency") {
        out.push((Signal::Latency, "latency metric".into()));
    }
    if let Some(why) = saturation(name, &words) {
        out.push((Signal::Saturation, why.into()));
    }
    if let Some(why) = availability(name, &words) {
        out.push((Signal::Availability, why.into()));
    }
    out
}

fn saturation(name: &str, words: &[String]) -> Option<&'static str> {
    let has = |w: &str| words.iter().any(|t| t == w);
    const PREFIXES: &[(&str, &str)] = &[
        ("container_memory_", "container memory"),
        ("container_spec_memory_limit", "memory limit"),
        ("container_cpu_cfs_throttled", "CPU throttling"),
        ("container_cpu_usage", "container CPU"),
        ("container_fs_", "container filesystem"),
        ("node_memory_", "node memory"),
        ("node_filesystem_", "node filesystem"),
        ("node_filefd_", "file descriptors"),
        ("node_nf_conntrack", "conntrack table"),
        ("node_load", "node load"),
        ("node_cpu_seconds", "node CPU"),
        ("kubelet_volume_stats_", "PVC usage"),
        ("kube_pod_container_resource_", "resource requests/limits"),
        ("kube_node_status_allocatable", "node allocatable"),
        ("kube_node_status_capacity", "node capacity"),
        ("kube_resourcequota", "resource quota"),
        ("kube_horizontalpodautoscaler_", "autoscaler replicas"),
        ("kube_hpa_", "autoscaler replicas"),
        ("kafka_consumergroup_lag", "consumer lag"),
        ("process_open_fds", "file descriptors"),
        ("process_max_fds", "file descriptors"),
        ("process_resident_memory", "process memory"),
        ("jvm_memory_", "JVM memory"),
        ("pg_settings_max_connections", "connections"),
    ];
    let lower = name.to_ascii_lowercase();
    // Recording rules name their inputs after the level: `namespace_cpu:kube_pod_container_resource_requests:sum`.
    let metric = lower.split(':').nth(1).filter(|m| !m.is_empty());
    for (prefix, why) in PREFIXES {
        if lower.starts_with(prefix) || metric.is_some_and(|m| m.starts_with(prefix)) {
            return Some(why);
        }
    }
    if has("queue") || has("backlog") {
        return Some("queue depth");
    }
    if has("lag") {
        return Some("lag");
    }
    if has("saturation") || has("utilization") || has("utilisation") || has("throttled") {
        return Some("utilisation");
    }
    let connections = has("connections") || has("connection");
    if (has("pool") && (connections || has("threads") || has("idle") || has("active")))
        || (connections && (has("max") || has("limit")))
    {
        return Some("connection pool");
    }
    None
}

fn availability(name: &str, words: &[String]) -> Option<&'static str> {
    if name == "up" {
        return Some("`up`");
    }
    if name == "probe_success" {
        return Some("`probe_success`");
    }
    if name.ends_with("_up") && !name.contains(':') {
        return Some("exporter `_up`");
    }
    const PREFIXES: &[(&str, &str)] = &[
        ("kube_deployment_status_replicas", "deployment replicas"),
        ("kube_deployment_spec_replicas", "deployment replicas"),
        ("kube_statefulset_status_replicas", "statefulset replicas"),
        ("kube_statefulset_replicas", "statefulset replicas"),
        ("kube_daemonset_status_", "daemonset pods"),
        ("kube_pod_status_ready", "pod readiness"),
        ("kube_pod_status_phase", "pod phase"),
        (
            "kube_pod_container_status_waiting_reason",
            "container waiting (crash loop)",
        ),
        ("kube_pod_container_status_restarts", "container restarts"),
        ("kube_pod_container_status_ready", "container readiness"),
        ("kube_node_status_condition", "node condition"),
        ("kube_poddisruptionbudget_status", "healthy pods"),
        (
            "aggregator_unavailable_apiservice",
            "API service availability",
        ),
    ];
    for (prefix, why) in PREFIXES {
        if name.starts_with(prefix) {
            return Some(why);
        }
    }
    if words.iter().any(|w| w == "unavailable") {
        return Some("unavailable replicas");
    }
    None
}

/// Metric families that belong to the platform (Kubernetes, nodes, the monitoring stack), not to
/// a service's own traffic.
fn is_infrastructure(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "kube_",
        "kubelet_",
        "kubeproxy_",
        "kubernetes_",
        "node_",
        "container_",
        "apiserver_",
        "aggregator_",
        "rest_client_",
        "workqueue_",
        "scheduler_",
        "etcd_",
        "coredns_",
        "prometheus_",
        "alertmanager_",
        "grafana_",
        "reloader_",
        "process_",
        "go_",
        "probe_",
    ];
    if matches!(name, "up" | "ALERTS" | "ALERTS_FOR_STATE") {
        return true;
    }
    let metric = name.split(':').nth(1).unwrap_or(name);
    PREFIXES
        .iter()
        .any(|p| name.starts_with(p) || metric.starts_with(p))
}

/// Words of a metric about request traffic.
fn is_request_metric(name: &str) -> bool {
    tokens(name)
        .iter()
        .any(|t| matches!(t.as_str(), "http" | "grpc" | "rpc" | "request" | "requests"))
}

impl golive_core::Check for GoldenSignals {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let rules = rules::discover(cx.ws);
        if rules.alert_count() == 0 {
            return Outcome::not_applicable(rules.no_alerts_reason());
        }
        let mut records: HashMap<String, Vec<Expr>> = HashMap::new();
        let once = rules.once_per_place();
        for r in once.iter().filter(|r| r.kind == RuleKind::Record) {
            if let Some(e) = expr_text(r).map(promql::parse).and_then(|p| match p {
                promql::Parsed::Expr(e) => Some(e),
                _ => None,
            }) {
                records.entry(r.name().to_string()).or_default().push(e);
            }
        }
        let classifier = Classifier::new(records);
        let mut by_signal: BTreeMap<Signal, Vec<&Rule<'_>>> = BTreeMap::new();
        let mut evidence = Vec::new();
        let (mut read, mut unread) = (0usize, 0usize);
        let mut traffic = false;
        for alert in once.iter().filter(|r| r.kind == RuleKind::Alert) {
            let Some(expr) = expr_text(alert).map(promql::parse) else {
                unread += 1;
                continue;
            };
            let Some(expr) = expr.expr() else {
                unread += 1;
                continue;
            };
            read += 1;
            let names = classifier.resolved_names(expr, &mut Vec::new());
            traffic |= names
                .iter()
                .any(|n| is_request_metric(n) && !is_infrastructure(n));
            let classes = classifier.classify(expr);
            let what = alert.describe();
            let at = alert.location();
            if classes.is_empty() {
                evidence.push(Evidence::located(
                    &at,
                    format!("{what}: no golden signal recognised"),
                ));
                continue;
            }
            let described: Vec<String> = classes
                .iter()
                .map(|(s, why)| format!("{} ({why})", s.name()))
                .collect();
            evidence.push(Evidence::located(
                &at,
                format!("{what}: {}", described.join(", ")),
            ));
            for s in classes.keys() {
                by_signal.entry(*s).or_default().push(alert);
            }
        }
        if read == 0 {
            return Outcome::not_applicable(format!(
                "no alert expression golive can read: {unread} alerting rule(s) are templated, LogQL or not valid PromQL"
            ));
        }
        let mut table = Table::new(
            "Alerts by golden signal",
            &["signal", "alert", "severity", "for", "runbook"],
        );
        const ROWS_PER_SIGNAL: usize = 5;
        let mut findings = Vec::new();
        let infra_note = if traffic {
            ""
        } else {
            " (and none of the alerts reads the service's own request metrics: they watch the platform only)"
        };
        for s in Signal::ALL {
            let alerts = by_signal.get(&s).map(Vec::as_slice).unwrap_or_default();
            if alerts.is_empty() {
                table.row([s.name(), "—", "", "", ""]);
                findings.push(Finding::repo(format!(
                    "no alert covers {}{infra_note}: add {}",
                    s.name(),
                    s.example()
                )));
                continue;
            }
            for a in alerts.iter().take(ROWS_PER_SIGNAL) {
                table.row([
                    s.name().to_string(),
                    a.name().to_string(),
                    scalar(a.label("severity").map(|l| l.value)),
                    scalar(a.field("for").map(|(_, v)| v)),
                    scalar(
                        a.annotation("runbook_url")
                            .or_else(|| a.annotation("runbook"))
                            .map(|(_, v)| v),
                    ),
                ]);
            }
            if alerts.len() > ROWS_PER_SIGNAL {
                table.row([
                    s.name().to_string(),
                    format!("+{} more", alerts.len() - ROWS_PER_SIGNAL),
                ]);
            }
        }
        cx.table(table);
        let covered: Vec<String> = Signal::ALL
            .iter()
            .filter_map(|s| {
                by_signal
                    .get(s)
                    .map(|a| format!("{} by {} alert(s)", s.name(), a.len()))
            })
            .collect();
        let mut head = vec![Evidence::note(format!(
            "{read} alerting rule(s) classified{}; covered: {}",
            if unread > 0 {
                format!(" ({unread} templated or unparsable not read)")
            } else {
                String::new()
            },
            if covered.is_empty() {
                "none".to_string()
            } else {
                covered.join(", ")
            }
        ))];
        if !traffic {
            head.push(Evidence::note(
                "no alert reads the service's own request metrics (http/grpc/requests series outside Kubernetes, node and monitoring-stack metrics): the coverage is of the platform, not of an application",
            ));
        }
        head.extend(evidence);
        head.extend(rules.unread.notes());
        Outcome::from_findings(findings, head)
    }
}

fn expr_text<'a>(rule: &Rule<'a>) -> Option<&'a str> {
    rule.field("expr").and_then(|(_, v)| v.as_str())
}

/// A scalar node's text for the table, `—` when absent.
fn scalar(node: Option<golive_core::parse::yaml::Node<'_>>) -> String {
    match node.and_then(|n| n.is_scalar().then(|| n.as_text()).flatten()) {
        Some(t) if !t.trim().is_empty() => short(t.trim(), 160),
        _ => "—".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classify_with(records: &[(&str, &str)], expr: &str) -> Vec<Signal> {
        let mut map: HashMap<String, Vec<Expr>> = HashMap::new();
        for (name, e) in records {
            let parsed = promql::parse(e);
            map.entry(name.to_string())
                .or_default()
                .push(parsed.expr().cloned().expect("record parses"));
        }
        let parsed = promql::parse(expr);
        Classifier::new(map)
            .classify(parsed.expr().expect("parses"))
            .into_keys()
            .collect()
    }

    fn classify(expr: &str) -> Vec<Signal> {
        classify_with(&[], expr)
    }

    use Signal::*;

    #[test]
    fn errors() {
        for e in [
            r#"sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05"#,
            r#"rate(http_requests_total{status=~"5.*"}[5m]) > 1"#,
            r#"sum(rate(http_server_requests_seconds_count{status!~"2..|3.."}[5m])) > 1"#,
            r#"sum(rate(grpc_server_handled_total{grpc_code=~"Unknown|Internal|Unavailable|DeadlineExceeded"}[5m])) > 0"#,
            r#"sum(rate(grpc_server_handled_total{grpc_code!="OK"}[5m])) > 0"#,
            r#"sum(rate(grpc_server_handled_total{grpc_code!~"OK|NotFound|InvalidArgument"}[5m])) > 0"#,
            r#"rate(nginx_ingress_controller_requests{status=~"[5].."}[5m]) > 1"#,
            r#"increase(payment_failures_total[10m]) > 3"#,
            r#"rate(app_exceptions_total[5m]) > 0"#,
            r#"rate(http_requests_total{code="503"}[5m]) > 0"#,
            r#"rate(http_requests_total{code=~"^5.*$"}[5m]) > 0"#,
            r#"rate(http_requests_total{code!~"^(2..|3..)$"}[5m]) > 0"#,
        ] {
            assert_eq!(classify(e), vec![Errors], "{e}");
        }
        // 4xx are client errors; successes are not errors.
        assert!(classify(r#"rate(http_requests_total{code=~"4.."}[5m]) > 1"#).is_empty());
        assert!(classify(r#"rate(http_requests_total{code="200"}[5m]) < 1"#).is_empty());
        assert!(classify(r#"rate(http_requests_total{code!~"5.."}[5m]) < 1"#).is_empty());
    }

    #[test]
    fn latency() {
        for e in [
            r#"histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 0.5"#,
            r#"histogram_quantile(0.99, rate(http_server_requests_seconds_bucket[5m])) > 1"#,
            r#"histogram_quantile(0.9, sum(rate(rpc_latency_bucket[5m])) by (le)) > 0.2"#,
            r#"histogram_quantile(0.99, sum(rate(http_request_duration_seconds[5m]))) > 0.5"#,
            r#"http_request_duration_seconds{quantile="0.99"} > 1"#,
            r#"rate(http_request_duration_seconds_sum[5m]) / rate(http_request_duration_seconds_count[5m]) > 0.3"#,
        ] {
            assert_eq!(classify(e), vec![Latency], "{e}");
        }
        // A quantile of sizes is not latency.
        assert!(
            classify(
                r#"histogram_quantile(0.99, rate(http_response_size_bytes_bucket[5m])) > 1e6"#
            )
            .is_empty()
        );
    }

    #[test]
    fn saturation() {
        for e in [
            r#"container_memory_working_set_bytes{container="app"} / on (namespace, pod, container) kube_pod_container_resource_limits{resource="memory"} > 0.9"#,
            r#"sum(increase(container_cpu_cfs_throttled_periods_total[5m])) / sum(increase(container_cpu_cfs_periods_total[5m])) > 0.25"#,
            r#"node_filesystem_avail_bytes / node_filesystem_size_bytes < 0.1"#,
            r#"sum(kafka_consumergroup_lag{consumergroup="orders"}) > 1000"#,
            r#"rabbitmq_queue_messages_ready > 500"#,
            r#"hikaricp_connections_active / hikaricp_connections_max > 0.9"#,
            r#"kube_horizontalpodautoscaler_status_current_replicas == kube_horizontalpodautoscaler_spec_max_replicas"#,
            r#"kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes > 0.9"#,
        ] {
            assert_eq!(classify(e), vec![Saturation], "{e}");
        }
    }

    #[test]
    fn availability() {
        for e in [
            r#"up{job="checkout"} == 0"#,
            r#"absent(up{job="checkout"})"#,
            r#"absent_over_time(heartbeat_timestamp[10m])"#,
            r#"mysql_up == 0"#,
            r#"probe_success{job="blackbox"} == 0"#,
            r#"kube_deployment_status_replicas_unavailable{deployment="checkout"} > 0"#,
            r#"max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1"#,
        ] {
            assert_eq!(classify(e), vec![Availability], "{e}");
        }
        assert!(classify("vector(1)").is_empty());
    }

    #[test]
    fn recording_rules_are_resolved_recursively_and_cycles_end() {
        let records = [
            (
                "job:http_errors:ratio_rate5m",
                r#"sum by (job) (rate(http_requests_total{code=~"5.."}[5m])) / sum by (job) (rate(http_requests_total[5m]))"#,
            ),
            ("job:slo_errors:ratio", "job:http_errors:ratio_rate5m"),
            ("a:b:c", "x:y:z + 1"),
            ("x:y:z", "a:b:c * 2"),
            (
                "job:latency:p99",
                "histogram_quantile(0.99, job:http_request_bucket:rate5m)",
            ),
            (
                "job:http_request_bucket:rate5m",
                "sum by (job, le) (rate(http_request_duration_seconds_bucket[5m]))",
            ),
        ];
        assert_eq!(
            classify_with(&records, "job:slo_errors:ratio > 0.01"),
            vec![Errors]
        );
        assert!(classify_with(&records, "a:b:c > 1").is_empty());
        assert_eq!(
            classify_with(&records, "job:latency:p99 > 1"),
            vec![Latency]
        );
        assert_eq!(
            classify_with(
                &records,
                "histogram_quantile(0.99, job:http_request_bucket:rate5m) > 1"
            ),
            vec![Latency]
        );
    }

    #[test]
    fn several_signals_in_one_alert() {
        assert_eq!(
            classify(r#"up == 0 or rate(http_requests_total{code=~"5.."}[5m]) > 1"#),
            vec![Errors, Availability]
        );
    }

    #[test]
    fn infrastructure_and_traffic() {
        assert!(is_infrastructure("apiserver_request_total"));
        assert!(is_infrastructure(
            "namespace_cpu:kube_pod_container_resource_requests:sum"
        ));
        assert!(!is_infrastructure("http_requests_total"));
        assert!(is_request_metric("http_requests_total"));
        assert!(is_request_metric("job:http_requests:rate5m"));
    }
}
