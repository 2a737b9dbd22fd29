//! What a SQL migration does to data that a rollback cannot undo: dropped tables and columns,
//! truncated or emptied tables, renames (the running version still uses the old name) and
//! column type changes, judged narrowing or widening against the column's earlier definition
//! in the same migration folder.

use crate::delivery::sql::{Statement, Token, TokenKind};
use std::collections::HashMap;

/// A statement of an up migration that loses data or breaks the version still running.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Change {
    pub line: u32,
    /// What it does, e.g. "DROP COLUMN `users.email`: ...".
    pub message: String,
    /// Whether it is a finding (false: a note for the evidence, e.g. a widening type change or
    /// one golive cannot judge).
    pub destructive: bool,
}

/// Column types seen so far in a migration folder, by (table, column), lowercase.
#[derive(Default)]
pub(crate) struct Columns {
    types: HashMap<(String, String), String>,
}

/// Words that end a column's type in a column definition.
const TYPE_END: &[&str] = &[
    "not",
    "null",
    "default",
    "primary",
    "references",
    "unique",
    "check",
    "constraint",
    "generated",
    "collate",
    "auto_increment",
    "identity",
    "comment",
    "first",
    "after",
    "using",
    "on",
    "character",
    "charset",
];

/// Table-level items of CREATE TABLE that are not columns.
const NOT_COLUMNS: &[&str] = &[
    "constraint",
    "primary",
    "unique",
    "foreign",
    "check",
    "key",
    "index",
    "exclude",
    "like",
    "fulltext",
    "spatial",
    "period",
];

impl Columns {
    /// Reads a migration's statements in order: records column types, and returns the changes
    /// that a rollback cannot undo.
    pub(crate) fn apply(&mut self, statements: &[Statement]) -> Vec<Change> {
        let mut out = Vec::new();
        for s in statements {
            self.statement(s, &mut out);
        }
        out
    }

    fn statement(&mut self, s: &Statement, out: &mut Vec<Change>) {
        let Some(first) = s.at(0) else { return };
        if first.is("create") {
            self.create_table(s);
        } else if first.is("drop") && s.at(1).is_some_and(|t| t.is("table")) {
            let names = names_from(s, 2);
            for (line, name) in names {
                out.push(Change {
                    line,
                    message: format!("DROP TABLE `{name}` deletes the table and all its rows"),
                    destructive: true,
                });
            }
        } else if first.is("truncate") {
            let start = if s.at(1).is_some_and(|t| t.is("table")) {
                2
            } else {
                1
            };
            for (line, name) in names_from(s, start) {
                out.push(Change {
                    line,
                    message: format!("TRUNCATE `{name}` deletes every row of the table"),
                    destructive: true,
                });
            }
        } else if first.is("delete") {
            let has_where = s.tokens.iter().any(|t| t.is("where"));
            if !has_where {
                let table = s
                    .tokens
                    .iter()
                    .position(|t| t.is("from"))
                    .and_then(|i| qualified_name(&s.tokens, i + 1))
                    .map(|(n, _)| n)
                    .unwrap_or_else(|| "?".into());
                out.push(Change {
                    line: first.line,
                    message: format!("DELETE FROM `{table}` without WHERE deletes every row"),
                    destructive: true,
                });
            }
        } else if first.is("rename") && s.at(1).is_some_and(|t| t.is("table")) {
            // MySQL: RENAME TABLE a TO b
            if let Some((from, next)) = qualified_name(&s.tokens, 2)
                && s.at(next).is_some_and(|t| t.is("to"))
                && let Some((to, _)) = qualified_name(&s.tokens, next + 1)
            {
                out.push(Change {
                    line: first.line,
                    message: format!(
                        "RENAME TABLE `{from}` to `{to}`: the version still running (and the one a rollback returns to) queries `{from}`"
                    ),
                    destructive: true,
                });
            }
        } else if first.is("alter") && s.at(1).is_some_and(|t| t.is("table")) {
            self.alter_table(s, out);
        }
    }

