use super::config::{self, Form, Matcher};
use golive_core::{Context, Evidence, Finding, Outcome, Severity, declare_check};

declare_check! {
    /// ## What it checks
    /// Every Alertmanager configuration (`alertmanager.yml`, or one embedded in a Secret) has
    /// `inhibit_rules`, and every inhibit rule, there or in an AlertmanagerConfig
    /// (`inhibitRules`), lists the labels source and target must share in `equal`.
    ///
    /// An AlertmanagerConfig without inhibit rules is not a finding: it adds routes for one
    /// namespace to a main configuration that holds the shared inhibit rules.
    ///
    /// ## Why it matters
    /// When a cluster goes down, every service on it fires: inhibition lets the one critical
    /// alert mute the warnings it causes, so the on-call engineer sees the cause instead of a
    /// storm (the monitoring article (002): fewer, actionable alerts; alert fatigue is how
    /// real pages get missed). An inhibit rule without `equal` is worse than none: a critical
    /// alert anywhere, for any service, silences the warnings of every other service,
    /// including the ones that matter. `equal: [alertname, namespace]` (or `cluster`,
    /// `service`) keeps the muting to the same problem.
    ///
    /// ## How to fix
    /// ```yaml
    /// inhibit_rules:
    /// - source_matchers: ['severity="critical"']
    ///   target_matchers: ['severity=~"warning|info"']
    ///   equal: [alertname, namespace]
    /// ```
    pub struct Inhibit {
        id: "alertmanager/inhibit",
        title: "Alertmanager inhibit rules exist and are scoped with `equal`",
        category: Alerting,
        level: Gold,
        severity: Error,
        facets: [Alertmanager],
        seeds: [
            "002: Monitoring & Alerting: reduce alert noise (alert fatigue), alerts must be actionable",
        ],
        fix: "add `inhibit_rules` that let critical alerts mute the warnings of the same problem, each with `equal: [alertname, namespace]` (or the labels that identify the problem)",
    }
}

impl golive_core::Check for Inhibit {
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
        for source in &found.sources {
            let cfg = source.config();
            let note = source.position_note();
            let key = if cfg.crd {
                "inhibitRules"
            } else {
                "inhibit_rules"
            };
            if cfg.inhibit_rules.is_empty() {
                if cfg.crd {
                    evidence.push(Evidence::file(
                        &source.path,
                        format!(
                            "{}: no `inhibitRules` (an AlertmanagerConfig adds to the main configuration's)",
                            source.name
                        ),
                    ));
                } else if let Some(root) = cfg.root {
                    let at = root
                        .entry("route")
                        .map(|(k, _)| k)
                        .unwrap_or(root)
                        .location(&source.path);
                    findings.push(
                        Finding::at(
                            at,
                            format!(
                                "{}: no `{key}`: when a critical alert fires, the warnings it causes fire and notify too{note}",
                                source.name
                            ),
                        )
                        .with_severity(Severity::Warning),
                    );
                }
                continue;
            }
            // The operator adds `namespace=<its namespace>` to both sides of a CRD's rules.
            let (anywhere, within) = match &source.form {
                Form::Crd {
                    namespace: Some(ns),
                } => ("", format!(" in namespace `{ns}`")),
                Form::Crd { namespace: None } => ("", " in its namespace".to_string()),
                _ => (", anywhere,", String::new()),
            };
            let mut scoped = Vec::new();
            for rule in &cfg.inhibit_rules {
                let labels: Vec<&str> = rule
                    .equal
                    .map(|(_, v)| {
                        v.items()
                            .filter_map(|i| i.as_text())
                            .filter(|t| !t.trim().is_empty())
                            .collect()
                    })
                    .unwrap_or_default();
                if labels.is_empty() {
                    let at = rule.equal.map(|(k, _)| k).unwrap_or(rule.node);
                    let what = if rule.equal.is_some() {
                        "an empty `equal`"
                    } else {
                        "no `equal`"
                    };
                    findings.push(Finding::at(
                        at.location(&source.path),
                        format!(
                            "{}: the inhibit rule{} has {what}: any alert matching {}{anywhere} mutes every alert matching {}{within}, whatever service or cluster it is about{note}",
                            source.name,
                            source.at_line(rule.node),
                            describe(&rule.source),
                            describe(&rule.target),
                        ),
                    ));
                } else {
                    let at = source.at_line(rule.node);
                    scoped.push(format!(
                        "{}equal [{}]",
                        at.strip_prefix(" at ")
                            .map(|l| format!("{l}: "))
                            .unwrap_or_default(),
                        labels.join(", ")
                    ));
                }
            }
            if !scoped.is_empty() {
                evidence.push(Evidence::file(
                    &source.path,
                    format!(
                        "{}: {} inhibit rule(s) scoped with `equal` ({})",
                        source.name,
                        scoped.len(),
                        scoped.join("; ")
                    ),
                ));
            }
        }
        Outcome::from_findings(findings, evidence)
    }
}

fn describe(matchers: &[Matcher]) -> String {
    if matchers.is_empty() {
        "anything".to_string()
    } else {
        format!(
            "`{}`",
            matchers
                .iter()
                .map(Matcher::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}
