use super::{promql, rules};
use crate::code::metrics::{self, Declared, MetricKind};
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};
use std::collections::BTreeSet;

declare_check! {
    /// ## What it checks
    /// Alerts read metrics the service exports: when the repository declares its metrics (in
    /// code or in an exposition sample), no alert expression names a metric of the service's
    /// namespace that is not declared.
    ///
    /// Declarations are read from the service's own code (not tests or vendored code): Go
    /// client_golang `prometheus.CounterOpts{Namespace, Subsystem, Name}` (and the other
    /// types, with `promauto` too), Python prometheus_client `Counter("name", …,
    /// namespace=…)`, Node prom-client `new client.Histogram({ name: … })`, Rust `prometheus`
    /// (`register_int_counter!`, `Opts::new`) and `metrics` (`counter!("name")`), Java
    /// Micrometer (`Counter.builder("orders.placed")` is exported as `orders_placed_total`,
    /// a Timer as `<name>_seconds_…`) and the Prometheus Java client (`Counter.build()
    /// .namespace(…).name(…)`), .NET prometheus-net (`Metrics.CreateCounter("name", …)`), and
    /// from checked-in exposition samples (`*.prom`, `metrics.txt`, text files under
    /// `testdata/` with `# TYPE` lines). Each metric's type gives the series it exports:
    /// counters `_total` and `_created`, histograms `_bucket`, `_sum`, `_count`, summaries
    /// `_sum`, `_count`.
    ///
    /// An alert's metric is reported only when it shares the service's prefix (the first
    /// word of a declared metric: `checkout_` in `checkout_orders_total`, not generic words
    /// such as `http_`), or is one or two letters away from a declared name (a typo or a wrong
    /// suffix). Never reported: recording-rule outputs defined in the repository (and any
    /// `level:metric:operation` name), metrics of well-known exporters and platforms (`up`,
    /// `ALERTS`, `kube_*`, `node_*`, `container_*`, `process_*`, `go_*`, `jvm_*`, `probe_*`,
    /// `prometheus_*`, `apiserver_*`, …). When some declaration's name is computed (`Name:
    /// name`) or code exports metrics under a prefix it chooses (`WrapRegistererWithPrefix`,
    /// `collectDefaultMetrics({ prefix })`, `defaults_prefix=`), only the near-miss case is
    /// reported. The finding is at the rule's `expr`.
    ///
    /// Not applicable when the repository declares no metric or has no alerting rule.
    ///
    /// ## Why it matters
    /// An alert on a metric nobody exports never fires: the expression returns no series, the
    /// rule evaluates cleanly, and the outage it was written for goes unnoticed. It happens
    /// with a renamed metric, a typo, or a client that adds a suffix (`_total`, `_seconds`) the
    /// author forgot. The monitoring article (002) starts at "Application exposes /metrics"
    /// and builds every alert on those series; the checklists ask for alerts on the
    /// application's own metrics (004, Monitoring: "Track application metrics").
    ///
    /// ## How to fix
    /// Alert on the name the client exports (or fix the declaration):
    /// ```go
    /// prometheus.CounterOpts{Namespace: "checkout", Name: "orders_failed_total"}
    /// ```
    /// ```yaml
    /// - alert: CheckoutOrdersFailing
    ///   expr: rate(checkout_orders_failed_total[5m]) > 0
    /// ```
    pub struct MetricsExported {
        id: "alerts/metrics-exported",
        title: "Alerts read metrics the service exports",
        category: Alerting,
        level: Gold,
        severity: Warning,
        facets: [PrometheusRules],
        seeds: [
            "002: Monitoring & Alerting: application exposes /metrics; alert rules evaluate those metrics",
            "004: Production Ready Checklist, Monitoring: track application metrics",
        ],
        fix: "alert on a metric the service exports (check the name and the suffix the client adds: `_total`, `_seconds`, `_bucket`), or declare the metric",
    }
}