    fn create_table(&mut self, s: &Statement) {
        // CREATE [OR REPLACE] [TEMP|TEMPORARY|UNLOGGED|GLOBAL ...] TABLE [IF NOT EXISTS] name (
        let Some(table_at) = s.tokens.iter().position(|t| t.is("table")) else {
            return;
        };
        if s.tokens
            .iter()
            .take(table_at)
            .any(|t| t.is("temp") || t.is("temporary"))
        {
            return;
        }
        let mut i = table_at + 1;
        if s.keywords_at(i, &["if", "not", "exists"]) {
            i += 3;
        }
        let Some((table, next)) = qualified_name(&s.tokens, i) else {
            return;
        };
        if !s.at(next).is_some_and(|t| t.is_punct('(')) {
            return;
        }
        for item in split_top_level(&s.tokens[next + 1..]) {
            let Some(name) = item.first() else { continue };
            if !name.is_name() || (name.kind == TokenKind::Word && is_any(name, NOT_COLUMNS)) {
                continue;
            }
            if let Some(ty) = type_of(item.get(1..).unwrap_or(&[])) {
                self.types
                    .insert((table.to_lowercase(), name.text.to_lowercase()), ty);
            }
        }
    }

    fn alter_table(&mut self, s: &Statement, out: &mut Vec<Change>) {
        let mut i = 2;
        if s.keywords_at(i, &["if", "exists"]) {
            i += 2;
        }
        if s.at(i).is_some_and(|t| t.is("only")) {
            i += 1;
        }
        let Some((table, next)) = qualified_name(&s.tokens, i) else {
            return;
        };
        let rest = s.tokens.get(next..).unwrap_or(&[]);
        for action in split_top_level_actions(rest) {
            self.action(&table, action, out);
        }
    }

    fn action(&mut self, table: &str, a: &[Token], out: &mut Vec<Change>) {
        let Some(first) = a.first() else { return };
        let kw = |i: usize, k: &str| a.get(i).is_some_and(|t| t.is(k));
        let key = |c: &str| (table.to_lowercase(), c.to_lowercase());
        if first.is("add") {
            // ADD [COLUMN] [IF NOT EXISTS] name type
            let mut i = 1;
            if kw(i, "column") {
                i += 1;
            } else if a
                .get(i)
                .is_some_and(|t| t.kind == TokenKind::Word && is_any(t, NOT_COLUMNS))
            {
                return;
            }
            if kw(i, "if") && kw(i + 1, "not") && kw(i + 2, "exists") {
                i += 3;
            }
            if let Some(name) = a.get(i).filter(|t| t.is_name())
                && let Some(ty) = type_of(a.get(i + 1..).unwrap_or(&[]))
            {
                self.types.insert(key(&name.text), ty);
            }
        } else if first.is("drop") {
            // DROP [COLUMN] [IF EXISTS] name; DROP CONSTRAINT/INDEX/... are not data.
            let mut i = 1;
            if kw(i, "column") {
                i += 1;
            } else if a.get(i).is_some_and(|t| {
                t.kind == TokenKind::Word
                    && (is_any(t, NOT_COLUMNS)
                        || is_any(
                            t,
                            &["default", "not", "partition", "identity", "expression"],
                        ))
            }) {
                return;
            }
            if kw(i, "if") && kw(i + 1, "exists") {
                i += 2;
            }
            if let Some(name) = a.get(i).filter(|t| t.is_name()) {
                self.types.remove(&key(&name.text));
                out.push(Change {
                    line: first.line,
                    message: format!(
                        "DROP COLUMN `{table}.{}` deletes the column's data, and the version still running reads it",
                        name.text
                    ),
                    destructive: true,
                });
            }
        } else if first.is("rename") {
            // RENAME [COLUMN] a TO b | RENAME TO t | RENAME CONSTRAINT/INDEX ...
            if kw(1, "to") || kw(1, "as") {
                let to = a.get(2).map(|t| t.text.as_str()).unwrap_or("?");
                out.push(Change {
                    line: first.line,
                    message: format!(
                        "RENAME TABLE `{table}` to `{to}`: the version still running (and the one a rollback returns to) queries `{table}`"
                    ),
                    destructive: true,
                });
                return;
            }
            let i = if kw(1, "column") { 2 } else { 1 };
            if a.get(i).is_some_and(|t| {
                t.kind == TokenKind::Word && is_any(t, &["constraint", "index", "key"])
            }) {
                return;
            }
            if let (Some(from), true, Some(to)) = (a.get(i), kw(i + 1, "to"), a.get(i + 2)) {
                if let Some(ty) = self.types.remove(&key(&from.text)) {
                    self.types.insert(key(&to.text), ty);
                }
                out.push(Change {
                    line: first.line,
                    message: format!(
                        "RENAME COLUMN `{table}.{}` to `{}`: the version still running (and the one a rollback returns to) queries `{}`",
                        from.text, to.text, from.text
                    ),
                    destructive: true,
                });
            }
        } else if first.is("alter") || first.is("modify") {
            // PostgreSQL: ALTER [COLUMN] c [SET DATA] TYPE t; SQL Server: ALTER COLUMN c t;
            // MySQL: MODIFY [COLUMN] c t.
            let mut i = 1;
            if kw(i, "column") {
                i += 1;
            }
            let Some(name) = a.get(i).filter(|t| t.is_name()) else {
                return;
            };
            let mut j = i + 1;
            if kw(j, "set") && kw(j + 1, "data") && kw(j + 2, "type") {
                j += 3;
            } else if kw(j, "type") {
                j += 1;
            } else if first.is("alter")
                && (kw(j, "set") || kw(j, "drop") || kw(j, "add") || kw(j, "reset"))
            {
                return;
            }
            if let Some(new) = type_of(a.get(j..).unwrap_or(&[])) {
                self.type_change(table, &name.text, new, first.line, out);
            }
        } else if first.is("change") {
            // MySQL: CHANGE [COLUMN] old new type
            let i = if kw(1, "column") { 2 } else { 1 };
            if let (Some(old), Some(new_name)) = (a.get(i), a.get(i + 1)) {
                if !old.text.eq_ignore_ascii_case(&new_name.text) {
                    out.push(Change {
                        line: first.line,
                        message: format!(
                            "CHANGE COLUMN renames `{table}.{}` to `{}`: the version still running (and the one a rollback returns to) queries `{}`",
                            old.text, new_name.text, old.text
                        ),
                        destructive: true,
                    });
                }
                if let Some(ty) = type_of(a.get(i + 2..).unwrap_or(&[])) {
                    self.type_change(table, &old.text, ty.clone(), first.line, out);
                    self.types.insert(key(&new_name.text), ty);
                }
            }
        }
    }

