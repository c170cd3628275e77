//! rdkafka's `assign`: a consumer that takes partitions itself, adding them
//! to a `TopicPartitionList` by topic (`kafka-assign` fixture), consumes
//! those topics; a type of the project's own with an `add_partition` taking
//! numbers is no topic list, nor one built from a message read (offsets
//! booked for a commit).

use crate::support::*;

#[test]
fn topics_added_to_an_assigned_partition_list_are_consumed() {
    let m = scan(&fixture("kafka-assign"), &[]);
    let consumed: Vec<&str> = m["topics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| {
            t["consumers"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|c| c["service"] == "replay-svc")
        })
        .filter_map(|t| t["name"].as_str())
        .collect();
    // The const, the parameter given at its one call, a literal.
    assert_eq!(
        consumed,
        ["billing.audit", "billing.invoices", "billing.refunds"]
    );
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
            "billing-svc",
            "replay-svc",
            r#"["billing.invoices","billing.refunds"]"#.to_string()
        )]
    );
    // `Sizes::add_partition(4, 16)` is not read as a topic.
    assert_eq!(m["diagnostics"], serde_json::json!([]));
}
