//! `nova scaffold`: the command line over `nova-scaffold`.
//!
//! Exit codes: 0 written (or nothing to do); 1 `--check` and the scaffold would change
//! something; 2 usage error, unknown name, missing anchor or I/O error (nothing written).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use nova_scaffold::{Plan, Request};

/// `nova scaffold` and its options.
#[derive(Debug, Args)]
#[command(after_help = SCAFFOLD_EXIT_CODES)]
pub struct ScaffoldArgs {
    /// What to scaffold.
    #[command(subcommand)]
    pub what: ScaffoldCommand,
}

const SCAFFOLD_EXIT_CODES: &str = "\
Exit codes:
  0  written, or nothing to change
  1  --check: the scaffold would change something
  2  usage error, unknown service/topic/event, bad name, missing anchor or I/O error (nothing written)";

/// Options every scaffold takes.
#[derive(Debug, Args)]
pub struct Common {
    /// The Cargo workspace to write into (or a directory inside it).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Print what would change, with a unified diff; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Write nothing; exit 1 when the scaffold would change anything (for CI).
    #[arg(long, conflicts_with = "dry_run")]
    pub check: bool,
    /// Regenerate generated files even when they were edited (conflicts).
    #[arg(long)]
    pub force: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ScaffoldFormat::Text)]
    pub format: ScaffoldFormat,
}

/// `nova scaffold --format`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScaffoldFormat {
    /// One line per file (`create path`), then the diff with --dry-run.
    Text,
    /// The files, their actions and (with --dry-run) the diff, as JSON.
    Json,
}

/// The scaffolds.
#[derive(Debug, Subcommand)]
pub enum ScaffoldCommand {
    /// A transactional outbox in a service: event payloads, one typed
    /// `enqueue_<event>(&mut tx, ..)` per event, the relay started at start-up.
    Outbox {
        /// The service that publishes (its package name).
        #[arg(long)]
        service: String,
        /// The Kafka topic.
        #[arg(long)]
        topic: String,
        /// The events (PascalCase), comma-separated.
        #[arg(long, value_delimiter = ',', required = true)]
        events: Vec<String>,
        /// The aggregate (the Kafka key), snake case; default: the first event's noun.
        #[arg(long)]
        aggregate: Option<String>,
        /// Options.
        #[command(flatten)]
        common: Common,
    },
    /// An idempotent consumer in a service: one handler per event in the dedupe
    /// transaction, retries and dead-letter topic, start-up wiring and a test.
    Consumer {
        /// The service that consumes (its package name).
        #[arg(long)]
        service: String,
        /// The topic (declared by `nova scaffold outbox`).
        #[arg(long)]
        topic: String,
        /// The events to handle, comma-separated (default: all of the topic's).
        #[arg(long, value_delimiter = ',')]
        events: Vec<String>,
        /// Also keep a local read-model table (migration, upsert and delete).
        #[arg(long, value_name = "TABLE")]
        read_model: Option<String>,
        /// The consumer group (default: the service name).
        #[arg(long)]
        group: Option<String>,
        /// Options.
        #[command(flatten)]
        common: Common,
    },
    /// Local token verification in a service (nova-auth keys from config, a tonic
    /// interceptor that rejects with `Unauthenticated`); replaces nothing by itself.
    JwtVerify {
        /// The service that verifies tokens (its package name).
        #[arg(long)]
        service: String,
        /// Options.
        #[command(flatten)]
        common: Common,
    },
    /// A new service in the reference services' layout (config, health,
    /// migrations, `run(config, shutdown)`), added to the workspace members.
    Service {
        /// Its package name, e.g. `notification-service`.
        #[arg(long)]
        name: String,
        /// Options.
        #[command(flatten)]
        common: Common,
    },
}

/// Runs `nova scaffold ...`.
pub fn run(args: &ScaffoldArgs) -> Result<ExitCode> {
    let (request, common) = match &args.what {
        ScaffoldCommand::Outbox {
            service,
            topic,
            events,
            aggregate,
            common,
        } => (
            Request::Outbox {
                service: service.clone(),
                topic: topic.clone(),
                events: events.clone(),
                aggregate: aggregate.clone(),
            },
            common,
        ),
        ScaffoldCommand::Consumer {
            service,
            topic,
            events,
            read_model,
            group,
            common,
        } => (
            Request::Consumer {
                service: service.clone(),
                topic: topic.clone(),
                events: events.clone(),
                read_model: read_model.clone(),
                group: group.clone(),
            },
            common,
        ),
        ScaffoldCommand::Service { name, common } => {
            (Request::Service { name: name.clone() }, common)
        }
        ScaffoldCommand::JwtVerify { service, common } => (
            Request::JwtVerify {
                service: service.clone(),
            },
            common,
        ),
    };
    // Run from inside a service, it writes into the workspace around it.
    let root = nova_scaffold::workspace_root(&common.path);
    let plan = nova_scaffold::plan(&root, &request, common.force)?;
    let write = !common.dry_run && !common.check;
    if write {
        nova_scaffold::write(&root, &plan)?;
    }
    print(&plan, common, write)?;
    if common.check && plan.changes_anything() {
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn print(plan: &Plan, common: &Common, written: bool) -> Result<()> {
    match common.format {
        ScaffoldFormat::Json => {
            let value = serde_json::json!({
                "files": plan.files,
                "changes": plan.changes_anything(),
                "written": written && plan.changes_anything(),
                "diff": if common.dry_run { Some(plan.diff()) } else { None },
            });
            println!("{}", serde_json::to_string_pretty(&value)?);
        }
        ScaffoldFormat::Text => {
            print!("{}", plan.summary());
            if common.dry_run {
                print!("{}", plan.diff());
                println!("dry run: nothing written");
            } else if common.check {
                if plan.changes_anything() {
                    println!("check: the scaffold would change the files above");
                } else {
                    println!("check: up to date");
                }
            } else if !plan.changes_anything() {
                println!("nothing to change");
            }
        }
    }
    let conflicts: Vec<&str> = plan.conflicts().map(|f| f.path.as_str()).collect();
    if !conflicts.is_empty() {
        eprintln!(
            "warning: kept {} edited generated file(s) as they are (--force regenerates them): {}",
            conflicts.len(),
            conflicts.join(", ")
        );
    }
    Ok(())
}
