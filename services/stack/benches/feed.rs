//! Benchmark (not a test): create-post → visible in GetFeed, open loop.
//!
//! Starts identity-, content- and feed-service in-process on loopback (each with
//! its defaults from the environment, like `nova-stack`) against fresh databases
//! and a freshly started private tansu broker, then measures, in the same run:
//!
//! - **A**: one-row `INSERT` + `COMMIT` on one PostgreSQL connection (baseline),
//!   before the ramp, between the ramp and the latency phase, and after;
//! - **ramp**: CreatePost at fixed offered rates (open loop: post *i* is sent at
//!   `t0 + i/rate` whatever happened to the earlier ones), each for a warm-up
//!   plus a measurement window, the rate growing geometrically until a step is
//!   not kept up with, then bisected between the last step kept up with and the
//!   first that was not. A step is **kept up with** when, over its window,
//!   (1) every post became visible and no call failed, (2) the rate at which
//!   posts became visible in GetFeed is ≥ 97 % of the offered rate, and (3) the
//!   commit→visible lag does not grow: the median lag of the window's last third
//!   is at most 1.5 × that of its first third + 20 ms. The **sustained maximum**
//!   is the highest offered rate kept up with. After each step the bench waits
//!   until every post is visible, so steps do not carry a backlog over;
//! - **latency**: CreatePost at half the sustained maximum (or
//!   `NOVA_BENCH_RATE`), same open loop, warm-up then a window of
//!   `NOVA_BENCH_SECS` seconds: p50/p99/max of commit → visible, and where the
//!   time goes, per post, from timestamps the system keeps anyway:
//!   CreatePost's return (its transaction has committed) → the relay's produce
//!   call (the Kafka record's CreateTime) → marked published in the outbox
//!   (`published_at`, right after the broker's acknowledgement) → the feed
//!   consumer's transaction start (`nova_processed_events.processed_at`) →
//!   the first GetFeed answer holding the post.
//!
//! Visibility is observed the way a client sees it: one poller calls GetFeed
//! (newest first) every `NOVA_BENCH_POLL_MS` ms (default 2) and reads further
//! pages while the oldest post of a page is new; the poll interval plus the
//! GetFeed round trip (reported) bound the resolution.
//!
//! Knobs: `NOVA_BENCH_START_RATE` (100), `NOVA_BENCH_GROWTH` (1.25),
//! `NOVA_BENCH_REFINE` (2 bisection steps), `NOVA_BENCH_MAX_RATE` (5000),
//! `NOVA_BENCH_WARMUP_SECS` (2), `NOVA_BENCH_STEP_SECS` (6, the window of a
//! ramp step), `NOVA_BENCH_SECS` (15, the latency window), `NOVA_BENCH_RATE`
//! (latency phase rate; skips the ramp), `NOVA_BENCH_POLL_MS` (2). The
//! services read their usual variables (`FEED_FETCH_WAIT_MS`, …).
//!
//! Needs PostgreSQL (`NOVA_PG_URL`) and the tansu binary (`NOVA_TANSU` or
//! `scripts/kafka.sh install`). Run: `cargo bench -p nova-stack --bench feed`.

use std::collections::hash_map::Entry;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use nova_api::content::CreatePostRequest;
use nova_api::content::content_service_client::ContentServiceClient;
use nova_api::feed::GetFeedRequest;
use nova_api::feed::feed_service_client::FeedServiceClient;
use nova_api::identity::identity_service_client::IdentityServiceClient;
use nova_api::identity::{LoginRequest, RegisterRequest};
use nova_auth::{SigningKey, Verifier};
use nova_kit::Shutdown;
use nova_testkit::{TansuBroker, TestDb};
use rdkafka::consumer::{BaseConsumer, Consumer as _};
use rdkafka::message::Message as _;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use tonic::transport::{Channel, Endpoint};

const CONTENT_TOPIC: &str = "content-events";

/// Posts per GetFeed page of the poller.
const POLL_PAGE: u32 = 20;

/// Most pages read in one poll.
const MAX_POLL_PAGES: usize = 200;

/// Kept-up-with criteria (see the module docs).
const MIN_VISIBLE_RATIO: f64 = 0.97;
const LAG_GROWTH_FACTOR: f64 = 1.5;
const LAG_GROWTH_SLACK_MS: f64 = 20.0;

/// How long the bench waits for the posts of a step to become visible.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(60);

