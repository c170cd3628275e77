//! nova reads its own reference services (`services/`, issue 10): the
//! repository root, scanned with the root `nova.toml`, audits clean, its
//! topic graph has every edge of the reference system, and the plan puts
//! every reference service in Layer 1.

use crate::support::{access_set, diag_at, diag_text, diags, json_of, run_in_repo_root, stdout};
use std::collections::BTreeSet;

/// The six reference services under `services/`.
const REFERENCE_SERVICES: [&str; 6] = [
    "content-service",
    "feed-service",
    "identity-service",
    "media-service",
    "messaging-service",
    "realtime-chat-service",
];

#[test]
fn audit_of_the_repository_exits_0() {
    let o = run_in_repo_root(&["audit", ".", "-q"], 0);
    let out = stdout(&o);
    assert!(
        out.contains("0 errors, 0 warnings"),
        "audit of the repository has findings:\n{out}"
    );
}

#[test]
fn graph_lists_the_four_topic_edges() {
    let o = run_in_repo_root(&["graph", "--format", "csv", ".", "-q"], 0);
    let edges: BTreeSet<String> = stdout(&o).lines().skip(1).map(str::to_owned).collect();
    let expected: BTreeSet<String> = [
        "content-service,feed-service,kafka,content-events",
        "identity-service,feed-service,kafka,identity-events",
        "media-service,content-service,kafka,media-events",
        "messaging-service,realtime-chat-service,kafka,messaging-events",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(edges, expected);
}

#[test]
fn no_unresolved_topic_in_the_reference_services() {
    let args = ["scan", ".", "--format", "json", "-q"];
    let o = run_in_repo_root(&args, 0);
    let model = json_of(&args, &o);
    let unresolved: Vec<String> = diags(&model, "unresolved-topic")
        .into_iter()
        .map(diag_at)
        .filter(|at| at.starts_with("services/"))
        .collect();
    assert!(unresolved.is_empty(), "unresolved topics: {unresolved:?}");
}

#[test]
fn plan_puts_every_reference_service_in_layer_1() {
    let o = run_in_repo_root(&["plan", ".", "-q"], 0);
    let plan = stdout(&o);
    let layer1 = plan
        .lines()
        .find_map(|l| l.strip_prefix("Current layering: Layer 1: "))
        .unwrap_or_else(|| panic!("no Layer 1 in the plan:\n{plan}"));
    let layer1: BTreeSet<&str> = layer1.trim_end_matches('.').split(", ").collect();
    let expected: BTreeSet<&str> = REFERENCE_SERVICES.into_iter().collect();
    assert_eq!(layer1, expected, "the plan's layering:\n{plan}");
    assert!(
        plan.contains("No service depends synchronously on another service"),
        "{plan}"
    );
}

/// `nova-consumer-demo`, a binary of the consumer runtime (a library here),
/// is no part of the library: its `Handler`'s SQL runs in no service.
#[test]
fn the_consumer_demo_binary_is_attributed_to_no_service() {
    let args = ["scan", ".", "--format", "json", "-q"];
    let o = run_in_repo_root(&args, 0);
    let model = json_of(&args, &o);
    let demo: Vec<_> = access_set(&model)
        .into_iter()
        .filter(|(_, table, _)| table == "demo_effects")
        .collect();
    assert!(demo.is_empty(), "demo_effects attributed: {demo:?}");
    let bin = "services/shared/consumer/src/bin/nova-consumer-demo.rs";
    let notes: Vec<String> = diags(&model, "unresolved-target")
        .into_iter()
        .filter(|d| diag_at(d).starts_with(bin))
        .map(diag_text)
        .collect();
    assert!(
        !notes.is_empty()
            && notes
                .iter()
                .all(|n| n.contains("binary of library package `nova-consumer`")),
        "{notes:?}"
    );
}
