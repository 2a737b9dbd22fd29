use golive_core::{Context, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// READINESS.md attests that an on-call rotation covers the service: its
    /// `manual/on-call` item is ticked and signed with who attested it and when
    /// (`— @alice 2026-10-01`), and the date is real and not in the future. The item has no
    /// period by default; an `every=` in its marker makes the attestation expire.
    ///
    /// golive cannot see a rotation in code, so a person attests it. Without READINESS.md, or
    /// without the item, the check fails: deleting the checklist must not raise the level
    /// (waive the check in golive.toml when another process covers it).
    ///
    /// ## Why it matters
    /// An alert nobody receives is an outage nobody fixes: someone must be reachable for the
    /// service at any hour, and the load shared by a rotation. (From Code to Production,
    /// Monitoring and Alerting: "On-Call Rotation: ensure that alarms trigger appropriate
    /// notifications to on-call personnel, and maintain a rotation schedule"; Deep Dive to
    /// Production Readiness Checklist, Operational Excellence: "Escalation Strategy: On-Call
    /// Rotation".)
    ///
    /// ## How to fix
    /// Set up the rotation (PagerDuty, Opsgenie, Grafana OnCall…), then attest it in
    /// READINESS.md with a link to the schedule (`golive init` writes the file):
    /// ```markdown
    /// - [x] An on-call rotation covers the service: https://acme.pagerduty.com/schedules/P1 — @alice 2026-10-01 <!-- golive:manual/on-call -->
    /// ```
    pub struct OnCall {
        id: "manual/on-call",
        title: "An on-call rotation covers the service",
        category: Manual,
        level: Bronze,
        severity: Error,
        facets: [],
        seeds: [
            "001: From Code to Production, Monitoring and Alarms: on-call rotation",
            "000: Deep Dive to Production Readiness Checklist, Operational Excellence: escalation strategy, on-call rotation",
        ],
        fix: "set up the rotation, then attest it in READINESS.md: `- [x] An on-call rotation covers the service: <schedule link> — @you YYYY-MM-DD <!-- golive:manual/on-call -->`",
    }
}

impl golive_core::Check for OnCall {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        super::attest(cx, &Self::META)
    }
}
