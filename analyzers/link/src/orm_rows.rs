//! The rows an ORM insert into an outbox writes when they are not written
//! at the insert: rows built by another function ([`nova_orm::BuiltBy`]),
//! rows handed in as a parameter ([`ValueShape::Passed`]), and the
//! declarations that say which of a row's fields write a topic column
//! (diesel renames).
//!
//! A row builder is a function `nova-orm` recorded ([`RowBuilder`], in a
//! file that names an ORM), else a plain function of any file returning a
//! struct literal of a known model (the graph walk's [`RowLiteral`]s: a
//! function declared to return the literal's type, or a `Self`
//! constructor). A row handed in is each row the calls of the inserting
//! function give at that parameter (the graph walk's [`StrCall`]s): a
//! struct literal of a known model in the calling function, a call of a
//! row builder, or the caller's own parameter, followed to its callers.

use crate::Ctx;
use nova_orm::{BuiltBy, Rename, RowBuilder, Target, ValueShape, WrittenValue};
use nova_rust::graph::{ArgSource, RowLiteral, StrCall, StrExpr};
use nova_rust::unit::{Crate, ParsedFile};
use std::collections::{BTreeMap, BTreeSet};

/// How many callers a row handed in is followed through.
const PASSED_DEPTH: usize = 4;

/// The struct literals of known models that write a topic column, with
/// their values as `nova-orm` records a struct literal's, and the row
/// builders they make (owned here, borrowed by [`Declared`]).
#[derive(Default)]
pub(crate) struct Literals<'a> {
    rows: Vec<Literal<'a>>,
    builders: Vec<(&'a Crate, &'a ParsedFile, RowBuilder)>,
    /// The names of the models the repository declares ([`known_models`]):
    /// made by [`Literals::of`] when there are literals to sort, else when
    /// [`Declared`] first asks.
    models: std::sync::OnceLock<BTreeSet<&'a str>>,
}

/// A [`RowLiteral`] of a known model, its values as written values.
struct Literal<'a> {
    file: &'a ParsedFile,
    literal: &'a RowLiteral,
    values: Vec<WrittenValue>,
}

/// The names of the models a repository declares: diesel models, and
/// SeaORM's `Model`/`ActiveModel` when it declares entities.
fn known_models(crates: &[Crate]) -> BTreeSet<&str> {
    let mut out = BTreeSet::new();
    for c in crates {
        for f in crate::live_files(c) {
            out.extend(f.facts.orm.diesel_models.iter().map(|m| m.name.as_str()));
            if !f.facts.orm.entities.is_empty() {
                out.extend(["Model", "ActiveModel"]);
            }
        }
    }
    out
}

/// `(name, owner)` of a function path (`mod::Type::f`): the `impl` type
/// is the segment before the name when it is a type's name.
fn name_owner(path: &str) -> (&str, Option<&str>) {
    let mut parts = path.rsplit("::");
    let name = parts.next().unwrap_or(path);
    let owner = parts
        .next()
        .filter(|o| o.starts_with(|c: char| c.is_ascii_uppercase()));
    (name, owner)
}

impl<'a> Literals<'a> {
    pub(crate) fn of(crates: &'a [Crate]) -> Literals<'a> {
        let mut out = Literals::default();
        let any = |c: &'a Crate| {
            crate::live_files(c).any(|f| f.facts.graph.row_literals.iter().any(|l| !l.in_test))
        };
        if !crates.iter().any(any) {
            return out;
        }
        let models = known_models(crates);
        for c in crates {
            for f in crate::live_files(c) {
                let mut built: BTreeMap<&str, RowBuilder> = BTreeMap::new();
                for l in &f.facts.graph.row_literals {
                    if l.in_test || !models.contains(l.ty.as_str()) {
                        continue;
                    }
                    let values: Vec<WrittenValue> = l.fields.iter().map(written_value).collect();
                    if let Some(function) = &l.function
                        && returns(f, function, &l.ty)
                    {
                        let (name, owner) = name_owner(function);
                        let b = built.entry(function).or_insert_with(|| RowBuilder {
                            name: name.to_string(),
                            owner: owner.map(str::to_string),
                            function: function.clone(),
                            in_test: false,
                            values: Vec::new(),
                            model: None,
                            from: None,
                        });
                        b.values.extend(values.iter().cloned());
                    }
                    out.rows.push(Literal {
                        file: f,
                        literal: l,
                        values,
                    });
                }
                out.builders.extend(built.into_values().map(|b| (c, f, b)));
            }
        }
        let _ = out.models.set(models);
        out
    }

