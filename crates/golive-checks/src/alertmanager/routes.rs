use super::config::{self, Config, Route, Source};
use crate::alerts::rules;
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Outcome, Severity, declare_check};
use std::collections::{BTreeMap, BTreeSet};

/// Severities that are not meant to notify anyone: reaching a receiver without integrations
/// is their normal fate (kube-prometheus routes `severity=none` to `null`).
const QUIET: [&str; 2] = ["none", "info"];

/// Labels that name the owning team, shown in the routing table when alerts carry them.
const TEAM_LABELS: [&str; 3] = ["team", "owner", "squad"];

declare_check! {
    /// ## What it checks
    /// Every Alertmanager routing tree routes by severity to receivers that exist, and no
    /// child route is shadowed by an earlier sibling.
    ///
    /// golive simulates routing the way `amtool config routes test` does: each alerting rule
    /// of the repository (its `alertname` and static labels) is sent down the tree (first
    /// matching child, the next ones only while `continue: true`; regexes anchored; an absent
    /// label is the empty string), and the evidence is the routing table
    /// (`severity=critical -> pagerduty`). Without alerting rules it routes
    /// `severity=critical`, `warning` and `info`. It reports:
    /// - a route naming a receiver that `receivers` does not define;
    /// - a child route that can never be reached: an earlier sibling without `continue: true`
    ///   matches every alert it matches (no matchers, or a looser version of its matchers);
    /// - a severity carried by the rules whose alerts only reach receivers with no
    ///   integrations (a "null" receiver): they notify no one (`info` and `none` are exempt);
    /// - a severity that falls through to the root's default receiver while a route matches
    ///   a near spelling of it (`warn` vs `warning`, `Critical` vs `critical`: matchers are
    ///   exact and case-sensitive; a warning). Other severities reaching the default
    ///   receiver are the usual "critical pages, the rest goes to Slack" design, shown in
    ///   the routing table only;
    /// - a tree that never matches on `severity` at all (a warning).
    ///
    /// - an embedded config that does not decode or parse (Alertmanager refuses to load it).
    ///
    /// Configs are read from `alertmanager.yml`, from Secrets embedding `alertmanager.yaml`
    /// (stringData or base64 data) and from AlertmanagerConfig objects. The operator
    /// restricts an AlertmanagerConfig's route to alerts of its namespace, so golive routes
    /// the alerts of the PrometheusRules of that namespace through it (the usual severities
    /// when there are none).
    ///
    /// ## Why it matters
    /// The monitoring article (002) routes by severity: "Critical = Page, Warning = Slack,
    /// Info = Email". A route naming a missing receiver makes Alertmanager refuse the whole
    /// configuration; a shadowed route silently never fires, so the team that owns the alert
    /// is never told; and a critical alert that lands on a receiver with no integrations pages
    /// no one, the failure the 003 checklist's "all alerts should be tracked" is about.
    ///
    /// ## How to fix
    /// ```yaml
    /// route:
    ///   receiver: slack
    ///   routes:
    ///   - matchers: ['severity="critical"']
    ///     receiver: pagerduty
    ///   - matchers: ['severity="warning"']
    ///     receiver: slack
    /// receivers:
    /// - name: pagerduty
    ///   pagerduty_configs:
    ///   - routing_key_file: /etc/alertmanager/secrets/pagerduty
    /// - name: slack
    ///   slack_configs:
    ///   - api_url_file: /etc/alertmanager/secrets/slack
    ///     channel: '#alerts'
    /// ```
    pub struct Routes {
        id: "alertmanager/routes",
        title: "Alertmanager routes alerts by severity to real receivers",
        category: Alerting,
        level: Silver,
        severity: Error,
        facets: [Alertmanager],
        seeds: [
            "002: Monitoring & Alerting: route by severity (Critical = Page, Warning = Slack, Info = Email)",
            "003: Go-live checklist, Alerts: all alerts should be tracked",
        ],
        fix: "route each severity (`matchers: ['severity=\"critical\"']`) to a receiver defined in `receivers` that has an integration, and order child routes from the most to the least specific",
    }
}

/// A team-like label and its value.
type Team = (String, String);

/// One alert (or simulated label set) to route.
#[derive(Clone)]
struct Probe {
    /// A made-up label set (no alerting rule to route).
    simulated: bool,
    /// The namespace of the PrometheusRule declaring the alert.
    namespace: Option<String>,
    labels: BTreeMap<String, String>,
    severity: String,
    team: Option<Team>,
}

