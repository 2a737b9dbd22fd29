use super::tf::{self, Instance, Resolved};
use crate::k8s::relations::Environment;
use crate::terraform::stack::{Backend, Stack};
use golive_core::{Context, Evidence, Finding, Location, Outcome, Severity, declare_check};
use std::collections::BTreeMap;

declare_check! {
    /// ## What it checks
    /// Production databases and the buckets holding Terraform state cannot be deleted by one
    /// mistaken command.
    ///
    /// - `aws_db_instance`, `aws_rds_cluster`, `aws_docdb_cluster`, `aws_neptune_cluster`:
    ///   `deletion_protection = true` (off by default). `skip_final_snapshot = true` is a
    ///   **warning** finding: deleting the database then keeps no last snapshot. Read replicas
    ///   are left out.
    /// - `aws_dynamodb_table`: `deletion_protection_enabled = true` (off by default).
    /// - `google_sql_database_instance`: `deletion_protection` is on unless set to `false`.
    /// - `lifecycle { prevent_destroy = true }` also protects a database (Terraform refuses to
    ///   destroy it; the cloud console and API still can): it passes with a note.
    /// - The bucket an `s3` (or `gcs`) backend keeps state in, when the repository creates it
    ///   (`aws_s3_bucket`/`google_storage_bucket` with that literal name), needs
    ///   `lifecycle { prevent_destroy = true }`.
    ///
    /// Values are read without evaluating Terraform: a `var.x` is followed to the literal
    /// argument of each local `module` call, or to the variable's default. Resources deployed
    /// for a non-production environment (a path such as `envs/staging/`, by the module call's
    /// file for a child module) are noted, not reported; what cannot be read is noted. Not
    /// applicable when the repository defines no database and no state bucket.
    ///
    /// ## Why it matters
    /// A `terraform destroy` in the wrong directory, a renamed resource that Terraform replaces,
    /// or a click in the console deletes a production database and its automated backups with
    /// it (a deleted RDS instance takes its automated backups along); a deleted state bucket
    /// leaves Terraform blind to everything it manages. The checklists ask for data sources with
    /// "a continuous backup and a one-click restore" (000, Persistency) and for the Terraform
    /// state to be kept safe ("state backup before apply", 000): neither survives the deletion
    /// of the database or of the bucket itself.
    ///
    /// ## How to fix
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   # ...
    ///   deletion_protection       = true
    ///   skip_final_snapshot       = false
    ///   final_snapshot_identifier = "payments-prod-final"
    /// }
    ///
    /// resource "aws_s3_bucket" "state" {
    ///   bucket = "acme-terraform-state"
    ///   lifecycle {
    ///     prevent_destroy = true
    ///   }
    /// }
    /// ```
    pub struct DeletionProtection {
        id: "data/deletion-protection",
        title: "Production databases and state buckets are protected from deletion",
        category: Data,
        level: Silver,
        severity: Error,
        facets: [Terraform],
        seeds: [
            "000: Persistency: a data source must have a continuous backup and a one-click restore",
            "000: Terraform state: state backup before apply, to a versioned prefix in S3",
            "004: Backups and Restoring: configure backup",
        ],
        fix: "set `deletion_protection = true` on the database (`lifecycle { prevent_destroy = true }` on a state bucket)",
    }
}

/// Database types and the attribute that protects them, with its default.
const DATABASES: &[(&str, &str, bool)] = &[
    ("aws_db_instance", "deletion_protection", false),
    ("aws_rds_cluster", "deletion_protection", false),
    ("aws_docdb_cluster", "deletion_protection", false),
    ("aws_neptune_cluster", "deletion_protection", false),
    ("aws_dynamodb_table", "deletion_protection_enabled", false),
    ("google_sql_database_instance", "deletion_protection", true),
];

/// Types with `skip_final_snapshot`.
const FINAL_SNAPSHOT: &[&str] = &[
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_docdb_cluster",
    "aws_neptune_cluster",
];

#[derive(Default)]
struct Tally {
    findings: Vec<Finding>,
    evidence: Vec<Evidence>,
    judged: usize,
    unknown: Vec<String>,
}

impl Tally {
    fn good(&mut self, location: &Location, message: String) {
        self.judged += 1;
        self.evidence.push(Evidence::located(location, message));
    }

    fn bad(&mut self, env: &Environment, finding: Finding) {
        self.judged += 1;
        match env {
            Environment::Production => self.findings.push(finding),
            Environment::NonProduction(why) => {
                let message = format!("not production ({why}): {}", finding.message);
                self.evidence.push(match &finding.location {
                    Some(location) => Evidence::located(location, message),
                    None => Evidence::note(message),
                });
            }
        }
    }

    fn unknown(&mut self, message: String) {
        self.evidence.push(Evidence::note(message.clone()));
        self.unknown.push(message);
    }
}

impl golive_core::Check for DeletionProtection {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let stack = Stack::read(cx.ws);
        let mut tally = Tally::default();
        let types: Vec<&str> = DATABASES.iter().map(|(t, _, _)| *t).collect();
        for db in tf::instances(&stack, &types) {
            database(&db, &mut tally);
        }
        state_buckets(&stack, &mut tally);
        if tally.judged == 0 {
            return Outcome::not_applicable(match tally.unknown.is_empty() {
                true => "no database (RDS, DocumentDB, Neptune, DynamoDB, Cloud SQL) and no Terraform state bucket is defined in the repository".to_string(),
                false => format!("nothing could be judged: {}", tally.unknown.join("; ")),
            });
        }
        Outcome::from_findings(tally.findings, tally.evidence)
    }
}

