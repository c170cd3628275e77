//! A planned change: what happens to each file, and its diff.

use serde::Serialize;

/// What a scaffold does to one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    /// A new file.
    Create,
    /// Generated again, byte for byte the same: nothing to write.
    Identical,
    /// A generated file nova wrote and nobody edited: regenerated.
    Update,
    /// A line added to a file a person owns (a `mod`, a call, a dependency).
    Inject,
    /// The person's file already has what the scaffold would add.
    Skip,
    /// A generated file edited since nova wrote it (or a file nova did not write):
    /// kept as it is unless `--force`.
    Conflict,
}

impl Action {
    /// The word shown in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Identical => "identical",
            Self::Update => "update",
            Self::Inject => "inject",
            Self::Skip => "skip",
            Self::Conflict => "conflict",
        }
    }

    /// Whether the file gets written.
    pub fn writes(self) -> bool {
        matches!(self, Self::Create | Self::Update | Self::Inject)
    }
}

/// One file of a planned change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChange {
    /// Path relative to the root, `/`-separated.
    pub path: String,
    /// What happens to it.
    pub action: Action,
    /// Its content now (`None`: it does not exist).
    #[serde(skip)]
    pub before: Option<String>,
    /// Its content after the scaffold (for a conflict: what nova would have written).
    #[serde(skip)]
    pub after: String,
    /// Why (for skips and conflicts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl FileChange {
    /// A unified diff from `before` to `after` (`/dev/null` for a new file).
    pub fn diff(&self) -> String {
        let before = self.before.as_deref().unwrap_or("");
        let old = if self.before.is_some() {
            format!("a/{}", self.path)
        } else {
            "/dev/null".to_owned()
        };
        similar::TextDiff::from_lines(before, &self.after)
            .unified_diff()
            .context_radius(3)
            .header(&old, &format!("b/{}", self.path))
            .to_string()
    }
}

/// Every file a scaffold touches, in path order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The files.
    pub files: Vec<FileChange>,
}

impl Plan {
    /// Whether applying the plan writes anything.
    pub fn changes_anything(&self) -> bool {
        self.files.iter().any(|f| f.action.writes())
    }

    /// The files kept because they were edited.
    pub fn conflicts(&self) -> impl Iterator<Item = &FileChange> {
        self.files.iter().filter(|f| f.action == Action::Conflict)
    }

    /// One line per file: `create  path`.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        for f in &self.files {
            s.push_str(&format!("{:<9} {}", f.action.as_str(), f.path));
            if let Some(note) = &f.note {
                s.push_str(&format!("  ({note})"));
            }
            s.push('\n');
        }
        s
    }

    /// The unified diff of every file that would be written (and of conflicts).
    pub fn diff(&self) -> String {
        self.files
            .iter()
            .filter(|f| f.action.writes() || f.action == Action::Conflict)
            .map(FileChange::diff)
            .collect()
    }
}
