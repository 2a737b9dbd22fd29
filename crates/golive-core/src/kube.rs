//! Kubernetes objects found in the scanned YAML, with small typed accessors over the span tree
//! (objects stay untyped so CRDs and positions survive).

use crate::model::Location;
use crate::parse::yaml::Node;
use crate::workspace::{FileKind, SourceFile, Workspace};

/// Where an object lives: file, document, and item of a `kind: List` (if any).
#[derive(Clone, Copy, Debug)]
pub struct KubeRef {
    file: usize,
    doc: usize,
    item: Option<usize>,
}

impl KubeRef {
    pub(crate) fn resolve<'a>(&self, ws: &'a Workspace) -> Option<KubeObject<'a>> {
        let file = ws.kube_file(self.file)?;
        let root = file.yaml_docs().get(self.doc)?.root()?;
        let node = match self.item {
            Some(i) => root.get("items")?.items().nth(i)?,
            None => root,
        };
        KubeObject::new(file, node)
    }
}

/// Every object: those of the repository's files that no kustomize rendering consumed, then
/// the rendered ones (each overlay's objects, `--manifests` input).
pub(crate) fn index(ws: &Workspace) -> Vec<KubeRef> {
    let renders = ws.renders();
    let files = ws
        .files()
        .iter()
        .enumerate()
        .filter(|(_, f)| !renders.consumed.contains(&f.path))
        .map(|(i, f)| (Some(i), f));
    let rendered = renders
        .files()
        .enumerate()
        .map(|(i, f)| (Some(ws.files().len() + i), f));
    let mut out = Vec::new();
    for (fi, file) in files.chain(rendered) {
        let Some(fi) = fi else { continue };
        if file.kind != FileKind::Yaml {
            continue;
        }
        for (di, doc) in file.yaml_docs().iter().enumerate() {
            let Some(root) = doc.root() else { continue };
            if is_list(root) {
                for (ii, item) in root
                    .get("items")
                    .into_iter()
                    .flat_map(|i| i.items())
                    .enumerate()
                {
                    if KubeObject::new(file, item).is_some() {
                        out.push(KubeRef {
                            file: fi,
                            doc: di,
                            item: Some(ii),
                        });
                    }
                }
            } else if KubeObject::new(file, root).is_some() {
                out.push(KubeRef {
                    file: fi,
                    doc: di,
                    item: None,
                });
            }
        }
    }
    out
}

/// `kind: List` and the typed lists kubectl also accepts (`ConfigMapList`, `RoleList`, ...): an
/// `apiVersion`, a kind ending in `List` and an `items` sequence.
fn is_list(root: Node<'_>) -> bool {
    root.get_str("apiVersion").is_some()
        && root.get_str("kind").is_some_and(|k| k.ends_with("List"))
        && root.get("items").is_some_and(|i| i.is_seq())
}

/// A Kubernetes object: has `apiVersion`, `kind` and a `metadata` mapping.
#[derive(Clone, Copy, Debug)]
pub struct KubeObject<'a> {
    pub file: &'a SourceFile,
    pub node: Node<'a>,
    pub api_version: &'a str,
    pub kind: &'a str,
}

