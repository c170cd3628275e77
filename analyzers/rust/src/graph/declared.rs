//! Types read from declarations, where the walk already is: the type a
//! `self` field is declared with (`events: Arc<EventBus>`, `bus:
//! Mutex<EventBus>`: the value held, [`held_type`]), a parameter's, and the
//! type a function is declared to return (`fn bus(&self) -> &EventBus`,
//! `-> Result<EventBus, E>`) give a method's receiver its type when the
//! call site does not show it ([`receiver`]), in a topic or returned value
//! and in an argument handed to a function ([`method_arg`]); the crate a
//! field's or a parameter's type is imported from names the client a
//! library re-exports ([`foreign_field`], [`foreign_param`]), and keeps a
//! type of another crate from being taken for the project's
//! ([`Declared::from`]).
//!
//! A field of a struct declared in another file of the crate is a
//! [`StrExpr::SelfField`]: each struct's fields of a named type are
//! recorded ([`struct_fields`], the one thing here done for every
//! declaration) and `nova-link` reads the field's type there. Otherwise a
//! field's declaration is looked up among the file's items only at a
//! method call whose receiver is that field (in a value position, an
//! argument, or an RPC-like call), and only a function's own signature is
//! read when the walk enters it ([`fn_type`]).

use super::prepass::{crate_type, declares_mod, foreign_type, glob_type};
use super::returns::{ParamType, is_pointer, param_type, receiver_value, self_type, value_type};
use super::shapes::{holds_same_value, mod_is_generated, peel};
use super::strings::{Scope, passes_value, str_expr, stringish, takes_default};
use super::{CallRef, Declared, SelfField, StrExpr, StructField, as_foreign_client};
use crate::name::Name;
use crate::span;
use syn::{Expr, Item, Type};

/// A method's receiver: what the code shows of its type
/// ([`receiver_value`]), else what a declaration says ([`declared`]).
/// `Self::bus()`/`Type::load(..)` (not `Type::new(..)`) is the declared
/// return type first: `nova-link` falls back on `Type` when no function
/// of that name declares one, as for a constructor.
pub(super) fn receiver(e: &Expr, scope: &Scope<'_>) -> Option<StrExpr> {
    if let Some(p) = named_param(e, scope) {
        return Some(p);
    }
    if assoc_call(e) {
        return declared(e, scope, 0).or_else(|| receiver_value(e, scope, 0));
    }
    receiver_value(e, scope, 0).or_else(|| declared(e, scope, 0))
}

/// A parameter declared with a named type (`bus: &EventBus`), not
/// shadowed by a local: that type, the parameter a hop.
fn named_param(e: &Expr, scope: &Scope<'_>) -> Option<StrExpr> {
    let mut e = e;
    while let Expr::Reference(r) = e {
        e = &r.expr;
    }
    let Expr::Path(p) = e else { return None };
    let id = Name::of(p.path.get_ident()?);
    if !scope.params.contains_key(id.as_str())
        || scope.locals.contains_key(id.as_str())
        || scope.local_types.contains_key(id.as_str())
    {
        return None;
    }
    let ParamType::Named(ty) = param_type(scope, &id) else {
        return None;
    };
    declared_param(scope, &id, |_| Some(ty))
}

/// Parameter `name` as its declaration types it (`ty` names the declared
/// type), the parameter a hop.
fn declared_param(
    scope: &Scope<'_>,
    name: &str,
    ty: impl FnOnce(&Type) -> Option<String>,
) -> Option<StrExpr> {
    let (decl, line) = param_decl(scope, name)?;
    Some(StrExpr::Declared(Box::new(Declared {
        ty: ty(decl)?,
        by: format!("parameter `{name}`"),
        line,
        from: type_crate(scope.items, decl),
    })))
}

