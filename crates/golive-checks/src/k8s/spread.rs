use super::relations::{Environment, Manifests, Workload, environment, plural};
use golive_core::kube::selector_matches;
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

/// Topology keys that separate failure domains: nodes, zones, regions.
const SPREADING_KEYS: &[(&str, &str)] = &[
    ("kubernetes.io/hostname", "nodes"),
    ("topology.kubernetes.io/zone", "zones"),
    ("failure-domain.beta.kubernetes.io/zone", "zones"),
    ("topology.kubernetes.io/region", "regions"),
    ("failure-domain.beta.kubernetes.io/region", "regions"),
];

declare_check! {
    /// ## What it checks
    /// Every production workload that runs at least 2 replicas spreads them across nodes or
    /// zones, with a podAntiAffinity or a topologySpreadConstraint that selects its own pods.
    ///
    /// A pod spec spreads its replicas when it has:
    /// - a `podAntiAffinity` term (`requiredDuringSchedulingIgnoredDuringExecution`, or
    ///   `preferredDuringSchedulingIgnoredDuringExecution[].podAffinityTerm`), or
    /// - a `topologySpreadConstraints` entry,
    ///
    /// whose `topologyKey` is `kubernetes.io/hostname`, `topology.kubernetes.io/zone` or
    /// `topology.kubernetes.io/region` (a custom key passes with a note: golive cannot tell
    /// what it separates), and whose `labelSelector` matches the workload's own pod labels. A
    /// term that selects other pods keeps this workload away from *those* pods, not from its
    /// own replicas: it is a finding, at its `labelSelector`. Replica counts come from
    /// `spec.replicas`, a production kustomize overlay, or the floor of an autoscaler (as in
    /// `k8s/replicas`). The prometheus-operator's Prometheus, Alertmanager and ThanosRuler
    /// take `affinity` and `topologySpreadConstraints` in their own spec. Single-replica
    /// workloads, DaemonSets (one pod per node by design), Jobs and non-production manifests
    /// are not checked.
    ///
    /// ## Why it matters
    /// Replicas exist to survive the loss of one of them. Without a spreading rule the
    /// scheduler may put every replica on the same node (it favours the least-loaded node,
    /// often the newest and emptiest): one node failure, or one drained node, takes all of
    /// them down together. (Production Ready Checklist, scalability: "use multiple
    /// Availability Zones"; resilience: "eliminate single points of failure".)
    ///
    /// ## How to fix
    /// ```yaml
    /// spec:
    ///   template:
    ///     metadata:
    ///       labels: { app: web }
    ///     spec:
    ///       topologySpreadConstraints:
    ///         - maxSkew: 1
    ///           topologyKey: topology.kubernetes.io/zone
    ///           whenUnsatisfiable: ScheduleAnyway
    ///           labelSelector:
    ///             matchLabels: { app: web }   # the pod's own labels
    /// ```
    pub struct Spread {
        id: "k8s/spread",
        title: "Replicas are spread across nodes or zones",
        category: Kubernetes,
        level: Gold,
        severity: Warning,
        facets: [Kubernetes],
        seeds: [
            "004: Scalability: use multiple Availability Zones",
            "001: Resilience and reliability: eliminate single points of failure",
        ],
        fix: "add a topologySpreadConstraint (or a podAntiAffinity term) on kubernetes.io/hostname or topology.kubernetes.io/zone whose labelSelector matches the pod's own labels",
    }
}

