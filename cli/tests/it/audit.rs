//! `nova audit` on the example and on fixtures: exit codes, formats,
//! baselines.

use crate::support::*;
use serde_json::Value;

fn ex() -> String {
    example().to_string_lossy().into_owned()
}

fn findings(report: &Value) -> Vec<&Value> {
    report["findings"]
        .as_array()
        .map(|v| v.iter().collect())
        .unwrap_or_default()
}

#[test]
fn example_fails_on_the_multi_writer_table() {
    let p = ex();
    let args = ["audit", p.as_str()];
    let o = run_expect(&args, 1);
    let out = stdout(&o);
    assert!(out.contains("multi-writer"), "{}", describe(&args, &o));
    // The finding names the table, both writers, and where each writes.
    let line = out
        .lines()
        .position(|l| l.contains("multi-writer") && l.contains("users"))
        .unwrap_or_else(|| panic!("a multi-writer line about users\n{}", describe(&args, &o)));
    let block: String = out
        .lines()
        .skip(line)
        .take(25)
        .collect::<Vec<_>>()
        .join("\n");
    for needle in [
        "identity-service",
        "messaging-service",
        "services/identity-service/src/repo.rs:",
        "crates/db-common/src/lib.rs:33",
    ] {
        assert!(
            block.contains(needle),
            "missing {needle:?} in\n{block}\n\n{}",
            describe(&args, &o)
        );
    }
}

