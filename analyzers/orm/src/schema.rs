//! Schema facts from items: diesel `table!`, `joinable!`,
//! `allow_tables_to_appear_in_same_query!` and models; SeaORM entities,
//! relations, links, `Entity` aliases and migration `Iden` enums.

use crate::names::{attr_value, line_col, segments, snake_case, split_path};
use crate::walk::Walk;
use crate::{
    DieselJoin, DieselModel, DieselTable, SeaAlias, SeaEntity, SeaIden, SeaLink, SeaRelation,
    Target,
};
use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use syn::visit::Visit;
use syn::{Attribute, Expr, UseTree};

/// diesel derives that need a table (`table_name`, or its default).
const DIESEL_TABLE_DERIVES: &[&str] = &[
    "Insertable",
    "AsChangeset",
    "Identifiable",
    "Selectable",
    "Associations",
];

/// The words of a `#[derive(..)]` list.
fn derives(attrs: &[Attribute]) -> Vec<String> {
    let mut out = Vec::new();
    for a in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let toks = a.meta.to_token_stream().to_string();
        out.extend(
            toks.split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .filter(|w| !w.is_empty() && *w != "derive")
                .map(str::to_string),
        );
    }
    out
}

/// `key = value` inside the attributes whose path is one of `paths`
/// (`#[diesel(table_name = users)]`, `#[sea_orm(table_name = "cake")]`),
/// with the attribute's line.
fn attr_key(attrs: &[Attribute], paths: &[&str], key: &str) -> Option<(String, u32)> {
    attrs.iter().find_map(|a| {
        let p = a.path();
        if !paths.iter().any(|x| p.is_ident(x)) {
            return None;
        }
        let toks = a.meta.to_token_stream().to_string();
        attr_value(&toks, key).map(|v| (v, line_col(a.pound_token.span).0))
    })
}

/// A struct: a diesel model, a SeaORM `Model` with its table.
pub(crate) fn item_struct(w: &mut Walk<'_>, s: &syn::ItemStruct) {
    if s.attrs.is_empty() {
        return;
    }
    let derives = derives(&s.attrs);
    let name = s.ident.to_string();
    if derives.iter().any(|d| d == "DeriveEntityModel") {
        if let Some((table, line)) = attr_key(&s.attrs, &["sea_orm"], "table_name") {
            let schema = attr_key(&s.attrs, &["sea_orm"], "schema_name").map(|(s, _)| s);
            w.out.entities.push(SeaEntity {
                table: match schema {
                    Some(s) => format!("{s}.{table}"),
                    None => table,
                },
                module: w.modules.clone(),
                line,
            });
        }
        return;
    }
    let named = attr_key(&s.attrs, &["diesel", "table_name"], "table_name");
    let needs_table = derives
        .iter()
        .any(|d| DIESEL_TABLE_DERIVES.contains(&d.as_str()));
    let (table, line) = match named {
        Some((t, line)) => (split_path(&t), line),
        // diesel's default: the struct name in snake case, plus `s`.
        None if needs_table => (
            vec![format!("{}s", snake_case(&name))],
            line_col(s.ident.span()).0,
        ),
        None => return,
    };
    let renamed = s
        .fields
        .iter()
        .filter_map(|f| {
            let (column, _) = attr_key(&f.attrs, &["diesel"], "column_name")?;
            Some((f.ident.as_ref()?.to_string(), column))
        })
        .collect();
    w.out.diesel_models.push(DieselModel {
        name,
        table,
        module: w.modules.clone(),
        line,
        renamed,
    });
}

