//! Names given on the command line: checked before anything is planned.

use crate::ScaffoldError;

const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "break", "const", "continue", "crate", "dyn", "else", "enum", "extern",
    "false", "fn", "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub",
    "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "type",
    "unsafe", "use", "where", "while", "abstract", "become", "box", "do", "final", "macro",
    "override", "priv", "typeof", "unsized", "virtual", "yield", "try", "gen",
];

const SQL_RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "default",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "into",
    "join",
    "leading",
    "limit",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "primary",
    "references",
    "select",
    "table",
    "then",
    "to",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "when",
    "where",
    "with",
];

fn invalid(what: &'static str, value: &str, why: &str) -> ScaffoldError {
    ScaffoldError::InvalidName {
        what,
        value: value.to_owned(),
        why: why.to_owned(),
    }
}

/// An event name: a Rust type name in PascalCase (`PostCreated`).
pub fn check_event(name: &str) -> Result<(), ScaffoldError> {
    let mut chars = name.chars();
    let first_upper = chars.next().is_some_and(|c| c.is_ascii_uppercase());
    if !first_upper || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(invalid(
            "event",
            name,
            "an event is a Rust type name: an ASCII capital letter, then letters and digits (e.g. PostCreated)",
        ));
    }
    if RUST_KEYWORDS.contains(&name) {
        return Err(invalid("event", name, "a Rust keyword"));
    }
    Ok(())
}

/// A Kafka topic that also makes a Rust module name (`content-events`).
pub fn check_topic(name: &str) -> Result<(), ScaffoldError> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
    if !ok {
        return Err(invalid(
            "topic",
            name,
            "a topic starts with a lowercase letter and has lowercase letters, digits, `-`, `_` and `.` (e.g. content-events)",
        ));
    }
    check_rust_ident("topic", name, &module_name(name))
}

/// A read-model table: a plain lowercase SQL identifier (`posts`).
pub fn check_table(name: &str) -> Result<(), ScaffoldError> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Err(invalid(
            "read-model table",
            name,
            "a table is a lowercase SQL identifier of at most 63 characters: letters, digits and `_` (e.g. posts)",
        ));
    }
    if SQL_RESERVED.contains(&name) {
        return Err(invalid("read-model table", name, "a reserved SQL word"));
    }
    check_rust_ident("read-model table", name, name)
}

/// A new service's package name: lowercase kebab case (`notification-service`).
pub fn check_service(name: &str) -> Result<(), ScaffoldError> {
    let ok = name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if !ok {
        return Err(invalid(
            "service name",
            name,
            "a service is a package name in lowercase kebab case (e.g. notification-service)",
        ));
    }
    check_rust_ident("service name", name, &name.replace('-', "_"))
}

/// A consumer group id.
pub fn check_group(name: &str) -> Result<(), ScaffoldError> {
    let ok = !name.is_empty()
        && name.len() <= 200
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(invalid(
            "group",
            name,
            "a consumer group has ASCII letters, digits, `-`, `_` and `.`",
        ))
    }
}

/// An aggregate name: lowercase snake case (`post`).
pub fn check_aggregate(name: &str) -> Result<(), ScaffoldError> {
    let ok = name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Err(invalid(
            "aggregate",
            name,
            "an aggregate is lowercase snake case (e.g. post)",
        ));
    }
    check_rust_ident("aggregate", name, &format!("{name}_id"))
}

fn check_rust_ident(what: &'static str, value: &str, ident: &str) -> Result<(), ScaffoldError> {
    if RUST_KEYWORDS.contains(&ident) {
        return Err(invalid(what, value, "its Rust name is a keyword"));
    }
    Ok(())
}

/// The Rust module of a topic: `content-events` → `content_events`.
pub fn module_name(topic: &str) -> String {
    topic.replace(['-', '.'], "_")
}

/// The event-type context of a topic: `content-events` → `content`.
pub fn context(topic: &str) -> String {
    for suffix in ["-events", "_events", ".events"] {
        if let Some(stem) = topic.strip_suffix(suffix)
            && !stem.is_empty()
        {
            return stem.to_owned();
        }
    }
    topic.to_owned()
}

/// `PostCreated` → `post_created`.
pub fn snake(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// `content_events` → `ContentEvents`.
pub fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// The aggregate an event belongs to: its name without the last word
/// (`PostCreated` → `post`, `MediaAttached` → `media`).
pub fn aggregate_of(event: &str) -> String {
    let s = snake(event);
    match s.rsplit_once('_') {
        Some((noun, _)) => noun.to_owned(),
        None => s,
    }
}

/// Whether an event removes its aggregate (its handler deletes the read-model row).
pub fn is_removal(event: &str) -> bool {
    ["Deleted", "Removed", "Archived", "Purged"]
        .iter()
        .any(|v| event.ends_with(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_convert() {
        assert_eq!(module_name("content-events"), "content_events");
        assert_eq!(context("content-events"), "content");
        assert_eq!(context("events"), "events");
        assert_eq!(snake("PostCreated"), "post_created");
        assert_eq!(pascal("content_events"), "ContentEvents");
        assert_eq!(aggregate_of("PostCreated"), "post");
        assert_eq!(aggregate_of("Ping"), "ping");
        assert!(is_removal("PostDeleted"));
        assert!(!is_removal("PostCreated"));
    }

    #[test]
    fn bad_names_are_refused() {
        for bad in ["postCreated", "Post-Created", "", "Self", "Post Created"] {
            assert!(check_event(bad).is_err(), "{bad}");
        }
        for bad in ["Content", "-x", "a/b", "", "a b"] {
            assert!(check_topic(bad).is_err(), "{bad}");
        }
        for bad in ["Posts", "select", "1posts", "po-sts", "user"] {
            assert!(check_table(bad).is_err(), "{bad}");
        }
        assert!(check_group("a b").is_err());
        assert!(check_aggregate("Post").is_err());
        assert!(check_event("PostCreated").is_ok());
        assert!(check_topic("content-events").is_ok());
        assert!(check_table("posts").is_ok());
    }
}
