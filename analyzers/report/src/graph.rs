//! `nova graph`: the dependency graph as DOT, Mermaid, JSON and CSV.
//!
//! DOT and Mermaid group nodes in one cluster/subgraph per layer (top
//! layer first), draw synchronous edges solid and red, Kafka dashed through
//! topic nodes, and highlight the services and edges of synchronous cycles.

use crate::csv_field;
use nova_graph::{GraphEdge, LinkDirection, NodeKind, ServiceGraph};
use nova_model::EdgeKind;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// Version of the JSON shape of [`json`].
pub const GRAPH_JSON_VERSION: u32 = 1;

const SYNC_COLOR: &str = "#d62728";
const CYCLE_FILL: &str = "#ffd6d6";
const ASYNC_COLOR: &str = "#1f77b4";

/// The edges as CSV: header `from,to,kind,via`, one row per edge, kind one
/// of `grpc|http|kafka|startup` (kafka rows go producer → consumer with the
/// topic as via); several vias are joined with `;`.
pub fn csv(graph: &ServiceGraph) -> String {
    let mut out = String::from("from,to,kind,via\n");
    for e in graph.edges() {
        let _ = writeln!(
            out,
            "{},{},{},{}",
            csv_field(&e.from),
            csv_field(&e.to),
            e.kind,
            csv_field(&e.via.join(";"))
        );
    }
    out
}

fn dot_quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// `grpc: GetPost, ListPosts`; start-up manifests by file name only.
fn edge_label(e: &GraphEdge) -> String {
    let via: Vec<&str> = e
        .via
        .iter()
        .map(|v| match e.kind {
            EdgeKind::Startup => v.rsplit('/').next().unwrap_or(v),
            _ => v.as_str(),
        })
        .collect();
    if via.is_empty() {
        e.kind.to_string()
    } else {
        format!("{}: {}", e.kind, via.join(", "))
    }
}

pub(crate) fn in_cycle_edge(graph: &ServiceGraph, e: &GraphEdge) -> bool {
    e.is_sync_between_services()
        && graph
            .sync_cycles()
            .iter()
            .any(|c| c.contains(&e.from) && c.contains(&e.to))
}

/// Layers top-down, as (index, node ids).
fn layer_groups(graph: &ServiceGraph) -> Vec<(u32, Vec<&nova_graph::Node>)> {
    let mut by_layer: BTreeMap<u32, Vec<&nova_graph::Node>> = BTreeMap::new();
    for n in graph.nodes() {
        if let Some(l) = n.layer {
            by_layer.entry(l).or_default().push(n);
        }
    }
    by_layer.into_iter().rev().collect()
}

fn layer_title(index: u32) -> String {
    match index {
        0 => "Layer 0: infrastructure".to_string(),
        i => format!("Layer {i}"),
    }
}

/// Kafka edges whose topics are not drawn as topic nodes (drawn directly).
fn direct_kafka_edges(graph: &ServiceGraph) -> Vec<&GraphEdge> {
    let linked: BTreeSet<&str> = graph
        .topic_links()
        .iter()
        .map(|l| l.topic.as_str())
        .collect();
    graph
        .edges()
        .iter()
        .filter(|e| e.kind == EdgeKind::Kafka && !e.via.iter().any(|t| linked.contains(t.as_str())))
        .collect()
}

/// The graph in Graphviz DOT.
pub fn dot(graph: &ServiceGraph) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "digraph nova {{");
    let _ = writeln!(out, "  rankdir=TB;");
    let _ = writeln!(out, "  compound=true;");
    let _ = writeln!(out, "  node [fontname=\"Helvetica\", fontsize=11];");
    let _ = writeln!(out, "  edge [fontname=\"Helvetica\", fontsize=9];");
    for (index, nodes) in layer_groups(graph) {
        let _ = writeln!(out, "  subgraph \"cluster_layer_{index}\" {{");
        let _ = writeln!(out, "    label={};", dot_quote(&layer_title(index)));
        let _ = writeln!(out, "    style=dashed; color=\"#999999\";");
        for n in nodes {
            let shape = match n.kind {
                NodeKind::Infrastructure => "cylinder",
                NodeKind::Gateway => "hexagon",
                _ => "box",
            };
            let mut attrs = vec![
                format!("label={}", dot_quote(&n.name)),
                format!("shape={shape}"),
            ];
            let mut styles = Vec::new();
            if n.kind == NodeKind::External {
                styles.push("dashed");
            }
            if n.in_cycle {
                styles.extend(["filled", "bold"]);
                attrs.push(format!(
                    "fillcolor=\"{CYCLE_FILL}\", color=\"{SYNC_COLOR}\""
                ));
            }
            if !styles.is_empty() {
                attrs.push(format!("style=\"{}\"", styles.join(",")));
            }
            let _ = writeln!(out, "    {} [{}];", dot_quote(&n.id), attrs.join(", "));
        }
        let _ = writeln!(out, "  }}");
    }
    for n in graph.nodes().iter().filter(|n| n.kind == NodeKind::Topic) {
        let _ = writeln!(
            out,
            "  {} [label={}, shape=note, color=\"{ASYNC_COLOR}\"];",
            dot_quote(&n.id),
            dot_quote(&n.name)
        );
    }
    for e in graph.edges().iter().filter(|e| e.kind.is_sync()) {
        let width = if in_cycle_edge(graph, e) { "3" } else { "1.2" };
        let style = if e.kind == EdgeKind::Startup {
            "bold"
        } else {
            "solid"
        };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}, color=\"{SYNC_COLOR}\", style={style}, penwidth={width}];",
            dot_quote(&e.from_id),
            dot_quote(&e.to_id),
            dot_quote(&edge_label(e))
        );
    }
    for l in graph.topic_links() {
        let service = format!("service:{}", l.service);
        let topic = format!("topic:{}", l.topic);
        let (a, b, label) = match l.direction {
            LinkDirection::Produces => (service, topic, "produces"),
            LinkDirection::Consumes => (topic, service, "consumes"),
        };
        let _ = writeln!(
            out,
            "  {} -> {} [label={}, color=\"{ASYNC_COLOR}\", style=dashed];",
            dot_quote(&a),
            dot_quote(&b),
            dot_quote(label)
        );
    }
    for e in direct_kafka_edges(graph) {
        let _ = writeln!(
            out,
            "  {} -> {} [label={}, color=\"{ASYNC_COLOR}\", style=dashed];",
            dot_quote(&e.from_id),
            dot_quote(&e.to_id),
            dot_quote(&edge_label(e))
        );
    }
    let _ = writeln!(out, "}}");
    out
}

