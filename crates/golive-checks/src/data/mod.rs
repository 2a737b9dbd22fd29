//! Checks of the `data and disaster recovery` catalogue section.

mod backups;
mod deletion_protection;
mod dr_plan;
mod tf;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &backups::Backups,
        &deletion_protection::DeletionProtection,
        &dr_plan::DrPlan,
    ]
}
