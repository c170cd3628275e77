//! Shapes the graph walk recognises by name and syntax: paths, generated
//! code, gRPC client and server types, HTTP and outbox names, and the words
//! of a method chain's receiver.

use super::StrExpr;
use crate::FastMap as HashMap;
use crate::name::Name;
use crate::span;
use nova_model::InfraKind;
use quote::ToTokens;
use std::collections::{BTreeMap, BTreeSet};
use syn::{Expr, Item, Type};

// ---------------------------------------------------------------- helpers

pub(super) fn ident_line(i: &syn::Ident) -> u32 {
    span::line(i.span())
}

pub(super) fn text<T: ToTokens>(t: &T) -> String {
    tidy(t.to_token_stream().to_string())
}

/// The spacing rules of [`text`], applied to rendered tokens: `self .
/// content . get_post` -> `self.content.get_post`. Same result as the
/// chain `.replace(" . ", ".").replace(" :: ", "::").replace("& ",
/// "&").replace(" (", "(").replace("( ", "(").replace(" )", ")")`, but a
/// text without spaces (a lone ident or literal) is returned as is and a
/// rule whose pattern is absent costs no copy.
pub(super) fn tidy(s: String) -> String {
    const RULES: [(&str, &str); 6] = [
        (" . ", "."),
        (" :: ", "::"),
        ("& ", "&"),
        (" (", "("),
        ("( ", "("),
        (" )", ")"),
    ];
    crate::tidy::replace_all(s, &RULES)
}

/// [`words_of`] the [`text`] of `t`, without building the tidied text when
/// it cannot change the answer: the lower-case words are letters only, and
/// the tidy rules only drop spaces next to punctuation, so they are found
/// the same in the raw rendering; only `Client::`/`Client {` needs the
/// tidied text, and only when `Client` occurs at all.
pub(super) fn words_of_tokens<T: ToTokens>(t: &T) -> Words {
    let raw = t.to_token_stream().to_string();
    let mut w = lower_words(&raw);
    if raw.contains("Client") {
        let t = tidy(raw);
        if t.contains("Client::") || t.contains("Client {") {
            w |= CLIENT_PATH;
        }
    }
    w
}

/// [`words_of_tokens`] of an expression, without rendering a plain path
/// (`pool`, `self`, `config::CLIENT`) or a reference to one: the words of
/// its names, and `Client::` when a name before the last ends in `Client`.
pub(super) fn expr_words(e: &Expr) -> Words {
    match e {
        Expr::Path(p)
            if p.attrs.is_empty()
                && p.qself.is_none()
                && p.path.segments.iter().all(|s| s.arguments.is_none()) =>
        {
            let n = p.path.segments.len();
            let mut w: Words = 0;
            for (i, s) in p.path.segments.iter().enumerate() {
                let id = Name::of(&s.ident);
                w |= lower_words(&id);
                if i + 1 < n && id.ends_with("Client") {
                    w |= CLIENT_PATH;
                }
            }
            w
        }
        // The tokens around the parts (`&`, `mut`, `.`, `(`, `,`) have no
        // words and cannot make `Client::` or `Client {`.
        Expr::Reference(r) if r.attrs.is_empty() => expr_words(&r.expr),
        Expr::Field(f) if f.attrs.is_empty() => {
            expr_words(&f.base)
                | match &f.member {
                    syn::Member::Named(id) => words_of(&Name::of(id)),
                    syn::Member::Unnamed(_) => 0,
                }
        }
        Expr::Call(c) if c.attrs.is_empty() => c
            .args
            .iter()
            .fold(expr_words(&c.func), |w, a| w | expr_words(a)),
        Expr::MethodCall(m) if m.attrs.is_empty() && m.turbofish.is_none() => m.args.iter().fold(
            expr_words(&m.receiver) | words_of(&Name::of(&m.method)),
            |w, a| w | expr_words(a),
        ),
        _ => words_of_tokens(e),
    }
}

pub(super) fn path_segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

pub(super) fn is_const_name(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

pub(super) fn has_test_attr(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        // (Names compared in place: most attributes are not about tests.)
        let p = &a.path().segments;
        if p.last().is_some_and(|l| l.ident == "test") {
            return true;
        }
        if p.len() == 1 && p[0].ident == "cfg" {
            let t = a.meta.to_token_stream().to_string();
            return t.contains("test") && !t.contains("not");
        }
        false
    })
}

