//! Package manifests as far as the ci checks need them: package.json (dependencies, workspaces,
//! package manager, scripts) read through the YAML span tree (JSON is YAML), Cargo.toml and
//! pyproject.toml by their table headers, go.mod by its directives, Gemfile by `gemspec`.
//! package.json comes from core's cached JSON span tree; TOML files are read by their headers.

use golive_core::SourceFile;

/// What golive needs from a package.json.
#[derive(Debug, Default)]
pub(crate) struct PackageJson {
    /// Non-empty `dependencies`, `devDependencies` or `optionalDependencies`.
    pub has_dependencies: bool,
    /// Non-empty `dependencies` or `optionalDependencies` (what the package ships with, as
    /// opposed to development tooling).
    pub has_runtime_dependencies: bool,
    /// Declares `workspaces` (npm, yarn, bun): a lockfile next to it covers the members.
    pub workspaces: bool,
    /// `packageManager`, e.g. `pnpm@9.1.0`.
    pub package_manager: Option<String>,
    /// `scripts`, name and command.
    pub scripts: Vec<(String, String)>,
}

/// Reads a package.json; None when it is not a JSON object golive can read.
pub(crate) fn package_json(file: &SourceFile) -> Option<PackageJson> {
    let root = file.json().first()?.root()?;
    if !root.is_map() {
        return None;
    }
    let has_dependencies = ["dependencies", "devDependencies", "optionalDependencies"]
        .iter()
        .any(|k| root.get(k).is_some_and(|d| d.is_map() && !d.is_empty()));
    let has_runtime_dependencies = ["dependencies", "optionalDependencies"]
        .iter()
        .any(|k| root.get(k).is_some_and(|d| d.is_map() && !d.is_empty()));
    let workspaces = root
        .get("workspaces")
        .is_some_and(|w| !w.is_null() && (w.is_map() || !w.is_empty()));
    let scripts = root
        .get("scripts")
        .map(|s| {
            s.entries()
                .filter_map(|(k, v)| Some((k.as_text()?.to_string(), v.as_text()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    Some(PackageJson {
        has_dependencies,
        has_runtime_dependencies,
        workspaces,
        package_manager: root.get_str("packageManager").map(str::to_string),
        scripts,
    })
}

/// The table headers of a TOML file, each with its 1-based line, as written between the
/// brackets (`package`, `tool.poetry`, `[bin]` for an array of tables `[[bin]]`). Lines inside
/// multi-line strings are not headers.
pub(crate) fn toml_tables(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut in_string: Option<&str> = None;
    for (i, line) in text.lines().enumerate() {
        let trimmed = line.trim();
        if let Some(delim) = in_string {
            if trimmed.matches(delim).count() % 2 == 1 {
                in_string = None;
            }
            continue;
        }
        for delim in ["\"\"\"", "'''"] {
            if trimmed.matches(delim).count() % 2 == 1 {
                in_string = Some(delim);
            }
        }
        if in_string.is_some() || !trimmed.starts_with('[') {
            continue;
        }
        let without_comment = trimmed.split('#').next().unwrap_or("").trim();
        let header = if let Some(inner) = without_comment
            .strip_prefix("[[")
            .and_then(|s| s.strip_suffix("]]"))
        {
            format!("[{}]", normalise_key(inner))
        } else if let Some(inner) = without_comment
            .strip_prefix('[')
            .and_then(|s| s.strip_suffix(']'))
        {
            normalise_key(inner)
        } else {
            continue;
        };
        out.push((i as u32 + 1, header));
    }
    out
}

/// `tool . "poetry"` → `tool.poetry`.
fn normalise_key(key: &str) -> String {
    key.split('.')
        .map(|p| p.trim().trim_matches('"').trim_matches('\''))
        .collect::<Vec<_>>()
        .join(".")
}

/// Whether a TOML file has the table `name` or a sub-table of it.
pub(crate) fn toml_has_table(text: &str, name: &str) -> bool {
    toml_tables(text).iter().any(|(_, h)| {
        h == name
            || h.strip_prefix(name)
                .is_some_and(|rest| rest.starts_with('.'))
    })
}

/// Whether a go.mod requires any module.
pub(crate) fn go_mod_requires(text: &str) -> bool {
    let mut in_block = false;
    for line in text.lines() {
        let line = line.split("//").next().unwrap_or("").trim();
        if in_block {
            if line.starts_with(')') {
                in_block = false;
            } else if !line.is_empty() {
                return true;
            }
            continue;
        }
        if let Some(rest) = line.strip_prefix("require") {
            let rest = rest.trim();
            if rest.starts_with('(') {
                let inside = rest.trim_start_matches('(').trim();
                if inside.starts_with(')') {
                    continue;
                }
                if !inside.is_empty() {
                    return true;
                }
                in_block = true;
            } else if !rest.is_empty() {
                return true;
            }
        }
    }
    false
}

/// Whether a Gemfile takes its dependencies from a gemspec (the repository is a gem, a library).
pub(crate) fn gemfile_uses_gemspec(text: &str) -> bool {
    text.lines().any(|l| {
        let l = l.trim();
        l == "gemspec" || l.starts_with("gemspec ") || l.starts_with("gemspec(")
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use golive_core::FileKind;

    fn package_json(text: &str) -> Option<PackageJson> {
        super::package_json(&SourceFile::new(
            "package.json",
            FileKind::Json,
            text.to_string(),
        ))
    }

    #[test]
    fn reads_package_json() {
        let p = package_json(
            "{\n\t\"name\": \"web\",\n\t\"packageManager\": \"pnpm@9.1.0\",\n\t\"scripts\": {\"test\": \"vitest run\"},\n\t\"dependencies\": {\"react\": \"^18\"}\n}\n",
        )
        .unwrap();
        assert!(p.has_dependencies);
        assert!(!p.workspaces);
        assert_eq!(p.package_manager.as_deref(), Some("pnpm@9.1.0"));
        assert_eq!(p.scripts, vec![("test".into(), "vitest run".into())]);
        let empty = package_json("{\"name\": \"x\", \"dependencies\": {}}").unwrap();
        assert!(!empty.has_dependencies);
        let ws = package_json("{\"workspaces\": {\"packages\": [\"a/*\"]}}").unwrap();
        assert!(ws.workspaces);
        assert!(package_json("not json: [").is_none());
    }

    #[test]
    fn reads_toml_headers_outside_strings() {
        let text = "[package]\nname = \"x\"\ndescription = \"\"\"\n[not-a-table]\n\"\"\"\n[[bin]] # the cli\nname = \"x\"\n[tool . \"poetry\".dependencies]\n";
        let tables = toml_tables(text);
        assert_eq!(
            tables,
            vec![
                (1, "package".to_string()),
                (6, "[bin]".to_string()),
                (8, "tool.poetry.dependencies".to_string())
            ]
        );
        assert!(toml_has_table(text, "tool.poetry"));
        assert!(!toml_has_table(text, "tool.po"));
        assert!(toml_has_table(text, "[bin]"));
    }

    #[test]
    fn go_mod_requires_only_when_it_lists_modules() {
        assert!(!go_mod_requires("module x\n\ngo 1.22\n"));
        assert!(!go_mod_requires("module x\nrequire ()\n"));
        assert!(!go_mod_requires("module x\nrequire (\n\t// none yet\n)\n"));
        assert!(go_mod_requires("module x\nrequire github.com/a/b v1.0.0\n"));
        assert!(go_mod_requires(
            "module x\nrequire (\n\tgithub.com/a/b v1.0.0\n)\n"
        ));
    }
}
