//! What the SQL walk recognises by name and syntax: the sqlx macros and
//! functions, SQL methods, string wrappers, driver crates, the file's
//! imports, and small helpers over `syn` nodes.

use super::SqlExpr;
use super::clients;
pub(super) use super::clients::is_clickhouse_name;
use crate::name::Name;
use crate::{FastMap as HashMap, FastSet as HashSet};
use proc_macro2::Span;
use quote::ToTokens;
use syn::visit::{self, Visit};
use syn::{Attribute, Expr, Pat, Stmt, UseTree};

/// sqlx query macros (`sqlx::query!` and friends).
pub(super) const SQLX_MACROS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_unchecked",
    "query_as_unchecked",
    "query_scalar_unchecked",
    "query_file",
    "query_file_as",
    "query_file_scalar",
    "query_file_unchecked",
    "query_file_as_unchecked",
    "query_file_scalar_unchecked",
];

/// sqlx query functions taking the SQL as first argument.
pub(super) const SQLX_FNS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_with",
    "query_as_with",
    "query_scalar_with",
    "raw_sql",
];

/// Driver methods (tokio-postgres, deadpool, bb8, postgres, rusqlite, mysql,
/// ClickHouse) whose first argument is SQL.
pub(super) const SQL_METHODS: &[&str] = &[
    "query",
    "query_one",
    "query_opt",
    "query_raw",
    "query_typed",
    "query_typed_raw",
    "execute",
    "execute_raw",
    "execute_batch",
    "prepare",
    "prepare_cached",
    "prepare_typed",
    "prepare_typed_cached",
    "batch_execute",
    "simple_query",
    "copy_in",
    "copy_out",
    "query_row",
    "query_drop",
    "query_first",
    "query_iter",
    "exec",
    "exec_drop",
    "exec_first",
    "exec_iter",
    // SeaORM
    "execute_unprepared",
];

/// Methods that keep a string's text (`.to_string()`, `.as_str()`...).
pub(super) const STR_WRAPPERS: &[&str] = &[
    "to_string",
    "to_owned",
    "into",
    "as_str",
    "as_ref",
    "clone",
    "trim",
    "trim_start",
    "trim_end",
    "borrow",
    "into_owned",
    "deref",
    "as_deref",
];

/// QueryBuilder methods that append to the SQL.
pub(super) const BUILDER_METHODS: &[&str] = &[
    "push",
    "push_bind",
    "push_values",
    "push_tuples",
    "separated",
    "push_unseparated",
    "push_bind_unseparated",
];

/// Relational driver crates, in the order used to name a method-call API.
pub(super) const RELATIONAL_CRATES: &[&str] = &[
    "tokio_postgres",
    "deadpool_postgres",
    "bb8_postgres",
    "postgres",
    "rusqlite",
    "mysql_async",
    "mysql",
    "sqlx",
    "diesel",
    "diesel_async",
    "sea_orm",
];

pub(super) const CLICKHOUSE_CRATES: &[&str] = &["clickhouse", "clickhouse_rs", "klickhouse"];

/// Maximum recursion when evaluating an expression.
pub(super) const MAX_EVAL_DEPTH: usize = 48;

/// What the file imports: crate roots and imported names.
#[derive(Default)]
pub(crate) struct Imports {
    pub(super) roots: HashSet<String>,
    /// Imported leaf name (or rename) -> root crate.
    pub(super) names: HashMap<String, String>,
    /// Client crates ([`clients::CLIENT_APIS`]) the file names in a path
    /// (`deadpool_postgres::Pool`) without importing them.
    pub(super) named: HashSet<String>,
}

