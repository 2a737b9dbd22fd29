//! Database migrations in a repository, recognised by their tools' file layouts (golang-migrate,
//! sqlx, goose, dbmate, diesel, Flyway, Prisma, Alembic, knex/Sequelize/TypeORM, Rails), each
//! with its down migration (a file, a section, a function) or the reason it has none.

use crate::delivery::schema_changes::Change;
use crate::foreign::is_not_ours;
use golive_core::{SourceFile, Workspace};
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The migration tool a file belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tool {
    /// `<version>_<name>.up.sql` / `.down.sql` (golang-migrate, sqlx reversible migrations).
    UpDownSql,
    /// `<version>_<name>.sql` in a migrations folder: sqlx's one-way migrations.
    SqlxOneWay,
    Goose,
    Dbmate,
    Diesel,
    Flyway,
    Prisma,
    Alembic,
    Django,
    Knex,
    Sequelize,
    TypeOrm,
    /// JavaScript/TypeScript migrations exporting `up`/`down` of a tool golive does not name.
    JsMigrations,
    Rails,
}

impl Tool {
    pub fn name(self) -> &'static str {
        match self {
            Tool::UpDownSql => "golang-migrate/sqlx",
            Tool::SqlxOneWay => "sqlx",
            Tool::Goose => "goose",
            Tool::Dbmate => "dbmate",
            Tool::Diesel => "diesel",
            Tool::Flyway => "Flyway",
            Tool::Prisma => "Prisma",
            Tool::Alembic => "Alembic",
            Tool::Django => "Django",
            Tool::Knex => "knex",
            Tool::Sequelize => "Sequelize",
            Tool::TypeOrm => "TypeORM",
            Tool::JsMigrations => "JavaScript",
            Tool::Rails => "Rails",
        }
    }
}

/// How a migration is undone.
#[derive(Clone, Debug)]
pub(crate) enum Down<'a> {
    /// A separate down file.
    File(&'a SourceFile),
    /// A down section of the same file (goose, dbmate) at `line`, and whether it is empty.
    Section { line: u32, empty: bool },
    /// A down function with a body (Alembic, knex, Rails `def down`).
    Function,
    /// Reversed by the tool itself (Rails `def change`), or nothing to undo (an empty Alembic
    /// merge revision).
    Reversed,
    /// A down function that does nothing or refuses (`pass`, `raise`), at `line`.
    Hollow { line: u32, why: String },
    /// No down migration; `expected` says what was looked for, `line` where the up is.
    Missing { line: Option<u32>, expected: String },
    /// The tool has no down migrations (Prisma).
    NotByDesign,
}

/// One migration.
#[derive(Clone, Debug)]
pub(crate) struct Migration<'a> {
    pub tool: Tool,
    /// The folder holding the migration set.
    pub dir: String,
    /// The up migration (for diesel and Prisma, the `up.sql` / `migration.sql` file).
    pub up: &'a SourceFile,
    pub down: Down<'a>,
    /// Where the up part ends (a line of `up`), for files holding both halves.
    up_end: Option<u32>,
    version: Vec<u64>,
}

impl<'a> Migration<'a> {
    /// How messages name the migration: its file name, or its folder for diesel and Prisma.
    pub fn name(&self) -> String {
        match self.tool {
            Tool::Diesel | Tool::Prisma => {
                let dir = self.up.dir();
                let folder = dir.rsplit('/').next().unwrap_or(dir);
                format!("{folder}/{}", self.up.name())
            }
            _ => self.up.name().to_string(),
        }
    }

    /// The version the migration's name starts with, for tools that order by it (empty for
    /// Alembic, whose revisions form a chain).
    pub fn version(&self) -> &[u64] {
        &self.version
    }

