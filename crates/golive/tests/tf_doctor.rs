//! `golive tf doctor` as users run it: flags, usage and configuration errors (exit 2). The
//! diagnosis and the fix against S3 and DynamoDB are tested in crates/golive-tfstate/tests.
#![cfg(feature = "tf")]

use assert_cmd::Command;
use predicates::prelude::*;

fn golive() -> Command {
    Command::cargo_bin("golive").expect("binary built")
}

fn module(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("main.tf"), text).expect("write");
    dir
}

#[test]
fn a_missing_backend_setting_exits_2_naming_it() {
    let dir = module("terraform {\n  backend \"s3\" {\n    key = \"app.tfstate\"\n  }\n}\n");
    golive()
        .args(["tf", "doctor"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "`bucket` of the S3 backend is not set",
        ))
        .stderr(predicate::str::contains("--bucket"));
}

#[test]
fn another_backend_exits_2() {
    let dir = module("terraform {\n  backend \"gcs\" {\n    bucket = \"b\"\n  }\n}\n");
    golive()
        .args(["tf", "doctor"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the backend is `gcs`, not `s3`"));
}

#[test]
fn fix_only_flags_need_fix_and_ages_are_checked() {
    let dir = module("");
    golive()
        .args(["tf", "doctor", "--dry-run"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--fix"));
    golive()
        .args([
            "tf",
            "doctor",
            "--bucket",
            "b",
            "--key",
            "k",
            "--min-lock-age",
            "soon",
        ])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--min-lock-age"));
}

#[test]
fn an_unreachable_endpoint_is_a_connection_error() {
    let dir = module("");
    golive()
        .args([
            "tf",
            "doctor",
            "--bucket",
            "b",
            "--key",
            "k",
            "--region",
            "us-east-1",
        ])
        .args(["--endpoint-url", "http://127.0.0.1:9"])
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_CONFIG_FILE", "/nonexistent/aws-config")
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            "/nonexistent/aws-credentials",
        )
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot reach the service"));
}
