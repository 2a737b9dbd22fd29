//! An owned YAML tree whose every node remembers its source file and span: what kustomize
//! patches and transformers edit, frozen back into a [`YamlDoc`] once an overlay is rendered.

use crate::parse::yaml::{DocBuilder, Node, Pos, YamlDoc};
use std::sync::Arc;

/// Most nodes one rendering may copy (a guard against alias bombs multiplied by overlays).
pub(crate) const MAX_RENDERED_NODES: usize = 2_000_000;

/// Where a node comes from: a file and a span in it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Origin {
    pub path: Arc<str>,
    pub start: Pos,
    pub end: Pos,
}

impl Origin {
    pub fn line(path: &Arc<str>, line: u32) -> Origin {
        Origin {
            path: path.clone(),
            start: Pos { line, column: 1 },
            end: Pos { line, column: 1 },
        }
    }

    pub fn of(node: Node<'_>, path: &Arc<str>) -> Origin {
        Origin {
            path: node.origin().map(Arc::from).unwrap_or_else(|| path.clone()),
            start: node.start(),
            end: node.end(),
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) enum Value {
    Scalar { text: String, plain: bool },
    Seq(Vec<Tree>),
    Map(Vec<(Tree, Tree)>),
}

#[derive(Clone, Debug)]
pub(crate) struct Tree {
    pub value: Value,
    pub origin: Origin,
}

/// The copy would exceed [`MAX_RENDERED_NODES`].
#[derive(Debug)]
pub(crate) struct TooLarge;

impl Tree {
    pub fn scalar(text: impl Into<String>, plain: bool, origin: Origin) -> Tree {
        Tree {
            value: Value::Scalar {
                text: text.into(),
                plain,
            },
            origin,
        }
    }

    pub fn map(entries: Vec<(Tree, Tree)>, origin: Origin) -> Tree {
        Tree {
            value: Value::Map(entries),
            origin,
        }
    }

    /// A deep copy of a parsed node (aliases followed, `<<` merge keys expanded), counting the
    /// nodes copied against `budget`.
    pub fn copy(node: Node<'_>, path: &Arc<str>, budget: &mut usize) -> Result<Tree, TooLarge> {
        if *budget == 0 {
            return Err(TooLarge);
        }
        *budget -= 1;
        let origin = Origin::of(node, path);
        let value = if node.is_map() {
            let mut entries: Vec<(Tree, Tree)> = Vec::new();
            let mut merged: Vec<Node<'_>> = Vec::new();
            for (k, v) in node.entries() {
                if k.is_plain() && k.as_str() == Some("<<") {
                    if v.is_map() {
                        merged.push(v);
                    } else {
                        merged.extend(v.items().filter(|m| m.is_map()));
                    }
                    continue;
                }
                entries.push((Tree::copy(k, path, budget)?, Tree::copy(v, path, budget)?));
            }
            // Merged keys fill in what the mapping does not set itself (earlier merges win).
            for m in merged {
                let copied = Tree::copy(m, path, budget)?;
                if let Value::Map(more) = copied.value {
                    for (k, v) in more {
                        let key = k.as_str().unwrap_or_default().to_string();
                        if !entries.iter().any(|(ek, _)| ek.as_str() == Some(&key)) {
                            entries.push((k, v));
                        }
                    }
                }
            }
            Value::Map(entries)
        } else if node.is_seq() {
            let mut items = Vec::new();
            for item in node.items() {
                items.push(Tree::copy(item, path, budget)?);
            }
            Value::Seq(items)
        } else {
            Value::Scalar {
                text: node.as_str().unwrap_or_default().to_string(),
                plain: node.is_plain(),
            }
        };
        Ok(Tree { value, origin })
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// A scalar's text unless it is null.
    pub fn as_text(&self) -> Option<&str> {
        if self.is_null() { None } else { self.as_str() }
    }

    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true } if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.value, Value::Seq(_))
    }

