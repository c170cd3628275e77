//! A client a library re-exports, held in a field or a parameter of a
//! service whose `use` names it from the service's own crate: a module
//! handing it on (`mod clients;` with `pub use catalog_client::Catalog;`,
//! then `use crate::clients::Catalog;`) or the crate root (`pub use` in
//! `lib.rs`, then `use crate::Catalog;`); such a field of a struct declared
//! in another file of the crate; and a local copied from a client field
//! (`let mut c = self.catalog.clone();`). A plain type handed on the same
//! way, or the crate's own type named like an RPC's receiver, is no
//! client.

use crate::support::*;

#[test]
fn a_client_handed_on_by_the_crates_own_modules_is_called() {
    let m = scan(&fixture("crate-reexported-client"), &[]);
    assert_eq!(
        edge_set(&m),
        edge_quads(&[
            // `catalog: &mut Catalog<Channel>`, `use crate::Catalog;`.
            ("cart-svc", "catalog-svc", "grpc", "ListItems"),
            // `self.catalog.get_item(..)`, `use crate::clients::Catalog;`,
            // and `catalog.list_items(..)` on a local copied from it.
            ("shop-svc", "catalog-svc", "grpc", "GetItem,ListItems"),
        ]),
        "{:#}",
        m["edges"]
    );
    let notes = edge_notes(&m, "shop-svc", "catalog-svc");
    for want in [
        "shop-svc/src/handler.rs:15 self.catalog.get_item() -> CatalogService/GetItem",
        "shop-svc/src/handler.rs:22 catalog.list_items() -> CatalogService/ListItems",
        // `Pool` is declared in `pool.rs`, `listing: Catalog<Channel>`.
        "shop-svc/src/handler.rs:43 self.listing.list_items() -> CatalogService/ListItems",
    ] {
        assert!(notes.iter().any(|n| n == want), "{want} in {notes:#?}");
    }
}

#[test]
fn a_plain_type_handed_on_or_the_crates_own_is_no_client() {
    let m = scan(&fixture("crate-reexported-client"), &[]);
    let edges = m["edges"].to_string();
    // `billing: Billing` (handed on by `clients.rs`, of a library that
    // re-exports no client), a local copied from it, the same in a struct
    // declared in another file (`ledger`), and `store: &mut Store` (the
    // crate's own): methods named like an RPC, no edge.
    assert!(!edges.contains("billing"), "{edges}");
    assert!(!edges.contains("ledger"), "{edges}");
    assert!(!edges.contains("store"), "{edges}");
    assert!(
        diags(&m, "unresolved-target").is_empty(),
        "{:#}",
        m["diagnostics"]
    );
}
