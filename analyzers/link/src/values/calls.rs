//! Returned values: what a [`StrExpr::Call`] gives, through the functions
//! it can call (a method of each type its receiver is seen to have, else a
//! trait's default method; `Type::f`; free functions by module), each
//! evaluated in a [`Frame`] where the callee's parameters are the call's
//! arguments.

use super::*;

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
        if d > MAX_DEPTH {
            Cut::record(Bound::Depth, None);
            return Vec::new();
        }
        match e {
            // `self` in a trait's default method: the type it is called on.
            StrExpr::Typed(t) if t == SELF_TYPE => frame
                .and_then(|f| f.self_type)
                .map(|(t, p)| vec![(t.to_string(), p.to_string(), Vec::new())])
                .unwrap_or_default(),
            StrExpr::Typed(t) => vec![(t.clone(), package.to_string(), Vec::new())],
            // A trait object: which type it holds is not seen.
            StrExpr::Declared(t) if t.ty.starts_with("dyn ") => Vec::new(),
            // A field declared with the type: the declaration is a hop.
            StrExpr::Declared(t) => {
                vec![self.declared_type(package, &t.ty, t.from.as_deref(), declared_hop(t))]
            }
            // A field declared in another file of the crate: likewise.
            StrExpr::SelfField(f) => match self.field_type(package, f) {
                Some(t) if !t.ty.starts_with("dyn ") => {
                    vec![self.declared_type(package, &t.ty, t.from.as_deref(), field_hop(f, t))]
                }
                _ => Vec::new(),
            },
            StrExpr::Call(c) => self.returned_types(package, service, c, frame, d),
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
                        if out.len() >= MAX_TEXTS {
                            Cut::record(Bound::Alternatives, None);
                            return out;
                        }
                        via.insert(0, call.at.clone());
                        out.push((t, pkg, via));
                    }
                }
                out
            }
            _ => Vec::new(),
        }
    }

    /// The types a call (a method's receiver) gives: the type each function
    /// it can call is declared to return ([`TypeVal`]; through a
    /// `Result`/`Option` only where the call's value is unwrapped), with
    /// the function as a hop; else, for `Type::f(..)`, `Type` (as for a
    /// constructor).
    fn returned_types(
        &self,
        package: &str,
        service: Option<&str>,
        c: &CallRef,
        frame: Option<&Frame<'_>>,
        d: u32,
    ) -> Vec<SeenType> {
        let candidates = self.fn_types.get(&c.name).into_iter().flatten();
        let candidates = candidates.filter(|t| c.unwrapped || !t.wrapped);
        let mut out: Vec<SeenType> = Vec::new();
        match &c.recv {
            Some(recv) => {
                let candidates: Vec<&TypeVal> = candidates.collect();
                if candidates.is_empty() {
                    return out;
                }
                for (owner, pkg, via) in self.types(package, service, recv, frame, d + 1) {
                    let visible = self.visible(&pkg, service);
                    for t in &candidates {
                        if t.owner.as_deref() == Some(owner.as_str())
                            && visible.contains(&t.package)
                        {
                            let mut via = via.clone();
                            via.push(t.at.clone());
                            out.push((t.ty.clone(), t.package.clone(), via));
                        }
                    }
                }
            }
            None => {
                let visible = self.visible(package, service);
                let mut chosen: Vec<&TypeVal> = candidates
                    .filter(|t| {
                        let qualified = t.module.len() >= c.qualifier.len()
                            && t.module[t.module.len() - c.qualifier.len()..] == c.qualifier[..];
                        t.owner == c.owner && qualified && visible.contains(&t.package)
                    })
                    .collect();
                // The caller's own package's function, when it has one.
                if chosen.iter().any(|t| t.package == package) {
                    chosen.retain(|t| t.package == package);
                }
                out.extend(
                    chosen
                        .into_iter()
                        .map(|t| (t.ty.clone(), t.package.clone(), vec![t.at.clone()])),
                );
                if out.is_empty()
                    && let Some(o) = c.owner.as_ref().filter(|o| o.as_str() != SELF_TYPE)
                {
                    out.push((o.clone(), package.to_string(), Vec::new()));
                }
            }
        }
        if out.len() > MAX_TEXTS {
            Cut::record(Bound::Alternatives, Some(out.len() - MAX_TEXTS));
            out.truncate(MAX_TEXTS);
        }
        out
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
            Some(StrExpr::Declared(t)) if t.ty.starts_with("dyn ") => format!(
                "{} (line {}) is a trait object `{}`: its type is not seen",
                t.by, t.line, t.ty
            ),
            _ => "the receiver's type is not seen".to_string(),
        };
        Piece::unknown(&format!("`{}`{}: {why}", c.text, Self::line_of(c)))
    }

    /// Why a field declared in another file types no receiver: a trait
    /// object (named), else no declaration seen (the call as written).
    fn field_untyped(&self, package: &str, c: &CallRef, f: &SelfField) -> Piece {
        match self.field_type(package, f) {
            Some(t) => Piece::unknown(&format!(
                "`{}`{}: {} is a trait object `{}`: its type is not seen",
                c.text,
                Self::line_of(c),
                field_hop(f, t),
                t.ty
            )),
            None => Piece::unknown(&c.text),
        }
    }

    /// The values of a call: what the functions it can call return (a
    /// method of the receiver's type, `Type::f`, a free function whose
    /// module path ends with the written one), each with the call's
    /// arguments for the function's parameters.
    pub(super) fn call(
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
        // The calls past the bound are cut (and said to be).
        if left == 0 {
            Cut::record(Bound::Calls, None);
            return Vec::new();
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
                let cuts = Cut::count();
                let types = self.types(package, service, &recv, frame, d);
                // Every type cut by a bound: the cut says so.
                if types.is_empty() && Cut::count() > cuts {
                    return Vec::new();
                }
                if types.is_empty() {
                    // `self.f()` in a trait's default method, not called
                    // on a known type: as it was written.
                    if matches!(&recv, StrExpr::Typed(t) if t == SELF_TYPE) {
                        return vec![Piece::unknown(&c.text)];
                    }
                    if let StrExpr::SelfField(f) = &recv {
                        return vec![self.field_untyped(package, c, f)];
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
            // A field declared with a type no method of that name of the
            // project's is seen for (another crate's): the declaration.
            let declared = match &c.recv {
                Some(StrExpr::Declared(t)) => Some((declared_hop(t), t.ty.as_str())),
                Some(StrExpr::SelfField(f)) => self
                    .field_type(package, f)
                    .map(|t| (field_hop(f, t), t.ty.as_str())),
                _ => None,
            };
            if let Some((by, ty)) = declared {
                return vec![Piece::unknown(&format!(
                    "`{}`{}: {by} is a `{ty}`, no method `{}` of which is seen",
                    c.text,
                    Self::line_of(c),
                    c.name
                ))];
            }
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
                    // A method of no function of the project's called on
                    // what a declaration types: as unknown as it was.
                    StrExpr::Call(inner) if by_declaration(inner) && !self.may_resolve(v) => {
                        vec![Piece::unknown(&format!(
                            "`{}`: `{}` returns `{}` ({at})",
                            c.text, r.path, inner.text
                        ))]
                    }
                    v => self.eval(&r.package, service, v, Some(&f), d),
                };
                if push_behind(&mut out, pieces, via, at) {
                    return out;
                }
            }
            // Values the walk did not keep (past its bound).
            if r.cut > 0 {
                Cut::record(Bound::Alternatives, Some(r.cut as usize));
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
        let cuts = Cut::count();
        let types = self.types(package, service, recv, frame, d);
        if types.is_empty() && Cut::count() > cuts {
            return Vec::new();
        }
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
                let pieces = self.eval(&k.package, service, &k.value, None, d);
                if push_behind(&mut out, pieces, &via, &at) {
                    return out;
                }
            }
        }
        out
    }
}

