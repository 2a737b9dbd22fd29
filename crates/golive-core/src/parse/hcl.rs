//! The HCL/Terraform reading layer: parses `.tf`, `.tfvars` and `.terraform.lock.hcl` files with
//! hcl-edit into a small read-only view whose blocks and attributes keep their positions.
//!
//! Positions are 1-based lines and 1-based character columns of the text as an editor shows it:
//! a leading UTF-8 byte order mark is stripped before parsing and is not counted as a column.
//! Values are never evaluated: anything that is not a literal is kept as its source text.

use crate::model::Location;
use crate::text::{LineIndex, strip_bom};
use hcl_edit::Span;
use hcl_edit::expr::{Expression, ObjectKey, UnaryOperator};
use hcl_edit::structure::{self as ast, Structure};
use hcl_edit::template::{Element, Template};
use std::fmt;
use std::ops::Range;

/// Deepest value nesting converted into [`Value`]; deeper parts are kept as source text.
/// (hcl-edit itself rejects input nested deeper than 64 levels.)
const MAX_VALUE_DEPTH: usize = 96;

/// A parsed HCL file: the syntax tree, its text (without a BOM) and a line index over that text.
pub struct HclFile {
    body: ast::Body,
    text: String,
    index: LineIndex,
}

impl fmt::Debug for HclFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HclFile")
            .field("structures", &self.body.len())
            .field("bytes", &self.text.len())
            .finish()
    }
}

/// Why an HCL file could not be read: the parser's message and where it stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HclError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl fmt::Display for HclError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for HclError {}

/// A span: 1-based start line and character column; the end is on the line of the last
/// character and one column past it (the same convention as [`Location`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
}

impl Pos {
    /// This span as a location in `path`.
    pub fn location(&self, path: &str) -> Location {
        Location {
            path: path.to_string(),
            line: self.line,
            column: self.column,
            end_line: self.end_line,
            end_column: self.end_column,
        }
    }
}

