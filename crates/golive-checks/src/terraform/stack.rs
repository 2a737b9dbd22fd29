//! The Terraform of a repository as the terraform checks see it: which directories are modules,
//! which of them are root modules (where `terraform init` and `apply` run), the backend each root
//! module keeps its state in (with partial `-backend-config` files found next to it merged in), and
//! the providers it uses.
//!
//! A module is a directory with `.tf` files. It is a child module, not a root, when it is under a
//! `modules/` folder, when another directory calls it with a local `module { source = "./…" }` (or a
//! Terragrunt `terraform { source = "…" }`), or when it is an example or test fixture (under
//! `examples/`, `test/`, `tests/`, `testdata/`); but a directory that declares a backend is always
//! a root, because only a root module's backend is used. A directory with a `terragrunt.hcl` is
//! managed by Terragrunt, which generates its backend: the checks leave it alone.

use golive_core::parse::hcl::{self, Block, HclFile, RequiredProvider, Value};
use golive_core::workspace::{FileKind, SourceFile, Workspace};
use golive_core::{Evidence, Finding, Location, Outcome};
use std::collections::{BTreeMap, BTreeSet};

/// Path components under which directories are examples or test fixtures, not deployed stacks.
const EXAMPLE_DIRS: &[&str] = &["examples", "example", "test", "tests", "testdata"];

/// The modules of a repository.
pub(crate) struct Stack<'a> {
    pub modules: Vec<Module<'a>>,
}

/// One directory with `.tf` files.
pub(crate) struct Module<'a> {
    /// The directory, relative to the root ("" for the root itself).
    pub dir: String,
    /// Its `.tf` files, sorted by path.
    pub files: Vec<&'a SourceFile>,
    /// The `.tf` files that parsed.
    pub parsed: Vec<(&'a SourceFile, &'a HclFile)>,
    /// The `.tf` files golive could not read (`parse/invalid-hcl` reports them).
    pub unreadable: Vec<&'a SourceFile>,
    pub role: Role,
    /// Partial backend configuration files (`*.tfbackend`, `backend*.hcl`, ...) in this directory
    /// or in folders below it that are not modules themselves.
    pub backend_files: Vec<&'a SourceFile>,
}

/// What a module is used as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    Root,
    /// Called from these directories with a local `source`.
    Called(Vec<String>),
    UnderModules,
    Example,
    /// A `terragrunt.hcl` next to it: Terragrunt generates the backend.
    Terragrunt,
}

/// Where a root module keeps its state.
pub(crate) enum Backend<'a> {
    /// No `backend` and no `cloud` block: Terraform keeps `terraform.tfstate` in the directory.
    Implicit,
    /// `terraform { backend "<kind>" { ... } }`.
    Declared {
        kind: String,
        file: &'a SourceFile,
        block: Block<'a>,
        /// One per partial configuration file found for the module; one (the block alone) when
        /// there is none.
        variants: Vec<Variant>,
    },
    /// `terraform { cloud { ... } }`: HCP Terraform or Terraform Enterprise.
    Cloud {
        file: &'a SourceFile,
        block: Block<'a>,
    },
}

/// The backend settings in effect for one way of running `terraform init`.
pub(crate) struct Variant {
    /// The partial configuration file merged over the block, if any.
    pub config_file: Option<String>,
    pub settings: BTreeMap<String, Setting>,
}

/// One backend setting and where it is written.
pub(crate) struct Setting {
    pub value: Value,
    pub location: Location,
}

/// A provider a module uses, and the first place it does.
pub(crate) struct ProviderUse {
    /// The local name (`aws`, `google-beta`).
    pub name: String,
    /// What uses it, e.g. "resource `aws_s3_bucket.state`".
    pub what: String,
    pub location: Location,
}

