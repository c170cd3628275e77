//! The tolerant lexical fallback, used per statement when `sqlparser`
//! cannot read it (vendor syntax, truncated text, holes in odd places).
//!
//! It works on the token stream of [`crate::lex`] (strings, comments and
//! dollar quotes are already skipped) in one left-to-right pass, with a
//! stack of parenthesis frames:
//! - `INSERT [INTO] t`, `REPLACE INTO t` (C+U), `UPDATE t`, `DELETE FROM t`,
//!   `DELETE a, b FROM …` (MySQL, aliases resolved), `TRUNCATE [TABLE] a, b`,
//!   `MERGE INTO t … WHEN … THEN INSERT/UPDATE/DELETE`, `COPY t FROM/TO`;
//! - reads: `FROM a [alias], b`, `JOIN t`, `USING t`;
//! - `ON CONFLICT … DO UPDATE` and `ON DUPLICATE KEY UPDATE` add U to the
//!   insert target; `FOR UPDATE`, `ON UPDATE/DELETE CASCADE` are ignored;
//! - CTE names (`WITH x AS (`, `, y (cols) AS (`) are not tables; a name
//!   followed by `(` in a read position is a table function; `FROM` inside a
//!   function call (`EXTRACT(year FROM ts)`) or after `IS DISTINCT` is not a
//!   table clause;
//! - `THEN INSERT/UPDATE/DELETE` is a MERGE clause only after `MERGE INTO
//!   t` (in PL/pgSQL, `IF … THEN UPDATE t` is a plain update);
//! - `name(` and `schema.name(` outside a table position are function
//!   calls ([`Found::calls`]).
//!
//! DDL and session statements (CREATE/ALTER/DROP, SET, BEGIN…) produce no
//! access; CREATE/ALTER/DROP/RENAME TABLE are turned into catalog changes.

use crate::ast::Found;
use crate::lex::{Kind, Token};
use crate::name::{self, TableName};
use crate::{CatalogChange, Options};
use nova_model::{Op, TableEventKind};
use std::collections::{HashMap, HashSet};

/// Words that are never a table name or an alias in the positions the
/// fallback looks at.
const RESERVED: &[&str] = &[
    "all",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "between",
    "by",
    "case",
    "cross",
    "default",
    "delete",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "fetch",
    "final",
    "for",
    "format",
    "from",
    "full",
    "group",
    "having",
    "ilike",
    "in",
    "inner",
    "insert",
    "intersect",
    "into",
    "is",
    "join",
    "lateral",
    "left",
    "like",
    "limit",
    "materialized",
    "merge",
    "natural",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "outer",
    "over",
    "partition",
    "prewhere",
    "qualify",
    "recursive",
    "returning",
    "right",
    "sample",
    "select",
    "set",
    "settings",
    "some",
    "straight_join",
    "table",
    "tablesample",
    "then",
    "union",
    "update",
    "using",
    "values",
    "when",
    "where",
    "window",
    "with",
];

/// Words that may stand between a write keyword and its table.
const MODIFIERS: &[&str] = &[
    "into",
    "ignore",
    "low_priority",
    "delayed",
    "high_priority",
    "quick",
    "only",
    "table",
    "if",
    "not",
    "exists",
    "lateral",
    "or",
];

/// Words that end a FROM/USING/UPDATE/TRUNCATE table list.
const CLAUSE_END: &[&str] = &[
    "where",
    "group",
    "order",
    "having",
    "limit",
    "offset",
    "on",
    "returning",
    "union",
    "intersect",
    "except",
    "window",
    "values",
    "fetch",
    "qualify",
    "when",
    "for",
    "set",
    "do",
    "prewhere",
    "settings",
    "format",
    "select",
    "restart",
    "continue",
    "cascade",
    "restrict",
];

fn is_in(list: &[&str], word: &str) -> bool {
    list.iter().any(|k| k.eq_ignore_ascii_case(word))
}

fn reserved(src: &str, t: &Token) -> bool {
    t.kind == Kind::Word && is_in(RESERVED, t.text(src))
}

/// Can `t` start a table name?
fn name_start(src: &str, t: &Token) -> bool {
    t.kind == Kind::Quoted || (t.kind == Kind::Word && !reserved(src, t))
}

