//! String values as written in code ([`StrExpr`]): literals, consts,
//! `format!`, env reads, fields and parameters, through a function's `let`
//! bindings ([`Scope`]).

use super::StrExpr;
use super::shapes::*;
use crate::macros::{Args, MacroArgs, parse_args};
use crate::name::Name;
use crate::{FastMap as HashMap, FastSet as HashSet};
use quote::ToTokens;
use std::collections::BTreeSet;
use syn::{Expr, Type};
/// A string expression without any local context (consts, default fns).
pub(super) fn simple_str(e: &Expr) -> StrExpr {
    let empty = Scope::default();
    str_expr(e, &empty, 0)
}

// ---------------------------------------------------------------- scopes

/// Per-function context.
#[derive(Default)]
pub(super) struct Scope<'ast> {
    pub(super) path: String,
    pub(super) name: String,
    pub(super) line: u32,
    pub(super) in_test: bool,
    /// `let` bindings: name -> init expression.
    pub(super) locals: HashMap<String, &'ast Expr>,
    /// Parameter names -> index (not counting self).
    pub(super) params: HashMap<String, usize>,
    /// Parameters of a string type (`&str`, `String`, `impl Into<String>`,
    /// `Cow<str>`): the ones a topic or an address can come through.
    pub(super) str_params: HashSet<String>,
    /// Parameters whose type says they are an address (`U: IntoUrl`,
    /// `impl TryInto<Endpoint>`, `&Url`; also in `str_params`): a request
    /// sent to one is kept whatever its name.
    pub(super) url_params: Vec<String>,
    /// Local variables/params that are gRPC clients -> service.
    pub(super) client_vars: HashMap<String, String>,
    pub(super) consumer_handler: bool,
    pub(super) reads_messages: bool,
    pub(super) dedupes: bool,
    /// The function itself is marked as a test (`#[test]`, `#[cfg(test)]`):
    /// leaving it ends that test context.
    pub(super) test_attr: bool,
    /// The file's macro bodies parsed once, so that [`macro_str`] does not
    /// parse them again; `None` outside a walk.
    pub(super) macros: Option<&'ast MacroArgs>,
    /// The `impl` type of a method.
    pub(super) owner: Option<String>,
    /// rskafka `partition_client(topic, ..)` calls: produced or consumed
    /// depending on what the function does with the client.
    pub(super) partition_clients: Vec<(StrExpr, u32)>,
    /// The function builds an rskafka `StreamConsumerBuilder` or fetches
    /// records.
    pub(super) rskafka_consumes: bool,
    /// The `self` fields guarding the blocks the walk is in, innermost last.
    pub(super) guards: Vec<String>,
    /// Names called behind a guard -> the guard (`None` once also seen
    /// called outside one, after the first guarded call).
    pub(super) guarded: HashMap<String, Option<String>>,
    /// Fields switched on (see [`GraphFn::sets`]).
    pub(super) sets: BTreeSet<String>,
    /// The function's signature (parameter types, generics).
    pub(super) sig: Option<&'ast syn::Signature>,
    /// A default method in a trait's own definition: `self` and `Self`
    /// are any implementor.
    pub(super) in_trait: bool,
    /// Locals annotated with a named type (`let e: OrderPlaced = ..`).
    pub(super) local_types: HashMap<String, String>,
    /// The values returned so far, for a function returning a string
    /// (`None` for the others).
    pub(super) returns: Option<Vec<(StrExpr, u32)>>,
    /// Returned values not kept (see [`super::FnReturn::cut`]).
    pub(super) returns_cut: u32,
    /// `map.insert((topic, partition), offset)` on a local: the map's name
    /// and the key's topic (read if the map reaches `from_topic_map`).
    pub(super) map_inserts: Vec<(String, &'ast Expr)>,
    /// A local may hold such a map (filled by `insert` or built with
    /// `HashMap::from([((t, p), o), ..])`): a name is looked up only then.
    pub(super) maps: bool,
    /// Closures and async blocks the walk is in (a `return` there is
    /// theirs).
    pub(super) closures: u32,
    /// The file's items (a `self` field's declaration is looked up there,
    /// see [`super::declared`]).
    pub(super) items: &'ast [syn::Item],
}

