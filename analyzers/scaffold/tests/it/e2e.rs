//! The whole way, for real: copy nova's workspace, scaffold a new service and a
//! consumer of `content-events` (nova-events payloads) into it, build it, and run
//! its generated test (each event published twice, applied once) against
//! PostgreSQL (`NOVA_PG_URL`) and the broker (`KAFKA_BOOTSTRAP`), as
//! `scripts/test.sh` provides them.
//!
//! The copy's packages have the same ids as the workspace's own (cargo hashes path
//! packages relative to the workspace root), so it builds with its own profile
//! (`scaffold-e2e`, in its own directory of the target dir): sharing artifacts would
//! let one tree's build-script outputs (paths, generated code) leak into the other's.
//! The copy lives at a stable place in the target dir, so a later run reuses its build.

use std::path::Path;
use std::process::Command;

use nova_scaffold::Request;

fn copy_workspace(from: &Path, to: &Path) {
    let mut cmd = Command::new("cp");
    cmd.arg("-a");
    for e in std::fs::read_dir(from).expect("read_dir") {
        let e = e.expect("entry");
        let name = e.file_name();
        if name == ".git" || name == "target" {
            continue;
        }
        cmd.arg(e.path());
    }
    let status = cmd.arg(to).status().expect("cp runs");
    assert!(status.success(), "copying the workspace failed");
}

#[test]
fn a_scaffolded_consumer_service_builds_and_its_test_passes() {
    for var in ["KAFKA_BOOTSTRAP", "NOVA_PG_URL"] {
        assert!(
            std::env::var(var).is_ok_and(|v| !v.is_empty()),
            "{var} is not set: run the tests with scripts/test.sh (it starts PostgreSQL and the broker)"
        );
    }
    let nova = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|_| nova.join("target"));
    let root = target.join("scaffold-e2e").join("workspace");
    if root.exists() {
        std::fs::remove_dir_all(&root).expect("remove the previous copy");
    }
    std::fs::create_dir_all(&root).expect("mkdir");
    copy_workspace(&nova, &root);
    let manifest = root.join("Cargo.toml");
    let mut text = std::fs::read_to_string(&manifest).expect("Cargo.toml");
    text.push_str("\n[profile.scaffold-e2e]\ninherits = \"dev\"\n");
    std::fs::write(&manifest, text).expect("Cargo.toml");
    let root = root.as_path();
    let steps = [
        Request::Service {
            name: "notification-service".into(),
        },
        Request::Consumer {
            service: "notification-service".into(),
            topic: "content-events".into(),
            events: vec![
                "PostCreated".into(),
                "PostUpdated".into(),
                "PostDeleted".into(),
            ],
            read_model: Some("posts".into()),
            group: None,
        },
    ];
    for step in &steps {
        let plan = nova_scaffold::plan(root, step, false).expect("plan");
        nova_scaffold::write(root, &plan).expect("write");
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args([
            "test",
            "--offline",
            "--profile",
            "scaffold-e2e",
            "-p",
            "notification-service",
            "--test",
            "it",
        ])
        .current_dir(root)
        .env("CARGO_TARGET_DIR", target)
        .output()
        .expect("cargo runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the scaffolded service failed to build or its test failed:\n{stdout}\n{stderr}"
    );
    assert!(
        stdout.contains("test nova_content_events_consumer::each_event_is_applied_once ... ok"),
        "{stdout}"
    );
}
