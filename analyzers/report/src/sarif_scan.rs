//! SARIF results beside the rule findings, so that a run that fails always
//! carries a result saying why, and code scanning shows what nova could not
//! read:
//!
//! - every stale baseline entry is a `warning` of rule
//!   [`STALE_RULE`], placed where its subject lives (the table's first
//!   migration, the service's `Cargo.toml`, else the root `Cargo.toml`);
//! - every scan diagnostic is a result whose rule id is its code (`N003`),
//!   level `warning` (or `note` for an informational one), at its place.
//!
//! Rules are listed after the audit rules: the stale rule, then one rule per
//! diagnostic code present, in code order.

use nova_model::{Diagnostic, Location, Model, Severity};
use nova_rules::{AuditOutcome, BaselineEntry, Subject};
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// Rule id of a stale baseline entry.
pub const STALE_RULE: &str = "stale-baseline-entry";

/// SARIF rules and results for stale entries and diagnostics.
pub(crate) struct ScanResults {
    pub rules: Vec<Value>,
    pub results: Vec<Value>,
}

/// `first_index`: the `ruleIndex` of the first rule added here.
/// `locate` places a subject without a location; `physical` renders one.
pub(crate) fn results(
    model: &Model,
    outcome: &AuditOutcome,
    first_index: usize,
    locate: impl Fn(&Subject) -> Location,
    physical: impl Fn(&Location) -> Value,
) -> ScanResults {
    let mut rules = Vec::new();
    let mut results = Vec::new();
    if !outcome.stale.is_empty() {
        let index = first_index + rules.len();
        rules.push(json!({
            "id": STALE_RULE,
            "name": STALE_RULE,
            "shortDescription": { "text": "A baseline entry matches no finding any more." },
            "fullDescription": { "text": "The baseline accepts a finding that the audit no longer reports: it was fixed, or its subject was renamed. With --strict-baseline the audit fails until the entry is removed, so the baseline only ever shrinks." },
            "help": { "text": "Remove the entry from the baseline file (or rewrite it with `nova audit --write-baseline FILE`)." },
            "defaultConfiguration": { "level": "warning" },
        }));
        for e in &outcome.stale {
            results.push(json!({
                "ruleId": STALE_RULE,
                "ruleIndex": index,
                "level": "warning",
                "message": { "text": format!(
                    "stale baseline entry `{}` matches no finding any more (it was: {}). Remove it from the baseline.",
                    e.fingerprint, e.message
                ) },
                "locations": [physical(&locate(&subject_of(e)))],
                "partialFingerprints": { "nova/v1": format!("{STALE_RULE}|{}", e.fingerprint) },
            }));
        }
    }
    let mut codes: BTreeMap<&'static str, usize> = BTreeMap::new();
    for d in &model.diagnostics {
        codes.entry(d.code.id()).or_default();
    }
    for (code, slot) in codes.iter_mut() {
        *slot = first_index + rules.len();
        rules.push(diagnostic_rule(code, model));
    }
    // The most serious first (code scanning keeps the top results of a
    // very large run by level), then in the model's order (by place).
    let mut diags: Vec<&Diagnostic> = model.diagnostics.iter().collect();
    diags.sort_by_key(|d| std::cmp::Reverse(d.severity));
    for d in diags {
        let level = match d.severity {
            Severity::Error | Severity::Warning => "warning",
            Severity::Info => "note",
        };
        let location = d.location.clone().unwrap_or_else(|| {
            locate(&Subject {
                service: d.service.clone(),
                ..Subject::default()
            })
        });
        results.push(json!({
            "ruleId": d.code.id(),
            "ruleIndex": codes.get(d.code.id()).copied().unwrap_or(first_index),
            "level": level,
            "message": { "text": format!("{}: {}", d.code.id(), d.message) },
            "locations": [physical(&location)],
            // The place's file, not its line: moving code keeps the alert.
            "partialFingerprints": { "nova/v1": format!("{}|{}|{}", d.code.id(), location.file, d.message) },
        }));
    }
    ScanResults { rules, results }
}