    fn type_change(
        &mut self,
        table: &str,
        column: &str,
        new: String,
        line: u32,
        out: &mut Vec<Change>,
    ) {
        let key = (table.to_lowercase(), column.to_lowercase());
        let old = self.types.insert(key, new.clone());
        let what = format!("`{table}.{column}`");
        match old.as_deref().map(|o| (o, narrows(o, &new))) {
            Some((old, Some(true))) => out.push(Change {
                line,
                message: format!(
                    "changes {what} from {old} to {new}, a narrower type: values the old type holds may not fit (the ALTER fails, or truncates them)"
                ),
                destructive: true,
            }),
            Some((old, Some(false))) => out.push(Change {
                line,
                message: format!("changes {what} from {old} to {new} (not narrower)"),
                destructive: false,
            }),
            Some((old, None)) => out.push(Change {
                line,
                message: format!(
                    "changes {what} from {old} to {new}: golive cannot tell whether this narrows it; check that every value converts"
                ),
                destructive: false,
            }),
            None => out.push(Change {
                line,
                message: format!(
                    "changes the type of {what} to {new}: golive cannot tell whether this narrows it (no earlier definition of the column in these migrations)"
                ),
                destructive: false,
            }),
        }
    }
}

fn is_any(t: &Token, words: &[&str]) -> bool {
    words.iter().any(|w| t.is(w))
}

/// A possibly schema-qualified name at `i` (`public.users`, `"Users"`): its last part and
/// the index after it.
fn qualified_name(tokens: &[Token], mut i: usize) -> Option<(String, usize)> {
    let mut name = tokens.get(i).filter(|t| t.is_name())?.text.clone();
    i += 1;
    while tokens.get(i).is_some_and(|t| t.is_punct('.')) {
        name = tokens.get(i + 1).filter(|t| t.is_name())?.text.clone();
        i += 2;
    }
    Some((name, i))
}

/// The comma-separated names after `start` (`DROP TABLE IF EXISTS a, b CASCADE`).
fn names_from(s: &Statement, mut start: usize) -> Vec<(u32, String)> {
    if s.keywords_at(start, &["if", "exists"]) {
        start += 2;
    }
    let mut out = Vec::new();
    let mut i = start;
    while let Some((name, next)) = qualified_name(&s.tokens, i) {
        let line = s.at(i).map(|t| t.line).unwrap_or(s.line());
        out.push((line, name));
        if s.at(next).is_some_and(|t| t.is_punct(',')) {
            i = next + 1;
        } else {
            break;
        }
    }
    out
}

