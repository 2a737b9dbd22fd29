use golive_core::{Context, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// READINESS.md attests that a load test at the expected peak was run within the last 180 days
    /// and its results were kept: its `manual/load-test` item is ticked and signed with who
    /// attested it and when (`— @alice 2026-10-01`), and the date is real and not in the future.
    /// The attestation expires after 180 days unless the marker's `every=` sets another period.
    ///
    /// golive cannot see a load test in code, so a person attests it. Without READINESS.md, or
    /// without the item, the check fails: deleting the checklist must not raise the level (waive
    /// the check in golive.toml when another process covers it).
    ///
    /// ## Why it matters
    /// The first real peak (a launch, a sale, a batch of retries) finds the bottleneck nobody
    /// measured: a connection pool, a dependency's rate limit, an autoscaler too slow to react.
    /// (From Code to Production, Loading Testing: "Conduct load tests to assess the scalability of
    /// both your primary service and its dependencies"; Production Ready Checklist, High
    /// Availability: "Perform load tests and use chaos engineering".)
    ///
    /// ## How to fix
    /// Run a load test at the expected peak (k6, Gatling, Locust…), keep the results, then attest
    /// it in READINESS.md with a link to them:
    /// ```markdown
    /// - [x] A load test at expected peak was run and its results kept: loadtests/2026-09/report.html — @carol 2026-09-20 <!-- golive:manual/load-test every=180d -->
    /// ```
    pub struct LoadTest {
        id: "manual/load-test",
        title: "A load test at expected peak was run and its results kept",
        category: Manual,
        level: Silver,
        severity: Warning,
        facets: [],
        seeds: [
            "001: From Code to Production, Loading Testing: scalability assessment, load tests",
            "004: Production Ready Checklist, High Availability: perform load tests and use chaos engineering",
        ],
        fix: "run a load test at the expected peak and keep its results, then attest it in READINESS.md: `- [x] A load test at expected peak was run and its results kept: <link> — @you YYYY-MM-DD <!-- golive:manual/load-test every=180d -->`",
    }
}

impl golive_core::Check for LoadTest {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        super::attest(cx, &Self::META)
    }
}
