//! The diagnosis: what is in the bucket and the table for one state (lock, state object, digest,
//! versions), what is wrong with it, and the next steps in the only order that works after a
//! crashed run: confirm nothing runs, back up, fix the digest, init, force-unlock, plan, apply.

use crate::config::Backend;
use crate::remote::{Object, ObjectVersion, Remote, RemoteError, Versioning};
use md5::{Digest as _, Md5};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// How many previous versions of the state are downloaded to read their serial and lineage.
pub const PREVIOUS_VERSIONS_READ: usize = 5;

/// Terraform's lock record (`statemgr.LockInfo`), as stored in the DynamoDB item's `Info`
/// attribute and in the `.tflock` object.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LockInfo {
    #[serde(rename = "ID", default)]
    pub id: String,
    #[serde(rename = "Operation", default)]
    pub operation: String,
    #[serde(rename = "Info", default)]
    pub info: String,
    #[serde(rename = "Who", default)]
    pub who: String,
    #[serde(rename = "Version", default)]
    pub version: String,
    #[serde(rename = "Created", default)]
    pub created: String,
    #[serde(rename = "Path", default)]
    pub path: String,
}

/// Where a lock is kept.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LockStore {
    /// The DynamoDB item `LockID = <bucket>/<key>` (dynamodb_table).
    Dynamodb { table: String, lock_id: String },
    /// The S3 object `<key>.tflock` (use_lockfile).
    S3Lockfile { key: String },
}

/// A lock that is held.
#[derive(Clone, Debug, Serialize)]
pub struct Lock {
    pub store: LockStore,
    /// The record, when it is Terraform's JSON.
    pub info: Option<LockInfo>,
    /// The record as stored (the DynamoDB `Info` string or the object's bytes).
    pub raw: String,
    /// Why the record could not be read, when it could not.
    pub unreadable: Option<String>,
    /// Seconds since `Created`; None when it cannot be read (or lies in the future).
    pub age_seconds: Option<i64>,
}

impl Lock {
    /// The lock ID to give `terraform force-unlock`.
    pub fn id(&self) -> Option<&str> {
        self.info
            .as_ref()
            .map(|i| i.id.as_str())
            .filter(|id| !id.is_empty())
    }

    /// "who, operation, since when (age)".
    pub fn describe(&self) -> String {
        match &self.info {
            Some(i) => {
                let age = self
                    .age_seconds
                    .map_or_else(|| "age unknown".to_string(), human_age);
                format!(
                    "held by {} for {} since {} ({age}), lock ID {}",
                    or_unknown(&i.who),
                    or_unknown(&i.operation),
                    or_unknown(&i.created),
                    or_unknown(&i.id)
                )
            }
            None => format!(
                "held, but its record is not Terraform's lock JSON ({})",
                self.unreadable.as_deref().unwrap_or("unreadable")
            ),
        }
    }

    pub fn place(&self) -> String {
        match &self.store {
            LockStore::Dynamodb { table, lock_id } => {
                format!("DynamoDB item LockID={lock_id} in table {table}")
            }
            LockStore::S3Lockfile { key } => format!("S3 object {key}"),
        }
    }
}

fn or_unknown(s: &str) -> &str {
    if s.is_empty() { "(unknown)" } else { s }
}

/// The state object.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum State {
    /// No object at the key.
    Missing,
    /// A zero-byte object: Terraform reads it as "no state".
    Empty {
        version_id: Option<String>,
    },
    /// Not a Terraform state: truncated, not JSON, or JSON without serial/lineage.
    Invalid {
        size: usize,
        md5: String,
        error: String,
        version_id: Option<String>,
    },
    Valid(StateSummary),
}

/// What a valid state says about itself.
#[derive(Clone, Debug, Serialize)]
pub struct StateSummary {
    pub size: usize,
    pub md5: String,
    pub version: u64,
    pub terraform_version: String,
    pub serial: u64,
    pub lineage: String,
    pub resources: usize,
    pub version_id: Option<String>,
}

impl State {
    /// The MD5 of the object's bytes, when there are bytes.
    pub fn md5(&self) -> Option<&str> {
        match self {
            State::Invalid { md5, .. } => Some(md5),
            State::Valid(s) => Some(&s.md5),
            State::Missing | State::Empty { .. } => None,
        }
    }
}

