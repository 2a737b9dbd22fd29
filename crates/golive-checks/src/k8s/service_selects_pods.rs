use super::relations::{Manifests, Workload, is_near, same_namespace, service_selector};
use golive_core::kube::KubeObject;
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Outcome, Severity, declare_check};

declare_check! {
    /// ## What it checks
    /// Every Service's selector matches the pods of a workload in the scan, its target ports
    /// exist on those pods, and every Ingress or Gateway API route names a Service that exists
    /// and a port that Service exposes.
    ///
    /// - A Service with a `spec.selector` must match the pod template labels of a workload in
    ///   the same namespace (when both say which). The prometheus-operator's Prometheus,
    ///   Alertmanager and ThanosRuler resources count as workloads whose pods carry
    ///   `spec.podMetadata.labels` and the operator's labels. When a selector value names a
    ///   custom resource in the scan (e.g. a Kafka or Postgres cluster), its operator may create
    ///   the pods: the Service is passed over with a note.
    /// - Each Service port's `targetPort` (by default its `port`) must be a port of a selected
    ///   container. A name must match a declared port's `name` (otherwise Kubernetes cannot
    ///   resolve it: an error). A number should match a declared `containerPort`; when the
    ///   selected containers declare other ports but not this one it is a warning (a container
    ///   may listen on a port it does not declare), and when they declare none it is noted in
    ///   the evidence. Resolved ports are listed in the evidence with the container behind them.
    /// - Ingress backends (`networking.k8s.io/v1` `rules[].http.paths[].backend.service.name`
    ///   and `defaultBackend`; `extensions/v1beta1` and `networking.k8s.io/v1beta1`
    ///   `serviceName`) and `HTTPRoute`/`GRPCRoute` `backendRefs` of kind Service must name a
    ///   Service in the scan, in the same namespace, wherever in the scan it is written. The
    ///   port they ask for (`service.port.number` or `service.port.name`, `servicePort`,
    ///   `backendRefs[].port`) must be one the Service exposes: a number matches a Service
    ///   port's `port`, a name its `name`. Findings point at the backend's port.
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
                evidence.push(Evidence::located(
                    &service.location(),
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
                evidence.push(Evidence::located(
                    &service.location(),
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
                    evidence.push(Evidence::located(
                        &service.location(),
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
                let at = port
                    .entry("targetPort")
                    .map(|(k, _)| k)
                    .or_else(|| port.entry("port").map(|(k, _)| k))
                    .unwrap_or(port);
                match target_port(port, &selected) {
                    TargetPort::Resolved(how) | TargetPort::Unverifiable(how) => evidence
                        .push(Evidence::located(&at.location(path), format!("{name}: {how}"))),
                    TargetPort::Undeclared(problem) => findings.push(
                        Finding::at(at.location(path), format!("{name}: {problem}"))
                            .with_severity(Severity::Warning)
                            .with_help("declare the port in the container's ports (or fix the targetPort): a container may listen on an undeclared port, but the manifest no longer says so"),
                    ),
                    TargetPort::Unresolvable(problem) => findings
                        .push(Finding::at(at.location(path), format!("{name}: {problem}"))),
                    TargetPort::Skipped => {}
                }
            }
        }
        for route in m.objects() {
            for (backend, name_node, port_node) in backends(route) {
                checked += 1;
                let ns = match backend {
                    Backend::InNamespace(ns) => Some(ns),
                    Backend::Local => route.namespace(),
                };
                let Some(wanted) = name_node.as_text() else {
                    continue;
                };
                let named: Vec<&&KubeObject<'_>> = services
                    .iter()
                    .filter(|s| s.name() == Some(wanted) && same_namespace(s.namespace(), ns))
                    .collect();
                let found = !named.is_empty();
                let what = route.display_name();
                if !found
                    && !m
                        .workloads()
                        .iter()
                        .any(|w| is_near(&route.file.path, &w.obj.file.path))
                {
                    evidence.push(Evidence::located(
                        &name_node.location(&route.file.path),
                        format!("{what} routes to Service/{wanted}: passed over, no workload is defined near it, so the Service is deployed from elsewhere"),
                    ));
                    continue;
                }
                if found {
                    match port_node.and_then(|p| backend_port(p).map(|bp| (p, bp))) {
                        Some((p, wanted_port)) => {
                            let exposed = |s: &KubeObject<'_>| {
                                s.node
                                    .path(&["spec", "ports"])
                                    .into_iter()
                                    .flat_map(|p| p.items())
                                    .any(|sp| match wanted_port {
                                        BackendPort::Number(n) => {
                                            sp.get("port").and_then(|x| x.as_i64()) == Some(n)
                                        }
                                        BackendPort::Name(n) => sp.get_str("name") == Some(n),
                                    })
                            };
                            if named.iter().any(|s| exposed(s)) {
                                evidence.push(Evidence::located(
                                    &p.location(&route.file.path),
                                    format!(
                                        "{what} routes to Service/{wanted} port {}, which the Service exposes",
                                        wanted_port.describe()
                                    ),
                                ));
                            } else {
                                let ports: Vec<String> =
                                    named.first().map(|s| service_ports(s)).unwrap_or_default();
                                findings.push(Finding::at(
                                    p.location(&route.file.path),
                                    format!(
                                        "{what} routes to Service/{wanted} port {}, but the Service exposes {}",
                                        wanted_port.describe(),
                                        if ports.is_empty() {
                                            "no ports".to_string()
                                        } else {
                                            format!("only {}", ports.join(", "))
                                        }
                                    ),
                                ).with_help("make the backend's port the number or name of one of the Service's ports"));
                            }
                        }
                        None => evidence.push(Evidence::located(
                            &name_node.location(&route.file.path),
                            format!("{what} routes to Service/{wanted}, which exists"),
                        )),
                    }
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

/// What a Service port's targetPort reaches on the selected pods.
enum TargetPort {
    /// A declared container port (how, for the evidence).
    Resolved(String),
    /// The selected pods declare no ports: a number cannot be verified (said in the evidence).
    Unverifiable(String),
    /// A number no selected container declares while they declare others: a warning, since a
    /// container may listen on a port it does not declare.
    Undeclared(String),
    /// A name no selected container declares: Kubernetes cannot resolve it, the Service has
    /// no endpoints for that port.
    Unresolvable(String),
    /// Nothing to check (operator-created pods, an unreadable port).
    Skipped,
}

fn target_port(port: Node<'_>, selected: &[&Workload<'_>]) -> TargetPort {
    let Some(target) = port
        .get("targetPort")
        .filter(|t| !t.is_null())
        .or_else(|| port.get("port"))
    else {
        return TargetPort::Skipped;
    };
    let Some(text) = target.as_str() else {
        return TargetPort::Skipped;
    };
    // Pods whose containers golive can see (operators define their own ports).
    let templates: Vec<_> = selected.iter().filter_map(|w| w.template).collect();
    if templates.len() < selected.len() || templates.is_empty() {
        return TargetPort::Skipped;
    }
    // Every declared port: (number, name, container, workload).
    let mut ports: Vec<(i64, Option<&str>, String, String)> = Vec::new();
    for w in selected {
        for c in w.template.iter().flat_map(|t| t.containers()) {
            for (number, name) in c.ports() {
                ports.push((number, name, c.describe(), w.obj.display_name()));
            }
        }
    }
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
            if let Some((_, _, container, workload)) = ports.iter().find(|(p, ..)| *p == number) {
                return TargetPort::Resolved(format!(
                    "port{port_name} targets containerPort {number} of {workload}'s {container}"
                ));
            }
            if ports.is_empty() {
                return TargetPort::Unverifiable(format!(
                    "port{port_name} targets port {number}; the selected containers declare no ports, so it is not verified"
                ));
            }
            let declared: Vec<String> = ports.iter().map(|(p, ..)| p.to_string()).collect();
            TargetPort::Undeclared(format!(
                "port{port_name} targets port {number}, but the selected containers declare only {}",
                declared.join(", ")
            ))
        }
        None => {
            if let Some((number, _, container, workload)) =
                ports.iter().find(|(_, n, ..)| *n == Some(text))
            {
                return TargetPort::Resolved(format!(
                    "port{port_name} targets the named port `{text}`: containerPort {number} of {workload}'s {container}"
                ));
            }
            let named: Vec<&str> = ports.iter().filter_map(|(_, n, ..)| *n).collect();
            TargetPort::Unresolvable(if named.is_empty() {
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

/// The port a backend asks of its Service.
#[derive(Clone, Copy)]
enum BackendPort<'a> {
    Number(i64),
    Name(&'a str),
}

impl BackendPort<'_> {
    fn describe(&self) -> String {
        match self {
            BackendPort::Number(n) => n.to_string(),
            BackendPort::Name(n) => format!("`{n}`"),
        }
    }
}

/// A backend's port: the value node of `port.number` / `port.name` (Ingress v1),
/// `servicePort` (v1beta1) or `port` (Gateway API).
fn backend_port(node: Node<'_>) -> Option<BackendPort<'_>> {
    if let Some(n) = node.as_i64() {
        return Some(BackendPort::Number(n));
    }
    // A quoted number (`servicePort: "80"`): controllers differ on whether it is a name; take
    // the reading that does not raise a finding.
    if let Some(n) = node.as_text().and_then(|t| t.trim().parse::<i64>().ok()) {
        return Some(BackendPort::Number(n));
    }
    node.as_text()
        .filter(|t| !t.is_empty())
        .map(BackendPort::Name)
}

/// A Service's ports for messages: `80 (http)`.
fn service_ports(s: &KubeObject<'_>) -> Vec<String> {
    s.node
        .path(&["spec", "ports"])
        .into_iter()
        .flat_map(|p| p.items())
        .filter_map(|p| {
            let number = p.get("port")?.as_str()?;
            Some(match p.get_str("name") {
                Some(n) => format!("{number} (`{n}`)"),
                None => number.to_string(),
            })
        })
        .collect()
}

/// Where a backend's Service lives.
enum Backend<'a> {
    /// In the route's namespace.
    Local,
    /// In another namespace (Gateway API `backendRefs[].namespace`).
    InNamespace(&'a str),
}

/// The Service names an Ingress or Gateway API route sends traffic to, with the port each
/// asks for (its `number`/`name` value node) when written.
fn backends<'a>(obj: &KubeObject<'a>) -> Vec<(Backend<'a>, Node<'a>, Option<Node<'a>>)> {
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
                let port = b
                    .path(&["service", "port"])
                    .and_then(|p| p.get("number").or_else(|| p.get("name")))
                    .or_else(|| b.get("servicePort"))
                    .filter(|p| !p.is_null());
                out.extend(name.map(|n| (Backend::Local, n, port)));
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
                    let port = r.get("port").filter(|p| !p.is_null());
                    out.extend(r.get("name").map(|n| (ns, n, port)));
                }
            }
        }
        _ => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use golive_core::Workspace;

    #[test]
    fn backend_ports_are_numbers_or_names() {
        let ws = Workspace::from_files(vec![(
            "p.yaml".into(),
            "a: 80\nb: \"443\"\nc: http\nd: \"\"\n".into(),
        )]);
        let root = ws.files()[0].yaml_docs()[0].root().unwrap();
        let port = |k: &str| backend_port(root.get(k).unwrap()).map(|p| p.describe());
        assert_eq!(port("a").as_deref(), Some("80"));
        assert_eq!(port("b").as_deref(), Some("443"));
        assert_eq!(port("c").as_deref(), Some("`http`"));
        assert_eq!(port("d"), None);
    }
}
