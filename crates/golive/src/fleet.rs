//! `golive check DIR...`: every repository checked in parallel (each with its own golive.toml
//! unless --config is given), then one fleet table. Exit code: 0 when every gate is met, 1 when
//! one is not, 2 when a repository could not be checked (the others are still reported).

use crate::check_cmd::{check_one, write_output};
use crate::cli::{CheckArgs, ReportFormat};
use crate::{EXIT_NOT_READY, EXIT_READY, EXIT_USAGE};
use anyhow::Result;
use golive_core::Report;
use golive_report::{
    FleetEntry, render_fleet_json, render_fleet_markdown, render_fleet_text, render_junit_fleet,
};
use rayon::prelude::*;

pub fn run(args: &CheckArgs) -> Result<u8> {
    if let Some(message) = refused(args) {
        anstream::eprintln!("golive: error: {message}");
        return Ok(EXIT_USAGE);
    }
    let results: Vec<(String, std::result::Result<Report, String>)> = args
        .paths
        .par_iter()
        .map(|path| (path.display().to_string(), check_one(args, path, false)))
        .collect();
    let mut entries = Vec::with_capacity(results.len());
    let mut failed = false;
    for (target, result) in &results {
        match result {
            Ok(report) => entries.push(FleetEntry::Checked(report)),
            Err(message) => {
                failed = true;
                anstream::eprintln!("golive: error: {target}: {message}");
                entries.push(FleetEntry::Failed {
                    target: target.clone(),
                    message: message.clone(),
                });
            }
        }
    }
    let rendered = match args.format {
        ReportFormat::Text => render_fleet_text(&entries),
        ReportFormat::Markdown => render_fleet_markdown(&entries),
        ReportFormat::Json => render_fleet_json(&entries),
        ReportFormat::Junit => {
            let reports: Vec<&Report> = results
                .iter()
                .filter_map(|(_, r)| r.as_ref().ok())
                .collect();
            render_junit_fleet(&reports)
        }
        // Refused above.
        ReportFormat::Sarif | ReportFormat::Github | ReportFormat::Html => String::new(),
    };
    write_output(args, &rendered)?;
    let all_ready = results
        .iter()
        .all(|(_, r)| r.as_ref().is_ok_and(|r| r.gate.passed));
    Ok(if failed {
        EXIT_USAGE
    } else if all_ready {
        EXIT_READY
    } else {
        EXIT_NOT_READY
    })
}

/// Flags that only make sense for one repository.
fn refused(args: &CheckArgs) -> Option<String> {
    let n = args.paths.len();
    if !args.manifests.is_empty() {
        return Some(format!(
            "--manifests belongs to one repository; it cannot go with {n} paths"
        ));
    }
    if args.badge.is_some() {
        return Some(format!(
            "--badge draws one repository's level; it cannot go with {n} paths"
        ));
    }
    if args.baseline.is_some() {
        return Some(format!(
            "--baseline compares one repository with its earlier report; it cannot go with {n} paths"
        ));
    }
    match args.format {
        ReportFormat::Sarif => Some(format!(
            "--format sarif describes one repository; run golive once per repository, or use json, junit, markdown or text with {n} paths"
        )),
        ReportFormat::Html => Some(format!(
            "--format html is one repository's page; use it with one path, not {n} (markdown or json give the fleet)"
        )),
        ReportFormat::Github => Some(format!(
            "--format github annotates one repository's files; use it with one path, not {n}"
        )),
        _ => None,
    }
}
