//! Parsing speed of a ~1 MB Prometheus text exposition (a large service's /metrics).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use golive_probe::exposition::{Format, parse_as};
use std::hint::black_box;

fn big_exposition() -> String {
    let mut out = String::new();
    let mut family = 0;
    while out.len() < 1_000_000 {
        out.push_str(&format!(
            "# HELP app_requests_{family}_total Requests by route.\n# TYPE app_requests_{family}_total counter\n"
        ));
        for route in 0..20 {
            for code in ["200", "404", "500"] {
                out.push_str(&format!(
                    "app_requests_{family}_total{{route=\"/api/v1/items/{route}\",method=\"GET\",code=\"{code}\"}} {}\n",
                    route * 17 + family
                ));
            }
        }
        out.push_str(&format!("# TYPE app_latency_{family}_seconds histogram\n"));
        for le in ["0.005", "0.01", "0.05", "0.1", "0.5", "1", "+Inf"] {
            out.push_str(&format!(
                "app_latency_{family}_seconds_bucket{{le=\"{le}\"}} 42\n"
            ));
        }
        out.push_str(&format!(
            "app_latency_{family}_seconds_sum 1.5\napp_latency_{family}_seconds_count 42\n"
        ));
        family += 1;
    }
    out
}

fn bench(c: &mut Criterion) {
    let text = big_exposition();
    let mut group = c.benchmark_group("exposition");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("parse_1mb_prometheus_text", |b| {
        b.iter(|| parse_as(black_box(&text), Format::PrometheusText))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
