//! `golive tf doctor` against moto's S3 and DynamoDB (server mode, loopback), with the real AWS
//! SDK: the crash of the incident (stale lock + mismatched digest + partial state), the healthy
//! case, DynamoDB and S3-native locking, versioning on and off, dry runs, and the service going
//! away in the middle of a fix.

mod support;

use golive_tfstate::{Format, Options};
use std::time::Duration;
use support::*;

const LOCK_ID: &str = "6f2a9c1e-4b7d-4e21-9a3f-0c5d8e7b1a42";
const TWO_HOURS: Duration = Duration::from_secs(2 * 3600);

fn options(dir: &std::path::Path, backups: &std::path::Path, endpoint: &str) -> Options {
    let mut o = Options::new(dir);
    o.overrides.endpoint_url = Some(endpoint.to_string());
    o.overrides.region = Some(REGION.into());
    o.backup_dir = Some(backups.to_path_buf());
    o
}

fn codes(json: &serde_json::Value) -> Vec<String> {
    json["problems"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|p| p["code"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn files_in(dir: &std::path::Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}

/// The incident: an apply killed mid-write leaves a lock from two hours ago, a digest of a state
/// that never landed, and a truncated state object. The doctor names all three and the version
/// to restore; --fix backs everything up but leaves digest and lock alone until the state is
/// restored; after the restore a second --fix sets the digest and releases the lock; a third
/// one has nothing to do.
#[test]
fn crash_scenario_is_diagnosed_then_repaired_in_order() {
    let aws = aws();
    let (bucket, table, key) = ("crash-state", "crash-locks", "payments/terraform.tfstate");
    aws.bucket(bucket, true);
    aws.table(table);
    let good = state(41, "b1d0c9a2-lineage", 3);
    let v_good = aws.put(bucket, key, &good).expect("versioned");
    let next = state(42, "b1d0c9a2-lineage", 4);
    let partial = &next[..next.len() / 2];
    aws.put(bucket, key, partial);
    let lock_path = format!("{bucket}/{key}");
    aws.put_item(
        table,
        &[
            ("LockID", &lock_path),
            ("Info", &lock_info(LOCK_ID, &lock_path, TWO_HOURS)),
        ],
    );
    let digest_id = format!("{lock_path}-md5");
    aws.put_item(
        table,
        &[("LockID", &digest_id), ("Digest", &md5_hex(&next))],
    );

    let dir = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    module(
        dir.path(),
        &format!(
            "    bucket = \"{bucket}\"\n    key = \"{key}\"\n    region = \"{REGION}\"\n    dynamodb_table = \"{table}\"\n    endpoints {{\n      s3 = \"{0}\"\n      dynamodb = \"{0}\"\n    }}\n",
            moto().url()
        ),
    );
    let mut opts = Options::new(dir.path());
    opts.backup_dir = Some(backups.path().to_path_buf());

    // Diagnosis, text.
    let run = doctor(&opts);
    assert_eq!(run.code, 1, "{}\n{}", run.out, run.err);
    for section in [
        "Backend",
        "\nLock",
        "\nState",
        "\nDigest",
        "\nVersioning",
        "\nVerdict",
        "\nNext steps",
    ] {
        assert!(run.out.contains(section), "no {section:?} in:\n{}", run.out);
    }
    assert!(
        run.out.contains(&format!("ID         {LOCK_ID}")),
        "{}",
        run.out
    );
    assert!(
        run.out.contains("who        runner@ci-runner-7"),
        "{}",
        run.out
    );
    assert!(
        run.out.contains("operation  OperationTypeApply"),
        "{}",
        run.out
    );
    assert!(run.out.contains("INVALID"), "{}", run.out);
    assert!(run.out.contains("MISMATCH"), "{}", run.out);
    assert!(
        run.out.contains(&format!(
            "--copy-source '{bucket}/{key}?versionId={v_good}'"
        )),
        "the restore command names the last good version:\n{}",
        run.out
    );

    // Diagnosis, JSON.
    opts.format = Format::Json;
    let run = doctor(&opts);
    assert_eq!(run.code, 1);
    let d = &run.json()["diagnosis"];
    assert_eq!(
        codes(d),
        ["state-invalid", "digest-mismatch", "lock-held"],
        "{d:#}"
    );
    assert_eq!(d["state"]["status"], "invalid");
    assert_eq!(d["digest"]["status"], "mismatch");
    assert_eq!(d["digest"]["stored"], md5_hex(&next));
    assert_eq!(d["digest"]["actual"], md5_hex(partial));
    assert_eq!(d["locks"][0]["info"]["ID"], LOCK_ID);
    assert_eq!(d["locks"][0]["store"]["lock_id"], lock_path);
    assert!(d["locks"][0]["age_seconds"].as_i64().unwrap() >= 7199);
    assert_eq!(d["versioning"]["status"], "enabled");
    assert_eq!(d["versioning"]["versions"][1]["serial"], 41);
    assert_eq!(d["healthy"], false);

    // First fix: backups only; the digest and the lock wait for the restore.
    opts.format = Format::Text;
    opts.fix = true;
    let run = doctor(&opts);
    assert_eq!(run.code, 1, "{}\n{}", run.out, run.err);
    assert!(
        run.out
            .contains("held back: the state object is not a valid state"),
        "{}",
        run.out
    );
    let files = files_in(backups.path());
    let folder = format!("{bucket}/payments/terraform.tfstate/");
    assert!(
        files.contains(&format!("{folder}current-{}.tfstate", md5_hex(partial))),
        "{files:?}"
    );
    assert!(
        files.contains(&format!("{folder}version-{v_good}.tfstate")),
        "{files:?}"
    );
    assert!(
        files.contains(&format!("{folder}lock-{LOCK_ID}.json")),
        "{files:?}"
    );
    assert_eq!(
        std::fs::read(
            backups
                .path()
                .join(format!("{folder}version-{v_good}.tfstate"))
        )
        .unwrap(),
        good
    );
    assert_eq!(aws.item(table, &digest_id, "Digest"), Some(md5_hex(&next)));
    assert!(aws.item(table, &lock_path, "Info").is_some());

    // The user restores the last good version, as the next steps said.
    aws.restore_version(bucket, key, &v_good);

    // Second fix: digest, then the lock.
    let run = doctor(&opts);
    assert_eq!(
        run.code, 1,
        "fixed, with plan/apply left for the user:\n{}\n{}",
        run.out, run.err
    );
    let digest_line = run.out.find("set the digest").expect("digest step");
    let unlock_line = run.out.find("release the lock").expect("unlock step");
    assert!(
        digest_line < unlock_line,
        "digest before unlock:\n{}",
        run.out
    );
    assert_eq!(aws.item(table, &digest_id, "Digest"), Some(md5_hex(&good)));
    assert_eq!(aws.item(table, &lock_path, "Info"), None);
    assert!(run.out.contains("HEALTHY"), "{}", run.out);
    assert!(run.out.contains("1. terraform init"), "{}", run.out);
    assert!(run.out.contains("terraform plan: review it"), "{}", run.out);
    let log =
        std::fs::read_to_string(backups.path().join(format!("{folder}tf-doctor.log"))).unwrap();
    assert!(
        log.contains(&format!(
            "put dynamodb item LockID={digest_id} Digest={}",
            md5_hex(&good)
        )),
        "{log}"
    );
    assert!(
        log.contains(&format!("deleted dynamodb lock item LockID={lock_path}")),
        "{log}"
    );

    // Healthy now; a third fix has nothing to do.
    opts.fix = false;
    let run = doctor(&opts);
    assert_eq!(run.code, 0, "{}", run.out);
    opts.fix = true;
    let run = doctor(&opts);
    assert_eq!(run.code, 0, "{}\n{}", run.out, run.err);
    assert!(run.out.contains("nothing to do"), "{}", run.out);
}

/// The common case of the article: the state is fine, the digest is stale and the lock is old.
/// One --fix repairs it (backing up to a bucket prefix too) in a non-default workspace.
#[test]
fn stale_lock_and_digest_are_fixed_in_one_run_for_a_workspace() {
    let aws = aws();
    let (bucket, table) = ("ws-state", "ws-locks");
    aws.bucket(bucket, true);
    aws.table(table);
    let key = "env:/staging/net/terraform.tfstate";
    let current = state(7, "aa11-lineage", 2);
    aws.put(bucket, key, &state(6, "aa11-lineage", 2));
    aws.put(bucket, key, &current);
    let lock_path = format!("{bucket}/{key}");
    aws.put_item(
        table,
        &[
            ("LockID", &lock_path),
            ("Info", &lock_info(LOCK_ID, &lock_path, TWO_HOURS)),
        ],
    );
    let digest_id = format!("{lock_path}-md5");
    aws.put_item(
        table,
        &[
            ("LockID", &digest_id),
            ("Digest", &md5_hex(b"something else")),
        ],
    );

    let dir = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    // Partial configuration: bucket and table come from flags, like -backend-config.
    module(dir.path(), "    key = \"net/terraform.tfstate\"\n");
    let mut opts = options(dir.path(), backups.path(), &moto().url());
    opts.overrides.bucket = Some(bucket.into());
    opts.overrides.dynamodb_table = Some(table.into());
    opts.overrides.workspace = Some("staging".into());
    opts.backup_prefix = Some("golive-backups".into());
    opts.fix = true;
    opts.format = Format::Json;

    let run = doctor(&opts);
    assert_eq!(run.code, 1, "{}\n{}", run.out, run.err);
    let j = run.json();
    assert_eq!(codes(&j["diagnosis"]), ["digest-mismatch", "lock-held"]);
    let kinds: Vec<&str> = j["fix"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "backup-local",
            "backup-remote",
            "backup-local",
            "backup-local",
            "set-digest",
            "release-dynamodb-lock"
        ]
    );
    assert!(
        j["fix"]["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["status"] == "done")
    );
    assert_eq!(j["after"]["healthy"], true);
    assert_eq!(j["next_steps"][0], "terraform init");
    assert_eq!(
        j["next_steps"][1],
        "terraform workspace select staging && terraform plan: review it; it should show only the changes the interrupted run meant to make"
    );
    assert_eq!(
        aws.item(table, &digest_id, "Digest"),
        Some(md5_hex(&current))
    );
    assert_eq!(aws.item(table, &lock_path, "Info"), None);
    assert_eq!(
        aws.get(
            bucket,
            &format!("golive-backups/{key}/{}.tfstate", md5_hex(&current))
        ),
        Some(current.clone())
    );
    // Progress went to stderr, so stdout is one JSON document.
    assert!(run.err.contains("[5/6] set the digest"), "{}", run.err);
}

#[test]
fn healthy_backend_exits_zero_with_every_section() {
    let aws = aws();
    let (bucket, table, key) = ("healthy-state", "healthy-locks", "app/terraform.tfstate");
    aws.bucket(bucket, true);
    aws.table(table);
    let s = state(3, "cafe-lineage", 1);
    aws.put(bucket, key, &s);
    aws.put_item(
        table,
        &[
            ("LockID", &format!("{bucket}/{key}-md5")),
            ("Digest", &md5_hex(&s)),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    module(
        dir.path(),
        &format!(
            "    bucket = \"{bucket}\"\n    key = \"{key}\"\n    dynamodb_table = \"{table}\"\n"
        ),
    );
    let opts = options(dir.path(), backups.path(), &moto().url());
    let run = doctor(&opts);
    assert_eq!(run.code, 0, "{}\n{}", run.out, run.err);
    assert!(run.out.contains("  not held"), "{}", run.out);
    assert!(run.out.contains("present, "), "{}", run.out);
    assert!(
        run.out.contains("serial 3, lineage cafe-lineage"),
        "{}",
        run.out
    );
    assert!(
        run.out
            .contains(&format!("matches the state object ({})", md5_hex(&s))),
        "{}",
        run.out
    );
    assert!(run.out.contains("enabled: 1 version(s)"), "{}", run.out);
    assert!(run.out.contains("  HEALTHY"), "{}", run.out);
    assert!(!run.out.contains("Next steps"), "{}", run.out);

    let mut fix = opts.clone();
    fix.fix = true;
    let run = doctor(&fix);
    assert_eq!(run.code, 0, "{}", run.out);
    assert!(run.out.contains("nothing to do"));
    assert!(
        files_in(backups.path()).is_empty(),
        "a healthy state is not touched"
    );
}

/// S3-native locking: a `.tflock` object, no digest. A recent lock is not released without
/// --force, and --force needs the lock ID typed back. Versioning off is a warning.
#[test]
fn use_lockfile_with_a_recent_lock_needs_force_and_the_typed_id() {
    let aws = aws();
    let (bucket, key) = ("lockfile-state", "svc/terraform.tfstate");
    aws.bucket(bucket, false);
    aws.put(bucket, key, &state(12, "beef-lineage", 2));
    let lockfile = format!("{key}.tflock");
    let info = lock_info(LOCK_ID, &format!("{bucket}/{key}"), Duration::from_secs(60));
    aws.put(bucket, &lockfile, info.as_bytes());

    let dir = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    module(
        dir.path(),
        &format!("    bucket = \"{bucket}\"\n    key = \"{key}\"\n    use_lockfile = true\n"),
    );
    let mut opts = options(dir.path(), backups.path(), &moto().url());
    opts.format = Format::Json;
    let run = doctor(&opts);
    assert_eq!(run.code, 1, "{}\n{}", run.out, run.err);
    let d = &run.json()["diagnosis"];
    assert_eq!(codes(d), ["lock-held", "versioning-off"]);
    assert_eq!(d["digest"]["status"], "not-used");
    assert_eq!(d["locks"][0]["store"]["kind"], "s3-lockfile");
    assert_eq!(d["locks"][0]["store"]["key"], lockfile);
    assert!(
        d["problems"][0]["message"]
            .as_str()
            .unwrap()
            .contains("recent: a run may still be in flight")
    );
    assert_eq!(d["problems"][1]["severity"], "warning");
    let steps: Vec<&str> = d["next_steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect();
    assert!(
        steps[0].starts_with("Confirm that no terraform run is in flight"),
        "{steps:?}"
    );
    assert!(
        steps.contains(&format!("terraform force-unlock {LOCK_ID}").as_str()),
        "{steps:?}"
    );
    assert!(
        steps
            .last()
            .unwrap()
            .contains("put-bucket-versioning --bucket lockfile-state"),
        "{steps:?}"
    );

    // --fix without --force: backups only.
    opts.format = Format::Text;
    opts.fix = true;
    let run = doctor(&opts);
    assert_eq!(run.code, 1);
    assert!(
        run.out.contains("held back: the lock is only 1m"),
        "{}",
        run.out
    );
    assert!(aws.get(bucket, &lockfile).is_some());

    // --force, but the wrong ID typed: not released.
    opts.force = true;
    let mut asked = Vec::new();
    let run = doctor_with(
        &opts,
        &mut |prompt| {
            asked.push(prompt.to_string());
            Some("yes".into())
        },
        &mut |_, _| {},
    );
    assert_eq!(run.code, 1);
    assert!(
        asked[0].contains(&format!("Type the lock ID {LOCK_ID}")),
        "{asked:?}"
    );
    assert!(
        aws.get(bucket, &lockfile).is_some(),
        "released without the typed ID"
    );

    // --force with the ID typed: released.
    let run = doctor_with(&opts, &mut |_| Some(format!("{LOCK_ID}\n")), &mut |_, _| {});
    assert_eq!(run.code, 1, "{}\n{}", run.out, run.err);
    assert!(run.out.contains("release the lock"), "{}", run.out);
    assert_eq!(aws.get(bucket, &lockfile), None);
    let log = files_in(backups.path());
    assert!(log.iter().any(|f| f.ends_with("tf-doctor.log")), "{log:?}");
}

#[test]
fn dry_run_prints_the_steps_and_writes_nothing() {
    let aws = aws();
    let (bucket, table, key) = ("dry-state", "dry-locks", "terraform.tfstate");
    aws.bucket(bucket, true);
    aws.table(table);
    aws.put(bucket, key, &state(2, "d00d", 1));
    let lock_path = format!("{bucket}/{key}");
    aws.put_item(
        table,
        &[
            ("LockID", &lock_path),
            ("Info", &lock_info(LOCK_ID, &lock_path, TWO_HOURS)),
        ],
    );
    aws.put_item(
        table,
        &[
            ("LockID", &format!("{lock_path}-md5")),
            ("Digest", &md5_hex(b"old")),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    let mut opts = options(dir.path(), backups.path(), &moto().url());
    opts.overrides.bucket = Some(bucket.into());
    opts.overrides.key = Some(key.into());
    opts.overrides.dynamodb_table = Some(table.into());
    opts.fix = true;
    opts.dry_run = true;
    let run = doctor(&opts);
    assert_eq!(run.code, 1, "{}\n{}", run.out, run.err);
    assert!(
        run.out.contains("Fix (dry run: nothing is written)"),
        "{}",
        run.out
    );
    assert!(run.out.contains("[3/4] set the digest"), "{}", run.out);
    assert!(run.out.contains("[4/4] release the lock"), "{}", run.out);
    assert_eq!(
        run.out.matches("dry run: not done").count(),
        4,
        "{}",
        run.out
    );
    assert!(files_in(backups.path()).is_empty());
    assert_eq!(
        aws.item(table, &format!("{lock_path}-md5"), "Digest"),
        Some(md5_hex(b"old"))
    );
    assert!(aws.item(table, &lock_path, "Info").is_some());
}

/// The service goes away between the backup and the digest step: the run stops with exit 2,
/// the backup is on disk, nothing remote was written; a second run finishes the job.
#[test]
fn service_going_away_mid_fix_leaves_a_resumable_state() {
    let aws = aws();
    let (bucket, table, key) = ("flaky-state", "flaky-locks", "core/terraform.tfstate");
    aws.bucket(bucket, true);
    aws.table(table);
    let s = state(30, "f1a2-lineage", 5);
    aws.put(bucket, key, &s);
    let lock_path = format!("{bucket}/{key}");
    aws.put_item(
        table,
        &[
            ("LockID", &lock_path),
            ("Info", &lock_info(LOCK_ID, &lock_path, TWO_HOURS)),
        ],
    );
    let digest_id = format!("{lock_path}-md5");
    aws.put_item(
        table,
        &[("LockID", &digest_id), ("Digest", &md5_hex(b"stale"))],
    );

    let proxy = Proxy::start(moto().port);
    let dir = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    let mut opts = options(dir.path(), backups.path(), &proxy.url());
    opts.overrides.bucket = Some(bucket.into());
    opts.overrides.key = Some(key.into());
    opts.overrides.dynamodb_table = Some(table.into());
    opts.fix = true;

    let mut cut_before = None;
    let run = doctor_with(&opts, &mut |_| None, &mut |n, step| {
        if matches!(step.action, golive_tfstate::fix::Action::SetDigest { .. }) {
            cut_before = Some(n);
            proxy.cut();
        }
    });
    assert_eq!(
        cut_before,
        Some(3),
        "backup, lock record, then the digest:\n{}",
        run.out
    );
    assert_eq!(run.code, 2, "{}\n{}", run.out, run.err);
    assert!(run.out.contains("FAILED"), "{}", run.out);
    assert!(
        run.out
            .contains("run `golive tf doctor --fix` again to resume"),
        "{}",
        run.out
    );
    // Backed up before anything was written; nothing remote changed.
    let folder = backups
        .path()
        .join(format!("{bucket}/core/terraform.tfstate"));
    assert_eq!(
        std::fs::read(folder.join(format!("current-serial-30-{}.tfstate", md5_hex(&s)))).unwrap(),
        s
    );
    assert_eq!(
        aws.item(table, &digest_id, "Digest"),
        Some(md5_hex(b"stale"))
    );
    assert!(aws.item(table, &lock_path, "Info").is_some());

    // While it is away, a run is a connection error, not a verdict.
    let run = doctor(&opts);
    assert_eq!(run.code, 2, "{}\n{}", run.out, run.err);
    assert!(run.err.contains("cannot reach the service"), "{}", run.err);

    proxy.restore();
    let run = doctor(&opts);
    assert_eq!(run.code, 1, "{}\n{}", run.out, run.err);
    assert!(
        run.out.contains("already done"),
        "the backup is not written twice:\n{}",
        run.out
    );
    assert_eq!(aws.item(table, &digest_id, "Digest"), Some(md5_hex(&s)));
    assert_eq!(aws.item(table, &lock_path, "Info"), None);
    opts.fix = false;
    assert_eq!(doctor(&opts).code, 0);
}

/// A lock taken by someone else between the diagnosis and the release is never removed.
#[test]
fn a_lock_that_changed_since_it_was_read_is_not_released() {
    let aws = aws();
    let (bucket, table, key) = ("race-state", "race-locks", "terraform.tfstate");
    aws.bucket(bucket, true);
    aws.table(table);
    let s = state(1, "ace", 0);
    aws.put(bucket, key, &s);
    let lock_path = format!("{bucket}/{key}");
    aws.put_item(
        table,
        &[
            ("LockID", &lock_path),
            ("Info", &lock_info(LOCK_ID, &lock_path, TWO_HOURS)),
        ],
    );
    let dir = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    let mut opts = options(dir.path(), backups.path(), &moto().url());
    opts.overrides.bucket = Some(bucket.into());
    opts.overrides.key = Some(key.into());
    opts.overrides.dynamodb_table = Some(table.into());
    opts.fix = true;
    let newer = lock_info("0b7e-new-run", &lock_path, Duration::from_secs(1));
    let run = doctor_with(&opts, &mut |_| None, &mut |_, step| {
        if matches!(
            step.action,
            golive_tfstate::fix::Action::ReleaseDynamodbLock { .. }
        ) {
            // Another thread: the hook runs inside golive's runtime.
            std::thread::scope(|s| {
                s.spawn(|| aws.put_item(table, &[("LockID", &lock_path), ("Info", &newer)]));
            });
        }
    });
    assert_eq!(run.code, 1, "{}\n{}", run.out, run.err);
    assert!(run.out.contains("changed since it was read"), "{}", run.out);
    assert_eq!(aws.item(table, &lock_path, "Info"), Some(newer));
}

#[test]
fn missing_settings_and_unreachable_endpoints_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    module(dir.path(), "    bucket = \"b\"\n");
    let opts = options(dir.path(), backups.path(), "http://127.0.0.1:9");
    let run = doctor(&opts);
    assert_eq!(run.code, 2);
    assert!(
        run.err.contains("`key` of the S3 backend is not set"),
        "{}",
        run.err
    );
    assert!(run.err.contains("--key"), "{}", run.err);

    let mut opts = opts;
    opts.overrides.key = Some("k".into());
    // Port 9 (discard) is closed on loopback: connection refused.
    let run = doctor(&opts);
    assert_eq!(run.code, 2, "{}\n{}", run.out, run.err);
    assert!(run.err.contains("cannot reach the service"), "{}", run.err);

    // A bucket that does not exist is an answer, reported as an error too.
    opts.overrides.endpoint_url = Some(moto().url());
    opts.overrides.bucket = Some("no-such-bucket-here".into());
    let run = doctor(&opts);
    assert_eq!(run.code, 2, "{}\n{}", run.out, run.err);
    assert!(run.err.contains("NoSuchBucket"), "{}", run.err);
}
