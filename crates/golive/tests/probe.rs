//! `golive probe` and `golive check --probe` as users run them, against the test servers of
//! golive-probe (started on 127.0.0.1:0).

#[path = "../../golive-probe/tests/support/mod.rs"]
mod support;

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;
use support::{Kind, start};

fn golive() -> Command {
    let mut cmd = Command::cargo_bin("golive").expect("binary built");
    cmd.env_remove("NO_COLOR");
    cmd
}

/// A folder with a golive.toml that keeps live/keepalive short (1 s load-balancer timeout) and
/// live/latency's load short (10 rps for 2 s).
fn repo(extra: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |path: &str, text: &str| {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    };
    write(
        "golive.toml",
        "[probe]\nlb_idle_timeout_s = 1\nlatency = { rps = 10, duration_s = 2, p95_ms = 100 }\n",
    );
    for (path, text) in extra {
        write(path, text);
    }
    dir
}

fn config(dir: &Path) -> String {
    dir.join("golive.toml").display().to_string()
}

#[test]
fn probe_of_a_good_service_exits_0_and_a_flawed_one_exits_1() {
    let dir = repo(&[]);
    let good = start(Kind::Good);
    golive()
        .args([
            "probe",
            &good.url(),
            "--config",
            &config(dir.path()),
            "--color",
            "never",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Live service"))
        .stdout(predicate::str::contains("READY"));
    let flawed = start(Kind::Flawed);
    let out = golive()
        .args([
            "probe",
            &flawed.url(),
            "--config",
            &config(dir.path()),
            "--format",
            "json",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json report");
    assert_eq!(v["target"], flawed.url());
    let failing: Vec<&str> = v["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == "fail")
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(failing.len(), 9, "{failing:?}");
}

#[test]
fn budget_and_select_flags_are_honoured() {
    let dir = repo(&[]);
    let good = start(Kind::Good);
    golive()
        .args([
            "probe",
            &good.url(),
            "--config",
            &config(dir.path()),
            "--select",
            "live/health",
            "--budget",
            "1",
            "--format",
            "json",
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"live/health\""))
        .stdout(predicate::str::contains("\"live/keepalive\"").not());
    assert!(good.requests() <= 1);
    golive()
        .args([
            "probe",
            &good.url(),
            "--config",
            &config(dir.path()),
            "--ignore",
            "live",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no live check is selected"));
    golive()
        .args(["probe", &good.url(), "--select", "live/helth"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `live/health`"));
}

#[test]
fn an_unreachable_or_missing_target_is_a_usage_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    golive()
        .args(["probe", &format!("http://127.0.0.1:{port}/")])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unreachable"));
    let dir = tempfile::tempdir().expect("tempdir");
    golive()
        .current_dir(dir.path())
        .arg("probe")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no URL to probe"));
}

#[test]
fn check_with_probe_merges_live_checks_and_uses_the_readiness_path() {
    let dir = repo(&[(
        "deploy/web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: app\n        image: shop/web:1.2.3\n        readinessProbe:\n          httpGet: {path: /internal/ready, port: 8080}\n",
    )]);
    let good = start(Kind::Good);
    let out = golive()
        .args([
            "check",
            "--probe",
            &good.url(),
            "--format",
            "json",
            "--select",
            "k8s/readiness-probe",
            "--select",
            "live/health",
        ])
        .arg(dir.path())
        .assert()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("json report");
    let ids: Vec<&str> = v["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(ids, ["k8s/readiness-probe", "live/health"]);
    let categories: Vec<&str> = v["categories"]
        .as_array()
        .expect("categories")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert!(categories.contains(&"live"), "{categories:?}");
    // The readinessProbe path was tried first: one request found the health endpoint.
    assert!(String::from_utf8_lossy(&out).contains("/internal/ready answers 200"));
    assert_eq!(good.requests(), 1);
    golive()
        .args(["check", "--probe", &good.url()])
        .arg(dir.path())
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("give one PATH"));
}

#[test]
fn a_live_sarif_report_is_valid_sarif_with_the_live_rules() {
    let dir = repo(&[]);
    let flawed = start(Kind::Flawed);
    let out = golive()
        .args([
            "probe",
            &flawed.url(),
            "--config",
            &config(dir.path()),
            "--format",
            "sarif",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let log: serde_json::Value = serde_json::from_slice(&out).expect("SARIF is JSON");
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("data/sarif-2.1.0.schema.json")).expect("schema");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "SARIF schema violations: {errors:#?}");
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("live/error-hygiene"));
}
