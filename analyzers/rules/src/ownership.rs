//! Table ownership: who writes a table, and who owns it.

use nova_model::{Access, Model, OpSet, Table, TableEventKind};
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
    let w = writers(model, table);
    resolve_owner(t, &w, depth, &|parent, d| owner_depth(model, parent, d))
}

/// The ownership decision, given the table, its writers and a way to get
/// the owner of another table (the partition parent).
fn resolve_owner(
    t: Option<&Table>,
    w: &BTreeMap<String, OpSet>,
    depth: u8,
    parent_owner: &dyn Fn(&str, u8) -> Option<Owner>,
) -> Option<Owner> {
    if let Some(declared) = t.and_then(|t| t.declared_owner.clone()) {
        return Some(Owner {
            service: declared,
            basis: OwnerBasis::Declared,
        });
    }
    if w.len() == 1 {
        return w.keys().next().cloned().map(|service| Owner {
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
        (Some(parent), d) if d < 8 && *parent != t.name => {
            parent_owner(parent, d + 1).map(|o| Owner {
                service: o.service,
                basis: OwnerBasis::PartitionParent,
            })
        }
        _ => None,
    }
}

/// Ownership facts of every table, computed in one pass over the accesses
/// (use this instead of the free functions when looking at many tables).
#[derive(Debug, Clone)]
pub struct Ownership<'a> {
    accesses: BTreeMap<&'a str, Vec<&'a Access>>,
    cells: BTreeMap<&'a str, BTreeMap<String, OpSet>>,
    owners: BTreeMap<&'a str, Option<Owner>>,
}

impl<'a> Ownership<'a> {
    /// Index `model`.
    pub fn new(model: &'a Model) -> Ownership<'a> {
        let mut accesses: BTreeMap<&str, Vec<&Access>> = BTreeMap::new();
        for t in &model.tables {
            accesses.entry(t.name.as_str()).or_default();
        }
        for a in &model.accesses {
            accesses.entry(a.table.as_str()).or_default().push(a);
        }
        let mut cells: BTreeMap<&str, BTreeMap<String, OpSet>> = BTreeMap::new();
        for (t, list) in &accesses {
            let c = cells.entry(t).or_default();
            for a in list {
                c.entry(a.service.clone()).or_default().insert(a.op);
            }
        }
        let tables: BTreeMap<&str, &Table> =
            model.tables.iter().map(|t| (t.name.as_str(), t)).collect();
        let writers_of = |t: &str| -> BTreeMap<String, OpSet> {
            let mut w = cells.get(t).cloned().unwrap_or_default();
            w.retain(|_, ops| ops.has_write());
            w
        };
        fn owner_of(
            name: &str,
            depth: u8,
            tables: &BTreeMap<&str, &Table>,
            writers_of: &dyn Fn(&str) -> BTreeMap<String, OpSet>,
        ) -> Option<Owner> {
            let w = writers_of(name);
            resolve_owner(tables.get(name).copied(), &w, depth, &|p, d| {
                owner_of(p, d, tables, writers_of)
            })
        }
        let owners = accesses
            .keys()
            .map(|t| (*t, owner_of(t, 0, &tables, &writers_of)))
            .collect();
        Ownership {
            accesses,
            cells,
            owners,
        }
    }

    /// Every table (in the catalog or accessed), sorted.
    pub fn tables(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.accesses.keys().copied()
    }

    /// The accesses to `table`, in model order.
    pub fn accesses(&self, table: &str) -> &[&'a Access] {
        self.accesses.get(table).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Every service accessing `table`, with its operations.
    pub fn cells(&self, table: &str) -> BTreeMap<String, OpSet> {
        self.cells.get(table).cloned().unwrap_or_default()
    }

    /// Every service writing `table`, with all its operations on it.
    pub fn writers(&self, table: &str) -> BTreeMap<String, OpSet> {
        let mut w = self.cells(table);
        w.retain(|_, ops| ops.has_write());
        w
    }

    /// The owner of `table` (see [`owner`]).
    pub fn owner(&self, table: &str) -> Option<&Owner> {
        self.owners.get(table).and_then(Option::as_ref)
    }
}
