//! One fixture per SQL code shape; each asserts the exact
//! `(service, table, ops)` set.

use crate::support::*;

#[test]
fn sqlx_macros() {
    let m = scan(&fixture("sqlx-macros"), &[]);
    assert_eq!(
        access_set(&m),
        triples(&[
            ("macro-svc", "carts", "D"),
            ("macro-svc", "customers", "R"),
            ("macro-svc", "invoices", "R"),
            ("macro-svc", "orders", "CU"),
        ])
    );
}

/// `Access::location` is documented as "where the SQL text is": for SQL on
/// the line after the call, in a `const` of another module, in a
/// `query_file!` file or in a `format!` template, that is the text's own
/// line, not the line of the call that runs it.
#[test]
fn sql_location_is_where_the_sql_text_is() {
    let at = |m: &serde_json::Value, svc: &str, table: &str, op: &str| -> String {
        let a = accesses_of(m, svc, table)
            .into_iter()
            .find(|a| a["op"] == op)
            .unwrap_or_else(|| panic!("{svc} {op} {table}"));
        format!(
            "{}:{}",
            a["location"]["file"].as_str().unwrap_or_default(),
            a["location"]["line"]
        )
    };
    let mut got = Vec::new();
    let mut want = Vec::new();
    let mut check = |g: String, w: &str| {
        got.push(g);
        want.push(w.to_string());
    };

    let m = scan(&fixture("sqlx-macros"), &[]);
    // query_as!( Customer, <SQL on the next line>
    check(at(&m, "macro-svc", "customers", "R"), "src/main.rs:18");
    // query_file!("queries/archive_orders.sql")
    check(
        at(&m, "macro-svc", "orders", "U"),
        "queries/archive_orders.sql:1",
    );

    let m = scan(&fixture("sqlx-functions"), &[]);
    // sqlx::query( <SQL on the next line>
    check(at(&m, "fn-svc", "holds", "D"), "src/main.rs:40");

    let m = scan(&fixture("tokio-postgres"), &[]);
    // client.query_one( <SQL on the next line>
    check(at(&m, "pg-svc", "inventory", "R"), "src/main.rs:11");

    let m = scan(&fixture("sql-bindings"), &[]);
    // a const in another module
    check(at(&m, "bind-svc", "tags", "R"), "src/queries.rs:3");
    // a const in the same file
    check(at(&m, "bind-svc", "labels", "C"), "src/main.rs:5");

    let m = scan(&fixture("format-holes"), &[]);
    // let sql = format!(..) on the line before the call
    let d = diags(&m, "unresolved-table");
    check(
        d.first().map(|d| diag_at(d)).unwrap_or_default(),
        "src/main.rs:5",
    );

    assert_eq!(got, want);
}

#[test]
fn sqlx_functions() {
    let m = scan(&fixture("sqlx-functions"), &[]);
    assert_eq!(
        access_set(&m),
        triples(&[
            ("fn-svc", "accounts", "CR"),
            // a helper's parameter, given by its caller
            ("fn-svc", "audit_log", "D"),
            ("fn-svc", "holds", "D"),
            ("fn-svc", "ledger_entries", "R"),
        ])
    );
    let holds = accesses_of(&m, "fn-svc", "holds");
    assert_eq!(holds[0]["confidence"], "high");
    assert_eq!(accesses_of(&m, "fn-svc", "accounts").len(), 3);
    assert!(diags(&m, "unresolved-sql").is_empty());
}

#[test]
fn query_builder() {
    let m = scan(&fixture("query-builder"), &[]);
    assert_eq!(
        access_set(&m),
        triples(&[
            ("qb-svc", "audit_log", "R"),
            ("qb-svc", "events", "C"),
            ("qb-svc", "widgets", "U"),
        ])
    );
}

