//! Values returned by functions: what a function returns is recorded
//! during the walk ([`FnReturn`]: its tail expression, each `return`, each
//! arm of an `if`/`match` in tail position), and a call in a string
//! position becomes a [`StrExpr::Call`] naming the callee, the receiver's
//! type where the call site shows it ([`StrExpr::Typed`]) or the caller's
//! parameter it comes from, and the string arguments; `nova-link`
//! resolves it against the callee's returns.

use super::shapes::*;
use super::strings::*;
use super::walker::Walker;
use super::{CallRef, FnReturn, ParamRef, StrExpr};
use crate::name::Name;
use crate::span;
use syn::{Expr, Type};

/// Line where `e` starts.
fn expr_line(e: &Expr) -> u32 {
    span::line(span::first_span(e))
}

/// A [`StrExpr::Param`] for parameter `index` of `scope`'s function.
pub(super) fn param_expr(scope: &Scope<'_>, index: usize) -> StrExpr {
    StrExpr::Param(Box::new(ParamRef {
        function: scope.path.clone(),
        name: scope.name.clone(),
        owner: scope.owner.clone(),
        index,
        line: scope.line,
    }))
}

/// The type a parameter is declared with: a named type (its last path
/// segment), a generic (`&E`, `impl Event`, `&dyn Event`), or another
/// (a string, a tuple..).
pub(super) enum ParamType {
    Named(String),
    Generic,
    Other,
}

/// The type of the value `ty` gives access to: without references and
/// smart pointers (`&Box<T>` -> `T`).
pub(super) fn value_type(ty: &Type) -> &Type {
    match ty {
        Type::Reference(r) => value_type(&r.elem),
        Type::Paren(p) => value_type(&p.elem),
        Type::Path(p) if p.qself.is_none() => match p.path.segments.last() {
            Some(last) if is_pointer(&Name::of(&last.ident)) => match &last.arguments {
                syn::PathArguments::AngleBracketed(a) => match a.args.first() {
                    Some(syn::GenericArgument::Type(inner)) => value_type(inner),
                    _ => ty,
                },
                _ => ty,
            },
            _ => ty,
        },
        other => other,
    }
}

/// A smart pointer: the value's type is the one it points to.
pub(super) fn is_pointer(name: &str) -> bool {
    matches!(name, "Box" | "Arc" | "Rc")
}

pub(super) fn param_type(scope: &Scope<'_>, name: &str) -> ParamType {
    let Some(sig) = scope.sig else {
        return ParamType::Other;
    };
    let ty = sig.inputs.iter().find_map(|i| match i {
        syn::FnArg::Typed(pt) => match &*pt.pat {
            syn::Pat::Ident(pi) if pi.ident == name => Some(&*pt.ty),
            _ => None,
        },
        syn::FnArg::Receiver(_) => None,
    });
    let Some(ty) = ty.map(value_type) else {
        return ParamType::Other;
    };
    match ty {
        Type::Path(p) if p.qself.is_none() => {
            let Some(last) = p.path.segments.last() else {
                return ParamType::Other;
            };
            let n = Name::of(&last.ident);
            let generic = sig.generics.params.iter().any(|g| match g {
                syn::GenericParam::Type(t) => t.ident == n.as_str(),
                _ => false,
            });
            if generic {
                ParamType::Generic
            } else if n.starts_with(|c: char| c.is_ascii_uppercase()) && !stringish(ty) {
                ParamType::Named(n.to_string())
            } else {
                ParamType::Other
            }
        }
        Type::ImplTrait(_) | Type::TraitObject(_) => ParamType::Generic,
        _ => ParamType::Other,
    }
}

/// `Self` as the `impl` type; in a trait's own default methods, `Self`:
/// the implementing type, known only where the method is called.
pub(super) fn self_type(scope: &Scope<'_>) -> Option<String> {
    if scope.in_trait {
        return Some(SELF_TYPE.to_string());
    }
    scope.owner.clone()
}

/// The type of `self` in a trait's default method (see
/// [`StrExpr::Typed`]).
pub const SELF_TYPE: &str = "Self";

/// A type name written in code: `Self` replaced, else an upper-case name.
fn named_type(seg: &str, scope: &Scope<'_>) -> Option<String> {
    if seg == "Self" {
        return self_type(scope);
    }
    seg.starts_with(|c: char| c.is_ascii_uppercase())
        .then(|| seg.to_string())
}

