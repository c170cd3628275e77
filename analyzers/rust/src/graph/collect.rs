//! What the graph walk records, node by node, into [`GraphFacts`].
//!
//! A cheap pre-pass over the items finds the names that make a value a gRPC
//! client (imports from `*_client` modules, struct fields, aliases,
//! getters); then the file's one walk ([`crate::walk`]) calls the hooks
//! below, which record sites with their enclosing function and resolve
//! string expressions through `let` bindings.

use super::prepass::*;
use super::shapes::*;
use super::strings::*;
use super::walker::*;
use super::{
    ClientShape, FieldInit, GraphFacts, GrpcClient, GrpcServer, HttpCall, RpcCall, ServerShape,
    StrExpr, TopicApi, TopicRole, snake_to_pascal,
};
use crate::FastSet as HashSet;
use crate::macros::MacroArgs;
use crate::name::Name;
use crate::span;
use quote::ToTokens;
use syn::{Expr, Item, Type};

/// The graph walk of `file`, before it starts; `None` for a generated file,
/// whose facts are then all in `out` (nothing else is collected from it).
pub(crate) fn start<'ast, 'o>(
    file: &'ast syn::File,
    macros: &'ast MacroArgs,
    in_test_file: bool,
    out: &'o mut GraphFacts,
) -> Option<Walker<'ast, 'o>> {
    if file_is_generated(&file.items) {
        out.generated = true;
        generated_services(&file.items, out);
        finish(out);
        return None;
    }
    let mut pre = PrePass::default();
    pre.has_children = file
        .items
        .iter()
        .any(|i| matches!(i, Item::Mod(m) if m.content.is_none()));
    pre.items(&file.items);
    out.client_reexports = std::mem::take(&mut pre.reexports);
    out.pub_imports = std::mem::take(&mut pre.pub_imports);
    Some(Walker {
        pre,
        items: &file.items,
        macros,
        out,
        in_test_file,
        test_depth: 0,
        mods: Vec::new(),
        impl_type: Vec::new(),
        fns: Vec::new(),
        handled_env: HashSet::default(),
        handled_binds: HashSet::default(),
        seen_infra: HashSet::default(),
        empty: Scope {
            macros: Some(macros),
            ..Scope::default()
        },
        in_nova_handler: false,
        in_trait: false,
        chains: ChainCache::default(),
        map_fields: Vec::new(),
    })
}

