use super::*;

/// The graph facts of one file's source, walked as a scan walks it.
pub(super) fn facts(src: &str) -> GraphFacts {
    let file = syn::parse_file(src).expect("test source parses");
    let mut out = crate::FileFacts::default();
    crate::walk::walk_file(&file, false, &mut out);
    out.graph
}

fn lit(s: &str) -> StrExpr {
    StrExpr::Lit(s.to_string())
}

fn rpcs(f: &GraphFacts) -> Vec<(Option<&str>, &str, u32)> {
    f.rpc_calls
        .iter()
        .map(|r| (r.service.as_deref(), r.rpc.as_str(), r.line))
        .collect()
}

#[test]
fn pascal() {
    assert_eq!(snake_to_pascal("get_post"), "GetPost");
    assert_eq!(snake_to_pascal("verify_user"), "VerifyUser");
    assert_eq!(snake_to_pascal("x"), "X");
}

#[test]
fn server_impl_and_router() {
    let f = facts(
        r#"
use proto::content_service_server::{ContentService, ContentServiceServer};
pub struct Svc;
#[tonic::async_trait]
impl ContentService for Svc {
    async fn get_post(&self, r: Request<GetPostRequest>) -> Result<Response<Post>, Status> { todo() }
}
struct Other;
impl proto::identity_service_server::IdentityService for Other {}
async fn main() {
    Server::builder()
        .add_service(ContentServiceServer::new(Svc))
        .serve(addr).await;
}
"#,
    );
    let got: Vec<(&str, ServerShape, Option<&str>, u32)> = f
        .grpc_servers
        .iter()
        .map(|s| (s.service.as_str(), s.shape, s.impl_type.as_deref(), s.line))
        .collect();
    assert_eq!(
        got,
        vec![
            ("ContentService", ServerShape::Impl, Some("Svc"), 5),
            ("IdentityService", ServerShape::Impl, Some("Other"), 9),
            ("ContentService", ServerShape::Router, None, 12),
        ]
    );
    assert_eq!(f.grpc_servers[2].function.as_deref(), Some("main"));
    assert!(f.rpc_calls.is_empty());
}

#[test]
fn client_connect_and_rpc_calls() {
    let f = facts(
        r#"
use proto::content_service_client::ContentServiceClient;
async fn fetch(id: i64) -> Result<Post> {
    let addr = std::env::var("CONTENT_GRPC_ADDR").unwrap_or_else(|_| "http://content-service:50051".into());
    let mut client = ContentServiceClient::connect(addr).await?;
    let resp = client.get_post(tonic::Request::new(GetPostRequest { id })).await?;
    Ok(resp.into_inner())
}
"#,
    );
    assert_eq!(f.grpc_clients.len(), 1);
    let c = &f.grpc_clients[0];
    assert_eq!(c.service, "ContentService");
    assert_eq!(c.shape, ClientShape::Connect);
    assert_eq!(c.line, 5);
    assert_eq!(
        c.target,
        Some(StrExpr::Env {
            var: "CONTENT_GRPC_ADDR".into(),
            default: Some(Box::new(lit("http://content-service:50051"))),
        })
    );
    assert_eq!(rpcs(&f), vec![(Some("ContentService"), "GetPost", 6)]);
    assert_eq!(f.rpc_calls[0].function.as_deref(), Some("fetch"));
    assert_eq!(
        f.env_reads,
        vec![EnvRead {
            var: "CONTENT_GRPC_ADDR".into(),
            default: Some("http://content-service:50051".into()),
            line: 4,
            function: Some("fetch".into()),
            in_test: false,
        }]
    );
}

