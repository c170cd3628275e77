//! `examples/event-driven`: topics through an outbox in a shared library
//! and consumers registered through a struct of topics, against the
//! hand-written results of its `EXPECTED.md`.

use crate::support::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn example_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("examples")
        .join("event-driven")
}

/// The three-cell rows of `EXPECTED.md` between `<!-- {name}: begin -->`
/// and its end marker.
fn expected(name: &str) -> BTreeSet<(String, String, String)> {
    let text =
        std::fs::read_to_string(example_dir().join("EXPECTED.md")).expect("EXPECTED.md readable");
    let start = text
        .find(&format!("<!-- {name}: begin -->"))
        .expect("begin marker");
    let end = text
        .find(&format!("<!-- {name}: end -->"))
        .expect("end marker");
    text[start..end]
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---"))
        .skip(1)
        .map(|l| {
            let c: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (c[0].to_string(), c[1].to_string(), c[2].to_string())
        })
        .collect()
}

#[test]
fn topics_and_matrix_match_the_hand_written_ones() {
    let m = scan(&example_dir(), &[]);
    let topics = expected("topics");
    assert_eq!(topics.len(), 3);
    assert_eq!(topic_set(&m), topics, "{:#}", m["topics"]);
    let matrix = expected("matrix");
    assert_eq!(matrix.len(), 7);
    assert_eq!(access_set(&m), matrix);
    let unresolved = diags(&m, "unresolved-topic");
    assert!(unresolved.is_empty(), "{unresolved:#?}");
    assert_eq!(
        edges_of_kind(&m, "kafka"),
        edge_triples(&[
            ("orders-service", "payments-service", "shop.orders.v1"),
            ("payments-service", "orders-service", "shop.payments.v1"),
            ("payments-service", "shipping-service", "shop.payments.v1"),
        ])
    );
}
