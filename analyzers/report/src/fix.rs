//! How to fix one finding: the `help:` of the human audit output and of
//! the HTML report. The steps are the ones `nova plan` proposes (same
//! classification of calls, same topics and event names), written for
//! one finding, with the `nova scaffold` commands that implement them.

use crate::plan::{
    Replacement, classify_http, classify_rpc, crud_events, events_topic, pascal_stem, plural_snake,
    singular, wait_name, words,
};
use nova_graph::ServiceGraph;
use nova_model::{EdgeKind, Model, Op, OpSet};
use nova_rules::Finding;
use nova_rules::ownership::Ownership;

/// Write accesses listed one by one in a multi-writer fix.
const MAX_MOVES: usize = 3;

/// One way to fix a finding: what to do, and the commands that do it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What to do, one sentence (Markdown-style backticks around names).
    pub text: String,
    /// `nova scaffold ...` commands implementing it, in order.
    pub commands: Vec<String>,
}

impl Fix {
    fn text(text: String) -> Fix {
        Fix {
            text,
            commands: Vec::new(),
        }
    }
}

/// `nova scaffold outbox`: a transactional outbox in `service`.
pub(crate) fn scaffold_outbox(service: &str, topic: &str, events: &[String]) -> String {
    format!(
        "nova scaffold outbox --service {service} --topic {topic} --events {}",
        events.join(",")
    )
}

/// `nova scaffold consumer`: an idempotent consumer in `service`.
pub(crate) fn scaffold_consumer(
    service: &str,
    topic: &str,
    events: &[String],
    read_model: Option<&str>,
) -> String {
    let mut s = format!("nova scaffold consumer --service {service} --topic {topic}");
    if !events.is_empty() {
        s.push_str(&format!(" --events {}", events.join(",")));
    }
    if let Some(t) = read_model {
        s.push_str(&format!(" --read-model {t}"));
    }
    s
}

/// `nova scaffold jwt-verify`: local token verification in `service`.
pub(crate) fn scaffold_jwt(service: &str) -> String {
    format!("nova scaffold jwt-verify --service {service}")
}

/// The service a multi-writer table should keep as its only writer, and
/// why: its owner when it has one, else the writer with the most kinds of
/// writes (ties: the first by name).
pub(crate) fn proposed_writer(index: &Ownership, table: &str) -> (String, String) {
    if let Some(o) = index.owner(table) {
        return (o.service.clone(), o.basis.describe().to_string());
    }
    let w = index.writers(table);
    let best = w
        .iter()
        .max_by(|a, b| {
            let n = |o: &OpSet| o.iter().filter(|x| x.is_write()).count();
            n(a.1).cmp(&n(b.1)).then_with(|| b.0.cmp(a.0))
        })
        .map(|(s, _)| s.clone())
        .unwrap_or_default();
    (best, "it performs the most kinds of writes".to_string())
}

/// `users` → `User`.
fn entity_of_table(table: &str) -> String {
    let last = table.rsplit('.').next().unwrap_or(table);
    let mut w = words(&last.replace(['-', '_'], " "));
    if let Some(l) = w.pop() {
        w.push(singular(&l));
    }
    w.concat()
}

fn verb(op: Op) -> &'static str {
    match op {
        Op::Create => "insert",
        Op::Read => "read",
        Op::Update => "update",
        Op::Delete => "delete",
    }
}

