//! Alertmanager configuration discovery shared by every `alertmanager/*` check: the configs of
//! plain files (`alertmanager.yml`, or any YAML whose root has `route` and `receivers`), of
//! Secrets embedding `alertmanager.yaml` (under `stringData`, or base64 under `data`) or
//! ConfigMaps embedding it (under `data`, the Prometheus community chart's way) and of
//! `AlertmanagerConfig` objects (monitoring.coreos.com), read into one model (route tree,
//! receivers, inhibit rules) whose nodes point at the lines they come from.
//!
//! An embedded config written as a literal block scalar (`alertmanager.yaml: |`) is parsed with
//! its positions moved into the Secret's file, so findings point at the exact line; a quoted or
//! base64-encoded config cannot be mapped back line by line, so all its nodes point at the key
//! that holds it (and messages say so).
//!
//! The model follows Alertmanager's semantics: `match`/`match_re`/`matchers` (and the
//! AlertmanagerConfig `{name, value, matchType|regex}` form) are normalised into one matcher
//! type; regexes are anchored; a label an alert does not carry is the empty string.

use golive_core::Location;
use golive_core::parse::yaml::{self, Node, Pos, YamlDoc};
use golive_core::workspace::{FileKind, Workspace};
use regex::Regex;
use std::collections::BTreeMap;

/// How a configuration is held in the repository.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    /// A plain `alertmanager.yml`.
    File,
    /// A Secret's `stringData` key or a ConfigMap's `data` key; `mapped` when its lines point
    /// at the exact lines.
    StringData { mapped: bool },
    /// A Secret's `data` key (base64): every node points at the key.
    Base64,
    /// An `AlertmanagerConfig` object (camelCase keys, namespaced by the operator).
    Crd { namespace: Option<String> },
}

enum Root<'a> {
    Borrowed(Node<'a>),
    Owned(YamlDoc),
}

/// One configuration found in the repository.
pub(crate) struct Source<'a> {
    /// The path locations of its nodes are given in.
    pub path: String,
    /// How messages name it: `alertmanager.yml`, `Secret/alertmanager-main`, `AlertmanagerConfig/x`.
    pub name: String,
    pub form: Form,
    /// For a base64 `data` value, the encoded text (to redact it whole from snippets).
    pub raw: Option<String>,
    root: Root<'a>,
}

/// A configuration that could not be read (its embedded text does not decode or parse).
pub(crate) struct Unreadable {
    pub location: Location,
    pub reason: String,
}

/// Every configuration of the repository.
pub(crate) struct Discovery<'a> {
    pub sources: Vec<Source<'a>>,
    pub unreadable: Vec<Unreadable>,
}

impl Discovery<'_> {
    /// The not-applicable reason when there is no configuration to read.
    pub(crate) fn none_reason(&self) -> String {
        if self.unreadable.is_empty() {
            "no Alertmanager configuration found (alertmanager.yml, a Secret embedding alertmanager.yaml, or an AlertmanagerConfig)".to_string()
        } else {
            format!(
                "no readable Alertmanager configuration ({} embedded config(s) could not be read: {})",
                self.unreadable.len(),
                self.unreadable
                    .iter()
                    .map(|u| format!("{}: {}", u.location, u.reason))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        }
    }
}

impl<'a> Source<'a> {
    pub(crate) fn is_crd(&self) -> bool {
        matches!(self.form, Form::Crd { .. })
    }

    /// ` at line N` for a node of the config, or nothing when its lines cannot be mapped
    /// back (base64, quoted string): every node then points at the key holding the config.
    pub(crate) fn at_line(&self, node: Node<'_>) -> String {
        match self.form {
            Form::Base64 | Form::StringData { mapped: false } => String::new(),
            _ => format!(" at line {}", node.line()),
        }
    }

