//! What the ORMs add to the table catalog: SeaORM migrations written in Rust
//! (`Table::create().table(Post::Table)`) as migration files, and the
//! tables a diesel `table!` or a SeaORM entity declares that no migration
//! creates (N020: the ORM schema and the migrations have drifted).
//!
//! diesel's own migrations are SQL (`migrations/<dir>/up.sql`) and are read
//! by the catalog like any other (`down.sql` is not a forward migration).

use crate::read::MigrationFile;
use nova_config::Config;
use nova_discover::MigrationTool;
use nova_model::{DiagCode, Diagnostic, Location, Severity, Table};
use nova_rust::attribution::dependency_closure;
use nova_rust::unit::Crate;
use nova_sql::{Catalog, CatalogChange};

/// The SeaORM migration files of `crates` (in package order, which is
/// the discovery's: a migration's `package` is its index), with a
/// diagnostic for each step whose table is not known.
pub(crate) fn migrations(
    crates: &[Crate],
    config: &Config,
) -> (Vec<MigrationFile>, Vec<Diagnostic>) {
    let mut out = Vec::new();
    let mut diagnostics = Vec::new();
    let has_steps = |c: &Crate| c.files.iter().any(|f| !f.facts.orm.migrations.is_empty());
    if !crates.iter().any(has_steps) {
        return (out, diagnostics);
    }
    let schema = crate::sql_pass::orm_schema(crates, &config.scan.default_schemas);
    let closure = dependency_closure(crates);
    for (i, c) in crates.iter().enumerate().filter(|(_, c)| has_steps(c)) {
        let visible = nova_rust::unit::sees(&closure, &c.package);
        // A migration crate that is a library runs in the service that
        // depends on it, when there is exactly one.
        let runner = if c.service.is_some() {
            Some(i)
        } else {
            let users: Vec<usize> = crates
                .iter()
                .enumerate()
                .filter(|(_, s)| s.service.is_some())
                .filter(|(_, s)| {
                    closure
                        .get(&s.package)
                        .is_some_and(|d| d.contains(&c.package))
                })
                .map(|(j, _)| j)
                .collect();
            (users.len() == 1).then(|| users[0])
        };
        for f in c
            .files
            .iter()
            .filter(|f| !f.facts.orm.migrations.is_empty())
        {
            let file = nova_orm::SchemaFile {
                package: &c.package,
                path: &f.path,
                module: &f.module,
                orm: &f.facts.orm,
            };
            let (changes, failed) = schema.migrations(&file, &visible);
            for (line, why) in failed {
                diagnostics.push(
                    Diagnostic::new(
                        DiagCode::OrmNotAnalysed,
                        Severity::Warning,
                        format!("the table of a SeaORM migration step is not known: {why}; the catalog misses it"),
                    )
                    .at(Location::new(f.path.clone(), line, 0)),
                );
            }
            if changes.is_empty() {
                continue;
            }
            let changes = changes
                .into_iter()
                .map(|t| CatalogChange {
                    table: t.table,
                    kind: t.kind,
                    other: t.other,
                    line: t.line,
                })
                .collect();
            out.push(MigrationFile {
                path: f.path.clone(),
                package: runner,
                tool: MigrationTool::SeaOrm,
                catalog: Catalog {
                    changes,
                    ..Catalog::default()
                },
            });
        }
    }
    (out, diagnostics)
}

/// N020 for every table a diesel `table!` or a SeaORM entity declares that
/// no migration creates, when the repository has migrations.
pub(crate) fn drift(
    crates: &[Crate],
    tables: &[Table],
    has_migrations: bool,
    config: &Config,
) -> Vec<Diagnostic> {
    let declares = |c: &Crate| c.files.iter().any(|f| f.facts.orm.has_schema());
    if !has_migrations || !crates.iter().any(declares) {
        return Vec::new();
    }
    let schema = crate::sql_pass::orm_schema(crates, &config.scan.default_schemas);
    let ignored = |t: &str| config.scan.ignore_tables.iter().any(|i| i == t);
    let in_catalog = |t: &str| tables.iter().any(|x| x.name == t && x.in_catalog);
    schema
        .declared()
        .into_iter()
        .filter(|d| !ignored(&d.table) && !in_catalog(&d.table))
        .map(|d| {
            let what = match d.orm {
                nova_orm::Orm::Diesel => "a diesel `table!`",
                nova_orm::Orm::SeaOrm => "a SeaORM entity",
            };
            let mut diag = Diagnostic::new(
                DiagCode::OrmSchemaDrift,
                Severity::Info,
                format!(
                    "{what} declares table `{}`, but no migration the scan found creates it: the ORM schema and the migrations have drifted, or the table is created elsewhere",
                    d.table
                ),
            )
            .at(Location::new(d.file.clone(), d.line, 0));
            if let Some(s) = crates
                .iter()
                .find(|c| c.package == d.package)
                .and_then(|c| c.service.clone())
            {
                diag = diag.for_service(s);
            }
            diag
        })
        .collect()
}
