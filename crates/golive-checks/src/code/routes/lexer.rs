//! A small lexer for source code: identifiers, string literals (read properly, with their
//! language's quoting rules), numbers and punctuation, with comments skipped. Enough to
//! recognise route declarations without a full parser.

use golive_core::workspace::Lang;

/// What a token is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    Ident,
    /// A string literal; `text` is its value. For interpolated strings (template literals,
    /// f-strings, `$"..."`, Kotlin `"$x/y"`), `text` is the literal part after the last
    /// interpolation and the token is marked dynamic.
    Str,
    Num,
    Punct,
}

/// One token and the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Tok,
    pub text: String,
    pub line: u32,
    /// A string with interpolations: only its literal suffix is known.
    pub dynamic: bool,
}

impl Token {
    pub fn is(&self, kind: Tok, text: &str) -> bool {
        self.kind == kind && self.text == text
    }

    pub fn is_punct(&self, c: &str) -> bool {
        self.is(Tok::Punct, c)
    }

    pub fn is_ident(&self, name: &str) -> bool {
        self.is(Tok::Ident, name)
    }
}

/// Tokens of a whole file. Bounded by the file size (each token consumes at least one byte).
pub(crate) fn tokenize(text: &str, lang: Lang) -> Vec<Token> {
    Lexer {
        chars: text.chars().collect(),
        pos: 0,
        line: 1,
        lang,
        out: Vec::new(),
    }
    .run()
}

struct Lexer {
    chars: Vec<char>,
    pos: usize,
    line: u32,
    lang: Lang,
    out: Vec<Token>,
}

