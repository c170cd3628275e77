//! Proto services and RPCs with upper-case words (`service PD`, `rpc
//! GetKV`): tonic names them `PdClient`, `PdServer`, `get_kv`, and nova must
//! map those names back to the proto's to link clients, servers and calls.

use crate::support::*;

#[test]
fn upper_case_proto_names_link_through_tonic_names() {
    let m = scan(&fixture("tonic-names"), &[]);
    assert_eq!(
        edge_set(&m),
        [
            ("kv-gateway", "pd-svc", "grpc", "Forward,GetKV"),
            ("region-svc", "pd-svc", "grpc", "GetRegionByID"),
        ]
        .iter()
        .map(|(a, b, c, d)| (a.to_string(), b.to_string(), c.to_string(), d.to_string()))
        .collect(),
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
