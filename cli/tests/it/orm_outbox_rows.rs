//! ORM outbox inserts whose row comes from elsewhere, the shapes
//! `orm-outbox-shapes` leaves out (issue 12, item 4; `orm-outbox-rows`
//! fixture): a row handed in as a parameter, a row built by a plain
//! function in a file that names no ORM, a row returned through a local,
//! and SeaORM active models a helper built or turned from a model.

use crate::support::*;

/// The producers of `service` include each of `want`.
fn assert_produces(m: &serde_json::Value, service: &str, want: &[(&str, &str)]) {
    let got = produced_by(m, service);
    for w in outbox_sites(want) {
        assert!(got.contains(&w), "{w:?} in {got:#?}");
    }
}

/// No service produces `topic`.
fn assert_not_produced(m: &serde_json::Value, topic: &str) {
    let producers = topic_set(m)
        .into_iter()
        .find(|t| t.0 == topic)
        .map(|t| t.1)
        .unwrap_or_default();
    assert_eq!(producers, "", "{topic} is produced by {producers}");
}

#[test]
fn a_row_handed_in_as_a_parameter_produces_the_topics_its_callers_build() {
    let m = scan(&fixture("orm-outbox-rows"), &[]);
    // `enqueue(conn, row: NewOutbox)` inserts its parameter; its callers
    // hand in a struct literal (`create`), a local holding one in a file
    // that names no ORM (`api::place`), and a row a helper built
    // (`rows::shipped_row(..)`).
    assert_produces(
        &m,
        "orders-svc",
        &[
            ("orders.created", "orders-svc/src/events.rs:14"),
            ("orders.placed", "orders-svc/src/events.rs:14"),
            ("orders.shipped", "orders-svc/src/events.rs:14"),
        ],
    );
    // A row handed to an insert into a table no relay reads
    // (`subscribe`), and a struct with a topic field handed to a function
    // that inserts nothing (`show(Notice { .. })`).
    assert_not_produced(&m, "orders.watched");
    assert_not_produced(&m, "orders.noticed");
}

#[test]
fn a_row_built_by_a_plain_function_in_a_file_naming_no_orm_produces_its_topic() {
    let m = scan(&fixture("orm-outbox-rows"), &[]);
    // `rows.rs` names no ORM: `cancelled_row()` (a local returned),
    // `refund_row(topics::REFUNDED, ..)` (its parameter, in `Ok(row)`,
    // unwrapped by the caller), `drafted_row()` (a `Notice { topic }` on
    // the way: no model, no topic).
    assert_produces(
        &m,
        "orders-svc",
        &[
            ("orders.cancelled", "orders-svc/src/events.rs:37"),
            ("orders.refunded", "orders-svc/src/events.rs:44"),
            ("orders.drafted", "orders-svc/src/events.rs:59"),
            // `impl From<Refund> for NewOutbox`, inserted as
            // `NewOutbox::from(refund)`.
            ("orders.returned", "orders-svc/src/events.rs:76"),
        ],
    );
    assert_not_produced(&m, "orders.noticed");
}

#[test]
fn a_row_returned_through_a_local_is_a_built_row() {
    let m = scan(&fixture("orm-outbox-rows"), &[]);
    // In a file that names diesel: `let row = NewOutbox { .. }; row` and
    // `Ok(row)`, inserted as `.values(&models::held_row(..))` and through
    // `let row = models::released_row(..)?`.
    assert_produces(
        &m,
        "orders-svc",
        &[
            ("orders.held", "orders-svc/src/events.rs:48"),
            ("orders.released", "orders-svc/src/events.rs:55"),
        ],
    );
}

