//! A list of topics is several values, not alternatives of one: every
//! element is consumed, past the sixteen alternatives one value may have
//! (`topic-lists` fixture: `subscribe(&[..])` with eighteen constants, the
//! last two produced by another service).

use crate::support::*;

#[test]
fn every_topic_of_a_long_subscribe_list_is_consumed() {
    let m = scan(&fixture("topic-lists"), &[]);
    let consumed: Vec<&str> = m["topics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| {
            t["consumers"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["service"] == "audit-svc")
        })
        .filter_map(|t| t["name"].as_str())
        .collect();
    let want = [
        "archived", "audited", "closed", "credited", "debited", "exported", "flagged", "frozen",
        "imported", "merged", "opened", "purged", "renamed", "restored", "reversed", "settled",
        "split", "thawed",
    ]
    .map(|n| format!("ledger.{n}"));
    assert_eq!(consumed, want);
    let edges: Vec<(&str, &str, String)> = m["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["from"].as_str().unwrap_or_default(),
                e["to"].as_str().unwrap_or_default(),
                e["via"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        edges,
        [(
            "ledger-svc",
            "audit-svc",
            r#"["ledger.flagged","ledger.purged"]"#.to_string()
        )]
    );
    assert_eq!(m["diagnostics"], serde_json::json!([]), "nothing cut");
}
