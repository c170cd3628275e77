//! The reports checked in under `reports/` are what nova generates today
//! (`scripts/update-reports.sh` rewrites them).

use crate::support::{run_in_repo_root, stdout};
use std::path::Path;

fn checked_in(name: &str) -> String {
    checked_in_at("coupled-monorepo", name)
}

fn checked_in_at(dir: &str, name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../reports")
        .join(dir)
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

fn assert_current(args: &[&str], file: &str) {
    assert_current_at("coupled-monorepo", args, file);
}

fn assert_current_at(dir: &str, args: &[&str], file: &str) {
    let now = stdout(&run_in_repo_root(args, 0));
    assert!(
        now == checked_in_at(dir, file),
        "reports/{dir}/{file} is out of date: run scripts/update-reports.sh"
    );
}

#[test]
fn example_reports_are_current() {
    let ex = "examples/coupled-monorepo";
    assert_current(
        &["ownership-matrix", ex, "--format", "markdown"],
        "ownership-matrix.md",
    );
    assert_current(
        &["ownership-matrix", ex, "--format", "csv"],
        "ownership-matrix.csv",
    );
    assert_current(&["graph", ex, "--format", "mermaid"], "graph.mmd");
    assert_current(&["graph", ex, "--format", "csv"], "graph.csv");
    assert_current(&["plan", ex], "plan.md");
    assert_current(&["report", ex, "-q"], "report.html");
    assert_current(&["inventory", ex, "-q"], "inventory.md");
}

/// The reference services' reports, generated from the repository root
/// (the root `nova.toml` applies), are current.
#[test]
fn reference_service_reports_are_current() {
    let dir = "reference-services";
    let current = |args: &[&str], file: &str| assert_current_at(dir, args, file);
    current(
        &["ownership-matrix", ".", "--format", "markdown", "-q"],
        "ownership-matrix.md",
    );
    current(
        &["ownership-matrix", ".", "--format", "csv", "-q"],
        "ownership-matrix.csv",
    );
    current(&["graph", ".", "--format", "mermaid", "-q"], "graph.mmd");
    current(&["graph", ".", "--format", "csv", "-q"], "graph.csv");
    current(&["plan", ".", "-q"], "plan.md");
    current(&["audit", ".", "--format", "sarif", "-q"], "audit.sarif");
}

/// The screenshot shows the current report.html: its hash is recorded in
/// the PNG (see `png.rs`); pixels themselves depend on fonts and the
/// Chromium version, so they are not compared.
#[test]
fn example_screenshot_is_current() {
    let png_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/coupled-monorepo/report.png");
    let bytes =
        std::fs::read(&png_path).unwrap_or_else(|e| panic!("read {}: {e}", png_path.display()));
    assert!(crate::png::is_png(&bytes));
    let html = checked_in("report.html");
    assert_eq!(
        crate::png::text(&bytes, crate::png::KEY),
        Some(crate::png::fnv1a64(html.as_bytes())),
        "reports/coupled-monorepo/report.png was taken from another report.html: run scripts/update-reports.sh"
    );
}