/// Parses an HCL file (`.tf`, `.tfvars`, `.terraform.lock.hcl`, ...). A leading BOM is stripped
/// first. Never panics; errors carry the parser's message and position.
pub fn parse(text: &str) -> Result<HclFile, HclError> {
    let (text, _bom_bytes) = strip_bom(text);
    match hcl_edit::parser::parse_body(text) {
        Ok(body) => Ok(HclFile {
            body,
            text: text.to_string(),
            index: LineIndex::new(text),
        }),
        Err(err) => {
            let location = err.location();
            Err(HclError {
                line: to_u32(location.line()),
                column: to_u32(location.column()),
                message: err.message().to_string(),
            })
        }
    }
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl HclFile {
    /// Top-level blocks, in source order.
    pub fn blocks(&self) -> impl Iterator<Item = Block<'_>> {
        body_blocks(self, &self.body)
    }

    /// Top-level blocks with this identifier (`"terraform"`, `"resource"`, `"provider"`, ...).
    pub fn blocks_of<'i>(&self, ident: &'i str) -> impl Iterator<Item = Block<'_>> + use<'_, 'i> {
        self.blocks().filter(move |b| b.ident() == ident)
    }

    /// A top-level attribute (the content of `.tfvars` files).
    pub fn attribute(&self, key: &str) -> Option<Attribute<'_>> {
        body_attribute(self, &self.body, key)
    }

    /// Top-level attributes, in source order (the content of `.tfvars` files).
    pub fn attributes(&self) -> impl Iterator<Item = Attribute<'_>> {
        body_attributes(self, &self.body)
    }

    /// Every attribute of the file at any depth (top level and inside nested blocks),
    /// depth-first in source order. Attributes inside object values are not separate entries.
    pub fn all_attributes(&self) -> Vec<Attribute<'_>> {
        let mut out = Vec::new();
        collect_attributes(self, &self.body, &mut out);
        out
    }

    /// The `provider` blocks of a `.terraform.lock.hcl` file.
    pub fn lock_providers(&self) -> Vec<LockedProvider> {
        self.blocks_of("provider")
            .filter_map(|block| {
                let source = block.label(0)?.to_string();
                let string_of = |key: &str| {
                    block
                        .attribute(key)
                        .and_then(|a| a.value().as_str().map(str::to_string))
                };
                let hashes = match block.attribute("hashes").map(|a| a.value()) {
                    Some(Value::Array(items)) => items
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_string))
                        .collect(),
                    _ => Vec::new(),
                };
                Some(LockedProvider {
                    source,
                    version: string_of("version"),
                    constraints: string_of("constraints"),
                    hashes,
                    pos: block.pos(),
                })
            })
            .collect()
    }

    /// The entries of every `terraform { required_providers { ... } }` block, in source order.
    /// Both the object form (`aws = { source = "...", version = "..." }`) and the legacy string
    /// form (`aws = "~> 5.0"`) are read.
    pub fn required_providers(&self) -> Vec<RequiredProvider> {
        let mut out = Vec::new();
        for required in self
            .blocks_of("terraform")
            .flat_map(|t| t.blocks("required_providers"))
        {
            for attr in required.attributes() {
                let value = attr.value();
                let (source, version, version_pos) = match &value {
                    Value::Object(_) => (
                        value
                            .get("source")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        value
                            .get("version")
                            .and_then(Value::as_str)
                            .map(str::to_string),
                        attr.entry_pos("version"),
                    ),
                    Value::String(s) => (None, Some(s.clone()), Some(attr.value_pos())),
                    _ => (None, None, None),
                };
                out.push(RequiredProvider {
                    name: attr.key().to_string(),
                    source,
                    version,
                    pos: attr.pos(),
                    version_pos,
                });
            }
        }
        out
    }

    /// The span of a byte range of the (BOM-less) text, with trailing whitespace left out.
    fn pos_of(&self, range: Range<usize>) -> Pos {
        let bytes = self.text.as_bytes();
        let start = range.start.min(bytes.len());
        let mut end = range.end.clamp(start, bytes.len());
        while end > start
            && bytes
                .get(end - 1)
                .is_some_and(|b| matches!(b, b' ' | b'\t' | b'\r' | b'\n'))
        {
            end -= 1;
        }
        let (line, column) = self.index.position(&self.text, start);
        let (end_line, end_column) = self.index.position(&self.text, end);
        Pos {
            line,
            column,
            end_line,
            end_column,
        }
    }

    /// The source text of a byte range, or None when the range is not in the text.
    fn source(&self, range: Option<Range<usize>>) -> Option<&str> {
        range.and_then(|r| self.text.get(r))
    }

    /// The source text of an expression (its own re-encoding if it carries no span).
    fn expr_source(&self, expr: &Expression) -> String {
        match self.source(expr.span()) {
            Some(s) => s.to_string(),
            None => expr.to_string().trim().to_string(),
        }
    }
}

/// One entry of a `.terraform.lock.hcl` file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockedProvider {
    /// The block label, e.g. `registry.terraform.io/hashicorp/aws`.
    pub source: String,
    pub version: Option<String>,
    pub constraints: Option<String>,
    pub hashes: Vec<String>,
    /// The block's first line.
    pub pos: Pos,
}

/// One entry of a `required_providers` block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequiredProvider {
    /// The local name, e.g. `aws`.
    pub name: String,
    /// `source`, when it is a literal string.
    pub source: Option<String>,
    /// The version constraint, when it is a literal string.
    pub version: Option<String>,
    /// The whole `name = ...` attribute.
    pub pos: Pos,
    /// The `version = ...` entry (or the legacy string value), when present.
    pub version_pos: Option<Pos>,
}

/// A block (`ident "label" ... { body }`) of an [`HclFile`].
#[derive(Clone, Copy)]
pub struct Block<'a> {
    file: &'a HclFile,
    block: &'a ast::Block,
}

impl fmt::Debug for Block<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pos = self.pos();
        write!(
            f,
            "Block({} {:?})@{}:{}",
            self.ident(),
            self.labels(),
            pos.line,
            pos.column
        )
    }
}

