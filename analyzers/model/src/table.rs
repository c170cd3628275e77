use crate::Location;
use serde::{Deserialize, Serialize};

/// A migration file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Migration {
    /// Path relative to the root.
    pub file: String,
    /// The service whose folder holds it, if any.
    pub service: Option<String>,
    /// "sqlx", "refinery", "diesel" or "sql".
    pub tool: String,
}

/// What a migration does to a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TableEventKind {
    Create,
    /// `CREATE TABLE x PARTITION OF parent`.
    CreatePartition,
    /// Renamed to another name (the other name is in `other`).
    RenameTo,
    /// Renamed from another name.
    RenameFrom,
    Drop,
    Alter,
}

/// One catalog change to a table, in a migration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableEvent {
    pub kind: TableEventKind,
    pub location: Location,
    /// Service whose folder holds the migration.
    pub service: Option<String>,
    /// Partition parent, or the other side of a rename.
    pub other: Option<String>,
}

/// A table: in the catalog (from migrations), accessed by code, or both.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// Normalised name (lower case unless quoted; default schema stripped).
    pub name: String,
    /// Catalog history from migrations, in file order.
    pub events: Vec<TableEvent>,
    /// True when a migration creates it (and no later one drops it).
    pub in_catalog: bool,
    /// Owner declared in `nova.toml`, if any.
    pub declared_owner: Option<String>,
    /// Partition parent, when this table is a partition.
    pub partition_of: Option<String>,
}
