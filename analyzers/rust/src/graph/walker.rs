//! The graph walk's state ([`Walker`]) and what it records; the
//! `syn::visit` traversal itself is in `collect`.

use super::prepass::*;
use super::returns::{receiver_value, typed_local};
use super::shapes::*;
use super::strings::*;
use super::{
    ClientShape, EnvRead, FieldInit, FnType, GraphFacts, GraphFn, GrpcClient, InfraHint, SqlArgs,
    StrCall, StrExpr, TopicApi, TopicConst, TopicParam, TopicRole, TopicSite,
};
use crate::FastSet as HashSet;
use crate::macros::MacroArgs;
use crate::name::Name;
use crate::span;
use nova_model::InfraKind;
use syn::Expr;

// ---------------------------------------------------------------- walker

/// What a method receiver says about a gRPC client.
#[derive(Default)]
pub(super) struct RpcRecv {
    /// Proto service, when the receiver's type is known in the file.
    pub(super) service: Option<String>,
    /// `x.getter().rpc(..)`: the getter name.
    pub(super) getter: Option<String>,
    /// `self.field.rpc(..)` with a field not typed in this file.
    pub(super) field: Option<String>,
    /// The receiver is named like a client.
    pub(super) named: bool,
}

pub(crate) struct Walker<'ast, 'o> {
    pub(super) pre: PrePass,
    /// The file's items (its `use`s, read at a `connect` on an imported
    /// type: [`super::prepass::foreign_connect`]).
    pub(super) items: &'ast [syn::Item],
    pub(super) out: &'o mut GraphFacts,
    pub(super) in_test_file: bool,
    pub(super) test_depth: u32,
    pub(super) mods: Vec<String>,
    pub(super) impl_type: Vec<String>,
    pub(super) fns: Vec<Scope<'ast>>,
    /// `env::var` calls already recorded with their default (line, col).
    pub(super) handled_env: HashSet<(usize, usize)>,
    /// `query(..)` calls whose `bind` chain is recorded (line, col).
    pub(super) handled_binds: HashSet<(usize, usize)>,
    pub(super) seen_infra: HashSet<(InfraKind, String)>,
    pub(super) empty: Scope<'ast>,
    /// Inside `impl nova_consumer::Handler for X`.
    pub(super) in_nova_handler: bool,
    /// Inside a trait's own definition.
    pub(super) in_trait: bool,
    /// The file's macro bodies, parsed once.
    pub(super) macros: &'ast MacroArgs,
    /// What the receivers of method chains say, computed once per node.
    pub(super) chains: ChainCache<'ast>,
    /// Fields this file writes a map of named topics into (see
    /// [`super::topic_maps`]): a `from_topic_map(&self.f)` of another
    /// field is no site.
    pub(super) map_fields: Vec<String>,
}

