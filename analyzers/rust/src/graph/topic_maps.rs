//! rdkafka's `TopicPartitionList::from_topic_map(&map)`: a consumer that
//! assigns partitions itself from a map of `(topic, partition) -> offset`
//! consumes the map's topics, as with `add_partition` (see
//! `Walker::enter_method_call`). The map is a local built with
//! `HashMap::from([((T, p), o), ..])` (or `BTreeMap::from`, `from_iter`,
//! `[..].into_iter().collect()`) or filled with `map.insert((t, p), o)`;
//! each key's topic the code names (a literal, a const, a parameter, a
//! loop over a list) is a site. A map filled from what the consumer read
//! (`m.topic()`) books offsets of topics taken elsewhere: not a site.
//!
//! A map held in a field of `self` (built in a struct literal, `Self {
//! topics: HashMap::from([..]) }` or from a local filled by `insert`, or
//! filled by `s.topics.insert(..)`) writes each key's topic into the field
//! as a [`FieldInit`]; `from_topic_map(&self.topics)` is a site of
//! `StrExpr::Field`, resolved by `nova-link` like any field. A map handed
//! in as a parameter is a [`super::TopicParam`]; a call handing a map it
//! builds keeps the keys' topics as a `StrExpr::List` argument.

use super::collect::may_be_string;
use super::shapes::*;
use super::strings::*;
use super::walker::*;
use super::{FieldInit, StrExpr, TopicApi, TopicRole};
use crate::name::Name;
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
/// `BTreeMap::from_iter([..])`, `[..].into_iter().collect()`. (Tested on
/// every call argument and field value: no allocation for other shapes.)
pub(super) fn built_with(e: &Expr) -> Vec<&Expr> {
    match peel(e, &[]) {
        Expr::Call(c) if c.args.len() == 1 && matches!(peel(&c.args[0], &[]), Expr::Array(_)) => {
            let Expr::Path(p) = &*c.func else {
                return Vec::new();
            };
            let segs = &p.path.segments;
            let n = segs.len();
            if n >= 2
                && (segs[n - 2].ident == "HashMap" || segs[n - 2].ident == "BTreeMap")
                && (segs[n - 1].ident == "from" || segs[n - 1].ident == "from_iter")
            {
                entries_of(&c.args[0])
            } else {
                Vec::new()
            }
        }
        Expr::MethodCall(m) if m.args.is_empty() && m.method == "collect" => {
            entries_of(peel(&m.receiver, &["into_iter", "iter"]))
        }
        _ => Vec::new(),
    }
}

