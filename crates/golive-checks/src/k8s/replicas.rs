use super::relations::{Environment, Manifests, Replicas, environment, plural};
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Production Deployments, StatefulSets and Argo Rollouts run at least 2 replicas.
    ///
    /// The count is `spec.replicas` (1 when it is not written). When a HorizontalPodAutoscaler
    /// (`autoscaling/v1` or `v2`) or a KEDA ScaledObject targets the workload (its
    /// `scaleTargetRef` kind and name, same namespace), the autoscaler owns the count and its
    /// floor is what counts: `minReplicas` (default 1) or `minReplicaCount` (default 0).
    /// ReplicaSets, ReplicationControllers and the prometheus-operator's Prometheus,
    /// Alertmanager and ThanosRuler resources (which run their pods as StatefulSets) are counted
    /// the same way. Workloads scaled to 0 on purpose (`replicas: 0`, or an autoscaler whose
    /// floor is 0: event-driven scale-to-zero) are passed over. Kustomize overlays are rendered
    /// first: each overlay's Deployment is judged with the count the overlay sets (a patch or a
    /// `replicas:` entry, where the finding then points), and named with its overlay.
    ///
    /// Manifests for another environment are not production and are skipped: a directory of the
    /// path (for an overlay, its kustomization's), the file name or the namespace is `dev`,
    /// `development`, `test`, `testing`, `staging`, `stage`, `qa`, `preview`, `sandbox` or
    /// `local` (e.g. `overlays/dev/`, `deploy/staging/`). Everything else counts as production, and the evidence says so.
    ///
    /// ## Why it matters
    /// One replica is a single point of failure: every node drain, eviction, crash or rollout
    /// of a stuck version is an outage. (Go-live checklist, resilience: "eliminate single points
    /// of failure"; Production Ready Checklist, scalability: "use multiple instances".)
    ///
    /// ## How to fix
    /// ```yaml
    /// spec:
    ///   replicas: 2
    /// ```
    /// or let an autoscaler keep at least two:
    /// ```yaml
    /// apiVersion: autoscaling/v2
    /// kind: HorizontalPodAutoscaler
    /// spec:
    ///   scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }
    ///   minReplicas: 2
    ///   maxReplicas: 10
    /// ```
    pub struct ReplicasCheck {
        id: "k8s/replicas",
        title: "Production workloads run at least two replicas",
        category: Kubernetes,
        level: Silver,
        severity: Error,
        facets: [Kubernetes],
        seeds: [
            "001: Resilience and reliability: eliminate single points of failure",
            "004: Scalability: use multiple instances; High Availability: solution requires no downtime for maintenance",
        ],
        fix: "run at least 2 replicas (spec.replicas: 2, or an autoscaler with minReplicas: 2)",
    }
}

impl golive_core::Check for ReplicasCheck {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let (mut production, mut skipped) = (0, 0);
        for w in m.workloads() {
            let Some(replicas) = m.replicas(w) else {
                continue;
            };
            let name = w.obj.display_name_in_rendering();
            let path = &w.obj.file.path;
            let loc = w.obj.location();
            if let Environment::NonProduction(why) = environment(&w.obj) {
                skipped += 1;
                evidence.push(Evidence::located(
                    &loc,
                    format!("{name} skipped: not production ({why})"),
                ));
                continue;
            }
            production += 1;
            let runs = replicas.describe();
            match (replicas, replicas.minimum()) {
                (Replicas::Unknown { .. }, _) | (_, None) => evidence.push(Evidence::located(&loc,
                    format!("{name} passed over: it runs {runs}"),
                )),
                (Replicas::Field { count: 0, .. }, _) => evidence.push(Evidence::located(&loc,
                    format!("{name} passed over: scaled to 0 replicas on purpose"),
                )),
                (Replicas::Autoscaled { by, node, .. }, Some(0)) => evidence.push(Evidence::located(&loc,
                    format!(
                        "{name} passed over: {} scales it to zero when idle, on purpose{}",
                        by.display_name(),
                        if node.is_none() {
                            " (minReplicaCount defaults to 0)"
                        } else {
                            ""
                        }
                    ),
                )),
                (_, Some(n)) if n >= 2 => evidence.push(Evidence::located(&loc,
                    format!("{name} runs {runs}; counted as production: no other environment in its path"),
                )),
                (Replicas::Autoscaled { node, by, min }, Some(_)) => {
                    let at = match node {
                        Some(n) => n.location(&by.file.path),
                        None => by.location(),
                    };
                    let default = if node.is_none() {
                        " (minReplicas defaults to 1)"
                    } else {
                        ""
                    };
                    findings.push(Finding::at(
                        at,
                        format!(
                            "{} lets production {name} scale down to {}{default}: one pod is a single point of failure",
                            by.display_name(),
                            plural(min, "replica"),
                        ),
                    ).with_help(if by.kind == "ScaledObject" {
                        "set minReplicaCount: 2 on the ScaledObject"
                    } else {
                        "set minReplicas: 2 on the HorizontalPodAutoscaler"
                    }));
                }
                (Replicas::Field { node, .. }, Some(_)) => findings.push(Finding::at(
                    node.location(path),
                    format!(
                        "production {name} runs {runs}: one pod is a single point of failure"
                    ),
                )),
                (Replicas::Default, Some(_)) => findings.push(Finding::at(
                    w.obj.location(),
                    format!(
                        "production {name} runs {runs}: one pod is a single point of failure"
                    ),
                )),
            }
        }
        if production == 0 {
            return Outcome::not_applicable(if skipped > 0 {
                format!(
                    "no production Deployment, StatefulSet or Rollout ({skipped} workload(s) in non-production environments skipped)"
                )
            } else {
                "no Deployment, StatefulSet or Rollout in the manifests".to_string()
            });
        }
        Outcome::from_findings(findings, evidence)
    }
}
