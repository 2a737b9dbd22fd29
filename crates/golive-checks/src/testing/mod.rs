//! Checks of the `testing` catalogue section.

mod ci_runs_tests;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![&ci_runs_tests::CiRunsTests]
}
