//! `nova scaffold` on scratch copies of the built-in example: every command that
//! `nova plan` prints runs, `--dry-run` writes nothing and shows a diff, `--check`
//! exits 1 before and 0 after, a second run changes nothing, and the example still
//! builds (`example_build`: PostgreSQL for sqlx's macros, the workspace's target
//! directory).

use std::collections::BTreeMap;
use std::path::Path;

use crate::example_build::{ExampleDb, add_nova_lock, cargo_build, scratch_in_checkout};
use crate::support::{copy_dir, example, nova};

fn tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        for e in std::fs::read_dir(dir).expect("read_dir") {
            let e = e.expect("entry");
            let p = e.path();
            if e.file_type().expect("type").is_dir() {
                walk(root, &p, out);
            } else {
                let rel = p.strip_prefix(root).expect("under root");
                out.insert(
                    rel.to_string_lossy().into_owned(),
                    std::fs::read(&p).expect("read"),
                );
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(root, root, &mut out);
    out
}

/// Runs `nova <args>` in `dir`; returns (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = nova()
        .args(args)
        .current_dir(dir)
        .output()
        .expect("nova runs");
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr,
    )
}

/// The `nova scaffold ...` commands of `nova plan`, in order.
fn plan_commands(dir: &Path) -> Vec<String> {
    let (code, plan, err) = run(dir, &["plan", ".", "-q"]);
    assert_eq!(code, 0, "{err}");
    let mut out = Vec::new();
    for piece in plan.split('`') {
        if piece.starts_with("nova scaffold ") && !out.contains(&piece.to_owned()) {
            out.push(piece.to_owned());
        }
    }
    out
}

/// The copy is inside this checkout (`target/scaffold-example`) so that the
/// scaffolded code's path dependencies on nova's runtime crates resolve.
#[test]
fn every_command_of_the_plan_runs_in_a_scratch_copy_and_it_builds() {
    let scratch = scratch_in_checkout("scaffold-example");
    let dir: &Path = &scratch;
    copy_dir(&example(), dir);
    // The schema sqlx's `query!` macros check against: the example's own migrations,
    // before the scaffolds add theirs (read models the services create at start-up).
    let db = ExampleDb::create(dir);
    let commands = plan_commands(dir);
    let kinds: Vec<&str> = commands
        .iter()
        .filter_map(|c| c.split_whitespace().nth(2))
        .collect();
    assert!(
        kinds.contains(&"outbox") && kinds.contains(&"consumer"),
        "{commands:?}"
    );
    let mut ran = 0;
    for command in &commands {
        let args: Vec<&str> = command.split_whitespace().skip(1).collect();
        ran += 1;
        let with = |flag: &'static str| {
            let mut a = args.clone();
            a.push(flag);
            a
        };
        let before = tree(dir);
        let (code, out, err) = run(dir, &with("--dry-run"));
        assert_eq!(code, 0, "{command} --dry-run: {err}");
        assert!(
            out.contains("+++ b/"),
            "{command} --dry-run shows no diff:\n{out}"
        );
        assert!(out.contains("dry run: nothing written"), "{out}");
        assert_eq!(tree(dir), before, "{command} --dry-run wrote");

        let (code, out, err) = run(dir, &with("--check"));
        assert_eq!(code, 1, "{command} --check before: {out}{err}");
        assert_eq!(tree(dir), before, "{command} --check wrote");

        let (code, out, err) = run(dir, &args);
        assert_eq!(code, 0, "{command}: {out}{err}");
        assert_ne!(tree(dir), before, "{command} wrote nothing");

        let (code, out, err) = run(dir, &with("--check"));
        assert_eq!(code, 0, "{command} --check after: {out}{err}");
        let after = tree(dir);
        let (code, out, err) = run(dir, &args);
        assert_eq!(code, 0, "{command} again: {err}");
        assert!(out.contains("nothing to change"), "{command} again:\n{out}");
        assert_eq!(tree(dir), after, "{command} changed something again");
    }
    assert_eq!(ran, 10, "{commands:?}");
    // The scaffolded example still scans...
    let (code, _, err) = run(dir, &["scan", ".", "-q"]);
    assert_eq!(code, 0, "{err}");
    // ... and builds, its generated tests included.
    let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).expect("Cargo.toml");
    assert!(
        manifest.contains("nova-outbox = { path = \"../../"),
        "{manifest}"
    );
    add_nova_lock(dir);
    cargo_build(dir, &db);
}

