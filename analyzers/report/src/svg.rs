//! The dependency graph as SVG, laid out in-process (no Graphviz needed).
//! Used by `nova graph --format svg` and inlined in the HTML report.
//!
//! Small graphs (up to [`LAYOUT_RS_MAX_NODES`] nodes and
//! [`LAYOUT_RS_MAX_EDGES`] edges) are laid out by `layout-rs`, which routes
//! edges around nodes; larger ones by [`layered`], our own layered layout:
//! `layout-rs` took 16 s for 80 services with 154 calls and 110 s for 150
//! with 295 (release build, this 2-core machine), and panics on some
//! graphs (a panic falls back to [`layered`] too).
//!
//! Services are boxes (gateways with a thicker border, external services
//! dashed), infrastructure and topics are ellipses. Synchronous edges are
//! solid red, Kafka links dashed blue through their topic; members and
//! edges of synchronous cycles are highlighted, and so are the edges of the
//! longest synchronous chain. Every node is a `<g class="node ...">` with
//! `data-id`, `data-kind` and `data-name`; every edge a `<g class="edge
//! ...">` with `data-from`/`data-to` (node ids), so the HTML report can
//! filter on them. Output is deterministic (the layout uses no randomness
//! and no hash-order iteration that reaches the result).

use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::{Point, get_size_for_str, pad_shape_scalar};
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;
use nova_graph::{LinkDirection, NodeKind, ServiceGraph};
use nova_model::EdgeKind;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

const SYNC_COLOR: &str = "#d62728";
const ASYNC_COLOR: &str = "#1f77b4";
const CYCLE_FILL: &str = "#ffd6d6";
const CHAIN_COLOR: &str = "#ff7f0e";
const FONT_SIZE: usize = 14;
const MARGIN: f64 = 20.0;

/// Largest graph handed to `layout-rs` (see the module docs).
pub const LAYOUT_RS_MAX_NODES: usize = 40;
/// Largest number of drawn edges handed to `layout-rs`.
pub const LAYOUT_RS_MAX_EDGES: usize = 80;

mod layered;

/// One edge to draw.
struct Link {
    from: usize,
    to: usize,
    class: String,
    title: String,
}

/// A shape the layout placed.
pub(crate) struct Placed {
    center: Point,
    size: Point,
}

/// One cubic Bézier piece of an edge.
#[derive(Clone, Copy)]
pub(crate) struct Segment {
    from: Point,
    c1: Point,
    c2: Point,
    to: Point,
}

/// Where everything goes: nodes by index, edges by index.
#[derive(Default)]
pub(crate) struct Layout {
    nodes: BTreeMap<usize, Placed>,
    edges: BTreeMap<usize, Vec<Segment>>,
}

/// Collects where `layout-rs` puts nodes and edges.
#[derive(Default)]
struct Recorder {
    layout: Layout,
}

/// `layout-rs`'s path (`M a C b, c, d S e, f …`) as Bézier segments.
fn segments(path: &[(Point, Point)]) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    if path.len() < 2 {
        return out;
    }
    out.push(Segment {
        from: path[0].0,
        c1: path[0].1,
        c2: path[1].0,
        to: path[1].1,
    });
    for p in &path[2..] {
        let Some(prev) = out.last().copied() else {
            break;
        };
        // `S`: the first control point mirrors the previous second one.
        let c1 = Point::new(2.0 * prev.to.x - prev.c2.x, 2.0 * prev.to.y - prev.c2.y);
        out.push(Segment {
            from: prev.to,
            c1,
            c2: p.0,
            to: p.1,
        });
    }
    out
}

fn index(props: &Option<String>, prefix: char) -> Option<usize> {
    props.as_deref()?.strip_prefix(prefix)?.parse().ok()
}

