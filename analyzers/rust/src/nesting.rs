//! The nesting guard: [`too_deep`] rejects a source whose token trees nest
//! deeper than [`MAX_NESTING`](crate::MAX_NESTING) before `syn` recurses
//! into it.
//!
//! Only brackets that are tokens count. A light lexer skips what the Rust
//! lexer skips or keeps whole: line, block (nested) and doc comments,
//! string, raw string, byte string, C string and char literals, so ASCII
//! art in a comment or a long bracket-heavy SQL string never trips it. A
//! lifetime or label (`'a`) is told from a char literal (`'a'`) by its
//! missing closing quote. An unterminated literal or comment runs to the
//! end of the file (`syn` then reports the error itself).

use crate::{MAX_NESTING, ParseError};

/// The first place where token trees nest deeper than [`MAX_NESTING`].
pub(crate) fn too_deep(source: &str) -> Option<ParseError> {
    let b = source.as_bytes();
    // Nesting cannot go deeper than there are opening brackets: a source
    // with few (most files) needs no lexing. The count runs on bytes (255
    // at a time, so that a byte counter cannot overflow), which the
    // compiler turns into vector code.
    let mut opening = 0usize;
    for chunk in b.chunks(255) {
        opening += usize::from(
            chunk
                .iter()
                .fold(0u8, |n, &c| n + u8::from(matches!(c, b'(' | b'[' | b'{'))),
        );
        if opening > MAX_NESTING {
            break;
        }
    }
    if opening <= MAX_NESTING {
        return None;
    }
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        i = match c {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Some(error_at(source, i));
                }
                i + 1
            }
            // (A closing bracket at depth 0 stays at 0.)
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                i + 1
            }
            b'/' => match b.get(i + 1) {
                Some(b'/') => line_comment_end(b, i + 2),
                Some(b'*') => block_comment_end(b, i + 2),
                _ => i + 1,
            },
            b'"' => string_end(b, i + 1),
            b'\'' => char_or_lifetime_end(b, i),
            b'r' | b'b' | b'c' if !continues_identifier(b, i) => prefixed_literal_end(b, i),
            _ => plain_end(b, i + 1),
        };
    }
    None
}

/// Bytes at which [`too_deep`]'s lexer does something (brackets, comment,
/// quote and literal-prefix starts); every other byte is skipped.
const ACTIVE: [bool; 256] = {
    let mut t = [false; 256];
    let active = b"()[]{}/\"'rbc";
    let mut k = 0;
    while k < active.len() {
        t[active[k] as usize] = true;
        k += 1;
    }
    t
};

/// From `i` (> 0): the first byte that is [`ACTIVE`] (or the end), an `r`,
/// `b` or `c` inside an identifier or number excepted (it starts no literal:
/// [`too_deep`] would skip it too, one byte at a time).
fn plain_end(b: &[u8], mut i: usize) -> usize {
    while let Some(&c) = b.get(i) {
        if ACTIVE[usize::from(c)]
            && !(matches!(c, b'r' | b'b' | b'c') && continues_identifier(b, i))
        {
            return i;
        }
        i += 1;
    }
    b.len()
}

/// Byte offsets of the line starts at top level that follow the end of an
/// item (a `}` closing to depth 0 or a `;` at depth 0, then only blanks or
/// a line comment to the end of the line), with the lexer of [`too_deep`]:
/// where [`crate::pieces`] may cut a file.
pub(crate) fn item_starts(source: &str) -> Vec<usize> {
    let b = source.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    // The last token at depth 0 ended an item.
    let mut ended = false;
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        i = match c {
            b'(' | b'[' | b'{' => {
                depth += 1;
                ended = false;
                i + 1
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                ended = depth == 0 && c == b'}';
                i + 1
            }
            b';' => {
                ended = depth == 0;
                i + 1
            }
            b'\n' => {
                if ended {
                    out.push(i + 1);
                    ended = false;
                }
                i + 1
            }
            b' ' | b'\t' | b'\r' => i + 1,
            b'/' => match b.get(i + 1) {
                Some(b'/') => {
                    let end = line_comment_end(b, i + 2);
                    if ended && b.get(end.wrapping_sub(1)) == Some(&b'\n') {
                        out.push(end);
                    }
                    ended = false;
                    end
                }
                Some(b'*') => block_comment_end(b, i + 2),
                _ => {
                    ended = false;
                    i + 1
                }
            },
            b'"' => {
                ended = false;
                string_end(b, i + 1)
            }
            b'\'' => {
                ended = false;
                char_or_lifetime_end(b, i)
            }
            b'r' | b'b' | b'c' if !continues_identifier(b, i) => {
                ended = false;
                prefixed_literal_end(b, i)
            }
            _ => {
                ended = false;
                i + 1
            }
        };
    }
    out
}

