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
mod scaffold;
mod summary;
mod width;

use clap::{Parser, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::process::ExitCode;

// A scan allocates millions of small AST nodes on every core; mimalloc does
// that with about a quarter fewer instructions than the system allocator
// (callgrind, `benches/scan.rs` of nova-scan, which uses it too), and
// `nova_alloc` keeps the syntax trees apart from the facts.
#[global_allocator]
static GLOBAL: nova_alloc::Allocator = nova_alloc::Allocator;

/// Find the distributed monolith: who owns which table, who calls whom.
#[derive(Debug, Parser)]
#[command(
    name = "nova",
    version,
    about,
    propagate_version = true,
    after_help = "Exit codes: 0 success; 1 `audit` found what --fail-on names; 2 usage, \
                  configuration or I/O error (see `nova audit --help`)."
)]
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
    /// Quiet: no progress bar, no summary lines on stderr (errors still show).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

/// Exit codes, shown by `nova audit --help`.
const AUDIT_EXIT_CODES: &str = "\
Exit codes:
  0  nothing at or above --fail-on (and no stale baseline entry with --strict-baseline)
  1  findings at or above --fail-on, or stale baseline entries with --strict-baseline
  2  usage, configuration or I/O error (nothing is judged)";

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour on a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan a repository and print the model.
    Scan {
        /// Root of the repository to scan.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ScanFormat::Text)]
        format: ScanFormat,
        /// Write to FILE instead of stdout (atomically for a regular file;
        /// through a symlink; straight into a device or named pipe).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Check the rules; fail the build on findings.
    #[command(after_help = AUDIT_EXIT_CODES)]
    Audit {
        /// Root of the repository to scan.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Output format.
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
        /// Write to FILE instead of stdout (atomically for a regular file;
        /// through a symlink; straight into a device or named pipe).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// The data-ownership matrix: tables x services, CRUD per cell.
    OwnershipMatrix {
        /// Root of the repository to scan.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = MatrixFormat::Markdown)]
        format: MatrixFormat,
        /// Write to FILE instead of stdout (atomically for a regular file;
        /// through a symlink; straight into a device or named pipe).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// The service dependency graph.
    Graph {
        /// Root of the repository to scan.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = GraphFormat::Dot)]
        format: GraphFormat,
        /// Only synchronous edges (grpc, http, startup).
        #[arg(long)]
        sync_only: bool,
        /// Only this service and its direct neighbours.
        #[arg(long, value_name = "NAME")]
        service: Option<String>,
        /// Write to FILE instead of stdout (atomically for a regular file;
        /// through a symlink; straight into a device or named pipe).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// One self-contained HTML report: summary, ownership matrix, graph,
    /// findings with their source, and the plan (works offline).
    Report {
        /// Root of the repository to scan.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Accept the findings recorded in FILE (they are left out).
        #[arg(long, value_name = "FILE")]
        baseline: Option<PathBuf>,
        /// Write to FILE (e.g. report.html) instead of stdout (atomically
        /// for a regular file; through a symlink; straight into a device or
        /// named pipe).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// The architecture inventory: per service its crate, RPCs, routes,
    /// tables, topics, dependencies, deployments, size and tests.
    Inventory {
        /// Root of the repository to scan.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Output format.
        #[arg(long, value_enum, default_value_t = InventoryFormat::Markdown)]
        format: InventoryFormat,
        /// Write to FILE instead of stdout (atomically for a regular file;
        /// through a symlink; straight into a device or named pipe).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// The decoupling plan (Markdown).
    Plan {
        /// Root of the repository to scan.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Write to FILE instead of stdout (atomically for a regular file;
        /// through a symlink; straight into a device or named pipe).
        #[arg(long, short, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Write outbox, consumer and start-up plumbing into a service: planned in
    /// memory, validated, written atomically (`--dry-run`, `--check`).
    Scaffold(scaffold::ScaffoldArgs),
}

/// `nova scan --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScanFormat {
    /// The whole model (schema: `analyzers/model/SCHEMA.md`).
    Json,
    /// A short summary for people: services, tables, edges, topics, diagnostics.
    Text,
}

/// `nova audit --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// rustc-style: each finding with its source lines, notes and the fix
    /// (laid out for `COLUMNS` columns).
    Human,
    /// A table of findings with their places, hints and a summary.
    Table,
    /// Findings, baseline and diagnostics as JSON.
    Json,
    /// SARIF 2.1.0, for code scanning (findings, stale baseline entries, scan diagnostics).
    Sarif,
}

/// `nova audit --fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Fail on errors only.
    Error,
    /// Fail on warnings and errors.
    Warning,
    /// Fail on any finding.
    Info,
    /// Never fail on findings (exit 0 unless nova itself fails).
    Never,
}

/// `nova ownership-matrix --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MatrixFormat {
    /// One table per owner, the owner's cell in bold, counts and totals.
    Markdown,
    /// Long form: `service,table,ops`.
    Csv,
    /// Tables, owners, cells, per-service counts, totals and scan diagnostics.
    Json,
}

/// `nova inventory --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InventoryFormat {
    /// Totals, a table of services, then one section per service.
    Markdown,
    /// The same facts as JSON, with the scan diagnostics.
    Json,
}

/// `nova graph --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    /// Graphviz DOT.
    Dot,
    /// A Mermaid flowchart (renders in GitHub Markdown).
    Mermaid,
    /// Nodes, edges, cycles, layers, longest chain, fans and scan diagnostics.
    Json,
    /// `from,to,kind,via`, one edge per line.
    Csv,
    /// SVG drawn by Graphviz `dot` (Debian package `graphviz`).
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
    nova_alloc::configure();
    let cli = Cli::parse();
    let code = match commands::run(&cli) {
        Ok(code) => code,
        Err(e) => {
            if e.downcast_ref::<Reported>().is_none() {
                eprintln!("error: {e:#}");
            }
            ExitCode::from(2)
        }
    };
    // Last on stderr: what the scan could not read.
    summary::print();
    code
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

    /// Every flag, argument and value of every command says what it does.
    #[test]
    fn help_describes_everything() {
        let cli = Cli::command();
        let mut missing = Vec::new();
        let mut check = |cmd: &clap::Command, arg: &clap::Arg| {
            let at = format!("{} {}", cmd.get_name(), arg.get_id());
            if arg.get_help().is_none() {
                missing.push(at.clone());
            }
            if arg.get_action().takes_values() {
                for v in arg.get_possible_values() {
                    if v.get_help().is_none() {
                        missing.push(format!("{at}={}", v.get_name()));
                    }
                }
            }
        };
        for arg in cli.get_arguments() {
            check(&cli, arg);
        }
        for sub in cli.get_subcommands() {
            assert!(sub.get_about().is_some(), "{}", sub.get_name());
            for arg in sub.get_arguments() {
                check(sub, arg);
            }
        }
        assert!(missing.is_empty(), "no help for: {missing:?}");
    }

    #[test]
    fn audit_help_lists_exit_codes() {
        let mut cli = Cli::command();
        let audit = cli.find_subcommand_mut("audit").expect("audit");
        let help = audit.render_help().to_string();
        for code in ["Exit codes:", "  0  ", "  1  ", "  2  "] {
            assert!(help.contains(code), "{help}");
        }
    }

    #[test]
    fn bad_format_is_a_usage_error() {
        let e = Cli::try_parse_from(["nova", "graph", "--format", "png"]).unwrap_err();
        assert_eq!(e.exit_code(), 2);
    }
}
