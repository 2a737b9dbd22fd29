//! Dockerfile parser (BuildKit-compatible): directives, continuations, flags, heredocs, stages.
//!
//! The parser follows BuildKit's own rules rather than a grammar of its own:
//!
//! * Parser directives (`# syntax=`, `# escape=`, `# check=`) are read only from the leading lines;
//!   the first line that is not a known directive (a comment, a blank line, an instruction or an
//!   unknown `# name=value`) ends them.
//! * A line whose last non-blank character is the escape character continues on the next line.
//!   The escape character and the blanks after it are removed and the next line is appended as it
//!   is (its leading whitespace kept, no separator added), exactly as BuildKit joins them. Comment
//!   lines and blank lines inside a continuation are skipped.
//! * Leading `--name[=value]` words are flags; quotes and `\` escapes in them are removed.
//! * `RUN`, `COPY` and `ADD` in shell form may carry heredocs (`<<EOF`, `<<-EOF`, `<<"EOF"`,
//!   several per line); their bodies follow the instruction line, one after another.
//!
//! Errors are returned only for what BuildKit itself rejects; everything else is accepted.

use crate::text::strip_bom;
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

/// Every instruction keyword BuildKit accepts (uppercased).
const KEYWORDS: &[&str] = &[
    "ADD",
    "ARG",
    "CMD",
    "COPY",
    "ENTRYPOINT",
    "ENV",
    "EXPOSE",
    "FROM",
    "HEALTHCHECK",
    "LABEL",
    "MAINTAINER",
    "ONBUILD",
    "RUN",
    "SHELL",
    "STOPSIGNAL",
    "USER",
    "VOLUME",
    "WORKDIR",
];

/// Instructions whose arguments may be a JSON array (HEALTHCHECK is handled on its own).
const JSON_CAPABLE: &[&str] = &["ADD", "CMD", "COPY", "ENTRYPOINT", "RUN", "SHELL", "VOLUME"];

/// Instructions that may carry heredocs (in shell form only).
const HEREDOC_CAPABLE: &[&str] = &["ADD", "COPY", "RUN"];

/// Parser directives BuildKit knows; any other `# name=value` line is a plain comment.
const KNOWN_DIRECTIVES: &[&str] = &["syntax", "escape", "check"];

/// Deepest nesting of `${A:-${B:-...}}` that is expanded; deeper text is kept as written.
const MAX_EXPANSION_DEPTH: usize = 32;

/// A parsed Dockerfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dockerfile {
    /// Parser directives from the top of the file, in order.
    pub directives: Vec<Directive>,
    /// Every instruction, in order (ARGs before the first FROM included).
    pub instructions: Vec<Instruction>,
    /// Build stages, one per FROM, in order.
    pub stages: Vec<Stage>,
    /// The escape character in force: `\` unless `# escape=`` ` `` chose a backtick.
    pub escape: char,
}

/// A parser directive such as `# syntax=docker/dockerfile:1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Directive {
    /// Lowercased name: `syntax`, `escape` or `check`.
    pub name: String,
    pub value: String,
    pub line: u32,
}

/// One instruction, with its continuation lines joined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Uppercased keyword, e.g. `RUN`.
    pub keyword: String,
    /// 1-based line of the keyword.
    pub line: u32,
    /// 1-based character column of the keyword.
    pub column: u32,
    /// Last physical line of the instruction, continuation lines and heredoc bodies included.
    pub end_line: u32,
    /// Leading `--name[=value]` flags, in order; repeatable ones (`--mount`) may appear more than
    /// once.
    pub flags: Vec<Flag>,
    /// The arguments after the flags, trimmed; continuation lines joined as BuildKit joins them.
    pub args: String,
    /// The arguments as a JSON array of strings, when they are one (exec form). For HEALTHCHECK this
    /// is the part after `CMD`. Only for instructions that accept a JSON form.
    pub exec_form: Option<Vec<String>>,
    /// Heredocs of a shell-form RUN, COPY or ADD, in order. For `ONBUILD RUN <<EOF` they are on the
    /// wrapped instruction.
    pub heredocs: Vec<Heredoc>,
    /// For ONBUILD, the wrapped instruction (same line; same end_line).
    pub onbuild: Option<Box<Instruction>>,
}

/// A leading `--name[=value]` flag, without its dashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub name: String,
    /// `None` for a bare `--link`; `Some("")` for `--name=`.
    pub value: Option<String>,
}

/// A heredoc of RUN, COPY or ADD.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heredoc {
    /// The delimiter word with its quotes removed (`EOF` for `<<"EOF"`).
    pub delimiter: String,
    /// The body, each line ending in `\n` (CRLF turned into LF); for `<<-` leading tabs are removed
    /// from every line, as the shell does.
    pub body: String,
    /// 1-based line where the body starts (the terminator's line when the body is empty).
    pub line: u32,
    /// `<<-`: leading tabs are stripped from the body and the terminator.
    pub chomp: bool,
    /// Whether variables in the body are expanded (false when the delimiter was quoted).
    pub expand: bool,
}

/// A build stage: one FROM and the instructions up to the next FROM.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stage {
    /// 0-based position among the stages.
    pub index: usize,
    /// Line of the FROM instruction.
    pub from_line: u32,
    /// The base image as written (ARGs not expanded); may name an earlier stage
    /// (see [`Dockerfile::base_stage`]).
    pub image: String,
    /// The `AS name`, lowercased as BuildKit does.
    pub alias: Option<String>,
    /// The `--platform` flag's value, as written.
    pub platform: Option<String>,
    /// Indices into [`Dockerfile::instructions`] of this stage's instructions (FROM excluded).
    pub instructions: Range<usize>,
}

