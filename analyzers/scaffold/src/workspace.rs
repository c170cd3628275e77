//! The services of a Cargo workspace, and where nova's runtime crates are.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::ScaffoldError;

/// A service: a workspace member that is a service (name ends in `-service`, or a
/// binary under `services/`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Package name, e.g. `content-service`.
    pub name: String,
    /// Directory relative to the root, `/`-separated.
    pub dir: String,
    /// The crate root the `mod nova;` line goes into (`src/lib.rs` if present, else
    /// `src/main.rs`), relative to the root.
    pub crate_root: String,
    /// The file whose start-up function gets the `nova::start()` call: `src/main.rs`
    /// (its `main`) if present, else `src/lib.rs` (its `run`).
    pub start_file: String,
    /// Its migrations directory (existing or to create), relative to the root.
    pub migrations: String,
    /// The environment variable its code reads the database URL from (a string
    /// literal ending in `DATABASE_URL` in `src/`), default `DATABASE_URL`.
    pub database_env: String,
    /// The environment variable its code reads the Kafka servers from
    /// (`KAFKA_BOOTSTRAP`, `KAFKA_BROKERS`, ...), default `KAFKA_BOOTSTRAP`.
    pub kafka_env: String,
}

/// The first string literal in the `.rs` files of `src` (sorted) that is an
/// environment variable name accepted by `pick`.
fn env_name(src: &Path, pick: impl Fn(&str) -> bool) -> Option<String> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(src)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .collect();
    paths.sort();
    for p in paths {
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        for piece in text.split('"').skip(1).step_by(2) {
            let is_var = !piece.is_empty()
                && piece
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
            if is_var && pick(piece) {
                return Some(piece.to_owned());
            }
        }
    }
    None
}

/// The workspace a scaffold writes into.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// Its root directory.
    pub root: PathBuf,
    /// Services by name.
    pub services: BTreeMap<String, Service>,
    /// Whether the root manifest has a `[workspace]` table.
    pub is_workspace: bool,
    /// Payload messages of `proto/events` when the workspace has nova-events: name →
    /// its `*_id` string fields.
    pub proto_events: BTreeMap<String, Vec<String>>,
}

/// The messages of the `.proto` files under `dir`: name → its `string *_id` fields.
fn proto_messages(dir: &Path, out: &mut BTreeMap<String, Vec<String>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            proto_messages(&p, out);
        } else if p.extension().is_some_and(|e| e == "proto")
            && let Ok(text) = std::fs::read_to_string(&p)
        {
            let mut current: Option<String> = None;
            for line in text.lines() {
                let l = line.trim();
                if let Some(rest) = l.strip_prefix("message ") {
                    let name: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if name != "Envelope" && name != "TraceContext" {
                        out.entry(name.clone()).or_default();
                        current = Some(name);
                    }
                } else if line.starts_with('}') {
                    current = None;
                } else if let (Some(m), Some(rest)) = (&current, l.strip_prefix("string "))
                    && let Some(field) = rest.split_whitespace().next()
                    && field.ends_with("_id")
                    && let Some(fields) = out.get_mut(m)
                {
                    fields.push(field.to_owned());
                }
            }
        }
    }
}

pub(crate) fn read(root: &Path, rel: &str) -> Result<Option<String>, ScaffoldError> {
    let path = root.join(rel);
    match std::fs::read_to_string(&path) {
        Ok(s) => Ok(Some(s)),
        // A missing file, or a path through a file: planned as new (writing it fails).
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
            ) =>
        {
            Ok(None)
        }
        Err(error) => Err(ScaffoldError::Read { path, error }),
    }
}

fn parse_manifest(root: &Path, rel: &str) -> Result<Option<toml_edit::DocumentMut>, ScaffoldError> {
    let Some(text) = read(root, rel)? else {
        return Ok(None);
    };
    text.parse::<toml_edit::DocumentMut>()
        .map(Some)
        .map_err(|e| ScaffoldError::Parse {
            file: rel.to_owned(),
            line: e.span().map_or(1, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            }),
            detail: e.message().to_owned(),
        })
}

