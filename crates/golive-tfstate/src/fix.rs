//! `--fix`: the recovery, as a list of steps planned from a fresh diagnosis and run in order:
//! back up the current and previous state versions (locally, optionally to a bucket prefix),
//! set the `-md5` digest to the state object's MD5, release a stale lock. Each step is printed
//! before it is done and logged after; `--dry-run` prints only. Planning from what is there
//! makes it idempotent: a second run plans only what is still to do, so a run cut short (the
//! network or the service going away) is finished by running it again.

use crate::config::Backend;
use crate::doctor::{Diagnosis, Digest, Lock, LockStore, PREVIOUS_VERSIONS_READ, Policy, State};
use crate::remote::{Remote, RemoteError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What `--fix` may do.
#[derive(Clone, Debug)]
pub struct FixOptions {
    pub dry_run: bool,
    /// Release locks younger than the policy's minimum age (after a typed confirmation).
    pub force: bool,
    /// Local folder for the backups and the log.
    pub backup_dir: PathBuf,
    /// Also copy the current state to `<prefix>/<state key>/<md5>.tfstate` in the bucket.
    pub backup_prefix: Option<String>,
}

/// One thing `--fix` does.
#[derive(Clone, Debug, serde::Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Action {
    /// Write bytes read from the bucket to a local file.
    BackupLocal {
        file: PathBuf,
        #[serde(skip)]
        bytes: Vec<u8>,
    },
    /// Put a copy of the state under a backup prefix in the bucket.
    BackupRemote {
        key: String,
        #[serde(skip)]
        bytes: Vec<u8>,
    },
    /// Put the digest item `LockID = id, Digest = md5`.
    SetDigest { lock_id: String, md5: String },
    /// Delete the DynamoDB lock item if its Info is unchanged.
    ReleaseDynamodbLock {
        lock_id: String,
        #[serde(skip)]
        info: String,
    },
    /// Delete the `.tflock` object if its content is unchanged.
    ReleaseLockfile {
        key: String,
        #[serde(skip)]
        content: String,
    },
}

