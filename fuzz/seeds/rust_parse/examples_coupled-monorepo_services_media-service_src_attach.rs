//! Tells content-service about finished uploads (a synchronous call).

use anyhow::Context;
use tonic::transport::Channel;

use crate::pb::content_service_client::ContentServiceClient;
use crate::pb::AttachMediaRequest;

#[derive(Clone)]
pub struct ContentAttacher {
    client: ContentServiceClient<Channel>,
}

impl ContentAttacher {
    pub async fn from_env() -> anyhow::Result<Self> {
        let url = std::env::var("CONTENT_SERVICE_URL")
            .unwrap_or_else(|_| "http://content-service:50052".to_string());
        let client = ContentServiceClient::connect(url)
            .await
            .context("connecting to content-service")?;
        Ok(Self { client })
    }

    pub async fn attach(&self, post_id: &str, media_url: &str) -> Result<bool, tonic::Status> {
        let mut client = self.client.clone();
        let resp = client
            .attach_media(AttachMediaRequest {
                post_id: post_id.to_string(),
                media_url: media_url.to_string(),
                media_type: "video".to_string(),
            })
            .await?;
        Ok(resp.into_inner().attached)
    }
}
