//! Values returned by functions and methods (issue 12): topics named by
//! free functions, `const fn`s, `if`/`match` arms, methods of the event's
//! type (inherent, trait implementations and a trait's default method
//! called generically, associated consts), and functions given the
//! topic's parts as arguments.

use crate::support::*;
use serde_json::Value;

fn model() -> Value {
    scan(&fixture("return-values"), &[])
}

#[test]
fn topics_returned_by_functions_resolve() {
    let m = model();
    let produced: Vec<(String, String, String)> = topic_set(&m)
        .into_iter()
        .filter(|(_, p, _)| !p.is_empty())
        .collect();
    let want = triples(&[
        // `if` with an early `return`, and a `match`: each value is one.
        ("billing.eu", "billing-svc", "audit-svc"),
        ("billing.invoices", "billing-svc", "audit-svc"),
        // `format!("{}.orders", prefix())`, `prefix` a `const fn` of a library.
        ("billing.orders", "billing-svc", "audit-svc"),
        ("billing.retry", "billing-svc", "audit-svc"),
        ("billing.us", "billing-svc", ""),
        // `topic_for("payments")`: the argument for the parameter.
        ("events.payments", "orders-svc", "audit-svc"),
        // `bus.publish_named(&UserJoined { .. })`: the trait's default
        // `topic()` with `Self::NAME` = `UserJoined::NAME`.
        ("named.users", "billing-svc", "audit-svc"),
        // `const fn audit_topic() { return "orders.audit"; }`.
        ("orders.audit", "orders-svc", "audit-svc"),
        // A free function's tail expression.
        ("orders.created", "orders-svc", "audit-svc"),
        // `bus.publish(&OrderPlaced { .. })`: `event.topic()` in the
        // library is `OrderPlaced`'s.
        ("orders.placed", "orders-svc", "audit-svc"),
        // `Self::DONE` in a method.
        ("shipping.done", "shipping-svc", "audit-svc"),
        // `fn topic(&self) -> &str { &self.topic }`: the field's value.
        ("shipping.notified", "shipping-svc", "audit-svc"),
        // `E::TOPIC` with `E` = `ShipmentSent`.
        ("shipping.sent", "shipping-svc", "audit-svc"),
    ]);
    assert_eq!(
        produced
            .into_iter()
            .collect::<std::collections::BTreeSet<_>>(),
        want,
        "{:#}",
        m["topics"]
    );
}

#[test]
fn names_returned_for_a_cache_or_a_metric_are_no_topics() {
    let m = model();
    // `Cache::new(cache_name())`, `counter(&metric_name())`: returned
    // strings that never reach a topic position. (The same test finds the
    // returned topics, which the code before this did not.)
    let produced: Vec<String> = topic_set(&m)
        .into_iter()
        .filter(|(_, p, _)| !p.is_empty())
        .map(|(t, _, _)| t)
        .collect();
    assert!(
        produced.contains(&"orders.created".to_string()),
        "{produced:?}"
    );
    for t in ["orders.cache", "orders.count", "{}.count", "orders"] {
        assert!(!produced.contains(&t.to_string()), "{t} in {produced:?}");
    }
}

#[test]
fn a_trait_implemented_twice_gives_only_the_published_types_topic() {
    let m = model();
    // `OrderCancelled` implements `Event` too, but no service publishes it:
    // `orders.cancelled` has no producer, `orders.placed` has one.
    let topics = topic_set(&m);
    assert!(
        topics.contains(&(
            "orders.placed".to_string(),
            "orders-svc".to_string(),
            "audit-svc".to_string()
        )),
        "{topics:?}"
    );
    assert!(
        topics.contains(&(
            "orders.cancelled".to_string(),
            String::new(),
            "audit-svc".to_string()
        )),
        "{topics:?}"
    );
    // The same for a trait's default method: `UserLeft`'s name is no
    // topic of anyone's.
    assert!(
        topics.contains(&(
            "named.users.left".to_string(),
            String::new(),
            "audit-svc".to_string()
        )),
        "{topics:?}"
    );
    assert!(
        edges_of_kind(&m, "kafka")
            .iter()
            .all(|(_, _, t)| t != "orders.cancelled" && t != "named.users.left"),
        "{:#}",
        m["edges"]
    );
}

#[test]
fn each_hop_of_a_returned_topic_is_in_the_evidence() {
    let m = model();
    // The library's publish, the service's call giving the type, the
    // impl's return.
    let note = produce_note(&m, "orders-svc", "orders.placed");
    for hop in [
        "bus/src/lib.rs:18",
        "orders-svc/src/main.rs:41",
        "events/src/lib.rs:19",
    ] {
        assert!(note.contains(hop), "{hop} in {note:?}");
    }
    // The associated const: the call giving the type, the const.
    let note = produce_note(&m, "shipping-svc", "shipping.sent");
    for hop in ["shipping-svc/src/main.rs:37", "events/src/lib.rs:39"] {
        assert!(note.contains(hop), "{hop} in {note:?}");
    }
    // A trait's default method: its return, then the type's const.
    let note = produce_note(&m, "billing-svc", "named.users");
    for hop in [
        "bus/src/lib.rs:25",
        "billing-svc/src/main.rs:44",
        "events/src/lib.rs:58",
        "events/src/lib.rs:67",
    ] {
        assert!(note.contains(hop), "{hop} in {note:?}");
    }
    // A method returning a field: the return, then the field's write.
    let note = produce_note(&m, "shipping-svc", "shipping.notified");
    for hop in ["shipping-svc/src/main.rs:16", "shipping-svc/src/main.rs:30"] {
        assert!(note.contains(hop), "{hop} in {note:?}");
    }
    // A parameter given at the call: the function's return.
    let note = produce_note(&m, "orders-svc", "events.payments");
    assert!(note.contains("events/src/lib.rs:44"), "{note:?}");
    // Each arm of a choice is its own hop.
    assert!(
        produce_note(&m, "billing-svc", "billing.retry").contains("billing-svc/src/main.rs:15"),
        "{:#}",
        m["edges"]
    );
    assert!(
        produce_note(&m, "billing-svc", "billing.invoices").contains("billing-svc/src/main.rs:17"),
        "{:#}",
        m["edges"]
    );
}

#[test]
fn a_return_that_cannot_be_resolved_names_the_hop() {
    let m = model();
    let unresolved = diags(&m, "unresolved-topic");
    assert_eq!(unresolved.len(), 2, "{unresolved:#?}");
    let at = |line: &str| {
        unresolved
            .iter()
            .find(|d| diag_at(d) == line)
            .map(|d| diag_text(d))
            .unwrap_or_else(|| panic!("no diagnostic at {line}: {unresolved:#?}"))
    };
    // The function and where it returns what cannot be known.
    let text = at("broken-svc/src/main.rs:22");
    assert!(text.contains("`topic` returns"), "{text}");
    assert!(text.contains("broken-svc/src/main.rs:9"), "{text}");
    // `bus.publish(&any_event(), ..)`: the event's type is not seen at the
    // call, so `event.topic()` in the library is left unresolved (not
    // every implementor's topic), naming the parameter it came through.
    let text = at("broken-svc/src/main.rs:25");
    assert!(text.contains("event.topic()"), "{text}");
    assert!(text.contains("parameter #0 of `Bus::publish`"), "{text}");
    let topics = topic_set(&m);
    assert!(
        topics
            .iter()
            .all(|(_, producers, _)| !producers.contains("broken-svc")),
        "{topics:?}"
    );
}
