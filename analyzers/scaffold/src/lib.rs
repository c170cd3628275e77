//! `nova scaffold`: writes outbox and consumer plumbing into a service, safely.
//!
//! A scaffold is planned whole in memory ([`plan`]): every file it touches gets an
//! [`Action`] (create / identical / update / inject / skip / conflict). Generated files
//! are tool-owned and regenerated whole; a person's files gain at most one `mod` line,
//! one call line (located with `syn`) and dependencies (`toml_edit`, comments kept).
//! Everything written is parsed first (Rust with `syn`, TOML with `toml_edit`, SQL with
//! `sqlparser`), then [`write`] stages and renames the files: a failure leaves the tree
//! as it was. `.nova/scaffold.lock` records each command and the hash of each
//! generated file, so a re-run changes nothing and an edited file is a conflict, kept
//! unless `force`.

mod change;
mod error;
mod inject;
mod lock;
mod names;
mod new_service;
mod render;
mod validate;
mod workspace;
mod write;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use change::{Action, FileChange, Plan};
pub use error::ScaffoldError;
pub use lock::{LOCK_PATH, Lock};
pub use workspace::{Service, Workspace, workspace_root};

/// One `nova scaffold` command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Request {
    /// `nova scaffold outbox`: typed enqueue functions for `events` on `topic`, and the relay.
    Outbox {
        /// The service that publishes.
        service: String,
        /// The Kafka topic.
        topic: String,
        /// Event names (PascalCase).
        events: Vec<String>,
        /// The aggregate (Kafka key); derived from the first event when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        aggregate: Option<String>,
    },
    /// `nova scaffold consumer`: an idempotent consumer of `topic` with one handler per event.
    Consumer {
        /// The service that consumes.
        service: String,
        /// The Kafka topic (declared by a `nova scaffold outbox`).
        topic: String,
        /// Event names; all of the topic's when empty.
        events: Vec<String>,
        /// A local read-model table the handlers upsert and delete.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        read_model: Option<String>,
        /// The consumer group (default: the service name).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        group: Option<String>,
    },
    /// `nova scaffold jwt-verify`: local token verification (nova-auth, nova-kit).
    JwtVerify {
        /// The service that verifies tokens.
        service: String,
    },
    /// `nova scaffold service`: a new service in the reference services' layout.
    Service {
        /// Its package name, e.g. `notification-service`.
        name: String,
    },
}

impl Request {
    /// The service written into.
    pub fn service(&self) -> &str {
        match self {
            Self::Outbox { service, .. }
            | Self::Consumer { service, .. }
            | Self::JwtVerify { service }
            | Self::Service { name: service } => service,
        }
    }

    /// The topic (empty for `jwt-verify`).
    pub fn topic(&self) -> &str {
        match self {
            Self::Outbox { topic, .. } | Self::Consumer { topic, .. } => topic,
            Self::JwtVerify { .. } | Self::Service { .. } => "",
        }
    }

    /// Whether the command needs the start-up wiring (`nova::start()`).
    fn starts_tasks(&self) -> bool {
        matches!(self, Self::Outbox { .. } | Self::Consumer { .. })
    }

    /// What identifies a command in the lock: kind, service, topic.
    pub fn key(&self) -> (String, String, String) {
        let kind = match self {
            Self::Outbox { .. } => "outbox",
            Self::Consumer { .. } => "consumer",
            Self::JwtVerify { .. } => "jwt-verify",
            Self::Service { .. } => "service",
        };
        (
            self.service().to_owned(),
            self.topic().to_owned(),
            kind.to_owned(),
        )
    }

    fn check_names(&self) -> Result<(), ScaffoldError> {
        if self.starts_tasks() {
            names::check_topic(self.topic())?;
        }
        match self {
            Self::JwtVerify { .. } => {}
            Self::Service { name } => names::check_service(name)?,
            Self::Outbox {
                events, aggregate, ..
            } => {
                if events.is_empty() {
                    return Err(ScaffoldError::InvalidName {
                        what: "event list",
                        value: String::new(),
                        why: "an outbox needs at least one event (--events E1,E2)".to_owned(),
                    });
                }
                events.iter().try_for_each(|e| names::check_event(e))?;
                if let Some(a) = aggregate {
                    names::check_aggregate(a)?;
                }
                names::check_aggregate(&render::aggregate(events, aggregate.as_deref()))?;
            }
            Self::Consumer {
                events,
                read_model,
                group,
                ..
            } => {
                events.iter().try_for_each(|e| names::check_event(e))?;
                if let Some(t) = read_model {
                    names::check_table(t)?;
                }
                if let Some(g) = group {
                    names::check_group(g)?;
                }
            }
        }
        Ok(())
    }
}

