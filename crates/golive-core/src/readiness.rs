//! READINESS.md: the human production-readiness checklist kept in the repository.
//!
//! An item is a task-list item (`- [ ]`, `- [x]`, `* [X]`, any indentation) whose text carries a
//! marker comment `<!-- golive:ID [every=Nd] -->`. Manual items (`golive:manual/...`) are attested
//! by people: `— @alice 2026-10-01` before the marker (the dash may be `—`, `–`, ` -- ` or
//! ` - `; several handles are allowed, and team handles `@acme/sre` as in CODEOWNERS). Task items inside code blocks or HTML comments are not
//! items: the file is read with pulldown-cmark. See docs/readiness.md for the format.

use crate::date::Date;
use crate::text::{LineIndex, strip_bom};
use crate::workspace::{SourceFile, Workspace};
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use regex::Regex;
use std::sync::LazyLock;

/// A manual item as `golive init` and `golive checklist --write` write it: a `manual/*` check's
/// id, level and title (its READINESS.md wording) and its default `every=` period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ManualItem {
    pub id: &'static str,
    pub level: crate::model::Level,
    /// How long an attestation stays valid by default, when it expires at all.
    pub every_days: Option<u32>,
    pub title: &'static str,
}

/// One marked task-list item of READINESS.md.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// The marker's id (`manual/on-call`, `k8s/readiness-probe`).
    pub id: String,
    /// 1-based line of the item's checkbox.
    pub line: u32,
    /// `[x]`/`[X]`.
    pub checked: bool,
    /// The item's text without the attestation (`An on-call rotation covers the service: https://…`).
    pub text: String,
    /// The marker's `every=` period, when it has one.
    pub every: Option<Period>,
    /// `— @alice 2026-10-01`, when the item has one.
    pub attestation: Option<Attestation>,
}

impl Item {
    /// A manual attestation (`golive:manual/...`), as opposed to an automated check's item.
    pub fn is_manual(&self) -> bool {
        self.id.starts_with("manual/")
    }
}

/// An `every=` period as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// As written after `every=` (`90d`).
    pub raw: String,
    /// In days (`Nd`, `Nw` = 7, `Nm` = 30, `Ny` = 365); None when `raw` is not a period.
    pub days: Option<u32>,
}

impl Period {
    /// Parses `Nd`, `Nw`, `Nm` (30 days) or `Ny` (365 days), N > 0.
    pub fn parse(raw: &str) -> Period {
        let days = raw.char_indices().last().and_then(|(i, unit)| {
            let n: u32 = raw.get(..i)?.parse().ok()?;
            let per = match unit {
                'd' => 1,
                'w' => 7,
                'm' => 30,
                'y' => 365,
                _ => return None,
            };
            (n > 0 && raw.get(..i)?.bytes().all(|b| b.is_ascii_digit()))
                .then(|| n.checked_mul(per))
                .flatten()
        });
        Period {
            raw: raw.to_string(),
            days,
        }
    }
}

/// Who attested an item, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attestation {
    /// `@alice`, `@bob`, in order.
    pub handles: Vec<String>,
    /// The date as written after the handles (empty when there is none).
    pub date_raw: String,
    /// The date, when `date_raw` is a real `YYYY-MM-DD` date.
    pub date: Option<Date>,
}

/// What golive reads from READINESS.md.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Readiness {
    /// Marked task-list items, in file order.
    pub items: Vec<Item>,
    /// The line of the first heading whose text mentions "manual" (`## Manual attestations`).
    pub manual_heading: Option<u32>,
}

impl Readiness {
    /// The items with this marker id, in file order.
    pub fn items_for<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Item> + 'a {
        self.items.iter().filter(move |i| i.id == id)
    }
}

/// READINESS.md as found in a workspace.
#[derive(Debug)]
pub struct Found<'a> {
    pub file: &'a SourceFile,
    pub readiness: &'a Readiness,
    /// Other readiness files that were found and not read (`docs/READINESS.md` next to a root one).
    pub ignored: Vec<&'a str>,
}

