//! `nova scaffold service --name N`: a new service in the reference services' layout
//! (`Cargo.toml`, `src/main.rs`, `src/lib.rs` with `run(config, shutdown)`,
//! `src/config.rs`, `migrations/`), a member of the workspace. Once created the files
//! are the person's: a re-run creates only what is missing and keeps the rest.

use std::path::Path;

use crate::workspace::join;
use crate::{Lock, Plan, Request, ScaffoldError, Workspace, generated_change, inject};

fn manifest(name: &str, package_keys: &[String], deps: &[(&str, String)]) -> String {
    let mut s = format!(
        "[package]\n\
         name = \"{name}\"\n\
         description = \"{name} (made by `nova scaffold service`).\"\n"
    );
    if package_keys.is_empty() {
        s.push_str("version = \"0.1.0\"\nedition = \"2024\"\npublish = false\n");
    }
    for k in package_keys {
        s.push_str(&format!("{k}.workspace = true\n"));
    }
    s.push_str("\n[dependencies]\n");
    for (dep, value) in deps {
        if package_keys.is_empty() {
            s.push_str(&format!("{dep} = {value}\n"));
        } else {
            s.push_str(&format!("{dep}.workspace = true\n"));
        }
    }
    s
}

fn main_rs(name: &str, krate: &str) -> String {
    format!(
        "//! `{name}`: configured from the environment (see `Config`).\n\n\
         #[tokio::main]\n\
         async fn main() -> anyhow::Result<()> {{\n\
         \x20   nova_kit::init_tracing();\n\
         \x20   let config = {krate}::Config::from_env()?;\n\
         \x20   {krate}::run(config, nova_kit::Shutdown::on_signals())\n\
         \x20       .await\n\
         \x20       .map_err(|e| anyhow::anyhow!(e))?;\n\
         \x20   Ok(())\n\
         }}\n"
    )
}

fn lib_rs(name: &str) -> String {
    format!(
        "//! {name}: made by `nova scaffold service` in the reference services' layout:\n\
         //! configuration from the environment ([`Config`]), its own migrations, gRPC\n\
         //! health and reflection (nova-kit), and [`run`] until shutdown. Add its gRPC\n\
         //! services with `GrpcServer::add_service`, its events with `nova scaffold outbox`\n\
         //! and `nova scaffold consumer --service {name}`.\n\n\
         pub mod config;\n\n\
         pub use config::Config;\n\n\
         /// The service's migrations (`migrations/`).\n\
         pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!(\"./migrations\");\n\n\
         /// Why the service could not start, or stopped with an error.\n\
         pub type Error = Box<dyn std::error::Error + Send + Sync>;\n\n\
         /// Migrates its database, then serves gRPC (health, reflection) on `config.listen`\n\
         /// until `shutdown`.\n\
         pub async fn run(config: Config, shutdown: nova_kit::Shutdown) -> Result<(), Error> {{\n\
         \x20   let pool = sqlx::postgres::PgPoolOptions::new()\n\
         \x20       .max_connections(10)\n\
         \x20       .connect(&config.database_url)\n\
         \x20       .await?;\n\
         \x20   MIGRATOR.run(&pool).await?;\n\
         \x20   let listener = nova_kit::bind(config.listen).await?;\n\
         \x20   nova_kit::GrpcServer::new().serve(listener, shutdown).await?;\n\
         \x20   Ok(())\n\
         }}\n"
    )
}

fn config_rs(name: &str, prefix: &str, db: &str) -> String {
    format!(
        "//! {name} configuration, from the environment with local defaults.\n\n\
         use std::net::SocketAddr;\n\n\
         use nova_kit::config::{{ConfigError, env_or}};\n\n\
         /// Everything {name} needs to run.\n\
         #[derive(Clone, Debug)]\n\
         pub struct Config {{\n\
         \x20   /// gRPC listen address (`{prefix}_LISTEN`, default `127.0.0.1:50080`).\n\
         \x20   pub listen: SocketAddr,\n\
         \x20   /// Its own database (`DATABASE_URL`, default the local `{db}`).\n\
         \x20   pub database_url: String,\n\
         }}\n\n\
         impl Config {{\n\
         \x20   /// Reads the environment; unset variables take the defaults.\n\
         \x20   pub fn from_env() -> Result<Self, ConfigError> {{\n\
         \x20       Ok(Self {{\n\
         \x20           listen: env_or(\"{prefix}_LISTEN\", SocketAddr::from(([127, 0, 0, 1], 50080)))?,\n\
         \x20           database_url: env_or(\n\
         \x20               \"DATABASE_URL\",\n\
         \x20               \"postgres://postgres@127.0.0.1:5432/{db}\".to_owned(),\n\
         \x20           )?,\n\
         \x20       }})\n\
         \x20   }}\n\
         }}\n"
    )
}

