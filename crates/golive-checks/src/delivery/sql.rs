//! A small SQL tokenizer for migration files: words, quoted identifiers, numbers and
//! punctuation with their lines, split into statements at top-level `;`. Comments (`--`, `#`
//! at a line start for MySQL dumps, nested `/* */`) and string literals (`'...'` with `''`
//! escapes, `E'...'` with backslash escapes, PostgreSQL `$tag$...$tag$` bodies) are skipped,
//! so a `DROP TABLE` inside a comment, a string or a function body is never read as a statement.

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    /// A keyword or bare identifier (`text` as written).
    Word,
    /// A quoted identifier (`"name"`, `` `name` ``, `[name]`), `text` without the quotes.
    Quoted,
    Number,
    /// A string literal or dollar-quoted body (its text is not kept).
    Literal,
    /// One punctuation character: `(`, `)`, `,`, `.`, `;`, ...
    Punct,
}

/// One token and the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub text: String,
    pub line: u32,
}

impl Token {
    /// Whether the token is the keyword `kw` (case-insensitive; quoted identifiers never are).
    pub fn is(&self, kw: &str) -> bool {
        self.kind == TokenKind::Word && self.text.eq_ignore_ascii_case(kw)
    }

    /// Whether the token names something (a word or a quoted identifier).
    pub fn is_name(&self) -> bool {
        matches!(self.kind, TokenKind::Word | TokenKind::Quoted)
    }

    pub fn is_punct(&self, c: char) -> bool {
        self.kind == TokenKind::Punct && self.text.len() == c.len_utf8() && self.text.starts_with(c)
    }
}

/// A statement: its tokens (without the closing `;`), the first on its starting line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Statement {
    pub tokens: Vec<Token>,
}

impl Statement {
    pub fn line(&self) -> u32 {
        self.tokens.first().map(|t| t.line).unwrap_or(1)
    }

    /// The token at `i`, if any.
    pub fn at(&self, i: usize) -> Option<&Token> {
        self.tokens.get(i)
    }

    /// Whether the tokens from `i` on are the keywords `kws`.
    pub fn keywords_at(&self, i: usize, kws: &[&str]) -> bool {
        kws.iter()
            .enumerate()
            .all(|(k, kw)| self.at(i + k).is_some_and(|t| t.is(kw)))
    }
}

/// Splits SQL text into statements (empty statements dropped).
pub(crate) fn statements(text: &str) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut current = Vec::new();
    for token in tokenize(text) {
        if token.is_punct(';') {
            if !current.is_empty() {
                out.push(Statement {
                    tokens: std::mem::take(&mut current),
                });
            }
        } else {
            current.push(token);
        }
    }
    if !current.is_empty() {
        out.push(Statement { tokens: current });
    }
    out
}

