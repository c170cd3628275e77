//! The per-file collector as hooks of a walk over the file's tree:
//! `nova-rust`'s one walk calls them on each node of a file that
//! [`crate::mentions_orm`] (`enter_*` before the node's children, `leave_*`
//! after); [`crate::collect`], and the trees parsed from macro bodies during
//! that walk, use this file's own traversal of the same hooks.
//!
//! The hooks read function bodies, not signatures; no pattern (a pattern's
//! names are bound by the hook of the node that holds it); not the contents
//! of a `struct` or `enum` declaration, of a path (its generic arguments) or
//! of a `let`'s attributes; not the function of a call when it is a path.
//! A walk calling them visits those parts with the hooks switched off.

use crate::names::{Scope, ScopeKind, segments, strip};
use crate::types::type_of;
use crate::walk::{Walk, module_scope, param_type};
use syn::visit::{self, Visit};
use syn::{Expr, Item, Pat, Stmt};

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

/// A node's address: what the hooks remember a node by between two calls.
fn addr<T>(node: &T) -> usize {
    node as *const T as usize
}

impl Walk<'_> {
    fn enter_test(&mut self, test: bool) {
        self.tests.push(test);
        if test {
            self.test_depth += 1;
        }
    }

    fn leave_test(&mut self) {
        if self.tests.pop() == Some(true) {
            self.test_depth -= 1;
        }
    }

    /// An inline `mod` (or `mod x;`, which holds nothing): its name, its
    /// imports, whether it is test code; no `impl` around its items.
    pub fn enter_mod(&mut self, m: &syn::ItemMod) {
        let test = (self.is_test)(&m.attrs) || m.ident == "tests";
        self.enter_test(test);
        self.modules.push(m.ident.to_string());
        let scope = match &m.content {
            Some((_, items)) => module_scope(items),
            None => Scope::new(ScopeKind::Module),
        };
        self.scopes.push(scope);
        let saved = std::mem::take(&mut self.self_types);
        self.saved_self_types.push(saved);
    }

    pub fn leave_mod(&mut self) {
        self.self_types = self.saved_self_types.pop().unwrap_or_default();
        self.scopes.pop();
        self.modules.pop();
        self.leave_test();
    }

    /// A `use` item: SeaORM entity aliases (its imports were read with the
    /// scope that holds it).
    pub fn item_use(&mut self, u: &syn::ItemUse) {
        crate::schema::aliases(self, &u.tree);
    }

    /// An `impl`: what it declares (SeaORM `EntityName`, `Linked`...), its
    /// self type, whether it is test code.
    pub fn enter_impl(&mut self, i: &syn::ItemImpl) {
        let ty = match &*i.self_ty {
            syn::Type::Path(p) => Some(segments(&p.path)),
            _ => None,
        }
        .or_else(|| Some(vec!["_".to_string()]));
        crate::schema::item_impl(self, i);
        self.enter_test((self.is_test)(&i.attrs));
        self.self_types.push(ty);
        self.impl_from.push(from_source(i));
    }

    pub fn leave_impl(&mut self) {
        self.impl_from.pop();
        self.self_types.pop();
        self.leave_test();
    }

    /// A trait declaration: `Self` is the trait.
    pub fn enter_trait(&mut self, t: &syn::ItemTrait) {
        self.self_types.push(Some(vec![t.ident.to_string()]));
    }

    pub fn leave_trait(&mut self) {
        self.self_types.pop();
    }

    /// A free function (not a method, even nested in one).
    pub fn enter_item_fn(&mut self, f: &syn::ItemFn) {
        let saved = std::mem::take(&mut self.self_types);
        self.saved_self_types.push(saved);
        self.enter_fn(&f.sig, &f.attrs);
    }

    pub fn leave_item_fn(&mut self) {
        self.leave_fn();
        self.self_types = self.saved_self_types.pop().unwrap_or_default();
    }

    /// A function with a body: its path, its parameters (bound in its
    /// scope), whether it is test code.
    pub fn enter_fn(&mut self, sig: &syn::Signature, attrs: &[syn::Attribute]) {
        // `mod::Type::method`, as `nova_rust::sql::FnInfo::path`.
        let mut parts: Vec<&str> = self.modules.iter().map(String::as_str).collect();
        if let Some(owner) = self.self_type().and_then(|t| t.last()) {
            parts.push(owner);
        }
        let name = sig.ident.to_string();
        parts.push(&name);
        let path = parts.join("::");
        self.enter_test((self.is_test)(attrs));
        self.fns.push(path);
        self.params.push(
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
        self.scopes.push(Scope::new(ScopeKind::Fn));
        self.body_of = Some(name);
        for input in &sig.inputs {
            match input {
                syn::FnArg::Receiver(_) => {
                    let what = self.self_type().map(|t| crate::Target::Type(t.clone()));
                    self.bind("self".into(), what);
                }
                syn::FnArg::Typed(t) => {
                    let what = param_type(&t.ty, self);
                    self.bind_pat(&t.pat, what)
                }
            }
        }
    }

    pub fn leave_fn(&mut self) {
        self.scopes.pop();
        self.params.pop();
        self.fns.pop();
        self.leave_test();
    }

    /// A struct declaration: a diesel model, a SeaORM model.
    pub fn item_struct(&mut self, s: &syn::ItemStruct) {
        crate::schema::item_struct(self, s);
    }

    /// An enum declaration: a SeaORM `Relation`, a migration `Iden`.
    pub fn item_enum(&mut self, e: &syn::ItemEnum) {
        crate::schema::item_enum(self, e);
    }

    /// A block: a scope with the block's imports (after the scope of the
    /// `for` whose body it is).
    pub fn enter_block(&mut self, b: &syn::Block) {
        if let Some(name) = self.body_of.take() {
            crate::rows::builder(self, &name, b);
            self.bodies.push((addr(b), name));
        }
        if let Some((at, opens)) = self.attached.last_mut()
            && *at == addr(b)
            && let Some(scope) = opens.take()
        {
            self.scopes.push(scope);
        }
        let mut scope = Scope::new(ScopeKind::Block);
        for s in &b.stmts {
            if let Stmt::Item(Item::Use(u)) = s {
                scope.add_use(&u.tree);
            }
        }
        self.scopes.push(scope);
    }

    /// Leave a block (and the scope of the `if` or `for` it ends).
    pub fn leave_block(&mut self, b: &syn::Block) {
        if self.bodies.last().is_some_and(|(at, _)| *at == addr(b))
            && let Some((_, name)) = self.bodies.pop()
        {
            // (Its locals are still in scope.)
            crate::rows::built_local(self, &name, b);
        }
        self.scopes.pop();
        if self.attached.last().is_some_and(|(at, _)| *at == addr(b)) {
            self.attached.pop();
            self.scopes.pop();
        }
    }

    /// After a `let`'s initialiser: bind its names.
    pub fn leave_local(&mut self, l: &syn::Local) {
        let what = l.init.as_ref().and_then(|i| type_of(self, &i.expr));
        self.bind_pat(&l.pat, what);
        if let Some(init) = &l.init {
            crate::written::bind_local(self, &l.pat, &init.expr);
        }
    }

    /// After an assignment: what it writes into a local's topic column.
    pub fn leave_assign(&mut self, a: &syn::ExprAssign) {
        crate::written::assign(self, a);
    }

    /// A closure: a scope with its parameters.
    pub fn enter_closure(&mut self, c: &syn::ExprClosure) {
        self.scopes.push(Scope::new(ScopeKind::Block));
        for p in &c.inputs {
            self.bind_pat(p, None);
        }
    }

    pub fn leave_closure(&mut self) {
        self.scopes.pop();
    }

    /// A `for` loop: its pattern, bound to what the iterated value holds,
    /// is in scope in its body (and only there: the scope opens with the
    /// body's block and ends with it).
    pub fn enter_for(&mut self, f: &syn::ExprForLoop) {
        // (What the value holds does not depend on its walk: that leaves
        // the scopes as it found them.)
        let what = type_of(self, &f.expr);
        self.scopes.push(Scope::new(ScopeKind::Block));
        self.bind_pat(&f.pat, what);
        let scope = self.scopes.pop();
        self.attached.push((addr(&f.body), scope));
    }

    /// A `match`: what its scrutinee holds, for the arms' patterns.
    pub fn enter_match(&mut self, m: &syn::ExprMatch) {
        let what = type_of(self, &m.expr);
        self.scrutinees.push(what);
    }

    pub fn leave_match(&mut self) {
        self.scrutinees.pop();
    }

    /// A match arm: a scope with its pattern's names.
    pub fn enter_arm(&mut self, arm: &syn::Arm) {
        let what = self.scrutinees.last().cloned().flatten();
        self.scopes.push(Scope::new(ScopeKind::Block));
        self.bind_pat(&arm.pat, what);
    }

    pub fn leave_arm(&mut self) {
        self.scopes.pop();
    }

    /// An `if`: a scope for the names its condition binds (`if let`),
    /// which ends with the `then` block.
    pub fn enter_if(&mut self, i: &syn::ExprIf) {
        self.scopes.push(Scope::new(ScopeKind::Block));
        self.mark_cond_lets(&i.cond);
        self.attached.push((addr(&i.then_branch), None));
    }

    /// A `while`: a scope for the names its condition binds.
    pub fn enter_while(&mut self, w: &syn::ExprWhile) {
        self.scopes.push(Scope::new(ScopeKind::Block));
        self.mark_cond_lets(&w.cond);
    }

    pub fn leave_while(&mut self) {
        self.scopes.pop();
    }

    /// The `let`s of a condition (`if let Some(x) = e && let ..`).
    fn mark_cond_lets(&mut self, cond: &Expr) {
        match cond {
            Expr::Let(l) => self.cond_lets.push(addr(l)),
            Expr::Binary(b) if matches!(b.op, syn::BinOp::And(_)) => {
                self.mark_cond_lets(&b.left);
                self.mark_cond_lets(&b.right);
            }
            _ => {}
        }
    }

    /// After a `let` expression: a condition's binds its pattern.
    pub fn leave_let(&mut self, l: &syn::ExprLet) {
        if let Some(i) = self.cond_lets.iter().rposition(|a| *a == addr(l)) {
            self.cond_lets.remove(i);
            let what = type_of(self, &l.expr);
            self.bind_pat(&l.pat, what);
        }
    }

    /// A path expression: a diesel table read (not the function of a
    /// call).
    pub fn expr_path(&mut self, p: &syn::ExprPath) {
        if self.callee == Some(addr(p)) {
            self.callee = None;
            return;
        }
        crate::diesel::table_read(self, p);
    }

    /// A call: a diesel or SeaORM query.
    pub fn enter_call(&mut self, c: &syn::ExprCall) {
        if !crate::diesel::call(self, c) {
            crate::sea::call(self, c);
        }
        // The function itself is not a value (`foo::table(..)` is no table).
        self.callee = match &*c.func {
            Expr::Path(p) => Some(addr(p)),
            _ => None,
        };
    }

    /// A method call (`method`: its name): a diesel or SeaORM query.
    pub fn enter_method_call(&mut self, m: &syn::ExprMethodCall, method: &str) {
        crate::diesel::method(self, m, method);
        crate::sea::method(self, m, method);
        crate::rows::push(self, m, method);
    }

    /// An `.await`: the method call it applies to.
    pub fn enter_await(&mut self, a: &syn::ExprAwait) {
        if let Expr::MethodCall(m) = strip(&a.base) {
            self.awaited = Some(addr(m));
        }
    }

    /// An item macro (its macro is entered next, with [`Self::enter_macro`]).
    pub fn enter_item_macro(&mut self, m: &syn::ItemMacro) {
        self.item_macro = Some(addr(&m.mac));
    }

    /// A macro: whether its body is read (as expressions when it is a list
    /// of them, else as statements: [`Self::macro_statements`]). A schema
    /// macro (`table!`, `joinable!`...) is read now; SQL, formatting and
    /// logging macros hold no ORM query (unless they are items); the rest
    /// (`vec!`, `tokio::join!`, `assert!`...) may.
    pub fn enter_macro(&mut self, mac: &syn::Macro) -> bool {
        let item = self.item_macro == Some(addr(mac));
        if item {
            self.item_macro = None;
        }
        if crate::schema::item_macro(self, mac) {
            return false;
        }
        if item {
            return true;
        }
        let name = mac.path.segments.last().map(|s| s.ident.to_string());
        !name
            .as_deref()
            .is_some_and(|n| NO_QUERY_MACROS.contains(&n))
    }

    /// Walk, alone, a macro body that is no list of expressions, as
    /// statements when it parses as such.
    pub fn macro_statements(&mut self, mac: &syn::Macro) {
        if let Ok(stmts) = mac.parse_body_with(syn::Block::parse_within) {
            self.scopes.push(Scope::new(ScopeKind::Block));
            self.apart(|w| {
                for s in &stmts {
                    w.visit_stmt(s);
                }
            });
            self.scopes.pop();
        }
    }

    /// Walk a tree parsed now and freed after: what it remembers of its
    /// nodes by address (consumed table references, the awaited call) is
    /// forgotten with it, since a later tree may reuse the addresses.
    fn apart(&mut self, f: impl FnOnce(&mut Self)) {
        let consumed = std::mem::take(&mut self.consumed);
        let awaited = self.awaited.take();
        f(self);
        self.consumed = consumed;
        self.awaited = awaited;
    }

    /// Walk, alone, a macro the caller has no parse of.
    pub fn macro_alone(&mut self, mac: &syn::Macro) {
        if self.enter_macro(mac) {
            self.macro_body(mac);
        }
    }

    /// Walk a macro's body as expressions (or statements) when it parses as
    /// such (`format!`, `vec!`, `tokio::join!`, `assert!`...).
    fn macro_body(&mut self, mac: &syn::Macro) {
        use syn::parse::Parser;
        use syn::punctuated::Punctuated;
        let exprs = Punctuated::<Expr, syn::Token![,]>::parse_terminated.parse2(mac.tokens.clone());
        match exprs {
            Ok(exprs) => self.apart(|w| {
                for e in &exprs {
                    w.visit_expr(e);
                }
            }),
            Err(_) => self.macro_statements(mac),
        }
    }
}

