use crate::delivery::migrations::{self, Down, Tool};
use crate::delivery::schema_changes::Columns;
use crate::delivery::sql;
use golive_core::{Context, Evidence, Finding, Location, Outcome, Severity, declare_check};
use std::collections::BTreeMap;

declare_check! {
    /// ## What it checks
    /// Database migrations are versioned, each can be rolled back (it has a down migration that
    /// does something), and statements that destroy data or break the running version are
    /// flagged.
    ///
    /// Migration folders are recognised by their tools' file layouts:
    ///
    /// * golang-migrate and sqlx: `<version>_<name>.up.sql` with `<version>_<name>.down.sql`;
    ///   a single `<version>_<name>.sql` in a `migrations/` folder is one-way (sqlx), unless
    ///   it holds both halves as goose (`-- +goose Up` / `-- +goose Down`) or dbmate
    ///   (`-- migrate:up` / `-- migrate:down`) sections;
    /// * diesel: `migrations/<version>_<name>/up.sql` with `down.sql`;
    /// * Flyway: `V<version>__<name>.sql` with its undo migration `U<version>__<name>.sql`
    ///   (`R__` repeatable migrations are re-run, not versioned, and need none);
    /// * Alembic: `versions/*.py` with `def upgrade()` and a `def downgrade()` that does more
    ///   than `pass` (or raise);
    /// * Django: `migrations/<nnnn>_<name>.py`; Django reverses its operations itself, except
    ///   `RunPython` without `reverse_code` and `RunSQL` without `reverse_sql`;
    /// * knex, Sequelize and TypeORM: `migrations/*.js|ts` exporting `up` and `down`;
    /// * Rails: `db/migrate/<version>_<name>.rb` with `def change` (Rails reverses it) or
    ///   `def up` with `def down` (not raising `ActiveRecord::IrreversibleMigration`);
    /// * Prisma: `prisma/migrations/<version>_<name>/migration.sql`. Prisma Migrate has no down
    ///   migrations by design (you roll forward, or restore): the evidence says so, and only
    ///   destructive statements are checked.
    ///
    /// Two migrations with the same version in one folder are a finding (golang-migrate,
    /// Flyway, goose and Rails refuse to run them). A missing down migration, or one with no
    /// statement (diesel generates an empty
    /// `down.sql`), is a finding at the migration. In up migrations, statements are read with a
    /// small SQL tokenizer (comments, string literals and `$$` function bodies are skipped) and
    /// these are warnings at the statement's line: `DROP TABLE`, `DROP COLUMN`, `TRUNCATE`,
    /// `DELETE` without `WHERE`, `RENAME` of a table or column, and a column type change to a
    /// narrower type. Whether a type change narrows is judged against the column's earlier
    /// definition in the same folder (`varchar(200)` to `varchar(50)`, `bigint` to `int`, text
    /// to a number); when golive finds no earlier definition, or cannot compare the types, the
    /// evidence says so and it is not a finding. For Alembic, Django, knex and Rails, the calls
    /// that do the same (`op.drop_column`, `RemoveField`, `dropTable`, `remove_column`, ...) are
    /// flagged, and SQL they pass as a string literal (`queryRunner.query(...)`, `knex.raw(...)`,
    /// `op.execute(...)`, `RunSQL(...)`, `execute "..."`) is read like a SQL migration.
    ///
    /// ## Why it matters
    /// Rolling back the code is quick; rolling back the schema is only possible when the down
    /// migration was written, and rolling back the data is impossible once a column was
    /// dropped. During a rollout the old version keeps running against the new schema, so a
    /// renamed or dropped column breaks it before the rollout ends, and the rollback target
    /// breaks too. (From Code to Production, Rollback: "Schema changes: if the new code
    /// introduced schema changes, confirm that the previous version can still read and update
    /// the modified data", "Rollback Testing: ensure the code and data can be safely reverted";
    /// Data: "Test data migrations ... without data loss or corruption".)
    ///
    /// ## How to fix
    /// Write the down migration next to the up migration:
    /// ```sql
    /// -- 20260101120000_add_email_verified.up.sql
    /// ALTER TABLE users ADD COLUMN email_verified boolean NOT NULL DEFAULT false;
    /// -- 20260101120000_add_email_verified.down.sql
    /// ALTER TABLE users DROP COLUMN email_verified;
    /// ```
    /// Drop or rename in two releases (expand and contract): first stop reading the column and
    /// ship, then drop it in a later migration, after a backup. When that is done, waive the
    /// finding with the reason.
    pub struct MigrationsReversible {
        id: "delivery/migrations-reversible",
        title: "Database migrations are reversible and destructive changes are flagged",
        category: Delivery,
        level: Gold,
        severity: Error,
        facets: [],
        seeds: [
            "001: From Code to Production, Rollback and Roll Forward: rollback testing; schema changes must keep the previous version working",
            "001: From Code to Production, Data: data migration testing without data loss or corruption",
            "003: Go-live checklist, Backups: rollback process should be automated and tested",
        ],
        fix: "add a down migration for each migration (e.g. <version>_<name>.down.sql) that undoes it",
    }
}

