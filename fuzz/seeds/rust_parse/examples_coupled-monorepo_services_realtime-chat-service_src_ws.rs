//! WebSocket sessions: authenticate once, then relay messages through
//! messaging-service.

use std::sync::Arc;

use axum::extract::ws::{Message as WsMessage, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use futures::{SinkExt, StreamExt};
use serde::Deserialize;

use crate::pb::identity::VerifyUserRequest;
use crate::pb::messaging::{ListMessagesRequest, SendMessageRequest};
use crate::ChatState;

#[derive(Deserialize)]
pub struct Connect {
    token: String,
    conversation_id: String,
}

#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientFrame {
    Send { body: String },
    History { before: i64 },
}

pub async fn upgrade(
    ws: WebSocketUpgrade,
    State(state): State<Arc<ChatState>>,
    Query(params): Query<Connect>,
) -> Response {
    ws.on_upgrade(move |socket| session(socket, state, params))
}

async fn session(socket: WebSocket, state: Arc<ChatState>, params: Connect) {
    let mut identity = state.identity.clone();
    let verified = match identity
        .verify_user(VerifyUserRequest {
            token: params.token.clone(),
        })
        .await
    {
        Ok(resp) => resp.into_inner(),
        Err(status) => {
            tracing::warn!(%status, "identity-service call failed");
            return;
        }
    };
    if !verified.valid {
        return;
    }

    let (mut tx, mut rx) = socket.split();
    let mut messaging = state.messaging.clone();
    while let Some(Ok(frame)) = rx.next().await {
        let WsMessage::Text(text) = frame else {
            continue;
        };
        let Ok(frame) = serde_json::from_str::<ClientFrame>(&text) else {
            continue;
        };
        let reply = match frame {
            ClientFrame::Send { body } => messaging
                .send_message(SendMessageRequest {
                    token: params.token.clone(),
                    conversation_id: params.conversation_id.clone(),
                    body,
                })
                .await
                .map(|r| serde_json::json!({ "sent": r.into_inner().id })),
            ClientFrame::History { before } => messaging
                .list_messages(ListMessagesRequest {
                    token: params.token.clone(),
                    conversation_id: params.conversation_id.clone(),
                    before,
                    limit: 50,
                })
                .await
                .map(|r| serde_json::json!({ "messages": r.into_inner().messages.len() })),
        };
        let out = match reply {
            Ok(v) => v.to_string(),
            Err(status) => serde_json::json!({ "error": status.message() }).to_string(),
        };
        if tx.send(WsMessage::Text(out)).await.is_err() {
            break;
        }
    }
}
