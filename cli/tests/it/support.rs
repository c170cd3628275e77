//! Helpers shared by the integration tests: run the built `nova` binary on
//! a fixture repository and reduce its output to exact sets.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

/// The example's services (examples/coupled-monorepo/EXPECTED.md).
pub const EXAMPLE_SERVICES: [&str; 7] = [
    "content-service",
    "feed-service",
    "identity-service",
    "media-service",
    "messaging-service",
    "realtime-chat-service",
    "search-service",
];

/// The example's tables, sorted.
pub const EXAMPLE_TABLES: [&str; 12] = [
    "comments",
    "conversations",
    "follows",
    "likes",
    "messages",
    "outbox_events",
    "posts",
    "search_documents",
    "sessions",
    "upload_sessions",
    "users",
    "videos",
];

/// `cli/tests/fixtures/<name>`.
pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("fixtures")
        .join(name)
}

/// The built-in example, `examples/coupled-monorepo`.
pub fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("examples")
        .join("coupled-monorepo")
}

/// A `nova` command (the binary built by this package).
pub fn nova() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nova"));
    // Deterministic, uncoloured output whatever the environment.
    cmd.env("NO_COLOR", "1").env_remove("RUST_LOG");
    cmd
}

/// Run `nova` from the repository root (so that paths in the output are
/// relative and stable, e.g. `examples/coupled-monorepo`), no panic,
/// exit code `code`.
pub fn run_in_repo_root(args: &[&str], code: i32) -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let o = nova()
        .args(args)
        .current_dir(root)
        .output()
        .expect("nova runs");
    assert_no_panic(args, &o);
    assert_eq!(
        o.status.code(),
        Some(code),
        "unexpected exit code\n{}",
        describe(args, &o)
    );
    o
}

/// Run `nova` with `args` and return the raw output (no exit-code check).
pub fn run(args: &[&str]) -> Output {
    nova().args(args).output().expect("nova runs")
}

/// Text of stdout / stderr.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Describe a run for assertion messages.
pub fn describe(args: &[&str], o: &Output) -> String {
    let out = stdout(o);
    let shown: String = out.chars().take(6000).collect();
    format!(
        "nova {}\nexit: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        args.join(" "),
        o.status.code(),
        shown,
        stderr(o)
    )
}

/// Assert that nova did not panic (exit 101 / "panicked" in stderr).
pub fn assert_no_panic(args: &[&str], o: &Output) {
    assert_ne!(
        o.status.code(),
        Some(101),
        "nova panicked:\n{}",
        describe(args, o)
    );
    assert!(
        !stderr(o).contains("panicked"),
        "nova panicked:\n{}",
        describe(args, o)
    );
}

/// Run `nova` with `args`, require exit code `code`, no panic.
pub fn run_expect(args: &[&str], code: i32) -> Output {
    let o = run(args);
    assert_no_panic(args, &o);
    assert_eq!(
        o.status.code(),
        Some(code),
        "unexpected exit code\n{}",
        describe(args, &o)
    );
    o
}

/// Parse stdout as JSON (with the run in the panic message).
pub fn json_of(args: &[&str], o: &Output) -> Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n{}", describe(args, o)))
}

/// `nova scan <path> --format json [extra..]`, which must succeed; the model.
pub fn scan(path: &Path, extra: &[&str]) -> Value {
    let p = path.to_string_lossy().into_owned();
    let mut args = vec!["scan", p.as_str(), "--format", "json"];
    args.extend_from_slice(extra);
    let o = run_expect(&args, 0);
    json_of(&args, &o)
}

fn s(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn arr<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key)
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

/// Letters among `CRUD`, in that order.
fn crud(ops: &BTreeSet<String>) -> String {
    ["C", "R", "U", "D"]
        .iter()
        .filter(|o| ops.contains(**o))
        .copied()
        .collect()
}

