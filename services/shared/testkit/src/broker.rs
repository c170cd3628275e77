//! A private tansu broker for tests that stop and restart Kafka.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::TestkitError;

/// The tansu binary: `NOVA_TANSU`, else `${NOVA_CACHE:-~/.cache/nova}/tansu-0.6.0-libsql/bin/tansu`.
pub fn tansu_binary() -> Result<PathBuf, TestkitError> {
    let path = match std::env::var("NOVA_TANSU").ok().filter(|v| !v.is_empty()) {
        Some(p) => PathBuf::from(p),
        None => {
            let cache = match std::env::var("NOVA_CACHE").ok().filter(|v| !v.is_empty()) {
                Some(c) => PathBuf::from(c),
                None => PathBuf::from(std::env::var("HOME").unwrap_or_else(|_| "/root".into()))
                    .join(".cache/nova"),
            };
            cache.join("tansu-0.6.0-libsql/bin/tansu")
        }
    };
    if path.is_file() {
        Ok(path)
    } else {
        Err(TestkitError::Tansu(format!(
            "no tansu binary at {}: run `scripts/kafka.sh install` (or scripts/test.sh)",
            path.display()
        )))
    }
}

/// A tansu broker owned by one test: its own port and SQLite file, so the test can
/// stop and restart it (keeping its data) without disturbing other tests.
#[derive(Debug)]
pub struct TansuBroker {
    binary: PathBuf,
    dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
}

impl TansuBroker {
    /// Starts a broker on a free loopback port.
    pub async fn start() -> Result<Self, TestkitError> {
        let binary = tansu_binary()?;
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let dir = tempfile::Builder::new().prefix("nova-tansu-").tempdir()?;
        let mut broker = Self {
            binary,
            dir,
            port,
            child: None,
        };
        broker.restart().await?;
        Ok(broker)
    }

    /// `127.0.0.1:PORT`.
    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// Whether the broker process is running.
    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Starts the broker again (same port, same data) if it is stopped.
    pub async fn restart(&mut self) -> Result<(), TestkitError> {
        if self.child.is_some() {
            return Ok(());
        }
        let log = std::fs::File::create(self.dir.path().join("broker.log"))?;
        let url = format!("tcp://127.0.0.1:{}", self.port);
        let child = Command::new(&self.binary)
            .current_dir(self.dir.path())
            .args([
                "broker",
                "--cluster-id",
                "nova-test",
                "--listener-url",
                &url,
            ])
            .args(["--advertised-listener-url", &url])
            .args(["--storage-engine", "sqlite://tansu.db"])
            .stdin(Stdio::null())
            .stdout(log.try_clone()?)
            .stderr(log)
            .spawn()?;
        self.child = Some(child);
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            if std::net::TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        self.stop().await;
        Err(TestkitError::Tansu(format!(
            "broker did not listen on port {} within 30 s",
            self.port
        )))
    }

    /// Stops the broker abruptly (SIGKILL), like a crash; its data stays.
    pub async fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = tokio::task::spawn_blocking(move || child.wait()).await;
        }
    }
}

impl Drop for TansuBroker {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}