    /// The SQL of the up migration (for SQL tools).
    pub fn up_sql(&self) -> Option<&'a str> {
        let sql_tool = matches!(
            self.tool,
            Tool::UpDownSql
                | Tool::SqlxOneWay
                | Tool::Goose
                | Tool::Dbmate
                | Tool::Diesel
                | Tool::Flyway
                | Tool::Prisma
        );
        if !sql_tool {
            return None;
        }
        let text = self.up.text.as_str();
        Some(match self.up_end {
            Some(end) => prefix_lines(text, end.saturating_sub(1)),
            None => text,
        })
    }
}

/// The first `n` lines of `text`.
fn prefix_lines(text: &str, n: u32) -> &str {
    let mut end = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i as u32 >= n {
            break;
        }
        end += line.len();
    }
    text.get(..end).unwrap_or(text)
}

static UP_DOWN_SQL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d+)_.+\.(up|down)\.sql$").expect("valid regex"));
static ONE_FILE_SQL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d+)[_-].+\.sql$").expect("valid regex"));
static FLYWAY: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^([VU])(\d+(?:[._]\d+)*)__.+\.sql$").expect("valid regex"));
static DJANGO: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{4}_\w+\.py$").expect("valid regex"));
static RAILS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(\d+)_\w+\.rb$").expect("valid regex"));
static JS_UP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)(exports\.up\s*=|export\s+(async\s+)?function\s+up\s*\(|export\s+const\s+up\s*=|^\s*(public\s+)?(async\s+)?up\s*\(|^\s*up\s*:)").expect("valid regex")
});
static JS_DOWN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)(exports\.down\s*=|export\s+(async\s+)?function\s+down\s*\(|export\s+const\s+down\s*=|^\s*(public\s+)?(async\s+)?down\s*\(|^\s*down\s*:)").expect("valid regex")
});

fn last_segment(dir: &str) -> &str {
    dir.rsplit('/').next().unwrap_or(dir)
}

fn parent(dir: &str) -> &str {
    dir.rsplit_once('/').map(|(p, _)| p).unwrap_or("")
}

