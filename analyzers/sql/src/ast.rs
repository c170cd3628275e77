//! Analysis of statements `sqlparser` could read.
//!
//! Reads come from `sqlparser`'s visitor: every relation it visits (FROM,
//! JOIN, subqueries anywhere, CTE bodies, set operations, `INSERT … SELECT`,
//! `UPDATE … FROM`, `DELETE … USING`, MERGE sources) is a read, except
//! - names of CTEs in scope (for a non-recursive `WITH`, a CTE body only sees
//!   the CTEs declared before it),
//! - table functions (`generate_series(…)`),
//! - the targets of the writing statements, which get their write
//!   operation instead (skipped by identity of the AST node, so
//!   `UPDATE t … WHERE id IN (SELECT id FROM t)` still reads `t`).
//!
//! Writes are found in `pre_visit_statement`, which also sees the statements
//! nested in data-modifying CTEs.

use crate::name::{self, TableName};
use crate::{CatalogChange, Options};
use nova_model::{Op, TableEventKind};
use sqlparser::ast::{
    AlterTableOperation, AssignmentTarget, CopySource, Expr, FromTable, MergeAction, ObjectName,
    ObjectType, OnConflictAction, OnInsert, Query, RenameTableNameKind, Statement, TableFactor,
    TableObject, TableWithJoins, Visit, Visitor,
};
use std::collections::{HashMap, HashSet};
use std::ops::ControlFlow;

/// What the analysis of parsed statements found.
#[derive(Debug, Default)]
pub(crate) struct Found {
    pub accesses: Vec<(String, Op)>,
    pub unresolved: Vec<String>,
    /// Names of the functions called (normalised like table names).
    pub calls: Vec<String>,
}

impl Found {
    pub fn add(&mut self, name: TableName, op: Op) {
        match name {
            TableName::Resolved(s) if !s.is_empty() => self.accesses.push((s, op)),
            TableName::Resolved(_) => {}
            TableName::Unresolved(s) => self.unresolved.push(s),
        }
    }

    /// Record a call of the function `name` (unresolved names are dropped).
    pub fn call(&mut self, name: TableName) {
        if let TableName::Resolved(s) = name
            && !s.is_empty()
        {
            self.calls.push(s);
        }
    }
}

/// Identity of an AST node (its address), for "is this the same node".
fn addr<T>(node: &T) -> usize {
    std::ptr::from_ref(node).addr()
}

/// The CTEs declared by one query.
struct Scope {
    /// The query that declares them (identity only).
    query: usize,
    /// CTE name -> its index in the `WITH` list (first one wins).
    names: HashMap<String, usize>,
    /// CTE body query (identity) -> its index.
    bodies: HashMap<usize, usize>,
    /// Number of CTEs.
    len: usize,
    recursive: bool,
    /// CTEs with an index below this are visible right now.
    visible: usize,
}

struct Collector<'a> {
    opts: &'a Options,
    found: &'a mut Found,
    /// Relations that are write targets or table functions (identity only).
    skip: HashSet<usize>,
    scopes: Vec<Scope>,
}