impl Action {
    /// Writes to the bucket or the table (as opposed to local backups).
    pub fn is_remote_write(&self) -> bool {
        !matches!(self, Action::BackupLocal { .. })
    }
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct Step {
    pub title: String,
    #[serde(flatten)]
    pub action: Action,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepStatus {
    Done,
    /// Nothing to do: already in the wanted state (an identical backup exists).
    AlreadyDone,
    DryRun,
    Failed,
    /// Not started because an earlier step failed.
    NotRun,
}

#[derive(Clone, Debug, serde::Serialize)]
pub struct StepResult {
    #[serde(flatten)]
    pub step: Step,
    pub status: StepStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// What a fix run did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FixReport {
    pub steps: Vec<StepResult>,
    /// Why some of the repair was not planned (a recent lock without --force, a broken state).
    pub held_back: Vec<String>,
    pub dry_run: bool,
    /// The log file every write was appended to.
    pub log: PathBuf,
    /// The step error that stopped the run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<String>,
    #[serde(skip)]
    pub failed_unreachable: bool,
}

impl FixReport {
    /// Something in the bucket or the table was changed.
    pub fn changed_remote(&self) -> bool {
        self.steps
            .iter()
            .any(|s| s.status == StepStatus::Done && s.step.action.is_remote_write())
    }
}

/// The folder for one state's backups: `<backup_dir>/<bucket>/<state key>/`.
pub fn backup_folder(base: &Path, backend: &Backend) -> PathBuf {
    let mut dir = base.join(sanitize(&backend.bucket));
    for part in backend.state_key().split('/').filter(|p| !p.is_empty()) {
        dir = dir.join(sanitize(part));
    }
    dir
}

fn sanitize(part: &str) -> String {
    let cleaned: String = part
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '=') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned == "." || cleaned == ".." {
        "_".into()
    } else {
        cleaned
    }
}

/// Plans the steps from a fresh diagnosis. `confirm` is asked (with the lock ID to type) before
/// a recent lock is planned for release under `--force`.
pub async fn plan(
    remote: &Remote,
    d: &Diagnosis,
    policy: Policy,
    opts: &FixOptions,
    confirm: &mut dyn FnMut(&Lock) -> bool,
) -> Result<(Vec<Step>, Vec<String>), RemoteError> {
    let b = &d.backend;
    let folder = backup_folder(&opts.backup_dir, b);
    let mut steps = Vec::new();
    let mut held_back = Vec::new();
    let digest_to_create = matches!(d.digest, Digest::Missing | Digest::Malformed { .. })
        && matches!(d.state, State::Valid(_));
    if d.healthy && !digest_to_create {
        return Ok((steps, held_back));
    }

    // 1. Confirm nothing runs: which locks may be released.
    let mut releasable = Vec::new();
    let mut blocked = false;
    for lock in &d.locks {
        let mut confirmed = || opts.force && (opts.dry_run || confirm(lock));
        if Diagnosis::lock_is_stale(lock, policy) || confirmed() {
            releasable.push(lock.clone());
        } else {
            blocked = true;
            held_back.push(format!(
                "the lock is {}: a run may still be in flight, so only backups were planned; wait, or pass --force and type the lock ID when asked",
                lock.age_seconds.map_or_else(
                    || "of unknown age".to_string(),
                    |a| format!("only {} old", crate::doctor::human_age(a))
                )
            ));
        }
    }

    // 2. Back up the current state and the previous versions before anything is written.
    let state_key = &d.state_key;
    if let Some(current) = remote.get_object(state_key).await?
        && !current.bytes.is_empty()
    {
        let md5 = crate::doctor::md5_hex(&current.bytes);
        let serial = match &d.state {
            State::Valid(s) => format!("serial-{}-", s.serial),
            _ => String::new(),
        };
        steps.push(Step {
            title: format!("back up the current state s3://{}/{state_key}", b.bucket),
            action: Action::BackupLocal {
                file: folder.join(format!("current-{serial}{md5}.tfstate")),
                bytes: current.bytes.clone(),
            },
        });
        if let Some(prefix) = &opts.backup_prefix {
            let key = format!("{}/{state_key}/{md5}.tfstate", prefix.trim_end_matches('/'));
            steps.push(Step {
                title: format!("copy the current state to s3://{}/{key}", b.bucket),
                action: Action::BackupRemote {
                    key,
                    bytes: current.bytes,
                },
            });
        }
    }
    for v in d
        .versioning
        .versions
        .iter()
        .filter(|v| !v.version.is_latest && !v.version.delete_marker)
        .take(PREVIOUS_VERSIONS_READ)
    {
        let id = &v.version.version_id;
        if let Some(obj) = remote.get_object_version(state_key, id).await? {
            steps.push(Step {
                title: format!("back up the previous version {id} of the state"),
                action: Action::BackupLocal {
                    file: folder.join(format!("version-{}.tfstate", sanitize(id))),
                    bytes: obj.bytes,
                },
            });
        }
    }
    for lock in &releasable {
        let name = lock.id().map_or_else(|| "unreadable".to_string(), sanitize);
        steps.push(Step {
            title: format!("save the lock record ({})", lock.place()),
            action: Action::BackupLocal {
                file: folder.join(format!("lock-{name}.json")),
                bytes: lock.raw.clone().into_bytes(),
            },
        });
    }

    if blocked {
        return Ok((steps, held_back));
    }
    let State::Valid(state) = &d.state else {
        held_back.push(
            "the state object is not a valid state: the digest and the lock are left alone until it is restored (see the next steps)".into(),
        );
        return Ok((steps, held_back));
    };

    // 3. Fix the digest.
    if b.dynamodb_table.is_some()
        && matches!(
            d.digest,
            Digest::Mismatch { .. } | Digest::Missing | Digest::Malformed { .. }
        )
    {
        steps.push(Step {
            title: format!(
                "set the digest {} to the state object's MD5 {}",
                b.digest_id(),
                state.md5
            ),
            action: Action::SetDigest {
                lock_id: b.digest_id(),
                md5: state.md5.clone(),
            },
        });
    }

    // 4. Release the lock.
    for lock in releasable {
        let title = format!("release the lock: {}", lock.describe());
        let action = match lock.store {
            LockStore::Dynamodb { lock_id, .. } => Action::ReleaseDynamodbLock {
                lock_id,
                info: lock.raw,
            },
            LockStore::S3Lockfile { key } => Action::ReleaseLockfile {
                key,
                content: lock.raw,
            },
        };
        steps.push(Step { title, action });
    }
    Ok((steps, held_back))
}

/// Runs the steps in order, printing each before doing it; stops at the first failure.
/// `before` is called just before each step is done (not in a dry run): tests use it to
/// cut the connection between two steps.
pub async fn run_steps(
    remote: &Remote,
    steps: Vec<Step>,
    held_back: Vec<String>,
    opts: &FixOptions,
    log: PathBuf,
    out: &mut dyn Write,
    before: &mut dyn FnMut(usize, &Step),
) -> FixReport {
    let total = steps.len();
    let mut report = FixReport {
        steps: Vec::new(),
        held_back,
        dry_run: opts.dry_run,
        log,
        failed: None,
        failed_unreachable: false,
    };
    for (i, step) in steps.into_iter().enumerate() {
        let n = i + 1;
        let _ = writeln!(out, "[{n}/{total}] {}", step.title);
        if report.failed.is_some() {
            report.steps.push(StepResult {
                step,
                status: StepStatus::NotRun,
                error: None,
            });
            continue;
        }
        if opts.dry_run {
            let _ = writeln!(out, "      dry run: not done");
            report.steps.push(StepResult {
                step,
                status: StepStatus::DryRun,
                error: None,
            });
            continue;
        }
        before(n, &step);
        let result = execute(remote, &step.action).await;
        let (status, error) = match result {
            Ok(true) => (StepStatus::Done, None),
            Ok(false) => (StepStatus::AlreadyDone, None),
            Err(e) => {
                report.failed_unreachable = e.unreachable;
                (StepStatus::Failed, Some(e.message))
            }
        };
        match status {
            StepStatus::Done => {
                let _ = writeln!(out, "      done");
                if let Err(e) = append_log(&report.log, &step) {
                    let _ = writeln!(
                        out,
                        "      (could not write the log {}: {e})",
                        report.log.display()
                    );
                }
            }
            StepStatus::AlreadyDone => {
                let _ = writeln!(out, "      already done");
            }
            _ => {
                let msg = error.clone().unwrap_or_default();
                let _ = writeln!(out, "      FAILED: {msg}");
                let _ = writeln!(
                    out,
                    "      nothing after this step was done; run `golive tf doctor --fix` again to resume"
                );
                report.failed = Some(format!("step {n} ({}): {msg}", step.title));
            }
        }
        report.steps.push(StepResult {
            step,
            status,
            error,
        });
    }
    report
}

struct StepError {
    message: String,
    unreachable: bool,
}

impl From<RemoteError> for StepError {
    fn from(e: RemoteError) -> Self {
        StepError {
            unreachable: e.is_unreachable(),
            message: e.to_string(),
        }
    }
}

fn local(path: &Path, e: std::io::Error) -> StepError {
    StepError {
        message: format!("{}: {e}", path.display()),
        unreachable: false,
    }
}

/// Ok(false): nothing needed doing.
async fn execute(remote: &Remote, action: &Action) -> Result<bool, StepError> {
    match action {
        Action::BackupLocal { file, bytes } => {
            if std::fs::read(file).is_ok_and(|existing| &existing == bytes) {
                return Ok(false);
            }
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent).map_err(|e| local(parent, e))?;
            }
            // Write then rename, so a backup file is never half written.
            let tmp = file.with_extension("partial");
            std::fs::write(&tmp, bytes).map_err(|e| local(&tmp, e))?;
            std::fs::rename(&tmp, file).map_err(|e| local(file, e))?;
            Ok(true)
        }
        Action::BackupRemote { key, bytes } => {
            if remote
                .get_object(key)
                .await?
                .is_some_and(|o| &o.bytes == bytes)
            {
                return Ok(false);
            }
            remote.put_object(key, bytes.clone()).await?;
            Ok(true)
        }
        Action::SetDigest { lock_id, md5 } => {
            let current = remote.get_item(lock_id).await?;
            if current
                .as_ref()
                .and_then(|item| item.get("Digest"))
                .is_some_and(|d| d.eq_ignore_ascii_case(md5))
            {
                return Ok(false);
            }
            remote.put_digest(lock_id, md5).await?;
            Ok(true)
        }
        Action::ReleaseDynamodbLock { lock_id, info } => {
            match remote.get_item(lock_id).await? {
                None => return Ok(false),
                Some(item) if item.get("Info").map(String::as_str) != Some(info.as_str()) => {
                    return Err(StepError {
                        message: format!(
                            "the lock {lock_id} changed since it was read: someone took a new lock; not released"
                        ),
                        unreachable: false,
                    });
                }
                Some(_) => {}
            }
            remote.delete_lock_item(lock_id, info).await?;
            Ok(true)
        }
        Action::ReleaseLockfile { key, content } => {
            match remote.get_object(key).await? {
                None => return Ok(false),
                Some(obj) if obj.bytes != content.as_bytes() => {
                    return Err(StepError {
                        message: format!(
                            "the lock file {key} changed since it was read: someone took a new lock; not released"
                        ),
                        unreachable: false,
                    });
                }
                Some(_) => {}
            }
            remote.delete_object(key).await?;
            Ok(true)
        }
    }
}

