//! The Terraform resources the data checks judge, one per way they are deployed: a resource of a
//! root module once, a resource of a child module once per local `module` call (with the call's
//! arguments bound to the module's variables, and the caller's path naming the environment).
//! Values are read, not evaluated: a literal, a `var.x` bound to a literal argument of the call
//! or to the variable's literal default; anything else is unknown.

use crate::k8s::relations::{Environment, path_environment};
use crate::terraform::stack::local_source;
use crate::terraform::stack::{Role, Stack};
use golive_core::Location;
use golive_core::parse::hcl::{Block, Value};
use golive_core::workspace::SourceFile;
use std::collections::BTreeMap;

/// One `module` call of a child module.
#[derive(Clone, Copy)]
pub(crate) struct Call<'a> {
    /// The calling directory.
    pub dir: &'a str,
    pub file: &'a SourceFile,
    pub block: Block<'a>,
}

/// One deployment of a resource.
pub(crate) struct Instance<'a> {
    pub rtype: &'a str,
    pub name: &'a str,
    pub file: &'a SourceFile,
    pub block: Block<'a>,
    pub via: Option<Call<'a>>,
    /// A child module no directory of the repository calls: its variables are set elsewhere.
    pub uncalled_child: bool,
    /// The literal defaults of the module's variables.
    defaults: BTreeMap<String, (Value, Location)>,
}

/// What an attribute resolves to.
pub(crate) enum Resolved {
    /// A literal, where it is written (the attribute, the call's argument or the variable's
    /// default), and a note on where it comes from when that is not the attribute.
    Literal {
        value: Value,
        location: Location,
        from: Option<String>,
    },
    /// Not a literal golive can read: the expression.
    Unknown(String),
    /// Not written (nor the nested block holding it).
    Absent,
}

impl Resolved {
    pub fn to_bool(&self) -> Option<bool> {
        match self {
            Resolved::Literal { value, .. } => value.to_bool(),
            _ => None,
        }
    }
}

impl<'a> Instance<'a> {
    /// "`aws_db_instance.main`", with the call when deployed through one:
    /// "`aws_db_instance.main` (module `db` in `envs/prod`)".
    pub fn subject(&self) -> String {
        let base = format!("`{}.{}`", self.rtype, self.name);
        match &self.via {
            Some(call) => format!(
                "{base} (module `{}` in `{}`)",
                call.block.label(0).unwrap_or("?"),
                label(call.dir)
            ),
            None => base,
        }
    }

    /// The environment: named by the calling file's path, or by the resource's own path.
    pub fn environment(&self) -> Environment {
        match &self.via {
            Some(call) => path_environment(&call.file.path),
            None => path_environment(&self.file.path),
        }
    }

    /// Where a finding about the whole resource points.
    pub fn location(&self) -> Location {
        self.block.pos().location(&self.file.path)
    }

    /// The nested block at `path` (`["settings", "backup_configuration"]`).
    pub fn nested(&self, path: &[&str]) -> Option<Block<'a>> {
        let mut block = self.block;
        for ident in path {
            block = block.block(ident)?;
        }
        Some(block)
    }

    /// The value of `attribute` in the nested block at `path` (empty for the resource itself).
    pub fn value(&self, path: &[&str], attribute: &str) -> Resolved {
        let Some(block) = self.nested(path) else {
            return Resolved::Absent;
        };
        let Some(attr) = block.attribute(attribute) else {
            return Resolved::Absent;
        };
        let value = attr.value();
        if value.is_literal() {
            return Resolved::Literal {
                value,
                location: attr.pos().location(&self.file.path),
                from: None,
            };
        }
        let source = attr.expr_source();
        let Some(var) = variable_name(&source) else {
            return Resolved::Unknown(source.trim().to_string());
        };
        if let Some(call) = &self.via {
            if let Some(arg) = call.block.attribute(var) {
                let bound = arg.value();
                return match bound.is_literal() {
                    true => Resolved::Literal {
                        value: bound,
                        location: arg.pos().location(&call.file.path),
                        from: Some(format!("`{var}` set by the module call")),
                    },
                    false => Resolved::Unknown(arg.expr_source().trim().to_string()),
                };
            }
        } else if self.uncalled_child {
            return Resolved::Unknown(source.trim().to_string());
        }
        match self.defaults.get(var) {
            Some((value, location)) => Resolved::Literal {
                value: value.clone(),
                location: location.clone(),
                from: Some(format!("the default of variable `{var}`")),
            },
            None => Resolved::Unknown(source.trim().to_string()),
        }
    }

    /// Whether the resource has `lifecycle { prevent_destroy = true }` (a literal).
    pub fn prevents_destroy(&self) -> bool {
        self.block
            .block("lifecycle")
            .and_then(|l| l.attribute("prevent_destroy"))
            .and_then(|a| a.value().to_bool())
            == Some(true)
    }

    /// Whether the attribute is written at all (whatever its value).
    pub fn has(&self, attribute: &str) -> bool {
        self.block.attribute(attribute).is_some()
    }
}

