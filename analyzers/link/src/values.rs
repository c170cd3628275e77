//! Resolve [`StrExpr`]s (topics, URLs) with the facts of a whole crate:
//! constants (in the crate and the local crates it depends on), struct
//! fields (literals, `self.f = ..` in builder methods), function parameters
//! (the arguments of the calls to the function, in the code the service
//! runs), env vars (`nova.toml` `[env]`, then the service's manifests, then
//! the code default).
//!
//! Resolution is demand-driven and bounded (depth 8, 16 texts): a value
//! that comes through a field or a parameter keeps the hops it went through
//! (`file:line` each) in [`Piece::via`], and one that cannot be resolved
//! names the hop where the chain broke.

use nova_rust::graph::{CallRef, ParamRef, SELF_TYPE, StrExpr};
use nova_rust::sql::SqlExpr;
use nova_rust::unit::Crate;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// At most this many texts per expression (cartesian products of lists).
const MAX_TEXTS: usize = 16;

/// At most this many calls followed to resolve one expression (functions
/// returning calls to functions with several values each would otherwise
/// multiply up to the depth bound).
const MAX_CALLS: u32 = 256;

thread_local! {
    /// Calls left to follow in the expression being resolved.
    static CALLS_LEFT: std::cell::Cell<u32> = const { std::cell::Cell::new(MAX_CALLS) };
}

/// One possible value of an expression.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Piece {
    /// The text; unresolved parts appear as `{expr}`.
    pub text: String,
    /// Env vars the value came through (in order).
    pub env: Vec<String>,
    /// Some part could not be resolved.
    pub unresolved: bool,
    /// Where the value went through, from the use back to its origin
    /// (`file:line` of field writes and of the calls giving a parameter).
    pub via: Vec<String>,
}

impl Piece {
    fn lit(s: &str) -> Self {
        Piece {
            text: s.to_string(),
            env: Vec::new(),
            unresolved: false,
            via: Vec::new(),
        }
    }
    fn unknown(t: &str) -> Self {
        Piece {
            text: format!("{{{t}}}"),
            env: Vec::new(),
            unresolved: true,
            via: Vec::new(),
        }
    }
}

/// A call with string-like arguments ([`nova_rust::graph::StrCall`]).
#[derive(Debug, Clone)]
struct CallVal {
    package: String,
    owner: Option<String>,
    args: Vec<StrExpr>,
    /// `file:line` of the call.
    at: String,
    /// The calling function's path.
    function: Option<String>,
}

/// The values a function returns ([`nova_rust::graph::FnReturn`]).
#[derive(Debug, Clone)]
struct ReturnVal {
    package: String,
    /// The `impl` type of a method.
    owner: Option<String>,
    /// File module path + inline module path.
    module: Vec<String>,
    /// The function's path, as in [`ParamRef::function`].
    path: String,
    /// A method taking `self`.
    receiver: bool,
    /// Each value with the `file:line` where it is returned.
    values: Vec<(StrExpr, String)>,
}

/// A call being resolved: the callee's parameters are its arguments,
/// written in `package` (inside the call resolved before it, `parent`).
struct Frame<'a> {
    function: &'a str,
    args: &'a [StrExpr],
    package: &'a str,
    at: String,
    /// The type of `self` (and the package where it is seen), for a
    /// trait's default method.
    self_type: Option<(&'a str, &'a str)>,
    parent: Option<&'a Frame<'a>>,
}

impl<'a> Frame<'a> {
    /// The frame of the call to `function`, innermost first.
    fn of(frame: Option<&'a Frame<'a>>, function: &str) -> Option<&'a Frame<'a>> {
        let mut f = frame;
        while let Some(x) = f {
            if x.function == function {
                return Some(x);
            }
            f = x.parent;
        }
        None
    }
}

/// A type a receiver is seen to have: the type, the package where it is
/// seen, the hops that gave it.
type SeenType = (String, String, Vec<String>);

