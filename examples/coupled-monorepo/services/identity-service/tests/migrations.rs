//! The service ships its schema (never run: the example is only scanned).

#[test]
fn migrations_are_shipped() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    assert!(dir.join("0001_init.sql").is_file());
}
