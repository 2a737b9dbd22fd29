//! The inputs a policy sees, in conftest's shapes, built from the workspace's own parses (the
//! disk is never read again), each with a way back from a result's `path` to a line:
//!
//! * YAML: each document of a file is one input (empty documents are skipped); JSON: the file.
//! * Terraform (`.tf`, `.tfvars`, `.hcl`): conftest's HCL2 JSON, where every block is a list
//!   under its type and labels (`resource.aws_s3_bucket.logs[0].acl`), literal values are
//!   values and any other expression is its source text in `${...}`.
//! * Dockerfile: conftest's instruction list, `[{"Cmd": "from", "Value": ["golang:1.22", "AS",
//!   "build"], "Flags": [], "JSON": false, "SubCmd": "", "Stage": 0}, ...]`.

use golive_core::config::CustomCheckConfig;
use golive_core::parse::dockerfile::{Dockerfile, Instruction};
use golive_core::parse::hcl::{Block, HclFile, Value as HclValue};
use golive_core::parse::yaml::{Node, YamlDoc};
use golive_core::workspace::{FileKind, SourceFile, Workspace};
use golive_core::{Evidence, Location};
use serde_json::{Map, Number, Value as Json};

/// Most nodes converted for one document: a YAML alias bomb expands exponentially, and such a
/// document is skipped with a note rather than exhausting memory.
const MAX_NODES: usize = 1_000_000;

/// One step of a path into a document: a key or a list index.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Seg {
    Key(String),
    Index(usize),
}

/// How to find where a value of an input is written.
pub enum Locator<'a> {
    /// Walk the span tree.
    Yaml(Node<'a>),
    /// Paths of blocks, attributes and instructions and where they are, for inputs converted
    /// from HCL and Dockerfiles.
    Table(Vec<(Vec<Seg>, Location)>),
}

/// One document given to the policies as `input`.
pub struct Input<'a> {
    pub file: &'a SourceFile,
    pub value: Json,
    /// Where a result that does not say where it is points: a YAML or JSON document's first
    /// line (the document is one object), or the whole file for Terraform and Dockerfiles (the
    /// file holds many blocks or instructions, and its first line is rarely the one meant).
    pub start: Location,
    pub locator: Locator<'a>,
    /// `Kind/name` for a Kubernetes-shaped document, to name it in messages.
    pub object: Option<String>,
}

impl Input<'_> {
    /// Where the value at `path` is written, or, when the path names something missing (a
    /// setting that is not there), the key of the deepest entry of the path that exists; the
    /// document's start when nothing of the path exists.
    pub fn locate(&self, path: &[Seg]) -> Location {
        match &self.locator {
            Locator::Yaml(root) => {
                let mut node = *root;
                let mut key: Option<Node<'_>> = None;
                let mut resolved = 0usize;
                for seg in path {
                    let next = match seg {
                        Seg::Key(k) if node.is_map() => node.entry(k).map(|(k, v)| (Some(k), v)),
                        Seg::Index(i) if node.is_seq() => node.items().nth(*i).map(|v| (None, v)),
                        // A dotted string path names indexes as text (`containers.0`).
                        Seg::Key(k) if node.is_seq() => k
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| node.items().nth(i))
                            .map(|v| (None, v)),
                        _ => None,
                    };
                    match next {
                        Some((k, v)) => {
                            node = v;
                            key = k;
                            resolved += 1;
                        }
                        None if resolved == 0 => return self.start.clone(),
                        None => {
                            if let Some(k) = key {
                                return k.location(&self.file.path);
                            }
                            break;
                        }
                    }
                }
                node.location(&self.file.path)
            }
            Locator::Table(entries) => {
                let normalise = |s: &Seg| match s {
                    Seg::Key(k) => k.parse::<usize>().map_or(s.clone(), Seg::Index),
                    Seg::Index(_) => s.clone(),
                };
                let wanted: Vec<Seg> = path.iter().map(normalise).collect();
                entries
                    .iter()
                    .filter(|(p, _)| wanted.starts_with(p))
                    .max_by_key(|(p, _)| p.len())
                    .map(|(_, l)| l.clone())
                    .unwrap_or_else(|| self.start.clone())
            }
        }
    }
}

