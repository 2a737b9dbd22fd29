//! Checks of the `terraform` catalogue section.

mod remote_state;
pub(crate) mod stack;
mod state_encryption;
mod state_locking;
mod version_pins;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &remote_state::RemoteState,
        &state_locking::StateLocking,
        &state_encryption::StateEncryption,
        &version_pins::VersionPins,
    ]
}
