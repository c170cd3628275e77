//! SeaORM query and migration shapes.
//!
//! - `E::find()` / `E::find_by_id(id)` read, `E::insert(am)` /
//!   `E::insert_many(..)` create (and update with an `on_conflict` that
//!   updates columns), `E::update(am)` / `E::update_many()` update,
//!   `E::delete(am)` / `E::delete_by_id(id)` / `E::delete_many()` delete,
//!   where `E` is an entity (`cake::Entity`, `Entity` in its module, an
//!   alias such as `Cake` from `use super::cake::Entity as Cake`);
//! - related entities are read: `find_also_related(E)`,
//!   `find_with_related(E)`, `model.find_related(E)`, `inner_join(E)` and
//!   the other joins, `join(JoinType::.., cake::Relation::Fruit.def())`,
//!   `find_linked(L)`, `load_one` / `load_many` / `load_many_to_many`;
//! - a model's methods: `insert(db)` creates, `update(db)` updates,
//!   `delete(db)` deletes, `save(db)` creates or updates (recorded as both,
//!   marked), on a value whose entity is known (`cake::ActiveModel { .. }`,
//!   a local annotated or produced by `Cake::find..`, a parameter);
//! - migrations: `Table::create().table(Post::Table)` (and `drop`, `alter`,
//!   `rename`), `create_table_from_entity(E)`.

use crate::names::{call_path, chain_root, is_type_name, line_col, segments, strip, text_of};
use crate::types::type_of;
use crate::walk::{Hit, Walk, path_at};
use crate::{MigrationStep, Orm, Target};
use nova_model::{Op, TableEventKind};
use quote::ToTokens;
use syn::Expr;

/// Associated functions of an entity: (name, arity, operation).
const ENTITY_FNS: &[(&str, usize, Op)] = &[
    ("find", 0, Op::Read),
    ("find_by_id", 1, Op::Read),
    ("insert", 1, Op::Create),
    ("insert_many", 1, Op::Create),
    ("update", 1, Op::Update),
    ("update_many", 0, Op::Update),
    ("delete", 1, Op::Delete),
    ("delete_by_id", 1, Op::Delete),
    ("delete_many", 0, Op::Delete),
];

/// Names of the types an entity module declares.
const ENTITY_TYPES: &[&str] = &["Entity", "Model", "ActiveModel"];

/// The entity a type path may name (`cake::Entity`, `Cake`,
/// `prelude::Cake`, `Self` in `impl Entity`), with whether the path alone
/// proves it (`..::Entity`).
pub(crate) fn entity_path(w: &Walk<'_>, owner: &[String]) -> Option<(Vec<String>, bool)> {
    let last = owner.last()?;
    if !is_type_name(last) {
        return None;
    }
    let full = w.expand(owner);
    let full_last = full.last()?.as_str();
    if ENTITY_TYPES.contains(&full_last) {
        return Some((full.clone(), full_last == "Entity"));
    }
    if owner.len() > 1 || w.import(last).is_some() {
        return Some((full, false));
    }
    // A name neither imported nor declared here can only come from a glob
    // (`use entity::prelude::*`).
    if !w.local_types.contains(last) && w.globs().next().is_some() {
        return Some((full, false));
    }
    None
}

/// What `Entity::find..()` / `Entity::insert(..)` returns models of.
pub(crate) fn entity_call(w: &Walk<'_>, segs: &[String]) -> Option<Target> {
    let (name, owner) = segs.split_last()?;
    if !matches!(name.as_str(), "find" | "find_by_id" | "insert") {
        return None;
    }
    entity_path(w, owner).map(|(p, _)| Target::Type(p))
}

/// `E::find()`, `E::insert(am)`...: true when recorded.
pub(crate) fn call(w: &mut Walk<'_>, c: &syn::ExprCall) -> bool {
    let Some(path) = call_path(c) else {
        return false;
    };
    let segs = segments(path);
    let Some((name, owner)) = segs.split_last() else {
        return false;
    };
    let Some(&(_, _, op)) = ENTITY_FNS
        .iter()
        .find(|(n, arity, _)| n == name && *arity == c.args.len())
    else {
        return false;
    };
    let Some((entity, strict)) = entity_path(w, owner) else {
        return false;
    };
    let call = format!("Entity::{name}");
    if name == "insert" || name == "insert_many" {
        let written = crate::written::values_of(w, &c.args[0]);
        let target = Target::Type(entity.clone());
        crate::written::record(
            w,
            Orm::SeaOrm,
            target,
            &call,
            path_at(path),
            text_of(c),
            written,
        );
    }
    w.query(
        Hit {
            orm: Orm::SeaOrm,
            op,
            target: Target::Type(entity),
            call: &call,
            at: path_at(path),
            strict,
        },
        text_of(c),
    );
    true
}

/// An entity named as a value (`find_also_related(Fruit)`).
fn entity_arg(w: &Walk<'_>, e: &Expr) -> Option<(Target, bool)> {
    match strip(e) {
        Expr::Path(p) if p.qself.is_none() => {
            entity_path(w, &segments(&p.path)).map(|(t, s)| (Target::Type(t), s))
        }
        _ => None,
    }
}

