//! Duplicates, poison messages and clean-up.

use std::collections::BTreeMap;
use std::time::Duration;

use nova_events::headers;
use nova_testkit::read_messages;
use rdkafka::message::{Headers, Message};

use crate::common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicates_are_absorbed() {
    let env = Env::new().await;
    let events: Vec<_> = (1..=40)
        .flat_map(|r| (0..3).map(move |a| post_event(a, r, "ok")))
        .collect(); // 120 events
    for e in &events {
        env.send(e).await;
    }
    // At-least-once delivery: every event a second time.
    for e in &events {
        env.send(e).await;
    }
    let consumer = RunningConsumer::spawn(env.pool(), env.config());
    wait_count(
        env.pool(),
        "SELECT count(*) FROM nova_processed_events",
        120,
        Duration::from_secs(60),
    )
    .await;
    let metrics = consumer.metrics.clone();
    let pool = env.pool().clone();
    nova_testkit::wait_for(
        "duplicates seen",
        Duration::from_secs(30),
        Duration::from_millis(50),
        || {
            let m = metrics.snapshot();
            let _ = &pool;
            async move { (m.duplicates_total >= 120).then_some(()) }
        },
    )
    .await
    .expect("all duplicates consumed");
    let snap = consumer.metrics.snapshot();
    assert_eq!((snap.applied_total, snap.duplicates_total), (120, 120));
    assert_eq!(
        effect_ids(env.pool(), "effects").await,
        sorted(events.iter().map(|e| e.id).collect())
    );
    // Per aggregate, effects in revision order.
    let rows: Vec<(String, i64)> =
        sqlx::query_as("SELECT aggregate_id, revision FROM effects ORDER BY seq")
            .fetch_all(env.pool())
            .await
            .expect("effects");
    let mut per_key: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for (k, r) in rows {
        per_key.entry(k).or_default().push(r);
    }
    for (k, revs) in per_key {
        assert_eq!(revs, (1..=40).collect::<Vec<i64>>(), "order of {k}");
    }
    consumer.stop().await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn poison_is_dead_lettered_after_n_tries_and_later_messages_flow() {
    let env = Env::new().await;
    let mut good = Vec::new();
    let poison = post_event(1, 5, "poison");
    for r in 1..=10 {
        if r == 5 {
            env.send(&poison).await;
        } else {
            let e = post_event(1, r, "ok");
            env.send(&e).await;
            good.push(e.id);
        }
    }
    let consumer = RunningConsumer::spawn(env.pool(), env.config());
    wait_count(
        env.pool(),
        "SELECT count(*) FROM effects",
        9,
        Duration::from_secs(60),
    )
    .await;
    let dlq = read_messages(&env.bootstrap, &env.dlq, 1, Duration::from_secs(20))
        .await
        .expect("read dlq");
    assert_eq!(dlq.len(), 1, "exactly the poison message is dead-lettered");
    let m = &dlq[0];
    assert_eq!(m.payload(), Some(poison.encode().as_slice()));
    assert_eq!(m.key(), Some("post-1".as_bytes()));
    let h: BTreeMap<String, String> = m
        .headers()
        .expect("headers")
        .iter()
        .map(|h| {
            (
                h.key.to_owned(),
                String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned(),
            )
        })
        .collect();
    assert_eq!(
        h.get(headers::DLQ_REASON).map(String::as_str),
        Some("handler-failed")
    );
    assert_eq!(
        h.get(headers::DLQ_ERROR).map(String::as_str),
        Some("poison post")
    );
    assert_eq!(h.get(headers::DLQ_ATTEMPTS).map(String::as_str), Some("3"));
    assert_eq!(h.get(headers::DLQ_ORIGINAL_TOPIC), Some(&env.topic));
    assert_eq!(
        h.get("nova-event-id"),
        Some(&poison.id.to_string()),
        "original headers kept"
    );
    let snap = consumer.metrics.snapshot();
    assert_eq!(
        (
            snap.applied_total,
            snap.dead_lettered_total,
            snap.retries_total
        ),
        (9, 1, 2)
    );
    assert_eq!(effect_ids(env.pool(), "effects").await, sorted(good));
    // The poison event left no processed-event record (its transaction rolled back).
    assert_eq!(
        count(env.pool(), "SELECT count(*) FROM nova_processed_events").await,
        9
    );
    consumer.stop().await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn processed_events_are_cleaned_after_retention() {
    let env = Env::new().await;
    sqlx::raw_sql(
        "INSERT INTO nova_processed_events (consumer_group, event_id, event_type, topic, kafka_partition, kafka_offset, processed_at)
         VALUES ('g', gen_random_uuid(), 't', 'x', 0, 1, now() - interval '2 hours'),
                ('g', gen_random_uuid(), 't', 'x', 0, 2, now() - interval '2 hours'),
                ('g', gen_random_uuid(), 't', 'x', 0, 3, now())",
    )
    .execute(env.pool())
    .await
    .expect("seed");
    let deleted = nova_consumer::clean_processed_events(env.pool(), Duration::from_secs(3600))
        .await
        .expect("clean");
    assert_eq!(deleted, 2);
    assert_eq!(
        count(env.pool(), "SELECT count(*) FROM nova_processed_events").await,
        1
    );
    env.cleanup().await;
}
