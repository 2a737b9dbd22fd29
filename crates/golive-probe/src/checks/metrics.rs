use crate::context::{LiveCheck, ProbeContext};
use crate::exposition::{self, DurationKind, Exposition, ROUTE_LABELS};
use golive_core::{Finding, Outcome, Table, declare_check};

declare_check! {
    /// ## What it checks
    /// `GET /metrics` (or `[probe] metrics_path`) answers 2xx with a body that parses as
    /// Prometheus text 0.0.4 or OpenMetrics 1.0, and that body has a counter of served requests
    /// (`http_requests_total`, Micrometer's `http_server_requests_seconds_count`, the
    /// OpenTelemetry exporter's...) and a request-duration **histogram**. A summary alone fails:
    /// the quantiles of a summary are computed in each process and cannot be aggregated across
    /// replicas. The evidence names the counter and histogram found, and a table lists the 10
    /// largest families by series. A route label (`path`, `uri`, `handler`...) whose values are
    /// raw ids (a path segment of digits, a UUID, a long hex string) is a finding: unbounded
    /// cardinality.
    ///
    /// ## Why it matters
    /// Without request counts and latency buckets there is no error rate, no throughput and no
    /// p95 to alert on (seed 001: Application Metrics, track request latency, error rates and
    /// throughput; 004: track application metrics; 002: Prometheus scrapes each application's
    /// `/metrics` and alerts on p95 latency). One series per user id or order id grows without
    /// bound and takes the metrics store down with it.
    ///
    /// ## How to fix
    /// Instrument the HTTP server with your client library's middleware (Go `promhttp`, Python
    /// `prometheus_client`/instrumentator, Micrometer with
    /// `management.metrics.distribution.percentiles-histogram.http.server.requests=true`, Node
    /// `prom-client`), and label by route template (`/orders/{id}`), never by the raw path.
    pub struct Metrics {
        id: "live/metrics",
        title: "/metrics exposes a request counter and a duration histogram",
        category: Live,
        level: Silver,
        severity: Warning,
        facets: [],
        seeds: ["001: Application Metrics: track request latency, error rates, throughput", "004: Track application metrics", "002: Prometheus scrapes /metrics, alert rule on p95 latency"],
        fix: "expose Prometheus metrics with a request counter and a request-duration histogram, labelled by route template",
    }
}

impl LiveCheck for Metrics {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &ProbeContext<'_>) -> Outcome {
        let path = cx
            .config()
            .metrics_path
            .clone()
            .unwrap_or_else(|| "/metrics".to_string());
        let url = cx.url(&path);
        let r = match cx.get(&path) {
            Ok(r) => r,
            Err(e) => return cx.unavailable(&e),
        };
        if r.status == 404 || r.status == 410 {
            return fail(format!(
                "no metrics endpoint at {url} (GET answers {}); set `[probe] metrics_path` if it is elsewhere",
                r.status
            ));
        }
        if r.status == 401 || r.status == 403 {
            return Outcome::not_applicable(format!(
                "GET {url} answers {}: the metrics endpoint is protected; pass credentials in `[probe] headers` to check it",
                r.status
            ));
        }
        if !(200..300).contains(&r.status) {
            return fail(format!(
                "no metrics endpoint at {url} (GET answers {}, not 2xx)",
                r.status
            ));
        }
        let text = r.body_text();
        let parsed = match exposition::parse(&text, r.header("content-type")) {
            Ok(p) => p,
            Err(e) if e.line == 0 => {
                return fail(format!(
                    "GET {url} is not Prometheus text or OpenMetrics: {}",
                    e.message
                ));
            }
            Err(e) => {
                return fail(format!(
                    "GET {url} does not parse as {}: line {}, column {}: {}",
                    format_name(r.header("content-type"), &text),
                    e.line,
                    e.column,
                    e.message
                ));
            }
        };
        cx.note(format!(
            "{url}: {} families, {} series",
            parsed.families.len(),
            parsed.total_series()
        ));
        cx.table(largest_families(&parsed));
        let mut findings = Vec::new();
        match parsed.request_counter() {
            Some(c) => cx.note(format!(
                "request counter: `{}` ({}, family {}{})",
                c.sample_name,
                c.convention,
                c.family.name,
                labels_note(&[
                    ("status", &c.status_label),
                    ("method", &c.method_label),
                    ("route", &c.route_label)
                ])
            )),
            None => findings.push(Finding::repo(format!(
                "{url} has no request counter (e.g. `http_requests_total{{code,method}}`, or the `_count` of a request-duration histogram)"
            ))),
        }
        match (parsed.duration_histogram(), parsed.request_duration()) {
            (Some(h), _) => cx.note(format!(
                "duration histogram: `{}` ({}, {} bucket{}{}{})",
                h.family.name,
                h.convention,
                h.buckets.len(),
                if h.buckets.len() == 1 { "" } else { "s" },
                h.unit.map(|u| format!(", in {u}")).unwrap_or_default(),
                labels_note(&[
                    ("status", &h.status_label),
                    ("method", &h.method_label),
                    ("route", &h.route_label)
                ])
            )),
            (None, Some(s)) if s.kind == DurationKind::Summary => {
                findings.push(Finding::repo(format!(
                    "{url}: request duration `{}` is a summary, not a histogram: the quantiles of a summary are computed per process and cannot be aggregated across replicas (no fleet-wide p95)",
                    s.family.name
                )))
            }
            _ => findings.push(Finding::repo(format!(
                "{url} has no request-duration histogram (e.g. `http_request_duration_seconds_bucket{{le}}`)"
            ))),
        }
        findings.extend(raw_id_labels(&parsed).into_iter().map(|(family, label, value)| {
            Finding::repo(format!(
                "{url}: label `{label}` of `{family}` has raw ids as values (e.g. `{value}`): one series per id, unbounded cardinality; label by the route template instead"
            ))
        }));
        Outcome::from_findings(findings, Vec::new())
    }
}