impl<'a> KubeObject<'a> {
    fn new(file: &'a SourceFile, node: Node<'a>) -> Option<KubeObject<'a>> {
        let api_version = node.get_str("apiVersion")?;
        let kind = node.get_str("kind")?;
        if api_version.starts_with("kustomize.config.k8s.io") || !node.get("metadata")?.is_map() {
            return None;
        }
        Some(KubeObject {
            file,
            node,
            api_version,
            kind,
        })
    }

    pub fn name(&self) -> Option<&'a str> {
        self.node
            .path(&["metadata", "name"])
            .and_then(|n| n.as_text())
    }

    pub fn namespace(&self) -> Option<&'a str> {
        self.node
            .path(&["metadata", "namespace"])
            .and_then(|n| n.as_text())
    }

    /// `Kind/name` for messages.
    pub fn display_name(&self) -> String {
        format!("{}/{}", self.kind, self.name().unwrap_or("<unnamed>"))
    }

    /// The rendering the object comes from (`overlays/prod` for a kustomize overlay, the
    /// `--manifests` input's name); None for an object as written in a file.
    pub fn rendering(&self) -> Option<&'a str> {
        self.file.rendered_by.as_deref()
    }

    /// `Kind/name`, with the rendering it comes from when there is one (`Deployment/web in
    /// overlays/prod`): for messages whose truth depends on the environment (replica counts,
    /// disruption budgets), where the same base object differs between overlays.
    pub fn display_name_in_rendering(&self) -> String {
        match self.rendering() {
            Some(r) if r != "." => format!("{} in {r}", self.display_name()),
            _ => self.display_name(),
        }
    }

    /// Where to point findings about the object as a whole: its `metadata.name`, else its start.
    pub fn location(&self) -> Location {
        self.node
            .path(&["metadata", "name"])
            .unwrap_or(self.node)
            .location(&self.file.path)
    }

    /// The API group (`apps` for `apps/v1`, "" for the core group).
    pub fn group(&self) -> &'a str {
        self.api_version
            .rsplit_once('/')
            .map(|(g, _)| g)
            .unwrap_or("")
    }

    pub fn labels(&self) -> Vec<(&'a str, &'a str)> {
        labels_of(self.node.path(&["metadata", "labels"]))
    }

    /// The pod template, for workload kinds: Kubernetes' own, bare Pods, and the custom
    /// resources commonly deployed with one (Argo Rollouts, Knative Services, OpenKruise
    /// CloneSets and Advanced StatefulSets/DaemonSets, KEDA ScaledJobs).
    pub fn pod_template(&self) -> Option<PodTemplate<'a>> {
        let template = match (self.group(), self.kind) {
            ("apps" | "extensions", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
            | ("batch", "Job")
            | ("argoproj.io", "Rollout")
            | ("serving.knative.dev", "Service")
            | ("apps.kruise.io", "CloneSet" | "StatefulSet" | "DaemonSet")
            | ("", "ReplicationController") => self.node.path(&["spec", "template"])?,
            ("keda.sh", "ScaledJob") => self.node.path(&["spec", "jobTargetRef", "template"])?,
            ("batch", "CronJob") => self
                .node
                .path(&["spec", "jobTemplate", "spec", "template"])?,
            ("", "Pod") => self.node,
            _ => return None,
        };
        let spec = template.get("spec")?;
        spec.is_map().then_some(PodTemplate { template, spec })
    }

    /// Whether the workload runs until stopped (not a Job or CronJob, and not a Pod that
    /// terminates by restart policy).
    pub fn is_long_running(&self) -> bool {
        match self.kind {
            "Job" | "CronJob" | "ScaledJob" => false,
            "Pod" => !matches!(
                self.node
                    .path(&["spec", "restartPolicy"])
                    .and_then(|n| n.as_text()),
                Some("Never" | "OnFailure")
            ),
            _ => true,
        }
    }

    /// `spec.replicas` when it is written (None: the default of 1, or not a replicated kind).
    pub fn replicas(&self) -> Option<(i64, Node<'a>)> {
        let node = self.node.path(&["spec", "replicas"])?;
        Some((node.as_i64()?, node))
    }

    /// Whether the kind runs a number of replicas set by `spec.replicas`.
    pub fn is_replicated(&self) -> bool {
        matches!(
            self.kind,
            "Deployment"
                | "StatefulSet"
                | "ReplicaSet"
                | "Rollout"
                | "ReplicationController"
                | "CloneSet"
        )
    }
}

/// A pod template: its metadata (labels) and spec.
#[derive(Clone, Copy, Debug)]
pub struct PodTemplate<'a> {
    pub template: Node<'a>,
    pub spec: Node<'a>,
}

/// A container of a pod spec.
#[derive(Clone, Copy, Debug)]
pub struct Container<'a> {
    pub node: Node<'a>,
    pub init: bool,
}

