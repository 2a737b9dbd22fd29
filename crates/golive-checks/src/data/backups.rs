use super::tf::{self, Instance, Resolved};
use crate::k8s::relations::{Environment, Manifests, environment};
use crate::terraform::stack::Stack;
use golive_core::kube::{Container, KubeObject};
use golive_core::parse::hcl::Value;
use golive_core::parse::image_ref;
use golive_core::parse::yaml::Node;
use golive_core::{Context, Evidence, Finding, Location, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// Every database the repository defines has automated backups configured.
    ///
    /// - Terraform, AWS: `aws_db_instance`, `aws_rds_cluster`, `aws_docdb_cluster` and
    ///   `aws_neptune_cluster` with `backup_retention_period = 0` fail (0 turns automated backups
    ///   off); not set passes with a note (AWS keeps 1 day by default, rarely enough to notice a
    ///   bad write in time). Read replicas (`replicate_source_db`) are left out. An
    ///   `aws_dynamodb_table` needs `point_in_time_recovery { enabled = true }`. An
    ///   `aws_backup_selection` covering the database (`"*"`, a service-wide ARN, a reference to
    ///   the resource, or a `selection_tag` its literal `tags` carry) also counts.
    /// - Terraform, GCP: `google_sql_database_instance` needs
    ///   `settings { backup_configuration { enabled = true } }` (off unless set); replicas
    ///   (`master_instance_name`) are left out. Azure database servers always take automated
    ///   backups: they pass with a note.
    /// - Kubernetes: a CloudNativePG `Cluster` needs a backup target (`spec.backup`, or the
    ///   barman-cloud plugin) and a `ScheduledBackup` of it; a Crunchy `PostgresCluster` a
    ///   pgBackRest repository with a schedule. A StatefulSet running a database image
    ///   (postgres, mysql, mariadb, mongo, redis) needs a Velero `Schedule` covering its namespace
    ///   or a CronJob in its namespace that runs a dump or backup tool. Zalando `postgresql`
    ///   backups are set in the operator's configuration: noted, not judged.
    ///
    /// Values are read without evaluating Terraform: a `var.x` is followed to the literal
    /// argument of each local `module` call (a child module is judged once per call), or to the
    /// variable's default. Databases of non-production environments (a path such as
    /// `envs/staging/` or a namespace such as `dev`) are noted, not reported. Not applicable when
    /// no database is defined.
    ///
    /// ## Why it matters
    /// A database without backups turns one bad migration, deleted table or lost volume into
    /// permanent data loss. The go-live checklist says "the backup strategy should be applied
    /// to each database" (003, Backups), the readiness review starts with "configure backup"
    /// (004), and a data source "must have a continuous backup and a one-click restore" (000,
    /// Persistency): a restore cannot be tested without a backup.
    ///
    /// ## How to fix
    /// ```hcl
    /// resource "aws_db_instance" "main" {
    ///   # ...
    ///   backup_retention_period = 14
    /// }
    ///
    /// resource "aws_dynamodb_table" "orders" {
    ///   # ...
    ///   point_in_time_recovery {
    ///     enabled = true
    ///   }
    /// }
    /// ```
    pub struct Backups {
        id: "data/backups",
        title: "Databases have backups configured",
        category: Data,
        level: Silver,
        severity: Error,
        facets: [Terraform, Kubernetes],
        seeds: [
            "003: Backups: the backup strategy should be applied to each database",
            "004: Backups and Restoring: configure backup",
            "000: Persistency: a data source must have a continuous backup and a one-click restore",
        ],
        fix: "turn on automated backups for the database (retention > 0, point-in-time recovery, a backup schedule)",
    }
}

/// Resource types with `backup_retention_period` (0 turns automated backups off).
const RETENTION_TYPES: &[&str] = &[
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_docdb_cluster",
    "aws_neptune_cluster",
];

/// Azure database resources whose automated backups cannot be turned off.
const AZURE_TYPES: &[&str] = &[
    "azurerm_postgresql_flexible_server",
    "azurerm_postgresql_server",
    "azurerm_mysql_flexible_server",
    "azurerm_mysql_server",
    "azurerm_mssql_database",
    "azurerm_cosmosdb_account",
];

