//! Relay metrics: backlog, oldest unpublished age, publish rate, failures.

use std::sync::atomic::{AtomicU64, Ordering};

/// Live counters and gauges of one relay; share it with an exporter.
#[derive(Debug, Default)]
pub struct RelayMetrics {
    pub(crate) published: AtomicU64,
    pub(crate) failures: AtomicU64,
    pub(crate) batches: AtomicU64,
    pub(crate) order_gaps: AtomicU64,
    pub(crate) backlog: AtomicU64,
    pub(crate) oldest_unpublished_age_ms: AtomicU64,
    pub(crate) publish_rate_milli: AtomicU64,
    pub(crate) cleaned: AtomicU64,
}

/// A point-in-time copy of [`RelayMetrics`].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RelayMetricsSnapshot {
    /// Events published (delivery confirmed) since start.
    pub published_total: u64,
    /// Publish attempts that failed since start.
    pub failures_total: u64,
    /// Batches processed since start.
    pub batches_total: u64,
    /// Rows delivered after an earlier row of the same aggregate failed in the same
    /// batch (an order break; expected to stay 0).
    pub order_gaps_total: u64,
    /// Unpublished rows at the last measurement.
    pub backlog: u64,
    /// Age of the oldest unpublished row at the last measurement, in milliseconds.
    pub oldest_unpublished_age_ms: u64,
    /// Events published per second over the last measurement interval.
    pub publish_rate: f64,
    /// Published rows deleted by retention clean-up since start.
    pub cleaned_total: u64,
}

impl RelayMetrics {
    /// Reads all values.
    pub fn snapshot(&self) -> RelayMetricsSnapshot {
        RelayMetricsSnapshot {
            published_total: self.published.load(Ordering::Relaxed),
            failures_total: self.failures.load(Ordering::Relaxed),
            batches_total: self.batches.load(Ordering::Relaxed),
            order_gaps_total: self.order_gaps.load(Ordering::Relaxed),
            backlog: self.backlog.load(Ordering::Relaxed),
            oldest_unpublished_age_ms: self.oldest_unpublished_age_ms.load(Ordering::Relaxed),
            publish_rate: self.publish_rate_milli.load(Ordering::Relaxed) as f64 / 1000.0,
            cleaned_total: self.cleaned.load(Ordering::Relaxed),
        }
    }

    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        counter.fetch_add(n, Ordering::Relaxed);
    }

    pub(crate) fn set(gauge: &AtomicU64, v: u64) {
        gauge.store(v, Ordering::Relaxed);
    }
}
