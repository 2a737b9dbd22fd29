//! Container image references (`[registry[:port]/]path[:tag][@digest]`) and how pinned their tags are.
//!
//! References are read as Docker reads them: the first path component is a registry when it
//! contains a `.` or a `:`, is `localhost`, or has an uppercase letter; otherwise the image is on
//! Docker Hub. Nothing is normalized (`nginx` stays `nginx`, not `docker.io/library/nginx`).

use std::fmt;

/// A parsed image reference.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ImageRef {
    /// Registry host, with its port if any (`ghcr.io`, `localhost:5000`); `None` for Docker Hub.
    pub registry: Option<String>,
    /// The path, e.g. `library/nginx`, `acme/api`, `nginx`.
    pub repository: String,
    pub tag: Option<String>,
    /// `algorithm:hex`, e.g. `sha256:…`.
    pub digest: Option<String>,
}

/// How a reference pins the image it names, from most to least reproducible.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TagKind {
    /// Pinned by digest (whatever the tag says).
    Digest,
    /// A version: `v1.2.3`, `1.2`, `1.2.3-alpine`, `1.25.3-bookworm`, `20-slim`, `3`.
    Semver,
    /// A commit id: 7–40 hex characters, alone or after a prefix (`sha-abc1234`, `main-3f2a1bc`).
    CommitSha,
    /// A date: `2024-01-02`, `20240102`, `20240102T1200`, `jammy-20240111`, `nightly-2024-01-02`.
    Date,
    /// A moving tag: no tag at all (implicitly `latest`), or `latest`, `main`, `stable`, `edge`,
    /// `nightly`, `lts`, `alpine`, `slim`, `nonroot`… and combinations of them without digits
    /// (`lts-alpine`, `stable-slim`, `debug-nonroot`).
    Mutable,
    /// Anything else (`bookworm`, `alpine3.19`, `jdk`).
    Other,
}

/// Words that name a moving target when used as a tag (or as the first part of one).
const MUTABLE: &[&str] = &[
    "latest",
    "main",
    "master",
    "trunk",
    "head",
    "stable",
    "unstable",
    "current",
    "lts",
    "dev",
    "devel",
    "develop",
    "development",
    "edge",
    "nightly",
    "next",
    "beta",
    "alpha",
    "rc",
    "canary",
    "preview",
    "experimental",
    "insiders",
    "snapshot",
    "rolling",
    "mainline",
    "release",
    "test",
    "testing",
    "qa",
    "uat",
    "staging",
    "stage",
    "preprod",
    "prod",
    "production",
    "live",
    "alpine",
    "slim",
    "debug",
    "nonroot",
];

/// Docker Hub's registry names.
const DOCKER_HUB: &[&str] = &[
    "docker.io",
    "index.docker.io",
    "registry-1.docker.io",
    "registry.hub.docker.com",
];

/// Whether a string holds an unexpanded variable or template: `$VAR`, `${VAR}`, `$(VAR)` or
/// `{{ … }}`.
pub fn has_variables(s: &str) -> bool {
    if s.contains("{{") {
        return true;
    }
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$'
            && chars
                .peek()
                .is_some_and(|n| matches!(n, '{' | '(' | '_') || n.is_ascii_alphabetic())
        {
            return true;
        }
    }
    false
}

/// Parses an image reference; `None` for an empty or invalid one, or one with variables
/// (see [`has_variables`]). Surrounding whitespace is ignored.
pub fn parse(s: &str) -> Option<ImageRef> {
    let s = s.trim();
    if s.is_empty() || has_variables(s) || s.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return None;
    }
    let (name, digest) = match s.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (s, None),
    };
    if digest.is_some_and(|d| !is_valid_digest(d)) {
        return None;
    }
    let (registry, rest) = match name.split_once('/') {
        Some((first, rest)) if is_registry_component(first) => (Some(first), rest),
        _ => (None, name),
    };
    if registry.is_some_and(|r| !is_valid_registry(r)) {
        return None;
    }
    let (repository, tag) = match rest.rsplit_once(':') {
        Some((repository, tag)) if !tag.contains('/') => (repository, Some(tag)),
        _ => (rest, None),
    };
    if !is_valid_repository(repository) || tag.is_some_and(|t| !is_valid_tag(t)) {
        return None;
    }
    Some(ImageRef {
        registry: registry.map(str::to_string),
        repository: repository.to_string(),
        tag: tag.map(str::to_string),
        digest: digest.map(str::to_string),
    })
}

