//! Checks of the `docker` catalogue section.

pub(crate) mod dockerfiles;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![]
}
