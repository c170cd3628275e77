//! An outbox library called by its verb (`outboxkit::enqueue(&mut conn,
//! SHIPPED, ..)`): its arguments are searched for the topic, and what the
//! connection was built from (an `.expect("database")` message, a
//! `DATABASE_URL`, a `postgres://` address) must never become one.

use crate::support::*;

#[test]
fn a_connection_handed_to_an_outbox_call_is_no_topic() {
    let m = scan(&fixture("outbox-verbs"), &[]);
    assert_eq!(
        topic_set(&m),
        triples(&[
            ("shipping.delayed", "shipping-svc", "notify-svc"),
            ("shipping.packed", "pool-svc", "notify-svc"),
            ("shipping.returned", "pool-svc", "notify-svc"),
            ("shipping.shipped", "shipping-svc", "notify-svc"),
        ]),
        "{:#}",
        m["topics"]
    );
    let unresolved = diags(&m, "unresolved-topic");
    assert!(unresolved.is_empty(), "{unresolved:#?}");
}