impl ImageRef {
    /// `scratch`: Docker's empty base, which is no image to pull (and so has nothing to pin).
    pub fn is_scratch(&self) -> bool {
        self.registry.is_none()
            && self.repository == "scratch"
            && self.tag.is_none()
            && self.digest.is_none()
    }

    pub fn has_digest(&self) -> bool {
        self.digest.is_some()
    }

    /// No tag and no digest, or the tag `latest` without a digest. False for `scratch`.
    pub fn is_latest_or_untagged(&self) -> bool {
        !self.is_scratch()
            && self.digest.is_none()
            && self.tag.as_deref().is_none_or(|t| t == "latest")
    }

    /// Whether the image comes from Docker Hub (no registry, or one of Docker Hub's names).
    pub fn is_docker_hub(&self) -> bool {
        self.registry
            .as_deref()
            .is_none_or(|r| DOCKER_HUB.contains(&r.to_ascii_lowercase().as_str()))
    }

    /// How the reference pins the image; see [`TagKind`]. A digest wins over any tag; no tag at all
    /// is [`TagKind::Mutable`] (Docker pulls `latest`).
    pub fn tag_kind(&self) -> TagKind {
        if self.digest.is_some() {
            return TagKind::Digest;
        }
        match self.tag.as_deref() {
            None => TagKind::Mutable,
            Some(tag) => classify_tag(tag),
        }
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(registry) = &self.registry {
            write!(f, "{registry}/")?;
        }
        f.write_str(&self.repository)?;
        if let Some(tag) = &self.tag {
            write!(f, ":{tag}")?;
        }
        if let Some(digest) = &self.digest {
            write!(f, "@{digest}")?;
        }
        Ok(())
    }
}

/// Docker's rule for the first path component: a registry when it has `.` or `:`, is `localhost`,
/// or is not all lowercase.
fn is_registry_component(first: &str) -> bool {
    first.contains(['.', ':']) || first == "localhost" || first.chars().any(|c| c.is_uppercase())
}

/// `host[:port]`, where host is dot-separated labels or a bracketed IPv6 address.
fn is_valid_registry(registry: &str) -> bool {
    let (host, port) = if let Some(rest) = registry.strip_prefix('[') {
        let Some((ip, after)) = rest.split_once(']') else {
            return false;
        };
        if ip.is_empty()
            || !ip
                .chars()
                .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        {
            return false;
        }
        match after {
            "" => return true,
            _ => match after.strip_prefix(':') {
                Some(port) => ("", Some(port)),
                None => return false,
            },
        }
    } else {
        match registry.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (registry, None),
        }
    };
    let port_ok =
        port.is_none_or(|p| !p.is_empty() && p.len() <= 5 && p.chars().all(|c| c.is_ascii_digit()));
    let label_ok = |label: &str| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    port_ok && (registry.starts_with('[') || host.split('.').all(label_ok))
}

/// Slash-separated lowercase components: `[a-z0-9]+` joined by `.`, `_`, `__` or runs of `-`.
fn is_valid_repository(repository: &str) -> bool {
    !repository.is_empty()
        && repository.len() <= 255
        && repository.split('/').all(is_valid_component)
}