/// An enum: a SeaORM `Relation` (`DeriveRelation`) or a migration `Iden`.
pub(crate) fn item_enum(w: &mut Walk<'_>, e: &syn::ItemEnum) {
    if e.attrs.is_empty() {
        return;
    }
    let derives = derives(&e.attrs);
    if derives.iter().any(|d| d == "DeriveRelation") {
        for v in &e.variants {
            let target = ["belongs_to", "has_many", "has_one"]
                .iter()
                .find_map(|k| attr_key(&v.attrs, &["sea_orm"], k));
            if let Some((target, _)) = target {
                w.out.relations.push(SeaRelation {
                    module: w.modules.clone(),
                    variant: v.ident.to_string(),
                    target: split_path(&target),
                });
            }
        }
        return;
    }
    if !derives.iter().any(|d| d == "DeriveIden" || d == "Iden") {
        return;
    }
    let Some(table_variant) = e.variants.iter().find(|v| v.ident == "Table") else {
        return;
    };
    // `#[sea_orm(iden = "x")]` / `#[iden = "x"]` on `Table`, else on the
    // enum, else the enum's name in snake case.
    let named = |attrs: &[Attribute]| {
        attr_key(attrs, &["sea_orm", "iden"], "iden")
            .or_else(|| attr_key(attrs, &["iden"], "rename"))
            .map(|(v, _)| v)
    };
    let table = named(&table_variant.attrs)
        .or_else(|| named(&e.attrs))
        .unwrap_or_else(|| snake_case(&e.ident.to_string()));
    w.out.idens.push(SeaIden {
        name: e.ident.to_string(),
        table,
        module: w.modules.clone(),
    });
}

/// `use super::cake::Entity as Cake` (and `Model` / `ActiveModel`).
pub(crate) fn aliases(w: &mut Walk<'_>, tree: &UseTree) {
    fn walk(tree: &UseTree, prefix: &mut Vec<String>, w: &mut Walk<'_>) {
        match tree {
            UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                walk(&p.tree, prefix, w);
                prefix.pop();
            }
            UseTree::Rename(r)
                if matches!(
                    r.ident.to_string().as_str(),
                    "Entity" | "Model" | "ActiveModel"
                ) =>
            {
                let mut path = prefix.clone();
                path.push(r.ident.to_string());
                w.out.aliases.push(SeaAlias {
                    name: r.rename.to_string(),
                    path,
                    module: w.modules.clone(),
                });
            }
            UseTree::Group(g) => {
                for t in &g.items {
                    walk(t, prefix, w);
                }
            }
            _ => {}
        }
    }
    walk(tree, &mut Vec::new(), w);
}

/// The string a function body evaluates to (`fn table_name(&self) -> &str
/// { "cake" }`, `Some("bakery")`).
fn body_literal(block: &syn::Block) -> Option<String> {
    let tail = match block.stmts.last()? {
        syn::Stmt::Expr(e, None) => e,
        _ => return None,
    };
    let mut e = tail;
    loop {
        match e {
            Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => return Some(s.value()),
            Expr::Call(c) if c.args.len() == 1 => e = &c.args[0],
            Expr::Paren(p) => e = &p.expr,
            _ => return None,
        }
    }
}

/// Paths of the form `..::Relation::Variant` in an expression.
fn relation_paths(e: &syn::Block) -> Vec<Vec<String>> {
    struct V(Vec<Vec<String>>);
    impl<'ast> Visit<'ast> for V {
        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            let segs = segments(&p.path);
            let n = segs.len();
            if n >= 2 && segs[n - 2] == "Relation" {
                self.0.push(segs);
            }
        }
        // `vec![a::Relation::B.def(), ..]`
        fn visit_macro(&mut self, mac: &'ast syn::Macro) {
            use syn::parse::Parser;
            let parser = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated;
            if let Ok(exprs) = parser.parse2(mac.tokens.clone()) {
                for e in &exprs {
                    self.visit_expr(e);
                }
            }
        }
    }
    let mut v = V(Vec::new());
    v.visit_block(e);
    v.0
}

