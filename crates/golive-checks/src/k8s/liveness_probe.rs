use super::relations::Manifests;
use golive_core::kube::Probe;
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Every long-running container has a `livenessProbe`, and it is not the same probe as its
    /// `readinessProbe`.
    ///
    /// Long-running containers are the containers (and `restartPolicy: Always` sidecars) of
    /// Deployments, StatefulSets, DaemonSets, ReplicaSets, Argo Rollouts and Pods that are not
    /// `restartPolicy: Never`/`OnFailure`; Jobs and CronJobs run to completion and are passed
    /// over. Two probes are the same when they use the same handler with the same settings
    /// (path, port, scheme, host, headers; port; service; command) and the same timing
    /// (`initialDelaySeconds`, `periodSeconds`, `timeoutSeconds`, `failureThreshold`, with
    /// Kubernetes' defaults 0, 10, 1 and 3 for what is left out). Pods created by an operator
    /// from a custom resource (Prometheus, Alertmanager) are not checked.
    ///
    /// ## Why it matters
    /// A process that deadlocks or wedges keeps its container running: without a liveness
    /// probe nothing restarts it, and it holds its slot until someone notices. A liveness probe
    /// identical to the readiness probe is the opposite failure: when a pod is merely busy, the
    /// kubelet restarts it at the same moment it would only have been taken out of rotation,
    /// and under load the restarts cascade across replicas. (Go-live checklist, health checks;
    /// Kubernetes pod lifecycle: failing liveness probes restart the container.)
    ///
    /// ## How to fix
    /// Add a liveness probe that only says the process is alive, and make it more tolerant than
    /// readiness:
    /// ```yaml
    /// readinessProbe:
    ///   httpGet: { path: /readyz, port: 8080 }
    ///   periodSeconds: 5
    /// livenessProbe:
    ///   httpGet: { path: /livez, port: 8080 }
    ///   periodSeconds: 10
    ///   failureThreshold: 6
    /// ```
    pub struct LivenessProbe {
        id: "k8s/liveness-probe",
        title: "Long-running containers have a distinct liveness probe",
        category: Kubernetes,
        level: Silver,
        severity: Warning,
        facets: [Kubernetes],
        seeds: [
            "003: Health checks: application services should provide health check endpoints",
            "002: Kubernetes pod lifecycle: a failing liveness probe restarts the container (CrashLoopBackOff when it keeps failing)",
        ],
        fix: "add a livenessProbe that only checks the process is alive, more tolerant than the readinessProbe",
    }
}

/// Probe timing settings and Kubernetes' defaults for them.
const TIMING: [(&str, i64); 4] = [
    ("initialDelaySeconds", 0),
    ("periodSeconds", 10),
    ("timeoutSeconds", 1),
    ("failureThreshold", 3),
];

impl golive_core::Check for LivenessProbe {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let (mut long_running, mut completing) = (0, 0);
        for w in m.workloads() {
            let Some(template) = w.template else {
                continue;
            };
            let name = w.obj.display_name();
            let path = &w.obj.file.path;
            if !w.obj.is_long_running() {
                completing += 1;
                evidence.push(Evidence::located(
                    &w.obj.location(),
                    format!(
                        "{name} runs to completion: liveness probes apply to long-running workloads"
                    ),
                ));
                continue;
            }
            for c in template.containers() {
                long_running += 1;
                let what = c.describe();
                let liveness = c.probe("livenessProbe");
                let Some(liveness) = liveness.filter(|p| p.handler.is_some()) else {
                    let (at, problem) = match liveness {
                        Some(p) => (p.key.location(path), "a livenessProbe with no handler"),
                        None => (c.location(path), "no livenessProbe"),
                    };
                    findings.push(Finding::at(at, format!("{name}: {what} has {problem}")));
                    continue;
                };
                let readiness = c.probe("readinessProbe").filter(|p| p.handler.is_some());
                if let Some(readiness) = readiness
                    && same_probe(&liveness, &readiness)
                {
                    findings.push(
                        Finding::at(
                            liveness.key.location(path),
                            format!(
                                "{name}: {what}'s livenessProbe is the same as its readinessProbe ({}, same timing): a busy pod is restarted instead of only being taken out of rotation",
                                liveness.describe()
                            ),
                        )
                        .with_help(
                            "make the liveness probe more tolerant than readiness (higher failureThreshold or periodSeconds) or point it at a cheaper endpoint that only says the process is alive",
                        ),
                    );
                    continue;
                }
                evidence.push(Evidence::located(
                    &liveness.key.location(path),
                    format!(
                        "{name}: {what} has a livenessProbe ({}){}",
                        liveness.describe(),
                        if readiness.is_some() {
                            " that differs from its readinessProbe"
                        } else {
                            ""
                        }
                    ),
                ));
            }
        }
        if long_running == 0 {
            return Outcome::not_applicable(if completing > 0 {
                format!(
                    "no long-running containers: {completing} workload(s) run to completion (Jobs, CronJobs, Pods with restartPolicy Never/OnFailure)"
                )
            } else {
                "no workloads with a pod template in the manifests".to_string()
            });
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// Same handler with the same settings, and the same timing (defaults applied).
fn same_probe(a: &Probe<'_>, b: &Probe<'_>) -> bool {
    let (Some((kind_a, ha)), Some((kind_b, hb))) = (a.handler, b.handler) else {
        return false;
    };
    if kind_a != kind_b {
        return false;
    }
    let handler_same = if kind_a == "httpGet" {
        let text = |h: Node<'_>, key: &str, default: &'static str| -> Option<String> {
            match h.get(key) {
                None => Some(default.to_string()),
                Some(n) if n.is_null() => Some(default.to_string()),
                Some(n) => n.as_str().map(str::to_string),
            }
        };
        text(ha, "path", "/") == text(hb, "path", "/")
            && text(ha, "scheme", "HTTP").map(|s| s.to_ascii_uppercase())
                == text(hb, "scheme", "HTTP").map(|s| s.to_ascii_uppercase())
            && ["port", "host", "httpHeaders"]
                .iter()
                .all(|k| same_value(ha.get(k), hb.get(k)))
    } else {
        same_value(Some(ha), Some(hb))
    };
    handler_same
        && TIMING.iter().all(|(key, default)| {
            let value = |p: &Probe<'_>| match p.node.get(key) {
                None => Some(*default),
                Some(n) if n.is_null() => Some(*default),
                Some(n) => n.as_i64(),
            };
            // A value golive cannot read (a template) is never called the same.
            matches!((value(a), value(b)), (Some(x), Some(y)) if x == y)
        })
}

/// Structural equality of two YAML values (maps compared by key, not order).
fn same_value(a: Option<Node<'_>>, b: Option<Node<'_>>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(a), Some(b)) => {
            if a.is_map() && b.is_map() {
                a.len() == b.len()
                    && a.entries().all(|(k, v)| {
                        k.as_str()
                            .is_some_and(|key| same_value(Some(v), b.get(key)))
                    })
            } else if a.is_seq() && b.is_seq() {
                a.len() == b.len()
                    && a.items()
                        .zip(b.items())
                        .all(|(x, y)| same_value(Some(x), Some(y)))
            } else {
                a.is_scalar() && b.is_scalar() && a.as_str() == b.as_str()
            }
        }
        _ => false,
    }
}
