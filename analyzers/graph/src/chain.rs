//! The longest synchronous chain and its availability product.

use crate::layers::sync_graph;
use crate::{CHAIN_SEARCH_BUDGET, ServiceGraph};
use petgraph::algo::tarjan_scc;
use petgraph::graph::NodeIndex;
use serde::Serialize;

/// A chain of synchronous calls.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chain {
    /// Services from the first caller to the last callee (empty when there
    /// is no synchronous edge).
    pub services: Vec<String>,
    /// Number of synchronous hops (`services.len() - 1`, or 0).
    pub hops: usize,
    /// Availability of one hop used for the product.
    pub per_hop: f64,
    /// `per_hop ^ hops`: the chance that every hop of the chain is up.
    pub availability: f64,
    /// False when the graph has cycles and the exhaustive search hit
    /// [`CHAIN_SEARCH_BUDGET`]; the chain is then the best found.
    pub exhaustive: bool,
}

impl Chain {
    fn new(services: Vec<String>, per_hop: f64, exhaustive: bool) -> Chain {
        let hops = services.len().saturating_sub(1);
        let services = if hops == 0 { Vec::new() } else { services };
        let exp = i32::try_from(hops).unwrap_or(i32::MAX);
        Chain {
            services,
            hops,
            per_hop,
            availability: per_hop.powi(exp),
            exhaustive,
        }
    }
}

/// Better = longer; among equals, lexicographically smaller.
fn better(candidate: &[String], best: &[String]) -> bool {
    candidate.len() > best.len() || (candidate.len() == best.len() && candidate < best)
}

pub(crate) fn longest(graph: &ServiceGraph, per_hop: f64) -> Chain {
    let sg = sync_graph(graph, false);
    let g = &sg.graph;
    let name = |ix: NodeIndex| graph.nodes[g[ix]].name.clone();
    let sccs = tarjan_scc(g);
    let acyclic = sccs.iter().all(|s| s.len() == 1);
    if acyclic {
        // Successors come first in Tarjan order.
        let mut best: Vec<Vec<String>> = vec![Vec::new(); g.node_count()];
        for scc in &sccs {
            let ix = scc[0];
            let mut path = vec![name(ix)];
            for succ in g.neighbors(ix) {
                let mut cand = vec![name(ix)];
                cand.extend(best[succ.index()].iter().cloned());
                if better(&cand, &path) {
                    path = cand;
                }
            }
            best[ix.index()] = path;
        }
        let mut overall: Vec<String> = Vec::new();
        for p in best {
            if better(&p, &overall) {
                overall = p;
            }
        }
        return Chain::new(overall, per_hop, true);
    }
    let names: Vec<String> = g.node_indices().map(name).collect();
    // Successors sorted by name, once.
    let succs: Vec<Vec<NodeIndex>> = g
        .node_indices()
        .map(|ix| {
            let mut v: Vec<NodeIndex> = g.neighbors(ix).collect();
            v.sort_by(|a, b| names[a.index()].cmp(&names[b.index()]));
            v.dedup();
            v
        })
        .collect();
    let mut search = Search {
        names,
        succs,
        best: Vec::new(),
        steps: 0,
    };
    let mut starts: Vec<NodeIndex> = g.node_indices().collect();
    starts.sort_by(|a, b| search.names[a.index()].cmp(&search.names[b.index()]));
    for s in starts {
        let mut on_path = vec![false; g.node_count()];
        let mut path = vec![s];
        on_path[s.index()] = true;
        search.dfs(&mut path, &mut on_path);
    }
    let exhaustive = search.steps <= CHAIN_SEARCH_BUDGET;
    let best: Vec<String> = search
        .best
        .iter()
        .map(|ix| search.names[ix.index()].clone())
        .collect();
    Chain::new(best, per_hop, exhaustive)
}

struct Search {
    names: Vec<String>,
    succs: Vec<Vec<NodeIndex>>,
    /// The best path so far, as node indices (compared by name).
    best: Vec<NodeIndex>,
    steps: usize,
}

impl Search {
    /// [`better`] on paths of node indices, without copying names.
    fn better(&self, candidate: &[NodeIndex]) -> bool {
        if candidate.len() != self.best.len() {
            return candidate.len() > self.best.len();
        }
        let name = |ix: &NodeIndex| self.names[ix.index()].as_str();
        candidate.iter().map(name).lt(self.best.iter().map(name))
    }

    fn dfs(&mut self, path: &mut Vec<NodeIndex>, on_path: &mut [bool]) {
        self.steps += 1;
        if self.steps > CHAIN_SEARCH_BUDGET {
            return;
        }
        if self.better(path) {
            self.best = path.clone();
        }
        let Some(&last) = path.last() else { return };
        for i in 0..self.succs[last.index()].len() {
            let s = self.succs[last.index()][i];
            if on_path[s.index()] {
                continue;
            }
            on_path[s.index()] = true;
            path.push(s);
            self.dfs(path, on_path);
            path.pop();
            on_path[s.index()] = false;
        }
    }
}
