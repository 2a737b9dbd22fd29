//! Checks that every file golive reads is well-formed (a file that does not parse is a finding).

mod invalid_dockerfile;
mod invalid_hcl;
mod invalid_yaml;
mod rendering;

use golive_core::Check;

pub(crate) fn checks() -> Vec<&'static dyn Check> {
    vec![
        &invalid_yaml::InvalidYaml,
        &invalid_hcl::InvalidHcl,
        &invalid_dockerfile::InvalidDockerfile,
        &rendering::Rendering,
    ]
}
