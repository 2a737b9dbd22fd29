//! Checks of the `docker` catalogue section.

pub(crate) mod dockerfiles;
mod non_root;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![&non_root::NonRoot]
}
