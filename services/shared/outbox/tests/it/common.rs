//! Shared set-up for the outbox integration tests.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use nova_consumer::{Consumer, ConsumerConfig, Handler, HandlerError};
use nova_events::Event;
use nova_events::proto::PostUpdated;
use nova_outbox::{Outbox, Relay, RelayConfig, RelayMetrics};
use nova_testkit::{TestDb, TestTopics, kafka_bootstrap, read_messages, unique_name, wait_for};
use rdkafka::Message;
use sqlx::{PgConnection, PgPool, Row};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use uuid::Uuid;

/// A database with the outbox, processed-events and effects tables, and a topic.
pub struct Env {
    pub db: TestDb,
    pub topics: TestTopics,
    pub topic: String,
    pub bootstrap: String,
}

impl Env {
    pub async fn new(bootstrap: Option<String>, partitions: i32) -> Env {
        let bootstrap = match bootstrap {
            Some(b) => b,
            None => kafka_bootstrap().expect("Kafka for the tests"),
        };
        let db = TestDb::create(8).await.expect("PostgreSQL for the tests");
        nova_outbox::migrate(db.pool())
            .await
            .expect("outbox migration");
        nova_consumer::migrate(db.pool())
            .await
            .expect("consumer migration");
        sqlx::raw_sql(
            "CREATE TABLE effects (
                seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                event_id uuid NOT NULL,
                aggregate_id text NOT NULL,
                revision bigint NOT NULL)",
        )
        .execute(db.pool())
        .await
        .expect("effects table");
        let topic = unique_name("nova_it");
        let topics = TestTopics::create(
            &bootstrap,
            &[topic.clone(), format!("{topic}.dlq")],
            partitions,
        )
        .await
        .expect("test topics");
        Env {
            db,
            topics,
            topic,
            bootstrap,
        }
    }

    pub fn pool(&self) -> &PgPool {
        self.db.pool()
    }

    pub fn outbox(&self) -> Outbox {
        Outbox::new(&self.topic).expect("topic name")
    }

    pub fn relay_config(&self) -> RelayConfig {
        let mut c = RelayConfig::new(&self.bootstrap);
        c.poll_interval = Duration::from_millis(200);
        c.metrics_interval = Duration::from_millis(200);
        c.retry_backoff = Duration::from_millis(100);
        c.retry_backoff_max = Duration::from_millis(500);
        c.shutdown_grace = Duration::from_secs(5);
        c
    }

    pub async fn cleanup(self) {
        self.topics.cleanup().await.expect("delete topics");
        self.db.cleanup().await.expect("drop database");
    }
}

/// Event `revision` of aggregate `post-{aggregate}`.
pub fn post_event(aggregate: usize, revision: u64) -> Event {
    Event::new(&PostUpdated {
        post_id: format!("post-{aggregate}"),
        revision,
        title: format!("rev {revision}"),
        ..Default::default()
    })
}

/// Enqueues `per_aggregate` events for each aggregate of `aggregates`, interleaved,
/// one transaction per event; revisions continue from `first_revision`.
pub async fn enqueue(
    pool: &PgPool,
    outbox: &Outbox,
    aggregates: std::ops::Range<usize>,
    per_aggregate: u64,
    first_revision: u64,
) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for r in first_revision..first_revision + per_aggregate {
        for a in aggregates.clone() {
            let event = post_event(a, r);
            let mut tx = pool.begin().await.expect("begin");
            outbox.enqueue(&mut tx, &event).await.expect("enqueue");
            tx.commit().await.expect("commit");
            ids.push(event.id);
        }
    }
    ids
}

/// A running relay task.
pub struct RunningRelay {
    pub metrics: Arc<RelayMetrics>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), nova_outbox::RelayError>>,
}

impl RunningRelay {
    pub fn spawn(pool: &PgPool, config: RelayConfig) -> RunningRelay {
        let relay = Relay::new(pool.clone(), config).expect("relay");
        let metrics = relay.metrics();
        let (stop, rx) = oneshot::channel();
        let task = tokio::spawn(relay.run(async {
            let _ = rx.await;
        }));
        RunningRelay {
            metrics,
            stop,
            task,
        }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(15), self.task)
            .await
            .expect("relay stops in time")
            .expect("relay task")
            .expect("relay result");
    }
}

/// Records each `content.PostUpdated` as an `effects` row.
pub struct EffectsHandler;

impl Handler for EffectsHandler {
    fn supports(&self, event_type: &str) -> Option<u32> {
        (event_type == "content.PostUpdated").then_some(1)
    }

