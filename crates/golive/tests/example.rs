//! End to end on examples/checkout, the README's quick-start repository: the deliberate gaps are
//! found where they are, the deliberate non-gaps are not, and the whole scorecard is snapshotted.

use golive_core::engine::{self, RunOptions};
use golive_core::workspace::{ScanOptions, Workspace};
use golive_core::{Config, Date, Report, Status};
use golive_report::{TextOptions, render_markdown, render_text};
use std::path::Path;

fn report() -> Report {
    let root = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/checkout"
    ));
    let ids = golive_checks::ids();
    let config = Config::load(&root.join("golive.toml"), &ids).expect("example config is valid");
    let ws = Workspace::scan(
        root,
        &ScanOptions {
            exclude: config.exclude_set(),
            ..ScanOptions::default()
        },
    )
    .expect("scan");
    let opts = RunOptions {
        target: "examples/checkout".into(),
        today: Date {
            year: 2026,
            month: 11,
            day: 22,
        },
        golive_version: "test".into(),
    };
    engine::run(&ws, &config, &golive_checks::catalogue(), &opts)
}

fn findings_at(report: &Report, id: &str) -> Vec<String> {
    let check = report.check(id).unwrap_or_else(|| panic!("{id} ran"));
    check
        .findings
        .iter()
        .map(|f| {
            f.location
                .as_ref()
                .map(|l| format!("{}:{}", l.path, l.line))
                .unwrap_or_default()
        })
        .collect()
}

#[test]
fn the_deliberate_gaps_are_found_where_they_are() {
    let r = report();
    assert_eq!(
        findings_at(&r, "delivery/immutable-tags"),
        vec!["deploy/k8s/base/worker.yaml:43"]
    );
    assert_eq!(
        findings_at(&r, "k8s/resources"),
        vec!["deploy/k8s/base/worker.yaml:63"]
    );
    assert_eq!(
        findings_at(&r, "k8s/pod-disruption-budget"),
        vec!["deploy/k8s/base/worker.yaml:11"]
    );
    assert_eq!(
        findings_at(&r, "alerts/for-duration"),
        vec!["deploy/monitoring/prometheusrule.yaml:61"]
    );
    let timeouts = findings_at(&r, "ci/timeouts");
    assert_eq!(timeouts.len(), 1);
    assert!(
        timeouts[0].starts_with(".github/workflows/ci.yml:"),
        "{timeouts:?}"
    );
    assert_eq!(
        findings_at(&r, "terraform/version-pins"),
        vec!["infra/terraform/envs/staging/main.tf:1"]
    );
    // READINESS.md: the restore test is older than its 90 days, the DR drill was never run.
    assert_eq!(
        findings_at(&r, "manual/restore-test"),
        vec!["READINESS.md:20"]
    );
    assert_eq!(findings_at(&r, "manual/dr-drill"), vec!["READINESS.md:23"]);
    for waived in ["terraform/state-locking", "terraform/remote-state"] {
        assert_eq!(
            r.check(waived).map(|c| c.status),
            Some(Status::Waived),
            "{waived}"
        );
    }
}

#[test]
fn the_deliberate_non_gaps_are_not_reported() {
    let r = report();
    for id in [
        "k8s/readiness-probe",
        "k8s/replicas",
        "k8s/service-selects-pods",
        "secrets/committed",
        "alerts/runbook",
        "docker/non-root",
        "ci/pinned-actions",
        "obs/metrics",
        "docs/readme",
        "ownership/codeowners",
        // deploy.yml: tag-triggered, staging then production behind `environment:`, each
        // followed by scripts/smoke-test.sh; overlays per environment.
        "delivery/automated-deploy",
        "delivery/environments",
        "delivery/production-gate",
        "delivery/release-versioning",
        "delivery/smoke-test",
        // READINESS.md: attested, by people and by teams (`@acme/security`), and fresh.
        "manual/on-call",
        "manual/escalation",
        "manual/incident-process",
        "manual/sign-off",
        "manual/security-review",
        "manual/load-test",
        "manual/capacity-plan",
    ] {
        let check = r.check(id).unwrap_or_else(|| panic!("{id} ran"));
        assert_eq!(check.status, Status::Pass, "{id}: {:?}", check.findings);
    }
    let readiness = r.check("k8s/readiness-probe").expect("ran");
    assert!(
        readiness
            .evidence
            .iter()
            .any(|e| e.message.contains("checkout-worker") && e.message.contains("passed over")),
        "{:?}",
        readiness.evidence
    );
    assert!(r.waivers.is_empty(), "{:?}", r.waivers);
    assert!(!r.gate.passed);
}

#[test]
fn scorecard_snapshot() {
    let text = render_text(
        &report(),
        &TextOptions {
            color: false,
            quiet: false,
            max_findings: 0,
        },
    );
    insta::assert_snapshot!("checkout_scorecard", text);
}

#[test]
fn the_alerts_by_signal_table_is_in_text_json_and_markdown() {
    let r = report();
    let check = r.check("alerts/golden-signals").expect("ran");
    let table = check.tables.first().expect("a table");
    assert_eq!(
        table.columns,
        vec!["signal", "alert", "severity", "for", "runbook"]
    );
    assert_eq!(
        table.rows[0],
        vec![
            "errors",
            "CheckoutHighErrorRate",
            "critical",
            "5m",
            "docs/runbooks/checkout.md#checkouthigherrorrate"
        ]
    );
    let markdown = render_markdown(&r);
    assert!(
        markdown.contains(
            "| errors | CheckoutHighErrorRate | critical | 5m | docs/runbooks/checkout.md#checkouthigherrorrate |"
        ),
        "{markdown}"
    );
    let json = golive_report::render_json(&r);
    assert!(json.contains("\"title\": \"Alerts by golden signal\""));
}