impl golive_core::Check for Routes {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let found = config::discover(cx.ws);
        if found.sources.is_empty() && found.unreadable.is_empty() {
            return Outcome::not_applicable(found.none_reason());
        }
        let rules = rules::discover(cx.ws);
        let (probes, simulated) = probes(&rules);
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        if simulated {
            evidence.push(Evidence::note(
                "no alerting rules found: routed severity=critical, warning and info",
            ));
        }
        for source in &found.sources {
            let cfg = source.config();
            // An AlertmanagerConfig only receives alerts of its namespace: route the alerts of
            // the PrometheusRules of that namespace (or the usual severities when it has none).
            let scoped;
            let probes = match &source.form {
                config::Form::Crd {
                    namespace: Some(ns),
                } => {
                    scoped = probes
                        .iter()
                        .filter(|p| p.namespace.as_deref() == Some(ns.as_str()))
                        .cloned()
                        .collect::<Vec<_>>();
                    if scoped.is_empty() {
                        &synthetic()
                    } else {
                        &scoped[..]
                    }
                }
                _ => &probes[..],
            };
            check_config(source, &cfg, probes, &mut findings, &mut evidence);
        }
        // Alertmanager refuses a configuration it cannot parse: nothing is routed at all.
        for u in &found.unreadable {
            findings.push(Finding::at(
                u.location.clone(),
                format!("{}: Alertmanager cannot load it", u.reason),
            ));
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// `severity=critical`, `warning` and `info`, when there are no rules to route.
fn synthetic() -> Vec<Probe> {
    ["critical", "warning", "info"]
        .iter()
        .map(|s| Probe {
            simulated: true,
            namespace: None,
            labels: [("severity".to_string(), s.to_string())].into(),
            severity: s.to_string(),
            team: None,
        })
        .collect()
}

fn probes(rules: &rules::Rules<'_>) -> (Vec<Probe>, bool) {
    let alerts: Vec<_> = rules.alerts().collect();
    if alerts.is_empty() {
        return (synthetic(), true);
    }
    let probes = alerts
        .iter()
        .map(|alert| {
            let mut labels = BTreeMap::new();
            for map in [alert.group.get("labels"), alert.node.get("labels")]
                .into_iter()
                .flatten()
            {
                for (k, v) in map.entries() {
                    if let (Some(k), Some(v)) = (k.as_text(), v.as_text())
                        && !rules::is_templated(v)
                    {
                        labels.insert(k.to_string(), v.to_string());
                    }
                }
            }
            labels.insert("alertname".to_string(), alert.name().to_string());
            let severity = labels.get("severity").cloned().unwrap_or_default();
            let team = TEAM_LABELS
                .iter()
                .find_map(|t| labels.get(*t).map(|v| (t.to_string(), v.clone())));
            let namespace = match alert.origin {
                rules::Origin::PrometheusRule { namespace, .. } => namespace.map(str::to_string),
                // A rule file (plain, in Helm values or in a ConfigMap) is loaded by Prometheus
                // itself: its alerts carry no namespace of the object that holds it.
                rules::Origin::RuleFile
                | rules::Origin::HelmValues { .. }
                | rules::Origin::Embedded { .. } => None,
            };
            Probe {
                simulated: false,
                namespace,
                labels,
                severity,
                team,
            }
        })
        .collect();
    (probes, false)
}

fn check_config(
    source: &Source<'_>,
    cfg: &Config<'_>,
    probes: &[Probe],
    findings: &mut Vec<Finding>,
    evidence: &mut Vec<Evidence>,
) {
    let path = &source.path;
    let name = &source.name;
    let note = source.position_note();
    let Some(root) = &cfg.route else {
        let at = cfg.root.map(|r| r.location(path));
        let msg = format!("{name}: the configuration has no `route`{note}");
        findings.push(match at {
            Some(at) => Finding::at(at, msg),
            None => Finding::repo(msg),
        });
        return;
    };
    let defined: BTreeSet<&str> = cfg.receivers.iter().filter_map(|r| r.name()).collect();

    // Receivers that do not exist.
    if root.receiver_name().is_none() && !cfg.crd {
        findings.push(Finding::at(
            root.key.location(path),
            format!("{name}: the root route names no default `receiver`{note}"),
        ));
    }
    for route in cfg.routes() {
        if let (Some(recv), Some(node)) = (route.receiver_name(), route.receiver)
            && !defined.contains(recv)
        {
            findings.push(Finding::at(
                node.location(path),
                format!(
                    "{name}: {} names receiver `{recv}`, which `receivers` does not define{note}",
                    describe_route(source, route)
                ),
            ));
        }
    }

    // Shadowed siblings.
    for route in cfg.routes() {
        for (j, later) in route.routes.iter().enumerate() {
            let shadow = route.routes[..j]
                .iter()
                .find(|earlier| !earlier.continue_ && covers(earlier, later));
            if let Some(earlier) = shadow {
                findings.push(Finding::at(
                    later.node.location(path),
                    format!(
                        "{name}: {} is never reached: the earlier sibling{} ({}) matches every alert it matches and has no `continue: true`{note}",
                        describe_route(source, later),
                        source.at_line(earlier.node),
                        earlier.describe_matchers()
                    ),
                ));
            }
        }
    }

    // The routing table.
    // The severity values child routes name (`=` values and regex alternatives).
    let routed_severities: BTreeSet<String> = cfg
        .routes()
        .iter()
        .skip(1)
        .flat_map(|r| r.matchers.iter())
        .filter(|m| m.name == "severity" && matches!(m.op, config::Op::Eq | config::Op::Re))
        .flat_map(|m| m.value.split('|').map(str::to_string).collect::<Vec<_>>())
        .filter(|v| {
            v.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        })
        .collect();
    let by_severity = cfg
        .routes()
        .iter()
        .skip(1)
        .any(|r| r.matchers.iter().any(|m| m.name == "severity"));
    let scope = match &source.form {
        config::Form::Crd {
            namespace: Some(ns),
        } => format!(" (only alerts with namespace=\"{ns}\" reach it)"),
        config::Form::Crd { namespace: None } => {
            " (only alerts of its namespace reach it)".to_string()
        }
        _ => String::new(),
    };
    // (severity, team) -> receivers an alert reaches (`a + b`) -> alerts
    let mut table: BTreeMap<(String, Option<Team>), BTreeMap<String, usize>> = BTreeMap::new();
    // severity -> (alerts, whether any delivery reaches a receiver with integrations or an
    // undefined one, whether any leaves the root, the first delivery's receiver node or route)
    struct Fate<'n> {
        alerts: usize,
        simulated: bool,
        notifies: bool,
        routed: bool,
        receivers: BTreeSet<String>,
        at: Option<Node<'n>>,
    }
    let mut fates: BTreeMap<String, Fate<'_>> = BTreeMap::new();
    for probe in probes {
        let deliveries = root.deliveries(&probe.labels);
        let row = table
            .entry((probe.severity.clone(), probe.team.clone()))
            .or_default();
        let fate = fates.entry(probe.severity.clone()).or_insert(Fate {
            alerts: 0,
            simulated: probe.simulated,
            notifies: false,
            routed: false,
            receivers: BTreeSet::new(),
            at: None,
        });
        fate.alerts += 1;
        let reached: Vec<&str> = deliveries
            .iter()
            .map(|d| d.receiver_name().unwrap_or("<none>"))
            .collect();
        *row.entry(reached.join(" + ")).or_default() += 1;
        for d in &deliveries {
            let recv = d.receiver_name().unwrap_or("<none>");
            fate.receivers.insert(recv.to_string());
            let silent = d
                .receiver_name()
                .and_then(|r| cfg.receiver(r))
                .is_some_and(|r| r.integrations.is_empty());
            if !silent {
                fate.notifies = true;
            }
            if d.route.depth > 0 {
                fate.routed = true;
            }
            if fate.at.is_none() {
                fate.at = Some(d.receiver.unwrap_or(d.route.key));
            }
        }
    }
    let teams_shown = table.keys().any(|(_, t)| t.is_some());
    for ((severity, team), receivers) in &table {
        let mut key = format!("severity={}", show(severity));
        if teams_shown && let Some((label, value)) = team {
            key.push_str(&format!(",{label}={value}"));
        }
        let total: usize = receivers.values().sum();
        let to = if receivers.len() == 1 {
            receivers.keys().cloned().collect::<Vec<_>>().join("")
        } else {
            receivers
                .iter()
                .map(|(r, n)| format!("{r} ({n} of {total} alerts)"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        evidence.push(Evidence::located(
            &root.key.location(path),
            format!("{name}{scope}: {key} -> {to}"),
        ));
    }

    for (severity, fate) in &fates {
        if QUIET.contains(&severity.to_lowercase().as_str()) {
            continue;
        }
        let Some(at) = fate.at else { continue };
        let receivers = fate
            .receivers
            .iter()
            .map(|r| format!("`{r}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let alerts = if fate.simulated {
            String::new()
        } else {
            format!(" ({})", plural(fate.alerts, "alert"))
        };
        if !fate.notifies {
            findings.push(Finding::at(
                at.location(path),
                format!(
                    "{name}: severity={}{alerts} only reaches receiver(s) {receivers} with no integrations: these alerts notify no one{note}",
                    show(severity)
                ),
            ));
        } else if !fate.routed
            && let Some(near) = near_miss(severity, &routed_severities)
        {
            findings.push(
                Finding::at(
                    at.location(path),
                    format!(
                        "{name}: severity={}{alerts} matches no child route and falls through to the root's default receiver {receivers}, while a route matches severity `{near}` (matchers are case-sensitive and exact: a spelling mismatch?){note}",
                        show(severity)
                    ),
                )
                .with_severity(Severity::Warning),
            );
        }
    }
    if !by_severity {
        findings.push(
            Finding::at(
                root.key.location(path),
                format!(
                    "{name}: the routing tree never matches on `severity`: critical and warning alerts reach the same receivers{note}"
                ),
            )
            .with_severity(Severity::Warning),
        );
    }
}

/// A severity value routes name that looks like a misspelling of `severity` (`warn` for
/// `warning`, `Critical` for `critical`).
fn near_miss<'v>(severity: &str, routed: &'v BTreeSet<String>) -> Option<&'v str> {
    let s = severity.to_lowercase();
    if s.is_empty() {
        return None;
    }
    routed
        .iter()
        .find(|v| {
            let v = v.to_lowercase();
            v != severity && (v == s || v.starts_with(&s) || s.starts_with(&v))
        })
        .map(String::as_str)
}

/// Whether every alert `later` matches is matched by `earlier` too.
fn covers(earlier: &Route<'_>, later: &Route<'_>) -> bool {
    earlier
        .matchers
        .iter()
        .all(|m| later.matchers.iter().any(|l| m.implied_by(l)))
}

fn describe_route(source: &Source<'_>, route: &Route<'_>) -> String {
    if route.depth == 0 {
        "the root route".to_string()
    } else {
        format!(
            "the route{} ({})",
            source.at_line(route.node),
            route.describe_matchers()
        )
    }
}

fn show(severity: &str) -> &str {
    if severity.is_empty() {
        "\"\""
    } else {
        severity
    }
}

fn plural(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use golive_core::workspace::Workspace;

    fn cover(earlier: &str, later: &str) -> bool {
        let text = format!("route:\n  receiver: r\n  routes:\n  - {earlier}\n  - {later}\n");
        let ws = Workspace::from_texts(&[("alertmanager.yml", text.as_str())]);
        let found = config::discover(&ws);
        let cfg = found.sources[0].config();
        let root = cfg.route.as_ref().unwrap();
        covers(&root.routes[0], &root.routes[1])
    }

    #[test]
    fn shadowing_is_conservative() {
        assert!(cover(
            "receiver: a",
            "{matchers: [severity=critical], receiver: b}"
        ));
        assert!(cover(
            "{matchers: ['severity=~\"critical|warning\"'], receiver: a}",
            "{matchers: [severity=critical, team=db], receiver: b}"
        ));
        assert!(cover(
            "{match: {severity: critical}, receiver: a}",
            "{matchers: ['severity=\"critical\"'], receiver: b}"
        ));
        assert!(!cover(
            "{matchers: [severity=critical, team=db], receiver: a}",
            "{matchers: [severity=critical], receiver: b}"
        ));
        assert!(!cover(
            "{matchers: ['severity=~\"crit.*\"'], receiver: a}",
            "{matchers: ['severity=~\"critical|warning\"'], receiver: b}"
        ));
        assert!(cover(
            "{matchers: ['team!=\"db\"'], receiver: a}",
            "{matchers: [team=web], receiver: b}"
        ));
    }
}
