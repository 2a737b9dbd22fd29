//! `golive check`: load the configuration, scan, run the catalogue, render, and gate.

use crate::cli::{CheckArgs, ColorChoice, FailOnArg, LevelArg};
use crate::progress::Progress;
use crate::{EXIT_NOT_READY, EXIT_READY, EXIT_USAGE};
use anyhow::{Context as _, Result};
use golive_core::baseline::Baseline;
use golive_core::config::{CONFIG_FILE, nearest};
use golive_core::engine::{self, RunOptions};
use golive_core::model::FailOn;
use golive_core::workspace::{ScanOptions, Workspace};
use golive_core::{Config, Date, Level};
use golive_report::{TextOptions, render_badge};
use std::io::{IsTerminal, Write};
use std::time::Instant;

pub fn run(args: CheckArgs) -> Result<u8> {
    if let Some(jobs) = args.jobs {
        // Only fails when a pool already exists, which cannot happen this early.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build_global();
    }
    if args.paths.len() > 1 {
        if args.probe.is_some() {
            anstream::eprintln!(
                "golive: error: --probe checks one repository against one running service; give one PATH"
            );
            return Ok(EXIT_USAGE);
        }
        return crate::fleet::run(&args);
    }
    let path = args.paths.first().cloned().unwrap_or_else(|| ".".into());
    let report = match check_one(&args, &path, !args.no_progress) {
        Ok(report) => report,
        Err(message) => {
            anstream::eprintln!("golive: error: {message}");
            return Ok(EXIT_USAGE);
        }
    };
    if let Some(badge) = &args.badge {
        std::fs::write(badge, render_badge(&report))
            .with_context(|| format!("cannot write {}", badge.display()))?;
    }
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let rendered = crate::probe_cmd::render(
        &report,
        args.format,
        &TextOptions {
            color: use_color(&args, to_terminal),
            quiet: args.quiet,
            max_findings: args.max_findings,
        },
    );
    write_output(&args, &rendered)?;
    Ok(if report.gate.passed {
        EXIT_READY
    } else {
        EXIT_NOT_READY
    })
}

/// Whether text output gets ANSI colours.
pub(crate) fn use_color(args: &CheckArgs, to_terminal: bool) -> bool {
    color_for(args.color, to_terminal)
}

/// Whether text output gets ANSI colours, for a `--color` choice.
pub(crate) fn color_for(choice: ColorChoice, to_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Writes the rendered report to `--output` or standard output.
pub(crate) fn write_output(args: &CheckArgs, rendered: &str) -> Result<()> {
    write_to(args.output.as_deref(), rendered)
}

/// Writes a rendered report to a file, or standard output when there is none.
pub(crate) fn write_to(output: Option<&std::path::Path>, rendered: &str) -> Result<()> {
    match output {
        Some(path) => std::fs::write(path, rendered.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`golive check | head`) is not an error worth a message.
            let _ = out.write_all(rendered.as_bytes());
        }
    }
    Ok(())
}

/// Checks one repository: its configuration (golive.toml in it, or --config), the flags, the
/// scan, --manifests, --history, the catalogue and --baseline. A usage, configuration or input
/// error is the message to print (exit code 2).
pub(crate) fn check_one(
    args: &CheckArgs,
    path: &std::path::Path,
    show_progress: bool,
) -> std::result::Result<golive_core::Report, String> {
    let started = Instant::now();
    let ids = crate::probe_cmd::all_ids();
    let baseline = args.baseline.as_deref().map(read_baseline).transpose()?;
    let mut config = load_config(args, path, &ids)?;
    // `[[custom]]` entries: their policies are read now, and each is one more check of the run.
    let custom = golive_checks::custom::checks(&config);
    let mut ids = ids;
    ids.extend(custom.iter().map(|c| c.id()));
    apply_flags(args, &ids, &mut config)?;

    let progress = Progress::start(&format!("scanning {}", path.display()), show_progress);
    let scan_options = ScanOptions {
        max_file_size: args.max_file_size,
        threads: args.jobs.unwrap_or(0),
        exclude: config.exclude_set(),
    };
    let mut ws = Workspace::scan(path, &scan_options).map_err(|e| e.to_string())?;
    for input in &args.manifests {
        let (label, text) = read_manifests(input)?;
        // A file inside the scanned folder is named by its path there.
        let label = std::path::Path::new(&label)
            .canonicalize()
            .ok()
            .zip(path.canonicalize().ok())
            .and_then(|(file, root)| {
                let rel = file.strip_prefix(&root).ok()?;
                Some(rel.to_string_lossy().replace('\\', "/"))
            })
            .unwrap_or(label);
        ws.add_manifests(label, text)
    }
    if args.history {
        ws.set_history(golive_core::history::read(path)?);
    }
    let scanned = started.elapsed();
    let mut catalogue: Vec<&dyn golive_core::Check> = golive_checks::catalogue()
        .into_iter()
        .map(|c| c as &dyn golive_core::Check)
        .collect();
    catalogue.extend(custom.iter().map(|c| c as &dyn golive_core::Check));
    let opts = RunOptions {
        target: path.display().to_string(),
        today: Date::today(),
        golive_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let mut report = engine::run(&ws, &config, &catalogue, &opts);
    progress.finish();
    if let Some(url) = &args.probe {
        let progress = Progress::start(&format!("probing {url}"), show_progress);
        let target = golive_probe::ProbeTarget {
            url: url.clone(),
            manifest_health_paths: readiness_paths(&ws),
        };
        let live = crate::probe_cmd::run_probe(&config, &target);
        progress.finish();
        engine::merge(&mut report, live?, config.fail_on);
    }
    if let Some(baseline) = &baseline {
        baseline.apply(&mut report);
        engine::gate(&mut report, config.fail_on);
    }
    report.timings.scan_ms = scanned.as_secs_f64() * 1000.0;
    report.timings.total_ms = started.elapsed().as_secs_f64() * 1000.0;
    Ok(report)
}

/// The httpGet paths of the manifests' readinessProbes, in order, each once (at most 5: each is
/// a request of live/health).
fn readiness_paths(ws: &Workspace) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    for obj in ws.kube_objects() {
        let Some(template) = obj.pod_template() else {
            continue;
        };
        for container in template.containers() {
            let path = container
                .probe("readinessProbe")
                .and_then(|p| p.http_path())
                .filter(|p| p.starts_with('/'));
            if let Some(path) = path
                && !paths.iter().any(|q| q == path)
                && paths.len() < 5
            {
                paths.push(path.to_string());
            }
        }
    }
    paths
}

