use std::sync::Arc;

use anyhow::Context;
use axum::routing::get;
use axum::Router;
use tonic::transport::Channel;

mod ws;

pub mod pb {
    pub mod identity {
        tonic::include_proto!("nova.identity.v1");
    }
    pub mod messaging {
        tonic::include_proto!("nova.messaging.v1");
    }
}

use pb::identity::identity_service_client::IdentityServiceClient;
use pb::messaging::messaging_service_client::MessagingServiceClient;

/// Shared by every WebSocket connection.
pub struct ChatState {
    pub identity: IdentityServiceClient<Channel>,
    pub messaging: MessagingServiceClient<Channel>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt::init();

    let identity_url = std::env::var("IDENTITY_SERVICE_URL")
        .unwrap_or_else(|_| "http://identity-service:50051".to_string());
    let messaging_url = std::env::var("MESSAGING_SERVICE_URL")
        .unwrap_or_else(|_| "http://messaging-service:50053".to_string());

    let state = Arc::new(ChatState {
        identity: IdentityServiceClient::connect(identity_url)
            .await
            .context("identity-service is not reachable")?,
        messaging: MessagingServiceClient::connect(messaging_url)
            .await
            .context("messaging-service is not reachable")?,
    });

    let app = Router::new()
        .route("/ws", get(ws::upgrade))
        .with_state(state);
    let listener = tokio::net::TcpListener::bind("0.0.0.0:8082").await?;
    axum::serve(listener, app).await?;
    Ok(())
}