    pub fn get(&self, key: &str) -> Option<&Tree> {
        match &self.value {
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Tree> {
        match &mut self.value {
            Value::Map(entries) => entries
                .iter_mut()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn path(&self, keys: &[&str]) -> Option<&Tree> {
        keys.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn path_mut(&mut self, keys: &[&str]) -> Option<&mut Tree> {
        let mut node = self;
        for key in keys {
            node = node.get_mut(key)?;
        }
        Some(node)
    }

    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(|v| v.as_text())
    }

    pub fn items(&self) -> &[Tree] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    pub fn items_mut(&mut self) -> &mut [Tree] {
        match &mut self.value {
            Value::Seq(items) => items,
            _ => &mut [],
        }
    }

    pub fn entries(&self) -> &[(Tree, Tree)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// Sets `key` to `value` (replacing the value, keeping the key node), or adds the entry with
    /// a key node at `value`'s origin. A non-mapping becomes an empty mapping first.
    pub fn set(&mut self, key: &str, value: Tree) {
        if !self.is_map() {
            self.value = Value::Map(Vec::new());
        }
        if let Value::Map(entries) = &mut self.value {
            if let Some((_, v)) = entries.iter_mut().find(|(k, _)| k.as_str() == Some(key)) {
                *v = value;
            } else {
                let k = Tree::scalar(key, true, value.origin.clone());
                entries.push((k, value));
            }
        }
    }

    /// The mapping under `key`, created (at `origin`) when missing or not a mapping.
    pub fn child_map(&mut self, key: &str, origin: &Origin) -> &mut Tree {
        let missing = !self.get(key).is_some_and(Tree::is_map);
        if missing {
            self.set(key, Tree::map(Vec::new(), origin.clone()));
        }
        let Value::Map(entries) = &mut self.value else {
            unreachable!("`set` makes a mapping")
        };
        let i = entries
            .iter()
            .position(|(k, _)| k.as_str() == Some(key))
            .unwrap_or(entries.len() - 1);
        &mut entries[i].1
    }

    pub fn remove(&mut self, key: &str) -> Option<Tree> {
        if let Value::Map(entries) = &mut self.value {
            let i = entries.iter().position(|(k, _)| k.as_str() == Some(key))?;
            return Some(entries.remove(i).1);
        }
        None
    }

    /// Writes the tree into a document builder; returns the root id.
    pub fn freeze(&self, b: &mut DocBuilder) -> u32 {
        let origin = b.origin(&self.origin.path);
        let span = (self.origin.start, self.origin.end);
        match &self.value {
            Value::Scalar { text, plain } => b.scalar(text, *plain, span, origin),
            Value::Seq(items) => {
                let ids = items.iter().map(|i| i.freeze(b)).collect();
                b.seq(ids, span, origin)
            }
            Value::Map(entries) => {
                let ids = entries
                    .iter()
                    .map(|(k, v)| (k.freeze(b), v.freeze(b)))
                    .collect();
                b.map(ids, span, origin)
            }
        }
    }

    /// The tree as a document of its own.
    pub fn to_doc(&self) -> YamlDoc {
        let mut b = DocBuilder::default();
        let root = self.freeze(&mut b);
        b.finish(root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::yaml::parse;

    #[test]
    fn copies_keep_origins_and_expand_merges() {
        let docs = parse("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n").unwrap();
        let path: Arc<str> = Arc::from("f.yaml");
        let mut budget = 100;
        let t = Tree::copy(docs[0].root().unwrap(), &path, &mut budget).unwrap();
        let used = t.get("use").unwrap();
        assert_eq!(used.get_str("y"), Some("3"));
        assert_eq!(used.get_str("x"), Some("1"));
        assert_eq!(used.get("y").unwrap().origin.start.line, 4);
        let doc = t.to_doc();
        let loc = doc
            .root()
            .unwrap()
            .path(&["use", "y"])
            .unwrap()
            .location("x");
        assert_eq!((loc.path.as_str(), loc.line), ("f.yaml", 4));
    }

    #[test]
    fn copies_stop_at_the_budget() {
        let docs = parse("a: [1, 2, 3, 4]\n").unwrap();
        let path: Arc<str> = Arc::from("f.yaml");
        let mut budget = 3;
        assert!(Tree::copy(docs[0].root().unwrap(), &path, &mut budget).is_err());
    }

    #[test]
    fn set_and_remove_keep_the_rest() {
        let docs = parse("a: 1\nb: 2\n").unwrap();
        let path: Arc<str> = Arc::from("f.yaml");
        let mut budget = 100;
        let mut t = Tree::copy(docs[0].root().unwrap(), &path, &mut budget).unwrap();
        t.set(
            "a",
            Tree::scalar("5", true, Origin::line(&Arc::from("p.yaml"), 7)),
        );
        t.remove("b");
        t.child_map("c", &Origin::line(&path, 9))
            .set("d", Tree::scalar("x", false, Origin::line(&path, 9)));
        let doc = t.to_doc();
        let r = doc.root().unwrap();
        assert_eq!(r.get("a").unwrap().as_i64(), Some(5));
        assert_eq!(r.get("a").unwrap().origin(), Some("p.yaml"));
        assert!(r.get("b").is_none());
        assert_eq!(r.path(&["c", "d"]).unwrap().as_str(), Some("x"));
    }
}
