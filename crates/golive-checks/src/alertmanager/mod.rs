//! Checks of the Alertmanager rows of the `alerting` catalogue section, all reading the
//! configurations through one shared discovery (`config`).

mod config;
mod current_syntax;
mod inhibit;
mod no_inline_secrets;
mod routes;
mod send_resolved;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &routes::Routes,
        &send_resolved::SendResolved,
        &no_inline_secrets::NoInlineSecrets,
        &current_syntax::CurrentSyntax,
        &inhibit::Inhibit,
    ]
}
