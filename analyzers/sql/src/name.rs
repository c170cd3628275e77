//! Table name normalisation, shared by the parser path and the lexical
//! fallback so both produce the same names.
//!
//! Rules: unquoted identifiers are lower-cased, quoted ones keep their case;
//! parts are joined with `.`; a schema listed in
//! [`Options::default_schemas`](crate::Options) is stripped
//! (`public.videos` -> `videos`, `db.public.videos` -> `videos`), any other is
//! kept (`analytics.events`).

use crate::{HOLE_PREFIX, Options};
use sqlparser::ast::{Ident, ObjectName};

/// One part of a name, already case-normalised.
fn norm_part(value: &str, quoted: bool) -> String {
    if quoted {
        value.to_string()
    } else {
        value.to_lowercase()
    }
}

/// A normalised table name, or an unresolved one (it contains a hole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TableName {
    Resolved(String),
    Unresolved(String),
}

impl TableName {
    /// The name either way.
    pub fn as_str(&self) -> &str {
        match self {
            TableName::Resolved(s) | TableName::Unresolved(s) => s,
        }
    }
}

/// Join case-normalised parts, stripping a default schema, and classify.
fn finish(mut parts: Vec<String>, opts: &Options) -> TableName {
    let is_default = |s: &str| {
        opts.default_schemas
            .iter()
            .any(|d| d.eq_ignore_ascii_case(s))
    };
    let n = parts.len();
    if n >= 2 && is_default(&parts[n - 2]) {
        parts.drain(..n - 1);
    }
    let joined = parts.join(".");
    if joined.contains(HOLE_PREFIX) {
        TableName::Unresolved(joined)
    } else {
        TableName::Resolved(joined)
    }
}

/// Normalise an identifier from the parser.
pub(crate) fn ident(id: &Ident) -> String {
    norm_part(&id.value, id.quote_style.is_some())
}

/// Normalise a table name from the parser.
pub(crate) fn object_name(name: &ObjectName, opts: &Options) -> TableName {
    let parts = name
        .0
        .iter()
        .map(|p| match p.as_ident() {
            Some(id) => ident(id),
            None => p.to_string(),
        })
        .collect();
    finish(parts, opts)
}

/// Normalise a table name from lexical parts `(text, quoted)`; quoted text
/// still has its quotes.
pub(crate) fn lexical(parts: &[(&str, bool)], opts: &Options) -> TableName {
    let parts = parts
        .iter()
        .map(|&(text, quoted)| {
            if quoted {
                norm_part(&unquote(text), true)
            } else {
                norm_part(text, false)
            }
        })
        .collect();
    finish(parts, opts)
}

/// Strip the quotes of `"x"` / `` `x` `` and undouble inner quotes.
fn unquote(text: &str) -> String {
    let mut chars = text.chars();
    let Some(q) = chars.next() else {
        return String::new();
    };
    let inner = chars.as_str();
    let inner = inner.strip_suffix(q).unwrap_or(inner);
    let doubled: String = [q, q].iter().collect();
    inner.replace(&doubled, &q.to_string())
}

/// Qualify the new side of a rename with the old side's schema when the new
/// name has none (`ALTER TABLE analytics.a RENAME TO b` renames to
/// `analytics.b`).
pub(crate) fn rename_target(old: &str, new: &str) -> String {
    if new.contains('.') {
        return new.to_string();
    }
    match old.rsplit_once('.') {
        Some((schema, _)) => format!("{schema}.{new}"),
        None => new.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_names() {
        let o = Options::default();
        let r = |p: &[(&str, bool)]| lexical(p, &o);
        assert_eq!(r(&[("Users", false)]), TableName::Resolved("users".into()));
        assert_eq!(
            r(&[("\"Users\"", true)]),
            TableName::Resolved("Users".into())
        );
        assert_eq!(
            r(&[("PUBLIC", false), ("videos", false)]),
            TableName::Resolved("videos".into())
        );
        assert_eq!(
            r(&[("analytics", false), ("Events", false)]),
            TableName::Resolved("analytics.events".into())
        );
        assert_eq!(r(&[("`a``b`", true)]), TableName::Resolved("a`b".into()));
        assert_eq!(
            r(&[("__nova_hole_0___events", false)]),
            TableName::Unresolved("__nova_hole_0___events".into())
        );
        assert_eq!(r(&[("\"", true)]), TableName::Resolved(String::new()));
    }

    #[test]
    fn renames_keep_schema() {
        assert_eq!(rename_target("analytics.a", "b"), "analytics.b");
        assert_eq!(rename_target("a", "b"), "b");
        assert_eq!(rename_target("x.a", "y.b"), "y.b");
    }
}
