//! Checks of the `data and disaster recovery` catalogue section.

mod backups;
mod tf;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![&backups::Backups]
}
