//! Markdown outline: headings with GitHub-style anchors, and link/image targets (via pulldown-cmark).
//!
//! The document is read as GitHub-flavoured Markdown: tables, footnotes, strikethrough, task lists,
//! math, GFM alerts, and YAML front matter (so a `---` block at the top is not a setext heading).
//! Heading attributes (`{#id}`), wiki links and definition lists are off, as on GitHub.

use crate::text::{LineIndex, strip_bom};
use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use std::collections::HashMap;

/// A heading (ATX `#` or setext `===`/`---`); headings in code blocks or HTML are not headings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    /// 1 to 6.
    pub level: u8,
    /// The heading's plain text: inline markup, HTML tags and image alt text left out.
    pub text: String,
    /// 1-based line where the heading starts.
    pub line: u32,
    /// The anchor GitHub gives the heading (without `#`): lowercased, punctuation removed, spaces
    /// turned into `-`; a repeated slug gets `-1`, `-2`, ….
    pub anchor: String,
}

/// The target of a link, autolink or image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// The destination as written (reference links resolved); email autolinks get `mailto:`.
    pub url: String,
    /// 1-based line where the link starts.
    pub line: u32,
    /// An image (`![alt](src)`) rather than a link.
    pub image: bool,
}

/// What golive reads from a Markdown file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Markdown {
    pub headings: Vec<Heading>,
    pub links: Vec<Link>,
}

impl Markdown {
    /// The heading with this anchor (`#` prefix optional), e.g. to check `[see](#install)`.
    pub fn heading_by_anchor(&self, anchor: &str) -> Option<&Heading> {
        let anchor = anchor.strip_prefix('#').unwrap_or(anchor);
        self.headings.iter().find(|h| h.anchor == anchor)
    }
}

/// Reads headings and links from Markdown text. A leading BOM is ignored.
pub fn parse(text: &str) -> Markdown {
    let (text, _) = strip_bom(text);
    let index = LineIndex::new(text);
    let line_of = |offset: usize| index.position(text, offset).0;
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_MATH
        | Options::ENABLE_GFM
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;

    let mut markdown = Markdown::default();
    let mut slugs = Slugger::default();
    // (level, text so far, line) of the heading being read.
    let mut heading: Option<(u8, String, u32)> = None;
    let mut image_depth = 0usize;

    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level as u8, String::new(), line_of(range.start)));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, raw, line)) = heading.take() {
                    let text = raw.trim().to_string();
                    let anchor = slugs.slug(&text);
                    markdown.headings.push(Heading {
                        level,
                        text,
                        line,
                        anchor,
                    });
                }
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => {
                let url = match link_type {
                    LinkType::Email => format!("mailto:{dest_url}"),
                    _ => dest_url.to_string(),
                };
                markdown.links.push(Link {
                    url,
                    line: line_of(range.start),
                    image: false,
                });
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                image_depth += 1;
                markdown.links.push(Link {
                    url: dest_url.to_string(),
                    line: line_of(range.start),
                    image: true,
                });
            }
            Event::End(TagEnd::Image) => image_depth = image_depth.saturating_sub(1),
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) => {
                if let Some((_, raw, _)) = heading.as_mut()
                    && image_depth == 0
                {
                    raw.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, raw, _)) = heading.as_mut() {
                    raw.push(' ');
                }
            }
            _ => {}
        }
    }
    markdown
}

/// GitHub's anchor slugs, numbering repeats as github-slugger does.
#[derive(Default)]
struct Slugger {
    seen: HashMap<String, u32>,
}

impl Slugger {
    fn slug(&mut self, text: &str) -> String {
        let base: String = text
            .to_lowercase()
            .chars()
            .filter(|&c| c.is_alphanumeric() || c == '-' || c == '_' || c == ' ' || is_mark(c))
            .map(|c| if c == ' ' { '-' } else { c })
            .collect();
        let mut slug = base.clone();
        while self.seen.contains_key(&slug) {
            let count = self.seen.entry(base.clone()).or_insert(0);
            *count += 1;
            slug = format!("{base}-{count}");
        }
        self.seen.insert(slug.clone(), 0);
        slug
    }
}

