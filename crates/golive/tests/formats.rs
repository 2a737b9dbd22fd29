//! Every output format on a small repository with a pass, failures, a waiver, a repository-level
//! finding and a not-applicable check (tests/data/formats-repo), snapshotted exactly; SARIF is
//! validated against the SARIF 2.1.0 JSON schema, on that repository and on the full example.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/formats-repo");
const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/checkout");

/// `golive check DIR --format FORMAT` from the directory above DIR (so reports name it by its
/// folder name only): its standard output and exit code.
fn run(dir: &str, format: &str) -> (String, i32) {
    let path = Path::new(dir);
    let parent = path.parent().expect("fixture has a parent");
    let name = path.file_name().expect("fixture has a name");
    let out = Command::cargo_bin("golive")
        .expect("binary built")
        .current_dir(parent)
        .env("NO_COLOR", "1")
        .args(["check", "--no-progress", "--format", format])
        .arg(name)
        .output()
        .expect("golive runs");
    (
        String::from_utf8(out.stdout).expect("UTF-8 output"),
        out.status.code().unwrap_or(-1),
    )
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({ snapshot_path => "snapshots", prepend_module_to_snapshot => false, omit_expression => true }, {
        insta::assert_snapshot!(name, text);
    });
}

fn sarif_validator() -> jsonschema::Validator {
    let schema: Value = serde_json::from_str(include_str!("data/sarif-2.1.0.schema.json"))
        .expect("the SARIF schema is JSON");
    jsonschema::validator_for(&schema).expect("the SARIF schema compiles")
}

fn assert_valid_sarif(text: &str) -> Value {
    let log: Value = serde_json::from_str(text).expect("SARIF output is JSON");
    let validator = sarif_validator();
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");
    log
}

#[test]
fn sarif_is_valid_and_points_at_the_findings() {
    let (text, code) = run(REPO, "sarif");
    assert_eq!(code, 1, "the gate fails: findings with severity error");
    let log = assert_valid_sarif(&text);
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules array");
    let ids: Vec<&str> = rules.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "ownership/codeowners",
            "ci/timeouts",
            "k8s/readiness-probe",
            "k8s/replicas",
            "k8s/resources",
            "terraform/state-locking"
        ]
    );
    // Help comes from the check's own docs.
    let help = rules[4]["help"]["markdown"]
        .as_str()
        .expect("help markdown");
    assert!(help.starts_with("## What it checks"), "{help}");
    let mut lines = Vec::new();
    for r in run["results"].as_array().expect("results array") {
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(
            rules[index]["id"], r["ruleId"],
            "ruleIndex points at its rule"
        );
        let fp = r["partialFingerprints"]["golive/v1"]
            .as_str()
            .expect("fingerprint");
        assert_eq!(fp.len(), 16, "{fp}");
        let loc = &r["locations"][0]["physicalLocation"];
        let region = &loc["region"];
        lines.push(format!(
            "{} {} {}:{}:{}-{}:{} suppressed={} {}",
            r["ruleId"].as_str().unwrap_or_default(),
            r["level"].as_str().unwrap_or_default(),
            loc["artifactLocation"]["uri"]
                .as_str()
                .unwrap_or("(repository)"),
            region["startLine"],
            region["startColumn"],
            region["endLine"],
            region["endColumn"],
            r["suppressions"][0]["justification"]
                .as_str()
                .unwrap_or("no"),
            r["message"]["text"].as_str().unwrap_or_default(),
        ));
    }
    snapshot("formats-sarif-results", &lines.join("\n"));
}

#[test]
fn sarif_of_the_whole_example_is_valid() {
    let (text, _) = run(EXAMPLE, "sarif");
    let log = assert_valid_sarif(&text);
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert_eq!(rules.len(), golive_checks::catalogue().len());
    assert!(
        log["runs"][0]["results"]
            .as_array()
            .is_some_and(|r| !r.is_empty())
    );
}