/// Splits the items of a parenthesised list at top-level commas, up to its closing `)`.
fn split_top_level(tokens: &[Token]) -> Vec<&[Token]> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.is_punct('(') {
            depth += 1;
        } else if t.is_punct(')') {
            if depth == 0 {
                out.push(&tokens[start..i]);
                return out;
            }
            depth -= 1;
        } else if t.is_punct(',') && depth == 0 {
            out.push(&tokens[start..i]);
            start = i + 1;
        }
    }
    out.push(&tokens[start..]);
    out
}

/// Splits ALTER TABLE actions at top-level commas.
fn split_top_level_actions(tokens: &[Token]) -> Vec<&[Token]> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.is_punct('(') {
            depth += 1;
        } else if t.is_punct(')') {
            depth = depth.saturating_sub(1);
        } else if t.is_punct(',') && depth == 0 {
            out.push(&tokens[start..i]);
            start = i + 1;
        }
    }
    out.push(&tokens[start..]);
    out
}

/// A column type written at the start of `tokens`, normalised (`varchar(255)`,
/// `numeric(10,2)`, `timestamp with time zone`).
fn type_of(tokens: &[Token]) -> Option<String> {
    let mut out = String::new();
    let mut depth = 0usize;
    for t in tokens {
        if depth == 0 {
            if t.is_punct(',') || t.is_punct(')') {
                break;
            }
            if t.kind == TokenKind::Word && !out.is_empty() && is_any(t, TYPE_END) {
                break;
            }
            if t.kind == TokenKind::Literal {
                break;
            }
        }
        if t.is_punct('(') {
            depth += 1;
        } else if t.is_punct(')') {
            depth = depth.saturating_sub(1);
        }
        let glue = t.kind == TokenKind::Punct || out.ends_with('(') || out.ends_with(',');
        if !out.is_empty() && !glue {
            out.push(' ');
        }
        out.push_str(&t.text.to_lowercase());
    }
    (!out.is_empty() && out.chars().next().is_some_and(char::is_alphabetic)).then_some(out)
}

/// A column type's family and size, for comparing an old type with a new one.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Family {
    /// Integers by byte width.
    Int(u8),
    /// Floating point by byte width.
    Float(u8),
    /// Exact numerics: precision and scale when written.
    Decimal(Option<(u32, u32)>),
    /// Character strings: maximum length, None when unbounded.
    Text(Option<u32>),
}

fn family(ty: &str) -> Option<Family> {
    let (base, args) = match ty.split_once('(') {
        Some((b, rest)) => (b.trim(), rest.trim_end_matches(')')),
        None => (ty.trim(), ""),
    };
    let nums: Vec<u32> = args
        .split(',')
        .filter_map(|n| n.trim().parse().ok())
        .collect();
    let base = base.trim_end_matches(" unsigned");
    Some(match base {
        "tinyint" => Family::Int(1),
        "smallint" | "int2" | "smallserial" => Family::Int(2),
        "mediumint" => Family::Int(3),
        "int" | "integer" | "int4" | "serial" => Family::Int(4),
        "bigint" | "int8" | "bigserial" => Family::Int(8),
        "real" | "float4" => Family::Float(4),
        "double precision" | "double" | "float8" | "float" => Family::Float(8),
        "numeric" | "decimal" | "number" => Family::Decimal(match nums.as_slice() {
            [p] => Some((*p, 0)),
            [p, s, ..] => Some((*p, *s)),
            _ => None,
        }),
        "text" | "longtext" | "mediumtext" | "clob" | "citext" => Family::Text(None),
        "tinytext" => Family::Text(Some(255)),
        "varchar" | "character varying" | "nvarchar" | "varchar2" | "char" | "character"
        | "nchar" | "bpchar" => Family::Text(nums.first().copied().or(
            if base == "char" || base == "character" || base == "nchar" {
                Some(1)
            } else {
                None
            },
        )),
        _ => return None,
    })
}