#[test]
fn sea_orm_active_models_set_after_a_helper_turned_from_a_model_or_handed_in_produce_their_topic() {
    let m = scan(&fixture("orm-outbox-rows"), &[]);
    // `let mut am = rows::new_am(..); am.topic = Set(..); am.insert(..)`
    // (the helper in another file: its model is the table), the same over
    // a helper's own topic (`billing.draft`, replaced), `Model { .. }
    // .into_active_model()`, `let am: ActiveModel = model.into()`, and an
    // active model handed in as a parameter.
    assert_produces(
        &m,
        "billing-svc",
        &[
            ("billing.charged", "billing-svc/src/events.rs:17"),
            ("billing.credited", "billing-svc/src/events.rs:25"),
            ("billing.refunded", "billing-svc/src/events.rs:37"),
            ("billing.reversed", "billing-svc/src/events.rs:49"),
            // `save(db, am: outbox::ActiveModel)`, handed its active model
            // by `settle`.
            ("billing.settled", "billing-svc/src/events.rs:62"),
        ],
    );
    assert_not_produced(&m, "billing.draft");
    // A helper's active model of a table no relay reads.
    assert_not_produced(&m, "billing.watched");
}

#[test]
fn the_rows_fixture_has_exactly_these_edges_and_no_unresolved_topic() {
    let m = scan(&fixture("orm-outbox-rows"), &[]);
    assert_eq!(
        edges_of_kind(&m, "kafka"),
        edge_triples(&[
            (
                "billing-svc",
                "notify-svc",
                "billing.charged,billing.credited,billing.refunded,billing.reversed,billing.settled"
            ),
            (
                "orders-svc",
                "notify-svc",
                "orders.cancelled,orders.created,orders.drafted,orders.held,orders.placed,orders.refunded,orders.released,orders.returned,orders.shipped"
            ),
            ("returns-svc", "notify-svc", "returns.opened"),
            ("shipping-svc", "notify-svc", "shipping.sent"),
        ])
    );
    for service in [
        "orders-svc",
        "billing-svc",
        "relay-svc",
        "returns-svc",
        "shipping-svc",
    ] {
        assert!(unresolved_of(&m, service).is_empty(), "{service}");
    }
}

#[test]
fn a_row_handed_to_a_shared_library_counts_for_the_service_whose_call_hands_it_in() {
    let m = scan(&fixture("orm-outbox-rows"), &[]);
    // `outbox_lib::write(conn, row)` inserts its parameter; `shipping-svc`
    // and `returns-svc` (in a file that names no ORM) each hand in their
    // own row: each produces its own topic, not the other's.
    let lib = "outbox-lib/src/lib.rs:27";
    assert_eq!(
        produced_by(&m, "shipping-svc"),
        outbox_sites(&[("shipping.sent", lib)])
    );
    assert_eq!(
        produced_by(&m, "returns-svc"),
        outbox_sites(&[("returns.opened", lib)])
    );
    // A row whose topic is read at run time (`audit-svc`) is reported for
    // the service whose call hands it in, not invented, and not for a
    // service that hands in rows nova cannot see (`replay-svc`).
    for service in ["audit-svc", "replay-svc"] {
        assert!(
            produced_by(&m, service).is_empty(),
            "{service}: {:#}",
            m["topics"]
        );
    }
    let audit = unresolved_of(&m, "audit-svc");
    let want = "audit-svc/src/main.rs:10 outbox insert in `audit-svc` binds its topic at run time (`event[\"topic\"].to_string()`)";
    assert!(
        audit.len() == 1 && audit[0].starts_with(want),
        "{want} in {audit:#?}"
    );
    assert_eq!(unresolved_of(&m, "replay-svc"), Vec::<String>::new());
    // The call handing the row in is a hop of the evidence.
    for (from, want) in [
        (
            "returns-svc",
            "outbox-lib/src/lib.rs:27 produces `returns.opened` (value through outbox-lib/src/lib.rs:27 <- returns-svc/src/handlers.rs:14, relayed at relay/src/lib.rs:34)",
        ),
        (
            "orders-svc",
            "orders-svc/src/events.rs:14 produces `orders.placed` (value through orders-svc/src/events.rs:14 <- orders-svc/src/api.rs:12, relayed at relay/src/lib.rs:34)",
        ),
    ] {
        let notes = edge_notes(&m, from, "notify-svc");
        assert!(notes.iter().any(|n| n == want), "{want} in {notes:#?}");
    }
}
