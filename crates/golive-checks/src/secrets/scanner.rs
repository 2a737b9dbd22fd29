//! The secret scanner: one pass per file over all rules.
//!
//! 1. A literal prefilter finds keyword hits: SIMD multi-literal searches (aho-corasick's
//!    "Teddy"), each over a group of at most [`GROUP`] keywords, merged into one stream of hits
//!    in order. The few keywords shorter than 4 bytes (`://`, `SG.`, `xox`) share one group, so
//!    that the others keep the more selective 4-byte fingerprints.
//! 2. Each hit selects the rules that own the keyword (or any keyword contained in it); a cheap
//!    precheck of the bytes after the hit (an assignment operator after a secret-named key, an
//!    `@` in a URL's authority) drops most hits, and each remaining rule's regex runs only in a
//!    window around the hit: the hit's line (at most [`LINE_BEFORE`] bytes before and
//!    [`LINE_AFTER`] after), or for private keys the block that follows. A rule never scans the
//!    same window twice, however many hits it has.
//! 3. Matches are validated (placeholders, entropy, …), and overlaps are resolved: format rules
//!    win over the generic assignment rule, earlier rules over later ones.
//!
//! Searching is leftmost-longest and restarts one byte after each hit's start, so that no keyword
//! occurrence is shadowed by another one overlapping it.

use super::rules::{self, Candidate, FileClass, Precheck, RuleSpec, Validate, Verdict};
use aho_corasick::{AhoCorasick, Input, MatchKind, Span, packed};
use regex::{Regex, RegexBuilder};
use std::ops::Range;
use std::sync::OnceLock;

/// Bytes of a line looked at before a keyword hit (a key name before `password`, a URL scheme
/// before `://`).
pub const LINE_BEFORE: usize = 512;
/// Bytes of a line looked at after a keyword hit (a JSON-escaped 4096-bit private key fits).
pub const LINE_AFTER: usize = 8 * 1024;
/// Bytes after `-----BEGIN` in which a private key block must end.
pub const BLOCK_AFTER: usize = 32 * 1024;
/// When a line is cut at [`LINE_AFTER`], the next window of the same rule starts this far before
/// the cut, so a match straddling the cut is still found whole.
const OVERLAP: usize = 1024;

/// How far a rule's regex looks around a keyword hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    Line,
    /// From the hit onwards, across lines (private key blocks).
    Block,
}

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    pub id: String,
    pub name: String,
    /// From golive.toml rather than built in.
    pub user: bool,
    regex: Regex,
    validate: Validate,
    precheck: Precheck,
    scope: Scope,
}

impl Rule {
    /// The entropy-based assignment rule (off in lockfiles, loses overlaps to format rules).
    pub fn is_generic(&self) -> bool {
        self.validate == Validate::Generic
    }
}

/// A user rule as declared in golive.toml.
#[derive(Clone, Copy, Debug)]
pub struct UserRule<'a> {
    pub id: &'a str,
    pub regex: &'a str,
    pub keywords: &'a [String],
}

/// Why a user rule cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleError {
    /// Index into the user rules.
    pub index: usize,
    /// The rule's key at fault: `id`, `regex` or `keywords`.
    pub key: &'static str,
    pub message: String,
}

/// One match of one rule in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Found {
    /// Index into [`Scanner::rules`].
    pub rule: usize,
    /// The secret's byte range in the file's text.
    pub range: Range<usize>,
    /// [`Verdict::Secret`] or [`Verdict::Placeholder`].
    pub verdict: Verdict,
}

/// Keywords of at least this many bytes go to the main prefilter (4-byte fingerprints).
const LONG_KEYWORD: usize = 4;

/// At most this many patterns per SIMD search: Teddy packs a set into 8 buckets (16 beyond 32
/// patterns, at half the speed), and the fuller the buckets the more false candidates it must
/// verify. Each search costs a pass over the text whatever its size, so groups are as few as
/// that allows: the 85 built-in keywords make three searches of 27 to 29 patterns, faster than
/// two of 43 and far faster than one automaton (Teddy takes at most 64 patterns).
const GROUP: usize = 30;

/// A hit: (start, end, pattern).
type Hit = (usize, usize, usize);

/// A multi-literal search over keywords, leftmost-longest.
#[derive(Debug)]
enum Literals {
    /// SIMD (Teddy) searches where the CPU has it, one per group of at most [`GROUP`]
    /// patterns, each with the index of its group's first pattern.
    Packed(Vec<(packed::Searcher, usize)>),
    /// Otherwise: one automaton over all patterns.
    Automaton(AhoCorasick),
}

/// Where a search over one group of patterns stands in a haystack.
#[derive(Clone, Copy, Debug)]
enum Next {
    /// Not searched yet.
    Unknown,
    /// The group's next hit at or after the position last asked for.
    At(Hit),
    /// No hit up to the end.
    Done,
}

impl Literals {
    fn new(patterns: &[String]) -> Result<Literals, String> {
        let groups = patterns.len().div_ceil(GROUP).max(1);
        let per = patterns.len().div_ceil(groups).max(1);
        let packed: Option<Vec<(packed::Searcher, usize)>> = patterns
            .chunks(per)
            .enumerate()
            .map(|(i, part)| {
                packed::Config::new()
                    .match_kind(packed::MatchKind::LeftmostLongest)
                    .builder()
                    .extend(part)
                    .build()
                    .map(|p| (p, i * per))
            })
            .collect();
        match packed {
            Some(p) if !p.is_empty() => Ok(Literals::Packed(p)),
            _ => AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .build(patterns)
                .map(Literals::Automaton)
                .map_err(|e| e.to_string()),
        }
    }

