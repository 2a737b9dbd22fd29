//! Checks of the `ci` catalogue section, and the readers of CI configuration they share with
//! testing/ci-runs-tests: GitHub Actions (`github`), GitLab CI and the other systems
//! (`pipelines`), package manifests (`manifests`), test commands (`test_commands`), and which
//! paths are the repository's own (`is_not_ours`).

pub(crate) mod commands;
pub(crate) mod github;
pub(crate) mod manifests;
pub(crate) mod pipelines;
pub(crate) mod test_commands;

mod dependency_updates;
mod lint;
mod lockfiles;
mod no_secrets_in_workflows;
mod pinned_actions;
mod pipeline;
mod security_scan;
mod timeouts;
mod token_permissions;

use golive_core::Check;

pub(crate) use crate::foreign::is_not_ours;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &pipeline::Pipeline,
        &timeouts::Timeouts,
        &pinned_actions::PinnedActions,
        &token_permissions::TokenPermissions,
        &lockfiles::Lockfiles,
        &no_secrets_in_workflows::NoSecretsInWorkflows,
        &lint::Lint,
        &security_scan::SecurityScan,
        &dependency_updates::DependencyUpdates,
    ]
}