fn env_num<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .map_err(|_| anyhow::anyhow!("{name}={v:?} is not a number")),
        Err(_) => Ok(default),
    }
}

fn authed<T>(message: T, token: &str) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    if let Ok(value) = format!("Bearer {token}").parse() {
        request.metadata_mut().insert("authorization", value);
    }
    request
}

fn channel(addr: std::net::SocketAddr) -> anyhow::Result<Channel> {
    Ok(Endpoint::from_shared(format!("http://{addr}"))?
        .timeout(Duration::from_secs(60))
        .connect_lazy())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// One-row INSERT + COMMIT on one connection, for `secs`: rows per second.
async fn baseline_a(pool: &sqlx::PgPool, secs: f64) -> anyhow::Result<f64> {
    sqlx::query("CREATE TABLE IF NOT EXISTS bench_a (id BIGSERIAL PRIMARY KEY, v TEXT NOT NULL)")
        .execute(pool)
        .await?;
    let mut conn = pool.acquire().await?;
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed().as_secs_f64() < secs {
        let mut tx = sqlx::Connection::begin(&mut *conn).await?;
        sqlx::query("INSERT INTO bench_a (v) VALUES ($1)")
            .bind("x")
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        n += 1;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

struct Running {
    shutdown: Shutdown,
    tasks: Vec<tokio::task::JoinHandle<Result<(), String>>>,
}

/// identity-, content- and feed-service with the configuration `nova-stack`
/// would read from the environment, on fresh loopback ports and databases.
async fn start_services(
    broker: &TansuBroker,
    dbs: &[TestDb; 3],
    key: &SigningKey,
) -> anyhow::Result<(Running, [std::net::SocketAddr; 3])> {
    let shutdown = Shutdown::new();
    let verifier = Verifier::new([key.public_key()]);
    let mut listeners = Vec::new();
    for _ in 0..3 {
        listeners.push(nova_kit::bind("127.0.0.1:0".parse()?).await?);
    }
    let addrs = [
        listeners[0].local_addr()?,
        listeners[1].local_addr()?,
        listeners[2].local_addr()?,
    ];
    let mut listeners = listeners.into_iter();
    let mut tasks = Vec::new();

    let mut identity = identity_service::Config::from_env()?;
    identity.listen = addrs[0];
    identity.database_url = dbs[0].url();
    identity.kafka_bootstrap = broker.bootstrap();
    identity.topic = "identity-events".into();
    identity.create_topics = true;
    identity.signing_keys = vec![key.clone()];
    identity.access_ttl = Duration::from_secs(3600);
    let (l, s) = (listeners.next().context("listener")?, shutdown.clone());
    tasks.push(tokio::spawn(async move {
        identity_service::serve(identity, l, s)
            .await
            .map_err(|e| e.to_string())
    }));

    let mut content = content_service::Config::from_env()?;
    content.listen = addrs[1];
    content.database_url = dbs[1].url();
    content.kafka_bootstrap = broker.bootstrap();
    content.topic = CONTENT_TOPIC.into();
    content.media_topic = "media-events".into();
    content.create_topics = true;
    content.verifier = verifier.clone();
    let (l, s) = (listeners.next().context("listener")?, shutdown.clone());
    tasks.push(tokio::spawn(async move {
        content_service::serve(content, l, s)
            .await
            .map_err(|e| e.to_string())
    }));

    let mut feed = feed_service::Config::from_env()?;
    feed.listen = addrs[2];
    feed.database_url = dbs[2].url();
    feed.kafka_bootstrap = broker.bootstrap();
    feed.content_topic = CONTENT_TOPIC.into();
    feed.identity_topic = "identity-events".into();
    feed.create_topics = true;
    feed.verifier = verifier;
    let (l, s) = (listeners.next().context("listener")?, shutdown.clone());
    tasks.push(tokio::spawn(async move {
        feed_service::serve(feed, l, s)
            .await
            .map_err(|e| e.to_string())
    }));
    Ok((Running { shutdown, tasks }, addrs))
}

/// What the poller knows: the first moment it saw each post in a GetFeed
/// answer, and the posts created (CreatePost returned) but not seen yet.
#[derive(Default)]
struct Visibility {
    seen: HashMap<String, Instant>,
    pending: BTreeSet<String>,
}

type Seen = Arc<Mutex<Visibility>>;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// GetFeed in a loop until `stop`; returns (polls, mean round trip in ms).
async fn poll_feed(
    mut feed: FeedServiceClient<Channel>,
    token: String,
    seen: Seen,
    stop: Shutdown,
    every: Duration,
) -> (u64, f64) {
    let (mut polls, mut total) = (0u64, Duration::ZERO);
    while !stop.is_triggered() {
        let mut page_token = String::new();
        for _ in 0..MAX_POLL_PAGES {
            let t = Instant::now();
            let Ok(page) = feed
                .get_feed(authed(
                    GetFeedRequest {
                        page_size: POLL_PAGE,
                        page_token: std::mem::take(&mut page_token),
                    },
                    &token,
                ))
                .await
            else {
                break;
            };
            let now = Instant::now();
            total += now - t;
            polls += 1;
            let page = page.into_inner();
            // Read on while the oldest post of the page is new (a consumer batch
            // can add more than a page between two polls) or newer than a post
            // created but not seen yet: the feed is ordered by post id (UUID v7,
            // taken when CreatePost starts), and a post whose transaction commits
            // late becomes visible below posts seen already.
            let read_on = {
                let mut v = lock(&seen);
                let mut oldest_new = false;
                let oldest = page.items.last().map(|i| i.post_id.clone());
                for item in page.items {
                    v.pending.remove(&item.post_id);
                    oldest_new = match v.seen.entry(item.post_id) {
                        Entry::Occupied(_) => false,
                        Entry::Vacant(e) => {
                            e.insert(now);
                            true
                        }
                    };
                }
                oldest_new
                    || oldest
                        .is_some_and(|o| v.pending.first().is_some_and(|p| o.as_str() > p.as_str()))
            };
            if !read_on || page.next_page_token.is_empty() {
                break;
            }
            page_token = page.next_page_token;
        }
        tokio::time::sleep(every).await;
    }
    (polls, ms(total) / polls.max(1) as f64)
}

/// Reads the whole feed once and marks the posts not seen yet as seen now
/// (a post that became visible below an already seen one); returns how many.
async fn sweep_feed(
    feed: &mut FeedServiceClient<Channel>,
    token: &str,
    seen: &Seen,
) -> anyhow::Result<usize> {
    let mut found = 0;
    let mut page_token = String::new();
    loop {
        let page = feed
            .get_feed(authed(
                GetFeedRequest {
                    page_size: 100,
                    page_token: std::mem::take(&mut page_token),
                },
                token,
            ))
            .await?
            .into_inner();
        let now = Instant::now();
        let mut v = lock(seen);
        for item in page.items {
            v.pending.remove(&item.post_id);
            if let Entry::Vacant(e) = v.seen.entry(item.post_id) {
                e.insert(now);
                found += 1;
            }
        }
        if page.next_page_token.is_empty() {
            return Ok(found);
        }
        page_token = page.next_page_token;
    }
}

/// A post created by the load.
struct Created {
    id: String,
    scheduled: Instant,
    committed: Instant,
}

struct Bench {
    content: ContentServiceClient<Channel>,
    feed: FeedServiceClient<Channel>,
    token: String,
    seen: Seen,
    warmup: f64,
}

/// What one fixed-rate phase measured.
struct Phase {
    rate: f64,
    window: f64,
    /// Posts sent during the window.
    measured: usize,
    /// Posts that became visible during the window, per second.
    visible_rate: f64,
    /// Median commit→visible lag of the window's first and last third (ms).
    p50_first: f64,
    p50_last: f64,
    /// Commit→visible over the window's posts (ms), sorted.
    lags: Vec<f64>,
    /// Posts of the window never seen.
    unseen: usize,
    /// Posts found only by the final sweep.
    swept: usize,
    errors: usize,
    /// Sent → CreatePost returned, p99 (ms).
    create_p99: f64,
    /// Last send → every post visible.
    drain: Duration,
    /// The posts of the window, for the stage breakdown.
    posts: Vec<Created>,
}

impl Phase {
    fn kept_up(&self) -> bool {
        self.errors == 0
            && self.unseen == 0
            && self.visible_rate >= MIN_VISIBLE_RATIO * self.rate
            && self.p50_last <= LAG_GROWTH_FACTOR * self.p50_first + LAG_GROWTH_SLACK_MS
    }

    fn p(&self, q: f64) -> f64 {
        percentile(&self.lags, q)
    }

    fn row(&self) -> String {
        format!(
            "| {:>6.0} | {:>7.0} = {:>5.1} % | {:>8.1} → {:>8.1} | {:>8.1} | {:>8.1} | {:>9.1} | {:>7.1} | {:>6.1} | {} |",
            self.rate,
            self.visible_rate,
            100.0 * self.visible_rate / self.rate,
            self.p50_first,
            self.p50_last,
            self.p(50.0),
            self.p(99.0),
            self.create_p99,
            self.lags.last().copied().unwrap_or(f64::NAN),
            self.drain.as_secs_f64(),
            if self.kept_up() {
                "yes".to_owned()
            } else {
                let mut why = Vec::new();
                if self.errors > 0 {
                    why.push(format!("{} errors", self.errors));
                }
                if self.unseen > 0 {
                    why.push(format!("{} unseen", self.unseen));
                }
                if self.visible_rate < MIN_VISIBLE_RATIO * self.rate {
                    why.push("visible < 97 %".to_owned());
                }
                if self.p50_last > LAG_GROWTH_FACTOR * self.p50_first + LAG_GROWTH_SLACK_MS {
                    why.push("lag grows".to_owned());
                }
                format!("no ({})", why.join(", "))
            },
        )
    }
}

const PHASE_HEADER: &str = "| offered/s | visible/s (of offered) | lag p50 first → last third (ms) | p50 ms | p99 ms | create p99 ms | max ms | drain s | kept up |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |";

impl Bench {
    /// CreatePost at `rate` per second (open loop) for the warm-up plus `window`
    /// seconds, then waits until every post is visible.
    async fn phase(&mut self, rate: f64, window: f64) -> anyhow::Result<Phase> {
        let total = ((self.warmup + window) * rate).round() as usize;
        let t0 = Instant::now() + Duration::from_millis(5);
        let window_start = t0 + Duration::from_secs_f64(self.warmup);
        let window_end = window_start + Duration::from_secs_f64(window);
        let mut sends = Vec::with_capacity(total);
        for i in 0..total {
            let at = t0 + Duration::from_secs_f64(i as f64 / rate);
            tokio::time::sleep_until(at.into()).await;
            let (mut content, token, seen) =
                (self.content.clone(), self.token.clone(), self.seen.clone());
            sends.push(tokio::spawn(async move {
                let post = CreatePostRequest {
                    title: format!("bench {i}"),
                    body: "fixed rate".into(),
                };
                let reply = content.create_post(authed(post, &token)).await;
                let committed = Instant::now();
                reply.map(|r| {
                    let id = r.into_inner().post_id;
                    let mut v = lock(&seen);
                    if !v.seen.contains_key(&id) {
                        v.pending.insert(id.clone());
                    }
                    Created {
                        id,
                        scheduled: at,
                        committed,
                    }
                })
            }));
        }
        let last_send = Instant::now();
        let mut created = Vec::with_capacity(total);
        let mut errors = 0;
        for s in sends {
            match s.await? {
                Ok(c) => created.push(c),
                Err(e) => {
                    errors += 1;
                    if errors == 1 {
                        eprintln!("CreatePost failed: {e}");
                    }
                }
            }
        }
        // Wait until every post is visible.
        let mut swept = 0;
        loop {
            let all = {
                let v = lock(&self.seen);
                created.iter().all(|c| v.seen.contains_key(&c.id))
            };
            if all {
                break;
            }
            if last_send.elapsed() > DRAIN_TIMEOUT {
                swept = sweep_feed(&mut self.feed, &self.token, &self.seen).await?;
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let drain = last_send.elapsed();

        let seen = lock(&self.seen).seen.clone();
        let visible_in_window = created
            .iter()
            .filter_map(|c| seen.get(&c.id))
            .filter(|s| **s >= window_start && **s < window_end)
            .count();
        let mut posts: Vec<Created> = created
            .into_iter()
            .filter(|c| c.scheduled >= window_start && c.scheduled < window_end)
            .collect();
        posts.sort_by_key(|c| c.scheduled);
        let lag = |c: &Created| {
            seen.get(&c.id).map_or(f64::INFINITY, |s| {
                ms(s.saturating_duration_since(c.committed))
            })
        };
        let third = (posts.len() / 3).max(1);
        let first = sorted(posts.iter().take(third).map(lag).collect());
        let last = sorted(posts.iter().rev().take(third).map(lag).collect());
        let all = sorted(posts.iter().map(lag).collect());
        // Posts only the sweep found were not observed becoming visible.
        let unseen = all.iter().filter(|l| l.is_infinite()).count() + swept;
        let create = sorted(
            posts
                .iter()
                .map(|c| ms(c.committed.saturating_duration_since(c.scheduled)))
                .collect(),
        );
        Ok(Phase {
            rate,
            window,
            measured: posts.len(),
            visible_rate: visible_in_window as f64 / window,
            p50_first: percentile(&first, 50.0),
            p50_last: percentile(&last, 50.0),
            lags: all.into_iter().filter(|l| l.is_finite()).collect(),
            unseen,
            swept,
            errors,
            create_p99: percentile(&create, 99.0),
            drain,
            posts,
        })
    }
}

/// Offset of the next record of partition 0 of `topic`.
async fn high_watermark(bootstrap: &str, topic: &str) -> anyhow::Result<i64> {
    let (bootstrap, topic) = (bootstrap.to_owned(), topic.to_owned());
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .set("group.id", "nova-bench-watermarks")
            .create()?;
        let (_, high) = consumer.fetch_watermarks(&topic, 0, Duration::from_secs(10))?;
        Ok(high)
    })
    .await?
}

/// Key → record timestamp (ms since the epoch: the producer's CreateTime) of
/// partition 0 of `topic` from offset `from` up to `until`.
async fn record_times(
    bootstrap: &str,
    topic: &str,
    from: i64,
    until: i64,
) -> anyhow::Result<HashMap<String, i64>> {
    let (bootstrap, topic) = (bootstrap.to_owned(), topic.to_owned());
    tokio::task::spawn_blocking(move || {
        let consumer: BaseConsumer = ClientConfig::new()
            .set("bootstrap.servers", &bootstrap)
            .set("group.id", "nova-bench-timestamps")
            .set("enable.auto.commit", "false")
            .create()?;
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(&topic, 0, Offset::Offset(from))?;
        consumer.assign(&tpl)?;
        let mut out = HashMap::new();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(60) {
            match consumer.poll(Duration::from_millis(200)) {
                Some(Ok(m)) => {
                    if let (Some(key), Some(ts)) = (m.key(), m.timestamp().to_millis()) {
                        out.insert(String::from_utf8_lossy(key).into_owned(), ts);
                    }
                    if m.offset() + 1 >= until {
                        break;
                    }
                }
                Some(Err(e)) => anyhow::bail!("reading {topic}: {e}"),
                None => {}
            }
        }
        Ok(out)
    })
    .await?
}

/// Where the time of the latency phase went, per post: each stage's values (ms).
async fn stages(
    phase: &Phase,
    seen: &HashMap<String, Instant>,
    content_db: &sqlx::PgPool,
    feed_db: &sqlx::PgPool,
    kafka: &HashMap<String, i64>,
    clock: (Instant, SystemTime),
) -> anyhow::Result<Vec<(&'static str, Vec<f64>)>> {
    let epoch_ms = ms(clock.1.duration_since(UNIX_EPOCH).unwrap_or_default());
    let wall = |i: Instant| epoch_ms + ms(i.saturating_duration_since(clock.0));
    let ids: Vec<String> = phase.posts.iter().map(|c| c.id.clone()).collect();
    let outbox: HashMap<String, (String, f64)> = sqlx::query_as::<_, (String, String, f64)>(
        "SELECT aggregate_id, event_id::text,
                coalesce(extract(epoch FROM published_at) * 1000, 'NaN')::float8
         FROM nova_outbox WHERE aggregate_id = ANY($1)",
    )
    .bind(&ids)
    .fetch_all(content_db)
    .await?
    .into_iter()
    .map(|(post, event, published)| (post, (event, published)))
    .collect();
    let event_ids: Vec<String> = outbox.values().map(|o| o.0.clone()).collect();
    let processed: HashMap<String, f64> = sqlx::query_as::<_, (String, f64)>(
        "SELECT event_id::text, (extract(epoch FROM processed_at) * 1000)::float8
         FROM nova_processed_events WHERE event_id = ANY($1::text[]::uuid[])",
    )
    .bind(&event_ids)
    .fetch_all(feed_db)
    .await?
    .into_iter()
    .collect();
    let (mut pickup, mut ack, mut fetch, mut apply) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for post in &phase.posts {
        let Some((event, published)) = outbox.get(&post.id) else {
            continue;
        };
        let (Some(produced), Some(started), Some(visible)) = (
            kafka.get(&post.id),
            processed.get(event),
            seen.get(&post.id),
        ) else {
            continue;
        };
        let produced = *produced as f64;
        pickup.push(produced - wall(post.committed));
        ack.push(published - produced);
        fetch.push(started - published);
        apply.push(wall(*visible) - started);
    }
    Ok(vec![
        ("commit -> relay's produce call", sorted(pickup)),
        ("produce -> acked and marked published", sorted(ack)),
        ("published -> feed consumer's transaction", sorted(fetch)),
        ("consumer transaction -> seen in GetFeed", sorted(apply)),
    ])
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    if std::env::var_os("RUST_LOG").is_some() {
        nova_kit::init_tracing();
    }
    let start_rate: f64 = env_num("NOVA_BENCH_START_RATE", 100.0)?;
    let growth: f64 = env_num("NOVA_BENCH_GROWTH", 1.25)?;
    let refine: usize = env_num("NOVA_BENCH_REFINE", 2)?;
    let max_rate: f64 = env_num("NOVA_BENCH_MAX_RATE", 5000.0)?;
    let warmup: f64 = env_num("NOVA_BENCH_WARMUP_SECS", 2.0)?;
    let step_secs: f64 = env_num("NOVA_BENCH_STEP_SECS", 6.0)?;
    let secs: f64 = env_num("NOVA_BENCH_SECS", 15.0)?;
    let poll_ms: u64 = env_num("NOVA_BENCH_POLL_MS", 2)?;
    let fixed_rate: Option<f64> = std::env::var("NOVA_BENCH_RATE")
        .ok()
        .map(|v| v.parse())
        .transpose()
        .context("NOVA_BENCH_RATE is not a number")?;
    anyhow::ensure!(growth > 1.0, "NOVA_BENCH_GROWTH must be above 1");
    anyhow::ensure!(start_rate > 0.0, "NOVA_BENCH_START_RATE must be positive");
    let bench_start = Instant::now();
    let clock = (Instant::now(), SystemTime::now());

    let broker = TansuBroker::start().await?;
    let dbs = [
        TestDb::create(2).await?,
        TestDb::create(2).await?,
        TestDb::create(2).await?,
    ];
    let a_db = TestDb::create(1).await?;
    let key = SigningKey::generate("bench");
    let (running, addrs) = start_services(&broker, &dbs, &key).await?;

    let mut identity = IdentityServiceClient::new(channel(addrs[0])?);
    identity
        .register(RegisterRequest {
            username: "bench".into(),
            email: "bench@example.test".into(),
            password: "benchmark password".into(),
            display_name: "Bench".into(),
        })
        .await?;
    let token = identity
        .login(LoginRequest {
            username: "bench".into(),
            password: "benchmark password".into(),
        })
        .await?
        .into_inner()
        .access_token;
    let feed = FeedServiceClient::new(channel(addrs[2])?);
    let seen: Seen = Arc::default();
    let stop_polling = Shutdown::new();
    let poller = tokio::spawn(poll_feed(
        feed.clone(),
        token.clone(),
        seen.clone(),
        stop_polling.clone(),
        Duration::from_millis(poll_ms),
    ));
    let mut bench = Bench {
        content: ContentServiceClient::new(channel(addrs[1])?),
        feed,
        token,
        seen,
        warmup,
    };

    // Warm-up: connections, consumer group joined, caches.
    let warm = bench.phase(50.0, 1.0).await?;
    anyhow::ensure!(
        warm.unseen == 0 && warm.errors == 0,
        "warm-up posts did not reach the feed"
    );

    let a_before = baseline_a(a_db.pool(), 2.0).await?;

    // Ramp: the sustained maximum.
    let mut ramp = Vec::new();
    let sustained = if fixed_rate.is_none() {
        println!("ramp: each step {warmup} s warm-up + {step_secs} s window, open loop");
        println!("{PHASE_HEADER}");
        let (mut ok, mut bad): (Option<f64>, Option<f64>) = (None, None);
        let mut rate = start_rate;
        while rate <= max_rate {
            let p = bench.phase(rate, step_secs).await?;
            println!("{}", p.row());
            let kept = p.kept_up();
            ramp.push(p);
            if kept {
                ok = Some(rate);
                rate *= growth;
            } else {
                bad = Some(rate);
                break;
            }
        }
        if let (Some(mut lo), Some(mut hi)) = (ok, bad) {
            for _ in 0..refine {
                let mid = ((lo * hi).sqrt()).round();
                let p = bench.phase(mid, step_secs).await?;
                println!("{}", p.row());
                if p.kept_up() {
                    lo = mid;
                    ok = Some(mid);
                } else {
                    hi = mid;
                }
                ramp.push(p);
            }
        }
        ok
    } else {
        None
    };

    let a_mid = baseline_a(a_db.pool(), 2.0).await?;

    // Latency at half the sustained maximum.
    let rate = match (fixed_rate, sustained) {
        (Some(r), _) => r,
        (None, Some(max)) => max / 2.0,
        (None, None) => start_rate / 2.0,
    };
    let bootstrap = broker.bootstrap();
    let offset_before = high_watermark(&bootstrap, CONTENT_TOPIC).await?;
    let latency = bench.phase(rate, secs).await?;
    let offset_after = high_watermark(&bootstrap, CONTENT_TOPIC).await?;
    let a_after = baseline_a(a_db.pool(), 2.0).await?;
    stop_polling.trigger();
    let (polls, poll_rtt) = poller.await?;

    let kafka = record_times(&bootstrap, CONTENT_TOPIC, offset_before, offset_after).await?;
    let seen = lock(&bench.seen).seen.clone();
    let breakdown = stages(&latency, &seen, dbs[1].pool(), dbs[2].pool(), &kafka, clock).await?;

    println!();
    println!(
        "create-post -> visible in GetFeed (identity, content, feed in one process; tansu 0.6 SQLite; open loop)"
    );
    println!(
        "A (INSERT+COMMIT, 1 conn): {a_before:.0} / {a_mid:.0} / {a_after:.0} /s (before ramp / before latency / after)"
    );
    if !ramp.is_empty() {
        println!("ramp (each step {warmup} s warm-up + {step_secs} s window; in the order run):");
        println!("{PHASE_HEADER}");
        for p in &ramp {
            println!("{}", p.row());
        }
    }
    match (fixed_rate, sustained) {
        (Some(_), _) => println!("sustained maximum: not measured (NOVA_BENCH_RATE set)"),
        (None, Some(max)) => println!(
            "sustained maximum (highest offered rate kept up with): {max:.0}/s = {:.2}xA",
            max / a_before
        ),
        (None, None) => println!("sustained maximum: below the first step ({start_rate:.0}/s)"),
    }
    println!(
        "latency at {:.0}/s offered ({} posts over {:.0} s, after {warmup} s warm-up; broker held {offset_before} content records):",
        latency.rate, latency.measured, latency.window
    );
    println!("{PHASE_HEADER}");
    println!("{}", latency.row());
    println!(
        "commit -> visible: p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} not observed (of which {} only found by the final sweep)",
        latency.p(50.0),
        latency.p(99.0),
        latency.lags.last().copied().unwrap_or(f64::NAN),
        latency.unseen,
        latency.swept,
    );
    println!("where the time goes (per post, ms; p50 / p99):");
    for (name, values) in &breakdown {
        println!(
            "  {name:<42} {:>8.1} / {:>8.1}  ({} posts)",
            percentile(values, 50.0),
            percentile(values, 99.0),
            values.len()
        );
    }
    println!(
        "  GetFeed round trip {poll_rtt:.1} ms ({polls} calls), polled every {poll_ms} ms; Kafka timestamps have 1 ms resolution"
    );
    let met = latency.p(99.0) <= 100.0 && latency.unseen == 0 && sustained.is_some();
    println!(
        "target p99 <= 100 ms at half the sustained maximum: {}",
        if fixed_rate.is_some() {
            "not judged (NOVA_BENCH_RATE set)"
        } else if met {
            "met"
        } else {
            "NOT met"
        }
    );
    println!("bench took {:.0} s", bench_start.elapsed().as_secs_f64());

    running.shutdown.trigger();
    for task in running.tasks {
        if let Ok(Err(e)) = task.await {
            eprintln!("service stopped with an error: {e}");
        }
    }
    for db in dbs {
        db.cleanup().await?;
    }
    a_db.cleanup().await?;
    Ok(())
}
