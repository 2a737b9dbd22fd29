//! Checks of the `docker` catalogue section.

pub(crate) mod builds;
pub(crate) mod dockerfiles;
mod dockerignore;
mod healthcheck;
mod multi_stage;
mod no_secrets;
mod non_root;
mod pinned_base;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &dockerignore::Dockerignore,
        &healthcheck::Healthcheck,
        &multi_stage::MultiStage,
        &no_secrets::NoSecrets,
        &non_root::NonRoot,
        &pinned_base::PinnedBase,
    ]
}
