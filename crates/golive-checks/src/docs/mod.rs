//! Checks of the `docs` catalogue section.

mod architecture;
mod changelog;
pub(crate) mod find;
pub(crate) mod outline;
mod readme;
mod runbook;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &architecture::Architecture,
        &changelog::Changelog,
        &readme::Readme,
        &runbook::Runbook,
    ]
}
