//! SQL analysis: (table, operation) pairs from SQL text, with a tolerant lexical fallback, and the migration catalog.
