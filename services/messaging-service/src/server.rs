//! messaging-service's gRPC handlers. Participants are user ids taken as
//! given: the service never calls identity-service to check them.

use nova_api::messaging::messaging_service_server::MessagingService;
use nova_api::messaging::{
    Conversation, CreateConversationRequest, ListMessagesRequest, ListMessagesResponse, Message,
    SendMessageRequest,
};
use nova_kit::page::{cursor, next_page, page_size};
use nova_kit::{caller, internal, invalid_argument};
use nova_outbox::Outbox;
use sqlx::PgPool;
use tonic::{Request, Response, Status};
use uuid::Uuid;

use crate::events;
use crate::store::{self, MessageRow};

const BODY_MAX: usize = 4000;
const PARTICIPANTS_MAX: usize = 50;
const PAGE_DEFAULT: u32 = 50;
const PAGE_MAX: u32 = 200;

/// The handlers.
#[derive(Clone)]
pub struct Messaging {
    pool: PgPool,
    outbox: Outbox,
}

impl Messaging {
    /// Handlers over `pool` (migrated), publishing through `outbox`.
    pub fn new(pool: PgPool, outbox: Outbox) -> Self {
        Self { pool, outbox }
    }
}

fn timestamp(at: chrono::DateTime<chrono::Utc>) -> prost_types::Timestamp {
    prost_types::Timestamp::from(std::time::SystemTime::from(at))
}

fn to_api(m: &MessageRow) -> Message {
    Message {
        message_id: m.id.to_string(),
        conversation_id: m.conversation_id.to_string(),
        sender_id: m.sender_id.clone(),
        body: m.body.clone(),
        sent_at: Some(timestamp(m.sent_at)),
    }
}

fn conversation_id(value: &str) -> Result<Uuid, Status> {
    Uuid::parse_str(value.trim()).map_err(|_| invalid_argument("conversation_id", "is not a UUID"))
}

#[tonic::async_trait]
impl MessagingService for Messaging {
    async fn create_conversation(
        &self,
        request: Request<CreateConversationRequest>,
    ) -> Result<Response<Conversation>, Status> {
        let me = caller(&request)?.sub.clone();
        let mut participants: Vec<String> = Vec::new();
        for p in &request.get_ref().participant_ids {
            let p = p.trim();
            if Uuid::parse_str(p).is_err() {
                return Err(invalid_argument(
                    "participant_ids",
                    format!("{p:?} is not a user id"),
                ));
            }
            participants.push(p.to_owned());
        }
        participants.push(me.clone());
        participants.sort();
        participants.dedup();
        if participants.len() < 2 {
            return Err(invalid_argument(
                "participant_ids",
                "must name at least one other user",
            ));
        }
        if participants.len() > PARTICIPANTS_MAX {
            return Err(invalid_argument(
                "participant_ids",
                format!("at most {PARTICIPANTS_MAX} participants"),
            ));
        }
        let id = Uuid::now_v7();
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(|e| internal("database", e))?;
        let created_at = store::insert_conversation(&mut conn, id, &me, &participants)
            .await
            .map_err(|e| internal("creating the conversation", e))?;
        Ok(Response::new(Conversation {
            conversation_id: id.to_string(),
            participant_ids: participants,
            created_at: Some(timestamp(created_at)),
        }))
    }

    async fn send_message(
        &self,
        request: Request<SendMessageRequest>,
    ) -> Result<Response<Message>, Status> {
        let me = caller(&request)?.sub.clone();
        let req = request.get_ref();
        let conversation = conversation_id(&req.conversation_id)?;
        let body = req.body.trim();
        if body.is_empty() {
            return Err(invalid_argument("body", "must not be empty"));
        }
        if body.chars().count() > BODY_MAX {
            return Err(invalid_argument(
                "body",
                format!("must be at most {BODY_MAX} characters"),
            ));
        }
        let mut tx = self
            .pool
            .begin()
            .await
            .map_err(|e| internal("database", e))?;
        let participants = store::participants(&mut tx, conversation)
            .await
            .map_err(|e| internal("reading participants", e))?;
        if participants.is_empty() {
            return Err(Status::not_found(format!(
                "conversation {conversation} not found"
            )));
        }
        if !participants.contains(&me) {
            return Err(Status::permission_denied(
                "only participants may send to this conversation",
            ));
        }
        let row = MessageRow {
            id: Uuid::now_v7(),
            conversation_id: conversation,
            sender_id: me,
            body: body.to_owned(),
            sent_at: chrono::Utc::now(),
        };
        store::insert_message(&mut tx, &row)
            .await
            .map_err(|e| internal("storing the message", e))?;
        self.outbox
            .enqueue(&mut tx, &events::message_sent(&row, &participants))
            .await
            .map_err(|e| internal("outbox", e))?;
        tx.commit().await.map_err(|e| internal("commit", e))?;
        Ok(Response::new(to_api(&row)))
    }

    async fn list_messages(
        &self,
        request: Request<ListMessagesRequest>,
    ) -> Result<Response<ListMessagesResponse>, Status> {
        let me = caller(&request)?.sub.clone();
        let req = request.get_ref();
        let conversation = conversation_id(&req.conversation_id)?;
        let limit = page_size(req.page_size, PAGE_DEFAULT, PAGE_MAX)?;
        let after = cursor(&req.page_token)?;
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(|e| internal("database", e))?;
        let participants = store::participants(&mut conn, conversation)
            .await
            .map_err(|e| internal("reading participants", e))?;
        if participants.is_empty() {
            return Err(Status::not_found(format!(
                "conversation {conversation} not found"
            )));
        }
        if !participants.contains(&me) {
            return Err(Status::permission_denied(
                "only participants may read this conversation",
            ));
        }
        let mut rows = store::list_messages(&mut conn, conversation, after, limit + 1)
            .await
            .map_err(|e| internal("listing messages", e))?;
        let next_page_token = next_page(&mut rows, limit, |m| m.id);
        Ok(Response::new(ListMessagesResponse {
            messages: rows.iter().map(to_api).collect(),
            next_page_token,
        }))
    }
}
