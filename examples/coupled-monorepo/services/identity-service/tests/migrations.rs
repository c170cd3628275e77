//! The service ships its schema (built by nova's tests, not run).

#[test]
fn migrations_are_shipped() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    assert!(dir.join("0001_init.sql").is_file());
}
