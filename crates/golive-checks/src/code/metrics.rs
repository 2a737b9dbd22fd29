//! The Prometheus metrics a repository's own code declares, read from the client libraries'
//! declaration calls, and from checked-in exposition samples (`# TYPE` lines): the names the
//! service exports, with the suffixes each metric type adds.
//!
//! Read, in application code only (not tests or vendored code, see [`super::application_lang`]):
//!
//! - Go client_golang: `prometheus.CounterOpts{Namespace, Subsystem, Name}` (and Gauge,
//!   Histogram, Summary opts), whatever constructor (`prometheus.New…`, `promauto.New…`) gets
//!   them; string constants of the same file are resolved;
//! - Python prometheus_client: `Counter("name", …, namespace=…, subsystem=…)` and the other
//!   types, in files that import `prometheus_client`;
//! - Node prom-client: `new client.Histogram({ name: … })`, in files that mention `prom-client`;
//! - Rust: `prometheus` (`register_int_counter!("name", …)`, `Opts::new("name", …)`,
//!   `HistogramOpts::new`) and `metrics` (`counter!("name")`, `describe_histogram!`);
//! - Java/Kotlin: Micrometer (`Counter.builder("orders.placed")`, `registry.timer("x")`: dots
//!   become underscores, counters get `_total`, timers `_seconds`) and the Prometheus Java
//!   client (`Counter.build("name", …)`, `Counter.build().name("name")`, `Counter.builder().name(…)`
//!   with `.namespace(…)` / `.subsystem(…)`);
//! - .NET prometheus-net: `Metrics.CreateCounter("name", …)` and the other types.
//!
//! A name that is computed rather than written (`Name: name`, `Counter(f"{prefix}_x")`), and
//! code that exports metrics under a prefix it chooses (`WrapRegistererWithPrefix`,
//! prometheus-flask-exporter's `defaults_prefix=`, prometheus-fastapi-instrumentator's
//! `metric_namespace=`, prom-client's `collectDefaultMetrics({ prefix })`, express-prom-bundle)
//! is counted as unresolved: checks must then not conclude that a metric is missing.

use super::application_lang;
use golive_core::SourceFile;
use golive_core::workspace::{Lang, Workspace};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// A metric's type, as far as the suffixes it exports go.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum MetricKind {
    Counter,
    Gauge,
    Histogram,
    Summary,
    /// Micrometer Timer (named `<name>_seconds`): histogram suffixes and `_max`.
    Timer,
    /// Type not known (generic `Opts`, untyped samples): any suffix accepted.
    Unknown,
}

/// One declared metric.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Declared {
    /// The name as the client writes it to `/metrics`, before type suffixes.
    pub name: String,
    pub kind: MetricKind,
    pub path: String,
    pub line: u32,
}

impl Declared {
    /// Every series name this metric exports.
    pub(crate) fn exported(&self) -> Vec<String> {
        let base = self.name.as_str();
        let mut out = vec![base.to_string()];
        let with = |suffixes: &[&str], out: &mut Vec<String>| {
            for s in suffixes {
                out.push(format!("{base}{s}"));
            }
        };
        match self.kind {
            MetricKind::Counter => {
                // Clients differ on adding `_total`: both spellings are exported by someone.
                let stem = base.strip_suffix("_total").unwrap_or(base);
                for s in ["", "_total", "_created"] {
                    out.push(format!("{stem}{s}"));
                }
            }
            MetricKind::Gauge => {}
            MetricKind::Histogram => with(&["_bucket", "_sum", "_count", "_created"], &mut out),
            MetricKind::Summary => with(&["_sum", "_count", "_created"], &mut out),
            MetricKind::Timer => {
                with(&["_bucket", "_sum", "_count", "_max"], &mut out);
            }
            MetricKind::Unknown => with(
                &[
                    "_total", "_created", "_bucket", "_sum", "_count", "_max", "_info",
                ],
                &mut out,
            ),
        }
        out
    }
}

