use super::relations::{Manifests, Workload, is_near, same_namespace, service_selector};
use golive_core::kube::KubeObject;
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Every Service's selector matches the pods of a workload in the scan, its target ports
    /// exist on those pods, and every Ingress or Gateway API route names a Service that exists.
    ///
    /// - A Service with a `spec.selector` must match the pod template labels of a workload in
    ///   the same namespace (when both say which). The prometheus-operator's Prometheus,
    ///   Alertmanager and ThanosRuler resources count as workloads whose pods carry
    ///   `spec.podMetadata.labels` and the operator's labels. When a selector value names a
    ///   custom resource in the scan (e.g. a Kafka or Postgres cluster), its operator may create
    ///   the pods: the Service is passed over with a note.
    /// - Each Service port's `targetPort` (by default its `port`) must be a port of a selected
    ///   container: a name must match a declared port's `name`; a number must match a declared
    ///   `containerPort` when the selected pods declare ports (declaring them is optional).
    /// - Ingress backends (`networking.k8s.io/v1` `rules[].http.paths[].backend.service.name`
    ///   and `defaultBackend`; `extensions/v1beta1` and `networking.k8s.io/v1beta1`
    ///   `serviceName`) and `HTTPRoute`/`GRPCRoute` `backendRefs` of kind Service must name a
    ///   Service in the scan, in the same namespace.
    ///
    /// Services without a selector (ExternalName, or Endpoints managed by hand) are skipped
    /// with a note, and so are Services and routes with no workload defined near them (under
    /// the parent of their directory): what they point at is deployed from elsewhere (an Istio
    /// gateway installed by its own installer, a chart in another repository).
    ///
    /// ## Why it matters
    /// A Service whose selector matches no pod, or whose targetPort is not a port the pods
    /// listen on, has no endpoints: every request to it fails although every pod is healthy.
    /// It is a one-character typo in a label or port name, it passes every YAML linter, and it
    /// is a classic outage after a relabelling. An Ingress naming a missing Service answers
    /// 503 for its whole path. (Production Ready Checklist, networking and high availability:
    /// "solution has load balancing in front of exposed HTTP endpoints"; "solution has load
    /// balancing for all requests".)
    ///
    /// ## How to fix
    /// Make the selector and ports match the pod template:
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   selector: { app: web }        # = spec.template.metadata.labels of the Deployment
    ///   ports:
    ///     - port: 80
    ///       targetPort: http          # = a containerPort's name (or its number)
    /// ```
    pub struct ServiceSelectsPods {
        id: "k8s/service-selects-pods",
        title: "Services select pods and Ingresses name existing Services",
        category: Kubernetes,
        level: Bronze,
        severity: Error,
        facets: [Kubernetes],
        seeds: [
            "004: Networking: solution has load balancing in front of exposed HTTP endpoints",
            "004: High Availability: solution has load balancing for all requests",
        ],
        fix: "make the Service's selector and targetPort match the pod template's labels and ports, and Ingress backends name existing Services",
    }
}

impl golive_core::Check for ServiceSelectsPods {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut checked = 0;
        let services: Vec<&KubeObject<'_>> = m
            .of_kind("Service")
            .filter(|s| s.group().is_empty())
            .collect();
        for service in &services {
            checked += 1;
            let name = service.display_name();
            let path = &service.file.path;
            let Some(selector) = service_selector(service) else {
                evidence.push(Evidence::located(&service.location(),
                    format!("{name} skipped: it has no selector (ExternalName, or Endpoints managed outside the Service)"),
                ));
                continue;
            };
            let selected = m.workloads_selected_by(selector, service.namespace(), path);
            if selected.is_empty()
                && !m
                    .workloads()
                    .iter()
                    .any(|w| is_near(path, &w.obj.file.path))
            {
                evidence.push(Evidence::located(&service.location(),
                    format!("{name} passed over: no workload is defined near it, so its pods are deployed from elsewhere"),
                ));
                continue;
            }
            if selected.is_empty() {
                if let Some(owner) =
                    selector
                        .entries()
                        .filter_map(|(_, v)| v.as_str())
                        .find_map(|v| {
                            m.custom_resources_named(v, service.namespace())
                                .first()
                                .copied()
                        })
                {
                    evidence.push(Evidence::located(&service.location(),
                        format!(
                            "{name} passed over: its selector names {}, whose operator may create the pods",
                            owner.display_name()
                        ),
                    ));
                    continue;
                }
                let labels: Vec<String> = selector
                    .entries()
                    .filter_map(|(k, v)| Some(format!("{}={}", k.as_str()?, v.as_str()?)))
                    .collect();
                let elsewhere = m
                    .workloads_selected_by(selector, None, path)
                    .into_iter()
                    .find_map(|w| Some((w.obj.display_name(), w.namespace()?)));
                let message = match (service.namespace(), elsewhere) {
                    (Some(ns), Some((other, other_ns))) => format!(
                        "{name} selects no pods: no pod template in namespace `{ns}` has the labels {} ({other} is in namespace `{other_ns}`)",
                        labels.join(", ")
                    ),
                    _ => format!(
                        "{name} selects no pods: no pod template in the scan has the labels {}",
                        labels.join(", ")
                    ),
                };
                findings.push(Finding::at(
                    selector_key(service).unwrap_or(selector).location(path),
                    message,
                ));
                continue;
            }
            let targets: Vec<String> = selected.iter().map(|w| w.obj.display_name()).collect();
            evidence.push(Evidence::located(
                &selector.location(path),
                format!("{name} selects the pods of {}", targets.join(", ")),
            ));
            for port in service
                .node
                .path(&["spec", "ports"])
                .into_iter()
                .flat_map(|p| p.items())
            {
                if let Some(problem) = target_port_problem(port, &selected) {
                    let at = port
                        .entry("targetPort")
                        .map(|(k, _)| k)
                        .or_else(|| port.entry("port").map(|(k, _)| k))
                        .unwrap_or(port);
                    findings.push(Finding::at(at.location(path), format!("{name}: {problem}")));
                }
            }
        }
        for route in m.objects() {
            for (backend, name_node) in backends(route) {
                checked += 1;
                let ns = match backend {
                    Backend::InNamespace(ns) => Some(ns),
                    Backend::Local => route.namespace(),
                };
                let Some(wanted) = name_node.as_text() else {
                    continue;
                };
                let found = services
                    .iter()
                    .any(|s| s.name() == Some(wanted) && same_namespace(s.namespace(), ns));
                let what = route.display_name();
                if !found
                    && !m
                        .workloads()
                        .iter()
                        .any(|w| is_near(&route.file.path, &w.obj.file.path))
                {
                    evidence.push(Evidence::located(&name_node.location(&route.file.path),
                        format!("{what} routes to Service/{wanted}: passed over, no workload is defined near it, so the Service is deployed from elsewhere"),
                    ));
                    continue;
                }
                if found {
                    evidence.push(Evidence::located(
                        &name_node.location(&route.file.path),
                        format!("{what} routes to Service/{wanted}, which exists"),
                    ));
                } else {
                    findings.push(Finding::at(
                        name_node.location(&route.file.path),
                        format!("{what} routes to Service/{wanted}, which is not in the scan"),
                    ));
                }
            }
        }
        if checked == 0 {
            return Outcome::not_applicable("no Services, Ingresses or routes in the manifests");
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// The `selector:` key of a Service, where findings about it point.
fn selector_key<'a>(service: &KubeObject<'a>) -> Option<Node<'a>> {
    service.node.get("spec")?.entry("selector").map(|(k, _)| k)
}

