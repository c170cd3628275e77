//! diesel and SeaORM queries into accesses: each query's names resolved to
//! tables against the declarations of the crates it can see
//! ([`nova_orm::Schema`]), then attributed like SQL (the service itself, or
//! every service calling the library function), at the call, with the
//! ORM as source. What is an ORM call but cannot be resolved is reported
//! (N007) with the call.

use super::{AccessVal, Pass, Target as AccessTarget, ignored_table};
use nova_model::{Confidence, DiagCode, Diagnostic, Location, Severity};
use nova_orm::{Orm, Query, Schema, Site};
use nova_rust::attribution::{dependency_closure, full_fn_path};
use nova_rust::unit::{Crate, ParsedFile};

/// The ORM schema of `crates` (every file that declares something).
pub(crate) fn schema(crates: &[Crate], default_schemas: &[String]) -> Schema {
    nova_rust::unit::orm_schema(crates, default_schemas)
}

/// The `orm_call` of an access: the API, and what `save` may be.
fn describe(q: &Query) -> String {
    if q.either {
        format!("{} (insert or update)", q.call)
    } else {
        q.call.clone()
    }
}

/// N007 for an ORM call nova cannot resolve.
fn not_analysed(
    orm: Orm,
    at: Location,
    text: &str,
    why: &str,
    service: Option<&String>,
) -> Diagnostic {
    let mut d = Diagnostic::new(
        DiagCode::OrmNotAnalysed,
        Severity::Warning,
        format!(
            "{} call `{text}` is not analysed: {why}; its table accesses are missing",
            orm.name()
        ),
    )
    .at(at)
    .with_snippet(text.to_string());
    if let Some(s) = service {
        d = d.for_service(s.clone());
    }
    d
}

/// Record the accesses (and N007s) of every ORM query of `crates`.
pub(super) fn record(pass: &mut Pass<'_>, crates: &[Crate]) {
    let has_orm = crates
        .iter()
        .any(|c| c.files.iter().any(|f| !f.facts.orm.is_empty()));
    if !has_orm {
        return;
    }
    let schema = schema(crates, &pass.config.scan.default_schemas);
    let closure = dependency_closure(crates);
    let mut order: Vec<&Crate> = crates.iter().collect();
    order.sort_by(|a, b| a.package.cmp(&b.package));
    for c in order {
        let deps = closure.get(&c.package);
        let visible = |p: &str| p == c.package || deps.is_some_and(|d| d.contains(p));
        for f in &c.files {
            file(pass, &schema, c, f, &visible);
        }
    }
}

fn file(
    pass: &mut Pass<'_>,
    schema: &Schema,
    c: &Crate,
    f: &ParsedFile,
    visible: &dyn Fn(&str) -> bool,
) {
    let include_tests = pass.config.scan.include_tests;
    let orm = &f.facts.orm;
    for q in &orm.queries {
        let in_test = q.in_test || f.in_test;
        if in_test && !include_tests {
            continue;
        }
        let module: Vec<String> = f.module.iter().chain(&q.module).cloned().collect();
        let site = Site {
            package: &c.package,
            file: &f.path,
            module: &module,
            visible,
        };
        let location = Location::new(f.path.clone(), q.line, q.column);
        let tables = match schema.resolve(q.orm, &q.target, &site) {
            Ok(t) => t,
            Err(why) => {
                if q.strict {
                    let d = not_analysed(q.orm, location, &q.text, &why, c.service.as_ref());
                    pass.diag(d);
                }
                continue;
            }
        };
        let function = q.function.as_ref().map(|p| full_fn_path(&f.module, p));
        let mut diagnostics = Vec::new();
        let targets: Vec<AccessTarget> =
            pass.targets(c, function.as_deref(), &location, &mut diagnostics);
        pass.out.diagnostics.extend(diagnostics);
        // `save`: an insert or an update, not both.
        let confidence = if q.either {
            Confidence::Low
        } else {
            Confidence::High
        };
        for table in tables.iter().filter(|t| !ignored_table(pass.config, t)) {
            for t in &targets {
                let key = (
                    t.service.clone(),
                    table.clone(),
                    q.op,
                    location.clone(),
                    t.via_library.clone(),
                );
                let val = AccessVal {
                    confidence,
                    call_site: t.call_site.clone(),
                    function: function.clone(),
                    in_test,
                    source: q.orm.source(),
                    orm_call: Some(describe(q)),
                };
                pass.accesses
                    .entry(key)
                    .and_modify(|v| v.confidence = v.confidence.min(confidence))
                    .or_insert(val);
            }
        }
    }
    for u in &orm.unknown {
        if (u.in_test || f.in_test) && !include_tests {
            continue;
        }
        let at = Location::new(f.path.clone(), u.line, u.column);
        let d = not_analysed(u.orm, at, &u.text, &u.why, c.service.as_ref());
        pass.diag(d);
    }
}
