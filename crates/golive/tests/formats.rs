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
