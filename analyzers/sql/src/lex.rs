//! A small, tolerant SQL tokenizer, and the statement splitter built on it.
//!
//! It never fails and never panics: unterminated strings, comments and
//! dollar quotes simply run to the end of the text. Token boundaries always
//! fall on ASCII bytes (or the ends of the text), so slicing the source with
//! them is always valid UTF-8; [`Token::text`] still uses `str::get` so a
//! mistake here can never become a panic.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Unquoted identifier or keyword (may contain non-ASCII letters).
    Word,
    /// Quoted identifier: `"x"` or `` `x` ``.
    Quoted,
    /// String literal (also `E'..'`, `$tag$..$tag$`).
    Str,
    /// Numeric literal.
    Num,
    /// Bind parameter: `$1`, `?`, `:name`, `@p1`.
    Param,
    /// `::` (PostgreSQL cast).
    Cast,
    /// Any other single ASCII character.
    Punct(u8),
}

/// One token: its kind and byte range in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// The token's text (empty if the range were ever invalid).
    pub fn text(self, src: &str) -> &str {
        src.get(self.start..self.end).unwrap_or("")
    }

    /// True for an unquoted word equal (ASCII case-insensitively) to `kw`.
    pub fn is_kw(self, src: &str, kw: &str) -> bool {
        self.kind == Kind::Word && self.text(src).eq_ignore_ascii_case(kw)
    }

    /// True for the punctuation character `c`.
    pub fn is_punct(self, c: u8) -> bool {
        self.kind == Kind::Punct(c)
    }
}

/// Lexing rules that differ between dialects.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct LexRules {
    /// MySQL: `\` escapes inside every string, and `#` starts a comment.
    pub mysql: bool,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b >= 0x80
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b >= 0x80
}

/// Tokenize the whole text. Comments and whitespace are dropped.
pub(crate) fn tokenize(src: &str, rules: LexRules) -> Vec<Token> {
    let b = src.as_bytes();
    let n = b.len();
    let mut out = Vec::with_capacity(n / 4 + 1);
    let mut i = 0;
    while i < n {
        let c = b[i];
        let start = i;
        let kind = match c {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => {
                i += 1;
                continue;
            }
            b'-' if b.get(i + 1) == Some(&b'-') => {
                i = skip_line(b, i);
                continue;
            }
            b'#' if rules.mysql => {
                i = skip_line(b, i);
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = skip_block_comment(b, i);
                continue;
            }
            b'\'' => {
                i = skip_string(b, i, rules.mysql);
                Kind::Str
            }
            b'"' | b'`' => {
                i = skip_quoted(b, i, c);
                Kind::Quoted
            }
            b'$' => match b.get(i + 1) {
                Some(d) if d.is_ascii_digit() => {
                    i += 1;
                    while i < n && b[i].is_ascii_digit() {
                        i += 1;
                    }
                    Kind::Param
                }
                _ => match dollar_tag_end(b, i) {
                    Some(tag_end) => {
                        i = skip_dollar_quoted(src, i, tag_end);
                        Kind::Str
                    }
                    None => {
                        i += 1;
                        while i < n && is_ident_char(b[i]) && b[i] != b'$' {
                            i += 1;
                        }
                        Kind::Param
                    }
                },
            },
            b'?' => {
                i += 1;
                Kind::Param
            }
            b':' => match b.get(i + 1) {
                Some(b':') => {
                    i += 2;
                    Kind::Cast
                }
                Some(&d) if is_ident_start(d) => {
                    i += 1;
                    while i < n && is_ident_char(b[i]) {
                        i += 1;
                    }
                    Kind::Param
                }
                _ => {
                    i += 1;
                    Kind::Punct(b':')
                }
            },
            b'@' => {
                i += 1;
                while i < n && (is_ident_char(b[i]) || b[i] == b'@') {
                    i += 1;
                }
                if i == start + 1 {
                    Kind::Punct(b'@')
                } else {
                    Kind::Param
                }
            }
            b'0'..=b'9' => {
                while i < n && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'_') {
                    i += 1;
                }
                Kind::Num
            }
            _ if is_ident_start(c) => {
                while i < n && is_ident_char(b[i]) {
                    i += 1;
                }
                // String prefixes: E'..' (escapes), B'..', X'..', N'..'.
                if i - start == 1 && b.get(i) == Some(&b'\'') && b"eEbBxXnN".contains(&c) {
                    let esc = rules.mysql || c == b'e' || c == b'E';
                    i = skip_string(b, i, esc);
                    Kind::Str
                } else {
                    Kind::Word
                }
            }
            _ => {
                i += 1;
                Kind::Punct(c)
            }
        };
        out.push(Token {
            kind,
            start,
            end: i.min(n),
        });
    }
    out
}

fn skip_line(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i] != b'\n' {
        i += 1;
    }
    i
}

