//! golive-core: the model, configuration, workspace scan, document parsers and the engine that
//! every other golive crate builds on.

pub mod baseline;
pub mod check;
pub mod config;
pub mod date;
pub mod engine;
pub mod history;
pub mod inline_ignore;
pub mod kube;
pub mod model;
pub mod parse;
pub mod readiness;
pub mod render;
pub mod report;
pub mod text;
pub mod workspace;

pub use check::{Check, CheckMeta, Context, Outcome};
pub use config::Config;
pub use date::Date;
pub use model::{Category, Evidence, Facet, Finding, Level, Location, Severity, Table};
pub use report::{Report, Status};
pub use workspace::{FileKind, SourceFile, Workspace};