/// Calls that hand a parameter's value on unchanged (as far as its text
/// goes): [`param_ref`] sees through them.
const HANDED_ON: &[&str] = &[
    "clone",
    "to_string",
    "to_owned",
    "into",
    "as_str",
    "as_ref",
    "as_deref",
    "iter",
    "into_iter",
    "cloned",
    "collect",
    "to_vec",
];

/// The string parameter of `scope`'s function that `e` names (through `&`,
/// `.clone()`, `.to_string()`, `.into()`..), unless a local shadows it.
pub(super) fn param_ref(e: &Expr, scope: &Scope<'_>) -> Option<StrExpr> {
    // (Only a string parameter is one: none, nothing to look at.)
    if scope.str_params.is_empty() {
        return None;
    }
    let mut e = e;
    loop {
        e = peel(e, HANDED_ON);
        match e {
            // `.map(Into::into)`, `.map(|t| t.to_string())`.
            Expr::MethodCall(m) if m.args.len() == 1 && m.method == "map" => e = &m.receiver,
            _ => break,
        }
    }
    let Expr::Path(p) = e else { return None };
    param_named(Name::of(p.path.get_ident()?).as_str(), scope)
}

/// The string parameter of `scope`'s function called `name`, unless a
/// local shadows it.
fn param_named(name: &str, scope: &Scope<'_>) -> Option<StrExpr> {
    if scope.locals.contains_key(name) || !scope.str_params.contains(name) {
        return None;
    }
    let index = *scope.params.get(name)?;
    Some(super::returns::param_expr(scope, index))
}

/// An address (an HTTP URL, a gRPC `connect` target) or a topic's
/// `format!` as [`str_expr`] wrote it, `v`, with the string parameters of
/// the enclosing function it names, alone or in a `format!`
/// (`client.get(url)`, `format!("{}{}", self.base, path)`,
/// `format!("{prefix}.{kind}")`), as [`StrExpr::Param`]s: resolved through
/// the function's callers.
pub(super) fn string_params(v: StrExpr, scope: &Scope<'_>) -> StrExpr {
    if scope.str_params.is_empty() {
        return v;
    }
    super::returns::with_params(v, scope)
}

/// Resolve an expression to a [`StrExpr`] through `scope`'s bindings.
pub(super) fn str_expr(e: &Expr, scope: &Scope<'_>, depth: u32) -> StrExpr {
    str_expr_in(e, scope, depth, true)
}

/// The text of `t` for a [`StrExpr::Unknown`] when it is `need`ed, else an
/// empty string (the caller drops a top-level `Unknown`).
pub(super) fn unknown<T: ToTokens>(t: &T, need: bool) -> StrExpr {
    StrExpr::Unknown(if need { text(t) } else { String::new() })
}

