//! Checks of the `delivery` catalogue section, and what they share: deploy and rollback
//! commands (`commands`), database migrations (`migrations`), a SQL tokenizer (`sql`) and what
//! a schema change does to data (`schema_changes`).

mod commands;
mod immutable_tags;
mod migrations;
mod migrations_reversible;
mod progressive_rollout;
mod rollback_path;
mod schema_changes;
mod sql;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &immutable_tags::ImmutableTags,
        &migrations_reversible::MigrationsReversible,
        &progressive_rollout::ProgressiveRollout,
        &rollback_path::RollbackPath,
    ]
}
