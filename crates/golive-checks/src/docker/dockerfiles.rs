//! What every docker check reads the same way: which Dockerfiles parsed (and why the others are
//! skipped), the instruction a stage starts with, the chain of stages a stage is built on, the
//! build variables in scope at an instruction, and where an instruction is in its file.

use golive_core::parse::dockerfile::{Dockerfile, Instruction, Stage};
use golive_core::workspace::{FileKind, SourceFile, Workspace};
use golive_core::{Evidence, Location};
use std::collections::BTreeMap;

/// A Dockerfile that parsed and has at least one stage.
pub(crate) struct Parsed<'a> {
    pub file: &'a SourceFile,
    pub df: &'a Dockerfile,
}

/// The repository's Dockerfiles as the docker checks see them.
pub(crate) struct Dockerfiles<'a> {
    pub parsed: Vec<Parsed<'a>>,
    /// One note per Dockerfile that is not checked, saying why.
    pub skipped: Vec<Evidence>,
}

/// Reads every Dockerfile once. Files that do not parse are `parse/invalid-dockerfile`'s job and
/// are skipped here with a note, as are templates, files without instructions and development
/// images (see [`is_development_image`]).
pub(crate) fn read(ws: &Workspace) -> Dockerfiles<'_> {
    let mut out = Dockerfiles {
        parsed: Vec::new(),
        skipped: Vec::new(),
    };
    for file in ws.files_of(FileKind::Dockerfile) {
        if is_development_image(&file.path) {
            out.skipped.push(Evidence::file(
                &file.path,
                "not checked: a development image (dev container or Dockerfile.dev), not shipped to production",
            ));
            continue;
        }
        match file.dockerfile() {
            Some(Ok(df)) if df.stages.is_empty() => out.skipped.push(Evidence::file(
                &file.path,
                "not checked: no instructions (docker build refuses an empty Dockerfile)",
            )),
            Some(Ok(df)) => out.parsed.push(Parsed { file, df }),
            Some(Err(_)) if is_template(&file.text) => out.skipped.push(Evidence::file(
                &file.path,
                "not checked: a template (`{{ }}` or `{% %}`), not a Dockerfile until rendered",
            )),
            Some(Err(e)) => out.skipped.push(Evidence::file(
                &file.path,
                format!(
                    "not checked: does not parse at line {} (see parse/invalid-dockerfile)",
                    e.line
                ),
            )),
            None => {}
        }
    }
    out
}

/// Dockerfiles that build development environments, not the images that run in production:
/// anything under `.devcontainer/`, and files whose name says dev, local or test
/// (`Dockerfile.dev`, `Dockerfile.local`, `test.Dockerfile`, `api.dev.dockerfile`).
pub(crate) fn is_development_image(path: &str) -> bool {
    if path.split('/').any(|part| part == ".devcontainer") {
        return true;
    }
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    name.split('.').any(|word| {
        matches!(
            word,
            "dev" | "development" | "devcontainer" | "local" | "test" | "tests"
        )
    })
}

/// Whether a file that fails to parse is a template (Jinja, Go templates, ...) rather than a
/// broken Dockerfile: its template actions are what makes it unparsable.
pub(crate) fn is_template(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// The FROM instruction that starts a stage.
pub(crate) fn from_instruction<'d>(df: &'d Dockerfile, stage: &Stage) -> Option<&'d Instruction> {
    let index = stage.instructions.start.checked_sub(1)?;
    df.instructions.get(index).filter(|i| i.keyword == "FROM")
}

/// How a stage is named in messages: `build` for `AS build`, otherwise its position (`#0`).
pub(crate) fn stage_name(stage: &Stage) -> String {
    match &stage.alias {
        Some(alias) => format!("`{alias}`"),
        None => format!("#{}", stage.index),
    }
}

/// How the final stage is named in messages: "the final stage `runtime`" or "the final stage".
pub(crate) fn final_stage_label(stage: &Stage) -> String {
    match &stage.alias {
        Some(alias) => format!("the final stage `{alias}`"),
        None => "the final stage".to_string(),
    }
}

