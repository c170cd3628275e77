//! Link tests on small repositories: Rust sources parsed with
//! `nova_rust::parse_file`, manifests with `nova_manifests::parse`.

use super::*;
use nova_model::{Confidence, Op, ServiceKind, TopicEndpoint, TopicVia};
use nova_rust::unit::ParsedFile;

struct Repo {
    crates: Vec<Crate>,
    services: Vec<Service>,
    manifests: Vec<nova_manifests::ManifestFacts>,
    accesses: Vec<Access>,
    config: nova_config::Config,
}

impl Repo {
    fn new() -> Self {
        Repo {
            crates: Vec::new(),
            services: Vec::new(),
            manifests: Vec::new(),
            accesses: Vec::new(),
            config: nova_config::Config::default(),
        }
    }

    /// A service crate `name` in `services/<name>` with files (path inside
    /// the crate, source).
    fn service(mut self, name: &str, deps: &[&str], files: &[(&str, &str)]) -> Self {
        let dir = format!("services/{name}");
        self.services.push(Service {
            name: name.into(),
            package: Some(name.into()),
            dir: dir.clone(),
            aliases: Vec::new(),
            kind: ServiceKind::Service,
            dialect: Default::default(),
            libraries: deps.iter().map(|d| d.to_string()).collect(),
        });
        self.crates.push(krate(name, Some(name), &dir, deps, files));
        self
    }

    fn library(mut self, name: &str, deps: &[&str], files: &[(&str, &str)]) -> Self {
        let dir = format!("libs/{name}");
        self.crates.push(krate(name, None, &dir, deps, files));
        self
    }

    fn manifest(mut self, path: &str, source: &str) -> Self {
        self.manifests
            .push(nova_manifests::parse(path, source).expect("test manifest parses"));
        self
    }

    fn run(&self) -> LinkOutput {
        link(
            &LinkInput {
                crates: &self.crates,
                services: &self.services,
                protos: &[],
                manifests: &self.manifests,
                config: &self.config,
            },
            &self.accesses,
        )
    }
}

fn krate(
    package: &str,
    service: Option<&str>,
    dir: &str,
    deps: &[&str],
    files: &[(&str, &str)],
) -> Crate {
    Crate {
        package: package.into(),
        dir: dir.into(),
        service: service.map(str::to_string),
        local_deps: deps.iter().map(|d| d.to_string()).collect(),
        external_deps: Vec::new(),
        dialect: Default::default(),
        files: files
            .iter()
            .map(|(p, src)| {
                let module: Vec<String> = p
                    .trim_start_matches("src/")
                    .trim_end_matches(".rs")
                    .split('/')
                    .filter(|s| !matches!(*s, "main" | "lib" | "mod"))
                    .map(str::to_string)
                    .collect();
                ParsedFile {
                    path: format!("{dir}/{p}"),
                    module,
                    in_test: false,
                    facts: nova_rust::parse_file(src, false).expect("test source parses"),
                }
            })
            .collect(),
    }
}

type EdgeRow = (String, String, EdgeKind, Vec<String>);
type EndpointRow<'a> = (&'a str, TopicVia, String);
type TopicRow<'a> = (&'a str, Vec<EndpointRow<'a>>, Vec<EndpointRow<'a>>);
type FnRow<'a> = (
    &'a str,
    &'a str,
    Vec<String>,
    Vec<String>,
    Vec<String>,
    bool,
    bool,
);

fn edges(out: &LinkOutput) -> Vec<EdgeRow> {
    out.edges
        .iter()
        .map(|e| (e.from.clone(), e.to.clone(), e.kind, e.via.clone()))
        .collect()
}

fn e(from: &str, to: &str, kind: EdgeKind, via: &[&str]) -> EdgeRow {
    (
        from.into(),
        to.into(),
        kind,
        via.iter().map(|v| v.to_string()).collect(),
    )
}

const CONTENT_PROTO: &str = r#"syntax = "proto3";
package nova.content;
service ContentService {
  rpc GetPost(GetPostRequest) returns (Post);
  rpc AttachMedia(AttachMediaRequest) returns (AttachMediaResponse);
}
"#;
const IDENTITY_PROTO: &str = "package nova.identity;\nservice IdentityService { rpc VerifyUser(A) returns (B); rpc GetUser(A) returns (B); }\n";
const MESSAGING_PROTO: &str =
    "package nova.messaging;\nservice MessagingService { rpc SendMessage(A) returns (B); }\n";