#[test]
fn tokio_postgres_client_calls() {
    let m = scan(&fixture("tokio-postgres"), &[]);
    assert_eq!(
        access_set(&m),
        triples(&[
            // `query_raw(query, iter)` in a helper, `query` from the caller
            ("pg-svc", "customers", "R"),
            ("pg-svc", "inventory", "RU"),
            ("pg-svc", "orders", "R"),
            ("pg-svc", "prices", "R"),
            ("pg-svc", "products", "R"),
            ("pg-svc", "shipments", "C"),
            ("pg-svc", "stale_reservations", "D"),
        ])
    );
    assert!(diags(&m, "unresolved-sql").is_empty());
}

#[test]
fn sql_in_bindings_consts_and_choices() {
    let m = scan(&fixture("sql-bindings"), &[]);
    assert_eq!(
        access_set(&m),
        triples(&[
            ("bind-svc", "archived_notes", "R"),
            ("bind-svc", "audit_events", "D"),
            ("bind-svc", "bookmarks", "R"),
            ("bind-svc", "labels", "C"),
            ("bind-svc", "notes", "R"),
            ("bind-svc", "pins", "R"),
            ("bind-svc", "tags", "RUD"),
        ])
    );
    assert!(
        diags(&m, "unresolved-sql").is_empty(),
        "{:#?}",
        diags(&m, "unresolved-sql")
    );
}

#[test]
fn format_holes_and_concat() {
    let m = scan(&fixture("format-holes"), &[]);
    assert_eq!(
        access_set(&m),
        triples(&[
            ("fmt-svc", "metrics", "U"),
            ("fmt-svc", "reports", "R"),
            ("fmt-svc", "teams", "R"),
        ])
    );
    let unresolved = diags(&m, "unresolved-table");
    assert_eq!(unresolved.len(), 1, "{unresolved:#?}");
    let d = unresolved[0];
    assert_eq!(d["location"]["file"], "src/main.rs", "{d:#}");
    assert!(
        diag_text(d).contains("SELECT * FROM {} WHERE id = $1"),
        "the diagnostic shows the template: {d:#}"
    );
    assert_eq!(d["service"], "fmt-svc");
}

#[test]
fn library_sql_runs_in_every_caller() {
    let m = scan(&fixture("library-sql"), &[]);
    assert_eq!(
        names(&m, "services"),
        set(&["billing-worker", "orders-api"])
    );
    assert_eq!(names(&m, "libraries"), set(&["orphan-lib", "shared-db"]));
    assert_eq!(
        access_set(&m),
        triples(&[
            ("billing-worker", "counters", "U"),
            ("orders-api", "counters", "U"),
            ("orders-api", "customers", "R"),
            ("orders-api", "orders", "C"),
        ])
    );
    for (svc, table, call_site) in [
        ("billing-worker", "counters", "billing-worker/src/main.rs"),
        ("orders-api", "counters", "orders-api/src/main.rs"),
        ("orders-api", "customers", "orders-api/src/main.rs"),
    ] {
        for a in accesses_of(&m, svc, table) {
            assert_eq!(a["via_library"], "shared-db", "{a:#}");
            assert_eq!(a["location"]["file"], "shared-db/src/lib.rs", "{a:#}");
            assert_eq!(a["call_site"]["file"], call_site, "{a:#}");
        }
    }
    let own = accesses_of(&m, "orders-api", "orders");
    assert!(own[0]["via_library"].is_null());
}

#[test]
fn a_library_named_in_the_config_is_a_service() {
    let dir = fixture("library-sql");
    let cfg = dir.join("library-as-service.toml");
    let m = scan(&dir, &["--config", &cfg.to_string_lossy()]);
    assert_eq!(
        names(&m, "services"),
        set(&["billing-worker", "ghost-janitor", "orders-api"])
    );
    assert_eq!(names(&m, "libraries"), set(&["shared-db"]));
    let own = accesses_of(&m, "ghost-janitor", "ghosts");
    assert_eq!(own.len(), 1, "{m:#}");
    assert!(own[0]["via_library"].is_null());
    assert!(diags(&m, "config-reference").is_empty());
}