fn version_key(v: &str) -> Vec<u64> {
    v.split(['.', '_'])
        .map(|p| p.parse().unwrap_or(u64::MAX))
        .collect()
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

/// 1-based line of a byte offset.
fn line_at(text: &str, offset: usize) -> u32 {
    text.get(..offset)
        .map(|t| t.matches('\n').count() as u32 + 1)
        .unwrap_or(1)
}

/// Every migration of the repository's own (not vendored, example or test-data folders),
/// ordered by folder, then version.
pub(crate) fn find(ws: &Workspace) -> Vec<Migration<'_>> {
    let files: Vec<&SourceFile> = ws
        .files()
        .iter()
        .filter(|f| !is_not_ours(&f.path))
        .collect();
    // Down files by (folder, name without `.down.sql`) and by (folder, version), and the names
    // of up files: a down pairs with the up of its name, else with the one up of its version.
    let mut downs: HashMap<(&str, &str), &SourceFile> = HashMap::new();
    let mut downs_by_version: HashMap<(&str, String), Vec<&SourceFile>> = HashMap::new();
    let mut ups: std::collections::HashSet<(&str, &str)> = std::collections::HashSet::new();
    let mut undos: HashMap<(&str, Vec<u64>), &SourceFile> = HashMap::new();
    for f in &files {
        if let Some(c) = UP_DOWN_SQL.captures(f.name()) {
            let stem = f
                .name()
                .get(..f.name().len().saturating_sub(".up.sql".len()))
                .unwrap_or("");
            if &c[2] == "down" {
                let stem = f
                    .name()
                    .get(..f.name().len().saturating_sub(".down.sql".len()))
                    .unwrap_or("");
                downs.insert((f.dir(), stem), f);
                downs_by_version
                    .entry((f.dir(), c[1].to_string()))
                    .or_default()
                    .push(f);
            } else {
                ups.insert((f.dir(), stem));
            }
        }
        if let Some(c) = FLYWAY.captures(f.name())
            && &c[1] == "U"
        {
            undos.insert((f.dir(), version_key(&c[2])), f);
        }
    }
    let mut out = Vec::new();
    for f in &files {
        let (name, dir) = (f.name(), f.dir());
        let mut m = Migration {
            tool: Tool::UpDownSql,
            dir: dir.to_string(),
            up: f,
            down: Down::NotByDesign,
            up_end: None,
            version: Vec::new(),
        };
        if let Some(c) = UP_DOWN_SQL.captures(name) {
            if &c[2] != "up" {
                continue;
            }
            m.version = version_key(&c[1]);
            let stem = name
                .get(..name.len().saturating_sub(".up.sql".len()))
                .unwrap_or("");
            let by_version = || {
                let same: Vec<&SourceFile> = downs_by_version
                    .get(&(dir, c[1].to_string()))?
                    .iter()
                    .copied()
                    .filter(|d| {
                        let s = d
                            .name()
                            .get(..d.name().len().saturating_sub(".down.sql".len()))
                            .unwrap_or("");
                        !ups.contains(&(dir, s))
                    })
                    .collect();
                match same.as_slice() {
                    [one] => Some(*one),
                    _ => None,
                }
            };
            m.down = match downs.get(&(dir, stem)).copied().or_else(by_version) {
                Some(d) => Down::File(d),
                None => Down::Missing {
                    line: None,
                    expected: format!("`{}`", name.replace(".up.sql", ".down.sql")),
                },
            };
        } else if name == "up.sql" && last_segment(dir).starts_with(|c: char| c.is_ascii_digit()) {
            m.tool = Tool::Diesel;
            m.dir = parent(dir).to_string();
            m.version = version_key(
                last_segment(dir)
                    .split(['_'])
                    .next()
                    .unwrap_or("")
                    .replace('-', "")
                    .as_str(),
            );
            m.down = match ws.file(&join(dir, "down.sql")) {
                Some(d) => Down::File(d),
                None => Down::Missing {
                    line: None,
                    expected: format!("`{}`", join(dir, "down.sql")),
                },
            };
        } else if name == "migration.sql"
            && last_segment(dir).starts_with(|c: char| c.is_ascii_digit())
            && last_segment(parent(dir)) == "migrations"
        {
            m.tool = Tool::Prisma;
            m.dir = parent(dir).to_string();
            m.version = version_key(last_segment(dir).split('_').next().unwrap_or(""));
        } else if let Some(c) = FLYWAY.captures(name) {
            if &c[1] != "V" {
                continue;
            }
            m.tool = Tool::Flyway;
            m.version = version_key(&c[2]);
            m.down = match undos.get(&(dir, m.version.clone())) {
                Some(d) => Down::File(d),
                None => Down::Missing {
                    line: None,
                    expected: format!("an undo migration `U{}__...sql`", &c[2]),
                },
            };
        } else if let Some(c) = ONE_FILE_SQL.captures(name)
            && matches!(last_segment(dir), "migrations" | "migration" | "migrate")
        {
            m.version = version_key(&c[1]);
            one_file_sql(&mut m);
        } else if name.ends_with(".py")
            && last_segment(dir) == "versions"
            && f.text.contains("def upgrade(")
        {
            m.tool = Tool::Alembic;
            alembic(&mut m);
        } else if DJANGO.is_match(name)
            && last_segment(dir) == "migrations"
            && f.text.contains("migrations.Migration")
        {
            m.tool = Tool::Django;
            m.version = version_key(name.get(..4).unwrap_or(""));
            m.down = django_down(&f.text);
        } else if is_js(name)
            && dir
                .split('/')
                .any(|d| d == "migrations" || d == "migration")
            && let Some(up) = JS_UP.find(&f.text)
        {
            m.tool = js_tool(&f.text);
            m.version = version_key(name.split(['_', '-', '.']).next().unwrap_or(""));
            m.down = match JS_DOWN.find(&f.text) {
                Some(_) => Down::Function,
                None => Down::Missing {
                    line: Some(line_at(&f.text, up.start())),
                    expected: "a `down` function".into(),
                },
            };
        } else if let Some(c) = RAILS.captures(name)
            && (dir == "db/migrate" || dir.ends_with("/db/migrate"))
        {
            m.tool = Tool::Rails;
            m.version = version_key(&c[1]);
            rails(&mut m);
        } else {
            continue;
        }
        out.push(m);
    }
    out.sort_by(|a, b| (&a.dir, &a.version, &a.up.path).cmp(&(&b.dir, &b.version, &b.up.path)));
    out
}

