//! The walk behind [`crate::collect`]: scopes (imports, locals), function
//! paths and test code, as `nova-rust` sees them; the shapes themselves are
//! in [`crate::diesel`], [`crate::sea`] and [`crate::schema`].

use crate::names::{Scope, ScopeKind, line_col, segments, strip, text_of};
use crate::{FileOrm, Orm, Query, Target, Unknown};
use nova_model::Op;
use quote::ToTokens;
use std::collections::{HashMap, HashSet};
use syn::visit::{self, Visit};
use syn::{Attribute, Expr, Item, Pat, Stmt};

/// What the file says about the ORMs it uses (its imports and paths).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Evidence {
    /// `diesel` / `diesel_async` is imported or named.
    pub diesel: bool,
    /// `sea_orm` / `sea_orm_migration` / `sea_query` is imported or named.
    pub sea: bool,
}

/// What a recognised query is, before the walk adds where it is.
pub(crate) struct Hit<'a> {
    pub orm: Orm,
    pub op: Op,
    pub target: Target,
    /// The API (see [`Query::call`]).
    pub call: &'a str,
    /// Line and column of the call or table reference.
    pub at: (u32, u32),
    /// See [`Query::strict`].
    pub strict: bool,
}

pub(crate) struct Walk<'o> {
    pub out: &'o mut FileOrm,
    in_test_file: bool,
    is_test: IsTest,
    test_depth: usize,
    /// Inline `mod` names, outermost first.
    pub modules: Vec<String>,
    /// `impl` self types (full path as written), innermost last; `None`
    /// inside a trait declaration or a free function.
    pub self_types: Vec<Option<Vec<String>>>,
    /// Enclosing function paths, innermost last.
    fns: Vec<String>,
    /// Parameter names of the enclosing functions (index not counting
    /// `self`; `None` for a pattern), innermost last.
    params: Vec<Vec<Option<String>>>,
    pub scopes: Vec<Scope>,
    /// Table references already recorded as written by the `insert_into`,
    /// `update` or `delete` around them (by address): not reads.
    pub consumed: HashSet<usize>,
    /// The method call a `.await` applies to (by address).
    pub awaited: Option<usize>,
    pub evidence: Evidence,
    /// Function name -> what it returns, when that is a named type
    /// (`fn find(..) -> QueryResult<User>`), `Self` replaced.
    pub returns: HashMap<String, Vec<String>>,
    /// Types (structs, enums) declared in this file: not aliases of a
    /// SeaORM entity.
    pub local_types: HashSet<String>,
}

/// Whether attributes mark test code (`#[test]`, `#[cfg(test)]`...): the
/// caller's rule, so that ORM queries and SQL agree on what is a test.
pub type IsTest = fn(&[Attribute]) -> bool;

impl<'o> Walk<'o> {
    pub fn run(file: &syn::File, in_test_file: bool, is_test: IsTest, out: &'o mut FileOrm) {
        let mut w = Walk {
            out,
            in_test_file,
            is_test,
            test_depth: 0,
            modules: Vec::new(),
            self_types: Vec::new(),
            fns: Vec::new(),
            params: Vec::new(),
            scopes: Vec::new(),
            consumed: HashSet::new(),
            awaited: None,
            evidence: Evidence::default(),
            returns: HashMap::new(),
            local_types: HashSet::new(),
        };
        w.prepass(&file.items);
        w.scopes.push(module_scope(&file.items));
        w.evidence = evidence(&w.scopes[0]);
        for item in &file.items {
            w.visit_item(item);
        }
    }

    /// Function return types and local type names, over every item.
    fn prepass(&mut self, items: &[Item]) {
        for item in items {
            match item {
                Item::Fn(f) => self.record_return(&f.sig, None),
                Item::Impl(i) => {
                    let ty = match &*i.self_ty {
                        syn::Type::Path(p) => Some(segments(&p.path)),
                        _ => None,
                    };
                    for it in &i.items {
                        if let syn::ImplItem::Fn(f) = it {
                            self.record_return(&f.sig, ty.as_deref());
                        }
                    }
                }
                Item::Mod(m) => {
                    if let Some((_, items)) = &m.content {
                        self.prepass(items);
                    }
                }
                Item::Struct(s) => {
                    self.local_types.insert(s.ident.to_string());
                }
                Item::Enum(e) => {
                    self.local_types.insert(e.ident.to_string());
                }
                _ => {}
            }
        }
    }

