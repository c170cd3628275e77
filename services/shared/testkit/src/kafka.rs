//! Topics with unique names on the test broker, and reading them back.

use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::OwnedMessage;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

use crate::TestkitError;

/// The shared test broker from `KAFKA_BOOTSTRAP`.
pub fn kafka_bootstrap() -> Result<String, TestkitError> {
    std::env::var("KAFKA_BOOTSTRAP")
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or(TestkitError::NoKafka)
}

fn kafka_err(bootstrap: &str, detail: impl std::fmt::Display) -> TestkitError {
    TestkitError::Kafka {
        bootstrap: bootstrap.to_owned(),
        detail: detail.to_string(),
    }
}

/// Topics created for one test, deleted by [`TestTopics::cleanup`].
pub struct TestTopics {
    bootstrap: String,
    names: Vec<String>,
    admin: AdminClient<DefaultClientContext>,
}

impl std::fmt::Debug for TestTopics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestTopics")
            .field("bootstrap", &self.bootstrap)
            .field("names", &self.names)
            .finish()
    }
}

impl TestTopics {
    /// Creates `names` with `partitions` partitions each and waits until the
    /// broker reports them.
    pub async fn create(
        bootstrap: &str,
        names: &[String],
        partitions: i32,
    ) -> Result<Self, TestkitError> {
        let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .create()
            .map_err(|e| kafka_err(bootstrap, e))?;
        let new: Vec<NewTopic<'_>> = names
            .iter()
            .map(|n| NewTopic::new(n, partitions, TopicReplication::Fixed(1)))
            .collect();
        let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
        let results =
            tokio::time::timeout(Duration::from_secs(20), admin.create_topics(&new, &opts))
                .await
                .map_err(|_| {
                    kafka_err(bootstrap, "create_topics timed out: is the broker running?")
                })?
                .map_err(|e| kafka_err(bootstrap, e))?;
        for r in results {
            if let Err((topic, code)) = r {
                return Err(kafka_err(bootstrap, format!("creating {topic}: {code:?}")));
            }
        }
        let topics = Self {
            bootstrap: bootstrap.to_owned(),
            names: names.to_vec(),
            admin,
        };
        topics.wait_visible(partitions).await?;
        Ok(topics)
    }

    async fn wait_visible(&self, partitions: i32) -> Result<(), TestkitError> {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &self.bootstrap)
            .create()
            .map_err(|e| kafka_err(&self.bootstrap, e))?;
        let start = Instant::now();
        for name in &self.names {
            loop {
                let ok = consumer
                    .fetch_metadata(Some(name), Duration::from_secs(5))
                    .ok()
                    .and_then(|m| {
                        m.topics().first().map(|t| {
                            t.error().is_none() && t.partitions().len() as i32 == partitions
                        })
                    })
                    .unwrap_or(false);
                if ok {
                    break;
                }
                if start.elapsed() > Duration::from_secs(20) {
                    return Err(kafka_err(
                        &self.bootstrap,
                        format!("topic {name} never appeared"),
                    ));
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Ok(())
    }

    /// The topic names.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Ends the test's use of the topics. They are NOT deleted: tansu 0.6 then
    /// answers metadata requests in a way that crashes librdkafka clients of other
    /// tests running at the same time (SIGSEGV in `rd_kafka_metadata_cache_find`).
    /// The names are unique and the test broker's data is deleted when
    /// `scripts/kafka.sh stop` (or [`crate::TansuBroker`]'s drop) ends it.
    pub async fn cleanup(self) -> Result<(), TestkitError> {
        Ok(())
    }

    /// Deletes the topics (only safe when no other Kafka client is running).
    pub async fn delete(self) -> Result<(), TestkitError> {
        let names: Vec<&str> = self.names.iter().map(String::as_str).collect();
        let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
        tokio::time::timeout(
            Duration::from_secs(20),
            self.admin.delete_topics(&names, &opts),
        )
        .await
        .map_err(|_| kafka_err(&self.bootstrap, "delete_topics timed out"))?
        .map_err(|e| kafka_err(&self.bootstrap, e))?;
        Ok(())
    }
}

/// Reads every message of `topic` (all partitions, from the beginning) until
/// `expected` messages were read or `timeout` passed; returns them in read order
/// (in offset order within each partition).
pub async fn read_messages(
    bootstrap: &str,
    topic: &str,
    expected: usize,
    timeout: Duration,
) -> Result<Vec<OwnedMessage>, TestkitError> {
    let bootstrap = bootstrap.to_owned();
    let topic = topic.to_owned();
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .set("group.id", crate::unique_name("nova_read"))
            .set("enable.auto.commit", "false")
            .create()
            .map_err(|e| kafka_err(&bootstrap, e))?;
        let metadata = consumer
            .fetch_metadata(Some(&topic), Duration::from_secs(10))
            .map_err(|e| kafka_err(&bootstrap, e))?;
        let mut tpl = TopicPartitionList::new();
        for t in metadata.topics() {
            for p in t.partitions() {
                tpl.add_partition_offset(&topic, p.id(), Offset::Beginning)
                    .map_err(|e| kafka_err(&bootstrap, e))?;
            }
        }
        consumer
            .assign(&tpl)
            .map_err(|e| kafka_err(&bootstrap, e))?;
        let start = Instant::now();
        let mut out = Vec::new();
        while out.len() < expected && start.elapsed() < timeout {
            match consumer.poll(Duration::from_millis(200)) {
                Some(Ok(m)) => out.push(m.detach()),
                Some(Err(e)) => return Err(kafka_err(&bootstrap, e)),
                None => {}
            }
        }
        // Linger briefly to catch messages beyond `expected` (duplicates).
        let linger = Instant::now();
        while linger.elapsed() < Duration::from_millis(500) {
            if let Some(Ok(m)) = consumer.poll(Duration::from_millis(100)) {
                out.push(m.detach());
            }
        }
        Ok(out)
    })
    .await
    .map_err(|e| TestkitError::Tansu(format!("reader task failed: {e}")))?
}