impl RenderBackend for Recorder {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        _look: &StyleAttr,
        properties: Option<String>,
        _clip: Option<ClipHandle>,
    ) {
        if let Some(i) = index(&properties, 'n') {
            let center = Point::new(xy.x + size.x / 2.0, xy.y + size.y / 2.0);
            self.layout.nodes.insert(i, Placed { center, size });
        }
    }
    fn draw_line(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}
    fn draw_circle(&mut self, xy: Point, size: Point, _: &StyleAttr, properties: Option<String>) {
        if let Some(i) = index(&properties, 'n') {
            self.layout.nodes.insert(i, Placed { center: xy, size });
        }
    }
    fn draw_text(&mut self, _: Point, _: &str, _: &StyleAttr) {}
    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        _dashed: bool,
        _head: (bool, bool),
        _look: &StyleAttr,
        properties: Option<String>,
        _text: &str,
    ) {
        if let Some(i) = index(&properties, 'e') {
            self.layout.edges.insert(i, segments(path));
        }
    }
    fn create_clip(&mut self, _: Point, _: Point, _: usize) -> ClipHandle {
        0
    }
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn fmt(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// The edges of the longest synchronous chain, as (from, to) names.
fn chain_pairs(graph: &ServiceGraph) -> BTreeSet<(String, String)> {
    let c = graph.longest_chain(nova_graph::DEFAULT_HOP_AVAILABILITY);
    c.services
        .windows(2)
        .map(|w| (w[0].clone(), w[1].clone()))
        .collect()
}

/// The graph as a standalone SVG document.
pub fn svg(graph: &ServiceGraph) -> String {
    let nodes = graph.nodes();
    let id_of: BTreeMap<&str, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.id.as_str(), i))
        .collect();
    let chain = chain_pairs(graph);
    let mut links: Vec<Link> = Vec::new();
    for e in graph.edges() {
        // Kafka edges between services are drawn through their topics.
        if e.kind == EdgeKind::Kafka {
            continue;
        }
        let (Some(&from), Some(&to)) = (id_of.get(e.from_id.as_str()), id_of.get(e.to_id.as_str()))
        else {
            continue;
        };
        let mut class = format!("edge sync {}", e.kind);
        if crate::graph::in_cycle_edge(graph, e) {
            class.push_str(" cycle");
        }
        if e.is_sync_between_services() && chain.contains(&(e.from.clone(), e.to.clone())) {
            class.push_str(" chain");
        }
        let via = if e.via.is_empty() {
            String::new()
        } else {
            format!(": {}", e.via.join(", "))
        };
        links.push(Link {
            from,
            to,
            class,
            title: format!("{} → {} ({}{via})", e.from, e.to, e.kind),
        });
    }
    for l in graph.topic_links() {
        let service = nodes
            .iter()
            .position(|n| n.kind.is_service() && n.name == l.service);
        let topic = id_of.get(format!("topic:{}", l.topic).as_str()).copied();
        let (Some(s), Some(t)) = (service, topic) else {
            continue;
        };
        let (from, to, what) = match l.direction {
            LinkDirection::Produces => (s, t, "produces to"),
            LinkDirection::Consumes => (t, s, "is consumed by"),
        };
        let title = match l.direction {
            LinkDirection::Produces => format!("{} {what} {}", l.service, l.topic),
            LinkDirection::Consumes => format!("{} {what} {}", l.topic, l.service),
        };
        links.push(Link {
            from,
            to,
            class: "edge async kafka".to_string(),
            title,
        });
    }
    let placed = place(graph, &links);
    write_svg(graph, &links, &placed)
}

/// A node's box: its name in the font, padded (ellipses a bit wider).
fn node_size(n: &nova_graph::Node) -> Point {
    let size = pad_shape_scalar(get_size_for_str(&n.name, FONT_SIZE), 16.0);
    match n.kind {
        NodeKind::Infrastructure | NodeKind::Topic => Point::new(size.x + 10.0, size.y),
        _ => size,
    }
}

