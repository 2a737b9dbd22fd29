//! A parser for the Prometheus text exposition format (0.0.4) and OpenMetrics 1.0 text.
//!
//! ```
//! use golive_probe::exposition::{parse, MetricType};
//!
//! let text = concat!(
//!     "# HELP http_requests_total Requests served.\n",
//!     "# TYPE http_requests_total counter\n",
//!     "http_requests_total{method=\"GET\",code=\"200\"} 1027 1395066363000\n",
//! );
//! let exp = parse(text, Some("text/plain; version=0.0.4")).unwrap();
//! let family = exp.family("http_requests_total").unwrap();
//! assert_eq!(family.metric_type, MetricType::Counter);
//! assert_eq!(family.samples[0].label("code"), Some("200"));
//! assert_eq!(family.samples[0].timestamp, Some(1395066363.0));
//! let counter = exp.request_counter().unwrap();
//! assert_eq!(counter.status_label.as_deref(), Some("code"));
//! ```
//!
//! # What is accepted
//!
//! The policy is: reject what Prometheus itself would refuse to ingest (a scrape that Prometheus
//! drops is a broken `/metrics`), accept what it tolerates even when a spec says "MUST NOT", so that
//! a failure reported from here is one a senior SRE would agree with.
//!
//! * Both formats: `# HELP`, `# TYPE`, samples `name{label="value",...} value [timestamp]`, label
//!   values with the escapes `\\`, `\"` and `\n` (any other `\x` is kept as written, as Prometheus
//!   does), `NaN`, `+Inf`, `-Inf`, blank lines, `\r\n` line ends, runs of spaces or tabs between
//!   tokens, a trailing comma in a label set, and quoted UTF-8 metric and label names
//!   (`{"my.metric","my.label"="v"} 1`).
//! * Prometheus text: other `#` lines are comments; timestamps are integer milliseconds; `# UNIT` is
//!   a comment; exemplars are an error (they exist only in OpenMetrics).
//! * OpenMetrics: `# UNIT` (must be a suffix of the family name), the types `gaugehistogram`,
//!   `stateset`, `info` and `unknown`, float timestamps in seconds, exemplars after a sample
//!   (`# {trace_id="..."} 0.5 1.6e9`), and the mandatory final `# EOF` with nothing after it.
//! * Errors in both: a second `# HELP` or `# TYPE` for one name, a `# TYPE` after samples of its
//!   family, an unknown type, a duplicate label name, a histogram bucket without a numeric `le`, a
//!   summary quantile sample without a numeric `quantile`, a value or timestamp that is not a
//!   number, and anything malformed, each with its line and column.
//!
//! Timestamps are stored in seconds for both formats (the milliseconds of Prometheus text are
//! divided by 1000).
//!
//! # Families and suffixes
//!
//! Samples are grouped into families the way Prometheus groups them: a `# TYPE foo histogram`
//! makes `foo_bucket`, `foo_sum` and `foo_count` samples of family `foo` (OpenMetrics adds
//! `foo_created`), a summary takes `foo`, `foo_sum`, `foo_count` (and `foo_created`), an
//! OpenMetrics counter `foo` takes `foo_total` and `foo_created`, a gauge histogram `foo_bucket`,
//! `foo_gcount`, `foo_gsum`, and an info `foo_info`. A sample with no `# TYPE` starts an untyped
//! (`unknown`) family of its own name. Families keep the order of their first line.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

/// Which text format a body is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Prometheus text exposition format 0.0.4 (`text/plain; version=0.0.4`).
    PrometheusText,
    /// OpenMetrics 1.0 text (`application/openmetrics-text; version=1.0.0`).
    OpenMetrics,
}

impl Format {
    /// Chooses the format from a `Content-Type` header value.
    ///
    /// `application/openmetrics-text` is OpenMetrics; `text/plain` (any version) is Prometheus
    /// text. With no header (or an empty one) the body decides: OpenMetrics when its last non-blank
    /// line is `# EOF`, Prometheus text otherwise. Any other media type (protobuf, HTML, JSON...)
    /// is an error naming it, reported at line 0.
    pub fn from_content_type(content_type: Option<&str>, body: &str) -> Result<Format, ParseError> {
        let media = content_type
            .and_then(|ct| ct.split(';').next())
            .map(|m| m.trim().to_ascii_lowercase())
            .unwrap_or_default();
        match media.as_str() {
            "application/openmetrics-text" => Ok(Format::OpenMetrics),
            "text/plain" => Ok(Format::PrometheusText),
            "" => {
                let last = body.lines().rev().map(str::trim).find(|l| !l.is_empty());
                Ok(if last == Some("# EOF") {
                    Format::OpenMetrics
                } else {
                    Format::PrometheusText
                })
            }
            other => Err(ParseError {
                line: 0,
                column: 0,
                message: format!(
                    "content type `{other}` is not a text exposition format (expected \
                     `text/plain; version=0.0.4` or `application/openmetrics-text`)"
                ),
            }),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::PrometheusText => "Prometheus text 0.0.4",
            Format::OpenMetrics => "OpenMetrics 1.0",
        })
    }
}

/// The type of a metric family, from its `# TYPE` line (`Unknown` without one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MetricType {
    Counter,
    Gauge,
    Histogram,
    /// OpenMetrics only.
    GaugeHistogram,
    Summary,
    /// OpenMetrics only.
    Info,
    /// OpenMetrics only.
    StateSet,
    /// `untyped` in Prometheus text, `unknown` in OpenMetrics, or no `# TYPE` line.
    Unknown,
}

