//! Kustomize's two patch kinds on [`Tree`]s: strategic merge (with the merge keys of
//! Kubernetes' own lists) and JSON 6902 (RFC 6902 operations on JSON Pointer paths).

use super::tree::{Tree, Value};

/// The merge key of a built-in list field (Kubernetes' `patchMergeKey`), by field name. Lists of
/// other fields (and every list of a custom resource) are replaced by a patch, as kustomize does
/// without an OpenAPI schema for them.
fn merge_key(field: &str, patch_items: &[Tree]) -> Option<&'static str> {
    Some(match field {
        "containers"
        | "initContainers"
        | "ephemeralContainers"
        | "volumes"
        | "env"
        | "imagePullSecrets"
        | "resourceClaims"
        | "schedulingGates" => "name",
        "volumeMounts" => "mountPath",
        "volumeDevices" => "devicePath",
        "hostAliases" => "ip",
        "topologySpreadConstraints" => "topologyKey",
        // Container ports merge by containerPort, Service ports by port.
        "ports" if patch_items.iter().any(|i| i.get("containerPort").is_some()) => "containerPort",
        "ports" => "port",
        _ => return None,
    })
}

/// Applies a strategic-merge patch to `target`. `builtin`: the object is of a Kubernetes kind
/// (its lists merge by key); else lists are replaced. Returns notes on directives golive does
/// not apply.
pub(crate) fn strategic_merge(target: &mut Tree, patch: &Tree, builtin: bool) -> Vec<String> {
    let mut notes = Vec::new();
    merge_map(target, patch, builtin, &mut notes);
    notes
}

fn merge_map(target: &mut Tree, patch: &Tree, builtin: bool, notes: &mut Vec<String>) {
    if patch.get_str("$patch") == Some("replace") {
        let mut replaced = patch.clone();
        replaced.remove("$patch");
        *target = replaced;
        return;
    }
    if !target.is_map() {
        *target = Tree::map(Vec::new(), patch.origin.clone());
    }
    for (k, v) in patch.entries() {
        let Some(key) = k.as_str() else { continue };
        if let Some(field) = key.strip_prefix("$deleteFromPrimitiveList/") {
            if let Some(list) = target.get_mut(field)
                && let Value::Seq(items) = &mut list.value
            {
                items.retain(|i| !v.items().iter().any(|d| d.as_str() == i.as_str()));
            }
            continue;
        }
        if key.starts_with("$setElementOrder/") || key == "$patch" {
            // Ordering directives change no value a check reads.
            continue;
        }
        if key.starts_with('$') {
            notes.push(format!("the `{key}` patch directive is not applied"));
            continue;
        }
        if v.is_null() {
            target.remove(key);
            continue;
        }
        match (target.get_mut(key), &v.value) {
            (Some(existing), Value::Map(_)) if existing.is_map() => {
                merge_map(existing, v, builtin, notes)
            }
            (Some(existing), Value::Seq(patch_items)) if existing.is_seq() => {
                match merge_key(key, patch_items).filter(|_| builtin) {
                    Some(mk) => merge_list(existing, patch_items, mk, builtin, notes),
                    None => *existing = strip_directives(v),
                }
            }
            _ => target.set(key, strip_directives(v)),
        }
    }
}

/// Merges a keyed list: items with the same key merge, `$patch: delete` items remove theirs,
/// `{$patch: replace}` replaces the whole list with the other items, new items are appended.
fn merge_list(
    target: &mut Tree,
    patch_items: &[Tree],
    key: &str,
    builtin: bool,
    notes: &mut Vec<String>,
) {
    if patch_items
        .iter()
        .any(|i| i.get_str("$patch") == Some("replace") && i.get(key).is_none())
    {
        let kept: Vec<Tree> = patch_items
            .iter()
            .filter(|i| i.get_str("$patch").is_none())
            .map(strip_directives)
            .collect();
        target.value = Value::Seq(kept);
        return;
    }
    let Value::Seq(items) = &mut target.value else {
        return;
    };
    for p in patch_items {
        let Some(id) = p.get(key).and_then(|k| k.as_str()) else {
            items.push(strip_directives(p));
            continue;
        };
        let pos = items
            .iter()
            .position(|i| i.get(key).and_then(|k| k.as_str()) == Some(id));
        match (pos, p.get_str("$patch")) {
            (Some(i), Some("delete")) => {
                items.remove(i);
            }
            (None, Some("delete")) => {}
            (Some(i), _) => merge_map(&mut items[i], p, builtin, notes),
            (None, _) => items.push(strip_directives(p)),
        }
    }
}

/// A patch value as it lands in the object: without `$patch` keys.
fn strip_directives(t: &Tree) -> Tree {
    let mut out = t.clone();
    strip_in_place(&mut out);
    out
}

