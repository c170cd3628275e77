//! realtime-chat-service's gRPC handler: a server stream per connected client.

use nova_api::chat::realtime_chat_service_server::RealtimeChatService;
use nova_api::chat::{ChatMessage, SubscribeRequest};
use nova_kit::{Shutdown, caller, internal, invalid_argument};
use sqlx::PgPool;
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use crate::events::Hub;
use crate::store;

/// Most messages sent as catch-up on one subscribe.
const CATCH_UP_MAX: i64 = 1000;

/// The handler.
#[derive(Clone, Debug)]
pub struct Chat {
    hub: Hub,
    pool: PgPool,
    shutdown: Shutdown,
}

impl Chat {
    /// Streams from `hub` (catch-up from `pool`); streams end when `shutdown` fires.
    pub fn new(hub: Hub, pool: PgPool, shutdown: Shutdown) -> Self {
        Self {
            hub,
            pool,
            shutdown,
        }
    }
}

#[tonic::async_trait]
impl RealtimeChatService for Chat {
    type SubscribeStream = ReceiverStream<Result<ChatMessage, Status>>;

    async fn subscribe(
        &self,
        request: Request<SubscribeRequest>,
    ) -> Result<Response<Self::SubscribeStream>, Status> {
        let user = caller(&request)?.sub.clone();
        let after = request.get_ref().after_message_id.trim().to_owned();
        if !after.is_empty() && uuid::Uuid::parse_str(&after).is_err() {
            return Err(invalid_argument("after_message_id", "is not a message id"));
        }
        // Subscribed before answering (and before the catch-up query): everything
        // committed after the client has its response headers reaches it.
        let mut messages = self.hub.subscribe();
        let catch_up = if after.is_empty() {
            Vec::new()
        } else {
            let mut conn = self
                .pool
                .acquire()
                .await
                .map_err(|e| internal("database", e))?;
            store::messages_after(&mut conn, &user, &after, CATCH_UP_MAX)
                .await
                .map_err(|e| internal("reading missed messages", e))?
        };
        // A message both caught up and broadcast is sent once.
        let caught_up: std::collections::HashSet<String> =
            catch_up.iter().map(|m| m.message_id.clone()).collect();
        let (tx, rx) = mpsc::channel(64);
        let shutdown = self.shutdown.wait();
        tokio::spawn(async move {
            tokio::pin!(shutdown);
            for m in catch_up {
                if tx.send(Ok(m)).await.is_err() {
                    return;
                }
            }
            loop {
                let message = tokio::select! {
                    () = &mut shutdown => break,
                    () = tx.closed() => break,
                    m = messages.recv() => m,
                };
                match message {
                    Ok(m)
                        if (m.sender_id == user || m.recipient_ids.contains(&user))
                            && !caught_up.contains(&m.message_id) =>
                    {
                        if tx.send(Ok((*m).clone())).await.is_err() {
                            break;
                        }
                    }
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        let status = Status::data_loss(format!(
                            "client too slow: {missed} messages skipped; resubscribe"
                        ));
                        let _ = tx.send(Err(status)).await;
                        break;
                    }
                    Err(broadcast::error::RecvError::Closed) => break,
                }
            }
        });
        Ok(Response::new(ReceiverStream::new(rx)))
    }
}