/// The fixes for `f` (empty when nova has nothing more specific than the
/// rule's own hint).
pub fn fixes(model: &Model, graph: &ServiceGraph, f: &Finding) -> Vec<Fix> {
    let s = &f.subject;
    let service = s.service.as_deref().unwrap_or_default();
    let to = s.to.as_deref().unwrap_or_default();
    let table = s.table.as_deref().unwrap_or_default();
    match f.rule {
        "multi-writer" => multi_writer(model, table),
        "foreign-write" => {
            let ops = model.ops(service, table);
            let entity = entity_of_table(table);
            let events: Vec<String> = ops
                .iter()
                .filter(|o| o.is_write())
                .map(|o| {
                    format!(
                        "{entity}{}",
                        match o {
                            Op::Create => "Created",
                            Op::Delete => "Deleted",
                            _ => "Updated",
                        }
                    )
                })
                .collect();
            let topic = events_topic(service);
            vec![Fix {
                text: format!(
                    "send {to} a command instead of writing `{table}`: {service} publishes `{}` and {to} applies it (event names are suggestions)",
                    events.join("`, `")
                ),
                commands: vec![
                    scaffold_outbox(service, &topic, &events),
                    scaffold_consumer(to, &topic, &events, None),
                ],
            }]
        }
        "foreign-read" => {
            let events = crud_events(&entity_of_table(table));
            let topic = events_topic(to);
            vec![Fix {
                text: format!(
                    "keep a local `{table}` read model in {service}, fed by {to}'s events, instead of reading {to}'s table"
                ),
                commands: vec![
                    scaffold_outbox(to, &topic, &events),
                    scaffold_consumer(service, &topic, &events, Some(table)),
                ],
            }]
        }
        "sync-call" => sync_call(graph, service, to),
        "sync-cycle" => vec![Fix::text(
            "break the cycle: replace at least one of its calls with an event (each call has its own sync-call finding with the fix; `nova plan` orders them)".to_string(),
        )],
        "startup-dependency" => graph
            .sync_edges()
            .filter(|e| e.kind == EdgeKind::Startup && e.from == service && e.to == to)
            .flat_map(|e| &e.evidence)
            .map(|ev| {
                let what = match wait_name(&ev.note) {
                    Some(name) => format!("{service}'s init container `{name}`"),
                    None => format!("{service}'s start-up dependency on {to}"),
                };
                Fix::text(format!(
                    "remove {what} (`{}`) and let {service} retry while {to} is down",
                    ev.location
                ))
            })
            .collect(),
        "dual-write" => {
            let topic = s.topic.as_deref().unwrap_or_default();
            let function = s.function.as_deref().unwrap_or_default();
            let name = function.rsplit("::").next().unwrap_or(function);
            let event = match classify_rpc(&words(name).concat(), service, service) {
                Replacement::Command { event } => event,
                _ => format!("{}Changed", pascal_stem(service)),
            };
            vec![Fix {
                text: format!(
                    "enqueue the event in a transactional outbox, in the same transaction as the write, instead of producing to `{topic}` directly (`{event}` is a suggested name)"
                ),
                commands: vec![scaffold_outbox(service, topic, &[event])],
            }]
        }
        "consumer-without-dedupe" => {
            let topics: Vec<&str> = model
                .topics
                .iter()
                .filter(|t| t.consumers.iter().any(|c| c.service == service))
                .map(|t| t.name.as_str())
                .collect();
            let events = ["EVENTS".to_string()];
            vec![Fix {
                text: format!(
                    "record each processed event id in the same transaction as the handler's writes (idempotent consumer), and skip events already recorded{}",
                    if topics.is_empty() {
                        ""
                    } else {
                        "; EVENTS: the event types the handler applies"
                    }
                ),
                commands: topics
                    .iter()
                    .map(|t| scaffold_consumer(service, t, &events, None))
                    .collect(),
            }]
        }
        "unowned-table" => vec![Fix::text(format!(
            "declare the owner in nova.toml: `[tables.{table}] owner = \"SERVICE\"`"
        ))],
        _ => Vec::new(),
    }
}