impl MetricType {
    fn parse(word: &str, format: Format) -> Option<MetricType> {
        Some(match (word, format) {
            ("counter", _) => MetricType::Counter,
            ("gauge", _) => MetricType::Gauge,
            ("histogram", _) => MetricType::Histogram,
            ("summary", _) => MetricType::Summary,
            ("untyped", Format::PrometheusText) => MetricType::Unknown,
            ("unknown", Format::OpenMetrics) => MetricType::Unknown,
            ("gaugehistogram", Format::OpenMetrics) => MetricType::GaugeHistogram,
            ("info", Format::OpenMetrics) => MetricType::Info,
            ("stateset", Format::OpenMetrics) => MetricType::StateSet,
            _ => return None,
        })
    }

    /// The sample-name suffixes a family of this type owns in `format` (`""` is the bare name).
    fn suffixes(self, format: Format) -> &'static [&'static str] {
        match (self, format) {
            (MetricType::Histogram, Format::PrometheusText) => &["_bucket", "_sum", "_count"],
            (MetricType::Histogram, Format::OpenMetrics) => {
                &["_bucket", "_sum", "_count", "_created"]
            }
            (MetricType::Summary, Format::PrometheusText) => &["", "_sum", "_count"],
            (MetricType::Summary, Format::OpenMetrics) => &["", "_sum", "_count", "_created"],
            (MetricType::Counter, Format::OpenMetrics) => &["_total", "_created"],
            (MetricType::GaugeHistogram, _) => &["_bucket", "_gsum", "_gcount"],
            (MetricType::Info, _) => &["_info"],
            _ => &[""],
        }
    }
}

impl fmt::Display for MetricType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MetricType::Counter => "counter",
            MetricType::Gauge => "gauge",
            MetricType::Histogram => "histogram",
            MetricType::GaugeHistogram => "gaugehistogram",
            MetricType::Summary => "summary",
            MetricType::Info => "info",
            MetricType::StateSet => "stateset",
            MetricType::Unknown => "unknown",
        })
    }
}

/// A parsed exposition: its format and its metric families in order of first appearance.
#[derive(Debug, Clone, PartialEq)]
pub struct Exposition {
    pub format: Format,
    pub families: Vec<Family>,
}

/// One metric family: a name, its metadata and its samples.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// The family name (`http_requests` for an OpenMetrics counter whose samples are
    /// `http_requests_total`; `http_requests_total` in Prometheus text).
    pub name: String,
    pub metric_type: MetricType,
    /// The `# HELP` text, unescaped.
    pub help: Option<String>,
    /// The `# UNIT` (OpenMetrics only).
    pub unit: Option<String>,
    pub samples: Vec<Sample>,
    /// 1-based line of the first line (metadata or sample) of the family.
    pub line: usize,
}

/// One sample line.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// The full sample name, suffix included (`http_request_duration_seconds_bucket`).
    pub name: String,
    /// Labels in the order written.
    pub labels: Vec<(String, String)>,
    pub value: f64,
    /// Seconds since the epoch (Prometheus text milliseconds are divided by 1000).
    pub timestamp: Option<f64>,
    pub exemplar: Option<Exemplar>,
    /// 1-based line number.
    pub line: usize,
}

/// An OpenMetrics exemplar: `# {trace_id="..."} 0.5 1.6e9`.
#[derive(Debug, Clone, PartialEq)]
pub struct Exemplar {
    pub labels: Vec<(String, String)>,
    pub value: f64,
    /// Seconds since the epoch.
    pub timestamp: Option<f64>,
}

/// Why a body does not parse: 1-based line and column (in characters), and what is wrong.
/// Line 0 means the body as a whole (its content type, or a missing `# EOF` in an empty body).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

/// Parses `text`, choosing the format from `content_type` (see [`Format::from_content_type`]).
pub fn parse(text: &str, content_type: Option<&str>) -> Result<Exposition, ParseError> {
    let format = Format::from_content_type(content_type, text)?;
    parse_as(text, format)
}

/// Parses `text` in a known format.
pub fn parse_as(text: &str, format: Format) -> Result<Exposition, ParseError> {
    Parser::new(format).run(text)
}

impl Sample {
    /// The value of label `name`.
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The suffix of this sample's name after its family's name (`"_bucket"`, `"_total"`, `""`).
    pub fn suffix<'a>(&'a self, family: &Family) -> &'a str {
        self.name.strip_prefix(family.name.as_str()).unwrap_or("")
    }
}

impl Family {
    /// The samples named `family name + suffix` (`""` for the bare name).
    pub fn samples_with_suffix<'a>(&'a self, suffix: &'a str) -> impl Iterator<Item = &'a Sample> {
        self.samples
            .iter()
            .filter(move |s| s.suffix(self) == suffix)
    }

    /// Label names used by the family's samples, excluding the structural `le` and `quantile`.
    pub fn label_names(&self) -> BTreeSet<&str> {
        self.samples
            .iter()
            .flat_map(|s| s.labels.iter().map(|(k, _)| k.as_str()))
            .filter(|k| !STRUCTURAL_LABELS.contains(k))
            .collect()
    }

    /// How many series and label values this family has.
    pub fn cardinality(&self) -> Cardinality {
        let mut series = BTreeSet::new();
        let mut label_sets = BTreeSet::new();
        let mut values: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for s in &self.samples {
            let mut set: Vec<(&str, &str)> = s
                .labels
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            set.sort_unstable();
            series.insert((s.name.as_str(), set.clone()));
            set.retain(|(k, _)| !STRUCTURAL_LABELS.contains(k));
            for (k, v) in &set {
                values.entry(k).or_default().insert(v);
            }
            label_sets.insert(set);
        }
        let mut labels: Vec<(String, usize)> = values
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.len()))
            .collect();
        labels.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Cardinality {
            family: self.name.clone(),
            series: series.len(),
            label_sets: label_sets.len(),
            labels,
        }
    }
}