fn is_js(name: &str) -> bool {
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    matches!(ext, "js" | "ts" | "mjs" | "cjs") && !name.ends_with(".d.ts")
}

fn js_tool(text: &str) -> Tool {
    if text.contains("MigrationInterface") {
        Tool::TypeOrm
    } else if text.contains("queryInterface") {
        Tool::Sequelize
    } else if text.contains("knex") || text.contains("Knex") {
        Tool::Knex
    } else {
        Tool::JsMigrations
    }
}

/// A single-file SQL migration: goose and dbmate keep both halves in sections; otherwise it is
/// a one-way sqlx migration.
fn one_file_sql(m: &mut Migration<'_>) {
    let text = &m.up.text;
    let marker = |up: &str, down: &str| {
        let mut has_up = false;
        let mut down_line = None;
        for (i, line) in text.lines().enumerate() {
            let l = line.trim().to_ascii_lowercase().replace(' ', "");
            if l.starts_with(up) {
                has_up = true;
            } else if l.starts_with(down) && down_line.is_none() {
                down_line = Some(i as u32 + 1);
            }
        }
        (has_up, down_line)
    };
    for (tool, up, down) in [
        (Tool::Goose, "--+gooseup", "--+goosedown"),
        (Tool::Dbmate, "--migrate:up", "--migrate:down"),
    ] {
        let (has_up, down_line) = marker(up, down);
        if !has_up && down_line.is_none() {
            continue;
        }
        m.tool = tool;
        m.down = match down_line {
            Some(line) => {
                m.up_end = Some(line);
                let rest: String = text
                    .lines()
                    .skip(line as usize)
                    .collect::<Vec<_>>()
                    .join("\n");
                Down::Section {
                    line,
                    empty: crate::delivery::sql::statements(&rest).is_empty(),
                }
            }
            None => Down::Missing {
                line: None,
                expected: format!(
                    "a `{}` section",
                    if tool == Tool::Goose {
                        "-- +goose Down"
                    } else {
                        "-- migrate:down"
                    }
                ),
            },
        };
        return;
    }
    m.tool = Tool::SqlxOneWay;
    m.down = Down::Missing {
        line: None,
        expected: format!(
            "`{}` and `{}` instead of one file",
            name_with(m, "up"),
            name_with(m, "down")
        ),
    };
}

fn name_with(m: &Migration<'_>, half: &str) -> String {
    let name = m.up.name();
    format!("{}.{half}.sql", name.strip_suffix(".sql").unwrap_or(name))
}

/// A Python function's body: (line, text) of its statements, docstrings and comments removed.
fn python_body(text: &str, def_line: usize) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut in_doc: Option<&str> = None;
    for (i, line) in text.lines().enumerate().skip(def_line + 1) {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        if !line.starts_with([' ', '\t']) && in_doc.is_none() {
            break;
        }
        if let Some(q) = in_doc {
            if trimmed.contains(q) {
                in_doc = None;
            }
            continue;
        }
        if trimmed.starts_with('#') {
            continue;
        }
        if let Some(q) = ["\"\"\"", "'''"]
            .into_iter()
            .find(|q| trimmed.starts_with(q))
        {
            let rest = &trimmed[3..];
            if !rest.contains(q) {
                in_doc = Some(q);
            }
            continue;
        }
        out.push((i as u32 + 1, trimmed.to_string()));
    }
    out
}

fn is_noop(body: &[(u32, String)]) -> bool {
    body.iter().all(|(_, s)| s == "pass" || s == "...")
}

