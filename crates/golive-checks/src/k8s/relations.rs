//! How the Kubernetes objects of a scan relate to each other: which objects run pods (and with
//! which labels), which Services, PodDisruptionBudgets and autoscalers point at them, and which
//! environment a manifest is written for. Shared by the `k8s/*` checks so that they agree.

use golive_core::Workspace;
use golive_core::kube::{KubeObject, PodTemplate, selector_matches};
use golive_core::parse::yaml::Node;
use std::collections::BTreeSet;

/// Kinds whose pods an operator creates from the object's own spec (no pod template in the
/// manifest): the prometheus-operator's StatefulSet-backed resources. Their pods carry
/// `spec.podMetadata.labels` plus the labels the operator always sets (below).
const OPERATOR_WORKLOADS: &[(&str, &str, &str)] = &[
    // (API group, kind, value of app.kubernetes.io/name and of the per-instance label's key)
    ("monitoring.coreos.com", "Prometheus", "prometheus"),
    ("monitoring.coreos.com", "Alertmanager", "alertmanager"),
    ("monitoring.coreos.com", "ThanosRuler", "thanos-ruler"),
];

/// Path segments and namespaces that name a non-production environment.
const NON_PRODUCTION: &[&str] = &[
    "dev",
    "development",
    "test",
    "testing",
    "staging",
    "stage",
    "qa",
    "preview",
    "sandbox",
    "local",
];

/// Something that runs pods.
#[derive(Clone, Debug)]
pub(crate) struct Workload<'a> {
    pub obj: KubeObject<'a>,
    /// The pod template as written in the manifest (None when an operator creates the pods).
    pub template: Option<PodTemplate<'a>>,
    /// The labels its pods carry (empty when they cannot be known from the scan).
    pub pod_labels: Vec<(&'a str, &'a str)>,
}

impl<'a> Workload<'a> {
    pub fn namespace(&self) -> Option<&'a str> {
        self.obj.namespace()
    }

    /// Whether an operator creates the pods (so containers, probes and ports are not in the scan).
    pub fn is_operator_managed(&self) -> bool {
        operator_kind(&self.obj).is_some()
    }

    /// Whether the kind runs a number of replicas (`spec.replicas`, default 1).
    pub fn is_replicated(&self) -> bool {
        self.obj.is_replicated() || self.is_operator_managed()
    }
}

/// How many replicas a workload runs at least, and what says so.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Replicas<'a> {
    /// `spec.replicas` as written (in the workload's file, or in the kustomize overlay's patch or
    /// `replicas:` entry that sets it: see the node's location).
    Field { count: i64, node: Node<'a> },
    /// `spec.replicas` not written: Kubernetes (and the operators) run 1.
    Default,
    /// `spec.replicas` is written but is not a number golive can read (e.g. `${REPLICAS}`).
    Unknown { node: Node<'a> },
    /// An autoscaler owns the replica count; `min` is its floor (`node` is where it is written,
    /// None when it is the autoscaler's default).
    Autoscaled {
        min: i64,
        node: Option<Node<'a>>,
        by: KubeObject<'a>,
    },
}

impl Replicas<'_> {
    /// The fewest pods the workload runs (None when it cannot be read).
    pub fn minimum(&self) -> Option<i64> {
        match self {
            Replicas::Field { count, .. } => Some(*count),
            Replicas::Default => Some(1),
            Replicas::Unknown { .. } => None,
            Replicas::Autoscaled { min, .. } => Some(*min),
        }
    }

    /// "3 replicas", "1 replica (spec.replicas not set)", "at least 2 replicas
    /// (HorizontalPodAutoscaler/web minReplicas)".
    pub fn describe(&self) -> String {
        match self {
            Replicas::Field { count, node } => format!(
                "{}{}",
                plural(*count, "replica"),
                match node.origin() {
                    Some(from)
                        if from.ends_with("kustomization.yaml")
                            || from.ends_with("kustomization.yml")
                            || from.ends_with("Kustomization") =>
                        format!(" (set by {from})"),
                    _ => String::new(),
                }
            ),
            Replicas::Default => "1 replica (spec.replicas is not set)".into(),
            Replicas::Unknown { node } => format!(
                "an unreadable replica count (`{}`)",
                node.as_str().unwrap_or("?")
            ),
            Replicas::Autoscaled { min, node, by } => format!(
                "at least {} ({} {})",
                plural(*min, "replica"),
                by.display_name(),
                match (node, by.kind) {
                    (Some(_), "ScaledObject") => "minReplicaCount",
                    (None, "ScaledObject") => "minReplicaCount defaults to 0",
                    (Some(_), _) => "minReplicas",
                    (None, _) => "minReplicas defaults to 1",
                }
            ),
        }
    }
}