    fn record_return(&mut self, sig: &syn::Signature, self_ty: Option<&[String]>) {
        let syn::ReturnType::Type(_, ty) = &sig.output else {
            return;
        };
        if let Some(mut path) = crate::types::named_type(ty) {
            if path.first().is_some_and(|s| s == "Self") {
                match self_ty {
                    Some(t) => path.splice(0..1, t.iter().cloned()),
                    None => return,
                };
            }
            self.returns.insert(sig.ident.to_string(), path);
        }
    }

    pub fn in_test(&self) -> bool {
        self.in_test_file || self.test_depth > 0
    }

    pub fn function(&self) -> Option<String> {
        self.fns.last().cloned()
    }

    /// The import of `name` in the innermost scope that has one.
    pub fn import(&self, name: &str) -> Option<&Vec<String>> {
        self.scopes.iter().rev().find_map(|s| s.imports.get(name))
    }

    /// Every glob import in scope.
    pub fn globs(&self) -> impl Iterator<Item = &Vec<String>> {
        self.scopes.iter().rev().flat_map(|s| s.globs.iter())
    }

    /// The local named `name` (up to the enclosing function), with what it
    /// holds when known.
    pub fn local(&self, name: &str) -> Option<&Option<Target>> {
        for s in self.scopes.iter().rev() {
            if let Some(l) = s.locals.get(name) {
                return Some(l);
            }
            if s.kind != ScopeKind::Block {
                break;
            }
        }
        None
    }

    /// The index of parameter `name` of the enclosing function, unless a
    /// local shadows it.
    pub fn param_index(&self, name: &str) -> Option<usize> {
        for s in self.scopes.iter().rev() {
            if s.locals.contains_key(name) {
                if s.kind != ScopeKind::Fn {
                    return None;
                }
                let params = self.params.last()?;
                return params.iter().position(|p| p.as_deref() == Some(name));
            }
            if s.kind != ScopeKind::Block {
                break;
            }
        }
        None
    }

    /// What local `name` writes into topic columns, when it holds a value
    /// an insert may write.
    pub fn written(&self, name: &str) -> Option<&Vec<crate::written::WrittenValue>> {
        for s in self.scopes.iter().rev() {
            if s.locals.contains_key(name) {
                return s.written.get(name);
            }
            if s.kind != ScopeKind::Block {
                break;
            }
        }
        None
    }

    /// Set what local `name` writes, in the scope that binds it (nothing:
    /// forget it).
    pub fn set_written(&mut self, name: &str, values: Vec<crate::written::WrittenValue>) {
        for s in self.scopes.iter_mut().rev() {
            if s.locals.contains_key(name) {
                if values.is_empty() {
                    s.written.remove(name);
                } else {
                    s.written.insert(name.to_string(), values);
                }
                return;
            }
            if s.kind != ScopeKind::Block {
                return;
            }
        }
    }

    /// The `impl` self type, for `self` and `Self`.
    pub fn self_type(&self) -> Option<&Vec<String>> {
        self.self_types.last().and_then(Option::as_ref)
    }

    /// `path` with its first segment expanded through the imports (and
    /// `Self` through the `impl`).
    pub fn expand(&self, path: &[String]) -> Vec<String> {
        let Some(first) = path.first() else {
            return Vec::new();
        };
        let base: Option<&Vec<String>> = match first.as_str() {
            "crate" | "self" | "super" => None,
            "Self" => self.self_type(),
            _ => self.import(first),
        };
        match base {
            Some(b) => b.iter().chain(&path[1..]).cloned().collect(),
            None => path.to_vec(),
        }
    }

    fn bind(&mut self, name: String, what: Option<Target>) {
        if let Some(s) = self.scopes.last_mut() {
            s.locals.insert(name, what);
        }
    }

