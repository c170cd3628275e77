//! Rows an insert writes that are not written at the insert: several at
//! once, and rows built by another function.
//!
//! - Many rows: `vec![row, ..]`, `[row, ..]`, an iterator of rows
//!   (`xs.iter().map(|x| Row { .. })`, `.collect()`ed or not), a local
//!   holding any of those or filled by `rows.push(row)` /
//!   `rows.extend(..)`: diesel `.values(&rows)`, SeaORM
//!   `Entity::insert_many(rows)`.
//! - A row built elsewhere: `NewOutbox::new(TOPIC, ..)`, `row(..)`, a
//!   SeaORM helper returning an `ActiveModel`. The insert records a value
//!   [`BuiltBy`] the call; the file of the function records what it builds
//!   ([`RowBuilder`]: a function whose tail is a struct literal writing a
//!   topic column); `nova-link` joins the two by the function's name and
//!   owner and takes the graph walk's value of the builder's field,
//!   substituting the call's argument for a parameter of the builder.

use crate::names::{call_path, line_col, strip};
use crate::walk::Walk;
use crate::written::{WrittenValue, values_of};
use serde::{Deserialize, Serialize};
use syn::Expr;
use syn::punctuated::Punctuated;

/// The call that built a row an insert writes (`NewOutbox::new(..)`,
/// `row(..)`): the topic is what that function's struct literal writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BuiltBy {
    /// The function's name (last segment).
    pub callee: String,
    /// `Type::f(..)`: the type (`Self` replaced by the `impl` type).
    pub owner: Option<String>,
    /// The line of the call, where the graph walk recorded its arguments.
    pub line: u32,
    /// Topic columns set after the call (`am.topic = Set(..)`): what the
    /// builder writes into them is replaced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaced: Vec<String>,
    /// `x.into()`: the type of `x` (last segment), the source of the
    /// user `From` that builds the row (`impl From<OrderPlaced> for
    /// NewOutbox`); [`Self::owner`] is the row's type when the code shows
    /// it (`let row: NewOutbox = x.into()`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// A function that returns a row writing topic columns: its tail is a
/// struct literal (`NewOutbox { topic: topic.into(), .. }`, `Self { .. }`,
/// `outbox::ActiveModel { topic: Set(..), .. }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowBuilder {
    /// The function's name (last segment), what calls are matched by.
    pub name: String,
    /// The `impl` type of an associated function or method.
    pub owner: Option<String>,
    /// Its path, as `nova_rust::sql::FnInfo::path`.
    pub function: String,
    pub in_test: bool,
    /// The topic columns the row writes, anchored in this file.
    pub values: Vec<WrittenValue>,
    /// A SeaORM active model's (or model's) path, expanded through this
    /// file's imports (`entity::outbox::ActiveModel`): what an insert of
    /// the row writes when its caller does not show the type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<Vec<String>>,
    /// `fn from` of `impl From<X> for Row`: `X` (last segment), what an
    /// `x.into()` is matched by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
}

/// Methods of an iterator chain that keep its items (the rows).
const KEEP_ITEMS: &[&str] = &[
    "collect",
    "into_iter",
    "iter",
    "cloned",
    "to_vec",
    "rev",
    "take",
    "skip",
    "clone",
    "as_slice",
];

/// Methods that turn a row into the same row, as an insert takes it
/// (`model.into_active_model()`, `model.into()`), or unwrap the row a
/// builder returns (`row(..).expect(..)`).
const KEEP_ROW: &[&str] = &["into_active_model", "into", "unwrap", "expect"];

/// The rows of a `vec![..]` (none for `vec![x; n]`, which repeats one).
fn vec_macro(w: &Walk<'_>, m: &syn::ExprMacro) -> Vec<WrittenValue> {
    if !m.mac.path.is_ident("vec") {
        return Vec::new();
    }
    let parser = Punctuated::<Expr, syn::Token![,]>::parse_terminated;
    match m.mac.parse_body_with(parser) {
        Ok(items) => items.iter().flat_map(|x| values_of(w, x)).collect(),
        Err(_) => match m.mac.parse_body::<syn::ExprRepeat>() {
            Ok(r) => values_of(w, &r.expr),
            Err(_) => Vec::new(),
        },
    }
}

