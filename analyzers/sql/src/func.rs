//! Stored functions and procedures in migrations: `CREATE [OR REPLACE]
//! FUNCTION|PROCEDURE name(…) … AS $$ body $$ LANGUAGE plpgsql|sql` and
//! `DROP FUNCTION|PROCEDURE [IF EXISTS] a[(…)], b`.
//!
//! The statement is read lexically (`sqlparser` does not read PL/pgSQL);
//! the body (dollar- or single-quoted) is analysed statement by statement:
//! with `sqlparser` when the statement parses as DML, else with the lexical
//! fallback, whatever its first word (`BEGIN INSERT …`, `IF … THEN UPDATE
//! …`, `RETURN QUERY SELECT …`). Dynamic SQL (`EXECUTE 'text'`) is not
//! followed. Bodies in another language (`c`, `plpython3u`…) have no access.

use crate::ast::{self, Found};
use crate::fallback::read_name;
use crate::lex::{self, Kind, Token};
use crate::{FunctionChange, FunctionChangeKind, Options, TableAccess};

/// If the statement creates or drops functions/procedures, push the
/// changes and return true.
pub(crate) fn change(
    src: &str,
    toks: &[Token],
    line: u32,
    opts: &Options,
    out: &mut Vec<FunctionChange>,
) -> bool {
    let kw = |i: usize, k: &str| toks.get(i).is_some_and(|t| t.is_kw(src, k));
    let routine = |i: usize| kw(i, "function") || kw(i, "procedure");
    if kw(0, "create") {
        let mut i = 1;
        while ["or", "replace", "alter", "temp", "temporary"]
            .iter()
            .any(|k| kw(i, k))
        {
            i += 1;
        }
        if !routine(i) {
            return false;
        }
        let Some((name, j)) = read_name(src, toks, i + 1, opts) else {
            return true;
        };
        let (body, language) = body_and_language(src, toks, j);
        let analysed = matches!(language.as_deref(), None | Some("sql" | "plpgsql"));
        let (accesses, calls) = match body {
            Some(text) if analysed => analyse_body(&text, opts),
            _ => (Vec::new(), Vec::new()),
        };
        let name = name.as_str().to_string();
        let calls = calls.into_iter().filter(|c| *c != name).collect();
        if !name.is_empty() {
            out.push(FunctionChange {
                name,
                kind: FunctionChangeKind::Create,
                accesses,
                calls,
                line,
            });
        }
        return true;
    }
    if kw(0, "drop") && routine(1) {
        let mut i = 2;
        while ["if", "exists"].iter().any(|k| kw(i, k)) {
            i += 1;
        }
        let close = |open: usize| -> usize {
            let mut depth = 0usize;
            for (k, t) in toks.iter().enumerate().skip(open) {
                if t.is_punct(b'(') {
                    depth += 1;
                } else if t.is_punct(b')') {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return k + 1;
                    }
                }
            }
            toks.len()
        };
        while let Some((name, mut j)) = read_name(src, toks, i, opts) {
            if !name.as_str().is_empty() {
                out.push(FunctionChange {
                    name: name.as_str().to_string(),
                    kind: FunctionChangeKind::Drop,
                    accesses: Vec::new(),
                    calls: Vec::new(),
                    line,
                });
            }
            if toks.get(j).is_some_and(|t| t.is_punct(b'(')) {
                j = close(j);
            }
            if !toks.get(j).is_some_and(|t| t.is_punct(b',')) {
                break;
            }
            i = j + 1;
        }
        return true;
    }
    false
}

/// The body text (`AS 'body'` / `AS $tag$ body $tag$`) and the language
/// (lower-cased), looking at the tokens after the name outside parentheses.
fn body_and_language(src: &str, toks: &[Token], from: usize) -> (Option<String>, Option<String>) {
    let mut depth = 0usize;
    let mut body = None;
    let mut language = None;
    let mut k = from;
    while let Some(t) = toks.get(k) {
        if t.is_punct(b'(') {
            depth += 1;
        } else if t.is_punct(b')') {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && t.is_kw(src, "as") && body.is_none() {
            if let Some(s) = toks.get(k + 1).filter(|s| s.kind == Kind::Str) {
                body = unquote_body(s.text(src));
            }
        } else if depth == 0
            && t.is_kw(src, "language")
            && language.is_none()
            && let Some(l) = toks.get(k + 1)
        {
            let text = l.text(src).trim_matches(['\'', '"']);
            language = Some(text.to_ascii_lowercase());
        }
        k += 1;
    }
    (body, language)
}

/// The inside of `$tag$ … $tag$` or `' … '` (doubled quotes undoubled).
fn unquote_body(text: &str) -> Option<String> {
    if let Some(rest) = text.strip_prefix('$') {
        let tag_len = rest.find('$')? + 2;
        let tag = text.get(..tag_len)?;
        let inner = text.get(tag_len..)?;
        return Some(inner.strip_suffix(tag).unwrap_or(inner).to_string());
    }
    let inner = text.strip_prefix('\'')?;
    let inner = inner.strip_suffix('\'').unwrap_or(inner);
    Some(inner.replace("''", "'"))
}

/// The (table, op) accesses and the function calls of a body, sorted.
pub(crate) fn analyse_body(body: &str, opts: &Options) -> (Vec<TableAccess>, Vec<String>) {
    let toks = lex::tokenize(body, crate::lex_rules(opts.dialect));
    let mut found = Found::default();
    for s in lex::split(body, &toks) {
        let st = crate::stmt_tokens(&toks, &s);
        match crate::parse(body, &s, st, opts.dialect) {
            Ok(parsed) if !parsed.is_empty() && parsed.iter().all(ast::is_dml) => {
                for stmt in &parsed {
                    ast::accesses(stmt, opts, &mut found);
                }
            }
            _ => crate::fallback::accesses(body, st, opts, &mut found),
        }
    }
    let mut accesses: Vec<TableAccess> = found
        .accesses
        .into_iter()
        .map(|(table, op)| TableAccess { table, op })
        .collect();
    accesses.sort();
    accesses.dedup();
    found.calls.sort();
    found.calls.dedup();
    (accesses, found.calls)
}
