//! Throughput of the secret scanner's pass (prefilter + windowed rule regexes + validation) over
//! ~50 MB of generated, realistic mixed repository text: code, manifests, workflows, docs,
//! lockfiles, logs and base64 blobs, with a few credentials and many near misses.
//!
//! `cargo bench -p golive-checks --bench secrets` (one thread: the pass over one file at a
//! time, as the check runs it per file).

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;

// The scanner is private to golive-checks; the bench compiles its two modules directly (the
// scanner reaches the rules as `super::rules`, which resolves here as it does in the crate).
#[allow(dead_code, unused_imports)]
#[path = "../src/secrets/rules.rs"]
mod rules;
#[allow(dead_code, unused_imports)]
#[path = "../src/secrets/scanner.rs"]
mod scanner;

use rules::FileClass;
use scanner::Scanner;

const TARGET_BYTES: usize = 50 * 1024 * 1024;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chars(&mut self, charset: &str, len: usize) -> String {
        let cs = charset.as_bytes();
        (0..len).map(|_| cs[self.below(cs.len())] as char).collect()
    }
}

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const BASE64: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const HEX: &str = "0123456789abcdef";
const WORDS: &[&str] = &[
    "service", "request", "handler", "config", "deploy", "cluster", "metrics", "latency", "user",
    "order", "payment", "session", "cache", "database", "replica", "timeout", "retry", "health",
    "probe", "key", "queue", "worker", "image", "version", "the", "a", "is", "when", "should",
    "rollout", "alert", "budget", "error", "rate", "p99", "pod", "node", "upstream", "client",
];

fn ident(rng: &mut Rng) -> String {
    format!("{}_{}", rng.pick(WORDS), rng.pick(WORDS))
}

fn code_file(rng: &mut Rng, lines: usize) -> String {
    let mut s = String::from("use std::collections::HashMap;\n\n");
    for _ in 0..lines {
        let line = match rng.below(40) {
            0 => format!(
                "    let {} = std::env::var(\"{}\")?;\n",
                ident(rng),
                ident(rng).to_uppercase()
            ),
            1 => format!(
                "    // See https://docs.rs/{}/latest/{}/ for details.\n",
                rng.pick(WORDS),
                rng.pick(WORDS)
            ),
            2 => format!(
                "    fn {}(&self, token: &str) -> Result<{}, Error> {{\n",
                ident(rng),
                rng.pick(WORDS)
            ),
            3 => format!(
                "        let password_hash = hash(&{}, &{});\n",
                ident(rng),
                ident(rng)
            ),
            4 => format!(
                "        self.tokenizer.push({}.len() as u64 * {});\n",
                ident(rng),
                rng.below(1000)
            ),
            5 => format!(
                "        if {} > self.{} {{ return Err(Error::Timeout); }}\n",
                ident(rng),
                ident(rng)
            ),
            6 => format!(
                "    const {}: &str = \"{}\";\n",
                ident(rng).to_uppercase(),
                rng.chars(HEX, 40)
            ),
            7 => format!(
                "        let {} = self.{}.iter().map(|x| x.{}()).collect::<Vec<_>>();\n",
                ident(rng),
                ident(rng),
                rng.pick(WORDS)
            ),
            8 => "    }\n\n".to_string(),
            9 => format!(
                "    #[derive(Debug, Clone)]\n    pub struct {} {{\n",
                rng.pick(WORDS)
            ),
            _ => format!(
                "        let {} = {}.get(&{}).cloned().unwrap_or_default();\n",
                ident(rng),
                ident(rng),
                ident(rng)
            ),
        };
        s.push_str(&line);
    }
    s
}

fn manifest_file(rng: &mut Rng, docs: usize) -> String {
    let mut s = String::new();
    for _ in 0..docs {
        let name = rng.pick(WORDS);
        s.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  labels:\n    app.kubernetes.io/name: {name}\nspec:\n  replicas: {}\n  template:\n    spec:\n      containers:\n        - name: {name}\n          image: ghcr.io/acme/{name}@sha256:{}\n          env:\n            - name: LOG_LEVEL\n              value: info\n            - name: DATABASE_PASSWORD\n              valueFrom:\n                secretKeyRef: {{ name: {name}-db, key: password }}\n          readinessProbe:\n            httpGet: {{ path: /healthz, port: 8080 }}\n",
            rng.below(5) + 1,
            rng.chars(HEX, 64)
        ));
    }
    s
}