/// Why a Dockerfile was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DockerfileError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl DockerfileError {
    fn new(line: u32, column: u32, message: impl Into<String>) -> DockerfileError {
        DockerfileError {
            line,
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for DockerfileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for DockerfileError {}

/// Parses a Dockerfile. A leading UTF-8 BOM and CRLF line endings are accepted.
///
/// A file with no instructions at all parses to an empty [`Dockerfile`] (BuildKit would refuse to
/// build it; callers can check `stages.is_empty()`).
pub fn parse(text: &str) -> Result<Dockerfile, DockerfileError> {
    let (text, _) = strip_bom(text);
    let lines = physical_lines(text);
    let mut escape = '\\';
    let mut directives: Vec<Directive> = Vec::new();
    let mut idx = 0usize;

    while let Some(raw) = lines.get(idx) {
        let Some((name, value)) = directive_of(raw.trim_start()) else {
            break;
        };
        let line = line_number(idx);
        if directives.iter().any(|d| d.name == name) {
            return Err(DockerfileError::new(
                line,
                1,
                format!("only one {name} parser directive can be used"),
            ));
        }
        if name == "escape" {
            escape = match value.as_str() {
                "\\" => '\\',
                "`" => '`',
                _ => {
                    return Err(DockerfileError::new(
                        line,
                        1,
                        format!("invalid escape character `{value}`: must be ` or \\"),
                    ));
                }
            };
        }
        directives.push(Directive { name, value, line });
        idx += 1;
    }

    let mut instructions = Vec::new();
    while let Some(raw) = lines.get(idx).copied() {
        let start = idx;
        idx += 1;
        let first = raw.trim_start();
        if first.starts_with('#') {
            continue;
        }
        let indent = raw.chars().count().saturating_sub(first.chars().count());
        let column = count_u32(indent).saturating_add(1);
        let (head, mut continues) = split_continuation(first, escape);
        if !continues && head.is_empty() {
            continue;
        }
        let mut joined = head.to_string();
        let mut last = start;
        while continues {
            let Some(next) = lines.get(idx).copied() else {
                break;
            };
            last = idx;
            idx += 1;
            let trimmed = next.trim_start();
            if trimmed.starts_with('#') || trimmed.is_empty() {
                continue;
            }
            let (part, more) = split_continuation(next, escape);
            joined.push_str(part);
            continues = more;
        }

        let line = line_number(start);
        let mut instruction = build_instruction(&joined, line, column)
            .map_err(|message| DockerfileError::new(line, column, message))?;

        let effective = instruction.onbuild.as_deref().unwrap_or(&instruction);
        let may_have_heredocs = HEREDOC_CAPABLE.contains(&effective.keyword.as_str())
            && effective.exec_form.is_none()
            && joined.contains("<<");
        if may_have_heredocs {
            let mut heredocs = Vec::new();
            for spec in heredoc_specs(&joined) {
                let body_line = line_number(idx);
                let mut body = String::new();
                let mut terminated = false;
                while let Some(body_raw) = lines.get(idx).copied() {
                    last = idx;
                    idx += 1;
                    let candidate = if spec.chomp {
                        body_raw.trim_start_matches('\t')
                    } else {
                        body_raw
                    };
                    if candidate == spec.name {
                        terminated = true;
                        break;
                    }
                    body.push_str(candidate);
                    body.push('\n');
                }
                if !terminated {
                    return Err(DockerfileError::new(
                        line,
                        column,
                        format!("unterminated heredoc: no line `{}` ends it", spec.name),
                    ));
                }
                heredocs.push(Heredoc {
                    delimiter: spec.name,
                    body,
                    line: body_line,
                    chomp: spec.chomp,
                    expand: spec.expand,
                });
            }
            match instruction.onbuild.as_deref_mut() {
                Some(inner) => inner.heredocs = heredocs,
                None => instruction.heredocs = heredocs,
            }
        }

        let end_line = line_number(last);
        instruction.end_line = end_line;
        if let Some(inner) = instruction.onbuild.as_deref_mut() {
            inner.end_line = end_line;
        }
        instructions.push(instruction);
    }

    let stages = build_stages(&instructions)?;
    Ok(Dockerfile {
        directives,
        instructions,
        stages,
        escape,
    })
}

impl Dockerfile {
    /// The last stage: the one `docker build` produces without `--target`.
    pub fn final_stage(&self) -> Option<&Stage> {
        self.stages.last()
    }

    /// The instructions of one stage (FROM excluded).
    pub fn stage_instructions(&self, stage: &Stage) -> &[Instruction] {
        self.instructions
            .get(stage.instructions.clone())
            .unwrap_or(&[])
    }

    /// The stage named `name` (case-insensitive, as in `COPY --from=Builder`) or, for a number, the
    /// stage at that index (as in `COPY --from=0`).
    pub fn stage(&self, name: &str) -> Option<&Stage> {
        let lower = name.to_lowercase();
        self.stages
            .iter()
            .find(|s| s.alias.as_deref() == Some(lower.as_str()))
            .or_else(|| {
                let index: usize = name.parse().ok()?;
                self.stages.get(index)
            })
    }

    /// The earlier stage a stage is built on (`FROM builder`), if its image names one after global
    /// ARGs are expanded; `None` when it is built on a real image.
    pub fn base_stage(&self, stage: &Stage) -> Option<&Stage> {
        let base = self.expand_global_args(&stage.image).to_lowercase();
        self.stages
            .iter()
            .take(stage.index)
            .find(|s| s.alias.as_deref() == Some(base.as_str()))
    }

    /// Global ARGs (those before the first FROM): name to default value. Defaults have their quotes
    /// removed and earlier global ARGs expanded; `None` for an ARG without a default. A later
    /// declaration of the same name replaces an earlier one.
    pub fn args_before_from(&self) -> BTreeMap<String, Option<String>> {
        let mut vars: BTreeMap<String, Option<String>> = BTreeMap::new();
        for instruction in self.instructions.iter().take_while(|i| i.keyword != "FROM") {
            if instruction.keyword != "ARG" {
                continue;
            }
            for word in split_words(&instruction.args, self.escape) {
                let (name, value) = match word.split_once('=') {
                    Some((name, raw)) => {
                        let value = process_word(raw, self.escape, Some(&vars), 0);
                        (process_word(name, self.escape, None, 0), Some(value))
                    }
                    None => (process_word(&word, self.escape, None, 0), None),
                };
                if !name.is_empty() {
                    vars.insert(name, value);
                }
            }
        }
        vars
    }

    /// Substitutes `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:+alt}` and
    /// `${VAR+alt}` from the global ARG defaults. A variable with no known value (not a global ARG,
    /// an ARG without default, or a build-time one such as `$BUILDPLATFORM`) is left as written, so
    /// callers can still tell the value depends on a build argument. The escape character before `$`
    /// yields a literal `$`; quotes are not processed.
    pub fn expand_global_args(&self, s: &str) -> String {
        let vars = self.args_before_from();
        expand_vars(s, self.escape, &vars, 0)
    }

    /// The instruction's arguments split into words the way BuildKit splits them (quotes respected),
    /// with quotes and escapes then removed. Variables are not expanded.
    pub fn words(&self, instruction: &Instruction) -> Vec<String> {
        split_words(&instruction.args, self.escape)
            .iter()
            .map(|w| process_word(w, self.escape, None, 0))
            .collect()
    }

    /// Name/value pairs of ENV, LABEL and ARG (other keywords give none), quotes removed, variables
    /// not expanded. Handles both `ENV KEY=value ...` and the legacy `ENV KEY value with spaces`.
    /// ARGs without a default have a `None` value.
    pub fn key_values(&self, instruction: &Instruction) -> Vec<(String, Option<String>)> {
        let escape = self.escape;
        let words = split_words(&instruction.args, escape);
        let unquote = |s: &str| process_word(s, escape, None, 0);
        match instruction.keyword.as_str() {
            "ARG" => words
                .iter()
                .map(|w| match w.split_once('=') {
                    Some((k, v)) => (unquote(k), Some(unquote(v))),
                    None => (unquote(w), None),
                })
                .collect(),
            "ENV" | "LABEL" => {
                let Some(first) = words.first() else {
                    return Vec::new();
                };
                if !first.contains('=') {
                    let (key, rest) = split_first_word(&instruction.args);
                    if key.is_empty() {
                        return Vec::new();
                    }
                    return vec![(unquote(key), Some(unquote(rest.trim())))];
                }
                words
                    .iter()
                    .filter_map(|w| w.split_once('='))
                    .map(|(k, v)| (unquote(k), Some(unquote(v))))
                    .collect()
            }
            _ => Vec::new(),
        }
    }
}

impl Instruction {
    /// The first flag with this name (without dashes), e.g. `flag("from")`.
    pub fn flag(&self, name: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.name == name)
    }
}

/// Splits into physical lines, dropping trailing `\r`s; a final line break does not start a line.
fn physical_lines(text: &str) -> Vec<&str> {
    let body = text.strip_suffix('\n').unwrap_or(text);
    if text.is_empty() {
        return Vec::new();
    }
    body.split('\n').map(|l| l.trim_end_matches('\r')).collect()
}

fn line_number(index: usize) -> u32 {
    count_u32(index).saturating_add(1)
}

fn count_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `# name=value` with a known name, as a lowercased name and a value.
fn directive_of(line: &str) -> Option<(String, String)> {
    let rest = line.strip_prefix('#')?.trim_start();
    let (name, value) = rest.split_once('=')?;
    let name = name.trim_end();
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    if !first_ok || !chars.all(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let name = name.to_ascii_lowercase();
    let value = value.trim();
    if value.is_empty() || !KNOWN_DIRECTIVES.contains(&name.as_str()) {
        return None;
    }
    Some((name, value.to_string()))
}

/// Removes a trailing escape character (and the blanks after it): `(text, continues)`.
fn split_continuation(line: &str, escape: char) -> (&str, bool) {
    match line.trim_end_matches([' ', '\t']).strip_suffix(escape) {
        Some(head) => (head, true),
        None => (line, false),
    }
}

/// Splits off the first whitespace-delimited word; the rest has its leading whitespace removed.
fn split_first_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => {
            let (word, rest) = s.split_at_checked(i).unwrap_or((s, ""));
            (word, rest.trim_start())
        }
        None => (s, ""),
    }
}

