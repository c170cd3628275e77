//! The dependency graph (petgraph) built from the model: cycles, layers,
//! longest synchronous chain.
//!
//! [`ServiceGraph::build`] turns a [`nova_model::Model`] into a graph whose
//! nodes are services, infrastructure and Kafka topics, and whose edges are
//! the model's dependencies (grpc, http, startup, kafka) plus the
//! produce/consume links between services and topics. Everything here is a
//! pure, deterministic function of the model.
//!
//! Definitions used throughout:
//! - a **synchronous edge** is a grpc, http or startup edge between two
//!   services (edges to infrastructure do not count);
//! - a **sync cycle** is a strongly connected component (Tarjan) of the
//!   synchronous service graph with more than one service, or a service
//!   calling itself;
//! - **layers**: Layer 0 is infrastructure; Layer 1 holds services with no
//!   outgoing synchronous edge to another service; a service's layer is one
//!   more than the highest layer it calls synchronously (the members of a
//!   cycle are collapsed into one node and share a layer, so layering always
//!   terminates); gateways ([`ServiceKind::Gateway`]) all sit on one top
//!   layer above every other service (at least Layer 2). Edges *into* a
//!   gateway are ignored when layering the other services;
//! - the **longest synchronous chain** is the longest simple path of
//!   synchronous edges between services; its availability is
//!   `per_hop ^ hops` (four hops at 99.9% each: 0.999^4 ≈ 99.6%).

mod chain;
mod layers;

pub use chain::Chain;

use nova_model::{EdgeKind, Evidence, InfraKind, Model, ServiceKind, TopicVia};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Default availability of one synchronous hop (99.9%).
pub const DEFAULT_HOP_AVAILABILITY: f64 = 0.999;

/// Longest-chain search on cyclic graphs is exhaustive up to this many
/// steps; beyond it the best chain found so far is returned.
pub const CHAIN_SEARCH_BUDGET: usize = 1_000_000;

/// Options for [`ServiceGraph::build`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GraphOptions {
    /// Keep only synchronous edges (grpc, http, startup): no topics, no kafka.
    pub sync_only: bool,
    /// Keep only this service (name or alias) and its direct neighbours.
    pub focus: Option<String>,
}

/// Errors building a graph.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GraphError {
    /// `focus` names no service of the model.
    #[error("unknown service `{0}` (not found among the scanned services or their aliases)")]
    UnknownService(String),
}

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// A database, broker, cache or object store (Layer 0).
    Infrastructure,
    /// A deployable service with code in the tree.
    Service,
    /// A gateway (top layer).
    Gateway,
    /// A service known only by name (declared, or the target of a call).
    External,
    /// A Kafka topic.
    Topic,
}

impl NodeKind {
    /// Services, gateways and external services are "services".
    pub fn is_service(self) -> bool {
        matches!(
            self,
            NodeKind::Service | NodeKind::Gateway | NodeKind::External
        )
    }

    /// Short prefix used in node ids.
    fn prefix(self) -> &'static str {
        match self {
            NodeKind::Infrastructure => "infra",
            NodeKind::Topic => "topic",
            _ => "service",
        }
    }
}

/// A node of the graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Node {
    /// Unique id: `service:NAME`, `infra:NAME` or `topic:NAME`.
    pub id: String,
    pub name: String,
    pub kind: NodeKind,
    /// The infrastructure kind, for infrastructure nodes.
    pub infra: Option<InfraKind>,
    /// Layer (0 = infrastructure); `None` for topics.
    pub layer: Option<u32>,
    /// True when the node is part of a synchronous cycle.
    pub in_cycle: bool,
}

/// A dependency edge, as in the model: grpc/http/startup from caller to
/// callee, kafka from producer to consumer (with the topics in `via`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphEdge {
    /// Node id of the source.
    pub from_id: String,
    /// Node id of the target.
    pub to_id: String,
    pub from: String,
    pub to: String,
    pub kind: EdgeKind,
    /// RPCs, URLs, topics or manifest files (sorted).
    pub via: Vec<String>,
    pub evidence: Vec<Evidence>,
}

