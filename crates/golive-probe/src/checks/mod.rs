//! The live checks, one per file (`live/<name>` is `<name>.rs`).

use crate::context::LiveCheck;

pub mod correlation_id;
pub mod error_hygiene;
pub mod health;
pub mod keepalive;
pub mod payload_limit;
pub mod security_headers;
pub mod traces;

/// Every live check, in catalogue order.
pub fn all() -> Vec<&'static dyn LiveCheck> {
    vec![
        &health::Health,
        &error_hygiene::ErrorHygiene,
        &payload_limit::PayloadLimit,
        &correlation_id::CorrelationId,
        &security_headers::SecurityHeaders,
        &keepalive::Keepalive,
    ]
}
