//! Enqueue → relay → Kafka → idempotent consumer, end to end.

use std::time::Duration;

use nova_events::headers;
use nova_testkit::read_messages;
use rdkafka::message::{Headers, Message};

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enqueued_events_are_published_in_order_and_applied_once() {
    let env = Env::new(None, 3).await;
    let outbox = env.outbox();
    let ids = enqueue(env.pool(), &outbox, 0..10, 30, 1).await; // 300 events
    let consumer = RunningConsumer::spawn(&env);
    let relay = RunningRelay::spawn(env.pool(), env.relay_config());

    wait_published(env.pool(), ids.len(), Duration::from_secs(30)).await;
    wait_effects(env.pool(), ids.len(), Duration::from_secs(60)).await;
    // Give a duplicate, if any, the chance to show up.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_effects_exactly_once(env.pool(), &ids).await;
    let (read, distinct) = assert_topic_in_order(&env.bootstrap, &env.topic, &ids).await;
    assert_eq!(
        read, distinct,
        "no duplicates on the topic without failures"
    );

    // Metrics settle: everything published, nothing failed, backlog zero.
    let metrics = relay.metrics.clone();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let snap = metrics.snapshot();
    assert_eq!(snap.published_total, ids.len() as u64);
    assert_eq!(snap.failures_total, 0);
    assert_eq!(snap.order_gaps_total, 0);
    assert_eq!(snap.backlog, 0);
    assert!(snap.batches_total >= 1);
    relay.stop().await;
    consumer.stop().await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_carry_key_envelope_and_routing_headers() {
    let env = Env::new(None, 1).await;
    let event = post_event(7, 1).with_trace(nova_events::TraceContext {
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into(),
        tracestate: "vendor=1".into(),
    });
    let mut tx = env.pool().begin().await.expect("begin");
    env.outbox()
        .enqueue(&mut tx, &event)
        .await
        .expect("enqueue");
    tx.commit().await.expect("commit");

    let mut config = env.relay_config();
    config.routing_headers = true;
    let relay = nova_outbox::Relay::new(env.pool().clone(), config).expect("relay");
    let outcome = relay.publish_batch().await.expect("batch");
    assert_eq!(
        outcome,
        nova_outbox::BatchOutcome {
            claimed: 1,
            published: 1,
            failed: 0,
            held_back: 0,
            deferred: 0
        }
    );
    let messages = read_messages(&env.bootstrap, &env.topic, 1, Duration::from_secs(20))
        .await
        .expect("read");
    assert_eq!(messages.len(), 1);
    let m = &messages[0];
    assert_eq!(m.key(), Some("post-7".as_bytes()));
    let decoded = nova_events::Event::decode(m.payload().unwrap_or_default()).expect("envelope");
    assert_eq!(decoded, event);
    let hdrs = m.headers().expect("headers");
    let mut got: Vec<(String, String)> = hdrs
        .iter()
        .map(|h| {
            (
                h.key.to_owned(),
                String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned(),
            )
        })
        .collect();
    got.sort();
    let mut want = vec![
        (headers::EVENT_ID.to_owned(), event.id.to_string()),
        (
            headers::EVENT_TYPE.to_owned(),
            "content.PostUpdated".to_owned(),
        ),
        (
            headers::TRACEPARENT.to_owned(),
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".to_owned(),
        ),
        (headers::TRACESTATE.to_owned(), "vendor=1".to_owned()),
    ];
    want.sort();
    // Exactly these: the rest of the metadata is in the envelope (the value).
    assert_eq!(got, want);

    // Without routing headers (the default) only the trace context travels in headers.
    let second = post_event(7, 2).with_trace(nova_events::TraceContext {
        traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into(),
        tracestate: String::new(),
    });
    let mut tx = env.pool().begin().await.expect("begin");
    env.outbox()
        .enqueue(&mut tx, &second)
        .await
        .expect("enqueue");
    tx.commit().await.expect("commit");
    let config = env.relay_config();
    let bare = nova_outbox::Relay::new(env.pool().clone(), config).expect("relay");
    assert_eq!(bare.publish_batch().await.expect("batch").published, 1);
    let messages = read_messages(&env.bootstrap, &env.topic, 2, Duration::from_secs(20))
        .await
        .expect("read");
    let m = &messages[1];
    let decoded = nova_events::Event::decode(m.payload().unwrap_or_default()).expect("envelope");
    assert_eq!(decoded, second);
    let keys: Vec<String> = m
        .headers()
        .map(|h| h.iter().map(|h| h.key.to_owned()).collect())
        .unwrap_or_default();
    assert_eq!(keys, vec![headers::TRACEPARENT.to_owned()]);

    // A further batch finds nothing; the rows are marked published.
    assert_eq!(relay.publish_batch().await.expect("batch").claimed, 0);
    assert_eq!(
        count(
            env.pool(),
            "SELECT count(*) FROM nova_outbox WHERE published_at IS NOT NULL"
        )
        .await,
        2
    );
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rolled_back_transactions_publish_nothing_and_retention_cleans_up() {
    let env = Env::new(None, 1).await;
    let outbox = env.outbox();
    let mut tx = env.pool().begin().await.expect("begin");
    outbox
        .enqueue(&mut tx, &post_event(1, 1))
        .await
        .expect("enqueue");
    tx.rollback().await.expect("rollback");
    let kept = post_event(1, 2);
    let mut tx = env.pool().begin().await.expect("begin");
    outbox.enqueue(&mut tx, &kept).await.expect("enqueue");
    tx.commit().await.expect("commit");

    let mut config = env.relay_config();
    config.retention = Duration::from_millis(1000);
    let relay = nova_outbox::Relay::new(env.pool().clone(), config).expect("relay");
    let outcome = relay.publish_batch().await.expect("batch");
    assert_eq!((outcome.claimed, outcome.published), (1, 1));
    relay.measure().await.expect("measure");
    assert_eq!(relay.metrics().snapshot().backlog, 0);
    // Not yet past retention.
    assert_eq!(relay.cleanup().await.expect("cleanup"), 0);
    tokio::time::sleep(Duration::from_millis(1200)).await;
    assert_eq!(relay.cleanup().await.expect("cleanup"), 1);
    assert_eq!(
        count(env.pool(), "SELECT count(*) FROM nova_outbox").await,
        0
    );
    assert_topic_in_order(&env.bootstrap, &env.topic, &[kept.id]).await;
    env.cleanup().await;
}
