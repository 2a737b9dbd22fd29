//! Checks of the `terraform` catalogue section.

mod remote_state;
mod stack;
mod state_encryption;
mod state_locking;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &remote_state::RemoteState,
        &state_locking::StateLocking,
        &state_encryption::StateEncryption,
    ]
}
