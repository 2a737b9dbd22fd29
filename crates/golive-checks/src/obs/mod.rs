//! Checks of the `obs` catalogue section: what lets people see the service running (metrics,
//! logs, traces, dashboards).

mod code;
mod dashboards;
mod deps;
mod log_level_config;
mod metrics;
mod structured_logging;
mod tracing;

use golive_core::{Check, Facet, Workspace};

/// Why a check about a running service does not apply: the repository has neither service code
/// (no language ecosystem) nor anything deployable. None when it has either.
pub(crate) fn no_service(ws: &Workspace) -> Option<&'static str> {
    let service_code = ws.facets().iter().any(|f| f.is_ecosystem());
    let deployable = [Facet::Kubernetes, Facet::Helm, Facet::Docker]
        .iter()
        .any(|f| ws.has(*f));
    (!service_code && !deployable).then_some(
        "no service code (no language ecosystem) and nothing deployable (no Kubernetes manifests, Helm chart or Dockerfile)",
    )
}

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &metrics::Metrics,
        &structured_logging::StructuredLogging,
        &tracing::Tracing,
        &dashboards::Dashboards,
        &log_level_config::LogLevelConfig,
    ]
}
