//! Integration tests: run the built `nova` binary on fixture repositories
//! (`cli/tests/fixtures/<shape>/`) and on the built-in example
//! (`examples/coupled-monorepo`), and assert exact results.

mod audit;
mod bad_input;
mod browser;
mod ci;
mod crate_reexports;
mod declared_receivers;
mod declared_types;
mod diesel_example;
mod dogfood;
mod event_example;
mod example;
mod example_build;
mod flow_shapes;
mod graph_shapes;
mod hardening;
mod hostile;
mod http_generic;
mod http_params;
mod inventory;
mod kafka_assign;
mod kafka_topic_map;
mod loop_topics;
mod matrix;
mod orm_outbox;
mod orm_outbox_rows;
mod orm_outbox_shapes;
mod orm_row_hops;
mod orm_shapes;
mod outbox_row_models;
mod outbox_verbs;
mod png;
mod reexport_globs;
mod reexport_roots;
mod reports;
mod return_values;
mod scaffold;
mod sql_shapes;
mod support;
mod tonic_names;
mod topic_lists;
mod topic_map_fields;
mod unresolved_sql;
mod value_cuts;
mod whole_receivers;