impl GraphEdge {
    /// True for grpc/http/startup edges between two services.
    pub fn is_sync_between_services(&self) -> bool {
        self.kind.is_sync()
            && self.from_id.starts_with("service:")
            && self.to_id.starts_with("service:")
    }
}

/// Direction of a service–topic link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkDirection {
    /// The service produces to the topic.
    Produces,
    /// The service consumes the topic.
    Consumes,
}

/// A service producing to or consuming from a topic.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TopicLink {
    pub service: String,
    pub topic: String,
    pub direction: LinkDirection,
    /// How it reaches the topic (direct, outbox, config only).
    pub via: TopicVia,
}

/// One layer of the layering.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Layer {
    pub index: u32,
    /// Node names in this layer, sorted.
    pub nodes: Vec<String>,
}

/// Fan-in and fan-out of one service, counted as distinct peer services.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fan {
    pub service: String,
    /// Services calling it synchronously.
    pub sync_in: usize,
    /// Services it calls synchronously.
    pub sync_out: usize,
    /// Services producing events it consumes.
    pub async_in: usize,
    /// Services consuming events it produces.
    pub async_out: usize,
}

/// The dependency graph of one model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceGraph {
    nodes: Vec<Node>,
    edges: Vec<GraphEdge>,
    topic_links: Vec<TopicLink>,
    cycles: Vec<Vec<String>>,
    layers: Vec<Layer>,
}

fn node_id(kind: NodeKind, name: &str) -> String {
    format!("{}:{}", kind.prefix(), name)
}

impl ServiceGraph {
    /// Build the graph of `model`.
    ///
    /// Layers and cycles are always computed on the whole model; `focus`
    /// then narrows the nodes and edges to one neighbourhood, and
    /// `sync_only` drops topics and kafka edges.
    pub fn build(model: &Model, options: &GraphOptions) -> Result<ServiceGraph, GraphError> {
        let full = Self::build_full(model);
        let mut graph = match &options.focus {
            Some(name) => {
                let canonical = model
                    .services
                    .iter()
                    .find(|s| s.is_named(name))
                    .map(|s| s.name.clone())
                    .or_else(|| {
                        full.node(&node_id(NodeKind::Service, name))
                            .map(|n| n.name.clone())
                    })
                    .ok_or_else(|| GraphError::UnknownService(name.clone()))?;
                full.neighbourhood(&canonical)
                    .ok_or(GraphError::UnknownService(canonical))?
            }
            None => full,
        };
        if options.sync_only {
            graph.edges.retain(|e| e.kind.is_sync());
            graph.topic_links.clear();
            graph.nodes.retain(|n| n.kind != NodeKind::Topic);
        }
        Ok(graph)
    }

