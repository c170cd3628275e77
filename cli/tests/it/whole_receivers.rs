//! A field handed whole to a helper whose parameter shows no concrete type
//! (`publish(bus: &impl Bus, ..)`, `emit<B: Bus>(bus: &B, ..)`) takes the
//! caller's declared type (`bus: KafkaBus`) for the topic a method of it
//! returns, per calling service (`whole-receivers` fixture). Another
//! service's bus through the same helper gives its own topic only, and so
//! does a bus a second helper hands on (`relay` -> `publish`); a bus held
//! as a trait object, and an implementor never handed in, give none.

use crate::support::*;

#[test]
fn a_declared_field_handed_whole_types_the_helpers_parameter() {
    let m = scan(&fixture("whole-receivers"), &[]);
    assert_eq!(
        topic_set(&m),
        triples(&[
            ("billing.charged", "billing-svc", "audit-svc"),
            // Implemented, never handed in: consumed only.
            ("idle.never", "", "audit-svc"),
            ("ledger.booked", "ledger-svc", "audit-svc"),
            // Handed on by a second helper (`relay` -> `publish`).
            ("pay.settled", "pay-svc", ""),
        ]),
        "{:#}",
        m["topics"]
    );
    assert_eq!(
        edges_of_kind(&m, "kafka"),
        edge_triples(&[
            ("billing-svc", "audit-svc", "billing.charged"),
            ("ledger-svc", "audit-svc", "ledger.booked"),
        ])
    );
    // The call and the field's declaration are hops of the value.
    let notes = edge_notes(&m, "billing-svc", "audit-svc").join("\n");
    for hop in [
        "bus/src/lib.rs:40 <- billing-svc/src/main.rs:13 <- field `bus` (line 7) <- bus/src/lib.rs:16",
        "bus/src/lib.rs:46 <- billing-svc/src/main.rs:17 <- field `bus` (line 7) <- bus/src/lib.rs:16",
    ] {
        assert!(notes.contains(hop), "{hop} in {notes}");
    }
    let notes = edge_notes(&m, "ledger-svc", "audit-svc").join("\n");
    assert!(
        notes.contains("ledger-svc/src/main.rs:15 <- field `bus` (line 9) <- bus/src/lib.rs:25"),
        "{notes}"
    );
    assert_eq!(
        produced_by(&m, "pay-svc"),
        [(
            "pay.settled".to_string(),
            "direct".to_string(),
            "bus/src/lib.rs:40".to_string()
        )]
    );
    assert_eq!(m["diagnostics"], serde_json::json!([]));
}