    /// The names of the models the repository declares.
    fn models(&self, crates: &'a [Crate]) -> &BTreeSet<&'a str> {
        self.models.get_or_init(|| known_models(crates))
    }
}

/// A topic column of a struct literal as `nova-orm` records it.
fn written_value(f: &nova_rust::graph::RowField) -> WrittenValue {
    WrittenValue {
        column: f.column.clone(),
        shape: if f.set {
            ValueShape::Set
        } else {
            ValueShape::Field
        },
        line: f.line,
        text: f.text.clone(),
        param: f.param,
        rename: None,
        built: None,
    }
}

/// Whether `function` of `f` returns a `ty` it builds: it is declared to
/// (through a `Result`/`Option`), or it is a constructor of `ty` (`-> Self`).
fn returns(f: &ParsedFile, function: &str, ty: &str) -> bool {
    let (name, owner) = name_owner(function);
    if owner == Some(ty) {
        return true;
    }
    f.facts.graph.fn_types.iter().any(|t| {
        !t.in_test
            && t.ty == ty
            && t.name == name
            && t.owner.as_deref() == owner
            && fn_path(&t.module, owner, name) == function
    })
}

fn fn_path(module: &[String], owner: Option<&str>, name: &str) -> String {
    let mut parts: Vec<&str> = module.iter().map(String::as_str).collect();
    parts.extend(owner);
    parts.push(name);
    parts.join("::")
}

/// What the declarations of a repository say about ORM rows written
/// elsewhere than at the insert: diesel renames (`#[diesel(column_name =
/// ..)]` on a model's field, `#[sql_name = ".."]` on a `table!` column),
/// the functions that build rows ([`nova_orm::RowBuilder`]) and the rows
/// of known models written in any file ([`Literals`]).
pub(crate) struct Declared<'a> {
    crates: &'a [Crate],
    /// (model, field) -> column.
    fields: BTreeMap<(&'a str, &'a str), &'a str>,
    /// (`table!` ident, column ident) -> SQL name.
    columns: BTreeMap<(&'a str, &'a str), &'a str>,
    /// Function name -> the row builders of that name `nova-orm` recorded.
    builders: BTreeMap<&'a str, Vec<(&'a Crate, &'a ParsedFile, &'a RowBuilder)>>,
    /// Function name -> the row builders of that name made of
    /// [`RowLiteral`]s (used where `nova-orm` recorded none).
    plain: BTreeMap<&'a str, Vec<(&'a Crate, &'a ParsedFile, &'a RowBuilder)>>,
    literals: &'a Literals<'a>,
}

impl<'a> Declared<'a> {
    pub(crate) fn of(crates: &'a [Crate], literals: &'a Literals<'a>) -> Declared<'a> {
        let mut d = Declared {
            crates,
            fields: BTreeMap::new(),
            columns: BTreeMap::new(),
            builders: BTreeMap::new(),
            plain: BTreeMap::new(),
            literals,
        };
        for c in crates {
            for f in crate::live_files(c) {
                let orm = &f.facts.orm;
                for m in &orm.diesel_models {
                    for (field, column) in &m.renamed {
                        d.fields.insert((&m.name, field), column);
                    }
                }
                for t in &orm.diesel_tables {
                    for (ident, sql) in &t.renamed {
                        d.columns.insert((&t.ident, ident), sql);
                    }
                }
                for b in orm.row_builders.iter().filter(|b| !b.in_test) {
                    d.builders.entry(&b.name).or_default().push((c, f, b));
                }
            }
        }
        for (c, f, b) in &literals.builders {
            d.plain.entry(&b.name).or_default().push((c, f, b));
        }
        d
    }

    /// Whether `v`, written into `target`, writes a topic column: it names
    /// one, or diesel renames what it names into one.
    fn writes_topic(&self, target: &Target, v: &WrittenValue) -> bool {
        let column = match &v.rename {
            None => return v.built.is_none() && v.shape != ValueShape::Passed,
            Some(Rename::Field { model }) => self.fields.get(&(model.as_str(), v.column.as_str())),
            Some(Rename::Column) => {
                let Target::DieselTable(path) = target else {
                    return false;
                };
                let table = path.last().map(String::as_str).unwrap_or_default();
                self.columns.get(&(table, v.column.as_str()))
            }
        };
        column.is_some_and(|c| crate::outbox::TOPIC_COLUMNS.contains(c))
    }

    /// The row builders a [`BuiltBy`] call may run, among the packages
    /// `package` sees: those `nova-orm` recorded, else the plain functions
    /// returning a row.
    fn builders(
        &self,
        ctx: &Ctx<'_>,
        package: &str,
        by: &BuiltBy,
    ) -> Vec<(&'a Crate, &'a ParsedFile, &'a RowBuilder)> {
        let pick = |all: Option<&Vec<(&'a Crate, &'a ParsedFile, &'a RowBuilder)>>| {
            all.into_iter()
                .flatten()
                .filter(|(c, _, b)| self.builds(by, b) && ctx.sees(package, &c.package))
                .copied()
                .collect::<Vec<_>>()
        };
        let found = pick(self.builders.get(by.callee.as_str()));
        match found.is_empty() {
            true => pick(self.plain.get(by.callee.as_str())),
            false => found,
        }
    }

    /// Whether row builder `b` is one `by` calls: the same owner; for an
    /// `x.into()` ([`BuiltBy::from`]), a `From` of `x`'s type (when the
    /// builder's file shows it) for the row type the code shows, else for
    /// a model (a `From` for a struct that is no row builds none).
    fn builds(&self, by: &BuiltBy, b: &RowBuilder) -> bool {
        let Some(source) = &by.from else {
            return b.owner == by.owner;
        };
        if b.from.as_ref().is_some_and(|f| f != source) {
            return false;
        }
        match (&by.owner, &b.owner) {
            (Some(want), owner) => owner.as_ref() == Some(want),
            (None, Some(owner)) => self.literals.models(self.crates).contains(owner.as_str()),
            (None, None) => false,
        }
    }

    /// The SeaORM models of the row builders the values of `w` (an insert
    /// in package `package`) call, with where each is declared.
    pub(crate) fn built_models(
        &self,
        ctx: &Ctx<'_>,
        package: &str,
        w: &nova_orm::TopicWrite,
    ) -> Vec<(&'a Crate, &'a ParsedFile, &'a [String])> {
        let calls = w.values.iter().filter_map(|v| v.built.as_ref());
        calls
            .flat_map(|by| self.builders(ctx, package, by))
            .filter_map(|(c, f, b)| Some((c, f, b.model.as_deref()?)))
            .collect()
    }
}

/// A value an insert writes into a topic column, with the file whose graph
/// facts hold it (the insert's, a row builder's, a caller's) and the call
/// that built its row, in the file of that call.
pub(crate) struct Written<'a> {
    pub file: &'a ParsedFile,
    pub value: &'a WrittenValue,
    built: Option<(BuiltBy, &'a ParsedFile, &'a RowBuilder)>,
    /// For a row handed in: the call that hands it in (the value counts
    /// for the services running that call).
    pub caller: Option<RowCaller<'a>>,
}

