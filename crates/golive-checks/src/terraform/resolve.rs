//! What a Terraform resource's attributes are worth in each environment: local module calls are
//! followed (a called module's resources belong to the calling root module), `variable` defaults,
//! `terraform.tfvars`, `*.auto.tfvars` and per-environment `.tfvars` files are read, and
//! `var.x` references are resolved through module inputs.
//!
//! Resolution is deliberately simple: literals (strings, numbers, bools, lists and objects of
//! them) and whole `var.NAME` references. Anything else (locals, functions, conditionals,
//! interpolations, resource attributes) is [`Resolved::Unknown`], and the checks say so.
//!
//! This lives beside `stack.rs` (it only adds methods to [`Stack`]) so that the module reader
//! itself is not restructured.

use super::stack::{Module, Role, Stack};
use golive_core::Location;
use golive_core::parse::hcl::{Attribute, Block, Value};
use golive_core::workspace::{FileKind, SourceFile, Workspace};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::Rc;

/// Deepest chain of local module calls followed.
const MAX_MODULE_DEPTH: usize = 8;

/// A value as far as golive can tell.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Resolved {
    /// A literal, and where it was set when it came through a variable (the tfvars entry, the
    /// module input or the variable's default).
    Known {
        value: Value,
        from: Option<Location>,
    },
    /// Not a literal golive resolves: the expression as written (or why).
    Unknown(String),
}

impl Resolved {
    pub fn value(&self) -> Option<&Value> {
        match self {
            Resolved::Known { value, .. } => Some(value),
            Resolved::Unknown(_) => None,
        }
    }

    /// " (var set at envs/prod/terraform.tfvars:3)" when the value came through a variable.
    pub fn origin(&self) -> String {
        match self {
            Resolved::Known {
                from: Some(location),
                ..
            } => format!(" (set at {}:{})", location.path, location.line),
            _ => String::new(),
        }
    }
}

/// The variables of one module instance.
pub(crate) type Scope = BTreeMap<String, Resolved>;

/// One environment of a root module: the `.tfvars` files applied, in order.
#[derive(Clone, Debug)]
pub(crate) struct Environment<'a> {
    /// `prod` for `envs/prod/*.tfvars` or `prod.tfvars`; None when the root module has no
    /// per-environment variable files.
    pub name: Option<String>,
    pub files: Vec<&'a SourceFile>,
}

/// A resource as deployed by one root module in one environment.
pub(crate) struct Resource<'a> {
    pub file: &'a SourceFile,
    pub block: Block<'a>,
    /// The root module label (`envs/prod`, `.`).
    pub root: String,
    pub env: Option<String>,
    /// The module calls from the root (`["db"]` for `module.db`).
    pub path: Vec<String>,
    scope: Rc<Scope>,
}

impl<'a> Resource<'a> {
    /// The resource type (`aws_s3_bucket`).
    pub fn kind(&self) -> &'a str {
        self.block.label(0).unwrap_or("")
    }

    /// The resource name (`state`).
    pub fn name(&self) -> &'a str {
        self.block.label(1).unwrap_or("")
    }

    /// `module.db.aws_db_instance.main`.
    pub fn address(&self) -> String {
        let mut out = String::new();
        for call in &self.path {
            out.push_str("module.");
            out.push_str(call);
            out.push('.');
        }
        out.push_str(self.kind());
        out.push('.');
        out.push_str(self.name());
        out
    }

    /// "`envs/prod` (env prod)": the stack the resource is deployed by, for messages.
    pub fn stack_label(&self) -> String {
        match &self.env {
            Some(env) => format!("`{}` (env {env})", self.root),
            None => format!("`{}`", self.root),
        }
    }

    /// The header of the block, where findings about a missing attribute point.
    pub fn location(&self) -> Location {
        self.block.pos().location(&self.file.path)
    }

    /// An attribute of the block and its value in this environment.
    pub fn attr(&self, key: &str) -> Option<(Attribute<'a>, Resolved)> {
        let attribute = self.block.attribute(key)?;
        let resolved = resolve(&attribute.value(), &self.scope);
        Some((attribute, resolved))
    }

    /// An attribute of a nested block (`versioning { enabled = ... }`): the first such block
    /// that has it.
    pub fn nested_attr(&self, block: &str, key: &str) -> Option<(Attribute<'a>, Resolved)> {
        self.block.blocks(block).find_map(|b| {
            let attribute = b.attribute(key)?;
            Some((attribute, resolve(&attribute.value(), &self.scope)))
        })
    }

    /// Resolves any value in this resource's scope.
    pub fn resolve(&self, value: &Value) -> Resolved {
        resolve(value, &self.scope)
    }
}

