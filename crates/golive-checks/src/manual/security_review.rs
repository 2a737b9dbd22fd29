use golive_core::{Context, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// READINESS.md attests that a security review or threat model of the service was done within
    /// the last 365 days: its `manual/security-review` item is ticked and signed with who attested
    /// it and when (`— @alice 2026-10-01`), and the date is real and not in the future. The
    /// attestation expires after 365 days unless the marker's `every=` sets another period.
    ///
    /// golive cannot see a security review in code, so a person attests it. Without READINESS.md,
    /// or without the item, the check fails: deleting the checklist must not raise the level (waive
    /// the check in golive.toml when another process covers it).
    ///
    /// ## Why it matters
    /// Scanners find known vulnerabilities in dependencies; they do not find a missing
    /// authorisation check, an internal endpoint exposed to the internet or a trust boundary
    /// nobody drew. (From Code to Production, Security Testing: "Vulnerability & Penetration
    /// Testing: Conduct security tests targeting vulnerabilities based on the threat model";
    /// Production Ready Checklist, Security: "Go through a security audit", "Go through the OWASP
    /// Top 10".)
    ///
    /// ## How to fix
    /// Review the service's design against its threat model (STRIDE, the OWASP Top 10), record
    /// the outcome, then attest it in READINESS.md:
    /// ```markdown
    /// - [x] A security review or threat model was done: docs/threat-model.md — @erin 2026-03-10 <!-- golive:manual/security-review every=365d -->
    /// ```
    pub struct SecurityReview {
        id: "manual/security-review",
        title: "A security review or threat model was done",
        category: Manual,
        level: Silver,
        severity: Warning,
        facets: [],
        seeds: [
            "001: From Code to Production, Security Testing: vulnerability and penetration testing based on the threat model",
            "004: Production Ready Checklist, Security: go through a security audit, go through the OWASP Top 10",
        ],
        fix: "review the service's security or threat model, then attest it in READINESS.md: `- [x] A security review or threat model was done: <link> — @you YYYY-MM-DD <!-- golive:manual/security-review every=365d -->`",
    }
}

impl golive_core::Check for SecurityReview {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        super::attest(cx, &Self::META)
    }
}
