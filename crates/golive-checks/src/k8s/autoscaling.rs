use super::relations::{Environment, Manifests, deployed_together, environment, scale_target};
use golive_core::kube::KubeObject;
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Outcome, Severity, declare_check};

declare_check! {
    /// ## What it checks
    /// Every production Deployment or Argo Rollout that serves traffic is scaled by a
    /// HorizontalPodAutoscaler or KEDA ScaledObject with a target metric, and every autoscaler
    /// in the scan targets a workload it can scale, with `minReplicas` not above `maxReplicas`.
    ///
    /// An autoscaler targets a workload when its `spec.scaleTargetRef` names the workload's kind
    /// and name in the same namespace (KEDA's `kind` defaults to Deployment); for a production
    /// workload only an autoscaler in production manifests counts (one in `overlays/dev/` does
    /// not scale production, and the finding names it). It has a target
    /// metric when `spec.metrics` is not empty (`autoscaling/v2`),
    /// `spec.targetCPUUtilizationPercentage` is set (`autoscaling/v1`), or `spec.triggers` is
    /// not empty (KEDA). Findings:
    /// - a Deployment or Rollout selected by a Service (it serves requests, so its load varies)
    ///   that no autoscaler targets;
    /// - an autoscaler with no target metric (Kubernetes then scales on 80% average CPU, an
    ///   implicit choice nobody made);
    /// - an autoscaler scaling on CPU or memory utilisation while a container of the target
    ///   sets no request for that resource (utilisation is a percentage of the request: the
    ///   HorizontalPodAutoscaler cannot compute it and does not scale);
    /// - an autoscaler whose `scaleTargetRef` names no workload in the scan (when workloads
    ///   are defined near it), or names a kind that cannot be scaled (DaemonSet);
    /// - `minReplicas` (`minReplicaCount`) above `maxReplicas` (`maxReplicaCount`).
    ///
    /// A workload with an autoscaler and a fixed `spec.replicas` is noted in the evidence: the
    /// autoscaler owns the count, and every `kubectl apply` of the manifest resets it. Workloads
    /// no Service selects (workers, controllers), StatefulSets (stateful members rarely scale
    /// on load), DaemonSets, Jobs and non-production manifests are passed over with a note.
    ///
    /// ## Why it matters
    /// A fixed replica count is sized for one load: a traffic peak saturates it and a quiet
    /// night wastes it. An autoscaler that points at a renamed Deployment, or scales on a
    /// utilisation it cannot compute, does nothing while looking configured. (Production Ready
    /// Checklist, scalability: "solution resources can auto scale to handle workload";
    /// networking: "scalability in place for sudden increase in incoming network traffic".)
    ///
    /// ## How to fix
    /// ```yaml
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// metadata: { name: web }
    /// spec:
    ///   scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
    ///   minReplicas: 2
    ///   maxReplicas: 10
    ///   metrics:
    ///     - type: Resource
    ///       resource: { name: cpu, target: { type: Utilization, averageUtilization: 70 } }
    /// ```
    pub struct Autoscaling {
        id: "k8s/autoscaling",
        title: "Serving workloads are autoscaled on a metric",
        category: Kubernetes,
        level: Gold,
        severity: Warning,
        facets: [Kubernetes],
        seeds: [
            "004: Scalability: solution resources can auto scale to handle workload",
            "004: Networking: scalability in place for sudden increase in incoming network traffic",
        ],
        fix: "add a HorizontalPodAutoscaler (or KEDA ScaledObject) whose scaleTargetRef names the workload, with minReplicas <= maxReplicas and a target metric",
    }
}

impl golive_core::Check for Autoscaling {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut checked = 0;
        let mut passed_over: Vec<String> = Vec::new();

