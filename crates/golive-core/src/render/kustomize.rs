//! Kustomize, the way `kustomize build` renders an overlay: resources (files and kustomization
//! folders, `bases`), components, ConfigMap/Secret generators, strategic-merge and JSON 6902
//! patches, then namespace, name prefix/suffix, labels, annotations, replicas and images. Every
//! rendered node keeps the file and line it came from (a base, a patch, the kustomization), so
//! findings point where the effective value is written. Features golive does not render
//! (remote bases, `replacements`, Helm inflation, ...) are reported, never silently skipped.

use super::transform;
use super::tree::{MAX_RENDERED_NODES, Origin, Tree};
use super::{RenderIssue, patch};
use crate::model::Location;
use crate::parse::yaml::{self, Node, YamlDoc};
use crate::workspace::{FileKind, SourceFile, Workspace, join_relative};
use std::collections::BTreeSet;
use std::sync::Arc;

/// The names kustomize looks for in a folder.
pub const KUSTOMIZATION_NAMES: [&str; 3] =
    ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Kustomization keys golive renders.
const SUPPORTED: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "bases",
    "components",
    "namespace",
    "namePrefix",
    "nameSuffix",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "images",
    "replicas",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    // Metadata and output ordering: no effect on the objects' values.
    "buildMetadata",
    "sortOptions",
];

/// An object being rendered, with the names it had before prefixes and suffixes (patches and
/// `replicas:` of an overlay may name a base object by its original name).
#[derive(Clone, Debug)]
pub(crate) struct Res {
    pub tree: Tree,
    pub earlier_names: Vec<String>,
}

impl Res {
    pub fn kind(&self) -> &str {
        self.tree.get_str("kind").unwrap_or_default()
    }

    pub fn name(&self) -> &str {
        self.tree
            .path(&["metadata", "name"])
            .and_then(Tree::as_text)
            .unwrap_or_default()
    }

    pub fn namespace(&self) -> Option<&str> {
        self.tree
            .path(&["metadata", "namespace"])
            .and_then(Tree::as_text)
    }

    /// The API group (`apps` for `apps/v1`, "" for core).
    pub fn group(&self) -> &str {
        let api = self.tree.get_str("apiVersion").unwrap_or_default();
        api.rsplit_once('/').map(|(g, _)| g).unwrap_or("")
    }

    /// Whether the object answers to `name` now or did before a prefix/suffix.
    pub fn answers_to(&self, name: &str) -> bool {
        self.name() == name || self.earlier_names.iter().any(|n| n == name)
    }

    /// A Kubernetes kind (lists merge by key in strategic-merge patches).
    pub fn is_builtin(&self) -> bool {
        let g = self.group();
        g.is_empty() || !g.contains('.') || g.ends_with(".k8s.io")
    }
}

/// One root kustomization rendered.
pub struct Rendering {
    /// The kustomization file.
    pub kustomization: String,
    /// The folder it renders (`overlays/prod`; `.` at the root).
    pub label: String,
    /// The rendered objects as a YAML file of their own (path: the kustomization's).
    pub file: SourceFile,
    /// Files whose objects (resources, patches) went into the rendering.
    pub consumed: BTreeSet<String>,
}

/// A kustomization file of the scan.
fn kustomization_in<'w>(ws: &'w Workspace, dir: &str) -> Option<&'w SourceFile> {
    KUSTOMIZATION_NAMES.iter().find_map(|n| {
        let path = if dir.is_empty() {
            n.to_string()
        } else {
            format!("{dir}/{n}")
        };
        ws.file(&path).filter(|f| f.kind == FileKind::Yaml)
    })
}

/// The root mapping of a kustomization file, if it is one (not a Flux `Kustomization` object,
/// which shares the name).
fn kustomization_root(file: &SourceFile) -> Option<Node<'_>> {
    let root = file.yaml_docs().first()?.root()?;
    if !root.is_map() {
        return None;
    }
    if root
        .get_str("apiVersion")
        .is_some_and(|a| !a.starts_with("kustomize.config.k8s.io"))
    {
        return None;
    }
    Some(root)
}

fn is_kustomization_file(file: &SourceFile) -> bool {
    KUSTOMIZATION_NAMES.contains(&file.name())
}

/// Whether a resource entry is fetched from elsewhere (a URL or a git reference).
fn is_remote(entry: &str) -> bool {
    entry.contains("://")
        || entry.starts_with("git@")
        || entry.starts_with("github.com/")
        || entry.starts_with("gitlab.com/")
        || entry.starts_with("bitbucket.org/")
        || entry.contains("?ref=")
}

