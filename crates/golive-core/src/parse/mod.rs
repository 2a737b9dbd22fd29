//! Parsers for the documents golive reads; each keeps source positions.

pub mod codeowners;
pub mod dockerfile;
pub mod hcl;
pub mod image_ref;
pub mod markdown;
pub mod yaml;