/// A file whose top level says it is tonic-generated code.
pub(super) fn file_is_generated(items: &[Item]) -> bool {
    items.iter().any(|i| match i {
        Item::Use(u) => use_is_codegen(&u.tree),
        _ => false,
    })
}

/// `use tonic::codegen::*;`, which tonic-build writes into every client and
/// server module it generates. Hand-written code importing one item from
/// there (`use tonic::codegen::tokio_stream;`) is not generated.
pub(super) fn use_is_codegen(t: &syn::UseTree) -> bool {
    use syn::UseTree;
    let UseTree::Path(p) = t else {
        return false;
    };
    let UseTree::Path(q) = &*p.tree else {
        return false;
    };
    p.ident == "tonic" && q.ident == "codegen" && matches!(&*q.tree, UseTree::Glob(_))
}

/// An inline module that is tonic-generated (`pub mod foo_client { use
/// tonic::codegen::*; .. }`).
pub(super) fn mod_is_generated(m: &syn::ItemMod) -> bool {
    let Some((_, items)) = &m.content else {
        return false;
    };
    file_is_generated(items)
        || items.iter().any(|i| match i {
            Item::Impl(imp) => impl_is_generated(imp),
            _ => false,
        })
}

/// `impl<T> FooClient<T> where T: tonic::client::GrpcService<..>`.
pub(super) fn impl_is_generated(imp: &syn::ItemImpl) -> bool {
    // (Most impls have no generics: nothing to render.)
    if imp.generics.params.is_empty() && imp.generics.where_clause.is_none() {
        return false;
    }
    let g = text(&imp.generics);
    let w = imp
        .generics
        .where_clause
        .as_ref()
        .map(text)
        .unwrap_or_default();
    g.contains("GrpcService") || w.contains("GrpcService") || w.contains("tonic::codegen")
}

/// Name of a gRPC client type, without the `Client` suffix, if `segs`
/// names one: `content_service_client::ContentServiceClient`,
/// `ContentServiceClient`, or a name imported from a `*_client` module.
pub(super) fn client_service(segs: &[String], imported: &BTreeSet<String>) -> Option<String> {
    let last = segs.last()?;
    let stem = last.strip_suffix("Client")?;
    if stem.is_empty() {
        return None;
    }
    // `pb::foo_client::FooClient` (a tonic module). A wrapper crate named
    // `foo-client` looks the same; `nova-link` drops clients of services no
    // `.proto` declares when protos are known.
    let from_module = segs.len() >= 2 && segs[segs.len() - 2].ends_with("_client");
    if from_module || imported.contains(last) || last.ends_with("ServiceClient") {
        Some(stem.to_string())
    } else {
        None
    }
}

/// Same for server types (`ContentServiceServer`).
pub(super) fn server_service(segs: &[String], imported: &BTreeSet<String>) -> Option<String> {
    let last = segs.last()?;
    let stem = last.strip_suffix("Server")?;
    if stem.is_empty() {
        return None;
    }
    let from_module = segs.len() >= 2 && segs[segs.len() - 2].ends_with("_server");
    if from_module || imported.contains(last) || last.ends_with("ServiceServer") {
        Some(stem.to_string())
    } else {
        None
    }
}

/// The client service named by a type, looking through references, `Option`,
/// `Arc`, `Mutex` and the like.
pub(super) fn type_client(
    ty: &Type,
    imported: &BTreeSet<String>,
    aliases: &BTreeMap<String, String>,
) -> Option<String> {
    match ty {
        Type::Reference(r) => type_client(&r.elem, imported, aliases),
        Type::Paren(p) => type_client(&p.elem, imported, aliases),
        Type::Group(g) => type_client(&g.elem, imported, aliases),
        Type::Path(tp) => {
            let seg = tp.path.segments.last()?;
            let last = Name::of(&seg.ident);
            // (The whole path only for a `…Client` type: most types are not.)
            if last.ends_with("Client")
                && let Some(s) = client_service(&path_segments(&tp.path), imported)
            {
                return Some(s);
            }
            if let Some(s) = aliases.get(last.as_str()) {
                return Some(s.clone());
            }
            // Wrappers: Option<T>, Arc<T>, Mutex<T>, RwLock<T>, Box<T>.
            if let syn::PathArguments::AngleBracketed(args) = &seg.arguments {
                for a in &args.args {
                    if let syn::GenericArgument::Type(t) = a
                        && let Some(s) = type_client(t, imported, aliases)
                    {
                        return Some(s);
                    }
                }
            }
            None
        }
        _ => None,
    }
}

