//! Reports: ownership matrix, audit findings (text/JSON/SARIF), graph
//! (DOT/Mermaid/CSV/JSON), decoupling plan.
//!
//! Every renderer is a pure function of the model (plus the audit outcome,
//! the graph or the config) returning a `String`; output is deterministic.
//!
//! - [`matrix::markdown`], [`matrix::csv`], [`matrix::json`]: the data
//!   ownership matrix (seed 004).
//! - [`human::render`] (rustc-style, with source excerpts from
//!   [`source::Sources`] and the fixes of [`fix::fixes`]), [`audit::table`],
//!   [`audit::json`], [`audit::sarif`]: `nova audit`.
//! - [`graph::dot`], [`graph::mermaid`], [`graph::json`], [`graph::csv`]:
//!   `nova graph`, from a [`nova_graph::ServiceGraph`].
//! - [`plan::markdown`]: the decoupling plan (seed 000).

pub mod audit;
pub mod fix;
pub mod graph;
pub mod html;
pub mod human;
pub mod inventory;
pub mod matrix;
pub mod plan;
mod sarif_scan;
pub mod source;
pub mod svg;
mod text;

/// Errors a renderer can report.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// The graph could not be built (e.g. unknown focus service).
    #[error(transparent)]
    Graph(#[from] nova_graph::GraphError),
}

/// Escape a value for a CSV field (RFC 4180): quoted when it holds a comma,
/// a quote or a line break; quotes doubled.
pub(crate) fn csv_field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_string()
    }
}

/// `N004 ×2, N005 ×1`: scan diagnostics counted by code.
pub(crate) fn diagnostic_counts(diags: &[nova_model::Diagnostic]) -> String {
    let mut by_code: std::collections::BTreeMap<&str, usize> = Default::default();
    for d in diags {
        *by_code.entry(d.code.id()).or_default() += 1;
    }
    by_code
        .iter()
        .map(|(c, n)| format!("{c} ×{n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Scan diagnostics most serious first, then by place, code and message.
pub(crate) fn diagnostics_in_order(
    diags: &[nova_model::Diagnostic],
) -> Vec<&nova_model::Diagnostic> {
    let mut listed: Vec<&nova_model::Diagnostic> = diags.iter().collect();
    listed.sort_by(|a, b| {
        (b.severity, &a.location, a.code, &a.message).cmp(&(
            a.severity,
            &b.location,
            b.code,
            &b.message,
        ))
    });
    listed
}

/// `nova.toml:12: rule sync-call (reason)`: an `[[allow]]` entry that
/// matched nothing.
pub(crate) fn unused_allow_text(e: &nova_config::AllowEntry) -> String {
    let at = if e.span.line > 0 {
        format!("{}:{}: ", e.span.file, e.span.line)
    } else {
        String::new()
    };
    format!("{at}rule {} ({})", e.rule, e.reason)
}

/// Escape `|` for a Markdown table cell.
pub(crate) fn md_cell(value: &str) -> String {
    value.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
#[path = "../../graph/src/tests/seed_model.rs"]
pub(crate) mod seed_model;
