//! READINESS.md, the checklist kept in the repository: the automated items golive writes from a
//! report, and the in-place rewrite that keeps everything people wrote.
//!
//! The file format (shared with the `manual/*` checks that parse the attestations):
//!
//! ```markdown
//! - [x] An on-call rotation covers the service — @alice 2026-10-01 <!-- golive:manual/on-call -->
//!
//! <!-- golive:automated:start -->
//! ### Kubernetes workloads
//! - [x] Serving containers have a readiness probe <!-- golive:k8s/readiness-probe -->
//! - [ ] Containers set requests and limits — 2 findings, first at deploy/web.yaml:14 <!-- golive:k8s/resources -->
//! - [ ] ~~Terraform state is locked~~ — not applicable: no Terraform found <!-- golive:terraform/state-locking -->
//! <!-- golive:automated:end -->
//! ```
//!
//! [`rewrite`] regenerates the block between the two markers and, outside it, updates the
//! checkbox and the evidence note of every task-list line that carries the marker of an
//! automated check that ran. Every other byte (prose, manual items and their attestations, code
//! fences, line endings, a missing final newline) is kept.

use golive_core::readiness::ManualItem;
use golive_core::report::{CheckResult, Report, Status};
use golive_core::{Category, Level};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// The line that opens the generated block (the scan blanks the block: see core's
/// `workspace::hide_generated`).
pub const BLOCK_START: &str = golive_core::workspace::AUTOMATED_START;
/// The line that closes the generated block.
pub const BLOCK_END: &str = golive_core::workspace::AUTOMATED_END;
/// What every item marker starts with.
const MARKER: &str = "<!-- golive:";
/// Between people's wording and golive's evidence note.
const NOTE_SEPARATOR: &str = " — ";
/// Evidence notes longer than this (in characters) are shortened.
const MAX_NOTE_CHARS: usize = 160;

/// The manual items that matter for a target level (bronze: bronze items; gold: all), out of
/// `manual` (the `manual/*` checks' items, `golive_checks::manual::items()`).
pub fn manual_items_for(manual: &[ManualItem], level: Level) -> impl Iterator<Item = &ManualItem> {
    manual.iter().filter(move |m| m.level <= level)
}

/// One automated item: a check that ran, its status and the short note shown after its title.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChecklistItem {
    pub id: String,
    pub title: String,
    pub category: Category,
    pub status: Status,
    /// `3 findings, first at deploy/web.yaml:14`, `not applicable: ...`, `waived: ...`; none
    /// for a pass.
    pub note: Option<String>,
}

impl ChecklistItem {
    fn checked(&self) -> bool {
        self.status.is_ok()
    }
}

/// The automated items of a report: every check that ran except the manual attestations, in
/// report order.
pub fn checklist_items(report: &Report) -> Vec<ChecklistItem> {
    report
        .checks
        .iter()
        .filter(|c| c.category != Category::Manual)
        .map(|c| ChecklistItem {
            id: c.id.clone(),
            title: c.title.clone(),
            category: c.category,
            status: c.status,
            note: note_of(c),
        })
        .collect()
}

fn note_of(c: &CheckResult) -> Option<String> {
    let first = c
        .findings
        .iter()
        .find_map(|f| f.location.as_ref())
        .map(|l| (l.path.as_str(), l.line));
    let waiver = c.waiver.as_ref();
    make_note(&NoteInput {
        status: c.status,
        reason: c.reason.as_deref(),
        waiver_reason: waiver.map(|w| w.reason.as_str()),
        waiver_expires: waiver.and_then(|w| w.expires).map(|d| d.to_string()),
        findings: c.findings.len(),
        first,
    })
}

struct NoteInput<'a> {
    status: Status,
    reason: Option<&'a str>,
    waiver_reason: Option<&'a str>,
    waiver_expires: Option<String>,
    findings: usize,
    first: Option<(&'a str, u32)>,
}