/// Plans the new service `name`.
pub fn plan(root: &Path, name: &str, force: bool) -> Result<Plan, ScaffoldError> {
    let ws = Workspace::load(root)?;
    let old_lock = Lock::load(root)?;
    let request = Request::Service {
        name: name.to_owned(),
    };
    let ours = old_lock.commands.contains(&request);
    if ws.services.contains_key(name) && !ours {
        return Err(ScaffoldError::InvalidName {
            what: "service name",
            value: name.to_owned(),
            why: format!("{name} already exists (in {})", ws.services[name].dir),
        });
    }
    let dir = if root.join("services").is_dir() {
        format!("services/{name}")
    } else {
        name.to_owned()
    };
    let krate = name.replace('-', "_");
    let stem = name.strip_suffix("-service").unwrap_or(name);
    let prefix = stem.replace('-', "_").to_ascii_uppercase();
    let db = stem.replace('-', "_");

    let root_manifest = crate::workspace::read(root, "Cargo.toml")?.unwrap_or_default();
    let root_doc = root_manifest
        .parse::<toml_edit::DocumentMut>()
        .map_err(|e| ScaffoldError::Parse {
            file: "Cargo.toml".to_owned(),
            line: 1,
            detail: e.message().to_owned(),
        })?;
    let package_keys: Vec<String> = root_doc
        .get("workspace")
        .and_then(|w| w.get("package"))
        .and_then(|p| p.as_table_like())
        .map(|t| {
            ["version", "edition", "rust-version", "license", "publish"]
                .iter()
                .filter(|k| t.contains_key(k))
                .map(|k| (*k).to_owned())
                .collect()
        })
        .unwrap_or_default();
    let runtime = |krate: &str| match ws.runtime_dependency(krate) {
        Some(path) => format!("{{ path = \"{path}\" }}"),
        None => "{ version = \"0.1\" }".to_owned(),
    };
    let deps: Vec<(&'static str, String)> = vec![
        ("nova-kit", runtime("nova-kit")),
        ("anyhow", "\"1\"".to_owned()),
        (
            "sqlx",
            "{ version = \"0.8\", default-features = false, features = [\"runtime-tokio\", \"postgres\", \"uuid\", \"chrono\", \"migrate\", \"macros\"] }".to_owned(),
        ),
        (
            "tokio",
            "{ version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"signal\"] }".to_owned(),
        ),
    ];

    let generated = [
        (
            join(&dir, "Cargo.toml"),
            manifest(name, &package_keys, &deps),
        ),
        (join(&dir, "src/main.rs"), main_rs(name, &krate)),
        (join(&dir, "src/lib.rs"), lib_rs(name)),
        (join(&dir, "src/config.rs"), config_rs(name, &prefix, &db)),
        (
            join(&dir, "migrations/0001_init.sql"),
            format!(
                "-- {name}: its own schema (sqlx migrations, run at start by `run`).\n\
                 -- Add its tables here, or in new numbered files.\n"
            ),
        ),
    ];
    let mut lock = old_lock.clone();
    lock.record(&request);
    let mut files = Vec::new();
    for (path, after) in generated {
        // Once created, the service's files are the person's (later scaffolds inject
        // into them): an existing file is kept unless --force.
        let before = crate::workspace::read(root, &path)?;
        match before {
            Some(before) if before != after && !force => files.push(crate::FileChange {
                path,
                action: crate::Action::Skip,
                before: Some(before.clone()),
                after: before,
                note: Some("exists; yours after creation (--force replaces it)".to_owned()),
            }),
            _ => files.push(generated_change(
                root, path, after, &old_lock, &mut lock, force,
            )?),
        }
    }
    if ws.is_workspace {
        let with_member = inject::workspace_member("Cargo.toml", &root_manifest, &dir)?;
        let deps: Vec<inject::Dependency> = deps
            .into_iter()
            .map(|(name, workspace_value)| inject::Dependency {
                name,
                workspace_value,
                dev: false,
            })
            .collect();
        let with_deps = inject::workspace_dependencies("Cargo.toml", &with_member, &deps)?;
        files.push(crate::person_file("Cargo.toml", root_manifest, with_deps));
    }
    crate::finish(root, files, &lock)
}