/// What was collected: the inputs, and one note per file that was not given to the policies.
pub struct Collected<'a> {
    pub inputs: Vec<Input<'a>>,
    pub skipped: Vec<Evidence>,
    /// Files that matched the entry's `files` (or every file of a supported kind).
    pub files: usize,
}

/// Whether a file kind is one policies see.
fn supported(kind: FileKind) -> bool {
    matches!(
        kind,
        FileKind::Yaml
            | FileKind::Json
            | FileKind::Terraform
            | FileKind::TfVars
            | FileKind::Hcl
            | FileKind::Dockerfile
    )
}

pub fn collect<'a>(ws: &'a Workspace, entry: &CustomCheckConfig) -> Collected<'a> {
    let mut out = Collected {
        inputs: Vec::new(),
        skipped: Vec::new(),
        files: 0,
    };
    for file in ws.files() {
        if !supported(file.kind) || file.rendered_by.is_some() {
            continue;
        }
        if !entry.files.is_empty() && !entry.files.iter().any(|g| g.matcher.is_match(&file.path)) {
            continue;
        }
        out.files += 1;
        match file.kind {
            FileKind::Yaml => match file.yaml() {
                Ok(docs) => yaml_inputs(file, docs, &mut out),
                Err(_) => out.skipped.push(Evidence::file(
                    &file.path,
                    "not evaluated: does not parse (see parse/invalid-yaml)",
                )),
            },
            FileKind::Json => {
                let docs = file.json();
                if docs.is_empty() && !file.text.trim().is_empty() {
                    out.skipped
                        .push(Evidence::file(&file.path, "not evaluated: not valid JSON"));
                }
                yaml_inputs(file, docs, &mut out);
            }
            FileKind::Terraform | FileKind::TfVars | FileKind::Hcl => match file.hcl() {
                Some(Ok(hcl)) => out.inputs.push(hcl_input(file, hcl)),
                _ => out.skipped.push(Evidence::file(
                    &file.path,
                    "not evaluated: does not parse (see parse/invalid-hcl)",
                )),
            },
            FileKind::Dockerfile => match file.dockerfile() {
                Some(Ok(df)) => out.inputs.push(dockerfile_input(file, df)),
                _ => out.skipped.push(Evidence::file(
                    &file.path,
                    "not evaluated: does not parse (see parse/invalid-dockerfile)",
                )),
            },
            _ => {}
        }
    }
    out
}

fn yaml_inputs<'a>(file: &'a SourceFile, docs: &'a [YamlDoc], out: &mut Collected<'a>) {
    for doc in docs {
        let Some(root) = doc.root() else { continue };
        if root.is_null() {
            continue;
        }
        let mut budget = MAX_NODES;
        let Some(value) = yaml_value(root, &mut budget) else {
            out.skipped.push(Evidence::located(
                &root.location(&file.path),
                "not evaluated: the document expands to more than a million values (YAML aliases)",
            ));
            continue;
        };
        let object = match (
            root.get_str("kind"),
            root.get("metadata").and_then(|m| m.get_str("name")),
        ) {
            (Some(kind), Some(name)) => Some(format!("{kind}/{name}")),
            _ => None,
        };
        let start = root.location(&file.path);
        out.inputs.push(Input {
            file,
            value,
            start: Location::line(start.path, start.line),
            locator: Locator::Yaml(root),
            object,
        });
    }
}

