//! The exposition parser on real exposition output (tests/data) and on broken input.

use golive_probe::exposition::{DurationKind, Format, MetricType, ParseError, parse, parse_as};

fn data(name: &str) -> String {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

const PROM: Option<&str> = Some("text/plain; version=0.0.4; charset=utf-8");
const OM: Option<&str> = Some("application/openmetrics-text; version=1.0.0; charset=utf-8");

fn err(text: &str, format: Format) -> ParseError {
    match parse_as(text, format) {
        Ok(e) => panic!("expected an error, parsed {} families", e.families.len()),
        Err(e) => e,
    }
}

#[test]
fn node_exporter_output() {
    let exp = parse(&data("node_exporter.prom"), PROM).unwrap();
    assert_eq!(exp.format, Format::PrometheusText);
    let gc = exp.family("go_gc_duration_seconds").unwrap();
    assert_eq!(gc.metric_type, MetricType::Summary);
    assert_eq!(gc.samples.len(), 7);
    assert_eq!(
        gc.samples_with_suffix("_count").next().map(|s| s.value),
        Some(612.0)
    );
    let cpu = exp.family("node_cpu_seconds_total").unwrap();
    assert_eq!(cpu.metric_type, MetricType::Counter);
    let card = cpu.cardinality();
    assert_eq!(card.series, 16);
    assert_eq!(
        card.labels,
        vec![("mode".to_string(), 8), ("cpu".to_string(), 2)]
    );
    let uname = exp.family("node_uname_info").unwrap();
    assert_eq!(
        uname.samples[0].label("version"),
        Some("#1 SMP PREEMPT_DYNAMIC Debian 6.1.55-1 (2023-09-29)")
    );
    assert_eq!(
        exp.family("node_boot_time_seconds").unwrap().samples[0].value,
        1.700131236e9
    );
    // The only *_requests_total here counts scrapes of /metrics itself: not a request counter.
    assert!(exp.request_counter().is_none());
    assert!(exp.request_duration().is_none());
    assert_eq!(exp.families.len(), 12);
    assert_eq!(
        exp.total_series(),
        7 + 1 + 16 + 3 + 1 + 2 + 2 + 2 + 1 + 2 + 1 + 3
    );
}

#[test]
fn go_client_defaults_and_promhttp_instrumentation() {
    let exp = parse(&data("go_client.prom"), PROM).unwrap();
    let rc = exp.request_counter().unwrap();
    assert_eq!(rc.family.name, "http_requests_total");
    assert_eq!(rc.sample_name, "http_requests_total");
    assert_eq!(rc.status_label.as_deref(), Some("code"));
    assert_eq!(rc.method_label.as_deref(), Some("method"));
    assert_eq!(rc.route_label.as_deref(), Some("handler"));
    let h = exp.duration_histogram().unwrap();
    assert_eq!(h.family.name, "http_request_duration_seconds");
    assert_eq!(h.unit, Some("seconds"));
    assert_eq!(
        h.buckets,
        vec![
            0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0
        ]
    );
    let card = h.family.cardinality();
    assert_eq!(card.series, 14);
    assert_eq!(card.label_sets, 1);
    assert_eq!(h.family.line, 25);
    assert_eq!(h.family.samples[0].line, 27);
    assert_eq!(
        exp.family("go_info").unwrap().samples[0].label("version"),
        Some("go1.22.4")
    );
}

#[test]
fn python_client_with_created_gauges() {
    let exp = parse(&data("python_client.prom"), PROM).unwrap();
    // In Prometheus text the Python client writes `_created` as gauge families of their own.
    let created = exp.family("http_requests_created").unwrap();
    assert_eq!(created.metric_type, MetricType::Gauge);
    assert_eq!(created.samples.len(), 3);
    let rc = exp.request_counter().unwrap();
    assert_eq!(rc.family.name, "http_requests_total");
    assert_eq!(rc.status_label.as_deref(), Some("status"));
    assert_eq!(
        rc.family.cardinality().labels[0],
        ("handler".to_string(), 2)
    );
    let h = exp.duration_histogram().unwrap();
    assert_eq!(h.family.name, "http_request_duration_seconds");
    assert_eq!(h.buckets, vec![0.1, 0.5, 1.0]);
    assert_eq!(h.status_label, None);
    assert_eq!(
        exp.family("python_info").unwrap().samples[0].label("implementation"),
        Some("CPython")
    );
}

#[test]
fn openmetrics_with_exemplars_info_stateset_gaugehistogram() {
    let text = data("openmetrics_exemplars.txt");
    let exp = parse(&text, OM).unwrap();
    assert_eq!(exp.format, Format::OpenMetrics);
    // Without a content type, the final `# EOF` says OpenMetrics.
    assert_eq!(parse(&text, None).unwrap().format, Format::OpenMetrics);

    let info = exp.family("build_info").unwrap();
    assert_eq!(info.metric_type, MetricType::Info);
    assert_eq!(info.samples[0].name, "build_info_info");
    assert_eq!(
        exp.family("feature_flags").unwrap().metric_type,
        MetricType::StateSet
    );

    let requests = exp.family("http_requests").unwrap();
    assert_eq!(requests.metric_type, MetricType::Counter);
    assert_eq!(requests.samples.len(), 4);
    let first = &requests.samples[0];
    let ex = first.exemplar.as_ref().unwrap();
    assert_eq!(
        ex.labels,
        vec![(
            "trace_id".to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736".to_string()
        )]
    );
    assert_eq!(ex.value, 1.0);
    assert_eq!(ex.timestamp, Some(1700131800.123));
    assert_eq!(requests.samples_with_suffix("_created").count(), 2);
    // A counter's `_created` is not a separate series set: two label sets.
    assert_eq!(requests.cardinality().label_sets, 2);
    assert_eq!(requests.cardinality().series, 4);

    let h = exp.family("http_request_duration_seconds").unwrap();
    assert_eq!(h.unit.as_deref(), Some("seconds"));
    assert_eq!(h.samples.len(), 7);
    assert_eq!(
        h.samples[3].exemplar.as_ref().map(|e| e.labels.len()),
        Some(0)
    );
    assert_eq!(
        h.samples[2].exemplar.as_ref().and_then(|e| e.timestamp),
        None
    );

    let gh = exp.family("queue_wait_seconds").unwrap();
    assert_eq!(gh.metric_type, MetricType::GaugeHistogram);
    assert_eq!(
        gh.samples_with_suffix("_gcount").next().map(|s| s.value),
        Some(5.0)
    );

    let t = exp.family("temperature_celsius").unwrap();
    assert!(t.samples[0].value.is_nan());
    assert_eq!(t.samples[0].timestamp, Some(1700131802.25));
    assert_eq!(t.samples[1].value, f64::NEG_INFINITY);
    assert_eq!(
        exp.family("mystery").unwrap().metric_type,
        MetricType::Unknown
    );

    let rc = exp.request_counter().unwrap();
    assert_eq!(rc.family.name, "http_requests");
    assert_eq!(rc.sample_name, "http_requests_total");
    assert_eq!(
        exp.duration_histogram().unwrap().buckets,
        vec![0.05, 0.1, 0.5]
    );
}

#[test]
fn escaped_label_values() {
    let exp = parse(&data("escaped_labels.prom"), PROM).unwrap();
    let f = exp.family("app_config_info").unwrap();
    assert_eq!(
        f.help.as_deref(),
        Some("Config with awkward values: a backslash \\ and a newline \n in help.")
    );
    let s = &f.samples[0];
    assert_eq!(s.label("path"), Some("C:\\Program Files\\app"));
    assert_eq!(s.label("quote"), Some("say \"hi\""));
    assert_eq!(s.label("multi"), Some("line1\nline2"));
    assert_eq!(s.label("empty"), Some(""));
    // A trailing comma in the label set is accepted.
    assert_eq!(f.samples[1].labels.len(), 4);
    let u = exp.family("app_untyped_metric").unwrap();
    assert_eq!(u.metric_type, MetricType::Unknown);
    assert_eq!(u.samples[0].value, 42.0);
    assert_eq!(u.samples[0].timestamp, Some(1700131800.0));
    assert_eq!(u.samples[0].line, 7);
}

#[test]
fn micrometer_summary_is_a_counter_but_not_a_histogram() {
    let exp = parse(&data("micrometer.prom"), PROM).unwrap();
    let rc = exp.request_counter().unwrap();
    assert_eq!(rc.family.name, "http_server_requests_seconds");
    assert_eq!(rc.sample_name, "http_server_requests_seconds_count");
    assert_eq!(rc.convention, "Micrometer");
    assert_eq!(rc.status_label.as_deref(), Some("status"));
    assert_eq!(rc.route_label.as_deref(), Some("uri"));
    let d = exp.request_duration().unwrap();
    assert_eq!(d.kind, DurationKind::Summary);
    assert_eq!(d.family.name, "http_server_requests_seconds");
    // Only a summary: no histogram to aggregate (and the client metric is never chosen).
    assert!(exp.duration_histogram().is_none());
    // An empty HELP is kept as empty.
    assert_eq!(d.family.help.as_deref(), Some(""));
}

#[test]
fn opentelemetry_exporter() {
    let exp = parse(&data("otel.prom"), PROM).unwrap();
    let rc = exp.request_counter().unwrap();
    assert_eq!(rc.convention, "OpenTelemetry");
    assert_eq!(rc.sample_name, "http_server_request_duration_seconds_count");
    assert_eq!(
        rc.status_label.as_deref(),
        Some("http_response_status_code")
    );
    assert_eq!(rc.method_label.as_deref(), Some("http_request_method"));
    assert_eq!(rc.route_label.as_deref(), Some("http_route"));
    let h = exp.duration_histogram().unwrap();
    assert_eq!(h.buckets, vec![0.005, 0.25]);
}

#[test]
fn utf8_quoted_names() {
    let exp = parse_as(
        "{\"my.metric\",\"my.label\"=\"v\"} 1\n",
        Format::PrometheusText,
    )
    .unwrap();
    let f = exp.family("my.metric").unwrap();
    assert_eq!(f.samples[0].label("my.label"), Some("v"));
}

#[test]
fn blank_lines_crlf_and_tabs() {
    let exp = parse_as(
        "\r\n# TYPE a gauge\r\na\t 1\r\n\r\n\n",
        Format::PrometheusText,
    )
    .unwrap();
    assert_eq!(exp.family("a").unwrap().samples[0].value, 1.0);
    assert!(
        parse_as("", Format::PrometheusText)
            .unwrap()
            .families
            .is_empty()
    );
}

#[test]
fn interleaved_prometheus_text_samples_merge_into_one_family() {
    let exp = parse_as("a{x=\"1\"} 1\nb 2\na{x=\"2\"} 3\n", Format::PrometheusText).unwrap();
    assert_eq!(exp.families.len(), 2);
    assert_eq!(exp.family("a").unwrap().samples.len(), 2);
}

// ----------------------------------------------------------------------------------------------
// Errors, each at an exact line and column
// ----------------------------------------------------------------------------------------------

fn at(e: &ParseError) -> (usize, usize) {
    (e.line, e.column)
}

#[test]
fn duplicate_help_and_type() {
    let e = err("# HELP a x\n# HELP a y\na 1\n", Format::PrometheusText);
    assert_eq!(at(&e), (2, 3));
    assert_eq!(e.message, "second HELP line for `a` (first on line 1)");
    let e = err(
        "# TYPE a gauge\na 1\n# TYPE a counter\n",
        Format::PrometheusText,
    );
    assert_eq!(at(&e), (3, 3));
    assert!(e.message.starts_with("second TYPE line for `a`"), "{e}");
    let e = err("a 1\n# TYPE a gauge\n", Format::PrometheusText);
    assert_eq!(at(&e), (2, 3));
    assert_eq!(e.message, "TYPE line for `a` after its samples (line 1)");
}

#[test]
fn unknown_type() {
    let e = err("# TYPE a gaugehistogram\n", Format::PrometheusText);
    assert_eq!(at(&e), (1, 10));
    assert!(
        e.message.contains("unknown metric type `gaugehistogram`"),
        "{e}"
    );
    let e = err("# TYPE a untyped\n# EOF\n", Format::OpenMetrics);
    assert_eq!(at(&e), (1, 10));
}

#[test]
fn malformed_samples() {
    let cases: &[(&str, (usize, usize), &str)] = &[
        ("ok 1\nbad{a=\"1\" 2\n", (2, 11), "expected `,` or `}`"),
        (
            "bad{a=1} 2\n",
            (1, 7),
            "expected a quoted value for label `a`",
        ),
        ("bad{a=\"1} 2\n", (1, 7), "unterminated quoted string"),
        (
            "bad{a=\"1\",a=\"2\"} 3\n",
            (1, 11),
            "duplicate label name `a`",
        ),
        ("bad 1.2.3\n", (1, 5), "invalid value `1.2.3`"),
        ("bad\n", (1, 4), "missing value for `bad`"),
        ("bad 1 1.5\n", (1, 7), "invalid timestamp `1.5`"),
        (
            "bad 1 2 3\n",
            (1, 9),
            "unexpected text after the sample `bad`",
        ),
        ("3bad 1\n", (1, 1), "expected a metric name, found `3`"),
        (
            "bad{9=\"x\"} 1\n",
            (1, 5),
            "expected a label name, found `9`",
        ),
        (
            "bad 1 # {a=\"b\"} 1\n",
            (1, 7),
            "only allowed in OpenMetrics",
        ),
    ];
    for (text, pos, msg) in cases {
        let e = err(text, Format::PrometheusText);
        assert_eq!(at(&e), *pos, "{text:?}: {e}");
        assert!(e.message.contains(msg), "{text:?}: {e}");
    }
}

#[test]
fn histogram_and_summary_structure() {
    let e = err(
        "# TYPE h histogram\nh_bucket{x=\"1\"} 1\n",
        Format::PrometheusText,
    );
    assert_eq!(at(&e), (2, 1));
    assert!(e.message.contains("no `le` label"), "{e}");
    let e = err(
        "# TYPE h histogram\nh_bucket{le=\"abc\"} 1\n",
        Format::PrometheusText,
    );
    assert!(e.message.contains("non-numeric `le` label `abc`"), "{e}");
    let e = err("# TYPE s summary\ns 1\n", Format::PrometheusText);
    assert!(e.message.contains("no `quantile` label"), "{e}");
    // A histogram has no sample of its bare name.
    let e = err(
        "# TYPE h histogram\nh_count 1\nh 2\n",
        Format::PrometheusText,
    );
    assert_eq!(at(&e), (3, 1));
    assert!(
        e.message.contains("does not fit the histogram family `h`"),
        "{e}"
    );
    // A `_count` of an untyped family is a family of its own.
    let exp = parse_as("h 2\nh_count 1\n", Format::PrometheusText).unwrap();
    assert_eq!(exp.families.len(), 2);
}

#[test]
fn openmetrics_rules() {
    let e = err("a 1\n", Format::OpenMetrics);
    assert_eq!(at(&e), (2, 1));
    assert!(e.message.contains("does not end with `# EOF`"), "{e}");
    let e = err("a 1\n# EOF\nb 2\n", Format::OpenMetrics);
    assert_eq!(at(&e), (3, 1));
    assert!(e.message.contains("content after `# EOF` (line 2)"), "{e}");
    let e = err("# TYPE c counter\nc 1\n# EOF\n", Format::OpenMetrics);
    assert_eq!(at(&e), (2, 1));
    assert!(
        e.message.contains("does not fit the counter family `c`"),
        "{e}"
    );
    let e = err(
        "# TYPE c_seconds gauge\n# UNIT c_seconds bytes\n# EOF\n",
        Format::OpenMetrics,
    );
    assert_eq!(at(&e), (2, 18));
    assert!(e.message.contains("unit `bytes` is not a suffix"), "{e}");
    let e = err("a 1 # {x=\"y\"} nope\n# EOF\n", Format::OpenMetrics);
    assert_eq!(at(&e), (1, 15));
    let e = err("a 1 # x\n# EOF\n", Format::OpenMetrics);
    assert_eq!(at(&e), (1, 7));
    assert!(e.message.contains("expected `{`"), "{e}");
    // `#{` without the space is tolerated, as Prometheus does.
    assert!(parse_as("a 1 #{x=\"y\"} 1\n# EOF\n", Format::OpenMetrics).is_ok());
    // An empty body is not OpenMetrics (no `# EOF`) but is valid Prometheus text.
    assert_eq!(err("", Format::OpenMetrics).line, 0);
    // A counter declared with its `_total` name, as some libraries write it, is accepted.
    let exp = parse_as(
        "# TYPE c_total counter\nc_total 1\n# EOF\n",
        Format::OpenMetrics,
    )
    .unwrap();
    assert_eq!(exp.families.len(), 1);
}

#[test]
fn display_of_errors() {
    let e = err("bad 1.2.3\n", Format::PrometheusText);
    assert_eq!(
        e.to_string(),
        "line 1, column 5: invalid value `1.2.3` for `bad`"
    );
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

        #[test]
        fn arbitrary_input_never_panics(text in ".{0,200}") {
            let _ = parse_as(&text, Format::PrometheusText);
            let _ = parse_as(&text, Format::OpenMetrics);
            let _ = parse(&text, None);
        }

        #[test]
        fn exposition_like_input_never_panics(
            text in r#"((# (HELP|TYPE|UNIT|EOF) )?[a-z_{}"=,\\ #.0-9+-]{0,40}\n){0,8}"#
        ) {
            let _ = parse_as(&text, Format::PrometheusText);
            let _ = parse_as(&text, Format::OpenMetrics);
        }
    }
}

