//! The outline of a documentation file in any format golive reads (Markdown, reStructuredText,
//! AsciiDoc, plain text): its headings, the lines of each heading's section, and which lines are
//! prose, code or markup. Markdown headings come from golive-core's parser; the other formats'
//! headings are recognised here (underlined titles, `=` prefixes, standalone `Usage:` lines).

use golive_core::SourceFile;
use regex::Regex;
use std::sync::LazyLock;

/// The markup language of a documentation file, from its extension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Markdown,
    Rst,
    AsciiDoc,
    /// `.txt` or no extension (`README`, `NEWS`).
    Plain,
}

impl Format {
    /// The format of a file name; None for anything that is not documentation.
    pub(crate) fn of(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        match lower.rsplit_once('.').map(|(_, ext)| ext) {
            Some("md" | "markdown") => Some(Format::Markdown),
            Some("rst") => Some(Format::Rst),
            Some("adoc" | "asciidoc") => Some(Format::AsciiDoc),
            Some("txt") | None => Some(Format::Plain),
            Some(_) => None,
        }
    }
}

/// What a line of a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LineKind {
    Blank,
    Heading,
    /// Prose, lists, tables, quotes.
    Text,
    /// Inside a code block (fenced, literal or indented, depending on the format).
    Code,
    /// Fences, front matter, comments, directives, link definitions, rules: not content.
    Markup,
}

/// A heading of any format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Heading {
    /// 1 is the outermost.
    pub level: u8,
    pub text: String,
    /// 1-based line of the heading text.
    pub line: u32,
    /// The heading's last line (its underline, when it has one).
    last_line: u32,
}

/// A document's outline.
pub(crate) struct Outline<'f> {
    pub format: Format,
    pub headings: Vec<Heading>,
    lines: Vec<&'f str>,
    kinds: Vec<LineKind>,
    /// Markdown fenced code blocks: the line of the opening fence and its info string.
    fences: Vec<(u32, &'f str)>,
}

/// A line (or inline span) of code a document shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CodeLine {
    pub line: u32,
    pub text: String,
    /// A prose line of a format whose code is often unmarked (plain text, reStructuredText).
    pub prose: bool,
}

/// A line of text with its 1-based number.
pub(crate) type NumberedLine<'f> = (u32, &'f str);