impl Lexer {
    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).copied()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek(0)?;
        self.pos += 1;
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    fn starts_with(&self, s: &str) -> bool {
        s.chars().enumerate().all(|(i, c)| self.peek(i) == Some(c))
    }

    fn push(&mut self, kind: Tok, text: String, line: u32, dynamic: bool) {
        self.out.push(Token {
            kind,
            text,
            line,
            dynamic,
        });
    }

    fn run(mut self) -> Vec<Token> {
        let python = self.lang == Lang::Python;
        while let Some(c) = self.peek(0) {
            let line = self.line;
            if c.is_whitespace() {
                self.bump();
            } else if (python && c == '#') || (!python && self.starts_with("//")) {
                self.skip_line();
            } else if !python && self.starts_with("/*") {
                self.skip_block_comment();
            } else if c == '@' && self.lang == Lang::CSharp && self.peek(1) == Some('"') {
                self.bump();
                self.string_with_prefix("@", line);
            } else if c == '$' && self.lang == Lang::CSharp && self.peek(1) == Some('"') {
                self.bump();
                self.string_with_prefix("$", line);
            } else if c.is_alphabetic() || c == '_' || (c == '$' && self.lang != Lang::Kotlin) {
                let ident = self.ident();
                if let Some(quote) = self.peek(0).filter(|q| *q == '"' || *q == '\'')
                    && let Some(prefix) = self.string_prefix(&ident)
                {
                    let _ = quote;
                    self.string_with_prefix(&prefix, line);
                } else {
                    self.push(Tok::Ident, ident, line, false);
                }
            } else if c.is_ascii_digit() {
                let mut n = String::new();
                while let Some(d) = self.peek(0).filter(|d| d.is_alphanumeric() || *d == '_') {
                    n.push(d);
                    self.bump();
                }
                self.push(Tok::Num, n, line, false);
            } else if c == '"' || (c == '\'' && self.lang != Lang::Rust) || c == '`' {
                self.string(line);
            } else if c == '\'' {
                self.rust_quote(line);
            } else if c == '/' && self.regex_allowed() {
                self.skip_regex();
            } else {
                self.bump();
                self.push(Tok::Punct, c.to_string(), line, false);
            }
        }
        self.out
    }

    fn ident(&mut self) -> String {
        let mut s = String::new();
        while let Some(c) = self
            .peek(0)
            .filter(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
        {
            s.push(c);
            self.bump();
        }
        s
    }

    fn skip_line(&mut self) {
        while let Some(c) = self.peek(0) {
            if c == '\n' {
                break;
            }
            self.bump();
        }
    }

    fn skip_block_comment(&mut self) {
        self.bump();
        self.bump();
        let nests = self.lang == Lang::Rust;
        let mut depth = 1usize;
        while self.peek(0).is_some() {
            if self.starts_with("*/") {
                self.bump();
                self.bump();
                depth -= 1;
                if depth == 0 {
                    return;
                }
            } else if nests && self.starts_with("/*") {
                self.bump();
                self.bump();
                depth += 1;
            } else {
                self.bump();
            }
        }
    }

    /// JavaScript regex literals (`/^\/api/`) start where an expression may start.
    fn regex_allowed(&self) -> bool {
        if !matches!(self.lang, Lang::JavaScript | Lang::TypeScript) {
            return false;
        }
        match self.out.last() {
            None => true,
            Some(t) if t.kind == Tok::Punct => {
                matches!(
                    t.text.as_str(),
                    "(" | "," | "=" | ":" | "[" | "!" | "&" | "|" | "?" | "{" | "}" | ";"
                )
            }
            Some(t) => t.kind == Tok::Ident && matches!(t.text.as_str(), "return" | "typeof"),
        }
    }

    fn skip_regex(&mut self) {
        self.bump();
        let mut in_class = false;
        while let Some(c) = self.peek(0) {
            match c {
                '\n' => return,
                '\\' => {
                    self.bump();
                }
                '[' => in_class = true,
                ']' => in_class = false,
                '/' if !in_class => {
                    self.bump();
                    while self.peek(0).is_some_and(|f| f.is_ascii_alphabetic()) {
                        self.bump();
                    }
                    return;
                }
                _ => {}
            }
            self.bump();
        }
    }

    /// The prefix of a prefixed string literal (`r"..."`, `f'...'`, `b"..."`), when `ident`
    /// is one in this language.
    fn string_prefix(&self, ident: &str) -> Option<String> {
        let lower = ident.to_ascii_lowercase();
        let ok = match self.lang {
            Lang::Python => {
                lower.len() <= 2 && lower.chars().all(|c| matches!(c, 'r' | 'b' | 'u' | 'f'))
            }
            Lang::Rust => matches!(ident, "r" | "b" | "br" | "c" | "cr"),
            Lang::Go => false,
            _ => false,
        };
        ok.then_some(lower)
    }

    /// Rust: `r"..."`/`r#"..."#` raw strings, `b"..."`.
    fn string_with_prefix(&mut self, prefix: &str, line: u32) {
        if self.lang == Lang::Rust && prefix.contains('r') {
            // Raw string: r#*"..."#*
            let mut hashes = 0;
            while self.peek(0) == Some('#') {
                hashes += 1;
                self.bump();
            }
            if self.peek(0) != Some('"') {
                return;
            }
            self.bump();
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let mut s = String::new();
            while self.peek(0).is_some() {
                if self.starts_with(&close) {
                    for _ in 0..close.chars().count() {
                        self.bump();
                    }
                    break;
                }
                if let Some(c) = self.bump() {
                    s.push(c);
                }
            }
            self.push(Tok::Str, s, line, false);
            return;
        }
        match self.lang {
            Lang::Python => {
                let raw = prefix.contains('r');
                let f = prefix.contains('f');
                self.quoted(line, raw, f, false);
            }
            Lang::CSharp => {
                if prefix == "@" {
                    self.csharp_verbatim(line);
                } else {
                    self.quoted(line, false, true, false);
                }
            }
            _ => self.quoted(line, false, false, false),
        }
    }

    fn string(&mut self, line: u32) {
        let Some(q) = self.peek(0) else { return };
        match (self.lang, q) {
            (Lang::Go, '`') => {
                self.bump();
                let mut s = String::new();
                while let Some(c) = self.bump() {
                    if c == '`' {
                        break;
                    }
                    s.push(c);
                }
                self.push(Tok::Str, s, line, false);
            }
            (Lang::JavaScript | Lang::TypeScript, '`') => self.quoted(line, false, true, true),
            (Lang::Python, _) => self.quoted(line, false, false, false),
            (Lang::Kotlin, '"') => self.quoted(line, self.starts_with("\"\"\""), true, false),
            (_, '`') => {
                self.bump();
                self.push(Tok::Punct, "`".into(), line, false);
            }
            _ => self.quoted(line, false, false, false),
        }
    }

    /// A quoted string at the current position (single, double or triple quotes). `interp`:
    /// `${...}`/`{...}`/`$name` interpolations make it dynamic (the language decides which).
    fn quoted(&mut self, line: u32, raw: bool, interp: bool, template: bool) {
        let Some(q) = self.peek(0) else { return };
        let triple = self.peek(1) == Some(q) && self.peek(2) == Some(q);
        let close: String = if triple {
            std::iter::repeat_n(q, 3).collect()
        } else {
            q.to_string()
        };
        for _ in 0..close.chars().count() {
            self.bump();
        }
        let mut s = String::new();
        let mut dynamic = false;
        let lang = self.lang;
        while let Some(c) = self.peek(0) {
            if self.starts_with(&close) {
                for _ in 0..close.chars().count() {
                    self.bump();
                }
                break;
            }
            if c == '\n' && !triple && !template {
                break;
            }
            if c == '\\' && !raw {
                self.bump();
                if let Some(e) = self.bump() {
                    s.push(match e {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                }
                continue;
            }
            if interp {
                let opens = match lang {
                    Lang::JavaScript | Lang::TypeScript => self.starts_with("${"),
                    Lang::Kotlin => self.starts_with("${"),
                    Lang::Python | Lang::CSharp => c == '{' && self.peek(1) != Some('{'),
                    _ => false,
                };
                if opens {
                    dynamic = true;
                    s.clear();
                    self.skip_braces();
                    continue;
                }
                if matches!(lang, Lang::Python | Lang::CSharp) && self.starts_with("{{") {
                    self.bump();
                    self.bump();
                    s.push('{');
                    continue;
                }
                if lang == Lang::Kotlin
                    && c == '$'
                    && self.peek(1).is_some_and(|n| n.is_alphabetic() || n == '_')
                {
                    dynamic = true;
                    s.clear();
                    self.bump();
                    while self
                        .peek(0)
                        .is_some_and(|n| n.is_alphanumeric() || n == '_')
                    {
                        self.bump();
                    }
                    continue;
                }
            }
            self.bump();
            s.push(c);
        }
        self.push(Tok::Str, s, line, dynamic);
    }

    /// Skips `{ ... }` (or `${ ... }`) with nesting.
    fn skip_braces(&mut self) {
        while let Some(c) = self.bump() {
            if c == '{' {
                break;
            }
        }
        let mut depth = 1usize;
        while let Some(c) = self.bump() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    fn csharp_verbatim(&mut self, line: u32) {
        self.bump();
        let mut s = String::new();
        while let Some(c) = self.bump() {
            if c == '"' {
                if self.peek(0) == Some('"') {
                    self.bump();
                    s.push('"');
                    continue;
                }
                break;
            }
            s.push(c);
        }
        self.push(Tok::Str, s, line, false);
    }

    /// Rust `'x'` char literals, `'\n'`, and lifetimes (`'a`, kept as punctuation).
    fn rust_quote(&mut self, line: u32) {
        self.bump();
        if self.peek(0) == Some('\\') {
            while let Some(c) = self.bump() {
                if c == '\'' {
                    break;
                }
            }
            self.push(Tok::Str, String::new(), line, false);
        } else if self.peek(1) == Some('\'') {
            let c = self.bump().unwrap_or(' ');
            self.bump();
            self.push(Tok::Str, c.to_string(), line, false);
        } else {
            self.push(Tok::Punct, "'".into(), line, false);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str, lang: Lang) -> Vec<(Tok, String)> {
        tokenize(src, lang)
            .into_iter()
            .map(|t| (t.kind, t.text))
            .collect()
    }

    fn strings(src: &str, lang: Lang) -> Vec<(String, bool)> {
        tokenize(src, lang)
            .into_iter()
            .filter(|t| t.kind == Tok::Str)
            .map(|t| (t.text, t.dynamic))
            .collect()
    }

    #[test]
    fn go_raw_strings_and_comments() {
        let src =
            "// r.HandleFunc(\"/commented\")\n/* \"/block\" */ r.HandleFunc(`/raw`, h) \"a\\\"b\"";
        assert_eq!(
            strings(src, Lang::Go),
            vec![("/raw".into(), false), ("a\"b".into(), false)]
        );
        assert_eq!(tokenize(src, Lang::Go)[0].line, 2);
    }

    #[test]
    fn python_prefixes_triple_quotes_and_fstrings() {
        let src = "# '/no'\n@app.get(r'/a\\d')\n\"\"\"doc /x\"\"\"\nf\"{PREFIX}/healthz\"\nb'/b'";
        assert_eq!(
            strings(src, Lang::Python),
            vec![
                ("/a\\d".into(), false),
                ("doc /x".into(), false),
                ("/healthz".into(), true),
                ("/b".into(), false)
            ]
        );
    }

    #[test]
    fn js_templates_and_regexes() {
        let src = "app.get(`/plain`); app.get(`${base}/health`); const re = /\\/\"x/; // c\n'y'";
        assert_eq!(
            strings(src, Lang::JavaScript),
            vec![
                ("/plain".into(), false),
                ("/health".into(), true),
                ("y".into(), false)
            ]
        );
        // Division is not a regex.
        assert_eq!(
            texts("a / b / 'c'", Lang::JavaScript).last(),
            Some(&(Tok::Str, "c".into()))
        );
    }

    #[test]
    fn rust_raw_strings_chars_and_lifetimes() {
        let src = "fn f<'a>(x: &'a str) { let c = 'x'; r#\"/raw\"#; \"/s\" /* /* nested */ */ }";
        assert_eq!(
            strings(src, Lang::Rust),
            vec![
                ("x".into(), false),
                ("/raw".into(), false),
                ("/s".into(), false)
            ]
        );
    }

    #[test]
    fn csharp_and_kotlin_interpolation() {
        assert_eq!(
            strings("app.MapGet($\"{p}/h\"); @\"c:\\x\"\"y\"", Lang::CSharp),
            vec![("/h".into(), true), ("c:\\x\"y".into(), false)]
        );
        assert_eq!(
            strings("get(\"$base/live\") get(\"/a\")", Lang::Kotlin),
            vec![("/live".into(), true), ("/a".into(), false)]
        );
    }
}
