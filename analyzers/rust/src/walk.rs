//! The one walk over a file's tree: each node is visited once, and the SQL
//! collector ([`crate::sql`]) and the graph walker ([`crate::graph`]) each
//! record what they need from it through their hooks (`enter_*` before the
//! node's children, `leave_*` after).
//!
//! Where one of them reads less of a node than the other (the SQL collector
//! reads function bodies, not signatures, and no `let` pattern; the graph
//! walker skips generated code), the walk visits that part
//! with the other switched off, so that each sees exactly the nodes, in the
//! order, it would see walking alone. Trees made during the walk (the
//! statements of a block-bodied macro, parsed then) are read by the SQL
//! collector alone, with its own traversal of the same hooks.

use crate::FileFacts;
use crate::graph::Walker;
use crate::macros::{Finder, MacroArgs};
use crate::sql::Callers;
use crate::sql::collector::{Collector, FnEntry, MacroVisit};
use crate::sql::shapes::Imports;
use syn::visit::{self, Visit};

/// Walk `file` once (after a lighter walk for its macros and imports) and
/// collect its SQL and graph facts into `facts`.
#[cfg(test)]
pub(crate) fn walk_file(file: &syn::File, in_test_file: bool, facts: &mut FileFacts) {
    walk_file_with_orm(file, in_test_file, false, facts);
}

/// Walk `file` once (after a lighter walk for its macros and imports) and
/// collect its SQL and graph facts into `facts`, and its ORM facts when
/// `mentions_orm` (the file's text names an ORM: [`nova_orm::mentions_orm`]).
pub(crate) fn walk_file_with_orm(
    file: &syn::File,
    in_test_file: bool,
    mentions_orm: bool,
    facts: &mut FileFacts,
) {
    let (macros, imports) = prewalk(file);
    let mut orm_facts = nova_orm::FileOrm::default();
    let orm = mentions_orm.then(|| {
        nova_orm::Collector::new(
            file,
            in_test_file,
            crate::sql::shapes::has_test_attr,
            &mut orm_facts,
        )
    });
    let macros = &macros;
    let mut graph_facts = crate::graph::GraphFacts::default();
    let graph = crate::graph::start(file, macros, in_test_file, &mut graph_facts);
    let sql = crate::sql::collector::collector(imports, macros, in_test_file, facts);
    let mut w = Walk {
        graph_on: graph.is_some(),
        sql_on: true,
        orm_on: orm.is_some(),
        orm,
        sql,
        graph,
        macros,
        segs: Vec::new(),
        names: Vec::new(),
        callers: Callers::default(),
    };
    w.visit_file(file);
    let Walk {
        mut sql,
        graph,
        callers,
        orm,
        ..
    } = w;
    drop(orm);
    crate::sql::finish_walk(&mut sql, &callers);
    if let Some(g) = graph {
        crate::graph::done(g);
    }
    facts.graph = graph_facts;
    facts.orm = orm_facts;
}

/// Before the walk: every macro of the file with its arguments parsed (the
/// walk's hooks evaluate expressions ahead of the walk), and what the file
/// imports and names (which tells the SQL collector what a call is).
fn prewalk(file: &syn::File) -> (MacroArgs, Imports) {
    let mut pre = PreWalk {
        finder: Finder::default(),
        imports: Imports::default(),
        imports_on: true,
    };
    pre.visit_file(file);
    (MacroArgs::from_found(pre.finder), pre.imports)
}

struct PreWalk {
    finder: Finder,
    imports: Imports,
    /// Paths seen now count as named by the file (not those under a `use`).
    imports_on: bool,
}

impl PreWalk {
    fn without_imports(&mut self, f: impl FnOnce(&mut Self)) {
        let saved = std::mem::replace(&mut self.imports_on, false);
        f(self);
        self.imports_on = saved;
    }
}

impl<'ast> Visit<'ast> for PreWalk {
    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        if self.imports_on {
            self.imports.add_use(u);
        }
        self.without_imports(|p| visit::visit_item_use(p, u));
    }

    fn visit_item_extern_crate(&mut self, e: &'ast syn::ItemExternCrate) {
        if self.imports_on {
            self.imports.add_extern_crate(e);
        }
        self.without_imports(|p| visit::visit_item_extern_crate(p, e));
    }

    fn visit_path(&mut self, p: &'ast syn::Path) {
        if self.imports_on {
            self.imports.add_path(p);
        }
        visit::visit_path(self, p);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        // The arguments are parsed, not walked here (`MacroArgs`); the
        // macro's own path is a path the file names.
        self.finder.record(mac);
        if self.imports_on {
            self.visit_path(&mac.path);
        }
    }
}