/// `/* ... */`, nested as in PostgreSQL; unterminated runs to the end.
fn skip_block_comment(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while i < b.len() {
        if b[i] == b'/' && b.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if b[i] == b'*' && b.get(i + 1) == Some(&b'/') {
            depth = depth.saturating_sub(1);
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    b.len()
}

/// A `'...'` string starting at `i` (the quote). `''` is an escaped quote;
/// with `backslash`, so is `\'`.
fn skip_string(b: &[u8], mut i: usize, backslash: bool) -> usize {
    i += 1;
    while i < b.len() {
        match b[i] {
            b'\\' if backslash => i += 2,
            b'\'' if b.get(i + 1) == Some(&b'\'') => i += 2,
            b'\'' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// A quoted identifier; the quote is escaped by doubling it.
fn skip_quoted(b: &[u8], mut i: usize, q: u8) -> usize {
    i += 1;
    while i < b.len() {
        if b[i] == q {
            if b.get(i + 1) == Some(&q) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

/// If a dollar-quote opening tag (`$$` or `$tag$`) starts at `i`, the index
/// just past it.
fn dollar_tag_end(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    if b.get(j).is_some_and(|&c| is_ident_start(c)) {
        while j < b.len() && is_ident_char(b[j]) && b[j] != b'$' {
            j += 1;
        }
    }
    (b.get(j) == Some(&b'$')).then_some(j + 1)
}

/// Skip a dollar-quoted string whose opening tag spans `i..tag_end`.
fn skip_dollar_quoted(src: &str, i: usize, tag_end: usize) -> usize {
    let (Some(tag), Some(rest)) = (src.get(i..tag_end), src.get(tag_end..)) else {
        return src.len();
    };
    match rest.find(tag) {
        Some(k) => tag_end + k + tag.len(),
        None => src.len(),
    }
}

/// One statement of a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stmt {
    /// 1-based line of its first token.
    pub line: u32,
    /// Byte range of its text (first token start .. last token end).
    pub start: usize,
    pub end: usize,
    /// Range of its tokens in the token vector.
    pub tok_start: usize,
    pub tok_end: usize,
}

/// Split a token stream into statements at `;`. Empty statements are
/// dropped. Runs in one pass over the text (line counting included).
pub(crate) fn split(src: &str, toks: &[Token]) -> Vec<Stmt> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut line: u32 = 1;
    let mut counted = 0usize; // bytes of `src` whose newlines are in `line`
    let mut first: Option<usize> = None;
    for (k, t) in toks.iter().enumerate() {
        if t.is_punct(b';') {
            if let Some(f) = first.take() {
                push_stmt(&mut out, b, toks, f, k, &mut line, &mut counted);
            }
        } else if first.is_none() {
            first = Some(k);
        }
    }
    if let Some(f) = first {
        push_stmt(&mut out, b, toks, f, toks.len(), &mut line, &mut counted);
    }
    out
}

fn push_stmt(
    out: &mut Vec<Stmt>,
    b: &[u8],
    toks: &[Token],
    first: usize,
    end: usize,
    line: &mut u32,
    counted: &mut usize,
) {
    let (Some(ft), Some(lt)) = (toks.get(first), toks.get(end.saturating_sub(1))) else {
        return;
    };
    let upto = ft.start.min(b.len());
    if upto > *counted {
        let nl = b[*counted..upto].iter().filter(|&&c| c == b'\n').count();
        *line = line.saturating_add(u32::try_from(nl).unwrap_or(u32::MAX));
        *counted = upto;
    }
    out.push(Stmt {
        line: *line,
        start: ft.start,
        end: lt.end,
        tok_start: first,
        tok_end: end,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(Kind, &str)> {
        tokenize(src, LexRules::default())
            .into_iter()
            .map(|t| (t.kind, t.text(src)))
            .collect()
    }

    #[test]
    fn skips_strings_comments_and_dollar_quotes() {
        let src = "SELECT 'a;b''c' -- x;y\n, $$ ; $$, $f$ ; $f$ /* ; /* ; */ */ FROM \"T;\"";
        let k = kinds(src);
        assert_eq!(
            k,
            vec![
                (Kind::Word, "SELECT"),
                (Kind::Str, "'a;b''c'"),
                (Kind::Punct(b','), ","),
                (Kind::Str, "$$ ; $$"),
                (Kind::Punct(b','), ","),
                (Kind::Str, "$f$ ; $f$"),
                (Kind::Word, "FROM"),
                (Kind::Quoted, "\"T;\""),
            ]
        );
    }

    #[test]
    fn params_and_casts() {
        let k = kinds("a = $1 and b = ? and c = :name and d = @p1 and e::int");
        let params: Vec<&str> = k
            .iter()
            .filter(|(k, _)| *k == Kind::Param)
            .map(|(_, t)| *t)
            .collect();
        assert_eq!(params, vec!["$1", "?", ":name", "@p1"]);
        assert!(k.contains(&(Kind::Cast, "::")));
    }

    #[test]
    fn escape_strings() {
        let k = kinds(r"SELECT E'it\'s', 'x'");
        assert_eq!(k[1], (Kind::Str, r"E'it\'s'"));
        assert_eq!(k[3], (Kind::Str, "'x'"));
        let src = r"SELECT 'it\'s' # c";
        let t = tokenize(src, LexRules { mysql: true });
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].text(src), r"'it\'s'");
    }

    #[test]
    fn unterminated_runs_to_end() {
        assert!(tokenize("/* abc /* */", LexRules::default()).is_empty());
        for src in ["'abc", "\"abc", "$$abc", "$t$abc $x$", "E'\\"] {
            let t = tokenize(src, LexRules::default());
            assert_eq!(t.last().map(|t| t.end), Some(src.len()), "{src}");
        }
    }

    #[test]
    fn split_lines() {
        let src = "-- head\nCREATE TABLE a (x int);\n\n  INSERT INTO a VALUES (';');;\nSELECT 1";
        let toks = tokenize(src, LexRules::default());
        let s: Vec<(u32, &str)> = split(src, &toks)
            .iter()
            .map(|s| (s.line, &src[s.start..s.end]))
            .collect();
        assert_eq!(
            s,
            vec![
                (2, "CREATE TABLE a (x int)"),
                (4, "INSERT INTO a VALUES (';')"),
                (5, "SELECT 1"),
            ]
        );
    }

    #[test]
    fn non_ascii_never_splits_a_char() {
        let src = "SELECT «é» FROM tàble WHERE x = 'ü' AND ñ=1 $é$ x $é$ :é @é";
        for t in tokenize(src, LexRules::default()) {
            assert!(src.get(t.start..t.end).is_some());
        }
    }
}