fn build_instruction(text: &str, line: u32, column: u32) -> Result<Instruction, String> {
    let text = text.trim();
    let (word, rest) = split_first_word(text);
    let keyword = word.to_ascii_uppercase();
    if !KEYWORDS.contains(&keyword.as_str()) {
        return Err(unknown_instruction(word));
    }
    let (flag_words, after_flags) = extract_flags(rest);
    let args_start = after_flags.trim_start();
    let args = args_start.trim_end().to_string();
    let flags = flag_words.into_iter().map(flag_of).collect();
    let mut instruction = Instruction {
        keyword,
        line,
        column,
        end_line: line,
        flags,
        args,
        exec_form: None,
        heredocs: Vec::new(),
        onbuild: None,
    };

    match instruction.keyword.as_str() {
        "HEALTHCHECK" => {
            let (kind, command) = split_first_word(&instruction.args);
            match kind.to_ascii_uppercase().as_str() {
                "" => return Err("HEALTHCHECK requires at least one argument".to_string()),
                "NONE" => {}
                "CMD" => instruction.exec_form = exec_form(command.trim_end())?,
                _ => return Err(format!("unknown type `{kind}` in HEALTHCHECK (try CMD)")),
            }
        }
        "ONBUILD" => {
            let (inner_word, _) = split_first_word(&instruction.args);
            let inner_keyword = inner_word.to_ascii_uppercase();
            match inner_keyword.as_str() {
                "" => return Err("ONBUILD requires at least one argument".to_string()),
                "ONBUILD" => {
                    return Err("chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed".to_string());
                }
                "FROM" | "MAINTAINER" => {
                    return Err(format!(
                        "{inner_keyword} isn't allowed as an ONBUILD trigger"
                    ));
                }
                _ => {}
            }
            let offset = text.len().saturating_sub(args_start.len());
            let before = text.get(..offset).map_or(0, |s| s.chars().count());
            let inner = build_instruction(
                &instruction.args,
                line,
                column.saturating_add(count_u32(before)),
            )?;
            instruction.onbuild = Some(Box::new(inner));
        }
        k if JSON_CAPABLE.contains(&k) => {
            instruction.exec_form = exec_form(&instruction.args)?;
        }
        _ => {}
    }
    Ok(instruction)
}

/// BuildKit's message for an unknown keyword, with a suggestion when one is close.
fn unknown_instruction(word: &str) -> String {
    let upper = word.to_ascii_uppercase();
    let suggestion = KEYWORDS
        .iter()
        .map(|k| (edit_distance(&upper, k), k))
        .filter(|(d, _)| *d <= 1 || (*d == 2 && upper.chars().count() > 4))
        .min_by_key(|(d, _)| *d);
    match suggestion {
        Some((_, k)) => format!("unknown instruction: {word} (did you mean {k}?)"),
        None => format!("unknown instruction: {word}"),
    }
}

/// Edit distance over characters where swapping two neighbours counts as one edit (so `RNU` is
/// one edit from `RUN`).
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let width = b.len() + 1;
    let mut d: Vec<usize> = vec![0; (a.len() + 1) * width];
    let at = |i: usize, j: usize| i * width + j;
    for i in 0..=a.len() {
        if let Some(cell) = d.get_mut(at(i, 0)) {
            *cell = i;
        }
    }
    for j in 0..=b.len() {
        if let Some(cell) = d.get_mut(at(0, j)) {
            *cell = j;
        }
    }
    for (i, ca) in a.iter().enumerate() {
        for (j, cb) in b.iter().enumerate() {
            let get = |i: usize, j: usize| d.get(at(i, j)).copied().unwrap_or(usize::MAX - 1);
            let mut best = (get(i, j + 1) + 1)
                .min(get(i + 1, j) + 1)
                .min(get(i, j) + usize::from(ca != cb));
            let swapped = i > 0 && j > 0 && a.get(i - 1) == Some(cb) && b.get(j - 1) == Some(ca);
            if swapped {
                best = best.min(get(i - 1, j - 1) + 1);
            }
            if let Some(cell) = d.get_mut(at(i + 1, j + 1)) {
                *cell = best;
            }
        }
    }
    d.last().copied().unwrap_or(0)
}

/// The leading `--flag` words (quotes and `\` escapes removed) and the text after them. A lone
/// `--` ends the flags.
fn extract_flags(line: &str) -> (Vec<String>, &str) {
    let mut words = Vec::new();
    let mut rest = line;
    loop {
        let trimmed = rest.trim_start();
        if !trimmed.starts_with("--") {
            return (words, trimmed);
        }
        let mut word = String::new();
        let mut quote: Option<char> = None;
        let mut end = trimmed.len();
        let mut chars = trimmed.char_indices();
        while let Some((i, c)) = chars.next() {
            match quote {
                None if c.is_whitespace() => {
                    end = i;
                    break;
                }
                None if c == '\'' || c == '"' => quote = Some(c),
                Some(q) if c == q => quote = None,
                _ if c == '\\' => match chars.next() {
                    Some((_, escaped)) => word.push(escaped),
                    None => quote = None,
                },
                _ => word.push(c),
            }
        }
        let after = trimmed.get(end..).unwrap_or("");
        if word == "--" {
            return (words, after);
        }
        words.push(word);
        rest = after;
    }
}