/// A method's value handed to a function as an argument
/// (`publish(self.cfg.topic(), ..)`, `send(self.settings.orders_topic(), ..)`)
/// when only a declaration types its receiver: the value a topic position
/// would see ([`StrExpr::Call`]), for `nova-link` to resolve at the
/// function's parameter. Not for a trait object's receiver (no value can
/// come of it). (Looked up only for an argument nothing else resolved.)
pub(super) fn method_arg(e: &Expr, scope: &Scope<'_>) -> Option<StrExpr> {
    let Expr::MethodCall(m) = peel(e, &[]) else {
        return None;
    };
    // Most method calls handed to a function are on a receiver no
    // declaration types (`x.to_string()` aside, which passes its receiver's
    // value): `str_expr` would build their whole value, text and arguments
    // included, to drop it. The same test on the receiver alone first.
    let method = Name::of(&m.method);
    let name = method.as_str();
    if name != "join" && !passes_value(name) && !takes_default(name) {
        scope.sig?;
        if !typed_receiver(receiver(&m.receiver, scope).as_ref()) {
            return None;
        }
    }
    match str_expr(e, scope, 0) {
        v @ StrExpr::Call(_) if by_declaration(&v) => Some(v),
        _ => None,
    }
}

/// A field of `self` handed whole to a function (`publish(&self.bus, ..)`,
/// `send(self.bus.clone(), ..)`) whose declaration names its type (`bus:
/// KafkaBus`, not a trait object; a field of a struct declared in another
/// file): the type the function's parameter holds for this call, where
/// the parameter's own declaration shows none (`bus: &impl Bus`, `B:
/// Bus`), so that a method called on it there resolves per caller.
/// (Looked up only for an argument of that shape nothing else resolved.)
pub(super) fn field_arg(e: &Expr, scope: &Scope<'_>) -> Option<StrExpr> {
    let Expr::Field(f) = peel(e, &["clone", "as_ref", "borrow"]) else {
        return None;
    };
    if !matches!(&*f.base, Expr::Path(p) if p.path.is_ident("self")) {
        return None;
    }
    match declared_field(f, scope)? {
        StrExpr::Declared(t) if t.ty.starts_with("dyn ") => None,
        v @ (StrExpr::Declared(_) | StrExpr::SelfField(_)) => Some(v),
        _ => None,
    }
}

/// A call whose receiver a declaration types (a field's or a parameter's,
/// not a trait object; a field declared in another file; what a call
/// returns).
fn by_declaration(v: &StrExpr) -> bool {
    let StrExpr::Call(c) = v else { return false };
    typed_receiver(c.recv.as_ref())
}

/// A receiver a declaration types: a field's or a parameter's (not a trait
/// object), a field declared in another file, what a call returns.
fn typed_receiver(recv: Option<&StrExpr>) -> bool {
    match recv {
        Some(StrExpr::Declared(t)) => !t.ty.starts_with("dyn "),
        Some(StrExpr::Call(_) | StrExpr::SelfField(_)) => true,
        _ => false,
    }
}

/// `Type::f(..)` with `f` no `new`.
fn assoc_call(e: &Expr) -> bool {
    let Expr::Call(c) = e else { return false };
    let Expr::Path(p) = &*c.func else {
        return false;
    };
    let segs = &p.path.segments;
    segs.len() >= 2
        && segs.last().is_some_and(|l| {
            let n = Name::of(&l.ident);
            n.as_str() != "new" && n.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        })
}

/// What a call returns, as a receiver: resolved by `nova-link` against the
/// declared return types (`FnType`).
fn returned_by(
    name: String,
    owner: Option<String>,
    qualifier: Vec<String>,
    recv: Option<StrExpr>,
) -> StrExpr {
    StrExpr::Call(Box::new(CallRef {
        name,
        owner,
        qualifier,
        recv,
        args: Vec::new(),
        assoc_const: false,
        text: String::new(),
        line: 0,
        unwrapped: false,
    }))
}

/// `v` unwrapped (`?`, `.unwrap()`, `.expect(..)`).
fn unwrapped(v: Option<StrExpr>) -> Option<StrExpr> {
    match v {
        Some(StrExpr::Call(mut c)) => {
            c.unwrapped = true;
            Some(StrExpr::Call(c))
        }
        other => other,
    }
}