/// Lay the graph out: `layout-rs` when small enough and it succeeds, else
/// the layered layout.
fn place(graph: &ServiceGraph, links: &[Link]) -> Layout {
    let nodes = graph.nodes();
    let sizes: Vec<Point> = nodes.iter().map(node_size).collect();
    if nodes.len() <= LAYOUT_RS_MAX_NODES && links.len() <= LAYOUT_RS_MAX_EDGES {
        let run = || {
            let mut vg = VisualGraph::new(Orientation::TopToBottom);
            let mut handles = Vec::new();
            for (i, n) in nodes.iter().enumerate() {
                let shape = match n.kind {
                    NodeKind::Infrastructure | NodeKind::Topic => ShapeKind::new_circle(&n.name),
                    _ => ShapeKind::new_box(&n.name),
                };
                let look = StyleAttr::new(Color::fast("black"), 1, None, 0, FONT_SIZE);
                let el = Element::create_with_properties(
                    shape,
                    look,
                    Orientation::LeftToRight,
                    sizes[i],
                    format!("n{i}"),
                );
                handles.push(vg.add_node(el));
            }
            for (i, l) in links.iter().enumerate() {
                let mut arrow = Arrow::new(
                    LineEndKind::None,
                    LineEndKind::Arrow,
                    LineStyleKind::Normal,
                    "",
                    &StyleAttr::simple(),
                    &None,
                    &None,
                );
                arrow.properties = Some(format!("e{i}"));
                vg.add_edge(arrow, handles[l.from], handles[l.to]);
            }
            let mut rec = Recorder::default();
            vg.do_it(false, false, false, &mut rec);
            rec.layout
        };
        // layout-rs asserts on some inputs: keep its panic message off the
        // terminal and use the layered layout instead.
        let hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(|_| {}));
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run));
        std::panic::set_hook(hook);
        if let Ok(l) = result
            && l.nodes.len() == nodes.len()
            && l.edges.len() == links.len()
        {
            return l;
        }
    }
    let edges: Vec<(usize, usize)> = links.iter().map(|l| (l.from, l.to)).collect();
    layered::layout(&sizes, &edges)
}

