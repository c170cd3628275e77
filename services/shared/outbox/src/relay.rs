//! The relay: publishes committed outbox rows to Kafka, in order per aggregate.
//!
//! One batch is one PostgreSQL transaction:
//!
//! 1. claim up to `batch_size` unpublished rows in id order with
//!    `FOR UPDATE SKIP LOCKED`, taking a transaction-scoped advisory lock per
//!    aggregate (`pg_try_advisory_xact_lock`), so two relays never publish rows of
//!    the same aggregate at the same time, and skipping aggregates whose earliest
//!    unpublished row is in retry backoff;
//! 2. produce every claimed row (key = aggregate id, value = the encoded envelope,
//!    headers = [`MESSAGE_HEADERS`]) with an idempotent producer (`acks=all`); once a row of an aggregate fails,
//!    later rows of that aggregate in the batch are not produced;
//! 3. wait for the delivery reports, mark delivered rows published and give failed
//!    rows a retry time with exponential backoff, then commit.
//!
//! Rows are selected by state, never by a high-water mark, so a row whose
//! transaction committed after a later row's is still published. A crash between
//! delivery and commit re-publishes the batch: delivery is at-least-once and the
//! consumer deduplicates on the event id.

use std::collections::{BTreeMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::stream::FuturesUnordered;
use futures::{FutureExt, StreamExt};
use nova_events::headers;
use rdkafka::ClientConfig;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord, Producer};
use sqlx::postgres::PgListener;
use sqlx::{PgPool, Row};
use tracing::{Instrument, debug, error, field, info, info_span, warn};

use crate::migration::NOTIFY_CHANNEL;
use crate::{RelayError, RelayMetrics};

/// The Kafka headers the relay may put on a message: `nova-event-id` and
/// `nova-event-type` (to route or filter without decoding the value; only with
/// [`RelayConfig::routing_headers`], off by default), and the W3C `traceparent` /
/// `tracestate` when the event carries a trace context.
///
/// Everything else (schema version, aggregate type and id, occurred-at) is only in
/// the message value, the encoded envelope, which also repeats the event id, type
/// and trace context; the aggregate id is also the key. Headers are kept few on
/// purpose: tansu 0.6 stores every header as its own SQLite row, so each one costs
/// about as much as a record on produce, and looks headers up without an index
/// when it serves a fetch, so every header it holds slows every later fetch
/// (see `services/README.md`).
pub const MESSAGE_HEADERS: [&str; 4] = [
    headers::EVENT_ID,
    headers::EVENT_TYPE,
    headers::TRACEPARENT,
    headers::TRACESTATE,
];

/// Advisory-lock class the relay takes per aggregate while publishing it.
const RELAY_LOCK_CLASS: i32 = 0x6e6f_7662;

const CLAIM: &str = "\
SELECT id, event_id, topic, event_type, aggregate_type, aggregate_id,
       key_hash, traceparent, tracestate, envelope
FROM nova_outbox o
WHERE o.published_at IS NULL
  AND o.key_hash <> ALL (ARRAY(
        SELECT h.key_hash FROM nova_outbox h
        WHERE h.published_at IS NULL AND h.attempts > 0 AND h.next_attempt_at > now()))
  AND pg_try_advisory_xact_lock($2, o.key_hash)
ORDER BY o.id
LIMIT $1
FOR UPDATE SKIP LOCKED";

/// Opens a batch's transaction, with planner settings local to it.
const BEGIN_CLAIM: &str = "BEGIN; SET LOCAL enable_seqscan = off; SET LOCAL enable_sort = off; \
                           SET LOCAL jit = off";

/// The first unpublished row of each of the given aggregates, in a fresh snapshot.
const HEADS: &str = "\
SELECT DISTINCT ON (o.key_hash, o.aggregate_type, o.aggregate_id)
       o.aggregate_type, o.aggregate_id, o.id
FROM nova_outbox o
WHERE o.published_at IS NULL AND o.key_hash = ANY($1)
ORDER BY o.key_hash, o.aggregate_type, o.aggregate_id, o.id";

const MARK_PUBLISHED: &str =
    "UPDATE nova_outbox SET published_at = clock_timestamp() WHERE id = ANY($1)";

