//! Prometheus rule discovery shared by every `alerts/*` check: the alerting and recording rules of
//! plain rule files (`groups: [{name, rules: [...]}]`) and of PrometheusRule objects
//! (`monitoring.coreos.com`, `spec.groups`, multi-document files and `kind: List` included), each
//! with its file and the span-tree nodes the checks point at.
//!
//! Not read (yet): rules inside Helm templates (not YAML until rendered: `--manifests` takes the
//! rendered output), rules inside Helm values files (they become rule files only through a
//! chart's templates) and rule files embedded as strings in ConfigMaps. The first two are
//! counted, so that checks can say what they did not look at instead of guessing.

use golive_core::parse::yaml::Node;
use golive_core::workspace::{FileKind, SourceFile, Workspace, is_rule_file};
use golive_core::{Evidence, Location};
use std::collections::BTreeMap;

/// Whether a rule raises alerts or records a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RuleKind {
    Alert,
    Record,
}

/// Where a rule is declared: a plain rule file or a PrometheusRule object.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Origin<'a> {
    RuleFile,
    PrometheusRule {
        name: Option<&'a str>,
        line: u32,
        /// The object's `metadata.namespace`.
        namespace: Option<&'a str>,
    },
}

impl Origin<'_> {
    /// `rule file` or `PrometheusRule/name`, for evidence.
    pub(crate) fn describe(&self) -> String {
        match self {
            Origin::RuleFile => "rule file".to_string(),
            Origin::PrometheusRule { name, .. } => {
                format!("PrometheusRule/{}", name.unwrap_or("<unnamed>"))
            }
        }
    }
}

/// One rule of a rule group, with the nodes the checks read.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rule<'a> {
    pub file: &'a SourceFile,
    pub origin: Origin<'a>,
    pub kind: RuleKind,
    /// The rule group's mapping (its `labels` apply to every rule of the group).
    pub group: Node<'a>,
    /// The rule's mapping.
    pub node: Node<'a>,
    /// The `alert:` or `record:` key.
    pub name_key: Node<'a>,
    /// Its value (the alert's or series' name).
    pub name_value: Node<'a>,
}

/// A label of a rule, and whether it came from the rule group rather than the rule.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Label<'a> {
    pub value: Node<'a>,
    pub from_group: bool,
}

impl<'a> Rule<'a> {
    /// The alert's (or recorded series') name as written.
    pub(crate) fn name(&self) -> &'a str {
        self.name_value
            .as_text()
            .filter(|n| !n.trim().is_empty())
            .unwrap_or("<unnamed>")
    }

    /// "alert `X`" or "recording rule `x:y`", for messages.
    pub(crate) fn describe(&self) -> String {
        match self.kind {
            RuleKind::Alert => format!("alert `{}`", self.name()),
            RuleKind::Record => format!("recording rule `{}`", self.name()),
        }
    }

    /// The `- alert:` line (where findings about a missing field point, so that a
    /// `# golive:ignore` comment just above the rule waives them).
    pub(crate) fn location(&self) -> Location {
        let node = if self.name_value.is_scalar() && !self.name_value.is_null() {
            self.name_value
        } else {
            self.name_key
        };
        node.location(&self.file.path)
    }

    /// A field of the rule: its key node and value node.
    pub(crate) fn field(&self, key: &str) -> Option<(Node<'a>, Node<'a>)> {
        self.node.entry(key)
    }

    /// A label, from the rule's `labels` or else its group's `labels` (Prometheus 3 merges
    /// group labels into every rule; the rule's own value wins).
    pub(crate) fn label(&self, name: &str) -> Option<Label<'a>> {
        if let Some(value) = self.node.get("labels").and_then(|l| l.get(name)) {
            return Some(Label {
                value,
                from_group: false,
            });
        }
        self.group
            .get("labels")
            .and_then(|l| l.get(name))
            .map(|value| Label {
                value,
                from_group: true,
            })
    }

    /// An annotation's key and value nodes.
    pub(crate) fn annotation(&self, name: &str) -> Option<(Node<'a>, Node<'a>)> {
        self.node.get("annotations").and_then(|a| a.entry(name))
    }
}

/// Files that define rules golive does not read (yet), by reason.
#[derive(Debug, Default)]
pub(crate) struct Unread<'a> {
    /// Helm templates that declare a PrometheusRule.
    pub helm_templates: Vec<&'a SourceFile>,
    /// Helm values files that hold rule groups with alerts, with how many alerts each.
    pub helm_values: Vec<(&'a SourceFile, usize)>,
}

