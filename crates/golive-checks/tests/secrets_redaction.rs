//! secrets/committed never prints a secret: every generated value of its fixtures is absent from
//! the rendered reports (JSON and text), snippets included, while the findings are there with
//! their redacted form.

#[allow(dead_code)]
mod support;

use golive_core::engine::{self, RunOptions};
use golive_core::workspace::{ScanOptions, Workspace};
use golive_core::{Config, Date, Status};
use golive_report::{TextOptions, render_json, render_text};
use std::path::Path;

fn fixtures() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/secrets/committed")
}

/// Copies a fixture, expanding `{{fake:…}}`, and returns every generated value.
fn materialise(src: &Path, dst: &Path, fakes: &mut Vec<String>) {
    for entry in std::fs::read_dir(src).unwrap().flatten() {
        let target = dst.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            materialise(&entry.path(), &target, fakes);
        } else {
            let bytes = std::fs::read(entry.path()).unwrap();
            match String::from_utf8(bytes) {
                Ok(text) => {
                    fakes.extend(support::fakes_in(&text));
                    std::fs::write(&target, support::expand(&text)).unwrap();
                }
                Err(e) => std::fs::write(&target, e.into_bytes()).unwrap(),
            }
        }
    }
}

/// The parts of a generated value that must not be printed: the value, and for multi-line or
/// JSON-escaped values (private keys), each line of it.
fn secret_parts(value: &str) -> Vec<String> {
    let mut parts = vec![value.to_string()];
    for line in value.split('\n').flat_map(|l| l.split("\\n")) {
        let line = line.trim();
        if line.len() >= 12 && !line.starts_with("-----") {
            parts.push(line.to_string());
        }
    }
    parts
}

#[test]
fn no_generated_secret_appears_in_any_rendered_report() {
    let check = golive_checks::find("secrets/committed").expect("the check is registered");
    let mut cases: Vec<_> = std::fs::read_dir(fixtures())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    let mut reported = 0;
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let tmp = tempfile::tempdir().unwrap();
        let mut fakes = Vec::new();
        materialise(&case, tmp.path(), &mut fakes);
        let ws = Workspace::scan(tmp.path(), &ScanOptions::default()).unwrap();
        let toml = tmp.path().join("golive.toml");
        let mut config = if toml.exists() {
            Config::load(&toml, &golive_checks::ids()).unwrap()
        } else {
            Config::default()
        };
        config.select = vec!["secrets/committed".into()];
        let opts = RunOptions {
            target: ".".into(),
            today: Date {
                year: 2026,
                month: 11,
                day: 22,
            },
            golive_version: "test".into(),
        };
        let report = engine::run(&ws, &config, &[check], &opts);
        let json = render_json(&report);
        let text = render_text(
            &report,
            &TextOptions {
                color: false,
                quiet: false,
                max_findings: 0,
            },
        );
        for fake in &fakes {
            for part in secret_parts(fake) {
                assert!(!json.contains(&part), "{name}: JSON shows a secret: {part}");
                assert!(!text.contains(&part), "{name}: text shows a secret: {part}");
            }
        }
        // The findings are there, with snippets that show the redacted form instead.
        let result = &report.checks[0];
        if result.status == Status::Fail {
            for f in &result.findings {
                assert!(f.message.contains("…fp:"), "{name}: {}", f.message);
                let snippet = f.snippet.as_ref().expect("findings have snippets");
                assert!(snippet.text.contains("…fp:"), "{name}: {}", snippet.text);
                reported += 1;
            }
        }
    }
    assert!(reported >= 30, "only {reported} findings were checked");
}

/// docker/no-secrets names the variable or file, never the value: no generated value of its
/// fixtures is in the rendered reports, and value findings show `<redacted>` in their snippets.
#[test]
fn docker_no_secrets_never_prints_a_value() {
    let check = golive_checks::find("docker/no-secrets").expect("the check is registered");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/docker/no-secrets");
    let mut cases: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    cases.sort();
    let mut redacted = 0;
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let tmp = tempfile::tempdir().unwrap();
        let mut fakes = Vec::new();
        materialise(&case, tmp.path(), &mut fakes);
        let ws = Workspace::scan(tmp.path(), &ScanOptions::default()).unwrap();
        let config = Config {
            select: vec!["docker/no-secrets".into()],
            ..Config::default()
        };
        let opts = RunOptions {
            target: ".".into(),
            today: Date {
                year: 2026,
                month: 11,
                day: 22,
            },
            golive_version: "test".into(),
        };
        let report = engine::run(&ws, &config, &[check], &opts);
        let json = render_json(&report);
        let text = render_text(
            &report,
            &TextOptions {
                color: false,
                quiet: false,
                max_findings: 0,
            },
        );
        for fake in &fakes {
            for part in secret_parts(fake) {
                assert!(!json.contains(&part), "{name}: JSON shows a secret: {part}");
                assert!(!text.contains(&part), "{name}: text shows a secret: {part}");
            }
        }
        for f in &report.checks[0].findings {
            let snippet = f.snippet.as_ref().map(|s| s.text.as_str()).unwrap_or("");
            if snippet.contains("<redacted>") {
                redacted += 1;
            }
        }
    }
    assert!(redacted >= 2, "only {redacted} snippets were redacted");
}