fn make_note(n: &NoteInput<'_>) -> Option<String> {
    // The reason is what gets shortened, so that what follows it (the expiry) stays.
    let reason = |prefix: &str, text: &str, suffix: &str| {
        let budget = MAX_NOTE_CHARS.saturating_sub(prefix.chars().count() + suffix.chars().count());
        let text = one_line(text);
        let text = text.trim_end_matches('.');
        format!("{prefix}{}{suffix}", shorten(text, budget.max(20)))
    };
    let note = match n.status {
        Status::Pass => return None,
        Status::Waived => {
            let why = n.waiver_reason.or(n.reason).unwrap_or("no reason given");
            let until = n
                .waiver_expires
                .as_ref()
                .map(|d| format!(", until {}", one_line(d)))
                .unwrap_or_default();
            reason("waived: ", why, &until)
        }
        Status::NotApplicable => reason(
            "not applicable: ",
            n.reason.unwrap_or("does not apply here"),
            "",
        ),
        Status::Error => reason("error: ", n.reason.unwrap_or("the check could not run"), ""),
        Status::Fail => {
            let count = match n.findings {
                0 => return Some("failed".into()),
                1 => "1 finding".to_string(),
                k => format!("{k} findings"),
            };
            let note = match n.first {
                Some((path, line)) if line > 0 => {
                    format!("{count}, first at {}:{line}", one_line(path))
                }
                Some((path, _)) => format!("{count}, first in {}", one_line(path)),
                None => count,
            };
            shorten(&note, MAX_NOTE_CHARS)
        }
    };
    Some(note)
}

/// Whether text after the last ` — ` of a line is a note golive wrote (so it may be replaced),
/// rather than people's wording.
fn is_generated_note(text: &str) -> bool {
    if ["waived:", "not applicable:", "error:"]
        .iter()
        .any(|p| text.starts_with(p))
        || text == "failed"
    {
        return true;
    }
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    digits > 0
        && text
            .get(digits..)
            .is_some_and(|rest| rest.starts_with(" finding"))
}

/// One line of text that cannot end an HTML comment, open a marker or look like a separator.
fn one_line(text: &str) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    joined
        .replace("<!--", "<!- -")
        .replace("-->", "- ->")
        .replace('—', "-")
}

fn shorten(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max_chars.saturating_sub(1)).collect();
    out.truncate(out.trim_end().len());
    out.push('…');
    out
}

/// The automated items of a JSON report (`golive check --format json`), for `--from`.
pub fn checklist_items_from_json(text: &str) -> Result<Vec<ChecklistItem>, String> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not a golive JSON report: {e}"))?;
    let checks = value
        .get("checks")
        .and_then(|c| c.as_array())
        .ok_or("not a golive JSON report: no `checks` list")?;
    let mut items = Vec::new();
    for (i, c) in checks.iter().enumerate() {
        let field = |name: &str| c.get(name).and_then(|v| v.as_str());
        let missing = |name: &str| format!("checks[{i}]: no `{name}`");
        let id = field("id").ok_or_else(|| missing("id"))?;
        let category = field("category").ok_or_else(|| missing("category"))?;
        let category = Category::parse(category)
            .ok_or_else(|| format!("checks[{i}] ({id}): unknown category `{category}`"))?;
        if category == Category::Manual {
            continue;
        }
        let status = match field("status").ok_or_else(|| missing("status"))? {
            "pass" => Status::Pass,
            "fail" => Status::Fail,
            "not-applicable" => Status::NotApplicable,
            "waived" => Status::Waived,
            "error" => Status::Error,
            other => return Err(format!("checks[{i}] ({id}): unknown status `{other}`")),
        };
        let findings = c
            .get("findings")
            .and_then(|f| f.as_array())
            .map(Vec::as_slice)
            .unwrap_or_default();
        let first = findings.iter().find_map(|f| {
            let path = f.get("path")?.as_str()?;
            let line = f.get("line")?.as_u64()?;
            Some((path, u32::try_from(line).unwrap_or(0)))
        });
        let waiver = c.get("waiver");
        let note = make_note(&NoteInput {
            status,
            reason: field("reason"),
            waiver_reason: waiver
                .and_then(|w| w.get("reason"))
                .and_then(|r| r.as_str()),
            waiver_expires: waiver
                .and_then(|w| w.get("expires"))
                .and_then(|r| r.as_str())
                .map(str::to_string),
            findings: findings.len(),
            first,
        });
        items.push(ChecklistItem {
            id: id.to_string(),
            title: field("title").unwrap_or(id).to_string(),
            category,
            status,
            note,
        });
    }
    Ok(items)
}

