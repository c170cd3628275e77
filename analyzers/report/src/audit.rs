//! `nova audit` output: human text, JSON and SARIF 2.1.0.
//!
//! SARIF location policy: each result's primary location is its first
//! location with a file; a whole-file location (line 0) is reported at
//! line 1. A finding with no location at all is placed at the nearest file
//! nova knows: for a table, the first migration that touches it; for a
//! service, its `Cargo.toml`; otherwise the root `Cargo.toml`, line 1. So
//! `startLine` is always at least 1, as GitHub code scanning requires.

use comfy_table::{Cell, Color, ColumnConstraint, ContentArrangement, Table, presets::UTF8_FULL};
use nova_model::{Diagnostic, Location, Model, Severity};
use nova_rules::{AuditOutcome, Finding, RULES, Subject};
use serde_json::{Value, json};
use std::fmt::Write;

/// Version of the JSON shape of [`json`].
pub const AUDIT_JSON_VERSION: u32 = 1;

/// Most locations shown per finding in the human output.
const MAX_LOCATIONS: usize = 8;
/// Diagnostics listed one by one in the human output.
const MAX_DIAGNOSTICS: usize = 50;

/// Most `relatedLocations` per SARIF result (keeps uploads small).
const MAX_RELATED: usize = 25;

/// `service → to`, `table users`, `topic t`, `fn f` joined by `, `.
pub fn subject_text(s: &Subject) -> String {
    let mut parts = Vec::new();
    match (&s.service, &s.to) {
        (Some(a), Some(b)) => parts.push(format!("{a} → {b}")),
        (Some(a), None) => parts.push(a.clone()),
        (None, Some(b)) => parts.push(format!("→ {b}")),
        (None, None) => {}
    }
    if let Some(t) = &s.table {
        parts.push(format!("table {t}"));
    }
    if let Some(t) = &s.topic {
        parts.push(format!("topic {t}"));
    }
    if let Some(f) = &s.function {
        parts.push(format!("fn {f}"));
    }
    parts.join(", ")
}

fn severity_color(s: Severity) -> Color {
    match s {
        Severity::Error => Color::Red,
        Severity::Warning => Color::Yellow,
        Severity::Info => Color::Cyan,
    }
}

/// `nova audit --format table`: a table of findings (rule, severity, subject,
/// message, locations one per line), the hints of the rules that fired,
/// allowed/baselined/stale notes, a diagnostics summary (counts by code,
/// then every warning-or-worse diagnostic with its file:line) and a summary
/// line. `color` adds ANSI colours to the severity column.
pub fn table(model: &Model, outcome: &AuditOutcome, color: bool) -> String {
    let mut out = String::new();
    if outcome.findings.is_empty() {
        let _ = writeln!(out, "No new findings.");
    } else {
        let mut table = Table::new();
        table
            .load_preset(UTF8_FULL)
            .set_content_arrangement(ContentArrangement::Dynamic)
            .set_width(160);
        if color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        table.set_header(vec!["Rule", "Severity", "Subject", "Message", "Locations"]);
        // `file:line` must stay on one line so terminals and editors can
        // follow it: the locations column never wraps, the message does.
        if let Some(col) = table.column_mut(4) {
            col.set_constraint(ColumnConstraint::ContentWidth);
        }
        for f in &outcome.findings {
            let mut sev = Cell::new(f.severity.to_string());
            if color {
                sev = sev.fg(severity_color(f.severity));
            }
            let mut locs: Vec<String> = f
                .locations
                .iter()
                .take(MAX_LOCATIONS)
                .map(|(l, _)| l.to_string())
                .collect();
            if f.locations.len() > MAX_LOCATIONS {
                locs.push(format!("… {} more", f.locations.len() - MAX_LOCATIONS));
            }
            table.add_row(vec![
                Cell::new(f.rule),
                sev,
                Cell::new(subject_text(&f.subject)),
                Cell::new(&f.message),
                Cell::new(locs.join("\n")),
            ]);
        }
        let _ = writeln!(out, "{table}");
        let mut seen = Vec::new();
        let _ = writeln!(out, "\nHints:");
        for f in &outcome.findings {
            if !seen.contains(&f.rule) {
                seen.push(f.rule);
                let _ = writeln!(out, "  {}: {}", f.rule, f.hint);
            }
        }
    }
    if !outcome.allowed.is_empty() {
        let _ = writeln!(out, "\nAllowed by nova.toml ({}):", outcome.allowed.len());
        for a in &outcome.allowed {
            let _ = writeln!(
                out,
                "  {} [{}]: {}",
                a.finding.rule,
                subject_text(&a.finding.subject),
                a.reason
            );
        }
    }
    if !outcome.unused_allows.is_empty() {
        let _ = writeln!(
            out,
            "\n[[allow]] entries that matched nothing ({}):",
            outcome.unused_allows.len()
        );
        for e in &outcome.unused_allows {
            let _ = writeln!(out, "  {}", crate::unused_allow_text(e));
        }
    }
    if !outcome.baselined.is_empty() {
        let _ = writeln!(
            out,
            "\n{} finding(s) accepted by the baseline (not shown).",
            outcome.baselined.len()
        );
    }
    if !outcome.stale.is_empty() {
        let _ = writeln!(
            out,
            "\nStale baseline entries ({}): fixed since the baseline was written; remove them:",
            outcome.stale.len()
        );
        for s in &outcome.stale {
            let _ = writeln!(out, "  {} ({})", s.fingerprint, s.message);
        }
    }
    if !outcome.unconfirmed.is_empty() {
        let _ = writeln!(
            out,
            "\nBaseline entries kept unconfirmed ({}): no finding matches them, \
             but SQL nova could not resolve (N006) may still carry them:",
            outcome.unconfirmed.len()
        );
        for s in &outcome.unconfirmed {
            let _ = writeln!(out, "  {} ({})", s.fingerprint, s.message);
        }
    }
    diagnostics_summary(&mut out, &model.diagnostics);
    let _ = writeln!(out, "\n{}", outcome.summary());
    out
}