impl Collector<'_> {
    fn is_cte(&self, name: &ObjectName) -> bool {
        let [part] = name.0.as_slice() else {
            return false;
        };
        let Some(id) = part.as_ident() else {
            return false;
        };
        let n = name::ident(id);
        self.scopes
            .iter()
            .any(|s| s.names.get(&n).is_some_and(|&i| i < s.visible))
    }

    fn write(&mut self, name: &ObjectName, op: Op) {
        self.skip.insert(addr(name));
        self.found.add(name::object_name(name, self.opts), op);
    }

    fn write_factor(&mut self, tf: &TableFactor, op: Op) {
        if let TableFactor::Table { name, .. } = tf {
            self.write(name, op);
        }
    }

    /// `alias or name` -> table, for the plain tables of a FROM list.
    fn aliases<'t>(
        from: impl IntoIterator<Item = &'t TableWithJoins>,
    ) -> Vec<(String, &'t ObjectName)> {
        let mut out = Vec::new();
        for twj in from {
            for tf in std::iter::once(&twj.relation).chain(twj.joins.iter().map(|j| &j.relation)) {
                if let TableFactor::Table {
                    name, alias, args, ..
                } = tf
                {
                    if args.is_some() {
                        continue;
                    }
                    if let Some(a) = alias {
                        out.push((name::ident(&a.name), name));
                    }
                    if let Some(last) = name.0.last().and_then(|p| p.as_ident()) {
                        out.push((name::ident(last), name));
                    }
                }
            }
        }
        out
    }

    fn statement(&mut self, stmt: &Statement) {
        match stmt {
            Statement::Insert(ins) => {
                let TableObject::TableName(target) = &ins.table else {
                    return;
                };
                self.write(target, Op::Create);
                let upsert = ins.replace_into
                    || matches!(ins.on, Some(OnInsert::DuplicateKeyUpdate(_)))
                    || matches!(
                        &ins.on,
                        Some(OnInsert::OnConflict(c)) if matches!(c.action, OnConflictAction::DoUpdate(_))
                    );
                if upsert {
                    self.found
                        .add(name::object_name(target, self.opts), Op::Update);
                }
            }
            Statement::Update(up) => {
                self.write_factor(&up.table.relation, Op::Update);
                // MySQL multi-table UPDATE: a joined table whose columns are
                // assigned (`SET b.x = …`) is written too.
                if up.table.joins.is_empty() {
                    return;
                }
                let aliases = Self::aliases([&up.table]);
                for a in &up.assignments {
                    let targets: &[ObjectName] = match &a.target {
                        AssignmentTarget::ColumnName(n) => std::slice::from_ref(n),
                        AssignmentTarget::Tuple(v) => v,
                    };
                    for col in targets {
                        let [q, _] = col.0.as_slice() else { continue };
                        let Some(q) = q.as_ident().map(name::ident) else {
                            continue;
                        };
                        if let Some((_, t)) = aliases.iter().find(|(a, _)| *a == q) {
                            self.found.add(name::object_name(t, self.opts), Op::Update);
                        }
                    }
                }
            }
            Statement::Delete(del) => {
                let from = match &del.from {
                    FromTable::WithFromKeyword(v) | FromTable::WithoutKeyword(v) => v,
                };
                if del.tables.is_empty() {
                    for twj in from {
                        self.write_factor(&twj.relation, Op::Delete);
                    }
                } else {
                    // MySQL multi-table DELETE: `DELETE a, b FROM …`; the
                    // names may be aliases of the FROM tables.
                    let aliases = Self::aliases(from.iter().chain(del.using.iter().flatten()));
                    for t in &del.tables {
                        let key = t.0.last().and_then(|p| p.as_ident()).map(name::ident);
                        let hit = if t.0.len() == 1 {
                            key.as_ref()
                                .and_then(|k| aliases.iter().find(|(a, _)| a == k))
                                .map(|(_, n)| *n)
                        } else {
                            None
                        };
                        let real = hit.unwrap_or(t);
                        self.found
                            .add(name::object_name(real, self.opts), Op::Delete);
                        // The FROM occurrence of a deleted table is not a read.
                        for twj in from.iter().chain(del.using.iter().flatten()) {
                            for tf in std::iter::once(&twj.relation)
                                .chain(twj.joins.iter().map(|j| &j.relation))
                            {
                                if let TableFactor::Table { name, alias, .. } = tf {
                                    let matches = alias.as_ref().map(|a| name::ident(&a.name))
                                        == key
                                        || name == real;
                                    if matches {
                                        self.skip.insert(addr(name));
                                    }
                                }
                            }
                        }
                    }
                }
            }
            Statement::Merge(m) => {
                if let TableFactor::Table { name, .. } = &m.table {
                    self.skip.insert(addr(name));
                    for c in &m.clauses {
                        let op = match c.action {
                            MergeAction::Insert(_) => Op::Create,
                            MergeAction::Update(_) => Op::Update,
                            MergeAction::Delete { .. } => Op::Delete,
                            MergeAction::DoNothing { .. } => continue,
                        };
                        self.found.add(name::object_name(name, self.opts), op);
                    }
                }
            }
            Statement::Truncate(t) => {
                for target in &t.table_names {
                    self.write(&target.name, Op::Delete);
                }
            }
            Statement::Copy {
                source: CopySource::Table { table_name, .. },
                to,
                ..
            } => {
                let op = if *to { Op::Read } else { Op::Create };
                self.found.add(name::object_name(table_name, self.opts), op);
            }
            _ => {}
        }
    }
}

