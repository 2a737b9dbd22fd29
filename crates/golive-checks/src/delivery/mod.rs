//! Checks of the `delivery` catalogue section.

pub(crate) mod immutable_tags;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![&immutable_tags::ImmutableTags]
}
