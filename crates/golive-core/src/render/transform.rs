//! Kustomize's built-in transformers and generators on the objects of a kustomization.

use super::kustomize::{Builder, Res, origin_at};
use super::tree::{Origin, Tree, Value};
use crate::parse::yaml::Node;
use crate::workspace::SourceFile;
use crate::workspace::join_relative;
use std::sync::Arc;

/// Kinds that live outside namespaces (the namespace transformer leaves them alone).
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "PersistentVolume",
    "StorageClass",
    "PriorityClass",
    "IngressClass",
    "RuntimeClass",
    "ValidatingWebhookConfiguration",
    "MutatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "APIService",
    "CSIDriver",
    "VolumeSnapshotClass",
    "ClusterIssuer",
    "GatewayClass",
];

/// `configMapGenerator` and `secretGenerator`: ConfigMaps and Secrets from literals, env files
/// and files (names are kept without kustomize's content-hash suffix).
pub(crate) fn generators(
    b: &mut Builder<'_>,
    file: &SourceFile,
    root: Node<'_>,
    path: &Arc<str>,
    acc: &mut Vec<Res>,
) {
    for (key, kind) in [
        ("configMapGenerator", "ConfigMap"),
        ("secretGenerator", "Secret"),
    ] {
        for entry_node in root.get(key).into_iter().flat_map(|g| g.items()) {
            let Some(name) = entry_node.get_str("name") else {
                b.issue(
                    file,
                    Some(entry_node),
                    format!("a `{key}` entry has no name"),
                );
                continue;
            };
            let at = origin_at(entry_node, path);
            let mut data: Vec<(Tree, Tree)> = Vec::new();
            for lit in entry_node
                .get("literals")
                .into_iter()
                .flat_map(|l| l.items())
            {
                let Some(text) = lit.as_text() else { continue };
                let o = origin_at(lit, path);
                match text.split_once('=') {
                    Some((k, v)) => data.push((
                        Tree::scalar(k.trim(), false, o.clone()),
                        Tree::scalar(v.trim().trim_matches('"'), false, o),
                    )),
                    None => b.issue(
                        file,
                        Some(lit),
                        format!("literal `{text}` is not KEY=VALUE"),
                    ),
                }
            }
            for env in entry_node
                .get("envs")
                .into_iter()
                .flat_map(|e| e.items())
                .chain(entry_node.get("env"))
            {
                let Some(rel) = env.as_text() else { continue };
                let Some(f) = join_relative(file.dir(), rel).and_then(|p| b.ws.file(&p)) else {
                    b.issue(
                        file,
                        Some(env),
                        format!("env file `{rel}` does not exist in the repository"),
                    );
                    continue;
                };
                let env_path: Arc<str> = Arc::from(f.path.as_str());
                for (i, line) in f.text.lines().enumerate() {
                    let line_t = line.trim();
                    if line_t.is_empty() || line_t.starts_with('#') {
                        continue;
                    }
                    if let Some((k, v)) = line_t.split_once('=') {
                        let o = Origin::line(&env_path, i as u32 + 1);
                        data.push((
                            Tree::scalar(k.trim(), false, o.clone()),
                            Tree::scalar(v.trim(), false, o),
                        ));
                    }
                }
            }
            for entry in entry_node.get("files").into_iter().flat_map(|e| e.items()) {
                let Some(spec) = entry.as_text() else {
                    continue;
                };
                let (k, rel) = match spec.split_once('=') {
                    Some((k, rel)) => (k.to_string(), rel),
                    None => (spec.rsplit('/').next().unwrap_or(spec).to_string(), spec),
                };
                let Some(f) = join_relative(file.dir(), rel).and_then(|p| b.ws.file(&p)) else {
                    b.issue(
                        file,
                        Some(entry),
                        format!("file `{rel}` does not exist in the repository"),
                    );
                    continue;
                };
                let o = Origin::line(&Arc::from(f.path.as_str()), 1);
                data.push((
                    Tree::scalar(k, false, o.clone()),
                    Tree::scalar(f.text.clone(), false, o),
                ));
            }
            let data_key = if kind == "Secret" {
                "stringData"
            } else {
                "data"
            };
            let behavior = entry_node.get_str("behavior").unwrap_or("create");
            let existing = acc
                .iter_mut()
                .find(|r| r.kind() == kind && r.answers_to(name));
            match (behavior, existing) {
                ("merge", Some(r)) => {
                    let target = r.tree.child_map(data_key, &at);
                    for (k, v) in data {
                        let key = k.as_str().unwrap_or_default().to_string();
                        target.set(&key, v);
                    }
                }
                ("replace", Some(r)) => r.tree.set(data_key, Tree::map(data, at.clone())),
                ("merge" | "replace", None) => b.issue(
                    file,
                    Some(entry_node),
                    format!("`behavior: {behavior}` for {kind}/{name}, which no resource defines"),
                ),
                _ => {
                    let s = |t: &str| Tree::scalar(t, true, at.clone());
                    let mut metadata = vec![(s("name"), s(name))];
                    if let Some(ns) = entry_node.get_str("namespace") {
                        metadata.push((s("namespace"), s(ns)));
                    }
                    acc.push(Res {
                        tree: Tree::map(
                            vec![
                                (s("apiVersion"), s("v1")),
                                (s("kind"), s(kind)),
                                (s("metadata"), Tree::map(metadata, at.clone())),
                                (s(data_key), Tree::map(data, at.clone())),
                            ],
                            at.clone(),
                        ),
                        earlier_names: Vec::new(),
                    });
                }
            }
        }
    }
}