/// A `--manifests` input: its label in reports and its text.
fn read_manifests(input: &std::path::Path) -> std::result::Result<(String, String), String> {
    if input.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
            .map_err(|e| format!("--manifests -: cannot read standard input: {e}"))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| "--manifests -: standard input is not UTF-8 text".to_string())?;
        return Ok(("<stdin>".into(), text));
    }
    let bytes =
        std::fs::read(input).map_err(|e| format!("--manifests {}: {e}", input.display()))?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("--manifests {}: not UTF-8 text", input.display()))?;
    Ok((input.display().to_string(), text))
}

pub(crate) fn load_config(
    args: &CheckArgs,
    root: &std::path::Path,
    ids: &[&str],
) -> std::result::Result<Config, String> {
    let path = match &args.config {
        Some(p) => {
            if !p.exists() {
                return Err(format!("{}: no such configuration file", p.display()));
            }
            Some(p.clone())
        }
        None => Some(root.join(CONFIG_FILE)).filter(|p| p.is_file()),
    };
    match path {
        Some(p) => Config::load(&p, ids).map_err(|e| e.to_string()),
        None => Ok(Config::default()),
    }
}

/// Applies --select/--ignore, validating each id like golive.toml does.
fn apply_flags(
    args: &CheckArgs,
    ids: &[&str],
    config: &mut Config,
) -> std::result::Result<(), String> {
    let validate = |flag: &str, value: &str| validate_selection(flag, value, ids);
    if !args.select.is_empty() {
        config.select = args
            .select
            .iter()
            .map(|s| validate("--select", s))
            .collect::<std::result::Result<_, _>>()?;
    }
    for s in &args.ignore {
        config.ignore.push(validate("--ignore", s)?);
    }
    apply_gate_flags(args.require_level, args.fail_on, config);
    if let Some(budget) = args.budget {
        config.probe.budget = budget.max(1);
    }
    Ok(())
}

/// A `--select`/`--ignore` value, validated against the check ids like golive.toml does.
pub(crate) fn validate_selection(
    flag: &str,
    value: &str,
    ids: &[&str],
) -> std::result::Result<String, String> {
    let prefix = value.trim_end_matches('/');
    if ids
        .iter()
        .any(|id| *id == prefix || id.starts_with(&format!("{prefix}/")))
    {
        return Ok(value.to_string());
    }
    let mut candidates: Vec<&str> = ids.to_vec();
    candidates.extend(ids.iter().filter_map(|id| id.split('/').next()));
    let hint = nearest(value, &candidates)
        .map(|n| format!(" (did you mean `{n}`?)"))
        .unwrap_or_default();
    Err(format!(
        "{flag} `{value}` names no check or category{hint}; `golive checks` lists them"
    ))
}

/// `--require-level` and `--fail-on`.
pub(crate) fn apply_gate_flags(
    level: Option<LevelArg>,
    fail_on: Option<FailOnArg>,
    config: &mut Config,
) {
    if let Some(level) = level {
        config.target_level = Some(match level {
            LevelArg::Bronze => Level::Bronze,
            LevelArg::Silver => Level::Silver,
            LevelArg::Gold => Level::Gold,
        });
    }
    if let Some(fail_on) = fail_on {
        config.fail_on = match fail_on {
            FailOnArg::Error => FailOn::Error,
            FailOnArg::Warning => FailOn::Warning,
            FailOnArg::Never => FailOn::Never,
        };
    }
}

/// Reads `--baseline`: a missing, unreadable or malformed file is a usage error (exit 2), so a
/// typo never silently turns every finding into a new one or none.
fn read_baseline(path: &std::path::Path) -> std::result::Result<Baseline, String> {
    let source = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| format!("--baseline {source}: {e}"))?;
    Baseline::from_json(&source, &text).map_err(|e| format!("--baseline {e}"))
}
