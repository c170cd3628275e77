//! Hydration of posts the local query did not return, through content-service.

use tonic::transport::Channel;

use crate::pb::content::content_service_client::ContentServiceClient;
use crate::pb::content::{GetPostRequest, Post};

pub async fn fetch_post(
    client: &ContentServiceClient<Channel>,
    post_id: &str,
) -> Result<Option<Post>, tonic::Status> {
    let mut client = client.clone();
    match client
        .get_post(GetPostRequest {
            post_id: post_id.to_string(),
        })
        .await
    {
        Ok(resp) => Ok(Some(resp.into_inner())),
        Err(status) if status.code() == tonic::Code::NotFound => Ok(None),
        Err(status) => Err(status),
    }
}
