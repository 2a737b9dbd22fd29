use crate::context::{LiveCheck, ProbeContext};
use golive_core::{Finding, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// A `GET` of the target URL answers with `X-Content-Type-Options: nosniff` (it applies to
    /// every response, JSON included), and, when the answer is HTML, with clickjacking
    /// protection: `X-Frame-Options: DENY` or `SAMEORIGIN`, or a `Content-Security-Policy` with
    /// `frame-ancestors`. An answer that is not HTML passes on `nosniff` alone, and the evidence
    /// says frame options and CSP do not apply; an answer that is not 2xx (after redirects
    /// within the host) or has no body does not apply at all.
    /// HSTS is live/tls's.
    ///
    /// ## Why it matters
    /// Without `nosniff` a browser may run an uploaded file or a JSON answer as script; without
    /// frame protection any site can frame the page and trick users into clicking (seed 001:
    /// Security Testing Tools, OWASP ZAP flags both, see OWASP Top Ten; 004: go through a
    /// security audit).
    ///
    /// ## How to fix
    /// ```nginx
    /// add_header X-Content-Type-Options nosniff always;
    /// add_header Content-Security-Policy "frame-ancestors 'none'" always;
    /// ```
    pub struct SecurityHeaders {
        id: "live/security-headers",
        title: "Responses carry nosniff, and HTML frame protection",
        category: Live,
        level: Silver,
        severity: Warning,
        facets: [],
        seeds: ["001: Security Testing Tools: OWASP ZAP (OWASP Top Ten)", "004: Security: go through a security audit"],
        fix: "send `X-Content-Type-Options: nosniff` on every response and `X-Frame-Options: DENY` (or CSP frame-ancestors) on HTML",
    }
}

impl LiveCheck for SecurityHeaders {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &ProbeContext<'_>) -> Outcome {
        let r = match cx.get("") {
            Ok(r) => r,
            Err(e) => return cx.unavailable(&e),
        };
        let what = format!("GET {} ({})", r.url, r.status);
        let media = r.media_type();
        if !(200..300).contains(&r.status) {
            return Outcome::not_applicable(format!(
                "{what} is not a page the service serves: probe a URL that answers 2xx (the headers of served pages are what matter)"
            ));
        }
        if r.body.is_empty() && media.is_none() {
            return Outcome::not_applicable(format!(
                "{what} has no body: nothing a browser renders or sniffs"
            ));
        }
        let mut findings = Vec::new();
        let nosniff = r
            .header("x-content-type-options")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("nosniff"));
        if nosniff {
            cx.note(format!("{what} sends `X-Content-Type-Options: nosniff`"));
        } else {
            findings.push(Finding::repo(format!(
                "{what} has no `X-Content-Type-Options: nosniff`"
            )));
        }
        let html = matches!(
            media.as_deref(),
            Some("text/html" | "application/xhtml+xml")
        );
        if !html {
            cx.note(format!(
                "{what} is {}, not HTML: frame options and CSP do not apply, nosniff does",
                media.as_deref().unwrap_or("untyped")
            ));
            return Outcome::from_findings(findings, Vec::new());
        }
        let xfo = r
            .header("x-frame-options")
            .map(|v| v.trim().to_ascii_uppercase())
            .filter(|v| v == "DENY" || v == "SAMEORIGIN");
        let csp = r.header("content-security-policy");
        let frame_ancestors =
            csp.is_some_and(|v| v.to_ascii_lowercase().contains("frame-ancestors"));
        match (xfo, frame_ancestors) {
            (Some(v), _) => cx.note(format!("{what} is HTML and sends `X-Frame-Options: {v}`")),
            (None, true) => cx.note(format!("{what} is HTML and its CSP sets frame-ancestors")),
            (None, false) => findings.push(Finding::repo(format!(
                "{what} is HTML with neither `X-Frame-Options` nor a CSP `frame-ancestors`: any site can frame it"
            ))),
        }
        if csp.is_none() {
            cx.note(format!(
                "{what} is HTML without a Content-Security-Policy (recommended, not required)"
            ));
        }
        Outcome::from_findings(findings, Vec::new())
    }
}
