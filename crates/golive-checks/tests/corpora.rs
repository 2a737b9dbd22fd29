//! Every check over real repositories (../shared/corpora, read-only): pins down facts a precise
//! tool must get right about them, not counts of findings. Each area keeps its own test
//! functions; the helpers at the top are shared.

use golive_core::engine::{self, RunOptions};
use golive_core::report::CheckResult;
use golive_core::workspace::{ScanOptions, Workspace};
use golive_core::{Config, Date, Report, Severity, Status};
use std::path::PathBuf;

/// The shared corpora, next to the project checkout.
fn corpora_root() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpora"
    ))
}

/// Runs the whole catalogue over one corpus; None (with a message) when it is not there.
fn scan(name: &str) -> Option<Report> {
    let root = corpora_root().join(name);
    if !root.is_dir() {
        eprintln!(
            "skipping: corpus {} not found (expected at {})",
            name,
            root.display()
        );
        return None;
    }
    let ws = Workspace::scan(&root, &ScanOptions::default()).expect("corpus scans");
    let opts = RunOptions {
        target: name.into(),
        today: Date {
            year: 2026,
            month: 11,
            day: 22,
        },
        golive_version: "test".into(),
    };
    Some(engine::run(
        &ws,
        &Config::default(),
        &golive_checks::catalogue(),
        &opts,
    ))
}

fn check<'r>(report: &'r Report, id: &str) -> &'r CheckResult {
    report
        .checks
        .iter()
        .find(|c| c.id == id)
        .unwrap_or_else(|| panic!("{id} did not run"))
}

/// Findings of a check whose path starts with `prefix`: (path, line, severity, message).
fn findings_under<'r>(
    result: &'r CheckResult,
    prefix: &str,
) -> Vec<(&'r str, u32, Severity, &'r str)> {
    result
        .findings
        .iter()
        .filter_map(|f| {
            let l = f.location.as_ref()?;
            l.path.starts_with(prefix).then_some((
                l.path.as_str(),
                l.line,
                f.severity,
                f.message.as_str(),
            ))
        })
        .collect()
}

/// Evidence messages of a check whose path starts with `prefix`.
fn evidence_under<'r>(result: &'r CheckResult, prefix: &str) -> Vec<&'r str> {
    result
        .evidence
        .iter()
        .filter(|e| e.path.as_deref().is_some_and(|p| p.starts_with(prefix)))
        .map(|e| e.message.as_str())
        .collect()
}

/// No check crashed or could not be evaluated, and every YAML file parsed.
fn assert_no_errors(report: &Report) {
    for c in &report.checks {
        assert_ne!(
            c.status,
            Status::Error,
            "{} could not be evaluated: {:?}",
            c.id,
            c.reason
        );
    }
    let yaml = check(report, "parse/invalid-yaml");
    assert_eq!(
        yaml.status,
        Status::Pass,
        "valid files reported broken: {:#?}",
        yaml.findings
    );
}

/// The Deployments of microservices-demo/kubernetes-manifests that a Service sends traffic to.
const SERVING: &[&str] = &[
    "adservice",
    "cartservice",
    "checkoutservice",
    "currencyservice",
    "emailservice",
    "frontend",
    "paymentservice",
    "productcatalogservice",
    "recommendationservice",
    "redis-cart",
    "shippingservice",
];