/// Why a check about containers found nothing to judge: what it passed over (`passed_over`
/// containers, described by `why`), and how many workloads run to completion.
pub(crate) fn nothing_to_judge(passed_over: usize, why: &str, completing: usize) -> String {
    let mut parts = Vec::new();
    if passed_over > 0 {
        parts.push(format!("{passed_over} container(s) {why}"));
    }
    if completing > 0 {
        parts.push(format!("{completing} workload(s) run to completion"));
    }
    if parts.is_empty() {
        "no workloads with a pod template in the manifests".to_string()
    } else {
        parts.join("; ")
    }
}

/// "1 replica", "3 replicas".
pub(crate) fn plural(n: i64, what: &str) -> String {
    if n == 1 {
        format!("{n} {what}")
    } else {
        format!("{n} {what}s")
    }
}

/// Whether a manifest is for production, and why golive thinks so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Environment {
    /// Not production: the reason names the path segment or namespace.
    NonProduction(String),
    /// Production (everything that does not name another environment).
    Production,
}

/// The Kubernetes objects of a scan (kustomize overlays rendered, their bases and patches
/// checked through them), with the workloads among them.
pub(crate) struct Manifests<'a> {
    objects: Vec<KubeObject<'a>>,
    workloads: Vec<Workload<'a>>,
    /// Directories of kustomize Components (`kind: Component`): optional pieces applied only
    /// where a kustomization lists them.
    component_dirs: BTreeSet<String>,
}

