//! Helm output (`helm template … | golive check --manifests -`): the rendered objects are
//! checked, and each node is mapped back to the template it came from through the `# Source:`
//! comments Helm writes, at the template line that writes its key (or the nearest enclosing key
//! the template writes, e.g. `resources:` for values filled in by `toYaml`).

use super::RenderIssue;
use super::tree::{MAX_RENDERED_NODES, Tree, Value};
use crate::model::Location;
use crate::parse::yaml;
use crate::workspace::{SourceFile, Workspace};
use std::sync::Arc;

/// One `--manifests` input, read.
pub struct Manifests {
    /// What it was called on the command line (a path, or `<stdin>`).
    pub label: String,
    /// The rendered objects, their nodes pointing into the templates.
    pub file: SourceFile,
    pub issues: Vec<RenderIssue>,
    /// `# Source:` paths that name no file of the scan (the chart is elsewhere).
    pub unmapped_sources: Vec<String>,
}

impl Manifests {
    pub(crate) fn read(ws: &Workspace, label: &str, text: &str) -> Manifests {
        let mut issues = Vec::new();
        let mut unmapped = Vec::new();
        let docs = match yaml::parse(text) {
            Ok(docs) => docs,
            Err(e) => {
                issues.push(RenderIssue {
                    location: Location::line(label, e.line),
                    message: format!("rendered manifests do not parse: {}", e.message),
                    unsupported: false,
                });
                Vec::new()
            }
        };
        let sources = source_comments(text);
        let mut out = Vec::new();
        let mut budget = MAX_RENDERED_NODES;
        let stream_path: Arc<str> = Arc::from(label);
        let mut previous_end = 0;
        for doc in &docs {
            let Some(root) = doc.root().filter(|r| !r.is_null()) else {
                continue;
            };
            let source = sources
                .iter()
                .rfind(|(line, _)| *line <= root.line() && *line > previous_end)
                .map(|(_, s)| s.as_str());
            previous_end = root.end().line;
            let Ok(mut tree) = Tree::copy(root, &stream_path, &mut budget) else {
                issues.push(RenderIssue {
                    location: Location::line(label, root.line()),
                    message: format!("rendering stopped: more than {MAX_RENDERED_NODES} nodes"),
                    unsupported: false,
                });
                break;
            };
            if let Some(source) = source {
                match template_file(ws, source) {
                    Some(template) => {
                        let lines: Vec<&str> = template.text.lines().collect();
                        let path: Arc<str> = Arc::from(template.path.as_str());
                        remap(&mut tree, &mut Vec::new(), &lines, &path);
                    }
                    None => {
                        if !unmapped.iter().any(|u| u == source) {
                            unmapped.push(source.to_string());
                        }
                    }
                }
            }
            out.push(tree.to_doc());
        }
        Manifests {
            label: label.to_string(),
            file: SourceFile::rendered(label.to_string(), out, label.to_string()),
            issues,
            unmapped_sources: unmapped,
        }
    }
}

/// `# Source: chart/templates/x.yaml` comments: (line, path).
fn source_comments(text: &str) -> Vec<(u32, String)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let path = l.trim().strip_prefix("# Source:")?.trim();
            (!path.is_empty()).then(|| (i as u32 + 1, path.to_string()))
        })
        .collect()
}

/// The scanned file a `# Source:` path names: `<chart name>/rest` is `rest` under the folder of
/// the Chart.yaml with that name.
fn template_file<'w>(ws: &'w Workspace, source: &str) -> Option<&'w SourceFile> {
    let (chart, rest) = source.split_once('/')?;
    ws.files()
        .iter()
        .filter(|f| f.name() == "Chart.yaml")
        .filter(|f| {
            f.yaml_docs()
                .first()
                .and_then(|d| d.root())
                .and_then(|r| r.get_str("name"))
                == Some(chart)
        })
        .find_map(|chart_file| {
            let path = if chart_file.dir().is_empty() {
                rest.to_string()
            } else {
                format!("{}/{rest}", chart_file.dir())
            };
            ws.file(&path)
        })
}

