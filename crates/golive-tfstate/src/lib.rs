//! `golive tf doctor`: diagnoses a Terraform S3 backend after a crashed run (stale lock, a
//! DynamoDB digest that no longer matches the state object, a broken state) and, with `--fix`,
//! repairs it in the only order that works: confirm nothing runs, back up the state, fix the
//! digest, release the lock; then the user runs init, plan (and reviews it), apply.
//!
//! The library is synchronous at its surface ([`run`]); it drives the AWS SDK on a
//! current-thread tokio runtime.

pub mod config;
pub mod doctor;
pub mod fix;
pub mod remote;
pub mod report;

use config::{ConfigError, Overrides};
use doctor::{Diagnosis, Lock, Policy};
use fix::{FixOptions, Step};
use remote::{Remote, RemoteError};
use std::io::Write;
use std::path::PathBuf;
use time::OffsetDateTime;

/// Healthy (or nothing needed fixing).
pub const EXIT_HEALTHY: u8 = 0;
/// Problems found, or fixed with steps left for the user.
pub const EXIT_PROBLEMS: u8 = 1;
/// Usage, configuration or connection error.
pub const EXIT_ERROR: u8 = 2;

/// Default `--min-lock-age`: 15 minutes.
pub const DEFAULT_MIN_LOCK_AGE_SECS: i64 = 15 * 60;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
}

/// Everything `golive tf doctor` takes.
#[derive(Clone, Debug)]
pub struct Options {
    /// The Terraform root module whose backend block is read.
    pub dir: PathBuf,
    pub overrides: Overrides,
    pub format: Format,
    pub fix: bool,
    pub dry_run: bool,
    pub force: bool,
    pub min_lock_age_secs: i64,
    /// Default: `tfstate-backups` in the current directory.
    pub backup_dir: Option<PathBuf>,
    pub backup_prefix: Option<String>,
}

impl Options {
    pub fn new(dir: impl Into<PathBuf>) -> Options {
        Options {
            dir: dir.into(),
            overrides: Overrides::default(),
            format: Format::Text,
            fix: false,
            dry_run: false,
            force: false,
            min_lock_age_secs: DEFAULT_MIN_LOCK_AGE_SECS,
            backup_dir: None,
            backup_prefix: None,
        }
    }
}

/// Where output goes, how a typed confirmation is read, and a hook before each fix step.
pub struct Io<'a> {
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// Shows the prompt and returns the line typed (None: no terminal / end of input).
    pub confirm: &'a mut dyn FnMut(&str) -> Option<String>,
    /// Called just before each fix step is done (not in dry runs).
    pub before_step: &'a mut dyn FnMut(usize, &Step),
}

/// Why the run could not finish: all exit 2.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Remote(#[from] RemoteError),
    #[error("cannot start the async runtime: {0}")]
    Runtime(std::io::Error),
    #[error("--min-lock-age: {0}")]
    Usage(String),
}

/// Parses `--min-lock-age`: `15m`, `90s`, `2h`, `1d`, or plain seconds.
pub fn parse_age(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let (num, unit) = match t.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => t.split_at(i),
        None => (t, "s"),
    };
    let n: i64 = num
        .parse()
        .map_err(|_| format!("`{text}` is not a duration like 15m, 90s, 2h"))?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(format!(
                "`{text}`: unknown unit `{unit}` (use s, m, h or d)"
            ));
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("`{text}` is too large"))
}

/// Runs `golive tf doctor` and returns the exit code. Errors are printed to `io.err`.
pub fn run(opts: &Options, io: &mut Io<'_>) -> u8 {
    match run_inner(opts, io) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(io.err, "golive tf doctor: error: {e}");
            if let RunError::Remote(r) = &e
                && r.is_unreachable()
            {
                let _ = writeln!(
                    io.err,
                    "check the endpoint, the network and the credentials; nothing was changed by the step that failed, and --fix can be run again"
                );
            }
            EXIT_ERROR
        }
    }
}