impl<'a> Container<'a> {
    pub fn name(&self) -> &'a str {
        self.node.get_str("name").unwrap_or("<unnamed>")
    }

    pub fn image(&self) -> Option<Node<'a>> {
        self.node.get("image")
    }

    /// The container's `- name:` line (where findings about it point).
    pub fn location(&self, path: &str) -> Location {
        self.node
            .get("name")
            .map(|n| n.location(path))
            .unwrap_or_else(|| self.node.location(path))
    }

    /// An init container with `restartPolicy: Always`: a sidecar that runs for the pod's life.
    pub fn is_sidecar(&self) -> bool {
        self.init && self.node.get_str("restartPolicy") == Some("Always")
    }

    /// "container `app`", "sidecar container `proxy`" or "init container `migrate`", for messages.
    pub fn describe(&self) -> String {
        let role = match (self.init, self.is_sidecar()) {
            (false, _) => "container",
            (true, true) => "sidecar container",
            (true, false) => "init container",
        };
        format!("{role} `{}`", self.name())
    }

    /// A probe (`readinessProbe`, `livenessProbe`, `startupProbe`) when the key is written.
    pub fn probe(&self, key: &str) -> Option<Probe<'a>> {
        let (key, node) = self.node.entry(key)?;
        let handler = PROBE_HANDLERS
            .iter()
            .find_map(|h| node.get(h).filter(|n| !n.is_null()).map(|n| (*h, n)));
        Some(Probe { key, node, handler })
    }

    /// Declared container ports (numbers).
    pub fn ports(&self) -> Vec<(i64, Option<&'a str>)> {
        self.node
            .get("ports")
            .into_iter()
            .flat_map(|p| p.items())
            .filter_map(|p| Some((p.get("containerPort")?.as_i64()?, p.get_str("name"))))
            .collect()
    }
}

/// The ways a probe can check a container.
const PROBE_HANDLERS: [&str; 4] = ["httpGet", "tcpSocket", "grpc", "exec"];

/// A container's probe as written.
#[derive(Clone, Copy, Debug)]
pub struct Probe<'a> {
    /// The `readinessProbe:` (etc.) key, where findings about the probe point.
    pub key: Node<'a>,
    /// The probe's mapping.
    pub node: Node<'a>,
    /// The handler (`httpGet`, `tcpSocket`, `grpc`, `exec`) and its settings; None when the probe
    /// has none (the API server rejects such a probe).
    pub handler: Option<(&'static str, Node<'a>)>,
}

impl<'a> Probe<'a> {
    /// The path of an `httpGet` probe (`/healthz`); `/` when httpGet names none.
    pub fn http_path(&self) -> Option<&'a str> {
        match self.handler {
            Some(("httpGet", h)) => Some(h.get_str("path").unwrap_or("/")),
            _ => None,
        }
    }

    /// "httpGet /healthz on port 8080", "tcpSocket on port 6379", "exec `pg_isready`" (the program
    /// only).
    pub fn describe(&self) -> String {
        let Some((kind, h)) = self.handler else {
            return "no handler".into();
        };
        let port = h
            .get("port")
            .and_then(|p| p.as_str())
            .map(|p| format!(" on port {p}"))
            .unwrap_or_default();
        match kind {
            "httpGet" => format!("httpGet {}{port}", h.get_str("path").unwrap_or("/")),
            // Only the program: arguments may carry credentials (`mysqladmin -p...`).
            "exec" => match h.get("command").and_then(|c| c.items().next()?.as_str()) {
                Some(program) => format!("exec `{program}`"),
                None => "exec".into(),
            },
            other => format!("{other}{port}"),
        }
    }
}