/// The generated lines between the markers (each ended with `eol`): one `###` heading per
/// category in the order the items come, then one line per item.
fn render_items(items: &[ChecklistItem], eol: &str) -> String {
    let items = by_id_in_order(items);
    let items = items.as_slice();
    let mut categories: Vec<Category> = Vec::new();
    for item in items {
        if !categories.contains(&item.category) {
            categories.push(item.category);
        }
    }
    let mut out = String::new();
    for (i, category) in categories.iter().enumerate() {
        if i > 0 {
            out.push_str(eol);
        }
        out.push_str("### ");
        out.push_str(category.title());
        out.push_str(eol);
        for item in items.iter().filter(|it| it.category == *category) {
            out.push_str(&item_line(item));
            out.push_str(eol);
        }
    }
    out
}

fn item_line(item: &ChecklistItem) -> String {
    let title = one_line(&item.title);
    let title = if item.status == Status::NotApplicable {
        format!("~~{title}~~")
    } else {
        title
    };
    let mark = if item.checked() { 'x' } else { ' ' };
    let note = item
        .note
        .as_deref()
        .map(|n| format!("{NOTE_SEPARATOR}{n}"))
        .unwrap_or_default();
    format!("- [{mark}] {title}{note} {MARKER}{} -->", item.id)
}

/// The whole generated block, markers included, each line ended with `eol`.
pub fn render_block(items: &[ChecklistItem], eol: &str) -> String {
    format!(
        "{BLOCK_START}{eol}{}{BLOCK_END}{eol}",
        render_items(items, eol)
    )
}

/// A new READINESS.md: title, how it works, the manual items of the target level (unticked,
/// with their `every=`), and the automated block. Deterministic: no dates.
pub fn new_readiness(
    service: &str,
    tier: Option<u8>,
    level: Level,
    items: &[ChecklistItem],
    manual: &[ManualItem],
) -> String {
    let service = one_line(service);
    let mut out = format!("# Production readiness: {service}\n\n");
    let target = match tier {
        Some(t) => format!("tier {t}, target level {level} in [golive.toml](golive.toml)"),
        None => format!("target level {level}"),
    };
    out.push_str(&format!(
        "This is {service}'s production-readiness checklist ({target}).\n\
         It lives with the code and is reviewed like it.\n\n\
         - **Manual attestations** are what golive cannot see in the repository. Whoever attests\n  \
         one ticks its box and writes, after its text, the evidence (a link), their handle and the\n  \
         date: `— @alice 2026-10-01`. An item with `every=` must be attested again before that\n  \
         period runs out. The wording is yours to change; keep the `golive:` comment that ends\n  \
         each item.\n\
         - **Automated checks** are written by `golive checklist --write` from a scan of the\n  \
         repository: do not edit them by hand. `golive checklist` (without `--write`) shows what\n  \
         would change and exits 1 when this file is out of date, so CI can keep it current.\n\n"
    ));
    out.push_str("## Manual attestations\n\n");
    for m in manual_items_for(manual, level) {
        let every = m
            .every_days
            .map(|d| format!(" every={d}d"))
            .unwrap_or_default();
        out.push_str(&format!("- [ ] {} {MARKER}{}{every} -->\n", m.title, m.id));
    }
    out.push_str("\n## Automated checks\n\n");
    out.push_str(&render_block(items, "\n"));
    out
}

/// What [`rewrite`] did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rewritten {
    pub text: String,
    /// Items added, removed or changed (in the block and outside it).
    pub changed_items: usize,
    /// Whether the block was missing and appended at the end.
    pub appended: bool,
}

/// A READINESS.md whose block markers do not pair up; nothing is rewritten.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockError {
    /// 1-based.
    pub line: u32,
    pub message: String,
}

impl fmt::Display for BlockError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for BlockError {}

/// One line of the file: its text and its terminator (`\n`, `\r\n` or none for the last).
struct Line<'a> {
    text: &'a str,
    end: &'a str,
}

fn split_lines(text: &str) -> Vec<Line<'_>> {
    text.split_inclusive('\n')
        .map(|raw| {
            let body = raw.strip_suffix('\n').unwrap_or(raw);
            let (text, end_len) = match body.strip_suffix('\r') {
                Some(t) if raw.ends_with('\n') => (t, 2),
                _ if raw.ends_with('\n') => (body, 1),
                _ => (body, 0),
            };
            Line {
                text,
                end: raw.get(raw.len() - end_len..).unwrap_or(""),
            }
        })
        .collect()
}

/// Tracks fenced code blocks (``` and ~~~), where nothing is a marker.
#[derive(Default)]
struct Fences {
    /// The fence character, its length and the 0-based line that opened it.
    open: Option<(char, usize, usize)>,
}