    /// Bind the names of a pattern; `what` is what the matched value holds
    /// (given to a lone binding, `Some(x)`, `Ok(x)`, `x @ ..`, `mut x`).
    pub fn bind_pat(&mut self, pat: &Pat, what: Option<Target>) {
        match pat {
            Pat::Ident(i) => {
                self.bind(i.ident.to_string(), what.clone());
                if let Some((_, sub)) = &i.subpat {
                    self.bind_pat(sub, what);
                }
            }
            Pat::Type(t) => {
                let typed = crate::types::named_type(&t.ty)
                    .map(|p| Target::Type(self.expand(&p)))
                    .or(what);
                self.bind_pat(&t.pat, typed);
            }
            Pat::Reference(r) => self.bind_pat(&r.pat, what),
            Pat::Paren(p) => self.bind_pat(&p.pat, what),
            Pat::TupleStruct(t) if t.elems.len() == 1 => {
                let wrapper = t.path.segments.last().map(|s| s.ident.to_string());
                let keeps = matches!(wrapper.as_deref(), Some("Some" | "Ok"));
                self.bind_pat(&t.elems[0], if keeps { what } else { None });
            }
            Pat::TupleStruct(t) => t.elems.iter().for_each(|e| self.bind_pat(e, None)),
            Pat::Tuple(t) => t.elems.iter().for_each(|e| self.bind_pat(e, None)),
            Pat::Struct(s) => s.fields.iter().for_each(|f| self.bind_pat(&f.pat, None)),
            Pat::Slice(s) => s.elems.iter().for_each(|e| self.bind_pat(e, None)),
            Pat::Or(o) => o.cases.iter().for_each(|e| self.bind_pat(e, what.clone())),
            _ => {}
        }
    }

    /// Record a query; `text` is the call as written.
    pub fn query(&mut self, hit: Hit<'_>, text: String) {
        self.out.queries.push(Query {
            orm: hit.orm,
            op: hit.op,
            target: hit.target,
            call: hit.call.to_string(),
            line: hit.at.0,
            column: hit.at.1,
            function: self.function(),
            module: self.modules.clone(),
            in_test: self.in_test(),
            either: false,
            strict: hit.strict,
            text,
        });
    }

    /// Record a call that is an ORM call whose table is not known.
    pub fn unknown(&mut self, orm: Orm, at: (u32, u32), e: &impl ToTokens, why: String) {
        self.out.unknown.push(Unknown {
            orm,
            line: at.0,
            column: at.1,
            function: self.function(),
            in_test: self.in_test(),
            text: text_of(e),
            why,
        });
    }

    fn with_test<R>(&mut self, test: bool, f: impl FnOnce(&mut Self) -> R) -> R {
        if test {
            self.test_depth += 1;
        }
        let r = f(self);
        if test {
            self.test_depth -= 1;
        }
        r
    }

    /// Enter a function: its path, its parameters, its body.
    fn with_fn(&mut self, sig: &syn::Signature, attrs: &[Attribute], block: &syn::Block) {
        // `mod::Type::method`, as `nova_rust::sql::FnInfo::path`.
        let mut parts: Vec<&str> = self.modules.iter().map(String::as_str).collect();
        if let Some(owner) = self.self_type().and_then(|t| t.last()) {
            parts.push(owner);
        }
        let name = sig.ident.to_string();
        parts.push(&name);
        let path = parts.join("::");
        self.with_test((self.is_test)(attrs), |w| {
            w.fns.push(path);
            w.params.push(
                sig.inputs
                    .iter()
                    .filter_map(|i| match i {
                        syn::FnArg::Receiver(_) => None,
                        syn::FnArg::Typed(t) => Some(match &*t.pat {
                            Pat::Ident(p) => Some(p.ident.to_string()),
                            _ => None,
                        }),
                    })
                    .collect(),
            );
            w.scopes.push(Scope::new(ScopeKind::Fn));
            for input in &sig.inputs {
                match input {
                    syn::FnArg::Receiver(_) => {
                        let what = w.self_type().map(|t| Target::Type(t.clone()));
                        w.bind("self".into(), what);
                    }
                    syn::FnArg::Typed(t) => {
                        let what = param_type(&t.ty, w);
                        w.bind_pat(&t.pat, what)
                    }
                }
            }
            w.visit_block(block);
            w.scopes.pop();
            w.params.pop();
            w.fns.pop();
        });
    }

