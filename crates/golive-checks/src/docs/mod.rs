//! Checks of the `docs` catalogue section.

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![]
}
