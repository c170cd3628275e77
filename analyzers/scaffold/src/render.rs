//! The generated files of one service, rendered from every command recorded for it.
//!
//! Layout in a service (all tool-owned, regenerated whole):
//! - `src/nova/mod.rs`: the wiring, `nova::start()`: migrations, relay and consumers;
//! - `src/nova/<topic>.rs`: the topic's event payloads (prost messages) and, where the
//!   service publishes it, one `enqueue_<event>` per event;
//! - `src/nova/<topic>_consumer.rs`: one handler per event (the person fills in the
//!   effects unless `--read-model` wrote them);
//! - `migrations/<n>_nova_read_model_<table>.sql`: a read-model table;
//! - `tests/it/nova_<topic>_consumer.rs`: each event published twice, applied once (a
//!   module of the one test binary, `tests/it/main.rs`).

use std::collections::BTreeMap;

use crate::names::{aggregate_of, context, is_removal, module_name, pascal, snake};
use crate::workspace::join;
use crate::{Request, Service};

/// One topic as a service sees it.
#[derive(Debug, Default, Clone)]
struct Topic {
    name: String,
    events: Vec<String>,
    aggregate: String,
    produces: bool,
    consumer: Option<ConsumerSide>,
}

#[derive(Debug, Clone)]
struct ConsumerSide {
    group: String,
    read_model: Option<(String, String)>,
}

/// Inputs beyond the commands: the aggregate of topics declared by other services'
/// outboxes, and the migration path chosen for each read model.
#[derive(Debug, Default)]
pub struct Context {
    /// topic → (events, aggregate) of its outbox.
    pub topics: BTreeMap<String, (Vec<String>, String)>,
    /// read-model table → its migration file (relative to the root).
    pub migrations: BTreeMap<String, String>,
    /// Payload messages of `proto/events` (nova-events): name → its `*_id` string fields.
    pub proto: BTreeMap<String, Vec<String>>,
}

/// The aggregate of an outbox: given, or derived from the first event's name.
pub fn aggregate(events: &[String], given: Option<&str>) -> String {
    given
        .map(str::to_owned)
        .or_else(|| events.first().map(|e| aggregate_of(e)))
        .unwrap_or_else(|| "entity".to_owned())
}

/// Every generated file of `service` for `commands` (those of this service).
pub fn service_files(
    service: &Service,
    commands: &[&Request],
    cx: &Context,
) -> BTreeMap<String, String> {
    let mut topics: BTreeMap<String, Topic> = BTreeMap::new();
    let mut verifies = false;
    for c in commands {
        match c {
            Request::JwtVerify { .. } => verifies = true,
            Request::Service { .. } => {}
            Request::Outbox {
                topic,
                events,
                aggregate: agg,
                ..
            } => {
                let t = topics.entry(topic.clone()).or_default();
                t.name = topic.clone();
                t.produces = true;
                t.aggregate = aggregate(events, agg.as_deref());
                merge(&mut t.events, events);
            }
            Request::Consumer {
                topic,
                events,
                read_model,
                group,
                ..
            } => {
                let t = topics.entry(topic.clone()).or_default();
                t.name = topic.clone();
                if let Some((_, agg)) = cx.topics.get(topic)
                    && !t.produces
                {
                    t.aggregate = agg.clone();
                }
                merge(&mut t.events, events);
                t.consumer = Some(ConsumerSide {
                    group: group.clone().unwrap_or_else(|| service.name.clone()),
                    read_model: read_model.as_ref().map(|table| {
                        let path = cx.migrations.get(table).cloned().unwrap_or_else(|| {
                            join(&service.migrations, &format!("nova_read_model_{table}.sql"))
                        });
                        (table.clone(), path)
                    }),
                });
            }
        }
    }
    for t in topics.values_mut() {
        if t.aggregate.is_empty() {
            t.aggregate = aggregate(&t.events, None);
        }
    }
    let src = join(&service.dir, "src/nova");
    let mut files = BTreeMap::new();
    for t in topics.values() {
        let m = module_name(&t.name);
        files.insert(join(&src, &format!("{m}.rs")), topic_module(t, &cx.proto));
        if let Some(c) = &t.consumer {
            files.insert(
                join(&src, &format!("{m}_consumer.rs")),
                consumer_module(t, c),
            );
            files.insert(
                join(&service.dir, &format!("tests/it/nova_{m}_consumer.rs")),
                consumer_test(service, t, c, &cx.proto),
            );
            if let Some((table, path)) = &c.read_model {
                files.insert(path.clone(), read_model_migration(t, table));
            }
        }
    }
    if verifies {
        files.insert(join(&src, "auth.rs"), auth_module(service));
    }
    files.insert(join(&src, "mod.rs"), wiring(service, &topics, verifies));
    files
}

