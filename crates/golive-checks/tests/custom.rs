//! Custom checks in Rego (`[[custom]]`) end to end: a broken policy stops only its own check, a
//! looping one is stopped, and a conftest-style policy set gives exact findings on a real
//! repository.

use golive_core::engine::{self, RunOptions};
use golive_core::workspace::{ScanOptions, Workspace};
use golive_core::{Check, Config, Date, Report, Status};
use std::path::{Path, PathBuf};

fn opts() -> RunOptions {
    RunOptions {
        target: ".".into(),
        today: Date {
            year: 2026,
            month: 11,
            day: 22,
        },
        golive_version: "test".into(),
    }
}

/// Writes `files` into a temporary folder and loads its golive.toml.
fn setup(files: &[(&str, &str)]) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    let config = Config::load(&dir.path().join("golive.toml"), &golive_checks::ids()).unwrap();
    (dir, config)
}

/// The catalogue plus the custom checks of `config`, run on `root`.
fn run(root: &Path, config: &Config) -> Report {
    let ws = Workspace::scan(root, &ScanOptions::default()).unwrap();
    let custom = golive_checks::custom::checks(config);
    let mut checks: Vec<&dyn Check> = golive_checks::catalogue()
        .into_iter()
        .map(|c| c as &dyn Check)
        .collect();
    checks.extend(custom.iter().map(|c| c as &dyn Check));
    engine::run(&ws, config, &checks, &opts())
}

fn status(report: &Report, id: &str) -> Status {
    report
        .checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} did not run"))
        .status
}

const DEPLOYMENT: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: ghcr.io/acme/web:1.0.0\n";

#[test]
fn a_broken_policy_stops_only_its_own_check() {
    let (dir, config) = setup(&[
        (
            "golive.toml",
            "select = [\"custom\", \"k8s/replicas\"]\n\n[[custom]]\nname = \"broken\"\npolicy = \"policy/broken.rego\"\n\n[[custom]]\nname = \"replicas\"\npolicy = \"policy/replicas.rego\"\n",
        ),
        (
            "policy/broken.rego",
            "package main\n\ndeny[msg] {\n  msg := \"unterminated\n}\n",
        ),
        (
            "policy/replicas.rego",
            "package main\n\ndeny[msg] {\n  input.kind == \"Deployment\"\n  input.spec.replicas < 2\n  msg := sprintf(\"%s runs a single replica\", [input.metadata.name])\n}\n",
        ),
        ("deploy/web.yaml", DEPLOYMENT),
    ]);
    let report = run(dir.path(), &config);
    assert_eq!(status(&report, "custom/broken"), Status::Error);
    let broken = report
        .checks
        .iter()
        .find(|c| c.id == "custom/broken")
        .unwrap();
    let at = broken.findings[0].location.as_ref().unwrap();
    assert_eq!(at.path, "policy/broken.rego");
    assert!(at.line >= 4, "{at:?}");
    assert_eq!(status(&report, "custom/replicas"), Status::Fail);
    let replicas = report
        .checks
        .iter()
        .find(|c| c.id == "custom/replicas")
        .unwrap();
    assert_eq!(replicas.findings.len(), 1);
    assert_eq!(
        replicas.findings[0].message,
        "Deployment/web: web runs a single replica"
    );
    assert_eq!(replicas.findings[0].location.as_ref().unwrap().line, 1);
    // The built-in checks ran as usual.
    assert_eq!(status(&report, "k8s/replicas"), Status::Fail);
}

#[test]
fn a_looping_policy_is_stopped() {
    let (dir, config) = setup(&[
        (
            "golive.toml",
            "select = [\"custom\"]\n\n[[custom]]\nname = \"slow\"\npolicy = \"policy/slow.rego\"\n",
        ),
        (
            "policy/slow.rego",
            "package main\n\nimport rego.v1\n\ndeny contains msg if {\n  n := count([x | some i in numbers.range(1, 100000); some j in numbers.range(1, 100000); x := i * j])\n  n > 0\n  msg := \"never\"\n}\n",
        ),
        ("deploy/web.yaml", DEPLOYMENT),
        ("deploy/api.yaml", &DEPLOYMENT.replace("web", "api")),
    ]);
    let started = std::time::Instant::now();
    let report = run(dir.path(), &config);
    assert!(started.elapsed().as_secs() < 30, "{:?}", started.elapsed());
    let slow = report
        .checks
        .iter()
        .find(|c| c.id == "custom/slow")
        .unwrap();
    assert_eq!(slow.status, Status::Error);
    let reason = slow.reason.as_deref().unwrap_or_default();
    assert!(reason.contains("policy/slow.rego"), "{reason}");
    assert!(reason.to_lowercase().contains("time"), "{reason}");
}

fn microservices_demo() -> Option<PathBuf> {
    let root = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpora/microservices-demo"
    ));
    root.is_dir().then_some(root)
}

#[test]
fn conftest_policies_on_microservices_demo() {
    let Some(root) = microservices_demo() else {
        eprintln!("skipping: corpus microservices-demo not found");
        return;
    };
    let dir = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/custom/microservices-demo"
    ));
    let mut config =
        Config::load(&dir.join("golive.toml"), &golive_checks::ids()).expect("config loads");
    config.select = vec!["custom/shop-policies".into()];
    let report = run(&root, &config);
    let result = report
        .checks
        .iter()
        .find(|c| c.id == "custom/shop-policies")
        .expect("ran");
    assert_eq!(result.status, Status::Fail, "{:?}", result.reason);
    let findings: Vec<String> = result
        .findings
        .iter()
        .map(|f| {
            let at = f.location.as_ref().unwrap();
            format!("{}:{} {} {}", at.path, at.line, f.severity, f.message)
        })
        .collect();
    assert_eq!(
        findings,
        [
            // redis:alpine is the one tagged image whose tag is not a version.
            "kubernetes-manifests/cartservice.yaml:118 error Deployment/redis-cart: container redis uses the mutable tag alpine",
            // frontend-external is the one Service that is not ClusterIP (data.yaml allows only it).
            "kubernetes-manifests/frontend.yaml:130 warning Service frontend-external is of type LoadBalancer, which needs a network review",
        ]
    );
}