/// Points every node at the template line that writes its key path (or the nearest ancestor
/// key the template writes; the template's first line when none is found).
fn remap(t: &mut Tree, keys: &mut Vec<String>, lines: &[&str], path: &Arc<str>) {
    let line = template_line(lines, keys).unwrap_or(1);
    t.origin.path = path.clone();
    t.origin.start = yaml::Pos { line, column: 1 };
    t.origin.end = yaml::Pos {
        line,
        column: lines
            .get(line as usize - 1)
            .map(|l| l.chars().count() as u32 + 1)
            .unwrap_or(1),
    };
    match &mut t.value {
        Value::Map(entries) => {
            for (k, v) in entries {
                keys.push(k.as_str().unwrap_or_default().to_string());
                remap(k, keys, lines, path);
                remap(v, keys, lines, path);
                keys.pop();
            }
        }
        Value::Seq(items) => {
            for item in items {
                remap(item, keys, lines, path);
            }
        }
        Value::Scalar { .. } => {}
    }
}

/// Follows a key path down a template by indentation: each key is looked for below the
/// previous one, deeper than it, before the block ends. Template directives (`{{ ... }}` lines)
/// and comments are skipped. Returns the line of the deepest key found.
fn template_line(lines: &[&str], keys: &[String]) -> Option<u32> {
    let mut found = None;
    let mut cursor = 0;
    let mut indent: isize = -1;
    'keys: for key in keys {
        let mut i = cursor;
        while i < lines.len() {
            let line = lines[i];
            let trimmed = line.trim_start();
            i += 1;
            if trimmed.is_empty() || trimmed.starts_with("{{") || trimmed.starts_with('#') {
                continue;
            }
            let lead = (line.len() - trimmed.len()) as isize;
            let (body, col) = match trimmed.strip_prefix("- ") {
                Some(rest) => (
                    rest.trim_start(),
                    lead + (trimmed.len() - rest.trim_start().len()) as isize,
                ),
                None => (trimmed, lead),
            };
            if col <= indent && found.is_some() {
                break;
            }
            if body.starts_with(&format!("{key}:")) || body.starts_with(&format!("\"{key}\":")) {
                found = Some(i as u32);
                cursor = i;
                indent = col;
                continue 'keys;
            }
        }
        break;
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATE: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include \"web.fullname\" . }}\nspec:\n  replicas: {{ .Values.replicaCount }}\n  template:\n    spec:\n      containers:\n        - name: {{ .Chart.Name }}\n          image: \"{{ .Values.image.repository }}\"\n          {{- with .Values.resources }}\n          resources:\n            {{- toYaml . | nindent 12 }}\n          {{- end }}\n";

    const RENDERED: &str = "---\n# Source: web/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: rel-web\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: web\n          image: \"nginx\"\n          resources:\n            limits:\n              memory: 128Mi\n---\n# Source: web/templates/missing.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: rel-web\n";

    #[test]
    fn rendered_nodes_point_at_their_template_lines() {
        let ws = Workspace::from_files(vec![
            (
                "charts/web/Chart.yaml".into(),
                "apiVersion: v2\nname: web\nversion: 1.0.0\n".into(),
            ),
            (
                "charts/web/templates/deployment.yaml".into(),
                TEMPLATE.into(),
            ),
        ]);
        let m = Manifests::read(&ws, "<stdin>", RENDERED);
        assert!(m.issues.is_empty(), "{:?}", m.issues);
        assert_eq!(m.unmapped_sources, vec!["web/templates/missing.yaml"]);
        let docs = m.file.yaml_docs();
        assert_eq!(docs.len(), 2);
        let d = docs[0].root().unwrap();
        let at = |keys: &[&str]| {
            let l = d.path(keys).unwrap().location("x");
            (l.path, l.line)
        };
        let t = "charts/web/templates/deployment.yaml".to_string();
        assert_eq!(at(&["spec", "replicas"]), (t.clone(), 6));
        let c = d
            .path(&["spec", "template", "spec", "containers"])
            .unwrap()
            .items()
            .next()
            .unwrap();
        let mem = c
            .path(&["resources", "limits", "memory"])
            .unwrap()
            .location("x");
        assert_eq!((mem.path.as_str(), mem.line), (t.as_str(), 13));
        assert_eq!(c.get("image").unwrap().location("x").line, 11);
        // Unmapped documents stay in the stream.
        let s = docs[1].root().unwrap().location("x");
        assert_eq!((s.path.as_str(), s.line), ("<stdin>", 19));
    }
}