impl<'a> Manifests<'a> {
    pub fn new(ws: &'a Workspace) -> Manifests<'a> {
        let objects: Vec<KubeObject<'a>> = ws
            .kube_objects()
            .filter(|o| o.node.get("$patch").is_none())
            .collect();
        let mut workloads: Vec<Workload<'a>> = Vec::new();
        for obj in &objects {
            if let Some(template) = obj.pod_template() {
                workloads.push(Workload {
                    obj: *obj,
                    template: Some(template),
                    pod_labels: template.labels(),
                });
            } else if let Some(app) = operator_kind(obj) {
                workloads.push(Workload {
                    obj: *obj,
                    template: None,
                    pod_labels: operator_pod_labels(obj, app),
                });
            }
        }
        // Argo Rollouts with `workloadRef` take their pods from a Deployment's template.
        let mut referenced = Vec::new();
        for obj in &objects {
            if obj.group() != "argoproj.io" || obj.kind != "Rollout" || obj.pod_template().is_some()
            {
                continue;
            }
            let Some(wref) = obj.node.path(&["spec", "workloadRef"]) else {
                continue;
            };
            let (kind, name) = (wref.get_str("kind"), wref.get_str("name"));
            let labels = workloads
                .iter()
                .find(|w| {
                    Some(w.obj.kind) == kind
                        && w.obj.name() == name
                        && same_namespace(w.namespace(), obj.namespace())
                })
                .map(|w| w.pod_labels.clone())
                .unwrap_or_default();
            referenced.push(Workload {
                obj: *obj,
                template: None,
                pod_labels: labels,
            });
        }
        workloads.extend(referenced);
        Manifests {
            objects,
            workloads,
            component_dirs: component_dirs(ws),
        }
    }

    /// The kustomize Component directory a file belongs to, if any: its objects are applied
    /// only where a kustomization lists the component.
    pub fn component_of(&self, path: &str) -> Option<&str> {
        self.component_dirs
            .iter()
            .filter(|d| d.is_empty() || path.starts_with(&format!("{d}/")))
            .max_by_key(|d| d.len())
            .map(|d| d.as_str())
    }

    /// Every HorizontalPodAutoscaler or KEDA ScaledObject whose scaleTargetRef names the
    /// workload (kind and name, same namespace); of copies, the nearest, and for a production
    /// workload the production ones (as for the replica count).
    pub fn autoscalers_for(&self, w: &Workload<'a>) -> Vec<KubeObject<'a>> {
        let Some(name) = w.obj.name() else {
            return Vec::new();
        };
        let targeting: Vec<KubeObject<'a>> = self
            .objects
            .iter()
            .filter(|o| {
                scale_target(o).is_some_and(|t| {
                    t.kind == w.obj.kind
                        && t.name == name
                        && same_namespace(o.namespace(), w.namespace())
                })
            })
            .copied()
            .collect();
        let mut candidates = nearest(targeting, &w.obj.file.path);
        if environment(&w.obj) == Environment::Production
            && candidates
                .iter()
                .any(|o| environment(o) == Environment::Production)
        {
            candidates.retain(|o| environment(o) == Environment::Production);
        }
        candidates
    }

    /// NetworkPolicies (`networking.k8s.io`) whose `podSelector` selects the workload's pods in
    /// its namespace, with whether it is the empty selector `{}` (every pod of the namespace).
    pub fn network_policies_selecting(&self, w: &Workload<'a>) -> Vec<(KubeObject<'a>, bool)> {
        self.of_kind("NetworkPolicy")
            .filter(|p| {
                p.group() == "networking.k8s.io" && same_namespace(p.namespace(), w.namespace())
            })
            .filter_map(|p| {
                let sel = p.node.path(&["spec", "podSelector"])?;
                if is_empty_selector(sel) {
                    return Some((*p, true));
                }
                (!w.pod_labels.is_empty() && selector_matches(sel, &w.pod_labels))
                    .then_some((*p, false))
            })
            .collect()
    }

    pub fn objects(&self) -> &[KubeObject<'a>] {
        &self.objects
    }

    /// Objects of a kind (any API group).
    pub fn of_kind(&self, kind: &'static str) -> impl Iterator<Item = &KubeObject<'a>> + '_ {
        self.objects.iter().filter(move |o| o.kind == kind)
    }

    pub fn workloads(&self) -> &[Workload<'a>] {
        &self.workloads
    }

    /// Workloads whose pods a selector (of an object in `from`) selects, in a namespace (None:
    /// any); of several copies, the nearest to `from`.
    pub fn workloads_selected_by(
        &self,
        selector: Node<'a>,
        namespace: Option<&str>,
        from: &str,
    ) -> Vec<&Workload<'a>> {
        let selected = self
            .workloads
            .iter()
            .filter(|w| same_namespace(w.namespace(), namespace))
            .filter(|w| !w.pod_labels.is_empty() && selector_matches(selector, &w.pod_labels))
            .collect();
        nearest_by(selected, |w| w.obj.file.path.as_str(), from)
    }

    /// Services (with a selector) that send traffic to the workload's pods.
    pub fn services_selecting(&self, w: &Workload<'a>) -> Vec<KubeObject<'a>> {
        if w.pod_labels.is_empty() {
            return Vec::new();
        }
        let services = self
            .of_kind("Service")
            .filter(|s| s.group().is_empty() && same_namespace(s.namespace(), w.namespace()))
            .filter(|s| service_selector(s).is_some_and(|sel| selector_matches(sel, &w.pod_labels)))
            .copied()
            .collect();
        nearest(services, &w.obj.file.path)
    }

    /// PodDisruptionBudgets whose selector selects the workload's pods.
    pub fn pdbs_selecting(&self, w: &Workload<'a>) -> Vec<KubeObject<'a>> {
        if w.pod_labels.is_empty() {
            return Vec::new();
        }
        let pdbs = self
            .of_kind("PodDisruptionBudget")
            .filter(|p| p.group() == "policy" && same_namespace(p.namespace(), w.namespace()))
            .filter(|p| {
                p.node
                    .path(&["spec", "selector"])
                    .is_some_and(|sel| selector_matches(sel, &w.pod_labels))
            })
            .copied()
            .collect();
        nearest(pdbs, &w.obj.file.path)
    }

    /// The replica count of a replicated workload (None for kinds without one: DaemonSet, Job,
    /// CronJob, Pod). An autoscaler targeting the workload owns the count. For objects of a
    /// kustomize overlay, the count is the rendered one (its node points at the overlay's
    /// patch or `replicas:` entry when the overlay sets it).
    pub fn replicas(&self, w: &Workload<'a>) -> Option<Replicas<'a>> {
        if !w.is_replicated() {
            return None;
        }
        if let Some(scaled) = self.autoscaler_for(w) {
            return Some(scaled);
        }
        Some(match w.obj.node.path(&["spec", "replicas"]) {
            None => Replicas::Default,
            Some(node) if node.is_null() => Replicas::Default,
            Some(node) => match node.as_i64().filter(|n| *n >= 0) {
                Some(count) => Replicas::Field { count, node },
                None => Replicas::Unknown { node },
            },
        })
    }

    /// A HorizontalPodAutoscaler (autoscaling/v1, v2) or KEDA ScaledObject whose scaleTargetRef
    /// names the workload (kind and name, same namespace). With several (copies per overlay),
    /// the nearest one, and for a production workload a production one, counts.
    fn autoscaler_for(&self, w: &Workload<'a>) -> Option<Replicas<'a>> {
        let name = w.obj.name()?;
        let targeting: Vec<(KubeObject<'a>, Replicas<'a>)> = self
            .objects
            .iter()
            .filter_map(|o| {
                let (min_key, default_kind, default_min) = match (o.group(), o.kind) {
                    ("autoscaling", "HorizontalPodAutoscaler") => ("minReplicas", None, 1),
                    ("keda.sh", "ScaledObject") => ("minReplicaCount", Some("Deployment"), 0),
                    _ => return None,
                };
                let target = o.node.path(&["spec", "scaleTargetRef"])?;
                let kind = target.get_str("kind").or(default_kind)?;
                if kind != w.obj.kind
                    || target.get_str("name") != Some(name)
                    || !same_namespace(o.namespace(), w.namespace())
                {
                    return None;
                }
                let node = o.node.path(&["spec", min_key]).filter(|n| !n.is_null());
                let min = match node {
                    Some(n) => n.as_i64().filter(|n| *n >= 0)?,
                    None => default_min,
                };
                Some((*o, Replicas::Autoscaled { min, node, by: *o }))
            })
            .collect();
        let mut candidates = nearest_by(targeting, |(o, _)| o.file.path.as_str(), &w.obj.file.path);
        if environment(&w.obj) == Environment::Production
            && candidates
                .iter()
                .any(|(o, _)| environment(o) == Environment::Production)
        {
            candidates.retain(|(o, _)| environment(o) == Environment::Production);
        }
        candidates.into_iter().next().map(|(_, r)| r)
    }

    /// What LimitRanges (type Container) in the namespace default for containers that leave
    /// resources out: (cpu request, memory request, memory limit), and the LimitRange saying so.
    pub fn limit_range_defaults(&self, namespace: Option<&str>) -> Vec<(Defaults, KubeObject<'a>)> {
        self.of_kind("LimitRange")
            .filter(|l| l.group().is_empty() && same_namespace(l.namespace(), namespace))
            .filter_map(|l| {
                let mut d = Defaults::default();
                for limit in l.node.path(&["spec", "limits"])?.items() {
                    if limit.get_str("type") != Some("Container") {
                        continue;
                    }
                    let default_limit = limit.get("default");
                    let default_request = limit.get("defaultRequest");
                    let has = |n: Option<Node<'_>>, r: &str| n.is_some_and(|n| n.get(r).is_some());
                    // A default limit also becomes the default request.
                    d.cpu_request |= has(default_request, "cpu") || has(default_limit, "cpu");
                    d.memory_request |=
                        has(default_request, "memory") || has(default_limit, "memory");
                    d.memory_limit |= has(default_limit, "memory");
                }
                (d.cpu_request || d.memory_request || d.memory_limit).then_some((d, *l))
            })
            .collect()
    }

    /// Objects of a custom (non-built-in) kind named `name`: an operator may create pods for them.
    pub fn custom_resources_named(
        &self,
        name: &str,
        namespace: Option<&str>,
    ) -> Vec<KubeObject<'a>> {
        self.objects
            .iter()
            .filter(|o| is_custom_kind(o) && o.name() == Some(name))
            .filter(|o| same_namespace(o.namespace(), namespace))
            .copied()
            .collect()
    }
}

/// Default resources a LimitRange fills in.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Defaults {
    pub cpu_request: bool,
    pub memory_request: bool,
    pub memory_limit: bool,
}

/// A Service's `spec.selector` when it has a non-empty one (and is not an ExternalName).
pub(crate) fn service_selector<'a>(service: &KubeObject<'a>) -> Option<Node<'a>> {
    if service
        .node
        .path(&["spec", "type"])
        .and_then(|t| t.as_text())
        == Some("ExternalName")
    {
        return None;
    }
    service
        .node
        .path(&["spec", "selector"])
        .filter(|s| s.is_map() && !s.is_empty())
}

/// Objects in the same namespace, when both say which (kustomize and `kubectl -n` often set it
/// at deploy time, so an object without one matches any).
pub(crate) fn same_namespace(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    }
}

