//! diesel query shapes (sync `diesel` and `diesel-async` build the same
//! queries; only how they are run differs).
//!
//! - a table named in an expression is read: `users::table`,
//!   `schema::users::table`, `users::dsl::users`, `users` imported from
//!   `users::dsl::*` (or `users::dsl::{users, ..}`), `table` imported from
//!   `users` — wherever it stands (`filter`, `find`, `select`, `count`,
//!   joins, subqueries), unless a local of that name hides it;
//! - `insert_into(t)` / `insert_or_ignore_into(t)` create, `replace_into(t)`
//!   creates and updates, `update(t..)` updates, `delete(t..)` deletes: the
//!   table the argument's chain starts from (`update(users.find(id))`), or
//!   the model of a value (`update(&user)`, `delete(Post::belonging_to(&u))`);
//!   other tables in the argument are read;
//! - `.on_conflict(..).do_update()` after an insert also updates;
//! - `value.save_changes(conn)` updates the value's model's table;
//! - `Post::belonging_to(&user)` reads `Post`'s table.

use crate::names::{call_path, chain_root, segments, text_of};
use crate::types::type_of;
use crate::walk::{Hit, Walk, path_at};
use crate::{Orm, Target};
use nova_model::Op;
use syn::Expr;

/// A diesel table module path in `p` (`users::table` -> `users`), after
/// the imports; `None` when `p` does not name a table.
fn table_form(p: &[String]) -> Option<Vec<String>> {
    let n = p.len();
    if n >= 2 && p[n - 1] == "table" {
        return Some(p[..n - 1].to_vec());
    }
    if n >= 3 && p[n - 2] == "dsl" && p[n - 1] == p[n - 3] {
        return Some(p[..n - 2].to_vec());
    }
    None
}

/// The diesel table `path` names in expression position, if any.
pub(crate) fn table_ref(w: &Walk<'_>, path: &syn::Path) -> Option<Vec<String>> {
    if path.segments.iter().any(|s| !s.arguments.is_none()) {
        return None;
    }
    if let Some(ident) = path.get_ident() {
        let name = ident.to_string();
        if w.local(&name).is_some() {
            return None;
        }
        if let Some(p) = w.import(&name) {
            return table_form(p);
        }
        // `use ..::users::dsl::*` brings `users` (the table) and its columns.
        return w.globs().find_map(|g| {
            let n = g.len();
            (n >= 2 && g[n - 1] == "dsl" && g[n - 2] == name).then(|| g[..n - 1].to_vec())
        });
    }
    table_form(&w.expand(&segments(path)))
}

/// Whether a path starts at the diesel crates.
fn is_diesel(p: &[String]) -> bool {
    p.first()
        .is_some_and(|s| s == "diesel" || s == "diesel_async")
}

/// A table read: `p` names a table not already counted as written.
pub(crate) fn table_read(w: &mut Walk<'_>, p: &syn::ExprPath) {
    if p.qself.is_some() || w.consumed.contains(&(p as *const syn::ExprPath as usize)) {
        return;
    }
    if let Some(t) = table_ref(w, &p.path) {
        let strict = w.evidence.diesel;
        w.query(
            Hit {
                orm: Orm::Diesel,
                op: Op::Read,
                target: Target::DieselTable(t),
                call: "table reference",
                at: path_at(&p.path),
                strict,
            },
            text_of(p),
        );
    }
}

/// What an `insert_into`/`update`/`delete` argument writes: the table its
/// chain starts from, else the model of the value it starts from.
/// `typed`: whether a value's model counts (the function is diesel's).
fn write_target(w: &mut Walk<'_>, arg: &Expr, typed: bool) -> Option<Target> {
    let root = chain_root(arg);
    match root {
        Expr::Path(p) if p.qself.is_none() => {
            if let Some(t) = table_ref(w, &p.path) {
                w.consumed.insert(p as *const syn::ExprPath as usize);
                return Some(Target::DieselTable(t));
            }
        }
        Expr::Call(c) => {
            let belonging = call_path(c)
                .and_then(|p| p.segments.last())
                .is_some_and(|s| s.ident == "belonging_to");
            if belonging {
                w.consumed.insert(c as *const syn::ExprCall as usize);
            }
        }
        _ => {}
    }
    if typed { type_of(w, root) } else { None }
}

/// Whether the function `segs` names is diesel's (`diesel::insert_into`,
/// `insert_into` imported from diesel or its prelude or `dsl`).
fn from_diesel(w: &Walk<'_>, segs: &[String]) -> bool {
    match segs {
        [name] => {
            w.import(name).is_some_and(|p| is_diesel(p))
                || w.globs()
                    .any(|g| is_diesel(g) && (g.len() == 1 || (g.len() == 2 && g[1] == "dsl")))
        }
        _ => is_diesel(&w.expand(segs)),
    }
}

/// `insert_into(t).values(v)`: the topic columns `v` writes, recorded with
/// the table `t`.
fn values(w: &mut Walk<'_>, m: &syn::ExprMethodCall) {
    let Expr::Call(c) = chain_root(&m.receiver) else {
        return;
    };
    let Some(path) = call_path(c) else { return };
    let segs = segments(path);
    let name = match segs.last().map(String::as_str) {
        Some(n @ ("insert_into" | "insert_or_ignore_into" | "replace_into")) => n,
        _ => return,
    };
    let diesel = from_diesel(w, &segs);
    if (segs.len() > 1 && !diesel) || c.args.len() != 1 {
        return;
    }
    let written = crate::written::values_of(w, &m.args[0]);
    if written.is_empty() {
        return;
    }
    if let Some(target) = write_target(w, &c.args[0], diesel) {
        let call = format!("diesel::{name}");
        let text = text_of(m);
        crate::written::record(w, Orm::Diesel, target, &call, path_at(path), text, written);
    }
}