/// The receiver `e` as a declaration types it: a field of `self`, what a
/// call returns, a local bound to either.
fn declared(e: &Expr, scope: &Scope<'_>, depth: u32) -> Option<StrExpr> {
    if depth > 4 {
        return None;
    }
    let d = depth + 1;
    match e {
        Expr::Reference(r) => declared(&r.expr, scope, d),
        Expr::Paren(p) => declared(&p.expr, scope, d),
        Expr::Await(a) => declared(&a.base, scope, d),
        Expr::Try(t) => unwrapped(declared(&t.expr, scope, d)),
        Expr::MethodCall(m) => {
            let name = Name::of(&m.method);
            match name.as_str() {
                "unwrap" | "expect" => unwrapped(declared(&m.receiver, scope, d)),
                // (The value stays wrapped, or is the same value.)
                "map_err" | "context" | "with_context" | "ok" | "ok_or" | "ok_or_else"
                | "as_deref" => declared(&m.receiver, scope, d),
                // A lock's guard, a borrow, a clone: the value held
                // (`self.bus.lock().await`, `.read().unwrap()`).
                n if m.args.is_empty() && holds_same_value(n) => declared(&m.receiver, scope, d),
                _ => {
                    let recv = receiver_value(&m.receiver, scope, 0)
                        .or_else(|| declared(&m.receiver, scope, d))?;
                    Some(returned_by(name.to_string(), None, Vec::new(), Some(recv)))
                }
            }
        }
        Expr::Call(c) => {
            let Expr::Path(fp) = &*c.func else {
                return None;
            };
            if fp.qself.is_some() {
                return None;
            }
            let segs: Vec<String> = fp
                .path
                .segments
                .iter()
                .map(|s| Name::of(&s.ident).to_string())
                .collect();
            let (last, before) = segs.split_last()?;
            if !last.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') {
                return None;
            }
            let (owner, qualifier) = match before.last() {
                None => (None, Vec::new()),
                Some(o) if o == "Self" => (Some(self_type(scope)?), Vec::new()),
                Some(o) if o.starts_with(|c: char| c.is_ascii_uppercase()) => {
                    (Some(o.clone()), Vec::new())
                }
                Some(_) => (
                    None,
                    before
                        .iter()
                        .filter(|s| !matches!(s.as_str(), "crate" | "self" | "super"))
                        .cloned()
                        .collect(),
                ),
            };
            Some(returned_by(last.clone(), owner, qualifier, None))
        }
        Expr::Field(f) => declared_field(f, scope),
        Expr::Path(p) => {
            let id = Name::of(p.path.get_ident()?);
            match scope.locals.get(id.as_str()) {
                Some(init) => declared(init, scope, d),
                // A parameter holding its value behind a lock
                // (`bus: Arc<Mutex<EventBus>>`).
                None if !scope.local_types.contains_key(id.as_str()) => {
                    declared_param(scope, &id, type_name)
                }
                None => None,
            }
        }
        _ => None,
    }
}

/// A field of `self` as its declaration types it (in this file, a hop; in
/// another file of the crate, a [`SelfField`]).
fn declared_field(f: &syn::ExprField, scope: &Scope<'_>) -> Option<StrExpr> {
    let syn::Member::Named(id) = &f.member else {
        return None;
    };
    match self_field(&f.base, id, scope)? {
        FieldDecl::Here(ty, line) => Some(StrExpr::Declared(Box::new(Declared {
            ty: type_name(ty)?,
            by: format!("field `{}`", Name::of(id).as_str()),
            line,
            from: type_crate(scope.items, ty),
        }))),
        FieldDecl::Elsewhere(owner) => Some(StrExpr::SelfField(Box::new(SelfField {
            owner,
            field: Name::of(id).to_string(),
        }))),
    }
}

/// The declared type of parameter `name` of the function, and its line.
fn param_decl<'a>(scope: &Scope<'a>, name: &str) -> Option<(&'a Type, u32)> {
    scope.sig?.inputs.iter().find_map(|i| match i {
        syn::FnArg::Typed(pt) => match &*pt.pat {
            syn::Pat::Ident(pi) if pi.ident == name => Some((&*pt.ty, span::line(pi.ident.span()))),
            _ => None,
        },
        syn::FnArg::Receiver(_) => None,
    })
}

/// Where a field of `self` is declared (see [`self_field`]).
enum FieldDecl<'a> {
    /// In this file: its type and line.
    Here(&'a Type, u32),
    /// The struct (named) is declared in no file of this one: another file
    /// of the crate declares it ([`StrExpr::SelfField`]).
    Elsewhere(String),
}

