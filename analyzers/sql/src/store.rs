//! Cheap recognition of queries to non-relational stores, so they stay out
//! of the relational ownership matrix.
//!
//! - Cypher: the text starts with `MATCH`, `OPTIONAL MATCH`, `UNWIND`, or
//!   with `MERGE (` / `CREATE (` (SQL never puts a parenthesis there; MySQL's
//!   `MATCH (col) AGAINST` is never at the start of a statement). Objects
//!   are the node labels: `:Label` inside `( … )`.
//! - ClickHouse-only syntax anywhere: `ENGINE = …MergeTree`, `FROM t FINAL`,
//!   `ARRAY JOIN`, `FORMAT JSONEachRow` (and the other data formats),
//!   `PREWHERE`, `ON CLUSTER`, `GLOBAL IN/JOIN`. Objects are the tables the
//!   lexical scanner finds.

use crate::lex::{Kind, Token};
use nova_model::StoreKind;

/// Prefixes of ClickHouse data formats (`FORMAT JSONEachRow`, `FORMAT CSV`…).
const FORMATS: &[&str] = &[
    "json",
    "tabseparated",
    "tsv",
    "csv",
    "native",
    "rowbinary",
    "parquet",
    "pretty",
    "arrow",
    "orc",
    "protobuf",
    "avro",
    "capnproto",
    "msgpack",
    "rawblob",
    "lineasstring",
    "template",
    "customseparated",
    "xml",
    "markdown",
    "null",
];

/// Words that may follow `FROM t FINAL`.
const AFTER_FINAL: &[&str] = &[
    "where", "prewhere", "group", "order", "limit", "settings", "format", "join", "left", "inner",
    "array", "sample", "union",
];

/// Recognise the store a token stream is written for, if it is not SQL.
pub(crate) fn detect(src: &str, toks: &[Token]) -> Option<StoreKind> {
    if is_cypher(src, toks) {
        return Some(StoreKind::Cypher);
    }
    is_clickhouse(src, toks).then_some(StoreKind::ClickHouse)
}

fn is_cypher(src: &str, toks: &[Token]) -> bool {
    let kw = |i: usize, k: &str| toks.get(i).is_some_and(|t| t.is_kw(src, k));
    let paren = |i: usize| toks.get(i).is_some_and(|t| t.is_punct(b'('));
    kw(0, "match")
        || (kw(0, "optional") && kw(1, "match"))
        || kw(0, "unwind")
        || ((kw(0, "merge") || kw(0, "create")) && paren(1))
}

fn is_clickhouse(src: &str, toks: &[Token]) -> bool {
    let kw = |i: usize, k: &str| toks.get(i).is_some_and(|t| t.is_kw(src, k));
    for (i, t) in toks.iter().enumerate() {
        if t.kind != Kind::Word {
            continue;
        }
        let w = t.text(src);
        let lw = |k: &str| w.eq_ignore_ascii_case(k);
        if lw("engine")
            && toks.get(i + 1).is_some_and(|t| t.is_punct(b'='))
            && toks.get(i + 2).is_some_and(|t| {
                let e = t.text(src).to_ascii_lowercase();
                e.ends_with("mergetree") || e == "distributed" || e.ends_with("log")
            })
        {
            return true;
        }
        if (lw("array") && kw(i + 1, "join"))
            || lw("prewhere")
            || (lw("on") && kw(i + 1, "cluster"))
            || (lw("global") && (kw(i + 1, "in") || kw(i + 1, "join")))
        {
            return true;
        }
        // `COPY … (FORMAT csv)` is PostgreSQL: the ClickHouse clause never
        // follows `(` or `,`.
        if lw("format")
            && !(i > 0 && (toks[i - 1].is_punct(b'(') || toks[i - 1].is_punct(b',')))
            && let Some(n) = toks.get(i + 1)
            && n.kind == Kind::Word
        {
            let f = n.text(src).to_ascii_lowercase();
            if FORMATS.iter().any(|p| f.starts_with(p)) && !kw(i + 2, "from") {
                return true;
            }
        }
        if lw("final")
            && i >= 2
            && matches!(toks[i - 1].kind, Kind::Word | Kind::Quoted)
            && (kw(i - 2, "from") || toks[i - 2].is_punct(b'.'))
            && toks
                .get(i + 1)
                .is_none_or(|n| AFTER_FINAL.iter().any(|k| n.is_kw(src, k)) || n.is_punct(b')'))
        {
            return true;
        }
    }
    false
}

/// Node labels of a Cypher query: `:Label` (possibly several) inside `( … )`.
pub(crate) fn cypher_labels(src: &str, toks: &[Token]) -> Vec<String> {
    let mut out = Vec::new();
    let mut open: Vec<u8> = Vec::new();
    for (i, t) in toks.iter().enumerate() {
        match t.kind {
            Kind::Punct(c @ (b'(' | b'[' | b'{')) => open.push(c),
            Kind::Punct(b')' | b']' | b'}') => {
                open.pop();
            }
            _ => {}
        }
        if open.last() != Some(&b'(') {
            continue;
        }
        if t.kind == Kind::Param
            && let Some(label) = t.text(src).strip_prefix(':')
        {
            out.push(label.to_string());
        } else if t.is_punct(b':')
            && let Some(n) = toks.get(i + 1)
            && n.kind == Kind::Quoted
        {
            let q = n.text(src);
            out.push(
                q.get(1..q.len().saturating_sub(1))
                    .unwrap_or("")
                    .to_string(),
            );
        }
    }
    out.retain(|l| !l.is_empty());
    out
}
