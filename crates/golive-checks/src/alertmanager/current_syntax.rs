use super::config::{self, Matcher, Syntax};
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Alertmanager routes and inhibit rules use `matchers` (`source_matchers`,
    /// `target_matchers`) rather than the deprecated `match`/`match_re` (`source_match`,
    /// `source_match_re`, `target_match`, `target_match_re`). Each finding gives the
    /// equivalent line to write, e.g. `matchers: ['severity="critical"']` for
    /// `match: {severity: critical}` (`match_re` regexes become `=~` matchers: both are
    /// anchored).
    ///
    /// AlertmanagerConfig objects always use the current `{name, value, matchType}` form and
    /// pass. A config whose routes and inhibit rules match on nothing is not applicable.
    ///
    /// ## Why it matters
    /// `match` and `match_re` have been deprecated since Alertmanager 0.22 (2021) in favour of
    /// `matchers`, which also express `!=` and `!~` (impossible with the old syntax, which led
    /// to regex contortions) and follow the same syntax as silences and `amtool`. Deprecated
    /// fields are removed in a later major version, and an upgrade that drops them stops
    /// Alertmanager from loading the config: the monitoring article (002) routes every page
    /// through this file.
    ///
    /// ## How to fix
    /// ```yaml
    /// routes:
    /// - matchers: ['severity="critical"', 'team=~"db|storage"']
    ///   receiver: pagerduty
    /// inhibit_rules:
    /// - source_matchers: ['severity="critical"']
    ///   target_matchers: ['severity="warning"']
    ///   equal: [alertname, namespace]
    /// ```
    pub struct CurrentSyntax {
        id: "alertmanager/current-syntax",
        title: "Alertmanager configs use `matchers`, not deprecated `match`",
        category: Alerting,
        level: Silver,
        severity: Warning,
        facets: [Alertmanager],
        seeds: [
            "002: Monitoring & Alerting: Alertmanager routes alerts to the right receiver",
        ],
        fix: "replace `match`/`match_re` with `matchers: ['label=\"value\"', 'label=~\"regex\"']` (and `source_match`/`target_match` with `source_matchers`/`target_matchers`)",
    }
}

impl golive_core::Check for CurrentSyntax {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let found = config::discover(cx.ws);
        if found.sources.is_empty() {
            return Outcome::not_applicable(found.none_reason());
        }
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut matching = 0;
        for source in &found.sources {
            let cfg = source.config();
            let note = source.position_note();
            let mut current = std::collections::BTreeSet::new();
            let mut places: Vec<(Node<'_>, String, &[Matcher])> = Vec::new();
            for route in cfg.routes() {
                let what = if route.depth == 0 {
                    "the root route".to_string()
                } else {
                    format!(
                        "the route{}{}",
                        source.at_line(route.node),
                        route
                            .receiver_name()
                            .map(|r| format!(" to `{r}`"))
                            .unwrap_or_default()
                    )
                };
                places.push((route.node, what, &route.matchers));
            }
            for rule in &cfg.inhibit_rules {
                let what = format!("the inhibit rule{}", source.at_line(rule.node));
                places.push((rule.node, format!("{what} (source)"), &rule.source));
                places.push((rule.node, format!("{what} (target)"), &rule.target));
            }
            for (node, what, matchers) in places {
                if matchers.is_empty() {
                    continue;
                }
                matching += 1;
                let prefix = if what.ends_with("(source)") {
                    "source_"
                } else if what.ends_with("(target)") {
                    "target_"
                } else {
                    ""
                };
                let deprecated: Vec<&Matcher> = matchers
                    .iter()
                    .filter(|m| matches!(m.syntax, Syntax::Match | Syntax::MatchRe))
                    .collect();
                if deprecated.is_empty() {
                    current.insert(node.start());
                    continue;
                }
                let keys: Vec<String> = [("match", Syntax::Match), ("match_re", Syntax::MatchRe)]
                    .iter()
                    .filter(|(_, s)| deprecated.iter().any(|m| m.syntax == *s))
                    .map(|(k, _)| format!("{prefix}{k}"))
                    .collect();
                let at = keys
                    .first()
                    .and_then(|k| node.entry(k))
                    .map(|(k, _)| k)
                    .unwrap_or(node);
                let line = deprecated
                    .iter()
                    .map(|m| format!("'{}'", m.to_string().replace('\'', "''")))
                    .collect::<Vec<_>>()
                    .join(", ");
                let merge = if matchers.iter().any(|m| m.syntax == Syntax::Matchers) {
                    format!(" (merged into its existing `{prefix}matchers`)")
                } else {
                    String::new()
                };
                let what = what
                    .trim_end_matches(" (source)")
                    .trim_end_matches(" (target)");
                findings.push(Finding::at(
                    at.location(&source.path),
                    format!(
                        "{}: {what} uses deprecated `{}`: write `{prefix}matchers: [{line}]`{merge}{note}",
                        source.name,
                        keys.join("`/`")
                    ),
                ));
            }
            if !current.is_empty() {
                let current = current.len();
                evidence.push(Evidence::file(
                    &source.path,
                    if cfg.crd {
                        format!(
                            "{}: {current} route(s) and inhibit rule(s) use AlertmanagerConfig matchers",
                            source.name
                        )
                    } else {
                        format!(
                            "{}: {current} route(s) and inhibit rule(s) use `matchers`",
                            source.name
                        )
                    },
                ));
            }
        }
        if matching == 0 {
            return Outcome::not_applicable(
                "no Alertmanager route or inhibit rule matches on labels",
            );
        }
        Outcome::from_findings(findings, evidence)
    }
}
