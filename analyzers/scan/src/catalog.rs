//! The table catalog: migrations, tables created/renamed/dropped by them,
//! tables accessed by code and owners declared in the config; the stored
//! functions the migrations define.

use crate::read::MigrationFile;
use crate::services::Built;
use crate::sql_pass::StoredFunctions;
use nova_config::Config;
use nova_model::{
    Access, DiagCode, Diagnostic, Location, Migration, Severity, Table, TableEvent, TableEventKind,
};
use nova_sql::FunctionChangeKind;
use std::collections::BTreeMap;

/// What the catalog step produced.
#[derive(Debug, Default)]
pub(crate) struct CatalogOut {
    pub migrations: Vec<Migration>,
    pub tables: Vec<Table>,
    pub diagnostics: Vec<Diagnostic>,
}

fn empty_table(name: &str) -> Table {
    Table {
        name: name.to_string(),
        events: Vec::new(),
        in_catalog: false,
        declared_owner: None,
        partition_of: None,
    }
}

/// N014 when the migrations of two or more services create `t`: one table
/// per name cannot tell a shared table from two databases that happen to
/// use the same name, so say so, at the first creation by the second
/// service.
fn created_twice(t: &Table) -> Option<Diagnostic> {
    let mut creators: Vec<(&str, &Location)> = Vec::new();
    for e in &t.events {
        if matches!(
            e.kind,
            TableEventKind::Create | TableEventKind::CreatePartition
        ) && let Some(s) = &e.service
            && !creators.iter().any(|(c, _)| c == s)
        {
            creators.push((s, &e.location));
        }
    }
    let (first, _) = *creators.first()?;
    let (_, at) = *creators.get(1)?;
    let names: Vec<String> = creators.iter().map(|(s, _)| format!("`{s}`")).collect();
    Some(
        Diagnostic::new(
            DiagCode::TableCreatedTwice,
            Severity::Warning,
            format!(
                "table `{}` is created by the migrations of {}; nova counts their accesses as one table's, owned by `{first}` (the first migration) unless nova.toml declares an owner. With a database per service these are different tables: allow-list the findings with a reason",
                t.name,
                names.join(", ")
            ),
        )
        .at(at.clone()),
    )
}

/// The stored functions and procedures the migrations define, applied in
/// path order (like the tables): a `CREATE` replaces an earlier one of the
/// same name, a `DROP` removes it.
pub(crate) fn stored_functions(migrations: &[MigrationFile]) -> StoredFunctions {
    let mut files: Vec<&MigrationFile> = migrations.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    let mut out = StoredFunctions::new();
    for f in files.iter().flat_map(|m| &m.catalog.functions) {
        match f.kind {
            FunctionChangeKind::Create => {
                out.insert(f.name.clone(), f.clone());
            }
            FunctionChangeKind::Drop => {
                out.remove(&f.name);
            }
        }
    }
    out
}

/// Build the catalog. Migration files are applied in path order (sqlx and
/// refinery names sort by version).
pub(crate) fn build(
    migrations: &[MigrationFile],
    built: &Built,
    accesses: &[Access],
    config: &Config,
) -> CatalogOut {
    let mut out = CatalogOut::default();
    let ignored = |t: &str| config.scan.ignore_tables.iter().any(|i| i == t);
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    let mut files: Vec<&MigrationFile> = migrations.iter().collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    for m in files {
        let service = match m.package {
            Some(i) => built.service_of.get(i).cloned().flatten(),
            None => built.service_at(&m.path).map(str::to_string),
        };
        out.migrations.push(Migration {
            file: m.path.clone(),
            service: service.clone(),
            tool: m.tool.as_str().to_string(),
        });
        if let Some(err) = &m.catalog.error {
            out.diagnostics.push(
                Diagnostic::new(
                    DiagCode::SqlFallback,
                    Severity::Info,
                    format!("migration SQL read with the lexical fallback: {err}"),
                )
                .at(Location::file(m.path.clone())),
            );
        }
        for c in &m.catalog.changes {
            if ignored(&c.table) {
                continue;
            }
            let t = tables
                .entry(c.table.clone())
                .or_insert_with(|| empty_table(&c.table));
            t.events.push(TableEvent {
                kind: c.kind,
                location: Location::new(m.path.clone(), c.line, 0),
                service: service.clone(),
                other: c.other.clone(),
            });
            match c.kind {
                TableEventKind::Create => t.in_catalog = true,
                TableEventKind::CreatePartition => {
                    t.in_catalog = true;
                    t.partition_of = c.other.clone();
                }
                TableEventKind::RenameFrom => t.in_catalog = true,
                TableEventKind::Drop | TableEventKind::RenameTo => t.in_catalog = false,
                TableEventKind::Alter => {}
            }
            // A rename seen only from the old name: the new name now exists.
            if c.kind == TableEventKind::RenameTo
                && let Some(new) = &c.other
                && !ignored(new)
            {
                tables
                    .entry(new.clone())
                    .or_insert_with(|| empty_table(new))
                    .in_catalog = true;
            }
        }
    }
    let has_migrations = !out.migrations.is_empty();
    for t in tables.values() {
        if let Some(d) = created_twice(t) {
            out.diagnostics.push(d);
        }
    }

    let mut first_access: BTreeMap<&str, &Access> = BTreeMap::new();
    for a in accesses {
        // (The name is copied only for a table met first here.)
        if !tables.contains_key(&a.table) {
            tables.insert(a.table.clone(), empty_table(&a.table));
        }
        let e = first_access.entry(a.table.as_str()).or_insert(a);
        if a.location < e.location {
            *e = a;
        }
    }
    for (name, t) in &config.tables {
        if ignored(name) {
            continue;
        }
        let table = tables
            .entry(name.clone())
            .or_insert_with(|| empty_table(name));
        table.declared_owner = t.owner.clone().map(|o| {
            // Canonical name when the owner is an alias of a service.
            built
                .services
                .iter()
                .find(|s| s.is_named(&o))
                .map(|s| s.name.clone())
                .unwrap_or(o)
        });
    }
    if has_migrations {
        for (table, a) in &first_access {
            if tables.get(*table).is_some_and(|t| !t.in_catalog) {
                out.diagnostics.push(
                    Diagnostic::new(
                        DiagCode::TableNotInCatalog,
                        Severity::Warning,
                        format!("table `{table}` is accessed but no migration creates it"),
                    )
                    .at(a.location.clone())
                    .for_service(a.service.clone()),
                );
            }
        }
    }
    out.tables = tables.into_values().collect();
    out
}
