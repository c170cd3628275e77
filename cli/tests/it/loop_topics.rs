//! A topic produced in a loop over a list (`for topic in [A, "b"]`) is each
//! topic of the list (`kafka-assign` fixture: billing-svc).

use crate::support::*;

#[test]
fn each_topic_of_a_list_looped_over_is_produced() {
    let m = scan(&fixture("kafka-assign"), &[]);
    let produced: Vec<&str> = m["topics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|t| {
            t["producers"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p["service"] == "billing-svc")
        })
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(produced, ["billing.invoices", "billing.refunds"]);
    // Nothing unresolved: the loop's topic is the list's elements.
    assert_eq!(m["diagnostics"], serde_json::json!([]));
}
