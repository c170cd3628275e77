//! A stack of services started in-process for one test.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use nova_api::chat::realtime_chat_service_client::RealtimeChatServiceClient;
use nova_api::content::content_service_client::ContentServiceClient;
use nova_api::feed::feed_service_client::FeedServiceClient;
use nova_api::feed::{FeedItem, GetFeedRequest};
use nova_api::identity::identity_service_client::IdentityServiceClient;
use nova_api::identity::{LoginRequest, RegisterRequest};
use nova_api::media::media_service_client::MediaServiceClient;
use nova_api::messaging::messaging_service_client::MessagingServiceClient;
use nova_auth::{SigningKey, Verifier};
use nova_kit::Shutdown;
use nova_testkit::{TansuBroker, TestDb};
use tokio::task::JoinHandle;
use tonic::transport::{Channel, Endpoint};

/// Which service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Svc {
    Identity,
    Content,
    Feed,
    Media,
    Messaging,
    Chat,
}

/// Every service.
pub const ALL: [Svc; 6] = [
    Svc::Identity,
    Svc::Content,
    Svc::Feed,
    Svc::Media,
    Svc::Messaging,
    Svc::Chat,
];

struct Running {
    shutdown: Shutdown,
    task: JoinHandle<Result<(), String>>,
}

/// The services of one test, with their databases and broker.
pub struct Stack {
    pub broker: TansuBroker,
    dbs: HashMap<Svc, TestDb>,
    pub key: SigningKey,
    media_dir: tempfile::TempDir,
    running: HashMap<Svc, Running>,
    addrs: HashMap<Svc, SocketAddr>,
}

pub const ISSUER: &str = "nova-identity";

impl Stack {
    /// Broker, databases and all three services.
    pub async fn start() -> Self {
        let broker = TansuBroker::start().await.expect("tansu broker");
        let mut dbs = HashMap::new();
        for svc in ALL {
            dbs.insert(svc, TestDb::create(1).await.expect("test database"));
        }
        let mut stack = Self {
            broker,
            dbs,
            key: SigningKey::generate("test-key-1"),
            media_dir: tempfile::tempdir().expect("media dir"),
            running: HashMap::new(),
            addrs: HashMap::new(),
        };
        for svc in ALL {
            stack.start_service(svc).await;
        }
        stack
    }

    fn verifier(&self) -> Verifier {
        Verifier::new([self.key.public_key()])
    }

    /// Starts `svc` on a fresh loopback port.
    pub async fn start_service(&mut self, svc: Svc) {
        let listener = nova_kit::bind("127.0.0.1:0".parse().expect("addr"))
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("local addr");
        let shutdown = Shutdown::new();
        let s = shutdown.clone();
        let bootstrap = self.broker.bootstrap();
        let url = self.dbs[&svc].url();
        let task = match svc {
            Svc::Identity => {
                let config = identity_service::Config {
                    listen: addr,
                    database_url: url,
                    kafka_bootstrap: bootstrap,
                    topic: "identity-events".into(),
                    create_topics: true,
                    signing_keys: vec![self.key.clone()],
                    issuer: ISSUER.into(),
                    access_ttl: Duration::from_secs(900),
                    refresh_ttl: Duration::from_secs(3600),
                    argon2_memory_kib: 4096,
                    argon2_iterations: 1,
                };
                tokio::spawn(async move {
                    identity_service::serve(config, listener, s)
                        .await
                        .map_err(|e| e.to_string())
                })
            }
            Svc::Content => {
                let config = content_service::Config {
                    listen: addr,
                    database_url: url,
                    kafka_bootstrap: bootstrap,
                    topic: "content-events".into(),
                    media_topic: "media-events".into(),
                    group_id: "content-service".into(),
                    fetch_wait: std::time::Duration::from_millis(10),
                    create_topics: true,
                    verifier: self.verifier(),
                };
                tokio::spawn(async move {
                    content_service::serve(config, listener, s)
                        .await
                        .map_err(|e| e.to_string())
                })
            }
            Svc::Feed => {
                let config = feed_service::Config {
                    listen: addr,
                    database_url: url,
                    kafka_bootstrap: bootstrap,
                    content_topic: "content-events".into(),
                    identity_topic: "identity-events".into(),
                    group_id: "feed-service".into(),
                    fetch_wait: std::time::Duration::from_millis(
                        std::env::var("FEED_FETCH_WAIT_MS")
                            .ok()
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(10),
                    ),
                    create_topics: true,
                    verifier: self.verifier(),
                };
                tokio::spawn(async move {
                    feed_service::serve(config, listener, s)
                        .await
                        .map_err(|e| e.to_string())
                })
            }
            Svc::Media => {
                let config = media_service::Config {
                    listen: addr,
                    database_url: url,
                    kafka_bootstrap: bootstrap,
                    topic: "media-events".into(),
                    create_topics: true,
                    storage_dir: self.media_dir.path().to_owned(),
                    max_bytes: 64 * 1024,
                    verifier: self.verifier(),
                };
                tokio::spawn(async move {
                    media_service::serve(config, listener, s)
                        .await
                        .map_err(|e| e.to_string())
                })
            }
            Svc::Messaging => {
                let config = messaging_service::Config {
                    listen: addr,
                    database_url: url,
                    kafka_bootstrap: bootstrap,
                    topic: "messaging-events".into(),
                    create_topics: true,
                    verifier: self.verifier(),
                };
                tokio::spawn(async move {
                    messaging_service::serve(config, listener, s)
                        .await
                        .map_err(|e| e.to_string())
                })
            }
            Svc::Chat => {
                let config = realtime_chat_service::Config {
                    listen: addr,
                    database_url: url,
                    kafka_bootstrap: bootstrap,
                    messaging_topic: "messaging-events".into(),
                    group_id: "realtime-chat-service".into(),
                    fetch_wait: std::time::Duration::from_millis(10),
                    create_topics: true,
                    verifier: self.verifier(),
                };
                tokio::spawn(async move {
                    realtime_chat_service::serve(config, listener, s)
                        .await
                        .map_err(|e| e.to_string())
                })
            }
        };
        self.addrs.insert(svc, addr);
        self.running.insert(svc, Running { shutdown, task });
    }

