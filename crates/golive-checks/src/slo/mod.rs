//! Checks of the `slo` catalogue section: service level objectives (Sloth, Pyrra, OpenSLO specs)
//! and the burn-rate alerts that make them actionable.

mod burn_rate_alerts;
pub(crate) mod windows;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![&burn_rate_alerts::BurnRateAlerts]
}
