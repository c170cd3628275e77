//! SQL analysis: (table, operation) pairs from SQL text, with a tolerant
//! lexical fallback, and the migration catalog.
//!
//! - [`analyze`] turns SQL found in application code into [`TableAccess`]es
//!   (one per table and CRUD operation), using `sqlparser` first and a small
//!   lexical scanner when the parser gives up.
//! - [`catalog`] turns a migration file into [`CatalogChange`]s (create,
//!   partition, rename, alter, drop), statement by statement, so one
//!   statement `sqlparser` cannot read never hides the others.
//! - [`split_statements`] splits SQL text into statements, respecting
//!   quotes, dollar quotes and comments.

mod ast;
mod fallback;
mod func;
mod lex;
mod name;
mod store;

use ast::Found;
use fallback::Class;
use lex::{LexRules, Token};
use nova_model::{Confidence, Dialect, Op, StoreKind, TableEventKind};
use sqlparser::ast::Statement;
use sqlparser::dialect::{Dialect as SqlDialect, GenericDialect, MySqlDialect, PostgreSqlDialect};
use sqlparser::parser::Parser;

/// Prefix of the placeholder identifiers that stand for unresolved
/// `format!` holes in resolved SQL text: hole `i` becomes
/// `__nova_hole_{i}__`.
///
/// Twin of `nova_rust::HOLE_PREFIX` (in `analyzers/rust/src/lib.rs`); the two
/// must stay equal. It is re-declared here so that `nova-sql` does not depend
/// on `nova-rust`.
pub const HOLE_PREFIX: &str = "__nova_hole_";

/// How to read SQL text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// SQL dialect used to parse the text.
    pub dialect: Dialect,
    /// Schemas stripped from qualified table names (`public.videos` is
    /// `videos`). Compared case-insensitively. Other schemas are kept
    /// (`analytics.events`).
    pub default_schemas: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dialect: Dialect::Postgres,
            default_schemas: vec!["public".to_string()],
        }
    }
}

/// One table and one operation performed on it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TableAccess {
    /// Normalised table name (unquoted parts lower-cased, default schema
    /// stripped).
    pub table: String,
    /// The operation (C, R, U or D).
    pub op: Op,
}

/// What one SQL text does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Every (table, operation) pair, deduplicated and sorted.
    pub accesses: Vec<TableAccess>,
    /// `High` when `sqlparser` read every statement and no table name is a
    /// placeholder; `Low` otherwise (lexical fallback, unresolved holes).
    pub confidence: Confidence,
    /// Identifiers in table position that contain [`HOLE_PREFIX`] (a
    /// `format!` hole stands where a table name should be). Sorted,
    /// deduplicated. They produce no access.
    pub unresolved: Vec<String>,
    /// The first parser error, when the lexical fallback was used (prefixed
    /// with `statement at line N: ` when the text has several statements).
    pub error: Option<String>,
    /// Number of statements in the text.
    pub statements: usize,
    /// Set when the text is a query to a non-relational store (Cypher,
    /// ClickHouse-only syntax). Such text produces no `accesses`; the names it
    /// mentions are in `objects`.
    pub store: Option<StoreKind>,
    /// Labels (Cypher) or tables (ClickHouse) named by a store query. Sorted,
    /// deduplicated.
    pub objects: Vec<String>,
    /// DDL found in the text (CREATE/ALTER/DROP TABLE...). It produces no
    /// CRUD access. Lines are 1-based within the text.
    pub ddl: Vec<CatalogChange>,
    /// Functions the text calls (in expressions, as table functions in FROM,
    /// `CALL` targets), normalised like table names. Built-ins are included;
    /// only names a migration defines matter. Sorted, deduplicated.
    pub calls: Vec<String>,
}

/// One change a migration makes to the table catalog.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CatalogChange {
    /// Normalised table name.
    pub table: String,
    /// What happens to it.
    pub kind: TableEventKind,
    /// Partition parent (`CreatePartition`) or the other side of a rename.
    pub other: Option<String>,
    /// 1-based line of the statement within the text.
    pub line: u32,
}

