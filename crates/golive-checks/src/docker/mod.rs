//! Checks of the `docker` catalogue section.

pub(crate) mod dockerfiles;
mod non_root;
mod pinned_base;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![&non_root::NonRoot, &pinned_base::PinnedBase]
}
