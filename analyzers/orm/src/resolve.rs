//! Across files: the ORM declarations of a set of crates, and the tables a
//! query's names stand for.
//!
//! Names are matched like `rustc` would find them where that is cheap, and
//! by name otherwise: a path anchored at `crate`, `self` or `super` is made
//! absolute in its crate; any other path (an extern crate, a child module,
//! a re-export) is matched by its trailing segments. Among the
//! declarations of a name visible from the query (its crate and the local
//! crates it depends on), the one whose module path shares the longest
//! suffix with the written path wins, then one of the query's own crate,
//! then the first in (package, file) order.

use crate::{FileOrm, Orm, TableEventKind, Target};
use std::collections::HashMap;

/// One file's ORM facts with where the file is.
#[derive(Debug, Clone, Copy)]
pub struct SchemaFile<'a> {
    /// Cargo package of the file.
    pub package: &'a str,
    /// Path relative to the scanned root.
    pub path: &'a str,
    /// Module path of the file in its crate (`src/db/schema.rs` ->
    /// `["db", "schema"]`).
    pub module: &'a [String],
    pub orm: &'a FileOrm,
}

/// Where a declaration is.
#[derive(Debug, Clone)]
struct Decl<T> {
    package: String,
    /// Absolute module path in the crate (file module + inline modules).
    module: Vec<String>,
    file: String,
    line: u32,
    value: T,
}

/// A table an ORM declaration names, for drift checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub orm: Orm,
    pub table: String,
    pub package: String,
    pub file: String,
    pub line: u32,
}

/// A resolved migration step: a table event at a line of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableChange {
    pub kind: TableEventKind,
    pub table: String,
    pub other: Option<String>,
    pub line: u32,
}

/// The tables a query's target stands for.
pub type Resolved = Result<Vec<String>, String>;

/// The ORM declarations of a set of crates.
#[derive(Debug, Default)]
pub struct Schema {
    /// diesel `table!` ident -> declarations (value: SQL name).
    tables: HashMap<String, Vec<Decl<String>>>,
    /// diesel model struct name -> declarations (value: table path).
    models: HashMap<String, Vec<Decl<Vec<String>>>>,
    /// Last segment of an entity's module -> declarations (value: table).
    entities: HashMap<String, Vec<Decl<String>>>,
    /// Alias -> declarations (value: aliased path).
    aliases: HashMap<String, Vec<Decl<Vec<String>>>>,
    /// `Relation` variant -> declarations (value: target path).
    relations: HashMap<String, Vec<Decl<Vec<String>>>>,
    /// `Linked` struct -> declarations (value: what `link()` joins).
    links: HashMap<String, Vec<Decl<Vec<Target>>>>,
    /// `Iden` enum -> declarations (value: table).
    idens: HashMap<String, Vec<Decl<String>>>,
    /// Schemas stripped from table names (`public.users` -> `users`).
    default_schemas: Vec<String>,
}

/// Where a query is, for resolution.
#[derive(Clone, Copy)]
pub struct Site<'a> {
    pub package: &'a str,
    pub file: &'a str,
    /// Absolute module path of the site (file module + inline modules).
    pub module: &'a [String],
    /// Whether a package's declarations are visible from here (the
    /// package itself and the local crates it depends on).
    pub visible: &'a dyn Fn(&str) -> bool,
}

/// `path` made absolute in its crate when it is anchored (`crate::`,
/// `self::`, `super::`), with whether it was.
fn absolute(path: &[String], here: &[String]) -> (Vec<String>, bool) {
    match path.first().map(String::as_str) {
        Some("crate") => (path[1..].to_vec(), true),
        Some("self") => (here.iter().chain(&path[1..]).cloned().collect(), true),
        Some("super") => {
            let ups = path.iter().take_while(|s| *s == "super").count();
            let keep = here.len().saturating_sub(ups);
            (
                here[..keep].iter().chain(&path[ups..]).cloned().collect(),
                true,
            )
        }
        _ => (path.to_vec(), false),
    }
}