    /// A note to append to messages when lines cannot point inside the config.
    pub(crate) fn position_note(&self) -> &'static str {
        match self.form {
            Form::Base64 => " (in the base64-encoded config: the line is the `data` key's)",
            Form::StringData { mapped: false } => {
                " (in the quoted embedded config: the line is its key's)"
            }
            _ => "",
        }
    }

    /// The model of the configuration.
    pub(crate) fn config(&self) -> Config<'_> {
        let root = match &self.root {
            Root::Borrowed(n) => Some(*n),
            Root::Owned(doc) => doc.root(),
        };
        let crd = self.is_crd();
        let keys = Keys::new(crd);
        let Some(root) = root.filter(|r| r.is_map()) else {
            return Config {
                crd,
                root: None,
                route: None,
                receivers: Vec::new(),
                inhibit_rules: Vec::new(),
            };
        };
        let route = root
            .entry("route")
            .filter(|(_, v)| v.is_map())
            .map(|(k, v)| build_route(k, v, &keys, 0));
        let receivers = root
            .get("receivers")
            .into_iter()
            .flat_map(|r| r.items())
            .filter(|r| r.is_map())
            .map(|node| Receiver {
                name_node: node.get("name"),
                integrations: node
                    .entries()
                    .filter(|(k, v)| {
                        k.as_str().is_some_and(|k| k.ends_with(keys.configs_suffix)) && v.is_seq()
                    })
                    .flat_map(|(k, v)| {
                        let kind = k.as_str().unwrap_or("");
                        v.items()
                            .filter(|i| i.is_map())
                            .map(move |node| Integration { kind, node })
                    })
                    .collect(),
            })
            .collect();
        let inhibit_rules = root
            .entry(keys.inhibit_rules)
            .map(|(_, v)| v)
            .into_iter()
            .flat_map(|r| r.items())
            .filter(|r| r.is_map())
            .map(|node| InhibitRule {
                node,
                source: side_matchers(node, "source", &keys),
                target: side_matchers(node, "target", &keys),
                equal: node.entry("equal"),
            })
            .collect();
        Config {
            crd,
            root: Some(root),
            route,
            receivers,
            inhibit_rules,
        }
    }
}

/// Key spellings: snake_case in alertmanager.yml, camelCase in AlertmanagerConfig.
struct Keys {
    crd: bool,
    configs_suffix: &'static str,
    inhibit_rules: &'static str,
}

impl Keys {
    fn new(crd: bool) -> Keys {
        Keys {
            crd,
            configs_suffix: if crd { "Configs" } else { "_configs" },
            inhibit_rules: if crd { "inhibitRules" } else { "inhibit_rules" },
        }
    }
}

/// The model of one configuration.
pub(crate) struct Config<'a> {
    pub crd: bool,
    /// The config's mapping (an AlertmanagerConfig's `spec`).
    pub root: Option<Node<'a>>,
    pub route: Option<Route<'a>>,
    pub receivers: Vec<Receiver<'a>>,
    pub inhibit_rules: Vec<InhibitRule<'a>>,
}

impl<'a> Config<'a> {
    pub(crate) fn receiver(&self, name: &str) -> Option<&Receiver<'a>> {
        self.receivers.iter().find(|r| r.name() == Some(name))
    }

    /// Every route of the tree, root first, depth first.
    pub(crate) fn routes(&self) -> Vec<&Route<'a>> {
        let mut out = Vec::new();
        if let Some(root) = &self.route {
            root.collect(&mut out);
        }
        out
    }
}

/// A route of the routing tree.
pub(crate) struct Route<'a> {
    /// The `route:` key for the root, the list item for a child route.
    pub key: Node<'a>,
    pub node: Node<'a>,
    pub depth: usize,
    /// The `receiver:` value.
    pub receiver: Option<Node<'a>>,
    pub matchers: Vec<Matcher>,
    pub continue_: bool,
    pub routes: Vec<Route<'a>>,
}

impl<'a> Route<'a> {
    pub(crate) fn receiver_name(&self) -> Option<&'a str> {
        self.receiver
            .and_then(|r| r.as_text())
            .map(str::trim)
            .filter(|r| !r.is_empty())
    }

    /// Whether an alert with `labels` matches this route's own matchers.
    pub(crate) fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.matchers.iter().all(|m| m.matches(labels))
    }

    /// `severity="critical", team=~"a|b"`, or `(no matchers)`.
    pub(crate) fn describe_matchers(&self) -> String {
        if self.matchers.is_empty() {
            return "no matchers".to_string();
        }
        self.matchers
            .iter()
            .map(Matcher::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn collect<'r>(&'r self, out: &mut Vec<&'r Route<'a>>) {
        out.push(self);
        for child in &self.routes {
            child.collect(out);
        }
    }

    /// Where an alert with `labels` is delivered, the way Alertmanager walks the tree: the
    /// first matching child (and the next ones while they `continue`), recursively; a route
    /// whose children do not match delivers itself. The root matches every alert.
    pub(crate) fn deliveries<'r>(
        &'r self,
        labels: &BTreeMap<String, String>,
    ) -> Vec<Delivery<'r, 'a>> {
        let mut out = Vec::new();
        self.walk(labels, None, &mut out);
        out
    }

    fn walk<'r>(
        &'r self,
        labels: &BTreeMap<String, String>,
        inherited: Option<Node<'a>>,
        out: &mut Vec<Delivery<'r, 'a>>,
    ) {
        let receiver = match self.receiver_name() {
            Some(_) => self.receiver,
            None => inherited,
        };
        let mut matched = false;
        for child in &self.routes {
            if child.matches(labels) {
                matched = true;
                child.walk(labels, receiver, out);
                if !child.continue_ {
                    break;
                }
            }
        }
        if !matched {
            out.push(Delivery {
                route: self,
                receiver,
            });
        }
    }
}

