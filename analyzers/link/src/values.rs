//! Resolve [`StrExpr`]s (topics, URLs) with the facts of a whole crate:
//! constants (in the crate and the local crates it depends on), struct
//! fields (literals, `self.f = ..` in builder methods), function parameters
//! (the arguments of the calls to the function, in the code the service
//! runs), env vars (`nova.toml` `[env]`, then the service's manifests, then
//! the code default).
//!
//! Resolution is demand-driven and bounded (depth 8, 16 alternatives of one
//! value, 256 elements of a list, 256 calls followed): a value that comes
//! through a field or a parameter keeps the hops it went through
//! (`file:line` each) in [`Piece::via`], and one that cannot be resolved
//! names the hop where the chain broke. A bound that cuts values is never
//! silent: [`Values::resolve_all`] says so in [`Resolved::cut`], for the
//! caller to report where (N015, [`crate::cuts`]).

use nova_rust::graph::{CallRef, ParamRef, SELF_TYPE, SelfField, StrExpr};
use nova_rust::sql::SqlExpr;
use nova_rust::unit::Crate;
use std::collections::{BTreeMap, BTreeSet, HashMap};

mod calls;
mod join;
#[cfg(test)]
mod tests;

mod bounds;
pub use bounds::{Bound, Cut};
use bounds::{CALLS_LEFT, CUT, CUTS, MAX_CALLS, MAX_DEPTH, MAX_ELEMENTS, MAX_TEXTS};

/// Every value of an expression, and what a bound cut, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The values, sorted and deduplicated.
    pub pieces: Vec<Piece>,
    /// Values dropped by a bound: the caller reports them, with the place.
    pub cut: Option<Cut>,
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

    /// The same value as `other`, maybe through other hops.
    fn same_value(&self, other: &Piece) -> bool {
        self.text == other.text && self.env == other.env && self.unresolved == other.unresolved
    }
}

/// How many values `pieces` hold (pieces of one value through other hops
/// count once).
fn values_in(pieces: &[Piece]) -> usize {
    pieces
        .iter()
        .enumerate()
        .filter(|(i, p)| !pieces[..*i].iter().any(|q| q.same_value(p)))
        .count()
}

/// Add `piece` to `out`, which holds at most [`MAX_TEXTS`] values: false
/// when it is a value past that bound (recorded as a [`Cut`]). A value
/// already held, through other hops, is no new alternative: its hops are
/// kept too, up to [`MAX_ELEMENTS`] pieces (then only the value counts).
fn keep(out: &mut Vec<Piece>, piece: Piece) -> bool {
    if out.iter().any(|p| p.same_value(&piece)) {
        if out.len() < MAX_ELEMENTS {
            out.push(piece);
        }
        return true;
    }
    // (Fewer pieces than the bound: fewer values too.)
    if out.len() >= MAX_TEXTS && values_in(out) >= MAX_TEXTS {
        Cut::record(Bound::Alternatives, None);
        return false;
    }
    out.push(piece);
    true
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
    /// Values the walk did not keep ([`nova_rust::graph::FnReturn::cut`]).
    cut: u32,
}

