//! `nova report`: one self-contained HTML file (no network: styles and
//! script inline, the graph as inline SVG) with the summary, the ownership
//! matrix (sortable, filterable, each cell opening its evidence with the
//! source excerpt), the dependency graph (a click on a service filters the
//! page to it), the findings with excerpts and fixes, the decoupling plan
//! and the scan diagnostics.
//!
//! A pure function of the model, the config, the audit outcome and the
//! loaded [`Sources`]; the output is deterministic (no timestamps).

use crate::fix::fixes;
use crate::source::Sources;
use nova_config::Config;
use nova_graph::{GraphOptions, ServiceGraph};
use nova_model::{EdgeKind, Location, Model, Op, Severity};
use nova_rules::ownership::Ownership;
use nova_rules::{AuditOutcome, Finding};
use std::collections::BTreeSet;
use std::fmt::Write;

const CSS: &str = include_str!("html/report.css");
const JS: &str = include_str!("html/report.js");

/// Accesses shown with an excerpt per matrix cell (the rest are listed).
const MAX_EXCERPTS_PER_CELL: usize = 12;
/// Locations shown with an excerpt per finding.
const MAX_LOCATIONS: usize = 12;
/// Diagnostics listed.
const MAX_DIAGNOSTICS: usize = 500;
/// Lines of context above and below an excerpted line.
const CONTEXT: u32 = 2;

/// Escape text for HTML content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Every file the report excerpts: accesses, findings, edge evidence.
pub fn files_needed<'a>(model: &'a Model, outcome: &'a AuditOutcome) -> BTreeSet<&'a str> {
    let access = model
        .accesses
        .iter()
        .flat_map(|a| std::iter::once(&a.location).chain(a.call_site.as_ref()));
    let found = outcome
        .findings
        .iter()
        .chain(&outcome.baselined)
        .flat_map(|f| f.locations.iter().map(|(l, _)| l));
    crate::source::files_of(access.chain(found))
}

/// The excerpt around `loc`: a few lines, the located one highlighted.
fn excerpt(sources: &Sources, loc: &Location) -> String {
    if loc.line == 0 {
        return String::new();
    }
    let lines = sources.lines(
        &loc.file,
        loc.line.saturating_sub(CONTEXT).max(1),
        loc.line + CONTEXT,
    );
    if lines.is_empty() {
        return String::new();
    }
    let mut out = String::from("<pre class=\"src\">");
    for (n, text) in lines {
        let class = if n == loc.line { " class=\"at\"" } else { "" };
        let _ = write!(out, "<span{class}><i>{n}</i>{}</span>", esc(text));
    }
    out.push_str("</pre>");
    out
}

fn severity_class(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// The HTML report (see the module docs).
pub fn report(model: &Model, config: &Config, outcome: &AuditOutcome, sources: &Sources) -> String {
    let graph = ServiceGraph::build(model, &GraphOptions::default()).ok();
    let services: Vec<&str> = model.services.iter().map(|s| s.name.as_str()).collect();
    let mut out = String::new();
    let title = format!("nova report: {}", model.root);
    let _ = writeln!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n<title>{}</title>\n<style>\n{CSS}</style>\n</head>\n<body>",
        esc(&title)
    );
    let _ = writeln!(
        out,
        "<header><h1>{}</h1><p>Written by nova {} from one scan. Works offline; click a matrix cell for its evidence, a service in the graph to filter the page.</p></header>",
        esc(&title),
        env!("CARGO_PKG_VERSION")
    );
    let _ = write!(
        out,
        "<nav><a href=\"#summary\">Summary</a><a href=\"#matrix-section\">Ownership matrix</a><a href=\"#graph\">Graph</a><a href=\"#findings\">Findings</a><a href=\"#plan\">Plan</a><a href=\"#diagnostics\">Diagnostics</a><label>Service <select id=\"service-filter\"><option value=\"\">all services</option>"
    );
    for s in &services {
        let _ = write!(out, "<option value=\"{0}\">{0}</option>", esc(s));
    }
    let _ = writeln!(out, "</select></label></nav>\n<main>");
    summary(&mut out, model, outcome, graph.as_ref());
    matrix(&mut out, model, sources);
    graph_section(&mut out, graph.as_ref());
    findings(&mut out, model, outcome, graph.as_ref(), sources);
    plan(&mut out, model, config);
    diagnostics(&mut out, model);
    let _ = writeln!(out, "</main>\n<script>\n{JS}</script>\n</body>\n</html>");
    out
}

