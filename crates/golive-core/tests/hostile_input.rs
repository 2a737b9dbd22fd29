//! A scanned repository is untrusted: no input may panic a parser, hang it, or lead the walk out
//! of the root. Property tests feed arbitrary and mutated documents to every parser.

use golive_core::parse::{codeowners, dockerfile, hcl, image_ref, markdown, yaml};
use golive_core::workspace::{ScanOptions, Workspace};
use proptest::prelude::*;

const YAML: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: &l {app: web}\nspec:\n  replicas: 2\n  template:\n    metadata: {labels: *l}\n    spec:\n      containers:\n      - name: app\n        image: \"web:1.2.3\"\n        args: ['--port', \"8080\"]\n        env:\n        - {name: A, value: |\n            multi\n            line}\n---\nkind: Service\n";
const HCL: &str = "terraform {\n  backend \"s3\" {\n    bucket = \"b\"\n    encrypt = true\n  }\n}\nresource \"aws_db_instance\" \"db\" {\n  backup_retention_period = var.days\n  tags = { for k, v in var.t : k => \"${v}-x\" }\n  lifecycle { prevent_destroy = true }\n}\n";
const DOCKERFILE: &str = "# syntax=docker/dockerfile:1\nARG BASE=golang:1.23\nFROM ${BASE} AS build\nRUN --mount=type=cache,target=/root/.cache \\\n    go build -o /app . && \\\n    echo done\nRUN <<EOF\nset -e\necho hi\nEOF\nFROM gcr.io/distroless/static:nonroot\nCOPY --from=build /app /app\nUSER nonroot\nHEALTHCHECK CMD [\"/app\", \"health\"]\nENTRYPOINT [\"/app\"]\n";

/// Truncations and single-byte edits of a realistic document, plus arbitrary text.
fn mutations(base: &'static str) -> impl Strategy<Value = String> {
    prop_oneof![
        (0..base.len()).prop_map(move |n| base.get(..n).unwrap_or(base).to_string()),
        (0..base.len(), any::<char>()).prop_map(move |(i, c)| {
            let mut s: Vec<char> = base.chars().collect();
            let i = i % s.len().max(1);
            if !s.is_empty() {
                s[i] = c;
            }
            s.into_iter().collect()
        }),
        ".{0,300}",
        "[\\[\\]{}:\\-#&*!|>'\" \n\t$a-z0-9=<]{0,400}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn yaml_never_panics(text in mutations(YAML)) {
        if let Ok(docs) = yaml::parse(&text) {
            for doc in &docs {
                for node in doc.nodes() {
                    let _ = (node.as_str(), node.location("f.yaml"), node.duplicate_keys());
                }
            }
        }
    }

    #[test]
    fn hcl_never_panics(text in mutations(HCL)) {
        if let Ok(file) = hcl::parse(&text) {
            for attr in file.all_attributes() {
                let _ = (attr.value(), attr.pos());
            }
        }
    }

    #[test]
    fn dockerfile_never_panics(text in mutations(DOCKERFILE)) {
        if let Ok(df) = dockerfile::parse(&text)
            && let Some(stage) = df.final_stage()
        {
            let _ = (df.stage_instructions(stage).len(), df.expand_global_args(&stage.image));
        }
    }

    #[test]
    fn markdown_codeowners_and_image_refs_never_panic(text in ".{0,300}") {
        let _ = markdown::parse(&text);
        let _ = codeowners::parse(&text);
        if let Some(r) = image_ref::parse(&text) {
            let _ = (r.tag_kind(), r.is_latest_or_untagged());
        }
    }
}

#[test]
fn yaml_limits_are_findings_not_crashes() {
    let deep = format!("{}{}", "- ".repeat(5000), "x");
    assert!(yaml::parse(&deep).is_err());
    let wide = "[".repeat(100_000);
    assert!(yaml::parse(&wide).is_err());
}

#[cfg(unix)]
#[test]
fn symlinks_are_never_followed_out_of_the_root() {
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret.yaml"), "password: hunter2\n").expect("write");
    let repo = tempfile::tempdir().expect("tempdir");
    std::fs::write(repo.path().join("app.yaml"), "a: 1\n").expect("write");
    std::os::unix::fs::symlink(
        outside.path().join("secret.yaml"),
        repo.path().join("link.yaml"),
    )
    .expect("symlink");
    std::os::unix::fs::symlink(outside.path(), repo.path().join("linkdir")).expect("symlink");
    let ws = Workspace::scan(repo.path(), &ScanOptions::default()).expect("scan");
    let paths: Vec<&str> = ws.files().iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, vec!["app.yaml"]);
    assert_eq!(ws.skipped().symlinks, 2);
}

#[test]
fn huge_files_are_skipped_and_counted() {
    let repo = tempfile::tempdir().expect("tempdir");
    std::fs::write(repo.path().join("big.yaml"), "a: 1\n".repeat(10_000)).expect("write");
    std::fs::write(repo.path().join("small.yaml"), "a: 1\n").expect("write");
    let ws = Workspace::scan(
        repo.path(),
        &ScanOptions {
            max_file_size: 1024,
            threads: 1,
            ..ScanOptions::default()
        },
    )
    .expect("scan");
    assert_eq!(ws.files().len(), 1);
    assert_eq!(ws.skipped().too_large, 1);
}
