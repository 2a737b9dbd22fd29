//! `golive init`: detect the stack, ask for the service name and tier, and write golive.toml and
//! READINESS.md (the automated block filled exactly as `golive checklist --write` would).

use crate::checklist_cmd::{self, READINESS_FILE, display, level_for_tier, readiness_path};
use crate::cli::InitArgs;
use crate::{EXIT_READY, EXIT_USAGE};
use anyhow::Result;
use golive_core::config::CONFIG_FILE;
use golive_core::workspace::{ScanOptions, Workspace};
use golive_core::{Config, Facet, Level, Status};
use golive_report::readiness_md::{self, new_readiness};
use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;

/// The tier when none is given: a production service that users notice.
const DEFAULT_TIER: u8 = 2;

/// One line per tier, shown when asking.
const TIERS: [(u8, &str); 3] = [
    (
        1,
        "business-critical: an outage stops revenue or many users at once (target level gold)",
    ),
    (
        2,
        "important: users notice an outage, but there are workarounds (target level silver)",
    ),
    (
        3,
        "internal or low impact: an outage can wait for working hours (target level bronze)",
    ),
];

pub fn run(args: InitArgs) -> Result<u8> {
    match init(&args) {
        Ok(code) => Ok(code),
        Err(message) => {
            anstream::eprintln!("golive: error: {message}");
            Ok(EXIT_USAGE)
        }
    }
}

fn init(args: &InitArgs) -> std::result::Result<u8, String> {
    let root = &args.path;
    if !root.is_dir() {
        return Err(format!("{}: not a folder", root.display()));
    }
    let toml_path = root.join(CONFIG_FILE);
    let md_path = readiness_path(root);
    let write_toml = args.force || !toml_path.exists();
    let write_md = args.force || !md_path.exists();
    if !write_toml && !write_md {
        return Err(format!(
            "{} and {} exist already; nothing written (--force overwrites them)",
            display(&toml_path),
            display(&md_path)
        ));
    }
    let interactive = !args.yes;
    if interactive && !std::io::stdin().is_terminal() {
        return Err(
            "golive init asks for the service name and tier, and standard input is not a terminal: \
             pass --yes to take the defaults (and --tier 1|2|3, --service NAME)"
                .into(),
        );
    }
    let ids = crate::probe_cmd::all_ids();
    let existing = if write_toml {
        None
    } else {
        Some(Config::load(&toml_path, &ids).map_err(|e| e.to_string())?)
    };

    let ws = Workspace::scan(
        root,
        &ScanOptions {
            exclude: existing.as_ref().and_then(Config::exclude_set),
            ..ScanOptions::default()
        },
    )
    .map_err(|e| e.to_string())?;
    println!("{}", detected(root, ws.facets()));

    let mut service = args
        .service
        .clone()
        .or_else(|| existing.as_ref().and_then(|c| c.service.clone()))
        .unwrap_or_else(|| detect_service(root));
    let mut tier = args
        .tier
        .or(existing.as_ref().and_then(|c| c.tier))
        .unwrap_or(DEFAULT_TIER);
    if interactive {
        (service, tier) = ask(&service, tier, args.service.is_some(), args.tier.is_some())?;
    }
    let service = one_line(&service);
    if service.is_empty() {
        return Err("the service name is empty: pass --service NAME".into());
    }

    let mut written = Vec::new();
    if write_toml {
        checklist_cmd::write_file(&toml_path, &golive_toml(&service, tier))
            .map_err(|e| format!("{e:#}"))?;
        written.push(format!(
            "wrote {CONFIG_FILE}: service \"{service}\", tier {tier}, target level {}",
            level_for_tier(tier)
        ));
    } else {
        written.push(format!(
            "kept {CONFIG_FILE}: it exists (--force overwrites it)"
        ));
    }
    if write_md {
        let level = match &existing {
            Some(config) => config.target_level.unwrap_or(level_for_tier(tier)),
            None => level_for_tier(tier),
        };
        // The skeleton first, so that the scan sees the repository as `golive checklist` will.
        let manual = golive_checks::manual::items();
        let skeleton = new_readiness(&service, Some(tier), level, &[], &manual);
        checklist_cmd::write_file(&md_path, &skeleton).map_err(|e| format!("{e:#}"))?;
        let items = checklist_cmd::scan_items(root, None)?;
        let text = readiness_md::rewrite(&skeleton, &items)
            .map_err(|e| format!("{}:{}: {}", display(&md_path), e.line, e.message))?
            .text;
        checklist_cmd::write_file(&md_path, &text).map_err(|e| format!("{e:#}"))?;
        let count = |pred: fn(Status) -> bool| items.iter().filter(|i| pred(i.status)).count();
        written.push(format!(
            "wrote {READINESS_FILE}: {} manual items to attest; {} automated items: {} pass, {} to fix, {} not applicable",
            readiness_md::manual_items_for(&manual, level).count(),
            items.len(),
            count(Status::is_ok),
            count(|s| matches!(s, Status::Fail | Status::Error)),
            count(|s| s == Status::NotApplicable),
        ));
    } else {
        written.push(format!(
            "kept {READINESS_FILE}: it exists (--force overwrites it; `golive checklist --write` updates its automated items)"
        ));
    }
    for line in &written {
        println!("{line}");
    }
    println!(
        "\nNext steps:\n\
         1. Attest the manual items in {READINESS_FILE}: tick each one and write the evidence, your\n   \
         handle and the date after it (`— @alice 2026-10-01`).\n\
         2. Run `golive check` and fix what it finds (`golive explain CHECK` says how).\n\
         3. Run golive in CI with the GitHub Action in golive's action.yml (see the README's \"In CI\n   \
         and before each commit\"), and add `golive checklist` to keep {READINESS_FILE} current: it\n   \
         exits 1 when the file is out of date."
    );
    Ok(EXIT_READY)
}