const STRUCTURAL_LABELS: [&str; 2] = ["le", "quantile"];

/// Label cardinality of one family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cardinality {
    pub family: String,
    /// Distinct time series: distinct (sample name, full label set) pairs, so every histogram
    /// bucket counts, as in Prometheus's storage.
    pub series: usize,
    /// Distinct label sets ignoring the sample suffix and the structural `le` / `quantile` labels
    /// (one per histogram or summary "child").
    pub label_sets: usize,
    /// Distinct values per label name (without `le` / `quantile`), most values first.
    pub labels: Vec<(String, usize)>,
}

// ---------------------------------------------------------------------------------------------
// Request counters and duration histograms
// ---------------------------------------------------------------------------------------------

/// Label names that carry the response status, most specific first.
pub const STATUS_LABELS: &[&str] = &[
    "code",
    "status",
    "status_code",
    "http_status",
    "http_status_code",
    "http_response_status_code",
    "response_code",
    "grpc_code",
];
/// Label names that carry the request method.
pub const METHOD_LABELS: &[&str] = &[
    "method",
    "http_method",
    "http_request_method",
    "verb",
    "grpc_method",
];
/// Label names that carry the route (handler, path template...).
pub const ROUTE_LABELS: &[&str] = &[
    "handler",
    "route",
    "http_route",
    "path",
    "uri",
    "endpoint",
    "url",
    "view",
    "controller",
    "grpc_service",
];

/// Where a request count comes from.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestCounter<'a> {
    pub family: &'a Family,
    /// The sample name whose value counts requests (`http_requests_total`,
    /// `http_server_requests_seconds_count`...).
    pub sample_name: String,
    /// Which convention it matched, for messages (`"Micrometer"`, `"OpenTelemetry"`...).
    pub convention: &'static str,
    pub method_label: Option<String>,
    pub status_label: Option<String>,
    pub route_label: Option<String>,
}

/// Whether a request duration is a histogram (buckets: quantiles can be aggregated) or a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DurationKind {
    Histogram,
    Summary,
}

/// A request-duration metric.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestDuration<'a> {
    pub family: &'a Family,
    pub kind: DurationKind,
    pub convention: &'static str,
    /// `"seconds"` or `"milliseconds"` from the name or `# UNIT`, `None` when neither says.
    pub unit: Option<&'static str>,
    /// Distinct finite bucket bounds (`le`), ascending (empty for a summary).
    pub buckets: Vec<f64>,
    pub method_label: Option<String>,
    pub status_label: Option<String>,
    pub route_label: Option<String>,
}

/// Naming conventions of the common client libraries, by family name.
///
/// | library | request counter | duration |
/// | --- | --- | --- |
/// | Go `promhttp` (`InstrumentHandlerCounter`/`Duration`), by convention | `http_requests_total{code,method,handler}` | `http_request_duration_seconds` histogram |
/// | Python `prometheus_client` (fastapi-instrumentator, starlette_exporter, flask exporter) | `http_requests_total`, `starlette_requests_total`, `flask_http_request_total` (+ `_created`) | `http_request_duration_seconds`, `flask_http_request_duration_seconds` |
/// | Micrometer (Spring Boot) | `http_server_requests_seconds_count{method,status,uri,outcome}` | `http_server_requests_seconds` summary, histogram with `percentiles-histogram` |
/// | Node `prom-client` + express-prom-bundle | `http_request_duration_seconds_count{method,path,status_code}` | `http_request_duration_seconds` histogram |
/// | OpenTelemetry Prometheus exporter | `http_server_request_duration_seconds_count{http_request_method,http_response_status_code,http_route}` (older: `http_server_duration_milliseconds_count`) | the same histogram |
/// | prometheus-net (.NET) | `http_requests_received_total{code,method,controller,action}` | `http_request_duration_seconds` |
/// | Ruby `prometheus-client` Rack | `http_server_requests_total{code,method,path}` | `http_server_request_duration_seconds` |
/// | go-grpc-prometheus | `grpc_server_handled_total{grpc_code,grpc_method,grpc_service}` | `grpc_server_handling_seconds` |
/// | ingress-nginx, Istio, Traefik | `nginx_ingress_controller_requests`, `istio_requests_total`, `traefik_service_requests_total` | `*_request_duration_seconds`, `istio_request_duration_milliseconds` |
///
/// `promhttp_metric_handler_requests_total` counts only scrapes of `/metrics` itself and client
/// metrics (`http_client_*`) count outgoing calls: neither is taken as a request counter.
pub const CONVENTIONS: &[(&str, &str)] = &[
    ("http_server_requests_seconds", "Micrometer"),
    ("http_server_request_duration_seconds", "OpenTelemetry"),
    (
        "http_server_duration_milliseconds",
        "OpenTelemetry (pre-1.0 semantic conventions)",
    ),
    (
        "http_server_duration_seconds",
        "OpenTelemetry (pre-1.0 semantic conventions)",
    ),
    ("http_requests_received_total", "prometheus-net"),
    ("http_server_requests_total", "Ruby prometheus-client"),
    ("grpc_server_handled_total", "go-grpc-prometheus"),
    ("grpc_server_handling_seconds", "go-grpc-prometheus"),
    ("nginx_ingress_controller_requests", "ingress-nginx"),
    ("flask_http_request_total", "prometheus-flask-exporter"),
    ("http_requests_total", "promhttp / common convention"),
    ("http_request_duration_seconds", "common convention"),
];

fn convention_of(name: &str) -> Option<&'static str> {
    let base = name.strip_suffix("_total").unwrap_or(name);
    CONVENTIONS
        .iter()
        .find(|(n, _)| *n == name || n.strip_suffix("_total") == Some(base))
        .map(|(_, c)| *c)
}