fn flag_of(word: String) -> Flag {
    let body = word.strip_prefix("--").unwrap_or(&word);
    match body.split_once('=') {
        Some((name, value)) => Flag {
            name: name.to_string(),
            value: Some(value.to_string()),
        },
        None => Flag {
            name: body.to_string(),
            value: None,
        },
    }
}

/// The JSON exec form: `Ok(None)` when the text is not a JSON array (shell form), an error for a
/// JSON array holding something other than strings (BuildKit rejects that).
fn exec_form(args: &str) -> Result<Option<Vec<String>>, String> {
    if !args.starts_with('[') {
        return Ok(None);
    }
    let Ok(values) = serde_json::from_str::<Vec<serde_json::Value>>(args) else {
        return Ok(None);
    };
    values
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(s) => Ok(s),
            _ => Err(
                "when using JSON array syntax, arrays must be comprised of strings only"
                    .to_string(),
            ),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn build_stages(instructions: &[Instruction]) -> Result<Vec<Stage>, DockerfileError> {
    let mut stages: Vec<Stage> = Vec::new();
    for (i, instruction) in instructions.iter().enumerate() {
        if instruction.keyword != "FROM" {
            if stages.is_empty() && instruction.keyword != "ARG" {
                return Err(DockerfileError::new(
                    instruction.line,
                    instruction.column,
                    format!(
                        "{} before the first FROM: no build stage in current context",
                        instruction.keyword
                    ),
                ));
            }
            continue;
        }
        let error =
            |message: String| DockerfileError::new(instruction.line, instruction.column, message);
        let words: Vec<&str> = instruction.args.split_whitespace().collect();
        let (image, alias) = match words.as_slice() {
            [] => {
                return Err(error(
                    "FROM requires an image: FROM image [AS name]".to_string(),
                ));
            }
            [image] => (*image, None),
            [image, as_word, name] if as_word.eq_ignore_ascii_case("as") => {
                let name = name.to_lowercase();
                if !name.contains('$') && !is_valid_stage_name(&name) {
                    return Err(error(format!(
                        "invalid name for build stage: `{name}`, name can't start with a number or contain symbols"
                    )));
                }
                (*image, Some(name))
            }
            _ => {
                return Err(error(
                    "FROM requires either one or three arguments: FROM image [AS name]".to_string(),
                ));
            }
        };
        if let Some(previous) = stages.last_mut() {
            previous.instructions.end = i;
        }
        stages.push(Stage {
            index: stages.len(),
            from_line: instruction.line,
            image: image.to_string(),
            alias,
            platform: instruction.flag("platform").and_then(|f| f.value.clone()),
            instructions: i + 1..instructions.len(),
        });
    }
    Ok(stages)
}

/// `^[a-z][a-z0-9-_.]*$`
fn is_valid_stage_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c))
}

