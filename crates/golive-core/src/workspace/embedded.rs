//! YAML files embedded as strings in Kubernetes ConfigMaps (`data`) and Secrets (`stringData`):
//! a rule file mounted into Prometheus, an `alertmanager.yaml`. Parsed once per file, with
//! positions in the enclosing file (see [`crate::parse::yaml::parse_embedded`]).

use crate::parse::yaml::{self, Node, Pos, YamlDoc, YamlError};

/// One embedded YAML file: a `data`/`stringData` entry of a ConfigMap or Secret.
#[derive(Debug)]
pub struct EmbeddedYaml {
    /// Index of the enclosing document in the file's `yaml_docs()`.
    pub doc: usize,
    /// `ConfigMap` or `Secret`.
    pub kind: &'static str,
    /// The object's `metadata.name`.
    pub name: Option<String>,
    /// `data` or `stringData`.
    pub field: &'static str,
    /// The entry's key (the file name it is mounted as: `alerts.yaml`).
    pub key: String,
    /// Where the key is written.
    pub key_pos: Pos,
    /// The embedded documents, with positions in the enclosing file.
    pub docs: Result<Vec<YamlDoc>, YamlError>,
    /// Whether the documents' nodes keep their own lines (a block scalar), or all sit at the
    /// value (a quoted string: see [`crate::parse::yaml::EmbeddedDocs::exact_lines`]).
    pub exact_lines: bool,
}

impl EmbeddedYaml {
    /// The roots of the embedded documents that parse.
    pub fn roots(&self) -> impl Iterator<Item = Node<'_>> {
        self.docs
            .as_deref()
            .unwrap_or(&[])
            .iter()
            .filter_map(YamlDoc::root)
    }

    /// `ConfigMap/name` (`<unnamed>` when it has no name).
    pub fn object(&self) -> String {
        format!(
            "{}/{}",
            self.kind,
            self.name.as_deref().unwrap_or("<unnamed>")
        )
    }
}

/// Whether a ConfigMap/Secret key names a YAML file: `*.yaml`, `*.yml`, `*.rules`, or the
/// Prometheus chart's legacy `rules` and `alerts` keys.
pub fn is_yaml_key(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    lower.ends_with(".yaml")
        || lower.ends_with(".yml")
        || lower.ends_with(".rules")
        || matches!(lower.as_str(), "rules" | "alerts")
}

/// Every embedded YAML file of `docs` (parsed from `text`). Secret `data` is base64 and is not
/// decoded here.
pub(super) fn collect(text: &str, docs: &[YamlDoc]) -> Vec<EmbeddedYaml> {
    let mut out = Vec::new();
    for (index, doc) in docs.iter().enumerate() {
        let Some(root) = doc.root() else { continue };
        let (kind, field) = match (root.get_str("kind"), root.get_str("apiVersion")) {
            (Some("ConfigMap"), Some("v1")) => ("ConfigMap", "data"),
            (Some("Secret"), Some("v1")) => ("Secret", "stringData"),
            _ => continue,
        };
        let name = root
            .path(&["metadata", "name"])
            .and_then(|n| n.as_text())
            .map(str::to_string);
        for (key, value) in root.get(field).into_iter().flat_map(|d| d.entries()) {
            let Some(k) = key.as_text().filter(|k| is_yaml_key(k)) else {
                continue;
            };
            let Some(parsed) = yaml::parse_embedded(text, value) else {
                continue;
            };
            out.push(EmbeddedYaml {
                doc: index,
                kind,
                name: name.clone(),
                field,
                key: k.to_string(),
                key_pos: key.start(),
                docs: parsed.docs,
                exact_lines: parsed.exact_lines,
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_scalars_keep_their_lines_in_the_enclosing_file() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rules\ndata:\n  alerts.yaml: |\n    groups:\n    - name: g\n      rules:\n      - alert: Down\n        expr: up == 0\n  other.txt: |\n    not yaml: [\n";
        let docs = yaml::parse(text).unwrap();
        let embedded = collect(text, &docs);
        assert_eq!(embedded.len(), 1);
        let e = &embedded[0];
        assert_eq!(
            (e.object(), e.key.as_str(), e.field),
            ("ConfigMap/rules".to_string(), "alerts.yaml", "data")
        );
        assert!(e.exact_lines);
        assert_eq!(e.key_pos.line, 6);
        let root = e.roots().next().unwrap();
        let rule = root
            .get("groups")
            .unwrap()
            .items()
            .next()
            .unwrap()
            .get("rules")
            .unwrap()
            .items()
            .next()
            .unwrap();
        let expr = rule.get("expr").unwrap();
        assert_eq!((expr.line(), expr.start().column), (11, 15));
        let loc = expr.location("cm.yaml");
        assert_eq!(
            (loc.path.as_str(), loc.end_line, loc.end_column),
            ("cm.yaml", 11, 22)
        );
    }

    #[test]
    fn quoted_strings_sit_at_the_value_and_secrets_read_string_data() {
        let text = "apiVersion: v1\nkind: Secret\nmetadata: {name: am}\nstringData:\n  alertmanager.yaml: \"route:\\n  receiver: x\\n\"\ndata:\n  other.yaml: cm91dGU6IHt9\n";
        let docs = yaml::parse(text).unwrap();
        let embedded = collect(text, &docs);
        assert_eq!(embedded.len(), 1);
        let e = &embedded[0];
        assert_eq!(e.object(), "Secret/am");
        assert!(!e.exact_lines);
        let receiver = e
            .roots()
            .next()
            .unwrap()
            .path(&["route", "receiver"])
            .unwrap();
        assert_eq!(receiver.as_str(), Some("x"));
        assert_eq!((receiver.line(), receiver.start().column), (5, 22));
    }

    #[test]
    fn unparsable_embedded_text_reports_its_line_in_the_file() {
        let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  rules: |\n    groups:\n      - [\n";
        let docs = yaml::parse(text).unwrap();
        let embedded = collect(text, &docs);
        let err = embedded[0].docs.as_ref().unwrap_err();
        assert!(err.line >= 7, "{err:?}");
        assert!(embedded[0].roots().next().is_none());
    }
}