// ----------------------------------------------------------------------------------------------
// Output captured from real processes (see tests/data/README.md)
// ----------------------------------------------------------------------------------------------

#[test]
fn real_node_exporter_1_5() {
    let exp = parse(&data("node_exporter_1.5.0_real.prom"), PROM).unwrap();
    assert!(exp.families.len() > 150, "{}", exp.families.len());
    let samples: usize = exp.families.iter().map(|f| f.samples.len()).sum();
    assert!(samples > 500, "{samples}");
    assert_eq!(
        exp.family("node_load1").unwrap().metric_type,
        MetricType::Gauge
    );
    assert_eq!(
        exp.family("node_uname_info").unwrap().samples[0].label("nodename"),
        Some("web-1")
    );
    // promhttp's counter only counts scrapes, and `node_disk_flush_requests_total` counts disk
    // flushes: neither is a request counter.
    assert!(exp.family("node_disk_flush_requests_total").is_some());
    assert!(exp.request_counter().is_none());
    assert!(exp.request_duration().is_none());
}

#[test]
fn real_python_client_text() {
    let exp = parse(&data("python_client_0.26_real.prom"), PROM).unwrap();
    // `_created` are gauge families of their own in Prometheus text.
    assert_eq!(
        exp.family("http_requests_created").unwrap().metric_type,
        MetricType::Gauge
    );
    assert_eq!(
        exp.family("app_build_info").unwrap().metric_type,
        MetricType::Gauge
    );
    let odd = exp.family("app_config_paths").unwrap();
    assert_eq!(
        odd.help.as_deref(),
        Some("Paths with awkward characters: back\\slash and\nnewline.")
    );
    let paths: Vec<&str> = odd.samples.iter().filter_map(|s| s.label("path")).collect();
    assert_eq!(
        paths,
        vec!["C:\\Program Files\\app", "say \"hi\"", "line1\nline2"]
    );
    let rc = exp.request_counter().unwrap();
    assert_eq!(rc.sample_name, "http_requests_total");
    assert_eq!(rc.status_label.as_deref(), Some("status"));
    let h = exp.duration_histogram().unwrap();
    assert_eq!(h.buckets, vec![0.01, 0.05, 0.1, 0.5, 1.0]);
    assert_eq!(h.family.cardinality().label_sets, 2);
}

