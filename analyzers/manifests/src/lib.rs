//! Facts from non-Rust files: `.proto` services, Kubernetes / Kustomize /
//! Helm manifests, docker-compose files and service config files.
//!
//! [`parse`] dispatches on the file name (and, for YAML, on the content) and
//! returns plain [`ManifestFacts`] with 1-based lines. `serde_yaml` loses
//! positions, so lines are found by searching the key/value text in the
//! source (best effort, never a panic). A file that cannot be parsed at all is
//! a [`ParseError`]; a partly understood file (one bad YAML document,
//! templated Helm YAML, a topic key with no recognisable role) yields facts
//! plus [`ManifestDiag`]s.

mod compose;
mod config_file;
pub mod hosts;
mod k8s;
mod lines;
pub mod proto;
mod yaml;

use nova_model::ProtoService;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A file that could not be parsed at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{line}: {message}")]
pub struct ParseError {
    /// 1-based line (0 when unknown).
    pub line: u32,
    pub message: String,
}

/// What kind of file produced the facts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ManifestKind {
    Proto,
    /// Plain Kubernetes YAML (also Kustomize patches, Helm templates).
    Kubernetes,
    /// `kustomization.yaml`.
    Kustomization,
    /// Helm `values*.yaml`.
    HelmValues,
    /// `docker-compose*.yml`, `compose*.yaml`.
    Compose,
    /// A service's own config file (`config/*.yaml`, `settings.toml`...).
    ServiceConfig,
    /// A YAML/TOML file with nothing nova understands.
    Other,
}

/// An env var (or config value) set on a workload.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct EnvVar {
    pub name: String,
    pub value: String,
    pub line: u32,
}

/// A start-up dependency of a workload: an init container waiting for a
/// host, or a compose `depends_on` entry.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Wait {
    /// Host or service name waited for (`content-service`, `postgres`).
    pub target: String,
    /// What was seen (`initContainers: wait-for-content-service`,
    /// `depends_on`).
    pub note: String,
    pub line: u32,
}

/// A deployable unit in a manifest: a Kubernetes Deployment / StatefulSet /
/// DaemonSet / Job / CronJob, or a docker-compose service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workload {
    pub name: String,
    /// `Deployment`, `StatefulSet`, ..., or `compose`.
    pub kind: String,
    pub line: u32,
    /// `metadata.labels` merged with the pod template labels.
    pub labels: BTreeMap<String, String>,
    /// Container names (main containers only).
    pub containers: Vec<String>,
    /// Images of main containers, with lines.
    pub images: Vec<(String, u32)>,
    /// Env vars of main containers.
    pub env: Vec<EnvVar>,
    /// Start-up dependencies (init containers, depends_on).
    pub waits: Vec<Wait>,
    /// compose `build:` context, relative to the compose file's directory
    /// as written (`./services/feed`).
    pub build: Option<String>,
}

/// A Kubernetes `Service`: a host name in front of workloads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct K8sService {
    pub name: String,
    pub selector: BTreeMap<String, String>,
    pub line: u32,
}

/// Role of a topic found in a config file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ConfigTopicRole {
    Produce,
    Consume,
    /// The key says nothing about the direction (`nova-link` reports it as
    /// an unresolved topic).
    Unknown,
}

/// A topic named in a service config file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ConfigTopic {
    pub name: String,
    /// Dotted key path (`kafka.consumer.topics`).
    pub key: String,
    pub role: ConfigTopicRole,
    pub line: u32,
}

/// A URL/host value in Helm values or a config file
/// (`contentService.url: http://content-service:8080`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ConfigUrl {
    /// Dotted key path.
    pub key: String,
    pub value: String,
    pub line: u32,
}

/// Something in a manifest nova could not (fully) understand.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ManifestDiag {
    pub line: u32,
    pub message: String,
}

