//! The human report (Backend / Lock / State / Digest / Versioning / Verdict / Next steps) and
//! the JSON one.

use crate::doctor::{Diagnosis, Digest, Severity, State};
use crate::fix::FixReport;
use crate::remote::Versioning;
use std::io::Write;

/// Prints one JSON document (pretty) and a newline.
pub fn json(value: &serde_json::Value, out: &mut dyn Write) {
    let text =
        serde_json::to_string_pretty(value).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"));
    let _ = writeln!(out, "{text}");
}

/// The full report.
pub fn text(d: &Diagnosis, out: &mut dyn Write) {
    let b = &d.backend;
    let _ = writeln!(out, "Backend");
    let _ = writeln!(
        out,
        "  state       {} (workspace {})",
        b.state_url(),
        b.workspace
    );
    if let Some(at) = &b.declared_at {
        let _ = writeln!(out, "  declared    {at}");
    }
    if let Some(region) = &b.region {
        let _ = writeln!(out, "  region      {region}");
    }
    if let Some(profile) = &b.profile {
        let _ = writeln!(out, "  profile     {profile}");
    }
    match (&b.dynamodb_table, b.use_lockfile) {
        (Some(t), true) => {
            let _ = writeln!(
                out,
                "  locking     DynamoDB table {t} (LockID {}) and S3 lock file {}",
                b.lock_id(),
                b.lockfile_key()
            );
        }
        (Some(t), false) => {
            let _ = writeln!(
                out,
                "  locking     DynamoDB table {t} (LockID {})",
                b.lock_id()
            );
        }
        (None, true) => {
            let _ = writeln!(
                out,
                "  locking     S3 lock file {} (use_lockfile)",
                b.lockfile_key()
            );
        }
        (None, false) => {
            let _ = writeln!(out, "  locking     none");
        }
    }
    if let Some(e) = &b.s3_endpoint {
        let _ = writeln!(out, "  s3 endpoint {e}");
    }
    if let (Some(e), Some(_)) = (&b.dynamodb_endpoint, &b.dynamodb_table) {
        let _ = writeln!(out, "  ddb endpoint {e}");
    }

    let _ = writeln!(out, "\nLock");
    if d.locks.is_empty() {
        let what = if b.dynamodb_table.is_none() && !b.use_lockfile {
            "not locked (no locking configured)"
        } else {
            "not held"
        };
        let _ = writeln!(out, "  {what}");
    }
    for lock in &d.locks {
        let _ = writeln!(out, "  HELD: {}", lock.place());
        match &lock.info {
            Some(i) => {
                let _ = writeln!(out, "    ID         {}", i.id);
                let _ = writeln!(out, "    who        {}", i.who);
                let _ = writeln!(out, "    operation  {}", i.operation);
                let age = lock
                    .age_seconds
                    .map_or_else(|| "unknown age".into(), crate::doctor::human_age);
                let _ = writeln!(out, "    created    {} ({age} ago)", i.created);
                if !i.version.is_empty() {
                    let _ = writeln!(out, "    terraform  {}", i.version);
                }
            }
            None => {
                let _ = writeln!(
                    out,
                    "    unreadable record: {}",
                    lock.unreadable.as_deref().unwrap_or_default()
                );
            }
        }
    }

    let _ = writeln!(out, "\nState");
    match &d.state {
        State::Missing => {
            let _ = writeln!(out, "  MISSING: no object at {}", b.state_url());
        }
        State::Empty { .. } => {
            let _ = writeln!(out, "  EMPTY: the object is 0 bytes");
        }
        State::Invalid {
            size, md5, error, ..
        } => {
            let _ = writeln!(out, "  INVALID: {size} bytes, md5 {md5}");
            let _ = writeln!(out, "    {error}");
        }
        State::Valid(s) => {
            let _ = writeln!(
                out,
                "  present, {} bytes, valid JSON: serial {}, lineage {}",
                s.size, s.serial, s.lineage
            );
            let _ = writeln!(
                out,
                "  format version {}, written by Terraform {}, {} resource(s), md5 {}",
                s.version,
                if s.terraform_version.is_empty() {
                    "(unknown)"
                } else {
                    &s.terraform_version
                },
                s.resources,
                s.md5
            );
        }
    }

    let _ = writeln!(out, "\nDigest");
    let _ = match &d.digest {
        Digest::NotUsed => writeln!(out, "  not used (no dynamodb_table)"),
        Digest::Missing => writeln!(out, "  no digest item {}", b.digest_id()),
        Digest::Matches { digest } => writeln!(out, "  matches the state object ({digest})"),
        Digest::Mismatch { stored, actual } => writeln!(
            out,
            "  MISMATCH: {} holds {stored}, the state object's MD5 is {}",
            b.digest_id(),
            actual.as_deref().unwrap_or("(no object)")
        ),
        Digest::Malformed { stored } => {
            writeln!(out, "  MALFORMED: {} holds {stored:?}", b.digest_id())
        }
    };

    let _ = writeln!(out, "\nVersioning");
    match d.versioning.status {
        None => {
            let _ = writeln!(out, "  unknown (see the notes)");
        }
        Some(Versioning::Off) => {
            let _ = writeln!(out, "  OFF: no previous versions can be restored");
        }
        Some(status) => {
            let _ = writeln!(
                out,
                "  {}: {} version(s) of the state",
                if status == Versioning::Enabled {
                    "enabled"
                } else {
                    "SUSPENDED"
                },
                d.versioning.versions.len()
            );
            for v in d.versioning.versions.iter().take(10) {
                let what = if v.version.delete_marker {
                    "delete marker".to_string()
                } else {
                    match (v.serial, &v.lineage) {
                        (Some(serial), Some(lineage)) => {
                            format!(
                                "{} bytes, serial {serial}, lineage {lineage}",
                                v.version.size
                            )
                        }
                        _ if v.invalid => format!("{} bytes, not a valid state", v.version.size),
                        _ => format!("{} bytes", v.version.size),
                    }
                };
                let _ = writeln!(
                    out,
                    "    {}{} {} {what}",
                    v.version.version_id,
                    if v.version.is_latest { " (latest)" } else { "" },
                    v.version.last_modified.as_deref().unwrap_or_default(),
                );
            }
        }
    }

    let _ = writeln!(out);
    verdict(d, out);
    numbered(out, "Next steps", &d.next_steps);
}

