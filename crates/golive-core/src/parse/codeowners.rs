//! CODEOWNERS parsing (GitHub and GitLab syntax): ownership rules, GitLab sections, and problems.
//!
//! * `#` starts a comment at the start of a line or at the start of a word after the pattern
//!   (`docs/ @team # reviewers`); `\#` and `\ ` put a literal `#` or space in a pattern. Other
//!   backslash escapes are kept as written (they mean something to the glob).
//! * GitLab section headers — `[Section]`, `^[Optional]`, `[Section][2]`, each optionally followed
//!   by default owners — start a section; a rule in it without owners gets the section's default
//!   owners.
//! * Owners are `@user`, `@org/team` (GitLab: `@group/subgroup`), GitLab roles (`@@maintainer`)
//!   or email addresses. Any other word is reported as a [`Problem`] and not kept as an owner.
//! * A rule left without owners is kept with an empty owner list: GitHub then treats its paths as
//!   owned by nobody.

/// A parsed CODEOWNERS file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Codeowners {
    /// Rules in file order (later rules take precedence in GitHub and within a GitLab section).
    pub rules: Vec<OwnerRule>,
    pub problems: Vec<Problem>,
}

/// One `pattern owner…` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerRule {
    /// The path pattern with `\#` and `\ ` unescaped.
    pub pattern: String,
    /// Valid owners, in order; the section's default owners when the line has none; may be empty.
    pub owners: Vec<String>,
    /// 1-based line and character column of the pattern.
    pub line: u32,
    pub column: u32,
    /// The GitLab section the rule is in (name as written), `None` before any section header.
    pub section: Option<String>,
}

/// Words of a line with their 1-based columns.
type Words = Vec<(String, u32)>;

/// Something wrong with a line, at a 1-based line and character column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Patterns that match every file of the repository: `*` and `**` (a slash-less pattern matches at
/// any depth), `/**`, `**/*` and `/**/*`. `/*` is not one of them: in CODEOWNERS it matches only
/// files at the root (as `docs/*` matches only files directly in `docs`).
const CATCH_ALL: &[&str] = &["*", "**", "/**", "**/*", "/**/*"];

/// Parses a CODEOWNERS file. Never fails: what cannot be read becomes a [`Problem`].
pub fn parse(text: &str) -> Codeowners {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut result = Codeowners::default();
    let mut section: Option<String> = None;
    let mut defaults: Vec<String> = Vec::new();

    for (index, raw) in text.lines().enumerate() {
        let line = u32::try_from(index).unwrap_or(u32::MAX - 1) + 1;
        let raw = raw.trim_end_matches('\r');
        let trimmed = raw.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = raw.chars().count().saturating_sub(trimmed.chars().count());

        if trimmed.starts_with('[') || trimmed.starts_with("^[") {
            match section_header(trimmed, indent) {
                Ok((name, owner_words)) => {
                    defaults = owners_of(&owner_words, line, &mut result.problems);
                    section = Some(name);
                }
                Err((column, message)) => result.problems.push(Problem {
                    line,
                    column,
                    message,
                }),
            }
            continue;
        }

        let words = words(trimmed, indent);
        let Some((pattern, column)) = words.first().cloned() else {
            continue;
        };
        let mut owners = owners_of(words.get(1..).unwrap_or(&[]), line, &mut result.problems);
        if owners.is_empty() {
            owners = defaults.clone();
        }
        result.rules.push(OwnerRule {
            pattern,
            owners,
            line,
            column,
            section: section.clone(),
        });
    }
    result
}

impl OwnerRule {
    /// Whether the pattern matches every file of the repository (`*`, `**`, `/**`, `**/*`, `/**/*`).
    pub fn is_catch_all(&self) -> bool {
        CATCH_ALL.contains(&self.pattern.as_str())
    }
}

impl Codeowners {
    /// The rule that gives every file of the repository a fallback owner: a catch-all pattern
    /// (`*`, `**`, `/**`, `**/*`, `/**/*`; not `/*`, which covers root files only) with at least
    /// one owner. Only the last catch-all of a section counts, since a later one overrides it
    /// (GitHub has a single section; GitLab sections each assign owners independently). More
    /// specific rules after it may still leave some paths without owners.
    pub fn covers_everything(&self) -> Option<&OwnerRule> {
        let mut last_per_section: Vec<(Option<String>, &OwnerRule)> = Vec::new();
        for rule in self.rules.iter().filter(|r| r.is_catch_all()) {
            let key = rule.section.as_deref().map(str::to_lowercase);
            match last_per_section.iter_mut().find(|(k, _)| *k == key) {
                Some(entry) => entry.1 = rule,
                None => last_per_section.push((key, rule)),
            }
        }
        last_per_section
            .into_iter()
            .map(|(_, rule)| rule)
            .find(|rule| !rule.owners.is_empty())
    }
}