fn mermaid_text(s: &str) -> String {
    s.replace('"', "#quot;")
}

/// The graph as a Mermaid flowchart.
pub fn mermaid(graph: &ServiceGraph) -> String {
    let ids: BTreeMap<&str, String> = graph
        .nodes()
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), format!("n{i}")))
        .collect();
    let id = |node_id: &str| {
        ids.get(node_id)
            .cloned()
            .unwrap_or_else(|| "unknown".into())
    };
    let mut out = String::from("flowchart TB\n");
    let shape = |n: &nova_graph::Node| -> String {
        let t = mermaid_text(&n.name);
        match n.kind {
            NodeKind::Infrastructure => format!("[(\"{t}\")]"),
            NodeKind::Gateway => format!("{{{{\"{t}\"}}}}"),
            NodeKind::Topic => format!("[/\"{t}\"/]"),
            _ => format!("[\"{t}\"]"),
        }
    };
    for (index, nodes) in layer_groups(graph) {
        let _ = writeln!(out, "  subgraph L{index}[\"{}\"]", layer_title(index));
        for n in nodes {
            let _ = writeln!(out, "    {}{}", id(&n.id), shape(n));
        }
        let _ = writeln!(out, "  end");
    }
    for n in graph.nodes().iter().filter(|n| n.kind == NodeKind::Topic) {
        let _ = writeln!(out, "  {}{}", id(&n.id), shape(n));
    }
    let mut link = 0usize;
    let mut sync_links = Vec::new();
    let mut cycle_links = Vec::new();
    let mut async_links = Vec::new();
    for e in graph.edges().iter().filter(|e| e.kind.is_sync()) {
        let _ = writeln!(
            out,
            "  {} -->|\"{}\"| {}",
            id(&e.from_id),
            mermaid_text(&edge_label(e)),
            id(&e.to_id)
        );
        if in_cycle_edge(graph, e) {
            cycle_links.push(link);
        } else {
            sync_links.push(link);
        }
        link += 1;
    }
    for l in graph.topic_links() {
        let s = id(&format!("service:{}", l.service));
        let t = id(&format!("topic:{}", l.topic));
        match l.direction {
            LinkDirection::Produces => {
                let _ = writeln!(out, "  {s} -.->|produces| {t}");
            }
            LinkDirection::Consumes => {
                let _ = writeln!(out, "  {t} -.->|consumes| {s}");
            }
        }
        async_links.push(link);
        link += 1;
    }
    for e in direct_kafka_edges(graph) {
        let _ = writeln!(
            out,
            "  {} -.->|\"{}\"| {}",
            id(&e.from_id),
            mermaid_text(&edge_label(e)),
            id(&e.to_id)
        );
        async_links.push(link);
        link += 1;
    }
    let join = |v: &[usize]| v.iter().map(usize::to_string).collect::<Vec<_>>().join(",");
    if !sync_links.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:{SYNC_COLOR},stroke-width:1.5px",
            join(&sync_links)
        );
    }
    if !cycle_links.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:{SYNC_COLOR},stroke-width:4px",
            join(&cycle_links)
        );
    }
    if !async_links.is_empty() {
        let _ = writeln!(
            out,
            "  linkStyle {} stroke:{ASYNC_COLOR}",
            join(&async_links)
        );
    }
    let cyc: Vec<String> = graph
        .nodes()
        .iter()
        .filter(|n| n.in_cycle)
        .map(|n| id(&n.id))
        .collect();
    if !cyc.is_empty() {
        let _ = writeln!(
            out,
            "  classDef cycle fill:{CYCLE_FILL},stroke:{SYNC_COLOR},stroke-width:2px"
        );
        let _ = writeln!(out, "  class {} cycle", cyc.join(","));
    }
    out
}

