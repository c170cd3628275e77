//! A client a library re-exports, reaching a service's module through a
//! private `use` in the crate root (`use catalog_client::clients::Catalog;`
//! in `lib.rs`, then `use crate::Catalog;`) or through globs: a module
//! handing on all of a library module's names (`pub use
//! catalog_client::clients::*;`, then `use crate::clients::*;`) and a
//! child of a root that imports them all privately (`use super::*;`). A
//! glob makes no other name a client: the library's plain `Ledger` and
//! the crate's own `Store`, reached through the same globs, are none.

use crate::support::*;

#[test]
fn a_client_through_a_private_root_use_or_a_glob_is_called() {
    let m = scan(&fixture("reexport-globs"), &[]);
    assert_eq!(
        edge_set(&m),
        edge_quads(&[
            // `catalog: &mut Catalog<Channel>`, `use crate::{Catalog, ..}`.
            ("root-svc", "catalog-svc", "grpc", "GetItem"),
            // `self.catalog.list_items(..)` (`use crate::clients::*;`) and
            // `catalog.get_item(..)` (`use super::*;`).
            ("glob-svc", "catalog-svc", "grpc", "GetItem,ListItems"),
        ]),
        "{:#}",
        m["edges"]
    );
    let notes = edge_notes(&m, "glob-svc", "catalog-svc");
    for want in [
        "glob-svc/src/handler.rs:14 self.catalog.list_items() -> CatalogService/ListItems",
        "glob-svc/src/worker.rs:6 catalog.get_item() -> CatalogService/GetItem",
    ] {
        assert!(notes.iter().any(|n| n == want), "{want} in {notes:#?}");
    }
}

#[test]
fn a_glob_makes_no_other_name_a_client() {
    let m = scan(&fixture("reexport-globs"), &[]);
    let edges = m["edges"].to_string();
    assert!(!edges.contains("ledger"), "{edges}");
    assert!(!edges.contains("store"), "{edges}");
    assert!(
        diags(&m, "unresolved-target").is_empty(),
        "{:#}",
        m["diagnostics"]
    );
}
