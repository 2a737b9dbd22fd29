//! golive-checks: the built-in catalogue. One check per file under `src/<category>/`, its docs in
//! its doc comment, its metadata declared once with `declare_check!`.

mod alertmanager;
mod alerts;
mod ci;
mod code;
pub mod custom;
mod data;
mod delivery;
mod docker;
mod docs;
mod foreign;
mod k8s;
pub mod manual;
mod obs;
mod ownership;
mod parse;
mod secrets;
mod security;
mod slo;
mod terraform;
mod testing;

mod catalogue_docs;

pub use catalogue_docs::{catalogue_markdown, checks_markdown};

use golive_core::Check;

/// Every built-in check, sorted by category then id.
pub fn catalogue() -> Vec<&'static dyn Check> {
    let mut all: Vec<&'static dyn Check> = Vec::new();
    all.extend(alertmanager::checks());
    all.extend(alerts::checks());
    all.extend(ci::checks());
    all.extend(data::checks());
    all.extend(delivery::checks());
    all.extend(docker::checks());
    all.extend(docs::checks());
    all.extend(k8s::checks());
    all.extend(manual::checks());
    all.extend(obs::checks());
    all.extend(ownership::checks());
    all.extend(parse::checks());
    all.extend(secrets::checks());
    all.extend(security::checks());
    all.extend(slo::checks());
    all.extend(terraform::checks());
    all.extend(testing::checks());
    all.sort_by_key(|c| (c.meta().category, c.meta().id));
    all
}

/// The check with this id.
pub fn find(id: &str) -> Option<&'static dyn Check> {
    catalogue().into_iter().find(|c| c.meta().id == id)
}

/// Every check id, for configuration validation and suggestions.
pub fn ids() -> Vec<&'static str> {
    catalogue().iter().map(|c| c.meta().id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn ids_are_unique_kebab_case_and_documented() {
        let mut seen = BTreeSet::new();
        for check in catalogue() {
            let m = check.meta();
            assert!(seen.insert(m.id), "duplicate id {}", m.id);
            let (prefix, name) = m.id.split_once('/').expect("ids are category/name");
            for part in [prefix, name] {
                assert!(
                    part.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                    "{} is not kebab-case",
                    m.id
                );
            }
            let docs = m.docs();
            for section in ["## What it checks", "## Why it matters", "## How to fix"] {
                assert!(docs.contains(section), "{} docs lack `{section}`", m.id);
            }
            assert!(!m.seeds.is_empty(), "{} cites no checklist item", m.id);
            assert!(!m.fix.is_empty() && !m.title.is_empty());
        }
    }
}