impl<'f> Outline<'f> {
    /// The outline of a documentation file; None when the file is not documentation.
    pub(crate) fn of(file: &'f SourceFile) -> Option<Outline<'f>> {
        let format = Format::of(file.name())?;
        let text = file.text.strip_prefix('\u{feff}').unwrap_or(&file.text);
        let lines: Vec<&str> = text
            .split('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .collect();
        let mut outline = Outline {
            format,
            headings: Vec::new(),
            kinds: lines
                .iter()
                .map(|l| {
                    if l.trim().is_empty() {
                        LineKind::Blank
                    } else {
                        LineKind::Text
                    }
                })
                .collect(),
            lines,
            fences: Vec::new(),
        };
        match format {
            Format::Markdown => outline.read_markdown(file),
            Format::Rst => outline.read_rst(),
            Format::AsciiDoc => outline.read_asciidoc(),
            Format::Plain => outline.read_plain(),
        }
        Some(outline)
    }

    fn kind(&self, line: u32) -> LineKind {
        line.checked_sub(1)
            .and_then(|i| self.kinds.get(i as usize))
            .copied()
            .unwrap_or(LineKind::Blank)
    }

    fn set(&mut self, index: usize, kind: LineKind) {
        if let Some(k) = self.kinds.get_mut(index) {
            *k = kind;
        }
    }

    fn line_count(&self) -> u32 {
        u32::try_from(self.lines.len()).unwrap_or(u32::MAX)
    }

    /// Whether the document is blank: nothing but markup and blank lines.
    pub(crate) fn is_blank(&self) -> bool {
        self.kinds
            .iter()
            .all(|k| matches!(k, LineKind::Blank | LineKind::Markup))
    }

    /// The lines of the section under heading `index` (up to the next heading of the same or a
    /// higher level), subsections included: first and last line, first > last when empty.
    pub(crate) fn section(&self, index: usize) -> (u32, u32) {
        let Some(heading) = self.headings.get(index) else {
            return (1, 0);
        };
        let end = self
            .headings
            .iter()
            .skip(index + 1)
            .find(|h| h.level <= heading.level)
            .map(|h| h.line.saturating_sub(1))
            .unwrap_or(self.line_count());
        (heading.last_line + 1, end)
    }

    /// The prose and code lines between `first` and `last` (inclusive).
    fn content(&self, first: u32, last: u32) -> impl Iterator<Item = NumberedLine<'f>> + '_ {
        (first..=last).filter_map(move |n| {
            let kind = self.kind(n);
            let text = *self.lines.get(n.checked_sub(1)? as usize)?;
            matches!(kind, LineKind::Text | LineKind::Code).then_some((n, text))
        })
    }

    /// Markdown fenced code blocks (outermost only): the opening line and the info string
    /// (`mermaid`, `sh`, `{.python}`).
    pub(crate) fn fences(&self) -> &[(u32, &'f str)] {
        &self.fences
    }

    /// The prose lines of the document (lists, tables and quotes included; not code).
    pub(crate) fn prose_lines(&self) -> impl Iterator<Item = NumberedLine<'f>> + '_ {
        self.content(1, self.line_count())
            .filter(|(n, _)| self.kind(*n) == LineKind::Text)
    }

    /// Whether a section says something: a line of prose or code that is not a placeholder
    /// (`TODO`, `TBD`, `Coming soon`).
    pub(crate) fn section_has_content(&self, index: usize) -> bool {
        let (first, last) = self.section(index);
        self.content(first, last)
            .any(|(_, text)| !is_placeholder(text))
    }

    /// Whether the whole document says something besides its headings and placeholders.
    pub(crate) fn has_content(&self) -> bool {
        self.content(1, self.line_count())
            .any(|(_, text)| !is_placeholder(text))
    }

    /// The first line of prose between `first` and `last` and how many words of prose the range
    /// holds. Images, badges, HTML tags, link targets and code are not prose.
    pub(crate) fn prose(&self, first: u32, last: u32) -> Option<(u32, usize)> {
        let mut first_line = None;
        let mut words = 0;
        for n in first..=last {
            if self.kind(n) != LineKind::Text {
                continue;
            }
            let Some(text) = self.lines.get(n.saturating_sub(1) as usize) else {
                continue;
            };
            let count = prose_words(text, self.format);
            if count > 0 {
                first_line.get_or_insert(n);
                words += count;
            }
        }
        first_line.map(|line| (line, words))
    }

    /// Code the document shows, line by line: code-block lines, and for Markdown also inline
    /// code spans. Plain text and reStructuredText often show commands unmarked, so their prose
    /// lines are included too, flagged `prose` (callers match commands only at their start).
    pub(crate) fn code(&self) -> Vec<CodeLine> {
        let mut out = Vec::new();
        for (i, (text, kind)) in self.lines.iter().zip(&self.kinds).enumerate() {
            let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
            let mut push = |text: &str, prose: bool| {
                out.push(CodeLine {
                    line,
                    text: text.to_string(),
                    prose,
                })
            };
            match (kind, self.format) {
                (LineKind::Code, _) => push(text, false),
                (LineKind::Text | LineKind::Heading, Format::Markdown) => {
                    for span in INLINE_CODE.captures_iter(text) {
                        if let Some(code) = span.get(2) {
                            push(code.as_str(), false);
                        }
                    }
                }
                (LineKind::Text, Format::Plain | Format::Rst) => push(text, true),
                _ => {}
            }
        }
        out
    }

    fn read_markdown(&mut self, file: &SourceFile) {
        // Front matter.
        if self.lines.first().map(|l| l.trim()) == Some("---")
            && let Some(end) = self
                .lines
                .iter()
                .skip(1)
                .position(|l| matches!(l.trim(), "---" | "..."))
        {
            for i in 0..=end + 1 {
                self.set(i, LineKind::Markup);
            }
        }
        let mut fence: Option<(char, usize)> = None;
        let mut in_comment = false;
        for i in 0..self.lines.len() {
            let line = self.lines[i];
            let trimmed = line.trim_start();
            if let Some((ch, len)) = fence {
                let run = trimmed.chars().take_while(|&c| c == ch).count();
                if run >= len && trimmed.trim_end().chars().all(|c| c == ch) {
                    fence = None;
                    self.set(i, LineKind::Markup);
                } else {
                    self.set(i, LineKind::Code);
                }
                continue;
            }
            if self.kinds[i] != LineKind::Text {
                continue;
            }
            if in_comment {
                self.set(i, LineKind::Markup);
                in_comment = !line.contains("-->");
                continue;
            }
            let opens = trimmed
                .chars()
                .next()
                .filter(|c| matches!(c, '`' | '~'))
                .map(|ch| (ch, trimmed.chars().take_while(|&c| c == ch).count()));
            if let Some((ch, len)) = opens
                && len >= 3
                && !(ch == '`' && trimmed[len..].contains('`'))
            {
                fence = Some((ch, len));
                let info = trimmed.get(len..).unwrap_or("").trim();
                self.fences
                    .push((u32::try_from(i + 1).unwrap_or(u32::MAX), info));
                self.set(i, LineKind::Markup);
            } else if trimmed.starts_with("<!--") {
                self.set(i, LineKind::Markup);
                in_comment = !trimmed.contains("-->");
            } else if LINK_DEFINITION.is_match(line) || THEMATIC_BREAK.is_match(line) {
                self.set(i, LineKind::Markup);
            } else if (line.starts_with("    ") || line.starts_with('\t'))
                && i > 0
                && matches!(self.kinds[i - 1], LineKind::Blank | LineKind::Code)
            {
                // Indented after a blank line: a code block, or code nested in a list item.
                self.set(i, LineKind::Code);
            }
        }
        let Some(markdown) = file.markdown() else {
            return;
        };
        for h in &markdown.headings {
            let index = h.line.saturating_sub(1) as usize;
            let mut last_line = h.line;
            let underline = self.lines.get(index + 1).map(|l| l.trim()).unwrap_or("");
            if !underline.is_empty()
                && (underline.chars().all(|c| c == '=') || underline.chars().all(|c| c == '-'))
                && !self.lines[index].trim_start().starts_with('#')
            {
                last_line += 1;
                self.set(index + 1, LineKind::Heading);
            }
            self.set(index, LineKind::Heading);
            self.headings.push(Heading {
                level: h.level,
                text: h.text.clone(),
                line: h.line,
                last_line,
            });
        }
    }

    /// reStructuredText: titles are underlined (and optionally overlined) with a punctuation
    /// character; levels follow the order in which styles first appear.
    fn read_rst(&mut self) {
        let mut block: Option<LineKind> = None;
        for i in 0..self.lines.len() {
            let line = self.lines[i];
            if let Some(kind) = block {
                if line.trim().is_empty() || line.starts_with([' ', '\t']) {
                    if !line.trim().is_empty() {
                        self.set(i, kind);
                    }
                    continue;
                }
                block = None;
            }
            let trimmed = line.trim();
            if let Some(directive) = trimmed.strip_prefix("..") {
                self.set(i, LineKind::Markup);
                let directive = directive.trim_start();
                block = Some(
                    if ["code", "code-block", "sourcecode", "prompt"]
                        .iter()
                        .any(|d| directive.starts_with(&format!("{d}::")))
                    {
                        LineKind::Code
                    } else {
                        LineKind::Markup
                    },
                );
            } else if trimmed.ends_with("::") {
                block = Some(LineKind::Code);
            }
        }
        self.underlined_headings(true);
    }

    /// AsciiDoc: `= Title`, `== Section`; `----` and `....` delimit code and literal blocks.
    fn read_asciidoc(&mut self) {
        let mut block: Option<(String, LineKind)> = None;
        for i in 0..self.lines.len() {
            let line = self.lines[i];
            let trimmed = line.trim();
            if let Some((delimiter, kind)) = &block {
                if trimmed == delimiter {
                    block = None;
                    self.set(i, LineKind::Markup);
                } else if !trimmed.is_empty() {
                    let kind = *kind;
                    self.set(i, kind);
                }
                continue;
            }
            if trimmed.len() >= 4
                && ["-", ".", "`", "/"]
                    .iter()
                    .any(|c| trimmed == c.repeat(trimmed.len()))
            {
                let kind = if trimmed.starts_with('/') {
                    LineKind::Markup
                } else {
                    LineKind::Code
                };
                block = Some((trimmed.to_string(), kind));
                self.set(i, LineKind::Markup);
                continue;
            }
            if let Some(caps) = ASCIIDOC_HEADING.captures(line)
                && let (Some(marks), Some(text)) = (caps.get(1), caps.get(2))
            {
                let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
                self.set(i, LineKind::Heading);
                self.headings.push(Heading {
                    level: u8::try_from(marks.as_str().len()).unwrap_or(6),
                    text: text.as_str().trim().to_string(),
                    line: line_no,
                    last_line: line_no,
                });
            } else if trimmed.starts_with("//")
                || ASCIIDOC_ATTRIBUTE.is_match(trimmed)
                || (trimmed.starts_with('[') && trimmed.ends_with(']'))
                || trimmed.starts_with("image::")
            {
                self.set(i, LineKind::Markup);
            }
        }
    }

    /// Plain text: underlined titles as in reStructuredText, standalone heading-like lines
    /// (`Usage:`, `INSTALLATION`, `Testing`), and indented or `$ `-prompted lines as code.
    fn read_plain(&mut self) {
        for i in 0..self.lines.len() {
            let line = self.lines[i];
            if self.kinds[i] == LineKind::Text
                && (line.starts_with("  ") || line.starts_with('\t') || line.starts_with("$ "))
            {
                self.set(i, LineKind::Code);
            }
        }
        let styles = self.underlined_headings(false);
        let level = u8::try_from(styles + 1).unwrap_or(6).min(6);
        for i in 0..self.lines.len() {
            if self.kinds[i] != LineKind::Text {
                continue;
            }
            let before = i == 0 || self.kinds[i - 1] == LineKind::Blank;
            let after = self
                .kinds
                .get(i + 1)
                .is_none_or(|k| matches!(k, LineKind::Blank | LineKind::Code));
            if before && after && is_plain_heading(self.lines[i]) {
                let line_no = u32::try_from(i + 1).unwrap_or(u32::MAX);
                self.set(i, LineKind::Heading);
                self.headings.push(Heading {
                    level,
                    text: self.lines[i]
                        .trim()
                        .trim_end_matches(':')
                        .trim()
                        .to_string(),
                    line: line_no,
                    last_line: line_no,
                });
            }
        }
        self.headings.sort_by_key(|h| h.line);
    }

    /// Finds `Title` + `=====` headings (with an optional overline when `overlines`), marks
    /// their lines and returns how many heading styles were seen.
    fn underlined_headings(&mut self, overlines: bool) -> usize {
        let mut styles: Vec<(char, bool)> = Vec::new();
        let mut i = 0;
        while i + 1 < self.lines.len() {
            let (text, under) = (self.lines[i], self.lines[i + 1]);
            let is_title = self.kinds[i] == LineKind::Text
                && !text.starts_with([' ', '\t'])
                && self.kinds[i + 1] != LineKind::Code;
            let Some(ch) = adornment(under).filter(|_| is_title) else {
                i += 1;
                continue;
            };
            if text.trim().chars().count() > under.trim().chars().count() + 2 {
                i += 1;
                continue;
            }
            let overlined = overlines && i > 0 && adornment(self.lines[i - 1]) == Some(ch);
            let style = (ch, overlined);
            let level = match styles.iter().position(|s| *s == style) {
                Some(p) => p + 1,
                None => {
                    styles.push(style);
                    styles.len()
                }
            };
            if overlined {
                self.set(i - 1, LineKind::Markup);
            }
            self.set(i, LineKind::Heading);
            self.set(i + 1, LineKind::Heading);
            let line = u32::try_from(i + 1).unwrap_or(u32::MAX);
            self.headings.push(Heading {
                level: u8::try_from(level).unwrap_or(6).min(6),
                text: text.trim().to_string(),
                line,
                last_line: line + 1,
            });
            i += 2;
        }
        // A line of adornment characters that underlines nothing (a transition) is markup.
        for i in 0..self.lines.len() {
            if self.kinds[i] == LineKind::Text
                && adornment(self.lines[i]).is_some()
                && !self.lines[i].starts_with([' ', '\t'])
            {
                self.set(i, LineKind::Markup);
            }
        }
        styles.len()
    }
}

/// The character of an RST/setext adornment line (`=====`, `-----`, `~~~~~`), at least 3 long.
fn adornment(line: &str) -> Option<char> {
    let trimmed = line.trim_end();
    let first = trimmed.chars().next()?;
    (trimmed.chars().count() >= 3
        && "=-~^\"'`#*+:._".contains(first)
        && trimmed.chars().all(|c| c == first))
    .then_some(first)
}

/// A standalone plain-text line that reads as a heading: `Usage:` (a short line ending with a
/// colon), `INSTALLATION` (capitals), or one or two capitalised words (`Testing`).
fn is_plain_heading(line: &str) -> bool {
    let text = line.trim();
    if text.chars().count() > 60
        || !text.chars().next().is_some_and(|c| c.is_alphanumeric())
        || text.ends_with(['.', ',', ';', '!', '?'])
    {
        return false;
    }
    let words = text.split_whitespace().count();
    let letters: Vec<char> = text.chars().filter(|c| c.is_alphabetic()).collect();
    (text.ends_with(':') && words <= 6)
        || (letters.len() >= 3 && letters.iter().all(|c| c.is_uppercase()) && words <= 6)
        || (words <= 2 && text.chars().next().is_some_and(char::is_uppercase))
}

/// Placeholder text that does not document anything yet.
pub(crate) fn is_placeholder(line: &str) -> bool {
    let words = words(line);
    let Some(first) = words.first() else {
        return true;
    };
    matches!(
        first.as_str(),
        "todo" | "tbd" | "tba" | "wip" | "fixme" | "placeholder"
    ) || words.starts_with(&["coming".to_string(), "soon".to_string()])
        || matches!(
            words.join(" ").as_str(),
            "n a" | "to do" | "to be done" | "to be written" | "to be documented" | "none yet"
        )
}

/// The words of a line of prose: images, HTML tags, link targets and code spans removed;
/// only words with a letter count.
fn prose_words(line: &str, format: Format) -> usize {
    let mut text = line.to_string();
    if format == Format::Markdown {
        text = IMAGE.replace_all(&text, " ").into_owned();
        text = HTML_TAG.replace_all(&text, " ").into_owned();
        text = LINK.replace_all(&text, "$1").into_owned();
        text = INLINE_CODE.replace_all(&text, " ").into_owned();
    }
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic) && !w.contains("://"))
        .count()
}

/// Lowercase alphanumeric words of a text (punctuation and emoji dropped).
pub(crate) fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

static INLINE_CODE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(`+)([^`]+?)(`+)").expect("valid regex"));
static IMAGE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"!\[[^\]]*\](?:\([^)]*\)|\[[^\]]*\])?").expect("valid regex"));
static LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[([^\]]*)\](?:\([^)]*\)|\[[^\]]*\])").expect("valid regex"));
static HTML_TAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"</?[A-Za-z][^>]*>").expect("valid regex"));
static LINK_DEFINITION: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^ {0,3}\[[^\]]+\]:\s*\S").expect("valid regex"));
static THEMATIC_BREAK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^ {0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$").expect("valid regex")
});
static ASCIIDOC_HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(={1,6}|#{1,6})\s+(\S.*)$").expect("valid regex"));
static ASCIIDOC_ATTRIBUTE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^:!?[\w-]+!?:").expect("valid regex"));

#[cfg(test)]
mod tests {
    use super::*;

    type Headings = Vec<(u8, String, u32)>;
    type Code = Vec<(u32, String)>;

    fn outline_of(name: &str, text: &str) -> (Headings, Code) {
        let file = SourceFile::new(name, golive_core::workspace::classify(name), text.into());
        let outline = Outline::of(&file).expect("a doc");
        (
            outline
                .headings
                .iter()
                .map(|h| (h.level, h.text.clone(), h.line))
                .collect(),
            outline
                .code()
                .into_iter()
                .map(|c| (c.line, c.text))
                .collect(),
        )
    }

    #[test]
    fn markdown_code_and_sections() {
        let text = "# svc\n\n[![CI](b.svg)](ci)\n\nA payments API.\n\n## Usage\n\n```sh\ncargo run\n```\n\n## Testing\n\nTODO\n\nRun `make test`.\n";
        let file = SourceFile::new("README.md", golive_core::FileKind::Markdown, text.into());
        let o = Outline::of(&file).expect("markdown");
        assert_eq!(o.headings.len(), 3);
        assert_eq!(o.prose(2, 6), Some((5, 3)));
        assert_eq!(o.prose(3, 3), None);
        assert_eq!(o.section(1), (8, 12));
        assert!(o.section_has_content(1));
        assert!(o.section_has_content(2));
        assert_eq!(o.fences(), [(9, "sh")]);
        let code: Vec<(u32, String)> = o.code().into_iter().map(|c| (c.line, c.text)).collect();
        assert_eq!(
            code,
            [(10, "cargo run".to_string()), (17, "make test".to_string())]
        );
    }

    #[test]
    fn empty_and_placeholder_sections() {
        let text = "# svc\n\n## Testing\n\nTBD\n\n## Usage\n### Docker\n";
        let file = SourceFile::new("README.md", golive_core::FileKind::Markdown, text.into());
        let o = Outline::of(&file).expect("markdown");
        assert!(!o.section_has_content(1));
        assert!(!o.section_has_content(2));
        assert!(!o.has_content());
    }

    #[test]
    fn rst_headings_and_literal_blocks() {
        let (headings, code) = outline_of(
            "README.rst",
            "=======\nService\n=======\n\n.. image:: badge.svg\n   :target: x\n\nUsage\n-----\n\nRun it::\n\n    make run\n\nTests\n-----\n\n.. code-block:: sh\n\n   tox\n",
        );
        assert_eq!(
            headings,
            [
                (1, "Service".to_string(), 2),
                (2, "Usage".to_string(), 8),
                (2, "Tests".to_string(), 15)
            ]
        );
        assert!(code.contains(&(13, "    make run".to_string())));
        assert!(code.contains(&(20, "   tox".to_string())));
        assert!(!code.iter().any(|(_, c)| c.contains(":target:")));
    }

    #[test]
    fn plain_text_headings() {
        let (headings, _) = outline_of(
            "README",
            "acme-billing\n\nBills customers every month and emails invoices\n\nUsage:\n  acme-billing serve\n\nRUNNING THE TESTS\n\n  make test\n",
        );
        let texts: Vec<&str> = headings.iter().map(|h| h.1.as_str()).collect();
        assert_eq!(texts, ["Usage", "RUNNING THE TESTS"]);
    }

    #[test]
    fn asciidoc_headings() {
        let (headings, code) = outline_of(
            "README.adoc",
            "= Service\n:toc:\n\nIntro.\n\n== Running\n\n[source,sh]\n----\n./gradlew bootRun\n----\n",
        );
        assert_eq!(headings[1], (2, "Running".to_string(), 6));
        assert_eq!(code, [(10, "./gradlew bootRun".to_string())]);
    }

    #[test]
    fn placeholders() {
        for p in ["TODO", "TBD.", "Coming soon!", "todo: write", "n/a", "..."] {
            assert!(is_placeholder(p), "{p}");
        }
        assert!(!is_placeholder("Run the tests with make test"));
    }
}
