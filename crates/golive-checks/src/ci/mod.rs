//! Checks of the `ci` catalogue section, and the readers of CI configuration they share with
//! testing/ci-runs-tests: GitHub Actions (`github`), GitLab CI and the other systems
//! (`pipelines`), package manifests (`manifests`), test commands (`test_commands`), and which
//! paths are the repository's own (`is_not_ours`).

pub(crate) mod github;
pub(crate) mod manifests;
pub(crate) mod pipelines;
pub(crate) mod test_commands;

mod lockfiles;
mod pinned_actions;
mod pipeline;
mod timeouts;
mod token_permissions;

use golive_core::Check;

/// Path components of folders whose manifests and code are not the repository's own build:
/// vendored dependencies, examples, test data, virtual environments.
const NOT_OURS: &[&str] = &[
    "vendor",
    "third_party",
    "third-party",
    "testdata",
    "fixtures",
    "__fixtures__",
    "examples",
    "node_modules",
    "bower_components",
    ".venv",
    "venv",
    "site-packages",
];

/// Whether a path is in a vendored, example or test-data folder, or is a template
/// (`{{cookiecutter.name}}/package.json`).
pub(crate) fn is_not_ours(path: &str) -> bool {
    path.contains("{{") || path.contains("{%") || path.split('/').any(|c| NOT_OURS.contains(&c))
}

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &pipeline::Pipeline,
        &timeouts::Timeouts,
        &pinned_actions::PinnedActions,
        &token_permissions::TokenPermissions,
        &lockfiles::Lockfiles,
    ]
}
