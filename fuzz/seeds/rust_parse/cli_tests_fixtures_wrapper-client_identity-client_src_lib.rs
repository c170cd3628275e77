//! A thin, typed wrapper around the identity gRPC client.

use tonic::transport::Channel;

pub mod pb {
    tonic::include_proto!("identity.v1");
}

use pb::identity_service_client::IdentityServiceClient;
use pb::VerifyUserRequest;

#[derive(Clone)]
pub struct IdentityClient {
    inner: IdentityServiceClient<Channel>,
}

impl IdentityClient {
    pub async fn connect(url: String) -> Result<Self, tonic::transport::Error> {
        Ok(Self {
            inner: IdentityServiceClient::connect(url).await?,
        })
    }

    /// The user id behind `token`, if it is valid.
    pub async fn verify(&self, token: &str) -> Result<Option<String>, tonic::Status> {
        let mut inner = self.inner.clone();
        let resp = inner
            .verify_user(VerifyUserRequest { token: token.to_string() })
            .await?
            .into_inner();
        Ok(resp.valid.then_some(resp.user_id))
    }
}
