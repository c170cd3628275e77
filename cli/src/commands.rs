//! One function per subcommand; each returns the exit code.

use crate::progress::Bar;
use crate::{
    AuditFormat, Cli, ColorChoice, Command, FailOn, GraphFormat, InventoryFormat, MatrixFormat,
    ScanFormat, config_errors, output, summary,
};
use anyhow::{Context, Result};
use nova_config::Config;
use nova_model::{Model, Severity};
use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;

/// Should output to a stream be coloured?
pub fn color_enabled(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Run the command line.
pub fn run(cli: &Cli) -> Result<ExitCode> {
    match &cli.command {
        Command::Scaffold(args) => crate::scaffold::run(args),
        Command::Scan {
            path,
            format,
            output,
        } => {
            let (model, _) = scan(cli, path)?;
            let text = match format {
                ScanFormat::Json => {
                    let mut s = model.to_json();
                    s.push('\n');
                    s
                }
                ScanFormat::Text => crate::commands::text_summary(&model),
            };
            output::emit(&text, output.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Audit {
            path,
            format,
            fail_on,
            baseline,
            write_baseline,
            strict_baseline,
            output,
        } => {
            let (model, _, outcome) = audit(cli, path, baseline.as_deref())?;
            if let Some(p) = write_baseline {
                let mut all = outcome.findings.clone();
                all.extend(outcome.baselined.iter().cloned());
                let b = nova_rules::Baseline::from_findings(&all);
                output::write_file(p, b.to_json().as_bytes())?;
                if !cli.quiet {
                    eprintln!(
                        "wrote baseline with {} entries to {}",
                        b.entries.len(),
                        p.display()
                    );
                }
            }
            let threshold = match fail_on {
                FailOn::Error => Some(Severity::Error),
                FailOn::Warning => Some(Severity::Warning),
                FailOn::Info => Some(Severity::Info),
                FailOn::Never => None,
            };
            // Writing a baseline accepts the current findings.
            let failed = write_baseline.is_none()
                && (threshold.is_some_and(|t| outcome.fails(t))
                    || (*strict_baseline && !outcome.stale.is_empty()));
            let color = matches!(format, AuditFormat::Human | AuditFormat::Table)
                && output.is_none()
                && color_enabled(cli.color, std::io::stdout().is_terminal());
            let text = match format {
                AuditFormat::Human => {
                    let sources = nova_report::source::Sources::load(
                        path,
                        nova_report::source::files_of(
                            outcome
                                .findings
                                .iter()
                                .flat_map(|f| f.locations.iter().map(|(l, _)| l)),
                        ),
                    );
                    let opts = nova_report::human::HumanOptions {
                        width: crate::width::stdout_width(),
                        color,
                        exit_code: u8::from(failed),
                    };
                    nova_report::human::render(&model, &outcome, &sources, &opts)
                }
                AuditFormat::Table => nova_report::audit::table(&model, &outcome, color),
                AuditFormat::Json => nova_report::audit::json(&model, &outcome),
                AuditFormat::Sarif => nova_report::audit::sarif(&model, &outcome),
            };
            output::emit(&text, output.as_deref())?;
            Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::OwnershipMatrix {
            path,
            format,
            output,
        } => {
            let (model, _) = scan(cli, path)?;
            let text = match format {
                MatrixFormat::Markdown => nova_report::matrix::markdown(&model),
                MatrixFormat::Csv => nova_report::matrix::csv(&model),
                MatrixFormat::Json => with_diagnostics(nova_report::matrix::json(&model), &model)?,
            };
            output::emit(&text, output.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Graph {
            path,
            format,
            sync_only,
            service,
            output,
        } => {
            let (model, _) = scan(cli, path)?;
            let opts = nova_graph::GraphOptions {
                sync_only: *sync_only,
                focus: service.clone(),
            };
            let graph = nova_graph::ServiceGraph::build(&model, &opts)?;
            match format {
                GraphFormat::Dot => {
                    output::emit(&nova_report::graph::dot(&graph), output.as_deref())?
                }
                GraphFormat::Mermaid => {
                    output::emit(&nova_report::graph::mermaid(&graph), output.as_deref())?
                }
                GraphFormat::Json => output::emit(
                    &with_diagnostics(
                        nova_report::graph::json(&graph, nova_graph::DEFAULT_HOP_AVAILABILITY),
                        &model,
                    )?,
                    output.as_deref(),
                )?,
                GraphFormat::Csv => {
                    output::emit(&nova_report::graph::csv(&graph), output.as_deref())?
                }
                GraphFormat::Svg => {
                    output::emit(&nova_report::svg::svg(&graph), output.as_deref())?
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Report {
            path,
            baseline,
            output,
        } => {
            let (model, config, outcome) = audit(cli, path, baseline.as_deref())?;
            let sources = nova_report::source::Sources::load(
                path,
                nova_report::html::files_needed(&model, &outcome),
            );
            let html = nova_report::html::report(&model, &config, &outcome, &sources);
            output::emit(&html, output.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Inventory {
            path,
            format,
            output,
        } => {
            let (model, _) = scan(cli, path)?;
            let text = match format {
                InventoryFormat::Markdown => nova_report::inventory::markdown(&model),
                InventoryFormat::Json => {
                    with_diagnostics(nova_report::inventory::json(&model), &model)?
                }
            };
            output::emit(&text, output.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Plan { path, output } => {
            let (model, config) = scan(cli, path)?;
            let text = nova_report::plan::markdown(&model, &config);
            output::emit(&text, output.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Scan `path` and run the rules, with the baseline at `baseline` if one
/// is given.
fn audit(
    cli: &Cli,
    path: &Path,
    baseline: Option<&Path>,
) -> Result<(Model, Config, nova_rules::AuditOutcome)> {
    let (model, config) = scan(cli, path)?;
    let baseline = baseline
        .map(|p| {
            nova_rules::Baseline::read(p).map_err(|e| anyhow::anyhow!("cannot use baseline: {e}"))
        })
        .transpose()?;
    let outcome = nova_rules::run(&model, &config, baseline.as_ref());
    Ok((model, config, outcome))
}

/// Load the config and scan `path` (with a progress bar on a terminal when
/// the scan is slow); the summary of its diagnostics is printed when the
/// command ends (`summary`).
fn scan(cli: &Cli, path: &Path) -> Result<(Model, Config)> {
    let stderr_color = color_enabled(cli.color, std::io::stderr().is_terminal());
    let config = config_errors::load(cli.config.as_deref(), path, stderr_color)?;
    let bar = Bar::new(!cli.quiet);
    let progress = |p| bar.update(p);
    let options = nova_scan::ScanOptions {
        progress: Some(&progress),
        include_tests: cli.include_tests.then_some(true),
    };
    let result = nova_scan::scan(path, &config, &options);
    bar.finish();
    let model = result?;
    summary::remember(&model.diagnostics, cli.quiet);
    Ok((model, config))
}

/// A report's JSON object with the scan's diagnostics added under
/// `diagnostics`, so no JSON output hides what the scan could not read.
fn with_diagnostics(report: String, model: &Model) -> Result<String> {
    let mut v: serde_json::Value =
        serde_json::from_str(&report).context("internal error: a report is not JSON")?;
    if let Some(obj) = v.as_object_mut() {
        obj.insert(
            "diagnostics".to_string(),
            serde_json::to_value(&model.diagnostics)?,
        );
    }
    let mut s = serde_json::to_string_pretty(&v)?;
    s.push('\n');
    Ok(s)
}

/// `nova scan --format text`: a short human summary of the model.
pub fn text_summary(m: &Model) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "scanned {}: {} files ({} Rust), {} bytes, {} SQL statements",
        m.root, m.stats.files, m.stats.rust_files, m.stats.bytes, m.stats.sql_statements
    );
    let _ = writeln!(s, "\nservices ({}):", m.services.len());
    for svc in &m.services {
        let dir = if svc.dir.is_empty() { "." } else { &svc.dir };
        let _ = write!(s, "  {} [{}] {}", svc.name, kind_str(svc.kind), dir);
        if !svc.aliases.is_empty() {
            let _ = write!(s, " (aka {})", svc.aliases.join(", "));
        }
        if !svc.libraries.is_empty() {
            let _ = write!(s, "; uses {}", svc.libraries.join(", "));
        }
        s.push('\n');
    }
    let _ = writeln!(s, "\nlibraries ({}):", m.libraries.len());
    for l in &m.libraries {
        let _ = writeln!(
            s,
            "  {} {}",
            l.name,
            if l.dir.is_empty() { "." } else { &l.dir }
        );
    }
    let _ = writeln!(
        s,
        "\ntables ({}, {} in the migration catalog, {} migrations):",
        m.tables.len(),
        m.tables.iter().filter(|t| t.in_catalog).count(),
        m.migrations.len()
    );
    for t in &m.tables {
        let cells: Vec<String> = m
            .services
            .iter()
            .filter_map(|svc| {
                let ops = m.ops(&svc.name, &t.name);
                (!ops.is_empty()).then(|| format!("{}:{}", svc.name, ops))
            })
            .collect();
        let _ = writeln!(
            s,
            "  {}{} {}",
            t.name,
            if t.in_catalog {
                ""
            } else {
                " (not in catalog)"
            },
            cells.join(" ")
        );
    }
    let _ = writeln!(s, "\nedges ({}):", m.edges.len());
    for e in &m.edges {
        let via = if e.via.is_empty() {
            String::new()
        } else {
            format!(" via {}", e.via.join(", "))
        };
        let _ = writeln!(s, "  {} -> {} [{}]{}", e.from, e.to, e.kind, via);
    }
    let _ = writeln!(s, "\ntopics ({}):", m.topics.len());
    for t in &m.topics {
        let names = |eps: &[nova_model::TopicEndpoint]| {
            let mut v: Vec<&str> = eps.iter().map(|e| e.service.as_str()).collect();
            v.dedup();
            v.join(", ")
        };
        let _ = writeln!(
            s,
            "  {}: produced by [{}], consumed by [{}]",
            t.name,
            names(&t.producers),
            names(&t.consumers)
        );
    }
    let _ = writeln!(s, "\ndiagnostics ({}):", m.diagnostics.len());
    for d in &m.diagnostics {
        let loc = d
            .location
            .as_ref()
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        let _ = writeln!(s, "  {loc}{} {}: {}", d.code.id(), d.severity, d.message);
    }
    s
}

fn kind_str(k: nova_model::ServiceKind) -> &'static str {
    match k {
        nova_model::ServiceKind::Service => "service",
        nova_model::ServiceKind::Gateway => "gateway",
        nova_model::ServiceKind::External => "external",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colors() {
        assert!(color_enabled(ColorChoice::Always, false));
        assert!(!color_enabled(ColorChoice::Never, true));
        assert!(!color_enabled(ColorChoice::Auto, false));
    }

    #[test]
    fn summary_lists_services() {
        let mut m = Model::new("repo");
        m.services.push(nova_model::Service {
            name: "feed".into(),
            package: Some("feed".into()),
            dir: "services/feed".into(),
            aliases: vec!["feed-svc".into()],
            kind: nova_model::ServiceKind::Service,
            dialect: nova_model::Dialect::Postgres,
            libraries: vec![],
        });
        let s = text_summary(&m);
        assert!(
            s.contains("  feed [service] services/feed (aka feed-svc)\n"),
            "{s}"
        );
    }
}
