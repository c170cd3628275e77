//! `nova inventory` on the built-in example matches the hand-checked
//! inventory beside it (`examples/coupled-monorepo/INVENTORY.md`).

use crate::support::*;
use std::path::Path;

#[test]
fn example_inventory_matches_the_expected_one() {
    let expected_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/coupled-monorepo/INVENTORY.md");
    let expected = std::fs::read_to_string(&expected_path).expect("INVENTORY.md");
    // The leading HTML comment says how it was checked.
    let expected = match expected.find("-->\n") {
        Some(end) if expected.starts_with("<!--") => &expected[end + 4..],
        _ => expected.as_str(),
    };
    let got = stdout(&run_in_repo_root(
        &["inventory", "examples/coupled-monorepo", "-q"],
        0,
    ));
    if got != expected {
        let diff: Vec<String> = got
            .lines()
            .zip(expected.lines())
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .take(10)
            .map(|(i, (a, b))| format!("line {}:\n  got      {a}\n  expected {b}", i + 1))
            .collect();
        panic!(
            "nova inventory differs from INVENTORY.md ({} vs {} lines):\n{}",
            got.lines().count(),
            expected.lines().count(),
            diff.join("\n")
        );
    }
}

#[test]
fn example_inventory_json() {
    let args = ["inventory", "examples/coupled-monorepo", "--format", "json"];
    let v = json_of(&args, &run_in_repo_root(&args, 0));
    assert_eq!(v["version"], 1);
    let t = &v["totals"];
    assert_eq!(t["services"], 7);
    assert_eq!(t["grpc_methods"], 7);
    assert_eq!(t["http_routes"], 9);
    assert_eq!(t["sync_dependencies"], 5);
    assert_eq!(t["async_dependencies"], 2);
    assert_eq!(t["init_containers"], 4);
    assert_eq!(t["tests"], 3);
    let feed = v["services"]
        .as_array()
        .and_then(|s| s.iter().find(|x| x["name"] == "feed-service"))
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        feed["http_routes"],
        serde_json::json!([
            "DELETE /v1/follows",
            "GET /v1/feed/:user_id",
            "POST /v1/follows"
        ])
    );
    assert_eq!(feed["tables_read"], serde_json::json!(["posts", "users"]));
    assert_eq!(feed["binaries"], serde_json::json!(["feed-service"]));
}
