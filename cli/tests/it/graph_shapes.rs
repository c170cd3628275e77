//! gRPC / HTTP / Kafka / manifest shapes, and `nova graph` / `nova plan` on
//! the example.

use crate::support::*;
use std::collections::BTreeSet;

#[test]
fn grpc_client_shapes() {
    let m = scan(&fixture("grpc-clients"), &[]);
    assert_eq!(
        edge_set(&m),
        edge_quads(&[
            ("alias-svc", "catalog-svc", "grpc", "ListItems"),
            ("connect-svc", "catalog-svc", "grpc", "GetItem"),
            ("field-svc", "catalog-svc", "grpc", "GetItem"),
            ("new-svc", "catalog-svc", "grpc", "ListItems"),
        ])
    );
}

#[test]
fn client_pool_getter_counts_only_for_its_caller() {
    let m = scan(&fixture("client-pool"), &[]);
    assert_eq!(names(&m, "libraries"), set(&["grpc-pool"]));
    // state-svc keeps the pool's client in handler state (a renamed
    // import) and the pool itself in another handler's state.
    assert_eq!(
        edges_of_kind(&m, "grpc"),
        edge_triples(&[
            ("reader-svc", "content-svc", "GetPost"),
            ("state-svc", "content-svc", "GetPost"),
        ])
    );
    assert_eq!(
        sync_pairs(&m),
        pairs(&[("reader-svc", "content-svc"), ("state-svc", "content-svc")])
    );
}

#[test]
fn wrapper_type_in_a_library() {
    let m = scan(&fixture("wrapper-client"), &[]);
    assert_eq!(names(&m, "libraries"), set(&["identity-client"]));
    assert_eq!(
        edges_of_kind(&m, "grpc"),
        edge_triples(&[("chat-svc", "identity-svc", "VerifyUser")])
    );
    assert_eq!(sync_pairs(&m), pairs(&[("chat-svc", "identity-svc")]));
}

#[test]
fn checked_in_generated_client_is_not_a_call() {
    let m = scan(&fixture("generated-client"), &[]);
    assert_eq!(edge_set(&m), BTreeSet::new(), "{:#}", m["edges"]);
    assert!(
        diags(&m, "unresolved-target").is_empty(),
        "{:#}",
        m["diagnostics"]
    );
}

#[test]
fn generated_code_declares_services_no_proto_names() {
    // The repo has a `.proto` (ledger), but the sidecar's protocol exists
    // only as checked-in tonic code; batch-svc imports one item from
    // `tonic::codegen` by hand.
    let m = scan(&fixture("generated-only"), &[]);
    assert_eq!(
        edge_set(&m),
        edge_quads(&[
            ("app-svc", "sidecar-svc", "grpc", "GetState"),
            ("batch-svc", "sidecar-svc", "grpc", "GetState"),
        ])
    );
    assert!(
        diags(&m, "unresolved-target").is_empty(),
        "{:#}",
        m["diagnostics"]
    );
}

#[test]
fn http_calls_by_env_default_and_literal_host() {
    let m = scan(&fixture("http-calls"), &[]);
    let http: BTreeSet<(String, String)> = edges_of_kind(&m, "http")
        .into_iter()
        .map(|(f, t, via)| {
            assert!(!via.is_empty(), "http edge {f}->{t} has its URL/env var");
            (f, t)
        })
        .collect();
    assert_eq!(
        http,
        pairs(&[("web-svc", "billing-svc"), ("web-svc", "users-svc")])
    );
    assert_eq!(sync_pairs(&m), http);
}