/// Resolves a value in a scope: literals as they are, `var.NAME` through the scope.
pub(crate) fn resolve(value: &Value, scope: &Scope) -> Resolved {
    match value {
        Value::Expr(source) => match var_name(source) {
            Some(name) => match scope.get(name) {
                Some(resolved) => resolved.clone(),
                None => Resolved::Unknown(format!("`{source}` (no such variable, or no value)")),
            },
            None => Resolved::Unknown(format!("`{source}`")),
        },
        Value::Template(source) => Resolved::Unknown(format!("`{source}`")),
        v if v.is_literal() => Resolved::Known {
            value: v.clone(),
            from: None,
        },
        v => Resolved::Unknown(format!("{v:?}")),
    }
}

/// `var.name` (whole expression) → `name`.
pub(crate) fn var_name(source: &str) -> Option<&str> {
    let name = source.trim().strip_prefix("var.")?;
    let valid = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    valid.then_some(name)
}

/// Whether `value` is a reference to a resource's attribute (`aws_s3_bucket.state.id`, or
/// `aws_s3_bucket.state.bucket`): the resource name when it is.
pub(crate) fn references(value: &Value, kind: &str) -> Option<String> {
    let Value::Expr(source) = value else {
        return None;
    };
    let rest = source.trim().strip_prefix(kind)?.strip_prefix('.')?;
    let (name, _) = rest.split_once('.')?;
    Some(name.to_string())
}

