//! Every real repository in ../shared/corpora is scanned with every check: nothing panics, no
//! check ends in `error`, every valid YAML file parses and Helm templates are recognised as
//! templates (not reported as broken YAML, not checked as if rendered).

use golive_core::engine::{self, RunOptions};
use golive_core::workspace::{FileKind, ScanOptions, Workspace};
use golive_core::{Config, Date, Status};
use std::path::PathBuf;

fn corpus(name: &str) -> PathBuf {
    let p = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpora"
    ))
    .join(name);
    assert!(
        p.is_dir(),
        "corpus {} not found: the tests read ../shared/corpora next to the repository",
        p.display()
    );
    p
}

fn scan(name: &str) -> (Workspace, golive_core::Report) {
    let ws = Workspace::scan(&corpus(name), &ScanOptions::default()).expect("scan");
    let opts = RunOptions {
        target: name.into(),
        today: Date {
            year: 2026,
            month: 11,
            day: 22,
        },
        golive_version: "test".into(),
    };
    let report = engine::run(&ws, &Config::default(), &golive_checks::catalogue(), &opts);
    (ws, report)
}

#[test]
fn every_corpus_scans_with_every_check_and_no_errors() {
    for name in ["microservices-demo", "kube-prometheus"] {
        let (ws, report) = scan(name);
        assert!(
            ws.files().len() > 50,
            "{name}: only {} files read",
            ws.files().len()
        );
        assert_eq!(
            ws.skipped().non_utf8 + ws.skipped().unreadable,
            0,
            "{name}: {:?}",
            ws.skipped()
        );
        for check in &report.checks {
            assert_ne!(
                check.status,
                Status::Error,
                "{name}: {} ended in error: {:?}",
                check.id,
                check.reason
            );
        }
        let yaml = report
            .check("parse/invalid-yaml")
            .expect("parse/invalid-yaml ran");
        assert_eq!(yaml.status, Status::Pass, "{name}: {:?}", yaml.findings);
    }
}

#[test]
fn helm_chart_templates_are_templates_not_broken_yaml() {
    let (ws, _) = scan("microservices-demo");
    let templates: Vec<&str> = ws
        .files_of(FileKind::HelmTemplate)
        .map(|f| f.path.as_str())
        .collect();
    assert!(templates.len() >= 10, "{templates:?}");
    assert!(
        templates
            .iter()
            .all(|p| p.starts_with("helm-chart/templates/")),
        "{templates:?}"
    );
    assert!(
        ws.kube_objects()
            .all(|o| !o.file.path.starts_with("helm-chart/templates/"))
    );
    assert!(
        ws.has(golive_core::Facet::Helm)
            && ws.has(golive_core::Facet::Kubernetes)
            && ws.has(golive_core::Facet::Kustomize)
    );
}

#[test]
fn kube_prometheus_facets_include_rules_and_alertmanager() {
    let (ws, _) = scan("kube-prometheus");
    for facet in [
        golive_core::Facet::Kubernetes,
        golive_core::Facet::PrometheusRules,
        golive_core::Facet::Alertmanager,
    ] {
        assert!(ws.has(facet), "{facet} not detected");
    }
}