        // Every autoscaler: its target, bounds and metric.
        for a in m.objects().iter().filter(|o| is_autoscaler(o)) {
            checked += 1;
            let name = a.display_name();
            let path = &a.file.path;
            if let Environment::NonProduction(why) = environment(a) {
                evidence.push(Evidence::located(
                    &a.location(),
                    format!("{name} skipped: not production ({why})"),
                ));
                continue;
            }
            let Some(target) = scale_target(a) else {
                let at = a.node.path(&["spec", "scaleTargetRef"]).unwrap_or(a.node);
                findings.push(
                    Finding::at(
                        if at.line() == a.node.line() {
                            a.location()
                        } else {
                            at.location(path)
                        },
                        format!("{name} has no complete scaleTargetRef (kind and name): it scales nothing"),
                    )
                    .with_severity(Severity::Error),
                );
                continue;
            };
            let workload = m.workloads().iter().find(|w| {
                w.obj.kind == target.kind
                    && w.obj.name() == Some(target.name)
                    && super::relations::same_namespace(w.namespace(), a.namespace())
            });
            match workload {
                None => {
                    let near = m
                        .workloads()
                        .iter()
                        .any(|w| deployed_together(path, &w.obj.file.path));
                    if near {
                        findings.push(
                            Finding::at(
                                name_or(target.node.get("name"), target.node).location(path),
                                format!(
                                    "{name} targets {}/{}, which is not in the scan: it scales nothing",
                                    target.kind, target.name
                                ),
                            )
                            .with_severity(Severity::Error)
                            .with_help("make scaleTargetRef's kind and name those of the workload to scale"),
                        );
                    } else {
                        evidence.push(Evidence::located(
                            &a.location(),
                            format!(
                                "{name} targets {}/{}: passed over, no workload is defined near it, so its target is deployed from elsewhere",
                                target.kind, target.name
                            ),
                        ));
                    }
                }
                Some(w) if !w.is_replicated() => {
                    findings.push(
                        Finding::at(
                            name_or(target.node.get("kind"), target.node).location(path),
                            format!(
                                "{name} targets {}, which has no replica count to scale",
                                w.obj.display_name()
                            ),
                        )
                        .with_severity(Severity::Error),
                    );
                }
                Some(w) => {
                    if let Some(f) = bounds_problem(a) {
                        findings.push(f);
                    }
                    match metric(a) {
                        Metric::None(at) => findings.push(
                            Finding::at(
                                at.location(path),
                                format!(
                                    "{name} sets no target metric: Kubernetes falls back to 80% average CPU utilisation",
                                ),
                            )
                            .with_help("state the metric the workload scales on (spec.metrics, or KEDA triggers)"),
                        ),
                        Metric::Some(at, described, resources) => {
                            let defaults = m.limit_range_defaults(w.namespace());
                            let resources: Vec<&str> = resources
                                .into_iter()
                                .filter(|r| {
                                    !defaults.iter().any(|(d, _)| match *r {
                                        "cpu" => d.cpu_request,
                                        _ => d.memory_request,
                                    })
                                })
                                .collect();
                            let missing = missing_requests(w, &resources);
                            for (resource, container) in &missing {
                                findings.push(
                                    Finding::at(
                                        at.location(path),
                                        format!(
                                            "{name} scales {} on {resource} utilisation, but its {container} sets no {resource} request: utilisation cannot be computed and the autoscaler does not scale",
                                            w.obj.display_name()
                                        ),
                                    )
                                    .with_severity(Severity::Error)
                                    .with_help(format!("set resources.requests.{resource} on every container of the pod, or scale on AverageValue")),
                                );
                            }
                            if missing.is_empty() {
                                evidence.push(Evidence::located(
                                    &at.location(path),
                                    format!(
                                        "{name} scales {} on {described}",
                                        w.obj.display_name()
                                    ),
                                ));
                            }
                        }
                    }
                }
            }
        }

