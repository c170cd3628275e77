//! gRPC, HTTP and Kafka facts. OWNED BY the graph-extraction work.

use serde::{Deserialize, Serialize};

/// gRPC/HTTP/Kafka facts from one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct GraphFacts {}

/// Walk `file` and collect graph facts.
pub fn collect(_file: &syn::File, _in_test_file: bool, _out: &mut GraphFacts) {}