impl<'a> Stack<'a> {
    /// Reads the modules of a workspace.
    pub fn read(ws: &'a Workspace) -> Stack<'a> {
        let mut by_dir: BTreeMap<String, Vec<&'a SourceFile>> = BTreeMap::new();
        for file in ws.files_of(FileKind::Terraform) {
            by_dir.entry(file.dir().to_string()).or_default().push(file);
        }
        let terragrunt: Vec<&SourceFile> = ws
            .files_of(FileKind::Hcl)
            .filter(|f| f.name() == "terragrunt.hcl")
            .collect();
        let terragrunt_dirs: BTreeSet<&str> = terragrunt.iter().map(|f| f.dir()).collect();

        let mut modules: Vec<Module<'a>> = by_dir
            .into_iter()
            .map(|(dir, files)| {
                let mut parsed = Vec::new();
                let mut unreadable = Vec::new();
                for file in &files {
                    match file.hcl() {
                        Some(Ok(hcl)) => parsed.push((*file, hcl)),
                        _ => unreadable.push(*file),
                    }
                }
                Module {
                    dir,
                    files,
                    parsed,
                    unreadable,
                    role: Role::Root,
                    backend_files: Vec::new(),
                }
            })
            .collect();

        // Local module calls: `module { source = "./x" }` and Terragrunt's `terraform { source }`.
        let mut callers: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for module in &modules {
            for (_, hcl) in &module.parsed {
                for call in hcl.blocks_of("module") {
                    let source = call.attribute("source").map(|a| a.value());
                    if let Some(target) = source
                        .as_ref()
                        .and_then(Value::as_str)
                        .and_then(|s| local_source(&module.dir, s))
                        .filter(|target| *target != module.dir)
                    {
                        callers.entry(target).or_default().insert(module.label());
                    }
                }
            }
        }
        for file in &terragrunt {
            let Some(Ok(hcl)) = file.hcl() else {
                continue;
            };
            for block in hcl.blocks_of("terraform") {
                let source = block.attribute("source").map(|a| a.value());
                if let Some(target) = source
                    .as_ref()
                    .and_then(Value::as_str)
                    .and_then(|s| local_source(file.dir(), &s.replace("//", "/")))
                {
                    callers
                        .entry(target)
                        .or_default()
                        .insert(label_of(file.dir()));
                }
            }
        }

        for module in &mut modules {
            let declares_backend = module.declares_backend();
            let components: Vec<&str> = module.dir.split('/').collect();
            module.role = if terragrunt_dirs.contains(module.dir.as_str()) {
                Role::Terragrunt
            } else if declares_backend {
                Role::Root
            } else if components.contains(&"modules") {
                Role::UnderModules
            } else if let Some(from) = callers.get(&module.dir) {
                Role::Called(from.iter().cloned().collect())
            } else if components.iter().any(|c| EXAMPLE_DIRS.contains(c)) {
                Role::Example
            } else {
                Role::Root
            };
        }

        // Partial backend configuration files belong to the nearest module directory above them.
        for file in ws
            .files()
            .iter()
            .filter(|f| is_backend_config_name(f.name()))
        {
            let owner = modules
                .iter_mut()
                .filter(|m| is_within(file.dir(), &m.dir))
                .max_by_key(|m| m.dir.len());
            if let Some(module) = owner {
                module.backend_files.push(file);
            }
        }
        Stack { modules }
    }

    /// The root modules, in directory order.
    pub fn roots(&self) -> impl Iterator<Item = &Module<'a>> {
        self.modules.iter().filter(|m| m.role == Role::Root)
    }

