//! Live checks against a running service.
//!
//! Self-contained building blocks (see `docs/probe-internals.md`):
//!
//! * [`exposition`]: a parser for the Prometheus text format 0.0.4 and OpenMetrics 1.0
//!   (`exposition::parse(text, content_type)`), with helpers that find a request counter, a
//!   request-duration histogram and label cardinality.
pub mod exposition;