        // Every serving Deployment or Rollout: an autoscaler targets it.
        for w in m.workloads() {
            let name = w.obj.display_name();
            let path = &w.obj.file.path;
            if !w.obj.is_long_running() || w.template.is_none() {
                continue;
            }
            if !matches!(w.obj.kind, "Deployment" | "Rollout") {
                if w.obj.kind == "StatefulSet" && m.autoscalers_for(w).is_empty() {
                    passed_over.push(format!("{name} (a StatefulSet)"));
                    evidence.push(Evidence::located(
                        &w.obj.location(),
                        format!("{name} passed over: a StatefulSet's members hold state and rarely scale on load"),
                    ));
                }
                continue;
            }
            if let Environment::NonProduction(why) = environment(&w.obj) {
                evidence.push(Evidence::located(
                    &w.obj.location(),
                    format!("{name} skipped: not production ({why})"),
                ));
                continue;
            }
            // A production workload is scaled in production only by a production autoscaler.
            let (autoscalers, other_envs): (Vec<_>, Vec<_>) = m
                .autoscalers_for(w)
                .into_iter()
                .partition(|a| environment(a) == Environment::Production);
            if let Some(a) = autoscalers.first() {
                checked += 1;
                if let Some(replicas) = w
                    .obj
                    .node
                    .path(&["spec", "replicas"])
                    .filter(|n| !n.is_null())
                {
                    evidence.push(Evidence::located(
                        &replicas.location(path),
                        format!(
                            "{name} sets spec.replicas: {} although {} owns the count: every apply of this manifest resets it (leave spec.replicas out)",
                            replicas.as_str().unwrap_or("?"),
                            a.display_name()
                        ),
                    ));
                }
                continue;
            }
            let services = m.services_selecting(w);
            let Some(service) = services.first() else {
                passed_over.push(name.clone());
                evidence.push(Evidence::located(
                    &w.obj.location(),
                    format!("{name} passed over: no Service selects its pods (a worker or controller; scale it on its queue with KEDA if its load varies)"),
                ));
                continue;
            };
            checked += 1;
            let only_elsewhere = match other_envs.first() {
                Some(a) => format!(
                    " in production (only {} in {} does, for another environment)",
                    a.display_name(),
                    a.file.path
                ),
                None => String::new(),
            };
            findings.push(Finding::at(
                w.obj.location(),
                format!(
                    "{name} serves {} but no HorizontalPodAutoscaler or ScaledObject targets it{only_elsewhere}: its replica count is fixed whatever the load",
                    service.display_name()
                ),
            ));
        }

        if checked == 0 && findings.is_empty() {
            return Outcome::not_applicable(if passed_over.is_empty() {
                "no production Deployment, Rollout or autoscaler in the manifests".to_string()
            } else {
                format!(
                    "no workload serves traffic through a Service and no autoscaler is defined ({} passed over: {})",
                    passed_over.len(),
                    passed_over.join(", ")
                )
            });
        }
        Outcome::from_findings(findings, evidence)
    }
}

fn is_autoscaler(o: &KubeObject<'_>) -> bool {
    matches!(
        (o.group(), o.kind),
        ("autoscaling", "HorizontalPodAutoscaler") | ("keda.sh", "ScaledObject")
    )
}

fn name_or<'a>(node: Option<Node<'a>>, fallback: Node<'a>) -> Node<'a> {
    node.unwrap_or(fallback)
}

/// `minReplicas` above `maxReplicas` (KEDA: `minReplicaCount`, `maxReplicaCount`, default 100).
fn bounds_problem(a: &KubeObject<'_>) -> Option<Finding> {
    let keda = a.kind == "ScaledObject";
    let (min_key, max_key) = if keda {
        ("minReplicaCount", "maxReplicaCount")
    } else {
        ("minReplicas", "maxReplicas")
    };
    let spec = a.node.get("spec")?;
    let min_node = spec.get(min_key).filter(|n| !n.is_null());
    let min = match min_node {
        Some(n) => n.as_i64()?,
        None if keda => 0,
        None => 1,
    };
    let max_node = spec.get(max_key).filter(|n| !n.is_null());
    let max = match max_node {
        Some(n) => n.as_i64()?,
        None if keda => 100,
        None => return None,
    };
    if min <= max {
        return None;
    }
    let at = min_node.or(max_node)?;
    Some(
        Finding::at(
            at.location(&a.file.path),
            format!(
                "{}: {min_key} {min} is above {max_key} {max}: the API server rejects it",
                a.display_name()
            ),
        )
        .with_severity(Severity::Error)
        .with_help(format!("set {min_key} <= {max_key}")),
    )
}

/// What an autoscaler scales on.
enum Metric<'a> {
    /// No metric; where to point.
    None(Node<'a>),
    /// The metric node, a description, and the resources scaled on by Utilization (requests
    /// needed).
    Some(Node<'a>, String, Vec<&'a str>),
}