    /// One note per module that is not a root module, saying what it is.
    pub fn non_root_notes(&self) -> Vec<Evidence> {
        self.modules
            .iter()
            .filter_map(|m| {
                let what = match &m.role {
                    Role::Root => return None,
                    Role::Called(from) => format!(
                        "a child module (called from {})",
                        from.iter()
                            .map(|d| format!("`{d}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                    Role::UnderModules => "a child module (under `modules/`)".to_string(),
                    Role::Example => "an example or test fixture".to_string(),
                    Role::Terragrunt => {
                        "managed by Terragrunt (`terragrunt.hcl` generates its backend)".to_string()
                    }
                };
                Some(Evidence::note(format!(
                    "`{}`: {what}, not a root module: not checked",
                    m.label()
                )))
            })
            .collect()
    }

    /// Every S3 bucket a root module's backend stores state in (literal values only).
    pub fn state_buckets(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for module in self.roots() {
            if let Backend::Declared { kind, variants, .. } = module.backend()
                && kind == "s3"
            {
                for variant in &variants {
                    if let Some(bucket) = variant.get("bucket").and_then(|s| s.value.as_str()) {
                        out.insert(bucket.to_string());
                    }
                }
            }
        }
        out
    }
}

impl<'a> Module<'a> {
    /// The directory as shown in messages (`.` for the repository root).
    pub fn label(&self) -> String {
        label_of(&self.dir)
    }

    /// `main.tf` when there is one, otherwise the first `.tf` file.
    pub fn main_file(&self) -> Option<&'a SourceFile> {
        self.files
            .iter()
            .find(|f| f.name() == "main.tf")
            .or_else(|| self.files.first())
            .copied()
    }

    /// Where a finding about the module as a whole points: line 1 of its main file.
    pub fn location(&self) -> Location {
        match self.main_file() {
            Some(file) => Location::file(file.path.as_str()),
            None => Location::file(self.dir.as_str()),
        }
    }

    /// Whether every `.tf` file of the module could be read.
    pub fn is_readable(&self) -> bool {
        self.unreadable.is_empty()
    }

    /// The note for a module golive could not read completely.
    pub fn unreadable_note(&self) -> Evidence {
        let files: Vec<String> = self
            .unreadable
            .iter()
            .map(|f| format!("`{}`", f.path))
            .collect();
        Evidence::note(format!(
            "`{}`: not checked, golive could not read {} (see parse/invalid-hcl)",
            self.label(),
            files.join(", ")
        ))
    }

    /// The `terraform {}` blocks of the module, in file order.
    pub fn terraform_blocks(&self) -> Vec<(&'a SourceFile, Block<'a>)> {
        self.parsed
            .iter()
            .flat_map(|(file, hcl)| hcl.blocks_of("terraform").map(move |b| (*file, b)))
            .collect()
    }

    fn declares_backend(&self) -> bool {
        self.terraform_blocks()
            .iter()
            .any(|(_, t)| t.block("backend").is_some() || t.block("cloud").is_some())
    }

    /// The backend the module's state is kept in. With several backend blocks (which Terraform
    /// rejects), the first one.
    pub fn backend(&self) -> Backend<'a> {
        for (file, terraform) in self.terraform_blocks() {
            if let Some(cloud) = terraform.block("cloud") {
                return Backend::Cloud { file, block: cloud };
            }
            if let Some(block) = terraform.block("backend") {
                let kind = block.label(0).unwrap_or("").to_string();
                let base: BTreeMap<String, Setting> = block
                    .attributes()
                    .map(|a| {
                        (
                            a.key().to_string(),
                            Setting {
                                value: a.value(),
                                location: a.pos().location(&file.path),
                            },
                        )
                    })
                    .collect();
                let mut variants: Vec<Variant> = self
                    .backend_files
                    .iter()
                    .filter_map(|config| {
                        let overrides = partial_config(config)?;
                        let mut settings: BTreeMap<String, Setting> = base
                            .iter()
                            .map(|(k, s)| {
                                (
                                    k.clone(),
                                    Setting {
                                        value: s.value.clone(),
                                        location: s.location.clone(),
                                    },
                                )
                            })
                            .collect();
                        settings.extend(overrides);
                        Some(Variant {
                            config_file: Some(config.path.clone()),
                            settings,
                        })
                    })
                    .collect();
                if variants.is_empty() {
                    variants.push(Variant {
                        config_file: None,
                        settings: base,
                    });
                }
                return Backend::Declared {
                    kind,
                    file,
                    block,
                    variants,
                };
            }
        }
        Backend::Implicit
    }

    /// The `required_providers` entries of the module, with the file each is in.
    pub fn required_providers(&self) -> Vec<(&'a SourceFile, RequiredProvider)> {
        self.parsed
            .iter()
            .flat_map(|(file, hcl)| hcl.required_providers().into_iter().map(|p| (*file, p)))
            .collect()
    }

    /// The first `required_providers` block, where a missing entry belongs.
    pub fn required_providers_block(&self) -> Option<(&'a SourceFile, Block<'a>)> {
        self.terraform_blocks()
            .into_iter()
            .find_map(|(file, t)| t.block("required_providers").map(|b| (file, b)))
    }

    /// Every provider the module's own blocks use, by local name, in order of first use:
    /// `provider "x"` blocks, and the providers of `resource`, `data` and `ephemeral` blocks (their
    /// `provider = x.alias` argument, or the resource type's prefix: `aws_s3_bucket` is `aws`).
    /// Terraform's built-in `terraform` provider (`terraform_data`, `terraform_remote_state`)
    /// needs no version and is left out.
    pub fn providers_used(&self) -> Vec<ProviderUse> {
        let mut seen = BTreeSet::new();
        let mut out = Vec::new();
        for (file, hcl) in &self.parsed {
            for block in hcl.blocks() {
                let (name, what) = match block.ident() {
                    "provider" => {
                        let Some(name) = block.label(0) else {
                            continue;
                        };
                        (name.to_string(), format!("provider block `{name}`"))
                    }
                    kind @ ("resource" | "data" | "ephemeral") => {
                        let Some(resource_type) = block.label(0) else {
                            continue;
                        };
                        let explicit = block.attribute("provider").map(|a| a.expr_source());
                        let name = match explicit {
                            Some(reference) => reference
                                .split('.')
                                .next()
                                .unwrap_or_default()
                                .trim()
                                .to_string(),
                            None => resource_type
                                .split('_')
                                .next()
                                .unwrap_or(resource_type)
                                .to_string(),
                        };
                        let label = block.label(1).unwrap_or("");
                        (name, format!("{kind} `{resource_type}.{label}`"))
                    }
                    _ => continue,
                };
                if name.is_empty() || name == "terraform" || !seen.insert(name.clone()) {
                    continue;
                }
                out.push(ProviderUse {
                    name,
                    what,
                    location: block.pos().location(&file.path),
                });
            }
        }
        out
    }

    /// The first `resource "aws_s3_bucket"` whose literal `bucket` is `name`.
    pub fn defines_bucket(&self, name: &str) -> Option<Location> {
        self.parsed.iter().find_map(|(file, hcl)| {
            hcl.blocks_of("resource")
                .filter(|b| b.label(0) == Some("aws_s3_bucket"))
                .find(|b| {
                    b.attribute("bucket")
                        .is_some_and(|a| a.value().as_str() == Some(name))
                })
                .map(|b| b.pos().location(&file.path))
        })
    }
}

impl Variant {
    pub fn get(&self, key: &str) -> Option<&Setting> {
        self.settings.get(key)
    }