/// [`str_expr`]; with `need == false` the caller drops the result when it
/// is [`StrExpr::Unknown`], so its text is not built (everything that can
/// end up inside a kept result is still resolved in full).
pub(super) fn str_expr_in(e: &Expr, scope: &Scope<'_>, depth: u32, need: bool) -> StrExpr {
    if depth > 8 {
        return unknown(e, need);
    }
    let d = depth + 1;
    match e {
        Expr::Lit(l) => match &l.lit {
            syn::Lit::Str(s) => StrExpr::Lit(crate::lit_value(s)),
            _ => unknown(e, need),
        },
        Expr::Reference(r) => str_expr_in(&r.expr, scope, d, need),
        Expr::Paren(p) => str_expr_in(&p.expr, scope, d, need),
        Expr::Group(g) => str_expr_in(&g.expr, scope, d, need),
        Expr::Await(a) => str_expr_in(&a.base, scope, d, need),
        Expr::Try(t) => str_expr_in(&t.expr, scope, d, need),
        Expr::Cast(c) => str_expr_in(&c.expr, scope, d, need),
        Expr::Closure(c) => str_expr_in(&c.body, scope, d, need),
        Expr::Block(b) => match b.block.stmts.last() {
            Some(syn::Stmt::Expr(x, None)) if b.block.stmts.len() == 1 => {
                str_expr_in(x, scope, d, need)
            }
            _ => unknown(e, need),
        },
        Expr::Array(a) => StrExpr::List(a.elems.iter().map(|x| str_expr(x, scope, d)).collect()),
        Expr::Path(p) => {
            if p.path.segments.len() == 1 {
                let name = Name::of(&p.path.segments[0].ident);
                if let Some(init) = scope.locals.get(name.as_str()) {
                    // Keep the local's name in what cannot be resolved.
                    return match str_expr_in(init, scope, d, need) {
                        // A bare name (a parameter, another local) stays
                        // bare: topic parameters are detected by name.
                        StrExpr::Unknown(t)
                            if !t
                                .strip_prefix(name.as_str())
                                .is_some_and(|r| r.starts_with(" = "))
                                && !t.chars().all(|c| c.is_alphanumeric() || c == '_') =>
                        {
                            StrExpr::Unknown(format!("{} = {t}", name.as_str()))
                        }
                        // A call: its text too, for what stays unresolved.
                        StrExpr::Call(mut c) if !c.text.is_empty() => {
                            c.text = format!("{} = {}", name.as_str(), c.text);
                            StrExpr::Call(c)
                        }
                        other => other,
                    };
                }
                if is_const_name(&name) {
                    return StrExpr::Const(vec![name.to_string()]);
                }
                return StrExpr::Unknown(if need {
                    name.to_string()
                } else {
                    String::new()
                });
            }
            let segs = path_segments(&p.path);
            if segs.last().is_some_and(|l| is_const_name(l)) {
                // `Self::TOPIC` in an `impl`, `E::TOPIC` for a parameter's
                // generic type.
                if segs.len() == 2
                    && scope.sig.is_some()
                    && let Some(v) = super::returns::assoc_const(&segs, scope)
                {
                    return v;
                }
                let segs: Vec<String> = segs
                    .into_iter()
                    .filter(|s| s != "crate" && s != "self" && s != "super" && s != "Self")
                    .collect();
                return StrExpr::Const(segs);
            }
            unknown(e, need)
        }
        Expr::Field(f) => match &f.member {
            syn::Member::Named(id) => StrExpr::Field(id.to_string()),
            syn::Member::Unnamed(_) => unknown(e, need),
        },
        Expr::Macro(m) => macro_str(&m.mac, scope, d, need),
        Expr::Call(c) => {
            let Expr::Path(fp) = &*c.func else {
                return unknown(e, need);
            };
            let segs = path_segments(&fp.path);
            if is_env_fn(&segs) {
                if let Some(var) = c.args.first().and_then(str_lit) {
                    return StrExpr::Env { var, default: None };
                }
                if let Some(StrExpr::Const(p)) =
                    c.args.first().map(|a| str_expr_in(a, scope, d, false))
                {
                    return StrExpr::Env {
                        var: p.join("::"),
                        default: None,
                    };
                }
            }
            let last = segs.last().map(String::as_str).unwrap_or("");
            // A project's env helper: `env_or("CONTENT_TOPIC", "content-events".to_owned())`,
            // `env_var_or_default(..)`: a variable named in upper case, then
            // the default.
            if last.to_ascii_lowercase().contains("env")
                && (1..=2).contains(&c.args.len())
                && let Some(var) = c.args.first().and_then(str_lit)
                && !var.is_empty()
                && var
                    .bytes()
                    .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
            {
                let default = c
                    .args
                    .iter()
                    .nth(1)
                    .map(|a| str_expr_in(a, scope, d, need))
                    .filter(|v| !matches!(v, StrExpr::Unknown(_)))
                    .map(Box::new);
                return StrExpr::Env { var, default };
            }
            let owner = if segs.len() >= 2 {
                segs[segs.len() - 2].as_str()
            } else {
                ""
            };
            let passthrough = matches!(
                (owner, last),
                ("String", "from")
                    | (_, "Some")
                    | (_, "Ok")
                    | ("Cow", "from")
                    | ("Lazy" | "LazyLock" | "OnceCell" | "OnceLock", "new")
                    | (_, "to_string")
                    | (_, "to_owned")
                    | (_, "into")
            );
            if passthrough && c.args.len() == 1 {
                return str_expr_in(&c.args[0], scope, d, need);
            }
            // `Url::parse(s)`, `Endpoint::from_shared(s)`: the string's value.
            if c.args.len() == 1 && super::urls::is_address_ctor(owner, last) {
                return super::urls::address_ctor_value(e, &c.args[0], scope, d, need);
            }
            // What a function returns (only inside a function: a const's
            // value is read without one).
            if scope.sig.is_some()
                && let Some(v) = super::returns::call_value(c, &segs, scope, d, need)
            {
                return v;
            }
            unknown(e, need)
        }
        Expr::MethodCall(m) => {
            let method = Name::of(&m.method);
            // A URL joined to a path (`base.join(path)?`).
            if method.as_str() == "join"
                && m.args.len() == 1
                && let Some(v) = super::urls::url_join(m, scope, d)
            {
                return v;
            }
            match method.as_str() {
                name if passes_value(name) => str_expr_in(&m.receiver, scope, d, need),
                name if takes_default(name) => {
                    let base = str_expr_in(&m.receiver, scope, d, need);
                    let default = m.args.first().map(|a| str_expr(a, scope, d));
                    match (base, default) {
                        (StrExpr::Env { var, default: None }, Some(def)) => StrExpr::Env {
                            var,
                            default: Some(Box::new(def)),
                        },
                        (StrExpr::Unknown(_) | StrExpr::Call(_), Some(def))
                            if !matches!(def, StrExpr::Unknown(_)) =>
                        {
                            def
                        }
                        (b, _) => b,
                    }
                }
                _ if scope.sig.is_some() => super::returns::method_value(m, scope, d, need)
                    .unwrap_or_else(|| unknown(e, need)),
                _ => unknown(e, need),
            }
        }
        _ => unknown(e, need),
    }
}