    /// Stops `svc` gracefully and waits for it.
    pub async fn stop_service(&mut self, svc: Svc) {
        let running = self.running.remove(&svc).expect("service is running");
        running.shutdown.trigger();
        let result = tokio::time::timeout(Duration::from_secs(30), running.task)
            .await
            .expect("service stops within 30 s")
            .expect("service task");
        assert_eq!(result, Ok(()), "{svc:?} stopped with an error");
    }

    /// Kills `svc` abruptly, like a crash: its task is aborted mid-work (open
    /// transactions roll back, consumer offsets not yet committed are lost).
    pub async fn kill_service(&mut self, svc: Svc) {
        let running = self.running.remove(&svc).expect("service is running");
        running.task.abort();
        let _ = running.task.await;
    }

    /// The database of `svc` (to count effects).
    pub fn db(&self, svc: Svc) -> &sqlx::PgPool {
        self.dbs[&svc].pool()
    }

    /// A channel to `svc` (its last address, even when stopped).
    pub fn channel(&self, svc: Svc) -> Channel {
        let addr = self.addrs[&svc];
        Endpoint::from_shared(format!("http://{addr}"))
            .expect("endpoint")
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(30))
            .connect_lazy()
    }

    pub fn identity(&self) -> IdentityServiceClient<Channel> {
        IdentityServiceClient::new(self.channel(Svc::Identity))
    }

    pub fn content(&self) -> ContentServiceClient<Channel> {
        ContentServiceClient::new(self.channel(Svc::Content))
    }

    pub fn feed(&self) -> FeedServiceClient<Channel> {
        FeedServiceClient::new(self.channel(Svc::Feed))
    }

    pub fn media(&self) -> MediaServiceClient<Channel> {
        MediaServiceClient::new(self.channel(Svc::Media))
    }

    pub fn messaging(&self) -> MessagingServiceClient<Channel> {
        MessagingServiceClient::new(self.channel(Svc::Messaging))
    }

    pub fn chat(&self) -> RealtimeChatServiceClient<Channel> {
        RealtimeChatServiceClient::new(self.channel(Svc::Chat))
    }

    /// The media store's directory.
    pub fn media_dir(&self) -> &std::path::Path {
        self.media_dir.path()
    }

    /// Registers `username` (display name `display`) and logs in: the access token.
    pub async fn user(&self, username: &str, display: &str) -> (String, String) {
        let mut identity = self.identity();
        let registered = identity
            .register(RegisterRequest {
                username: username.into(),
                email: format!("{username}@example.test"),
                password: "correct horse battery".into(),
                display_name: display.into(),
            })
            .await
            .expect("register")
            .into_inner();
        let user_id = registered.user.expect("user").user_id;
        let tokens = identity
            .login(LoginRequest {
                username: username.into(),
                password: "correct horse battery".into(),
            })
            .await
            .expect("login")
            .into_inner();
        assert_eq!(tokens.user_id, user_id);
        (user_id, tokens.access_token)
    }

    /// Polls the feed (as `token`) until `check` accepts its first page.
    pub async fn wait_for_feed(
        &self,
        token: &str,
        what: &str,
        check: impl Fn(&[FeedItem]) -> bool,
    ) -> Vec<FeedItem> {
        let mut feed = self.feed();
        let mut last = Vec::new();
        for _ in 0..600 {
            if let Ok(reply) = feed
                .get_feed(authed(
                    GetFeedRequest {
                        page_size: 100,
                        page_token: String::new(),
                    },
                    token,
                ))
                .await
            {
                last = reply.into_inner().items;
                if check(&last) {
                    return last;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("feed never showed {what}; last page: {last:#?}");
    }

    /// Stops everything and drops the databases.
    pub async fn cleanup(mut self) {
        let services: Vec<Svc> = self.running.keys().copied().collect();
        for svc in services {
            self.stop_service(svc).await;
        }
        for (_, db) in self.dbs.drain() {
            db.cleanup().await.expect("drop test database");
        }
        self.broker.stop().await;
    }
}

/// `message` with `authorization: Bearer <token>`.
pub fn authed<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert(
        "authorization",
        format!("Bearer {token}").parse().expect("ascii token"),
    );
    request
}
