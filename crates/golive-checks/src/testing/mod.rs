//! Checks of the `testing` catalogue section.

mod ci_runs_tests;
mod coverage;
pub(crate) mod ecosystems;
mod integration_tests;
mod load_tests;
mod unit_tests;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &ci_runs_tests::CiRunsTests,
        &unit_tests::UnitTests,
        &integration_tests::IntegrationTests,
        &coverage::Coverage,
        &load_tests::LoadTests,
    ]
}