/// A relation in a join (`cake::Relation::Fruit.def()`, `.rev()`,
/// `<cake::Entity as Related<fruit::Entity>>::to()`).
fn relation_arg(w: &Walk<'_>, e: &Expr, mut rev: bool) -> Option<Target> {
    let mut e = strip(e);
    loop {
        match e {
            Expr::MethodCall(m) => {
                if m.method == "rev" {
                    rev = !rev;
                }
                e = strip(&m.receiver);
            }
            Expr::Path(p) if p.qself.is_none() => {
                let segs = w.expand(&segments(&p.path));
                let n = segs.len();
                return (n >= 2 && segs[n - 2] == "Relation")
                    .then_some(Target::Relation { path: segs, rev });
            }
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else {
                    return None;
                };
                // `<A as Related<B>>::to()`: B.
                p.qself.as_ref()?;
                let seg = p.path.segments.iter().rev().nth(1)?;
                let syn::PathArguments::AngleBracketed(a) = &seg.arguments else {
                    return None;
                };
                return a.args.iter().find_map(|g| match g {
                    syn::GenericArgument::Type(t) => {
                        crate::types::named_type(t).map(|p| Target::Type(w.expand(&p)))
                    }
                    _ => None,
                });
            }
            _ => return None,
        }
    }
}

/// Related entities, model methods, upserts and migrations.
pub(crate) fn method(w: &mut Walk<'_>, m: &syn::ExprMethodCall, name: &str) {
    let at = line_col(m.method.span());
    let args: Vec<&Expr> = m.args.iter().collect();
    let reads: Vec<(Target, bool)> = match (name, args.as_slice()) {
        (
            "find_related" | "find_also_related" | "find_with_related" | "inner_join" | "left_join"
            | "right_join" | "reverse_join",
            [e],
        )
        | ("load_one" | "load_many", [e, _]) => entity_arg(w, e).into_iter().collect(),
        ("load_many_to_many", [e, via, _]) => [entity_arg(w, e), entity_arg(w, via)]
            .into_iter()
            .flatten()
            .collect(),
        ("find_linked" | "find_also_linked" | "find_with_linked", [e]) => match strip(e) {
            Expr::Path(p) => vec![(Target::Link(w.expand(&segments(&p.path))), false)],
            Expr::Struct(s) => vec![(Target::Link(w.expand(&segments(&s.path))), false)],
            _ => Vec::new(),
        },
        ("join" | "join_rev" | "join_as" | "join_as_rev", [_, rel, ..]) => {
            relation_arg(w, rel, name.contains("rev"))
                .map(|t| (t, true))
                .into_iter()
                .collect()
        }
        ("insert" | "save" | "update" | "delete", [_]) => {
            model_method(w, m, name, at);
            return;
        }
        ("on_conflict", [arg]) => {
            upsert(w, m, arg, at);
            return;
        }
        ("table", [_] | [_, _]) => {
            migration(w, m, &args);
            return;
        }
        ("create_table_from_entity", [e]) => {
            if let Some((t, _)) = entity_arg(w, e) {
                push_step(w, TableEventKind::Create, t, None, at.0);
            }
            return;
        }
        _ => return,
    };
    let call = format!("{name}(..)");
    for (target, strict) in reads {
        let text = text_of(m);
        w.query(
            Hit {
                orm: Orm::SeaOrm,
                op: Op::Read,
                target,
                call: &call,
                at,
                strict,
            },
            text,
        );
    }
}

/// `x.insert(db)`, `x.save(db)`, `x.update(db)`, `x.delete(db)` on a value
/// whose entity is known; an awaited one on an unknown value is reported.
fn model_method(w: &mut Walk<'_>, m: &syn::ExprMethodCall, name: &str, at: (u32, u32)) {
    let target = match type_of(w, &m.receiver) {
        Some(Target::Type(p)) => Some(p),
        Some(_) => return,
        None => None,
    };
    let Some(path) = target else {
        // A row a helper built (`let mut am = new_am(..)`): the insert
        // writes the helper's model, told in `nova-link` (the topic) and
        // in the SQL pass (the access).
        let written = crate::written::values_of(w, &m.receiver);
        let built = written.iter().find_map(|v| v.built.clone());
        if (name == "insert" || name == "save") && built.is_some() {
            let call = format!("ActiveModel::{name}");
            let target = Target::Type(Vec::new());
            crate::written::record(w, Orm::SeaOrm, target, &call, at, text_of(m), written);
        }
        let awaited = w.awaited == Some(m as *const syn::ExprMethodCall as usize);
        if awaited && w.evidence.sea {
            let why = format!(
                "`{name}` writes the table of `{}`, whose entity is not known statically",
                text_of(&*m.receiver)
            );
            w.unknown(Orm::SeaOrm, at, m, why);
            if let Some(u) = w.out.unknown.last_mut() {
                u.built = built.map(|by| (name.to_string(), by));
            }
        }
        return;
    };
    let strict = path
        .last()
        .is_some_and(|l| l == "Model" || l == "ActiveModel");
    let text = text_of(m);
    let ops: &[Op] = match name {
        "insert" => &[Op::Create],
        "update" => &[Op::Update],
        "delete" => &[Op::Delete],
        _ => &[Op::Create, Op::Update],
    };
    let call = format!("ActiveModel::{name}");
    if name == "insert" || name == "save" {
        let written = crate::written::values_of(w, &m.receiver);
        let target = Target::Type(path.clone());
        crate::written::record(w, Orm::SeaOrm, target, &call, at, text.clone(), written);
    }
    for &op in ops {
        w.query(
            Hit {
                orm: Orm::SeaOrm,
                op,
                target: Target::Type(path.clone()),
                call: &call,
                at,
                strict,
            },
            text.clone(),
        );
        if name == "save"
            && let Some(q) = w.out.queries.last_mut()
        {
            q.either = true;
        }
    }
}

