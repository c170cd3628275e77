//! Receivers typed by declarations, the remaining shapes (issue 12): a
//! method's value handed to a wrapper as an argument
//! (`publish(p, self.cfg.topic(), ..)`), a field whose struct is declared
//! in another file of the crate, and a bus held behind a lock
//! (`Arc<Mutex<EventBus>>`, `RwLock<..>`, a parameter so declared). Types
//! that only look like the project's (another crate's `Config`, written
//! out or imported, behind a lock or not) give nothing.

use crate::support::*;
use serde_json::Value;
use std::collections::BTreeSet;

/// The topics `orders-svc` produces that `audit-svc` consumes.
fn produced(m: &Value) -> BTreeSet<String> {
    topic_set(m)
        .into_iter()
        .filter(|(_, p, c)| p == "orders-svc" && c == "audit-svc")
        .map(|(t, _, _)| t)
        .collect()
}

/// Whether every topic of `want` is produced.
fn assert_produced(m: &Value, want: &[&str]) {
    let got = produced(m);
    for t in want {
        assert!(got.contains(*t), "{t} in {got:?}: {:#}", m["topics"]);
    }
}

#[test]
fn a_methods_value_handed_to_a_wrapper_is_its_topic() {
    let m = scan(&fixture("declared-receivers"), &[]);
    assert_produced(
        &m,
        &[
            // `publish(p, self.cfg.topic(), ..)`, `cfg: Config`.
            "orders.placed",
            // `self.producer.send(self.settings.orders_topic(), ..)`.
            "orders.settled",
        ],
    );
}

#[test]
fn a_field_whose_struct_is_declared_in_another_file_types_its_receiver() {
    let m = scan(&fixture("declared-receivers"), &[]);
    assert_produced(
        &m,
        &[
            // `self.cfg.retry_topic()`, `cfg: Config` in `state.rs`.
            "orders.retried",
            // `self.settings.audit_topic()` handed to `Producer::send`,
            // `settings: Arc<Settings>` in `state.rs`.
            "orders.audited",
        ],
    );
}

#[test]
fn a_bus_behind_a_lock_names_its_topic() {
    let m = scan(&fixture("declared-receivers"), &[]);
    assert_produced(
        &m,
        &[
            // `self.bus.lock().await.topic()`, `bus: Arc<Mutex<EventBus>>`.
            "orders.locked",
            // `bus.lock().await.guarded_topic()`, a parameter so declared.
            "orders.guarded",
            // `self.reader.read().unwrap().read_topic()`, `RwLock<EventBus>`
            // in `state.rs`.
            "orders.read",
        ],
    );
}

#[test]
fn every_topic_is_resolved_and_none_is_anothers() {
    let m = scan(&fixture("declared-receivers"), &[]);
    let want = triples(&[
        ("orders.audited", "orders-svc", "audit-svc"),
        ("orders.guarded", "orders-svc", "audit-svc"),
        ("orders.locked", "orders-svc", "audit-svc"),
        ("orders.placed", "orders-svc", "audit-svc"),
        ("orders.read", "orders-svc", "audit-svc"),
        ("orders.retried", "orders-svc", "audit-svc"),
        ("orders.settled", "orders-svc", "audit-svc"),
    ]);
    assert_eq!(topic_set(&m), want, "{:#}", m["topics"]);
    assert!(
        diags(&m, "unresolved-topic").is_empty(),
        "{:#}",
        m["diagnostics"]
    );
}

#[test]
fn each_declaration_and_its_file_is_a_hop() {
    let m = scan(&fixture("declared-receivers"), &[]);
    for (topic, hops) in [
        // The wrapper's call, the field (this file), the method's return.
        (
            "orders.placed",
            &[
                "orders-svc/src/handler.rs:22",
                "field `cfg` (line 13)",
                "events/src/lib.rs:11",
            ][..],
        ),
        (
            "orders.settled",
            &["field `settings` (line 14)", "events/src/lib.rs:24"][..],
        ),
        // A field declared in another file: that file's line.
        (
            "orders.audited",
            &[
                "field `settings` (orders-svc/src/state.rs:8)",
                "events/src/lib.rs:28",
            ][..],
        ),
        (
            "orders.retried",
            &["field `cfg` (orders-svc/src/state.rs:7)"][..],
        ),
        (
            "orders.read",
            &["field `reader` (orders-svc/src/state.rs:10)"][..],
        ),
        // Behind a lock: the field or the parameter holding it.
        ("orders.locked", &["field `bus` (line 16)"][..]),
        ("orders.guarded", &["parameter `bus` (line 45)"][..]),
    ] {
        let note = produce_note(&m, "orders-svc", topic);
        for hop in hops {
            assert!(note.contains(hop), "{hop} in {note:?} ({topic})");
        }
    }
}

#[test]
fn types_that_only_look_like_the_projects_give_nothing() {
    let m = scan(&fixture("declared-receivers"), &[]);
    // `ext_config::Config` has a `topic()` like `events::Config`: handed to
    // `publish` in a field, behind a `Mutex`, or in a field of a struct
    // declared in another file, it names no topic of the project's; a
    // project type with no topic in a `Mutex` neither.
    let edges = edge_set(&m);
    assert!(
        edges.iter().all(|(from, ..)| from != "shadow-svc"),
        "{edges:?}"
    );
    let topics = topic_set(&m);
    assert!(
        topics
            .iter()
            .all(|(_, producers, _)| !producers.contains("shadow-svc")),
        "{topics:?}"
    );
    assert!(
        unresolved_of(&m, "shadow-svc").is_empty(),
        "{:#}",
        m["diagnostics"]
    );
}
