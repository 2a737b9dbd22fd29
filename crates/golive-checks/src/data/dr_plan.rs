use crate::docs::find::{self, doc_files, heading_is_about, in_docs_folder, split_name};
use crate::docs::outline::{Outline, words};
use golive_core::{Context, Evidence, Finding, Location, Outcome, SourceFile, declare_check};

declare_check! {
    /// ## What it checks
    /// A disaster recovery plan is documented, and it says how to recover a service, a database
    /// (restore from backup), a cluster and a region, with the recovery time and recovery point
    /// objectives (RTO, RPO).
    ///
    /// The plan is a document named for it (`docs/disaster-recovery.md`, `DR.md`,
    /// `runbooks/restore-database.md`, `failover.md`) or a section of the README, of a document
    /// under `docs/` or of a runbook whose heading is about disaster recovery, recovery,
    /// restore, failover or business continuity. Everything found is read together: a plan
    /// split over several documents counts. What it covers is recognised by the words of its
    /// headings and prose (`database`, `restore`, `snapshot`; `cluster`; `region`; `RTO` or
    /// "recovery time objective"; `RPO` or "recovery point objective"); a line that says it is
    /// "not covered yet", TODO or TBD covers nothing. No plan is a finding;
    /// a plan that leaves something out is a finding at the plan listing what is missing, and
    /// the evidence cites the headings (or lines) that cover the rest. Not applicable to
    /// repositories that deploy nothing (no Kubernetes, Helm, Kustomize or Terraform).
    ///
    /// ## Why it matters
    /// A disaster is the wrong time to work out the order in which to rebuild things. The go-live
    /// checklist asks for "a disaster recovery plan with different levels of details and ETAs
    /// for example: how to recover one service, how to recover a database, how to recover the
    /// whole cluster, how to recover the whole region" (003, Disaster recovery), and backups
    /// and failover are to be tested against "defined Recovery Point Objective (RPO) and
    /// Recovery Time Objective (RTO) targets" (001): targets that are written down.
    ///
    /// ## How to fix
    /// ```markdown
    /// # Disaster recovery
    /// RTO: 4 hours. RPO: 15 minutes.
    /// ## Recover a service
    /// Redeploy the last good release: `argocd app rollback payments`.
    /// ## Restore the database
    /// Restore the latest snapshot to a new instance, then point the service at it.
    /// ## Rebuild the cluster
    /// `terraform apply` in envs/prod, then let Argo CD sync every application.
    /// ## Lose a region
    /// Promote the eu-central-1 replica and switch DNS.
    /// ```
    pub struct DrPlan {
        id: "data/dr-plan",
        title: "A disaster recovery plan is documented",
        category: Data,
        level: Gold,
        severity: Warning,
        facets: [Kubernetes, Helm, Kustomize, Terraform],
        seeds: [
            "003: Disaster recovery: a plan with ETAs for recovering one service, a database, the whole cluster, the whole region",
            "001: Disaster Recovery: backup validation against defined RPO and RTO targets; failover testing",
        ],
        fix: "write docs/disaster-recovery.md: RTO and RPO, and how to recover a service, a database, the cluster and a region",
    }
}

/// Words of a document's name that make it a recovery plan.
const NAME_WORDS: &[&str] = &[
    "disaster",
    "dr",
    "recovery",
    "restore",
    "restoring",
    "failover",
    "bcp",
    "continuity",
];

/// Headings of a recovery plan's section.
const HEADINGS: &[&str] = &[
    "disaster",
    "dr",
    "recovery",
    "recovering",
    "recover",
    "restore",
    "restoring",
    "failover",
    "fail over",
    "business continuity",
];

/// What a plan should cover, and the words that show it does.
struct Aspect {
    what: &'static str,
    words: &'static [&'static str],
    /// Phrases (of words, in order) that also show it.
    phrases: &'static [&'static [&'static str]],
}