/// Which environment an object's manifest is for: not production when a directory of its path,
/// its file name (without extension) or its namespace names one (`overlays/dev/`,
/// `deploy/staging/app.yaml`, `k8s/qa.yaml`, `namespace: sandbox`).
pub(crate) fn environment(obj: &KubeObject<'_>) -> Environment {
    if let env @ Environment::NonProduction(_) = path_environment(&obj.file.path) {
        return env;
    }
    if let Some(ns) = obj.namespace()
        && NON_PRODUCTION.contains(&ns.to_ascii_lowercase().as_str())
    {
        return Environment::NonProduction(format!("its namespace `{ns}` names an environment"));
    }
    Environment::Production
}

/// The environment a path names, by its directories and file name (without extension).
pub(crate) fn path_environment(path: &str) -> Environment {
    let mut segments: Vec<&str> = path.split('/').collect();
    if let Some(file) = segments.pop() {
        segments.push(file.split('.').next().unwrap_or(file));
    }
    for segment in segments {
        if NON_PRODUCTION.contains(&segment.to_ascii_lowercase().as_str()) {
            return Environment::NonProduction(format!(
                "its path `{path}` names the `{segment}` environment"
            ));
        }
    }
    Environment::Production
}

/// Of several copies of related objects (one per overlay or per rendered release), the ones
/// nearest to `from`: in the same file, else in the same directory, else all of them.
pub(crate) fn nearest<'a>(items: Vec<KubeObject<'a>>, from: &str) -> Vec<KubeObject<'a>> {
    nearest_by(items, |o| o.file.path.as_str(), from)
}