fn summary(out: &mut String, model: &Model, outcome: &AuditOutcome, graph: Option<&ServiceGraph>) {
    let index = Ownership::new(model);
    let multi = index
        .tables()
        .filter(|t| index.writers(t).len() > 1)
        .count();
    let sync = graph.map_or(0, |g| {
        g.sync_edges()
            .map(|e| (&e.from, &e.to))
            .collect::<BTreeSet<_>>()
            .len()
    });
    let async_ = model
        .edges
        .iter()
        .filter(|e| e.kind == EdgeKind::Kafka)
        .count();
    let cycles = graph.map_or(0, |g| g.sync_cycles().len());
    let chain = graph.map(|g| g.longest_chain(nova_graph::DEFAULT_HOP_AVAILABILITY));
    let _ = writeln!(
        out,
        "<section id=\"summary\"><h2>Summary</h2><div class=\"cards\">"
    );
    let mut card = |n: usize, what: &str, bad: bool| {
        let class = if bad && n > 0 { "card bad" } else { "card" };
        let _ = write!(out, "<div class=\"{class}\"><b>{n}</b>{}</div>", esc(what));
    };
    card(model.services.len(), "services", false);
    card(model.libraries.len(), "libraries", false);
    card(model.tables.len(), "tables", false);
    card(multi, "tables with several writers", true);
    card(sync, "synchronous dependencies", true);
    card(async_, "event flows (Kafka)", false);
    card(cycles, "synchronous cycles", true);
    card(outcome.count(Severity::Error), "errors", true);
    card(outcome.count(Severity::Warning), "warnings", false);
    card(model.diagnostics.len(), "scan diagnostics", false);
    let _ = writeln!(out, "</div>");
    if let Some(c) = chain.filter(|c| c.hops > 0) {
        let _ = writeln!(
            out,
            "<p>Longest synchronous chain: <b>{}</b> ({} hop{}; at {:.1}% per hop the chain is up {:.2}% of the time).</p>",
            esc(&c.services.join(" → ")),
            c.hops,
            if c.hops == 1 { "" } else { "s" },
            c.per_hop * 100.0,
            c.availability * 100.0
        );
    }
    let _ = writeln!(
        out,
        "<p class=\"muted\">Scanned {} files ({} Rust), {} SQL statements. Audit: {}.</p></section>",
        model.stats.files,
        model.stats.rust_files,
        model.stats.sql_statements,
        esc(&crate::human::summary(
            outcome,
            u8::from(outcome.fails(Severity::Error))
        ))
    );
}

fn op_word(op: Op) -> &'static str {
    match op {
        Op::Create => "insert",
        Op::Read => "read",
        Op::Update => "update",
        Op::Delete => "delete",
    }
}

