//! The reference services in one process: each service's `serve` on its own
//! listener, all stopped by one [`Shutdown`]. `nova-stack` (the binary) runs
//! them with the environment's configuration and prints where each listens.

use std::future::Future;
use std::net::SocketAddr;

use nova_kit::Shutdown;
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// The configuration of every service of the stack.
#[derive(Clone, Debug)]
pub struct StackConfig {
    /// identity-service.
    pub identity: identity_service::Config,
    /// content-service.
    pub content: content_service::Config,
    /// feed-service.
    pub feed: feed_service::Config,
    /// media-service.
    pub media: media_service::Config,
    /// messaging-service.
    pub messaging: messaging_service::Config,
    /// realtime-chat-service.
    pub chat: realtime_chat_service::Config,
}

impl StackConfig {
    /// Each service's configuration from the environment (local defaults).
    pub fn from_env() -> Result<Self, nova_kit::config::ConfigError> {
        Ok(Self {
            identity: identity_service::Config::from_env()?,
            content: content_service::Config::from_env()?,
            feed: feed_service::Config::from_env()?,
            media: media_service::Config::from_env()?,
            messaging: messaging_service::Config::from_env()?,
            chat: realtime_chat_service::Config::from_env()?,
        })
    }
}

/// A service of the stack that failed.
#[derive(Debug, thiserror::Error)]
#[error("{service}: {message}")]
pub struct StackError {
    /// Which service.
    pub service: &'static str,
    /// What went wrong.
    pub message: String,
}

async fn bind(service: &'static str, addr: SocketAddr) -> Result<TcpListener, StackError> {
    nova_kit::bind(addr).await.map_err(|e| StackError {
        service,
        message: e.to_string(),
    })
}

fn spawn<E: std::fmt::Display>(
    tasks: &mut JoinSet<(&'static str, Result<(), String>)>,
    service: &'static str,
    serve: impl Future<Output = Result<(), E>> + Send + 'static,
) {
    tasks.spawn(async move { (service, serve.await.map_err(|e| e.to_string())) });
}

/// Binds every service's address, reports them through `on_listening`, then
/// runs all until `shutdown` (or until one fails, which stops the others).
pub async fn run(
    config: StackConfig,
    shutdown: Shutdown,
    on_listening: impl FnOnce(&[(&'static str, SocketAddr)]),
) -> Result<(), StackError> {
    let identity = bind("identity-service", config.identity.listen).await?;
    let content = bind("content-service", config.content.listen).await?;
    let feed = bind("feed-service", config.feed.listen).await?;
    let media = bind("media-service", config.media.listen).await?;
    let messaging = bind("messaging-service", config.messaging.listen).await?;
    let chat = bind("realtime-chat-service", config.chat.listen).await?;
    let addr = |l: &TcpListener| {
        l.local_addr()
            .unwrap_or(SocketAddr::from(([0, 0, 0, 0], 0)))
    };
    on_listening(&[
        ("identity-service", addr(&identity)),
        ("content-service", addr(&content)),
        ("feed-service", addr(&feed)),
        ("media-service", addr(&media)),
        ("messaging-service", addr(&messaging)),
        ("realtime-chat-service", addr(&chat)),
    ]);
    let mut tasks = JoinSet::new();
    let s = || shutdown.clone();
    spawn(
        &mut tasks,
        "identity-service",
        identity_service::serve(config.identity, identity, s()),
    );
    spawn(
        &mut tasks,
        "content-service",
        content_service::serve(config.content, content, s()),
    );
    spawn(
        &mut tasks,
        "feed-service",
        feed_service::serve(config.feed, feed, s()),
    );
    spawn(
        &mut tasks,
        "media-service",
        media_service::serve(config.media, media, s()),
    );
    spawn(
        &mut tasks,
        "messaging-service",
        messaging_service::serve(config.messaging, messaging, s()),
    );
    spawn(
        &mut tasks,
        "realtime-chat-service",
        realtime_chat_service::serve(config.chat, chat, s()),
    );
    let mut first_error = None;
    while let Some(joined) = tasks.join_next().await {
        let (service, result) = match joined {
            Ok(done) => done,
            Err(e) => ("stack", Err(e.to_string())),
        };
        if let Err(message) = result {
            tracing::error!(service, %message, "service failed; stopping the stack");
            shutdown.trigger();
            first_error.get_or_insert(StackError { service, message });
        }
    }
    first_error.map_or(Ok(()), Err)
}
