//! One place that builds every gRPC client a service may need.

use tonic::transport::{Channel, Endpoint};

pub mod pb {
    tonic::include_proto!("content.v1");
}

use pb::content_service_client::ContentServiceClient;

/// Lazily connected clients, cheap to clone.
#[derive(Clone)]
pub struct ClientPool {
    content: ContentServiceClient<Channel>,
}

impl ClientPool {
    pub fn from_env() -> Result<Self, tonic::transport::Error> {
        let url = std::env::var("CONTENT_SERVICE_URL")
            .unwrap_or_else(|_| "http://content-svc:50051".to_string());
        let channel = Endpoint::from_shared(url)?.connect_lazy();
        Ok(Self {
            content: ContentServiceClient::new(channel),
        })
    }

    /// The content-svc client.
    pub fn content(&self) -> ContentServiceClient<Channel> {
        self.content.clone()
    }
}