/// Whether `path` is a place golive reads READINESS.md from, and its rank (0 is preferred):
/// `READINESS.md` at the root, any-case `readiness.md` at the root, then `docs/`.
fn rank(path: &str) -> Option<u8> {
    match path {
        "READINESS.md" => Some(0),
        "docs/READINESS.md" => Some(2),
        p if p.eq_ignore_ascii_case("readiness.md") => Some(1),
        p if p.eq_ignore_ascii_case("docs/readiness.md") => Some(3),
        _ => None,
    }
}

/// The repository's READINESS.md (at the root, else `docs/`; file names case-insensitive), parsed.
pub fn find(ws: &Workspace) -> Option<Found<'_>> {
    let mut candidates: Vec<(u8, &SourceFile)> = ws
        .files()
        .iter()
        .filter(|f| f.rendered_by.is_none())
        .filter_map(|f| rank(&f.path).map(|r| (r, f)))
        .collect();
    candidates.sort_by(|a, b| (a.0, &a.1.path).cmp(&(b.0, &b.1.path)));
    let mut files = candidates.into_iter().map(|(_, f)| f);
    let file = files.next()?;
    Some(Found {
        file,
        readiness: file.readiness(),
        ignored: files.map(|f| f.path.as_str()).collect(),
    })
}

static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?s)^<!--\s*golive:([A-Za-z0-9_./-]+)((?:\s+[A-Za-z_-]+=\S*?)*)\s*-->$")
        .expect("marker regex")
});

/// `— @alice @bob 2026-10-01` at the end of an item's text.
static ATTESTATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?s)(?:\s*[—–]\s*|\s+--?\s+)(@[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)?(?:[\s,]+@[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)?)*)(?:\s+(\S+))?\s*$",
    )
    .expect("attestation regex")
});

/// `@alice`, or a team `@acme/sre` (as in CODEOWNERS).
static HANDLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"@[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)?").expect("handle regex"));

/// A `YYYY-MM-DD` that is a real calendar date.
pub fn real_date(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    let shape = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        });
    let date = Date::parse(s).filter(|_| shape)?;
    // Date::parse accepts 2026-02-31; a real date survives the round trip through days.
    (Date::from_days(date.to_days()) == date).then_some(date)
}

/// Splits `text — @alice 2026-10-01` into the text and the attestation.
fn attestation(before_marker: &str) -> (String, Option<Attestation>) {
    let Some(caps) = ATTESTATION.captures(before_marker) else {
        return (collapse(before_marker), None);
    };
    let (Some(all), Some(handles)) = (caps.get(0), caps.get(1)) else {
        return (collapse(before_marker), None);
    };
    let date_raw = caps.get(2).map(|m| m.as_str()).unwrap_or("").to_string();
    let text = before_marker.get(..all.start()).unwrap_or("");
    let attestation = Attestation {
        handles: HANDLE
            .find_iter(handles.as_str())
            .map(|m| m.as_str().to_string())
            .collect(),
        date: real_date(&date_raw),
        date_raw,
    };
    (collapse(text), Some(attestation))
}

/// Whitespace (line breaks of a wrapped item) collapsed to single spaces.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// An open list item while reading events.
struct Open {
    /// (checked, offset just after the checkbox) once its task marker was seen.
    task: Option<(bool, usize)>,
    line: u32,
    done: bool,
}

