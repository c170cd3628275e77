//! Kubernetes manifests (also Kustomize patches and Helm templates) and
//! `kustomization.yaml`.

use crate::hosts::hosts_in;
use crate::lines::Lines;
use crate::yaml::{Doc, documents, get, str_of, string_map};
use crate::{
    EnvVar, K8sService, ManifestDiag, ManifestFacts, ManifestKind, ParseError, Wait, Workload,
};
use serde_yaml::Value;

const WORKLOAD_KINDS: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "ReplicaSet",
    "Pod",
];

/// A YAML file that declares Kubernetes objects.
pub(crate) fn looks_like_k8s(source: &str) -> bool {
    source.lines().any(|l| l.starts_with("apiVersion:"))
        && source.lines().any(|l| l.starts_with("kind:"))
}

/// The pod spec of a workload object.
fn pod_spec<'v>(kind: &str, doc: &'v Value) -> Option<&'v Value> {
    match kind {
        "Pod" => get(doc, &["spec"]),
        "CronJob" => get(doc, &["spec", "jobTemplate", "spec", "template", "spec"]),
        _ => get(doc, &["spec", "template", "spec"]),
    }
}

fn seq(v: Option<&Value>) -> &[Value] {
    match v {
        Some(Value::Sequence(s)) => s.as_slice(),
        _ => &[],
    }
}

/// All strings of `command` and `args` (and `env` values) of a container,
/// joined with spaces.
fn container_text(c: &Value) -> String {
    let mut parts = Vec::new();
    for key in ["command", "args"] {
        match c.get(key) {
            Some(Value::Sequence(s)) => parts.extend(s.iter().filter_map(str_of)),
            Some(v) => parts.extend(str_of(v)),
            None => {}
        }
    }
    for e in seq(c.get("env")) {
        if let Some(v) = e.get("value").and_then(str_of) {
            parts.push(v);
        }
    }
    parts.join(" ")
}

/// Start-up waits of one init container: hosts in its command/args/env,
/// else the `wait-for-X` naming convention.
pub(crate) fn init_waits(c: &Value, lines: &Lines<'_>, from: u32) -> Vec<Wait> {
    let name = c.get("name").and_then(str_of).unwrap_or_default();
    let line = lines.find_entry("name", Some(&name), from, from);
    let mut hosts = hosts_in(&container_text(c));
    let from_text = !hosts.is_empty();
    if hosts.is_empty()
        && let Some(t) = name
            .strip_prefix("wait-for-")
            .or_else(|| name.strip_prefix("wait-"))
            .or_else(|| name.strip_prefix("init-"))
        && !t.is_empty()
    {
        hosts.push(t.to_string());
    }
    hosts
        .into_iter()
        .map(|target| {
            let l = if from_text {
                lines.find_text_after(&target, line, 8).unwrap_or(line)
            } else {
                line
            };
            Wait {
                target,
                note: format!("initContainers: {name}"),
                line: l,
            }
        })
        .collect()
}

fn workload(kind: &str, doc: &Doc, lines: &Lines<'_>) -> Option<Workload> {
    let name = get(&doc.value, &["metadata", "name"]).and_then(str_of)?;
    let line = lines.find_entry("name", Some(&name), doc.start, doc.start);
    let mut labels = string_map(get(&doc.value, &["metadata", "labels"]));
    let spec = pod_spec(kind, &doc.value);
    let tmpl_labels = match kind {
        "CronJob" => get(
            &doc.value,
            &[
                "spec",
                "jobTemplate",
                "spec",
                "template",
                "metadata",
                "labels",
            ],
        ),
        "Pod" => None,
        _ => get(&doc.value, &["spec", "template", "metadata", "labels"]),
    };
    labels.extend(string_map(tmpl_labels));
    let mut w = Workload {
        name,
        kind: kind.to_string(),
        line,
        labels,
        containers: Vec::new(),
        images: Vec::new(),
        env: Vec::new(),
        waits: Vec::new(),
        build: None,
    };
    let Some(spec) = spec else { return Some(w) };
    for c in seq(spec.get("containers")) {
        let cname = c.get("name").and_then(str_of).unwrap_or_default();
        let cline = lines.find_entry("name", Some(&cname), line, line);
        w.containers.push(cname);
        if let Some(img) = c.get("image").and_then(str_of) {
            let l = lines.find(&["image:", &img], cline, cline);
            w.images.push((img, l));
        }
        for e in seq(c.get("env")) {
            let (Some(n), Some(v)) = (
                e.get("name").and_then(str_of),
                e.get("value").and_then(str_of),
            ) else {
                continue;
            };
            let l = lines.find(&[n.as_str()], cline, cline);
            w.env.push(EnvVar {
                name: n,
                value: v,
                line: l,
            });
        }
    }
    let init_line = lines.find(&["initContainers:"], line, line);
    for c in seq(spec.get("initContainers")) {
        w.waits.extend(init_waits(c, lines, init_line));
    }
    Some(w)
}