/// The tokens of SQL text, comments dropped.
pub(crate) fn tokenize(text: &str) -> Vec<Token> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line: u32 = 1;
    // Whether only whitespace precedes `i` on its line (for `#` comments).
    let mut line_start = true;
    let count_lines = |from: usize, to: usize, line: &mut u32| {
        for c in chars.get(from..to.min(chars.len())).unwrap_or(&[]) {
            if *c == '\n' {
                *line += 1;
            }
        }
    };
    while let Some(&c) = chars.get(i) {
        let next = chars.get(i + 1).copied();
        if c == '\n' {
            line += 1;
            line_start = true;
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let at_line_start = line_start;
        line_start = false;
        // Comments.
        if (c == '-' && next == Some('-')) || (c == '#' && at_line_start) {
            while chars.get(i).is_some_and(|&c| c != '\n') {
                i += 1;
            }
            continue;
        }
        if c == '/' && next == Some('*') {
            let start = i;
            let mut depth = 0usize;
            while i < chars.len() {
                match (chars.get(i), chars.get(i + 1)) {
                    (Some('/'), Some('*')) => {
                        depth += 1;
                        i += 2;
                    }
                    (Some('*'), Some('/')) => {
                        depth = depth.saturating_sub(1);
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => i += 1,
                }
            }
            count_lines(start, i, &mut line);
            continue;
        }
        let start_line = line;
        // String literals: '...' ('' escapes), E'...' (backslash escapes).
        let escaped = (c == 'E' || c == 'e') && next == Some('\'');
        if c == '\'' || escaped {
            let start = i;
            i += if escaped { 2 } else { 1 };
            while let Some(&ch) = chars.get(i) {
                if escaped && ch == '\\' {
                    i += 2;
                    continue;
                }
                if ch == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                i += 1;
            }
            count_lines(start, i, &mut line);
            out.push(Token {
                kind: TokenKind::Literal,
                text: String::new(),
                line: start_line,
            });
            continue;
        }
        // Dollar-quoted bodies: $$...$$, $body$...$body$ (not $1 parameters).
        if c == '$'
            && let Some(tag_len) = dollar_tag(&chars, i)
        {
            let tag: Vec<char> = chars.get(i..i + tag_len).unwrap_or(&[]).to_vec();
            let start = i;
            i += tag_len;
            loop {
                if i >= chars.len() {
                    break;
                }
                if chars.get(i..i + tag_len) == Some(tag.as_slice()) {
                    i += tag_len;
                    break;
                }
                i += 1;
            }
            count_lines(start, i, &mut line);
            out.push(Token {
                kind: TokenKind::Literal,
                text: String::new(),
                line: start_line,
            });
            continue;
        }
        // Quoted identifiers.
        let close = match c {
            '"' => Some('"'),
            '`' => Some('`'),
            '[' => Some(']'),
            _ => None,
        };
        if let Some(close) = close {
            let start = i;
            i += 1;
            let mut name = String::new();
            while let Some(&ch) = chars.get(i) {
                if ch == close {
                    if chars.get(i + 1) == Some(&close) && close != ']' {
                        name.push(ch);
                        i += 2;
                        continue;
                    }
                    i += 1;
                    break;
                }
                name.push(ch);
                i += 1;
            }
            count_lines(start, i, &mut line);
            out.push(Token {
                kind: TokenKind::Quoted,
                text: name,
                line: start_line,
            });
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while chars
                .get(i)
                .is_some_and(|ch| ch.is_alphanumeric() || matches!(ch, '_' | '$'))
            {
                i += 1;
            }
            out.push(Token {
                kind: TokenKind::Word,
                text: chars.get(start..i).unwrap_or(&[]).iter().collect(),
                line: start_line,
            });
            continue;
        }
        if c.is_ascii_digit() {
            let start = i;
            while chars
                .get(i)
                .is_some_and(|ch| ch.is_ascii_alphanumeric() || *ch == '.')
            {
                i += 1;
            }
            out.push(Token {
                kind: TokenKind::Number,
                text: chars.get(start..i).unwrap_or(&[]).iter().collect(),
                line: start_line,
            });
            continue;
        }
        out.push(Token {
            kind: TokenKind::Punct,
            text: c.to_string(),
            line: start_line,
        });
        i += 1;
    }
    out
}

/// The length of a dollar-quote tag starting at `i` (`$$` is 2, `$fn$` is 4); None for `$1`.
fn dollar_tag(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while let Some(&ch) = chars.get(j) {
        if ch == '$' {
            return Some(j - i + 1);
        }
        if !(ch.is_alphanumeric() || ch == '_') || (j == i + 1 && ch.is_ascii_digit()) {
            return None;
        }
        j += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first_words(text: &str) -> Vec<(u32, String)> {
        statements(text)
            .iter()
            .map(|s| {
                let words: Vec<&str> = s.tokens.iter().take(2).map(|t| t.text.as_str()).collect();
                (s.line(), words.join(" "))
            })
            .collect()
    }

    #[test]
    fn comments_and_strings_hide_statements() {
        let sql = "-- DROP TABLE users;\n/* DROP TABLE a; /* nested */ DROP TABLE b; */\nINSERT INTO notes VALUES ('DROP TABLE x; it''s here');\n# mysql comment DROP TABLE y;\nSELECT E'\\'; DROP TABLE z';\nCREATE FUNCTION f() RETURNS void AS $body$ BEGIN DELETE FROM t; END $body$ LANGUAGE plpgsql;\nDROP TABLE real_one;\n";
        assert_eq!(
            first_words(sql),
            vec![
                (3, "INSERT INTO".to_string()),
                (5, "SELECT ".to_string()),
                (6, "CREATE FUNCTION".to_string()),
                (7, "DROP TABLE".to_string()),
            ]
        );
    }

    #[test]
    fn quoted_identifiers_and_lines() {
        let stmts =
            statements("ALTER TABLE \"Users\"\n  DROP COLUMN `e;mail`;\n\n\nTRUNCATE [log]");
        assert_eq!(stmts.len(), 2);
        let alter = &stmts[0];
        assert_eq!(alter.line(), 1);
        assert_eq!(alter.tokens[2].kind, TokenKind::Quoted);
        assert_eq!(alter.tokens[2].text, "Users");
        assert!(alter.keywords_at(3, &["drop", "column"]));
        assert_eq!(alter.tokens[5].text, "e;mail");
        assert_eq!(alter.tokens[5].line, 2);
        assert_eq!(stmts[1].line(), 5);
        assert_eq!(stmts[1].tokens[1].text, "log");
    }

    #[test]
    fn parameters_are_not_dollar_quotes_and_unterminated_input_ends() {
        let stmts = statements("UPDATE t SET a = $1 WHERE b = $2; DELETE FROM t");
        assert_eq!(stmts.len(), 2);
        assert!(!statements("SELECT 'open").is_empty());
        assert!(!statements("SELECT $x$ never closed").is_empty());
        assert!(statements("/* never closed").is_empty());
    }
}
