//! Fuzz the manifest readers on arbitrary UTF-8: `nova_manifests::parse`
//! under every file name that selects a different reader (Kubernetes,
//! Kustomize, Helm values, docker-compose, service config YAML and TOML,
//! proto), `nova_discover::cargo::parse_manifest` (Cargo.toml) and
//! `nova_config::parse` (nova.toml). None may panic; a reader either gives
//! facts or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

const NAMES: &[&str] = &[
    "k8s/deployment.yaml",
    "deploy/kustomization.yaml",
    "charts/feed/values.yaml",
    "docker-compose.yml",
    "services/feed/config/settings.yaml",
    "services/feed/config/settings.toml",
    "proto/feed/v1/feed.proto",
    "other.yaml",
];

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    for name in NAMES {
        assert!(nova_manifests::is_manifest(name), "{name}");
        let _ = nova_manifests::parse(name, source);
    }
    let _ = nova_discover::cargo::parse_manifest(source);
    let _ = nova_config::parse(source, "nova.toml");
});
