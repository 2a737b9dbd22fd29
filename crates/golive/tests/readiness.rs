//! `golive init` and `golive checklist` as users run them: the files written, refusals, and the
//! staleness gate's exit codes. READINESS.md written by init is what `checklist --write` writes.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::{Path, PathBuf};

fn golive() -> Command {
    let mut cmd = Command::cargo_bin("golive").expect("binary built");
    cmd.env_remove("NO_COLOR");
    cmd
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::write(&target, std::fs::read(entry.path()).expect("read")).expect("write");
        }
    }
}

fn workspace_dir(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}

/// A copy of examples/checkout in a folder named `checkout`.
fn checkout_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("checkout");
    copy_dir(&workspace_dir("examples/checkout"), &root);
    (dir, root)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("readable")
}

fn checklist_is_current(root: &Path) {
    let before = std::fs::read(root.join("READINESS.md")).expect("exists");
    golive()
        .arg("checklist")
        .arg(root)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("already up to date"));
    golive()
        .args(["checklist", "--write"])
        .arg(root)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("already up to date"));
    assert_eq!(
        std::fs::read(root.join("READINESS.md")).expect("exists"),
        before
    );
}

#[test]
fn init_refuses_to_overwrite_and_says_which_files_exist() {
    let (_dir, root) = checkout_copy();
    let readiness = read(&root.join("READINESS.md"));
    let config = read(&root.join("golive.toml"));
    golive()
        .args(["init", "--yes"])
        .arg(&root)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("golive.toml and"))
        .stderr(predicate::str::contains("READINESS.md exist already"))
        .stderr(predicate::str::contains("--force"));
    assert_eq!(read(&root.join("READINESS.md")), readiness);
    assert_eq!(read(&root.join("golive.toml")), config);
}

#[test]
fn init_without_a_terminal_needs_yes() {
    let dir = tempfile::tempdir().expect("tempdir");
    golive()
        .arg("init")
        .arg(dir.path())
        .write_stdin("")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("pass --yes"));
    assert!(!dir.path().join("golive.toml").exists());
    assert!(!dir.path().join("READINESS.md").exists());
}

#[test]
fn init_with_force_writes_both_files_for_the_checkout_example_and_checklist_agrees() {
    let (_dir, root) = checkout_copy();
    golive()
        .args(["init", "--yes", "--force", "--tier", "1"])
        .arg(&root)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "languages   Go modules\n  deployment  Kubernetes manifests, Kustomize, Terraform, Dockerfiles\n  CI          GitHub Actions\n  monitoring  Prometheus rules",
        ))
        .stdout(predicate::str::contains(
            "wrote golive.toml: service \"checkout\", tier 1, target level gold",
        ))
        .stdout(predicate::str::contains("wrote READINESS.md: 9 manual items"))
        .stdout(predicate::str::contains("Next steps"));
    let config = read(&root.join("golive.toml"));
    let ids = golive_checks::ids();
    let loaded = golive_core::Config::load(&root.join("golive.toml"), &ids).expect("valid");
    assert_eq!(loaded.service.as_deref(), Some("checkout"));
    assert_eq!(loaded.tier, Some(1));
    assert_eq!(loaded.target_level, Some(golive_core::Level::Gold));
    insta::assert_snapshot!("init-checkout-golive.toml", config);
    insta::assert_snapshot!(
        "init-checkout-READINESS.md",
        read(&root.join("READINESS.md"))
    );
    checklist_is_current(&root);
}

#[test]
fn init_on_a_corpus_repository_names_it_after_its_folder() {
    let corpus = workspace_dir("../shared/corpora/microservices-demo");
    assert!(
        corpus.is_dir(),
        "corpus not found: the tests read ../shared/corpora next to the repository"
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path().join("microservices-demo");
    copy_dir(&corpus, &root);
    golive()
        .args(["init", "--yes"])
        .arg(&root)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "wrote golive.toml: service \"microservices-demo\", tier 2, target level silver",
        ));
    let readiness = read(&root.join("READINESS.md"));
    // Tier 2: bronze and silver manual items, no gold one.
    assert!(readiness.contains("<!-- golive:manual/restore-test every=90d -->"));
    assert!(!readiness.contains("manual/dr-drill"));
    insta::assert_snapshot!("init-microservices-demo-READINESS.md", readiness);
    checklist_is_current(&root);
}

#[test]
fn init_keeps_an_existing_golive_toml_and_uses_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(
        root.join("golive.toml"),
        "service = \"payments\"\ntier = 3\nselect = [\"docs\"]\n",
    )
    .expect("write");
    golive()
        .args(["init", "--yes"])
        .arg(root)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("kept golive.toml: it exists"))
        .stdout(predicate::str::contains("wrote READINESS.md"));
    assert_eq!(
        read(&root.join("golive.toml")),
        "service = \"payments\"\ntier = 3\nselect = [\"docs\"]\n"
    );
    let readiness = read(&root.join("READINESS.md"));
    assert!(readiness.starts_with("# Production readiness: payments\n"));
    // Tier 3: bronze manual items only; select = ["docs"]: only docs checks.
    assert!(readiness.contains("manual/on-call"));
    assert!(!readiness.contains("manual/escalation"));
    assert!(readiness.contains("### Ownership and docs"));
    assert!(!readiness.contains("### Kubernetes workloads"));
    checklist_is_current(root);
}

