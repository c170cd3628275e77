//! The shop's event bus: a transactional outbox, its relay, and consumer
//! registration. No topic is named here; each service names its own.

pub mod consumer;
pub mod outbox;
pub mod topics;