/// What a method's receiver (or an argument handed on) is, when the code
/// shows its type: [`StrExpr::Typed`] for `self` in an `impl`, a struct
/// literal, `Type::new(..)`, a local bound to one or annotated with a
/// type, a parameter of a named type; [`StrExpr::Param`] for a parameter
/// of a generic type (the calls to the function tell).
pub(super) fn receiver_value(e: &Expr, scope: &Scope<'_>, depth: u32) -> Option<StrExpr> {
    if depth > 4 {
        return None;
    }
    match e {
        Expr::Reference(r) => receiver_value(&r.expr, scope, depth + 1),
        Expr::Paren(p) => receiver_value(&p.expr, scope, depth + 1),
        Expr::MethodCall(m)
            if m.args.is_empty()
                && matches!(Name::of(&m.method).as_str(), "clone" | "as_ref" | "borrow") =>
        {
            receiver_value(&m.receiver, scope, depth + 1)
        }
        Expr::Struct(s) => {
            let last = s.path.segments.last()?;
            named_type(&Name::of(&last.ident), scope).map(StrExpr::Typed)
        }
        Expr::Call(c) => {
            let Expr::Path(fp) = &*c.func else {
                return None;
            };
            let segs = &fp.path.segments;
            let n = segs.len();
            // `OrderPlaced::new(..)` (a constructor returns its type),
            // `OrderPlaced(..)` (a tuple struct).
            let ty = match n {
                1 => Name::of(&segs[0].ident),
                _ => Name::of(&segs[n - 2].ident),
            };
            if n == 1 && matches!(ty.as_str(), "Some" | "Ok" | "Err" | "Box") {
                return None;
            }
            // `Box::new(OrderPlaced { .. })`, `Arc::new(x)`.
            if n == 2 && is_pointer(&ty) && segs[1].ident == "new" && c.args.len() == 1 {
                return receiver_value(&c.args[0], scope, depth + 1);
            }
            named_type(&ty, scope).map(StrExpr::Typed)
        }
        Expr::Path(p) => {
            let id = Name::of(p.path.get_ident()?);
            if id.as_str() == "self" {
                return self_type(scope).map(StrExpr::Typed);
            }
            if let Some(ty) = scope.local_types.get(id.as_str()) {
                return Some(StrExpr::Typed(ty.clone()));
            }
            if let Some(init) = scope.locals.get(id.as_str()) {
                return receiver_value(init, scope, depth + 1);
            }
            let index = *scope.params.get(id.as_str())?;
            match param_type(scope, &id) {
                ParamType::Named(t) => Some(StrExpr::Typed(t)),
                ParamType::Generic => Some(param_expr(scope, index)),
                ParamType::Other => None,
            }
        }
        _ => None,
    }
}

/// A local annotated with a type that is no string (`let r: Arc<Registry>
/// = load();`): its type, whatever its initialiser.
pub(super) fn typed_local(e: &Expr, scope: &Scope<'_>) -> Option<StrExpr> {
    if scope.local_types.is_empty() {
        return None;
    }
    let mut e = e;
    while let Expr::Reference(r) = e {
        e = &r.expr;
    }
    let Expr::Path(p) = e else { return None };
    let id = Name::of(p.path.get_ident()?);
    scope
        .local_types
        .get(id.as_str())
        .map(|t| StrExpr::Typed(t.clone()))
}

/// A call's arguments for the callee's parameters: the caller's string
/// parameters, string values, and values of a known type.
fn call_args(
    args: &syn::punctuated::Punctuated<Expr, syn::Token![,]>,
    scope: &Scope<'_>,
    d: u32,
    need: bool,
) -> Vec<StrExpr> {
    args.iter()
        .map(
            |a| match param_ref(a, scope).or_else(|| typed_local(a, scope)) {
                Some(p) => p,
                None => match str_expr_in(a, scope, d, need) {
                    StrExpr::Unknown(t) => {
                        receiver_value(a, scope, 0).unwrap_or(StrExpr::Unknown(t))
                    }
                    v => v,
                },
            },
        )
        .collect()
}

