use super::*;
use proptest::prelude::*;

fn item(id: &str, category: Category, status: Status, note: Option<&str>) -> ChecklistItem {
    ChecklistItem {
        id: id.into(),
        title: format!("Title of {id}"),
        category,
        status,
        note: note.map(str::to_string),
    }
}

fn items() -> Vec<ChecklistItem> {
    vec![
        item(
            "k8s/readiness-probe",
            Category::Kubernetes,
            Status::Pass,
            None,
        ),
        item(
            "k8s/resources",
            Category::Kubernetes,
            Status::Fail,
            Some("2 findings, first at deploy/web.yaml:14"),
        ),
        item(
            "terraform/state-locking",
            Category::Terraform,
            Status::NotApplicable,
            Some("not applicable: no Terraform found"),
        ),
        item(
            "ci/pipeline",
            Category::Ci,
            Status::Waived,
            Some("waived: migrating to GitHub Actions, until 2027-01-31"),
        ),
    ]
}

const BLOCK: &str = "<!-- golive:automated:start -->\n\
### Kubernetes workloads\n\
- [x] Title of k8s/readiness-probe <!-- golive:k8s/readiness-probe -->\n\
- [ ] Title of k8s/resources — 2 findings, first at deploy/web.yaml:14 <!-- golive:k8s/resources -->\n\
\n\
### Terraform and IaC\n\
- [ ] ~~Title of terraform/state-locking~~ — not applicable: no Terraform found <!-- golive:terraform/state-locking -->\n\
\n\
### CI: build pipeline\n\
- [x] Title of ci/pipeline — waived: migrating to GitHub Actions, until 2027-01-31 <!-- golive:ci/pipeline -->\n\
<!-- golive:automated:end -->\n";

fn rewrite_ok(text: &str) -> Rewritten {
    rewrite(text, &items()).expect("markers pair up")
}

#[test]
fn the_block_is_rendered_per_category_in_item_order() {
    assert_eq!(render_block(&items(), "\n"), BLOCK);
}

#[test]
fn the_block_is_regenerated_and_prose_and_manual_items_kept() {
    let before = "# Production readiness: checkout\n\nProse people write — kept.\n\n\
- [x] On-call: https://acme.pagerduty.com/schedules/P1 — @alice 2026-10-01 <!-- golive:manual/on-call -->\n\n\
<!-- golive:automated:start -->\n### Old\n- [ ] stale <!-- golive:k8s/old -->\nhand edit\n<!-- golive:automated:end -->\n\nAfter.\n";
    let out = rewrite_ok(before);
    let expected = format!(
        "# Production readiness: checkout\n\nProse people write — kept.\n\n\
- [x] On-call: https://acme.pagerduty.com/schedules/P1 — @alice 2026-10-01 <!-- golive:manual/on-call -->\n\n\
{BLOCK}\nAfter.\n"
    );
    assert_eq!(out.text, expected);
    assert!(!out.appended);
    // k8s/old removed, four added.
    assert_eq!(out.changed_items, 5);
    let again = rewrite_ok(&out.text);
    assert_eq!(again.text, out.text);
    assert_eq!(again.changed_items, 0);
}

#[test]
fn crlf_files_stay_crlf() {
    let before =
        "# R\r\n\r\n<!-- golive:automated:start -->\r\n<!-- golive:automated:end -->\r\nend\r\n";
    let out = rewrite_ok(before);
    assert!(
        out.text.starts_with(
            "# R\r\n\r\n<!-- golive:automated:start -->\r\n### Kubernetes workloads\r\n"
        )
    );
    assert!(
        out.text
            .ends_with("<!-- golive:automated:end -->\r\nend\r\n")
    );
    assert!(!out.text.replace("\r\n", "").contains('\n'));
    assert_eq!(rewrite_ok(&out.text).text, out.text);
}

#[test]
fn a_missing_final_newline_stays_missing() {
    let before = "# R\n\n<!-- golive:automated:start -->\n<!-- golive:automated:end -->";
    let out = rewrite_ok(before);
    assert!(out.text.ends_with("deploy/web.yaml:14 <!-- golive:k8s/resources -->\n\n### Terraform and IaC\n- [ ] ~~Title of terraform/state-locking~~ — not applicable: no Terraform found <!-- golive:terraform/state-locking -->\n\n### CI: build pipeline\n- [x] Title of ci/pipeline — waived: migrating to GitHub Actions, until 2027-01-31 <!-- golive:ci/pipeline -->\n<!-- golive:automated:end -->"));
    assert_eq!(rewrite_ok(&out.text).text, out.text);

    let appended = rewrite_ok("# R\nlast line");
    assert_eq!(
        appended.text,
        format!(
            "# R\nlast line\n\n## Automated checks\n\n{}",
            BLOCK.trim_end_matches('\n')
        )
    );
    assert_eq!(rewrite_ok(&appended.text).text, appended.text);
}

