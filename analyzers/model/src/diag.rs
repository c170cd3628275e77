use crate::Location;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Severity of a diagnostic or finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

/// Stable codes for scan diagnostics (things nova could not analyse).
/// Rendered as `N0xx`; documented in README.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiagCode {
    /// N001: a file could not be read (I/O error).
    Io,
    /// N002: a file is not valid UTF-8.
    NotUtf8,
    /// N003: a Rust file does not parse.
    RustSyntax,
    /// N004: SQL did not parse; the lexical fallback was used.
    SqlFallback,
    /// N005: a table name could not be resolved statically (format! hole...).
    UnresolvedTable,
    /// N006: a SQL expression could not be resolved to text at all.
    UnresolvedSql,
    /// N007: a diesel or SeaORM call whose table cannot be told statically
    /// (the message names the call).
    OrmNotAnalysed,
    /// N008: a table is accessed but created by no migration.
    TableNotInCatalog,
    /// N009: a Kafka topic expression could not be resolved.
    UnresolvedTopic,
    /// N010: a manifest (YAML/TOML/proto) does not parse.
    ManifestSyntax,
    /// N011: a Cargo.toml could not be understood.
    CargoManifest,
    /// N012: a gRPC client or HTTP target could not be tied to a service.
    UnresolvedTarget,
    /// N013: something in `nova.toml` refers to a thing the scan did not find.
    ConfigReference,
    /// N014: the migrations of several services create a table of the same
    /// name (nova keeps one table per name).
    TableCreatedTwice,
    /// N015: a bound of the value resolution (depth, alternatives of a
    /// value, elements of a list, calls followed) cut some of the values of
    /// a Kafka topic, an HTTP URL or a gRPC address (the message names the
    /// site, the bound and how many were cut).
    ValuesCut,
    /// N020: a diesel `table!` or a SeaORM entity declares a table that no
    /// migration creates (the ORM schema and the migrations have drifted).
    OrmSchemaDrift,
}

impl DiagCode {
    pub fn id(self) -> &'static str {
        match self {
            DiagCode::Io => "N001",
            DiagCode::NotUtf8 => "N002",
            DiagCode::RustSyntax => "N003",
            DiagCode::SqlFallback => "N004",
            DiagCode::UnresolvedTable => "N005",
            DiagCode::UnresolvedSql => "N006",
            DiagCode::OrmNotAnalysed => "N007",
            DiagCode::TableNotInCatalog => "N008",
            DiagCode::UnresolvedTopic => "N009",
            DiagCode::ManifestSyntax => "N010",
            DiagCode::CargoManifest => "N011",
            DiagCode::UnresolvedTarget => "N012",
            DiagCode::ConfigReference => "N013",
            DiagCode::TableCreatedTwice => "N014",
            DiagCode::ValuesCut => "N015",
            DiagCode::OrmSchemaDrift => "N020",
        }
    }
}

/// Something the scan could not analyse, or analysed with low confidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Diagnostic {
    pub code: DiagCode,
    pub severity: Severity,
    pub message: String,
    pub location: Option<Location>,
    /// The offending text (SQL, template, expression), when there is one.
    pub snippet: Option<String>,
    /// Service the diagnostic concerns, when known.
    pub service: Option<String>,
}

/// Longest [`Diagnostic::snippet`] kept, in bytes.
pub const MAX_SNIPPET: usize = 2048;

impl Diagnostic {
    /// Order `diags` by place, code, message and snippet, and drop exact
    /// repeats (the same site reported through two paths).
    pub fn sort_and_dedup(diags: &mut Vec<Diagnostic>) {
        diags.sort_by(|a, b| {
            (&a.location, a.code, &a.message, &a.snippet).cmp(&(
                &b.location,
                b.code,
                &b.message,
                &b.snippet,
            ))
        });
        diags.dedup();
    }

    pub fn new(code: DiagCode, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            location: None,
            snippet: None,
            service: None,
        }
    }
    pub fn at(mut self, location: Location) -> Self {
        self.location = Some(location);
        self
    }
    /// Attach the text the diagnostic is about, cut to [`MAX_SNIPPET`]
    /// bytes (a character boundary, then `…`): a diagnostic about a 1 MB
    /// SQL literal does not carry a copy of it.
    pub fn with_snippet(mut self, snippet: impl Into<String>) -> Self {
        let mut snippet = snippet.into();
        if snippet.len() > MAX_SNIPPET {
            let mut end = MAX_SNIPPET;
            while !snippet.is_char_boundary(end) {
                end -= 1;
            }
            snippet.truncate(end);
            snippet.push('…');
        }
        self.snippet = Some(snippet);
        self
    }
    pub fn for_service(mut self, service: impl Into<String>) -> Self {
        self.service = Some(service.into());
        self
    }
}