/// Prefixes of metrics exported by well-known exporters, platforms and runtimes.
const WELL_KNOWN: &[&str] = &[
    "up",
    "ALERTS",
    "ALERTS_FOR_STATE",
    "scrape_",
    "kube_",
    "kubelet_",
    "kubeproxy_",
    "kubernetes_",
    "node_",
    "container_",
    "machine_",
    "cadvisor_",
    "process_",
    "go_",
    "python_",
    "nodejs_",
    "jvm_",
    "dotnet_",
    "aspnetcore_",
    "microsoft_",
    "system_",
    "tomcat_",
    "jetty_",
    "hikaricp_",
    "probe_",
    "prometheus_",
    "alertmanager_",
    "apiserver_",
    "etcd_",
    "coredns_",
    "rest_client_",
    "workqueue_",
    "storage_operation_",
    "volume_manager_",
    "scheduler_",
    "grpc_",
    "promhttp_",
    "net_conntrack_",
    "otelcol_",
    "envoy_",
    "istio_",
    "nginx_",
    "haproxy_",
    "traefik_",
    "redis_",
    "mysql_",
    "pg_",
    "mongodb_",
    "kafka_",
    "rabbitmq_",
    "elasticsearch_",
    "memcached_",
    "cortex_",
    "thanos_",
    "loki_",
    "grafana_",
    "argocd_",
    "certmanager_",
    "vector_",
];

/// First words that name no service: sharing them is no evidence of the same namespace.
const GENERIC: &[&str] = &[
    "http",
    "https",
    "grpc",
    "rpc",
    "request",
    "requests",
    "response",
    "responses",
    "db",
    "database",
    "sql",
    "cache",
    "app",
    "application",
    "api",
    "service",
    "server",
    "client",
    "web",
    "job",
    "jobs",
    "task",
    "tasks",
    "queue",
    "worker",
    "errors",
    "error",
    "latency",
    "total",
    "net",
    "system",
    "process",
    "messages",
    "events",
    "external",
];

impl golive_core::Check for MetricsExported {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let rules = rules::discover(cx.ws);
        if rules.alert_count() == 0 {
            return Outcome::not_applicable(rules.no_alerts_reason());
        }
        let declarations = metrics::declarations(cx.ws);
        if declarations.metrics.is_empty() {
            let mut reason = "no metric declarations found in the service's code (Go, Python, Node, Rust, Java, .NET Prometheus clients) or in exposition samples: nothing to compare the alerts with".to_string();
            if !declarations.unresolved.is_empty() {
                reason.push_str(&format!(
                    " ({} declaration(s) with computed names or prefixes)",
                    declarations.unresolved.len()
                ));
            }
            return Outcome::not_applicable(reason);
        }
        let exported = declarations.exported();
        let recorded: BTreeSet<&str> = rules
            .rules
            .iter()
            .filter(|r| r.kind == rules::RuleKind::Record)
            .map(|r| r.name())
            .collect();
        let prefixes: BTreeSet<&str> = declarations
            .metrics
            .iter()
            .filter_map(|d| namespace(&d.name))
            .collect();
        let exact_names_only = declarations.unresolved.is_empty();
        let mut findings = Vec::new();
        let mut checked = 0usize;
        for alert in rules.alerts() {
            let Some((_, expr)) = alert.field("expr") else {
                continue;
            };
            let Some(parsed) = expr.as_text().map(promql::parse) else {
                continue;
            };
            let Some(e) = parsed.expr() else { continue };
            let mut missing = Vec::new();
            for name in promql::metric_names(e) {
                if name.contains(':')
                    || recorded.contains(name.as_str())
                    || is_well_known(&name)
                    || exported.contains_key(&name)
                {
                    continue;
                }
                checked += 1;
                let near = exported
                    .iter()
                    .filter(|(exp, _)| near_miss(&name, exp))
                    .min_by_key(|(exp, _)| distance(&name, exp));
                if let Some((exp, d)) = near {
                    findings.push(Finding::at(
                        expr.location(&alert.file.path),
                        format!(
                            "{} reads `{name}`, which the service does not export (did you mean `{exp}`, {} at {}:{}?)",
                            alert.describe(),
                            describe_kind(d),
                            d.path,
                            d.line
                        ),
                    ));
                } else if exact_names_only
                    && let Some(prefix) = namespace(&name).filter(|p| prefixes.contains(p))
                {
                    missing.push((name.clone(), prefix.to_string()));
                }
            }
            if let Some((_, prefix)) = missing.first() {
                let same: Vec<&Declared> = declarations
                    .metrics
                    .iter()
                    .filter(|d| namespace(&d.name) == Some(prefix.as_str()))
                    .collect();
                let mut listed: Vec<String> = same
                    .iter()
                    .take(3)
                    .map(|d| format!("{} at {}:{}", d.name, d.path, d.line))
                    .collect();
                if same.len() > 3 {
                    listed.push(format!("and {} more", same.len() - 3));
                }
                let names: Vec<String> = missing.iter().map(|(n, _)| format!("`{n}`")).collect();
                findings.push(Finding::at(
                    expr.location(&alert.file.path),
                    format!(
                        "{} reads {}, which the service does not export (it declares {})",
                        alert.describe(),
                        names.join(", "),
                        listed.join(", ")
                    ),
                ));
            }
        }
        let mut evidence = vec![Evidence::note(format!(
            "{} metric(s) declared; alerts read {checked} other name(s) (not recording rules, not well-known exporters' metrics)",
            declarations.metrics.len(),
        ))];
        let mut by_place: Vec<&Declared> = declarations.metrics.iter().collect();
        by_place.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
        for d in by_place.into_iter().take(20) {
            evidence.push(Evidence::at(
                &d.path,
                d.line,
                format!("declares `{}` ({})", d.name, kind_word(d.kind)),
            ));
        }
        if declarations.metrics.len() > 20 {
            evidence.push(Evidence::note(format!(
                "and {} more declared metric(s)",
                declarations.metrics.len() - 20
            )));
        }
        if !declarations.unresolved.is_empty() {
            evidence.push(Evidence::note(format!(
                "{} declaration(s) with a computed name or prefix (first at {}:{}): only near-miss names are reported",
                declarations.unresolved.len(),
                declarations.unresolved[0].0,
                declarations.unresolved[0].1
            )));
        }
        evidence.extend(rules.unread.notes());
        Outcome::from_findings(findings, evidence)
    }
}

