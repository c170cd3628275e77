//! A list of topics is several values, not alternatives of one: every
//! element is consumed, past the sixteen alternatives one value may have
//! (`topic-lists` fixture: `subscribe(&[..])` with eighteen constants, the
//! last two produced by another service).

use crate::support::*;

#[test]
fn every_topic_of_a_long_subscribe_list_is_consumed() {
    let m = scan(&fixture("topic-lists"), &[]);
    let consumed = consumed_by(&m, "audit-svc");
    let want = [
        "archived", "audited", "closed", "credited", "debited", "exported", "flagged", "frozen",
        "imported", "merged", "opened", "purged", "renamed", "restored", "reversed", "settled",
        "split", "thawed",
    ]
    .map(|n| format!("ledger.{n}"));
    assert_eq!(consumed, want);
    assert_eq!(
        edges_of_kind(&m, "kafka"),
        edge_triples(&[("ledger-svc", "audit-svc", "ledger.flagged,ledger.purged")])
    );
    assert_eq!(m["diagnostics"], serde_json::json!([]), "nothing cut");
}
