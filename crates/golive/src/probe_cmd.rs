//! `golive probe URL`: the live checks against a running service, scored and rendered like
//! `golive check` (same formats, same gate, same exit codes). An invalid or unreachable target
//! is a usage error (exit 2) with a clear message, never a report full of failures.

use crate::check_cmd::{apply_gate_flags, color_for, validate_selection, write_to};
use crate::cli::{ProbeArgs, ReportFormat};
use crate::{EXIT_NOT_READY, EXIT_READY, EXIT_USAGE};
use anyhow::Result;
use golive_core::config::CONFIG_FILE;
use golive_core::engine::RunOptions;
use golive_core::{Config, Date, Report};
use golive_probe::ProbeTarget;
use golive_report::{
    TextOptions, render_github, render_html, render_json, render_junit, render_markdown,
    render_sarif, render_text,
};
use std::io::IsTerminal;

pub fn run(args: ProbeArgs) -> Result<u8> {
    let report = match probe(&args) {
        Ok(report) => report,
        Err(message) => {
            anstream::eprintln!("golive: error: {message}");
            return Ok(EXIT_USAGE);
        }
    };
    let to_terminal = args.output.is_none() && std::io::stdout().is_terminal();
    let rendered = render(
        &report,
        args.format,
        &TextOptions {
            color: color_for(args.color, to_terminal),
            quiet: args.quiet,
            max_findings: args.max_findings,
        },
    );
    write_to(args.output.as_deref(), &rendered)?;
    Ok(if report.gate.passed {
        EXIT_READY
    } else {
        EXIT_NOT_READY
    })
}

/// Renders a report that may hold static and live checks (SARIF rules come from both catalogues).
pub(crate) fn render(report: &Report, format: ReportFormat, text: &TextOptions) -> String {
    match format {
        ReportFormat::Json => render_json(report),
        ReportFormat::Sarif => {
            let statics = golive_checks::catalogue();
            let lives = golive_probe::catalogue();
            let mut metas: Vec<_> = statics.iter().map(|c| c.meta()).collect();
            metas.extend(lives.iter().map(|c| c.meta()));
            metas.extend(golive_checks::custom::metas());
            render_sarif(report, &metas)
        }
        ReportFormat::Junit => render_junit(report),
        ReportFormat::Markdown => render_markdown(report),
        ReportFormat::Github => render_github(report),
        ReportFormat::Html => render_html(report),
        ReportFormat::Text => render_text(report, text),
    }
}

/// Every check id golive knows, static and live (for golive.toml and --select/--ignore).
pub(crate) fn all_ids() -> Vec<&'static str> {
    let mut ids = golive_checks::ids();
    ids.extend(golive_probe::ids());
    ids
}

fn probe(args: &ProbeArgs) -> std::result::Result<Report, String> {
    let mut config = match &args.config {
        Some(p) if !p.exists() => {
            return Err(format!("{}: no such configuration file", p.display()));
        }
        Some(p) => Config::load(p, &all_ids()).map_err(|e| e.to_string())?,
        None if std::path::Path::new(CONFIG_FILE).is_file() => {
            Config::load(std::path::Path::new(CONFIG_FILE), &all_ids())
                .map_err(|e| e.to_string())?
        }
        None => Config::default(),
    };
    let live = golive_probe::ids();
    if !args.select.is_empty() {
        config.select = args
            .select
            .iter()
            .map(|s| validate_selection("--select", s, &live))
            .collect::<std::result::Result<_, _>>()?;
    }
    for s in &args.ignore {
        config
            .ignore
            .push(validate_selection("--ignore", s, &live)?);
    }
    apply_gate_flags(args.require_level, args.fail_on, &mut config);
    if let Some(budget) = args.budget {
        config.probe.budget = budget.max(1);
    }
    let url = args
        .url
        .clone()
        .or_else(|| config.probe.url.clone())
        .ok_or("no URL to probe: pass one (`golive probe http://127.0.0.1:8080`) or set `[probe] url` in golive.toml")?;
    let target = ProbeTarget {
        url,
        manifest_health_paths: Vec::new(),
    };
    run_probe(&config, &target)
}

/// Runs the live checks against a target with a configuration.
pub(crate) fn run_probe(
    config: &Config,
    target: &ProbeTarget,
) -> std::result::Result<Report, String> {
    let opts = RunOptions {
        target: target.url.clone(),
        today: Date::today(),
        golive_version: env!("CARGO_PKG_VERSION").to_string(),
    };
    let checks = golive_probe::catalogue();
    if !checks.iter().any(|c| config.is_selected(c.meta().id)) {
        return Err(format!(
            "no live check is selected (select: {}; ignore: {}): add `live` to `select` in golive.toml or pass --select live",
            list(&config.select),
            list(&config.ignore)
        ));
    }
    golive_probe::run(config, &checks, target, &opts).map(|run| run.report)
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}