#[test]
fn kafka_topic_shapes() {
    let m = scan(&fixture("kafka-topics"), &[]);
    assert_eq!(
        topic_set(&m),
        triples(&[
            ("dev.payments.events", "orders-svc", "payments-svc"),
            ("orders.cancelled", "orders-svc", "notify-svc"),
            ("orders.created", "orders-svc", "notify-svc"),
            ("orders.shipped", "orders-svc", "payments-svc"),
        ])
    );
    assert_eq!(
        edges_of_kind(&m, "kafka"),
        edge_triples(&[
            (
                "orders-svc",
                "notify-svc",
                "orders.cancelled,orders.created"
            ),
            (
                "orders-svc",
                "payments-svc",
                "dev.payments.events,orders.shipped"
            ),
        ])
    );
    let vias: BTreeSet<(String, String, String)> = m["topics"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|t| {
            let name = t["name"].as_str().unwrap_or_default().to_string();
            ["producers", "consumers"]
                .into_iter()
                .flat_map(move |side| {
                    let name = name.clone();
                    t[side]
                        .as_array()
                        .cloned()
                        .unwrap_or_default()
                        .into_iter()
                        .map(move |e| {
                            (
                                name.clone(),
                                e["service"].as_str().unwrap_or_default().to_string(),
                                e["via"].as_str().unwrap_or_default().to_string(),
                            )
                        })
                })
        })
        .collect();
    for expected in [
        ("orders.shipped", "orders-svc", "outbox"),
        ("orders.created", "orders-svc", "direct"),
        ("dev.payments.events", "payments-svc", "config"),
        ("orders.shipped", "payments-svc", "config"),
    ] {
        let e = (
            expected.0.to_string(),
            expected.1.to_string(),
            expected.2.to_string(),
        );
        assert!(vias.contains(&e), "{expected:?} in {vias:#?}");
    }
    let unresolved = diags(&m, "unresolved-topic");
    assert_eq!(unresolved.len(), 1, "{unresolved:#?}");
    assert_eq!(diag_at(unresolved[0]), "orders-svc/src/main.rs:39");
    assert!(
        diag_text(unresolved[0]).contains("audit_topic"),
        "{:#}",
        unresolved[0]
    );
}

#[test]
fn env_values_from_config_override_code_defaults() {
    let dir = tempfile::tempdir().expect("temp dir");
    let cfg = dir.path().join("nova.toml");
    std::fs::write(&cfg, "[env]\nKAFKA_TOPIC_PREFIX = \"prod\"\n").expect("write config");
    let cfg = cfg.to_string_lossy().into_owned();
    let m = scan(&fixture("kafka-topics"), &["--config", &cfg]);
    assert_eq!(
        topic_set(&m),
        triples(&[
            // The YAML still says `dev.`: with the prod prefix nobody consumes
            // the produced topic and nobody produces the consumed one.
            ("dev.payments.events", "", "payments-svc"),
            ("orders.cancelled", "orders-svc", "notify-svc"),
            ("orders.created", "orders-svc", "notify-svc"),
            ("orders.shipped", "orders-svc", "payments-svc"),
            ("prod.payments.events", "orders-svc", ""),
        ])
    );
}

