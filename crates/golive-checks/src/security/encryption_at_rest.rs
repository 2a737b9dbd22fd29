use crate::terraform::resolve::{Resolved, Resource};
use crate::terraform::stack::Stack;
use golive_core::parse::hcl::Value;
use golive_core::{Context, Evidence, Finding, Location, Outcome, Severity, declare_check};
use std::collections::{BTreeMap, BTreeSet};

declare_check! {
    /// ## What it checks
    /// The storage the deployed Terraform creates is encrypted at rest: RDS and Aurora
    /// (`storage_encrypted = true`), EBS volumes and EFS file systems (`encrypted = true`) and
    /// ElastiCache replication groups (`at_rest_encryption_enabled = true`).
    ///
    /// Deployed means declared in a root module or a local module it calls; values are resolved
    /// per environment through `variable` defaults, module inputs and `.tfvars` files, so a
    /// module that is encrypted in prod but not in staging is reported for staging, with where
    /// the value was set. A setting that is `false` is a finding at the setting; a missing one
    /// (these all default to unencrypted) is a finding at the resource. A value golive cannot
    /// resolve (a local, a function) is noted, not reported, and so are remote modules
    /// (registry, git), whose resources are not read. Decisions:
    ///
    /// - S3: every new object has been encrypted (SSE-S3) by default since January 2023 and
    ///   it cannot be turned off, so a bucket without an encryption configuration is not a
    ///   finding; an explicit `aws_s3_bucket_server_side_encryption_configuration` (or the
    ///   legacy inline block) is shown in the evidence.
    /// - DynamoDB tables are always encrypted at rest (with an AWS-owned key by default;
    ///   `server_side_encryption { enabled = true }` switches to a KMS key): not a finding.
    /// - EBS: with an `aws_ebs_encryption_by_default { enabled = true }` deployed by the same
    ///   stack, volumes without `encrypted` pass; without it the missing setting is a
    ///   **warning** (the account may enable encryption by default outside this repository).
    /// - Inherited encryption is not judged: RDS read replicas (`replicate_source_db`),
    ///   restores from snapshots, Aurora global and replica clusters, Aurora Serverless v1
    ///   (always encrypted) and ElastiCache with the `valkey` engine (encrypted by default).
    ///
    /// ## Why it matters
    /// Disks, snapshots and backups outlive the systems that wrote them: unencrypted storage
    /// leaks through a shared snapshot, a decommissioned drive or a copied backup, and RDS,
    /// EBS and EFS cannot be encrypted after creation (it takes a snapshot, a copy and a
    /// cut-over). Production Ready Checklist, Security: "Data is encrypted at REST" and
    /// "Configure encryption at rest".
    ///
    /// ## How to fix
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   storage_encrypted = true
    ///   kms_key_id        = aws_kms_key.data.arn # optional: a key you control
    /// }
    ///
    /// resource "aws_ebs_encryption_by_default" "this" {
    ///   enabled = true
    /// }
    /// ```
    pub struct EncryptionAtRest {
        id: "security/encryption-at-rest",
        title: "Storage is encrypted at rest",
        category: Security,
        level: Silver,
        severity: Error,
        facets: [Terraform],
        seeds: [
            "004: Production Ready Checklist, Security: Data is encrypted at REST; Configure encryption at rest",
        ],
        fix: "enable encryption when the storage is created (`storage_encrypted`, `encrypted`, `at_rest_encryption_enabled` = true); existing storage needs a snapshot, an encrypted copy and a cut-over",
    }
}

/// The resource types judged, and the setting that encrypts each.
const JUDGED: &[(&str, &str)] = &[
    ("aws_db_instance", "storage_encrypted"),
    ("aws_rds_cluster", "storage_encrypted"),
    ("aws_ebs_volume", "encrypted"),
    ("aws_efs_file_system", "encrypted"),
    (
        "aws_elasticache_replication_group",
        "at_rest_encryption_enabled",
    ),
];

/// Types shown in the evidence only (encrypted by default).
const NOTED: &[&str] = &[
    "aws_s3_bucket",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_dynamodb_table",
    "aws_ebs_encryption_by_default",
];

/// A verdict about one resource block, before grouping the stacks that deploy it.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    Good,
    Bad(Severity),
    Unknown,
}