fn auth_module(service: &Service) -> String {
    format!(
        "//! Local token verification of {name}: generated by `nova scaffold jwt-verify`,\n\
         //! regenerated whole (do not edit).\n\
         //!\n\
         //! Tokens are checked here, with the issuer's public keys, instead of asking the\n\
         //! issuer on every request. The keys come from configuration: `NOVA_JWKS` (the\n\
         //! issuer's JWKS document) or `NOVA_JWKS_FILE` (a path to it); when\n\
         //! `NOVA_TOKEN_ISSUER` is set, tokens must have been issued by it.\n\
         //!\n\
         //! gRPC: `XServer::with_interceptor(service, nova::auth::authenticator()?)` rejects\n\
         //! a request without a valid `authorization: Bearer <token>` with `Unauthenticated`;\n\
         //! a handler reads the caller with `nova_kit::caller(&request)?`. Other transports\n\
         //! (HTTP, WebSocket): `nova::auth::verify_bearer(&verifier, header_value)`.\n\
         //! Then remove the call to the issuer's `VerifyUser` that this replaces.\n\n\
         pub use nova_auth::{{Claims, Verifier}};\n\n\
         /// The verifier could not be built, or a token was refused.\n\
         #[derive(Debug)]\n\
         pub struct AuthError(String);\n\n\
         impl std::fmt::Display for AuthError {{\n\
         \x20   fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {{\n\
         \x20       f.write_str(&self.0)\n\
         \x20   }}\n\
         }}\n\n\
         impl std::error::Error for AuthError {{}}\n\n\
         /// The verifier: the issuer's public keys from `NOVA_JWKS` or `NOVA_JWKS_FILE`.\n\
         pub fn verifier() -> Result<Verifier, AuthError> {{\n\
         \x20   let json = match std::env::var(\"NOVA_JWKS\") {{\n\
         \x20       Ok(json) => json,\n\
         \x20       Err(_) => {{\n\
         \x20           let path = std::env::var(\"NOVA_JWKS_FILE\").map_err(|_| {{\n\
         \x20               AuthError(\"nova: neither NOVA_JWKS nor NOVA_JWKS_FILE is set\".to_owned())\n\
         \x20           }})?;\n\
         \x20           std::fs::read_to_string(&path)\n\
         \x20               .map_err(|e| AuthError(format!(\"nova: reading {{path}}: {{e}}\")))?\n\
         \x20       }}\n\
         \x20   }};\n\
         \x20   let jwks = nova_auth::Jwks::from_json(&json)\n\
         \x20       .map_err(|e| AuthError(format!(\"nova: the JWKS: {{e}}\")))?;\n\
         \x20   let verifier = Verifier::from_jwks(&jwks)\n\
         \x20       .map_err(|e| AuthError(format!(\"nova: the JWKS keys: {{e}}\")))?;\n\
         \x20   Ok(match std::env::var(\"NOVA_TOKEN_ISSUER\") {{\n\
         \x20       Ok(issuer) => verifier.with_issuer(issuer),\n\
         \x20       Err(_) => verifier,\n\
         \x20   }})\n\
         }}\n\n\
         /// A tonic interceptor: a request without a valid bearer token is `Unauthenticated`.\n\
         pub fn authenticator() -> Result<nova_kit::Authenticator, AuthError> {{\n\
         \x20   Ok(nova_kit::Authenticator::new(verifier()?))\n\
         }}\n\n\
         /// Verifies an `authorization` header value (`Bearer <token>`).\n\
         pub fn verify_bearer(verifier: &Verifier, authorization: &str) -> Result<Claims, AuthError> {{\n\
         \x20   let token = match authorization.trim().split_once(' ') {{\n\
         \x20       Some((scheme, token)) if scheme.eq_ignore_ascii_case(\"bearer\") => token.trim(),\n\
         \x20       _ => return Err(AuthError(\"authorization must be `Bearer <token>`\".to_owned())),\n\
         \x20   }};\n\
         \x20   verifier\n\
         \x20       .verify(token)\n\
         \x20       .map_err(|e| AuthError(e.to_string()))\n\
         }}\n",
        name = service.name
    )
}

