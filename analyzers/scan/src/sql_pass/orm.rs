//! diesel and SeaORM queries into accesses: each query's names resolved to
//! tables against the declarations of the crates it can see
//! ([`nova_orm::Schema`]), then attributed like SQL (the service itself, or
//! every service calling the library function), at the call, with the
//! ORM as source. What is an ORM call but cannot be resolved is reported
//! (N007) with the call.

use super::{AccessVal, Pass, Target as AccessTarget, ignored_table};
use nova_model::Op;
use nova_model::{Confidence, DiagCode, Diagnostic, Location, Severity};
use nova_orm::{BuiltBy, Orm, Query, RowBuilder, Schema, Site};
use nova_rust::attribution::{dependency_closure, full_fn_path};
use nova_rust::unit::{Crate, ParsedFile};
use std::collections::BTreeMap;

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
    let models = Models::of(crates);
    let mut order: Vec<&Crate> = crates.iter().collect();
    order.sort_by(|a, b| a.package.cmp(&b.package));
    for c in order {
        let visible = nova_rust::unit::sees(&closure, &c.package);
        let ctx = FileCtx {
            schema: &schema,
            models: &models,
            closure: &closure,
            visible: &visible,
        };
        for f in &c.files {
            file(pass, &ctx, c, f);
        }
    }
}

/// What a file's ORM calls are resolved against.
struct FileCtx<'a> {
    schema: &'a Schema,
    models: &'a Models<'a>,
    closure: &'a BTreeMap<String, std::collections::BTreeSet<String>>,
    visible: &'a dyn Fn(&str) -> bool,
}

/// The row builders declaring a SeaORM model (`fn build(..) ->
/// outbox::ActiveModel`), by name: what a model method on an active model
/// a helper built writes. Gathered only when such a call is unresolved.
struct Models<'a> {
    by_name: BTreeMap<&'a str, Vec<(&'a Crate, &'a ParsedFile, &'a RowBuilder)>>,
}

impl<'a> Models<'a> {
    fn of(crates: &'a [Crate]) -> Models<'a> {
        let mut by_name: BTreeMap<&str, Vec<_>> = BTreeMap::new();
        let wanted = crates.iter().any(|c| {
            c.files
                .iter()
                .any(|f| f.facts.orm.unknown.iter().any(|u| u.built.is_some()))
        });
        if wanted {
            for c in crates {
                for f in &c.files {
                    for b in &f.facts.orm.row_builders {
                        if b.model.is_some() && !b.in_test {
                            by_name.entry(b.name.as_str()).or_default().push((c, f, b));
                        }
                    }
                }
            }
        }
        Models { by_name }
    }

    /// The tables of the models the row builders `by` calls declare, among
    /// the packages the calling one sees; each resolved where declared.
    fn tables(&self, ctx: &FileCtx<'_>, by: &BuiltBy) -> Vec<String> {
        let mut out = Vec::new();
        for (bc, bf, b) in self.by_name.get(by.callee.as_str()).into_iter().flatten() {
            if b.owner != by.owner || !(ctx.visible)(&bc.package) {
                continue;
            }
            let Some(model) = &b.model else { continue };
            let visible = nova_rust::unit::sees(ctx.closure, &bc.package);
            let site = Site {
                package: &bc.package,
                file: &bf.path,
                module: &bf.module,
                visible: &visible,
            };
            if let Ok(tables) =
                ctx.schema
                    .resolve(Orm::SeaOrm, &nova_orm::Target::Type(model.clone()), &site)
            {
                out.extend(tables.iter().cloned());
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

fn file(pass: &mut Pass<'_>, ctx: &FileCtx<'_>, c: &Crate, f: &ParsedFile) {
    let (schema, visible) = (ctx.schema, ctx.visible);
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
        let access = Access {
            orm: q.orm,
            op: q.op,
            either: q.either,
            call: describe(q),
            function: q.function.as_deref(),
            in_test,
        };
        record_access(pass, c, f, location, &tables, &access);
    }
    for u in &orm.unknown {
        let in_test = u.in_test || f.in_test;
        if in_test && !include_tests {
            continue;
        }
        let at = Location::new(f.path.clone(), u.line, u.column);
        if let Some((method, by)) = &u.built
            && built_model(pass, ctx, c, f, u, (method, by), at.clone(), in_test)
        {
            continue;
        }
        let d = not_analysed(u.orm, at, &u.text, &u.why, c.service.as_ref());
        pass.diag(d);
    }
}

/// A model method on an active model a helper built (`let am =
/// build(..); am.insert(db)`): the accesses of the tables of the model the
/// helper is declared to return; false when none resolves (N007).
#[allow(clippy::too_many_arguments)]
fn built_model(
    pass: &mut Pass<'_>,
    ctx: &FileCtx<'_>,
    c: &Crate,
    f: &ParsedFile,
    u: &nova_orm::Unknown,
    (method, by): (&str, &BuiltBy),
    at: Location,
    in_test: bool,
) -> bool {
    let tables = ctx.models.tables(ctx, by);
    if tables.is_empty() {
        return false;
    }
    let ops: &[Op] = match method {
        "insert" => &[Op::Create],
        "update" => &[Op::Update],
        "delete" => &[Op::Delete],
        "save" => &[Op::Create, Op::Update],
        _ => return false,
    };
    for &op in ops {
        let access = Access {
            orm: u.orm,
            op,
            either: method == "save",
            call: match method {
                "save" => "ActiveModel::save (insert or update)".to_string(),
                m => format!("ActiveModel::{m}"),
            },
            function: u.function.as_deref(),
            in_test,
        };
        record_access(pass, c, f, at.clone(), &tables, &access);
    }
    true
}

/// One ORM access of a call, as recorded for each table it resolves to.
struct Access<'a> {
    orm: Orm,
    op: Op,
    /// `save`: an insert or an update, not both.
    either: bool,
    /// The `orm_call` of the access.
    call: String,
    function: Option<&'a str>,
    in_test: bool,
}

/// Record `access` of each of `tables` at `location` of `c`'s file `f`,
/// for the services running it.
fn record_access(
    pass: &mut Pass<'_>,
    c: &Crate,
    f: &ParsedFile,
    location: Location,
    tables: &[String],
    access: &Access<'_>,
) {
    let function = access.function.map(|p| full_fn_path(&f.module, p));
    let mut diagnostics = Vec::new();
    let targets: Vec<AccessTarget> =
        pass.targets(c, function.as_deref(), &location, &mut diagnostics);
    pass.out.diagnostics.extend(diagnostics);
    let confidence = if access.either {
        Confidence::Low
    } else {
        Confidence::High
    };
    for table in tables.iter().filter(|t| !ignored_table(pass.config, t)) {
        for t in &targets {
            let key = (
                t.service.clone(),
                table.clone(),
                access.op,
                location.clone(),
                t.via_library.clone(),
            );
            let val = AccessVal {
                confidence,
                call_site: t.call_site.clone(),
                function: function.clone(),
                in_test: access.in_test,
                source: access.orm.source(),
                orm_call: Some(access.call.clone()),
            };
            pass.accesses
                .entry(key)
                .and_modify(|v| v.confidence = v.confidence.min(confidence))
                .or_insert(val);
        }
    }
}