impl Imports {
    /// A `use` item (its tree; nothing under it is walked for imports).
    pub(crate) fn add_use(&mut self, u: &syn::ItemUse) {
        fn walk_use(tree: &UseTree, root: Option<&str>, imports: &mut Imports) {
            match tree {
                UseTree::Path(p) => {
                    let seg = p.ident.to_string();
                    let root = match root {
                        Some(r) => r.to_string(),
                        None => {
                            imports.roots.insert(seg.clone());
                            seg
                        }
                    };
                    walk_use(&p.tree, Some(&root), imports);
                }
                UseTree::Name(n) => {
                    let name = n.ident.to_string();
                    match root {
                        Some(r) => {
                            imports.names.insert(name, r.to_string());
                        }
                        None => {
                            imports.roots.insert(name);
                        }
                    }
                }
                UseTree::Rename(r) => {
                    if let Some(root) = root {
                        imports.names.insert(r.rename.to_string(), root.to_string());
                    } else {
                        imports.roots.insert(r.ident.to_string());
                    }
                }
                UseTree::Glob(_) => {}
                UseTree::Group(g) => {
                    for t in &g.items {
                        walk_use(t, root, imports);
                    }
                }
            }
        }
        walk_use(&u.tree, None, self);
    }

    /// `extern crate x;`.
    pub(crate) fn add_extern_crate(&mut self, e: &syn::ItemExternCrate) {
        self.roots.insert(e.ident.to_string());
    }

    /// Any path of the file (outside `use` items), in walk order.
    pub(crate) fn add_path(&mut self, p: &syn::Path) {
        if p.segments.len() > 1
            && let Some(first) = p.segments.first()
            && clients::is_client_crate(&first.ident)
        {
            self.named.insert(first.ident.to_string());
        }
    }

    pub(super) fn uses(&self, krate: &str) -> bool {
        self.roots.contains(krate)
    }

    /// Whether the file imports or names crate `krate` in a path.
    pub(super) fn names_crate(&self, krate: &str) -> bool {
        self.uses(krate) || self.named.contains(krate)
    }

    pub(super) fn name_from(&self, name: &str, krate: &str) -> bool {
        self.names.get(name).is_some_and(|r| r == krate)
    }

    pub(super) fn relational_api(&self) -> &'static str {
        RELATIONAL_CRATES
            .iter()
            .find(|c| self.uses(c))
            .or_else(|| RELATIONAL_CRATES.iter().find(|c| self.named.contains(**c)))
            .copied()
            .unwrap_or("db")
    }

    pub(super) fn clickhouse_only(&self) -> bool {
        CLICKHOUSE_CRATES.iter().any(|c| self.uses(c))
            && !RELATIONAL_CRATES.iter().any(|c| self.uses(c))
    }
}

pub(super) fn line_col(span: Span) -> (u32, u32) {
    let s = span.start();
    (s.line as u32, s.column as u32 + 1)
}

/// 1-based line and column of the first token of an expression.
pub(super) fn expr_at(e: &Expr) -> (u32, u32) {
    line_col(crate::span::first_span(e))
}

