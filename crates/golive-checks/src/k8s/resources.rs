use super::relations::{Defaults, Manifests};
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Every container sets a cpu request, a memory request and a memory limit.
    ///
    /// All containers of every pod template are checked: regular containers and sidecars
    /// (`restartPolicy: Always` init containers). A limit without a request counts as the request (Kubernetes
    /// copies it), and so do the defaults of a `LimitRange` (type `Container`) in the same
    /// namespace. One finding per container lists exactly what is missing. Plain init
    /// containers, which run to completion before the pod starts and so never add to what the
    /// pod reserves beyond its regular containers, are noted in the evidence instead (they
    /// still need resources in a namespace with a ResourceQuota). A cpu limit is not required (it throttles a service that could
    /// have used idle cpu). Pods created by an operator from a custom resource (Prometheus,
    /// Alertmanager) are configured through that resource and are not checked.
    ///
    /// ## Why it matters
    /// Without requests the scheduler packs pods onto nodes that cannot run them, and the pods
    /// are the first evicted under pressure; without a memory limit one leaking container takes
    /// the node's memory and the kernel kills its neighbours. A namespace with a ResourceQuota
    /// rejects pods whose containers (init containers included) leave them out. (Go-live
    /// checklist, capacity planning: "configure all limits for the services, to avoid situations
    /// when because of the memory leak in one service you kill everything around".)
    ///
    /// ## How to fix
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     resources:
    ///       requests: { cpu: 100m, memory: 128Mi }
    ///       limits: { memory: 256Mi }
    /// ```
    pub struct Resources {
        id: "k8s/resources",
        title: "Containers set cpu and memory requests and a memory limit",
        category: Kubernetes,
        level: Bronze,
        severity: Error,
        facets: [Kubernetes],
        seeds: [
            "003: Capacity planning: configure all limits for the services, so a memory leak in one service does not kill everything around it",
            "004: Provisioning and Deployment: configure CPU, memory and GC settings",
        ],
        fix: "set resources.requests.cpu, resources.requests.memory and resources.limits.memory on the container",
    }
}

impl golive_core::Check for Resources {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let m = Manifests::new(cx.ws);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut checked = 0;
        for w in m.workloads() {
            let Some(template) = w.template else {
                continue;
            };
            let name = w.obj.display_name();
            let path = &w.obj.file.path;
            let limit_ranges = m.limit_range_defaults(w.namespace());
            let mut defaults = Defaults::default();
            for (d, _) in &limit_ranges {
                defaults.cpu_request |= d.cpu_request;
                defaults.memory_request |= d.memory_request;
                defaults.memory_limit |= d.memory_limit;
            }
            let mut inherits = false;
            for c in template.all_containers() {
                checked += 1;
                let resources = c.node.entry("resources");
                let value = resources.map(|(_, v)| v);
                let set = |section: &str, resource: &str| -> bool {
                    value
                        .and_then(|r| r.path(&[section, resource]))
                        .is_some_and(|n| !n.is_null())
                };
                // What the manifest sets (a limit without a request is copied into it).
                let own_cpu_request = set("requests", "cpu") || set("limits", "cpu");
                let own_memory_limit = set("limits", "memory");
                let own_memory_request = set("requests", "memory") || own_memory_limit;
                let cpu_request = own_cpu_request || defaults.cpu_request;
                let memory_limit = own_memory_limit || defaults.memory_limit;
                let memory_request = own_memory_request || memory_limit || defaults.memory_request;
                let missing: Vec<&str> = [
                    (cpu_request, "a cpu request"),
                    (memory_request, "a memory request"),
                    (memory_limit, "a memory limit"),
                ]
                .iter()
                .filter(|(ok, _)| !ok)
                .map(|(_, what)| *what)
                .collect();
                let what = c.describe();
                if missing.is_empty() {
                    let from_defaults =
                        !(own_cpu_request && own_memory_request && own_memory_limit);
                    inherits |= from_defaults;
                    evidence.push(Evidence::located(
                        &resources
                            .map(|(k, _)| k.location(path))
                            .unwrap_or_else(|| c.location(path)),
                        format!("{name}: {what} sets {}", summary(value, from_defaults)),
                    ));
                    continue;
                }
                let at = match resources {
                    Some((key, _)) => key.location(path),
                    None => c.location(path),
                };
                if c.init && !c.is_sidecar() {
                    // Runs to completion before the app starts: the pod's effective request is
                    // the larger of it and the app containers', so it cannot overcommit a node.
                    evidence.push(Evidence::located(
                        &at,
                        format!(
                            "{name}: {what} is missing {} (it runs to completion before the pod starts; set them if the namespace has a ResourceQuota)",
                            join_and(&missing)
                        ),
                    ));
                    continue;
                }
                findings.push(Finding::at(
                    at,
                    format!("{name}: {what} is missing {}", join_and(&missing)),
                ));
            }
            if inherits {
                for (_, lr) in &limit_ranges {
                    evidence.push(Evidence::located(
                        &lr.location(),
                        format!(
                            "{} sets container defaults that {name}'s containers inherit",
                            lr.display_name()
                        ),
                    ));
                }
            }
        }
        if checked == 0 {
            return Outcome::not_applicable("no workloads with a pod template in the manifests");
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// "requests cpu 100m, memory 64Mi; limits memory 128Mi", and whether a LimitRange fills in
/// the rest.
fn summary(resources: Option<Node<'_>>, from_defaults: bool) -> String {
    let part = |section: &str| -> Option<String> {
        let s = resources?.get(section)?;
        let items: Vec<String> = s
            .entries()
            .filter_map(|(k, v)| Some(format!("{} {}", k.as_str()?, v.as_str()?)))
            .collect();
        (!items.is_empty()).then(|| format!("{section} {}", items.join(", ")))
    };
    let parts: Vec<String> = ["requests", "limits"]
        .iter()
        .filter_map(|s| part(s))
        .collect();
    match (parts.is_empty(), from_defaults) {
        (true, _) => "its resources through the namespace's LimitRange defaults".into(),
        (false, true) => format!(
            "{}, and the rest through the namespace's LimitRange defaults",
            parts.join("; ")
        ),
        (false, false) => parts.join("; "),
    }
}

/// "a", "a and b", "a, b and c".
fn join_and(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => one.to_string(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}