/// Methods whose value is their receiver's, for a string
/// (`x.to_string()`, `x.clone()`, `x.unwrap()`..).
pub(super) fn passes_value(method: &str) -> bool {
    matches!(
        method,
        "to_string"
            | "to_owned"
            | "into"
            | "clone"
            | "as_str"
            | "as_ref"
            | "unwrap"
            | "expect"
            | "ok"
            | "trim"
            | "iter"
            | "into_iter"
            | "collect"
            | "cloned"
            | "copied"
            | "to_vec"
            | "borrow"
            | "as_slice"
            | "unwrap_or_default"
            | "context"
            | "with_context"
            | "map_err"
            | "map"
            | "deref"
            | "parse"
            | "ok_or"
            | "ok_or_else"
    )
}

/// Methods whose value is their receiver's or, failing it, their argument
/// (`env::var(..).unwrap_or("x")`).
pub(super) fn takes_default(method: &str) -> bool {
    matches!(method, "unwrap_or" | "unwrap_or_else" | "or" | "or_else")
}

pub(super) fn macro_str(mac: &syn::Macro, scope: &Scope<'_>, d: u32, need: bool) -> StrExpr {
    // Only these macros resolve; any other is `Unknown` whether or not its
    // body parses, so it is not parsed.
    let name = match mac.path.segments.last() {
        Some(s) => ["format", "concat", "vec", "env", "option_env"]
            .into_iter()
            .find(|n| s.ident == n)
            .unwrap_or(""),
        None => "",
    };
    if name.is_empty() {
        return unknown(mac, need);
    }
    // Parsed once per file by the walker; parsed here only outside a walk.
    let args = match scope.macros {
        Some(m) => m.args(mac),
        None => parse_args(mac).map(Args::Own),
    };
    let Some(args) = args else {
        return unknown(mac, need);
    };
    match name {
        "format" => {
            let Some(tpl) = args.first().and_then(str_lit) else {
                return unknown(mac, need);
            };
            let (template, holes) = parse_template(&tpl);
            // A caller that drops `Unknown` keeps a format only as a
            // possible topic: with other text than topic characters around
            // its holes (a message, SQL), its arguments need no look.
            if !need && !could_be_topic_template(&template) {
                return StrExpr::Unknown(String::new());
            }
            let positional: Vec<&Expr> = args.iter().skip(1).collect();
            let mut next = 0usize;
            let mut out = Vec::new();
            for h in holes {
                let expr = match h {
                    None => {
                        let x = positional.get(next).map(|x| str_expr(x, scope, d));
                        next += 1;
                        x
                    }
                    Some(n) if n.starts_with('#') => n[1..]
                        .parse::<usize>()
                        .ok()
                        .and_then(|i| positional.get(i))
                        .map(|x| str_expr(x, scope, d)),
                    Some(n) => {
                        // Named argument `name = expr`, else a captured local.
                        let named = positional.iter().find_map(|x| match x {
                            Expr::Assign(a) if text(&a.left) == n => Some(&*a.right),
                            _ => None,
                        });
                        Some(match named {
                            Some(x) => str_expr(x, scope, d),
                            None => match scope.locals.get(&n) {
                                Some(init) => str_expr(init, scope, d),
                                None if is_const_name(&n) => StrExpr::Const(vec![n]),
                                None => StrExpr::Unknown(n),
                            },
                        })
                    }
                };
                out.push(expr.unwrap_or_else(|| StrExpr::Unknown(String::new())));
            }
            if out.is_empty() {
                StrExpr::Lit(template)
            } else {
                StrExpr::Format {
                    template,
                    args: out,
                }
            }
        }
        "concat" => {
            let parts: Vec<StrExpr> = args
                .iter()
                .map(|a| str_expr_in(a, scope, d, false))
                .collect();
            if parts.iter().all(|p| matches!(p, StrExpr::Lit(_))) {
                StrExpr::Lit(
                    parts
                        .iter()
                        .filter_map(|p| match p {
                            StrExpr::Lit(s) => Some(s.as_str()),
                            _ => None,
                        })
                        .collect(),
                )
            } else {
                unknown(mac, need)
            }
        }
        "vec" => StrExpr::List(args.iter().map(|a| str_expr(a, scope, d)).collect()),
        "env" | "option_env" => match args.first().and_then(str_lit) {
            Some(var) => StrExpr::Env { var, default: None },
            None => unknown(mac, need),
        },
        _ => unknown(mac, need),
    }
}

