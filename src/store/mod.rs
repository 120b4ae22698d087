//! SQLite storage. Every SQL statement of herald lives in this module, one file per table family.

mod articles;
mod deliveries;
mod guild_sources;
mod guilds;
mod items;
mod retention;
mod schedules;
mod searches;
mod settings;
mod sources;
mod subscriptions;
mod writer;

pub use articles::ArticleCounts;
pub use deliveries::{Claim, Delivery, DeliveryState};
pub use guild_sources::GuildSource;
pub use guilds::{Forgotten, REMOVED_REASON};
pub use retention::Purged;
pub use schedules::ScheduleRow;
pub use searches::{GuildSearch, GuildSearchSource, SubscriptionRef};
pub use settings::SettingsRow;
pub use sources::Source;
pub use subscriptions::{NewSubscription, SubscribeError, Subscription};

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::SqlitePool;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::config::DatabaseConfig;

/// A storage failure. Internal detail for logs; users are told only that storage failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database folder could not be created.
    #[error("cannot create database folder {path}: {source}")]
    Folder {
        /// The folder.
        path: String,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A migration failed to apply.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A query failed.
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
}

/// The handle every part of herald shares: one pool over one SQLite file.
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    writer: writer::Writer,
}

impl Store {
    /// Opens (creating if needed) the database at `cfg.path` in WAL mode with foreign keys on, and migrates it.
    pub async fn open(cfg: &DatabaseConfig) -> Result<Self, StoreError> {
        if let Some(dir) = cfg.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| StoreError::Folder {
                path: dir.display().to_string(),
                source,
            })?;
        }
        let options = SqliteConnectOptions::from_str("sqlite:")?
            .filename(&cfg.path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // Retention frees pages; incremental vacuum returns them a little at a time (new databases).
            .auto_vacuum(sqlx::sqlite::SqliteAutoVacuum::Incremental)
            .busy_timeout(Duration::from_millis(cfg.busy_timeout_ms));
        let pool = SqlitePoolOptions::new()
            .max_connections(cfg.max_connections)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations").run(&pool).await?;
        let writer = writer::Writer::start(pool.clone());
        Ok(Self { pool, writer })
    }

    /// The underlying pool, for code in this module's files.
    pub(crate) fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A write transaction that takes SQLite's write lock at BEGIN (waiting up to the busy timeout for it).
    ///
    /// A plain (deferred) BEGIN reads first and upgrades later; in WAL mode that upgrade fails at once with
    /// "database is locked" when another connection committed in between, and no busy timeout helps.
    pub(crate) async fn write_tx(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.pool.begin_with("BEGIN IMMEDIATE").await
    }

    /// Whether the database answers (`/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(self.pool()).await?;
        Ok(())
    }

    /// Closes every connection, checkpointing the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Seconds since the epoch, as stored. Rows map them back to `DateTime<Utc>` through sqlx (an INTEGER column
/// decodes as a Unix time).
fn to_secs(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// A Discord id as stored: ids are below 2^63, so they round-trip through SQLite's signed INTEGER.
pub(crate) fn id_in(id: u64) -> i64 {
    id as i64
}

/// A row limit as bound to `LIMIT ?`.
fn limit(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// A Discord id column as sqlx decodes it; row structs map it to `u64` with `#[sqlx(try_from = "DbId")]`.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
struct DbId(i64);

impl From<DbId> for u64 {
    fn from(id: DbId) -> u64 {
        id.0 as u64
    }
}

/// A nullable Discord id column; maps to `Option<u64>` with `#[sqlx(try_from = "DbOptId")]`.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
struct DbOptId(Option<i64>);

impl From<DbOptId> for Option<u64> {
    fn from(id: DbOptId) -> Option<u64> {
        id.0.map(|i| i as u64)
    }
}

#[cfg(test)]
pub(crate) mod test_util {
    use super::*;

    /// A fresh store in a temporary folder; keep the folder alive as long as the store.
    pub async fn temp_store() -> (Store, tempfile::TempDir) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut cfg = crate::config::Config::defaults().database;
        cfg.path = dir.path().join("sub/herald.db");
        let store = Store::open(&cfg).await.expect("open store");
        (store, dir)
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::temp_store;

    #[tokio::test]
    async fn opens_in_wal_with_foreign_keys_and_creates_folder() {
        let (store, dir) = temp_store().await;
        assert!(dir.path().join("sub/herald.db").exists());
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!(fk, 1);
    }
}
