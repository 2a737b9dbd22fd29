//! The JSON report: the versioned contract documented in docs/json-report.md.

use golive_core::Report;

/// Pretty-printed JSON with a trailing newline. Only `timings` differs between runs on the
/// same input.
pub fn render_json(report: &Report) -> String {
    // Serialising plain data structures cannot fail; fall back to an explicit error object
    // rather than panicking if it ever did.
    match serde_json::to_string_pretty(report) {
        Ok(mut s) => {
            s.push('\n');
            s
        }
        Err(e) => format!("{{\"error\": \"could not serialise the report: {e}\"}}\n"),
    }
}