fn database(db: &Instance<'_>, tally: &mut Tally) {
    let Some((_, attribute, default)) = DATABASES.iter().find(|(t, _, _)| *t == db.rtype) else {
        return;
    };
    let subject = db.subject();
    let at = db.location();
    let env = db.environment();
    if db.has("replicate_source_db") || db.has("master_instance_name") {
        tally.evidence.push(Evidence::located(
            &at,
            format!("{subject}: a read replica: deleting it loses no data, not checked"),
        ));
        return;
    }
    let resolved = db.value(&[], attribute);
    let protected = match &resolved {
        Resolved::Absent => Some(*default),
        other => other.to_bool(),
    };
    match (protected, &resolved) {
        (Some(true), Resolved::Literal { location, from, .. }) => tally.good(
            location,
            format!(
                "{subject}: `{attribute} = true`{}",
                from.as_ref().map(|f| format!(" ({f})")).unwrap_or_default()
            ),
        ),
        (Some(true), _) => tally.good(
            &at,
            format!("{subject}: `{attribute}` not set, which protects it by default"),
        ),
        (Some(false), _) if db.prevents_destroy() => tally.good(
            &at,
            format!("{subject}: `lifecycle {{ prevent_destroy = true }}` (Terraform will not destroy it; the console and API still can: consider `{attribute} = true`)"),
        ),
        (Some(false), Resolved::Literal { location, from, .. }) => tally.bad(
            &env,
            Finding::at(
                location.clone(),
                format!(
                    "{subject}: `{attribute} = false`{}: one destroy or console click deletes it with its data",
                    from.as_ref().map(|f| format!(" ({f})")).unwrap_or_default()
                ),
            ),
        ),
        (Some(false), _) => tally.bad(
            &env,
            Finding::at(
                at.clone(),
                format!("{subject}: no `{attribute} = true` (off by default): one destroy or console click deletes it with its data"),
            ),
        ),
        (None, Resolved::Unknown(expr)) => tally.unknown(format!(
            "{subject}: `{attribute} = {expr}` cannot be read from the repository"
        )),
        (None, _) => tally.unknown(format!(
            "{subject}: `{attribute}` is not a boolean golive can read"
        )),
    }
    if FINAL_SNAPSHOT.contains(&db.rtype)
        && let Resolved::Literal {
            value,
            location,
            from,
        } = db.value(&[], "skip_final_snapshot")
        && value.to_bool() == Some(true)
    {
        tally.bad(
            &env,
            Finding::at(
                location,
                format!(
                    "{subject}: `skip_final_snapshot = true`{}: deleting the database keeps no final snapshot",
                    from.map(|f| format!(" ({f})")).unwrap_or_default()
                ),
            )
            .with_severity(Severity::Warning)
            .with_help("set `skip_final_snapshot = false` and a `final_snapshot_identifier`"),
        );
    }
}

/// The buckets root modules keep state in, by backend kind (`s3`, `gcs`), with the modules.
fn backend_buckets(stack: &Stack<'_>) -> BTreeMap<(String, String), Vec<String>> {
    let mut out: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for module in stack.roots() {
        if let Backend::Declared { kind, variants, .. } = module.backend()
            && (kind == "s3" || kind == "gcs")
        {
            for variant in &variants {
                if let Some(bucket) = variant.get("bucket").and_then(|s| s.value.as_str()) {
                    let users = out.entry((kind.clone(), bucket.to_string())).or_default();
                    if !users.contains(&module.label()) {
                        users.push(module.label());
                    }
                }
            }
        }
    }
    out
}

fn state_buckets(stack: &Stack<'_>, tally: &mut Tally) {
    let buckets = backend_buckets(stack);
    if buckets.is_empty() {
        return;
    }
    let defined = tf::instances(stack, &["aws_s3_bucket", "google_storage_bucket"]);
    for ((kind, name), users) in &buckets {
        let (rtype, attribute) = match kind.as_str() {
            "gcs" => ("google_storage_bucket", "name"),
            _ => ("aws_s3_bucket", "bucket"),
        };
        let users = users
            .iter()
            .map(|u| format!("`{u}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let found = defined.iter().find(|b| {
            b.rtype == rtype
                && matches!(b.value(&[], attribute), Resolved::Literal { value, .. } if value.as_str() == Some(name))
        });
        let Some(bucket) = found else {
            tally.evidence.push(Evidence::note(format!(
                "state bucket `{name}` (used by {users}) is not created in this repository: not checked"
            )));
            continue;
        };
        let subject = bucket.subject();
        if bucket.prevents_destroy() {
            tally.good(
                &bucket.location(),
                format!(
                    "{subject}: holds the Terraform state of {users}, `prevent_destroy = true`"
                ),
            );
        } else {
            let force = bucket.value(&[], "force_destroy").to_bool() == Some(true);
            tally.bad(
                &bucket.environment(),
                Finding::at(
                    bucket.location(),
                    format!(
                        "{subject}: holds the Terraform state of {users} but has no `lifecycle {{ prevent_destroy = true }}`{}",
                        if force { " and `force_destroy = true` empties it on destroy" } else { "" }
                    ),
                ),
            );
        }
    }
}
