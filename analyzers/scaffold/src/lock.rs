//! `.nova/scaffold.lock`: the commands run and the hash of every file they generated.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{Request, ScaffoldError};

/// Where the lock lives, relative to the root.
pub const LOCK_PATH: &str = ".nova/scaffold.lock";

/// The lock's contents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// Format version (1).
    pub version: u32,
    /// The commands run, in a stable order.
    #[serde(default, rename = "command")]
    pub commands: Vec<Request>,
    /// Generated file (relative path) → `sha256:<hex>` of what nova wrote.
    #[serde(default)]
    pub files: BTreeMap<String, String>,
}

fn union(old: &[String], new: &[String]) -> Vec<String> {
    let mut out = old.to_vec();
    for e in new {
        if !out.contains(e) {
            out.push(e.clone());
        }
    }
    out
}

fn merge(old: &Request, new: &Request) -> Request {
    match (old, new) {
        (
            Request::Outbox {
                events: old_events,
                aggregate: old_aggregate,
                ..
            },
            Request::Outbox {
                service,
                topic,
                events,
                aggregate,
            },
        ) => Request::Outbox {
            service: service.clone(),
            topic: topic.clone(),
            events: union(old_events, events),
            aggregate: aggregate.clone().or_else(|| old_aggregate.clone()),
        },
        (
            Request::Consumer {
                events: old_events,
                read_model: old_read_model,
                group: old_group,
                ..
            },
            Request::Consumer {
                service,
                topic,
                events,
                read_model,
                group,
            },
        ) => Request::Consumer {
            service: service.clone(),
            topic: topic.clone(),
            events: union(old_events, events),
            read_model: read_model.clone().or_else(|| old_read_model.clone()),
            group: group.clone().or_else(|| old_group.clone()),
        },
        _ => new.clone(),
    }
}

/// `sha256:<hex>` of `content`.
pub fn hash(content: &str) -> String {
    let digest = Sha256::digest(content.as_bytes());
    let mut s = String::from("sha256:");
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

impl Lock {
    /// Reads the lock under `root` (an empty one when there is none).
    pub fn load(root: &Path) -> Result<Self, ScaffoldError> {
        let Some(text) = crate::workspace::read(root, LOCK_PATH)? else {
            return Ok(Self {
                version: 1,
                ..Self::default()
            });
        };
        let lock: Self = toml::from_str(&text).map_err(|e| ScaffoldError::Lock {
            path: root.join(LOCK_PATH),
            detail: format!("{e} (delete it to start over: generated files then count as edited)"),
        })?;
        if lock.version != 1 {
            return Err(ScaffoldError::Lock {
                path: root.join(LOCK_PATH),
                detail: format!("version {} is not 1", lock.version),
            });
        }
        Ok(lock)
    }

    /// Records `request`. A command of the same kind, service and topic grows: its
    /// events are the union (earlier ones first), the options the latest given;
    /// nothing a scaffold generated disappears because a later command named less.
    pub fn record(&mut self, request: &Request) {
        let merged = match self.commands.iter().find(|c| c.key() == request.key()) {
            Some(old) => merge(old, request),
            None => request.clone(),
        };
        self.commands.retain(|c| c.key() != request.key());
        self.commands.push(merged);
        self.commands.sort_by_key(Request::key);
    }

    /// The lock as text.
    pub fn render(&self) -> Result<String, ScaffoldError> {
        let body = toml::to_string(self).map_err(|e| ScaffoldError::Lock {
            path: LOCK_PATH.into(),
            detail: e.to_string(),
        })?;
        Ok(format!(
            "# Written by `nova scaffold`: the commands run in this tree and the hash of each\n\
             # file they generated (an edited file is a conflict, kept unless --force). Commit it.\n{body}"
        ))
    }
}
