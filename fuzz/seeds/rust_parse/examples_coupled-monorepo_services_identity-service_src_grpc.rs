//! The IdentityService gRPC API.

use chrono::Utc;
use sha2::{Digest, Sha256};
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::pb::identity_service_server::IdentityService;
use crate::pb::{GetUserRequest, User, VerifyUserRequest, VerifyUserResponse};
use crate::repo::IdentityRepo;

pub struct IdentityGrpc {
    repo: IdentityRepo,
}

impl IdentityGrpc {
    pub fn new(pool: sqlx::PgPool) -> Self {
        Self {
            repo: IdentityRepo::new(pool),
        }
    }
}

fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[tonic::async_trait]
impl IdentityService for IdentityGrpc {
    async fn verify_user(
        &self,
        request: Request<VerifyUserRequest>,
    ) -> Result<Response<VerifyUserResponse>, Status> {
        let token = request.into_inner().token;
        let session = self
            .repo
            .find_session(&hash_token(&token))
            .await
            .map_err(|e| Status::internal(e.to_string()))?;

        let Some(session) = session.filter(|s| s.expires_at > Utc::now()) else {
            return Ok(Response::new(VerifyUserResponse {
                valid: false,
                ..Default::default()
            }));
        };

        db_common::touch_last_seen(self.repo.pool(), session.user_id)
            .await
            .map_err(|e| Status::internal(e.to_string()))?;

        Ok(Response::new(VerifyUserResponse {
            valid: true,
            user_id: session.user_id.to_string(),
            username: session.username,
        }))
    }

    async fn get_user(&self, request: Request<GetUserRequest>) -> Result<Response<User>, Status> {
        let id = Uuid::parse_str(&request.into_inner().user_id)
            .map_err(|_| Status::invalid_argument("user_id is not a UUID"))?;
        let user = self
            .repo
            .find_by_id(id)
            .await
            .map_err(|e| Status::internal(e.to_string()))?
            .ok_or_else(|| Status::not_found("user not found"))?;
        Ok(Response::new(User {
            id: user.id.to_string(),
            username: user.username,
            email: user.email,
            created_at: user.created_at.timestamp(),
        }))
    }
}