impl<'a> Block<'a> {
    /// The block type, e.g. `resource`.
    pub fn ident(&self) -> &'a str {
        self.block.ident.as_str()
    }

    /// The labels, e.g. `["aws_s3_bucket", "logs"]`.
    pub fn labels(&self) -> Vec<&'a str> {
        self.block.labels.iter().map(|l| l.as_str()).collect()
    }

    /// The label at `index` (0-based), if there is one.
    pub fn label(&self, index: usize) -> Option<&'a str> {
        self.block.labels.get(index).map(|l| l.as_str())
    }

    /// The block's header: from its identifier to the end of its last label, on its first line.
    /// This is where findings about a missing attribute point.
    pub fn pos(&self) -> Pos {
        let start = self.block.span().map_or(0, |s| s.start);
        let header_end = self
            .block
            .labels
            .last()
            .and_then(|l| l.span())
            .or_else(|| self.block.ident.span())
            .map_or(start, |s| s.end);
        self.file.pos_of(start..header_end)
    }

    /// The whole block, through its closing brace.
    pub fn full_pos(&self) -> Pos {
        self.file.pos_of(self.block.span().unwrap_or(0..0))
    }

    /// The attribute `key` of this block's body.
    pub fn attribute(&self, key: &str) -> Option<Attribute<'a>> {
        body_attribute(self.file, &self.block.body, key)
    }

    /// This block's attributes, in source order.
    pub fn attributes(&self) -> impl Iterator<Item = Attribute<'a>> + use<'a> {
        body_attributes(self.file, &self.block.body)
    }

    /// Nested blocks with this identifier (e.g. `lifecycle`, `backend`), in source order.
    pub fn blocks<'i>(&self, ident: &'i str) -> impl Iterator<Item = Block<'a>> + use<'a, 'i> {
        body_blocks(self.file, &self.block.body).filter(move |b| b.ident() == ident)
    }

    /// The first nested block with this identifier.
    pub fn block(&self, ident: &str) -> Option<Block<'a>> {
        self.blocks(ident).next()
    }

    /// All directly nested blocks, in source order.
    pub fn all_blocks(&self) -> impl Iterator<Item = Block<'a>> + use<'a> {
        body_blocks(self.file, &self.block.body)
    }

    /// Every attribute in this block at any depth (its own and those of nested blocks),
    /// depth-first in source order.
    pub fn all_attributes(&self) -> Vec<Attribute<'a>> {
        let mut out = Vec::new();
        collect_attributes(self.file, &self.block.body, &mut out);
        out
    }
}

/// An attribute (`key = expression`) of an [`HclFile`].
#[derive(Clone, Copy)]
pub struct Attribute<'a> {
    file: &'a HclFile,
    attr: &'a ast::Attribute,
}

impl fmt::Debug for Attribute<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pos = self.pos();
        write!(
            f,
            "Attribute({} = {})@{}:{}",
            self.key(),
            self.expr_source(),
            pos.line,
            pos.column
        )
    }
}

impl<'a> Attribute<'a> {
    pub fn key(&self) -> &'a str {
        self.attr.key.as_str()
    }

    /// The value, as far as it can be read without evaluation.
    pub fn value(&self) -> Value {
        to_value(self.file, &self.attr.value, 0)
    }

    /// The whole attribute, from its key to the end of its value.
    pub fn pos(&self) -> Pos {
        self.file.pos_of(self.attr.span().unwrap_or(0..0))
    }

    /// Only the value expression.
    pub fn value_pos(&self) -> Pos {
        match self.attr.value.span() {
            Some(span) => self.file.pos_of(span),
            None => self.pos(),
        }
    }

    /// The value expression exactly as written.
    pub fn expr_source(&self) -> String {
        self.file.expr_source(&self.attr.value)
    }

    /// When the value is an object, the span of its entry `key = value` (a key written as an
    /// identifier or a literal string).
    pub fn entry_pos(&self, key: &str) -> Option<Pos> {
        let object = self.attr.value.as_object()?;
        object.iter().find_map(|(k, v)| {
            if object_key(self.file, k) != key {
                return None;
            }
            let start = k.span()?.start;
            let end = v.expr().span()?.end;
            Some(self.file.pos_of(start..end))
        })
    }
}

/// A value read without evaluating anything.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    /// A string without interpolations or directives (quoted or heredoc).
    String(String),
    /// A string with `${...}` interpolations or `%{...}` directives, as its source text.
    Template(String),
    /// Any other expression (reference, function call, conditional, `for`, ...), as source text.
    Expr(String),
    Array(Vec<Value>),
    /// Entries in source order; keys are identifiers or literal strings, other keys are their
    /// source text.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// A literal string.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A literal bool.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// A literal bool, or a literal string Terraform would convert to one (`"true"`, `"false"`).
    pub fn to_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s == "true" => Some(true),
            Value::String(s) if s == "false" => Some(false),
            _ => None,
        }
    }

    /// A literal number, or a literal string Terraform would convert to one (`"7"`).
    pub fn to_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            Value::String(s) => s.trim().parse().ok().filter(|n: &f64| n.is_finite()),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The value of an object entry (the first, if a key repeats).
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// True when nothing in the value needs evaluation (no templates or expressions).
    pub fn is_literal(&self) -> bool {
        match self {
            Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => true,
            Value::Template(_) | Value::Expr(_) => false,
            Value::Array(items) => items.iter().all(Value::is_literal),
            Value::Object(entries) => entries.iter().all(|(_, v)| v.is_literal()),
        }
    }
}

