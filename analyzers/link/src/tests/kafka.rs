//! Kafka: topics from code, outboxes, config files and library helpers; dual
//! writes across calls.

use super::*;

fn kafka_repo() -> Repo {
    Repo::new()
        .service(
            "content-service",
            &["events"],
            &[(
                "src/posts.rs",
                r#"
pub async fn create_post(pool: &PgPool, producer: &FutureProducer) {
    sqlx::query("INSERT INTO posts (id) VALUES ($1)").execute(pool).await?;
    let prefix = std::env::var("KAFKA_TOPIC_PREFIX").unwrap_or_else(|_| "nova".into());
    producer.send(FutureRecord::to(&format!("{}.content.events", prefix)).payload("x"), t).await;
}
pub async fn broken(producer: &FutureProducer) {
    producer.send(FutureRecord::to(&topic_for(kind)).payload("x"), t).await;
}
"#,
            )],
        )
        .library(
            "events",
            &[],
            &[(
                "src/lib.rs",
                "pub mod topics { pub const MEDIA_EVENTS: &str = \"media-events\"; }\n",
            )],
        )
        .service(
            "media-service",
            &["events"],
            &[(
                "src/upload.rs",
                r#"
use events::topics;
pub async fn uploaded(tx: &mut Tx, outbox: &Outbox) {
    outbox.enqueue(&mut *tx, topics::MEDIA_EVENTS, &payload).await?;
}
"#,
            )],
        )
        .service(
            "feed-service",
            &[],
            &[(
                "src/consumer.rs",
                r#"
pub async fn run(consumer: StreamConsumer) {
    consumer.subscribe(&["nova.content.events"]).unwrap();
    loop { let m = consumer.recv().await; handle(m).await; }
}
async fn handle(m: Msg) { apply(m).await; }
async fn apply(m: Msg) {}
"#,
            )],
        )
        .manifest(
            "services/feed-service/config/default.yaml",
            "kafka:\n  consumer:\n    topics:\n      - media-events\n  dlq_topic: feed-dlq\n",
        )
}

#[test]
fn kafka_topics_prefix_outbox_yaml_only_and_unresolved() {
    let mut repo = kafka_repo();
    repo.accesses.push(Access {
        service: "content-service".into(),
        table: "posts".into(),
        op: Op::Create,
        location: Location::new("services/content-service/src/posts.rs", 3, 0),
        confidence: Confidence::High,
        via_library: None,
        call_site: None,
        function: Some("posts::create_post".into()),
        in_test: false,
        source: Default::default(),
        orm_call: None,
    });
    repo.accesses.push(Access {
        service: "feed-service".into(),
        table: "processed_events".into(),
        op: Op::Create,
        location: Location::new("services/feed-service/src/consumer.rs", 7, 0),
        confidence: Confidence::High,
        via_library: None,
        call_site: None,
        function: Some("consumer::apply".into()),
        in_test: false,
        source: Default::default(),
        orm_call: None,
    });
    let out = repo.run();
    assert_eq!(
        edges(&out),
        vec![
            e(
                "content-service",
                "feed-service",
                EdgeKind::Kafka,
                &["nova.content.events"]
            ),
            e(
                "media-service",
                "feed-service",
                EdgeKind::Kafka,
                &["media-events"]
            ),
        ]
    );
    fn eps(v: &[TopicEndpoint]) -> Vec<EndpointRow<'_>> {
        v.iter()
            .map(|x| (x.service.as_str(), x.via, x.location.to_string()))
            .collect()
    }
    let topics: Vec<TopicRow<'_>> = out
        .topics
        .iter()
        .map(|t| (t.name.as_str(), eps(&t.producers), eps(&t.consumers)))
        .collect();
    assert_eq!(
        topics,
        vec![
            (
                "media-events",
                vec![(
                    "media-service",
                    TopicVia::Outbox,
                    "services/media-service/src/upload.rs:4".into()
                )],
                vec![(
                    "feed-service",
                    TopicVia::Config,
                    "services/feed-service/config/default.yaml:4".into()
                )],
            ),
            (
                "nova.content.events",
                vec![(
                    "content-service",
                    TopicVia::Direct,
                    "services/content-service/src/posts.rs:5".into()
                )],
                vec![(
                    "feed-service",
                    TopicVia::Direct,
                    "services/feed-service/src/consumer.rs:3".into()
                )],
            ),
        ]
    );
    let d: Vec<(DiagCode, String, Option<String>)> = out
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.code,
                d.location
                    .as_ref()
                    .map(|l| l.to_string())
                    .unwrap_or_default(),
                d.snippet.clone(),
            )
        })
        .collect();
    assert_eq!(
        d,
        vec![
            (
                DiagCode::UnresolvedTopic,
                "services/content-service/src/posts.rs:8".to_string(),
                Some("topic_for(kind)".to_string())
            ),
            (
                DiagCode::UnresolvedTopic,
                "services/feed-service/config/default.yaml:5".to_string(),
                Some("kafka.dlq_topic: feed-dlq".to_string())
            ),
        ]
    );
    let f: Vec<FnRow<'_>> = out
        .functions
        .iter()
        .map(|f| {
            (
                f.service.as_str(),
                f.function.as_str(),
                f.writes.clone(),
                f.produces_direct.clone(),
                f.produces_outbox.clone(),
                f.consumer_handler,
                f.dedupes,
            )
        })
        .collect();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        f,
        vec![
            (
                "content-service",
                "posts::create_post",
                s(&["posts"]),
                s(&["nova.content.events"]),
                s(&[]),
                false,
                false
            ),
            (
                "feed-service",
                "consumer::apply",
                s(&["processed_events"]),
                s(&[]),
                s(&[]),
                true,
                true
            ),
            (
                "feed-service",
                "consumer::handle",
                s(&[]),
                s(&[]),
                s(&[]),
                true,
                false
            ),
            (
                "feed-service",
                "consumer::run",
                s(&[]),
                s(&[]),
                s(&[]),
                true,
                false
            ),
            (
                "media-service",
                "upload::uploaded",
                s(&[]),
                s(&[]),
                s(&["media-events"]),
                false,
                false
            ),
        ]
    );
    let kafka = out
        .infrastructure
        .iter()
        .find(|i| i.kind == InfraKind::Kafka)
        .expect("kafka infra");
    assert_eq!(
        kafka.used_by,
        vec![
            "content-service".to_string(),
            "feed-service".into(),
            "media-service".into()
        ]
    );
}

