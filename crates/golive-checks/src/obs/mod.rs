//! Checks of the `obs` catalogue section: what lets people see the service running (metrics,
//! logs, traces, dashboards).

mod code;
mod dashboards;
mod deps;
mod log_level_config;
mod metrics;
mod structured_logging;
mod tracing;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &metrics::Metrics,
        &structured_logging::StructuredLogging,
        &tracing::Tracing,
        &dashboards::Dashboards,
        &log_level_config::LogLevelConfig,
    ]
}