fn write_svg(graph: &ServiceGraph, links: &[Link], rec: &Layout) -> String {
    let (mut min, mut max) = (
        Point::new(f64::MAX, f64::MAX),
        Point::new(f64::MIN, f64::MIN),
    );
    let mut grow = |p: Point| {
        min = Point::new(min.x.min(p.x), min.y.min(p.y));
        max = Point::new(max.x.max(p.x), max.y.max(p.y));
    };
    for p in rec.nodes.values() {
        grow(Point::new(
            p.center.x - p.size.x / 2.0,
            p.center.y - p.size.y / 2.0,
        ));
        grow(Point::new(
            p.center.x + p.size.x / 2.0,
            p.center.y + p.size.y / 2.0,
        ));
    }
    for path in rec.edges.values() {
        for s in path {
            for p in [s.from, s.c1, s.c2, s.to] {
                grow(p);
            }
        }
    }
    if rec.nodes.is_empty() {
        min = Point::zero();
        max = Point::new(200.0, 40.0);
    }
    let (ox, oy) = (MARGIN - min.x, MARGIN - min.y);
    let (w, h) = (max.x - min.x + 2.0 * MARGIN, max.y - min.y + 2.0 * MARGIN);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="nova-graph" viewBox="0 0 {} {}" width="{}" height="{}" font-family="Helvetica, Arial, sans-serif" font-size="{FONT_SIZE}">"#,
        fmt(w),
        fmt(h),
        fmt(w),
        fmt(h)
    );
    let _ = writeln!(
        out,
        r#"<defs><marker id="nova-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerUnits="userSpaceOnUse" markerWidth="10" markerHeight="10" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="context-stroke"/></marker></defs>"#
    );
    let _ = writeln!(
        out,
        "<style>.edge path{{fill:none;stroke-width:1.5}}.edge.sync path{{stroke:{SYNC_COLOR}}}.edge.async path{{stroke:{ASYNC_COLOR};stroke-dasharray:6 4}}.edge.startup path{{stroke-dasharray:2 3}}.edge.chain path{{stroke:{CHAIN_COLOR};stroke-width:3}}.edge.cycle path{{stroke-width:3.5}}.node rect,.node ellipse{{fill:#fff;stroke:#333}}.node.gateway rect{{stroke-width:3}}.node.external rect{{stroke-dasharray:4 3}}.node.topic ellipse{{stroke:{ASYNC_COLOR};fill:#eef5fb}}.node.infrastructure ellipse{{fill:#f2f2f2}}.node.cycle rect{{fill:{CYCLE_FILL};stroke:{SYNC_COLOR};stroke-width:2.5}}.node text{{text-anchor:middle;dominant-baseline:central;fill:#111}}</style>"
    );
    let nodes = graph.nodes();
    for (i, l) in links.iter().enumerate() {
        let Some(path) = rec.edges.get(&i).filter(|p| !p.is_empty()) else {
            continue;
        };
        let p = |pt: Point| format!("{} {}", fmt(pt.x + ox), fmt(pt.y + oy));
        let mut d = format!("M {}", p(path[0].from));
        for s in path {
            d.push_str(&format!(" C {}, {}, {}", p(s.c1), p(s.c2), p(s.to)));
        }
        let _ = writeln!(
            out,
            r#"<g class="{}" data-from="{}" data-to="{}"><title>{}</title><path d="{d}" marker-end="url(#nova-arrow)"/></g>"#,
            esc(&l.class),
            esc(&nodes[l.from].id),
            esc(&nodes[l.to].id),
            esc(&l.title)
        );
    }
    for (i, n) in nodes.iter().enumerate() {
        let Some(pl) = rec.nodes.get(&i) else {
            continue;
        };
        let kind = match n.kind {
            NodeKind::Infrastructure => "infrastructure",
            NodeKind::Service => "service",
            NodeKind::Gateway => "service gateway",
            NodeKind::External => "service external",
            NodeKind::Topic => "topic",
        };
        let cycle = if n.in_cycle { " cycle" } else { "" };
        let (cx, cy) = (pl.center.x + ox, pl.center.y + oy);
        let shape = match n.kind {
            NodeKind::Infrastructure | NodeKind::Topic => format!(
                r#"<ellipse cx="{}" cy="{}" rx="{}" ry="{}"/>"#,
                fmt(cx),
                fmt(cy),
                fmt(pl.size.x / 2.0),
                fmt(pl.size.y / 2.0)
            ),
            _ => format!(
                r#"<rect x="{}" y="{}" width="{}" height="{}" rx="4"/>"#,
                fmt(cx - pl.size.x / 2.0),
                fmt(cy - pl.size.y / 2.0),
                fmt(pl.size.x),
                fmt(pl.size.y)
            ),
        };
        let layer = n.layer.map(|l| format!(", layer {l}")).unwrap_or_default();
        let _ = writeln!(
            out,
            r#"<g class="node {kind}{cycle}" data-id="{}" data-kind="{}" data-name="{}"><title>{}</title>{shape}<text x="{}" y="{}">{}</text></g>"#,
            esc(&n.id),
            kind.split(' ').next().unwrap_or(kind),
            esc(&n.name),
            esc(&format!("{} ({kind}{layer})", n.name)),
            fmt(cx),
            fmt(cy),
            esc(&n.name)
        );
    }
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed_model::seed_model;
    use nova_graph::GraphOptions;

    #[test]
    fn every_node_and_edge_is_drawn_and_output_is_stable() {
        let m = seed_model();
        let g = ServiceGraph::build(&m, &GraphOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let a = svg(&g);
        assert!(
            a.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{a}"
        );
        for n in g.nodes() {
            assert!(
                a.contains(&format!("data-id=\"{}\"", esc(&n.id))),
                "{} missing",
                n.id
            );
        }
        let sync = g
            .edges()
            .iter()
            .filter(|e| e.kind != EdgeKind::Kafka)
            .count();
        assert_eq!(a.matches("class=\"edge sync").count(), sync);
        assert_eq!(
            a.matches("class=\"edge async").count(),
            g.topic_links().len()
        );
        assert!(a.contains(" chain\""), "the longest chain is highlighted");
        // Same input, same bytes (the layout has no hidden randomness).
        for _ in 0..3 {
            assert_eq!(svg(&g), a);
        }
        assert!(!a.contains("NaN"));
    }

    #[test]
    fn cycles_are_highlighted_and_empty_graphs_render() {
        let mut m = seed_model();
        m.edges.push(crate::seed_model::edge(
            "content-service",
            "feed-service",
            EdgeKind::Grpc,
            &["GetFeed"],
            "content-service/src/feed.rs",
            3,
            "FeedServiceClient::connect",
        ));
        let g = ServiceGraph::build(&m, &GraphOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        let s = svg(&g);
        assert!(s.contains("class=\"node service cycle\""), "{s}");
        assert!(s.contains(" cycle\" data-from"), "{s}");
        let empty = ServiceGraph::build(&Model::new("x"), &GraphOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(svg(&empty).contains("</svg>"));
    }

    use nova_model::Model;
}

#[cfg(test)]
mod large {
    use super::*;
    use nova_graph::GraphOptions;
    use nova_model::{Edge, Location, Model, Service, ServiceKind, Topic, TopicEndpoint, TopicVia};

    /// A messy graph: `n` services, 2n random calls (cycles included), n/3
    /// topics.
    pub(super) fn messy(n: usize) -> Model {
        let mut m = Model::new("x");
        for i in 0..n {
            m.services.push(Service {
                name: format!("svc-{i:03}"),
                package: None,
                dir: String::new(),
                aliases: vec![],
                kind: ServiceKind::Service,
                dialect: Default::default(),
                libraries: vec![],
            });
        }
        let mut seed = 7u64;
        let mut rnd = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for _ in 0..n * 2 {
            let (a, b) = (rnd() % n, rnd() % n);
            m.edges.push(Edge {
                from: format!("svc-{a:03}"),
                to: format!("svc-{b:03}"),
                kind: EdgeKind::Grpc,
                via: vec!["Get".into()],
                evidence: vec![],
                address: vec![],
            });
        }
        m.edges
            .sort_by(|a, b| (&a.from, &a.to).cmp(&(&b.from, &b.to)));
        m.edges.dedup_by(|a, b| a.from == b.from && a.to == b.to);
        for t in 0..n / 3 {
            let ep = |s: usize| TopicEndpoint {
                service: format!("svc-{s:03}"),
                via: TopicVia::Direct,
                location: Location::new("a.rs", 1, 0),
            };
            m.topics.push(Topic {
                name: format!("topic-{t}"),
                producers: vec![ep(rnd() % n)],
                consumers: vec![ep(rnd() % n), ep(rnd() % n)],
            });
        }
        m
    }

    /// Node boxes (x, y, width, height) from the SVG.
    fn boxes(svg: &str) -> Vec<(f64, f64, f64, f64)> {
        svg.lines()
            .filter(|l| l.contains("<rect x=\""))
            .filter_map(|l| {
                let num = |key: &str| -> Option<f64> {
                    let at = l.find(&format!(" {key}=\""))? + key.len() + 3;
                    l[at..].split('"').next()?.parse().ok()
                };
                Some((num("x")?, num("y")?, num("width")?, num("height")?))
            })
            .collect()
    }

    #[test]
    fn large_messy_graphs_use_the_layered_layout() {
        for n in [60, 200] {
            let g = ServiceGraph::build(&messy(n), &GraphOptions::default())
                .unwrap_or_else(|e| panic!("{e}"));
            assert!(g.nodes().len() > LAYOUT_RS_MAX_NODES);
            let s = svg(&g);
            assert!(
                !s.contains("NaN")
                    && !s.contains("inf ")
                    && !s.contains("inf,")
                    && !s.contains("inf\""),
                "finite coordinates"
            );
            for node in g.nodes() {
                assert!(
                    s.contains(&format!("data-id=\"{}\"", node.id)),
                    "{}",
                    node.id
                );
            }
            assert_eq!(svg(&g), s, "deterministic");
            // No two service boxes overlap.
            let b = boxes(&s);
            for (i, p) in b.iter().enumerate() {
                for q in &b[i + 1..] {
                    let apart = p.0 + p.2 <= q.0 + 0.1
                        || q.0 + q.2 <= p.0 + 0.1
                        || p.1 + p.3 <= q.1 + 0.1
                        || q.1 + q.3 <= p.1 + 0.1;
                    assert!(apart, "{p:?} overlaps {q:?}");
                }
            }
        }
    }

    #[test]
    fn small_graphs_use_layout_rs_and_panics_fall_back() {
        let g = ServiceGraph::build(&messy(12), &GraphOptions::default())
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(g.nodes().len() <= LAYOUT_RS_MAX_NODES);
        let s = svg(&g);
        for node in g.nodes() {
            assert!(
                s.contains(&format!("data-id=\"{}\"", node.id)),
                "{}",
                node.id
            );
        }
    }
}
