//! docker-compose files.

use crate::lines::Lines;
use crate::yaml::{documents, str_of};
use crate::{EnvVar, ManifestFacts, ManifestKind, ParseError, Wait, Workload};
use serde_yaml::Value;

/// Parse a compose file: services, images, environment, `depends_on`.
pub(crate) fn parse(path: &str, source: &str) -> Result<ManifestFacts, ParseError> {
    let mut f = ManifestFacts::new(path, ManifestKind::Compose);
    let (docs, failed) = documents(source, &mut f.diagnostics);
    if docs.is_empty() && failed > 0 {
        let d = f.diagnostics.remove(0);
        return Err(ParseError {
            line: d.line,
            message: d.message,
        });
    }
    let lines = Lines::new(source);
    let services_line = lines.find(&["services:"], 1, 1);
    for doc in &docs {
        let Some(Value::Mapping(services)) = doc.value.get("services") else {
            continue;
        };
        for (name, svc) in services {
            let Some(name) = str_of(name) else { continue };
            let line = lines.find_entry(&name, None, services_line, services_line);
            let mut w = Workload {
                name: name.clone(),
                kind: "compose".into(),
                line,
                labels: Default::default(),
                containers: vec![name.clone()],
                images: Vec::new(),
                env: Vec::new(),
                waits: Vec::new(),
                build: None,
            };
            w.build = match svc.get("build") {
                Some(Value::String(b)) => Some(b.clone()),
                Some(b) => b.get("context").and_then(str_of),
                None => None,
            };
            if let Some(img) = svc.get("image").and_then(str_of) {
                let l = lines.find(&["image:", &img], line, line);
                w.images.push((img, l));
            }
            if let Some(Value::Mapping(labels)) = svc.get("labels") {
                for (k, v) in labels {
                    if let (Some(k), Some(v)) = (str_of(k), str_of(v)) {
                        w.labels.insert(k, v);
                    }
                }
            }
            match svc.get("environment") {
                Some(Value::Sequence(items)) => {
                    for it in items {
                        let Some(s) = str_of(it) else { continue };
                        if let Some((k, v)) = s.split_once('=') {
                            let l = lines.find(&[k], line, line);
                            w.env.push(EnvVar {
                                name: k.to_string(),
                                value: v.to_string(),
                                line: l,
                            });
                        }
                    }
                }
                Some(Value::Mapping(m)) => {
                    for (k, v) in m {
                        let (Some(k), Some(v)) = (str_of(k), str_of(v)) else {
                            continue;
                        };
                        let l = lines.find(&[&format!("{k}:")], line, line);
                        w.env.push(EnvVar {
                            name: k,
                            value: v,
                            line: l,
                        });
                    }
                }
                _ => {}
            }
            let deps_line = lines.find(&["depends_on:"], line, line);
            let mut deps: Vec<String> = Vec::new();
            match svc.get("depends_on") {
                Some(Value::Sequence(items)) => deps.extend(items.iter().filter_map(str_of)),
                Some(Value::Mapping(m)) => deps.extend(m.keys().filter_map(str_of)),
                _ => {}
            }
            for d in deps {
                let l = match lines.find_all(&[d.as_str()], deps_line) {
                    0 => deps_line,
                    l => l,
                };
                w.waits.push(Wait {
                    target: d,
                    note: "depends_on".into(),
                    line: l,
                });
            }
            if let Some(Value::Sequence(links)) = svc.get("links") {
                for l in links.iter().filter_map(str_of) {
                    let target = l.split(':').next().unwrap_or(&l).to_string();
                    let at = lines.find(&[target.as_str()], line, line);
                    w.waits.push(Wait {
                        target,
                        note: "links".into(),
                        line: at,
                    });
                }
            }
            f.workloads.push(w);
        }
    }
    Ok(f)
}
