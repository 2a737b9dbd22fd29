use super::windows::{self, Shape};
use crate::alerts::{promql, rules};
use golive_core::kube::KubeObject;
use golive_core::parse::yaml::Node;
use golive_core::workspace::{FileKind, SourceFile};
use golive_core::{Context, Evidence, Finding, Location, Outcome, declare_check};
use std::collections::BTreeMap;

declare_check! {
    /// ## What it checks
    /// Every SLO has multi-window, multi-burn-rate alerts: a page for a fast burn of the error
    /// budget and a ticket for a slow one.
    ///
    /// SLO specs recognised:
    ///
    /// - Sloth service files (`version: prometheus/v1`) and `PrometheusServiceLevel` objects
    ///   (`sloth.slok.dev`): Sloth generates the page and ticket alerts of each SLO unless its
    ///   `alerting` says `page_alert.disable: true` / `ticket_alert.disable: true`
    ///   (`pageAlert` / `ticketAlert` in the CRD), or it has no `alerting` at all;
    /// - Pyrra `ServiceLevelObjective` objects (`pyrra.dev`): Pyrra generates four
    ///   multi-window alerts (critical and warning) unless `alerting.disabled: true` or
    ///   `alerting.burnrates: false`;
    /// - OpenSLO `SLO` documents (`openslo/v1`, `openslo/v1alpha`): their `alertPolicies`
    ///   (inline or `alertPolicyRef`) and the policies' `burnrate` conditions (inline or
    ///   `conditionRef` to an `AlertCondition`).
    ///
    /// Prometheus alerting rules (rule files and PrometheusRule objects) are read too: an alert
    /// that `and`s an error ratio over a long and a short window, each compared to a constant
    /// threshold (`factor * (1 - objective)`), is a multi-window burn-rate alert: the
    /// workbook's 1h & 5m and 6h & 30m pairs page, 1d & 2h and 3d & 6h open tickets. The ratio
    /// is a recording rule whose name ends in its window (`slo:sli_error:ratio_rate1h`,
    /// `job:slo_errors_per_request:ratio_rate1h`, `apiserver_request:burnrate1h`) or an inline
    /// division over one range (`sum(rate(errors[1h])) / sum(rate(requests[1h]))`).
    ///
    /// Findings:
    ///
    /// - an SLO spec whose generated alerts (page or ticket) are disabled, at the setting;
    /// - an OpenSLO SLO without a burn-rate alert policy, when no multi-window burn-rate rule
    ///   exists in the repository either;
    /// - a burn-rate alert over a single window (its threshold is `factor * budget`, or it
    ///   reads an SLO-named ratio), at its `expr`.
    ///
    /// A plain error-ratio threshold (`errors / requests > 0.05`) is not a burn-rate alert and
    /// is not judged. Not applicable when the repository has no SLO spec and no burn-rate
    /// alert: SLOs are a gold-level practice.
    ///
    /// ## Why it matters
    /// An SLO that nothing alerts on is a number on a dashboard. The Google SRE workbook
    /// (chapter 5, "Alerting on SLOs") shows why the alert must look at two windows: over a
    /// long window alone it pages late and keeps firing long after the service recovered; over
    /// a short window alone it pages on every blip. The multi-window, multi-burn-rate form
    /// pages within minutes of a fast burn, opens a ticket for a slow one, and resets as soon
    /// as the short window is clean. The checklists ask to "define and monitor SLOs for
    /// latency, availability, and error rates" and to "use these to trigger alerts" (001, SLOs),
    /// and for SLO and error-budget dashboards (000).
    ///
    /// ## How to fix
    /// Let an SLO generator write the alerts (Sloth, Pyrra), and keep both alerts enabled:
    /// ```yaml
    /// version: prometheus/v1
    /// service: checkout
    /// slos:
    ///   - name: requests-availability
    ///     objective: 99.9
    ///     sli:
    ///       events:
    ///         error_query: sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))
    ///         total_query: sum(rate(http_requests_total{job="checkout"}[{{.window}}]))
    ///     alerting:
    ///       name: CheckoutAvailability
    ///       page_alert: {labels: {severity: page}}
    ///       ticket_alert: {labels: {severity: ticket}}
    /// ```
    /// or write the workbook's rules by hand:
    /// ```yaml
    /// - alert: CheckoutErrorBudgetBurn
    ///   expr: |
    ///     job:slo_errors_per_request:ratio_rate1h{job="checkout"} > (14.4 * (1 - 0.999))
    ///     and job:slo_errors_per_request:ratio_rate5m{job="checkout"} > (14.4 * (1 - 0.999))
    ///   labels: {severity: page}
    /// ```
    pub struct BurnRateAlerts {
        id: "slo/burn-rate-alerts",
        title: "SLOs have multi-window burn-rate alerts",
        category: Alerting,
        level: Gold,
        severity: Warning,
        facets: [],
        seeds: [
            "001: Service Level Objectives (SLOs): define and monitor SLOs for latency, availability, and error rates; use these to trigger alerts",
            "000: SLA / SLO for the internal teams; SLO/SLA and error budget dashboards",
        ],
        fix: "alert on each SLO with multi-window burn rates: page when both the 1h and 5m (or 6h and 30m) error ratios exceed 14.4x (6x) the budget, ticket for 1d & 2h / 3d & 6h; Sloth and Pyrra generate these",
    }
}