/// Read a possibly qualified name starting at `i`: `(name, next index)`.
pub(crate) fn read_name(
    src: &str,
    toks: &[Token],
    i: usize,
    opts: &Options,
) -> Option<(TableName, usize)> {
    let first = toks.get(i)?;
    if !name_start(src, first) {
        return None;
    }
    let mut parts = vec![(first.text(src), first.kind == Kind::Quoted)];
    let mut j = i + 1;
    while let (Some(dot), Some(next)) = (toks.get(j), toks.get(j + 1)) {
        if !dot.is_punct(b'.') || !matches!(next.kind, Kind::Word | Kind::Quoted) {
            break;
        }
        parts.push((next.text(src), next.kind == Kind::Quoted));
        j += 2;
    }
    Some((name::lexical(&parts, opts), j))
}

/// Read an optional alias at `j`: `(alias, next index)`.
fn read_alias(src: &str, toks: &[Token], mut j: usize) -> (Option<String>, usize) {
    let explicit = toks.get(j).is_some_and(|t| t.is_kw(src, "as"));
    if explicit {
        j += 1;
    }
    match toks.get(j) {
        Some(t) if name_start(src, t) => {
            let quoted = t.kind == Kind::Quoted;
            let alias = match name::lexical(&[(t.text(src), quoted)], &Options::default()) {
                TableName::Resolved(s) | TableName::Unresolved(s) => s,
            };
            (Some(alias), j + 1)
        }
        _ => (None, if explicit { j - 1 } else { j }),
    }
}

/// What the next name is expected to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Read,
    Write(Op),
    Insert {
        upsert: bool,
    },
    Merge,
    /// A target of MySQL `DELETE a, b FROM …` (maybe an alias).
    MultiDelete,
}

#[derive(Debug, Clone, Copy)]
struct Frame {
    /// Opened by a function call: `FROM` inside is not a table clause.
    func: bool,
    /// Inside a table list, where `,` announces another table.
    list: Option<Want>,
}

/// For each `(` token index, the index of its matching `)` (or `None`).
fn matching_parens(toks: &[Token]) -> Vec<Option<usize>> {
    let mut out = vec![None; toks.len()];
    let mut stack = Vec::new();
    for (k, t) in toks.iter().enumerate() {
        if t.is_punct(b'(') {
            stack.push(k);
        } else if t.is_punct(b')')
            && let Some(o) = stack.pop()
        {
            out[o] = Some(k);
        }
    }
    out
}

/// CTE names declared anywhere in the statement (normalised).
fn cte_names(src: &str, toks: &[Token], close: &[Option<usize>]) -> HashSet<String> {
    let mut out = HashSet::new();
    for i in 1..toks.len() {
        let prev = toks[i - 1];
        if !(prev.is_kw(src, "with") || prev.is_kw(src, "recursive") || prev.is_punct(b',')) {
            continue;
        }
        let t = toks[i];
        if !matches!(t.kind, Kind::Word | Kind::Quoted) {
            continue;
        }
        let mut j = i + 1;
        if toks.get(j).is_some_and(|t| t.is_punct(b'(')) {
            match close.get(j).copied().flatten() {
                Some(c) => j = c + 1,
                None => continue,
            }
        }
        if !toks.get(j).is_some_and(|t| t.is_kw(src, "as")) {
            continue;
        }
        j += 1;
        if toks.get(j).is_some_and(|t| t.is_kw(src, "not")) {
            j += 1;
        }
        if toks.get(j).is_some_and(|t| t.is_kw(src, "materialized")) {
            j += 1;
        }
        if toks.get(j).is_some_and(|t| t.is_punct(b'(')) {
            let name = name::lexical(
                &[(t.text(src), t.kind == Kind::Quoted)],
                &Options::default(),
            );
            out.insert(name.as_str().to_string());
        }
    }
    out
}

