//! The `syn::visit` walk behind [`super::collect`].

use super::SqlExpr;
use super::clients;
use super::shapes::*;
use crate::FastMap as HashMap;
use crate::FileFacts;
use crate::macros::MacroArgs;
use crate::name::Name;
use nova_model::StoreKind;
use syn::visit::{self, Visit};
use syn::{BinOp, Expr, Lit, Pat};

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
pub(crate) fn collector<'o>(
    imports: Imports,
    macros: &'o MacroArgs,
    in_test_file: bool,
    out: &'o mut FileFacts,
) -> Collector<'o> {
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

/// A local binding inside a function.
#[derive(Debug, Clone)]
pub(super) enum Binding {
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

pub(super) struct FnCtx {
    pub(super) info: usize,
    pub(super) path: String,
    /// Called names with the line of the first call; sorted into the
    /// function's [`FnInfo::calls`] when the walk leaves it.
    pub(super) calls: CallNames,
    /// Parameter names, `self` excluded, in order.
    pub(super) params: Vec<String>,
    /// Parameters whose type is a prepared statement's.
    pub(super) statement_params: Vec<String>,
    pub(super) has_self: bool,
}

/// The names a function calls, each with the line of its first call: a
/// list while it is short (most functions call a few names, and comparing
/// them costs less than hashing), a map once it is long.
#[derive(Default)]
pub(super) struct CallNames {
    list: Vec<(String, u32)>,
    map: Option<HashMap<String, u32>>,
}

/// Names kept in a list before [`CallNames`] uses a map.
const LISTED_CALLS: usize = 24;

impl CallNames {
    /// A call of `name`; `line` gives the call's line, asked only when the
    /// name is new.
    pub(super) fn record(&mut self, name: &str, line: impl FnOnce() -> u32) {
        if let Some(map) = &mut self.map {
            if !map.contains_key(name) {
                map.insert(name.to_string(), line());
            }
            return;
        }
        if self.list.iter().any(|(n, _)| n == name) {
            return;
        }
        self.list.push((name.to_string(), line()));
        if self.list.len() > LISTED_CALLS {
            self.map = Some(self.list.drain(..).collect());
        }
    }

    /// The names with their lines, sorted by name.
    pub(super) fn into_sorted(self) -> Vec<(String, u32)> {
        let mut calls = match self.map {
            Some(map) => map.into_iter().collect(),
            None => self.list,
        };
        calls.sort_unstable();
        calls
    }
}

pub(crate) struct Collector<'o> {
    /// The file's macro bodies, parsed once (shared with the graph walk).
    pub(super) macros: &'o MacroArgs,
    pub(super) out: &'o mut FileFacts,
    pub(super) imports: Imports,
    pub(super) in_test_file: bool,
    pub(super) modules: Vec<String>,
    pub(super) self_types: Vec<String>,
    pub(super) trait_impl: Vec<bool>,
    /// Parallel to `self_types`: true inside a `trait` declaration.
    pub(super) trait_decl: Vec<bool>,
    pub(super) test_depth: usize,
    pub(super) fns: Vec<FnCtx>,
    pub(super) scopes: Vec<HashMap<String, Binding>>,
    pub(super) pending_builder: Option<usize>,
    /// Sites whose SQL is a parameter of their function, resolved from the
    /// calls to it in the file once the walk is done (`super::params`).
    pub(super) param_sites: Vec<ParamSite>,
}

/// What [`Collector::enter_fn`] saves for [`Collector::leave_fn`].
pub(crate) struct FnEntry {
    /// The function's index in [`FileFacts::functions`].
    info: usize,
    test: bool,
    scopes: Vec<HashMap<String, Binding>>,
    /// For a free function: the `impl` types it does not see.
    types: Option<Vec<String>>,
}

impl FnEntry {
    pub(super) fn new(info: usize, test: bool, scopes: Vec<HashMap<String, Binding>>) -> FnEntry {
        FnEntry {
            info,
            test,
            scopes,
            types: None,
        }
    }

    /// The function's index in [`FileFacts::functions`].
    pub(crate) fn info(&self) -> usize {
        self.info
    }

    /// Whether the function is a test item (`#[test]`, `#[cfg(test)]`).
    pub(crate) fn is_test(&self) -> bool {
        self.test
    }

