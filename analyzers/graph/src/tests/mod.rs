//! Unit tests of the graph against hand-built models.

pub(crate) mod seed_model;

use super::*;
use seed_model::{chain_model, seed_model};

fn build(model: &Model) -> ServiceGraph {
    match ServiceGraph::build(model, &GraphOptions::default()) {
        Ok(g) => g,
        Err(e) => panic!("build failed: {e}"),
    }
}

fn layers(g: &ServiceGraph) -> Vec<(u32, Vec<&str>)> {
    g.layers()
        .iter()
        .map(|l| (l.index, l.nodes.iter().map(String::as_str).collect()))
        .collect()
}

#[test]
fn seed_layers() {
    let g = build(&seed_model());
    assert_eq!(
        layers(&g),
        vec![
            (0, vec!["kafka", "postgres", "redis"]),
            (1, vec!["content-service", "identity-service"]),
            (
                2,
                vec!["feed-service", "media-service", "messaging-service"]
            ),
            (3, vec!["realtime-chat-service"]),
            (4, vec!["graphql-gateway"]),
        ]
    );
    assert_eq!(g.layer_of("realtime-chat-service"), Some(3));
    assert_eq!(g.layer_of("postgres"), Some(0));
    assert!(g.sync_cycles().is_empty());
}

#[test]
fn seed_nodes_and_edges() {
    let g = build(&seed_model());
    let ids: Vec<&str> = g.nodes().iter().map(|n| n.id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "infra:kafka",
            "infra:postgres",
            "infra:redis",
            "service:content-service",
            "service:feed-service",
            "service:identity-service",
            "service:media-service",
            "service:messaging-service",
            "service:realtime-chat-service",
            "service:graphql-gateway",
            "topic:analytics-events",
            "topic:identity-events",
            "topic:orphan-events",
        ]
    );
    let startup_to_pg = g
        .edges()
        .iter()
        .find(|e| e.to == "postgres")
        .map(|e| (e.to_id.as_str(), e.kind));
    assert_eq!(startup_to_pg, Some(("infra:postgres", EdgeKind::Startup)));
    assert_eq!(g.sync_edges().count(), 10);
    assert_eq!(g.topic_links().len(), 4);
}

#[test]
fn seed_chain_and_fans() {
    let g = build(&seed_model());
    let c = g.longest_chain(DEFAULT_HOP_AVAILABILITY);
    assert_eq!(
        c.services,
        vec![
            "realtime-chat-service",
            "messaging-service",
            "identity-service"
        ]
    );
    assert_eq!(c.hops, 2);
    assert!((c.availability - 0.999f64 * 0.999).abs() < 1e-12);
    assert_eq!(
        g.fan("content-service"),
        Fan {
            service: "content-service".into(),
            sync_in: 3,
            sync_out: 0,
            async_in: 0,
            async_out: 0
        }
    );
    assert_eq!(
        g.fan("messaging-service"),
        Fan {
            service: "messaging-service".into(),
            sync_in: 1,
            sync_out: 1,
            async_in: 1,
            async_out: 0
        }
    );
}

#[test]
fn four_hops_availability() {
    let g = build(&chain_model(&[
        ("a", "b"),
        ("b", "c"),
        ("c", "d"),
        ("d", "e"),
        ("x", "e"),
    ]));
    let c = g.longest_chain(0.999);
    assert_eq!(c.services, vec!["a", "b", "c", "d", "e"]);
    assert_eq!(c.hops, 4);
    assert!((c.availability - 0.996_005_996_001).abs() < 1e-9);
    assert_eq!(format!("{:.1}", c.availability * 100.0), "99.6");
    assert!(c.exhaustive);
}

#[test]
fn cycles_collapse_into_one_layer() {
    let mut m = chain_model(&[("a", "b"), ("b", "a"), ("b", "c"), ("d", "a"), ("e", "e")]);
    m.edges.push(seed_model::edge(
        "c",
        "a",
        EdgeKind::Startup,
        &["k8s/c.yaml"],
        "k8s/c.yaml",
        3,
        "depends_on",
    ));
    let g = build(&m);
    assert_eq!(
        g.sync_cycles(),
        &[
            vec!["a".to_string(), "b".to_string(), "c".to_string()],
            vec!["e".to_string()]
        ]
    );
    assert_eq!(
        layers(&g),
        vec![(1, vec!["a", "b", "c", "e"]), (2, vec!["d"])]
    );
    assert!(g.service("a").is_some_and(|n| n.in_cycle));
    assert!(g.service("d").is_some_and(|n| !n.in_cycle));
    // Longest simple path: d -> a -> b -> c.
    let c = g.longest_chain(0.999);
    assert_eq!(c.services, vec!["d", "a", "b", "c"]);
    assert_eq!(c.hops, 3);
}

#[test]
fn gateways_on_top_even_when_alone() {
    let mut m = chain_model(&[("gw", "a")]);
    m.services[1].kind = ServiceKind::Gateway;
    let g = build(&m);
    assert_eq!(layers(&g), vec![(1, vec!["a"]), (2, vec!["gw"])]);
}

#[test]
fn focus_and_sync_only() {
    let m = seed_model();
    let g = match ServiceGraph::build(
        &m,
        &GraphOptions {
            sync_only: false,
            focus: Some("auth-service".into()),
        },
    ) {
        Ok(g) => g,
        Err(e) => panic!("{e}"),
    };
    let names: Vec<&str> = g.nodes().iter().map(|n| n.name.as_str()).collect();
    assert_eq!(
        names,
        vec![
            "identity-service",
            "messaging-service",
            "realtime-chat-service",
            "graphql-gateway",
            "identity-events"
        ]
    );
    // Layers come from the whole graph.
    assert_eq!(g.layer_of("realtime-chat-service"), Some(3));
    let s = match ServiceGraph::build(
        &m,
        &GraphOptions {
            sync_only: true,
            focus: None,
        },
    ) {
        Ok(g) => g,
        Err(e) => panic!("{e}"),
    };
    assert!(s.edges().iter().all(|e| e.kind != EdgeKind::Kafka));
    assert!(s.nodes().iter().all(|n| n.kind != NodeKind::Topic));
    assert_eq!(
        ServiceGraph::build(
            &m,
            &GraphOptions {
                sync_only: false,
                focus: Some("nope".into())
            }
        ),
        Err(GraphError::UnknownService("nope".into()))
    );
}

#[test]
fn removing_edges_relayers() {
    let mut m = seed_model();
    m.edges
        .retain(|e| !(e.kind.is_sync() && e.from != "graphql-gateway" && e.to != "postgres"));
    let g = build(&m);
    assert_eq!(
        layers(&g),
        vec![
            (0, vec!["kafka", "postgres", "redis"]),
            (
                1,
                vec![
                    "content-service",
                    "feed-service",
                    "identity-service",
                    "media-service",
                    "messaging-service",
                    "realtime-chat-service"
                ]
            ),
            (2, vec!["graphql-gateway"]),
        ]
    );
}
