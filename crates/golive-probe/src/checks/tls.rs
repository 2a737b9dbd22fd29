use crate::context::{LiveCheck, ProbeContext};
use crate::http::ProbeError;
use crate::tls::{self, CertProblem, TlsError, TlsVersion, Verification};
use golive_core::{Date, Finding, Outcome, declare_check};

/// A certificate expiring within this many days is a finding.
const EXPIRY_DAYS: i64 = 14;
/// An HSTS max-age below this (180 days) is noted.
const HSTS_MIN_AGE: u64 = 180 * 86_400;

declare_check! {
    /// ## What it checks
    /// For an https target (plain http does not apply): the certificate chain verifies for the
    /// host name (against Mozilla's roots, or `[probe] ca_file` for an internal CA), the leaf
    /// does not expire within 14 days, TLS 1.0 and 1.1 are refused (a hand-written
    /// ClientHello per version) and TLS 1.2 or 1.3 is accepted, and the target's answer sends
    /// `Strict-Transport-Security` (a `max-age` of 0 is a finding, under 180 days a note). When
    /// the target is on the default port 443, `GET http://host/` must redirect to
    /// `https://host`; on another port the http port is unknown and the evidence says the
    /// redirect was not tested. The handshakes send no HTTP request; the two `GET`s count
    /// against the budget.
    ///
    /// ## Why it matters
    /// Traffic must go over HTTPS (seed 004: network traffic is over HTTPS; security audit);
    /// an expired certificate is an outage that monitoring should have caught two weeks
    /// before, TLS 1.0/1.1 are deprecated (RFC 8996), and without HSTS and the redirect a
    /// user's first request can be downgraded to plain http.
    ///
    /// ## How to fix
    /// Renew certificates automatically (cert-manager, ACME) and alert on expiry; allow only
    /// modern versions and send HSTS on every answer:
    /// ```nginx
    /// ssl_protocols TLSv1.2 TLSv1.3;
    /// add_header Strict-Transport-Security "max-age=31536000; includeSubDomains" always;
    /// server { listen 80; return 301 https://$host$request_uri; }
    /// ```
    pub struct Tls {
        id: "live/tls",
        title: "TLS: valid certificate, TLS 1.2+, HSTS, http redirects to https",
        category: Live,
        level: Silver,
        severity: Error,
        facets: [],
        seeds: ["004: Network traffic is over HTTPS", "004: Security: go through a security audit"],
        fix: "serve a valid, auto-renewed certificate with TLS 1.2+ only, send `Strict-Transport-Security`, and redirect http to https",
    }
}

impl LiveCheck for Tls {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &ProbeContext<'_>) -> Outcome {
        let http = cx.http();
        let base = http.base().clone();
        if base.scheme() != "https" {
            return Outcome::not_applicable(format!(
                "{base} is plain http: probe the https:// URL to check TLS"
            ));
        }
        let host = base.host_str().unwrap_or_default().to_string();
        let name = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_string();
        let port = base.port_or_known_default().unwrap_or(443);
        let at = format!("{name}:{port}");
        let timeout = http.timeout();
        let mut findings = Vec::new();

        // The certificate.
        let facts = match http.runtime().block_on(tls::inspect_with_timeout(
            &name,
            port,
            &name,
            http.roots(),
            timeout,
        )) {
            Ok(f) => f,
            Err(e @ TlsError::Handshake { .. }) => {
                return Outcome::from_findings(
                    vec![Finding::repo(format!(
                        "{at}: no TLS 1.2 or 1.3 handshake ({e})"
                    ))],
                    Vec::new(),
                );
            }
            Err(e) => {
                return Outcome::Error {
                    reason: format!("{at}: {e}"),
                    findings: Vec::new(),
                };
            }
        };
        cx.note(format!(
            "{at} negotiates {} with {}",
            facts.version, facts.cipher_suite
        ));
        match &facts.verification {
            Verification::Valid => cx.note(format!(
                "the chain verifies for {name} ({})",
                roots_name(cx)
            )),
            Verification::Invalid { problem, message } => findings.push(Finding::repo(format!(
                "{at}: the certificate chain does not verify for {name}: {} ({message})",
                problem_text(*problem)
            ))),
        }
        if let Some(leaf) = facts.leaf() {
            let expires = Date::from_days(leaf.not_after.div_euclid(86_400));
            cx.note(format!(
                "leaf {} issued by {}, expires {expires} ({} days left)",
                leaf.subject, leaf.issuer, leaf.days_left
            ));
            // An expired leaf is already a verification problem; say the date either way.
            if leaf.days_left < EXPIRY_DAYS {
                findings.push(Finding::repo(format!(
                    "{at}: the certificate {} expires on {expires}, in {} days (under {EXPIRY_DAYS}): renew it",
                    leaf.subject,
                    leaf.days_left.max(0)
                )));
            }
        }