/// Why a Service port's targetPort reaches none of the selected pods (None when it does, or
/// when the pods' ports are not in the scan).
fn target_port_problem(port: Node<'_>, selected: &[&Workload<'_>]) -> Option<String> {
    let target = port
        .get("targetPort")
        .filter(|t| !t.is_null())
        .or_else(|| port.get("port"))?;
    let text = target.as_str()?;
    // Pods whose containers golive can see (operators define their own ports).
    let templates: Vec<_> = selected.iter().filter_map(|w| w.template).collect();
    if templates.len() < selected.len() || templates.is_empty() {
        return None;
    }
    let ports: Vec<(i64, Option<&str>)> = templates
        .iter()
        .flat_map(|t| t.containers())
        .flat_map(|c| c.ports())
        .collect();
    let port_name = match (
        port.get_str("name"),
        port.get("port").and_then(|p| p.as_str()),
    ) {
        (Some(n), _) => format!(" `{n}`"),
        (None, Some(p)) => format!(" {p}"),
        (None, None) => String::new(),
    };
    match target.as_i64() {
        Some(number) => {
            if ports.is_empty() || ports.iter().any(|(p, _)| *p == number) {
                return None;
            }
            let declared: Vec<String> = ports.iter().map(|(p, _)| p.to_string()).collect();
            Some(format!(
                "port{port_name} targets port {number}, but the selected containers declare only {}",
                declared.join(", ")
            ))
        }
        None => {
            if ports.iter().any(|(_, n)| *n == Some(text)) {
                return None;
            }
            let named: Vec<&str> = ports.iter().filter_map(|(_, n)| *n).collect();
            Some(if named.is_empty() {
                format!(
                    "port{port_name} targets the named port `{text}`, but the selected containers declare no named ports"
                )
            } else {
                format!(
                    "port{port_name} targets the named port `{text}`, but the selected containers name their ports {}",
                    named.join(", ")
                )
            })
        }
    }
}

/// Where a backend's Service lives.
enum Backend<'a> {
    /// In the route's namespace.
    Local,
    /// In another namespace (Gateway API `backendRefs[].namespace`).
    InNamespace(&'a str),
}

/// The Service names an Ingress or Gateway API route sends traffic to.
fn backends<'a>(obj: &KubeObject<'a>) -> Vec<(Backend<'a>, Node<'a>)> {
    let mut out = Vec::new();
    let Some(spec) = obj.node.get("spec") else {
        return out;
    };
    match (obj.group(), obj.kind) {
        ("networking.k8s.io" | "extensions", "Ingress") => {
            let mut backends: Vec<Node<'a>> = Vec::new();
            backends.extend(spec.get("defaultBackend"));
            backends.extend(spec.get("backend"));
            for rule in spec.get("rules").into_iter().flat_map(|r| r.items()) {
                for p in rule
                    .path(&["http", "paths"])
                    .into_iter()
                    .flat_map(|p| p.items())
                {
                    backends.extend(p.get("backend"));
                }
            }
            for b in backends {
                let name = b
                    .path(&["service", "name"])
                    .or_else(|| b.get("serviceName"));
                out.extend(name.map(|n| (Backend::Local, n)));
            }
        }
        ("gateway.networking.k8s.io", "HTTPRoute" | "GRPCRoute") => {
            for rule in spec.get("rules").into_iter().flat_map(|r| r.items()) {
                for r in rule.get("backendRefs").into_iter().flat_map(|b| b.items()) {
                    let kind = r.get_str("kind").unwrap_or("Service");
                    let group = r.get_str("group").unwrap_or("");
                    if kind != "Service" || !group.is_empty() {
                        continue;
                    }
                    let ns = match r.get_str("namespace") {
                        Some(ns) => Backend::InNamespace(ns),
                        None => Backend::Local,
                    };
                    out.extend(r.get("name").map(|n| (ns, n)));
                }
            }
        }
        _ => {}
    }
    out
}