/// The model's accesses reduced to `(service, table, ops)`, ops as `CRUD`
/// letters (union over all locations).
pub fn access_set(model: &Value) -> BTreeSet<(String, String, String)> {
    let mut ops: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    for a in arr(model, "accesses") {
        ops.entry((s(a, "service"), s(a, "table")))
            .or_default()
            .insert(s(a, "op"));
    }
    ops.into_iter()
        .map(|((svc, table), o)| (svc, table, crud(&o)))
        .collect()
}

/// Build an expected `(service, table, ops)` set.
pub fn triples(items: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    items
        .iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

/// All accesses (raw JSON objects) of one service to one table.
pub fn accesses_of<'a>(model: &'a Value, service: &str, table: &str) -> Vec<&'a Value> {
    arr(model, "accesses")
        .iter()
        .filter(|a| s(a, "service") == service && s(a, "table") == table)
        .collect()
}

/// The model's edges reduced to `(from, to, kind, via)`, via joined by ",".
pub fn edge_set(model: &Value) -> BTreeSet<(String, String, String, String)> {
    arr(model, "edges")
        .iter()
        .map(|e| {
            let via: Vec<String> = arr(e, "via")
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect();
            (s(e, "from"), s(e, "to"), s(e, "kind"), via.join(","))
        })
        .collect()
}

/// The names of the topics `service` consumes, in the model's order.
pub fn consumed_by<'a>(model: &'a Value, service: &str) -> Vec<&'a str> {
    arr(model, "topics")
        .iter()
        .filter(|t| {
            arr(t, "consumers")
                .iter()
                .any(|c| s(c, "service") == service)
        })
        .filter_map(|t| t["name"].as_str())
        .collect()
}

/// Edges of one kind reduced to `(from, to, via)`.
pub fn edges_of_kind(model: &Value, kind: &str) -> BTreeSet<(String, String, String)> {
    edge_set(model)
        .into_iter()
        .filter(|e| e.2 == kind)
        .map(|(f, t, _, v)| (f, t, v))
        .collect()
}

/// Build an expected [`edge_set`]: `(from, to, kind, via)`.
pub fn edge_quads(
    items: &[(&str, &str, &str, &str)],
) -> BTreeSet<(String, String, String, String)> {
    items
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect()
}

/// The notes of the evidence of the edge `from -> to`, as `file:line note`.
pub fn edge_notes(m: &Value, from: &str, to: &str) -> Vec<String> {
    arr(m, "edges")
        .iter()
        .filter(|e| e["from"] == from && e["to"] == to)
        .flat_map(|e| arr(e, "evidence").to_vec())
        .map(|ev| {
            format!(
                "{}:{} {}",
                ev["location"]["file"].as_str().unwrap_or_default(),
                ev["location"]["line"].as_u64().unwrap_or(0),
                ev["note"].as_str().unwrap_or_default()
            )
        })
        .collect()
}

/// The evidence note of the kafka edge from `from` producing `topic` (empty
/// when there is none).
pub fn produce_note(m: &Value, from: &str, topic: &str) -> String {
    let want = format!("produces `{topic}`");
    arr(m, "edges")
        .iter()
        .filter(|e| e["kind"] == "kafka" && e["from"] == from)
        .flat_map(|e| arr(e, "evidence").to_vec())
        .map(|ev| ev["note"].as_str().unwrap_or_default().to_string())
        .find(|n| n.starts_with(&want))
        .unwrap_or_default()
}

/// Producers of `service`: `(topic, via, file:line)`, sorted.
pub fn produced_by(m: &Value, service: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for t in m["topics"].as_array().into_iter().flatten() {
        for p in t["producers"].as_array().into_iter().flatten() {
            if p["service"] != service {
                continue;
            }
            out.push((
                t["name"].as_str().unwrap_or_default().to_string(),
                p["via"].as_str().unwrap_or_default().to_string(),
                format!(
                    "{}:{}",
                    p["location"]["file"].as_str().unwrap_or_default(),
                    p["location"]["line"].as_u64().unwrap_or(0)
                ),
            ));
        }
    }
    out.sort();
    out
}