/// One place an alert is delivered: the route that took it and the receiver it names or
/// inherits.
pub(crate) struct Delivery<'r, 'a> {
    pub route: &'r Route<'a>,
    pub receiver: Option<Node<'a>>,
}

impl<'a> Delivery<'_, 'a> {
    pub(crate) fn receiver_name(&self) -> Option<&'a str> {
        self.receiver
            .and_then(|r| r.as_text())
            .map(str::trim)
            .filter(|r| !r.is_empty())
    }
}

fn build_route<'a>(key: Node<'a>, node: Node<'a>, keys: &Keys, depth: usize) -> Route<'a> {
    let mut matchers = Vec::new();
    if keys.crd {
        matchers.extend(crd_matchers(node.get("matchers")));
    } else {
        matchers.extend(legacy_matchers(node.get("match"), false));
        matchers.extend(legacy_matchers(node.get("match_re"), true));
        matchers.extend(string_matchers(node.get("matchers")));
    }
    let routes = node
        .get("routes")
        .into_iter()
        .flat_map(|r| r.items())
        .filter(|r| r.is_map())
        .map(|child| build_route(child, child, keys, depth + 1))
        .collect();
    Route {
        key,
        node,
        depth,
        receiver: node.get("receiver").filter(|r| r.is_scalar()),
        matchers,
        continue_: node.get("continue").and_then(|c| c.as_bool()) == Some(true),
        routes,
    }
}

/// A receiver and its integrations.
pub(crate) struct Receiver<'a> {
    pub name_node: Option<Node<'a>>,
    pub integrations: Vec<Integration<'a>>,
}

impl<'a> Receiver<'a> {
    pub(crate) fn name(&self) -> Option<&'a str> {
        self.name_node.and_then(|n| n.as_text())
    }
}

/// One entry of a receiver's `*_configs` (`slack_configs`, `pagerdutyConfigs`...).
pub(crate) struct Integration<'a> {
    /// `slack_configs`, `slackConfigs`...
    pub kind: &'a str,
    pub node: Node<'a>,
}

impl Integration<'_> {
    /// `slack`, `pagerduty`, `webhook`..., whatever the spelling.
    pub(crate) fn service(&self) -> String {
        self.kind
            .trim_end_matches("_configs")
            .trim_end_matches("Configs")
            .to_lowercase()
    }
}

/// An inhibit rule.
pub(crate) struct InhibitRule<'a> {
    pub node: Node<'a>,
    pub source: Vec<Matcher>,
    pub target: Vec<Matcher>,
    /// The `equal` key and value.
    pub equal: Option<(Node<'a>, Node<'a>)>,
}

fn side_matchers<'a>(rule: Node<'a>, side: &str, keys: &Keys) -> Vec<Matcher> {
    if keys.crd {
        return crd_matchers(rule.get(&format!("{side}Match")));
    }
    let mut out = legacy_matchers(rule.get(&format!("{side}_match")), false);
    out.extend(legacy_matchers(rule.get(&format!("{side}_match_re")), true));
    out.extend(string_matchers(rule.get(&format!("{side}_matchers"))));
    out
}

/// A matcher's operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    Eq,
    Ne,
    Re,
    Nre,
}

impl Op {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Op::Eq => "=",
            Op::Ne => "!=",
            Op::Re => "=~",
            Op::Nre => "!~",
        }
    }
}

/// Where a matcher was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Syntax {
    /// `match:` (deprecated).
    Match,
    /// `match_re:` (deprecated).
    MatchRe,
    /// `matchers:` strings.
    Matchers,
    /// AlertmanagerConfig `{name, value, matchType}`.
    Crd,
}

