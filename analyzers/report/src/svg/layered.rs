//! A layered (Sugiyama-style) layout for graphs too large for `layout-rs`:
//! cycles broken by depth-first search, ranks by longest path, a dummy node
//! per rank an edge crosses, crossings reduced by barycenter sweeps, x
//! coordinates pulled towards neighbours without overlaps. Linear in the
//! size of the graph per sweep, deterministic (ties break on node index).

use super::{Layout, Placed, Segment};
use layout::core::geometry::Point;

const RANK_GAP: f64 = 70.0;
const NODE_GAP: f64 = 24.0;
const DUMMY_WIDTH: f64 = 12.0;
const SWEEPS: usize = 12;

/// Lay out `sizes.len()` nodes (width, height) and `edges` (from, to).
pub(super) fn layout(sizes: &[Point], edges: &[(usize, usize)]) -> Layout {
    let n = sizes.len();
    // 1. Break cycles: reverse DFS back edges (for ranking only).
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, &(a, b)) in edges.iter().enumerate() {
        if a != b {
            out[a].push(i);
        }
    }
    let mut reversed = vec![false; edges.len()];
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some(&mut (v, ref mut next)) = stack.last_mut() {
            if let Some(&e) = out[v].get(*next) {
                *next += 1;
                let w = edges[e].1;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => reversed[e] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    let dag: Vec<(usize, usize)> = edges
        .iter()
        .enumerate()
        .filter(|(_, (a, b))| a != b)
        .map(|(i, &(a, b))| if reversed[i] { (b, a) } else { (a, b) })
        .collect();
    // 2. Ranks: longest path from the sources (Kahn, smallest index first).
    let mut indeg = vec![0usize; n];
    let mut succ: Vec<Vec<usize>> = vec![Vec::new(); n];
    for &(a, b) in &dag {
        indeg[b] += 1;
        succ[a].push(b);
    }
    let mut rank = vec![0usize; n];
    let mut ready: std::collections::BTreeSet<usize> = (0..n).filter(|&v| indeg[v] == 0).collect();
    while let Some(v) = ready.pop_first() {
        for &w in &succ[v] {
            rank[w] = rank[w].max(rank[v] + 1);
            indeg[w] -= 1;
            if indeg[w] == 0 {
                ready.insert(w);
            }
        }
    }
    // 3. Dummy nodes: each edge becomes a chain of one-rank steps.
    let mut node_rank = rank.clone();
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(edges.len());
    for &(a, b) in &dag {
        let (top, bottom) = (a, b);
        let mut chain = vec![top];
        for r in rank[top] + 1..rank[bottom] {
            node_rank.push(r);
            chain.push(node_rank.len() - 1);
        }
        chain.push(bottom);
        chains.push(chain);
    }
    let total = node_rank.len();
    let ranks = node_rank.iter().max().map_or(0, |m| m + 1);
    let mut up: Vec<Vec<usize>> = vec![Vec::new(); total];
    let mut down: Vec<Vec<usize>> = vec![Vec::new(); total];
    for c in &chains {
        for w in c.windows(2) {
            down[w[0]].push(w[1]);
            up[w[1]].push(w[0]);
        }
    }
    // 4. Order within ranks: barycenter sweeps, down then up.
    let mut layers: Vec<Vec<usize>> = vec![Vec::new(); ranks];
    for v in 0..total {
        layers[node_rank[v]].push(v);
    }
    let mut pos = vec![0usize; total];
    let index = |layers: &Vec<Vec<usize>>, pos: &mut Vec<usize>| {
        for l in layers {
            for (i, &v) in l.iter().enumerate() {
                pos[v] = i;
            }
        }
    };
    index(&layers, &mut pos);
    for sweep in 0..SWEEPS {
        let downward = sweep % 2 == 0;
        let order: Vec<usize> = if downward {
            (1..ranks).collect()
        } else {
            (0..ranks.saturating_sub(1)).rev().collect()
        };
        for r in order {
            let neighbours = if downward { &up } else { &down };
            let mut keyed: Vec<(f64, usize, usize)> = layers[r]
                .iter()
                .map(|&v| {
                    let ns = &neighbours[v];
                    let bary = if ns.is_empty() {
                        pos[v] as f64
                    } else {
                        ns.iter().map(|&u| pos[u] as f64).sum::<f64>() / ns.len() as f64
                    };
                    (bary, pos[v], v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
            layers[r] = keyed.into_iter().map(|(_, _, v)| v).collect();
            for (i, &v) in layers[r].iter().enumerate() {
                pos[v] = i;
            }
        }
    }
    // 5. x: packed left to right, then pulled towards neighbours.
    let width = |v: usize| if v < n { sizes[v].x } else { DUMMY_WIDTH };
    let mut x = vec![0.0f64; total];
    for l in &layers {
        let mut cursor = 0.0;
        for &v in l {
            x[v] = cursor + width(v) / 2.0;
            cursor += width(v) + NODE_GAP;
        }
    }
    for _ in 0..8 {
        for l in &layers {
            let want: Vec<f64> = l
                .iter()
                .map(|&v| {
                    let ns: Vec<usize> = up[v].iter().chain(&down[v]).copied().collect();
                    if ns.is_empty() {
                        x[v]
                    } else {
                        ns.iter().map(|&u| x[u]).sum::<f64>() / ns.len() as f64
                    }
                })
                .collect();
            // Place each at its wish, pushing right to keep the order, then
            // pull back left from the right end.
            let mut placed: Vec<f64> = Vec::with_capacity(l.len());
            for (i, &v) in l.iter().enumerate() {
                let min = if i == 0 {
                    f64::MIN
                } else {
                    placed[i - 1] + (width(l[i - 1]) + width(v)) / 2.0 + NODE_GAP
                };
                placed.push(want[i].max(min));
            }
            for i in (0..l.len().saturating_sub(1)).rev() {
                let max = placed[i + 1] - (width(l[i]) + width(l[i + 1])) / 2.0 - NODE_GAP;
                placed[i] = placed[i].min(max);
            }
            for (i, &v) in l.iter().enumerate() {
                x[v] = placed[i];
            }
        }
    }
    // 6. y per rank, from the tallest node of the rank.
    let heights: Vec<f64> = layers
        .iter()
        .map(|l| {
            l.iter()
                .filter(|&&v| v < n)
                .map(|&v| sizes[v].y)
                .fold(20.0, f64::max)
        })
        .collect();
    let mut rank_y = Vec::with_capacity(ranks);
    let mut y = 0.0;
    for h in &heights {
        rank_y.push(y + h / 2.0);
        y += h + RANK_GAP;
    }
    let mut result = Layout::default();
    for v in 0..n {
        result.nodes.insert(
            v,
            Placed {
                center: Point::new(x[v], rank_y[node_rank[v]]),
                size: sizes[v],
            },
        );
    }
    // 7. Edges: through their dummies, vertical tangents at each point.
    let mut chain_of = chains.into_iter();
    for (i, &(a, b)) in edges.iter().enumerate() {
        if a == b {
            // A self-loop: a small arc on the right of the node.
            let c = result.nodes[&a].center;
            let s = sizes[a];
            let p = Point::new(c.x + s.x / 2.0, c.y - s.y / 4.0);
            let q = Point::new(c.x + s.x / 2.0, c.y + s.y / 4.0);
            let bulge = Point::new(c.x + s.x / 2.0 + 30.0, c.y);
            result.edges.insert(
                i,
                vec![Segment {
                    from: p,
                    c1: Point::new(bulge.x, p.y - 10.0),
                    c2: Point::new(bulge.x, q.y + 10.0),
                    to: q,
                }],
            );
            continue;
        }
        let Some(chain) = chain_of.next() else { break };
        let mut pts: Vec<Point> = chain
            .iter()
            .map(|&v| Point::new(x[v], rank_y[node_rank[v]]))
            .collect();
        if reversed[i] {
            pts.reverse();
        }
        // Start and end on the boxes' edges.
        let clip = |p: Point, toward: Point, v: usize| {
            let half = sizes[v].y / 2.0;
            Point::new(
                p.x,
                if toward.y > p.y {
                    p.y + half
                } else {
                    p.y - half
                },
            )
        };
        let last = pts.len() - 1;
        pts[0] = clip(pts[0], pts[1], a);
        pts[last] = clip(pts[last], pts[last - 1], b);
        // Curved where the edge leaves and enters a node, straight through
        // its dummies (which line up along the edge).
        let last_seg = pts.len() - 2;
        let segs = pts
            .windows(2)
            .enumerate()
            .map(|(k, w)| {
                let mid = (w[0].y + w[1].y) / 2.0;
                let third = |t: f64| {
                    Point::new(
                        w[0].x + (w[1].x - w[0].x) * t,
                        w[0].y + (w[1].y - w[0].y) * t,
                    )
                };
                Segment {
                    from: w[0],
                    c1: if k == 0 {
                        Point::new(w[0].x, mid)
                    } else {
                        third(1.0 / 3.0)
                    },
                    c2: if k == last_seg {
                        Point::new(w[1].x, mid)
                    } else {
                        third(2.0 / 3.0)
                    },
                    to: w[1],
                }
            })
            .collect();
        result.edges.insert(i, segs);
    }
    result
}