fn multi_writer(model: &Model, table: &str) -> Vec<Fix> {
    let index = Ownership::new(model);
    let (target, why) = proposed_writer(&index, table);
    let moves: Vec<String> = index
        .accesses(table)
        .iter()
        .filter(|a| a.service != target && a.op.is_write())
        .map(|a| {
            let via = match (&a.via_library, &a.call_site) {
                (Some(lib), Some(site)) => format!(" (library {lib}, called at `{site}`)"),
                (Some(lib), None) => format!(" (library {lib})"),
                _ => String::new(),
            };
            format!("{}'s {} at `{}`{via}", a.service, verb(a.op), a.location)
        })
        .collect();
    let mut list = moves
        .iter()
        .take(MAX_MOVES)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if moves.len() > MAX_MOVES {
        list.push_str(&format!("; and {} more", moves.len() - MAX_MOVES));
    }
    vec![
        Fix::text(format!(
            "make {target} the only writer ({why}): move {list} behind {target}'s API or an event it consumes"
        )),
        Fix::text(format!(
            "then declare it in nova.toml: `[tables.{table}] owner = \"{target}\"`"
        )),
    ]
}

fn sync_call(graph: &ServiceGraph, from: &str, to: &str) -> Vec<Fix> {
    let mut out = Vec::new();
    for e in graph
        .sync_edges()
        .filter(|e| e.from == from && e.to == to && e.kind != EdgeKind::Startup)
    {
        let names: Vec<&str> = if e.via.is_empty() {
            vec![""]
        } else {
            e.via.iter().map(String::as_str).collect()
        };
        for name in names {
            let replacement = if name.is_empty() {
                Replacement::Manual
            } else if e.kind == EdgeKind::Grpc {
                classify_rpc(name, from, to)
            } else {
                classify_http(name, from, to)
            };
            let call = if name.is_empty() {
                to.to_string()
            } else {
                format!("`{name}`")
            };
            out.push(match replacement {
                Replacement::Jwt => Fix {
                    text: format!(
                        "verify tokens locally instead of calling {call}: {to} signs JWTs, {from} checks them itself"
                    ),
                    commands: vec![scaffold_jwt(from)],
                },
                Replacement::ReadModel { entity } => {
                    let events = crud_events(&entity);
                    let topic = events_topic(to);
                    let local = plural_snake(&entity);
                    Fix {
                        text: format!(
                            "keep a local `{local}` read model in {from}, fed by {to}'s events, instead of calling {call}"
                        ),
                        commands: vec![
                            scaffold_outbox(to, &topic, &events),
                            scaffold_consumer(from, &topic, &events, Some(&local)),
                        ],
                    }
                }
                Replacement::Command { event } => {
                    let topic = events_topic(from);
                    let events = vec![event.clone()];
                    Fix {
                        text: format!(
                            "publish `{event}` instead of calling {call}; {to} consumes it and applies the change (`{event}` is a suggested name)"
                        ),
                        commands: vec![
                            scaffold_outbox(from, &topic, &events),
                            scaffold_consumer(to, &topic, &events, None),
                        ],
                    }
                }
                Replacement::Manual => Fix::text(format!(
                    "decide whether {call} reads or changes {to}'s data, then keep a read model or publish an event (see `nova plan`)"
                )),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_entities() {
        assert_eq!(entity_of_table("users"), "User");
        assert_eq!(entity_of_table("upload_sessions"), "UploadSession");
        assert_eq!(entity_of_table("public.categories"), "Category");
    }

    #[test]
    fn commands() {
        let ev = vec!["PostCreated".to_string(), "PostDeleted".to_string()];
        assert_eq!(
            scaffold_outbox("content-service", "content-events", &ev),
            "nova scaffold outbox --service content-service --topic content-events --events PostCreated,PostDeleted"
        );
        assert_eq!(
            scaffold_consumer("feed-service", "content-events", &ev, Some("posts")),
            "nova scaffold consumer --service feed-service --topic content-events --events PostCreated,PostDeleted --read-model posts"
        );
        assert_eq!(
            scaffold_consumer("search-service", "t", &[], None),
            "nova scaffold consumer --service search-service --topic t"
        );
    }
}
