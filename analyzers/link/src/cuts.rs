//! N015: where a bound of the value resolution ([`crate::values`]) cut some
//! values of a Kafka topic, an HTTP URL or a gRPC address, a warning names
//! the site, the bound and how many values were cut. A fact is never lost
//! without a word.

use crate::Ctx;
use crate::values::Cut;
use nova_model::{DiagCode, Diagnostic, Location, Severity};
use nova_rust::graph::StrExpr;

/// An expression as written, for a diagnostic's snippet.
pub(crate) fn expr_text(e: &StrExpr) -> String {
    match e {
        StrExpr::Lit(s) => format!("{s:?}"),
        StrExpr::Const(p) => p.join("::"),
        StrExpr::Format { template, args } => format!(
            "format!({template:?}, {})",
            args.iter().map(expr_text).collect::<Vec<_>>().join(", ")
        ),
        StrExpr::Env { var, default } => match default {
            Some(d) => format!("env::var({var:?}).unwrap_or({})", expr_text(d)),
            None => format!("env::var({var:?})"),
        },
        StrExpr::Field(f) => format!("<config>.{f}"),
        StrExpr::List(items) => format!(
            "[{}]",
            items.iter().map(expr_text).collect::<Vec<_>>().join(", ")
        ),
        StrExpr::Param(p) => format!("parameter #{} of `{}`", p.index, p.function),
        StrExpr::Unknown(t) => t.clone(),
        StrExpr::Call(c) => c.text.clone(),
        StrExpr::Typed(t) => t.clone(),
        StrExpr::Declared(d) => d.ty.clone(),
        StrExpr::SelfField(f) => format!("self.{}", f.field),
    }
}

impl Ctx<'_> {
    /// Warn that `cut` dropped values of `value` (`what`: `"produced
    /// topics"`, `"URLs of the HTTP call"`), at `location` in `service`.
    pub(crate) fn report_cut(
        &mut self,
        cut: Cut,
        what: &str,
        service: &str,
        location: Location,
        value: &StrExpr,
    ) {
        let d = Diagnostic::new(
            DiagCode::ValuesCut,
            Severity::Warning,
            format!(
                "{what} in `{service}` at {location}: more values than nova follows ({})",
                cut.describe()
            ),
        )
        .at(location)
        .with_snippet(expr_text(value))
        .for_service(service);
        self.diags.push(d);
    }
}
