//! Unknown event types, newer schema versions and undecodable messages.

use std::collections::BTreeMap;
use std::time::Duration;

use nova_consumer::UnsupportedPolicy;
use nova_events::headers;
use nova_testkit::read_messages;
use rdkafka::message::{Headers, Message};

use crate::common::*;

fn unknown_and_newer() -> (nova_events::Event, nova_events::Event) {
    let mut unknown = post_event(1, 1, "ok");
    unknown.event_type = "content.PostArchived".into();
    let mut newer = post_event(1, 2, "ok");
    newer.schema_version = 2;
    (unknown, newer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn skip_policy_skips_with_metrics() {
    let env = Env::new().await;
    let (unknown, newer) = unknown_and_newer();
    let last = post_event(1, 3, "ok");
    env.send(&unknown).await;
    env.send(&newer).await;
    env.send(&last).await;
    let mut config = env.config();
    config.unknown_type = UnsupportedPolicy::Skip;
    config.newer_version = UnsupportedPolicy::Skip;
    let consumer = RunningConsumer::spawn(env.pool(), config);
    wait_count(
        env.pool(),
        "SELECT count(*) FROM effects",
        1,
        Duration::from_secs(60),
    )
    .await;
    // The effect is visible once its transaction commits; the metrics are
    // counted just after the commit, so wait for them too.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut snap = consumer.metrics.snapshot();
    while (
        snap.applied_total,
        snap.skipped_unknown_type_total,
        snap.skipped_newer_version_total,
    ) < (1, 1, 1)
        && std::time::Instant::now() < deadline
    {
        tokio::time::sleep(Duration::from_millis(10)).await;
        snap = consumer.metrics.snapshot();
    }
    assert_eq!(
        (
            snap.applied_total,
            snap.skipped_unknown_type_total,
            snap.skipped_newer_version_total,
            snap.dead_lettered_total
        ),
        (1, 1, 1, 0)
    );
    assert_eq!(effect_ids(env.pool(), "effects").await, vec![last.id]);
    consumer.stop().await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dead_letter_policy_and_undecodable_messages_go_to_the_dlq() {
    let env = Env::new().await;
    let (unknown, newer) = unknown_and_newer();
    let last = post_event(1, 3, "ok");
    env.send(&unknown).await;
    env.send(&newer).await;
    env.send_raw("post-1", b"\xff\xff not protobuf", &[]).await;
    env.send(&last).await;
    let mut config = env.config();
    config.unknown_type = UnsupportedPolicy::DeadLetter;
    config.newer_version = UnsupportedPolicy::DeadLetter;
    let consumer = RunningConsumer::spawn(env.pool(), config);
    wait_count(
        env.pool(),
        "SELECT count(*) FROM effects",
        1,
        Duration::from_secs(60),
    )
    .await;
    let dlq = read_messages(&env.bootstrap, &env.dlq, 3, Duration::from_secs(20))
        .await
        .expect("read dlq");
    let reasons: Vec<String> = dlq
        .iter()
        .map(|m| {
            let h: BTreeMap<String, String> = m
                .headers()
                .map(|h| {
                    h.iter()
                        .map(|h| {
                            (
                                h.key.to_owned(),
                                String::from_utf8_lossy(h.value.unwrap_or_default()).into_owned(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            h.get(headers::DLQ_REASON).cloned().unwrap_or_default()
        })
        .collect();
    assert_eq!(
        reasons,
        vec!["unknown-type", "newer-version", "undecodable"]
    );
    assert_eq!(consumer.metrics.snapshot().dead_lettered_total, 3);
    assert_eq!(effect_ids(env.pool(), "effects").await, vec![last.id]);
    consumer.stop().await;
    env.cleanup().await;
}