    async fn handle(&self, conn: &mut PgConnection, event: &Event) -> Result<(), HandlerError> {
        let post: PostUpdated = event.payload_as()?;
        sqlx::query("INSERT INTO effects (event_id, aggregate_id, revision) VALUES ($1, $2, $3)")
            .bind(event.id)
            .bind(&event.aggregate_id)
            .bind(post.revision as i64)
            .execute(conn)
            .await?;
        Ok(())
    }
}

/// A running consumer task.
pub struct RunningConsumer {
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), nova_consumer::ConsumerError>>,
}

impl RunningConsumer {
    pub fn spawn(env: &Env) -> RunningConsumer {
        let mut config =
            ConsumerConfig::new(&env.bootstrap, unique_name("group"), [env.topic.clone()]);
        config.session_timeout = Duration::from_secs(6);
        let consumer = Consumer::new(env.pool().clone(), config, EffectsHandler).expect("consumer");
        let (stop, rx) = oneshot::channel();
        let task = tokio::spawn(consumer.run(async {
            let _ = rx.await;
        }));
        RunningConsumer { stop, task }
    }

    pub async fn stop(self) {
        let _ = self.stop.send(());
        tokio::time::timeout(Duration::from_secs(15), self.task)
            .await
            .expect("consumer stops in time")
            .expect("consumer task")
            .expect("consumer result");
    }
}

pub async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.expect(sql)
}

/// Waits until every outbox row is published.
pub async fn wait_published(pool: &PgPool, n: usize, timeout: Duration) {
    let pool = pool.clone();
    wait_for(
        "all outbox rows published",
        timeout,
        Duration::from_millis(100),
        || {
            let pool = pool.clone();
            async move {
                let published = count(
                    &pool,
                    "SELECT count(*) FROM nova_outbox WHERE published_at IS NOT NULL",
                )
                .await;
                (published as usize >= n).then_some(())
            }
        },
    )
    .await
    .expect("outbox drained");
}

/// Waits until `n` effects exist.
pub async fn wait_effects(pool: &PgPool, n: usize, timeout: Duration) {
    let pool = pool.clone();
    wait_for(
        "effects applied",
        timeout,
        Duration::from_millis(100),
        || {
            let pool = pool.clone();
            async move {
                (count(&pool, "SELECT count(*) FROM effects").await as usize >= n).then_some(())
            }
        },
    )
    .await
    .expect("effects applied");
}

/// Asserts exactly one effect per expected event id, applied in revision order per aggregate.
pub async fn assert_effects_exactly_once(pool: &PgPool, expected: &[Uuid]) {
    let rows = sqlx::query("SELECT event_id, aggregate_id, revision FROM effects ORDER BY seq")
        .fetch_all(pool)
        .await
        .expect("effects");
    let mut got: Vec<Uuid> = rows.iter().map(|r| r.get::<Uuid, _>("event_id")).collect();
    let applied = got.len();
    got.sort();
    let mut want = expected.to_vec();
    want.sort();
    assert_eq!(applied, expected.len(), "number of effects");
    assert_eq!(got, want, "effects are exactly the expected events");
    let mut per_key: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for r in &rows {
        per_key
            .entry(r.get("aggregate_id"))
            .or_default()
            .push(r.get("revision"));
    }
    for (key, revisions) in per_key {
        let mut sorted = revisions.clone();
        sorted.sort();
        assert_eq!(revisions, sorted, "effects of {key} applied in order");
    }
}

/// Reads the topic and asserts: every expected event is there, and per key the
/// first occurrences come in revision order. Returns (messages read, distinct events).
pub async fn assert_topic_in_order(
    bootstrap: &str,
    topic: &str,
    expected: &[Uuid],
) -> (usize, usize) {
    let messages = read_messages(bootstrap, topic, expected.len(), Duration::from_secs(30))
        .await
        .expect("read topic");
    let mut seen = std::collections::BTreeSet::new();
    let mut per_key: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for m in &messages {
        let event = Event::decode(m.payload().unwrap_or_default()).expect("envelope");
        let key = std::str::from_utf8(m.key().unwrap_or_default())
            .expect("key")
            .to_owned();
        assert_eq!(key, event.aggregate_id, "key is the aggregate id");
        if seen.insert(event.id) {
            let post: PostUpdated = event.payload_as().expect("payload");
            if std::env::var("NOVA_IT_DEBUG").is_ok() && key == "post-0" {
                eprintln!(
                    "post-0 rev {} at {}:{}",
                    post.revision,
                    m.partition(),
                    m.offset()
                );
            }
            per_key.entry(key).or_default().push(post.revision);
        }
    }
    let mut want: Vec<Uuid> = expected.to_vec();
    want.sort();
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        want,
        "published events"
    );
    for (key, revisions) in &per_key {
        let mut sorted = revisions.clone();
        sorted.sort();
        assert_eq!(revisions, &sorted, "order of {key} on the topic");
    }
    (messages.len(), expected.len())
}
