//! Linking: tie names (packages, dirs, deployments, env vars, proto
//! services) to services and resolve raw per-file facts into edges, topics,
//! infrastructure and per-function facts.
//!
//! [`link`] is a pure function of [`LinkInput`].

use nova_model::{Access, Diagnostic, Edge, FunctionFacts, Infra, ProtoService, Service, Topic};
use nova_rust::unit::Crate;

/// Everything the linker needs.
#[derive(Debug, Clone, Copy)]
pub struct LinkInput<'a> {
    /// Every Cargo package with its parsed files (services and libraries).
    pub crates: &'a [Crate],
    /// Deployable units, as discovered (with aliases from config).
    pub services: &'a [Service],
    /// gRPC services from `.proto` files (those inside `manifests` are used
    /// too; duplicates by location are merged).
    pub protos: &'a [ProtoService],
    /// Facts from manifests (k8s, compose, helm, service config, proto).
    pub manifests: &'a [nova_manifests::ManifestFacts],
    /// Relational accesses (for dual-write and dedupe function facts).
    pub accesses: &'a [Access],
    pub config: &'a nova_config::Config,
}

/// What linking produced; every collection is sorted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LinkOutput {
    pub edges: Vec<Edge>,
    pub topics: Vec<Topic>,
    pub infrastructure: Vec<Infra>,
    pub functions: Vec<FunctionFacts>,
    /// Proto services with `implemented_by` filled.
    pub proto_services: Vec<ProtoService>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Resolve the raw facts of `input` into the graph part of the model.
pub fn link(input: &LinkInput<'_>) -> LinkOutput {
    let _ = input;
    LinkOutput::default()
}
