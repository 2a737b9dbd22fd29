use golive_core::{Context, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// READINESS.md attests that a named owner signed off production readiness for this release:
    /// its `manual/sign-off` item is ticked and signed with who attested it and when (`— @alice
    /// 2026-10-01`), and the date is real and not in the future. The item has no period by default;
    /// an `every=` in its marker makes the attestation expire.
    ///
    /// golive cannot see a sign-off in code, so a person attests it. Without READINESS.md, or
    /// without the item, the check fails: deleting the checklist must not raise the level (waive
    /// the check in golive.toml when another process covers it).
    ///
    /// ## Why it matters
    /// Someone must own the decision to go live, and be the person who answers for it: without a
    /// sign-off, "ready" is everyone's assumption and nobody's call. (Production readiness
    /// checklist for backend applications, Production sign off process: "Need to have a person who
    /// is responsible for production deployment and sign off that production is ready to go".)
    ///
    /// ## How to fix
    /// The owner reviews this report and READINESS.md, then signs the item (update the date for
    /// each release; add `every=` to the marker to make an old sign-off expire):
    /// ```markdown
    /// - [x] A named owner signed off production readiness for this release — @dana 2026-11-02 <!-- golive:manual/sign-off -->
    /// ```
    pub struct SignOff {
        id: "manual/sign-off",
        title: "A named owner signed off production readiness for this release",
        category: Manual,
        level: Bronze,
        severity: Error,
        facets: [],
        seeds: [
            "003: Go-live checklist, Production sign off process: a person responsible for production deployment signs off that production is ready",
        ],
        fix: "have the service owner sign off in READINESS.md: `- [x] A named owner signed off production readiness for this release — @owner YYYY-MM-DD <!-- golive:manual/sign-off -->`",
    }
}

impl golive_core::Check for SignOff {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        super::attest(cx, &Self::META)
    }
}
