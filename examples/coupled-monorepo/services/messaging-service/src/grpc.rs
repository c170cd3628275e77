//! The MessagingService gRPC API. Every call first asks identity-service
//! who the caller is.

use chrono::{TimeZone, Utc};
use tonic::transport::Channel;
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::events::{EventPublisher, MessagingEvent};
use crate::pb::identity::identity_service_client::IdentityServiceClient;
use crate::pb::identity::VerifyUserRequest;
use crate::pb::messaging::messaging_service_server::MessagingService;
use crate::pb::messaging::{
    ListMessagesRequest, ListMessagesResponse, Message, SendMessageRequest,
};
use crate::store;

pub struct MessagingGrpc {
    pool: sqlx::PgPool,
    identity: IdentityServiceClient<Channel>,
    events: EventPublisher,
}

impl MessagingGrpc {
    pub fn new(
        pool: sqlx::PgPool,
        identity: IdentityServiceClient<Channel>,
        events: EventPublisher,
    ) -> Self {
        Self {
            pool,
            identity,
            events,
        }
    }

    async fn authenticate(&self, token: &str) -> Result<Uuid, Status> {
        let mut identity = self.identity.clone();
        let verified = identity
            .verify_user(VerifyUserRequest {
                token: token.to_string(),
            })
            .await?
            .into_inner();
        if !verified.valid {
            return Err(Status::unauthenticated("invalid token"));
        }
        let user_id = Uuid::parse_str(&verified.user_id)
            .map_err(|_| Status::internal("identity-service returned a bad user id"))?;
        db_common::touch_last_seen(&self.pool, user_id)
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        Ok(user_id)
    }
}

fn to_proto(m: store::Message) -> Message {
    Message {
        id: m.id.to_string(),
        conversation_id: m.conversation_id.to_string(),
        sender_id: m.sender_id.to_string(),
        body: m.body,
        sent_at: m.sent_at.timestamp(),
    }
}

#[tonic::async_trait]
impl MessagingService for MessagingGrpc {
    async fn send_message(
        &self,
        request: Request<SendMessageRequest>,
    ) -> Result<Response<Message>, Status> {
        let req = request.into_inner();
        let sender_id = self.authenticate(&req.token).await?;
        let conversation_id = Uuid::parse_str(&req.conversation_id)
            .map_err(|_| Status::invalid_argument("conversation_id is not a UUID"))?;
        let message = store::insert_message(&self.pool, conversation_id, sender_id, &req.body)
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        // Dual write: the row is committed before the event is published.
        self.events
            .publish(
                conversation_id,
                &MessagingEvent::MessageSent {
                    message_id: message.id,
                    conversation_id,
                    sender_id,
                },
            )
            .await
            .map_err(|e| Status::unavailable(e.to_string()))?;
        Ok(Response::new(to_proto(message)))
    }

    async fn list_messages(
        &self,
        request: Request<ListMessagesRequest>,
    ) -> Result<Response<ListMessagesResponse>, Status> {
        let req = request.into_inner();
        self.authenticate(&req.token).await?;
        let conversation_id = Uuid::parse_str(&req.conversation_id)
            .map_err(|_| Status::invalid_argument("conversation_id is not a UUID"))?;
        let before = if req.before > 0 {
            Utc.timestamp_opt(req.before, 0)
                .single()
                .unwrap_or_else(Utc::now)
        } else {
            Utc::now()
        };
        let limit = i64::from(req.limit.clamp(1, 100));
        let messages = store::list_messages(&self.pool, conversation_id, before, limit)
            .await
            .map_err(|e| Status::internal(e.to_string()))?;
        Ok(Response::new(ListMessagesResponse {
            messages: messages.into_iter().map(to_proto).collect(),
        }))
    }
}