/// The DynamoDB digest item (`<bucket>/<key>-md5`, attribute `Digest`).
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "status", rename_all = "kebab-case")]
pub enum Digest {
    /// No dynamodb_table: Terraform keeps no digest.
    NotUsed,
    /// No digest item: Terraform has nothing to compare, and reads the state.
    Missing,
    Matches {
        digest: String,
    },
    /// Terraform refuses the state ("state data in S3 does not have the expected content").
    Mismatch {
        stored: String,
        /// None when the state object is missing or empty.
        actual: Option<String>,
    },
    /// Not 32 hex digits: Terraform ignores it with a warning.
    Malformed {
        stored: String,
    },
}

/// The bucket's versioning and the state's versions.
#[derive(Clone, Debug, Serialize)]
pub struct VersionsView {
    /// None when it could not be read (the reason is in the notes).
    pub status: Option<Versioning>,
    /// Newest first.
    pub versions: Vec<StateVersion>,
}

#[derive(Clone, Debug, Serialize)]
pub struct StateVersion {
    #[serde(flatten)]
    pub version: ObjectVersion,
    /// Read for the newest few: serial and lineage of that version, when it is a valid state.
    pub serial: Option<u64>,
    pub lineage: Option<String>,
    /// Read and found not to be a Terraform state (or empty).
    pub invalid: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// Terraform cannot run (or would do damage) until it is fixed.
    Error,
    /// Terraform runs, but recovery from the next crash would be harder.
    Warning,
}

#[derive(Clone, Debug, Serialize)]
pub struct Problem {
    pub severity: Severity,
    /// Stable id: `lock-held`, `digest-mismatch`, `state-invalid`, ...
    pub code: &'static str,
    pub message: String,
}

/// Everything tf doctor found, and what to do.
#[derive(Clone, Debug, Serialize)]
pub struct Diagnosis {
    pub backend: Backend,
    pub state_key: String,
    pub locks: Vec<Lock>,
    pub state: State,
    pub digest: Digest,
    pub versioning: VersionsView,
    pub problems: Vec<Problem>,
    pub notes: Vec<String>,
    /// No error-level problem.
    pub healthy: bool,
    /// Numbered next steps with exact commands, in order.
    pub next_steps: Vec<String>,
}

/// The inputs of the verdict that are not in the remote.
#[derive(Clone, Copy, Debug)]
pub struct Policy {
    /// Locks at least this old are taken for left over by a killed run.
    pub min_lock_age_secs: i64,
}

/// Hex MD5 of bytes, as Terraform stores it.
pub fn md5_hex(bytes: &[u8]) -> String {
    let sum = Md5::digest(bytes);
    let mut out = String::with_capacity(32);
    for b in sum.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Reads a state object's bytes.
pub fn read_state(object: &Object) -> State {
    let bytes = &object.bytes;
    if bytes.is_empty() {
        return State::Empty {
            version_id: object.version_id.clone(),
        };
    }
    let md5 = md5_hex(bytes);
    match summarize(bytes) {
        Ok((version, terraform_version, serial, lineage, resources)) => {
            State::Valid(StateSummary {
                size: bytes.len(),
                md5,
                version,
                terraform_version,
                serial,
                lineage,
                resources,
                version_id: object.version_id.clone(),
            })
        }
        Err(error) => State::Invalid {
            size: bytes.len(),
            md5,
            error,
            version_id: object.version_id.clone(),
        },
    }
}

type Summary = (u64, String, u64, String, usize);

fn summarize(bytes: &[u8]) -> Result<Summary, String> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {e}"))?;
    let obj = value
        .as_object()
        .ok_or_else(|| "JSON, but not an object".to_string())?;
    let version = obj
        .get("version")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| "no numeric `version`: not a Terraform state".to_string())?;
    let serial = obj
        .get("serial")
        .and_then(serde_json::Value::as_u64)
        .ok_or_else(|| "no numeric `serial`: not a Terraform state".to_string())?;
    let lineage = obj
        .get("lineage")
        .and_then(serde_json::Value::as_str)
        .ok_or_else(|| "no `lineage`: not a Terraform state".to_string())?
        .to_string();
    let terraform_version = obj
        .get("terraform_version")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default()
        .to_string();
    let resources = obj
        .get("resources")
        .and_then(serde_json::Value::as_array)
        .map_or(0, Vec::len);
    Ok((version, terraform_version, serial, lineage, resources))
}

