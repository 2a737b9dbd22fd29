//! `golive checks` and `golive explain`: the catalogue, from the checks' own metadata.

use crate::cli::{ChecksArgs, ExplainArgs, OutputFormat};
use crate::{EXIT_READY, EXIT_USAGE};
use anyhow::Result;
use std::io::Write;

/// Prints to standard output, ignoring a closed pipe (`golive explain X | head`).
macro_rules! out {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}
use golive_core::config::nearest;
use golive_core::{Category, CheckMeta, Level};

pub fn list(args: ChecksArgs) -> Result<u8> {
    let category = match &args.category {
        None => None,
        Some(c) => match Category::parse(c) {
            Some(c) => Some(c),
            None => {
                let names: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                let hint = nearest(c, &names)
                    .map(|n| format!(" (did you mean `{n}`?)"))
                    .unwrap_or_default();
                anstream::eprintln!(
                    "golive: error: --category `{c}` is not a category{hint}; valid: {}",
                    names.join(", ")
                );
                return Ok(EXIT_USAGE);
            }
        },
    };
    let level = match &args.level {
        None => None,
        Some(l) => match Level::parse(l) {
            Some(l) => Some(l),
            None => {
                anstream::eprintln!(
                    "golive: error: --level `{l}` is not a level; valid: bronze, silver, gold"
                );
                return Ok(EXIT_USAGE);
            }
        },
    };
    let checks: Vec<&'static CheckMeta> = all_metas()
        .into_iter()
        .filter(|m| category.is_none_or(|cat| m.category == cat))
        .filter(|m| level.is_none_or(|l| m.level == l))
        .collect();
    match args.format {
        OutputFormat::Json => {
            let list: Vec<serde_json::Value> = checks
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "id": m.id, "title": m.title, "category": m.category, "level": m.level,
                        "severity": m.severity, "facets": m.facets, "summary": m.summary(), "fix": m.fix, "seeds": m.seeds,
                    })
                })
                .collect();
            out!("{}", serde_json::to_string_pretty(&list)?);
        }
        OutputFormat::Text => {
            let width = checks.iter().map(|m| m.id.len()).max().unwrap_or(0);
            let mut current = None;
            for m in &checks {
                if current != Some(m.category) {
                    out!(
                        "{}{}",
                        if current.is_some() { "\n" } else { "" },
                        m.category.title()
                    );
                    current = Some(m.category);
                }
                out!("  {} {:<width$}  {}", m.level.letter(), m.id, m.title);
            }
            out!(
                "\n{} checks. `golive explain ID` for one check's documentation.",
                checks.len()
            );
        }
    }
    Ok(EXIT_READY)
}

/// The metadata of a `custom/<name>` check declared by the golive.toml of the current folder.
fn custom_meta(id: &str) -> Option<&'static golive_core::CheckMeta> {
    let path = std::path::Path::new(golive_core::config::CONFIG_FILE);
    if !id.starts_with("custom/") || !path.is_file() {
        return None;
    }
    let config = golive_core::Config::load(path, &crate::probe_cmd::all_ids()).ok()?;
    golive_checks::custom::checks(&config)
        .into_iter()
        .find(|c| c.id() == id)
        .map(|c| golive_core::Check::meta(&c))
}

/// The static catalogue, then the live checks of `golive probe` (category Live).
fn all_metas() -> Vec<&'static CheckMeta> {
    let mut metas: Vec<&'static CheckMeta> = golive_checks::catalogue()
        .into_iter()
        .map(|c| c.meta())
        .collect();
    metas.extend(golive_probe::catalogue().into_iter().map(|c| c.meta()));
    metas.sort_by_key(|m| m.category);
    metas
}

pub fn explain(args: ExplainArgs) -> Result<u8> {
    let metas = all_metas();
    let meta = metas
        .iter()
        .copied()
        .find(|m| m.id == args.check)
        .or_else(|| custom_meta(&args.check));
    let Some(m) = meta else {
        let ids: Vec<&str> = metas.iter().map(|m| m.id).collect();
        let hint = nearest(&args.check, &ids)
            .map(|n| format!(" (did you mean `{n}`?)"))
            .unwrap_or_default();
        anstream::eprintln!(
            "golive: error: `{}` is not a check id{hint}; `golive checks` lists them",
            args.check
        );
        return Ok(EXIT_USAGE);
    };
    out!("{} — {}", m.id, m.title);
    out!(
        "category: {} · level: {} · severity: {}",
        m.category.title(),
        m.level,
        m.severity
    );
    if !m.facets.is_empty() {
        let facets: Vec<&str> = m.facets.iter().map(|f| f.as_str()).collect();
        out!("applies to: {}", facets.join(", "));
    }
    out!("");
    let _ = write!(std::io::stdout().lock(), "{}", m.docs());
    out!("\nFix: {}", m.fix);
    out!("From the checklists: {}", m.seeds.join("; "));
    Ok(EXIT_READY)
}
