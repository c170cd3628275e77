use serde::{Deserialize, Serialize};
use std::fmt;

/// A place in the scanned tree: file relative to the root (with `/`
/// separators), 1-based line and column (column 0 when unknown).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Location {
    pub file: String,
    pub line: u32,
    #[serde(default)]
    pub column: u32,
}

impl Location {
    pub fn new(file: impl Into<String>, line: u32, column: u32) -> Self {
        Location {
            file: file.into(),
            line,
            column,
        }
    }

    /// A whole-file location (line 0 means "the file itself").
    pub fn file(file: impl Into<String>) -> Self {
        Location::new(file, 0, 0)
    }
}

impl fmt::Display for Location {
    /// `file:line` (or `file:line:col`), the form editors and CI logs link.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (0, _) => write!(f, "{}", self.file),
            (l, 0) => write!(f, "{}:{}", self.file, l),
            (l, c) => write!(f, "{}:{}:{}", self.file, l, c),
        }
    }
}