#[test]
fn client_field_alias_new_interceptor() {
    let f = facts(
        r#"
use pb::identity_service_client::IdentityServiceClient;
type IdClient = IdentityServiceClient<Channel>;
pub struct AppState { identity: IdentityServiceClient<InterceptedService<Channel, Auth>>, db: PgPool }
impl AppState {
    fn build(ch: Channel) -> Self {
        let c = IdentityServiceClient::new(ch.clone());
        let d = IdentityServiceClient::with_interceptor(ch, auth);
        todo()
    }
    async fn verify(&self, t: String) -> bool {
        self.identity.clone().verify_user(VerifyUserRequest { t }).await.is_ok()
    }
}
"#,
    );
    let shapes: Vec<(ClientShape, Option<&str>, u32)> = f
        .grpc_clients
        .iter()
        .map(|c| (c.shape, c.name.as_deref(), c.line))
        .collect();
    assert_eq!(
        shapes,
        vec![
            (ClientShape::Alias, Some("IdClient"), 3),
            (ClientShape::Field, Some("identity"), 4),
            (ClientShape::New, None, 7),
            (ClientShape::WithInterceptor, None, 8),
        ]
    );
    assert!(
        f.grpc_clients
            .iter()
            .all(|c| c.service == "IdentityService")
    );
    assert_eq!(f.grpc_clients[1].owner.as_deref(), Some("AppState"));
    assert_eq!(rpcs(&f), vec![(Some("IdentityService"), "VerifyUser", 12)]);
    assert_eq!(f.rpc_calls[0].function.as_deref(), Some("AppState::verify"));
}

#[test]
fn pool_getter_and_wrapper() {
    let f = facts(
        r#"
use crate::pb::content_service_client::ContentServiceClient;
pub struct GrpcPool { content: ContentServiceClient<Channel> }
impl GrpcPool {
    pub fn content(&self) -> ContentServiceClient<Channel> { self.content.clone() }
}
pub async fn get_post_wrapper(pool: &GrpcPool, id: i64) -> Post {
    pool.content().get_post(GetPostRequest { id }).await
}
"#,
    );
    let getter: Vec<_> = f
        .grpc_clients
        .iter()
        .filter(|c| c.shape == ClientShape::ReturnType)
        .collect();
    assert_eq!(getter.len(), 1);
    assert_eq!(getter[0].name.as_deref(), Some("content"));
    assert_eq!(getter[0].function.as_deref(), Some("GrpcPool::content"));
    assert_eq!(rpcs(&f), vec![(Some("ContentService"), "GetPost", 8)]);
    assert_eq!(f.rpc_calls[0].via_getter.as_deref(), Some("content"));
    assert_eq!(f.rpc_calls[0].function.as_deref(), Some("get_post_wrapper"));
}

#[test]
fn cross_file_getter_is_recorded_by_name() {
    let f = facts(
        r#"
async fn feed(state: AppState) {
    let p = state.pool.content().get_post(req).await?;
    let x = state.cache.items().get_thing(1);
}
"#,
    );
    assert_eq!(rpcs(&f), vec![(None, "GetPost", 3)]);
    assert_eq!(f.rpc_calls[0].via_getter.as_deref(), Some("content"));
}

#[test]
fn generated_client_file_is_skipped() {
    let f = facts(
        r#"
pub mod content_service_client {
    #![allow(unused_variables)]
    use tonic::codegen::*;
    pub struct ContentServiceClient<T> { inner: tonic::client::Grpc<T> }
    impl ContentServiceClient<tonic::transport::Channel> {
        pub async fn connect<D>(dst: D) -> Result<Self, tonic::transport::Error> { todo() }
    }
    impl<T> ContentServiceClient<T> where T: tonic::client::GrpcService<tonic::body::Body> {
        pub async fn get_post(&mut self, request: impl tonic::IntoRequest<super::GetPostRequest>) {
            self.inner.unary(request.into_request(), path, codec).await
        }
    }
}
"#,
    );
    assert!(f.generated);
    assert!(f.grpc_clients.is_empty());
    assert!(f.rpc_calls.is_empty());
    // The generated code declares the service it stands for.
    assert_eq!(f.generated_services, ["ContentService"]);
    let top = facts("use tonic::codegen::*;\nfn x() { ContentServiceClient::connect(a); }");
    assert!(top.generated);
    assert!(top.grpc_clients.is_empty());
    assert!(top.generated_services.is_empty());
}