/// `impl EntityName for Entity`, `impl RelationTrait for Relation`,
/// `impl Linked for X`.
pub(crate) fn item_impl(w: &mut Walk<'_>, i: &syn::ItemImpl) {
    let Some((_, trait_path, _)) = &i.trait_ else {
        return;
    };
    let Some(trait_name) = trait_path.segments.last().map(|s| s.ident.to_string()) else {
        return;
    };
    let fns = || {
        i.items.iter().filter_map(|it| match it {
            syn::ImplItem::Fn(f) => Some(f),
            _ => None,
        })
    };
    match trait_name.as_str() {
        "EntityName" => {
            let lit = |name: &str| {
                fns()
                    .find(|f| f.sig.ident == name)
                    .and_then(|f| body_literal(&f.block))
                    .map(|v| (v, line_col(f_span(i, name)).0))
            };
            if let Some((table, line)) = lit("table_name") {
                let table = match lit("schema_name") {
                    Some((s, _)) => format!("{s}.{table}"),
                    None => table,
                };
                w.out.entities.push(SeaEntity {
                    table,
                    module: w.modules.clone(),
                    line,
                });
            }
        }
        "RelationTrait" => {
            for f in fns().filter(|f| f.sig.ident == "def") {
                relation_arms(w, &f.block);
            }
        }
        "Linked" => {
            let name = match &*i.self_ty {
                syn::Type::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            };
            let Some(name) = name else { return };
            let mut targets = Vec::new();
            for it in &i.items {
                if let syn::ImplItem::Type(t) = it
                    && t.ident == "ToEntity"
                    && let Some(p) = crate::types::named_type(&t.ty)
                {
                    targets.push(Target::Type(p));
                }
            }
            for f in fns().filter(|f| f.sig.ident == "link") {
                // Both ends of every relation the link walks are joined.
                for path in relation_paths(&f.block) {
                    targets.push(Target::Relation {
                        path: path.clone(),
                        rev: false,
                    });
                    targets.push(Target::Relation { path, rev: true });
                }
            }
            w.out.links.push(SeaLink {
                name,
                module: w.modules.clone(),
                targets,
            });
        }
        _ => {}
    }
}

/// Span of the function `name` of an impl.
fn f_span(i: &syn::ItemImpl, name: &str) -> proc_macro2::Span {
    i.items
        .iter()
        .find_map(|it| match it {
            syn::ImplItem::Fn(f) if f.sig.ident == name => Some(f.sig.ident.span()),
            _ => None,
        })
        .unwrap_or_else(proc_macro2::Span::call_site)
}

/// `match self { Self::Fruit => Entity::has_many(super::fruit::Entity).into(), .. }`.
fn relation_arms(w: &mut Walk<'_>, block: &syn::Block) {
    struct Arms(Vec<(String, Vec<String>)>);
    impl<'ast> Visit<'ast> for Arms {
        fn visit_arm(&mut self, arm: &'ast syn::Arm) {
            let variant = match &arm.pat {
                syn::Pat::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                _ => None,
            };
            struct Target(Option<Vec<String>>);
            impl<'ast> Visit<'ast> for Target {
                fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
                    if self.0.is_none()
                        && let Expr::Path(f) = &*c.func
                        && f.path.segments.last().is_some_and(|s| {
                            s.ident == "has_many" || s.ident == "belongs_to" || s.ident == "has_one"
                        })
                        && let Some(Expr::Path(arg)) = c.args.first()
                    {
                        self.0 = Some(segments(&arg.path));
                    }
                    syn::visit::visit_expr_call(self, c);
                }
            }
            let mut t = Target(None);
            t.visit_expr(&arm.body);
            if let (Some(v), Some(t)) = (variant, t.0) {
                self.0.push((v, t));
            }
        }
    }
    let mut arms = Arms(Vec::new());
    arms.visit_block(block);
    for (variant, target) in arms.0 {
        w.out.relations.push(SeaRelation {
            module: w.modules.clone(),
            variant,
            target,
        });
    }
}

