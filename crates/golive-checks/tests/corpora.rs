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

    // None runs more than one replica: every Deployment there is a replicas finding (named with
    // the kustomization that deploys it; loadgenerator.yaml is not in it), and with
    // no multi-replica workload the PDB check does not apply.
    let replicas = check(&report, "k8s/replicas");
    let single = findings_under(replicas, manifests);
    for name in SERVING.iter().chain(&["loadgenerator"]) {
        assert!(
            single
                .iter()
                .any(|(_, _, _, m)| m.contains(&format!("Deployment/{name} "))
                    && m.contains(" runs 1 replica")),
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

/// Messages of a check's findings.
fn messages(result: &CheckResult) -> Vec<&str> {
    result.findings.iter().map(|f| f.message.as_str()).collect()
}

#[test]
fn k8s_container_settings_microservices_demo() {
    let Some(report) = scan("microservices-demo") else {
        return;
    };
    let manifests = "kubernetes-manifests/";

    // Every object uses a served, non-deprecated apiVersion.
    let apis = check(&report, "k8s/deprecated-api");
    assert_eq!(apis.status, Status::Pass, "{:#?}", apis.findings);

    // `redis:alpine` has no imagePullPolicy, so Kubernetes pulls it IfNotPresent: a node keeps
    // the Redis it pulled first. The services' bare images default to Always and are passed.
    let pull = check(&report, "k8s/image-pull-policy");
    let found = findings_under(pull, manifests);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].0, "kubernetes-manifests/cartservice.yaml");
    assert!(
        found[0].3.contains("`redis:alpine`") && found[0].3.contains("IfNotPresent by default"),
        "{found:#?}"
    );
    assert!(
        messages(pull)
            .iter()
            .all(|m| m.starts_with("Deployment/redis-cart:")),
        "{:#?}",
        pull.findings
    );

    // The services are hardened (non-root, no escalation, read-only, no capabilities); the
    // optional shopping assistant component alone writes `readOnlyRootFilesystem: false`.
    let security = check(&report, "k8s/security-context");
    assert!(findings_under(security, manifests).is_empty());
    let found = findings_under(security, "");
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(
        found[0].0,
        "kustomize/components/shopping-assistant/shoppingassistantservice.yaml"
    );
    assert_eq!(found[0].2, Severity::Warning);
    assert!(
        found[0]
            .3
            .starts_with("Deployment/shoppingassistantservice: container `server`")
            && found[0]
                .3
                .ends_with("readOnlyRootFilesystem: true (it is set to false)"),
        "{found:#?}"
    );

    // No probe waits long and nothing runs a JVM (adservice is Java, but its image name does not
    // say so): nothing to ask a startup probe of.
    let startup = check(&report, "k8s/startup-probe");
    assert_eq!(startup.status, Status::NotApplicable, "{startup:#?}");

    // No Deployment sets a strategy: the default rolling update keeps capacity.
    let rolling = check(&report, "k8s/rolling-update");
    assert_eq!(rolling.status, Status::Pass, "{:#?}", rolling.findings);

    // No serving container has a preStop hook and the corpus holds no code: a warning for each
    // serving Deployment, none for loadgenerator (it serves nothing).
    let shutdown = check(&report, "k8s/graceful-shutdown");
    let found = findings_under(shutdown, manifests);
    for name in SERVING {
        assert!(
            found
                .iter()
                .any(|f| f.3.starts_with(&format!("Deployment/{name}:"))
                    && f.3.contains("has no preStop hook")),
            "{name}: {found:#?}"
        );
    }
    assert!(found.iter().all(|f| f.2 == Severity::Warning));
    assert!(
        !found.iter().any(|f| f.3.contains("loadgenerator")),
        "{found:#?}"
    );
}

#[test]
fn k8s_container_settings_kube_prometheus() {
    let Some(report) = scan("kube-prometheus") else {
        return;
    };

    // Current APIs throughout (policy/v1 PDBs, networking.k8s.io/v1 NetworkPolicies).
    let apis = check(&report, "k8s/deprecated-api");
    assert_eq!(apis.status, Status::Pass, "{:#?}", apis.findings);

    // Every image names a version, so the default IfNotPresent is safe.
    let pull = check(&report, "k8s/image-pull-policy");
    assert_eq!(pull.status, Status::Pass, "{:#?}", pull.findings);

    // Every container is hardened; the operator's Prometheus and Alertmanager pods are noted,
    // not checked.
    let security = check(&report, "k8s/security-context");
    assert_eq!(security.status, Status::Pass, "{:#?}", security.findings);
    let noted = evidence_under(security, "manifests/");
    for operated in ["Alertmanager/main", "Prometheus/k8s"] {
        assert!(
            noted
                .iter()
                .any(|e| e.starts_with(operated) && e.contains("not checked")),
            "{operated}: {noted:#?}"
        );
    }

    // Rolling updates keep capacity: node-exporter replaces 10% of nodes at a time and
    // prometheus-adapter one of its two pods.
    let rolling = check(&report, "k8s/rolling-update");
    assert_eq!(rolling.status, Status::Pass, "{:#?}", rolling.findings);
    let strategies = evidence_under(rolling, "manifests/");
    assert!(
        strategies
            .iter()
            .any(|e| e.starts_with("DaemonSet/node-exporter") && e.contains("maxUnavailable 10%")),
        "{strategies:#?}"
    );
    assert!(
        strategies
            .iter()
            .any(|e| e.starts_with("Deployment/prometheus-adapter")
                && e.contains("maxSurge 1, maxUnavailable 1 on 2 replicas")),
        "{strategies:#?}"
    );

    // No preStop hooks: the containers that declare ports are warned about; a container
    // without ports beside one that declares them (kube-state-metrics behind kube-rbac-proxy,
    // the configmap reloader) is not serving and is passed over.
    let shutdown = check(&report, "k8s/graceful-shutdown");
    let warned = messages(shutdown);
    assert!(
        warned
            .iter()
            .any(|m| m.starts_with("Deployment/grafana: container `grafana`")),
        "{warned:#?}"
    );
    for quiet in [
        "container `kube-state-metrics`",
        "container `module-configmap-reloader`",
        "DaemonSet/node-exporter: container `node-exporter`",
    ] {
        assert!(
            !warned.iter().any(|m| m.contains(quiet)),
            "{quiet}: {warned:#?}"
        );
    }
    assert!(
        shutdown
            .findings
            .iter()
            .all(|f| f.severity == Severity::Warning)
    );
}