/// `e` without references, parentheses and argument-less calls of one of
/// `methods` (`&x.iter()`, `(self.relay.as_ref())`): the value they hand
/// on, for the caller's question about it.
pub(super) fn peel<'e>(mut e: &'e Expr, methods: &[&str]) -> &'e Expr {
    loop {
        match e {
            Expr::Reference(r) => e = &r.expr,
            Expr::Paren(p) => e = &p.expr,
            // (A method's name is rendered only when some are peeled.)
            Expr::MethodCall(m)
                if !methods.is_empty()
                    && m.args.is_empty()
                    && methods.contains(&Name::of(&m.method).as_str()) =>
            {
                e = &m.receiver
            }
            _ => return e,
        }
    }
}

/// Methods that hand out the value a handle holds, unchanged: a lock's
/// guard (`lock`, `read`, `write`), a borrow, a clone. A client or a bus
/// kept behind an `Arc<Mutex<..>>` is called through them.
pub(super) fn holds_same_value(method: &str) -> bool {
    matches!(
        method,
        "clone"
            | "lock"
            | "read"
            | "write"
            | "as_ref"
            | "as_mut"
            | "borrow"
            | "borrow_mut"
            | "deref"
    )
}

/// `unwrap`/`expect`, or a method handing out the value held.
fn unwraps_or_holds(method: &str) -> bool {
    matches!(method, "unwrap" | "expect") || holds_same_value(method)
}

pub(super) fn strip_wrappers(mut e: &Expr) -> &Expr {
    loop {
        match e {
            Expr::Reference(r) => e = &r.expr,
            Expr::Paren(p) => e = &p.expr,
            Expr::Group(g) => e = &g.expr,
            Expr::Await(a) => e = &a.base,
            Expr::Try(t) => e = &t.expr,
            Expr::MethodCall(m) if unwraps_or_holds(&Name::of(&m.method)) => e = &m.receiver,
            _ => return e,
        }
    }
}

/// Methods that never are RPCs.
pub(super) fn not_rpc(method: &str) -> bool {
    matches!(
        method,
        "clone"
            | "connect"
            | "send"
            | "poll_ready"
            | "ready"
            | "into_inner"
            | "get"
            | "post"
            | "put"
            | "delete"
            | "patch"
            | "head"
            | "request"
            | "await"
            | "unwrap"
            | "expect"
            | "map"
            | "map_err"
            | "and_then"
            | "lock"
            | "read"
            | "write"
            | "insert"
            | "remove"
            | "push"
            | "extend"
            | "entry"
            | "contains_key"
            | "get_mut"
            | "accept_compressed"
            | "send_compressed"
            | "max_decoding_message_size"
            | "max_encoding_message_size"
            | "json"
            | "header"
            | "bearer_auth"
            | "query"
            | "form"
            | "body"
            | "timeout"
            | "subscribe"
            | "set"
            | "eq"
            | "cmp"
            | "fmt"
    ) || method.starts_with("with_")
}

