use super::config;
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};
use std::collections::BTreeMap;

/// Integrations whose `send_resolved` defaults to false in Alertmanager (config/notifiers.go:
/// DefaultEmailConfig, DefaultSlackConfig, DefaultRocketchatConfig, DefaultWechatConfig); every
/// other integration (PagerDuty, Opsgenie, webhook, MS Teams, Telegram, SNS...) defaults to true.
const OFF_BY_DEFAULT: [&str; 4] = ["email", "slack", "rocketchat", "wechat"];

declare_check! {
    /// ## What it checks
    /// Every integration of every Alertmanager receiver sends resolved notifications: it does
    /// not set `send_resolved: false` (`sendResolved` in an AlertmanagerConfig), and the
    /// integrations whose default is false (`email_configs`, `slack_configs`,
    /// `rocketchat_configs`, `wechat_configs`) set it to true. PagerDuty, Opsgenie, webhook,
    /// VictorOps, MS Teams, Telegram, Discord, SNS and the others default to true and pass
    /// without it.
    ///
    /// A templated value is accepted with a note. Receivers without integrations (a "null"
    /// receiver) have nothing to send and are `alertmanager/routes`' concern.
    ///
    /// ## Why it matters
    /// Without the resolved notification, the channel only ever says that things broke: the
    /// on-call engineer cannot tell from Slack whether the incident is over, and alerts that
    /// fire and clear on their own stay "open" in everyone's head. The monitoring article (002)
    /// wants alerts to be actionable, and the 003 checklist asks that "all alerts should be
    /// tracked": the end of an alert is part of tracking it.
    ///
    /// ## How to fix
    /// ```yaml
    /// receivers:
    /// - name: slack
    ///   slack_configs:
    ///   - api_url_file: /etc/alertmanager/secrets/slack
    ///     channel: '#alerts'
    ///     send_resolved: true
    /// ```
    pub struct SendResolved {
        id: "alertmanager/send-resolved",
        title: "Alertmanager receivers send resolved notifications",
        category: Alerting,
        level: Silver,
        severity: Warning,
        facets: [Alertmanager],
        seeds: [
            "002: Monitoring & Alerting: alerts are actionable and tracked to resolution",
            "003: Go-live checklist, Alerts: all alerts should be tracked",
        ],
        fix: "set `send_resolved: true` on the integration (email and Slack default to false)",
    }
}

impl golive_core::Check for SendResolved {
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
        let mut integrations = 0;
        for source in &found.sources {
            let cfg = source.config();
            let key = if cfg.crd {
                "sendResolved"
            } else {
                "send_resolved"
            };
            let note = source.position_note();
            // service -> (integrations sending resolved, by default)
            let mut fine: BTreeMap<String, (usize, usize)> = BTreeMap::new();
            let mut templated = 0;
            for receiver in &cfg.receivers {
                let rname = receiver.name().unwrap_or("<unnamed>");
                for integration in &receiver.integrations {
                    integrations += 1;
                    let service = integration.service();
                    let what = format!(
                        "{}: receiver `{rname}`: `{}` entry",
                        source.name, integration.kind
                    );
                    match integration.node.get(key) {
                        Some(value) => match value.as_bool() {
                            Some(true) => fine.entry(service).or_default().0 += 1,
                            Some(false) => findings.push(Finding::at(
                                value.location(&source.path),
                                format!(
                                    "{what} sets `{key}: false`: the channel is never told the alert resolved{note}"
                                ),
                            )),
                            None => templated += 1,
                        },
                        None if OFF_BY_DEFAULT.contains(&service.as_str()) => {
                            findings.push(Finding::at(
                                integration.node.location(&source.path),
                                format!(
                                    "{what} does not set `{key}`, which defaults to false for {service}: the channel is never told the alert resolved{note}"
                                ),
                            ))
                        }
                        None => fine.entry(service).or_default().1 += 1,
                    }
                }
            }
            for (service, (explicit, default)) in &fine {
                let how = match (explicit, default) {
                    (e, 0) => format!("{e} with `{key}: true`"),
                    (0, d) => format!("{d} by default (true for {service})"),
                    (e, d) => format!("{e} with `{key}: true`, {d} by default"),
                };
                evidence.push(Evidence::file(
                    &source.path,
                    format!(
                        "{}: {service} integration(s) send resolved notifications: {how}",
                        source.name
                    ),
                ));
            }
            if templated > 0 {
                evidence.push(Evidence::file(
                    &source.path,
                    format!(
                        "{}: {templated} templated `{key}` value(s) accepted",
                        source.name
                    ),
                ));
            }
        }
        if integrations == 0 {
            return Outcome::not_applicable(
                "no Alertmanager receiver has an integration (every receiver is empty): nothing sends notifications",
            );
        }
        Outcome::from_findings(findings, evidence)
    }
}