/// Cross-object facts about kube-prometheus: what its NetworkPolicies, PDBs and Services select,
/// and which replicated workloads are not spread.
#[test]
fn k8s_cross_objects_kube_prometheus() {
    let Some(report) = scan("kube-prometheus") else {
        return;
    };

    // Each of the eight NetworkPolicies selects the component it is named after, the
    // operator-managed Alertmanager and Prometheus included: every workload is covered.
    let policies = check(&report, "k8s/network-policy");
    assert_eq!(policies.status, Status::Pass, "{:#?}", policies.findings);
    let matched = evidence_under(policies, "manifests/");
    for (policy, workload) in [
        ("NetworkPolicy/alertmanager-main", "Alertmanager/main"),
        (
            "NetworkPolicy/blackbox-exporter",
            "Deployment/blackbox-exporter",
        ),
        ("NetworkPolicy/grafana", "Deployment/grafana"),
        (
            "NetworkPolicy/kube-state-metrics",
            "Deployment/kube-state-metrics",
        ),
        ("NetworkPolicy/node-exporter", "DaemonSet/node-exporter"),
        ("NetworkPolicy/prometheus-k8s", "Prometheus/k8s"),
        (
            "NetworkPolicy/prometheus-adapter",
            "Deployment/prometheus-adapter",
        ),
        (
            "NetworkPolicy/prometheus-operator",
            "Deployment/prometheus-operator",
        ),
    ] {
        assert!(
            matched
                .iter()
                .any(|e| *e == format!("{policy} selects the pods of {workload}")),
            "{policy} not matched to {workload}: {matched:#?}"
        );
    }

    // The three PDBs select their workloads (pinned in k8s_kube_prometheus): none selects
    // nothing, and no pods are under two budgets.
    let pdb = check(&report, "k8s/pod-disruption-budget");
    assert!(
        !pdb.findings
            .iter()
            .any(|f| f.message.contains("selects no pods")
                || f.message.contains("PodDisruptionBudgets (")),
        "{:#?}",
        pdb.findings
    );

    // Every Service targetPort is a named port some selected container declares.
    let services = check(&report, "k8s/service-selects-pods");
    let ports = evidence_under(services, "manifests/");
    for (service, resolved) in [
        (
            "Service/grafana: port `http`",
            "containerPort 3000 of Deployment/grafana's container `grafana`",
        ),
        (
            "Service/node-exporter: port `https`",
            "containerPort 9100 of DaemonSet/node-exporter's container `kube-rbac-proxy`",
        ),
        (
            "Service/prometheus-adapter: port `https`",
            "containerPort 6443 of Deployment/prometheus-adapter's container `prometheus-adapter`",
        ),
    ] {
        assert!(
            ports
                .iter()
                .any(|e| e.starts_with(service) && e.ends_with(resolved)),
            "{service} does not resolve to {resolved}: {ports:#?}"
        );
    }

    // The replicated workloads set no anti-affinity or spread constraint (kube-prometheus
    // leaves that to an optional addon): true findings, and only those three.
    let spread = check(&report, "k8s/spread");
    let unspread: Vec<&str> = spread.findings.iter().map(|f| f.message.as_str()).collect();
    assert_eq!(unspread.len(), 3, "{unspread:#?}");
    for name in [
        "Alertmanager/main runs 3 replicas",
        "Prometheus/k8s runs 2 replicas",
        "Deployment/prometheus-adapter runs 2 replicas",
    ] {
        assert!(
            unspread.iter().any(|m| m.starts_with(name)),
            "{unspread:#?}"
        );
    }

    // No Ingress or Gateway ships with kube-prometheus.
    assert_eq!(
        check(&report, "k8s/ingress-tls").status,
        Status::NotApplicable
    );
}

