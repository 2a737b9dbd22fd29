//! Rendering over the real repositories in ../shared/corpora: microservices-demo's kustomize
//! overlays and components render the way `kustomize build` renders them, and its Helm chart is
//! recognised and checked through its values.

use golive_core::engine::{self, RunOptions};
use golive_core::workspace::{ScanOptions, Workspace};
use golive_core::{Config, Date, Status};
use std::path::PathBuf;

fn microservices_demo() -> Option<Workspace> {
    let root = PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/corpora/microservices-demo"
    ));
    if !root.is_dir() {
        eprintln!("skipping: corpus not found at {}", root.display());
        return None;
    }
    Some(Workspace::scan(&root, &ScanOptions::default()).expect("corpus scans"))
}

#[test]
fn kustomize_overlays_and_components_render() {
    let Some(ws) = microservices_demo() else {
        return;
    };
    let renders = ws.renders();
    assert!(renders.issues.is_empty(), "{:#?}", renders.issues);
    let labels: Vec<&str> = renders.kustomize.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(
        labels,
        vec![
            "kubernetes-manifests",
            "kustomize",
            "kustomize/tests/memorystore-with-all-components",
            "kustomize/tests/service-mesh-istio-with-all-components",
            "kustomize/tests/spanner-with-all-components",
        ]
    );
    // The memorystore component deletes the in-cluster Redis and points cartservice at
    // Memorystore: the rendered overlay says so, at the component's lines.
    let memorystore = ws
        .kube_objects()
        .filter(|o| o.rendering() == Some("kustomize/tests/memorystore-with-all-components"))
        .collect::<Vec<_>>();
    // (The network-policies component still ships a NetworkPolicy named redis-cart, as
    // kustomize build renders it too.)
    let redis: Vec<&str> = memorystore
        .iter()
        .filter(|o| o.name() == Some("redis-cart"))
        .map(|o| o.kind)
        .collect();
    assert_eq!(
        redis,
        vec!["NetworkPolicy"],
        "redis-cart is deleted by the memorystore component"
    );
    let cart = memorystore
        .iter()
        .find(|o| o.kind == "Deployment" && o.name() == Some("cartservice"))
        .expect("cartservice is rendered");
    let server = cart
        .pod_template()
        .expect("template")
        .containers()
        .into_iter()
        .find(|c| c.name() == "server")
        .expect("server container");
    let redis = server
        .node
        .get("env")
        .into_iter()
        .flat_map(|e| e.items())
        .find(|e| e.get_str("name") == Some("REDIS_ADDR"))
        .expect("REDIS_ADDR");
    let value = redis.get("value").expect("value");
    assert_eq!(value.as_str(), Some("REDIS_CONNECTION_STRING"));
    assert_eq!(
        value.location("unused").path,
        "kustomize/components/memorystore/kustomization.yaml"
    );
    // The component's network policies are deployed only by the overlays that include it.
    let policies = |label: &str| {
        ws.kube_objects()
            .filter(|o| o.rendering() == Some(label) && o.kind == "NetworkPolicy")
            .count()
    };
    assert!(policies("kustomize/tests/memorystore-with-all-components") > 0);
    assert_eq!(policies("kustomize"), 0);
    // Unchanged values still point at the base files.
    let image = server.image().expect("image").location("unused");
    assert_eq!(image.path, "kustomize/base/cartservice.yaml");
}

#[test]
fn helm_chart_is_checked_through_its_values() {
    let Some(ws) = microservices_demo() else {
        return;
    };
    let opts = RunOptions {
        target: "microservices-demo".into(),
        today: Date {
            year: 2026,
            month: 11,
            day: 22,
        },
        golive_version: "test".into(),
    };
    let checks: Vec<_> = golive_checks::catalogue()
        .into_iter()
        .filter(|c| c.meta().id == "k8s/helm-values")
        .collect();
    let report = engine::run(&ws, &Config::default(), &checks, &opts);
    let result = &report.checks[0];
    assert_eq!(result.status, Status::Pass, "{result:#?}");
    let messages: Vec<&str> = result.evidence.iter().map(|e| e.message.as_str()).collect();
    assert!(messages.contains(
        &"chart `onlineboutique` checked through its values only (pass `helm template` output with --manifests to check the rendered objects)"
    ));
    // Every service of the chart sets requests and a memory limit in values.yaml.
    for service in [
        "adService",
        "cartService",
        "checkoutService",
        "currencyService",
        "emailService",
        "frontend",
        "loadGenerator",
        "paymentService",
        "productCatalogService",
        "recommendationService",
        "shippingService",
    ] {
        let expected =
            format!("chart `onlineboutique`: `{service}` sets requests and a memory limit");
        assert!(
            messages.contains(&expected.as_str()),
            "{service}: {messages:#?}"
        );
    }
    assert!(messages.contains(&"chart `onlineboutique`: the templates define readiness probes"));
}