/// The topics declared by outboxes in the lock: topic → (events, aggregate).
fn declared_topics(lock: &Lock) -> BTreeMap<String, (Vec<String>, String)> {
    let mut topics: BTreeMap<String, (Vec<String>, String)> = BTreeMap::new();
    for c in &lock.commands {
        if let Request::Outbox {
            topic,
            events,
            aggregate,
            ..
        } = c
        {
            let entry = topics
                .entry(topic.clone())
                .or_insert_with(|| (Vec::new(), render::aggregate(events, aggregate.as_deref())));
            for e in events {
                if !entry.0.contains(e) {
                    entry.0.push(e.clone());
                }
            }
        }
    }
    topics
}

/// Resolves a consumer's events against the topic's outbox (or, for a topic no
/// outbox declared, against the payloads of `proto/events`).
fn resolve(request: &Request, lock: &Lock, ws: &Workspace) -> Result<Request, ScaffoldError> {
    let Request::Consumer {
        service,
        topic,
        events,
        read_model,
        group,
    } = request
    else {
        return Ok(request.clone());
    };
    let topics = declared_topics(lock);
    let proto: Vec<String> = ws.proto_events.keys().cloned().collect();
    let from_proto = !events.is_empty() && events.iter().all(|e| ws.proto_events.contains_key(e));
    let known = match topics.get(topic) {
        Some((known, _)) => known,
        None if from_proto => &proto,
        None => {
            return Err(ScaffoldError::UnknownTopic {
                topic: topic.clone(),
                known: if topics.is_empty() {
                    "(none yet)".to_owned()
                } else {
                    topics.keys().cloned().collect::<Vec<_>>().join(", ")
                },
            });
        }
    };
    for e in events {
        if !known.contains(e) {
            return Err(ScaffoldError::UnknownEvent {
                event: e.clone(),
                topic: topic.clone(),
                known: known.join(", "),
            });
        }
    }
    Ok(Request::Consumer {
        service: service.clone(),
        topic: topic.clone(),
        events: if events.is_empty() {
            known.clone()
        } else {
            events.clone()
        },
        read_model: read_model.clone(),
        group: group.clone(),
    })
}