impl Fences {
    /// Feeds one line; true when the line is inside a fence or is a fence line.
    fn is_code(&mut self, index: usize, line: &str) -> bool {
        let trimmed = line.trim_start();
        let fence = ['`', '~'].into_iter().find_map(|c| {
            let n = trimmed.chars().take_while(|&x| x == c).count();
            (n >= 3).then_some((c, n))
        });
        match (self.open, fence) {
            (Some((c, n, _)), Some((fc, fnum))) => {
                let rest = trimmed.get(fnum..).unwrap_or("");
                if c == fc && fnum >= n && rest.trim().is_empty() {
                    self.open = None;
                }
                true
            }
            (Some(_), None) => true,
            (None, Some((c, n))) => {
                self.open = Some((c, n, index));
                true
            }
            (None, None) => false,
        }
    }
}

/// The item id of a marker on the line (`<!-- golive:ID ...`), with the marker's byte offset.
fn marker(line: &str) -> Option<(usize, &str)> {
    let at = line.find(MARKER)?;
    let rest = line.get(at + MARKER.len()..)?;
    let token = rest.split(char::is_whitespace).next()?;
    let id = match token.find("-->") {
        Some(i) => token.get(..i)?,
        None => token,
    };
    (!id.is_empty() && !id.starts_with("automated:")).then_some((at, id))
}

/// The byte offset of the checkbox mark of a task-list line (`- [ ]`, `1. [x]`).
fn checkbox(line: &str) -> Option<usize> {
    let lead = line.len() - line.trim_start().len();
    let rest = line.get(lead..)?;
    let bullet = if rest.starts_with(['-', '*', '+']) {
        1
    } else {
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        if digits == 0 || digits > 9 || !rest.get(digits..)?.starts_with(['.', ')']) {
            return None;
        }
        digits + 1
    };
    let after = rest.get(bullet..)?;
    let spaces = after.len() - after.trim_start_matches(' ').len();
    if spaces == 0 {
        return None;
    }
    let box_at = lead + bullet + spaces;
    let b = line.as_bytes();
    let open = *b.get(box_at)?;
    let mark = *b.get(box_at + 1)?;
    let close = *b.get(box_at + 2)?;
    let next = b.get(box_at + 3).copied();
    (open == b'['
        && matches!(mark, b' ' | b'x' | b'X')
        && close == b']'
        && next.is_none_or(|c| c == b' ' || c == b'\t'))
    .then_some(box_at + 1)
}

/// Updates one task-list line outside the block: its checkbox and its evidence note. Returns
/// None when the line stays as it is.
fn update_line(line: &str, marker_at: usize, item: &ChecklistItem) -> Option<String> {
    let box_at = checkbox(line)?;
    if box_at >= marker_at {
        return None;
    }
    let was_checked = line.as_bytes().get(box_at).is_some_and(|&c| c != b' ');
    let head = line.get(..box_at)?;
    let body = line.get(box_at + 1..marker_at)?;
    let tail = line.get(marker_at..)?;
    let wording = body.trim_end();
    let (wording, old_note) = match wording.rfind(NOTE_SEPARATOR) {
        Some(i) => {
            let note = wording.get(i + NOTE_SEPARATOR.len()..)?;
            if is_generated_note(note) {
                (wording.get(..i)?, Some(note))
            } else {
                (wording, None)
            }
        }
        None => (wording, None),
    };
    if was_checked == item.checked() && old_note == item.note.as_deref() {
        return None;
    }
    let mark = if item.checked() {
        if was_checked {
            line.get(box_at..box_at + 1).unwrap_or("x")
        } else {
            "x"
        }
    } else {
        " "
    };
    if old_note == item.note.as_deref() {
        // Only the checkbox changes.
        return Some(format!("{head}{mark}{body}{tail}"));
    }
    let note = item
        .note
        .as_deref()
        .map(|n| format!("{NOTE_SEPARATOR}{n}"))
        .unwrap_or_default();
    Some(format!("{head}{mark}{wording}{note} {tail}"))
}

/// Item lines of the generated block, by id, to count what changed.
fn block_items<'a>(lines: impl Iterator<Item = &'a str>) -> BTreeMap<String, String> {
    lines
        .filter_map(|l| marker(l).map(|(_, id)| (id.to_string(), l.to_string())))
        .collect()
}