/// Whether a parameter's type holds strings: `&str`, `String`, `&String`,
/// `Cow<str>`, `Arc<str>`, `impl Into<String>` / `AsRef<str>`, and
/// collections of them (`Vec<String>`, `&[&str]`, `Option<String>`,
/// `impl IntoIterator<Item = impl Into<String>>`).
pub(super) fn stringish(ty: &Type) -> bool {
    // A generic argument that is a string type (`T` of `Vec<T>`, the
    // `Item = T` of `IntoIterator`).
    fn string_arg(args: &syn::PathArguments) -> bool {
        matches!(args, syn::PathArguments::AngleBracketed(a)
        if a.args.iter().any(|g| match g {
            syn::GenericArgument::Type(t) => stringish(t),
            syn::GenericArgument::AssocType(t) => stringish(&t.ty),
            _ => false,
        }))
    }
    match ty {
        Type::Reference(r) => stringish(&r.elem),
        Type::Paren(p) => stringish(&p.elem),
        Type::Slice(s) => stringish(&s.elem),
        Type::Array(a) => stringish(&a.elem),
        Type::Path(p) => p.path.segments.last().is_some_and(|s| {
            s.ident == "str"
                || s.ident == "String"
                || (matches!(
                    Name::of(&s.ident).as_str(),
                    "Cow" | "Arc" | "Rc" | "Box" | "Vec" | "Option" | "VecDeque" | "BTreeSet"
                ) && string_arg(&s.arguments))
        }),
        Type::ImplTrait(i) => i.bounds.iter().any(|b| match b {
            syn::TypeParamBound::Trait(t) => {
                t.path
                    .segments
                    .last()
                    .is_some_and(|s| match Name::of(&s.ident).as_str() {
                        "Into" | "AsRef" | "ToString" => {
                            matches!(s.arguments, syn::PathArguments::None)
                                || string_arg(&s.arguments)
                        }
                        "IntoIterator" | "Iterator" => string_arg(&s.arguments),
                        _ => false,
                    })
            }
            _ => false,
        }),
        _ => false,
    }
}

