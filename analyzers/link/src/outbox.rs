//! Transactional outboxes in others' code: a table with a topic column,
//! written by services (raw SQL, `sqlx` macros, bind chains) and read by a
//! relay that publishes each row's topic. The relay's own publish is not a
//! topic of its service; each write with a resolvable topic is a producer
//! edge of the writing service, its evidence naming the insert and the
//! relay.
//!
//! diesel and SeaORM inserts ([`orm_writes`]) count like SQL ones: `nova-orm`
//! records the value an insert writes into a topic column and where it is
//! written (`topic.eq(v)`, `Set(v)`, a struct field), and the value is the
//! one the graph walk recorded there (a `StrCall` of `eq`/`Set`, a
//! `FieldInit`), resolved like every topic (consts, `format!`,
//! parameters through their calls).

use crate::Ctx;
use crate::follow::attribute;
use crate::orm_rows::{self, Declared, RowCaller};
use nova_model::{DiagCode, Diagnostic, Location, Op, Severity};
use nova_orm::{Orm, Schema, Site, Target, ValueShape, WrittenValue};
use nova_rust::graph::{StrExpr, TopicApi, TopicRole, TopicSite};
use nova_rust::sql::{SqlExpr, SqlSite};
use nova_rust::unit::{Crate, ParsedFile};
use std::collections::{BTreeMap, BTreeSet};

/// Column names that carry a message's topic (the ORM inserts record the
/// values of the same columns).
pub(crate) const TOPIC_COLUMNS: &[&str] = nova_orm::TOPIC_COLUMNS;

/// Split an SQL tuple `a, 'b, c', $1` at top-level commas.
fn split_tuple(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    let mut quote = false;
    for ch in s.chars() {
        match ch {
            '\'' => {
                quote = !quote;
                cur.push(ch);
            }
            '(' if !quote => {
                depth += 1;
                cur.push(ch);
            }
            ')' if !quote => {
                depth -= 1;
                cur.push(ch);
            }
            ',' if !quote && depth == 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
            }
            _ => cur.push(ch),
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// An `INSERT` into a table with a topic column: the table and the topic's
/// value, `Ok(literal)` or `Err(bound)` (`$1`, `?`, an expression).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopicInsert {
    pub table: String,
    pub topic: Result<String, String>,
    /// For a `?` placeholder: how many `?` come before it in the values.
    pub question_marks_before: usize,
}

/// The topic of an outbox `INSERT`: `Ok(Some(topic))` for a literal,
/// `Ok(None)` when the statement is not an outbox insert with a topic
/// column, `Err(value)` when the topic is bound at run time.
#[cfg(test)]
pub(crate) fn outbox_insert_topic(sql: &str) -> Result<Option<String>, String> {
    match topic_insert(sql) {
        Some(i) if i.table.contains("outbox") => i.topic.map(Some),
        _ => Ok(None),
    }
}

/// The table and topic value of an `INSERT` whose column list has a topic
/// column ([`TOPIC_COLUMNS`]); `None` for any other statement.
pub(crate) fn topic_insert(sql: &str) -> Option<TopicInsert> {
    let lower = sql.to_ascii_lowercase();
    let i = lower.find("insert into")?;
    let rest = &sql[i + "insert into".len()..];
    let rest_l = &lower[i + "insert into".len()..];
    let open = rest.find('(')?;
    let table = rest_l[..open]
        .trim()
        .trim_matches('"')
        .rsplit('.')
        .next()
        .unwrap_or("")
        .trim_matches('"')
        .to_string();
    let close = rest[open..].find(')')?;
    let cols: Vec<String> = split_tuple(&rest[open + 1..open + close])
        .into_iter()
        .map(|c| c.trim_matches('"').to_ascii_lowercase())
        .collect();
    let idx = cols
        .iter()
        .position(|c| TOPIC_COLUMNS.contains(&c.as_str()))?;
    let after = &rest[open + close + 1..];
    let after_l = after.to_ascii_lowercase();
    let v = after_l.find("values")?;
    let vals = &after[v + "values".len()..];
    let vo = vals.find('(')?;
    let mut depth = 0i32;
    let mut end = None;
    let mut quote = false;
    for (k, ch) in vals[vo..].char_indices() {
        match ch {
            '\'' => quote = !quote,
            '(' if !quote => depth += 1,
            ')' if !quote => {
                depth -= 1;
                if depth == 0 {
                    end = Some(vo + k);
                    break;
                }
            }
            _ => {}
        }
    }
    let end = end?;
    let values = split_tuple(&vals[vo + 1..end]);
    let val = values.get(idx)?;
    let topic = if val.starts_with('\'') && val.ends_with('\'') && val.len() >= 2 {
        Ok(val[1..val.len() - 1].to_string())
    } else {
        Err(val.clone())
    };
    Some(TopicInsert {
        table,
        topic,
        question_marks_before: values[..idx].iter().map(|v| v.matches('?').count()).sum(),
    })
}

/// The relays of a repository: tables whose rows a relay publishes to the
/// row's topic, and the relays' own publish sites.
#[derive(Default)]
pub(crate) struct Relays<'a> {
    /// table -> where its rows are published.
    pub tables: BTreeMap<String, BTreeSet<String>>,
    /// (file, line) of the relays' publish calls.
    pub sites: BTreeSet<(String, u32)>,
    /// The ORM inserts writing a topic column, with their values and
    /// tables: found once, for the relays and then for [`orm_writes`].
    inserts: Vec<OrmInsert<'a>>,
}