/// One label matcher.
#[derive(Clone, Debug)]
pub(crate) struct Matcher {
    pub name: String,
    pub op: Op,
    pub value: String,
    pub syntax: Syntax,
}

impl std::fmt::Display for Matcher {
    /// The `matchers:` syntax: `severity="critical"`, `team=~"a|b"`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}{}\"{}\"",
            self.name,
            self.op.as_str(),
            self.value.replace('\\', "\\\\").replace('"', "\\\"")
        )
    }
}

impl Matcher {
    /// Whether a label value satisfies the matcher (an absent label is the empty string).
    pub(crate) fn matches_value(&self, value: &str) -> bool {
        match self.op {
            Op::Eq => value == self.value,
            Op::Ne => value != self.value,
            Op::Re => anchored(&self.value).is_some_and(|r| r.is_match(value)),
            Op::Nre => anchored(&self.value).is_some_and(|r| !r.is_match(value)),
        }
    }

    pub(crate) fn matches(&self, labels: &BTreeMap<String, String>) -> bool {
        self.matches_value(labels.get(&self.name).map(String::as_str).unwrap_or(""))
    }

    /// Whether every label set `other` matches, this matcher matches too (conservative: false
    /// when it cannot tell).
    pub(crate) fn implied_by(&self, other: &Matcher) -> bool {
        if self.op == Op::Re && matches!(self.value.as_str(), ".*" | "(.*)") {
            return true;
        }
        if self.name != other.name {
            return false;
        }
        if self.op == other.op && self.value == other.value {
            return true;
        }
        other.op == Op::Eq && self.matches_value(&other.value)
    }
}

/// Alertmanager anchors regexes: `^(?:re)$`.
fn anchored(re: &str) -> Option<Regex> {
    Regex::new(&format!("^(?:{re})$")).ok()
}

/// `match: {severity: critical}` / `match_re: {severity: critical|warning}`.
fn legacy_matchers(map: Option<Node<'_>>, re: bool) -> Vec<Matcher> {
    map.into_iter()
        .flat_map(|m| m.entries())
        .filter_map(|(k, v)| {
            Some(Matcher {
                name: k.as_text()?.to_string(),
                op: if re { Op::Re } else { Op::Eq },
                value: v.as_text().unwrap_or("").to_string(),
                syntax: if re { Syntax::MatchRe } else { Syntax::Match },
            })
        })
        .collect()
}

/// `matchers: ['severity=~"critical|warning"', 'team = db']`.
fn string_matchers(list: Option<Node<'_>>) -> Vec<Matcher> {
    let mut out = Vec::new();
    for item in list.into_iter().flat_map(|l| l.items()) {
        let Some(text) = item.as_text() else { continue };
        for (name, op, value) in parse_matchers(text) {
            out.push(Matcher {
                name,
                op,
                value,
                syntax: Syntax::Matchers,
            });
        }
    }
    out
}

/// AlertmanagerConfig matchers: `[{name, value, matchType: "=~"}]` or the older `regex: true`.
fn crd_matchers(list: Option<Node<'_>>) -> Vec<Matcher> {
    list.into_iter()
        .flat_map(|l| l.items())
        .filter(|m| m.is_map())
        .filter_map(|m| {
            let name = m.get_str("name")?.to_string();
            let value = m.get("value").and_then(|v| v.as_text()).unwrap_or("");
            let op = match m.get_str("matchType") {
                Some("!=") => Op::Ne,
                Some("=~") => Op::Re,
                Some("!~") => Op::Nre,
                Some(_) => Op::Eq,
                None if m.get("regex").and_then(|r| r.as_bool()) == Some(true) => Op::Re,
                None => Op::Eq,
            };
            Some(Matcher {
                name,
                op,
                value: value.to_string(),
                syntax: Syntax::Crd,
            })
        })
        .collect()
}

/// Parses one `matchers:` string: `a="b", c=~d` with optional braces; values quoted (with
/// escapes) or bare.
pub(crate) fn parse_matchers(text: &str) -> Vec<(String, Op, String)> {
    let mut text = text.trim();
    if let Some(inner) = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        text = inner;
    }
    let mut parts = Vec::new();
    let (mut current, mut quoted, mut escaped) = (String::new(), false, false);
    for c in text.chars() {
        if escaped {
            escaped = false;
        } else if c == '\\' && quoted {
            escaped = true;
        } else if c == '"' {
            quoted = !quoted;
        } else if c == ',' && !quoted {
            parts.push(std::mem::take(&mut current));
            continue;
        }
        current.push(c);
    }
    parts.push(current);
    parts
        .iter()
        .filter_map(|p| parse_matcher(p.trim()))
        .collect()
}