fn strip_in_place(t: &mut Tree) {
    match &mut t.value {
        Value::Map(entries) => {
            entries.retain(|(k, _)| !k.as_str().is_some_and(|s| s.starts_with('$')));
            for (_, v) in entries {
                strip_in_place(v);
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(strip_in_place),
        Value::Scalar { .. } => {}
    }
}

/// One RFC 6902 operation failed (the message says which and why).
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct OpError(pub String);

/// Applies a JSON 6902 patch (a sequence of operations) to `target`.
pub(crate) fn json6902(target: &mut Tree, ops: &Tree) -> Result<(), OpError> {
    if !ops.is_seq() {
        return Err(OpError("a JSON 6902 patch is a list of operations".into()));
    }
    for op in ops.items() {
        let name = op.get_str("op").unwrap_or_default();
        let path = op
            .get_str("path")
            .ok_or_else(|| OpError(format!("operation `{name}` has no `path`")))?;
        let pointer = parse_pointer(path)?;
        match name {
            "add" => add(target, &pointer, value_of(op, name)?)?,
            "replace" => {
                let slot = lookup_mut(target, &pointer)
                    .ok_or_else(|| OpError(format!("replace: `{path}` does not exist")))?;
                *slot = value_of(op, name)?;
            }
            "remove" => {
                remove(target, &pointer)
                    .ok_or_else(|| OpError(format!("remove: `{path}` does not exist")))?;
            }
            "move" | "copy" => {
                let from = op
                    .get_str("from")
                    .ok_or_else(|| OpError(format!("`{name}` has no `from`")))?;
                let from_ptr = parse_pointer(from)?;
                let value = if name == "move" {
                    remove(target, &from_ptr)
                } else {
                    lookup(target, &from_ptr).cloned()
                }
                .ok_or_else(|| OpError(format!("{name}: `{from}` does not exist")))?;
                add(target, &pointer, value)?;
            }
            "test" => {
                let expected = value_of(op, name)?;
                let actual = lookup(target, &pointer)
                    .ok_or_else(|| OpError(format!("test: `{path}` does not exist")))?;
                if !same_value(actual, &expected) {
                    return Err(OpError(format!(
                        "test: `{path}` does not hold the expected value"
                    )));
                }
            }
            other => return Err(OpError(format!("unknown operation `{other}`"))),
        }
    }
    Ok(())
}

fn value_of(op: &Tree, name: &str) -> Result<Tree, OpError> {
    op.get("value")
        .cloned()
        .ok_or_else(|| OpError(format!("operation `{name}` has no `value`")))
}

fn same_value(a: &Tree, b: &Tree) -> bool {
    match (&a.value, &b.value) {
        (Value::Scalar { text: x, .. }, Value::Scalar { text: y, .. }) => x == y,
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same_value(a, b))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter().all(|(k, v)| {
                    k.as_str()
                        .and_then(|k| b.get(k))
                        .is_some_and(|bv| same_value(v, bv))
                })
        }
        _ => false,
    }
}

/// `/a/b~1c/0` → ["a", "b/c", "0"].
fn parse_pointer(path: &str) -> Result<Vec<String>, OpError> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(OpError(format!(
            "`{path}` is not a JSON Pointer (must start with /)"
        )));
    };
    Ok(rest
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect())
}

fn index_of(items: &[Tree], token: &str) -> Option<usize> {
    token.parse::<usize>().ok().filter(|i| *i < items.len())
}

fn lookup<'t>(t: &'t Tree, pointer: &[String]) -> Option<&'t Tree> {
    pointer.iter().try_fold(t, |node, token| match &node.value {
        Value::Map(_) => node.get(token),
        Value::Seq(items) => index_of(items, token).map(|i| &items[i]),
        Value::Scalar { .. } => None,
    })
}

fn lookup_mut<'t>(t: &'t mut Tree, pointer: &[String]) -> Option<&'t mut Tree> {
    let mut node = t;
    for token in pointer {
        node = match &mut node.value {
            Value::Map(entries) => entries
                .iter_mut()
                .find(|(k, _)| k.as_str() == Some(token.as_str()))
                .map(|(_, v)| v)?,
            Value::Seq(items) => {
                let i = index_of(items, token)?;
                &mut items[i]
            }
            Value::Scalar { .. } => return None,
        };
    }
    Some(node)
}

fn add(target: &mut Tree, pointer: &[String], value: Tree) -> Result<(), OpError> {
    let Some((last, parent_ptr)) = pointer.split_last() else {
        *target = value;
        return Ok(());
    };
    let parent = lookup_mut(target, parent_ptr).ok_or_else(|| {
        OpError(format!(
            "add: the parent of `/{}` does not exist",
            pointer.join("/")
        ))
    })?;
    match &mut parent.value {
        Value::Map(_) => parent.set(last, value),
        Value::Seq(items) => {
            let at = if last == "-" {
                items.len()
            } else {
                last.parse::<usize>()
                    .ok()
                    .filter(|i| *i <= items.len())
                    .ok_or_else(|| OpError(format!("add: index `{last}` is out of range")))?
            };
            items.insert(at, value);
        }
        Value::Scalar { .. } => {
            return Err(OpError(format!(
                "add: `/{}` is inside a scalar",
                pointer.join("/")
            )));
        }
    }
    Ok(())
}

