//! Errors from decoding envelopes and payloads.

/// An envelope or payload could not be decoded.
#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    /// The bytes are not a valid protobuf message.
    #[error("invalid protobuf: {0}")]
    Protobuf(#[from] prost::DecodeError),
    /// The envelope's event id is not a UUID.
    #[error("invalid event id {value:?}: {source}")]
    EventId {
        /// The text found in the envelope.
        value: String,
        /// Why it is not a UUID.
        source: uuid::Error,
    },
    /// A required envelope field is missing or empty.
    #[error("envelope field `{0}` is missing")]
    MissingField(&'static str),
    /// The occurred-at timestamp is out of range.
    #[error("envelope timestamp is out of range")]
    Timestamp,
    /// The payload was requested as a type that does not match the event type.
    #[error("event type is {actual:?}, not {expected:?}")]
    WrongType {
        /// The type asked for.
        expected: &'static str,
        /// The type in the envelope.
        actual: String,
    },
}
