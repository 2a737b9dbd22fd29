//! golive-report: one renderer per output format. Each is a pure function `Report -> String`;
//! renderers never compute results.

mod json;
mod text;

pub use json::render_json;
pub use text::{TextOptions, render_text};

/// The output formats golive can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &["text", "json"];

    pub fn parse(s: &str) -> Option<Format> {
        match s {
            "text" => Some(Format::Text),
            "json" => Some(Format::Json),
            _ => None,
        }
    }
}