/// A call handing a row to the function inserting it: in `c`'s file `f`,
/// in `function`, at `line`.
#[derive(Clone, Copy)]
pub(crate) struct RowCaller<'a> {
    pub c: &'a Crate,
    pub f: &'a ParsedFile,
    pub function: Option<&'a str>,
    pub line: u32,
}

impl RowCaller<'_> {
    /// What tells two calls apart.
    pub(crate) fn key(&self) -> (String, u32) {
        (self.f.path.clone(), self.line)
    }
}

impl Written<'_> {
    /// The value of the topic, given the value the graph walk recorded at
    /// its place: for a row builder's parameter, the argument of the call
    /// that built the row (its graph [`StrCall`] at the call's line), else
    /// the parameter (resolved through every call).
    pub(crate) fn topic(&self, value: StrExpr) -> StrExpr {
        let Some((by, f, b)) = &self.built else {
            return value;
        };
        let StrExpr::Param(p) = &value else {
            return value;
        };
        if p.function != b.function {
            return value;
        }
        let arg = f
            .facts
            .graph
            .str_calls
            .iter()
            .filter(|s| s.callee == by.callee && s.line == by.line && !s.in_test)
            .find_map(|s| s.args.get(p.index))
            .filter(|a| !matches!(a, StrExpr::Unknown(_)));
        arg.cloned().unwrap_or(value)
    }
}

/// The values `w` (an insert of `c`'s file `f`) writes into topic
/// columns: its own, renames settled, those of the rows built by the
/// functions it calls, and those of the rows its callers hand in.
pub(crate) fn written<'a>(
    ctx: &Ctx<'_>,
    declared: &Declared<'a>,
    c: &'a Crate,
    f: &'a ParsedFile,
    w: &'a nova_orm::TopicWrite,
) -> Vec<Written<'a>> {
    let mut out = Vec::new();
    for v in &w.values {
        if v.shape == ValueShape::Passed {
            if let (Some(function), Some(index)) = (&w.function, v.param) {
                let mut seen = BTreeSet::new();
                let at = Caller {
                    c,
                    function,
                    index,
                    ty: None,
                };
                passed(
                    ctx,
                    declared,
                    &w.target,
                    at,
                    PASSED_DEPTH,
                    &mut seen,
                    &mut out,
                );
            }
            continue;
        }
        let Some(by) = &v.built else {
            if declared.writes_topic(&w.target, v) {
                out.push(Written {
                    file: f,
                    value: v,
                    built: None,
                    caller: None,
                });
            }
            continue;
        };
        built(ctx, declared, &w.target, &c.package, f, by, None, &mut out);
    }
    out
}

