use super::relations::{
    Environment, Manifests, Workload, environment, is_empty_selector, is_near, plural,
};
use golive_core::kube::KubeObject;
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};
use std::collections::BTreeMap;

declare_check! {
    /// ## What it checks
    /// Every production workload that runs more than one replica is selected by a
    /// PodDisruptionBudget, and every PodDisruptionBudget still allows at least one voluntary
    /// disruption.
    ///
    /// A workload is multi-replica when it runs at least 2 replicas by `spec.replicas`, or by
    /// the floor of the autoscaler that owns its count (as in `k8s/replicas`, whose notion of
    /// production this check shares). A PodDisruptionBudget (`policy/v1`) selects the workload
    /// when its `spec.selector` matches the pod template's labels in the same namespace; for the
    /// prometheus-operator's Prometheus, Alertmanager and ThanosRuler resources, the pods'
    /// labels are `spec.podMetadata.labels` plus the labels the operator sets. A budget allows
    /// a disruption when `minAvailable` (a number, or a percentage rounded up) is below the
    /// replica count of the pods it selects, or `maxUnavailable` (a number, or a percentage of
    /// the replica count rounded up, as the disruption controller does) is at least 1.
    /// A budget that allows none is a finding at its `minAvailable`/`maxUnavailable`, whatever
    /// the workload's replica count: it blocks every node drain. Pods selected by two budgets
    /// are a finding too: the eviction API refuses to evict them. A budget whose selector
    /// matches no pod template in the scan protects nothing: a finding at its selector (unless
    /// no workload is defined near it, or its selector names a custom resource whose operator
    /// creates the pods). An empty selector selects every pod of the namespace (noted).
    /// DaemonSets (drains do not evict their pods) and Jobs are not checked.
    ///
    /// ## Why it matters
    /// Node drains (upgrades, autoscaler scale-down, maintenance) evict pods. Without a budget
    /// they may evict every replica at once, and the service is down although it runs several;
    /// a budget that allows no disruption blocks the drain instead, and the upgrade stalls until
    /// someone deletes it. (Production Ready Checklist, high availability: "solution requires no
    /// downtime for maintenance"; continuous delivery: "do zero-downtime deployments".)
    ///
    /// ## How to fix
    /// ```yaml
    /// apiVersion: policy/v1
    /// kind: PodDisruptionBudget
    /// metadata: { name: web }
    /// spec:
    ///   maxUnavailable: 1
    ///   selector:
    ///     matchLabels: { app: web }
    /// ```
    pub struct PodDisruptionBudget {
        id: "k8s/pod-disruption-budget",
        title: "Multi-replica workloads have a PodDisruptionBudget that allows disruptions",
        category: Kubernetes,
        level: Silver,
        severity: Warning,
        facets: [Kubernetes],
        seeds: [
            "004: High Availability: solution requires no downtime for maintenance",
            "004: Continuous Delivery: do zero-downtime deployments",
        ],
        fix: "add a policy/v1 PodDisruptionBudget selecting the pods with maxUnavailable: 1 (or minAvailable below the replica count)",
    }
}