/// The read-model migration of `table` in `service`: the one already recorded or
/// present, else the next number in the service's migrations.
fn migration_path(
    root: &Path,
    service: &Service,
    table: &str,
    lock: &Lock,
) -> Result<String, ScaffoldError> {
    let suffix = format!("_nova_read_model_{table}.sql");
    let prefix = format!("{}/", service.migrations);
    if let Some(p) = lock
        .files
        .keys()
        .find(|p| p.starts_with(&prefix) && p.ends_with(&suffix))
    {
        return Ok(p.clone());
    }
    let dir = root.join(&service.migrations);
    let mut names = Vec::new();
    match std::fs::read_dir(&dir) {
        Ok(entries) => {
            for e in entries.flatten() {
                names.push(e.file_name().to_string_lossy().into_owned());
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(error) => return Err(ScaffoldError::Read { path: dir, error }),
    }
    names.sort();
    if let Some(n) = names.iter().find(|n| n.ends_with(&suffix)) {
        return Ok(format!("{prefix}{n}"));
    }
    let numbered: Vec<&str> = names
        .iter()
        .filter(|n| n.ends_with(".sql"))
        .map(|n| n.split(|c: char| !c.is_ascii_digit()).next().unwrap_or(""))
        .filter(|d| !d.is_empty())
        .collect();
    let width = numbered.iter().map(|d| d.len()).max().unwrap_or(4);
    let next = numbered
        .iter()
        .filter_map(|d| d.parse::<u128>().ok())
        .max()
        .map_or(1, |n| n + 1);
    Ok(format!("{prefix}{next:0width$}{suffix}"))
}

fn dependencies(ws: &Workspace, commands: &[&Request]) -> Vec<inject::Dependency> {
    let produces = commands.iter().any(|c| matches!(c, Request::Outbox { .. }));
    let consumes = commands
        .iter()
        .any(|c| matches!(c, Request::Consumer { .. }));
    let runtime = |name: &'static str| {
        let value = match ws.runtime_dependency(name) {
            Some(path) => format!("{{ path = \"{path}\" }}"),
            None => "{ version = \"0.1\" }".to_owned(),
        };
        (name, value)
    };
    let verifies = commands
        .iter()
        .any(|c| matches!(c, Request::JwtVerify { .. }));
    let mut deps: Vec<(&'static str, String, bool)> = Vec::new();
    if verifies {
        for name in ["nova-auth", "nova-kit"] {
            let (n, v) = runtime(name);
            deps.push((n, v, false));
        }
    }
    if !(produces || consumes) {
        return deps
            .into_iter()
            .map(|(name, workspace_value, dev)| inject::Dependency {
                name,
                workspace_value,
                dev,
            })
            .collect();
    }
    let (n, v) = runtime("nova-events");
    deps.push((n, v, false));
    if produces {
        let (n, v) = runtime("nova-outbox");
        deps.push((n, v, false));
    }
    if consumes {
        let (n, v) = runtime("nova-consumer");
        deps.push((n, v, false));
    }
    deps.push(("prost", "\"0.14\"".to_owned(), false));
    deps.push((
        "sqlx",
        "{ version = \"0.8\", default-features = false, features = [\"runtime-tokio\", \"postgres\", \"uuid\", \"chrono\", \"migrate\", \"macros\"] }".to_owned(),
        false,
    ));
    deps.push((
        "tokio",
        "{ version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"signal\"] }".to_owned(),
        false,
    ));
    if consumes {
        let (n, v) = runtime("nova-testkit");
        deps.push((n, v, true));
        deps.push((
            "rdkafka",
            "{ version = \"0.38\", features = [\"tokio\"] }".to_owned(),
            true,
        ));
    }
    deps.into_iter()
        .map(|(name, workspace_value, dev)| inject::Dependency {
            name,
            workspace_value,
            dev,
        })
        .collect()
}

/// Plans `request` in the workspace at `root`: nothing is written. With `force`,
/// edited generated files are regenerated instead of reported as conflicts.
pub fn plan(root: &Path, request: &Request, force: bool) -> Result<Plan, ScaffoldError> {
    request.check_names()?;
    if let Request::Service { name } = request {
        return new_service::plan(root, name, force);
    }
    let ws = Workspace::load(root)?;
    let service = ws.service(request.service())?.clone();
    let old_lock = Lock::load(root)?;
    let request = resolve(request, &old_lock, &ws)?;
    let mut lock = old_lock.clone();
    lock.record(&request);

    let owned: Vec<Request> = lock
        .commands
        .iter()
        .filter(|c| c.service() == service.name)
        .cloned()
        .collect();
    let commands: Vec<&Request> = owned.iter().collect();
    let mut cx = render::Context {
        topics: declared_topics(&lock),
        proto: ws.proto_events.clone(),
        ..render::Context::default()
    };
    for c in &commands {
        if let Request::Consumer {
            read_model: Some(table),
            ..
        } = c
        {
            cx.migrations.insert(
                table.clone(),
                migration_path(root, &service, table, &old_lock)?,
            );
        }
    }
    let generated = render::service_files(&service, &commands, &cx);

    let mut files = Vec::new();
    for (path, after) in generated {
        files.push(generated_change(
            root, path, after, &old_lock, &mut lock, force,
        )?);
    }
    finish_person_files(root, &ws, &service, &commands, files, lock)
}

/// The change to a tool-owned file: create, identical, update, or conflict (edited).
pub(crate) fn generated_change(
    root: &Path,
    path: String,
    after: String,
    old_lock: &Lock,
    lock: &mut Lock,
    force: bool,
) -> Result<FileChange, ScaffoldError> {
    let before = workspace::read(root, &path)?;
    let recorded = old_lock.files.get(&path);
    let (action, note) = match &before {
        None => (Action::Create, None),
        Some(b) if *b == after => (Action::Identical, None),
        Some(b) if recorded == Some(&lock::hash(b)) => (Action::Update, None),
        Some(_) if force => (
            Action::Update,
            Some("edited; overwritten by --force".to_owned()),
        ),
        Some(_) if recorded.is_some() => (
            Action::Conflict,
            Some("edited since nova wrote it; kept (--force regenerates it)".to_owned()),
        ),
        Some(_) => (
            Action::Conflict,
            Some("not written by nova; kept (--force replaces it)".to_owned()),
        ),
    };
    if action != Action::Conflict {
        lock.files.insert(path.clone(), lock::hash(&after));
    }
    Ok(FileChange {
        path,
        action,
        before,
        after,
        note,
    })
}

fn finish_person_files(
    root: &Path,
    ws: &Workspace,
    service: &Service,
    commands: &[&Request],
    mut files: Vec<FileChange>,
    lock: Lock,
) -> Result<Plan, ScaffoldError> {
    // The person's files: one `mod` line, one call line, dependencies.
    let library = service.crate_root.ends_with("lib.rs");
    let root_text = workspace::read(root, &service.crate_root)?.unwrap_or_default();
    let with_mod = inject::mod_line(&service.crate_root, &root_text, library)?;
    let starts = commands.iter().any(|c| c.starts_tasks());
    if service.start_file == service.crate_root {
        let with_call = if starts {
            inject::call_line(&service.crate_root, &with_mod, library, inject::CALL)?
        } else {
            with_mod
        };
        files.push(person_file(&service.crate_root, root_text, with_call));
    } else {
        // A library with a binary: `pub mod nova;` in the library, the call in `main`
        // (whose error type takes any error, unlike the library's own).
        files.push(person_file(&service.crate_root, root_text, with_mod));
        let main_text = workspace::read(root, &service.start_file)?.unwrap_or_default();
        let with_call = if starts {
            let call = format!("{}::{}", service.name.replace('-', "_"), inject::CALL);
            inject::call_line(&service.start_file, &main_text, false, &call)?
        } else {
            main_text.clone()
        };
        files.push(person_file(&service.start_file, main_text, with_call));
    }

    // The consumers' tests: modules of the crate's one test binary, `tests/it/main.rs`.
    let consumed: Vec<String> = commands
        .iter()
        .filter(|c| matches!(c, Request::Consumer { .. }))
        .map(|c| names::module_name(c.topic()))
        .collect();
    if !consumed.is_empty() {
        let path = workspace::join(&service.dir, "tests/it/main.rs");
        let before = workspace::read(root, &path)?;
        let mut after = before.clone().unwrap_or_else(|| {
            "//! Integration tests (`nova scaffold consumer` adds its modules here).\n".to_owned()
        });
        for m in &consumed {
            after = inject::test_mod_line(&path, &after, &format!("nova_{m}_consumer"))?;
        }
        files.push(match before {
            Some(before) => person_file(&path, before, after),
            None => FileChange {
                path,
                action: Action::Create,
                before: None,
                after,
                note: None,
            },
        });
    }

    let deps = dependencies(ws, commands);
    let manifest = workspace::join(&service.dir, "Cargo.toml");
    let text = workspace::read(root, &manifest)?.unwrap_or_default();
    let edited = inject::member_dependencies(&manifest, &text, &deps, ws.is_workspace)?;
    if manifest == "Cargo.toml" && ws.is_workspace {
        let both = inject::workspace_dependencies("Cargo.toml", &edited, &deps)?;
        files.push(person_file("Cargo.toml", text, both));
    } else {
        files.push(person_file(&manifest, text, edited));
        if ws.is_workspace {
            let text = workspace::read(root, "Cargo.toml")?.unwrap_or_default();
            let edited = inject::workspace_dependencies("Cargo.toml", &text, &deps)?;
            files.push(person_file("Cargo.toml", text, edited));
        }
    }

    finish(root, files, &lock)
}

/// Adds the lock to `files`, validates what will be written, sorts by path.
pub(crate) fn finish(
    root: &Path,
    mut files: Vec<FileChange>,
    lock: &Lock,
) -> Result<Plan, ScaffoldError> {
    let before = workspace::read(root, LOCK_PATH)?;
    let after = lock.render()?;
    let action = match &before {
        None => Action::Create,
        Some(b) if *b == after => Action::Identical,
        Some(_) => Action::Update,
    };
    files.push(FileChange {
        path: LOCK_PATH.to_owned(),
        action,
        before,
        after,
        note: None,
    });

    for f in files.iter().filter(|f| f.action.writes()) {
        validate::check(&f.path, &f.after)?;
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Plan { files })
}

pub(crate) fn person_file(path: &str, before: String, after: String) -> FileChange {
    let unchanged = before == after;
    FileChange {
        path: path.to_owned(),
        action: if unchanged {
            Action::Skip
        } else {
            Action::Inject
        },
        note: unchanged.then(|| "already has what the scaffold adds".to_owned()),
        before: Some(before),
        after,
    }
}

/// Writes every file of `plan` whose action writes, all or nothing.
pub fn write(root: &Path, plan: &Plan) -> Result<(), ScaffoldError> {
    let files: Vec<&FileChange> = plan.files.iter().filter(|f| f.action.writes()).collect();
    write::apply(root, &files)
}