/// Whether a stored function/procedure is created or dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FunctionChangeKind {
    /// `CREATE [OR REPLACE] FUNCTION|PROCEDURE`.
    Create,
    /// `DROP FUNCTION|PROCEDURE`.
    Drop,
}

/// One stored function or procedure a migration creates or drops.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FunctionChange {
    /// Normalised name (like a table name: lower-cased unless quoted,
    /// default schema stripped). Overloads share it.
    pub name: String,
    /// Created or dropped.
    pub kind: FunctionChangeKind,
    /// The (table, op) accesses of the body (empty for a drop, and for a
    /// body in a language other than SQL and PL/pgSQL). Sorted.
    pub accesses: Vec<TableAccess>,
    /// Functions the body calls (itself excluded). Sorted.
    pub calls: Vec<String>,
    /// 1-based line of the statement within the text.
    pub line: u32,
}

/// What one migration file does to the table catalog.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Catalog {
    /// Changes in file order.
    pub changes: Vec<CatalogChange>,
    /// Stored functions and procedures created or dropped, in file order.
    pub functions: Vec<FunctionChange>,
    /// The first parser error (prefixed with `line N: `) of a table
    /// statement (CREATE/ALTER/DROP/RENAME TABLE) that needed the lexical
    /// fallback. Other statements `sqlparser` cannot read (`DO $$` blocks,
    /// functions, vendor statements) do not concern the catalog and are
    /// skipped silently.
    pub error: Option<String>,
}

/// Analyse SQL text from application code: which tables it touches, and how.
///
/// Every statement of the text is analysed. Semantics (per table):
/// - `INSERT` -> C; `INSERT … ON CONFLICT … DO UPDATE`, MySQL
///   `ON DUPLICATE KEY UPDATE` and `REPLACE INTO` -> C+U (`REPLACE` deletes
///   and re-inserts the conflicting row; for ownership it is an upsert, so
///   it is reported as C+U, not D); `ON CONFLICT DO NOTHING` -> C;
/// - `UPDATE` -> U; `DELETE`, `TRUNCATE` -> D; `COPY t FROM` -> C,
///   `COPY t TO` -> R;
/// - `MERGE` -> the target gets the operations of its `WHEN` clauses, the
///   source is read;
/// - every table read anywhere (FROM, JOINs, subqueries, CTE bodies, set
///   operations, `INSERT … SELECT`, `UPDATE … FROM`, `DELETE … USING`) -> R;
///   `SELECT … FOR UPDATE` is still only R (it locks rows, it changes
///   nothing); `RETURNING` adds no R;
/// - CTE names, aliases and table functions are not tables;
/// - DDL produces no access; it is returned in [`Analysis::ddl`].
///
/// Never panics. When `sqlparser` fails on a statement, the lexical fallback
/// finds what it can; the result then has [`Confidence::Low`] and `error` set.
pub fn analyze(sql: &str, opts: &Options) -> Analysis {
    let rules = lex_rules(opts.dialect);
    let toks = lex::tokenize(sql, rules);
    let stmts = lex::split(sql, &toks);
    let mut out = Analysis {
        statements: stmts.len(),
        ..Analysis::default()
    };
    let mut found = Found::default();
    if let Some(kind) = store::detect(sql, &toks) {
        out.store = Some(kind);
        out.objects = match kind {
            StoreKind::Cypher => store::cypher_labels(sql, &toks),
            _ => {
                let mut ddl = Vec::new();
                for s in &stmts {
                    let st = stmt_tokens(&toks, s);
                    if fallback::ddl(sql, st, s.line, opts, &mut ddl) == Class::Dml {
                        fallback::accesses(sql, st, opts, &mut found);
                    }
                }
                let mut names: Vec<String> = found.accesses.into_iter().map(|(t, _)| t).collect();
                names.extend(ddl.into_iter().map(|c| c.table));
                names
            }
        };
        out.objects.sort();
        out.objects.dedup();
        return out;
    }
    let mut low = false;
    for s in &stmts {
        let st = stmt_tokens(&toks, s);
        match parse(sql, s, st, opts.dialect) {
            Ok(parsed) => {
                for stmt in &parsed {
                    ast::accesses(stmt, opts, &mut found);
                    ast::ddl(stmt, s.line, opts, &mut out.ddl);
                }
            }
            Err(e) => {
                low = true;
                if out.error.is_none() {
                    out.error = Some(if stmts.len() > 1 {
                        format!("statement at line {}: {e}", s.line)
                    } else {
                        e
                    });
                }
                if fallback::ddl(sql, st, s.line, opts, &mut out.ddl) == Class::Dml {
                    fallback::accesses(sql, st, opts, &mut found);
                }
            }
        }
    }
    out.accesses = found
        .accesses
        .into_iter()
        .map(|(table, op)| TableAccess { table, op })
        .collect();
    out.accesses.sort();
    out.accesses.dedup();
    out.unresolved = found.unresolved;
    out.unresolved.sort();
    out.unresolved.dedup();
    out.calls = found.calls;
    out.calls.sort();
    out.calls.dedup();
    if low || !out.unresolved.is_empty() {
        out.confidence = Confidence::Low;
    }
    out
}