/// One SLO of a spec, as far as its alerts go.
struct Spec {
    /// `Sloth SLO \`checkout/availability\``, for messages.
    what: String,
    location: Location,
    alerting: SpecAlerting,
}

enum SpecAlerting {
    /// The tool generates page and ticket alerts.
    Generated(String),
    /// Alerts explicitly disabled: (where, message).
    Disabled(Vec<(Location, String)>),
    /// The spec defines burn-rate alert conditions (OpenSLO).
    Conditions(String),
    /// No alerting in the spec: the rules must come from elsewhere.
    None(String),
    /// References what the repository does not hold: cannot tell.
    Unknown(String),
}

impl golive_core::Check for BurnRateAlerts {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let specs = specs(cx);
        let rules = rules::discover(cx.ws);
        let mut multi = Vec::new();
        let mut single = Vec::new();
        for alert in rules.alerts() {
            let Some((_, expr)) = alert.field("expr") else {
                continue;
            };
            let Some(parsed) = expr.as_text().map(promql::parse) else {
                continue;
            };
            let Some(e) = parsed.expr() else { continue };
            match windows::shape(e) {
                Shape::MultiWindow(pairs) => multi.push((alert, pairs)),
                Shape::SingleWindow(c) => single.push((alert, expr, c)),
                Shape::Other => {}
            }
        }
        if specs.is_empty() && multi.is_empty() && single.is_empty() {
            let mut reason =
                "no SLO spec (Sloth, Pyrra, OpenSLO) and no burn-rate alerting rule: the repository defines no SLO to alert on".to_string();
            if !rules.unread.is_empty() {
                reason.push_str(
                    "; some Helm files define rules golive does not read (templates need --manifests)",
                );
            }
            return Outcome::not_applicable(reason);
        }
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        for spec in &specs {
            match &spec.alerting {
                SpecAlerting::Generated(how) | SpecAlerting::Conditions(how) => {
                    evidence.push(Evidence::located(
                        &spec.location,
                        format!("{}: {how}", spec.what),
                    ));
                }
                SpecAlerting::Disabled(disabled) => {
                    for (location, message) in disabled {
                        findings.push(Finding::at(
                            location.clone(),
                            format!("{}: {message}", spec.what),
                        ));
                    }
                }
                SpecAlerting::None(why) if multi.is_empty() => {
                    findings.push(Finding::at(
                        spec.location.clone(),
                        format!(
                            "{}: {why}, and no multi-window burn-rate alerting rule exists in the repository",
                            spec.what
                        ),
                    ));
                }
                SpecAlerting::None(why) => evidence.push(Evidence::located(
                    &spec.location,
                    format!(
                        "{}: {why}; the repository's multi-window burn-rate rules are taken to cover it",
                        spec.what
                    ),
                )),
                SpecAlerting::Unknown(why) => evidence.push(Evidence::located(
                    &spec.location,
                    format!("{}: {why}", spec.what),
                )),
            }
        }
        for (alert, pairs) in &multi {
            let described: Vec<String> = pairs.iter().map(windows::Pair::describe).collect();
            evidence.push(Evidence::located(
                &alert.location(),
                format!(
                    "{} is a multi-window burn-rate alert: {}",
                    alert.describe(),
                    described.join("; ")
                ),
            ));
        }
        if !multi.is_empty() {
            let fast = multi.iter().any(|(_, p)| p.iter().any(|p| p.is_fast()));
            let slow = multi.iter().any(|(_, p)| p.iter().any(|p| !p.is_fast()));
            if !(fast && slow) {
                evidence.push(Evidence::note(if fast {
                    "no slow-burn (1d & 2h, 3d & 6h) rule: a budget burning over days opens no ticket"
                } else {
                    "no fast-burn (1h & 5m, 6h & 30m) rule: a budget burning in hours pages no one"
                }));
            }
        }
        for (alert, expr, condition) in &single {
            findings.push(Finding::at(
                expr.location(&alert.file.path),
                format!(
                    "{} alerts on an SLO error ratio over one window ({}) only: it either pages late or keeps firing after recovery",
                    alert.describe(),
                    condition.window
                ),
            ).with_help("`and` it with the same ratio over a short window (1h with 5m, 6h with 30m, 1d with 2h, 3d with 6h), as the SRE workbook's multi-window, multi-burn-rate alerts do"));
        }
        evidence.extend(rules.unread.notes());
        Outcome::from_findings(findings, evidence)
    }
}

