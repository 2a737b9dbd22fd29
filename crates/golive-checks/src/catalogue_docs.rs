//! docs/checks.md, generated from the checks' own metadata (a test fails when the file is stale).

use crate::catalogue;
use golive_core::CheckMeta;
use golive_core::model::Category;
use std::fmt::Write;

/// The built-in catalogue as markdown (see [`catalogue_markdown`]).
pub fn checks_markdown() -> String {
    let metas: Vec<&'static CheckMeta> = catalogue().iter().map(|c| c.meta()).collect();
    catalogue_markdown(&metas)
}

/// docs/checks.md: an index table per category, then each check's full documentation. The
/// golive binary's docs test gives it every check it knows (repository and live).
pub fn catalogue_markdown(checks: &[&'static CheckMeta]) -> String {
    let mut out = String::new();
    out.push_str("# Checks\n\n");
    out.push_str("<!-- Generated from the checks' metadata by `cargo test -p golive --test docs` with GOLIVE_UPDATE_DOCS=1. Do not edit. -->\n\n");
    let _ = writeln!(
        out,
        "{} checks. Levels: B bronze, S silver, G gold. `golive explain ID` prints one check's page.\n",
        checks.len()
    );
    for category in Category::ALL {
        let in_cat: Vec<_> = checks.iter().filter(|m| m.category == *category).collect();
        if in_cat.is_empty() {
            continue;
        }
        let _ = writeln!(out, "## {}\n", category.title());
        out.push_str(
            "| id | level | severity | applies to | title |\n| --- | --- | --- | --- | --- |\n",
        );
        for m in &in_cat {
            let facets = if m.category == Category::Live {
                "a running service (`golive probe`)".to_string()
            } else if m.facets.is_empty() {
                "any repository".to_string()
            } else {
                m.facets
                    .iter()
                    .map(|f| f.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let _ = writeln!(
                out,
                "| [`{}`](#{}) | {} | {} | {} | {} |",
                m.id,
                anchor(m.id),
                m.level.letter(),
                m.severity,
                facets,
                m.title
            );
        }
        out.push('\n');
    }
    for m in checks {
        let _ = writeln!(out, "## {}\n", m.id);
        let _ = writeln!(
            out,
            "**{}** · {} · level {} · severity {}\n",
            m.title,
            m.category.title(),
            m.level,
            m.severity
        );
        // Demote the doc comment's headings under this check's heading (not `#` lines inside
        // code examples).
        let mut in_fence = false;
        for line in m.docs().lines() {
            if line.trim_start().starts_with("```") {
                in_fence = !in_fence;
            }
            if line.starts_with('#') && !in_fence {
                let _ = writeln!(out, "##{line}");
            } else {
                let _ = writeln!(out, "{line}");
            }
        }
        let _ = writeln!(out, "\n**Fix:** {}\n", m.fix);
        let _ = writeln!(out, "**From the checklists:** {}\n", m.seeds.join("; "));
    }
    out
}

fn anchor(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}