/// What a closure returns: its body, or the tail of its block.
fn closure_rows(w: &Walk<'_>, c: &syn::ExprClosure) -> Vec<WrittenValue> {
    let body = match strip(&c.body) {
        Expr::Block(b) => match b.block.stmts.last() {
            Some(syn::Stmt::Expr(e, None)) => e,
            _ => return Vec::new(),
        },
        e => e,
    };
    // The closure's parameters are no longer in scope: a value through
    // one is no parameter of the function around it.
    let mut values = values_of(w, body);
    for v in &mut values {
        v.param = None;
    }
    values
}

/// The rows of an iterator chain: `xs.iter().map(|x| Row { .. })` and
/// what keeps its items ([`KEEP_ITEMS`]), `std::iter::once(row)`,
/// `iter::repeat(row).take(n)`; a call of another function: the row it
/// builds ([`BuiltBy`]).
pub(crate) fn many(w: &Walk<'_>, e: &Expr) -> Vec<WrittenValue> {
    match e {
        Expr::Macro(m) => vec_macro(w, m),
        Expr::MethodCall(m) => {
            let name = m.method.to_string();
            if matches!(name.as_str(), "map" | "flat_map") && m.args.len() == 1 {
                return match strip(&m.args[0]) {
                    Expr::Closure(c) => closure_rows(w, c),
                    _ => Vec::new(),
                };
            }
            if name == "chain" && m.args.len() == 1 {
                let mut out = values_of(w, &m.receiver);
                out.extend(values_of(w, &m.args[0]));
                return out;
            }
            if name == "into" && m.args.is_empty() {
                return into(w, m);
            }
            if KEEP_ITEMS.contains(&name.as_str()) || KEEP_ROW.contains(&name.as_str()) {
                return values_of(w, &m.receiver);
            }
            Vec::new()
        }
        Expr::Call(c) => {
            let Some(path) = call_path(c) else {
                return Vec::new();
            };
            let Some(last) = path.segments.last() else {
                return Vec::new();
            };
            match (last.ident.to_string().as_str(), c.args.len()) {
                ("once" | "repeat", 1) => values_of(w, &c.args[0]),
                // `outbox::ActiveModel::from(model)`: the model's row; a
                // parameter handed to `From` of a row type
                // (`NewOutbox::from(event)`) is that impl's to build.
                ("from", 1) => {
                    let values = values_of(w, &c.args[0]);
                    let passed = values.iter().all(|v| v.shape == crate::ValueShape::Passed);
                    match built_by(w, c) {
                        Some(built) if passed => vec![built],
                        _ => values,
                    }
                }
                _ => built_by(w, c).into_iter().collect(),
            }
        }
        _ => Vec::new(),
    }
}

/// `x.into()`: the rows `x` writes (a model turned into an active model),
/// and, when `x` writes none of its own (a parameter, a value of another
/// type), the row a user `From` of `x`'s type builds ([`BuiltBy::from`]),
/// told in `nova-link`.
fn into(w: &Walk<'_>, m: &syn::ExprMethodCall) -> Vec<WrittenValue> {
    let mut values = values_of(w, &m.receiver);
    if !values.iter().all(|v| v.shape == crate::ValueShape::Passed) {
        return values;
    }
    let Some(crate::Target::Type(ty)) = crate::types::type_of(w, &m.receiver) else {
        return values;
    };
    let Some(source) = ty.last() else {
        return values;
    };
    let line = line_col(m.method.span()).0;
    values.push(WrittenValue {
        column: String::new(),
        shape: crate::ValueShape::Built,
        line,
        text: crate::names::text_of(m),
        param: None,
        rename: None,
        built: Some(BuiltBy {
            callee: "from".to_string(),
            owner: None,
            line,
            replaced: Vec::new(),
            from: Some(source.clone()),
        }),
    });
    values
}