impl Workspace {
    /// Reads the workspace at `root`: its members (`dir/*` globs expanded) and which are services.
    pub fn load(root: &Path) -> Result<Self, ScaffoldError> {
        let Some(doc) = parse_manifest(root, "Cargo.toml")? else {
            return Err(ScaffoldError::Read {
                path: root.join("Cargo.toml"),
                error: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "not found (run nova scaffold in a Cargo workspace, or give its path)",
                ),
            });
        };
        let mut dirs = Vec::new();
        let is_workspace = doc.get("workspace").is_some();
        if let Some(members) = doc
            .get("workspace")
            .and_then(|w| w.get("members"))
            .and_then(|m| m.as_array())
        {
            for m in members.iter().filter_map(|m| m.as_str()) {
                if let Some(parent) = m.strip_suffix("/*") {
                    let mut found = Vec::new();
                    if let Ok(entries) = std::fs::read_dir(root.join(parent)) {
                        for e in entries.flatten() {
                            if e.path().join("Cargo.toml").is_file() {
                                found.push(format!("{parent}/{}", e.file_name().to_string_lossy()));
                            }
                        }
                    }
                    found.sort();
                    dirs.extend(found);
                } else {
                    dirs.push(m.trim_end_matches('/').to_owned());
                }
            }
        }
        if doc.get("package").is_some() {
            dirs.push(String::new());
        }
        let mut services = BTreeMap::new();
        for dir in dirs {
            let manifest = join(&dir, "Cargo.toml");
            let Some(member) = parse_manifest(root, &manifest)? else {
                continue;
            };
            let Some(name) = member
                .get("package")
                .and_then(|p| p.get("name"))
                .and_then(|n| n.as_str())
            else {
                continue;
            };
            let has_lib = root.join(join(&dir, "src/lib.rs")).is_file();
            let has_main = root.join(join(&dir, "src/main.rs")).is_file();
            let under_services = dir.split('/').any(|c| c == "services");
            if !(name.ends_with("-service") || (under_services && has_main))
                || !(has_lib || has_main)
            {
                continue;
            }
            let crate_root = join(&dir, if has_lib { "src/lib.rs" } else { "src/main.rs" });
            let start_file = join(
                &dir,
                if has_main {
                    "src/main.rs"
                } else {
                    "src/lib.rs"
                },
            );
            let src = root.join(join(&dir, "src"));
            let database_env = env_name(&src, |v| v.ends_with("DATABASE_URL"))
                .unwrap_or_else(|| "DATABASE_URL".to_owned());
            let kafka_env = env_name(&src, |v| {
                v.starts_with("KAFKA") && (v.ends_with("BOOTSTRAP") || v.ends_with("BROKERS"))
                    || v.ends_with("BOOTSTRAP_SERVERS")
            })
            .unwrap_or_else(|| "KAFKA_BOOTSTRAP".to_owned());
            services.insert(
                name.to_owned(),
                Service {
                    name: name.to_owned(),
                    migrations: join(&dir, "migrations"),
                    database_env,
                    kafka_env,
                    dir,
                    crate_root,
                    start_file,
                },
            );
        }
        let has_events = doc
            .get("workspace")
            .and_then(|w| w.get("dependencies"))
            .and_then(|d| d.get("nova-events"))
            .is_some();
        let mut proto_events = BTreeMap::new();
        if has_events {
            proto_messages(&root.join("proto/events"), &mut proto_events);
        }
        Ok(Self {
            root: root.to_path_buf(),
            services,
            is_workspace,
            proto_events,
        })
    }

    /// The service called `name`, or an error listing the services.
    pub fn service(&self, name: &str) -> Result<&Service, ScaffoldError> {
        self.services
            .get(name)
            .ok_or_else(|| ScaffoldError::UnknownService {
                name: name.to_owned(),
                known: if self.services.is_empty() {
                    "(none: no workspace member is named *-service or is a binary under services/)"
                        .to_owned()
                } else {
                    self.services.keys().cloned().collect::<Vec<_>>().join(", ")
                },
            })
    }

    /// How the workspace refers to nova's runtime crate `krate` (e.g. `nova-outbox`):
    /// the path of the nova checkout that contains this workspace, if any.
    pub fn runtime_dependency(&self, krate: &str) -> Option<String> {
        let mut up = String::new();
        let mut dir = self.root.parent();
        while let Some(d) = dir {
            up.push_str("../");
            if let Ok(Some(doc)) = parse_manifest(d, "Cargo.toml")
                && let Some(path) = doc
                    .get("workspace")
                    .and_then(|w| w.get("dependencies"))
                    .and_then(|w| w.get(krate))
                    .and_then(|w| w.get("path"))
                    .and_then(|p| p.as_str())
            {
                return Some(format!("{up}{path}"));
            }
            dir = d.parent();
        }
        None
    }
}

/// The workspace `path` is in: the nearest directory from `path` up whose
/// `Cargo.toml` has a `[workspace]` table (`path` itself when none has).
pub fn workspace_root(path: &Path) -> PathBuf {
    let Ok(absolute) = std::path::absolute(path) else {
        return path.to_path_buf();
    };
    let mut dir = Some(absolute.as_path());
    while let Some(d) = dir {
        if let Ok(Some(doc)) = parse_manifest(d, "Cargo.toml")
            && doc.get("workspace").is_some()
        {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    path.to_path_buf()
}

/// `dir` + `/` + `rel`, for `/`-separated relative paths.
pub(crate) fn join(dir: &str, rel: &str) -> String {
    if dir.is_empty() {
        rel.to_owned()
    } else {
        format!("{dir}/{rel}")
    }
}