/// Reads a lock record (DynamoDB `Info` or `.tflock` bytes).
pub fn read_lock(store: LockStore, raw: String, now: OffsetDateTime) -> Lock {
    let (info, unreadable) = match serde_json::from_str::<LockInfo>(&raw) {
        Ok(info) => (Some(info), None),
        Err(e) => (None, Some(format!("not lock JSON: {e}"))),
    };
    let age_seconds = info
        .as_ref()
        .and_then(|i| OffsetDateTime::parse(&i.created, &Rfc3339).ok())
        .map(|created| (now - created).whole_seconds())
        .filter(|age| *age >= 0);
    Lock {
        store,
        info,
        raw,
        unreadable,
        age_seconds,
    }
}

/// "3h 12m", "45s", "2d 4h".
pub fn human_age(secs: i64) -> String {
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s}s"),
        (0, 0, _) if s == 0 => format!("{m}m"),
        (0, 0, _) => format!("{m}m {s}s"),
        (0, _, _) => format!("{h}h {m}m"),
        _ => format!("{d}d {h}h"),
    }
}

/// Looks at everything, read-only.
pub async fn inspect(
    remote: &Remote,
    backend: &Backend,
    policy: Policy,
    now: OffsetDateTime,
) -> Result<Diagnosis, RemoteError> {
    let state_key = backend.state_key();
    let mut notes = Vec::new();

    let mut locks = Vec::new();
    if let Some(table) = &backend.dynamodb_table {
        let lock_id = backend.lock_id();
        if let Some(item) = remote.get_item(&lock_id).await? {
            let raw = item.get("Info").cloned().unwrap_or_default();
            locks.push(read_lock(
                LockStore::Dynamodb {
                    table: table.clone(),
                    lock_id,
                },
                raw,
                now,
            ));
        }
    }
    if backend.use_lockfile {
        let key = backend.lockfile_key();
        if let Some(object) = remote.get_object(&key).await?
            && !object.bytes.is_empty()
        {
            let raw = String::from_utf8_lossy(&object.bytes).into_owned();
            locks.push(read_lock(LockStore::S3Lockfile { key }, raw, now));
        }
    }
    if backend.dynamodb_table.is_none() && !backend.use_lockfile {
        notes.push(
            "the backend sets neither dynamodb_table nor use_lockfile: the state is not locked, so no lock can be stale".into(),
        );
    }

    let state = match remote.get_object(&state_key).await? {
        Some(object) => read_state(&object),
        None => State::Missing,
    };

    let digest = match &backend.dynamodb_table {
        None => Digest::NotUsed,
        Some(_) => match remote.get_item(&backend.digest_id()).await? {
            None => Digest::Missing,
            Some(item) => {
                let stored = item.get("Digest").cloned().unwrap_or_default();
                let well_formed =
                    stored.len() == 32 && stored.bytes().all(|b| b.is_ascii_hexdigit());
                if !well_formed {
                    Digest::Malformed { stored }
                } else {
                    let stored = stored.to_ascii_lowercase();
                    match state.md5() {
                        Some(actual) if actual == stored => Digest::Matches { digest: stored },
                        actual => Digest::Mismatch {
                            stored,
                            actual: actual.map(str::to_string),
                        },
                    }
                }
            }
        },
    };

    let versioning = match remote.versioning().await {
        Ok(status) => {
            let mut versions = Vec::new();
            if status != Versioning::Off {
                match remote.versions(&state_key).await {
                    Ok(list) => {
                        let mut read = 0;
                        for v in list {
                            let mut sv = StateVersion {
                                version: v,
                                serial: None,
                                lineage: None,
                                invalid: false,
                            };
                            if !sv.version.delete_marker && read < PREVIOUS_VERSIONS_READ {
                                read += 1;
                                if let Some(obj) = remote
                                    .get_object_version(&state_key, &sv.version.version_id)
                                    .await?
                                {
                                    match read_state(&obj) {
                                        State::Valid(s) => {
                                            sv.serial = Some(s.serial);
                                            sv.lineage = Some(s.lineage);
                                        }
                                        _ => sv.invalid = true,
                                    }
                                }
                            }
                            versions.push(sv);
                        }
                    }
                    Err(e) if !e.is_unreachable() => {
                        notes.push(format!("could not list the state's versions: {e}"))
                    }
                    Err(e) => return Err(e),
                }
            }
            VersionsView {
                status: Some(status),
                versions,
            }
        }
        Err(e) if !e.is_unreachable() => {
            notes.push(format!("could not read the bucket's versioning: {e}"));
            VersionsView {
                status: None,
                versions: Vec::new(),
            }
        }
        Err(e) => return Err(e),
    };

    let mut diagnosis = Diagnosis {
        backend: backend.clone(),
        state_key,
        locks,
        state,
        digest,
        versioning,
        problems: Vec::new(),
        notes,
        healthy: true,
        next_steps: Vec::new(),
    };
    judge(&mut diagnosis, policy);
    Ok(diagnosis)
}

