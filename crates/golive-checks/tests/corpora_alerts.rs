//! The alert and metrics checks on real repositories (../shared/corpora, read-only): facts about
//! kube-prometheus' 139 alerting rules and microservices-demo's absence of any, pinned as facts
//! (which rules, which names), not as counts of findings that drift with every new check.

use golive_core::engine::{self, RunOptions};
use golive_core::report::{CheckResult, Report};
use golive_core::workspace::{ScanOptions, Workspace};
use golive_core::{Config, Date, Status};
use std::path::{Path, PathBuf};

fn corpora() -> PathBuf {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpora"
    ));
    assert!(
        dir.join("kube-prometheus/manifests").is_dir(),
        "the shared corpora are not at {}",
        dir.display()
    );
    dir.to_path_buf()
}

/// Runs every check of the catalogue over `root`.
fn scan(root: &Path) -> Report {
    let ws = Workspace::scan(root, &ScanOptions::default()).expect("corpus scans");
    let config = match root.join("golive.toml") {
        p if p.exists() => Config::load(&p, &golive_checks::ids()).expect("golive.toml loads"),
        _ => Config::default(),
    };
    let opts = RunOptions {
        target: root.display().to_string(),
        today: Date {
            year: 2026,
            month: 11,
            day: 22,
        },
        golive_version: "test".into(),
    };
    engine::run(&ws, &config, &golive_checks::catalogue(), &opts)
}

fn check<'r>(report: &'r Report, id: &str) -> &'r CheckResult {
    report
        .checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} did not run"))
}

fn has_evidence(result: &CheckResult, text: &str) -> bool {
    result.evidence.iter().any(|e| e.message.contains(text))
}

/// No check crashed, and every file that parses was read without a parse finding.
fn assert_sound(report: &Report) {
    for c in &report.checks {
        assert!(
            !c.reason
                .as_deref()
                .is_some_and(|r| r.starts_with("internal error")),
            "{} panicked: {:?}",
            c.id,
            c.reason
        );
    }
    if let Some(yaml) = report.checks.iter().find(|c| c.id == "parse/invalid-yaml") {
        assert_eq!(yaml.status, Status::Pass, "{:?}", yaml.findings);
    }
}

/// The alert name a for-duration finding names: "alert `X` has no ...".
fn alert_name(message: &str) -> &str {
    message
        .strip_prefix("alert `")
        .and_then(|rest| rest.split_once('`'))
        .map(|(name, _)| name)
        .unwrap_or(message)
}

/// kube-prometheus' alerts without `for:`: some on purpose (Watchdog and InfoInhibitor always
/// fire; the others alert on a state that is already sustained or a counter).
const WITHOUT_FOR: [&str; 10] = [
    "InfoInhibitor",
    "KubeJobNotCompleted",
    "KubeletClientCertificateExpiration",
    "KubeletClientCertificateExpiration",
    "KubeletServerCertificateExpiration",
    "KubeletServerCertificateExpiration",
    "NodeHighNumberConntrackEntriesUsed",
    "NodeRAIDDiskFailure",
    "NodeTextFileCollectorScrapeError",
    "Watchdog",
];