/// Every metric the repository declares, and how many declarations had a computed name.
#[derive(Debug, Default)]
pub(crate) struct Declarations {
    pub metrics: Vec<Declared>,
    /// Declarations whose name is computed: `(path, line)`.
    pub unresolved: Vec<(String, u32)>,
}

impl Declarations {
    /// Every exported series name, with the declaration it comes from.
    pub(crate) fn exported(&self) -> BTreeMap<String, &Declared> {
        let mut out = BTreeMap::new();
        for d in &self.metrics {
            for name in d.exported() {
                out.entry(name).or_insert(d);
            }
        }
        out
    }
}

/// Reads every declaration of the workspace.
pub(crate) fn declarations(ws: &Workspace) -> Declarations {
    let mut out = Declarations::default();
    for file in ws.files() {
        if is_exposition_sample(file) {
            read_sample(file, &mut out);
            continue;
        }
        let lang = application_lang(file);
        if let Some(lang) = lang {
            prefix_wrappers(file, lang, &mut out);
        }
        match lang {
            Some(Lang::Go) => read_go(file, &mut out),
            Some(Lang::Python) => read_python(file, &mut out),
            Some(Lang::JavaScript | Lang::TypeScript) => read_node(file, &mut out),
            Some(Lang::Rust) => read_rust(file, &mut out),
            Some(Lang::Java | Lang::Kotlin) => read_java(file, &mut out),
            Some(Lang::CSharp) => read_dotnet(file, &mut out),
            _ => {}
        }
    }
    out.metrics.sort();
    out.metrics
        .dedup_by(|a, b| a.name == b.name && a.kind == b.kind);
    out
}

fn re(pattern: &str) -> Option<Regex> {
    Regex::new(pattern).ok()
}

fn line_of(text: &str, offset: usize) -> u32 {
    let upto = text.get(..offset).unwrap_or(text);
    u32::try_from(upto.bytes().filter(|b| *b == b'\n').count() + 1).unwrap_or(u32::MAX)
}

