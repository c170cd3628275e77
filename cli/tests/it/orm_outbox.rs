//! Transactional outboxes written through an ORM (issue 12, item 4): diesel
//! and SeaORM inserts into a table a relay publishes by its topic column
//! are producers of the topics they write (`orm-outbox` fixture).

use crate::support::*;
use serde_json::Value;

/// Producers of the model's topics: `(topic, service, via, file:line)`.
fn producers(m: &Value) -> Vec<(String, String, String, String)> {
    let mut out = Vec::new();
    for t in m["topics"].as_array().into_iter().flatten() {
        for p in t["producers"].as_array().into_iter().flatten() {
            let at = format!(
                "{}:{}",
                p["location"]["file"].as_str().unwrap_or_default(),
                p["location"]["line"].as_u64().unwrap_or(0)
            );
            out.push((
                t["name"].as_str().unwrap_or_default().to_string(),
                p["service"].as_str().unwrap_or_default().to_string(),
                p["via"].as_str().unwrap_or_default().to_string(),
                at,
            ));
        }
    }
    out
}

fn quads(items: &[(&str, &str, &str, &str)]) -> Vec<(String, String, String, String)> {
    items
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect()
}

#[test]
fn diesel_inserts_into_a_relayed_table_produce_their_topics() {
    let m = scan(&fixture("orm-outbox"), &[]);
    let orders: Vec<_> = producers(&m)
        .into_iter()
        .filter(|p| p.1 == "orders-svc")
        .collect();
    // `.values((outbox::topic.eq(CONST), ..))`, an `Insertable` struct
    // literal through `schema::outbox::table`, a local holding one with a
    // `format!` of a static, and a parameter given by the only caller.
    assert_eq!(
        orders,
        quads(&[
            (
                "orders.cancelled",
                "orders-svc",
                "outbox",
                "orders-svc/src/events.rs:26"
            ),
            (
                "orders.placed",
                "orders-svc",
                "outbox",
                "orders-svc/src/events.rs:17"
            ),
            (
                "orders.refunded",
                "orders-svc",
                "outbox",
                "orders-svc/src/events.rs:42"
            ),
            (
                "orders.shipped",
                "orders-svc",
                "outbox",
                "orders-svc/src/events.rs:51"
            ),
            (
                "orders.webhooks",
                "orders-svc",
                "outbox",
                "orders-svc/src/events.rs:74"
            ),
        ]),
        "{:#}",
        m["topics"]
    );
    // Evidence: the insert and the relay; the parameter's value through
    // its caller.
    let notes = edge_notes(&m, "orders-svc", "notify-svc");
    for want in [
        "orders-svc/src/events.rs:17 produces `orders.placed` (value through orders-svc/src/events.rs:17, relayed at relay/src/lib.rs:40)",
        "orders-svc/src/events.rs:51 produces `orders.shipped` (value through orders-svc/src/events.rs:51 <- orders-svc/src/events.rs:57, relayed at relay/src/lib.rs:40)",
    ] {
        assert!(notes.iter().any(|n| n == want), "{want} in {notes:#?}");
    }
    assert!(unresolved_of(&m, "orders-svc").is_empty());
}

#[test]
fn sea_orm_inserts_into_a_relayed_table_produce_their_topics() {
    let m = scan(&fixture("orm-outbox"), &[]);
    let billing: Vec<_> = producers(&m)
        .into_iter()
        .filter(|p| p.1 == "billing-svc")
        .collect();
    // `ActiveModel { topic: Set(CONST.to_owned()), .. }.insert(&txn)`,
    // `Entity::insert(local)`, `local.topic = Set(..)` then `insert`, and
    // `save` with a parameter given a const of another module.
    assert_eq!(
        billing,
        quads(&[
            (
                "billing.invoice-issued",
                "billing-svc",
                "outbox",
                "billing-svc/src/events.rs:20"
            ),
            (
                "billing.paid",
                "billing-svc",
                "outbox",
                "billing-svc/src/events.rs:52"
            ),
            (
                "billing.refunded",
                "billing-svc",
                "outbox",
                "billing-svc/src/events.rs:32"
            ),
            (
                "billing.reminded",
                "billing-svc",
                "outbox",
                "billing-svc/src/events.rs:41"
            ),
        ]),
        "{:#}",
        m["topics"]
    );
    let notes = edge_notes(&m, "billing-svc", "notify-svc");
    let want = "billing-svc/src/events.rs:32 produces `billing.refunded` (value through billing-svc/src/events.rs:32, relayed at relay/src/lib.rs:40)";
    assert!(notes.iter().any(|n| n == want), "{want} in {notes:#?}");
    assert!(unresolved_of(&m, "billing-svc").is_empty());
}

