//! Checks of the `manual` catalogue section: readiness requirements golive cannot see in code,
//! attested by people in READINESS.md (`- [x] … — @alice 2026-10-01 <!-- golive:manual/on-call -->`).
//! Every check is the same function of its item ([`attestation`]); the files only declare them.

mod capacity_plan;
mod dr_drill;
mod escalation;
mod incident_process;
mod load_test;
mod on_call;
mod restore_test;
mod security_review;
mod sign_off;

use golive_core::readiness::{self, Item, ManualItem};
use golive_core::{Check, CheckMeta, Context, Date, Evidence, Finding, Location, Outcome};

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &on_call::OnCall,
        &capacity_plan::CapacityPlan,
        &security_review::SecurityReview,
        &load_test::LoadTest,
        &dr_drill::DrDrill,
        &restore_test::RestoreTest,
        &sign_off::SignOff,
        &incident_process::IncidentProcess,
        &escalation::Escalation,
    ]
}

/// Each manual check with its default period in days (the catalogue's `every=`), in catalogue
/// order: the one place the periods are written.
const PERIODS: &[(&CheckMeta, Option<u32>)] = &[
    (&on_call::OnCall::META, None),
    (&escalation::Escalation::META, None),
    (&incident_process::IncidentProcess::META, None),
    (&sign_off::SignOff::META, None),
    (&restore_test::RestoreTest::META, Some(90)),
    (&dr_drill::DrDrill::META, Some(180)),
    (&load_test::LoadTest::META, Some(180)),
    (&security_review::SecurityReview::META, Some(365)),
    (&capacity_plan::CapacityPlan::META, None),
];

/// The manual items, in catalogue order, for `golive init` and `golive checklist --write`: the
/// checks' own ids, levels, titles and default periods.
pub fn items() -> Vec<ManualItem> {
    PERIODS
        .iter()
        .map(|(meta, every_days)| ManualItem {
            id: meta.id,
            level: meta.level,
            every_days: *every_days,
            title: meta.title,
        })
        .collect()
}

/// The default period of a manual check, in days.
fn default_every(meta: &CheckMeta) -> Option<u32> {
    PERIODS
        .iter()
        .find(|(m, _)| m.id == meta.id)
        .and_then(|(_, every)| *every)
}

/// Runs the manual check `meta` with its default period.
pub(crate) fn attest(cx: &Context<'_>, meta: &'static CheckMeta) -> Outcome {
    attestation(cx, meta, default_every(meta))
}

/// The READINESS.md line that attests `meta`'s item (with its default period).
pub(crate) fn item_line(meta: &CheckMeta, default_every: Option<u32>, ticked: bool) -> String {
    let every = default_every
        .map(|d| format!(" every={d}d"))
        .unwrap_or_default();
    if ticked {
        format!(
            "- [x] {} — @you YYYY-MM-DD <!-- golive:{}{every} -->",
            meta.title, meta.id
        )
    } else {
        format!("- [ ] {} <!-- golive:{}{every} -->", meta.title, meta.id)
    }
}

