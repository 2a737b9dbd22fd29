//! Checks of the `k8s` catalogue section.

mod deprecated_api;
mod graceful_shutdown;
mod helm_values;
mod image_pull_policy;
mod liveness_probe;
mod pod_disruption_budget;
mod readiness_probe;
pub(crate) mod relations;
mod replicas;
mod resources;
mod rolling_update;
mod secrets_not_in_config;
mod security_context;
mod service_selects_pods;
mod startup_probe;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &deprecated_api::DeprecatedApi,
        &graceful_shutdown::GracefulShutdown,
        &helm_values::HelmValues,
        &image_pull_policy::ImagePullPolicy,
        &liveness_probe::LivenessProbe,
        &pod_disruption_budget::PodDisruptionBudget,
        &readiness_probe::ReadinessProbe,
        &replicas::ReplicasCheck,
        &resources::Resources,
        &rolling_update::RollingUpdate,
        &secrets_not_in_config::SecretsNotInConfig,
        &security_context::SecurityContext,
        &service_selects_pods::ServiceSelectsPods,
        &startup_probe::StartupProbe,
    ]
}
