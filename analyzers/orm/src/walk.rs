//! The walk behind [`crate::collect`]: scopes (imports, locals), function
//! paths and test code, as `nova-rust` sees them; the shapes themselves are
//! in [`crate::diesel`], [`crate::sea`] and [`crate::schema`].

use crate::names::{Scope, ScopeKind, line_col, segments, text_of};
use crate::{FileOrm, Orm, Query, Target, Unknown};
use nova_model::Op;
use quote::ToTokens;
use std::collections::{HashMap, HashSet};
use syn::{Attribute, Item, Pat};

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

pub struct Walk<'o> {
    pub(crate) out: &'o mut FileOrm,
    pub(crate) in_test_file: bool,
    pub(crate) is_test: IsTest,
    pub(crate) test_depth: usize,
    /// Inline `mod` names, outermost first.
    pub(crate) modules: Vec<String>,
    /// `impl` self types (full path as written), innermost last; `None`
    /// inside a trait declaration or a free function.
    pub(crate) self_types: Vec<Option<Vec<String>>>,
    /// Enclosing function paths, innermost last.
    pub(crate) fns: Vec<String>,
    /// Parameter names of the enclosing functions (index not counting
    /// `self`; `None` for a pattern), innermost last.
    pub(crate) params: Vec<Vec<Option<String>>>,
    pub(crate) scopes: Vec<Scope>,
    /// Table references already recorded as written by the `insert_into`,
    /// `update` or `delete` around them (by address): not reads.
    pub(crate) consumed: HashSet<usize>,
    /// The method call a `.await` applies to (by address).
    pub(crate) awaited: Option<usize>,
    pub(crate) evidence: Evidence,
    /// Function name -> what it returns, when that is a named type
    /// (`fn find(..) -> QueryResult<User>`), `Self` replaced.
    pub(crate) returns: HashMap<String, Vec<String>>,
    /// Types (structs, enums) declared in this file: not aliases of a
    /// SeaORM entity.
    pub(crate) local_types: HashSet<String>,
    /// The function of the call just entered, when it is a path: no table
    /// read (by address).
    pub(crate) callee: Option<usize>,
    /// Blocks (by address) that end a scope opened for them: the `then`
    /// block of an `if` (its scope is open) or the body of a `for` (its
    /// scope, the loop's pattern bound, opens with the block).
    pub(crate) attached: Vec<(usize, Option<Scope>)>,
    /// The `let`s of an `if`/`while` condition (by address) whose pattern
    /// binds once their expression is walked.
    pub(crate) cond_lets: Vec<usize>,
    /// What the scrutinee of each enclosing `match` holds, innermost last.
    pub(crate) scrutinees: Vec<Option<Target>>,
    /// The macro of the item macro just entered (by address).
    pub(crate) item_macro: Option<usize>,
    /// Whether each entered `mod`, `impl` or function is test code (and,
    /// for a `mod`, whether it was entered at all), innermost last.
    pub(crate) tests: Vec<bool>,
    /// `impl` self types put aside by a `mod` or a free function.
    pub(crate) saved_self_types: Vec<Vec<Option<Vec<String>>>>,
    /// The next block entered is the body of the function just entered
    /// (its name): a row builder if it ends in a row.
    pub(crate) body_of: Option<String>,
    /// Function bodies being walked (by address) and their function's
    /// name: a row builder if it returns a row held by a local.
    pub(crate) bodies: Vec<(usize, String)>,
    /// For each enclosing `impl`: `X` of `impl From<X> for ..` (last
    /// segment), innermost last.
    pub(crate) impl_from: Vec<Option<String>>,
}

/// Whether attributes mark test code (`#[test]`, `#[cfg(test)]`...): the
/// caller's rule, so that ORM queries and SQL agree on what is a test.
pub type IsTest = fn(&[Attribute]) -> bool;

