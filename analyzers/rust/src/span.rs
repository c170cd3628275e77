//! Where a node starts, without rendering it.
//!
//! `syn::spanned::Spanned::span` on a node (even on an `Ident`) renders the
//! whole node to a token stream and joins the spans of its tokens: a cost
//! in proportion to the node's size, paid at every call site and every
//! function the collectors record. Only the start is ever used, so these
//! helpers find the node's first token directly; [`first_span`] falls back
//! to rendering only for expression kinds that are rare where it is used.
//! A test checks each against the rendering.

use proc_macro2::Span;
use quote::ToTokens;
use syn::{Attribute, Expr};

/// Line (1-based) where `span` starts.
pub(crate) fn line(span: Span) -> u32 {
    span.start().line as u32
}

/// Span of the first token of `path`.
pub(crate) fn path_first(path: &syn::Path) -> Span {
    match (&path.leading_colon, path.segments.first()) {
        (Some(c), _) => c.spans[0],
        (None, Some(s)) => s.ident.span(),
        (None, None) => Span::call_site(),
    }
}

/// Span of the first token of `e`: the same as the first token of
/// `e.to_token_stream()`.
pub(crate) fn first_span(e: &Expr) -> Span {
    let attr = |attrs: &[Attribute]| attrs.first().map(|a| a.pound_token.spans[0]);
    let found = match e {
        Expr::Lit(l) => Some(attr(&l.attrs).unwrap_or_else(|| l.lit.span())),
        Expr::Path(p) => Some(
            attr(&p.attrs)
                .or_else(|| p.qself.as_ref().map(|q| q.lt_token.spans[0]))
                .unwrap_or_else(|| path_first(&p.path)),
        ),
        Expr::Call(c) => Some(attr(&c.attrs).unwrap_or_else(|| first_span(&c.func))),
        Expr::MethodCall(m) => Some(attr(&m.attrs).unwrap_or_else(|| first_span(&m.receiver))),
        Expr::Field(f) => Some(attr(&f.attrs).unwrap_or_else(|| first_span(&f.base))),
        Expr::Await(a) => Some(attr(&a.attrs).unwrap_or_else(|| first_span(&a.base))),
        Expr::Try(t) => Some(attr(&t.attrs).unwrap_or_else(|| first_span(&t.expr))),
        Expr::Index(i) => Some(attr(&i.attrs).unwrap_or_else(|| first_span(&i.expr))),
        Expr::Cast(c) => Some(attr(&c.attrs).unwrap_or_else(|| first_span(&c.expr))),
        Expr::Binary(b) => Some(attr(&b.attrs).unwrap_or_else(|| first_span(&b.left))),
        Expr::Reference(r) => Some(attr(&r.attrs).unwrap_or(r.and_token.spans[0])),
        Expr::Paren(p) => Some(attr(&p.attrs).unwrap_or_else(|| p.paren_token.span.open())),
        Expr::Array(a) => Some(attr(&a.attrs).unwrap_or_else(|| a.bracket_token.span.open())),
        Expr::Macro(m) => Some(attr(&m.attrs).unwrap_or_else(|| path_first(&m.mac.path))),
        _ => None,
    };
    found.unwrap_or_else(|| {
        e.to_token_stream()
            .into_iter()
            .next()
            .map(|t| t.span())
            .unwrap_or_else(Span::call_site)
    })
}

/// Span of the first token of a call.
pub(crate) fn call_first(c: &syn::ExprCall) -> Span {
    c.attrs
        .first()
        .map(|a| a.pound_token.spans[0])
        .unwrap_or_else(|| first_span(&c.func))
}

/// Span of the first token of a macro invocation (its path).
pub(crate) fn macro_first(m: &syn::Macro) -> Span {
    path_first(&m.path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use syn::visit::Visit;

    fn rendered(t: &impl ToTokens) -> (usize, usize) {
        let s = t
            .to_token_stream()
            .into_iter()
            .next()
            .map(|t| t.span().start())
            .expect("a token");
        (s.line, s.column)
    }

    fn at(s: Span) -> (usize, usize) {
        let s = s.start();
        (s.line, s.column)
    }

    /// Every expression, call and macro of a file starts where its
    /// rendering starts.
    #[test]
    fn first_token_matches_the_rendering() {
        struct Check(usize);
        impl<'a> Visit<'a> for Check {
            fn visit_expr(&mut self, e: &'a Expr) {
                assert_eq!(at(first_span(e)), rendered(e), "{}", e.to_token_stream());
                if let Expr::Call(c) = e {
                    assert_eq!(at(call_first(c)), rendered(c));
                }
                self.0 += 1;
                syn::visit::visit_expr(self, e);
            }
            fn visit_macro(&mut self, m: &'a syn::Macro) {
                assert_eq!(at(macro_first(m)), rendered(&m.path));
                assert_eq!(at(macro_first(m)), rendered(m));
            }
        }
        let file: syn::File = syn::parse_str(
            r#"
            fn f(x: &[u8]) -> Result<(), E> {
                let a = ::std::env::var("A").unwrap_or_else(|_| "b".into());
                let b = <T as Tr>::make(1)[0].field.await?;
                let c = #[allow(x)] g(1) + h(2) * (3 - 4) as u64;
                let d = &mut [1, 2, 3];
                let e = -x.len() + !y;
                let s = sqlx::query!("SELECT 1").fetch_one(&pool).await?;
                let t = (a, b);
                let u = S { a: 1 }.a;
                let v = if a { 1 } else { 2 };
                let w = match a { _ => 1 };
                let z = || async move { 1 };
                let r = 1..2;
                let q = unsafe { 1 };
                let k = loop { break 1; };
                self.client.get_post(Request::new(GetPost { id })).await?.into_inner();
                'label: while true { continue 'label; }
                return Ok(());
            }
            "#,
        )
        .expect("parses");
        let mut c = Check(0);
        c.visit_file(&file);
        assert!(c.0 > 60, "{} expressions checked", c.0);
    }
}