impl golive_core::Check for PodDisruptionBudget {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut multi_replica = 0;
        let mut single_replica = 0;
        // Each budget, with the workloads it selects and their replica floor.
        let mut budgets: BTreeMap<(String, u32), Selected<'_, '_>> = BTreeMap::new();
        for w in m.workloads() {
            let Some(count) = m.replicas(w).and_then(|r| r.minimum()) else {
                continue;
            };
            let pdbs = m.pdbs_selecting(w);
            for pdb in &pdbs {
                budgets
                    .entry((pdb.file.path.clone(), pdb.node.line()))
                    .or_insert_with(|| (*pdb, Vec::new()))
                    .1
                    .push((w, count));
            }
            let name = w.obj.display_name_in_rendering();
            // Copies of a budget in different overlays are not both applied; two in one
            // directory (one kustomization, one release) are.
            let same_dir = pdbs
                .iter()
                .any(|a| pdbs.iter().filter(|b| b.file.dir() == a.file.dir()).count() > 1);
            if same_dir {
                let names: Vec<String> = pdbs.iter().map(|p| p.display_name()).collect();
                let Some(last) = pdbs.last() else { continue };
                findings.push(Finding::at(
                    selector_location(last),
                    format!(
                        "{name}'s pods are selected by {} PodDisruptionBudgets ({}): the eviction API refuses to evict pods with more than one",
                        pdbs.len(),
                        names.join(", ")
                    ),
                ).with_help("keep one PodDisruptionBudget per set of pods"));
            }
            if count < 2 {
                single_replica += 1;
                continue;
            }
            if let Environment::NonProduction(why) = environment(&w.obj) {
                evidence.push(Evidence::located(
                    &w.obj.location(),
                    format!("{name} skipped: not production ({why})"),
                ));
                continue;
            }
            multi_replica += 1;
            let namespace_wide = m
                .of_kind("PodDisruptionBudget")
                .filter(|p| p.group() == "policy")
                .filter(|p| super::relations::same_namespace(p.namespace(), w.namespace()))
                .find(|p| {
                    p.node
                        .path(&["spec", "selector"])
                        .is_some_and(is_empty_selector)
                });
            if let (true, Some(all)) = (pdbs.is_empty(), namespace_wide) {
                evidence.push(Evidence::located(
                    &w.obj.location(),
                    format!(
                        "{name}'s pods are selected by {}, whose empty selector selects every pod of its namespace (its budget is shared by all of them)",
                        all.display_name()
                    ),
                ));
            } else if pdbs.is_empty() {
                findings.push(Finding::at(
                    w.obj.location(),
                    format!(
                        "{name} runs {} but no PodDisruptionBudget selects its pods: a node drain may evict them all at once",
                        plural(count, "replica")
                    ),
                ));
            }
        }
        for (pdb, selected) in budgets.values() {
            if let Environment::NonProduction(why) = environment(pdb) {
                evidence.push(Evidence::located(
                    &pdb.location(),
                    format!("{} skipped: not production ({why})", pdb.display_name()),
                ));
                continue;
            }
            let total: i64 = selected.iter().fold(0i64, |t, (_, n)| t.saturating_add(*n));
            let workloads: Vec<String> = selected
                .iter()
                .map(|(w, n)| format!("{} ({})", w.obj.display_name(), plural(*n, "replica")))
                .collect();
            let workloads = workloads.join(", ");
            match allowed_disruptions(pdb, total) {
                Budget::Allows(n, node) => evidence.push(Evidence::located(
                    &node.location(&pdb.file.path),
                    format!(
                        "{} selects the pods of {workloads} and allows {} at a time",
                        pdb.display_name(),
                        plural(n, "disruption")
                    ),
                )),
                Budget::Blocks(node, setting) => findings.push(Finding::at(
                    node.location(&pdb.file.path),
                    format!(
                        "{} allows no disruption ({setting} for {}: {workloads}): it blocks every node drain",
                        pdb.display_name(),
                        plural(total, "pod")
                    ),
                ).with_help(
                    "allow at least one disruption: maxUnavailable: 1, or minAvailable below the replica count",
                )),
                Budget::Unset => evidence.push(Evidence::located(
                    &pdb.location(),
                    format!(
                        "{} selects the pods of {workloads} but sets neither minAvailable nor maxUnavailable",
                        pdb.display_name()
                    ),
                )),
                Budget::Unreadable(node) => evidence.push(Evidence::located(
                    &node.location(&pdb.file.path),
                    format!(
                        "{} selects the pods of {workloads}; its budget `{}` could not be read",
                        pdb.display_name(),
                        node.as_str().unwrap_or("?")
                    ),
                )),
            }
        }
        // Budgets that select no workload protect nothing (a relabelled Deployment, a typo).
        for pdb in m
            .of_kind("PodDisruptionBudget")
            .filter(|p| p.group() == "policy")
        {
            let Some(selector) = pdb.node.path(&["spec", "selector"]) else {
                continue;
            };
            let path = &pdb.file.path;
            if environment(pdb) != Environment::Production {
                continue;
            }
            if is_empty_selector(selector) {
                evidence.push(Evidence::located(
                    &selector_location(pdb),
                    format!(
                        "{} has an empty selector: it selects every pod of its namespace",
                        pdb.display_name()
                    ),
                ));
                continue;
            }
            if !m
                .workloads_selected_by(selector, pdb.namespace(), path)
                .is_empty()
            {
                continue;
            }
            if !m
                .workloads()
                .iter()
                .any(|w| is_near(path, &w.obj.file.path))
            {
                evidence.push(Evidence::located(
                    &pdb.location(),
                    format!(
                        "{} passed over: no workload is defined near it, so the pods it protects are deployed from elsewhere",
                        pdb.display_name()
                    ),
                ));
                continue;
            }
            let owner = selector
                .entries()
                .chain(
                    selector
                        .get("matchLabels")
                        .into_iter()
                        .flat_map(|m| m.entries()),
                )
                .filter_map(|(_, v)| v.as_str())
                .find_map(|v| {
                    m.custom_resources_named(v, pdb.namespace())
                        .first()
                        .copied()
                });
            if let Some(owner) = owner {
                evidence.push(Evidence::located(
                    &pdb.location(),
                    format!(
                        "{} passed over: its selector names {}, whose operator creates the pods",
                        pdb.display_name(),
                        owner.display_name()
                    ),
                ));
                continue;
            }
            findings.push(
                Finding::at(
                    selector_location(pdb),
                    format!(
                        "{} selects no pods: no pod template in the scan{} matches its selector, so it protects nothing",
                        pdb.display_name(),
                        pdb.namespace()
                            .map(|ns| format!(" in namespace `{ns}`"))
                            .unwrap_or_default()
                    ),
                )
                .with_help("make the selector match the pod template's labels (usually the workload's spec.selector)"),
            );
        }
        if multi_replica == 0 && findings.is_empty() {
            return Outcome::not_applicable(if single_replica > 0 {
                format!(
                    "no production workload runs more than one replica ({single_replica} workload(s) run 1 or are scaled to 0)"
                )
            } else {
                "no Deployment, StatefulSet or Rollout in the manifests".to_string()
            });
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// A budget and the workloads it selects, with their replica floors.
type Selected<'m, 'a> = (KubeObject<'a>, Vec<(&'m Workload<'a>, i64)>);

/// What a budget allows for a number of selected pods.
enum Budget<'a> {
    /// Disruptions allowed, and the setting that says so.
    Allows(i64, Node<'a>),
    /// No disruption: the setting, described.
    Blocks(Node<'a>, String),
    /// Neither `minAvailable` nor `maxUnavailable` is written.
    Unset,
    /// The setting is not a number or percentage golive can read.
    Unreadable(Node<'a>),
}

fn allowed_disruptions<'a>(pdb: &KubeObject<'a>, pods: i64) -> Budget<'a> {
    let spec = pdb.node.get("spec");
    let setting = |key: &str| spec.and_then(|s| s.get(key)).filter(|n| !n.is_null());
    let (key, node) = match (setting("maxUnavailable"), setting("minAvailable")) {
        (Some(node), _) => ("maxUnavailable", node),
        (None, Some(node)) => ("minAvailable", node),
        (None, None) => return Budget::Unset,
    };
    let text = node.as_str().unwrap_or("");
    let value = match parse_int_or_percent(text) {
        Some(IntOrPercent::Int(n)) => n,
        // Kubernetes rounds percentages up (for both settings).
        Some(IntOrPercent::Percent(p)) => pods.saturating_mul(p).saturating_add(99) / 100,
        None => return Budget::Unreadable(node),
    };
    let allowed = if key == "maxUnavailable" {
        value.min(pods)
    } else {
        pods.saturating_sub(value)
    };
    if allowed >= 1 {
        Budget::Allows(allowed, node)
    } else {
        Budget::Blocks(node, format!("{key}: {text}"))
    }
}

enum IntOrPercent {
    Int(i64),
    Percent(i64),
}

fn parse_int_or_percent(s: &str) -> Option<IntOrPercent> {
    let s = s.trim();
    match s.strip_suffix('%') {
        Some(p) => p.trim().parse().ok().map(IntOrPercent::Percent),
        None => s.parse().ok().map(IntOrPercent::Int),
    }
}

fn selector_location(pdb: &KubeObject<'_>) -> golive_core::Location {
    match pdb.node.path(&["spec", "selector"]) {
        Some(s) => pdb
            .node
            .get("spec")
            .and_then(|spec| spec.entry("selector"))
            .map(|(k, _)| k.location(&pdb.file.path))
            .unwrap_or_else(|| s.location(&pdb.file.path)),
        None => pdb.location(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use golive_core::Workspace;
    use golive_core::engine::{self, RunOptions};
    use golive_core::{Config, Date, Status};

    #[test]
    fn hostile_numbers_do_not_overflow() {
        let ws = Workspace::from_files(vec![(
            "a.yaml".into(),
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  replicas: 9223372036854775807\n  template:\n    metadata: {labels: {app: a}}\n    spec: {containers: [{name: a}]}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: b}\nspec:\n  replicas: 9223372036854775807\n  template:\n    metadata: {labels: {app: a}}\n    spec: {containers: [{name: b}]}\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: a}\nspec:\n  minAvailable: 99%\n  selector: {matchLabels: {app: a}}\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: b}\nspec:\n  minAvailable: -9223372036854775808\n  selector: {matchLabels: {app: a}}\n".into(),
        )]);
        let opts = RunOptions {
            target: ".".into(),
            today: Date {
                year: 2026,
                month: 1,
                day: 1,
            },
            golive_version: "test".into(),
        };
        let report = engine::run(&ws, &Config::default(), &[&PodDisruptionBudget], &opts);
        assert_ne!(
            report.checks[0].status,
            Status::Error,
            "{:?}",
            report.checks[0].reason
        );
    }
}