impl Diagnosis {
    /// The newest earlier version that is a valid state (the one to restore a broken state from).
    pub fn restorable_version(&self) -> Option<&StateVersion> {
        self.versioning
            .versions
            .iter()
            .filter(|v| !v.version.is_latest && !v.version.delete_marker)
            .find(|v| v.serial.is_some())
    }

    /// Locks old enough to be taken for left over (`--min-lock-age`).
    pub fn lock_is_stale(lock: &Lock, policy: Policy) -> bool {
        lock.age_seconds
            .is_some_and(|age| age >= policy.min_lock_age_secs)
    }

    /// The state can be read by Terraform once the digest is right.
    pub fn state_is_usable(&self) -> bool {
        matches!(self.state, State::Valid(_))
    }
}

fn problem(out: &mut Vec<Problem>, severity: Severity, code: &'static str, message: String) {
    out.push(Problem {
        severity,
        code,
        message,
    });
}

/// Fills problems, verdict and next steps.
pub fn judge(d: &mut Diagnosis, policy: Policy) {
    d.problems.clear();
    d.next_steps.clear();
    let b = d.backend.clone();
    let url = b.state_url();
    let mut found = Vec::new();

    // The state object.
    match &d.state {
        State::Valid(_) => {}
        State::Missing => {
            let deleted = d
                .versioning
                .versions
                .first()
                .is_some_and(|v| v.version.delete_marker);
            let msg = if deleted {
                format!(
                    "the state object {url} was deleted (its latest version is a delete marker)"
                )
            } else {
                format!(
                    "there is no state object at {url}: check bucket, key and workspace (a new stack has none until its first apply)"
                )
            };
            problem(&mut found, Severity::Error, "state-missing", msg);
        }
        State::Empty { .. } => problem(
            &mut found,
            Severity::Error,
            "state-empty",
            format!(
                "the state object {url} is empty (0 bytes): Terraform would read it as no state and plan to create everything again"
            ),
        ),
        State::Invalid { size, error, .. } => problem(
            &mut found,
            Severity::Error,
            "state-invalid",
            format!(
                "the state object {url} ({size} bytes) is not a valid Terraform state: {error}"
            ),
        ),
    }

    // The digest.
    match &d.digest {
        Digest::Mismatch { stored, actual } => {
            let actual = actual.as_deref().unwrap_or("no object");
            problem(
                &mut found,
                Severity::Error,
                "digest-mismatch",
                format!(
                    "the DynamoDB digest {} is {stored} but the state object's MD5 is {actual}: Terraform stops with \"state data in S3 does not have the expected content\"",
                    b.digest_id()
                ),
            );
        }
        Digest::Malformed { stored } => d.notes.push(format!(
            "the DynamoDB digest {} holds {stored:?}, not an MD5: Terraform ignores it with a warning; --fix rewrites it",
            b.digest_id()
        )),
        Digest::Missing if d.state_is_usable() => d.notes.push(format!(
            "no DynamoDB digest item {} yet: Terraform writes one on its next state write; --fix creates it",
            b.digest_id()
        )),
        _ => {}
    }

    // Locks.
    let locks = d.locks.clone();
    for lock in &locks {
        let stale = Diagnosis::lock_is_stale(lock, policy);
        let how = if stale {
            format!(
                "older than {}: most likely left by a run that was killed",
                human_age(policy.min_lock_age_secs)
            )
        } else {
            "recent: a run may still be in flight".to_string()
        };
        problem(
            &mut found,
            Severity::Error,
            "lock-held",
            format!("lock {} ({}): {how}", lock.describe(), lock.place()),
        );
    }

    // Versioning.
    match d.versioning.status {
        Some(Versioning::Enabled) => {}
        Some(status) => problem(
            &mut found,
            Severity::Warning,
            "versioning-off",
            format!(
                "bucket versioning is {} on {}: a broken or deleted state cannot be brought back",
                if status == Versioning::Suspended {
                    "suspended"
                } else {
                    "not enabled"
                },
                b.bucket
            ),
        ),
        None => {}
    }

    d.problems = found;
    d.healthy = !d.problems.iter().any(|p| p.severity == Severity::Error);
    d.next_steps = next_steps(d, policy);
}

