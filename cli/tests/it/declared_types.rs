//! Receivers typed by declarations (issue 12): a method called through a
//! field of `self` (`events: EventBus`, `Arc<..>`, `Box<..>`, `&'a ..`), on
//! what a function or method is declared to return (`-> EventBus`,
//! `-> &EventBus`, `-> Result<EventBus, E>` unwrapped by `?`/`.expect(..)`),
//! or on a parameter; and a client a library re-exports held in a field
//! or a parameter of the importing crate.

use crate::support::*;

#[test]
fn methods_called_through_declared_types_give_their_topics() {
    let m = scan(&fixture("declared-types"), &[]);
    let produced: std::collections::BTreeSet<(String, String, String)> = topic_set(&m)
        .into_iter()
        .filter(|(_, p, _)| !p.is_empty())
        .collect();
    let want = triples(&[
        // `self.shared.audit_topic()`, `shared: Arc<EventBus>`.
        ("orders.audit", "orders-svc", "audit-svc"),
        // `self.boxed.boxed_topic()`, `boxed: Box<EventBus>`.
        ("orders.boxed", "orders-svc", "audit-svc"),
        // `let fallible = try_bus().map_err(..)?;`: `Result<EventBus, _>`.
        ("orders.cancelled", "orders-svc", "audit-svc"),
        // `let bus = make_bus();`: `-> EventBus`.
        ("orders.created", "orders-svc", "audit-svc"),
        // `self.events.topic()`, `events: EventBus`.
        ("orders.events", "orders-svc", "audit-svc"),
        // `self.bus().paid_topic()`, `fn bus(&self) -> &EventBus`.
        ("orders.paid", "orders-svc", "audit-svc"),
        // `bus: &EventBus`, a parameter no call gives.
        ("orders.param", "orders-svc", "audit-svc"),
        // `open_bus().expect(..)`: `Option<EventBus>`.
        ("orders.refunded", "orders-svc", "audit-svc"),
        // `self.bus.retry_topic()`, `bus: &'a EventBus`.
        ("orders.retry", "orders-svc", "audit-svc"),
        // `self.events.publish("orders.sent", ..)`.
        ("orders.sent", "orders-svc", "audit-svc"),
        // `Self::default_bus().shipped_topic()`, `fn default_bus() -> EventBus`.
        ("orders.shipped", "orders-svc", "audit-svc"),
    ]);
    assert_eq!(produced, want, "{:#}", m["topics"]);
}

#[test]
fn each_declaration_is_a_hop_of_the_evidence() {
    let m = scan(&fixture("declared-types"), &[]);
    for (topic, hops) in [
        // The use, the field's declaration, the method's return.
        (
            "orders.events",
            &[
                "orders-svc/src/main.rs:34",
                "field `events` (line 10)",
                "events/src/lib.rs:19",
            ][..],
        ),
        (
            "orders.audit",
            &["field `shared` (line 11)", "events/src/lib.rs:23"][..],
        ),
        (
            "orders.retry",
            &["field `bus` (line 21)", "events/src/lib.rs:27"][..],
        ),
        // A parameter no call gives: its declaration.
        (
            "orders.param",
            &["parameter `bus` (line 63)", "events/src/lib.rs:55"][..],
        ),
        // The getter's declared return type, then the method's return.
        (
            "orders.paid",
            &["orders-svc/src/main.rs:25", "events/src/lib.rs:35"][..],
        ),
        (
            "orders.shipped",
            &["orders-svc/src/main.rs:29", "events/src/lib.rs:39"][..],
        ),
        // A library's function: its declaration, then the method's return.
        (
            "orders.created",
            &["events/src/lib.rs:70", "events/src/lib.rs:31"][..],
        ),
        (
            "orders.cancelled",
            &["events/src/lib.rs:75", "events/src/lib.rs:43"][..],
        ),
    ] {
        let note = produce_note(&m, "orders-svc", topic);
        for hop in hops {
            assert!(note.contains(hop), "{hop} in {note:?} ({topic})");
        }
    }
}

#[test]
fn a_type_the_service_cannot_see_or_a_trait_object_stays_unresolved() {
    let m = scan(&fixture("declared-types"), &[]);
    // `ledger: Ledger` is another crate's: the workspace's `ledger`
    // library, which the service does not depend on, names no topic of it.
    let topics = topic_set(&m);
    assert!(
        topics.contains(&(
            "ledger.secret".to_string(),
            String::new(),
            "audit-svc".to_string()
        )),
        "{topics:?}"
    );
    let unresolved = diags(&m, "unresolved-topic");
    assert_eq!(unresolved.len(), 2, "{unresolved:#?}");
    let at = |line: &str| {
        unresolved
            .iter()
            .find(|d| diag_at(d) == line)
            .map(|d| diag_text(d))
            .unwrap_or_else(|| panic!("no diagnostic at {line}: {unresolved:#?}"))
    };
    let text = at("orders-svc/src/main.rs:48");
    assert!(
        text.contains("field `ledger` (line 14) is a `Ledger`, no method `topic` of which is seen"),
        "{text}"
    );
    // `any: Box<dyn Bus>`: the hop is named, no implementor's topic taken.
    let text = at("orders-svc/src/main.rs:50");
    assert!(
        text.contains("field `any` (line 16) is a trait object `dyn Bus`"),
        "{text}"
    );
}

#[test]
fn a_reexported_client_held_in_a_field_or_a_parameter_is_called() {
    let m = scan(&fixture("held-client"), &[]);
    assert_eq!(
        edge_set(&m),
        edge_quads(&[
            // `catalog: &mut CatalogChannel` (`pub type` of the library).
            ("cart-svc", "catalog-svc", "grpc", "ListItems"),
            // `catalog: Catalog<Channel>` (`pub use .. as Catalog`), and
            // `listing: Arc<Mutex<Catalog<Channel>>>`.
            ("shop-svc", "catalog-svc", "grpc", "GetItem,ListItems"),
        ]),
        "{:#}",
        m["edges"]
    );
    let edges = m["edges"].to_string();
    assert!(edges.contains("self.catalog.get_item()"), "{edges}");
    // `billing: Billing` of a library that re-exports no client, whose
    // method is named like an RPC: no edge, no diagnostic.
    assert!(!edges.contains("billing"), "{edges}");
    assert!(
        diags(&m, "unresolved-target").is_empty(),
        "{:#}",
        m["diagnostics"]
    );
}