/// The type a function is declared to return ([`nova_rust::graph::FnType`]).
#[derive(Debug, Clone)]
struct TypeVal {
    package: String,
    /// The `impl` type of a method.
    owner: Option<String>,
    /// File module path + inline module path.
    module: Vec<String>,
    ty: String,
    /// Inside a `Result`/`Option`.
    wrapped: bool,
    /// `file:line` of the function.
    at: String,
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

/// Whether a parameter of a function appears in `e` (its values come
/// through the function's callers).
pub(crate) fn names_param(e: &StrExpr) -> bool {
    let mut out = BTreeSet::new();
    params_in(e, &mut out);
    !out.is_empty()
}

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

/// A struct field's declared type ([`nova_rust::graph::StructField`]).
#[derive(Debug, Clone)]
struct FieldType {
    package: String,
    ty: String,
    /// The crate the type is imported from, when another's.
    from: Option<String>,
    /// `file:line` of the field.
    at: String,
}

/// Where a type imported from crate `k` is defined, seen from a package.
enum Home<'a> {
    /// A package of the workspace.
    Package(&'a str),
    /// Not a crate: a module of the package itself.
    Local,
    /// Another crate's, not the workspace's: no method of it is seen.
    Foreign,
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
    /// function name -> the types the functions of that name are declared
    /// to return.
    fn_types: HashMap<String, Vec<TypeVal>>,
    /// (struct, field) -> the type each package declares the field with,
    /// and where (`file:line`): a field of `self` declared in another file.
    struct_fields: HashMap<(String, String), Vec<FieldType>>,
    /// crate name (`ext_config`) -> its package, for the workspace's.
    crate_packages: HashMap<String, String>,
    /// (package, module) for each file's first module segment: a name
    /// that is a module of the package, not a crate.
    modules: BTreeSet<(String, String)>,
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
            v.crate_packages
                .insert(c.package.replace('-', "_"), c.package.clone());
            for f in &c.files {
                if let Some(m) = f.module.first() {
                    v.modules.insert((c.package.clone(), m.clone()));
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
                for sf in &f.facts.graph.struct_fields {
                    v.struct_fields
                        .entry((sf.owner.clone(), sf.field.clone()))
                        .or_default()
                        .push(FieldType {
                            package: c.package.clone(),
                            ty: sf.ty.clone(),
                            from: sf.from.clone(),
                            at: format!("{}:{}", f.path, sf.line),
                        });
                }
                for t in &f.facts.graph.trait_impls {
                    v.impls
                        .entry(t.type_name.clone())
                        .or_default()
                        .push((t.trait_name.clone(), c.package.clone()));
                }
                for t in f.facts.graph.fn_types.iter().filter(|t| !t.in_test) {
                    let mut module = f.module.clone();
                    module.extend(t.module.iter().cloned());
                    v.fn_types.entry(t.name.clone()).or_default().push(TypeVal {
                        package: c.package.clone(),
                        owner: t.owner.clone(),
                        module,
                        ty: t.ty.clone(),
                        wrapped: t.wrapped,
                        at: format!("{}:{}", f.path, t.line),
                    });
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
                            cut: r.cut,
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
        let cuts = Cut::count();
        for call in self.calls_to(package, service, p) {
            calls += 1;
            match call.args.get(p.index) {
                Some(arg) if !self.may_give(arg) => {}
                None => {}
                Some(arg) => {
                    let pieces = self.eval(&call.package, service, arg, None, d);
                    if calls::push_behind(&mut out, pieces, &[], &call.at) {
                        return out;
                    }
                }
            }
        }
        // (Every value cut by a bound: the cut says so.)
        if out.is_empty() && Cut::count() == cuts {
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

    /// `e`, naming parameters of `p`'s function, evaluated at each call
    /// of that function in a frame of its arguments: the values of one
    /// call stay together, and each takes the call as a hop. With
    /// `needed`, a call whose argument for one of those parameters can give
    /// no value is skipped. Empty when no call gives a value.
    #[allow(clippy::too_many_arguments)]
    fn per_call(
        &self,
        package: &str,
        service: Option<&str>,
        e: &StrExpr,
        p: &ParamRef,
        needed: Option<&[usize]>,
        frame: Option<&Frame<'_>>,
        d: u32,
    ) -> Vec<Piece> {
        let mut out = Vec::new();
        for call in self.calls_to(package, service, p) {
            let gives = |i: &usize| call.args.get(*i).is_some_and(|a| self.may_give(a));
            if needed.is_some_and(|n| !n.iter().all(gives)) {
                continue;
            }
            let f = Frame {
                function: &p.function,
                args: &call.args,
                package: &call.package,
                at: call.at.clone(),
                self_type: None,
                parent: frame,
            };
            let pieces = self.eval(package, service, e, Some(&f), d);
            if calls::push_behind(&mut out, pieces, &[], &call.at) {
                return out;
            }
        }
        out
    }

    /// Every possible value of `e` seen from `package` (run by `service`).
    /// (What a bound cut is dropped: see [`Values::resolve_all`].)
    #[cfg(test)]
    pub fn resolve(&self, package: &str, service: Option<&str>, e: &StrExpr) -> Vec<Piece> {
        self.resolve_all(package, service, e).pieces
    }

    /// Every possible value of `e` seen from `package` (run by `service`),
    /// with what the bounds cut.
    pub fn resolve_all(&self, package: &str, service: Option<&str>, e: &StrExpr) -> Resolved {
        CALLS_LEFT.with(|c| c.set(MAX_CALLS));
        CUT.with(|c| c.set(None));
        CUTS.with(|c| c.set(0));
        let mut out = self.eval(package, service, e, None, 0);
        out.sort();
        out.dedup();
        let bound = match e {
            StrExpr::List(_) => Bound::Elements,
            _ => Bound::Alternatives,
        };
        // Where each value starts (sorted, the pieces of one value are next
        // to each other): those past the bound are cut.
        let starts: Vec<usize> = (0..out.len())
            .filter(|&i| i == 0 || !out[i].same_value(&out[i - 1]))
            .collect();
        if let Some(&end) = starts.get(bound.limit()) {
            Cut::record(bound, Some(starts.len() - bound.limit()));
            out.truncate(end);
        }
        Resolved {
            pieces: out,
            cut: CUT.with(|c| c.take()),
        }
    }

    /// Whether `e` can give a value at all: not an unknown expression, not
    /// a value of a type, not a call to a function nowhere defined.
    pub fn may_resolve(&self, e: &StrExpr) -> bool {
        match e {
            StrExpr::Unknown(_)
            | StrExpr::Typed(_)
            | StrExpr::Declared(_)
            | StrExpr::SelfField(_) => false,
            StrExpr::Call(c) => c.assoc_const || self.returns.contains_key(&c.name),
            _ => true,
        }
    }

    /// Whether an argument handed to a function can give that function's
    /// parameter a value: [`Values::may_resolve`], and a method called on
    /// what a declaration types (`publish(self.cfg.topic(), ..)`) only when
    /// that type has a method of that name of the project's (another
    /// crate's `Config::topic` gives none: the argument is as unknown as
    /// an expression nova does not follow).
    pub fn may_give(&self, e: &StrExpr) -> bool {
        match e {
            StrExpr::Call(c) if calls::by_declaration(c) => {
                self.may_resolve(e) && self.is_project_method(c)
            }
            _ => self.may_resolve(e),
        }
    }

    /// The declarations of field `f` of `self`, in every package.
    fn field_types(&self, f: &SelfField) -> &[FieldType] {
        self.struct_fields
            .get(&(f.owner.clone(), f.field.clone()))
            .map_or(&[], Vec::as_slice)
    }

    /// The declaration of field `f` of `self` in `package` (another file
    /// of the crate).
    fn field_type(&self, package: &str, f: &SelfField) -> Option<&FieldType> {
        self.field_types(f).iter().find(|t| t.package == package)
    }

    /// Where a type imported from crate `krate` is defined, seen from
    /// `package` (`None`: from any package).
    fn home<'s>(&'s self, package: Option<&str>, krate: &str) -> Home<'s> {
        if let Some(p) = self.crate_packages.get(krate) {
            return Home::Package(p);
        }
        let local = match package {
            Some(p) => self.modules.contains(&(p.to_string(), krate.to_string())),
            None => self.modules.iter().any(|(_, m)| m == krate),
        };
        if local { Home::Local } else { Home::Foreign }
    }

    /// The type `ty` a declaration in `package` gives a receiver, imported
    /// from crate `from`: seen in the package defining it; another crate's
    /// (not the workspace's) is named with its crate, so that no method of
    /// a type of the same name elsewhere is taken for its.
    fn declared_type(&self, package: &str, ty: &str, from: Option<&str>, hop: String) -> SeenType {
        match from.map(|k| (k, self.home(Some(package), k))) {
            Some((_, Home::Package(p))) => (ty.to_string(), p.to_string(), vec![hop]),
            Some((k, Home::Foreign)) => (format!("{k}::{ty}"), package.to_string(), vec![hop]),
            Some((_, Home::Local)) | None => (ty.to_string(), package.to_string(), vec![hop]),
        }
    }

    /// Whether a declaration's type, imported from crate `from`, can be a
    /// type of the project's.
    fn project_type(&self, from: Option<&str>) -> bool {
        from.is_none_or(|k| !matches!(self.home(None, k), Home::Foreign))
    }

    /// Whether a method call's receiver is of a type one of the project's
    /// functions of that name is a method of.
    pub fn is_project_method(&self, c: &CallRef) -> bool {
        let owned_by = |t: &str| {
            self.returns
                .get(&c.name)
                .is_some_and(|v| v.iter().any(|r| r.owner.as_deref() == Some(t)))
        };
        match &c.recv {
            Some(StrExpr::Typed(t)) => owned_by(t),
            Some(StrExpr::Declared(t)) => self.project_type(t.from.as_deref()) && owned_by(&t.ty),
            // A field declared in another file: its type in any package.
            Some(StrExpr::SelfField(f)) => self
                .field_types(f)
                .iter()
                .any(|t| self.project_type(t.from.as_deref()) && owned_by(&t.ty)),
            // What a call returns: the types it is declared to return
            // anywhere (else, for `Type::f(..)`, `Type`); none seen, not
            // the project's.
            Some(StrExpr::Call(r)) => {
                let declared: Vec<&str> = self
                    .fn_types
                    .get(&r.name)
                    .into_iter()
                    .flatten()
                    .filter(|t| r.unwrapped || !t.wrapped)
                    .map(|t| t.ty.as_str())
                    .collect();
                if declared.is_empty() {
                    r.owner.as_deref().is_some_and(owned_by)
                } else {
                    declared.into_iter().any(owned_by)
                }
            }
            recv => recv.is_some() && self.returns.contains_key(&c.name),
        }
    }

    fn eval(
        &self,
        package: &str,
        service: Option<&str>,
        e: &StrExpr,
        frame: Option<&Frame<'_>>,
        depth: u32,
    ) -> Vec<Piece> {
        // What lies deeper is cut (and said to be).
        if depth > MAX_DEPTH {
            Cut::record(Bound::Depth, None);
            return Vec::new();
        }
        let d = depth + 1;
        match e {
            StrExpr::Lit(s) => vec![Piece::lit(s)],
            StrExpr::Unknown(t) => vec![Piece::unknown(t)],
            // Several values, each kept (not alternatives of one).
            StrExpr::List(items) => {
                let mut out = Vec::new();
                for (n, i) in items.iter().enumerate() {
                    out.extend(self.eval(package, service, i, frame, d));
                    if out.len() >= MAX_ELEMENTS {
                        let left = items.len() - n - 1;
                        if left > 0 {
                            Cut::record(Bound::Elements, Some(left));
                        }
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
            StrExpr::Declared(d) => vec![Piece::unknown(&d.ty)],
            StrExpr::SelfField(f) => vec![Piece::unknown(&format!("self.{}", f.field))],
            // A URL joined to a path, or a `format!` of two or more
            // parameters of one function (`fn under(base: &str, path:
            // &str)`, `format!("{prefix}.{kind}")`): resolved call by call,
            // not every base with every path.
            StrExpr::Format { template, args }
                if let Some((p, uses)) = join::one_function(args)
                    && (template == join::URL_JOIN || uses.len() >= 2)
                    && Frame::of(frame, &p.function).is_none() =>
            {
                let joined = template == join::URL_JOIN;
                // (A format skips, as `param` does, a call that gives one
                // of its parameters no value.)
                let needed = (!joined).then_some(uses.as_slice());
                let paired = self.per_call(package, service, e, p, needed, frame, d);
                match (paired.is_empty(), joined) {
                    (false, _) => paired,
                    // No call, or none with a static value: said as for
                    // one parameter (a join), or in the format's text.
                    (true, true) => self.param(package, service, p, d),
                    (true, false) => self.product(package, service, template, args, frame, d),
                }
            }
            StrExpr::Format { template, args } => {
                self.product(package, service, template, args, frame, d)
            }
        }
    }

    /// The values of a `format!` (or a join, [`join::URL_JOIN`]): each
    /// value of each hole after each value of the text before it.
    fn product(
        &self,
        package: &str,
        service: Option<&str>,
        template: &str,
        args: &[StrExpr],
        frame: Option<&Frame<'_>>,
        d: u32,
    ) -> Vec<Piece> {
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
                    let piece = Piece {
                        text: format!("{}{}{}", a.text, b.text, part),
                        env,
                        unresolved: a.unresolved || b.unresolved,
                        via,
                    };
                    if !keep(&mut next, piece) {
                        break 'outer;
                    }
                }
            }
            acc = next;
        }
        if template == join::URL_JOIN {
            for p in &mut acc {
                p.text = join::joined(&p.text);
            }
        }
        acc
    }
}