#[test]
fn sqlx_offline_metadata_adds_nothing_twice() {
    let m = scan(&fixture("sqlx-offline"), &[]);
    assert_eq!(
        access_set(&m),
        triples(&[("offline-svc", "books", "R"), ("offline-svc", "loans", "C")])
    );
    // One access per SQL text in the code: the `.sqlx` copies are not extra.
    assert_eq!(accesses_of(&m, "offline-svc", "books").len(), 1);
    assert_eq!(accesses_of(&m, "offline-svc", "loans").len(), 1);
    for a in m["accesses"].as_array().into_iter().flatten() {
        assert_eq!(a["location"]["file"], "src/main.rs", "{a:#}");
    }
}

#[test]
fn test_code_is_excluded_by_default() {
    let m = scan(&fixture("test-code"), &[]);
    assert_eq!(access_set(&m), triples(&[("tested-svc", "widgets", "R")]));
}

#[test]
fn test_code_is_included_on_request() {
    let m = scan(&fixture("test-code"), &["--include-tests"]);
    assert_eq!(access_set(&m), triples(&[("tested-svc", "widgets", "CRD")]));
    for a in accesses_of(&m, "tested-svc", "widgets") {
        let expect_test = a["op"] != "R";
        assert_eq!(a["in_test"], expect_test, "{a:#}");
    }
    let files: std::collections::BTreeSet<String> = accesses_of(&m, "tested-svc", "widgets")
        .iter()
        .filter_map(|a| a["location"]["file"].as_str().map(str::to_string))
        .collect();
    assert_eq!(files, set(&["src/main.rs", "tests/seed.rs"]));
}

#[test]
fn test_code_is_included_by_config() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cfg = dir.path().join("nova.toml");
    std::fs::write(&cfg, "[scan]\ninclude-tests = true\n").expect("write config");
    let cfg = cfg.to_string_lossy().into_owned();
    let m = scan(&fixture("test-code"), &["--config", &cfg]);
    assert_eq!(access_set(&m), triples(&[("tested-svc", "widgets", "CRD")]));
}