pub(super) fn infra_for_path(segs: &[String]) -> Option<InfraKind> {
    let first = segs.first()?.as_str();
    let last = segs.last().map(String::as_str).unwrap_or("");
    let by_crate = match first {
        "redis" | "deadpool_redis" | "bb8_redis" | "fred" => Some(InfraKind::Redis),
        "clickhouse" | "clickhouse_rs" | "klickhouse" => Some(InfraKind::ClickHouse),
        "aws_sdk_s3" | "rusoto_s3" | "s3" => Some(InfraKind::S3),
        "elasticsearch" | "opensearch" => Some(InfraKind::Elasticsearch),
        "neo4rs" => Some(InfraKind::Neo4j),
        "async_nats" | "nats" => Some(InfraKind::Nats),
        "lapin" | "amqprs" => Some(InfraKind::RabbitMq),
        "mongodb" => Some(InfraKind::MongoDb),
        "rdkafka" | "rskafka" | "kafka" => Some(InfraKind::Kafka),
        "tokio_postgres" | "deadpool_postgres" | "bb8_postgres" => Some(InfraKind::Postgres),
        "mysql_async" | "mysql" => Some(InfraKind::Mysql),
        _ => None,
    };
    if by_crate.is_some() {
        return by_crate;
    }
    let owner = if segs.len() >= 2 {
        segs[segs.len() - 2].as_str()
    } else {
        last
    };
    match owner {
        "PgPool" | "PgPoolOptions" | "PgConnection" | "PgConnectOptions" => {
            Some(InfraKind::Postgres)
        }
        "MySqlPool" | "MySqlPoolOptions" => Some(InfraKind::Mysql),
        "FutureProducer" | "StreamConsumer" | "BaseConsumer" | "BaseProducer" => {
            Some(InfraKind::Kafka)
        }
        _ => None,
    }
}

/// Normalise a `format!` template: every hole becomes `{}`; returns the
/// template and, per hole, either `Some(name)` for an inline/named argument
/// or `None` for the next positional one (or `Some("#n")` for `{n}`).
pub(super) fn parse_template(t: &str) -> (String, Vec<Option<String>>) {
    let mut out = String::new();
    let mut holes = Vec::new();
    let mut chars = t.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '{' {
            if chars.peek() == Some(&'{') {
                chars.next();
                out.push('{');
                continue;
            }
            let mut inner = String::new();
            for d in chars.by_ref() {
                if d == '}' {
                    break;
                }
                inner.push(d);
            }
            let name = inner.split(':').next().unwrap_or("").trim().to_string();
            out.push_str("{}");
            if name.is_empty() {
                holes.push(None);
            } else if name.chars().all(|c| c.is_ascii_digit()) {
                holes.push(Some(format!("#{name}")));
            } else {
                holes.push(Some(name));
            }
        } else if c == '}' {
            if chars.peek() == Some(&'}') {
                chars.next();
            }
            out.push('}');
        } else {
            out.push(c);
        }
    }
    (out, holes)
}

/// A character a Kafka topic name may hold (`[a-zA-Z0-9._-]`).
pub(super) fn topic_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')
}

/// Whether `s` is a legal Kafka topic name (1 to 249 of `[a-zA-Z0-9._-]`).
pub(super) fn could_be_topic(s: &str) -> bool {
    (1..=249).contains(&s.len()) && s.bytes().all(topic_byte)
}

/// Whether a normalised `format!` template (holes are `{}`) can render a
/// topic name: every character outside its holes is a topic character.
pub(super) fn could_be_topic_template(t: &str) -> bool {
    t.replace("{}", "").bytes().all(topic_byte)
}

/// A [`StrCall`] argument worth keeping: only a string that can name a
/// topic (SQL or log text passed to other calls would be held for nothing,
/// and could never match a topic).
pub(super) fn could_name_topic(s: &StrExpr) -> bool {
    match s {
        StrExpr::Lit(v) => could_be_topic(v),
        StrExpr::Const(_) | StrExpr::Env { .. } | StrExpr::Format { .. } => true,
        StrExpr::Field(f) => f.contains("topic"),
        StrExpr::Param(_) | StrExpr::Call(_) => true,
        StrExpr::List(items) => items.iter().any(|i| match i {
            StrExpr::Lit(v) => could_be_topic(v),
            StrExpr::Const(_) | StrExpr::Call(_) => true,
            StrExpr::Field(f) => f.contains("topic"),
            _ => false,
        }),
        StrExpr::Unknown(_) | StrExpr::Typed(_) | StrExpr::Declared(_) | StrExpr::SelfField(_) => {
            false
        }
    }
}