fn merge(into: &mut Vec<String>, events: &[String]) {
    for e in events {
        if !into.contains(e) {
            into.push(e.clone());
        }
    }
}

fn id_field(t: &Topic) -> String {
    format!("{}_id", t.aggregate)
}

fn event_type(t: &Topic, event: &str) -> String {
    format!("{}.{event}", context(&t.name))
}

fn topic_module(t: &Topic, proto: &BTreeMap<String, Vec<String>>) -> String {
    let id = id_field(t);
    let mut s = format!(
        "//! Events of topic `{topic}`: generated by `nova scaffold`, regenerated whole (do not edit).\n\
         //!\n\
         //! Payloads of `proto/events` are nova-events' types; the others are prost messages\n\
         //! defined here (wire-compatible protobuf): the `{id}` (the Kafka key, so one\n\
         //! {agg}'s events stay in order) and, for changes, the {agg} as JSON in `data`.\n\
         //! Add fields with new tags only.\n\n\
         /// The Kafka topic.\n\
         pub const TOPIC: &str = \"{topic}\";\n",
        topic = t.name,
        agg = t.aggregate,
    );
    for e in &t.events {
        if proto.contains_key(e) {
            s.push_str(&format!(
                "\n/// `{e}` of `proto/events` (nova-events).\npub use ::nova_events::proto::{e};\n"
            ));
        } else {
            s.push_str(&format!(
                "\n/// `{ty}` (schema version 1), aggregate `{agg}`.\n\
                 #[derive(Clone, PartialEq, ::prost::Message)]\n\
                 pub struct {e} {{\n\
                 \x20   /// The {agg}'s id: the Kafka key.\n\
                 \x20   #[prost(string, tag = \"1\")]\n\
                 \x20   pub {id}: ::prost::alloc::string::String,\n",
                ty = event_type(t, e),
                agg = t.aggregate,
            ));
            if !is_removal(e) {
                s.push_str(&format!(
                    "    /// The {agg} as JSON.\n\
                     \x20   #[prost(string, tag = \"2\")]\n\
                     \x20   pub data: ::prost::alloc::string::String,\n",
                    agg = t.aggregate
                ));
            }
            s.push_str(&format!(
                "}}\n\n\
                 impl ::nova_events::Payload for {e} {{\n\
                 \x20   const EVENT_TYPE: &'static str = \"{ty}\";\n\
                 \x20   const SCHEMA_VERSION: u32 = 1;\n\
                 \x20   const AGGREGATE_TYPE: &'static str = \"{agg}\";\n\
                 \x20   fn aggregate_id(&self) -> &str {{\n\
                 \x20       &self.{id}\n\
                 \x20   }}\n\
                 }}\n",
                ty = event_type(t, e),
                agg = t.aggregate,
            ));
        }
        if t.produces {
            s.push_str(&format!(
                "\n/// Enqueues `{e}` on `{topic}` in `tx`: it is published if and only if `tx` commits.\n\
                 pub async fn enqueue_{snake}(\n\
                 \x20   tx: &mut ::sqlx::Transaction<'_, ::sqlx::Postgres>,\n\
                 \x20   payload: &{e},\n\
                 ) -> Result<(), ::nova_outbox::OutboxError> {{\n\
                 \x20   ::nova_outbox::Outbox::new(TOPIC)?\n\
                 \x20       .enqueue(tx, &::nova_events::Event::new(payload))\n\
                 \x20       .await\n\
                 }}\n",
                topic = t.name,
                snake = snake(e),
            ));
        }
    }
    s
}