/// A YAML node as JSON (YAML 1.2 core types, plus the 1.1 booleans Kubernetes accepts; `<<`
/// merge keys applied). None when the budget of nodes runs out.
pub fn yaml_value(node: Node<'_>, budget: &mut usize) -> Option<Json> {
    *budget = budget.checked_sub(1)?;
    if node.is_map() {
        let mut map = Map::new();
        let mut merges = Vec::new();
        for (k, v) in node.entries() {
            if !k.is_scalar() {
                continue;
            }
            let key = k.as_str().unwrap_or_default();
            if key == "<<" && k.is_plain() {
                merges.push(v);
                continue;
            }
            map.insert(key.to_string(), yaml_value(v, budget)?);
        }
        for merged in merges {
            let sources: Vec<Node<'_>> = if merged.is_seq() {
                merged.items().collect()
            } else {
                vec![merged]
            };
            for source in sources {
                if let Some(Json::Object(m)) = yaml_value(source, budget).filter(Json::is_object) {
                    for (k, v) in m {
                        map.entry(k).or_insert(v);
                    }
                }
            }
        }
        return Some(Json::Object(map));
    }
    if node.is_seq() {
        let mut items = Vec::with_capacity(node.len());
        for item in node.items() {
            items.push(yaml_value(item, budget)?);
        }
        return Some(Json::Array(items));
    }
    Some(scalar(node))
}

fn scalar(node: Node<'_>) -> Json {
    let text = node.as_str().unwrap_or_default();
    if !node.is_plain() {
        return Json::String(text.to_string());
    }
    if node.is_null() {
        return Json::Null;
    }
    if let Some(b) = node.as_bool() {
        return Json::Bool(b);
    }
    if let Some(i) = node.as_i64() {
        return Json::Number(Number::from(i));
    }
    // Only numerals: Rust would also read `inf`, `nan` and `infinity`, which YAML writes `.inf`.
    let numeral = text.bytes().any(|b| b.is_ascii_digit())
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'));
    if numeral && let Some(n) = text.parse::<f64>().ok().and_then(Number::from_f64) {
        return Json::Number(n);
    }
    Json::String(text.to_string())
}

/// conftest's HCL2 shape (hcl2json): attributes are values; a block `type "l1" "l2" { }` is
/// appended to the list at `type.l1.l2`; nested blocks likewise inside their parent's body.
fn hcl_input<'a>(file: &'a SourceFile, hcl: &'a HclFile) -> Input<'a> {
    let mut table = Vec::new();
    let mut body = Map::new();
    for attr in hcl.attributes() {
        let key = attr.key().to_string();
        table.push((vec![Seg::Key(key.clone())], attr.pos().location(&file.path)));
        body.insert(key, hcl_value(&attr.value()));
    }
    for block in hcl.blocks() {
        add_block(file, block, &mut body, &[], &mut table);
    }
    Input {
        file,
        value: Json::Object(body),
        start: Location::file(&file.path),
        locator: Locator::Table(table),
        object: None,
    }
}

fn add_block(
    file: &SourceFile,
    block: Block<'_>,
    out: &mut Map<String, Json>,
    prefix: &[Seg],
    table: &mut Vec<(Vec<Seg>, Location)>,
) {
    let mut keys: Vec<String> = vec![block.ident().to_string()];
    keys.extend(block.labels().into_iter().map(str::to_string));
    let Some((last, parents)) = keys.split_last() else {
        return;
    };
    let mut target = out;
    let mut path = prefix.to_vec();
    for key in parents {
        path.push(Seg::Key(key.clone()));
        let slot = target
            .entry(key.clone())
            .or_insert_with(|| Json::Object(Map::new()));
        let Json::Object(inner) = slot else {
            // An attribute and a block of the same name: hcl2json fails here; keep the attribute.
            return;
        };
        target = inner;
    }
    path.push(Seg::Key(last.clone()));
    let slot = target
        .entry(last.clone())
        .or_insert_with(|| Json::Array(Vec::new()));
    let Json::Array(list) = slot else { return };
    path.push(Seg::Index(list.len()));
    table.push((path.clone(), block.pos().location(&file.path)));
    let mut body = Map::new();
    for attr in block.attributes() {
        let key = attr.key().to_string();
        let mut at = path.clone();
        at.push(Seg::Key(key.clone()));
        table.push((at, attr.pos().location(&file.path)));
        body.insert(key, hcl_value(&attr.value()));
    }
    for nested in block.all_blocks() {
        add_block(file, nested, &mut body, &path, table);
    }
    list.push(Json::Object(body));
}