const MARK_FAILED: &str = "\
UPDATE nova_outbox o
SET attempts = o.attempts + 1,
    last_error = f.err,
    next_attempt_at = clock_timestamp() + least($3::float8, $2::float8 * power(2, o.attempts)) * interval '1 millisecond'
FROM unnest($1::bigint[], $4::text[]) AS f(id, err)
WHERE o.id = f.id";

/// Relay settings. [`RelayConfig::new`] gives production defaults.
#[derive(Debug, Clone)]
pub struct RelayConfig {
    /// Kafka `bootstrap.servers`.
    pub bootstrap_servers: String,
    /// Whether messages carry the `nova-event-id` and `nova-event-type` headers
    /// (default `false`; `NOVA_OUTBOX_ROUTING_HEADERS=1`). Consumers built on
    /// `nova-consumer` read everything from the value and do not need them; they
    /// are for routers and tools that filter without decoding. On tansu 0.6 each
    /// header is a row of an unindexed table that every fetch searches per
    /// record, so with them the feed's sustained rate fell from 788/s to 305/s
    /// and its p99 at 153/s was 204 ms (`services/README.md`). Trace headers are
    /// sent either way.
    pub routing_headers: bool,
    /// Batches [`Relay::run`] keeps in flight at once (at least 1; default 1).
    /// With more, a NOTIFY that arrives while a batch waits for its delivery
    /// reports starts the next claim at once; that claim can only take rows of
    /// aggregates not in flight (the per-aggregate locks keep batches disjoint),
    /// so it helps when commits spread over many aggregates and the broker
    /// handles produce requests in parallel. On tansu 0.6 (one SQLite writer)
    /// with 100 busy aggregates it measured no better than 1 (`services/README.md`).
    /// Each batch in flight holds one pool connection.
    pub max_batches_in_flight: usize,
    /// Rows claimed per batch (at most). One batch waits for one round of
    /// delivery reports, so larger batches amortise the broker round trip and the
    /// claim/mark statements; under light load batches are small anyway.
    pub batch_size: u32,
    /// Polling fallback when no NOTIFY arrives.
    pub poll_interval: Duration,
    /// Published rows are deleted after this long.
    pub retention: Duration,
    /// How often published rows past retention are deleted.
    pub cleanup_interval: Duration,
    /// How often backlog and oldest-unpublished age are measured.
    pub metrics_interval: Duration,
    /// First retry delay of a failed row; doubles per attempt.
    pub retry_backoff: Duration,
    /// Longest retry delay.
    pub retry_backoff_max: Duration,
    /// On shutdown, how long the batch in flight may take to finish.
    pub shutdown_grace: Duration,
    /// Extra librdkafka producer properties (override the defaults).
    pub producer_properties: BTreeMap<String, String>,
}

impl RelayConfig {
    /// Defaults for a relay publishing to `bootstrap_servers`.
    pub fn new(bootstrap_servers: impl Into<String>) -> Self {
        Self {
            bootstrap_servers: bootstrap_servers.into(),
            batch_size: 2000,
            max_batches_in_flight: 1,
            routing_headers: false,
            poll_interval: Duration::from_secs(1),
            retention: Duration::from_secs(24 * 3600),
            cleanup_interval: Duration::from_secs(60),
            metrics_interval: Duration::from_secs(5),
            retry_backoff: Duration::from_millis(200),
            retry_backoff_max: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(10),
            producer_properties: BTreeMap::new(),
        }
    }

    /// [`RelayConfig::new`] with the `NOVA_OUTBOX_*` variables that are set
    /// applied (the services' relays and `nova-outbox-relay` read the same ones):
    /// `NOVA_OUTBOX_BATCH_SIZE`, `NOVA_OUTBOX_BATCHES_IN_FLIGHT`,
    /// `NOVA_OUTBOX_ROUTING_HEADERS` (`0`/`1`), `NOVA_OUTBOX_POLL_MS`,
    /// `NOVA_OUTBOX_RETENTION_SECS`, `NOVA_OUTBOX_CLEANUP_SECS`,
    /// `NOVA_OUTBOX_METRICS_SECS`, `NOVA_OUTBOX_LINGER_MS` (producer `linger.ms`)
    /// and `NOVA_OUTBOX_PRODUCER_PROPERTIES` (`key=value,key=value`, librdkafka
    /// producer properties). A value that does not parse is an error naming the
    /// variable.
    pub fn from_env(bootstrap_servers: impl Into<String>) -> Result<Self, RelayError> {
        Self::new(bootstrap_servers).with_vars(|name| std::env::var(name).ok())
    }

