//! The shop's database: the diesel schema every service compiles against,
//! the models, and the order queries more than one service needs.

pub mod models;
pub mod orders;
pub mod schema;

use diesel::pg::PgConnection;
use diesel::r2d2::{ConnectionManager, Pool};

pub type DbPool = Pool<ConnectionManager<PgConnection>>;

/// A pool for `DATABASE_URL`.
pub fn pool(database_url: &str) -> Result<DbPool, diesel::r2d2::PoolError> {
    Pool::builder()
        .max_size(10)
        .build(ConnectionManager::<PgConnection>::new(database_url))
}