/// The declaration of field `id` of `base` when `base` is `self` in a
/// method of a struct: its type and line when the struct is defined in this
/// file (not a type parameter of the struct's), else the struct's name.
fn self_field<'a>(base: &Expr, id: &syn::Ident, scope: &Scope<'a>) -> Option<FieldDecl<'a>> {
    let Expr::Path(p) = base else { return None };
    if scope.in_trait || !p.path.is_ident("self") {
        return None;
    }
    let owner = scope.owner.as_deref()?;
    match struct_decl(scope.items, owner) {
        Some(s) => field_decl(s, id).map(|(ty, line)| FieldDecl::Here(ty, line)),
        None => Some(FieldDecl::Elsewhere(owner.to_string())),
    }
}

/// Struct `owner` among `items` (and the inline modules').
fn struct_decl<'a>(items: &'a [Item], owner: &str) -> Option<&'a syn::ItemStruct> {
    items.iter().find_map(|item| match item {
        Item::Struct(s) if s.ident == owner => Some(s),
        Item::Mod(m) if !mod_is_generated(m) => m
            .content
            .as_ref()
            .and_then(|(_, items)| struct_decl(items, owner)),
        _ => None,
    })
}

/// Field `id` of struct `s`: its type (unless a type parameter of the
/// struct) and line.
fn field_decl<'a>(s: &'a syn::ItemStruct, id: &syn::Ident) -> Option<(&'a Type, u32)> {
    let f = s.fields.iter().find(|f| f.ident.as_ref() == Some(id))?;
    let line = span::line(f.ident.as_ref()?.span());
    (!generic_field(s, &f.ty)).then_some((&f.ty, line))
}

/// Whether a field's type (held) is a type parameter of struct `s`.
fn generic_field(s: &syn::ItemStruct, ty: &Type) -> bool {
    s.generics.type_params().any(|t| match held_type(ty) {
        Type::Path(p) => p.path.is_ident(&t.ident),
        _ => false,
    })
}

/// The fields of struct `s` declared with a named type (not a common std
/// type, not a type parameter): what a method called through one of them
/// in another file of the crate is a method of.
pub(super) fn struct_fields(items: &[Item], s: &syn::ItemStruct, out: &mut Vec<StructField>) {
    for f in &s.fields {
        let Some(id) = &f.ident else { continue };
        let Some(ty) = type_name(&f.ty) else { continue };
        if common_type(&ty) || generic_field(s, &f.ty) {
            continue;
        }
        out.push(StructField {
            owner: s.ident.to_string(),
            field: Name::of(id).to_string(),
            ty,
            from: type_crate(items, &f.ty),
            line: span::line(id.span()),
        });
    }
}

/// The crate a declared type is another crate's type of: the first
/// segment of a path written out (`ext_config::Config`), else the crate a
/// `use` among `items` imports its name from (see [`foreign_type`]); none
/// for the crate's own types (`crate::`, a module `mod`-declared here) and
/// std's. (A module declared in another file can look like a crate here:
/// `nova-link` tells them apart.)
fn type_crate(items: &[Item], ty: &Type) -> Option<String> {
    let Type::Path(p) = held_type(ty) else {
        return None;
    };
    let segs = &p.path.segments;
    let krate = if segs.len() >= 2 {
        Name::of(&segs[0].ident).to_string()
    } else {
        let imported = foreign_type(items, &Name::of(&segs.first()?.ident))?;
        as_foreign_client(&imported)?.0.to_string()
    };
    let own = matches!(
        krate.as_str(),
        "crate" | "self" | "super" | "std" | "core" | "alloc"
    ) || declares_mod(items, &krate);
    (!own).then_some(krate)
}

/// The name a declared type gives a value (through references, smart
/// pointers and locks: [`held_type`]): an upper-case named type that is no
/// string, or `dyn Trait` for a trait object (whose type is not seen).
fn type_name(ty: &Type) -> Option<String> {
    match held_type(ty) {
        Type::TraitObject(t) => t.bounds.iter().find_map(|b| match b {
            syn::TypeParamBound::Trait(tb) => tb
                .path
                .segments
                .last()
                .map(|s| format!("dyn {}", Name::of(&s.ident).as_str())),
            _ => None,
        }),
        t @ Type::Path(p) if p.qself.is_none() && !stringish(t) => {
            let n = Name::of(&p.path.segments.last()?.ident);
            n.starts_with(|c: char| c.is_ascii_uppercase())
                .then(|| n.to_string())
        }
        _ => None,
    }
}

