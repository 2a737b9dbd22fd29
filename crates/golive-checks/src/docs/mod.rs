//! Checks of the `docs` catalogue section.

mod changelog;
pub(crate) mod find;
pub(crate) mod outline;
mod readme;
mod runbook;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![&changelog::Changelog, &readme::Readme, &runbook::Runbook]
}