struct Walk<'ast, 'o> {
    sql: Collector<'o>,
    graph: Option<Walker<'ast, 'o>>,
    macros: &'ast MacroArgs,
    /// The SQL collector sees the nodes visited now.
    sql_on: bool,
    /// The graph walker sees the nodes visited now.
    graph_on: bool,
    /// The ORM collector, in a file that names an ORM
    /// ([`nova_orm::mentions_orm`]).
    orm: Option<nova_orm::Collector<'o>>,
    /// The ORM collector sees the nodes visited now.
    orm_on: bool,
    /// The strings of a called path's segments, reused from call to call.
    segs: Vec<String>,
    /// Strings for method names, reused from call to call.
    names: Vec<String>,
    /// The calls that may hand SQL to a helper of the file (`sql::params`).
    callers: Callers<'ast>,
}

/// Put the names of `path`'s segments in `segs`, reusing its strings.
fn fill_segments(segs: &mut Vec<String>, path: &syn::Path) {
    use std::fmt::Write;
    segs.truncate(path.segments.len());
    for (i, s) in path.segments.iter().enumerate() {
        match segs.get_mut(i) {
            Some(t) => {
                t.clear();
                // (Writing to a `String` does not fail.)
                let _ = write!(t, "{}", s.ident);
            }
            None => segs.push(s.ident.to_string()),
        }
    }
}

impl<'ast, 'o> Walk<'ast, 'o> {
    /// The graph walker when it sees the nodes visited now.
    fn graph(&mut self) -> Option<&mut Walker<'ast, 'o>> {
        match (self.graph_on, &mut self.graph) {
            (true, Some(g)) => Some(g),
            _ => None,
        }
    }

    /// The ORM collector when it sees the nodes visited now.
    fn orm(&mut self) -> Option<&mut nova_orm::Collector<'o>> {
        match (self.orm_on, &mut self.orm) {
            (true, Some(o)) => Some(o),
            _ => None,
        }
    }

    /// The ORM collector if `on` (it saw the node being left).
    fn orm_if(&mut self, on: bool) -> Option<&mut nova_orm::Collector<'o>> {
        self.orm.as_mut().filter(|_| on)
    }

    /// Run `f` with the SQL collector and the graph walker switched off
    /// unless `sql`, resp. `graph` (the ORM collector reads what the SQL
    /// collector reads, but for macro arguments).
    fn only(&mut self, sql: bool, graph: bool, f: impl FnOnce(&mut Self)) {
        self.only_orm(sql, graph, sql, f);
    }

    /// [`Self::only`], with the ORM collector switched off unless `orm`.
    fn only_orm(&mut self, sql: bool, graph: bool, orm: bool, f: impl FnOnce(&mut Self)) {
        let saved = (self.sql_on, self.graph_on, self.orm_on);
        self.sql_on &= sql;
        self.graph_on &= graph;
        self.orm_on &= orm;
        if self.sql_on || self.graph_on || self.orm_on {
            f(self);
        }
        (self.sql_on, self.graph_on, self.orm_on) = saved;
    }

    /// Run `f` with the ORM collector switched off (what it does not read).
    fn without_orm(&mut self, f: impl FnOnce(&mut Self)) {
        if self.orm_on {
            self.only_orm(true, true, false, f);
        } else {
            f(self);
        }
    }

    /// The rest of a function once both have entered it (`sql`: the SQL
    /// collector's entry; `graph`: whether the graph walker entered it): its
    /// attributes, visibility and signature, which the SQL collector does
    /// not read, then its body; then both leave it.
    fn function(
        &mut self,
        sql: Option<FnEntry>,
        graph: bool,
        attrs: &'ast [syn::Attribute],
        vis: Option<&'ast syn::Visibility>,
        sig: &'ast syn::Signature,
        block: &'ast syn::Block,
    ) {
        self.only(false, true, |w| {
            for a in attrs {
                w.visit_attribute(a);
            }
            if let Some(v) = vis {
                w.visit_visibility(v);
            }
            w.visit_signature(sig);
        });
        self.visit_block(block);
        if let (true, Some(g)) = (graph, &mut self.graph) {
            g.fn_body(block);
            g.exit_fn(sql.as_ref().map(FnEntry::info));
        }
        if let Some(entry) = sql {
            self.sql.leave_fn(entry);
        }
    }

    /// A `const` or `static` item: the SQL collector's constant (an
    /// associated one when `assoc`), the graph walker's (`is_const`: not a
    /// `static`).
    fn constant(
        &mut self,
        ident: &'ast syn::Ident,
        expr: &'ast syn::Expr,
        assoc: bool,
        is_const: bool,
    ) {
        if self.sql_on {
            if assoc {
                self.sql.enter_assoc_const(ident, expr);
            } else {
                self.sql.enter_const(ident, expr);
            }
        }
        if let Some(g) = self.graph() {
            g.record_const(ident, expr, is_const);
        }
    }
}