fn seed000() -> Repo {
    Repo::new()
        .manifest("proto/content.proto", CONTENT_PROTO)
        .manifest("proto/identity.proto", IDENTITY_PROTO)
        .manifest("proto/messaging.proto", MESSAGING_PROTO)
        .service(
            "content-service",
            &[],
            &[(
                "src/main.rs",
                r#"
use pb::content_service_server::{ContentService, ContentServiceServer};
struct Svc;
#[tonic::async_trait]
impl ContentService for Svc {
    async fn get_post(&self, r: Request<GetPostRequest>) -> Result<Response<Post>, Status> { todo() }
}
#[tokio::main]
async fn main() { Server::builder().add_service(ContentServiceServer::new(Svc)).serve(a).await; }
"#,
            )],
        )
        .service(
            "identity-service",
            &[],
            &[(
                "src/grpc.rs",
                "impl pb::identity_service_server::IdentityService for Identity {}\n",
            )],
        )
        .service(
            "messaging-service",
            &[],
            &[
                ("src/server.rs", "impl pb::messaging_service_server::MessagingService for M {}\n"),
                (
                    "src/auth.rs",
                    r#"
use pb::identity_service_client::IdentityServiceClient;
pub async fn verify(token: String) -> bool {
    let mut c = IdentityServiceClient::connect(std::env::var("IDENTITY_GRPC_ADDR").unwrap()).await.unwrap();
    c.verify_user(VerifyUserRequest { token }).await.is_ok()
}
"#,
                ),
            ],
        )
        .service(
            "feed-service",
            &[],
            &[(
                "src/clients.rs",
                r#"
use pb::content_service_client::ContentServiceClient;
pub struct Clients { content: ContentServiceClient<Channel> }
impl Clients {
    pub async fn post(&self, id: i64) -> Post {
        self.content.clone().get_post(GetPostRequest { id }).await.unwrap().into_inner()
    }
}
"#,
            )],
        )
        .service(
            "media-service",
            &[],
            &[(
                "src/attach.rs",
                r#"
pub async fn attach(ch: Channel) {
    let mut client = pb::content_service_client::ContentServiceClient::new(ch);
    client.attach_media(AttachMediaRequest::default()).await;
}
"#,
            )],
        )
        .service(
            "realtime-chat-service",
            &[],
            &[(
                "src/ws.rs",
                r#"
use pb::identity_service_client::IdentityServiceClient;
use pb::messaging_service_client::MessagingServiceClient;
pub struct State { id: IdentityServiceClient<Channel>, msg: MessagingServiceClient<Channel> }
impl State {
    async fn on_message(&self, m: Msg) {
        self.id.clone().verify_user(req(&m)).await;
        self.msg.clone().send_message(to_req(m)).await;
    }
}
"#,
            )],
        )
}

#[test]
fn seed_000_grpc_edges() {
    let out = seed000().run();
    assert_eq!(
        edges(&out),
        vec![
            e(
                "feed-service",
                "content-service",
                EdgeKind::Grpc,
                &["GetPost"]
            ),
            e(
                "media-service",
                "content-service",
                EdgeKind::Grpc,
                &["AttachMedia"]
            ),
            e(
                "messaging-service",
                "identity-service",
                EdgeKind::Grpc,
                &["VerifyUser"]
            ),
            e(
                "realtime-chat-service",
                "identity-service",
                EdgeKind::Grpc,
                &["VerifyUser"]
            ),
            e(
                "realtime-chat-service",
                "messaging-service",
                EdgeKind::Grpc,
                &["SendMessage"]
            ),
        ]
    );
    let feed = &out.edges[0];
    let ev: Vec<(String, &str)> = feed
        .evidence
        .iter()
        .map(|x| (x.location.to_string(), x.note.as_str()))
        .collect();
    assert_eq!(
        ev,
        vec![
            (
                "services/feed-service/src/clients.rs:3".to_string(),
                "field `content`: ContentServiceClient"
            ),
            (
                "services/feed-service/src/clients.rs:6".to_string(),
                "self.content.clone().get_post() -> ContentService/GetPost"
            ),
        ]
    );
    let impls: Vec<(&str, Vec<String>)> = out
        .proto_services
        .iter()
        .map(|p| (p.name.as_str(), p.implemented_by.clone()))
        .collect();
    assert_eq!(
        impls,
        vec![
            ("ContentService", vec!["content-service".to_string()]),
            ("IdentityService", vec!["identity-service".to_string()]),
            ("MessagingService", vec!["messaging-service".to_string()]),
        ]
    );
    assert!(out.diagnostics.is_empty(), "{:#?}", out.diagnostics);
}