/// Whether `path` lies in the neighbourhood of `from`: under the parent of `from`'s directory
/// (`k8s/services/web.yaml` is near `k8s/deployments/web.yaml`, not near `platform/istio/...`).
/// Objects that refer to each other by name are written together; an object with nothing
/// near it refers to something deployed from elsewhere.
pub(crate) fn is_near(from: &str, path: &str) -> bool {
    let dir = from.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let parent = dir.rsplit_once('/').map(|(p, _)| p).unwrap_or("");
    parent.is_empty() || path.starts_with(&format!("{parent}/"))
}

/// Whether an object in `path` is deployed together with one in `from`: in the same directory,
/// or under the parent of `from`'s directory when that is not the repository root
/// (`k8s/policies/web.yaml` goes with `k8s/apps/web.yaml`; `kustomize/components/x.yaml` does
/// not go with `kubernetes-manifests/web.yaml`, another way to deploy the same app). Files at
/// the root go with everything. Objects of a kustomize rendering (their file is the
/// kustomization) go only with the objects of the same rendering.
pub(crate) fn deployed_together(from: &str, path: &str) -> bool {
    let rendered = |p: &str| {
        golive_core::render::KUSTOMIZATION_NAMES
            .iter()
            .any(|n| p == *n || p.ends_with(&format!("/{n}")))
    };
    if rendered(from) || rendered(path) {
        return from == path;
    }
    fn dir_of(p: &str) -> &str {
        p.rsplit_once('/').map(|(d, _)| d).unwrap_or("")
    }
    let dir = dir_of(from);
    if dir.is_empty() || dir_of(path) == dir {
        return true;
    }
    let scope = match dir.rsplit_once('/') {
        Some((parent, _)) => parent,
        None => dir,
    };
    path.starts_with(&format!("{scope}/"))
}

/// An empty label selector (`{}`, or one whose matchLabels and matchExpressions are both
/// empty): in a NetworkPolicy's podSelector it selects every pod of the namespace.
pub(crate) fn is_empty_selector(selector: Node<'_>) -> bool {
    selector.is_map()
        && selector.entries().all(|(k, v)| {
            matches!(k.as_str(), Some("matchLabels" | "matchExpressions"))
                && (v.is_empty() || v.is_null())
        })
}

/// What an autoscaler's `scaleTargetRef` names.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ScaleTarget<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    /// The `scaleTargetRef` mapping (where findings about the target point).
    pub node: Node<'a>,
}