impl Unread<'_> {
    pub(crate) fn is_empty(&self) -> bool {
        self.helm_templates.is_empty() && self.helm_values.is_empty()
    }

    /// Evidence notes naming what was not read and why.
    pub(crate) fn notes(&self) -> Vec<Evidence> {
        let mut out = Vec::new();
        for f in &self.helm_templates {
            out.push(Evidence::file(
                &f.path,
                "Helm template declares a PrometheusRule: not read until rendered (pass the rendered chart with --manifests)",
            ));
        }
        for (f, n) in &self.helm_values {
            out.push(Evidence::file(
                &f.path,
                format!("{n} alerting rule(s) in a Helm values file: not read (rules in values files are out of scope for now)"),
            ));
        }
        out
    }
}

/// Every rule of the repository, sorted by file and line.
#[derive(Debug)]
pub(crate) struct Rules<'a> {
    pub rules: Vec<Rule<'a>>,
    pub unread: Unread<'a>,
}

impl<'a> Rules<'a> {
    pub(crate) fn alerts(&self) -> impl Iterator<Item = &Rule<'a>> {
        self.rules.iter().filter(|r| r.kind == RuleKind::Alert)
    }

    pub(crate) fn alert_count(&self) -> usize {
        self.alerts().count()
    }

    /// The not-applicable reason for a check about alerting rules when there are none.
    pub(crate) fn no_alerts_reason(&self) -> String {
        let recording = self.rules.len();
        let mut reason = if recording > 0 {
            format!("no alerting rules (only {recording} recording rule(s))")
        } else {
            "no Prometheus alerting rules found".to_string()
        };
        if !self.unread.is_empty() {
            let n = self.unread.helm_templates.len() + self.unread.helm_values.len();
            reason.push_str(&format!(
                "; {n} Helm file(s) define rules golive does not read (templates need --manifests; values files are out of scope)"
            ));
        }
        reason
    }
}

/// Finds every rule.
pub(crate) fn discover(ws: &Workspace) -> Rules<'_> {
    let mut rules = Vec::new();
    for obj in ws.kube_objects() {
        if obj.kind != "PrometheusRule" || obj.group() != "monitoring.coreos.com" {
            continue;
        }
        let origin = Origin::PrometheusRule {
            name: obj.name(),
            namespace: obj.namespace(),
            line: obj.location().line,
        };
        if let Some(groups) = obj.node.path(&["spec", "groups"]) {
            collect(obj.file, origin, groups, &mut rules);
        }
    }
    let mut unread = Unread::default();
    for file in ws.files() {
        match file.kind {
            FileKind::Yaml if is_helm_values(ws, file) => {
                let alerts = helm_values_alerts(file);
                if alerts > 0 {
                    unread.helm_values.push((file, alerts));
                }
            }
            FileKind::Yaml => {
                for doc in file.yaml_docs() {
                    if let Some(root) = doc.root()
                        && is_rule_file(root)
                        && let Some(groups) = root.get("groups")
                    {
                        collect(file, Origin::RuleFile, groups, &mut rules);
                    }
                }
            }
            FileKind::HelmTemplate if declares_prometheus_rule(&file.text) => {
                unread.helm_templates.push(file);
            }
            _ => {}
        }
    }
    rules.sort_by(|a, b| {
        (&a.file.path, a.name_key.start()).cmp(&(&b.file.path, b.name_key.start()))
    });
    Rules { rules, unread }
}

fn collect<'a>(
    file: &'a SourceFile,
    origin: Origin<'a>,
    groups: Node<'a>,
    out: &mut Vec<Rule<'a>>,
) {
    for group in groups.items().filter(|g| g.is_map()) {
        for node in group
            .get("rules")
            .into_iter()
            .flat_map(|r| r.items())
            .filter(|r| r.is_map())
        {
            let (kind, (name_key, name_value)) = match (node.entry("alert"), node.entry("record")) {
                (Some(entry), _) => (RuleKind::Alert, entry),
                (None, Some(entry)) => (RuleKind::Record, entry),
                (None, None) => continue,
            };
            out.push(Rule {
                file,
                origin,
                kind,
                group,
                node,
                name_key,
                name_value,
            });
        }
    }
}

/// `values*.yaml` next to a `Chart.yaml`.
fn is_helm_values(ws: &Workspace, file: &SourceFile) -> bool {
    let name = file.name();
    if !(name.starts_with("values") && (name.ends_with(".yaml") || name.ends_with(".yml"))) {
        return false;
    }
    let chart = match file.dir() {
        "" => "Chart.yaml".to_string(),
        dir => format!("{dir}/Chart.yaml"),
    };
    ws.file(&chart).is_some()
}

