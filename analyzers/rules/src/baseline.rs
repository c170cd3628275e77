//! Baselines: accept today's findings, fail only on new ones.
//!
//! A baseline is a versioned JSON file:
//!
//! ```json
//! {
//!   "version": 1,
//!   "entries": [
//!     { "fingerprint": "multi-writer|table=users", "rule": "multi-writer",
//!       "message": "table `users` is written by 2 services: ..." }
//!   ]
//! }
//! ```
//!
//! Fingerprints are the rule id and the finding's subject, never line
//! numbers, so a baseline survives code moving around.

use crate::Finding;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Version of the baseline file format.
pub const BASELINE_VERSION: u32 = 1;

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    pub fingerprint: String,
    pub rule: String,
    /// The finding's message when it was baselined (for people reading the file).
    pub message: String,
}

/// A set of accepted findings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    /// Sorted by fingerprint.
    pub entries: Vec<BaselineEntry>,
}

impl Default for Baseline {
    fn default() -> Self {
        Baseline {
            version: BASELINE_VERSION,
            entries: Vec::new(),
        }
    }
}

/// Errors reading or writing a baseline file.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file could not be read or written.
    #[error("{}: {source}", file.display())]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid baseline JSON.
    #[error("{}:{line}:{column}: invalid baseline: {message}", file.display())]
    Json {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// The file has a version this build does not read.
    #[error("{}: unsupported baseline version {found} (this nova reads version {expected})", file.display())]
    Version {
        file: PathBuf,
        found: u32,
        expected: u32,
    },
}

impl Baseline {
    /// A baseline accepting exactly `findings`.
    pub fn from_findings(findings: &[Finding]) -> Baseline {
        let mut entries: Vec<BaselineEntry> = findings
            .iter()
            .map(|f| BaselineEntry {
                fingerprint: f.fingerprint.clone(),
                rule: f.rule.to_string(),
                message: f.message.clone(),
            })
            .collect();
        entries.sort();
        entries.dedup_by(|a, b| a.fingerprint == b.fingerprint);
        Baseline {
            version: BASELINE_VERSION,
            entries,
        }
    }

    /// Parse baseline JSON; `file` names the source in errors.
    pub fn from_json(text: &str, file: &Path) -> Result<Baseline, BaselineError> {
        let b: Baseline = serde_json::from_str(text).map_err(|e| BaselineError::Json {
            file: file.to_path_buf(),
            line: e.line(),
            column: e.column(),
            message: e.to_string(),
        })?;
        if b.version != BASELINE_VERSION {
            return Err(BaselineError::Version {
                file: file.to_path_buf(),
                found: b.version,
                expected: BASELINE_VERSION,
            });
        }
        Ok(b)
    }

    /// Pretty JSON with a trailing newline (entries sorted).
    pub fn to_json(&self) -> String {
        let mut b = self.clone();
        b.entries.sort();
        let mut s = serde_json::to_string_pretty(&b).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Read a baseline file.
    pub fn read(file: &Path) -> Result<Baseline, BaselineError> {
        let text = std::fs::read_to_string(file).map_err(|source| BaselineError::Io {
            file: file.to_path_buf(),
            source,
        })?;
        Baseline::from_json(&text, file)
    }

    /// Write this baseline to `file`.
    pub fn write(&self, file: &Path) -> Result<(), BaselineError> {
        std::fs::write(file, self.to_json()).map_err(|source| BaselineError::Io {
            file: file.to_path_buf(),
            source,
        })
    }
}

/// Findings split by a baseline.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BaselineOutcome {
    /// Not in the baseline.
    pub new: Vec<Finding>,
    /// In the baseline.
    pub baselined: Vec<Finding>,
    /// Baseline entries that no finding matches any more (fixed: remove them).
    pub stale: Vec<BaselineEntry>,
}

/// Split `findings` by `baseline` (order of findings is kept).
pub fn apply(findings: Vec<Finding>, baseline: &Baseline) -> BaselineOutcome {
    let mut known: BTreeMap<&str, bool> = baseline
        .entries
        .iter()
        .map(|e| (e.fingerprint.as_str(), false))
        .collect();
    let mut out = BaselineOutcome::default();
    for f in findings {
        match known.get_mut(f.fingerprint.as_str()) {
            Some(hit) => {
                *hit = true;
                out.baselined.push(f);
            }
            None => out.new.push(f),
        }
    }
    let mut stale: Vec<BaselineEntry> = baseline
        .entries
        .iter()
        .filter(|e| !known.get(e.fingerprint.as_str()).copied().unwrap_or(false))
        .cloned()
        .collect();
    stale.sort();
    stale.dedup();
    out.stale = stale;
    out
}
