//! The pre-pass of the graph walk: the names that make a value a gRPC
//! client in this file (imports, aliases, fields, getters).

use super::shapes::*;
use super::strings::*;
use super::{
    ClientReexport, GLOB, PubImport, StrExpr, crate_client, foreign_client, snake_to_pascal,
};
use crate::name::Name;
use std::collections::{BTreeMap, BTreeSet};
use syn::Item;

// ---------------------------------------------------------------- pre-pass

#[derive(Default)]
pub(super) struct PrePass {
    /// Type names imported from `*_client` modules.
    pub(super) client_imports: BTreeSet<String>,
    /// Type/trait names imported from `*_server` modules.
    pub(super) server_imports: BTreeSet<String>,
    /// Type aliases naming a client: alias -> service.
    pub(super) aliases: BTreeMap<String, String>,
    /// Struct fields typed as a client: field -> service.
    pub(super) client_fields: BTreeMap<String, String>,
    /// Functions returning a client: fn name -> service.
    pub(super) getters: BTreeMap<String, String>,
    /// `#[serde(default = "f")]` functions returning a literal.
    pub(super) literal_fns: BTreeMap<String, String>,
    /// Whether anything in the file mentions tonic or a `*_client` module.
    pub(super) grpc_hint: bool,
    /// Generated inline modules were skipped.
    pub(super) generated_parts: bool,
    /// `Handler` is imported from `nova_consumer`.
    pub(super) nova_handler: bool,
    /// Clients this file re-exports (`pub use`, `pub type`).
    pub(super) reexports: Vec<ClientReexport>,
    /// Names handed to the crate's other files (`pub use`, `pub(crate) use`).
    pub(super) pub_imports: Vec<PubImport>,
    /// Inside a `pub use` item.
    in_pub_use: bool,
    /// Inside a `use` item visible to other modules (`pub`, `pub(crate)`..,
    /// or a private one at the top of a file declaring modules of its own:
    /// its children see it, `use crate::Catalog;` under the crate root).
    in_shared_use: bool,
    /// The file declares child modules in files of their own (`mod x;`):
    /// its top-level private `use`s are handed to them.
    pub(super) has_children: bool,
    /// Inside an inline module.
    in_mod: bool,
}