fn alembic(m: &mut Migration<'_>) {
    let text = &m.up.text;
    let def = |name: &str| {
        text.lines().position(|l| {
            let l = l.trim_start_matches("async ");
            l.starts_with(&format!("def {name}("))
        })
    };
    let Some(up) = def("upgrade") else { return };
    let up_body = python_body(text, up);
    m.up_end = def("downgrade").filter(|d| *d > up).map(|d| d as u32 + 1);
    m.down = match def("downgrade") {
        None => Down::Missing {
            line: Some(up as u32 + 1),
            expected: "a `downgrade()` function".into(),
        },
        Some(down) => {
            let body = python_body(text, down);
            if is_noop(&up_body) {
                Down::Reversed
            } else if is_noop(&body) {
                Down::Hollow {
                    line: down as u32 + 1,
                    why: "downgrade() does nothing (only `pass`): it cannot be rolled back".into(),
                }
            } else if let Some((line, _)) = body.first().filter(|(_, s)| s.starts_with("raise")) {
                Down::Hollow {
                    line: *line,
                    why: "downgrade() raises instead of undoing the upgrade: it cannot be rolled back"
                        .into(),
                }
            } else {
                Down::Function
            }
        }
    };
}

/// The argument text of a call whose `(` is at byte `open`, across lines.
fn call_args(text: &str, open: usize) -> &str {
    let mut depth = 0usize;
    for (i, c) in text.get(open..).unwrap_or("").char_indices() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return text.get(open + 1..open + i).unwrap_or("");
                }
            }
            _ => {}
        }
    }
    text.get(open + 1..).unwrap_or("")
}

/// Whether call arguments pass the reverse: the `keyword`, or a second positional argument.
fn has_reverse(args: &str, keyword: &str) -> bool {
    if args.contains(keyword) {
        return true;
    }
    let mut depth = 0usize;
    let mut parts = vec![String::new()];
    for c in args.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                parts.push(String::new());
                continue;
            }
            _ => {}
        }
        if let Some(p) = parts.last_mut() {
            p.push(c);
        }
    }
    parts
        .get(1)
        .map(|p| p.trim())
        .is_some_and(|p| !p.is_empty() && !p.contains('='))
}

/// Django reverses its operations by itself, except `RunPython` without `reverse_code` and
/// `RunSQL` without `reverse_sql`.
fn django_down(text: &str) -> Down<'static> {
    for (call, keyword) in [("RunPython(", "reverse_code"), ("RunSQL(", "reverse_sql")] {
        for (at, _) in text.match_indices(call).take(MAX_CALLS) {
            let open = at + call.len() - 1;
            if !has_reverse(call_args(text, open), keyword) {
                return Down::Hollow {
                    line: line_at(text, at),
                    why: format!(
                        "`{call}...)` has no `{keyword}`, so Django cannot reverse this migration"
                    ),
                };
            }
        }
    }
    Down::Reversed
}

fn rails(m: &mut Migration<'_>) {
    let text = &m.up.text;
    let def = |name: &str| {
        text.lines().position(|l| {
            l.trim() == format!("def {name}") || l.trim().starts_with(&format!("def {name} "))
        })
    };
    let irreversible = text
        .lines()
        .position(|l| l.contains("IrreversibleMigration"))
        .map(|i| i as u32 + 1);
    m.down = match (def("change"), def("up"), def("down")) {
        (_, _, Some(_)) if irreversible.is_some() => Down::Hollow {
            line: irreversible.unwrap_or(1),
            why: "its down raises ActiveRecord::IrreversibleMigration: it cannot be rolled back"
                .into(),
        },
        (Some(_), _, _) => Down::Reversed,
        (None, Some(_), Some(_)) => Down::Function,
        (None, Some(up), None) => Down::Missing {
            line: Some(up as u32 + 1),
            expected: "a `def down`".into(),
        },
        (None, None, _) => Down::Reversed,
    };
    if let (Some(up), Some(down)) = (def("up"), def("down"))
        && down > up
    {
        m.up_end = Some(down as u32 + 1);
    }
}

