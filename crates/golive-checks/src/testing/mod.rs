//! Checks of the `testing` catalogue section.

pub(crate) mod ecosystems;
mod unit_tests;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![&unit_tests::UnitTests]
}