impl Visitor for Collector<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        if let Some(top) = self.scopes.last_mut()
            && let Some(&i) = top.bodies.get(&addr(q))
        {
            top.visible = if top.recursive { top.len } else { i };
        }
        let mut scope = Scope {
            query: addr(q),
            names: HashMap::new(),
            bodies: HashMap::new(),
            len: 0,
            recursive: false,
            visible: 0,
        };
        if let Some(with) = &q.with {
            scope.recursive = with.recursive;
            scope.len = with.cte_tables.len();
            for (i, cte) in with.cte_tables.iter().enumerate() {
                scope.names.entry(name::ident(&cte.alias.name)).or_insert(i);
                scope.bodies.insert(addr(&*cte.query), i);
            }
            scope.visible = scope.len;
        }
        self.scopes.push(scope);
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, q: &Query) -> ControlFlow<()> {
        if self.scopes.last().is_some_and(|s| s.query == addr(q)) {
            self.scopes.pop();
        }
        if let Some(top) = self.scopes.last_mut()
            && top.bodies.contains_key(&addr(q))
        {
            top.visible = top.len;
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, tf: &TableFactor) -> ControlFlow<()> {
        match tf {
            TableFactor::Table {
                name,
                args: Some(_),
                ..
            } => {
                self.skip.insert(addr(name));
                self.found.call(name::object_name(name, self.opts));
            }
            TableFactor::Function { name, .. } => {
                self.found.call(name::object_name(name, self.opts));
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        if let Expr::Function(f) = e {
            self.found.call(name::object_name(&f.name, self.opts));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, rel: &ObjectName) -> ControlFlow<()> {
        if self.skip.contains(&addr(rel)) || self.is_cte(rel) {
            return ControlFlow::Continue(());
        }
        self.found.add(name::object_name(rel, self.opts), Op::Read);
        ControlFlow::Continue(())
    }

    fn pre_visit_statement(&mut self, stmt: &Statement) -> ControlFlow<()> {
        self.statement(stmt);
        ControlFlow::Continue(())
    }
}

/// The statements whose tables are accessed (DML and queries, and `CALL`,
/// whose procedure may). DDL is reported separately; session statements
/// (`SET`, `BEGIN`…) touch nothing.
pub(crate) fn is_dml(stmt: &Statement) -> bool {
    matches!(
        stmt,
        Statement::Query(_)
            | Statement::Call(_)
            | Statement::Insert(_)
            | Statement::Update(_)
            | Statement::Delete(_)
            | Statement::Merge(_)
            | Statement::Truncate(_)
            | Statement::Copy { .. }
    )
}

/// Collect the accesses of one parsed statement into `found`.
pub(crate) fn accesses(stmt: &Statement, opts: &Options, found: &mut Found) {
    let mut c = Collector {
        opts,
        found,
        skip: HashSet::new(),
        scopes: Vec::new(),
    };
    if let Statement::Call(f) = stmt {
        c.found.call(name::object_name(&f.name, opts));
    }
    if is_dml(stmt) {
        let _ = stmt.visit(&mut c);
        return;
    }
    if let Statement::Prepare { statement, .. } = stmt {
        accesses(statement, opts, c.found);
        return;
    }
    // `CREATE TABLE … AS SELECT`, `CREATE VIEW … AS SELECT` read their query.
    let query = match stmt {
        Statement::CreateTable(ct) => ct.query.as_deref(),
        Statement::CreateView(cv) => Some(&*cv.query),
        _ => None,
    };
    if let Some(q) = query {
        let _ = q.visit(&mut c);
    }
}

/// The catalog changes of one parsed statement at `line`.
pub(crate) fn ddl(stmt: &Statement, line: u32, opts: &Options, out: &mut Vec<CatalogChange>) {
    let norm = |n: &ObjectName| name::object_name(n, opts).as_str().to_string();
    let mut push = |table: String, kind: TableEventKind, other: Option<String>| {
        if !table.is_empty() {
            out.push(CatalogChange {
                table,
                kind,
                other,
                line,
            });
        }
    };
    match stmt {
        Statement::CreateTable(ct) => match &ct.partition_of {
            Some(parent) => push(
                norm(&ct.name),
                TableEventKind::CreatePartition,
                Some(norm(parent)),
            ),
            None => push(norm(&ct.name), TableEventKind::Create, None),
        },
        Statement::AlterTable(at) => {
            let table = norm(&at.name);
            let mut altered = false;
            for op in &at.operations {
                match op {
                    AlterTableOperation::RenameTable {
                        table_name: RenameTableNameKind::As(new) | RenameTableNameKind::To(new),
                    } => {
                        let new = name::rename_target(&table, &norm(new));
                        push(table.clone(), TableEventKind::RenameTo, Some(new.clone()));
                        push(new, TableEventKind::RenameFrom, Some(table.clone()));
                    }
                    _ => altered = true,
                }
            }
            if altered || at.operations.is_empty() {
                push(table, TableEventKind::Alter, None);
            }
        }
        Statement::RenameTable(renames) => {
            for r in renames {
                let old = norm(&r.old_name);
                let new = name::rename_target(&old, &norm(&r.new_name));
                push(old.clone(), TableEventKind::RenameTo, Some(new.clone()));
                push(new, TableEventKind::RenameFrom, Some(old));
            }
        }
        Statement::Drop {
            object_type: ObjectType::Table,
            names,
            ..
        } => {
            for n in names {
                push(norm(n), TableEventKind::Drop, None);
            }
        }
        _ => {}
    }
}