#[test]
fn real_python_client_openmetrics() {
    let text = data("python_client_0.26_real_openmetrics.txt");
    let exp = parse(&text, OM).unwrap();
    assert_eq!(
        exp.family("python_gc_collections").unwrap().samples.len(),
        3
    );
    let requests = exp.family("http_requests").unwrap();
    assert_eq!(requests.metric_type, MetricType::Counter);
    assert_eq!(requests.samples_with_suffix("_created").count(), 3);
    let ex = requests.samples[0].exemplar.as_ref().unwrap();
    assert_eq!(ex.labels[0].1, "b7ad6b7169203331");
    assert!(ex.timestamp.is_some());
    let h = exp.family("http_request_duration_seconds").unwrap();
    assert_eq!(h.samples.iter().filter(|s| s.exemplar.is_some()).count(), 2);
    assert_eq!(
        exp.family("app_build").unwrap().metric_type,
        MetricType::Info
    );
    let state = exp.family("app_state").unwrap();
    assert_eq!(state.metric_type, MetricType::StateSet);
    assert_eq!(
        state.cardinality().labels,
        vec![("app_state".to_string(), 3)]
    );
    let job = exp.family("job_duration_seconds").unwrap();
    assert_eq!(job.metric_type, MetricType::Summary);
    assert_eq!(job.samples.len(), 3);
    let rc = exp.request_counter().unwrap();
    assert_eq!(rc.family.name, "http_requests");
    assert_eq!(rc.sample_name, "http_requests_total");
    // Truncated: no `# EOF`.
    let cut = &text[..text.len() / 2];
    assert!(
        parse(cut, OM)
            .unwrap_err()
            .message
            .contains("does not end with `# EOF`")
    );
}

