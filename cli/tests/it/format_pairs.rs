//! A topic or a URL a helper builds with `format!` from its own parameters
//! (`format-pairs` fixture): each parameter is followed to the callers, and
//! two or more parameters of one function are taken call by call, so a
//! value is one call's pair, never one call's base with another call's
//! path (and one parameter used twice takes one call's value in both). `audit-svc` holds the negative: a prefix read at run time stays
//! unresolved, named at the call that gives it.

use crate::support::*;

#[test]
fn urls_of_two_parameters_are_paired_call_by_call() {
    let m = scan(&fixture("format-pairs"), &[]);
    assert_eq!(
        edges_of_kind(&m, "http"),
        edge_triples(&[
            (
                "shop-svc",
                "inventory-svc",
                "http://inventory-svc:8080/items"
            ),
            ("shop-svc", "pricing-svc", "http://pricing-svc:8080/quotes"),
        ]),
        "no inventory /quotes, no pricing /items"
    );
}

#[test]
fn topics_of_parameters_resolve_through_the_callers_and_stay_paired() {
    let m = scan(&fixture("format-pairs"), &[]);
    let topics: Vec<(String, String)> = produced_by(&m, "shop-svc")
        .into_iter()
        .chain(produced_by(&m, "audit-svc"))
        .map(|(topic, _, at)| (topic, at))
        .collect();
    let want: Vec<(String, String)> = [
        ("audit.shop.v1", 24),
        ("left.left", 31),
        ("orders.created", 17),
        ("payments.settled", 17),
        ("right.right", 31),
        ("audit.ledger.v1", 24),
    ]
    .iter()
    .map(|(t, line)| (t.to_string(), format!("web-kit/src/lib.rs:{line}")))
    .collect();
    assert_eq!(
        topics, want,
        "shop-svc's two calls of each two-hole helper give two topics, not \
         four (one parameter used twice included); audit-svc's helper call \
         with a constant area resolves"
    );
    let unresolved = diags(&m, "unresolved-topic");
    assert_eq!(unresolved.len(), 1, "{unresolved:?}");
    assert_eq!(diag_at(unresolved[0]), "audit-svc/src/main.rs:13");
    // The call gives the prefix no value: skipped, as for one parameter,
    // and the format's text says which hole stays open.
    let text = diag_text(unresolved[0]);
    assert!(
        text.contains(
            "{parameter #1 of `publish` (line 15): no call gives it a static value}.checked"
        ),
        "{text}"
    );
}