/// Counters of a subset of requests (failures, retries...), never the request counter.
fn counts_a_subset(name: &str) -> bool {
    [
        "fail",
        "error",
        "reject",
        "retr",
        "drop",
        "timeout",
        "denied",
        "abort",
        "cancel",
        "throttl",
        "limited",
        "in_flight",
        "inflight",
        "pending",
        "queue",
    ]
    .iter()
    .any(|w| name.contains(w))
}

fn excluded(name: &str) -> bool {
    name.starts_with("promhttp_metric_handler")
        || name.contains("client")
        || name.contains("scrape")
        || name.starts_with("go_")
        || name.starts_with("process_")
}

fn first_label(family: &Family, candidates: &[&str]) -> Option<String> {
    let names = family.label_names();
    candidates
        .iter()
        .find(|c| names.contains(**c))
        .map(|c| (*c).to_string())
}

fn looks_like_duration(name: &str) -> bool {
    let timed = name.ends_with("_seconds") || name.ends_with("_milliseconds");
    let about_requests = name.contains("request")
        || name.contains("http")
        || name.contains("handling")
        || name.contains("rpc");
    (timed || name.contains("duration") || name.contains("latency")) && about_requests
}

fn looks_like_request_counter(name: &str) -> bool {
    if counts_a_subset(name) {
        return false;
    }
    let base = name.strip_suffix("_total").unwrap_or(name);
    base.ends_with("requests")
        || base.ends_with("request")
        || base.ends_with("requests_received")
        || base.ends_with("requests_count")
        || base.ends_with("handled")
}

impl Exposition {
    /// The family named `name` (the family name, not a suffixed sample name).
    pub fn family(&self, name: &str) -> Option<&Family> {
        self.families.iter().find(|f| f.name == name)
    }

    /// The family owning sample name `sample` (`foo_bucket` -> histogram `foo`).
    pub fn family_of_sample(&self, sample: &str) -> Option<&Family> {
        self.families
            .iter()
            .find(|f| f.samples.iter().any(|s| s.name == sample))
    }

    /// Cardinality of every family, in family order.
    pub fn cardinality(&self) -> Vec<Cardinality> {
        self.families.iter().map(Family::cardinality).collect()
    }

    /// Distinct series in the whole exposition (what one scrape adds to Prometheus).
    pub fn total_series(&self) -> usize {
        self.families.iter().map(|f| f.cardinality().series).sum()
    }

    /// The best request counter: a counter named like `*_requests_total` (or `*_request_total`,
    /// `*_requests_received_total`, `*_requests_count`, `*_handled_total`, ingress-nginx's
    /// `*_requests`), or the `_count` of a request-duration histogram or summary (Micrometer,
    /// OpenTelemetry, prom-client). Candidates with a status label, then a method label, then a
    /// known convention win. See [`CONVENTIONS`].
    pub fn request_counter(&self) -> Option<RequestCounter<'_>> {
        let mut best: Option<(u32, RequestCounter<'_>)> = None;
        for family in &self.families {
            if excluded(&family.name) || family.samples.is_empty() {
                continue;
            }
            let candidate = match family.metric_type {
                MetricType::Counter | MetricType::Unknown => {
                    // The counting sample: `foo_total` of an OpenMetrics counter `foo`, the
                    // family's own name otherwise (never its `_created`).
                    let sample_name = family
                        .samples
                        .iter()
                        .map(|s| s.name.as_str())
                        .find(|n| !n.ends_with("_created"))
                        .map(str::to_string);
                    match sample_name {
                        Some(n) if looks_like_request_counter(&n) => Some(n),
                        _ => None,
                    }
                }
                MetricType::Histogram | MetricType::Summary
                    if looks_like_duration(&family.name)
                        && family.samples_with_suffix("_count").next().is_some() =>
                {
                    Some(format!("{}_count", family.name))
                }
                _ => None,
            };
            let Some(sample_name) = candidate else {
                continue;
            };
            let convention = convention_of(&family.name)
                .or_else(|| convention_of(&sample_name))
                .unwrap_or("generic");
            let rc = RequestCounter {
                family,
                sample_name,
                convention,
                method_label: first_label(family, METHOD_LABELS),
                status_label: first_label(family, STATUS_LABELS),
                route_label: first_label(family, ROUTE_LABELS),
            };
            // Requests of what? Without a status or method label, a known convention, a name
            // about serving, or no labels at all (one plain application counter),
            // `node_disk_flush_requests_total{device}` would qualify.
            let serving = rc.status_label.is_some()
                || rc.method_label.is_some()
                || convention != "generic"
                || ["http", "grpc", "rpc", "server", "api"]
                    .iter()
                    .any(|w| family.name.contains(w))
                || (family.label_names().is_empty() && !family.name.starts_with("node_"));
            if !serving {
                continue;
            }
            let dedicated = matches!(family.metric_type, MetricType::Counter);
            let score = u32::from(rc.status_label.is_some()) * 8
                + u32::from(rc.method_label.is_some()) * 4
                + u32::from(dedicated) * 2
                + u32::from(convention != "generic");
            if best.as_ref().is_none_or(|(b, _)| score > *b) {
                best = Some((score, rc));
            }
        }
        best.map(|(_, rc)| rc)
    }