fn fail(message: String) -> Outcome {
    Outcome::from_findings(vec![Finding::repo(message)], Vec::new())
}

fn format_name(content_type: Option<&str>, text: &str) -> &'static str {
    match exposition::Format::from_content_type(content_type, text) {
        Ok(exposition::Format::OpenMetrics) => "OpenMetrics",
        _ => "Prometheus text",
    }
}

fn labels_note(labels: &[(&str, &Option<String>)]) -> String {
    let found: Vec<String> = labels
        .iter()
        .filter_map(|(what, l)| l.as_ref().map(|l| format!("{what} `{l}`")))
        .collect();
    if found.is_empty() {
        ", no status, method or route label".to_string()
    } else {
        format!(", labels: {}", found.join(", "))
    }
}

/// The 10 families with the most series.
fn largest_families(parsed: &Exposition) -> Table {
    let mut table = Table::new(
        "Largest metric families",
        &["family", "type", "series", "labels (distinct values)"],
    );
    let mut rows: Vec<_> = parsed
        .families
        .iter()
        .map(|f| (f, f.cardinality()))
        .collect();
    rows.sort_by(|a, b| {
        b.1.series
            .cmp(&a.1.series)
            .then_with(|| a.0.name.cmp(&b.0.name))
    });
    for (family, card) in rows.into_iter().take(10) {
        let labels: Vec<String> = card
            .labels
            .iter()
            .map(|(l, n)| format!("{l} ({n})"))
            .collect();
        table.row([
            family.name.clone(),
            family.metric_type.to_string(),
            card.series.to_string(),
            labels.join(", "),
        ]);
    }
    table
}

/// (family, label, example) for each route-like label with a raw id among its values.
fn raw_id_labels(parsed: &Exposition) -> Vec<(String, String, String)> {
    let mut out: Vec<(String, String, String)> = Vec::new();
    for family in &parsed.families {
        for sample in &family.samples {
            for (label, value) in &sample.labels {
                if !ROUTE_LABELS.contains(&label.as_str()) || !has_raw_id(value) {
                    continue;
                }
                if !out.iter().any(|(f, l, _)| *f == family.name && l == label) {
                    out.push((family.name.clone(), label.clone(), value.clone()));
                }
            }
        }
    }
    out
}

/// Whether a path-like value has a segment that is an id: digits, a UUID, or 16+ hex digits.
pub(crate) fn has_raw_id(value: &str) -> bool {
    let path = value.split(['?', '#']).next().unwrap_or("");
    path.split(['/', '.', ':']).any(|seg| {
        let digits = !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit());
        let hex = seg.len() >= 16 && seg.bytes().all(|b| b.is_ascii_hexdigit());
        digits || hex || is_uuid(seg)
    })
}

fn is_uuid(seg: &str) -> bool {
    let parts: Vec<&str> = seg.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::has_raw_id;

    #[test]
    fn tells_raw_ids_from_route_templates() {
        for raw in [
            "/orders/12345",
            "/users/3fa85f64-5717-4562-b3fc-2c963f66afa6/cart",
            "/blobs/9f86d081884c7d659a2feaa0c55ad015",
        ] {
            assert!(has_raw_id(raw), "{raw}");
        }
        for template in [
            "/orders/{id}",
            "/api/v2/users",
            "/orders/:id",
            "/",
            "GET /health",
            "",
        ] {
            assert!(!has_raw_id(template), "{template}");
        }
    }
}
