//! Ordering: late commits are not skipped; two relays keep order and exactly-once effects.

use std::time::Duration;

use nova_outbox::Relay;

use crate::common::*;

/// A row whose transaction commits after a later row's transaction is still
/// published (the relay selects by state, not by a high-water mark).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_row_committed_after_a_later_row_is_not_skipped() {
    let env = Env::new(None, 1).await;
    let outbox = env.outbox();
    let early = post_event(1, 1);
    let late = post_event(2, 1);
    // Transaction A takes the lower id but commits last.
    let mut tx_a = env.pool().begin().await.expect("begin a");
    outbox.enqueue(&mut tx_a, &early).await.expect("enqueue a");
    let mut tx_b = env.pool().begin().await.expect("begin b");
    outbox.enqueue(&mut tx_b, &late).await.expect("enqueue b");
    tx_b.commit().await.expect("commit b");

    let relay = Relay::new(env.pool().clone(), env.relay_config()).expect("relay");
    let first = relay.publish_batch().await.expect("batch 1");
    assert_eq!(
        (first.claimed, first.published),
        (1, 1),
        "only B is visible"
    );
    tx_a.commit().await.expect("commit a");
    let second = relay.publish_batch().await.expect("batch 2");
    assert_eq!(
        (second.claimed, second.published),
        (1, 1),
        "A is published after it commits"
    );
    assert_topic_in_order(&env.bootstrap, &env.topic, &[early.id, late.id]).await;
    env.cleanup().await;
}

/// Writers of one aggregate are serialised, so a second writer's event waits for
/// the first writer's commit and never overtakes it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_of_one_aggregate_commit_in_id_order() {
    let env = Env::new(None, 1).await;
    let outbox = env.outbox();
    let first = post_event(1, 1);
    let second = post_event(1, 2);
    let mut tx_a = env.pool().begin().await.expect("begin a");
    outbox.enqueue(&mut tx_a, &first).await.expect("enqueue a");
    let pool = env.pool().clone();
    let outbox_b = outbox.clone();
    let second_b = second.clone();
    let writer_b = tokio::spawn(async move {
        let mut tx_b = pool.begin().await.expect("begin b");
        outbox_b
            .enqueue(&mut tx_b, &second_b)
            .await
            .expect("enqueue b");
        tx_b.commit().await.expect("commit b");
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!writer_b.is_finished(), "B waits for A's aggregate lock");
    tx_a.commit().await.expect("commit a");
    writer_b.await.expect("writer b");
    let ids: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT event_id FROM nova_outbox ORDER BY id")
        .fetch_all(env.pool())
        .await
        .expect("rows");
    assert_eq!(ids, vec![first.id, second.id]);
    env.cleanup().await;
}

/// Two relays at once: every event applied exactly once, in order per aggregate.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_relays_at_once_apply_each_event_exactly_once() {
    let env = Env::new(None, 3).await;
    let outbox = env.outbox();
    let consumer = RunningConsumer::spawn(&env);
    let mut config = env.relay_config();
    config.batch_size = 20;
    let relay_a = RunningRelay::spawn(env.pool(), config.clone());
    let relay_b = RunningRelay::spawn(env.pool(), config);
    // Writes go on while both relays run.
    let ids = enqueue(env.pool(), &outbox, 0..8, 40, 1).await; // 320 events
    wait_published(env.pool(), ids.len(), Duration::from_secs(30)).await;
    wait_effects(env.pool(), ids.len(), Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let a = relay_a.metrics.snapshot().published_total;
    let b = relay_b.metrics.snapshot().published_total;
    eprintln!(
        "relay a: {:?}\nrelay b: {:?}",
        relay_a.metrics.snapshot(),
        relay_b.metrics.snapshot()
    );
    let (read, _) = assert_topic_in_order(&env.bootstrap, &env.topic, &ids).await;
    assert_eq!(
        a + b,
        ids.len() as u64,
        "each row published by exactly one relay"
    );
    assert_effects_exactly_once(env.pool(), &ids).await;
    assert_eq!(read, ids.len(), "no row published twice");
    relay_a.stop().await;
    relay_b.stop().await;
    consumer.stop().await;
    env.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_in_flight_at_once_keep_order_per_aggregate() {
    let env = Env::new(None, 3).await;
    let outbox = env.outbox();
    let mut config = env.relay_config();
    config.batch_size = 10;
    config.max_batches_in_flight = 4;
    let relay = RunningRelay::spawn(env.pool(), config);
    // Four writers commit at once while the relay runs, so NOTIFYs arrive while
    // batches wait for their delivery reports and further batches are claimed.
    let mut writers = Vec::new();
    for w in 0..4usize {
        let pool = env.pool().clone();
        let outbox = outbox.clone();
        writers.push(tokio::spawn(async move {
            // Each writer has its own 3 aggregates, revisions 1..=40 each.
            enqueue(&pool, &outbox, w * 3..w * 3 + 3, 40, 1).await
        }));
    }
    let mut ids = Vec::new();
    for w in writers {
        ids.extend(w.await.expect("writer"));
    }
    wait_published(env.pool(), ids.len(), Duration::from_secs(30)).await;
    let (read, distinct) = assert_topic_in_order(&env.bootstrap, &env.topic, &ids).await;
    assert_eq!(read, distinct, "no row published twice");
    let snap = relay.metrics.snapshot();
    assert_eq!(snap.published_total, ids.len() as u64);
    assert_eq!(snap.order_gaps_total, 0);
    relay.stop().await;
    env.cleanup().await;
}
