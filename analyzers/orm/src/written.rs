//! What an insert writes into a column that carries a message's topic
//! ([`TOPIC_COLUMNS`]): the value as written, anchored where `nova-rust`'s
//! graph walk records string values, so that `nova-link` takes the value
//! the graph walk made of it (literals, consts, `format!`, parameters...)
//! and resolves it like any other topic. Nothing is evaluated here.
//!
//! - diesel: `insert_into(t).values(t::topic.eq(v))`, a tuple of such
//!   `eq`s, a struct literal (`NewOutbox { topic: v, .. }`) or a local
//!   holding one;
//! - SeaORM: `t::ActiveModel { topic: Set(v), .. }.insert(db)` (or
//!   `.save(db)`), `Entity::insert(am)`, with `am` a struct literal or a
//!   local holding one, whose columns may be set later
//!   (`am.topic = Set(v)`).

use crate::names::{call_path, line_col, strip, text_of};
use crate::walk::Walk;
use crate::{Orm, Target};
use serde::{Deserialize, Serialize};
use syn::Expr;

/// Column names that carry a message's topic (an outbox's destination).
pub const TOPIC_COLUMNS: &[&str] = &["topic", "topic_name", "kafka_topic", "destination"];

/// How a written value is written, which says which graph fact holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ValueShape {
    /// diesel `column.eq(value)`: the call of `eq`, at the line of `eq`.
    Eq,
    /// SeaORM `Set(value)` (`ActiveValue::Set`, `sea_orm::Set`): the call
    /// of `Set`, at the line of its path.
    Set,
    /// A struct literal's field `column: value`: the field, at the line of
    /// its name.
    Field,
    /// A row built by a call of another function ([`crate::BuiltBy`]): the
    /// column and value are that function's, at the line of the call.
    Built,
    /// The row is a parameter of the enclosing function
    /// ([`WrittenValue::param`]): the column and value are those of the
    /// rows its callers hand in, at the line of the parameter's use.
    Passed,
}

/// A value that writes a topic column only if diesel renames what it is
/// written into, which the declaration says (possibly in another file):
/// `#[diesel(column_name = topic)]` on a field of the model, `#[sql_name =
/// "topic"]` on a column of `table!`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rename {
    /// A field of the struct literal of this model (its name, last
    /// segment); [`WrittenValue::column`] is the field.
    Field { model: String },
    /// A column of the insert's table; [`WrittenValue::column`] is the
    /// column's ident.
    Column,
}

/// A value written into a topic column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WrittenValue {
    pub column: String,
    pub shape: ValueShape,
    /// The line the shape anchors the value at (see [`ValueShape`]).
    pub line: u32,
    /// The value as written (inside `Set(..)` or `.eq(..)`).
    pub text: String,
    /// The value is this parameter of the enclosing function (not counting
    /// `self`), possibly through `&`, `.clone()`, `.to_string()`...
    pub param: Option<usize>,
    /// Written into a topic column only if diesel renames
    /// [`Self::column`] into one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rename: Option<Rename>,
    /// [`ValueShape::Built`]: the call that built the row.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub built: Option<crate::BuiltBy>,
}

/// An insert that writes a topic column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicWrite {
    pub orm: Orm,
    /// What the insert writes into, as its [`crate::Query`] names it; an
    /// empty [`Target::Type`] for a SeaORM row a helper built whose type
    /// the insert does not show: the helper's [`crate::RowBuilder::model`].
    pub target: Target,
    /// The API (`diesel::insert_into`, `ActiveModel::insert`).
    pub call: String,
    /// Line and column of the insert, as its [`crate::Query`].
    pub line: u32,
    pub column: u32,
    pub function: Option<String>,
    pub module: Vec<String>,
    pub in_test: bool,
    /// The insert as written.
    pub text: String,
    /// The topic columns written, in the order written.
    pub values: Vec<WrittenValue>,
}

/// Methods that hand on their receiver's value unchanged, for telling a
/// parameter written through them.
const PASS_ON: &[&str] = &["clone", "to_string", "to_owned", "into", "as_str", "as_ref"];

/// Whether `name` is a topic column.
fn is_topic_column(name: &str) -> bool {
    TOPIC_COLUMNS.contains(&name)
}

/// The parameter `e` is, through `&`, parentheses and [`PASS_ON`] methods.
fn param_of(w: &Walk<'_>, e: &Expr) -> Option<usize> {
    let mut e = strip(e);
    while let Expr::MethodCall(m) = e {
        if !m.args.is_empty() || !PASS_ON.iter().any(|p| m.method == *p) {
            return None;
        }
        e = strip(&m.receiver);
    }
    match e {
        Expr::Path(p) => w.param_index(&p.path.get_ident()?.to_string()),
        _ => None,
    }
}