/// A string literal that can be an address, handed to a function whose
/// parameter may reach an HTTP request or a gRPC `connect`: a URL
/// (`http://inventory-svc:8080/items`), a path under a base URL
/// (`/prices`) or a `host:port`.
pub(super) fn could_name_address(s: &StrExpr) -> bool {
    let v = match s {
        StrExpr::Lit(v) => v,
        // `format!("{}/items", BASE)`, `format!("http://{}:8080", host)`.
        StrExpr::Format { template, .. } => {
            return template.contains("://")
                || template.starts_with('/')
                || template
                    .strip_prefix("{}")
                    .is_some_and(|r| r.starts_with(['/', ':']));
        }
        _ => return false,
    };
    if v.is_empty() || v.len() > 2048 || v.bytes().any(|b| b.is_ascii_whitespace()) {
        return false;
    }
    v.contains("://")
        || v.starts_with('/')
        || v.rsplit_once(':').is_some_and(|(host, port)| {
            !host.is_empty() && !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
        })
}

/// `format!(..)`, through `&`.
pub(super) fn is_format(e: &Expr) -> bool {
    matches!(peel(e, &[]), Expr::Macro(m)
        if m.mac.path.segments.last().is_some_and(|s| s.ident == "format"))
}

pub(super) fn is_env_fn(segs: &[String]) -> bool {
    match segs {
        [.., a, b] => {
            (a == "env" || a == "dotenv" || a == "dotenvy") && (b == "var" || b == "var_os")
        }
        [b] => b == "var",
        _ => false,
    }
}

pub(super) fn str_lit(e: &Expr) -> Option<String> {
    match e {
        Expr::Lit(l) => match &l.lit {
            syn::Lit::Str(s) => Some(crate::lit_value(s)),
            _ => None,
        },
        Expr::Group(g) => str_lit(&g.expr),
        Expr::Paren(p) => str_lit(&p.expr),
        Expr::Reference(r) => str_lit(&r.expr),
        _ => None,
    }
}

/// True for a string expression that can be a URL or address.
pub(super) fn looks_like_url(e: &StrExpr) -> bool {
    match e {
        StrExpr::Lit(s) => s.contains("://") || s.starts_with('/') || s.contains(':'),
        StrExpr::Format { template, args } => {
            template.contains("://")
                || template.starts_with("{}")
                || args.iter().any(looks_like_url)
        }
        StrExpr::Env { .. } => true,
        StrExpr::Field(f) => {
            let f = f.to_ascii_lowercase();
            ["url", "uri", "addr", "host", "endpoint", "base"]
                .iter()
                .any(|k| f.contains(k))
        }
        StrExpr::Const(p) => p.last().is_some_and(|l| {
            let l = l.to_ascii_lowercase();
            ["url", "uri", "addr", "host", "endpoint"]
                .iter()
                .any(|k| l.contains(k))
        }),
        StrExpr::List(v) => v.iter().any(looks_like_url),
        StrExpr::Param(_) | StrExpr::Typed(_) | StrExpr::Declared(_) | StrExpr::SelfField(_) => {
            false
        }
        StrExpr::Unknown(_) | StrExpr::Call(_) => {
            let t = match e {
                StrExpr::Call(c) => c.text.to_ascii_lowercase(),
                StrExpr::Unknown(t) => t.to_ascii_lowercase(),
                _ => String::new(),
            };
            ["url", "uri", "endpoint", "addr"]
                .iter()
                .any(|k| t.contains(k))
        }
    }
}

/// Lower-case words looked for in a receiver's source text.
pub(super) const RECV_WORDS: &[&str] = &[
    "pool", "client", "grpc", "consumer", "reqwest", "http", "awc", "ureq",
];

/// What the source text of an expression contains: bit `i` for
/// `RECV_WORDS[i]` (case-insensitive), plus [`CLIENT_PATH`].
pub(super) type Words = u16;

/// The text contains `Client::` or `Client {` (case-sensitive).
pub(super) const CLIENT_PATH: Words = 1 << 15;

/// The words of one piece of source text.
pub(super) fn words_of(t: &str) -> Words {
    let mut w = lower_words(t);
    if t.contains("Client::") || t.contains("Client {") {
        w |= CLIENT_PATH;
    }
    w
}

