use crate::context::{LiveCheck, ProbeContext};
use crate::http::{ProbeError, Request};
use golive_core::{Finding, Outcome, declare_check};

/// The oversized body: 10 MiB, ten times the usual 1 MiB limit (nginx's
/// `client_max_body_size`, many frameworks' default).
pub const OVERSIZED_BYTES: usize = 10 * 1024 * 1024;

declare_check! {
    /// ## What it checks
    /// An oversized request body is refused: a 10 MiB `POST` to the target URL gets 413, never
    /// a 2xx, and never a 5xx that a small body does not get. This is the only request of a
    /// probe run whose body exceeds `[probe] max_body_bytes`. Any answer but 413 or 2xx is
    /// compared with the same body 2 bytes long: when that gets the same answer, or is refused
    /// too (the URL takes no POST, needs authentication), a size limit cannot be told apart and
    /// the check does not apply; a 5xx for the large body alone fails; another refusal (or a
    /// connection closed mid-body) for the large body alone passes with a note.
    ///
    /// ## Why it matters
    /// A service that reads whatever it is sent can be made to exhaust its memory by one client,
    /// and a 5xx on a large body pages on-call for a client's mistake (seed 001: Request
    /// Validation, fail fast requests that are improperly sized; Unauthenticated requests,
    /// safeguard against large payloads).
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
        seeds: ["001: Request Validation: fail fast any requests that are malformed, improperly sized", "001: Unauthenticated requests: safeguard against large payloads"],
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
        // The big body's answer: a status, or None when the connection closed mid-body.
        let big_status = match cx.send(&big) {
            Ok(r) => Some(r.status),
            Err(ProbeError::Transport { .. }) => None,
            Err(e) => return cx.unavailable(&e),
        };
        let what = format!("POST {url} with a {mib} MiB body");
        match big_status {
            Some(413) => {
                cx.note(format!("{what} is refused with 413"));
                return Outcome::Pass(Vec::new());
            }
            Some(s @ 200..=299) => {
                return Outcome::from_findings(
                    vec![Finding::repo(format!(
                        "{what} is accepted ({s}): no body size limit below {mib} MiB"
                    ))],
                    Vec::new(),
                );
            }
            _ => {}
        }
        // Anything else may be the size or the URL itself (method, authentication, a server
        // that takes no POST at all): the same body, 2 bytes long, tells (and, not being JSON,
        // creates nothing).
        let small = match cx.send(&Request::post(
            "",
            "application/octet-stream",
            b"xx".to_vec(),
        )) {
            Ok(r) => Some(r.status),
            Err(ProbeError::Transport { .. }) => None,
            Err(e) => return cx.unavailable(&e),
        };
        let said = |s: Option<u16>| match s {
            Some(s) => format!("answers {s}"),
            None => "closes the connection without an answer".to_string(),
        };
        let small_accepted = small.is_some_and(|s| (200..400).contains(&s));
        if big_status == small || !small_accepted && big_status.is_none_or(|s| s < 500) {
            return Outcome::not_applicable(format!(
                "{what} {}, and a 2-byte body {}: a size limit cannot be told apart; probe a URL that accepts POST",
                said(big_status),
                said(small)
            ));
        }
        match big_status {
            Some(s) if s >= 500 => Outcome::from_findings(
                vec![Finding::repo(format!(
                    "{what} answers {s}, a server error instead of 413 (a 2-byte body {})",
                    said(small)
                ))],
                Vec::new(),
            ),
            _ => {
                cx.note(format!(
                    "{what} {} while a 2-byte body {}: the large body is refused; 413 would say why",
                    said(big_status),
                    said(small)
                ));
                Outcome::Pass(Vec::new())
            }
        }
    }
}