fn parse_matcher(text: &str) -> Option<(String, Op, String)> {
    let at = text.find(['=', '!'])?;
    let (name, rest) = text.split_at(at);
    let (op, value) = if let Some(v) = rest.strip_prefix("=~") {
        (Op::Re, v)
    } else if let Some(v) = rest.strip_prefix("!~") {
        (Op::Nre, v)
    } else if let Some(v) = rest.strip_prefix("!=") {
        (Op::Ne, v)
    } else if let Some(v) = rest.strip_prefix('=') {
        (Op::Eq, v)
    } else {
        return None;
    };
    let name = name.trim().trim_matches('"');
    if name.is_empty() {
        return None;
    }
    let value = value.trim();
    let value = match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
        Some(inner) => unescape(inner),
        None => value.to_string(),
    };
    Some((name.to_string(), op, value))
}

fn unescape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Finds every configuration.
pub(crate) fn discover(ws: &Workspace) -> Discovery<'_> {
    let mut sources = Vec::new();
    let mut unreadable = Vec::new();
    for file in ws.files_of(FileKind::Yaml) {
        for doc in file.yaml_docs() {
            let Some(root) = doc.root().filter(|r| r.is_map()) else {
                continue;
            };
            if root.get("apiVersion").is_some() && root.get("kind").is_some() {
                continue;
            }
            let has_route = root.get("route").is_some_and(|r| r.is_map());
            if has_route
                && (file.name().starts_with("alertmanager") || root.get("receivers").is_some())
            {
                sources.push(Source {
                    path: file.path.clone(),
                    name: file.name().to_string(),
                    form: Form::File,
                    raw: None,
                    root: Root::Borrowed(root),
                });
            }
        }
    }
    // A Secret or ConfigMap generated by kustomize from a config file: the file is read on
    // its own (with its exact lines), not a second time through the generated object.
    let plain: std::collections::BTreeSet<String> =
        sources.iter().map(|s| s.path.clone()).collect();
    for obj in ws.kube_objects() {
        match obj.kind {
            "AlertmanagerConfig" if obj.group() == "monitoring.coreos.com" => {
                if let Some(spec) = obj.node.get("spec").filter(|s| s.is_map()) {
                    sources.push(Source {
                        path: obj.file.path.clone(),
                        name: obj.display_name(),
                        form: Form::Crd {
                            namespace: obj.namespace().map(str::to_string),
                        },
                        raw: None,
                        root: Root::Borrowed(spec),
                    });
                }
            }
            kind @ ("Secret" | "ConfigMap") if obj.group().is_empty() => {
                // A Secret's `data` is base64; a ConfigMap's is plain text.
                let fields: &[(&str, bool)] = if kind == "Secret" {
                    &[("stringData", false), ("data", true)]
                } else {
                    &[("data", false)]
                };
                for &(field, encoded) in fields {
                    let Some(map) = obj.node.get(field) else {
                        continue;
                    };
                    for (key, value) in map.entries() {
                        if !matches!(key.as_str(), Some("alertmanager.yaml" | "alertmanager.yml")) {
                            continue;
                        }
                        let Some(text) = value.as_text() else {
                            continue;
                        };
                        if plain.contains(&value.location(&obj.file.path).path) {
                            continue;
                        }
                        let key_loc = key.location(&obj.file.path);
                        let name = obj.display_name();
                        match embedded(ws, text, key, value, &key_loc, encoded) {
                            Ok((doc, form)) => sources.push(Source {
                                path: key_loc.path.clone(),
                                name,
                                raw: encoded.then(|| text.to_string()),
                                form,
                                root: Root::Owned(doc),
                            }),
                            Err(reason) => unreadable.push(Unreadable {
                                location: key_loc,
                                reason: format!("{name}: {reason}"),
                            }),
                        }
                    }
                }
            }
            _ => {}
        }
    }
    sources.sort_by(|a, b| a.path.cmp(&b.path));
    Discovery {
        sources,
        unreadable,
    }
}

