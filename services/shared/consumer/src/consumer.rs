//! The consumer loop: decode, dedupe, apply, commit the transaction, then the offset.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use futures::FutureExt;
use nova_events::{Event, headers};
use rdkafka::client::ClientContext;
use rdkafka::consumer::{
    BaseConsumer, CommitMode, Consumer as _, ConsumerContext, Rebalance, StreamConsumer,
};
use rdkafka::message::{Header, Headers, Message, OwnedHeaders, OwnedMessage};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use sqlx::PgPool;
use tracing::{Instrument, debug, error, info, info_span, warn};

use crate::metrics::ConsumerMetrics;
use crate::{ConsumerConfig, ConsumerError, Handler, HandlerError, UnsupportedPolicy};

const RECORD_PROCESSED: &str = "\
INSERT INTO nova_processed_events (consumer_group, event_id, event_type, topic, kafka_partition, kafka_offset)
VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT DO NOTHING";

/// What happened to one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The effect was applied and committed.
    Applied,
    /// The event id was already processed; nothing was done.
    Duplicate,
    /// Skipped by policy (unknown type or newer version).
    Skipped,
    /// Sent to the dead-letter topic, with this reason code.
    DeadLettered(&'static str),
}

type CommitHook = Arc<dyn Fn(&Event) + Send + Sync>;

/// Next offset to commit per (topic, partition): only offsets of messages whose
/// database transaction has committed (or that were skipped/dead-lettered).
#[derive(Debug, Default, Clone)]
struct PendingOffsets(Arc<Mutex<BTreeMap<(String, i32), i64>>>);

impl PendingOffsets {
    fn lock(&self) -> MutexGuard<'_, BTreeMap<(String, i32), i64>> {
        match self.0.lock() {
            Ok(g) => g,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Commits the pending offsets (those of `only` partitions, if given) and
    /// forgets the committed ones; failures stay pending for the next attempt.
    fn commit<C: ConsumerContext>(
        &self,
        consumer: &impl rdkafka::consumer::Consumer<C>,
        only: Option<&TopicPartitionList>,
        mode: CommitMode,
    ) {
        let mut pending = self.lock();
        let mut tpl = TopicPartitionList::new();
        for ((topic, partition), offset) in pending.iter() {
            if only.is_some_and(|o| o.find_partition(topic, *partition).is_none()) {
                continue;
            }
            if let Err(e) = tpl.add_partition_offset(topic, *partition, Offset::Offset(*offset)) {
                warn!(error = %e, "consumer: bad offset");
            }
        }
        if tpl.count() == 0 {
            return;
        }
        match consumer.commit(&tpl, mode) {
            Ok(()) => {
                for e in tpl.elements() {
                    pending.remove(&(e.topic().to_owned(), e.partition()));
                }
            }
            Err(e) => warn!(error = %e, "consumer: offset commit failed; will retry"),
        }
    }
}

/// The Kafka consumer's context: before partitions are revoked in a rebalance,
/// commits their processed offsets, so the next owner starts after them instead
/// of redelivering (and deduplicating) what this consumer already applied.
/// Rebalance callbacks run inside `recv`, i.e. between messages, so every
/// pending offset belongs to a message whose transaction already committed.
struct CommitOnRevoke {
    pending: PendingOffsets,
    /// Counts revocations, so the loop can tell whether one happened while it
    /// was collecting a batch (its messages may then belong to another owner).
    revocations: Arc<AtomicU64>,
}

impl ClientContext for CommitOnRevoke {}

impl ConsumerContext for CommitOnRevoke {
    fn pre_rebalance(&self, base_consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(revoked) = rebalance {
            self.revocations.fetch_add(1, Ordering::SeqCst);
            debug!(
                partitions = revoked.count(),
                "consumer: partitions revoked; committing their offsets"
            );
            self.pending
                .commit(base_consumer, Some(revoked), CommitMode::Sync);
        }
    }
}

/// An idempotent consumer running `H` for each event.
pub struct Consumer<H> {
    pool: PgPool,
    config: ConsumerConfig,
    handler: H,
    consumer: StreamConsumer<CommitOnRevoke>,
    pending: PendingOffsets,
    revocations: Arc<AtomicU64>,
    dlq: FutureProducer,
    metrics: Arc<ConsumerMetrics>,
    after_commit: Option<CommitHook>,
}

impl<H> std::fmt::Debug for Consumer<H> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Consumer")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Why applying failed: the handler (counts toward `max_attempts`) or the
/// consumer's own database work (retried without limit: an outage is not poison).
enum ApplyError {
    Handler(HandlerError),
    Database(sqlx::Error),
}

impl<H: Handler> Consumer<H> {
    /// Creates the Kafka consumer (subscribed) and the dead-letter producer.
    pub fn new(pool: PgPool, config: ConsumerConfig, handler: H) -> Result<Self, ConsumerError> {
        if config.topics.is_empty() {
            return Err(ConsumerError::Config("no topics to consume".into()));
        }
        if config.max_attempts == 0 {
            return Err(ConsumerError::Config(
                "max_attempts must be at least 1".into(),
            ));
        }
        let mut cc = ClientConfig::new();
        cc.set("bootstrap.servers", &config.bootstrap_servers)
            .set("group.id", &config.group_id)
            .set("enable.auto.commit", "false")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .set("enable.partition.eof", "false")
            .set(
                "session.timeout.ms",
                config.session_timeout.as_millis().to_string(),
            )
            .set("client.id", "nova-consumer");
        for (k, v) in &config.consumer_properties {
            cc.set(k, v);
        }
        warn_small_fetch(&config.consumer_properties);
        let pending = PendingOffsets::default();
        let revocations = Arc::new(AtomicU64::new(0));
        let consumer: StreamConsumer<CommitOnRevoke> = cc.create_with_context(CommitOnRevoke {
            pending: pending.clone(),
            revocations: Arc::clone(&revocations),
        })?;
        let topics: Vec<&str> = config.topics.iter().map(String::as_str).collect();
        consumer.subscribe(&topics)?;
        let dlq: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", &config.bootstrap_servers)
            .set("enable.idempotence", "true")
            .set("acks", "all")
            .set("message.timeout.ms", "30000")
            .set("client.id", "nova-consumer-dlq")
            .create()?;
        Ok(Self {
            pool,
            config,
            handler,
            consumer,
            pending,
            revocations,
            dlq,
            metrics: Arc::new(ConsumerMetrics::default()),
            after_commit: None,
        })
    }

