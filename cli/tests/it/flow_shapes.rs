//! Values that flow through a project's own code (issue 12): topics given
//! to a wrapper's constructor or builder, a struct of topics handed to a
//! registration function, the `kafka` crate and rskafka, and the calls
//! whose string arguments are never topics.

use crate::support::*;

#[test]
fn topics_through_wrappers_builders_and_structs() {
    let m = scan(&fixture("kafka-flow"), &[]);
    assert_eq!(
        topic_set(&m),
        triples(&[
            ("billing.invoices", "billing-svc", "legacy-svc"),
            ("billing.retry", "", "billing-svc"),
            ("legacy.audit", "legacy-svc", ""),
            ("orders.events", "orders-svc", "billing-svc"),
            ("ticks", "ticker-svc", "legacy-svc"),
        ]),
        "{:#}",
        m["topics"]
    );
    assert_eq!(
        edges_of_kind(&m, "kafka"),
        edge_triples(&[
            ("billing-svc", "legacy-svc", "billing.invoices"),
            ("orders-svc", "billing-svc", "orders.events"),
            ("ticker-svc", "legacy-svc", "ticks"),
        ])
    );
    let unresolved = diags(&m, "unresolved-topic");
    assert!(unresolved.is_empty(), "{unresolved:#?}");
    // The cache's name, the metric and the map keys are no edges at all.
    assert!(edges_of_kind(&m, "http").is_empty(), "{:#}", m["edges"]);
}

#[test]
fn a_topic_through_a_wrapper_names_each_hop() {
    let m = scan(&fixture("kafka-flow"), &[]);
    let edges = m["edges"].as_array().cloned().unwrap_or_default();
    let orders = edges
        .iter()
        .find(|e| e["kind"] == "kafka" && e["from"] == "orders-svc")
        .expect("the orders.events edge");
    let evidence = orders["evidence"].to_string();
    // The publish in the library, the constructor storing the field, and
    // the service's call giving the value.
    for hop in [
        "bus/src/lib.rs:23",
        "bus/src/lib.rs:18",
        "orders-svc/src/main.rs:22",
    ] {
        assert!(evidence.contains(hop), "{hop} in {evidence}");
    }
}
