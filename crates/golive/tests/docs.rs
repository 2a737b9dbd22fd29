//! docs/checks.md is generated from the metadata of every check golive knows (the repository
//! catalogue and the live checks of `golive probe`); this test fails when it is stale.
//! Regenerate with `GOLIVE_UPDATE_DOCS=1 cargo test -p golive --test docs`.

use golive_core::CheckMeta;
use std::path::Path;

#[test]
fn checks_md_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/checks.md");
    let mut metas: Vec<&'static CheckMeta> = golive_checks::catalogue()
        .iter()
        .map(|c| c.meta())
        .collect();
    metas.extend(golive_probe::catalogue().iter().map(|c| c.meta()));
    let generated = golive_checks::catalogue_markdown(&metas);
    if std::env::var_os("GOLIVE_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).expect("write docs/checks.md");
        return;
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "docs/checks.md is stale: run `GOLIVE_UPDATE_DOCS=1 cargo test -p golive --test docs` and commit it"
    );
}
