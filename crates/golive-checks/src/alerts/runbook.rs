use super::rules;
use golive_core::parse::yaml::Node;
use golive_core::workspace::{FileKind, SourceFile, Workspace};
use golive_core::{Context, Evidence, Finding, Outcome, declare_check};
use regex::Regex;
use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

declare_check! {
    /// ## What it checks
    /// Every alerting rule has a `runbook_url` (or `runbook`) annotation that resolves:
    ///
    /// - an absolute `http://` or `https://` URL is accepted (golive does not fetch it);
    /// - a templated URL (`https://runbooks.example.com/{{ $labels.alertname }}`) is accepted
    ///   when the part before the first `{{` is an absolute URL with its host;
    /// - anything else is a path that must be a file in the repository, looked up relative to
    ///   the rule file's directory, then to the repository root (`/runbooks/x.md` is from the
    ///   root). A `#anchor` on a markdown file must match one of its headings (GitHub-style
    ///   anchors: lower case, punctuation dropped, spaces as `-`, `-1`, `-2` for repeats) or an
    ///   explicit `<a name>`/`id` anchor; anchors on other files are not checked.
    ///
    /// A missing annotation is a finding at the `- alert:` line; a link that does not resolve is
    /// a finding at the annotation's value, saying where golive looked.
    ///
    /// ## Why it matters
    /// The engineer woken at 3 AM by the alert needs to know what to do next. The monitoring
    /// article (002) lists a "Runbook link" as the context every good alert carries, and the
    /// checklists ask for operational runbooks kept with the code (004, Documentation:
    /// "Operational Runbooks are included"; 003, Support documents: "common issues and
    /// resolutions"). A runbook link that points at a renamed file or a heading that no longer
    /// exists fails exactly when it is needed.
    ///
    /// ## How to fix
    /// ```yaml
    /// - alert: HighErrorRate
    ///   annotations:
    ///     summary: High error rate on {{ $labels.job }}
    ///     runbook_url: https://github.com/acme/checkout/blob/main/docs/runbooks.md#high-error-rate
    /// ```
    /// or a path in the repository, relative to the rule file: `runbook_url: ../docs/runbooks.md#high-error-rate`.
    pub struct Runbook {
        id: "alerts/runbook",
        title: "Alerts link a runbook that resolves",
        category: Alerting,
        level: Gold,
        severity: Warning,
        facets: [PrometheusRules],
        seeds: [
            "002: Monitoring & Alerting: add context to alerts (dashboard link, runbook link)",
            "004: Production Ready Checklist, Documentation: operational runbooks are included",
            "003: Go-live checklist, Support documents: common issues and resolutions",
        ],
        fix: "add a `runbook_url` annotation: an https URL, or the path of a runbook file in the repository",
    }
}

/// How a runbook link resolved.
enum Resolved<'a> {
    Url,
    TemplatedUrl,
    File(&'a SourceFile),
}

