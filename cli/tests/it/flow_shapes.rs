//! Values that flow through a project's own code (issue 12): topics given
//! to a wrapper's constructor or builder, a struct of topics handed to a
//! registration function, the `kafka` crate and rskafka, and the calls
//! whose string arguments are never topics.

use crate::support::*;

#[test]
fn topics_through_wrappers_builders_and_structs() {
    let m = scan(&fixture("kafka-flow"), &[]);
    assert_eq!(
        topic_set(&m),
        triples(&[
            ("billing.invoices", "billing-svc", "legacy-svc"),
            ("billing.retry", "", "billing-svc"),
            // Dead letters named after each topic billing consumes.
            ("billing.retry.dlq", "billing-svc", ""),
            ("legacy.audit", "legacy-svc", ""),
            // `Bus::connect(..).send(topic, ..)`; `Mailer::default().send(to, ..)`
            // is another `send`.
            ("orders.audit", "orders-svc", ""),
            ("orders.events", "orders-svc", "billing-svc"),
            ("orders.events.dlq", "billing-svc", ""),
            ("ticks", "ticker-svc", "legacy-svc"),
        ]),
        "{:#}",
        m["topics"]
    );
    assert_eq!(
        edges_of_kind(&m, "kafka"),
        edge_triples(&[
            ("billing-svc", "legacy-svc", "billing.invoices"),
            ("orders-svc", "billing-svc", "orders.events"),
            ("ticker-svc", "legacy-svc", "ticks"),
        ])
    );
    let unresolved = diags(&m, "unresolved-topic");
    assert!(unresolved.is_empty(), "{unresolved:#?}");
    // The cache's name, the metric and the map keys are no edges at all.
    assert!(edges_of_kind(&m, "http").is_empty(), "{:#}", m["edges"]);
}

#[test]
fn a_topic_through_a_wrapper_names_each_hop() {
    let m = scan(&fixture("kafka-flow"), &[]);
    let edges = m["edges"].as_array().cloned().unwrap_or_default();
    let orders = edges
        .iter()
        .find(|e| e["kind"] == "kafka" && e["from"] == "orders-svc")
        .expect("the orders.events edge");
    let evidence = orders["evidence"].to_string();
    // The publish in the library, the constructor storing the field, and
    // the service's call giving the value.
    for hop in [
        "bus/src/lib.rs:23",
        "bus/src/lib.rs:18",
        "orders-svc/src/main.rs:37",
    ] {
        assert!(evidence.contains(hop), "{hop} in {evidence}");
    }
}

#[test]
fn outbox_written_by_services_and_relayed_by_a_shared_library() {
    let m = scan(&fixture("outbox-flow"), &[]);
    // `event_queue` is an outbox because the queue library relays its
    // `destination` column; `alert_subscriptions` has a topic column but no
    // relay. The relay's own publish of the row's topic is no topic of
    // relay-svc.
    assert_eq!(
        topic_set(&m),
        triples(&[
            ("orders.placed", "orders-svc", "shipping-svc"),
            ("payments.settled", "payments-svc", "shipping-svc"),
        ]),
        "{:#}",
        m["topics"]
    );
    let vias: Vec<String> = m["topics"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|t| t["producers"].as_array().cloned().unwrap_or_default())
        .map(|p| p["via"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(vias, ["outbox", "outbox"]);
    let unresolved = diags(&m, "unresolved-topic");
    assert!(unresolved.is_empty(), "{unresolved:#?}");
    // Evidence: the insert (sqlx macro, bind chain) and the relay.
    let edges = m["edges"].to_string();
    for at in [
        "orders-svc/src/main.rs:9",
        "payments-svc/src/main.rs:7",
        "relayed at queue/src/lib.rs:36",
    ] {
        assert!(edges.contains(at), "{at} in {edges}");
    }
}

#[test]
fn library_code_behind_a_guard_counts_only_where_the_guard_is_set() {
    let m = scan(&fixture("guarded-library"), &[]);
    // `run` relays only `if let Some(..) = self.relay` (set by
    // `with_relay`) and audits only `if self.audit` (set by `with_audit`).
    assert_eq!(
        access_set(&m),
        triples(&[
            ("alpha-svc", "health_checks", "R"),
            ("alpha-svc", "outbox_messages", "R"),
            ("beta-svc", "audit_log", "C"),
            ("beta-svc", "health_checks", "R"),
            ("gamma-svc", "health_checks", "R"),
        ])
    );
    // The relay's topic too.
    assert_eq!(
        topic_set(&m),
        triples(&[("kit.relayed", "alpha-svc", "")]),
        "{:#}",
        m["topics"]
    );
}

#[test]
fn reference_services_topics_resolve_through_their_config_and_the_runtime_crates() {
    // `services/`: topics come from `Config` fields set by nova-kit's
    // `env_or("CONTENT_TOPIC", "content-events".to_owned())`, reach
    // `Outbox::new(config.topic.clone())` and `ConsumerConfig::new(..,
    // [config.media_topic.clone()])`; the relay's publish of `row.topic` is
    // no topic of its own.
    let services = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("services");
    let m = scan(&services, &[]);
    for (topic, producer, consumer) in [
        ("content-events", "content-service", "feed-service"),
        ("identity-events", "identity-service", "feed-service"),
        ("media-events", "media-service", "content-service"),
        (
            "messaging-events",
            "messaging-service",
            "realtime-chat-service",
        ),
    ] {
        let want = (
            topic.to_string(),
            producer.to_string(),
            consumer.to_string(),
        );
        assert!(
            topic_set(&m).contains(&want),
            "{want:?} in {:#}",
            m["topics"]
        );
    }
    // Only the consumer runtime's demo binary, which reads its topics from
    // an environment variable with no default, stays unresolved.
    let unresolved: Vec<String> = diags(&m, "unresolved-topic")
        .into_iter()
        .map(diag_at)
        .filter(|at| !at.starts_with("shared/consumer/"))
        .collect();
    assert!(unresolved.is_empty(), "{unresolved:#?}");
    // What a `nova_consumer::Handler` calls runs inside the idempotent
    // consumer's transaction: deduplicated too.
    let undeduped: Vec<String> = m["functions"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["consumer_handler"] == true && f["dedupes"] != true)
        .filter(|f| {
            f["service"]
                .as_str()
                .is_some_and(|s| s.ends_with("-service"))
        })
        .map(|f| f["function"].to_string())
        .collect();
    assert!(undeduped.is_empty(), "{undeduped:#?}");
}
