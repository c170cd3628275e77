//! Crashes and outages: the relay killed mid-batch, the broker stopped, a row
//! that cannot be published.

use std::process::{Command, Stdio};
use std::time::Duration;

use nova_outbox::{BatchOutcome, Relay};
use nova_testkit::{TansuBroker, wait_for};
use sqlx::Row;

use crate::common::*;

fn spawn_relay_process(env: &Env, linger_ms: u32) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_nova-outbox-relay"))
        .env("DATABASE_URL", env.db.url())
        .env("KAFKA_BOOTSTRAP", &env.bootstrap)
        .env("NOVA_OUTBOX_BATCH_SIZE", "25")
        .env("NOVA_OUTBOX_POLL_MS", "100")
        .env("NOVA_OUTBOX_LINGER_MS", linger_ms.to_string())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn nova-outbox-relay")
}

/// SIGKILL the relay process while a batch is in flight, start a new one: every
/// event arrives (duplicates allowed), in order per aggregate, and the idempotent
/// consumer applies each exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn relay_killed_mid_batch_loses_nothing() {
    let env = Env::new(None, 3).await;
    let ids = enqueue(env.pool(), &env.outbox(), 0..10, 40, 1).await; // 400 events
    // A long linger keeps each batch in flight ~150 ms, so the kill lands mid-batch.
    let mut first = spawn_relay_process(&env, 150);
    let pool = env.pool().clone();
    let published_before_kill = wait_for(
        "the first relay to publish some batches",
        Duration::from_secs(30),
        Duration::from_millis(20),
        || {
            let pool = pool.clone();
            async move {
                let n = count(
                    &pool,
                    "SELECT count(*) FROM nova_outbox WHERE published_at IS NOT NULL",
                )
                .await;
                (n >= 50).then_some(n)
            }
        },
    )
    .await
    .expect("relay publishes");
    // SIGKILL: no shutdown path runs.
    first.kill().expect("kill relay");
    first.wait().expect("reap relay");
    let after_kill = count(
        env.pool(),
        "SELECT count(*) FROM nova_outbox WHERE published_at IS NOT NULL",
    )
    .await;
    assert!(
        (after_kill as usize) < ids.len(),
        "killed before the end (published {published_before_kill}..{after_kill} of {})",
        ids.len()
    );

    let mut second = spawn_relay_process(&env, 2);
    wait_published(env.pool(), ids.len(), Duration::from_secs(60)).await;
    second.kill().expect("kill second relay");
    second.wait().expect("reap second relay");

    assert_topic_in_order(&env.bootstrap, &env.topic, &ids).await;
    let consumer = RunningConsumer::spawn(&env);
    wait_effects(env.pool(), ids.len(), Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_effects_exactly_once(env.pool(), &ids).await;
    consumer.stop().await;
    env.cleanup().await;
}

/// The broker goes down while writes go on; after it comes back the backlog
/// drains: nothing lost, order per aggregate kept, each effect applied once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broker_outage_while_writing_loses_nothing_and_keeps_order() {
    let mut broker = TansuBroker::start().await.expect("private tansu broker");
    let env = Env::new(Some(broker.bootstrap()), 2).await;
    let outbox = env.outbox();
    let relay = RunningRelay::spawn(env.pool(), env.relay_config());

    let mut ids = enqueue(env.pool(), &outbox, 0..5, 20, 1).await; // 100 before the outage
    wait_published(env.pool(), ids.len(), Duration::from_secs(30)).await;

    broker.stop().await;
    // Writes go on while the broker is down.
    ids.extend(enqueue(env.pool(), &outbox, 0..5, 40, 21).await); // 200 during the outage
    tokio::time::sleep(Duration::from_secs(1)).await;
    let backlog = relay.metrics.snapshot().backlog;
    assert!(
        backlog > 0,
        "the backlog grows while the broker is down ({backlog})"
    );
    let published_during = count(
        env.pool(),
        "SELECT count(*) FROM nova_outbox WHERE published_at IS NOT NULL",
    )
    .await;
    assert!(
        (published_during as usize) < ids.len(),
        "nothing new is marked published without the broker"
    );

    broker.restart().await.expect("broker restarts");
    ids.extend(enqueue(env.pool(), &outbox, 0..5, 10, 61).await); // 50 after it
    wait_published(env.pool(), ids.len(), Duration::from_secs(90)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(relay.metrics.snapshot().backlog, 0, "backlog drained");

    assert_topic_in_order(&env.bootstrap, &env.topic, &ids).await;
    let consumer = RunningConsumer::spawn(&env);
    wait_effects(env.pool(), ids.len(), Duration::from_secs(60)).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_effects_exactly_once(env.pool(), &ids).await;
    consumer.stop().await;
    relay.stop().await;
    env.cleanup().await;
    broker.stop().await;
}