    /// Applies the `NOVA_OUTBOX_*` settings that `var` returns (see [`RelayConfig::from_env`]).
    pub fn with_vars(mut self, var: impl Fn(&str) -> Option<String>) -> Result<Self, RelayError> {
        let num = |name: &str| -> Result<Option<u64>, RelayError> {
            var(name)
                .map(|v| {
                    v.trim().parse::<u64>().map_err(|_| RelayError::Config {
                        variable: name.to_owned(),
                        value: v.clone(),
                        expected: "a non-negative integer",
                    })
                })
                .transpose()
        };
        if let Some(n) = num("NOVA_OUTBOX_BATCH_SIZE")? {
            self.batch_size = u32::try_from(n.max(1)).unwrap_or(u32::MAX);
        }
        if let Some(n) = num("NOVA_OUTBOX_BATCHES_IN_FLIGHT")? {
            self.max_batches_in_flight = usize::try_from(n.max(1)).unwrap_or(usize::MAX);
        }
        if let Some(v) = var("NOVA_OUTBOX_ROUTING_HEADERS") {
            self.routing_headers = match v.trim() {
                "1" | "true" | "on" => true,
                "0" | "false" | "off" => false,
                _ => {
                    return Err(RelayError::Config {
                        variable: "NOVA_OUTBOX_ROUTING_HEADERS".to_owned(),
                        value: v,
                        expected: "0 or 1",
                    });
                }
            };
        }
        if let Some(n) = num("NOVA_OUTBOX_POLL_MS")? {
            self.poll_interval = Duration::from_millis(n.max(1));
        }
        if let Some(n) = num("NOVA_OUTBOX_RETENTION_SECS")? {
            self.retention = Duration::from_secs(n);
        }
        if let Some(n) = num("NOVA_OUTBOX_CLEANUP_SECS")? {
            self.cleanup_interval = Duration::from_secs(n.max(1));
        }
        if let Some(n) = num("NOVA_OUTBOX_METRICS_SECS")? {
            self.metrics_interval = Duration::from_secs(n.max(1));
        }
        if let Some(n) = num("NOVA_OUTBOX_LINGER_MS")? {
            self.producer_properties
                .insert("linger.ms".to_owned(), n.to_string());
        }
        if let Some(v) = var("NOVA_OUTBOX_PRODUCER_PROPERTIES") {
            for pair in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let Some((key, value)) = pair.split_once('=') else {
                    return Err(RelayError::Config {
                        variable: "NOVA_OUTBOX_PRODUCER_PROPERTIES".to_owned(),
                        value: v.clone(),
                        expected: "key=value pairs separated by commas",
                    });
                };
                self.producer_properties
                    .insert(key.trim().to_owned(), value.trim().to_owned());
            }
        }
        Ok(self)
    }

    /// The librdkafka producer configuration.
    ///
    /// `message.timeout.ms=0` (no local timeout): a message is retried until the
    /// broker takes it, so an outage never leaves a gap in a partition (librdkafka
    /// fails timed-out messages individually, which would let a later message of
    /// the same aggregate overtake an earlier one).
    pub fn producer_config(&self) -> ClientConfig {
        let mut config = ClientConfig::new();
        config
            .set("bootstrap.servers", &self.bootstrap_servers)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("max.in.flight.requests.per.connection", "5")
            .set("message.timeout.ms", "0")
            .set("linger.ms", "2")
            .set("partitioner", "murmur2_random")
            .set("client.id", "nova-outbox-relay");
        for (key, value) in &self.producer_properties {
            config.set(key, value);
        }
        config
    }
}