#[test]
fn checklist_is_a_staleness_gate_and_write_is_idempotent() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::write(root.join("README.md"), "# svc\n").expect("write");
    // No READINESS.md: the diff of the file to create, exit 1.
    golive()
        .args(["checklist", "--config"])
        .arg(root.join("missing.toml"))
        .arg(root)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such configuration file"));
    golive()
        .arg("checklist")
        .arg(root)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("+++ b/READINESS.md"))
        .stdout(predicate::str::contains("+<!-- golive:automated:start -->"))
        .stderr(predicate::str::contains("does not exist"));
    assert!(!root.join("READINESS.md").exists());
    golive()
        .args(["checklist", "--write"])
        .arg(root)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("created"));
    let created = read(&root.join("READINESS.md"));
    // Without golive.toml: the target level is bronze.
    assert!(created.contains("manual/sign-off"));
    assert!(!created.contains("manual/escalation"));
    checklist_is_current(root);

    // People's edits outside the block are kept; an automated item they added is ticked.
    let edited = created.replace(
        "## Automated checks\n",
        "Our notes — kept.\n\n- [x] Runbooks we wrote <!-- golive:docs/runbook -->\n\n## Automated checks\n",
    );
    std::fs::write(root.join("READINESS.md"), &edited).expect("write");
    golive()
        .arg("checklist")
        .arg(root)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "-- [x] Runbooks we wrote <!-- golive:docs/runbook -->",
        ))
        .stdout(predicate::str::contains("+- [ ] Runbooks we wrote — "))
        .stderr(predicate::str::contains("out of date"));
    golive()
        .args(["checklist", "--write"])
        .arg(root)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("READINESS.md: updated 1 item\n"));
    let written = read(&root.join("READINESS.md"));
    assert!(written.contains("Our notes — kept.\n"));
    checklist_is_current(root);
}

#[test]
fn checklist_keeps_crlf_and_a_missing_final_newline() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let text = "# Readiness\r\n\r\n- [x] On call — @ana 2026-11-01 <!-- golive:manual/on-call -->";
    std::fs::write(root.join("READINESS.md"), text).expect("write");
    golive()
        .args(["checklist", "--write"])
        .arg(root)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "(the automated block was appended at the end)",
        ));
    let written = read(&root.join("READINESS.md"));
    assert!(written.starts_with(&format!(
        "{text}\r\n\r\n## Automated checks\r\n\r\n<!-- golive:automated:start -->\r\n"
    )));
    assert!(written.ends_with("<!-- golive:automated:end -->"));
    assert!(!written.replace("\r\n", "").contains('\n'));
    checklist_is_current(root);
}

#[test]
fn checklist_refuses_unpaired_markers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "# R\n\n<!-- golive:automated:start -->\n- [ ] x\n";
    std::fs::write(dir.path().join("READINESS.md"), text).expect("write");
    golive()
        .args(["checklist", "--write"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "READINESS.md:3: `<!-- golive:automated:start -->` without",
        ));
    assert_eq!(read(&dir.path().join("READINESS.md")), text);
}

#[test]
fn checklist_from_a_json_report_matches_the_scan() {
    let (dir, root) = checkout_copy();
    let report = dir.path().join("report.json");
    golive()
        .args(["check", "--format", "json", "--output"])
        .arg(&report)
        .arg(&root)
        .assert()
        .code(1);
    golive()
        .args(["checklist", "--write", "--from"])
        .arg(&report)
        .arg(&root)
        .assert()
        .code(0)
        .stdout(predicate::str::contains("appended"));
    let from_report = read(&root.join("READINESS.md"));
    assert!(
        from_report
            .contains("- [x] Terraform state is locked — waived: Staging still locks its state")
    );
    // The scan agrees with the report it made.
    checklist_is_current(&root);
    golive()
        .args(["checklist", "--from"])
        .arg(dir.path().join("nope.json"))
        .arg(&root)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--from"));
}

#[test]
fn init_keeps_an_existing_readiness_md_and_writes_golive_toml() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let readiness =
        "# Ours\r\n\r\n- [x] On call — @ana 2026-11-01 <!-- golive:manual/on-call -->\r\n";
    std::fs::write(root.join("READINESS.md"), readiness).expect("write");
    golive()
        .args(["init", "--yes", "--tier", "3", "--service", "payments"])
        .arg(root)
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "wrote golive.toml: service \"payments\", tier 3, target level bronze",
        ))
        .stdout(predicate::str::contains("kept READINESS.md: it exists"));
    assert_eq!(read(&root.join("READINESS.md")), readiness);
    let ids = golive_checks::ids();
    let config = golive_core::Config::load(&root.join("golive.toml"), &ids).expect("valid");
    assert_eq!(config.service.as_deref(), Some("payments"));
    assert_eq!(config.target_level, Some(golive_core::Level::Bronze));
}
