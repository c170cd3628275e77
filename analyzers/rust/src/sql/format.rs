//! `format!` template parsing (std format syntax, without evaluation).

/// One piece of a `format!` template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatPiece {
    /// Literal text (`{{`/`}}` already unescaped).
    Text(String),
    /// A hole: `None` for `{}` (next positional), `Some("0")` for `{0}`,
    /// `Some("name")` for `{name}`. The format spec after `:` is dropped.
    Hole(Option<String>),
}

/// Split a `format!` template into text and holes. Malformed templates
/// (unbalanced braces) keep the stray brace as text; never panics.
pub fn parse_format_template(template: &str) -> Vec<FormatPiece> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '{' if chars.peek() == Some(&'{') => {
                chars.next();
                text.push('{');
            }
            '}' if chars.peek() == Some(&'}') => {
                chars.next();
                text.push('}');
            }
            '{' => {
                let mut inner = String::new();
                let mut closed = false;
                for d in chars.by_ref() {
                    if d == '}' {
                        closed = true;
                        break;
                    }
                    inner.push(d);
                }
                if !closed {
                    text.push('{');
                    text.push_str(&inner);
                    continue;
                }
                if !text.is_empty() {
                    pieces.push(FormatPiece::Text(std::mem::take(&mut text)));
                }
                let arg = inner.split(':').next().unwrap_or("").trim();
                pieces.push(FormatPiece::Hole(if arg.is_empty() {
                    None
                } else {
                    Some(arg.to_string())
                }));
            }
            _ => text.push(c),
        }
    }
    if !text.is_empty() {
        pieces.push(FormatPiece::Text(text));
    }
    pieces
}

/// Escape literal text for a normalised template (`{` -> `{{`).
pub(crate) fn escape(text: &str) -> String {
    text.replace('{', "{{").replace('}', "}}")
}