#[test]
fn a_missing_block_is_appended_after_a_blank_line_and_a_heading() {
    let out = rewrite_ok("# R\n\nProse.\n");
    assert!(out.appended);
    assert_eq!(out.changed_items, 4);
    assert_eq!(
        out.text,
        format!("# R\n\nProse.\n\n## Automated checks\n\n{BLOCK}")
    );
    let out = rewrite_ok("# R\n\n");
    assert_eq!(out.text, format!("# R\n\n## Automated checks\n\n{BLOCK}"));
    let out = rewrite_ok("");
    assert_eq!(out.text, format!("## Automated checks\n\n{BLOCK}"));
    let again = rewrite_ok(&out.text);
    assert_eq!(again.text, out.text);
    assert!(!again.appended);
}

#[test]
fn items_outside_the_block_change_only_checkbox_and_note() {
    let before = "\
- [x] Our probes — every serving container <!-- golive:k8s/resources -->\n\
- [ ] Probes  <!-- golive:k8s/readiness-probe -->\n\
\x20\x20* [x] Locked state — 3 findings, first at a.tf:1 <!-- golive:terraform/state-locking --> trailing\n\
1. [X] CI <!-- golive:ci/pipeline -->\n\
- [ ] Unknown <!-- golive:k8s/not-run -->\n\
- Not a task <!-- golive:k8s/resources -->\n\
- [ ] Manual — @bob 2026-01-01 <!-- golive:manual/on-call -->\n\
<!-- golive:automated:start -->\n<!-- golive:automated:end -->\n";
    let out = rewrite_ok(before);
    let lines: Vec<&str> = out.text.lines().collect();
    assert_eq!(
        lines.get(..7).unwrap_or_default(),
        [
            "- [ ] Our probes — every serving container — 2 findings, first at deploy/web.yaml:14 <!-- golive:k8s/resources -->",
            "- [x] Probes  <!-- golive:k8s/readiness-probe -->",
            "  * [ ] Locked state — not applicable: no Terraform found <!-- golive:terraform/state-locking --> trailing",
            "1. [X] CI — waived: migrating to GitHub Actions, until 2027-01-31 <!-- golive:ci/pipeline -->",
            "- [ ] Unknown <!-- golive:k8s/not-run -->",
            "- Not a task <!-- golive:k8s/resources -->",
            "- [ ] Manual — @bob 2026-01-01 <!-- golive:manual/on-call -->",
        ]
    );
    // 4 outside + 4 in the block.
    assert_eq!(out.changed_items, 8);
    let again = rewrite_ok(&out.text);
    assert_eq!(again.text, out.text);
    assert_eq!(again.changed_items, 0);

    // Back to passing: the note goes, people's wording stays.
    let mut passing = items();
    for i in &mut passing {
        i.status = Status::Pass;
        i.note = None;
    }
    let back = rewrite(&out.text, &passing).expect("ok");
    let first = back.text.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        "- [x] Our probes — every serving container <!-- golive:k8s/resources -->"
    );
}

#[test]
fn code_fences_are_left_alone() {
    let before = "# R\n\n```markdown\n<!-- golive:automated:start -->\n- [ ] x <!-- golive:k8s/resources -->\n<!-- golive:automated:end -->\n```\n\n~~~~\n- [ ] y <!-- golive:k8s/resources -->\n```\n~~~~\n";
    let out = rewrite_ok(before);
    assert!(out.appended);
    assert!(out.text.starts_with(before));
    assert_eq!(rewrite_ok(&out.text).text, out.text);
}

#[test]
fn unpaired_markers_are_errors_not_guesses() {
    let e = rewrite("a\n<!-- golive:automated:start -->\nb\n", &items()).unwrap_err();
    assert_eq!(e.line, 2);
    assert!(
        e.message
            .contains("without a `<!-- golive:automated:end -->`")
    );
    let e = rewrite("<!-- golive:automated:end -->\n", &items()).unwrap_err();
    assert_eq!(e.line, 1);
    let two = "<!-- golive:automated:start -->\n<!-- golive:automated:end -->\n<!-- golive:automated:start -->\n<!-- golive:automated:end -->\n";
    assert_eq!(rewrite(two, &items()).unwrap_err().line, 3);
}