impl<'a> PodTemplate<'a> {
    /// Every container that runs in the pod: regular containers, sidecars, then init containers.
    pub fn all_containers(&self) -> Vec<Container<'a>> {
        let mut out = self.containers();
        out.extend(self.init_containers());
        out
    }

    pub fn labels(&self) -> Vec<(&'a str, &'a str)> {
        labels_of(self.template.path(&["metadata", "labels"]))
    }

    /// Regular containers (not init or ephemeral). Sidecars declared as init containers with
    /// `restartPolicy: Always` are included, since they run for the pod's life.
    pub fn containers(&self) -> Vec<Container<'a>> {
        let mut out: Vec<Container<'a>> = self
            .spec
            .get("containers")
            .into_iter()
            .flat_map(|c| c.items())
            .filter(|c| c.is_map())
            .map(|node| Container { node, init: false })
            .collect();
        out.extend(
            self.spec
                .get("initContainers")
                .into_iter()
                .flat_map(|c| c.items())
                .filter(|c| c.get_str("restartPolicy") == Some("Always"))
                .map(|node| Container { node, init: true }),
        );
        out
    }

    /// Init containers that run to completion before the pod starts.
    pub fn init_containers(&self) -> Vec<Container<'a>> {
        self.spec
            .get("initContainers")
            .into_iter()
            .flat_map(|c| c.items())
            .filter(|c| c.is_map() && c.get_str("restartPolicy") != Some("Always"))
            .map(|node| Container { node, init: true })
            .collect()
    }
}

fn labels_of(node: Option<Node<'_>>) -> Vec<(&str, &str)> {
    node.into_iter()
        .flat_map(|n| n.entries())
        .filter_map(|(k, v)| Some((k.as_str()?, v.as_str()?)))
        .collect()
}

