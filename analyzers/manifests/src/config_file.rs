//! Service config files (`config/*.yaml|toml`, `settings.*`,
//! `application.*`) and Helm `values*.yaml`: topics named under
//! `topic`/`topics` keys, and URL/host values.

use crate::hosts::hosts_in;
use crate::lines::Lines;
use crate::yaml::documents;
use crate::{ConfigTopic, ConfigTopicRole, ConfigUrl, ManifestFacts, ManifestKind, ParseError};

/// A config value tree, independent of YAML/TOML.
enum Node {
    Str(String),
    List(Vec<Node>),
    Map(Vec<(String, Node)>),
    Other,
}

fn from_yaml(v: &serde_yaml::Value) -> Node {
    use serde_yaml::Value;
    match v {
        Value::String(s) => Node::Str(s.clone()),
        Value::Sequence(s) => Node::List(s.iter().map(from_yaml).collect()),
        Value::Mapping(m) => Node::Map(
            m.iter()
                .filter_map(|(k, v)| crate::yaml::str_of(k).map(|k| (k, from_yaml(v))))
                .collect(),
        ),
        Value::Tagged(t) => from_yaml(&t.value),
        _ => Node::Other,
    }
}

fn from_toml(v: &toml::Value) -> Node {
    match v {
        toml::Value::String(s) => Node::Str(s.clone()),
        toml::Value::Array(a) => Node::List(a.iter().map(from_toml).collect()),
        toml::Value::Table(t) => {
            Node::Map(t.iter().map(|(k, v)| (k.clone(), from_toml(v))).collect())
        }
        _ => Node::Other,
    }
}

/// Direction of a topic from the words of its key path.
fn role_of(key: &str) -> ConfigTopicRole {
    let k = key.to_ascii_lowercase();
    let words: Vec<&str> = k
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |needles: &[&str]| {
        words.iter().any(|w| {
            needles.iter().any(|n| {
                if n.len() <= 3 {
                    w == n
                } else {
                    w.starts_with(n)
                }
            })
        })
    };
    // camelCase keys: split on case changes too.
    let camel = key.chars().fold(String::new(), |mut s, c| {
        if c.is_ascii_uppercase() {
            s.push('_');
        }
        s.push(c.to_ascii_lowercase());
        s
    });
    let cwords: Vec<&str> = camel
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let chas = |needles: &[&str]| {
        cwords
            .iter()
            .any(|w| needles.iter().any(|n| w.starts_with(n)))
    };
    let consume = [
        "consum", "subscri", "input", "source", "listen", "in", "inbound", "incoming",
    ];
    let produce = [
        "produc", "publish", "output", "sink", "out", "outbound", "outgoing", "emit",
    ];
    let c = has(&consume) || chas(&["consum", "subscri", "input", "source", "listen", "inbound"]);
    let p = has(&produce) || chas(&["produc", "publish", "output", "sink", "outbound", "emit"]);
    match (c, p) {
        (true, false) => ConfigTopicRole::Consume,
        (false, true) => ConfigTopicRole::Produce,
        _ => ConfigTopicRole::Unknown,
    }
}

fn walk(node: &Node, key: &str, topicish: bool, out: &mut Vec<(String, String, bool)>) {
    match node {
        Node::Str(s) => out.push((key.to_string(), s.clone(), topicish)),
        Node::List(items) => {
            for i in items {
                walk(i, key, topicish, out);
            }
        }
        Node::Map(m) => {
            for (k, v) in m {
                let path = if key.is_empty() {
                    k.clone()
                } else {
                    format!("{key}.{k}")
                };
                let t = topicish || k.to_ascii_lowercase().contains("topic");
                walk(v, &path, t, out);
            }
        }
        Node::Other => {}
    }
}

fn facts_from(
    root: &Node,
    path: &str,
    kind: ManifestKind,
    lines: &Lines<'_>,
    f: &mut ManifestFacts,
) {
    let _ = path;
    let mut leaves = Vec::new();
    walk(root, "", false, &mut leaves);
    for (key, value, topicish) in leaves {
        let leaf = key.rsplit('.').next().unwrap_or(&key).to_string();
        let line = lines.find(&[value.as_str()], 1, lines.find(&[leaf.as_str()], 1, 0));
        let lk = leaf.to_ascii_lowercase();
        let is_topic_key = topicish
            && !["group", "partition", "replica", "retention", "prefix_len"]
                .iter()
                .any(|n| lk.contains(n));
        if is_topic_key && !value.contains("://") && !value.contains(' ') && !value.is_empty() {
            let role = role_of(&key);
            for name in value.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                f.topics.push(ConfigTopic {
                    name: name.to_string(),
                    key: key.clone(),
                    role,
                    line,
                });
            }
        } else if !hosts_in(&value).is_empty() && kind != ManifestKind::Other {
            f.urls.push(ConfigUrl { key, value, line });
        }
    }
}

/// Parse a TOML service config file.
pub(crate) fn parse_toml(path: &str, source: &str) -> Result<ManifestFacts, ParseError> {
    let mut f = ManifestFacts::new(path, ManifestKind::ServiceConfig);
    let value: toml::Value = toml::from_str(source).map_err(|e| {
        let line = e
            .span()
            .map(|s| source[..s.start.min(source.len())].matches('\n').count() as u32 + 1)
            .unwrap_or(0);
        ParseError {
            line,
            message: e.message().to_string(),
        }
    })?;
    let lines = Lines::new(source);
    facts_from(
        &from_toml(&value),
        path,
        ManifestKind::ServiceConfig,
        &lines,
        &mut f,
    );
    Ok(f)
}

/// Parse a YAML service config file or Helm values file.
pub(crate) fn parse_yaml(
    path: &str,
    source: &str,
    kind: ManifestKind,
) -> Result<ManifestFacts, ParseError> {
    let mut f = ManifestFacts::new(path, kind);
    let (docs, failed) = documents(source, &mut f.diagnostics);
    if docs.is_empty() && failed > 0 && !source.contains("{{") {
        let d = f.diagnostics.remove(0);
        return Err(ParseError {
            line: d.line,
            message: d.message,
        });
    }
    let lines = Lines::new(source);
    for d in &docs {
        facts_from(&from_yaml(&d.value), path, kind, &lines, &mut f);
    }
    Ok(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_from_keys() {
        assert_eq!(role_of("kafka.consumer.topics"), ConfigTopicRole::Consume);
        assert_eq!(role_of("kafka.subscribe_topics"), ConfigTopicRole::Consume);
        assert_eq!(role_of("input.topic"), ConfigTopicRole::Consume);
        assert_eq!(role_of("kafka.producer.topic"), ConfigTopicRole::Produce);
        assert_eq!(role_of("publishTopic"), ConfigTopicRole::Produce);
        assert_eq!(role_of("sink.topic"), ConfigTopicRole::Produce);
        assert_eq!(role_of("kafka.topic"), ConfigTopicRole::Unknown);
        assert_eq!(role_of("kafka.topics.content"), ConfigTopicRole::Unknown);
        assert_eq!(role_of("internal.topic"), ConfigTopicRole::Unknown);
        assert_eq!(role_of("topics.in"), ConfigTopicRole::Consume);
    }
}
