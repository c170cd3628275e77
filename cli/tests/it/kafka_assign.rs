//! rdkafka's `assign`: a consumer that takes partitions itself, adding them
//! to a `TopicPartitionList` by topic (`kafka-assign` fixture), consumes
//! those topics; a type of the project's own with an `add_partition` taking
//! numbers is no topic list, nor one built from a message read (offsets
//! booked for a commit).

use crate::support::*;

#[test]
fn topics_added_to_an_assigned_partition_list_are_consumed() {
    let m = scan(&fixture("kafka-assign"), &[]);
    let consumed = consumed_by(&m, "replay-svc");
    // The const, the parameter given at its one call, a literal.
    assert_eq!(
        consumed,
        ["billing.audit", "billing.invoices", "billing.refunds"]
    );
    assert_eq!(
        edges_of_kind(&m, "kafka"),
        edge_triples(&[(
            "billing-svc",
            "replay-svc",
            "billing.invoices,billing.refunds"
        )])
    );
    // `Sizes::add_partition(4, 16)` is not read as a topic.
    assert_eq!(m["diagnostics"], serde_json::json!([]));
}