    /// " (with `envs/prod.s3.tfbackend`)" when a partial configuration file is merged in.
    pub fn with_file(&self) -> String {
        self.config_file
            .as_deref()
            .map(|f| format!(" (with `{f}`)"))
            .unwrap_or_default()
    }

    /// Whether the settings a backend cannot work without are all written in the repository. When
    /// they are not, the rest comes from `-backend-config` arguments golive cannot see, and a
    /// setting that is missing here may well be given there.
    pub fn is_complete(&self, kind: &str) -> bool {
        let required: &[&str] = match kind {
            "s3" => &["bucket", "key"],
            "gcs" | "cos" | "oss" => &["bucket"],
            "azurerm" => &["storage_account_name", "container_name", "key"],
            "http" => &["address"],
            "consul" => &["path"],
            "pg" => &["conn_str"],
            "kubernetes" => &["secret_suffix"],
            "remote" => &["organization"],
            _ => &[],
        };
        required.iter().all(|k| self.settings.contains_key(*k))
    }
}

/// What a missing backend setting means for a check.
pub(crate) enum Missing {
    /// The backend is fully configured in the repository and the setting is not there.
    Absent,
    /// The backend's required settings are not all in the repository: the setting may be given
    /// with `-backend-config` at `terraform init`.
    MaybeOnCommandLine,
}

impl Variant {
    pub fn missing(&self, kind: &str) -> Missing {
        match self.is_complete(kind) {
            true => Missing::Absent,
            false => Missing::MaybeOnCommandLine,
        }
    }
}

/// The attributes of a partial backend configuration file, or None when the file is not one
/// (it does not parse, or it has blocks: then it is some other HCL file).
fn partial_config(file: &SourceFile) -> Option<BTreeMap<String, Setting>> {
    let owned;
    let hcl: &HclFile = match file.hcl() {
        Some(Ok(hcl)) => hcl,
        Some(Err(_)) => return None,
        None => {
            owned = hcl::parse(&file.text).ok()?;
            &owned
        }
    };
    if hcl.blocks().next().is_some() {
        return None;
    }
    let settings: BTreeMap<String, Setting> = hcl
        .attributes()
        .map(|a| {
            (
                a.key().to_string(),
                Setting {
                    value: a.value(),
                    location: a.pos().location(&file.path),
                },
            )
        })
        .collect();
    (!settings.is_empty()).then_some(settings)
}

/// `prod.s3.tfbackend`, `backend.hcl`, `backend-prod.conf`, `backend.tfvars`: the names teams give
/// the files they pass to `terraform init -backend-config=FILE`.
fn is_backend_config_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".tfbackend") {
        return true;
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    lower.contains("backend") && matches!(ext, "hcl" | "conf" | "tfvars")
}

