//! The command line as users run it: exit codes, outputs, configuration errors.

use assert_cmd::Command;
use predicates::prelude::*;
use std::path::Path;

fn golive() -> Command {
    let mut cmd = Command::cargo_bin("golive").expect("binary built");
    cmd.env_remove("NO_COLOR");
    cmd
}

fn write(root: &Path, path: &str, text: &str) {
    let p = root.join(path);
    std::fs::create_dir_all(p.parent().expect("has parent")).expect("mkdir");
    std::fs::write(p, text).expect("write");
}

/// A repository whose YAML is broken: parse/invalid-yaml fails with an error finding.
fn broken_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "deploy/app.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata: [oops\n",
    );
    dir
}

#[test]
fn failing_repository_exits_1_with_a_snippet_and_the_verdict() {
    let dir = broken_repo();
    golive()
        .args(["check", "--select", "parse/invalid-yaml"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("✘ fail"))
        .stdout(predicate::str::contains(
            "error[parse/invalid-yaml]: invalid YAML",
        ))
        .stdout(predicate::str::contains("deploy/app.yaml:5"))
        .stdout(predicate::str::contains("help: fix the YAML syntax"))
        .stdout(predicate::str::contains("NOT READY"))
        .stdout(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn passing_repository_exits_0() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "a.yaml", "a: 1\n");
    golive()
        .args(["check", "--select", "parse", "--quiet"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("READY: the gate is met"))
        .stdout(predicate::str::contains("YAML files parse").not());
}

#[test]
fn json_is_identical_between_runs_except_timings() {
    let dir = broken_repo();
    let run = || {
        let out = golive()
            .args(["check", "--format", "json"])
            .arg(dir.path())
            .output()
            .expect("runs");
        let mut v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
        assert!(v["timings"]["total_ms"].is_number());
        v.as_object_mut().expect("object").remove("timings");
        serde_json::to_string(&v).expect("serialises")
    };
    let first = run();
    assert_eq!(first, run());
    let v: serde_json::Value = serde_json::from_str(&first).expect("json");
    assert_eq!(v["version"], 1);
    assert_eq!(v["level"], "none");
    let check = v["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| c["id"] == "parse/invalid-yaml")
        .expect("check present");
    assert_eq!(check["status"], "fail");
    assert_eq!(check["findings"][0]["path"], "deploy/app.yaml");
    assert_eq!(check["findings"][0]["line"], 5);
}

#[test]
fn output_file_is_written() {
    let dir = broken_repo();
    let out = tempfile::tempdir().expect("tempdir");
    let file = out.path().join("report.json");
    golive()
        .args(["check", "--format", "json", "-o"])
        .arg(&file)
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout("");
    let text = std::fs::read_to_string(&file).expect("written");
    assert!(text.contains("\"golive_version\""));
}

#[test]
fn config_mistakes_exit_2_naming_file_line_key_and_nearest() {
    let dir = broken_repo();
    write(
        dir.path(),
        "golive.toml",
        "service = \"web\"\ntaget_level = \"silver\"\n",
    );
    golive()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "golive.toml:2: key `taget_level`: unknown key (did you mean `target_level`?)",
        ));
}

#[test]
fn waivers_suppress_and_are_reported_when_stale_or_expired() {
    let dir = broken_repo();
    write(
        dir.path(),
        "golive.toml",
        "[[waiver]]\ncheck = \"parse/invalid-yaml\"\npath = \"deploy/**\"\nreason = \"generated file, fixed upstream\"\nowner = \"@alice\"\nexpires = 2999-01-01\n\n[[waiver]]\ncheck = \"parse/invalid-yaml\"\npath = \"old/**\"\nreason = \"gone\"\nowner = \"@bob\"\nexpires = 2001-01-01\n",
    );
    golive()
        .args(["check", "--select", "parse"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("~ waived"))
        .stdout(predicate::str::contains(
            "generated file, fixed upstream (golive.toml:1)",
        ))
        .stdout(predicate::str::contains("expired golive.toml:8"));
}

#[test]
fn unknown_select_and_missing_path_exit_2() {
    golive()
        .args(["check", "--select", "parse/invalid-yml", "."])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean `parse/invalid-yaml`?",
        ));
    golive()
        .args(["check", "/definitely/not/here"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no such directory"));
    golive().args(["check", "--format", "xml"]).assert().code(2);
}

#[test]
fn checks_and_explain_come_from_the_metadata() {
    golive()
        .arg("checks")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("parse/invalid-yaml"))
        .stdout(predicate::str::contains("checks. `golive explain ID`"));
    golive()
        .args(["explain", "parse/invalid-yaml"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("## Why it matters"))
        .stdout(predicate::str::contains("level: bronze"));
    golive()
        .args(["explain", "parse/invalid-yml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "did you mean `parse/invalid-yaml`?",
        ));
    golive()
        .args(["checks", "--category", "kubernets"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `kubernetes`?"));
}

#[test]
fn colour_is_used_only_when_asked_or_on_a_terminal() {
    let dir = broken_repo();
    golive()
        .args(["check", "--color", "always", "--select", "parse"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\u{1b}["));
}

#[test]
fn excluded_paths_are_not_read() {
    let dir = broken_repo();
    write(dir.path(), "golive.toml", "exclude = [\"deploy/**\"]\n");
    write(dir.path(), "ok.yaml", "a: 1\n");
    golive()
        .args(["check", "--select", "parse", "--format", "json"])
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("\"scanned\": 2"));
}

/// The field names in a markdown table section of docs/json-report.md.
fn documented_fields(section: &str) -> Vec<String> {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/json-report.md"
    ))
    .expect("docs/json-report.md");
    let body = doc
        .split(&format!("## {section}\n"))
        .nth(1)
        .expect("section present");
    let body = body.split("\n## ").next().unwrap_or(body);
    body.lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .flat_map(|l| {
            let cell = l.split(" |").next().unwrap_or("");
            cell.split(", ")
                .map(|f| f.trim_matches('`').to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn json_report_doc_lists_exactly_the_fields_written() {
    let dir = broken_repo();
    write(
        dir.path(),
        "golive.toml",
        "[[waiver]]\ncheck = \"parse/invalid-yaml\"\npath = \"nothing/**\"\nreason = \"r\"\nowner = \"@o\"\nexpires = 2999-01-01\n",
    );
    let out = golive()
        .args(["check", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let keys = |v: &serde_json::Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    let mut top = keys(&v);
    top.push("baseline".into()); // present only with --baseline
    assert_eq!(sorted(top), sorted(documented_fields("Top level")));
    let check = v["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .find(|c| {
            c["findings"]
                .as_array()
                .is_some_and(|f| f.iter().any(|f| f.get("snippet").is_some()))
        })
        .expect("a check with a located finding");
    let mut check_keys = keys(check);
    check_keys.push("waiver".into()); // present only on waived checks
    if !check_keys.iter().any(|k| k == "tables") {
        check_keys.push("tables".into()); // present only when the check attached tables
    }
    assert_eq!(sorted(check_keys), sorted(documented_fields("A check")));
    let finding = check["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f.get("snippet").is_some()))
        .expect("finding");
    let mut finding_keys = keys(finding);
    finding_keys.push("help".into()); // present only when it differs from the check's
    finding_keys.push("baseline".into()); // present only with --baseline
    assert_eq!(sorted(finding_keys), sorted(documented_fields("A finding")));
}

/// A Helm chart and its `helm template` output, as Helm writes it (`# Source:` comments).
fn helm_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "chart/Chart.yaml",
        "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    );
    write(
        dir.path(),
        "chart/values.yaml",
        "replicaCount: 1\nresources: {}\n",
    );
    write(
        dir.path(),
        "chart/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}-web\nspec:\n  replicas: {{ .Values.replicaCount }}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27.3\n          ports:\n            - containerPort: 8080\n          resources:\n            {{- toYaml .Values.resources | nindent 12 }}\n",
    );
    write(
        dir.path(),
        "rendered.yaml",
        "---\n# Source: web/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: rel-web\nspec:\n  replicas: 1\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27.3\n          ports:\n            - containerPort: 8080\n          resources:\n            {}\n",
    );
    dir
}

#[test]
fn rendered_helm_output_is_checked_and_mapped_to_templates() {
    let dir = helm_repo();
    let out = golive()
        .args([
            "check",
            "--select",
            "k8s/readiness-probe",
            "--select",
            "k8s/resources",
            "--select",
            "k8s/helm-values",
            "--format",
            "json",
            "--manifests",
        ])
        .arg(dir.path().join("rendered.yaml"))
        .arg(dir.path())
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let report: serde_json::Value = serde_json::from_slice(&out).expect("json");
    let check = |id: &str| {
        report["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .expect("check ran")
    };
    // The rendered objects are checked, and findings point into the template.
    let readiness = check("k8s/readiness-probe");
    let f = &readiness["findings"][0];
    assert_eq!(
        readiness["findings"].as_array().map(Vec::len),
        Some(1),
        "{readiness}"
    );
    assert_eq!(f["path"], "chart/templates/deployment.yaml");
    assert_eq!(f["line"], 12, "{f}");
    let resources = check("k8s/resources");
    assert_eq!(
        resources["findings"][0]["path"],
        "chart/templates/deployment.yaml"
    );
    assert_eq!(resources["findings"][0]["line"], 16, "{resources}");
    // With rendered output, the chart is not judged by its values.
    assert_eq!(check("k8s/helm-values")["status"], "not-applicable");
}

#[test]
fn manifests_from_stdin_and_unreadable_inputs() {
    let dir = helm_repo();
    let rendered = std::fs::read_to_string(dir.path().join("rendered.yaml")).expect("read");
    golive()
        .args([
            "check",
            "--select",
            "k8s/readiness-probe",
            "--manifests",
            "-",
        ])
        .arg(dir.path())
        .write_stdin(rendered)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "chart/templates/deployment.yaml:12",
        ));
    golive()
        .args(["check", "--manifests", "no/such/file.yaml"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--manifests no/such/file.yaml"));
}

#[test]
fn chart_without_rendered_output_says_it_was_checked_through_values() {
    let dir = helm_repo();
    std::fs::remove_file(dir.path().join("rendered.yaml")).expect("rm");
    golive()
        .args(["check", "--select", "k8s", "--max-findings", "0"])
        .arg(dir.path())
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "chart `web` ships `resources: {}`",
        ))
        .stdout(predicate::str::contains("checked through its values only"));
}

/// A GitHub-token-shaped value generated at test time (nothing secret-looking is committed).
fn generated_token() -> String {
    const ALNUM: &[u8] = b"ABCDEFGHJKLMNPQRSUVWYZabcdfghjkmnqruvwyz23456789";
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    let body: String = (0..36)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            ALNUM[(state % ALNUM.len() as u64) as usize] as char
        })
        .collect();
    format!("ghp_{body}")
}

fn git(root: &Path, args: &[&str]) {
    let status = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args([
            "-c",
            "user.name=golive",
            "-c",
            "user.email=golive@example.org",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .status()
        .expect("git runs");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn history_reports_a_secret_committed_then_deleted_once_at_its_first_commit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    let token = generated_token();
    git(root, &["init", "-q", "-b", "main"]);
    write(root, "README.md", "# app\n");
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "init"]);
    write(
        root,
        "config/app.env",
        &format!("LOG=info\nGITHUB_TOKEN={token}\n"),
    );
    git(root, &["add", "."]);
    git(root, &["commit", "-qm", "add config"]);
    let added = std::process::Command::new("git")
        .arg("-C")
        .arg(root)
        .args(["rev-parse", "--short=12", "HEAD"])
        .output()
        .expect("git rev-parse");
    let added = String::from_utf8_lossy(&added.stdout).trim().to_string();
    // Moved to another file, then deleted: still one finding, at the first commit.
    write(root, "config/app.env", "LOG=info\n");
    write(root, "old.env", &format!("GITHUB_TOKEN={token}\n"));
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "move"]);
    std::fs::remove_file(root.join("old.env")).expect("rm");
    git(root, &["add", "-A"]);
    git(root, &["commit", "-qm", "remove the token"]);

    // Without --history the tree is clean.
    golive()
        .args(["check", "--select", "secrets/committed", "--format", "json"])
        .arg(root)
        .assert()
        .code(0);
    let out = golive()
        .args([
            "check",
            "--history",
            "--select",
            "secrets/committed",
            "--format",
            "json",
        ])
        .arg(root)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let json = String::from_utf8(out).expect("utf-8");
    assert!(!json.contains(&token), "the token is printed");
    let report: serde_json::Value = serde_json::from_str(&json).expect("json");
    let findings = report["checks"][0]["findings"]
        .as_array()
        .expect("findings");
    assert_eq!(findings.len(), 1, "{json}");
    let f = &findings[0];
    assert_eq!(
        f["path"].as_str(),
        Some(format!("config/app.env@{added}").as_str()),
        "{json}"
    );
    assert_eq!(f["line"].as_u64(), Some(2), "{json}");
    let message = f["message"].as_str().unwrap_or("");
    assert!(
        message.starts_with("GitHub personal access token: ghp_…fp:"),
        "{message}"
    );
    assert!(message.contains("no longer in the tree"), "{message}");
    assert!(json.contains("4 commit(s) scanned"), "{json}");

    // Not a git repository: exit 2, saying so.
    let plain = tempfile::tempdir().expect("tempdir");
    write(plain.path(), "README.md", "# app\n");
    golive()
        .args(["check", "--history"])
        .arg(plain.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is not a git repository"));
}

/// A workflow whose job has no timeout: ci/timeouts (silver) fails with a warning.
fn workflow_repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        "name: ci\non: [pull_request]\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make test\n",
    );
    dir
}

#[test]
fn fail_on_and_require_level_decide_the_gate() {
    let dir = workflow_repo();
    let run = |extra: &[&str]| {
        golive()
            .args(["check", "--select", "ci/timeouts"])
            .args(extra)
            .arg(dir.path())
            .assert()
    };
    // A silver warning: bronze is reached and no error fails the default gate.
    run(&[]).code(0);
    run(&["--fail-on", "warning"])
        .code(1)
        .stdout(predicate::str::contains(
            "1 finding(s) with severity warning or error",
        ));
    run(&["--require-level", "silver"])
        .code(1)
        .stdout(predicate::str::contains("target level silver not reached"));
    run(&["--require-level", "silver", "--fail-on", "never"]).code(1);
    write(dir.path(), "golive.toml", "fail_on = \"warning\"\n");
    run(&[]).code(1);
    run(&["--fail-on", "never"]).code(0);
    write(dir.path(), "golive.toml", "fail_on = \"warnig\"\n");
    run(&[])
        .code(2)
        .stderr(predicate::str::contains("key `fail_on`"))
        .stderr(predicate::str::contains("did you mean `warning`?"));
}

#[test]
fn a_baseline_fails_only_new_findings_and_lists_fixed_ones() {
    let dir = tempfile::tempdir().expect("tempdir");
    let workflow = |jobs: &str| format!("name: ci\non: [pull_request]\njobs:\n{jobs}");
    let job = |name: &str| {
        format!("  {name}:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make {name}\n")
    };
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        &workflow(&(job("test") + &job("lint"))),
    );
    let base = dir.path().join("golive-baseline.json");
    golive()
        .args([
            "check",
            "--select",
            "ci/timeouts",
            "--fail-on",
            "warning",
            "--format",
            "json",
            "--output",
        ])
        .arg(&base)
        .arg(dir.path())
        .assert()
        .code(1);
    // Lines move (a new job above), one old job is fixed, one stays.
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        &workflow(
            &(job("build")
                + &job("test")
                + "  lint:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 10\n    steps:\n      - run: make lint\n"),
        ),
    );
    let out = golive()
        .args([
            "check",
            "--select",
            "ci/timeouts",
            "--fail-on",
            "warning",
            "--format",
            "json",
            "--baseline",
        ])
        .arg(&base)
        .arg(dir.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1), "the new job's finding fails");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let b = &v["baseline"];
    assert_eq!(
        (b["new"].as_u64(), b["existing"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(b["fixed"][0]["line"].as_u64(), Some(8), "{b}");
    let states: Vec<(u64, &str)> = v["checks"][0]["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["line"].as_u64().unwrap_or(0),
                f["baseline"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(states, vec![(4, "new"), (8, "existing")]);
    assert_eq!(
        v["gate"]["reasons"][0].as_str(),
        Some("1 new finding(s) with severity warning or error")
    );
    // Without the new job, only the baselined finding is left: the gate passes.
    write(
        dir.path(),
        ".github/workflows/ci.yml",
        &workflow(&(job("test"))),
    );
    golive()
        .args([
            "check",
            "--select",
            "ci/timeouts",
            "--fail-on",
            "warning",
            "--baseline",
        ])
        .arg(&base)
        .arg(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains("[in baseline]"))
        .stdout(predicate::str::contains(
            "Baseline: 0 new, 1 in the baseline, 1 fixed",
        ));
}

#[test]
fn a_bad_baseline_is_a_usage_error_naming_the_file() {
    let dir = workflow_repo();
    write(dir.path(), "old.json", "{\"version\": 1}\n");
    golive()
        .args(["check", "--baseline"])
        .arg(dir.path().join("old.json"))
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "old.json: not a golive JSON report: no `checks` list",
        ));
    write(dir.path(), "old.json", "{\"checks\": [\n");
    golive()
        .args(["check", "--baseline"])
        .arg(dir.path().join("old.json"))
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("line 2, column 0"));
    golive()
        .args(["check", "--baseline", "/nonexistent/old.json"])
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--baseline /nonexistent/old.json"));
}

#[test]
fn several_repositories_end_with_a_fleet_table() {
    let fleet = tempfile::tempdir().expect("tempdir");
    let ready = fleet.path().join("ready");
    let slow = fleet.path().join("slow");
    write(
        &ready,
        ".github/workflows/ci.yml",
        "name: ci\non: [pull_request]\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 10\n    steps:\n      - run: make test\n",
    );
    write(&ready, "golive.toml", "service = \"ready\"\n");
    write(
        &slow,
        ".github/workflows/ci.yml",
        "name: ci\non: [pull_request]\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: make test\n",
    );
    write(
        &slow,
        "golive.toml",
        "service = \"slow\"\nfail_on = \"warning\"\n",
    );
    let out = golive()
        .current_dir(fleet.path())
        .args(["check", "--select", "ci/timeouts", "ready", "slow"])
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(1),
        "slow's own golive.toml fails it"
    );
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert_eq!(
        text,
        "golive fleet · 2 repositories: 1 ready, 1 not ready\n\n\
         service  path   level   target  score  gate       failing\n\
         ready    ready  gold    bronze  100%   ready\n\
         slow     slow   bronze  bronze  0%     NOT READY  ci/timeouts\n"
    );
    // A path that does not exist is an error row; the others are still checked.
    let out = golive()
        .current_dir(fleet.path())
        .args([
            "check",
            "--select",
            "ci/timeouts",
            "--format",
            "json",
            "ready",
            "missing",
        ])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["fleet"][0]["gate"]["passed"], true);
    assert_eq!(v["fleet"][1]["target"], "missing");
    assert!(v["fleet"][1]["error"].is_string());
    assert_eq!(v["reports"].as_array().map(Vec::len), Some(1));
    golive()
        .current_dir(fleet.path())
        .args(["check", "--format", "sarif", "ready", "slow"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "--format sarif describes one repository",
        ));
}

