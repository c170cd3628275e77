//! `nova scan` on the built-in example: the ground truth of
//! `examples/coupled-monorepo/EXPECTED.md`.

use crate::support::*;

fn model() -> serde_json::Value {
    scan(&example(), &[])
}

#[test]
fn services_and_libraries() {
    let m = model();
    assert_eq!(names(&m, "services"), set(&EXAMPLE_SERVICES));
    assert_eq!(names(&m, "libraries"), set(&["db-common"]));
}

#[test]
fn ownership_set_is_exact() {
    let m = model();
    let expected = triples(&[
        ("content-service", "comments", "CRUD"),
        ("content-service", "likes", "CRD"),
        ("content-service", "outbox_events", "C"),
        ("content-service", "posts", "CRUD"),
        ("content-service", "users", "R"),
        ("feed-service", "follows", "CRD"),
        ("feed-service", "posts", "R"),
        ("feed-service", "users", "R"),
        ("identity-service", "sessions", "CRD"),
        ("identity-service", "users", "CRUD"),
        ("media-service", "posts", "R"),
        ("media-service", "upload_sessions", "CRUD"),
        ("media-service", "videos", "CRUD"),
        ("messaging-service", "conversations", "CRU"),
        ("messaging-service", "messages", "CRUD"),
        ("messaging-service", "users", "U"),
        ("search-service", "comments", "R"),
        ("search-service", "messages", "R"),
        ("search-service", "posts", "R"),
        ("search-service", "search_documents", "CRUD"),
    ]);
    assert_eq!(access_set(&m), expected);
}

#[test]
fn library_sql_is_attributed_to_each_caller() {
    let m = model();
    let writes = accesses_of(&m, "messaging-service", "users");
    assert_eq!(writes.len(), 1, "{writes:#?}");
    let w = writes[0];
    assert_eq!(w["op"], "U");
    assert_eq!(w["via_library"], "db-common");
    assert_eq!(w["location"]["file"], "crates/db-common/src/lib.rs");
    assert_eq!(w["location"]["line"], 33);
    assert_eq!(
        w["call_site"]["file"],
        "services/messaging-service/src/grpc.rs"
    );
    assert_eq!(w["in_test"], false);

    // identity-service writes users through the same library function...
    let lib_writes: Vec<_> = accesses_of(&m, "identity-service", "users")
        .into_iter()
        .filter(|a| a["via_library"] == "db-common")
        .collect();
    assert_eq!(lib_writes.len(), 1, "{lib_writes:#?}");
    assert_eq!(lib_writes[0]["op"], "U");
    assert_eq!(
        lib_writes[0]["call_site"]["file"],
        "services/identity-service/src/grpc.rs"
    );

    // ...and reads of the library's SELECT go to content and feed only.
    for svc in ["content-service", "feed-service"] {
        let reads = accesses_of(&m, svc, "users");
        assert!(!reads.is_empty(), "{svc} reads users through db-common");
        for r in reads {
            assert_eq!(r["op"], "R", "{svc}: {r:#}");
            assert_eq!(r["via_library"], "db-common", "{svc}: {r:#}");
            assert_eq!(r["location"]["file"], "crates/db-common/src/lib.rs");
        }
    }
}

#[test]
fn own_sql_has_its_location_and_no_library() {
    let m = model();
    let deletes: Vec<_> = accesses_of(&m, "identity-service", "users")
        .into_iter()
        .filter(|a| a["op"] == "D")
        .collect();
    assert_eq!(deletes.len(), 1, "{deletes:#?}");
    assert_eq!(
        deletes[0]["location"]["file"],
        "services/identity-service/src/repo.rs"
    );
    assert_eq!(deletes[0]["location"]["line"], 77);
    assert!(deletes[0]["via_library"].is_null());
    assert_eq!(deletes[0]["confidence"], "high");
}

