use crate::Location;
use serde::{Deserialize, Serialize};

/// What a service's own code and manifests are made of, for the
/// architecture inventory (`nova inventory`). Counted lexically, without
/// the parser: see `nova-scan`'s `code` module for the exact rules.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceCode {
    pub service: String,
    /// Binary targets of its Cargo package.
    pub binaries: Vec<String>,
    /// Rust files of the package outside `tests/`, `benches/`, `examples/`.
    pub rust_files: u64,
    /// Lines of those files that hold code (not blank, not only a comment).
    pub lines_of_code: u64,
    /// Test functions (`#[test]`, `#[tokio::test]`, `#[sqlx::test]`, ...)
    /// anywhere in the package, `tests/` included.
    pub tests: u64,
    /// HTTP routes its code declares.
    pub routes: Vec<Route>,
    /// Kubernetes workloads and docker-compose services that deploy it.
    pub deployments: Vec<Deployment>,
}

/// An HTTP route declared in code (axum `.route`, actix/rocket attributes).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// `GET`, `POST`, ... (`ANY` when the method is not named).
    pub method: String,
    pub path: String,
    pub location: Location,
}

/// A manifest entry deploying a service.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deployment {
    /// `Deployment`, `StatefulSet`, ..., or `compose`.
    pub kind: String,
    pub name: String,
    pub location: Location,
}