#[test]
fn one_item_from_tonic_codegen_is_not_generated_code() {
    let f = facts(
        "use tonic::codegen::tokio_stream;\nfn x() { pb::dapr_client::DaprClient::connect(a); }",
    );
    assert!(!f.generated);
    assert_eq!(
        f.grpc_clients
            .iter()
            .map(|c| c.service.as_str())
            .collect::<Vec<_>>(),
        ["Dapr"]
    );
    assert!(f.generated_services.is_empty());
}

#[test]
fn http_calls_with_env_and_config() {
    let f = facts(
        r#"
pub struct Config { pub content_url: String, pub port: u16 }
impl Config {
    pub fn from_env() -> Self {
        Config {
            content_url: env::var("CONTENT_SERVICE_URL").unwrap_or("http://content:8080".to_string()),
            port: 8080,
        }
    }
}
async fn a(client: &reqwest::Client, base: &str) {
    let r = reqwest::get("http://identity-service:8080/health").await;
    let url = format!("{}/posts/{}", std::env::var("FEED_URL").unwrap(), 1);
    client.get(&url).send().await;
}
impl Svc {
    async fn b(&self) {
        self.http.post(format!("{}/media", self.config.content_url)).json(&x).send().await;
        let m = self.map.get(&key);
    }
}
"#,
    );
    let got: Vec<(&str, &StrExpr, u32)> = f
        .http_calls
        .iter()
        .map(|h| (h.api.as_str(), &h.url, h.line))
        .collect();
    let feed = StrExpr::Format {
        template: "{}/posts/{}".into(),
        args: vec![
            StrExpr::Env {
                var: "FEED_URL".into(),
                default: None,
            },
            StrExpr::Unknown("1".into()),
        ],
    };
    let media = StrExpr::Format {
        template: "{}/media".into(),
        args: vec![StrExpr::Field("content_url".into())],
    };
    let identity = lit("http://identity-service:8080/health");
    assert_eq!(
        got,
        vec![
            ("reqwest::get", &identity, 12),
            ("http.get", &feed, 14),
            ("http.post", &media, 18),
        ]
    );
    assert_eq!(
        f.fields,
        vec![FieldInit {
            field: "content_url".into(),
            value: StrExpr::Env {
                var: "CONTENT_SERVICE_URL".into(),
                default: Some(Box::new(lit("http://content:8080"))),
            },
            line: 6,
        }]
    );
}

#[test]
fn envy_config_struct_fields() {
    let f = facts(
        r#"
fn default_media() -> String { "http://media:8080".to_string() }
#[derive(Deserialize)]
struct Settings {
    #[serde(default = "default_media")]
    media_service_url: String,
    workers: usize,
}
"#,
    );
    assert_eq!(
        f.fields,
        vec![FieldInit {
            field: "media_service_url".into(),
            value: StrExpr::Env {
                var: "MEDIA_SERVICE_URL".into(),
                default: Some(Box::new(lit("http://media:8080"))),
            },
            line: 6,
        }]
    );
}

fn topics(f: &GraphFacts) -> Vec<(TopicRole, TopicApi, &StrExpr, u32)> {
    f.topics
        .iter()
        .map(|t| (t.role, t.api, &t.topic, t.line))
        .collect()
}

