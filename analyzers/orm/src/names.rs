//! Names in one file: imports (`use` trees, per scope), locals and their
//! types, and small helpers on paths and attributes.

use crate::Target;
use crate::written::WrittenValue;
use std::collections::HashMap;
use syn::{Expr, UseTree};

/// What kind of scope a [`Scope`] is: locals are not visible across a
/// function or module boundary; imports are (approximately: a child module
/// usually has `use super::*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ScopeKind {
    Module,
    Fn,
    Block,
}

/// One scope: its imports and its locals.
#[derive(Debug)]
pub(crate) struct Scope {
    pub kind: ScopeKind,
    /// Imported name (or rename) -> the full path as written in the `use`.
    pub imports: HashMap<String, Vec<String>>,
    /// `use a::b::*` -> `[a, b]`.
    pub globs: Vec<Vec<String>>,
    /// Local bindings, with what they hold when known (a model, a row).
    pub locals: HashMap<String, Option<Target>>,
    /// Locals holding a value an insert may write (`let am =
    /// outbox::ActiveModel { .. }`) -> the topic columns it writes.
    pub written: HashMap<String, Vec<WrittenValue>>,
}

impl Scope {
    pub fn new(kind: ScopeKind) -> Scope {
        Scope {
            kind,
            imports: HashMap::new(),
            globs: Vec::new(),
            locals: HashMap::new(),
            written: HashMap::new(),
        }
    }

    /// Add the imports of one `use` tree.
    pub fn add_use(&mut self, tree: &UseTree) {
        fn walk(tree: &UseTree, prefix: &mut Vec<String>, scope: &mut Scope) {
            match tree {
                UseTree::Path(p) => {
                    prefix.push(p.ident.to_string());
                    walk(&p.tree, prefix, scope);
                    prefix.pop();
                }
                UseTree::Name(n) => {
                    let name = n.ident.to_string();
                    if name == "self" {
                        // `use a::b::{self}` imports `b`.
                        if let Some(last) = prefix.last() {
                            scope.imports.insert(last.clone(), prefix.clone());
                        }
                    } else {
                        let mut path = prefix.clone();
                        path.push(name.clone());
                        scope.imports.insert(name, path);
                    }
                }
                UseTree::Rename(r) => {
                    let mut path = prefix.clone();
                    if r.ident != "self" {
                        path.push(r.ident.to_string());
                    }
                    if r.rename != "_" {
                        scope.imports.insert(r.rename.to_string(), path);
                    }
                }
                UseTree::Glob(_) => scope.globs.push(prefix.clone()),
                UseTree::Group(g) => {
                    for t in &g.items {
                        walk(t, prefix, scope);
                    }
                }
            }
        }
        walk(tree, &mut Vec::new(), self);
    }
}

/// The idents of a path.
pub(crate) fn segments(p: &syn::Path) -> Vec<String> {
    p.segments.iter().map(|s| s.ident.to_string()).collect()
}

/// Whether a name looks like a type (starts with an upper-case letter).
pub(crate) fn is_type_name(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

/// `e` without references, parentheses, groups, `.await` and `?`.
pub(crate) fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Reference(r) => strip(&r.expr),
        Expr::Paren(p) => strip(&p.expr),
        Expr::Group(g) => strip(&g.expr),
        Expr::Await(a) => strip(&a.base),
        Expr::Try(t) => strip(&t.expr),
        _ => e,
    }
}

/// The expression a method chain starts from (`users::table` of
/// `users::table.filter(..).load(conn)`, `diesel::insert_into(..)` of
/// `diesel::insert_into(..).values(..).execute(conn)`).
pub(crate) fn chain_root(e: &Expr) -> &Expr {
    let mut e = strip(e);
    while let Expr::MethodCall(m) = e {
        e = strip(&m.receiver);
    }
    e
}

/// The path segments of a call's function, when it is a plain path.
pub(crate) fn call_path(c: &syn::ExprCall) -> Option<&syn::Path> {
    match &*c.func {
        Expr::Path(p) if p.qself.is_none() => Some(&p.path),
        _ => None,
    }
}

/// 1-based line and column of a span's start.
pub(crate) fn line_col(span: proc_macro2::Span) -> (u32, u32) {
    let s = span.start();
    (s.line as u32, s.column as u32 + 1)
}

/// Line and column where `e` starts.
pub(crate) fn expr_at(e: &Expr) -> (u32, u32) {
    use quote::ToTokens;
    let first = e
        .to_token_stream()
        .into_iter()
        .next()
        .map(|t| t.span())
        .unwrap_or_else(proc_macro2::Span::call_site);
    line_col(first)
}

/// Longest text kept for a call in diagnostics.
const MAX_TEXT: usize = 160;

