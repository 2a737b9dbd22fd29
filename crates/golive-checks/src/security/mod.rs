//! Checks of the `security` catalogue section ("Security and secrets"): front doors and API
//! authentication, and what Terraform says about IAM users and encryption at rest.

mod api_auth;
mod encryption_at_rest;
mod iam_users;
mod tls;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &api_auth::ApiAuth,
        &encryption_at_rest::EncryptionAtRest,
        &iam_users::IamUsers,
        &tls::Tls,
    ]
}