/// Parses an embedded config, its positions moved into the enclosing file.
fn embedded(
    ws: &Workspace,
    text: &str,
    key: Node<'_>,
    value: Node<'_>,
    key_loc: &Location,
    encoded: bool,
) -> Result<(YamlDoc, Form), String> {
    let pin = key.start();
    let pinned = move |_: Pos| pin;
    let first = |docs: Vec<YamlDoc>| {
        docs.into_iter()
            .next()
            .ok_or_else(|| "the embedded config is empty".to_string())
    };
    if encoded {
        let bytes = base64_decode(text).ok_or("`data` value is not valid base64")?;
        let decoded = String::from_utf8(bytes).map_err(|_| "decoded config is not UTF-8")?;
        let docs = yaml::parse_mapped(&decoded, pinned)
            .map_err(|e| format!("the decoded config is not valid YAML: {}", e.message))?;
        return Ok((first(docs)?, Form::Base64));
    }
    let value_loc = value.location(&key_loc.path);
    if let Some((header, indent)) = literal_block(ws, key_loc, &value_loc, text) {
        let docs = yaml::parse_mapped(text, move |p| Pos {
            line: p.line + header,
            column: p.column + indent,
        })
        .map_err(|e| {
            format!(
                "line {}: the embedded config is not valid YAML: {}",
                e.line, e.message
            )
        })?;
        return Ok((first(docs)?, Form::StringData { mapped: true }));
    }
    let docs = yaml::parse_mapped(text, pinned)
        .map_err(|e| format!("the embedded config is not valid YAML: {}", e.message))?;
    Ok((first(docs)?, Form::StringData { mapped: false }))
}

/// For a literal block scalar (`key: |`), the line of its header (the key's line: content
/// line N is the file's line header + N) and the indentation of its content, when the file's
/// lines after the header hold exactly the embedded text.
fn literal_block(
    ws: &Workspace,
    key: &Location,
    value: &Location,
    text: &str,
) -> Option<(u32, u32)> {
    let file = ws.file(&key.path)?;
    let header = file.line_text(key.line)?;
    let after_key = header
        .chars()
        .skip(key.column.saturating_sub(1) as usize)
        .collect::<String>();
    let (_, indicator) = after_key.split_once(':')?;
    if !indicator.trim_start().starts_with('|') || value.path != key.path {
        return None;
    }
    let indent = value.column.saturating_sub(1);
    // Every line of the text must be the file's line without its indentation.
    for (i, expected) in text.lines().enumerate() {
        let actual = file.line_text(key.line + 1 + i as u32)?;
        let stripped = actual.get(indent as usize..).unwrap_or("");
        let blank = expected.trim().is_empty() && actual.trim().is_empty();
        if expected.trim_end() != stripped.trim_end() && !blank {
            return None;
        }
    }
    Some((key.line, indent))
}