/// What one batch did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BatchOutcome {
    /// Rows claimed.
    pub claimed: usize,
    /// Rows delivered and marked published.
    pub published: usize,
    /// Rows whose publish failed (now in retry backoff).
    pub failed: usize,
    /// Rows not produced because an earlier row of their aggregate failed.
    pub held_back: usize,
    /// Rows left for a later batch because an earlier unpublished row of their
    /// aggregate was not in this batch (claimed by another relay a moment ago).
    pub deferred: usize,
}

/// A claimed outbox row.
struct Claimed {
    id: i64,
    event_id: String,
    topic: String,
    event_type: String,
    aggregate_type: String,
    aggregate_id: String,
    traceparent: Option<String>,
    tracestate: Option<String>,
    envelope: Vec<u8>,
}

impl Claimed {
    fn from_row(row: &sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
        let event_id: uuid::Uuid = row.try_get("event_id")?;
        Ok(Self {
            id: row.try_get("id")?,
            event_id: event_id.to_string(),
            topic: row.try_get("topic")?,
            event_type: row.try_get("event_type")?,
            aggregate_type: row.try_get("aggregate_type")?,
            aggregate_id: row.try_get("aggregate_id")?,
            traceparent: row.try_get("traceparent")?,
            tracestate: row.try_get("tracestate")?,
            envelope: row.try_get("envelope")?,
        })
    }

    /// The Kafka headers of the message: see [`MESSAGE_HEADERS`].
    fn headers(&self, routing: bool) -> OwnedHeaders {
        let mut h = OwnedHeaders::new_with_capacity(4);
        for (key, value) in [
            (headers::EVENT_ID, routing.then_some(self.event_id.as_str())),
            (
                headers::EVENT_TYPE,
                routing.then_some(self.event_type.as_str()),
            ),
            (headers::TRACEPARENT, self.traceparent.as_deref()),
            (headers::TRACESTATE, self.tracestate.as_deref()),
        ] {
            if let Some(value) = value {
                h = h.insert(Header {
                    key,
                    value: Some(value),
                });
            }
        }
        h
    }

    fn key(&self) -> (&str, &str) {
        (&self.aggregate_type, &self.aggregate_id)
    }
}