/// Number of equal trailing segments.
fn suffix(a: &[String], b: &[String]) -> usize {
    a.iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

impl<T> Decl<T> {
    fn new(f: &SchemaFile<'_>, inline: &[String], line: u32, value: T) -> Decl<T> {
        Decl {
            package: f.package.to_string(),
            module: f.module.iter().chain(inline).cloned().collect(),
            file: f.path.to_string(),
            line,
            value,
        }
    }

    /// Where the declaration is, to resolve the names it holds.
    fn site<'a>(&'a self, visible: &'a dyn Fn(&str) -> bool) -> Site<'a> {
        Site {
            package: &self.package,
            file: &self.file,
            module: &self.module,
            visible,
        }
    }
}

/// The best declaration for a written module path `module` (absolute or
/// not), among those visible from `from`.
fn best<'d, T>(
    decls: Option<&'d Vec<Decl<T>>>,
    module: &[String],
    from: &Site<'_>,
) -> Option<&'d Decl<T>> {
    let (abs, anchored) = absolute(module, from.module);
    decls?
        .iter()
        .filter(|d| (from.visible)(&d.package))
        .max_by_key(|d| {
            let own = d.package == from.package;
            let exact = anchored && own && d.module == abs;
            // `max_by_key` keeps the last maximum: rank earlier ones higher.
            (
                exact,
                suffix(&d.module, &abs),
                own,
                std::cmp::Reverse((&d.package, &d.file)),
            )
        })
}

