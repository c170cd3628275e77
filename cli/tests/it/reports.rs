//! The reports checked in under `reports/` are what nova generates today
//! (`scripts/update-reports.sh` rewrites them).

use crate::support::{run_in_repo_root, stdout};
use std::path::Path;

fn checked_in(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../reports/coupled-monorepo")
        .join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
}

fn assert_current(args: &[&str], file: &str) {
    let now = stdout(&run_in_repo_root(args, 0));
    assert!(
        now == checked_in(file),
        "reports/coupled-monorepo/{file} is out of date: run scripts/update-reports.sh"
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
}