        // Versions.
        match http.runtime().block_on(tls::probe_versions_with_timeout(
            &name, port, &name, timeout,
        )) {
            Ok(v) => {
                let accepted: Vec<String> = v.accepted().iter().map(|v| v.to_string()).collect();
                cx.note(format!("{at} accepts {}", list_or_none(&accepted)));
                for (version, acceptance) in [
                    (TlsVersion::Tls1_0, &v.tls1_0),
                    (TlsVersion::Tls1_1, &v.tls1_1),
                ] {
                    if acceptance.is_accepted() {
                        findings.push(Finding::repo(format!(
                            "{at} accepts {version}, deprecated (RFC 8996): allow TLS 1.2 and 1.3 only"
                        )));
                    }
                }
                if !v.tls1_2.is_accepted() && !v.tls1_3.is_accepted() {
                    findings.push(Finding::repo(format!(
                        "{at} accepts neither TLS 1.2 nor TLS 1.3"
                    )));
                }
            }
            Err(e) => cx.note(format!("{at}: the versions could not be probed ({e})")),
        }

        // HSTS on the target's answer.
        match cx.get("") {
            Ok(r) => match r.header("strict-transport-security") {
                None => findings.push(Finding::repo(format!(
                    "GET {} ({}) has no `Strict-Transport-Security` header: browsers may still try plain http first",
                    r.url, r.status
                ))),
                Some(value) => match tls::parse_hsts(value) {
                    None => findings.push(Finding::repo(format!(
                        "GET {} has an invalid `Strict-Transport-Security: {value}` (browsers ignore it)",
                        r.url
                    ))),
                    Some(h) if h.max_age == 0 => findings.push(Finding::repo(format!(
                        "GET {}: `Strict-Transport-Security: {value}` has max-age=0, which tells browsers to forget HSTS",
                        r.url
                    ))),
                    Some(h) if h.max_age < HSTS_MIN_AGE => cx.note(format!(
                        "HSTS max-age is {} days, under the recommended 180 (`Strict-Transport-Security: {value}`)",
                        h.max_age / 86_400
                    )),
                    Some(_) => cx.note(format!("HSTS: `{value}`")),
                },
            },
            Err(e @ ProbeError::Transport { .. }) => {
                cx.note(format!("HSTS not checked: {e}"));
            }
            Err(e) => return cx.unavailable(&e),
        }

        // http → https.
        if base.port().is_none() {
            match redirect_to_https(cx, &host) {
                Ok(Some(problem)) => findings.push(Finding::repo(problem)),
                Ok(None) => {}
                Err(e) => return cx.unavailable(&e),
            }
        } else {
            cx.note(format!(
                "http → https redirect not tested: the target is at {at}, not on port 443, so its http port is unknown"
            ));
        }
        Outcome::from_findings(findings, Vec::new())
    }
}

/// `GET http://host/` must redirect to `https://host`: the problem, if any.
fn redirect_to_https(cx: &ProbeContext<'_>, host: &str) -> Result<Option<String>, ProbeError> {
    let http = cx.http();
    let url = format!("http://{host}/");
    let Ok(parsed) = url::Url::parse(&url) else {
        return Ok(None);
    };
    http.reserve()?;
    let client = http.client().clone();
    let answer = http
        .runtime()
        .block_on(async { http.load_request(&client, &parsed).send().await });
    match answer {
        Err(e) => {
            http.log(format!("GET {url} → no answer: {e}"));
            cx.note(format!(
                "{url} does not answer: plain http is not served, nothing to redirect"
            ));
            Ok(None)
        }
        Ok(r) => {
            let status = r.status().as_u16();
            http.observe(status);
            let location = r
                .headers()
                .get(reqwest::header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            http.log(match &location {
                Some(l) => format!("GET {url} → {status}, to {l}"),
                None => format!("GET {url} → {status}"),
            });
            let target = location
                .as_deref()
                .and_then(|l| parsed.join(l).ok())
                .filter(|t| t.scheme() == "https" && t.host_str() == Some(host));
            if (300..400).contains(&status) && target.is_some() {
                cx.note(format!("{url} redirects to https ({status})"));
                Ok(None)
            } else {
                Ok(Some(format!(
                    "GET {url} answers {status}{}, not a redirect to https://{host}: users who type the bare name stay on plain http",
                    location.map(|l| format!(" to {l}")).unwrap_or_default()
                )))
            }
        }
    }
}

fn roots_name(cx: &ProbeContext<'_>) -> String {
    match &cx.config().ca_file {
        Some(path) => format!("trusting `[probe] ca_file` {path}"),
        None => "Mozilla's roots".to_string(),
    }
}

fn problem_text(p: CertProblem) -> &'static str {
    match p {
        CertProblem::Expired => "expired",
        CertProblem::NotYetValid => "not yet valid",
        CertProblem::WrongName => "not valid for this name",
        CertProblem::UntrustedIssuer => {
            "issued by an untrusted CA (a private CA, or a missing intermediate)"
        }
        CertProblem::SelfSigned => "self-signed",
        CertProblem::Revoked => "revoked",
        CertProblem::BadSignature => "a bad signature",
        CertProblem::Other => "rejected",
    }
}

fn list_or_none(items: &[String]) -> String {
    if items.is_empty() {
        "no version".to_string()
    } else {
        items.join(", ")
    }
}