#[test]
fn real_prom_client_text_and_openmetrics() {
    for (file, ct) in [
        ("prom_client_real.prom", PROM),
        ("prom_client_real_openmetrics.txt", OM),
    ] {
        let exp = parse(&data(file), ct).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(exp.family("nodejs_version_info").is_some(), "{file}");
        let rc = exp.request_counter().unwrap();
        // A dedicated counter wins over the histogram's `_count` when both have the labels.
        assert_eq!(rc.sample_name, "http_requests_total", "{file}");
        assert_eq!(rc.status_label.as_deref(), Some("status_code"));
        assert_eq!(rc.route_label.as_deref(), Some("route"));
        let h = exp.duration_histogram().unwrap();
        assert_eq!(h.family.name, "http_request_duration_seconds");
        assert_eq!(h.buckets.len(), 11);
        assert_eq!(h.family.cardinality().label_sets, 2);
        assert_eq!(h.family.cardinality().series, 28);
    }
}

#[test]
fn counters_that_are_not_about_serving() {
    let exp = parse_as(
        "node_disk_flush_requests_total{device=\"vda\"} 3\n",
        Format::PrometheusText,
    )
    .unwrap();
    assert!(exp.request_counter().is_none());
    let exp = parse_as("myapp_requests_total 3\n", Format::PrometheusText).unwrap();
    assert_eq!(
        exp.request_counter().unwrap().status_label,
        None,
        "one plain counter qualifies"
    );
    let exp = parse_as(
        "myapp_requests_total{device=\"a\"} 3\n",
        Format::PrometheusText,
    )
    .unwrap();
    assert!(
        exp.request_counter().is_none(),
        "requests of a device: cannot tell"
    );
    let exp = parse_as(
        "myapp_requests_total{code=\"200\"} 3\n",
        Format::PrometheusText,
    )
    .unwrap();
    assert_eq!(
        exp.request_counter().unwrap().sample_name,
        "myapp_requests_total"
    );
}

#[test]
fn subset_counters_are_not_request_counters() {
    let text = "# TYPE http_failed_requests_total counter\nhttp_failed_requests_total{code=\"500\",method=\"GET\"} 3\n\
                # TYPE http_requests_total counter\nhttp_requests_total 10\n";
    let exp = parse_as(text, Format::PrometheusText).unwrap();
    assert_eq!(
        exp.request_counter().unwrap().sample_name,
        "http_requests_total"
    );
    let only = parse_as(
        "http_request_retries_total{code=\"503\"} 1\n",
        Format::PrometheusText,
    )
    .unwrap();
    assert!(only.request_counter().is_none());
}