fn metric<'a>(a: &KubeObject<'a>) -> Metric<'a> {
    let spec = a.node.get("spec");
    let key = |k: &str| spec.and_then(|s| s.entry(k)).filter(|(_, v)| !v.is_null());
    let fallback = || {
        spec.and_then(|s| s.entry("scaleTargetRef"))
            .map(|(k, _)| k)
            .unwrap_or(a.node)
    };
    if a.kind == "ScaledObject" {
        return match key("triggers") {
            Some((k, v)) if !v.is_empty() => {
                let types: Vec<&str> = v.items().filter_map(|t| t.get_str("type")).collect();
                let mut resources = Vec::new();
                for t in v.items() {
                    if let Some(r @ ("cpu" | "memory")) = t.get_str("type")
                        && t.get_str("metricType").unwrap_or("Utilization") == "Utilization"
                    {
                        resources.push(r);
                    }
                }
                Metric::Some(
                    k,
                    format!("KEDA triggers ({})", types.join(", ")),
                    resources,
                )
            }
            _ => Metric::None(fallback()),
        };
    }
    if let Some((k, v)) = key("targetCPUUtilizationPercentage") {
        return Metric::Some(
            k,
            format!("{}% CPU utilisation", v.as_str().unwrap_or("?")),
            vec!["cpu"],
        );
    }
    match key("metrics") {
        Some((k, v)) if !v.is_empty() => {
            let mut described = Vec::new();
            let mut resources = Vec::new();
            for m in v.items() {
                let kind = m.get_str("type").unwrap_or("?");
                let field = match kind {
                    "Resource" => "resource",
                    "ContainerResource" => "containerResource",
                    "Pods" => "pods",
                    "Object" => "object",
                    "External" => "external",
                    _ => "",
                };
                let body = m.get(field);
                let what = body
                    .and_then(|b| {
                        b.get_str("name")
                            .or_else(|| b.path(&["metric", "name"])?.as_text())
                    })
                    .unwrap_or("?");
                // ContainerResource needs only its own container's request: not checked.
                if kind == "Resource"
                    && body.and_then(|b| b.path(&["target", "type"])?.as_text())
                        == Some("Utilization")
                    && let Some(r @ ("cpu" | "memory")) = body.and_then(|b| b.get_str("name"))
                {
                    resources.push(r);
                }
                described.push(format!("{kind} {what}"));
            }
            Metric::Some(k, format!("metrics ({})", described.join(", ")), resources)
        }
        _ => Metric::None(fallback()),
    }
}

/// Resources scaled on by utilisation for which a container of the workload sets no request
/// (nor a limit, which becomes the request): (resource, container description).
fn missing_requests(
    w: &super::relations::Workload<'_>,
    resources: &[&str],
) -> Vec<(String, String)> {
    let Some(template) = w.template else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for r in resources {
        for c in template.containers() {
            let set = |section: &str| {
                c.node
                    .path(&["resources", section, r])
                    .is_some_and(|n| !n.is_null())
            };
            if !set("requests") && !set("limits") {
                out.push((r.to_string(), c.describe()));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use golive_core::Workspace;

    fn ws(text: &str) -> Workspace {
        Workspace::from_files(vec![("h.yaml".into(), text.into())])
    }

    #[test]
    fn keda_bounds_default_to_zero_and_a_hundred() {
        let ws = ws(
            "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: q}\nspec:\n  scaleTargetRef: {name: q}\n  minReplicaCount: 101\n  triggers: [{type: cpu, metadata: {value: \"60\"}}]\n",
        );
        let obj = ws.kube_objects().next().unwrap();
        let f = bounds_problem(&obj).expect("101 > default 100");
        assert!(
            f.message
                .contains("minReplicaCount 101 is above maxReplicaCount 100")
        );
        // A cpu trigger scales on utilisation by default: it needs requests.
        match metric(&obj) {
            Metric::Some(_, described, resources) => {
                assert_eq!(described, "KEDA triggers (cpu)");
                assert_eq!(resources, vec!["cpu"]);
            }
            Metric::None(_) => panic!("triggers are a metric"),
        }
    }

    #[test]
    fn hpa_without_max_is_not_a_bounds_finding_and_unreadable_bounds_are_skipped() {
        let ws = ws(
            "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: a}\nspec:\n  scaleTargetRef: {kind: Deployment, name: a}\n  minReplicas: ${MIN}\n  maxReplicas: 2\n",
        );
        let obj = ws.kube_objects().next().unwrap();
        assert!(bounds_problem(&obj).is_none());
        assert!(matches!(metric(&obj), Metric::None(_)));
    }
}