/// Read a migration file into catalog changes, statement by statement.
///
/// CREATE TABLE (also `IF NOT EXISTS`) -> `Create`; `CREATE TABLE x
/// PARTITION OF p` -> `CreatePartition` (other = `p`); `ALTER TABLE a RENAME
/// TO b` -> `RenameTo` on `a` (other = `b`) and `RenameFrom` on `b`; other
/// `ALTER TABLE` -> `Alter`; `DROP TABLE a, b` -> `Drop` on each; MySQL
/// `RENAME TABLE a TO b` -> a rename. `CREATE [OR REPLACE]
/// FUNCTION|PROCEDURE` and `DROP FUNCTION|PROCEDURE` go to
/// [`Catalog::functions`], the body's accesses with them.
///
/// Never panics. Each statement is parsed on its own; statements `sqlparser`
/// cannot read go through the lexical fallback, and `error` holds the first
/// parser error of a table statement, with its line.
pub fn catalog(sql: &str, opts: &Options) -> Catalog {
    let toks = lex::tokenize(sql, lex_rules(opts.dialect));
    let mut out = Catalog::default();
    for s in lex::split(sql, &toks) {
        let st = stmt_tokens(&toks, &s);
        // Only statements that can change the catalog are worth parsing.
        let relevant = st.first().is_some_and(|t| {
            ["create", "alter", "drop", "rename"]
                .iter()
                .any(|k| t.is_kw(sql, k))
        });
        if !relevant {
            continue;
        }
        if func::change(sql, st, s.line, opts, &mut out.functions) {
            continue;
        }
        match parse(sql, &s, st, opts.dialect) {
            Ok(parsed) => {
                for stmt in &parsed {
                    ast::ddl(stmt, s.line, opts, &mut out.changes);
                }
            }
            Err(e) => {
                let kind = fallback::ddl(sql, st, s.line, opts, &mut out.changes);
                if kind == Class::Table && out.error.is_none() {
                    out.error = Some(format!("line {}: {e}", s.line));
                }
            }
        }
    }
    out
}

/// Split SQL text into statements: `(1-based line of the statement's first
/// token, statement text without the trailing `;`)`. Quotes, dollar quotes
/// and comments (PostgreSQL rules) are respected; comments before a
/// statement are not part of it; empty statements are dropped.
pub fn split_statements(sql: &str) -> Vec<(u32, &str)> {
    let toks = lex::tokenize(sql, LexRules::default());
    lex::split(sql, &toks)
        .into_iter()
        .map(|s| (s.line, sql.get(s.start..s.end).unwrap_or("")))
        .collect()
}

fn lex_rules(d: Dialect) -> LexRules {
    LexRules {
        mysql: d == Dialect::Mysql,
    }
}

fn stmt_tokens<'t>(toks: &'t [Token], s: &lex::Stmt) -> &'t [Token] {
    toks.get(s.tok_start..s.tok_end).unwrap_or(&[])
}

static POSTGRES: PostgreSqlDialect = PostgreSqlDialect {};
static MYSQL: MySqlDialect = MySqlDialect {};
static GENERIC: GenericDialect = GenericDialect {};