fn matrix(out: &mut String, model: &Model, sources: &Sources) {
    let index = Ownership::new(model);
    let mut columns: BTreeSet<String> = model.services.iter().map(|s| s.name.clone()).collect();
    for t in index.tables() {
        columns.extend(index.cells(t).into_keys());
    }
    let _ = writeln!(
        out,
        "<section id=\"matrix-section\"><h2>Ownership matrix</h2><p>Tables × services: C(reate) R(ead) U(pdate) D(elete). The owner's cell is bold (hover the owner for why); ⚠ marks a table written by several services. Click a column to sort, a cell for its evidence. <input id=\"table-filter\" type=\"search\" placeholder=\"filter tables\"> <span id=\"matrix-count\" class=\"muted\"></span></p>"
    );
    let _ = write!(
        out,
        "<div class=\"scroll\"><table id=\"matrix\"><thead><tr><th>table</th><th>owner</th><th>writers</th>"
    );
    for c in &columns {
        let _ = write!(out, "<th data-service=\"{0}\">{0}</th>", esc(c));
    }
    let _ = writeln!(out, "</tr></thead><tbody>");
    let mut templates = String::new();
    for (row, t) in index.tables().enumerate() {
        let cells = index.cells(t);
        let writers = index.writers(t);
        let owner = index.owner(t);
        let touched: Vec<&str> = cells.keys().map(String::as_str).collect();
        let class = if writers.len() > 1 {
            " class=\"multi\""
        } else {
            ""
        };
        let _ = write!(
            out,
            "<tr{class} data-table=\"{}\" data-services=\"{}\"><td>{}</td><td>{}</td><td data-sort=\"{}\">{}</td>",
            esc(t),
            esc(&touched.join(" ")),
            esc(t),
            owner.map_or_else(
                || "<span class=\"muted\">none</span>".to_string(),
                |o| format!(
                    "<span title=\"{}\">{}</span>",
                    esc(o.basis.describe()),
                    esc(&o.service)
                )
            ),
            writers.len(),
            writers.len()
        );
        for (col, c) in columns.iter().enumerate() {
            let Some(ops) = cells.get(c) else {
                let _ = write!(out, "<td class=\"ops\" data-service=\"{}\"></td>", esc(c));
                continue;
            };
            let mut class = String::from("ops");
            if owner.is_some_and(|o| &o.service == c) {
                class.push_str(" owner");
            } else if ops.has_write() {
                class.push_str(" write");
            }
            let id = format!("ev-{row}-{col}");
            let _ = write!(
                out,
                "<td class=\"{class}\" data-service=\"{}\" data-evidence=\"{id}\" title=\"{} on {}\">{ops}</td>",
                esc(c),
                esc(c),
                esc(t)
            );
            let _ = write!(
                templates,
                "<template id=\"{id}\"><h3>{} on <code>{}</code>: {ops}</h3>",
                esc(c),
                esc(t)
            );
            for (i, a) in index
                .accesses(t)
                .iter()
                .filter(|a| &a.service == c)
                .enumerate()
            {
                let mut what = format!(
                    "{} at <span class=\"where\">{}</span>",
                    op_word(a.op),
                    esc(&a.location.to_string())
                );
                if let Some(lib) = &a.via_library {
                    let _ = write!(what, " (SQL in library {}", esc(lib));
                    if let Some(site) = &a.call_site {
                        let _ = write!(
                            what,
                            ", called at <span class=\"where\">{}</span>",
                            esc(&site.to_string())
                        );
                    }
                    what.push(')');
                }
                if a.confidence == nova_model::Confidence::Low {
                    what.push_str(" <span class=\"muted\">(low confidence)</span>");
                }
                if let Some(f) = &a.function {
                    let _ = write!(what, " in <code>{}</code>", esc(f));
                }
                let _ = write!(templates, "<div class=\"loc\">{what}");
                if i < MAX_EXCERPTS_PER_CELL {
                    templates.push_str(&excerpt(sources, &a.location));
                }
                templates.push_str("</div>");
            }
            templates.push_str("</template>\n");
        }
        let _ = writeln!(out, "</tr>");
    }
    let _ = writeln!(
        out,
        "</tbody></table></div>\n<div id=\"evidence\" class=\"hidden\"></div>\n{templates}</section>"
    );
}

