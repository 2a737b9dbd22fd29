//! Checks of the `delivery` catalogue section, and what they share: CI jobs and their deploys
//! (`pipeline`), GitOps objects (`gitops`), deploy and rollback commands (`commands`), database
//! migrations (`migrations`), a SQL tokenizer (`sql`) and what a schema change does to data
//! (`schema_changes`).

pub(crate) mod gitops;
pub(crate) mod pipeline;

mod commands;
mod migrations;
mod schema_changes;
mod sql;

mod automated_deploy;
mod environments;
pub(crate) mod immutable_tags;
mod migrations_reversible;
pub(crate) mod production_gate;
mod progressive_rollout;
mod release_versioning;
mod rollback_path;
mod smoke_test;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &automated_deploy::AutomatedDeploy,
        &environments::Environments,
        &immutable_tags::ImmutableTags,
        &migrations_reversible::MigrationsReversible,
        &production_gate::ProductionGate,
        &progressive_rollout::ProgressiveRollout,
        &release_versioning::ReleaseVersioning,
        &rollback_path::RollbackPath,
        &smoke_test::SmokeTest,
    ]
}