fn handler_name(t: &Topic) -> String {
    format!("{}Handler", pascal(&module_name(&t.name)))
}

fn consumer_module(t: &Topic, c: &ConsumerSide) -> String {
    let m = module_name(&t.name);
    let handler = handler_name(t);
    let mut s = format!(
        "//! Consumer of `{topic}` in group `{group}`: generated by `nova scaffold consumer`.\n\
         //!\n\
         //! Each handler runs inside the consumer's transaction, after the event id was\n\
         //! recorded in `nova_processed_events` (a redelivered event is skipped): write the\n\
         //! effect through `conn` and it commits exactly once, with the record. A failing\n\
         //! handler is retried with backoff, `MAX_ATTEMPTS` times, then the message goes to\n\
         //! `{topic}.dlq`. Edit the handlers (a re-run then reports this file as a conflict\n\
         //! and keeps it).\n\n\
         use std::time::Duration;\n\n\
         use nova_consumer::{{ConsumerConfig, Handler, HandlerError}};\n\
         use nova_events::{{Event, Payload}};\n\
         use sqlx::PgConnection;\n\n\
         use super::{m}::{{{types}}};\n\n\
         /// The topic consumed.\n\
         pub const TOPIC: &str = \"{topic}\";\n\
         /// The consumer group (also the scope of the processed-event records).\n\
         pub const GROUP: &str = \"{group}\";\n\
         /// Handler attempts before a message is dead-lettered.\n\
         pub const MAX_ATTEMPTS: u32 = 5;\n\n\
         /// The consumer's settings: retries with backoff, then `{topic}.dlq`.\n\
         pub fn config(bootstrap: &str) -> ConsumerConfig {{\n\
         \x20   let mut config = ConsumerConfig::new(bootstrap, GROUP, [TOPIC]);\n\
         \x20   config.max_attempts = MAX_ATTEMPTS;\n\
         \x20   config.retry_backoff = Duration::from_millis(100);\n\
         \x20   config.retry_backoff_max = Duration::from_secs(10);\n\
         \x20   config.dlq_suffix = \".dlq\".to_owned();\n\
         \x20   config\n\
         }}\n\n\
         /// Applies the events of `{topic}`.\n\
         #[derive(Debug, Clone, Copy, Default)]\n\
         pub struct {handler};\n\n\
         impl Handler for {handler} {{\n\
         \x20   fn supports(&self, event_type: &str) -> Option<u32> {{\n\
         {arms}\
         \x20       None\n\
         \x20   }}\n\n\
         \x20   async fn handle(&self, conn: &mut PgConnection, event: &Event) -> Result<(), HandlerError> {{\n",
        topic = t.name,
        group = c.group,
        types = t.events.join(", "),
        arms = t
            .events
            .iter()
            .map(|e| format!(
                "        if event_type == {e}::EVENT_TYPE {{\n            return Some({e}::SCHEMA_VERSION);\n        }}\n"
            ))
            .collect::<String>(),
    );
    for e in &t.events {
        s.push_str(&format!(
            "        if event.is::<{e}>() {{\n            return on_{snake}(conn, event, event.payload_as()?).await;\n        }}\n",
            snake = snake(e)
        ));
    }
    s.push_str("        Ok(())\n    }\n}\n");
    for e in &t.events {
        let ty = e;
        let sn = snake(e);
        match &c.read_model {
            Some((table, _)) if is_removal(e) => s.push_str(&format!(
                "\n/// `{ty}`: deletes the {agg} from the local `{table}` read model.\n\
                 pub async fn on_{sn}(\n\
                 \x20   conn: &mut PgConnection,\n\
                 \x20   _event: &Event,\n\
                 \x20   payload: {e},\n\
                 ) -> Result<(), HandlerError> {{\n\
                 \x20   sqlx::query(\"DELETE FROM {table} WHERE id = $1\")\n\
                 \x20       .bind(payload.aggregate_id())\n\
                 \x20       .execute(conn)\n\
                 \x20       .await?;\n\
                 \x20   Ok(())\n\
                 }}\n",
                agg = t.aggregate,
            )),
            Some((table, _)) => s.push_str(&format!(
                "\n/// `{ty}`: upserts the {agg} into the local `{table}` read model (an older\n\
                 /// event never overwrites a newer one).\n\
                 pub async fn on_{sn}(\n\
                 \x20   conn: &mut PgConnection,\n\
                 \x20   event: &Event,\n\
                 \x20   payload: {e},\n\
                 ) -> Result<(), HandlerError> {{\n\
                 \x20   sqlx::query(\n\
                 \x20       \"INSERT INTO {table} (id, payload, updated_at) VALUES ($1, $2, $3) \\\n\
                 \x20        ON CONFLICT (id) DO UPDATE SET payload = EXCLUDED.payload, updated_at = EXCLUDED.updated_at \\\n\
                 \x20        WHERE {table}.updated_at <= EXCLUDED.updated_at\",\n\
                 \x20   )\n\
                 \x20   .bind(payload.aggregate_id())\n\
                 \x20   .bind(&event.payload)\n\
                 \x20   .bind(event.occurred_at)\n\
                 \x20   .execute(conn)\n\
                 \x20   .await?;\n\
                 \x20   Ok(())\n\
                 }}\n",
                agg = t.aggregate,
            )),
            None => s.push_str(&format!(
                "\n/// `{ty}`: apply its effect here, through `conn` (same transaction as the\n\
                 /// processed-event record). Return `HandlerError::transient` to retry,\n\
                 /// `HandlerError::permanent` to dead-letter at once.\n\
                 pub async fn on_{sn}(\n\
                 \x20   conn: &mut PgConnection,\n\
                 \x20   event: &Event,\n\
                 \x20   payload: {e},\n\
                 ) -> Result<(), HandlerError> {{\n\
                 \x20   let _ = (conn, event, payload);\n\
                 \x20   Ok(())\n\
                 }}\n"
            )),
        }
    }
    s
}

