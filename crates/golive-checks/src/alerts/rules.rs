//! Prometheus rule discovery shared by every `alerts/*` check: the alerting and recording rules of
//! plain rule files (`groups: [{name, rules: [...]}]`, in YAML or in JSON as jsonnet writes them),
//! of PrometheusRule objects (`monitoring.coreos.com`, `spec.groups`, multi-document files and
//! `kind: List` included), of rule groups anywhere in a Helm values file (kube-prometheus-stack's
//! `additionalPrometheusRulesMap`, the prometheus chart's `serverFiles."alerting_rules.yml"`) and
//! of rule files embedded as strings in ConfigMaps (`data: {alerts.yaml: |}`), each with its file
//! and the span-tree nodes the checks point at (an embedded block keeps its own lines in the
//! ConfigMap's file).
//!
//! Not read: rules inside Helm templates (not YAML until rendered: `--manifests` takes the rendered
//! output) and alerts in values files outside a `groups: [{rules: [...]}]` rule group. Both are
//! counted, so that checks can say what they did not look at instead of guessing.

use golive_core::parse::yaml::Node;
use golive_core::workspace::{EmbeddedYaml, FileKind, SourceFile, Workspace, is_rule_file};
use golive_core::{Evidence, Location};
use std::collections::BTreeMap;

/// Whether a rule raises alerts or records a series.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum RuleKind {
    Alert,
    Record,
}

/// Where a rule is declared: a plain rule file, a PrometheusRule object, a Helm values file or a
/// rule file embedded in a ConfigMap.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Origin<'a> {
    RuleFile,
    PrometheusRule {
        name: Option<&'a str>,
        line: u32,
        /// The object's `metadata.namespace`.
        namespace: Option<&'a str>,
    },
    /// Rule groups in a Helm values file: `holder` is the mapping that holds `groups:`, `root`
    /// its document's root (the key path is computed from them when described).
    HelmValues {
        root: Node<'a>,
        holder: Node<'a>,
    },
    /// A rule file held as a string by a ConfigMap's (or Secret's) entry.
    Embedded {
        embedded: &'a EmbeddedYaml,
    },
}

impl Origin<'_> {
    /// `rule file`, `PrometheusRule/name`, `Helm values `a.b.groups`` or `ConfigMap/name
    /// `alerts.yaml``, for evidence.
    pub(crate) fn describe(&self) -> String {
        match self {
            Origin::RuleFile => "rule file".to_string(),
            Origin::PrometheusRule { name, .. } => {
                format!("PrometheusRule/{}", name.unwrap_or("<unnamed>"))
            }
            Origin::HelmValues { .. } => {
                format!("Helm values `{}`", self.key_path().unwrap_or_default())
            }
            Origin::Embedded { embedded } => {
                format!("{} `{}`", embedded.object(), embedded.key)
            }
        }
    }

    /// For rules in a Helm values file: the key path of their `groups:` list
    /// (`additionalPrometheusRulesMap.my-rules.groups`, `serverFiles."alerting_rules.yml".groups`).
    pub(crate) fn key_path(&self) -> Option<String> {
        match self {
            Origin::HelmValues { root, holder } => Some(key_path(*root, *holder)),
            _ => None,
        }
    }

    /// The line evidence about the source points at (0 for a whole file).
    fn line(&self) -> u32 {
        match self {
            Origin::RuleFile => 0,
            Origin::PrometheusRule { line, .. } => *line,
            Origin::HelmValues { holder, .. } => holder
                .entry("groups")
                .map(|(k, _)| k.line())
                .unwrap_or_else(|| holder.line()),
            Origin::Embedded { embedded } => embedded.key_pos.line,
        }
    }
}

