//! Shared set-up for the consumer integration tests.

use std::sync::Arc;
use std::time::Duration;

use nova_consumer::{Consumer, ConsumerConfig, ConsumerMetrics, Handler, HandlerError};
use nova_events::Event;
use nova_events::proto::PostUpdated;
use nova_testkit::{TestDb, TestTopics, kafka_bootstrap, unique_name, wait_for};
use rdkafka::ClientConfig;
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use sqlx::{PgConnection, PgPool};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct Env {
    pub db: TestDb,
    pub topics: TestTopics,
    pub topic: String,
    pub dlq: String,
    pub bootstrap: String,
    producer: FutureProducer,
}

impl Env {
    pub async fn new() -> Env {
        let bootstrap = kafka_bootstrap().expect("Kafka for the tests");
        let db = TestDb::create(6).await.expect("PostgreSQL for the tests");
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
        let topic = unique_name("nova_ct");
        let dlq = format!("{topic}.dlq");
        let topics = TestTopics::create(&bootstrap, &[topic.clone(), dlq.clone()], 2)
            .await
            .expect("test topics");
        let producer: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .set("linger.ms", "1")
            .create()
            .expect("producer");
        Env {
            db,
            topics,
            topic,
            dlq,
            bootstrap,
            producer,
        }
    }

    pub fn pool(&self) -> &PgPool {
        self.db.pool()
    }

    pub fn config(&self) -> ConsumerConfig {
        let mut c =
            ConsumerConfig::new(&self.bootstrap, unique_name("group"), [self.topic.clone()]);
        c.session_timeout = Duration::from_secs(6);
        c.max_attempts = 3;
        c.retry_backoff = Duration::from_millis(20);
        c.retry_backoff_max = Duration::from_millis(100);
        c
    }

    /// Sends raw bytes as a message keyed `key`.
    pub async fn send_raw(&self, key: &str, payload: &[u8], headers: &[(&str, &str)]) {
        let mut h = OwnedHeaders::new();
        for (k, v) in headers {
            h = h.insert(Header {
                key: k,
                value: Some(*v),
            });
        }
        self.producer
            .send(
                FutureRecord::to(&self.topic)
                    .key(key)
                    .payload(payload)
                    .headers(h),
                Duration::from_secs(10),
            )
            .await
            .expect("produce");
    }

    /// Sends an event's envelope keyed by its aggregate id.
    pub async fn send(&self, event: &Event) {
        self.send_raw(
            &event.aggregate_id,
            &event.encode(),
            &[("nova-event-id", &event.id.to_string())],
        )
        .await;
    }

    pub async fn cleanup(self) {
        self.topics.cleanup().await.expect("delete topics");
        self.db.cleanup().await.expect("drop database");
    }
}

pub fn post_event(aggregate: usize, revision: u64, title: &str) -> Event {
    Event::new(&PostUpdated {
        post_id: format!("post-{aggregate}"),
        revision,
        title: title.to_owned(),
        ..Default::default()
    })
}

/// Records each `content.PostUpdated` (version ≤ 1) as an `effects` row; a post
/// titled `poison` always fails.
pub struct EffectsHandler;

impl Handler for EffectsHandler {
    fn supports(&self, event_type: &str) -> Option<u32> {
        (event_type == "content.PostUpdated").then_some(1)
    }

    async fn handle(&self, conn: &mut PgConnection, event: &Event) -> Result<(), HandlerError> {
        let post: PostUpdated = event.payload_as()?;
        if post.title == "poison" {
            return Err(HandlerError::transient("poison post"));
        }
        sqlx::query("INSERT INTO effects (event_id, aggregate_id, revision) VALUES ($1, $2, $3)")
            .bind(event.id)
            .bind(&event.aggregate_id)
            .bind(post.revision as i64)
            .execute(conn)
            .await?;
        Ok(())
    }
}

pub struct RunningConsumer {
    pub metrics: Arc<ConsumerMetrics>,
    stop: oneshot::Sender<()>,
    task: JoinHandle<Result<(), nova_consumer::ConsumerError>>,
}

impl RunningConsumer {
    pub fn spawn(pool: &PgPool, config: ConsumerConfig) -> RunningConsumer {
        let consumer = Consumer::new(pool.clone(), config, EffectsHandler).expect("consumer");
        let metrics = consumer.metrics();
        let (stop, rx) = oneshot::channel();
        let task = tokio::spawn(consumer.run(async {
            let _ = rx.await;
        }));
        RunningConsumer {
            metrics,
            stop,
            task,
        }
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

pub async fn wait_count(pool: &PgPool, sql: &'static str, n: i64, timeout: Duration) {
    let pool = pool.clone();
    wait_for(sql, timeout, Duration::from_millis(50), || {
        let pool = pool.clone();
        async move { (count(&pool, sql).await >= n).then_some(()) }
    })
    .await
    .expect("condition reached");
}

/// Effect event ids, sorted.
pub async fn effect_ids(pool: &PgPool, table: &str) -> Vec<uuid::Uuid> {
    let mut ids: Vec<uuid::Uuid> = sqlx::query_scalar(&format!("SELECT event_id FROM {table}"))
        .fetch_all(pool)
        .await
        .expect("effects");
    ids.sort();
    ids
}

pub fn sorted(mut ids: Vec<uuid::Uuid>) -> Vec<uuid::Uuid> {
    ids.sort();
    ids
}
