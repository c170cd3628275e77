//! ORM outbox inserts whose rows are not written at the insert (issue 12,
//! item 4, the shapes the `orm-outbox` fixture leaves out): several rows at
//! once, diesel renames of the topic column, and rows built by another
//! function (`orm-outbox-shapes` fixture).

use crate::support::*;

#[test]
fn diesel_inserts_of_many_rows_produce_each_rows_topic() {
    let m = scan(&fixture("orm-outbox-shapes"), &[]);
    let got = produced_by(&m, "orders-svc");
    // `.values(&vec![row, row])`, `.values(&[row])`, a local filled by
    // `push`, a local `collect`ed from `iter().map(|p| row)`.
    for want in outbox_sites(&[
        ("orders.created", "orders-svc/src/events.rs:9"),
        ("orders.confirmed", "orders-svc/src/events.rs:9"),
        ("orders.packed", "orders-svc/src/events.rs:24"),
        ("orders.picked", "orders-svc/src/events.rs:38"),
        ("orders.batched", "orders-svc/src/events.rs:49"),
    ]) {
        assert!(got.contains(&want), "{want:?} in {got:#?}");
    }
    let notes = edge_notes(&m, "orders-svc", "notify-svc");
    let want = "orders-svc/src/events.rs:9 produces `orders.created` (value through orders-svc/src/events.rs:9, relayed at relay/src/lib.rs:37)";
    assert!(notes.iter().any(|n| n == want), "{want} in {notes:#?}");
}

#[test]
fn diesel_renames_of_the_topic_column_are_followed() {
    let m = scan(&fixture("orm-outbox-shapes"), &[]);
    let got = produced_by(&m, "orders-svc");
    // `#[diesel(column_name = topic)] pub event_type` (models.rs), and a
    // `table!` column `#[sql_name = "topic"] kind` (schema.rs).
    for want in outbox_sites(&[
        ("orders.labelled", "orders-svc/src/events.rs:53"),
        ("orders.queued", "orders-svc/src/events.rs:62"),
    ]) {
        assert!(got.contains(&want), "{want:?} in {got:#?}");
    }
}

#[test]
fn rows_built_by_another_function_produce_the_topic_they_are_built_with() {
    let m = scan(&fixture("orm-outbox-shapes"), &[]);
    // diesel: `NewOutbox::new(topics::DISPATCHED, ..)` (the constructor's
    // parameter, given by this call) and `audit_row(..)` (a const in the
    // builder); SeaORM: a helper returning an `ActiveModel`, inserted with
    // `.insert(&txn)` and with `Entity::insert(..)`.
    let orders = produced_by(&m, "orders-svc");
    for want in outbox_sites(&[
        ("orders.dispatched", "orders-svc/src/events.rs:68"),
        ("orders.audited", "orders-svc/src/events.rs:75"),
    ]) {
        assert!(orders.contains(&want), "{want:?} in {orders:#?}");
    }
    let billing = produced_by(&m, "billing-svc");
    for want in outbox_sites(&[
        ("billing.paid", "billing-svc/src/events.rs:64"),
        ("billing.voided", "billing-svc/src/events.rs:70"),
    ]) {
        assert!(billing.contains(&want), "{want:?} in {billing:#?}");
    }
    // The builder's parameter given by the call (`orders.dispatched`), or
    // handed on from the inserting function's own caller
    // (`orders.returned`: `enqueue(conn, "orders.returned", ..)` ->
    // `NewOutbox::new(topic, ..)`: the diesel model's constructor, named
    // like nova-outbox's client but not one, gives no second producer).
    let notes = edge_notes(&m, "orders-svc", "notify-svc");
    for want in [
        "orders-svc/src/events.rs:68 produces `orders.dispatched` (value through orders-svc/src/events.rs:68, relayed at relay/src/lib.rs:37)",
        "orders-svc/src/events.rs:99 produces `orders.returned` (value through orders-svc/src/events.rs:99 <- orders-svc/src/events.rs:103, relayed at relay/src/lib.rs:37)",
    ] {
        assert!(notes.iter().any(|n| n == want), "{want} in {notes:#?}");
    }
    assert!(
        orders
            .iter()
            .filter(|p| p.0 == "orders.returned")
            .eq(outbox_sites(&[("orders.returned", "orders-svc/src/events.rs:99")]).iter()),
        "{orders:#?}"
    );
}

#[test]
fn sea_orm_insert_many_produces_each_rows_topic() {
    let m = scan(&fixture("orm-outbox-shapes"), &[]);
    let got = produced_by(&m, "billing-svc");
    // `insert_many([local, local])`, `insert_many(vec![am])`,
    // `insert_many(xs.into_iter().map(|p| am))`.
    for want in outbox_sites(&[
        ("billing.opened", "billing-svc/src/events.rs:25"),
        ("billing.closed", "billing-svc/src/events.rs:25"),
        ("billing.settled", "billing-svc/src/events.rs:31"),
        ("billing.batched", "billing-svc/src/events.rs:43"),
    ]) {
        assert!(got.contains(&want), "{want:?} in {got:#?}");
    }
}

#[test]
fn the_fixture_has_exactly_these_edges_and_no_unresolved_topic() {
    let m = scan(&fixture("orm-outbox-shapes"), &[]);
    // `subscriptions` has a topic column but no relay: `orders.watched`
    // (a `vec!` of rows) is produced by nobody.
    assert_eq!(
        edges_of_kind(&m, "kafka"),
        edge_triples(&[
            (
                "billing-svc",
                "notify-svc",
                "billing.batched,billing.closed,billing.opened,billing.paid,billing.settled,billing.voided"
            ),
            (
                "orders-svc",
                "notify-svc",
                "orders.audited,orders.batched,orders.confirmed,orders.created,orders.dispatched,orders.labelled,orders.packed,orders.picked,orders.queued,orders.returned"
            ),
        ])
    );
    assert!(
        topic_set(&m).contains(&(
            "orders.watched".to_string(),
            String::new(),
            "notify-svc".to_string()
        )),
        "{:#}",
        m["topics"]
    );
    for service in ["orders-svc", "billing-svc", "relay-svc"] {
        assert!(unresolved_of(&m, service).is_empty(), "{service}");
    }
}

#[test]
fn many_rows_whose_topic_is_computed_at_run_time_are_reported_not_invented() {
    let m = scan(&fixture("orm-outbox-shapes"), &[]);
    assert!(
        produced_by(&m, "ledger-svc").is_empty(),
        "{:#}",
        m["topics"]
    );
    let got = unresolved_of(&m, "ledger-svc");
    let want = [
        "ledger-svc/src/main.rs:26 outbox insert in `ledger-svc` binds its topic at run time (`e[\"topic\"].to_string()`)",
        "ledger-svc/src/main.rs:30 outbox insert in `ledger-svc` binds its topic at run time (`e[\"topic\"].to_string()`)",
    ];
    assert_eq!(got.len(), want.len(), "{got:#?}");
    for w in want {
        assert!(got.iter().any(|g| g.starts_with(w)), "{w} in {got:#?}");
    }
}