const ASPECTS: &[Aspect] = &[
    Aspect {
        what: "recovering a service",
        words: &[
            "service",
            "services",
            "application",
            "applications",
            "redeploy",
            "app",
        ],
        phrases: &[],
    },
    Aspect {
        what: "restoring a database",
        words: &[
            "database",
            "databases",
            "db",
            "postgres",
            "postgresql",
            "mysql",
            "mongodb",
            "rds",
            "dynamodb",
            "snapshot",
            "snapshots",
            "pitr",
        ],
        phrases: &[&["point", "in", "time"]],
    },
    Aspect {
        what: "recovering the cluster",
        words: &["cluster", "clusters", "eks", "gke", "aks"],
        phrases: &[],
    },
    Aspect {
        what: "recovering from the loss of a region",
        words: &["region", "regions", "regional"],
        phrases: &[],
    },
    Aspect {
        what: "the recovery time objective (RTO)",
        words: &["rto"],
        phrases: &[&["recovery", "time", "objective"]],
    },
    Aspect {
        what: "the recovery point objective (RPO)",
        words: &["rpo"],
        phrases: &[&["recovery", "point", "objective"]],
    },
];

/// A part of the plan: a whole document, or a section of one.
struct Part<'a> {
    file: &'a SourceFile,
    /// The heading line of the section (None for a whole document).
    heading: Option<(u32, String)>,
    first: u32,
    last: u32,
}

/// Phrases that say a line covers nothing yet ("Loss of the region: not covered yet").
const NOT_COVERED: &[&str] = &[
    "not covered",
    "not yet",
    "todo",
    "tbd",
    "no plan",
    "not planned",
];

fn mentions(aspect: &Aspect, text: &str) -> bool {
    let lower = text.to_lowercase();
    if NOT_COVERED.iter().any(|p| lower.contains(p)) {
        return false;
    }
    let w = words(text);
    if aspect.words.contains(&"region") && names_a_region(text) {
        return true;
    }
    w.iter().any(|x| aspect.words.contains(&x.as_str()))
        || aspect.phrases.iter().any(|p| {
            w.windows(p.len())
                .any(|win| win.iter().zip(p.iter()).all(|(a, b)| a == b))
        })
}

/// Whether a text names a cloud region by its id: `eu-west-1`, `us-east-2` (AWS),
/// `europe-west1`, `us-central1` (GCP).
fn names_a_region(text: &str) -> bool {
    const AWS: &[&str] = &["us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx"];
    const GCP: &[&str] = &[
        "us",
        "europe",
        "asia",
        "australia",
        "northamerica",
        "southamerica",
        "me",
        "africa",
    ];
    const DIRECTIONS: &[&str] = &[
        "north",
        "south",
        "east",
        "west",
        "central",
        "northeast",
        "northwest",
        "southeast",
        "southwest",
    ];
    text.to_ascii_lowercase()
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .any(|token| {
            let parts: Vec<&str> = token.split('-').collect();
            match parts.as_slice() {
                [area, direction, number] => {
                    AWS.contains(area)
                        && DIRECTIONS.contains(direction)
                        && !number.is_empty()
                        && number.chars().all(|c| c.is_ascii_digit())
                }
                [area, zone] => {
                    GCP.contains(area)
                        && DIRECTIONS.iter().any(|d| {
                            zone.strip_prefix(d).is_some_and(|n| {
                                !n.is_empty() && n.chars().all(|c| c.is_ascii_digit())
                            })
                        })
                }
                _ => false,
            }
        })
}

impl golive_core::Check for DrPlan {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let parts = plan_parts(cx);
        let Some(main) = parts.first() else {
            return Outcome::from_findings(
                vec![Finding::repo(
                    "no disaster recovery plan: no document or section about disaster recovery, restore or failover",
                )],
                Vec::new(),
            );
        };
        let mut evidence: Vec<Evidence> = parts
            .iter()
            .map(|p| match &p.heading {
                Some((line, text)) => Evidence::at(
                    &p.file.path,
                    *line,
                    format!("disaster recovery section `{text}`"),
                ),
                None => Evidence::file(&p.file.path, "disaster recovery document"),
            })
            .collect();
        let mut missing = Vec::new();
        for aspect in ASPECTS {
            match cover(&parts, aspect) {
                Some(e) => evidence.push(e),
                None => missing.push(aspect.what),
            }
        }
        let findings = match missing.is_empty() {
            true => Vec::new(),
            false => {
                let location = match &main.heading {
                    Some((line, _)) => Location::line(&main.file.path, *line),
                    None => Location::file(main.file.path.as_str()),
                };
                vec![Finding::at(
                    location,
                    format!(
                        "the disaster recovery plan does not cover {}",
                        missing.join(", ")
                    ),
                )]
            }
        };
        Outcome::from_findings(findings, evidence)
    }
}

