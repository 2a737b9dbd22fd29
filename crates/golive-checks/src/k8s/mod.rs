//! Checks of the `k8s` catalogue section.

mod autoscaling;
mod deprecated_api;
mod graceful_shutdown;
mod helm_values;
mod image_pull_policy;
pub(crate) mod images;
mod ingress_tls;
mod liveness_probe;
mod network_policy;
mod pod_disruption_budget;
mod probe_path_served;
mod readiness_probe;
pub(crate) mod relations;
mod replicas;
mod resources;
mod rolling_update;
pub(crate) mod secrets_not_in_config;
mod security_context;
mod service_selects_pods;
mod spread;
mod startup_probe;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &autoscaling::Autoscaling,
        &deprecated_api::DeprecatedApi,
        &graceful_shutdown::GracefulShutdown,
        &helm_values::HelmValues,
        &image_pull_policy::ImagePullPolicy,
        &ingress_tls::IngressTls,
        &liveness_probe::LivenessProbe,
        &network_policy::NetworkPolicy,
        &pod_disruption_budget::PodDisruptionBudget,
        &probe_path_served::ProbePathServed,
        &readiness_probe::ReadinessProbe,
        &replicas::ReplicasCheck,
        &resources::Resources,
        &rolling_update::RollingUpdate,
        &secrets_not_in_config::SecretsNotInConfig,
        &security_context::SecurityContext,
        &service_selects_pods::ServiceSelectsPods,
        &spread::Spread,
        &startup_probe::StartupProbe,
    ]
}