/// `f(..)`, `module::f(..)`, `Self::f(..)`, `Type::f(..)` (the last only
/// where the value is needed: a value kept only when it can name a topic
/// would keep every `Utc::now()`): what the function returns.
pub(super) fn call_value(
    c: &syn::ExprCall,
    segs: &[String],
    scope: &Scope<'_>,
    d: u32,
    need: bool,
) -> Option<StrExpr> {
    let (last, before) = segs.split_last()?;
    if !last.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') {
        return None;
    }
    let (owner, recv, qualifier) = match before.last() {
        None => (None, None, Vec::new()),
        Some(o) if o == "Self" => (Some(self_type(scope)?), None, Vec::new()),
        Some(o) if o.starts_with(|c: char| c.is_ascii_uppercase()) => {
            // `E::topic()` with `E` the type of a parameter.
            if let Some(index) = generic_param(o, scope) {
                (None, Some(param_expr(scope, index)), Vec::new())
            } else if need {
                (Some(o.clone()), None, Vec::new())
            } else {
                return None;
            }
        }
        Some(_) => (
            None,
            None,
            before
                .iter()
                .filter(|s| !matches!(s.as_str(), "crate" | "self" | "super"))
                .cloned()
                .collect(),
        ),
    };
    Some(StrExpr::Call(Box::new(CallRef {
        name: last.clone(),
        owner,
        qualifier,
        recv,
        args: call_args(&c.args, scope, d, need),
        assoc_const: false,
        text: if need { text(c) } else { String::new() },
        // (Looking a line up costs: only where the value is needed.)
        line: if need {
            span::line(span::call_first(c))
        } else {
            0
        },
        unwrapped: false,
    })))
}

/// `recv.f(..)` on a receiver whose type the call site shows (or the
/// caller's parameter): what the method returns.
pub(super) fn method_value(
    m: &syn::ExprMethodCall,
    scope: &Scope<'_>,
    d: u32,
    need: bool,
) -> Option<StrExpr> {
    // (A declaration is looked up only where the value is needed: an
    // argument's receiver typed so would keep many more calls.)
    let recv = if need {
        super::declared::receiver(&m.receiver, scope)?
    } else {
        receiver_value(&m.receiver, scope, 0)?
    };
    Some(StrExpr::Call(Box::new(CallRef {
        name: m.method.to_string(),
        owner: None,
        qualifier: Vec::new(),
        recv: Some(recv),
        args: call_args(&m.args, scope, d, need),
        assoc_const: false,
        text: if need { text(m) } else { String::new() },
        line: if need { span::line(m.method.span()) } else { 0 },
        unwrapped: false,
    })))
}

/// The index of a parameter typed `ty` (`e: &E`) when `ty` is a generic
/// type parameter of `scope`'s function.
fn generic_param(ty: &str, scope: &Scope<'_>) -> Option<usize> {
    let sig = scope.sig?;
    let generic = sig.generics.params.iter().any(|g| match g {
        syn::GenericParam::Type(t) => t.ident == ty,
        _ => false,
    });
    if !generic {
        return None;
    }
    sig.inputs
        .iter()
        .filter_map(|i| match i {
            syn::FnArg::Typed(pt) => Some(pt),
            syn::FnArg::Receiver(_) => None,
        })
        .enumerate()
        .find_map(|(i, pt)| match value_type(&pt.ty) {
            Type::Path(p) if p.path.is_ident(ty) => Some(i),
            _ => None,
        })
}

/// `Self::TOPIC` in an `impl`: the impl type's const; `E::TOPIC` with `E`
/// the type of a parameter: the const of the type the calls give it.
pub(super) fn assoc_const(segs: &[String], scope: &Scope<'_>) -> Option<StrExpr> {
    let [ty, name] = segs else { return None };
    let recv = if ty == "Self" {
        if !scope.in_trait {
            return Some(StrExpr::Const(vec![self_type(scope)?, name.clone()]));
        }
        // A trait's default method: the implementing type's const.
        StrExpr::Typed(SELF_TYPE.to_string())
    } else {
        param_expr(scope, generic_param(ty, scope)?)
    };
    Some(StrExpr::Call(Box::new(CallRef {
        name: name.clone(),
        owner: None,
        qualifier: Vec::new(),
        recv: Some(recv),
        args: Vec::new(),
        assoc_const: true,
        text: format!("{ty}::{name}"),
        line: scope.line,
        unwrapped: false,
    })))
}