fn sql_dialect(d: Dialect) -> &'static dyn SqlDialect {
    match d {
        Dialect::Postgres => &POSTGRES,
        Dialect::Mysql => &MYSQL,
        Dialect::Generic => &GENERIC,
    }
}

/// Parse one statement. PostgreSQL has no `?` placeholder: when the text
/// does not parse and contains `?` parameters, retry with them numbered
/// `$1`, `$2`… (the original error is reported if that fails too). The
/// statements are read and dropped by the caller: a throw-away tree
/// (`nova_alloc::trees`).
fn parse(sql: &str, s: &lex::Stmt, toks: &[Token], d: Dialect) -> Result<Vec<Statement>, String> {
    nova_alloc::trees(|| parse_statement(sql, s, toks, d))
}

fn parse_statement(
    sql: &str,
    s: &lex::Stmt,
    toks: &[Token],
    d: Dialect,
) -> Result<Vec<Statement>, String> {
    if s.end - s.start > LONG_STATEMENT
        && let Some(short) = without_extra_rows(sql, s, toks)
    {
        // Offsets of `short` are not those of `sql`: no `?` rewriting.
        return Parser::parse_sql(sql_dialect(d), &short).map_err(|e| e.to_string());
    }
    let dialect = sql_dialect(d);
    let text = sql.get(s.start..s.end).unwrap_or("");
    let err = match Parser::parse_sql(dialect, text) {
        Ok(v) => return Ok(v),
        Err(e) => e.to_string(),
    };
    let is_qmark = |t: &&Token| t.kind == lex::Kind::Param && t.text(sql) == "?";
    if d == Dialect::Postgres && toks.iter().any(|t| is_qmark(&t)) {
        let mut fixed = String::with_capacity(text.len() + 16);
        let mut last = s.start;
        for (n, t) in toks.iter().filter(is_qmark).enumerate() {
            fixed.push_str(sql.get(last..t.start).unwrap_or(""));
            fixed.push('$');
            fixed.push_str(&(n + 1).to_string());
            last = t.end;
        }
        fixed.push_str(sql.get(last..s.end).unwrap_or(""));
        if let Ok(v) = Parser::parse_sql(dialect, &fixed) {
            return Ok(v);
        }
    }
    Err(err)
}

/// Statements longer than this (bytes) are parsed without the rows of a
/// `VALUES` list beyond the first ([`without_extra_rows`]).
const LONG_STATEMENT: usize = 16 * 1024;

/// The statement `s` with every `VALUES (..), (..), ..` list cut to its
/// first row, or `None` when it has no such list. The rows name no table a
/// second time, so the accesses are the same; `sqlparser`'s tree of a seed
/// `INSERT` of 50,000 rows took about 90 times the text.
fn without_extra_rows(sql: &str, s: &lex::Stmt, toks: &[Token]) -> Option<String> {
    let is = |i: usize, c: u8| toks.get(i).is_some_and(|t| t.kind == lex::Kind::Punct(c));
    // Index of the `)` closing the `(` at `open`.
    let close = |open: usize| {
        let mut depth = 0usize;
        for (i, t) in toks.iter().enumerate().skip(open) {
            match t.kind {
                lex::Kind::Punct(b'(') => depth += 1,
                lex::Kind::Punct(b')') => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        None
    };
    let mut out = String::new();
    let mut copied = s.start;
    let mut i = 0;
    while i < toks.len() {
        if toks[i].is_kw(sql, "values") && is(i + 1, b'(') {
            let first = close(i + 1)?;
            let mut last = first;
            while is(last + 1, b',') && is(last + 2, b'(') {
                last = close(last + 2)?;
            }
            if last > first {
                out.push_str(sql.get(copied..toks[first].end)?);
                copied = toks[last].end;
            }
            i = last + 1;
        } else {
            i += 1;
        }
    }
    if out.is_empty() {
        return None;
    }
    out.push_str(sql.get(copied..s.end)?);
    Some(out)
}

#[cfg(test)]
mod tests;
