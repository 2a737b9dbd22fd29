//! Checks of the `k8s` catalogue section.

mod autoscaling;
mod ingress_tls;
mod liveness_probe;
mod network_policy;
mod pod_disruption_budget;
mod readiness_probe;
pub(crate) mod relations;
mod replicas;
mod resources;
mod secrets_not_in_config;
mod service_selects_pods;
mod spread;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &autoscaling::Autoscaling,
        &ingress_tls::IngressTls,
        &liveness_probe::LivenessProbe,
        &network_policy::NetworkPolicy,
        &pod_disruption_budget::PodDisruptionBudget,
        &readiness_probe::ReadinessProbe,
        &replicas::ReplicasCheck,
        &resources::Resources,
        &secrets_not_in_config::SecretsNotInConfig,
        &service_selects_pods::ServiceSelectsPods,
        &spread::Spread,
    ]
}