/// The first line of an instruction, from its keyword to the end of the line.
pub(crate) fn instruction_location(file: &SourceFile, instruction: &Instruction) -> Location {
    let end_column = file
        .line_text(instruction.line)
        .map(|text| count_u32(text.trim_end().chars().count()).saturating_add(1))
        .unwrap_or(instruction.column)
        .max(instruction.column);
    Location {
        path: file.path.clone(),
        line: instruction.line,
        column: instruction.column,
        end_line: instruction.line,
        end_column,
    }
}

/// A stage, then the stage it is built on (`FROM builder`), and so on back to the stage built on
/// a real image. Each link points at an earlier stage, so the chain always ends.
pub(crate) fn base_chain<'d>(df: &'d Dockerfile, stage: &'d Stage) -> Vec<&'d Stage> {
    let mut chain = vec![stage];
    let mut current = stage;
    while let Some(base) = df.base_stage(current) {
        if base.index >= current.index {
            break;
        }
        chain.push(base);
        current = base;
    }
    chain
}

/// Build variables known at an instruction: ENV inherited from the stages the stage is built on,
/// and the stage's own ARG and ENV declared before the instruction (an ARG without a default
/// takes the global ARG's default, as BuildKit does). `None` means declared without a value.
/// Variables that come from the base image (its ENV) are not known here.
pub(crate) fn variables_at(
    df: &Dockerfile,
    stage: &Stage,
    instruction_index: usize,
) -> BTreeMap<String, Option<String>> {
    let globals = df.args_before_from();
    let mut env: BTreeMap<String, Option<String>> = BTreeMap::new();
    let mut chain = base_chain(df, stage);
    chain.reverse();
    let mut scope = BTreeMap::new();
    for link in chain {
        // ARGs do not cross stages; ENV does.
        scope = env.clone();
        let end = if link.index == stage.index {
            instruction_index.min(link.instructions.end)
        } else {
            link.instructions.end
        };
        let Some(instructions) = df.instructions.get(link.instructions.start..end) else {
            continue;
        };
        for instruction in instructions {
            let is_env = match instruction.keyword.as_str() {
                "ENV" => true,
                "ARG" => false,
                _ => continue,
            };
            for (name, value) in df.key_values(instruction) {
                let value = match value {
                    Some(raw) => expand(&raw, df.escape, &scope).ok(),
                    None if is_env => None,
                    None => globals.get(&name).cloned().flatten(),
                };
                if is_env {
                    env.insert(name.clone(), value.clone());
                }
                scope.insert(name, value);
            }
        }
    }
    scope
}

/// Expands `$NAME`, `${NAME}`, `${NAME:-word}`, `${NAME-word}`, `${NAME:+word}` and
/// `${NAME+word}` from `vars`. The escape character before `$` gives a literal `$`. Fails with
/// the name of the first variable that has no known value (or the text of an expansion it does
/// not understand).
pub(crate) fn expand(
    text: &str,
    escape: char,
    vars: &BTreeMap<String, Option<String>>,
) -> Result<String, String> {
    expand_depth(text, escape, vars, 0)
}

const MAX_DEPTH: usize = 16;