/// An ORM insert (not in test code) writing a topic column, in `f` of `c`:
/// the values it writes ([`orm_rows::written`], not empty) and the tables
/// it writes them to ([`write_tables`]).
struct OrmInsert<'a> {
    c: &'a Crate,
    f: &'a ParsedFile,
    w: &'a nova_orm::TopicWrite,
    values: Vec<orm_rows::Written<'a>>,
    tables: Vec<String>,
}

/// Whether any ORM insert outside test code writes a topic column: only
/// then are the rows' declarations ([`Declared`]) needed.
pub(crate) fn has_orm_topic_writes(crates: &[Crate]) -> bool {
    crates
        .iter()
        .any(|c| crate::live_files(c).any(topic_writes))
}

/// Whether an ORM insert of `f` outside test code writes a topic column.
fn topic_writes(f: &ParsedFile) -> bool {
    f.facts.orm.topic_writes.iter().any(|w| !w.in_test)
}

impl Relays<'_> {
    /// Whether inserts into `table` go through an outbox: its name says
    /// so, or a relay publishes its rows.
    pub fn is_outbox(&self, table: &str) -> bool {
        table.contains("outbox") || self.tables.contains_key(table)
    }

    /// Where the rows of `table` are relayed, for evidence.
    pub fn relayed_at(&self, table: &str) -> Option<String> {
        let at: Vec<&str> = self.tables.get(table)?.iter().map(String::as_str).collect();
        Some(at.join(", "))
    }
}

/// The topic column a produce site publishes, when its topic is a row's
/// field (`FutureRecord::to(&row.topic)`).
fn row_column(e: &StrExpr) -> Option<&str> {
    match e {
        StrExpr::Field(f) if TOPIC_COLUMNS.contains(&f.as_str()) => Some(f),
        _ => None,
    }
}

/// The string texts of a file's SQL: its sites' literals and its consts.
fn file_sql_texts(f: &ParsedFile) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for q in &f.facts.sql_sites {
        collect_lits(&q.expr, &mut out);
    }
    for k in &f.facts.consts {
        collect_lits(&k.value, &mut out);
    }
    out
}

fn collect_lits<'a>(e: &'a SqlExpr, out: &mut Vec<&'a str>) {
    match e {
        SqlExpr::Lit(s) => out.push(s),
        SqlExpr::Choice(v) => v.iter().for_each(|x| collect_lits(x, out)),
        _ => {}
    }
}

