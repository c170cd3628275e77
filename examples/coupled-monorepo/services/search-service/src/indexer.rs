//! Consumes content and messaging events and (re)indexes the documents,
//! reading the source rows straight from the other services' tables.

use futures::StreamExt;
use rdkafka::consumer::{Consumer, StreamConsumer};
use rdkafka::{ClientConfig, Message};
use serde::Deserialize;
use sqlx::PgPool;
use uuid::Uuid;

const CONTENT_EVENTS: &str = "content-events";
const MESSAGING_EVENTS: &str = "messaging-events";

#[derive(Deserialize)]
#[serde(tag = "type")]
enum Event {
    PostCreated { post_id: Uuid },
    PostUpdated { post_id: Uuid },
    PostDeleted { post_id: Uuid },
    MessageSent { message_id: Uuid },
}

pub struct Indexer {
    pool: PgPool,
    consumer: StreamConsumer,
}

impl Indexer {
    pub fn new(pool: PgPool, brokers: &str) -> anyhow::Result<Self> {
        let consumer: StreamConsumer = ClientConfig::new()
            .set("bootstrap.servers", brokers)
            .set("group.id", "search-indexer")
            .set("enable.auto.commit", "true")
            .create()?;
        consumer.subscribe(&[CONTENT_EVENTS, MESSAGING_EVENTS])?;
        Ok(Self { pool, consumer })
    }

    pub async fn run(self) -> anyhow::Result<()> {
        let mut stream = self.consumer.stream();
        while let Some(msg) = stream.next().await {
            let msg = msg?;
            let Some(Ok(payload)) = msg.payload_view::<str>() else {
                continue;
            };
            match serde_json::from_str::<Event>(payload) {
                Ok(event) => self.handle(event).await?,
                Err(e) => tracing::warn!(error = %e, "skipping malformed event"),
            }
        }
        Ok(())
    }

    async fn handle(&self, event: Event) -> Result<(), sqlx::Error> {
        match event {
            Event::PostCreated { post_id } => {
                let body: String = sqlx::query_scalar("SELECT body FROM posts WHERE id = $1")
                    .bind(post_id)
                    .fetch_one(&self.pool)
                    .await?;
                let comments: Vec<String> = sqlx::query_scalar!(
                    "SELECT body FROM comments WHERE post_id = $1 ORDER BY created_at",
                    post_id
                )
                .fetch_all(&self.pool)
                .await?;
                let text = std::iter::once(body)
                    .chain(comments)
                    .collect::<Vec<_>>()
                    .join("\n");
                sqlx::query(
                    "INSERT INTO search_documents (doc_id, kind, body) VALUES ($1, 'post', $2) ON CONFLICT (doc_id) DO NOTHING",
                )
                .bind(post_id)
                .bind(text)
                .execute(&self.pool)
                .await?;
            }
            Event::PostUpdated { post_id } => {
                sqlx::query(
                    "UPDATE search_documents SET body = p.body, indexed_at = now() \
                     FROM posts p WHERE p.id = search_documents.doc_id AND p.id = $1",
                )
                .bind(post_id)
                .execute(&self.pool)
                .await?;
            }
            Event::PostDeleted { post_id } => {
                sqlx::query!("DELETE FROM search_documents WHERE doc_id = $1", post_id)
                    .execute(&self.pool)
                    .await?;
            }
            Event::MessageSent { message_id } => {
                sqlx::query(
                    "INSERT INTO search_documents (doc_id, kind, body) \
                     SELECT id, 'message', body FROM messages WHERE id = $1 \
                     ON CONFLICT (doc_id) DO NOTHING",
                )
                .bind(message_id)
                .execute(&self.pool)
                .await?;
            }
        }
        Ok(())
    }
}