/// `namespace:` sets every namespaced object's namespace.
pub(crate) fn namespace(root: Node<'_>, path: &Arc<str>, acc: &mut [Res]) {
    let Some(node) = root.get("namespace") else {
        return;
    };
    let Some(ns) = node.as_text() else { return };
    let o = origin_at(node, path);
    for r in acc
        .iter_mut()
        .filter(|r| !CLUSTER_SCOPED.contains(&r.kind()))
    {
        r.tree
            .child_map("metadata", &o)
            .set("namespace", Tree::scalar(ns, true, o.clone()));
    }
}

/// `namePrefix`/`nameSuffix`, then the references to renamed objects within the kustomization.
pub(crate) fn prefix_suffix(root: Node<'_>, acc: &mut [Res]) {
    let prefix = root.get_str("namePrefix").unwrap_or_default();
    let suffix = root.get_str("nameSuffix").unwrap_or_default();
    if prefix.is_empty() && suffix.is_empty() {
        return;
    }
    let mut renamed: Vec<(String, String, String)> = Vec::new();
    for r in acc.iter_mut() {
        if matches!(r.kind(), "Namespace" | "CustomResourceDefinition") {
            continue;
        }
        let old = r.name().to_string();
        if old.is_empty() {
            continue;
        }
        let new = format!("{prefix}{old}{suffix}");
        if let Some(name) = r.tree.path_mut(&["metadata", "name"])
            && let Value::Scalar { text, .. } = &mut name.value
        {
            *text = new.clone();
        }
        renamed.push((r.kind().to_string(), old.clone(), new));
        r.earlier_names.push(old);
    }
    for r in acc.iter_mut() {
        rename_references(&mut r.tree, &renamed);
    }
}

