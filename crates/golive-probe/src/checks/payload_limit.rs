use crate::context::{LiveCheck, ProbeContext};
use crate::http::{ProbeError, Request};
use golive_core::{Finding, Outcome, declare_check};

/// The oversized body: 10 MiB, ten times the usual 1 MiB limit (nginx's
/// `client_max_body_size`, many frameworks' default).
pub const OVERSIZED_BYTES: usize = 10 * 1024 * 1024;

declare_check! {
    /// ## What it checks
    /// An oversized request body is refused: a 10 MiB `POST` to the target URL gets 413 (or
    /// another 4xx that a small body does not get), never a 5xx and never a 2xx. This is the
    /// only request of a probe run whose body exceeds `[probe] max_body_bytes`. When a 2-byte
    /// body gets the same 4xx (the URL takes no POST, or needs authentication), the limit cannot
    /// be told apart and the check does not apply.
    ///
    /// ## Why it matters
    /// A service that reads whatever it is sent can be made to exhaust its memory by one client,
    /// and a 5xx on a large body pages on-call for a client's mistake (seed 002: denial-of-service
    /// protections and input validation; 001: limits on every resource a client controls).
    ///
    /// ## How to fix
    /// Cap request bodies at the edge and in the service, and answer 413:
    /// ```nginx
    /// client_max_body_size 1m;
    /// ```
    pub struct PayloadLimit {
        id: "live/payload-limit",
        title: "Oversized request bodies are refused with 413",
        category: Live,
        level: Silver,
        severity: Error,
        facets: [],
        seeds: ["002: denial-of-service protections and input validation", "001: limits on client-controlled resources"],
        fix: "cap request body size (e.g. 1 MiB) and answer 413 Payload Too Large above it",
    }
}

impl LiveCheck for PayloadLimit {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &ProbeContext<'_>) -> Outcome {
        let mut big = Request::post("", "application/octet-stream", vec![b'x'; OVERSIZED_BYTES]);
        big.oversized = true;
        let mib = OVERSIZED_BYTES / (1024 * 1024);
        let url = cx.url("");
        let response = match cx.send(&big) {
            Ok(r) => r,
            Err(ProbeError::Transport { message, .. }) => {
                // The server closed the connection while the body was still being sent.
                cx.note(format!(
                    "POST {url} with a {mib} MiB body: the connection was closed before an answer ({message}); the body was refused, without a 413"
                ));
                return Outcome::Pass(Vec::new());
            }
            Err(e) => return cx.unavailable(&e),
        };
        let what = format!("POST {} with a {mib} MiB body", response.url);
        match response.status {
            413 => {
                cx.note(format!("{what} is refused with 413"));
                Outcome::Pass(Vec::new())
            }
            s if s >= 500 => Outcome::from_findings(
                vec![Finding::repo(format!(
                    "{what} answers {s}: a server error instead of 413"
                ))],
                Vec::new(),
            ),
            s if (200..400).contains(&s) => Outcome::from_findings(
                vec![Finding::repo(format!(
                    "{what} is accepted ({s}): no body size limit below {mib} MiB"
                ))],
                Vec::new(),
            ),
            s => {
                // Another 4xx: the size, or the URL itself (method, authentication)? The same
                // body, 2 bytes long, tells (and, not being JSON, creates nothing).
                let small = match cx.send(&Request::post(
                    "",
                    "application/octet-stream",
                    b"xx".to_vec(),
                )) {
                    Ok(r) => r,
                    Err(e) => return cx.unavailable(&e),
                };
                if small.status == s {
                    return Outcome::not_applicable(format!(
                        "POST {} answers {s} to a 2-byte body too, so a size limit cannot be told apart: probe a URL that accepts POST",
                        small.url
                    ));
                }
                cx.note(format!(
                    "{what} is refused with {s} (a 2-byte body gets {}); 413 would say why",
                    small.status
                ));
                Outcome::Pass(Vec::new())
            }
        }
    }
}