pub(super) fn is_screaming(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Source text of an expression, tidied (`self . sql` -> `self.sql`).
pub(crate) fn expr_text(e: &Expr) -> String {
    let mut text = String::new();
    if reference_text(e, &mut text) {
        return text;
    }
    tidy_text(e.to_token_stream().to_string())
}

/// [`expr_text`] of a name, field or argument-less method call chain,
/// possibly behind `&`s (`w`, `&self.sql`, `&w.to_lowercase()`), written
/// directly: the same text as its tokens rendered and tidied, without
/// making the tokens. False (and `out` unfinished) for anything else.
fn reference_text(e: &Expr, out: &mut String) -> bool {
    match e {
        Expr::Reference(r) if r.attrs.is_empty() => {
            out.push('&');
            if r.mutability.is_some() {
                out.push_str("mut ");
            }
            reference_text(&r.expr, out)
        }
        _ => chain_text(e, out),
    }
}

/// The chain of [`reference_text`]: a path without generic arguments,
/// then fields and method calls without arguments.
fn chain_text(e: &Expr, out: &mut String) -> bool {
    use std::fmt::Write;
    // (Writing to a `String` does not fail.)
    match e {
        Expr::Path(p)
            if p.attrs.is_empty() && p.qself.is_none() && p.path.leading_colon.is_none() =>
        {
            for (i, seg) in p.path.segments.iter().enumerate() {
                if !seg.arguments.is_none() {
                    return false;
                }
                if i > 0 {
                    out.push_str("::");
                }
                let _ = write!(out, "{}", seg.ident);
            }
            !p.path.segments.is_empty()
        }
        Expr::Field(f) if f.attrs.is_empty() => {
            if !chain_text(&f.base, out) {
                return false;
            }
            out.push('.');
            let _ = match &f.member {
                syn::Member::Named(i) => write!(out, "{i}"),
                syn::Member::Unnamed(n) => write!(out, "{}", n.index),
            };
            true
        }
        Expr::MethodCall(m) if m.attrs.is_empty() && m.turbofish.is_none() && m.args.is_empty() => {
            if !chain_text(&m.receiver, out) {
                return false;
            }
            let _ = write!(out, ".{}()", m.method);
            true
        }
        _ => false,
    }
}

/// The spacing rules of [`expr_text`] on rendered tokens.
pub(super) fn tidy_text(s: String) -> String {
    const RULES: [(&str, &str); 9] = [
        (" . ", "."),
        (" :: ", "::"),
        (":: ", "::"),
        ("& ", "&"),
        (" (", "("),
        ("( ", "("),
        (" )", ")"),
        (" ,", ","),
        (" !(", "!("),
    ];
    crate::tidy::replace_all(s, &RULES)
}

pub(super) fn path_segments(p: &syn::Path) -> Vec<String> {
    p.segments.iter().map(|s| s.ident.to_string()).collect()
}

pub(super) fn first_span(p: &syn::Path) -> Span {
    p.segments
        .first()
        .map(|s| s.ident.span())
        .unwrap_or_else(Span::call_site)
}

pub(super) fn is_test_attr(attr: &Attribute) -> bool {
    let path = attr.path();
    if path
        .segments
        .last()
        .is_some_and(|s| s.ident == "test" || s.ident == "rstest")
    {
        return true;
    }
    if path.is_ident("cfg") {
        let toks = attr.meta.to_token_stream().to_string();
        let has_test = toks
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|w| w == "test");
        return has_test && !toks.replace(' ', "").contains("not(test");
    }
    false
}

pub(crate) fn has_test_attr(attrs: &[Attribute]) -> bool {
    attrs.iter().any(is_test_attr)
}

/// Remove the common leading indentation (`indoc!`).
pub(super) fn dedent(s: &str) -> String {
    let s = s.strip_prefix('\n').unwrap_or(s);
    let indent = s
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    s.lines()
        .map(|l| l.get(indent..).unwrap_or(l.trim_start()))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Flatten nested `Concat`s and merge adjacent literals.
pub(super) fn concat(parts: Vec<SqlExpr>) -> SqlExpr {
    let mut flat: Vec<SqlExpr> = Vec::new();
    for p in parts {
        match p {
            SqlExpr::Concat(inner) => {
                for q in inner {
                    push_merged(&mut flat, q);
                }
            }
            other => push_merged(&mut flat, other),
        }
    }
    if flat.len() == 1
        && let Some(SqlExpr::Lit(_)) = flat.first()
    {
        return flat.pop().unwrap_or(SqlExpr::Concat(Vec::new()));
    }
    SqlExpr::Concat(flat)
}

pub(super) fn push_merged(flat: &mut Vec<SqlExpr>, e: SqlExpr) {
    if let SqlExpr::Lit(b) = &e
        && let Some(SqlExpr::Lit(a)) = flat.last_mut()
    {
        a.push_str(b);
        return;
    }
    flat.push(e);
}

pub(super) fn choice(parts: Vec<SqlExpr>) -> SqlExpr {
    let mut flat: Vec<SqlExpr> = Vec::new();
    for p in parts {
        match p {
            SqlExpr::Choice(inner) => flat.extend(inner),
            other => flat.push(other),
        }
    }
    flat.dedup();
    if flat.len() == 1 {
        flat.pop().unwrap_or(SqlExpr::Choice(Vec::new()))
    } else {
        SqlExpr::Choice(flat)
    }
}

/// True for expressions that never produce a value (`panic!`, `return`...).
pub(super) fn diverges(e: &Expr) -> bool {
    match e {
        Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) => true,
        Expr::Macro(m) => macro_diverges(&m.mac),
        Expr::Block(b) => b.block.stmts.last().is_some_and(|s| match s {
            Stmt::Expr(e, _) => diverges(e),
            Stmt::Macro(m) => macro_diverges(&m.mac),
            _ => false,
        }),
        _ => false,
    }
}

