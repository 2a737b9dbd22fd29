use super::relations::Manifests;
use golive_core::kube::Container;
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Every container that serves traffic has a `readinessProbe`.
    ///
    /// A container serves traffic when it declares a `containerPort`, or when a Service in the
    /// scan selects its pod (the Service's `spec.selector` matches the pod template's labels, in
    /// the same namespace when both say which) and no container of the pod declares ports (then
    /// a container with a readiness probe gates the pod, or else the first container is taken as
    /// the one listening). Other containers (a load generator or queue worker that nothing sends
    /// requests to, sidecars beside a container that declares the ports, containers whose only
    /// ports are metrics ports when no Service selects the pod) are passed over, and the
    /// evidence says so.
    /// Jobs, CronJobs and Pods with `restartPolicy: Never`/`OnFailure` run to completion and are
    /// not checked; Knative Services are passed over (Knative probes the container's port before
    /// it routes requests to it). Pods created by an operator from a custom resource (Prometheus,
    /// Alertmanager) get their probes from the operator and are not checked either.
    ///
    /// ## Why it matters
    /// A Service sends requests to a pod as soon as its containers have started, unless a
    /// readiness probe says it is not ready yet: without one, every rollout and every restart
    /// sends users requests that a warming-up process refuses, and a pod that cannot reach its
    /// database keeps receiving traffic it can only fail. (Go-live checklist, health checks:
    /// "Application services should provide health check endpoints"; Kubernetes pod lifecycle:
    /// a pod is added to Service endpoints once it is ready.)
    ///
    /// ## How to fix
    /// Add a readiness probe on the endpoint that says the process can serve:
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     ports:
    ///       - containerPort: 8080
    ///     readinessProbe:
    ///       httpGet: { path: /readyz, port: 8080 }
    ///       periodSeconds: 5
    /// ```
    pub struct ReadinessProbe {
        id: "k8s/readiness-probe",
        title: "Serving containers have a readiness probe",
        category: Kubernetes,
        level: Bronze,
        severity: Error,
        facets: [Kubernetes],
        seeds: [
            "003: Health checks: application services should provide health check endpoints",
            "002: Kubernetes pod lifecycle: a pod receives traffic (is added to Service endpoints) once its readiness probe passes",
        ],
        fix: "add a readinessProbe (httpGet on the service's readiness path, or tcpSocket/grpc on its port) to the container",
    }
}

/// Port names that only carry metrics scrapes, not user traffic.
fn is_metrics_port(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "metrics" | "prometheus" | "prom" | "monitoring"
    ) || name.ends_with("-metrics")
}

impl golive_core::Check for ReadinessProbe {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let (mut serving, mut passed_over, mut completing) = (0, 0, 0);
        for w in m.workloads() {
            let Some(template) = w.template else {
                continue;
            };
            let name = w.obj.display_name();
            let path = &w.obj.file.path;
            if !w.obj.is_long_running() {
                completing += 1;
                evidence.push(Evidence::located(&w.obj.location(),
                    format!("{name} runs to completion: readiness probes apply to long-running workloads"),
                ));
                continue;
            }
            if w.obj.group() == "serving.knative.dev" {
                passed_over += 1;
                evidence.push(Evidence::located(
                    &w.obj.location(),
                    format!("{name}: Knative gates traffic itself (its queue-proxy probes the container's port until it answers): passed over"),
                ));
                continue;
            }
            let services = m.services_selecting(w);
            let containers = template.containers();
            let declares_ports =
                |c: &Container<'_>| c.node.get("ports").is_some_and(|p| !p.is_empty());
            let port_holder = containers.iter().find(|c| declares_ports(c));
            let has_probe = |c: &Container<'_>| {
                c.probe("readinessProbe")
                    .is_some_and(|p| p.handler.is_some())
            };
            // Selected by a Service but no port declared: any container may be the one
            // listening. One with a probe gates the pod; without any, the first is taken.
            let unported_server = if port_holder.is_none() && !services.is_empty() {
                containers
                    .iter()
                    .filter(|c| !c.init)
                    .find(|c| has_probe(c))
                    .or_else(|| containers.iter().find(|c| !c.init))
            } else {
                None
            };
            for c in &containers {
                let why_serving = if declares_ports(c) {
                    let ports = port_list(c);
                    let metrics_only = !ports.is_empty()
                        && ports.iter().all(|(_, n)| n.is_some_and(is_metrics_port));
                    if metrics_only && services.is_empty() {
                        None
                    } else {
                        Some(match ports.first() {
                            Some((p, _)) => format!("it declares containerPort {p}"),
                            None => "it declares ports".to_string(),
                        })
                    }
                } else if port_holder.is_none()
                    && !c.init
                    && (has_probe(c)
                        || unported_server.is_some_and(|u| u.node.line() == c.node.line()))
                {
                    services
                        .first()
                        .map(|s| format!("{} selects its pod", s.display_name()))
                } else {
                    None
                };
                let Some(why_serving) = why_serving else {
                    passed_over += 1;
                    let reason = if declares_ports(c) {
                        "it only exposes metrics ports and no Service selects its pod".to_string()
                    } else if let Some(holder) = port_holder {
                        format!("the pod's ports are declared by {}", holder.describe())
                    } else if let Some(server) = unported_server.filter(|_| !c.init) {
                        if has_probe(server) {
                            format!(
                                "the pod declares no ports, and {}'s readinessProbe gates it",
                                server.describe()
                            )
                        } else {
                            format!(
                                "the pod declares no ports, and {} is taken as the one serving it",
                                server.describe()
                            )
                        }
                    } else if c.init {
                        "it declares no port".to_string()
                    } else {
                        "no Service in the scan selects its pod and it declares no port".to_string()
                    };
                    evidence.push(Evidence::located(
                        &c.location(path),
                        format!(
                            "{name}: {} passed over (serves no traffic): {reason}",
                            c.describe()
                        ),
                    ));
                    continue;
                };
                serving += 1;
                match c.probe("readinessProbe") {
                    Some(probe) if probe.handler.is_some() => evidence.push(Evidence::located(&probe.key.location(path),
                        format!(
                            "{name}: {} has a readinessProbe ({})",
                            c.describe(),
                            probe.describe()
                        ),
                    )),
                    Some(probe) => findings.push(Finding::at(
                        probe.key.location(path),
                        format!(
                            "{name}: {}'s readinessProbe has no httpGet, tcpSocket, grpc or exec handler ({why_serving})",
                            c.describe()
                        ),
                    )),
                    None => findings.push(Finding::at(
                        c.location(path),
                        format!(
                            "{name}: {} has no readinessProbe ({why_serving})",
                            c.describe()
                        ),
                    )),
                }
            }
        }
        if serving == 0 {
            let detail = super::relations::nothing_to_judge(
                passed_over,
                "passed over: no Service in the scan selects their pods and they declare no serving port",
                completing,
            );
            return Outcome::not_applicable(format!("no container serves traffic ({detail})"));
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// A container's ports: number (as written) and name.
fn port_list<'a>(c: &Container<'a>) -> Vec<(&'a str, Option<&'a str>)> {
    c.node
        .get("ports")
        .into_iter()
        .flat_map(|p| p.items())
        .filter_map(|p| Some((p.get("containerPort")?.as_str()?, p.get_str("name"))))
        .collect()
}
