use serde::{Deserialize, Serialize};

/// What role a service plays; gateways sit on top of the layering.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ServiceKind {
    #[default]
    Service,
    Gateway,
    /// Declared in `nova.toml` or found in a manifest, with no code in the tree.
    External,
}

/// A deployable unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Canonical name (the `nova.toml` key, else the Cargo package name).
    pub name: String,
    /// Cargo package name, when the service is a Cargo package.
    pub package: Option<String>,
    /// Package directory, relative to the root ("" for the root itself).
    pub dir: String,
    /// Every other name it is known by: binary names, directory name,
    /// deployment names, declared aliases. Sorted, without `name`.
    pub aliases: Vec<String>,
    pub kind: ServiceKind,
    /// SQL dialect of its queries.
    pub dialect: Dialect,
    /// Library packages it depends on (directly or transitively), by package name.
    pub libraries: Vec<String>,
}

impl Service {
    /// True when `name` is this service's name or one of its aliases.
    pub fn is_named(&self, name: &str) -> bool {
        self.name == name || self.aliases.iter().any(|a| a == name)
    }
}

/// SQL dialect used to parse a service's queries.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Dialect {
    #[default]
    Postgres,
    Mysql,
    Generic,
}

/// A Cargo package without a binary target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Library {
    pub name: String,
    pub dir: String,
}
