//! Checks of the `alerts` catalogue section: Prometheus alerting rules (rule files and
//! PrometheusRule objects), all reading them through one shared discovery (`rules`).

mod annotations;
mod for_duration;
mod golden_signals;
mod metrics_exported;
pub(crate) mod promql;
mod promql_valid;
mod ratio_aggregated;
pub(crate) mod rules;
mod rules_exist;
mod runbook;
mod severity_label;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &rules_exist::RulesExist,
        &promql_valid::PromqlValid,
        &for_duration::ForDuration,
        &severity_label::SeverityLabel,
        &annotations::Annotations,
        &runbook::Runbook,
        &metrics_exported::MetricsExported,
        &golden_signals::GoldenSignals,
        &ratio_aggregated::RatioAggregated,
    ]
}