    /// A fresh search state for [`Literals::find`], one per haystack.
    fn cursor(&self) -> Vec<Next> {
        match self {
            Literals::Packed(groups) => vec![Next::Unknown; groups.len()],
            Literals::Automaton(_) => Vec::new(),
        }
    }

    /// The next hit at or after `at`: the leftmost, and the longest there, over all groups.
    /// `at` must not decrease between calls with the same `cursor`.
    fn find(&self, bytes: &[u8], at: usize, cursor: &mut [Next]) -> Option<Hit> {
        match self {
            Literals::Packed(groups) => {
                let mut best: Option<Hit> = None;
                for ((searcher, first), next) in groups.iter().zip(cursor.iter_mut()) {
                    let stale = match *next {
                        Next::Unknown => true,
                        Next::At((start, _, _)) => start < at,
                        Next::Done => false,
                    };
                    if stale {
                        *next = match searcher.find_in(bytes, Span::from(at..bytes.len())) {
                            Some(m) => {
                                Next::At((m.start(), m.end(), first + m.pattern().as_usize()))
                            }
                            None => Next::Done,
                        };
                    }
                    if let Next::At(hit) = *next {
                        best = match best {
                            Some(b)
                                if (b.0, std::cmp::Reverse(b.1))
                                    <= (hit.0, std::cmp::Reverse(hit.1)) =>
                            {
                                Some(b)
                            }
                            _ => Some(hit),
                        };
                    }
                }
                best
            }
            Literals::Automaton(a) => {
                let m = a.find(Input::new(bytes).span(at..bytes.len()))?;
                Some((m.start(), m.end(), m.pattern().as_usize()))
            }
        }
    }
}

/// The prefilter and, for each of its patterns, the rules the pattern selects.
#[derive(Debug)]
struct Prefilter {
    literals: Literals,
    selects: Vec<Vec<usize>>,
}

/// All rules, and the prefilter over their keywords.
#[derive(Debug)]
pub struct Scanner {
    rules: Vec<Rule>,
    prefilter: Prefilter,
}

