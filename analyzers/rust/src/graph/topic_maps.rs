//! rdkafka's `TopicPartitionList::from_topic_map(&map)`: a consumer that
//! assigns partitions itself from a map of `(topic, partition) -> offset`
//! consumes the map's topics, as with `add_partition` (see
//! `Walker::enter_method_call`). The map is a local built with
//! `HashMap::from([((T, p), o), ..])` (or `BTreeMap::from`, `from_iter`,
//! `[..].into_iter().collect()`) or filled with `map.insert((t, p), o)`;
//! each key's topic the code names (a literal, a const, a parameter, a
//! loop over a list) is a site. A map filled from what the consumer read
//! (`m.topic()`) books offsets of topics taken elsewhere: not a site.

use super::collect::may_be_string;
use super::shapes::*;
use super::strings::*;
use super::walker::*;
use super::{TopicApi, TopicRole};
use crate::span;
use syn::Expr;

/// The call named in the sites' evidence.
const CALL: &str = "TopicPartitionList::from_topic_map";

/// The topic of a map key `(topic, partition)`: its first element.
fn key_topic(key: &Expr) -> Option<&Expr> {
    match peel(key, &[]) {
        Expr::Tuple(t) if t.elems.len() == 2 => t.elems.first(),
        _ => None,
    }
}

/// The topics of the entries `[((t, p), o), ..]` of an array.
fn entries_of(e: &Expr) -> Vec<&Expr> {
    let Expr::Array(a) = peel(e, &[]) else {
        return Vec::new();
    };
    a.elems
        .iter()
        .filter_map(|entry| match peel(entry, &[]) {
            Expr::Tuple(t) if t.elems.len() == 2 => t.elems.first().and_then(key_topic),
            _ => None,
        })
        .collect()
}

/// The key topics of a map built in one expression: `HashMap::from([..])`,
/// `BTreeMap::from_iter([..])`, `[..].into_iter().collect()`.
fn built_with(e: &Expr) -> Vec<&Expr> {
    match peel(e, &[]) {
        Expr::Call(c) if c.args.len() == 1 => {
            let Expr::Path(p) = &*c.func else {
                return Vec::new();
            };
            let segs: Vec<String> = p
                .path
                .segments
                .iter()
                .map(|s| s.ident.to_string())
                .collect();
            match segs.as_slice() {
                [.., map, f]
                    if matches!(map.as_str(), "HashMap" | "BTreeMap")
                        && matches!(f.as_str(), "from" | "from_iter") =>
                {
                    entries_of(&c.args[0])
                }
                _ => Vec::new(),
            }
        }
        Expr::MethodCall(m) if m.method == "collect" && m.args.is_empty() => {
            entries_of(peel(&m.receiver, &["into_iter", "iter"]))
        }
        _ => Vec::new(),
    }
}

impl<'ast> Walker<'ast, '_> {
    /// `map.insert((t, p), o)` on a local: kept (unread) in case the map is
    /// handed to `from_topic_map` later in the function.
    pub(crate) fn map_insert(&mut self, m: &'ast syn::ExprMethodCall) {
        if m.args.len() != 2 {
            return;
        }
        let Expr::Path(p) = peel(&m.receiver, &[]) else {
            return;
        };
        let (Some(name), Some(topic)) = (p.path.get_ident(), key_topic(&m.args[0])) else {
            return;
        };
        if let Some(scope) = self.fns.last_mut() {
            scope.map_inserts.push((name.to_string(), topic));
        }
    }

    /// `TopicPartitionList::from_topic_map(map)`: the topics of the map's
    /// keys are consumed (one site each, at the line naming the topic).
    pub(crate) fn assigned_topic_map(&mut self, map: &'ast Expr) {
        let mut topics: Vec<&'ast Expr> = built_with(map);
        if let Expr::Path(p) = peel(map, &[])
            && let Some(name) = p.path.get_ident()
            && let Some(scope) = self.fns.last()
        {
            let name = name.to_string();
            if let Some(init) = scope.locals.get(&name) {
                topics.extend(built_with(init));
            }
            topics.extend(
                scope
                    .map_inserts
                    .iter()
                    .filter(|(n, _)| *n == name)
                    .map(|(_, t)| *t),
            );
        }
        for t in topics {
            if !may_be_string(t) {
                continue;
            }
            let topic = str_expr(t, self.scope(), 0);
            if self.names_topic(&topic) {
                self.mark_consumer();
                let line = span::line(span::first_span(t));
                self.topic_site(TopicRole::Consume, TopicApi::Direct, topic, CALL, line);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::facts;
    use super::super::{StrExpr, TopicParam, TopicRole};

    /// (call, role, topic, line) of each topic site.
    fn sites(src: &str) -> Vec<(String, TopicRole, StrExpr, u32)> {
        facts(src)
            .topics
            .into_iter()
            .map(|t| (t.call, t.role, t.topic, t.line))
            .collect()
    }

    #[test]
    fn keys_of_a_map_handed_to_from_topic_map_are_consumed() {
        let src = r#"
const T: &str = "a";
fn built() {
    let map = HashMap::from([
        ((T.to_string(), 0), Offset::Beginning),
        (("b".to_string(), 1), Offset::End),
    ]);
    let tpl = TopicPartitionList::from_topic_map(&map).unwrap();
}
fn inserted() {
    let mut map = HashMap::new();
    map.insert(("c".into(), 0), Offset::Beginning);
    map.insert((m.topic().to_string(), m.partition()), Offset::End);
    let tpl = TopicPartitionList::from_topic_map(&map).unwrap();
}
fn collected() {
    let tpl = TopicPartitionList::from_topic_map(
        &[(("d".to_string(), 0), Offset::Beginning)].into_iter().collect(),
    );
}
fn not_assigned() {
    let mut sizes = HashMap::new();
    sizes.insert(("e".to_string(), 0), 1);
}
"#;
        let call = || "TopicPartitionList::from_topic_map".to_string();
        let lit = |s: &str| StrExpr::Lit(s.to_string());
        assert_eq!(
            sites(src),
            [
                (
                    call(),
                    TopicRole::Consume,
                    StrExpr::Const(vec!["T".into()]),
                    5
                ),
                (call(), TopicRole::Consume, lit("b"), 6),
                (call(), TopicRole::Consume, lit("c"), 12),
                (call(), TopicRole::Consume, lit("d"), 18),
            ]
        );
    }

    #[test]
    fn a_parameter_key_is_the_callers_topic() {
        let g = facts(
            r#"
fn resume(topic: &str, p: i32) {
    let mut map = HashMap::new();
    map.insert((topic.into(), p), Offset::Stored);
    TopicPartitionList::from_topic_map(&map);
}
"#,
        );
        assert!(g.topics.is_empty());
        let p: Vec<&TopicParam> = g.topic_params.iter().collect();
        assert_eq!(p.len(), 1);
        assert_eq!(
            (p[0].name.as_str(), p[0].index, p[0].role),
            ("resume", 0, TopicRole::Consume)
        );
    }
}