/// The folders of kustomizations other kustomizations include (so they are not roots).
fn included_dirs(ws: &Workspace) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for file in ws.files().iter().filter(|f| is_kustomization_file(f)) {
        let Some(root) = kustomization_root(file) else {
            continue;
        };
        for key in ["resources", "bases", "components"] {
            for entry in root.get(key).into_iter().flat_map(|r| r.items()) {
                if let Some(joined) = entry.as_text().and_then(|e| join_relative(file.dir(), e)) {
                    out.insert(joined);
                }
            }
        }
    }
    out
}

/// Files a kustomization lists as a resource, or any kustomization or component lists as a
/// patch: they are deployed (or applied) only through a kustomization, so they are checked
/// through renderings, never alone (a patch is a partial object). The resources of a component
/// no root includes stay objects of their own: the component is an option users switch on.
pub(crate) fn referenced_files(ws: &Workspace) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for file in ws.files().iter().filter(|f| is_kustomization_file(f)) {
        let Some(root) = kustomization_root(file) else {
            continue;
        };
        let mut rels: Vec<&str> = Vec::new();
        let component = root.get_str("kind") == Some("Component");
        let keys: &[&str] = if component {
            &["patchesStrategicMerge"]
        } else {
            &["resources", "bases", "patchesStrategicMerge"]
        };
        for key in keys {
            rels.extend(
                root.get(key)
                    .into_iter()
                    .flat_map(|r| r.items())
                    .filter_map(|e| e.as_text())
                    .filter(|t| !t.contains('\n')),
            );
        }
        for key in ["patches", "patchesJson6902"] {
            rels.extend(
                root.get(key)
                    .into_iter()
                    .flat_map(|r| r.items())
                    .filter_map(|e| e.get_str("path")),
            );
        }
        for rel in rels {
            if let Some(joined) = join_relative(file.dir(), rel)
                && ws.file(&joined).is_some()
            {
                out.insert(joined);
            }
        }
    }
    out
}