/// Whether changing a column from `old` to `new` narrows it: Some(true) narrower, Some(false)
/// the same or wider, None when golive cannot tell.
fn narrows(old: &str, new: &str) -> Option<bool> {
    if old == new {
        return Some(false);
    }
    let (o, n) = (family(old)?, family(new)?);
    Some(match (o, n) {
        (Family::Int(a), Family::Int(b)) | (Family::Float(a), Family::Float(b)) => b < a,
        (Family::Text(a), Family::Text(b)) => match (a, b) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(a), Some(b)) => b < a,
        },
        (Family::Decimal(a), Family::Decimal(b)) => match (a, b) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some((p1, s1)), Some((p2, s2))) => p2 < p1 || s2 < s1 || (p2 - s2) < (p1 - s1),
        },
        // Anything becomes unbounded text.
        (_, Family::Text(None)) => false,
        // Text to a number, or a fraction to an integer: not every value converts.
        (Family::Text(_), _) | (Family::Decimal(_) | Family::Float(_), Family::Int(_)) => true,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::sql::statements;

    fn changes(sqls: &[&str]) -> Vec<(u32, bool, String)> {
        let mut cols = Columns::default();
        let mut out = Vec::new();
        for sql in sqls {
            out = cols
                .apply(&statements(sql))
                .into_iter()
                .map(|c| (c.line, c.destructive, c.message))
                .collect();
        }
        out
    }

    #[test]
    fn drops_truncates_deletes_and_renames() {
        let got = changes(&[
            "DROP TABLE IF EXISTS public.a, b CASCADE;\nTRUNCATE TABLE c;\nDELETE FROM d;\nDELETE FROM e WHERE id = 1;\nALTER TABLE f DROP COLUMN IF EXISTS g, DROP CONSTRAINT h, RENAME COLUMN i TO j;\nALTER TABLE k RENAME TO l;\nRENAME TABLE m TO n;\nALTER TABLE o DROP p;\nALTER TABLE q ALTER COLUMN r DROP DEFAULT;\nDROP INDEX s;",
        ]);
        let messages: Vec<String> = got.iter().map(|(l, d, m)| format!("{l} {d} {m}")).collect();
        assert_eq!(messages.len(), 9, "{messages:#?}");
        assert!(messages[0].starts_with("1 true DROP TABLE `a`"));
        assert!(messages[1].starts_with("1 true DROP TABLE `b`"));
        assert!(messages[2].starts_with("2 true TRUNCATE `c`"));
        assert!(messages[3].starts_with("3 true DELETE FROM `d` without WHERE"));
        assert!(messages[4].starts_with("5 true DROP COLUMN `f.g`"));
        assert!(messages[5].starts_with("5 true RENAME COLUMN `f.i` to `j`"));
        assert!(messages[6].starts_with("6 true RENAME TABLE `k` to `l`"));
        assert!(messages[7].starts_with("7 true RENAME TABLE `m` to `n`"));
        assert!(messages[8].starts_with("8 true DROP COLUMN `o.p`"));
    }

    #[test]
    fn type_changes_are_judged_against_earlier_definitions() {
        let got = changes(&[
            "CREATE TABLE users (id bigint PRIMARY KEY, name varchar(200) NOT NULL, bio text, score numeric(10,2), CONSTRAINT pk UNIQUE (name));",
            "ALTER TABLE users ADD COLUMN age integer;",
            "ALTER TABLE users ALTER COLUMN name TYPE varchar(50);\nALTER TABLE users ALTER COLUMN bio SET DATA TYPE varchar(1000);\nALTER TABLE users ALTER COLUMN age TYPE bigint;\nALTER TABLE users MODIFY COLUMN score numeric(12,2);\nALTER TABLE users ALTER COLUMN id TYPE int USING id::int;\nALTER TABLE other ALTER COLUMN x TYPE int;",
        ]);
        let got: Vec<(u32, bool)> = got.iter().map(|(l, d, _)| (*l, *d)).collect();
        assert_eq!(
            got,
            vec![
                (1, true),
                (2, true),
                (3, false),
                (4, false),
                (5, true),
                (6, false)
            ]
        );
    }

    #[test]
    fn families_compare() {
        assert_eq!(narrows("varchar(200)", "varchar(50)"), Some(true));
        assert_eq!(narrows("varchar(50)", "text"), Some(false));
        assert_eq!(narrows("text", "integer"), Some(true));
        assert_eq!(narrows("integer", "bigint"), Some(false));
        assert_eq!(narrows("numeric(10,2)", "numeric(10,4)"), Some(true));
        assert_eq!(narrows("timestamp", "timestamptz"), None);
    }
}
