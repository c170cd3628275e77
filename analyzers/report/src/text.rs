//! Width-aware text for terminals: wrapping at spaces only, so an
//! identifier, a path or a `file:line` is never split across lines.

use unicode_width::UnicodeWidthStr;

/// Display width of `s` in terminal columns.
pub(crate) fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// The words of `para`: split at spaces, except inside a `code span`,
/// which stays one word when it fits in `max` columns.
fn words(para: &str, max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut open: Option<Vec<String>> = None;
    for w in para.split(' ').filter(|w| !w.is_empty()) {
        let ticks = w.matches('`').count();
        match open.as_mut() {
            Some(span) => {
                span.push(w.to_string());
                if ticks % 2 == 1 {
                    let glued = span.join(" ");
                    if width(&glued) <= max {
                        out.push(glued);
                    } else {
                        out.append(span);
                    }
                    open = None;
                }
            }
            None if ticks % 2 == 1 => open = Some(vec![w.to_string()]),
            None => out.push(w.to_string()),
        }
    }
    if let Some(mut span) = open {
        out.append(&mut span);
    }
    out
}

/// Break `text` into lines of at most `max` columns, at spaces only. A word
/// wider than `max` stays whole on its own line; a `code span` is kept on
/// one line when it fits. Line breaks in `text` are kept.
pub(crate) fn wrap(text: &str, max: usize) -> Vec<String> {
    wrap_first(text, max, max)
}

/// Like [`wrap`], with a different width for the first line.
pub(crate) fn wrap_first(text: &str, first: usize, rest: usize) -> Vec<String> {
    let mut out = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in words(para, rest.max(1)) {
            let max = if out.is_empty() { first } else { rest }.max(1);
            if !line.is_empty() && width(&line) + 1 + width(&word) > max {
                out.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&word);
        }
        out.push(line);
    }
    out
}

/// `first` before the first line, `rest` before the others, the text
/// wrapped so that every line fits in `max` columns (prefix included).
pub(crate) fn wrap_prefixed(text: &str, max: usize, first: &str, rest: &str) -> Vec<String> {
    let room = max.saturating_sub(width(first).max(width(rest))).max(20);
    wrap(text, room)
        .into_iter()
        .enumerate()
        .map(|(i, l)| format!("{}{l}", if i == 0 { first } else { rest }))
        .collect()
}

/// A shell command broken into lines of at most `max` columns with ` \`
/// continuations; `--flag value` pairs stay together.
pub(crate) fn wrap_command(cmd: &str, max: usize) -> Vec<String> {
    let mut groups: Vec<String> = Vec::new();
    for word in cmd.split(' ').filter(|w| !w.is_empty()) {
        match groups.last_mut() {
            Some(g) if g.starts_with("--") && !g.contains(' ') && !word.starts_with("--") => {
                g.push(' ');
                g.push_str(word);
            }
            _ => groups.push(word.to_string()),
        }
    }
    // A `--flag value` pair too wide for a line of its own is split.
    let groups: Vec<String> = groups
        .into_iter()
        .flat_map(|g| {
            if width(&g) + 4 > max && g.contains(' ') {
                g.split(' ').map(str::to_string).collect()
            } else {
                vec![g]
            }
        })
        .collect();
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for g in groups {
        // Room for the trailing " \".
        if !line.is_empty() && width(&line) + 1 + width(&g) + 2 > max {
            lines.push(std::mem::take(&mut line));
            line.push_str("  ");
        }
        if !line.trim().is_empty() {
            line.push(' ');
        }
        line.push_str(&g);
    }
    lines.push(line);
    let n = lines.len();
    lines
        .into_iter()
        .enumerate()
        .map(|(i, l)| if i + 1 < n { format!("{l} \\") } else { l })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_at_spaces_only() {
        let w = wrap("aaa bbb ccc_ddd_eee fff", 8);
        assert_eq!(w, vec!["aaa bbb", "ccc_ddd_eee", "fff"]);
        assert_eq!(wrap("a\nb c", 3), vec!["a", "b c"]);
        assert_eq!(wrap("", 10), vec![""]);
        assert_eq!(wrap("set `a = b` now", 9), vec!["set", "`a = b`", "now"]);
        assert_eq!(
            wrap("x `a b c d e f g` y", 5),
            vec!["x `a", "b c d", "e f", "g` y"]
        );
        assert_eq!(wrap_first("aa bb cc dd", 2, 5), vec!["aa", "bb cc", "dd"]);
    }

    #[test]
    fn prefixes() {
        let w = wrap_prefixed("one two three four", 30, "help: ", "      ");
        assert_eq!(w, vec!["help: one two three four"]);
        let w = wrap_prefixed("one two three four five six", 28, "> ", "  ");
        assert!(w.iter().all(|l| width(l) <= 28), "{w:?}");
    }

    #[test]
    fn commands_keep_flag_values() {
        let c = wrap_command(
            "nova scaffold consumer --service feed-service --topic content-events --read-model posts",
            40,
        );
        assert_eq!(
            c,
            vec![
                "nova scaffold consumer \\",
                "  --service feed-service \\",
                "  --topic content-events \\",
                "  --read-model posts",
            ]
        );
        assert_eq!(wrap_command("nova plan", 40), vec!["nova plan"]);
    }
}