/// Rewrites name references (Ingress backends, autoscaler and Rollout targets, pod specs'
/// ConfigMaps, Secrets, ServiceAccounts and claims, StatefulSet service names).
fn rename_references(t: &mut Tree, renamed: &[(String, String, String)]) {
    let lookup = |kind: &str, name: &str| {
        renamed
            .iter()
            .find(|(k, old, _)| k == kind && old == name)
            .map(|(_, _, new)| new.clone())
    };
    let kind = t.get_str("kind").unwrap_or_default().to_string();
    let set = |t: &mut Tree, keys: &[&str], ref_kind: &str| {
        if let Some(node) = t.path_mut(keys)
            && let Value::Scalar { text, .. } = &mut node.value
            && let Some(new) = lookup(ref_kind, text)
        {
            *text = new;
        }
    };
    match kind.as_str() {
        "HorizontalPodAutoscaler" | "ScaledObject" => {
            let target_kind = t
                .path(&["spec", "scaleTargetRef", "kind"])
                .and_then(Tree::as_text)
                .unwrap_or("Deployment")
                .to_string();
            set(t, &["spec", "scaleTargetRef", "name"], &target_kind);
        }
        "Rollout" => {
            let target_kind = t
                .path(&["spec", "workloadRef", "kind"])
                .and_then(Tree::as_text)
                .unwrap_or("Deployment")
                .to_string();
            set(t, &["spec", "workloadRef", "name"], &target_kind);
        }
        "StatefulSet" => set(t, &["spec", "serviceName"], "Service"),
        "Ingress" => {
            if let Some(rules) = t.path_mut(&["spec", "rules"]) {
                for rule in rules.items_mut() {
                    if let Some(paths) = rule.path_mut(&["http", "paths"]) {
                        for p in paths.items_mut() {
                            set(p, &["backend", "service", "name"], "Service");
                            set(p, &["backend", "serviceName"], "Service");
                        }
                    }
                }
            }
            set(t, &["spec", "defaultBackend", "service", "name"], "Service");
            set(t, &["spec", "backend", "serviceName"], "Service");
        }
        _ => {}
    }
    for_each_pod_spec(t, &mut |spec| {
        set(spec, &["serviceAccountName"], "ServiceAccount");
        for v in spec
            .get_mut("volumes")
            .map(Tree::items_mut)
            .unwrap_or_default()
        {
            set(v, &["configMap", "name"], "ConfigMap");
            set(v, &["secret", "secretName"], "Secret");
            set(
                v,
                &["persistentVolumeClaim", "claimName"],
                "PersistentVolumeClaim",
            );
        }
        for s in spec
            .get_mut("imagePullSecrets")
            .map(Tree::items_mut)
            .unwrap_or_default()
        {
            set(s, &["name"], "Secret");
        }
        for key in ["containers", "initContainers"] {
            for c in spec.get_mut(key).map(Tree::items_mut).unwrap_or_default() {
                for e in c
                    .get_mut("envFrom")
                    .map(Tree::items_mut)
                    .unwrap_or_default()
                {
                    set(e, &["configMapRef", "name"], "ConfigMap");
                    set(e, &["secretRef", "name"], "Secret");
                }
                for e in c.get_mut("env").map(Tree::items_mut).unwrap_or_default() {
                    set(e, &["valueFrom", "configMapKeyRef", "name"], "ConfigMap");
                    set(e, &["valueFrom", "secretKeyRef", "name"], "Secret");
                }
            }
        }
    });
}

/// The pod spec of a workload object (Deployment-like templates, CronJob job templates, Pods).
fn for_each_pod_spec(t: &mut Tree, f: &mut dyn FnMut(&mut Tree)) {
    let kind = t.get_str("kind").unwrap_or_default().to_string();
    let keys: &[&str] = match kind.as_str() {
        "Pod" => &["spec"],
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        _ => &["spec", "template", "spec"],
    };
    if let Some(spec) = t.path_mut(keys).filter(|s| s.is_map()) {
        f(spec);
    }
}

/// Where selectors and pod template labels live, by kind (kustomize's `commonLabels` field
/// specs for the built-in kinds).
fn selector_paths(kind: &str) -> &'static [&'static [&'static str]] {
    match kind {
        "Service" | "ReplicationController" => &[&["spec", "selector"]],
        "Deployment" | "ReplicaSet" | "DaemonSet" | "StatefulSet" | "PodDisruptionBudget" => {
            &[&["spec", "selector", "matchLabels"]]
        }
        "NetworkPolicy" => &[&["spec", "podSelector", "matchLabels"]],
        _ => &[],
    }
}