    /// Walk a macro's body as expressions (or statements) when it parses as
    /// such (`format!`, `vec!`, `tokio::join!`, `assert!`...).
    fn macro_body(&mut self, mac: &syn::Macro) {
        use syn::parse::Parser;
        use syn::punctuated::Punctuated;
        let exprs = Punctuated::<Expr, syn::Token![,]>::parse_terminated.parse2(mac.tokens.clone());
        if let Ok(exprs) = exprs {
            for e in &exprs {
                self.visit_expr(e);
            }
        } else if let Ok(stmts) = mac.parse_body_with(syn::Block::parse_within) {
            self.scopes.push(Scope::new(ScopeKind::Block));
            for s in &stmts {
                self.visit_stmt(s);
            }
            self.scopes.pop();
        }
    }

    /// Bindings of the `let`s of an `if`/`while` condition (`if let Some(x)
    /// = e && let ..`), after walking their expressions.
    fn cond_lets(&mut self, cond: &Expr) {
        match cond {
            Expr::Let(l) => {
                self.visit_expr(&l.expr);
                let what = crate::types::type_of(self, &l.expr);
                self.bind_pat(&l.pat, what);
            }
            Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
                self.cond_lets(&b.left);
                self.cond_lets(&b.right);
            }
            other => self.visit_expr(other),
        }
    }
}

/// What a typed parameter holds: its named type, expanded.
fn param_type(ty: &syn::Type, w: &Walk<'_>) -> Option<Target> {
    crate::types::named_type(ty).map(|p| Target::Type(w.expand(&p)))
}

/// A module scope with the imports of its items.
fn module_scope(items: &[Item]) -> Scope {
    let mut s = Scope::new(ScopeKind::Module);
    for item in items {
        if let Item::Use(u) = item {
            s.add_use(&u.tree);
        }
    }
    s
}

/// Macros whose arguments are no ORM query: SQL text, formatting, logging.
const NO_QUERY_MACROS: &[&str] = &[
    "query",
    "query_as",
    "query_scalar",
    "query_file",
    "query_file_as",
    "include_str",
    "concat",
    "stringify",
    "env",
    "format",
    "format_args",
    "print",
    "println",
    "eprint",
    "eprintln",
    "write",
    "writeln",
    "panic",
    "unreachable",
    "todo",
    "unimplemented",
    "trace",
    "debug",
    "info",
    "warn",
    "error",
    "event",
    "anyhow",
    "bail",
];

/// What a file's top-level imports say about the ORMs it uses.
fn evidence(s: &Scope) -> Evidence {
    let roots = s
        .imports
        .values()
        .chain(s.globs.iter())
        .filter_map(|p| p.first());
    let mut e = Evidence::default();
    for r in roots {
        match r.as_str() {
            "diesel" | "diesel_async" => e.diesel = true,
            "sea_orm" | "sea_orm_migration" | "sea_query" => e.sea = true,
            _ => {}
        }
    }
    e
}