/// Whether an SQL argument can be an `INSERT` into a topic column (a
/// literal naming both, or any other expression): only those bind a topic.
pub(super) fn maybe_insert(sql: &Expr) -> bool {
    let has = |text: &[u8], word: &[u8]| {
        text.windows(word.len())
            .any(|w| w.eq_ignore_ascii_case(word))
    };
    match str_lit(sql) {
        Some(text) => {
            let t = text.as_bytes();
            has(t, b"insert") && (has(t, b"topic") || has(t, b"destination"))
        }
        None => true,
    }
}

/// A field of a constant (`SHOP.orders`, `&topics::ALL.payments`): a
/// static value worth keeping as a call argument.
pub(super) fn const_field(e: &Expr) -> bool {
    let mut e = e;
    while let Expr::Reference(r) = e {
        e = &r.expr;
    }
    let Expr::Field(f) = e else { return false };
    matches!(&*f.base, Expr::Path(p) if p.path.segments.last().is_some_and(|s| is_const_name(&Name::of(&s.ident))))
}

/// The `self` field an `if` condition tests: `let Some(x) = &self.relay`,
/// `self.audit`, `self.relay.is_some()`, `self.config.relay.as_ref()`.
pub(super) fn guard_field(cond: &Expr) -> Option<String> {
    let cond = match cond {
        Expr::Let(l) => &*l.expr,
        other => other,
    };
    let e = peel(
        cond,
        &["as_ref", "as_mut", "as_deref", "clone", "is_some", "take"],
    );
    let Expr::Field(f) = e else { return None };
    let syn::Member::Named(id) = &f.member else {
        return None;
    };
    let mut base = &*f.base;
    while let Expr::Field(inner) = base {
        base = &inner.base;
    }
    matches!(base, Expr::Path(p) if p.path.is_ident("self")).then(|| id.to_string())
}

/// Find a topic inside an outbox call argument: a literal, a const, a
/// struct-literal `topic:` field, or the same inside a constructor call.
/// A value that is an address, never a topic: a URL or DSN literal
/// (`postgres://..`), or an environment variable named for one
/// (`DATABASE_URL`, `KAFKA_BROKERS`): what a connection handed to an outbox
/// call was built from.
fn is_address(s: &StrExpr) -> bool {
    match s {
        StrExpr::Lit(t) => t.contains("://"),
        StrExpr::Env { var, .. } => {
            let v = var.to_ascii_uppercase();
            [
                "URL",
                "URI",
                "DSN",
                "HOST",
                "ADDR",
                "ADDRESS",
                "ENDPOINT",
                "PORT",
                "BROKERS",
                "BOOTSTRAP",
                "SERVERS",
                "PATH",
                "DIR",
            ]
            .iter()
            .any(|suffix| v.ends_with(suffix))
        }
        _ => false,
    }
}

