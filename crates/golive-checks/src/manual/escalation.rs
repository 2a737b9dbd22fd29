use golive_core::{Context, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// READINESS.md attests that the escalation path is written down (who is paged after the
    /// on-call engineer, in what order, and how): its `manual/escalation` item is ticked and signed
    /// with who attested it and when (`— @alice 2026-10-01`), and the date is real and not in the
    /// future. The item has no period by default; an `every=` in its marker makes the attestation
    /// expire.
    ///
    /// golive cannot see an escalation path in code, so a person attests it. Without READINESS.md,
    /// or without the item, the check fails: deleting the checklist must not raise the level (waive
    /// the check in golive.toml when another process covers it).
    ///
    /// ## Why it matters
    /// When the on-call engineer cannot fix an incident alone (a dependency's team, the database
    /// owner, a decision to fail over), minutes are lost finding out whom to call. (Deep Dive to
    /// Production Readiness Checklist, Operational Excellence: "Escalation Strategy"; From Code to
    /// Production, Documentation and Knowledge Sharing: "Operational Runbooks: ... escalation paths
    /// for common issues".)
    ///
    /// ## How to fix
    /// Write the path down (in the runbook or the on-call tool's escalation policy), then attest it
    /// in READINESS.md with a link to it:
    /// ```markdown
    /// - [x] The escalation path is written down: docs/runbook.md#escalation — @alice 2026-10-01 <!-- golive:manual/escalation -->
    /// ```
    pub struct Escalation {
        id: "manual/escalation",
        title: "The escalation path is written down",
        category: Manual,
        level: Silver,
        severity: Warning,
        facets: [],
        seeds: [
            "000: Deep Dive to Production Readiness Checklist, Operational Excellence: escalation strategy",
            "001: From Code to Production, Documentation and Knowledge Sharing: runbooks with escalation paths",
        ],
        fix: "write the escalation path down, then attest it in READINESS.md: `- [x] The escalation path is written down: <link> — @you YYYY-MM-DD <!-- golive:manual/escalation -->`",
    }
}

impl golive_core::Check for Escalation {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        super::attest(cx, &Self::META)
    }
}