/// Splits a line into words with their 1-based columns, stopping at a word that starts with an
/// unescaped `#`. `\#` and `\ ` (or `\` + tab) become the bare character.
fn words(text: &str, indent: usize) -> Words {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut start: Option<usize> = None;
    let mut chars = text.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            if let Some(s) = start.take() {
                words.push((std::mem::take(&mut word), column(indent + s)));
            }
            continue;
        }
        if start.is_none() {
            if c == '#' {
                break;
            }
            start = Some(i);
        }
        if c == '\\' {
            match chars.peek() {
                Some(&(_, next)) if next == '#' || next == ' ' || next == '\t' => {
                    word.push(next);
                    chars.next();
                }
                _ => word.push(c),
            }
        } else {
            word.push(c);
        }
    }
    if let Some(s) = start {
        words.push((word, column(indent + s)));
    }
    words
}

fn column(chars_before: usize) -> u32 {
    u32::try_from(chars_before).unwrap_or(u32::MAX - 1) + 1
}

/// Keeps the valid owners and reports the other words.
fn owners_of(words: &[(String, u32)], line: u32, problems: &mut Vec<Problem>) -> Vec<String> {
    let mut owners = Vec::new();
    for (word, column) in words {
        if is_owner(word) {
            owners.push(word.clone());
        } else {
            problems.push(Problem {
                line,
                column: *column,
                message: format!("`{word}` is not an owner: use @user, @org/team or an email"),
            });
        }
    }
    owners
}

fn is_owner(word: &str) -> bool {
    let name = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    if let Some(role) = word.strip_prefix("@@") {
        return name(role);
    }
    if let Some(handle) = word.strip_prefix('@') {
        return handle.split('/').all(name);
    }
    is_email(word)
}

fn is_email(word: &str) -> bool {
    let Some((local, domain)) = word.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !local.contains(['<', '>', '(', ')', ',', ';', ':', '"', '[', ']'])
        && domain.contains('.')
        && domain.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
}

