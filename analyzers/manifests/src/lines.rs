//! Best-effort line numbers: `serde_yaml`/`toml` values carry no positions,
//! so lines are found by searching the text of keys and values.

/// Searches the lines of one source text.
pub(crate) struct Lines<'a> {
    lines: Vec<&'a str>,
}

impl<'a> Lines<'a> {
    pub(crate) fn new(source: &'a str) -> Self {
        Lines {
            lines: source.lines().collect(),
        }
    }

    /// The first line at or after `from` (1-based) containing every one of
    /// `needles`; 0 when there is none. Comment lines are skipped.
    pub(crate) fn find_all(&self, needles: &[&str], from: u32) -> u32 {
        let start = from.max(1) as usize - 1;
        for (i, l) in self.lines.iter().enumerate().skip(start) {
            let t = l.trim_start();
            if t.starts_with('#') {
                continue;
            }
            if needles.iter().all(|n| l.contains(n)) {
                return i as u32 + 1;
            }
        }
        0
    }

    /// The first line at or after `from` that is the mapping entry `key:`
    /// (optionally `key: value`, quotes and a list dash allowed); falls back
    /// to [`Lines::find`] with both texts, then to `fallback`.
    pub(crate) fn find_entry(
        &self,
        key: &str,
        value: Option<&str>,
        from: u32,
        fallback: u32,
    ) -> u32 {
        let start = from.max(1) as usize - 1;
        for pass in [start, 0] {
            for (i, l) in self.lines.iter().enumerate().skip(pass) {
                let t = l.trim_start().trim_start_matches("- ").trim();
                let t = t.split(" #").next().unwrap_or(t).trim_end();
                let Some(rest) = t
                    .strip_prefix(key)
                    .or_else(|| t.strip_prefix(&format!("\"{key}\"")))
                    .or_else(|| t.strip_prefix(&format!("'{key}'")))
                else {
                    continue;
                };
                let Some(rest) = rest.strip_prefix(':') else {
                    continue;
                };
                let rest = rest.trim().trim_matches(|c| c == '"' || c == '\'');
                match value {
                    None => return i as u32 + 1,
                    Some(v) if rest == v => return i as u32 + 1,
                    _ => {}
                }
            }
        }
        match value {
            Some(v) => self.find(&[key, v], from, fallback),
            None => self.find(&[key], from, fallback),
        }
    }

    /// The first of the `window` lines after `line` that mentions `text`
    /// outside an `image:`/`name:` entry (a command or argument line).
    pub(crate) fn find_text_after(&self, text: &str, line: u32, window: u32) -> Option<u32> {
        (line + 1..=line + window).find(|&l| {
            self.lines.get(l as usize - 1).is_some_and(|t| {
                let t = t.trim_start().trim_start_matches("- ");
                t.contains(text) && !t.starts_with("image:") && !t.starts_with("name:")
            })
        })
    }

    /// Like [`Lines::find_all`], falling back to searching from the top and
    /// then to `fallback`.
    pub(crate) fn find(&self, needles: &[&str], from: u32, fallback: u32) -> u32 {
        match self.find_all(needles, from) {
            0 => match self.find_all(needles, 1) {
                0 => fallback,
                l => l,
            },
            l => l,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_after_and_falls_back() {
        let l = Lines::new("a: 1\n# b: 2\nb: 2\nc: b\n");
        assert_eq!(l.find_all(&["b:"], 1), 3);
        assert_eq!(l.find_all(&["b"], 4), 4);
        assert_eq!(l.find(&["a:"], 3, 9), 1);
        assert_eq!(l.find(&["zzz"], 1, 9), 9);
        assert_eq!(l.find_all(&["x"], 100), 0);
        let l = Lines::new("env:\n  - X=content:1\ncontent:\n  - name: \"a\"\n");
        assert_eq!(l.find_entry("content", None, 1, 0), 3);
        assert_eq!(l.find_entry("name", Some("a"), 1, 0), 4);
    }
}