/// Standard base64 (padding optional, whitespace ignored).
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            break;
        }
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn matcher(text: &str) -> (String, Op, String) {
        parse_matchers(text).into_iter().next().unwrap()
    }

    fn test_matcher(text: &str, value: &str) -> bool {
        let (name, op, v) = matcher(text);
        Matcher {
            name,
            op,
            value: v,
            syntax: Syntax::Matchers,
        }
        .matches_value(value)
    }

    #[test]
    fn parses_matcher_strings() {
        assert_eq!(
            matcher(r#"severity=~"critical|warning""#),
            ("severity".into(), Op::Re, "critical|warning".into())
        );
        assert_eq!(
            matcher("severity = critical"),
            ("severity".into(), Op::Eq, "critical".into())
        );
        assert_eq!(
            matcher(r#"team!="a\"b""#),
            ("team".into(), Op::Ne, "a\"b".into())
        );
        assert_eq!(matcher("a !~ x.*"), ("a".into(), Op::Nre, "x.*".into()));
        let many = parse_matchers(r#"{a="1,2", b=~"x"}"#);
        assert_eq!(many.len(), 2);
        assert_eq!(many[0].2, "1,2");
        assert!(parse_matchers("garbage").is_empty());
    }

    #[test]
    fn matcher_semantics_follow_alertmanager() {
        assert!(test_matcher("severity=critical", "critical"));
        assert!(!test_matcher("severity=critical", "critical2"));
        assert!(test_matcher("severity!=critical", ""));
        assert!(!test_matcher("severity!=critical", "critical"));
        // Regexes are anchored.
        assert!(test_matcher(r#"severity=~"crit|warn""#, "warn"));
        assert!(!test_matcher(r#"severity=~"crit|warn""#, "warning"));
        assert!(test_matcher(r#"severity!~"crit|warn""#, "warning"));
        // An absent label is the empty string.
        assert!(test_matcher(r#"team=~".*""#, ""));
        assert!(!test_matcher(r#"team=~".+""#, ""));
        assert!(test_matcher(r#"team="""#, ""));
    }

    #[test]
    fn routes_like_amtool() {
        let docs = yaml::parse(
            "route:\n  receiver: default\n  routes:\n  - matchers: ['severity=\"critical\"']\n    receiver: pager\n    continue: true\n  - match: {severity: critical}\n    receiver: slack\n  - match_re: {severity: warn.*}\n    receiver: slack\n    routes:\n    - matchers: [team=db]\n",
        )
        .unwrap();
        let source = Source {
            path: "a.yml".into(),
            name: "a.yml".into(),
            form: Form::File,
            raw: None,
            root: Root::Borrowed(docs[0].root().unwrap()),
        };
        let cfg = source.config();
        let root = cfg.route.as_ref().unwrap();
        let receivers = |l: &[(&str, &str)]| {
            root.deliveries(&labels(l))
                .iter()
                .map(|d| d.receiver_name().unwrap_or("-").to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(receivers(&[("severity", "critical")]), ["pager", "slack"]);
        assert_eq!(receivers(&[("severity", "warning")]), ["slack"]);
        // A child without a receiver inherits its parent's.
        assert_eq!(
            receivers(&[("severity", "warning"), ("team", "db")]),
            ["slack"]
        );
        assert_eq!(receivers(&[]), ["default"]);
        assert_eq!(cfg.routes().len(), 5);
    }

    #[test]
    fn generated_secrets_are_not_read_twice() {
        let ws = Workspace::from_texts(&[
            (
                "deploy/kustomization.yaml",
                "resources: []\nsecretGenerator:\n- name: alertmanager-main\n  files: [alertmanager.yaml]\n",
            ),
            (
                "deploy/alertmanager.yaml",
                "route:\n  receiver: x\nreceivers:\n- name: x\n",
            ),
        ]);
        assert!(
            ws.kube_objects().any(|o| o.kind == "Secret"),
            "the generator renders a Secret"
        );
        let found = discover(&ws);
        let names: Vec<_> = found.sources.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["alertmanager.yaml"]);
    }

    #[test]
    fn decodes_base64() {
        assert_eq!(base64_decode("cm91dGU6IHt9").unwrap(), b"route: {}");
        assert_eq!(base64_decode("YQ==").unwrap(), b"a");
        assert!(base64_decode("a*b").is_none());
    }

    #[test]
    fn embedded_configs_point_into_the_secret() {
        let secret = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: am\nstringData:\n  alertmanager.yaml: |-\n    route:\n      receiver: x\n    receivers:\n    - name: x\n";
        let encoded = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: am2\ndata:\n  alertmanager.yaml: cm91dGU6IHtyZWNlaXZlcjogeH0K\n";
        let quoted = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: am3\nstringData:\n  alertmanager.yml: \"route:\\n  receiver: y\\n\"\n";
        let ws =
            Workspace::from_texts(&[("s.yaml", secret), ("t.yaml", encoded), ("u.yaml", quoted)]);
        let found = discover(&ws);
        assert_eq!(found.sources.len(), 3);
        let cfg = found.sources[0].config();
        let recv = cfg.route.as_ref().unwrap().receiver.unwrap();
        let loc = recv.location(&found.sources[0].path);
        assert_eq!((loc.path.as_str(), loc.line, loc.column), ("s.yaml", 8, 17));
        assert_eq!(found.sources[0].form, Form::StringData { mapped: true });
        assert_eq!(cfg.receivers[0].name(), Some("x"));
        let cfg = found.sources[1].config();
        assert_eq!(found.sources[1].form, Form::Base64);
        let recv = cfg.route.as_ref().unwrap().receiver.unwrap();
        assert_eq!((recv.as_text(), recv.line()), (Some("x"), 6));
        let cfg = found.sources[2].config();
        assert_eq!(found.sources[2].form, Form::StringData { mapped: false });
        assert_eq!(cfg.route.as_ref().unwrap().receiver_name(), Some("y"));
    }
}