impl<'ast> Visit<'ast> for Walk<'ast, '_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let sql = self.sql_on.then(|| self.sql.enter_mod(m));
        let graph = self.graph().and_then(|g| g.enter_mod(m));
        let test = sql.as_ref().is_some_and(|(test, _)| *test);
        self.callers.enter_test(test);
        let orm = self.orm().map(|o| o.enter_mod(m)).is_some();
        self.only(true, graph.is_some(), |w| visit::visit_item_mod(w, m));
        if let Some(o) = self.orm_if(orm) {
            o.leave_mod();
        }
        self.callers.leave_test(test);
        if let (Some(test), Some(g)) = (graph, &mut self.graph) {
            g.leave_mod(test);
        }
        if let Some(saved) = sql {
            self.sql.leave_mod(saved);
        }
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let sql = self.sql_on.then(|| self.sql.enter_impl(i));
        let graph = self.graph().and_then(|g| g.enter_impl(i));
        self.callers.enter_impl(i, sql == Some(true));
        let orm = self.orm().map(|o| o.enter_impl(i)).is_some();
        self.only(true, graph.is_some(), |w| visit::visit_item_impl(w, i));
        if let Some(o) = self.orm_if(orm) {
            o.leave_impl();
        }
        self.callers.leave_impl(sql == Some(true));
        if let (Some(saved), Some(g)) = (graph, &mut self.graph) {
            g.leave_impl(saved);
        }
        if let Some(test) = sql {
            self.sql.leave_impl(test);
        }
    }

    fn visit_item_trait(&mut self, t: &'ast syn::ItemTrait) {
        let (sql, graph) = (self.sql_on, self.graph_on);
        if sql {
            self.sql.enter_trait(t);
        }
        if let Some(g) = self.graph() {
            g.enter_trait(t);
        }
        let orm = self.orm().map(|o| o.enter_trait(t)).is_some();
        visit::visit_item_trait(self, t);
        if let Some(o) = self.orm_if(orm) {
            o.leave_trait();
        }
        if let (true, Some(g)) = (graph, &mut self.graph) {
            g.leave_trait();
        }
        if sql {
            self.sql.leave_trait();
        }
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        let sql = self.sql_on.then(|| self.sql.enter_item_fn(f));
        let graph = self.graph_on;
        if let Some(g) = self.graph() {
            g.enter_item_fn(f);
        }
        let test = sql.as_ref().is_some_and(FnEntry::is_test);
        self.callers.enter_test(test);
        let orm = self.orm().map(|o| o.enter_item_fn(f)).is_some();
        self.function(sql, graph, &f.attrs, Some(&f.vis), &f.sig, &f.block);
        if let Some(o) = self.orm_if(orm) {
            o.leave_item_fn();
        }
        self.callers.leave_test(test);
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        let sql = self.sql_on.then(|| self.sql.enter_impl_fn(f));
        let graph = self.graph_on;
        if let Some(g) = self.graph() {
            g.enter_fn(&f.sig, &f.attrs);
        }
        let test = sql.as_ref().is_some_and(FnEntry::is_test);
        self.callers.enter_test(test);
        let orm = self.orm().map(|o| o.enter_fn(&f.sig, &f.attrs)).is_some();
        self.function(sql, graph, &f.attrs, Some(&f.vis), &f.sig, &f.block);
        if let Some(o) = self.orm_if(orm) {
            o.leave_fn();
        }
        self.callers.leave_test(test);
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        // A declaration without a body is no function to either.
        let Some(block) = &f.default else { return };
        let sql = self
            .sql_on
            .then(|| self.sql.enter_fn(&f.sig, true, &f.attrs));
        let graph = self.graph_on;
        if let Some(g) = self.graph() {
            g.enter_fn(&f.sig, &f.attrs);
        }
        let orm = self.orm().map(|o| o.enter_fn(&f.sig, &f.attrs)).is_some();
        self.function(sql, graph, &f.attrs, None, &f.sig, block);
        if let Some(o) = self.orm_if(orm) {
            o.leave_fn();
        }
    }

    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        self.constant(&c.ident, &c.expr, false, true);
        visit::visit_item_const(self, c);
    }

    fn visit_item_static(&mut self, s: &'ast syn::ItemStatic) {
        self.constant(&s.ident, &s.expr, false, false);
        visit::visit_item_static(self, s);
    }

    fn visit_impl_item_const(&mut self, c: &'ast syn::ImplItemConst) {
        self.constant(&c.ident, &c.expr, true, true);
        visit::visit_impl_item_const(self, c);
    }

    fn visit_trait_item_const(&mut self, c: &'ast syn::TraitItemConst) {
        if self.sql_on
            && let Some((_, e)) = &c.default
        {
            self.sql.enter_assoc_const(&c.ident, e);
        }
        visit::visit_trait_item_const(self, c);
    }

    fn visit_item_type(&mut self, t: &'ast syn::ItemType) {
        if let Some(g) = self.graph() {
            g.enter_item_type(t);
        }
        visit::visit_item_type(self, t);
    }

    fn visit_item_struct(&mut self, s: &'ast syn::ItemStruct) {
        if let Some(g) = self.graph() {
            g.enter_item_struct(s);
        }
        if let Some(o) = self.orm() {
            o.item_struct(s);
        }
        let orm = std::mem::replace(&mut self.orm_on, false);
        visit::visit_item_struct(self, s);
        self.orm_on = orm;
    }

    fn visit_block(&mut self, b: &'ast syn::Block) {
        let sql = self.sql_on;
        if sql {
            self.sql.enter_block();
        }
        let orm = self.orm().map(|o| o.enter_block(b)).is_some();
        visit::visit_block(self, b);
        if sql {
            self.sql.leave_block();
        }
        if let Some(o) = self.orm_if(orm) {
            o.leave_block(b);
        }
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        if let Some(g) = self.graph() {
            g.enter_local(l);
        }
        let sql = self.sql_on;
        if sql {
            self.sql.enter_local();
        }
        let orm = self.orm_on;
        // The SQL collector reads the initialiser, not the pattern.
        self.only(false, true, |w| {
            for a in &l.attrs {
                w.visit_attribute(a);
            }
            w.visit_pat(&l.pat);
        });
        if let Some(init) = &l.init {
            self.visit_expr(&init.expr);
            if let Some((_, div)) = &init.diverge {
                self.visit_expr(div);
            }
        }
        if sql {
            self.sql.leave_local(l);
        }
        if let Some(o) = self.orm_if(orm) {
            o.leave_local(l);
        }
    }

    fn visit_expr_struct(&mut self, s: &'ast syn::ExprStruct) {
        if let Some(g) = self.graph() {
            g.enter_expr_struct(s);
        }
        visit::visit_expr_struct(self, s);
    }

    fn visit_expr_if(&mut self, i: &'ast syn::ExprIf) {
        // (The ORM collector's scope of the `if` ends with its `then` block.)
        if let Some(o) = self.orm() {
            o.enter_if(i);
        }
        let Some(field) = self.graph().and_then(|g| g.guard_of(i)) else {
            visit::visit_expr_if(self, i);
            return;
        };
        // The `then` block runs behind a guard on a field of `self`.
        self.only(true, false, |w| {
            for a in &i.attrs {
                w.visit_attribute(a);
            }
        });
        self.visit_expr(&i.cond);
        if let Some(g) = self.graph() {
            g.push_guard(field);
        }
        self.visit_block(&i.then_branch);
        if let Some(g) = self.graph() {
            g.pop_guard();
        }
        if let Some((_, e)) = &i.else_branch {
            self.visit_expr(e);
        }
    }

    fn visit_expr_return(&mut self, r: &'ast syn::ExprReturn) {
        if let Some(g) = self.graph() {
            g.enter_return(r);
        }
        visit::visit_expr_return(self, r);
    }

    fn visit_expr_closure(&mut self, c: &'ast syn::ExprClosure) {
        let graph = self.graph_on;
        if let Some(g) = self.graph() {
            g.enter_closure();
        }
        let orm = self.orm().map(|o| o.enter_closure(c)).is_some();
        visit::visit_expr_closure(self, c);
        if let Some(o) = self.orm_if(orm) {
            o.leave_closure();
        }
        if let (true, Some(g)) = (graph, &mut self.graph) {
            g.leave_closure();
        }
    }

    fn visit_expr_async(&mut self, a: &'ast syn::ExprAsync) {
        // (A `return` in an async block is the block's, as in a closure.)
        let graph = self.graph_on;
        if let Some(g) = self.graph() {
            g.enter_closure();
        }
        visit::visit_expr_async(self, a);
        if let (true, Some(g)) = (graph, &mut self.graph) {
            g.leave_closure();
        }
    }

    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        if let Some(g) = self.graph() {
            g.enter_assign(a);
        }
        let sql = self.sql_on;
        let orm = self.orm_on;
        visit::visit_expr_assign(self, a);
        if sql {
            self.sql.leave_assign(a);
        }
        if let Some(o) = self.orm_if(orm) {
            o.leave_assign(a);
        }
    }

    fn visit_expr_binary(&mut self, b: &'ast syn::ExprBinary) {
        let sql = self.sql_on;
        visit::visit_expr_binary(self, b);
        if sql {
            self.sql.leave_binary(b);
        }
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        // The called path's segments, made once for both (in the strings
        // of the last call: the hooks are done with them before the
        // arguments are walked).
        let mut buf = std::mem::take(&mut self.segs);
        let segs = match &*c.func {
            syn::Expr::Path(p) if self.sql_on || self.graph_on => {
                fill_segments(&mut buf, &p.path);
                Some(buf.as_slice())
            }
            _ => None,
        };
        if self.sql_on {
            self.sql.enter_call(c, segs);
        }
        if let Some(g) = self.graph() {
            g.enter_call(c, segs);
        }
        if let Some(o) = self.orm() {
            o.enter_call(c);
        }
        self.segs = buf;
        if self.callers.wants(&c.args)
            && let syn::Expr::Path(p) = &*c.func
            && let Some(last) = p.path.segments.last()
        {
            self.callers.call(&last.ident, &c.args, true);
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        use std::fmt::Write;
        let sql = self.sql_on;
        // (In a string of the calls walked before: nested calls take the
        // next one.)
        let mut method = self.names.pop().unwrap_or_default();
        method.clear();
        // (Writing to a `String` does not fail.)
        let _ = write!(method, "{}", m.method);
        if sql {
            self.sql.enter_method_call(m, &method);
        }
        if let Some(g) = self.graph() {
            g.enter_method_call(m, &method);
        }
        if self.callers.wants(&m.args) {
            self.callers.call(&m.method, &m.args, false);
        }
        if let Some(o) = self.orm() {
            o.enter_method_call(m, &method);
        }
        visit::visit_expr_method_call(self, m);
        if sql {
            self.sql.leave_method_call(m, &method);
        }
        self.names.push(method);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let macros = self.macros;
        let args = match macros.lookup(mac) {
            Some(args) => args,
            None => {
                // Not seen when the file's macros were parsed: the SQL
                // collector parses it for itself, the graph walker skips it.
                if self.sql_on {
                    self.sql.visit_macro(mac);
                }
                if let Some(o) = self.orm() {
                    o.macro_alone(mac);
                }
                return;
            }
        };
        let orm = self.orm().is_some_and(|o| o.enter_macro(mac));
        let sql = match self.sql_on {
            true => self.sql.enter_macro(mac, args),
            false => MacroVisit::Nothing,
        };
        let Some(args) = args else {
            if let MacroVisit::Block = sql {
                self.sql.visit_macro_block(mac);
            }
            if let Some(o) = self.orm_if(orm) {
                o.macro_statements(mac);
            }
            return;
        };
        if let Some(g) = self.graph() {
            g.enter_macro(mac, args);
        }
        let sql_skips = match sql {
            MacroVisit::AllBut(skip) => skip,
            _ => None,
        };
        let sql_reads = matches!(sql, MacroVisit::AllBut(_));
        // (A call in a macro's arguments hands no helper its SQL.)
        self.callers.enter_macro();
        for (i, a) in args.iter().enumerate() {
            let sql = sql_reads && Some(i) != sql_skips;
            self.only_orm(sql, true, orm, |w| w.visit_expr(a));
        }
        self.callers.leave_macro();
    }

    // Nodes only the ORM collector has hooks on (see `nova_orm::Collector`).

    fn visit_item_use(&mut self, u: &'ast syn::ItemUse) {
        if let Some(o) = self.orm() {
            o.item_use(u);
        }
        visit::visit_item_use(self, u);
    }

    fn visit_item_enum(&mut self, e: &'ast syn::ItemEnum) {
        if let Some(o) = self.orm() {
            o.item_enum(e);
        }
        self.without_orm(|w| visit::visit_item_enum(w, e));
    }

    fn visit_item_macro(&mut self, m: &'ast syn::ItemMacro) {
        if let Some(o) = self.orm() {
            o.enter_item_macro(m);
        }
        visit::visit_item_macro(self, m);
    }

    fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
        if let Some(g) = self.graph() {
            g.enter_for(f);
        }
        // (Its scope in the ORM collector ends with its body.)
        if let Some(o) = self.orm() {
            o.enter_for(f);
        }
        visit::visit_expr_for_loop(self, f);
    }

    fn visit_expr_match(&mut self, m: &'ast syn::ExprMatch) {
        let orm = self.orm().map(|o| o.enter_match(m)).is_some();
        visit::visit_expr_match(self, m);
        if let Some(o) = self.orm_if(orm) {
            o.leave_match();
        }
    }

    fn visit_arm(&mut self, arm: &'ast syn::Arm) {
        let orm = self.orm().map(|o| o.enter_arm(arm)).is_some();
        visit::visit_arm(self, arm);
        if let Some(o) = self.orm_if(orm) {
            o.leave_arm();
        }
    }

    fn visit_expr_while(&mut self, wh: &'ast syn::ExprWhile) {
        let orm = self.orm().map(|o| o.enter_while(wh)).is_some();
        visit::visit_expr_while(self, wh);
        if let Some(o) = self.orm_if(orm) {
            o.leave_while();
        }
    }

    fn visit_expr_let(&mut self, l: &'ast syn::ExprLet) {
        let orm = self.orm_on;
        visit::visit_expr_let(self, l);
        if let Some(o) = self.orm_if(orm) {
            o.leave_let(l);
        }
    }

    fn visit_expr_await(&mut self, a: &'ast syn::ExprAwait) {
        if let Some(o) = self.orm() {
            o.enter_await(a);
        }
        visit::visit_expr_await(self, a);
    }

    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if let Some(o) = self.orm() {
            o.expr_path(p);
        }
        self.without_orm(|w| visit::visit_expr_path(w, p));
    }

    fn visit_pat(&mut self, p: &'ast syn::Pat) {
        self.without_orm(|w| visit::visit_pat(w, p));
    }
}