/// `--flags` written in a file (outside comments).
fn flags_in(text: &str) -> std::collections::BTreeSet<String> {
    let mut flags = std::collections::BTreeSet::new();
    for line in text.lines().filter(|l| !l.trim_start().starts_with('#')) {
        let mut rest = line;
        while let Some(at) = rest.find("--") {
            let flag: String = rest[at + 2..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '-')
                .collect();
            if !flag.is_empty() {
                flags.insert(flag);
            }
            rest = &rest[at + 2..];
        }
    }
    flags
}

#[test]
fn the_github_action_and_the_pre_commit_hooks_use_real_flags() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let help = golive().args(["check", "--help"]).output().expect("runs");
    let help = String::from_utf8(help.stdout).expect("UTF-8");
    let known = flags_in(&help);
    // cargo's own flags in the action's install step.
    let cargo = ["locked", "quiet", "no-default-features", "root", "path"];
    for file in ["action.yml", ".pre-commit-hooks.yaml"] {
        let text = std::fs::read_to_string(root.join(file)).expect("file exists");
        for flag in flags_in(&text) {
            assert!(
                known.contains(&flag) || cargo.contains(&flag.as_str()),
                "{file}: `--{flag}` is not a flag of `golive check`"
            );
        }
    }
    // Every input the action reads is declared.
    let action = std::fs::read_to_string(root.join("action.yml")).expect("action.yml");
    let declared: Vec<&str> = action
        .split("\ninputs:\n")
        .nth(1)
        .and_then(|s| s.split("\noutputs:\n").next())
        .expect("inputs section")
        .lines()
        .filter_map(|l| l.strip_prefix("  ")?.strip_suffix(':'))
        .filter(|l| !l.starts_with(' '))
        .collect();
    for used in action.split("${{ inputs.").skip(1) {
        let name = used.split(' ').next().unwrap_or("");
        assert!(
            declared.contains(&name),
            "input `{name}` is not declared: {declared:?}"
        );
    }
    assert_eq!(
        declared,
        vec![
            "path",
            "require-level",
            "fail-on",
            "baseline",
            "sarif",
            "args"
        ]
    );
}