#[test]
fn pool_getter_in_library_follows_callers() {
    let out = Repo::new()
        .manifest("proto/content.proto", CONTENT_PROTO)
        .service(
            "content-service",
            &[],
            &[(
                "src/main.rs",
                "impl pb::content_service_server::ContentService for S {}",
            )],
        )
        .library(
            "grpc-pool",
            &[],
            &[(
                "src/lib.rs",
                r#"
use pb::content_service_client::ContentServiceClient;
pub struct GrpcPool { content: ContentServiceClient<Channel> }
impl GrpcPool {
    pub async fn connect_all() -> Self { todo() }
    pub fn content(&self) -> ContentServiceClient<Channel> { self.content.clone() }
}
"#,
            )],
        )
        .service(
            "feed-service",
            &["grpc-pool"],
            &[(
                "src/handlers.rs",
                r#"
pub async fn feed(state: AppState) {
    let post = state.pool.content().get_post(GetPostRequest { id: 1 }).await?;
}
"#,
            )],
        )
        // Depends on the pool but never asks it for a client: no edge.
        .service(
            "search-service",
            &["grpc-pool"],
            &[(
                "src/main.rs",
                "fn main() { let p = GrpcPool::connect_all(); }",
            )],
        )
        .run();
    assert_eq!(
        edges(&out),
        vec![e(
            "feed-service",
            "content-service",
            EdgeKind::Grpc,
            &["GetPost"]
        )]
    );
    let notes: Vec<String> = out.edges[0]
        .evidence
        .iter()
        .map(|x| x.location.to_string())
        .collect();
    // The getter call and the RPC on the client it returns.
    assert_eq!(
        notes,
        vec![
            "services/feed-service/src/handlers.rs:3".to_string(),
            "services/feed-service/src/handlers.rs:3".to_string()
        ]
    );
    assert!(
        out.edges[0]
            .evidence
            .iter()
            .any(|x| x.note.contains("grpc-pool"))
    );
}

#[test]
fn wrapper_in_library_follows_callers() {
    let out = Repo::new()
        .manifest("proto/content.proto", CONTENT_PROTO)
        .service(
            "content-service",
            &[],
            &[(
                "src/main.rs",
                "impl pb::content_service_server::ContentService for S {}",
            )],
        )
        .library(
            "content-client",
            &[],
            &[(
                "src/lib.rs",
                r#"
use pb::content_service_client::ContentServiceClient;
pub struct ContentClient { inner: ContentServiceClient<Channel> }
impl ContentClient {
    pub async fn fetch_post(&self, id: i64) -> Post {
        self.inner.clone().get_post(GetPostRequest { id }).await.unwrap().into_inner()
    }
    pub async fn attach(&self, id: i64) { self.inner.clone().attach_media(r(id)).await; }
}
"#,
            )],
        )
        .service(
            "feed-service",
            &["content-client"],
            &[(
                "src/svc.rs",
                "async fn load(c: &ContentClient) { let p = c.fetch_post(1).await; }\n",
            )],
        )
        .run();
    assert_eq!(
        edges(&out),
        vec![e(
            "feed-service",
            "content-service",
            EdgeKind::Grpc,
            &["GetPost"]
        )]
    );
    assert_eq!(
        out.edges[0].evidence[0].location,
        Location::new("services/feed-service/src/svc.rs", 1, 0)
    );
}

#[test]
fn generated_client_file_is_not_a_call() {
    let generated = r#"
pub mod content_service_client {
    use tonic::codegen::*;
    pub struct ContentServiceClient<T> { inner: tonic::client::Grpc<T> }
    impl<T> ContentServiceClient<T> where T: tonic::client::GrpcService<tonic::body::Body> {
        pub fn new(inner: T) -> Self { let inner = tonic::client::Grpc::new(inner); Self { inner } }
        pub async fn get_post(&mut self, request: impl tonic::IntoRequest<super::GetPostRequest>) {
            self.inner.unary(request.into_request(), path, codec).await
        }
    }
}
"#;
    let out = Repo::new()
        .manifest("proto/content.proto", CONTENT_PROTO)
        .service(
            "content-service",
            &[],
            &[(
                "src/main.rs",
                "impl pb::content_service_server::ContentService for S {}",
            )],
        )
        .service(
            "notifier",
            &[],
            &[
                ("src/pb/nova.content.rs", generated),
                ("src/main.rs", "fn main() {}"),
            ],
        )
        .run();
    assert!(out.edges.is_empty(), "{:?}", edges(&out));
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);
}