/// `Set(v)` (`ActiveValue::Set(v)`, `sea_orm::Set(v)`): `v` and the line
/// of the call's path.
pub fn set_call(e: &Expr) -> Option<(&Expr, u32)> {
    let Expr::Call(c) = e else { return None };
    let path = call_path(c)?;
    let last = path.segments.last()?;
    if last.ident != "Set" || c.args.len() != 1 {
        return None;
    }
    let line = path
        .segments
        .first()
        .map(|s| line_col(s.ident.span()).0)
        .unwrap_or(0);
    Some((&c.args[0], line))
}

/// `NotSet`: a SeaORM active model's field that writes nothing.
pub fn not_set(e: &Expr) -> bool {
    matches!(e, Expr::Path(p) if p.path.is_ident("NotSet"))
}

/// A value `column: e` (a struct field or `x.column = e`); `name_line`:
/// the line of the field's name.
fn field(w: &Walk<'_>, column: &str, e: &Expr, name_line: u32) -> Option<WrittenValue> {
    field_as(w, column, e, name_line, None)
}

/// [`field`], of a column written only if renamed into a topic column.
fn field_as(
    w: &Walk<'_>,
    column: &str,
    e: &Expr,
    name_line: u32,
    rename: Option<Rename>,
) -> Option<WrittenValue> {
    if not_set(e) {
        return None;
    }
    let (shape, value, line) = match set_call(e) {
        Some((v, line)) => (ValueShape::Set, v, line),
        None => (ValueShape::Field, e, name_line),
    };
    Some(WrittenValue {
        column: column.to_string(),
        shape,
        line,
        text: text_of(value),
        param: param_of(w, value),
        rename,
        built: None,
    })
}

/// Whether `e` may be a string (a literal, a path, a method or macro call,
/// a call of `String::from`..., through `&`): what a renamed field holding
/// a topic is written as. (Spares the text of the other fields.)
fn string_like(e: &Expr) -> bool {
    matches!(
        strip(e),
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(_),
            ..
        }) | Expr::Path(_)
            | Expr::MethodCall(_)
            | Expr::Call(_)
            | Expr::Field(_)
    ) || matches!(strip(e), Expr::Macro(m) if m.mac.path.is_ident("format"))
}

/// The topic columns a struct literal writes; in a file that uses diesel,
/// also its other string-like fields, which a `column_name` rename of the
/// model may make topic columns ([`Rename::Field`]).
pub(crate) fn struct_fields(w: &Walk<'_>, s: &syn::ExprStruct) -> Vec<WrittenValue> {
    let model = match w.evidence.diesel {
        true => s.path.segments.last().map(|l| l.ident.to_string()),
        false => None,
    };
    s.fields
        .iter()
        .filter_map(|f| match &f.member {
            syn::Member::Named(id) => {
                let name = id.to_string();
                let name = name.trim_start_matches("r#");
                let line = line_col(id.span()).0;
                if is_topic_column(name) {
                    return field(w, name, &f.expr, line);
                }
                let model = model.as_ref().filter(|_| string_like(&f.expr))?;
                let rename = Rename::Field {
                    model: model.clone(),
                };
                field_as(w, name, &f.expr, line, Some(rename))
            }
            syn::Member::Unnamed(_) => None,
        })
        .collect()
}

/// The topic columns `e` writes as an insert's values: `col.eq(v)`, a
/// tuple or array of those, a struct literal, a local holding one.
pub(crate) fn values_of(w: &Walk<'_>, e: &Expr) -> Vec<WrittenValue> {
    match strip(e) {
        Expr::Tuple(t) => t.elems.iter().flat_map(|x| values_of(w, x)).collect(),
        Expr::Array(a) => a.elems.iter().flat_map(|x| values_of(w, x)).collect(),
        Expr::MethodCall(m) if m.method == "eq" && m.args.len() == 1 => {
            let Expr::Path(col) = strip(&m.receiver) else {
                return Vec::new();
            };
            let Some(name) = col.path.segments.last().map(|s| s.ident.to_string()) else {
                return Vec::new();
            };
            // Another column: a topic column if `table!` renames it.
            let rename = match is_topic_column(&name) {
                true => None,
                false if string_like(&m.args[0]) => Some(Rename::Column),
                false => return Vec::new(),
            };
            vec![WrittenValue {
                column: name,
                shape: ValueShape::Eq,
                line: line_col(m.method.span()).0,
                text: text_of(&m.args[0]),
                param: param_of(w, &m.args[0]),
                rename,
                built: None,
            }]
        }
        Expr::Struct(s) => struct_fields(w, s),
        Expr::Path(p) => match p.path.get_ident() {
            Some(i) => {
                let name = i.to_string();
                match w.written(&name) {
                    Some(values) => values.clone(),
                    None => passed(w, &name, i).into_iter().collect(),
                }
            }
            None => Vec::new(),
        },
        e => crate::rows::many(w, e),
    }
}