/// The [`RECV_WORDS`] bits of `t` (case-insensitive).
pub(super) fn lower_words(t: &str) -> Words {
    // One pass: at each byte, only the words that start with it are
    // compared (most bytes start none).
    /// The first letters of [`RECV_WORDS`].
    const FIRST: [bool; 256] = {
        let mut t = [false; 256];
        let mut i = 0;
        while i < RECV_WORDS.len() {
            t[RECV_WORDS[i].as_bytes()[0] as usize] = true;
            i += 1;
        }
        t
    };
    let b = t.as_bytes();
    let mut w: Words = 0;
    for (at, c) in b.iter().enumerate() {
        let c = c.to_ascii_lowercase();
        if !FIRST[usize::from(c)] {
            continue;
        }
        for (i, k) in RECV_WORDS.iter().enumerate() {
            let k = k.as_bytes();
            if k[0] == c
                && b.get(at..at + k.len())
                    .is_some_and(|s| s.eq_ignore_ascii_case(k))
            {
                w |= 1 << i;
            }
        }
    }
    w
}

/// True when `w` has the word `word` (one of [`RECV_WORDS`]).
pub(super) fn has_word(w: Words, word: &str) -> bool {
    RECV_WORDS
        .iter()
        .position(|k| *k == word)
        .is_some_and(|i| w & (1 << i) != 0)
}

/// Facts about a receiver expression, cached per node of a method chain.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct ChainInfo {
    /// Words of the whole expression's source text.
    pub(super) words: Words,
    /// Method calls in the chain (`a.b().c()` -> 2).
    pub(super) depth: u32,
}

/// [`ChainInfo`] per expression node of the walked file, by address (only
/// nodes borrowed for `'ast` are accepted, so an address is never reused
/// during the walk). Each node of a chain is looked at once, so that a
/// chain of `n` calls costs O(n) instead of rendering every receiver again
/// (O(n²)).
#[derive(Debug, Default)]
pub(super) struct ChainCache<'ast> {
    pub(super) info: std::cell::RefCell<HashMap<*const Expr, ChainInfo>>,
    pub(super) _ast: std::marker::PhantomData<&'ast Expr>,
}

impl<'ast> ChainCache<'ast> {
    /// The facts of `e`, computing those of its receivers first (without
    /// recursion: chains can be thousands of calls long).
    pub(super) fn get(&self, e: &'ast Expr) -> ChainInfo {
        let key = |e: &Expr| e as *const Expr;
        if let Some(i) = self.info.borrow().get(&key(e)) {
            return *i;
        }
        // Walk down to a node already known or that is not part of a chain.
        let mut pending: Vec<&'ast Expr> = Vec::new();
        let mut cur = e;
        let mut base = loop {
            if let Some(i) = self.info.borrow().get(&key(cur)) {
                break *i;
            }
            let next = match cur {
                Expr::MethodCall(m) => &*m.receiver,
                Expr::Await(a) => &*a.base,
                Expr::Try(t) => &*t.expr,
                Expr::Paren(p) => &*p.expr,
                Expr::Group(g) => &*g.expr,
                Expr::Reference(r) => &*r.expr,
                Expr::Field(f) => &*f.base,
                leaf => {
                    break ChainInfo {
                        words: expr_words(leaf),
                        depth: 0,
                    };
                }
            };
            pending.push(cur);
            cur = next;
        };
        let mut info = self.info.borrow_mut();
        info.insert(key(cur), base);
        // Back up the chain: each node adds the words of its own tokens.
        for node in pending.into_iter().rev() {
            base = match node {
                Expr::MethodCall(m) => {
                    let mut w = base.words | words_of(&Name::of(&m.method));
                    if let Some(t) = &m.turbofish {
                        w |= words_of_tokens(t);
                    }
                    for a in &m.args {
                        w |= expr_words(a);
                    }
                    ChainInfo {
                        words: w,
                        depth: base.depth + 1,
                    }
                }
                Expr::Field(f) => ChainInfo {
                    // (A name renders as itself; an index has no words.)
                    words: base.words
                        | match &f.member {
                            syn::Member::Named(id) => words_of(&Name::of(id)),
                            syn::Member::Unnamed(_) => 0,
                        },
                    depth: base.depth,
                },
                _ => base,
            };
            info.insert(key(node), base);
        }
        base
    }
}

/// Receivers rendered in full up to this many chained calls.
pub(super) const MAX_RECEIVER_CALLS: u32 = 16;

pub(super) const OUTBOX_METHODS: &[&str] = &[
    "enqueue",
    "enqueue_event",
    "publish",
    "publish_event",
    "insert",
    "insert_event",
    "add",
    "add_event",
    "push",
    "save",
    "store",
    "append",
    "write_event",
    "record",
];