/// The tables a `SELECT` reading `column` reads from (`FROM t`).
fn selected_from(sql: &str, column: &str) -> Vec<String> {
    let lower: String = sql
        .chars()
        .map(|c| {
            if c.is_whitespace() {
                ' '
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect();
    let is_word = |w: &str| {
        lower
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .any(|x| x == w)
    };
    if !is_word("select") || !is_word(column) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut rest = lower.as_str();
    while let Some(i) = rest.find(" from ") {
        let after = rest[i + 6..].trim_start();
        let name: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '"'))
            .collect();
        let name = name
            .trim_matches('"')
            .rsplit('.')
            .next()
            .unwrap_or("")
            .trim_matches('"');
        if !name.is_empty() && name != "unnest" {
            out.push(name.to_string());
        }
        rest = &rest[i + 6..];
    }
    out
}

/// Find the relays: produce sites whose topic is a row's topic column in
/// a file that selects that column from a table, or that reads through an
/// ORM a table ORM inserts write a topic column of (or one named
/// `*outbox*`). `declared` is there when [`has_orm_topic_writes`].
pub(crate) fn relays<'a>(
    ctx: &Ctx<'_>,
    crates: &'a [Crate],
    declared: Option<&Declared<'a>>,
) -> Relays<'a> {
    let mut r = Relays::default();
    let schema = declared.map(|d| (orm_schema(ctx, crates), d));
    // Tables ORM inserts write a topic column of.
    let mut written: BTreeSet<String> = BTreeSet::new();
    if let Some((schema, declared)) = &schema {
        for c in crates {
            for f in crate::live_files(c).filter(|f| topic_writes(f)) {
                for w in f.facts.orm.topic_writes.iter().filter(|w| !w.in_test) {
                    let values = orm_rows::written(ctx, declared, c, f, w);
                    if values.is_empty() {
                        continue;
                    }
                    let tables = write_tables(schema, ctx, declared, c, f, w);
                    written.extend(tables.iter().cloned());
                    r.inserts.push(OrmInsert {
                        c,
                        f,
                        w,
                        values,
                        tables,
                    });
                }
            }
        }
    }
    let schema = schema.map(|(s, _)| s);
    for c in crates {
        for f in crate::live_files(c) {
            for s in f.facts.graph.topics.iter() {
                if s.in_test || s.role != TopicRole::Produce {
                    continue;
                }
                let Some(col) = row_column(&s.topic) else {
                    continue;
                };
                let mut tables: BTreeSet<String> = file_sql_texts(f)
                    .into_iter()
                    .flat_map(|t| selected_from(t, col))
                    .collect();
                if let Some(schema) = &schema {
                    let reads = f.facts.orm.queries.iter();
                    for q in reads.filter(|q| q.op == Op::Read && !q.in_test) {
                        let read = orm_tables(schema, ctx, c, f, q.orm, &q.target, &q.module);
                        tables.extend(
                            read.into_iter()
                                .filter(|t| written.contains(t) || t.contains("outbox")),
                        );
                    }
                }
                if tables.is_empty() {
                    continue;
                }
                let at = Location::new(f.path.clone(), s.line, 0).to_string();
                for t in tables {
                    r.tables.entry(t).or_default().insert(at.clone());
                }
                r.sites.insert((f.path.clone(), s.line));
            }
        }
    }
    r
}