/// Calls of ORM migration helpers that destroy data or break the running version, in the up
/// part of Alembic, JavaScript and Rails migrations.
pub(crate) fn call_changes(m: &Migration<'_>) -> Vec<Change> {
    let calls: &[(&str, &str)] = match m.tool {
        Tool::Alembic => &[
            ("op.drop_table(", "drops a table and all its rows"),
            (
                "op.drop_column(",
                "drops a column and its data, and the version still running reads it",
            ),
            (
                "op.rename_table(",
                "renames a table: the version still running (and the one a rollback returns to) queries the old name",
            ),
            (
                "new_column_name=",
                "renames a column: the version still running (and the one a rollback returns to) queries the old name",
            ),
        ],
        Tool::Django => &[
            (
                "migrations.DeleteModel(",
                "drops a model's table and all its rows",
            ),
            (
                "migrations.RemoveField(",
                "drops a column and its data, and the version still running reads it",
            ),
            (
                "migrations.RenameField(",
                "renames a column: the version still running (and the one a rollback returns to) queries the old name",
            ),
            (
                "migrations.RenameModel(",
                "renames a table: the version still running (and the one a rollback returns to) queries the old name",
            ),
        ],
        Tool::Knex | Tool::Sequelize | Tool::TypeOrm | Tool::JsMigrations => &[
            (".dropTable(", "drops a table and all its rows"),
            (".dropTableIfExists(", "drops a table and all its rows"),
            (
                ".dropColumn(",
                "drops a column and its data, and the version still running reads it",
            ),
            (
                ".dropColumns(",
                "drops columns and their data, and the version still running reads them",
            ),
            (
                "removeColumn(",
                "drops a column and its data, and the version still running reads it",
            ),
            (
                ".renameColumn(",
                "renames a column: the version still running (and the one a rollback returns to) queries the old name",
            ),
            (
                ".renameTable(",
                "renames a table: the version still running (and the one a rollback returns to) queries the old name",
            ),
            (".truncate(", "deletes every row of a table"),
        ],
        Tool::Rails => &[
            ("drop_table ", "drops a table and all its rows"),
            (
                "remove_column ",
                "drops a column and its data, and the version still running reads it",
            ),
            (
                "remove_columns ",
                "drops columns and their data, and the version still running reads them",
            ),
            (
                "rename_column ",
                "renames a column: the version still running (and the one a rollback returns to) queries the old name",
            ),
            (
                "rename_table ",
                "renames a table: the version still running (and the one a rollback returns to) queries the old name",
            ),
        ],
        _ => return Vec::new(),
    };
    let text = &m.up.text;
    let end = up_end_line(m);
    let comment = if matches!(m.tool, Tool::Alembic | Tool::Rails | Tool::Django) {
        "#"
    } else {
        "//"
    };
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let n = i as u32 + 1;
        if end.is_some_and(|e| n >= e) {
            break;
        }
        let code = line.split(comment).next().unwrap_or("");
        if let Some((_, what)) = calls.iter().find(|(c, _)| code.contains(c)) {
            let shown: String = code.trim().chars().take(80).collect();
            out.push(Change {
                line: n,
                message: format!("`{shown}` {what}"),
                destructive: true,
            });
        }
    }
    out
}

/// The line where the up part of an ORM migration ends (its down definition), if it does.
fn up_end_line(m: &Migration<'_>) -> Option<u32> {
    let text = &m.up.text;
    match m.tool {
        Tool::Knex | Tool::Sequelize | Tool::TypeOrm | Tool::JsMigrations => {
            match (JS_UP.find(text), JS_DOWN.find(text)) {
                (Some(u), Some(d)) if d.start() > u.start() => Some(line_at(text, d.start())),
                _ => None,
            }
        }
        _ => m.up_end,
    }
}

/// Most calls of one kind read in one migration file (real migrations hold a few dozen).
const MAX_CALLS: usize = 1_000;

