//! Outbox benchmarks against real PostgreSQL and Kafka (tansu), with their
//! baselines measured in the same run:
//!
//! * A: single-row `INSERT` + `COMMIT` into a plain table (one connection);
//! * B: raw rdkafka produce of the same payloads (idempotent, `acks=all`).
//!
//! Reports: enqueue rate vs A; relay throughput vs A and B; commit-to-published
//! latency p50/p99 at 50% of A; consumer apply rate with dedupe vs without.
//! Needs `NOVA_PG_URL` (default local) and `KAFKA_BOOTSTRAP`, like the tests.
//! Run: `cargo bench -p nova-outbox --bench outbox` (sizes: `NOVA_BENCH_N`).

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant, SystemTime};

use nova_consumer::{Consumer, ConsumerConfig, Handler, HandlerError};
use nova_events::Event;
use nova_events::headers;
use nova_events::proto::PostUpdated;
use nova_outbox::{Outbox, Relay, RelayConfig};
use nova_testkit::{TestDb, TestTopics, kafka_bootstrap, unique_name};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{FutureProducer, FutureRecord};
use sqlx::{PgConnection, PgPool, Row};

const AGGREGATES: usize = 100;

fn event(i: usize) -> Event {
    Event::new(&PostUpdated {
        post_id: format!("post-{}", i % AGGREGATES),
        author_id: "author-1".into(),
        title: "A title of ordinary length".into(),
        body: "x".repeat(200),
        revision: i as u64,
        ..Default::default()
    })
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

/// A: single-row INSERT + COMMIT of the envelope bytes into a plain table.
async fn baseline_insert(pool: &PgPool, events: &[Event]) -> f64 {
    sqlx::raw_sql("CREATE TABLE IF NOT EXISTS bench_plain (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload bytea NOT NULL)")
        .execute(pool)
        .await
        .expect("plain table");
    let mut conn = pool.acquire().await.expect("conn");
    let start = Instant::now();
    for e in events {
        let mut tx = sqlx::Connection::begin(&mut *conn).await.expect("begin");
        sqlx::query("INSERT INTO bench_plain (payload) VALUES ($1)")
            .bind(e.encode())
            .execute(&mut *tx)
            .await
            .expect("insert");
        tx.commit().await.expect("commit");
    }
    rate(events.len(), start.elapsed())
}

/// A message ready to produce: key, value, headers.
type Prepared = (String, Vec<u8>, Vec<(&'static str, String)>);

/// B: raw produce of the same payloads, all in flight, waiting for every report.
/// One warm-up message first (to another topic: the consumer benchmarks read
/// this one), so connection set-up is not counted.
///
/// With `with_headers`, each message carries the headers the relay attaches
/// (`nova-event-id`, `nova-event-type`; B with headers: the relay's real
/// Kafka-side work).
async fn baseline_produce(
    bootstrap: &str,
    topic: &str,
    warm_up: &str,
    events: &[Event],
    with_headers: bool,
) -> f64 {
    let producer: FutureProducer = relay_config(bootstrap)
        .producer_config()
        .create()
        .expect("producer");
    producer
        .send(
            FutureRecord::<str, [u8]>::to(warm_up)
                .key("warm-up")
                .payload(b"warm-up".as_slice()),
            Duration::from_secs(30),
        )
        .await
        .map_err(|(e, _)| e)
        .expect("warm-up");
    let payloads: Vec<Prepared> = events
        .iter()
        .map(|e| {
            let h = if with_headers && relay_config(bootstrap).routing_headers {
                // What the relay sends for an event without trace context.
                vec![
                    (headers::EVENT_ID, e.id.to_string()),
                    (headers::EVENT_TYPE, e.event_type.clone()),
                ]
            } else {
                Vec::new()
            };
            (e.aggregate_id.clone(), e.encode(), h)
        })
        .collect();
    let start = Instant::now();
    let mut pending = Vec::with_capacity(payloads.len());
    for (key, payload, hdrs) in &payloads {
        let mut rec = FutureRecord::to(topic)
            .key(key.as_str())
            .payload(payload.as_slice());
        if !hdrs.is_empty() {
            let mut oh = OwnedHeaders::new_with_capacity(hdrs.len());
            for (k, v) in hdrs {
                oh = oh.insert(Header {
                    key: k,
                    value: Some(v.as_str()),
                });
            }
            rec = rec.headers(oh);
        }
        pending.push(
            producer
                .send_result(rec)
                .map_err(|(e, _)| e)
                .expect("produce"),
        );
    }
    for p in pending {
        p.await
            .expect("report")
            .map_err(|(e, _)| e)
            .expect("delivered");
    }
    rate(events.len(), start.elapsed())
}

/// Enqueue: one event per transaction, like A.
async fn enqueue_rate(pool: &PgPool, outbox: &Outbox, events: &[Event]) -> f64 {
    let start = Instant::now();
    for e in events {
        let mut tx = pool.begin().await.expect("begin");
        outbox.enqueue(&mut tx, e).await.expect("enqueue");
        tx.commit().await.expect("commit");
    }
    rate(events.len(), start.elapsed())
}

async fn prefill(pool: &PgPool, outbox: &Outbox, events: &[Event]) {
    for chunk in events.chunks(1000) {
        let mut tx = pool.begin().await.expect("begin");
        outbox.enqueue_all(&mut tx, chunk).await.expect("enqueue");
        tx.commit().await.expect("commit");
    }
}

/// The relay configuration the benchmarks use: the defaults, plus
/// `NOVA_BENCH_RELAY_PROPS=k=v,k=v` (producer properties) and
/// `NOVA_BENCH_BATCH` (rows per batch), `NOVA_BENCH_IN_FLIGHT` (batches in
/// flight in `Relay::run`) and `NOVA_BENCH_ROUTING_HEADERS=1` (with the `nova-*`
/// routing headers, off by default; Bh then has them too) to try alternatives.
fn relay_config(bootstrap: &str) -> RelayConfig {
    let mut config = RelayConfig::new(bootstrap);
    for kv in std::env::var("NOVA_BENCH_RELAY_PROPS")
        .unwrap_or_default()
        .split(',')
    {
        if let Some((k, v)) = kv.split_once('=') {
            config.producer_properties.insert(k.into(), v.into());
        }
    }
    if let Some(b) = std::env::var("NOVA_BENCH_BATCH")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        config.batch_size = b;
    }
    if let Ok(v) = std::env::var("NOVA_BENCH_ROUTING_HEADERS") {
        config.routing_headers = v != "0";
    }
    if let Some(d) = std::env::var("NOVA_BENCH_IN_FLIGHT")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        config.max_batches_in_flight = d;
    }
    config
}

/// Relay throughput: drain a pre-filled outbox of `n` rows with one relay. The
/// relay first publishes one warm-up row, so the producer's connection set-up
/// (metadata, idempotent producer id) is not counted, as in B.
async fn relay_rate(pool: &PgPool, bootstrap: &str, outbox: &Outbox, n: usize) -> f64 {
    let relay = Relay::new(pool.clone(), relay_config(bootstrap)).expect("relay");
    prefill(pool, outbox, &[event(0)]).await;
    while relay.publish_batch().await.expect("warm-up").published == 0 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    prefill(pool, outbox, &(0..n).map(event).collect::<Vec<_>>()).await;
    let start = Instant::now();
    let mut published = 0;
    while published < n {
        let o = relay.publish_batch().await.expect("batch");
        assert_eq!(o.failed, 0, "no failures in the benchmark");
        published += o.published;
        if o.claimed == 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    rate(n, start.elapsed())
}

/// Commit-to-published latency with `WRITERS` writer tasks (one connection each)
/// together paced at `target_rate` events/s for `seconds`, and the relay running
/// (NOTIFY-driven). Each writer has its own schedule (`target_rate / WRITERS`,
/// staggered), so one slow commit does not hold back the others.
async fn latency(
    pool: &PgPool,
    bootstrap: &str,
    outbox: &Outbox,
    target_rate: f64,
    seconds: f64,
) -> (f64, f64, f64, usize) {
    const WRITERS: usize = 4;
    let relay = Relay::new(pool.clone(), relay_config(bootstrap)).expect("relay");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(relay.run(async {
        let _ = stop_rx.await;
    }));
    tokio::time::sleep(Duration::from_millis(500)).await;
    let n = (target_rate * seconds) as usize;
    let per_writer = n / WRITERS;
    let n = per_writer * WRITERS;
    let interval = Duration::from_secs_f64(WRITERS as f64 / target_rate);
    let start = Instant::now();
    let mut writers = Vec::with_capacity(WRITERS);
    for w in 0..WRITERS {
        let pool = pool.clone();
        let outbox = outbox.clone();
        writers.push(tokio::spawn(async move {
            let mut conn = pool.acquire().await.expect("conn");
            let offset = interval.mul_f64(w as f64 / WRITERS as f64);
            let mut committed = Vec::with_capacity(per_writer);
            for k in 0..per_writer {
                let due = start + offset + interval.mul_f64(k as f64);
                let now = Instant::now();
                if due > now {
                    tokio::time::sleep(due - now).await;
                }
                // Aggregates are partitioned among the writers: no lock waits.
                let e = event(k * WRITERS + w);
                let mut tx = sqlx::Connection::begin(&mut *conn).await.expect("begin");
                outbox.enqueue(&mut tx, &e).await.expect("enqueue");
                tx.commit().await.expect("commit");
                committed.push((e.id, SystemTime::now()));
            }
            committed
        }));
    }
    let mut committed: HashMap<uuid::Uuid, SystemTime> = HashMap::with_capacity(n);
    for w in writers {
        committed.extend(w.await.expect("writer"));
    }
    let achieved = rate(n, start.elapsed());
    // Wait until everything is published.
    loop {
        let left: i64 =
            sqlx::query_scalar("SELECT count(*) FROM nova_outbox WHERE published_at IS NULL")
                .fetch_one(pool)
                .await
                .expect("count");
        if left == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop_tx.send(());
    task.await.expect("relay task").expect("relay");
    let rows = sqlx::query(
        "SELECT event_id, published_at FROM nova_outbox WHERE published_at IS NOT NULL",
    )
    .fetch_all(pool)
    .await
    .expect("rows");
    let mut lat: Vec<f64> = rows
        .iter()
        .filter_map(|r| {
            let id: uuid::Uuid = r.get("event_id");
            let published: chrono::DateTime<chrono::Utc> = r.get("published_at");
            let committed = chrono::DateTime::<chrono::Utc>::from(*committed.get(&id)?);
            Some((published - committed).num_microseconds()? as f64 / 1000.0)
        })
        .collect();
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p).round() as usize];
    (pct(0.50), pct(0.99), achieved, lat.len())
}

struct Effects;

impl Handler for Effects {
    fn supports(&self, event_type: &str) -> Option<u32> {
        (event_type == "content.PostUpdated").then_some(1)
    }

    async fn handle(&self, conn: &mut PgConnection, event: &Event) -> Result<(), HandlerError> {
        sqlx::query("INSERT INTO bench_effects (event_id, aggregate_id) VALUES ($1, $2)")
            .bind(event.id)
            .bind(&event.aggregate_id)
            .execute(conn)
            .await?;
        Ok(())
    }
}

/// Consumer apply rate over a topic holding `n` events, from first to last apply.
async fn consumer_rate(pool: &PgPool, bootstrap: &str, topic: &str, n: usize, dedupe: bool) -> f64 {
    let mut config = ConsumerConfig::new(bootstrap, unique_name("bench"), [topic.to_owned()]);
    config.session_timeout = Duration::from_secs(15);
    config.deduplicate = dedupe;
    // `NOVA_BENCH_CONSUMER_PROPS=k=v,k=v`: extra librdkafka properties to try.
    for kv in std::env::var("NOVA_BENCH_CONSUMER_PROPS")
        .unwrap_or_default()
        .split(',')
    {
        if let Some((k, v)) = kv.split_once('=') {
            config.consumer_properties.insert(k.into(), v.into());
        }
    }
    let consumer = Consumer::new(pool.clone(), config, Effects).expect("consumer");
    let metrics = consumer.metrics();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(consumer.run(async {
        let _ = stop_rx.await;
    }));
    let joined = Instant::now();
    while metrics.snapshot().applied_total == 0 {
        assert!(
            joined.elapsed() < Duration::from_secs(60),
            "consumer never started applying"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    eprintln!(
        "  .. consumer (dedupe {dedupe}): first event applied {:.1} s after start (group join + first fetch)",
        joined.elapsed().as_secs_f64()
    );
    let start = Instant::now();
    let mut last_report = Instant::now();
    let report_every = if std::env::var("NOVA_BENCH_TRACE").is_ok() {
        Duration::from_millis(250)
    } else {
        Duration::from_secs(5)
    };
    while (metrics.snapshot().applied_total as usize) < n {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "consumer too slow: {:?}",
            metrics.snapshot()
        );
        if last_report.elapsed() > report_every {
            eprintln!(
                "  .. {:>6} ms consumer (dedupe {dedupe}): {:?}",
                start.elapsed().as_millis(),
                metrics.snapshot()
            );
            last_report = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let r = rate(n - 1, start.elapsed());
    let _ = stop_tx.send(());
    task.await.expect("consumer task").expect("consumer");
    r
}

/// The consumer's apply path alone (decode, dedupe, handler, commit) over
/// messages fetched beforehand, so the broker's fetch speed does not count.
async fn apply_rate(
    pool: &PgPool,
    bootstrap: &str,
    topic: &str,
    messages: &[rdkafka::message::OwnedMessage],
    dedupe: bool,
) -> f64 {
    let mut config = ConsumerConfig::new(bootstrap, unique_name("apply"), [topic.to_owned()]);
    config.deduplicate = dedupe;
    let consumer = Consumer::new(pool.clone(), config, Effects).expect("consumer");
    let start = Instant::now();
    for m in messages {
        let outcome = consumer.process(m).await;
        assert_eq!(outcome, nova_consumer::Outcome::Applied);
    }
    rate(messages.len(), start.elapsed())
}

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("error")),
        )
        .with_writer(std::io::stderr)
        .init();
    let n: usize = std::env::var("NOVA_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let bootstrap = kafka_bootstrap().expect("KAFKA_BOOTSTRAP");
    let db = TestDb::create(8).await.expect("PostgreSQL");
    let pool = db.pool().clone();
    nova_outbox::migrate(&pool).await.expect("migrate");
    nova_consumer::migrate(&pool).await.expect("migrate");
    sqlx::raw_sql("CREATE TABLE bench_effects (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, event_id uuid NOT NULL, aggregate_id text NOT NULL)")
        .execute(&pool)
        .await
        .expect("effects");
    let names = [
        unique_name("bench_b"),
        unique_name("bench_relay"),
        unique_name("bench_latency"),
    ];
    let topics = TestTopics::create(&bootstrap, &names, 3)
        .await
        .expect("topics");
    let outbox = Outbox::new(&names[1]).expect("topic");
    let latency_outbox = Outbox::new(&names[2]).expect("topic");
    let events: Vec<Event> = (0..n).map(event).collect();

    let a = baseline_insert(&pool, &events).await;
    eprintln!("A done: {a:.0}/s");
    let b = baseline_produce(&bootstrap, &names[0], &names[2], &events, false).await;
    eprintln!("B done: {b:.0}/s");
    let bh = baseline_produce(&bootstrap, &names[2], &names[2], &events, true).await;
    eprintln!("B with headers done: {bh:.0}/s");
    // `NOVA_BENCH_ONLY=relay,consumer` runs only those parts (A and B always run).
    let only = std::env::var("NOVA_BENCH_ONLY").unwrap_or_default();
    let want = |part: &str| only.is_empty() || only.split(',').any(|p| p.trim() == part);
    let skipped = (f64::NAN, f64::NAN, f64::NAN, 0);
    // The shared machine's PostgreSQL commit rate swings several-fold within
    // minutes, so each part is compared with an A measured right before it.
    let mut a_before = BTreeMap::new();
    // The consumer parts run first: tansu 0.6 (SQLite) serves fetches more slowly
    // the more data the broker holds, and the relay/latency parts add ~100k records.
    let (mut apply_on, mut apply_off) = (f64::NAN, f64::NAN);
    if want("apply") {
        a_before.insert("apply", baseline_insert(&pool, &events).await);
        // The consumer reads B's topic: n envelopes.
        let messages =
            nova_testkit::read_messages(&bootstrap, &names[0], n, Duration::from_secs(120))
                .await
                .expect("read");
        apply_on = apply_rate(&pool, &bootstrap, &names[0], &messages[..n], true).await;
        apply_off = apply_rate(&pool, &bootstrap, &names[0], &messages[..n], false).await;
        eprintln!("apply done: {apply_on:.0} / {apply_off:.0}");
    }
    let (mut with_dedupe, mut without_dedupe) = (f64::NAN, f64::NAN);
    if want("consumer") {
        with_dedupe = consumer_rate(&pool, &bootstrap, &names[0], n, true).await;
        eprintln!("consumer (dedupe) done: {with_dedupe:.0}/s");
        without_dedupe = consumer_rate(&pool, &bootstrap, &names[0], n, false).await;
    }
    let enqueue = if want("enqueue") {
        a_before.insert("enqueue", baseline_insert(&pool, &events).await);
        enqueue_rate(&pool, &outbox, &(0..n).map(event).collect::<Vec<_>>()).await
    } else {
        f64::NAN
    };
    eprintln!("enqueue done: {enqueue:.0}/s");
    let relay_n = n * 3;
    let relay = if want("relay") {
        a_before.insert("relay", baseline_insert(&pool, &events).await);
        sqlx::query("DELETE FROM nova_outbox")
            .execute(&pool)
            .await
            .expect("reset");
        relay_rate(&pool, &bootstrap, &outbox, relay_n).await
    } else {
        f64::NAN
    };
    eprintln!("relay done: {relay:.0}/s");
    let mut half = [skipped, skipped];
    if want("latency") {
        let a_now = baseline_insert(&pool, &events).await;
        a_before.insert("latency", a_now);
        for (slot, target) in half.iter_mut().zip([a_now / 2.0, bh / 2.0]) {
            sqlx::query("DELETE FROM nova_outbox")
                .execute(&pool)
                .await
                .expect("reset");
            *slot = latency(&pool, &bootstrap, &latency_outbox, target, 3.0).await;
            eprintln!("latency at {target:.0}/s done: {slot:?}");
        }
    }
    let [half_a, half_b] = half;
    let a_of = |part: &str| a_before.get(part).copied().unwrap_or(f64::NAN);
    println!("nova-outbox benchmarks (n = {n}; relay backlog {relay_n}; tansu 0.6 sqlite broker)");
    println!(
        "  A  plain INSERT+COMMIT         {a:>10.0} rows/s   (at start; before enqueue {:.0}, relay {:.0}, latency {:.0}, apply {:.0})",
        a_of("enqueue"),
        a_of("relay"),
        a_of("latency"),
        a_of("apply")
    );
    println!("  B  raw rdkafka produce         {b:>10.0} msgs/s");
    println!(
        "  Bh raw produce + nova headers  {bh:>10.0} msgs/s   (the relay's Kafka-side ceiling)"
    );
    println!(
        "  enqueue (1 event/tx)           {enqueue:>10.0} ev/s   = {:.2} x A",
        enqueue / a_of("enqueue")
    );
    println!(
        "  relay throughput               {relay:>10.0} ev/s   = {:.2} x A, {:.2} x B, {:.2} x Bh  (target >= 0.90 x A)",
        relay / a_of("relay"),
        relay / b,
        relay / bh
    );
    for (label, (p50, p99, offered, samples)) in [("0.5 x A", half_a), ("0.5 x Bh", half_b)] {
        println!(
            "  commit->published at {offered:>6.0} ev/s ({label}): p50 {p50:>7.1} ms, p99 {p99:>7.1} ms over {samples} events (target p99 <= 50 ms at 0.5 x A)"
        );
    }
    println!(
        "  consumer apply path, dedupe on {apply_on:>10.0} ev/s   = {:.2} x A",
        apply_on / a_of("apply")
    );
    println!(
        "  consumer apply path, dedupe off{apply_off:>10.0} ev/s   = {:.2} x A  (dedupe costs {:.0}%)",
        apply_off / a_of("apply"),
        (1.0 - apply_on / apply_off) * 100.0
    );
    println!(
        "  consumer end to end, dedupe on {with_dedupe:>10.0} ev/s   (includes fetching from the broker)"
    );
    println!("  consumer end to end, dedupe off{without_dedupe:>10.0} ev/s");
    topics.cleanup().await.expect("topics");
    db.cleanup().await.expect("db");
}