/// Renders every root kustomization (one no other kustomization includes). Issues are
/// reported once per place even when several roots meet them.
pub(crate) fn render_all(ws: &Workspace) -> (Vec<Rendering>, Vec<RenderIssue>) {
    let included = included_dirs(ws);
    let mut renderings = Vec::new();
    let mut issues: Vec<RenderIssue> = Vec::new();
    let mut visited: BTreeSet<String> = BTreeSet::new();
    let kustomizations: Vec<(&SourceFile, Node<'_>)> = ws
        .files()
        .iter()
        .filter(|f| is_kustomization_file(f))
        .filter_map(|f| Some((f, kustomization_root(f)?)))
        .filter(|(_, root)| root.get_str("kind") != Some("Component"))
        .collect();
    let roots = kustomizations
        .iter()
        .filter(|(f, _)| !included.contains(f.dir()));
    // Kustomizations only reachable through a cycle are rendered too, so the cycle is reported.
    let unreached = || {
        kustomizations
            .iter()
            .filter(|(f, _)| included.contains(f.dir()))
    };
    let mut order: Vec<(&SourceFile, Node<'_>)> = roots.copied().collect();
    let mut pending_unreached = true;
    let mut i = 0;
    loop {
        if i == order.len() {
            if !pending_unreached {
                break;
            }
            pending_unreached = false;
            order.extend(
                unreached()
                    .filter(|(f, _)| !visited.contains(&f.path))
                    .copied(),
            );
            if i == order.len() {
                break;
            }
        }
        let (file, root) = order[i];
        i += 1;
        if visited.contains(&file.path) && included.contains(file.dir()) {
            continue;
        }
        let mut b = Builder {
            ws,
            issues: Vec::new(),
            consumed: BTreeSet::new(),
            budget: MAX_RENDERED_NODES,
            stack: Vec::new(),
            visited: BTreeSet::new(),
        };
        let objects = b.build(file, root);
        visited.extend(b.visited.iter().cloned());
        issues.append(&mut b.issues);
        let Some(objects) = objects else { continue };
        let docs: Vec<YamlDoc> = objects.iter().map(|r| r.tree.to_doc()).collect();
        let label = if file.dir().is_empty() {
            ".".to_string()
        } else {
            file.dir().to_string()
        };
        renderings.push(Rendering {
            kustomization: file.path.clone(),
            file: SourceFile::rendered(file.path.clone(), docs, label.clone()),
            label,
            consumed: b.consumed,
        });
    }
    issues.sort_by(|a, b| (&a.location, &a.message).cmp(&(&b.location, &b.message)));
    issues.dedup_by(|a, b| a.location == b.location && a.message == b.message);
    (renderings, issues)
}

pub(crate) struct Builder<'w> {
    pub ws: &'w Workspace,
    pub issues: Vec<RenderIssue>,
    pub consumed: BTreeSet<String>,
    pub budget: usize,
    /// Kustomizations being built (cycle guard).
    stack: Vec<String>,
    /// Every kustomization built.
    visited: BTreeSet<String>,
}

impl<'w> Builder<'w> {
    pub fn issue(&mut self, file: &SourceFile, node: Option<Node<'_>>, message: String) {
        self.issues.push(RenderIssue {
            location: match node {
                Some(n) => n.location(&file.path),
                None => Location::file(&file.path),
            },
            message,
            unsupported: false,
        });
    }

    fn unsupported(&mut self, file: &SourceFile, node: Node<'_>, message: String) {
        self.issues.push(RenderIssue {
            location: node.location(&file.path),
            message,
            unsupported: true,
        });
    }

    /// Renders a kustomization (None when it cannot be rendered at all).
    fn build(&mut self, file: &'w SourceFile, root: Node<'w>) -> Option<Vec<Res>> {
        if self.stack.contains(&file.path) {
            let chain = self.stack.join(" → ");
            self.issue(
                file,
                None,
                format!(
                    "kustomizations include each other in a cycle: {chain} → {}",
                    file.path
                ),
            );
            return None;
        }
        self.stack.push(file.path.clone());
        self.visited.insert(file.path.clone());
        let mut acc = Vec::new();
        self.apply(file, root, &mut acc);
        self.stack.pop();
        Some(acc)
    }

    /// Applies a kustomization (or component) to the objects accumulated so far.
    fn apply(&mut self, file: &'w SourceFile, root: Node<'w>, acc: &mut Vec<Res>) {
        let path: Arc<str> = Arc::from(file.path.as_str());
        for (k, _) in root.entries() {
            let Some(key) = k.as_str() else { continue };
            if !SUPPORTED.contains(&key) {
                self.unsupported(
                    file,
                    k,
                    format!(
                        "`{key}` is not rendered by golive: the objects of {} are checked without it",
                        if file.dir().is_empty() { "." } else { file.dir() }
                    ),
                );
            }
        }
        for key in ["resources", "bases"] {
            for entry in root.get(key).into_iter().flat_map(|r| r.items()) {
                self.resource(file, entry, acc);
            }
        }
        for entry in root.get("components").into_iter().flat_map(|r| r.items()) {
            self.component(file, entry, acc);
        }
        transform::generators(self, file, root, &path, acc);
        self.patches(file, root, &path, acc);
        transform::namespace(root, &path, acc);
        transform::prefix_suffix(root, acc);
        transform::labels(root, &path, acc);
        transform::annotations(root, &path, acc);
        transform::replicas(self, file, root, &path, acc);
        transform::images(root, &path, acc);
    }

    fn resource(&mut self, file: &'w SourceFile, entry: Node<'w>, acc: &mut Vec<Res>) {
        let Some(rel) = entry.as_text() else { return };
        if is_remote(rel) {
            self.unsupported(
                file,
                entry,
                format!("remote resource `{rel}` is not fetched: its objects are not checked"),
            );
            return;
        }
        let Some(joined) = join_relative(file.dir(), rel) else {
            self.issue(
                file,
                Some(entry),
                format!("resource `{rel}` is outside the repository"),
            );
            return;
        };
        if let Some(res_file) = self.ws.file(&joined) {
            self.load_objects(file, entry, res_file, acc);
            return;
        }
        if let Some(k) = kustomization_in(self.ws, &joined) {
            let Some(k_root) = kustomization_root(k) else {
                return;
            };
            if k_root.get_str("kind") == Some("Component") {
                self.issue(
                    file,
                    Some(entry),
                    format!(
                        "`{rel}` is a Component: list it under `components:`, not `{}`",
                        "resources"
                    ),
                );
                return;
            }
            if let Some(mut objects) = self.build(k, k_root) {
                acc.append(&mut objects);
            }
            return;
        }
        let prefix = format!("{joined}/");
        let message = if self.ws.files().iter().any(|f| f.path.starts_with(&prefix)) {
            format!(
                "resource `{rel}` is a folder without a kustomization.yaml (kustomize cannot build it)"
            )
        } else {
            format!("resource `{rel}` does not exist in the repository")
        };
        self.issue(file, Some(entry), message);
    }

    fn component(&mut self, file: &'w SourceFile, entry: Node<'w>, acc: &mut Vec<Res>) {
        let Some(rel) = entry.as_text() else { return };
        if is_remote(rel) {
            self.unsupported(
                file,
                entry,
                format!(
                    "remote component `{rel}` is not fetched: the objects are checked without it"
                ),
            );
            return;
        }
        let component = join_relative(file.dir(), rel)
            .and_then(|dir| kustomization_in(self.ws, &dir))
            .and_then(|k| Some((k, kustomization_root(k)?)));
        let Some((k, k_root)) = component else {
            self.issue(
                file,
                Some(entry),
                format!("component `{rel}` has no kustomization.yaml"),
            );
            return;
        };
        if self.stack.contains(&k.path) {
            self.issue(
                file,
                Some(entry),
                format!("component `{rel}` includes itself"),
            );
            return;
        }
        self.stack.push(k.path.clone());
        self.apply(k, k_root, acc);
        self.stack.pop();
    }

    /// The Kubernetes objects of a resource file (its documents, `List` items unpacked).
    fn load_objects(
        &mut self,
        from: &SourceFile,
        entry: Node<'_>,
        file: &'w SourceFile,
        acc: &mut Vec<Res>,
    ) {
        let docs = match file.kind {
            FileKind::Yaml => match file.yaml() {
                Ok(docs) => docs,
                Err(_) => {
                    self.issue(
                        from,
                        Some(entry),
                        format!(
                            "resource `{}` does not parse (see parse/invalid-yaml)",
                            file.path
                        ),
                    );
                    return;
                }
            },
            FileKind::Json => file.json(),
            _ => {
                self.issue(
                    from,
                    Some(entry),
                    format!("resource `{}` is not a YAML or JSON file", file.path),
                );
                return;
            }
        };
        self.consumed.insert(file.path.clone());
        let path: Arc<str> = Arc::from(file.path.as_str());
        for root in docs.iter().filter_map(|d| d.root()) {
            if root.is_null() {
                continue;
            }
            let is_list = root.get_str("kind").is_some_and(|k| k.ends_with("List"))
                && root.get("items").is_some_and(|i| i.is_seq());
            let nodes: Vec<Node<'_>> = if is_list {
                root.get("items")
                    .into_iter()
                    .flat_map(|i| i.items())
                    .collect()
            } else {
                vec![root]
            };
            for node in nodes {
                if node.get_str("apiVersion").is_none() || node.get_str("kind").is_none() {
                    self.issue(
                        file,
                        Some(node),
                        format!("`{}` holds a document that is not a Kubernetes object (no apiVersion/kind)", file.path),
                    );
                    continue;
                }
                match Tree::copy(node, &path, &mut self.budget) {
                    Ok(tree) => acc.push(Res {
                        tree,
                        earlier_names: Vec::new(),
                    }),
                    Err(_) => {
                        self.issue(
                            file,
                            Some(node),
                            format!("rendering stopped: more than {MAX_RENDERED_NODES} nodes"),
                        );
                        return;
                    }
                }
            }
        }
    }

    /// `patchesStrategicMerge`, `patches` and `patchesJson6902`, in kustomize's order.
    fn patches(
        &mut self,
        file: &'w SourceFile,
        root: Node<'w>,
        path: &Arc<str>,
        acc: &mut Vec<Res>,
    ) {
        for entry in root
            .get("patchesStrategicMerge")
            .into_iter()
            .flat_map(|p| p.items())
        {
            let Some(text) = entry.as_text() else {
                continue;
            };
            let patches = if text.contains('\n') {
                self.inline_patch(file, entry, path)
            } else {
                self.patch_file(file, entry, text)
            };
            for p in patches {
                self.apply_smp_by_name(file, entry, &p, acc);
            }
        }
        for entry in root.get("patches").into_iter().flat_map(|p| p.items()) {
            let patches = if let Some(rel) = entry.get_str("path") {
                let node = entry.get("path").unwrap_or(entry);
                self.patch_file(file, node, rel)
            } else if let Some(inline) = entry.get("patch") {
                self.inline_patch(file, inline, path)
            } else {
                self.issue(
                    file,
                    Some(entry),
                    "a patch has neither `path` nor `patch`".into(),
                );
                continue;
            };
            let target = entry.get("target");
            for p in patches {
                if p.is_seq() {
                    let Some(target) = target else {
                        self.issue(
                            file,
                            Some(entry),
                            "a JSON 6902 patch needs a `target`".into(),
                        );
                        continue;
                    };
                    self.apply_json_to_targets(file, entry, target, &p, acc);
                } else if let Some(target) = target {
                    let matched = self.targets(file, target, acc);
                    if matched.is_empty() {
                        self.no_target(file, entry, &describe_target(target));
                    }
                    for i in matched {
                        let builtin = acc[i].is_builtin();
                        let notes = patch::strategic_merge(&mut acc[i].tree, &p, builtin);
                        self.patch_notes(file, entry, notes);
                    }
                } else {
                    self.apply_smp_by_name(file, entry, &p, acc);
                }
            }
        }
        for entry in root
            .get("patchesJson6902")
            .into_iter()
            .flat_map(|p| p.items())
        {
            let patches = if let Some(rel) = entry.get_str("path") {
                let node = entry.get("path").unwrap_or(entry);
                self.patch_file(file, node, rel)
            } else if let Some(inline) = entry.get("patch") {
                self.inline_patch(file, inline, path)
            } else {
                self.issue(
                    file,
                    Some(entry),
                    "a patch has neither `path` nor `patch`".into(),
                );
                continue;
            };
            let Some(target) = entry.get("target") else {
                self.issue(
                    file,
                    Some(entry),
                    "a JSON 6902 patch needs a `target`".into(),
                );
                continue;
            };
            for p in patches {
                self.apply_json_to_targets(file, entry, target, &p, acc);
            }
        }
    }

    fn patch_notes(&mut self, file: &SourceFile, entry: Node<'_>, notes: Vec<String>) {
        for note in notes {
            self.unsupported(file, entry, note);
        }
    }

    fn no_target(&mut self, file: &SourceFile, entry: Node<'_>, what: &str) {
        self.issue(
            file,
            Some(entry),
            format!("patch targets {what}, which no resource of this kustomization matches (kustomize fails here)"),
        );
    }

    fn apply_json_to_targets(
        &mut self,
        file: &SourceFile,
        entry: Node<'_>,
        target: Node<'_>,
        ops: &Tree,
        acc: &mut [Res],
    ) {
        let matched = self.targets(file, target, acc);
        if matched.is_empty() {
            self.no_target(file, entry, &describe_target(target));
        }
        for i in matched {
            if let Err(e) = patch::json6902(&mut acc[i].tree, ops) {
                self.issue(
                    file,
                    Some(entry),
                    format!(
                        "JSON 6902 patch on {}/{}: {}",
                        acc[i].kind(),
                        acc[i].name(),
                        e.0
                    ),
                );
            }
        }
    }

    /// A strategic-merge patch without `target`: it names its object by kind and name.
    fn apply_smp_by_name(
        &mut self,
        file: &SourceFile,
        entry: Node<'_>,
        p: &Tree,
        acc: &mut Vec<Res>,
    ) {
        let kind = p.get_str("kind").unwrap_or_default().to_string();
        let name = p
            .path(&["metadata", "name"])
            .and_then(Tree::as_text)
            .unwrap_or_default()
            .to_string();
        let namespace = p.path(&["metadata", "namespace"]).and_then(Tree::as_text);
        let matched: Vec<usize> = acc
            .iter()
            .enumerate()
            .filter(|(_, r)| r.kind() == kind && r.answers_to(&name))
            .filter(|(_, r)| namespace.is_none() || r.namespace() == namespace)
            .map(|(i, _)| i)
            .collect();
        if matched.is_empty() {
            self.no_target(file, entry, &format!("{kind}/{name}"));
            return;
        }
        if p.get_str("$patch") == Some("delete") {
            let mut i = 0;
            acc.retain(|_| {
                i += 1;
                !matched.contains(&(i - 1))
            });
            return;
        }
        for i in matched {
            let builtin = acc[i].is_builtin();
            let notes = patch::strategic_merge(&mut acc[i].tree, p, builtin);
            self.patch_notes(file, entry, notes);
        }
    }

    /// The objects a `target:` selects (kind, group, version, name as a regular expression,
    /// namespace, labelSelector and annotationSelector of `key=value` terms).
    fn targets(&mut self, file: &SourceFile, target: Node<'_>, acc: &[Res]) -> Vec<usize> {
        let name_re = match target.get_str("name") {
            Some(n) => match regex::Regex::new(&format!("^(?:{n})$")) {
                Ok(re) => Some(re),
                Err(_) => {
                    self.issue(
                        file,
                        target.get("name"),
                        format!("target name `{n}` is not a valid regular expression"),
                    );
                    return Vec::new();
                }
            },
            None => None,
        };
        let mut selectors = Vec::new();
        for (key, field) in [
            ("labelSelector", "labels"),
            ("annotationSelector", "annotations"),
        ] {
            if let Some(sel) = target.get_str(key) {
                match parse_selector(sel) {
                    Some(terms) => selectors.push((field, terms)),
                    None => {
                        self.unsupported(file, target, format!("`{key}: {sel}` uses set-based terms golive does not evaluate: the patch is not applied"));
                        return Vec::new();
                    }
                }
            }
        }
        acc.iter()
            .enumerate()
            .filter(|(_, r)| target.get_str("kind").is_none_or(|k| r.kind() == k))
            .filter(|(_, r)| target.get_str("group").is_none_or(|g| r.group() == g))
            .filter(|(_, r)| {
                target.get_str("version").is_none_or(|v| {
                    r.tree
                        .get_str("apiVersion")
                        .is_some_and(|a| a.rsplit('/').next() == Some(v))
                })
            })
            .filter(|(_, r)| {
                name_re.as_ref().is_none_or(|re| {
                    re.is_match(r.name()) || r.earlier_names.iter().any(|n| re.is_match(n))
                })
            })
            .filter(|(_, r)| {
                target
                    .get_str("namespace")
                    .is_none_or(|ns| r.namespace() == Some(ns))
            })
            .filter(|(_, r)| {
                selectors.iter().all(|(field, terms)| {
                    terms.iter().all(|(k, v, equal)| {
                        let actual = r.tree.path(&["metadata", field, k]).and_then(Tree::as_text);
                        match v {
                            Some(v) => (actual == Some(v.as_str())) == *equal,
                            None => actual.is_some() == *equal,
                        }
                    })
                })
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The documents of a patch file, as trees.
    fn patch_file(&mut self, from: &SourceFile, node: Node<'_>, rel: &str) -> Vec<Tree> {
        let Some(joined) = join_relative(from.dir(), rel) else {
            self.issue(
                from,
                Some(node),
                format!("patch `{rel}` is outside the repository"),
            );
            return Vec::new();
        };
        let Some(file) = self.ws.file(&joined) else {
            self.issue(
                from,
                Some(node),
                format!("patch `{rel}` does not exist in the repository"),
            );
            return Vec::new();
        };
        self.consumed.insert(file.path.clone());
        let docs: &[YamlDoc] = match file.kind {
            FileKind::Yaml => file.yaml_docs(),
            FileKind::Json => file.json(),
            _ => &[],
        };
        let path: Arc<str> = Arc::from(file.path.as_str());
        let mut out = Vec::new();
        for root in docs
            .iter()
            .filter_map(|d| d.root())
            .filter(|r| !r.is_null())
        {
            match Tree::copy(root, &path, &mut self.budget) {
                Ok(t) => out.push(t),
                Err(_) => self.issue(
                    from,
                    Some(node),
                    format!("rendering stopped: more than {MAX_RENDERED_NODES} nodes"),
                ),
            }
        }
        out
    }

    /// An inline patch (YAML text in the kustomization), its lines mapped into the
    /// kustomization file.
    fn inline_patch(&mut self, file: &SourceFile, node: Node<'_>, path: &Arc<str>) -> Vec<Tree> {
        let Some(text) = node.as_str() else {
            return Vec::new();
        };
        let docs = match yaml::parse(text) {
            Ok(docs) => docs,
            Err(e) => {
                self.issue(
                    file,
                    Some(node),
                    format!(
                        "inline patch does not parse: {} (line {} of the patch)",
                        e.message, e.line
                    ),
                );
                return Vec::new();
            }
        };
        // The scalar's span starts at its `|` indicator or at its first line of text.
        let first = text.lines().next().unwrap_or_default().trim();
        let starts_at_text = file
            .line_text(node.line())
            .is_some_and(|l| !first.is_empty() && l.contains(first));
        let offset = if starts_at_text {
            node.line().saturating_sub(1)
        } else {
            node.line()
        };
        let mut out = Vec::new();
        for root in docs
            .iter()
            .filter_map(|d| d.root())
            .filter(|r| !r.is_null())
        {
            match Tree::copy(root, path, &mut self.budget) {
                Ok(mut t) => {
                    shift_lines(&mut t, offset);
                    out.push(t);
                }
                Err(_) => self.issue(
                    file,
                    Some(node),
                    format!("rendering stopped: more than {MAX_RENDERED_NODES} nodes"),
                ),
            }
        }
        out
    }
}

fn shift_lines(t: &mut Tree, by: u32) {
    t.origin.start.line += by;
    t.origin.end.line += by;
    match &mut t.value {
        super::tree::Value::Seq(items) => items.iter_mut().for_each(|i| shift_lines(i, by)),
        super::tree::Value::Map(entries) => {
            for (k, v) in entries {
                shift_lines(k, by);
                shift_lines(v, by);
            }
        }
        super::tree::Value::Scalar { .. } => {}
    }
}

fn describe_target(target: Node<'_>) -> String {
    let kind = target.get_str("kind").unwrap_or("*");
    let name = target.get_str("name").unwrap_or("*");
    let mut s = format!("{kind}/{name}");
    if let Some(sel) = target.get_str("labelSelector") {
        s.push_str(&format!(" with labels `{sel}`"));
    }
    s
}

/// `a=b,c!=d,e` → [(a, Some(b), true), (c, Some(d), false), (e, None, true)]; None for
/// set-based terms (`in (...)`, `notin`, `!key`).
fn parse_selector(sel: &str) -> Option<Vec<(String, Option<String>, bool)>> {
    let mut out = Vec::new();
    for term in sel.split(',').map(str::trim).filter(|t| !t.is_empty()) {
        if term.contains('(') || term.starts_with('!') || term.contains(' ') {
            return None;
        }
        if let Some((k, v)) = term.split_once("!=") {
            out.push((k.to_string(), Some(v.to_string()), false));
        } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
            out.push((k.to_string(), Some(v.to_string()), true));
        } else {
            out.push((term.to_string(), None, true));
        }
    }
    Some(out)
}

/// Where the origin of an entry of the kustomization is: its line.
pub(crate) fn origin_at(node: Node<'_>, path: &Arc<str>) -> Origin {
    Origin::of(node, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(files: &[(&str, &str)]) -> Workspace {
        Workspace::from_texts(files)
    }

    const DEPLOY: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {app: api}\n  template:\n    metadata:\n      labels: {app: api}\n    spec:\n      serviceAccountName: api\n      containers:\n        - name: api\n          image: ghcr.io/acme/api\n";
    const HPA: &str = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: api}\nspec:\n  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}\n";

    #[test]
    fn renders_an_overlay_with_its_transformers() {
        let w = ws(&[
            ("base/deployment.yaml", DEPLOY),
            ("base/hpa.yaml", HPA),
            (
                "base/kustomization.yaml",
                "resources: [deployment.yaml, hpa.yaml]\n",
            ),
            (
                "components/tracing/kustomization.yaml",
                "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - target: {kind: Deployment}\n    patch: |-\n      - op: add\n        path: /spec/template/spec/containers/0/env\n        value: [{name: OTEL, value: 'on'}]\n",
            ),
            (
                "overlays/prod/kustomization.yaml",
                "namespace: shop\nnamePrefix: prod-\ncommonLabels:\n  env: production\nresources: [../../base]\ncomponents: [../../components/tracing]\nreplicas:\n  - name: api\n    count: 3\nimages:\n  - name: ghcr.io/acme/api\n    newTag: 2.7.0\nconfigMapGenerator:\n  - name: cfg\n    literals: [LOG_LEVEL=info]\n",
            ),
        ]);
        let renders = w.renders();
        assert!(renders.issues.is_empty(), "{:?}", renders.issues);
        assert_eq!(renders.kustomize.len(), 1);
        let r = &renders.kustomize[0];
        assert_eq!(r.label, "overlays/prod");
        assert!(r.consumed.contains("base/deployment.yaml"));
        let objs: Vec<_> = w.kube_objects().collect();
        let names: Vec<String> = objs.iter().map(|o| o.display_name()).collect();
        assert_eq!(
            names,
            vec![
                "Deployment/prod-api",
                "HorizontalPodAutoscaler/prod-api",
                "ConfigMap/prod-cfg"
            ]
        );
        let d = objs[0];
        assert_eq!(d.namespace(), Some("shop"));
        assert_eq!(d.rendering(), Some("overlays/prod"));
        let (count, node) = d.replicas().unwrap();
        assert_eq!(count, 3);
        let at = node.location("x");
        assert_eq!(
            (at.path.as_str(), at.line),
            ("overlays/prod/kustomization.yaml", 9)
        );
        let t = d.pod_template().unwrap();
        assert!(t.labels().contains(&("env", "production")));
        let selector = d
            .node
            .path(&["spec", "selector", "matchLabels", "env"])
            .unwrap();
        assert_eq!(selector.as_str(), Some("production"));
        let c = t.containers()[0];
        let image = c.image().unwrap();
        assert_eq!(image.as_str(), Some("ghcr.io/acme/api:2.7.0"));
        assert_eq!(image.location("x").line, 12);
        let env = c.node.get("env").unwrap().items().next().unwrap();
        assert_eq!(env.get_str("name"), Some("OTEL"));
        assert_eq!(
            env.location("x").path,
            "components/tracing/kustomization.yaml"
        );
        // Unchanged values point at the base.
        let port = c.node.get("name").unwrap().location("x");
        assert_eq!(
            (port.path.as_str(), port.line),
            ("base/deployment.yaml", 15)
        );
        // References to renamed objects follow.
        let target = objs[1]
            .node
            .path(&["spec", "scaleTargetRef", "name"])
            .unwrap();
        assert_eq!(target.as_str(), Some("prod-api"));
        // ServiceAccount `api` is not in the kustomization: its reference is left alone.
        assert_eq!(t.spec.get_str("serviceAccountName"), Some("api"));
    }

    #[test]
    fn strategic_merge_patches_and_deletes() {
        let w = ws(&[
            ("base/deployment.yaml", DEPLOY),
            ("base/hpa.yaml", HPA),
            (
                "base/kustomization.yaml",
                "resources: [deployment.yaml, hpa.yaml]\n",
            ),
            (
                "overlays/dev/kustomization.yaml",
                "resources: [../../base]\npatchesStrategicMerge:\n  - no-hpa.yaml\n  - |-\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: api}\n    spec: {replicas: 0}\n",
            ),
            (
                "overlays/dev/no-hpa.yaml",
                "$patch: delete\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: api}\n",
            ),
        ]);
        assert!(w.renders().issues.is_empty(), "{:?}", w.renders().issues);
        let objs: Vec<_> = w.kube_objects().collect();
        assert_eq!(objs.len(), 1);
        let (count, node) = objs[0].replicas().unwrap();
        assert_eq!(count, 0);
        // The inline patch's lines are the kustomization's.
        assert_eq!(
            (node.location("x").path.as_str(), node.line()),
            ("overlays/dev/kustomization.yaml", 8)
        );
    }

    #[test]
    fn problems_are_reported_not_ignored() {
        let w = ws(&[
            (
                "a/kustomization.yaml",
                "resources: [../b, missing.yaml]\nvars: []\n",
            ),
            ("b/kustomization.yaml", "resources: [../a]\n"),
            ("c/kustomization.yaml", "resources: [../d]\n"),
            ("d/x.yaml", DEPLOY),
            (
                "flux/kustomization.yaml",
                "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata: {name: apps}\nspec: {path: ./apps}\n",
            ),
        ]);
        let messages: Vec<String> = w
            .renders()
            .issues
            .iter()
            .map(|i| format!("{}:{} {}", i.location.path, i.location.line, i.message))
            .collect();
        assert_eq!(
            messages,
            vec![
                "a/kustomization.yaml:1 kustomizations include each other in a cycle: a/kustomization.yaml → b/kustomization.yaml → a/kustomization.yaml",
                "a/kustomization.yaml:1 resource `missing.yaml` does not exist in the repository",
                "a/kustomization.yaml:2 `vars` is not rendered by golive: the objects of a are checked without it",
                "c/kustomization.yaml:1 resource `../d` is a folder without a kustomization.yaml (kustomize cannot build it)",
            ],
        );
        // a and b include each other: rendered anyway so that the cycle is reported; the Flux
        // object is an object, not a kustomization.
        let kinds: Vec<_> = w.kube_objects().map(|o| o.kind).collect();
        assert_eq!(kinds, vec!["Deployment", "Kustomization"]);
    }

    /// Malformed and hostile kustomizations render to issues, never a panic: every mix of
    /// broken entries below is rendered, and each run must end.
    #[test]
    fn hostile_kustomizations_never_panic() {
        let bomb = {
            let mut t = String::from("a0: &a0 [x, x]\n");
            for i in 1..30 {
                t.push_str(&format!("a{i}: &a{i} [*a{}, *a{}]\n", i - 1, i - 1));
            }
            format!(
                "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: bomb}}\ndata:\n  {}",
                t.replace('\n', "\n  ")
            )
        };
        let entries = [
            "resources: 3\n",
            "resources: [{a: b}, null, '', /, ../../../../x]\n",
            "patches: [{path: 7}, {patch: '- op: add'}, {patch: '[', target: {kind: '('}}]\n",
            "patches:\n- target: {kind: Deployment}\n  patch: |-\n    - {op: add, path: /spec/x/-/y, value: 1}\n    - {op: move, from: /spec, path: /spec/a}\n    - {op: remove, path: /}\n",
            "patchesStrategicMerge: ['kind: Deployment', '$patch: replace']\n",
            "patchesJson6902: [{target: {kind: Deployment, name: web}, patch: '- {op: test, path: /metadata/name, value: [1]}'}]\n",
            "images: [{name: web, newTag: {a: b}}, {newName: x}]\nreplicas: [{name: web, count: many}, {count: 2}]\n",
            "namePrefix: {a: b}\ncommonLabels: [a, b]\nlabels: [{pairs: 3}, {includeSelectors: true}]\nnamespace: [x]\n",
            "configMapGenerator: [{name: c, literals: [novalue, =, a=b=c], envs: [missing.env], files: [k=]}, {literals: [a=b]}]\n",
            "components: [., ../x, {a: b}]\nbases: [.]\n",
            "resources: [bomb.yaml, web.yaml]\npatches: [{path: bomb.yaml}]\n",
        ];
        for (i, entry) in entries.iter().enumerate() {
            let w = ws(&[
                ("k/kustomization.yaml", entry),
                ("k/web.yaml", DEPLOY),
                ("k/bomb.yaml", &bomb),
            ]);
            let renders = w.renders();
            let _ = w.kube_objects().count();
            assert!(
                renders.kustomize.len() <= 1,
                "entry {i}: {:?}",
                renders.issues
            );
        }
    }
}