    /// The best request-duration metric: histograms before summaries, then a status label, a
    /// method label, a known convention. Named like `*_request_duration_seconds`,
    /// `http_server_requests_seconds`, `*_latency_*`, `grpc_server_handling_seconds`...
    pub fn request_duration(&self) -> Option<RequestDuration<'_>> {
        let mut best: Option<(u32, RequestDuration<'_>)> = None;
        for family in &self.families {
            if excluded(&family.name) || !looks_like_duration(&family.name) {
                continue;
            }
            let kind = match family.metric_type {
                MetricType::Histogram => DurationKind::Histogram,
                MetricType::Summary => DurationKind::Summary,
                _ => continue,
            };
            let unit =
                if family.name.ends_with("_seconds") || family.unit.as_deref() == Some("seconds") {
                    Some("seconds")
                } else if family.name.ends_with("_milliseconds")
                    || family.unit.as_deref() == Some("milliseconds")
                {
                    Some("milliseconds")
                } else {
                    None
                };
            let mut buckets: Vec<f64> = family
                .samples_with_suffix("_bucket")
                .filter_map(|s| s.label("le").and_then(parse_float))
                .filter(|b| b.is_finite())
                .collect();
            buckets.sort_by(f64::total_cmp);
            buckets.dedup();
            let rd = RequestDuration {
                family,
                kind,
                convention: convention_of(&family.name).unwrap_or("generic"),
                unit,
                buckets,
                method_label: first_label(family, METHOD_LABELS),
                status_label: first_label(family, STATUS_LABELS),
                route_label: first_label(family, ROUTE_LABELS),
            };
            let score = u32::from(kind == DurationKind::Histogram) * 8
                + u32::from(rd.status_label.is_some()) * 4
                + u32::from(rd.method_label.is_some()) * 2
                + u32::from(rd.convention != "generic");
            if best.as_ref().is_none_or(|(b, _)| score > *b) {
                best = Some((score, rd));
            }
        }
        best.map(|(_, rd)| rd)
    }

    /// The best request-duration histogram ([`Exposition::request_duration`] when it is a
    /// histogram). `None` while a summary is the only duration: summaries cannot be aggregated
    /// across instances, which is worth saying in a finding.
    pub fn duration_histogram(&self) -> Option<RequestDuration<'_>> {
        self.request_duration()
            .filter(|d| d.kind == DurationKind::Histogram)
    }
}

// ---------------------------------------------------------------------------------------------
// The parser
// ---------------------------------------------------------------------------------------------

struct Parser {
    format: Format,
    families: Vec<Family>,
    by_name: HashMap<String, usize>,
    current: Option<usize>,
    /// Names that already had a HELP / TYPE / UNIT line.
    seen_help: HashMap<String, usize>,
    seen_type: HashMap<String, usize>,
    seen_unit: HashMap<String, usize>,
}

fn parse_float(s: &str) -> Option<f64> {
    // Rust's parser takes the decimal forms Go's ParseFloat takes (`1e3`, `.5`, `5.`, `+5`,
    // `NaN`, `+Inf`, `-inf`, `Infinity`, any case). Go's hexadecimal floats are refused: no
    // client library writes them.
    if s.is_empty() || s.contains('_') {
        return None;
    }
    s.parse::<f64>().ok()
}

fn is_name_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == ':'
}
fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == ':'
}

/// A cursor over one line.
struct Line<'a> {
    text: &'a str,
    pos: usize,
    number: usize,
}

impl<'a> Line<'a> {
    fn column_at(&self, byte: usize) -> usize {
        self.text
            .get(..byte.min(self.text.len()))
            .map_or(byte, |s| s.chars().count())
            + 1
    }

    fn err_at(&self, byte: usize, message: impl Into<String>) -> ParseError {
        ParseError {
            line: self.number,
            column: self.column_at(byte),
            message: message.into(),
        }
    }

    fn err(&self, message: impl Into<String>) -> ParseError {
        self.err_at(self.pos, message)
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or("")
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn at_end(&self) -> bool {
        self.pos >= self.text.len()
    }

    /// Skips spaces and tabs; returns how many.
    fn skip_blank(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.pos += 1;
        }
        self.pos - start
    }

    /// A run of non-blank characters.
    fn token(&mut self) -> &'a str {
        let start = self.pos;
        while let Some(c) = self.peek() {
            if c == ' ' || c == '\t' {
                break;
            }
            self.pos += c.len_utf8();
        }
        self.text.get(start..self.pos).unwrap_or("")
    }

    fn name(&mut self, what: &str) -> Result<&'a str, ParseError> {
        let start = self.pos;
        match self.peek() {
            Some(c) if is_name_start(c) => {}
            Some(c) => return Err(self.err(format!("expected {what}, found `{c}`"))),
            None => return Err(self.err(format!("expected {what}, found end of line"))),
        }
        while matches!(self.peek(), Some(c) if is_name_char(c)) {
            self.pos += 1;
        }
        Ok(self.text.get(start..self.pos).unwrap_or(""))
    }

    /// A quoted string with `\\`, `\"` and `\n` escapes; the cursor is on the opening quote.
    fn quoted(&mut self) -> Result<String, ParseError> {
        let open = self.pos;
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(self.err_at(open, "unterminated quoted string")),
                Some('"') => return Ok(out),
                Some('\\') => match self.bump() {
                    Some('n') => out.push('\n'),
                    Some('\\') => out.push('\\'),
                    Some('"') => out.push('"'),
                    // Prometheus keeps unknown escapes as written.
                    Some(other) => {
                        out.push('\\');
                        out.push(other);
                    }
                    None => return Err(self.err_at(open, "unterminated quoted string")),
                },
                Some(c) => out.push(c),
            }
        }
    }

    /// `{name="value", ...}`; the cursor is on `{`. A first quoted item without `=` is a quoted
    /// metric name, returned separately.
    #[allow(clippy::type_complexity)]
    fn label_set(
        &mut self,
        allow_name: bool,
    ) -> Result<(Option<String>, Vec<(String, String)>), ParseError> {
        self.bump();
        let mut labels: Vec<(String, String)> = Vec::new();
        let mut metric_name = None;
        loop {
            self.skip_blank();
            let item_start = self.pos;
            let key = match self.peek() {
                Some('}') => {
                    self.bump();
                    return Ok((metric_name, labels));
                }
                Some('"') => self.quoted()?,
                Some(_) => self.name("a label name")?.to_string(),
                None => return Err(self.err("unterminated label set: expected `}`")),
            };
            self.skip_blank();
            if self.peek() != Some('=') {
                let quoted = self
                    .text
                    .get(item_start..)
                    .is_some_and(|s| s.starts_with('"'));
                if allow_name && quoted && labels.is_empty() && metric_name.is_none() {
                    metric_name = Some(key);
                    self.skip_blank();
                    match self.peek() {
                        Some(',') => {
                            self.bump();
                        }
                        Some('}') => {}
                        _ => return Err(self.err("expected `,` or `}` after the metric name")),
                    }
                    continue;
                }
                return Err(self.err(format!("expected `=` after label name `{key}`")));
            }
            self.bump();
            self.skip_blank();
            if self.peek() != Some('"') {
                return Err(self.err(format!("expected a quoted value for label `{key}`")));
            }
            let value = self.quoted()?;
            if labels.iter().any(|(k, _)| *k == key) {
                return Err(self.err_at(item_start, format!("duplicate label name `{key}`")));
            }
            labels.push((key, value));
            self.skip_blank();
            match self.peek() {
                Some(',') => {
                    self.bump();
                }
                Some('}') => {}
                Some(c) => {
                    return Err(self.err(format!("expected `,` or `}}` in label set, found `{c}`")));
                }
                None => return Err(self.err("unterminated label set: expected `}`")),
            }
        }
    }
}