#[test]
fn manifest_startup_and_url_edges() {
    let m = scan(&fixture("manifests"), &[]);
    let services = names(&m, "services");
    let between_services = |kind: &str| -> BTreeSet<(String, String)> {
        edges_of_kind(&m, kind)
            .into_iter()
            .filter(|(_, t, _)| services.contains(t))
            .map(|(f, t, _)| (f, t))
            .collect()
    };
    assert_eq!(
        between_services("startup"),
        pairs(&[("svc-a", "svc-b"), ("svc-b", "svc-c"), ("svc-c", "svc-d")])
    );
    assert_eq!(
        between_services("http"),
        pairs(&[("svc-c", "svc-d"), ("svc-d", "svc-e")])
    );
    let startup = edges_of_kind(&m, "startup");
    let via_of = |from: &str, to: &str| {
        startup
            .iter()
            .find(|(f, t, _)| f == from && t == to)
            .map(|(_, _, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(via_of("svc-a", "svc-b"), "k8s/svc-a.yaml");
    assert_eq!(via_of("svc-b", "svc-c"), "k8s/init-patch.yaml");
    assert_eq!(via_of("svc-c", "svc-d"), "docker-compose.yml");
    let postgres = m["infrastructure"]
        .as_array()
        .and_then(|v| v.iter().find(|i| i["kind"] == "postgres"))
        .unwrap_or_else(|| panic!("postgres infra: {:#}", m["infrastructure"]));
    assert!(
        postgres["used_by"]
            .as_array()
            .is_some_and(|u| u.iter().any(|s| s == "svc-c")),
        "{postgres:#}"
    );
}

#[test]
fn sync_cycle_is_an_error() {
    let p = fixture("sync-cycle");
    let m = scan(&p, &[]);
    assert_eq!(
        edges_of_kind(&m, "grpc"),
        edge_triples(&[
            ("ping-svc", "pong-svc", "Pong"),
            ("pong-svc", "ping-svc", "Ping")
        ])
    );
    let p = p.to_string_lossy();
    let args = ["audit", p.as_ref(), "--format", "json"];
    let o = run_expect(&args, 1);
    let report = json_of(&args, &o);
    let cycles: Vec<_> = report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "sync-cycle")
        .collect();
    assert_eq!(cycles.len(), 1, "{report:#}");
    assert_eq!(cycles[0]["severity"], "error");
    let msg = cycles[0]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("ping-svc") && msg.contains("pong-svc"),
        "{msg}"
    );
}

// ------------------------------------------------------------ the example

fn ex() -> String {
    example().to_string_lossy().into_owned()
}

const SYNC_ROWS: [(&str, &str, &str); 9] = [
    ("feed-service", "content-service", "grpc"),
    ("feed-service", "content-service", "startup"),
    ("media-service", "content-service", "grpc"),
    ("media-service", "content-service", "startup"),
    ("messaging-service", "identity-service", "grpc"),
    ("messaging-service", "identity-service", "startup"),
    ("realtime-chat-service", "identity-service", "grpc"),
    ("realtime-chat-service", "identity-service", "startup"),
    ("realtime-chat-service", "messaging-service", "grpc"),
];

const KAFKA_ROWS: [(&str, &str, &str); 2] = [
    ("content-service", "search-service", "kafka"),
    ("messaging-service", "search-service", "kafka"),
];

/// `(from, to, kind)` of csv rows, after checking the header.
fn csv_rows(args: &[&str]) -> (BTreeSet<(String, String, String)>, Vec<String>) {
    let o = run_expect(args, 0);
    let out = stdout(&o);
    let mut lines = out.lines();
    assert_eq!(
        lines.next(),
        Some("from,to,kind,via"),
        "{}",
        describe(args, &o)
    );
    let rows: Vec<String> = lines
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let set = rows
        .iter()
        .map(|l| {
            let mut f = l.splitn(4, ',');
            let mut next = || f.next().unwrap_or_default().to_string();
            (next(), next(), next())
        })
        .collect();
    (set, rows)
}

fn rows(items: &[(&str, &str, &str)]) -> BTreeSet<(String, String, String)> {
    triples(items)
}

#[test]
fn example_graph_csv() {
    let p = ex();
    let (set, lines) = csv_rows(&["graph", p.as_str(), "--format", "csv"]);
    let mut expected: Vec<(&str, &str, &str)> = SYNC_ROWS.to_vec();
    expected.extend(KAFKA_ROWS);
    assert_eq!(set, rows(&expected));
    assert_eq!(lines.len(), expected.len(), "one row per edge: {lines:#?}");
    let find = |from: &str, kind: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("{from},")) && l.contains(&format!(",{kind},")))
            .cloned()
            .unwrap_or_default()
    };
    assert!(
        find("feed-service", "grpc").contains("GetPost"),
        "{lines:#?}"
    );
    assert!(
        find("media-service", "grpc").contains("AttachMedia"),
        "{lines:#?}"
    );
    assert!(
        find("messaging-service", "grpc").contains("VerifyUser"),
        "{lines:#?}"
    );
    assert!(
        find("content-service", "kafka").contains("content-events"),
        "{lines:#?}"
    );
    assert!(
        find("messaging-service", "kafka").contains("messaging-events"),
        "{lines:#?}"
    );
}

