//! Parsers for the documents golive reads; each keeps source positions.

#[path = "/tmp/stubs/codeowners.rs"]
pub mod codeowners;
#[path = "/tmp/stubs/dockerfile.rs"]
pub mod dockerfile;
pub mod hcl;
pub mod image_ref;
#[path = "/tmp/stubs/markdown.rs"]
pub mod markdown;
pub mod yaml;
