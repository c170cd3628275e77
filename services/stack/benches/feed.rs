//! Benchmark (not a test): create-post → visible in GetFeed.
//!
//! Starts identity-, content- and feed-service in-process on loopback against
//! fresh databases and a freshly started private tansu broker, then measures,
//! in the same run:
//! - **A**: one-row `INSERT` + `COMMIT` on one PostgreSQL connection (baseline);
//! - **max**: the sustained end-to-end rate: `NOVA_BENCH_N` (default 8000:
//!   several seconds of load, so that a burst the broker and the feed absorb
//!   is not taken for a sustained rate) CreatePost calls from
//!   `NOVA_BENCH_CLIENTS` (default 8) concurrent clients, until the feed's
//!   read model holds them all;
//! - **latency**: CreatePost at a fixed rate (half of max, or
//!   `NOVA_BENCH_RATE`) for `NOVA_BENCH_SECS` (default 10) seconds, while a
//!   poller calls GetFeed in a loop; latency = first GetFeed answer that
//!   contains the post − the moment CreatePost returned (its transaction had
//!   committed). The poller's round trip bounds the resolution and is reported.
//!
//! Needs PostgreSQL (`NOVA_PG_URL`) and the tansu binary (`scripts/kafka.sh install`).
//! Run: `cargo bench -p nova-stack --bench feed`.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;
use std::time::{Duration, Instant};

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
use tokio::sync::Mutex;
use tonic::transport::{Channel, Endpoint};

/// Posts per GetFeed page: small enough that the poller does not load the feed's
/// database more than the posts it measures; a poll reads further pages while a
/// page holds only new posts (a consumer batch can add more than one page).
const POLL_PAGE: u32 = 20;

/// Most pages read in one poll (while every post on a page is new).
const MAX_POLL_PAGES: usize = 50;

fn env_num<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
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
        .timeout(Duration::from_secs(30))
        .connect_lazy())
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (p / 100.0 * (sorted.len() as f64 - 1.0)).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
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
    let identity = identity_service::Config {
        listen: addrs[0],
        database_url: dbs[0].url(),
        kafka_bootstrap: broker.bootstrap(),
        topic: "identity-events".into(),
        create_topics: true,
        signing_keys: vec![key.clone()],
        issuer: "nova-identity".into(),
        access_ttl: Duration::from_secs(3600),
        refresh_ttl: Duration::from_secs(3600),
        argon2_memory_kib: 19_456,
        argon2_iterations: 2,
    };
    let (l, s) = (listeners.next().context("listener")?, shutdown.clone());
    tasks.push(tokio::spawn(async move {
        identity_service::serve(identity, l, s)
            .await
            .map_err(|e| e.to_string())
    }));
    let content = content_service::Config {
        listen: addrs[1],
        database_url: dbs[1].url(),
        kafka_bootstrap: broker.bootstrap(),
        topic: "content-events".into(),
        media_topic: "media-events".into(),
        group_id: "content-service".into(),
        fetch_wait: std::time::Duration::from_millis(10),
        create_topics: true,
        verifier: verifier.clone(),
    };
    let (l, s) = (listeners.next().context("listener")?, shutdown.clone());
    tasks.push(tokio::spawn(async move {
        content_service::serve(content, l, s)
            .await
            .map_err(|e| e.to_string())
    }));
    let feed = feed_service::Config {
        listen: addrs[2],
        database_url: dbs[2].url(),
        kafka_bootstrap: broker.bootstrap(),
        content_topic: "content-events".into(),
        identity_topic: "identity-events".into(),
        group_id: "feed-service".into(),
        fetch_wait: std::time::Duration::from_millis(
            std::env::var("FEED_FETCH_WAIT_MS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(10),
        ),
        create_topics: true,
        verifier,
    };
    let (l, s) = (listeners.next().context("listener")?, shutdown.clone());
    tasks.push(tokio::spawn(async move {
        feed_service::serve(feed, l, s)
            .await
            .map_err(|e| e.to_string())
    }));
    Ok((Running { shutdown, tasks }, addrs))
}

async fn feed_count(pool: &sqlx::PgPool) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM feed_posts")
        .fetch_one(pool)
        .await
        .unwrap_or(-1)
}

