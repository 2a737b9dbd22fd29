//! Checks of the `delivery` catalogue section, and what they share: CI jobs and their deploys
//! (`pipeline`), GitOps objects (`gitops`).

pub(crate) mod gitops;
pub(crate) mod pipeline;

mod automated_deploy;
mod environments;
pub(crate) mod immutable_tags;
pub(crate) mod production_gate;
mod release_versioning;
mod smoke_test;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &immutable_tags::ImmutableTags,
        &automated_deploy::AutomatedDeploy,
        &environments::Environments,
        &production_gate::ProductionGate,
        &release_versioning::ReleaseVersioning,
        &smoke_test::SmokeTest,
    ]
}