/// Find the accesses of one statement lexically.
pub(crate) fn accesses(src: &str, toks: &[Token], opts: &Options, found: &mut Found) {
    let base = found.accesses.len();
    let close = matching_parens(toks);
    let ctes = cte_names(src, toks, &close);
    let mut frames = vec![Frame {
        func: false,
        list: None,
    }];
    let mut want: Option<Want> = None;
    let mut aliases: Vec<(String, TableName)> = Vec::new();
    let mut multi_delete: Vec<TableName> = Vec::new();
    let mut insert_target: Option<TableName> = None;
    let mut upsert = false;
    let mut merge_target: Option<TableName> = None;
    let mut merge_ops: Vec<Op> = Vec::new();

    let kw = |i: usize, k: &str| toks.get(i).is_some_and(|t| t.is_kw(src, k));
    let prev_kw = |i: usize, k: &str| i > 0 && kw(i - 1, k);

    let mut i = 0;
    while i < toks.len() {
        let t = toks[i];
        let top = frames.len() - 1;
        match t.kind {
            Kind::Punct(b'(') => {
                let func = i > 0
                    && matches!(toks[i - 1].kind, Kind::Word | Kind::Quoted)
                    && !reserved(src, &toks[i - 1]);
                frames.push(Frame { func, list: None });
                want = None;
                i += 1;
                continue;
            }
            Kind::Punct(b')') => {
                if frames.len() > 1 {
                    frames.pop();
                }
                want = None;
                i += 1;
                continue;
            }
            Kind::Punct(b',') => {
                want = frames[top].list;
                i += 1;
                continue;
            }
            Kind::Word | Kind::Quoted => {}
            _ => {
                want = None;
                i += 1;
                continue;
            }
        }

        // A name where one is expected.
        if let Some(w) = want {
            if t.kind == Kind::Word && is_in(MODIFIERS, t.text(src)) {
                i += 1;
                continue;
            }
            if w == (Want::Insert { upsert: false }) && t.is_kw(src, "replace") {
                want = Some(Want::Insert { upsert: true });
                i += 1;
                continue;
            }
            if let Some((name, j)) = read_name(src, toks, i, opts) {
                want = None;
                let is_func = toks.get(j).is_some_and(|t| t.is_punct(b'('));
                if w == Want::Read && is_func {
                    found.call(name);
                    i = j;
                    continue;
                }
                let single = j == i + 1;
                let is_cte = single && ctes.contains(name.as_str());
                let (alias, next) = if matches!(w, Want::Insert { .. } | Want::MultiDelete) {
                    (None, j)
                } else {
                    read_alias(src, toks, j)
                };
                if let Some(a) = alias {
                    aliases.push((a, name.clone()));
                }
                match w {
                    Want::Read if !is_cte => found.add(name, Op::Read),
                    Want::Read => {}
                    Want::Write(op) => found.add(name, op),
                    Want::Insert { upsert: u } => {
                        upsert |= u;
                        insert_target = Some(name);
                    }
                    Want::Merge => merge_target = Some(name),
                    Want::MultiDelete => multi_delete.push(name),
                }
                i = next;
                continue;
            }
        }
        want = None;
        // A function call: `name(` or `schema.name(` (not `ON CONFLICT (`,
        // `FILTER (`).
        let next = toks.get(i + 1);
        if next.is_some_and(|n| n.is_punct(b'(') || n.is_punct(b'.'))
            && let Some((name, j)) = read_name(src, toks, i, opts)
            && toks.get(j).is_some_and(|t| t.is_punct(b'('))
            && !(j == i + 1 && (t.is_kw(src, "conflict") || t.is_kw(src, "filter")))
        {
            found.call(name);
            i = j;
            continue;
        }
        if t.kind != Kind::Word {
            i += 1;
            continue;
        }

        let word = t.text(src);
        let low = word.to_ascii_lowercase();
        match low.as_str() {
            "from" => {
                if frames[top].func || prev_kw(i, "distinct") {
                    // EXTRACT(x FROM y), IS DISTINCT FROM: not a table clause.
                } else {
                    frames[top].list = Some(Want::Read);
                    want = Some(Want::Read);
                }
            }
            // ClickHouse `ARRAY JOIN col` joins an array column, not a table.
            "join" | "straight_join" if !prev_kw(i, "array") => want = Some(Want::Read),
            "using" if !toks.get(i + 1).is_some_and(|t| t.is_punct(b'(')) => {
                frames[top].list = Some(Want::Read);
                want = Some(Want::Read);
            }
            "insert" => {
                if prev_kw(i, "then") && merge_target.is_some() {
                    merge_ops.push(Op::Create);
                } else {
                    want = Some(Want::Insert { upsert: false });
                }
            }
            "replace" if kw(i + 1, "into") => want = Some(Want::Insert { upsert: true }),
            "update" => {
                if prev_kw(i, "do") || (prev_kw(i, "key") && i >= 2 && kw(i - 2, "duplicate")) {
                    upsert = true;
                } else if prev_kw(i, "then") && merge_target.is_some() {
                    merge_ops.push(Op::Update);
                } else if !(prev_kw(i, "for") || prev_kw(i, "key") || prev_kw(i, "on")) {
                    frames[top].list = Some(Want::Write(Op::Update));
                    want = Some(Want::Write(Op::Update));
                }
            }
            "delete" => {
                if prev_kw(i, "then") && merge_target.is_some() {
                    merge_ops.push(Op::Delete);
                } else if prev_kw(i, "on") {
                    // ON DELETE CASCADE
                } else if kw(i + 1, "from") {
                    frames[top].list = Some(Want::Write(Op::Delete));
                    want = Some(Want::Write(Op::Delete));
                    i += 1;
                } else {
                    frames[top].list = Some(Want::MultiDelete);
                    want = Some(Want::MultiDelete);
                }
            }
            "truncate" => {
                frames[top].list = Some(Want::Write(Op::Delete));
                want = Some(Want::Write(Op::Delete));
            }
            "merge" => want = Some(Want::Merge),
            "copy" => {
                if let Some((name, j)) = read_name(src, toks, i + 1, opts) {
                    let rest = toks.get(j..).unwrap_or(&[]);
                    let to = rest
                        .iter()
                        .find(|t| t.is_kw(src, "from") || t.is_kw(src, "to"))
                        .is_some_and(|t| t.is_kw(src, "to"));
                    found.add(name, if to { Op::Read } else { Op::Create });
                    break;
                }
            }
            _ if is_in(CLAUSE_END, &low) => frames[top].list = None,
            _ => {}
        }
        i += 1;
    }

    if let Some(target) = insert_target {
        if upsert {
            found.add(target.clone(), Op::Update);
        }
        found.add(target, Op::Create);
    }
    if let Some(target) = merge_target {
        for op in merge_ops {
            found.add(target.clone(), op);
        }
    }
    if !multi_delete.is_empty() {
        // First alias wins (collected in reverse so earlier entries overwrite).
        let aliases: HashMap<String, TableName> = aliases.into_iter().rev().collect();
        let mut deleted = HashSet::new();
        for target in multi_delete {
            let real = aliases.get(target.as_str()).cloned().unwrap_or(target);
            if let TableName::Resolved(r) = &real {
                deleted.insert(r.clone());
            }
            found.add(real, Op::Delete);
        }
        // The FROM occurrence of a deleted table is not a read (in this
        // statement; `found` also holds the other statements' accesses).
        let mine = found.accesses.split_off(base.min(found.accesses.len()));
        found.accesses.extend(
            mine.into_iter()
                .filter(|(t, op)| !(*op == Op::Read && deleted.contains(t))),
        );
    }
}

