//! A small YAML span tree built from granit-parser's events: every node keeps its position, aliases
//! stay references (never expanded by copying), and limits on size and depth are counts.

use crate::model::Location;
use granit_parser::{Event, Parser, ScalarStyle};
use std::collections::HashMap;

/// Most nodes one file may hold before golive stops reading it (hostile-input guard).
pub const MAX_NODES: usize = 2_000_000;
/// Deepest nesting golive reads.
pub const MAX_DEPTH: usize = 256;

/// A position: 1-based line and 1-based character column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

#[derive(Debug)]
enum Kind {
    Scalar { value: Box<str>, plain: bool },
    Seq(Vec<u32>),
    Map(Vec<(u32, u32)>),
    Alias(u32),
}

#[derive(Debug)]
struct NodeData {
    kind: Kind,
    start: Pos,
    end: Pos,
}

/// One YAML document of a (possibly multi-document) file.
#[derive(Debug)]
pub struct YamlDoc {
    nodes: Vec<NodeData>,
    root: Option<u32>,
    /// Line of the document's first node (or of its `---` marker when empty).
    pub start_line: u32,
    /// For rendered documents (kustomize overlays, Helm output): each node's source file, as an
    /// index into `origin_paths`. Empty for documents parsed from one file.
    origins: Vec<u32>,
    origin_paths: Vec<String>,
}

/// Why a YAML file could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Parses every document of a file. Positions are relative to `text`.
pub fn parse(text: &str) -> Result<Vec<YamlDoc>, YamlError> {
    let mut builder = Builder::default();
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| YamlError {
            line: e.marker().line() as u32,
            column: e.marker().col() as u32 + 1,
            message: e.info(),
        })?;
        let start = Pos {
            line: span.start.line() as u32,
            column: span.start.col() as u32 + 1,
        };
        let end = Pos {
            line: span.end.line() as u32,
            column: span.end.col() as u32 + 1,
        };
        builder.event(event, start, end)?;
    }
    let mut docs = builder.docs;
    tighten_ends(text, &mut docs);
    Ok(docs)
}

/// Parses YAML embedded in another file (a string value holding a whole document) and moves
/// every position with `map`, so that nodes point into the enclosing file: for a literal block
/// scalar, `|pos| Pos { line: pos.line + header_line, column: pos.column + indent }`; for text
/// whose lines cannot be mapped back (base64, quoted strings), a constant position.
pub fn parse_mapped(text: &str, map: impl Fn(Pos) -> Pos) -> Result<Vec<YamlDoc>, YamlError> {
    let mut docs = parse(text).map_err(|e| {
        let at = map(Pos {
            line: e.line,
            column: e.column,
        });
        YamlError {
            line: at.line,
            column: at.column,
            message: e.message,
        }
    })?;
    for doc in &mut docs {
        for node in &mut doc.nodes {
            node.start = map(node.start);
            node.end = map(node.end);
        }
        doc.start_line = map(Pos {
            line: doc.start_line,
            column: 1,
        })
        .line;
    }
    Ok(docs)
}

/// The parser ends a block collection or scalar where the next token starts (often column 1
/// of a later line). Pull such ends back to the end of the node's last line of content, so
/// spans never run into the next key and never end before they start.
fn tighten_ends(text: &str, docs: &mut [YamlDoc]) {
    let lines: Vec<&str> = text.lines().collect();
    let line_text = |n: u32| {
        lines
            .get((n as usize).wrapping_sub(1))
            .copied()
            .unwrap_or("")
    };
    for doc in docs.iter_mut() {
        for node in &mut doc.nodes {
            let (start, mut end) = (node.start, node.end);
            let before_end = |end: Pos| {
                line_text(end.line)
                    .chars()
                    .take(end.column.saturating_sub(1) as usize)
                    .all(char::is_whitespace)
            };
            if end.line > start.line && before_end(end) {
                let is_filler = |n: u32| {
                    let t = line_text(n).trim_start();
                    t.is_empty() || t.starts_with('#')
                };
                let mut line = end.line - 1;
                while line > start.line && is_filler(line) {
                    line -= 1;
                }
                end = Pos {
                    line,
                    column: line_text(line).chars().count() as u32 + 1,
                };
            }
            node.end = end;
        }
    }
}

