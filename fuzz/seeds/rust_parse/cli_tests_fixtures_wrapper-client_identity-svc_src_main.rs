use tonic::{transport::Server, Request, Response, Status};

pub mod pb {
    tonic::include_proto!("identity.v1");
}

use pb::identity_service_server::{IdentityService, IdentityServiceServer};
use pb::{VerifyUserRequest, VerifyUserResponse};

struct Identity;

#[tonic::async_trait]
impl IdentityService for Identity {
    async fn verify_user(&self, req: Request<VerifyUserRequest>) -> Result<Response<VerifyUserResponse>, Status> {
        let valid = !req.into_inner().token.is_empty();
        Ok(Response::new(VerifyUserResponse { valid, user_id: "u1".into() }))
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    Server::builder()
        .add_service(IdentityServiceServer::new(Identity))
        .serve("0.0.0.0:50051".parse()?)
        .await?;
    Ok(())
}