/// Whether `dir` is `ancestor` or below it.
fn is_within(dir: &str, ancestor: &str) -> bool {
    ancestor.is_empty()
        || dir == ancestor
        || dir
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with('/'))
}

fn label_of(dir: &str) -> String {
    match dir {
        "" => ".".to_string(),
        d => d.to_string(),
    }
}

/// The directory a local module source (`./x`, `../../modules/y`) points at, relative to the
/// root; None for registry, git and other remote sources, and for paths that leave the repository.
pub(crate) fn local_source(dir: &str, source: &str) -> Option<String> {
    let source = source.trim();
    let is_local =
        source == "." || source == ".." || source.starts_with("./") || source.starts_with("../");
    if !is_local {
        return None;
    }
    golive_core::workspace::join_relative(dir, source)
}

/// What a check concluded about one root module (or one backend variant of it).
pub(crate) enum Judgement {
    /// Satisfied, and by what.
    Good(Evidence),
    Bad(Finding),
    /// Cannot be judged from the repository: what (a module, with its backend file if any)
    /// and why.
    Unknown {
        subject: String,
        why: String,
    },
}

/// What a terraform check concluded over all root modules.
#[derive(Default)]
pub(crate) struct Tally {
    pub findings: Vec<Finding>,
    pub evidence: Vec<Evidence>,
    /// How many judgements were good or bad.
    pub judged: usize,
    /// What could not be judged, and why.
    pub unknown: Vec<(String, String)>,
}

impl Tally {
    pub fn add(&mut self, judgement: Judgement) {
        match judgement {
            Judgement::Good(e) => {
                self.judged += 1;
                self.evidence.push(e);
            }
            Judgement::Bad(f) => {
                self.judged += 1;
                self.findings.push(f);
            }
            Judgement::Unknown { subject, why } => {
                self.evidence
                    .push(Evidence::note(format!("{subject}: {why}")));
                self.unknown.push((subject, why));
            }
        }
    }