/// Cross-object facts about microservices-demo: Service ports resolve, the optional
/// network-policies component covers only the kustomize base, the Gateway serves plain HTTP.
#[test]
fn k8s_cross_objects_microservices_demo() {
    let Some(report) = scan("microservices-demo") else {
        return;
    };
    let manifests = "kubernetes-manifests/";

    // Every Service's targetPort resolves to a containerPort of the Deployment it selects.
    let services = check(&report, "k8s/service-selects-pods");
    let ports = evidence_under(services, manifests);
    for name in SERVING {
        assert!(
            ports
                .iter()
                .any(|e| e.starts_with(&format!("Service/{name}: port"))
                    && e.contains("targets containerPort")
                    && e.contains(&format!("of Deployment/{name}'s container"))),
            "Service/{name}'s targetPort does not resolve: {ports:#?}"
        );
    }
    // The Gateway API route asks for port 80, which Service/frontend exposes.
    assert!(
        evidence_under(services, "release/").contains(
            &"HTTPRoute/frontend-route routes to Service/frontend port 80, which the Service exposes"
        ),
        "{:#?}",
        evidence_under(services, "release/")
    );

    // No NetworkPolicy is deployed with kubernetes-manifests/ (the corpus README's fact); the
    // kustomize overlays that include the network-policies component would select them, and are
    // named in the finding.
    let policies = check(&report, "k8s/network-policy");
    let unselected = findings_under(policies, manifests);
    for name in SERVING.iter().chain(&["loadgenerator"]) {
        assert!(
            unselected
                .iter()
                .any(|(_, _, _, m)| m.starts_with(&format!("Deployment/{name}"))
                    && m.contains("no NetworkPolicy selects its pods")
                    && m.contains(&format!("NetworkPolicy/{name} in kustomize/tests/"))),
            "no network-policy finding for {name}: {unselected:#?}"
        );
    }
    // Rendered with the component (the kustomize/tests overlays), the base's Deployments are
    // selected; the default kustomize overlay leaves the component out, so there they are not.
    let component = evidence_under(policies, "kustomize/components/network-policies/");
    assert!(
        component.iter().any(|e| e.starts_with(
            "NetworkPolicy/cartservice selects the pods of Deployment/cartservice in kustomize/tests/"
        ) && e.contains("(from the kustomize component `kustomize/components/network-policies`")),
        "{component:#?}"
    );
    let base = findings_under(policies, "kustomize/base/");
    assert!(!base.is_empty());
    assert!(
        base.iter()
            .all(|(_, _, _, m)| m.contains(" in kustomize: no NetworkPolicy selects its pods")),
        "{base:#?}"
    );

    // The Istio Gateway API Gateway listens on plain HTTP only.
    let tls = check(&report, "k8s/ingress-tls");
    let plain = findings_under(tls, "release/istio-manifests.yaml");
    assert!(
        plain.len() == 1
            && plain[0]
                .3
                .starts_with("Gateway/istio-gateway has no HTTPS listener"),
        "{plain:#?}"
    );

    // Every serving Deployment has a fixed replica count and no autoscaler; loadgenerator
    // serves nothing and is passed over.
    let autoscaling = check(&report, "k8s/autoscaling");
    let fixed = findings_under(autoscaling, manifests);
    for name in SERVING {
        assert!(
            fixed
                .iter()
                .any(|(_, _, _, m)| m.starts_with(&format!("Deployment/{name} serves Service/"))),
            "no autoscaling finding for {name}: {fixed:#?}"
        );
    }
    assert!(!fixed.iter().any(|(_, _, _, m)| m.contains("loadgenerator")));

    // Every workload runs one replica: nothing to spread.
    assert_eq!(check(&report, "k8s/spread").status, Status::NotApplicable);
}

/// A Go service's Dockerfile in the shape microservices-demo uses (the corpus copy has none).
const GO_SERVICE: &str = "FROM golang:1.23.4-alpine AS builder\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /server .\n\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=builder /server /server\nEXPOSE 8080\nENTRYPOINT [\"/server\"]\n";

/// A Python service's Dockerfile in the shape microservices-demo uses.
const PYTHON_SERVICE: &str = "FROM python:3.12.8-slim-bookworm AS base\n\nFROM base AS builder\nRUN apt-get update && apt-get install -y --no-install-recommends g++\nCOPY requirements.txt .\nRUN pip install --prefix=/install -r requirements.txt\n\nFROM base\nCOPY --from=builder /install /usr/local\nCOPY . .\nUSER 1000\nEXPOSE 8080\nENTRYPOINT [\"python\", \"server.py\"]\n";