/// Publishes the outbox to Kafka. Several relays may run against one database.
pub struct Relay {
    pool: PgPool,
    config: RelayConfig,
    producer: Mutex<FutureProducer>,
    metrics: Arc<RelayMetrics>,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Relay {
    /// A relay over `pool` (the database holding `nova_outbox`).
    pub fn new(pool: PgPool, config: RelayConfig) -> Result<Self, RelayError> {
        let producer: FutureProducer = config.producer_config().create()?;
        Ok(Self {
            pool,
            config,
            producer: Mutex::new(producer),
            metrics: Arc::new(RelayMetrics::default()),
        })
    }

    /// The relay's metrics (shared; keeps updating while the relay runs).
    pub fn metrics(&self) -> Arc<RelayMetrics> {
        Arc::clone(&self.metrics)
    }

    fn producer(&self) -> FutureProducer {
        match self.producer.lock() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the producer after a fatal (idempotence) error.
    fn recreate_producer(&self, reason: &str) -> Result<(), RelayError> {
        warn!(
            reason,
            "outbox relay: recreating the Kafka producer after a fatal error"
        );
        let fresh: FutureProducer = self.config.producer_config().create()?;
        let mut guard = match self.producer.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = fresh;
        Ok(())
    }

    /// Claims, publishes and marks one batch. Returns what it did.
    pub async fn publish_batch(&self) -> Result<BatchOutcome, RelayError> {
        let span = info_span!(
            "outbox.relay.batch",
            claimed = field::Empty,
            published = field::Empty,
            failed = field::Empty
        );
        let outcome = self.publish_batch_inner().instrument(span.clone()).await?;
        span.record("claimed", outcome.claimed);
        span.record("published", outcome.published);
        span.record("failed", outcome.failed);
        Ok(outcome)
    }

    async fn publish_batch_inner(&self) -> Result<BatchOutcome, RelayError> {
        let started = Instant::now();
        // Keep the claim an ordered index scan: the per-aggregate lock in the
        // WHERE clause must only be taken for rows the LIMIT actually returns.
        // (JIT off: the inflated plan costs would otherwise trigger it.) Sent with
        // BEGIN, in one round trip.
        let mut tx = self.pool.begin_with(BEGIN_CLAIM).await?;
        let rows = sqlx::query(CLAIM)
            .bind(i64::from(self.config.batch_size))
            .bind(RELAY_LOCK_CLASS)
            .fetch_all(&mut *tx)
            .await?;
        if rows.is_empty() {
            tx.commit().await?;
            return Ok(BatchOutcome::default());
        }
        let mut claimed = rows
            .iter()
            .map(Claimed::from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let key_hashes: Vec<i32> = rows
            .iter()
            .map(|r| r.try_get::<i32, _>("key_hash"))
            .collect::<Result<_, _>>()?;
        let deferred = self
            .start_at_heads(&mut tx, &mut claimed, key_hashes)
            .await?;
        let claimed_at = Instant::now();

        let producer = self.producer();
        let mut outcome = BatchOutcome {
            claimed: claimed.len() + deferred,
            deferred,
            ..BatchOutcome::default()
        };
        let mut failed_keys: HashSet<(&str, &str)> = HashSet::new();
        let mut failures: Vec<(i64, String)> = Vec::new();
        let mut in_flight = Vec::with_capacity(claimed.len());
        for row in &claimed {
            if failed_keys.contains(&row.key()) {
                outcome.held_back += 1;
                continue;
            }
            let mut record = FutureRecord::to(&row.topic)
                .key(row.aggregate_id.as_str())
                .payload(row.envelope.as_slice())
                .headers(row.headers(self.config.routing_headers));
            loop {
                match producer.send_result(record) {
                    Ok(delivery) => {
                        in_flight.push((row, delivery));
                        break;
                    }
                    Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), back)) => {
                        record = back;
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                    Err((e, _)) => {
                        warn!(event_id = %row.event_id, error = %e, "outbox relay: produce failed");
                        failures.push((row.id, e.to_string()));
                        failed_keys.insert(row.key());
                        break;
                    }
                }
            }
        }

        let produced_at = Instant::now();
        let mut published = Vec::with_capacity(in_flight.len());
        for (row, delivery) in in_flight {
            match delivery.await {
                Ok(Ok(_)) => {
                    if failed_keys.contains(&row.key()) {
                        RelayMetrics::add(&self.metrics.order_gaps, 1);
                        warn!(event_id = %row.event_id, "outbox relay: delivered after an earlier row of its aggregate failed");
                    }
                    debug!(event_id = %row.event_id, topic = %row.topic, "outbox relay: delivered");
                    published.push(row.id);
                }
                Ok(Err((e, _))) => {
                    warn!(event_id = %row.event_id, error = %e, "outbox relay: delivery failed");
                    failures.push((row.id, e.to_string()));
                    failed_keys.insert(row.key());
                }
                Err(_canceled) => {
                    failures.push((row.id, "producer dropped the message".to_owned()));
                    failed_keys.insert(row.key());
                }
            }
        }
        outcome.published = published.len();
        outcome.failed = failures.len();
        let delivered_at = Instant::now();

        if !published.is_empty() {
            sqlx::query(MARK_PUBLISHED)
                .bind(&published)
                .execute(&mut *tx)
                .await?;
        }
        if !failures.is_empty() {
            let (ids, errors): (Vec<i64>, Vec<String>) = failures.into_iter().unzip();
            sqlx::query(MARK_FAILED)
                .bind(&ids)
                .bind(self.config.retry_backoff.as_secs_f64() * 1000.0)
                .bind(self.config.retry_backoff_max.as_secs_f64() * 1000.0)
                .bind(&errors)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        let done = Instant::now();
        debug!(
            rows = outcome.claimed,
            claim_ms = claimed_at.duration_since(started).as_secs_f64() * 1e3,
            produce_ms = produced_at.duration_since(claimed_at).as_secs_f64() * 1e3,
            delivery_ms = delivered_at.duration_since(produced_at).as_secs_f64() * 1e3,
            mark_commit_ms = done.duration_since(delivered_at).as_secs_f64() * 1e3,
            "outbox relay: batch timings"
        );

        RelayMetrics::add(&self.metrics.batches, 1);
        RelayMetrics::add(&self.metrics.published, outcome.published as u64);
        RelayMetrics::add(&self.metrics.failures, outcome.failed as u64);
        if let Some((code, reason)) = producer.client().fatal_error() {
            self.recreate_producer(&format!("{code:?}: {reason}"))?;
        }
        Ok(outcome)
    }

    /// Keeps, per aggregate, only claimed rows that start at the aggregate's first
    /// unpublished row. The claim takes the aggregate's lock on the first row of it
    /// the scan reaches; when the scan skipped an earlier row (another relay still
    /// held the lock at that moment and released it mid-scan), publishing the later
    /// rows now would overtake it. Holding the lock, a fresh snapshot tells the truth.
    /// Returns how many rows were deferred.
    async fn start_at_heads(
        &self,
        tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
        claimed: &mut Vec<Claimed>,
        mut key_hashes: Vec<i32>,
    ) -> Result<usize, RelayError> {
        key_hashes.sort_unstable();
        key_hashes.dedup();
        let heads = sqlx::query(HEADS)
            .bind(&key_hashes)
            .fetch_all(&mut **tx)
            .await?;
        let mut head_of: std::collections::HashMap<(String, String), i64> =
            std::collections::HashMap::with_capacity(heads.len());
        for h in &heads {
            head_of.insert(
                (h.try_get("aggregate_type")?, h.try_get("aggregate_id")?),
                h.try_get("id")?,
            );
        }
        let mut first_claimed: std::collections::HashMap<(&str, &str), i64> =
            std::collections::HashMap::new();
        for row in claimed.iter() {
            first_claimed.entry(row.key()).or_insert(row.id);
        }
        let blocked: HashSet<(String, String)> = first_claimed
            .into_iter()
            .map(|((t, a), first)| ((t.to_owned(), a.to_owned()), first))
            .filter(|(key, first)| head_of.get(key) != Some(first))
            .map(|(key, _)| key)
            .collect();
        if blocked.is_empty() {
            return Ok(0);
        }
        let before = claimed.len();
        claimed.retain(|row| {
            !blocked.contains(&(row.aggregate_type.clone(), row.aggregate_id.clone()))
        });
        let deferred = before - claimed.len();
        debug!(
            deferred,
            "outbox relay: deferred rows behind another relay's"
        );
        Ok(deferred)
    }

    /// Deletes published rows older than the retention period; returns how many.
    pub async fn cleanup(&self) -> Result<u64, RelayError> {
        cleanup(&self.pool, self.config.retention, &self.metrics).await
    }

    /// Measures backlog and oldest unpublished age into the metrics.
    pub async fn measure(&self) -> Result<(), RelayError> {
        measure(&self.pool, &self.metrics).await
    }

    /// Runs until `shutdown` completes: publishes whenever a NOTIFY arrives or the
    /// poll interval passes, measures metrics and cleans up published rows.
    ///
    /// Up to `max_batches_in_flight` batches run at once, each in its own
    /// transaction: a NOTIFY that arrives while a batch waits for its delivery
    /// reports starts another claim at once. The claim's per-aggregate locks keep
    /// the batches' aggregates disjoint (exactly as with several relays), so a
    /// later batch only takes rows of aggregates that are not in flight; rows of
    /// an aggregate in flight are claimed after that batch has committed.
    ///
    /// On shutdown the batches in flight are given `shutdown_grace` to finish; if
    /// they do not, their transactions are rolled back and their rows are
    /// published again by the next relay (the consumer deduplicates).
    pub async fn run<F>(self, shutdown: F) -> Result<(), RelayError>
    where
        F: Future<Output = ()> + Send,
    {
        let mut shutdown = Box::pin(shutdown.fuse());
        let mut listener = PgListener::connect_with(&self.pool).await?;
        listener.listen(NOTIFY_CHANNEL).await?;

        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let maintenance = tokio::spawn(maintain(
            self.pool.clone(),
            self.config.clone(),
            Arc::clone(&self.metrics),
            stop_rx,
        ));
        let depth = self.config.max_batches_in_flight.max(1);
        info!(
            batch_size = self.config.batch_size,
            max_batches_in_flight = depth,
            "outbox relay: started"
        );

        let mut batches = FuturesUnordered::new();
        // Whether there may be claimable rows: set by NOTIFY, the poll timer and a
        // batch that claimed rows (later rows of its aggregates were skipped while
        // it held them); cleared when a claim starts.
        let mut wanted = true;
        let mut error_backoff = self.config.retry_backoff;
        // No new batch before this (after a failed batch).
        let mut not_before = Instant::now();
        // The LISTEN connection is not used before this (after it failed).
        let mut listen_after = Instant::now();
        let mut next_poll = Instant::now() + self.config.poll_interval;
        loop {
            let now = Instant::now();
            if wanted && batches.len() < depth && now >= not_before {
                batches.push(self.publish_batch());
                wanted = false;
                next_poll = now + self.config.poll_interval;
            }
            // Waiting out an error backoff, or the poll interval (a batch
            // finishing or a NOTIFY wakes the loop anyway).
            let wake = if wanted && batches.len() < depth {
                not_before
            } else {
                next_poll
            };
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                Some(result) = batches.next(), if !batches.is_empty() => match result {
                    Ok(outcome) => {
                        error_backoff = self.config.retry_backoff;
                        if outcome.claimed > 0 {
                            wanted = true;
                        }
                    }
                    Err(e) => {
                        error!(error = %e, "outbox relay: batch failed");
                        RelayMetrics::add(&self.metrics.failures, 1);
                        not_before = Instant::now() + error_backoff;
                        error_backoff = (error_backoff * 2).min(self.config.retry_backoff_max);
                        wanted = true;
                    }
                },
                n = listener.recv(), if now >= listen_after => {
                    if let Err(e) = n {
                        warn!(error = %e, "outbox relay: LISTEN connection failed; polling");
                        listen_after = Instant::now() + self.config.poll_interval;
                    }
                    // Several notifications arrive for one burst of commits: one
                    // claim picks them all up.
                    while listener.next_buffered().is_some() {}
                    wanted = true;
                }
                () = tokio::time::sleep_until(wake.into()) => {
                    let now = Instant::now();
                    if now >= next_poll {
                        wanted = true;
                        next_poll = now + self.config.poll_interval;
                    }
                }
            }
        }
        if !batches.is_empty() {
            let drain = async {
                while let Some(result) = batches.next().await {
                    if let Err(e) = result {
                        error!(error = %e, "outbox relay: batch failed");
                        RelayMetrics::add(&self.metrics.failures, 1);
                    }
                }
            };
            if tokio::time::timeout(self.config.shutdown_grace, drain)
                .await
                .is_err()
            {
                warn!(
                    "outbox relay: batches did not finish within the shutdown grace; rolled back"
                );
            }
        }
        drop(batches);
        let _ = stop_tx.send(true);
        let _ = maintenance.await;
        let producer = self.producer();
        let _ = tokio::task::spawn_blocking(move || producer.flush(Duration::from_secs(1))).await;
        info!("outbox relay: stopped");
        Ok(())
    }
}

/// Background task: metrics every `metrics_interval`, clean-up every `cleanup_interval`.
async fn maintain(
    pool: PgPool,
    config: RelayConfig,
    metrics: Arc<RelayMetrics>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut last_cleanup = Instant::now();
    let mut last_rate = (
        Instant::now(),
        metrics.published.load(std::sync::atomic::Ordering::Relaxed),
    );
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep(config.metrics_interval) => {}
        }
        if let Err(e) = measure(&pool, &metrics).await {
            warn!(error = %e, "outbox relay: measuring the backlog failed");
        }
        let now = Instant::now();
        let total = metrics.published.load(std::sync::atomic::Ordering::Relaxed);
        let secs = now.duration_since(last_rate.0).as_secs_f64();
        if secs > 0.0 {
            let rate = (total.saturating_sub(last_rate.1)) as f64 / secs;
            RelayMetrics::set(&metrics.publish_rate_milli, (rate * 1000.0) as u64);
        }
        last_rate = (now, total);
        if last_cleanup.elapsed() >= config.cleanup_interval {
            last_cleanup = Instant::now();
            if let Err(e) = cleanup(&pool, config.retention, &metrics).await {
                warn!(error = %e, "outbox relay: clean-up failed");
            }
        }
    }
}