#[test]
fn json_report_and_errors() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&example(), dir.path());
    let (code, out, err) = run(
        dir.path(),
        &[
            "scaffold",
            "outbox",
            "--service",
            "media-service",
            "--topic",
            "media-events",
            "--events",
            "MediaAttached",
            "--check",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["changes"], true);
    assert_eq!(v["written"], false);
    let actions: Vec<(String, String)> = v["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap_or_default().to_owned(),
                f["action"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert!(
        actions.contains(&(
            "services/media-service/src/nova/media_events.rs".into(),
            "create".into()
        )),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("services/media-service/src/main.rs".into(), "inject".into())),
        "{actions:?}"
    );

    let before = tree(dir.path());
    let (code, _, err) = run(
        dir.path(),
        &[
            "scaffold",
            "consumer",
            "--service",
            "billing-service",
            "--topic",
            "media-events",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("unknown service `billing-service`; the services are: content-service,"),
        "{err}"
    );
    let (code, _, err) = run(
        dir.path(),
        &[
            "scaffold",
            "consumer",
            "--service",
            "search-service",
            "--topic",
            "media-events",
        ],
    );
    assert_eq!(code, 2);
    assert!(err.contains("unknown topic `media-events`"), "{err}");
    assert_eq!(tree(dir.path()), before);
}

/// Findings of `nova audit --format json` in `dir`: (rule, message).
fn findings(dir: &Path) -> Vec<(String, String)> {
    let (code, out, err) = run(
        dir,
        &["audit", ".", "--format", "json", "-q", "--fail-on", "never"],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap_or_default().to_owned(),
                f["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).expect("read");
    assert!(text.contains(from), "{}: no {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).expect("write");
}

/// The `file:line` places in `text` (between backquotes).
fn places(text: &str) -> Vec<(String, usize)> {
    text.split('`')
        .filter_map(|p| {
            let (file, line) = p.rsplit_once(':')?;
            Some((file.to_owned(), line.parse().ok()?))
        })
        .collect()
}

/// Line `line` (1-based) of `root/file`.
fn line_of(root: &Path, file: &str, line: usize) -> String {
    let text = std::fs::read_to_string(root.join(file)).expect("read");
    text.lines().nth(line - 1).unwrap_or_default().to_owned()
}

/// The README's walk: `nova plan` names `nova scaffold jwt-verify --service
/// messaging-service` and the hand edit "messaging-service stops calling
/// `VerifyUser`" with the call, the client and the address setting to remove;
/// after both, `nova audit` no longer reports that sync call, nothing else
/// changed, and the example builds.
#[test]
fn plan_scaffold_hand_edit_audit_walk() {
    let scratch = scratch_in_checkout("scaffold-walk");
    let root: &Path = &scratch;
    copy_dir(&example(), root);
    let db = ExampleDb::create(root);
    let (_, plan, _) = run(root, &["plan", ".", "-q"]);
    assert!(plan.contains("`nova scaffold jwt-verify --service messaging-service`"));
    let step = plan
        .lines()
        .find(|l| l.contains("messaging-service stops calling `VerifyUser` on identity-service"))
        .unwrap_or_else(|| panic!("no hand edit in\n{plan}"));
    // The places the plan names are the call, the client, the address setting.
    let named: Vec<String> = places(step)
        .into_iter()
        .map(|(file, line)| line_of(root, &file, line))
        .collect();
    assert_eq!(named.len(), 4, "{step}");
    assert!(named[0].contains(".verify_user("), "{step}: {named:?}");
    assert!(
        named[1].contains("IdentityServiceClient::connect"),
        "{step}: {named:?}"
    );
    assert!(
        named[2..]
            .iter()
            .all(|l| l.contains("IDENTITY_SERVICE_URL")),
        "{step}: {named:?}"
    );
    let sync = "messaging-service calls identity-service synchronously over gRPC (VerifyUser)";
    let before = findings(root);
    assert!(before.iter().any(|(_, m)| m == sync), "{before:?}");

    let (code, out, err) = run(
        root,
        &["scaffold", "jwt-verify", "--service", "messaging-service"],
    );
    assert_eq!(code, 0, "{out}{err}");

    // The hand edit: verify the token locally instead of calling identity-service.
    let grpc = root.join("services/messaging-service/src/grpc.rs");
    edit(&grpc, "use tonic::transport::Channel;\n", "");
    edit(
        &grpc,
        "use crate::pb::identity::identity_service_client::IdentityServiceClient;\nuse crate::pb::identity::VerifyUserRequest;\n",
        "",
    );
    edit(
        &grpc,
        "    identity: IdentityServiceClient<Channel>,\n",
        "    verifier: crate::nova::auth::Verifier,\n",
    );
    edit(
        &grpc,
        "        identity: IdentityServiceClient<Channel>,\n",
        "        verifier: crate::nova::auth::Verifier,\n",
    );
    edit(&grpc, "            identity,\n", "            verifier,\n");
    edit(
        &grpc,
        "        let mut identity = self.identity.clone();
        let verified = identity
            .verify_user(VerifyUserRequest {
                token: token.to_string(),
            })
            .await?
            .into_inner();
        if !verified.valid {
            return Err(Status::unauthenticated(\"invalid token\"));
        }
        let user_id = Uuid::parse_str(&verified.user_id)
            .map_err(|_| Status::internal(\"identity-service returned a bad user id\"))?;
",
        "        let claims = self
            .verifier
            .verify(token)
            .map_err(|e| Status::unauthenticated(e.to_string()))?;
        let user_id = Uuid::parse_str(&claims.sub)
            .map_err(|_| Status::unauthenticated(\"the token's subject is not a user id\"))?;
",
    );
    let main = root.join("services/messaging-service/src/main.rs");
    edit(
        &main,
        "use pb::identity::identity_service_client::IdentityServiceClient;\n",
        "",
    );
    edit(&main, "    pub identity_url: String,\n", "");
    edit(
        &main,
        "            identity_url: std::env::var(\"IDENTITY_SERVICE_URL\")
                .unwrap_or_else(|_| \"http://identity-service:50051\".to_string()),
",
        "",
    );
    edit(
        &main,
        "    let identity = IdentityServiceClient::connect(cfg.identity_url.clone())
        .await
        .context(\"identity-service is not reachable\")?;
",
        "    let verifier = nova::auth::verifier()?;\n",
    );
    edit(
        &main,
        "MessagingGrpc::new(pool, identity,",
        "MessagingGrpc::new(pool, verifier,",
    );
    // ... and the deployment no longer gives it identity-service's address.
    edit(
        &root.join("k8s/base/messaging-service.yaml"),
        "            - name: IDENTITY_SERVICE_URL\n              value: \"http://identity-service:50051\"\n",
        "",
    );

    let after = findings(root);
    assert!(
        !after
            .iter()
            .any(|(_, m)| m.starts_with("messaging-service calls identity-service")),
        "{after:?}"
    );
    let mut expected = before.clone();
    expected.retain(|(_, m)| m != sync);
    assert_eq!(after, expected, "only that finding went");
    // Every place the plan named is gone.
    for (file, _) in places(step) {
        let text = std::fs::read_to_string(root.join(&file)).expect("read");
        assert!(
            !text.contains("verify_user") && !text.contains("IDENTITY_SERVICE_URL"),
            "{file} still has the call or the address"
        );
    }
    // The edited service builds (with the scaffolded token verification).
    add_nova_lock(root);
    cargo_build(root, &db);
}

#[test]
fn run_from_inside_a_service_it_writes_into_the_workspace() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&example(), dir.path());
    let inside = dir.path().join("services/feed-service/src");
    let (code, out, err) = run(
        &inside,
        &["scaffold", "jwt-verify", "--service", "feed-service"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(dir.path().join(".nova/scaffold.lock").is_file());
    assert!(
        dir.path()
            .join("services/feed-service/src/nova/auth.rs")
            .is_file()
    );
    assert!(!inside.join(".nova").exists());
}