fn docs_file(rng: &mut Rng, paragraphs: usize) -> String {
    let mut s = String::from("# Runbook\n\n");
    for _ in 0..paragraphs {
        let words: Vec<&str> = (0..60).map(|_| rng.pick(WORDS)).collect();
        s.push_str(&words.join(" "));
        s.push_str(&format!(
            ". See [the dashboard](https://grafana.internal/d/{}/{}) and https://github.com/acme/{}/issues/{}.\n\n",
            rng.chars(ALNUM, 9),
            rng.pick(WORDS),
            rng.pick(WORDS),
            rng.below(5000)
        ));
    }
    s
}

fn lockfile(rng: &mut Rng, packages: usize) -> String {
    let mut s = String::from("{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n");
    for _ in 0..packages {
        let name = format!("{}-{}", rng.pick(WORDS), rng.pick(WORDS));
        s.push_str(&format!(
            "    \"node_modules/{name}\": {{\n      \"version\": \"{}.{}.{}\",\n      \"resolved\": \"https://registry.npmjs.org/{name}/-/{name}-1.0.0.tgz\",\n      \"integrity\": \"sha512-{}==\"\n    }},\n",
            rng.below(10),
            rng.below(30),
            rng.below(30),
            rng.chars(BASE64, 86)
        ));
    }
    s.push_str("  }\n}\n");
    s
}

fn log_file(rng: &mut Rng, lines: usize) -> String {
    let mut s = String::new();
    for _ in 0..lines {
        let h = rng.chars(HEX, 32);
        s.push_str(&format!(
            "2026-11-22T10:{:02}:{:02}Z level=info msg=\"{} {}\" request_id={}-{}-{}-{}-{} commit={} duration_ms={}\n",
            rng.below(60),
            rng.below(60),
            rng.pick(WORDS),
            rng.pick(WORDS),
            &h[..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..],
            rng.chars(HEX, 40),
            rng.below(900)
        ));
    }
    s
}

fn blob_file(rng: &mut Rng, lines: usize) -> String {
    let mut s = String::from(
        "<svg xmlns=\"http://www.w3.org/2000/svg\"><image href=\"data:image/png;base64,",
    );
    for _ in 0..lines {
        s.push_str(&rng.chars(BASE64, 76));
    }
    s.push_str("\"/></svg>\n");
    s
}

/// A few real-format credentials (about one per megabyte), so the matching path is measured too.
fn with_secret(rng: &mut Rng, mut text: String) -> String {
    if rng.below(64) == 0 {
        text.push_str(&format!(
            "GITHUB_TOKEN=ghp_{}\nAWS_ACCESS_KEY_ID=AKIA{}\n",
            rng.chars(ALNUM, 36),
            rng.chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
        ));
    }
    text
}

fn corpus() -> Vec<(String, String)> {
    let mut rng = Rng(42);
    let mut files = Vec::new();
    let mut total = 0;
    let mut n = 0;
    while total < TARGET_BYTES {
        n += 1;
        let kind = rng.below(10);
        let size = rng.below(1000);
        let (path, text) = match kind {
            0..=3 => (
                format!("src/m{n}.rs"),
                code_file(&mut rng, 200 + size * 2 / 5),
            ),
            4 | 5 => (
                format!("deploy/m{n}.yaml"),
                manifest_file(&mut rng, 4 + size / 50),
            ),
            6 => (format!("docs/p{n}.md"), docs_file(&mut rng, 10 + size / 25)),
            7 => (
                format!("web{n}/package-lock.json"),
                lockfile(&mut rng, 50 + size / 5),
            ),
            8 => (
                format!("logs/l{n}.log"),
                log_file(&mut rng, 100 + size * 3 / 10),
            ),
            _ => (
                format!("assets/i{n}.svg"),
                blob_file(&mut rng, 50 + size / 5),
            ),
        };
        let text = with_secret(&mut rng, text);
        total += text.len();
        files.push((path, text));
    }
    files
}

fn bench(c: &mut Criterion) {
    let files: Vec<(FileClass, String)> = corpus()
        .into_iter()
        .map(|(path, text)| (FileClass::of(&path), text))
        .collect();
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let scanner = Scanner::builtin();
    let found: usize = files.iter().map(|(c, t)| scanner.scan(t, *c).len()).sum();
    eprintln!(
        "secrets bench: {} files, {:.1} MB, {} rules, {found} matches (secrets and placeholders)",
        files.len(),
        bytes as f64 / 1e6,
        scanner.rules().len()
    );
    let mut group = c.benchmark_group("secrets");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(10);
    group.bench_function("scan-mixed-50MB", |b| {
        b.iter(|| {
            files
                .iter()
                .map(|(class, text)| black_box(scanner.scan(text, *class)).len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