/// Splits arguments into words the way BuildKit's `parseWords` does: whitespace separates words
/// except inside quotes; quotes and escapes stay in the words.
fn split_words(text: &str, escape: char) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match quote {
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            _ if c == escape && quote != Some('\'') => {
                in_word = true;
                if let Some(next) = chars.next() {
                    word.push(c);
                    word.push(next);
                } else if quote.is_some() {
                    quote = None;
                }
            }
            None => {
                in_word = true;
                if c == '\'' || c == '"' {
                    quote = Some(c);
                }
                word.push(c);
            }
            Some(q) => {
                if c == q {
                    quote = None;
                }
                word.push(c);
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// Removes quotes and escapes from one shell word; with `vars`, also expands variables outside
/// single quotes (unknown ones are kept as written).
fn process_word(
    word: &str,
    escape: char,
    vars: Option<&BTreeMap<String, Option<String>>>,
    depth: usize,
) -> String {
    let mut out = String::with_capacity(word.len());
    let mut quote: Option<char> = None;
    let mut iter = word.char_indices();
    while let Some((i, c)) = iter.next() {
        match quote {
            Some('\'') => {
                if c == '\'' {
                    quote = None;
                } else {
                    out.push(c);
                }
            }
            Some(q) if c == q => quote = None,
            Some(_) if c == escape => match iter.clone().next() {
                Some((_, next)) if next == '"' || next == '$' || next == escape => {
                    out.push(next);
                    iter.next();
                }
                Some(_) => out.push(c),
                None => {}
            },
            None if c == escape => {
                if let Some((_, next)) = iter.next() {
                    out.push(next);
                }
            }
            None if c == '\'' || c == '"' => quote = Some(c),
            _ if c == '$' => {
                let after = word.get(i + 1..).unwrap_or("");
                let dollar =
                    vars.map_or(Dollar::Literal, |v| expand_dollar(after, escape, v, depth));
                match dollar {
                    Dollar::Value(value, consumed) => {
                        out.push_str(&value);
                        skip_until(&mut iter, i + 1 + consumed);
                    }
                    Dollar::Literal => out.push('$'),
                    Dollar::Unterminated => {
                        out.push('$');
                        out.push_str(after);
                        break;
                    }
                }
            }
            _ => out.push(c),
        }
    }
    out
}

/// Expands variables in `s` without touching quotes; `escape` + `$` gives a literal `$`.
fn expand_vars(
    s: &str,
    escape: char,
    vars: &BTreeMap<String, Option<String>>,
    depth: usize,
) -> String {
    if depth > MAX_EXPANSION_DEPTH {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut iter = s.char_indices();
    while let Some((i, c)) = iter.next() {
        if c == escape && iter.clone().next().is_some_and(|(_, n)| n == '$') {
            out.push('$');
            iter.next();
        } else if c == '$' {
            let after = s.get(i + 1..).unwrap_or("");
            match expand_dollar(after, escape, vars, depth) {
                Dollar::Value(value, consumed) => {
                    out.push_str(&value);
                    skip_until(&mut iter, i + 1 + consumed);
                }
                Dollar::Literal => out.push('$'),
                Dollar::Unterminated => {
                    out.push('$');
                    out.push_str(after);
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// What a `$` starts.
enum Dollar {
    /// A variable reference: its replacement and how many bytes after the `$` it used.
    Value(String, usize),
    /// No reference: the `$` is literal.
    Literal,
    /// `${` without its `}`: BuildKit rejects the text, so the rest is kept as written.
    Unterminated,
}

/// Advances a `char_indices` iterator to the byte offset `to`.
fn skip_until(iter: &mut std::str::CharIndices<'_>, to: usize) {
    while iter.clone().next().is_some_and(|(j, _)| j < to) {
        iter.next();
    }
}

/// Expands the variable reference at the start of `after` (the text after a `$`).
fn expand_dollar(
    after: &str,
    escape: char,
    vars: &BTreeMap<String, Option<String>>,
    depth: usize,
) -> Dollar {
    let name_len = |s: &str| {
        s.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(s.len())
    };
    let valid = |name: &str| {
        name.chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
    };
    let lookup = |name: &str| vars.get(name).and_then(|v| v.as_deref());

    let Some(braced) = after.strip_prefix('{') else {
        let name = after.get(..name_len(after)).unwrap_or("");
        if !valid(name) {
            return Dollar::Literal;
        }
        let value = lookup(name).map_or_else(|| format!("${name}"), str::to_string);
        return Dollar::Value(value, name.len());
    };

    let mut level = 1usize;
    let mut close = None;
    let mut iter = braced.char_indices();
    while let Some((i, c)) = iter.next() {
        if c == escape {
            iter.next();
        } else if c == '{' {
            level += 1;
        } else if c == '}' {
            level -= 1;
            if level == 0 {
                close = Some(i);
                break;
            }
        }
    }
    let Some(close) = close else {
        return Dollar::Unterminated;
    };
    let body = braced.get(..close).unwrap_or("");
    let consumed = close + 2;
    let name = body.get(..name_len(body)).unwrap_or("");
    if !valid(name) {
        return Dollar::Value(format!("${{{body}}}"), consumed);
    }
    let op = body.get(name.len()..).unwrap_or("");
    let value = lookup(name);
    let sub = |word: &str| expand_vars(word, escape, vars, depth + 1);
    let result = if op.is_empty() || op.starts_with(":?") || op.starts_with('?') {
        value.map(str::to_string)
    } else if let Some(word) = op.strip_prefix(":-") {
        Some(match value {
            Some(v) if !v.is_empty() => v.to_string(),
            _ => sub(word),
        })
    } else if let Some(word) = op.strip_prefix(":+") {
        match value {
            Some(v) if !v.is_empty() => Some(sub(word)),
            Some(_) => Some(String::new()),
            None => None,
        }
    } else if let Some(word) = op.strip_prefix('-') {
        Some(value.map_or_else(|| sub(word), str::to_string))
    } else if let Some(word) = op.strip_prefix('+') {
        value.map(|_| sub(word))
    } else {
        None
    };
    Dollar::Value(result.unwrap_or_else(|| format!("${{{body}}}")), consumed)
}

/// A heredoc announced on an instruction line.
struct HeredocSpec {
    name: String,
    chomp: bool,
    expand: bool,
}

/// The heredocs announced by a joined instruction line, in order.
fn heredoc_specs(line: &str) -> Vec<HeredocSpec> {
    raw_shell_words(line)
        .iter()
        .filter_map(|w| heredoc_spec(w))
        .collect()
}

/// Shell words with quotes and `\` escapes kept in them.
fn raw_shell_words(s: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut in_word = false;
    let mut quote: Option<char> = None;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match quote {
            Some('\'') => {
                word.push(c);
                if c == '\'' {
                    quote = None;
                }
            }
            Some(q) => {
                word.push(c);
                if c == '\\' {
                    if let Some(next) = chars.next() {
                        word.push(next);
                    }
                } else if c == q {
                    quote = None;
                }
            }
            None if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            None => {
                in_word = true;
                word.push(c);
                if c == '\\' {
                    if let Some(next) = chars.next() {
                        word.push(next);
                    }
                } else if c == '\'' || c == '"' {
                    quote = Some(c);
                }
            }
        }
    }
    if in_word {
        words.push(word);
    }
    words
}

/// `[n]<<[-]WORD` as BuildKit reads it: the word must not contain `<` and must be one shell word.
fn heredoc_spec(word: &str) -> Option<HeredocSpec> {
    let rest = word.trim_start_matches(|c: char| c.is_ascii_digit());
    let rest = rest.strip_prefix("<<")?;
    let (chomp, rest) = match rest.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    if rest.is_empty() || rest.contains('<') || raw_shell_words(rest).len() != 1 {
        return None;
    }
    let name = process_word(rest, '\\', None, 0);
    let quotes = |s: &str| s.chars().filter(|c| *c == '\'' || *c == '"').count();
    Some(HeredocSpec {
        expand: quotes(rest) == quotes(&name),
        name,
        chomp,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(lines: &[&str]) -> String {
        let mut text = lines.join("\n");
        text.push('\n');
        text
    }

    fn doc_crlf(lines: &[&str]) -> String {
        let mut text = lines.join("\r\n");
        text.push_str("\r\n");
        text
    }

    fn kw(df: &Dockerfile) -> Vec<&str> {
        df.instructions.iter().map(|i| i.keyword.as_str()).collect()
    }

    #[test]
    fn multi_stage_go_build_with_distroless_final_stage() {
        let text = r#"# syntax=docker/dockerfile:1.7
ARG GO_VERSION=1.22
ARG BASE=gcr.io/distroless/static-debian12:nonroot

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine AS Build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    go mod download
COPY . .
ARG TARGETOS TARGETARCH
RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags="-s -w" -o /out/app ./cmd/app

FROM ${BASE}
COPY --from=build --chown=nonroot:nonroot /out/app /app
USER nonroot:nonroot
EXPOSE 8080
ENTRYPOINT ["/app"]
"#;
        let df = parse(text).unwrap();
        assert_eq!(df.directives.len(), 1);
        assert_eq!(df.directives[0].name, "syntax");
        assert_eq!(df.directives[0].value, "docker/dockerfile:1.7");
        assert_eq!(
            kw(&df),
            [
                "ARG",
                "ARG",
                "FROM",
                "WORKDIR",
                "COPY",
                "RUN",
                "COPY",
                "ARG",
                "RUN",
                "FROM",
                "COPY",
                "USER",
                "EXPOSE",
                "ENTRYPOINT"
            ]
        );
        assert_eq!(df.stages.len(), 2);
        let build = &df.stages[0];
        assert_eq!(build.image, "golang:${GO_VERSION}-alpine");
        assert_eq!(build.alias.as_deref(), Some("build"));
        assert_eq!(build.platform.as_deref(), Some("$BUILDPLATFORM"));
        assert_eq!(build.from_line, 5);
        assert_eq!(build.instructions, 3..9);
        assert_eq!(df.expand_global_args(&build.image), "golang:1.22-alpine");

        let run = &df.instructions[5];
        assert_eq!((run.line, run.column, run.end_line), (8, 1, 10));
        assert_eq!(run.flags.len(), 2);
        assert_eq!(run.flags[0].name, "mount");
        assert_eq!(
            run.flags[1].value.as_deref(),
            Some("type=cache,target=/root/.cache/go-build")
        );
        assert_eq!(run.args, "go mod download");
        assert_eq!(run.exec_form, None);
        let build_run = &df.instructions[8];
        assert_eq!(
            build_run.args,
            "CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH     go build -trimpath -ldflags=\"-s -w\" -o /out/app ./cmd/app"
        );

        let last = df.final_stage().unwrap();
        assert_eq!(last.index, 1);
        assert_eq!(last.alias, None);
        assert_eq!(
            df.expand_global_args(&last.image),
            "gcr.io/distroless/static-debian12:nonroot"
        );
        assert_eq!(df.base_stage(last), None);
        let final_ins = df.stage_instructions(last);
        assert_eq!(final_ins.len(), 4);
        let copy = &final_ins[0];
        assert_eq!(copy.flag("from").unwrap().value.as_deref(), Some("build"));
        assert_eq!(
            copy.flag("chown").unwrap().value.as_deref(),
            Some("nonroot:nonroot")
        );
        assert_eq!(copy.args, "/out/app /app");
        assert_eq!(df.stage("Build").map(|s| s.index), Some(0));
        assert_eq!(df.stage("1").map(|s| s.index), Some(1));
        assert_eq!(
            final_ins[3].exec_form.as_deref(),
            Some(&["/app".to_string()][..])
        );

        let globals = df.args_before_from();
        assert_eq!(globals.get("GO_VERSION"), Some(&Some("1.22".to_string())));
        assert_eq!(globals.len(), 2);
    }

    #[test]
    fn rust_build_with_stage_reuse_and_lowercase_keywords() {
        let text = doc(&[
            "from rust:1.79-bookworm as chef",
            "run cargo install cargo-chef --locked",
            "",
            "from chef AS planner",
            "copy . .",
            "run cargo chef prepare --recipe-path recipe.json",
            "",
            "FROM debian:bookworm-slim",
            "copy --from=planner --link /app/target/release/app /usr/local/bin/app",
            "cmd app --serve",
        ]);
        let df = parse(&text).unwrap();
        assert_eq!(df.stages.len(), 3);
        assert_eq!(df.instructions[0].keyword, "FROM");
        assert_eq!(df.stages[1].image, "chef");
        assert_eq!(df.base_stage(&df.stages[1]).map(|s| s.index), Some(0));
        assert_eq!(df.base_stage(&df.stages[2]), None);
        let copy = &df.instructions[6];
        assert_eq!(
            copy.flag("link"),
            Some(&Flag {
                name: "link".into(),
                value: None
            })
        );
        assert_eq!(copy.flag("from").unwrap().value.as_deref(), Some("planner"));
        assert_eq!(df.instructions[7].keyword, "CMD");
        assert_eq!(df.instructions[7].exec_form, None);
        assert_eq!(df.instructions[7].args, "app --serve");
        assert_eq!(df.stages[2].instructions, 6..8);
    }

    #[test]
    fn node_build_with_healthcheck_and_json_forms() {
        let text = r#"FROM node:20.11-alpine AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev

FROM node:20.11-alpine
ENV NODE_ENV=production PORT=3000
LABEL org.opencontainers.image.source="https://github.com/acme/web" "maintainer"="ops team"
COPY --from=deps /app/node_modules ./node_modules
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD ["wget", "-qO-", "http://localhost:3000/health"]
USER node
CMD ["node", "server.js"]
"#;
        let df = parse(text).unwrap();
        let hc = df
            .instructions
            .iter()
            .find(|i| i.keyword == "HEALTHCHECK")
            .unwrap();
        assert_eq!((hc.line, hc.end_line), (10, 11));
        assert_eq!(hc.flags.len(), 4);
        assert_eq!(hc.flag("interval").unwrap().value.as_deref(), Some("30s"));
        assert_eq!(hc.flag("retries").unwrap().value.as_deref(), Some("3"));
        assert!(hc.args.starts_with("CMD [\"wget\""));
        assert_eq!(
            hc.exec_form.clone().unwrap(),
            ["wget", "-qO-", "http://localhost:3000/health"]
        );
        let env = &df.instructions[5];
        assert_eq!(
            df.key_values(env),
            [
                ("NODE_ENV".to_string(), Some("production".to_string())),
                ("PORT".to_string(), Some("3000".to_string()))
            ]
        );
        let label = &df.instructions[6];
        assert_eq!(
            df.key_values(label),
            [
                (
                    "org.opencontainers.image.source".to_string(),
                    Some("https://github.com/acme/web".to_string())
                ),
                ("maintainer".to_string(), Some("ops team".to_string()))
            ]
        );
        let cmd = df.instructions.last().unwrap();
        assert_eq!(cmd.exec_form.clone().unwrap(), ["node", "server.js"]);
    }

    #[test]
    fn healthcheck_none_and_bad_type() {
        let df = parse("FROM alpine\nHEALTHCHECK NONE\n").unwrap();
        assert_eq!(df.instructions[1].args, "NONE");
        assert_eq!(df.instructions[1].exec_form, None);
        let hc =
            parse("FROM alpine\nhealthcheck cmd curl -f http://localhost/ || exit 1\n").unwrap();
        assert_eq!(
            hc.instructions[1].args,
            "cmd curl -f http://localhost/ || exit 1"
        );
        let err = parse("FROM alpine\nHEALTHCHECK CURL localhost\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("HEALTHCHECK"), "{}", err.message);
        assert!(parse("FROM alpine\nHEALTHCHECK\n").is_err());
    }

    #[test]
    fn heredocs_of_all_kinds() {
        let text = doc(&[
            "# syntax=docker/dockerfile:1",
            "FROM debian:bookworm-slim",
            "RUN <<EOF",
            "set -eux",
            "apt-get update",
            "EOF",
            "RUN <<-\"SCRIPT\" bash",
            "\tif true; then",
            "\t\techo $HOME",
            "\tfi",
            "\tSCRIPT",
            "COPY <<EOF /etc/app.conf",
            "port = 80",
            "EOF",
            "RUN cat <<A > /a && cat <<'B' > /b",
            "first",
            "A",
            "second $x",
            "B",
            "RUN echo '<<NOT' && echo \"<<NOR\"",
            "RUN [\"sh\", \"-c\", \"cat <<EOF\"]",
        ]);
        let df = parse(&text).unwrap();
        assert_eq!(df.instructions.len(), 7);
        let run = &df.instructions[1];
        assert_eq!(run.args, "<<EOF");
        assert_eq!((run.line, run.end_line), (3, 6));
        assert_eq!(run.heredocs.len(), 1);
        assert_eq!(run.heredocs[0].delimiter, "EOF");
        assert_eq!(run.heredocs[0].body, "set -eux\napt-get update\n");
        assert_eq!(run.heredocs[0].line, 4);
        assert!(run.heredocs[0].expand);

        let chomped = &df.instructions[2];
        assert_eq!(chomped.heredocs[0].delimiter, "SCRIPT");
        assert!(chomped.heredocs[0].chomp);
        assert!(!chomped.heredocs[0].expand);
        assert_eq!(chomped.heredocs[0].body, "if true; then\necho $HOME\nfi\n");
        assert_eq!(chomped.end_line, 11);

        let copy = &df.instructions[3];
        assert_eq!(copy.keyword, "COPY");
        assert_eq!(copy.heredocs[0].body, "port = 80\n");
        assert_eq!(copy.args, "<<EOF /etc/app.conf");

        let two = &df.instructions[4];
        assert_eq!(two.heredocs.len(), 2);
        assert_eq!(two.heredocs[0].delimiter, "A");
        assert_eq!(two.heredocs[0].body, "first\n");
        assert_eq!(two.heredocs[0].line, 16);
        assert_eq!(two.heredocs[1].delimiter, "B");
        assert_eq!(two.heredocs[1].body, "second $x\n");
        assert_eq!(two.heredocs[1].line, 18);
        assert!(!two.heredocs[1].expand);
        assert_eq!((two.line, two.end_line), (15, 19));

        assert!(df.instructions[5].heredocs.is_empty());
        assert_eq!(df.instructions[5].line, 20);
        let exec = &df.instructions[6];
        assert!(exec.heredocs.is_empty());
        assert_eq!(exec.exec_form.clone().unwrap(), ["sh", "-c", "cat <<EOF"]);
    }

    #[test]
    fn unterminated_heredoc_is_an_error() {
        let err = parse("FROM alpine\nRUN <<EOF\necho hi\nEOF \n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        assert!(
            err.message.contains("unterminated heredoc"),
            "{}",
            err.message
        );
    }

    #[test]
    fn heredoc_words_that_are_not_heredocs() {
        let df = parse("FROM alpine\nRUN cat <<< \"here string\" && echo $((1<<3))\nENV A=<<EOF\n")
            .unwrap();
        assert!(df.instructions[1].heredocs.is_empty());
        // ENV cannot carry heredocs, so the next line is not consumed.
        assert!(df.instructions[2].heredocs.is_empty());
        assert_eq!(df.instructions[2].end_line, 3);
    }

    #[test]
    fn onbuild_wraps_an_instruction() {
        let text = doc(&[
            "FROM python:3.12-slim",
            "ONBUILD COPY requirements.txt /app/",
            "  onbuild  RUN --mount=type=cache,target=/root/.cache pip install -r /app/requirements.txt",
            "ONBUILD RUN <<EOF",
            "echo built",
            "EOF",
        ]);
        let df = parse(&text).unwrap();
        let first = &df.instructions[1];
        assert_eq!(first.keyword, "ONBUILD");
        assert_eq!(first.args, "COPY requirements.txt /app/");
        let inner = first.onbuild.as_deref().unwrap();
        assert_eq!(inner.keyword, "COPY");
        assert_eq!(inner.args, "requirements.txt /app/");
        assert_eq!((inner.line, inner.column), (2, 9));

        let second = &df.instructions[2];
        assert_eq!(second.column, 3);
        let inner = second.onbuild.as_deref().unwrap();
        assert_eq!(inner.column, 12);
        assert_eq!(
            inner.flag("mount").unwrap().value.as_deref(),
            Some("type=cache,target=/root/.cache")
        );
        assert_eq!(inner.args, "pip install -r /app/requirements.txt");

        let third = &df.instructions[3];
        let inner = third.onbuild.as_deref().unwrap();
        assert_eq!(inner.heredocs[0].body, "echo built\n");
        assert_eq!((third.end_line, inner.end_line), (6, 6));
        assert!(third.heredocs.is_empty());

        assert!(parse("FROM a\nONBUILD ONBUILD RUN x\n").is_err());
        assert!(parse("FROM a\nONBUILD FROM b\n").is_err());
        assert!(parse("FROM a\nONBUILD\n").is_err());
    }

    #[test]
    fn windows_escape_directive_with_powershell_and_crlf() {
        let text = doc_crlf(&[
            "\u{feff}# escape=`",
            "# syntax=docker/dockerfile:1",
            "",
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022",
            "SHELL [\"powershell\", \"-Command\", \"$ErrorActionPreference = 'Stop';\"]",
            "RUN New-Item -ItemType Directory C:\\app ; `",
            "    Set-Location C:\\app",
            "COPY . C:\\app\\",
            "WORKDIR C:\\app",
        ]);
        let df = parse(&text).unwrap();
        assert_eq!(df.escape, '`');
        assert_eq!(df.directives.len(), 2);
        assert_eq!(df.directives[0].value, "`");
        assert_eq!(df.directives[1].name, "syntax");
        assert_eq!(df.directives[1].line, 2);
        assert_eq!(kw(&df), ["FROM", "SHELL", "RUN", "COPY", "WORKDIR"]);
        assert_eq!(
            df.instructions[1].exec_form.clone().unwrap(),
            ["powershell", "-Command", "$ErrorActionPreference = 'Stop';"]
        );
        let run = &df.instructions[2];
        assert_eq!(
            run.args,
            "New-Item -ItemType Directory C:\\app ;     Set-Location C:\\app"
        );
        assert_eq!((run.line, run.end_line), (6, 7));
        // With a backtick escape, a trailing backslash is an ordinary character.
        assert_eq!(df.instructions[3].args, ". C:\\app\\");
        assert_eq!(df.instructions[3].end_line, 8);
        assert_eq!(df.words(&df.instructions[3]), [".", "C:\\app\\"]);
    }

    #[test]
    fn directives_only_at_the_top() {
        let df = parse("# comment\n# escape=`\nFROM alpine\nRUN echo \\\n  hi\n").unwrap();
        assert!(df.directives.is_empty());
        assert_eq!(df.escape, '\\');
        assert_eq!(df.instructions[1].args, "echo   hi");

        let df = parse("# unknown=1\n# syntax=x\nFROM alpine\n").unwrap();
        assert!(df.directives.is_empty());

        let df = parse("#Syntax = docker/dockerfile:1 \n#check=skip=all\nFROM alpine\n").unwrap();
        assert_eq!(df.directives.len(), 2);
        assert_eq!(df.directives[0].name, "syntax");
        assert_eq!(df.directives[0].value, "docker/dockerfile:1");
        assert_eq!(df.directives[1].value, "skip=all");

        let err = parse("# escape=`\n# escape=\\\nFROM a\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(parse("# escape=x\nFROM a\n").is_err());
    }

    #[test]
    fn comments_and_blank_lines_inside_continuations() {
        let text = doc(&[
            "FROM debian:12",
            "RUN apt-get update \\",
            "# install the tools",
            "    && apt-get install -y --no-install-recommends \\",
            "",
            "       curl \\",
            "   \t",
            "       ca-certificates \\",
            "  # clean up",
            "    && rm -rf /var/lib/apt/lists/*",
            "USER 1000",
        ]);
        let df = parse(&text).unwrap();
        let run = &df.instructions[1];
        assert_eq!((run.line, run.end_line), (2, 10));
        assert_eq!(
            run.args,
            "apt-get update     && apt-get install -y --no-install-recommends        curl        ca-certificates     && rm -rf /var/lib/apt/lists/*"
        );
        assert_eq!(df.instructions[2].keyword, "USER");
        assert_eq!(df.instructions[2].line, 11);
    }

    #[test]
    fn continuation_at_end_of_file_and_indented_instructions() {
        let df = parse("FROM alpine\n   RUN echo a \\").unwrap();
        let run = &df.instructions[1];
        assert_eq!(run.args, "echo a");
        assert_eq!((run.line, run.column, run.end_line), (2, 4, 2));
    }

    #[test]
    fn arg_defaults_quotes_and_expansion() {
        let text = doc(&[
            "ARG REGISTRY=\"ghcr.io/acme\"",
            "ARG VARIANT",
            "ARG IMAGE=${REGISTRY}/api TAG='1.4.2'",
            "FROM ${IMAGE}:${TAG} AS base",
            "FROM $REGISTRY/tools:${TOOLS_TAG:-v2} AS tools",
            "FROM base-${VARIANT:-slim}:$UNKNOWN",
            "FROM alpine:\\$notvar",
        ]);
        let df = parse(&text).unwrap();
        let globals = df.args_before_from();
        assert_eq!(globals["REGISTRY"].as_deref(), Some("ghcr.io/acme"));
        assert_eq!(globals["VARIANT"], None);
        assert_eq!(globals["IMAGE"].as_deref(), Some("ghcr.io/acme/api"));
        assert_eq!(globals["TAG"].as_deref(), Some("1.4.2"));
        let expanded: Vec<String> = df
            .stages
            .iter()
            .map(|s| df.expand_global_args(&s.image))
            .collect();
        assert_eq!(
            expanded,
            [
                "ghcr.io/acme/api:1.4.2",
                "ghcr.io/acme/tools:v2",
                "base-slim:$UNKNOWN",
                "alpine:$notvar"
            ]
        );
        assert_eq!(
            df.expand_global_args("${VARIANT}-${REGISTRY:+set}-${VARIANT+x}-${REGISTRY#ghcr}"),
            "${VARIANT}-set-${VARIANT+x}-${REGISTRY#ghcr}"
        );
        assert_eq!(
            df.key_values(&df.instructions[1]),
            [("VARIANT".to_string(), None)]
        );
        // BuildKit rejects an unterminated `${`; the rest is kept as written.
        assert_eq!(
            df.expand_global_args("$TAG-${REGISTRY ${TAG}"),
            "1.4.2-${REGISTRY ${TAG}"
        );
        assert_eq!(df.expand_global_args("${1}:$$"), "${1}:$$");
    }

    #[test]
    fn legacy_env_form_and_words() {
        let df = parse("FROM alpine\nENV PATH /usr/local/bin:$PATH\nEXPOSE 80/tcp 443\n").unwrap();
        assert_eq!(
            df.key_values(&df.instructions[1]),
            [("PATH".to_string(), Some("/usr/local/bin:$PATH".to_string()))]
        );
        assert_eq!(df.words(&df.instructions[2]), ["80/tcp", "443"]);
        assert!(df.key_values(&df.instructions[2]).is_empty());
    }

    #[test]
    fn flags_with_quotes_and_double_dash() {
        let df = parse(
            "FROM alpine\nCOPY --chmod=0755 --chown=\"app user:app\" -- --weird-name /dst/\nADD --checksum=sha256:abc https://example.com/x.tgz /x.tgz\n",
        )
        .unwrap();
        let copy = &df.instructions[1];
        assert_eq!(copy.flags.len(), 2);
        assert_eq!(copy.flag("chmod").unwrap().value.as_deref(), Some("0755"));
        assert_eq!(
            copy.flag("chown").unwrap().value.as_deref(),
            Some("app user:app")
        );
        assert_eq!(copy.args, "--weird-name /dst/");
        let add = &df.instructions[2];
        assert_eq!(
            add.flag("checksum").unwrap().value.as_deref(),
            Some("sha256:abc")
        );
        assert_eq!(add.args, "https://example.com/x.tgz /x.tgz");
        assert_eq!(add.flag("nope"), None);
    }

    #[test]
    fn exec_form_requires_strings() {
        assert!(parse("FROM a\nCMD [\"a\", 1]\n").is_err());
        let df = parse("FROM a\nCMD [\"unterminated\"\nENTRYPOINT []\n").unwrap();
        assert_eq!(df.instructions[1].exec_form, None);
        assert_eq!(df.instructions[1].args, "[\"unterminated\"");
        assert_eq!(df.instructions[2].exec_form, Some(Vec::new()));
        // Only instructions with a JSON form get one.
        let df = parse("FROM a\nLABEL [\"x\"]\n").unwrap();
        assert_eq!(df.instructions[1].exec_form, None);
    }

    #[test]
    fn errors_buildkit_also_reports() {
        let err = parse("FROM alpine\nRNU echo hi\n").unwrap_err();
        assert_eq!((err.line, err.column), (2, 1));
        assert_eq!(err.message, "unknown instruction: RNU (did you mean RUN?)");
        assert_eq!(
            err.to_string(),
            "line 2, column 1: unknown instruction: RNU (did you mean RUN?)"
        );

        let err = parse(
            "FROM alpine\nRUN apt-get update && \\\n  apt-get install -y curl\n  rm -rf /tmp\n",
        )
        .unwrap_err();
        assert_eq!(err.line, 4);
        assert_eq!(err.message, "unknown instruction: rm");
        let err = parse("FROM alpine\nENTRYPONT [\"/app\"]\n").unwrap_err();
        assert_eq!(
            err.message,
            "unknown instruction: ENTRYPONT (did you mean ENTRYPOINT?)"
        );

        let err = parse("ARG X=1\nFROM\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("image"));
        assert!(parse("FROM a b\n").is_err());
        assert!(parse("FROM alpine AS 1st\n").is_err());
        assert!(parse("FROM alpine AS ${NAME}\n").is_ok());

        let err = parse("ARG X\nRUN echo\nFROM alpine\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.message.contains("no build stage"));
    }

    #[test]
    fn empty_and_comment_only_files_are_accepted() {
        let df = parse("").unwrap();
        assert!(df.instructions.is_empty() && df.stages.is_empty());
        let df = parse("# nothing here\n\n   \n").unwrap();
        assert!(df.stages.is_empty());
        assert_eq!(df.final_stage(), None);
    }

    #[test]
    fn odd_input_does_not_panic() {
        for text in [
            "\\",
            "FROM a\nRUN \\",
            "FROM a\nRUN <<",
            "FROM a\nRUN <<-",
            "FROM a\nRUN 2<<\"",
            "FROM a\nRUN <<'unterminated",
            "FROM a\nCOPY --\n",
            "FROM a\nCOPY --x=\"\\",
            "FROM a\nENV \"\\",
            "ARG A=${\nFROM $A",
            "ARG A=${B:-${C:-${D}}}\nFROM é${A}ü",
            "FROM a\r\r\n\rRUN x",
            "FROM\u{a0}a",
            "ONBUILD RUN x",
        ] {
            let _ = parse(text).map(|df| {
                for s in &df.stages {
                    let _ = df.expand_global_args(&s.image);
                }
                for i in &df.instructions {
                    let _ = df.words(i);
                    let _ = df.key_values(i);
                }
            });
        }
        let deep = format!("ARG A={}x{}\nFROM a", "${B:-".repeat(200), "}".repeat(200));
        let df = parse(&deep).unwrap();
        assert!(df.args_before_from()["A"].is_some());
    }
}