#[test]
fn the_schema_rejects_what_it_should() {
    // The validator is only an assertion if it can fail: a region with line 0 is invalid SARIF.
    let (text, _) = run(REPO, "sarif");
    let mut log: Value = serde_json::from_str(&text).expect("JSON");
    log["runs"][0]["results"][1]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        Value::from(0);
    assert!(!sarif_validator().is_valid(&log));
}

#[test]
fn junit_has_one_testcase_per_check() {
    let (text, code) = run(REPO, "junit");
    assert_eq!(code, 1);
    snapshot("formats-junit", &text);
}

#[test]
fn markdown_is_a_pull_request_comment() {
    let (text, _) = run(REPO, "markdown");
    snapshot("formats-markdown", &text);
}

#[test]
fn github_annotates_the_findings_lines() {
    let (text, _) = run(REPO, "github");
    snapshot("formats-github", &text);
}

#[test]
fn the_badge_shows_the_level_and_score() {
    let dir = tempfile::tempdir().expect("tempdir");
    let badge = dir.path().join("badge.svg");
    let status = Command::cargo_bin("golive")
        .expect("binary built")
        .args(["check", "--quiet", "--no-progress", "--badge"])
        .arg(&badge)
        .arg(REPO)
        .output()
        .expect("golive runs")
        .status;
    assert_eq!(status.code(), Some(1));
    let svg = std::fs::read_to_string(&badge).expect("badge written");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains(">no level · 40%</text>"), "{svg}");
    snapshot("formats-badge", &svg);
}

/// The Chromium binary: `GOLIVE_CHROMIUM`, else `chromium` on PATH (`.ci/setup` installs it).
fn chromium() -> std::path::PathBuf {
    if let Some(p) = std::env::var_os("GOLIVE_CHROMIUM") {
        return p.into();
    }
    for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
        for name in ["chromium", "chromium-browser", "google-chrome"] {
            let p = dir.join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!("no Chromium found: run .ci/setup (installs Debian's chromium) or set GOLIVE_CHROMIUM");
}

fn headless(args: &[&str], page: &Path) -> std::process::Output {
    std::process::Command::new(chromium())
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
        ])
        .args(args)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs")
}

#[test]
fn html_is_one_offline_page_that_chromium_renders() {
    let (html, code) = run(REPO, "html");
    assert_eq!(code, 1);
    // Self-contained: nothing is fetched.
    for needle in ["<link", " src=", "@import", "url(http"] {
        assert!(
            !html.contains(needle),
            "the page fetches something: {needle}"
        );
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let page = dir.path().join("report.html");
    std::fs::write(&page, &html).expect("write page");
    let out = headless(&["--dump-dom"], &page);
    let dom = String::from_utf8_lossy(&out.stdout);
    // The page's script ran: it counted 3 findings in 6 checks and filled the counter.
    assert!(
        dom.contains("data-rendered=\"findings:3;checks:6\""),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dom.contains("<span id=\"shown-findings\" class=\"muted\">3 findings shown</span>"));
    assert!(
        dom.contains("class=\"hide-ok\""),
        "passing checks start hidden"
    );
    assert!(dom.contains(
        "<span class=\"verdict not-ready\" id=\"verdict\">NOT READY: target level bronze not reached (level: none); 2 finding(s) with severity error</span>"
    ));
    assert_eq!(
        dom.matches("class=\"bar\"").count(),
        3,
        "one bar per category that applies"
    );
    assert!(dom.contains("<span class=\"n\">19</span>          resources:</span>"));
    // A screenshot for people to look at (kept in the target dir).
    let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("golive-report.png");
    let _ = std::fs::remove_file(&shot);
    let arg = format!("--screenshot={}", shot.display());
    headless(&[&arg, "--window-size=1280,1600"], &page);
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    assert!(
        png.len() > 20_000,
        "a page was drawn, not a blank: {} bytes",
        png.len()
    );
}
