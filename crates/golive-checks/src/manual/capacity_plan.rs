use golive_core::{Context, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// READINESS.md attests that the resources and limits of each component were planned against
    /// the expected load: its `manual/capacity-plan` item is ticked and signed with who attested it
    /// and when (`— @alice 2026-10-01`), and the date is real and not in the future. The item has
    /// no period by default; an `every=` in its marker makes the attestation expire.
    ///
    /// golive cannot see a capacity plan in code, so a person attests it. Without READINESS.md, or
    /// without the item, the check fails: deleting the checklist must not raise the level (waive
    /// the check in golive.toml when another process covers it).
    ///
    /// ## Why it matters
    /// Requests and limits copied from a template either waste money or fall over at the first
    /// peak; a plan says how much each component needs at the expected load and where it runs
    /// out. (Production readiness checklist for backend applications, Capacity planning: "Make
    /// sure that you understand the number of necessary resources for each component in a
    /// system", "Make sure that you configure all limits for the services".)
    ///
    /// ## How to fix
    /// Write the plan down (expected load, resources and limits per component, headroom), then
    /// attest it in READINESS.md with a link to it:
    /// ```markdown
    /// - [x] Resources and limits were planned against expected load: docs/capacity.md — @carol 2026-09-20 <!-- golive:manual/capacity-plan -->
    /// ```
    pub struct CapacityPlan {
        id: "manual/capacity-plan",
        title: "Resources and limits were planned against expected load",
        category: Manual,
        level: Gold,
        severity: Warning,
        facets: [],
        seeds: [
            "003: Go-live checklist, Capacity planning: understand the resources each component needs and configure limits",
        ],
        fix: "plan resources and limits against the expected load, then attest it in READINESS.md: `- [x] Resources and limits were planned against expected load: <link> — @you YYYY-MM-DD <!-- golive:manual/capacity-plan -->`",
    }
}

impl golive_core::Check for CapacityPlan {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        super::attest(cx, &Self::META)
    }
}