impl golive_core::Check for MigrationsReversible {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let found = migrations::find(cx.ws);
        if found.is_empty() {
            return Outcome::not_applicable(
                "no database migration folder (golang-migrate, sqlx, goose, dbmate, diesel, Flyway, Alembic, Django, knex, Rails or Prisma layout) in the repository",
            );
        }
        let mut findings = Vec::new();
        let mut evidence = Vec::new();
        // Per folder and tool: how many migrations, how many reversible.
        let mut folders: BTreeMap<(String, Tool), (usize, usize)> = BTreeMap::new();
        let mut columns: BTreeMap<String, Columns> = BTreeMap::new();
        // Versions seen per folder: two migrations with one version is an error in every tool
        // that orders by version (golang-migrate, Flyway, goose, Rails refuse to run).
        let mut versions: BTreeMap<(String, Vec<u64>), String> = BTreeMap::new();
        for m in &found {
            let ordered = matches!(
                m.tool,
                Tool::UpDownSql
                    | Tool::SqlxOneWay
                    | Tool::Goose
                    | Tool::Dbmate
                    | Tool::Flyway
                    | Tool::Rails
            );
            if ordered && !m.version().is_empty() {
                match versions.entry((m.dir.clone(), m.version().to_vec())) {
                    std::collections::btree_map::Entry::Occupied(first) => findings.push(
                        Finding::at(
                            Location::file(&m.up.path),
                            format!(
                                "{} migration {} has the same version as {}: the tool refuses to run (or skips one of them)",
                                m.tool.name(),
                                m.name(),
                                first.get()
                            ),
                        )
                        .with_help("give each migration its own version (a new timestamp or the next number)"),
                    ),
                    std::collections::btree_map::Entry::Vacant(v) => {
                        v.insert(m.name());
                    }
                }
            }
            let entry = folders.entry((m.dir.clone(), m.tool)).or_default();
            entry.0 += 1;
            let name = m.name();
            match &m.down {
                Down::File(down) => {
                    let empty = sql::statements(&down.text).is_empty();
                    if empty {
                        findings.push(Finding::at(
                            Location::file(&down.path),
                            format!(
                                "{} migration {name}: its down migration {} has no statement, so a rollback leaves the schema as the up migration made it",
                                m.tool.name(),
                                down.path
                            ),
                        ));
                    } else {
                        entry.1 += 1;
                    }
                }
                Down::Section { line, empty } => {
                    if *empty {
                        findings.push(Finding::at(
                            Location::line(&m.up.path, *line),
                            format!(
                                "{} migration {name}: its down section has no statement, so a rollback leaves the schema as the up section made it",
                                m.tool.name()
                            ),
                        ));
                    } else {
                        entry.1 += 1;
                    }
                }
                Down::Function | Down::Reversed => entry.1 += 1,
                Down::Hollow { line, why } => findings.push(Finding::at(
                    Location::line(&m.up.path, *line),
                    format!("{} migration {name}: {why}", m.tool.name()),
                )),
                Down::Missing { .. } if m.tool == Tool::SqlxOneWay => findings.push(
                    Finding::at(
                        Location::file(&m.up.path),
                        format!(
                            "sqlx migration {name} is one-way (a single .sql file): it cannot be rolled back"
                        ),
                    )
                    .with_help(format!(
                        "make it reversible: `{}` plus a `.down.sql` that undoes it (sqlx migrate add -r)",
                        name.replace(".sql", ".up.sql")
                    )),
                ),
                Down::Missing { line, expected } => findings.push(
                    Finding::at(
                        match line {
                            Some(l) => Location::line(&m.up.path, *l),
                            None => Location::file(&m.up.path),
                        },
                        format!(
                            "{} migration {name} has no down migration ({expected}): it cannot be rolled back",
                            m.tool.name()
                        ),
                    )
                    .with_help(format!(
                        "add {expected} that undoes it; if it cannot be undone (data is gone), waive it with the restore plan"
                    )),
                ),
                Down::NotByDesign => {}
            }
            // Destructive statements of the up migration.
            let changes = match m.up_sql() {
                Some(text) => columns
                    .entry(m.dir.clone())
                    .or_default()
                    .apply(&sql::statements(text)),
                None => {
                    let mut changes = migrations::call_changes(m);
                    changes.extend(migrations::embedded_sql(m));
                    changes.sort_by_key(|c| c.line);
                    changes
                }
            };
            for c in changes {
                let line = c.line;
                if c.destructive {
                    findings.push(
                        Finding::at(
                            Location::line(&m.up.path, line),
                            format!("{} migration {name}: {}", m.tool.name(), c.message),
                        )
                        .with_severity(Severity::Warning)
                        .with_help(
                            "expand and contract: stop using the table or column in one release, remove it in a later migration after a backup; then waive this finding with the reason",
                        ),
                    );
                } else {
                    evidence.push(Evidence::at(
                        &m.up.path,
                        line,
                        format!("{} migration {name}: {}", m.tool.name(), c.message),
                    ));
                }
            }
        }
        for ((dir, tool), (count, reversible)) in &folders {
            let dir = if dir.is_empty() { "." } else { dir.as_str() };
            let message = if *tool == Tool::Prisma {
                format!(
                    "{count} Prisma migration(s); Prisma Migrate has no down migrations by design (roll forward or restore), so only destructive statements are checked"
                )
            } else {
                format!(
                    "{count} {} migration(s), {reversible} of them reversible",
                    tool.name()
                )
            };
            evidence.push(Evidence::file(dir, message));
        }
        Outcome::from_findings(findings, evidence)
    }
}