#[cfg(test)]
mod tests {
    use crate::parse_file;

    /// What one collector reads and the other does not is still read by
    /// it alone: SQL in generated gRPC code (which the graph walker skips)
    /// and in a macro whose body is statements (parsed during the walk), and nothing
    /// from a function's signature for the SQL collector.
    #[test]
    fn each_collector_reads_its_own_parts() {
        let src = r#"
pub mod content_client {
    use tonic::codegen::*;
    pub struct ContentClient<T> { inner: T }
    impl<T> ContentClient<T> where T: tonic::client::GrpcService<Body> {
        pub async fn cleanup(&self, db: &sqlx::PgPool) {
            sqlx::query("DELETE FROM generated_t").execute(db).await.ok();
            let t = "orders";
            FutureRecord::to(t);
        }
    }
}

async fn run(db: &sqlx::PgPool) {
    in_span! {
        let done = sqlx::query("UPDATE selected_t SET v = 1").execute(db).await;
        done.ok();
    }
}

fn sized(buf: [u8; { sqlx::query("SELECT 1 FROM sig_t"); 4 }]) {}
"#;
        let facts = match parse_file(src, false) {
            Ok(f) => f,
            Err(e) => panic!("parses: {e}"),
        };
        let texts: Vec<String> = facts.sql_sites.iter().map(|s| s.expr.display()).collect();
        assert!(texts.iter().any(|t| t.contains("generated_t")), "{texts:?}");
        assert!(texts.iter().any(|t| t.contains("selected_t")), "{texts:?}");
        assert!(!texts.iter().any(|t| t.contains("sig_t")), "{texts:?}");
        // The graph walker skipped the generated module: no topic from it.
        assert!(facts.graph.generated);
        assert!(facts.graph.topics.is_empty(), "{:?}", facts.graph.topics);
        // Every graph function is tied to the same function's calls.
        for g in &facts.graph.functions {
            let info = g.info.and_then(|i| facts.functions.get(i));
            assert_eq!(info.map(|f| (&f.path, f.line)), Some((&g.path, g.line)));
        }
    }
}