#[test]
fn topic_prefix_from_config_env() {
    let mut repo = kafka_repo();
    repo.config
        .env
        .insert("KAFKA_TOPIC_PREFIX".into(), "prod".into());
    let out = repo.run();
    let names: Vec<&str> = out.topics.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(
        names,
        vec!["media-events", "nova.content.events", "prod.content.events"]
    );
    // Producer and consumer no longer meet on the same topic.
    assert_eq!(
        edges(&out),
        vec![e(
            "media-service",
            "feed-service",
            EdgeKind::Kafka,
            &["media-events"]
        )]
    );
}

#[test]
fn topic_forwarded_through_a_library_helper() {
    let out = Repo::new()
        .library(
            "bus",
            &[],
            &[(
                "src/lib.rs",
                "impl Bus { pub async fn emit(&self, topic: &str, b: &[u8]) { self.p.send(FutureRecord::to(topic).payload(b), t).await; } }",
            )],
        )
        .service("users", &["bus"], &[("src/main.rs", "async fn created(bus: &Bus) { bus.emit(\"user-events\", b\"x\").await; }")])
        .service("chat", &[], &[("src/main.rs", "fn run(c: StreamConsumer) { c.subscribe(&[\"user-events\"]); }")])
        .run();
    assert_eq!(
        edges(&out),
        vec![e("users", "chat", EdgeKind::Kafka, &["user-events"])]
    );
}

#[test]
fn dual_write_across_calls() {
    let mut repo = Repo::new().service(
        "messaging",
        &[],
        &[
            ("src/store.rs", "pub async fn insert_message(db: &PgPool) { sqlx::query(\"INSERT INTO messages (id) VALUES ($1)\").execute(db).await; }\n"),
            (
                "src/events.rs",
                "impl Publisher { pub async fn publish(&self, m: &M) { self.p.send(FutureRecord::to(\"messaging-events\").payload(m), t).await; } }\n",
            ),
            (
                "src/grpc.rs",
                "impl Svc {\n    async fn send_message(&self, r: R) {\n        store::insert_message(&self.db).await;\n        self.publisher.publish(&m).await;\n    }\n    async fn list(&self) { store::list(&self.db).await; }\n}\n",
            ),
        ],
    );
    repo.accesses.push(Access {
        service: "messaging".into(),
        table: "messages".into(),
        op: Op::Create,
        location: Location::new("services/messaging/src/store.rs", 1, 0),
        confidence: Confidence::High,
        via_library: None,
        call_site: None,
        function: Some("store::insert_message".into()),
        in_test: false,
        source: Default::default(),
        orm_call: None,
    });
    let out = repo.run();
    let f: Vec<FnRow<'_>> = out
        .functions
        .iter()
        .map(|f| {
            (
                f.service.as_str(),
                f.function.as_str(),
                f.writes.clone(),
                f.produces_direct.clone(),
                f.produces_outbox.clone(),
                f.consumer_handler,
                f.dedupes,
            )
        })
        .collect();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        f,
        vec![
            (
                "messaging",
                "events::Publisher::publish",
                s(&[]),
                s(&["messaging-events"]),
                s(&[]),
                false,
                false
            ),
            (
                "messaging",
                "grpc::Svc::send_message",
                s(&["messages"]),
                s(&["messaging-events"]),
                s(&[]),
                false,
                false
            ),
        ]
    );
    assert_eq!(
        out.functions[1].location,
        Location::new("services/messaging/src/grpc.rs", 2, 0)
    );
}

#[test]
fn forwarded_topic_without_static_value_is_reported() {
    let out = Repo::new()
        .library(
            "bus",
            &[],
            &[(
                "src/lib.rs",
                "impl Bus { pub async fn emit(&self, topic: &str, b: &[u8]) { self.p.send(FutureRecord::to(topic).payload(b), t).await; } }",
            )],
        )
        .service(
            "users",
            &["bus"],
            &[("src/main.rs", "async fn created(bus: &Bus, t: String) {\n    bus.emit(&t, b\"x\").await;\n}")],
        )
        .run();
    assert!(out.topics.is_empty());
    let d: Vec<(DiagCode, String)> = out
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.code,
                d.location
                    .as_ref()
                    .map(|l| l.to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        d,
        vec![(
            DiagCode::UnresolvedTopic,
            "services/users/src/main.rs:2".to_string()
        )]
    );
}
