use golive_core::{Context, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// READINESS.md attests that a disaster recovery drill (losing a zone, a region or the
    /// database, and recovering) was run within the last 180 days: its `manual/dr-drill` item is
    /// ticked and signed with who attested it and when (`— @alice 2026-10-01`), and the date is
    /// real and not in the future. The attestation expires after 180 days unless the marker's
    /// `every=` sets another period.
    ///
    /// golive cannot see a disaster recovery drill in code, so a person attests it. Without
    /// READINESS.md, or without the item, the check fails: deleting the checklist must not raise
    /// the level (waive the check in golive.toml when another process covers it).
    ///
    /// ## Why it matters
    /// A recovery plan that was never rehearsed fails on the day it is needed: the runbook is out
    /// of date, the failover needs a permission nobody has, the team has never done it. (From Code
    /// to Production, Documentation and Knowledge Sharing: "Training and Drills: ... Conduct
    /// disaster recovery drills"; Disaster Recovery: "Failover Testing".)
    ///
    /// ## How to fix
    /// Run the drill (a game day: fail over, restore, measure the RTO and RPO), write down what
    /// broke, then attest it in READINESS.md:
    /// ```markdown
    /// - [x] A disaster recovery drill was run: region failover game day, notes in docs/dr/2026-10.md — @alice 2026-10-01 <!-- golive:manual/dr-drill every=180d -->
    /// ```
    pub struct DrDrill {
        id: "manual/dr-drill",
        title: "A disaster recovery drill was run",
        category: Manual,
        level: Gold,
        severity: Warning,
        facets: [],
        seeds: [
            "001: From Code to Production, Documentation and Knowledge Sharing: training and drills, disaster recovery drills",
            "001: From Code to Production, Disaster Recovery: failover testing",
        ],
        fix: "run a disaster recovery drill, then attest it in READINESS.md: `- [x] A disaster recovery drill was run — @you YYYY-MM-DD <!-- golive:manual/dr-drill every=180d -->`",
    }
}

impl golive_core::Check for DrDrill {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        super::attest(cx, &Self::META)
    }
}
