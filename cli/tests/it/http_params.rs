//! HTTP URLs and gRPC `connect` addresses handed to a helper as a
//! parameter are followed to the helper's callers, like topics
//! (`http-params` fixture): a shared library `http-kit` with
//! `get_json(client, url)`, its wrapper `stock(client, base)`,
//! `health(url)` (`reqwest::get`), `fetch_any(client, url)`, `ping(client, url)`,
//! `Api::call(&self, path)` on a base URL set by `Api::new(base)`, and
//! `connect_inventory(addr) -> InventoryClient<Channel>`. `shop-svc` calls
//! them with literals, a `format!` of a const and an env read with a
//! default; `audit-svc` only with values read at run time, and never calls
//! `get_json`, `Api::call` or `ping`; no service calls `ping`.

use crate::support::*;

#[test]
fn urls_handed_to_a_helper_resolve_through_the_calls_the_service_runs() {
    let m = scan(&fixture("http-params"), &[]);
    assert_eq!(
        edges_of_kind(&m, "http"),
        edge_triples(&[
            (
                "shop-svc",
                "inventory-svc",
                "http://inventory-svc:8080/items,http://inventory-svc:8080/stock"
            ),
            (
                "shop-svc",
                "pricing-svc",
                "http://pricing-svc:8080/fx,http://pricing-svc:8080/health,http://pricing-svc:8080/prices,http://pricing-svc:8080/quotes"
            ),
        ]),
        "audit-svc calls `fetch_any` with no static URL: no edge, and shop's URLs are not its"
    );
    // Each call giving the value is a hop of the evidence (the base URL's
    // field write and `Api::new`'s call, then `call`'s); the value is placed
    // at the service's call it came through (`quotes` at line 12, not at
    // the first call of `get_json`, line 11).
    assert_eq!(
        edge_notes(&m, "shop-svc", "pricing-svc"),
        [
            "shop-svc/src/main.rs:12 http.get http://pricing-svc:8080/quotes (value through shop-svc/src/main.rs:12) (in library `http-kit` at http-kit/src/lib.rs:8, reached through `get_json`)",
            "shop-svc/src/main.rs:13 http.get http://pricing-svc:8080/fx (value through shop-svc/src/main.rs:13) (in library `http-kit` at http-kit/src/lib.rs:24, reached through `fetch_any`)",
            "shop-svc/src/main.rs:15 http.get http://pricing-svc:8080/prices (value through http-kit/src/lib.rs:43, shop-svc/src/main.rs:14, shop-svc/src/main.rs:15) (in library `http-kit` at http-kit/src/lib.rs:49, reached through `call`)",
            "shop-svc/src/main.rs:17 reqwest::get http://pricing-svc:8080/health (value through shop-svc/src/main.rs:17) (in library `http-kit` at http-kit/src/lib.rs:18, reached through `health`)",
        ]
    );
    assert_eq!(
        edge_notes(&m, "shop-svc", "inventory-svc")
            .into_iter()
            .filter(|n| n.contains("http.get"))
            .collect::<Vec<_>>(),
        [
            "shop-svc/src/main.rs:11 http.get http://inventory-svc:8080/items (value through shop-svc/src/main.rs:11) (in library `http-kit` at http-kit/src/lib.rs:8, reached through `get_json`)",
            // A wrapper of a wrapper: `stock`'s call to `get_json`, then
            // shop's call to `stock`, where the value is placed.
            "shop-svc/src/main.rs:16 http.get http://inventory-svc:8080/stock (value through http-kit/src/lib.rs:13, shop-svc/src/main.rs:16) (in library `http-kit` at http-kit/src/lib.rs:8, reached through `get_json`)",
        ]
    );
}

#[test]
fn an_address_handed_to_a_client_helper_is_the_edge_address() {
    let m = scan(&fixture("http-params"), &[]);
    let grpc: Vec<&serde_json::Value> = m["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "grpc")
        .collect();
    let address = |from: &str| -> Vec<String> {
        grpc.iter()
            .filter(|e| e["from"] == from && e["to"] == "inventory-svc")
            .flat_map(|e| e["address"].as_array().cloned().unwrap_or_default())
            .map(|a| {
                format!(
                    "{}:{} {}",
                    a["location"]["file"].as_str().unwrap_or_default(),
                    a["location"]["line"].as_u64().unwrap_or(0),
                    a["note"].as_str().unwrap_or_default()
                )
            })
            .collect()
    };
    // The env var read where `shop-svc` calls `connect_inventory`.
    assert_eq!(
        address("shop-svc"),
        ["shop-svc/src/main.rs:19 INVENTORY_ADDR"]
    );
    // `audit-svc` still reaches the `Inventory` server (it implements the
    // proto), with no address.
    assert_eq!(grpc.len(), 2, "{grpc:#?}");
    assert!(address("audit-svc").is_empty());
}

#[test]
fn a_helper_given_no_static_value_names_the_parameter_and_the_function() {
    let m = scan(&fixture("http-params"), &[]);
    let unresolved: Vec<String> = diags(&m, "unresolved-target")
        .into_iter()
        .map(|d| {
            format!(
                "{} {} {}",
                d["service"].as_str().unwrap_or_default(),
                diag_at(d),
                d["message"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        unresolved,
        [
            "audit-svc audit-svc/src/main.rs:12 HTTP call in `audit-svc`: URL not resolvable statically (`{parameter #1 of `fetch_any` (line 23): no call gives it a static value}`)",
            "audit-svc audit-svc/src/main.rs:14 address of the `Inventory` gRPC client in `audit-svc` not resolvable statically (`{parameter #0 of `connect_inventory` (line 10): no call to it is reached}`)",
        ],
        "nothing for shop-svc (every call gives a value), nothing for `ping` (no service calls it)"
    );
    assert_eq!(m["diagnostics"].as_array().map(Vec::len), Some(2));
}