/// The verdict, problems and notes.
pub fn text_short(d: &Diagnosis, out: &mut dyn Write) {
    verdict(d, out);
}

fn verdict(d: &Diagnosis, out: &mut dyn Write) {
    let _ = writeln!(out, "Verdict");
    let errors = d
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    if d.healthy {
        let _ = writeln!(out, "  HEALTHY");
    } else {
        let _ = writeln!(out, "  NOT HEALTHY: {errors} problem(s)");
    }
    for p in &d.problems {
        let sev = match p.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let _ = writeln!(out, "  - {sev} [{}]: {}", p.code, p.message);
    }
    for n in &d.notes {
        let _ = writeln!(out, "  - note: {n}");
    }
}

/// "Next steps" with numbered lines; nothing when there are none.
pub fn numbered(out: &mut dyn Write, title: &str, steps: &[String]) {
    if steps.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title}");
    for (i, s) in steps.iter().enumerate() {
        let _ = writeln!(out, "  {}. {s}", i + 1);
    }
}

/// What is left for the user after a fix run.
pub fn after_fix_steps(
    before: &Diagnosis,
    after: Option<&Diagnosis>,
    fixed: &FixReport,
) -> Vec<String> {
    let mut steps = Vec::new();
    if fixed.dry_run {
        steps.push("Run again without --dry-run to do the steps above.".to_string());
        return steps;
    }
    let current = after.unwrap_or(before);
    if !fixed.held_back.is_empty() || !current.healthy {
        // Not everything could be done: the diagnosis's own steps say what is left.
        return current.next_steps.clone();
    }
    if fixed.changed_remote() {
        let ws = &current.backend.workspace;
        let select = if ws == "default" {
            String::new()
        } else {
            format!("terraform workspace select {ws} && ")
        };
        steps.push("terraform init".into());
        steps.push(format!(
            "{select}terraform plan: review it; it should show only the changes the interrupted run meant to make"
        ));
        steps.push(format!("{select}terraform apply"));
        steps.push(format!(
            "The backups and the log of every write are in {}",
            fixed
                .log
                .parent()
                .map_or_else(|| ".".into(), |p| p.display().to_string())
        ));
    }
    steps.extend(current.next_steps.iter().cloned());
    steps
}