impl golive_core::Check for Spread {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut checked = 0;
        let (mut single, mut daemons) = (0, 0);
        for w in m.workloads() {
            let name = w.obj.display_name();
            if w.obj.kind == "DaemonSet" {
                daemons += 1;
                continue;
            }
            if !w.obj.is_long_running() {
                continue;
            }
            let Some(replicas) = m.replicas(w) else {
                continue;
            };
            let Some(count) = replicas.minimum() else {
                evidence.push(Evidence::located(
                    &w.obj.location(),
                    format!("{name} skipped: it runs {}", replicas.describe()),
                ));
                continue;
            };
            if count < 2 {
                single += 1;
                continue;
            }
            if let Environment::NonProduction(why) = environment(&w.obj) {
                evidence.push(Evidence::located(
                    &w.obj.location(),
                    format!("{name} skipped: not production ({why})"),
                ));
                continue;
            }
            let Some(spec) = pod_spec(w) else {
                continue;
            };
            checked += 1;
            let path = &w.obj.file.path;
            let rules = spreading_rules(spec);
            let mut spreads = Vec::new();
            let mut foreign = Vec::new();
            for rule in &rules {
                let selects_own = !w.pod_labels.is_empty()
                    && rule
                        .selector
                        .is_some_and(|s| selector_matches(s, &w.pod_labels));
                if !selects_own {
                    foreign.push(rule);
                    continue;
                }
                spreads.push(rule);
            }
            let describe_count = replicas.describe();
            if let Some(best) = spreads
                .iter()
                .find(|r| r.domain.is_some())
                .or(spreads.first())
            {
                let msg = match best.domain {
                    Some(domain) => format!(
                        "{name} spreads its replicas across {domain} ({} on {}); it runs {describe_count}",
                        best.kind, best.key
                    ),
                    None => format!(
                        "{name} spreads its replicas by the custom topologyKey `{}` ({}): golive cannot tell whether it separates nodes; it runs {describe_count}",
                        best.key, best.kind
                    ),
                };
                evidence.push(Evidence::located(&best.at.location(path), msg));
                continue;
            }
            if foreign.is_empty() {
                findings.push(Finding::at(
                    w.obj.location(),
                    format!(
                        "{name} runs {} with no podAntiAffinity or topologySpreadConstraints: the scheduler may place every replica on one node",
                        plural(count, "replica")
                    ),
                ));
                continue;
            }
            for rule in foreign {
                let at = rule.selector.unwrap_or(rule.at);
                let selected = rule
                    .selector
                    .map(describe_selector)
                    .filter(|s| !s.is_empty());
                let msg = match selected {
                    Some(labels) => format!(
                        "{name}: its {} on {} selects pods labelled {labels}, not its own: it does not spread the {} of {name}",
                        rule.kind,
                        rule.key,
                        plural(count, "replica")
                    ),
                    None => format!(
                        "{name}: its {} on {} has no labelSelector, so it selects no pods: it does not spread the {} of {name}",
                        rule.kind,
                        rule.key,
                        plural(count, "replica")
                    ),
                };
                findings.push(
                    Finding::at(at.location(path), msg)
                        .with_help("make the labelSelector match the pod template's own labels"),
                );
            }
        }
        if checked == 0 {
            let mut parts = Vec::new();
            if single > 0 {
                parts.push(format!("{single} run a single replica"));
            }
            if daemons > 0 {
                parts.push(format!(
                    "{daemons} DaemonSet(s) run one pod per node by design"
                ));
            }
            return Outcome::not_applicable(if parts.is_empty() {
                "no production workload runs more than one replica".to_string()
            } else {
                format!(
                    "no production workload runs more than one replica ({})",
                    parts.join("; ")
                )
            });
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// The pod spec that holds affinity and spread rules: the template's, or an operator
/// resource's own spec.
fn pod_spec<'a>(w: &Workload<'a>) -> Option<Node<'a>> {
    match w.template {
        Some(t) => Some(t.spec),
        None if w.is_operator_managed() => w.obj.node.get("spec"),
        None => None,
    }
}

/// A podAntiAffinity term or a topologySpreadConstraint.
struct Rule<'a> {
    kind: &'static str,
    key: &'a str,
    /// What it separates (None: a custom key).
    domain: Option<&'static str>,
    selector: Option<Node<'a>>,
    /// Where the rule is written.
    at: Node<'a>,
}

fn spreading_rules<'a>(spec: Node<'a>) -> Vec<Rule<'a>> {
    let mut terms: Vec<(&'static str, Node<'a>)> = Vec::new();
    if let Some(anti) = spec.path(&["affinity", "podAntiAffinity"]) {
        for t in anti
            .get("requiredDuringSchedulingIgnoredDuringExecution")
            .into_iter()
            .flat_map(|t| t.items())
        {
            terms.push(("required podAntiAffinity", t));
        }
        for t in anti
            .get("preferredDuringSchedulingIgnoredDuringExecution")
            .into_iter()
            .flat_map(|t| t.items())
            .filter_map(|t| t.get("podAffinityTerm"))
        {
            terms.push(("preferred podAntiAffinity", t));
        }
    }
    for c in spec
        .get("topologySpreadConstraints")
        .into_iter()
        .flat_map(|t| t.items())
    {
        terms.push(("topologySpreadConstraint", c));
    }
    terms
        .into_iter()
        .filter_map(|(kind, node)| {
            let key = node.get_str("topologyKey")?;
            let domain = SPREADING_KEYS
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, d)| *d);
            Some(Rule {
                kind,
                key,
                domain,
                selector: node.get("labelSelector").filter(|s| !s.is_null()),
                at: node.get("topologyKey").unwrap_or(node),
            })
        })
        .collect()
}

/// `app=api, tier in (db)` for messages.
fn describe_selector(selector: Node<'_>) -> String {
    let mut parts: Vec<String> = selector
        .get("matchLabels")
        .into_iter()
        .flat_map(|m| m.entries())
        .filter_map(|(k, v)| Some(format!("{}={}", k.as_str()?, v.as_str()?)))
        .collect();
    for e in selector
        .get("matchExpressions")
        .into_iter()
        .flat_map(|e| e.items())
    {
        let (Some(key), Some(op)) = (e.get_str("key"), e.get_str("operator")) else {
            continue;
        };
        let values: Vec<&str> = e
            .get("values")
            .into_iter()
            .flat_map(|v| v.items())
            .filter_map(|v| v.as_str())
            .collect();
        parts.push(if values.is_empty() {
            format!("{key} {op}")
        } else {
            format!("{key} {op} ({})", values.join(", "))
        });
    }
    parts.join(", ")
}