/// The names of the functions whose parameters appear in `e`.
fn params_in<'e>(e: &'e StrExpr, out: &mut BTreeSet<&'e str>) {
    match e {
        StrExpr::Param(p) => {
            out.insert(p.name.as_str());
        }
        StrExpr::Format { args, .. } => args.iter().for_each(|a| params_in(a, out)),
        StrExpr::List(items) => items.iter().for_each(|a| params_in(a, out)),
        StrExpr::Env {
            default: Some(d), ..
        } => params_in(d, out),
        StrExpr::Call(c) => {
            c.args.iter().for_each(|a| params_in(a, out));
            if let Some(r) = &c.recv {
                params_in(r, out);
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
struct ConstVal {
    /// File module path + inline module path.
    module: Vec<String>,
    value: StrExpr,
    package: String,
    /// Where it is defined: an index into [`Values::files`], the line.
    at: (usize, u32),
}

/// Constants and config fields of every crate, and env values.
///
/// Lookups are indexed (const name -> package, package -> field) so that
/// resolving one expression costs O(definitions of that name in scope),
/// not O(every definition in the repository).
#[derive(Debug, Default)]
pub struct Values {
    /// Every const definition, in indexing order (crate, file, item).
    consts: Vec<ConstVal>,
    /// The files consts are defined in.
    files: Vec<String>,
    /// const name -> package -> indices into `consts` (ascending).
    const_index: HashMap<String, HashMap<String, Vec<usize>>>,
    /// package -> field -> values, with the `file:line` of each write.
    fields: HashMap<String, HashMap<String, Vec<(StrExpr, String)>>>,
    /// callee name -> the calls to it with a string-like argument.
    calls: HashMap<String, Vec<CallVal>>,
    /// function name -> what the functions of that name return.
    returns: HashMap<String, Vec<ReturnVal>>,
    /// type name -> the traits it implements, with the package of each
    /// `impl`.
    impls: HashMap<String, Vec<(String, String)>>,
    /// service -> its packages.
    service_packages: HashMap<String, Vec<String>>,
    /// package -> itself and the local packages it depends on.
    scope: HashMap<String, BTreeSet<String>>,
    /// `nova.toml` `[env]`.
    env: BTreeMap<String, String>,
    /// service -> env var -> value (from its manifests).
    service_env: BTreeMap<String, BTreeMap<String, String>>,
}

fn from_sql(e: &SqlExpr) -> StrExpr {
    match e {
        SqlExpr::Lit(s) => StrExpr::Lit(s.clone()),
        SqlExpr::Const(p) => StrExpr::Const(p.clone()),
        SqlExpr::Format { template, args } => StrExpr::Format {
            template: template.clone(),
            args: args.iter().map(from_sql).collect(),
        },
        SqlExpr::Concat(parts) => {
            let texts: Option<String> = parts
                .iter()
                .map(|p| match p {
                    SqlExpr::Lit(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            match texts {
                Some(t) => StrExpr::Lit(t),
                None => StrExpr::Unknown("concat".into()),
            }
        }
        SqlExpr::Choice(c) => StrExpr::List(c.iter().map(from_sql).collect()),
        SqlExpr::Unknown(t) => StrExpr::Unknown(t.clone()),
        other => StrExpr::Unknown(format!("{other:?}")),
    }
}

impl Values {
    /// Index the crates.
    pub fn new(
        crates: &[Crate],
        closure: &BTreeMap<String, BTreeSet<String>>,
        env: &BTreeMap<String, String>,
        service_env: BTreeMap<String, BTreeMap<String, String>>,
    ) -> Self {
        let mut v = Values {
            env: env.clone(),
            service_env,
            ..Values::default()
        };
        // Only calls to functions whose parameters a value comes from are
        // kept (most calls name none).
        let mut param_fns: BTreeSet<&str> = BTreeSet::new();
        for c in crates {
            for f in &c.files {
                let g = &f.facts.graph;
                let values = g
                    .fields
                    .iter()
                    .map(|fi| &fi.value)
                    .chain(g.str_calls.iter().flat_map(|s| s.args.iter()))
                    .chain(g.sql_args.iter().flat_map(|s| s.args.iter()))
                    .chain(g.topics.iter().map(|t| &t.topic))
                    .chain(g.http_calls.iter().map(|h| &h.url))
                    .chain(g.grpc_clients.iter().filter_map(|c| c.target.as_ref()))
                    .chain(
                        g.returns
                            .iter()
                            .flat_map(|r| r.values.iter().map(|(v, _)| v)),
                    );
                for v in values {
                    params_in(v, &mut param_fns);
                }
            }
        }
        for c in crates {
            let mut s: BTreeSet<String> = closure.get(&c.package).cloned().unwrap_or_default();
            s.insert(c.package.clone());
            v.scope.insert(c.package.clone(), s);
            if let Some(service) = &c.service {
                v.service_packages
                    .entry(service.clone())
                    .or_default()
                    .push(c.package.clone());
            }
            for f in &c.files {
                let mut seen: BTreeSet<(Vec<String>, &str)> = BTreeSet::new();
                let file = v.files.len();
                if !f.facts.graph.consts.is_empty() || !f.facts.consts.is_empty() {
                    v.files.push(f.path.clone());
                }
                for k in &f.facts.graph.consts {
                    let mut module = f.module.clone();
                    module.extend(k.module.iter().cloned());
                    seen.insert((module.clone(), k.name.as_str()));
                    let at = (file, k.line);
                    v.push_const(&k.name, &c.package, module, k.value.clone(), at);
                }
                // The SQL collector's consts cover shapes ours may not.
                for k in &f.facts.consts {
                    let mut module = f.module.clone();
                    module.extend(k.module.iter().cloned());
                    if seen.contains(&(module.clone(), k.name.as_str())) {
                        continue;
                    }
                    v.push_const(
                        &k.name,
                        &c.package,
                        module,
                        from_sql(&k.value),
                        (file, k.line),
                    );
                }
                if !f.facts.graph.fields.is_empty() {
                    let fields = v.fields.entry(c.package.clone()).or_default();
                    for fi in &f.facts.graph.fields {
                        fields
                            .entry(fi.field.clone())
                            .or_default()
                            .push((fi.value.clone(), format!("{}:{}", f.path, fi.line)));
                    }
                }
                if f.in_test {
                    continue;
                }
                for t in &f.facts.graph.trait_impls {
                    v.impls
                        .entry(t.type_name.clone())
                        .or_default()
                        .push((t.trait_name.clone(), c.package.clone()));
                }
                for r in f.facts.graph.returns.iter().filter(|r| !r.in_test) {
                    let mut module = f.module.clone();
                    module.extend(r.module.iter().cloned());
                    v.returns
                        .entry(r.name.clone())
                        .or_default()
                        .push(ReturnVal {
                            package: c.package.clone(),
                            owner: r.owner.clone(),
                            module,
                            path: r.path.clone(),
                            receiver: r.receiver,
                            values: r
                                .values
                                .iter()
                                .map(|(e, line)| (e.clone(), format!("{}:{line}", f.path)))
                                .collect(),
                        });
                }
                let calls = f.facts.graph.str_calls.iter();
                for call in calls.filter(|s| !s.in_test && param_fns.contains(s.callee.as_str())) {
                    v.calls
                        .entry(call.callee.clone())
                        .or_default()
                        .push(CallVal {
                            package: c.package.clone(),
                            owner: call.owner.clone(),
                            args: call.args.clone(),
                            at: format!("{}:{}", f.path, call.line),
                            function: call.function.clone(),
                        });
                }
            }
        }
        v
    }

    /// Record one const definition and index it by (name, package).
    fn push_const(
        &mut self,
        name: &str,
        package: &str,
        module: Vec<String>,
        value: StrExpr,
        at: (usize, u32),
    ) {
        let i = self.consts.len();
        self.consts.push(ConstVal {
            module,
            value,
            package: package.to_string(),
            at,
        });
        let by_package = match self.const_index.get_mut(name) {
            Some(m) => m,
            None => self.const_index.entry(name.to_string()).or_default(),
        };
        match by_package.get_mut(package) {
            Some(ix) => ix.push(i),
            None => {
                by_package.insert(package.to_string(), vec![i]);
            }
        }
    }

    /// The definitions a const path designates from `package`, in indexing
    /// order: among the definitions in scope, those whose module path ends
    /// with the written qualifier (else all of them), and of these the
    /// package's own (else those of its dependencies).
    fn const_defs(&self, package: &str, path: &[String]) -> Vec<&ConstVal> {
        let Some((name, qualifier)) = path.split_last() else {
            return Vec::new();
        };
        let (Some(scope), Some(by_package)) =
            (self.scope.get(package), self.const_index.get(name.as_str()))
        else {
            return Vec::new();
        };
        let prefix: Vec<&String> = qualifier
            .iter()
            .filter(|s| !matches!(s.as_str(), "crate" | "self" | "super" | "Self"))
            .collect();
        let matches = |&i: &usize| {
            let m = &self.consts[i].module;
            prefix.len() <= m.len()
                && m[m.len() - prefix.len()..]
                    .iter()
                    .zip(prefix.iter())
                    .all(|(a, b)| a == *b)
        };
        // `scope` always holds `package` itself.
        let own: &[usize] = by_package.get(package).map(Vec::as_slice).unwrap_or(&[]);
        let own_matching: Vec<usize> = own.iter().copied().filter(matches).collect();
        let chosen = if !own_matching.is_empty() {
            own_matching
        } else {
            let mut others: Vec<usize> = scope
                .iter()
                .filter(|p| p.as_str() != package)
                .filter_map(|p| by_package.get(p))
                .flatten()
                .copied()
                .collect();
            others.sort_unstable();
            let others_matching: Vec<usize> = others.iter().copied().filter(matches).collect();
            if !others_matching.is_empty() {
                others_matching
            } else if !own.is_empty() {
                own.to_vec()
            } else {
                others
            }
        };
        chosen.into_iter().map(|i| &self.consts[i]).collect()
    }

    /// The packages whose facts count for code of `package` run by
    /// `service`: those `package` sees, and those the service's own
    /// packages see (a library's field is set by the service using it).
    fn visible<'s>(&'s self, package: &str, service: Option<&str>) -> BTreeSet<&'s String> {
        let mut out: BTreeSet<&String> = self.scope.get(package).into_iter().flatten().collect();
        if let Some(own) = service.and_then(|s| self.service_packages.get(s)) {
            for p in own {
                out.extend(self.scope.get(p).into_iter().flatten());
            }
        }
        out
    }

    /// The calls to the function of parameter `p` (defined in `package`)
    /// that the service runs: in the packages it sees that can see
    /// `package`.
    fn calls_to<'s>(
        &'s self,
        package: &str,
        service: Option<&str>,
        p: &ParamRef,
    ) -> Vec<&'s CallVal> {
        let visible = self.visible(package, service);
        let mut out = Vec::new();
        for call in self.calls.get(&p.name).into_iter().flatten() {
            let owner_ok = match (&p.owner, &call.owner) {
                (Some(a), Some(b)) => a == b,
                // A method called on a value of unknown type.
                (_, None) => true,
                (None, Some(_)) => false,
            };
            let sees = self
                .scope
                .get(&call.package)
                .is_some_and(|s| s.contains(package));
            if !owner_ok || !sees || !visible.contains(&call.package) {
                continue;
            }
            // The function forwarding to itself.
            if call.function.as_deref() == Some(p.function.as_str()) {
                continue;
            }
            out.push(call);
        }
        out
    }

    /// The values of parameter `p` of a function defined in `package`: the
    /// arguments of the calls to it that the service runs (calls in the
    /// packages it sees that can see `package`), each resolved where it is
    /// made.
    fn param(&self, package: &str, service: Option<&str>, p: &ParamRef, d: u32) -> Vec<Piece> {
        let mut out = Vec::new();
        let mut calls = 0usize;
        for call in self.calls_to(package, service, p) {
            calls += 1;
            match call.args.get(p.index) {
                Some(arg) if !self.may_resolve(arg) => {}
                None => {}
                Some(arg) => {
                    for mut piece in self.eval(&call.package, service, arg, None, d) {
                        piece.via.insert(0, call.at.clone());
                        out.push(piece);
                        if out.len() >= MAX_TEXTS {
                            return out;
                        }
                    }
                }
            }
        }
        if out.is_empty() {
            let why = if calls == 0 {
                "no call to it is reached"
            } else {
                "no call gives it a static value"
            };
            return vec![Piece::unknown(&format!(
                "parameter #{} of `{}` (line {}): {why}",
                p.index, p.function, p.line
            ))];
        }
        out
    }

    /// Every possible value of `e` seen from `package` (run by `service`).
    pub fn resolve(&self, package: &str, service: Option<&str>, e: &StrExpr) -> Vec<Piece> {
        CALLS_LEFT.with(|c| c.set(MAX_CALLS));
        let mut out = self.eval(package, service, e, None, 0);
        out.sort();
        out.dedup();
        out.truncate(MAX_TEXTS);
        out
    }

    /// Whether `e` can give a value at all: not an unknown expression, not
    /// a value of a type, not a call to a function nowhere defined.
    pub fn may_resolve(&self, e: &StrExpr) -> bool {
        match e {
            StrExpr::Unknown(_) | StrExpr::Typed(_) => false,
            StrExpr::Call(c) => c.assoc_const || self.returns.contains_key(&c.name),
            _ => true,
        }
    }

    /// Whether a method call's receiver is of a type one of the project's
    /// functions of that name is a method of.
    pub fn is_project_method(&self, c: &CallRef) -> bool {
        let Some(StrExpr::Typed(t)) = &c.recv else {
            return c.recv.is_some() && self.returns.contains_key(&c.name);
        };
        self.returns
            .get(&c.name)
            .is_some_and(|v| v.iter().any(|r| r.owner.as_deref() == Some(t.as_str())))
    }

    fn eval(
        &self,
        package: &str,
        service: Option<&str>,
        e: &StrExpr,
        frame: Option<&Frame<'_>>,
        depth: u32,
    ) -> Vec<Piece> {
        if depth > 8 {
            return vec![Piece::unknown("...")];
        }
        let d = depth + 1;
        match e {
            StrExpr::Lit(s) => vec![Piece::lit(s)],
            StrExpr::Unknown(t) => vec![Piece::unknown(t)],
            StrExpr::List(items) => {
                let mut out = Vec::new();
                for i in items {
                    out.extend(self.eval(package, service, i, frame, d));
                    if out.len() >= MAX_TEXTS {
                        break;
                    }
                }
                out
            }
            StrExpr::Env { var, default } => {
                let value = self.env.get(var).or_else(|| {
                    service
                        .and_then(|s| self.service_env.get(s))
                        .and_then(|m| m.get(var))
                });
                let mut pieces = match (value, default) {
                    (Some(v), _) => vec![Piece::lit(v)],
                    (None, Some(def)) => self.eval(package, service, def, frame, d),
                    (None, None) => vec![Piece {
                        text: format!("${{{var}}}"),
                        env: Vec::new(),
                        unresolved: true,
                        via: Vec::new(),
                    }],
                };
                for p in &mut pieces {
                    p.env.insert(0, var.clone());
                }
                pieces
            }
            StrExpr::Const(path) => {
                if path.is_empty() {
                    return vec![Piece::unknown("")];
                }
                let chosen = self.const_defs(package, path);
                if chosen.is_empty() {
                    return vec![Piece::unknown(&path.join("::"))];
                }
                let mut out = Vec::new();
                for c in chosen {
                    out.extend(self.eval(&c.package, service, &c.value, None, d));
                }
                out
            }
            StrExpr::Field(name) => {
                let mut values: Vec<(&String, &StrExpr, &String)> = Vec::new();
                for p in self.visible(package, service) {
                    if let Some(vs) = self.fields.get(p).and_then(|m| m.get(name)) {
                        values.extend(vs.iter().map(|(v, at)| (p, v, at)));
                    }
                }
                if values.is_empty() {
                    return vec![Piece::unknown(name)];
                }
                let mut out = Vec::new();
                for (p, v, at) in values {
                    for mut piece in self.eval(p, service, v, None, d) {
                        piece.via.insert(0, at.clone());
                        out.push(piece);
                    }
                }
                out
            }
            StrExpr::Param(p) => match Frame::of(frame, &p.function) {
                // Inside the function's value at one call: that call's
                // argument.
                Some(f) => match f.args.get(p.index) {
                    Some(a) if self.may_resolve(a) => self.eval(f.package, service, a, f.parent, d),
                    _ => vec![Piece::unknown(&format!(
                        "parameter #{} of `{}`: the call at {} gives no static value",
                        p.index, p.function, f.at
                    ))],
                },
                None => self.param(package, service, p, d),
            },
            StrExpr::Call(c) => self.call(package, service, c, frame, d),
            StrExpr::Typed(t) => vec![Piece::unknown(t)],
            StrExpr::Format { template, args } => {
                let parts: Vec<&str> = template.split("{}").collect();
                let mut acc = vec![Piece::lit(parts.first().copied().unwrap_or(""))];
                for (i, part) in parts.iter().enumerate().skip(1) {
                    let arg = args
                        .get(i - 1)
                        .map(|a| self.eval(package, service, a, frame, d))
                        .unwrap_or_else(|| vec![Piece::unknown("")]);
                    let mut next = Vec::new();
                    'outer: for a in &acc {
                        for b in &arg {
                            let mut env = a.env.clone();
                            env.extend(b.env.iter().cloned());
                            let mut via = a.via.clone();
                            via.extend(b.via.iter().cloned());
                            next.push(Piece {
                                text: format!("{}{}{}", a.text, b.text, part),
                                env,
                                unresolved: a.unresolved || b.unresolved,
                                via,
                            });
                            if next.len() >= MAX_TEXTS {
                                break 'outer;
                            }
                        }
                    }
                    acc = next;
                }
                acc
            }
        }
    }
}

/// What calls return (see [`StrExpr::Call`]).
impl Values {
    /// The types `e` (a method's receiver) is seen to have from `package`:
    /// a [`StrExpr::Typed`] as is, a parameter through the calls giving it.
    fn types(
        &self,
        package: &str,
        service: Option<&str>,
        e: &StrExpr,
        frame: Option<&Frame<'_>>,
        d: u32,
    ) -> Vec<SeenType> {
        if d > 8 {
            return Vec::new();
        }
        match e {
            // `self` in a trait's default method: the type it is called on.
            StrExpr::Typed(t) if t == SELF_TYPE => frame
                .and_then(|f| f.self_type)
                .map(|(t, p)| vec![(t.to_string(), p.to_string(), Vec::new())])
                .unwrap_or_default(),
            StrExpr::Typed(t) => vec![(t.clone(), package.to_string(), Vec::new())],
            StrExpr::Param(p) => {
                if let Some(f) = Frame::of(frame, &p.function) {
                    return match f.args.get(p.index) {
                        Some(a) => self.types(f.package, service, a, f.parent, d + 1),
                        None => Vec::new(),
                    };
                }
                let mut out: Vec<SeenType> = Vec::new();
                for call in self.calls_to(package, service, p) {
                    let Some(arg) = call.args.get(p.index) else {
                        continue;
                    };
                    for (t, pkg, mut via) in self.types(&call.package, service, arg, None, d + 1) {
                        via.insert(0, call.at.clone());
                        out.push((t, pkg, via));
                        if out.len() >= MAX_TEXTS {
                            return out;
                        }
                    }
                }
                out
            }
            _ => Vec::new(),
        }
    }

    /// ` (line n)` of a call, where it was recorded.
    fn line_of(c: &CallRef) -> String {
        match c.line {
            0 => String::new(),
            n => format!(" (line {n})"),
        }
    }

    /// Why a receiver's type is not seen, for the diagnostic.
    fn untyped(c: &CallRef) -> Piece {
        let why = match &c.recv {
            Some(StrExpr::Param(p)) => format!(
                "no call reached gives parameter #{} of `{}` a value of a known type",
                p.index, p.function
            ),
            _ => "the receiver's type is not seen".to_string(),
        };
        Piece::unknown(&format!("`{}`{}: {why}", c.text, Self::line_of(c)))
    }

    /// The values of a call: what the functions it can call return (a
    /// method of the receiver's type, `Type::f`, a free function whose
    /// module path ends with the written one), each with the call's
    /// arguments for the function's parameters.
    fn call(
        &self,
        package: &str,
        service: Option<&str>,
        c: &CallRef,
        frame: Option<&Frame<'_>>,
        d: u32,
    ) -> Vec<Piece> {
        let left = CALLS_LEFT.with(|l| {
            let n = l.get();
            l.set(n.saturating_sub(1));
            n
        });
        if left == 0 {
            return vec![Piece::unknown(&format!(
                "`{}`{}: more than {MAX_CALLS} calls to follow",
                c.text,
                Self::line_of(c)
            ))];
        }
        if c.assoc_const {
            return self.assoc_const(package, service, c, frame, d);
        }
        // No function of that name returns a string: the call is someone
        // else's, unresolved as it is written.
        let Some(candidates) = self.returns.get(&c.name) else {
            return vec![Piece::unknown(&c.text)];
        };
        // (The function, the hops that gave the receiver's type, that type.)
        let mut chosen: Vec<(&ReturnVal, Vec<String>, Option<SeenType>)> = Vec::new();
        let by_type = match (&c.recv, c.owner.as_deref()) {
            (Some(recv), _) => Some(recv.clone()),
            // `Self::f()` in a trait's default method.
            (None, Some(o)) if o == SELF_TYPE => Some(StrExpr::Typed(SELF_TYPE.to_string())),
            _ => None,
        };
        match by_type {
            Some(recv) => {
                let types = self.types(package, service, &recv, frame, d);
                if types.is_empty() {
                    // `self.f()` in a trait's default method, not called
                    // on a known type: as it was written.
                    if matches!(&recv, StrExpr::Typed(t) if t == SELF_TYPE) {
                        return vec![Piece::unknown(&c.text)];
                    }
                    return vec![Self::untyped(c)];
                }
                for seen in types {
                    let (t, pkg, via) = &seen;
                    let visible = self.visible(pkg, service);
                    let own: Vec<&ReturnVal> = candidates
                        .iter()
                        .filter(|r| r.owner.as_deref() == Some(t) && visible.contains(&r.package))
                        .collect();
                    // Else the default of a trait the type implements.
                    let methods = if own.is_empty() {
                        let traits = self.impls.get(t).into_iter().flatten();
                        let traits: Vec<&String> = traits
                            .filter(|(_, p)| visible.contains(p))
                            .map(|(tr, _)| tr)
                            .collect();
                        candidates
                            .iter()
                            .filter(|r| {
                                r.owner.as_ref().is_some_and(|o| traits.contains(&o))
                                    && visible.contains(&r.package)
                            })
                            .collect()
                    } else {
                        own
                    };
                    for r in methods {
                        chosen.push((r, via.clone(), Some(seen.clone())));
                    }
                }
            }
            None => {
                let visible = self.visible(package, service);
                for r in candidates {
                    let qualified = r.module.len() >= c.qualifier.len()
                        && r.module[r.module.len() - c.qualifier.len()..] == c.qualifier[..];
                    if r.owner == c.owner && qualified && visible.contains(&r.package) {
                        chosen.push((r, Vec::new(), None));
                    }
                }
                // The caller's own package's function, when it has one (a
                // name defined there is the one it calls).
                if chosen.iter().any(|(r, _, _)| r.package == package) {
                    chosen.retain(|(r, _, _)| r.package == package);
                }
            }
        }
        if chosen.is_empty() {
            return vec![Piece::unknown(&c.text)];
        }
        let mut out = Vec::new();
        for (r, via, seen) in &chosen {
            // `Type::method(x, ..)`: `x` is the receiver, not parameter #0.
            let ufcs = r.receiver && c.recv.is_none() && c.owner.is_some();
            let f = Frame {
                function: &r.path,
                args: if ufcs && !c.args.is_empty() {
                    &c.args[1..]
                } else {
                    &c.args
                },
                package,
                at: match c.line {
                    0 => format!("`{}`", c.name),
                    n => format!("line {n}"),
                },
                self_type: seen.as_ref().map(|(t, p, _)| (t.as_str(), p.as_str())),
                parent: frame,
            };
            for (v, at) in &r.values {
                let pieces = match v {
                    StrExpr::Unknown(t) => vec![Piece::unknown(&format!(
                        "`{}`: `{}` returns `{t}` ({at})",
                        c.text, r.path
                    ))],
                    v => self.eval(&r.package, service, v, Some(&f), d),
                };
                for mut piece in pieces {
                    let mut hops = via.clone();
                    hops.push(at.clone());
                    hops.append(&mut piece.via);
                    piece.via = hops;
                    out.push(piece);
                    if out.len() >= MAX_TEXTS {
                        return out;
                    }
                }
            }
        }
        out
    }

    /// `E::TOPIC`: the const of each type the parameter typed `E` is given,
    /// defined in that type's `impl`.
    fn assoc_const(
        &self,
        package: &str,
        service: Option<&str>,
        c: &CallRef,
        frame: Option<&Frame<'_>>,
        d: u32,
    ) -> Vec<Piece> {
        let Some(recv) = &c.recv else {
            return vec![Piece::unknown(&c.text)];
        };
        let types = self.types(package, service, recv, frame, d);
        if types.is_empty() {
            // `Self::TOPIC` in a trait's default method, not called on a
            // known type: every `TOPIC` seen, as before.
            if matches!(recv, StrExpr::Typed(t) if t == SELF_TYPE) {
                return self.eval(
                    package,
                    service,
                    &StrExpr::Const(vec![c.name.clone()]),
                    None,
                    d,
                );
            }
            return vec![Self::untyped(c)];
        }
        let mut out = Vec::new();
        for (t, pkg, via) in types {
            let path = [t.clone(), c.name.clone()];
            let defs: Vec<&ConstVal> = self
                .const_defs(&pkg, &path)
                .into_iter()
                .filter(|k| k.module.last() == Some(&t))
                .collect();
            if defs.is_empty() {
                let mut p = Piece::unknown(&format!("`{t}::{}`: no such const is seen", c.name));
                p.via = via.clone();
                out.push(p);
                continue;
            }
            for k in defs {
                let at = format!(
                    "{}:{}",
                    self.files.get(k.at.0).map_or("", String::as_str),
                    k.at.1
                );
                for mut piece in self.eval(&k.package, service, &k.value, None, d) {
                    let mut hops = via.clone();
                    hops.push(at.clone());
                    hops.append(&mut piece.via);
                    piece.via = hops;
                    out.push(piece);
                    if out.len() >= MAX_TEXTS {
                        return out;
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nova_rust::FileFacts;
    use nova_rust::graph::{FieldInit, TopicConst};
    use nova_rust::unit::ParsedFile;

    fn krate(package: &str, deps: &[&str], module: &[&str], facts: FileFacts) -> Crate {
        Crate {
            package: package.into(),
            dir: package.into(),
            service: None,
            local_deps: deps.iter().map(|d| d.to_string()).collect(),
            external_deps: Vec::new(),
            dialect: Default::default(),
            files: vec![ParsedFile {
                path: format!("{package}/src/x.rs"),
                module: module.iter().map(|m| m.to_string()).collect(),
                in_test: false,
                facts,
            }],
        }
    }

    #[test]
    fn consts_fields_env_formats() {
        let mut lib = FileFacts::default();
        lib.graph.consts.push(TopicConst {
            name: "CONTENT_EVENTS".into(),
            module: vec![],
            value: StrExpr::Lit("content-events".into()),
            line: 1,
        });
        let mut svc = FileFacts::default();
        svc.graph.fields.push(FieldInit {
            field: "content_url".into(),
            value: StrExpr::Env {
                var: "CONTENT_SERVICE_URL".into(),
                default: Some(Box::new(StrExpr::Lit("http://content:8080".into()))),
            },
            line: 3,
        });
        let crates = vec![
            krate("events", &[], &["topics"], lib),
            krate("feed", &["events"], &[], svc),
        ];
        let mut closure = BTreeMap::new();
        closure.insert("feed".to_string(), BTreeSet::from(["events".to_string()]));
        let mut env = BTreeMap::new();
        env.insert("KAFKA_TOPIC_PREFIX".to_string(), "prod".to_string());
        let v = Values::new(&crates, &closure, &env, BTreeMap::new());
        let texts = |e: &StrExpr| -> Vec<(String, bool)> {
            v.resolve("feed", Some("feed"), e)
                .into_iter()
                .map(|p| (p.text, p.unresolved))
                .collect()
        };
        assert_eq!(
            texts(&StrExpr::Const(vec![
                "topics".into(),
                "CONTENT_EVENTS".into()
            ])),
            vec![("content-events".to_string(), false)]
        );
        assert_eq!(
            texts(&StrExpr::Const(vec!["OTHER".into()])),
            vec![("{OTHER}".to_string(), true)]
        );
        let url = v.resolve(
            "feed",
            Some("feed"),
            &StrExpr::Format {
                template: "{}/posts".into(),
                args: vec![StrExpr::Field("content_url".into())],
            },
        );
        assert_eq!(url.len(), 1);
        assert_eq!(url[0].text, "http://content:8080/posts");
        assert_eq!(url[0].env, vec!["CONTENT_SERVICE_URL".to_string()]);
        let prefixed = StrExpr::Format {
            template: "{}.content.events".into(),
            args: vec![StrExpr::Env {
                var: "KAFKA_TOPIC_PREFIX".into(),
                default: Some(Box::new(StrExpr::Lit("nova".into()))),
            }],
        };
        assert_eq!(
            texts(&prefixed),
            vec![("prod.content.events".to_string(), false)]
        );
        // The library cannot see the service's fields.
        assert!(v.resolve("events", None, &StrExpr::Field("content_url".into()))[0].unresolved);
    }

    fn call(name: &str, args: Vec<StrExpr>) -> StrExpr {
        StrExpr::Call(Box::new(CallRef {
            name: name.into(),
            owner: None,
            qualifier: Vec::new(),
            recv: None,
            args,
            assoc_const: false,
            text: format!("{name}(..)"),
            line: 1,
        }))
    }

    fn returning(name: &str, values: Vec<StrExpr>) -> nova_rust::graph::FnReturn {
        nova_rust::graph::FnReturn {
            name: name.into(),
            path: name.into(),
            owner: None,
            module: Vec::new(),
            receiver: false,
            values: values.into_iter().map(|v| (v, 2)).collect(),
            line: 1,
            in_test: false,
        }
    }

    #[test]
    fn returns_with_arguments_and_recursion_that_ends() {
        let mut facts = FileFacts::default();
        let param = |f: &str| {
            StrExpr::Param(Box::new(ParamRef {
                function: f.into(),
                name: f.into(),
                owner: None,
                index: 0,
                line: 1,
            }))
        };
        // `fn topic_for(kind) -> String { format!("events.{}", kind) }`
        facts.graph.returns.push(returning(
            "topic_for",
            vec![StrExpr::Format {
                template: "events.{}".into(),
                args: vec![param("topic_for")],
            }],
        ));
        // `fn wrap(k) -> String { topic_for(k) }`: a parameter handed on.
        facts.graph.returns.push(returning(
            "wrap",
            vec![call("topic_for", vec![param("wrap")])],
        ));
        // `fn ping() { pong() }`, `fn pong() { if .. { "pong" } else { ping() } }`.
        facts
            .graph
            .returns
            .push(returning("ping", vec![call("pong", vec![])]));
        facts.graph.returns.push(returning(
            "pong",
            vec![StrExpr::Lit("pong".into()), call("ping", vec![])],
        ));
        let crates = vec![krate("svc", &[], &[], facts)];
        let v = Values::new(&crates, &BTreeMap::new(), &BTreeMap::new(), BTreeMap::new());
        let texts = |e: &StrExpr| -> Vec<(String, bool)> {
            v.resolve("svc", Some("svc"), e)
                .into_iter()
                .map(|p| (p.text, p.unresolved))
                .collect()
        };
        assert_eq!(
            texts(&call("wrap", vec![StrExpr::Lit("orders".into())])),
            vec![("events.orders".to_string(), false)]
        );
        let pieces = v.resolve(
            "svc",
            Some("svc"),
            &call("wrap", vec![StrExpr::Lit("x".into())]),
        );
        assert_eq!(pieces[0].via, vec!["svc/src/x.rs:2", "svc/src/x.rs:2"]);
        // The recursion stops at the depth bound: `pong` once, and what is
        // left unresolved.
        let ping = texts(&call("ping", vec![]));
        assert!(ping.contains(&("pong".to_string(), false)), "{ping:?}");
        assert!(ping.len() <= MAX_TEXTS, "{ping:?}");
        // A function of the caller's own package hides one of the same
        // name in a dependency.
        let mut lib = FileFacts::default();
        lib.graph
            .returns
            .push(returning("name", vec![StrExpr::Lit("lib.name".into())]));
        let mut own = FileFacts::default();
        own.graph
            .returns
            .push(returning("name", vec![StrExpr::Lit("svc.name".into())]));
        let crates = vec![
            krate("lib", &[], &[], lib),
            krate("app", &["lib"], &[], own),
        ];
        let mut closure = BTreeMap::new();
        closure.insert("app".to_string(), BTreeSet::from(["lib".to_string()]));
        let o = Values::new(&crates, &closure, &BTreeMap::new(), BTreeMap::new());
        let got: Vec<String> = o
            .resolve("app", None, &call("name", vec![]))
            .into_iter()
            .map(|p| p.text)
            .collect();
        assert_eq!(got, ["svc.name"]);
        let got: Vec<String> = o
            .resolve("lib", None, &call("name", vec![]))
            .into_iter()
            .map(|p| p.text)
            .collect();
        assert_eq!(got, ["lib.name"]);
        // `Topics::of(&self, kind)` called `Topics::of(&t, "x")`: the
        // first argument is the receiver.
        let mut ufcs = FileFacts::default();
        let mut of = returning("of", vec![param("Topics::of")]);
        of.path = "Topics::of".into();
        of.owner = Some("Topics".into());
        of.receiver = true;
        ufcs.graph.returns.push(of);
        let crates = vec![krate("ufcs", &[], &[], ufcs)];
        let u = Values::new(&crates, &BTreeMap::new(), &BTreeMap::new(), BTreeMap::new());
        let mut c = call(
            "of",
            vec![StrExpr::Typed("Topics".into()), StrExpr::Lit("x".into())],
        );
        if let StrExpr::Call(r) = &mut c {
            r.owner = Some("Topics".into());
        }
        let got: Vec<String> = u
            .resolve("ufcs", None, &c)
            .into_iter()
            .map(|p| p.text)
            .collect();
        assert_eq!(got, ["x"]);
        // Sixteen values, each a call to a function of sixteen values, down
        // to the depth bound: the calls followed are bounded.
        let mut wide = FileFacts::default();
        for level in 0..9 {
            let next = format!("f{}", level + 1);
            let values = (0..16).map(|_| call(&next, vec![])).collect();
            wide.graph
                .returns
                .push(returning(&format!("f{level}"), values));
        }
        let crates = vec![krate("wide", &[], &[], wide)];
        let w = Values::new(&crates, &BTreeMap::new(), &BTreeMap::new(), BTreeMap::new());
        let pieces = w.resolve("wide", None, &call("f0", vec![]));
        assert!(pieces.iter().all(|p| p.unresolved), "{pieces:?}");
        // A call to a function nowhere defined is as it was written.
        assert_eq!(
            texts(&call("elsewhere", vec![])),
            vec![("{elsewhere(..)}".to_string(), true)]
        );
    }
}