#[test]
fn a_library_writing_the_outbox_through_diesel_counts_for_the_services_calling_it() {
    let m = scan(&fixture("orm-outbox"), &[]);
    // `eventkit::enqueue(conn, SHIPPED, ..)` and
    // `Writer::new("..").write(..)` (the topic kept in a field): the
    // library's inserts are shipping-svc's, not eventkit's.
    let shipping: Vec<_> = producers(&m)
        .into_iter()
        .filter(|p| p.0.starts_with("shipping."))
        .collect();
    assert_eq!(
        shipping,
        quads(&[
            (
                "shipping.delayed",
                "shipping-svc",
                "outbox",
                "eventkit/src/lib.rs:27"
            ),
            (
                "shipping.shipped",
                "shipping-svc",
                "outbox",
                "eventkit/src/lib.rs:35"
            ),
        ]),
        "{:#}",
        m["topics"]
    );
    let notes = edge_notes(&m, "shipping-svc", "notify-svc");
    for want in [
        "eventkit/src/lib.rs:27 produces `shipping.delayed` (value through eventkit/src/lib.rs:27 <- eventkit/src/lib.rs:22 <- shipping-svc/src/main.rs:9, relayed at relay/src/lib.rs:40)",
        "eventkit/src/lib.rs:35 produces `shipping.shipped` (value through eventkit/src/lib.rs:35 <- shipping-svc/src/main.rs:8, relayed at relay/src/lib.rs:40)",
    ] {
        assert!(notes.iter().any(|n| n == want), "{want} in {notes:#?}");
    }
    assert!(unresolved_of(&m, "shipping-svc").is_empty());
}

#[test]
fn a_relay_reading_its_table_through_diesel_makes_it_an_outbox() {
    let m = scan(&fixture("orm-outbox"), &[]);
    // `webhook_queue` (`webhooks` in orders-svc's schema) says nothing of
    // an outbox; the relay loads it with diesel and publishes each row's
    // `destination`.
    let notes = edge_notes(&m, "orders-svc", "notify-svc");
    let want = "orders-svc/src/events.rs:74 produces `orders.webhooks` (value through orders-svc/src/events.rs:74, relayed at relay/src/webhooks.rs:26)";
    assert!(notes.iter().any(|n| n == want), "{want} in {notes:#?}");
    // The relay's publish of `row.destination` is no topic of relay-svc.
    assert!(
        !producers(&m).iter().any(|p| p.1 == "relay-svc"),
        "{:#}",
        m["topics"]
    );
    assert!(unresolved_of(&m, "relay-svc").is_empty());
}

#[test]
fn an_orm_insert_into_a_topic_table_no_relay_reads_is_no_outbox() {
    let m = scan(&fixture("orm-outbox"), &[]);
    // `alert_subscriptions` has a topic column but no relay: its
    // `orders.alerts` is consumed, produced by nobody. The relay's own
    // publish of `claimed.topic` is no topic of relay-svc.
    assert_eq!(
        edges_of_kind(&m, "kafka"),
        edge_triples(&[
            (
                "billing-svc",
                "notify-svc",
                "billing.invoice-issued,billing.paid,billing.refunded,billing.reminded"
            ),
            (
                "orders-svc",
                "notify-svc",
                "orders.cancelled,orders.placed,orders.refunded,orders.shipped,orders.webhooks"
            ),
            (
                "shipping-svc",
                "notify-svc",
                "shipping.delayed,shipping.shipped"
            ),
        ])
    );
    assert!(
        topic_set(&m).contains(&(
            "orders.alerts".to_string(),
            String::new(),
            "notify-svc".to_string()
        )),
        "{:#}",
        m["topics"]
    );
    assert!(unresolved_of(&m, "relay-svc").is_empty());
}

#[test]
fn an_orm_outbox_insert_whose_topic_is_unknown_is_reported_not_invented() {
    let m = scan(&fixture("orm-outbox"), &[]);
    assert!(
        !producers(&m).iter().any(|p| p.1 == "ledger-svc"),
        "{:#}",
        m["topics"]
    );
    // Where the chain breaks: a value computed at run time, a parameter no
    // call gives a static value.
    let got = unresolved_of(&m, "ledger-svc");
    let want = [
        "ledger-svc/src/main.rs:25 outbox insert in `ledger-svc` binds its topic at run time (`entry.topic_name()`)",
        "ledger-svc/src/main.rs:37 produced topic in `ledger-svc` could not be resolved statically (`{parameter #1 of `forward` (line 30): no call to it is reached}`)",
    ];
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for w in want {
        assert!(got.iter().any(|g| g.starts_with(w)), "{w} in {got:#?}");
    }
}