/// The values of the rows `by` (a call in `f`, of package `package`)
/// builds; `caller`: the call handing the row in, if any.
#[allow(clippy::too_many_arguments)]
fn built<'a>(
    ctx: &Ctx<'_>,
    declared: &Declared<'a>,
    target: &Target,
    package: &str,
    f: &'a ParsedFile,
    by: &BuiltBy,
    caller: Option<RowCaller<'a>>,
    out: &mut Vec<Written<'a>>,
) {
    for (_, bf, b) in declared.builders(ctx, package, by) {
        let kept = |bv: &&WrittenValue| {
            declared.writes_topic(target, bv) && !by.replaced.contains(&bv.column)
        };
        for bv in b.values.iter().filter(kept) {
            out.push(Written {
                file: bf,
                value: bv,
                built: Some((by.clone(), f, b)),
                caller,
            });
        }
    }
}

/// Parameter `index` of `function`, a function of `c`; `ty`: its type,
/// when a call handing it on showed it (a row of another type handed to a
/// function of the same name is another function's).
#[derive(Clone, Copy)]
struct Caller<'s> {
    c: &'s Crate,
    function: &'s str,
    index: usize,
    ty: Option<&'s str>,
}

/// The rows the calls of `at.function` hand in at parameter `at.index`:
/// a struct literal of a known model in the calling function, a row
/// builder's call, the caller's own parameter (followed to its callers,
/// `depth` more times).
fn passed<'a>(
    ctx: &Ctx<'_>,
    declared: &Declared<'a>,
    target: &Target,
    at: Caller<'_>,
    depth: usize,
    seen: &mut BTreeSet<(String, usize)>,
    out: &mut Vec<Written<'a>>,
) {
    if depth == 0 || !seen.insert((at.function.to_string(), at.index)) {
        return;
    }
    let (name, owner) = name_owner(at.function);
    // A call names its owner when it shows it (`Repo::enqueue`), a method
    // called on a value of unknown type does not.
    let calls = |s: &&StrCall| {
        s.callee == name && !s.in_test && (s.owner.as_deref() == owner || s.owner.is_none())
    };
    for c2 in declared.crates {
        if !ctx.sees(&c2.package, &at.c.package) {
            continue;
        }
        for f2 in crate::live_files(c2) {
            for s in f2.facts.graph.str_calls.iter().filter(calls) {
                let caller = Some(RowCaller {
                    c: c2,
                    f: f2,
                    function: s.function.as_deref(),
                    line: s.line,
                });
                let source = s.sources.iter().find(|(i, _)| *i == at.index);
                let arg = s.args.get(at.index);
                if let (Some(want), Some(StrExpr::Typed(ty))) = (at.ty, arg)
                    && ty != want
                {
                    continue;
                }
                match arg {
                    // The caller's own parameter of a named type: its
                    // callers hand the row in.
                    Some(StrExpr::Typed(ty)) if let Some((_, ArgSource::Param(index))) = source => {
                        let Some(function) = s.function.as_deref() else {
                            continue;
                        };
                        let next = Caller {
                            c: c2,
                            function,
                            index: *index,
                            ty: Some(ty),
                        };
                        passed(ctx, declared, target, next, depth - 1, seen, out);
                    }
                    Some(StrExpr::Typed(ty)) => {
                        // The literal handed in, when the call shows which.
                        let line = match source {
                            Some((_, ArgSource::Literal(line))) => Some(*line),
                            _ => None,
                        };
                        let rows = declared.literals.rows.iter().filter(|l| {
                            std::ptr::eq(l.file, f2)
                                && l.literal.ty == *ty
                                && l.literal.function == s.function
                                && line.is_none_or(|n| n == l.literal.line)
                        });
                        for l in rows {
                            for v in l.values.iter().filter(|v| declared.writes_topic(target, v)) {
                                out.push(Written {
                                    file: f2,
                                    value: v,
                                    built: None,
                                    caller,
                                });
                            }
                        }
                    }
                    Some(StrExpr::Call(call)) => {
                        let by = BuiltBy {
                            callee: call.name.clone(),
                            owner: call.owner.clone(),
                            line: s.line,
                            replaced: Vec::new(),
                            from: None,
                        };
                        built(ctx, declared, target, &c2.package, f2, &by, caller, out);
                    }
                    Some(StrExpr::Param(p)) if s.function.as_deref() == Some(&p.function) => {
                        let next = Caller {
                            c: c2,
                            function: &p.function,
                            index: p.index,
                            ty: None,
                        };
                        passed(ctx, declared, target, next, depth - 1, seen, out);
                    }
                    _ => {}
                }
            }
        }
    }
}