/// Reads the marked task-list items of READINESS.md text. A leading BOM is ignored.
pub fn parse(text: &str) -> Readiness {
    let (text, _) = strip_bom(text);
    let index = LineIndex::new(text);
    let line_of = |offset: usize| index.position(text, offset).0;
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_GFM
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS;
    let mut out = Readiness::default();
    let mut stack: Vec<Open> = Vec::new();
    let mut heading: Option<(String, u32)> = None;
    for (event, range) in Parser::new_ext(text, options).into_offset_iter() {
        match event {
            Event::Start(Tag::Item) => stack.push(Open {
                task: None,
                line: 0,
                done: false,
            }),
            Event::End(TagEnd::Item) => {
                stack.pop();
            }
            Event::TaskListMarker(checked) => {
                if let Some(open) = stack.last_mut() {
                    open.task = Some((checked, range.end));
                    open.line = line_of(range.start);
                }
            }
            // The marker is inline HTML; on a line of its own inside the item it is an HTML block.
            Event::InlineHtml(html) | Event::Html(html) => {
                let Some(open) = stack.last_mut() else {
                    continue;
                };
                let Some((checked, after_box)) = open.task.filter(|_| !open.done) else {
                    continue;
                };
                let Some(caps) = MARKER.captures(html.trim()) else {
                    continue;
                };
                open.done = true;
                let id = caps.get(1).map(|m| m.as_str()).unwrap_or("").to_string();
                let every = caps.get(2).and_then(|attrs| {
                    attrs
                        .as_str()
                        .split_whitespace()
                        .find_map(|kv| kv.strip_prefix("every="))
                        .map(Period::parse)
                });
                let before = text.get(after_box..range.start).unwrap_or("");
                let (item_text, attestation) = attestation(before);
                out.items.push(Item {
                    id,
                    line: open.line,
                    checked,
                    text: item_text,
                    every,
                    attestation,
                });
            }
            Event::Start(Tag::Heading { .. }) => {
                heading = Some((String::new(), line_of(range.start)));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((h, _)) = heading.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((h, line)) = heading.take()
                    && out.manual_heading.is_none()
                    && h.to_lowercase().contains("manual")
                {
                    out.manual_heading = Some(line);
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CONTRACT: &str = "# Production readiness: checkout

Prose people write is kept as it is.

## Manual attestations

- [x] An on-call rotation covers the service: https://acme.pagerduty.com/schedules/P1 — @alice 2026-10-01 <!-- golive:manual/on-call -->
- [ ] A disaster recovery drill was run <!-- golive:manual/dr-drill every=180d -->
- [x] Backups were restored and verified — @bob 2026-09-14 <!-- golive:manual/restore-test every=90d -->

## Automated checks

<!-- golive:automated:start -->
- [x] Serving containers have a readiness probe <!-- golive:k8s/readiness-probe -->
<!-- golive:automated:end -->
";

    fn date(s: &str) -> Option<Date> {
        Date::parse(s)
    }

    #[test]
    fn reads_the_contract_example() {
        let r = parse(CONTRACT);
        assert_eq!(r.manual_heading, Some(5));
        let ids: Vec<(&str, u32, bool)> = r
            .items
            .iter()
            .map(|i| (i.id.as_str(), i.line, i.checked))
            .collect();
        assert_eq!(
            ids,
            [
                ("manual/on-call", 7, true),
                ("manual/dr-drill", 8, false),
                ("manual/restore-test", 9, true),
                ("k8s/readiness-probe", 14, true),
            ]
        );
        let on_call = &r.items[0];
        assert_eq!(
            on_call.text,
            "An on-call rotation covers the service: https://acme.pagerduty.com/schedules/P1"
        );
        assert_eq!(
            on_call.attestation,
            Some(Attestation {
                handles: vec!["@alice".into()],
                date_raw: "2026-10-01".into(),
                date: date("2026-10-01"),
            })
        );
        assert_eq!(on_call.every, None);
        assert!(on_call.is_manual());
        assert!(!r.items[3].is_manual());
        assert_eq!(r.items[1].attestation, None);
        assert_eq!(r.items[1].every.as_ref().and_then(|p| p.days), Some(180));
        assert_eq!(r.items[2].every.as_ref().and_then(|p| p.days), Some(90));
    }

    #[test]
    fn accepts_every_dash_bullet_and_indentation() {
        let text = "* [X] A — @a 2026-01-01 <!-- golive:manual/a -->
  - [x] B – @b 2026-01-02 <!-- golive:manual/b -->
    + [x] C -- @c 2026-01-03 <!-- golive:manual/c -->
- [x] D - @d.e_f-g @acme/sre 2026-01-04 <!-- golive:manual/d -->
- [x] E—@e 2026-01-05<!--golive:manual/e every=2w-->
";
        let r = parse(text);
        let got: Vec<(&str, u32, String, Option<Date>)> = r
            .items
            .iter()
            .map(|i| {
                let a = i.attestation.clone().expect("attested");
                (i.id.as_str(), i.line, a.handles.join(" "), a.date)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("manual/a", 1, "@a".into(), date("2026-01-01")),
                ("manual/b", 2, "@b".into(), date("2026-01-02")),
                ("manual/c", 3, "@c".into(), date("2026-01-03")),
                (
                    "manual/d",
                    4,
                    "@d.e_f-g @acme/sre".into(),
                    date("2026-01-04")
                ),
                ("manual/e", 5, "@e".into(), date("2026-01-05")),
            ]
        );
        assert_eq!(r.items[0].text, "A");
        assert_eq!(r.items[4].every.as_ref().and_then(|p| p.days), Some(14));
    }

    #[test]
    fn several_handles_and_bad_dates() {
        let text = "- [x] Reviewed — @alice @bob 2026-02-30 <!-- golive:manual/x -->
- [x] Reviewed — @alice, @bob 2026-3-01 <!-- golive:manual/y -->
- [x] Reviewed — @alice <!-- golive:manual/z -->
- [x] Reviewed by the team <!-- golive:manual/w -->
- [x] Cost-benefit - reviewed <!-- golive:manual/v -->
";
        let r = parse(text);
        let a = |i: usize| r.items[i].attestation.clone();
        assert_eq!(
            a(0),
            Some(Attestation {
                handles: vec!["@alice".into(), "@bob".into()],
                date_raw: "2026-02-30".into(),
                date: None,
            })
        );
        assert_eq!(a(1).map(|a| (a.handles.len(), a.date)), Some((2, None)));
        assert_eq!(
            a(2).map(|a| (a.handles, a.date_raw)),
            Some((vec!["@alice".to_string()], String::new()))
        );
        assert_eq!(a(3), None);
        assert_eq!(a(4), None);
        assert_eq!(r.items[4].text, "Cost-benefit - reviewed");
    }

    #[test]
    fn items_in_code_blocks_comments_and_unmarked_items_are_not_items() {
        let text = "# Readiness

    - [x] Indented code — @dan 2026-01-01 <!-- golive:manual/load-test -->

```markdown
- [x] Example — @alice 2026-01-01 <!-- golive:manual/on-call -->
```

<!--
- [x] Commented out — @bob 2026-01-01 <!-- golive:manual/dr-drill -->
-->

- [x] Not marked — @carol 2026-01-01
- Not a task <!-- golive:manual/sign-off -->

- [x] Real
  wrapped — @erin 2026-01-01 <!-- golive:manual/escalation -->
";
        let r = parse(text);
        let ids: Vec<(&str, u32)> = r.items.iter().map(|i| (i.id.as_str(), i.line)).collect();
        assert_eq!(ids, [("manual/escalation", 16)]);
        assert_eq!(r.items[0].text, "Real wrapped");
        assert_eq!(r.manual_heading, None);
    }

    #[test]
    fn nested_items_keep_their_own_markers() {
        let text = "- [x] Outer — @a 2026-01-01 <!-- golive:manual/outer -->
  - [ ] Inner <!-- golive:manual/inner -->
- [ ] Parent without marker
  - [x] Child — @c 2026-01-01 <!-- golive:manual/child -->
";
        let r = parse(text);
        let ids: Vec<(&str, u32, bool)> = r
            .items
            .iter()
            .map(|i| (i.id.as_str(), i.line, i.checked))
            .collect();
        assert_eq!(
            ids,
            [
                ("manual/outer", 1, true),
                ("manual/inner", 2, false),
                ("manual/child", 4, true),
            ]
        );
    }

    #[test]
    fn a_marker_on_its_own_line_inside_the_item_counts() {
        let text = "- [x] A long item — @a 2026-01-01
  <!-- golive:manual/a -->
- [ ] B
  <!--
  - [x] commented out <!-- golive:manual/b -->
  -->
";
        let r = parse(text);
        let ids: Vec<(&str, u32)> = r.items.iter().map(|i| (i.id.as_str(), i.line)).collect();
        assert_eq!(ids, [("manual/a", 1)]);
        assert_eq!(r.items[0].text, "A long item");
        assert_eq!(
            r.items[0].attestation.as_ref().and_then(|a| a.date),
            date("2026-01-01")
        );
    }

    #[test]
    fn periods() {
        let days = |s: &str| Period::parse(s).days;
        assert_eq!(days("90d"), Some(90));
        assert_eq!(days("2w"), Some(14));
        assert_eq!(days("6m"), Some(180));
        assert_eq!(days("1y"), Some(365));
        assert_eq!(days("0d"), None);
        assert_eq!(days("d"), None);
        assert_eq!(days("+5d"), None);
        assert_eq!(days("90"), None);
        assert_eq!(days("1.5y"), None);
        assert_eq!(days("soon"), None);
        assert_eq!(days("99999999999y"), None);
        assert_eq!(days("é"), None);
    }

    #[test]
    fn real_dates() {
        assert_eq!(real_date("2024-02-29"), date("2024-02-29"));
        assert_eq!(real_date("2026-02-29"), None);
        assert_eq!(real_date("2026-04-31"), None);
        assert_eq!(real_date("2026-13-01"), None);
        assert_eq!(real_date("2026-1-01"), None);
        assert_eq!(real_date("yesterday"), None);
    }

    #[test]
    fn bom_and_crlf() {
        let r =
            parse("\u{feff}## Manual\r\n\r\n- [x] A — @a 2026-01-01 <!-- golive:manual/a -->\r\n");
        assert_eq!(r.manual_heading, Some(1));
        assert_eq!(r.items.len(), 1);
        assert_eq!(r.items[0].line, 3);
        assert_eq!(
            r.items[0].attestation.as_ref().and_then(|a| a.date),
            date("2026-01-01")
        );
    }

    #[test]
    fn finds_the_root_file_first() {
        let ws = Workspace::from_texts(&[
            ("docs/READINESS.md", "- [ ] x <!-- golive:manual/a -->\n"),
            (
                "readiness.md",
                "- [x] y — @a 2026-01-01 <!-- golive:manual/a -->\n",
            ),
            ("other/READINESS.md", "- [x] z <!-- golive:manual/a -->\n"),
        ]);
        let found = find(&ws).expect("found");
        assert_eq!(found.file.path, "readiness.md");
        assert_eq!(found.ignored, ["docs/READINESS.md"]);
        assert_eq!(found.readiness.items.len(), 1);
        assert!(find(&Workspace::from_texts(&[("README.md", "# x\n")])).is_none());
    }

    proptest! {
        #[test]
        fn never_panics(text in "\\PC*") {
            let _ = parse(&text);
        }

        #[test]
        fn never_panics_on_item_shapes(
            parts in proptest::collection::vec(
                prop_oneof![
                    Just("- [x] ".to_string()),
                    Just("* [ ] ".to_string()),
                    Just(" — ".to_string()),
                    Just(" - ".to_string()),
                    Just("@al ".to_string()),
                    Just("2026-02-30".to_string()),
                    Just("<!-- golive:manual/on-call every=9d -->".to_string()),
                    Just("<!--".to_string()),
                    Just("-->".to_string()),
                    Just("\n".to_string()),
                    Just("```\n".to_string()),
                    Just("    ".to_string()),
                    "\\PC{0,8}",
                ],
                0..40,
            )
        ) {
            let _ = parse(&parts.concat());
        }
    }
}