/// The value bound to `bound` (`$2`, `?`) of the SQL call `q` in `f`: from
/// the call's bound arguments ([`nova_rust::graph::SqlArgs`]) on the same
/// line, else the only SQL call with arguments in the same function.
pub(crate) fn bound_arg(
    f: &ParsedFile,
    q: &SqlSite,
    bound: &str,
    question_marks_before: usize,
) -> Option<StrExpr> {
    let index = match bound.trim().strip_prefix('$') {
        Some(n) => n.parse::<usize>().ok()?.checked_sub(1)?,
        None if bound.trim() == "?" => question_marks_before,
        None => return None,
    };
    let args = &f.facts.graph.sql_args;
    let same_line = args
        .iter()
        .find(|a| a.line == q.line && a.function == q.function);
    let chosen = same_line.or_else(|| {
        let mut in_fn = args.iter().filter(|a| a.function == q.function);
        match (in_fn.next(), in_fn.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    })?;
    match chosen.args.get(index)? {
        StrExpr::Unknown(_) => None,
        v => Some(v.clone()),
    }
}

/// The ORM schema of `crates` (every file that declares something).
fn orm_schema(ctx: &Ctx<'_>, crates: &[Crate]) -> Schema {
    nova_rust::unit::orm_schema(crates, &ctx.input.config.scan.default_schemas)
}

/// The tables (as the relays know them) an ORM `target` named in `f`, in
/// inline module `inline`, stands for; none when it does not resolve (the
/// SQL pass reports a strict one, N007).
fn orm_tables(
    schema: &Schema,
    ctx: &Ctx<'_>,
    c: &Crate,
    f: &ParsedFile,
    orm: Orm,
    target: &Target,
    inline: &[String],
) -> Vec<String> {
    let visible = nova_rust::unit::sees(&ctx.closure, &c.package);
    let module: Vec<String> = f.module.iter().chain(inline).cloned().collect();
    let site = Site {
        package: &c.package,
        file: &f.path,
        module: &module,
        visible: &visible,
    };
    match schema.resolve(orm, target, &site) {
        Ok(tables) => tables.iter().map(|t| table_key(t)).collect(),
        Err(_) => Vec::new(),
    }
}

/// The tables (as the relays know them) the insert `w` of `c`'s file `f`
/// writes: its target's, or, for an insert of a row a helper built whose
/// type the insert does not show, the tables of the builders' models.
fn write_tables(
    schema: &Schema,
    ctx: &Ctx<'_>,
    declared: &Declared<'_>,
    c: &Crate,
    f: &ParsedFile,
    w: &nova_orm::TopicWrite,
) -> Vec<String> {
    if !matches!(&w.target, Target::Type(p) if p.is_empty()) {
        return orm_tables(schema, ctx, c, f, w.orm, &w.target, &w.module);
    }
    let mut out: Vec<String> = Vec::new();
    for (bc, bf, model) in declared.built_models(ctx, &c.package, w) {
        let target = Target::Type(model.to_vec());
        out.extend(orm_tables(schema, ctx, bc, bf, w.orm, &target, &[]));
    }
    out.sort();
    out.dedup();
    out
}

/// The services running `by`, a call handing a row to the function
/// inserting it, and the call's location.
fn caller_services(ctx: &Ctx<'_>, by: &RowCaller<'_>) -> (BTreeSet<String>, String) {
    let (f, function) = (by.f, by.function);
    let services = attribute(&ctx.follow, by.c, &f.path, &f.module, function, by.line);
    let call = Location::new(f.path.clone(), by.line, 0);
    (
        services.into_iter().map(|a| a.service).collect(),
        call.to_string(),
    )
}

/// diesel and SeaORM inserts into outboxes: the topic sites of those whose
/// topic value the graph walk recorded (with where their table is
/// relayed), and, per service running it, the diagnostic of each whose
/// topic is written at run time.
#[derive(Default)]
pub(crate) struct OrmWrites<'a> {
    /// Each site with where its table is relayed and, for a row handed
    /// in, the services running the call that hands it in (the site
    /// counts for those only) and the call's location.
    #[allow(clippy::type_complexity)]
    pub sites: Vec<(
        &'a Crate,
        &'a ParsedFile,
        TopicSite,
        Option<String>,
        Option<(BTreeSet<String>, String)>,
    )>,
    pub unbound: Vec<(String, Diagnostic)>,
}

