//! rdkafka's `TopicPartitionList::from_topic_map(&map)`: a consumer that
//! assigns partitions from a map of `(topic, partition) -> offset`
//! (`kafka-topic-map` fixture) consumes the map's topics: a map built with
//! `HashMap::from([..])` (a const and a literal), filled by `insert` with
//! the caller's topic, or in a loop over a const list. A map filled from
//! what the consumer read (`m.topic()`, offsets booked for a commit) and a
//! cache keyed like a partition map that is never assigned name no topic.

use crate::support::*;

#[test]
fn topics_of_an_assigned_topic_map_are_consumed() {
    let m = scan(&fixture("kafka-topic-map"), &[]);
    assert_eq!(
        consumed_by(&m, "replay-svc"),
        [
            "payments.audit",
            "payments.audit.retry",
            "payments.chargebacks",
            "payments.invoices",
            "payments.refunds",
        ]
    );
    assert_eq!(
        edges_of_kind(&m, "kafka"),
        edge_triples(&[(
            "payments-svc",
            "replay-svc",
            "payments.audit,payments.chargebacks,payments.invoices"
        )])
    );
    // Each at the line naming the topic (the parameter's at its call).
    let consumes: Vec<String> = edge_notes(&m, "payments-svc", "replay-svc")
        .into_iter()
        .filter(|n| n.contains(" consumes "))
        .collect();
    assert_eq!(
        consumes,
        [
            "replay-svc/src/main.rs:17 consumes `payments.invoices`",
            "replay-svc/src/main.rs:34 consumes `payments.audit`",
            "replay-svc/src/main.rs:44 consumes `payments.chargebacks`",
        ]
    );
    // `m.topic()` and the cache are no topics, and nothing is unresolved.
    assert!(!names(&m, "topics").contains("payments.cache"));
    assert_eq!(m["diagnostics"], serde_json::json!([]));
}
