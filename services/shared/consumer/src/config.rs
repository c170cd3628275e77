//! Consumer settings.

use std::collections::BTreeMap;
use std::time::Duration;

/// What to do with a message the handler cannot understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnsupportedPolicy {
    /// Skip it (counted in the metrics) and move on.
    Skip,
    /// Send it to the dead-letter topic and move on.
    DeadLetter,
}

/// Consumer settings. [`ConsumerConfig::new`] gives production defaults.
#[derive(Debug, Clone)]
pub struct ConsumerConfig {
    /// Kafka `bootstrap.servers`.
    pub bootstrap_servers: String,
    /// Consumer group id (also the dedupe scope in `nova_processed_events`).
    pub group_id: String,
    /// Topics to consume.
    pub topics: Vec<String>,
    /// Handler attempts before a message is dead-lettered.
    pub max_attempts: u32,
    /// First retry delay; doubles per attempt.
    pub retry_backoff: Duration,
    /// Longest retry delay.
    pub retry_backoff_max: Duration,
    /// Dead-letter topic = source topic + this suffix.
    pub dlq_suffix: String,
    /// Policy for event types the handler does not support.
    pub unknown_type: UnsupportedPolicy,
    /// Policy for schema versions newer than the handler supports.
    pub newer_version: UnsupportedPolicy,
    /// How often processed offsets are committed (asynchronously); they are also
    /// committed synchronously on shutdown.
    pub commit_interval: Duration,
    /// Kafka `session.timeout.ms`.
    pub session_timeout: Duration,
    /// Processed-event rows are deleted after this long (the dedupe window).
    pub retention: Duration,
    /// How often old processed-event rows are deleted.
    pub cleanup_interval: Duration,
    /// Record event ids and skip duplicates. Turn off only for handlers that are
    /// idempotent by themselves (or to measure the cost of deduplication).
    pub deduplicate: bool,
    /// Most messages applied in one transaction: after a message arrives, those
    /// already fetched (available without waiting) join it, up to this many, and
    /// are applied together (one processed-event row each). If any of them fails,
    /// the batch is rolled back and its messages are processed one by one (so a
    /// failing event is retried and dead-lettered alone). 1 = one transaction per
    /// message.
    pub max_batch: usize,
    /// Extra librdkafka consumer properties.
    pub consumer_properties: BTreeMap<String, String>,
}

impl ConsumerConfig {
    /// Defaults for `group_id` consuming `topics` from `bootstrap_servers`.
    pub fn new(
        bootstrap_servers: impl Into<String>,
        group_id: impl Into<String>,
        topics: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            bootstrap_servers: bootstrap_servers.into(),
            group_id: group_id.into(),
            topics: topics.into_iter().map(Into::into).collect(),
            max_attempts: 5,
            retry_backoff: Duration::from_millis(100),
            retry_backoff_max: Duration::from_secs(10),
            dlq_suffix: ".dlq".to_owned(),
            unknown_type: UnsupportedPolicy::Skip,
            newer_version: UnsupportedPolicy::DeadLetter,
            commit_interval: Duration::from_millis(200),
            session_timeout: Duration::from_secs(10),
            retention: Duration::from_secs(7 * 24 * 3600),
            cleanup_interval: Duration::from_secs(300),
            deduplicate: true,
            max_batch: 256,
            consumer_properties: BTreeMap::new(),
        }
    }

    /// Retry delay before attempt `attempt + 1` (attempt counts from 1).
    pub fn backoff(&self, attempt: u32) -> Duration {
        let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
        self.retry_backoff
            .saturating_mul(factor)
            .min(self.retry_backoff_max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let mut c = ConsumerConfig::new("b", "g", ["t"]);
        c.retry_backoff = Duration::from_millis(100);
        c.retry_backoff_max = Duration::from_millis(500);
        let got: Vec<u128> = (1..=5).map(|a| c.backoff(a).as_millis()).collect();
        assert_eq!(got, vec![100, 200, 400, 500, 500]);
    }
}