    /// Fail with the findings; pass when something was judged and nothing found; otherwise
    /// not-applicable, saying why nothing could be judged (or `reason` when nothing was even
    /// looked at).
    pub fn outcome(self, reason: impl FnOnce() -> String) -> Outcome {
        if self.judged > 0 || !self.findings.is_empty() {
            return Outcome::from_findings(self.findings, self.evidence);
        }
        if self.unknown.is_empty() {
            return Outcome::not_applicable(reason());
        }
        // One sentence per reason, naming every module it applies to.
        let mut grouped: Vec<(String, Vec<String>)> = Vec::new();
        for (subject, why) in self.unknown {
            match grouped.iter_mut().find(|(w, _)| *w == why) {
                Some((_, subjects)) => subjects.push(subject),
                None => grouped.push((why, vec![subject])),
            }
        }
        let sentences: Vec<String> = grouped
            .into_iter()
            .map(|(why, subjects)| format!("{}: {why}", subjects.join(", ")))
            .collect();
        Outcome::not_applicable(sentences.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(files: &[(&str, &str)]) -> Workspace {
        Workspace::from_texts(files)
    }

    #[test]
    fn local_sources_resolve_against_the_calling_directory() {
        assert_eq!(
            local_source("envs/prod", "../../modules/app"),
            Some("modules/app".into())
        );
        assert_eq!(local_source("", "./modules/db/"), Some("modules/db".into()));
        assert_eq!(local_source("a", ".."), Some(String::new()));
        assert_eq!(local_source("", "../outside"), None);
        assert_eq!(local_source("", "terraform-aws-modules/vpc/aws"), None);
        assert_eq!(local_source("", "git::https://x/y.git//sub"), None);
    }

    #[test]
    fn roles_follow_calls_folders_and_backends() {
        let w = ws(&[
            (
                "envs/prod/main.tf",
                "module \"app\" {\n  source = \"../../modules/app\"\n}\n",
            ),
            (
                "modules/app/main.tf",
                "resource \"aws_s3_bucket\" \"b\" {}\n",
            ),
            ("network/main.tf", "resource \"aws_vpc\" \"v\" {}\n"),
            ("main.tf", "module \"net\" {\n  source = \"./network\"\n}\n"),
            (
                "examples/basic/main.tf",
                "module \"x\" {\n  source = \"../..\"\n}\n",
            ),
            ("shared/main.tf", "terraform {\n  backend \"s3\" {}\n}\n"),
            // Calling itself (Terraform rejects it) does not make a directory a child module.
            ("self/main.tf", "module \"me\" {\n  source = \"./\"\n}\n"),
            (
                "envs/dev/main.tf",
                "module \"s\" {\n  source = \"../../shared\"\n}\n",
            ),
            (
                "live/vpc/terragrunt.hcl",
                "terraform {\n  source = \"../../modules//vpc\"\n}\n",
            ),
            ("live/vpc/extra.tf", "locals {}\n"),
            ("modules/vpc/main.tf", "resource \"aws_vpc\" \"v\" {}\n"),
        ]);
        let stack = Stack::read(&w);
        let roles: Vec<(String, Role)> = stack
            .modules
            .iter()
            .map(|m| (m.label(), m.role.clone()))
            .collect();
        assert_eq!(
            roles,
            vec![
                (".".into(), Role::Called(vec!["examples/basic".into()])),
                ("envs/dev".into(), Role::Root),
                ("envs/prod".into(), Role::Root),
                ("examples/basic".into(), Role::Example),
                ("live/vpc".into(), Role::Terragrunt),
                ("modules/app".into(), Role::UnderModules),
                ("modules/vpc".into(), Role::UnderModules),
                ("network".into(), Role::Called(vec![".".into()])),
                ("self".into(), Role::Root),
                // Called from envs/dev, but it declares a backend: it is run as a root too.
                ("shared".into(), Role::Root),
            ]
        );
    }

    #[test]
    fn partial_backend_files_merge_into_variants() {
        let w = ws(&[
            (
                "infra/main.tf",
                "terraform {\n  backend \"s3\" {\n    region = \"eu-west-1\"\n  }\n}\n",
            ),
            (
                "infra/env/prod.s3.tfbackend",
                "bucket = \"acme-prod-tfstate\"\nkey = \"app.tfstate\"\nuse_lockfile = true\n",
            ),
            (
                "infra/env/staging.s3.tfbackend",
                "bucket = \"acme-staging-tfstate\"\nkey = \"app.tfstate\"\n",
            ),
            (
                "infra/backend.hcl",
                "remote_state {\n  backend = \"s3\"\n}\n",
            ),
        ]);
        let stack = Stack::read(&w);
        let module = &stack.modules[0];
        let Backend::Declared { kind, variants, .. } = module.backend() else {
            panic!("backend expected");
        };
        assert_eq!(kind, "s3");
        assert_eq!(
            variants.len(),
            2,
            "backend.hcl has blocks: not a partial config"
        );
        assert!(variants.iter().all(|v| v.is_complete("s3")));
        assert_eq!(
            variants[0].get("use_lockfile").map(|s| s.value.clone()),
            Some(Value::Bool(true))
        );
        assert_eq!(variants[0].get("region").map(|s| s.location.line), Some(3));
        assert!(variants[1].get("use_lockfile").is_none());
        assert_eq!(
            stack.state_buckets().into_iter().collect::<Vec<_>>(),
            ["acme-prod-tfstate", "acme-staging-tfstate"]
        );
    }

    #[test]
    fn providers_used_by_blocks() {
        let w = ws(&[(
            "main.tf",
            "provider \"aws\" {}\nresource \"aws_s3_bucket\" \"a\" {}\nresource \"google_compute_instance\" \"vm\" {\n  provider = google-beta.eu\n}\ndata \"terraform_remote_state\" \"net\" {}\nresource \"random_id\" \"x\" {}\nresource \"terraform_data\" \"d\" {}\n",
        )]);
        let stack = Stack::read(&w);
        let used: Vec<(String, String, u32)> = stack.modules[0]
            .providers_used()
            .into_iter()
            .map(|p| (p.name, p.what, p.location.line))
            .collect();
        assert_eq!(
            used,
            vec![
                ("aws".into(), "provider block `aws`".into(), 1),
                (
                    "google-beta".into(),
                    "resource `google_compute_instance.vm`".into(),
                    3
                ),
                ("random".into(), "resource `random_id.x`".into(), 7),
            ]
        );
    }
}