/// Types a function's value is rarely a project's own type to call methods
/// on: not recorded as a declared return type.
fn common_type(name: &str) -> bool {
    matches!(
        name,
        "Self"
            | "String"
            | "Vec"
            | "VecDeque"
            | "HashMap"
            | "HashSet"
            | "BTreeMap"
            | "BTreeSet"
            | "Cow"
            | "Pin"
            | "Duration"
            | "Instant"
            | "SystemTime"
            | "PathBuf"
            | "Path"
            | "Bytes"
            | "Value"
            | "Uuid"
    )
}

/// The named type `sig` declares its function to return (see
/// [`super::FnType`]): through references, smart pointers and a
/// `Result`/`Option` (then `true`); none for `Self`, a type parameter, a
/// string, a common std type.
pub(super) fn fn_type(sig: &syn::Signature) -> Option<(String, bool)> {
    let syn::ReturnType::Type(_, ty) = &sig.output else {
        return None;
    };
    let (mut n, seg) = last_segment(value_type(ty))?;
    let mut wrapped = false;
    if matches!(n.as_str(), "Result" | "Option") {
        let syn::PathArguments::AngleBracketed(a) = &seg.arguments else {
            return None;
        };
        let Some(syn::GenericArgument::Type(inner)) = a.args.first() else {
            return None;
        };
        n = last_segment(value_type(inner))?.0;
        wrapped = true;
    }
    // (`str`, `String`, `Cow<str>`, `Vec<String>`: lower-case or common.)
    if !n.starts_with(|c: char| c.is_ascii_uppercase())
        || common_type(&n)
        || is_pointer(&n)
        || sig.generics.type_params().any(|t| t.ident == n.as_str())
    {
        return None;
    }
    Some((n.to_string(), wrapped))
}

/// The last segment of a path type, with its name (one name per level
/// looked at: [`fn_type`] runs for every function).
fn last_segment(ty: &Type) -> Option<(Name, &syn::PathSegment)> {
    match ty {
        Type::Path(p) if p.qself.is_none() => {
            p.path.segments.last().map(|l| (Name::of(&l.ident), l))
        }
        _ => None,
    }
}

/// The type of the value held by a field or parameter declared `ty`:
/// through references and the types that hold one value (`Option`,
/// `Arc`, `Rc`, `Box`, `Mutex`, `RwLock`, `RefCell`). A gRPC client and a
/// Kafka bus are both seen through these: `Arc<Mutex<EventBus>>` holds an
/// `EventBus`.
pub(super) fn held_type(ty: &Type) -> &Type {
    match ty {
        Type::Reference(r) => held_type(&r.elem),
        Type::Paren(p) => held_type(&p.elem),
        Type::Group(g) => held_type(&g.elem),
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return ty;
            };
            let holder = matches!(
                Name::of(&last.ident).as_str(),
                "Option" | "Arc" | "Rc" | "Box" | "Mutex" | "RwLock" | "RefCell"
            );
            match &last.arguments {
                syn::PathArguments::AngleBracketed(a) if holder => a
                    .args
                    .iter()
                    .find_map(|g| match g {
                        syn::GenericArgument::Type(t) => Some(held_type(t)),
                        _ => None,
                    })
                    .unwrap_or(ty),
                _ => ty,
            }
        }
        other => other,
    }
}

/// The client a value declared `ty` may be: a type imported from another
/// crate (a [`super::foreign_client`]), or from the crate's own modules,
/// which may hand on another crate's (`use crate::Catalog;`,
/// `crate::clients::Catalog<Channel>` written out: a
/// [`super::crate_client`]).
fn held_client(items: &[Item], ty: &Type) -> Option<String> {
    let Type::Path(p) = held_type(ty) else {
        return None;
    };
    let segs = &p.path.segments;
    let last = Name::of(&segs.last()?.ident);
    let first = &segs[0].ident;
    if segs.len() >= 2 && (first == "crate" || first == "self" || first == "super") {
        return Some(super::crate_client(&last));
    }
    foreign_type(items, &last).or_else(|| {
        (segs.len() == 1)
            .then(|| crate_type(items, &last).or_else(|| glob_type(items, &last)))
            .flatten()
    })
}