/// The subject of a stale entry, read back from its fingerprint
/// (`rule|service=a|table=b|...`).
fn subject_of(e: &BaselineEntry) -> Subject {
    let mut s = Subject::default();
    for part in e.fingerprint.split('|').skip(1) {
        let Some((key, value)) = part.split_once('=') else {
            continue;
        };
        let slot = match key {
            "service" => &mut s.service,
            "table" => &mut s.table,
            "to" => &mut s.to,
            "topic" => &mut s.topic,
            "function" => &mut s.function,
            _ => continue,
        };
        *slot = Some(value.to_string());
    }
    s
}

/// The SARIF rule of a diagnostic code.
fn diagnostic_rule(code: &str, model: &Model) -> Value {
    let name = model
        .diagnostics
        .iter()
        .find(|d| d.code.id() == code)
        .and_then(|d| serde_json::to_value(d.code).ok())
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| code.to_string());
    let (short, help) = diagnostic_text(code);
    json!({
        "id": code,
        "name": name,
        "shortDescription": { "text": short },
        "fullDescription": { "text": format!("nova scan diagnostic {code}: {short} What nova could not analyse is left out of the findings, so a finding may be missing there.") },
        "help": { "text": help },
        "defaultConfiguration": { "level": "warning" },
    })
}

/// One line about a diagnostic code, and what to do about it.
fn diagnostic_text(code: &str) -> (&'static str, &'static str) {
    match code {
        "N001" => ("A file could not be read.", "Check the file's permissions."),
        "N002" => (
            "A file is not valid UTF-8.",
            "Re-encode the file as UTF-8, or exclude it under [scan] exclude in nova.toml.",
        ),
        "N003" => (
            "A Rust file does not parse; nothing in it was analysed.",
            "Fix the syntax error at the place shown, or exclude the file.",
        ),
        "N004" => (
            "SQL did not parse; a lexical fallback found its tables with low confidence.",
            "Check the statement; set [scan] dialect (or the service's dialect) if it is not PostgreSQL.",
        ),
        "N005" => (
            "A table name could not be resolved (a format! hole).",
            "Use a constant table name, or declare the table's owner in nova.toml.",
        ),
        "N006" => (
            "A SQL expression could not be resolved to text.",
            "Pass SQL as a literal or a constant, or give environment values under [env] in nova.toml.",
        ),
        "N007" => (
            "A diesel or SeaORM call whose table cannot be told statically; its accesses are missing.",
            "Name the table or the model where the call is (a `t::table`, an entity, a typed value), or declare the owners of the tables it touches in nova.toml.",
        ),
        "N008" => (
            "A table is accessed but no migration creates it.",
            "Add the migration, or list the table under [scan] ignore-tables.",
        ),
        "N009" => (
            "A Kafka topic expression could not be resolved.",
            "Use a constant topic name, or give environment values under [env] in nova.toml.",
        ),
        "N010" => (
            "A manifest (YAML, TOML, proto) does not parse.",
            "Fix the syntax error, or exclude the file.",
        ),
        "N011" => (
            "A Cargo.toml could not be understood.",
            "Fix the manifest, or exclude its directory.",
        ),
        "N012" => (
            "A gRPC client or HTTP target could not be tied to a service.",
            "Add the host or package name to the service's aliases in nova.toml.",
        ),
        "N013" => (
            "nova.toml names something the scan did not find.",
            "Fix the name or path in nova.toml, or remove the entry.",
        ),
        "N014" => (
            "The migrations of several services create a table of the same name.",
            "Declare the owner in nova.toml, or allow-list the findings with a reason.",
        ),
        "N015" => (
            "A bound of the value resolution cut some values of a topic, URL or address; those values are missing.",
            "Name the values more directly (a constant or a list of constants instead of a long chain of calls or many alternatives).",
        ),
        "N020" => (
            "A diesel table! or a SeaORM entity declares a table no migration creates.",
            "Regenerate the ORM schema from the migrations, add the missing migration, or list the table under [scan] ignore-tables.",
        ),
        _ => (
            "A scan diagnostic.",
            "See the diagnostics table in nova's README.",
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stale_subjects_come_from_fingerprints() {
        let e = BaselineEntry {
            fingerprint: "foreign-write|service=a|table=users|to=b".into(),
            rule: "foreign-write".into(),
            message: "m".into(),
        };
        assert_eq!(
            subject_of(&e),
            Subject {
                service: Some("a".into()),
                table: Some("users".into()),
                to: Some("b".into()),
                ..Subject::default()
            }
        );
    }
}