fn expand_depth(
    text: &str,
    escape: char,
    vars: &BTreeMap<String, Option<String>>,
    depth: usize,
) -> Result<String, String> {
    if depth > MAX_DEPTH {
        return Err(text.to_string());
    }
    let lookup = |name: &str| vars.get(name).cloned().flatten();
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == escape && chars.peek() == Some(&'$') {
            out.push('$');
            chars.next();
            continue;
        }
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some('{') => {
                chars.next();
                let mut inner = String::new();
                let mut open = 1usize;
                for n in chars.by_ref() {
                    match n {
                        '{' => open += 1,
                        '}' => {
                            open -= 1;
                            if open == 0 {
                                break;
                            }
                        }
                        _ => {}
                    }
                    inner.push(n);
                }
                if open != 0 {
                    return Err(format!("${{{inner}"));
                }
                let name_end = inner
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                    .unwrap_or(inner.len());
                let (name, operation) = inner.split_at(name_end);
                if name.is_empty() {
                    return Err(format!("${{{inner}}}"));
                }
                let value = lookup(name);
                let set = vars.get(name).is_some_and(Option::is_some);
                let word = |w: &str| expand_depth(w, escape, vars, depth + 1);
                let expanded = if operation.is_empty() {
                    value.ok_or_else(|| name.to_string())?
                } else if let Some(w) = operation.strip_prefix(":-") {
                    match value.filter(|v| !v.is_empty()) {
                        Some(v) => v,
                        None => word(w)?,
                    }
                } else if let Some(w) = operation.strip_prefix(":+") {
                    if value.is_some_and(|v| !v.is_empty()) {
                        word(w)?
                    } else {
                        String::new()
                    }
                } else if let Some(w) = operation.strip_prefix('-') {
                    match value {
                        Some(v) => v,
                        None if set => String::new(),
                        None => word(w)?,
                    }
                } else if let Some(w) = operation.strip_prefix('+') {
                    if set { word(w)? } else { String::new() }
                } else {
                    return Err(format!("${{{inner}}}"));
                };
                out.push_str(&expanded);
            }
            Some(n) if n.is_ascii_alphabetic() || n == '_' => {
                let mut name = String::new();
                while let Some(&n) = chars.peek() {
                    if n.is_ascii_alphanumeric() || n == '_' {
                        name.push(n);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push_str(&lookup(&name).ok_or(name)?);
            }
            _ => out.push('$'),
        }
    }
    Ok(out)
}

fn count_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use golive_core::parse::dockerfile::parse;

    fn vars(pairs: &[(&str, Option<&str>)]) -> BTreeMap<String, Option<String>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.map(str::to_string)))
            .collect()
    }

    #[test]
    fn expands_the_forms_buildkit_knows() {
        let v = vars(&[("UID", Some("10001")), ("EMPTY", Some("")), ("NOVAL", None)]);
        let e = |s: &str| expand(s, '\\', &v);
        assert_eq!(e("$UID:${UID}"), Ok("10001:10001".into()));
        assert_eq!(e("${MISSING:-65532}"), Ok("65532".into()));
        assert_eq!(e("${EMPTY:-7}/${EMPTY-7}"), Ok("7/".into()));
        assert_eq!(e("${UID:+set}${MISSING:+x}"), Ok("set".into()));
        assert_eq!(e("${MISSING:-${UID}}"), Ok("10001".into()));
        assert_eq!(e("\\$UID"), Ok("$UID".into()));
        assert_eq!(e("$APP_UID"), Err("APP_UID".into()));
        assert_eq!(e("${NOVAL}"), Err("NOVAL".into()));
        assert_eq!(e("${UID#1}"), Err("${UID#1}".into()));
        assert_eq!(e("${UID"), Err("${UID".into()));
        assert_eq!(e("$1 costs $"), Ok("$1 costs $".into()));
    }

    #[test]
    fn development_images_are_recognised_by_path() {
        for dev in [
            ".devcontainer/Dockerfile",
            "tools/.devcontainer/Dockerfile.base",
            "Dockerfile.dev",
            "services/api/Dockerfile.local",
            "test.Dockerfile",
            "api.dev.dockerfile",
        ] {
            assert!(is_development_image(dev), "{dev}");
        }
        for prod in [
            "Dockerfile",
            "Dockerfile.prod",
            "devtools/Dockerfile",
            "services/latest/Dockerfile",
            "Containerfile",
        ] {
            assert!(!is_development_image(prod), "{prod}");
        }
    }

    #[test]
    fn variables_follow_stages_args_and_env() {
        let df = parse(
            "ARG UID=10001\nARG GID\nFROM alpine:3.20 AS base\nARG UID\nENV APP_UID=$UID\nFROM base AS final\nARG GID=2000\nUSER $APP_UID:$GID\n",
        )
        .unwrap();
        let last = df.stages.last().unwrap();
        let user_index = df.instructions.len() - 1;
        let v = variables_at(&df, last, user_index);
        assert_eq!(v.get("APP_UID"), Some(&Some("10001".to_string())));
        assert_eq!(v.get("GID"), Some(&Some("2000".to_string())));
        // The base stage's ARG does not cross into the final stage.
        assert_eq!(v.get("UID"), None);
        let chain: Vec<usize> = base_chain(&df, last).iter().map(|s| s.index).collect();
        assert_eq!(chain, [1, 0]);
    }
}
