//! Throwaway databases for tests and benchmarks. When `HERALD_TEST_DATABASE_URL` names a PostgreSQL server,
//! each caller gets a database of its own there, created empty and dropped (connections and all) when the
//! [`ScratchDb`] goes; unset, callers stay on SQLite. This is how the whole test suite runs on both backends:
//! `cargo test` on SQLite, and again with the variable set on PostgreSQL (`.ci/run` does both).

use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::Connection;

use super::StoreError;
use crate::config::DatabaseConfig;

/// The variable naming the PostgreSQL server tests run against (`postgres://postgres@127.0.0.1:5432/test`).
pub const TEST_DATABASE_ENV: &str = "HERALD_TEST_DATABASE_URL";

/// A database made for one test on the test server; dropped with this value.
#[derive(Debug)]
pub struct ScratchDb {
    server: String,
    name: String,
    url: String,
}

impl ScratchDb {
    /// A new database on the server `HERALD_TEST_DATABASE_URL` names; `Ok(None)` when it is unset.
    pub fn from_env() -> Result<Option<Self>, StoreError> {
        match std::env::var(TEST_DATABASE_ENV) {
            Ok(server) if !server.trim().is_empty() => Self::create(server.trim()).map(Some),
            _ => Ok(None),
        }
    }

    /// A new empty database on the PostgreSQL server at `server` (a URL to any database there).
    pub fn create(server: &str) -> Result<Self, StoreError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "herald_test_{}_{}_{nanos}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let mut url = url::Url::parse(server)
            .map_err(|e| StoreError::Sql(sqlx::Error::Configuration(Box::new(e))))?;
        url.set_path(&name);
        let sql = format!("CREATE DATABASE \"{name}\"");
        on_own_runtime(server.to_owned(), sql)?;
        Ok(Self {
            server: server.to_owned(),
            name,
            url: url.to_string(),
        })
    }

    /// The new database's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Points `cfg` at this database.
    pub fn use_in(&self, cfg: &mut DatabaseConfig) {
        cfg.url = self.url.clone();
    }
}

impl Drop for ScratchDb {
    fn drop(&mut self) {
        let sql = format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name);
        if let Err(e) = on_own_runtime(self.server.clone(), sql) {
            tracing::warn!(database = %self.name, error = %e, "could not drop a test database");
        }
    }
}

/// Runs one statement on `server` from a thread of its own (callers may be inside or outside a runtime, and
/// `Drop` cannot await).
fn on_own_runtime(server: String, sql: String) -> Result<(), StoreError> {
    std::thread::spawn(move || -> Result<(), StoreError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::Sql(sqlx::Error::Io(e)))?;
        runtime.block_on(async {
            let mut conn = sqlx::PgConnection::connect(&server).await?;
            sqlx::query(&sql).execute(&mut conn).await?;
            conn.close().await?;
            Ok(())
        })
    })
    .join()
    .unwrap_or_else(|_| Err(StoreError::Unsupported("the test database thread panicked")))
}
