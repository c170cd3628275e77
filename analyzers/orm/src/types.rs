//! What a value holds, as far as the ORMs care: a model or row of some
//! table ([`Target`]), from type annotations, struct literals, the query or
//! function that produced it.

use crate::Target;
use crate::names::{segments, strip};
use crate::walk::Walk;
use syn::{Expr, GenericArgument, PathArguments, Type};

/// Wrappers whose first type argument is what they hold.
const WRAPPERS: &[&str] = &[
    "Option",
    "Result",
    "QueryResult",
    "Vec",
    "Box",
    "Arc",
    "Rc",
    "VecDeque",
    "Json",
];

/// Methods that keep what their receiver holds (unwrapping, cloning,
/// iterating, running the query, narrowing it).
const KEEPS: &[&str] = &[
    "unwrap",
    "expect",
    "unwrap_or",
    "unwrap_or_default",
    "unwrap_or_else",
    "ok",
    "ok_or",
    "ok_or_else",
    "context",
    "with_context",
    "map_err",
    "clone",
    "cloned",
    "to_owned",
    "into_iter",
    "iter",
    "iter_mut",
    "first",
    "last",
    "pop",
    "optional",
    // diesel
    "load",
    "get_result",
    "get_results",
    "filter",
    "find",
    "or_filter",
    "order",
    "order_by",
    "then_order_by",
    "limit",
    "offset",
    "into_boxed",
    "for_update",
    // SeaORM
    "one",
    "all",
    "stream",
    "into_active_model",
    "into_model",
    "reset_all",
    "exec_with_returning",
];

/// Diesel methods whose turbofish names the row type (`first::<User>`).
const TURBOFISH: &[&str] = &[
    "load",
    "get_result",
    "get_results",
    "first",
    "load_iter",
    "save_changes",
];

/// The named type a type stands for, wrappers and references removed
/// (`&Option<models::User>` -> `models::User`); `None` for tuples, slices,
/// `impl Trait`, primitives of no interest.
pub(crate) fn named_type(ty: &Type) -> Option<Vec<String>> {
    match ty {
        Type::Reference(r) => named_type(&r.elem),
        Type::Paren(p) => named_type(&p.elem),
        Type::Group(g) => named_type(&g.elem),
        Type::Slice(s) => named_type(&s.elem),
        Type::Array(a) => named_type(&a.elem),
        Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?;
            let name = last.ident.to_string();
            if WRAPPERS.contains(&name.as_str()) {
                if let PathArguments::AngleBracketed(a) = &last.arguments {
                    return a.args.iter().find_map(|g| match g {
                        GenericArgument::Type(t) => named_type(t),
                        _ => None,
                    });
                }
                return None;
            }
            if name.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                Some(segments(&p.path))
            } else {
                None
            }
        }
        _ => None,
    }
}

/// The type named by a method's turbofish (`first::<User>`).
fn turbofish(m: &syn::ExprMethodCall) -> Option<Vec<String>> {
    m.turbofish.as_ref()?.args.iter().find_map(|g| match g {
        GenericArgument::Type(t) => named_type(t),
        _ => None,
    })
}

/// What `e` holds, when it is a model or a row the ORMs know how to name.
pub(crate) fn type_of(w: &Walk<'_>, e: &Expr) -> Option<Target> {
    match strip(e) {
        Expr::Path(p) if p.qself.is_none() => {
            if let Some(ident) = p.path.get_ident() {
                let name = ident.to_string();
                if name == "self" {
                    return w.self_type().map(|t| Target::Type(t.clone()));
                }
                if let Some(l) = w.local(&name) {
                    return l.clone();
                }
            }
            crate::diesel::table_ref(w, &p.path).map(Target::DieselTable)
        }
        Expr::Struct(s) => Some(Target::Type(w.expand(&segments(&s.path)))),
        Expr::Call(c) => {
            let path = crate::names::call_path(c)?;
            let segs = segments(path);
            let last = segs.last()?.as_str();
            match last {
                "Some" | "Ok" | "Box" if segs.len() == 1 => {
                    return c.args.first().and_then(|a| type_of(w, a));
                }
                _ => {}
            }
            if let Some(t) = crate::sea::entity_call(w, &segs) {
                return Some(t);
            }
            if segs.len() >= 2 {
                let owner = &segs[..segs.len() - 1];
                let owner_last = owner.last()?;
                if matches!(last, "new" | "from" | "default" | "belonging_to")
                    && crate::names::is_type_name(owner_last)
                {
                    return Some(Target::Type(w.expand(owner)));
                }
            }
            w.returns.get(last).map(|p| Target::Type(w.expand(p)))
        }
        Expr::MethodCall(m) => {
            let method = m.method.to_string();
            if TURBOFISH.contains(&method.as_str())
                && let Some(t) = turbofish(m)
            {
                return Some(Target::Type(w.expand(&t)));
            }
            // `.select(User::as_select())`, `.returning(User::as_returning())`.
            if matches!(method.as_str(), "select" | "returning")
                && let Some(Expr::Call(c)) = m.args.first().map(strip)
                && let Some(p) = crate::names::call_path(c)
                && p.segments
                    .last()
                    .is_some_and(|s| s.ident == "as_select" || s.ident == "as_returning")
                && p.segments.len() >= 2
            {
                let segs = segments(p);
                return Some(Target::Type(w.expand(&segs[..segs.len() - 1])));
            }
            if KEEPS.contains(&method.as_str()) || method == "select" || method == "returning" {
                return type_of(w, &m.receiver);
            }
            if let Some(p) = w.returns.get(&method)
                && matches!(strip(&m.receiver), Expr::Path(r) if r.path.is_ident("self"))
            {
                return Some(Target::Type(w.expand(p)));
            }
            None
        }
        _ => None,
    }
}