/// Whether `selector` (matchLabels map, or a LabelSelector with matchLabels/matchExpressions)
/// selects a set of labels. An empty selector selects nothing here (it would select everything
/// in a namespace, which golive does not guess).
pub fn selector_matches(selector: Node<'_>, labels: &[(&str, &str)]) -> bool {
    let has = |k: &str, v: &str| labels.iter().any(|(lk, lv)| *lk == k && *lv == v);
    let has_key = |k: &str| labels.iter().any(|(lk, _)| *lk == k);
    let match_labels = selector.get("matchLabels");
    let exprs = selector.get("matchExpressions");
    let plain = match_labels.is_none() && exprs.is_none();
    let label_map = if plain { Some(selector) } else { match_labels };
    let mut constraints = 0;
    for (k, v) in label_map.into_iter().flat_map(|m| m.entries()) {
        let (Some(k), Some(v)) = (k.as_str(), v.as_str()) else {
            return false;
        };
        constraints += 1;
        if !has(k, v) {
            return false;
        }
    }
    for e in exprs.into_iter().flat_map(|e| e.items()) {
        let (Some(key), Some(op)) = (e.get_str("key"), e.get_str("operator")) else {
            return false;
        };
        constraints += 1;
        let values: Vec<&str> = e
            .get("values")
            .into_iter()
            .flat_map(|v| v.items())
            .filter_map(|v| v.as_str())
            .collect();
        let ok = match op {
            "In" => values.iter().any(|v| has(key, v)),
            "NotIn" => !values.iter().any(|v| has(key, v)),
            "Exists" => has_key(key),
            "DoesNotExist" => !has_key(key),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    constraints > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(text: &str) -> Workspace {
        Workspace::from_files(vec![("k.yaml".into(), text.into())])
    }

    #[test]
    fn finds_workloads_and_containers() {
        let w = ws(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  replicas: 3\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      initContainers: [{name: migrate, image: m}]\n      containers:\n      - name: app\n        image: web:1\n        ports: [{containerPort: 8080}]\n---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec: {jobTemplate: {spec: {template: {spec: {containers: [{name: j}]}}}}}\n",
        );
        let objs: Vec<_> = w.kube_objects().collect();
        assert_eq!(objs.len(), 2);
        let d = &objs[0];
        assert_eq!(d.display_name(), "Deployment/web");
        assert_eq!(d.replicas().map(|r| r.0), Some(3));
        let t = d.pod_template().unwrap();
        assert_eq!(t.labels(), vec![("app", "web")]);
        let c = t.containers();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].location("k.yaml").line, 11);
        assert_eq!(c[0].ports(), vec![(8080, None)]);
        assert_eq!(t.init_containers().len(), 1);
        assert!(!objs[1].is_long_running());
        assert_eq!(objs[1].pod_template().unwrap().containers()[0].name(), "j");
    }

    #[test]
    fn selectors_match_labels() {
        let w = ws(
            "a: {app: web}\nb: {matchLabels: {app: web}, matchExpressions: [{key: tier, operator: In, values: [fe]}]}\nc: {}\n",
        );
        let root = w.files()[0].yaml_docs()[0].root().unwrap();
        let labels = [("app", "web"), ("tier", "fe")];
        assert!(selector_matches(root.get("a").unwrap(), &labels));
        assert!(selector_matches(root.get("b").unwrap(), &labels));
        assert!(!selector_matches(root.get("b").unwrap(), &[("app", "web")]));
        assert!(!selector_matches(root.get("c").unwrap(), &labels));
    }

    #[test]
    fn lists_are_unpacked() {
        let w = ws(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: s}\n",
        );
        let objs: Vec<_> = w.kube_objects().collect();
        assert_eq!(objs.len(), 1);
        assert_eq!(objs[0].kind, "Service");
    }

    #[test]
    fn probes_sidecars_and_all_containers() {
        let w = ws(
            "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  initContainers:\n  - {name: proxy, restartPolicy: Always}\n  - {name: migrate}\n  containers:\n  - name: app\n    readinessProbe:\n      httpGet: {path: /readyz, port: 8080}\n    livenessProbe: {periodSeconds: 5}\n    startupProbe:\n      exec: {command: [mysqladmin, -psecret, ping]}\n",
        );
        let pod = w.kube_objects().next().unwrap();
        let all = pod.pod_template().unwrap().all_containers();
        let described: Vec<String> = all.iter().map(|c| c.describe()).collect();
        assert_eq!(
            described,
            vec![
                "container `app`",
                "sidecar container `proxy`",
                "init container `migrate`"
            ]
        );
        let app = all[0];
        let readiness = app.probe("readinessProbe").unwrap();
        assert_eq!(readiness.describe(), "httpGet /readyz on port 8080");
        assert_eq!(readiness.http_path(), Some("/readyz"));
        assert_eq!(readiness.key.line(), 10);
        assert!(app.probe("livenessProbe").unwrap().handler.is_none());
        // Arguments are never described (they may hold credentials).
        assert_eq!(
            app.probe("startupProbe").unwrap().describe(),
            "exec `mysqladmin`"
        );
        assert!(all[2].probe("readinessProbe").is_none());
    }

    #[test]
    fn custom_resources_with_pod_templates() {
        let w = ws(
            "apiVersion: serving.knative.dev/v1\nkind: Service\nmetadata: {name: k}\nspec:\n  template:\n    spec: {containers: [{name: user-container, image: k:1}]}\n---\napiVersion: keda.sh/v1alpha1\nkind: ScaledJob\nmetadata: {name: j}\nspec:\n  jobTargetRef:\n    template:\n      spec: {containers: [{name: worker}]}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: plain}\nspec: {selector: {app: k}}\n",
        );
        let objs: Vec<_> = w.kube_objects().collect();
        let knative = objs[0].pod_template().unwrap();
        assert_eq!(knative.containers()[0].name(), "user-container");
        assert!(objs[0].is_long_running());
        assert_eq!(
            objs[1].pod_template().unwrap().containers()[0].name(),
            "worker"
        );
        assert!(!objs[1].is_long_running());
        assert!(objs[2].pod_template().is_none());
    }

    #[test]
    fn typed_lists_are_unpacked() {
        let w = ws(
            "apiVersion: v1\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: b}\nkind: ConfigMapList\n",
        );
        let names: Vec<_> = w.kube_objects().filter_map(|o| o.name()).collect();
        assert_eq!(names, vec!["a", "b"]);
    }
}
