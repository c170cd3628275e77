//! rdkafka's `TopicPartitionList::from_topic_map` of a map held in a field
//! of `self` or handed in as a parameter (`topic-map-fields` fixture): a
//! field built in the constructor's struct literal, stored from a local
//! filled by `insert`, or filled by `a.marks.insert(..)`; a helper
//! `assign(c, map)` whose callers build the map in the call or in a local.
//! A map filled from what the consumer read (a field, or a local handed to
//! the same helper) and one never assigned name no topic.

use crate::support::*;

#[test]
fn topics_of_a_field_or_parameter_topic_map_are_consumed() {
    let m = scan(&fixture("topic-map-fields"), &[]);
    assert_eq!(
        consumed_by(&m, "replay-svc"),
        [
            "ledger.adjustments",
            "ledger.audit",
            "ledger.audit.retry",
            "ledger.entries",
            "ledger.fees",
        ]
    );
    assert_eq!(
        edges_of_kind(&m, "kafka"),
        edge_triples(&[(
            "ledger-svc",
            "replay-svc",
            "ledger.adjustments,ledger.audit,ledger.entries,ledger.fees"
        )])
    );
    // A field's at the call, the write a hop; a parameter's at its call.
    let consumes: Vec<String> = edge_notes(&m, "ledger-svc", "replay-svc")
        .into_iter()
        .filter(|n| n.contains(" consumes "))
        .collect();
    assert_eq!(
        consumes,
        [
            "replay-svc/src/main.rs:25 consumes `ledger.entries` \
             (value through replay-svc/src/main.rs:25 <- replay-svc/src/main.rs:20)",
            "replay-svc/src/main.rs:43 consumes `ledger.fees` \
             (value through replay-svc/src/main.rs:43 <- replay-svc/src/main.rs:38)",
            "replay-svc/src/main.rs:66 consumes `ledger.adjustments` \
             (value through replay-svc/src/main.rs:66 <- replay-svc/src/main.rs:61)",
            "replay-svc/src/main.rs:96 consumes `ledger.audit`",
        ]
    );
    // `m.topic()` keys and the cache are no topics, and nothing is
    // unresolved (the `seen` field's map included).
    assert!(!names(&m, "topics").contains("ledger.cache"));
    assert_eq!(m["diagnostics"], serde_json::json!([]));
}
