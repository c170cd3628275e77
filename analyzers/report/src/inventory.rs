//! `nova inventory`: the architecture inventory of seed 001, computed. Per
//! service: its crate and binaries, the gRPC services and methods it
//! serves, its HTTP routes, the tables it owns / writes / reads, the topics
//! it produces and consumes, its outgoing dependencies by kind, the
//! manifests that deploy it and its init containers, lines of code and
//! test count; then shared libraries, infrastructure and the totals.

use crate::md_cell;
use crate::plan::wait_name;
use nova_model::{EdgeKind, Model, ServiceCode};
use nova_rules::ownership::Ownership;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt::Write;

/// Version of the JSON shape of [`json`].
pub const INVENTORY_JSON_VERSION: u32 = 1;

/// One gRPC service a service implements.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Grpc {
    /// `package.Name` (or `Name` without a package).
    pub name: String,
    pub methods: Vec<String>,
}

/// An outgoing dependency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Dependency {
    pub kind: EdgeKind,
    pub to: String,
    pub via: Vec<String>,
}

/// One service of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceEntry {
    pub name: String,
    pub package: Option<String>,
    pub dir: String,
    pub kind: String,
    pub binaries: Vec<String>,
    pub libraries: Vec<String>,
    pub grpc: Vec<Grpc>,
    /// `METHOD /path`.
    pub http_routes: Vec<String>,
    pub tables_owned: Vec<String>,
    pub tables_written: Vec<String>,
    pub tables_read: Vec<String>,
    pub produces: Vec<String>,
    pub consumes: Vec<String>,
    pub depends_on: Vec<Dependency>,
    /// `Kind name (file:line)`.
    pub deployments: Vec<String>,
    pub init_containers: Vec<String>,
    pub rust_files: u64,
    pub lines_of_code: u64,
    pub tests: u64,
}

/// A shared library and who uses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LibraryEntry {
    pub name: String,
    pub dir: String,
    pub used_by: Vec<String>,
}

/// A kind of infrastructure and the services using it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InfraEntry {
    pub kind: String,
    pub used_by: Vec<String>,
}

/// Counts over the whole repository.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub services: usize,
    pub libraries: usize,
    pub binaries: usize,
    pub grpc_services: usize,
    pub grpc_methods: usize,
    pub http_routes: usize,
    pub tables: usize,
    pub migrations: usize,
    pub topics: usize,
    pub sync_dependencies: usize,
    pub async_dependencies: usize,
    pub deployments: usize,
    pub init_containers: usize,
    pub lines_of_code: u64,
    pub tests: u64,
}

/// The whole inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Inventory {
    pub root: String,
    pub services: Vec<ServiceEntry>,
    pub libraries: Vec<LibraryEntry>,
    pub infrastructure: Vec<InfraEntry>,
    pub totals: Totals,
}

