//! Table ownership: who writes a table, and who owns it.

use nova_model::{Model, OpSet, TableEventKind};
use serde::Serialize;
use std::collections::BTreeMap;

/// Why a service is considered a table's owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OwnerBasis {
    /// `[tables.<name>] owner = ...` in `nova.toml`.
    Declared,
    /// The only service that creates/updates/deletes it.
    SingleWriter,
    /// The service whose migration creates it.
    Migration,
    /// Inherited from the partition parent.
    PartitionParent,
}

impl OwnerBasis {
    /// Human wording, e.g. "declared in nova.toml".
    pub fn describe(self) -> &'static str {
        match self {
            OwnerBasis::Declared => "declared in nova.toml",
            OwnerBasis::SingleWriter => "its only writer",
            OwnerBasis::Migration => "its migration creates the table",
            OwnerBasis::PartitionParent => "owner of the partition parent",
        }
    }
}

/// The owner of a table and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Owner {
    pub service: String,
    pub basis: OwnerBasis,
}

/// Every service that writes `table`, with the union of its operations on it
/// (all operations, reads included), sorted by service.
pub fn writers(model: &Model, table: &str) -> BTreeMap<String, OpSet> {
    let mut all: BTreeMap<String, OpSet> = BTreeMap::new();
    for a in model.accesses.iter().filter(|a| a.table == table) {
        let e = all.entry(a.service.clone()).or_default();
        e.insert(a.op);
    }
    all.retain(|_, ops| ops.has_write());
    all
}

/// Every service that accesses `table`, with its operations, sorted.
pub fn cells(model: &Model, table: &str) -> BTreeMap<String, OpSet> {
    let mut all: BTreeMap<String, OpSet> = BTreeMap::new();
    for a in model.accesses.iter().filter(|a| a.table == table) {
        all.entry(a.service.clone()).or_default().insert(a.op);
    }
    all
}

/// The owner of `table`: declared in config, else the only writer, else the
/// service whose migration creates it, else the owner of its partition
/// parent, else none.
pub fn owner(model: &Model, table: &str) -> Option<Owner> {
    owner_depth(model, table, 0)
}

fn owner_depth(model: &Model, table: &str, depth: u8) -> Option<Owner> {
    let t = model.table(table);
    if let Some(declared) = t.and_then(|t| t.declared_owner.clone()) {
        return Some(Owner {
            service: declared,
            basis: OwnerBasis::Declared,
        });
    }
    let w = writers(model, table);
    if w.len() == 1 {
        return w.into_keys().next().map(|service| Owner {
            service,
            basis: OwnerBasis::SingleWriter,
        });
    }
    let t = t?;
    let created_by = t
        .events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                TableEventKind::Create | TableEventKind::CreatePartition
            )
        })
        .find_map(|e| e.service.clone());
    if let Some(service) = created_by {
        return Some(Owner {
            service,
            basis: OwnerBasis::Migration,
        });
    }
    match (&t.partition_of, depth) {
        (Some(parent), d) if d < 8 && parent != table => {
            owner_depth(model, parent, d + 1).map(|o| Owner {
                service: o.service,
                basis: OwnerBasis::PartitionParent,
            })
        }
        _ => None,
    }
}