/// The [`super::foreign_client`] field `id` of `self` (`base`) is declared
/// with, in a method of a struct defined in this file: a type imported
/// from another crate (a client that crate may re-export).
pub(super) fn foreign_field(
    items: &[Item],
    base: &Expr,
    id: &syn::Ident,
    scope: &Scope<'_>,
) -> Option<String> {
    let FieldDecl::Here(ty, _) = self_field(base, id, scope)? else {
        return None;
    };
    held_client(items, ty)
}

/// The [`super::foreign_client`] parameter `name` of the function is
/// declared with (see [`foreign_field`]).
pub(super) fn foreign_param(items: &[Item], scope: &Scope<'_>, name: &str) -> Option<String> {
    let (ty, _) = param_decl(scope, name)?;
    held_client(items, ty)
}

#[cfg(test)]
mod tests {
    use super::super::tests::facts;
    use super::super::{GraphFacts, StrExpr};

    /// The receivers of the topics' calls.
    fn receivers(g: &GraphFacts) -> Vec<StrExpr> {
        g.topics
            .iter()
            .filter_map(|t| match &t.topic {
                StrExpr::Call(c) => c.recv.clone(),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_fields_declared_type_types_the_receiver() {
        let g = facts(
            r#"
struct Handler<B> {
    events: Arc<EventBus>,
    any: Box<dyn Bus>,
    generic: B,
}
impl<B> Handler<B> {
    fn send(&self) {
        FutureRecord::to(self.events.topic());
        FutureRecord::to(self.any.topic());
        FutureRecord::to(self.generic.topic());
    }
}
"#,
        );
        let r = receivers(&g);
        let declared: Vec<(&str, &str, u32)> = r
            .iter()
            .filter_map(|e| match e {
                StrExpr::Declared(d) => Some((d.ty.as_str(), d.by.as_str(), d.line)),
                _ => None,
            })
            .collect();
        assert_eq!(
            declared,
            [
                ("EventBus", "field `events`", 3),
                ("dyn Bus", "field `any`", 4)
            ],
            "{r:?}"
        );
    }

    #[test]
    fn a_calls_declared_return_type_types_the_receiver() {
        let g = facts(
            r#"
fn make_bus() -> Result<EventBus, Error> { todo!() }
fn names() -> Vec<String> { todo!() }
fn id<T>() -> T { todo!() }
impl Handler {
    fn bus(&self) -> &EventBus { &self.events }
    fn new() -> Self { Handler }
    fn send(&self) {
        let bus = make_bus()?;
        FutureRecord::to(bus.topic());
        FutureRecord::to(self.bus().topic());
        FutureRecord::to(Self::other().topic());
    }
}
"#,
        );
        let types: Vec<(&str, Option<&str>, &str, bool)> = g
            .fn_types
            .iter()
            .map(|t| {
                (
                    t.name.as_str(),
                    t.owner.as_deref(),
                    t.ty.as_str(),
                    t.wrapped,
                )
            })
            .collect();
        assert_eq!(
            types,
            [
                ("make_bus", None, "EventBus", true),
                ("bus", Some("Handler"), "EventBus", false)
            ]
        );
        let r = receivers(&g);
        let calls: Vec<(&str, Option<&str>, bool, Option<&StrExpr>)> = r
            .iter()
            .filter_map(|e| match e {
                StrExpr::Call(c) => Some((
                    c.name.as_str(),
                    c.owner.as_deref(),
                    c.unwrapped,
                    c.recv.as_ref(),
                )),
                _ => None,
            })
            .collect();
        assert_eq!(
            calls,
            [
                ("make_bus", None, true, None),
                ("bus", None, false, Some(&StrExpr::Typed("Handler".into()))),
                ("other", Some("Handler"), false, None),
            ]
        );
    }

    /// The declared receivers of the topics' calls, as (type, by, from).
    fn declared_receivers(g: &GraphFacts) -> Vec<(String, String, Option<String>)> {
        receivers(g)
            .into_iter()
            .filter_map(|e| match e {
                StrExpr::Declared(d) => Some((d.ty, d.by, d.from)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_value_behind_a_lock_is_the_one_held() {
        let g = facts(
            r#"
use ext_config::Config;
struct Handler {
    bus: Arc<Mutex<EventBus>>,
    reader: RwLock<EventBus>,
    ext: Mutex<Config>,
}
impl Handler {
    async fn send(&self, held: Arc<tokio::sync::Mutex<EventBus>>) {
        FutureRecord::to(self.bus.lock().await.topic());
        FutureRecord::to(self.reader.read().unwrap().topic());
        FutureRecord::to(self.ext.lock().unwrap().topic());
        FutureRecord::to(held.lock().await.topic());
        let guard = self.bus.lock().await;
        FutureRecord::to(guard.topic());
    }
}
"#,
        );
        let s =
            |a: &str, b: &str, c: Option<&str>| (a.to_string(), b.to_string(), c.map(String::from));
        assert_eq!(
            declared_receivers(&g),
            [
                s("EventBus", "field `bus`", None),
                s("EventBus", "field `reader`", None),
                s("Config", "field `ext`", Some("ext_config")),
                s("EventBus", "parameter `held`", None),
                s("EventBus", "field `bus`", None),
            ]
        );
    }

    #[test]
    fn a_field_of_a_struct_declared_elsewhere_is_settled_later() {
        let g = facts(
            r#"
mod local { pub struct Topics; }
pub struct Here<T> {
    cfg: Arc<Config>,
    ext: ext_config::Config,
    own: local::Topics,
    name: String,
    generic: T,
    any: Box<dyn Bus>,
}
impl State {
    fn send(&self) {
        FutureRecord::to(self.cfg.topic());
    }
}
"#,
        );
        let fields: Vec<(&str, &str, &str, Option<&str>)> = g
            .struct_fields
            .iter()
            .map(|f| {
                (
                    f.owner.as_str(),
                    f.field.as_str(),
                    f.ty.as_str(),
                    f.from.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            fields,
            [
                ("Here", "cfg", "Config", None),
                ("Here", "ext", "Config", Some("ext_config")),
                ("Here", "own", "Topics", None),
                ("Here", "any", "dyn Bus", None),
            ]
        );
        assert_eq!(
            receivers(&g),
            [StrExpr::SelfField(Box::new(super::super::SelfField {
                owner: "State".into(),
                field: "cfg".into(),
            }))]
        );
    }

    #[test]
    fn a_methods_value_handed_to_a_function_is_kept_when_a_declaration_types_it() {
        let g = facts(
            r#"
struct Handler { cfg: Config, any: Box<dyn Bus> }
impl Handler {
    async fn send(&self, p: &FutureProducer) {
        publish(p, self.cfg.topic(), b"x").await;
        publish(p, self.any.topic(), b"y").await;
        self.cfg.items().push(self.cfg.topic());
    }
}
"#,
        );
        let kept: Vec<(&str, u32, Vec<&str>)> = g
            .str_calls
            .iter()
            .map(|c| {
                let names = c
                    .args
                    .iter()
                    .filter_map(|a| match a {
                        StrExpr::Call(c) => Some(c.name.as_str()),
                        _ => None,
                    })
                    .collect();
                (c.callee.as_str(), c.line, names)
            })
            .collect();
        // Not through a trait object (the call is kept for `p`'s type
        // only), not to a method every value has.
        assert_eq!(
            kept,
            [("publish", 5, vec!["topic"]), ("publish", 6, vec![])]
        );
    }

    #[test]
    fn a_field_handed_whole_keeps_its_declared_type() {
        let g = facts(
            r#"
struct Handler { bus: KafkaBus, any: Box<dyn Bus>, name: String }
impl Handler {
    async fn send(&self, p: &FutureProducer) {
        publish(&self.bus, p, b"x").await;
        publish(&self.any, p, b"y").await;
        publish(&self.name, p, b"z").await;
        Some(&self.bus);
    }
}
"#,
        );
        let kept: Vec<(&str, u32, Vec<String>)> = g
            .str_calls
            .iter()
            .map(|c| {
                let tys = c
                    .args
                    .iter()
                    .filter_map(|a| match a {
                        StrExpr::Declared(d) => Some(format!("{} by {}", d.ty, d.by)),
                        _ => None,
                    })
                    .collect();
                (c.callee.as_str(), c.line, tys)
            })
            .collect();
        // Not a trait object, not a string (those calls are kept for
        // `p`'s type only); not handed to a variant.
        assert_eq!(
            kept,
            [
                ("publish", 5, vec!["KafkaBus by field `bus`".to_string()]),
                ("publish", 6, vec![]),
                ("publish", 7, vec![]),
            ]
        );
    }
}
