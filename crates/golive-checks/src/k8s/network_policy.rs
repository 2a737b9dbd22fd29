use super::relations::{Environment, Manifests, deployed_together, environment};
use golive_core::kube::KubeObject;
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// A NetworkPolicy selects the pods of every production workload.
    ///
    /// A `networking.k8s.io/v1` NetworkPolicy selects a workload's pods when its
    /// `spec.podSelector` matches the pod template's labels, in the same namespace (when both
    /// say which). An empty `podSelector: {}` selects every pod of its namespace: it counts
    /// (typically a default-deny policy), and the evidence says so. The prometheus-operator's
    /// Prometheus, Alertmanager and ThanosRuler count as workloads whose pods carry
    /// `spec.podMetadata.labels` plus the operator's labels.
    ///
    /// Only policies deployed together with the workload count: for a kustomize overlay, the
    /// policies of the same rendering (a component's policies count where the overlay includes
    /// the component, with a note saying where they come from); for plain manifests, policies in
    /// the workload's directory or under the parent of its directory (`k8s/policies/` with
    /// `k8s/apps/`). A policy elsewhere that would select the pods belongs to another way of
    /// deploying them (another overlay, a component this overlay does not include): it is named
    /// in the finding, not counted. Jobs and CronJobs (they run to completion and serve
    /// nothing) are noted, and non-production manifests are not checked.
    ///
    /// ## Why it matters
    /// Without a NetworkPolicy a pod accepts connections from every pod in the cluster: one
    /// compromised or misbehaving workload reaches the database, the admin port, the metrics
    /// endpoint of everything. A policy per workload (or a namespace default-deny plus allow
    /// rules) limits the blast radius. (Production Ready Checklist, networking: "configure
    /// Network ACLs", "configure Security Groups": in a cluster, NetworkPolicies play that role.)
    ///
    /// ## How to fix
    /// ```yaml
    /// apiVersion: networking.k8s.io/v1
    /// kind: NetworkPolicy
    /// metadata: { name: web }
    /// spec:
    ///   podSelector:
    ///     matchLabels: { app: web }
    ///   policyTypes: [Ingress]
    ///   ingress:
    ///     - from:
    ///         - podSelector: { matchLabels: { app: frontend } }
    ///       ports:
    ///         - { port: 8080, protocol: TCP }
    /// ```
    pub struct NetworkPolicy {
        id: "k8s/network-policy",
        title: "A NetworkPolicy selects every workload's pods",
        category: Kubernetes,
        level: Gold,
        severity: Warning,
        facets: [Kubernetes],
        seeds: [
            "004: Networking: configure Network ACLs",
            "004: Networking: configure Security Groups",
        ],
        fix: "add a NetworkPolicy whose podSelector matches the pods (or a namespace default-deny with podSelector: {}) and allow only the traffic they need",
    }
}

impl golive_core::Check for NetworkPolicy {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut checked = 0;
        for w in m.workloads() {
            let name = w.obj.display_name_in_rendering();
            let path = &w.obj.file.path;
            if let Environment::NonProduction(why) = environment(&w.obj) {
                evidence.push(Evidence::located(
                    &w.obj.location(),
                    format!("{name} skipped: not production ({why})"),
                ));
                continue;
            }
            if !w.obj.is_long_running() {
                evidence.push(Evidence::located(
                    &w.obj.location(),
                    format!("{name} passed over: it runs to completion (a policy for it is worth having, but it serves no traffic)"),
                ));
                continue;
            }
            checked += 1;
            let (together, elsewhere): (Vec<_>, Vec<_>) = m
                .network_policies_selecting(w)
                .into_iter()
                .partition(|(p, _)| deployed_together(path, &p.file.path));
            // A specific selector says more than a namespace-wide one.
            let best = together
                .iter()
                .find(|(_, all)| !all)
                .or_else(|| together.first());
            if let Some((policy, all)) = best {
                let how = if *all {
                    format!(
                        "{} selects every pod of its namespace (podSelector: {{}}), {name}'s included",
                        policy.display_name()
                    )
                } else {
                    format!("{} selects the pods of {name}", policy.display_name())
                };
                let note = match m.component_of(&policy.location().path) {
                    Some(dir) => format!(
                        " (from the kustomize component `{dir}`: applied only where a kustomization lists it)"
                    ),
                    None => String::new(),
                };
                evidence.push(Evidence::located(
                    &selector_location(policy),
                    format!("{how}{note}"),
                ));
                continue;
            }
            let mut message = format!(
                "{name}: no NetworkPolicy selects its pods: they accept connections from, and open connections to, any pod in the cluster"
            );
            if let Some((other, _)) = elsewhere
                .iter()
                .find(|(_, all)| !all)
                .or_else(|| elsewhere.first())
            {
                message.push_str(&format!(
                    " ({} in {} would, but it is deployed with other manifests)",
                    other.display_name(),
                    other.rendering().unwrap_or(&other.file.path)
                ));
            }
            findings.push(Finding::at(w.obj.location(), message));
        }
        if checked == 0 {
            return Outcome::not_applicable(if m.workloads().is_empty() {
                "no workload in the manifests"
            } else {
                "no long-running production workload in the manifests"
            });
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// A policy's `podSelector:` key, where evidence about what it selects points.
fn selector_location(policy: &KubeObject<'_>) -> golive_core::Location {
    policy
        .node
        .get("spec")
        .and_then(|s| s.entry("podSelector"))
        .map(|(k, _)| k.location(&policy.file.path))
        .unwrap_or_else(|| policy.location())
}
