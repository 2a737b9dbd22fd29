//! Scan benchmark: generates a large synthetic repository (20,000+ files of mixed kinds, with a
//! few hundred Kubernetes manifests and Terraform files), then times the full `golive check`
//! pipeline (walk, read, parse, every check, report) and prints files/s and MB/s.
//!
//! `cargo bench -p golive --bench scan` (set GOLIVE_BENCH_FILES to change the size, and
//! GOLIVE_BENCH_KEEP=DIR to write the tree to DIR for `hyperfine 'golive check DIR'`).

use golive_core::engine::{self, RunOptions};
use golive_core::workspace::{ScanOptions, Workspace};
use golive_core::{Config, Date};
use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

fn main() {
    // `cargo test --benches` runs bench targets with --bench absent: keep that quick.
    let quick = !std::env::args().any(|a| a == "--bench");
    let files: usize = std::env::var("GOLIVE_BENCH_FILES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if quick { 500 } else { 20_000 });
    let keep = std::env::var_os("GOLIVE_BENCH_KEEP");
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = keep
        .as_ref()
        .map(Path::new)
        .unwrap_or(tmp.path())
        .to_path_buf();
    let (count, bytes) = generate(&root, files);
    println!(
        "generated {count} files, {:.1} MB in {}",
        bytes as f64 / 1e6,
        root.display()
    );

    let catalogue = golive_checks::catalogue();
    let opts = RunOptions {
        target: ".".into(),
        today: Date::today(),
        golive_version: "bench".into(),
    };
    let runs = if quick { 1 } else { 5 };
    let mut best = Duration::MAX;
    let mut findings = 0;
    for _ in 0..runs {
        let started = Instant::now();
        let ws = Workspace::scan(&root, &ScanOptions::default()).expect("scan");
        let report = engine::run(&ws, &Config::default(), &catalogue, &opts);
        let took = started.elapsed();
        best = best.min(took);
        findings = report.checks.iter().map(|c| c.findings.len()).sum();
        assert_eq!(report.files.scanned as usize, count);
    }
    let secs = best.as_secs_f64();
    println!(
        "full check (best of {runs}): {:.0} ms · {:.0} files/s · {:.0} MB/s · {} checks · {findings} findings",
        secs * 1000.0,
        count as f64 / secs,
        bytes as f64 / 1e6 / secs,
        catalogue.len(),
    );
}

/// Writes `n` files of mixed kinds; returns (files, bytes).
fn generate(root: &Path, n: usize) -> (usize, u64) {
    let mut bytes = 0u64;
    let mut write = |path: String, text: String| {
        let p = root.join(&path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        bytes += text.len() as u64;
        std::fs::write(p, text).expect("write");
    };
    write(
        "README.md".into(),
        "# Bench service\n\n## Running\n\n`make run`\n\n## Testing\n\n`make test`\n".into(),
    );
    write(".github/workflows/ci.yml".into(), "on: [pull_request]\npermissions: {contents: read}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    timeout-minutes: 15\n    steps:\n      - uses: actions/checkout@v4\n      - run: cargo test\n".into());
    let mut count = 2;
    let mut i = 0;
    while count < n {
        let svc = i % 97;
        let (path, text) = match i % 50 {
            0 => (format!("deploy/svc{svc}/deployment-{i}.yaml"), manifest(i)),
            1 => (format!("infra/mod{svc}/main-{i}.tf"), terraform(i)),
            2 => (format!("services/svc{svc}/Dockerfile.{i}"), dockerfile(i)),
            3 | 4 => (format!("docs/svc{svc}/page-{i}.md"), markdown(i)),
            5..=9 => (format!("config/svc{svc}/settings-{i}.json"), json(i)),
            10..=14 => (format!("config/svc{svc}/values-{i}.yaml"), values(i)),
            15..=32 => (format!("services/svc{svc}/src/module_{i}.rs"), rust(i)),
            _ => (format!("services/svc{svc}/pkg/file_{i}.go"), go(i)),
        };
        write(path, text);
        count += 1;
        i += 1;
    }
    (count, bytes)
}

fn manifest(i: usize) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-{i}\n  labels: {{app: svc-{i}}}\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {{app: svc-{i}}}\n  template:\n    metadata:\n      labels: {{app: svc-{i}}}\n    spec:\n      containers:\n      - name: app\n        image: registry.example.com/svc:{i}.0.1\n        ports: [{{containerPort: 8080}}]\n        readinessProbe: {{httpGet: {{path: /readyz, port: 8080}}}}\n        livenessProbe: {{httpGet: {{path: /livez, port: 8080}}}}\n        resources:\n          requests: {{cpu: 100m, memory: 128Mi}}\n          limits: {{memory: 256Mi}}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: svc-{i}\nspec:\n  selector: {{app: svc-{i}}}\n  ports: [{{port: 80, targetPort: 8080}}]\n"
    )
}