fn is_well_known(name: &str) -> bool {
    WELL_KNOWN.iter().any(|p| {
        if p.ends_with('_') {
            name.starts_with(p)
        } else {
            name == *p
        }
    })
}

/// The service namespace of a metric: its first word, unless generic.
fn namespace(name: &str) -> Option<&str> {
    let (first, rest) = name.split_once('_')?;
    (first.len() >= 3
        && !rest.is_empty()
        && !GENERIC.contains(&first.to_ascii_lowercase().as_str()))
    .then_some(first)
}

/// One or two edits away (one for short names).
fn near_miss(name: &str, exported: &str) -> bool {
    let limit = if name.len().min(exported.len()) < 12 {
        1
    } else {
        2
    };
    name.len().abs_diff(exported.len()) <= limit && distance(name, exported) <= limit
}

/// Levenshtein distance.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

fn kind_word(kind: MetricKind) -> &'static str {
    match kind {
        MetricKind::Counter => "counter",
        MetricKind::Gauge => "gauge",
        MetricKind::Histogram => "histogram",
        MetricKind::Summary => "summary",
        MetricKind::Timer => "timer",
        MetricKind::Unknown => "metric",
    }
}

fn describe_kind(d: &Declared) -> String {
    format!("from the {} `{}` declared", kind_word(d.kind), d.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_skip_generic_words() {
        assert_eq!(namespace("checkout_orders_total"), Some("checkout"));
        assert_eq!(namespace("http_requests_total"), None);
        assert_eq!(namespace("up"), None);
        assert_eq!(namespace("db_x"), None);
    }

    #[test]
    fn near_misses() {
        assert!(near_miss("checkout_order_total", "checkout_orders_total"));
        assert!(near_miss(
            "checkout_latency_second_bucket",
            "checkout_latency_seconds_bucket"
        ));
        assert!(!near_miss(
            "checkout_orders_total",
            "checkout_orders_failed_total"
        ));
        assert!(!near_miss("cart_sz", "cart_id"));
        assert_eq!(distance("kitten", "sitting"), 3);
    }

    #[test]
    fn well_known_metrics() {
        assert!(is_well_known("up"));
        assert!(is_well_known("kube_pod_info"));
        assert!(!is_well_known("upload_bytes_total"));
    }
}