/// What was found, in groups a person reads at a glance.
fn detected(root: &Path, facets: &std::collections::BTreeSet<Facet>) -> String {
    let group = |pred: &dyn Fn(Facet) -> bool| -> Vec<&str> {
        facets
            .iter()
            .filter(|f| pred(**f))
            .map(|f| f.title())
            .collect()
    };
    let groups: [(&str, Vec<&str>); 5] = [
        ("languages", group(&|f| f.is_ecosystem())),
        (
            "deployment",
            group(&|f| {
                matches!(
                    f,
                    Facet::Kubernetes
                        | Facet::Helm
                        | Facet::Kustomize
                        | Facet::Terraform
                        | Facet::Docker
                )
            }),
        ),
        (
            "CI",
            group(&|f| matches!(f, Facet::GithubActions | Facet::GitlabCi)),
        ),
        (
            "monitoring",
            group(&|f| matches!(f, Facet::PrometheusRules | Facet::Alertmanager)),
        ),
        ("APIs", group(&|f| f == Facet::Openapi)),
    ];
    let mut out = format!("Detected in {}:", root.display());
    for (name, found) in groups {
        let found = if found.is_empty() {
            "none found".to_string()
        } else {
            found.join(", ")
        };
        out.push_str(&format!("\n  {name:<11} {found}"));
    }
    out
}

/// Asks on the terminal for the service name and the tier, unless given as flags.
fn ask(
    service: &str,
    tier: u8,
    service_given: bool,
    tier_given: bool,
) -> std::result::Result<(String, u8), String> {
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    let mut prompt = |question: &str| -> std::result::Result<String, String> {
        print!("{question}");
        let _ = std::io::stdout().flush();
        match lines.next() {
            Some(Ok(line)) => Ok(line.trim().to_string()),
            Some(Err(e)) => Err(format!("cannot read the answer: {e}")),
            None => Err("no answer (end of input): pass --yes to take the defaults".into()),
        }
    };
    let answer = if service_given {
        String::new()
    } else {
        prompt(&format!("\nService name [{service}]: "))?
    };
    let service = if answer.is_empty() {
        service.to_string()
    } else {
        answer
    };
    if tier_given {
        return Ok((service, tier));
    }
    println!("\nTiers:");
    for (t, what) in TIERS {
        println!("  {t}  {what}");
    }
    loop {
        let answer = prompt(&format!("Tier [{tier}]: "))?;
        if answer.is_empty() {
            return Ok((service, tier));
        }
        match answer.parse::<u8>() {
            Ok(t @ 1..=3) => return Ok((service, t)),
            _ => println!("The tier is 1, 2 or 3."),
        }
    }
}

