//! Addresses beyond plain strings: a parameter whose type is a URL or a
//! generic one bound by a URL trait (`U: IntoUrl`, `impl IntoUrl`, `D:
//! TryInto<Endpoint>`), a URL built from a string (`Url::parse(s)`,
//! `Endpoint::from_shared(s)`), a URL joined to a path (`base.join(path)`)
//! and the string a tonic `Channel` was built from. Each check runs only
//! where its shape is already in hand (a function's signature when it is
//! entered, a call to one of these names), never per node.

use super::StrExpr;
use super::strings::{Scope, str_expr_in, unknown};
use crate::name::Name;
use syn::{Expr, GenericParam, Type, TypeParamBound, WherePredicate};

/// The template of a URL joined to a path (`base.join(path)`): a
/// [`StrExpr::Format`] of the base and the path that `nova-link` evaluates
/// with URL-join semantics (`nova_link::values`), not by concatenation. (A
/// NUL never appears in a `format!` template written in code.)
pub const URL_JOIN: &str = "{}\0{}";

/// Types whose value is an address: a parameter of one is followed to the
/// callers like a string one.
const ADDRESS_TYPES: &[&str] = &["Url", "Uri", "Endpoint"];

/// A trait bound that makes a generic value an address: `IntoUrl`,
/// `TryInto<Endpoint>`, `Into<Endpoint>` (also `Uri`, `Url`).
fn address_bound(b: &TypeParamBound) -> bool {
    let TypeParamBound::Trait(t) = b else {
        return false;
    };
    let Some(s) = t.path.segments.last() else {
        return false;
    };
    match Name::of(&s.ident).as_str() {
        "IntoUrl" => true,
        "TryInto" | "Into" => match &s.arguments {
            syn::PathArguments::AngleBracketed(a) => a.args.iter().any(|g| {
                matches!(g, syn::GenericArgument::Type(Type::Path(p))
                    if p.path.segments.last().is_some_and(|l| ADDRESS_TYPES.iter().any(|n| l.ident == n)))
            }),
            _ => false,
        },
        _ => false,
    }
}

/// The generic type parameters of `sig` bound by an address trait, in
/// their declaration or a `where` clause. Empty, and nothing looked at
/// beyond the generics, for a function that has none.
pub(super) fn address_generics(sig: &syn::Signature) -> Vec<&syn::Ident> {
    let g = &sig.generics;
    let mut out = Vec::new();
    if g.params.is_empty() {
        return out;
    }
    for p in &g.params {
        if let GenericParam::Type(t) = p
            && t.bounds.iter().any(address_bound)
        {
            out.push(&t.ident);
        }
    }
    for w in g.where_clause.iter().flat_map(|w| &w.predicates) {
        if let WherePredicate::Type(pt) = w
            && let Type::Path(p) = &pt.bounded_ty
            && let Some(id) = p.path.get_ident()
            && pt.bounds.iter().any(address_bound)
        {
            out.push(id);
        }
    }
    out
}

/// Whether a parameter of type `ty` holds an address: a URL type, a
/// generic of an address bound (`generics`), `impl IntoUrl`, through
/// references.
pub(super) fn address_typed(ty: &Type, generics: &[&syn::Ident]) -> bool {
    match ty {
        Type::Reference(r) => address_typed(&r.elem, generics),
        Type::Paren(p) => address_typed(&p.elem, generics),
        Type::Path(p) => match p.path.get_ident() {
            Some(id) => generics.contains(&id) || ADDRESS_TYPES.iter().any(|n| id == n),
            None => p.path.segments.last().is_some_and(|l| {
                l.arguments.is_none() && ADDRESS_TYPES.iter().any(|n| l.ident == n)
            }),
        },
        Type::ImplTrait(i) => i.bounds.iter().any(address_bound),
        _ => false,
    }
}

/// Whether `v` (as [`super::strings::str_expr`] wrote it) is a bare
/// parameter whose type says it is an address (`url: U`, `U: IntoUrl`),
/// not shadowed by a local.
pub(super) fn names_url_param(v: &StrExpr, scope: &Scope<'_>) -> bool {
    matches!(v, StrExpr::Unknown(t)
        if !scope.url_params.is_empty()
            && scope.url_params.iter().any(|p| p == t)
            && !scope.locals.contains_key(t.as_str()))
}

/// A call building an address from one string (`Url::parse(s)`,
/// `Url::from_str(s)`, `Uri::from_static(s)`, `Endpoint::from_shared(s)`,
/// `Channel::from_static(s)`): the value is the string's.
pub(super) fn is_address_ctor(owner: &str, last: &str) -> bool {
    match owner {
        "Url" | "Uri" => matches!(last, "parse" | "from_str" | "from_static" | "try_from"),
        "Endpoint" | "Channel" => {
            matches!(last, "from_shared" | "from_static" | "try_from" | "new")
        }
        _ => false,
    }
}