fn read_model_migration(t: &Topic, table: &str) -> String {
    format!(
        "-- Read model `{table}`, fed by `{topic}` (generated by `nova scaffold consumer`).\n\
         -- One row per {agg}: its id, its latest event payload (protobuf; decode it with\n\
         -- the payload type, `prost::Message::decode`), and the time of that event (an\n\
         -- older event never overwrites a newer one).\n\
         CREATE TABLE IF NOT EXISTS {table} (\n\
         \x20   id         TEXT PRIMARY KEY,\n\
         \x20   payload    BYTEA NOT NULL,\n\
         \x20   updated_at TIMESTAMPTZ NOT NULL\n\
         );\n",
        topic = t.name,
        agg = t.aggregate,
    )
}

/// The path from `from_dir` (relative to the root) up to the root.
fn up(from_dir: &str) -> String {
    "../".repeat(from_dir.split('/').filter(|c| !c.is_empty()).count())
}

fn relative_to_service(service: &Service, path: &str) -> String {
    path.strip_prefix(&format!("{}/", service.dir))
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{}{path}", up(&service.dir)))
}

fn wiring(service: &Service, topics: &BTreeMap<String, Topic>, verifies: bool) -> String {
    let produces = topics.values().any(|t| t.produces);
    let consumes = topics.values().any(|t| t.consumer.is_some());
    let mut s = format!(
        "//! nova wiring of {name}: generated by `nova scaffold`, regenerated whole (do not\n\
         //! edit; `.nova/scaffold.lock` records the commands that made it).\n\
         //!\n\
         //! `start()`, when there are events, is called once at start-up; it reads\n\
         //! `{db}` and `{kafka}` (the variables the service's own code reads).\n\n",
        name = service.name,
        db = service.database_env,
        kafka = service.kafka_env,
    );
    if verifies {
        s.push_str("pub mod auth;\n");
    }
    for t in topics.values() {
        let m = module_name(&t.name);
        s.push_str(&format!("pub mod {m};\n"));
        if t.consumer.is_some() {
            s.push_str(&format!("pub mod {m}_consumer;\n"));
        }
    }
    if !(produces || consumes) {
        return s;
    }
    s.push_str(&format!(
        "\n/// The variable with the service's database URL.\n\
         pub const DATABASE_ENV: &str = \"{db}\";\n\
         /// The variable with the Kafka bootstrap servers.\n\
         pub const KAFKA_ENV: &str = \"{kafka}\";\n",
        db = service.database_env,
        kafka = service.kafka_env,
    ));
    s.push_str(
        "\n/// Why `start` failed.\n\
         #[derive(Debug)]\n\
         pub struct StartError(String);\n\n\
         impl std::fmt::Display for StartError {\n\
         \x20   fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {\n\
         \x20       f.write_str(&self.0)\n\
         \x20   }\n\
         }\n\n\
         impl std::error::Error for StartError {}\n\n\
         fn failed(what: &str, e: impl std::fmt::Display) -> StartError {\n\
         \x20   StartError(format!(\"nova: {what}: {e}\"))\n\
         }\n\n\
         fn env(name: &str) -> Result<String, StartError> {\n\
         \x20   std::env::var(name).map_err(|_| StartError(format!(\"nova: {name} is not set\")))\n\
         }\n\n\
         async fn ctrl_c() {\n\
         \x20   let _ = tokio::signal::ctrl_c().await;\n\
         }\n\n\
         /// Creates the nova tables (idempotent), then runs in the background, until Ctrl-C,\n\
         /// the outbox relay and the consumers of this service.\n\
         pub async fn start() -> Result<(), StartError> {\n\
         \x20   start_until(ctrl_c).await\n\
         }\n\n\
         /// [`start`], stopping when a future made by `shutdown` completes (one per task;\n\
         /// e.g. `move || shutdown.wait()` with a `nova_kit::Shutdown`).\n\
         pub async fn start_until<F, Fut>(shutdown: F) -> Result<(), StartError>\n\
         where\n\
         \x20   F: Fn() -> Fut,\n\
         \x20   Fut: std::future::Future<Output = ()> + Send + 'static,\n\
         {\n\
         \x20   let bootstrap = env(KAFKA_ENV)?;\n\
         \x20   let pool = sqlx::postgres::PgPoolOptions::new()\n\
         \x20       .max_connections(4)\n\
         \x20       .connect(&env(DATABASE_ENV)?)\n\
         \x20       .await\n\
         \x20       .map_err(|e| failed(\"connecting to PostgreSQL\", e))?;\n",
    );
    if produces {
        s.push_str(
            "    nova_outbox::migrate(&pool)\n\
             \x20       .await\n\
             \x20       .map_err(|e| failed(\"outbox migration\", e))?;\n",
        );
    }
    if consumes {
        s.push_str(
            "    nova_consumer::migrate(&pool)\n\
             \x20       .await\n\
             \x20       .map_err(|e| failed(\"processed-events migration\", e))?;\n",
        );
    }
    for t in topics.values() {
        if let Some(ConsumerSide {
            read_model: Some((table, path)),
            ..
        }) = &t.consumer
        {
            let rel = relative_to_service(service, path);
            s.push_str(&format!(
                "    sqlx::raw_sql(include_str!(\"../../{rel}\"))\n\
                 \x20       .execute(&pool)\n\
                 \x20       .await\n\
                 \x20       .map_err(|e| failed(\"read model {table}\", e))?;\n"
            ));
        }
    }
    if produces {
        s.push_str(
            "    let relay = nova_outbox::Relay::new(pool.clone(), nova_outbox::RelayConfig::new(bootstrap.clone()))\n\
             \x20       .map_err(|e| failed(\"outbox relay\", e))?;\n\
             \x20   let stop = shutdown();\n\
             \x20   tokio::spawn(async move {\n\
             \x20       if let Err(e) = relay.run(stop).await {\n\
             \x20           eprintln!(\"nova: the outbox relay stopped: {e}\");\n\
             \x20       }\n\
             \x20   });\n",
        );
    }
    for t in topics.values() {
        if t.consumer.is_some() {
            let m = module_name(&t.name);
            s.push_str(&format!(
                "    let consumer = nova_consumer::Consumer::new(\n\
                 \x20       pool.clone(),\n\
                 \x20       {m}_consumer::config(&bootstrap),\n\
                 \x20       {m}_consumer::{handler},\n\
                 \x20   )\n\
                 \x20   .map_err(|e| failed(\"consumer of {topic}\", e))?;\n\
                 \x20   let stop = shutdown();\n\
                 \x20   tokio::spawn(async move {{\n\
                 \x20       if let Err(e) = consumer.run(stop).await {{\n\
                 \x20           eprintln!(\"nova: the consumer of {topic} stopped: {{e}}\");\n\
                 \x20       }}\n\
                 \x20   }});\n",
                handler = handler_name(t),
                topic = t.name,
            ));
        }
    }
    s.push_str("    drop(pool);\n    Ok(())\n}\n");
    s
}

