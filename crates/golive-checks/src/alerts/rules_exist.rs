use super::rules;
use golive_core::{Context, Evidence, Facet, Finding, Outcome, declare_check};
use std::collections::{BTreeMap, BTreeSet};

/// Facets that mean the repository deploys something that can break in production.
const DEPLOYS: [Facet; 5] = [
    Facet::Kubernetes,
    Facet::Helm,
    Facet::Kustomize,
    Facet::Terraform,
    Facet::Docker,
];

declare_check! {
    /// ## What it checks
    /// The repository defines Prometheus alerting rules: a rule file (`groups:` whose `rules:`
    /// hold `- alert:` rules, in YAML or in JSON as jsonnet writes it), a PrometheusRule object
    /// (`monitoring.coreos.com`, `spec.groups`, including inside multi-document files), rule
    /// groups anywhere in a chart's values file (kube-prometheus-stack's
    /// `additionalPrometheusRulesMap`, the prometheus chart's `serverFiles`), or a rule file
    /// embedded in a ConfigMap (`data: {alerts.yaml: |}`). Recording rules alone do not count:
    /// they compute series, they never notify anyone.
    ///
    /// A repository that deploys something (Kubernetes manifests, a Helm chart, Kustomize,
    /// Terraform or a Dockerfile) and has no alerting rule fails. It is not applicable only when
    /// the repository deploys nothing and holds no rule files (a library, a docs repository).
    /// A Helm template that declares a PrometheusRule, or alerts in a values file outside a
    /// `groups:` list, pass with a note: golive does not render charts, so those rules are not
    /// read (pass the rendered chart with `--manifests` to check them). Alerts kept in another
    /// repository (a central monitoring repo) are a waiver in golive.toml naming where they live.
    ///
    /// ## Why it matters
    /// Without alerts, the first to notice an outage are the users. The go-live checklists
    /// ask for it in so many words: "Alerts are configured at least for basic metrics so that
    /// CPU, memory, IOPS, disk space" (003, Alerts) and "Set up alerts / Solution has alerting
    /// in place" (004, Monitoring); the monitoring article (002) shows the flow from metrics
    /// to alert rules to Alertmanager to the on-call engineer.
    ///
    /// ## How to fix
    /// Keep the service's alerts next to its manifests, e.g. `deploy/alerts.yaml`:
    /// ```yaml
    /// apiVersion: monitoring.coreos.com/v1
    /// kind: PrometheusRule
    /// metadata:
    ///   name: checkout
    /// spec:
    ///   groups:
    ///   - name: checkout
    ///     rules:
    ///     - alert: CheckoutDown
    ///       expr: up{job="checkout"} == 0
    ///       for: 5m
    ///       labels:
    ///         severity: critical
    ///       annotations:
    ///         summary: Checkout is not being scraped
    ///         runbook_url: https://runbooks.example.com/checkout#down
    /// ```
    pub struct RulesExist {
        id: "alerts/rules-exist",
        title: "Prometheus alerting rules exist",
        category: Alerting,
        level: Silver,
        severity: Error,
        facets: [],
        seeds: [
            "003: Go-live checklist, Alerts: alerts are configured at least for basic metrics",
            "004: Production Ready Checklist, Monitoring: set up alerts; solution has alerting in place",
            "002: Monitoring & Alerting: metrics to alert rules to Alertmanager",
        ],
        fix: "add Prometheus alerting rules (a PrometheusRule object or a rule file with `- alert:` rules) for the service",
    }
}

impl golive_core::Check for RulesExist {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let rules = rules::discover(cx.ws);
        let alerts = rules.alert_count();
        let mut evidence = rules.unread.notes();
        if alerts > 0 {
            let per_source = rules::count_per_source(rules.alerts());
            evidence.extend(counts("alerting", &per_source));
            let files: BTreeSet<&str> = per_source.keys().map(|(p, _)| p.as_str()).collect();
            evidence.push(Evidence::note(format!(
                "{alerts} alerting rule(s) in {} file(s)",
                files.len()
            )));
            return Outcome::Pass(evidence);
        }
        if !rules.unread.is_empty() {
            // Rules exist but in files golive does not read: not a gap it can prove.
            return Outcome::Pass(evidence);
        }
        let recording = rules.rules.len();
        let deploys = DEPLOYS.iter().any(|f| cx.ws.has(*f));
        if !deploys && recording == 0 && !cx.ws.has(Facet::PrometheusRules) {
            return Outcome::not_applicable(
                "the repository deploys nothing (no Kubernetes manifests, Helm chart, Kustomize, Terraform or Dockerfile) and has no Prometheus rule files",
            );
        }
        let finding = if recording > 0 {
            evidence.extend(counts(
                "recording",
                &rules::count_per_source(rules.rules.iter()),
            ));
            Finding::repo(format!(
                "only recording rules ({recording}) and no alerting rule: recorded series notify no one"
            ))
        } else {
            Finding::repo(
                "no Prometheus alerting rules (no rule file with `- alert:` rules and no PrometheusRule object)",
            )
        };
        Outcome::from_findings(vec![finding], evidence)
    }
}

/// One evidence line per source: `N <what> rule(s) in <origin>`.
fn counts(what: &str, per_source: &BTreeMap<(String, u32), (String, usize)>) -> Vec<Evidence> {
    per_source
        .iter()
        .map(|((path, line), (origin, n))| {
            let message = format!("{n} {what} rule(s) in {origin}");
            match line {
                0 => Evidence::file(path, message),
                l => Evidence::at(path, *l, message),
            }
        })
        .collect()
}
