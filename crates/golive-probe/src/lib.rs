//! golive-probe: the live-service checks of `golive probe URL`. They probe a running service over
//! HTTP, politely (a request budget, a body-size cap, redirects only within the target host, a
//! stop at the first sign of overload), and produce the same report model as `golive check`.
//!
//! Self-contained building blocks (see `docs/probe-internals.md`):
//!
//! * [`exposition`]: a parser for the Prometheus text format 0.0.4 and OpenMetrics 1.0
//!   (`exposition::parse(text, content_type)`), with helpers that find a request counter, a
//!   request-duration histogram and label cardinality.
//! * [`load`]: the bounded, open-loop load generator (`load::run(client, make_request, &spec)`,
//!   `load::run_blocking`), whose `LoadResult` has latency percentiles corrected for
//!   coordinated omission, status counts, the error rate, why it stopped and the rate-limit
//!   headers seen; `load::render_chart` and `load::chart_svg` draw its latencies.
//! * [`tls`]: `tls::inspect(host, port, server_name, &roots)` reports the negotiated version
//!   and suite, the presented chain (subject, issuer, SANs, validity, days left, self-signed)
//!   and whether it verifies for the name; `tls::probe_versions` tells which of TLS 1.0-1.3 the
//!   server accepts; `tls::hsts` parses `Strict-Transport-Security`.

pub mod checks;
pub mod context;
pub mod exposition;
pub mod http;
pub mod load;
pub mod runner;
pub mod tls;

pub use context::{LiveCheck, Probe, ProbeContext};
pub use http::{Http, ProbeError, Request, Response};
pub use runner::{ProbeRun, ProbeTarget, catalogue, ids, run};
