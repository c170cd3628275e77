//! tonic's Rust names mapped back to the proto's own.
//!
//! prost-build names a proto service in upper camel case and an RPC's method
//! in snake case (heck's conversions), so `service PD { rpc GetKV(..) }`
//! becomes `PdClient`, `PdServer`, `pd_server::Pd` and `get_kv`. nova's
//! Rust facts carry those names (a client's service is its type minus
//! `Client`, an RPC is the method's name in Pascal case), and they must be
//! matched to `PD` and `GetKV`, or a proto with upper-case words would have
//! no clients, servers or calls at all.

use heck::{ToSnakeCase, ToUpperCamelCase};
use nova_rust::graph::snake_to_pascal;
use std::collections::BTreeMap;

/// The proto names of every known service and RPC, by the names tonic
/// gives them.
#[derive(Debug, Default)]
pub(crate) struct TonicNames {
    /// `Pd` -> `PD`, for services whose tonic name differs.
    services: BTreeMap<String, String>,
    /// Per proto service, `GetKv` (the method `get_kv` in Pascal case) ->
    /// `GetKV`, for RPCs whose name differs.
    rpcs: BTreeMap<String, BTreeMap<String, String>>,
}

impl TonicNames {
    /// From the proto services and their RPCs.
    pub(crate) fn new<'a>(
        protos: impl IntoIterator<Item = (&'a str, impl IntoIterator<Item = &'a str>)>,
    ) -> Self {
        let mut out = Self::default();
        for (service, rpcs) in protos {
            let tonic = service.to_upper_camel_case();
            if tonic != service {
                out.services.insert(tonic, service.to_string());
            }
            for rpc in rpcs {
                // (The method's name in Pascal case, as the Rust facts name
                // an RPC call: `get_kv` -> `GetKv`.)
                let tonic = snake_to_pascal(&rpc.to_snake_case());
                if tonic != rpc {
                    out.rpcs
                        .entry(service.to_string())
                        .or_default()
                        .insert(tonic, rpc.to_string());
                }
            }
        }
        out
    }

    /// The proto service a tonic name stands for (`Pd` -> `PD`); any other
    /// name as it is.
    pub(crate) fn service<'n>(&'n self, name: &'n str) -> &'n str {
        self.services.get(name).map_or(name, String::as_str)
    }

    /// The proto RPC of `service` that a method's Pascal-case name stands
    /// for (`GetKv` -> `GetKV`); any other name as it is.
    pub(crate) fn rpc<'n>(&'n self, service: &str, rpc: &'n str) -> &'n str {
        self.rpcs
            .get(service)
            .and_then(|m| m.get(rpc))
            .map_or(rpc, String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> TonicNames {
        TonicNames::new([
            ("PD", vec!["GetKV", "GetRegionByID", "Tso"]),
            ("HTTPGateway", vec!["Forward"]),
            ("CatalogService", vec!["GetItem"]),
        ])
    }

    #[test]
    fn upper_case_services_map_back() {
        let n = names();
        assert_eq!(n.service("Pd"), "PD");
        assert_eq!(n.service("HttpGateway"), "HTTPGateway");
        // Names tonic keeps, and names of no proto, are left alone.
        assert_eq!(n.service("CatalogService"), "CatalogService");
        assert_eq!(n.service("Unknown"), "Unknown");
    }

    #[test]
    fn acronym_rpcs_map_back_per_service() {
        let n = names();
        assert_eq!(n.rpc("PD", "GetKv"), "GetKV");
        assert_eq!(n.rpc("PD", "GetRegionById"), "GetRegionByID");
        assert_eq!(n.rpc("PD", "Tso"), "Tso");
        // Only within the service that declares the RPC.
        assert_eq!(n.rpc("CatalogService", "GetKv"), "GetKv");
    }
}