/// Bare names of the function's string parameters in a returned value
/// (`format!("events.{kind}")`) become [`StrExpr::Param`]s: the call
/// gives them.
pub(super) fn with_params(e: StrExpr, scope: &Scope<'_>) -> StrExpr {
    match e {
        StrExpr::Unknown(n)
            if scope.str_params.contains(n.as_str()) && !scope.locals.contains_key(n.as_str()) =>
        {
            match scope.params.get(n.as_str()) {
                Some(i) => param_expr(scope, *i),
                None => StrExpr::Unknown(n),
            }
        }
        StrExpr::Format { template, args } => StrExpr::Format {
            template,
            args: args.into_iter().map(|a| with_params(a, scope)).collect(),
        },
        StrExpr::List(items) => {
            StrExpr::List(items.into_iter().map(|a| with_params(a, scope)).collect())
        }
        StrExpr::Env { var, default } => StrExpr::Env {
            var,
            default: default.map(|d| Box::new(with_params(*d, scope))),
        },
        other => other,
    }
}

/// Whether `e` never gives a value: `panic!`, `unreachable!`, `todo!`,
/// `continue`, `break`, a `return` (recorded where the walk meets it).
fn diverges(e: &Expr) -> bool {
    match e {
        Expr::Return(_) | Expr::Continue(_) | Expr::Break(_) => true,
        Expr::Macro(m) => m.mac.path.segments.last().is_some_and(|s| {
            matches!(
                Name::of(&s.ident).as_str(),
                "panic" | "unreachable" | "todo" | "unimplemented"
            )
        }),
        _ => false,
    }
}

/// At most this many values of a function are kept (the resolver's bound
/// on the alternatives of one value); those past it are counted in
/// [`FnReturn::cut`].
const MAX_RETURNED: usize = 16;

/// The values a function returns, and how many were not kept.
#[derive(Default)]
struct Returned {
    values: Vec<(StrExpr, u32)>,
    /// Values past [`MAX_RETURNED`], or nested deeper than 8.
    cut: u32,
}

/// The values `e` gives in tail position: one per arm of an `if`/`match`.
fn returned(e: &Expr, scope: &Scope<'_>, out: &mut Returned, depth: u32) {
    if diverges(e) {
        return;
    }
    if depth > 8 {
        out.cut += 1;
        return;
    }
    let d = depth + 1;
    match e {
        Expr::If(i) => {
            block_tail(&i.then_branch, scope, out, d);
            if let Some((_, els)) = &i.else_branch {
                returned(els, scope, out, d);
            }
        }
        Expr::Match(m) => {
            for arm in &m.arms {
                returned(&arm.body, scope, out, d);
            }
        }
        Expr::Block(b) if b.block.stmts.len() != 1 => block_tail(&b.block, scope, out, d),
        Expr::Paren(p) => returned(&p.expr, scope, out, d),
        _ if out.values.len() >= MAX_RETURNED => out.cut += 1,
        _ => {
            let v = with_params(str_expr_in(e, scope, 0, true), scope);
            out.values.push((v, expr_line(e)));
        }
    }
}

fn block_tail(b: &syn::Block, scope: &Scope<'_>, out: &mut Returned, depth: u32) {
    if let Some(syn::Stmt::Expr(x, None)) = b.stmts.last() {
        returned(x, scope, out, depth);
    }
}