/// Last path segments of images that run a database of record.
const DATABASE_IMAGES: &[&str] = &[
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongo",
    "mongodb",
    "redis",
];

/// Words in a CronJob's commands or images that say it takes a backup.
const BACKUP_TOOLS: &[&str] = &[
    "pg_dump",
    "pg_dumpall",
    "pg_basebackup",
    "mysqldump",
    "mariadb-dump",
    "mariadb-backup",
    "xtrabackup",
    "mongodump",
    "--rdb",
    "bgsave",
    "wal-g",
    "pgbackrest",
    "restic",
    "backup",
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

    /// A database without backups: a finding in production, a note elsewhere.
    fn bad(&mut self, env: Environment, location: Location, message: String) {
        self.judged += 1;
        match env {
            Environment::Production => {
                if !self
                    .findings
                    .iter()
                    .any(|f| f.location.as_ref() == Some(&location) && f.message == message)
                {
                    self.findings.push(Finding::at(location, message));
                }
            }
            Environment::NonProduction(why) => self.evidence.push(Evidence::located(
                &location,
                format!("not production ({why}): {message}"),
            )),
        }
    }

    fn unknown(&mut self, message: String) {
        self.evidence.push(Evidence::note(message.clone()));
        self.unknown.push(message);
    }
}

impl golive_core::Check for Backups {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let mut tally = Tally::default();
        terraform(cx, &mut tally);
        kubernetes(cx, &mut tally);
        if tally.judged == 0 {
            return Outcome::not_applicable(match tally.unknown.is_empty() {
                true => "no database is defined (no Terraform RDS, DynamoDB, Cloud SQL or Azure database, no CloudNativePG or Crunchy cluster, no StatefulSet running a database image)".to_string(),
                false => format!("no database could be judged: {}", tally.unknown.join("; ")),
            });
        }
        Outcome::from_findings(tally.findings, tally.evidence)
    }
}

/// What an `aws_backup_selection` selects.
enum Selects {
    Everything,
    /// Every resource of an AWS service (`rds`, `dynamodb`).
    Service(String),
    /// `type.name` of a resource of the repository.
    Resource(String),
    /// Resources tagged `key = value`.
    Tag(String, String),
}

struct Selection {
    what: Selects,
    subject: String,
}

fn backup_selections(stack: &Stack<'_>) -> Vec<Selection> {
    let mut out = Vec::new();
    for sel in tf::instances(stack, &["aws_backup_selection"]) {
        let subject = format!("aws_backup_selection.{}", sel.name);
        if let Some(resources) = sel.block.attribute("resources") {
            for item in resources.value().as_array().unwrap_or_default() {
                let what = match item {
                    Value::String(s) if s.trim() == "*" => Selects::Everything,
                    Value::String(s) => match s.strip_prefix("arn:aws:").map(|r| r.split(':')) {
                        Some(mut parts) if s.contains('*') => match parts.next() {
                            Some(service) => Selects::Service(service.to_string()),
                            None => continue,
                        },
                        _ => continue,
                    },
                    Value::Expr(e) => {
                        let mut parts = e.trim().split('.');
                        match (parts.next(), parts.next()) {
                            (Some(t), Some(n)) if t.starts_with("aws_") => {
                                Selects::Resource(format!("{t}.{n}"))
                            }
                            _ => continue,
                        }
                    }
                    _ => continue,
                };
                out.push(Selection {
                    what,
                    subject: subject.clone(),
                });
            }
        }
        for tag in sel.block.blocks("selection_tag") {
            let key = tag
                .attribute("key")
                .and_then(|a| a.value().as_str().map(str::to_string));
            let value = tag
                .attribute("value")
                .and_then(|a| a.value().as_str().map(str::to_string));
            if let (Some(key), Some(value)) = (key, value) {
                out.push(Selection {
                    what: Selects::Tag(key, value),
                    subject: subject.clone(),
                });
            }
        }
    }
    out
}

