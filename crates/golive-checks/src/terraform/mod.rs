//! Checks of the `terraform` catalogue section.

mod no_hardcoded_credentials;
mod remote_state;
pub(crate) mod resolve;
pub(crate) mod stack;
mod state_bucket_versioning;
mod state_encryption;
mod state_locking;
mod version_pins;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &remote_state::RemoteState,
        &state_locking::StateLocking,
        &state_encryption::StateEncryption,
        &state_bucket_versioning::StateBucketVersioning,
        &version_pins::VersionPins,
        &no_hardcoded_credentials::NoHardcodedCredentials,
    ]
}