fn graph_section(out: &mut String, graph: Option<&ServiceGraph>) {
    let _ = writeln!(
        out,
        "<section id=\"graph\"><h2>Dependency graph</h2><p class=\"legend\"><span><i style=\"border-color:#d62728\"></i>synchronous (gRPC, HTTP)</span><span><i style=\"border-color:#d62728;border-top-style:dotted\"></i>start-up</span><span><i style=\"border-color:#1f77b4;border-top-style:dashed\"></i>Kafka, through the topic</span><span><i style=\"border-color:#ff7f0e;border-top-width:3px\"></i>longest synchronous chain</span><span>red fill: synchronous cycle</span></p><div id=\"graph-box\">"
    );
    match graph {
        Some(g) => out.push_str(&crate::svg::svg(g)),
        None => out.push_str("<p>The graph could not be built.</p>"),
    }
    if let Some(g) = graph {
        let layers: Vec<String> = g
            .layers()
            .iter()
            .map(|l| format!("Layer {}: {}", l.index, l.nodes.join(", ")))
            .collect();
        let _ = writeln!(
            out,
            "</div><p class=\"muted\">{}</p></section>",
            esc(&layers.join(" · "))
        );
    } else {
        let _ = writeln!(out, "</div></section>");
    }
}

/// Services a finding is about (for the service filter).
fn finding_services(model: &Model, f: &Finding) -> BTreeSet<String> {
    let mut s: BTreeSet<String> = [&f.subject.service, &f.subject.to]
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    if let Some(t) = &f.subject.table
        && f.rule == "multi-writer"
    {
        s.extend(Ownership::new(model).writers(t).into_keys());
    }
    if let Some(t) = &f.subject.topic {
        for topic in model.topics.iter().filter(|x| &x.name == t) {
            s.extend(
                topic
                    .producers
                    .iter()
                    .chain(&topic.consumers)
                    .map(|e| e.service.clone()),
            );
        }
    }
    s
}

/// `code spans` in plain text become `<code>`.
fn inline_code(text: &str) -> String {
    let mut out = String::new();
    for (i, part) in text.split('`').enumerate() {
        if i % 2 == 1 {
            let _ = write!(out, "<code>{}</code>", esc(part));
        } else {
            out.push_str(&esc(part));
        }
    }
    out
}

fn findings(
    out: &mut String,
    model: &Model,
    outcome: &AuditOutcome,
    graph: Option<&ServiceGraph>,
    sources: &Sources,
) {
    let _ = writeln!(
        out,
        "<section id=\"findings\"><h2>Findings ({})</h2>",
        outcome.findings.len()
    );
    if outcome.findings.is_empty() {
        let _ = writeln!(out, "<p>No new findings.</p>");
    }
    for f in &outcome.findings {
        let sev = severity_class(f.severity);
        let services: Vec<String> = finding_services(model, f).into_iter().collect();
        let _ = write!(
            out,
            "<div class=\"finding {sev}\" data-rule=\"{}\" data-services=\"{}\"><h3><span class=\"badge {sev}\">{sev}</span> <span class=\"rule\">[{}]</span> {}</h3>",
            esc(f.rule),
            esc(&services.join(" ")),
            esc(f.rule),
            inline_code(&f.message)
        );
        for (l, label) in f.locations.iter().take(MAX_LOCATIONS) {
            let _ = write!(
                out,
                "<div class=\"loc\"><span class=\"where\">{}</span> {}{}</div>",
                esc(&l.to_string()),
                esc(label),
                excerpt(sources, l)
            );
        }
        if f.locations.len() > MAX_LOCATIONS {
            let _ = write!(
                out,
                "<p class=\"muted\">and {} more locations (`nova audit --format json` lists them all)</p>",
                f.locations.len() - MAX_LOCATIONS
            );
        }
        let fx = graph.map(|g| fixes(model, g, f)).unwrap_or_default();
        if fx.is_empty() {
            let _ = write!(
                out,
                "<p class=\"help\"><b>help:</b> {}</p>",
                inline_code(&f.hint)
            );
        }
        for x in fx {
            let _ = write!(
                out,
                "<div class=\"help\"><b>help:</b> {}",
                inline_code(&x.text)
            );
            for c in &x.commands {
                let _ = write!(out, "<code class=\"cmd\">{}</code>", esc(c));
            }
            out.push_str("</div>");
        }
        let _ = writeln!(out, "</div>");
    }
    if !outcome.allowed.is_empty() {
        let _ = writeln!(out, "<h3>Accepted in nova.toml</h3><ul>");
        for a in &outcome.allowed {
            let _ = writeln!(
                out,
                "<li><span class=\"rule\">[{}]</span> {} — {}</li>",
                esc(a.finding.rule),
                inline_code(&a.finding.message),
                esc(&a.reason)
            );
        }
        let _ = writeln!(out, "</ul>");
    }
    let _ = writeln!(out, "</section>");
}