pub(super) const HTTP_METHODS: &[&str] = &["get", "post", "put", "delete", "patch", "head"];

pub(super) const HTTP_CRATES: &[&str] =
    &["reqwest", "ureq", "surf", "isahc", "attohttpc", "minreq"];

/// `hay` contains `needle` (lower-case ASCII), ignoring ASCII case.
pub(super) fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.len() >= needle.len()
        && hay
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// A called name that records or checks processed event ids.
pub(super) fn dedupe_name(name: &str) -> bool {
    let has = |k: &str| contains_ci(name, k);
    // `Vec::dedup`, `dedup_by_key` are not about events.
    let vec_dedup = name.eq_ignore_ascii_case("dedup")
        || name
            .get(..8)
            .is_some_and(|p| p.eq_ignore_ascii_case("dedup_by"));
    (!vec_dedup && has("dedup"))
        || has("idempot")
        || (has("processed") && !has("count") && !has("len"))
        || has("inbox")
        || name.eq_ignore_ascii_case("is_duplicate")
        || name.eq_ignore_ascii_case("check_duplicate")
}

/// A function name that enqueues into an outbox
/// (`insert_outbox_event`, `enqueue_outbox`, `outbox_publish`), not one that
/// merely mentions it (`outbox_insert_topic`, `read_outbox`).
pub(super) fn outbox_fn_name(name: &str) -> bool {
    // (Almost no name mentions an outbox: test that before any copy.)
    if !contains_ci(name, "outbox") {
        return false;
    }
    let n = name.to_ascii_lowercase();
    const VERBS: &[&str] = &[
        "enqueue", "publish", "insert", "add", "write", "save", "push", "emit", "send", "store",
        "record", "append",
    ];
    VERBS.iter().any(|v| n.starts_with(v))
        || n.strip_prefix("outbox_").is_some_and(|rest| {
            VERBS
                .iter()
                .any(|v| rest == *v || rest.starts_with(&format!("{v}_event")))
        })
}

/// A receiver that is an outbox (`outbox`, `self.outbox`, `event_outbox`,
/// `self.outbox_repo`), not a collection named after one
/// (`outbox_pending`).
pub(super) fn outbox_receiver(recv: &Expr) -> bool {
    let name = match strip_wrappers(recv) {
        Expr::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
        Expr::Field(f) => match &f.member {
            syn::Member::Named(id) => Some(id.to_string()),
            syn::Member::Unnamed(_) => None,
        },
        _ => None,
    };
    let Some(n) = name.map(|n| n.to_ascii_lowercase()) else {
        return false;
    };
    // `event_outbox`, `tx_outbox` are outboxes; `produces_outbox`,
    // `pending_outbox` are collections named after one.
    const QUALIFIERS: &[&str] = &[
        "event",
        "events",
        "tx",
        "transactional",
        "domain",
        "message",
        "messages",
        "integration",
        "db",
        "pg",
        "shared",
        "app",
    ];
    n == "outbox"
        || n.strip_suffix("outbox").is_some_and(|q| {
            let q = q.trim_end_matches('_');
            QUALIFIERS.contains(&q)
        })
        || n.strip_prefix("outbox_").is_some_and(|r| {
            matches!(
                r,
                "repo"
                    | "repository"
                    | "store"
                    | "writer"
                    | "service"
                    | "client"
                    | "publisher"
                    | "table"
                    | "dao"
                    | "tx"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The one-pass [`lower_words`] finds what a search for each word in
    /// the lowered text finds.
    #[test]
    fn lower_words_is_a_case_insensitive_search_for_each_word() {
        for t in [
            "",
            "pool",
            "self.db_POOL.get()",
            "GrpcClient::connect(\"http://a\")",
            "ureq::get(u)",
            "consumer_awc_reqwest",
            "HtTp",
            "pooclient",
            "xx",
            "a very long receiver text that goes past thirty-two bytes: Consumer.pool",
        ] {
            let l = t.to_ascii_lowercase();
            let want = RECV_WORDS
                .iter()
                .enumerate()
                .filter(|(_, k)| l.contains(*k))
                .fold(0, |w, (i, _)| w | 1 << i);
            assert_eq!(lower_words(t), want, "{t}");
        }
    }
}