#[test]
fn every_table_is_in_the_catalog() {
    let m = model();
    let tables: Vec<&serde_json::Value> = m["tables"]
        .as_array()
        .map(|v| v.iter().collect())
        .unwrap_or_default();
    let names: std::collections::BTreeSet<String> = tables
        .iter()
        .filter_map(|t| t["name"].as_str().map(str::to_string))
        .collect();
    assert_eq!(names, set(&EXAMPLE_TABLES));
    for t in tables {
        assert_eq!(t["in_catalog"], true, "{t:#}");
    }
    assert!(diags(&m, "table-not-in-catalog").is_empty());
    let migrations: std::collections::BTreeSet<String> = m["migrations"]
        .as_array()
        .map(|v| {
            v.iter()
                .filter_map(|x| x["file"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        migrations,
        set(&[
            "services/content-service/migrations/0001_init.sql",
            "services/feed-service/migrations/0001_init.sql",
            "services/identity-service/migrations/0001_init.sql",
            "services/media-service/migrations/0001_init.sql",
            "services/messaging-service/migrations/0001_init.sql",
            "services/search-service/migrations/0001_init.sql",
        ])
    );
}

#[test]
fn grpc_edges_are_seed_000s() {
    let m = model();
    assert_eq!(
        edges_of_kind(&m, "grpc"),
        edge_triples(&[
            ("feed-service", "content-service", "GetPost"),
            ("media-service", "content-service", "AttachMedia"),
            ("messaging-service", "identity-service", "VerifyUser"),
            ("realtime-chat-service", "identity-service", "VerifyUser"),
            (
                "realtime-chat-service",
                "messaging-service",
                "ListMessages,SendMessage"
            ),
        ])
    );
}

#[test]
fn startup_edges_come_from_the_kustomize_patch() {
    let m = model();
    let patch = "k8s/base/service-init-containers-patch.yaml";
    assert_eq!(
        edges_of_kind(&m, "startup"),
        edge_triples(&[
            ("feed-service", "content-service", patch),
            ("media-service", "content-service", patch),
            ("messaging-service", "identity-service", patch),
            ("realtime-chat-service", "identity-service", patch),
        ])
    );
}

#[test]
fn sync_pairs_are_exactly_the_four_dependencies() {
    let m = model();
    assert_eq!(
        sync_pairs(&m),
        pairs(&[
            ("feed-service", "content-service"),
            ("media-service", "content-service"),
            ("messaging-service", "identity-service"),
            ("realtime-chat-service", "identity-service"),
            ("realtime-chat-service", "messaging-service"),
        ])
    );
}

#[test]
fn kafka_edges_and_topics() {
    let m = model();
    assert_eq!(
        edges_of_kind(&m, "kafka"),
        edge_triples(&[
            ("content-service", "search-service", "content-events"),
            ("messaging-service", "search-service", "messaging-events"),
        ])
    );
    assert_eq!(
        topic_set(&m),
        triples(&[
            ("content-events", "content-service", "search-service"),
            ("messaging-events", "messaging-service", "search-service"),
        ])
    );
    let content = m["topics"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["name"] == "content-events"))
        .expect("content-events topic");
    assert_eq!(content["producers"][0]["via"], "outbox", "{content:#}");
}

#[test]
fn proto_services_and_implementations() {
    let m = model();
    let protos: std::collections::BTreeSet<(String, String)> = m["proto_services"]
        .as_array()
        .map(|v| {
            v.iter()
                .map(|p| {
                    let by: Vec<String> = p["implemented_by"]
                        .as_array()
                        .map(|b| {
                            b.iter()
                                .filter_map(|x| x.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    (
                        p["name"].as_str().unwrap_or_default().to_string(),
                        by.join(","),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        protos,
        pairs(&[
            ("ContentService", "content-service"),
            ("IdentityService", "identity-service"),
            ("MessagingService", "messaging-service"),
        ])
    );
}

#[test]
fn example_scans_cleanly() {
    let m = model();
    for code in [
        "io",
        "not-utf8",
        "rust-syntax",
        "unresolved-table",
        "unresolved-sql",
        "unresolved-topic",
        "manifest-syntax",
        "cargo-manifest",
        "unresolved-target",
    ] {
        let found = diags(&m, code);
        assert!(
            found.is_empty(),
            "unexpected {code} diagnostics: {found:#?}"
        );
    }
}

#[test]
fn scan_output_is_deterministic() {
    let p = example();
    let p = p.to_string_lossy();
    let args = ["scan", p.as_ref(), "--format", "json"];
    let a = run_expect(&args, 0);
    let b = run_expect(&args, 0);
    assert_eq!(stdout(&a), stdout(&b));
}