impl Schema {
    /// Index the declarations of `files`; `default_schemas` are stripped
    /// from table names.
    pub fn new<'a>(
        files: impl IntoIterator<Item = SchemaFile<'a>>,
        default_schemas: &[String],
    ) -> Schema {
        let mut s = Schema {
            default_schemas: default_schemas.to_vec(),
            ..Schema::default()
        };
        for f in files {
            let o = f.orm;
            for t in &o.diesel_tables {
                let d = Decl::new(&f, &t.module, t.line, t.name.clone());
                s.tables.entry(t.ident.clone()).or_default().push(d);
            }
            for m in &o.diesel_models {
                let d = Decl::new(&f, &m.module, m.line, m.table.clone());
                s.models.entry(m.name.clone()).or_default().push(d);
            }
            for e in &o.entities {
                let d = Decl::new(&f, &e.module, e.line, e.table.clone());
                let key = d.module.last().cloned().unwrap_or_default();
                s.entities.entry(key).or_default().push(d);
            }
            for a in &o.aliases {
                let d = Decl::new(&f, &a.module, 0, a.path.clone());
                s.aliases.entry(a.name.clone()).or_default().push(d);
            }
            for r in &o.relations {
                let d = Decl::new(&f, &r.module, 0, r.target.clone());
                s.relations.entry(r.variant.clone()).or_default().push(d);
            }
            for l in &o.links {
                let d = Decl::new(&f, &l.module, 0, l.targets.clone());
                s.links.entry(l.name.clone()).or_default().push(d);
            }
            for i in &o.idens {
                let d = Decl::new(&f, &i.module, 0, i.table.clone());
                s.idens.entry(i.name.clone()).or_default().push(d);
            }
        }
        for decls in s.tables.values_mut() {
            decls.sort_by(|a, b| (&a.package, &a.file, a.line).cmp(&(&b.package, &b.file, b.line)));
        }
        s
    }

    /// Whether nothing is declared.
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
            && self.models.is_empty()
            && self.entities.is_empty()
            && self.aliases.is_empty()
            && self.idens.is_empty()
    }

    /// A table name with a default schema stripped.
    fn normalise(&self, name: &str) -> String {
        match name.split_once('.') {
            Some((schema, rest))
                if self
                    .default_schemas
                    .iter()
                    .any(|d| d.eq_ignore_ascii_case(schema)) =>
            {
                rest.to_string()
            }
            _ => name.to_string(),
        }
    }

    /// Every table a diesel `table!` or a SeaORM entity declares.
    pub fn declared(&self) -> Vec<Declared> {
        let mut out: Vec<Declared> = Vec::new();
        let mut push = |orm, decls: &Vec<Decl<String>>| {
            for d in decls {
                out.push(Declared {
                    orm,
                    table: self.normalise(&d.value),
                    package: d.package.clone(),
                    file: d.file.clone(),
                    line: d.line,
                });
            }
        };
        for decls in self.tables.values() {
            push(Orm::Diesel, decls);
        }
        for decls in self.entities.values() {
            push(Orm::SeaOrm, decls);
        }
        out.sort_by(|a, b| (&a.file, a.line, &a.table).cmp(&(&b.file, b.line, &b.table)));
        out
    }

    /// The tables `target` (of a query of `orm`) stands for, from `from`;
    /// the reason when it cannot be told.
    pub fn resolve(&self, orm: Orm, target: &Target, from: &Site<'_>) -> Resolved {
        let tables = match target {
            Target::DieselTable(path) => self.diesel_table(path, from).map(|t| vec![t]),
            Target::Type(path) => match orm {
                Orm::Diesel => self.diesel_model(path, from),
                Orm::SeaOrm => self.entity(path, from, 0),
            }
            .map(|t| vec![t]),
            Target::Relation { path, rev } => self.relation(path, *rev, from).map(|t| vec![t]),
            Target::Link(path) => self.link(path, from),
            Target::Iden(path) => self.iden(path, from).map(|t| vec![t]),
            Target::Named(name) => Ok(vec![name.clone()]),
        }?;
        Ok(tables.iter().map(|t| self.normalise(t)).collect())
    }

    fn diesel_table(&self, path: &[String], from: &Site<'_>) -> Result<String, String> {
        let ident = path.last().ok_or("empty path")?;
        best(self.tables.get(ident), &path[..path.len() - 1], from)
            .map(|d| d.value.clone())
            .ok_or_else(|| {
                format!(
                    "no `table!` the scan found declares `{ident}` (for `{}`)",
                    path.join("::")
                )
            })
    }

    fn diesel_model(&self, path: &[String], from: &Site<'_>) -> Result<String, String> {
        let name = path.last().ok_or("empty path")?;
        let d = best(self.models.get(name), &path[..path.len() - 1], from)
            .ok_or_else(|| format!("`{name}` is not a diesel model the scan found"))?;
        let at = d.site(from.visible);
        self.diesel_table(&d.value, &at)
    }

    /// The table of the entity a path names (`cake::Entity`,
    /// `cake::ActiveModel`, `Entity` in its module, an alias).
    fn entity(&self, path: &[String], from: &Site<'_>, depth: usize) -> Result<String, String> {
        let not_found = || {
            format!(
                "`{}` is not a SeaORM entity the scan found",
                path.join("::")
            )
        };
        let Some((last, module)) = path.split_last() else {
            return Err(not_found());
        };
        if depth > 4 {
            return Err(not_found());
        }
        if matches!(last.as_str(), "Entity" | "Model" | "ActiveModel" | "Column") {
            let (abs, _) = absolute(module, from.module);
            let module: Vec<String> =
                if module.is_empty() || (abs.is_empty() && module[0] == "self") {
                    from.module.to_vec()
                } else {
                    module.to_vec()
                };
            let key = match module.last() {
                Some(k) => k.clone(),
                None => {
                    return Err(not_found());
                }
            };
            let anchored_here = module == from.module;
            let decls = self.entities.get(&key);
            let pick = if anchored_here {
                decls.and_then(|ds| {
                    ds.iter()
                        .find(|d| d.package == from.package && d.module == from.module)
                })
            } else {
                None
            };
            return pick
                .or_else(|| best(decls, &module, from))
                .map(|d| d.value.clone())
                .ok_or_else(not_found);
        }
        // An alias: `Cake` of `use super::cake::Entity as Cake`.
        let d = best(self.aliases.get(last), module, from).ok_or_else(not_found)?;
        let at = d.site(from.visible);
        self.entity(&d.value, &at, depth + 1)
    }

    /// The entity a relation variant leads to (`rev`: the entity that
    /// declares it).
    fn relation(&self, path: &[String], rev: bool, from: &Site<'_>) -> Result<String, String> {
        let n = path.len();
        let (variant, owner) = match path {
            [.., owner_rel, variant] if owner_rel == "Relation" => (variant, &path[..n - 2]),
            _ => return Err(format!("`{}` is not a relation", path.join("::"))),
        };
        let mut entity_path = owner.to_vec();
        entity_path.push("Entity".into());
        if rev {
            return self.entity(&entity_path, from, 0);
        }
        let module = if owner.is_empty() {
            from.module.to_vec()
        } else {
            owner.to_vec()
        };
        let (abs, _) = absolute(&module, from.module);
        let d = best(self.relations.get(variant), &abs, from).ok_or_else(|| {
            format!(
                "no SeaORM `Relation` the scan found has a variant `{}`",
                path.join("::")
            )
        })?;
        let at = d.site(from.visible);
        self.entity(&d.value, &at, 0)
    }

    fn link(&self, path: &[String], from: &Site<'_>) -> Resolved {
        let name = path.last().ok_or("empty path")?;
        let d = best(self.links.get(name), &path[..path.len() - 1], from)
            .ok_or_else(|| format!("`{name}` is not a SeaORM `Linked` the scan found"))?;
        let at = d.site(from.visible);
        let mut out = Vec::new();
        for t in &d.value {
            out.extend(self.resolve(Orm::SeaOrm, t, &at)?);
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    fn iden(&self, path: &[String], from: &Site<'_>) -> Result<String, String> {
        let name = path.last().ok_or("empty path")?;
        let decls = self.idens.get(name);
        // The enum of the same file first (a migration declares its own).
        let same_file = decls.and_then(|ds| ds.iter().find(|d| d.file == from.file));
        same_file
            .or_else(|| best(decls, &path[..path.len() - 1], from))
            .map(|d| d.value.clone())
            .ok_or_else(|| format!("`{name}` is not an `Iden` enum the scan found"))
    }

    /// The table changes of a file's SeaORM migration steps (test code and
    /// `down` left out), with the steps that could not be resolved.
    pub fn migrations(
        &self,
        f: &SchemaFile<'_>,
        visible: &dyn Fn(&str) -> bool,
    ) -> (Vec<TableChange>, Vec<(u32, String)>) {
        let mut out = Vec::new();
        let mut failed = Vec::new();
        let forward = |m: &&crate::MigrationStep| {
            let undo = m
                .function
                .as_deref()
                .is_some_and(|f| f == "down" || f.ends_with("::down"));
            !m.in_test && !undo
        };
        for m in f.orm.migrations.iter().filter(forward) {
            let module: Vec<String> = f.module.iter().chain(&m.module).cloned().collect();
            let from = Site {
                package: f.package,
                file: f.path,
                module: &module,
                visible,
            };
            let one = |t: &Target| -> Result<String, String> {
                let mut v = self.resolve(Orm::SeaOrm, t, &from)?;
                v.pop().ok_or_else(|| "no table".to_string())
            };
            let table = match one(&m.target) {
                Ok(t) => t,
                Err(e) => {
                    failed.push((m.line, e));
                    continue;
                }
            };
            let other = m.other.as_ref().and_then(|o| one(o).ok());
            out.push(TableChange {
                kind: m.kind,
                table,
                other,
                line: m.line,
            });
        }
        (out, failed)
    }
}