impl Parser {
    fn new(format: Format) -> Parser {
        Parser {
            format,
            families: Vec::new(),
            by_name: HashMap::new(),
            current: None,
            seen_help: HashMap::new(),
            seen_type: HashMap::new(),
            seen_unit: HashMap::new(),
        }
    }

    fn run(mut self, text: &str) -> Result<Exposition, ParseError> {
        let mut eof_line = None;
        let mut last_line = 0;
        for (i, raw) in text.split('\n').enumerate() {
            let number = i + 1;
            let line = raw.strip_suffix('\r').unwrap_or(raw);
            if let Some(eof) = eof_line {
                if !line.trim().is_empty() {
                    return Err(ParseError {
                        line: number,
                        column: 1,
                        message: format!("content after `# EOF` (line {eof})"),
                    });
                }
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            last_line = number;
            let mut cur = Line {
                text: line,
                pos: 0,
                number,
            };
            cur.skip_blank();
            if cur.peek() == Some('#') {
                if self.comment(&mut cur)? {
                    eof_line = Some(number);
                }
            } else {
                self.sample(&mut cur)?;
            }
        }
        if self.format == Format::OpenMetrics && eof_line.is_none() {
            return Err(ParseError {
                line: last_line + usize::from(last_line > 0),
                column: 1,
                message: "OpenMetrics body does not end with `# EOF` (truncated response?)"
                    .to_string(),
            });
        }
        Ok(Exposition {
            format: self.format,
            families: self.families,
        })
    }

    /// Handles a `#` line; returns true on `# EOF` (OpenMetrics).
    fn comment(&mut self, cur: &mut Line<'_>) -> Result<bool, ParseError> {
        cur.bump();
        cur.skip_blank();
        let keyword_at = cur.pos;
        let keyword = cur.token();
        let om = self.format == Format::OpenMetrics;
        match keyword {
            "EOF" if om => {
                cur.skip_blank();
                if !cur.at_end() {
                    return Err(cur.err("unexpected text after `# EOF`"));
                }
                Ok(true)
            }
            "HELP" | "TYPE" => {
                self.metadata(cur, keyword, keyword_at)?;
                Ok(false)
            }
            "UNIT" if om => {
                self.metadata(cur, keyword, keyword_at)?;
                Ok(false)
            }
            _ => Ok(false),
        }
    }

    fn metadata(
        &mut self,
        cur: &mut Line<'_>,
        keyword: &str,
        keyword_at: usize,
    ) -> Result<(), ParseError> {
        if cur.skip_blank() == 0 {
            return Err(cur.err(format!("expected a metric name after `# {keyword}`")));
        }
        let name = if cur.peek() == Some('"') {
            cur.quoted()?
        } else {
            cur.name("a metric name")?.to_string()
        };
        if !cur.at_end() && cur.skip_blank() == 0 {
            return Err(cur.err(format!("unexpected character after metric name `{name}`")));
        }
        let rest_at = cur.pos;
        let rest = cur.rest();
        match keyword {
            "HELP" => {
                if let Some(first) = self.seen_help.insert(name.clone(), cur.number) {
                    return Err(cur.err_at(
                        keyword_at,
                        format!("second HELP line for `{name}` (first on line {first})"),
                    ));
                }
                let help = unescape_help(rest);
                let idx = self.family_for_metadata(&name, cur.number);
                if let Some(f) = self.families.get_mut(idx) {
                    f.help = Some(help);
                }
            }
            "TYPE" => {
                let word = rest.trim_end();
                let Some(t) = MetricType::parse(word, self.format) else {
                    return Err(cur.err_at(
                        rest_at,
                        format!(
                            "unknown metric type `{word}` for `{name}` in {}",
                            self.format
                        ),
                    ));
                };
                if let Some(first) = self.seen_type.insert(name.clone(), cur.number) {
                    return Err(cur.err_at(
                        keyword_at,
                        format!("second TYPE line for `{name}` (first on line {first})"),
                    ));
                }
                let idx = self.family_for_metadata(&name, cur.number);
                if let Some(f) = self.families.get_mut(idx) {
                    if let Some(s) = f.samples.first() {
                        return Err(cur.err_at(
                            keyword_at,
                            format!("TYPE line for `{name}` after its samples (line {})", s.line),
                        ));
                    }
                    f.metric_type = t;
                }
            }
            _ => {
                let unit = rest.trim_end().to_string();
                if let Some(first) = self.seen_unit.insert(name.clone(), cur.number) {
                    return Err(cur.err_at(
                        keyword_at,
                        format!("second UNIT line for `{name}` (first on line {first})"),
                    ));
                }
                if !unit.is_empty() && !name.ends_with(&format!("_{unit}")) {
                    return Err(cur.err_at(
                        rest_at,
                        format!("unit `{unit}` is not a suffix of the family name `{name}`"),
                    ));
                }
                let idx = self.family_for_metadata(&name, cur.number);
                if let Some(f) = self.families.get_mut(idx) {
                    f.unit = (!unit.is_empty()).then_some(unit);
                }
            }
        }
        Ok(())
    }

    fn family_for_metadata(&mut self, name: &str, line: usize) -> usize {
        let idx = match self.by_name.get(name) {
            Some(&i) => i,
            None => self.new_family(name, MetricType::Unknown, line),
        };
        self.current = Some(idx);
        idx
    }

    fn new_family(&mut self, name: &str, t: MetricType, line: usize) -> usize {
        self.families.push(Family {
            name: name.to_string(),
            metric_type: t,
            help: None,
            unit: None,
            samples: Vec::new(),
            line,
        });
        let idx = self.families.len() - 1;
        self.by_name.insert(name.to_string(), idx);
        idx
    }

    /// Whether family `idx` owns sample `name`, and with which suffix.
    fn owns<'n>(&self, idx: usize, name: &'n str) -> Option<&'n str> {
        let f = self.families.get(idx)?;
        let suffix = name.strip_prefix(f.name.as_str())?;
        let suffixes = f.metric_type.suffixes(self.format);
        if suffixes.contains(&suffix) {
            return Some(suffix);
        }
        // An OpenMetrics counter declared with its `_total` name (`# TYPE foo_total counter`):
        // Prometheus accepts it.
        if suffix.is_empty() && f.metric_type == MetricType::Counter && f.name.ends_with("_total") {
            return Some(suffix);
        }
        None
    }

    fn resolve(&mut self, name: &str, line: usize) -> (usize, &'static str) {
        if let Some(c) = self.current
            && let Some(s) = self.owns(c, name)
        {
            return (c, suffix_static(s));
        }
        if let Some(&i) = self.by_name.get(name)
            && let Some(s) = self.owns(i, name)
        {
            return (i, suffix_static(s));
        }
        for suffix in [
            "_bucket", "_sum", "_count", "_total", "_created", "_gsum", "_gcount", "_info",
        ] {
            if let Some(base) = name.strip_suffix(suffix)
                && let Some(&i) = self.by_name.get(base)
                && self.owns(i, name).is_some()
            {
                return (i, suffix);
            }
        }
        // A sample with no TYPE of its own: an untyped family of its own name. If a typed family
        // of that exact name exists but does not own the bare name (an OpenMetrics counter
        // written without `_total`), the caller reports it.
        if let Some(&i) = self.by_name.get(name) {
            return (i, "");
        }
        (self.new_family(name, MetricType::Unknown, line), "")
    }

    fn sample(&mut self, cur: &mut Line<'_>) -> Result<(), ParseError> {
        let name_at = cur.pos;
        let mut name = if cur.peek() == Some('{') {
            None
        } else {
            Some(cur.name("a metric name")?.to_string())
        };
        let mut blank = cur.skip_blank();
        let mut labels = Vec::new();
        let mut had_labels = false;
        if cur.peek() == Some('{') {
            let (quoted_name, l) = cur.label_set(name.is_none())?;
            if quoted_name.is_some() {
                name = quoted_name;
            }
            labels = l;
            had_labels = true;
            blank = 0;
        }
        let Some(name) = name else {
            return Err(cur.err_at(name_at, "sample without a metric name"));
        };
        blank += cur.skip_blank();
        if blank == 0 && !had_labels && !cur.at_end() {
            return Err(cur.err(format!(
                "expected a space before the value of `{name}`, found `{}`",
                cur.peek().unwrap_or(' ')
            )));
        }
        let value_at = cur.pos;
        let value_text = cur.token();
        if value_text.is_empty() {
            return Err(cur.err(format!("missing value for `{name}`")));
        }
        let Some(value) = parse_float(value_text) else {
            return Err(cur.err_at(
                value_at,
                format!("invalid value `{value_text}` for `{name}`"),
            ));
        };
        cur.skip_blank();
        let mut timestamp = None;
        if !cur.at_end() && cur.peek() != Some('#') {
            timestamp = Some(self.timestamp(cur, &name)?);
            cur.skip_blank();
        }
        let mut exemplar = None;
        if cur.peek() == Some('#') {
            if self.format != Format::OpenMetrics {
                return Err(cur.err(
                    "exemplars (`# {...}` after a sample) are only allowed in OpenMetrics, \
                     not in Prometheus text",
                ));
            }
            exemplar = Some(self.exemplar(cur)?);
        }
        cur.skip_blank();
        if !cur.at_end() {
            return Err(cur.err(format!("unexpected text after the sample `{name}`")));
        }

        let (idx, suffix) = self.resolve(&name, cur.number);
        let format = self.format;
        let Some(family) = self.families.get_mut(idx) else {
            return Err(cur.err_at(name_at, "internal error: family index"));
        };
        let t = family.metric_type;
        let owned = t.suffixes(format).contains(&suffix)
            || (t == MetricType::Counter && family.name.ends_with("_total"));
        if !owned {
            return Err(cur.err_at(
                name_at,
                format!(
                    "sample `{name}` does not fit the {t} family `{}` (expected one of: {})",
                    family.name,
                    t.suffixes(format)
                        .iter()
                        .map(|s| format!("`{}{s}`", family.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
        let needs = match (t, suffix) {
            (MetricType::Histogram | MetricType::GaugeHistogram, "_bucket") => Some("le"),
            (MetricType::Summary, "") => Some("quantile"),
            _ => None,
        };
        if let Some(label) = needs {
            match labels.iter().find(|(k, _)| k == label) {
                None => {
                    return Err(cur.err_at(
                        name_at,
                        format!("`{name}` has no `{label}` label ({t} `{}`)", family.name),
                    ));
                }
                Some((_, v)) if parse_float(v).is_none() => {
                    return Err(cur.err_at(
                        name_at,
                        format!("`{name}` has a non-numeric `{label}` label `{v}`"),
                    ));
                }
                Some(_) => {}
            }
        }
        family.samples.push(Sample {
            name,
            labels,
            value,
            timestamp,
            exemplar,
            line: cur.number,
        });
        self.current = Some(idx);
        Ok(())
    }

    fn timestamp(&self, cur: &mut Line<'_>, name: &str) -> Result<f64, ParseError> {
        let at = cur.pos;
        let text = cur.token();
        match self.format {
            Format::PrometheusText => {
                text.parse::<i64>()
                    .map(|ms| ms as f64 / 1000.0)
                    .map_err(|_| {
                        cur.err_at(
                            at,
                            format!(
                                "invalid timestamp `{text}` for `{name}` (Prometheus text \
                             timestamps are integer milliseconds)"
                            ),
                        )
                    })
            }
            Format::OpenMetrics => parse_float(text)
                .filter(|t| t.is_finite())
                .ok_or_else(|| cur.err_at(at, format!("invalid timestamp `{text}` for `{name}`"))),
        }
    }

    fn exemplar(&self, cur: &mut Line<'_>) -> Result<Exemplar, ParseError> {
        cur.bump();
        if cur.skip_blank() == 0 && cur.peek() != Some('{') {
            return Err(cur.err("expected ` {` to start an exemplar"));
        }
        if cur.peek() != Some('{') {
            return Err(cur.err("expected `{` to start the exemplar's labels"));
        }
        let (_, labels) = cur.label_set(false)?;
        cur.skip_blank();
        let at = cur.pos;
        let text = cur.token();
        let value = parse_float(text)
            .ok_or_else(|| cur.err_at(at, format!("invalid exemplar value `{text}`")))?;
        cur.skip_blank();
        let mut timestamp = None;
        if !cur.at_end() {
            let at = cur.pos;
            let text = cur.token();
            timestamp =
                Some(parse_float(text).filter(|t| t.is_finite()).ok_or_else(|| {
                    cur.err_at(at, format!("invalid exemplar timestamp `{text}`"))
                })?);
        }
        Ok(Exemplar {
            labels,
            value,
            timestamp,
        })
    }
}

fn suffix_static(s: &str) -> &'static str {
    const ALL: [&str; 9] = [
        "", "_bucket", "_sum", "_count", "_total", "_created", "_gsum", "_gcount", "_info",
    ];
    ALL.iter().find(|a| **a == s).copied().unwrap_or("")
}

/// HELP text: `\\` and `\n` (and `\"`, OpenMetrics) are escapes; anything else is kept.
fn unescape_help(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some(other) => {
                out.push('\\');
                out.push(other);
            }
            None => out.push('\\'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_unescapes_known_sequences_and_keeps_others() {
        assert_eq!(unescape_help(r#"a\\b\nc \x \"q\""#), "a\\b\nc \\x \"q\"");
        assert_eq!(unescape_help("trailing\\"), "trailing\\");
    }

    #[test]
    fn floats_like_go() {
        for (s, v) in [
            ("1e3", 1000.0),
            ("+Inf", f64::INFINITY),
            ("-Inf", f64::NEG_INFINITY),
            (".5", 0.5),
        ] {
            assert_eq!(parse_float(s), Some(v), "{s}");
        }
        assert!(parse_float("NaN").is_some_and(f64::is_nan));
        assert_eq!(parse_float("1_000"), None);
        assert_eq!(parse_float(""), None);
        assert_eq!(parse_float("abc"), None);
    }

    #[test]
    fn content_type_selection() {
        let f = |ct: Option<&str>, body: &str| Format::from_content_type(ct, body);
        assert_eq!(
            f(
                Some("application/openmetrics-text; version=1.0.0; charset=utf-8"),
                ""
            ),
            Ok(Format::OpenMetrics)
        );
        assert_eq!(
            f(Some("text/plain; version=0.0.4; charset=utf-8"), ""),
            Ok(Format::PrometheusText)
        );
        assert_eq!(f(Some("Text/Plain"), ""), Ok(Format::PrometheusText));
        assert_eq!(f(None, "a 1\n# EOF\n"), Ok(Format::OpenMetrics));
        assert_eq!(f(Some(""), "a 1\n"), Ok(Format::PrometheusText));
        let err = f(Some("text/html; charset=utf-8"), "<html>").unwrap_err();
        assert_eq!(err.line, 0);
        assert!(err.message.contains("text/html"), "{err}");
        assert!(
            f(
                Some("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily"),
                ""
            )
            .is_err()
        );
    }

    #[test]
    fn columns_count_characters() {
        let err = parse_as("a{x=\"é\"} zz\n", Format::PrometheusText).unwrap_err();
        assert_eq!((err.line, err.column), (1, 10), "{err}");
    }
}