/// Every SLO of every spec in the repository.
fn specs(cx: &Context<'_>) -> Vec<Spec> {
    let mut out = Vec::new();
    // Sloth service files: not Kubernetes objects.
    for file in cx.ws.files_of(FileKind::Yaml) {
        for doc in file.yaml_docs() {
            let Some(root) = doc.root() else { continue };
            if root.get_str("version").map(str::trim) != Some("prometheus/v1") {
                continue;
            }
            let service = root.get_str("service").unwrap_or("<unnamed>");
            for slo in root.get("slos").into_iter().flat_map(|s| s.items()) {
                out.push(sloth_slo(file, service, slo));
            }
        }
    }
    let objects: Vec<KubeObject<'_>> = cx.ws.kube_objects().collect();
    let openslo_named = |kind: &str| -> BTreeMap<&str, &KubeObject<'_>> {
        objects
            .iter()
            .filter(|o| o.api_version.starts_with("openslo/") && o.kind == kind)
            .filter_map(|o| o.name().map(|n| (n, o)))
            .collect()
    };
    let policies = openslo_named("AlertPolicy");
    let conditions = openslo_named("AlertCondition");
    for obj in &objects {
        match (obj.group(), obj.kind) {
            ("sloth.slok.dev", "PrometheusServiceLevel") => {
                let service = obj
                    .node
                    .path(&["spec", "service"])
                    .and_then(|s| s.as_str())
                    .or(obj.name())
                    .unwrap_or("<unnamed>");
                for slo in obj
                    .node
                    .path(&["spec", "slos"])
                    .into_iter()
                    .flat_map(|s| s.items())
                {
                    out.push(sloth_slo(obj.file, service, slo));
                }
            }
            ("pyrra.dev", "ServiceLevelObjective") => out.push(pyrra_slo(obj)),
            _ if obj.api_version.starts_with("openslo/") && obj.kind == "SLO" => {
                out.push(openslo_slo(obj, &policies, &conditions));
            }
            _ => {}
        }
    }
    out
}

fn sloth_slo(file: &SourceFile, service: &str, slo: Node<'_>) -> Spec {
    let name = slo.get_str("name").unwrap_or("<unnamed>");
    let what = format!("Sloth SLO `{service}/{name}`");
    let location = slo.get("name").unwrap_or(slo).location(&file.path);
    let Some(alerting) = slo.get("alerting").filter(|a| a.is_map()) else {
        return Spec {
            what,
            location,
            alerting: SpecAlerting::None(
                "has no `alerting` (Sloth generates its page and ticket alerts only from `alerting.name`)".to_string(),
            ),
        };
    };
    let mut disabled = Vec::new();
    for (keys, label, consequence) in [
        (
            ["page_alert", "pageAlert"],
            "page",
            "a fast burn of the error budget pages no one",
        ),
        (
            ["ticket_alert", "ticketAlert"],
            "ticket",
            "a slow burn that exhausts the budget over days raises nothing",
        ),
    ] {
        for key in keys {
            if let Some((_, value)) = alerting.get(key).and_then(|a| a.entry("disable"))
                && value.as_bool() == Some(true)
            {
                disabled.push((
                    value.location(&file.path),
                    format!("the {label} alert is disabled (`{key}.disable: true`): {consequence}"),
                ));
            }
        }
    }
    let alert_name = alerting.get_str("name");
    let alerting = if !disabled.is_empty() {
        SpecAlerting::Disabled(disabled)
    } else if alert_name.is_none_or(|n| n.trim().is_empty()) {
        SpecAlerting::None(
            "its `alerting` has no `name` (Sloth needs it to generate the page and ticket alerts)"
                .to_string(),
        )
    } else {
        SpecAlerting::Generated(format!(
            "Sloth generates its multi-window page and ticket alerts (`{}`)",
            alert_name.unwrap_or_default()
        ))
    };
    Spec {
        what,
        location,
        alerting,
    }
}

