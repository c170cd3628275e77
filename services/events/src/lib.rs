//! Event envelope and payloads (prost), generated from proto/events.