/// Calls whose first argument is SQL: TypeORM/Sequelize `.query(`, knex `.raw(`, Alembic
/// `op.execute(`, Rails `execute`, Django `RunSQL(`.
const SQL_CALLS: &[&str] = &[
    ".query(",
    ".raw(",
    "op.execute(",
    "execute(",
    "execute ",
    "RunSQL(",
];

/// SQL passed as a string literal to the ORM's raw-SQL calls in the up part, read like a SQL
/// migration: (line of the statement, change).
pub(crate) fn embedded_sql(m: &Migration<'_>) -> Vec<Change> {
    if !matches!(
        m.tool,
        Tool::Alembic
            | Tool::Django
            | Tool::Knex
            | Tool::Sequelize
            | Tool::TypeOrm
            | Tool::JsMigrations
            | Tool::Rails
    ) {
        return Vec::new();
    }
    let text = m.up.text.as_str();
    let end = up_end_line(m);
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for call in SQL_CALLS {
        // Bounded: a hostile file with endless unclosed calls must not go quadratic.
        for (at, _) in text.match_indices(call).take(MAX_CALLS) {
            let start = at + call.len();
            let line = line_at(text, start);
            if end.is_some_and(|e| line >= e) || !seen.insert(start) {
                continue;
            }
            let Some((sql, sql_at)) = string_literal(text, start) else {
                continue;
            };
            let first = line_at(text, sql_at);
            for c in crate::delivery::schema_changes::Columns::default()
                .apply(&crate::delivery::sql::statements(sql))
            {
                out.push(Change {
                    line: first + c.line - 1,
                    message: c.message,
                    destructive: c.destructive,
                });
            }
        }
    }
    out.sort_by_key(|c| c.line);
    out
}