impl Scanner {
    /// The built-in rules, compiled once.
    pub fn builtin() -> &'static Scanner {
        static BUILTIN: OnceLock<Scanner> = OnceLock::new();
        BUILTIN.get_or_init(|| Scanner::new(&[]).expect("built-in secret rules compile"))
    }

    /// The built-in rules followed by `user` rules.
    pub fn new(user: &[UserRule<'_>]) -> Result<Scanner, RuleError> {
        let mut rules = Vec::new();
        let mut keywords: Vec<(String, usize)> = Vec::new();
        for spec in rules::BUILTIN {
            rules.push(compile_builtin(spec));
            keywords.extend(
                spec.keywords
                    .iter()
                    .map(|k| (k.to_string(), rules.len() - 1)),
            );
        }
        for (index, u) in user.iter().enumerate() {
            let err = |key, message: String| RuleError {
                index,
                key,
                message,
            };
            if rules.iter().any(|r| r.id == u.id) {
                return Err(err(
                    "id",
                    format!(
                        "rule id `{}` is already a built-in rule: choose another id",
                        u.id
                    ),
                ));
            }
            if u.keywords.is_empty() || u.keywords.iter().any(|k| k.len() < 3) {
                return Err(err(
                    "keywords",
                    "keywords must be literals of 3 characters or more".into(),
                ));
            }
            let regex = RegexBuilder::new(u.regex)
                .multi_line(true)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| err("regex", format!("invalid regex: {}", regex_error(&e))))?;
            if regex.is_match("") {
                return Err(err("regex", "the regex matches the empty string".into()));
            }
            rules.push(Rule {
                id: u.id.to_string(),
                name: u.id.to_string(),
                user: true,
                regex,
                validate: Validate::Token { min_entropy: 0.0 },
                precheck: Precheck::None,
                scope: Scope::Line,
            });
            keywords.extend(u.keywords.iter().map(|k| (k.clone(), rules.len() - 1)));
        }
        // One prefilter pattern per distinct keyword; it selects the rules of every keyword it
        // contains (so that a longer keyword shadowing a shorter one loses no rule).
        let mut patterns: Vec<String> = keywords.iter().map(|(k, _)| k.clone()).collect();
        patterns.sort();
        patterns.dedup();
        // Short keywords first, so that they share one group (their 3-byte fingerprints would
        // make any group they are in less selective).
        patterns.sort_by(|a, b| (a.len() >= LONG_KEYWORD, a).cmp(&(b.len() >= LONG_KEYWORD, b)));
        let selects = patterns
            .iter()
            .map(|p| {
                let mut rs: Vec<usize> = keywords
                    .iter()
                    .filter(|(k, _)| p.contains(k.as_str()))
                    .map(|(_, r)| *r)
                    .collect();
                rs.sort_unstable();
                rs.dedup();
                rs
            })
            .collect();
        let literals = Literals::new(&patterns).map_err(|e| RuleError {
            index: user.len().saturating_sub(1),
            key: "keywords",
            message: format!("keywords cannot be searched: {e}"),
        })?;
        let prefilter = Prefilter { literals, selects };
        Ok(Scanner { rules, prefilter })
    }

    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Every credential or placeholder in `text`, sorted by position, overlaps resolved.
    pub fn scan(&self, text: &str, class: FileClass) -> Vec<Found> {
        let bytes = text.as_bytes();
        let mut found = Vec::new();
        let mut scanned_until = vec![0usize; self.rules.len()];
        // Hits come in order, so a rule scans a window once however many hits fall in it.
        let prefilter = &self.prefilter;
        let mut cursor = prefilter.literals.cursor();
        let mut at = 0;
        while at < bytes.len() {
            let Some((start, end, pattern)) = prefilter.literals.find(bytes, at, &mut cursor)
            else {
                break;
            };
            at = start + 1;
            for &r in &prefilter.selects[pattern] {
                let rule = &self.rules[r];
                if (class.lockfile && rule.is_generic())
                    || start < scanned_until[r]
                    || !rules::precheck(rule.precheck, bytes, start, end, class)
                {
                    continue;
                }
                let (window, cut) = window(text, start, end, rule.scope);
                scanned_until[r] = if cut {
                    window.end.saturating_sub(OVERLAP).max(end)
                } else {
                    window.end
                };
                self.run_rule(r, text, window, class, &mut found);
            }
        }
        self.resolve(found)
    }

    /// Runs rule `r`'s regex over `window` of `text`.
    fn run_rule(
        &self,
        r: usize,
        text: &str,
        window: Range<usize>,
        class: FileClass,
        out: &mut Vec<Found>,
    ) {
        let rule = &self.rules[r];
        // The haystack ends at the window's end; searching from the window's start keeps the
        // text before it as context for `^` and `\b`.
        let hay = &text[..window.end];
        let mut pos = window.start;
        while pos < window.end {
            let Some(caps) = rule.regex.captures_at(hay, pos) else {
                break;
            };
            let Some(whole) = caps.get(0) else { break };
            let secret = caps
                .name("secret")
                .or_else(|| rule.user.then(|| caps.get(1)).flatten())
                .unwrap_or(whole);
            let mut range = secret.range();
            let verdict = if rule.scope == Scope::Block {
                range = whole.start()..block_end(text, whole.end());
                rules::Validate::PrivateKey.verdict(&Candidate {
                    secret: &text[range.clone()],
                    ..Candidate::default()
                })
            } else {
                rule.validate.verdict(&Candidate {
                    secret: secret.as_str(),
                    name: caps.name("name").map(|m| m.as_str()),
                    quote: caps.name("q").map(|m| m.as_str()),
                    after: text.as_bytes().get(secret.end()).copied(),
                    user: caps.name("user").map(|m| m.as_str()),
                    host: caps.name("host").map(|m| m.as_str()),
                    class,
                })
            };
            if verdict != Verdict::NoMatch && !range.is_empty() {
                out.push(Found {
                    rule: r,
                    range: range.clone(),
                    verdict,
                });
            }
            // Continue after the secret (not after the whole match, whose trailing boundary
            // character may start the next one), always moving forward.
            let next = if secret.end() > pos {
                secret.end()
            } else {
                whole.end().max(pos + 1)
            };
            pos = text.ceil_char_boundary(next.max(range.end.min(window.end)));
        }
    }

    /// Drops duplicates and overlaps: format rules first (earlier rules win), then the generic
    /// rule where nothing else matched.
    fn resolve(&self, mut found: Vec<Found>) -> Vec<Found> {
        found.sort_by_key(|f| {
            (
                self.rules[f.rule].is_generic(),
                f.rule,
                f.range.start,
                f.range.end,
            )
        });
        found.dedup();
        let mut kept: Vec<Found> = Vec::with_capacity(found.len());
        for f in found {
            // `kept` stays sorted by start and free of overlaps.
            let i = kept.partition_point(|k| k.range.start < f.range.end);
            if i > 0 && kept[i - 1].range.end > f.range.start {
                continue;
            }
            kept.insert(i, f);
        }
        kept
    }
}