#[test]
fn kafka_producers_and_consumers() {
    let src = r#"
const TOPIC: &str = "content-events";
pub const TOPICS: &[&str] = &["media-events", topics::USER_EVENTS];
async fn produce(p: &FutureProducer, payload: &str) {
    p.send(FutureRecord::to(TOPIC).payload(payload).key("k"), Duration::from_secs(0)).await;
    let prefix = std::env::var("KAFKA_TOPIC_PREFIX").unwrap_or_else(|_| "nova".into());
    let t = format!("{}.content.events", prefix);
    p.send(BaseRecord::to(&t).payload(payload), 0);
}
async fn consume(cfg: &Config) {
    let consumer: StreamConsumer = ClientConfig::new().create()?;
    consumer.subscribe(&["content-events", TOPIC])?;
    let topics = vec!["a".to_string()];
    consumer.subscribe(&topics.iter().map(|s| s.as_str()).collect::<Vec<_>>())?;
    consumer.subscribe(&TOPICS)?;
    consumer.subscribe(&[&cfg.kafka_topic])?;
    loop { let m = consumer.recv().await; handle(m).await; }
}
async fn handle(m: Msg) {}
"#;
    let f = facts(src);
    let prefixed = StrExpr::Format {
        template: "{}.content.events".into(),
        args: vec![StrExpr::Env {
            var: "KAFKA_TOPIC_PREFIX".into(),
            default: Some(Box::new(lit("nova"))),
        }],
    };
    let c = |s: &str| StrExpr::Const(vec![s.into()]);
    assert_eq!(
        topics(&f),
        vec![
            (TopicRole::Produce, TopicApi::Direct, &c("TOPIC"), 5),
            (TopicRole::Produce, TopicApi::Direct, &prefixed, 8),
            (
                TopicRole::Consume,
                TopicApi::Direct,
                &StrExpr::List(vec![lit("content-events"), c("TOPIC")]),
                12
            ),
            (
                TopicRole::Consume,
                TopicApi::Direct,
                &StrExpr::List(vec![lit("a")]),
                14
            ),
            (TopicRole::Consume, TopicApi::Direct, &c("TOPICS"), 15),
            (
                TopicRole::Consume,
                TopicApi::Direct,
                &StrExpr::List(vec![StrExpr::Field("kafka_topic".into())]),
                16
            ),
        ]
    );
    let consts: Vec<(&str, &StrExpr)> = f
        .consts
        .iter()
        .map(|c| (c.name.as_str(), &c.value))
        .collect();
    assert_eq!(
        consts,
        vec![
            ("TOPIC", &lit("content-events")),
            (
                "TOPICS",
                &StrExpr::List(vec![
                    lit("media-events"),
                    StrExpr::Const(vec!["topics".into(), "USER_EVENTS".into()])
                ])
            ),
        ]
    );
    let handlers: Vec<(&str, bool)> = f
        .functions
        .iter()
        .map(|g| (g.path.as_str(), g.consumer_handler))
        .collect();
    assert_eq!(
        handlers,
        vec![("consume", true), ("handle", false), ("produce", false)]
    );
    // The calls of a graph function are those of its SQL-walk twin.
    let all = crate::parse_file(src, false).expect("parses");
    let consume = &all.graph.functions[0];
    assert_eq!(consume.path, "consume");
    assert!(all.calls_of(consume).contains(&("handle".to_string(), 17)));
}

#[test]
fn outbox_shapes_and_forwarders() {
    let f = facts(
        r#"
mod events { pub const CONTENT_EVENTS: &str = "content-events"; }
async fn create(tx: &mut Tx, outbox: &Outbox) {
    sqlx::query("INSERT INTO posts ...").execute(&mut *tx).await?;
    outbox.enqueue(&mut *tx, "content-events", &evt).await?;
    outbox_event!(events::CONTENT_EVENTS, "PostCreated", payload);
    let event = NewEvent { topic: "media-events".into(), key: k, payload: p };
    nova_outbox::enqueue(&mut tx, &event).await?;
    self.outbox.publish(&mut tx, OutboxMessage::new(cfg.topic_name, body)).await?;
}
impl Bus {
    async fn publish(&self, topic: &str, body: &[u8]) {
        self.producer.send(FutureRecord::to(topic).payload(body), t).await;
    }
}
async fn caller(bus: &Bus) { bus.publish("user-events", b"x").await; }
"#,
    );
    assert_eq!(
        topics(&f),
        vec![
            (
                TopicRole::Produce,
                TopicApi::Outbox,
                &lit("content-events"),
                5
            ),
            (
                TopicRole::Produce,
                TopicApi::Outbox,
                &StrExpr::Const(vec!["events".into(), "CONTENT_EVENTS".into()]),
                6
            ),
            (
                TopicRole::Produce,
                TopicApi::Outbox,
                &lit("media-events"),
                8
            ),
            (
                TopicRole::Produce,
                TopicApi::Outbox,
                &StrExpr::Field("topic_name".into()),
                9
            ),
        ]
    );
    assert_eq!(
        f.topic_params,
        vec![TopicParam {
            name: "publish".into(),
            path: "Bus::publish".into(),
            index: 0,
            role: TopicRole::Produce,
            api: TopicApi::Direct,
            line: 13,
        }]
    );
    let call = f
        .str_calls
        .iter()
        .find(|c| c.callee == "publish" && c.line == 16)
        .expect("str call recorded");
    assert_eq!(call.args[0], lit("user-events"));
    assert_eq!(f.consts[0].module, vec!["events".to_string()]);
}