fn consumer_test(
    service: &Service,
    t: &Topic,
    c: &ConsumerSide,
    proto: &BTreeMap<String, Vec<String>>,
) -> String {
    let m = module_name(&t.name);
    let id = id_field(t);
    let mut events = String::new();
    for (i, e) in t.events.iter().enumerate() {
        let fields = match proto.get(e) {
            // Every `*_id` of a nova-events payload gets a value: one of them is the key.
            Some(ids) => {
                let mut f: String = ids
                    .iter()
                    .map(|f| format!(" {f}: \"{f}-{i}\".into(),"))
                    .collect();
                f.push_str(" ..Default::default()");
                f
            }
            None if is_removal(e) => format!(" {id}: \"{agg}-{i}\".into(),", agg = t.aggregate),
            None => format!(
                " {id}: \"{agg}-{i}\".into(), data: r#\"{{\"n\":{i}}}\"#.into(),",
                agg = t.aggregate
            ),
        };
        events.push_str(&format!(
            "        Event::new(&nova::{m}::{e} {{{fields} }}),\n"
        ));
    }
    let migrate_read_model = match &c.read_model {
        Some((_, path)) => format!(
            "    sqlx::raw_sql(include_str!(\"../../{}\"))\n\
             \x20       .execute(db.pool())\n\
             \x20       .await\n\
             \x20       .expect(\"read-model table\");\n",
            relative_to_service(service, path)
        ),
        None => String::new(),
    };
    let read_model_check = match &c.read_model {
        Some((table, _)) => {
            let upserts = t.events.iter().filter(|e| !is_removal(e)).count();
            format!(
                "    let rows: i64 = sqlx::query_scalar(\"SELECT count(*) FROM {table}\")\n\
                 \x20       .fetch_one(db.pool())\n\
                 \x20       .await\n\
                 \x20       .expect(\"read model\");\n\
                 \x20   assert_eq!(rows, {upserts}, \"one `{table}` row per created or updated {agg}\");\n",
                agg = t.aggregate,
            )
        }
        None => String::new(),
    };
    format!(
        "//! Generated by `nova scaffold consumer`: every event of `{topic}` is published\n\
         //! twice and applied once. Needs PostgreSQL (`NOVA_PG_URL`) and Kafka (`KAFKA_BOOTSTRAP`).\n\n\
         {import}\n\
         use std::time::Duration;\n\n\
         use nova_events::Event;\n\
         use nova_testkit::{{TestDb, TestTopics, kafka_bootstrap, unique_name, wait_for}};\n\
         use rdkafka::ClientConfig;\n\
         use rdkafka::producer::{{FutureProducer, FutureRecord}};\n\n\
         #[tokio::test]\n\
         async fn each_event_is_applied_once() {{\n\
         \x20   let db = TestDb::create(4).await.expect(\"test database\");\n\
         \x20   let bootstrap = kafka_bootstrap().expect(\"KAFKA_BOOTSTRAP\");\n\
         \x20   nova_consumer::migrate(db.pool())\n\
         \x20       .await\n\
         \x20       .expect(\"processed-events table\");\n\
         {migrate_read_model}\
         \x20   let topic = unique_name(\"{m}\");\n\
         \x20   let topics = TestTopics::create(&bootstrap, &[topic.clone()], 1)\n\
         \x20       .await\n\
         \x20       .expect(\"topic\");\n\
         \x20   let events = vec![\n\
         {events}\
         \x20   ];\n\
         \x20   let producer: FutureProducer = ClientConfig::new()\n\
         \x20       .set(\"bootstrap.servers\", &bootstrap)\n\
         \x20       .create()\n\
         \x20       .expect(\"producer\");\n\
         \x20   for event in events.iter().chain(events.iter()) {{\n\
         \x20       let value = event.encode();\n\
         \x20       producer\n\
         \x20           .send(\n\
         \x20               FutureRecord::to(&topic).key(&event.aggregate_id).payload(&value),\n\
         \x20               Duration::from_secs(10),\n\
         \x20           )\n\
         \x20           .await\n\
         \x20           .map_err(|(e, _)| e)\n\
         \x20           .expect(\"publish\");\n\
         \x20   }}\n\n\
         \x20   let mut config = nova::{m}_consumer::config(&bootstrap);\n\
         \x20   config.topics = vec![topic.clone()];\n\
         \x20   config.group_id = unique_name(\"group\");\n\
         \x20   let consumer =\n\
         \x20       nova_consumer::Consumer::new(db.pool().clone(), config, nova::{m}_consumer::{handler})\n\
         \x20           .expect(\"consumer\");\n\
         \x20   let metrics = consumer.metrics();\n\
         \x20   let (stop, stopped) = tokio::sync::oneshot::channel::<()>();\n\
         \x20   let task = tokio::spawn(consumer.run(async {{\n\
         \x20       let _ = stopped.await;\n\
         \x20   }}));\n\
         \x20   let n = events.len() as u64;\n\
         \x20   wait_for(\"every message handled\", Duration::from_secs(60), Duration::from_millis(100), || {{\n\
         \x20       let m = metrics.snapshot();\n\
         \x20       async move {{ (m.applied_total + m.duplicates_total >= 2 * n).then_some(()) }}\n\
         \x20   }})\n\
         \x20   .await\n\
         \x20   .expect(\"consumed\");\n\
         \x20   let _ = stop.send(());\n\
         \x20   task.await.expect(\"consumer task\").expect(\"consumer\");\n\n\
         \x20   let m = metrics.snapshot();\n\
         \x20   assert_eq!(m.applied_total, n, \"each event applied once\");\n\
         \x20   assert_eq!(m.duplicates_total, n, \"each second delivery skipped\");\n\
         {read_model_check}\
         \x20   topics.cleanup().await.expect(\"topics\");\n\
         \x20   db.cleanup().await.expect(\"database\");\n\
         }}\n",
        topic = t.name,
        handler = handler_name(t),
        import = if service.crate_root.ends_with("lib.rs") {
            format!("use {}::nova;\n", service.name.replace('-', "_"))
        } else {
            "#[path = \"../../src/nova/mod.rs\"]\n#[allow(dead_code)]\nmod nova;\n".to_owned()
        },
    )
}
