//! gRPC statuses that mean something.

use tonic::Status;

/// `InvalidArgument` naming the field: ``field `title`: must not be empty``.
pub fn invalid_argument(field: &str, reason: impl std::fmt::Display) -> Status {
    Status::invalid_argument(format!("field `{field}`: {reason}"))
}

/// `Internal` for an unexpected failure: logged with its detail, the client
/// sees only `what` failed.
pub fn internal(what: &str, error: impl std::fmt::Display) -> Status {
    tracing::error!(%error, "{what}");
    Status::internal(format!("{what} failed"))
}
