//! The source files the human audit output and the HTML report excerpt.
//!
//! Renderers stay pure: the caller loads the files it wants to show into a
//! [`Sources`] first ([`Sources::load`]), and the renderer only looks lines
//! up. A file that cannot be read (moved, deleted, not UTF-8, too large)
//! has no lines: the finding is still reported, without its excerpt.

use nova_model::Location;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path};

/// Files larger than this are not excerpted (a generated or minified file).
const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

/// Source text by path relative to the scanned root.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: BTreeMap<String, String>,
}

impl Sources {
    /// No sources: every excerpt is left out.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add (or replace) one file's text.
    pub fn insert(&mut self, path: impl Into<String>, text: impl Into<String>) {
        self.files.insert(path.into(), text.into());
    }

    /// Read `paths` (relative to `root`). Paths that leave the root, files
    /// that cannot be read or are too large are skipped; invalid UTF-8 is
    /// replaced.
    pub fn load<'a>(root: &Path, paths: impl IntoIterator<Item = &'a str>) -> Self {
        let mut files = BTreeMap::new();
        for p in paths {
            if p.is_empty() || files.contains_key(p) || !stays_inside(p) {
                continue;
            }
            let full = root.join(p);
            let Ok(meta) = std::fs::metadata(&full) else {
                continue;
            };
            if !meta.is_file() || meta.len() > MAX_FILE_BYTES {
                continue;
            }
            if let Ok(bytes) = std::fs::read(&full) {
                files.insert(p.to_string(), String::from_utf8_lossy(&bytes).into_owned());
            }
        }
        Sources { files }
    }

    /// The whole text of `path`, when loaded.
    pub fn text(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    /// Line `line` (1-based) of `path`, without its line ending.
    pub fn line(&self, path: &str, line: u32) -> Option<&str> {
        let n = usize::try_from(line).ok()?.checked_sub(1)?;
        let l = self.text(path)?.split('\n').nth(n)?;
        Some(l.strip_suffix('\r').unwrap_or(l))
    }

    /// Lines `from..=to` (1-based, clamped to the file) with their numbers.
    pub fn lines(&self, path: &str, from: u32, to: u32) -> Vec<(u32, &str)> {
        let Some(text) = self.text(path) else {
            return Vec::new();
        };
        text.split('\n')
            .enumerate()
            .map(|(i, l)| (u32::try_from(i + 1).unwrap_or(u32::MAX), l))
            .skip_while(|(n, _)| *n < from)
            .take_while(|(n, _)| *n <= to)
            .map(|(n, l)| (n, l.strip_suffix('\r').unwrap_or(l)))
            .collect()
    }
}

/// A relative path without `..`, root or prefix components.
fn stays_inside(p: &str) -> bool {
    Path::new(p)
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Every file named by these locations (deduplicated, sorted).
pub fn files_of<'a>(locations: impl IntoIterator<Item = &'a Location>) -> BTreeSet<&'a str> {
    locations
        .into_iter()
        .filter(|l| l.line > 0 && !l.file.is_empty())
        .map(|l| l.file.as_str())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based_and_clamped() {
        let mut s = Sources::new();
        s.insert("a.rs", "one\r\ntwo\nthree");
        assert_eq!(s.line("a.rs", 1), Some("one"));
        assert_eq!(s.line("a.rs", 3), Some("three"));
        assert_eq!(s.line("a.rs", 0), None);
        assert_eq!(s.line("a.rs", 4), None);
        assert_eq!(s.line("b.rs", 1), None);
        assert_eq!(s.lines("a.rs", 2, 9), vec![(2, "two"), (3, "three")]);
    }

    #[test]
    fn load_skips_missing_and_escaping_paths() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.rs"), b"fn x() {}\n\xff").unwrap();
        let s = Sources::load(
            dir.path(),
            ["x.rs", "missing.rs", "../x.rs", "/etc/hostname"],
        );
        assert_eq!(s.line("x.rs", 1), Some("fn x() {}"));
        assert_eq!(s.line("x.rs", 2), Some("\u{fffd}"));
        assert!(s.text("missing.rs").is_none());
        assert!(s.text("../x.rs").is_none());
        assert!(s.text("/etc/hostname").is_none());
    }
}