/// The backup selection that covers a database, if any.
fn covered_by<'s>(selections: &'s [Selection], db: &Instance<'_>) -> Option<&'s Selection> {
    let service = match db.rtype {
        "aws_dynamodb_table" => "dynamodb",
        "aws_docdb_cluster" | "aws_neptune_cluster" | "aws_db_instance" | "aws_rds_cluster" => {
            "rds"
        }
        _ => return None,
    };
    let id = format!("{}.{}", db.rtype, db.name);
    let tags = db.block.attribute("tags").map(|a| a.value());
    selections.iter().find(|s| match &s.what {
        Selects::Everything => true,
        Selects::Service(svc) => svc == service,
        Selects::Resource(r) => *r == id,
        Selects::Tag(key, value) => tags
            .as_ref()
            .and_then(|t| t.get(key))
            .and_then(Value::as_str)
            .is_some_and(|v| v == value),
    })
}

fn terraform(cx: &Context<'_>, tally: &mut Tally) {
    let stack = Stack::read(cx.ws);
    let selections = backup_selections(&stack);
    let mut types: Vec<&str> = RETENTION_TYPES.to_vec();
    types.extend(["aws_dynamodb_table", "google_sql_database_instance"]);
    types.extend(AZURE_TYPES);
    for db in tf::instances(&stack, &types) {
        let subject = db.subject();
        let at = db.location();
        if let Some(sel) = covered_by(&selections, &db) {
            tally.good(
                &at,
                format!("{subject}: backed up by AWS Backup (`{}`)", sel.subject),
            );
            continue;
        }
        match db.rtype {
            t if RETENTION_TYPES.contains(&t) => {
                if db.has("replicate_source_db") {
                    tally.evidence.push(Evidence::located(
                        &at,
                        format!("{subject}: a read replica (`replicate_source_db`): backups are taken on its source"),
                    ));
                    continue;
                }
                match db.value(&[], "backup_retention_period") {
                    Resolved::Literal { value, location, from } => match value.to_f64() {
                        Some(days) if days <= 0.0 => tally.bad(
                            db.environment(),
                            location,
                            format!(
                                "{subject}: `backup_retention_period = 0`{} turns automated backups off",
                                from.map(|f| format!(" ({f})")).unwrap_or_default()
                            ),
                        ),
                        Some(days) => tally.good(
                            &location,
                            format!("{subject}: automated backups kept {days} day(s)"),
                        ),
                        None => tally.unknown(format!(
                            "{subject}: `backup_retention_period` is not a number golive can read"
                        )),
                    },
                    Resolved::Absent => tally.good(
                        &at,
                        format!("{subject}: `backup_retention_period` not set: AWS keeps 1 day of automated backups (consider 7 or more)"),
                    ),
                    Resolved::Unknown(expr) => tally.unknown(format!(
                        "{subject}: `backup_retention_period = {expr}` cannot be read from the repository"
                    )),
                }
            }
            "aws_dynamodb_table" => match db.value(&["point_in_time_recovery"], "enabled") {
                Resolved::Literal { value, location, from } => match value.to_bool() {
                    Some(true) => tally.good(
                        &location,
                        format!("{subject}: point-in-time recovery is enabled"),
                    ),
                    _ => tally.bad(
                        db.environment(),
                        location,
                        format!(
                            "{subject}: point-in-time recovery is disabled{} and no AWS Backup selection covers the table",
                            from.map(|f| format!(" ({f})")).unwrap_or_default()
                        ),
                    ),
                },
                Resolved::Absent => tally.bad(
                    db.environment(),
                    at,
                    format!("{subject}: no `point_in_time_recovery {{ enabled = true }}` and no AWS Backup selection covers the table"),
                ),
                Resolved::Unknown(expr) => tally.unknown(format!(
                    "{subject}: point-in-time recovery `enabled = {expr}` cannot be read from the repository"
                )),
            },
            "google_sql_database_instance" => {
                if db.has("master_instance_name") {
                    tally.evidence.push(Evidence::located(
                        &at,
                        format!("{subject}: a replica (`master_instance_name`): backups are taken on its primary"),
                    ));
                    continue;
                }
                match db.value(&["settings", "backup_configuration"], "enabled") {
                    Resolved::Literal { value, location, from } => match value.to_bool() {
                        Some(true) => tally.good(
                            &location,
                            format!("{subject}: automated backups are enabled"),
                        ),
                        _ => tally.bad(
                            db.environment(),
                            location,
                            format!(
                                "{subject}: `backup_configuration {{ enabled = false }}`{} turns automated backups off",
                                from.map(|f| format!(" ({f})")).unwrap_or_default()
                            ),
                        ),
                    },
                    Resolved::Absent => {
                        let place = db
                            .nested(&["settings", "backup_configuration"])
                            .or_else(|| db.nested(&["settings"]))
                            .map(|b| b.pos().location(&db.file.path))
                            .unwrap_or(at);
                        tally.bad(
                            db.environment(),
                            place,
                            format!("{subject}: automated backups are not enabled (`settings {{ backup_configuration {{ enabled = true }} }}`; Cloud SQL leaves them off unless set)"),
                        )
                    }
                    Resolved::Unknown(expr) => tally.unknown(format!(
                        "{subject}: `backup_configuration.enabled = {expr}` cannot be read from the repository"
                    )),
                }
            }
            _ => tally.good(
                &at,
                format!("{subject}: Azure takes automated backups of it (they cannot be turned off)"),
            ),
        }
    }
}

