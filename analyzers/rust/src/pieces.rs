//! Huge files parsed in pieces: `syn`'s tree of a Rust file takes about
//! 80 times the source (a 20 MB generated file: 2 GB), so a file larger than
//! [`SPLIT_ABOVE`] is cut between top-level items into pieces of about
//! [`PIECE`] bytes, each parsed, collected and dropped before the next.
//! Peak memory is then one piece's tree plus the facts.
//!
//! A cut is the start of a line at top level right after an item ended (a
//! `}` or `;` that closes at depth 0), found by the same light lexer as the
//! nesting guard, so strings and comments never count. Each piece keeps its
//! line numbers: it is parsed after as many blank lines as precede it in
//! the file, and followed by all the file's top-level `use` and `extern
//! crate` items, so that what a piece names from an import is read as in
//! the whole file.
//!
//! What crosses pieces is lost: SQL handed to a helper as a parameter is
//! resolved only from callers in the same piece (`sql::params`), and the
//! graph walk's pre-pass sees one piece at a time. Only huge files (in
//! practice, generated code) are cut. If any piece does not parse, the
//! file is parsed whole, so errors are the same as without pieces.

use crate::FileFacts;
use crate::nesting;

/// Files larger than this (bytes) are parsed in pieces.
pub const SPLIT_ABOVE: usize = 4 << 20;

/// Target size of a piece (bytes); a piece ends at the first cut past it.
pub const PIECE: usize = 128 << 10;

/// The facts of `source` parsed in pieces of about `piece` bytes; `None`
/// when it has no cut or a piece does not parse (the caller then parses
/// the file whole).
pub fn parse(source: &str, in_test_file: bool, piece: usize) -> Option<FileFacts> {
    let starts = nesting::item_starts(source);
    let cuts = cuts(source.len(), &starts, piece);
    if cuts.len() < 3 {
        return None;
    }
    let uses = imports_line(source, &starts);
    let mut facts = FileFacts::default();
    let mut padded = String::new();
    // Newlines before `counted`.
    let (mut lines_before, mut counted) = (0usize, 0usize);
    for w in cuts.windows(2) {
        let (start, end) = (w[0], w[1]);
        let text = source.get(start..end)?;
        // Line `n` of the file is line `n` of the piece; the imports
        // follow the piece's text.
        lines_before += source.as_bytes()[counted..start]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        counted = start;
        padded.clear();
        padded.reserve(lines_before + text.len() + 1 + uses.len());
        padded.extend(std::iter::repeat_n('\n', lines_before));
        padded.push_str(text);
        padded.push('\n');
        padded.push_str(&uses);
        let part = crate::parse_whole(&padded, in_test_file).ok()?;
        proc_macro2::extra::invalidate_current_thread_spans();
        facts.append(part);
        if start == 0 {
            // Room for the whole file's facts at the first piece's rate
            // (plus a quarter): the lists then grow without leaving their
            // outgrown copies behind (hundreds of MB for 200k functions).
            // Room never written takes no memory.
            facts.reserve_scaled(source.len() as f64 / end.max(1) as f64 * 1.25);
        }
    }
    facts.finish_pieces();
    Some(facts)
}