/// Line (1-based) and column (1-based, in characters) of byte `at`.
fn error_at(source: &str, at: usize) -> ParseError {
    let before = &source.as_bytes()[..at];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = 1 + source.get(line_start..at).map_or(0, |s| s.chars().count());
    ParseError {
        line: line as u32,
        column: column as u32,
        message: format!("brackets nested deeper than {MAX_NESTING} levels"),
    }
}

/// Is byte `i` inside an identifier or number (so `r`, `b`, `c` there
/// cannot start a literal prefix)?
fn continues_identifier(b: &[u8], i: usize) -> bool {
    i > 0 && matches!(b[i - 1], b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'_' | 0x80..)
}

/// After `//`: the byte after the end of the line.
fn line_comment_end(b: &[u8], from: usize) -> usize {
    b[from.min(b.len())..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(b.len(), |p| from + p + 1)
}

/// After `/*`: the byte after the matching `*/` (block comments nest).
fn block_comment_end(b: &[u8], mut i: usize) -> usize {
    let mut depth = 1usize;
    while i < b.len() {
        match (b[i], b.get(i + 1)) {
            (b'/', Some(b'*')) => {
                depth += 1;
                i += 2;
            }
            (b'*', Some(b'/')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            _ => i += 1,
        }
    }
    b.len()
}

/// After an opening `"`: the byte after the closing one (escapes skipped).
fn string_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len()
}

/// At `'`: the end of a char literal, or just past the quote of a lifetime
/// or label.
fn char_or_lifetime_end(b: &[u8], quote: usize) -> usize {
    let first = quote + 1;
    match b.get(first) {
        // `'\n'`, `'\''`, `'\u{1F600}'`: the next quote after the escape.
        Some(b'\\') => b
            .get(first + 2..)
            .and_then(|rest| rest.iter().position(|&c| c == b'\''))
            .map_or(b.len(), |p| first + 2 + p + 1),
        Some(&lead) => {
            let after = first + utf8_len(lead);
            if b.get(after) == Some(&b'\'') {
                after + 1
            } else {
                first
            }
        }
        None => b.len(),
    }
}

/// Bytes of the UTF-8 character starting with `lead`.
fn utf8_len(lead: u8) -> usize {
    match lead {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// At `r`, `b` or `c` starting a token: the end of a `r"…"`, `r#"…"#`,
/// `b"…"`, `br#"…"#`, `c"…"`, `cr"…"` or `b'…'` literal; otherwise the next
/// byte (an identifier, or the `r#` of a raw identifier).
fn prefixed_literal_end(b: &[u8], at: usize) -> usize {
    let mut i = at + 1;
    if b[at] != b'r' {
        match b.get(i) {
            Some(b'"') => return string_end(b, i + 1),
            Some(b'\'') if b[at] == b'b' => return char_or_lifetime_end(b, i),
            Some(b'r') => i += 1,
            _ => return at + 1,
        }
    }
    // A raw literal: `#`s, a quote, then a quote and as many `#`s.
    let hashes = b[i.min(b.len())..]
        .iter()
        .take_while(|&&c| c == b'#')
        .count();
    if b.get(i + hashes) != Some(&b'"') {
        return at + 1;
    }
    let mut j = i + hashes + 1;
    while j < b.len() {
        if b[j] == b'"'
            && b.len() - (j + 1) >= hashes
            && b[j + 1..j + 1 + hashes].iter().all(|&c| c == b'#')
        {
            return j + 1 + hashes;
        }
        j += 1;
    }
    b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deep(open: &str) -> String {
        open.repeat(MAX_NESTING + 1)
    }

    #[test]
    fn nesting_is_limited_and_reported_at_its_place() {
        let at_limit = format!(
            "fn f() {{}}\n{}{}",
            "(".repeat(MAX_NESTING),
            ")".repeat(MAX_NESTING)
        );
        assert!(too_deep(&at_limit).is_none());
        // Closing brackets before any opening one do not buy depth.
        let unbalanced = format!("{}\n{}", ")".repeat(100), "[".repeat(MAX_NESTING));
        assert!(too_deep(&unbalanced).is_none());
        let over = format!("// é\n\n let x = {};", deep("{"));
        let err = too_deep(&over).expect("too deep");
        assert_eq!((err.line, err.column), (3, 9 + MAX_NESTING as u32 + 1));
        assert!(
            err.message.contains("nested deeper than 512"),
            "{}",
            err.message
        );
        // And `parse_file` says so instead of recursing.
        assert_eq!(
            crate::parse_file(&over, false)
                .map(|_| ())
                .unwrap_err()
                .line,
            3
        );
    }

    /// Brackets in every kind of literal and comment are not tokens.
    #[test]
    fn brackets_in_literals_and_comments_do_not_count() {
        let d = deep("(");
        let b = deep("[");
        for src in [
            format!("const S: &str = \"{d}\";"),
            format!("const S: &str = \"\\\"{d}\";"),
            format!("const S: &str = r\"{d}\";"),
            format!("const S: &str = r#\"\"{d}\"#;"),
            format!("const S: &str = r##\"\"#{d}\"##;"),
            format!("const S: &[u8] = b\"{b}\";"),
            format!("const S: &[u8] = br#\"{b}\"#;"),
            format!("const S: &std::ffi::CStr = c\"{d}\";"),
            format!("const S: &std::ffi::CStr = cr\"{d}\";"),
            format!("// {d}\nfn f() {{}}"),
            format!("/* {d} */ fn f() {{}}"),
            format!("/* outer /* inner */ {d} */ fn f() {{}}"),
            format!("/// {b}\nfn f() {{}}"),
            format!("//! {b}\nfn f() {{}}"),
            format!("/** {b} */\nfn f() {{}}"),
            format!(
                "fn f() -> [char; {n}] {{ [{}] }}",
                "'(', ".repeat(MAX_NESTING + 1),
                n = MAX_NESTING + 1
            ),
            format!(
                "fn f() -> [u8; {n}] {{ [{}] }}",
                "b'{', ".repeat(MAX_NESTING + 1),
                n = MAX_NESTING + 1
            ),
            format!("const Q: char = '\\''; const S: &str = \"{d}\";"),
            format!("const Q: &str = \"\\\\\"; // {d}"),
        ] {
            assert!(too_deep(&src).is_none(), "{}", &src[..src.len().min(60)]);
            // The whole file parses: nothing is dropped.
            assert!(
                crate::parse_file(&src, false).is_ok(),
                "{}",
                &src[..src.len().min(60)]
            );
        }
    }

    /// Token brackets around literals, lifetimes and labels still count.
    #[test]
    fn real_nesting_next_to_literals_still_counts() {
        for src in [
            format!("fn f<'a>(x: &'a str) {{ {} }}", deep("(")),
            format!(
                "fn f() {{ 'outer: loop {{ break 'outer; }} {} }}",
                deep("[")
            ),
            format!("const S: &str = \"()\"; {}", deep("{")),
            format!("const S: &str = r#\"\"#; {}", deep("(")),
            format!("let r#type = br\"x\"; {}", deep("(")),
            format!("let c = 'x'; let b = b'y'; {}", deep("(")),
            format!("/* a /* b */ c */ {}", deep("(")),
            format!("let bar = 1; let c = 2; {}", deep("(")),
        ] {
            assert!(too_deep(&src).is_some(), "{}", &src[..60]);
        }
    }

    /// The lexer skips runs of bytes that open nothing (the fast path):
    /// a literal right after an identifier (`xr` then `"…"`) still hides its
    /// brackets, and brackets right after one still count.
    #[test]
    fn skipped_runs_keep_literals_and_brackets() {
        let d = deep("(");
        for src in [
            format!("let xr = \"{d}\";"),
            format!("let v = foo\"{d}\";"),
            format!("let é = r\"{d}\"; let ab_c = b'(';"),
            format!("let s = c\"{d}\"; x1rb\"{d}\""),
        ] {
            assert!(too_deep(&src).is_none(), "{}", &src[..40]);
        }
        for src in [format!("foo{d}"), format!("é {d}"), format!("x_9 + {d}")] {
            assert!(too_deep(&src).is_some(), "{}", &src[..10]);
        }
    }

    /// Raw literals end at their quote and as many `#`s (a quote followed
    /// by fewer does not end one), whatever their prefix (`r`, `br`, `cr`);
    /// a quote after an identifier ending in `r` opens a plain string.
    #[test]
    fn raw_literals_are_read_back_from_their_quote() {
        let d = deep("(");
        for src in [
            format!("const S: &str = r##\"a\"# {d} \"# \"##;"),
            format!("const S: &[u8] = br##\"\"#{d}\"##;"),
            format!("const S: &std::ffi::CStr = cr#\"\"{d}\"#;"),
            format!("fn f() {{ let s = (r\"\\\", b\"\\\"\"); let t = \"{d}\"; }}"),
        ] {
            assert!(too_deep(&src).is_none(), "{}", &src[..src.len().min(60)]);
            assert!(crate::parse_file(&src, false).is_ok(), "{}", &src[..60]);
        }
        for src in [
            // `xr` is a name, so `\` escapes the quote: the string goes on.
            format!("m!(xr \"\\\" {d}\");"),
            format!("let s = r\"\\\"; {d}"),
            format!("let s = br#\"\"#; {d}"),
        ] {
            let got = too_deep(&src);
            assert_eq!(got.is_some(), src.ends_with('('), "{}", &src[..40]);
        }
    }

    #[test]
    fn unterminated_literals_end_at_the_end_of_file() {
        for src in ["\"(((", "r#\"(((", "/* (((", "'\\", "b'", "r#", "br", "'"] {
            assert!(too_deep(src).is_none(), "{src}");
        }
    }
}
