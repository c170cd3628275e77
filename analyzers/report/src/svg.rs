//! The dependency graph as SVG, laid out in-process with `layout-rs` (a
//! Sugiyama-style layered layout; no Graphviz needed). Used by
//! `nova graph --format svg` and inlined in the HTML report.
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
use nova_graph::{GraphEdge, LinkDirection, NodeKind, ServiceGraph};
use nova_model::EdgeKind;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

const SYNC_COLOR: &str = "#d62728";
const ASYNC_COLOR: &str = "#1f77b4";
const CYCLE_FILL: &str = "#ffd6d6";
const CHAIN_COLOR: &str = "#ff7f0e";
const FONT_SIZE: usize = 14;
const MARGIN: f64 = 20.0;

/// One edge to draw.
struct Link {
    from: usize,
    to: usize,
    class: String,
    title: String,
}

/// A shape the layout placed.
struct Placed {
    center: Point,
    size: Point,
}

/// Collects where `layout-rs` puts nodes and edges.
#[derive(Default)]
struct Recorder {
    nodes: BTreeMap<usize, Placed>,
    edges: BTreeMap<usize, Vec<(Point, Point)>>,
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
            self.nodes.insert(i, Placed { center, size });
        }
    }
    fn draw_line(&mut self, _: Point, _: Point, _: &StyleAttr, _: Option<String>) {}
    fn draw_circle(&mut self, xy: Point, size: Point, _: &StyleAttr, properties: Option<String>) {
        if let Some(i) = index(&properties, 'n') {
            self.nodes.insert(i, Placed { center: xy, size });
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
            self.edges.insert(i, path.to_vec());
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

fn in_cycle(graph: &ServiceGraph, e: &GraphEdge) -> bool {
    e.is_sync_between_services()
        && graph
            .sync_cycles()
            .iter()
            .any(|c| c.contains(&e.from) && c.contains(&e.to))
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
        if in_cycle(graph, e) {
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

/// Lay the graph out; on a layout failure, fall back to rows by layer.
fn place(graph: &ServiceGraph, links: &[Link]) -> Recorder {
    let run = || {
        let mut vg = VisualGraph::new(Orientation::TopToBottom);
        let mut handles = Vec::new();
        for (i, n) in graph.nodes().iter().enumerate() {
            let shape = match n.kind {
                NodeKind::Infrastructure | NodeKind::Topic => ShapeKind::new_circle(&n.name),
                _ => ShapeKind::new_box(&n.name),
            };
            let size = pad_shape_scalar(get_size_for_str(&n.name, FONT_SIZE), 16.0);
            let size = match n.kind {
                NodeKind::Infrastructure | NodeKind::Topic => Point::new(size.x + 10.0, size.y),
                _ => size,
            };
            let look = StyleAttr::new(Color::fast("black"), 1, None, 0, FONT_SIZE);
            let el = Element::create_with_properties(
                shape,
                look,
                Orientation::LeftToRight,
                size,
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
        rec
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)) {
        Ok(rec) if rec.nodes.len() == graph.nodes().len() => rec,
        _ => rows(graph, links),
    }
}

/// The fallback layout: one row per layer (top layer first), topics last,
/// straight edges.
fn rows(graph: &ServiceGraph, links: &[Link]) -> Recorder {
    let mut rec = Recorder::default();
    let mut by_row: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, n) in graph.nodes().iter().enumerate() {
        let row = n.layer.map_or(i64::MAX, |l| -i64::from(l));
        by_row.entry(row).or_default().push(i);
    }
    for (r, members) in by_row.values().enumerate() {
        let mut x = MARGIN;
        for &i in members {
            let name = &graph.nodes()[i].name;
            let size = pad_shape_scalar(get_size_for_str(name, FONT_SIZE), 16.0);
            let center = Point::new(x + size.x / 2.0, MARGIN + 30.0 + 100.0 * r as f64);
            rec.nodes.insert(i, Placed { center, size });
            x += size.x + 30.0;
        }
    }
    for (i, l) in links.iter().enumerate() {
        if let (Some(a), Some(b)) = (rec.nodes.get(&l.from), rec.nodes.get(&l.to)) {
            let (a, b) = (a.center, b.center);
            rec.edges.insert(i, vec![(a, a), (b, b)]);
        }
    }
    rec
}

fn write_svg(graph: &ServiceGraph, links: &[Link], rec: &Recorder) -> String {
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
        for (a, b) in path {
            grow(*a);
            grow(*b);
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
        let Some(path) = rec.edges.get(&i).filter(|p| p.len() >= 2) else {
            continue;
        };
        let p = |pt: Point| format!("{} {}", fmt(pt.x + ox), fmt(pt.y + oy));
        let mut d = format!(
            "M {} C {}, {}, {}",
            p(path[0].0),
            p(path[0].1),
            p(path[1].0),
            p(path[1].1)
        );
        for pt in path.iter().skip(2) {
            d.push_str(&format!(" S {}, {}", p(pt.0), p(pt.1)));
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