/// A row handed in as parameter `name` of a named type (`row: NewOutbox`,
/// `am: outbox::ActiveModel`): what it writes is what the callers build.
fn passed(w: &Walk<'_>, name: &str, at: &syn::Ident) -> Option<WrittenValue> {
    let index = w.param_index(name)?;
    if !matches!(w.local(name), Some(Some(Target::Type(_)))) {
        return None;
    }
    Some(WrittenValue {
        column: String::new(),
        shape: ValueShape::Passed,
        line: line_col(at.span()).0,
        text: name.to_string(),
        param: Some(index),
        rename: None,
        built: None,
    })
}

/// `let x = S { .. }`: what `x` writes into topic columns, for an insert
/// of `x` later.
pub(crate) fn bind_local(w: &mut Walk<'_>, pat: &syn::Pat, init: &Expr) {
    let init = strip(init);
    // (Most `let`s bind no row, rows or call and hide no local that holds
    // some.)
    let rows = matches!(
        init,
        Expr::Struct(_) | Expr::Array(_) | Expr::Macro(_) | Expr::MethodCall(_) | Expr::Call(_)
    );
    if !rows && w.scopes.iter().all(|s| s.written.is_empty()) {
        return;
    }
    let (name, ty) = match pat {
        syn::Pat::Ident(i) => (i.ident.to_string(), None),
        syn::Pat::Type(t) => match &*t.pat {
            syn::Pat::Ident(i) => (i.ident.to_string(), Some(&*t.ty)),
            _ => return,
        },
        _ => return,
    };
    let mut values = match init {
        Expr::Path(_) => Vec::new(),
        e => values_of(w, e),
    };
    if let Some(ty) = ty {
        crate::rows::into_annotated(&mut values, ty);
    }
    w.set_written(&name, values);
}

/// `x.topic = Set(v)`: `x` now writes `v` into `topic`.
pub(crate) fn assign(w: &mut Walk<'_>, a: &syn::ExprAssign) {
    let Expr::Field(f) = &*a.left else { return };
    let (Expr::Path(base), syn::Member::Named(id)) = (strip(&f.base), &f.member) else {
        return;
    };
    let Some(local) = base.path.get_ident().map(|i| i.to_string()) else {
        return;
    };
    let column = id.to_string();
    if !is_topic_column(&column) || w.local(&local).is_none() {
        return;
    }
    let value = field(w, &column, &a.right, line_col(id.span()).0);
    let mut values = w.written(&local).cloned().unwrap_or_default();
    values.retain(|v| v.column != column);
    // A row another function built: its value of the column is replaced.
    for by in values.iter_mut().filter_map(|v| v.built.as_mut()) {
        if !by.replaced.contains(&column) {
            by.replaced.push(column.clone());
        }
    }
    values.extend(value);
    w.set_written(&local, values);
}