impl golive_core::Check for Runbook {
    fn meta(&self) -> &'static golive_core::CheckMeta {
        &Self::META
    }

    fn run(&self, cx: &Context<'_>) -> Outcome {
        let rules = rules::discover(cx.ws);
        if rules.alert_count() == 0 {
            return Outcome::not_applicable(rules.no_alerts_reason());
        }
        let mut findings = Vec::new();
        let mut anchors = AnchorCache::default();
        let (mut urls, mut templated) = (0, 0);
        let mut files: BTreeMap<&str, usize> = BTreeMap::new();
        for alert in rules.alerts() {
            let what = alert.describe();
            if let Some((_, annotations)) = alert.field("annotations")
                && !annotations.is_map()
                && !annotations.is_null()
            {
                findings.push(Finding::at(
                    annotations.location(&alert.file.path),
                    format!("{what}: `annotations` is not a mapping"),
                ));
                continue;
            }
            let Some((key, value)) = alert
                .annotation("runbook_url")
                .or_else(|| alert.annotation("runbook"))
            else {
                findings.push(Finding::at(
                    alert.location(),
                    format!("{what} has no `runbook_url` annotation"),
                ));
                continue;
            };
            let name = key.as_str().unwrap_or("runbook_url");
            if value.is_null() || value.as_str().is_some_and(|t| t.trim().is_empty()) {
                findings.push(Finding::at(
                    key.location(&alert.file.path),
                    format!("{what} has an empty `{name}` annotation"),
                ));
                continue;
            }
            match resolve(cx.ws, alert.file, value, &mut anchors) {
                Ok(Resolved::Url) => urls += 1,
                Ok(Resolved::TemplatedUrl) => templated += 1,
                Ok(Resolved::File(f)) => *files.entry(f.path.as_str()).or_default() += 1,
                Err(problem) => {
                    findings.push(Finding::at(
                        value.location(&alert.file.path),
                        format!("{what}: {name} `{}` {problem}", shown(value)),
                    ));
                }
            }
        }
        let in_repo: usize = files.values().sum();
        let mut evidence = vec![Evidence::note(format!(
            "{} alerting rule(s) link a runbook that resolves: {} absolute URL(s){}, {in_repo} file(s) in the repository",
            urls + templated + in_repo,
            urls + templated,
            if templated > 0 {
                format!(" ({templated} templated)")
            } else {
                String::new()
            },
        ))];
        for (path, n) in &files {
            evidence.push(Evidence::file(*path, format!("runbook of {n} alert(s)")));
        }
        evidence.extend(rules.unread.notes());
        Outcome::from_findings(findings, evidence)
    }
}

/// The annotation's value as shown in messages.
fn shown(value: Node<'_>) -> String {
    match value.as_text() {
        Some(t) if value.is_scalar() => t.trim().to_string(),
        _ if value.is_map() => "{...}".to_string(),
        _ if value.is_seq() => "[...]".to_string(),
        _ => String::new(),
    }
}

/// Resolves a runbook annotation's value, or says what is wrong with it.
fn resolve<'a>(
    ws: &'a Workspace,
    rule_file: &SourceFile,
    value: Node<'_>,
    anchors: &mut AnchorCache,
) -> Result<Resolved<'a>, String> {
    if !value.is_scalar() {
        return Err("is not a string".into());
    }
    let text = value.as_text().unwrap_or("").trim();
    if text.is_empty() {
        return Err("is empty".into());
    }
    if let Some(at) = text.find("{{") {
        let prefix = &text[..at];
        return if url_host(prefix).is_some_and(|(_, complete)| complete) {
            Ok(Resolved::TemplatedUrl)
        } else {
            Err("is templated and does not start with an absolute URL (`https://host/...`), so golive cannot tell where it leads".into())
        };
    }
    if let Some(scheme) = scheme(text) {
        if !matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https") {
            return Err("is neither an http(s) URL nor a file in the repository".into());
        }
        return match url_host(text) {
            Some((host, _)) if !host.is_empty() && !text.contains(char::is_whitespace) => {
                Ok(Resolved::Url)
            }
            _ => Err("is not a valid URL".into()),
        };
    }
    if text.starts_with("//") {
        return Err(format!(
            "has no scheme: write the absolute URL (`https:{text}`)"
        ));
    }
    let (path, anchor) = match text.split_once('#') {
        Some((p, a)) => (p, Some(a)),
        None => (text, None),
    };
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let path = percent_decode(path);
    if path.is_empty() {
        return Err("names no file".into());
    }
    let mut candidates = Vec::new();
    if let Some(from_root) = path.strip_prefix('/') {
        candidates.extend(normalise(from_root));
    } else {
        if !rule_file.dir().is_empty() {
            candidates.extend(normalise(&format!("{}/{path}", rule_file.dir())));
        }
        candidates.extend(normalise(&path));
    }
    candidates.dedup();
    if candidates.is_empty() {
        return Err("points outside the repository".into());
    }
    let Some(file) = candidates.iter().find_map(|c| ws.file(c)) else {
        let looked: Vec<String> = candidates.iter().map(|c| format!("`{c}`")).collect();
        if let Some(dir) = candidates.iter().find(|c| is_directory(ws, c)) {
            return Err(format!(
                "is the directory `{dir}`, not a file: link the runbook page itself"
            ));
        }
        return Err(format!(
            "is not a file in the repository (looked for {})",
            looked.join(" and ")
        ));
    };
    if let Some(anchor) = anchor.filter(|a| !a.is_empty())
        && file.kind == FileKind::Markdown
    {
        let wanted = percent_decode(anchor).to_lowercase();
        let known = anchors.of(file);
        if !known.contains(&wanted) {
            return Err(format!(
                "names the anchor `#{wanted}`, but no heading of `{}` has it",
                file.path
            ));
        }
    }
    Ok(Resolved::File(file))
}

