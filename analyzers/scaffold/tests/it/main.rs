//! Integration tests of nova-scaffold on copies of the built-in example
//! (`examples/coupled-monorepo`): goldens (the diff each command makes) and safety
//! (re-runs, conflicts, missing anchors, atomic writes, refused names).

mod e2e;
mod golden;
mod safety;
mod support;