impl<'ast> Walker<'ast, '_> {
    /// Record a string-like `const`/`static` (module path, plus the `impl`
    /// type for consts) for topic resolution.
    pub(crate) fn record_const(
        &mut self,
        ident: &syn::Ident,
        expr: &syn::Expr,
        in_impl_scope: bool,
    ) {
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

    pub(super) fn scope(&self) -> &Scope<'ast> {
        self.fns.last().unwrap_or(&self.empty)
    }

    pub(super) fn in_test(&self) -> bool {
        self.in_test_file || self.test_depth > 0
    }

    pub(super) fn function(&self) -> Option<String> {
        self.fns.last().map(|s| s.path.clone())
    }

    /// Inline modules, then the impl/trait type, then the name (the same
    /// convention as `sql::FnInfo::path`).
    pub(super) fn fn_path(&self, name: &str) -> String {
        let mut p = self.mods.clone();
        p.extend(self.impl_type.last().cloned());
        p.push(name.to_string());
        p.join("::")
    }

    pub(crate) fn enter_fn(&mut self, sig: &'ast syn::Signature, attrs: &[syn::Attribute]) {
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
            owner: self.impl_type.last().cloned(),
            sig: Some(sig),
            in_trait: self.in_trait,
            // (Only a function returning a string records its values.)
            returns: match &sig.output {
                syn::ReturnType::Type(_, ty) if stringish(ty) => Some(Vec::new()),
                _ => None,
            },
            items: self.items,
            ..Scope::default()
        };
        // (Test code's functions type no receiver `nova-link` follows.)
        if !scope.in_test
            && let Some((ty, wrapped)) = super::declared::fn_type(sig)
        {
            self.out.fn_types.push(FnType {
                name: name.clone(),
                owner: scope.owner.clone(),
                module: self.mods.clone(),
                ty,
                wrapped,
                line: scope.line,
                in_test: scope.in_test,
            });
        }
        // (Generic parameters bound by `IntoUrl`, `TryInto<Endpoint>`..:
        // looked for only in a function that has generics.)
        let address_generics = super::urls::address_generics(sig);
        let mut idx = 0usize;
        for input in &sig.inputs {
            if let syn::FnArg::Typed(pt) = input {
                if let syn::Pat::Ident(pi) = &*pt.pat {
                    let pname = pi.ident.to_string();
                    scope.params.insert(pname.clone(), idx);
                    if stringish(&pt.ty) {
                        scope.str_params.insert(pname.clone());
                    } else if super::urls::address_typed(&pt.ty, &address_generics) {
                        scope.str_params.insert(pname.clone());
                        scope.url_params.push(pname.clone());
                    }
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

    /// Leave the function entered last; `info`: its index in the file's
    /// [`crate::sql::FnInfo`]s, when the SQL collector saw it too.
    pub(crate) fn exit_fn(&mut self, info: Option<usize>) {
        // rskafka: a partition client is read from when the function builds
        // a stream consumer or fetches records, else written to.
        let pending = self
            .fns
            .last_mut()
            .map(|s| (std::mem::take(&mut s.partition_clients), s.rskafka_consumes));
        if let Some((sites, consumes)) = pending {
            let role = if consumes {
                TopicRole::Consume
            } else {
                TopicRole::Produce
            };
            if consumes {
                self.mark_consumer();
            }
            for (topic, line) in sites {
                self.topic_site(role, TopicApi::Direct, topic, "partition_client", line);
            }
        }
        if let Some(mut s) = self.fns.pop() {
            self.record_returns(&mut s);
            if s.test_attr {
                self.test_depth = self.test_depth.saturating_sub(1);
            }
            let mut guarded: Vec<(String, String)> = s
                .guarded
                .into_iter()
                .filter_map(|(name, g)| Some((name, g?)))
                .collect();
            guarded.sort();
            self.out.functions.push(GraphFn {
                path: s.path,
                name: s.name,
                line: s.line,
                in_test: s.in_test,
                consumer_handler: s.consumer_handler,
                reads_messages: s.reads_messages,
                dedupes: s.dedupes,
                info,
                guards: (!guarded.is_empty() || !s.sets.is_empty()).then(|| {
                    Box::new(super::FnGuards {
                        guarded,
                        sets: s.sets.into_iter().collect(),
                    })
                }),
            });
        }
    }

    /// A call in the current function: it deduplicates when the name says
    /// so. (The calls themselves are kept once per function, by the SQL
    /// walk: [`crate::FileFacts::calls_of`].)
    pub(super) fn note_call(&mut self, name: &str) {
        if let Some(s) = self.fns.last_mut() {
            if !s.dedupes && dedupe_name(name) {
                s.dedupes = true;
            }
            match s.guards.last() {
                Some(g) if !s.guarded.contains_key(name) => {
                    s.guarded.insert(name.to_string(), Some(g.clone()));
                }
                Some(_) => {}
                None if !s.guarded.is_empty() => {
                    if let Some(g) = s.guarded.get_mut(name) {
                        *g = None;
                    }
                }
                None => {}
            }
        }
    }

    /// Note that the current function switches field `field` on when
    /// `value` is not an "off" value (`None`, `false`, a default).
    pub(super) fn note_set(&mut self, field: &str, value: &Expr) {
        let off = match value {
            Expr::Path(p) => p.path.is_ident("None"),
            Expr::Lit(l) => matches!(&l.lit, syn::Lit::Bool(b) if !b.value),
            Expr::Call(c) => c.args.is_empty(),
            _ => false,
        };
        if !off && let Some(s) = self.fns.last_mut() {
            s.sets.insert(field.to_string());
        }
    }

    /// Whether `topic` (a topic list's key: `add_partition`'s first
    /// argument, a `from_topic_map` key) is a value the code names (a
    /// literal, a const, a parameter, a field, a function's result), not
    /// one read from a message (`m.topic()`) or a value of some type.
    pub(super) fn names_topic(&self, topic: &StrExpr) -> bool {
        match topic {
            // A parameter is written as its name (see `topic_site`).
            StrExpr::Unknown(n) => self.scope().params.contains_key(n),
            StrExpr::Typed(_) | StrExpr::Declared(..) | StrExpr::SelfField(..) => false,
            StrExpr::Call(c) => c.recv.is_none(),
            _ => true,
        }
    }

    pub(super) fn mark_consumer(&mut self) {
        if let Some(s) = self.fns.last_mut() {
            s.consumer_handler = true;
        }
    }

    pub(super) fn infra(&mut self, kind: InfraKind, api: String, line: u32) {
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

    pub(super) fn topic_site(
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
        // A `format!` of the function's string parameters
        // (`format!("{prefix}.{kind}")`), alone or in a list: each is
        // followed to the callers, the parameters of one call together.
        let topic = match topic {
            f @ (StrExpr::Format { .. } | StrExpr::List(_)) => string_params(f, self.scope()),
            other => other,
        };
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

    pub(super) fn outbox_site(&mut self, args: &[&Expr], call: &str, line: u32) {
        let scope = self.scope();
        let topic = args
            .iter()
            .find_map(|a| find_topic(a, scope, 0))
            .unwrap_or_else(|| {
                StrExpr::Unknown(args.iter().map(|a| text(*a)).collect::<Vec<_>>().join(", "))
            });
        self.topic_site(TopicRole::Produce, TopicApi::Outbox, topic, call, line);
    }

    /// The parameter of the current function `e` names (through `&`,
    /// `.clone()`, `.to_string()`, `.into()`..), unless a local shadows it.
    pub(super) fn param_of(&self, e: &Expr) -> Option<StrExpr> {
        param_ref(e, self.fns.last()?)
    }

    /// `Self` as the current `impl` type.
    pub(super) fn type_name(&self, seg: &str) -> Option<String> {
        if seg == "Self" {
            return self.impl_type.last().cloned();
        }
        seg.starts_with(|c: char| c.is_ascii_uppercase())
            .then(|| seg.to_string())
    }

    /// The type a method chain starts from: `Emitter` for
    /// `Emitter::builder().with_topic(..)`.
    pub(super) fn chain_owner(&self, recv: &Expr) -> Option<String> {
        let mut r = recv;
        loop {
            match r {
                Expr::MethodCall(m) => r = &m.receiver,
                Expr::Await(a) => r = &a.base,
                Expr::Try(t) => r = &t.expr,
                Expr::Paren(p) => r = &p.expr,
                Expr::Call(c) => {
                    let Expr::Path(fp) = &*c.func else {
                        return None;
                    };
                    let n = fp.path.segments.len();
                    return (n >= 2)
                        .then(|| self.type_name(&Name::of(&fp.path.segments[n - 2].ident)))
                        .flatten();
                }
                _ => return None,
            }
        }
    }

    /// A string value assigned to a field (`Self { topic: topic.into() }`,
    /// `self.topic = topic`): kept when it can name a topic or an address,
    /// or when it comes from a parameter (resolved at the calls).
    pub(super) fn field_value(&mut self, field: String, e: &'ast Expr, line: u32) {
        // A map of `(topic, partition)` keys, for `from_topic_map`.
        if self.map_field(&field, e) {
            return;
        }
        let lf = field.to_ascii_lowercase();
        let hinted = ["url", "uri", "addr", "host", "endpoint", "topic", "broker"]
            .iter()
            .any(|k| lf.contains(k));
        // Another field is kept only with a value that can name a topic:
        // the text of what cannot be resolved is not needed.
        let value = match self.param_of(e) {
            Some(p) => p,
            None => str_expr_in(e, self.scope(), 0, hinted),
        };
        let keep = match &value {
            StrExpr::Env { .. } | StrExpr::Param(_) => true,
            StrExpr::Lit(_) | StrExpr::Format { .. } | StrExpr::List(_) | StrExpr::Const(_) => {
                hinted || could_name_topic(&value)
            }
            // (A field of any name set from a call would keep most
            // struct literals' fields.)
            StrExpr::Call(_) => hinted,
            _ => false,
        };
        if keep {
            self.out.fields.push(FieldInit { field, value, line });
        }
    }

    /// Record the bound arguments of an SQL call when one can name a topic.
    pub(super) fn sql_args(&mut self, args: &[&Expr], line: u32) {
        let values: Vec<StrExpr> = args
            .iter()
            .map(|a| match self.param_of(a) {
                Some(p) => p,
                None => str_expr_in(a, self.scope(), 0, false),
            })
            .collect();
        if values.iter().any(could_name_topic) || args.iter().any(|a| const_field(a)) {
            let function = self.function();
            let in_test = self.in_test();
            self.out.sql_args.push(SqlArgs {
                args: values,
                line,
                function,
                in_test,
            });
        }
    }

    /// (`at`: where the call starts; its line is looked up only for a kept
    /// call.)
    pub(super) fn str_call(
        &mut self,
        callee: &str,
        owner: impl FnOnce(&Self) -> Option<String>,
        args: &'ast syn::punctuated::Punctuated<Expr, syn::Token![,]>,
        at: proc_macro2::Span,
    ) {
        // Built only once an argument is kept: most calls keep none.
        let mut exprs: Vec<StrExpr> = Vec::new();
        // A value of a known type handed to a function (not to a tuple
        // struct or a variant, nor to a method every value has): what a
        // method of it returns may be a topic there.
        // (Decided once, at the first argument that is no string.)
        let mut typed_ok: Option<bool> = None;
        let typed_callee = || {
            callee.starts_with(|c: char| c.is_ascii_lowercase())
                && !PLUMBING_METHODS.contains(&callee)
        };
        let mut sources = Vec::new();
        for (i, a) in args.iter().enumerate() {
            // (A map of `(topic, partition)` keys, for a `from_topic_map`
            // of the callee's parameter.)
            let s = match self.param_of(a).or_else(|| self.map_arg(a)) {
                Some(p) => p,
                None => match str_expr_in(a, self.scope(), 0, false) {
                    // A local typed as no string, whatever its initialiser.
                    StrExpr::Call(c) => typed_local(a, self.scope()).unwrap_or(StrExpr::Call(c)),
                    StrExpr::Unknown(t) if *typed_ok.get_or_insert_with(typed_callee) => {
                        receiver_value(a, self.scope(), 0)
                            .or_else(|| super::declared::method_arg(a, self.scope()))
                            .unwrap_or(StrExpr::Unknown(t))
                    }
                    // A field handed whole (`publish(&self.bus, ..)`): its
                    // declared type, for the callee's parameter.
                    StrExpr::Field(f)
                        if !f.contains("topic") && *typed_ok.get_or_insert_with(typed_callee) =>
                    {
                        super::declared::field_arg(a, self.scope()).unwrap_or(StrExpr::Field(f))
                    }
                    s => s,
                },
            };
            // A `format!` whose text cannot be a topic may still be an
            // address (`format!("{}/items", BASE)`).
            let s = match s {
                StrExpr::Unknown(t) if is_format(a) => {
                    let f = string_params(str_expr(a, self.scope(), 0), self.scope());
                    if could_name_address(&f) {
                        f
                    } else {
                        StrExpr::Unknown(t)
                    }
                }
                s => s,
            };
            if matches!(s, StrExpr::Typed(_))
                && let Some(source) = super::rows::arg_source(a, self.scope())
            {
                sources.push((i, source));
            }
            let typed = matches!(
                s,
                StrExpr::Typed(_)
                    | StrExpr::Param(_)
                    | StrExpr::Declared(_)
                    | StrExpr::SelfField(_)
            );
            if typed || could_name_topic(&s) || const_field(a) || could_name_address(&s) {
                if exprs.is_empty() {
                    exprs.reserve_exact(args.len());
                    exprs.resize(i, StrExpr::Unknown(String::new()));
                }
                exprs.push(s);
            } else if !exprs.is_empty() {
                exprs.push(StrExpr::Unknown(String::new()));
            }
        }
        // A parameter handed to a method every value has (`.bind(name)`,
        // `.push(x)`) goes nowhere a topic could: not worth a record.
        let only_params = exprs.iter().all(|e| {
            matches!(
                e,
                StrExpr::Param(_) | StrExpr::Unknown(_) | StrExpr::Typed(_)
            )
        });
        if only_params && PLUMBING_METHODS.contains(&callee) {
            return;
        }
        // `Ok(f(..))`, `Some(e.topic())`: no function of the project is
        // named so, no parameter of one is given.
        if callee.starts_with(|c: char| c.is_ascii_uppercase())
            && exprs.iter().all(|e| {
                matches!(
                    e,
                    StrExpr::Call(_)
                        | StrExpr::Unknown(_)
                        | StrExpr::Typed(_)
                        | StrExpr::Declared(_)
                        | StrExpr::SelfField(_)
                )
            })
        {
            return;
        }
        if !exprs.is_empty() {
            let function = self.function();
            let in_test = self.in_test();
            // (Looked up only for a kept call.)
            let owner = owner(self);
            self.out.str_calls.push(StrCall {
                callee: callee.to_string(),
                owner,
                args: exprs,
                line: span::line(at),
                function,
                in_test,
                sources,
            });
        }
    }

    pub(super) fn env_read(&mut self, call: &syn::ExprCall, default: Option<String>) {
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
    pub(super) fn rpc_receiver(&self, recv: &'ast Expr) -> RpcRecv {
        let base = strip_wrappers(recv);
        match base {
            Expr::Path(p) if p.path.segments.len() == 1 => {
                let n = Name::of(&p.path.segments[0].ident);
                let svc = self.scope().client_vars.get(n.as_str()).cloned();
                let named = contains_ci(&n, "client");
                // `let mut identity = state.identity.clone();`: the field,
                // and, when it is `self`'s, the client a library re-exports
                // it may be declared with (settled by `nova-link`).
                let (field, copied) = match self
                    .scope()
                    .locals
                    .get(n.as_str())
                    .map(|e| strip_wrappers(e))
                {
                    Some(Expr::Field(f)) if svc.is_none() => match &f.member {
                        syn::Member::Named(id) => (
                            Some(id.to_string()),
                            super::declared::foreign_field(self.items, &f.base, id, self.scope()),
                        ),
                        syn::Member::Unnamed(_) => (None, None),
                    },
                    _ => (None, None),
                };
                // A parameter declared with a client a library re-exports
                // (`catalog: &mut Catalog`): settled by `nova-link`.
                let svc = match svc {
                    None if field.is_none() && self.scope().params.contains_key(n.as_str()) => {
                        super::declared::foreign_param(self.items, self.scope(), &n)
                    }
                    svc => svc.or(copied),
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
                    let n = Name::of(id);
                    let svc = self.pre.client_fields.get(n.as_str()).cloned();
                    // A field declared with a client a library re-exports
                    // (`catalog: Catalog<Channel>`): settled by `nova-link`,
                    // by the field's name when it is none.
                    let foreign = match &svc {
                        None => {
                            super::declared::foreign_field(self.items, &f.base, id, self.scope())
                        }
                        Some(_) => None,
                    };
                    RpcRecv {
                        field: svc.is_none().then(|| n.to_string()),
                        service: svc.or(foreign),
                        getter: None,
                        named: contains_ci(&n, "client"),
                    }
                }
                syn::Member::Unnamed(_) => RpcRecv::default(),
            },
            Expr::MethodCall(inner) => {
                let g = Name::of(&inner.method);
                let svc = self.pre.getters.get(g.as_str()).cloned();
                let rt = self.chains.get(&inner.receiver).words;
                let named = ["pool", "client", "grpc"].iter().any(|k| has_word(rt, k));
                if svc.is_some() || named {
                    RpcRecv {
                        service: svc,
                        getter: Some(g.to_string()),
                        field: None,
                        named,
                    }
                } else {
                    RpcRecv::default()
                }
            }
            Expr::Call(c) => {
                if let Expr::Path(fp) = &*c.func {
                    let n = fp.path.segments.last().map(|s| Name::of(&s.ident));
                    let n = n.as_ref().map_or("", |n| n.as_str());
                    let svc = self.pre.getters.get(n).cloned();
                    if svc.is_some() {
                        return RpcRecv {
                            service: svc,
                            getter: Some(n.to_string()),
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

    pub(super) fn is_http_receiver(&self, recv: &'ast Expr) -> bool {
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
        // (Another crate's type a client may be, `client: &Client`: that is
        // settled later, and decides nothing here.)
        has_word(w, "client")
            && self
                .rpc_receiver(recv)
                .service
                .is_none_or(|s| super::as_foreign_client(&s).is_some())
    }

    /// A receiver's source text for display; the calls of a very long chain
    /// before the last one are elided (`….last(x)`).
    pub(super) fn receiver_text(&self, recv: &'ast Expr) -> String {
        match recv {
            Expr::MethodCall(m) if self.chains.get(recv).depth > MAX_RECEIVER_CALLS => {
                let args: Vec<String> = m.args.iter().map(text).collect();
                format!("….{}({})", m.method, args.join(", "))
            }
            _ => text(recv),
        }
    }
}

impl<'ast> Walker<'ast, '_> {
    /// `query(sql).bind(a).bind(b)`: the binds of the whole chain, recorded
    /// once, at its outermost `bind` (visited first).
    pub(super) fn bind_chain(&mut self, outer: &'ast syn::ExprMethodCall) {
        let mut binds: Vec<&Expr> = Vec::new();
        let mut cur = outer;
        loop {
            if cur.method == "bind" && cur.args.len() == 1 {
                binds.push(&cur.args[0]);
            }
            match &*cur.receiver {
                Expr::MethodCall(m) => cur = m,
                _ => break,
            }
        }
        let Expr::Call(root) = &*cur.receiver else {
            return;
        };
        let Expr::Path(fp) = &*root.func else { return };
        let last = fp.path.segments.last().map(|s| Name::of(&s.ident));
        if !matches!(
            last.as_ref().map(|n| n.as_str()),
            Some("query" | "query_as" | "query_scalar" | "query_with" | "query_as_with")
        ) {
            return;
        }
        let start = span::call_first(root).start();
        if !self.handled_binds.insert((start.line, start.column))
            || !root.args.first().is_some_and(maybe_insert)
        {
            return;
        }
        binds.reverse();
        self.sql_args(&binds, start.line as u32);
    }

    /// Whether a method chain starts at the `kafka` crate's
    /// `Consumer::from_hosts(..)` / `Consumer::from_client(..)`.
    pub(super) fn kafka_crate_consumer(&self, recv: &Expr) -> bool {
        let mut r = recv;
        loop {
            match r {
                Expr::MethodCall(m) => r = &m.receiver,
                Expr::Paren(p) => r = &p.expr,
                Expr::Call(c) => {
                    let Expr::Path(fp) = &*c.func else {
                        return false;
                    };
                    let segs = path_segments(&fp.path);
                    return matches!(
                        segs.as_slice(),
                        [.., a, b] if a == "Consumer" && (b == "from_hosts" || b == "from_client")
                    );
                }
                _ => return false,
            }
        }
    }

    /// The client service an expression constructs or hands out.
    pub(super) fn expr_client(&self, e: &Expr) -> Option<String> {
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
                        && let Some(s) = self.pre.getters.get(Name::of(&m.method).as_str())
                    {
                        return Some(s.clone());
                    }
                    if !self.pre.client_fields.is_empty()
                        && let Expr::Field(f) = &*m.receiver
                        && let syn::Member::Named(id) = &f.member
                        && let Some(s) = self.pre.client_fields.get(Name::of(id).as_str())
                    {
                        return Some(s.clone());
                    }
                    e = &m.receiver;
                }
                Expr::Field(f) => {
                    if let syn::Member::Named(id) = &f.member
                        && !self.pre.client_fields.is_empty()
                    {
                        return self.pre.client_fields.get(Name::of(id).as_str()).cloned();
                    }
                    return None;
                }
                Expr::Call(c) => {
                    let Expr::Path(fp) = &*c.func else {
                        return None;
                    };
                    // (The segments as strings only for a `…Client` owner,
                    // the one [`client_service`] can name.)
                    let segs = &fp.path.segments;
                    let n = segs.len();
                    if n >= 2 {
                        let owner_last = Name::of(&segs[n - 2].ident);
                        if owner_last.ends_with("Client") {
                            let all = path_segments(&fp.path);
                            if let Some(s) = client_service(&all[..n - 1], &self.pre.client_imports)
                            {
                                return Some(s);
                            }
                        }
                        if let Some(s) = self.pre.aliases.get(owner_last.as_str()) {
                            return Some(s.clone());
                        }
                        let method = Name::of(&segs[n - 1].ident);
                        if let Some(s) =
                            foreign_connect(self.items, owner_last.as_str(), method.as_str())
                        {
                            return Some(s);
                        }
                    }
                    let last = Name::of(&segs.last()?.ident);
                    return self.pre.getters.get(last.as_str()).cloned();
                }
                _ => return None,
            }
        }
    }
}

/// Methods of std types and SQL builders that take a value and hand it to
/// no topic: a call to one with only the caller's parameters is not kept.
const PLUMBING_METHODS: &[&str] = &[
    "bind",
    "push",
    "push_str",
    "insert",
    "get",
    "get_mut",
    "contains",
    "contains_key",
    "remove",
    "entry",
    "extend",
    // (Not `eq`: diesel's `column.eq(topic)` writes an outbox's topic.)
    "ne",
    "starts_with",
    "ends_with",
    "split",
    "join",
    "replace",
    "find",
    "parse",
    "write_str",
    "write_all",
    "len",
    "cmp",
    "matches",
    "strip_prefix",
    "strip_suffix",
    "trim_matches",
    "info",
    "debug",
    "warn",
    "error",
    "trace",
    "set",
    "header",
    "query",
    "execute",
    "fetch_one",
    "fetch_all",
    "fetch_optional",
];
