//! Checks of the `security` catalogue section.

mod tls;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![&tls::Tls]
}
