//! Checks of the `security` catalogue section.

mod api_auth;
mod tls;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![&api_auth::ApiAuth, &tls::Tls]
}