#[test]
fn non_relational_stores_stay_out_of_the_matrix() {
    let m = scan(&fixture("non-relational"), &[]);
    assert_eq!(
        access_set(&m),
        triples(&[("analytics-svc", "accounts", "R")])
    );
    let stores: std::collections::BTreeSet<(String, String)> = m["store_queries"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|q| {
                    (
                        q["store"].as_str().unwrap_or_default().to_string(),
                        q["location"]["file"]
                            .as_str()
                            .unwrap_or_default()
                            .to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        stores,
        pairs(&[("clickhouse", "src/main.rs"), ("cypher", "src/main.rs")])
    );
    let tables: Vec<&str> = m["tables"]
        .as_array()
        .map(|v| v.iter().filter_map(|t| t["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(tables, vec!["accounts"]);
}

#[test]
fn migrations_build_the_catalog() {
    let m = scan(&fixture("migrations"), &[]);
    assert_eq!(
        access_set(&m),
        triples(&[
            ("migr-diesel", "posts", "R"),
            ("migr-refinery", "tickets", "R"),
            ("migr-sqlx", "ghost_table", "R"),
            ("migr-sqlx", "measurements", "C"),
            ("migr-sqlx", "purchases", "R"),
        ])
    );
    let migrations: std::collections::BTreeSet<(String, String, String)> = m["migrations"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter(|x| !x["file"].as_str().unwrap_or_default().ends_with("down.sql"))
                .map(|x| {
                    (
                        x["file"].as_str().unwrap_or_default().to_string(),
                        x["service"].as_str().unwrap_or_default().to_string(),
                        x["tool"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        migrations,
        triples(&[
            (
                "migr-diesel/migrations/2024-01-01-000000_create_posts/up.sql",
                "migr-diesel",
                "diesel"
            ),
            (
                "migr-refinery/migrations/V1__create_tickets.sql",
                "migr-refinery",
                "refinery"
            ),
            (
                "migr-refinery/migrations/V2__ticket_status.sql",
                "migr-refinery",
                "refinery"
            ),
            (
                "migr-refinery/migrations/V3__audit.sql",
                "migr-refinery",
                "refinery"
            ),
            ("migr-sqlx/migrations/0001_init.sql", "migr-sqlx", "sqlx"),
            ("migr-sqlx/migrations/0002_rename.sql", "migr-sqlx", "sqlx"),
            ("migr-sqlx/migrations/0003_audit.sql", "migr-sqlx", "sqlx"),
        ])
    );

    let table = |name: &str| {
        m["tables"]
            .as_array()
            .and_then(|v| v.iter().find(|t| t["name"] == name))
            .cloned()
            .unwrap_or_else(|| panic!("table {name} in the catalog: {:#}", m["tables"]))
    };
    for name in [
        "purchases",
        "measurements",
        "measurements_2024",
        "tickets",
        "posts",
    ] {
        assert_eq!(table(name)["in_catalog"], true, "{name}: {:#}", table(name));
    }
    for name in ["legacy_stuff", "ghost_table"] {
        assert_eq!(
            table(name)["in_catalog"],
            false,
            "{name}: {:#}",
            table(name)
        );
    }
    if let Some(orders) = m["tables"]
        .as_array()
        .and_then(|v| v.iter().find(|t| t["name"] == "orders"))
    {
        assert_eq!(
            orders["in_catalog"], false,
            "orders was renamed: {orders:#}"
        );
    }
    assert_eq!(table("measurements_2024")["partition_of"], "measurements");
    let purchases = table("purchases");
    let kinds: Vec<&str> = purchases["events"]
        .as_array()
        .map(|v| v.iter().filter_map(|e| e["kind"].as_str()).collect())
        .unwrap_or_default();
    assert!(kinds.contains(&"rename-from"), "{kinds:?}");

    let missing = diags(&m, "table-not-in-catalog");
    let missing_tables: Vec<String> = missing.iter().map(|d| diag_text(d)).collect();
    assert_eq!(missing.len(), 1, "{missing:#?}");
    assert!(
        missing_tables[0].contains("ghost_table"),
        "{missing_tables:?}"
    );
    assert_eq!(diag_at(missing[0]), "migr-sqlx/src/main.rs:18");

    // Two services' migrations create `audit_log`: said once, at the second
    // service's migration, naming both.
    let twice = diags(&m, "table-created-twice");
    assert_eq!(twice.len(), 1, "{twice:#?}");
    let text = diag_text(twice[0]);
    assert!(
        text.contains("`audit_log`")
            && text.contains("`migr-refinery`, `migr-sqlx`")
            && text.contains("owned by `migr-refinery`"),
        "{text}"
    );
    assert_eq!(diag_at(twice[0]), "migr-sqlx/migrations/0003_audit.sql:3");
}

#[test]
fn nested_workspaces_and_standalone_service() {
    let m = scan(&fixture("workspaces"), &[]);
    assert_eq!(
        names(&m, "services"),
        set(&["alpha", "gamma", "standalone-svc"])
    );
    assert_eq!(names(&m, "libraries"), set(&["beta"]));
    assert_eq!(
        access_set(&m),
        triples(&[
            ("alpha", "alpha_jobs", "C"),
            ("alpha", "settings", "R"),
            ("gamma", "gamma_state", "U"),
            ("standalone-svc", "standalone_queue", "D"),
        ])
    );
    let standalone = m["services"]
        .as_array()
        .and_then(|v| v.iter().find(|s| s["name"] == "standalone-svc"))
        .expect("standalone-svc");
    assert_eq!(standalone["dir"], "standalone");
    assert!(
        standalone["aliases"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "standalone")),
        "the binary name is an alias: {standalone:#}"
    );
}

#[test]
fn target_and_gitignored_dirs_are_skipped() {
    let dir = copy_fixture("ignored-dirs");
    let root = dir.path();
    let generated =
        "fn g(pool: &sqlx::PgPool) { let _ = sqlx::query(\"DELETE FROM from_target\"); }\n";
    write(
        root,
        "target/debug/build/visible-svc-1/out/generated.rs",
        generated,
    );
    write(
        root,
        "target/package/visible-svc-0.1.0/Cargo.toml",
        "[package]\nname = \"visible-svc\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    );
    write(
        root,
        "target/package/visible-svc-0.1.0/src/main.rs",
        generated,
    );
    write(
        root,
        "scratch/old.rs",
        "fn old() { let _ = sqlx::query(\"DELETE FROM from_gitignored\"); }\n",
    );
    // The .gitignore only applies inside a git work tree.
    let git = std::process::Command::new("git")
        .args(["init", "-q"])
        .current_dir(root)
        .status();
    assert!(git.is_ok_and(|s| s.success()), "git init in the temp dir");
    let m = scan(root, &[]);
    assert_eq!(names(&m, "services"), set(&["visible-svc"]));
    assert_eq!(
        access_set(&m),
        triples(&[("visible-svc", "visible_items", "R")])
    );
}

#[test]
fn nova_toml_renames_services_and_declares_owners() {
    let m = scan(&fixture("nova-config"), &[]);
    assert_eq!(names(&m, "services"), set(&["orders", "shipping-worker"]));
    assert_eq!(
        access_set(&m),
        triples(&[
            ("orders", "orders", "C"),
            ("orders", "shipments", "C"),
            ("shipping-worker", "orders", "R"),
            ("shipping-worker", "shipments", "C"),
        ])
    );
    let orders = m["services"]
        .as_array()
        .and_then(|v| v.iter().find(|s| s["name"] == "orders"))
        .expect("orders service");
    assert_eq!(orders["package"], "orders-api");
    for alias in ["order-service", "orders.internal", "orders-api"] {
        assert!(
            orders["aliases"]
                .as_array()
                .is_some_and(|a| a.iter().any(|x| x == alias)),
            "alias {alias}: {orders:#}"
        );
    }
    for t in ["orders", "shipments"] {
        let table = m["tables"]
            .as_array()
            .and_then(|v| v.iter().find(|x| x["name"] == t))
            .unwrap_or_else(|| panic!("table {t}"));
        assert_eq!(table["declared_owner"], "orders", "{table:#}");
    }
}

#[test]
fn aliases_tie_deployments_to_services() {
    let m = scan(&fixture("nova-config"), &[]);
    assert_eq!(
        edge_set(&m),
        [(
            "orders",
            "shipping-worker",
            "startup",
            "k8s/order-service.yaml"
        )]
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect()
    );
}

/// SQL that calls stored functions and procedures a migration defines gets
/// the accesses of their bodies (PL/pgSQL and SQL, transitively), at the
/// calling SQL's location, with low confidence. A function the migrations
/// drop again, and built-ins, add nothing.
#[test]
fn stored_functions_called_from_code() {
    let m = scan(&fixture("stored-functions"), &[]);
    assert_eq!(
        access_set(&m),
        triples(&[
            // mq_insert (plpgsql) and mq_note, which it calls.
            ("queue-svc", "mq_audit", "C"),
            // mq_insert: C; mq_poll (sql): R; mq_purge (procedure): D.
            ("queue-svc", "mq_msgs", "CRD"),
        ])
    );
    let lines: std::collections::BTreeSet<(String, String, String, String)> = m["accesses"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|a| {
                    (
                        a["table"].as_str().unwrap_or_default().to_string(),
                        a["op"].as_str().unwrap_or_default().to_string(),
                        format!(
                            "{}:{}",
                            a["location"]["file"].as_str().unwrap_or_default(),
                            a["location"]["line"]
                        ),
                        a["confidence"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let want: std::collections::BTreeSet<(String, String, String, String)> = [
        ("mq_audit", "C", "src/main.rs:4"),
        ("mq_msgs", "C", "src/main.rs:4"),
        ("mq_msgs", "R", "src/main.rs:13"),
        ("mq_msgs", "D", "src/main.rs:20"),
    ]
    .iter()
    .map(|(t, o, at)| {
        (
            t.to_string(),
            o.to_string(),
            at.to_string(),
            "low".to_string(),
        )
    })
    .collect();
    assert_eq!(lines, want);
    assert!(diags(&m, "table-not-in-catalog").is_empty());
}