/// The graph as JSON: `{version, nodes[{id, name, kind, infra, layer,
/// in_cycle}], edges[{from, to, from_id, to_id, kind, via, evidence}],
/// topic_links[{service, topic, direction, via}], cycles[[service]],
/// layers[{index, nodes}], longest_chain{services, hops, per_hop,
/// availability, exhaustive}, fans[{service, sync_in, sync_out, async_in,
/// async_out}]}`; the chain's availability uses `per_hop` for each hop.
pub fn json(graph: &ServiceGraph, per_hop: f64) -> String {
    let v: Value = json!({
        "version": GRAPH_JSON_VERSION,
        "nodes": graph.nodes(),
        "edges": graph.edges(),
        "topic_links": graph.topic_links(),
        "cycles": graph.sync_cycles(),
        "layers": graph.layers(),
        "longest_chain": graph.longest_chain(per_hop),
        "fans": graph.fans(),
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed_model::{chain_model, seed_model};
    use nova_graph::GraphOptions;

    fn g(model: &nova_model::Model) -> ServiceGraph {
        match ServiceGraph::build(model, &GraphOptions::default()) {
            Ok(g) => g,
            Err(e) => panic!("{e}"),
        }
    }

    #[test]
    fn csv_exact() {
        assert_eq!(
            csv(&g(&seed_model())),
            "from,to,kind,via\n\
             feed-service,content-service,grpc,GetPost\n\
             feed-service,content-service,startup,k8s/feed-service.yaml\n\
             feed-service,postgres,startup,k8s/feed-service.yaml\n\
             graphql-gateway,content-service,grpc,CreatePost;GetPost\n\
             graphql-gateway,identity-service,grpc,Login\n\
             identity-service,messaging-service,kafka,identity-events\n\
             media-service,content-service,grpc,AttachMedia\n\
             media-service,content-service,startup,k8s/media-service.yaml\n\
             messaging-service,identity-service,grpc,VerifyUser\n\
             messaging-service,identity-service,startup,k8s/messaging-service.yaml\n\
             realtime-chat-service,identity-service,grpc,ValidateToken\n\
             realtime-chat-service,messaging-service,grpc,ListMessages\n"
        );
    }

    #[test]
    fn dot_has_layers_styles_and_cycles() {
        let d = dot(&g(&seed_model()));
        assert!(d.starts_with("digraph nova {\n"));
        assert!(d.contains("subgraph \"cluster_layer_4\" {\n    label=\"Layer 4\";"));
        assert!(d.contains("label=\"Layer 0: infrastructure\""));
        assert!(d.contains("\"service:feed-service\" -> \"service:content-service\" [label=\"grpc: GetPost\", color=\"#d62728\", style=solid, penwidth=1.2];"));
        assert!(d.contains("\"service:identity-service\" -> \"topic:identity-events\" [label=\"produces\", color=\"#1f77b4\", style=dashed];"));
        assert!(d.contains("\"infra:postgres\" [label=\"postgres\", shape=cylinder];"));
        let c = dot(&g(&chain_model(&[("a", "b"), ("b", "a")])));
        assert!(c.contains("fillcolor=\"#ffd6d6\""));
        assert!(c.contains("penwidth=3"));
    }

    #[test]
    fn mermaid_has_subgraphs_and_dashed_topics() {
        let m = mermaid(&g(&seed_model()));
        assert!(m.starts_with("flowchart TB\n  subgraph L4[\"Layer 4\"]\n"));
        assert!(m.contains("-.->|produces|"));
        assert!(m.contains("-->|\"grpc: GetPost\"|"));
        assert!(m.contains("linkStyle 0,1,2,3,4,5,6,7,8,9,10 stroke:#d62728"));
        let c = mermaid(&g(&chain_model(&[("a", "b"), ("b", "a")])));
        assert!(c.contains("class n0,n1 cycle"));
        assert!(c.contains("linkStyle 0,1 stroke:#d62728,stroke-width:4px"));
    }

    #[test]
    fn json_has_layers_chain_and_availability() {
        let v: Value = serde_json::from_str(&json(
            &g(&chain_model(&[
                ("a", "b"),
                ("b", "c"),
                ("c", "d"),
                ("d", "e"),
            ])),
            0.999,
        ))
        .unwrap_or(Value::Null);
        assert_eq!(v["version"], 1);
        assert_eq!(v["longest_chain"]["hops"], 4);
        let a = v["longest_chain"]["availability"].as_f64().unwrap_or(0.0);
        assert!((a - 0.999f64.powi(4)).abs() < 1e-12);
        assert_eq!(v["layers"][0]["index"], 1);
        assert_eq!(v["layers"][0]["nodes"], json!(["e"]));
        assert_eq!(v["nodes"][0]["layer"], 5);
        assert_eq!(v["cycles"], json!([]));
    }
}
