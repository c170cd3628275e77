use crate::Location;
use serde::{Deserialize, Serialize};
use std::fmt;

/// One of the four CRUD operations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Op {
    #[serde(rename = "C")]
    Create,
    #[serde(rename = "R")]
    Read,
    #[serde(rename = "U")]
    Update,
    #[serde(rename = "D")]
    Delete,
}

impl Op {
    pub const ALL: [Op; 4] = [Op::Create, Op::Read, Op::Update, Op::Delete];

    pub fn letter(self) -> char {
        match self {
            Op::Create => 'C',
            Op::Read => 'R',
            Op::Update => 'U',
            Op::Delete => 'D',
        }
    }

    /// Create, update and delete are writes.
    pub fn is_write(self) -> bool {
        !matches!(self, Op::Read)
    }
}

/// A set of operations, displayed as the letters among `CRUD` in that order.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct OpSet(u8);

impl OpSet {
    fn bit(op: Op) -> u8 {
        1 << (op as u8)
    }
    pub fn insert(&mut self, op: Op) {
        self.0 |= Self::bit(op);
    }
    pub fn contains(self, op: Op) -> bool {
        self.0 & Self::bit(op) != 0
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn has_write(self) -> bool {
        Op::ALL.iter().any(|&o| o.is_write() && self.contains(o))
    }
    pub fn iter(self) -> impl Iterator<Item = Op> {
        Op::ALL.into_iter().filter(move |&o| self.contains(o))
    }
    pub fn union(self, other: OpSet) -> OpSet {
        OpSet(self.0 | other.0)
    }
}

impl FromIterator<Op> for OpSet {
    fn from_iter<I: IntoIterator<Item = Op>>(iter: I) -> Self {
        let mut s = OpSet::default();
        for op in iter {
            s.insert(op);
        }
        s
    }
}

impl fmt::Display for OpSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for op in self.iter() {
            write!(f, "{}", op.letter())?;
        }
        Ok(())
    }
}

/// How sure nova is about an access.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// Parsed by `sqlparser` from fully resolved SQL text.
    #[default]
    High,
    /// Found by the lexical fallback, or SQL with unresolved parts, or made
    /// by the body of a stored function/procedure the SQL calls, or a
    /// SeaORM `save` (an insert or an update: recorded as both).
    Low,
}

/// How an access was found: SQL text (sqlx, tokio-postgres, diesel
/// `sql_query`...) or an ORM's query builder.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum AccessSource {
    /// SQL text parsed by `sqlparser`.
    #[default]
    Sql,
    /// A diesel query (`insert_into(users::table)`, `users::table.filter(..)`).
    Diesel,
    /// A SeaORM query (`Entity::find()`, `active_model.insert(db)`).
    SeaOrm,
}

impl AccessSource {
    /// Its name in the JSON model and in messages.
    pub fn as_str(self) -> &'static str {
        match self {
            AccessSource::Sql => "sql",
            AccessSource::Diesel => "diesel",
            AccessSource::SeaOrm => "sea-orm",
        }
    }
}

/// One service performing one operation on one table, at one place.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Access {
    pub service: String,
    pub table: String,
    pub op: Op,
    /// Where the SQL text is (for SQL in a library: in the library); for an
    /// ORM query, where the call or the table reference is.
    pub location: Location,
    pub confidence: Confidence,
    /// The library crate the SQL lives in, when it is not the service's own code.
    pub via_library: Option<String>,
    /// Where the service calls into that library (first call site found).
    pub call_site: Option<Location>,
    /// Enclosing function (`module::fn` or `Type::method`), when known.
    pub function: Option<String>,
    /// True when the SQL came from test/bench/example code (only present
    /// when the scan was asked to include tests).
    pub in_test: bool,
    /// SQL text, or the ORM whose query builder made the access (`sql` when
    /// absent, as in JSON written before schema 2).
    #[serde(default)]
    pub source: AccessSource,
    /// For an ORM access, the call that makes it (`diesel::insert_into`,
    /// `ActiveModel::save (insert or update)`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orm_call: Option<String>,
}

/// Non-relational stores nova recognises and keeps out of the matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StoreKind {
    #[serde(rename = "clickhouse")]
    ClickHouse,
    Cypher,
    Other,
}

/// A query to a non-relational store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoreQuery {
    pub service: String,
    pub store: StoreKind,
    /// Tables/labels the query names, when found.
    pub objects: Vec<String>,
    pub location: Location,
    pub via_library: Option<String>,
}
