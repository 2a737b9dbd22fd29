//! golive-report: one renderer per output format. Each is a pure function `Report -> String`;
//! renderers never compute results.

mod badge;
mod fleet;
mod github;
mod html;
mod json;
mod junit;
mod markdown;
pub mod readiness_md;
mod sarif;
mod text;

pub use badge::{badge_value, render_badge};
pub use fleet::{FleetEntry, render_fleet_json, render_fleet_markdown, render_fleet_text};
pub use github::render_github;
pub use html::render_html;
pub use json::render_json;
pub use junit::{render_junit, render_junit_fleet};
pub use markdown::render_markdown;
pub use sarif::render_sarif;
pub use text::{TextOptions, render_text};

use golive_core::Location;

/// `path:line: ` (or `path: ` for a whole file), for one-line listings.
pub(crate) fn location_text(loc: &Location) -> String {
    if loc.line > 0 {
        format!("{}:{}: ", loc.path, loc.line)
    } else {
        format!("{}: ", loc.path)
    }
}

/// Escapes text for HTML and XML content and attribute values, and drops the control characters
/// XML 1.0 cannot carry (tabs and line breaks stay).
pub(crate) fn markup(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::markup;

    #[test]
    fn markup_is_escaped_and_control_characters_dropped() {
        assert_eq!(
            markup("<script>\"x\" & 'y'\u{1}\n"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;\n"
        );
    }
}
