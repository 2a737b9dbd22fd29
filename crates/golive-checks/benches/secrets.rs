//! Throughput of the secret scanner's pass (prefilter + windowed rule regexes + validation) over
//! a generated tree of realistic mixed repository text (code, manifests, Terraform, workflows,
//! docs, lockfiles, logs and base64 blobs, with a few credentials and many near misses), written
//! to a temporary directory and read back, as the check reads a repository.
//!
//! `cargo bench -p golive-checks --bench secrets`; the tree's size is
//! `GOLIVE_BENCH_SECRETS_MB` megabytes (default 512). It prints the throughput of the pass over
//! all files in parallel (rayon, as the check runs it) and on one thread, in wall time and (on
//! Linux) per CPU-second, which a machine shared with other jobs disturbs less.

use rayon::prelude::*;
use std::hint::black_box;
use std::time::{Duration, Instant};

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

/// The tree's size: `GOLIVE_BENCH_SECRETS_MB` (default 512) megabytes.
fn target_bytes() -> usize {
    std::env::var("GOLIVE_BENCH_SECRETS_MB")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(512)
        * 1024
        * 1024
}

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

fn terraform_file(rng: &mut Rng, resources: usize) -> String {
    let mut s = String::from("terraform {\n  required_version = \">= 1.5\"\n}\n\n");
    for _ in 0..resources {
        let name = ident(rng);
        s.push_str(&format!(
            "resource \"aws_db_instance\" \"{name}\" {{\n  identifier        = \"{name}\"\n  engine            = \"postgres\"\n  instance_class    = \"db.t3.{}\"\n  username          = \"app\"\n  password          = var.db_password\n  kms_key_id        = aws_kms_key.{name}.arn\n  tags = {{\n    commit = \"{}\"\n  }}\n}}\n\n",
            rng.pick(WORDS),
            rng.chars(HEX, 40)
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
    let target = target_bytes();
    while total < target {
        n += 1;
        let kind = rng.below(11);
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
            9 => (
                format!("infra/t{n}.tf"),
                terraform_file(&mut rng, 20 + size / 10),
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

fn gbps(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / d.as_secs_f64() / 1e9
}

/// CPU time used so far by this process (all threads), or by the calling thread, from Linux's
/// /proc (`None` elsewhere). On a machine shared with other jobs, wall time measures the load as
/// much as the scanner: CPU time is the steadier measure.
fn cpu_time(thread: bool) -> Option<Duration> {
    if thread {
        // The first field is the time spent on a CPU, in nanoseconds.
        let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        return Some(Duration::from_nanos(
            s.split_whitespace().next()?.parse().ok()?,
        ));
    }
    // utime and stime (fields 14 and 15), in clock ticks (100 per second on Linux); the command
    // (field 2) is in parentheses and may contain spaces.
    let s = std::fs::read_to_string("/proc/self/stat").ok()?;
    let mut fields = s.get(s.rfind(')')? + 2..)?.split_whitespace().skip(11);
    let ticks: u64 = fields.next()?.parse::<u64>().ok()? + fields.next()?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// Runs `pass` `runs` times and returns the fastest and the median durations, the least CPU
/// time of a run (of the process, or of this thread if `thread`), and the pass's result.
fn time(
    runs: usize,
    thread: bool,
    mut pass: impl FnMut() -> usize,
) -> (Duration, Duration, Option<Duration>, usize) {
    let mut times = Vec::new();
    let mut cpu: Option<Duration> = None;
    let mut found = 0;
    for _ in 0..runs {
        let c = cpu_time(thread);
        let t = Instant::now();
        found = black_box(pass());
        times.push(t.elapsed());
        if let (Some(before), Some(after)) = (c, cpu_time(thread)) {
            let used = after.saturating_sub(before);
            cpu = Some(cpu.map_or(used, |c| c.min(used)));
        }
    }
    times.sort();
    (times[0], times[times.len() / 2], cpu, found)
}

/// `, CPU 1.234s = 0.45 GB/s per CPU-second`, or nothing without a CPU time.
fn per_cpu(bytes: usize, cpu: Option<Duration>) -> String {
    cpu.map(|c| {
        format!(
            ", CPU {:.3}s = {:.2} GB/s per CPU-second",
            c.as_secs_f64(),
            gbps(bytes, c)
        )
    })
    .unwrap_or_default()
}

fn main() {
    // `cargo bench` passes `--bench` (and maybe a filter); nothing to parse.
    let t = Instant::now();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let mut paths = Vec::new();
    for (path, text) in corpus() {
        let p = dir.path().join(&path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).expect("create a directory");
        }
        std::fs::write(&p, text).expect("write a file");
        paths.push(path);
    }
    let generated = t.elapsed();
    let files: Vec<(FileClass, String)> = paths
        .par_iter()
        .map(|path| {
            let text = std::fs::read_to_string(dir.path().join(path)).expect("read a file");
            (FileClass::of(path), text)
        })
        .collect();
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let scanner = Scanner::builtin();
    eprintln!(
        "secrets bench: {} files, {:.1} MB in {} (generated and written in {:.1}s), {} rules, {} thread(s)",
        files.len(),
        bytes as f64 / 1e6,
        dir.path().display(),
        generated.as_secs_f64(),
        scanner.rules().len(),
        rayon::current_num_threads()
    );
    let (best, median, cpu, found) = time(5, false, || {
        files
            .par_iter()
            .map(|(class, text)| scanner.scan(text, *class).len())
            .sum::<usize>()
    });
    eprintln!(
        "secrets/scan-parallel: best {:.3}s = {:.2} GB/s, median {:.3}s = {:.2} GB/s{} ({found} matches: secrets and placeholders)",
        best.as_secs_f64(),
        gbps(bytes, best),
        median.as_secs_f64(),
        gbps(bytes, median),
        per_cpu(bytes, cpu)
    );
    let (best, median, cpu, _) = time(3, true, || {
        files
            .iter()
            .map(|(class, text)| scanner.scan(text, *class).len())
            .sum::<usize>()
    });
    eprintln!(
        "secrets/scan-one-thread: best {:.3}s = {:.2} GB/s, median {:.3}s = {:.2} GB/s{}",
        best.as_secs_f64(),
        gbps(bytes, best),
        median.as_secs_f64(),
        gbps(bytes, median),
        per_cpu(bytes, cpu)
    );
}
