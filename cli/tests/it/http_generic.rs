//! URLs and gRPC addresses through the remaining helper shapes
//! (`http-generic` fixture): a URL parameter of a generic type (`U:
//! IntoUrl`, `impl IntoUrl`, `where U: IntoUrl`, `D: TryInto<Endpoint>`), an
//! address the helper builds with `Url::parse`, `Url::from_str`,
//! `str::parse::<Url>`, `join`, `Channel::from_shared` (and `.as_str()`,
//! `.to_string()` of those), and one helper called several times: each
//! value is placed at the call it came from. `audit-svc` holds the
//! negatives: generic parameters of non-URL bounds (`K: Hash`, `T:
//! Display`) given URL-shaped text, a URL parsed from a request body, a
//! generic helper given a value read at run time.

use crate::support::*;

#[test]
fn generic_and_built_urls_resolve_through_the_callers() {
    let m = scan(&fixture("http-generic"), &[]);
    assert_eq!(
        edges_of_kind(&m, "http"),
        edge_triples(&[
            (
                "shop-svc",
                "inventory-svc",
                "http://inventory-svc:8080/api/stock,http://inventory-svc:8080/holds,http://inventory-svc:8080/items,http://inventory-svc:8080/levels"
            ),
            (
                "shop-svc",
                "pricing-svc",
                "http://pricing-svc:8080/fx,http://pricing-svc:8080/health,http://pricing-svc:8080/quotes,http://pricing-svc:8080/v1/rates"
            ),
        ]),
        "audit-svc gives URL-shaped text only to non-URL parameters, and \
         its one URL comes from a request body or the command line: no edge"
    );
}

#[test]
fn each_value_of_a_helper_called_several_times_is_placed_at_its_call() {
    let m = scan(&fixture("http-generic"), &[]);
    assert_eq!(
        edge_notes(&m, "shop-svc", "pricing-svc"),
        [
            "shop-svc/src/main.rs:10 http.get http://pricing-svc:8080/quotes (value through shop-svc/src/main.rs:10) (in library `url-kit` at url-kit/src/lib.rs:15, reached through `get_json`)",
            "shop-svc/src/main.rs:11 reqwest::get http://pricing-svc:8080/health (value through shop-svc/src/main.rs:11) (in library `url-kit` at url-kit/src/lib.rs:20, reached through `call`)",
            "shop-svc/src/main.rs:13 http.get http://pricing-svc:8080/v1/rates (value through shop-svc/src/main.rs:13) (in library `url-kit` at url-kit/src/lib.rs:36, reached through `under`)",
            "shop-svc/src/main.rs:14 http.get http://pricing-svc:8080/fx (value through shop-svc/src/main.rs:14) (in library `url-kit` at url-kit/src/lib.rs:36, reached through `under`)",
        ]
    );
    assert_eq!(
        edge_notes(&m, "shop-svc", "inventory-svc")
            .into_iter()
            .filter(|n| n.contains("http."))
            .collect::<Vec<_>>(),
        [
            "shop-svc/src/main.rs:9 http.get http://inventory-svc:8080/items (value through shop-svc/src/main.rs:9) (in library `url-kit` at url-kit/src/lib.rs:15, reached through `get_json`)",
            "shop-svc/src/main.rs:12 http.post http://inventory-svc:8080/holds (value through shop-svc/src/main.rs:12) (in library `url-kit` at url-kit/src/lib.rs:28, reached through `post_to`)",
            "shop-svc/src/main.rs:15 http.get http://inventory-svc:8080/api/stock (value through shop-svc/src/main.rs:15) (in library `url-kit` at url-kit/src/lib.rs:42, reached through `under_url`)",
            "shop-svc/src/main.rs:16 http.get http://inventory-svc:8080/levels (value through shop-svc/src/main.rs:16) (in library `url-kit` at url-kit/src/lib.rs:48, reached through `parsed`)",
        ]
    );
}

/// The address notes of the gRPC edge `from` → `inventory-svc`.
fn grpc_address(m: &serde_json::Value, from: &str) -> Vec<String> {
    m["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "grpc" && e["from"] == from && e["to"] == "inventory-svc")
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
}

#[test]
fn generic_and_channel_addresses_are_the_edge_address() {
    let m = scan(&fixture("http-generic"), &[]);
    // `connect_inventory<D: TryInto<Endpoint>>(dst)` given an env read.
    assert_eq!(
        grpc_address(&m, "shop-svc"),
        ["shop-svc/src/main.rs:17 INVENTORY_URL"]
    );
    // `Channel::from_shared(dst)` then `InventoryClient::new(channel)`,
    // given an env read.
    assert_eq!(
        grpc_address(&m, "audit-svc"),
        ["audit-svc/src/main.rs:30 INVENTORY_ADDR"]
    );
}

#[test]
fn urls_read_at_run_time_stay_unresolved() {
    let m = scan(&fixture("http-generic"), &[]);
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
            "audit-svc audit-svc/src/main.rs:16 HTTP call in `audit-svc`: URL not resolvable statically",
            "audit-svc audit-svc/src/main.rs:28 HTTP call in `audit-svc`: URL not resolvable statically (`{parameter #1 of `get_json` (line 14): no call gives it a static value}`)",
        ],
        "nothing for shop-svc (every call gives a value), nothing for `remember` or `tagged`"
    );
}