impl<'ast> Visit<'ast> for Walk<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let test = (self.is_test)(&m.attrs) || m.ident == "tests";
        let Some((_, items)) = &m.content else {
            return;
        };
        self.with_test(test, |w| {
            w.modules.push(m.ident.to_string());
            w.scopes.push(module_scope(items));
            let saved = std::mem::take(&mut w.self_types);
            for item in items {
                w.visit_item(item);
            }
            w.self_types = saved;
            w.scopes.pop();
            w.modules.pop();
        });
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        crate::schema::aliases(self, &u.tree);
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let ty = match &*i.self_ty {
            syn::Type::Path(p) => Some(segments(&p.path)),
            _ => None,
        }
        .or_else(|| Some(vec!["_".to_string()]));
        crate::schema::item_impl(self, i);
        self.with_test((self.is_test)(&i.attrs), |w| {
            w.self_types.push(ty);
            visit::visit_item_impl(w, i);
            w.self_types.pop();
        });
    }

    fn visit_item_trait(&mut self, t: &'ast syn::ItemTrait) {
        self.self_types.push(Some(vec![t.ident.to_string()]));
        visit::visit_item_trait(self, t);
        self.self_types.pop();
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        // A free function nested in a method is not a method.
        let saved = std::mem::take(&mut self.self_types);
        self.with_fn(&f.sig, &f.attrs, &f.block);
        self.self_types = saved;
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.with_fn(&f.sig, &f.attrs, &f.block);
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(block) = &f.default {
            self.with_fn(&f.sig, &f.attrs, block);
        }
    }

    fn visit_item_struct(&mut self, s: &'ast syn::ItemStruct) {
        crate::schema::item_struct(self, s);
    }

    fn visit_item_enum(&mut self, e: &'ast syn::ItemEnum) {
        crate::schema::item_enum(self, e);
    }

    fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
        if !crate::schema::item_macro(self, &m.mac) {
            self.macro_body(&m.mac);
        }
    }

    fn visit_block(&mut self, b: &'ast syn::Block) {
        let mut scope = Scope::new(ScopeKind::Block);
        for s in &b.stmts {
            if let Stmt::Item(Item::Use(u)) = s {
                scope.add_use(&u.tree);
            }
        }
        self.scopes.push(scope);
        visit::visit_block(self, b);
        self.scopes.pop();
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        let mut what = None;
        if let Some(init) = &l.init {
            self.visit_expr(&init.expr);
            if let Some((_, div)) = &init.diverge {
                self.visit_expr(div);
            }
            what = crate::types::type_of(self, &init.expr);
        }
        self.bind_pat(&l.pat, what);
        if let Some(init) = &l.init {
            crate::written::bind_local(self, &l.pat, &init.expr);
        }
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        visit::visit_expr_assign(self, a);
        crate::written::assign(self, a);
    }

    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        self.scopes.push(Scope::new(ScopeKind::Block));
        for p in &c.inputs {
            self.bind_pat(p, None);
        }
        self.visit_expr(&c.body);
        self.scopes.pop();
    }

    fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
        self.visit_expr(&f.expr);
        let what = crate::types::type_of(self, &f.expr);
        self.scopes.push(Scope::new(ScopeKind::Block));
        self.bind_pat(&f.pat, what);
        self.visit_block(&f.body);
        self.scopes.pop();
    }

    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        self.visit_expr(&m.expr);
        let what = crate::types::type_of(self, &m.expr);
        for arm in &m.arms {
            self.scopes.push(Scope::new(ScopeKind::Block));
            self.bind_pat(&arm.pat, what.clone());
            if let Some((_, guard)) = &arm.guard {
                self.visit_expr(guard);
            }
            self.visit_expr(&arm.body);
            self.scopes.pop();
        }
    }

    fn visit_expr_if(&mut self, i: &'ast syn::ExprIf) {
        self.scopes.push(Scope::new(ScopeKind::Block));
        self.cond_lets(&i.cond);
        self.visit_block(&i.then_branch);
        self.scopes.pop();
        if let Some((_, e)) = &i.else_branch {
            self.visit_expr(e);
        }
    }

    fn visit_expr_while(&mut self, w: &'ast syn::ExprWhile) {
        self.scopes.push(Scope::new(ScopeKind::Block));
        self.cond_lets(&w.cond);
        self.visit_block(&w.body);
        self.scopes.pop();
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        crate::diesel::table_read(self, p);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if !crate::diesel::call(self, c) {
            crate::sea::call(self, c);
        }
        // The function itself is not a value (`foo::table(..)` is no table).
        if !matches!(&*c.func, Expr::Path(_)) {
            self.visit_expr(&c.func);
        }
        for a in &c.args {
            self.visit_expr(a);
        }
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        crate::diesel::method(self, m);
        crate::sea::method(self, m);
        visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_await(&mut self, a: &'ast syn::ExprAwait) {
        if let Expr::MethodCall(m) = strip(&a.base) {
            self.awaited = Some(m as *const syn::ExprMethodCall as usize);
        }
        visit::visit_expr_await(self, a);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        if crate::schema::item_macro(self, mac) {
            return;
        }
        let name = mac.path.segments.last().map(|s| s.ident.to_string());
        // SQL, formatting and logging macros hold no ORM query; the rest
        // (`vec!`, `tokio::join!`, `assert!`...) may.
        if name
            .as_deref()
            .is_some_and(|n| NO_QUERY_MACROS.contains(&n))
        {
            return;
        }
        self.macro_body(mac);
    }
}

/// Line and column of a path's first segment.
pub(crate) fn path_at(p: &syn::Path) -> (u32, u32) {
    p.segments
        .first()
        .map(|s| line_col(s.ident.span()))
        .unwrap_or((0, 0))
}