fn pyrra_slo(obj: &KubeObject<'_>) -> Spec {
    let what = format!("Pyrra {}", obj.display_name());
    let location = obj.location();
    let alerting = obj.node.path(&["spec", "alerting"]);
    let setting = |key: &str| alerting.and_then(|a| a.entry(key));
    let mut disabled = Vec::new();
    if let Some((_, v)) = setting("disabled")
        && v.as_bool() == Some(true)
    {
        disabled.push((
            v.location(&obj.file.path),
            "alerting is disabled (`alerting.disabled: true`): Pyrra generates no burn-rate alert for it".to_string(),
        ));
    }
    if let Some((_, v)) = setting("burnrates")
        && v.as_bool() == Some(false)
    {
        disabled.push((
            v.location(&obj.file.path),
            "burn-rate alerts are turned off (`alerting.burnrates: false`): a burning error budget pages no one".to_string(),
        ));
    }
    let alerting = if disabled.is_empty() {
        let name = alerting
            .and_then(|a| a.get_str("name"))
            .unwrap_or("ErrorBudgetBurn");
        SpecAlerting::Generated(format!(
            "Pyrra generates its multi-window burn-rate alerts (`{name}`, critical and warning)"
        ))
    } else {
        SpecAlerting::Disabled(disabled)
    };
    Spec {
        what,
        location,
        alerting,
    }
}

fn openslo_slo(
    obj: &KubeObject<'_>,
    policies: &BTreeMap<&str, &KubeObject<'_>>,
    conditions: &BTreeMap<&str, &KubeObject<'_>>,
) -> Spec {
    let what = format!("OpenSLO SLO `{}`", obj.name().unwrap_or("<unnamed>"));
    let location = obj.location();
    let refs: Vec<Node<'_>> = obj
        .node
        .path(&["spec", "alertPolicies"])
        .into_iter()
        .flat_map(|p| p.items())
        .collect();
    if refs.is_empty() {
        return Spec {
            what,
            location,
            alerting: SpecAlerting::None("has no `alertPolicies`".to_string()),
        };
    }
    let mut burn = Vec::new();
    let mut missing = Vec::new();
    for policy in refs {
        // `- my-policy` (v1alpha), `- alertPolicyRef: my-policy`, or an inline AlertPolicy.
        let spec = if let Some(name) = policy.as_str().or(policy.get_str("alertPolicyRef")) {
            match policies.get(name) {
                Some(p) => p.node.get("spec"),
                None => {
                    missing.push(format!("alert policy `{name}`"));
                    continue;
                }
            }
        } else {
            policy.get("spec")
        };
        for condition in spec
            .and_then(|s| s.get("conditions"))
            .into_iter()
            .flat_map(|c| c.items())
        {
            let spec = match condition.get_str("conditionRef") {
                Some(name) => match conditions.get(name) {
                    Some(c) => c.node.get("spec"),
                    None => {
                        missing.push(format!("alert condition `{name}`"));
                        continue;
                    }
                },
                None => condition.get("spec"),
            };
            let Some(spec) = spec else { continue };
            let Some(c) = spec.get("condition") else {
                continue;
            };
            if c.get_str("kind")
                .is_some_and(|k| k.eq_ignore_ascii_case("burnrate"))
            {
                let window = c.get_str("lookbackWindow").unwrap_or("?");
                let severity = spec.get_str("severity").unwrap_or("no severity");
                burn.push(format!("{severity} over {window}"));
            }
        }
    }
    let alerting = if !burn.is_empty() {
        SpecAlerting::Conditions(format!(
            "alert policies with {} burn-rate condition(s): {}",
            burn.len(),
            burn.join(", ")
        ))
    } else if !missing.is_empty() {
        SpecAlerting::Unknown(format!(
            "refers to {} not in the repository: not judged",
            missing.join(", ")
        ))
    } else {
        SpecAlerting::None("has no burn-rate condition in its alert policies".to_string())
    };
    Spec {
        what,
        location,
        alerting,
    }
}