impl golive_core::Check for EncryptionAtRest {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let stack = Stack::read(cx.ws);
        let resources = stack.resources_matching(cx.ws, &|kind| {
            JUDGED.iter().any(|(k, _)| *k == kind) || NOTED.contains(&kind)
        });
        // (verdict, place, message) → the stacks it holds for.
        let mut verdicts: BTreeMap<(Verdict, Location, String), BTreeSet<String>> = BTreeMap::new();
        let mut s3 = BTreeSet::new();
        let mut s3_explicit = BTreeSet::new();
        let mut dynamodb = BTreeSet::new();
        for r in &resources {
            let Some((_, setting)) = JUDGED.iter().find(|(k, _)| *k == r.kind()) else {
                match r.kind() {
                    "aws_s3_bucket" => {
                        s3.insert(r.address());
                        if r.block
                            .block("server_side_encryption_configuration")
                            .is_some()
                        {
                            s3_explicit.insert(r.address());
                        }
                    }
                    "aws_s3_bucket_server_side_encryption_configuration" => {
                        s3_explicit.insert(r.address());
                    }
                    "aws_dynamodb_table" => {
                        dynamodb.insert(r.address());
                    }
                    _ => {}
                }
                continue;
            };
            if let Some((verdict, at, message)) = judge(r, setting, &resources) {
                verdicts
                    .entry((verdict, at, message))
                    .or_default()
                    .insert(r.stack_label());
            }
        }
        if verdicts.is_empty() && s3.is_empty() && dynamodb.is_empty() {
            return Outcome::not_applicable(
                "the deployed Terraform (root modules and the local modules they call) creates no RDS, EBS, EFS, ElastiCache, S3 or DynamoDB storage",
            );
        }
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        let mut judged = 0usize;
        for ((verdict, at, message), stacks) in verdicts {
            let stacks = stacks.into_iter().collect::<Vec<_>>().join(", ");
            let text = format!("{stacks}: {message}");
            match verdict {
                Verdict::Good => {
                    judged += 1;
                    evidence.push(Evidence::located(&at, text));
                }
                Verdict::Bad(severity) => {
                    judged += 1;
                    let finding = Finding::at(at, text);
                    findings.push(match severity {
                        Severity::Error => finding,
                        other => finding.with_severity(other),
                    });
                }
                Verdict::Unknown => evidence.push(Evidence::note(text)),
            }
        }
        if !s3.is_empty() {
            evidence.push(Evidence::note(format!(
                "{} S3 bucket(s): encrypted with SSE-S3 by default since January 2023 ({} with an explicit encryption configuration): not judged",
                s3.len(),
                s3_explicit.len()
            )));
        }
        if !dynamodb.is_empty() {
            evidence.push(Evidence::note(format!(
                "{} DynamoDB table(s): always encrypted at rest (AWS-owned key unless `server_side_encryption` names a KMS key): not judged",
                dynamodb.len()
            )));
        }
        evidence.extend(stack.remote_module_notes());
        if judged == 0 && findings.is_empty() {
            let notes: Vec<String> = evidence.iter().map(|e| e.message.clone()).collect();
            return Outcome::not_applicable(format!(
                "no storage whose encryption depends on the Terraform: {}",
                notes.join("; ")
            ));
        }
        Outcome::from_findings(findings, evidence)
    }
}

/// Encryption of one resource instance: the verdict, where, and the message without stacks.
fn judge(
    r: &Resource<'_>,
    setting: &str,
    all: &[Resource<'_>],
) -> Option<(Verdict, Location, String)> {
    let address = r.address();
    let inherited = match r.kind() {
        "aws_db_instance" => ["replicate_source_db", "snapshot_identifier"]
            .iter()
            .find(|k| r.block.attribute(k).is_some())
            .map(|k| format!("`{k}`: encryption is inherited")),
        "aws_rds_cluster" => {
            let serverless_v1 = r
                .attr("engine_mode")
                .and_then(|(_, v)| v.value().and_then(Value::as_str).map(str::to_string))
                .is_some_and(|m| m == "serverless");
            if serverless_v1 {
                Some("Aurora Serverless v1 is always encrypted".to_string())
            } else {
                [
                    "replication_source_identifier",
                    "snapshot_identifier",
                    "global_cluster_identifier",
                ]
                .iter()
                .find(|k| r.block.attribute(k).is_some())
                .map(|k| format!("`{k}`: encryption is inherited"))
            }
        }
        "aws_elasticache_replication_group" => r
            .attr("engine")
            .and_then(|(_, v)| v.value().and_then(Value::as_str).map(str::to_string))
            .filter(|e| e == "valkey")
            .map(|_| "the valkey engine encrypts at rest by default".to_string()),
        _ => None,
    };
    if let Some(why) = inherited {
        return Some((
            Verdict::Unknown,
            r.location(),
            format!("`{address}`: not judged ({why})"),
        ));
    }
    match r.attr(setting) {
        Some((attribute, resolved)) => {
            let at = attribute.pos().location(&r.file.path);
            match &resolved {
                Resolved::Known { value, .. } => match value.to_bool() {
                    Some(true) => Some((
                        Verdict::Good,
                        at,
                        format!("`{address}`: `{setting} = true`{}", resolved.origin()),
                    )),
                    Some(false) => Some((
                        Verdict::Bad(Severity::Error),
                        at,
                        format!(
                            "`{address}` is not encrypted at rest: `{setting}` is false{}",
                            resolved.origin()
                        ),
                    )),
                    None => Some((
                        Verdict::Unknown,
                        at,
                        format!("`{address}`: `{setting}` is not a bool"),
                    )),
                },
                Resolved::Unknown(expr) => Some((
                    Verdict::Unknown,
                    at,
                    format!("`{address}`: `{setting}` is {expr}, which golive does not resolve"),
                )),
            }
        }
        None if r.kind() == "aws_ebs_volume" => {
            let by_default = all.iter().any(|d| {
                d.kind() == "aws_ebs_encryption_by_default"
                    && d.root == r.root
                    && d.env == r.env
                    && d.attr("enabled")
                        .is_none_or(|(_, v)| v.value().and_then(Value::to_bool) == Some(true))
            });
            Some(if by_default {
                (
                    Verdict::Good,
                    r.location(),
                    format!(
                        "`{address}`: encrypted by the stack's `aws_ebs_encryption_by_default`"
                    ),
                )
            } else {
                (
                    Verdict::Bad(Severity::Warning),
                    r.location(),
                    format!(
                        "`{address}` has no `encrypted = true`: it is unencrypted unless the account enables EBS encryption by default (not in this repository)"
                    ),
                )
            })
        }
        None => Some((
            Verdict::Bad(Severity::Error),
            r.location(),
            format!("`{address}` is not encrypted at rest: no `{setting}` (it defaults to false)"),
        )),
    }
}