fn template_label_paths(kind: &str) -> &'static [&'static [&'static str]] {
    match kind {
        "Deployment"
        | "ReplicaSet"
        | "DaemonSet"
        | "StatefulSet"
        | "Job"
        | "ReplicationController"
        | "Rollout" => &[&["spec", "template", "metadata", "labels"]],
        "CronJob" => &[
            &["spec", "jobTemplate", "metadata", "labels"],
            &[
                "spec",
                "jobTemplate",
                "spec",
                "template",
                "metadata",
                "labels",
            ],
        ],
        _ => &[],
    }
}

fn add_pairs(t: &mut Tree, keys: &[&str], pairs: &[(String, String, Origin)], create: bool) {
    let mut node = t;
    for key in keys {
        if create {
            let o = node.origin.clone();
            node = node.child_map(key, &o);
        } else {
            match node.get_mut(key) {
                Some(n) => node = n,
                None => return,
            }
        }
    }
    for (k, v, o) in pairs {
        node.set(k, Tree::scalar(v.clone(), false, o.clone()));
    }
}

/// Labels to add, and whether they go into selectors and pod templates too.
type LabelSet = (Vec<(String, String, Origin)>, bool, bool);

/// `commonLabels` (metadata, selectors, templates) and `labels` (metadata; selectors and
/// templates when asked).
pub(crate) fn labels(root: Node<'_>, path: &Arc<str>, acc: &mut [Res]) {
    let pairs_of = |node: Node<'_>| -> Vec<(String, String, Origin)> {
        node.entries()
            .filter_map(|(k, v)| {
                Some((
                    k.as_str()?.to_string(),
                    v.as_str()?.to_string(),
                    origin_at(v, path),
                ))
            })
            .collect()
    };
    let mut sets: Vec<LabelSet> = Vec::new();
    if let Some(common) = root.get("commonLabels") {
        sets.push((pairs_of(common), true, true));
    }
    for entry in root.get("labels").into_iter().flat_map(|l| l.items()) {
        let Some(pairs) = entry.get("pairs") else {
            continue;
        };
        let selectors = entry.get("includeSelectors").and_then(|n| n.as_bool()) == Some(true);
        let templates =
            selectors || entry.get("includeTemplates").and_then(|n| n.as_bool()) == Some(true);
        sets.push((pairs_of(pairs), selectors, templates));
    }
    for (pairs, selectors, templates) in sets {
        if pairs.is_empty() {
            continue;
        }
        for r in acc.iter_mut() {
            let kind = r.kind().to_string();
            add_pairs(&mut r.tree, &["metadata", "labels"], &pairs, true);
            if selectors {
                for keys in selector_paths(&kind) {
                    add_pairs(&mut r.tree, keys, &pairs, kind == "Service");
                }
            }
            if templates {
                for keys in template_label_paths(&kind) {
                    add_pairs(&mut r.tree, keys, &pairs, true);
                }
            }
        }
    }
}

/// `commonAnnotations`: metadata and pod templates.
pub(crate) fn annotations(root: Node<'_>, path: &Arc<str>, acc: &mut [Res]) {
    let Some(node) = root.get("commonAnnotations") else {
        return;
    };
    let pairs: Vec<(String, String, Origin)> = node
        .entries()
        .filter_map(|(k, v)| {
            Some((
                k.as_str()?.to_string(),
                v.as_str()?.to_string(),
                origin_at(v, path),
            ))
        })
        .collect();
    for r in acc.iter_mut() {
        let kind = r.kind().to_string();
        add_pairs(&mut r.tree, &["metadata", "annotations"], &pairs, true);
        for keys in template_label_paths(&kind) {
            let mut keys: Vec<&str> = keys.to_vec();
            keys.pop();
            keys.push("annotations");
            add_pairs(&mut r.tree, &keys, &pairs, true);
        }
    }
}

