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

use nova_rust::graph::{ParamRef, StrExpr};
use nova_rust::sql::SqlExpr;
use nova_rust::unit::Crate;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// At most this many texts per expression (cartesian products of lists).
const MAX_TEXTS: usize = 16;

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

#[derive(Debug, Clone)]
struct ConstVal {
    /// File module path + inline module path.
    module: Vec<String>,
    value: StrExpr,
    package: String,
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
    /// const name -> package -> indices into `consts` (ascending).
    const_index: HashMap<String, HashMap<String, Vec<usize>>>,
    /// package -> field -> values, with the `file:line` of each write.
    fields: HashMap<String, HashMap<String, Vec<(StrExpr, String)>>>,
    /// callee name -> the calls to it with a string-like argument.
    calls: HashMap<String, Vec<CallVal>>,
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
                    .chain(g.sql_args.iter().flat_map(|s| s.args.iter()));
                for v in values {
                    if let StrExpr::Param(p) = v {
                        param_fns.insert(p.name.as_str());
                    }
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
                for k in &f.facts.graph.consts {
                    let mut module = f.module.clone();
                    module.extend(k.module.iter().cloned());
                    seen.insert((module.clone(), k.name.as_str()));
                    v.push_const(&k.name, &c.package, module, k.value.clone());
                }
                // The SQL collector's consts cover shapes ours may not.
                for k in &f.facts.consts {
                    let mut module = f.module.clone();
                    module.extend(k.module.iter().cloned());
                    if seen.contains(&(module.clone(), k.name.as_str())) {
                        continue;
                    }
                    v.push_const(&k.name, &c.package, module, from_sql(&k.value));
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
    fn push_const(&mut self, name: &str, package: &str, module: Vec<String>, value: StrExpr) {
        let i = self.consts.len();
        self.consts.push(ConstVal {
            module,
            value,
            package: package.to_string(),
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

    /// The values of parameter `p` of a function defined in `package`: the
    /// arguments of the calls to it that the service runs (calls in the
    /// packages it sees that can see `package`), each resolved where it is
    /// made.
    fn param(&self, package: &str, service: Option<&str>, p: &ParamRef, d: u32) -> Vec<Piece> {
        let visible = self.visible(package, service);
        let mut out = Vec::new();
        let mut calls = 0usize;
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
            calls += 1;
            match call.args.get(p.index) {
                Some(StrExpr::Unknown(_)) | None => {}
                Some(arg) => {
                    for mut piece in self.eval(&call.package, service, arg, d) {
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
        let mut out = self.eval(package, service, e, 0);
        out.sort();
        out.dedup();
        out.truncate(MAX_TEXTS);
        out
    }

    fn eval(&self, package: &str, service: Option<&str>, e: &StrExpr, depth: u32) -> Vec<Piece> {
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
                    out.extend(self.eval(package, service, i, d));
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
                    (None, Some(def)) => self.eval(package, service, def, d),
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
                    out.extend(self.eval(&c.package, service, &c.value, d));
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
                    for mut piece in self.eval(p, service, v, d) {
                        piece.via.insert(0, at.clone());
                        out.push(piece);
                    }
                }
                out
            }
            StrExpr::Param(p) => self.param(package, service, p, d),
            StrExpr::Format { template, args } => {
                let parts: Vec<&str> = template.split("{}").collect();
                let mut acc = vec![Piece::lit(parts.first().copied().unwrap_or(""))];
                for (i, part) in parts.iter().enumerate().skip(1) {
                    let arg = args
                        .get(i - 1)
                        .map(|a| self.eval(package, service, a, d))
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
}
