//! What can go wrong in a scaffold. Every error leaves the tree as it was.

use std::path::PathBuf;

/// A scaffold that could not be planned or written. Nothing was written.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    /// `--service` names no service of the workspace.
    #[error("unknown service `{name}`; the services are: {known}")]
    UnknownService {
        /// The name given.
        name: String,
        /// The services found, comma-separated.
        known: String,
    },
    /// A consumer of a topic that no `nova scaffold outbox` declared.
    #[error(
        "unknown topic `{topic}`: no `nova scaffold outbox` has declared it (run that first, or name --events of proto/events); known topics: {known}"
    )]
    UnknownTopic {
        /// The topic given.
        topic: String,
        /// The topics the lock knows, comma-separated.
        known: String,
    },
    /// An event the topic does not carry.
    #[error("unknown event `{event}` on topic `{topic}`; its events are: {known}")]
    UnknownEvent {
        /// The event given.
        event: String,
        /// The topic.
        topic: String,
        /// The topic's events, comma-separated.
        known: String,
    },
    /// A name that is not a valid identifier where it is used.
    #[error("invalid {what} `{value}`: {why}")]
    InvalidName {
        /// What the name is (service, topic, event, ...).
        what: &'static str,
        /// The name given.
        value: String,
        /// Why it is refused.
        why: String,
    },
    /// The place to edit in a person's file was not found.
    #[error(
        "{file}: cannot find where to {what}; nothing was written. Add by hand:\n{instructions}"
    )]
    MissingAnchor {
        /// The file that needs the edit (relative to the root).
        file: String,
        /// What the edit is for.
        what: String,
        /// The exact lines to add and where.
        instructions: String,
    },
    /// A person's file does not parse.
    #[error("{file}:{line}: {detail}")]
    Parse {
        /// The file (relative to the root).
        file: String,
        /// 1-based line of the error.
        line: usize,
        /// The parser's message.
        detail: String,
    },
    /// Generated content failed validation (a bug in nova): nothing was written.
    #[error("generated {file} is not valid {language}: {detail} (a nova bug; nothing was written)")]
    Invalid {
        /// The file (relative to the root).
        file: String,
        /// Rust, TOML or SQL.
        language: &'static str,
        /// The parser's message.
        detail: String,
    },
    /// Reading the tree failed.
    #[error("reading {}: {error}", path.display())]
    Read {
        /// The path.
        path: PathBuf,
        /// The I/O error (in the message, so not a `source`).
        error: std::io::Error,
    },
    /// Writing failed; the files already written were restored.
    #[error("writing {}: {error}; the tree was left as it was", path.display())]
    Write {
        /// The path.
        path: PathBuf,
        /// The I/O error (in the message, so not a `source`).
        error: std::io::Error,
    },
    /// `.nova/scaffold.lock` is not what nova writes.
    #[error("{}: {detail}", path.display())]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// What is wrong.
        detail: String,
    },
}
