//! `golive checklist`: READINESS.md's automated items from a scan (or a JSON report). Without
//! `--write` it prints what would change and exits 1 when the file is out of date, so that CI can
//! use it as a staleness gate; with `--write` it updates (or creates) the file.

use crate::cli::{CheckArgs, ChecklistArgs, ColorChoice, ReportFormat};
use crate::{EXIT_NOT_READY, EXIT_READY, EXIT_USAGE};
use anyhow::{Context as _, Result};
use golive_core::{Config, Level};
use golive_report::readiness_md::{
    self, ChecklistItem, checklist_items, checklist_items_from_json, new_readiness,
};
use std::path::{Path, PathBuf};

/// The checklist's file name, at the repository's root.
pub const READINESS_FILE: &str = "READINESS.md";

pub fn run(args: ChecklistArgs) -> Result<u8> {
    match checklist(&args) {
        Ok(code) => Ok(code),
        Err(message) => {
            anstream::eprintln!("golive: error: {message}");
            Ok(EXIT_USAGE)
        }
    }
}

fn checklist(args: &ChecklistArgs) -> std::result::Result<u8, String> {
    let root = &args.path;
    if !root.is_dir() {
        return Err(format!("{}: not a folder", root.display()));
    }
    let check_args = check_args(root, args.config.clone());
    let config = crate::check_cmd::load_config(&check_args, root, &crate::probe_cmd::all_ids())?;
    let items = match &args.from {
        Some(report) => {
            let text = std::fs::read_to_string(report)
                .map_err(|e| format!("--from {}: {e}", report.display()))?;
            checklist_items_from_json(&text)
                .map_err(|e| format!("--from {}: {e}", report.display()))?
        }
        None => scan_items(root, args.config.clone())?,
    };
    let path = readiness_path(root);
    let shown = display(&path);
    let old = match std::fs::read(&path) {
        Ok(bytes) => {
            Some(String::from_utf8(bytes).map_err(|_| format!("{shown}: not UTF-8 text"))?)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("{shown}: {e}")),
    };
    let Some(old) = old else {
        let text = new_file(root, &config, &items);
        if args.write {
            std::fs::write(&path, &text).map_err(|e| format!("{shown}: cannot write: {e}"))?;
            println!(
                "{shown}: created, with {} automated items and {} manual items to attest",
                automated_count(&items),
                manual_count(&config)
            );
            return Ok(EXIT_READY);
        }
        print!("{}", diff("", &text));
        anstream::eprintln!("{shown} does not exist: `golive checklist --write` creates it");
        return Ok(EXIT_NOT_READY);
    };
    let rewritten = readiness_md::rewrite(&old, &items)
        .map_err(|e| format!("{shown}:{}: {}", e.line, e.message))?;
    if rewritten.text == old {
        println!("{shown}: already up to date");
        return Ok(EXIT_READY);
    }
    let what = if rewritten.appended {
        " (the automated block was appended at the end)"
    } else {
        ""
    };
    if args.write {
        std::fs::write(&path, &rewritten.text)
            .map_err(|e| format!("{shown}: cannot write: {e}"))?;
        println!(
            "{shown}: updated {}{what}",
            items_word(rewritten.changed_items)
        );
        return Ok(EXIT_READY);
    }
    print!("{}", diff(&old, &rewritten.text));
    anstream::eprintln!(
        "{shown} is out of date: `golive checklist --write` updates {}{what}",
        items_word(rewritten.changed_items)
    );
    Ok(EXIT_NOT_READY)
}

fn items_word(n: usize) -> String {
    if n == 1 {
        "1 item".into()
    } else {
        format!("{n} items")
    }
}

/// READINESS.md in `root`.
pub(crate) fn readiness_path(root: &Path) -> PathBuf {
    root.join(READINESS_FILE)
}

/// A path as shown in messages: without a leading `./`.
pub(crate) fn display(path: &Path) -> String {
    let s = path.display().to_string();
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// The arguments of the `golive check` whose scan the checklist reflects: the repository's
/// configuration (or `config`), nothing else.
fn check_args(root: &Path, config: Option<PathBuf>) -> CheckArgs {
    CheckArgs {
        paths: vec![root.to_path_buf()],
        format: ReportFormat::Text,
        output: None,
        config,
        select: Vec::new(),
        ignore: Vec::new(),
        quiet: true,
        no_progress: false,
        jobs: None,
        max_findings: 0,
        color: ColorChoice::Never,
        max_file_size: 4 * 1024 * 1024,
        manifests: Vec::new(),
        history: false,
        require_level: None,
        fail_on: None,
        baseline: None,
        badge: None,
        probe: None,
        budget: None,
    }
}

/// The automated items of a scan of `root`, exactly as `golive check` would run it.
pub(crate) fn scan_items(
    root: &Path,
    config: Option<PathBuf>,
) -> std::result::Result<Vec<ChecklistItem>, String> {
    let args = check_args(root, config);
    let report = crate::check_cmd::check_one(&args, root, true)?;
    Ok(checklist_items(&report))
}

/// The level whose manual items a new READINESS.md lists: golive.toml's target level, else the
/// tier's, else bronze (what the gate requires without a configuration).
pub(crate) fn level_of(config: &Config) -> Level {
    config
        .target_level
        .or(config.tier.map(level_for_tier))
        .unwrap_or(Level::Bronze)
}

/// Tier 1 aims for gold, tier 2 for silver, tier 3 for bronze.
pub(crate) fn level_for_tier(tier: u8) -> Level {
    match tier {
        1 => Level::Gold,
        2 => Level::Silver,
        _ => Level::Bronze,
    }
}

/// What `golive init` writes as READINESS.md for this configuration.
fn new_file(root: &Path, config: &Config, items: &[ChecklistItem]) -> String {
    let service = config
        .service
        .clone()
        .unwrap_or_else(|| crate::init_cmd::detect_service(root));
    new_readiness(
        &service,
        config.tier,
        level_of(config),
        items,
        &golive_checks::manual::items(),
    )
}

fn automated_count(items: &[ChecklistItem]) -> usize {
    items
        .iter()
        .filter(|i| i.category != golive_core::Category::Manual)
        .count()
}

fn manual_count(config: &Config) -> usize {
    readiness_md::manual_items_for(&golive_checks::manual::items(), level_of(config)).count()
}

/// A unified diff of READINESS.md.
fn diff(old: &str, new: &str) -> String {
    let diff = similar::TextDiff::from_lines(old, new);
    let mut unified = diff.unified_diff();
    unified
        .context_radius(3)
        .header("a/READINESS.md", "b/READINESS.md");
    unified.to_string()
}

/// Writes `text` to `path`; the message names the file.
pub(crate) fn write_file(path: &Path, text: &str) -> Result<()> {
    std::fs::write(path, text).with_context(|| format!("cannot write {}", display(path)))
}