/// A regex error on one line: the parser's multi-line report ends with `error: <what>`.
fn regex_error(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .find_map(|l| l.strip_prefix("error: "))
        .map(str::to_string)
        .unwrap_or_else(|| text.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn compile_builtin(spec: &RuleSpec) -> Rule {
    let regex = Regex::new(spec.regex)
        .unwrap_or_else(|e| panic!("built-in secret rule {} does not compile: {e}", spec.id));
    Rule {
        id: spec.id.to_string(),
        name: spec.name.to_string(),
        user: false,
        regex,
        validate: spec.validate,
        precheck: spec.precheck,
        scope: if spec.validate == Validate::PrivateKey {
            Scope::Block
        } else {
            Scope::Line
        },
    }
}

/// The window a rule's regex runs in for a hit at `start..end`, and whether it was cut short of
/// the end of the line.
fn window(text: &str, start: usize, end: usize, scope: Scope) -> (Range<usize>, bool) {
    let bytes = text.as_bytes();
    match scope {
        Scope::Line => {
            let lo = start.saturating_sub(LINE_BEFORE);
            let from = match bytes[lo..start].iter().rposition(|&b| b == b'\n') {
                Some(i) => lo + i + 1,
                None => text.floor_char_boundary(lo),
            };
            let hi = (end + LINE_AFTER).min(bytes.len());
            match bytes[end..hi].iter().position(|&b| b == b'\n') {
                Some(i) => (from..end + i, false),
                None => (from..text.floor_char_boundary(hi), hi < bytes.len()),
            }
        }
        Scope::Block => {
            let hi = (start + BLOCK_AFTER).min(bytes.len());
            (start..text.floor_char_boundary(hi), hi < bytes.len())
        }
    }
}

/// The end of a private key block whose header ends at `from`: the end of its `-----END …-----`
/// marker, or, without one, the end of the base64 lines that follow the header.
fn block_end(text: &str, from: usize) -> usize {
    let limit = text.floor_char_boundary((from + BLOCK_AFTER).min(text.len()));
    let rest = &text[from..limit];
    if let Some(i) = rest.find("-----END ") {
        let after = from + i + "-----END ".len();
        return match text[after..limit].find("-----") {
            Some(j) => after + j + "-----".len(),
            None => after,
        };
    }
    let mut end = from;
    let mut offset = from;
    for (n, line) in rest.split_inclusive('\n').enumerate() {
        let t = line.trim();
        let body = !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='));
        let header = t.contains(':');
        if n > 0 && !(body || header || t.is_empty() && end == from) {
            break;
        }
        offset += line.len();
        if body {
            end = offset - (line.len() - line.trim_end().len());
        }
    }
    end.max(from)
}

#[cfg(test)]
mod tests {
    use super::super::rules::testgen::{ALNUM, BASE64, HEX, random};
    use super::*;

    const UPPER32: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const URLSAFE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    const DIGITS: &str = "0123456789";

    fn scan_as(path: &str, text: &str) -> Vec<(String, String, Verdict)> {
        let s = Scanner::builtin();
        s.scan(text, FileClass::of(path))
            .into_iter()
            .map(|f| {
                (
                    s.rules()[f.rule].id.clone(),
                    text[f.range].to_string(),
                    f.verdict,
                )
            })
            .collect()
    }

    fn secrets(path: &str, text: &str) -> Vec<(String, String)> {
        scan_as(path, text)
            .into_iter()
            .filter(|(_, _, v)| *v == Verdict::Secret)
            .map(|(id, s, _)| (id, s))
            .collect()
    }

    /// Asserts that `text` yields exactly one secret, `secret`, found by `rule`.
    #[track_caller]
    fn finds(path: &str, text: &str, rule: &str, secret: &str) {
        assert_eq!(
            secrets(path, text),
            vec![(rule.to_string(), secret.to_string())],
            "in {path}: {text}"
        );
    }

    #[track_caller]
    fn clean(path: &str, text: &str) {
        assert_eq!(secrets(path, text), vec![], "in {path}: {text}");
    }

    fn r(seed: u64, charset: &str, len: usize) -> String {
        random(seed, charset, len)
    }

    fn pem_body(seed: u64) -> String {
        (0..12)
            .map(|i| r(seed + i, BASE64, 64))
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn aws_access_key_id() {
        let key = format!("AKIA{}", r(1, UPPER32, 16));
        finds(
            ".env",
            &format!("AWS_ACCESS_KEY_ID={key}\n"),
            "aws-access-key-id",
            &key,
        );
        let temp = format!("AS{}{}", "IA", r(2, UPPER32, 16));
        finds(
            "a.yaml",
            &format!("id: \"{temp}\"\n"),
            "aws-access-key-id",
            &temp,
        );
        // Near misses: prose, too short, embedded in a longer word, the documented example.
        clean("README.md", "Access key ids start with AKIA or ASIA.\n");
        clean("a.txt", &format!("AKIA{}\n", r(3, UPPER32, 12)));
        clean("a.txt", &format!("xAKIA{}\n", r(4, UPPER32, 16)));
        clean("a.txt", &format!("AKIA{}Q\n", r(5, UPPER32, 16)));
        clean(".env", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n");
        clean(".env", "AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX\n");
    }

    #[test]
    fn aws_secret_access_key() {
        let secret = r(6, BASE64, 40);
        for line in [
            format!("aws_secret_access_key = {secret}\n"),
            format!("AWS_SECRET_ACCESS_KEY: \"{secret}\"\n"),
            format!("  \"SecretAccessKey\": \"{secret}\",\n"),
            format!("export AWS_SECRET_KEY={secret}\n"),
        ] {
            finds("credentials", &line, "aws-secret-access-key", &secret);
        }
        clean(
            "credentials",
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
        );
        clean("credentials", "aws_secret_access_key = ${AWS_SECRET}\n");
        // 40 base64 characters without the assignment are a hash, not a key.
        clean("a.txt", &format!("checksum {secret}\n"));
    }

    #[test]
    fn gcp_keys() {
        let api = format!("AIza{}", r(7, URLSAFE, 35));
        finds(
            "app.js",
            &format!("const key = '{api}';\n"),
            "gcp-api-key",
            &api,
        );
        clean(
            "app.js",
            &format!("const key = 'AIza{}';\n", r(8, URLSAFE, 20)),
        );
        let body: Vec<String> = (0..10).map(|i| r(100 + i, BASE64, 64)).collect();
        let key = format!(
            "-----BEGIN PRIVATE KEY-----\\n{}\\n-----END PRIVATE KEY-----\\n",
            body.join("\\n")
        );
        let json = format!(
            "{{\n  \"type\": \"service_account\",\n  \"private_key_id\": \"{}\",\n  \"private_key\": \"{key}\",\n  \"client_email\": \"ci@p.iam.gserviceaccount.com\"\n}}\n",
            r(9, HEX, 40)
        );
        finds("sa.json", &json, "gcp-service-account-key", &key);
    }

    #[test]
    fn azure_keys() {
        let key = format!("{}==", r(10, BASE64, 86));
        let conn = format!(
            "DefaultEndpointsProtocol=https;AccountName=prodstore;AccountKey={key};EndpointSuffix=core.windows.net"
        );
        finds(
            "appsettings.json",
            &format!("{{ \"Storage\": \"{conn}\" }}\n"),
            "azure-storage-account-key",
            &key,
        );
        finds(
            ".env",
            &format!("AZURE_STORAGE_KEY={key}\n"),
            "azure-storage-account-key",
            &key,
        );
        let sas = format!("{}=", r(11, BASE64, 43));
        finds(
            "a.env",
            &format!(
                "SB=Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey={sas}\n"
            ),
            "azure-shared-access-key",
            &sas,
        );
        // The Azurite emulator's published key.
        clean(
            "a.env",
            "AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==\n",
        );
    }

    #[test]
    fn github_and_gitlab_tokens() {
        for (prefix, rule) in [
            ("ghp_", "github-pat"),
            ("gho_", "github-oauth-token"),
            ("ghu_", "github-app-token"),
            ("ghs_", "github-app-token"),
            ("ghr_", "github-refresh-token"),
        ] {
            let t = format!("{prefix}{}", r(12, ALNUM, 36));
            finds(
                "ci.sh",
                &format!("curl -H \"Authorization: token {t}\"\n"),
                rule,
                &t,
            );
            clean("ci.sh", &format!("{prefix}{}\n", "x".repeat(36)));
            clean("ci.sh", &format!("{prefix}{}\n", r(13, ALNUM, 20)));
        }
        let fine = format!("github_pat_{}_{}", r(14, ALNUM, 22), r(15, ALNUM, 59));
        finds(
            "a.env",
            &format!("GH={fine}\n"),
            "github-fine-grained-pat",
            &fine,
        );
        let gl = format!("glpat-{}", r(16, URLSAFE, 20));
        finds(
            ".gitlab-ci.yml",
            &format!("  TOKEN: {gl}\n"),
            "gitlab-pat",
            &gl,
        );
        clean(".gitlab-ci.yml", "  TOKEN: glpat-xxxxxxxxxxxxxxxxxxxx\n");
        // A git SHA is not a token.
        clean("CHANGELOG.md", &format!("Fixed in {}.\n", r(17, HEX, 40)));
    }

    #[test]
    fn chat_tokens_and_webhooks() {
        let bot = format!(
            "xoxb-{}-{}-{}",
            r(18, DIGITS, 12),
            r(19, DIGITS, 13),
            r(20, ALNUM, 24)
        );
        finds(
            "bot.py",
            &format!("SLACK = \"{bot}\"\n"),
            "slack-token",
            &bot,
        );
        clean("bot.py", "SLACK = \"xoxb-your-token-here\"\n");
        let path = format!(
            "T{}/B{}/{}",
            r(21, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 8),
            r(22, "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 10),
            r(23, ALNUM, 24)
        );
        finds(
            "alertmanager.yml",
            &format!("    api_url: https://hooks.slack.com/services/{path}\n"),
            "slack-webhook",
            &path,
        );
        clean(
            "docs.md",
            "https://hooks.slack.com/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX\n",
        );
        let discord = format!("{}/{}", r(24, DIGITS, 18), r(25, URLSAFE, 68));
        finds(
            "n.yaml",
            &format!("url: https://discord.com/api/webhooks/{discord}\n"),
            "discord-webhook",
            &discord,
        );
        let uuid = |s: u64| {
            let h = r(s, HEX, 32);
            format!(
                "{}-{}-{}-{}-{}",
                &h[..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..]
            )
        };
        let teams = format!(
            "{}@{}/IncomingWebhook/{}/{}",
            uuid(26),
            uuid(27),
            r(28, HEX, 32),
            uuid(29)
        );
        finds(
            "n.yaml",
            &format!("url: https://contoso.webhook.office.com/webhookb2/{teams}\n"),
            "teams-webhook",
            &teams,
        );
    }

    #[test]
    fn payment_and_messaging_keys() {
        let sk = format!("sk_live_{}", r(30, ALNUM, 99));
        finds(
            "pay.rb",
            &format!("Stripe.api_key = '{sk}'\n"),
            "stripe-secret-key",
            &sk,
        );
        let rk = format!("rk_live_{}", r(31, ALNUM, 24));
        finds(
            ".env",
            &format!("STRIPE={rk}\n"),
            "stripe-restricted-key",
            &rk,
        );
        clean("pay.rb", "Stripe.api_key = 'sk_test_abc'\n");
        let twilio_key = format!("SK{}", r(32, HEX, 32));
        finds(
            ".env",
            &format!("TWILIO_API_KEY={twilio_key}\n"),
            "twilio-api-key",
            &twilio_key,
        );
        // Without a Twilio context, `SK` + 32 hex is not reported (no literal to anchor on).
        clean("a.txt", &format!("id {twilio_key}\n"));
        let auth = r(33, HEX, 32);
        finds(
            ".env",
            &format!("TWILIO_AUTH_TOKEN={auth}\n"),
            "twilio-auth-token",
            &auth,
        );
        let sg = format!("SG.{}.{}", r(34, URLSAFE, 22), r(35, URLSAFE, 43));
        finds(
            "mail.py",
            &format!("key = \"{sg}\"\n"),
            "sendgrid-api-key",
            &sg,
        );
    }

    #[test]
    fn package_registry_tokens() {
        let npm = format!("npm_{}", r(36, ALNUM, 36));
        finds(
            ".npmrc",
            &format!("//registry.npmjs.org/:_authToken={npm}\n"),
            "npm-token",
            &npm,
        );
        clean(".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n");
        clean(".npmrc", "//npm.corp/:_authToken={token}\n");
        clean("ci.sh", "echo $npm_package_version $npm_config_cache\n");
        let legacy = {
            let h = r(37, HEX, 32);
            format!(
                "{}-{}-{}-{}-{}",
                &h[..8],
                &h[8..12],
                &h[12..16],
                &h[16..20],
                &h[20..]
            )
        };
        finds(
            ".npmrc",
            &format!("//npm.corp/:_authToken={legacy}\n"),
            "npmrc-auth",
            &legacy,
        );
        let pypi = format!("pypi-AgEIcHlwaS5vcmc{}", r(38, URLSAFE, 120));
        finds(
            ".pypirc",
            &format!("[pypi]\nusername = __token__\npassword = {pypi}\n"),
            "pypi-token",
            &pypi,
        );
    }

    #[test]
    fn private_keys() {
        for kind in ["RSA ", "EC ", "DSA ", "OPENSSH ", "ENCRYPTED ", ""] {
            let block = format!(
                "-----BEGIN {kind}PRIVATE KEY-----\n{}\n-----END {kind}PRIVATE KEY-----",
                pem_body(40)
            );
            finds("id_rsa", &format!("{block}\n"), "private-key", &block);
            // Indented in a YAML block scalar.
            let yaml = format!("key: |\n  {}\n", block.replace('\n', "\n  "));
            let found = secrets("k.yaml", &yaml);
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(found[0].0, "private-key");
        }
        let pgp = format!(
            "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n{}\n-----END PGP PRIVATE KEY BLOCK-----",
            pem_body(41)
        );
        finds("key.asc", &pgp, "private-key", &pgp);
        // Without an end marker, the block is the base64 that follows.
        let cut = format!("-----BEGIN RSA PRIVATE KEY-----\n{}", pem_body(42));
        finds(
            "id_rsa",
            &format!("{cut}\n\nother text\n"),
            "private-key",
            &cut,
        );
        // Near misses: a public key, a docs placeholder, a regex in code.
        clean(
            "id_rsa.pub",
            &format!(
                "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
                pem_body(43)
            ),
        );
        clean(
            "README.md",
            "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n",
        );
        clean(
            "README.md",
            "-----BEGIN RSA PRIVATE KEY-----\n<your key here>\n-----END RSA PRIVATE KEY-----\n",
        );
        clean(
            "detect.py",
            "if line.startswith('-----BEGIN RSA PRIVATE KEY-----'):\n",
        );
        // Markers in code, with code (not base64) between them.
        clean(
            "gen.rs",
            "let k = format!(\"-----BEGIN RSA PRIVATE KEY-----\\n{}\", body(42));\nassert!(k.len() > 64);\nlet p = \"-----END PUBLIC KEY-----\";\n",
        );
        // A key in a string literal split over lines is still a key.
        let lines: Vec<String> = pem_body(44)
            .lines()
            .map(|l| format!("  \"{l}\\n\" +"))
            .collect();
        let java = format!(
            "String KEY = \"-----BEGIN PRIVATE KEY-----\\n\" +\n{}\n  \"-----END PRIVATE KEY-----\";\n",
            lines.join("\n")
        );
        assert_eq!(secrets("Keys.java", &java).len(), 1, "{java}");
    }

    #[test]
    fn jwt() {
        let payload = format!("eyJzdWIiOi{}", r(44, URLSAFE, 40));
        let jwt = format!(
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{payload}.{}",
            r(45, URLSAFE, 43)
        );
        finds(
            "req.http",
            &format!("Authorization: Bearer {jwt}\n"),
            "jwt",
            &jwt,
        );
        // jwt.io's sample token.
        clean(
            "docs.md",
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c\n",
        );
        // A base64 image (which may contain `eyJ`) is not a token.
        let img = format!(
            "![logo](data:image/png;base64,iVBORw0KGgo{}eyJ{}==)\n",
            r(46, BASE64, 400),
            r(47, BASE64, 400)
        );
        clean("README.md", &img);
        // A demo token whose payload has no registered claim (`{"some":"payload"}`).
        clean(
            "README.rst",
            &format!(
                "    eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzb21lIjoicGF5bG9hZCJ9.{}\n",
                r(64, URLSAFE, 43)
            ),
        );
    }

    #[test]
    fn passwords_in_urls() {
        let pw = r(48, ALNUM, 20);
        finds(
            "docker-compose.yml",
            &format!("      DATABASE_URL: postgres://app:{pw}@db.internal:5432/app\n"),
            "url-password",
            &pw,
        );
        finds(
            "s.py",
            &format!("REDIS = \"redis://:{pw}@cache.prod:6379/0\"\n"),
            "url-password",
            &pw,
        );
        for near in [
            "postgres://user:${DB_PASSWORD}@db:5432/app",
            "postgres://postgres:postgres@db:5432/app",
            "amqp://guest:guest@rabbit:5672",
            "https://user:password@example.com/x",
            "mysql://root:s3cr3tpw@localhost/db",
            "https://user:$(cat /run/pw)@host/x",
            "https://{user}:{password}@host",
            "https://<user>:<password>@host",
            "https://user:****@host",
            "git@github.com:org/repo.git",
            "https://github.com/org/repo",
            "scp://host:22/path@x",
            "redis://:{pw}@cache:6379/0",
            "postgres://app:%s@db.internal/app",
            "cvs://:pserver:anoncvs@sources.example.org:/cvs/src",
            "https://a:b@host.internal/",
        ] {
            clean("x.md", &format!("see {near}\n"));
        }
    }

    #[test]
    fn generic_assignments() {
        let v = r(49, ALNUM, 32);
        for (path, line) in [
            ("config.yaml", format!("database:\n  password: {v}\n")),
            ("main.tf", format!("  master_password = \"{v}\"\n")),
            (".env", format!("API_KEY={v}\n")),
            ("a.json", format!("{{\"client_secret\": \"{v}\"}}\n")),
            ("settings.py", format!("SECRET_KEY = '{v}'\n")),
            (
                "app.properties",
                format!("spring.datasource.password={v}\n"),
            ),
            ("main.go", format!("\tapiToken := \"{v}\"\n")),
            ("app.ts", format!("  accessKey: `{v}`,\n")),
        ] {
            finds(path, &line, "generic-secret", &v);
        }
        let hex = r(50, HEX, 40);
        finds(
            ".env",
            &format!("WEBHOOK_SECRET={hex}\n"),
            "generic-secret",
            &hex,
        );
    }

    #[test]
    fn generic_near_misses() {
        let v = r(51, ALNUM, 32);
        for (path, line) in [
            // References and expressions.
            (
                "settings.py",
                "password = os.environ[\"DB_PASSWORD\"]\n".to_string(),
            ),
            (
                "app.js",
                "const token = process.env.GITHUB_TOKEN;\n".to_string(),
            ),
            ("main.tf", "  password = var.db_password\n".to_string()),
            ("app.js", format!("const token = getToken{v}();\n")),
            (
                "ci.yml",
                "  token: ${{ secrets.GITHUB_TOKEN }}\n".to_string(),
            ),
            (
                "values.yaml",
                "password: \"{{ .Values.db.password }}\"\n".to_string(),
            ),
            ("a.yaml", "password: !vault |\n".to_string()),
            // Names of things, not secrets.
            (
                "k.yaml",
                "  secretName: web-tls-certificate-2024\n".to_string(),
            ),
            ("a.yaml", format!("password_file: /run/secrets/{v}\n")),
            (
                "a.yaml",
                "token_url: https://auth.example.com/oauth/token\n".to_string(),
            ),
            (
                "a.yaml",
                "secret_id: 123e4567-e89b-12d3-a456-426614174000\n".to_string(),
            ),
            // Low entropy, short, words, hashes.
            ("a.env", "PASSWORD=hunter2\n".to_string()),
            (
                "a.env",
                "DB_PASSWORD=correcthorsebatterystaple\n".to_string(),
            ),
            ("a.yaml", "secret: prod-db-credentials-v2\n".to_string()),
            (
                "seed.sql.yaml",
                "password: $2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW\n"
                    .to_string(),
            ),
            // Code in docs, URL-encoded data.
            (
                "book.html",
                "    let secret_number = rand::thread_rng().gen_range(1..=100);\n".to_string(),
            ),
            (
                "book.md",
                "    let token_stream = AtomicU32::new(1234567890);\n".to_string(),
            ),
            (
                "x.html",
                format!("href=\"https://play.example/?code=token%3D{v}%26x%3D1\"\n"),
            ),
            // RFC 6749's example tokens.
            (
                "oauth.py",
                "    \"access_token\":\"2YotnFZFEjr1zCsicMWpAA\",\n".to_string(),
            ),
            // Comparisons and prose.
            ("a.py", format!("if token == \"{v}\":\n")),
            (
                "README.md",
                "The token: a short-lived credential issued by the server.\n".to_string(),
            ),
            // Lockfiles: hashes under names that contain `token`.
            (
                "yarn.lock",
                format!(
                    "js-tokens@^4.0.0:\n  integrity sha512-{}\n",
                    r(52, BASE64, 86)
                ),
            ),
            (
                "package-lock.json",
                format!(
                    "    \"node_modules/js-tokens\": {{\n      \"integrity\": \"sha512-{}==\"\n",
                    r(53, BASE64, 86)
                ),
            ),
        ] {
            clean(path, &line);
        }
        // In a lockfile the generic rule is off, even for a secret-named key.
        clean("Cargo.lock", &format!("token = \"{v}\"\n"));
    }

    #[test]
    fn near_misses_in_mixed_text() {
        let text = format!(
            "commit {}\nuuid {}-{}\nAKIA is a prefix.\nhttps://example.com/a?b=c\n{}\n",
            r(54, HEX, 40),
            r(55, HEX, 8),
            r(56, HEX, 4),
            r(57, BASE64, 300)
        );
        clean("notes.txt", &text);
    }

    #[test]
    fn placeholders_are_reported_as_such() {
        let found = scan_as(
            ".env",
            "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nGH=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
        );
        let verdicts: Vec<Verdict> = found.iter().map(|f| f.2).collect();
        assert_eq!(verdicts, vec![Verdict::Placeholder, Verdict::Placeholder]);
    }

    #[test]
    fn format_rules_win_over_the_generic_rule() {
        let t = format!("ghp_{}", r(58, ALNUM, 36));
        finds(".env", &format!("GITHUB_TOKEN={t}\n"), "github-pat", &t);
        let pypi = format!("pypi-AgEIcHlwaS5vcmc{}", r(59, URLSAFE, 80));
        finds(
            ".pypirc",
            &format!("password = {pypi}\n"),
            "pypi-token",
            &pypi,
        );
    }

    #[test]
    fn several_secrets_on_one_line_and_positions() {
        let id = format!("AKIA{}", r(60, UPPER32, 16));
        let secret = r(61, BASE64, 40);
        let text = format!("x\nexport AWS_ACCESS_KEY_ID={id} AWS_SECRET_ACCESS_KEY={secret}\n");
        let s = Scanner::builtin();
        let found = s.scan(&text, FileClass::of("deploy.sh"));
        assert_eq!(found.len(), 2, "{found:?}");
        assert_eq!(&text[found[0].range.clone()], id);
        assert_eq!(&text[found[1].range.clone()], secret);
        assert_eq!(found[0].range.start, text.find(&id).unwrap());
    }

    #[test]
    fn long_lines_and_unicode_do_not_break_windows() {
        let t = format!("ghp_{}", r(62, ALNUM, 36));
        let long = format!("{}é token={t} {}\n", "ä".repeat(5000), "ö".repeat(9000));
        let found = secrets("bundle.min.js", &long);
        assert_eq!(found, vec![("github-pat".to_string(), t.clone())]);
        // Many hits of the same rule on one long line: each secret once.
        let many: String = (0..50)
            .map(|i| format!("k{i}=ghp_{} ", r(100 + i, ALNUM, 36)))
            .collect();
        assert_eq!(secrets("x.txt", &many).len(), 50);
    }

    /// The grouped SIMD searches give the hits one leftmost-longest automaton gives, restarted one
    /// byte after each hit: the same positions, and the longest keyword at each.
    #[test]
    fn grouped_search_finds_what_one_automaton_finds() {
        // Overlapping keywords of 3 to 8 bytes over a small alphabet, in more groups than one.
        let mut patterns: Vec<String> = (0..90)
            .map(|i| r(200 + i, "abcd", 3 + (i as usize % 6)))
            .collect();
        patterns.extend(["abc", "abcd", "abcdab", "bcd", "cdab"].map(String::from));
        patterns.sort_by(|a, b| (a.len() >= LONG_KEYWORD, a).cmp(&(b.len() >= LONG_KEYWORD, b)));
        patterns.dedup();
        let grouped = Literals::new(&patterns).unwrap();
        let Literals::Packed(groups) = &grouped else {
            return; // No SIMD on this CPU: there is nothing to compare.
        };
        assert!(groups.len() > 1);
        let one = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&patterns)
            .unwrap();
        for seed in 0..20 {
            let text = r(300 + seed, "abcdx", 2000);
            let bytes = text.as_bytes();
            let mut cursor = grouped.cursor();
            let (mut at, mut got) = (0, Vec::new());
            while let Some(hit) = grouped.find(bytes, at, &mut cursor) {
                got.push(hit);
                at = hit.0 + 1;
            }
            let (mut at, mut want) = (0, Vec::new());
            while let Some(m) = one.find(Input::new(bytes).span(at..bytes.len())) {
                want.push((m.start(), m.end(), m.pattern().as_usize()));
                at = m.start() + 1;
            }
            assert!(!want.is_empty());
            assert_eq!(got, want, "seed {seed}");
        }
    }

    #[test]
    fn user_rules() {
        let kw = vec!["acme_".to_string()];
        let s = Scanner::new(&[UserRule {
            id: "acme-key",
            regex: r"acme_(?P<secret>[a-z0-9]{32})",
            keywords: &kw,
        }])
        .unwrap();
        let key = r(63, "abcdefghijklmnopqrstuvwxyz0123456789", 32);
        let text = format!("ACME=acme_{key}\n");
        let found = s.scan(&text, FileClass::default());
        assert_eq!(found.len(), 1);
        assert_eq!(s.rules()[found[0].rule].id, "acme-key");
        assert_eq!(&text[found[0].range.clone()], key);
        let bad = |regex: &str, keywords: &[String]| {
            Scanner::new(&[UserRule {
                id: "x",
                regex,
                keywords,
            }])
            .unwrap_err()
        };
        assert!(bad("acme_(", &kw).message.starts_with("invalid regex"));
        assert!(bad("a*", &kw).message.contains("empty string"));
        assert!(
            bad("acme", &["ab".to_string()])
                .message
                .contains("3 characters")
        );
        let dup = Scanner::new(&[UserRule {
            id: "jwt",
            regex: "x",
            keywords: &kw,
        }])
        .unwrap_err();
        assert!(dup.message.contains("built-in"));
    }
}