#[test]
fn infra_hints_and_dedupe() {
    let f = facts(
        r#"
async fn setup() {
    let r = redis::Client::open(url)?;
    let pg = PgPoolOptions::new().connect(&db).await?;
    let nats = async_nats::connect("nats://nats:4222").await?;
}
async fn on_event(c: &Consumer, tx: &mut Tx, id: Uuid) {
    if inbox.is_processed(id).await? { return; }
}
#[cfg(test)]
mod tests {
    fn t() { let c = ContentServiceClient::connect("http://x"); }
}
"#,
    );
    let kinds: Vec<(InfraKindRef, u32)> = f.infra.iter().map(|i| (i.kind, i.line)).collect();
    assert_eq!(
        kinds,
        vec![
            (nova_model::InfraKind::Redis, 3),
            (nova_model::InfraKind::Postgres, 4),
            (nova_model::InfraKind::Nats, 5),
        ]
    );
    let dd: Vec<(&str, bool)> = f
        .functions
        .iter()
        .map(|g| (g.path.as_str(), g.dedupes))
        .collect();
    assert_eq!(
        dd,
        vec![("on_event", true), ("setup", false), ("tests::t", false)]
    );
    assert_eq!(f.grpc_clients.len(), 1);
    assert!(f.grpc_clients[0].in_test);
    assert!(f.functions[2].in_test);
}

type InfraKindRef = nova_model::InfraKind;

#[test]
fn nova_outbox_topic_at_construction() {
    let f = facts(
        r#"
fn build() -> Outbox { nova_outbox::Outbox::new(CONTENT_EVENTS).unwrap() }
async fn create(o: &Outbox, tx: &mut Tx, e: &Event) { o.outbox.enqueue(tx, e).await?; }
"#,
    );
    assert_eq!(
        topics(&f),
        vec![
            (
                TopicRole::Produce,
                TopicApi::Outbox,
                &StrExpr::Const(vec!["CONTENT_EVENTS".into()]),
                2
            ),
            (
                TopicRole::Produce,
                TopicApi::Outbox,
                &StrExpr::Unknown("tx, e".into()),
                3
            ),
        ]
    );
}

/// A row type named like the client (a diesel `NewOutbox`) takes the topic
/// and the payload: not nova-outbox's `Outbox::new(topic)`.
#[test]
fn a_row_constructor_named_like_the_outbox_is_no_client() {
    let f = facts(
        r#"
fn row(p: &[u8]) -> NewOutbox { NewOutbox::new(TOPIC, p) }
"#,
    );
    assert_eq!(topics(&f), vec![]);
}

#[test]
fn field_receivers_are_candidates() {
    let f = facts(
        r#"
async fn ws(state: AppState, m: Msg) {
    let mut identity = state.identity.clone();
    identity.verify_user(VerifyUserRequest { t }).await;
    state.messaging.clone().send_message(req).await;
    let n = m.len();
}
"#,
    );
    let got: Vec<(Option<&str>, &str, u32)> = f
        .rpc_calls
        .iter()
        .map(|r| (r.via_field.as_deref(), r.rpc.as_str(), r.line))
        .collect();
    assert_eq!(
        got,
        vec![
            (Some("identity"), "VerifyUser", 4),
            (Some("messaging"), "SendMessage", 5)
        ]
    );
    assert!(f.rpc_calls.iter().all(|r| r.service.is_none()));
}