/// `let row: NewOutbox = x.into()`: the annotated type is the row a
/// user `From` builds.
pub(crate) fn into_annotated(values: &mut [WrittenValue], ty: &syn::Type) {
    let Some(owner) = crate::types::named_type(ty).and_then(|p| p.last().cloned()) else {
        return;
    };
    for by in values.iter_mut().filter_map(|v| v.built.as_mut()) {
        if by.from.is_some() && by.owner.is_none() {
            by.owner = Some(owner.clone());
        }
    }
}

/// `f(..)` / `Type::f(..)`, a call that may build a row: a value whose
/// column and value are the row builder's ([`RowBuilder`]), told in
/// `nova-link`. Not for calls that are no function of the project's
/// (`Vec::new()`, `Default::default()`).
fn built_by(w: &Walk<'_>, c: &syn::ExprCall) -> Option<WrittenValue> {
    let path = call_path(c)?;
    let segs: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    let (callee, before) = segs.split_last()?;
    let owner = match before.last().map(String::as_str) {
        Some("Self") => w.self_type().and_then(|t| t.last()).cloned(),
        Some(t) if t.starts_with(|ch: char| ch.is_ascii_uppercase()) => Some(t.to_string()),
        _ => None,
    };
    if matches!(
        owner.as_deref(),
        Some(
            "Vec"
                | "Default"
                | "String"
                | "Box"
                | "Some"
                | "Ok"
                | "ActiveModel"
                | "Model"
                | "Entity"
        )
    ) || callee.starts_with(|ch: char| ch.is_ascii_uppercase())
    {
        return None;
    }
    let line = line_col(path.segments.last()?.ident.span()).0;
    Some(WrittenValue {
        column: String::new(),
        shape: crate::ValueShape::Built,
        line,
        text: format!("{}(..)", segs.join("::")),
        param: None,
        rename: None,
        built: Some(BuiltBy {
            callee: callee.clone(),
            owner,
            line,
            replaced: Vec::new(),
            from: None,
        }),
    })
}

/// `rows.push(row)` / `rows.extend(rows2)` on a local: it now also holds
/// the rows written.
pub(crate) fn push(w: &mut Walk<'_>, m: &syn::ExprMethodCall, method: &str) {
    if !matches!(method, "push" | "extend") || m.args.len() != 1 {
        return;
    }
    let Expr::Path(p) = strip(&m.receiver) else {
        return;
    };
    let Some(local) = p.path.get_ident().map(|i| i.to_string()) else {
        return;
    };
    if w.local(&local).is_none() {
        return;
    }
    let added = values_of(w, &m.args[0]);
    if added.is_empty() {
        return;
    }
    let mut values = w.written(&local).cloned().unwrap_or_default();
    values.extend(added);
    w.set_written(&local, values);
}

/// A function whose body ends in a local holding a row (`let row = Row {
/// .. }; row`), or in `Ok(..)`/`Some(..)` of a row or of such a local: record
/// it, for the inserts of the rows it builds. Called at the end of the
/// body, with its locals in scope. (A tail that is a struct literal is
/// [`builder`]'s.)
pub(crate) fn built_local(w: &mut Walk<'_>, name: &str, body: &syn::Block) {
    let Some(syn::Stmt::Expr(tail, None)) = body.stmts.last() else {
        return;
    };
    let tail = strip(tail);
    let (inner, wrapped) = match tail {
        Expr::Call(c)
            if c.args.len() == 1
                && call_path(c).is_some_and(|p| p.is_ident("Ok") || p.is_ident("Some")) =>
        {
            (strip(&c.args[0]), true)
        }
        e => (e, false),
    };
    let values = match inner {
        Expr::Path(p) => match p.path.get_ident() {
            Some(local) => w.written(&local.to_string()).cloned().unwrap_or_default(),
            None => return,
        },
        // (A bare struct literal was recorded on entry.)
        Expr::Struct(s) if wrapped => crate::written::struct_fields(w, s),
        _ => return,
    };
    // Only rows written here: a row another function built is that
    // function's. (A SeaORM active model with no topic column yet is
    // recorded by its declared type: its inserts write that table.)
    if values.iter().any(|v| v.built.is_some()) {
        return;
    }
    let model = declared_model(w, name);
    if values.is_empty() && model.is_none() {
        return;
    }
    record_builder(w, name, values, model);
}