/// Everything found in one non-Rust file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestFacts {
    /// Path relative to the scanned root, `/` separators.
    pub path: String,
    pub kind: ManifestKind,
    /// gRPC services of a `.proto` file (locations use `path`).
    pub protos: Vec<ProtoService>,
    pub workloads: Vec<Workload>,
    pub k8s_services: Vec<K8sService>,
    /// Files a `kustomization.yaml` lists as resources/patches (relative to
    /// the kustomization's directory, as written).
    pub kustomize_files: Vec<String>,
    pub topics: Vec<ConfigTopic>,
    pub urls: Vec<ConfigUrl>,
    /// Partial failures (a bad YAML document, a topic with no role). The
    /// scan turns them into model diagnostics; `nova-link` does not.
    pub diagnostics: Vec<ManifestDiag>,
}

impl ManifestFacts {
    /// Empty facts for `path`.
    pub fn new(path: impl Into<String>, kind: ManifestKind) -> Self {
        ManifestFacts {
            path: path.into(),
            kind,
            protos: Vec::new(),
            workloads: Vec::new(),
            k8s_services: Vec::new(),
            kustomize_files: Vec::new(),
            topics: Vec::new(),
            urls: Vec::new(),
            diagnostics: Vec::new(),
        }
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

fn is_yaml(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".yml")
}

fn is_compose(name: &str) -> bool {
    is_yaml(name) && (name.starts_with("docker-compose") || name.starts_with("compose"))
}

fn is_helm_values(name: &str) -> bool {
    is_yaml(name) && name.starts_with("values")
}

fn is_kustomization(name: &str) -> bool {
    name == "kustomization.yaml" || name == "kustomization.yml" || name == "Kustomization"
}

/// A service config file by name: `config/*.yaml|toml`, `settings.*`,
/// `application.*`, `config.*`.
fn is_service_config(path: &str) -> bool {
    let name = file_name(path);
    let ext_ok = is_yaml(name) || name.ends_with(".toml");
    if !ext_ok {
        return false;
    }
    let stem = name.split('.').next().unwrap_or("");
    let in_config_dir = path
        .split('/')
        .rev()
        .skip(1)
        .any(|d| d == "config" || d == "configs" || d == "conf");
    in_config_dir || matches!(stem, "settings" | "application" | "config" | "app")
}

/// True when nova should read `path` (relative, `/` separators) as a
/// manifest: `.proto`, any YAML file (content decides), service config TOML.
/// `Cargo.toml`, `nova.toml`, lock files and CI workflow files are not.
pub fn is_manifest(path: &str) -> bool {
    let name = file_name(path);
    if name.ends_with(".proto") {
        return true;
    }
    if path.starts_with(".github/") || path.contains("/.github/") || name.starts_with(".") {
        return false;
    }
    if is_yaml(name) {
        return !matches!(name, "pnpm-lock.yaml" | "Chart.yaml" | ".gitlab-ci.yml");
    }
    if name.ends_with(".toml") {
        return !matches!(
            name,
            "Cargo.toml"
                | "nova.toml"
                | "rust-toolchain.toml"
                | "rustfmt.toml"
                | "clippy.toml"
                | "deny.toml"
        ) && is_service_config(path);
    }
    false
}

/// Parse one manifest. `path` is relative to the root (used for kind
/// detection and in proto locations).
pub fn parse(path: &str, source: &str) -> Result<ManifestFacts, ParseError> {
    let name = file_name(path);
    if name.ends_with(".proto") {
        let protos = proto::parse_proto(path, source)?;
        let mut f = ManifestFacts::new(path, ManifestKind::Proto);
        f.protos = protos;
        return Ok(f);
    }
    if name.ends_with(".toml") {
        return config_file::parse_toml(path, source);
    }
    if !is_yaml(name) {
        return Ok(ManifestFacts::new(path, ManifestKind::Other));
    }
    if is_compose(name) {
        return compose::parse(path, source);
    }
    if is_kustomization(name) {
        return k8s::parse_kustomization(path, source);
    }
    if is_helm_values(name) {
        return config_file::parse_yaml(path, source, ManifestKind::HelmValues);
    }
    if k8s::looks_like_k8s(source) {
        return k8s::parse(path, source);
    }
    if is_service_config(path) {
        return config_file::parse_yaml(path, source, ManifestKind::ServiceConfig);
    }
    Ok(ManifestFacts::new(path, ManifestKind::Other))
}

#[cfg(test)]
mod tests;