fn terraform(i: usize) -> String {
    format!(
        "terraform {{\n  required_version = \">= 1.10\"\n  backend \"s3\" {{\n    bucket       = \"state-{i}\"\n    key          = \"svc/terraform.tfstate\"\n    region       = \"eu-west-1\"\n    encrypt      = true\n    use_lockfile = true\n  }}\n}}\n\nresource \"aws_s3_bucket\" \"data_{i}\" {{\n  bucket = \"data-{i}\"\n  tags = {{ team = \"core\" }}\n}}\n"
    )
}

fn dockerfile(i: usize) -> String {
    format!(
        "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app{i} ./cmd/app\n\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=build /out/app{i} /app\nUSER nonroot\nENTRYPOINT [\"/app\"]\n"
    )
}

fn markdown(i: usize) -> String {
    let mut s = format!("# Page {i}\n\n");
    for p in 0..20 {
        let _ = writeln!(
            s,
            "## Section {p}\n\nSome prose about the service, its dependencies and how to operate it in production. Paragraph {p} of page {i}.\n"
        );
    }
    s
}

fn json(i: usize) -> String {
    let mut s = String::from("{\n");
    for k in 0..40 {
        let _ = writeln!(
            s,
            "  \"key_{k}\": {{\"value\": {}, \"name\": \"setting-{i}-{k}\", \"enabled\": true}},",
            i * k
        );
    }
    s.push_str("  \"end\": null\n}\n");
    s
}

fn values(i: usize) -> String {
    let mut s = format!("service: svc-{i}\nsettings:\n");
    for k in 0..40 {
        let _ = writeln!(
            s,
            "  key_{k}:\n    value: {}\n    name: setting-{i}-{k}\n    tags: [a, b, c]",
            i + k
        );
    }
    s
}

fn rust(i: usize) -> String {
    let mut s = format!("//! Module {i}.\n\nuse std::collections::HashMap;\n\n");
    for f in 0..15 {
        let _ = writeln!(
            s,
            "/// Function {f}.\npub fn function_{f}(input: &HashMap<String, u64>) -> u64 {{\n    input.values().copied().filter(|v| v % {} == 0).sum()\n}}\n",
            f + 2
        );
    }
    s.push_str("#[cfg(test)]\nmod tests {\n    #[test]\n    fn works() {\n        assert_eq!(super::function_0(&Default::default()), 0);\n    }\n}\n");
    s
}

fn go(i: usize) -> String {
    let mut s = format!("package pkg{}\n\nimport \"fmt\"\n\n", i % 97);
    for f in 0..15 {
        let _ = writeln!(
            s,
            "// Func{f} does work.\nfunc Func{f}_{i}(xs []int) int {{\n\ttotal := 0\n\tfor _, x := range xs {{\n\t\ttotal += x * {f}\n\t}}\n\tfmt.Println(total)\n\treturn total\n}}\n"
        );
    }
    s
}