/// A method whose string argument is an error's message, not a value:
/// `expect`, anyhow's `context`, eyre's `wrap_err`.
fn is_error_message_method(method: &syn::Ident) -> bool {
    matches!(
        Name::of(method).as_str(),
        "expect" | "expect_err" | "context" | "with_context" | "wrap_err" | "wrap_err_with"
    )
}

pub(super) fn find_topic(e: &Expr, scope: &Scope<'_>, depth: u32) -> Option<StrExpr> {
    if depth > 4 {
        return None;
    }
    let d = depth + 1;
    match e {
        // A `&mut` argument is a connection, a transaction or a buffer the
        // call writes to, never the topic (`enqueue(&mut conn, TOPIC, ..)`).
        Expr::Reference(r) if r.mutability.is_some() => None,
        Expr::Reference(r) => find_topic(&r.expr, scope, d),
        Expr::Paren(p) => find_topic(&p.expr, scope, d),
        Expr::Lit(_) | Expr::Macro(_) => {
            let s = str_expr(e, scope, d);
            (!matches!(s, StrExpr::Unknown(_)) && !is_address(&s)).then_some(s)
        }
        // An environment variable's name is not its value: the read is
        // (`env::var("ORDERS_TOPIC")`), unless it holds an address.
        Expr::Call(c) if matches!(&*c.func, Expr::Path(p) if is_env_fn(&path_segments(&p.path))) => {
            let s = str_expr(e, scope, d);
            (matches!(s, StrExpr::Env { .. }) && !is_address(&s)).then_some(s)
        }
        Expr::Path(p) => {
            let segs = path_segments(&p.path);
            if segs.len() == 1
                && let Some(init) = scope.locals.get(&segs[0])
            {
                return find_topic(init, scope, d);
            }
            if segs.len() == 1 && segs[0].to_ascii_lowercase().contains("topic") {
                return Some(str_expr(e, scope, d));
            }
            let last = segs.last()?;
            let l = last.to_ascii_lowercase();
            if is_const_name(last) && (l.contains("topic") || l.contains("event")) {
                return Some(str_expr(e, scope, d));
            }
            None
        }
        Expr::Field(f) => match &f.member {
            syn::Member::Named(id) if Name::of(id).contains("topic") => Some(str_expr(e, scope, d)),
            _ => None,
        },
        Expr::Struct(s) => s.fields.iter().find_map(|f| match &f.member {
            syn::Member::Named(id) if Name::of(id).contains("topic") => {
                Some(str_expr(&f.expr, scope, d))
            }
            _ => None,
        }),
        Expr::Call(c) => c.args.iter().find_map(|a| find_topic(a, scope, d)),
        // An error's message is not the value (`connect(..).expect("database")`).
        Expr::MethodCall(m) if is_error_message_method(&m.method) => {
            find_topic(&m.receiver, scope, d)
        }
        // `env::var("T").unwrap_or_else(|_| "orders".into())`: the read, with
        // its default.
        Expr::MethodCall(_) if let s @ StrExpr::Env { .. } = str_expr(e, scope, d) => {
            (!is_address(&s)).then_some(s)
        }
        Expr::MethodCall(m) => m
            .args
            .iter()
            .find_map(|a| find_topic(a, scope, d))
            .or_else(|| find_topic(&m.receiver, scope, d)),
        Expr::Await(a) => find_topic(&a.base, scope, d),
        Expr::Try(t) => find_topic(&t.expr, scope, d),
        _ => None,
    }
}
