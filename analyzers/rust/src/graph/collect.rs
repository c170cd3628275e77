//! The `syn::visit` walk that fills [`GraphFacts`].
//!
//! Two passes over the file: a cheap pre-pass finds the names that make a
//! value a gRPC client (imports from `*_client` modules, struct fields,
//! aliases, getters), then the main pass records sites with their enclosing
//! function and resolves string expressions through `let` bindings.

use super::{
    ClientShape, EnvRead, FieldInit, GraphFacts, GraphFn, GrpcClient, GrpcServer, HttpCall,
    InfraHint, RpcCall, ServerShape, StrCall, StrExpr, TopicApi, TopicConst, TopicParam, TopicRole,
    TopicSite, snake_to_pascal,
};
use crate::macros::{Args, MacroArgs, parse_args};
use crate::span;
use crate::{FastMap as HashMap, FastSet as HashSet};
use nova_model::InfraKind;
use quote::ToTokens;
use std::collections::{BTreeMap, BTreeSet};
use syn::visit::{self, Visit};
use syn::{Expr, Item, Type};

/// Walk `file` and collect graph facts into `out`.
pub fn collect(file: &syn::File, in_test_file: bool, out: &mut GraphFacts) {
    collect_with(file, &MacroArgs::of_file(file), in_test_file, out);
}

/// [`collect`], with the file's macro bodies already parsed.
pub(crate) fn collect_with(
    file: &syn::File,
    macros: &MacroArgs,
    in_test_file: bool,
    out: &mut GraphFacts,
) {
    if file_is_generated(&file.items) {
        out.generated = true;
        generated_services(&file.items, out);
        finish(out);
        return;
    }
    let mut pre = PrePass::default();
    pre.items(&file.items);
    let mut v = Walker {
        pre,
        macros,
        out,
        in_test_file,
        test_depth: 0,
        mods: Vec::new(),
        impl_type: Vec::new(),
        fns: Vec::new(),
        handled_env: HashSet::default(),
        seen_infra: HashSet::default(),
        empty: Scope {
            macros: Some(macros),
            ..Scope::default()
        },
        in_nova_handler: false,
        chains: ChainCache::default(),
    };
    v.visit_file(file);
    if v.pre.generated_parts {
        v.out.generated = true;
    }
    finish(v.out);
}

/// Sort and deduplicate the facts (also after appending pieces).
pub(crate) fn finish(out: &mut GraphFacts) {
    out.grpc_servers
        .sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.grpc_servers.dedup();
    out.grpc_clients
        .sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.grpc_clients.dedup();
    out.rpc_calls.sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.rpc_calls.dedup();
    out.http_calls.sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.http_calls.dedup();
    out.topics.sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.topics.dedup();
    out.topic_params
        .sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.topic_params.dedup();
    out.str_calls.sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.str_calls.dedup();
    out.consts.sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.consts.dedup();
    out.fields.sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.fields.dedup();
    out.env_reads.sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.env_reads.dedup();
    out.infra.sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.infra.dedup();
    out.functions.sort();
    out.generated_services.sort();
    out.generated_services.dedup();
}

/// The services a generated module's `FooClient`/`FooServer` structs (and
/// `impl<T> FooClient<T>` blocks) stand for.
fn generated_services(items: &[Item], out: &mut GraphFacts) {
    for item in items {
        match item {
            Item::Struct(s) => generated_service(&s.ident.to_string(), out),
            Item::Impl(imp) if impl_is_generated(imp) => generated_impl(imp, out),
            _ => {}
        }
    }
}

fn generated_impl(imp: &syn::ItemImpl, out: &mut GraphFacts) {
    if let Type::Path(tp) = &*imp.self_ty
        && let Some(seg) = tp.path.segments.last()
    {
        generated_service(&seg.ident.to_string(), out);
    }
}

fn generated_service(name: &str, out: &mut GraphFacts) {
    if let Some(stem) = name
        .strip_suffix("Client")
        .or_else(|| name.strip_suffix("Server"))
        && !stem.is_empty()
    {
        out.generated_services.push(stem.to_string());
    }
}

// ---------------------------------------------------------------- helpers

fn ident_line(i: &syn::Ident) -> u32 {
    span::line(i.span())
}

fn text<T: ToTokens>(t: &T) -> String {
    tidy(t.to_token_stream().to_string())
}