/// Whether a Velero Schedule backs up `namespace` (None: not written, so it is deployed to the
/// namespace of whoever applies it: only a schedule of every namespace, `default` not excluded,
/// is sure to cover it).
fn velero_covers(schedule: &KubeObject<'_>, namespace: Option<&str>) -> bool {
    let list = |key: &str| -> Vec<&str> {
        schedule
            .node
            .path(&["spec", "template", key])
            .into_iter()
            .flat_map(|n| n.items())
            .filter_map(|n| n.as_str())
            .collect()
    };
    let included = list("includedNamespaces");
    let excluded = list("excludedNamespaces");
    let all = included.is_empty() || included.contains(&"*");
    match namespace {
        Some(ns) => !excluded.contains(&ns) && (all || included.contains(&ns)),
        None => all && !excluded.contains(&"default"),
    }
}

/// The database a container image runs (`postgres`, `bitnami/mysql`), if any.
fn database_image(image: &str) -> Option<String> {
    let reference = image_ref::parse(image)?;
    let last = reference
        .repository
        .rsplit('/')
        .next()?
        .to_ascii_lowercase();
    DATABASE_IMAGES.contains(&last.as_str()).then_some(last)
}

/// What a container runs: its image, command and args.
fn container_words<'a>(container: &Container<'a>) -> Vec<&'a str> {
    let mut out: Vec<&'a str> = container
        .image()
        .and_then(|n| n.as_str())
        .into_iter()
        .collect();
    for key in ["command", "args"] {
        let items = container.node.get(key).into_iter().flat_map(|n| n.items());
        out.extend(items.filter_map(|n: Node<'a>| n.as_str()));
    }
    out
}

/// What every container of a pod template runs.
fn pod_words<'a>(obj: &KubeObject<'a>) -> Vec<&'a str> {
    obj.pod_template()
        .map(|t| {
            t.all_containers()
                .iter()
                .flat_map(container_words)
                .collect()
        })
        .unwrap_or_default()
}

fn runs_backup_tool(words: &[&str]) -> bool {
    words.iter().any(|w| {
        let lower = w.to_ascii_lowercase();
        BACKUP_TOOLS.iter().any(|t| lower.contains(t))
    })
}