/// Where the plan covers an aspect: the first heading of the plan that mentions it, else the
/// first line.
fn cover(parts: &[Part<'_>], aspect: &Aspect) -> Option<Evidence> {
    for part in parts {
        let Some(outline) = Outline::of(part.file) else {
            continue;
        };
        if let Some((line, text)) = &part.heading
            && mentions(aspect, text)
        {
            return Some(Evidence::at(
                &part.file.path,
                *line,
                format!("{}: section `{text}`", aspect.what),
            ));
        }
        if let Some(h) = outline
            .headings
            .iter()
            .find(|h| h.line >= part.first && h.line <= part.last && mentions(aspect, &h.text))
        {
            return Some(Evidence::at(
                &part.file.path,
                h.line,
                format!("{}: section `{}`", aspect.what, h.text),
            ));
        }
    }
    for part in parts {
        let Some(outline) = Outline::of(part.file) else {
            continue;
        };
        if let Some((line, _)) = outline
            .prose_lines()
            .find(|(n, text)| *n >= part.first && *n <= part.last && mentions(aspect, text))
        {
            return Some(Evidence::at(
                &part.file.path,
                line,
                format!("{}: mentioned", aspect.what),
            ));
        }
    }
    None
}

/// The documents and sections that make up the plan, documents first.
fn plan_parts<'a>(cx: &Context<'a>) -> Vec<Part<'a>> {
    let mut parts = Vec::new();
    let mut whole: Vec<&str> = Vec::new();
    for file in doc_files(cx.ws) {
        let (stem, _) = split_name(file.name());
        if !words(stem).iter().any(|w| NAME_WORDS.contains(&w.as_str())) {
            continue;
        }
        let Some(outline) = Outline::of(file) else {
            continue;
        };
        if outline.has_content() {
            whole.push(&file.path);
            parts.push(Part {
                file,
                heading: None,
                first: 1,
                last: u32::MAX,
            });
        }
    }
    let readme = find::readme(cx.ws).map(|r| r.file.path.clone());
    for file in doc_files(cx.ws) {
        let in_scope = readme.as_deref() == Some(file.path.as_str())
            || in_docs_folder(&file.path)
            || file.path.to_ascii_lowercase().contains("runbook");
        if !in_scope || whole.contains(&file.path.as_str()) {
            continue;
        }
        let Some(outline) = Outline::of(file) else {
            continue;
        };
        let mut covered_until = 0;
        for (index, heading) in outline.headings.iter().enumerate() {
            if heading.line <= covered_until
                || !heading_is_about(&heading.text, HEADINGS, &[])
                || !outline.section_has_content(index)
            {
                continue;
            }
            let (first, last) = outline.section(index);
            covered_until = last;
            parts.push(Part {
                file,
                heading: Some((heading.line, heading.text.clone())),
                first,
                last,
            });
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aspects_are_recognised_by_words_and_phrases() {
        let rto = ASPECTS.iter().find(|a| a.words.contains(&"rto"));
        assert!(rto.is_some_and(|a| mentions(a, "Recovery Time Objective: 4h")));
        assert!(rto.is_some_and(|a| mentions(a, "RTO: 4 hours")));
        assert!(rto.is_some_and(|a| !mentions(a, "Recovery time is long")));
        let db = ASPECTS.iter().find(|a| a.words.contains(&"database"));
        assert!(db.is_some_and(|a| mentions(a, "Use point-in-time recovery")));
        assert!(db.is_some_and(|a| !mentions(a, "Restart the pods")));
        assert!(names_a_region("## Lose eu-west-1"));
        let region = ASPECTS.iter().find(|a| a.words.contains(&"region"));
        assert!(region.is_some_and(|a| !mentions(a, "Loss of the region: not covered yet")));
        assert!(names_a_region("fail over to europe-west4."));
        assert!(!names_a_region("a us-east outage, version 1-2-3"));
    }
}