async fn measure(pool: &PgPool, metrics: &RelayMetrics) -> Result<(), RelayError> {
    let row = sqlx::query(
        "SELECT count(*) AS backlog,
                coalesce(extract(epoch FROM clock_timestamp() - min(created_at)) * 1000, 0)::float8 AS age_ms
         FROM nova_outbox WHERE published_at IS NULL",
    )
    .fetch_one(pool)
    .await?;
    let backlog: i64 = row.try_get("backlog")?;
    let age_ms: f64 = row.try_get("age_ms")?;
    RelayMetrics::set(&metrics.backlog, u64::try_from(backlog).unwrap_or(0));
    RelayMetrics::set(&metrics.oldest_unpublished_age_ms, age_ms.max(0.0) as u64);
    Ok(())
}

async fn cleanup(
    pool: &PgPool,
    retention: Duration,
    metrics: &RelayMetrics,
) -> Result<u64, RelayError> {
    let mut total = 0;
    loop {
        let done = sqlx::query(
            "DELETE FROM nova_outbox WHERE id IN (
                SELECT id FROM nova_outbox
                WHERE published_at < now() - make_interval(secs => $1)
                LIMIT 5000)",
        )
        .bind(retention.as_secs_f64())
        .execute(pool)
        .await?
        .rows_affected();
        total += done;
        if done < 5000 {
            break;
        }
    }
    RelayMetrics::add(&metrics.cleaned, total);
    if total > 0 {
        debug!(deleted = total, "outbox relay: cleaned up published rows");
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| map.get(name).cloned()
    }

    #[test]
    fn env_settings_override_the_defaults() {
        let config = RelayConfig::new("b")
            .with_vars(vars(&[
                ("NOVA_OUTBOX_BATCH_SIZE", "500"),
                ("NOVA_OUTBOX_BATCHES_IN_FLIGHT", "2"),
                ("NOVA_OUTBOX_ROUTING_HEADERS", "0"),
                ("NOVA_OUTBOX_POLL_MS", "250"),
                ("NOVA_OUTBOX_LINGER_MS", "0"),
                (
                    "NOVA_OUTBOX_PRODUCER_PROPERTIES",
                    "batch.num.messages=100, compression.type=lz4",
                ),
            ]))
            .expect("valid settings");
        assert_eq!(config.batch_size, 500);
        assert_eq!(config.max_batches_in_flight, 2);
        assert!(!config.routing_headers);
        assert_eq!(config.poll_interval, Duration::from_millis(250));
        let props: Vec<(&str, &str)> = config
            .producer_properties
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            props,
            vec![
                ("batch.num.messages", "100"),
                ("compression.type", "lz4"),
                ("linger.ms", "0")
            ]
        );
        assert!(
            !RelayConfig::new("b").routing_headers,
            "routing headers are opt-in"
        );
        let unset = RelayConfig::new("b").with_vars(|_| None).expect("defaults");
        assert_eq!(unset.batch_size, RelayConfig::new("b").batch_size);
        assert_eq!(unset.routing_headers, RelayConfig::new("b").routing_headers);
    }

    #[test]
    fn a_bad_value_names_the_variable() {
        let err = RelayConfig::new("b")
            .with_vars(vars(&[("NOVA_OUTBOX_BATCH_SIZE", "lots")]))
            .expect_err("not a number");
        assert_eq!(
            err.to_string(),
            "NOVA_OUTBOX_BATCH_SIZE=\"lots\": expected a non-negative integer"
        );
        let err = RelayConfig::new("b")
            .with_vars(vars(&[("NOVA_OUTBOX_ROUTING_HEADERS", "maybe")]))
            .expect_err("not a switch");
        assert!(err.to_string().starts_with("NOVA_OUTBOX_ROUTING_HEADERS="));
        let err = RelayConfig::new("b")
            .with_vars(vars(&[("NOVA_OUTBOX_PRODUCER_PROPERTIES", "linger.ms")]))
            .expect_err("no value");
        assert!(err.to_string().contains("key=value"));
    }
}