/// The value of an address constructor's argument `a`: the string's when
/// it can be an address (a literal, a `format!`, a parameter — also the
/// parameter a `let` of the same name shadows, `let base =
/// Url::parse(base)?` — an env read); else the whole call's text (`e`), so
/// a URL parsed from a message stays unresolved as before.
pub(super) fn address_ctor_value(
    e: &Expr,
    a: &Expr,
    scope: &Scope<'_>,
    d: u32,
    need: bool,
) -> StrExpr {
    let bare = match a {
        Expr::Reference(r) => &*r.expr,
        a => a,
    };
    if let Expr::Path(p) = bare
        && let Some(id) = p.path.get_ident()
    {
        let n = Name::of(id);
        // (A local of that name is the parameter only when it is this
        // very call's value: `let base = Url::parse(base)?`.)
        let shadowed = scope
            .locals
            .get(n.as_str())
            .is_some_and(|init| !std::ptr::eq(peel_result(init), e));
        if !shadowed
            && scope.str_params.contains(n.as_str())
            && let Some(&index) = scope.params.get(n.as_str())
        {
            return super::returns::param_expr(scope, index);
        }
    }
    match str_expr_in(a, scope, d, need) {
        v @ (StrExpr::Lit(_)
        | StrExpr::Const(_)
        | StrExpr::Format { .. }
        | StrExpr::Env { .. }
        | StrExpr::Param(_)) => v,
        v if super::shapes::looks_like_url(&v) => v,
        _ => unknown(e, need),
    }
}

/// `e` without the `?`, `.await`, `unwrap`/`expect` around it.
fn peel_result(e: &Expr) -> &Expr {
    let mut e = e;
    loop {
        e = match e {
            Expr::Try(t) => &t.expr,
            Expr::Await(a) => &a.base,
            Expr::Paren(p) => &p.expr,
            Expr::MethodCall(m) if m.method == "unwrap" || m.method == "expect" => &m.receiver,
            _ => return e,
        };
    }
}

/// `base.join(path)` on a URL: the base and the path under
/// [`URL_JOIN`], when the base can be an address (not a list's or a file
/// path's `join`).
pub(super) fn url_join(m: &syn::ExprMethodCall, scope: &Scope<'_>, d: u32) -> Option<StrExpr> {
    let base = str_expr_in(&m.receiver, scope, d, true);
    let address = match &base {
        StrExpr::Lit(s) => s.contains("://"),
        StrExpr::Format { template, .. } => template.contains("://") || template == URL_JOIN,
        StrExpr::Param(_) | StrExpr::Env { .. } => true,
        StrExpr::Field(_) | StrExpr::Const(_) => super::shapes::looks_like_url(&base),
        _ => false,
    };
    if !address {
        return None;
    }
    let path = str_expr_in(m.args.first()?, scope, d, true);
    Some(StrExpr::Format {
        template: URL_JOIN.to_string(),
        args: vec![base, path],
    })
}

/// The address a tonic client's channel was built from
/// (`XClient::new(channel)`, `channel` a local of
/// `Channel::from_shared(dst)?.connect().await?`), through `&`, `?`,
/// `.await`, `unwrap`/`expect`, `connect`/`connect_lazy` and locals; `None`
/// when the chain ends anywhere else.
pub(super) fn channel_address(e: &Expr, scope: &Scope<'_>) -> Option<StrExpr> {
    let mut e = e;
    for _ in 0..16 {
        e = match e {
            Expr::Reference(r) => &r.expr,
            Expr::Paren(p) => &p.expr,
            Expr::Try(t) => &t.expr,
            Expr::Await(a) => &a.base,
            Expr::MethodCall(m)
                if matches!(
                    Name::of(&m.method).as_str(),
                    "unwrap" | "expect" | "connect" | "connect_lazy" | "clone"
                ) =>
            {
                &m.receiver
            }
            Expr::Path(p) => {
                let id = p.path.get_ident()?;
                scope.locals.get(Name::of(id).as_str())?
            }
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else { return None };
                let segs = &p.path.segments;
                let n = segs.len();
                if n < 2 || c.args.len() != 1 {
                    return None;
                }
                let owner = Name::of(&segs[n - 2].ident);
                let last = Name::of(&segs[n - 1].ident);
                if !is_address_ctor(owner.as_str(), last.as_str()) {
                    return None;
                }
                let v = address_ctor_value(e, &c.args[0], scope, 0, true);
                return (!matches!(v, StrExpr::Unknown(_))).then_some(v);
            }
            _ => return None,
        };
    }
    None
}
