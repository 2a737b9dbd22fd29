//! Checks of the `docs` catalogue section.

pub(crate) mod find;
pub(crate) mod outline;
mod readme;
mod runbook;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![&readme::Readme, &runbook::Runbook]
}