fn diagnostics_summary(out: &mut String, diags: &[Diagnostic]) {
    if diags.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "\nScan diagnostics ({}): {}",
        diags.len(),
        crate::diagnostic_counts(diags)
    );
    // Most serious first, then by place; every diagnostic is listed up to a
    // cap (the JSON output has them all).
    let listed = crate::diagnostics_in_order(diags);
    let hidden = listed.len().saturating_sub(MAX_DIAGNOSTICS);
    for d in listed.into_iter().take(MAX_DIAGNOSTICS) {
        let at = d
            .location
            .as_ref()
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        let _ = writeln!(out, "  {at}{} {} {}", d.severity, d.code.id(), d.message);
    }
    if hidden > 0 {
        let _ = writeln!(out, "  … {hidden} more (see `--format json`)");
    }
}

fn location_json(l: &Location, label: &str) -> Value {
    json!({ "file": l.file, "line": l.line, "column": l.column, "label": label })
}

fn finding_json(f: &Finding) -> Value {
    json!({
        "rule": f.rule,
        "severity": f.severity,
        "message": f.message,
        "hint": f.hint,
        "subject": f.subject,
        "fingerprint": f.fingerprint,
        "locations": f.locations.iter().map(|(l, s)| location_json(l, s)).collect::<Vec<_>>(),
    })
}

