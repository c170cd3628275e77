//! Linking: tie names (packages, dirs, deployments, env vars, proto services) to services and resolve raw facts into edges and topics.