/// `replicas:` entries set `spec.replicas` of the Deployments, ReplicaSets, StatefulSets and
/// ReplicationControllers they name.
pub(crate) fn replicas(
    b: &mut Builder<'_>,
    file: &SourceFile,
    root: Node<'_>,
    path: &Arc<str>,
    acc: &mut [Res],
) {
    for entry in root.get("replicas").into_iter().flat_map(|r| r.items()) {
        let (Some(name), Some(count)) = (entry.get_str("name"), entry.get("count")) else {
            continue;
        };
        let mut matched = false;
        for r in acc.iter_mut().filter(|r| r.answers_to(name)) {
            if !matches!(
                r.kind(),
                "Deployment" | "ReplicaSet" | "StatefulSet" | "ReplicationController"
            ) {
                continue;
            }
            matched = true;
            let o = origin_at(count, path);
            r.tree.child_map("spec", &o).set(
                "replicas",
                Tree::scalar(
                    count.as_str().unwrap_or_default(),
                    count.is_plain(),
                    o.clone(),
                ),
            );
        }
        if !matched {
            b.issue(file, Some(entry), format!("`replicas` entry `{name}` names no Deployment, ReplicaSet, StatefulSet or ReplicationController of this kustomization"));
        }
    }
}

/// `images:` entries rewrite the image of every container whose image name matches.
pub(crate) fn images(root: Node<'_>, path: &Arc<str>, acc: &mut [Res]) {
    let entries: Vec<Node<'_>> = root
        .get("images")
        .into_iter()
        .flat_map(|i| i.items())
        .collect();
    if entries.is_empty() {
        return;
    }
    for r in acc.iter_mut() {
        rewrite_images(&mut r.tree, &entries, path);
    }
}

fn rewrite_images(t: &mut Tree, entries: &[Node<'_>], path: &Arc<str>) {
    match &mut t.value {
        Value::Map(map) => {
            for (k, v) in map.iter_mut() {
                let key = k.as_str().unwrap_or_default();
                if matches!(key, "containers" | "initContainers" | "ephemeralContainers") {
                    for c in v.items_mut() {
                        rewrite_container_image(c, entries, path);
                    }
                } else {
                    rewrite_images(v, entries, path);
                }
            }
        }
        Value::Seq(items) => items
            .iter_mut()
            .for_each(|i| rewrite_images(i, entries, path)),
        Value::Scalar { .. } => {}
    }
}

/// `registry/name:tag@digest` → (name with registry, tag, digest).
fn split_image(image: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
    match rest[last_slash..].rfind(':') {
        Some(i) => (
            &rest[..last_slash + i],
            Some(&rest[last_slash + i + 1..]),
            digest,
        ),
        None => (rest, None, digest),
    }
}

fn rewrite_container_image(c: &mut Tree, entries: &[Node<'_>], path: &Arc<str>) {
    let Some(image) = c.get_str("image").map(str::to_string) else {
        return;
    };
    let (name, tag, digest) = split_image(&image);
    let Some(entry) = entries.iter().find(|e| e.get_str("name") == Some(name)) else {
        return;
    };
    let new_name = entry.get_str("newName").unwrap_or(name);
    let new_digest = entry.get_str("digest");
    let new_tag = entry.get("newTag").and_then(|t| t.as_text());
    let value = match (new_digest, new_tag, digest) {
        (Some(d), _, _) => format!("{new_name}@{d}"),
        (None, Some(t), _) => format!("{new_name}:{t}"),
        (None, None, Some(d)) => format!("{new_name}@{d}"),
        (None, None, None) => match tag {
            Some(t) => format!("{new_name}:{t}"),
            None => new_name.to_string(),
        },
    };
    // Point at what the entry changes: the digest, else the tag, else the name.
    let at = ["digest", "newTag", "newName"]
        .iter()
        .find_map(|k| entry.get(k))
        .unwrap_or(*entry);
    c.set("image", Tree::scalar(value, false, origin_at(at, path)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_split_into_name_tag_and_digest() {
        assert_eq!(split_image("web:1"), ("web", Some("1"), None));
        assert_eq!(
            split_image("reg:5000/team/web:1@sha256:ab"),
            ("reg:5000/team/web", Some("1"), Some("sha256:ab"))
        );
        assert_eq!(split_image("reg:5000/web"), ("reg:5000/web", None, None));
    }
}