#[test]
fn custom_rego_checks_run_with_select_and_json() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "golive.toml",
        "[[custom]]\nname = \"team\"\npolicy = \"policy/\"\n\n[severity]\n\"custom/team\" = \"warning\"\n",
    );
    write(
        dir.path(),
        "policy/replicas.rego",
        "package main\n\ndeny[msg] {\n  input.kind == \"Deployment\"\n  input.spec.replicas < 2\n  msg := sprintf(\"%s runs one replica\", [input.metadata.name])\n}\n",
    );
    write(
        dir.path(),
        "deploy/web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n",
    );
    // `--select custom/team` names a check that exists only through golive.toml.
    let out = golive()
        .args(["check", "--select", "custom/team", "--format", "json"])
        .arg(dir.path())
        .output()
        .expect("runs");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let check = &report["checks"][0];
    assert_eq!(check["id"], "custom/team");
    assert_eq!(check["status"], "fail");
    let finding = &check["findings"][0];
    assert_eq!(finding["severity"], "warning");
    assert_eq!(finding["message"], "Deployment/web: web runs one replica");
    assert_eq!(finding["path"], "deploy/web.yaml");
    assert_eq!(finding["line"], 1);
    // `golive explain` knows the custom checks of the golive.toml where it runs.
    golive()
        .args(["explain", "custom/team"])
        .current_dir(dir.path())
        .assert()
        .code(0)
        .stdout(predicate::str::contains(
            "custom/team — Rego policies `policy/`",
        ))
        .stdout(predicate::str::contains(
            "category: Custom policies · level: silver",
        ));
    // A mistake in a [[custom]] entry is a configuration error (exit 2).
    write(
        dir.path(),
        "golive.toml",
        "[[custom]]\nname = \"team\"\npolicies = \"policy/\"\n",
    );
    golive()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "golive.toml:3: key `policies`: unknown key of [[custom]] (did you mean `policy`?)",
        ));
}