/// The path of a SeaORM `ActiveModel`/`Model` struct literal, expanded, in
/// a file that uses SeaORM.
fn sea_model(w: &Walk<'_>, s: &syn::ExprStruct) -> Option<Vec<String>> {
    let last = s.path.segments.last()?;
    if !w.evidence.sea || !(last.ident == "ActiveModel" || last.ident == "Model") {
        return None;
    }
    Some(w.expand(&crate::names::segments(&s.path)))
}

/// A function whose body ends in a struct literal writing a topic column:
/// record it, for the inserts of the rows it builds. Called with the
/// function's parameters bound.
pub(crate) fn builder(w: &mut Walk<'_>, name: &str, body: &syn::Block) {
    let Some(syn::Stmt::Expr(tail, None)) = body.stmts.last() else {
        return;
    };
    let Expr::Struct(s) = strip(tail) else { return };
    let values = crate::written::struct_fields(w, s);
    // (A SeaORM active model is recorded with no topic column too: its
    // caller may set one, `am.topic = Set(..)`.)
    let model = sea_model(w, s);
    if values.is_empty() && model.is_none() {
        return;
    }
    record_builder(w, name, values, model);
}

/// The SeaORM model function `name` of this file is declared to return
/// (`-> outbox::ActiveModel`, through `Result`/`Option`), expanded.
fn declared_model(w: &Walk<'_>, name: &str) -> Option<Vec<String>> {
    if !w.evidence.sea {
        return None;
    }
    let ty = w.returns.get(name)?;
    let last = ty.last()?;
    (last == "ActiveModel" || last == "Model").then(|| w.expand(ty))
}

/// Record function `name` (the one `w` is in) as a builder of rows writing
/// `values` (of SeaORM `model`, when known; else the model it is declared
/// to return).
fn record_builder(
    w: &mut Walk<'_>,
    name: &str,
    values: Vec<WrittenValue>,
    model: Option<Vec<String>>,
) {
    let model = model.or_else(|| declared_model(w, name));
    let from = match name {
        "from" => w.impl_from.last().cloned().flatten(),
        _ => None,
    };
    let builder = RowBuilder {
        name: name.to_string(),
        owner: w.self_type().and_then(|t| t.last()).cloned(),
        function: w.function().unwrap_or_default(),
        in_test: w.in_test(),
        values,
        model,
        from,
    };
    w.out.row_builders.push(builder);
}

#[cfg(test)]
mod tests {
    use crate::{BuiltBy, Rename, Target, ValueShape, collect};

    fn orm(src: &str) -> crate::FileOrm {
        let file = syn::parse_file(src).unwrap_or_else(|e| panic!("{e}\n{src}"));
        collect(&file, false, |_| false)
    }

    /// `(column, line, text)` of a value.
    type Value = (String, u32, String);

    /// `(call, insert line, [value])` of every insert, renamable and built
    /// values left out.
    fn plain(src: &str) -> Vec<(String, u32, Vec<Value>)> {
        orm(src)
            .topic_writes
            .into_iter()
            .map(|w| {
                let values = w
                    .values
                    .into_iter()
                    .filter(|v| v.rename.is_none() && v.built.is_none())
                    .map(|v| (v.column, v.line, v.text))
                    .collect();
                (w.call, w.line, values)
            })
            .collect()
    }

    fn v(column: &str, line: u32, text: &str) -> Value {
        (column.into(), line, text.into())
    }

