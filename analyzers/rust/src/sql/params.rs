//! SQL handed to a helper as a parameter:
//!
//! ```ignore
//! async fn stream_query(&self, query: &str, params: Params<'_>) {
//!     self.client.query_raw(query, slice_iter(params)).await
//! }
//! self.stream_query(STREAM, params).await;
//! ```
//!
//! The site in the helper holds [`SqlExpr::Unknown`] until the file has been
//! walked; then every call to a function of that name in the file (outside
//! test code) gives the argument at the parameter's position, evaluated like
//! any SQL expression (literals, consts, `format!`, `concat!`; not the
//! caller's locals). The site becomes the choice of those texts. Calls from
//! other files are not followed: with no static argument in the file the
//! site stays unknown and is reported as such.

use super::SqlExpr;
use super::collector::{Collector, ParamSite};
use super::shapes::{choice, has_test_attr};
use syn::Expr;
use syn::visit::{self, Visit};

/// Replace each [`ParamSite`]'s unknown SQL with the texts its callers in
/// `file` pass. Runs after the walk, when no local is in scope.
pub(super) fn resolve(file: &syn::File, c: &mut Collector<'_>) {
    let sites = std::mem::take(&mut c.param_sites);
    let mut finder = Finder {
        c,
        sites: &sites,
        values: vec![Vec::new(); sites.len()],
        test_depth: 0,
    };
    finder.visit_file(file);
    let Finder { c, values, .. } = finder;
    for (p, vals) in sites.iter().zip(values) {
        if vals.is_empty() {
            continue;
        }
        if let Some(site) = c.out.sql_sites.get_mut(p.site) {
            site.expr = choice(vals);
        }
    }
}

struct Finder<'a, 'o> {
    c: &'a mut Collector<'o>,
    sites: &'a [ParamSite],
    /// Per site, the static texts its callers pass.
    values: Vec<Vec<SqlExpr>>,
    test_depth: usize,
}

impl Finder<'_, '_> {
    /// A call to `callee`; `ufcs`: called by path, so a `self` receiver is
    /// the first argument.
    fn call<'e>(&mut self, callee: &str, args: impl Iterator<Item = &'e Expr> + Clone, ufcs: bool) {
        if self.test_depth > 0 {
            return;
        }
        for (i, p) in self.sites.iter().enumerate() {
            if p.function != callee {
                continue;
            }
            let index = p.index + usize::from(ufcs && p.has_self);
            if let Some(v) = args.clone().nth(index).and_then(|a| self.c.eval(a))
                && !matches!(v, SqlExpr::Unknown(_))
                && !self.values[i].contains(&v)
            {
                self.values[i].push(v);
            }
        }
    }

    fn with_test<T>(&mut self, test: bool, f: impl FnOnce(&mut Self) -> T) -> T {
        self.test_depth += usize::from(test);
        let r = f(self);
        self.test_depth -= usize::from(test);
        r
    }
}

impl<'ast> Visit<'ast> for Finder<'_, '_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        let test = has_test_attr(&m.attrs) || m.ident == "tests";
        self.with_test(test, |f| visit::visit_item_mod(f, m));
    }

    fn visit_item_fn(&mut self, i: &'ast syn::ItemFn) {
        self.with_test(has_test_attr(&i.attrs), |f| visit::visit_item_fn(f, i));
    }

    fn visit_impl_item_fn(&mut self, i: &'ast syn::ImplItemFn) {
        self.with_test(has_test_attr(&i.attrs), |f| visit::visit_impl_item_fn(f, i));
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        // `Self::SQL` in a caller names the impl's type.
        let name = match &*i.self_ty {
            syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
            _ => None,
        };
        self.c
            .self_types
            .push(name.unwrap_or_else(|| "_".to_string()));
        self.c.trait_decl.push(false);
        self.with_test(has_test_attr(&i.attrs), |f| visit::visit_item_impl(f, i));
        self.c.trait_decl.pop();
        self.c.self_types.pop();
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        self.call(&m.method.to_string(), m.args.iter(), false);
        visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*call.func
            && let Some(last) = p.path.segments.last()
        {
            self.call(&last.ident.to_string(), call.args.iter(), true);
        }
        visit::visit_expr_call(self, call);
    }
}
