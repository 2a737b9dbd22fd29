//! Checks of the `terraform` catalogue section.

mod remote_state;
mod stack;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![&remote_state::RemoteState]
}
