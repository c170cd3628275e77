//! `examples/diesel-backend`: nova's matrix against the hand-written one in
//! its `EXPECTED.md`, and the audit naming the table two services write.

use crate::support::*;
use std::collections::BTreeSet;
use std::path::Path;

const EXAMPLE: &str = "examples/diesel-backend";

/// `(service, table, ops)` rows between the `matrix: begin` / `end`
/// markers of `EXPECTED.md`.
fn expected_matrix() -> BTreeSet<(String, String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(EXAMPLE)
        .join("EXPECTED.md");
    let text = std::fs::read_to_string(&path).expect("EXPECTED.md is readable");
    let start = text.find("<!-- matrix: begin -->").expect("begin marker");
    let end = text.find("<!-- matrix: end -->").expect("end marker");
    text[start..end]
        .lines()
        .filter(|l| l.starts_with('|') && !l.starts_with("|---") && !l.starts_with("| service"))
        .map(|l| {
            let cells: Vec<&str> = l.trim_matches('|').split('|').map(str::trim).collect();
            (
                cells[0].to_string(),
                cells[1].to_string(),
                cells[2].to_string(),
            )
        })
        .collect()
}

#[test]
fn ownership_matrix_matches_the_hand_written_one() {
    let want = expected_matrix();
    assert_eq!(want.len(), 9, "EXPECTED.md rows: {want:#?}");
    let args = ["ownership-matrix", EXAMPLE, "--format", "csv"];
    let o = run_in_repo_root(&args, 0);
    let got: BTreeSet<(String, String, String)> = stdout(&o)
        .lines()
        .skip(1)
        .filter_map(|l| {
            let mut c = l.split(',');
            Some((
                c.next()?.to_string(),
                c.next()?.to_string(),
                c.next()?.to_string(),
            ))
        })
        .collect();
    assert_eq!(got, want);
}

#[test]
fn audit_names_the_multi_writer_with_both_writers() {
    let args = ["audit", EXAMPLE, "--format", "json"];
    let o = run_in_repo_root(&args, 1);
    let out = stdout(&o);
    let v: serde_json::Value = serde_json::from_str(&out).expect("audit JSON");
    let findings = v["findings"].as_array().cloned().unwrap_or_default();
    let multi: Vec<&serde_json::Value> = findings
        .iter()
        .filter(|f| f["rule"] == "multi-writer")
        .collect();
    assert_eq!(multi.len(), 1, "{findings:#?}");
    let f = multi[0];
    assert!(f.to_string().contains("orders"), "{f:#}");
    let at: BTreeSet<String> = f["locations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| format!("{}:{}", l["file"].as_str().unwrap_or_default(), l["line"]))
        .collect();
    let want = set(&[
        // orders-service: the insert in `place_order`, the update in `cancel`
        "services/orders-service/src/store.rs:43",
        "services/orders-service/src/store.rs:97",
        // billing-service: `mark_order_paid` in the shared crate, and the
        // call that makes it billing's
        "crates/shop-db/src/orders.rs:23",
        "services/billing-service/src/invoicing.rs:42",
    ]);
    assert_eq!(at, want);
}

#[test]
fn schema_drift_and_catalog() {
    let m = scan(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(EXAMPLE),
        &[],
    );
    let drift = diags(&m, "orm-schema-drift");
    assert_eq!(drift.len(), 1, "{drift:#?}");
    assert_eq!(diag_at(drift[0]), "crates/shop-db/src/schema.rs:4");
    assert!(diag_text(drift[0]).contains("audit_log"));
    assert!(diags(&m, "orm-not-analysed").is_empty());
    assert!(diags(&m, "table-not-in-catalog").is_empty());
    assert_eq!(
        catalog(&m),
        set(&[
            "invoices",
            "order_items",
            "orders",
            "products",
            "sessions",
            "users"
        ])
    );
}