async fn wait_feed_count(
    pool: &sqlx::PgPool,
    n: i64,
    timeout: Duration,
) -> anyhow::Result<Instant> {
    let start = Instant::now();
    loop {
        if feed_count(pool).await >= n {
            return Ok(Instant::now());
        }
        anyhow::ensure!(
            start.elapsed() < timeout,
            "feed did not reach {n} posts within {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let n: usize = env_num("NOVA_BENCH_N", 8000);
    let clients: usize = env_num("NOVA_BENCH_CLIENTS", 8);
    let secs: f64 = env_num("NOVA_BENCH_SECS", 10.0);

    let broker = TansuBroker::start().await?;
    let dbs = [
        TestDb::create(2).await?,
        TestDb::create(2).await?,
        TestDb::create(2).await?,
    ];
    let a_db = TestDb::create(1).await?;
    let key = SigningKey::generate("bench");
    let (running, addrs) = start_services(&broker, &dbs, &key).await?;
    let feed_pool = dbs[2].pool().clone();

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
    let content = ContentServiceClient::new(channel(addrs[1])?);
    let feed = FeedServiceClient::new(channel(addrs[2])?);

    // Warm-up: connections, consumer group joined, caches.
    let warm = 50;
    for i in 0..warm {
        content
            .clone()
            .create_post(authed(
                CreatePostRequest {
                    title: format!("warm {i}"),
                    body: "w".into(),
                },
                &token,
            ))
            .await?;
    }
    wait_feed_count(&feed_pool, warm, Duration::from_secs(120)).await?;

    let a_before = baseline_a(a_db.pool(), 2.0).await?;

    // Sustained maximum, closed loop.
    let start = Instant::now();
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..clients {
        let (mut content, token, next) = (content.clone(), token.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            while next.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < n {
                let post = CreatePostRequest {
                    title: "max".into(),
                    body: "load".into(),
                };
                content.create_post(authed(post, &token)).await?;
            }
            Ok::<(), tonic::Status>(())
        }));
    }
    for w in workers {
        w.await??;
    }
    let created = start.elapsed();
    let done = wait_feed_count(&feed_pool, warm + n as i64, Duration::from_secs(600)).await?;
    let e2e = done - start;
    let create_rate = n as f64 / created.as_secs_f64();
    let max_rate = n as f64 / e2e.as_secs_f64();

    let a_mid = baseline_a(a_db.pool(), 2.0).await?;

    // Latency at a fixed rate.
    let rate: f64 = env_num("NOVA_BENCH_RATE", max_rate / 2.0);
    let committed: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let seen: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let stop_polling = Shutdown::new();
    let poller = {
        let (mut feed, token, seen, stop) = (
            feed.clone(),
            token.clone(),
            seen.clone(),
            stop_polling.clone(),
        );
        tokio::spawn(async move {
            let (mut polls, mut total) = (0u64, Duration::ZERO);
            while !stop.is_triggered() {
                // Page on while a page holds only posts not seen before: the
                // consumer applies a batch at once, so more than one page of posts
                // can appear between two polls.
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
                    let mut seen = seen.lock().await;
                    let mut all_new = true;
                    for item in page.items {
                        match seen.entry(item.post_id) {
                            Entry::Occupied(_) => all_new = false,
                            Entry::Vacant(v) => {
                                v.insert(now);
                            }
                        }
                    }
                    if !all_new || page.next_page_token.is_empty() {
                        break;
                    }
                    page_token = page.next_page_token;
                }
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
            total.as_secs_f64() * 1000.0 / polls.max(1) as f64
        })
    };
    let total = (rate * secs).round() as usize;
    let mut ticker = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut creates = Vec::new();
    let load_start = Instant::now();
    for i in 0..total {
        ticker.tick().await;
        let (mut content, token, committed) = (content.clone(), token.clone(), committed.clone());
        creates.push(tokio::spawn(async move {
            let post = CreatePostRequest {
                title: format!("latency {i}"),
                body: "fixed rate".into(),
            };
            let reply = content
                .create_post(authed(post, &token))
                .await?
                .into_inner();
            committed.lock().await.insert(reply.post_id, Instant::now());
            Ok::<(), tonic::Status>(())
        }));
    }
    for c in creates {
        c.await??;
    }
    let offered = total as f64 / load_start.elapsed().as_secs_f64();
    let wait_start = Instant::now();
    loop {
        let all = {
            let seen = seen.lock().await;
            committed.lock().await.keys().all(|k| seen.contains_key(k))
        };
        if all || wait_start.elapsed() > Duration::from_secs(60) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop_polling.trigger();
    let poll_ms = poller.await?;
    let a_after = baseline_a(a_db.pool(), 2.0).await?;

    let committed = committed.lock().await;
    let seen = seen.lock().await;
    let mut latencies: Vec<f64> = committed
        .iter()
        .filter_map(|(id, at)| {
            seen.get(id)
                .map(|s| s.saturating_duration_since(*at).as_secs_f64() * 1000.0)
        })
        .collect();
    latencies.sort_by(f64::total_cmp);
    let missing = committed.len() - latencies.len();

    println!(
        "create-post -> visible in GetFeed (identity, content, feed in one process; tansu; {} clients)",
        clients
    );
    println!(
        "A (INSERT+COMMIT, 1 conn): {a_before:.0} / {a_mid:.0} / {a_after:.0} /s (before / between / after)"
    );
    println!(
        "create-post only: {create_rate:.0}/s = {:.2}xA",
        create_rate / a_before
    );
    println!(
        "sustained max end to end ({n} posts): {max_rate:.0}/s = {:.2}xA",
        max_rate / a_before
    );
    println!(
        "fixed rate {rate:.0}/s (offered {offered:.0}/s, {} posts): p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {missing} not seen; GetFeed round trip {poll_ms:.1} ms",
        committed.len(),
        percentile(&latencies, 50.0),
        percentile(&latencies, 99.0),
        latencies.last().copied().unwrap_or(f64::NAN),
    );
    println!(
        "target p99 <= 100 ms at half the sustained maximum: {}",
        if percentile(&latencies, 99.0) <= 100.0 && missing == 0 {
            "met"
        } else {
            "NOT met"
        }
    );

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