/// The file's top-level `use` and `extern crate` items, on one line (no
/// newline in it: the token rendering is one line), without attributes
/// (doc comments may hold newlines) or visibility (a re-export is a fact
/// of the piece that has it).
fn imports_line(source: &str, starts: &[usize]) -> String {
    let mut line = String::new();
    let bounds = std::iter::once(0)
        .chain(starts.iter().copied())
        .chain(std::iter::once(source.len()));
    let bounds: Vec<usize> = bounds.collect();
    for w in bounds.windows(2) {
        let Some(text) = source.get(w[0]..w[1]) else {
            continue;
        };
        if !starts_with_import(text) {
            continue;
        }
        let Ok(file) = nova_alloc::trees(|| syn::parse_str::<syn::File>(text)) else {
            continue;
        };
        for item in &file.items {
            let tokens = match item {
                syn::Item::Use(u) => {
                    let (colon, tree) = (&u.leading_colon, &u.tree);
                    quote::quote!(use #colon #tree;)
                }
                syn::Item::ExternCrate(e) => {
                    let name = &e.ident;
                    match e.rename.as_ref().map(|(_, r)| r) {
                        Some(r) => quote::quote!(extern crate #name as #r;),
                        None => quote::quote!(extern crate #name;),
                    }
                }
                _ => continue,
            };
            line.push_str(&tokens.to_string().replace('\n', " "));
            line.push(' ');
        }
    }
    proc_macro2::extra::invalidate_current_thread_spans();
    line
}

/// Whether the first item of `text` (after blanks, comments and
/// attributes) is a `use` or `extern crate` item, by its first words.
fn starts_with_import(text: &str) -> bool {
    let mut t = text;
    loop {
        t = t.trim_start();
        if let Some(rest) = t.strip_prefix("//") {
            t = rest.split_once('\n').map_or("", |(_, r)| r);
        } else if let Some(rest) = t.strip_prefix("/*") {
            t = rest.split_once("*/").map_or("", |(_, r)| r);
        } else if t.starts_with("#[") || t.starts_with("#![") {
            t = t.split_once(']').map_or("", |(_, r)| r);
        } else {
            break;
        }
    }
    if let Some(rest) = t.strip_prefix("pub") {
        let rest = rest.trim_start();
        t = match rest.strip_prefix('(') {
            Some(r) => r.split_once(')').map_or("", |(_, r)| r),
            None => rest,
        };
        t = t.trim_start();
    }
    let word = |w: &str| {
        t.strip_prefix(w)
            .is_some_and(|r| r.starts_with(|c: char| c.is_whitespace() || c == ':' || c == '{'))
    };
    word("use") || word("extern")
}

/// Byte offsets where the pieces start, then `len`: 0, and each item start
/// at least `piece` bytes after the previous piece's start.
fn cuts(len: usize, starts: &[usize], piece: usize) -> Vec<usize> {
    let mut out = vec![0];
    let mut last = 0;
    for &at in starts {
        if at - last >= piece && at < len {
            out.push(at);
            last = at;
        }
    }
    out.push(len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Code with every kind of fact, repeated with distinct names.
    fn sample(copies: usize) -> String {
        let mut s = String::from(
            "//! Generated.\n#![allow(dead_code)]\nuse sqlx::query;\nuse tokio_postgres::Client;\n\
             use rdkafka::producer::FutureRecord;\n",
        );
        for i in 0..copies {
            if i == copies / 2 {
                // An import half-way down is seen by every piece.
                s.push_str("use mysql::prelude::Queryable;\n");
            }
            s.push_str(&format!(
                "const Q{i}: &str = \"SELECT * FROM t{i}\";\n\
                 /// A doc comment with ( brackets and a string \"}}\n\
                 pub async fn f{i}(db: &sqlx::PgPool, c: &Client) {{\n    \
                 query(\"DELETE FROM d{i} WHERE x = '}}'\").execute(db).await.ok();\n    \
                 c.query(Q{i}, &[]).await.ok();\n    \
                 let r = FutureRecord::to(\"topic-{i}\").payload(\"x\");\n}}\n\
                 fn h{i}(conn: &mut Conn) {{ conn.query_drop(build()); }}\n\
                 struct S{i};\n\
                 impl S{i} {{\n    const SQL: &'static str = r#\"UPDATE u{i} SET a = 1\"#;\n    \
                 fn g(&self, c: &Client) {{ c.execute(Self::SQL, &[]); }}\n}}\n\
                 #[cfg(test)]\nmod tests{i} {{\n    #[test]\n    fn t() {{ sqlx::query(\"SELECT 1 FROM tt{i}\"); }}\n}}\n"
            ));
        }
        s
    }

    #[test]
    fn pieces_give_the_facts_of_the_whole_file() {
        let src = sample(60);
        let whole = crate::parse_whole(&src, false).expect("parses");
        // 4 sites per copy, and `query_drop` in each copy's `h` (by the
        // `mysql` import half-way down: first ones included).
        assert_eq!(whole.sql_sites.len(), 60 * 5);
        for piece in [1, 100, 700, 5_000] {
            let cuts = cuts(src.len(), &nesting::item_starts(&src), piece);
            assert!(cuts.len() > 3, "{piece}: {cuts:?}");
            let parts = parse(&src, false, piece).expect("pieces parse");
            let (a, b) = (format!("{parts:#?}"), format!("{whole:#?}"));
            if let Some((n, (x, y))) = a
                .lines()
                .zip(b.lines())
                .enumerate()
                .find(|(_, (x, y))| x != y)
            {
                let context: Vec<&str> = b.lines().skip(n.saturating_sub(12)).take(24).collect();
                let context2: Vec<&str> = a.lines().skip(n.saturating_sub(12)).take(24).collect();
                panic!(
                    "pieces of {piece} bytes, line {n}: {x} instead of {y}\n{}\n-----\n{}",
                    context.join("\n"),
                    context2.join("\n")
                );
            }
            assert_eq!(parts, whole, "pieces of {piece} bytes");
        }
    }

    #[test]
    fn a_piece_that_does_not_parse_gives_way_to_the_whole_file() {
        let src = format!("{}fn broken( {{\n", sample(5));
        assert_eq!(parse(&src, false, 10), None);
        // No cut at all: nothing to split.
        assert_eq!(parse("fn f() {}", false, 1), None);
    }

    #[test]
    fn cuts_are_after_items_at_top_level() {
        let src =
            "fn a() {\n}\nconst S: &str = \"x;\n}\";\n// };\nstruct B;\nfn c()\n-> u8\n{ 1 }\n";
        let starts: Vec<&str> = cuts(src.len(), &nesting::item_starts(src), 1)
            .windows(2)
            .map(|w| &src[w[0]..w[1]])
            .collect();
        assert_eq!(
            starts,
            vec![
                "fn a() {\n}\n",
                "const S: &str = \"x;\n}\";\n",
                "// };\nstruct B;\n",
                "fn c()\n-> u8\n{ 1 }\n"
            ]
        );
    }
}
