//! A diesel row model named like nova-outbox's client (`NewOutbox::new(topic,
//! payload)`) is a row, not a client: its insert into the outbox table is the
//! one producer, with no second one at the constructor's caller
//! (`orm-outbox-shapes` fixture, `orders.returned`).

use crate::support::*;

#[test]
fn a_row_model_named_like_the_outbox_client_gives_exactly_one_producer() {
    let m = scan(&fixture("orm-outbox-shapes"), &[]);
    let producers: Vec<String> = m["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|e| e["evidence"].as_array().into_iter().flatten())
        .filter_map(|ev| {
            let note = ev["note"].as_str()?;
            note.starts_with("produces `orders.returned`").then(|| {
                format!(
                    "{}:{} {note}",
                    ev["location"]["file"].as_str().unwrap_or_default(),
                    ev["location"]["line"]
                )
            })
        })
        .collect();
    assert_eq!(
        producers,
        [
            "orders-svc/src/events.rs:99 produces `orders.returned` (value through \
             orders-svc/src/events.rs:99 <- orders-svc/src/events.rs:103, relayed at \
             relay/src/lib.rs:37)"
        ],
    );
}