#[test]
fn example_graph_sync_only_and_service_filter() {
    let p = ex();
    let (set, _) = csv_rows(&["graph", p.as_str(), "--format", "csv", "--sync-only"]);
    assert_eq!(set, rows(&SYNC_ROWS));
    let (set, _) = csv_rows(&[
        "graph",
        p.as_str(),
        "--format",
        "csv",
        "--service",
        "realtime-chat-service",
    ]);
    assert_eq!(
        set,
        rows(&[
            ("realtime-chat-service", "identity-service", "grpc"),
            ("realtime-chat-service", "identity-service", "startup"),
            ("realtime-chat-service", "messaging-service", "grpc"),
        ])
    );
}

#[test]
fn example_graph_other_formats() {
    let p = ex();
    let args = ["graph", p.as_str(), "--format", "json"];
    let o = run_expect(&args, 0);
    let v = json_of(&args, &o);
    assert!(v.to_string().contains("feed-service"), "{v:#}");

    let args = ["graph", p.as_str(), "--format", "dot"];
    let o = run_expect(&args, 0);
    let dot = stdout(&o);
    assert!(dot.trim_start().starts_with("digraph"), "{dot}");
    assert!(
        dot.lines().any(|l| l.contains("->")
            && l.find("feed-service") < l.find("content-service")
            && l.contains("feed-service")),
        "{dot}"
    );

    let args = ["graph", p.as_str(), "--format", "mermaid"];
    let o = run_expect(&args, 0);
    let mmd = stdout(&o);
    let first = mmd.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("graph") || first.starts_with("flowchart"),
        "{mmd}"
    );
    assert!(
        mmd.contains("feed-service") || mmd.contains("feed_service"),
        "{mmd}"
    );

    // SVG is laid out in-process: no Graphviz needed. Every service is a
    // node of it.
    let args = ["graph", p.as_str(), "--format", "svg"];
    let o = nova()
        .args(args)
        .env("PATH", "/nonexistent")
        .output()
        .expect("nova runs");
    assert_eq!(o.status.code(), Some(0), "{}", describe(&args, &o));
    let svg = stdout(&o);
    assert!(
        svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"),
        "{svg}"
    );
    for s in EXAMPLE_SERVICES {
        assert!(
            svg.contains(&format!("data-id=\"service:{s}\"")),
            "{s} is a node"
        );
    }
}

#[test]
fn example_plan_removes_the_four_dependencies() {
    let p = ex();
    let args = ["plan", p.as_str()];
    let o = run_expect(&args, 0);
    let plan = stdout(&o);
    for needle in [
        "feed-service",
        "media-service",
        "messaging-service",
        "realtime-chat-service",
        "content-service",
        "identity-service",
        "GetPost",
        "AttachMedia",
        "VerifyUser",
        "wait-for-content-service",
        "wait-for-identity-service",
        "content-events",
    ] {
        assert!(plan.contains(needle), "plan mentions {needle}\n{plan}");
    }
    let phases = plan.match_indices("Phase").count();
    assert!(phases >= 3, "at least three phases like seed 000\n{plan}");
    // Every synchronous dependency is removed in some phase: after the
    // first phase heading, each caller -> callee pair is named.
    let start = plan.find("Phase").unwrap_or(0);
    let body = &plan[start..];
    for (from, to) in [
        ("feed-service", "content-service"),
        ("media-service", "content-service"),
        ("messaging-service", "identity-service"),
        ("realtime-chat-service", "identity-service"),
        ("realtime-chat-service", "messaging-service"),
    ] {
        assert!(
            body.lines().any(|l| l.contains(from) && l.contains(to)),
            "a phase line names {from} -> {to}\n{plan}"
        );
    }
}