/// The hooks that record what functions return.
impl<'ast> Walker<'ast, '_> {
    /// Add what a `return` or the tail gives to the function's values.
    fn add_returned(&mut self, out: Returned) {
        if let Some(s) = self.fns.last_mut()
            && let Some(v) = s.returns.as_mut()
        {
            v.extend(out.values);
            s.returns_cut += out.cut;
        }
    }

    /// A `return` in the current function (not in a closure or an async
    /// block inside it).
    pub(crate) fn enter_return(&mut self, r: &'ast syn::ExprReturn) {
        let Some(scope) = self.fns.last() else { return };
        if scope.returns.is_none() || scope.closures > 0 {
            return;
        }
        let mut out = Returned::default();
        if let Some(e) = &r.expr {
            returned(e, scope, &mut out, 0);
        }
        self.add_returned(out);
    }

    /// The current function's body, once walked: its tail expression.
    pub(crate) fn fn_body(&mut self, block: &'ast syn::Block) {
        let Some(scope) = self.fns.last() else { return };
        if scope.returns.is_none() {
            return;
        }
        let mut out = Returned::default();
        block_tail(block, scope, &mut out, 0);
        self.add_returned(out);
    }

    pub(crate) fn enter_closure(&mut self) {
        if let Some(s) = self.fns.last_mut() {
            s.closures += 1;
        }
    }

    pub(crate) fn leave_closure(&mut self) {
        if let Some(s) = self.fns.last_mut() {
            s.closures = s.closures.saturating_sub(1);
        }
    }

    /// Record the values of the function being left (see [`FnReturn`]).
    pub(super) fn record_returns(&mut self, scope: &mut Scope<'ast>) {
        let Some(mut values) = scope.returns.take() else {
            return;
        };
        if values.is_empty() {
            return;
        }
        let mut cut = scope.returns_cut;
        if values.len() > MAX_RETURNED {
            cut += (values.len() - MAX_RETURNED) as u32;
            values.truncate(MAX_RETURNED);
        }
        self.out.returns.push(FnReturn {
            name: scope.name.clone(),
            path: scope.path.clone(),
            owner: scope.owner.clone(),
            module: self.mods.clone(),
            receiver: scope.sig.is_some_and(|s| s.receiver().is_some()),
            values,
            cut,
            line: scope.line,
            in_test: scope.in_test,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::facts;
    use super::super::{GraphFacts, StrExpr};

    fn lit(s: &str) -> StrExpr {
        StrExpr::Lit(s.to_string())
    }

    /// (function path, values) of each recorded return.
    fn returns(g: &GraphFacts) -> Vec<(&str, Vec<(&StrExpr, u32)>)> {
        g.returns
            .iter()
            .map(|r| {
                (
                    r.path.as_str(),
                    r.values.iter().map(|(v, l)| (v, *l)).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn tails_returns_and_arms_of_string_functions() {
        let g = facts(
            r#"
fn topic() -> &'static str { "a" }
const fn early(x: bool) -> String {
    if x {
        return "b".into();
    }
    let f = |y: u8| { return 1; };
    let g = async { return "not mine"; };
    match x { true => "c".to_string(), false => unreachable!() }
}
fn not_a_string() -> u32 { 7 }
impl Ev { fn topic(&self) -> &str { &self.topic } }
"#,
        );
        let r = returns(&g);
        assert_eq!(r.len(), 3, "{r:?}");
        assert_eq!(r[0], ("topic", vec![(&lit("a"), 2)]));
        // The `return` first (met by the walk), then the tail's arms; not
        // the closure's or the async block's `return`, not the diverging
        // arm.
        assert_eq!(r[1], ("early", vec![(&lit("b"), 5), (&lit("c"), 9)]));
        assert_eq!(
            r[2],
            ("Ev::topic", vec![(&StrExpr::Field("topic".into()), 12)])
        );
        assert_eq!(g.returns[2].owner.as_deref(), Some("Ev"));
    }

    #[test]
    fn parameters_in_returned_values_and_calls_in_topic_positions() {
        let g = facts(
            r#"
fn topic_for(kind: &str) -> String { format!("events.{kind}") }
trait Event { fn topic(&self) -> &'static str; }
struct Bus;
impl Bus {
    fn publish<E: Event>(&self, e: &E) {
        FutureRecord::to(e.topic());
        FutureRecord::to(E::TOPIC);
        FutureRecord::to(&topic_for("orders"));
        FutureRecord::to(Self::TOPIC);
    }
}
fn main() { bus.publish(&OrderPlaced { id: 1 }); }
"#,
        );
        let StrExpr::Format { args, .. } = &g.returns[0].values[0].0 else {
            panic!("{:?}", g.returns)
        };
        assert!(
            matches!(&args[0], StrExpr::Param(p) if p.function == "topic_for" && p.index == 0),
            "{args:?}"
        );
        let topics: Vec<&StrExpr> = g.topics.iter().map(|t| &t.topic).collect();
        // `e.topic()` and `E::TOPIC`: through parameter #0 of `publish`.
        for (t, name, assoc) in [(topics[0], "topic", false), (topics[1], "TOPIC", true)] {
            let StrExpr::Call(c) = t else { panic!("{t:?}") };
            assert_eq!((c.name.as_str(), c.assoc_const), (name, assoc));
            assert!(
                matches!(&c.recv, Some(StrExpr::Param(p)) if p.function == "Bus::publish" && p.index == 0),
                "{c:?}"
            );
        }
        let StrExpr::Call(c) = topics[2] else {
            panic!("{:?}", topics[2])
        };
        assert_eq!(
            (c.name.as_str(), c.args.as_slice()),
            ("topic_for", &[lit("orders")][..])
        );
        assert_eq!(
            topics[3],
            &StrExpr::Const(vec!["Bus".into(), "TOPIC".into()])
        );
        // The service's call gives the type.
        let call = g
            .str_calls
            .iter()
            .find(|c| c.callee == "publish")
            .expect("publish call kept");
        assert_eq!(call.args, vec![StrExpr::Typed("OrderPlaced".into())]);
    }

    #[test]
    fn a_traits_default_method_reads_the_implementing_types_const() {
        let g = facts(
            r#"
trait Named {
    const NAME: &'static str;
    fn topic(&self) -> String { format!("named.{}", Self::NAME) }
}
impl Named for UserJoined { const NAME: &'static str = "users"; }
"#,
        );
        assert_eq!(g.returns.len(), 1, "{:?}", g.returns);
        assert_eq!(g.returns[0].owner.as_deref(), Some("Named"));
        let StrExpr::Format { args, .. } = &g.returns[0].values[0].0 else {
            panic!("{:?}", g.returns)
        };
        let StrExpr::Call(c) = &args[0] else {
            panic!("{args:?}")
        };
        assert!(c.assoc_const);
        assert_eq!(c.recv, Some(StrExpr::Typed(super::SELF_TYPE.into())));
        let impls: Vec<(&str, &str)> = g
            .trait_impls
            .iter()
            .map(|t| (t.trait_name.as_str(), t.type_name.as_str()))
            .collect();
        assert_eq!(impls, [("Named", "UserJoined")]);
    }

    #[test]
    fn the_type_behind_a_smart_pointer() {
        let g = facts(
            r#"
fn boxed(events: &Arc<Registry>) {
    let e: Box<dyn Event> = Box::new(OrderPlaced { id: 1 });
    publish(&e);
    let r: Arc<Registry> = load();
    register(&r);
    forward(events);
}
"#,
        );
        let args: Vec<(&str, &StrExpr)> = g
            .str_calls
            .iter()
            .map(|c| (c.callee.as_str(), &c.args[0]))
            .collect();
        assert_eq!(
            args,
            [
                ("new", &StrExpr::Typed("OrderPlaced".into())),
                ("publish", &StrExpr::Typed("OrderPlaced".into())),
                ("register", &StrExpr::Typed("Registry".into())),
                ("forward", &StrExpr::Typed("Registry".into())),
            ]
        );
    }

    #[test]
    fn calls_whose_value_cannot_matter_are_not_kept() {
        let g = facts(
            r#"
fn main() {
    let x = Ok(make());
    let now = Utc::now();
    v.push(Item { id: 1 });
    let t: Topic = Topic::default();
    tx.insert(key, Row { a: 1 });
}
"#,
        );
        assert!(g.str_calls.is_empty(), "{:?}", g.str_calls);
        assert!(g.returns.is_empty());
    }

    /// The walk keeps sixteen values of a function and counts the others
    /// (for the resolver to report the cut).
    #[test]
    fn values_past_sixteen_are_counted() {
        let arms: String = (0..18).map(|n| format!("{n} => \"t{n}\",\n")).collect();
        let src =
            format!("fn topic(k: u8) -> &'static str {{ match k {{ {arms} _ => \"other\" }} }}");
        let g = facts(&src);
        assert_eq!(g.returns.len(), 1);
        assert_eq!(g.returns[0].values.len(), 16);
        assert_eq!(g.returns[0].cut, 3);
        // Within the bound, nothing is cut.
        let g = facts("fn topic(k: u8) -> &'static str { match k { 0 => \"a\", _ => \"b\" } }");
        assert_eq!((g.returns[0].values.len(), g.returns[0].cut), (2, 0));
    }
}