fn body_blocks<'a>(file: &'a HclFile, body: &'a ast::Body) -> impl Iterator<Item = Block<'a>> {
    body.iter().filter_map(move |s| match s {
        Structure::Block(block) => Some(Block { file, block }),
        Structure::Attribute(_) => None,
    })
}

fn body_attributes<'a>(
    file: &'a HclFile,
    body: &'a ast::Body,
) -> impl Iterator<Item = Attribute<'a>> {
    body.iter().filter_map(move |s| match s {
        Structure::Attribute(attr) => Some(Attribute { file, attr }),
        Structure::Block(_) => None,
    })
}

fn body_attribute<'a>(file: &'a HclFile, body: &'a ast::Body, key: &str) -> Option<Attribute<'a>> {
    body_attributes(file, body).find(|a| a.key() == key)
}

/// Depth is bounded by hcl-edit's nesting limit.
fn collect_attributes<'a>(file: &'a HclFile, body: &'a ast::Body, out: &mut Vec<Attribute<'a>>) {
    for structure in body.iter() {
        match structure {
            Structure::Attribute(attr) => out.push(Attribute { file, attr }),
            Structure::Block(block) => collect_attributes(file, &block.body, out),
        }
    }
}

fn object_key(file: &HclFile, key: &ObjectKey) -> String {
    match key {
        ObjectKey::Ident(ident) => ident.as_str().to_string(),
        ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
        ObjectKey::Expression(expr) => file.expr_source(expr),
    }
}

/// The text of a template made only of literal parts; None if it interpolates anything.
fn literal_template(template: &Template) -> Option<String> {
    let mut out = String::new();
    for element in template.iter() {
        match element {
            Element::Literal(literal) => out.push_str(literal.value()),
            Element::Interpolation(_) | Element::Directive(_) => return None,
        }
    }
    Some(out)
}