#[test]
fn cycle_and_name_fallback_and_unresolved_client() {
    let out = Repo::new()
        .service(
            "orders",
            &[],
            &[(
                "src/lib.rs",
                "async fn f() { let c = billing_client::BillingClient::connect(\"http://billing:50051\").await; }",
            )],
        )
        .service(
            "billing",
            &[],
            &[(
                "src/lib.rs",
                "async fn g() { let c = orders_client::OrdersServiceClient::connect(\"http://orders:50051\").await;\n let x = ghost_client::GhostClient::connect(addr).await; }",
            )],
        )
        .run();
    assert_eq!(
        edges(&out),
        vec![
            e("billing", "orders", EdgeKind::Grpc, &[]),
            e("orders", "billing", EdgeKind::Grpc, &[]),
        ]
    );
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
            DiagCode::UnresolvedTarget,
            "services/billing/src/lib.rs:2".to_string()
        )]
    );
}

#[test]
fn http_env_var_with_default_config_field_and_override() {
    let repo = Repo::new()
        .service("content-service", &[], &[("src/main.rs", "fn main() {}")])
        .service("media-service", &[], &[("src/main.rs", "fn main() {}")])
        .service(
            "feed-service",
            &[],
            &[
                (
                    "src/config.rs",
                    r#"
pub struct Config { pub media_url: String }
impl Config {
    pub fn from_env() -> Self {
        Config { media_url: std::env::var("MEDIA_SERVICE_URL").unwrap_or_else(|_| "http://media-service:8080".into()) }
    }
}
"#,
                ),
                (
                    "src/http.rs",
                    r#"
pub async fn posts(client: &reqwest::Client) {
    let base = std::env::var("CONTENT_SERVICE_URL").unwrap_or_else(|_| "http://content-service:8080".to_string());
    client.get(format!("{}/posts", base)).send().await;
}
pub async fn media(&self) {
    self.http.post(format!("{}/media", self.config.media_url)).send().await;
    reqwest::get("https://api.github.com/zen").await;
}
"#,
                ),
            ],
        );
    let out = repo.run();
    assert_eq!(
        edges(&out),
        vec![
            e(
                "feed-service",
                "content-service",
                EdgeKind::Http,
                &["CONTENT_SERVICE_URL"]
            ),
            e(
                "feed-service",
                "media-service",
                EdgeKind::Http,
                &["MEDIA_SERVICE_URL"]
            ),
        ]
    );
    assert_eq!(
        out.edges[0].evidence[0].location,
        Location::new("services/feed-service/src/http.rs", 4, 0)
    );
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);

    // `nova.toml` [env] overrides the code default.
    let mut repo = repo;
    repo.config.env.insert(
        "CONTENT_SERVICE_URL".into(),
        "http://media-service:9000".into(),
    );
    let out = repo.run();
    assert_eq!(
        edges(&out),
        vec![e(
            "feed-service",
            "media-service",
            EdgeKind::Http,
            &["CONTENT_SERVICE_URL", "MEDIA_SERVICE_URL"]
        )]
    );
}

#[test]
fn startup_edges_from_kustomize_patch_and_compose() {
    let patch = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: feed-service
spec:
  template:
    spec:
      initContainers:
        - name: wait-for-content-service
          image: busybox
          command: ["sh", "-c", "until nc -z content-service.default.svc.cluster.local 50051; do sleep 2; done"]
        - name: wait-for-postgres
          image: busybox
          command: ["sh", "-c", "until pg_isready -h postgres; do sleep 2; done"]
        - name: wait-for-unknown
          image: busybox
"#;
    let compose = r#"services:
  db:
    image: postgres:16
  content:
    build: ./services/content-service
    environment:
      DATABASE_URL: postgres://u:p@db:5432/content
  feed:
    build: ./services/feed-service
    depends_on: [content, db]
"#;
    let out = Repo::new()
        .service("content-service", &[], &[("src/main.rs", "fn main() {}")])
        .service("feed-service", &[], &[("src/main.rs", "fn main() {}")])
        .manifest(
            "deploy/overlays/prod/service-init-containers-patch.yaml",
            patch,
        )
        .manifest("docker-compose.yml", compose)
        .run();
    assert_eq!(
        edges(&out),
        vec![e(
            "feed-service",
            "content-service",
            EdgeKind::Startup,
            &[
                "deploy/overlays/prod/service-init-containers-patch.yaml",
                "docker-compose.yml"
            ]
        )]
    );
    let pg = out
        .infrastructure
        .iter()
        .find(|i| i.kind == InfraKind::Postgres)
        .expect("postgres");
    assert_eq!(
        pg.used_by,
        vec!["content-service".to_string(), "feed-service".into()]
    );
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
            DiagCode::UnresolvedTarget,
            "deploy/overlays/prod/service-init-containers-patch.yaml:15".to_string()
        )]
    );
}

mod kafka;
