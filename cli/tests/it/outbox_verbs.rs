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

#[test]
fn an_outbox_topic_bound_to_a_call_of_no_project_function_is_bound_at_run_time() {
    // `.bind(event.kind())`, `kind` a method of another crate's type: read
    // like any expression nova cannot follow, not as an empty returned value.
    // The same through diesel: `outbox_events::topic.eq(event.kind())`.
    let m = scan(&fixture("outbox-bound-call"), &[]);
    let unresolved = diags(&m, "unresolved-topic");
    assert_eq!(unresolved.len(), 2, "{unresolved:#?}");
    for (d, bound) in unresolved.iter().zip(["`event.kind()`", "`$1`"]) {
        assert_eq!(d["severity"], "info", "{d:#}");
        let message = d["message"].as_str().unwrap_or_default();
        assert!(
            message.contains(&format!("binds its topic at run time ({bound})")),
            "{message}"
        );
    }
    assert!(topic_set(&m).is_empty(), "{:#}", m["topics"]);
}
