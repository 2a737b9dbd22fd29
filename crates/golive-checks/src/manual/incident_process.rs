use golive_core::{Context, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// READINESS.md attests that incidents are managed by a known process and followed by blameless
    /// post-mortems (a link to the post-mortem template or the last post-mortem is the usual
    /// proof): its `manual/incident-process` item is ticked and signed with who attested it and
    /// when (`— @alice 2026-10-01`), and the date is real and not in the future. The item has no
    /// period by default; an `every=` in its marker makes the attestation expire.
    ///
    /// golive cannot see an incident process in code, so a person attests it. Without READINESS.md,
    /// or without the item, the check fails: deleting the checklist must not raise the level (waive
    /// the check in golive.toml when another process covers it).
    ///
    /// ## Why it matters
    /// Without an incident process, an outage is handled by whoever notices it, nobody
    /// communicates with customers, and the same failure comes back because nothing was learnt.
    /// (Deep Dive to Production Readiness Checklist, Operational Excellence: "Incident Management
    /// with practices for short-term and long-term remediation", "Post Mortem of incidents"; From
    /// Code to Production, Documentation and Knowledge Sharing: "Postmortems".)
    ///
    /// ## How to fix
    /// Adopt an incident process and a post-mortem template, then attest it in READINESS.md with a
    /// link to the template or the last post-mortem:
    /// ```markdown
    /// - [x] Incidents are managed and followed by blameless post-mortems: https://wiki.acme.dev/postmortems/template — @alice 2026-10-01 <!-- golive:manual/incident-process -->
    /// ```
    pub struct IncidentProcess {
        id: "manual/incident-process",
        title: "Incidents are managed and followed by blameless post-mortems",
        category: Manual,
        level: Silver,
        severity: Warning,
        facets: [],
        seeds: [
            "000: Deep Dive to Production Readiness Checklist, Operational Excellence: incident management, post mortem of incidents",
            "001: From Code to Production, Documentation and Knowledge Sharing: postmortems",
        ],
        fix: "adopt an incident and post-mortem process, then attest it in READINESS.md: `- [x] Incidents are managed and followed by blameless post-mortems: <link> — @you YYYY-MM-DD <!-- golive:manual/incident-process -->`",
    }
}

impl golive_core::Check for IncidentProcess {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        super::attest(cx, &Self::META)
    }
}