pub(super) fn macro_diverges(mac: &syn::Macro) -> bool {
    let name = mac
        .path
        .segments
        .last()
        .map(|s| s.ident.to_string())
        .unwrap_or_default();
    matches!(
        name.as_str(),
        "panic" | "unreachable" | "todo" | "unimplemented" | "bail"
    )
}

pub(super) fn block_tail(b: &syn::Block) -> Option<&Expr> {
    match b.stmts.last()? {
        Stmt::Expr(e, None) => Some(e),
        _ => None,
    }
}

pub(super) fn pat_idents(p: &Pat, out: &mut Vec<String>) {
    match p {
        Pat::Ident(i) => {
            out.push(i.ident.to_string());
            if let Some((_, sub)) = &i.subpat {
                pat_idents(sub, out);
            }
        }
        Pat::Type(t) => pat_idents(&t.pat, out),
        Pat::Reference(r) => pat_idents(&r.pat, out),
        Pat::Tuple(t) => t.elems.iter().for_each(|e| pat_idents(e, out)),
        Pat::TupleStruct(t) => t.elems.iter().for_each(|e| pat_idents(e, out)),
        Pat::Struct(s) => s.fields.iter().for_each(|f| pat_idents(&f.pat, out)),
        Pat::Slice(s) => s.elems.iter().for_each(|e| pat_idents(e, out)),
        Pat::Or(o) => o.cases.iter().for_each(|e| pat_idents(e, out)),
        Pat::Paren(p) => pat_idents(&p.pat, out),
        _ => {}
    }
}

pub(super) fn strip_refs(e: &Expr) -> &Expr {
    match e {
        Expr::Reference(r) => strip_refs(&r.expr),
        Expr::Paren(p) => strip_refs(&p.expr),
        Expr::Group(g) => strip_refs(&g.expr),
        Expr::Await(a) => strip_refs(&a.base),
        Expr::Try(t) => strip_refs(&t.expr),
        _ => e,
    }
}

/// Name of the innermost value a receiver designates (`self.ch` -> `ch`,
/// `state.clickhouse.clone()` -> `clickhouse`, `client` -> `client`).
pub(super) fn receiver_name(e: &Expr) -> Option<String> {
    match strip_refs(e) {
        Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        Expr::Field(f) => match &f.member {
            syn::Member::Named(i) => Some(i.to_string()),
            syn::Member::Unnamed(_) => receiver_name(&f.base),
        },
        Expr::MethodCall(m) => {
            let name = Name::of(&m.method);
            if STR_WRAPPERS.contains(&name.as_str())
                || matches!(name.as_str(), "get" | "lock" | "read" | "write")
            {
                receiver_name(&m.receiver)
            } else {
                Some(name.to_string())
            }
        }
        _ => None,
    }
}

/// Number of `push_bind` calls in a `push_values` closure.
pub(super) fn count_binds(e: &Expr) -> usize {
    struct V(usize);
    impl<'ast> Visit<'ast> for V {
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            if m.method == "push_bind" || m.method == "push_bind_unseparated" {
                self.0 += 1;
            }
            visit::visit_expr_method_call(self, m);
        }
    }
    let mut v = V(0);
    v.visit_expr(e);
    v.0
}

pub(super) fn is_query_builder_new(c: &syn::ExprCall) -> bool {
    let Expr::Path(p) = &*c.func else {
        return false;
    };
    let segs = &p.path.segments;
    let n = segs.len();
    n >= 2 && {
        let (owner, last) = (&segs[n - 2], &segs[n - 1]);
        owner.ident == "QueryBuilder" && (last.ident == "new" || last.ident == "with_arguments")
    }
}
