//! Proto services and RPCs with upper-case words (`service PD`, `rpc
//! GetKV`): tonic names them `PdClient`, `PdServer`, `get_kv`, and nova must
//! map those names back to the proto's to link clients, servers and calls.
//! A client a library re-exports under a name of its own (`pub use
//! ..::FooClient as Foo`) is linked in the crates that import it.

use crate::support::*;

#[test]
fn upper_case_proto_names_link_through_tonic_names() {
    let m = scan(&fixture("tonic-names"), &[]);
    assert_eq!(
        edge_set(&m),
        edge_quads(&[
            ("kv-gateway", "pd-svc", "grpc", "Forward,GetKV"),
            ("region-svc", "pd-svc", "grpc", "GetRegionByID"),
        ]),
        "{:#}",
        m["edges"]
    );
    assert!(
        diags(&m, "unresolved-target").is_empty(),
        "{:#}",
        m["diagnostics"]
    );
    // The proto's own names in the model, the code's names in the evidence.
    let protos = m["proto_services"].to_string();
    for implemented in ["\"PD\"", "\"HTTPGateway\"", "pd-svc"] {
        assert!(protos.contains(implemented), "{implemented} in {protos}");
    }
    let edges = m["edges"].to_string();
    assert!(edges.contains("PdClient::connect"), "{edges}");
    assert!(edges.contains("PD/GetRegionByID"), "{edges}");
}

#[test]
fn a_client_a_library_re_exports_under_its_own_name_is_linked() {
    // `pub use ..::CatalogServiceClient as Catalog;` and `pub type
    // CatalogChannel = CatalogServiceClient<Channel>;` in catalog-client;
    // the services build them with `connect` and call RPCs on them.
    let m = scan(&fixture("reexported-client"), &[]);
    assert_eq!(
        edge_set(&m),
        edge_quads(&[
            ("cart-svc", "catalog-svc", "grpc", "ListItems"),
            ("shop-svc", "catalog-svc", "grpc", "GetItem"),
        ]),
        "{:#}",
        m["edges"]
    );
    let edges = m["edges"].to_string();
    // The evidence names the client as the service's code writes it.
    assert!(edges.contains("Catalog::connect"), "{edges}");
    // `PgPool::connect`, another crate's type built with `connect`, is no
    // client: no edge and no diagnostic.
    assert!(
        diags(&m, "unresolved-target").is_empty(),
        "{:#}",
        m["diagnostics"]
    );
}