#[test]
fn k8s_microservices_demo() {
    let Some(report) = scan("microservices-demo") else {
        return;
    };
    assert_no_errors(&report);
    let manifests = "kubernetes-manifests/";

    // Every traffic-serving Deployment has a readiness probe; loadgenerator serves nothing and
    // is passed over with that reason, not flagged.
    let readiness = check(&report, "k8s/readiness-probe");
    assert!(
        findings_under(readiness, manifests).is_empty(),
        "{:#?}",
        findings_under(readiness, manifests)
    );
    let evidence = evidence_under(readiness, manifests);
    for name in SERVING {
        assert!(
            evidence
                .iter()
                .any(|e| e.starts_with(&format!("Deployment/{name}: container"))
                    && e.contains("has a readinessProbe")),
            "no readiness evidence for {name}: {evidence:#?}"
        );
    }
    assert!(
        evidence.iter().any(|e| e
            .starts_with("Deployment/loadgenerator: container `main` passed over")
            && e.contains("no Service in the scan selects its pod")),
        "{evidence:#?}"
    );
    assert!(
        !readiness
            .findings
            .iter()
            .any(|f| f.message.contains("loadgenerator")),
        "loadgenerator must not be a readiness finding anywhere"
    );

    // Every container sets requests and limits (the corpus README's fact). loadgenerator's
    // `frontend-check` init container, a busybox wait loop, sets none: noted, not a finding.
    let resources = check(&report, "k8s/resources");
    assert!(
        findings_under(resources, manifests).is_empty(),
        "{:#?}",
        findings_under(resources, manifests)
    );
    assert!(
        evidence_under(resources, manifests)
            .iter()
            .any(|e| e.contains("init container `frontend-check`")),
        "the init container is noted"
    );
    let evidence = evidence_under(resources, manifests);
    for name in SERVING.iter().chain(&["loadgenerator"]) {
        assert!(
            evidence
                .iter()
                .any(|e| e.starts_with(&format!("Deployment/{name}: container"))
                    && e.contains("limits")),
            "no resources evidence for {name}: {evidence:#?}"
        );
    }

    // None runs more than one replica: every Deployment there is a replicas finding, and with
    // no multi-replica workload the PDB check does not apply.
    let replicas = check(&report, "k8s/replicas");
    let single = findings_under(replicas, manifests);
    for name in SERVING.iter().chain(&["loadgenerator"]) {
        assert!(
            single
                .iter()
                .any(|(_, _, _, m)| m.contains(&format!("Deployment/{name} runs 1 replica"))),
            "no replicas finding for {name}: {single:#?}"
        );
    }
    let pdb = check(&report, "k8s/pod-disruption-budget");
    assert_eq!(pdb.status, Status::NotApplicable, "{pdb:#?}");

    // The Services select the Deployments they are meant for, and the Gateway route exists.
    let services = check(&report, "k8s/service-selects-pods");
    assert_eq!(services.status, Status::Pass, "{:#?}", services.findings);

    // The one plain-text credential is the shopping assistant's GOOGLE_API_KEY placeholder,
    // which a script replaces with the real key before deploy; ALLOYDB_SECRET_NAME is a name.
    let secrets = check(&report, "k8s/secrets-not-in-config");
    let leaks: Vec<&str> = secrets
        .findings
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert_eq!(leaks.len(), 1, "{leaks:#?}");
    assert!(leaks[0].contains("`GOOGLE_API_KEY`"), "{leaks:#?}");

    // The release manifests pin versions; `redis:alpine` moves with every Redis release.
    let tags = check(&report, "delivery/immutable-tags");
    let release = findings_under(tags, "release/");
    assert_eq!(release.len(), 1, "{release:#?}");
    assert!(release[0].3.contains("`redis:alpine`"), "{release:#?}");
}

#[test]
fn k8s_kube_prometheus() {
    let Some(report) = scan("kube-prometheus") else {
        return;
    };
    assert_no_errors(&report);

    // The PDBs are matched to the workloads they protect. Alertmanager and Prometheus are
    // operator resources whose pods carry spec.podMetadata.labels plus the operator's labels:
    // they count as the workloads (with their spec.replicas), not as missing ones.
    let pdb = check(&report, "k8s/pod-disruption-budget");
    assert_eq!(pdb.status, Status::Pass, "{:#?}", pdb.findings);
    let matched = evidence_under(pdb, "manifests/");
    for (budget, workload) in [
        (
            "PodDisruptionBudget/alertmanager-main",
            "Alertmanager/main (3 replicas)",
        ),
        (
            "PodDisruptionBudget/prometheus-k8s",
            "Prometheus/k8s (2 replicas)",
        ),
        (
            "PodDisruptionBudget/prometheus-adapter",
            "Deployment/prometheus-adapter (2 replicas)",
        ),
    ] {
        assert!(
            matched.iter().any(|e| e.starts_with(budget)
                && e.contains(workload)
                && e.contains("allows 1 disruption")),
            "{budget} not matched to {workload}: {matched:#?}"
        );
    }

    // Every Service selects pods, the operator-managed ones included.
    let services = check(&report, "k8s/service-selects-pods");
    assert_eq!(services.status, Status::Pass, "{:#?}", services.findings);
    let selected = evidence_under(services, "manifests/");
    for (service, pods) in [
        ("Service/alertmanager-main", "Alertmanager/main"),
        ("Service/prometheus-k8s", "Prometheus/k8s"),
        ("Service/node-exporter", "DaemonSet/node-exporter"),
    ] {
        assert!(
            selected
                .iter()
                .any(|e| e.starts_with(service) && e.ends_with(pods)),
            "{service} does not select {pods}: {selected:#?}"
        );
    }

    // The multi-replica workloads pass; the single-replica Deployments are findings.
    let replicas = check(&report, "k8s/replicas");
    let single: Vec<&str> = replicas
        .findings
        .iter()
        .map(|f| f.message.as_str())
        .collect();
    assert!(
        single.iter().all(|m| !m.contains("Alertmanager/main")
            && !m.contains("Prometheus/k8s")
            && !m.contains("prometheus-adapter")),
        "{single:#?}"
    );
    assert!(
        single
            .iter()
            .any(|m| m.contains("Deployment/grafana runs 1 replica")),
        "{single:#?}"
    );

    // Grafana's dashboards come as a ConfigMapList: its items are read as ConfigMaps (more
    // than the three standalone ConfigMap documents), and none holds a credential.
    let secrets = check(&report, "k8s/secrets-not-in-config");
    assert_eq!(secrets.status, Status::Pass, "{:#?}", secrets.findings);
    let read = secrets
        .evidence
        .iter()
        .find_map(|e| e.message.split_once(" ConfigMap(s)"))
        .and_then(|(n, _)| n.parse::<usize>().ok());
    assert!(read.is_some_and(|n| n > 3), "{:#?}", secrets.evidence);

    // Every container sets its resources; every image is pinned to a version.
    assert_eq!(check(&report, "k8s/resources").status, Status::Pass);
    let tags = check(&report, "delivery/immutable-tags");
    assert_eq!(tags.status, Status::Pass, "{:#?}", tags.findings);
}