/// The text of a call's (or literal's) arguments from the opening bracket at `open` to its
/// matching close (strings skipped), capped at 4000 bytes.
fn balanced(text: &str, open: usize) -> &str {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut quote: Option<u8> = None;
    let mut i = open;
    let end = (open + 4000).min(bytes.len());
    while i < end {
        let c = bytes[i];
        match quote {
            Some(q) => {
                if c == b'\\' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => match c {
                b'"' | b'\'' | b'`' => quote = Some(c),
                b'(' | b'{' | b'[' => depth += 1,
                b')' | b'}' | b']' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return text.get(open..=i).unwrap_or("");
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    text.get(open..end).unwrap_or("")
}

fn kind_of(word: &str) -> MetricKind {
    match word.to_ascii_lowercase().as_str() {
        "counter" | "int_counter" | "intcounter" | "counterfunc" => MetricKind::Counter,
        "gauge" | "int_gauge" | "intgauge" | "gaugefunc" => MetricKind::Gauge,
        "histogram" => MetricKind::Histogram,
        "summary" | "distributionsummary" => MetricKind::Summary,
        "timer" | "longtasktimer" => MetricKind::Timer,
        _ => MetricKind::Unknown,
    }
}

/// `namespace_subsystem_name`, skipping empty parts (Go's `BuildFQName`).
fn fq_name(parts: &[Option<&str>]) -> String {
    parts
        .iter()
        .flatten()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("_")
}

fn push(out: &mut Declarations, file: &SourceFile, offset: usize, name: &str, kind: MetricKind) {
    let line = line_of(&file.text, offset);
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if valid {
        out.metrics.push(Declared {
            name: name.to_string(),
            kind,
            path: file.path.clone(),
            line,
        });
    } else {
        out.unresolved.push((file.path.clone(), line));
    }
}

fn read_go(file: &SourceFile, out: &mut Declarations) {
    static OPTS: LazyLock<Option<Regex>> =
        LazyLock::new(|| re(r"\b(Counter|Gauge|Histogram|Summary)?Opts\s*\{"));
    static CONST: LazyLock<Option<Regex>> =
        LazyLock::new(|| re(r#"\b([A-Za-z_]\w*)\s*(?:string\s*)?(?::=|=)\s*"([^"\n]*)""#));
    static FIELD: LazyLock<Option<Regex>> = LazyLock::new(|| {
        re(r#"\b(Namespace|Subsystem|Name)\s*:\s*(?:"([^"\n]*)"|([A-Za-z_][\w.]*))"#)
    });
    let (Some(opts), Some(consts), Some(field)) = (&*OPTS, &*CONST, &*FIELD) else {
        return;
    };
    let text = &file.text;
    if !text.contains("prometheus") {
        return;
    }
    let constants: BTreeMap<&str, &str> = consts
        .captures_iter(text)
        .filter_map(|c| Some((c.get(1)?.as_str(), c.get(2)?.as_str())))
        .collect();
    for m in opts.captures_iter(text) {
        let Some(whole) = m.get(0) else { continue };
        // `prometheus.CounterOpts{` or `CounterOpts{` after a constructor; not a type declaration.
        let before = text.get(..whole.start()).unwrap_or("");
        if before.trim_end().ends_with("type") || before.trim_end().ends_with("func") {
            continue;
        }
        let kind = m
            .get(1)
            .map_or(MetricKind::Unknown, |k| kind_of(k.as_str()));
        let body = balanced(text, whole.end() - 1);
        let mut parts: BTreeMap<&str, Option<&str>> = BTreeMap::new();
        for f in field.captures_iter(body) {
            let Some(key) = f.get(1).map(|k| k.as_str()) else {
                continue;
            };
            let value = match (f.get(2), f.get(3)) {
                (Some(lit), _) => Some(lit.as_str()),
                (None, Some(ident)) => constants.get(ident.as_str()).copied(),
                _ => None,
            };
            parts.entry(key).or_insert(value);
        }
        let Some(name) = parts.get("Name") else {
            continue;
        };
        let resolved = [parts.get("Namespace"), parts.get("Subsystem"), Some(name)]
            .iter()
            .all(|p| p.is_none_or(|v| v.is_some()));
        let fq = if resolved {
            fq_name(&[
                parts.get("Namespace").copied().flatten(),
                parts.get("Subsystem").copied().flatten(),
                *name,
            ])
        } else {
            String::new()
        };
        push(out, file, whole.start(), &fq, kind);
    }
}

fn read_python(file: &SourceFile, out: &mut Declarations) {
    static CALL: LazyLock<Option<Regex>> =
        LazyLock::new(|| re(r"\b(Counter|Gauge|Histogram|Summary|Info|Enum)\s*\("));
    static NAME: LazyLock<Option<Regex>> =
        LazyLock::new(|| re(r#"^\(\s*(?:name\s*=\s*)?(?:[rbu]?["']([^"'\n]*)["']|(f["']|\w))"#));
    static KW: LazyLock<Option<Regex>> =
        LazyLock::new(|| re(r#"\b(namespace|subsystem)\s*=\s*(?:["']([^"'\n]*)["']|\w)"#));
    let (Some(call), Some(name_re), Some(kw)) = (&*CALL, &*NAME, &*KW) else {
        return;
    };
    let text = &file.text;
    if !text.contains("prometheus_client") {
        return;
    }
    for m in call.captures_iter(text) {
        let (Some(whole), Some(k)) = (m.get(0), m.get(1)) else {
            continue;
        };
        let args = balanced(text, whole.end() - 1);
        let Some(n) = name_re.captures(args) else {
            continue;
        };
        let mut kind = kind_of(k.as_str());
        if matches!(k.as_str(), "Info" | "Enum") {
            kind = MetricKind::Gauge;
        }
        let name = match n.get(1) {
            Some(lit) => {
                let mut parts: BTreeMap<&str, Option<&str>> = BTreeMap::new();
                for c in kw.captures_iter(args) {
                    if let Some(key) = c.get(1) {
                        parts.insert(key.as_str(), c.get(2).map(|v| v.as_str()));
                    }
                }
                if parts.values().any(Option::is_none) {
                    String::new()
                } else {
                    let base = fq_name(&[
                        parts.get("namespace").copied().flatten(),
                        parts.get("subsystem").copied().flatten(),
                        Some(lit.as_str()),
                    ]);
                    if k.as_str() == "Info" {
                        format!("{base}_info")
                    } else {
                        base
                    }
                }
            }
            None => String::new(),
        };
        push(out, file, whole.start(), &name, kind);
    }
}

fn read_node(file: &SourceFile, out: &mut Declarations) {
    static NEW: LazyLock<Option<Regex>> = LazyLock::new(|| {
        re(r"\bnew\s+(?:[A-Za-z_$][\w$]*\.)?(Counter|Gauge|Histogram|Summary)\s*\(\s*\{")
    });
    static NAME: LazyLock<Option<Regex>> =
        LazyLock::new(|| re(r#"\bname\s*:\s*(?:["'`]([^"'`\n$]*)["'`]|[\w`])"#));
    let (Some(new), Some(name_re)) = (&*NEW, &*NAME) else {
        return;
    };
    let text = &file.text;
    if !text.contains("prom-client") {
        return;
    }
    for m in new.captures_iter(text) {
        let (Some(whole), Some(k)) = (m.get(0), m.get(1)) else {
            continue;
        };
        let args = balanced(text, whole.end() - 1);
        let name = name_re
            .captures(args)
            .and_then(|c| c.get(1))
            .map_or("", |n| n.as_str());
        push(out, file, whole.start(), name, kind_of(k.as_str()));
    }
}

fn read_rust(file: &SourceFile, out: &mut Declarations) {
    static MACRO: LazyLock<Option<Regex>> = LazyLock::new(|| {
        re(
            r#"\b(?:register_|describe_)?(int_counter|counter|int_gauge|gauge|histogram)(?:_vec)?!\s*\(\s*(?:(?:opts|histogram_opts)!\s*\(\s*)?(?:"([^"\n]*)"|(\w))"#,
        )
    });
    static OPTS: LazyLock<Option<Regex>> =
        LazyLock::new(|| re(r#"\b(Histogram)?Opts::new\s*\(\s*(?:"([^"\n]*)"|(\w))"#));
    let (Some(mac), Some(opts)) = (&*MACRO, &*OPTS) else {
        return;
    };
    let text = &file.text;
    if !(text.contains("prometheus") || text.contains("metrics")) {
        return;
    }
    for m in mac.captures_iter(text).chain(opts.captures_iter(text)) {
        let Some(whole) = m.get(0) else { continue };
        let kind = m
            .get(1)
            .map_or(MetricKind::Unknown, |k| kind_of(k.as_str()));
        let name = m
            .get(2)
            .map_or(String::new(), |n| n.as_str().replace('.', "_"));
        push(out, file, whole.start(), &name, kind);
    }
}

fn read_java(file: &SourceFile, out: &mut Declarations) {
    static MICROMETER: LazyLock<Option<Regex>> = LazyLock::new(|| {
        re(
            r#"\b(Counter|Timer|Gauge|DistributionSummary|LongTaskTimer)\.builder\s*\(\s*"([^"\n]*)""#,
        )
    });
    static REGISTRY: LazyLock<Option<Regex>> =
        LazyLock::new(|| re(r#"\.(counter|timer|summary|gauge)\s*\(\s*"([^"\n]*)""#));
    static SIMPLE: LazyLock<Option<Regex>> = LazyLock::new(|| {
        re(r#"\b(Counter|Gauge|Histogram|Summary)\.(?:build|builder)\s*\(\s*(?:"([^"\n]*)")?"#)
    });
    static CHAIN: LazyLock<Option<Regex>> =
        LazyLock::new(|| re(r#"\.(name|namespace|subsystem)\s*\(\s*(?:"([^"\n]*)"|\w)"#));
    let (Some(micrometer), Some(registry), Some(simple), Some(chain)) =
        (&*MICROMETER, &*REGISTRY, &*SIMPLE, &*CHAIN)
    else {
        return;
    };
    let text = &file.text;
    let uses_micrometer = text.contains("io.micrometer");
    let uses_client = text.contains("io.prometheus");
    if uses_micrometer {
        for m in micrometer
            .captures_iter(text)
            .chain(registry.captures_iter(text))
        {
            let (Some(whole), Some(k), Some(n)) = (m.get(0), m.get(1), m.get(2)) else {
                continue;
            };
            let kind = kind_of(k.as_str());
            let base = n.as_str().replace(['.', '-'], "_");
            let name = match kind {
                MetricKind::Counter => format!("{base}_total"),
                MetricKind::Timer => format!("{base}_seconds"),
                _ => base,
            };
            push(out, file, whole.start(), &name, kind);
        }
    }
    if uses_client {
        for m in simple.captures_iter(text) {
            let (Some(whole), Some(k)) = (m.get(0), m.get(1)) else {
                continue;
            };
            // `Counter.builder("x")` is Micrometer's, read above.
            if uses_micrometer && m.get(2).is_some() && whole.as_str().contains("builder") {
                continue;
            }
            let rest = text.get(whole.end()..).unwrap_or("");
            let stop = rest.find(';').unwrap_or(rest.len()).min(2000);
            let chained = rest.get(..stop).unwrap_or("");
            let mut parts: BTreeMap<&str, Option<&str>> = BTreeMap::new();
            if let Some(n) = m.get(2) {
                parts.insert("name", Some(n.as_str()));
            }
            for c in chain.captures_iter(chained) {
                if let Some(key) = c.get(1) {
                    parts
                        .entry(key.as_str())
                        .or_insert(c.get(2).map(|v| v.as_str()));
                }
            }
            let Some(name) = parts.get("name") else {
                continue;
            };
            let name = if parts.values().any(Option::is_none) {
                String::new()
            } else {
                fq_name(&[
                    parts.get("namespace").copied().flatten(),
                    parts.get("subsystem").copied().flatten(),
                    *name,
                ])
            };
            push(out, file, whole.start(), &name, kind_of(k.as_str()));
        }
    }
}

fn read_dotnet(file: &SourceFile, out: &mut Declarations) {
    static CREATE: LazyLock<Option<Regex>> = LazyLock::new(|| {
        re(r#"\.Create(Counter|Gauge|Histogram|Summary)\s*\(\s*(?:"([^"\n]*)"|\w)"#)
    });
    let Some(create) = &*CREATE else { return };
    let text = &file.text;
    if !text.contains("Prometheus") {
        return;
    }
    for m in create.captures_iter(text) {
        let (Some(whole), Some(k)) = (m.get(0), m.get(1)) else {
            continue;
        };
        let name = m.get(2).map_or("", |n| n.as_str());
        push(out, file, whole.start(), name, kind_of(k.as_str()));
    }
}

/// Code that renames metrics wholesale (a registerer adding a prefix, auto-instrumentation
/// under a chosen namespace): the names it exports are not written anywhere, so the
/// declaration counts as unresolved.
fn prefix_wrappers(file: &SourceFile, lang: Lang, out: &mut Declarations) {
    let patterns: &[&str] = match lang {
        Lang::Go => &["WrapRegistererWithPrefix("],
        Lang::Python => &[
            "defaults_prefix=",
            "metric_namespace=",
            "PrometheusMetrics.for_app_factory(",
        ],
        Lang::JavaScript | Lang::TypeScript => &["collectDefaultMetrics({", "promBundle("],
        _ => &[],
    };
    for p in patterns {
        if let Some(offset) = file.text.find(p) {
            out.unresolved
                .push((file.path.clone(), line_of(&file.text, offset)));
        }
    }
}

/// `*.prom`, `metrics.txt`, or a text file under `testdata/` with `# TYPE` lines.
fn is_exposition_sample(file: &SourceFile) -> bool {
    let name = file.name();
    let dirs: Vec<&str> = file.path.split('/').collect();
    if dirs
        .iter()
        .any(|d| matches!(*d, "node_modules" | "vendor" | "third_party"))
    {
        return false;
    }
    let named = name.ends_with(".prom") || name == "metrics.txt";
    let testdata = dirs.contains(&"testdata") && (name.ends_with(".txt") || !name.contains('.'));
    (named || testdata) && file.text.contains("# TYPE ")
}

fn read_sample(file: &SourceFile, out: &mut Declarations) {
    static TYPE: LazyLock<Option<Regex>> =
        LazyLock::new(|| re(r"(?m)^#\s*TYPE\s+([A-Za-z_:][\w:]*)\s+(\w+)"));
    let Some(ty) = &*TYPE else { return };
    let mut seen = BTreeSet::new();
    for m in ty.captures_iter(&file.text) {
        let (Some(whole), Some(n), Some(k)) = (m.get(0), m.get(1), m.get(2)) else {
            continue;
        };
        if seen.insert(n.as_str()) {
            let kind = match k.as_str() {
                "untyped" | "unknown" => MetricKind::Unknown,
                other => kind_of(other),
            };
            push(out, file, whole.start(), n.as_str(), kind);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &str, text: &str) -> Declarations {
        declarations(&Workspace::from_texts(&[(path, text)]))
    }

    fn names(d: &Declarations) -> Vec<(String, MetricKind, u32)> {
        d.metrics
            .iter()
            .map(|m| (m.name.clone(), m.kind, m.line))
            .collect()
    }

    #[test]
    fn go_opts_with_namespace_constants_and_promauto() {
        let d = read(
            "cmd/checkout/metrics.go",
            r#"package main

import "github.com/prometheus/client_golang/prometheus"

const namespace = "checkout"

var (
	ordersTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace,
		Subsystem: "orders",
		Name:      "placed_total",
		Help:      "Orders placed.",
	}, []string{"method"})
	latency = promauto.NewHistogram(prometheus.HistogramOpts{
		Name: "checkout_request_duration_seconds",
		Help: "Latency.",
	})
	dynamic = prometheus.NewGauge(prometheus.GaugeOpts{Name: name})
)
"#,
        );
        assert_eq!(
            names(&d),
            vec![
                (
                    "checkout_orders_placed_total".into(),
                    MetricKind::Counter,
                    8
                ),
                (
                    "checkout_request_duration_seconds".into(),
                    MetricKind::Histogram,
                    14
                ),
            ]
        );
        assert_eq!(d.unresolved, vec![("cmd/checkout/metrics.go".into(), 18)]);
    }

    #[test]
    fn python_prometheus_client() {
        let d = read(
            "app/metrics.py",
            "from prometheus_client import Counter, Histogram, Info\n\
             REQUESTS = Counter('orders_processed', 'Orders', ['status'], namespace='shop')\n\
             LATENCY = Histogram(\n    name=\"shop_request_latency_seconds\",\n    documentation=\"x\")\n\
             BUILD = Info('build', 'Build')\n\
             OTHER = Counter(f\"{PREFIX}_x\", 'computed')\n",
        );
        assert_eq!(
            names(&d),
            vec![
                ("build_info".into(), MetricKind::Gauge, 6),
                ("shop_orders_processed".into(), MetricKind::Counter, 2),
                (
                    "shop_request_latency_seconds".into(),
                    MetricKind::Histogram,
                    3
                ),
            ]
        );
        assert_eq!(d.unresolved.len(), 1);
        let exported = d.metrics[1].exported();
        assert!(exported.contains(&"shop_orders_processed_total".to_string()));
    }

    #[test]
    fn node_prom_client() {
        let d = read(
            "src/metrics.js",
            "const client = require('prom-client');\n\
             const h = new client.Histogram({\n  name: 'cart_request_duration_seconds',\n  help: 'x',\n});\n\
             const c = new Counter({ name: `cart_items_added_total`, help: 'y' });\n",
        );
        assert_eq!(
            names(&d),
            vec![
                ("cart_items_added_total".into(), MetricKind::Counter, 6),
                (
                    "cart_request_duration_seconds".into(),
                    MetricKind::Histogram,
                    2
                ),
            ]
        );
    }

    #[test]
    fn rust_prometheus_and_metrics_crates() {
        let d = read(
            "src/metrics.rs",
            "use prometheus::{register_int_counter, Opts};\n\
             static A: Lazy<IntCounter> = Lazy::new(|| register_int_counter!(\"ledger_writes_total\", \"w\").unwrap());\n\
             let h = register_histogram!(histogram_opts!(\"ledger_latency_seconds\", \"l\"));\n\
             let o = Opts::new(\"ledger_queue_depth\", \"d\");\n\
             metrics::counter!(\"ledger.reads\").increment(1);\n",
        );
        assert_eq!(
            names(&d),
            vec![
                ("ledger_latency_seconds".into(), MetricKind::Histogram, 3),
                ("ledger_queue_depth".into(), MetricKind::Unknown, 4),
                ("ledger_reads".into(), MetricKind::Counter, 5),
                ("ledger_writes_total".into(), MetricKind::Counter, 2),
            ]
        );
    }

    #[test]
    fn java_micrometer_and_simpleclient() {
        let d = read(
            "src/main/java/shop/Metrics.java",
            "import io.micrometer.core.instrument.Counter;\n\
             Counter placed = Counter.builder(\"orders.placed\").register(registry);\n\
             Timer t = registry.timer(\"orders.latency\");\n",
        );
        assert_eq!(
            names(&d),
            vec![
                ("orders_latency_seconds".into(), MetricKind::Timer, 3),
                ("orders_placed_total".into(), MetricKind::Counter, 2),
            ]
        );
        assert!(
            d.metrics[0]
                .exported()
                .contains(&"orders_latency_seconds_count".to_string())
        );
        let s = read(
            "src/main/java/shop/Jobs.java",
            "import io.prometheus.client.Counter;\n\
             static final Counter jobs = Counter.build()\n    .namespace(\"shop\").name(\"jobs_total\").help(\"j\").register();\n\
             static final Histogram h = Histogram.build(\"shop_job_seconds\", \"h\").register();\n",
        );
        assert_eq!(
            names(&s),
            vec![
                ("shop_job_seconds".into(), MetricKind::Histogram, 4),
                ("shop_jobs_total".into(), MetricKind::Counter, 2),
            ]
        );
    }

    #[test]
    fn dotnet_and_samples() {
        let d = read(
            "src/Cart/Metrics.cs",
            "using Prometheus;\nstatic readonly Counter Added = Metrics.CreateCounter(\"cart_added_total\", \"a\");\n",
        );
        assert_eq!(
            names(&d),
            vec![("cart_added_total".into(), MetricKind::Counter, 2)]
        );
        let s = read(
            "testdata/metrics.txt",
            "# HELP api_requests_total Requests.\n# TYPE api_requests_total counter\napi_requests_total{code=\"200\"} 3\n# TYPE api_up gauge\napi_up 1\n",
        );
        assert_eq!(
            names(&s),
            vec![
                ("api_requests_total".into(), MetricKind::Counter, 2),
                ("api_up".into(), MetricKind::Gauge, 4),
            ]
        );
    }

    #[test]
    fn prefixing_registerers_make_names_unresolved() {
        let d = read(
            "main.go",
            "import \"github.com/prometheus/client_golang/prometheus\"\nreg := prometheus.WrapRegistererWithPrefix(\"shop_\", r)\n",
        );
        assert_eq!(d.unresolved, vec![("main.go".into(), 2)]);
    }

    #[test]
    fn tests_and_vendored_code_are_not_read() {
        let d = read(
            "vendor/github.com/x/m.go",
            "import \"github.com/prometheus/client_golang/prometheus\"\nvar c = prometheus.CounterOpts{Name: \"x_total\"}\n",
        );
        assert!(d.metrics.is_empty());
    }
}
