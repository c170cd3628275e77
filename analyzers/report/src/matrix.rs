//! The data ownership matrix (seed 004): tables x services, CRUD per cell.
//!
//! Ownership follows [`nova_rules::ownership::owner`]: declared in
//! `nova.toml`, else the only writer, else the service whose migration
//! creates the table.

use crate::{csv_field, md_cell};
use nova_model::{Model, Op, OpSet};
use nova_rules::ownership::{Owner, Ownership};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Version of the JSON shape of [`json`].
pub const MATRIX_JSON_VERSION: u32 = 1;

/// One row of the matrix.
struct Row {
    table: String,
    owner: Option<Owner>,
    cells: BTreeMap<String, OpSet>,
    writers: Vec<String>,
    /// service -> libraries its SQL on this table goes through.
    libraries: BTreeMap<String, BTreeSet<String>>,
    /// service -> how its accesses were found (`sql`, `diesel`, `sea-orm`).
    sources: BTreeMap<String, BTreeSet<&'static str>>,
}

fn rows(model: &Model) -> Vec<Row> {
    let index = Ownership::new(model);
    index
        .tables()
        .map(|t| {
            let mut libraries: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            let mut sources: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
            for a in index.accesses(t) {
                sources
                    .entry(a.service.clone())
                    .or_default()
                    .insert(a.source.as_str());
                if let Some(lib) = &a.via_library {
                    libraries
                        .entry(a.service.clone())
                        .or_default()
                        .insert(lib.clone());
                }
            }
            Row {
                table: t.to_string(),
                owner: index.owner(t).cloned(),
                cells: index.cells(t),
                writers: index.writers(t).into_keys().collect(),
                libraries,
                sources,
            }
        })
        .collect()
}

/// Per-service counts.
struct Counts {
    owned: usize,
    read: usize,
    written_not_owned: usize,
}

fn counts(model: &Model, rows: &[Row]) -> BTreeMap<String, Counts> {
    let mut names: BTreeSet<String> = model.services.iter().map(|s| s.name.clone()).collect();
    for r in rows {
        names.extend(r.cells.keys().cloned());
        names.extend(r.owner.iter().map(|o| o.service.clone()));
    }
    names
        .into_iter()
        .map(|s| {
            let owned = rows
                .iter()
                .filter(|r| r.owner.as_ref().is_some_and(|o| o.service == s))
                .count();
            let read = rows
                .iter()
                .filter(|r| r.cells.get(&s).is_some_and(|o| o.contains(Op::Read)))
                .count();
            let written_not_owned = rows
                .iter()
                .filter(|r| {
                    r.cells.get(&s).is_some_and(|o| o.has_write())
                        && r.owner.as_ref().is_none_or(|o| o.service != s)
                })
                .count();
            (
                s,
                Counts {
                    owned,
                    read,
                    written_not_owned,
                },
            )
        })
        .collect()
}

fn superscript(n: usize) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    n.to_string()
        .chars()
        .map(|c| c.to_digit(10).map_or(c, |d| DIGITS[d as usize]))
        .collect()
}