#[test]
fn k8s_probe_path_served() {
    // The corpora hold manifests and docs only (no source code was copied): there is no code
    // to compare the probes' paths with, and the check says so rather than guessing.
    for name in ["microservices-demo", "kube-prometheus"] {
        let Some(report) = scan(name) else {
            return;
        };
        let served = check(&report, "k8s/probe-path-served");
        assert_eq!(served.status, Status::NotApplicable, "{name}: {served:#?}");
        assert!(
            served
                .reason
                .as_deref()
                .is_some_and(|r| r.starts_with("no application source code in the repository")),
            "{name}: {:?}",
            served.reason
        );
    }

    // With the frontend's code beside them, microservices-demo's manifests pass: upstream's
    // src/frontend/main.go declares the probe path on a gorilla/mux router under a base URL
    // read at run time (`r.HandleFunc(baseUrl + "/_healthz", ...)`), which matches on its
    // literal suffix. The gRPC services' grpc probes are passed over (not httpGet).
    let root = corpora_root().join("microservices-demo");
    if !root.is_dir() {
        return;
    }
    let corpus = Workspace::scan(&root, &ScanOptions::default()).expect("corpus scans");
    let mut files: Vec<(String, String)> = corpus
        .files()
        .iter()
        .map(|f| (f.path.clone(), f.text.clone()))
        .collect();
    files.push((
        "src/frontend/main.go".into(),
        "package main\n\nimport (\n\t\"fmt\"\n\t\"net/http\"\n\t\"os\"\n\n\t\"github.com/gorilla/mux\"\n)\n\nfunc main() {\n\tbaseUrl := os.Getenv(\"BASE_URL\")\n\tr := mux.NewRouter()\n\tr.HandleFunc(baseUrl + \"/\", svc.homeHandler).Methods(http.MethodGet, http.MethodHead)\n\tr.HandleFunc(baseUrl + \"/cart\", svc.addToCartHandler).Methods(http.MethodPost)\n\tr.HandleFunc(baseUrl + \"/_healthz\", func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, \"ok\") })\n\thttp.ListenAndServe(\":8080\", r)\n}\n".into(),
    ));
    let ws = Workspace::from_files(files);
    let opts = RunOptions {
        target: "microservices-demo".into(),
        today: Date {
            year: 2026,
            month: 11,
            day: 22,
        },
        golive_version: "test".into(),
    };
    let check_only = golive_checks::find("k8s/probe-path-served").expect("registered");
    let report = engine::run(&ws, &Config::default(), &[check_only], &opts);
    let served = check(&report, "k8s/probe-path-served");
    assert_eq!(served.status, Status::Pass, "{served:#?}");
    let evidence: Vec<&str> = served.evidence.iter().map(|e| e.message.as_str()).collect();
    for manifest in [
        "kubernetes-manifests/frontend.yaml",
        "release/kubernetes-manifests.yaml",
        "kustomize/base/frontend.yaml",
    ] {
        for probe in ["readinessProbe", "livenessProbe"] {
            assert!(
                evidence.iter().any(|e| e.starts_with(&format!(
                    "Deployment/frontend: container `server`'s {probe} path `/_healthz` ({manifest}:"
                )) && e.contains("gorilla/mux route `/_healthz`")
                    && e.contains("matched on its literal suffix")),
                "{manifest} {probe}: {evidence:#?}"
            );
        }
    }
    assert!(
        served
            .evidence
            .iter()
            .filter(|e| e.path.as_deref() == Some("src/frontend/main.go"))
            .all(|e| e.line == Some(16)),
        "{evidence:#?}"
    );
    assert!(
        evidence.iter().any(|e| e.starts_with(
            "Deployment/cartservice: container `server`'s readinessProbe (grpc), livenessProbe (grpc) passed over"
        )),
        "grpc probes are not httpGet probes: {evidence:#?}"
    );
}
