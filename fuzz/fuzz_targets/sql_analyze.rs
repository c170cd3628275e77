//! Fuzz `nova_sql::analyze` (all three dialects), `catalog` and
//! `split_statements` on arbitrary UTF-8: none of them may panic, and a few
//! cheap invariants must hold.
#![no_main]

use libfuzzer_sys::fuzz_target;
use nova_model::{Confidence, Dialect};
use nova_sql::{HOLE_PREFIX, Options, analyze, catalog, split_statements};

fuzz_target!(|data: &[u8]| {
    let Ok(sql) = std::str::from_utf8(data) else {
        return;
    };
    for dialect in [Dialect::Postgres, Dialect::Mysql, Dialect::Generic] {
        let opts = Options {
            dialect,
            ..Options::default()
        };
        let a = analyze(sql, &opts);
        // Sorted, deduplicated, no hole ever becomes a table.
        assert!(a.accesses.windows(2).all(|w| w[0] < w[1]));
        assert!(a.accesses.iter().all(|x| !x.table.contains(HOLE_PREFIX) && !x.table.is_empty()));
        if a.error.is_some() || !a.unresolved.is_empty() {
            assert_eq!(a.confidence, Confidence::Low);
        }
        let c = catalog(sql, &opts);
        assert!(c.changes.iter().all(|ch| ch.line >= 1));
    }
    let parts = split_statements(sql);
    assert!(parts.windows(2).all(|w| w[0].0 <= w[1].0));
    assert!(parts.iter().all(|(_, s)| !s.is_empty()));
});