/// The spacing rules of [`text`], applied to rendered tokens: `self .
/// content . get_post` -> `self.content.get_post`. Same result as the
/// chain `.replace(" . ", ".").replace(" :: ", "::").replace("& ",
/// "&").replace(" (", "(").replace("( ", "(").replace(" )", ")")`, but a
/// text without spaces (a lone ident or literal) is returned as is and a
/// rule whose pattern is absent costs no copy.
fn tidy(s: String) -> String {
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
fn words_of_tokens<T: ToTokens>(t: &T) -> Words {
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
fn expr_words(e: &Expr) -> Words {
    match e {
        Expr::Path(p)
            if p.attrs.is_empty()
                && p.qself.is_none()
                && p.path.segments.iter().all(|s| s.arguments.is_none()) =>
        {
            let n = p.path.segments.len();
            let mut w: Words = 0;
            for (i, s) in p.path.segments.iter().enumerate() {
                let id = s.ident.to_string();
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
                    syn::Member::Named(id) => words_of(&id.to_string()),
                    syn::Member::Unnamed(_) => 0,
                }
        }
        Expr::Call(c) if c.attrs.is_empty() => c
            .args
            .iter()
            .fold(expr_words(&c.func), |w, a| w | expr_words(a)),
        Expr::MethodCall(m) if m.attrs.is_empty() && m.turbofish.is_none() => m.args.iter().fold(
            expr_words(&m.receiver) | words_of(&m.method.to_string()),
            |w, a| w | expr_words(a),
        ),
        _ => words_of_tokens(e),
    }
}

fn path_segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

fn is_const_name(s: &str) -> bool {
    s.chars().any(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

fn has_test_attr(attrs: &[syn::Attribute]) -> bool {
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
fn file_is_generated(items: &[Item]) -> bool {
    items.iter().any(|i| match i {
        Item::Use(u) => use_is_codegen(&u.tree),
        _ => false,
    })
}

/// `use tonic::codegen::*;`, which tonic-build writes into every client and
/// server module it generates. Hand-written code importing one item from
/// there (`use tonic::codegen::tokio_stream;`) is not generated.
fn use_is_codegen(t: &syn::UseTree) -> bool {
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
fn mod_is_generated(m: &syn::ItemMod) -> bool {
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
fn impl_is_generated(imp: &syn::ItemImpl) -> bool {
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
fn client_service(segs: &[String], imported: &BTreeSet<String>) -> Option<String> {
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
fn server_service(segs: &[String], imported: &BTreeSet<String>) -> Option<String> {
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
fn type_client(
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
            let last = seg.ident.to_string();
            // (The whole path only for a `…Client` type: most types are not.)
            if last.ends_with("Client")
                && let Some(s) = client_service(&path_segments(&tp.path), imported)
            {
                return Some(s);
            }
            if let Some(s) = aliases.get(&last) {
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

fn strip_wrappers(mut e: &Expr) -> &Expr {
    loop {
        match e {
            Expr::Reference(r) => e = &r.expr,
            Expr::Paren(p) => e = &p.expr,
            Expr::Group(g) => e = &g.expr,
            Expr::Await(a) => e = &a.base,
            Expr::Try(t) => e = &t.expr,
            Expr::MethodCall(m)
                if [
                    "clone",
                    "lock",
                    "read",
                    "write",
                    "as_ref",
                    "as_mut",
                    "borrow",
                    "borrow_mut",
                    "unwrap",
                    "expect",
                    "deref",
                ]
                .iter()
                .any(|n| m.method == n) =>
            {
                e = &m.receiver
            }
            _ => return e,
        }
    }
}

/// Methods that never are RPCs.
fn not_rpc(method: &str) -> bool {
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

fn infra_for_path(segs: &[String]) -> Option<InfraKind> {
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
fn parse_template(t: &str) -> (String, Vec<Option<String>>) {
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
fn topic_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-')
}

/// Whether `s` is a legal Kafka topic name (1 to 249 of `[a-zA-Z0-9._-]`).
fn could_be_topic(s: &str) -> bool {
    (1..=249).contains(&s.len()) && s.bytes().all(topic_byte)
}

/// Whether a normalised `format!` template (holes are `{}`) can render a
/// topic name: every character outside its holes is a topic character.
fn could_be_topic_template(t: &str) -> bool {
    t.replace("{}", "").bytes().all(topic_byte)
}

/// A [`StrCall`] argument worth keeping: only a string that can name a
/// topic (SQL or log text passed to other calls would be held for nothing,
/// and could never match a topic).
fn could_name_topic(s: &StrExpr) -> bool {
    match s {
        StrExpr::Lit(v) => could_be_topic(v),
        StrExpr::Const(_) | StrExpr::Env { .. } | StrExpr::Format { .. } => true,
        StrExpr::Field(f) => f.contains("topic"),
        StrExpr::List(items) => items.iter().any(|i| match i {
            StrExpr::Lit(v) => could_be_topic(v),
            StrExpr::Const(_) => true,
            _ => false,
        }),
        StrExpr::Unknown(_) => false,
    }
}

fn is_env_fn(segs: &[String]) -> bool {
    match segs {
        [.., a, b] => {
            (a == "env" || a == "dotenv" || a == "dotenvy") && (b == "var" || b == "var_os")
        }
        [b] => b == "var",
        _ => false,
    }
}

fn str_lit(e: &Expr) -> Option<String> {
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
fn looks_like_url(e: &StrExpr) -> bool {
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
        StrExpr::Unknown(t) => {
            let t = t.to_ascii_lowercase();
            ["url", "uri", "endpoint", "addr"]
                .iter()
                .any(|k| t.contains(k))
        }
    }
}

// ---------------------------------------------------------------- pre-pass

#[derive(Default)]
struct PrePass {
    /// Type names imported from `*_client` modules.
    client_imports: BTreeSet<String>,
    /// Type/trait names imported from `*_server` modules.
    server_imports: BTreeSet<String>,
    /// Type aliases naming a client: alias -> service.
    aliases: BTreeMap<String, String>,
    /// Struct fields typed as a client: field -> service.
    client_fields: BTreeMap<String, String>,
    /// Functions returning a client: fn name -> service.
    getters: BTreeMap<String, String>,
    /// `#[serde(default = "f")]` functions returning a literal.
    literal_fns: BTreeMap<String, String>,
    /// Whether anything in the file mentions tonic or a `*_client` module.
    grpc_hint: bool,
    /// Generated inline modules were skipped.
    generated_parts: bool,
    /// `Handler` is imported from `nova_consumer`.
    nova_handler: bool,
}

impl PrePass {
    fn use_tree(&mut self, tree: &syn::UseTree, prefix: &mut Vec<String>) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(&p.tree, prefix);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                self.imported(prefix, n.ident.to_string(), n.ident.to_string())
            }
            syn::UseTree::Rename(r) => {
                self.imported(prefix, r.ident.to_string(), r.rename.to_string())
            }
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(t, prefix);
                }
            }
            syn::UseTree::Glob(_) => {
                if prefix
                    .iter()
                    .any(|p| p == "tonic" || p.ends_with("_client"))
                {
                    self.grpc_hint = true;
                }
            }
        }
    }

    fn imported(&mut self, prefix: &[String], name: String, local: String) {
        if prefix.iter().any(|p| p == "tonic") {
            self.grpc_hint = true;
        }
        if prefix.first().is_some_and(|p| p == "nova_consumer") && name == "Handler" {
            self.nova_handler = true;
        }
        let tonic_module = prefix.last().is_some_and(|p| p.ends_with("_client"));
        if tonic_module {
            self.grpc_hint = true;
            if name.ends_with("Client") {
                self.client_imports.insert(local.clone());
                if local != name {
                    self.aliases
                        .insert(local, name.trim_end_matches("Client").to_string());
                }
            }
        } else if prefix.last().is_some_and(|p| p.ends_with("_server")) {
            self.server_imports.insert(local);
        } else if name.ends_with("ServiceClient") {
            self.grpc_hint = true;
        }
    }

    fn items(&mut self, items: &[Item]) {
        for item in items {
            match item {
                Item::Use(u) => self.use_tree(&u.tree, &mut Vec::new()),
                Item::Mod(m) => {
                    if mod_is_generated(m) {
                        self.generated_parts = true;
                        continue;
                    }
                    if let Some((_, items)) = &m.content {
                        self.items(items);
                    }
                }
                _ => {}
            }
        }
        for item in items {
            match item {
                Item::Type(t) => {
                    if let Some(s) = type_client(&t.ty, &self.client_imports, &self.aliases) {
                        self.grpc_hint = true;
                        self.aliases.insert(t.ident.to_string(), s);
                    }
                }
                Item::Struct(s) => {
                    for f in &s.fields {
                        if let (Some(id), Some(svc)) = (
                            &f.ident,
                            type_client(&f.ty, &self.client_imports, &self.aliases),
                        ) {
                            self.grpc_hint = true;
                            self.client_fields.insert(id.to_string(), svc);
                        }
                    }
                }
                Item::Fn(f) => self.sig(&f.sig, &f.block),
                Item::Impl(imp) if !impl_is_generated(imp) => {
                    for ii in &imp.items {
                        if let syn::ImplItem::Fn(f) = ii {
                            self.sig(&f.sig, &f.block);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn sig(&mut self, sig: &syn::Signature, block: &syn::Block) {
        if let syn::ReturnType::Type(_, ty) = &sig.output
            && let Some(s) = type_client(ty, &self.client_imports, &self.aliases)
        {
            self.grpc_hint = true;
            self.getters.insert(sig.ident.to_string(), s);
        }
        if sig.inputs.is_empty()
            && block.stmts.len() == 1
            && let syn::Stmt::Expr(e, None) = &block.stmts[0]
            && let StrExpr::Lit(l) = simple_str(e)
        {
            self.literal_fns.insert(sig.ident.to_string(), l);
        }
    }
}

/// A string expression without any local context (consts, default fns).
fn simple_str(e: &Expr) -> StrExpr {
    let empty = Scope::default();
    str_expr(e, &empty, 0)
}

// ---------------------------------------------------------------- scopes

/// Per-function context.
#[derive(Default)]
struct Scope<'ast> {
    path: String,
    name: String,
    line: u32,
    in_test: bool,
    /// `let` bindings: name -> init expression.
    locals: HashMap<String, &'ast Expr>,
    /// Parameter names -> index (not counting self).
    params: HashMap<String, usize>,
    /// Local variables/params that are gRPC clients -> service.
    client_vars: HashMap<String, String>,
    consumer_handler: bool,
    reads_messages: bool,
    dedupes: bool,
    /// The function itself is marked as a test (`#[test]`, `#[cfg(test)]`):
    /// leaving it ends that test context.
    test_attr: bool,
    /// The file's macro bodies parsed once, so that [`macro_str`] does not
    /// parse them again; `None` outside a walk.
    macros: Option<&'ast MacroArgs>,
}

/// Resolve an expression to a [`StrExpr`] through `scope`'s bindings.
fn str_expr(e: &Expr, scope: &Scope<'_>, depth: u32) -> StrExpr {
    str_expr_in(e, scope, depth, true)
}

/// The text of `t` for a [`StrExpr::Unknown`] when it is `need`ed, else an
/// empty string (the caller drops a top-level `Unknown`).
fn unknown<T: ToTokens>(t: &T, need: bool) -> StrExpr {
    StrExpr::Unknown(if need { text(t) } else { String::new() })
}

/// [`str_expr`]; with `need == false` the caller drops the result when it
/// is [`StrExpr::Unknown`], so its text is not built (everything that can
/// end up inside a kept result is still resolved in full).
fn str_expr_in(e: &Expr, scope: &Scope<'_>, depth: u32, need: bool) -> StrExpr {
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
                let name = p.path.segments[0].ident.to_string();
                if let Some(init) = scope.locals.get(&name) {
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
                            StrExpr::Unknown(format!("{name} = {t}"))
                        }
                        other => other,
                    };
                }
                if is_const_name(&name) {
                    return StrExpr::Const(vec![name]);
                }
                return StrExpr::Unknown(if need { name } else { String::new() });
            }
            let segs = path_segments(&p.path);
            if segs.last().is_some_and(|l| is_const_name(l)) {
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
            unknown(e, need)
        }
        Expr::MethodCall(m) => {
            let method = m.method.to_string();
            match method.as_str() {
                "to_string" | "to_owned" | "into" | "clone" | "as_str" | "as_ref" | "unwrap"
                | "expect" | "ok" | "trim" | "iter" | "into_iter" | "collect" | "cloned"
                | "copied" | "to_vec" | "borrow" | "as_slice" | "unwrap_or_default" | "context"
                | "with_context" | "map_err" | "map" | "deref" | "parse" | "ok_or"
                | "ok_or_else" => str_expr_in(&m.receiver, scope, d, need),
                "unwrap_or" | "unwrap_or_else" | "or" | "or_else" => {
                    let base = str_expr_in(&m.receiver, scope, d, need);
                    let default = m.args.first().map(|a| str_expr(a, scope, d));
                    match (base, default) {
                        (StrExpr::Env { var, default: None }, Some(def)) => StrExpr::Env {
                            var,
                            default: Some(Box::new(def)),
                        },
                        (StrExpr::Unknown(_), Some(def)) if !matches!(def, StrExpr::Unknown(_)) => {
                            def
                        }
                        (b, _) => b,
                    }
                }
                _ => unknown(e, need),
            }
        }
        _ => unknown(e, need),
    }
}

fn macro_str(mac: &syn::Macro, scope: &Scope<'_>, d: u32, need: bool) -> StrExpr {
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

/// Find a topic inside an outbox call argument: a literal, a const, a
/// struct-literal `topic:` field, or the same inside a constructor call.
fn find_topic(e: &Expr, scope: &Scope<'_>, depth: u32) -> Option<StrExpr> {
    if depth > 4 {
        return None;
    }
    let d = depth + 1;
    match e {
        Expr::Reference(r) => find_topic(&r.expr, scope, d),
        Expr::Paren(p) => find_topic(&p.expr, scope, d),
        Expr::Lit(_) | Expr::Macro(_) => {
            let s = str_expr(e, scope, d);
            (!matches!(s, StrExpr::Unknown(_))).then_some(s)
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
            syn::Member::Named(id) if id.to_string().contains("topic") => {
                Some(str_expr(e, scope, d))
            }
            _ => None,
        },
        Expr::Struct(s) => s.fields.iter().find_map(|f| match &f.member {
            syn::Member::Named(id) if id.to_string().contains("topic") => {
                Some(str_expr(&f.expr, scope, d))
            }
            _ => None,
        }),
        Expr::Call(c) => c.args.iter().find_map(|a| find_topic(a, scope, d)),
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

// ---------------------------------------------------------------- walker

/// What a method receiver says about a gRPC client.
#[derive(Default)]
struct RpcRecv {
    /// Proto service, when the receiver's type is known in the file.
    service: Option<String>,
    /// `x.getter().rpc(..)`: the getter name.
    getter: Option<String>,
    /// `self.field.rpc(..)` with a field not typed in this file.
    field: Option<String>,
    /// The receiver is named like a client.
    named: bool,
}

struct Walker<'ast, 'o> {
    pre: PrePass,
    out: &'o mut GraphFacts,
    in_test_file: bool,
    test_depth: u32,
    mods: Vec<String>,
    impl_type: Vec<String>,
    fns: Vec<Scope<'ast>>,
    /// `env::var` calls already recorded with their default (line, col).
    handled_env: HashSet<(usize, usize)>,
    seen_infra: HashSet<(InfraKind, String)>,
    empty: Scope<'ast>,
    /// Inside `impl nova_consumer::Handler for X`.
    in_nova_handler: bool,
    /// The file's macro bodies, parsed once.
    macros: &'ast MacroArgs,
    /// What the receivers of method chains say, computed once per node.
    chains: ChainCache<'ast>,
}

/// Lower-case words looked for in a receiver's source text.
const RECV_WORDS: &[&str] = &[
    "pool", "client", "grpc", "consumer", "reqwest", "http", "awc", "ureq",
];

/// What the source text of an expression contains: bit `i` for
/// `RECV_WORDS[i]` (case-insensitive), plus [`CLIENT_PATH`].
type Words = u16;

/// The text contains `Client::` or `Client {` (case-sensitive).
const CLIENT_PATH: Words = 1 << 15;

/// The words of one piece of source text.
fn words_of(t: &str) -> Words {
    let mut w = lower_words(t);
    if t.contains("Client::") || t.contains("Client {") {
        w |= CLIENT_PATH;
    }
    w
}

/// The [`RECV_WORDS`] bits of `t` (case-insensitive).
fn lower_words(t: &str) -> Words {
    let mut w: Words = 0;
    if t.len() <= 32 {
        // A name: no copy.
        for (i, k) in RECV_WORDS.iter().enumerate() {
            if contains_ci(t, k) {
                w |= 1 << i;
            }
        }
        return w;
    }
    let l = t.to_ascii_lowercase();
    for (i, k) in RECV_WORDS.iter().enumerate() {
        if l.contains(k) {
            w |= 1 << i;
        }
    }
    w
}

/// True when `w` has the word `word` (one of [`RECV_WORDS`]).
fn has_word(w: Words, word: &str) -> bool {
    RECV_WORDS
        .iter()
        .position(|k| *k == word)
        .is_some_and(|i| w & (1 << i) != 0)
}

/// Facts about a receiver expression, cached per node of a method chain.
#[derive(Debug, Clone, Copy, Default)]
struct ChainInfo {
    /// Words of the whole expression's source text.
    words: Words,
    /// Method calls in the chain (`a.b().c()` -> 2).
    depth: u32,
}

/// [`ChainInfo`] per expression node of the walked file, by address (only
/// nodes borrowed for `'ast` are accepted, so an address is never reused
/// during the walk). Each node of a chain is looked at once, so that a
/// chain of `n` calls costs O(n) instead of rendering every receiver again
/// (O(n²)).
#[derive(Debug, Default)]
struct ChainCache<'ast> {
    info: std::cell::RefCell<HashMap<*const Expr, ChainInfo>>,
    _ast: std::marker::PhantomData<&'ast Expr>,
}

impl<'ast> ChainCache<'ast> {
    /// The facts of `e`, computing those of its receivers first (without
    /// recursion: chains can be thousands of calls long).
    fn get(&self, e: &'ast Expr) -> ChainInfo {
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
                    let mut w = base.words | words_of(&m.method.to_string());
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
                            syn::Member::Named(id) => words_of(&id.to_string()),
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
const MAX_RECEIVER_CALLS: u32 = 16;

const OUTBOX_METHODS: &[&str] = &[
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

const HTTP_METHODS: &[&str] = &["get", "post", "put", "delete", "patch", "head"];

const HTTP_CRATES: &[&str] = &["reqwest", "ureq", "surf", "isahc", "attohttpc", "minreq"];

/// `hay` contains `needle` (lower-case ASCII), ignoring ASCII case.
fn contains_ci(hay: &str, needle: &str) -> bool {
    hay.len() >= needle.len()
        && hay
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle.as_bytes()))
}

/// A called name that records or checks processed event ids.
fn dedupe_name(name: &str) -> bool {
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
fn outbox_fn_name(name: &str) -> bool {
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
fn outbox_receiver(recv: &Expr) -> bool {
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

impl<'ast> Walker<'ast, '_> {
    /// Record a string-like `const`/`static` (module path, plus the `impl`
    /// type for consts) for topic resolution.
    fn record_const(&mut self, ident: &syn::Ident, expr: &syn::Expr, in_impl_scope: bool) {
        let value = simple_str(expr);
        if matches!(value, StrExpr::Unknown(_)) {
            return;
        }
        let mut module = self.mods.clone();
        if in_impl_scope {
            module.extend(self.impl_type.last().cloned());
        }
        self.out.consts.push(TopicConst {
            name: ident.to_string(),
            module,
            value,
            line: ident_line(ident),
        });
    }

    fn scope(&self) -> &Scope<'ast> {
        self.fns.last().unwrap_or(&self.empty)
    }

    fn in_test(&self) -> bool {
        self.in_test_file || self.test_depth > 0
    }

    fn function(&self) -> Option<String> {
        self.fns.last().map(|s| s.path.clone())
    }

    /// Inline modules, then the impl/trait type, then the name (the same
    /// convention as `sql::FnInfo::path`).
    fn fn_path(&self, name: &str) -> String {
        let mut p = self.mods.clone();
        p.extend(self.impl_type.last().cloned());
        p.push(name.to_string());
        p.join("::")
    }

    fn enter_fn(&mut self, sig: &syn::Signature, attrs: &[syn::Attribute]) {
        let name = sig.ident.to_string();
        let test = has_test_attr(attrs);
        if test {
            self.test_depth += 1;
        }
        let mut scope = Scope {
            path: self.fn_path(&name),
            name: name.clone(),
            line: ident_line(&sig.ident),
            in_test: self.in_test(),
            // Methods of a `nova_consumer::Handler` run inside the idempotent
            // consumer: handlers that deduplicate.
            consumer_handler: self.in_nova_handler,
            reads_messages: self.in_nova_handler,
            dedupes: self.in_nova_handler,
            macros: Some(self.macros),
            test_attr: test,
            ..Scope::default()
        };
        let mut idx = 0usize;
        for input in &sig.inputs {
            if let syn::FnArg::Typed(pt) = input {
                if let syn::Pat::Ident(pi) = &*pt.pat {
                    let pname = pi.ident.to_string();
                    scope.params.insert(pname.clone(), idx);
                    if let Some(svc) =
                        type_client(&pt.ty, &self.pre.client_imports, &self.pre.aliases)
                    {
                        scope.client_vars.insert(pname.clone(), svc.clone());
                        self.out.grpc_clients.push(GrpcClient {
                            service: svc,
                            shape: ClientShape::Param,
                            name: Some(pname),
                            owner: None,
                            target: None,
                            line: ident_line(&pi.ident),
                            function: Some(scope.path.clone()),
                            in_test: scope.in_test,
                        });
                    }
                }
                idx += 1;
            }
        }
        if let syn::ReturnType::Type(_, ty) = &sig.output
            && let Some(svc) = type_client(ty, &self.pre.client_imports, &self.pre.aliases)
        {
            self.out.grpc_clients.push(GrpcClient {
                service: svc,
                shape: ClientShape::ReturnType,
                name: Some(name),
                owner: self.impl_type.last().cloned(),
                target: None,
                line: ident_line(&sig.ident),
                function: Some(scope.path.clone()),
                in_test: scope.in_test,
            });
        }
        self.fns.push(scope);
    }

    fn exit_fn(&mut self) {
        if let Some(s) = self.fns.pop() {
            if s.test_attr {
                self.test_depth = self.test_depth.saturating_sub(1);
            }
            self.out.functions.push(GraphFn {
                path: s.path,
                name: s.name,
                line: s.line,
                in_test: s.in_test,
                consumer_handler: s.consumer_handler,
                reads_messages: s.reads_messages,
                dedupes: s.dedupes,
                info: None,
            });
        }
    }

    /// A call in the current function: it deduplicates when the name says
    /// so. (The calls themselves are kept once per function, by the SQL
    /// walk: [`crate::FileFacts::calls_of`].)
    fn note_call(&mut self, name: &str) {
        if let Some(s) = self.fns.last_mut()
            && !s.dedupes
            && dedupe_name(name)
        {
            s.dedupes = true;
        }
    }

    fn mark_consumer(&mut self) {
        if let Some(s) = self.fns.last_mut() {
            s.consumer_handler = true;
        }
    }

    fn infra(&mut self, kind: InfraKind, api: String, line: u32) {
        if self.seen_infra.insert((kind, api.clone())) {
            let function = self.function();
            let in_test = self.in_test();
            self.out.infra.push(InfraHint {
                kind,
                api,
                line,
                function,
                in_test,
            });
        }
    }

    fn topic_site(
        &mut self,
        role: TopicRole,
        api: TopicApi,
        topic: StrExpr,
        call: &str,
        line: u32,
    ) {
        // A parameter of the enclosing function: calls to it name the topic.
        let params: Vec<usize> = {
            let scope = self.scope();
            let mut v = Vec::new();
            let mut check = |e: &StrExpr| {
                if let StrExpr::Unknown(n) = e
                    && let Some(i) = scope.params.get(n)
                {
                    v.push(*i);
                }
            };
            match &topic {
                StrExpr::List(items) => items.iter().for_each(&mut check),
                other => check(other),
            }
            v
        };
        if let Some(scope) = self.fns.last()
            && !params.is_empty()
        {
            for index in params {
                self.out.topic_params.push(TopicParam {
                    name: scope.name.clone(),
                    path: scope.path.clone(),
                    index,
                    role,
                    api,
                    line,
                });
            }
            return;
        }
        let function = self.function();
        let in_test = self.in_test();
        self.out.topics.push(TopicSite {
            role,
            api,
            topic,
            call: call.to_string(),
            line,
            function,
            in_test,
        });
    }

    fn outbox_site(&mut self, args: &[&Expr], call: &str, line: u32) {
        let scope = self.scope();
        let topic = args
            .iter()
            .find_map(|a| find_topic(a, scope, 0))
            .unwrap_or_else(|| {
                StrExpr::Unknown(args.iter().map(|a| text(*a)).collect::<Vec<_>>().join(", "))
            });
        self.topic_site(TopicRole::Produce, TopicApi::Outbox, topic, call, line);
    }

    /// (`at`: where the call starts; its line is looked up only for a kept
    /// call.)
    fn str_call(&mut self, callee: &str, args: &[&Expr], at: proc_macro2::Span) {
        let scope = self.scope();
        // Built only once an argument is kept: most calls keep none.
        let mut exprs: Vec<StrExpr> = Vec::new();
        for (i, a) in args.iter().enumerate() {
            let s = str_expr_in(a, scope, 0, false);
            if could_name_topic(&s) {
                if exprs.is_empty() {
                    exprs.reserve_exact(args.len());
                    exprs.resize(i, StrExpr::Unknown(String::new()));
                }
                exprs.push(s);
            } else if !exprs.is_empty() {
                exprs.push(StrExpr::Unknown(String::new()));
            }
        }
        if !exprs.is_empty() {
            let function = self.function();
            let in_test = self.in_test();
            self.out.str_calls.push(StrCall {
                callee: callee.to_string(),
                args: exprs,
                line: span::line(at),
                function,
                in_test,
            });
        }
    }

    fn env_read(&mut self, call: &syn::ExprCall, default: Option<String>) {
        let start = span::call_first(call).start();
        if !self.handled_env.insert((start.line, start.column)) {
            return;
        }
        let var = match call.args.first().and_then(str_lit) {
            Some(v) => v,
            None => match call.args.first().map(|a| str_expr(a, self.scope(), 0)) {
                Some(StrExpr::Const(p)) => p.join("::"),
                _ => return,
            },
        };
        let function = self.function();
        let in_test = self.in_test();
        self.out.env_reads.push(EnvRead {
            var,
            default,
            line: start.line as u32,
            function,
            in_test,
        });
    }

    /// The gRPC client behind a receiver, if any: (service, getter, named).
    /// The gRPC client behind a receiver, if any.
    fn rpc_receiver(&self, recv: &'ast Expr) -> RpcRecv {
        let base = strip_wrappers(recv);
        match base {
            Expr::Path(p) if p.path.segments.len() == 1 => {
                let n = p.path.segments[0].ident.to_string();
                let svc = self.scope().client_vars.get(&n).cloned();
                let named = n.to_ascii_lowercase().contains("client");
                // `let mut identity = state.identity.clone();`
                let field = match self.scope().locals.get(&n).map(|e| strip_wrappers(e)) {
                    Some(Expr::Field(f)) if svc.is_none() => match &f.member {
                        syn::Member::Named(id) => Some(id.to_string()),
                        syn::Member::Unnamed(_) => None,
                    },
                    _ => None,
                };
                RpcRecv {
                    service: svc,
                    getter: None,
                    field,
                    named,
                }
            }
            Expr::Field(f) => match &f.member {
                syn::Member::Named(id) => {
                    let n = id.to_string();
                    let svc = self.pre.client_fields.get(&n).cloned();
                    RpcRecv {
                        field: svc.is_none().then(|| n.clone()),
                        service: svc,
                        getter: None,
                        named: n.to_ascii_lowercase().contains("client"),
                    }
                }
                syn::Member::Unnamed(_) => RpcRecv::default(),
            },
            Expr::MethodCall(inner) => {
                let g = inner.method.to_string();
                let svc = self.pre.getters.get(&g).cloned();
                let rt = self.chains.get(&inner.receiver).words;
                let named = ["pool", "client", "grpc"].iter().any(|k| has_word(rt, k));
                if svc.is_some() || named {
                    RpcRecv {
                        service: svc,
                        getter: Some(g),
                        field: None,
                        named,
                    }
                } else {
                    RpcRecv::default()
                }
            }
            Expr::Call(c) => {
                if let Expr::Path(fp) = &*c.func {
                    let n = path_segments(&fp.path).last().cloned().unwrap_or_default();
                    let svc = self.pre.getters.get(&n).cloned();
                    if svc.is_some() {
                        return RpcRecv {
                            service: svc,
                            getter: Some(n),
                            field: None,
                            named: true,
                        };
                    }
                }
                RpcRecv::default()
            }
            _ => RpcRecv::default(),
        }
    }

    fn is_http_receiver(&self, recv: &'ast Expr) -> bool {
        let w = self.chains.get(recv).words;
        if ["reqwest", "http", "awc", "ureq"]
            .iter()
            .any(|k| has_word(w, k))
        {
            return true;
        }
        if w & CLIENT_PATH != 0 {
            return true;
        }
        has_word(w, "client") && self.rpc_receiver(recv).service.is_none()
    }

    /// A receiver's source text for display; the calls of a very long chain
    /// before the last one are elided (`….last(x)`).
    fn receiver_text(&self, recv: &'ast Expr) -> String {
        match recv {
            Expr::MethodCall(m) if self.chains.get(recv).depth > MAX_RECEIVER_CALLS => {
                let args: Vec<String> = m.args.iter().map(text).collect();
                format!("….{}({})", m.method, args.join(", "))
            }
            _ => text(recv),
        }
    }
}

impl<'ast> Visit<'ast> for Walker<'ast, '_> {
    fn visit_item_mod(&mut self, m: &'ast syn::ItemMod) {
        if mod_is_generated(m) {
            self.pre.generated_parts = true;
            if let Some((_, items)) = &m.content {
                generated_services(items, self.out);
            }
            return;
        }
        let test = has_test_attr(&m.attrs);
        if test {
            self.test_depth += 1;
        }
        self.mods.push(m.ident.to_string());
        visit::visit_item_mod(self, m);
        self.mods.pop();
        if test {
            self.test_depth -= 1;
        }
    }

    fn visit_item_impl(&mut self, imp: &'ast syn::ItemImpl) {
        if impl_is_generated(imp) {
            self.pre.generated_parts = true;
            generated_impl(imp, self.out);
            return;
        }
        let self_ty = match &*imp.self_ty {
            Type::Path(tp) => tp
                .path
                .segments
                .last()
                .map(|s| s.ident.to_string())
                .unwrap_or_default(),
            other => text(other),
        };
        if let Some((_, trait_path, _)) = &imp.trait_ {
            let segs = path_segments(trait_path);
            let from_server_mod = segs.len() >= 2 && segs[segs.len() - 2].ends_with("_server");
            let imported = segs
                .last()
                .is_some_and(|l| segs.len() == 1 && self.pre.server_imports.contains(l));
            let tonic_attr = imp.attrs.iter().any(|a| {
                let p = path_segments(a.path());
                p.first().is_some_and(|f| f == "tonic")
                    && p.last().is_some_and(|l| l == "async_trait")
            });
            if (from_server_mod || imported || tonic_attr)
                && let Some(last) = segs.last()
            {
                let in_test = self.in_test() || has_test_attr(&imp.attrs);
                self.out.grpc_servers.push(GrpcServer {
                    service: last.clone(),
                    shape: ServerShape::Impl,
                    impl_type: Some(self_ty.clone()),
                    line: span::line(span::path_first(trait_path)),
                    function: None,
                    in_test,
                });
            }
        }
        let test = has_test_attr(&imp.attrs);
        if test {
            self.test_depth += 1;
        }
        let nova_handler = imp.trait_.as_ref().is_some_and(|(_, p, _)| {
            let segs = path_segments(p);
            segs.last().is_some_and(|l| l == "Handler")
                && (segs.iter().any(|s| s == "nova_consumer")
                    || (segs.len() == 1 && self.pre.nova_handler))
        });
        let saved_handler = std::mem::replace(&mut self.in_nova_handler, nova_handler);
        self.impl_type.push(self_ty);
        visit::visit_item_impl(self, imp);
        self.impl_type.pop();
        self.in_nova_handler = saved_handler;
        if test {
            self.test_depth -= 1;
        }
    }

    fn visit_item_trait(&mut self, t: &'ast syn::ItemTrait) {
        self.impl_type.push(t.ident.to_string());
        visit::visit_item_trait(self, t);
        self.impl_type.pop();
    }

    fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
        // A free fn nested in an impl method still gets a free path.
        let saved = std::mem::take(&mut self.impl_type);
        self.enter_fn(&f.sig, &f.attrs);
        self.impl_type = saved;
        visit::visit_item_fn(self, f);
        self.exit_fn();
    }

    fn visit_impl_item_fn(&mut self, f: &'ast syn::ImplItemFn) {
        self.enter_fn(&f.sig, &f.attrs);
        visit::visit_impl_item_fn(self, f);
        self.exit_fn();
    }

    fn visit_trait_item_fn(&mut self, f: &'ast syn::TraitItemFn) {
        if f.default.is_some() {
            self.enter_fn(&f.sig, &f.attrs);
            visit::visit_trait_item_fn(self, f);
            self.exit_fn();
        }
    }

    fn visit_item_const(&mut self, c: &'ast syn::ItemConst) {
        self.record_const(&c.ident, &c.expr, true);
        visit::visit_item_const(self, c);
    }

    fn visit_impl_item_const(&mut self, c: &'ast syn::ImplItemConst) {
        self.record_const(&c.ident, &c.expr, true);
        visit::visit_impl_item_const(self, c);
    }

    fn visit_item_static(&mut self, c: &'ast syn::ItemStatic) {
        self.record_const(&c.ident, &c.expr, false);
        visit::visit_item_static(self, c);
    }

    fn visit_item_type(&mut self, t: &'ast syn::ItemType) {
        if let Some(svc) = self.pre.aliases.get(&t.ident.to_string()).cloned() {
            let in_test = self.in_test();
            self.out.grpc_clients.push(GrpcClient {
                service: svc,
                shape: ClientShape::Alias,
                name: Some(t.ident.to_string()),
                owner: None,
                target: None,
                line: ident_line(&t.ident),
                function: None,
                in_test,
            });
        }
        visit::visit_item_type(self, t);
    }

    fn visit_item_struct(&mut self, s: &'ast syn::ItemStruct) {
        let sname = s.ident.to_string();
        let in_test = self.in_test() || has_test_attr(&s.attrs);
        for f in &s.fields {
            let Some(id) = &f.ident else { continue };
            if let Some(svc) = type_client(&f.ty, &self.pre.client_imports, &self.pre.aliases) {
                self.out.grpc_clients.push(GrpcClient {
                    service: svc,
                    shape: ClientShape::Field,
                    name: Some(id.to_string()),
                    owner: Some(sname.clone()),
                    target: None,
                    line: ident_line(id),
                    function: None,
                    in_test,
                });
            }
        }
        // envy/serde config structs: field `content_url` <- env `CONTENT_URL`.
        let derives_de = s.attrs.iter().any(|a| {
            a.path().is_ident("derive")
                && a.meta.to_token_stream().to_string().contains("Deserialize")
        });
        let lname = sname.to_ascii_lowercase();
        let configish = ["config", "settings", "env", "conf", "options"]
            .iter()
            .any(|k| lname.contains(k));
        if derives_de && configish {
            for f in &s.fields {
                let Some(id) = &f.ident else { continue };
                let ty = text(&f.ty);
                if !(ty == "String"
                    || ty.contains("Option<String>")
                    || ty.contains("Option < String >"))
                {
                    continue;
                }
                let default = f.attrs.iter().find_map(|a| {
                    if !a.path().is_ident("serde") {
                        return None;
                    }
                    let t = a.meta.to_token_stream().to_string();
                    let i = t.find("default")?;
                    let rest = &t[i..];
                    let q1 = rest.find('"')?;
                    let rest = &rest[q1 + 1..];
                    let q2 = rest.find('"')?;
                    let fname = rest[..q2].rsplit("::").next().unwrap_or("");
                    self.pre.literal_fns.get(fname).cloned()
                });
                let field = id.to_string().trim_start_matches("r#").to_string();
                self.out.fields.push(FieldInit {
                    field: field.clone(),
                    value: StrExpr::Env {
                        var: field.to_ascii_uppercase(),
                        default: default.map(|d| Box::new(StrExpr::Lit(d))),
                    },
                    line: ident_line(id),
                });
            }
        }
        visit::visit_item_struct(self, s);
    }

    fn visit_local(&mut self, l: &'ast syn::Local) {
        let (ident, ty) = match &l.pat {
            syn::Pat::Ident(pi) => (Some(pi.ident.to_string()), None),
            syn::Pat::Type(pt) => match &*pt.pat {
                syn::Pat::Ident(pi) => (Some(pi.ident.to_string()), Some(&*pt.ty)),
                _ => (None, None),
            },
            _ => (None, None),
        };
        if let Some(name) = ident {
            let mut svc =
                ty.and_then(|t| type_client(t, &self.pre.client_imports, &self.pre.aliases));
            if let Some(init) = &l.init {
                if svc.is_none() {
                    svc = self.expr_client(&init.expr);
                }
                if let Some(scope) = self.fns.last_mut() {
                    scope.locals.insert(name.clone(), &*init.expr);
                }
            }
            if let (Some(svc), Some(scope)) = (svc, self.fns.last_mut()) {
                scope.client_vars.insert(name, svc);
            }
        }
        visit::visit_local(self, l);
    }

    fn visit_expr_struct(&mut self, s: &'ast syn::ExprStruct) {
        for f in &s.fields {
            let syn::Member::Named(id) = &f.member else {
                continue;
            };
            let field = id.to_string();
            let value = str_expr(&f.expr, self.scope(), 0);
            let lf = field.to_ascii_lowercase();
            let hinted = ["url", "uri", "addr", "host", "endpoint", "topic", "broker"]
                .iter()
                .any(|k| lf.contains(k));
            let keep = match &value {
                StrExpr::Env { .. } => true,
                StrExpr::Lit(_) | StrExpr::Format { .. } | StrExpr::List(_) | StrExpr::Const(_) => {
                    hinted
                }
                _ => false,
            };
            if keep {
                self.out.fields.push(FieldInit {
                    field,
                    value,
                    line: ident_line(id),
                });
            }
        }
        visit::visit_expr_struct(self, s);
    }

    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        let macros = self.macros;
        if let Some(args) = macros.get(mac) {
            if name.to_ascii_lowercase().contains("outbox") {
                let refs: Vec<&Expr> = args.iter().collect();
                self.outbox_site(
                    &refs,
                    &format!("{name}!"),
                    span::line(span::macro_first(mac)),
                );
            }
            for a in args {
                self.visit_expr(a);
            }
        }
        visit::visit_macro(self, mac);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let Expr::Path(fp) = &*c.func {
            let segs = path_segments(&fp.path);
            // (Looked up only when something is recorded.)
            let line = || span::line(span::call_first(c));
            let last: &str = segs.last().map(String::as_str).unwrap_or("");
            let args: Vec<&Expr> = c.args.iter().collect();
            if is_env_fn(&segs) && segs.len() >= 2 {
                self.env_read(c, None);
            }
            if segs.len() >= 2 {
                let owner = &segs[..segs.len() - 1];
                if let Some(svc) = client_service(owner, &self.pre.client_imports)
                    .or_else(|| owner.last().and_then(|o| self.pre.aliases.get(o).cloned()))
                {
                    let shape = match last {
                        "connect" => Some(ClientShape::Connect),
                        "new" => Some(ClientShape::New),
                        "with_interceptor" | "with_origin" => Some(ClientShape::WithInterceptor),
                        _ => None,
                    };
                    if let Some(shape) = shape {
                        let target = (shape == ClientShape::Connect)
                            .then(|| args.first().map(|a| str_expr(a, self.scope(), 0)))
                            .flatten();
                        let function = self.function();
                        let in_test = self.in_test();
                        self.out.grpc_clients.push(GrpcClient {
                            service: svc,
                            shape,
                            name: None,
                            owner: None,
                            target,
                            line: line(),
                            function,
                            in_test,
                        });
                    }
                }
                if let Some(svc) = server_service(owner, &self.pre.server_imports)
                    && matches!(last, "new" | "with_interceptor" | "from_arc")
                {
                    let function = self.function();
                    let in_test = self.in_test();
                    self.out.grpc_servers.push(GrpcServer {
                        service: svc,
                        shape: ServerShape::Router,
                        impl_type: None,
                        line: line(),
                        function,
                        in_test,
                    });
                }
                let owner_last = owner.last().map(String::as_str).unwrap_or("");
                let produce = matches!(
                    (owner_last, last),
                    ("FutureRecord" | "BaseRecord", "to")
                        | ("Record", "from_value" | "from_key_value")
                );
                if produce && let Some(a) = args.first() {
                    let topic = str_expr(a, self.scope(), 0);
                    self.topic_site(
                        TopicRole::Produce,
                        TopicApi::Direct,
                        topic,
                        &format!("{owner_last}::{last}"),
                        line(),
                    );
                }
                if HTTP_CRATES.contains(&segs[0].as_str())
                    && HTTP_METHODS.contains(&last)
                    && let Some(a) = args.first()
                {
                    let url = str_expr(a, self.scope(), 0);
                    let function = self.function();
                    let in_test = self.in_test();
                    self.out.http_calls.push(HttpCall {
                        api: format!("{}::{}", segs[0], last),
                        url,
                        line: line(),
                        function,
                        in_test,
                    });
                }
                let outbox_path = owner
                    .iter()
                    .any(|s| s.to_ascii_lowercase().contains("outbox"));
                if owner_last == "ConsumerConfig" && last == "new" && args.len() == 3 {
                    // nova-consumer: `ConsumerConfig::new(brokers, group, topics)`.
                    let topic = str_expr(args[2], self.scope(), 0);
                    self.mark_consumer();
                    self.topic_site(
                        TopicRole::Consume,
                        TopicApi::Direct,
                        topic,
                        "ConsumerConfig::new",
                        line(),
                    );
                }
                let owner_is_outbox = owner_last.ends_with("Outbox");
                if owner_is_outbox && matches!(last, "new" | "with_topic" | "for_topic") {
                    // nova-outbox: `Outbox::new(topic)`; `enqueue` calls on
                    // it carry no topic.
                    let scope = self.scope();
                    if let Some(topic) = args.iter().find_map(|a| find_topic(a, scope, 0)) {
                        self.topic_site(
                            TopicRole::Produce,
                            TopicApi::Outbox,
                            topic,
                            &format!("{owner_last}::{last}"),
                            line(),
                        );
                    }
                } else if outbox_path && (OUTBOX_METHODS.contains(&last) || outbox_fn_name(last)) {
                    self.outbox_site(&args, &segs.join("::"), line());
                } else if outbox_fn_name(last) {
                    self.outbox_site(&args, last, line());
                }
                if let Some(kind) = infra_for_path(&segs) {
                    self.infra(kind, segs.join("::"), line());
                }
                if segs
                    .iter()
                    .any(|s| s == "nova_consumer" || s == "IdempotentConsumer")
                    && let Some(s) = self.fns.last_mut()
                {
                    s.dedupes = true;
                }
            } else if outbox_fn_name(last) {
                self.outbox_site(&args, last, line());
            }
            self.note_call(last);
            self.str_call(last, &args, span::call_first(c));
        }
        visit::visit_expr_call(self, c);
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        let method = m.method.to_string();
        // (Looked up only when something is recorded: most calls record
        // nothing.)
        let line = || ident_line(&m.method);
        let args: Vec<&Expr> = m.args.iter().collect();
        // env::var(..).unwrap_or(default)
        if matches!(method.as_str(), "unwrap_or" | "unwrap_or_else") {
            let mut r = &*m.receiver;
            while let Expr::MethodCall(inner) = r {
                r = &inner.receiver;
            }
            if let Expr::Call(c) = r
                && let Expr::Path(fp) = &*c.func
                && is_env_fn(&path_segments(&fp.path))
            {
                let d = args.first().map(|a| str_expr(a, self.scope(), 0));
                let default = match d {
                    Some(StrExpr::Lit(s)) => Some(s),
                    _ => None,
                };
                self.env_read(c, default);
            }
        }
        match method.as_str() {
            "subscribe" if args.len() == 1 => {
                let a = args[0];
                let plausible = matches!(a, Expr::Reference(_) | Expr::Path(_) | Expr::Field(_))
                    && str_lit(a).is_none();
                if plausible {
                    let topic = str_expr(a, self.scope(), 0);
                    self.mark_consumer();
                    self.topic_site(
                        TopicRole::Consume,
                        TopicApi::Direct,
                        topic,
                        "subscribe",
                        line(),
                    );
                }
            }
            "recv" | "stream" | "poll" | "start" | "iter" | "message_stream"
                if has_word(self.chains.get(&m.receiver).words, "consumer") =>
            {
                self.mark_consumer();
                if let Some(s) = self.fns.last_mut() {
                    s.reads_messages = true;
                }
            }
            _ => {}
        }
        // (The method name first: it is cheap, the receiver walk is not.)
        if (OUTBOX_METHODS.contains(&method.as_str()) && outbox_receiver(&m.receiver))
            || outbox_fn_name(&method)
        {
            self.outbox_site(&args, &format!(".{method}"), line());
        }
        // HTTP requests.
        let http_url = match method.as_str() {
            m2 if HTTP_METHODS.contains(&m2) && args.len() == 1 => Some(args[0]),
            "request" if args.len() == 2 => Some(args[1]),
            "uri" if args.len() == 1 => Some(args[0]),
            _ => None,
        };
        if let Some(u) = http_url
            && (method == "uri" || self.is_http_receiver(&m.receiver))
        {
            let url = str_expr(u, self.scope(), 0);
            if looks_like_url(&url) {
                let function = self.function();
                let in_test = self.in_test();
                self.out.http_calls.push(HttpCall {
                    api: format!("http.{method}"),
                    url,
                    line: line(),
                    function,
                    in_test,
                });
            }
        }
        // RPCs.
        if args.len() == 1 && !not_rpc(&method) {
            let r = self.rpc_receiver(&m.receiver);
            let plausible = r.service.is_some()
                || (r.named && (self.pre.grpc_hint || r.getter.is_some()))
                || r.field.is_some();
            if plausible {
                let function = self.function();
                let in_test = self.in_test();
                self.out.rpc_calls.push(RpcCall {
                    service: r.service,
                    receiver: self.receiver_text(&m.receiver),
                    rpc: snake_to_pascal(&method),
                    method: method.clone(),
                    via_getter: r.getter,
                    via_field: r.field,
                    line: line(),
                    function,
                    in_test,
                });
            }
        }
        self.note_call(&method);
        self.str_call(&method, &args, m.method.span());
        visit::visit_expr_method_call(self, m);
    }
}

impl<'ast> Walker<'ast, '_> {
    /// The client service an expression constructs or hands out.
    fn expr_client(&self, e: &Expr) -> Option<String> {
        let mut e = e;
        loop {
            match e {
                Expr::Await(a) => e = &a.base,
                Expr::Try(t) => e = &t.expr,
                Expr::Paren(p) => e = &p.expr,
                Expr::Reference(r) => e = &r.expr,
                Expr::MethodCall(m) => {
                    // (Most files hand out no client: no name to copy then.)
                    if !self.pre.getters.is_empty()
                        && let Some(s) = self.pre.getters.get(&m.method.to_string())
                    {
                        return Some(s.clone());
                    }
                    if !self.pre.client_fields.is_empty()
                        && let Expr::Field(f) = &*m.receiver
                        && let syn::Member::Named(id) = &f.member
                        && let Some(s) = self.pre.client_fields.get(&id.to_string())
                    {
                        return Some(s.clone());
                    }
                    e = &m.receiver;
                }
                Expr::Field(f) => {
                    if let syn::Member::Named(id) = &f.member
                        && !self.pre.client_fields.is_empty()
                    {
                        return self.pre.client_fields.get(&id.to_string()).cloned();
                    }
                    return None;
                }
                Expr::Call(c) => {
                    let Expr::Path(fp) = &*c.func else {
                        return None;
                    };
                    let segs = path_segments(&fp.path);
                    if segs.len() >= 2 {
                        let owner = &segs[..segs.len() - 1];
                        if let Some(s) = client_service(owner, &self.pre.client_imports) {
                            return Some(s);
                        }
                        if let Some(s) = owner.last().and_then(|o| self.pre.aliases.get(o)) {
                            return Some(s.clone());
                        }
                    }
                    let last = segs.last()?;
                    return self.pre.getters.get(last).cloned();
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spacing rules as they were written before [`tidy`].
    fn tidy_by_replace(s: &str) -> String {
        s.replace(" . ", ".")
            .replace(" :: ", "::")
            .replace("& ", "&")
            .replace(" (", "(")
            .replace("( ", "(")
            .replace(" )", ")")
    }

    #[test]
    fn tidy_matches_the_replace_chain() {
        let samples = [
            "self . content . get_post ( & id )",
            "reqwest :: Client :: new ( )",
            "f ( ( a ) )",
            "x . . y",
            "a  ::  b",
            "& & x",
            "(  )",
            "no_spaces",
            "",
            " ",
        ];
        for s in samples {
            assert_eq!(tidy(s.to_string()), tidy_by_replace(s), "{s:?}");
        }
        // Every string of up to 6 characters over the rule alphabet.
        let alphabet = [' ', '.', ':', '&', '(', ')', 'a'];
        let mut checked = 0usize;
        for len in 0..=6u32 {
            for mut n in 0..alphabet.len().pow(len) {
                let mut s = String::new();
                for _ in 0..len {
                    s.push(alphabet[n % alphabet.len()]);
                    n /= alphabet.len();
                }
                assert_eq!(tidy(s.clone()), tidy_by_replace(&s), "{s:?}");
                checked += 1;
            }
        }
        assert_eq!(checked, 137_257);
    }

    #[test]
    fn token_words_match_the_words_of_the_text() {
        let exprs: [Expr; 4] = [
            syn::parse_quote!(reqwest::Client::new()),
            syn::parse_quote!(self.pool.get().await),
            syn::parse_quote!(GrpcClient { addr: "x" }),
            syn::parse_quote!(foo("Client :: x")),
        ];
        for e in &exprs {
            assert_eq!(words_of_tokens(e), words_of(&text(e)));
        }
        assert_eq!(
            words_of_tokens(&exprs[0]),
            CLIENT_PATH | 1 << 1 | 1 << 4 // "client", "reqwest"
        );
    }

    #[test]
    fn codegen_use_is_read_off_the_tree() {
        let uses: Vec<syn::ItemUse> = vec![
            syn::parse_quote!(
                use tonic::codegen::*;
            ),
            syn::parse_quote!(
                use tonic::codegen::{http, Body};
            ),
            syn::parse_quote!(
                use tonic::codegen;
            ),
            syn::parse_quote!(
                use tonic::codegen as cg;
            ),
            syn::parse_quote!(
                use tonic::codegen_x::Y;
            ),
            syn::parse_quote!(
                use ::tonic::codegen::*;
            ),
            syn::parse_quote!(
                use tonic::transport::Channel;
            ),
            syn::parse_quote!(
                use {tonic::codegen::*};
            ),
            syn::parse_quote!(
                use tonic::{codegen::*, Status};
            ),
            syn::parse_quote!(
                use tonic;
            ),
            syn::parse_quote!(
                use tonic::codegen::tokio_stream;
            ),
        ];
        let got: Vec<String> = uses
            .iter()
            .filter(|u| use_is_codegen(&u.tree))
            .map(|u| text(&u.tree))
            .collect();
        // Only the glob tonic-build writes (`tonic::…` and `::tonic::…`);
        // one item imported from `tonic::codegen` by hand is not generated.
        assert_eq!(got, ["tonic::codegen::*", "tonic::codegen::*"]);
    }

    #[test]
    fn expression_words_match_the_rendering() {
        let exprs: Vec<Expr> = vec![
            syn::parse_quote!(pool),
            syn::parse_quote!(self),
            syn::parse_quote!(&grpc_pool),
            syn::parse_quote!(&mut consumer),
            syn::parse_quote!(ContentClient::CONNECT),
            syn::parse_quote!(::reqwest::HttpClient),
            syn::parse_quote!(a::MyClient::b::c),
            syn::parse_quote!(Vec::<PoolClient>::new),
            syn::parse_quote!(<ContentClient as X>::new),
            syn::parse_quote!(r#Client),
            syn::parse_quote!("http://x"),
            syn::parse_quote!(awc.get(1)),
            syn::parse_quote!(&self.pool),
            syn::parse_quote!(self.0.http),
            syn::parse_quote!(sqlx::query(SQL).bind(x.id).fetch_one(&mut *tx)),
            syn::parse_quote!(grpc::ContentClient::connect(cfg.url.clone())),
            syn::parse_quote!(make(GrpcClient { addr: "x" }, FooClient::new())),
            syn::parse_quote!(a.b::<ConsumerClient>(c)),
            syn::parse_quote!(f("Client :: x", y)),
        ];
        for e in &exprs {
            assert_eq!(expr_words(e), words_of_tokens(e), "{}", text(e));
        }
        assert_eq!(expr_words(&exprs[4]), CLIENT_PATH | 1 << 1);
    }
}
