//! Checks of the `k8s` catalogue section.

mod liveness_probe;
mod pod_disruption_budget;
mod probe_path_served;
mod readiness_probe;
pub(crate) mod relations;
mod replicas;
mod resources;
mod secrets_not_in_config;
mod service_selects_pods;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &liveness_probe::LivenessProbe,
        &pod_disruption_budget::PodDisruptionBudget,
        &probe_path_served::ProbePathServed,
        &readiness_probe::ReadinessProbe,
        &replicas::ReplicasCheck,
        &resources::Resources,
        &secrets_not_in_config::SecretsNotInConfig,
        &service_selects_pods::ServiceSelectsPods,
    ]
}
