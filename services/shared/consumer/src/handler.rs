//! The application's side of the consumer.

use std::future::Future;

use nova_events::Event;
use sqlx::PgConnection;

use crate::HandlerError;

/// Applies events. Runs inside the consumer's transaction: write the effect through
/// `conn` and it commits together with the processed-event record, exactly once.
pub trait Handler: Send + Sync + 'static {
    /// The highest schema version this handler understands for `event_type`, or
    /// `None` if it does not handle that type at all.
    fn supports(&self, event_type: &str) -> Option<u32>;

    /// Applies `event` using `conn` (an open transaction). Do not commit it.
    fn handle<'a>(
        &'a self,
        conn: &'a mut PgConnection,
        event: &'a Event,
    ) -> impl Future<Output = Result<(), HandlerError>> + Send + 'a;
}