/// `E::insert(..).on_conflict(OnConflict::column(..).update_column(..))`:
/// an upsert also updates.
fn upsert(w: &mut Walk<'_>, m: &syn::ExprMethodCall, arg: &Expr, at: (u32, u32)) {
    let Expr::Call(c) = chain_root(&m.receiver) else {
        return;
    };
    let Some(path) = call_path(c) else { return };
    let segs = segments(path);
    let Some((name, owner)) = segs.split_last() else {
        return;
    };
    if name != "insert" && name != "insert_many" {
        return;
    }
    let updates = arg.to_token_stream().into_iter().any(|t| {
        let s = t.to_string();
        s.starts_with("update_") || s == "value" || s == "values"
    });
    let Some((entity, strict)) = entity_path(w, owner) else {
        return;
    };
    if updates {
        let text = text_of(m);
        w.query(
            Hit {
                orm: Orm::SeaOrm,
                op: Op::Update,
                target: Target::Type(entity),
                call: "Entity::insert(..).on_conflict(..)",
                at,
                strict,
            },
            text,
        );
    }
}

/// What a migration's `.table(..)` names: `Post::Table`, an entity,
/// `Alias::new("posts")`, a string, `(schema, table)`.
fn table_arg(w: &Walk<'_>, e: &Expr) -> Option<Target> {
    match strip(e) {
        Expr::Path(p) if p.qself.is_none() => {
            let segs = segments(&p.path);
            let n = segs.len();
            if n >= 2 && segs[n - 1] == "Table" {
                return Some(Target::Iden(w.expand(&segs[..n - 1])));
            }
            entity_path(w, &segs).map(|(t, _)| Target::Type(t))
        }
        Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(Target::Named(s.value())),
        Expr::Call(c) => {
            let path = call_path(c)?;
            let last = path.segments.last()?;
            if last.ident == "new" && path.segments.len() >= 2 {
                return c.args.first().and_then(|a| table_arg(w, a));
            }
            None
        }
        Expr::MethodCall(m) if m.method == "into_iden" || m.method == "into_table_ref" => {
            table_arg(w, &m.receiver)
        }
        Expr::Tuple(t) => {
            let parts: Vec<Option<Target>> = t.elems.iter().map(|e| table_arg(w, e)).collect();
            match parts.as_slice() {
                [Some(Target::Named(s)), Some(Target::Named(t))] => {
                    Some(Target::Named(format!("{s}.{t}")))
                }
                [.., last] => last.clone(),
                [] => None,
            }
        }
        _ => None,
    }
}

fn push_step(
    w: &mut Walk<'_>,
    kind: TableEventKind,
    target: Target,
    other: Option<Target>,
    line: u32,
) {
    let step = MigrationStep {
        kind,
        target,
        other,
        line,
        module: w.modules.clone(),
        function: w.function(),
        in_test: w.in_test(),
    };
    w.out.migrations.push(step);
}

/// `Table::create().table(X::Table)` (and `drop`, `alter`, `rename`).
fn migration(w: &mut Walk<'_>, m: &syn::ExprMethodCall, args: &[&Expr]) {
    if !w.evidence.sea {
        return;
    }
    let Expr::Call(c) = chain_root(&m.receiver) else {
        return;
    };
    let Some(path) = call_path(c) else { return };
    let segs = segments(path);
    let n = segs.len();
    if n < 2 || segs[n - 2] != "Table" {
        return;
    }
    let kind = match (segs[n - 1].as_str(), args.len()) {
        ("create", 1) => TableEventKind::Create,
        ("drop", 1) => TableEventKind::Drop,
        ("alter", 1) => TableEventKind::Alter,
        ("rename", 2) => TableEventKind::RenameTo,
        _ => return,
    };
    let Some(target) = table_arg(w, args[0]) else {
        return;
    };
    let other = args.get(1).and_then(|a| table_arg(w, a));
    let line = crate::names::expr_at(args[0]).0;
    push_step(w, kind, target, other, line);
}