fn is_valid_component(component: &str) -> bool {
    let mut previous_separator: Option<char> = None;
    let mut separator_run = 0usize;
    let mut started = false;
    for c in component.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            started = true;
            previous_separator = None;
            separator_run = 0;
            continue;
        }
        if !started {
            return false;
        }
        let allowed = match (previous_separator, c) {
            (None, '.' | '_' | '-') => true,
            (Some('_'), '_') => separator_run < 2,
            (Some('-'), '-') => true,
            _ => false,
        };
        if !allowed {
            return false;
        }
        previous_separator = Some(c);
        separator_run += 1;
    }
    started && previous_separator.is_none()
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`
fn is_valid_tag(tag: &str) -> bool {
    let mut chars = tag.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && tag.len() <= 128
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// `algorithm:encoded`; sha256 needs 64 hex digits and sha512 128, others at least 32 characters.
fn is_valid_digest(digest: &str) -> bool {
    let Some((algorithm, encoded)) = digest.split_once(':') else {
        return false;
    };
    let algorithm_ok = !algorithm.is_empty()
        && algorithm.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '+' | '.' | '_' | '-')
        });
    let hex = |len: usize| encoded.len() == len && encoded.chars().all(|c| c.is_ascii_hexdigit());
    algorithm_ok
        && match algorithm {
            "sha256" => hex(64),
            "sha512" => hex(128),
            _ => {
                encoded.len() >= 32
                    && encoded
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '=' | '_' | '-'))
            }
        }
}

fn classify_tag(tag: &str) -> TagKind {
    let lower = tag.to_ascii_lowercase();
    if is_mutable(&lower) {
        TagKind::Mutable
    } else if is_date_tag(&lower) {
        TagKind::Date
    } else if is_semver(&lower) {
        TagKind::Semver
    } else if is_commit_sha(&lower) {
        TagKind::CommitSha
    } else {
        TagKind::Other
    }
}

fn is_mutable(tag: &str) -> bool {
    !tag.chars().any(|c| c.is_ascii_digit())
        && tag
            .split(['-', '_', '.'])
            .next()
            .is_some_and(|first| MUTABLE.contains(&first))
}

/// A date at the start, or right after one alphabetic word (`jammy-20240111`).
fn is_date_tag(tag: &str) -> bool {
    if starts_with_date(tag) {
        return true;
    }
    tag.split_once(['-', '_']).is_some_and(|(prefix, rest)| {
        !prefix.is_empty()
            && prefix.chars().all(|c| c.is_ascii_alphabetic())
            && starts_with_date(rest)
    })
}

/// `YYYY-MM-DD` (or with `.`/`_`) or `YYYYMMDD`, with a plausible year, month and day.
fn starts_with_date(s: &str) -> bool {
    let number = |range: std::ops::Range<usize>| -> Option<u32> {
        let part = s.get(range)?;
        if part.chars().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let plausible = |y: u32, m: u32, d: u32| {
        (1990..=2099).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)
    };
    let separated = {
        let sep = s.get(4..5);
        sep.is_some_and(|c| matches!(c, "-" | "." | "_")) && s.get(7..8) == sep
    };
    if separated {
        if let (Some(y), Some(m), Some(d)) = (number(0..4), number(5..7), number(8..10)) {
            return plausible(y, m, d);
        }
        return false;
    }
    match (number(0..4), number(4..6), number(6..8)) {
        (Some(y), Some(m), Some(d)) => plausible(y, m, d),
        _ => false,
    }
}

/// `v?N(.N)*` followed by nothing or by a `-`, `+` or `_` suffix; a lone number has at most 4 digits
/// (longer ones are build numbers or timestamps).
fn is_semver(tag: &str) -> bool {
    let t = tag.strip_prefix('v').unwrap_or(tag);
    let core_end = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let Some((core, suffix)) = t.split_at_checked(core_end) else {
        return false;
    };
    let parts: Vec<&str> = core.split('.').collect();
    if parts.iter().any(|p| p.is_empty()) || parts.len() > 4 {
        return false;
    }
    if let [only] = parts.as_slice()
        && only.len() > 4
    {
        return false;
    }
    suffix.is_empty() || (suffix.len() > 1 && suffix.starts_with(['-', '+', '_']))
}

/// 7–40 hex characters, alone or as the last `-`-separated part. Without an explicit `sha`/`git`/
/// `commit` prefix the hex must mix digits and letters (so `1234567` stays a build number).
fn is_commit_sha(tag: &str) -> bool {
    let hex = |s: &str| (7..=40).contains(&s.len()) && s.chars().all(|c| c.is_ascii_hexdigit());
    let mixed = |s: &str| {
        hex(s)
            && s.chars().any(|c| c.is_ascii_digit())
            && s.chars().any(|c| c.is_ascii_alphabetic())
    };
    for prefix in ["sha-", "sha_", "git-", "git_", "commit-", "commit_"] {
        if let Some(rest) = tag.strip_prefix(prefix) {
            return hex(rest);
        }
    }
    mixed(tag)
        || tag
            .rsplit_once(['-', '_'])
            .is_some_and(|(_, last)| mixed(last))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    fn kind(s: &str) -> TagKind {
        parse(s).map(|r| r.tag_kind()).unwrap()
    }

    #[test]
    fn docker_hub_short_names() {
        let r = parse("nginx").unwrap();
        assert_eq!(
            r,
            ImageRef {
                registry: None,
                repository: "nginx".into(),
                tag: None,
                digest: None
            }
        );
        assert!(r.is_latest_or_untagged());
        assert!(r.is_docker_hub());
        let r = parse("library/node:20.11.1-bookworm-slim").unwrap();
        assert_eq!(r.registry, None);
        assert_eq!(r.repository, "library/node");
        assert_eq!(r.tag.as_deref(), Some("20.11.1-bookworm-slim"));
        assert_eq!(r.tag_kind(), TagKind::Semver);
        assert!(!r.is_latest_or_untagged());
        assert_eq!(r.to_string(), "library/node:20.11.1-bookworm-slim");
    }

    #[test]
    fn registries_ports_and_digests() {
        let r = parse("ghcr.io/acme/api:v1.4.2").unwrap();
        assert_eq!(r.registry.as_deref(), Some("ghcr.io"));
        assert_eq!(r.repository, "acme/api");
        assert!(!r.is_docker_hub());

        let r = parse("localhost:5000/team/app:dev").unwrap();
        assert_eq!(r.registry.as_deref(), Some("localhost:5000"));
        assert_eq!(r.repository, "team/app");
        assert_eq!(r.tag_kind(), TagKind::Mutable);

        let r = parse("localhost/app").unwrap();
        assert_eq!(r.registry.as_deref(), Some("localhost"));

        let r = parse("[::1]:5000/app:1.0").unwrap();
        assert_eq!(r.registry.as_deref(), Some("[::1]:5000"));
        assert_eq!(r.tag.as_deref(), Some("1.0"));

        let r = parse("docker.io/library/redis:7.2").unwrap();
        assert!(r.is_docker_hub());

        let pinned = format!("gcr.io/distroless/static-debian12:nonroot@{SHA}");
        let r = parse(&pinned).unwrap();
        assert_eq!(r.registry.as_deref(), Some("gcr.io"));
        assert_eq!(r.repository, "distroless/static-debian12");
        assert_eq!(r.tag.as_deref(), Some("nonroot"));
        assert_eq!(r.digest.as_deref(), Some(SHA));
        assert!(r.has_digest());
        assert_eq!(r.tag_kind(), TagKind::Digest);
        assert!(!r.is_latest_or_untagged());
        assert_eq!(r.to_string(), pinned);

        let r = parse(&format!("alpine@{SHA}")).unwrap();
        assert_eq!(r.tag, None);
        assert!(!r.is_latest_or_untagged());

        let r =
            parse("123456789012.dkr.ecr.eu-west-1.amazonaws.com/svc/payments:2024-03-01").unwrap();
        assert_eq!(
            r.registry.as_deref(),
            Some("123456789012.dkr.ecr.eu-west-1.amazonaws.com")
        );
        assert_eq!(r.tag_kind(), TagKind::Date);
    }

    #[test]
    fn invalid_and_templated_references() {
        for bad in [
            "",
            "   ",
            "UPPER/Case",
            "MyImage",
            "nginx:",
            "nginx:-bad",
            "nginx@sha256:abc",
            "nginx@",
            "a//b",
            "repo/-x",
            "repo/x-",
            "with space:1",
            "reg.io:port/x",
            "reg.io/a:b/c",
            "-reg.io/x",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        for templated in [
            "${REGISTRY}/app:1.0",
            "golang:$GO_VERSION",
            "{{ .Values.image.repository }}:{{ .Values.image.tag }}",
            "app:$(TAG)",
        ] {
            assert!(has_variables(templated), "{templated}");
            assert_eq!(parse(templated), None, "{templated}");
        }
        assert!(!has_variables("nginx:1.25"));
        assert!(!has_variables("price$5"));
        // Docker's separators are allowed.
        assert!(parse("my__repo/my-_x").is_none());
        assert!(parse("my__repo/a--b.c_d:1").is_some());
    }

    #[test]
    fn scratch_is_special() {
        let r = parse("scratch").unwrap();
        assert!(r.is_scratch());
        assert!(!r.is_latest_or_untagged());
        assert!(!parse("scratch:1").unwrap().is_scratch());
        assert!(!parse("ghcr.io/scratch").unwrap().is_scratch());
    }

    #[test]
    fn latest_detection() {
        assert!(parse("redis:latest").unwrap().is_latest_or_untagged());
        assert!(parse("ghcr.io/acme/api").unwrap().is_latest_or_untagged());
        assert!(!parse("redis:7").unwrap().is_latest_or_untagged());
        assert!(!parse("redis:stable").unwrap().is_latest_or_untagged());
    }

    #[test]
    fn tag_kinds() {
        for (image, expected) in [
            ("node:20.11.1", TagKind::Semver),
            ("app:v1.2.3", TagKind::Semver),
            ("python:3.12", TagKind::Semver),
            ("python:3.12-slim-bookworm", TagKind::Semver),
            ("nginx:1.25.3-alpine", TagKind::Semver),
            ("golang:1.22.1-bookworm", TagKind::Semver),
            ("node:20-alpine", TagKind::Semver),
            ("python:3", TagKind::Semver),
            ("app:1.0.0-rc.1", TagKind::Semver),
            ("eclipse-temurin:17.0.9_9-jdk", TagKind::Semver),
            ("app:1.2.3-abc1234", TagKind::Semver),
            ("app:sha-abc1234", TagKind::CommitSha),
            ("app:sha-1234567", TagKind::CommitSha),
            ("app:git-0f3c9a1e", TagKind::CommitSha),
            ("app:3f2a1bc", TagKind::CommitSha),
            ("app:main-3f2a1bcd9e", TagKind::CommitSha),
            (
                "app:0123456789abcdef0123456789abcdef01234567",
                TagKind::CommitSha,
            ),
            ("app:2024-01-02", TagKind::Date),
            ("app:20240102", TagKind::Date),
            ("app:20240102T120000", TagKind::Date),
            ("ubuntu:jammy-20240111", TagKind::Date),
            ("rust:nightly-2024-05-01", TagKind::Date),
            ("app:latest", TagKind::Mutable),
            ("app:main", TagKind::Mutable),
            ("app:master", TagKind::Mutable),
            ("app:stable", TagKind::Mutable),
            ("app:edge", TagKind::Mutable),
            ("app:nightly", TagKind::Mutable),
            ("app:production", TagKind::Mutable),
            ("app:canary", TagKind::Mutable),
            ("node:lts", TagKind::Mutable),
            ("node:lts-alpine", TagKind::Mutable),
            ("nginx:stable-alpine", TagKind::Mutable),
            ("python:alpine", TagKind::Mutable),
            ("gcr.io/distroless/base:debug-nonroot", TagKind::Mutable),
            ("app:Latest", TagKind::Mutable),
            ("app", TagKind::Mutable),
            ("debian:bookworm", TagKind::Other),
            ("python:alpine3.19", TagKind::Other),
            ("app:1234567", TagKind::Other),
            ("app:build-1234567", TagKind::Other),
            ("app:deadbeef", TagKind::Other),
            ("app:12345678", TagKind::Other),
            ("app:1.", TagKind::Other),
            ("app:v", TagKind::Other),
            ("app:1.22rc1", TagKind::Other),
        ] {
            assert_eq!(kind(image), expected, "{image}");
        }
    }
}