/// An expression as written, whitespace folded and shortened: the source
/// text behind its span when the parser kept it, else its tokens.
pub fn text_of(e: &impl quote::ToTokens) -> String {
    let tokens = e.to_token_stream();
    let mut iter = tokens.clone().into_iter();
    let joined = iter
        .next()
        .and_then(|first| {
            let last = iter.last().map(|t| t.span()).unwrap_or(first.span());
            first.span().join(last)
        })
        .and_then(|s| s.source_text());
    let raw = joined.unwrap_or_else(|| tokens.to_string());
    let mut folded = String::with_capacity(raw.len().min(MAX_TEXT + 4));
    for word in raw.split_whitespace() {
        // Chains broken over lines: `x\n    .filter(..)` reads `x.filter(..)`.
        if !folded.is_empty() && !word.starts_with('.') && !folded.ends_with('(') {
            folded.push(' ');
        }
        folded.push_str(word);
        if folded.len() > MAX_TEXT {
            break;
        }
    }
    if folded.len() > MAX_TEXT {
        let mut cut = MAX_TEXT;
        while !folded.is_char_boundary(cut) {
            cut -= 1;
        }
        folded.truncate(cut);
        folded.push('…');
    }
    folded
}

/// `key = "value"` or `key = path::value` inside attribute tokens rendered
/// as a string (`diesel(table_name = users)`, `table_name = "users"`,
/// `sql_name = "x"`): the value, a path's segments joined by `::`.
pub(crate) fn attr_value(attr_tokens: &str, key: &str) -> Option<String> {
    let idx = find_key(attr_tokens, key)?;
    let rest = attr_tokens[idx + key.len()..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let value: String = if let Some(r) = rest.strip_prefix('"') {
        r.chars().take_while(|&c| c != '"').collect()
    } else {
        rest.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':' || *c == ' ')
            .collect::<String>()
            .replace(' ', "")
    };
    if value.is_empty() { None } else { Some(value) }
}

/// Byte index of `key` as a whole word in `s`.
fn find_key(s: &str, key: &str) -> Option<usize> {
    let mut start = 0;
    while let Some(pos) = s[start..].find(key) {
        let idx = start + pos;
        let before_ok = s[..idx]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let after_ok = s[idx + key.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        if before_ok && after_ok {
            return Some(idx);
        }
        start = idx + key.len();
    }
    None
}

/// A path written as a string (`"super::fruit::Entity"`) or with `::`
/// (`crate::schema::users`), split.
pub(crate) fn split_path(s: &str) -> Vec<String> {
    s.split("::")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string)
        .collect()
}

/// `BakeryChef` -> `bakery_chef`, `HTTPRequest` -> `http_request`: the
/// snake case SeaORM's `DeriveIden` and diesel's default table names use
/// (the `heck` rules for ASCII identifiers).
pub(crate) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            continue;
        }
        if c.is_uppercase() {
            let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
            let next = chars.get(i + 1).copied();
            let boundary = match prev {
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                Some(p) if p.is_uppercase() => next.is_some_and(char::is_lowercase),
                _ => false,
            };
            if boundary && !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_like_heck() {
        for (from, to) in [
            ("Post", "post"),
            ("BakeryChef", "bakery_chef"),
            ("HTTPRequest", "http_request"),
            ("User2Role", "user2_role"),
            ("already_snake", "already_snake"),
            ("ABC", "abc"),
        ] {
            assert_eq!(snake_case(from), to, "{from}");
        }
    }

    #[test]
    fn attribute_values() {
        assert_eq!(
            attr_value(
                "diesel (table_name = crate :: schema :: users)",
                "table_name"
            ),
            Some("crate::schema::users".into())
        );
        assert_eq!(
            attr_value(
                r#"sea_orm (table_name = "cake" , schema_name = "bakery")"#,
                "schema_name"
            ),
            Some("bakery".into())
        );
        assert_eq!(attr_value("diesel (my_table_name = x)", "table_name"), None);
    }

    #[test]
    fn use_trees_expand() {
        let f: syn::File = syn::parse_quote! {
            use crate::schema::{users::{self, dsl::*}, posts::table as posts_table};
            use super::cake::Entity as Cake;
            use diesel::prelude::*;
        };
        let mut s = Scope::new(ScopeKind::Module);
        for item in &f.items {
            if let syn::Item::Use(u) = item {
                s.add_use(&u.tree);
            }
        }
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(s.imports["users"], p(&["crate", "schema", "users"]));
        assert_eq!(
            s.imports["posts_table"],
            p(&["crate", "schema", "posts", "table"])
        );
        assert_eq!(s.imports["Cake"], p(&["super", "cake", "Entity"]));
        assert_eq!(
            s.globs,
            vec![
                p(&["crate", "schema", "users", "dsl"]),
                p(&["diesel", "prelude"])
            ]
        );
    }
}