fn run_inner(opts: &Options, io: &mut Io<'_>) -> Result<u8, RunError> {
    let mut files = config::read_dir(&opts.dir)?;
    if let Some(path) = &opts.overrides.backend_config {
        config::read_backend_config(path, &mut files)?;
    }
    let env_workspace = std::env::var("TF_WORKSPACE")
        .ok()
        .or_else(|| config::selected_workspace(&opts.dir));
    let backend = config::resolve(&files, &opts.overrides, env_workspace)?;
    if opts.min_lock_age_secs < 0 {
        return Err(RunError::Usage("must not be negative".into()));
    }
    let policy = Policy {
        min_lock_age_secs: opts.min_lock_age_secs,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(RunError::Runtime)?;
    runtime.block_on(async {
        let remote = Remote::connect(&backend).await?;
        let diagnosis =
            doctor::inspect(&remote, &backend, policy, OffsetDateTime::now_utc()).await?;
        if !opts.fix {
            match opts.format {
                Format::Text => report::text(&diagnosis, io.out),
                Format::Json => {
                    report::json(&serde_json::json!({ "diagnosis": diagnosis }), io.out)
                }
            }
            return Ok(if diagnosis.healthy {
                EXIT_HEALTHY
            } else {
                EXIT_PROBLEMS
            });
        }
        run_fix(opts, io, &remote, &backend, policy, diagnosis).await
    })
}

async fn run_fix(
    opts: &Options,
    io: &mut Io<'_>,
    remote: &Remote,
    backend: &config::Backend,
    policy: Policy,
    before: Diagnosis,
) -> Result<u8, RunError> {
    let fix_opts = FixOptions {
        dry_run: opts.dry_run,
        force: opts.force,
        backup_dir: opts
            .backup_dir
            .clone()
            .unwrap_or_else(|| PathBuf::from("tfstate-backups")),
        backup_prefix: opts.backup_prefix.clone(),
    };
    // In JSON mode the step lines go to stderr, so stdout stays one JSON document.
    let text = opts.format == Format::Text;
    if text {
        report::text(&before, io.out);
        let _ = writeln!(
            io.out,
            "\nFix{}",
            if opts.dry_run {
                " (dry run: nothing is written)"
            } else {
                ""
            }
        );
    }
    let confirm = &mut *io.confirm;
    let mut ask = |lock: &Lock| -> bool {
        let Some(id) = lock.id() else { return false };
        let prompt = format!(
            "The lock is recent ({}). Releasing it while a run is in flight corrupts the state.\nType the lock ID {id} to release it: ",
            lock.describe()
        );
        confirm(&prompt).is_some_and(|typed| typed.trim() == id)
    };
    let (steps, held_back) = fix::plan(remote, &before, policy, &fix_opts, &mut ask).await?;
    let log = fix::backup_folder(&fix_opts.backup_dir, backend).join("tf-doctor.log");
    let progress: &mut dyn Write = if text { &mut *io.out } else { &mut *io.err };
    if steps.is_empty() {
        let _ = writeln!(progress, "nothing to do");
    }
    for why in &held_back {
        let _ = writeln!(progress, "held back: {why}");
    }
    let fixed = fix::run_steps(
        remote,
        steps,
        held_back,
        &fix_opts,
        log,
        progress,
        &mut *io.before_step,
    )
    .await;

    if fixed.failed.is_some() {
        if text {
            let _ = writeln!(
                io.out,
                "\nThe fix stopped: {}",
                fixed.failed.as_deref().unwrap_or_default()
            );
        } else {
            report::json(
                &serde_json::json!({ "diagnosis": before, "fix": fixed }),
                io.out,
            );
        }
        return Ok(if fixed.failed_unreachable {
            EXIT_ERROR
        } else {
            EXIT_PROBLEMS
        });
    }

    let after = if opts.dry_run || !fixed.changed_remote() {
        None
    } else {
        Some(doctor::inspect(remote, backend, policy, OffsetDateTime::now_utc()).await?)
    };
    let user_steps = report::after_fix_steps(&before, after.as_ref(), &fixed);
    if text {
        if let Some(after) = &after {
            let _ = writeln!(io.out);
            report::text_short(after, io.out);
        }
        report::numbered(io.out, "Next steps", &user_steps);
    } else {
        report::json(
            &serde_json::json!({ "diagnosis": before, "fix": fixed, "after": after, "next_steps": user_steps }),
            io.out,
        );
    }
    let healthy_now = after.as_ref().map_or(before.healthy, |a| a.healthy);
    Ok(
        if healthy_now && before.healthy && fixed.held_back.is_empty() {
            EXIT_HEALTHY
        } else {
            EXIT_PROBLEMS
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_parse() {
        assert_eq!(parse_age("15m"), Ok(900));
        assert_eq!(parse_age("90"), Ok(90));
        assert_eq!(parse_age("2h"), Ok(7200));
        assert_eq!(parse_age("0"), Ok(0));
        assert!(parse_age("15 minutes").is_err());
        assert!(parse_age("m").is_err());
        assert!(parse_age("99999999999999999999d").is_err());
    }
}