/// `(topic, "outbox", file:line)` for each item: expected [`produced_by`]
/// producers through an outbox.
pub fn outbox_sites(items: &[(&str, &str)]) -> Vec<(String, String, String)> {
    let mut out: Vec<_> = items
        .iter()
        .map(|(t, at)| (t.to_string(), "outbox".to_string(), at.to_string()))
        .collect();
    out.sort();
    out
}

/// Unresolved-topic diagnostics of `service`, as `file:line message`.
pub fn unresolved_of(m: &Value, service: &str) -> Vec<String> {
    diags(m, "unresolved-topic")
        .into_iter()
        .filter(|d| d["service"] == service)
        .map(|d| format!("{} {}", diag_at(d), diag_text(d)))
        .collect()
}

/// Build an expected `(a, b, c)` set (edges of one kind).
pub fn edge_triples(items: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    triples(items)
}

/// `(from, to)` pairs of synchronous edges (grpc, http, startup).
pub fn sync_pairs(model: &Value) -> BTreeSet<(String, String)> {
    edge_set(model)
        .into_iter()
        .filter(|e| e.2 != "kafka")
        .map(|(f, t, _, _)| (f, t))
        .collect()
}

/// Build an expected pair set.
pub fn pairs(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Service names of the model.
pub fn names(model: &Value, key: &str) -> BTreeSet<String> {
    arr(model, key).iter().map(|v| s(v, "name")).collect()
}

/// Build a set of strings.
pub fn set(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Diagnostics with `code`.
pub fn diags<'a>(model: &'a Value, code: &str) -> Vec<&'a Value> {
    arr(model, "diagnostics")
        .iter()
        .filter(|d| s(d, "code") == code)
        .collect()
}

/// `file:line` of a diagnostic's location ("" when none).
pub fn diag_at(d: &Value) -> String {
    match d.get("location") {
        Some(l) if !l.is_null() => format!(
            "{}:{}",
            s(l, "file"),
            l.get("line").and_then(Value::as_u64).unwrap_or(0)
        ),
        _ => String::new(),
    }
}

/// Message + snippet of a diagnostic, for text searches.
pub fn diag_text(d: &Value) -> String {
    format!("{} {}", s(d, "message"), s(d, "snippet"))
}

/// Topics reduced to `(name, producers, consumers)` (service names, sorted,
/// deduplicated, joined by ",").
pub fn topic_set(model: &Value) -> BTreeSet<(String, String, String)> {
    let side = |t: &Value, key: &str| {
        let names: BTreeSet<String> = arr(t, key).iter().map(|e| s(e, "service")).collect();
        names.into_iter().collect::<Vec<_>>().join(",")
    };
    arr(model, "topics")
        .iter()
        .map(|t| (s(t, "name"), side(t, "producers"), side(t, "consumers")))
        .collect()
}

/// A copy of a fixture in a fresh temporary directory.
pub fn copy_fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixture(name), dir.path());
    dir
}

/// Copies `from` to `to`, without build output (`target/`, if the example was
/// built in place).
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("dir entry");
        if entry.file_name() == "target" {
            continue;
        }
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy file");
        }
    }
}

/// Write `text` to `root/rel`, creating parent directories.
pub fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).expect("create parent");
    }
    std::fs::write(p, text).expect("write file");
}

/// `(table, op, file:line, <field>)` of every access of `service`, where
/// `field` is an access field shown as a string (`source`, `confidence`).
pub fn located(
    model: &Value,
    service: &str,
    field: &str,
) -> BTreeSet<(String, String, String, String)> {
    arr(model, "accesses")
        .iter()
        .filter(|a| s(a, "service") == service)
        .map(|a| {
            let at = format!(
                "{}:{}",
                s(&a["location"], "file"),
                a["location"]["line"].as_u64().unwrap_or(0)
            );
            (s(a, "table"), s(a, "op"), at, s(a, field))
        })
        .collect()
}

/// Names of the tables a migration creates (and none drops).
pub fn catalog(model: &Value) -> BTreeSet<String> {
    arr(model, "tables")
        .iter()
        .filter(|t| t["in_catalog"] == true)
        .map(|t| s(t, "name"))
        .collect()
}