fn next_steps(d: &Diagnosis, policy: Policy) -> Vec<String> {
    let b = &d.backend;
    let mut steps = Vec::new();
    let errors = |code: &str| d.problems.iter().any(|p| p.code == code);
    let ws = (b.workspace != "default")
        .then(|| format!("terraform workspace select {} && ", b.workspace));
    let ws = ws.as_deref().unwrap_or_default();

    if !d.locks.is_empty() {
        let who: Vec<String> = d
            .locks
            .iter()
            .map(|l| match &l.info {
                Some(i) => format!(
                    "{} ({} since {})",
                    or_unknown(&i.who),
                    or_unknown(&i.operation),
                    or_unknown(&i.created)
                ),
                None => "(unknown holder)".into(),
            })
            .collect();
        let young = d.locks.iter().any(|l| !Diagnosis::lock_is_stale(l, policy));
        steps.push(format!(
            "Confirm that no terraform run is in flight for this state: the lock holder is {}; check its CI job or ask them.{}",
            who.join(", "),
            if young {
                " The lock is recent: wait, or pass --force to --fix only once you are sure."
            } else {
                ""
            }
        ));
    }

    let broken_state = errors("state-invalid") || errors("state-empty") || errors("state-missing");
    if broken_state {
        let keep = if matches!(d.state, State::Missing) {
            String::new()
        } else {
            format!("aws s3 cp {} ./terraform.tfstate.broken && ", b.state_url())
        };
        match d.restorable_version() {
            Some(v) => steps.push(format!(
                "Keep the broken object, then restore the last good version (serial {}) of the state: {keep}aws s3api copy-object --bucket {} --key {} --copy-source '{}/{}?versionId={}'",
                v.serial.unwrap_or_default(),
                b.bucket,
                d.state_key,
                b.bucket,
                d.state_key,
                v.version.version_id
            )),
            None => steps.push(format!(
                "No earlier valid version of the state is in the bucket: check the key and workspace, or upload your last good copy: {keep}aws s3 cp LAST-GOOD.tfstate {}",
                b.state_url()
            )),
        }
        steps.push(
            "Once the state object is valid, run golive tf doctor --fix again: it backs it up, sets the digest to its MD5 and releases the lock; then terraform init, terraform plan (review it), terraform apply".into(),
        );
        return steps;
    }

    let needs_digest = matches!(d.digest, Digest::Mismatch { .. });
    if !d.healthy {
        if let State::Valid(s) = &d.state {
            steps.push(format!(
                "Back up the state: aws s3 cp {} ./terraform.tfstate.serial-{} (golive tf doctor --fix does this and the following fixes)",
                b.state_url(),
                s.serial
            ));
            if needs_digest {
                steps.push(format!(
                    "Set the digest to the state object's MD5: aws dynamodb put-item --table-name {} --item '{{\"LockID\":{{\"S\":\"{}\"}},\"Digest\":{{\"S\":\"{}\"}}}}'",
                    b.dynamodb_table.as_deref().unwrap_or_default(),
                    b.digest_id(),
                    s.md5
                ));
            }
        }
        if errors("lock-held") {
            steps.extend(unlock_steps(d, ws));
        }
        steps.push(format!(
            "{ws}terraform plan: review it; it should show only the changes the interrupted run meant to make"
        ));
        steps.push(format!("{ws}terraform apply"));
    }
    if errors("versioning-off") {
        steps.push(format!(
            "Turn on bucket versioning so the next broken state can be restored: aws s3api put-bucket-versioning --bucket {} --versioning-configuration Status=Enabled",
            b.bucket
        ));
    }
    steps
}