/// A URL scheme (`https` of `https://...`), when the text starts with one.
fn scheme(text: &str) -> Option<&str> {
    let (scheme, _) = text.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        // A Windows drive letter (`C:\`) is not a scheme.
        && scheme.len() > 1)
        .then_some(scheme)
}

/// For an `http(s)://` URL: its host, and whether the host is complete (followed by `/`, `?`
/// or `#`, so that text appended to it cannot change where it leads).
fn url_host(text: &str) -> Option<(&str, bool)> {
    let lower = text.get(..8).unwrap_or(text).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &text[8..]
    } else if lower.starts_with("http://") {
        &text[7..]
    } else {
        return None;
    };
    match rest.find(['/', '?', '#']) {
        Some(end) => Some((&rest[..end], end > 0)),
        None => Some((rest, false)),
    }
}

/// Resolves `.` and `..` in a relative path; None when it climbs above the root.
fn normalise(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

fn is_directory(ws: &Workspace, path: &str) -> bool {
    let prefix = format!("{path}/");
    ws.files().iter().any(|f| f.path.starts_with(&prefix))
}

/// Decodes `%XX` escapes (invalid ones are kept as written).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = text.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Heading anchors per markdown file, computed once per run of the check.
#[derive(Default)]
struct AnchorCache {
    by_path: HashMap<String, Vec<String>>,
}

impl AnchorCache {
    fn of(&mut self, file: &SourceFile) -> &[String] {
        self.by_path
            .entry(file.path.clone())
            .or_insert_with(|| markdown_anchors(file))
    }
}

/// The anchors a markdown file has on GitHub: its headings' anchors (core's markdown outline),
/// plus explicit `<a name="...">`/`id="..."` anchors written as HTML.
fn markdown_anchors(file: &SourceFile) -> Vec<String> {
    static EXPLICIT: LazyLock<Option<Regex>> =
        LazyLock::new(|| Regex::new(r#"<[a-zA-Z][^>]*\s(?:name|id)\s*=\s*["']([^"']+)["']"#).ok());
    let mut out: Vec<String> = file
        .markdown()
        .map(|md| {
            md.headings
                .iter()
                .map(|h| h.anchor.to_lowercase())
                .collect()
        })
        .unwrap_or_default();
    if let Some(re) = EXPLICIT.as_ref() {
        out.extend(re.captures_iter(&file.text).map(|c| c[1].to_lowercase()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_headings_and_explicit_html_anchors() {
        let ws = Workspace::from_files(vec![(
            "docs/runbooks.md".into(),
            "# Runbooks\n\n## Disk full ##\n\n```\n# not a heading\n```\n\n## Disk full\n\n<a name=\"Legacy-Anchor\"></a>\n".into(),
        )]);
        assert_eq!(
            markdown_anchors(&ws.files()[0]),
            vec!["runbooks", "disk-full", "disk-full-1", "legacy-anchor"]
        );
    }

    #[test]
    fn urls_and_paths() {
        assert_eq!(
            url_host("https://runbooks.example.com/x"),
            Some(("runbooks.example.com", true))
        );
        assert_eq!(url_host("https://"), Some(("", false)));
        assert_eq!(
            url_host("https://{{ $labels.host }}"),
            Some(("{{ $labels.host }}", false))
        );
        assert_eq!(scheme("mailto:oncall@example.com"), Some("mailto"));
        assert_eq!(scheme("docs/x.md"), None);
        assert_eq!(
            normalise("rules/../docs/./x.md").as_deref(),
            Some("docs/x.md")
        );
        assert_eq!(normalise("../../x.md"), None);
        assert_eq!(percent_decode("my%20runbook.md"), "my runbook.md");
        assert_eq!(percent_decode("100%"), "100%");
    }
}