#[test]
fn docker_microservices_demo() {
    let Some(report) = scan("microservices-demo") else {
        return;
    };
    // The corpus copy holds no Dockerfile: the docker checks say so rather than guessing.
    for id in [
        "docker/healthcheck",
        "docker/no-secrets",
        "docker/dockerignore",
        "docker/multi-stage",
    ] {
        let c = check(&report, id);
        assert_eq!(c.status, Status::NotApplicable, "{id}: {:#?}", c.findings);
        assert_eq!(
            c.reason.as_deref(),
            Some("no Dockerfiles found in the repository"),
            "{id}"
        );
    }

    // With Dockerfiles where the real repository has them (src/<service>/Dockerfile, and
    // cartservice's in src/cartservice/src/), the manifests decide: every image is run by
    // Kubernetes, matched by folder name to its Deployment, and cartservice (whose folder is
    // `src`) by the rule that the repository deploys with Kubernetes.
    let root = corpora_root().join("microservices-demo");
    let ws = Workspace::scan(&root, &ScanOptions::default()).expect("corpus scans");
    let mut files: Vec<(String, String)> = ws
        .files()
        .iter()
        .map(|f| (f.path.clone(), f.text.clone()))
        .collect();
    let go = [
        "checkoutservice",
        "frontend",
        "productcatalogservice",
        "shippingservice",
    ];
    let python = ["emailservice", "recommendationservice", "loadgenerator"];
    for s in go {
        files.push((format!("src/{s}/Dockerfile"), GO_SERVICE.to_string()));
    }
    for s in python {
        files.push((format!("src/{s}/Dockerfile"), PYTHON_SERVICE.to_string()));
    }
    files.push((
        "src/cartservice/src/Dockerfile".into(),
        "FROM mcr.microsoft.com/dotnet/sdk:9.0 AS builder\nWORKDIR /app\nCOPY . .\nRUN dotnet publish cartservice.csproj -c release -o /cartservice\n\nFROM mcr.microsoft.com/dotnet/runtime-deps:9.0-noble-chiseled\nCOPY --from=builder /cartservice /app\nUSER 1000\nEXPOSE 7070\nENTRYPOINT [\"/app/cartservice\"]\n".into(),
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
    let report = engine::run(&ws, &Config::default(), &golive_checks::catalogue(), &opts);
    let health = check(&report, "docker/healthcheck");
    assert_eq!(
        health.status,
        Status::NotApplicable,
        "{:#?}",
        health.findings
    );
    let reason = health.reason.as_deref().unwrap_or("");
    for s in go.iter().chain(&python) {
        assert!(
            reason.contains(&format!(
                "src/{s}/Dockerfile (Deployment/{s}: container `server` runs `{s}`"
            )) || reason.contains(&format!(
                "src/{s}/Dockerfile (Deployment/{s}: container `main` runs `{s}`"
            )),
            "{s}: {reason}"
        );
    }
    assert!(
        reason.contains("src/cartservice/src/Dockerfile (assumed run by Kubernetes"),
        "{reason}"
    );
    // Multi-stage builds onto distroless / slim bases: build tools stay in the build stages.
    let multi = check(&report, "docker/multi-stage");
    assert_eq!(multi.status, Status::Pass, "{:#?}", multi.findings);
    let secrets = check(&report, "docker/no-secrets");
    assert_eq!(secrets.status, Status::Pass, "{:#?}", secrets.findings);
    // No .dockerignore in the corpus copy: every service folder is a finding at its first COPY.
    let ignore = check(&report, "docker/dockerignore");
    assert_eq!(ignore.status, Status::Fail);
    assert_eq!(ignore.findings.len(), 8, "{:#?}", ignore.findings);
}

/// The corpora are copies without CI configuration: nothing deploys them, which the delivery
/// checks must say once (automated-deploy) and not repeat as gate, environment or smoke-test
/// findings about deploys that do not exist.
#[test]
fn delivery_pipeline_on_corpora() {
    if let Some(report) = scan("microservices-demo") {
        assert_no_errors(&report);
        let deploy = check(&report, "delivery/automated-deploy");
        assert_eq!(deploy.status, Status::Fail);
        assert_eq!(deploy.findings.len(), 1);
        let message = &deploy.findings[0].message;
        assert!(
            message.contains("Kubernetes manifests") && message.contains("helm-chart/Chart.yaml"),
            "{message}"
        );
        for id in [
            "delivery/environments",
            "delivery/production-gate",
            "delivery/smoke-test",
        ] {
            assert_eq!(check(&report, id).status, Status::NotApplicable, "{id}");
        }
        // The Helm chart carries a semantic version.
        let release = check(&report, "delivery/release-versioning");
        assert_eq!(release.status, Status::Pass);
        assert!(
            evidence_under(release, "helm-chart/Chart.yaml")
                .iter()
                .any(|e| e.contains("`onlineboutique` is versioned")),
            "{:?}",
            release.evidence
        );
    }
    if let Some(report) = scan("kube-prometheus") {
        assert_eq!(
            check(&report, "delivery/automated-deploy").status,
            Status::Fail
        );
        // Manifests of images built elsewhere: nothing of its own to version.
        assert_eq!(
            check(&report, "delivery/release-versioning").status,
            Status::NotApplicable
        );
        assert_eq!(
            check(&report, "delivery/production-gate").status,
            Status::NotApplicable
        );
    }
}

#[test]
fn delivery_rollout_microservices_demo() {
    let Some(report) = scan("microservices-demo") else {
        return;
    };
    let manifests = "kubernetes-manifests/";

    // Plain Deployments only: every stateless Deployment a Service sends traffic to is a
    // finding; loadgenerator (no Service) and redis-cart (a data store) are passed over with
    // their reasons. The frontend VirtualService has a single route: not a traffic split.
    let rollout = check(&report, "delivery/progressive-rollout");
    let found = findings_under(rollout, manifests);
    for name in SERVING.iter().filter(|n| **n != "redis-cart") {
        assert!(
            found.iter().any(|(_, _, _, m)| m
                .starts_with(&format!("production Deployment/{name} (behind Service/"))
                && m.contains("plain rolling update")),
            "no rollout finding for {name}: {found:#?}"
        );
    }
    assert!(
        !rollout
            .findings
            .iter()
            .any(|f| f.message.contains("redis-cart") || f.message.contains("loadgenerator")),
        "{:#?}",
        rollout.findings
    );
    let evidence = evidence_under(rollout, manifests);
    assert!(
        evidence
            .iter()
            .any(|e| e.starts_with("Deployment/redis-cart passed over: it runs a data store")),
        "{evidence:#?}"
    );
    assert!(
        evidence
            .iter()
            .any(|e| e.starts_with("Deployment/loadgenerator passed over: no Service")),
        "{evidence:#?}"
    );
    assert!(
        !rollout
            .evidence
            .iter()
            .any(|e| e.message.contains("splits traffic")),
        "{:#?}",
        rollout.evidence
    );

    // No pipeline, no rollback command, no rollback section: one finding about the
    // repository, which deploys Kubernetes workloads and a Helm chart.
    let rollback = check(&report, "delivery/rollback-path");
    assert_eq!(rollback.findings.len(), 1, "{:#?}", rollback.findings);
    let f = &rollback.findings[0];
    assert!(f.location.is_none(), "{f:#?}");
    assert!(
        f.message.starts_with("no rollback path") && f.message.contains("Helm chart `helm-chart`"),
        "{f:#?}"
    );

    // No database migrations in a set of stateless services and a Redis.
    let migrations = check(&report, "delivery/migrations-reversible");
    assert_eq!(migrations.status, Status::NotApplicable);
}

#[test]
fn delivery_rollout_kube_prometheus() {
    let Some(report) = scan("kube-prometheus") else {
        return;
    };
    // Operator-managed and per-node workloads are passed over; the plain Deployments behind
    // Services are findings.
    let rollout = check(&report, "delivery/progressive-rollout");
    assert!(
        rollout
            .evidence
            .iter()
            .any(|e| e.message.starts_with("passed over")
                && e.message.contains("Alertmanager/main")
                && e.message.contains("DaemonSet/node-exporter")
                && e.message.contains("Prometheus/k8s")),
        "{:#?}",
        rollout.evidence
    );
    assert!(
        rollout.findings.iter().any(|f| f
            .message
            .starts_with("production Deployment/grafana (behind Service/grafana)")),
        "{:#?}",
        rollout.findings
    );
    let rollback = check(&report, "delivery/rollback-path");
    assert_eq!(rollback.status, Status::Fail, "{rollback:#?}");
    assert_eq!(rollback.findings.len(), 1, "{:#?}", rollback.findings);
    assert_eq!(
        check(&report, "delivery/migrations-reversible").status,
        Status::NotApplicable
    );
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

#[test]
fn security_tls_on_corpora() {
    if let Some(report) = scan("microservices-demo") {
        // frontend-external is a LoadBalancer Service on port 80 only: the storefront is served
        // over plain HTTP, in each way the demo is deployed; the Ingresses are left to
        // k8s/ingress-tls.
        let tls = check(&report, "security/tls");
        assert_eq!(tls.status, Status::Fail);
        for (path, line) in [
            ("kubernetes-manifests/frontend.yaml", 135),
            ("kustomize/base/frontend.yaml", 135),
            ("release/kubernetes-manifests.yaml", 141),
        ] {
            let f = findings_under(tls, path);
            assert_eq!(f.len(), 1, "{path}: {f:#?}");
            assert_eq!(f[0].1, line);
            assert!(f[0].3.starts_with(
                "Service/frontend-external is a LoadBalancer exposing port 80 without 443"
            ));
        }
        assert_eq!(tls.findings.len(), 3, "{:#?}", tls.findings);
    }
    if let Some(report) = scan("kube-prometheus") {
        // Its UIs are ClusterIP Services: no front door is declared.
        let tls = check(&report, "security/tls");
        assert_eq!(tls.status, Status::NotApplicable, "{:#?}", tls.findings);
    }
}

/// The corpora hold manifests and docs, no application source: the testing checks about code
/// have nothing to judge there and must say so rather than fail.
#[test]
fn testing_integration_coverage_load_on_corpora() {
    for name in ["microservices-demo", "kube-prometheus"] {
        let Some(report) = scan(name) else { continue };
        for id in ["testing/integration-tests", "testing/coverage"] {
            let r = check(&report, id);
            assert_eq!(r.status, Status::NotApplicable, "{name} {id}: {r:?}");
        }
    }
    // microservices-demo deploys its Locust load generator as a Deployment: that is its load test.
    if let Some(report) = scan("microservices-demo") {
        let r = check(&report, "testing/load-tests");
        assert_eq!(r.status, Status::Pass, "{r:?}");
        let evidence = evidence_under(r, "kubernetes-manifests/loadgenerator.yaml");
        assert!(
            evidence
                .iter()
                .any(|e| e
                    .contains("Deployment/loadgenerator: container `main` runs a load generator")),
            "{evidence:?}"
        );
    }
    // kube-prometheus deploys others' images (Prometheus, Grafana, operators) and builds no
    // code or image of its own: it owns no service to load test.
    if let Some(report) = scan("kube-prometheus") {
        let r = check(&report, "testing/load-tests");
        assert_eq!(r.status, Status::NotApplicable, "{r:?}");
    }
}

/// Neither corpus defines a database (microservices-demo's redis-cart is a Deployment caching
/// carts on an emptyDir, not a StatefulSet; neither corpus has Terraform), and neither documents
/// disaster recovery.
#[test]
fn data_checks_on_the_corpora() {
    for name in ["microservices-demo", "kube-prometheus"] {
        let Some(report) = scan(name) else {
            return;
        };
        for id in ["data/backups", "data/deletion-protection"] {
            let result = check(&report, id);
            assert_eq!(
                result.status,
                Status::NotApplicable,
                "{name} {id}: {result:#?}"
            );
        }
        let dr = check(&report, "data/dr-plan");
        assert_eq!(dr.status, Status::Fail, "{name}: {dr:#?}");
        assert_eq!(
            messages(dr),
            vec![
                "no disaster recovery plan: no document or section about disaster recovery, restore or failover"
            ],
            "{name}"
        );
    }
}

/// kube-prometheus's 139 alerts (eight PrometheusRule files): 138 carry a summary and a
/// description. GrafanaRequestsFailing still uses the older single `message` annotation,
/// accepted as its description, and has no summary. PrometheusOperatorNotReady's summary is its
/// name spelled out ("Prometheus operator not ready"): a sentence, accepted. No summary spans
/// several lines.
#[test]
fn alerts_annotations_kube_prometheus() {
    let Some(report) = scan("kube-prometheus") else {
        return;
    };
    assert_no_errors(&report);
    let annotations = check(&report, "alerts/annotations");
    assert_eq!(annotations.status, Status::Fail);
    assert_eq!(
        findings_under(annotations, ""),
        vec![(
            "manifests/grafana-prometheusRule.yaml",
            17,
            Severity::Warning,
            "alert `GrafanaRequestsFailing` has no `summary` annotation"
        ),]
    );
    let notes: Vec<&str> = annotations
        .evidence
        .iter()
        .map(|e| e.message.as_str())
        .collect();
    assert!(
        notes.contains(&"138 alerting rule(s) carry a one-line summary and a description"),
        "{notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("1 alerting rule(s) describe themselves with `message`")),
        "{notes:?}"
    );
}

#[test]
fn slo_burn_rate_alerts_on_corpora() {
    // kube-prometheus ships the kube-apiserver SLO's multi-window burn-rate alerts (the
    // workbook's four pairs); it has no single-window burn-rate alert.
    if let Some(report) = scan("kube-prometheus") {
        let result = check(&report, "slo/burn-rate-alerts");
        assert_eq!(result.status, Status::Pass, "{:#?}", result.findings);
        let evidence = evidence_under(
            result,
            "manifests/kubernetesControlPlane-prometheusRule.yaml",
        );
        for pair in [
            "1h & 5m windows, burn rate 14.4 (fast burn: page)",
            "6h & 30m windows, burn rate 6 (fast burn: page)",
            "1d & 2h windows, burn rate 3 (slow burn: ticket)",
            "3d & 6h windows, burn rate 1 (slow burn: ticket)",
        ] {
            assert!(
                evidence
                    .iter()
                    .any(|e| e.starts_with("alert `KubeAPIErrorBudgetBurn`") && e.ends_with(pair)),
                "{pair}: {evidence:#?}"
            );
        }
    }
    // microservices-demo defines no SLO and no burn-rate alert.
    if let Some(report) = scan("microservices-demo") {
        let result = check(&report, "slo/burn-rate-alerts");
        assert_eq!(result.status, Status::NotApplicable, "{result:#?}");
    }
}

#[test]
fn alerts_metrics_exported_on_corpora() {
    // kube-prometheus alerts on exporters' and platforms' metrics and declares none of its
    // own: nothing to compare, not a finding for every kube_* / node_* name.
    if let Some(report) = scan("kube-prometheus") {
        let result = check(&report, "alerts/metrics-exported");
        assert_eq!(result.status, Status::NotApplicable, "{result:#?}");
        assert!(
            result
                .reason
                .as_deref()
                .is_some_and(|r| r.starts_with("no metric declarations found")),
            "{result:#?}"
        );
    }
    // microservices-demo has no alerting rules.
    if let Some(report) = scan("microservices-demo") {
        let result = check(&report, "alerts/metrics-exported");
        assert_eq!(result.status, Status::NotApplicable, "{result:#?}");
    }
}

/// kube-prometheus' 139 alerts watch the platform: every golden signal is covered (availability by
/// `up`/`absent`, saturation by quotas, filesystems and throttling, errors by 5xx ratios and
/// failure counters, latency by the kubelet's duration histograms), and the evidence says that no
/// alert reads an application's own request metrics. microservices-demo has no alerting rules.
#[test]
fn golden_signals_on_the_corpora() {
    if let Some(report) = scan("microservices-demo") {
        let r = check(&report, "alerts/golden-signals");
        assert_eq!(r.status, Status::NotApplicable, "{r:#?}");
    }
    let Some(report) = scan("kube-prometheus") else {
        return;
    };
    let r = check(&report, "alerts/golden-signals");
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    let evidence: Vec<&str> = r.evidence.iter().map(|e| e.message.as_str()).collect();
    assert!(
        evidence[0].starts_with("139 alerting rule(s) classified;"),
        "{evidence:?}"
    );
    assert!(
        evidence
            .iter()
            .any(|e| e.contains("no alert reads the service's own request metrics")),
        "{evidence:?}"
    );
    let classified = |alert: &str| -> Vec<&str> {
        let prefix = format!("alert `{alert}`: ");
        evidence
            .iter()
            .filter_map(|e| e.strip_prefix(prefix.as_str()))
            .collect()
    };
    for (alert, signal) in [
        ("TargetDown", "availability"),
        ("KubeAPIDown", "availability (`absent(...)`)"),
        ("KubePodCrashLooping", "availability"),
        ("KubeCPUOvercommit", "saturation"),
        ("NodeFilesystemSpaceFillingUp", "saturation"),
        ("CPUThrottlingHigh", "saturation"),
        ("KubeletPodStartUpLatencyHigh", "latency"),
        ("KubeClientErrors", "errors (error status `code=~\"5..\"`"),
        (
            "KubeAPIErrorBudgetBurn",
            "errors (via recording rule `apiserver_request:burnrate",
        ),
    ] {
        let c = classified(alert);
        assert!(
            !c.is_empty() && c.iter().all(|c| c.starts_with(signal)),
            "{alert}: {c:?}"
        );
    }
    // Certificate lifetimes are histograms of seconds, not latency; Watchdog is no signal.
    for alert in ["KubeClientCertificateExpiration", "Watchdog"] {
        assert!(
            classified(alert)
                .iter()
                .all(|c| *c == "no golden signal recognised"),
            "{alert}"
        );
    }
    let table = r
        .tables
        .iter()
        .find(|t| t.title == "Alerts by golden signal")
        .expect("table");
    for signal in ["errors", "latency", "saturation", "availability"] {
        let rows: Vec<_> = table.rows.iter().filter(|row| row[0] == signal).collect();
        assert!(!rows.is_empty() && rows.len() <= 6, "{signal}: {rows:?}");
        assert!(rows.iter().all(|row| row[1] != "—"), "{signal}: {rows:?}");
    }
}

/// kube-prometheus divides 66 pairs of vectors in its rules, and every judged one is right: `sum
/// by` alike on both sides, `on`/`ignoring` matching, or recording rules whose own expressions
/// have the same labels (`cluster:node_cpu:sum_rate5m` is a `sum` without `by`, like the `count`
/// it is divided by, although its name says `cluster`). Divisions of two different raw metrics
/// (node filesystem, network errors over packets) are not judged.
#[test]
fn ratio_aggregated_on_the_corpora() {
    if let Some(report) = scan("microservices-demo") {
        let r = check(&report, "alerts/ratio-aggregated");
        assert_eq!(r.status, Status::NotApplicable, "{r:#?}");
    }
    let Some(report) = scan("kube-prometheus") else {
        return;
    };
    let r = check(&report, "alerts/ratio-aggregated");
    assert_eq!(r.status, Status::Pass, "{r:#?}");
    let evidence: Vec<&str> = r.evidence.iter().map(|e| e.message.as_str()).collect();
    assert!(
        evidence.contains(&"66 division(s) of two vectors in 234 rule expression(s)"),
        "{evidence:?}"
    );
    // Resolved through its recording rule: judged (fine), so neither a finding nor "not judged".
    let unjudged = evidence
        .iter()
        .any(|e| e.starts_with("recording rule `cluster:node_cpu:ratio`"));
    assert!(
        !unjudged,
        "cluster:node_cpu:ratio is not judged: {evidence:?}"
    );
    assert!(
        evidence.iter().any(|e| e
            .starts_with("alert `NodeFilesystemSpaceFillingUp`: `node_filesystem_avail_bytes")
            && e.ends_with("not judged")),
        "{evidence:?}"
    );
}

/// kube-prometheus' Alertmanager config, embedded as a `|-` block in
/// manifests/alertmanager-secret.yaml: receivers `Default`, `Watchdog`, `Critical` and `null`,
/// none with an integration (placeholders for users to fill in).
#[test]
fn alertmanager_kube_prometheus() {
    let Some(report) = scan("kube-prometheus") else {
        return;
    };
    const SECRET: &str = "manifests/alertmanager-secret.yaml";
    let routes = check(&report, "alertmanager/routes");
    assert_eq!(routes.status, Status::Fail);
    // The routing table, simulated on the 139 alerting rules of the PrometheusRules.
    let table = evidence_under(routes, SECRET);
    for row in [
        "Secret/alertmanager-main: severity=critical -> Critical",
        "Secret/alertmanager-main: severity=warning -> Default",
        "Secret/alertmanager-main: severity=info -> Default",
        // Watchdog goes to its own receiver, InfoInhibitor to `null`.
        "Secret/alertmanager-main: severity=none -> Watchdog (1 of 2 alerts), null (1 of 2 alerts)",
    ] {
        assert!(table.contains(&row), "{row} not in {table:#?}");
    }
    // Critical and warning alerts reach receivers without integrations (at the `receiver:`
    // lines inside the embedded block); info and none are not meant to notify.
    assert_eq!(
        findings_under(routes, SECRET),
        vec![
            (
                SECRET,
                47,
                Severity::Error,
                "Secret/alertmanager-main: severity=warning (96 alerts) only reaches receiver(s) `Default` with no integrations: these alerts notify no one"
            ),
            (
                SECRET,
                58,
                Severity::Error,
                "Secret/alertmanager-main: severity=critical (34 alerts) only reaches receiver(s) `Critical` with no integrations: these alerts notify no one"
            ),
        ]
    );
}

/// microservices-demo has no Alertmanager configuration: every alertmanager check says so.
#[test]
fn alertmanager_microservices_demo() {
    let Some(report) = scan("microservices-demo") else {
        return;
    };
    for id in [
        "alertmanager/routes",
        "alertmanager/send-resolved",
        "alertmanager/no-inline-secrets",
        "alertmanager/current-syntax",
        "alertmanager/inhibit",
    ] {
        assert_eq!(check(&report, id).status, Status::NotApplicable, "{id}");
    }
}

/// Observability beyond metrics: microservices-demo has no application code here but ships an
/// OpenTelemetry Collector with a traces pipeline (the google-cloud-operations component);
/// kube-prometheus deploys images built elsewhere and wires no tracing.
#[test]
fn obs_checks_on_the_corpora() {
    if let Some(report) = scan("microservices-demo") {
        let tracing = check(&report, "obs/tracing");
        assert_eq!(tracing.status, Status::Pass, "{tracing:#?}");
        assert!(
            evidence_under(
                tracing,
                "kustomize/components/google-cloud-operations/otel-collector.yaml"
            )
            .iter()
            .any(|e| e.contains("collector-gateway-config-template")
                && e.contains("traces pipeline")),
            "{:?}",
            tracing.evidence
        );
        // No source code in the corpus copy, and no container sets a log level.
        for id in ["obs/structured-logging", "obs/log-level-config"] {
            assert_eq!(check(&report, id).status, Status::NotApplicable, "{id}");
        }
        // No dashboard ships with it: a true finding.
        assert_eq!(check(&report, "obs/dashboards").status, Status::Fail);
    }
    if let Some(report) = scan("kube-prometheus") {
        for id in [
            "obs/structured-logging",
            "obs/tracing",
            "obs/log-level-config",
        ] {
            assert_eq!(check(&report, id).status, Status::NotApplicable, "{id}");
        }
        // Its Grafana dashboards are JSON embedded in the ConfigMapList of
        // grafana-dashboardDefinitions.yaml, one ConfigMap per dashboard.
        let dashboards = check(&report, "obs/dashboards");
        assert_eq!(dashboards.status, Status::Pass, "{dashboards:#?}");
        let defined = evidence_under(dashboards, "manifests/grafana-dashboardDefinitions.yaml");
        assert!(
            defined.iter().any(|e| e
                .starts_with("ConfigMap/grafana-dashboard-alertmanager-overview: `alertmanager-overview.json` is a Grafana dashboard `Alertmanager / Overview`")),
            "{defined:#?}"
        );
        assert_eq!(defined.len(), dashboards.evidence.len());
    }
}

/// Neither corpus has a READINESS.md: every manual attestation fails with one repository-level
/// finding (deleting the checklist must not raise the level), at its own severity.
#[test]
fn manual_attestations_on_the_corpora() {
    for name in ["microservices-demo", "kube-prometheus"] {
        let Some(report) = scan(name) else {
            return;
        };
        let on_call = check(&report, "manual/on-call");
        assert_eq!(on_call.status, Status::Fail, "{name}: {on_call:#?}");
        assert_eq!(
            messages(on_call),
            vec!["no READINESS.md: nobody attests that an on-call rotation covers the service"],
            "{name}"
        );
        assert!(
            on_call
                .findings
                .iter()
                .all(|f| f.location.is_none() && f.severity == Severity::Error)
        );
        let manual: Vec<&CheckResult> = report
            .checks
            .iter()
            .filter(|c| c.id.starts_with("manual/"))
            .collect();
        assert_eq!(manual.len(), 9, "{name}");
        for c in manual {
            assert_eq!(c.status, Status::Fail, "{name} {}: {c:#?}", c.id);
            assert_eq!(c.findings.len(), 1, "{name} {}", c.id);
            assert!(
                c.findings[0].location.is_none()
                    && c.findings[0]
                        .message
                        .starts_with("no READINESS.md: nobody attests that "),
                "{name} {}: {:#?}",
                c.id,
                c.findings
            );
        }
    }
}