fn remove(target: &mut Tree, pointer: &[String]) -> Option<Tree> {
    let (last, parent_ptr) = pointer.split_last()?;
    let parent = lookup_mut(target, parent_ptr)?;
    match &mut parent.value {
        Value::Map(_) => parent.remove(last),
        Value::Seq(items) => {
            let i = index_of(items, last)?;
            Some(items.remove(i))
        }
        Value::Scalar { .. } => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml::parse;
    use std::sync::Arc;

    fn tree(path: &str, text: &str) -> Tree {
        let docs = parse(text).unwrap();
        let mut budget = 10_000;
        Tree::copy(docs[0].root().unwrap(), &Arc::from(path), &mut budget).unwrap()
    }

    const BASE: &str = "spec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - name: app\n        image: web:1\n        env:\n        - {name: A, value: a}\n        ports:\n        - containerPort: 8080\n      - name: proxy\n        image: envoy:1\n";

    #[test]
    fn strategic_merge_merges_containers_by_name() {
        let mut t = tree("base.yaml", BASE);
        let p = tree(
            "patch.yaml",
            "spec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - name: app\n        env:\n        - {name: B, value: b}\n      - name: proxy\n        $patch: delete\n      - name: new\n        image: n:1\n",
        );
        assert!(strategic_merge(&mut t, &p, true).is_empty());
        let replicas = t.path(&["spec", "replicas"]).unwrap();
        assert_eq!(
            (replicas.as_str(), &*replicas.origin.path),
            (Some("3"), "patch.yaml")
        );
        let containers = t.path(&["spec", "template", "spec", "containers"]).unwrap();
        let names: Vec<_> = containers
            .items()
            .iter()
            .filter_map(|c| c.get_str("name"))
            .collect();
        assert_eq!(names, vec!["app", "new"]);
        let app = &containers.items()[0];
        assert_eq!(app.get_str("image"), Some("web:1"));
        assert_eq!(app.get("env").unwrap().items().len(), 2);
        assert_eq!(app.get("ports").unwrap().items().len(), 1);
    }

    #[test]
    fn custom_resources_replace_lists_and_null_deletes() {
        let mut t = tree("base.yaml", BASE);
        let p = tree(
            "patch.yaml",
            "spec:\n  replicas: null\n  template:\n    spec:\n      containers:\n      - name: only\n",
        );
        strategic_merge(&mut t, &p, false);
        assert!(t.path(&["spec", "replicas"]).is_none());
        let containers = t.path(&["spec", "template", "spec", "containers"]).unwrap();
        assert_eq!(containers.items().len(), 1);
    }

    #[test]
    fn replace_directive_replaces_the_mapping() {
        let mut t = tree("base.yaml", BASE);
        let p = tree("p.yaml", "spec:\n  $patch: replace\n  replicas: 2\n");
        strategic_merge(&mut t, &p, true);
        assert_eq!(t.path(&["spec", "replicas"]).unwrap().as_str(), Some("2"));
        assert!(t.path(&["spec", "template"]).is_none());
    }

    #[test]
    fn json6902_operations() {
        let mut t = tree("base.yaml", BASE);
        let ops = tree(
            "ops.yaml",
            "- {op: replace, path: /spec/replicas, value: 4}\n- {op: add, path: /spec/template/spec/containers/0/env/-, value: {name: C, value: c}}\n- {op: remove, path: /spec/template/spec/containers/1}\n- {op: add, path: /metadata, value: {name: x}}\n- {op: copy, from: /metadata/name, path: /metadata/alias}\n- {op: test, path: /metadata/alias, value: x}\n",
        );
        json6902(&mut t, &ops).unwrap();
        assert_eq!(t.path(&["spec", "replicas"]).unwrap().as_str(), Some("4"));
        let containers = t.path(&["spec", "template", "spec", "containers"]).unwrap();
        assert_eq!(containers.items().len(), 1);
        assert_eq!(containers.items()[0].get("env").unwrap().items().len(), 2);
        assert_eq!(t.path(&["metadata", "alias"]).unwrap().as_str(), Some("x"));
    }

    #[test]
    fn json6902_errors_say_what_failed() {
        let mut t = tree("base.yaml", BASE);
        let ops = tree("ops.yaml", "- {op: replace, path: /spec/nope, value: 1}\n");
        assert_eq!(
            json6902(&mut t, &ops).unwrap_err().0,
            "replace: `/spec/nope` does not exist"
        );
        let ops = tree("ops.yaml", "- {op: frobnicate, path: /spec}\n");
        assert!(json6902(&mut t, &ops).unwrap_err().0.contains("frobnicate"));
        let ops = tree("ops.yaml", "- {op: add, path: spec, value: 1}\n");
        assert!(
            json6902(&mut t, &ops)
                .unwrap_err()
                .0
                .contains("JSON Pointer")
        );
    }
}