/// Rewrites READINESS.md for these items (see the module documentation). The result of a
/// second rewrite with the same items is the same text.
pub fn rewrite(text: &str, items: &[ChecklistItem]) -> Result<Rewritten, BlockError> {
    let lines = split_lines(text);
    let mut eol = lines
        .first()
        .map(|l| if l.end == "\r\n" { "\r\n" } else { "\n" })
        .unwrap_or("\n");
    let by_id: BTreeMap<&str, &ChecklistItem> = items
        .iter()
        .filter(|i| !i.id.starts_with("manual/"))
        .map(|i| (i.id.as_str(), i))
        .collect();

    let mut fences = Fences::default();
    let mut start: Option<usize> = None;
    let mut end: Option<usize> = None;
    let error = |i: usize, message: &str| BlockError {
        line: u32::try_from(i + 1).unwrap_or(u32::MAX),
        message: message.to_string(),
    };
    for (i, line) in lines.iter().enumerate() {
        if fences.is_code(i, line.text) {
            continue;
        }
        match line.text.trim() {
            BLOCK_START if start.is_some() => {
                return Err(error(
                    i,
                    "a second `<!-- golive:automated:start -->`: keep one automated block",
                ));
            }
            BLOCK_START => start = Some(i),
            BLOCK_END if start.is_none() || end.is_some() => {
                return Err(error(
                    i,
                    "`<!-- golive:automated:end -->` without a `<!-- golive:automated:start -->` before it",
                ));
            }
            BLOCK_END => end = Some(i),
            _ => {}
        }
    }
    if let (Some(s), None) = (start, end) {
        return Err(error(
            s,
            "`<!-- golive:automated:start -->` without a `<!-- golive:automated:end -->` after it",
        ));
    }

    let first_pass_open = fences.open;
    let mut out = String::with_capacity(text.len() + 1024);
    let mut changed = 0usize;
    let mut fences = Fences::default();
    let mut i = 0;
    while i < lines.len() {
        let Some(line) = lines.get(i) else { break };
        if Some(i) == start
            && let Some(e) = end
        {
            let old = block_items(
                lines
                    .get(i + 1..e)
                    .unwrap_or_default()
                    .iter()
                    .map(|l| l.text),
            );
            let generated = render_items(items, eol);
            let new = block_items(generated.lines());
            let ids: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
            changed += ids
                .into_iter()
                .filter(|id| old.get(*id) != new.get(*id))
                .count();
            out.push_str(line.text);
            out.push_str(line.end);
            out.push_str(&generated);
            if let Some(end_line) = lines.get(e) {
                out.push_str(end_line.text);
                out.push_str(end_line.end);
            }
            i = e + 1;
            continue;
        }
        let code = fences.is_code(i, line.text);
        let updated = if code {
            None
        } else {
            marker(line.text).and_then(|(at, id)| {
                let item = by_id.get(id)?;
                update_line(line.text, at, item)
            })
        };
        match updated {
            Some(new) => {
                changed += 1;
                out.push_str(&new);
            }
            None => out.push_str(line.text),
        }
        out.push_str(line.end);
        i += 1;
    }

    let appended = start.is_none();
    if appended && let Some((_, _, open_line)) = first_pass_open {
        return Err(error(
            open_line,
            "the file ends inside a code fence opened here: close it, so that the automated block appended at the end is not code",
        ));
    }
    if appended {
        let had_final_newline = text.is_empty() || text.ends_with('\n');
        if !out.is_empty() {
            if out.ends_with('\r') && lines.iter().all(|l| l.end.is_empty()) {
                // One line ended by a bare CR: complete it as CRLF, which then is the file's.
                eol = "\r\n";
                out.push('\n');
            } else if !out.ends_with('\n') {
                out.push_str(eol);
            }
            let last_blank = lines.last().is_some_and(|l| l.text.trim().is_empty());
            if !last_blank || !text.ends_with('\n') {
                out.push_str(eol);
            }
        }
        out.push_str("## Automated checks");
        out.push_str(eol);
        out.push_str(eol);
        let block = render_block(items, eol);
        changed += block_items(block.lines()).len();
        out.push_str(&block);
        if !had_final_newline {
            out.truncate(out.len() - eol.len());
        }
    }
    Ok(Rewritten {
        text: out,
        changed_items: changed,
        appended,
    })
}

/// The items that belong in the block: automated ones, in the order given.
fn by_id_in_order(items: &[ChecklistItem]) -> Vec<ChecklistItem> {
    items
        .iter()
        .filter(|i| !i.id.starts_with("manual/") && i.category != Category::Manual)
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests;