#[test]
fn outbox_lookalikes_are_not_sites() {
    let f = facts(
        r#"
fn link(st: &mut State, text: &str, v: &mut Vec<u8>) {
    st.outbox_pending.push((a, d));
    let t = outbox_insert_topic(&text);
    v.dedup();
    self.outbox_repo.insert(&mut tx, "x-events").await;
    insert_outbox_event(&mut tx, "y-events").await;
    facts.produces_outbox.insert("z-events");
    self.event_outbox.enqueue(&mut tx, "w-events").await;
}
"#,
    );
    let got: Vec<(&StrExpr, u32)> = f.topics.iter().map(|t| (&t.topic, t.line)).collect();
    assert_eq!(
        got,
        vec![
            (&lit("x-events"), 6),
            (&lit("y-events"), 7),
            (&lit("w-events"), 9)
        ]
    );
    assert!(!f.functions[0].dedupes);
}

#[test]
fn nova_consumer_handler_and_config() {
    let f = facts(
        r#"
use nova_consumer::{Consumer, ConsumerConfig, Handler};
struct Feed;
impl Handler for Feed {
    fn supports(&self, t: &str) -> Option<u32> { Some(1) }
    fn handle<'a>(&'a self, tx: &'a mut Tx, e: &'a Event) -> Fut<'a> { apply(tx, e) }
}
fn main() {
    let cfg = ConsumerConfig::new(brokers, "feed", ["content-events", MEDIA]);
}
"#,
    );
    assert_eq!(
        topics(&f),
        vec![(
            TopicRole::Consume,
            TopicApi::Direct,
            &StrExpr::List(vec![
                lit("content-events"),
                StrExpr::Const(vec!["MEDIA".into()])
            ]),
            9
        )]
    );
    let fl: Vec<(&str, bool, bool)> = f
        .functions
        .iter()
        .map(|g| (g.path.as_str(), g.consumer_handler, g.dedupes))
        .collect();
    assert_eq!(
        fl,
        vec![
            ("Feed::handle", true, true),
            ("Feed::supports", true, true),
            ("main", true, false)
        ]
    );
}

#[test]
fn long_method_chains_are_linear() {
    // Every level of a chain looks at its receiver; doing so by rendering
    // the receiver as text made a 3,000-call chain take seconds.
    let n = 3000;
    let mut src = String::from("async fn f(client: &Client, x: i64) {\n    let v = client");
    for i in 0..n {
        src.push_str(&format!("\n        .call_{i}(x)"));
    }
    src.push_str(";\n}\n");
    let facts = crate::parse_file(&src, false).expect("a long chain parses");
    // `client.call_0(x)` alone is not plausible (no gRPC hint); every later
    // call is on a getter of a receiver named like a client.
    let calls = &facts.graph.rpc_calls;
    assert_eq!(calls.len(), n - 1);
    assert_eq!(rpcs(&facts.graph)[0], (None, "Call1", 4));
    assert_eq!(calls[0].via_getter.as_deref(), Some("call_0"));
    assert_eq!(calls[0].receiver, "client.call_0(x)");
    assert_eq!(calls[15].receiver.matches(".call_").count(), 16);
    assert_eq!(calls[16].receiver, "….call_16(x)");
    // Past 16 calls the receiver is shown by its last call only.
    assert_eq!(calls[n - 2].receiver, format!("….call_{}(x)", n - 2));
    assert_eq!(calls[n - 2].line, n as u32 + 2);
}

/// (function, owner, index) of a [`StrExpr::Param`].
type ParamKey = (String, Option<String>, usize);

fn param(function: &str, owner: Option<&str>, index: usize) -> ParamKey {
    (function.to_string(), owner.map(str::to_string), index)
}

fn param_of(e: &StrExpr) -> Option<ParamKey> {
    match e {
        StrExpr::Param(p) => Some((p.function.clone(), p.owner.clone(), p.index)),
        _ => None,
    }
}