    fn build_full(model: &Model) -> ServiceGraph {
        let mut nodes: BTreeMap<String, Node> = BTreeMap::new();
        let add = |nodes: &mut BTreeMap<String, Node>,
                   kind: NodeKind,
                   name: &str,
                   infra: Option<InfraKind>|
         -> String {
            let id = node_id(kind, name);
            nodes.entry(id.clone()).or_insert_with(|| Node {
                id: id.clone(),
                name: name.to_string(),
                kind,
                infra,
                layer: None,
                in_cycle: false,
            });
            id
        };
        for s in &model.services {
            let kind = match s.kind {
                ServiceKind::Service => NodeKind::Service,
                ServiceKind::Gateway => NodeKind::Gateway,
                ServiceKind::External => NodeKind::External,
            };
            add(&mut nodes, kind, &s.name, None);
        }
        for i in &model.infrastructure {
            add(
                &mut nodes,
                NodeKind::Infrastructure,
                i.kind.as_str(),
                Some(i.kind),
            );
        }
        let resolve_service = |name: &str| -> Option<String> {
            model
                .services
                .iter()
                .find(|s| s.name == name)
                .or_else(|| model.services.iter().find(|s| s.is_named(name)))
                .map(|s| s.name.clone())
        };
        let mut edges = Vec::new();
        for e in &model.edges {
            let from = resolve_service(&e.from).unwrap_or_else(|| e.from.clone());
            let from_id = if nodes.contains_key(&node_id(NodeKind::Service, &from)) {
                node_id(NodeKind::Service, &from)
            } else {
                add(&mut nodes, NodeKind::External, &from, None)
            };
            let (to, to_id) = match resolve_service(&e.to) {
                Some(s) => {
                    let id = node_id(NodeKind::Service, &s);
                    (s, id)
                }
                None => match infra_kind_of(model, &e.to) {
                    Some(kind) => {
                        let id = add(&mut nodes, NodeKind::Infrastructure, &e.to, Some(kind));
                        (e.to.clone(), id)
                    }
                    None => {
                        let id = add(&mut nodes, NodeKind::External, &e.to, None);
                        (e.to.clone(), id)
                    }
                },
            };
            edges.push(GraphEdge {
                from_id,
                to_id,
                from,
                to,
                kind: e.kind,
                via: e.via.clone(),
                evidence: e.evidence.clone(),
            });
        }
        let mut topic_links = Vec::new();
        for t in &model.topics {
            add(&mut nodes, NodeKind::Topic, &t.name, None);
            for (list, direction) in [
                (&t.producers, LinkDirection::Produces),
                (&t.consumers, LinkDirection::Consumes),
            ] {
                for ep in list {
                    let service =
                        resolve_service(&ep.service).unwrap_or_else(|| ep.service.clone());
                    if !nodes.contains_key(&node_id(NodeKind::Service, &service)) {
                        add(&mut nodes, NodeKind::External, &service, None);
                    }
                    topic_links.push(TopicLink {
                        service,
                        topic: t.name.clone(),
                        direction,
                        via: ep.via,
                    });
                }
            }
        }
        edges.sort_by(|a, b| {
            (&a.from, &a.to, a.kind, &a.via).cmp(&(&b.from, &b.to, b.kind, &b.via))
        });
        topic_links.sort();
        topic_links.dedup();
        let mut graph = ServiceGraph {
            nodes: nodes.into_values().collect(),
            edges,
            topic_links,
            cycles: Vec::new(),
            layers: Vec::new(),
        };
        graph
            .nodes
            .sort_by(|a, b| (a.kind, &a.name).cmp(&(b.kind, &b.name)));
        layers::compute(&mut graph);
        graph
    }

    /// All nodes, sorted by kind then name.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// All edges, sorted by (from, to, kind).
    pub fn edges(&self) -> &[GraphEdge] {
        &self.edges
    }

    /// Service–topic links, sorted.
    pub fn topic_links(&self) -> &[TopicLink] {
        &self.topic_links
    }

    /// The node with id `id` (`service:NAME`, `infra:NAME`, `topic:NAME`).
    pub fn node(&self, id: &str) -> Option<&Node> {
        self.nodes.iter().find(|n| n.id == id)
    }

    /// The service node named `name`.
    pub fn service(&self, name: &str) -> Option<&Node> {
        self.node(&node_id(NodeKind::Service, name))
    }

    /// Synchronous edges between services (grpc/http/startup), sorted.
    pub fn sync_edges(&self) -> impl Iterator<Item = &GraphEdge> {
        self.edges.iter().filter(|e| e.is_sync_between_services())
    }

    /// Synchronous cycles: each a sorted list of service names; sorted.
    pub fn sync_cycles(&self) -> &[Vec<String>] {
        &self.cycles
    }

    /// The layering, from Layer 0 (infrastructure) up. Empty layers are
    /// omitted.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Layer of a service or infrastructure node, by name.
    pub fn layer_of(&self, name: &str) -> Option<u32> {
        self.service(name)
            .or_else(|| self.node(&node_id(NodeKind::Infrastructure, name)))
            .and_then(|n| n.layer)
    }

    /// The longest synchronous chain, with its availability when each hop
    /// is available `per_hop` of the time (see [`DEFAULT_HOP_AVAILABILITY`]).
    pub fn longest_chain(&self, per_hop: f64) -> Chain {
        chain::longest(self, per_hop)
    }