/// `insert_into(..)`, `update(..)`, `delete(..)`, `X::belonging_to(..)`.
/// True when the call is one of diesel's (recorded, or reported).
pub(crate) fn call(w: &mut Walk<'_>, c: &syn::ExprCall) -> bool {
    let Some(path) = call_path(c) else {
        return false;
    };
    let segs = segments(path);
    let Some(name) = segs.last().map(String::as_str) else {
        return false;
    };
    let (op, upsert) = match name {
        "insert_into" | "insert_or_ignore_into" => (Op::Create, false),
        "replace_into" => (Op::Create, true),
        "update" => (Op::Update, false),
        "delete" => (Op::Delete, false),
        "belonging_to" if segs.len() >= 2 && c.args.len() == 1 => {
            belonging_to(w, c, &segs);
            return true;
        }
        _ => return false,
    };
    let from_diesel = from_diesel(w, &segs);
    if (segs.len() > 1 && !from_diesel) || c.args.len() != 1 {
        return false;
    }
    let at = path_at(path);
    let api = format!("diesel::{name}");
    match write_target(w, &c.args[0], from_diesel) {
        Some(target) => {
            let text = text_of(c);
            if upsert {
                let t = target.clone();
                w.query(
                    Hit {
                        orm: Orm::Diesel,
                        op: Op::Update,
                        target: t,
                        call: &api,
                        at,
                        strict: true,
                    },
                    text.clone(),
                );
            }
            w.query(
                Hit {
                    orm: Orm::Diesel,
                    op,
                    target,
                    call: &api,
                    at,
                    strict: true,
                },
                text,
            );
            true
        }
        None if from_diesel => {
            let verb = match op {
                Op::Create => "inserts into",
                Op::Update => "updates",
                _ => "deletes from",
            };
            let why = format!(
                "the table it {verb} is not known statically: `{}` is neither a table (`t::table`, `t` from `t::dsl::*`) nor a value of a known model",
                text_of(&c.args[0])
            );
            w.unknown(Orm::Diesel, at, c, why);
            true
        }
        None => false,
    }
}

/// `Post::belonging_to(&user)`: reads `Post`'s table (unless the call is
/// what an `update`/`delete` writes).
fn belonging_to(w: &mut Walk<'_>, c: &syn::ExprCall, segs: &[String]) {
    if w.consumed.contains(&(c as *const syn::ExprCall as usize)) {
        return;
    }
    let owner = &segs[..segs.len() - 1];
    if !owner.last().is_some_and(|s| crate::names::is_type_name(s)) {
        return;
    }
    let target = Target::Type(w.expand(owner));
    let at = call_path(c).map(path_at).unwrap_or((0, 0));
    let strict = w.evidence.diesel;
    w.query(
        Hit {
            orm: Orm::Diesel,
            op: Op::Read,
            target,
            call: "BelongingToDsl::belonging_to",
            at,
            strict,
        },
        text_of(c),
    );
}

/// `.save_changes(conn)` and `.on_conflict(..).do_update()`.
pub(crate) fn method(w: &mut Walk<'_>, m: &syn::ExprMethodCall, name: &str) {
    let at = crate::names::line_col(m.method.span());
    match name {
        "values" if m.args.len() == 1 => values(w, m),
        "save_changes" if m.args.len() == 1 => {
            let target = type_of(w, &m.receiver).or_else(|| {
                let t = m.turbofish.as_ref()?.args.first()?;
                match t {
                    syn::GenericArgument::Type(ty) => crate::types::named_type(ty),
                    _ => None,
                }
                .map(|p| Target::Type(w.expand(&p)))
            });
            match target {
                Some(t) => update(w, m, t, "SaveChangesDsl::save_changes", at),
                None if w.evidence.diesel => {
                    let why = format!(
                        "`save_changes` updates the table of `{}`, whose model is not known statically",
                        text_of(&*m.receiver)
                    );
                    w.unknown(Orm::Diesel, at, m, why);
                }
                None => {}
            }
        }
        "do_update" if m.args.is_empty() => {
            let Expr::Call(c) = chain_root(&m.receiver) else {
                return;
            };
            let insert = call_path(c)
                .and_then(|p| p.segments.last())
                .is_some_and(|s| s.ident == "insert_into" || s.ident == "insert_or_ignore_into");
            if !insert || c.args.len() != 1 {
                return;
            }
            if let Some(t) = write_target(w, &c.args[0], true) {
                let call = "diesel::insert_into(..).on_conflict(..).do_update()";
                update(w, m, t, call, at);
            }
        }
        _ => {}
    }
}

/// Record an update made by method call `m`.
fn update(w: &mut Walk<'_>, m: &syn::ExprMethodCall, target: Target, call: &str, at: (u32, u32)) {
    let hit = Hit {
        orm: Orm::Diesel,
        op: Op::Update,
        target,
        call,
        at,
        strict: true,
    };
    w.query(hit, text_of(m));
}