/// Parse a Kubernetes YAML file (one or more documents).
pub(crate) fn parse(path: &str, source: &str) -> Result<ManifestFacts, ParseError> {
    let mut f = ManifestFacts::new(path, ManifestKind::Kubernetes);
    let (docs, failed) = documents(source, &mut f.diagnostics);
    if docs.is_empty() && failed > 0 && !source.contains("{{") {
        let d = f.diagnostics.remove(0);
        return Err(ParseError {
            line: d.line,
            message: d.message,
        });
    }
    let lines = Lines::new(source);
    for doc in &docs {
        objects(&doc.value, doc, &lines, &mut f);
    }
    Ok(f)
}

fn objects(v: &Value, doc: &Doc, lines: &Lines<'_>, f: &mut ManifestFacts) {
    let Some(kind) = v.get("kind").and_then(str_of) else {
        return;
    };
    if kind == "List" {
        for item in seq(v.get("items")) {
            objects(item, doc, lines, f);
        }
        return;
    }
    let doc_like = Doc {
        start: doc.start,
        value: v.clone(),
    };
    if WORKLOAD_KINDS.contains(&kind.as_str()) {
        if let Some(w) = workload(&kind, &doc_like, lines) {
            f.workloads.push(w);
        }
    } else if kind == "Service" {
        if let Some(name) = get(v, &["metadata", "name"]).and_then(str_of) {
            let line = lines.find_entry("name", Some(&name), doc.start, doc.start);
            f.k8s_services.push(K8sService {
                name,
                selector: string_map(get(v, &["spec", "selector"])),
                line,
            });
        }
    } else if kind == "ConfigMap"
        && let Some(Value::Mapping(m)) = v.get("data")
    {
        for (k, val) in m {
            let (Some(k), Some(val)) = (str_of(k), str_of(val)) else {
                continue;
            };
            if !crate::hosts::hosts_in(&val).is_empty() {
                let line = lines.find(&[k.as_str()], doc.start, doc.start);
                f.urls.push(crate::ConfigUrl {
                    key: k,
                    value: val,
                    line,
                });
            }
        }
    }
}

/// Parse a `kustomization.yaml`: the files it lists, and inline patches
/// that add init containers.
pub(crate) fn parse_kustomization(path: &str, source: &str) -> Result<ManifestFacts, ParseError> {
    let mut f = ManifestFacts::new(path, ManifestKind::Kustomization);
    let (docs, failed) = documents(source, &mut f.diagnostics);
    if docs.is_empty() && failed > 0 {
        let d = f.diagnostics.remove(0);
        return Err(ParseError {
            line: d.line,
            message: d.message,
        });
    }
    let lines = Lines::new(source);
    for doc in &docs {
        for key in [
            "resources",
            "bases",
            "components",
            "patchesStrategicMerge",
            "patches",
        ] {
            for item in seq(doc.value.get(key)) {
                if let Some(s) = str_of(item) {
                    f.kustomize_files.push(s);
                } else if let Some(p) = item.get("path").and_then(str_of) {
                    f.kustomize_files.push(p);
                } else if let Some(patch) = item.get("patch").and_then(str_of) {
                    inline_patch(item, &patch, &lines, &mut f);
                }
            }
        }
    }
    Ok(f)
}

/// An inline `patch: |-` of a kustomization: a strategic-merge document, or
/// JSON6902 operations adding init containers to `target.name`.
fn inline_patch(item: &Value, patch: &str, lines: &Lines<'_>, f: &mut ManifestFacts) {
    let first_line = patch
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let at = lines.find(&[first_line], 1, 1);
    let mut diags: Vec<ManifestDiag> = Vec::new();
    let (docs, _) = documents(patch, &mut diags);
    let target = get(item, &["target", "name"]).and_then(str_of);
    for doc in docs {
        if doc.value.get("kind").is_some() {
            // Strategic merge: parse against the kustomization's lines.
            let d = Doc {
                start: at,
                value: doc.value.clone(),
            };
            objects(&doc.value, &d, lines, f);
            continue;
        }
        let Some(target) = target.clone() else {
            continue;
        };
        let mut waits = Vec::new();
        for op in seq(Some(&doc.value)) {
            let p = op.get("path").and_then(str_of).unwrap_or_default();
            if !p.contains("initContainers") {
                continue;
            }
            match op.get("value") {
                Some(Value::Sequence(cs)) => {
                    for c in cs {
                        waits.extend(init_waits(c, lines, at));
                    }
                }
                Some(c @ Value::Mapping(_)) => waits.extend(init_waits(c, lines, at)),
                _ => {}
            }
        }
        if !waits.is_empty() {
            f.workloads.push(Workload {
                name: target,
                kind: "patch".into(),
                line: at,
                labels: Default::default(),
                containers: Vec::new(),
                images: Vec::new(),
                env: Vec::new(),
                waits,
                build: None,
            });
        }
    }
    f.diagnostics
        .extend(diags.into_iter().map(|d| ManifestDiag {
            line: at,
            message: format!("inline patch: {}", d.message),
        }));
}