fn hcl_value(value: &HclValue) -> Json {
    match value {
        HclValue::Null => Json::Null,
        HclValue::Bool(b) => Json::Bool(*b),
        HclValue::Number(n) => number(*n),
        HclValue::String(s) => Json::String(s.clone()),
        HclValue::Template(source) => Json::String(template_text(source)),
        HclValue::Expr(source) => Json::String(format!("${{{source}}}")),
        HclValue::Array(items) => Json::Array(items.iter().map(hcl_value).collect()),
        HclValue::Object(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| (k.clone(), hcl_value(v)))
                .collect(),
        ),
    }
}

/// A whole number as an integer (so `sprintf("%v")` prints `8`, not `8.0`).
fn number(n: f64) -> Json {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        return Json::Number(Number::from(n as i64));
    }
    Number::from_f64(n).map_or(Json::Null, Json::Number)
}

/// A template's text as hcl2json gives it: the quoted string's content, or a heredoc's body,
/// with `${...}` interpolations kept as written.
fn template_text(source: &str) -> String {
    if let Some(inner) = source.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        return inner.replace("\\\"", "\"").replace("\\\\", "\\");
    }
    if source.starts_with("<<") {
        // `<<EOT\nbody\nEOT` or `<<-EOT`: the lines between the first and the last.
        let mut lines: Vec<&str> = source.lines().skip(1).collect();
        lines.pop();
        let indented = source.starts_with("<<-");
        let strip = if indented {
            lines
                .iter()
                .filter(|l| !l.trim().is_empty())
                .map(|l| l.len() - l.trim_start().len())
                .min()
                .unwrap_or(0)
        } else {
            0
        };
        let mut out = String::new();
        for line in lines {
            out.push_str(line.get(strip..).unwrap_or(line.trim_start()));
            out.push('\n');
        }
        return out;
    }
    source.to_string()
}

/// conftest's Dockerfile shape: one command per instruction, `Cmd` lowercased, `Value` the
/// arguments as BuildKit splits them, `Flags` as written (`--from=build`), `Stage` the index of
/// the stage (0 before the first FROM).
fn dockerfile_input<'a>(file: &'a SourceFile, df: &'a Dockerfile) -> Input<'a> {
    let mut table = Vec::new();
    let mut commands = Vec::new();
    let mut froms = 0usize;
    for (i, instruction) in df.instructions.iter().enumerate() {
        if instruction.keyword == "FROM" {
            froms += 1;
        }
        table.push((
            vec![Seg::Index(i)],
            Location::line(&file.path, instruction.line),
        ));
        commands.push(command(instruction, froms.saturating_sub(1)));
    }
    Input {
        file,
        value: Json::Array(commands),
        start: Location::file(&file.path),
        locator: Locator::Table(table),
        object: None,
    }
}

fn command(instruction: &Instruction, stage: usize) -> Json {
    let flags: Vec<Json> = instruction
        .flags
        .iter()
        .map(|f| {
            Json::String(match &f.value {
                Some(v) => format!("--{}={v}", f.name),
                None => format!("--{}", f.name),
            })
        })
        .collect();
    let (sub_cmd, inner) = match &instruction.onbuild {
        Some(inner) => (inner.keyword.to_ascii_lowercase(), inner.as_ref()),
        None => (String::new(), instruction),
    };
    let json = inner.exec_form.is_some();
    let value: Vec<Json> = docker_values(inner).into_iter().map(Json::String).collect();
    let mut map = Map::new();
    map.insert(
        "Cmd".into(),
        Json::String(instruction.keyword.to_ascii_lowercase()),
    );
    map.insert("SubCmd".into(), Json::String(sub_cmd));
    map.insert("JSON".into(), Json::Bool(json));
    map.insert("Flags".into(), Json::Array(flags));
    map.insert("Value".into(), Json::Array(value));
    map.insert("Stage".into(), Json::Number(Number::from(stage)));
    Json::Object(map)
}