impl PrePass {
    /// A `use` tree among `items` (the module it is in).
    pub(super) fn use_tree(
        &mut self,
        items: &[Item],
        tree: &syn::UseTree,
        prefix: &mut Vec<String>,
    ) {
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.to_string());
                self.use_tree(items, &p.tree, prefix);
                prefix.pop();
            }
            syn::UseTree::Name(n) => {
                self.imported(items, prefix, n.ident.to_string(), n.ident.to_string())
            }
            syn::UseTree::Rename(r) => {
                self.imported(items, prefix, r.ident.to_string(), r.rename.to_string())
            }
            syn::UseTree::Group(g) => {
                for t in &g.items {
                    self.use_tree(items, t, prefix);
                }
            }
            syn::UseTree::Glob(_) => {
                if prefix
                    .iter()
                    .any(|p| p == "tonic" || p.ends_with("_client"))
                {
                    self.grpc_hint = true;
                }
                // `pub use pb::catalog_client::*;`: tonic's module holds
                // one name, its client, imported as if named.
                if let Some(module) = prefix.last().filter(|p| p.ends_with("_client")) {
                    let client = snake_to_pascal(module);
                    self.imported(items, prefix, client.clone(), client);
                }
                // `pub use lib::clients::*;`: every name of another crate's
                // module handed on, settled name by name by `nova-link`.
                if self.in_shared_use
                    && let Some(krate) = prefix.first()
                    && !own_or_std(items, krate)
                {
                    self.pub_imports.push(PubImport {
                        name: GLOB.to_string(),
                        client: foreign_client(krate, GLOB),
                    });
                }
            }
        }
    }

    pub(super) fn imported(
        &mut self,
        items: &[Item],
        prefix: &[String],
        name: String,
        local: String,
    ) {
        if prefix.iter().any(|p| p == "tonic") {
            self.grpc_hint = true;
        }
        if prefix.first().is_some_and(|p| p == "nova_consumer") && name == "Handler" {
            self.nova_handler = true;
        }
        let tonic_module = prefix.last().is_some_and(|p| p.ends_with("_client"));
        if self.in_shared_use
            && let Some(client) = foreign(items, prefix, &name)
        {
            self.pub_imports.push(PubImport {
                name: local.clone(),
                client,
            });
        }
        if tonic_module {
            self.grpc_hint = true;
            if name.ends_with("Client") {
                if self.in_pub_use {
                    self.reexports.push(ClientReexport {
                        name: local.clone(),
                        service: name.trim_end_matches("Client").to_string(),
                    });
                }
                self.client_imports.insert(local.clone());
                if local != name {
                    self.aliases
                        .insert(local, name.trim_end_matches("Client").to_string());
                }
            }
        } else if prefix.last().is_some_and(|p| p.ends_with("_server")) {
            self.server_imports.insert(local);
        } else if name.ends_with("ServiceClient") {
            self.grpc_hint = true;
        }
    }

    pub(super) fn items(&mut self, items: &[Item]) {
        for item in items {
            match item {
                Item::Use(u) => {
                    self.in_pub_use = matches!(u.vis, syn::Visibility::Public(_));
                    self.in_shared_use = !matches!(u.vis, syn::Visibility::Inherited)
                        || (self.has_children && !self.in_mod);
                    self.use_tree(use_scope(u, items), &u.tree, &mut Vec::new());
                    self.in_pub_use = false;
                    self.in_shared_use = false;
                }
                Item::Mod(m) => {
                    if mod_is_generated(m) {
                        self.generated_parts = true;
                        continue;
                    }
                    if let Some((_, items)) = &m.content {
                        let outer = std::mem::replace(&mut self.in_mod, true);
                        self.items(items);
                        self.in_mod = outer;
                    }
                }
                _ => {}
            }
        }
        for item in items {
            match item {
                Item::Type(t) => {
                    if let Some(s) = type_client(&t.ty, &self.client_imports, &self.aliases) {
                        self.grpc_hint = true;
                        if matches!(t.vis, syn::Visibility::Public(_)) {
                            self.reexports.push(ClientReexport {
                                name: t.ident.to_string(),
                                service: s.clone(),
                            });
                        }
                        self.aliases.insert(t.ident.to_string(), s);
                    }
                }
                Item::Struct(s) => {
                    for f in &s.fields {
                        if let (Some(id), Some(svc)) = (
                            &f.ident,
                            type_client(&f.ty, &self.client_imports, &self.aliases),
                        ) {
                            self.grpc_hint = true;
                            self.client_fields.insert(id.to_string(), svc);
                        }
                    }
                }
                Item::Fn(f) => self.sig(&f.sig, &f.block),
                Item::Impl(imp) if !impl_is_generated(imp) => {
                    for ii in &imp.items {
                        if let syn::ImplItem::Fn(f) = ii {
                            self.sig(&f.sig, &f.block);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    pub(super) fn sig(&mut self, sig: &syn::Signature, block: &syn::Block) {
        if let syn::ReturnType::Type(_, ty) = &sig.output
            && let Some(s) = type_client(ty, &self.client_imports, &self.aliases)
        {
            self.grpc_hint = true;
            self.getters.insert(sig.ident.to_string(), s);
        }
        if sig.inputs.is_empty()
            && block.stmts.len() == 1
            && let syn::Stmt::Expr(e, None) = &block.stmts[0]
            && let StrExpr::Lit(l) = simple_str(e)
        {
            self.literal_fns.insert(sig.ident.to_string(), l);
        }
    }
}

/// `Foo::connect(..)` (or `with_interceptor`, `with_origin`) with `Foo`
/// imported from another crate by a `use` among `items`: the
/// [`foreign_client`] it may be (a client that crate re-exports); else,
/// for a `Foo` only a glob import can name (see [`glob_type`]; a name the
/// file imports from its own crate is no glob's), the client it may be.
/// Looked up only at such a call, so files pay nothing for their imports.
pub(super) fn foreign_connect(items: &[Item], owner: &str, method: &str) -> Option<String> {
    if !matches!(method, "connect" | "with_interceptor" | "with_origin") {
        return None;
    }
    foreign_type(items, owner).or_else(|| {
        crate_type(items, owner)
            .is_none()
            .then(|| glob_type(items, owner))
            .flatten()
    })
}

/// The [`foreign_client`] type `local` may be when a `use` among `items`
/// imports it from another crate.
pub(super) fn foreign_type(items: &[Item], local: &str) -> Option<String> {
    items.iter().find_map(|item| match item {
        Item::Use(u) => imported_from(use_scope(u, items), &u.tree, local, &mut Vec::new()),
        Item::Mod(m) if !mod_is_generated(m) => m
            .content
            .as_ref()
            .and_then(|(_, items)| foreign_type(items, local)),
        _ => None,
    })
}

/// The [`crate_client`] type `local` may be when a `use` among `items`
/// imports it from the crate's own modules (`use crate::Catalog;`,
/// `use super::clients::Catalog as Cat;`), where another file may hand it
/// on from another crate ([`PubImport`]).
pub(super) fn crate_type(items: &[Item], local: &str) -> Option<String> {
    items.iter().find_map(|item| match item {
        Item::Use(u) => imported_from_crate(use_scope(u, items), &u.tree, local, None),
        Item::Mod(m) if !mod_is_generated(m) => m
            .content
            .as_ref()
            .and_then(|(_, items)| crate_type(items, local)),
        _ => None,
    })
}

/// The [`crate_client`] of `local` if `tree`, a `use` among `items`,
/// imports it from the crate (`first`: the path's first segment, once
/// seen: `crate`, `self`, `super` or a module declared among `items`).
fn imported_from_crate(
    items: &[Item],
    tree: &syn::UseTree,
    local: &str,
    first: Option<&syn::Ident>,
) -> Option<String> {
    use syn::UseTree;
    let own = || first.is_some_and(|f| own_path(items, &Name::of(f)));
    match tree {
        UseTree::Path(p) => imported_from_crate(items, &p.tree, local, first.or(Some(&p.ident))),
        UseTree::Name(n) if n.ident == local && own() => Some(crate_client(local)),
        UseTree::Rename(r) if r.rename == local && own() => {
            Some(crate_client(&r.ident.to_string()))
        }
        UseTree::Group(g) => g
            .items
            .iter()
            .find_map(|t| imported_from_crate(items, t, local, first)),
        _ => None,
    }
}

/// The [`foreign_client`] of `local` if `tree`, a `use` among `items`,
/// imports it from a crate.
fn imported_from(
    items: &[Item],
    tree: &syn::UseTree,
    local: &str,
    prefix: &mut Vec<String>,
) -> Option<String> {
    use syn::UseTree;
    match tree {
        UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            let found = imported_from(items, &p.tree, local, prefix);
            prefix.pop();
            found
        }
        UseTree::Name(n) if n.ident == local => foreign(items, prefix, &n.ident.to_string()),
        UseTree::Rename(r) if r.rename == local => foreign(items, prefix, &r.ident.to_string()),
        UseTree::Group(g) => g
            .items
            .iter()
            .find_map(|t| imported_from(items, t, local, prefix)),
        _ => None,
    }
}

/// `name` under `prefix`, in a `use` among `items`, as a
/// [`foreign_client`]: a type of another crate (not `crate::`, a module
/// declared among `items`, `std::`.., not a `FooClient` of a tonic
/// module, which is a client already).
fn foreign(items: &[Item], prefix: &[String], name: &str) -> Option<String> {
    let krate = prefix.first()?;
    // (A crate may be named like a tonic module: `catalog_client::Catalog`.)
    let tonic_client =
        prefix.last().is_some_and(|p| p.ends_with("_client")) && name.ends_with("Client");
    (!tonic_client
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && !own_or_std(items, krate))
    .then(|| foreign_client(krate, name))
}

/// A path's first segment, in a `use` among `items`, naming the crate
/// itself (see [`own_path`]) or a standard crate.
fn own_or_std(items: &[Item], krate: &str) -> bool {
    std_crate(krate) || own_path(items, krate)
}

/// A path's first segment naming a standard crate (or tonic).
fn std_crate(krate: &str) -> bool {
    matches!(krate, "std" | "core" | "alloc" | "tonic")
}

/// The items a `use` among `items` reads its first segment against: none
/// for `use ::x::..`, which names the crate `x` even where a module `x` is
/// declared.
fn use_scope<'i>(u: &syn::ItemUse, items: &'i [Item]) -> &'i [Item] {
    if u.leading_colon.is_some() {
        &[]
    } else {
        items
    }
}

/// Whether a path starting with `first`, in a `use` among `items`, is of
/// the crate's own modules: `crate::`, `self::`, `super::` or a module
/// declared among them (`mod clients;` beside `use clients::Catalog;`, as
/// Rust 2018 reads it; a crate of that name could not be named so there).
fn own_path(items: &[Item], first: &str) -> bool {
    matches!(first, "crate" | "self" | "super") || declares_mod(items, first)
}

/// Whether a module `name` is declared among `items` (`mod name;`, `mod
/// name { .. }`).
pub(super) fn declares_mod(items: &[Item], name: &str) -> bool {
    items
        .iter()
        .any(|i| matches!(i, Item::Mod(m) if m.ident == name))
}

/// Whether `local` is declared among `items` (a struct, enum, alias,
/// trait, union): a glob import does not name it.
fn declared_here(items: &[Item], local: &str) -> bool {
    items.iter().any(|item| match item {
        Item::Struct(s) => s.ident == local,
        Item::Enum(e) => e.ident == local,
        Item::Type(t) => t.ident == local,
        Item::Trait(t) => t.ident == local,
        Item::Union(u) => u.ident == local,
        Item::Mod(m) if !mod_is_generated(m) => m
            .content
            .as_ref()
            .is_some_and(|(_, items)| declared_here(items, local)),
        _ => false,
    })
}

/// The client `local` may be when only a glob `use` among `items` can
/// import it, tried after the named imports: from another crate (`use
/// catalog_client::clients::*;`, a [`foreign_client`]) or from the
/// crate's own modules (`use crate::clients::*;`, `use super::*;`, a
/// [`crate_client`]). `nova-link` settles it against the re-exports, so a
/// name no library hands on as a client stays none.
pub(super) fn glob_type(items: &[Item], local: &str) -> Option<String> {
    if !local.starts_with(|c: char| c.is_ascii_uppercase()) || declared_here(items, local) {
        return None;
    }
    items.iter().find_map(|item| match item {
        Item::Use(u) => glob_from(use_scope(u, items), &u.tree, local, None),
        Item::Mod(m) if !mod_is_generated(m) => m
            .content
            .as_ref()
            .and_then(|(_, items)| glob_type(items, local)),
        _ => None,
    })
}

/// The client `local` may be under a glob of `tree`, a `use` among
/// `items` (`krate`: the path's first segment, once seen).
fn glob_from(
    items: &[Item],
    tree: &syn::UseTree,
    local: &str,
    krate: Option<&syn::Ident>,
) -> Option<String> {
    use syn::UseTree;
    match tree {
        UseTree::Path(p) => glob_from(items, &p.tree, local, krate.or(Some(&p.ident))),
        UseTree::Group(g) => g
            .items
            .iter()
            .find_map(|t| glob_from(items, t, local, krate)),
        UseTree::Glob(_) => {
            let krate = Name::of(krate?);
            if own_path(items, &krate) {
                Some(crate_client(local))
            } else {
                (!std_crate(&krate)).then(|| foreign_client(&krate, local))
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::facts;
    use super::*;

    fn imports(src: &str) -> Vec<(String, String)> {
        facts(src)
            .pub_imports
            .into_iter()
            .map(|p| (p.name, p.client))
            .collect()
    }

    #[test]
    fn a_file_with_child_modules_hands_them_its_private_uses_and_globs() {
        let root = imports(
            r#"
use lib::clients::Catalog;
use other::clients::*;
use std::collections::*;
mod orders;
mod inline { use third::Plain; }
"#,
        );
        assert_eq!(
            root,
            [
                ("Catalog".to_string(), foreign_client("lib", "Catalog")),
                (GLOB.to_string(), foreign_client("other", GLOB)),
            ]
        );
        // A leaf file's private uses are its own; its `pub use` globs not.
        let leaf = imports("use lib::clients::Catalog;\npub use other::*;\n");
        assert_eq!(leaf, [(GLOB.to_string(), foreign_client("other", GLOB))]);
    }

    #[test]
    fn a_glob_of_a_tonic_module_hands_on_its_client() {
        let f = facts(
            r#"
pub use pb::catalog_client::*;
pub mod clients { pub use crate::pb::pd_client::*; }
use pb::ledger_client::*;
pub use pb::plain::*;
"#,
        );
        let reexports: Vec<_> = f
            .client_reexports
            .iter()
            .map(|x| (x.name.as_str(), x.service.as_str()))
            .collect();
        // (Named as tonic names them; the private glob's client is the
        // file's own.)
        assert_eq!(
            reexports,
            [("CatalogClient", "Catalog"), ("PdClient", "Pd")]
        );
    }

    #[test]
    fn a_path_from_a_module_declared_here_is_the_crates_own() {
        let root = imports(
            r#"
mod clients;
mod plain { pub struct Ledger; }
pub use clients::{Catalog, Ledger as Book};
pub use plain::*;
pub use other::Catalog as Other;
"#,
        );
        assert_eq!(
            root,
            [("Other".to_string(), foreign_client("other", "Catalog"))]
        );
        let file: syn::File = syn::parse_str(
            r#"
mod clients;
mod inner;
use clients::Catalog;
use inner::*;
"#,
        )
        .expect("parses");
        assert_eq!(foreign_type(&file.items, "Catalog"), None);
        assert_eq!(
            crate_type(&file.items, "Catalog"),
            Some(crate_client("Catalog"))
        );
        assert_eq!(glob_type(&file.items, "Store"), Some(crate_client("Store")));
        // Without `mod clients;`, `clients` is a crate.
        let krate: syn::File = syn::parse_str("use clients::Catalog;").expect("parses");
        assert_eq!(
            foreign_type(&krate.items, "Catalog"),
            Some(foreign_client("clients", "Catalog"))
        );
        assert_eq!(crate_type(&krate.items, "Catalog"), None);
        // `use ::clients::..` names the crate even beside `mod clients;`.
        let rooted: syn::File =
            syn::parse_str("mod clients;\nuse ::clients::Catalog;").expect("parses");
        assert_eq!(
            foreign_type(&rooted.items, "Catalog"),
            Some(foreign_client("clients", "Catalog"))
        );
        assert_eq!(crate_type(&rooted.items, "Catalog"), None);
        let rooted = imports("mod clients;\npub use ::clients::Catalog;\n");
        assert_eq!(
            rooted,
            [("Catalog".to_string(), foreign_client("clients", "Catalog"))]
        );
    }

    #[test]
    fn a_glob_names_an_upper_case_name_not_declared_here() {
        let file: syn::File = syn::parse_str(
            r#"
use crate::clients::*;
use std::sync::*;
struct Store;
mod tests { use super::*; }
"#,
        )
        .expect("parses");
        assert_eq!(
            glob_type(&file.items, "Catalog"),
            Some(crate_client("Catalog"))
        );
        assert_eq!(glob_type(&file.items, "Store"), None);
        assert_eq!(glob_type(&file.items, "catalog"), None);
        let foreign: syn::File = syn::parse_str("use lib::clients::*;").expect("parses");
        assert_eq!(
            glob_type(&foreign.items, "Catalog"),
            Some(foreign_client("lib", "Catalog"))
        );
        let std_only: syn::File = syn::parse_str("use std::sync::*;").expect("parses");
        assert_eq!(glob_type(&std_only.items, "Mutex"), None);
    }
}