#[test]
fn notes_are_one_line_and_cannot_close_the_marker() {
    let n = make_note(&NoteInput {
        status: Status::NotApplicable,
        reason: Some("no\nTerraform — here --> <!-- x"),
        waiver_reason: None,
        waiver_expires: None,
        findings: 0,
        first: None,
    });
    assert_eq!(
        n.as_deref(),
        Some("not applicable: no Terraform - here - -> <!- - x")
    );
    let long = "x ".repeat(200);
    let n = make_note(&NoteInput {
        status: Status::Error,
        reason: Some(&long),
        waiver_reason: None,
        waiver_expires: None,
        findings: 0,
        first: None,
    })
    .unwrap_or_default();
    assert!(n.chars().count() <= MAX_NOTE_CHARS);
    assert!(n.ends_with('…'));
    let waived = make_note(&NoteInput {
        status: Status::Waived,
        reason: None,
        waiver_reason: Some(&format!("{long}(PLAT-1).")),
        waiver_expires: Some("2027-06-30".into()),
        findings: 0,
        first: None,
    })
    .unwrap_or_default();
    assert!(waived.chars().count() <= MAX_NOTE_CHARS);
    assert!(waived.ends_with("…, until 2027-06-30"), "{waived}");
    let short = make_note(&NoteInput {
        status: Status::Waived,
        reason: None,
        waiver_reason: Some("Moves with PLAT-2184."),
        waiver_expires: Some("2027-06-30".into()),
        findings: 0,
        first: None,
    });
    assert_eq!(
        short.as_deref(),
        Some("waived: Moves with PLAT-2184, until 2027-06-30")
    );
    let fail = |findings, first| {
        make_note(&NoteInput {
            status: Status::Fail,
            reason: None,
            waiver_reason: None,
            waiver_expires: None,
            findings,
            first,
        })
    };
    assert_eq!(
        fail(1, Some(("a.yaml", 3))).as_deref(),
        Some("1 finding, first at a.yaml:3")
    );
    assert_eq!(
        fail(2, Some(("Dockerfile", 0))).as_deref(),
        Some("2 findings, first in Dockerfile")
    );
    assert_eq!(fail(3, None).as_deref(), Some("3 findings"));
    for note in [
        "1 finding, first at a.yaml:3",
        "3 findings",
        "failed",
        "error: x",
        "waived: y",
    ] {
        assert!(is_generated_note(note), "{note}");
    }
    for words in [
        "every serving container",
        "@bob 2026-01-01",
        "10 containers",
    ] {
        assert!(!is_generated_note(words), "{words}");
    }
}

#[test]
fn json_reports_give_the_same_items() {
    let json = r#"{"checks": [
        {"id": "k8s/resources", "title": "T", "category": "kubernetes", "status": "fail",
         "findings": [{"path": null, "line": null, "message": "m"}, {"path": "a.yaml", "line": 7, "message": "m"}]},
        {"id": "manual/on-call", "title": "M", "category": "manual", "status": "fail", "findings": []},
        {"id": "ci/x", "title": "W", "category": "ci", "status": "waived", "reason": "r",
         "waiver": {"reason": "because", "owner": null, "expires": "2027-01-01", "source": "golive.toml:3"}, "findings": []}
    ]}"#;
    let items = checklist_items_from_json(json).expect("parses");
    assert_eq!(items.len(), 2);
    assert_eq!(
        items.first().and_then(|i| i.note.as_deref()),
        Some("2 findings, first at a.yaml:7")
    );
    assert_eq!(
        items.get(1).and_then(|i| i.note.as_deref()),
        Some("waived: because, until 2027-01-01")
    );
    assert!(checklist_items_from_json("{}").is_err());
    assert!(checklist_items_from_json("[").is_err());
    assert!(
        checklist_items_from_json(r#"{"checks":[{"id":"a","category":"nope","status":"pass"}]}"#)
            .is_err()
    );
}

/// Manual items as the `manual/*` checks declare them (golive-report does not depend on the
/// checks; the CLI passes `golive_checks::manual::items()`).
const MANUAL: &[ManualItem] = &[
    ManualItem {
        id: "manual/on-call",
        level: Level::Bronze,
        every_days: None,
        title: "An on-call rotation covers the service",
    },
    ManualItem {
        id: "manual/escalation",
        level: Level::Silver,
        every_days: None,
        title: "The escalation path is written down",
    },
    ManualItem {
        id: "manual/dr-drill",
        level: Level::Gold,
        every_days: Some(180),
        title: "A disaster recovery drill was run",
    },
];