impl<'ast> Walker<'ast, '_> {
    /// `map.insert((t, p), o)` on a local: kept (unread) in case the map is
    /// handed to `from_topic_map` later in the function.
    /// `s.topics.insert((t, p), o)` on a field: the key's topic is written
    /// into the field (a [`FieldInit`]).
    pub(crate) fn map_insert(&mut self, m: &'ast syn::ExprMethodCall) {
        if m.args.len() != 2 {
            return;
        }
        let Some(topic) = key_topic(&m.args[0]) else {
            return;
        };
        match peel(&m.receiver, &[]) {
            Expr::Path(p) => {
                let Some(name) = p.path.get_ident() else {
                    return;
                };
                if let Some(scope) = self.fns.last_mut() {
                    scope.map_inserts.push((name.to_string(), topic));
                    scope.maps = true;
                }
            }
            Expr::Field(f) => {
                if let syn::Member::Named(id) = &f.member
                    && let Some(value) = self.key_value(topic)
                {
                    let line = span::line(span::first_span(topic));
                    let field = id.to_string();
                    self.map_written(&field);
                    self.out.fields.push(FieldInit { field, value, line });
                }
            }
            _ => {}
        }
    }

    /// The key topics of the map `e` names: built in place, or a local of
    /// the function built so or filled by `insert`.
    pub(super) fn map_keys(&self, e: &'ast Expr) -> Vec<&'ast Expr> {
        let mut topics = built_with(e);
        if let Expr::Path(p) = peel(e, &[])
            && let Some(scope) = self.fns.last()
            && scope.maps
            && let Some(id) = p.path.get_ident()
        {
            let name = Name::of(id);
            if let Some(init) = scope.locals.get(name.as_str()) {
                topics.extend(built_with(init));
            }
            topics.extend(
                scope
                    .map_inserts
                    .iter()
                    .filter(|(n, _)| n == name.as_str())
                    .map(|(_, t)| *t),
            );
        }
        topics
    }

    /// A key's topic as a value the code names (a parameter's as the
    /// parameter); `None` for what the consumer read (`m.topic()`).
    fn key_value(&self, t: &'ast Expr) -> Option<StrExpr> {
        if !may_be_string(t) {
            return None;
        }
        if let Some(p) = self.param_of(t) {
            return Some(p);
        }
        let v = str_expr(t, self.scope(), 0);
        (self.names_topic(&v) && !matches!(v, StrExpr::Unknown(_))).then_some(v)
    }

    /// The keys' topics of a map handed to a function (`assign(&c,
    /// &HashMap::from([..]))`) as one list argument, for the function's
    /// `from_topic_map` of its parameter; `None` for any other argument.
    pub(super) fn map_arg(&self, a: &'ast Expr) -> Option<StrExpr> {
        let keys = self.map_keys(a);
        if keys.is_empty() {
            return None;
        }
        let values: Vec<StrExpr> = keys.into_iter().filter_map(|k| self.key_value(k)).collect();
        Some(StrExpr::List(values))
    }

    /// A map written into a field (`Self { topics: HashMap::from([..]) }`,
    /// `self.topics = map`): each key's topic is a write of the field.
    /// Whether `e` was such a map.
    pub(super) fn map_field(&mut self, field: &str, e: &'ast Expr) -> bool {
        let keys = self.map_keys(e);
        if keys.is_empty() {
            return false;
        }
        for k in keys {
            if let Some(value) = self.key_value(k) {
                let line = span::line(span::first_span(k));
                self.map_written(field);
                self.out.fields.push(FieldInit {
                    field: field.to_string(),
                    value,
                    line,
                });
            }
        }
        true
    }

    fn map_written(&mut self, field: &str) {
        if !self.map_fields.iter().any(|f| f == field) {
            self.map_fields.push(field.to_string());
        }
    }

    /// At the end of the walk: drop the `from_topic_map(&self.f)` sites of
    /// fields the file wrote no named topic into (a map of offsets booked
    /// from what was read).
    pub(super) fn unwritten_map_fields(&mut self) {
        let written = &self.map_fields;
        let unwritten = |t: &super::TopicSite| {
            t.call == CALL && matches!(&t.topic, StrExpr::Field(f) if !written.contains(f))
        };
        if self.out.topics.iter().any(unwritten) {
            self.out.topics.retain(|t| !unwritten(t));
        }
    }

    /// `TopicPartitionList::from_topic_map(map)`: the topics of the map's
    /// keys are consumed (one site each, at the line naming the topic; a
    /// field's or a parameter's at the call's `line`).
    pub(crate) fn assigned_topic_map(&mut self, map: &'ast Expr, line: u32) {
        let topics = self.map_keys(map);
        if topics.is_empty() {
            match peel(map, &[]) {
                // `&self.topics`: the field's writes.
                Expr::Field(f) => {
                    if let syn::Member::Named(id) = &f.member
                        && matches!(&*f.base, Expr::Path(p) if p.path.is_ident("self"))
                    {
                        self.mark_consumer();
                        let topic = StrExpr::Field(id.to_string());
                        self.topic_site(TopicRole::Consume, TopicApi::Direct, topic, CALL, line);
                    }
                }
                // A parameter: the maps its callers hand in.
                Expr::Path(p) => {
                    if let Some(id) = p.path.get_ident()
                        && let Some(scope) = self.fns.last()
                        && !scope.locals.contains_key(Name::of(id).as_str())
                        && scope.params.contains_key(Name::of(id).as_str())
                    {
                        self.mark_consumer();
                        let topic = StrExpr::Unknown(id.to_string());
                        self.topic_site(TopicRole::Consume, TopicApi::Direct, topic, CALL, line);
                    }
                }
                _ => {}
            }
            return;
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

    #[test]
    fn a_map_in_a_field_is_written_into_the_field_and_read_there() {
        let g = facts(
            r#"
struct R { topics: HashMap<(String, i32), Offset>, seen: HashMap<(String, i32), Offset> }
impl R {
    fn new() -> Self {
        let mut seen = HashMap::new();
        seen.insert((m.topic().to_string(), 0), Offset::End);
        Self { topics: HashMap::from([(("a".to_string(), 0), Offset::Beginning)]), seen }
    }
    fn more(&mut self) {
        self.topics.insert(("b".to_string(), 1), Offset::End);
    }
    fn start(&self) {
        TopicPartitionList::from_topic_map(&self.topics);
        TopicPartitionList::from_topic_map(&self.seen);
    }
}
"#,
        );
        let fields: Vec<(&str, &StrExpr, u32)> = g
            .fields
            .iter()
            .map(|f| (f.field.as_str(), &f.value, f.line))
            .collect();
        let lit = |s: &str| StrExpr::Lit(s.to_string());
        assert_eq!(
            fields,
            [("topics", &lit("a"), 7), ("topics", &lit("b"), 10)]
        );
        // `seen` holds what was read: no site.
        let call = "TopicPartitionList::from_topic_map".to_string();
        let field = StrExpr::Field("topics".into());
        assert_eq!(site_list(&g), [(call, TopicRole::Consume, field, 13)]);
    }

    /// (call, role, topic, line) of each topic site of `g`.
    fn site_list(g: &super::super::GraphFacts) -> Vec<(String, TopicRole, StrExpr, u32)> {
        g.topics
            .iter()
            .map(|t| (t.call.clone(), t.role, t.topic.clone(), t.line))
            .collect()
    }

    #[test]
    fn a_map_parameter_is_its_callers_map() {
        let g = facts(
            r#"
fn assign(c: &BaseConsumer, map: &HashMap<(String, i32), Offset>) {
    c.assign(&TopicPartitionList::from_topic_map(map).unwrap());
}
fn main() {
    assign(&c, &HashMap::from([(("a".to_string(), 0), Offset::Beginning)]));
    let mut m = HashMap::new();
    m.insert(("b".to_string(), 0), Offset::Beginning);
    m.insert((msg.topic().to_string(), 0), Offset::Beginning);
    assign(&c, &m);
}
"#,
        );
        assert!(g.topics.is_empty());
        let p: Vec<(&str, usize, TopicRole)> = g
            .topic_params
            .iter()
            .map(|p| (p.name.as_str(), p.index, p.role))
            .collect();
        assert_eq!(p, [("assign", 1, TopicRole::Consume)]);
        let args: Vec<(u32, &StrExpr)> = g
            .str_calls
            .iter()
            .filter(|c| c.callee == "assign")
            .map(|c| (c.line, &c.args[1]))
            .collect();
        let list = |s: &str| StrExpr::List(vec![StrExpr::Lit(s.to_string())]);
        assert_eq!(args, [(6, &list("a")), (10, &list("b"))]);
    }
}