#[test]
fn kube_prometheus_alerting_rules() {
    let root = corpora().join("kube-prometheus");
    let report = scan(&root);
    assert_sound(&report);

    let exist = check(&report, "alerts/rules-exist");
    assert_eq!(exist.status, Status::Pass);
    assert!(
        has_evidence(exist, "139 alerting rule(s) in 8 file(s)"),
        "{:?}",
        exist.evidence
    );

    let promql = check(&report, "alerts/promql-valid");
    assert_eq!(promql.status, Status::Pass, "{:?}", promql.findings);
    assert!(
        has_evidence(promql, "(139 alerting,"),
        "{:?}",
        promql.evidence
    );

    let severity = check(&report, "alerts/severity-label");
    assert_eq!(severity.status, Status::Pass, "{:?}", severity.findings);
    assert!(has_evidence(
        severity,
        "139 alerting rule(s) carry a known severity"
    ));

    let runbook = check(&report, "alerts/runbook");
    assert_eq!(runbook.status, Status::Pass, "{:?}", runbook.findings);
    assert!(
        has_evidence(
            runbook,
            "139 alerting rule(s) link a runbook that resolves: 139 absolute URL(s), 0 file(s)"
        ),
        "{:?}",
        runbook.evidence
    );

    let for_duration = check(&report, "alerts/for-duration");
    assert_eq!(for_duration.status, Status::Fail);
    let names_where = |what: &str| {
        let mut names: Vec<&str> = for_duration
            .findings
            .iter()
            .filter(|f| f.message.contains(what))
            .map(|f| alert_name(&f.message))
            .collect();
        names.sort_unstable();
        names
    };
    assert_eq!(names_where("has no `for:`"), WITHOUT_FOR);
    // `for: 0s` is written on purpose upstream: an explicit decision, listed in the evidence.
    assert_eq!(for_duration.findings.len(), WITHOUT_FOR.len());
    assert!(
        for_duration
            .evidence
            .iter()
            .any(|e| e.message.contains("KubeNodeEviction") && e.message.contains("on purpose")),
        "{:?}",
        for_duration.evidence
    );
    // Each finding points at its `- alert:` line, where an inline waiver above it applies.
    for f in &for_duration.findings {
        let loc = f.location.as_ref().expect("findings have a location");
        let text = std::fs::read_to_string(root.join(&loc.path)).expect("rule file reads");
        let line = text.lines().nth(loc.line as usize - 1).unwrap_or("");
        assert_eq!(
            line.trim(),
            format!("- alert: {}", alert_name(&f.message)),
            "{}",
            f.message
        );
    }
    assert!(has_evidence(
        for_duration,
        "128 alerting rule(s) wait with `for:`"
    ));

    let metrics = check(&report, "obs/metrics");
    assert_eq!(metrics.status, Status::Pass);
    assert!(
        metrics
            .evidence
            .iter()
            .any(|e| e.message == "ServiceMonitor/prometheus-k8s configures Prometheus scraping"),
        "{:?}",
        metrics.evidence
    );
}

/// How a team says "on purpose": the same rules, with an inline waiver above `Watchdog`.
#[test]
fn kube_prometheus_watchdog_waived_inline() {
    let src = corpora().join("kube-prometheus/manifests");
    let tmp = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(&src).expect("manifests list").flatten() {
        let path = entry.path();
        if path.is_file() {
            let text = std::fs::read_to_string(&path).expect("manifest reads");
            let text = text.replace(
                "    - alert: Watchdog\n",
                "    # golive:ignore alerts/for-duration -- always fires: dead man's switch\n    - alert: Watchdog\n",
            );
            std::fs::write(tmp.path().join(entry.file_name()), text).expect("copy writes");
        }
    }
    let report = scan(tmp.path());
    let for_duration = check(&report, "alerts/for-duration");
    assert_eq!(for_duration.status, Status::Fail);
    assert_eq!(for_duration.findings.len(), 9);
    assert_eq!(for_duration.waived_findings.len(), 1);
    assert_eq!(
        alert_name(&for_duration.waived_findings[0].finding.message),
        "Watchdog"
    );
    assert_eq!(
        for_duration.waived_findings[0].waiver.reason,
        "always fires: dead man's switch"
    );
}

#[test]
fn microservices_demo_has_no_alerting_rules() {
    let report = scan(&corpora().join("microservices-demo"));
    assert_sound(&report);
    let exist = check(&report, "alerts/rules-exist");
    assert_eq!(exist.status, Status::Fail);
    assert_eq!(exist.findings.len(), 1);
    assert!(exist.findings[0].location.is_none());
    for id in [
        "alerts/promql-valid",
        "alerts/for-duration",
        "alerts/severity-label",
        "alerts/runbook",
    ] {
        assert_eq!(check(&report, id).status, Status::NotApplicable, "{id}");
    }
}