/// Audit as JSON (stable schema, `version` field):
/// `{version, root, summary{errors, warnings, infos, baselined, stale,
/// allowed}, findings[{rule, severity, message, hint, subject{service,
/// table, to, topic, function}, fingerprint, locations[{file, line, column,
/// label}]}], baselined[...same], stale[{fingerprint, rule, message}],
/// unconfirmed[...same as stale],
/// allowed[{finding, reason}], unused_allows[{rule, service, table, to,
/// topic, reason}], diagnostics[...model diagnostics]}`.
pub fn json(model: &Model, outcome: &AuditOutcome) -> String {
    let v = json!({
        "version": AUDIT_JSON_VERSION,
        "root": model.root,
        "summary": {
            "errors": outcome.count(Severity::Error),
            "warnings": outcome.count(Severity::Warning),
            "infos": outcome.count(Severity::Info),
            "baselined": outcome.baselined.len(),
            "stale": outcome.stale.len(),
            "allowed": outcome.allowed.len(),
        },
        "findings": outcome.findings.iter().map(finding_json).collect::<Vec<_>>(),
        "baselined": outcome.baselined.iter().map(finding_json).collect::<Vec<_>>(),
        "stale": outcome.stale,
        "unconfirmed": outcome.unconfirmed,
        "allowed": outcome.allowed.iter().map(|a| json!({
            "finding": finding_json(&a.finding),
            "reason": a.reason,
        })).collect::<Vec<_>>(),
        "unused_allows": outcome.unused_allows.iter().map(|e| json!({
            "rule": e.rule,
            "service": e.service,
            "table": e.table,
            "to": e.to,
            "topic": e.topic,
            "reason": e.reason,
        })).collect::<Vec<_>>(),
        "diagnostics": model.diagnostics,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// Percent-encode a relative path for a SARIF `artifactLocation.uri`:
/// everything but unreserved characters and `/` is encoded.
pub fn uri_encode(path: &str) -> String {
    let mut out = String::new();
    for b in path.trim_start_matches("./").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

fn physical(l: &Location) -> Value {
    let mut region = json!({ "startLine": l.line.max(1) });
    if l.column > 0 && l.line > 0 {
        region["startColumn"] = json!(l.column);
    }
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": uri_encode(&l.file), "uriBaseId": "%SRCROOT%" },
            "region": region,
        }
    })
}

/// The nearest file for a subject without locations (see module docs).
fn fallback_location(model: &Model, subject: &Subject) -> Location {
    if let Some(e) = subject
        .table
        .as_deref()
        .and_then(|t| model.table(t))
        .and_then(|t| t.events.first())
    {
        return e.location.clone();
    }
    if let Some(s) = subject.service.as_deref().and_then(|s| model.service(s)) {
        let file = if s.dir.is_empty() {
            "Cargo.toml".to_string()
        } else {
            format!("{}/Cargo.toml", s.dir.trim_end_matches('/'))
        };
        return Location::new(file, 1, 0);
    }
    Location::new("Cargo.toml", 1, 0)
}

/// Audit as SARIF 2.1.0 for GitHub code scanning. New (not baselined)
/// findings become results, those an `[[allow]]` entry accepts too, with a
/// `suppressions` entry carrying its reason; so do stale baseline entries and
/// scan diagnostics (`sarif_scan`); every audit rule is listed in
/// `tool.driver.rules` so their `ruleIndex` is stable.
pub fn sarif(model: &Model, outcome: &AuditOutcome) -> String {
    let mut rules: Vec<Value> = RULES
        .iter()
        .map(|r| {
            let level = match r.default_level.severity() {
                Some(Severity::Error) => "error",
                Some(Severity::Warning) => "warning",
                Some(Severity::Info) => "note",
                None => "none",
            };
            json!({
                "id": r.id,
                "name": r.id,
                "shortDescription": { "text": r.short },
                "fullDescription": { "text": r.full },
                "help": { "text": r.help },
                "defaultConfiguration": { "level": level },
            })
        })
        .collect();
    let mut results: Vec<Value> = outcome
        .findings
        .iter()
        .map(|f| finding_result(model, f))
        .collect();
    // Findings `[[allow]]` accepts stay visible, suppressed with the entry's
    // reason (code scanning shows them as dismissed, not as alerts).
    results.extend(outcome.allowed.iter().map(|a| {
        let mut r = finding_result(model, &a.finding);
        r["suppressions"] = json!([{ "kind": "external", "justification": a.reason }]);
        r
    }));
    let scan = crate::sarif_scan::results(
        model,
        outcome,
        rules.len(),
        |s| fallback_location(model, s),
        physical,
    );
    rules.extend(scan.rules);
    results.extend(scan.results);
    let v = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "nova",
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules,
                }
            },
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// One finding as a SARIF result (its first location with a file is the
/// primary one, the others related).
fn finding_result(model: &Model, f: &Finding) -> Value {
    let level = match f.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    };
    let with_file: Vec<&(Location, String)> = f
        .locations
        .iter()
        .filter(|(l, _)| !l.file.is_empty())
        .collect();
    let primary = with_file
        .first()
        .map(|(l, _)| l.clone())
        .unwrap_or_else(|| fallback_location(model, &f.subject));
    let related: Vec<Value> = with_file
        .iter()
        .skip(1)
        .take(MAX_RELATED)
        .enumerate()
        .map(|(i, (l, label))| {
            let mut v = physical(l);
            v["id"] = json!(i + 1);
            v["message"] = json!({ "text": label });
            v
        })
        .collect();
    let mut r = json!({
        "ruleId": f.rule,
        "ruleIndex": RULES.iter().position(|r| r.id == f.rule).unwrap_or(0),
        "level": level,
        "message": { "text": format!("{}. {}", f.message, f.hint) },
        "locations": [physical(&primary)],
        "partialFingerprints": { "nova/v1": f.fingerprint },
    });
    if !related.is_empty() {
        r["relatedLocations"] = json!(related);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed_model::seed_model;
    use nova_config::Config;
    use nova_model::{DiagCode, Diagnostic};

    fn outcome() -> (Model, AuditOutcome) {
        let mut m = seed_model();
        m.diagnostics = vec![
            Diagnostic::new(DiagCode::SqlFallback, Severity::Info, "lexical fallback")
                .at(Location::new("feed-service/src/feed.rs", 70, 0)),
            Diagnostic::new(
                DiagCode::UnresolvedTable,
                Severity::Warning,
                "table name is a format! hole",
            )
            .at(Location::new("content-service/src/dyn.rs", 12, 5)),
        ];
        let o = nova_rules::run(&m, &Config::default(), None);
        (m, o)
    }

    #[test]
    fn table_lists_findings_diagnostics_summary() {
        let (m, o) = outcome();
        let text = table(&m, &o, false);
        assert!(text.contains("│ multi-writer"), "{text}");
        assert!(text.contains("libs/db-common/src/users.rs:12"));
        assert!(text.contains("Hints:\n  foreign-write: "));
        assert!(text.contains("Scan diagnostics (2): N004 ×1, N005 ×1\n  content-service/src/dyn.rs:12:5: warning N005 table name is a format! hole\n"));
        // Every diagnostic is listed, the most serious first.
        assert!(text.contains("warning N005 table name is a format! hole\n  feed-service/src/feed.rs:70: info N004 lexical fallback\n"), "{text}");
        assert!(
            text.ends_with("\n2 errors, 18 warnings, 2 infos (0 baselined, 0 stale, 0 allowed)\n"),
            "{text}"
        );
        assert!(!text.contains('\u{1b}'));
        assert!(table(&m, &o, true).contains('\u{1b}'));
    }

    #[test]
    fn json_has_version_and_summary() {
        let (m, o) = outcome();
        let v: Value = serde_json::from_str(&json(&m, &o)).unwrap_or(Value::Null);
        assert_eq!(v["version"], 1);
        assert_eq!(v["summary"]["errors"], 2);
        assert_eq!(v["findings"][0]["rule"], "foreign-write");
        assert_eq!(
            v["findings"][0]["locations"][0]["file"],
            "libs/db-common/src/users.rs"
        );
        assert_eq!(v["diagnostics"].as_array().map(Vec::len), Some(2));
    }

    #[test]
    fn sarif_required_fields() {
        let (m, mut o) = outcome();
        // A finding without locations falls back to the table's migration.
        let mut f = o.findings[0].clone();
        f.locations.clear();
        f.subject.table = Some("posts".into());
        o.findings.push(f);
        let v: Value = serde_json::from_str(&sarif(&m, &o)).unwrap_or(Value::Null);
        assert_eq!(v["version"], "2.1.0");
        assert_eq!(
            v["$schema"],
            "https://json.schemastore.org/sarif-2.1.0.json"
        );
        let run = &v["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "nova");
        assert!(
            run["tool"]["driver"]["informationUri"]
                .as_str()
                .is_some_and(|s| s.starts_with("https://"))
        );
        let rules = run["tool"]["driver"]["rules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        // The audit rules, then one rule per diagnostic code present.
        assert_eq!(rules.len(), RULES.len() + 2);
        assert_eq!(rules[RULES.len()]["id"], "N004");
        assert_eq!(rules[RULES.len() + 1]["id"], "N005");
        for r in &rules {
            for k in [
                "id",
                "shortDescription",
                "fullDescription",
                "help",
                "defaultConfiguration",
            ] {
                assert!(!r[k].is_null(), "rule misses {k}");
            }
        }
        let results = run["results"].as_array().cloned().unwrap_or_default();
        assert_eq!(results.len(), o.findings.len() + m.diagnostics.len());
        for r in &results {
            let idx = r["ruleIndex"].as_u64().unwrap_or(999) as usize;
            assert_eq!(rules[idx]["id"], r["ruleId"]);
            assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap_or("")));
            assert!(r["message"]["text"].is_string());
            let pl = &r["locations"][0]["physicalLocation"];
            assert_eq!(pl["artifactLocation"]["uriBaseId"], "%SRCROOT%");
            assert!(pl["region"]["startLine"].as_u64().is_some_and(|l| l >= 1));
            assert!(r["partialFingerprints"]["nova/v1"].is_string());
        }
        let first = &results[0];
        assert_eq!(first["ruleId"], "foreign-write");
        assert_eq!(first["level"], "error");
        assert_eq!(
            first["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "libs/db-common/src/users.rs"
        );
        assert_eq!(
            first["partialFingerprints"]["nova/v1"],
            "foreign-write|service=messaging-service|table=users|to=identity-service"
        );
        let last = &results[o.findings.len() - 1];
        assert_eq!(
            last["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            "content-service/migrations/0001_posts.sql"
        );
        assert_eq!(uri_encode("a b/ü#.rs"), "a%20b/%C3%BC%23.rs");
    }

    /// A finding `[[allow]]` accepts is a result suppressed with the
    /// entry's reason; the new findings carry no suppression.
    #[test]
    fn sarif_suppresses_allowed_findings_with_their_reason() {
        let (m, mut o) = outcome();
        let accepted = o.findings.remove(0);
        o.allowed = vec![nova_rules::Allowed {
            finding: accepted.clone(),
            reason: "one copy per service database".into(),
        }];
        let v: Value = serde_json::from_str(&sarif(&m, &o)).unwrap_or(Value::Null);
        let results = v["runs"][0]["results"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        assert_eq!(results.len(), o.findings.len() + 1 + m.diagnostics.len());
        let suppressed: Vec<&Value> = results
            .iter()
            .filter(|r| !r["suppressions"].is_null())
            .collect();
        assert_eq!(suppressed.len(), 1, "{results:?}");
        let r = suppressed[0];
        assert_eq!(r["ruleId"], accepted.rule);
        assert_eq!(r["partialFingerprints"]["nova/v1"], accepted.fingerprint);
        assert_eq!(
            r["suppressions"],
            json!([{ "kind": "external", "justification": "one copy per service database" }])
        );
        // After the new findings, before the scan diagnostics.
        assert!(
            results[..o.findings.len()]
                .iter()
                .all(|r| r["suppressions"].is_null())
        );
        assert_eq!(results[o.findings.len()]["ruleId"], accepted.rule);
    }

    /// A run that fails on stale entries says why; diagnostics are there.
    #[test]
    fn sarif_has_stale_entries_and_diagnostics() {
        let (m, mut o) = outcome();
        o.findings.clear();
        o.stale = vec![nova_rules::BaselineEntry {
            fingerprint: "multi-writer|table=posts".into(),
            rule: "multi-writer".into(),
            message: "table `posts` is written by 2 services".into(),
        }];
        let v: Value = serde_json::from_str(&sarif(&m, &o)).unwrap_or(Value::Null);
        let run = &v["runs"][0];
        let rules = run["tool"]["driver"]["rules"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let results = run["results"].as_array().cloned().unwrap_or_default();
        let summary: Vec<(String, String, String)> = results
            .iter()
            .map(|r| {
                let idx = r["ruleIndex"].as_u64().unwrap_or(999) as usize;
                assert_eq!(rules[idx]["id"], r["ruleId"], "{r:#}");
                for k in ["shortDescription", "fullDescription", "help"] {
                    assert!(rules[idx][k]["text"].is_string(), "{k}");
                }
                let pl = &r["locations"][0]["physicalLocation"];
                (
                    r["ruleId"].as_str().unwrap_or("").to_string(),
                    r["level"].as_str().unwrap_or("").to_string(),
                    format!(
                        "{}:{}",
                        pl["artifactLocation"]["uri"].as_str().unwrap_or(""),
                        pl["region"]["startLine"]
                    ),
                )
            })
            .collect();
        let row = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(
            summary,
            vec![
                // Placed at the migration that creates `posts`.
                row(
                    "stale-baseline-entry",
                    "warning",
                    "content-service/migrations/0001_posts.sql:1"
                ),
                row("N005", "warning", "content-service/src/dyn.rs:12"),
                row("N004", "note", "feed-service/src/feed.rs:70"),
            ]
        );
        assert!(
            results[0]["message"]["text"]
                .as_str()
                .is_some_and(|t| t.contains("multi-writer|table=posts")),
            "{:#}",
            results[0]
        );
    }

    #[test]
    fn sarif_fallbacks() {
        let m = seed_model();
        let mut f = nova_rules::audit(&m, &Config::default())[0].clone();
        f.locations.clear();
        f.subject = Subject {
            service: Some("feed-service".into()),
            ..Subject::default()
        };
        assert_eq!(
            fallback_location(&m, &f.subject).to_string(),
            "feed-service/Cargo.toml:1"
        );
        f.subject = Subject::default();
        assert_eq!(
            fallback_location(&m, &f.subject).to_string(),
            "Cargo.toml:1"
        );
        let whole_file = physical(&Location::file("k8s/a b.yaml"));
        assert_eq!(whole_file["physicalLocation"]["region"]["startLine"], 1);
        assert_eq!(
            whole_file["physicalLocation"]["artifactLocation"]["uri"],
            "k8s/a%20b.yaml"
        );
    }
}