    /// The consumer's metrics (shared; keeps updating while it runs).
    pub fn metrics(&self) -> Arc<ConsumerMetrics> {
        Arc::clone(&self.metrics)
    }

    /// Calls `hook` after each event's transaction committed, before its offset is
    /// stored (for observability, and for crash tests that stop the process there).
    #[must_use]
    pub fn on_committed(mut self, hook: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        self.after_commit = Some(Arc::new(hook));
        self
    }

    /// Consumes until `shutdown` completes, then commits the processed offsets.
    pub async fn run<F>(self, shutdown: F) -> Result<(), ConsumerError>
    where
        F: Future<Output = ()> + Send,
    {
        let mut shutdown = Box::pin(shutdown.fuse());
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let cleaner = tokio::spawn(clean_periodically(
            self.pool.clone(),
            self.config.clone(),
            Arc::clone(&self.metrics),
            stop_rx,
        ));
        info!(group = %self.config.group_id, topics = ?self.config.topics, "consumer: started");
        let mut last_commit = Instant::now();
        let result = loop {
            let msg = tokio::select! {
                () = &mut shutdown => break Ok(()),
                m = self.consumer.recv() => m.map(|m| m.detach()),
            };
            let msg = match msg {
                Ok(m) => m,
                Err(e) => {
                    warn!(error = %e, "consumer: receive failed");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            };
            let revocations = self.revocations.load(Ordering::SeqCst);
            let mut batch = vec![msg];
            // The messages already fetched join the batch, without waiting.
            while batch.len() < self.config.max_batch {
                match self.consumer.recv().now_or_never() {
                    Some(Ok(m)) => batch.push(m.detach()),
                    Some(Err(e)) => {
                        warn!(error = %e, "consumer: receive failed");
                        break;
                    }
                    None => break,
                }
            }
            // A revocation while collecting: some messages may belong to partitions
            // now owned by another consumer. Applying them is harmless (deduplicated),
            // but only offsets of partitions still assigned may be committed.
            let owned = (self.revocations.load(Ordering::SeqCst) != revocations)
                .then(|| self.consumer.assignment().ok());
            let processed = {
                let work = self.process_batch(&batch, owned.as_ref().map(Option::as_ref));
                tokio::pin!(work);
                tokio::select! {
                    () = &mut work => true,
                    // Abandon the rest on shutdown: offsets of messages not committed
                    // are not stored, so they are delivered again (and deduplicated).
                    () = &mut shutdown => false,
                }
            };
            if !processed {
                break Ok(());
            }
            if last_commit.elapsed() >= self.config.commit_interval {
                self.pending.commit(&self.consumer, None, CommitMode::Async);
                last_commit = Instant::now();
            }
        };
        self.pending.commit(&self.consumer, None, CommitMode::Sync);
        let _ = stop_tx.send(true);
        let _ = cleaner.await;
        info!(group = %self.config.group_id, "consumer: stopped");
        result
    }

    /// Processes `batch` to completion: in one transaction if every message is an
    /// event the handler applies without error, else one message at a time. Stores
    /// each message's offset once its transaction has committed (only for
    /// partitions in `owned`, when given: `Some(None)` = none).
    async fn process_batch(
        &self,
        batch: &[OwnedMessage],
        owned: Option<Option<&TopicPartitionList>>,
    ) {
        let store = |msg: &OwnedMessage| {
            let keep = match owned {
                None => true,
                Some(None) => false,
                Some(Some(tpl)) => tpl.find_partition(msg.topic(), msg.partition()).is_some(),
            };
            if keep {
                self.pending
                    .lock()
                    .insert((msg.topic().to_owned(), msg.partition()), msg.offset() + 1);
            }
        };
        if batch.len() > 1 && self.apply_batch(batch).await {
            batch.iter().for_each(store);
            return;
        }
        for msg in batch {
            self.process(msg).await;
            // The transaction has committed: only now may the offset move past it.
            store(msg);
        }
    }

    /// Applies every message of `batch` in one transaction (one processed-event
    /// row per event; duplicates skipped). Returns false, with nothing applied,
    /// if any message is not a supported event or its handler (or the database)
    /// fails: the caller then processes them one by one.
    async fn apply_batch(&self, batch: &[OwnedMessage]) -> bool {
        let mut events = Vec::with_capacity(batch.len());
        for msg in batch {
            let Ok(event) = Event::decode(msg.payload().unwrap_or_default()) else {
                return false;
            };
            match self.handler.supports(&event.event_type) {
                Some(max) if event.schema_version <= max => events.push(event),
                _ => return false,
            }
        }
        let Ok(mut tx) = self.pool.begin().await else {
            return false;
        };
        let mut applied = Vec::with_capacity(events.len());
        let mut duplicates = 0u64;
        for (msg, event) in batch.iter().zip(&events) {
            if self.config.deduplicate {
                let inserted = sqlx::query(RECORD_PROCESSED)
                    .bind(&self.config.group_id)
                    .bind(event.id)
                    .bind(&event.event_type)
                    .bind(msg.topic())
                    .bind(msg.partition())
                    .bind(msg.offset())
                    .execute(&mut *tx)
                    .await;
                match inserted {
                    Ok(r) if r.rows_affected() == 0 => {
                        duplicates += 1;
                        debug!(event_id = %event.id, "consumer: duplicate skipped");
                        continue;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        debug!(error = %e, "consumer: batch failed; one by one");
                        return false;
                    }
                }
            }
            if let Err(e) = self.handler.handle(&mut tx, event).await {
                debug!(error = %e, event_id = %event.id, "consumer: batch failed; one by one");
                return false;
            }
            applied.push(event);
        }
        if let Err(e) = tx.commit().await {
            debug!(error = %e, "consumer: batch commit failed; one by one");
            return false;
        }
        self.metrics
            .duplicates
            .fetch_add(duplicates, Ordering::Relaxed);
        self.metrics
            .applied
            .fetch_add(applied.len() as u64, Ordering::Relaxed);
        if let Some(hook) = &self.after_commit {
            applied.into_iter().for_each(|e| hook(e));
        }
        true
    }

    /// Processes one message to completion: applied, duplicate, skipped or
    /// dead-lettered. Returns only once the message may be committed.
    pub async fn process(&self, msg: &OwnedMessage) -> Outcome {
        let span = info_span!(
            "consumer.message",
            topic = msg.topic(),
            partition = msg.partition(),
            offset = msg.offset(),
            event_id = tracing::field::Empty,
            event_type = tracing::field::Empty,
        );
        self.process_inner(msg, &span)
            .instrument(span.clone())
            .await
    }

    async fn process_inner(&self, msg: &OwnedMessage, span: &tracing::Span) -> Outcome {
        let event = match Event::decode(msg.payload().unwrap_or_default()) {
            Ok(e) => e,
            Err(e) => {
                return self
                    .dead_letter(
                        msg,
                        "undecodable",
                        &format!("cannot decode envelope: {e}"),
                        0,
                    )
                    .await;
            }
        };
        span.record("event_id", tracing::field::display(event.id));
        span.record("event_type", event.event_type.as_str());
        match self.handler.supports(&event.event_type) {
            None => {
                return self
                    .unsupported(
                        msg,
                        self.config.unknown_type,
                        "unknown-type",
                        &format!("no handler for event type {:?}", event.event_type),
                    )
                    .await;
            }
            Some(max) if event.schema_version > max => {
                return self
                    .unsupported(
                        msg,
                        self.config.newer_version,
                        "newer-version",
                        &format!(
                            "{} schema version {} is newer than the supported {max}",
                            event.event_type, event.schema_version
                        ),
                    )
                    .await;
            }
            Some(_) => {}
        }
        let mut attempt = 0u32;
        let mut db_failures = 0u32;
        loop {
            match self.apply(msg, &event).await {
                Ok(outcome) => return outcome,
                Err(ApplyError::Database(e)) => {
                    db_failures += 1;
                    let wait = self.config.backoff(db_failures);
                    warn!(error = %e, ?wait, "consumer: database unavailable; retrying");
                    tokio::time::sleep(wait).await;
                }
                Err(ApplyError::Handler(e)) => {
                    attempt += 1;
                    if e.is_permanent() || attempt >= self.config.max_attempts {
                        return self
                            .dead_letter(msg, "handler-failed", &e.to_string(), attempt)
                            .await;
                    }
                    ConsumerMetrics::inc(&self.metrics.retries);
                    let wait = self.config.backoff(attempt);
                    warn!(error = %e, attempt, ?wait, "consumer: handler failed; retrying");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    async fn unsupported(
        &self,
        msg: &OwnedMessage,
        policy: UnsupportedPolicy,
        reason: &'static str,
        detail: &str,
    ) -> Outcome {
        match policy {
            UnsupportedPolicy::Skip => {
                let counter = if reason == "unknown-type" {
                    &self.metrics.skipped_unknown_type
                } else {
                    &self.metrics.skipped_newer_version
                };
                ConsumerMetrics::inc(counter);
                debug!(reason, detail, "consumer: skipped");
                Outcome::Skipped
            }
            UnsupportedPolicy::DeadLetter => self.dead_letter(msg, reason, detail, 0).await,
        }
    }

    /// One attempt: record the id (unless already there), run the handler, commit.
    async fn apply(&self, msg: &OwnedMessage, event: &Event) -> Result<Outcome, ApplyError> {
        let mut tx = self.pool.begin().await.map_err(ApplyError::Database)?;
        if self.config.deduplicate {
            let inserted = sqlx::query(RECORD_PROCESSED)
                .bind(&self.config.group_id)
                .bind(event.id)
                .bind(&event.event_type)
                .bind(msg.topic())
                .bind(msg.partition())
                .bind(msg.offset())
                .execute(&mut *tx)
                .await
                .map_err(ApplyError::Database)?
                .rows_affected();
            if inserted == 0 {
                drop(tx);
                ConsumerMetrics::inc(&self.metrics.duplicates);
                debug!("consumer: duplicate skipped");
                return Ok(Outcome::Duplicate);
            }
        }
        self.handler
            .handle(&mut tx, event)
            .await
            .map_err(ApplyError::Handler)?;
        tx.commit().await.map_err(ApplyError::Database)?;
        ConsumerMetrics::inc(&self.metrics.applied);
        if let Some(hook) = &self.after_commit {
            hook(event);
        }
        Ok(Outcome::Applied)
    }

    /// Publishes `msg` to `<topic><dlq_suffix>` with the error in headers. Retries
    /// until the dead-letter topic takes it: a message is never dropped silently.
    async fn dead_letter(
        &self,
        msg: &OwnedMessage,
        reason: &'static str,
        error_text: &str,
        attempts: u32,
    ) -> Outcome {
        let topic = format!("{}{}", msg.topic(), self.config.dlq_suffix);
        let partition = msg.partition().to_string();
        let offset = msg.offset().to_string();
        let attempts_text = attempts.to_string();
        let mut failures = 0u32;
        loop {
            let mut hdrs = OwnedHeaders::new();
            if let Some(original) = msg.headers() {
                for h in original.iter() {
                    hdrs = hdrs.insert(Header {
                        key: h.key,
                        value: h.value,
                    });
                }
            }
            for (key, value) in [
                (headers::DLQ_REASON, reason),
                (headers::DLQ_ERROR, error_text),
                (headers::DLQ_ATTEMPTS, attempts_text.as_str()),
                (headers::DLQ_ORIGINAL_TOPIC, msg.topic()),
                (headers::DLQ_ORIGINAL_PARTITION, partition.as_str()),
                (headers::DLQ_ORIGINAL_OFFSET, offset.as_str()),
                (headers::DLQ_CONSUMER_GROUP, self.config.group_id.as_str()),
            ] {
                hdrs = hdrs.insert(Header {
                    key,
                    value: Some(value.as_bytes()),
                });
            }
            let mut record = FutureRecord::<[u8], [u8]>::to(&topic).headers(hdrs);
            if let Some(key) = msg.key() {
                record = record.key(key);
            }
            if let Some(payload) = msg.payload() {
                record = record.payload(payload);
            }
            match self.dlq.send(record, Duration::from_secs(5)).await {
                Ok(_) => {
                    ConsumerMetrics::inc(&self.metrics.dead_lettered);
                    warn!(reason, error = error_text, dlq = %topic, "consumer: dead-lettered");
                    return Outcome::DeadLettered(reason);
                }
                Err((e, _)) => {
                    failures += 1;
                    let wait = self.config.backoff(failures);
                    error!(error = %e, dlq = %topic, ?wait, "consumer: dead-letter publish failed; retrying");
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }
}

/// Smallest per-partition fetch size that is safe with every broker nova runs on.
const MIN_SAFE_PARTITION_FETCH: u64 = 1_048_576;

/// Warns about a `max.partition.fetch.bytes` below 1 MiB: some Kafka-compatible
/// brokers (tansu 0.6) answer a fetch that starts inside a record batch larger
/// than the limit with the same truncated batch again, so the consumer stops at
/// that offset for good (seen as a consumer stuck at a round number of events).
fn warn_small_fetch(properties: &BTreeMap<String, String>) {
    if let Some(v) = properties.get("max.partition.fetch.bytes")
        && v.parse::<u64>().is_ok_and(|b| b < MIN_SAFE_PARTITION_FETCH)
    {
        warn!(
            max_partition_fetch_bytes = %v,
            "consumer: max.partition.fetch.bytes below 1 MiB; a producer batch larger than this can stall the consumer on some brokers"
        );
    }
}

/// Deletes processed-event rows older than `retention` (all groups); returns how
/// many. A running [`Consumer`] does this every `cleanup_interval`.
pub async fn clean_processed_events(
    pool: &PgPool,
    retention: Duration,
) -> Result<u64, sqlx::Error> {
    let mut total = 0;
    loop {
        let n = sqlx::query(
            "DELETE FROM nova_processed_events WHERE ctid IN (
                SELECT ctid FROM nova_processed_events
                WHERE processed_at < now() - make_interval(secs => $1)
                LIMIT 5000)",
        )
        .bind(retention.as_secs_f64())
        .execute(pool)
        .await?
        .rows_affected();
        total += n;
        if n < 5000 {
            return Ok(total);
        }
    }
}

async fn clean_periodically(
    pool: PgPool,
    config: ConsumerConfig,
    metrics: Arc<ConsumerMetrics>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match clean_processed_events(&pool, config.retention).await {
            Ok(n) => {
                metrics
                    .cleaned
                    .fetch_add(n, std::sync::atomic::Ordering::Relaxed);
            }
            Err(e) => warn!(error = %e, "consumer: processed-events clean-up failed"),
        }
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep(config.cleanup_interval) => {}
        }
    }
}