/// The service's name: from the root's package.json, Cargo.toml, go.mod, pyproject.toml or
/// Chart.yaml, else the folder's name.
pub(crate) fn detect_service(root: &Path) -> String {
    let read = |name: &str| std::fs::read_to_string(root.join(name)).ok();
    let toml_name = |text: &str, tables: &[&[&str]]| -> Option<String> {
        let value: toml::Table = text.parse().ok()?;
        tables.iter().find_map(|path| {
            let mut v = value.get(*path.first()?)?;
            for key in path.get(1..)? {
                v = v.get(*key)?;
            }
            v.as_str().map(str::to_string)
        })
    };
    let from_files = [
        read("package.json").and_then(|t| {
            let v: serde_json::Value = serde_json::from_str(&t).ok()?;
            let name = v.get("name")?.as_str()?;
            // `@scope/name` -> `name`
            Some(name.rsplit('/').next().unwrap_or(name).to_string())
        }),
        read("Cargo.toml").and_then(|t| toml_name(&t, &[&["package", "name"]])),
        read("go.mod").and_then(|t| {
            let module = t
                .lines()
                .find_map(|l| l.trim().strip_prefix("module "))?
                .trim()
                .trim_matches('"');
            let mut parts = module.rsplit('/');
            let last = parts.next()?;
            // `example.com/checkout/v2` -> `checkout`
            let major = last
                .strip_prefix('v')
                .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()));
            Some(if major { parts.next()? } else { last }.to_string())
        }),
        read("pyproject.toml")
            .and_then(|t| toml_name(&t, &[&["project", "name"], &["tool", "poetry", "name"]])),
        read("Chart.yaml").and_then(|t| {
            t.lines().find_map(|l| {
                let v = l.strip_prefix("name:")?.trim();
                Some(v.trim_matches(|c| c == '"' || c == '\'').to_string())
            })
        }),
    ];
    from_files
        .into_iter()
        .flatten()
        .map(|n| one_line(&n))
        .find(|n| !n.is_empty())
        .or_else(|| {
            let dir = root.canonicalize().ok()?;
            Some(one_line(&dir.file_name()?.to_string_lossy()))
        })
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "service".into())
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A TOML basic string.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// golive.toml for a service and tier, with commented examples of the other keys.
pub(crate) fn golive_toml(service: &str, tier: u8) -> String {
    let level: Level = level_for_tier(tier);
    format!(
        r#"# golive's configuration: `golive check` and `golive checklist` read it from this folder.

# The service these checks are about.
service = {service}
# How critical it is: 1 business-critical, 2 important, 3 internal or low impact.
tier = {tier}
# The level the gate requires (tier 1: gold, tier 2: silver, tier 3: bronze).
target_level = "{level}"
# Which findings fail the gate by severity: "error", "warning", or "never" (only the level counts).
fail_on = "error"

# Run only some checks or categories, or skip some (`golive checks` lists them):
# select = ["k8s", "docker", "ci"]
# ignore = ["docs/changelog"]

# Paths not to scan:
# exclude = ["vendor/**", "testdata/**"]

# A check's findings as warnings (or errors):
# [severity]
# "k8s/pod-disruption-budget" = "warning"

# Accept a known gap for a while, with a reason, an owner and an expiry date:
# [[waiver]]
# check = "terraform/state-locking"
# path = "infra/legacy/**"
# reason = "The legacy stack moves to the locked backend with PLAT-123."
# owner = "@platform-team"
# expires = 2027-06-30
"#,
        service = toml_string(service),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn golive_toml_loads_as_written_and_with_every_example_uncommented() {
        let ids = crate::probe_cmd::all_ids();
        for tier in 1..=3u8 {
            let text = golive_toml("check\"out\\", tier);
            let config = Config::parse(&text, "golive.toml", &ids).expect("valid");
            assert_eq!(config.service.as_deref(), Some("check\"out\\"));
            assert_eq!(config.tier, Some(tier));
            assert_eq!(config.target_level, Some(level_for_tier(tier)));
            let uncommented: String = text
                .lines()
                .map(|l| match l.strip_prefix("# ") {
                    Some(rest) if rest.contains(" = ") || rest.starts_with('[') => rest,
                    _ => l,
                })
                .map(|l| format!("{l}\n"))
                .collect();
            let config = Config::parse(&uncommented, "golive.toml", &ids)
                .unwrap_or_else(|e| panic!("{e}\n{uncommented}"));
            assert_eq!(config.waivers.len(), 1);
            assert_eq!(config.severity.len(), 1);
            assert_eq!(config.select.len(), 3);
            assert_eq!(config.ignore.len(), 1);
            assert_eq!(config.exclude.len(), 2);
        }
    }

    #[test]
    fn the_service_name_comes_from_the_manifest_else_the_folder() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().join("shop-api");
        std::fs::create_dir(&root).expect("mkdir");
        assert_eq!(detect_service(&root), "shop-api");
        std::fs::write(root.join("Chart.yaml"), "apiVersion: v2\nname: 'shop'\n").expect("w");
        assert_eq!(detect_service(&root), "shop");
        std::fs::write(
            root.join("pyproject.toml"),
            "[tool.poetry]\nname = \"shop-py\"\n",
        )
        .expect("w");
        assert_eq!(detect_service(&root), "shop-py");
        std::fs::write(
            root.join("go.mod"),
            "module github.com/acme/checkout/v2\n\ngo 1.22\n",
        )
        .expect("w");
        assert_eq!(detect_service(&root), "checkout");
        std::fs::write(root.join("Cargo.toml"), "[workspace]\nmembers = []\n").expect("w");
        assert_eq!(detect_service(&root), "checkout");
        std::fs::write(root.join("package.json"), "{\"name\": \"@acme/web\"}").expect("w");
        assert_eq!(detect_service(&root), "web");
    }
}