/// diesel's schema macros. True when `mac` is one (nothing else to walk).
pub(crate) fn item_macro(w: &mut Walk<'_>, mac: &syn::Macro) -> bool {
    let segs = segments(&mac.path);
    let (Some(first), Some(name)) = (segs.first(), segs.last()) else {
        return false;
    };
    let diesel_or_bare = segs.len() == 1 || first == "diesel";
    if !diesel_or_bare {
        return false;
    }
    match name.as_str() {
        "table" => {
            for (ident, name, line, renamed) in diesel_tables(&mac.tokens) {
                w.out.diesel_tables.push(DieselTable {
                    ident,
                    name,
                    module: w.modules.clone(),
                    line,
                    renamed,
                });
            }
            true
        }
        "joinable" | "allow_tables_to_appear_in_same_query" => {
            let tables: Vec<String> = mac
                .tokens
                .clone()
                .into_iter()
                .take_while(|t| !matches!(t, TokenTree::Group(_)))
                .filter_map(|t| match t {
                    TokenTree::Ident(i) => Some(i.to_string()),
                    _ => None,
                })
                .collect();
            let line = line_col(
                mac.path
                    .segments
                    .last()
                    .map_or_else(proc_macro2::Span::call_site, |s| s.ident.span()),
            )
            .0;
            w.out.diesel_joins.push(DieselJoin { tables, line });
            true
        }
        "allow_columns_to_appear_in_same_group_by_clause"
        | "define_sql_function"
        | "sql_function"
        | "no_arg_sql_function"
        | "operator_allowed"
        | "infix_operator"
        | "postfix_operator"
        | "prefix_operator" => segs.len() > 1 || w.evidence.diesel,
        _ => false,
    }
}

/// A `table!` declaration: see [`diesel_tables`].
pub(crate) type DeclaredTable = (String, String, u32, Vec<(String, String)>);

/// The columns of a `table!` body declared with `#[sql_name = ".."]`:
/// (ident, SQL name).
fn renamed_columns(body: TokenStream) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut sql_name: Option<String> = None;
    let mut iter = body.into_iter().peekable();
    while let Some(tt) = iter.next() {
        match tt {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                if let Some(TokenTree::Group(g)) = iter.peek() {
                    sql_name = attr_value(&g.stream().to_string(), "sql_name");
                    iter.next();
                }
            }
            TokenTree::Ident(i) => {
                if let Some(name) = sql_name.take() {
                    out.push((i.to_string(), name));
                }
            }
            _ => {}
        }
    }
    out
}

/// The tables of a diesel `table! { [#[sql_name = "x"]] [schema.]name (pk)
/// { .. } }` body (several may be declared in one invocation): (module
/// ident, SQL name with its schema, line, columns renamed by `#[sql_name =
/// ".."]`).
pub(crate) fn diesel_tables(tokens: &TokenStream) -> Vec<DeclaredTable> {
    let mut out = Vec::new();
    let mut sql_name: Option<String> = None;
    let mut iter = tokens.clone().into_iter().peekable();
    // (schema, ident, line) of the table being read.
    let mut pending: Option<(Option<String>, String, u32)> = None;
    while let Some(tt) = iter.next() {
        match tt {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                if let Some(TokenTree::Group(g)) = iter.peek() {
                    let s = g.stream().to_string();
                    if let Some(name) = attr_value(&s, "sql_name") {
                        sql_name = Some(name);
                    }
                    iter.next();
                }
            }
            TokenTree::Punct(p) if p.as_char() == '.' => {
                // `schema.table`: the next ident is the table proper.
                if let (Some((None, schema, line)), Some(TokenTree::Ident(i))) =
                    (pending.take(), iter.peek())
                {
                    pending = Some((Some(schema), i.to_string(), line));
                    iter.next();
                }
            }
            TokenTree::Ident(i) => {
                let s = i.to_string();
                if s == "use" {
                    // `use diesel::sql_types::*;` inside table!: skip to `;`.
                    for t in iter.by_ref() {
                        if matches!(&t, TokenTree::Punct(p) if p.as_char() == ';') {
                            break;
                        }
                    }
                    continue;
                }
                if pending.is_none() {
                    pending = Some((None, s, i.span().start().line as u32));
                }
            }
            TokenTree::Group(g) => {
                if g.delimiter() == Delimiter::Brace {
                    if let Some((schema, ident, line)) = pending.take() {
                        let table = sql_name.take().unwrap_or_else(|| ident.clone());
                        let name = match schema {
                            Some(s) => format!("{s}.{table}"),
                            None => table,
                        };
                        out.push((ident, name, line, renamed_columns(g.stream())));
                    }
                } else if g.delimiter() != Delimiter::Parenthesis {
                    pending = None;
                }
            }
            _ => {}
        }
    }
    out
}