#[test]
fn a_new_file_has_the_manual_items_of_the_level_and_the_block() {
    let bronze = new_readiness("checkout", Some(3), Level::Bronze, &items(), MANUAL);
    assert!(bronze.starts_with("# Production readiness: checkout\n"));
    assert!(
        bronze.contains(
            "- [ ] An on-call rotation covers the service <!-- golive:manual/on-call -->\n"
        )
    );
    assert!(!bronze.contains("manual/escalation"));
    assert!(bronze.ends_with(BLOCK));
    let gold = new_readiness("checkout", Some(1), Level::Gold, &items(), MANUAL);
    assert!(gold.contains("<!-- golive:manual/dr-drill every=180d -->\n"));
    assert_eq!(gold.matches("<!-- golive:manual/").count(), MANUAL.len());
    // Prose never carries a marker: only the items do.
    assert_eq!(gold.matches("<!-- golive:").count(), MANUAL.len() + 4 + 2);
    assert_eq!(rewrite_ok(&gold).text, gold);
    let silver = new_readiness("x", None, Level::Silver, &[], MANUAL);
    assert_eq!(silver.matches("<!-- golive:manual/").count(), 2);
}

fn line_strategy() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(BLOCK_START.to_string()),
        Just(BLOCK_END.to_string()),
        Just("```".to_string()),
        Just("~~~".to_string()),
        Just("- [ ] x <!-- golive:k8s/resources -->".to_string()),
        Just("- [x] y — 3 findings <!-- golive:k8s/readiness-probe".to_string()),
        Just("* [X] — <!-- golive:ci/pipeline -->".to_string()),
        Just("1) [ ]<!-- golive:terraform/state-locking -->".to_string()),
        Just("- [ ] m — @a 2026-01-01 <!-- golive:manual/on-call every=90d -->".to_string()),
        Just(String::new()),
        "[ -~é—\\[\\]]{0,40}",
    ]
}

fn markdown_strategy() -> impl Strategy<Value = String> {
    (
        proptest::collection::vec((line_strategy(), prop_oneof!["\n", "\r\n", "\r"]), 0..24),
        any::<bool>(),
    )
        .prop_map(|(lines, final_newline)| {
            let mut s: String = lines.into_iter().map(|(l, e)| l + &e).collect();
            if !final_newline && s.ends_with('\n') {
                s.pop();
            }
            s
        })
}

proptest! {
    #[test]
    fn rewriting_arbitrary_markdown_never_panics_and_keeps_lines_outside_the_block(text in markdown_strategy()) {
        // With no known item, only the block changes: every line outside it is kept.
        if let Ok(out) = rewrite(&text, &[]) {
            let old = split_lines(&text);
            let new = split_lines(&out.text);
            let block = |ls: &[Line<'_>]| {
                let mut fences = Fences::default();
                ls.iter()
                    .enumerate()
                    .position(|(i, l)| !fences.is_code(i, l.text) && l.text.trim() == BLOCK_START)
            };
            match block(&old) {
                None => prop_assert!(out.text.starts_with(&text)),
                Some(_) => {
                    let keep = |ls: &[Line<'_>]| -> Vec<String> {
                        let mut inside = false;
                        let mut kept = Vec::new();
                        let mut fences = Fences::default();
                        for (i, l) in ls.iter().enumerate() {
                            let code = fences.is_code(i, l.text);
                            if !code && l.text.trim() == BLOCK_START && !inside { inside = true; continue; }
                            if inside { if !code && l.text.trim() == BLOCK_END { inside = false; } continue; }
                            kept.push(format!("{}{}", l.text, l.end));
                        }
                        kept
                    };
                    prop_assert_eq!(keep(&old), keep(&new));
                }
            }
        }
        // With items: outside the block, only lines with a marker may change, and a second
        // rewrite changes nothing.
        if let Ok(out) = rewrite(&text, &items()) {
            let outside = |t: &str| -> Vec<String> {
                let mut inside = false;
                let mut fences = Fences::default();
                let mut kept = Vec::new();
                for (i, l) in split_lines(t).iter().enumerate() {
                    let code = fences.is_code(i, l.text);
                    if !code && !inside && l.text.trim() == BLOCK_START { inside = true; continue; }
                    if inside { if !code && l.text.trim() == BLOCK_END { inside = false; } continue; }
                    kept.push(if l.text.contains("<!-- golive:") && !code {
                        "marker".to_string()
                    } else {
                        format!("{}{}", l.text, l.end)
                    });
                }
                kept
            };
            let before = outside(&text);
            let after = outside(&out.text);
            // An appended block may complete the last line's terminator and adds its heading.
            let n = before.len().saturating_sub(1);
            prop_assert_eq!(before.get(..n), after.get(..n));
            let again = rewrite(&out.text, &items());
            prop_assert!(again.is_ok());
            if let Ok(again) = again {
                prop_assert_eq!(&again.text, &out.text);
            }
        }
    }
}
