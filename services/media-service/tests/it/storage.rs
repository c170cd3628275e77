//! The local-filesystem object store.

use media_service::storage::{LocalFs, ObjectStore};

#[tokio::test]
async fn objects_round_trip_and_missing_ones_are_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = LocalFs::new(dir.path().join("objects"));
    store.put("owner-1/0190abcd", b"bytes").await.expect("put");
    assert_eq!(
        store.get("owner-1/0190abcd").await.expect("get"),
        Some(b"bytes".to_vec())
    );
    store
        .put("owner-1/0190abcd", b"replaced")
        .await
        .expect("put again");
    assert_eq!(
        store.get("owner-1/0190abcd").await.expect("get"),
        Some(b"replaced".to_vec())
    );
    assert_eq!(store.get("owner-1/other").await.expect("get"), None);
    assert!(
        !dir.path().join("objects/owner-1/0190abcd.part").exists(),
        "no partial file left"
    );
}

#[tokio::test]
async fn keys_cannot_leave_the_root() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = LocalFs::new(dir.path().join("objects"));
    for key in [
        "",
        "../escape",
        "a/../../escape",
        "/etc/passwd",
        "a//b",
        "./a",
        "a/b c",
        "a\\b",
    ] {
        let err = store.put(key, b"x").await.expect_err(key);
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput, "{key:?}");
        assert!(store.get(key).await.is_err(), "{key:?}");
    }
    assert!(!dir.path().join("escape").exists());
}
