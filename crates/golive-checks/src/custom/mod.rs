//! Custom checks in Rego: each `[[custom]]` entry of golive.toml is one check `custom/<name>`
//! that runs a team's OPA/conftest policies over every document golive parsed, the way
//! `conftest test` does, so that existing conftest policies run unchanged.
//!
//! The pipeline: [`policies`] reads the policy and data files named by the entry (once, when the
//! checks are built: a check's `run` never touches the disk) → [`CustomCheck::run`] compiles them
//! into one regorus engine → [`inputs`] turns each parsed document into conftest's input shape
//! (remembering where each value is written) → [`results`] evaluates the `deny`, `violation`
//! and `warn` rules on each input and turns their results into findings.
//!
//! Unlike the built-in checks, these are not declared with `declare_check!`: their ids, titles
//! and levels come from golive.toml. Their metadata is built once per run and leaked, which is
//! a few hundred bytes per entry for the lifetime of a CLI process.

mod inputs;
mod policies;
mod results;

use golive_core::config::CustomCheckConfig;
use golive_core::model::{Category, Facet};
use golive_core::{Check, CheckMeta, Config, Context, Outcome};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Every custom check's metadata built in this process, for renderers that describe checks
/// (SARIF rule descriptors) and `golive explain`.
static BUILT: Mutex<Vec<&'static CheckMeta>> = Mutex::new(Vec::new());

/// The metadata of every custom check built so far in this process.
pub fn metas() -> Vec<&'static CheckMeta> {
    match BUILT.lock() {
        Ok(built) => built.clone(),
        Err(poisoned) => poisoned.into_inner().clone(),
    }
}

pub use policies::Loaded;

/// One `[[custom]]` entry as a check.
pub struct CustomCheck {
    meta: &'static CheckMeta,
    entry: CustomCheckConfig,
    loaded: Loaded,
}

/// The checks of every `[[custom]]` entry of `config`, with their policy and data files read
/// from disk (paths are relative to the folder of golive.toml; a file that cannot be read makes
/// its check an error when it runs, never stops the others).
pub fn checks(config: &Config) -> Vec<CustomCheck> {
    let base: PathBuf = config
        .source
        .as_deref()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_default();
    config
        .custom
        .iter()
        .map(|entry| CustomCheck {
            meta: leak_meta(entry),
            loaded: policies::load(&base, entry),
            entry: entry.clone(),
        })
        .collect()
}

impl CustomCheck {
    pub fn id(&self) -> &'static str {
        self.meta.id
    }
}

impl Check for CustomCheck {
    fn meta(&self) -> &'static CheckMeta {
        self.meta
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        results::run(&self.entry, &self.loaded, cx.ws)
    }
}

/// The metadata of an entry, leaked: `Check::meta` hands out `&'static CheckMeta`, and a CLI run
/// builds these once (a few small strings per `[[custom]]` entry).
fn leak_meta(entry: &CustomCheckConfig) -> &'static CheckMeta {
    let id: &'static str = Box::leak(entry.id().into_boxed_str());
    let title: &'static str = Box::leak(
        entry
            .title
            .clone()
            .unwrap_or_else(|| format!("Rego policies `{}`", entry.policy.join("`, `")))
            .into_boxed_str(),
    );
    let namespaces = entry.namespaces.join(", ");
    let docs = format!(
        " ## What it checks\n \
         The repository's own Rego policies ({policy}, declared at {at}) find nothing to deny: \
         every `deny`, `violation` and `warn` rule (and `deny_*`, `violation_*`, `warn_*`) of \
         the package(s) {namespaces} is evaluated on each parsed document, the way \
         `conftest test` does.\n \n \
         ## Why it matters\n \
         These are the team's own production rules, kept as code next to the service \
         (Readiness as code: custom checks in Rego over the parsed documents).\n \n \
         ## How to fix\n \
         Change the document the finding points at so the policy's rule no longer matches, \
         or, when the policy is wrong, fix the policy. See docs/custom-checks.md.\n",
        policy = entry
            .policy
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(", "),
        at = entry.declared_at,
    );
    let raw_docs: &'static str = Box::leak(docs.into_boxed_str());
    let seeds: &'static [&'static str] = Box::leak(Box::new([
        "PRODUCT: Readiness as code: custom checks in Rego (the OPA/conftest policy language)",
    ]));
    let facets: &'static [Facet] = &[];
    let meta: &'static CheckMeta = Box::leak(Box::new(CheckMeta {
        id,
        title,
        category: Category::Custom,
        level: entry.level,
        severity: entry.severity,
        facets,
        seeds,
        fix: "change the document so the policy's rule no longer matches, or fix the policy",
        raw_docs,
    }));
    match BUILT.lock() {
        Ok(mut built) => built.push(meta),
        Err(poisoned) => poisoned.into_inner().push(meta),
    }
    meta
}