impl<'o> Walk<'o> {
    /// Ready to walk `file` (its imports and declarations read): the
    /// one walk of `nova-rust` calls the hooks (see [`crate::hooks`]), or
    /// [`crate::collect`] walks it alone.
    pub fn new(
        file: &syn::File,
        in_test_file: bool,
        is_test: IsTest,
        out: &'o mut FileOrm,
    ) -> Walk<'o> {
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
            callee: None,
            attached: Vec::new(),
            cond_lets: Vec::new(),
            scrutinees: Vec::new(),
            item_macro: None,
            tests: Vec::new(),
            saved_self_types: Vec::new(),
            body_of: None,
            bodies: Vec::new(),
            impl_from: Vec::new(),
        };
        w.prepass(&file.items);
        w.scopes.push(module_scope(&file.items));
        w.evidence = evidence(&w.scopes[0]);
        w
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

    pub(crate) fn in_test(&self) -> bool {
        self.in_test_file || self.test_depth > 0
    }

    pub(crate) fn function(&self) -> Option<String> {
        self.fns.last().cloned()
    }

    /// The import of `name` in the innermost scope that has one.
    pub(crate) fn import(&self, name: &str) -> Option<&Vec<String>> {
        self.scopes.iter().rev().find_map(|s| s.imports.get(name))
    }

    /// Every glob import in scope.
    pub(crate) fn globs(&self) -> impl Iterator<Item = &Vec<String>> {
        self.scopes.iter().rev().flat_map(|s| s.globs.iter())
    }

    /// The local named `name` (up to the enclosing function), with what it
    /// holds when known.
    pub(crate) fn local(&self, name: &str) -> Option<&Option<Target>> {
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
    pub(crate) fn param_index(&self, name: &str) -> Option<usize> {
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
    pub(crate) fn written(&self, name: &str) -> Option<&Vec<crate::written::WrittenValue>> {
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
    pub(crate) fn set_written(&mut self, name: &str, values: Vec<crate::written::WrittenValue>) {
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
    pub(crate) fn self_type(&self) -> Option<&Vec<String>> {
        self.self_types.last().and_then(Option::as_ref)
    }

    /// `path` with its first segment expanded through the imports (and
    /// `Self` through the `impl`).
    pub(crate) fn expand(&self, path: &[String]) -> Vec<String> {
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

    pub(crate) fn bind(&mut self, name: String, what: Option<Target>) {
        if let Some(s) = self.scopes.last_mut() {
            s.locals.insert(name, what);
        }
    }

    /// Bind the names of a pattern; `what` is what the matched value holds
    /// (given to a lone binding, `Some(x)`, `Ok(x)`, `x @ ..`, `mut x`).
    pub(crate) fn bind_pat(&mut self, pat: &Pat, what: Option<Target>) {
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
    pub(crate) fn query(&mut self, hit: Hit<'_>, text: String) {
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
    pub(crate) fn unknown(&mut self, orm: Orm, at: (u32, u32), e: &impl ToTokens, why: String) {
        self.out.unknown.push(Unknown {
            orm,
            line: at.0,
            column: at.1,
            function: self.function(),
            in_test: self.in_test(),
            text: text_of(e),
            why,
            built: None,
        });
    }
}

/// What a typed parameter holds: its named type, expanded.
pub(crate) fn param_type(ty: &syn::Type, w: &Walk<'_>) -> Option<Target> {
    crate::types::named_type(ty).map(|p| Target::Type(w.expand(&p)))
}

/// A module scope with the imports of its items.
pub(crate) fn module_scope(items: &[Item]) -> Scope {
    let mut s = Scope::new(ScopeKind::Module);
    for item in items {
        if let Item::Use(u) = item {
            s.add_use(&u.tree);
        }
    }
    s
}

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

/// Line and column of a path's first segment.
pub(crate) fn path_at(p: &syn::Path) -> (u32, u32) {
    p.segments
        .first()
        .map(|s| line_col(s.ident.span()))
        .unwrap_or((0, 0))
}