/// A GitLab section header: `[^][Name][N] owners…`. Returns the name and the owner words, or the
/// column and message of what is wrong.
fn section_header(text: &str, indent: usize) -> Result<(String, Words), (u32, String)> {
    let optional = text.starts_with('^');
    let offset = usize::from(optional);
    let body = text.get(offset..).unwrap_or("");
    let inner = body.strip_prefix('[').unwrap_or(body);
    let Some((name, after)) = inner.split_once(']') else {
        return Err((
            column(indent),
            "section header has no closing `]`".to_string(),
        ));
    };
    let name = name.trim();
    if name.is_empty() {
        return Err((
            column(indent),
            "section header has an empty name".to_string(),
        ));
    }
    let mut rest = after;
    if let Some(count) = rest.strip_prefix('[') {
        let Some((approvals, after_count)) = count.split_once(']') else {
            return Err((
                column(indent),
                format!("section `{name}`: approval count has no closing `]`"),
            ));
        };
        if approvals.is_empty() || !approvals.chars().all(|c| c.is_ascii_digit()) {
            return Err((
                column(indent),
                format!("section `{name}`: approval count `{approvals}` is not a number"),
            ));
        }
        rest = after_count;
    }
    let consumed = text.chars().count().saturating_sub(rest.chars().count());
    Ok((name.to_string(), words(rest, indent + consumed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_style_file() {
        let text = "# Lines starting with '#' are comments.\n\
\n\
*       @acme/platform-team\n\
*.js    @octocat @acme/frontend # JS reviewers\n\
/docs/  docs@example.com\n\
/build/logs/\n\
apps/   @doctocat\n";
        let co = parse(text);
        assert!(co.problems.is_empty(), "{:?}", co.problems);
        assert_eq!(co.rules.len(), 5);
        let star = &co.rules[0];
        assert_eq!(star.pattern, "*");
        assert_eq!(star.owners, ["@acme/platform-team"]);
        assert_eq!((star.line, star.column), (3, 1));
        assert_eq!(star.section, None);
        assert_eq!(co.rules[1].owners, ["@octocat", "@acme/frontend"]);
        assert_eq!(co.rules[2].owners, ["docs@example.com"]);
        assert_eq!(co.rules[3].pattern, "/build/logs/");
        assert!(co.rules[3].owners.is_empty());
        assert_eq!(co.rules[4].line, 7);
        assert_eq!(co.covers_everything().map(|r| r.line), Some(3));
    }

    #[test]
    fn escapes_and_columns() {
        let text = "  \\#notes.md @alice\r\nmy\\ file.txt  @bob\r\nsrc/\\*.rs @carol\r\n";
        let co = parse(text);
        assert_eq!(co.rules[0].pattern, "#notes.md");
        assert_eq!((co.rules[0].line, co.rules[0].column), (1, 3));
        assert_eq!(co.rules[0].owners, ["@alice"]);
        assert_eq!(co.rules[1].pattern, "my file.txt");
        assert_eq!(co.rules[1].owners, ["@bob"]);
        assert_eq!(co.rules[2].pattern, "src/\\*.rs");
        assert_eq!(co.covers_everything(), None);
    }

    #[test]
    fn invalid_owners_are_problems() {
        let co = parse("/api/ @backend alice team/x @ci-bot\n");
        assert_eq!(co.rules[0].owners, ["@backend", "@ci-bot"]);
        assert_eq!(co.problems.len(), 2);
        assert_eq!(co.problems[0].line, 1);
        assert_eq!(co.problems[0].column, 16);
        assert_eq!(
            co.problems[0].message,
            "`alice` is not an owner: use @user, @org/team or an email"
        );
        assert_eq!(co.problems[1].column, 22);
        assert!(co.problems[1].message.starts_with("`team/x`"));

        let co = parse("* @ user@ @a//b x@y\n");
        assert!(co.rules[0].owners.is_empty());
        assert_eq!(co.problems.len(), 4);
        // A catch-all without valid owners does not cover anything.
        assert_eq!(co.covers_everything(), None);
    }

    #[test]
    fn gitlab_sections_with_default_owners() {
        let text = "[Documentation] @docs-team\n\
docs/\n\
README.md @tech-writer\n\
\n\
^[Optional Review][2] @reviewers # optional\n\
*.go\n\
\n\
[Database][1]\n\
db/ @dba\n\
migrations/\n";
        let co = parse(text);
        assert!(co.problems.is_empty(), "{:?}", co.problems);
        let summary: Vec<(&str, Vec<&str>, Option<&str>)> = co
            .rules
            .iter()
            .map(|r| {
                (
                    r.pattern.as_str(),
                    r.owners.iter().map(String::as_str).collect(),
                    r.section.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("docs/", vec!["@docs-team"], Some("Documentation")),
                ("README.md", vec!["@tech-writer"], Some("Documentation")),
                ("*.go", vec!["@reviewers"], Some("Optional Review")),
                ("db/", vec!["@dba"], Some("Database")),
                ("migrations/", vec![], Some("Database")),
            ]
        );
    }

    #[test]
    fn gitlab_roles_nested_groups_and_bad_headers() {
        let co = parse("[Backend] @@maintainer @acme/backend/core\n* \n[Broken\n[Count][x] @a\n");
        assert_eq!(co.rules.len(), 1);
        assert_eq!(co.rules[0].owners, ["@@maintainer", "@acme/backend/core"]);
        assert_eq!(co.covers_everything().map(|r| r.line), Some(2));
        assert_eq!(co.problems.len(), 2);
        assert_eq!(co.problems[0].line, 3);
        assert!(co.problems[0].message.contains("closing"));
        assert_eq!(co.problems[1].line, 4);
        assert!(co.problems[1].message.contains("not a number"));
    }

    #[test]
    fn header_owner_problem_columns() {
        let co = parse("[Ops] nobody @ops\n");
        assert_eq!(co.problems.len(), 1);
        assert_eq!((co.problems[0].line, co.problems[0].column), (1, 7));
    }

    #[test]
    fn which_patterns_cover_everything() {
        assert_eq!(parse("/* @root-files\n").covers_everything(), None);
        assert_eq!(parse("/docs/** @docs\n").covers_everything(), None);
        for pattern in ["*", "**", "/**", "**/*", "/**/*"] {
            let co = parse(&format!("{pattern} @owner\n"));
            assert_eq!(
                co.covers_everything().map(|r| r.pattern.as_str()),
                Some(pattern)
            );
        }
        // A later catch-all without owners takes ownership away again.
        assert_eq!(parse("* @a\n/src/ @b\n*\n").covers_everything(), None);
        // An ownerless catch-all followed by an owned one is fine.
        let co = parse("*\n** @b\n");
        assert_eq!(co.covers_everything().map(|r| r.line), Some(2));
        // GitLab: a catch-all in any section counts.
        let co = parse("[A]\n*\n[B]\n* @b\n");
        assert_eq!(co.covers_everything().map(|r| r.line), Some(4));
    }

    #[test]
    fn empty_and_odd_input() {
        assert_eq!(parse(""), Codeowners::default());
        let co = parse("\u{feff}# only a comment\n   \n\\\n^\n[]\n");
        let patterns: Vec<&str> = co.rules.iter().map(|r| r.pattern.as_str()).collect();
        assert_eq!(patterns, ["\\", "^"]);
        assert_eq!(co.problems.len(), 1);
        assert_eq!(co.problems[0].line, 5);
        assert!(co.problems[0].message.contains("empty name"));
    }
}
