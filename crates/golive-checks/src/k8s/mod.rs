//! Checks of the `k8s` catalogue section.

mod readiness_probe;
pub(crate) mod relations;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![&readiness_probe::ReadinessProbe]
}