/// End the graph walk: order the facts.
pub(crate) fn done(mut w: Walker<'_, '_>) {
    if w.pre.generated_parts {
        w.out.generated = true;
    }
    w.unwritten_map_fields();
    finish(w.out);
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
    out.sql_args.sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.sql_args.dedup();
    out.consts.sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.consts.dedup();
    out.returns.sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.returns.dedup();
    out.trait_impls
        .sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.trait_impls.dedup();
    out.fn_types.sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.fn_types.dedup();
    out.fields.sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.fields.dedup();
    out.struct_fields
        .sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.struct_fields.dedup();
    out.row_literals
        .sort_by(|a, b| (a.line, a).cmp(&(b.line, b)));
    out.row_literals.dedup();
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

/// A call's arguments as a list of references (for the rare call that
/// records an outbox site).
fn refs(args: &syn::punctuated::Punctuated<Expr, syn::Token![,]>) -> Vec<&Expr> {
    args.iter().collect()
}

/// The hooks of the graph walk: what it records on entering and leaving a
/// node. The traversal is [`crate::walk`]'s, shared with the SQL facts.
impl<'ast> Walker<'ast, '_> {
    /// Entering `mod m`: `None` when it is generated code, which the graph
    /// walk skips; else whether it is test code.
    pub(crate) fn enter_mod(&mut self, m: &'ast syn::ItemMod) -> Option<bool> {
        if mod_is_generated(m) {
            self.pre.generated_parts = true;
            if let Some((_, items)) = &m.content {
                generated_services(items, self.out);
            }
            return None;
        }
        let test = has_test_attr(&m.attrs);
        if test {
            self.test_depth += 1;
        }
        self.mods.push(m.ident.to_string());
        Some(test)
    }

    pub(crate) fn leave_mod(&mut self, test: bool) {
        self.mods.pop();
        if test {
            self.test_depth -= 1;
        }
    }

    /// Entering an `impl`: `None` when it is generated code, which the
    /// graph walk skips; else what [`Self::leave_impl`] restores.
    pub(crate) fn enter_impl(&mut self, imp: &'ast syn::ItemImpl) -> Option<(bool, bool)> {
        if impl_is_generated(imp) {
            self.pre.generated_parts = true;
            generated_impl(imp, self.out);
            return None;
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
            if let Some(last) = segs.last() {
                self.out.trait_impls.push(super::TraitImpl {
                    trait_name: last.clone(),
                    type_name: self_ty.clone(),
                    line: span::line(span::path_first(trait_path)),
                });
            }
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
        Some((test, saved_handler))
    }

    pub(crate) fn leave_impl(&mut self, (test, saved_handler): (bool, bool)) {
        self.impl_type.pop();
        self.in_nova_handler = saved_handler;
        if test {
            self.test_depth -= 1;
        }
    }

    pub(crate) fn enter_trait(&mut self, t: &'ast syn::ItemTrait) {
        self.impl_type.push(t.ident.to_string());
        self.in_trait = true;
    }

    pub(crate) fn leave_trait(&mut self) {
        self.impl_type.pop();
        self.in_trait = false;
    }

    /// Entering a free function ([`Self::exit_fn`] leaves it).
    pub(crate) fn enter_item_fn(&mut self, f: &'ast syn::ItemFn) {
        // A free fn nested in an impl method still gets a free path.
        let saved = std::mem::take(&mut self.impl_type);
        self.enter_fn(&f.sig, &f.attrs);
        self.impl_type = saved;
    }

    pub(crate) fn enter_item_type(&mut self, t: &'ast syn::ItemType) {
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
    }

    pub(crate) fn enter_item_struct(&mut self, s: &'ast syn::ItemStruct) {
        let sname = s.ident.to_string();
        let in_test = self.in_test() || has_test_attr(&s.attrs);
        if !in_test {
            super::declared::struct_fields(self.items, s, &mut self.out.struct_fields);
        }
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
        // (The name first: rendering the derives is the dearer test.)
        let configish = ["config", "settings", "env", "conf", "options"]
            .iter()
            .any(|k| contains_ci(&sname, k));
        let derives_de = || {
            s.attrs.iter().any(|a| {
                a.path().is_ident("derive")
                    && a.meta.to_token_stream().to_string().contains("Deserialize")
            })
        };
        if configish && derives_de() {
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
    }

    /// `for t in [A, "b"]` (also `&[..]`, `vec![..]`, a const array, and
    /// `.iter()`/`.into_iter()`/`.copied()`/`.cloned()` of those): `t` holds
    /// each element, so a value read through it is the list of them (a
    /// topic produced in the loop is each topic). Other loops bind nothing:
    /// what they iterate is not known statically.
    pub(crate) fn enter_for(&mut self, f: &'ast syn::ExprForLoop) {
        let syn::Pat::Ident(pi) = &*f.pat else {
            return;
        };
        let e = peel(&f.expr, &["iter", "into_iter", "copied", "cloned"]);
        let listed = match e {
            Expr::Array(_) => true,
            Expr::Macro(m) => m.mac.path.is_ident("vec"),
            Expr::Path(p) => p
                .path
                .segments
                .last()
                .is_some_and(|s| is_const_name(&Name::of(&s.ident))),
            _ => false,
        };
        if listed && let Some(scope) = self.fns.last_mut() {
            scope.locals.insert(pi.ident.to_string(), e);
        }
    }

    pub(crate) fn enter_local(&mut self, l: &'ast syn::Local) {
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
            // A local of a named type: what a method of it returns.
            let named = match ty.map(super::returns::value_type) {
                Some(Type::Path(tp)) => tp.path.segments.last().filter(|last| {
                    Name::of(&last.ident).starts_with(|c: char| c.is_ascii_uppercase())
                }),
                _ => None,
            };
            if let Some(scope) = self.fns.last_mut() {
                match named {
                    Some(last) => {
                        scope
                            .local_types
                            .insert(name.clone(), last.ident.to_string());
                    }
                    // (A later `let` of the same name shadows it.)
                    None if !scope.local_types.is_empty() => {
                        scope.local_types.remove(&name);
                    }
                    None => {}
                }
            }
            if let Some(init) = &l.init {
                if svc.is_none() {
                    svc = self.expr_client(&init.expr);
                }
                let map = !super::topic_maps::built_with(&init.expr).is_empty();
                if let Some(scope) = self.fns.last_mut() {
                    scope.locals.insert(name.clone(), &*init.expr);
                    scope.maps |= map;
                }
            }
            if let (Some(svc), Some(scope)) = (svc, self.fns.last_mut()) {
                scope.client_vars.insert(name, svc);
            }
        }
    }

    pub(crate) fn enter_expr_struct(&mut self, s: &'ast syn::ExprStruct) {
        let mut writes_topic = false;
        for f in &s.fields {
            let syn::Member::Named(id) = &f.member else {
                continue;
            };
            let name = id.to_string();
            writes_topic |= super::rows::topic_column(&name);
            // (Independent records: the order does not matter.)
            self.note_set(&name, &f.expr);
            self.field_value(name, &f.expr, ident_line(id));
        }
        if writes_topic {
            self.row_literal(s);
        }
    }

    /// The field of `self` an `if` tests (`if let Some(r) = &self.relay`,
    /// `if self.audit`), inside a function: its `then` block is walked
    /// between [`Self::push_guard`] and [`Self::pop_guard`].
    pub(crate) fn guard_of(&self, i: &syn::ExprIf) -> Option<String> {
        guard_field(&i.cond).filter(|_| !self.fns.is_empty())
    }

    pub(crate) fn push_guard(&mut self, field: String) {
        if let Some(s) = self.fns.last_mut() {
            s.guards.push(field);
        }
    }

    pub(crate) fn pop_guard(&mut self) {
        if let Some(s) = self.fns.last_mut() {
            s.guards.pop();
        }
    }

    pub(crate) fn enter_assign(&mut self, a: &'ast syn::ExprAssign) {
        // `self.topic = topic.into()` in a builder method.
        if let Expr::Field(f) = &*a.left
            && let syn::Member::Named(id) = &f.member
            && matches!(&*f.base, Expr::Path(p) if p.path.is_ident("self"))
        {
            self.field_value(id.to_string(), &a.right, ident_line(id));
            self.note_set(&id.to_string(), &a.right);
        }
    }

    /// A macro whose body is the list of expressions `args` (parsed with
    /// the file), before they are walked.
    pub(crate) fn enter_macro(&mut self, mac: &'ast syn::Macro, args: &'ast [Expr]) {
        let name = mac.path.segments.last().map(|s| Name::of(&s.ident));
        let name = name.as_ref().map_or("", |n| n.as_str());
        // `sqlx::query!(sql, binds..)`, `query_as!(Type, sql, binds..)`.
        let skip = match name {
            "query" | "query_scalar" | "query_unchecked" | "query_scalar_unchecked" => 1,
            "query_as" | "query_as_unchecked" => 2,
            _ => 0,
        };
        if skip > 0 && args.len() > skip && maybe_insert(&args[skip - 1]) {
            let refs: Vec<&Expr> = args.iter().skip(skip).collect();
            self.sql_args(&refs, span::line(span::macro_first(mac)));
        }
        if contains_ci(name, "outbox") {
            let refs: Vec<&Expr> = args.iter().collect();
            self.outbox_site(
                &refs,
                &format!("{name}!"),
                span::line(span::macro_first(mac)),
            );
        }
    }

    /// A call, before its arguments are walked.
    /// (`segs`: the segments of the called path, when it is one.)
    pub(crate) fn enter_call(&mut self, c: &'ast syn::ExprCall, segs: Option<&[String]>) {
        if let Some(segs) = segs {
            // (Looked up only when something is recorded.)
            let line = || span::line(span::call_first(c));
            let last: &str = segs.last().map(String::as_str).unwrap_or("");
            let args = &c.args;
            if is_env_fn(segs) && segs.len() >= 2 {
                self.env_read(c, None);
            }
            if segs.len() >= 2
                && segs[segs.len() - 2] == "StreamConsumerBuilder"
                && let Some(s) = self.fns.last_mut()
            {
                s.rskafka_consumes = true;
            }
            if segs.len() >= 2 {
                let owner = &segs[..segs.len() - 1];
                if let Some(svc) = client_service(owner, &self.pre.client_imports)
                    .or_else(|| owner.last().and_then(|o| self.pre.aliases.get(o).cloned()))
                    .or_else(|| match owner {
                        [one] => foreign_connect(self.items, one, last),
                        _ => None,
                    })
                {
                    let shape = match last {
                        "connect" => Some(ClientShape::Connect),
                        "new" => Some(ClientShape::New),
                        "with_interceptor" | "with_origin" => Some(ClientShape::WithInterceptor),
                        _ => None,
                    };
                    if let Some(shape) = shape {
                        let target = match shape {
                            ClientShape::Connect => args
                                .first()
                                .map(|a| string_params(str_expr(a, self.scope(), 0), self.scope())),
                            // `XClient::new(channel)`: the address the
                            // channel was built from, if the chain shows it.
                            ClientShape::New => args.first().and_then(|a| {
                                super::urls::channel_address(a, self.scope())
                                    .map(|v| string_params(v, self.scope()))
                            }),
                            _ => None,
                        };
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
                    let url = string_params(str_expr(a, self.scope(), 0), self.scope());
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
                if owner_last == "TopicPartitionList" && last == "from_topic_map" && args.len() == 1
                {
                    self.assigned_topic_map(&args[0], line());
                }
                let outbox_path = owner.iter().any(|s| contains_ci(s, "outbox"));
                if owner_last == "ConsumerConfig" && last == "new" && args.len() == 3 {
                    // nova-consumer: `ConsumerConfig::new(brokers, group, topics)`.
                    let topic = str_expr(&args[2], self.scope(), 0);
                    self.mark_consumer();
                    self.topic_site(
                        TopicRole::Consume,
                        TopicApi::Direct,
                        topic,
                        "ConsumerConfig::new",
                        line(),
                    );
                }
                // nova-outbox's client: `Outbox::new(topic)`, the topic its
                // one argument. The shape, not only the name: a row type
                // named like it (a diesel `NewOutbox::new(topic, payload)`)
                // is not a client, and its insert is found as a table write.
                let outbox_client = owner_last.ends_with("Outbox") && args.len() == 1;
                if outbox_client && matches!(last, "new" | "with_topic" | "for_topic") {
                    // `enqueue` calls on the client carry no topic.
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
                    self.outbox_site(&refs(args), &segs.join("::"), line());
                } else if outbox_fn_name(last) {
                    self.outbox_site(&refs(args), last, line());
                }
                if let Some(kind) = infra_for_path(segs) {
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
                self.outbox_site(&refs(args), last, line());
            }
            self.note_call(last);
            let owner = |w: &Walker<'_, '_>| {
                (segs.len() >= 2)
                    .then(|| w.type_name(&segs[segs.len() - 2]))
                    .flatten()
            };
            self.str_call(last, owner, args, span::call_first(c));
        }
    }

    /// A method call, before its receiver and arguments are walked.
    /// (`method`: its name.)
    pub(crate) fn enter_method_call(&mut self, m: &'ast syn::ExprMethodCall, method: &str) {
        // (Looked up only when something is recorded: most calls record
        // nothing.)
        let line = || ident_line(&m.method);
        let args = &m.args;
        // env::var(..).unwrap_or(default)
        if matches!(method, "unwrap_or" | "unwrap_or_else") {
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
        match method {
            "subscribe" if args.len() == 1 => {
                let a = &args[0];
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
            // rdkafka's `assign`: the partitions a consumer takes itself
            // are added to a `TopicPartitionList` by topic
            // (`tpl.add_partition(t, 0)`, `add_partition_offset(t, 0, o)`,
            // `add_partition_range(t, lo, hi)`); such a list serves only a
            // consumer (`assign`, `seek`, `commit`, a transaction's offsets
            // of consumed topics). The topic is the first argument, which
            // must be able to hold a string (not a number). A list built
            // from what the consumer read (`msg.topic()`, a loop over
            // pending offsets) only books offsets of topics taken elsewhere:
            // only a value the code names (a literal, a const, a
            // parameter, a field, a function's result) is a site.
            "add_partition" | "add_partition_offset" | "add_partition_range"
                if args.len() == if method == "add_partition" { 2 } else { 3 }
                    && may_be_string(&args[0]) =>
            {
                let topic = str_expr(&args[0], self.scope(), 0);
                if self.names_topic(&topic) {
                    self.mark_consumer();
                    self.topic_site(
                        TopicRole::Consume,
                        TopicApi::Direct,
                        topic,
                        &format!("TopicPartitionList::{method}"),
                        line(),
                    );
                }
            }
            // The `kafka` crate: `Consumer::from_hosts(..).with_topic(t)`.
            "with_topic" | "with_topics" | "with_topic_partitions"
                if !args.is_empty() && self.kafka_crate_consumer(&m.receiver) =>
            {
                let topic = str_expr(&args[0], self.scope(), 0);
                self.mark_consumer();
                self.topic_site(
                    TopicRole::Consume,
                    TopicApi::Direct,
                    topic,
                    &format!("Consumer::{method}"),
                    line(),
                );
            }
            // rskafka: `client.partition_client(topic, partition, ..)`.
            "partition_client" if args.len() == 3 => {
                let topic = str_expr(&args[0], self.scope(), 0);
                let l = line();
                if let Some(s) = self.fns.last_mut() {
                    s.partition_clients.push((topic, l));
                }
            }
            // (A map of `(topic, partition)` keys, for `from_topic_map`.)
            "insert" if args.len() == 2 => self.map_insert(m),
            "bind" if args.len() == 1 => self.bind_chain(m),
            "execute" | "query" | "query_one" | "query_opt" | "query_raw"
                if args.len() == 2
                    && matches!(&args[1], Expr::Reference(r) if matches!(&*r.expr, Expr::Array(_))) =>
            {
                if let Expr::Reference(r) = &args[1]
                    && let Expr::Array(a) = &*r.expr
                    && maybe_insert(&args[0])
                {
                    let refs: Vec<&Expr> = a.elems.iter().collect();
                    self.sql_args(&refs, line());
                }
            }
            "fetch_records" => {
                if let Some(s) = self.fns.last_mut() {
                    s.rskafka_consumes = true;
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
        if (OUTBOX_METHODS.contains(&method) && outbox_receiver(&m.receiver))
            || outbox_fn_name(method)
        {
            self.outbox_site(&refs(args), &format!(".{method}"), line());
        }
        // HTTP requests.
        let http_url = match method {
            m2 if HTTP_METHODS.contains(&m2) && args.len() == 1 => Some(&args[0]),
            "request" if args.len() == 2 => Some(&args[1]),
            "uri" if args.len() == 1 => Some(&args[0]),
            _ => None,
        };
        if let Some(u) = http_url
            && (method == "uri" || self.is_http_receiver(&m.receiver))
        {
            let url = str_expr(u, self.scope(), 0);
            // (A parameter already: a URL built from one, `Url::parse(url)`.)
            if looks_like_url(&url)
                || matches!(url, StrExpr::Param(_))
                || super::urls::names_url_param(&url, self.scope())
            {
                let url = string_params(url, self.scope());
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
        if args.len() == 1 && !not_rpc(method) {
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
                    rpc: snake_to_pascal(method),
                    method: method.to_string(),
                    via_getter: r.getter,
                    via_field: r.field,
                    line: line(),
                    function,
                    in_test,
                });
            }
        }
        self.note_call(method);
        let owner = |w: &Walker<'_, '_>| w.chain_owner(&m.receiver);
        self.str_call(method, owner, args, m.method.span());
    }
}

/// Whether `e` can be a string: not a number, a bool, an arithmetic or a
/// comparison.
pub(super) fn may_be_string(e: &Expr) -> bool {
    match e {
        Expr::Lit(l) => matches!(l.lit, syn::Lit::Str(_)),
        Expr::Binary(_) | Expr::Unary(_) | Expr::Range(_) => false,
        Expr::Reference(r) => may_be_string(&r.expr),
        _ => true,
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
