//! Facts from non-Rust files: .proto services, Kubernetes/Kustomize/Helm manifests, docker-compose, service config files.