/// The check's title as the end of a sentence ("nobody attests that an on-call rotation…").
fn what(meta: &CheckMeta) -> String {
    let mut chars = meta.title.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn days_ago(days: i64) -> String {
    match days {
        0 => "today".into(),
        1 => "1 day ago".into(),
        n => format!("{n} days ago"),
    }
}

/// `every 90 days`, or `every=6m (180 days)` when it was written in another unit.
fn every_phrase(raw: Option<&str>, days: u32) -> String {
    match raw {
        Some(raw) if raw != format!("{days}d") => format!("every={raw} ({days} days)"),
        _ => format!("every {days} days"),
    }
}

/// Judges the READINESS.md item of `meta.id`: ticked, attested (`— @handle YYYY-MM-DD`) and not
/// older than its period (the marker's `every=`, else `default_every` days, else none).
pub(crate) fn attestation(
    cx: &Context<'_>,
    meta: &'static CheckMeta,
    default_every: Option<u32>,
) -> Outcome {
    let Some(found) = readiness::find(cx.ws) else {
        return Outcome::from_findings(
            vec![
                Finding::repo(format!(
                    "no READINESS.md: nobody attests that {}",
                    what(meta)
                ))
                .with_help("run `golive init` to write READINESS.md, then attest the item"),
            ],
            Vec::new(),
        );
    };
    let path = found.file.path.as_str();
    let mut evidence = Vec::new();
    if !found.ignored.is_empty() {
        evidence.push(Evidence::file(
            path,
            format!(
                "{path} is read; {} ignored (golive reads one READINESS.md, the root one first)",
                found.ignored.join(", ")
            ),
        ));
    }
    let mut items = found.readiness.items_for(meta.id);
    let Some(item) = items.next() else {
        let line = found.readiness.manual_heading.unwrap_or(1);
        let add = item_line(meta, default_every, false);
        return Outcome::from_findings(
            vec![
                Finding::at(
                    Location::line(path, line),
                    format!("{path} has no item for {}: add `{add}`", meta.id),
                )
                .with_help(format!(
                    "add the line to the manual attestations of {path}; once it is true, tick it \
                     and attest it (`— @you YYYY-MM-DD` before the marker)"
                )),
            ],
            evidence,
        );
    };
    for again in items {
        evidence.push(Evidence::at(
            path,
            again.line,
            format!(
                "{} is listed again here; only its first item (line {}) is read",
                meta.id, item.line
            ),
        ));
    }
    match judge(item, meta, default_every, cx.today) {
        Ok(message) => {
            evidence.insert(0, Evidence::at(path, item.line, message));
            Outcome::Pass(evidence)
        }
        Err((message, help)) => {
            let mut finding = Finding::at(Location::line(path, item.line), message);
            if let Some(help) = help {
                finding = finding.with_help(help);
            }
            Outcome::Fail {
                findings: vec![finding],
                evidence,
            }
        }
    }
}

/// The pass evidence of an item, or the finding's message and help.
fn judge(
    item: &Item,
    meta: &CheckMeta,
    default_every: Option<u32>,
    today: Date,
) -> Result<String, (String, Option<String>)> {
    let id = meta.id;
    if !item.checked {
        return Err((
            format!("{id} is not ticked: nobody attests that {}", what(meta)),
            Some(format!(
                "once it is true, tick the item and attest it: `{}`",
                item_line(meta, default_every, true)
            )),
        ));
    }
    let Some(att) = &item.attestation else {
        return Err((
            format!("{id} is ticked but not attested: it says neither who nor when"),
            Some("add `— @handle YYYY-MM-DD` (who attests it, and when) before the marker".into()),
        ));
    };
    let who = att.handles.join(", ");
    let Some(date) = att.date else {
        return Err(if att.date_raw.is_empty() {
            (
                format!("{id} is attested by {who} without a date"),
                Some(format!("add the date: `— {who} YYYY-MM-DD`")),
            )
        } else {
            (
                format!(
                    "{id} is attested by {who} on `{}`, which is not a date (YYYY-MM-DD)",
                    att.date_raw
                ),
                Some(format!(
                    "write the date as YYYY-MM-DD: `— {who} YYYY-MM-DD`"
                )),
            )
        });
    };
    let age = today.to_days() - date.to_days();
    if age < 0 {
        return Err((
            format!(
                "{id} is attested by {who} on {date}, which is in the future (today is {today})"
            ),
            Some("attest with the date it was done, not a planned one".into()),
        ));
    }
    let every = match &item.every {
        Some(period) => {
            match period.days {
                Some(days) => Some((days, Some(period.raw.as_str()))),
                None => {
                    return Err((
                    format!(
                        "{id}: `every={}` is not a period (Nd, Nw, Nm = 30 days or Ny = 365 days)",
                        period.raw
                    ),
                    Some("write the period as `every=90d`, `every=12w`, `every=6m` or `every=1y`".into()),
                ));
                }
            }
        }
        None => default_every.map(|d| (d, None)),
    };
    let Some((days, raw)) = every else {
        return Ok(format!("attested by {who} on {date} ({})", days_ago(age)));
    };
    let phrase = every_phrase(raw, days);
    if age > i64::from(days) {
        let expired = Date::from_days(date.to_days() + i64::from(days));
        return Err((
            format!(
                "{id} is stale: attested by {who} on {date}, {} old, {phrase}: it expired on {expired}",
                plural_days(age)
            ),
            Some(format!(
                "do it again, then update the attestation: `— @you {today}`"
            )),
        ));
    }
    let phrase = match (raw, default_every) {
        (Some(raw), Some(default)) if days > default => {
            let in_days = if raw == format!("{days}d") {
                String::new()
            } else {
                format!(" ({days} days)")
            };
            format!("every={raw}{in_days}, longer than the recommended {default} days")
        }
        _ => phrase,
    };
    Ok(format!(
        "attested by {who} on {date} ({}; {phrase})",
        days_ago(age)
    ))
}

fn plural_days(n: i64) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(line: &str) -> Item {
        readiness::parse(line)
            .items
            .into_iter()
            .next()
            .expect("an item")
    }

    fn today() -> Date {
        Date::parse("2026-11-22").expect("date")
    }

    #[test]
    fn judges_periods_ages_and_dates() {
        let meta = &on_call::OnCall::META;
        let judge = |line: &str, default| judge(&item(line), meta, default, today());
        assert_eq!(
            judge(
                "- [x] X — @a 2026-10-01 <!-- golive:manual/on-call -->",
                None
            ),
            Ok("attested by @a on 2026-10-01 (52 days ago)".into())
        );
        assert_eq!(
            judge(
                "- [x] X — @a @b 2026-10-01 <!-- golive:manual/on-call every=1y -->",
                Some(180)
            ),
            Ok("attested by @a, @b on 2026-10-01 (52 days ago; every=1y (365 days), longer than the recommended 180 days)".into())
        );
        assert_eq!(
            judge(
                "- [x] X — @a 2026-11-22 <!-- golive:manual/on-call every=30d -->",
                Some(180)
            ),
            Ok("attested by @a on 2026-11-22 (today; every 30 days)".into())
        );
        // On the last day of its period an attestation still holds; the day after, it is stale.
        assert!(
            judge(
                "- [x] X — @a 2026-08-24 <!-- golive:manual/on-call -->",
                Some(90)
            )
            .is_ok()
        );
        assert_eq!(
            judge("- [x] X — @a 2026-08-23 <!-- golive:manual/on-call -->", Some(90))
                .map_err(|e| e.0),
            Err("manual/on-call is stale: attested by @a on 2026-08-23, 91 days old, every 90 days: it expired on 2026-11-21".into())
        );
        assert!(
            judge(
                "- [x] X — @a 2026-11-23 <!-- golive:manual/on-call -->",
                None
            )
            .is_err_and(|e| e.0.contains("in the future"))
        );
        assert!(
            judge(
                "- [x] X — @a 2026-02-29 <!-- golive:manual/on-call -->",
                None
            )
            .is_err_and(|e| e.0.contains("not a date"))
        );
        assert!(
            judge("- [x] X — @a <!-- golive:manual/on-call -->", None)
                .is_err_and(|e| e.0.contains("without a date"))
        );
        assert!(
            judge("- [x] X <!-- golive:manual/on-call -->", None)
                .is_err_and(|e| e.0.contains("not attested"))
        );
        assert!(
            judge(
                "- [ ] X — @a 2026-10-01 <!-- golive:manual/on-call -->",
                None
            )
            .is_err_and(|e| e.0.contains("not ticked"))
        );
        assert!(
            judge(
                "- [x] X — @a 2026-10-01 <!-- golive:manual/on-call every=often -->",
                None
            )
            .is_err_and(|e| e.0.contains("not a period"))
        );
    }

    #[test]
    fn item_lines_parse_back() {
        let meta = &on_call::OnCall::META;
        for ticked in [false, true] {
            let line = item_line(meta, Some(90), ticked);
            let parsed = item(&line);
            assert_eq!(parsed.id, meta.id);
            assert_eq!(parsed.checked, ticked);
            assert_eq!(parsed.text, meta.title);
            assert_eq!(parsed.every.and_then(|p| p.days), Some(90));
        }
    }
}