#[test]
fn string_parameters_stored_in_fields_and_forwarded() {
    let f = facts(
        r#"
impl Publisher {
    fn new(producer: FutureProducer, topic: &str, retries: u32) -> Self {
        Publisher { producer, topic: topic.to_string(), retries }
    }
    fn with_topic(mut self, topic: impl Into<String>) -> Self {
        self.topic = topic.into();
        self
    }
    fn relay(&self, topics: Vec<String>, n: u32) {
        let topic = "shadowed";
        forward(topic, n);
        register(&topics, n);
    }
}
fn main() {
    Publisher::new(p, TOPIC, 3);
    Emitter::builder().with_topic("billing.invoices");
    Cache::new("sessions");
}
"#,
    );
    let fields: Vec<(&str, Option<ParamKey>)> = f
        .fields
        .iter()
        .map(|fi| (fi.field.as_str(), param_of(&fi.value)))
        .collect();
    // `producer` and `retries` are no strings: not followed.
    assert_eq!(
        fields,
        vec![
            ("topic", Some(param("Publisher::new", Some("Publisher"), 1))),
            (
                "topic",
                Some(param("Publisher::with_topic", Some("Publisher"), 0))
            ),
        ]
    );
    let calls: Vec<(&str, Option<&str>, Vec<StrExpr>)> = f
        .str_calls
        .iter()
        .map(|c| (c.callee.as_str(), c.owner.as_deref(), c.args.clone()))
        .collect();
    let register = calls.iter().find(|c| c.0 == "register").expect("register");
    assert_eq!(
        param_of(&register.2[0]),
        Some(param("Publisher::relay", Some("Publisher"), 0))
    );
    // A local shadowing no parameter is a literal, not a parameter.
    let forward = calls.iter().find(|c| c.0 == "forward").expect("forward");
    assert_eq!(forward.2[0], lit("shadowed"));
    let new_calls: Vec<Option<&str>> = calls.iter().filter(|c| c.0 == "new").map(|c| c.1).collect();
    assert_eq!(new_calls, vec![Some("Publisher"), Some("Cache")]);
    let with_topic = calls.iter().find(|c| c.0 == "with_topic").expect("call");
    assert_eq!(with_topic.1, Some("Emitter"));
}

