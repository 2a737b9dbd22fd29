//! Checks of the `secrets` catalogue section.

pub(crate) mod committed;
pub(crate) mod rules;
pub(crate) mod scanner;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![&committed::Committed]
}