    #[test]
    fn diesel_many_rows() {
        let src = r#"
use diesel::prelude::*;
use crate::schema::outbox;
fn a(conn: &mut PgConnection) {
    diesel::insert_into(outbox::table)
        .values(&vec![NewOutbox { topic: A.into() }, NewOutbox { topic: "b".into() }])
        .execute(conn);
}
fn b(conn: &mut PgConnection, xs: &[u8]) {
    let mut rows = Vec::new();
    rows.push(NewOutbox { topic: C.into() });
    let more: Vec<_> = xs.iter().map(|x| NewOutbox { topic: D.to_string() }).collect();
    rows.extend(more);
    diesel::insert_into(outbox::table).values(&rows).execute(conn);
}
fn c(conn: &mut PgConnection, topic: &str) {
    let rows: Vec<_> = [1].iter().map(|topic| { let _ = 1; NewOutbox { topic: topic.to_string() } }).collect();
    diesel::insert_into(outbox::table).values(rows).execute(conn);
}
"#;
        assert_eq!(
            plain(src),
            vec![
                (
                    "diesel::insert_into".into(),
                    5,
                    vec![v("topic", 6, "A.into()"), v("topic", 6, "\"b\".into()")]
                ),
                (
                    "diesel::insert_into".into(),
                    14,
                    vec![v("topic", 11, "C.into()"), v("topic", 12, "D.to_string()")]
                ),
                (
                    "diesel::insert_into".into(),
                    18,
                    vec![v("topic", 17, "topic.to_string()")]
                ),
            ]
        );
        // A closure's parameter is no parameter of the function.
        let w = orm(src).topic_writes;
        assert_eq!(w[2].values[0].param, None);
    }

