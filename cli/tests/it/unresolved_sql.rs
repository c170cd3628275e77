//! SQL nova cannot resolve is said, never dropped: every client (sqlx,
//! tokio-postgres, deadpool-postgres, bb8, diesel `sql_query`) reports an
//! argument it cannot resolve as N006 at the call, resolved calls still
//! give their accesses, prepared statements are not SQL text, and a
//! baseline entry such SQL may carry is not taken for fixed.

use crate::support::*;
use serde_json::Value;
use std::collections::BTreeSet;

/// `(file:line, snippet)` of every N006.
fn unresolved(m: &Value) -> BTreeSet<(String, String)> {
    diags(m, "unresolved-sql")
        .into_iter()
        .map(|d| {
            (
                diag_at(d),
                d["snippet"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn set_of(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn every_client_reports_sql_it_cannot_resolve() {
    let m = scan(&fixture("unresolved-sql"), &[]);
    assert_eq!(
        unresolved(&m),
        set_of(&[
            ("bb8-svc/src/main.rs:11", "sql.as_str()"),
            (
                "diesel-svc/src/main.rs:9",
                "std::env::var(\"COUPON_SQL\").unwrap_or_default()"
            ),
            ("pg-svc/src/main.rs:24", "&from_env"),
            ("pg-svc/src/main.rs:26", "queries::MISSING"),
            ("pg-svc/src/main.rs:28", "env!(\"PURGE_PREFIX\")"),
            ("pg-svc/src/main.rs:30", "format!(\"{}{}\", table, table)"),
            ("pg-svc/src/main.rs:32", "&build_script(table)"),
            ("pg-svc/src/main.rs:33", "&build_script(table)"),
            ("pg-svc/src/main.rs:34", "&build_script(table)"),
            // a parameter no caller in the file gives a text
            ("pg-svc/src/main.rs:40", "text"),
            (
                "pool-svc/src/main.rs:11",
                "&std::env::var(\"INVOICE_SQL\") ?"
            ),
            ("pool-svc/src/main.rs:12", "INVOICE_PURGE"),
            ("sqlx-svc/src/main.rs:7", "&sql"),
            ("sqlx-svc/src/main.rs:8", "CART_ARCHIVE"),
        ])
    );
    // Each names the client's API and the expression.
    let texts: Vec<String> = diags(&m, "unresolved-sql")
        .into_iter()
        .map(diag_text)
        .collect();
    for api in [
        "`tokio_postgres::query`",
        "`deadpool_postgres::execute`",
        "`sqlx::query`",
        "`diesel::sql_query`",
    ] {
        assert!(texts.iter().any(|t| t.contains(api)), "{api} in {texts:#?}");
    }
    // Resolved calls keep their accesses; a prepared statement run later
    // (`client.execute(&stmt, ..)`, a `&Statement` parameter) is no N006.
    assert_eq!(
        access_set(&m),
        triples(&[
            ("bb8-svc", "ledgers", "U"),
            ("diesel-svc", "coupons", "D"),
            ("pg-svc", "orders", "R"),
            ("pg-svc", "shipments", "C"),
            ("pool-svc", "invoices", "R"),
            ("sqlx-svc", "carts", "D"),
        ])
    );
}

#[test]
fn a_finding_unresolved_sql_may_carry_is_not_stale() {
    let dir = copy_fixture("unresolved-sql");
    let root = dir.path().to_string_lossy().into_owned();
    let baseline = dir.path().join("nova-baseline.json");
    let b = baseline.to_string_lossy().into_owned();
    run_expect(&["audit", &root, "--write-baseline", &b, "-q"], 0);
    let text = std::fs::read_to_string(&baseline).expect("baseline written");
    assert!(text.contains("unowned-table|table=invoices"), "{text}");

    // The query that gave the finding now takes its SQL from the
    // environment: nova cannot see the table any more.
    let main = dir.path().join("pool-svc/src/main.rs");
    let code = std::fs::read_to_string(&main).expect("read");
    let code = code.replace(
        "client.query(\"SELECT id FROM invoices\", &[])",
        "client.query(&std::env::var(\"LIST_SQL\")?, &[])",
    );
    std::fs::write(&main, code).expect("write");

    let args = [
        "audit",
        root.as_str(),
        "--baseline",
        b.as_str(),
        "--strict-baseline",
        "--format",
        "json",
        "-q",
    ];
    let o = run_expect(&args, 0);
    let report = json_of(&args, &o);
    assert_eq!(report["stale"], serde_json::json!([]), "{report:#}");
    let kept: Vec<&str> = report["unconfirmed"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e["fingerprint"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(kept, vec!["unowned-table|table=invoices"], "{report:#}");
    let n006 = report["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|d| d["code"] == "unresolved-sql" && d["location"]["line"] == 5)
                .count()
        })
        .unwrap_or(0);
    assert_eq!(n006, 1, "{report:#}");
    let args = ["audit", root.as_str(), "--baseline", b.as_str(), "-q"];
    let o = run_expect(&args, 0);
    assert!(
        stdout(&o).contains("kept unconfirmed (1)"),
        "{}",
        describe(&args, &o)
    );

    // A finding of a service with no unresolved SQL does turn stale.
    let pg = dir.path().join("pg-svc/src/main.rs");
    let code = std::fs::read_to_string(&pg).expect("read");
    std::fs::write(&pg, code.replace("SELECT id FROM orders", "SELECT 1")).expect("write");
    let o = run_expect(&args, 0);
    assert!(
        stdout(&o).contains("unowned-table|table=orders"),
        "{}",
        describe(&args, &o)
    );
}