/// `X` (last segment) of `impl From<X> for ..`.
fn from_source(i: &syn::ItemImpl) -> Option<String> {
    let (_, path, _) = i.trait_.as_ref()?;
    let last = path.segments.last()?;
    if last.ident != "From" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(a) = &last.arguments else {
        return None;
    };
    a.args.iter().find_map(|g| match g {
        syn::GenericArgument::Type(t) => crate::types::named_type(t)?.last().cloned(),
        _ => None,
    })
}

/// The walk of a tree alone ([`crate::collect`], macro bodies): `syn`'s
/// traversal with the hooks, less what they do not read.
impl<'ast> Visit<'ast> for Walk<'_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        self.enter_mod(m);
        visit::visit_item_mod(self, m);
        self.leave_mod();
    }

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        self.item_use(u);
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        self.enter_impl(i);
        visit::visit_item_impl(self, i);
        self.leave_impl();
    }

    fn visit_item_trait(&mut self, t: &'ast syn::ItemTrait) {
        self.enter_trait(t);
        visit::visit_item_trait(self, t);
        self.leave_trait();
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        self.enter_item_fn(f);
        self.visit_block(&f.block);
        self.leave_item_fn();
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.enter_fn(&f.sig, &f.attrs);
        self.visit_block(&f.block);
        self.leave_fn();
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if let Some(block) = &f.default {
            self.enter_fn(&f.sig, &f.attrs);
            self.visit_block(block);
            self.leave_fn();
        }
    }

    fn visit_item_struct(&mut self, s: &'ast syn::ItemStruct) {
        self.item_struct(s);
    }

    fn visit_item_enum(&mut self, e: &'ast syn::ItemEnum) {
        self.item_enum(e);
    }

    fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
        self.enter_item_macro(m);
        self.visit_macro(&m.mac);
    }

    fn visit_block(&mut self, b: &'ast syn::Block) {
        self.enter_block(b);
        visit::visit_block(self, b);
        self.leave_block(b);
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
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

    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        self.enter_closure(c);
        visit::visit_expr_closure(self, c);
        self.leave_closure();
    }

    fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
        self.enter_for(f);
        visit::visit_expr_for_loop(self, f);
    }

    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        self.enter_match(m);
        visit::visit_expr_match(self, m);
        self.leave_match();
    }

    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        self.enter_arm(arm);
        visit::visit_arm(self, arm);
        self.leave_arm();
    }

    fn visit_expr_if(&mut self, i: &'ast syn::ExprIf) {
        self.enter_if(i);
        visit::visit_expr_if(self, i);
    }

    fn visit_expr_while(&mut self, w: &'ast syn::ExprWhile) {
        self.enter_while(w);
        visit::visit_expr_while(self, w);
        self.leave_while();
    }

    fn visit_expr_let(&mut self, l: &'ast syn::ExprLet) {
        visit::visit_expr_let(self, l);
        self.leave_let(l);
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        self.expr_path(p);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        self.enter_call(c);
        visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        self.enter_method_call(m, &m.method.to_string());
        visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_await(&mut self, a: &'ast syn::ExprAwait) {
        self.enter_await(a);
        visit::visit_expr_await(self, a);
    }

    fn visit_pat(&mut self, _: &'ast Pat) {}

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.macro_alone(mac);
    }
}