fn unlock_steps(d: &Diagnosis, ws: &str) -> Vec<String> {
    let mut steps = vec!["terraform init".to_string()];
    for lock in &d.locks {
        match lock.id() {
            Some(id) => steps.push(format!("{ws}terraform force-unlock {id}")),
            None => steps.push(format!(
                "Remove the unreadable lock by hand ({}): terraform force-unlock needs its ID",
                lock.place()
            )),
        }
    }
    steps
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> OffsetDateTime {
        OffsetDateTime::parse(s, &Rfc3339).unwrap()
    }

    #[test]
    fn md5_matches_known_values() {
        assert_eq!(md5_hex(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5_hex(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
    }

    #[test]
    fn state_is_read_as_terraform_would() {
        let obj = |b: &[u8]| Object {
            bytes: b.to_vec(),
            version_id: Some("v1".into()),
            last_modified: None,
        };
        assert!(matches!(read_state(&obj(b"")), State::Empty { .. }));
        let good = br#"{"version":4,"terraform_version":"1.9.5","serial":42,"lineage":"3f1c","outputs":{},"resources":[{},{}]}"#;
        match read_state(&obj(good)) {
            State::Valid(s) => {
                assert_eq!((s.serial, s.version, s.resources), (42, 4, 2));
                assert_eq!(s.lineage, "3f1c");
                assert_eq!(s.terraform_version, "1.9.5");
                assert_eq!(s.md5, md5_hex(good));
            }
            other => panic!("{other:?}"),
        }
        match read_state(&obj(&good[..40])) {
            State::Invalid { error, size, .. } => {
                assert!(error.starts_with("not valid JSON"), "{error}");
                assert_eq!(size, 40);
            }
            other => panic!("{other:?}"),
        }
        match read_state(&obj(br#"{"version":4}"#)) {
            State::Invalid { error, .. } => assert!(error.contains("serial"), "{error}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn lock_info_and_age_are_read() {
        let raw = r#"{"ID":"8c1f7a52-0000-4000-8000-000000000001","Operation":"OperationTypeApply","Info":"","Who":"runner@ci-7","Version":"1.9.5","Created":"2026-01-10T10:00:00.123456789Z","Path":"acme/app.tfstate"}"#;
        let lock = read_lock(
            LockStore::S3Lockfile {
                key: "app.tfstate.tflock".into(),
            },
            raw.into(),
            at("2026-01-10T12:30:00Z"),
        );
        let info = lock.info.clone().unwrap();
        assert_eq!(info.who, "runner@ci-7");
        assert_eq!(info.operation, "OperationTypeApply");
        assert_eq!(lock.id(), Some("8c1f7a52-0000-4000-8000-000000000001"));
        assert_eq!(lock.age_seconds, Some(2 * 3600 + 29 * 60 + 59));
        assert!(lock.describe().contains("2h 29m"), "{}", lock.describe());

        let odd = read_lock(
            LockStore::S3Lockfile {
                key: "k.tflock".into(),
            },
            "garbage".into(),
            at("2026-01-10T12:30:00Z"),
        );
        assert!(odd.info.is_none() && odd.age_seconds.is_none());
        assert_eq!(odd.id(), None);

        let future = read_lock(
            LockStore::S3Lockfile {
                key: "k.tflock".into(),
            },
            r#"{"ID":"x","Created":"2027-01-01T00:00:00Z"}"#.into(),
            at("2026-01-10T12:30:00Z"),
        );
        assert_eq!(
            future.age_seconds, None,
            "a lock from the future has no age"
        );
    }

    #[test]
    fn ages_read_well() {
        assert_eq!(human_age(45), "45s");
        assert_eq!(human_age(15 * 60), "15m");
        assert_eq!(human_age(61), "1m 1s");
        assert_eq!(human_age(3 * 3600 + 12 * 60 + 5), "3h 12m");
        assert_eq!(human_age(2 * 86_400 + 4 * 3600), "2d 4h");
    }
}