/// Alerting rules anywhere in a Helm values file (mappings with `alert` and `expr`).
fn helm_values_alerts(file: &SourceFile) -> usize {
    file.yaml_docs()
        .iter()
        .flat_map(|d| d.nodes())
        .filter(|n| n.is_map() && n.get("alert").is_some() && n.get("expr").is_some())
        .count()
}

fn declares_prometheus_rule(text: &str) -> bool {
    text.lines().any(|l| {
        l.trim_start()
            .strip_prefix("kind:")
            .is_some_and(|k| k.trim().trim_matches(['"', '\'']) == "PrometheusRule")
    })
}

/// How many of `rules` each source holds, for evidence: `(path, object line or 0) -> (origin,
/// count)`.
pub(crate) fn count_per_source<'a, 'r>(
    rules: impl Iterator<Item = &'r Rule<'a>>,
) -> BTreeMap<(String, u32), (String, usize)>
where
    'a: 'r,
{
    let mut out: BTreeMap<(String, u32), (String, usize)> = BTreeMap::new();
    for r in rules {
        let line = match r.origin {
            Origin::RuleFile => 0,
            Origin::PrometheusRule { line, .. } => line,
        };
        out.entry((r.file.path.clone(), line))
            .or_insert_with(|| (r.origin.describe(), 0))
            .1 += 1;
    }
    out
}

/// Whether a value is a template (Helm, jsonnet, Go templates) rather than a literal.
pub(crate) fn is_templated(text: &str) -> bool {
    text.contains("{{")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(files: &[(&str, &str)]) -> Workspace {
        Workspace::from_texts(files)
    }

    #[test]
    fn finds_rules_in_plain_files_and_prometheus_rules() {
        let w = ws(&[
            (
                "rules/app.yaml",
                "groups:\n- name: app\n  labels: {team: a}\n  rules:\n  - record: job:x:rate5m\n    expr: rate(x[5m])\n  - alert: High\n    expr: x > 1\n    labels: {severity: page}\n",
            ),
            (
                "k8s/all.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n---\napiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: web}\nspec:\n  groups:\n  - name: web\n    rules:\n    - alert: Down\n      expr: up == 0\n",
            ),
        ]);
        let rules = discover(&w);
        let names: Vec<_> = rules.rules.iter().map(|r| (r.name(), r.kind)).collect();
        assert_eq!(
            names,
            vec![
                ("Down", RuleKind::Alert),
                ("job:x:rate5m", RuleKind::Record),
                ("High", RuleKind::Alert)
            ]
        );
        assert_eq!(rules.alert_count(), 2);
        let high = &rules.rules[2];
        assert_eq!(high.location().line, 7);
        assert_eq!(
            high.label("severity").and_then(|l| l.value.as_str()),
            Some("page")
        );
        let team = high.label("team").unwrap();
        assert!(team.from_group);
        assert_eq!(rules.rules[0].location().line, 12);
        assert_eq!(rules.rules[0].origin.describe(), "PrometheusRule/web");
    }

    #[test]
    fn other_groups_keys_and_foreign_kinds_are_not_rules() {
        let w = ws(&[
            ("a.yaml", "groups:\n- name: x\n  members: [a]\n"),
            (
                "b.yaml",
                "apiVersion: example.com/v1\nkind: PrometheusRule\nmetadata: {name: x}\nspec: {groups: [{name: g, rules: [{alert: A, expr: up}]}]}\n",
            ),
        ]);
        let rules = discover(&w);
        assert!(rules.rules.is_empty());
        assert_eq!(
            rules.no_alerts_reason(),
            "no Prometheus alerting rules found"
        );
    }

    #[test]
    fn helm_templates_and_values_are_counted_not_read() {
        let w = ws(&[
            ("chart/Chart.yaml", "name: c\n"),
            (
                "chart/templates/rules.yaml",
                "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: {{ .Release.Name }}\n",
            ),
            (
                "chart/values.yaml",
                "prometheus:\n  rules:\n    groups:\n    - name: g\n      rules:\n      - alert: A\n        expr: up == 0\n",
            ),
        ]);
        let rules = discover(&w);
        assert!(rules.rules.is_empty());
        assert_eq!(rules.unread.helm_templates.len(), 1);
        assert_eq!(rules.unread.helm_values.len(), 1);
        assert_eq!(rules.unread.helm_values[0].1, 1);
        assert!(rules.no_alerts_reason().contains("2 Helm file(s)"));
    }
}