fn append_log(log: &Path, step: &Step) -> std::io::Result<()> {
    if let Some(parent) = log.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let what = match &step.action {
        Action::BackupLocal { file, bytes } => {
            format!("wrote {} ({} bytes)", file.display(), bytes.len())
        }
        Action::BackupRemote { key, bytes } => {
            format!("put s3 object {key} ({} bytes)", bytes.len())
        }
        Action::SetDigest { lock_id, md5 } => {
            format!("put dynamodb item LockID={lock_id} Digest={md5}")
        }
        Action::ReleaseDynamodbLock { lock_id, info } => {
            format!("deleted dynamodb lock item LockID={lock_id} Info={info}")
        }
        Action::ReleaseLockfile { key, content } => {
            format!("deleted s3 lock object {key} (was {content})")
        }
    };
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)?;
    writeln!(f, "{now} {what}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backup_folders_cannot_escape_the_base() {
        let backend = crate::config::resolve(
            &crate::config::FileSettings::default(),
            &crate::config::Overrides {
                bucket: Some("acme".into()),
                key: Some("../../etc/app.tfstate".into()),
                ..Default::default()
            },
            None,
        )
        .unwrap();
        let dir = backup_folder(Path::new("/tmp/base"), &backend);
        assert_eq!(dir, Path::new("/tmp/base/acme/_/_/etc/app.tfstate"));
        assert_eq!(sanitize("env:"), "env_");
    }
}