/// A table name as the relays know it: unquoted, without its schema,
/// lower case.
fn table_key(table: &str) -> String {
    let last = table.rsplit('.').next().unwrap_or(table);
    last.trim_matches('"').to_ascii_lowercase()
}

/// Whether `e`, one of several values the graph walk recorded at the same
/// place, is the one `v` writes (two `eq`s on one line).
fn fits(e: &StrExpr, v: &WrittenValue) -> bool {
    match e {
        StrExpr::Param(p) => v.param == Some(p.index),
        _ if v.param.is_some() => false,
        StrExpr::Lit(s) => v.text.contains(s.as_str()),
        StrExpr::Const(path) => path.last().is_some_and(|l| v.text.contains(l.as_str())),
        StrExpr::Format { .. } => v.text.contains("format!"),
        StrExpr::Env { var, .. } => v.text.contains(var.as_str()),
        StrExpr::Field(f) => v.text.contains(f.as_str()),
        StrExpr::Call(c) => v.text.contains(c.name.as_str()),
        StrExpr::List(_)
        | StrExpr::Typed(_)
        | StrExpr::Declared(_)
        | StrExpr::SelfField(_)
        | StrExpr::Unknown(_) => false,
    }
}

/// The string value the graph walk recorded for the value `v` of `f`: the
/// argument of the `eq` or `Set` call at its line, or the struct field.
fn graph_value(f: &ParsedFile, v: &WrittenValue) -> Option<StrExpr> {
    let g = &f.facts.graph;
    let mut found: Vec<&StrExpr> = match v.shape {
        ValueShape::Eq | ValueShape::Set => {
            let callee = if v.shape == ValueShape::Eq {
                "eq"
            } else {
                "Set"
            };
            g.str_calls
                .iter()
                .filter(|c| c.callee == callee && c.line == v.line && !c.in_test)
                .filter_map(|c| c.args.first())
                .collect()
        }
        ValueShape::Built | ValueShape::Passed => return None,
        ValueShape::Field => g
            .fields
            .iter()
            .filter(|fi| fi.field == v.column && fi.line == v.line)
            .map(|fi| &fi.value)
            .collect(),
    };
    found.retain(|e| !matches!(e, StrExpr::Unknown(_)));
    found.sort();
    found.dedup();
    if found.len() > 1 {
        found.retain(|e| fits(e, v));
    }
    match found.as_slice() {
        [one] => Some((*one).clone()),
        _ => None,
    }
}