#[derive(Default)]
struct Builder {
    docs: Vec<YamlDoc>,
    current: Option<YamlDoc>,
    /// Open collections: node id, and for maps a pending key.
    stack: Vec<(u32, Option<u32>)>,
    anchors: HashMap<usize, u32>,
    total_nodes: usize,
}

impl Builder {
    fn event(&mut self, event: Event<'_>, start: Pos, end: Pos) -> Result<(), YamlError> {
        match event {
            Event::StreamStart | Event::StreamEnd => {}
            Event::DocumentStart(..) => {
                self.current = Some(YamlDoc::empty(start.line));
                self.anchors.clear();
            }
            Event::DocumentEnd => {
                if let Some(doc) = self.current.take() {
                    self.docs.push(doc);
                }
            }
            Event::Scalar(value, style, anchor, _tag) => {
                let id = self.push(
                    Kind::Scalar {
                        value: value.into_owned().into_boxed_str(),
                        plain: style == ScalarStyle::Plain,
                    },
                    start,
                    end,
                )?;
                self.anchor(anchor, id);
                self.attach(id);
            }
            Event::Alias(anchor) => {
                // An alias the parser accepted always names an earlier anchor of the document.
                let target = self.anchors.get(&anchor).copied();
                let kind = match target {
                    Some(t) => Kind::Alias(t),
                    None => Kind::Scalar {
                        value: "".into(),
                        plain: true,
                    },
                };
                let id = self.push(kind, start, end)?;
                self.attach(id);
            }
            Event::SequenceStart(_, anchor, _) => {
                let id = self.push(Kind::Seq(Vec::new()), start, end)?;
                self.anchor(anchor, id);
                self.open(id)?;
            }
            Event::MappingStart(_, anchor, _) => {
                let id = self.push(Kind::Map(Vec::new()), start, end)?;
                self.anchor(anchor, id);
                self.open(id)?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((id, _)) = self.stack.pop() {
                    if let Some(doc) = self.current.as_mut() {
                        doc.nodes[id as usize].end = end;
                    }
                    self.attach(id);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn push(&mut self, kind: Kind, start: Pos, end: Pos) -> Result<u32, YamlError> {
        self.total_nodes += 1;
        if self.total_nodes > MAX_NODES {
            return Err(YamlError {
                line: start.line,
                column: start.column,
                message: format!(
                    "file has more than {MAX_NODES} YAML nodes; golive stops reading it here"
                ),
            });
        }
        let doc = self
            .current
            .get_or_insert_with(|| YamlDoc::empty(start.line));
        doc.nodes.push(NodeData { kind, start, end });
        Ok((doc.nodes.len() - 1) as u32)
    }

    fn anchor(&mut self, anchor: usize, id: u32) {
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
    }

    fn open(&mut self, id: u32) -> Result<(), YamlError> {
        if self.stack.len() >= MAX_DEPTH {
            let pos = self
                .current
                .as_ref()
                .map(|d| d.nodes[id as usize].start)
                .unwrap_or_default();
            return Err(YamlError {
                line: pos.line,
                column: pos.column,
                message: format!(
                    "YAML nested deeper than {MAX_DEPTH} levels; golive stops reading it here"
                ),
            });
        }
        self.stack.push((id, None));
        Ok(())
    }

    /// Attaches a finished node to its parent (or makes it the document root).
    fn attach(&mut self, id: u32) {
        let Some(doc) = self.current.as_mut() else {
            return;
        };
        // A collection is attached when it closes, not when it opens.
        if let Some(&(top, _)) = self.stack.last()
            && top == id
        {
            return;
        }
        match self.stack.last_mut() {
            None => doc.root = Some(id),
            Some((parent, pending_key)) => match &mut doc.nodes[*parent as usize].kind {
                Kind::Seq(items) => items.push(id),
                Kind::Map(entries) => match pending_key.take() {
                    None => *pending_key = Some(id),
                    Some(key) => entries.push((key, id)),
                },
                _ => {}
            },
        }
    }
}

impl YamlDoc {
    fn empty(start_line: u32) -> YamlDoc {
        YamlDoc {
            nodes: Vec::new(),
            root: None,
            start_line,
            origins: Vec::new(),
            origin_paths: Vec::new(),
        }
    }

    /// The document's root node; None for an empty document.
    pub fn root(&self) -> Option<Node<'_>> {
        self.root.map(|id| Node { doc: self, id }.resolve())
    }

    /// Every node of the document exactly once, in source order, aliases not followed: the way
    /// to visit a whole document without exponential blow-up on hostile alias chains.
    pub fn nodes(&self) -> impl Iterator<Item = Node<'_>> {
        (0..self.nodes.len() as u32)
            .map(move |id| Node { doc: self, id })
            .filter(|n| !matches!(n.data().kind, Kind::Alias(_)))
    }
}

/// A node of a [`YamlDoc`]; aliases are followed transparently.
#[derive(Clone, Copy)]
pub struct Node<'a> {
    doc: &'a YamlDoc,
    id: u32,
}

impl std::fmt::Debug for Node<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Node@{}:{}", self.start().line, self.start().column)
    }
}

