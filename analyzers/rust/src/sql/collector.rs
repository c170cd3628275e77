//! The `syn::visit` walk behind [`super::collect`].

use super::clients;
use super::format::{FormatPiece, escape, parse_format_template};
use super::{ConstDef, FnInfo, SqlExpr, SqlSite};
use crate::FileFacts;
use crate::macros::MacroArgs;
use crate::{FastMap as HashMap, FastSet as HashSet};
use nova_model::StoreKind;
use proc_macro2::Span;
use quote::ToTokens;
use syn::visit::{self, Visit};
use syn::{Attribute, BinOp, Expr, Lit, Pat, Stmt, UseTree};

/// sqlx query macros (`sqlx::query!` and friends).
const SQLX_MACROS: &[&str] = &[
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
const SQLX_FNS: &[&str] = &[
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
const SQL_METHODS: &[&str] = &[
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
const STR_WRAPPERS: &[&str] = &[
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
const BUILDER_METHODS: &[&str] = &[
    "push",
    "push_bind",
    "push_values",
    "push_tuples",
    "separated",
    "push_unseparated",
    "push_bind_unseparated",
];

/// Relational driver crates, in the order used to name a method-call API.
const RELATIONAL_CRATES: &[&str] = &[
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

const CLICKHOUSE_CRATES: &[&str] = &["clickhouse", "clickhouse_rs", "klickhouse"];

/// Maximum recursion when evaluating an expression.
const MAX_EVAL_DEPTH: usize = 48;

/// A site whose SQL is parameter `index` (`self` not counted) of the
/// function named `function` (last path segment), filled in after the walk
/// by `params`.
#[derive(Debug)]
pub(super) struct ParamSite {
    pub site: usize,
    pub function: String,
    pub index: usize,
    pub has_self: bool,
}

/// A collector for `file`, before its walk.
pub(super) fn collector<'o>(
    file: &syn::File,
    macros: &'o MacroArgs,
    in_test_file: bool,
    out: &'o mut FileFacts,
) -> Collector<'o> {
    let imports = Imports::from_file(file);
    Collector {
        param_sites: Vec::new(),
        macros,
        out,
        imports,
        in_test_file,
        modules: Vec::new(),
        self_types: Vec::new(),
        test_depth: 0,
        fns: Vec::new(),
        scopes: Vec::new(),
        pending_builder: None,
        trait_impl: Vec::new(),
        trait_decl: Vec::new(),
    }
}

/// What the file imports: crate roots and imported names.
#[derive(Default)]
struct Imports {
    roots: HashSet<String>,
    /// Imported leaf name (or rename) -> root crate.
    names: HashMap<String, String>,
    /// Client crates ([`clients::CLIENT_APIS`]) the file names in a path
    /// (`deadpool_postgres::Pool`) without importing them.
    named: HashSet<String>,
}

impl Imports {
    fn from_file(file: &syn::File) -> Self {
        struct V<'a>(&'a mut Imports);
        impl<'ast> Visit<'ast> for V<'_> {
            fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
                walk_use(&u.tree, None, self.0);
            }
            fn visit_item_extern_crate(&mut self, e: &'ast syn::ItemExternCrate) {
                self.0.roots.insert(e.ident.to_string());
            }
            fn visit_path(&mut self, p: &'ast syn::Path) {
                if p.segments.len() > 1
                    && let Some(first) = p.segments.first()
                    && clients::is_client_crate(&first.ident)
                {
                    self.0.named.insert(first.ident.to_string());
                }
                visit::visit_path(self, p);
            }
        }
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
        let mut imports = Imports::default();
        V(&mut imports).visit_file(file);
        imports
    }

    fn uses(&self, krate: &str) -> bool {
        self.roots.contains(krate)
    }

    /// Whether the file imports or names crate `krate` in a path.
    fn names_crate(&self, krate: &str) -> bool {
        self.uses(krate) || self.named.contains(krate)
    }

    fn name_from(&self, name: &str, krate: &str) -> bool {
        self.names.get(name).is_some_and(|r| r == krate)
    }

    fn relational_api(&self) -> &'static str {
        RELATIONAL_CRATES
            .iter()
            .find(|c| self.uses(c))
            .or_else(|| RELATIONAL_CRATES.iter().find(|c| self.named.contains(**c)))
            .copied()
            .unwrap_or("db")
    }

    fn clickhouse_only(&self) -> bool {
        CLICKHOUSE_CRATES.iter().any(|c| self.uses(c))
            && !RELATIONAL_CRATES.iter().any(|c| self.uses(c))
    }
}

/// A local binding inside a function.
#[derive(Debug, Clone)]
enum Binding {
    /// Bound to a string-like expression (`assigned`: set by `x = ..`;
    /// `at`: line and column of the expression that gave the text).
    Str {
        expr: SqlExpr,
        assigned: bool,
        at: (u32, u32),
    },
    /// A `QueryBuilder` recorded as site `site`.
    Builder {
        site: usize,
        sep: Option<String>,
        first: bool,
    },
    /// `let x;` with no initialiser yet.
    Uninit,
    /// A prepared statement (`let stmt = client.prepare(..).await?`): not
    /// SQL text, its text is a site where it was prepared.
    Statement,
    /// Anything else (shadows consts and outer bindings).
    Other,
}

struct FnCtx {
    info: usize,
    path: String,
    /// Called names with the line of the first call; sorted into the
    /// function's [`FnInfo::calls`] when the walk leaves it.
    calls: HashMap<String, u32>,
    /// Parameter names, `self` excluded, in order.
    params: Vec<String>,
    /// Parameters whose type is a prepared statement's.
    statement_params: Vec<String>,
    has_self: bool,
}

