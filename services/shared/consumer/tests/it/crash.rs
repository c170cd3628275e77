//! The consumer process killed between its database commit and its offset commit.

use std::process::{Command, Stdio};
use std::time::Duration;

use nova_testkit::unique_name;

use crate::common::*;

fn demo(env: &Env, group: &str, crash_after: Option<u32>) -> std::process::Child {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nova-consumer-demo"));
    cmd.env("DATABASE_URL", env.db.url())
        .env("KAFKA_BOOTSTRAP", &env.bootstrap)
        .env("NOVA_CONSUMER_GROUP", group)
        .env("NOVA_CONSUMER_TOPICS", &env.topic)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(if std::env::var("NOVA_IT_DEBUG").is_ok() {
            Stdio::inherit()
        } else {
            Stdio::null()
        });
    if let Some(n) = crash_after {
        cmd.env("NOVA_CONSUMER_CRASH_AFTER", n.to_string());
    }
    cmd.spawn().expect("spawn nova-consumer-demo")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killed_between_db_commit_and_offset_commit_applies_no_second_effect() {
    let env = Env::new().await;
    let events: Vec<_> = (1..=30)
        .flat_map(|r| (0..2).map(move |a| post_event(a, r, "ok")))
        .collect(); // 60 events
    for e in &events {
        env.send(e).await;
    }
    let group = unique_name("demo");
    // Crashes right after committing its 25th effect, before storing that offset.
    let mut first = demo(&env, &group, Some(25));
    let status = tokio::task::spawn_blocking(move || first.wait())
        .await
        .expect("join")
        .expect("wait");
    assert!(!status.success(), "the demo consumer crashed as told");
    // The 25th commit may be that of a batch holding later events too: at least
    // 25 effects, each with its processed-event row (committed together).
    let applied = count(env.pool(), "SELECT count(*) FROM demo_effects").await;
    assert!(applied >= 25, "{applied} effects before the crash");
    assert_eq!(
        count(env.pool(), "SELECT count(*) FROM nova_processed_events").await,
        applied
    );

    let mut second = demo(&env, &group, None);
    wait_count(
        env.pool(),
        "SELECT count(*) FROM demo_effects",
        60,
        Duration::from_secs(60),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(800)).await;
    let _ = second.kill();
    let _ = second.wait();
    assert_eq!(
        effect_ids(env.pool(), "demo_effects").await,
        sorted(events.iter().map(|e| e.id).collect()),
        "each event applied exactly once"
    );
    assert_eq!(
        count(env.pool(), "SELECT count(*) FROM nova_processed_events").await,
        60
    );
    env.cleanup().await;
}