/// The target of a HorizontalPodAutoscaler (`autoscaling/*`) or KEDA ScaledObject (whose
/// `kind` defaults to Deployment); None for other objects or an incomplete reference.
pub(crate) fn scale_target<'a>(o: &KubeObject<'a>) -> Option<ScaleTarget<'a>> {
    let default_kind = match (o.group(), o.kind) {
        ("autoscaling", "HorizontalPodAutoscaler") => None,
        ("keda.sh", "ScaledObject") => Some("Deployment"),
        _ => return None,
    };
    let node = o.node.path(&["spec", "scaleTargetRef"])?;
    Some(ScaleTarget {
        kind: node.get_str("kind").or(default_kind)?,
        name: node.get_str("name")?,
        node,
    })
}

fn nearest_by<T>(items: Vec<T>, path_of: impl Fn(&T) -> &str, from: &str) -> Vec<T> {
    let dir = |p: &str| {
        p.rsplit_once('/')
            .map(|(d, _)| d.to_string())
            .unwrap_or_default()
    };
    if items.iter().any(|i| path_of(i) == from) {
        return items.into_iter().filter(|i| path_of(i) == from).collect();
    }
    let from_dir = dir(from);
    if items.iter().any(|i| dir(path_of(i)) == from_dir) {
        return items
            .into_iter()
            .filter(|i| dir(path_of(i)) == from_dir)
            .collect();
    }
    items
}

/// The `app.kubernetes.io/name` value of an operator-managed kind.
fn operator_kind(obj: &KubeObject<'_>) -> Option<&'static str> {
    OPERATOR_WORKLOADS
        .iter()
        .find(|(group, kind, _)| obj.group() == *group && obj.kind == *kind)
        .map(|(_, _, app)| *app)
}

/// `spec.podMetadata.labels`, then the labels the prometheus-operator always sets on the pods
/// (they win over podMetadata).
fn operator_pod_labels<'a>(obj: &KubeObject<'a>, app: &'static str) -> Vec<(&'a str, &'a str)> {
    let Some(name) = obj.name() else {
        return Vec::new();
    };
    let managed: [(&'a str, &'a str); 4] = [
        ("app.kubernetes.io/name", app),
        ("app.kubernetes.io/instance", name),
        ("app.kubernetes.io/managed-by", "prometheus-operator"),
        (app, name),
    ];
    let mut labels: Vec<(&'a str, &'a str)> = obj
        .node
        .path(&["spec", "podMetadata", "labels"])
        .into_iter()
        .flat_map(|n| n.entries())
        .filter_map(|(k, v)| Some((k.as_str()?, v.as_str()?)))
        .filter(|(k, _)| !managed.iter().any(|(mk, _)| mk == k))
        .collect();
    labels.extend(managed);
    labels
}

/// Whether an object's kind is not one of Kubernetes' own (so a controller golive does not know
/// may act on it).
fn is_custom_kind(obj: &KubeObject<'_>) -> bool {
    let group = obj.group();
    !(group.is_empty()
        || group.ends_with(".k8s.io")
        || matches!(
            group,
            "apps" | "batch" | "policy" | "autoscaling" | "extensions" | "apiextensions.k8s.io"
        ))
}

