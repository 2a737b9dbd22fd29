use super::traces::{FRAMEWORK_HEADERS, product_version, stack_trace};
use crate::context::{LiveCheck, ProbeContext};
use crate::http::{ProbeError, Request, Response};
use golive_core::{Finding, Outcome, Severity, declare_check};

/// A path no service has.
pub const UNKNOWN_PATH: &str = "/golive-probe/no-such-path";
/// A JSON document cut short.
pub const MALFORMED_JSON: &[u8] = b"{\"golive\": [1, 2";

declare_check! {
    /// ## What it checks
    /// Errors are answered cleanly: an unknown path gives 404, a malformed JSON body gives a 4xx
    /// and never a 5xx, and no answer carries a stack trace or names the server or framework
    /// with its version (`Server: nginx/1.22.1`, `X-Powered-By`). It sends two requests: `GET`
    /// of a path that does not exist, and a `POST` of truncated JSON to the target URL.
    ///
    /// ## Why it matters
    /// A 5xx on bad input is a bug that pages someone and hides real outages in the error rate;
    /// stack traces and versions tell an attacker which known vulnerabilities to try (seed 001:
    /// Request Validation, fail fast any request that is malformed; Server Faults and Client
    /// Errors, 5XX and 4XX are monitored apart; Security Testing against the OWASP Top Ten).
    ///
    /// ## How to fix
    /// Validate input and map it to 400, add a catch-all 404, and turn off version banners:
    /// ```nginx
    /// server_tokens off;   # nginx: `Server: nginx`, no version
    /// ```
    pub struct ErrorHygiene {
        id: "live/error-hygiene",
        title: "Errors are 4xx for bad input and leak no internals",
        category: Live,
        level: Bronze,
        severity: Error,
        facets: [],
        seeds: ["001: Request Validation: fail fast any requests that are malformed", "001: Server Faults and Client Errors: monitor 5XX and 4XX", "001: Security Testing Tools (OWASP Top Ten)"],
        fix: "answer unknown paths with 404 and malformed input with 400, without stack traces or version banners",
    }
}

impl LiveCheck for ErrorHygiene {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &ProbeContext<'_>) -> Outcome {
        let mut findings: Vec<Finding> = Vec::new();
        let unknown = match cx.get(UNKNOWN_PATH) {
            Ok(r) => r,
            Err(e) => return failed(cx, &e),
        };
        let what = format!("GET {} (a path that does not exist)", unknown.url);
        match unknown.status {
            404 | 410 => {}
            s if s >= 500 => findings.push(Finding::repo(format!("{what} answers {s}: a server error for a client mistake"))),
            s @ 200..=299 if unknown.media_type().as_deref() == Some("text/html") => cx.note(format!(
                "{what} answers {s} with HTML: a single-page app's fallback page, not judged"
            )),
            s @ 200..=299 => findings.push(Finding::repo(format!(
                "{what} answers {s}: clients and monitors cannot tell a missing resource from a found one"
            ))),
            401 | 403 => cx.note(format!("{what} answers {}: authentication stands in front, unknown paths are not told apart", unknown.status)),
            s => cx.note(format!("{what} answers {s}")),
        }
        let malformed = match cx.send(&Request::post(
            "",
            "application/json",
            MALFORMED_JSON.to_vec(),
        )) {
            Ok(r) => r,
            Err(e) => return failed(cx, &e),
        };
        let what = format!("POST {} with malformed JSON", malformed.url);
        match malformed.status {
            501 => cx.note(format!(
                "{what} answers 501: the server implements no POST there, so malformed input could not be tried"
            )),
            s if s >= 500 => findings.push(Finding::repo(format!("{what} answers {s}: bad input must be a 4xx, never a server error"))),
            s @ 200..=299 => cx.note(format!(
                "{what} answers {s}: the body may be ignored there; probe a URL that reads JSON to tell"
            )),
            _ => {}
        }
        for r in [&unknown, &malformed] {
            leaks(r, &mut findings);
        }
        let mut seen = std::collections::BTreeSet::new();
        findings.retain(|f| seen.insert(f.message.clone()));
        Outcome::from_findings(findings, Vec::new())
    }
}

fn failed(cx: &ProbeContext<'_>, e: &ProbeError) -> Outcome {
    cx.unavailable(e)
}

/// Stack traces and version banners in one answer.
fn leaks(r: &Response, findings: &mut Vec<Finding>) {
    let body = r.body_text();
    if let Some((kind, text)) = stack_trace(&body) {
        findings.push(Finding::repo(format!(
            "{} {} answers {} with a stack trace in its body ({kind}: `{text}`)",
            r.method, r.url, r.status
        )));
    }
    for (name, value) in &r.headers {
        let header = display_name(name);
        let leak = if name == "server" {
            product_version(value)
                .map(|v| format!("`{header}: {value}`, which names the server's version ({v})"))
        } else if FRAMEWORK_HEADERS.contains(&name.as_str()) {
            Some(format!("`{header}: {value}`, which names the framework"))
        } else {
            None
        };
        if let Some(leak) = leak {
            findings.push(
                Finding::repo(format!("{} answers with {leak}", host_of(&r.url)))
                    .with_severity(Severity::Warning)
                    .with_help("remove the header or its version (nginx: `server_tokens off;`; Express: `app.disable('x-powered-by')`)"),
            );
        }
    }
    // One error page naming the version is enough: they all come from the same setting.
    let reported = findings
        .iter()
        .any(|f| f.message.contains("error page naming"));
    if (400..600).contains(&r.status)
        && !reported
        && let Some(v) = product_version(&body)
    {
        findings.push(
            Finding::repo(format!(
                "{} {} answers {} with an error page naming the server's version ({v})",
                r.method, r.url, r.status
            ))
            .with_severity(Severity::Warning)
            .with_help("serve your own error pages, or turn version banners off (nginx: `server_tokens off;`)"),
        );
    }
}

/// `scheme://host:port` of a URL, for findings about the whole server.
fn host_of(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(u) => u.origin().ascii_serialization(),
        Err(_) => url.to_string(),
    }
}

/// `x-powered-by` → `X-Powered-By`.
fn display_name(name: &str) -> String {
    name.split('-')
        .map(|part| {
            let mut c = part.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join("-")
}