pub(super) struct Collector<'o> {
    /// The file's macro bodies, parsed once (shared with the graph walk).
    macros: &'o MacroArgs,
    pub(super) out: &'o mut FileFacts,
    imports: Imports,
    in_test_file: bool,
    modules: Vec<String>,
    pub(super) self_types: Vec<String>,
    trait_impl: Vec<bool>,
    /// Parallel to `self_types`: true inside a `trait` declaration.
    pub(super) trait_decl: Vec<bool>,
    test_depth: usize,
    fns: Vec<FnCtx>,
    scopes: Vec<HashMap<String, Binding>>,
    pending_builder: Option<usize>,
    /// Sites whose SQL is a parameter of their function, resolved from the
    /// calls to it in the file once the walk is done (`super::params`).
    pub(super) param_sites: Vec<ParamSite>,
}

fn line_col(span: Span) -> (u32, u32) {
    let s = span.start();
    (s.line as u32, s.column as u32 + 1)
}

/// 1-based line and column of the first token of an expression.
fn expr_at(e: &Expr) -> (u32, u32) {
    line_col(crate::span::first_span(e))
}

fn is_screaming(name: &str) -> bool {
    name.chars().any(|c| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Source text of an expression, tidied (`self . sql` -> `self.sql`).
pub(crate) fn expr_text(e: &impl ToTokens) -> String {
    tidy_text(e.to_token_stream().to_string())
}

/// The spacing rules of [`expr_text`] on rendered tokens.
fn tidy_text(s: String) -> String {
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

fn path_segments(p: &syn::Path) -> Vec<String> {
    p.segments.iter().map(|s| s.ident.to_string()).collect()
}

fn first_span(p: &syn::Path) -> Span {
    p.segments
        .first()
        .map(|s| s.ident.span())
        .unwrap_or_else(Span::call_site)
}

fn is_test_attr(attr: &Attribute) -> bool {
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
fn dedent(s: &str) -> String {
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
fn concat(parts: Vec<SqlExpr>) -> SqlExpr {
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

fn push_merged(flat: &mut Vec<SqlExpr>, e: SqlExpr) {
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
fn diverges(e: &Expr) -> bool {
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

fn macro_diverges(mac: &syn::Macro) -> bool {
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

fn block_tail(b: &syn::Block) -> Option<&Expr> {
    match b.stmts.last()? {
        Stmt::Expr(e, None) => Some(e),
        _ => None,
    }
}

fn pat_idents(p: &Pat, out: &mut Vec<String>) {
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

fn strip_refs(e: &Expr) -> &Expr {
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
fn receiver_name(e: &Expr) -> Option<String> {
    match strip_refs(e) {
        Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        Expr::Field(f) => match &f.member {
            syn::Member::Named(i) => Some(i.to_string()),
            syn::Member::Unnamed(_) => receiver_name(&f.base),
        },
        Expr::MethodCall(m) => {
            let name = m.method.to_string();
            if STR_WRAPPERS.contains(&name.as_str())
                || matches!(name.as_str(), "get" | "lock" | "read" | "write")
            {
                receiver_name(&m.receiver)
            } else {
                Some(name)
            }
        }
        _ => None,
    }
}

pub(super) fn is_clickhouse_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "ch"
        || n.starts_with("ch_")
        || n.ends_with("_ch")
        || n.contains("clickhouse")
        || n.contains("click_house")
}

impl Collector<'_> {
    fn in_test(&self) -> bool {
        self.in_test_file || self.test_depth > 0
    }

    fn current_fn(&self) -> Option<String> {
        self.fns.last().map(|f| f.path.clone())
    }

    /// Where the text of a SQL argument is: the initialiser of the local it
    /// names (through `&`, `.as_str()`...), else the argument itself.
    fn text_at(&self, e: &Expr) -> (u32, u32) {
        match strip_refs(e) {
            Expr::MethodCall(m) if STR_WRAPPERS.contains(&m.method.to_string().as_str()) => {
                self.text_at(&m.receiver)
            }
            Expr::Path(p) if p.qself.is_none() => {
                match p.path.get_ident().and_then(|i| self.lookup(&i.to_string())) {
                    Some(Binding::Str { at, .. }) => *at,
                    _ => expr_at(e),
                }
            }
            _ => expr_at(e),
        }
    }

    /// Record a site whose SQL text is the argument `arg` (see
    /// [`SqlSite::text_at`]).
    fn push_site_for(
        &mut self,
        expr: SqlExpr,
        span: Span,
        arg: &Expr,
        api: String,
        store: Option<StoreKind>,
    ) {
        let at = self.text_at(arg);
        let param = match &expr {
            SqlExpr::Unknown(_) => self.param_of(arg),
            _ => None,
        };
        self.push_site(expr, span, api, store);
        if let Some((function, index, has_self)) = param {
            self.param_sites.push(ParamSite {
                site: self.out.sql_sites.len() - 1,
                function,
                index,
                has_self,
            });
        }
        if let Some(site) = self.out.sql_sites.last_mut()
            && at != (site.line, site.column)
        {
            site.text_at = Some(at);
        }
    }

    fn push_site(&mut self, expr: SqlExpr, span: Span, api: String, store: Option<StoreKind>) {
        let (line, column) = line_col(span);
        self.out.sql_sites.push(SqlSite {
            expr,
            line,
            column,
            text_at: None,
            function: self.current_fn(),
            module: self.modules.clone(),
            in_test: self.in_test(),
            api,
            store,
            inferred: false,
        });
    }

    /// `(function name, parameter index, has self)` when `arg` names a
    /// parameter of the current function (not shadowed by a local).
    fn param_of(&self, arg: &Expr) -> Option<(String, usize, bool)> {
        let ident = match strip_refs(arg) {
            Expr::MethodCall(m) if STR_WRAPPERS.contains(&m.method.to_string().as_str()) => {
                return self.param_of(&m.receiver);
            }
            Expr::Path(p) if p.qself.is_none() => p.path.get_ident()?.to_string(),
            _ => return None,
        };
        if self.lookup(&ident).is_some() {
            return None;
        }
        let ctx = self.fns.last()?;
        let index = ctx.params.iter().position(|p| *p == ident)?;
        let name = ctx
            .path
            .rsplit("::")
            .next()
            .unwrap_or(&ctx.path)
            .to_string();
        Some((name, index, ctx.has_self))
    }

    fn record_call(&mut self, name: &str, span: Span) {
        // Most calls repeat a name already seen: copy it only when new.
        if let Some(ctx) = self.fns.last_mut()
            && !ctx.calls.contains_key(name)
        {
            ctx.calls.insert(name.to_string(), line_col(span).0);
        }
    }

    fn item_path(&self, name: &str) -> String {
        let mut parts: Vec<&str> = self.modules.iter().map(String::as_str).collect();
        if let Some(t) = self.self_types.last() {
            parts.push(t);
        }
        parts.push(name);
        parts.join("::")
    }

    fn lookup(&self, name: &str) -> Option<&Binding> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    fn lookup_mut(&mut self, name: &str) -> Option<&mut Binding> {
        self.scopes.iter_mut().rev().find_map(|s| s.get_mut(name))
    }

    fn bind(&mut self, name: String, b: Binding) {
        if self.scopes.is_empty() {
            self.scopes.push(HashMap::default());
        }
        if let Some(s) = self.scopes.last_mut() {
            s.insert(name, b);
        }
    }

    /// Enter a function: fresh locals, a new [`FnInfo`].
    fn with_fn(
        &mut self,
        sig: &syn::Signature,
        is_pub: bool,
        attrs: &[Attribute],
        body: impl FnOnce(&mut Self),
    ) {
        let name = &sig.ident.to_string();
        let span = sig.ident.span();
        let test = has_test_attr(attrs);
        if test {
            self.test_depth += 1;
        }
        let path = self.item_path(name);
        let info = self.out.functions.len();
        self.out.functions.push(FnInfo {
            path: path.clone(),
            name: name.to_string(),
            line: line_col(span).0,
            in_test: self.in_test(),
            is_pub,
            calls: Vec::new(),
        });
        let mut params = Vec::new();
        let mut statement_params = Vec::new();
        let mut has_self = false;
        for input in &sig.inputs {
            match input {
                syn::FnArg::Receiver(_) => has_self = true,
                syn::FnArg::Typed(t) => {
                    let name = match &*t.pat {
                        Pat::Ident(i) => i.ident.to_string(),
                        _ => String::new(),
                    };
                    if clients::is_statement_type(&t.ty) {
                        statement_params.push(name.clone());
                    }
                    params.push(name);
                }
            }
        }
        self.fns.push(FnCtx {
            info,
            path,
            calls: HashMap::default(),
            params,
            statement_params,
            has_self,
        });
        let saved = std::mem::take(&mut self.scopes);
        body(self);
        self.scopes = saved;
        if let Some(ctx) = self.fns.pop()
            && let Some(info) = self.out.functions.get_mut(ctx.info)
        {
            let mut calls: Vec<(String, u32)> = ctx.calls.into_iter().collect();
            calls.sort_unstable();
            info.calls = calls;
        }
        if test {
            self.test_depth -= 1;
        }
    }

    fn push_const(&mut self, name: &syn::Ident, expr: &Expr, extra_module: Option<&str>) {
        if !self.fns.is_empty() && extra_module.is_none() {
            // Function-local items are bound as locals (`bind_local_item`).
            return;
        }
        let saved = std::mem::take(&mut self.scopes);
        let value = self.eval(expr);
        self.scopes = saved;
        if let Some(value) = value {
            let mut module = self.modules.clone();
            if let Some(m) = extra_module {
                module.push(m.to_string());
            }
            self.out.consts.push(ConstDef {
                name: name.to_string(),
                module,
                value,
                line: line_col(name.span()).0,
            });
        }
    }

    /// A `const`/`static` declared inside a function body is visible only
    /// there: bind it like a local so that two functions each declaring
    /// `const SQL` resolve to their own text.
    fn bind_local_item(&mut self, name: &syn::Ident, expr: &Expr) {
        if self.fns.is_empty() {
            return;
        }
        let value_expr = expr;
        let saved = std::mem::take(&mut self.scopes);
        let value = self.eval(expr);
        self.scopes = saved;
        if let Some(expr) = value {
            self.bind(
                name.to_string(),
                Binding::Str {
                    expr,
                    assigned: false,
                    at: expr_at(value_expr),
                },
            );
        }
    }

    // ---- evaluation of string-like expressions ----

    pub(super) fn eval(&self, e: &Expr) -> Option<SqlExpr> {
        self.eval_at(e, 0)
    }

    fn eval_or_unknown(&self, e: &Expr) -> SqlExpr {
        self.eval(e)
            .unwrap_or_else(|| SqlExpr::Unknown(expr_text(e)))
    }

    fn eval_at(&self, e: &Expr, depth: usize) -> Option<SqlExpr> {
        if depth > MAX_EVAL_DEPTH {
            return None;
        }
        let d = depth + 1;
        match e {
            Expr::Lit(l) => match &l.lit {
                Lit::Str(s) => Some(SqlExpr::Lit(crate::lit_value(s))),
                _ => None,
            },
            Expr::Reference(r) => self.eval_at(&r.expr, d),
            Expr::Paren(p) => self.eval_at(&p.expr, d),
            Expr::Group(g) => self.eval_at(&g.expr, d),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.eval_at(&u.expr, d),
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                if STR_WRAPPERS.contains(&name.as_str()) && m.args.is_empty() {
                    self.eval_at(&m.receiver, d)
                } else {
                    None
                }
            }
            Expr::Call(c) => self.eval_call(c, d),
            Expr::Macro(m) => self.eval_macro(&m.mac, d),
            Expr::Binary(b) if matches!(b.op, BinOp::Add(_)) => {
                let l = self.eval_at(&b.left, d);
                let r = self.eval_at(&b.right, d);
                if l.is_none() && r.is_none() {
                    return None;
                }
                let l = l.unwrap_or_else(|| SqlExpr::Unknown(expr_text(&b.left)));
                let r = r.unwrap_or_else(|| SqlExpr::Unknown(expr_text(&b.right)));
                Some(concat(vec![l, r]))
            }
            Expr::If(i) => {
                let (_, else_branch) = i.else_branch.as_ref()?;
                let then = block_tail(&i.then_branch);
                let then_v = then.and_then(|t| self.eval_at(t, d));
                let else_v = self.eval_at(else_branch, d);
                if then_v.is_none() && else_v.is_none() {
                    return None;
                }
                let mut parts = Vec::new();
                match (then_v, then) {
                    (Some(v), _) => parts.push(v),
                    (None, Some(t)) if !diverges(t) => parts.push(SqlExpr::Unknown(expr_text(t))),
                    _ => {}
                }
                match else_v {
                    Some(v) => parts.push(v),
                    None if !diverges(else_branch) => {
                        parts.push(SqlExpr::Unknown(expr_text(else_branch.as_ref())))
                    }
                    None => {}
                }
                Some(choice(parts))
            }
            Expr::Match(m) => {
                let arms: Vec<(&Expr, Option<SqlExpr>)> = m
                    .arms
                    .iter()
                    .filter(|arm| !diverges(&arm.body))
                    .map(|arm| (&*arm.body, self.eval_at(&arm.body, d)))
                    .collect();
                if arms.iter().all(|(_, v)| v.is_none()) {
                    return None;
                }
                let parts = arms
                    .into_iter()
                    .map(|(body, v)| v.unwrap_or_else(|| SqlExpr::Unknown(expr_text(body))))
                    .collect();
                Some(choice(parts))
            }
            Expr::Block(b) => self.eval_at(block_tail(&b.block)?, d),
            Expr::Unsafe(b) => self.eval_at(block_tail(&b.block)?, d),
            Expr::Path(p) => {
                if p.qself.is_some() {
                    return None;
                }
                let segs = path_segments(&p.path);
                if segs.len() == 1 {
                    let name = &segs[0];
                    match self.lookup(name) {
                        Some(Binding::Str { expr, .. }) => Some(expr.clone()),
                        Some(_) => None,
                        None if is_screaming(name) => Some(SqlExpr::Const(segs)),
                        None => None,
                    }
                } else if segs.last().is_some_and(|s| is_screaming(s)) {
                    Some(SqlExpr::Const(self.replace_self(segs)))
                } else {
                    None
                }
            }
            Expr::Index(i) if matches!(&*i.index, Expr::Range(_)) => self.eval_at(&i.expr, d),
            Expr::Closure(c) => self.eval_at(&c.body, d),
            _ => None,
        }
    }

    /// `Self::X` inside `impl T` is `T::X`; inside a trait declaration
    /// `Self` stays (any implementor).
    fn replace_self(&self, mut segs: Vec<String>) -> Vec<String> {
        if segs.first().is_some_and(|s| s == "Self")
            && !self.trait_decl.last().copied().unwrap_or(false)
            && let Some(t) = self.self_types.last()
        {
            segs[0] = t.clone();
        }
        segs
    }

    fn eval_call(&self, c: &syn::ExprCall, d: usize) -> Option<SqlExpr> {
        let Expr::Path(p) = &*c.func else {
            return None;
        };
        let segs = path_segments(&p.path);
        let last = segs.last()?.as_str();
        let owner = segs.len().checked_sub(2).and_then(|i| segs.get(i));
        let owner = owner.map(String::as_str);
        match (owner, last) {
            (Some("String" | "Cow" | "Box" | "Arc" | "Rc" | "str"), "from")
            | (Some("String"), "from_str")
            | (Some("Cow"), "Borrowed" | "Owned")
            | (None, "Borrowed" | "Owned") => self.eval_at(c.args.first()?, d),
            (Some("String"), "new" | "with_capacity") => Some(SqlExpr::Concat(Vec::new())),
            (Some("Lazy" | "LazyLock" | "LazyCell"), "new") => self.eval_at(c.args.first()?, d),
            // sqlx 0.9 `AssertSqlSafe(..)` wrapper.
            (_, "AssertSqlSafe") if c.args.len() == 1 => self.eval_at(c.args.first()?, d),
            _ => None,
        }
    }

    fn eval_macro(&self, mac: &syn::Macro, d: usize) -> Option<SqlExpr> {
        let name = mac.path.segments.last()?.ident.to_string();
        match name.as_str() {
            "format" | "formatcp" | "format_args" | "formatdoc" | "const_format" => {
                let args = self.macros.args(mac)?;
                self.eval_format(&args, name == "formatdoc", d)
            }
            "concat" | "concatcp" | "const_concat" => {
                let args = self.macros.args(mac)?;
                let parts = args
                    .iter()
                    .map(|a| match a {
                        Expr::Lit(l) => match &l.lit {
                            Lit::Str(s) => SqlExpr::Lit(crate::lit_value(s)),
                            Lit::Int(i) => SqlExpr::Lit(i.base10_digits().to_string()),
                            Lit::Float(f) => SqlExpr::Lit(f.base10_digits().to_string()),
                            Lit::Bool(b) => SqlExpr::Lit(b.value.to_string()),
                            Lit::Char(c) => SqlExpr::Lit(c.value().to_string()),
                            _ => SqlExpr::Unknown(expr_text(a)),
                        },
                        other => self
                            .eval_at(other, d)
                            .unwrap_or_else(|| SqlExpr::Unknown(expr_text(other))),
                    })
                    .collect();
                Some(concat(parts))
            }
            "include_str" => {
                let args = self.macros.args(mac)?;
                match args.first()? {
                    Expr::Lit(l) => match &l.lit {
                        Lit::Str(s) => Some(SqlExpr::Include(s.value())),
                        _ => None,
                    },
                    _ => None,
                }
            }
            "indoc" | "sql" => {
                let args = self.macros.args(mac)?;
                match self.eval_at(args.first()?, d)? {
                    SqlExpr::Lit(s) => Some(SqlExpr::Lit(dedent(&s))),
                    other => Some(other),
                }
            }
            _ => None,
        }
    }

    /// Build a normalised [`SqlExpr::Format`] from `format!` arguments.
    fn eval_format(&self, args: &[Expr], dedent_template: bool, d: usize) -> Option<SqlExpr> {
        let (first, rest) = args.split_first()?;
        let template = match self.eval_at(first, d)? {
            SqlExpr::Lit(s) => s,
            _ => return None,
        };
        let template = if dedent_template {
            dedent(&template)
        } else {
            template
        };
        let mut positional = Vec::new();
        let mut named: HashMap<String, &Expr> = HashMap::default();
        for a in rest {
            if let Expr::Assign(asg) = a
                && let Expr::Path(p) = &*asg.left
                && let Some(id) = p.path.get_ident()
            {
                named.insert(id.to_string(), &asg.right);
                continue;
            }
            positional.push(a);
        }
        let mut next = 0usize;
        let mut out_template = String::new();
        let mut out_args = Vec::new();
        for piece in parse_format_template(&template) {
            match piece {
                FormatPiece::Text(t) => out_template.push_str(&escape(&t)),
                FormatPiece::Hole(arg) => {
                    let value = match arg {
                        None => {
                            let v = positional.get(next).map(|e| self.eval_or_unknown_at(e, d));
                            next += 1;
                            v
                        }
                        Some(a) if a.chars().all(|c| c.is_ascii_digit()) => a
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| positional.get(i))
                            .map(|e| self.eval_or_unknown_at(e, d)),
                        Some(a) => match named.get(a.as_str()) {
                            Some(e) => Some(self.eval_or_unknown_at(e, d)),
                            None => Some(self.eval_captured(&a)),
                        },
                    };
                    out_template.push_str("{}");
                    out_args.push(value.unwrap_or_else(|| SqlExpr::Unknown("?".to_string())));
                }
            }
        }
        if out_args.is_empty() {
            // No holes: plain text (unescape the normalised template).
            let text = parse_format_template(&out_template)
                .into_iter()
                .map(|p| match p {
                    FormatPiece::Text(t) => t,
                    FormatPiece::Hole(_) => String::new(),
                })
                .collect();
            return Some(SqlExpr::Lit(text));
        }
        Some(SqlExpr::Format {
            template: out_template,
            args: out_args,
        })
    }

    fn eval_or_unknown_at(&self, e: &Expr, d: usize) -> SqlExpr {
        self.eval_at(e, d)
            .unwrap_or_else(|| SqlExpr::Unknown(expr_text(e)))
    }

    /// A `{name}` captured from the scope.
    fn eval_captured(&self, name: &str) -> SqlExpr {
        match self.lookup(name) {
            Some(Binding::Str { expr, .. }) => expr.clone(),
            Some(_) => SqlExpr::Unknown(name.to_string()),
            None if is_screaming(name) => SqlExpr::Const(vec![name.to_string()]),
            None => SqlExpr::Unknown(name.to_string()),
        }
    }

    // ---- sites ----

    fn sqlx_macro(&mut self, mac: &syn::Macro, name: &str) {
        let Some(args) = self.macros.args(mac) else {
            self.push_site(
                SqlExpr::Unknown(mac.tokens.to_string()),
                first_span(&mac.path),
                format!("sqlx::{name}!"),
                None,
            );
            return;
        };
        let sql_idx = usize::from(name.contains("_as"));
        let expr = match args.get(sql_idx) {
            Some(a) if name.starts_with("query_file") => match self.eval(a) {
                Some(SqlExpr::Lit(p)) => SqlExpr::File(p),
                _ => SqlExpr::Unknown(expr_text(a)),
            },
            Some(a) => self.eval_or_unknown(a),
            None => SqlExpr::Unknown(mac.tokens.to_string()),
        };
        match args.get(sql_idx) {
            Some(a) => self.push_site_for(
                expr,
                first_span(&mac.path),
                a,
                format!("sqlx::{name}!"),
                None,
            ),
            None => self.push_site(expr, first_span(&mac.path), format!("sqlx::{name}!"), None),
        }
        for (i, a) in args.iter().enumerate() {
            if i != sql_idx {
                self.visit_expr(a);
            }
        }
    }

    /// Apply a `QueryBuilder` method to the builder bound to the root of
    /// `receiver`.
    fn builder_method(&mut self, m: &syn::ExprMethodCall) {
        let method = m.method.to_string();
        let mut root = &*m.receiver;
        loop {
            match root {
                Expr::MethodCall(inner)
                    if BUILDER_METHODS.contains(&inner.method.to_string().as_str()) =>
                {
                    root = &inner.receiver
                }
                Expr::Reference(r) => root = &r.expr,
                Expr::Paren(p) => root = &p.expr,
                _ => break,
            }
        }
        let Expr::Path(p) = root else { return };
        let Some(ident) = p.path.get_ident() else {
            return;
        };
        let Some(Binding::Builder { site, sep, first }) = self.lookup(&ident.to_string()).cloned()
        else {
            return;
        };
        let mut parts = Vec::new();
        let mut unseparated = false;
        match method.as_str() {
            "push" | "push_unseparated" => {
                unseparated = method == "push_unseparated";
                if let Some(a) = m.args.first() {
                    parts.push(self.eval_or_unknown(a));
                }
            }
            "push_bind" | "push_bind_unseparated" => {
                unseparated = method == "push_bind_unseparated";
                parts.push(SqlExpr::Bind);
            }
            "push_values" | "push_tuples" => {
                let binds = m.args.iter().nth(1).map(count_binds).unwrap_or(1).max(1);
                let mut row = vec![SqlExpr::Lit(if method == "push_values" {
                    "VALUES (".to_string()
                } else {
                    "(".to_string()
                })];
                for i in 0..binds {
                    if i > 0 {
                        row.push(SqlExpr::Lit(", ".to_string()));
                    }
                    row.push(SqlExpr::Bind);
                }
                row.push(SqlExpr::Lit(")".to_string()));
                parts.extend(row);
            }
            _ => return,
        }
        if let (Some(sep_text), false, false) = (&sep, first, unseparated) {
            parts.insert(0, SqlExpr::Lit(sep_text.clone()));
        }
        if sep.is_some()
            && !unseparated
            && let Some(Binding::Builder { first, .. }) = self.lookup_mut(&ident.to_string())
        {
            *first = false;
        }
        if let Some(s) = self.out.sql_sites.get_mut(site) {
            let old = std::mem::replace(&mut s.expr, SqlExpr::Concat(Vec::new()));
            let mut all = vec![old];
            all.extend(parts);
            s.expr = concat(all);
        }
    }

    /// `let sep = qb.separated(", ")`: bind `sep` to the same site.
    fn separated_binding(&self, init: &Expr) -> Option<Binding> {
        let Expr::MethodCall(m) = strip_refs(init) else {
            return None;
        };
        if m.method != "separated" {
            return None;
        }
        let Expr::Path(p) = strip_refs(&m.receiver) else {
            return None;
        };
        let site = match self.lookup(&p.path.get_ident()?.to_string())? {
            Binding::Builder { site, .. } => *site,
            _ => return None,
        };
        let sep = match m.args.first().and_then(|a| self.eval(a)) {
            Some(SqlExpr::Lit(s)) => s,
            _ => ", ".to_string(),
        };
        Some(Binding::Builder {
            site,
            sep: Some(sep),
            first: true,
        })
    }

    /// The API and SQL argument of an ORM's raw-SQL call: diesel
    /// `sql_query(sql)`, SeaORM `Statement::from_string(backend, sql)` /
    /// `Statement::from_sql_and_values(backend, sql, values)`.
    fn orm_raw_sql<'c>(
        &self,
        segs: &[String],
        c: &'c syn::ExprCall,
    ) -> Option<(&'static str, &'c Expr)> {
        match segs {
            [.., last] if last == "sql_query" => {
                let diesel = match segs {
                    [_] => self.imports.name_from("sql_query", "diesel"),
                    [first, ..] => first == "diesel",
                    [] => false,
                };
                diesel.then(|| c.args.first().map(|a| ("diesel::sql_query", a)))?
            }
            [.., ty, f]
                if ty == "Statement" && (f == "from_string" || f == "from_sql_and_values") =>
            {
                c.args.iter().nth(1).map(|a| ("sea_orm::Statement", a))
            }
            _ => None,
        }
    }

    fn sql_method(&mut self, m: &syn::ExprMethodCall, method: &str) {
        let Some(first) = m.args.first() else { return };
        let recv = receiver_name(&m.receiver);
        let ch = recv.as_deref().is_some_and(is_clickhouse_name)
            || (method == "query" && m.args.len() == 1 && self.imports.clickhouse_only());
        // The call has a SQL client's shape (`clients`): whatever its first
        // argument, it is a site, reported (N006) when it cannot be resolved.
        let client = clients::driver_call(method, m.args.len(), recv.as_deref(), |c| {
            self.imports.names_crate(c)
        }) && clients::client_receiver(&m.receiver);
        let expr = match self.eval(first) {
            Some(e) => e,
            None if self.is_statement(first) => return,
            None => {
                // A parameter or field named like SQL, with tokio-postgres
                // style params (`&[..]`) as second argument.
                let name = receiver_name(first)
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let unbound = match strip_refs(first) {
                    Expr::Path(p) => p
                        .path
                        .get_ident()
                        .is_some_and(|i| self.lookup(&i.to_string()).is_none()),
                    Expr::Field(_) => true,
                    _ => false,
                };
                let params = m.args.iter().nth(1).is_some_and(|a| {
                    matches!(strip_refs(a), Expr::Array(_))
                        || matches!(a, Expr::Reference(r) if matches!(&*r.expr, Expr::Array(_)))
                });
                // A parameter of the function holding SQL is resolved from
                // the calls to the function (`super::params`).
                let param = self.param_of(first).is_some();
                let named_sql = unbound
                    && (params || param)
                    && (name.contains("sql") || name.contains("query"));
                if client || named_sql {
                    SqlExpr::Unknown(expr_text(first))
                } else {
                    return;
                }
            }
        };
        let (api, store) = if ch {
            (format!("clickhouse::{method}"), Some(StoreKind::ClickHouse))
        } else {
            (format!("{}::{method}", self.imports.relational_api()), None)
        };
        self.push_site_for(expr, m.method.span(), first, api, store);
        if let Some(site) = self.out.sql_sites.last_mut() {
            site.inferred = !client;
        }
    }

    /// Whether an argument that is not SQL text is a prepared statement: a
    /// local bound to `prepare(..)`'s result or typed as one, a parameter
    /// of a statement type, or a value named like one (`stmt`).
    fn is_statement(&self, arg: &Expr) -> bool {
        let arg = match strip_refs(arg) {
            Expr::MethodCall(m) if STR_WRAPPERS.contains(&m.method.to_string().as_str()) => {
                strip_refs(&m.receiver)
            }
            other => other,
        };
        if let Expr::Path(p) = arg
            && let Some(ident) = p.path.get_ident()
        {
            let name = ident.to_string();
            match self.lookup(&name) {
                Some(Binding::Statement) => return true,
                Some(_) => {}
                None => {
                    if self
                        .fns
                        .last()
                        .is_some_and(|f| f.statement_params.contains(&name))
                    {
                        return true;
                    }
                }
            }
        }
        matches!(arg, Expr::Path(_) | Expr::Field(_)) && clients::names_a_statement(&expr_text(arg))
    }
}

/// Number of `push_bind` calls in a `push_values` closure.
fn count_binds(e: &Expr) -> usize {
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

impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let test = has_test_attr(&m.attrs) || m.ident == "tests";
        if test {
            self.test_depth += 1;
        }
        self.modules.push(m.ident.to_string());
        let saved_types = std::mem::take(&mut self.self_types);
        visit::visit_item_mod(self, m);
        self.self_types = saved_types;
        self.modules.pop();
        if test {
            self.test_depth -= 1;
        }
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let test = has_test_attr(&i.attrs);
        if test {
            self.test_depth += 1;
        }
        let name = match &*i.self_ty {
            syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        }
        .unwrap_or_else(|| "_".to_string());
        self.self_types.push(name);
        self.trait_impl.push(i.trait_.is_some());
        self.trait_decl.push(false);
        visit::visit_item_impl(self, i);
        self.trait_impl.pop();
        self.trait_decl.pop();
        self.self_types.pop();
        if test {
            self.test_depth -= 1;
        }
    }

    fn visit_item_trait(&mut self, t: &'ast syn::ItemTrait) {
        self.self_types.push(t.ident.to_string());
        self.trait_impl.push(true);
        self.trait_decl.push(true);
        visit::visit_item_trait(self, t);
        self.trait_impl.pop();
        self.trait_decl.pop();
        self.self_types.pop();
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        let is_pub = !matches!(f.vis, syn::Visibility::Inherited);
        // Free functions nested in an impl method are not methods.
        let saved_types = std::mem::take(&mut self.self_types);
        self.with_fn(&f.sig, is_pub, &f.attrs, |c| {
            c.visit_block(&f.block);
        });
        self.self_types = saved_types;
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        let is_pub = !matches!(f.vis, syn::Visibility::Inherited)
            || self.trait_impl.last().copied().unwrap_or(false);
        self.with_fn(&f.sig, is_pub, &f.attrs, |c| {
            c.visit_block(&f.block);
        });
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(block) = &f.default {
            self.with_fn(&f.sig, true, &f.attrs, |c| {
                c.visit_block(block);
            });
        }
    }

    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        self.push_const(&c.ident, &c.expr, None);
        self.bind_local_item(&c.ident, &c.expr);
        visit::visit_item_const(self, c);
    }

    fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
        self.push_const(&s.ident, &s.expr, None);
        self.bind_local_item(&s.ident, &s.expr);
        visit::visit_item_static(self, s);
    }

    fn visit_impl_item_const(&mut self, c: &'ast syn::ImplItemConst) {
        let ty = self.self_types.last().cloned();
        self.push_const(&c.ident, &c.expr, ty.as_deref());
        visit::visit_impl_item_const(self, c);
    }

    fn visit_trait_item_const(&mut self, c: &'ast syn::TraitItemConst) {
        if let Some((_, e)) = &c.default {
            let ty = self.self_types.last().cloned();
            self.push_const(&c.ident, e, ty.as_deref());
        }
        visit::visit_trait_item_const(self, c);
    }

    fn visit_block(&mut self, b: &'ast syn::Block) {
        self.scopes.push(HashMap::default());
        visit::visit_block(self, b);
        self.scopes.pop();
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        self.pending_builder = None;
        if let Some(init) = &l.init {
            self.visit_expr(&init.expr);
            if let Some((_, div)) = &init.diverge {
                self.visit_expr(div);
            }
        }
        let mut names = Vec::new();
        pat_idents(&l.pat, &mut names);
        let binding = match &l.init {
            None => Binding::Uninit,
            Some(init) => {
                let is_builder_new = match strip_refs(&init.expr) {
                    Expr::Call(c) => is_query_builder_new(c),
                    _ => false,
                };
                if let (true, Some(site)) = (is_builder_new, self.pending_builder) {
                    Binding::Builder {
                        site,
                        sep: None,
                        first: true,
                    }
                } else if let Some(b) = self.separated_binding(&init.expr) {
                    b
                } else {
                    match self.eval(&init.expr) {
                        Some(expr) => Binding::Str {
                            expr,
                            assigned: false,
                            at: self.text_at(&init.expr),
                        },
                        None if clients::is_prepare_call(&init.expr)
                            || matches!(&l.pat, Pat::Type(t) if clients::is_statement_type(&t.ty)) =>
                        {
                            Binding::Statement
                        }
                        None => Binding::Other,
                    }
                }
            }
        };
        self.pending_builder = None;
        match (names.len(), matches!(l.pat, Pat::Ident(_) | Pat::Type(_))) {
            (1, true) => {
                if let Some(n) = names.pop() {
                    self.bind(n, binding);
                }
            }
            _ => {
                for n in names {
                    self.bind(n, Binding::Other);
                }
            }
        }
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        visit::visit_expr_assign(self, a);
        let Expr::Path(p) = &*a.left else { return };
        let Some(ident) = p.path.get_ident() else {
            return;
        };
        let name = ident.to_string();
        let value = self.eval(&a.right);
        let value_at = self.text_at(&a.right);
        let Some(b) = self.lookup_mut(&name) else {
            return;
        };
        *b = match (std::mem::replace(b, Binding::Other), value) {
            (
                Binding::Str {
                    expr,
                    assigned: true,
                    at,
                },
                Some(v),
            ) => Binding::Str {
                expr: choice(vec![expr, v]),
                assigned: true,
                at,
            },
            (_, Some(v)) => Binding::Str {
                expr: v,
                assigned: true,
                at: value_at,
            },
            (_, None) => Binding::Other,
        };
    }

    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        visit::visit_expr_binary(self, b);
        if !matches!(b.op, BinOp::AddAssign(_)) {
            return;
        }
        let Expr::Path(p) = &*b.left else { return };
        let Some(ident) = p.path.get_ident() else {
            return;
        };
        let name = ident.to_string();
        let value = self.eval_or_unknown(&b.right);
        if let Some(Binding::Str { expr, .. }) = self.lookup_mut(&name) {
            let old = std::mem::replace(expr, SqlExpr::Concat(Vec::new()));
            *expr = concat(vec![old, value]);
        }
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*c.func {
            let segs = path_segments(&p.path);
            let span = first_span(&p.path);
            if let Some(last) = segs.last().map(String::as_str) {
                self.record_call(last, span);
                let first = segs.first().map(String::as_str).unwrap_or("");
                let single = segs.len() == 1;
                let neo4j = (first == "neo4rs" && (last == "query" || segs.len() == 3))
                    || (single
                        && last == "query"
                        && (self.imports.name_from("query", "neo4rs")
                            || (self.imports.uses("neo4rs")
                                && !self.imports.name_from("query", "sqlx"))))
                    || (segs.len() == 2
                        && segs[0] == "Query"
                        && last == "new"
                        && self.imports.name_from("Query", "neo4rs"));
                if is_query_builder_new(c) {
                    let arg = c
                        .args
                        .first()
                        .map(|a| self.eval_or_unknown(a))
                        .unwrap_or(SqlExpr::Lit(String::new()));
                    self.pending_builder = Some(self.out.sql_sites.len());
                    match c.args.first() {
                        Some(a) => self.push_site_for(
                            concat(vec![arg]),
                            span,
                            a,
                            "sqlx::QueryBuilder".into(),
                            None,
                        ),
                        None => self.push_site(
                            concat(vec![arg]),
                            span,
                            "sqlx::QueryBuilder".into(),
                            None,
                        ),
                    }
                } else if neo4j {
                    if let Some(a) = c.args.first() {
                        let e = self.eval_or_unknown(a);
                        self.push_site_for(
                            e,
                            span,
                            a,
                            "neo4rs::query".into(),
                            Some(StoreKind::Cypher),
                        );
                    }
                } else if let Some((api, arg)) = self.orm_raw_sql(&segs, c) {
                    // diesel `sql_query("..")`, SeaORM `Statement::from_string(b, "..")`.
                    let e = self.eval_or_unknown(arg);
                    self.push_site_for(e, span, arg, api.into(), None);
                } else if SQLX_FNS.contains(&last) && (single || first == "sqlx") {
                    let definitive = first == "sqlx" || self.imports.name_from(last, "sqlx");
                    if let Some(a) = c.args.first() {
                        match self.eval(a) {
                            Some(e) => {
                                self.push_site_for(e, span, a, format!("sqlx::{last}"), None)
                            }
                            None if definitive => self.push_site_for(
                                SqlExpr::Unknown(expr_text(a)),
                                span,
                                a,
                                format!("sqlx::{last}"),
                                None,
                            ),
                            None => {}
                        }
                    }
                }
            }
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let method = m.method.to_string();
        self.record_call(&method, m.method.span());
        visit::visit_expr_method_call(self, m);
        if BUILDER_METHODS.contains(&method.as_str()) {
            self.builder_method(m);
        }
        if (method == "push_str" || method == "push")
            && let Expr::Path(p) = strip_refs(&m.receiver)
            && let Some(ident) = p.path.get_ident()
            // (Mostly a `Vec::push`: look the receiver up before evaluating
            // the argument, whose text an unknown value would render.)
            && let name = ident.to_string()
            && matches!(self.lookup(&name), Some(Binding::Str { .. }))
        {
            let value = m.args.first().map(|a| match a {
                Expr::Lit(syn::ExprLit {
                    lit: Lit::Char(ch), ..
                }) => SqlExpr::Lit(ch.value().to_string()),
                other => self.eval_or_unknown(other),
            });
            if let (Some(Binding::Str { expr, .. }), Some(v)) = (self.lookup_mut(&name), value) {
                let old = std::mem::replace(expr, SqlExpr::Concat(Vec::new()));
                *expr = concat(vec![old, v]);
            }
        }
        if SQL_METHODS.contains(&method.as_str()) {
            self.sql_method(m, &method);
        }
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let segs = path_segments(&mac.path);
        let Some(name) = segs.last().cloned() else {
            return;
        };
        let first = segs.first().map(String::as_str).unwrap_or("");
        let single = segs.len() == 1;
        if SQLX_MACROS.contains(&name.as_str()) && (single || first == "sqlx") {
            self.sqlx_macro(mac, &name);
            return;
        }
        if name == "table" && (single || first == "diesel") {
            // A diesel schema (read by `nova_orm`), not expressions.
            return;
        }
        if matches!(name.as_str(), "write" | "writeln") {
            if let Some(args) = self.macros.args(mac) {
                if let Some(Expr::Path(p)) = args.first().map(strip_refs)
                    && let Some(ident) = p.path.get_ident()
                {
                    let mut v = self.eval_format(&args[1..], false, 0);
                    if name == "writeln" {
                        v = v.map(|e| concat(vec![e, SqlExpr::Lit("\n".into())]));
                    }
                    if let (Some(Binding::Str { expr, .. }), Some(v)) =
                        (self.lookup_mut(&ident.to_string()), v)
                    {
                        let old = std::mem::replace(expr, SqlExpr::Concat(Vec::new()));
                        *expr = concat(vec![old, v]);
                    }
                }
                for a in args.iter() {
                    self.visit_expr(a);
                }
            }
            return;
        }
        // Any other macro whose body is a list of expressions (`format!`,
        // `tokio::join!`, `vec!`, `assert!`...): walk it for sites and calls.
        if let Some(args) = self.macros.args(mac) {
            for a in args.iter() {
                self.visit_expr(a);
            }
        } else if let Ok(block) = mac.parse_body_with(syn::Block::parse_within) {
            self.scopes.push(HashMap::default());
            for s in &block {
                self.visit_stmt(s);
            }
            self.scopes.pop();
        }
    }
}

fn is_query_builder_new(c: &syn::ExprCall) -> bool {
    let Expr::Path(p) = &*c.func else {
        return false;
    };
    let segs: Vec<&syn::PathSegment> = p.path.segments.iter().collect();
    match segs.as_slice() {
        [.., owner, last] => {
            owner.ident == "QueryBuilder" && (last.ident == "new" || last.ident == "with_arguments")
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tidy_text_matches_the_replace_chain() {
        let by_replace = |s: &str| {
            s.replace(" . ", ".")
                .replace(" :: ", "::")
                .replace(":: ", "::")
                .replace("& ", "&")
                .replace(" (", "(")
                .replace("( ", "(")
                .replace(" )", ")")
                .replace(" ,", ",")
                .replace(" !(", "!(")
        };
        // Every string of up to 6 characters over the rule alphabet.
        let alphabet = [' ', '.', ':', '&', '(', ')', ',', '!'];
        let mut checked = 0usize;
        for len in 0..=6u32 {
            for mut n in 0..alphabet.len().pow(len) {
                let mut s = String::new();
                for _ in 0..len {
                    s.push(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                assert_eq!(tidy_text(s.clone()), by_replace(&s), "{s:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, 299_593);
        let e: Expr = syn::parse_quote!(sqlx::query!("x", a.b, &c).fetch(&*pool));
        assert_eq!(expr_text(&e), by_replace(&e.to_token_stream().to_string()));
    }
}
