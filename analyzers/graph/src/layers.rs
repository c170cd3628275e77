//! Sync cycles (Tarjan SCCs) and layering over the condensed graph.

use crate::{Layer, NodeKind, ServiceGraph};
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use std::collections::{BTreeMap, BTreeSet};

/// The synchronous service graph: one petgraph node per service node
/// (indices into `graph.nodes`), one edge per distinct synchronous pair.
pub(crate) struct SyncGraph {
    pub(crate) graph: DiGraph<usize, ()>,
    pub(crate) index: BTreeMap<String, NodeIndex>,
    pub(crate) self_loops: BTreeSet<String>,
}

/// Build the synchronous graph over service nodes, optionally ignoring
/// edges into gateways (used for layering).
pub(crate) fn sync_graph(graph: &ServiceGraph, skip_into_gateways: bool) -> SyncGraph {
    let mut g = DiGraph::new();
    let mut index = BTreeMap::new();
    for (i, n) in graph.nodes.iter().enumerate() {
        if n.kind.is_service() {
            index.insert(n.name.clone(), g.add_node(i));
        }
    }
    let gateways: BTreeSet<&str> = graph
        .nodes
        .iter()
        .filter(|n| n.kind == NodeKind::Gateway)
        .map(|n| n.name.as_str())
        .collect();
    let mut pairs = BTreeSet::new();
    let mut self_loops = BTreeSet::new();
    for e in graph.sync_edges() {
        if e.from == e.to {
            self_loops.insert(e.from.clone());
            continue;
        }
        if skip_into_gateways && gateways.contains(e.to.as_str()) {
            continue;
        }
        pairs.insert((e.from.clone(), e.to.clone()));
    }
    for (a, b) in pairs {
        if let (Some(&x), Some(&y)) = (index.get(&a), index.get(&b)) {
            g.add_edge(x, y, ());
        }
    }
    SyncGraph {
        graph: g,
        index,
        self_loops,
    }
}

/// Fill in `cycles`, `layers` and the nodes' `layer`/`in_cycle`.
pub(crate) fn compute(graph: &mut ServiceGraph) {
    // Cycles: on the full synchronous graph (gateways included).
    let full = sync_graph(graph, false);
    let mut cycles: Vec<Vec<String>> = Vec::new();
    for scc in tarjan_scc(&full.graph) {
        let mut names: Vec<String> = scc
            .iter()
            .map(|&ix| graph.nodes[full.graph[ix]].name.clone())
            .collect();
        names.sort();
        if names.len() > 1 || names.iter().any(|n| full.self_loops.contains(n)) {
            cycles.push(names);
        }
    }
    cycles.sort();
    let in_cycle: BTreeSet<String> = cycles.iter().flatten().cloned().collect();

    // Layering: condense SCCs, ignore edges into gateways.
    let sg = sync_graph(graph, true);
    let sccs = tarjan_scc(&sg.graph);
    let mut scc_of = vec![0usize; sg.graph.node_count()];
    for (i, scc) in sccs.iter().enumerate() {
        for &ix in scc {
            scc_of[ix.index()] = i;
        }
    }
    // Tarjan yields SCCs in reverse topological order: successors first.
    let mut scc_layer = vec![1u32; sccs.len()];
    for (i, scc) in sccs.iter().enumerate() {
        let mut layer = 1;
        for &ix in scc {
            for succ in sg.graph.neighbors(ix) {
                let j = scc_of[succ.index()];
                if j != i {
                    layer = layer.max(scc_layer[j] + 1);
                }
            }
        }
        scc_layer[i] = layer;
    }
    let mut layer_of: BTreeMap<String, u32> = BTreeMap::new();
    for (name, &ix) in &sg.index {
        layer_of.insert(name.clone(), scc_layer[scc_of[ix.index()]]);
    }
    let top = graph
        .nodes
        .iter()
        .filter(|n| n.kind.is_service() && n.kind != NodeKind::Gateway)
        .filter_map(|n| layer_of.get(&n.name))
        .copied()
        .max()
        .unwrap_or(1);
    let gateway_layer = (top + 1).max(2);

    let mut layers: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for n in &mut graph.nodes {
        n.in_cycle = n.kind.is_service() && in_cycle.contains(&n.name);
        n.layer = match n.kind {
            NodeKind::Infrastructure => Some(0),
            NodeKind::Topic => None,
            NodeKind::Gateway => Some(gateway_layer),
            NodeKind::Service | NodeKind::External => {
                Some(layer_of.get(&n.name).copied().unwrap_or(1))
            }
        };
        if let Some(l) = n.layer {
            layers.entry(l).or_default().push(n.name.clone());
        }
    }
    graph.layers = layers
        .into_iter()
        .map(|(index, mut nodes)| {
            nodes.sort();
            nodes.dedup();
            Layer { index, nodes }
        })
        .collect();
    graph.cycles = cycles;
}