/// An instruction's arguments split the way BuildKit's parser splits them for conftest.
fn docker_values(instruction: &Instruction) -> Vec<String> {
    if let Some(exec) = &instruction.exec_form
        && instruction.keyword != "HEALTHCHECK"
    {
        return exec.clone();
    }
    let args = instruction.args.trim();
    match instruction.keyword.as_str() {
        // One string: the command line as written.
        "RUN" | "CMD" | "ENTRYPOINT" | "SHELL" | "USER" | "WORKDIR" | "MAINTAINER"
        | "STOPSIGNAL" => vec![args.to_string()],
        // `key=value` pairs (or the legacy `ENV key value`): names and values in turn.
        "ENV" | "LABEL" => name_values(args),
        "HEALTHCHECK" => {
            let mut words = args.splitn(2, char::is_whitespace);
            let first = words.next().unwrap_or_default().to_string();
            match (&instruction.exec_form, words.next()) {
                (Some(exec), _) => std::iter::once(first).chain(exec.clone()).collect(),
                (None, Some(rest)) => vec![first, rest.trim().to_string()],
                (None, None) => vec![first],
            }
        }
        // FROM, COPY, ADD, EXPOSE, VOLUME, ARG: whitespace-separated words.
        _ => args.split_whitespace().map(str::to_string).collect(),
    }
}

fn name_values(args: &str) -> Vec<String> {
    let words = shell_words(args);
    if words.first().is_some_and(|w| !w.contains('=')) {
        // Legacy `ENV NAME value with spaces`.
        let (name, rest) = args.split_once(char::is_whitespace).unwrap_or((args, ""));
        return vec![name.to_string(), rest.trim().to_string()];
    }
    let mut out = Vec::new();
    for word in words {
        let (name, value) = word.split_once('=').unwrap_or((word.as_str(), ""));
        out.push(name.to_string());
        out.push(value.to_string());
    }
    out
}