/// `var.name` → `name`.
fn variable_name(source: &str) -> Option<&str> {
    let name = source.trim().strip_prefix("var.")?;
    name.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        .then_some(name)
        .filter(|n| !n.is_empty())
}

fn label(dir: &str) -> &str {
    if dir.is_empty() { "." } else { dir }
}

/// Every resource of one of `types`, once per deployment, in module order. Examples and test
/// fixtures are left out.
pub(crate) fn instances<'a>(stack: &Stack<'a>, types: &[&str]) -> Vec<Instance<'a>> {
    // Local module calls, by the directory they call.
    let mut calls: BTreeMap<String, Vec<Call<'a>>> = BTreeMap::new();
    for module in &stack.modules {
        if module.role == Role::Example {
            continue;
        }
        for (file, hcl) in &module.parsed {
            for block in hcl.blocks_of("module") {
                let Some(source) = block
                    .attribute("source")
                    .and_then(|a| a.value().as_str().map(str::to_string))
                else {
                    continue;
                };
                if let Some(target) = local_source(&module.dir, &source)
                    && target != module.dir
                {
                    calls.entry(target).or_default().push(Call {
                        dir: file.dir(),
                        file,
                        block,
                    });
                }
            }
        }
    }
    let mut out = Vec::new();
    for module in &stack.modules {
        if module.role == Role::Example {
            continue;
        }
        let mut defaults = BTreeMap::new();
        for (file, hcl) in &module.parsed {
            for variable in hcl.blocks_of("variable") {
                if let (Some(name), Some(default)) =
                    (variable.label(0), variable.attribute("default"))
                {
                    let value = default.value();
                    if value.is_literal() {
                        defaults.insert(
                            name.to_string(),
                            (value, default.pos().location(&file.path)),
                        );
                    }
                }
            }
        }
        let callers = calls.get(&module.dir);
        let uncalled_child = callers.is_none() && module.role != Role::Root;
        for (file, hcl) in &module.parsed {
            for block in hcl.blocks_of("resource") {
                let (Some(rtype), Some(name)) = (block.label(0), block.label(1)) else {
                    continue;
                };
                if !types.contains(&rtype) {
                    continue;
                }
                let vias: Vec<Option<Call<'a>>> = match callers {
                    Some(list) => list.iter().copied().map(Some).collect(),
                    None => vec![None],
                };
                for via in vias {
                    out.push(Instance {
                        rtype,
                        name,
                        file,
                        block,
                        via,
                        uncalled_child,
                        defaults: defaults.clone(),
                    });
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use golive_core::workspace::Workspace;

    fn ws(files: &[(&str, &str)]) -> Workspace {
        Workspace::from_texts(files)
    }

    #[test]
    fn child_module_values_come_from_each_call_or_the_default() {
        let w = ws(&[
            (
                "modules/db/main.tf",
                "variable \"protect\" {\n  default = false\n}\nresource \"aws_db_instance\" \"main\" {\n  deletion_protection = var.protect\n}\n",
            ),
            (
                "envs/prod/main.tf",
                "module \"db\" {\n  source  = \"../../modules/db\"\n  protect = true\n}\n",
            ),
            (
                "envs/staging/main.tf",
                "module \"db\" {\n  source = \"../../modules/db\"\n}\n",
            ),
        ]);
        let stack = Stack::read(&w);
        let found = instances(&stack, &["aws_db_instance"]);
        let seen: Vec<(String, Option<bool>, String, u32, bool)> = found
            .iter()
            .map(|i| {
                let r = i.value(&[], "deletion_protection");
                let (path, line) = match &r {
                    Resolved::Literal { location, .. } => (location.path.clone(), location.line),
                    _ => (String::new(), 0),
                };
                let prod = matches!(i.environment(), Environment::Production);
                (i.subject(), r.to_bool(), path, line, prod)
            })
            .collect();
        assert_eq!(
            seen,
            vec![
                (
                    "`aws_db_instance.main` (module `db` in `envs/prod`)".into(),
                    Some(true),
                    "envs/prod/main.tf".into(),
                    3,
                    true
                ),
                (
                    "`aws_db_instance.main` (module `db` in `envs/staging`)".into(),
                    Some(false),
                    "modules/db/main.tf".into(),
                    2,
                    false
                ),
            ]
        );
    }

    #[test]
    fn variables_of_an_uncalled_child_module_are_unknown() {
        let w = ws(&[(
            "modules/db/main.tf",
            "variable \"protect\" {\n  default = false\n}\nresource \"aws_db_instance\" \"main\" {\n  deletion_protection = var.protect\n}\n",
        )]);
        let stack = Stack::read(&w);
        let found = instances(&stack, &["aws_db_instance"]);
        assert_eq!(found.len(), 1);
        assert!(matches!(
            found.first().map(|i| i.value(&[], "deletion_protection")),
            Some(Resolved::Unknown(_))
        ));
    }
}
