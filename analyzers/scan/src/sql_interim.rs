//! INTERIM SQL pass, used until `sql_pass` (owned by the SQL-extraction
//! work, `nova_scan::sql_pass::sql_pass`) lands; then [`run`] delegates to
//! it. It resolves only literal SQL, `if`/`match` choices between literals
//! and `format!` templates (holes become placeholders), in the service's own
//! code and in the libraries it depends on. Constants across modules,
//! `.sqlx` offline data and `query_file!` are left to the real pass.

use nova_config::Config;
use nova_model::{Access, DiagCode, Diagnostic, Location, Severity, StoreQuery};
use nova_rust::sql::SqlExpr;
use nova_rust::unit::Crate;

/// What the SQL pass produced.
#[derive(Debug, Default)]
pub(crate) struct SqlOut {
    pub accesses: Vec<Access>,
    pub store_queries: Vec<StoreQuery>,
    pub diagnostics: Vec<Diagnostic>,
    pub statements: u64,
}

fn text_of(expr: &SqlExpr) -> Option<Vec<String>> {
    match expr {
        SqlExpr::Lit(s) => Some(vec![s.clone()]),
        SqlExpr::Choice(parts) => {
            let mut out = Vec::new();
            for p in parts {
                out.extend(text_of(p)?);
            }
            Some(out)
        }
        SqlExpr::Format { template, args } => {
            let mut s = String::new();
            let mut hole = 0;
            let mut rest = template.as_str();
            while let Some(i) = rest.find("{}") {
                s.push_str(&rest[..i]);
                match args.get(hole) {
                    Some(SqlExpr::Lit(l)) => s.push_str(l),
                    _ => s.push_str(&nova_rust::hole(hole)),
                }
                hole += 1;
                rest = &rest[i + 2..];
            }
            s.push_str(rest);
            Some(vec![s.replace("{{", "{").replace("}}", "}")])
        }
        _ => None,
    }
}

/// Run the SQL pass over every crate.
pub(crate) fn run(
    crates: &[Crate],
    config: &Config,
    _read_file: &(dyn Fn(&str) -> Option<String> + Sync),
    _sqlx_queries: &[(String, String)],
) -> SqlOut {
    let mut out = SqlOut::default();
    for c in crates {
        // The services that run this crate's SQL: itself, or every service
        // depending on it (directly or transitively) when it is a library.
        let runners: Vec<(String, Option<String>)> = match &c.service {
            Some(s) => vec![(s.clone(), None)],
            None => crates
                .iter()
                .filter_map(|s| {
                    let svc = s.service.as_ref()?;
                    depends_on(crates, s, &c.package)
                        .then(|| (svc.clone(), Some(c.package.clone())))
                })
                .collect(),
        };
        if runners.is_empty() {
            continue;
        }
        let opts = nova_sql::Options {
            dialect: c.dialect,
            default_schemas: config.scan.default_schemas.clone(),
        };
        for f in &c.files {
            for site in &f.facts.sql_sites {
                let loc = Location::new(f.path.clone(), site.line, site.column);
                let Some(texts) = text_of(&site.expr) else {
                    out.diagnostics.push(
                        Diagnostic::new(
                            DiagCode::UnresolvedSql,
                            Severity::Info,
                            "SQL expression not resolved to text",
                        )
                        .at(loc)
                        .with_snippet(site.expr.display()),
                    );
                    continue;
                };
                for text in texts {
                    let a = nova_sql::analyze(&text, &opts);
                    out.statements += a.statements as u64;
                    for (svc, via) in &runners {
                        if let Some(store) = a.store.or(site.store) {
                            out.store_queries.push(StoreQuery {
                                service: svc.clone(),
                                store,
                                objects: a.objects.clone(),
                                location: loc.clone(),
                                via_library: via.clone(),
                            });
                            continue;
                        }
                        for ta in &a.accesses {
                            out.accesses.push(Access {
                                service: svc.clone(),
                                table: ta.table.clone(),
                                op: ta.op,
                                location: loc.clone(),
                                confidence: a.confidence,
                                via_library: via.clone(),
                                call_site: None,
                                function: site.function.clone(),
                                in_test: site.in_test || f.in_test,
                            });
                        }
                    }
                }
            }
        }
    }
    out
}

fn depends_on(crates: &[Crate], from: &Crate, lib: &str) -> bool {
    let mut stack = vec![from];
    let mut seen = std::collections::BTreeSet::new();
    while let Some(c) = stack.pop() {
        if !seen.insert(c.package.as_str()) {
            continue;
        }
        for d in &c.local_deps {
            if d == lib {
                return true;
            }
            if let Some(next) = crates.iter().find(|x| &x.package == d) {
                stack.push(next);
            }
        }
    }
    false
}