    /// Fan-in and fan-out of one service.
    pub fn fan(&self, service: &str) -> Fan {
        let peers = |f: &dyn Fn(&GraphEdge) -> Option<&str>| -> usize {
            self.edges
                .iter()
                .filter_map(f)
                .filter(|p| *p != service)
                .collect::<BTreeSet<_>>()
                .len()
        };
        Fan {
            service: service.to_string(),
            sync_in: peers(&|e| {
                (e.is_sync_between_services() && e.to == service).then_some(e.from.as_str())
            }),
            sync_out: peers(&|e| {
                (e.is_sync_between_services() && e.from == service).then_some(e.to.as_str())
            }),
            async_in: peers(&|e| {
                (e.kind == EdgeKind::Kafka && e.to == service).then_some(e.from.as_str())
            }),
            async_out: peers(&|e| {
                (e.kind == EdgeKind::Kafka && e.from == service).then_some(e.to.as_str())
            }),
        }
    }

    /// Fan-in/fan-out of every service node, sorted by name.
    pub fn fans(&self) -> Vec<Fan> {
        let mut names: Vec<&str> = self
            .nodes
            .iter()
            .filter(|n| n.kind.is_service())
            .map(|n| n.name.as_str())
            .collect();
        names.sort();
        names.into_iter().map(|n| self.fan(n)).collect()
    }

    /// The neighbourhood of `service`: the service, every node it has an
    /// edge to or from, and the topics it produces or consumes with their
    /// other producers and consumers. Layers and cycle flags are those of
    /// the whole graph; cycles are those containing `service`.
    /// `None` when there is no such service.
    pub fn neighbourhood(&self, service: &str) -> Option<ServiceGraph> {
        let me = self.service(service)?;
        let edges: Vec<GraphEdge> = self
            .edges
            .iter()
            .filter(|e| e.from_id == me.id || e.to_id == me.id)
            .cloned()
            .collect();
        let topics: BTreeSet<&str> = self
            .topic_links
            .iter()
            .filter(|l| l.service == service)
            .map(|l| l.topic.as_str())
            .collect();
        let topic_links: Vec<TopicLink> = self
            .topic_links
            .iter()
            .filter(|l| topics.contains(l.topic.as_str()))
            .cloned()
            .collect();
        let mut keep: BTreeSet<String> = BTreeSet::new();
        keep.insert(me.id.clone());
        for e in &edges {
            keep.insert(e.from_id.clone());
            keep.insert(e.to_id.clone());
        }
        for l in &topic_links {
            keep.insert(node_id(NodeKind::Topic, &l.topic));
            keep.insert(node_id(NodeKind::Service, &l.service));
        }
        let nodes: Vec<Node> = self
            .nodes
            .iter()
            .filter(|n| keep.contains(&n.id))
            .cloned()
            .collect();
        let names: BTreeSet<&str> = nodes
            .iter()
            .filter(|n| n.kind != NodeKind::Topic)
            .map(|n| n.name.as_str())
            .collect();
        let layers = self
            .layers
            .iter()
            .map(|l| Layer {
                index: l.index,
                nodes: l
                    .nodes
                    .iter()
                    .filter(|n| names.contains(n.as_str()))
                    .cloned()
                    .collect(),
            })
            .filter(|l| !l.nodes.is_empty())
            .collect();
        let cycles = self
            .cycles
            .iter()
            .filter(|c| c.iter().any(|s| s == service))
            .cloned()
            .collect();
        Some(ServiceGraph {
            nodes,
            edges,
            topic_links,
            cycles,
            layers,
        })
    }
}

/// The infrastructure kind a startup/edge target names, if it names one.
fn infra_kind_of(model: &Model, name: &str) -> Option<InfraKind> {
    let lower = name.to_ascii_lowercase();
    model
        .infrastructure
        .iter()
        .map(|i| i.kind)
        .chain(ALL_INFRA)
        .find(|k| lower == k.as_str() || lower.contains(k.as_str()))
}

const ALL_INFRA: [InfraKind; 11] = [
    InfraKind::Postgres,
    InfraKind::Mysql,
    InfraKind::Redis,
    InfraKind::Kafka,
    InfraKind::ClickHouse,
    InfraKind::S3,
    InfraKind::Elasticsearch,
    InfraKind::Neo4j,
    InfraKind::Nats,
    InfraKind::RabbitMq,
    InfraKind::MongoDb,
];

#[cfg(test)]
pub(crate) mod tests;