/// A row that cannot be published holds back the later rows of its aggregate
/// (and only those), goes into retry backoff and is counted as a failure.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_row_holds_back_its_aggregate_only() {
    let env = Env::new(None, 1).await;
    let outbox = env.outbox();
    let ok_1 = post_event(1, 1);
    let mut poison = post_event(1, 2);
    poison.payload = vec![b'x'; 64 * 1024]; // over the relay's message.max.bytes below
    let after_poison = post_event(1, 3);
    let other: Vec<_> = (1..=3).map(|r| post_event(2, r)).collect();
    let mut tx = env.pool().begin().await.expect("begin");
    outbox.enqueue(&mut tx, &ok_1).await.expect("enqueue");
    outbox.enqueue(&mut tx, &poison).await.expect("enqueue");
    outbox
        .enqueue(&mut tx, &after_poison)
        .await
        .expect("enqueue");
    outbox.enqueue_all(&mut tx, &other).await.expect("enqueue");
    tx.commit().await.expect("commit");

    let mut config = env.relay_config();
    config.retry_backoff = Duration::from_millis(300);
    config
        .producer_properties
        .insert("message.max.bytes".into(), "16384".into());
    let relay = Relay::new(env.pool().clone(), config).expect("relay");
    let first = relay.publish_batch().await.expect("batch");
    assert_eq!(
        first,
        BatchOutcome {
            claimed: 6,
            published: 4,
            failed: 1,
            held_back: 1,
            deferred: 0
        }
    );
    let row = sqlx::query("SELECT attempts, last_error, next_attempt_at > now() AS waiting FROM nova_outbox WHERE event_id = $1")
        .bind(poison.id)
        .fetch_one(env.pool())
        .await
        .expect("poison row");
    assert_eq!(row.get::<i32, _>("attempts"), 1);
    assert!(
        row.get::<Option<String>, _>("last_error")
            .is_some_and(|e| !e.is_empty())
    );
    assert!(row.get::<bool, _>("waiting"));

    // In backoff the whole aggregate is skipped; nothing else is pending.
    let second = relay.publish_batch().await.expect("batch");
    assert_eq!(second, BatchOutcome::default());
    // After the backoff it is tried again, first, and fails again.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let third = relay.publish_batch().await.expect("batch");
    assert_eq!((third.claimed, third.failed, third.held_back), (2, 1, 1));
    let snap = relay.metrics().snapshot();
    assert_eq!((snap.published_total, snap.failures_total), (4, 2));

    let mut expected = vec![ok_1.id];
    expected.extend(other.iter().map(|e| e.id));
    assert_topic_in_order(&env.bootstrap, &env.topic, &expected).await;
    let pending: Vec<uuid::Uuid> = sqlx::query_scalar(
        "SELECT event_id FROM nova_outbox WHERE published_at IS NULL ORDER BY id",
    )
    .fetch_all(env.pool())
    .await
    .expect("pending");
    assert_eq!(pending, vec![poison.id, after_poison.id]);
    env.cleanup().await;
}
