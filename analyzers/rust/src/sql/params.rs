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
//!
//! Which functions hold such a site is known only at the end of the walk
//! (a caller often comes before its helper), so the walk keeps [`Callers`]:
//! a reference to each call with arguments outside test code and outside
//! macro bodies, with the `impl` it is in (for `Self::SQL`). After the walk
//! [`resolve`] evaluates the arguments of the calls to the helpers, in the
//! walk's order; the file is not walked again.

use super::SqlExpr;
use super::collector::Collector;
use super::shapes::choice;
use crate::name::Name;
use syn::Expr;
use syn::punctuated::Punctuated;
use syn::token::Comma;

/// The calls of a file that may hand SQL to one of its helpers, kept by the
/// walk (see the module docs).
pub(crate) struct Callers<'ast> {
    calls: Vec<Call<'ast>>,
    /// The `impl` blocks the walk is in, innermost last.
    impls: Vec<&'ast syn::ItemImpl>,
    /// Test items (`#[test]`/`#[cfg(test)]` functions, `impl`s and `mod`s,
    /// `mod tests`) and macro bodies the walk is in: their calls give no
    /// helper its SQL.
    off: usize,
}

impl Default for Callers<'_> {
    fn default() -> Self {
        Callers {
            // (Room for the calls of most files: one allocation per file.)
            calls: Vec::with_capacity(64),
            impls: Vec::new(),
            off: 0,
        }
    }
}

struct Call<'ast> {
    /// The called function's or method's name (last path segment).
    callee: &'ast syn::Ident,
    args: &'ast Punctuated<Expr, Comma>,
    /// Called by path: a `self` receiver is the first argument.
    ufcs: bool,
    /// The innermost `impl` around the call.
    within: Option<&'ast syn::ItemImpl>,
}

impl<'ast> Callers<'ast> {
    /// Whether a call with `args` here may give a helper its SQL (then
    /// the walk calls [`Self::call`]): one with arguments, outside test
    /// code and macro bodies.
    #[inline]
    pub(crate) fn wants(&self, args: &Punctuated<Expr, Comma>) -> bool {
        self.off == 0 && !args.is_empty()
    }

    /// A call to `callee` with `args` (`ufcs`: called by path) that
    /// [`Self::wants`].
    #[inline]
    pub(crate) fn call(
        &mut self,
        callee: &'ast syn::Ident,
        args: &'ast Punctuated<Expr, Comma>,
        ufcs: bool,
    ) {
        self.calls.push(Call {
            callee,
            args,
            ufcs,
            within: self.impls.last().copied(),
        });
    }

    /// Entering a test item when `test`.
    pub(crate) fn enter_test(&mut self, test: bool) {
        self.off += usize::from(test);
    }

    pub(crate) fn leave_test(&mut self, test: bool) {
        self.off -= usize::from(test);
    }

    /// Entering `impl` block `i` (`test`: a test item).
    pub(crate) fn enter_impl(&mut self, i: &'ast syn::ItemImpl, test: bool) {
        self.impls.push(i);
        self.enter_test(test);
    }

    pub(crate) fn leave_impl(&mut self, test: bool) {
        self.leave_test(test);
        self.impls.pop();
    }

    /// Entering a macro's arguments.
    pub(crate) fn enter_macro(&mut self) {
        self.off += 1;
    }

    pub(crate) fn leave_macro(&mut self) {
        self.off -= 1;
    }
}

/// Replace each param site's unknown SQL with the texts the `callers` of
/// its function pass. Runs after the walk, when no local is in scope.
pub(super) fn resolve(c: &mut Collector<'_>, callers: &Callers<'_>) {
    let sites = std::mem::take(&mut c.param_sites);
    let mut values: Vec<Vec<SqlExpr>> = vec![Vec::new(); sites.len()];
    for call in &callers.calls {
        let callee = Name::of(call.callee);
        if !sites.iter().any(|p| p.function == *callee) {
            continue;
        }
        // `Self::SQL` in a caller names the `impl`'s type.
        let within = call.within.map(|i| match &*i.self_ty {
            syn::Type::Path(p) => p
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_else(|| "_".to_string()),
            _ => "_".to_string(),
        });
        if let Some(ty) = within {
            c.self_types.push(ty);
            c.trait_decl.push(false);
        }
        for (p, vals) in sites.iter().zip(values.iter_mut()) {
            if p.function != *callee {
                continue;
            }
            let index = p.index + usize::from(call.ufcs && p.has_self);
            if let Some(v) = call.args.iter().nth(index).and_then(|a| c.eval(a))
                && !matches!(v, SqlExpr::Unknown(_))
                && !vals.contains(&v)
            {
                vals.push(v);
            }
        }
        if call.within.is_some() {
            c.trait_decl.pop();
            c.self_types.pop();
        }
    }
    for (p, vals) in sites.iter().zip(values) {
        if vals.is_empty() {
            continue;
        }
        if let Some(site) = c.out.sql_sites.get_mut(p.site) {
            site.expr = choice(vals);
        }
    }
}