/// Statements that are not DML: their first word. They produce no access.
const NOT_DML: &[&str] = &[
    "alter",
    "analyze",
    "begin",
    "checkpoint",
    "cluster",
    "comment",
    "commit",
    "create",
    "deallocate",
    "declare",
    "delimiter",
    "discard",
    "do",
    "drop",
    "end",
    "grant",
    "listen",
    "notify",
    "pragma",
    "refresh",
    "reindex",
    "release",
    "rename",
    "reset",
    "revoke",
    "rollback",
    "savepoint",
    "security",
    "set",
    "show",
    "start",
    "unlisten",
    "use",
    "vacuum",
];

/// Words that may stand between `CREATE` and `TABLE`.
const CREATE_MODS: &[&str] = &[
    "or",
    "replace",
    "global",
    "local",
    "temp",
    "temporary",
    "unlogged",
    "external",
];

/// What kind of statement [`ddl`] saw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// DML or a query: analyse its accesses.
    Dml,
    /// DDL or a session statement that does not concern a table.
    Other,
    /// CREATE/ALTER/DROP/RENAME TABLE.
    Table,
}

/// If the statement is DDL or a session statement, push its catalog changes
/// (CREATE/ALTER/DROP/RENAME TABLE) and say which kind it is.
pub(crate) fn ddl(
    src: &str,
    toks: &[Token],
    line: u32,
    opts: &Options,
    out: &mut Vec<CatalogChange>,
) -> Class {
    let Some(first) = toks.first() else {
        return Class::Dml;
    };
    if first.kind != Kind::Word || !is_in(NOT_DML, first.text(src)) {
        return Class::Dml;
    }
    let kw = |i: usize, k: &str| toks.get(i).is_some_and(|t| t.is_kw(src, k));
    let mut push = |table: &TableName, kind: TableEventKind, other: Option<String>| {
        if let TableName::Resolved(t) = table
            && !t.is_empty()
        {
            out.push(CatalogChange {
                table: t.clone(),
                kind,
                other,
                line,
            });
        }
    };
    // Skip words until `TABLE`, then `IF [NOT] EXISTS` and `ONLY`.
    let after_table = |from: usize, allowed: &[&str]| -> Option<usize> {
        let mut i = from;
        while let Some(t) = toks.get(i) {
            if t.is_kw(src, "table") {
                i += 1;
                while toks.get(i).is_some_and(|t| {
                    ["if", "not", "exists", "only"]
                        .iter()
                        .any(|k| t.is_kw(src, k))
                }) {
                    i += 1;
                }
                return Some(i);
            }
            if t.kind != Kind::Word || !is_in(allowed, t.text(src)) {
                return None;
            }
            i += 1;
        }
        None
    };
    let word = first.text(src).to_ascii_lowercase();
    let kind = match word.as_str() {
        "create" if after_table(1, CREATE_MODS).is_some() => Class::Table,
        "alter" | "drop" if after_table(1, &[]).is_some() => Class::Table,
        "rename" if kw(1, "table") => Class::Table,
        _ => Class::Other,
    };
    match word.as_str() {
        "create" => {
            if let Some(i) = after_table(1, CREATE_MODS)
                && let Some((table, j)) = read_name(src, toks, i, opts)
            {
                if kw(j, "partition") && kw(j + 1, "of") {
                    if let Some((parent, _)) = read_name(src, toks, j + 2, opts) {
                        let other = Some(parent.as_str().to_string());
                        push(&table, TableEventKind::CreatePartition, other);
                    }
                } else {
                    push(&table, TableEventKind::Create, None);
                }
            }
        }
        "alter" => {
            if let Some(i) = after_table(1, &[])
                && let Some((table, j)) = read_name(src, toks, i, opts)
            {
                let rest = toks.get(j..).unwrap_or(&[]);
                let rename = rest
                    .windows(3)
                    .position(|w| w[0].is_kw(src, "rename") && w[1].is_kw(src, "to"));
                match rename.and_then(|k| read_name(src, rest, k + 2, opts).map(|n| (k, n))) {
                    Some((k, (new, end))) => {
                        let old = table.as_str();
                        let new = TableName::Resolved(name::rename_target(old, new.as_str()));
                        push(
                            &table,
                            TableEventKind::RenameTo,
                            Some(new.as_str().to_string()),
                        );
                        push(&new, TableEventKind::RenameFrom, Some(old.to_string()));
                        if k > 0 || end < rest.len() {
                            push(&table, TableEventKind::Alter, None);
                        }
                    }
                    None => push(&table, TableEventKind::Alter, None),
                }
            }
        }
        "drop" => {
            if let Some(mut i) = after_table(1, &[]) {
                while let Some((table, j)) = read_name(src, toks, i, opts) {
                    push(&table, TableEventKind::Drop, None);
                    if !toks.get(j).is_some_and(|t| t.is_punct(b',')) {
                        break;
                    }
                    i = j + 1;
                }
            }
        }
        "rename" if kw(1, "table") => {
            let mut i = 2;
            while let Some((old, j)) = read_name(src, toks, i, opts) {
                if !kw(j, "to") {
                    break;
                }
                let Some((new, k)) = read_name(src, toks, j + 1, opts) else {
                    break;
                };
                let new = TableName::Resolved(name::rename_target(old.as_str(), new.as_str()));
                push(
                    &old,
                    TableEventKind::RenameTo,
                    Some(new.as_str().to_string()),
                );
                push(
                    &new,
                    TableEventKind::RenameFrom,
                    Some(old.as_str().to_string()),
                );
                if !toks.get(k).is_some_and(|t| t.is_punct(b',')) {
                    break;
                }
                i = k + 1;
            }
        }
        _ => {}
    }
    kind
}
