use golive_core::engine::{self, RunOptions};
use golive_core::workspace::{ScanOptions, Workspace};
use golive_core::{Config, Date};

#[test]
fn probe() {
    for name in ["microservices-demo", "kube-prometheus"] {
        let root = std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/corpora"
        ))
        .join(name);
        let ws = Workspace::scan(&root, &ScanOptions::default()).unwrap();
        let opts = RunOptions {
            target: name.into(),
            today: Date {
                year: 2026,
                month: 11,
                day: 22,
            },
            golive_version: "t".into(),
        };
        let report = engine::run(&ws, &Config::default(), &golive_checks::catalogue(), &opts);
        for c in &report.checks {
            if !c.id.starts_with("delivery/") || c.id == "delivery/immutable-tags" {
                continue;
            }
            println!("== {name} {} {:?} {:?}", c.id, c.status, c.reason);
            for f in &c.findings {
                println!(
                    "  F {:?} {}",
                    f.location
                        .as_ref()
                        .map(|l| format!("{}:{}", l.path, l.line)),
                    f.message
                );
            }
            for e in &c.evidence {
                println!("  E {:?}:{:?} {}", e.path, e.line, e.message);
            }
        }
    }
}