fn kubernetes(cx: &Context<'_>, tally: &mut Tally) {
    let manifests = Manifests::new(cx.ws);
    let objects = manifests.objects();
    let schedules: Vec<&KubeObject<'_>> = objects
        .iter()
        .filter(|o| o.api_version.starts_with("velero.io/") && o.kind == "Schedule")
        .collect();
    let cronjobs: Vec<&KubeObject<'_>> = objects.iter().filter(|o| o.kind == "CronJob").collect();

    for obj in objects {
        let group = obj.api_version.split('/').next().unwrap_or("");
        let name = obj.display_name();
        let at = obj.location();
        match (group, obj.kind) {
            ("postgresql.cnpg.io", "Cluster") => {
                let target = obj.node.path(&["spec", "backup"]).is_some()
                    || obj
                        .node
                        .path(&["spec", "plugins"])
                        .into_iter()
                        .flat_map(|n| n.items())
                        .filter_map(|p| p.get_str("name"))
                        .any(|n| n.contains("barman-cloud"));
                let scheduled = objects.iter().find(|o| {
                    o.api_version.starts_with("postgresql.cnpg.io/")
                        && o.kind == "ScheduledBackup"
                        && o.node.path(&["spec", "cluster", "name"]).and_then(|n| n.as_str())
                            == obj.name()
                        && o.namespace() == obj.namespace()
                });
                match (target, scheduled) {
                    (true, Some(s)) => tally.good(
                        &at,
                        format!("{name}: backed up to its backup target, scheduled by {}", s.display_name()),
                    ),
                    (true, None) => tally.bad(
                        environment(obj),
                        at,
                        format!("{name}: a backup target is configured but no ScheduledBackup takes base backups of it (WAL archiving alone cannot be restored)"),
                    ),
                    (false, _) => tally.bad(
                        environment(obj),
                        at,
                        format!("{name}: no backup configured (no `spec.backup`, no barman-cloud plugin): the database lives only on its volumes"),
                    ),
                }
            }
            ("postgres-operator.crunchydata.com", "PostgresCluster") => {
                let repos: Vec<Node<'_>> = obj
                    .node
                    .path(&["spec", "backups", "pgbackrest", "repos"])
                    .into_iter()
                    .flat_map(|n| n.items())
                    .collect();
                if repos.iter().any(|r| r.get("schedules").is_some()) {
                    tally.good(&at, format!("{name}: pgBackRest backups run on a schedule"));
                } else if repos.is_empty() {
                    tally.bad(
                        environment(obj),
                        at,
                        format!("{name}: no pgBackRest repository (`spec.backups.pgbackrest.repos`): the database is not backed up"),
                    );
                } else {
                    tally.bad(
                        environment(obj),
                        at,
                        format!("{name}: pgBackRest repositories have no `schedules`: only the initial backup is taken"),
                    );
                }
            }
            ("acid.zalan.do", "postgresql") => tally.unknown(format!(
                "{name}: Zalando postgres-operator backups (WAL-G) are set in the operator's configuration, not in the manifest"
            )),
            ("apps", "StatefulSet") => {
                let Some(template) = obj.pod_template() else {
                    continue;
                };
                let Some((container, db)) = template.containers().into_iter().find_map(|c| {
                    let db = database_image(c.image()?.as_str()?)?;
                    Some((c, db))
                }) else {
                    continue;
                };
                let subject = format!("{name}: container `{}` runs {db}", container.name());
                let ns = obj.namespace();
                if let Some(s) = schedules.iter().find(|s| velero_covers(s, ns)) {
                    tally.good(
                        &at,
                        format!("{subject}, backed up by Velero {}", s.display_name()),
                    );
                } else if let Some(job) = cronjobs
                    .iter()
                    .find(|j| j.namespace() == ns && runs_backup_tool(&pod_words(j)))
                {
                    tally.good(&at, format!("{subject}, backed up by {}", job.display_name()));
                } else if let Some(sidecar) = template
                    .all_containers()
                    .into_iter()
                    .find(|c| c.name() != container.name() && runs_backup_tool(&container_words(c)))
                {
                    tally.good(
                        &at,
                        format!("{subject}, backed up by its container `{}`", sidecar.name()),
                    );
                } else {
                    tally.bad(
                        environment(obj),
                        container.location(&obj.file.path),
                        format!("{subject} with no backup: no Velero Schedule covers its namespace and no CronJob in it runs a dump or backup tool"),
                    );
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_images_are_recognised_by_their_last_path_segment() {
        assert_eq!(database_image("postgres:16.2").as_deref(), Some("postgres"));
        assert_eq!(
            database_image("docker.io/bitnami/postgresql:16").as_deref(),
            Some("postgresql")
        );
        assert_eq!(database_image("redis:7-alpine").as_deref(), Some("redis"));
        assert_eq!(
            database_image("prometheuscommunity/postgres-exporter"),
            None
        );
        assert_eq!(database_image("ghcr.io/acme/api:1.0"), None);
    }
}
