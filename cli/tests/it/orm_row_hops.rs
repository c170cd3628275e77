//! ORM outbox rows that reach the insert the way real diesel and SeaORM
//! backends write them (`orm-row-hops` fixture): a user `From` reached by
//! `.into()`, a row handed on through several parameters of a named type,
//! rows matched per argument of the call, and a SeaORM active model a
//! helper built, whose table access is resolved from the helper's declared
//! return type.

use crate::support::*;

fn hops() -> serde_json::Value {
    scan(&fixture("orm-row-hops"), &[])
}

/// `(topic, file:line)` of every outbox producer of `service`.
fn outbox_of(m: &serde_json::Value, service: &str) -> Vec<(String, String)> {
    produced_by(m, service)
        .into_iter()
        .filter(|p| p.1 == "outbox")
        .map(|p| (p.0, p.2))
        .collect()
}

fn sites(items: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut out: Vec<_> = items
        .iter()
        .map(|(t, at)| (t.to_string(), at.to_string()))
        .collect();
    out.sort();
    out
}

#[test]
fn a_user_from_reached_by_into_gives_its_row_topic() {
    let m = hops();
    let got = outbox_of(&m, "orders-svc");
    // `.values(&event.into())` (`From<OrderPlaced> for NewOutbox`) and
    // `let row: NewOutbox = event.into()` (`From<OrderShipped>`).
    for want in sites(&[
        ("orders.placed", "orders-svc/src/events.rs:11"),
        ("orders.shipped", "orders-svc/src/events.rs:19"),
    ]) {
        assert!(got.contains(&want), "{want:?} in {got:#?}");
    }
    // SeaORM: `let am: outbox::ActiveModel = invoice.into()`.
    assert!(outbox_of(&m, "billing-svc").contains(&(
        "billing.invoiced".into(),
        "billing-svc/src/events.rs:24".into()
    )));
    // A `From` of the same event for a struct that is no row
    // (`AuditLine`), and a `From` of an event never converted.
    for topic in ["orders.audited", "orders.voided"] {
        assert!(!got.iter().any(|(t, _)| t == topic), "{topic}: {got:#?}");
    }
}

#[test]
fn a_row_handed_on_through_named_type_parameters_counts_for_the_outermost_callers() {
    let m = hops();
    // `forward(row) -> publish(row) -> enqueue(row)` inserts; the literal
    // is in `api::keep`/`cancel`/`inline`: three and two hops.
    let got = outbox_of(&m, "orders-svc");
    for want in sites(&[
        ("orders.cancelled", "orders-svc/src/events.rs:24"),
        ("orders.kept", "orders-svc/src/events.rs:24"),
        ("orders.inline", "orders-svc/src/events.rs:24"),
        // The shared library's `publish(row) -> write(row)`.
        ("orders.refunded", "outbox-lib/src/lib.rs:23"),
    ]) {
        assert!(got.contains(&want), "{want:?} in {got:#?}");
    }
    // Each service gets the rows its own calls hand in, and a row of
    // another type handed to a function of the same name (`publish`) is
    // not the library's.
    assert!(
        !got.contains(&("orders.cancelled".into(), "outbox-lib/src/lib.rs:23".into())),
        "{got:#?}"
    );
    let payments = outbox_of(&m, "payments-svc");
    assert!(
        payments.contains(&(
            "payments.captured".into(),
            "outbox-lib/src/lib.rs:23".into()
        )),
        "{payments:#?}"
    );
    assert!(payments.iter().all(|(t, _)| t == "payments.captured"));
    // The calls are hops of the evidence, the outermost last.
    let notes = edge_notes(&m, "orders-svc", "notify-svc");
    let want = "orders-svc/src/events.rs:24 produces `orders.kept` (value through orders-svc/src/events.rs:24 <- orders-svc/src/api.rs:29, relayed at relay/src/lib.rs:34)";
    assert!(notes.iter().any(|n| n == want), "{want} in {notes:#?}");
}

#[test]
fn rows_are_matched_per_argument_of_the_call() {
    let m = hops();
    // `keep` builds `kept` and `dropped` and hands on `kept`; `inline`
    // binds `spare` and hands in a literal; a row built in payments-svc
    // is never inserted; `events::pair` builds `first` and `second` and
    // hands `second` to `enqueue` (one hop).
    let got = outbox_of(&m, "orders-svc");
    for topic in ["orders.kept", "orders.inline", "orders.second"] {
        assert!(got.iter().any(|(t, _)| t == topic), "{topic}: {got:#?}");
    }
    for topic in [
        "orders.dropped",
        "orders.spare",
        "orders.first",
        "payments.failed",
    ] {
        let producers = topic_set(&m)
            .into_iter()
            .find(|t| t.0 == topic)
            .map(|t| t.1)
            .unwrap_or_default();
        assert_eq!(producers, "", "{topic}");
    }
}

#[test]
fn a_helper_built_sea_orm_active_model_records_its_table_access_and_no_n007() {
    let m = hops();
    // `let am = rows::build_model(..); am.insert(db)` (the helper declared
    // to return `outbox::ActiveModel`, its tail a local) and a helper
    // returning a subscription's active model.
    let created = |table: &str| -> Vec<String> {
        accesses_of(&m, "billing-svc", table)
            .into_iter()
            .map(|a| {
                format!(
                    "{} {}:{} {}",
                    a["op"].as_str().unwrap_or_default(),
                    a["location"]["file"].as_str().unwrap_or_default(),
                    a["location"]["line"].as_u64().unwrap_or(0),
                    a["orm_call"].as_str().unwrap_or_default()
                )
            })
            .collect()
    };
    assert_eq!(
        created("pending_messages"),
        vec![
            "C billing-svc/src/events.rs:10 ActiveModel::insert",
            "C billing-svc/src/events.rs:24 ActiveModel::insert"
        ]
    );
    assert_eq!(
        created("subscriptions"),
        vec!["C billing-svc/src/events.rs:17 ActiveModel::insert"]
    );
    assert!(outbox_of(&m, "billing-svc").contains(&(
        "billing.charged".into(),
        "billing-svc/src/events.rs:10".into()
    )));
    // No relay reads the subscriptions: no topic.
    assert!(
        !outbox_of(&m, "billing-svc")
            .iter()
            .any(|(t, _)| t == "billing.watched")
    );
    assert!(
        diags(&m, "orm-not-analysed").is_empty(),
        "{:#}",
        m["diagnostics"]
    );
}

#[test]
fn the_row_hops_fixture_has_exactly_these_edges_cells_and_no_diagnostic() {
    let m = hops();
    assert_eq!(
        edges_of_kind(&m, "kafka"),
        edge_triples(&[
            (
                "billing-svc",
                "notify-svc",
                "billing.charged,billing.invoiced"
            ),
            (
                "orders-svc",
                "notify-svc",
                "orders.cancelled,orders.inline,orders.kept,orders.placed,orders.refunded,orders.second,orders.shipped"
            ),
            ("payments-svc", "notify-svc", "payments.captured"),
        ])
    );
    assert_eq!(
        access_set(&m),
        triples(&[
            ("billing-svc", "pending_messages", "C"),
            ("billing-svc", "subscriptions", "C"),
            ("orders-svc", "pending_messages", "C"),
            ("payments-svc", "pending_messages", "C"),
            ("relay-svc", "pending_messages", "R"),
        ])
    );
    assert!(
        m["diagnostics"].as_array().is_some_and(Vec::is_empty),
        "{:#}",
        m["diagnostics"]
    );
}
