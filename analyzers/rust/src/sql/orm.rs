//! diesel and sea-orm detection (not analysed: reported as such).

use proc_macro2::{TokenStream, TokenTree};

/// The table of a diesel `table! { [#[sql_name = "x"]] [schema.]name (pk) { .. } }`
/// body. Several tables may be declared in one `table!` invocation.
pub(crate) fn diesel_tables(tokens: &TokenStream) -> Vec<(String, u32)> {
    let mut out = Vec::new();
    let mut sql_name: Option<String> = None;
    let mut iter = tokens.clone().into_iter().peekable();
    let mut pending: Option<(String, u32)> = None;
    while let Some(tt) = iter.next() {
        match tt {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                if let Some(TokenTree::Group(g)) = iter.peek() {
                    let s = g.stream().to_string();
                    if let Some(name) = attr_string_value(&s, "sql_name") {
                        sql_name = Some(name);
                    }
                    iter.next();
                }
            }
            TokenTree::Punct(p) if p.as_char() == '.' => {
                // `schema.table`: the next ident is the table proper.
                if let (Some((schema, line)), Some(TokenTree::Ident(i))) =
                    (pending.take(), iter.peek())
                {
                    pending = Some((format!("{schema}.{i}"), line));
                    iter.next();
                }
            }
            TokenTree::Ident(i) => {
                let s = i.to_string();
                if s == "use" {
                    // `use diesel::sql_types::*;` inside table!: skip to `;`.
                    for t in iter.by_ref() {
                        if matches!(&t, TokenTree::Punct(p) if p.as_char() == ';') {
                            break;
                        }
                    }
                    continue;
                }
                if pending.is_none() {
                    pending = Some((s, i.span().start().line as u32));
                }
            }
            TokenTree::Group(g) => {
                if g.delimiter() == proc_macro2::Delimiter::Brace {
                    if let Some((name, line)) = pending.take() {
                        out.push((sql_name.take().unwrap_or(name), line));
                    }
                } else if g.delimiter() != proc_macro2::Delimiter::Parenthesis {
                    pending = None;
                }
            }
            _ => {}
        }
    }
    out
}

/// `key = "value"` inside attribute tokens rendered as a string
/// (`diesel(table_name = users)`, `table_name = "users"`, `sql_name = "x"`).
pub(crate) fn attr_string_value(attr_tokens: &str, key: &str) -> Option<String> {
    let idx = find_key(attr_tokens, key)?;
    let rest = attr_tokens[idx + key.len()..].trim_start();
    let rest = rest.strip_prefix('=')?.trim_start();
    let value: String = if let Some(r) = rest.strip_prefix('"') {
        r.chars().take_while(|&c| c != '"').collect()
    } else {
        rest.chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':' || *c == ' ')
            .collect::<String>()
            .replace(' ', "")
    };
    let value = value.rsplit("::").next().unwrap_or("").to_string();
    if value.is_empty() { None } else { Some(value) }
}

/// Byte index of `key` as a whole word in `s`.
fn find_key(s: &str, key: &str) -> Option<usize> {
    let mut start = 0;
    while let Some(pos) = s[start..].find(key) {
        let idx = start + pos;
        let before_ok = s[..idx]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        let after_ok = s[idx + key.len()..]
            .chars()
            .next()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
        if before_ok && after_ok {
            return Some(idx);
        }
        start = idx + key.len();
    }
    None
}
