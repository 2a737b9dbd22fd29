//! golive-report: one renderer per output format. Each is a pure function `Report -> String`;
//! renderers never compute results.

mod badge;
mod fleet;
mod github;
mod html;
mod json;
mod junit;
mod markdown;
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
