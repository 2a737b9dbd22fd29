//! Checks of the `security` catalogue section ("Security and secrets") that read Terraform.

mod encryption_at_rest;
mod iam_users;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![&iam_users::IamUsers, &encryption_at_rest::EncryptionAtRest]
}