fn plan(out: &mut String, model: &Model, config: &Config) {
    let md = crate::plan::markdown(model, config);
    let mut html = String::new();
    let parser = pulldown_cmark::Parser::new_ext(&md, pulldown_cmark::Options::ENABLE_TASKLISTS);
    // Raw HTML in the plan (it has none) would be escaped, never run.
    let parser = parser.map(|e| match e {
        pulldown_cmark::Event::Html(t) | pulldown_cmark::Event::InlineHtml(t) => {
            pulldown_cmark::Event::Text(t)
        }
        e => e,
    });
    pulldown_cmark::html::push_html(&mut html, parser);
    let _ = writeln!(out, "<section id=\"plan\">{html}</section>");
}

fn diagnostics(out: &mut String, model: &Model) {
    let d = &model.diagnostics;
    let _ = writeln!(
        out,
        "<section id=\"diagnostics\"><h2>Scan diagnostics ({})</h2>",
        d.len()
    );
    if d.is_empty() {
        let _ = writeln!(out, "<p>None: nova read everything it found.</p></section>");
        return;
    }
    let _ = writeln!(
        out,
        "<p>{}</p><table><thead><tr><th>code</th><th>severity</th><th>where</th><th>message</th></tr></thead><tbody>",
        esc(&crate::diagnostic_counts(d))
    );
    for x in crate::diagnostics_in_order(d)
        .into_iter()
        .take(MAX_DIAGNOSTICS)
    {
        let _ = writeln!(
            out,
            "<tr><td>{}</td><td>{}</td><td class=\"where\">{}</td><td>{}</td></tr>",
            x.code.id(),
            x.severity,
            esc(&x
                .location
                .as_ref()
                .map(|l| l.to_string())
                .unwrap_or_default()),
            esc(&x.message)
        );
    }
    let _ = writeln!(out, "</tbody></table>");
    if d.len() > MAX_DIAGNOSTICS {
        let _ = writeln!(
            out,
            "<p class=\"muted\">and {} more (`nova scan --format json` has them all)</p>",
            d.len() - MAX_DIAGNOSTICS
        );
    }
    let _ = writeln!(out, "</section>");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed_model::seed_model;

    #[test]
    fn self_contained_and_escaped() {
        let mut m = seed_model();
        m.root = "<repo>".into();
        let o = nova_rules::run(&m, &Config::default(), None);
        let mut s = Sources::new();
        s.insert(
            "libs/db-common/src/users.rs",
            "a\nb\nc\n\nx\ny\nz\n\n\n\nq\nsqlx::query(\"UPDATE users <b>\")\n",
        );
        let html = report(&m, &Config::default(), &o, &s);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(
            !html.contains("http://")
                || html.matches("http://").count()
                    == html.matches("http://www.w3.org/2000/svg").count()
        );
        assert!(!html.contains("https://"), "no network reference");
        assert!(!html.contains("<script src") && !html.contains("<link"));
        assert!(html.contains("nova report: &lt;repo&gt;"));
        assert!(html.contains("UPDATE users &lt;b&gt;"));
        assert!(html.contains("<tr class=\"multi\" data-table=\"users\""));
        for svc in &m.services {
            assert!(html.contains(&format!("data-id=\"service:{}\"", svc.name)));
        }
        assert_eq!(
            report(&m, &Config::default(), &o, &s),
            html,
            "deterministic"
        );
    }
}
