use golive_core::{Context, Outcome, declare_check};

declare_check! {
    /// ## What it checks
    /// READINESS.md attests that a backup was restored and the restored data verified, within the
    /// last 90 days: its `manual/restore-test` item is ticked and signed with who attested it and
    /// when (`— @alice 2026-10-01`), and the date is real and not in the future. The attestation
    /// expires after 90 days unless the marker's `every=` sets another period.
    ///
    /// golive cannot see a restore test in code, so a person attests it. Without READINESS.md, or
    /// without the item, the check fails: deleting the checklist must not raise the level (waive
    /// the check in golive.toml when another process covers it).
    ///
    /// ## Why it matters
    /// A backup that was never restored is a hope, not a backup: restores fail on missing
    /// permissions, expired keys, changed schemas or a restore that takes longer than the RTO.
    /// (Production Ready Checklist, Backups and Restoring: "Test your backups"; Production
    /// readiness checklist for backend applications, Backups: "Backups should have a validation
    /// process in place"; From Code to Production, Disaster Recovery: "Backup Validation".)
    ///
    /// ## How to fix
    /// Restore the latest backup into a scratch environment, check the data (row counts, a
    /// known record, the restore time against the RTO), then attest it in READINESS.md:
    /// ```markdown
    /// - [x] Backups were restored and verified: restore took 14 min, RTO 1 h — @bob 2026-09-14 <!-- golive:manual/restore-test every=90d -->
    /// ```
    pub struct RestoreTest {
        id: "manual/restore-test",
        title: "Backups were restored and verified",
        category: Manual,
        level: Silver,
        severity: Warning,
        facets: [],
        seeds: [
            "004: Production Ready Checklist, Backups and Restoring: test your backups",
            "003: Go-live checklist, Backups: backups should have a validation process in place",
            "001: From Code to Production, Disaster Recovery: backup validation",
        ],
        fix: "restore a backup and verify it, then attest it in READINESS.md: `- [x] Backups were restored and verified — @you YYYY-MM-DD <!-- golive:manual/restore-test every=90d -->`",
    }
}

impl golive_core::Check for RestoreTest {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        super::attest(cx, &Self::META)
    }
}
