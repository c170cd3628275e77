//! A client a library hands on through a glob of a tonic module (`pub use
//! pb::catalog_client::*;` at the root, `pub use
//! crate::pb::pricing_client::*;` in a module), used as
//! `shop_pb::CatalogClient` or through a further re-export, and such a
//! glob imported privately (`use shop_pb::pb::catalog_client::*;`); and a
//! root handing on names of a module of its own written without `crate::`
//! (`mod clients;` then `pub use clients::{CatalogClient, Pricing};`),
//! settled like `pub use crate::clients::..`. A crate named like that
//! module (`clients`) is not taken for it, in the library or in a service
//! with a `clients` module of its own, nor it for the crate; a glob of a
//! module of plain types (`pub use plain::*;`) brings no client.

use crate::support::*;

#[test]
fn a_client_through_a_tonic_glob_or_a_root_use_of_a_module_is_called() {
    let m = scan(&fixture("reexport-roots"), &[]);
    assert_eq!(
        edge_set(&m),
        edge_quads(&[
            // `shop_pb::CatalogClient::connect`, `CatalogClient::connect`
            // under `use shop_pb::pb::catalog_client::*;` and
            // `shop_pb::clients::PricingClient::connect`.
            ("glob-svc", "catalog-svc", "grpc", "GetItem,ListItems"),
            ("glob-svc", "pricing-svc", "grpc", "GetPrice"),
            // `self.catalog.list_items(..)` on a field typed
            // `shop_sdk::CatalogClient<Channel>` (not `inventory.get_item`)
            // and `shop_sdk::Pricing::connect`.
            ("sdk-svc", "catalog-svc", "grpc", "ListItems"),
            ("sdk-svc", "pricing-svc", "grpc", "GetPrice"),
            // The crate `clients`' client.
            ("ext-svc", "catalog-svc", "grpc", "ListItems"),
        ]),
        "{:#}",
        m["edges"]
    );
    let notes = edge_notes(&m, "glob-svc", "catalog-svc");
    let want = "glob-svc/src/lister.rs:10 catalog.list_items() -> Catalog/ListItems";
    assert!(notes.iter().any(|n| n == want), "{want} in {notes:#?}");
    let notes = edge_notes(&m, "sdk-svc", "catalog-svc");
    let want = "sdk-svc/src/main.rs:15 self.catalog.list_items() -> Catalog/ListItems";
    assert!(notes.iter().any(|n| n == want), "{want} in {notes:#?}");
    for (from, to) in [("glob-svc", "pricing-svc"), ("sdk-svc", "pricing-svc")] {
        let notes = edge_notes(&m, from, to);
        assert!(
            notes
                .iter()
                .any(|n| n.ends_with("pricing.get_price() -> Pricing/GetPrice")),
            "{from} -> {to}: {notes:#?}"
        );
    }
}

#[test]
fn a_local_module_is_no_crate_and_a_plain_glob_no_client() {
    let m = scan(&fixture("reexport-roots"), &[]);
    let edges = m["edges"].to_string();
    // `Inventory` (the library's own plain type, handed on by its root and
    // the service's `clients` module, not the crate `clients`' `Inventory`)
    // and `shop_pb::Ledger` (through `pub use plain::*;`): methods named
    // like an RPC, no edge.
    assert!(!edges.contains("inventory.get_item"), "{edges}");
    assert!(!edges.contains("ledger"), "{edges}");
    assert!(
        diags(&m, "unresolved-target").is_empty(),
        "{:#}",
        m["diagnostics"]
    );
}