    #[test]
    fn sea_orm_insert_many() {
        let src = r#"
use entity::outbox;
use sea_orm::{EntityTrait, Set};
async fn a(db: &DatabaseConnection, xs: Vec<u8>) {
    let one = outbox::ActiveModel { topic: Set(A.to_owned()), ..Default::default() };
    outbox::Entity::insert_many([one]).exec(db).await;
    outbox::Entity::insert_many(vec![outbox::ActiveModel { topic: Set(B.into()), ..Default::default() }]).exec(db).await;
    outbox::Entity::insert_many(xs.into_iter().map(|_| outbox::ActiveModel { topic: Set(C.into()), ..Default::default() })).exec(db).await;
    outbox::Entity::insert_many(std::iter::once(one)).exec(db).await;
}
"#;
        let got: Vec<_> = plain(src)
            .into_iter()
            .map(|(call, _, values)| (call, values.into_iter().map(|v| v.2).collect::<Vec<_>>()))
            .collect();
        let want: Vec<(String, Vec<String>)> = [
            ("Entity::insert_many", "A.to_owned()"),
            ("Entity::insert_many", "B.into()"),
            ("Entity::insert_many", "C.into()"),
            ("Entity::insert_many", "A.to_owned()"),
        ]
        .iter()
        .map(|(c, t)| (c.to_string(), vec![t.to_string()]))
        .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn rows_built_elsewhere() {
        let src = r#"
use diesel::prelude::*;
use crate::schema::outbox;
impl NewOutbox {
    pub fn new(topic: &str) -> Self {
        Self { topic: topic.to_string(), payload: vec![] }
    }
    pub fn empty() -> Self {
        let x = 1;
        Self { payload: vec![] }
    }
}
fn row() -> NewOutbox { NewOutbox { topic: A.into() } }
fn a(conn: &mut PgConnection) {
    diesel::insert_into(outbox::table).values(&NewOutbox::new(B)).execute(conn);
    let r = row();
    diesel::insert_into(outbox::table).values(&r).execute(conn);
    diesel::insert_into(outbox::table).values(&Vec::new()).execute(conn);
}
"#;
        let o = orm(src);
        let builders: Vec<_> = o
            .row_builders
            .iter()
            .map(|b| {
                let v = &b.values[0];
                (
                    b.function.as_str(),
                    b.owner.as_deref(),
                    v.line,
                    v.text.as_str(),
                    v.param,
                )
            })
            .collect();
        assert_eq!(
            builders,
            vec![
                (
                    "NewOutbox::new",
                    Some("NewOutbox"),
                    6,
                    "topic.to_string()",
                    Some(0)
                ),
                ("row", None, 13, "A.into()", None),
            ]
        );
        let built: Vec<_> = o
            .topic_writes
            .iter()
            .map(|w| (w.values[0].shape, w.values[0].built.clone()))
            .collect();
        let by = |callee: &str, owner: Option<&str>, line| BuiltBy {
            callee: callee.into(),
            owner: owner.map(Into::into),
            line,
            replaced: Vec::new(),
            from: None,
        };
        assert_eq!(
            built,
            vec![
                (ValueShape::Built, Some(by("new", Some("NewOutbox"), 15))),
                (ValueShape::Built, Some(by("row", None, 16))),
            ]
        );
    }

    #[test]
    fn rows_handed_in_returned_through_locals_and_turned_into_active_models() {
        let src = r#"
use diesel::prelude::*;
use crate::schema::outbox;
fn enqueue(conn: &mut PgConnection, row: NewOutbox) {
    diesel::insert_into(outbox::table).values(&row).execute(conn);
}
fn untyped(conn: &mut PgConnection, row: impl Insertable) {
    diesel::insert_into(outbox::table).values(row).execute(conn);
}
fn held() -> NewOutbox {
    let row = NewOutbox { topic: A.into() };
    row
}
fn released() -> QueryResult<NewOutbox> {
    Ok(NewOutbox { topic: B.into() })
}
fn refunded(conn: &mut PgConnection) {
    let row = refund_row(C).expect("a row");
    diesel::insert_into(outbox::table).values(&row).execute(conn);
}
fn converted(conn: &mut PgConnection, event: Event) {
    diesel::insert_into(outbox::table).values(&NewOutbox::from(event)).execute(conn);
}
"#;
        let o = orm(src);
        let w = &o.topic_writes;
        assert_eq!(w.len(), 3, "{w:#?}");
        // A parameter handed to a row type's `From`: the impl builds the row.
        let from = w[2].values[0]
            .built
            .as_ref()
            .map(|b| (b.callee.as_str(), b.owner.as_deref()));
        assert_eq!(from, Some(("from", Some("NewOutbox"))));
        let passed = &w[0].values[0];
        assert_eq!(
            (
                passed.shape,
                passed.param,
                passed.line,
                passed.text.as_str()
            ),
            (ValueShape::Passed, Some(1), 5, "row")
        );
        assert_eq!(w[1].values[0].built.as_ref().map(|b| b.line), Some(18));
        let builders: Vec<_> = o
            .row_builders
            .iter()
            .map(|b| {
                (
                    b.function.as_str(),
                    b.values[0].text.as_str(),
                    b.values[0].line,
                )
            })
            .collect();
        assert_eq!(
            builders,
            vec![("held", "A.into()", 11), ("released", "B.into()", 15)]
        );
    }

    #[test]
    fn sea_orm_active_models_a_helper_built_or_turned_from_a_model() {
        let src = r#"
use entity::outbox;
use sea_orm::{ActiveModelTrait, IntoActiveModel, Set};
fn new_am() -> outbox::ActiveModel {
    outbox::ActiveModel { ..Default::default() }
}
async fn a(db: &DatabaseConnection) {
    let mut am = rows::draft_am();
    am.topic = Set(A.into());
    am.insert(db).await;
}
async fn b(db: &DatabaseConnection) {
    let am = outbox::Model { id: 0, topic: B.into() }.into_active_model();
    am.insert(db).await;
    let model = outbox::Model { id: 0, topic: C.into() };
    let am: outbox::ActiveModel = model.into();
    am.insert(db).await;
    outbox::ActiveModel::from(model).insert(db).await;
}
"#;
        let o = orm(src);
        // A helper's active model with no topic column: its model, for an
        // insert that does not show its type.
        let b = &o.row_builders[0];
        assert_eq!(
            (b.function.as_str(), b.values.len(), b.model.clone()),
            (
                "new_am",
                0,
                Some(vec![
                    "entity".to_string(),
                    "outbox".into(),
                    "ActiveModel".into()
                ])
            )
        );
        let got: Vec<_> = o
            .topic_writes
            .iter()
            .map(|w| {
                let values: Vec<_> = w
                    .values
                    .iter()
                    .map(|v| match &v.built {
                        Some(by) => format!("{}(..) less {:?}", by.callee, by.replaced),
                        None => v.text.clone(),
                    })
                    .collect();
                (w.target.clone(), values)
            })
            .collect();
        let outbox = |last: &str| Target::Type(vec!["entity".into(), "outbox".into(), last.into()]);
        assert_eq!(
            got,
            vec![
                (
                    Target::Type(Vec::new()),
                    vec![
                        "draft_am(..) less [\"topic\"]".to_string(),
                        "A.into()".into()
                    ]
                ),
                (outbox("Model"), vec!["B.into()".to_string()]),
                (outbox("ActiveModel"), vec!["C.into()".to_string()]),
                (outbox("ActiveModel"), vec!["C.into()".to_string()]),
            ]
        );
    }

    #[test]
    fn diesel_renames() {
        let src = r#"
use diesel::prelude::*;
diesel::table! {
    event_queue (id) {
        id -> Int8,
        #[sql_name = "topic"]
        kind -> Text,
    }
}
#[derive(Insertable)]
#[diesel(table_name = outbox)]
pub struct NewEvent {
    #[diesel(column_name = topic)]
    pub event_type: String,
    pub size: i64,
}
fn a(conn: &mut PgConnection) {
    diesel::insert_into(event_queue::table).values(event_queue::kind.eq(A)).execute(conn);
    diesel::insert_into(outbox::table).values(&NewEvent { event_type: B.into(), size: 1 }).execute(conn);
}
"#;
        let o = orm(src);
        assert_eq!(
            o.diesel_tables[0].renamed,
            vec![("kind".into(), "topic".into())]
        );
        assert_eq!(
            o.diesel_models[0].renamed,
            vec![("event_type".into(), "topic".into())]
        );
        let got: Vec<_> = o
            .topic_writes
            .iter()
            .flat_map(|w| {
                w.values
                    .iter()
                    .map(|v| (v.column.clone(), v.rename.clone()))
            })
            .collect();
        // (`size: 1` is no string: left out.)
        assert_eq!(
            got,
            vec![
                ("kind".to_string(), Some(Rename::Column)),
                (
                    "event_type".to_string(),
                    Some(Rename::Field {
                        model: "NewEvent".into()
                    })
                ),
            ]
        );
    }

    #[test]
    fn into_a_row_by_a_user_from_and_helper_models_declared_by_their_return_type() {
        let src = r#"
use diesel::prelude::*;
use crate::schema::outbox;
impl From<OrderPlaced> for NewOutbox {
    fn from(e: OrderPlaced) -> Self { NewOutbox { topic: "orders.placed".into() } }
}
fn place(conn: &mut PgConnection, event: OrderPlaced) {
    diesel::insert_into(outbox::table).values(&event.into()).execute(conn);
    let row: NewOutbox = event.into();
    diesel::insert_into(outbox::table).values(&row).execute(conn);
}
"#;
        let o = orm(src);
        assert_eq!(o.row_builders[0].from.as_deref(), Some("OrderPlaced"));
        let built: Vec<_> = o
            .topic_writes
            .iter()
            .filter_map(|w| w.values.iter().find_map(|v| v.built.clone()))
            .map(|b| (b.callee, b.owner, b.from))
            .collect();
        let from = Some("OrderPlaced".to_string());
        assert_eq!(
            built,
            vec![
                ("from".to_string(), None, from.clone()),
                ("from".to_string(), Some("NewOutbox".to_string()), from),
            ]
        );
        let src = r#"
use entity::outbox;
use sea_orm::{ActiveModelTrait, Set};
pub fn build(payload: Vec<u8>) -> outbox::ActiveModel {
    let mut am = outbox::ActiveModel { ..Default::default() };
    am.payload = Set(payload);
    am
}
async fn a(db: &DatabaseConnection) {
    let am = rows::make(vec![]);
    am.insert(db).await;
}
"#;
        let o = orm(src);
        let b = &o.row_builders[0];
        assert_eq!(
            (b.name.as_str(), b.values.len(), b.model.clone()),
            (
                "build",
                0,
                Some(vec![
                    "entity".to_string(),
                    "outbox".into(),
                    "ActiveModel".into()
                ])
            )
        );
        // A helper of another file: the insert's table is unknown here,
        // the helper is kept for the SQL pass.
        let by = o.unknown[0]
            .built
            .as_ref()
            .map(|(m, b)| (m.as_str(), b.callee.as_str()));
        assert_eq!(by, Some(("insert", "make")));
    }
}
