//! A scratch copy of the example and helpers to compare trees.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use nova_scaffold::Request;

/// `examples/coupled-monorepo` in this checkout.
pub fn example() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/coupled-monorepo")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let target = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

/// A temporary copy of the example.
pub fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&example(), dir.path());
    dir
}

/// Every file under `root` (relative path → bytes).
pub fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).expect("read_dir") {
            let e = e.expect("entry");
            let p = e.path();
            if e.file_type().expect("type").is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p
                    .strip_prefix(root)
                    .expect("under root")
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).expect("read"));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Plans and writes `request`.
pub fn run(root: &Path, request: &Request) -> nova_scaffold::Plan {
    let plan = nova_scaffold::plan(root, request, false).expect("plan");
    nova_scaffold::write(root, &plan).expect("write");
    plan
}

/// `nova scaffold outbox --service content-service --topic content-events --events PostCreated,PostUpdated,PostDeleted`.
pub fn content_outbox() -> Request {
    Request::Outbox {
        service: "content-service".into(),
        topic: "content-events".into(),
        events: vec![
            "PostCreated".into(),
            "PostUpdated".into(),
            "PostDeleted".into(),
        ],
        aggregate: None,
    }
}

/// `nova scaffold consumer --service feed-service --topic content-events --events ... --read-model posts`.
pub fn feed_consumer() -> Request {
    Request::Consumer {
        service: "feed-service".into(),
        topic: "content-events".into(),
        events: vec![
            "PostCreated".into(),
            "PostUpdated".into(),
            "PostDeleted".into(),
        ],
        read_model: Some("posts".into()),
        group: None,
    }
}
