//! Consumer metrics.

use std::sync::atomic::{AtomicU64, Ordering};

/// Live counters of one consumer.
#[derive(Debug, Default)]
pub struct ConsumerMetrics {
    pub(crate) applied: AtomicU64,
    pub(crate) duplicates: AtomicU64,
    pub(crate) retries: AtomicU64,
    pub(crate) dead_lettered: AtomicU64,
    pub(crate) skipped_unknown_type: AtomicU64,
    pub(crate) skipped_newer_version: AtomicU64,
    pub(crate) cleaned: AtomicU64,
}

/// A point-in-time copy of [`ConsumerMetrics`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ConsumerMetricsSnapshot {
    /// Events whose effect was applied (transaction committed).
    pub applied_total: u64,
    /// Events skipped because their id was already processed.
    pub duplicates_total: u64,
    /// Handler retries.
    pub retries_total: u64,
    /// Messages sent to the dead-letter topic.
    pub dead_lettered_total: u64,
    /// Messages skipped because no handler knows their event type.
    pub skipped_unknown_type_total: u64,
    /// Messages skipped because their schema version is newer than the handler's.
    pub skipped_newer_version_total: u64,
    /// Processed-event rows deleted by retention clean-up.
    pub cleaned_total: u64,
}

impl ConsumerMetrics {
    /// Reads all values.
    pub fn snapshot(&self) -> ConsumerMetricsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        ConsumerMetricsSnapshot {
            applied_total: get(&self.applied),
            duplicates_total: get(&self.duplicates),
            retries_total: get(&self.retries),
            dead_lettered_total: get(&self.dead_lettered),
            skipped_unknown_type_total: get(&self.skipped_unknown_type),
            skipped_newer_version_total: get(&self.skipped_newer_version),
            cleaned_total: get(&self.cleaned),
        }
    }

    pub(crate) fn inc(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }
}
