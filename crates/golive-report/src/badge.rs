//! The README badge: a flat SVG in the style READMEs already use ("golive | silver"), coloured by
//! level, self-contained (no fonts or images fetched).

use golive_core::{Level, Report};

/// Approximate width in pixels of text in 11px Verdana/DejaVu Sans (the badge font): wide and
/// narrow letters differ enough that one average width misaligns the text.
fn text_width(text: &str) -> u32 {
    text.chars()
        .map(|c| match c {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '!' | '|' | '\'' => 3,
            'f' | 't' | 'r' | 'I' | ' ' | '(' | ')' | '[' | ']' | '-' => 4,
            'm' | 'w' | 'M' | 'W' => 10,
            c if c.is_ascii_uppercase() || c.is_ascii_digit() || c == '%' => 8,
            _ => 7,
        })
        .sum()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The badge's value and colour for a report.
pub fn badge_value(report: &Report) -> (String, &'static str) {
    match report.level {
        Some(Level::Gold) => ("gold".into(), "#c9a227"),
        Some(Level::Silver) => ("silver".into(), "#8a9ba8"),
        Some(Level::Bronze) => ("bronze".into(), "#b0703c"),
        None => ("no level".into(), "#9f3a38"),
    }
}

/// An SVG badge `golive | <level>` (and the score), e.g. for `README.md`:
/// `![readiness](docs/golive-badge.svg)`.
pub fn render_badge(report: &Report) -> String {
    let label = "golive";
    let (level, color) = badge_value(report);
    let value = format!("{level} · {}%", report.score.percent);
    let (lw, vw) = (text_width(label) + 12, text_width(&value) + 12);
    let width = lw + vw;
    let title = format!(
        "production readiness: {level} (target {}), score {}%",
        report.target_level, report.score.percent
    );
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{title}">
  <title>{title}</title>
  <linearGradient id="s" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>
  <clipPath id="r"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>
  <g clip-path="url(#r)">
    <rect width="{lw}" height="20" fill="#555"/>
    <rect x="{lw}" width="{vw}" height="20" fill="{color}"/>
    <rect width="{width}" height="20" fill="url(#s)"/>
  </g>
  <g fill="#fff" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">
    <text x="{lx}" y="15" fill="#010101" fill-opacity=".3">{label}</text>
    <text x="{lx}" y="14">{label}</text>
    <text x="{vx}" y="15" fill="#010101" fill-opacity=".3">{value}</text>
    <text x="{vx}" y="14">{value}</text>
  </g>
</svg>
"##,
        title = escape(&title),
        lx = lw / 2,
        vx = lw + vw / 2,
        value = escape(&value),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_letters_take_more_room_than_narrow_ones() {
        assert!(text_width("mmm") > text_width("iii"));
        assert_eq!(text_width("golive"), 7 + 7 + 3 + 3 + 7 + 7);
    }
}