/// Combining marks, which GitHub keeps in anchors (accents written as separate characters).
fn is_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{0900}'..='\u{0903}'
        | '\u{093A}'..='\u{094F}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readme_outline() {
        let text = "\u{feff}---\ntitle: Demo\n---\n\n# golive\n\n\
[![CI](https://github.com/acme/golive/actions/workflows/ci.yml/badge.svg)](https://github.com/acme/golive/actions)\n\n\
## Getting Started!\n\nSee [install](#installation) and [the docs][docs].\n\n\
Installation\n------------\n\n\
```sh\n# not a heading\n```\n\n\
### The `parse()` API & more\n\n\
## Getting started\n\n\
## Getting Started-1\n\n\
[docs]: https://docs.example.com/start \"Docs\"\n\
Contact <ops@example.com> or <https://example.com/support>.\n";
        let md = parse(text);
        let headings: Vec<(u8, &str, u32, &str)> = md
            .headings
            .iter()
            .map(|h| (h.level, h.text.as_str(), h.line, h.anchor.as_str()))
            .collect();
        assert_eq!(
            headings,
            [
                (1, "golive", 5, "golive"),
                (2, "Getting Started!", 9, "getting-started"),
                (2, "Installation", 13, "installation"),
                (3, "The parse() API & more", 20, "the-parse-api--more"),
                (2, "Getting started", 22, "getting-started-1"),
                (2, "Getting Started-1", 24, "getting-started-1-1"),
            ]
        );
        let links: Vec<(&str, u32, bool)> = md
            .links
            .iter()
            .map(|l| (l.url.as_str(), l.line, l.image))
            .collect();
        assert_eq!(
            links,
            [
                ("https://github.com/acme/golive/actions", 7, false),
                (
                    "https://github.com/acme/golive/actions/workflows/ci.yml/badge.svg",
                    7,
                    true
                ),
                ("#installation", 11, false),
                ("https://docs.example.com/start", 11, false),
                ("mailto:ops@example.com", 27, false),
                ("https://example.com/support", 27, false),
            ]
        );
        assert_eq!(
            md.heading_by_anchor("#installation").map(|h| h.line),
            Some(13)
        );
        assert_eq!(md.heading_by_anchor("missing"), None);
    }

    #[test]
    fn heading_text_skips_markup_images_and_html() {
        let text = "# ![logo](logo.png) **Fast** _tool_ <sup>beta</sup>\n\n\
Multi line\nsetext heading\n===\n\n    # indented code, not a heading\n\n\
> ## Quoted heading\n\n\
- ## Listed heading\n\n\
<div>\n\n# Inside HTML block\n\n</div>\n\n\
<h2>raw html heading</h2>\n";
        let md = parse(text);
        let headings: Vec<(&str, &str)> = md
            .headings
            .iter()
            .map(|h| (h.text.as_str(), h.anchor.as_str()))
            .collect();
        assert_eq!(
            headings,
            [
                ("Fast tool beta", "fast-tool-beta"),
                ("Multi line setext heading", "multi-line-setext-heading"),
                ("Quoted heading", "quoted-heading"),
                ("Listed heading", "listed-heading"),
                ("Inside HTML block", "inside-html-block"),
            ]
        );
        assert_eq!(md.headings[1].line, 3);
        assert_eq!(md.headings[1].level, 1);
        assert_eq!(md.links.len(), 1);
        assert!(md.links[0].image);
    }

    #[test]
    fn anchors_follow_github() {
        let mut s = Slugger::default();
        assert_eq!(s.slug("Hello, World!"), "hello-world");
        assert_eq!(s.slug("Déjà vu"), "déjà-vu");
        assert_eq!(s.slug("C++ & Rust 🚀"), "c--rust-");
        assert_eq!(s.slug("snake_case-and-kebab"), "snake_case-and-kebab");
        assert_eq!(s.slug("Hello, World!"), "hello-world-1");
        assert_eq!(s.slug("hello world"), "hello-world-2");
        assert_eq!(s.slug(""), "");
        assert_eq!(s.slug(""), "-1");
    }

    #[test]
    fn crlf_and_empty_input() {
        let md = parse("Title\r\n=====\r\n\r\nText [a](b.md)\r\n\r\n## Next\r\n");
        assert_eq!(md.headings.len(), 2);
        assert_eq!(md.headings[0].text, "Title");
        assert_eq!(md.headings[1].line, 6);
        assert_eq!(md.links[0].url, "b.md");
        assert_eq!(md.links[0].line, 4);
        assert_eq!(parse(""), Markdown::default());
    }
}
