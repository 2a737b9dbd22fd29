//! golive-probe: the live-service checks of `golive probe URL`. They probe a running service over
//! HTTP, politely (a request budget, a body-size cap, redirects only within the target host, a
//! stop at the first sign of overload), and produce the same report model as `golive check`.

pub mod checks;
pub mod context;
pub mod http;
pub mod runner;

pub use context::{LiveCheck, Probe, ProbeContext};
pub use http::{Http, ProbeError, Request, Response};
pub use runner::{ProbeRun, ProbeTarget, catalogue, ids, run};