fn to_value(file: &HclFile, expr: &Expression, depth: usize) -> Value {
    if depth > MAX_VALUE_DEPTH {
        return Value::Expr(file.expr_source(expr));
    }
    match expr {
        Expression::Null(_) => Value::Null,
        Expression::Bool(b) => Value::Bool(*b.value()),
        Expression::Number(n) => match n.value().as_f64() {
            Some(f) => Value::Number(f),
            None => Value::Expr(file.expr_source(expr)),
        },
        Expression::String(s) => Value::String(s.value().clone()),
        Expression::StringTemplate(t) => match literal_template(t) {
            Some(s) => Value::String(s),
            None => Value::Template(file.expr_source(expr)),
        },
        Expression::HeredocTemplate(h) => match literal_template(&h.template) {
            Some(s) => Value::String(s),
            None => Value::Template(file.expr_source(expr)),
        },
        Expression::Parenthesis(p) => match to_value(file, p.inner(), depth + 1) {
            // Keep the parentheses in the source text of what cannot be read.
            Value::Expr(_) | Value::Template(_) => Value::Expr(file.expr_source(expr)),
            literal => literal,
        },
        Expression::UnaryOp(op) if *op.operator.value() == UnaryOperator::Neg => {
            match to_value(file, &op.expr, depth + 1) {
                Value::Number(n) => Value::Number(-n),
                _ => Value::Expr(file.expr_source(expr)),
            }
        }
        Expression::Array(items) => Value::Array(
            items
                .iter()
                .map(|item| to_value(file, item, depth + 1))
                .collect(),
        ),
        Expression::Object(object) => Value::Object(
            object
                .iter()
                .map(|(k, v)| (object_key(file, k), to_value(file, v.expr(), depth + 1)))
                .collect(),
        ),
        Expression::UnaryOp(_)
        | Expression::Variable(_)
        | Expression::Conditional(_)
        | Expression::FuncCall(_)
        | Expression::Traversal(_)
        | Expression::BinaryOp(_)
        | Expression::ForExpr(_) => Value::Expr(file.expr_source(expr)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIN_TF: &str = r#"terraform {
  required_version = ">= 1.6.0" # pinned
  backend "s3" {
    bucket         = "acme-state"
    key            = "prod/terraform.tfstate"
    region         = "eu-west-1"
    encrypt        = true
    use_lockfile   = true
    dynamodb_table = "tf-locks"
  }
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
    random = "~> 3.6"
    local = {
      source = "hashicorp/local"
    }
  }
}

provider "aws" {
  region     = var.region
  access_key = "AKIAIOSFODNN7EXAMPLE"
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs-${var.env}"
  tags   = { Name = "logs", "team-owner" = "platform", count = 3 }

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_db_instance" "main" {
  engine                  = "postgres"
  backup_retention_period = 7
  deletion_protection     = var.env == "prod" ? true : false
  skip_final_snapshot     = false
  allocated_storage       = (20)
  monitoring_interval     = (var.enhanced ? 60 : 0)
  offset                  = -3
  ports                   = [5432, 5433]
  password                = null
  policy = <<-EOT
    {"Version": "2012-10-17"}
  EOT
  user_data = <<EOT
echo ${var.x}
EOT
}

resource aws_iam_access_key ci {
  user = aws_iam_user.ci.name
}
"#;

    fn file(text: &str) -> HclFile {
        match parse(text) {
            Ok(f) => f,
            Err(e) => panic!("parse failed: {e}"),
        }
    }

    fn pos(line: u32, column: u32, end_line: u32, end_column: u32) -> Pos {
        Pos {
            line,
            column,
            end_line,
            end_column,
        }
    }

    #[test]
    fn reads_the_terraform_block_and_backend() {
        let f = file(MAIN_TF);
        let terraform: Vec<_> = f.blocks_of("terraform").collect();
        assert_eq!(terraform.len(), 1);
        let t = terraform[0];
        assert_eq!(t.pos(), pos(1, 1, 1, 10));
        assert_eq!(t.full_pos(), pos(1, 1, 21, 2));

        let rv = t
            .attribute("required_version")
            .map(|a| (a.value(), a.pos()));
        assert_eq!(
            rv,
            Some((Value::String(">= 1.6.0".into()), pos(2, 3, 2, 32)))
        );

        let backends: Vec<_> = f
            .blocks_of("terraform")
            .flat_map(|t| t.blocks("backend"))
            .collect();
        assert_eq!(backends.len(), 1);
        let backend = backends[0];
        assert_eq!(backend.label(0), Some("s3"));
        assert_eq!(backend.label(1), None);
        assert_eq!(backend.labels(), vec!["s3"]);
        assert_eq!(backend.pos(), pos(3, 3, 3, 15));
        let encrypt = backend.attribute("encrypt");
        assert_eq!(encrypt.map(|a| a.value()), Some(Value::Bool(true)));
        assert_eq!(encrypt.map(|a| a.pos()), Some(pos(7, 5, 7, 26)));
        assert_eq!(encrypt.map(|a| a.value_pos()), Some(pos(7, 22, 7, 26)));
        assert_eq!(
            backend
                .attribute("use_lockfile")
                .and_then(|a| a.value().as_bool()),
            Some(true)
        );
        assert_eq!(
            backend
                .attribute("dynamodb_table")
                .map(|a| a.value().as_str().map(str::to_string)),
            Some(Some("tf-locks".to_string()))
        );
        assert!(backend.attribute("kms_key_id").is_none());
        let keys: Vec<_> = backend.attributes().map(|a| a.key()).collect();
        assert_eq!(
            keys,
            [
                "bucket",
                "key",
                "region",
                "encrypt",
                "use_lockfile",
                "dynamodb_table"
            ]
        );
    }

    #[test]
    fn reads_required_providers() {
        let f = file(MAIN_TF);
        let providers = f.required_providers();
        assert_eq!(providers.len(), 3);
        assert_eq!(providers[0].name, "aws");
        assert_eq!(providers[0].source.as_deref(), Some("hashicorp/aws"));
        assert_eq!(providers[0].version.as_deref(), Some("~> 5.40"));
        assert_eq!(providers[0].pos, pos(12, 5, 15, 6));
        assert_eq!(providers[0].version_pos, Some(pos(14, 7, 14, 26)));
        assert_eq!(providers[1].name, "random");
        assert_eq!(providers[1].source, None);
        assert_eq!(providers[1].version.as_deref(), Some("~> 3.6"));
        assert_eq!(providers[1].version_pos, Some(pos(16, 14, 16, 22)));
        assert_eq!(providers[2].name, "local");
        assert_eq!(providers[2].version, None);
        assert_eq!(providers[2].version_pos, None);
    }

    #[test]
    fn reads_resources_values_and_nested_blocks() {
        let f = file(MAIN_TF);
        let resources: Vec<_> = f.blocks_of("resource").collect();
        assert_eq!(resources.len(), 3);
        assert_eq!(resources[0].labels(), vec!["aws_s3_bucket", "logs"]);
        assert_eq!(resources[0].pos(), pos(28, 1, 28, 32));
        // Bare identifiers as labels.
        assert_eq!(resources[2].labels(), vec!["aws_iam_access_key", "ci"]);
        assert_eq!(resources[2].pos(), pos(55, 1, 55, 31));

        let bucket = resources[0];
        assert_eq!(
            bucket.attribute("bucket").map(|a| a.value()),
            Some(Value::Template("\"acme-logs-${var.env}\"".into()))
        );
        let tags = bucket.attribute("tags").map(|a| a.value());
        assert_eq!(
            tags,
            Some(Value::Object(vec![
                ("Name".into(), Value::String("logs".into())),
                ("team-owner".into(), Value::String("platform".into())),
                ("count".into(), Value::Number(3.0)),
            ]))
        );
        assert_eq!(
            bucket
                .attribute("tags")
                .and_then(|a| a.entry_pos("team-owner")),
            Some(pos(30, 29, 30, 54))
        );
        let prevent = bucket
            .block("lifecycle")
            .and_then(|l| l.attribute("prevent_destroy"));
        assert_eq!(prevent.map(|a| a.value()), Some(Value::Bool(true)));
        assert_eq!(prevent.map(|a| a.pos().line), Some(33));
        assert_eq!(bucket.all_blocks().count(), 1);

        let db = resources[1];
        let value = |k: &str| db.attribute(k).map(|a| a.value());
        assert_eq!(value("backup_retention_period"), Some(Value::Number(7.0)));
        assert_eq!(
            value("deletion_protection"),
            Some(Value::Expr("var.env == \"prod\" ? true : false".into()))
        );
        assert_eq!(value("skip_final_snapshot"), Some(Value::Bool(false)));
        assert_eq!(value("allocated_storage"), Some(Value::Number(20.0)));
        assert_eq!(
            value("monitoring_interval"),
            Some(Value::Expr("(var.enhanced ? 60 : 0)".into()))
        );
        assert_eq!(value("offset"), Some(Value::Number(-3.0)));
        assert_eq!(
            value("ports"),
            Some(Value::Array(vec![
                Value::Number(5432.0),
                Value::Number(5433.0)
            ]))
        );
        assert_eq!(value("password"), Some(Value::Null));
        assert_eq!(
            value("policy"),
            Some(Value::String("{\"Version\": \"2012-10-17\"}\n".into()))
        );
        assert_eq!(
            value("user_data"),
            Some(Value::Template("<<EOT\necho ${var.x}\nEOT".into()))
        );
        let policy = db.attribute("policy").map(|a| a.pos());
        assert_eq!(policy, Some(pos(47, 3, 49, 6)));

        let access_key = resources[2].attribute("user");
        assert_eq!(
            access_key.map(|a| a.expr_source()),
            Some("aws_iam_user.ci.name".to_string())
        );
    }

    #[test]
    fn walks_every_attribute() {
        let f = file(MAIN_TF);
        let all = f.all_attributes();
        assert_eq!(all.len(), 27);
        let secret: Vec<_> = all
            .iter()
            .filter(|a| a.key() == "access_key")
            .map(|a| (a.value(), a.pos().line))
            .collect();
        assert_eq!(
            secret,
            vec![(Value::String("AKIAIOSFODNN7EXAMPLE".into()), 25)]
        );
        let in_terraform: Vec<_> = f
            .blocks_of("terraform")
            .flat_map(|t| t.all_attributes())
            .map(|a| a.key())
            .collect();
        assert_eq!(in_terraform.len(), 10);
        assert_eq!(in_terraform.first(), Some(&"required_version"));
        assert_eq!(in_terraform.last(), Some(&"local"));
    }

    #[test]
    fn views_can_cross_threads() {
        fn send_sync<T: Send + Sync>() {}
        send_sync::<HclFile>();
        send_sync::<Block<'static>>();
        send_sync::<Attribute<'static>>();
        send_sync::<HclError>();
    }

    #[test]
    fn value_helpers() {
        assert_eq!(Value::String("true".into()).to_bool(), Some(true));
        assert_eq!(Value::String("true".into()).as_bool(), None);
        assert_eq!(Value::Bool(false).to_bool(), Some(false));
        assert_eq!(Value::String("yes".into()).to_bool(), None);
        assert_eq!(Value::String(" 14 ".into()).to_f64(), Some(14.0));
        assert_eq!(Value::String("NaN".into()).to_f64(), None);
        assert_eq!(Value::Expr("var.x".into()).to_f64(), None);
        let obj = Value::Object(vec![("a".into(), Value::Array(vec![Value::Null]))]);
        assert_eq!(
            obj.get("a").and_then(Value::as_array).map(<[_]>::len),
            Some(1)
        );
        assert_eq!(obj.get("b"), None);
        assert!(obj.is_literal());
        assert!(!Value::Array(vec![Value::Template("\"${x}\"".into())]).is_literal());
    }

    #[test]
    fn tfvars_are_top_level_attributes() {
        let f =
            file("region = \"eu-west-1\"\ninstance_count = 3\n\ntags = {\n  env = \"prod\"\n}\n");
        let attrs: Vec<_> = f.attributes().map(|a| (a.key(), a.value())).collect();
        assert_eq!(attrs.len(), 3);
        assert_eq!(attrs[0], ("region", Value::String("eu-west-1".into())));
        assert_eq!(attrs[1], ("instance_count", Value::Number(3.0)));
        assert_eq!(
            attrs[2],
            (
                "tags",
                Value::Object(vec![("env".into(), Value::String("prod".into()))])
            )
        );
        assert_eq!(f.attribute("tags").map(|a| a.pos()), Some(pos(4, 1, 6, 2)));
        assert_eq!(f.blocks().count(), 0);
    }

    #[test]
    fn lock_file_providers() {
        let lock = r#"# This file is maintained automatically by "terraform init".
# Manual edits may be lost in future updates.

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.40.0"
  constraints = "~> 5.40"
  hashes = [
    "h1:abc=",
    "zh:0123",
  ]
}

provider "registry.terraform.io/hashicorp/random" {
  version = "3.6.0"
  hashes = [
    "h1:def=",
  ]
}
"#;
        let f = file(lock);
        let providers = f.lock_providers();
        assert_eq!(
            providers,
            vec![
                LockedProvider {
                    source: "registry.terraform.io/hashicorp/aws".into(),
                    version: Some("5.40.0".into()),
                    constraints: Some("~> 5.40".into()),
                    hashes: vec!["h1:abc=".into(), "zh:0123".into()],
                    pos: pos(4, 1, 4, 47),
                },
                LockedProvider {
                    source: "registry.terraform.io/hashicorp/random".into(),
                    version: Some("3.6.0".into()),
                    constraints: None,
                    hashes: vec!["h1:def=".into()],
                    pos: pos(13, 1, 13, 50),
                },
            ]
        );
    }

    #[test]
    fn positions_after_bom_crlf_and_multibyte() {
        let text = "\u{feff}# café\r\nlocals {\r\n  note = \"déjà vu\" # ü\r\n  n = 1\r\n}\r\n";
        let f = file(text);
        let locals = f.blocks_of("locals").next();
        assert_eq!(locals.map(|b| b.pos()), Some(pos(2, 1, 2, 7)));
        assert_eq!(locals.map(|b| b.full_pos()), Some(pos(2, 1, 5, 2)));
        let note = locals.and_then(|b| b.attribute("note"));
        assert_eq!(note.map(|a| a.pos()), Some(pos(3, 3, 3, 19)));
        assert_eq!(note.map(|a| a.value_pos()), Some(pos(3, 10, 3, 19)));
        assert_eq!(
            note.map(|a| a.value()),
            Some(Value::String("déjà vu".into()))
        );
        let n = locals.and_then(|b| b.attribute("n"));
        assert_eq!(n.map(|a| a.pos()), Some(pos(4, 3, 4, 8)));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let f = file("\u{feff}a = { \"ñ€😀\" = 1, b = 2 }\n");
        let a = f.attribute("a");
        assert_eq!(a.map(|a| a.pos()), Some(pos(1, 1, 1, 25)));
        assert_eq!(a.and_then(|a| a.entry_pos("b")), Some(pos(1, 18, 1, 23)));
        assert_eq!(a.and_then(|a| a.entry_pos("ñ€😀")), Some(pos(1, 7, 1, 16)));
    }

    #[test]
    fn errors_carry_the_parser_position() {
        let err = parse("a = 1\nb = {\n  c = \n}\n").err();
        assert_eq!(err.as_ref().map(|e| e.line), Some(3));
        assert!(err.is_some_and(|e| !e.message.is_empty()));

        let err = parse("\u{feff}a = 1\na = 2\n").err();
        assert_eq!(
            err.as_ref().map(|e| (e.line, e.column)),
            Some((2, 1)),
            "{err:?}"
        );
        assert!(err.is_some_and(|e| e.message.contains("redefined")));

        let err = parse("a = \"é\" b = 2\n").err();
        assert_eq!(err.as_ref().map(|e| (e.line, e.column)), Some((1, 9)));
        // The BOM is not a column.
        let with_bom = parse("\u{feff}a = \"é\" b = 2\n").err();
        assert_eq!(with_bom, err);
        assert_eq!(
            err.map(|e| e.to_string()),
            Some("1:9: expected newline or eof".to_string())
        );
    }

    #[test]
    fn multiline_conditional_in_for_object_is_an_error_not_a_panic() {
        let text = r#"locals {
  formatted_labels = {
    for k, v in var.labels : k =>
      var.lowercase
        ? lower(v)
        : v
  }
}
"#;
        let err = parse(text).err();
        assert_eq!(err.as_ref().map(|e| (e.line, e.column)), Some((5, 9)));
        assert_eq!(err.map(|e| e.message), Some("expected `}`".to_string()));
    }

    #[test]
    fn empty_and_comment_only_files() {
        for text in [
            "",
            "\u{feff}",
            "\n\n",
            "# nothing\n// here\n/* or\nhere */\n",
        ] {
            let f = file(text);
            assert_eq!(f.blocks().count(), 0);
            assert_eq!(f.attributes().count(), 0);
            assert!(f.lock_providers().is_empty());
            assert!(f.required_providers().is_empty());
        }
    }

    #[test]
    fn truncated_and_garbage_input_never_panics() {
        let mut parsed = 0usize;
        let mut failed = 0usize;
        let mut exercise = |text: &str| match parse(text) {
            Ok(f) => {
                parsed += 1;
                for a in f.all_attributes() {
                    let _ = (a.value(), a.pos(), a.value_pos(), a.expr_source());
                    let _ = a.entry_pos("version");
                }
                for b in f.blocks() {
                    let _ = (b.pos(), b.full_pos(), b.labels());
                }
                let _ = (f.lock_providers(), f.required_providers());
            }
            Err(e) => {
                failed += 1;
                assert!(e.line >= 1 && e.column >= 1, "{e:?}");
            }
        };
        for end in (0..=MAIN_TF.len()).filter(|&i| MAIN_TF.is_char_boundary(i)) {
            exercise(&MAIN_TF[..end]);
            exercise(&MAIN_TF[end..]);
        }
        // Deterministic pseudo-random garbage from HCL-ish characters.
        let alphabet: Vec<char> = "ab=\"{}[]()$%<>-#/*\n\r\t ,.:?!~\\éx1EOT".chars().collect();
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..3000 {
            let len = (state % 40) as usize;
            let mut s = String::new();
            for _ in 0..len {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let i = (state % alphabet.len() as u64) as usize;
                s.push(alphabet.get(i).copied().unwrap_or('a'));
            }
            exercise(&s);
        }
        exercise(&"[".repeat(10_000));
        exercise(&format!("a = {}1{}", "(".repeat(500), ")".repeat(500)));
        exercise(&format!("a = {}", "-".repeat(10_000)));
        exercise(&"b {\n".repeat(200));
        assert!(parsed > 100, "{parsed}");
        assert!(failed > 100, "{failed}");
    }
}