/// Directories of kustomize Components (`kind: Component` kustomizations).
fn component_dirs(ws: &Workspace) -> BTreeSet<String> {
    ws.files()
        .iter()
        .filter(|f| golive_core::render::KUSTOMIZATION_NAMES.contains(&f.name()))
        .filter(|f| {
            f.yaml_docs()
                .first()
                .and_then(|d| d.root())
                .and_then(|r| r.get_str("kind"))
                == Some("Component")
        })
        .map(|f| f.dir().to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(files: &[(&str, &str)]) -> Workspace {
        Workspace::from_texts(files)
    }

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  replicas: 3\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: app, image: web:1}]}\n";

    #[test]
    fn services_select_by_labels_and_namespace() {
        let w = ws(&[
            ("d.yaml", DEPLOY),
            (
                "s.yaml",
                "apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop}\nspec: {selector: {app: web}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: other, namespace: other}\nspec: {selector: {app: web}}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: nons}\nspec: {selector: {app: web}}\n",
            ),
        ]);
        let m = Manifests::new(&w);
        let names: Vec<_> = m
            .services_selecting(&m.workloads()[0])
            .iter()
            .filter_map(|s| s.name())
            .collect();
        assert_eq!(names, vec!["web", "nons"]);
    }

    #[test]
    fn autoscalers_own_the_replica_count() {
        let w = ws(&[
            ("d.yaml", DEPLOY),
            (
                "h.yaml",
                "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: shop}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n  maxReplicas: 5\n",
            ),
        ]);
        let m = Manifests::new(&w);
        let r = m.replicas(&m.workloads()[0]).unwrap();
        assert_eq!(r.minimum(), Some(1));
        assert!(
            r.describe().contains("minReplicas defaults to 1"),
            "{}",
            r.describe()
        );
    }

    #[test]
    fn keda_defaults_to_zero() {
        let w = ws(&[
            ("d.yaml", DEPLOY),
            (
                "k.yaml",
                "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {name: web}\n",
            ),
        ]);
        let m = Manifests::new(&w);
        assert_eq!(m.replicas(&m.workloads()[0]).unwrap().minimum(), Some(0));
    }

    #[test]
    fn operator_resources_run_labelled_pods() {
        let w = ws(&[(
            "am.yaml",
            "apiVersion: monitoring.coreos.com/v1\nkind: Alertmanager\nmetadata: {name: main, namespace: monitoring}\nspec:\n  replicas: 3\n  podMetadata: {labels: {team: obs}}\n",
        )]);
        let m = Manifests::new(&w);
        let am = &m.workloads()[0];
        assert!(am.is_operator_managed());
        assert!(am.pod_labels.contains(&("alertmanager", "main")));
        assert!(am.pod_labels.contains(&("team", "obs")));
        assert_eq!(m.replicas(am).unwrap().minimum(), Some(3));
    }

    #[test]
    fn kustomize_patches_are_not_objects() {
        let w = ws(&[
            (
                "overlays/prod/kustomization.yaml",
                "resources: [../../base]\npatches:\n- path: replicas.yaml\npatchesStrategicMerge:\n- ../common/env.yaml\n",
            ),
            ("overlays/prod/replicas.yaml", DEPLOY),
            ("overlays/common/env.yaml", DEPLOY),
            (
                "components/x/delete.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n$patch: delete\n",
            ),
            ("base/d.yaml", DEPLOY),
        ]);
        let m = Manifests::new(&w);
        let paths: Vec<_> = m.objects().iter().map(|o| o.file.path.as_str()).collect();
        assert_eq!(paths, vec!["base/d.yaml"]);
    }

    #[test]
    fn environments_come_from_paths_and_namespaces() {
        let w = ws(&[
            ("overlays/dev/d.yaml", DEPLOY),
            ("deploy/staging.yaml", DEPLOY),
            ("deploy/prod/d.yaml", DEPLOY),
            ("latest/stages/d.yaml", DEPLOY),
        ]);
        let env = |path: &str| {
            let obj = w.kube_objects().find(|o| o.file.path == path).unwrap();
            environment(&obj)
        };
        assert!(matches!(
            env("overlays/dev/d.yaml"),
            Environment::NonProduction(_)
        ));
        assert!(matches!(
            env("deploy/staging.yaml"),
            Environment::NonProduction(_)
        ));
        assert_eq!(env("deploy/prod/d.yaml"), Environment::Production);
        assert_eq!(env("latest/stages/d.yaml"), Environment::Production);
    }

    #[test]
    fn overlays_are_rendered_with_their_own_replicas() {
        let base = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: app}]}\n";
        let patch = |n: u32| {
            format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web}}\nspec: {{replicas: {n}}}\n"
            )
        };
        let w = ws(&[
            ("base/d.yaml", base),
            ("base/kustomization.yaml", "resources: [d.yaml]\n"),
            (
                "overlays/prod/kustomization.yaml",
                "resources: [../../base]\npatches: [{path: r.yaml}]\n",
            ),
            ("overlays/prod/r.yaml", &patch(3)),
            (
                "overlays/dev/kustomization.yaml",
                "resources: [../../base]\npatches: [{path: r.yaml}]\n",
            ),
            ("overlays/dev/r.yaml", &patch(1)),
            (
                "overlays/eu/kustomization.yaml",
                "resources: [../../base]\nreplicas: [{name: web, count: 2}]\n",
            ),
        ]);
        let m = Manifests::new(&w);
        let mut seen: Vec<(String, Option<i64>, String)> = m
            .workloads()
            .iter()
            .map(|wl| {
                let r = m.replicas(wl).unwrap();
                (
                    wl.obj.file.rendered_by.clone().unwrap_or_default(),
                    r.minimum(),
                    r.describe(),
                )
            })
            .collect();
        seen.sort();
        assert_eq!(
            seen,
            vec![
                ("overlays/dev".into(), Some(1), "1 replica".into()),
                (
                    "overlays/eu".into(),
                    Some(2),
                    "2 replicas (set by overlays/eu/kustomization.yaml)".into()
                ),
                ("overlays/prod".into(), Some(3), "3 replicas".into()),
            ]
        );
        assert_eq!(
            environment(&m.workloads()[0].obj),
            Environment::NonProduction(
                "its path `overlays/dev/kustomization.yaml` names the `dev` environment".into()
            )
        );
    }

    #[test]
    fn nearest_copies_win() {
        let svc =
            "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}}\n";
        let w = ws(&[
            ("a/d.yaml", &format!("{DEPLOY}---\n{svc}")),
            ("a/other.yaml", svc),
            ("b/s.yaml", svc),
        ]);
        let m = Manifests::new(&w);
        let near: Vec<_> = m
            .services_selecting(&m.workloads()[0])
            .iter()
            .map(|s| s.file.path.as_str())
            .collect();
        assert_eq!(near, vec!["a/d.yaml"]);
    }

    #[test]
    fn neighbourhoods_are_parent_directories() {
        assert!(is_near("k8s/services/web.yaml", "k8s/deployments/web.yaml"));
        assert!(!is_near("k8s/services/web.yaml", "platform/web.yaml"));
        assert!(is_near("k8s/web.yaml", "platform/web.yaml"));
        assert!(is_near("web.yaml", "a/b/c.yaml"));
    }

    #[test]
    fn deployed_together_is_the_parent_folder_unless_it_is_the_root() {
        assert!(deployed_together(
            "k8s/apps/web.yaml",
            "k8s/policies/web.yaml"
        ));
        assert!(deployed_together("k8s/apps/web.yaml", "k8s/apps/np.yaml"));
        assert!(!deployed_together("k8s/apps/web.yaml", "platform/np.yaml"));
        // A top-level folder is its own unit: kubernetes-manifests/ does not take kustomize/'s.
        assert!(!deployed_together(
            "kubernetes-manifests/web.yaml",
            "kustomize/components/np/web.yaml"
        ));
        assert!(deployed_together(
            "kustomize/base/web.yaml",
            "kustomize/components/np/web.yaml"
        ));
        assert!(deployed_together("web.yaml", "policies/np.yaml"));
    }

    #[test]
    fn empty_selectors() {
        let w = ws(&[(
            "s.yaml",
            "a: {}\nb: {matchLabels: {}}\nc: {matchLabels: {app: web}}\nd: {matchExpressions: []}\ne: x\n",
        )]);
        let root = w.files()[0].yaml_docs()[0].root().unwrap();
        let empty = |k: &str| is_empty_selector(root.get(k).unwrap());
        assert!(empty("a") && empty("b") && empty("d"));
        assert!(!empty("c") && !empty("e"));
    }

    #[test]
    fn autoscalers_and_policies_are_found_for_a_workload() {
        let w = ws(&[
            ("k8s/apps/d.yaml", DEPLOY),
            (
                "k8s/apps/hpa.yaml",
                "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web, namespace: shop}\nspec:\n  scaleTargetRef: {kind: Deployment, name: web}\n---\napiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: other, namespace: other}\nspec:\n  scaleTargetRef: {name: web}\n",
            ),
            (
                "k8s/policies/np.yaml",
                "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: all, namespace: shop}\nspec: {podSelector: {}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: web}\nspec: {podSelector: {matchLabels: {app: web}}}\n---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: api}\nspec: {podSelector: {matchLabels: {app: api}}}\n",
            ),
            (
                "k8s/policies/kustomization.yaml",
                "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [np.yaml]\n",
            ),
        ]);
        let m = Manifests::new(&w);
        let web = &m.workloads()[0];
        let scalers: Vec<_> = m
            .autoscalers_for(web)
            .iter()
            .map(|o| o.display_name())
            .collect();
        assert_eq!(scalers, vec!["HorizontalPodAutoscaler/web"]);
        let policies: Vec<_> = m
            .network_policies_selecting(web)
            .iter()
            .map(|(p, all)| (p.display_name(), *all))
            .collect();
        assert_eq!(
            policies,
            vec![
                ("NetworkPolicy/all".to_string(), true),
                ("NetworkPolicy/web".to_string(), false)
            ]
        );
        assert_eq!(m.component_of("k8s/policies/np.yaml"), Some("k8s/policies"));
        assert_eq!(m.component_of("k8s/apps/d.yaml"), None);
    }
}