#[test]
fn example_json_report() {
    let p = ex();
    let args = ["audit", p.as_str(), "--format", "json"];
    let o = run_expect(&args, 1);
    let report = json_of(&args, &o);
    let all = findings(&report);
    assert!(!all.is_empty(), "{report:#}");
    for f in &all {
        for key in ["rule", "severity", "message", "fingerprint"] {
            assert!(f.get(key).is_some_and(|v| !v.is_null()), "{key} in {f:#}");
        }
    }
    let multi: Vec<_> = all.iter().filter(|f| f["rule"] == "multi-writer").collect();
    assert_eq!(multi.len(), 1, "exactly one multi-writer table: {multi:#?}");
    assert_eq!(multi[0]["subject"]["table"], "users");
    assert_eq!(multi[0]["severity"], "error");

    let sync: std::collections::BTreeSet<(String, String)> = all
        .iter()
        .filter(|f| f["rule"] == "sync-call")
        .map(|f| {
            (
                f["subject"]["service"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                f["subject"]["to"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        sync,
        pairs(&[
            ("feed-service", "content-service"),
            ("media-service", "content-service"),
            ("messaging-service", "identity-service"),
            ("realtime-chat-service", "identity-service"),
            ("realtime-chat-service", "messaging-service"),
        ])
    );
    assert!(
        all.iter().all(|f| f["rule"] != "sync-cycle"),
        "the example has no cycle"
    );
}

/// Every finding on the example, as `(rule, service, table, to)`; see
/// `examples/coupled-monorepo/EXPECTED.md`.
#[test]
fn example_findings_are_exact() {
    let p = ex();
    let args = ["audit", p.as_str(), "--format", "json"];
    let o = run_expect(&args, 1);
    let report = json_of(&args, &o);
    let field = |f: &Value, k: &str| f["subject"][k].as_str().unwrap_or("-").to_string();
    let got: std::collections::BTreeSet<(String, String, String, String)> = findings(&report)
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                field(f, "service"),
                field(f, "table"),
                field(f, "to"),
            )
        })
        .collect();
    let expected: std::collections::BTreeSet<(String, String, String, String)> = [
        ("consumer-without-dedupe", "search-service", "-", "-"),
        // send_message inserts the message (store::insert_message), then
        // produces `messaging-events` (events::publish): no outbox.
        ("dual-write", "messaging-service", "-", "-"),
        (
            "foreign-read",
            "content-service",
            "users",
            "identity-service",
        ),
        ("foreign-read", "feed-service", "posts", "content-service"),
        ("foreign-read", "feed-service", "users", "identity-service"),
        ("foreign-read", "media-service", "posts", "content-service"),
        (
            "foreign-read",
            "search-service",
            "comments",
            "content-service",
        ),
        (
            "foreign-read",
            "search-service",
            "messages",
            "messaging-service",
        ),
        ("foreign-read", "search-service", "posts", "content-service"),
        (
            "foreign-write",
            "messaging-service",
            "users",
            "identity-service",
        ),
        ("multi-writer", "-", "users", "-"),
        ("startup-dependency", "feed-service", "-", "content-service"),
        (
            "startup-dependency",
            "media-service",
            "-",
            "content-service",
        ),
        (
            "startup-dependency",
            "messaging-service",
            "-",
            "identity-service",
        ),
        (
            "startup-dependency",
            "realtime-chat-service",
            "-",
            "identity-service",
        ),
        ("sync-call", "feed-service", "-", "content-service"),
        ("sync-call", "media-service", "-", "content-service"),
        ("sync-call", "messaging-service", "-", "identity-service"),
        (
            "sync-call",
            "realtime-chat-service",
            "-",
            "identity-service",
        ),
        (
            "sync-call",
            "realtime-chat-service",
            "-",
            "messaging-service",
        ),
    ]
    .iter()
    .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
    .collect();
    assert_eq!(got, expected);
}

#[test]
fn example_sarif_report() {
    let p = ex();
    let args = ["audit", p.as_str(), "--format", "sarif"];
    let o = run_expect(&args, 1);
    let sarif = json_of(&args, &o);
    assert_eq!(sarif["version"], "2.1.0");
    assert!(
        sarif["$schema"]
            .as_str()
            .is_some_and(|s| s.contains("sarif"))
    );
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "nova");
    let rule_ids: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .map(|r| r.iter().filter_map(|x| x["id"].as_str()).collect())
        .unwrap_or_default();
    assert!(rule_ids.contains(&"multi-writer"), "{rule_ids:?}");
    let results = run["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        assert!(r["ruleId"].as_str().is_some(), "{r:#}");
        assert!(r["message"]["text"].as_str().is_some(), "{r:#}");
        let phys = &r["locations"][0]["physicalLocation"];
        let uri = phys["artifactLocation"]["uri"].as_str().unwrap_or_default();
        assert!(
            !uri.is_empty() && !uri.starts_with('/'),
            "relative uri: {r:#}"
        );
    }
    let multi = results
        .iter()
        .find(|r| r["ruleId"] == "multi-writer")
        .expect("multi-writer result");
    assert_eq!(multi["level"], "error");
    // The primary location and the related ones (each writer's SQL).
    let uris: Vec<&str> = ["locations", "relatedLocations"]
        .iter()
        .filter_map(|k| multi[*k].as_array())
        .flatten()
        .filter_map(|x| x["physicalLocation"]["artifactLocation"]["uri"].as_str())
        .collect();
    assert!(uris.contains(&"crates/db-common/src/lib.rs"), "{uris:?}");
}

#[test]
fn baseline_round_trip_and_stale_entries() {
    let dir = tempfile::tempdir().expect("temp dir");
    let baseline = dir.path().join("nova-baseline.json");
    let b = baseline.to_string_lossy().into_owned();
    let p = ex();

    let args = ["audit", p.as_str(), "--write-baseline", b.as_str()];
    run_expect(&args, 0);
    let text = std::fs::read_to_string(&baseline).expect("baseline written");
    let mut doc: Value = serde_json::from_str(&text).expect("baseline is JSON");
    assert_eq!(doc["version"], 1);
    let entries = doc["entries"].as_array().cloned().unwrap_or_default();
    assert!(
        entries.iter().any(|e| e["rule"] == "multi-writer"),
        "{doc:#}"
    );

    // Everything is baselined: clean.
    let args = ["audit", p.as_str(), "--baseline", b.as_str()];
    run_expect(&args, 0);
    let args = [
        "audit",
        p.as_str(),
        "--baseline",
        b.as_str(),
        "--strict-baseline",
    ];
    run_expect(&args, 0);

    // A fixed finding leaves a stale entry: reported, fatal only when strict.
    if let Some(list) = doc["entries"].as_array_mut() {
        list.push(serde_json::json!({
            "fingerprint": "0000000000000000",
            "rule": "multi-writer",
            "message": "table `legacy` is written by 2 services"
        }));
    }
    std::fs::write(&baseline, serde_json::to_string_pretty(&doc).expect("json")).expect("write");
    let args = ["audit", p.as_str(), "--baseline", b.as_str()];
    let o = run_expect(&args, 0);
    let all = format!("{}{}", stdout(&o), stderr(&o));
    assert!(
        all.contains("stale"),
        "stale entry reported\n{}",
        describe(&args, &o)
    );
    let args = [
        "audit",
        p.as_str(),
        "--baseline",
        b.as_str(),
        "--format",
        "json",
    ];
    let o = run_expect(&args, 0);
    let report = json_of(&args, &o);
    assert_eq!(
        report["stale"].as_array().map(Vec::len),
        Some(1),
        "{report:#}"
    );
    let args = [
        "audit",
        p.as_str(),
        "--baseline",
        b.as_str(),
        "--strict-baseline",
    ];
    run_expect(&args, 1);
}

#[test]
fn missing_baseline_file_is_an_error() {
    let p = ex();
    let args = [
        "audit",
        p.as_str(),
        "--baseline",
        "/nonexistent/baseline.json",
    ];
    let o = run_expect(&args, 2);
    assert!(
        stderr(&o).contains("/nonexistent/baseline.json"),
        "{}",
        describe(&args, &o)
    );
}

#[test]
fn allow_entries_accept_findings_with_a_reason() {
    let p = fixture("nova-config");
    let p = p.to_string_lossy();
    let args = ["audit", p.as_ref(), "--format", "json"];
    let o = run(&args);
    assert_no_panic(&args, &o);
    let report = json_of(&args, &o);
    let rules: Vec<(String, String)> = findings(&report)
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_string(),
                f["subject"]["table"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    assert!(
        !rules.contains(&("multi-writer".to_string(), "shipments".to_string())),
        "multi-writer on shipments is allowed: {report:#}"
    );
    let allowed = report["allowed"].as_array().cloned().unwrap_or_default();
    assert!(
        allowed
            .iter()
            .any(|a| a["finding"]["rule"] == "multi-writer"
                && a["reason"]
                    .as_str()
                    .is_some_and(|r| r.contains("backfills shipments"))),
        "{report:#}"
    );
    // shipping-worker still writes a table declared as owned by `orders`.
    assert!(
        rules.contains(&("foreign-write".to_string(), "shipments".to_string())),
        "{report:#}"
    );
    assert_eq!(o.status.code(), Some(1), "foreign-write is an error");
}

#[test]
fn fail_on_threshold() {
    let p = fixture("nova-config");
    let p = p.to_string_lossy();
    // foreign-write is an error.
    let args = ["audit", p.as_ref(), "--fail-on", "error"];
    run_expect(&args, 1);
    let q = fixture("sqlx-functions");
    let q = q.to_string_lossy();
    // One service, no migrations: `ledger_entries` is only read, so it has
    // no owner (unowned-table, a warning). Nothing fails at "error".
    let args = ["audit", q.as_ref(), "--fail-on", "error"];
    run_expect(&args, 0);
    let args = ["audit", q.as_ref(), "--fail-on", "warning"];
    run_expect(&args, 1);
}

/// The human output on the example at 80 columns: one snapshot (real
/// source excerpts), nothing wider than 80 columns but a single word, and
/// every location of every finding shown whole.
#[test]
fn human_output_at_80_columns() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let o = nova()
        .args(["audit", "examples/coupled-monorepo"])
        .env("COLUMNS", "80")
        .current_dir(&root)
        .output()
        .expect("nova runs");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let text = stdout(&o);
    for line in text.lines() {
        let words = line
            .trim_end_matches(" \\")
            .split(['│', '=', ' '])
            .filter(|w| !w.is_empty())
            .count();
        assert!(
            line.chars().count() <= 80 || words == 1,
            "wider than 80 columns: {line:?}"
        );
    }
    let args = ["audit", "examples/coupled-monorepo", "--format", "json"];
    let report = json_of(&args, &run_in_repo_root(&args, 1));
    for f in findings(&report) {
        for l in f["locations"].as_array().into_iter().flatten() {
            let file = l["file"].as_str().unwrap_or_default();
            let line = l["line"].as_u64().unwrap_or_default();
            assert!(
                text.contains(&format!("┌─ {file}:")) || text.contains(&format!("at {file}:")),
                "{file} not shown whole\n{text}"
            );
            assert!(
                text.contains(&format!("{line} │")) || text.contains(&format!("{file}:{line}")),
                "{file}:{line} not shown\n{text}"
            );
        }
    }
    assert!(text.ends_with("2 errors, 18 warnings; exit 1\n"), "{text}");
    insta::assert_snapshot!("example_human_80_columns", text);
}

#[test]
fn table_format_is_kept() {
    let p = ex();
    let args = ["audit", p.as_str(), "--format", "table"];
    let out = stdout(&run_expect(&args, 1));
    assert!(out.contains("│ multi-writer"), "{out}");
    assert!(out.contains("Hints:"), "{out}");
}

#[test]
fn colour_follows_the_flag() {
    let p = ex();
    let coloured = stdout(&run_expect(&["audit", p.as_str(), "--color", "always"], 1));
    assert!(
        coloured.contains('\u{1b}'),
        "ANSI colours with --color always"
    );
    // `nova()` sets NO_COLOR; auto on a pipe is plain anyway.
    let plain = stdout(&run_expect(&["audit", p.as_str()], 1));
    assert!(!plain.contains('\u{1b}'));
    let never = stdout(&run_expect(&["audit", p.as_str(), "--color", "never"], 1));
    assert_eq!(never, plain);
}