#[test]
fn guards_and_the_fields_that_set_them() {
    let f = facts(
        r#"
impl Builder {
    fn new() -> Self { Builder { relay: None, audit: false } }
    fn with_relay(mut self, dsn: String) -> Self { self.relay = Some(dsn); self }
    fn with_audit(mut self) -> Self { self.audit = true; self }
    async fn run(self) {
        if let Some(dsn) = &self.relay { relay(dsn).await; }
        if self.audit { audit().await; } else { no_audit().await; }
        if self.config.metrics.is_some() { metrics(); }
        serve().await;
        relay_later();
    }
}
"#,
    );
    let by_name = |n: &str| {
        f.functions
            .iter()
            .find(|g| g.name == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    assert!(
        by_name("new").guards.is_none(),
        "None and false set nothing"
    );
    assert_eq!(by_name("with_relay").sets(), ["relay".to_string()]);
    assert_eq!(by_name("with_audit").sets(), ["audit".to_string()]);
    let guarded: Vec<(&str, &str)> = by_name("run")
        .guarded()
        .iter()
        .map(|(c, g)| (c.as_str(), g.as_str()))
        .collect();
    assert_eq!(
        guarded,
        vec![
            ("audit", "audit"),
            ("metrics", "metrics"),
            ("relay", "relay")
        ]
    );
}

#[test]
fn bound_sql_arguments_of_inserts_and_other_kafka_clients() {
    let f = facts(
        r#"
async fn write(tx: &mut Tx, topic: &str) {
    sqlx::query!("INSERT INTO outbox (topic, payload) VALUES ($1, $2)", TOPIC, payload);
    sqlx::query("INSERT INTO outbox (topic) VALUES ($1)").bind(topic).bind(1).execute(tx);
    sqlx::query("SELECT * FROM t WHERE name = $1").bind("a.b").fetch_all(tx);
    client.execute("INSERT INTO outbox (topic) VALUES ($1)", &[&"x.y"]);
}
fn legacy() {
    let c = Consumer::from_hosts(hosts).with_topic("legacy.in".to_owned()).create();
    let other = Builder::new().with_topic("not.kafka");
}
async fn ticks(client: Client) {
    let p = client.partition_client("ticks", 0, Retry).await;
    let s = StreamConsumerBuilder::new(p, Earliest).build();
}
"#,
    );
    let args: Vec<(u32, Vec<StrExpr>)> = f
        .sql_args
        .iter()
        .map(|a| (a.line, a.args.clone()))
        .collect();
    assert_eq!(args.len(), 3, "{args:#?}");
    assert_eq!(args[0].1[0], StrExpr::Const(vec!["TOPIC".into()]));
    assert!(matches!(args[1].1[0], StrExpr::Param(_)));
    assert_eq!(args[2].1[0], lit("x.y"));
    let topics: Vec<(TopicRole, &StrExpr, &str)> = f
        .topics
        .iter()
        .map(|t| (t.role, &t.topic, t.call.as_str()))
        .collect();
    assert_eq!(
        topics,
        vec![
            (
                TopicRole::Consume,
                &lit("legacy.in"),
                "Consumer::with_topic"
            ),
            (TopicRole::Consume, &lit("ticks"), "partition_client"),
        ]
    );
}

#[test]
fn a_projects_env_helper_is_an_env_read_with_its_default() {
    let f = facts(
        r#"
fn from_env() -> Config {
    Config {
        topic: env_or("CONTENT_TOPIC", "content-events".to_owned())?,
        media_topic: env_or("MEDIA_TOPIC", DEFAULT_MEDIA)?,
        label: environment("not a var", "x"),
    }
}
"#,
    );
    let fields: Vec<(&str, &StrExpr)> = f
        .fields
        .iter()
        .map(|fi| (fi.field.as_str(), &fi.value))
        .collect();
    assert_eq!(
        fields,
        vec![
            (
                "topic",
                &StrExpr::Env {
                    var: "CONTENT_TOPIC".into(),
                    default: Some(Box::new(lit("content-events"))),
                }
            ),
            (
                "media_topic",
                &StrExpr::Env {
                    var: "MEDIA_TOPIC".into(),
                    default: Some(Box::new(StrExpr::Const(vec!["DEFAULT_MEDIA".into()]))),
                }
            ),
        ]
    );
}

#[test]
fn names_handed_on_and_clients_imported_from_the_crate() {
    let f = facts(
        r#"
pub use catalog_client::{Catalog, GetItemRequest};
pub(crate) use billing_client::Billing as Bill;
use private_client::Hidden;
pub use crate::store::Store;
use crate::clients::Catalog as Cat;
struct State { catalog: Cat<Channel>, direct: crate::clients::Catalog }
impl State {
    async fn item(&mut self, other: &mut Cat) {
        self.catalog.get_item(1).await;
        self.direct.get_item(2).await;
        other.list_items(3).await;
        let mut c = self.catalog.clone();
        c.list_items(4).await;
    }
}
"#,
    );
    let handed: Vec<(&str, &str)> = f
        .pub_imports
        .iter()
        .map(|p| (p.name.as_str(), p.client.as_str()))
        .collect();
    assert_eq!(
        handed,
        [
            ("Catalog", "?catalog_client::Catalog"),
            ("GetItemRequest", "?catalog_client::GetItemRequest"),
            ("Bill", "?billing_client::Billing"),
        ]
    );
    assert_eq!(
        rpcs(&f),
        [
            (Some("?crate::Catalog"), "GetItem", 10),
            (Some("?crate::Catalog"), "GetItem", 11),
            (Some("?crate::Catalog"), "ListItems", 12),
            (Some("?crate::Catalog"), "ListItems", 14),
        ]
    );
}