/// A method call whose receiver a declaration types (a field's, what a
/// call returns): a shape the walk records only for that.
pub(super) fn by_declaration(c: &CallRef) -> bool {
    matches!(
        c.recv,
        Some(StrExpr::Call(_) | StrExpr::Declared(_) | StrExpr::SelfField(_))
    )
}

/// Push `pieces` to `out`, each behind the hops `via` then `at` (the return
/// or const that gave it); true when `out` is full ([`MAX_TEXTS`] values)
/// and a value was cut (recorded as a [`Cut`]).
pub(super) fn push_behind(
    out: &mut Vec<Piece>,
    pieces: Vec<Piece>,
    via: &[String],
    at: &str,
) -> bool {
    for mut piece in pieces {
        let mut hops = via.to_vec();
        hops.push(at.to_string());
        hops.append(&mut piece.via);
        piece.via = hops;
        if !keep(out, piece) {
            return true;
        }
    }
    false
}

/// The hop a declaration is in the evidence: `field `bus` (line 7)`.
fn declared_hop(t: &nova_rust::graph::Declared) -> String {
    format!("{} (line {})", t.by, t.line)
}

/// The hop a field declared in another file is: `field `cfg`
/// (orders-svc/src/state.rs:7)`.
fn field_hop(f: &SelfField, t: &FieldType) -> String {
    format!("field `{}` ({})", f.field, t.at)
}