fn sorted(it: impl IntoIterator<Item = String>) -> Vec<String> {
    it.into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Compute the inventory of `model`.
pub fn inventory(model: &Model) -> Inventory {
    let index = Ownership::new(model);
    let tables: Vec<&str> = index.tables().collect();
    let empty = ServiceCode::default();
    let mut services = Vec::new();
    for s in &model.services {
        let code = model
            .code
            .iter()
            .find(|c| c.service == s.name)
            .unwrap_or(&empty);
        let grpc = model
            .proto_services
            .iter()
            .filter(|p| p.implemented_by.contains(&s.name))
            .map(|p| Grpc {
                name: if p.package.is_empty() {
                    p.name.clone()
                } else {
                    format!("{}.{}", p.package, p.name)
                },
                methods: p.rpcs.iter().map(|r| r.name.clone()).collect(),
            })
            .collect();
        let mut owned = Vec::new();
        let mut written = Vec::new();
        let mut read = Vec::new();
        for t in &tables {
            let is_owner = index.owner(t).is_some_and(|o| o.service == s.name);
            let ops = index.cells(t).get(&s.name).copied().unwrap_or_default();
            if is_owner {
                owned.push(format!("{t} ({ops})"));
            } else if ops.has_write() {
                written.push(format!("{t} ({ops})"));
            } else if !ops.is_empty() {
                read.push(t.to_string());
            }
        }
        let topics = |producer: bool| {
            sorted(
                model
                    .topics
                    .iter()
                    .filter(|t| {
                        let eps = if producer { &t.producers } else { &t.consumers };
                        eps.iter().any(|e| e.service == s.name)
                    })
                    .map(|t| t.name.clone()),
            )
        };
        let depends_on: Vec<Dependency> = model
            .edges
            .iter()
            .filter(|e| e.from == s.name && e.to != s.name)
            .map(|e| Dependency {
                kind: e.kind,
                to: e.to.clone(),
                via: e.via.clone(),
            })
            .collect();
        let init_containers = sorted(
            model
                .edges
                .iter()
                .filter(|e| e.from == s.name && e.kind == EdgeKind::Startup)
                .flat_map(|e| &e.evidence)
                .filter_map(|ev| wait_name(&ev.note).map(|n| format!("{n} ({})", ev.location))),
        );
        services.push(ServiceEntry {
            name: s.name.clone(),
            package: s.package.clone(),
            dir: s.dir.clone(),
            kind: format!("{:?}", s.kind).to_lowercase(),
            binaries: code.binaries.clone(),
            libraries: s.libraries.clone(),
            grpc,
            http_routes: code
                .routes
                .iter()
                .map(|r| format!("{} {}", r.method, r.path))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            tables_owned: owned,
            tables_written: written,
            tables_read: read,
            produces: topics(true),
            consumes: topics(false),
            depends_on,
            deployments: code
                .deployments
                .iter()
                .map(|d| format!("{} {} ({})", d.kind, d.name, d.location))
                .collect(),
            init_containers,
            rust_files: code.rust_files,
            lines_of_code: code.lines_of_code,
            tests: code.tests,
        });
    }
    let libraries = model
        .libraries
        .iter()
        .map(|l| LibraryEntry {
            name: l.name.clone(),
            dir: l.dir.clone(),
            used_by: model
                .services
                .iter()
                .filter(|s| s.libraries.contains(&l.name))
                .map(|s| s.name.clone())
                .collect(),
        })
        .collect();
    let infrastructure = model
        .infrastructure
        .iter()
        .map(|i| InfraEntry {
            kind: i.kind.as_str().to_string(),
            used_by: i.used_by.clone(),
        })
        .collect();
    let pairs = |sync: bool| {
        model
            .edges
            .iter()
            .filter(|e| e.kind.is_sync() == sync && e.from != e.to)
            .filter(|e| model.service(&e.to).is_some())
            .map(|e| (e.from.as_str(), e.to.as_str()))
            .collect::<BTreeSet<_>>()
            .len()
    };
    let totals = Totals {
        services: services.len(),
        libraries: model.libraries.len(),
        binaries: services.iter().map(|s| s.binaries.len()).sum(),
        grpc_services: services.iter().map(|s| s.grpc.len()).sum(),
        grpc_methods: services
            .iter()
            .flat_map(|s| &s.grpc)
            .map(|g| g.methods.len())
            .sum(),
        http_routes: services.iter().map(|s| s.http_routes.len()).sum(),
        tables: model.tables.len(),
        migrations: model.migrations.len(),
        topics: model.topics.len(),
        sync_dependencies: pairs(true),
        async_dependencies: pairs(false),
        deployments: services.iter().map(|s| s.deployments.len()).sum(),
        init_containers: services.iter().map(|s| s.init_containers.len()).sum(),
        lines_of_code: services.iter().map(|s| s.lines_of_code).sum(),
        tests: services.iter().map(|s| s.tests).sum(),
    };
    Inventory {
        root: model.root.clone(),
        services,
        libraries,
        infrastructure,
        totals,
    }
}

/// The inventory as JSON (`version` field; the fields of [`Inventory`]).
pub fn json(model: &Model) -> String {
    let inv = inventory(model);
    let mut v = serde_json::to_value(&inv).unwrap_or_default();
    v["version"] = serde_json::json!(INVENTORY_JSON_VERSION);
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

fn list(items: &[String]) -> String {
    if items.is_empty() {
        "—".to_string()
    } else {
        items
            .iter()
            .map(|i| md_cell(i))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The inventory as Markdown.
pub fn markdown(model: &Model) -> String {
    let inv = inventory(model);
    let t = &inv.totals;
    let mut out = String::new();
    let _ = writeln!(out, "# Architecture inventory\n");
    let _ = writeln!(
        out,
        "Computed by nova from one scan of `{}`. Lines of code count non-blank, non-comment lines of each service's own Rust files (not its tests); tests count test functions, `tests/` included.\n",
        inv.root
    );
    let _ = writeln!(out, "## Totals\n");
    let _ = writeln!(out, "| what | count |\n| --- | --- |");
    for (what, n) in [
        ("services", t.services as u64),
        ("shared libraries", t.libraries as u64),
        ("binaries", t.binaries as u64),
        ("gRPC services served", t.grpc_services as u64),
        ("gRPC methods served", t.grpc_methods as u64),
        ("HTTP routes", t.http_routes as u64),
        ("tables", t.tables as u64),
        ("migrations", t.migrations as u64),
        ("Kafka topics", t.topics as u64),
        (
            "synchronous dependencies (service pairs)",
            t.sync_dependencies as u64,
        ),
        (
            "asynchronous dependencies (service pairs)",
            t.async_dependencies as u64,
        ),
        ("deployments", t.deployments as u64),
        ("init containers", t.init_containers as u64),
        ("lines of code", t.lines_of_code),
        ("tests", t.tests),
    ] {
        let _ = writeln!(out, "| {what} | {n} |");
    }
    let _ = writeln!(out, "\n## Services\n");
    let _ = writeln!(
        out,
        "| service | crate | binaries | gRPC methods | HTTP routes | tables owned | tables written | tables read | produces | consumes | sync deps | lines of code | tests |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
    );
    for s in &inv.services {
        let sync: BTreeSet<&str> = s
            .depends_on
            .iter()
            .filter(|d| d.kind.is_sync())
            .map(|d| d.to.as_str())
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            md_cell(&s.name),
            s.package
                .as_deref()
                .map(md_cell)
                .unwrap_or_else(|| "—".into()),
            s.binaries.len(),
            s.grpc.iter().map(|g| g.methods.len()).sum::<usize>(),
            s.http_routes.len(),
            s.tables_owned.len(),
            s.tables_written.len(),
            s.tables_read.len(),
            s.produces.len(),
            s.consumes.len(),
            sync.len(),
            s.lines_of_code,
            s.tests
        );
    }
    for s in &inv.services {
        let _ = writeln!(out, "\n### {}\n", s.name);
        let dir = if s.dir.is_empty() {
            "."
        } else {
            s.dir.as_str()
        };
        let _ = writeln!(
            out,
            "- **Crate**: {} in `{dir}` ({}); binaries: {}",
            s.package
                .as_deref()
                .map(|p| format!("`{p}`"))
                .unwrap_or_else(|| "none".into()),
            s.kind,
            list(&s.binaries)
        );
        let grpc: Vec<String> = s
            .grpc
            .iter()
            .map(|g| format!("`{}` ({})", g.name, g.methods.join(", ")))
            .collect();
        let _ = writeln!(out, "- **Serves gRPC**: {}", list(&grpc));
        let _ = writeln!(
            out,
            "- **HTTP routes**: {}",
            list(
                &s.http_routes
                    .iter()
                    .map(|r| format!("`{r}`"))
                    .collect::<Vec<_>>()
            )
        );
        let _ = writeln!(
            out,
            "- **Tables**: owns {}; also writes {}; reads {}",
            list(&s.tables_owned),
            list(&s.tables_written),
            list(&s.tables_read)
        );
        let _ = writeln!(
            out,
            "- **Topics**: produces {}; consumes {}",
            list(&s.produces),
            list(&s.consumes)
        );
        let deps: Vec<String> = s
            .depends_on
            .iter()
            .map(|d| {
                if d.via.is_empty() {
                    format!("{} → {}", d.kind, d.to)
                } else {
                    let via: Vec<&str> = d
                        .via
                        .iter()
                        .map(|v| v.rsplit('/').next().unwrap_or(v))
                        .collect();
                    format!("{} → {} ({})", d.kind, d.to, via.join(", "))
                }
            })
            .collect();
        let _ = writeln!(out, "- **Depends on**: {}", list(&deps));
        let _ = writeln!(out, "- **Deployed by**: {}", list(&s.deployments));
        let _ = writeln!(out, "- **Init containers**: {}", list(&s.init_containers));
        let _ = writeln!(out, "- **Shared libraries**: {}", list(&s.libraries));
        let _ = writeln!(
            out,
            "- **Code**: {} Rust files, {} lines of code, {} tests",
            s.rust_files, s.lines_of_code, s.tests
        );
    }
    let _ = writeln!(out, "\n## Shared libraries\n");
    if inv.libraries.is_empty() {
        let _ = writeln!(out, "None.");
    } else {
        let _ = writeln!(
            out,
            "| library | directory | used by |\n| --- | --- | --- |"
        );
        for l in &inv.libraries {
            let _ = writeln!(
                out,
                "| {} | `{}` | {} |",
                md_cell(&l.name),
                l.dir,
                list(&l.used_by)
            );
        }
    }
    let _ = writeln!(out, "\n## Infrastructure\n");
    if inv.infrastructure.is_empty() {
        let _ = writeln!(out, "None found.");
    } else {
        let _ = writeln!(out, "| kind | used by |\n| --- | --- |");
        for i in &inv.infrastructure {
            let _ = writeln!(out, "| {} | {} |", i.kind, list(&i.used_by));
        }
    }
    out
}