/// Record an insert of `target` that writes `values` (nothing when it
/// writes no topic column).
pub(crate) fn record(
    w: &mut Walk<'_>,
    orm: Orm,
    target: Target,
    call: &str,
    at: (u32, u32),
    text: String,
    values: Vec<WrittenValue>,
) {
    if values.is_empty() {
        return;
    }
    let write = TopicWrite {
        orm,
        target,
        call: call.to_string(),
        line: at.0,
        column: at.1,
        function: w.function(),
        module: w.modules.clone(),
        in_test: w.in_test(),
        text,
        values,
    };
    w.out.topic_writes.push(write);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect;

    fn writes(src: &str) -> Vec<TopicWrite> {
        let file = syn::parse_file(src).unwrap_or_else(|e| panic!("{e}\n{src}"));
        collect(&file, false, |_| false).topic_writes
    }

    /// `(call, column, shape, line, text, param)` of every value written.
    fn values(src: &str) -> Vec<(String, String, ValueShape, u32, String, Option<usize>)> {
        writes(src)
            .into_iter()
            .flat_map(|w| {
                let call = w.call.clone();
                w.values
                    .into_iter()
                    .map(move |v| (call.clone(), v.column, v.shape, v.line, v.text, v.param))
            })
            .collect()
    }

    fn v(
        call: &str,
        column: &str,
        shape: ValueShape,
        line: u32,
        text: &str,
        param: Option<usize>,
    ) -> (String, String, ValueShape, u32, String, Option<usize>) {
        (call.into(), column.into(), shape, line, text.into(), param)
    }

    #[test]
    fn diesel_values_of_topic_columns() {
        let src = r#"
use diesel::prelude::*;
use crate::schema::outbox;
fn a(conn: &mut PgConnection) {
    diesel::insert_into(outbox::table)
        .values((outbox::topic.eq(TOPIC), outbox::payload.eq(b"x")))
        .execute(conn);
}
fn b(conn: &mut PgConnection, key: &str, topic: &str) {
    diesel::insert_into(outbox::table).values(outbox::destination.eq(&topic)).execute(conn);
}
fn c(conn: &mut PgConnection) {
    let row = NewOutbox { topic: "x".into(), payload: vec![] };
    diesel::insert_into(outbox::table).values(&row).execute(conn);
    let row = Other::new();
    diesel::insert_into(outbox::table).values(&row).execute(conn);
}
fn d(conn: &mut PgConnection) {
    diesel::insert_into(outbox::table).values(outbox::payload.eq(b"x")).execute(conn);
    diesel::update(outbox::table).set(outbox::topic.eq("x")).execute(conn);
}
"#;
        assert_eq!(
            values(src),
            vec![
                v(
                    "diesel::insert_into",
                    "topic",
                    ValueShape::Eq,
                    6,
                    "TOPIC",
                    None
                ),
                v(
                    "diesel::insert_into",
                    "destination",
                    ValueShape::Eq,
                    10,
                    "&topic",
                    Some(2)
                ),
                v(
                    "diesel::insert_into",
                    "topic",
                    ValueShape::Field,
                    13,
                    "\"x\".into()",
                    None
                ),
                // A row another function builds: told in `nova-link`.
                v(
                    "diesel::insert_into",
                    "",
                    ValueShape::Built,
                    15,
                    "Other::new(..)",
                    None
                ),
            ]
        );
        let w = writes(src);
        assert_eq!(
            w[0].target,
            Target::DieselTable(vec!["crate".into(), "schema".into(), "outbox".into()])
        );
        assert_eq!((w[0].line, w[0].function.as_deref()), (5, Some("a")));
    }

    #[test]
    fn sea_orm_values_of_topic_columns() {
        let src = r#"
use entity::outbox;
use sea_orm::{ActiveModelTrait, Set};
async fn a(db: &DatabaseConnection) {
    outbox::ActiveModel { topic: Set(TOPIC.to_owned()), payload: Set(vec![]), ..Default::default() }
        .insert(db).await;
}
async fn b(db: &DatabaseConnection, topic: String) {
    let am = outbox::ActiveModel { topic: ActiveValue::Set(topic.clone()), ..Default::default() };
    outbox::Entity::insert(am).exec(db).await;
}
async fn c(db: &DatabaseConnection) {
    let mut am = outbox::ActiveModel::new();
    am.topic = Set(format!("a.{}", X));
    am.save(db).await;
    am.topic = NotSet;
    am.insert(db).await;
}
async fn d(db: &DatabaseConnection, topic: String) {
    let topic = "shadowed";
    outbox::ActiveModel { topic: Set(topic.into()), ..Default::default() }.update(db).await;
    outbox::ActiveModel { topic: Set(topic.into()), ..Default::default() }.insert(db).await;
}
"#;
        assert_eq!(
            values(src),
            vec![
                v(
                    "ActiveModel::insert",
                    "topic",
                    ValueShape::Set,
                    5,
                    "TOPIC.to_owned()",
                    None
                ),
                v(
                    "Entity::insert",
                    "topic",
                    ValueShape::Set,
                    9,
                    "topic.clone()",
                    Some(1)
                ),
                v(
                    "ActiveModel::save",
                    "topic",
                    ValueShape::Set,
                    14,
                    "format!(\"a.{}\", X)",
                    None
                ),
                v(
                    "ActiveModel::insert",
                    "topic",
                    ValueShape::Set,
                    22,
                    "topic.into()",
                    None
                ),
            ]
        );
        let w = writes(src);
        assert_eq!(
            w[0].target,
            Target::Type(vec!["entity".into(), "outbox".into(), "ActiveModel".into()])
        );
    }
}
