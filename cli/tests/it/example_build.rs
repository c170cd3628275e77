//! Building a copy of the built-in example for real, as README's "Building the
//! example" does: a fresh PostgreSQL database made from the example's migrations
//! for sqlx's `query!` macros (`DATABASE_URL` at build time), then `cargo build`.
//!
//! The copies live inside this checkout (`target/scaffold-*`, ignored by git and
//! by nova's scans), so the `nova scaffold` commands find nova's runtime crates
//! (`services/shared/*`) and write path dependencies to them. It builds with the
//! `dev` profile into the workspace's own target directory: the example's versions,
//! features and profile settings are nova's, so the dependencies nova's tests
//! already built are reused (its packages have other versions than nova's services,
//! so no artifact is shared by mistake; only the uplifted binaries of the same
//! names, `target/debug/identity-service` and the like, are the example's after it:
//! no test runs those).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// This checkout's root.
pub fn nova_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A place for a scratch copy: `<checkout>/target/<name>`, emptied.
pub fn scratch_in_checkout(name: &str) -> PathBuf {
    let dir = nova_root().join("target").join(name);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).expect("remove the previous copy");
    }
    std::fs::create_dir_all(&dir).expect("mkdir");
    dir
}

fn psql(url: &str, args: &[&str]) -> std::process::Output {
    Command::new("psql")
        .arg(url)
        .args(["-X", "-q", "-v", "ON_ERROR_STOP=1"])
        .args(args)
        .output()
        .expect("psql runs (PostgreSQL's client; scripts/postgres.sh installs it)")
}

/// A database with a unique name holding the example's schema, dropped on drop.
pub struct ExampleDb {
    base: String,
    name: String,
}

impl ExampleDb {
    /// Creates the database on `NOVA_PG_URL` and applies every `migrations/*.sql` of
    /// the services under `root`: a migration that fails (it needs another service's
    /// table) is tried again after the others, until none is left.
    pub fn create(root: &Path) -> Self {
        let base = std::env::var("NOVA_PG_URL")
            .ok()
            .filter(|v| !v.is_empty())
            .expect(
                "NOVA_PG_URL is not set: run the tests with scripts/test.sh (it starts PostgreSQL)",
            )
            .trim_end_matches('/')
            .to_owned();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or_default();
        let name = format!("nova_example_{}_{nanos}", std::process::id());
        let out = psql(
            &format!("{base}/postgres"),
            &["-c", &format!("CREATE DATABASE {name}")],
        );
        assert!(
            out.status.success(),
            "CREATE DATABASE: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let db = Self { base, name };
        let mut pending: Vec<PathBuf> = Vec::new();
        for service in std::fs::read_dir(root.join("services")).expect("services/") {
            let dir = service.expect("entry").path().join("migrations");
            if let Ok(files) = std::fs::read_dir(&dir) {
                for f in files {
                    let p = f.expect("entry").path();
                    if p.extension().is_some_and(|e| e == "sql") {
                        pending.push(p);
                    }
                }
            }
        }
        pending.sort();
        assert!(
            !pending.is_empty(),
            "no migrations under {}",
            root.display()
        );
        while !pending.is_empty() {
            let before = pending.len();
            let mut errors = Vec::new();
            pending.retain(|p| {
                let out = psql(&db.url(), &["-1", "-f", &p.to_string_lossy()]);
                if !out.status.success() {
                    errors.push(format!(
                        "{}: {}",
                        p.display(),
                        String::from_utf8_lossy(&out.stderr)
                    ));
                }
                !out.status.success()
            });
            assert!(
                pending.len() < before,
                "migrations that apply in no order:\n{}",
                errors.join("\n")
            );
        }
        db
    }

    /// Its URL, for `DATABASE_URL`.
    pub fn url(&self) -> String {
        format!("{}/{}", self.base, self.name)
    }
}

impl Drop for ExampleDb {
    fn drop(&mut self) {
        let _ = psql(
            &format!("{}/postgres", self.base),
            &[
                "-c",
                &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
            ],
        );
    }
}

/// The `[[package]]` entries of a Cargo.lock, by their `name`/`version` lines.
fn lock_packages(text: &str) -> (String, Vec<(String, String)>) {
    let mut parts = text.split("\n[[package]]\n");
    let header = parts.next().unwrap_or_default().to_owned();
    let packages = parts
        .map(|p| {
            let key: String = p.lines().take(2).collect::<Vec<_>>().join("\n");
            (key, p.trim_end().to_owned())
        })
        .collect();
    (header, packages)
}

/// The copy's Cargo.lock plus every package of nova's own Cargo.lock it lacks, so
/// the crates the scaffolded code adds (nova's runtime crates and their
/// dependencies) resolve to the versions nova built, not to the newest ones.
pub fn add_nova_lock(root: &Path) {
    let ours = std::fs::read_to_string(root.join("Cargo.lock")).expect("the example's Cargo.lock");
    let nova = std::fs::read_to_string(nova_root().join("Cargo.lock")).expect("nova's Cargo.lock");
    let (header, mut packages) = lock_packages(&ours);
    let (_, extra) = lock_packages(&nova);
    for (key, body) in extra {
        if !packages.iter().any(|(k, _)| *k == key) {
            packages.push((key, body));
        }
    }
    let mut text = header.trim_end().to_owned();
    text.push('\n');
    for (_, body) in packages {
        text.push_str("\n[[package]]\n");
        text.push_str(&body);
        text.push('\n');
    }
    std::fs::write(root.join("Cargo.lock"), text).expect("write Cargo.lock");
}

/// `cargo build --workspace --all-targets` in `root` against `db`, into the
/// workspace's target directory; panics with cargo's output when it fails.
pub fn cargo_build(root: &Path, db: &ExampleDb) {
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| nova_root().join("target"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let started = Instant::now();
    let out = Command::new(cargo)
        .args(["build", "--workspace", "--all-targets"])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target)
        .env("DATABASE_URL", db.url())
        .env_remove("SQLX_OFFLINE")
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "the scaffolded example failed to build:\n{stderr}"
    );
    let compiled: Vec<&str> = stderr
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("Compiling "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    eprintln!(
        "example build: {:.1} s, {} crates compiled: {}",
        started.elapsed().as_secs_f64(),
        compiled.len(),
        compiled.join(" ")
    );
}