/// The dotted key path from `root` down to the `groups` key of `holder` (keys with dots or
/// spaces are quoted, list items are `[i]`).
fn key_path(root: Node<'_>, holder: Node<'_>) -> String {
    let target = holder.start();
    let contains = |n: Node<'_>| n.start() <= target && target <= n.end();
    let mut parts: Vec<String> = Vec::new();
    let mut node = root;
    // Each step goes one level down; the parser limits depth.
    for _ in 0..golive_core::parse::yaml::MAX_DEPTH {
        if node.start() == target && node.is_map() {
            break;
        }
        let next = if node.is_map() {
            node.entries().find(|(_, v)| contains(*v)).map(|(k, v)| {
                let key = k.as_str().unwrap_or("?");
                let key = if key.contains(['.', ' ', '"']) || key.is_empty() {
                    format!("\"{}\"", key.replace('"', "\\\""))
                } else {
                    key.to_string()
                };
                (key, v)
            })
        } else {
            node.items()
                .enumerate()
                .find(|(_, v)| contains(*v))
                .map(|(i, v)| (format!("[{i}]"), v))
        };
        let Some((part, child)) = next else { break };
        parts.push(part);
        node = child;
    }
    parts.push("groups".to_string());
    let mut out = String::new();
    for part in parts {
        if !out.is_empty() && !part.starts_with('[') {
            out.push('.');
        }
        out.push_str(&part);
    }
    out
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
    /// Helm values files that hold alerts outside the rule groups discovery reads (mappings with
    /// `alert` and `expr` not in a `groups: [{rules: [...]}]` list), with how many each.
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
                format!("{n} alerting rule(s) in a Helm values file outside a `groups: [{{name, rules}}]` rule group: not read"),
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

    /// The rules once per place (origin file and line), whatever namespace kustomize overlays
    /// put them in: for checks about what the rules say, not where they are deployed.
    pub(crate) fn once_per_place(&self) -> Vec<&Rule<'a>> {
        let mut seen = std::collections::HashSet::new();
        self.rules
            .iter()
            .filter(|r| {
                let at = r.location();
                seen.insert((at.path, at.line, at.column, r.kind, r.name()))
            })
            .collect()
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
                "; {n} Helm file(s) define rules golive does not read (templates need --manifests; values files only where rules sit in `groups:` lists)"
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
                let before = rules.len();
                for doc in file.yaml_docs() {
                    let Some(root) = doc.root() else { continue };
                    for holder in doc.nodes().filter(|n| n.is_map() && is_rule_file(*n)) {
                        if let Some(groups) = holder.get("groups") {
                            collect(
                                file,
                                Origin::HelmValues { root, holder },
                                groups,
                                &mut rules,
                            );
                        }
                    }
                }
                let read = rules[before..]
                    .iter()
                    .filter(|r| r.kind == RuleKind::Alert)
                    .count();
                let alerts = helm_values_alerts(file).saturating_sub(read);
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
                for embedded in file.embedded_yaml() {
                    for root in embedded.roots().filter(|r| is_rule_file(*r)) {
                        if let Some(groups) = root.get("groups") {
                            collect(file, Origin::Embedded { embedded }, groups, &mut rules);
                        }
                    }
                }
            }
            FileKind::Json if file.text.contains("\"groups\"") => {
                for root in file.json().iter().filter_map(|d| d.root()) {
                    if is_rule_file(root)
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
    // A PrometheusRule of a base rendered by several kustomize overlays yields the same rules
    // (same origin file and line) once per overlay: keep each once, unless the overlays put it
    // in different namespaces (Alertmanager routing can depend on the namespace).
    let mut seen = std::collections::HashSet::new();
    rules.retain(|r| {
        let at = r.location();
        let namespace = match r.origin {
            Origin::PrometheusRule { namespace, .. } => namespace,
            _ => None,
        };
        seen.insert((at.path, at.line, at.column, r.kind, r.name(), namespace))
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
        let line = r.origin.line();
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
    fn helm_templates_are_counted_not_read() {
        let w = ws(&[
            ("chart/Chart.yaml", "name: c\n"),
            (
                "chart/templates/rules.yaml",
                "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: {{ .Release.Name }}\n",
            ),
            (
                "chart/values.yaml",
                "prometheus:\n  extraAlerts:\n  - alert: A\n    expr: up == 0\n",
            ),
        ]);
        let rules = discover(&w);
        assert!(rules.rules.is_empty());
        assert_eq!(rules.unread.helm_templates.len(), 1);
        // An alert outside a `groups:` list is counted, not read.
        assert_eq!(rules.unread.helm_values.len(), 1);
        assert_eq!(rules.unread.helm_values[0].1, 1);
        assert!(rules.no_alerts_reason().contains("2 Helm file(s)"));
    }

    #[test]
    fn reads_rule_groups_anywhere_in_helm_values() {
        let w = ws(&[
            ("chart/Chart.yaml", "name: c\n"),
            (
                "chart/values.yaml",
                concat!(
                    "additionalPrometheusRulesMap:\n",
                    "  custom-rules:\n",
                    "    groups:\n",
                    "    - name: g\n",
                    "      rules:\n",
                    "      - alert: A\n",
                    "        expr: up == 0\n",
                    "serverFiles:\n",
                    "  alerting_rules.yml:\n",
                    "    groups:\n",
                    "    - name: h\n",
                    "      rules:\n",
                    "      - alert: B\n",
                    "        expr: up == 0\n",
                    "      - record: r:x\n",
                    "        expr: sum(x)\n",
                    "  alerts: {}\n",
                ),
            ),
        ]);
        let rules = discover(&w);
        let found: Vec<_> = rules
            .rules
            .iter()
            .map(|r| (r.name(), r.location().line, r.origin.describe()))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    "A",
                    6,
                    "Helm values `additionalPrometheusRulesMap.custom-rules.groups`".to_string()
                ),
                (
                    "B",
                    13,
                    "Helm values `serverFiles.\"alerting_rules.yml\".groups`".to_string()
                ),
                (
                    "r:x",
                    15,
                    "Helm values `serverFiles.\"alerting_rules.yml\".groups`".to_string()
                ),
            ]
        );
        assert!(rules.unread.is_empty());
        let per_source = count_per_source(rules.alerts());
        assert_eq!(
            per_source.keys().map(|(_, l)| *l).collect::<Vec<_>>(),
            vec![3, 10]
        );
    }

    #[test]
    fn reads_rule_files_embedded_in_config_maps_at_their_lines() {
        let w = ws(&[(
            "k8s/prometheus-rules.yaml",
            concat!(
                "apiVersion: v1\n",
                "kind: ConfigMap\n",
                "metadata:\n",
                "  name: prometheus-rules\n",
                "data:\n",
                "  alerts.yaml: |\n",
                "    groups:\n",
                "    - name: app\n",
                "      rules:\n",
                "      - alert: Down\n",
                "        expr: up == 0\n",
                "  dashboards.json: '{\"groups\": []}'\n",
            ),
        )]);
        let rules = discover(&w);
        assert_eq!(rules.rules.len(), 1);
        let down = &rules.rules[0];
        assert_eq!(down.location().line, 10);
        assert_eq!(down.location().path, "k8s/prometheus-rules.yaml");
        let (_, expr) = down.field("expr").unwrap();
        let at = expr.location(&down.file.path);
        assert_eq!((at.line, at.column), (11, 15));
        assert_eq!(
            down.origin.describe(),
            "ConfigMap/prometheus-rules `alerts.yaml`"
        );
        assert_eq!(count_per_source(rules.alerts()).keys().next().unwrap().1, 6);
        assert!(w.has(golive_core::Facet::PrometheusRules));
    }

    #[test]
    fn reads_json_rule_files_with_their_lines() {
        let w = ws(&[(
            "monitoring/rules.json",
            "{\n  \"groups\": [\n    {\n      \"name\": \"app\",\n      \"rules\": [\n        {\"alert\": \"Down\", \"expr\": \"up == 0\"}\n      ]\n    }\n  ]\n}\n",
        )]);
        let rules = discover(&w);
        assert_eq!(rules.rules.len(), 1);
        assert_eq!(rules.rules[0].name(), "Down");
        assert_eq!(rules.rules[0].location().line, 6);
        assert!(w.has(golive_core::Facet::PrometheusRules));
    }

    #[test]
    fn rules_rendered_by_several_overlays_are_kept_once_per_namespace() {
        let rule = "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r}\nspec:\n  groups:\n  - name: g\n    rules:\n    - alert: Down\n      expr: up == 0\n";
        let overlay = |ns: &str| format!("resources: [../../base]\nnamespace: {ns}\n");
        let (prod, staging, qa) = (overlay("prod"), overlay("staging"), overlay("prod"));
        let w = ws(&[
            ("deploy/base/kustomization.yaml", "resources: [rule.yaml]\n"),
            ("deploy/base/rule.yaml", rule),
            ("deploy/overlays/prod/kustomization.yaml", &prod),
            ("deploy/overlays/prod-eu/kustomization.yaml", &qa),
            ("deploy/overlays/staging/kustomization.yaml", &staging),
        ]);
        let rules = discover(&w);
        let places: Vec<(String, u32)> = rules
            .rules
            .iter()
            .map(|r| (r.location().path, r.location().line))
            .collect();
        assert_eq!(
            places,
            vec![
                ("deploy/base/rule.yaml".to_string(), 8),
                ("deploy/base/rule.yaml".to_string(), 8)
            ],
            "prod and prod-eu render the same rule in the same namespace: once; staging: once more"
        );
        assert_eq!(rules.once_per_place().len(), 1);
    }
}
