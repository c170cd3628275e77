//! realtime-chat-service's gRPC handler: a server stream per connected client.

use nova_api::chat::realtime_chat_service_server::RealtimeChatService;
use nova_api::chat::{ChatMessage, SubscribeRequest};
use nova_kit::{Shutdown, caller};
use tokio::sync::{broadcast, mpsc};
use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status};

use crate::events::Hub;

/// The handler.
#[derive(Clone, Debug)]
pub struct Chat {
    hub: Hub,
    shutdown: Shutdown,
}

impl Chat {
    /// Streams from `hub`; streams end when `shutdown` fires.
    pub fn new(hub: Hub, shutdown: Shutdown) -> Self {
        Self { hub, shutdown }
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
        // Subscribed before answering: everything committed after the client
        // has its response headers reaches it.
        let mut messages = self.hub.subscribe();
        let (tx, rx) = mpsc::channel(64);
        let shutdown = self.shutdown.wait();
        tokio::spawn(async move {
            tokio::pin!(shutdown);
            loop {
                let message = tokio::select! {
                    () = &mut shutdown => break,
                    () = tx.closed() => break,
                    m = messages.recv() => m,
                };
                match message {
                    Ok(m) if m.sender_id == user || m.recipient_ids.contains(&user) => {
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