impl<'a> Stack<'a> {
    /// The environments of a root module: one per environment-specific `.tfvars` group found
    /// in its directory or folders below it that are not modules (`envs/prod/*.tfvars`,
    /// `prod.tfvars`), each applied after `terraform.tfvars` and `*.auto.tfvars`; one unnamed
    /// environment when there are none.
    pub fn environments(&self, ws: &'a Workspace, root: &Module<'a>) -> Vec<Environment<'a>> {
        let module_dirs: BTreeSet<&str> = self.modules.iter().map(|m| m.dir.as_str()).collect();
        let mut base: Vec<&'a SourceFile> = Vec::new();
        let mut envs: BTreeMap<String, Vec<&'a SourceFile>> = BTreeMap::new();
        for file in ws.files_of(FileKind::TfVars) {
            let dir = file.dir();
            let name = file.name();
            if !within(dir, &root.dir) || name.to_ascii_lowercase().contains("backend") {
                continue;
            }
            if dir == root.dir {
                if name == "terraform.tfvars" || name.ends_with(".auto.tfvars") {
                    base.push(file);
                } else {
                    let env = name.trim_end_matches(".tfvars").to_string();
                    envs.entry(env).or_default().push(file);
                }
                continue;
            }
            // Below the root: the file belongs to the root unless a module directory nearer
            // to it owns it.
            let nearer_module = module_dirs
                .iter()
                .any(|m| *m != root.dir && m.len() > root.dir.len() && within(dir, m));
            if nearer_module {
                continue;
            }
            let env = dir.rsplit('/').next().unwrap_or(dir).to_string();
            envs.entry(env).or_default().push(file);
        }
        base.sort_by(|a, b| a.path.cmp(&b.path));
        if envs.is_empty() {
            return vec![Environment {
                name: None,
                files: base,
            }];
        }
        envs.into_iter()
            .map(|(name, mut files)| {
                files.sort_by(|a, b| a.path.cmp(&b.path));
                let mut all = base.clone();
                all.extend(files);
                Environment {
                    name: Some(name),
                    files: all,
                }
            })
            .collect()
    }

    /// Every resource of these types deployed by a root module, in each of its environments,
    /// with local module calls followed. Resources of modules no root module calls are not
    /// deployed and not returned.
    pub fn resources_of_types(&self, ws: &'a Workspace, types: &[&str]) -> Vec<Resource<'a>> {
        self.resources_matching(ws, &|kind| types.contains(&kind))
    }

    /// Every deployed resource whose type satisfies `wanted`.
    pub fn resources_matching(
        &self,
        ws: &'a Workspace,
        wanted: &dyn Fn(&str) -> bool,
    ) -> Vec<Resource<'a>> {
        let mut out = Vec::new();
        for root in self.roots() {
            for env in self.environments(ws, root) {
                let scope = Rc::new(root_scope(root, &env));
                let mut visiting = vec![root.dir.clone()];
                self.collect(
                    root,
                    root,
                    &env,
                    Vec::new(),
                    scope,
                    wanted,
                    &mut visiting,
                    &mut out,
                );
            }
        }
        out
    }

    /// The same, for one type.
    #[allow(dead_code)] // API for the security checks
    pub fn resources_of_type(&self, ws: &'a Workspace, kind: &str) -> Vec<Resource<'a>> {
        self.resources_of_types(ws, &[kind])
    }

    /// Remote module calls (registry, git) of the deployed stacks: noted, not followed.
    pub fn remote_module_calls(&self) -> Vec<(String, String, Location)> {
        let mut out = Vec::new();
        for module in &self.modules {
            if matches!(module.role, Role::Example | Role::Terragrunt) {
                continue;
            }
            for (file, hcl) in &module.parsed {
                for call in hcl.blocks_of("module") {
                    let source = call.attribute("source").map(|a| a.value());
                    if let Some(source) = source.as_ref().and_then(Value::as_str)
                        && !is_local(source)
                    {
                        out.push((
                            call.label(0).unwrap_or("").to_string(),
                            source.to_string(),
                            call.pos().location(&file.path),
                        ));
                    }
                }
            }
        }
        out
    }

    /// One note per remote module call: what it creates is not read.
    pub fn remote_module_notes(&self) -> Vec<golive_core::Evidence> {
        self.remote_module_calls()
            .into_iter()
            .map(|(name, source, location)| {
                golive_core::Evidence::located(
                    &location,
                    format!("module `{name}` comes from `{source}` (not in this repository): its resources are not read"),
                )
            })
            .collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn collect(
        &self,
        root: &Module<'a>,
        module: &Module<'a>,
        env: &Environment<'a>,
        path: Vec<String>,
        scope: Rc<Scope>,
        wanted: &dyn Fn(&str) -> bool,
        visiting: &mut Vec<String>,
        out: &mut Vec<Resource<'a>>,
    ) {
        for (file, hcl) in &module.parsed {
            for block in hcl.blocks_of("resource") {
                if block.label(0).is_some_and(wanted) {
                    out.push(Resource {
                        file,
                        block,
                        root: root.label(),
                        env: env.name.clone(),
                        path: path.clone(),
                        scope: Rc::clone(&scope),
                    });
                }
            }
        }
        if path.len() >= MAX_MODULE_DEPTH {
            return;
        }
        for (file, hcl) in &module.parsed {
            for call in hcl.blocks_of("module") {
                let Some(name) = call.label(0) else { continue };
                let source = call.attribute("source").map(|a| a.value());
                let Some(target) = source
                    .as_ref()
                    .and_then(Value::as_str)
                    .and_then(|s| local_dir(&module.dir, s))
                else {
                    continue;
                };
                if visiting.contains(&target) {
                    continue;
                }
                let Some(child) = self.modules.iter().find(|m| m.dir == target) else {
                    continue;
                };
                let mut child_scope = defaults(child);
                for attribute in call.attributes() {
                    if matches!(
                        attribute.key(),
                        "source" | "version" | "providers" | "count" | "for_each" | "depends_on"
                    ) {
                        continue;
                    }
                    let resolved = match resolve(&attribute.value(), &scope) {
                        Resolved::Known { value, from } => Resolved::Known {
                            value,
                            from: from.or_else(|| Some(attribute.pos().location(&file.path))),
                        },
                        unknown => unknown,
                    };
                    child_scope.insert(attribute.key().to_string(), resolved);
                }
                let mut child_path = path.clone();
                child_path.push(name.to_string());
                visiting.push(target.clone());
                self.collect(
                    root,
                    child,
                    env,
                    child_path,
                    Rc::new(child_scope),
                    wanted,
                    visiting,
                    out,
                );
                visiting.pop();
            }
        }
    }
}

/// The variables of a root module in an environment: defaults, then the tfvars files in order.
pub(crate) fn root_scope(root: &Module<'_>, env: &Environment<'_>) -> Scope {
    let mut scope = defaults(root);
    for file in &env.files {
        let Some(Ok(hcl)) = file.hcl() else { continue };
        for attribute in hcl.attributes() {
            let value = attribute.value();
            let resolved = if value.is_literal() {
                Resolved::Known {
                    value,
                    from: Some(attribute.pos().location(&file.path)),
                }
            } else {
                Resolved::Unknown(format!("`{}`", attribute.expr_source()))
            };
            scope.insert(attribute.key().to_string(), resolved);
        }
    }
    scope
}

/// The `variable` defaults of a module (a variable without a default has no entry).
fn defaults(module: &Module<'_>) -> Scope {
    let mut scope = Scope::new();
    for (file, hcl) in &module.parsed {
        for variable in hcl.blocks_of("variable") {
            let (Some(name), Some(default)) = (variable.label(0), variable.attribute("default"))
            else {
                continue;
            };
            let value = default.value();
            let resolved = if value.is_literal() {
                Resolved::Known {
                    value,
                    from: Some(default.pos().location(&file.path)),
                }
            } else {
                Resolved::Unknown(format!("`{}`", default.expr_source()))
            };
            scope.insert(name.to_string(), resolved);
        }
    }
    scope
}

fn is_local(source: &str) -> bool {
    let s = source.trim();
    s == "." || s == ".." || s.starts_with("./") || s.starts_with("../")
}

/// The directory a local source points at from `dir`; None for remote sources or paths that
/// leave the repository.
fn local_dir(dir: &str, source: &str) -> Option<String> {
    if !is_local(source) {
        return None;
    }
    // `./modules//sub` names a folder inside a package: the package is the folder.
    golive_core::workspace::join_relative(dir, source.trim().split("//").next().unwrap_or(""))
}

fn within(dir: &str, ancestor: &str) -> bool {
    ancestor.is_empty()
        || dir == ancestor
        || dir
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use golive_core::workspace::Workspace;

    fn ws(files: &[(&str, &str)]) -> Workspace {
        Workspace::from_texts(files)
    }

    const MODULE_DB: &str = "variable \"encrypted\" {\n  default = true\n}\nvariable \"name\" {}\nresource \"aws_db_instance\" \"main\" {\n  identifier        = var.name\n  storage_encrypted = var.encrypted\n}\n";

    #[test]
    fn module_inputs_and_tfvars_resolve_per_environment() {
        let w = ws(&[
            ("modules/db/main.tf", MODULE_DB),
            (
                "stack/main.tf",
                "terraform {\n  backend \"s3\" {}\n}\nvariable \"db_encrypted\" {\n  default = true\n}\nmodule \"db\" {\n  source    = \"../modules/db\"\n  name      = \"orders\"\n  encrypted = var.db_encrypted\n}\n",
            ),
            ("stack/envs/prod/terraform.tfvars", "db_encrypted = true\n"),
            (
                "stack/envs/staging/terraform.tfvars",
                "db_encrypted = false\n",
            ),
            ("stack/backend.tfvars", "bucket = \"x\"\n"),
        ]);
        let stack = Stack::read(&w);
        let dbs = stack.resources_of_type(&w, "aws_db_instance");
        let seen: Vec<(Option<String>, String, Option<Value>, String)> = dbs
            .iter()
            .map(|r| {
                let (_, v) = r.attr("storage_encrypted").expect("attr");
                (r.env.clone(), r.address(), v.value().cloned(), v.origin())
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (
                    Some("prod".into()),
                    "module.db.aws_db_instance.main".into(),
                    Some(Value::Bool(true)),
                    " (set at stack/envs/prod/terraform.tfvars:1)".into()
                ),
                (
                    Some("staging".into()),
                    "module.db.aws_db_instance.main".into(),
                    Some(Value::Bool(false)),
                    " (set at stack/envs/staging/terraform.tfvars:1)".into()
                ),
            ]
        );
        let name = dbs
            .first()
            .and_then(|r| r.attr("identifier"))
            .map(|(_, v)| v);
        assert_eq!(
            name.as_ref().and_then(Resolved::value),
            Some(&Value::String("orders".into()))
        );
    }

    #[test]
    fn defaults_unknowns_and_named_tfvars() {
        let w = ws(&[
            (
                "main.tf",
                "variable \"a\" {\n  default = \"x\"\n}\nvariable \"b\" {}\nlocals {\n  c = 1\n}\nresource \"aws_s3_bucket\" \"s\" {\n  bucket = var.a\n  acl    = var.b\n  tags   = local.c\n}\nmodule \"remote\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n",
            ),
            ("prod.tfvars", "a = \"prod-bucket\"\n"),
            ("terraform.tfvars", "a = \"base\"\nb = \"private\"\n"),
        ]);
        let stack = Stack::read(&w);
        let root = stack.roots().next().expect("root");
        let envs = stack.environments(&w, root);
        assert_eq!(envs.len(), 1);
        assert_eq!(
            envs.first().and_then(|e| e.name.clone()),
            Some("prod".into())
        );
        let buckets = stack.resources_of_type(&w, "aws_s3_bucket");
        let bucket = buckets.first().expect("bucket");
        assert_eq!(
            bucket.attr("bucket").and_then(|(_, v)| v.value().cloned()),
            Some(Value::String("prod-bucket".into()))
        );
        assert_eq!(
            bucket.attr("acl").and_then(|(_, v)| v.value().cloned()),
            Some(Value::String("private".into()))
        );
        assert!(matches!(
            bucket.attr("tags"),
            Some((_, Resolved::Unknown(_)))
        ));
        assert_eq!(stack.remote_module_calls().len(), 1);
    }

    #[test]
    fn module_cycles_and_uncalled_modules_are_safe() {
        let w = ws(&[
            (
                "a/main.tf",
                "module \"b\" {\n  source = \"../b\"\n}\nresource \"aws_ebs_volume\" \"v\" {}\n",
            ),
            (
                "b/main.tf",
                "module \"a\" {\n  source = \"../a\"\n}\nresource \"aws_ebs_volume\" \"w\" {}\n",
            ),
            (
                "modules/unused/main.tf",
                "resource \"aws_ebs_volume\" \"u\" {}\n",
            ),
        ]);
        let stack = Stack::read(&w);
        let found: Vec<String> = stack
            .resources_of_type(&w, "aws_ebs_volume")
            .iter()
            .map(|r| format!("{}:{}", r.root, r.address()))
            .collect();
        assert!(!found.iter().any(|f| f.contains(".u")), "{found:?}");
        assert!(found.len() <= 4, "{found:?}");
    }

    #[test]
    fn var_names_and_references() {
        assert_eq!(var_name("var.db_password"), Some("db_password"));
        assert_eq!(var_name("var.a.b"), None);
        assert_eq!(var_name("local.x"), None);
        assert_eq!(
            references(
                &Value::Expr("aws_s3_bucket.state.id".into()),
                "aws_s3_bucket"
            ),
            Some("state".into())
        );
        assert_eq!(
            references(&Value::Expr("aws_s3_bucket.state".into()), "aws_s3_bucket"),
            None
        );
    }
}
