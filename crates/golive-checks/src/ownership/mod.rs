//! Checks of the `ownership` catalogue section.

mod codeowners;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![&codeowners::Codeowners]
}