    pub(super) fn into_parts(self) -> (bool, Vec<HashMap<String, Binding>>, Option<Vec<String>>) {
        (self.test, self.scopes, self.types)
    }
}

/// Which arguments of a macro the SQL walk visits (see
/// [`Collector::enter_macro`]).
pub(crate) enum MacroVisit {
    /// None of them.
    Nothing,
    /// Every argument but this one (the SQL text of a sqlx macro).
    AllBut(Option<usize>),
    /// The body is no list of expressions: parse it as a block.
    Block,
}

/// The hooks of the SQL walk: what it does on entering and leaving a node.
/// The traversal is [`crate::walk`]'s (one walk for the graph and the SQL
/// facts), or the SQL-only one below for trees made during the walk
/// (block-bodied macros).
impl Collector<'_> {
    /// Entering `mod m`: (test, the `impl` types outside).
    pub(crate) fn enter_mod(&mut self, m: &syn::ItemMod) -> (bool, Vec<String>) {
        let test = has_test_attr(&m.attrs) || m.ident == "tests";
        if test {
            self.test_depth += 1;
        }
        self.modules.push(m.ident.to_string());
        (test, std::mem::take(&mut self.self_types))
    }

    pub(crate) fn leave_mod(&mut self, (test, saved_types): (bool, Vec<String>)) {
        self.self_types = saved_types;
        self.modules.pop();
        if test {
            self.test_depth -= 1;
        }
    }

    pub(crate) fn enter_impl(&mut self, i: &syn::ItemImpl) -> bool {
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
        test
    }

    pub(crate) fn leave_impl(&mut self, test: bool) {
        self.trait_impl.pop();
        self.trait_decl.pop();
        self.self_types.pop();
        if test {
            self.test_depth -= 1;
        }
    }

    pub(crate) fn enter_trait(&mut self, t: &syn::ItemTrait) {
        self.self_types.push(t.ident.to_string());
        self.trait_impl.push(true);
        self.trait_decl.push(true);
    }

    pub(crate) fn leave_trait(&mut self) {
        self.trait_impl.pop();
        self.trait_decl.pop();
        self.self_types.pop();
    }

    /// Entering a free function (its body is walked, not its signature).
    pub(crate) fn enter_item_fn(&mut self, f: &syn::ItemFn) -> FnEntry {
        let is_pub = !matches!(f.vis, syn::Visibility::Inherited);
        // Free functions nested in an impl method are not methods.
        let types = std::mem::take(&mut self.self_types);
        let mut entry = self.enter_fn(&f.sig, is_pub, &f.attrs);
        entry.types = Some(types);
        entry
    }

    pub(crate) fn enter_impl_fn(&mut self, f: &syn::ImplItemFn) -> FnEntry {
        let is_pub = !matches!(f.vis, syn::Visibility::Inherited)
            || self.trait_impl.last().copied().unwrap_or(false);
        self.enter_fn(&f.sig, is_pub, &f.attrs)
    }

    pub(crate) fn enter_const(&mut self, ident: &syn::Ident, expr: &Expr) {
        self.push_const(ident, expr, None);
        self.bind_local_item(ident, expr);
    }

    pub(crate) fn enter_assoc_const(&mut self, ident: &syn::Ident, expr: &Expr) {
        let ty = self.self_types.last().cloned();
        self.push_const(ident, expr, ty.as_deref());
    }

    pub(crate) fn enter_block(&mut self) {
        self.scopes.push(HashMap::default());
    }

    pub(crate) fn leave_block(&mut self) {
        self.scopes.pop();
    }

    /// Entering `let`: the walk then visits the initialiser (and the `else`
    /// block), not the pattern.
    pub(crate) fn enter_local(&mut self) {
        self.pending_builder = None;
    }

    pub(crate) fn leave_local(&mut self, l: &syn::Local) {
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

    /// After `x = ..` was walked.
    pub(crate) fn leave_assign(&mut self, a: &syn::ExprAssign) {
        let Expr::Path(p) = &*a.left else { return };
        let Some(ident) = p.path.get_ident() else {
            return;
        };
        let name = Name::of(ident);
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

    /// After `a op b` was walked (`x += ..`).
    pub(crate) fn leave_binary(&mut self, b: &syn::ExprBinary) {
        if !matches!(b.op, BinOp::AddAssign(_)) {
            return;
        }
        let Expr::Path(p) = &*b.left else { return };
        let Some(ident) = p.path.get_ident() else {
            return;
        };
        let name = Name::of(ident);
        let value = self.eval_or_unknown(&b.right);
        if let Some(Binding::Str { expr, .. }) = self.lookup_mut(&name) {
            let old = std::mem::replace(expr, SqlExpr::Concat(Vec::new()));
            *expr = concat(vec![old, value]);
        }
    }

    /// A call, before its arguments are walked (`segs`: the segments of
    /// the called path, when it is one).
    pub(crate) fn enter_call(&mut self, c: &syn::ExprCall, segs: Option<&[String]>) {
        let (Expr::Path(p), Some(segs)) = (&*c.func, segs) else {
            return;
        };
        let span = first_span(&p.path);
        let Some(last) = segs.last().map(String::as_str) else {
            return;
        };
        self.record_call(last, span);
        let first = segs.first().map(String::as_str).unwrap_or("");
        let single = segs.len() == 1;
        let neo4j = (first == "neo4rs" && (last == "query" || segs.len() == 3))
            || (single
                && last == "query"
                && (self.imports.name_from("query", "neo4rs")
                    || (self.imports.uses("neo4rs") && !self.imports.name_from("query", "sqlx"))))
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
                None => self.push_site(concat(vec![arg]), span, "sqlx::QueryBuilder".into(), None),
            }
        } else if neo4j {
            if let Some(a) = c.args.first() {
                let e = self.eval_or_unknown(a);
                self.push_site_for(e, span, a, "neo4rs::query".into(), Some(StoreKind::Cypher));
            }
        } else if let Some((api, arg)) = self.orm_raw_sql(segs, c) {
            // diesel `sql_query("..")`, SeaORM `Statement::from_string(b, "..")`.
            let e = self.eval_or_unknown(arg);
            self.push_site_for(e, span, arg, api.into(), None);
        } else if SQLX_FNS.contains(&last) && (single || first == "sqlx") {
            let definitive = first == "sqlx" || self.imports.name_from(last, "sqlx");
            if let Some(a) = c.args.first() {
                match self.eval(a) {
                    Some(e) => self.push_site_for(e, span, a, format!("sqlx::{last}"), None),
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

    /// A method call named `method`, before its receiver and arguments
    /// are walked.
    pub(crate) fn enter_method_call(&mut self, m: &syn::ExprMethodCall, method: &str) {
        self.record_call(method, m.method.span());
    }

    /// A method call named `method`, after its receiver and arguments were
    /// walked.
    pub(crate) fn leave_method_call(&mut self, m: &syn::ExprMethodCall, method: &str) {
        if BUILDER_METHODS.contains(&method) {
            self.builder_method(m);
        }
        if (method == "push_str" || method == "push")
            && let Expr::Path(p) = strip_refs(&m.receiver)
            && let Some(ident) = p.path.get_ident()
            // (Mostly a `Vec::push`: look the receiver up before evaluating
            // the argument, whose text an unknown value would render.)
            && let name = Name::of(ident)
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
        if SQL_METHODS.contains(&method) {
            self.sql_method(m, method);
        }
    }

    /// A macro, before its arguments (`args`, when its body is a list of
    /// expressions) are walked: what of it the walk visits next.
    pub(crate) fn enter_macro(&mut self, mac: &syn::Macro, args: Option<&[Expr]>) -> MacroVisit {
        let segs = path_segments(&mac.path);
        let Some(name) = segs.last() else {
            return MacroVisit::Nothing;
        };
        let first = segs.first().map(String::as_str).unwrap_or("");
        let single = segs.len() == 1;
        if SQLX_MACROS.contains(&name.as_str()) && (single || first == "sqlx") {
            return match args {
                Some(args) => MacroVisit::AllBut(Some(self.sqlx_macro(mac, name, args))),
                None => {
                    self.push_site(
                        SqlExpr::Unknown(mac.tokens.to_string()),
                        first_span(&mac.path),
                        format!("sqlx::{name}!"),
                        None,
                    );
                    MacroVisit::Nothing
                }
            };
        }
        if name == "table" && (single || first == "diesel") {
            // A diesel schema (read by `nova_orm`), not expressions.
            return MacroVisit::Nothing;
        }
        if matches!(name.as_str(), "write" | "writeln") {
            let Some(args) = args else {
                return MacroVisit::Nothing;
            };
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
            return MacroVisit::AllBut(None);
        }
        // Any other macro whose body is a list of expressions (`format!`,
        // `tokio::join!`, `vec!`, `assert!`...): walk it for sites and calls.
        match args {
            Some(_) => MacroVisit::AllBut(None),
            None => MacroVisit::Block,
        }
    }

    /// Walk a block-bodied macro (`tokio::select!`..., parsed now) for the
    /// SQL facts alone: the graph walk does not read such bodies.
    pub(crate) fn visit_macro_block(&mut self, mac: &syn::Macro) {
        if let Ok(block) = mac.parse_body_with(syn::Block::parse_within) {
            self.enter_block();
            for s in &block {
                self.visit_stmt(s);
            }
            self.leave_block();
        }
    }
}

/// The SQL-only walk, for trees made during the walk (the statements of a
/// block-bodied macro, macro arguments parsed late): the same hooks, in
/// the same places, as [`crate::walk`].
impl<'ast> Visit<'ast> for Collector<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let saved = self.enter_mod(m);
        visit::visit_item_mod(self, m);
        self.leave_mod(saved);
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let test = self.enter_impl(i);
        visit::visit_item_impl(self, i);
        self.leave_impl(test);
    }

    fn visit_item_trait(&mut self, t: &'ast syn::ItemTrait) {
        self.enter_trait(t);
        visit::visit_item_trait(self, t);
        self.leave_trait();
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        let entry = self.enter_item_fn(f);
        self.visit_block(&f.block);
        self.leave_fn(entry);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        let entry = self.enter_impl_fn(f);
        self.visit_block(&f.block);
        self.leave_fn(entry);
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(block) = &f.default {
            let entry = self.enter_fn(&f.sig, true, &f.attrs);
            self.visit_block(block);
            self.leave_fn(entry);
        }
    }

    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        self.enter_const(&c.ident, &c.expr);
        visit::visit_item_const(self, c);
    }

    fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
        self.enter_const(&s.ident, &s.expr);
        visit::visit_item_static(self, s);
    }

    fn visit_impl_item_const(&mut self, c: &'ast syn::ImplItemConst) {
        self.enter_assoc_const(&c.ident, &c.expr);
        visit::visit_impl_item_const(self, c);
    }

    fn visit_trait_item_const(&mut self, c: &'ast syn::TraitItemConst) {
        if let Some((_, e)) = &c.default {
            self.enter_assoc_const(&c.ident, e);
        }
        visit::visit_trait_item_const(self, c);
    }

    fn visit_block(&mut self, b: &'ast syn::Block) {
        self.enter_block();
        visit::visit_block(self, b);
        self.leave_block();
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        self.enter_local();
        if let Some(init) = &l.init {
            self.visit_expr(&init.expr);
            if let Some((_, div)) = &init.diverge {
                self.visit_expr(div);
            }
        }
        self.leave_local(l);
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        visit::visit_expr_assign(self, a);
        self.leave_assign(a);
    }

    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        visit::visit_expr_binary(self, b);
        self.leave_binary(b);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        let segs = match &*c.func {
            Expr::Path(p) => Some(path_segments(&p.path)),
            _ => None,
        };
        self.enter_call(c, segs.as_deref());
        visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let method = m.method.to_string();
        self.enter_method_call(m, &method);
        visit::visit_expr_method_call(self, m);
        self.leave_method_call(m, &method);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let macros = self.macros;
        let args = macros.args(mac);
        match self.enter_macro(mac, args.as_deref()) {
            MacroVisit::Nothing => {}
            MacroVisit::AllBut(skip) => {
                if let Some(args) = &args {
                    for (i, a) in args.iter().enumerate() {
                        if Some(i) != skip {
                            self.visit_expr(a);
                        }
                    }
                }
            }
            MacroVisit::Block => self.visit_macro_block(mac),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::ToTokens;

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
