//! A fresh PostgreSQL database per test.

use sqlx::postgres::PgPoolOptions;
use sqlx::{Connection, PgConnection, PgPool};

use crate::{TestkitError, unique_name};

/// The server URL without a database (`NOVA_PG_URL`, default
/// `postgres://postgres@127.0.0.1:5432`).
pub fn pg_base_url() -> String {
    std::env::var("NOVA_PG_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "postgres://postgres@127.0.0.1:5432".to_owned())
        .trim_end_matches('/')
        .to_owned()
}

/// A database with a unique name, dropped by [`TestDb::cleanup`] (or on drop).
#[derive(Debug)]
pub struct TestDb {
    name: String,
    base: String,
    pool: PgPool,
    dropped: bool,
}

impl TestDb {
    /// Creates `nova_t_<uuid>` and a pool of `max_connections` to it.
    pub async fn create(max_connections: u32) -> Result<Self, TestkitError> {
        let base = pg_base_url();
        let name = unique_name("nova_t");
        let pg = |source| TestkitError::Postgres {
            url: base.clone(),
            source,
        };
        let mut admin = PgConnection::connect(&format!("{base}/postgres"))
            .await
            .map_err(pg)?;
        sqlx::raw_sql(&format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .await
            .map_err(pg)?;
        let _ = admin.close().await;
        let pool = PgPoolOptions::new()
            .max_connections(max_connections)
            .connect(&format!("{base}/{name}"))
            .await
            .map_err(pg)?;
        Ok(Self {
            name,
            base,
            pool,
            dropped: false,
        })
    }

    /// The pool.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The database's URL (for child processes).
    pub fn url(&self) -> String {
        format!("{}/{}", self.base, self.name)
    }

    /// The database name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Closes the pool and drops the database.
    pub async fn cleanup(mut self) -> Result<(), TestkitError> {
        self.pool.close().await;
        self.dropped = true;
        drop_database(&self.base, &self.name).await
    }
}

async fn drop_database(base: &str, name: &str) -> Result<(), TestkitError> {
    let pg = |source| TestkitError::Postgres {
        url: base.to_owned(),
        source,
    };
    let mut admin = PgConnection::connect(&format!("{base}/postgres"))
        .await
        .map_err(pg)?;
    sqlx::raw_sql(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .execute(&mut admin)
        .await
        .map_err(pg)?;
    let _ = admin.close().await;
    Ok(())
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if self.dropped {
            return;
        }
        // A test that failed before `cleanup`: drop the database from a helper
        // thread with its own runtime (we may be inside the test's runtime).
        let (base, name) = (self.base.clone(), self.name.clone());
        let handle = std::thread::spawn(move || {
            if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                let _ = rt.block_on(drop_database(&base, &name));
            }
        });
        let _ = handle.join();
    }
}