/// The string literal starting at `from` (after whitespace): its content and byte offset.
fn string_literal(text: &str, from: usize) -> Option<(&str, usize)> {
    let rest = text.get(from..)?;
    let skipped = rest.len() - rest.trim_start().len();
    let at = from + skipped;
    let rest = text.get(at..)?;
    for quote in ["\"\"\"", "'''", "`", "\"", "'"] {
        if let Some(body) = rest.strip_prefix(quote) {
            let close = body.find(quote)?;
            return Some((body.get(..close)?, at + quote.len()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(files: &[(&str, &str)]) -> Workspace {
        Workspace::from_texts(files)
    }

    fn summary(ws: &Workspace) -> Vec<String> {
        find(ws)
            .iter()
            .map(|m| {
                let down = match &m.down {
                    Down::File(f) => format!("file {}", f.path),
                    Down::Section { line, empty } => format!("section {line} empty={empty}"),
                    Down::Function => "function".into(),
                    Down::Reversed => "reversed".into(),
                    Down::Hollow { line, .. } => format!("hollow {line}"),
                    Down::Missing { .. } => "missing".into(),
                    Down::NotByDesign => "none by design".into(),
                };
                format!("{} {} {down}", m.tool.name(), m.name())
            })
            .collect()
    }

    #[test]
    fn recognises_layouts_and_their_downs() {
        let w = ws(&[
            ("db/migrations/2_b.up.sql", "CREATE TABLE b (id int);"),
            ("db/migrations/10_c.up.sql", "CREATE TABLE c (id int);"),
            ("db/migrations/2_b.down.sql", "DROP TABLE b;"),
            (
                "migrations/2024-01-01-000000_users/up.sql",
                "CREATE TABLE u (id int);",
            ),
            ("migrations/2024-01-01-000000_users/down.sql", "-- undo\n"),
            ("sql/V1.1__init.sql", "CREATE TABLE f (id int);"),
            ("sql/U1.1__init.sql", "DROP TABLE f;"),
            ("sql/R__views.sql", "CREATE VIEW v AS SELECT 1;"),
            (
                "prisma/migrations/20240101_init/migration.sql",
                "CREATE TABLE p (id int);",
            ),
            (
                "goose/migrations/001_x.sql",
                "-- +goose Up\nCREATE TABLE g (id int);\n-- +goose Down\nDROP TABLE g;\n",
            ),
            (
                "alembic/versions/abc_init.py",
                "def upgrade():\n    op.create_table('t')\n\n\ndef downgrade():\n    \"\"\"Nothing.\"\"\"\n    pass\n",
            ),
            (
                "alembic/versions/abc_merge.py",
                "def upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n",
            ),
            (
                "shop/migrations/0002_orders.py",
                "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.RunPython(fill_totals, migrations.RunPython.noop),\n        migrations.RunSQL(\n            \"UPDATE orders SET total = 0\",\n        ),\n    ]\n",
            ),
            (
                "api/migrations/20240101_users.js",
                "exports.up = function (knex) {\n  return knex.schema.dropTable('old');\n};\n",
            ),
            (
                "db/migrate/20240101000000_add_x.rb",
                "class AddX < ActiveRecord::Migration[7.1]\n  def up\n    add_column :users, :x, :string\n  end\nend\n",
            ),
            ("examples/migrations/1_x.up.sql", "DROP TABLE x;"),
        ]);
        assert_eq!(
            summary(&w),
            vec![
                "Alembic abc_init.py hollow 5",
                "Alembic abc_merge.py reversed",
                "knex 20240101_users.js missing",
                "Rails 20240101000000_add_x.rb missing",
                "golang-migrate/sqlx 2_b.up.sql file db/migrations/2_b.down.sql",
                "golang-migrate/sqlx 10_c.up.sql missing",
                "goose 001_x.sql section 3 empty=false",
                "diesel 2024-01-01-000000_users/up.sql file migrations/2024-01-01-000000_users/down.sql",
                "Prisma 20240101_init/migration.sql none by design",
                "Django 0002_orders.py hollow 7",
                "Flyway V1.1__init.sql file sql/U1.1__init.sql",
            ]
        );
    }

    #[test]
    fn up_parts_stop_at_the_down() {
        let w = ws(&[(
            "migrations/001_x.sql",
            "-- migrate:up\nALTER TABLE a DROP COLUMN b;\n-- migrate:down\nALTER TABLE a ADD COLUMN b int;\n",
        )]);
        let found = find(&w);
        assert_eq!(
            found[0].up_sql(),
            Some("-- migrate:up\nALTER TABLE a DROP COLUMN b;\n")
        );
        let js = ws(&[(
            "migrations/1_x.js",
            "exports.up = async (knex) => {\n  await knex.schema.table('u', (t) => t.dropColumn('a')); // old\n};\nexports.down = async (knex) => {\n  await knex.schema.dropTable('u');\n};\n",
        )]);
        let m = find(&js);
        let changes = call_changes(&m[0]);
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].line, 2);
    }

    #[test]
    fn raw_sql_in_orm_migrations_is_read() {
        let w = ws(&[(
            "src/migrations/1700000000000-DropAge.ts",
            "import { MigrationInterface, QueryRunner } from \"typeorm\";\n\nexport class DropAge1700000000000 implements MigrationInterface {\n    public async up(queryRunner: QueryRunner): Promise<void> {\n        await queryRunner.query(`ALTER TABLE \"user\"\n            DROP COLUMN \"age\"`);\n    }\n\n    public async down(queryRunner: QueryRunner): Promise<void> {\n        await queryRunner.query(`ALTER TABLE \"user\" ADD \"age\" integer`);\n        await queryRunner.query(`DROP TABLE \"tmp\"`);\n    }\n}\n",
        )]);
        let m = find(&w);
        assert_eq!(m[0].tool, Tool::TypeOrm);
        let changes = embedded_sql(&m[0]);
        assert_eq!(changes.len(), 1, "{changes:?}");
        assert_eq!(changes[0].line, 6);
        assert!(changes[0].message.starts_with("DROP COLUMN `user.age`"));
    }
}
