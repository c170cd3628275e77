//! The one stderr line every command prints after its output when the scan
//! had diagnostics (unless `-q`), so a matrix or a graph built from an
//! incomplete scan never looks complete:
//!
//! `nova: 4 files not analysed: 3 do not parse (N003), 1 is not UTF-8
//! (N002); 12 other diagnostics: N006 ×9, N004 ×3; see `nova scan --format
//! text``

use nova_model::{DiagCode, Diagnostic};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

/// The line of the last scan, printed by [`print`].
static PENDING: Mutex<Option<String>> = Mutex::new(None);

/// Codes that mean a whole file was left out, with how to say it for one
/// file and for several.
const NOT_ANALYSED: &[(DiagCode, &str, &str)] = &[
    (DiagCode::RustSyntax, "does not parse", "do not parse"),
    (DiagCode::NotUtf8, "is not UTF-8", "are not UTF-8"),
    (DiagCode::Io, "could not be read", "could not be read"),
    (
        DiagCode::ManifestSyntax,
        "is a manifest that does not parse",
        "are manifests that do not parse",
    ),
];

/// The summary line for `diags`, or `None` when there are none.
pub fn line(diags: &[Diagnostic]) -> Option<String> {
    if diags.is_empty() {
        return None;
    }
    let mut parts = Vec::new();
    let mut files = BTreeSet::new();
    let mut whole = Vec::new();
    for &(code, one, many) in NOT_ANALYSED {
        let of_code: BTreeSet<&str> = diags
            .iter()
            .filter(|d| d.code == code)
            .map(|d| d.location.as_ref().map_or("", |l| l.file.as_str()))
            .collect();
        if !of_code.is_empty() {
            let verb = if of_code.len() == 1 { one } else { many };
            whole.push(format!("{} {verb} ({})", of_code.len(), code.id()));
            files.extend(of_code);
        }
    }
    if !files.is_empty() {
        parts.push(format!(
            "{} {} not analysed: {}",
            files.len(),
            plural(files.len(), "file", "files"),
            whole.join(", ")
        ));
    }
    let mut others: BTreeMap<&str, usize> = BTreeMap::new();
    for d in diags
        .iter()
        .filter(|d| !NOT_ANALYSED.iter().any(|(c, ..)| *c == d.code))
    {
        *others.entry(d.code.id()).or_default() += 1;
    }
    if !others.is_empty() {
        let n: usize = others.values().sum();
        let counts: Vec<String> = others.iter().map(|(c, k)| format!("{c} ×{k}")).collect();
        let what = if files.is_empty() {
            plural(n, "diagnostic", "diagnostics")
        } else {
            plural(n, "other diagnostic", "other diagnostics")
        };
        parts.push(format!("{n} {what}: {}", counts.join(", ")));
    }
    Some(format!(
        "nova: {}; see `nova scan --format text`",
        parts.join("; ")
    ))
}

fn plural(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// Remember the summary of a scan's diagnostics (`quiet`: none).
pub fn remember(diags: &[Diagnostic], quiet: bool) {
    let line = if quiet { None } else { line(diags) };
    if let Ok(mut pending) = PENDING.lock() {
        *pending = line;
    }
}

/// Print the remembered summary on stderr, once.
pub fn print() {
    let line = PENDING.lock().ok().and_then(|mut p| p.take());
    if let Some(line) = line {
        eprintln!("{line}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nova_model::{Location, Severity};

    fn diag(code: DiagCode, file: &str) -> Diagnostic {
        Diagnostic::new(code, Severity::Warning, "m").at(Location::new(file, 1, 0))
    }

    #[test]
    fn counts_files_not_analysed_then_the_rest() {
        assert_eq!(line(&[]), None);
        let diags = [
            diag(DiagCode::RustSyntax, "a.rs"),
            diag(DiagCode::RustSyntax, "b.rs"),
            diag(DiagCode::NotUtf8, "c.rs"),
            diag(DiagCode::UnresolvedSql, "d.rs"),
            diag(DiagCode::UnresolvedSql, "d.rs"),
            diag(DiagCode::SqlFallback, "e.rs"),
        ];
        assert_eq!(
            line(&diags).as_deref(),
            Some(
                "nova: 3 files not analysed: 2 do not parse (N003), 1 is not UTF-8 (N002); \
                 3 other diagnostics: N004 ×1, N006 ×2; see `nova scan --format text`"
            )
        );
        assert_eq!(
            line(&diags[3..4]).as_deref(),
            Some("nova: 1 diagnostic: N006 ×1; see `nova scan --format text`")
        );
        assert_eq!(
            line(&diags[..1]).as_deref(),
            Some(
                "nova: 1 file not analysed: 1 does not parse (N003); see `nova scan --format text`"
            )
        );
    }
}