/// The diesel and SeaORM inserts of `crates` into outboxes (a table a relay
/// publishes, or one named `*outbox*`) that write a topic column: each
/// value written (one per row of a multi-row insert, those of rows built
/// by another function) is a topic site at the insert.
pub(crate) fn orm_writes<'a>(ctx: &Ctx<'_>, relays: &Relays<'a>) -> OrmWrites<'a> {
    let mut out = OrmWrites::default();
    for insert in &relays.inserts {
        let (c, f, w) = (insert.c, insert.f, insert.w);
        for table in &insert.tables {
            if !relays.is_outbox(table) {
                continue;
            }
            let relay = relays.relayed_at(table);
            let call = match &relay {
                Some(at) => format!("{} into {table} (relayed at {at})", w.call),
                None => format!("{} into {table}", w.call),
            };
            let mut seen: BTreeSet<(StrExpr, Option<(String, u32)>)> = BTreeSet::new();
            // (Text, and for a row handed in the services running
            // the call: those the diagnostic is for.)
            let mut unbound: Vec<(&str, Option<BTreeSet<String>>)> = Vec::new();
            for v in &insert.values {
                let topic = graph_value(v.file, v.value)
                    .map(|t| v.topic(t))
                    // (A call to no function of the project's is
                    // bound at run time, as in an SQL insert.)
                    .filter(|t| ctx.values.may_resolve(t));
                match topic {
                    Some(topic) => {
                        let key = v.caller.as_ref().map(RowCaller::key);
                        if !seen.insert((topic.clone(), key)) {
                            continue;
                        }
                        let s = TopicSite {
                            role: TopicRole::Produce,
                            api: TopicApi::Outbox,
                            topic,
                            call: call.clone(),
                            line: w.line,
                            function: w.function.clone(),
                            in_test: false,
                        };
                        let only = v.caller.as_ref().map(|by| caller_services(ctx, by));
                        out.sites.push((c, f, s, relay.clone(), only));
                    }
                    None => {
                        let only = v.caller.as_ref().map(|by| caller_services(ctx, by).0);
                        let text = (v.value.text.as_str(), only);
                        if !unbound.contains(&text) {
                            unbound.push(text);
                        }
                    }
                }
            }
            let (path, module) = (&f.path, &f.module);
            for (text, only) in unbound {
                for a in attribute(&ctx.follow, c, path, module, w.function.as_deref(), w.line) {
                    if only.as_ref().is_some_and(|o| !o.contains(&a.service)) {
                        continue;
                    }
                    let ev = ctx.evidence(&a, &call, &c.package);
                    let d = Diagnostic::new(
                        DiagCode::UnresolvedTopic,
                        Severity::Info,
                        format!(
                            "outbox insert in `{}` binds its topic at run time (`{}`)",
                            a.service, text
                        ),
                    )
                    .at(ev.location)
                    .with_snippet(w.text.clone())
                    .for_service(a.service.clone());
                    out.unbound.push((a.service.clone(), d));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orm_values_are_the_graph_values_written_at_their_place() {
        let src = r#"
use diesel::prelude::*;
use crate::schema::outbox;
const TOPIC: &str = "orders.placed";
fn a(conn: &mut PgConnection) {
    diesel::insert_into(outbox::table).values((outbox::kind.eq("order"), outbox::topic.eq(TOPIC))).execute(conn);
}
fn b(conn: &mut PgConnection, kind: &str, topic: &str) {
    diesel::insert_into(outbox::table).values((outbox::kind.eq(kind), outbox::topic.eq(topic))).execute(conn);
}
fn c(conn: &mut PgConnection, event: &Event) {
    diesel::insert_into(outbox::table).values(outbox::topic.eq(event.name())).execute(conn);
}
"#;
        let f = ParsedFile {
            path: "src/lib.rs".into(),
            module: Vec::new(),
            in_test: false,
            facts: nova_rust::parse_file(src, false).expect("test source parses"),
        };
        let got: Vec<Option<StrExpr>> = f
            .facts
            .orm
            .topic_writes
            .iter()
            .filter_map(|w| w.values.iter().find(|v| v.rename.is_none()))
            .map(|v| graph_value(&f, v))
            .collect();
        assert_eq!(got.len(), 3);
        // Two `eq`s on one line: the topic's, not the kind's.
        assert_eq!(got[0], Some(StrExpr::Const(vec!["TOPIC".into()])));
        assert!(
            matches!(&got[1], Some(StrExpr::Param(p)) if p.index == 2 && p.name == "b"),
            "{:?}",
            got[1]
        );
        // A method of a type the call site shows: the values `Event::name`
        // returns, resolved in link like any returned value.
        assert!(
            matches!(&got[2], Some(StrExpr::Call(c)) if c.name == "name"),
            "{:?}",
            got[2]
        );
    }

    #[test]
    fn outbox_sql() {
        assert_eq!(
            outbox_insert_topic(
                "INSERT INTO outbox_events (id, topic, key, payload) VALUES ($1, 'content-events', $2, $3)"
            ),
            Ok(Some("content-events".into()))
        );
        assert_eq!(
            outbox_insert_topic(
                "insert into outbox (topic, payload) values ($1, jsonb_build_object('a', 1))"
            ),
            Err("$1".into())
        );
        assert_eq!(
            outbox_insert_topic("INSERT INTO posts (id, topic) VALUES ($1, 'x')"),
            Ok(None)
        );
        assert_eq!(outbox_insert_topic("SELECT 1"), Ok(None));
    }
}
