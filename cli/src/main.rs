//! `nova`: find the distributed monolith in a microservice backend.
//!
//! A thin command line over the libraries: `nova-scan` builds the model,
//! `nova-rules` audits it, `nova-graph` and `nova-report` render it.
//!
//! Exit codes: 0 = nothing at or above `--fail-on`; 1 = findings (or stale
//! baseline entries under `--strict-baseline`); 2 = usage, config or I/O
//! error.

mod commands;
mod config_errors;
mod output;
mod progress;
mod width;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

// A scan allocates millions of small AST nodes on every core; mimalloc does
// that with about a quarter fewer instructions than the system allocator
// (callgrind, `benches/scan.rs` of nova-scan, which uses it too).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Find the distributed monolith: who owns which table, who calls whom.
#[derive(Debug, Parser)]
#[command(name = "nova", version, about, propagate_version = true)]
pub struct Cli {
    /// Config file (default: `<PATH>/nova.toml` when present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Count test, bench and example code too.
    #[arg(long, global = true)]
    pub include_tests: bool,
    /// When to use colours (`auto` respects `NO_COLOR` and terminals).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// No progress bar, no summary lines on stderr.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a repository and print the model.
    Scan {
        /// Root of the repository.
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
        format: ScanFormat,
        /// Write to FILE instead of stdout.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Check the rules; fail the build on findings.
    Audit {
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long, value_enum, default_value_t = AuditFormat::Human)]
        format: AuditFormat,
        /// Lowest severity that makes the exit code 1.
        #[arg(long, value_enum, default_value_t = FailOn::Error)]
        fail_on: FailOn,
        /// Accept the findings recorded in FILE.
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Record the current findings in FILE.
        #[arg(long, value_name = "FILE")]
        write_baseline: Option<PathBuf>,
        /// Fail when baseline entries no longer match a finding.
        #[arg(long)]
        strict_baseline: bool,
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// The data-ownership matrix: tables x services, CRUD per cell.
    OwnershipMatrix {
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long, value_enum, default_value_t = MatrixFormat::Markdown)]
        format: MatrixFormat,
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// The service dependency graph.
    Graph {
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
        /// Only synchronous edges (grpc, http, startup).
        #[arg(long)]
        sync_only: bool,
        /// Only this service and its direct neighbours.
        #[arg(long, value_name = "NAME")]
        service: Option<String>,
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// One self-contained HTML report: summary, ownership matrix, graph,
    /// findings with their source, and the plan (works offline).
    Report {
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Accept the findings recorded in FILE (they are left out).
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Write to FILE (e.g. report.html) instead of stdout.
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// The architecture inventory: per service its crate, RPCs, routes,
    /// tables, topics, dependencies, deployments, size and tests.
    Inventory {
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long, value_enum, default_value_t = InventoryFormat::Markdown)]
        format: InventoryFormat,
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// The decoupling plan (Markdown).
    Plan {
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
}

/// `nova scan --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    Json,
    Text,
}

/// `nova audit --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// rustc-style: source excerpts, notes and the fix (`COLUMNS` wide).
    Human,
    /// One table row per finding.
    Table,
    Json,
    Sarif,
}

/// `nova audit --fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
    Never,
}

/// `nova ownership-matrix --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixFormat {
    Markdown,
    Csv,
    Json,
}

/// `nova inventory --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InventoryFormat {
    Markdown,
    Json,
}

/// `nova graph --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
    Json,
    Csv,
    Svg,
}

/// An error already shown to the user (e.g. a rendered config error).
#[derive(Debug)]
pub struct Reported;

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("error already reported")
    }
}

impl std::error::Error for Reported {}

fn main() -> ExitCode {
    nova_scan::avoid_huge_pages();
    let cli = Cli::parse();
    match commands::run(&cli) {
        Ok(code) => code,
        Err(e) => {
            if e.downcast_ref::<Reported>().is_none() {
                eprintln!("error: {e:#}");
            }
            ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_global_flags_after_subcommand() {
        let cli = Cli::try_parse_from([
            "nova",
            "audit",
            "repo",
            "--format",
            "sarif",
            "--fail-on",
            "warning",
            "--config",
            "x.toml",
            "-q",
            "--color",
            "never",
        ])
        .unwrap();
        assert!(cli.quiet);
        assert_eq!(cli.color, ColorChoice::Never);
        assert_eq!(cli.config.as_deref(), Some(std::path::Path::new("x.toml")));
        match cli.command {
            Command::Audit {
                path,
                format,
                fail_on,
                ..
            } => {
                assert_eq!(path, PathBuf::from("repo"));
                assert_eq!(format, AuditFormat::Sarif);
                assert_eq!(fail_on, FailOn::Warning);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_format_is_a_usage_error() {
        let e = Cli::try_parse_from(["nova", "graph", "--format", "png"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }
}