/// The matrix as Markdown, like seed 004: one table per owning service,
/// a section for unowned tables, library footnotes, per-service counts and
/// totals.
pub fn markdown(model: &Model) -> String {
    let rows = rows(model);
    let mut out = String::new();
    let _ = writeln!(out, "# Data ownership matrix\n");
    if !model.root.is_empty() {
        let _ = writeln!(out, "Scanned root: `{}`\n", model.root);
    }
    let _ = writeln!(
        out,
        "Cells: **C**reate, **R**ead, **U**pdate, **D**elete; `—` when the service does not touch the table. \
         The owner's cell is in bold. ⚠ marks a table written by more than one service \
         (the single-writer rule says one service creates, updates and deletes each table; others may read it).\n"
    );
    // Library footnotes, numbered in order of first use.
    let mut libs: Vec<String> = rows
        .iter()
        .flat_map(|r| r.libraries.values().flatten().cloned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    libs.sort();
    let lib_mark = |r: &Row, s: &str| -> String {
        r.libraries
            .get(s)
            .map(|set| {
                set.iter()
                    .filter_map(|l| libs.iter().position(|x| x == l))
                    .map(|i| superscript(i + 1))
                    .collect::<Vec<_>>()
                    .join("˒")
            })
            .unwrap_or_default()
    };

    let mut by_owner: BTreeMap<String, Vec<&Row>> = BTreeMap::new();
    let mut unowned: Vec<&Row> = Vec::new();
    for r in &rows {
        match &r.owner {
            Some(o) => by_owner.entry(o.service.clone()).or_default().push(r),
            None => unowned.push(r),
        }
    }
    let render_group = |out: &mut String, owner_name: Option<&str>, group: &[&Row]| {
        let mut columns: Vec<String> = Vec::new();
        if let Some(o) = owner_name {
            columns.push(o.to_string());
        }
        let others: BTreeSet<String> = group
            .iter()
            .flat_map(|r| r.cells.keys().cloned())
            .filter(|s| Some(s.as_str()) != owner_name)
            .collect();
        columns.extend(others);
        let _ = write!(out, "| Table |");
        for c in &columns {
            let _ = write!(out, " {} |", md_cell(c));
        }
        let _ = write!(out, "\n|-------|");
        for _ in &columns {
            let _ = write!(out, "----|");
        }
        out.push('\n');
        for r in group {
            let multi = r.writers.len() > 1;
            let name = if owner_name.is_some() {
                format!("**{}**", md_cell(&r.table))
            } else {
                md_cell(&r.table)
            };
            let _ = write!(out, "| {}{} |", name, if multi { " ⚠" } else { "" });
            for c in &columns {
                let ops = r.cells.get(c).copied().unwrap_or_default();
                let letters = if ops.is_empty() {
                    "—".to_string()
                } else {
                    ops.to_string()
                };
                let mark = lib_mark(r, c);
                if Some(c.as_str()) == owner_name {
                    let _ = write!(out, " **{letters}**{mark} |");
                } else {
                    let _ = write!(out, " {letters}{mark} |");
                }
            }
            out.push('\n');
        }
        out.push('\n');
        for r in group {
            if let Some(o) = &r.owner
                && o.basis != nova_rules::ownership::OwnerBasis::SingleWriter
            {
                let _ = writeln!(
                    out,
                    "- `{}`: owner {} ({}).",
                    r.table,
                    o.service,
                    o.basis.describe()
                );
            }
            if r.writers.len() > 1 {
                let who: Vec<String> = r
                    .writers
                    .iter()
                    .map(|w| format!("{w} ({})", r.cells.get(w).copied().unwrap_or_default()))
                    .collect();
                let _ = writeln!(
                    out,
                    "- ⚠ `{}` has {} writers: {}. Give it one writer.",
                    r.table,
                    r.writers.len(),
                    who.join(", ")
                );
            }
        }
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
    };
    let _ = writeln!(out, "## Tables by owner\n");
    for (o, group) in &by_owner {
        let _ = writeln!(out, "### Owned by {o}\n");
        render_group(&mut out, Some(o), group);
    }
    if !unowned.is_empty() {
        let _ = writeln!(out, "## Unowned tables\n");
        let _ = writeln!(
            out,
            "No service writes these tables, no service's migration creates them, and nova.toml declares no owner \
             (or several services write them and none can be chosen).\n"
        );
        render_group(&mut out, None, &unowned);
    }
    if !libs.is_empty() {
        let _ = writeln!(out, "## SQL in shared libraries\n");
        for (i, lib) in libs.iter().enumerate() {
            let uses: Vec<String> = rows
                .iter()
                .flat_map(|r| {
                    r.libraries
                        .iter()
                        .filter(|(_, set)| set.contains(lib))
                        .map(move |(s, _)| format!("{s} → `{}`", r.table))
                })
                .collect();
            let _ = writeln!(
                out,
                "{} through library `{lib}`: {}",
                superscript(i + 1),
                uses.join(", ")
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "## Per service\n");
    let _ = writeln!(
        out,
        "| Service | Tables owned | Tables read | Tables written but not owned |\n|---------|-------------:|------------:|------------------------------:|"
    );
    for (s, c) in counts(model, &rows) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            md_cell(&s),
            c.owned,
            c.read,
            c.written_not_owned
        );
    }
    out.push('\n');
    let t = totals(&rows);
    let _ = writeln!(out, "## Totals\n");
    let _ = writeln!(out, "- Tables: {}", t.tables);
    let _ = writeln!(out, "- Single-writer: {}", t.single_writer);
    let multi: Vec<&str> = rows
        .iter()
        .filter(|r| r.writers.len() > 1)
        .map(|r| r.table.as_str())
        .collect();
    if multi.is_empty() {
        let _ = writeln!(out, "- Multi-writer: 0");
    } else {
        let _ = writeln!(
            out,
            "- Multi-writer: {} ({})",
            t.multi_writer,
            multi.join(", ")
        );
    }
    let _ = writeln!(out, "- Without a writer: {}", t.no_writer);
    let _ = writeln!(out, "- Without an owner: {}", t.unowned);
    out
}

struct Totals {
    tables: usize,
    single_writer: usize,
    multi_writer: usize,
    no_writer: usize,
    unowned: usize,
}

fn totals(rows: &[Row]) -> Totals {
    Totals {
        tables: rows.len(),
        single_writer: rows.iter().filter(|r| r.writers.len() == 1).count(),
        multi_writer: rows.iter().filter(|r| r.writers.len() > 1).count(),
        no_writer: rows.iter().filter(|r| r.writers.is_empty()).count(),
        unowned: rows.iter().filter(|r| r.owner.is_none()).count(),
    }
}

/// The matrix as CSV: header `service,table,ops`, one row per (service,
/// table) with at least one operation, ops as letters among `CRUD` in that
/// order, sorted by service then table.
pub fn csv(model: &Model) -> String {
    let mut cellmap: BTreeMap<(&str, &str), OpSet> = BTreeMap::new();
    for a in &model.accesses {
        cellmap
            .entry((a.service.as_str(), a.table.as_str()))
            .or_default()
            .insert(a.op);
    }
    let mut out = String::from("service,table,ops\n");
    for ((s, t), ops) in cellmap {
        let _ = writeln!(out, "{},{},{}", csv_field(s), csv_field(t), ops);
    }
    out
}

/// The matrix as JSON:
/// `{version, tables: [{name, owner, owner_basis, writers, multi_writer,
/// cells: {service: "CRU"}}], services: [{name, owned, read,
/// written_not_owned}], totals: {tables, single_writer, multi_writer,
/// no_writer, unowned}}`.
pub fn json(model: &Model) -> String {
    let rows = rows(model);
    let tables: Vec<Value> = rows
        .iter()
        .map(|r| {
            let mut cells = Map::new();
            for (s, ops) in &r.cells {
                cells.insert(s.clone(), Value::String(ops.to_string()));
            }
            let mut via = Map::new();
            for (s, libs) in &r.libraries {
                via.insert(s.clone(), json!(libs));
            }
            json!({
                "name": r.table,
                "owner": r.owner.as_ref().map(|o| o.service.clone()),
                "owner_basis": r.owner.as_ref().map(|o| o.basis),
                "writers": r.writers,
                "multi_writer": r.writers.len() > 1,
                "cells": cells,
                "via_library": via,
                "sources": r.sources,
            })
        })
        .collect();
    let services: Vec<Value> = counts(model, &rows)
        .into_iter()
        .map(|(s, c)| {
            json!({
                "name": s,
                "owned": c.owned,
                "read": c.read,
                "written_not_owned": c.written_not_owned,
            })
        })
        .collect();
    let t = totals(&rows);
    let v = json!({
        "version": MATRIX_JSON_VERSION,
        "tables": tables,
        "services": services,
        "totals": {
            "tables": t.tables,
            "single_writer": t.single_writer,
            "multi_writer": t.multi_writer,
            "no_writer": t.no_writer,
            "unowned": t.unowned,
        },
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed_model::{access, seed_model};

    #[test]
    fn csv_exact() {
        let mut m = seed_model();
        m.accesses
            .push(access("odd,service", "we\"ird", Op::Read, "x.rs", 1));
        assert_eq!(
            csv(&m),
            "service,table,ops\n\
             content-service,audit_log,R\n\
             content-service,posts,CRUD\n\
             feed-service,feed_items,CR\n\
             feed-service,posts,R\n\
             identity-service,sessions,CD\n\
             identity-service,users,CRUD\n\
             media-service,posts,R\n\
             messaging-service,messages,CR\n\
             messaging-service,users,RU\n\
             \"odd,service\",\"we\"\"ird\",R\n\
             realtime-chat-service,messages,R\n"
        );
    }

    #[test]
    fn markdown_groups_and_marks() {
        let md = markdown(&seed_model());
        for line in [
            "### Owned by content-service",
            "| Table | content-service | feed-service | media-service |",
            "| **posts** | **CRUD** | R | R |",
            "### Owned by identity-service",
            "| Table | identity-service | messaging-service |",
            "| **sessions** | **CD** | — |",
            "| **users** ⚠ | **CRUD** | RU¹ |",
            "- `users`: owner identity-service (its migration creates the table).",
            "- ⚠ `users` has 2 writers: identity-service (CRUD), messaging-service (RU). Give it one writer.",
            "## Unowned tables",
            "| audit_log | R |",
            "¹ through library `db-common`: messaging-service → `users`",
            "| content-service | 1 | 2 | 0 |",
            "| messaging-service | 1 | 2 | 1 |",
            "- Tables: 6",
            "- Single-writer: 4",
            "- Multi-writer: 1 (users)",
            "- Without a writer: 1",
        ] {
            assert!(
                md.lines().any(|l| l == line),
                "missing line {line:?} in\n{md}"
            );
        }
        assert_eq!(md, markdown(&seed_model()));
    }

    #[test]
    fn json_shape() {
        let v: Value = match serde_json::from_str(&json(&seed_model())) {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(v["version"], 1);
        let users = &v["tables"][5];
        assert_eq!(users["name"], "users");
        assert_eq!(users["owner"], "identity-service");
        assert_eq!(
            users["writers"],
            json!(["identity-service", "messaging-service"])
        );
        assert_eq!(
            users["cells"],
            json!({"identity-service": "CRUD", "messaging-service": "RU"})
        );
        assert_eq!(v["totals"]["multi_writer"], 1);
        assert_eq!(v["totals"]["tables"], 6);
        assert_eq!(
            users["sources"],
            json!({"identity-service": ["sql"], "messaging-service": ["sql"]})
        );
    }

    #[test]
    fn json_marks_orm_sources() {
        let mut m = seed_model();
        let mut a = access("messaging-service", "users", Op::Update, "m.rs", 9);
        a.source = nova_model::AccessSource::Diesel;
        m.accesses.push(a);
        let v: Value = serde_json::from_str(&json(&m)).unwrap_or_default();
        assert_eq!(
            v["tables"][5]["sources"]["messaging-service"],
            json!(["diesel", "sql"])
        );
    }
}
