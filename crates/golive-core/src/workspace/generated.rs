//! Text golive writes itself is not evidence: the automated block of READINESS.md (written by
//! `golive checklist --write`) repeats check titles and category headings ("Delivery and
//! rollback", "Data and disaster recovery"), which checks that read documentation would
//! otherwise take for the repository's own docs, so that each `--write` could change the next
//! scan's results. Its lines are blanked when the file is read; line numbers stay.

/// The checklist's file name.
pub const READINESS_FILE: &str = "READINESS.md";
/// The generated block's first and last lines (see golive-report's `readiness_md`).
pub const AUTOMATED_START: &str = "<!-- golive:automated:start -->";
pub const AUTOMATED_END: &str = "<!-- golive:automated:end -->";

/// `text` with the lines between the block's markers emptied (line breaks kept), when `path`
/// is a READINESS.md with one complete block; otherwise `text` unchanged.
pub fn hide_generated(path: &str, text: String) -> String {
    if path.rsplit('/').next() != Some(READINESS_FILE) {
        return text;
    }
    let mut start = None;
    let mut end = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        if start.is_none() && trimmed == AUTOMATED_START {
            start = Some(offset + line.len());
        } else if start.is_some() && trimmed == AUTOMATED_END {
            end = Some(offset);
            break;
        }
        offset += line.len();
    }
    let (Some(start), Some(end)) = (start, end) else {
        return text;
    };
    let (Some(head), Some(block), Some(tail)) =
        (text.get(..start), text.get(start..end), text.get(end..))
    else {
        return text;
    };
    let blanked: String = block
        .split_inclusive('\n')
        .map(|l| {
            if l.ends_with("\r\n") {
                "\r\n"
            } else if l.ends_with('\n') {
                "\n"
            } else {
                ""
            }
        })
        .collect();
    format!("{head}{blanked}{tail}")
}

#[cfg(test)]
mod tests {
    use super::hide_generated;

    #[test]
    fn the_automated_block_of_readiness_md_is_blanked_and_lines_kept() {
        let text = "# R\r\n- [x] On call <!-- golive:manual/on-call -->\r\n<!-- golive:automated:start -->\r\n### Delivery and rollback\r\n- [x] A release can be rolled back <!-- golive:delivery/rollback-path -->\r\n<!-- golive:automated:end -->\r\nAfter\r\n";
        assert_eq!(
            hide_generated("READINESS.md", text.to_string()),
            "# R\r\n- [x] On call <!-- golive:manual/on-call -->\r\n<!-- golive:automated:start -->\r\n\r\n\r\n<!-- golive:automated:end -->\r\nAfter\r\n"
        );
        assert_eq!(
            hide_generated("svc/READINESS.md", text.into())
                .lines()
                .count(),
            7
        );
        assert_eq!(hide_generated("README.md", text.into()), text);
        let unclosed = "<!-- golive:automated:start -->\n### Delivery and rollback\n";
        assert_eq!(hide_generated("READINESS.md", unclosed.into()), unclosed);
    }
}