impl<'a> Node<'a> {
    fn data(&self) -> &'a NodeData {
        &self.doc.nodes[self.id as usize]
    }

    fn resolve(self) -> Node<'a> {
        let mut node = self;
        // Aliases point backwards, so this terminates; the bound guards against surprises.
        for _ in 0..64 {
            match node.data().kind {
                Kind::Alias(target) => {
                    node = Node {
                        doc: node.doc,
                        id: target,
                    }
                }
                _ => return node,
            }
        }
        node
    }

    pub fn start(&self) -> Pos {
        self.data().start
    }

    pub fn end(&self) -> Pos {
        self.data().end
    }

    pub fn line(&self) -> u32 {
        self.data().start.line
    }

    /// The file a rendered node comes from (a kustomize base or patch, a Helm template); None
    /// for nodes of a document parsed from one file.
    pub fn origin(&self) -> Option<&'a str> {
        let doc = self.doc;
        let index = *doc.origins.get(self.id as usize)?;
        doc.origin_paths.get(index as usize).map(String::as_str)
    }

    /// The node's span as a location: in the file it comes from when it was rendered (see
    /// [`Node::origin`]), else in `path` (the file its document was parsed from).
    pub fn location(&self, path: &str) -> Location {
        let (start, end) = (self.start(), self.end());
        Location {
            path: self.origin().unwrap_or(path).to_string(),
            line: start.line,
            column: start.column,
            end_line: end.line.max(start.line),
            end_column: if end.line > start.line {
                end.column
            } else {
                end.column.max(start.column)
            },
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.data().kind, Kind::Map(_))
    }

    pub fn is_seq(&self) -> bool {
        matches!(self.data().kind, Kind::Seq(_))
    }

    pub fn is_scalar(&self) -> bool {
        matches!(self.data().kind, Kind::Scalar { .. })
    }

    /// A scalar's text (any style). None for collections.
    pub fn as_str(&self) -> Option<&'a str> {
        match &self.data().kind {
            Kind::Scalar { value, .. } => Some(value),
            _ => None,
        }
    }

    /// Whether the scalar was written without quotes (so `true`, `3`, `null` are typed values).
    pub fn is_plain(&self) -> bool {
        matches!(self.data().kind, Kind::Scalar { plain: true, .. })
    }

    /// An empty value, `~` or `null`.
    pub fn is_null(&self) -> bool {
        self.is_plain() && matches!(self.as_str(), Some("" | "~" | "null" | "Null" | "NULL"))
    }

    /// A plain boolean (YAML 1.2 core, plus the 1.1 forms Kubernetes' reader accepts).
    pub fn as_bool(&self) -> Option<bool> {
        if !self.is_plain() {
            return None;
        }
        match self.as_str()? {
            "true" | "True" | "TRUE" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
            "false" | "False" | "FALSE" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
            _ => None,
        }
    }

    /// A plain integer.
    pub fn as_i64(&self) -> Option<i64> {
        if !self.is_plain() {
            return None;
        }
        let s = self.as_str()?.replace('_', "");
        if let Some(hex) = s.strip_prefix("0x") {
            return i64::from_str_radix(hex, 16).ok();
        }
        s.parse().ok()
    }

    /// A plain number.
    pub fn as_f64(&self) -> Option<f64> {
        if !self.is_plain() {
            return None;
        }
        self.as_str()?.parse().ok()
    }

    /// A scalar's text, or None for null and collections.
    pub fn as_text(&self) -> Option<&'a str> {
        if self.is_null() { None } else { self.as_str() }
    }

    /// A sequence's items (empty for anything else).
    pub fn items(self) -> impl Iterator<Item = Node<'a>> + 'a {
        let doc = self.doc;
        let ids: &'a [u32] = match &self.data().kind {
            Kind::Seq(items) => items,
            _ => &[],
        };
        ids.iter().map(move |&id| Node { doc, id }.resolve())
    }

    /// A mapping's entries in source order, with `<<` merge keys left as they are.
    pub fn entries(self) -> impl Iterator<Item = (Node<'a>, Node<'a>)> + 'a {
        let doc = self.doc;
        let ids: &'a [(u32, u32)] = match &self.data().kind {
            Kind::Map(entries) => entries,
            _ => &[],
        };
        ids.iter()
            .map(move |&(k, v)| (Node { doc, id: k }.resolve(), Node { doc, id: v }.resolve()))
    }

    /// The entry for `key` (its key node and value node), following `<<` merges.
    pub fn entry(&self, key: &str) -> Option<(Node<'a>, Node<'a>)> {
        let mut merged = None;
        for (k, v) in self.entries() {
            match k.as_str() {
                Some(s) if s == key && k.is_scalar() => return Some((k, v)),
                Some("<<") if k.is_plain() => merged = merged.or(Some(v)),
                _ => {}
            }
        }
        let merged = merged?;
        if merged.is_map() {
            return merged.entry(key);
        }
        merged.items().find_map(|m| m.entry(key))
    }

    /// The value for `key` in a mapping.
    pub fn get(&self, key: &str) -> Option<Node<'a>> {
        self.entry(key).map(|(_, v)| v)
    }

    /// Follows a path of mapping keys.
    pub fn path(&self, keys: &[&str]) -> Option<Node<'a>> {
        let mut node = *self;
        for key in keys {
            node = node.get(key)?;
        }
        Some(node)
    }

    /// The string value for `key`.
    pub fn get_str(&self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(|n| n.as_text())
    }

    /// The number of entries (maps) or items (sequences); 0 for scalars.
    pub fn len(&self) -> usize {
        match &self.data().kind {
            Kind::Seq(items) => items.len(),
            Kind::Map(entries) => entries.len(),
            _ => 0,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Keys of a mapping that appear more than once (the first occurrence is what most readers
    /// keep, but the duplicate is almost always a mistake).
    pub fn duplicate_keys(&self) -> Vec<Node<'a>> {
        let mut seen = std::collections::HashSet::new();
        self.entries()
            .filter(|(k, _)| k.is_scalar())
            .filter(|(k, _)| !seen.insert(k.as_str().unwrap_or("")))
            .map(|(k, _)| k)
            .collect()
    }
}

/// YAML text held in a string value of another YAML file (a rule file in a ConfigMap's `data`,
/// `alertmanager.yaml` in a Secret's `stringData`), parsed with positions in the enclosing file.
#[derive(Debug)]
pub struct EmbeddedDocs {
    /// The embedded documents (or why the text does not parse), positioned in the enclosing file.
    pub docs: Result<Vec<YamlDoc>, YamlError>,
    /// Whether every node kept its own line and column. When false, every node (and any parse
    /// error) is placed at the enclosing string value's span: the text could not be mapped back
    /// line by line (a quoted, folded or plain string, or a rendered node).
    pub exact_lines: bool,
}

/// Parses the YAML text held by the string `value` of a document parsed from `file_text`, keeping
/// positions in that enclosing file.
///
/// A block scalar (`|`, `|-`, `|+`) whose lines are the file's lines less their indentation maps
/// exactly: embedded line N is the block's first content line + N - 1, and its columns are
/// shifted by the block's indentation. Any other string is parsed too, but every
/// node is then placed at `value`'s span (see [`EmbeddedDocs::exact_lines`]). None when `value`
/// is not a string.
pub fn parse_embedded(file_text: &str, value: Node<'_>) -> Option<EmbeddedDocs> {
    let text = value.as_str().filter(|_| value.is_scalar())?;
    let exact = if value.origin().is_none() {
        literal_block_offset(file_text, value.start(), text)
    } else {
        None
    };
    let mut docs = parse(text);
    match exact {
        Some((lines, columns)) => {
            let shift = |p: Pos| Pos {
                line: p.line + lines,
                column: p.column + columns,
            };
            match &mut docs {
                Ok(docs) => relocate(docs, shift),
                Err(e) => {
                    e.line += lines;
                    e.column += columns;
                }
            }
        }
        None => {
            let (start, end) = (value.start(), value.end());
            match &mut docs {
                Ok(docs) => {
                    for doc in docs.iter_mut() {
                        doc.start_line = start.line;
                        for node in &mut doc.nodes {
                            node.start = start;
                            node.end = end;
                        }
                    }
                }
                Err(e) => {
                    e.line = start.line;
                    e.column = start.column;
                }
            }
        }
    }
    Some(EmbeddedDocs {
        docs,
        exact_lines: exact.is_some(),
    })
}

/// For a block scalar that starts (its first content line) at `start` of `file_text` and whose
/// value is `value`: the (line, column) offsets that map the value's positions into the file, or
/// None when the value's lines are not the file's lines less one indentation (a quoted, plain or
/// folded multi-line string).
fn literal_block_offset(file_text: &str, start: Pos, value: &str) -> Option<(u32, u32)> {
    let indent = start.column.checked_sub(1)? as usize;
    let first = start.line.checked_sub(1)?;
    if indent == 0 || value.is_empty() {
        return None;
    }
    let count = value.lines().count();
    let body: Vec<&str> = file_text.lines().skip(first as usize).take(count).collect();
    let same = body.len() == count
        && value.lines().zip(&body).all(|(v, f)| {
            if v.is_empty() {
                f.trim().is_empty()
            } else {
                f.get(..indent).is_some_and(|p| p.trim().is_empty()) && f.get(indent..) == Some(v)
            }
        });
    same.then_some((first, indent as u32))
}

fn relocate(docs: &mut [YamlDoc], shift: impl Fn(Pos) -> Pos) {
    for doc in docs {
        doc.start_line = shift(Pos {
            line: doc.start_line,
            column: 1,
        })
        .line;
        for node in &mut doc.nodes {
            node.start = shift(node.start);
            node.end = shift(node.end);
        }
    }
}

/// Builds a document node by node, each with its own source file and span: how rendered
/// documents (kustomize, Helm output) keep pointing at the files their values come from.
/// Children are added before their parent (ids are returned and passed to `seq`/`map`).
#[derive(Debug, Default)]
pub struct DocBuilder {
    nodes: Vec<NodeData>,
    origins: Vec<u32>,
    origin_paths: Vec<String>,
}

impl DocBuilder {
    /// The index of a source path (added on first use).
    pub fn origin(&mut self, path: &str) -> u32 {
        if let Some(i) = self.origin_paths.iter().position(|p| p == path) {
            return i as u32;
        }
        self.origin_paths.push(path.to_string());
        (self.origin_paths.len() - 1) as u32
    }

    fn push(&mut self, kind: Kind, span: (Pos, Pos), origin: u32) -> u32 {
        self.nodes.push(NodeData {
            kind,
            start: span.0,
            end: span.1,
        });
        self.origins.push(origin);
        (self.nodes.len() - 1) as u32
    }

    pub fn scalar(&mut self, value: &str, plain: bool, span: (Pos, Pos), origin: u32) -> u32 {
        self.push(
            Kind::Scalar {
                value: value.into(),
                plain,
            },
            span,
            origin,
        )
    }

    pub fn seq(&mut self, items: Vec<u32>, span: (Pos, Pos), origin: u32) -> u32 {
        self.push(Kind::Seq(items), span, origin)
    }

    pub fn map(&mut self, entries: Vec<(u32, u32)>, span: (Pos, Pos), origin: u32) -> u32 {
        self.push(Kind::Map(entries), span, origin)
    }

    /// The document with `root` as its root node.
    pub fn finish(self, root: u32) -> YamlDoc {
        let start_line = self
            .nodes
            .get(root as usize)
            .map(|n| n.start.line)
            .unwrap_or(1);
        YamlDoc {
            nodes: self.nodes,
            root: Some(root),
            start_line,
            origins: self.origins,
            origin_paths: self.origin_paths,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapped_documents_point_into_the_enclosing_file() {
        let docs = parse_mapped("a:\n  b: 1\n", |p| Pos {
            line: p.line + 10,
            column: p.column + 4,
        })
        .unwrap();
        let b = docs[0].root().unwrap().path(&["a", "b"]).unwrap();
        assert_eq!((b.line(), b.start().column), (12, 10));
        let pinned = parse_mapped("a: [1]\n", |_| Pos { line: 3, column: 2 }).unwrap();
        assert_eq!(pinned[0].root().unwrap().get("a").unwrap().line(), 3);
        let err = parse_mapped("a: [\n", |p| Pos {
            line: p.line + 5,
            column: p.column,
        })
        .unwrap_err();
        assert!(err.line > 5);
    }

    #[test]
    fn built_documents_keep_each_nodes_origin() {
        let mut b = DocBuilder::default();
        let base = b.origin("base/d.yaml");
        let patch = b.origin("overlays/prod/p.yaml");
        let at = |line| (Pos { line, column: 1 }, Pos { line, column: 9 });
        let k1 = b.scalar("kind", true, at(2), base);
        let v1 = b.scalar("Deployment", true, at(2), base);
        let k2 = b.scalar("replicas", true, at(4), patch);
        let v2 = b.scalar("3", true, at(4), patch);
        let root = b.map(vec![(k1, v1), (k2, v2)], at(1), base);
        let doc = b.finish(root);
        let r = doc.root().unwrap();
        assert_eq!(r.get("replicas").unwrap().as_i64(), Some(3));
        let loc = r.get("replicas").unwrap().location("ignored.yaml");
        assert_eq!((loc.path.as_str(), loc.line), ("overlays/prod/p.yaml", 4));
        assert_eq!(r.get("kind").unwrap().origin(), Some("base/d.yaml"));
        // Parsed documents have no origin: locations are in the path given.
        let parsed = parse("a: 1\n").unwrap();
        let a = parsed[0].root().unwrap().get("a").unwrap();
        assert_eq!(a.origin(), None);
        assert_eq!(a.location("f.yaml").path, "f.yaml");
    }

    #[test]
    fn embedded_block_scalars_map_to_the_enclosing_lines() {
        let text = "data:\n  a.yaml: |-\n    groups:\n\n      - name: g # note\n  b.yaml: >\n    hello\n    world\n  c.yaml: |\n    k: [\n";
        let docs = parse(text).unwrap();
        let data = docs[0].root().unwrap().get("data").unwrap();
        let a = parse_embedded(text, data.get("a.yaml").unwrap()).unwrap();
        assert!(a.exact_lines);
        let a_docs = a.docs.unwrap();
        let name = a_docs[0]
            .root()
            .unwrap()
            .get("groups")
            .unwrap()
            .items()
            .next()
            .unwrap()
            .get("name")
            .unwrap();
        assert_eq!((name.line(), name.start().column), (5, 15));
        // A folded block is not the file's lines: every node sits at the value.
        let b = parse_embedded(text, data.get("b.yaml").unwrap()).unwrap();
        assert!(!b.exact_lines);
        let b_docs = b.docs.unwrap();
        assert_eq!(b_docs[0].root().unwrap().as_str(), Some("hello world"));
        assert_eq!(b_docs[0].root().unwrap().line(), 7);
        // A parse error is reported at its line in the enclosing file.
        let c = parse_embedded(text, data.get("c.yaml").unwrap()).unwrap();
        assert!(c.docs.unwrap_err().line >= 10);
        // Not a string: nothing to parse.
        let docs = parse("data:\n  a.yaml: {k: v}\n").unwrap();
        let map = docs[0].root().unwrap().path(&["data", "a.yaml"]).unwrap();
        assert!(parse_embedded("", map).is_none());
    }

    #[test]
    fn keeps_positions_of_keys_and_values() {
        let docs = parse(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - name: a\n      image: x:1\n",
        )
        .unwrap();
        let root = docs[0].root().unwrap();
        let (k, v) = root.entry("kind").unwrap();
        assert_eq!((k.line(), k.start().column), (2, 1));
        assert_eq!(v.as_str(), Some("Pod"));
        let c = root
            .path(&["spec", "containers"])
            .unwrap()
            .items()
            .next()
            .unwrap();
        assert_eq!(c.line(), 5);
        assert_eq!(c.start().column, 7);
        assert_eq!(c.get("image").unwrap().line(), 6);
    }

    #[test]
    fn block_spans_end_at_their_last_content_line() {
        let text = "spec:\n  a: 1\n  b: |\n    x\n    y\n\n  # trailing comment\nnext: 2\n";
        let docs = parse(text).unwrap();
        let root = docs[0].root().unwrap();
        let spec = root.get("spec").unwrap().location("f");
        assert_eq!((spec.line, spec.end_line, spec.end_column), (2, 5, 6));
        let b = root.path(&["spec", "b"]).unwrap().location("f");
        assert_eq!((b.line, b.end_line), (4, 5));
        let next = root.get("next").unwrap().location("f");
        assert_eq!(
            (next.line, next.column, next.end_line, next.end_column),
            (8, 7, 8, 8)
        );
    }

    #[test]
    fn splits_documents_and_skips_empty_ones() {
        let docs = parse("---\na: 1\n---\n---\nb: 2\n").unwrap();
        let roots: Vec<_> = docs
            .iter()
            .filter_map(|d| d.root())
            .filter(|r| !r.is_null())
            .collect();
        assert_eq!(roots.len(), 2);
        assert_eq!(roots[1].get("b").unwrap().as_i64(), Some(2));
        assert_eq!(roots[1].line(), 5);
    }

    #[test]
    fn follows_aliases_and_merge_keys_without_copying() {
        let docs = parse("base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\nref: *b\n").unwrap();
        let root = docs[0].root().unwrap();
        assert_eq!(root.path(&["use", "x"]).unwrap().as_i64(), Some(1));
        assert_eq!(root.path(&["ref", "x"]).unwrap().as_i64(), Some(1));
    }

    #[test]
    fn typed_scalars_depend_on_quoting() {
        let docs = parse("a: true\nb: \"true\"\nc: 3\nd: '3'\ne:\nf: ~\n").unwrap();
        let r = docs[0].root().unwrap();
        assert_eq!(r.get("a").unwrap().as_bool(), Some(true));
        assert_eq!(r.get("b").unwrap().as_bool(), None);
        assert_eq!(r.get("c").unwrap().as_i64(), Some(3));
        assert_eq!(r.get("d").unwrap().as_i64(), None);
        assert!(r.get("e").unwrap().is_null());
        assert!(r.get("f").unwrap().is_null());
    }

    #[test]
    fn reports_the_error_position() {
        let err = parse("a: 1\nb: [1, 2\nc: 3\n").unwrap_err();
        assert!(err.line >= 2, "{err:?}");
        assert!(!err.message.is_empty());
    }

    #[test]
    fn duplicate_keys_are_visible() {
        let docs = parse("a: 1\nb: 2\na: 3\n").unwrap();
        let dups = docs[0].root().unwrap().duplicate_keys();
        assert_eq!(dups.len(), 1);
        assert_eq!(dups[0].line(), 3);
    }

    #[test]
    fn alias_bombs_are_visited_once() {
        let mut text = String::from("a0: &a0 [x, x]\n");
        for i in 1..40 {
            text.push_str(&format!("a{i}: &a{i} [*a{}, *a{}]\n", i - 1, i - 1));
        }
        let docs = parse(&text).unwrap();
        assert!(docs[0].nodes().count() < 200);
    }

    #[test]
    fn depth_limit_is_an_error_not_a_crash() {
        let deep = "[".repeat(MAX_DEPTH + 10);
        let err = parse(&deep).unwrap_err();
        assert!(err.message.contains("nested") || !err.message.is_empty());
    }
}