/// Words separated by blanks, with double or single quotes removed.
fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut word));
                    in_word = false;
                }
            }
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (_, '\\') => {
                if let Some(next) = chars.next() {
                    word.push(next);
                }
                in_word = true;
            }
            (_, c) => {
                word.push(c);
                in_word = true;
            }
        }
    }
    if in_word {
        out.push(word);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dockerfile(text: &str) -> Json {
        let ws = Workspace::from_texts(&[("Dockerfile", text)]);
        let file = ws.file("Dockerfile").unwrap();
        let df = file.dockerfile().unwrap().unwrap();
        dockerfile_input(file, df).value
    }

    #[test]
    fn dockerfile_is_conftests_instruction_list() {
        let v = dockerfile(
            "FROM golang:1.22 AS build\nRUN go build -o /app .\nFROM gcr.io/distroless/static\nCOPY --from=build /app /app\nENV A=1 B=\"two words\"\nUSER 65532:65532\nENTRYPOINT [\"/app\"]\n",
        );
        let cmds = v.as_array().unwrap();
        assert_eq!(cmds.len(), 7);
        assert_eq!(
            cmds[0],
            serde_json::json!({"Cmd": "from", "SubCmd": "", "JSON": false, "Flags": [], "Value": ["golang:1.22", "AS", "build"], "Stage": 0})
        );
        assert_eq!(cmds[1]["Value"], serde_json::json!(["go build -o /app ."]));
        assert_eq!(cmds[2]["Stage"], 1);
        assert_eq!(cmds[3]["Flags"], serde_json::json!(["--from=build"]));
        assert_eq!(cmds[3]["Value"], serde_json::json!(["/app", "/app"]));
        assert_eq!(
            cmds[4]["Value"],
            serde_json::json!(["A", "1", "B", "two words"])
        );
        assert_eq!(cmds[5]["Value"], serde_json::json!(["65532:65532"]));
        assert_eq!(cmds[6]["JSON"], true);
        assert_eq!(cmds[6]["Value"], serde_json::json!(["/app"]));
    }

    #[test]
    fn terraform_is_hcl2json_with_located_blocks() {
        let ws = Workspace::from_texts(&[(
            "main.tf",
            "variable \"env\" {}\n\nresource \"aws_s3_bucket\" \"logs\" {\n  bucket = \"acme-logs-${var.env}\"\n  acl    = var.acl\n  versioning {\n    enabled = true\n  }\n  tags = { team = \"sre\", count = 3 }\n}\n",
        )]);
        let file = ws.file("main.tf").unwrap();
        let input = hcl_input(file, file.hcl().unwrap().unwrap());
        assert_eq!(
            input.value,
            serde_json::json!({
                "variable": {"env": [{}]},
                "resource": {"aws_s3_bucket": {"logs": [{
                    "bucket": "acme-logs-${var.env}",
                    "acl": "${var.acl}",
                    "versioning": [{"enabled": true}],
                    "tags": {"team": "sre", "count": 3}
                }]}}
            })
        );
        let at = |p: &[Seg]| input.locate(p).line;
        let key = |s: &str| Seg::Key(s.into());
        let logs = [
            key("resource"),
            key("aws_s3_bucket"),
            key("logs"),
            Seg::Index(0),
        ];
        assert_eq!(at(&logs), 3);
        assert_eq!(at(&[&logs[..], &[key("acl")]].concat()), 5);
        assert_eq!(
            at(&[
                &logs[..],
                &[key("versioning"), Seg::Index(0), key("enabled")]
            ]
            .concat()),
            7
        );
        // A dotted path's indexes are text; a missing key points at its nearest parent.
        assert_eq!(
            at(&[
                &logs[..3],
                &[key("0"), key("server_side_encryption_configuration")]
            ]
            .concat()),
            3
        );
    }

    #[test]
    fn yaml_values_are_typed_and_located() {
        let ws = Workspace::from_texts(&[(
            "a.yaml",
            "base: &b\n  replicas: 2\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  <<: *b\n  paused: false\n  version: \"1.0\"\n  ratio: 0.5\n  name: inf\n  none: ~\n  list:\n    - image: nginx\n",
        )]);
        let file = ws.file("a.yaml").unwrap();
        let mut out = Collected {
            inputs: Vec::new(),
            skipped: Vec::new(),
            files: 0,
        };
        yaml_inputs(file, file.yaml_docs(), &mut out);
        let input = &out.inputs[0];
        assert_eq!(input.object.as_deref(), Some("Deployment/web"));
        assert_eq!(
            input.value["spec"],
            serde_json::json!({"replicas": 2, "paused": false, "version": "1.0", "ratio": 0.5, "name": "inf", "none": null, "list": [{"image": "nginx"}]})
        );
        let key = |s: &str| Seg::Key(s.into());
        assert_eq!(
            input
                .locate(&[key("spec"), key("list"), Seg::Index(0), key("image")])
                .line,
            14
        );
        assert_eq!(input.locate(&[key("spec"), key("list"), key("0")]).line, 14);
        // A missing key points at the key of its nearest parent; nothing found, at the start.
        assert_eq!(input.locate(&[key("spec"), key("missing")]).line, 6);
        assert_eq!(input.locate(&[key("status"), key("ready")]).line, 1);
    }

    #[test]
    fn alias_bombs_are_bounded() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let ws = Workspace::from_texts(&[("bomb.yaml", &text)]);
        let file = ws.file("bomb.yaml").unwrap();
        let mut budget = MAX_NODES;
        assert!(yaml_value(file.yaml_docs()[0].root().unwrap(), &mut budget).is_none());
    }
}
