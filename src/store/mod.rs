//! Storage on SQLite (embedded default) or PostgreSQL (many processes). Every SQL statement of herald lives in
//! this module, one file per table family, written once for both backends.

mod articles;
mod channel_settings;
mod copy;
mod deliveries;
mod fts;
mod guild_sources;
mod guilds;
mod item_batch;
mod items;
mod jobs;
mod llm_usage;
mod memory;
mod names;
mod pace;
mod retention;
mod schedules;
#[cfg(any(test, feature = "testing"))]
pub mod scratch;
mod searches;
mod sources;
mod subscriptions;
mod writer;
pub use jobs::FeedMeta;

pub use articles::{ArticleCounts, MAX_PAGE_ATTEMPTS, PageFailure, page_retry_after};
pub use channel_settings::{ChannelSettingsRow, Images, Length, Placement, Style};
pub use copy::{Copied, STATE_TABLES, TABLES};
pub use deliveries::{Claim, Delivery, DeliveryState};
pub use guild_sources::GuildSource;
pub use guilds::{Forgotten, REMOVED_REASON};
pub use memory::{Place, Recall, Telling, ToldStory, channel_reader, named_reader};
pub use names::{Named, UnknownName};
pub use retention::Purged;
pub use schedules::ScheduleRow;
pub use searches::{GuildSearch, GuildSearchSource, SubscriptionRef};
pub use sources::Source;
pub use subscriptions::{NewSubscription, SubscribeError, Subscription};

use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

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
    /// The PostgreSQL server could not be reached or refused the connection.
    #[error(
        "cannot connect to PostgreSQL at {target}: {reason}; check that the server runs and [database] url"
    )]
    Connect {
        /// `host:port/database` (never the password).
        target: String,
        /// The real cause (refused, unknown host, bad password, no answer), on one line.
        reason: String,
    },
    /// The operation exists on one backend only (e.g. `VACUUM INTO` on SQLite).
    #[error("{0}")]
    Unsupported(&'static str),
}

/// Which database herald runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// One SQLite file (the embedded default).
    Sqlite,
    /// A PostgreSQL server that many herald processes share.
    Postgres,
}

/// The pool of the backend in use. Every query is written once (`$1` placeholders, SQL both engines speak)
/// and compiled for each backend by [`on!`]; the few statements that differ are chosen by [`Store::backend`].
#[derive(Debug, Clone)]
pub(crate) enum Db {
    /// SQLite.
    Sqlite(SqlitePool),
    /// PostgreSQL.
    Postgres(PgPool),
}

impl Db {
    /// Itself, so [`on!`] takes a `Db` as it takes a `Store`.
    pub(crate) fn db(&self) -> &Db {
        self
    }
}

/// Runs `$body` with `$pool` bound to the store's pool: the body is compiled once per backend, so each
/// backend keeps its own driver's types and no query goes through a lowest-common-denominator layer.
macro_rules! on {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store.db() {
            $crate::store::Db::Sqlite($pool) => $body,
            $crate::store::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on;

/// Opening a write transaction, as each backend wants it.
pub(crate) trait WriteTx {
    /// The backend.
    type Db: sqlx::Database;
    /// A transaction that writes.
    async fn write_tx(&self) -> Result<sqlx::Transaction<'static, Self::Db>, sqlx::Error>;
}

impl WriteTx for SqlitePool {
    type Db = sqlx::Sqlite;
    /// Takes SQLite's write lock at BEGIN (waiting up to the busy timeout for it). A plain (deferred) BEGIN
    /// reads first and upgrades later; in WAL mode that upgrade fails at once with "database is locked" when
    /// another connection committed in between, and no busy timeout helps.
    async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>, sqlx::Error> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl WriteTx for PgPool {
    type Db = sqlx::Postgres;
    /// PostgreSQL locks rows, not the database: a plain transaction.
    async fn write_tx(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>, sqlx::Error> {
        self.begin().await
    }
}

/// Implements a trait for both backends' transactions from one body (helpers that run inside a caller's
/// transaction, such as storing a batch of items).
macro_rules! for_both_tx {
    ($tr:path { $($item:tt)* }) => {
        impl $tr for sqlx::Transaction<'static, sqlx::Sqlite> { $($item)* }
        impl $tr for sqlx::Transaction<'static, sqlx::Postgres> { $($item)* }
    };
}
pub(crate) use for_both_tx;

/// A query builder for `pool`'s backend (its placeholders: `?` on SQLite, `$n` on PostgreSQL).
pub(crate) fn builder<'a, DB: sqlx::Database>(
    _pool: &sqlx::Pool<DB>,
    sql: impl Into<String>,
) -> sqlx::QueryBuilder<'a, DB> {
    sqlx::QueryBuilder::new(sql)
}

/// Whether `url` names a PostgreSQL database.
pub fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

/// The handle every part of herald shares: one pool over one SQLite file or one PostgreSQL database.
#[derive(Debug, Clone)]
pub struct Store {
    db: Db,
    writer: writer::Writer,
}

impl Store {
    /// Opens the database `cfg` names and migrates it: PostgreSQL when `url` is a `postgres://` URL, else the
    /// SQLite file at `path` (created if needed, with its folder) in WAL mode with foreign keys on.
    pub async fn open(cfg: &DatabaseConfig) -> Result<Self, StoreError> {
        let url = cfg.url.trim();
        let db = if is_postgres_url(url) {
            let options = PgConnectOptions::from_str(url).map_err(|e| StoreError::Connect {
                target: "the [database] url".to_owned(),
                reason: crate::report::one_line(&e),
            })?;
            let target = format!(
                "{}:{}/{}",
                options.get_host(),
                options.get_port(),
                options.get_database().unwrap_or("postgres")
            );
            // One connection first: its error says why (refused, unknown host, password), where the pool's
            // would only say that it timed out waiting.
            let wait = Duration::from_millis(cfg.busy_timeout_ms.max(1000));
            let first = tokio::time::timeout(wait, sqlx::ConnectOptions::connect(&options)).await;
            match first {
                Ok(Ok(conn)) => {
                    let _ = sqlx::Connection::close(conn).await;
                }
                Ok(Err(e)) => {
                    return Err(StoreError::Connect {
                        target,
                        reason: crate::report::one_line(&e),
                    });
                }
                Err(_) => {
                    return Err(StoreError::Connect {
                        target,
                        reason: format!("no answer within {} ms", wait.as_millis()),
                    });
                }
            }
            let pool = PgPoolOptions::new()
                .max_connections(cfg.max_connections)
                .acquire_timeout(Duration::from_millis(cfg.busy_timeout_ms.max(1000)))
                .connect_with(options)
                .await?;
            sqlx::migrate!("./migrations/postgres").run(&pool).await?;
            Db::Postgres(pool)
        } else {
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
            sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
            Db::Sqlite(pool)
        };
        let writer = writer::Writer::start(db.clone());
        Ok(Self { db, writer })
    }

    /// The pool, for code in this module's files (through [`on!`]).
    pub(crate) fn db(&self) -> &Db {
        &self.db
    }

    /// Which backend this store runs on.
    pub fn backend(&self) -> Backend {
        match self.db {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// The row-lock clause that lets concurrent claimers skip rows another process is claiming: PostgreSQL's
    /// `FOR UPDATE SKIP LOCKED`; nothing on SQLite, where one writer at a time claims anyway.
    pub(crate) fn skip_locked(&self) -> &'static str {
        match self.backend() {
            Backend::Sqlite => "",
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
        }
    }

    /// Whether the database answers (`/healthz`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        on!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Closes every connection (on SQLite, checkpointing the WAL).
    pub async fn close(&self) {
        on!(self, pool => pool.close().await)
    }
}

/// Seconds since the epoch, as stored. Rows map them back to `DateTime<Utc>` through sqlx (an INTEGER column
/// decodes as a Unix time).
fn to_secs(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// A Discord id as stored: ids are below 2^63, so they round-trip through a signed 64-bit integer column.
pub(crate) fn id_in(id: u64) -> i64 {
    id as i64
}

/// A row limit as bound to `LIMIT $n`.
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

/// A time column (unix seconds); row structs map it to `DateTime<Utc>` with `#[sqlx(try_from = "DbTime")]`.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
struct DbTime(i64);

impl From<DbTime> for DateTime<Utc> {
    fn from(t: DbTime) -> DateTime<Utc> {
        from_secs(t.0)
    }
}

/// A nullable time column; maps to `Option<DateTime<Utc>>` with `#[sqlx(try_from = "DbOptTime")]`.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
struct DbOptTime(Option<i64>);

impl From<DbOptTime> for Option<DateTime<Utc>> {
    fn from(t: DbOptTime) -> Option<DateTime<Utc>> {
        t.0.map(from_secs)
    }
}

/// A 0/1 flag column (an integer on both backends); maps to `bool` with `#[sqlx(try_from = "DbFlag")]`.
#[derive(sqlx::Type)]
#[sqlx(transparent)]
struct DbFlag(i64);

impl From<DbFlag> for bool {
    fn from(f: DbFlag) -> bool {
        f.0 != 0
    }
}

/// Unix seconds back to a time (out-of-range values, which herald never writes, become the epoch).
fn from_secs(secs: i64) -> DateTime<Utc> {
    DateTime::from_timestamp(secs, 0).unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod test_util {
    use super::*;

    /// Where a test store lives: a temporary folder (SQLite) and, when the suite runs on PostgreSQL, the
    /// test's own database there. Keep it alive as long as the store.
    pub struct TempDb {
        /// The folder.
        pub dir: tempfile::TempDir,
        _pg: Option<scratch::ScratchDb>,
    }

    impl TempDb {
        /// The folder's path.
        pub fn path(&self) -> &std::path::Path {
            self.dir.path()
        }
    }

    /// A database config for a test: a file in a new temporary folder, or a new PostgreSQL database when
    /// `HERALD_TEST_DATABASE_URL` is set.
    pub fn temp_config() -> (DatabaseConfig, TempDb) {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut cfg = crate::config::Config::defaults().database;
        cfg.path = dir.path().join("sub/herald.db");
        let pg = scratch::ScratchDb::from_env().expect("test database");
        if let Some(pg) = &pg {
            pg.use_in(&mut cfg);
        }
        (cfg, TempDb { dir, _pg: pg })
    }

    /// A fresh store (see [`temp_config`]).
    pub async fn temp_store() -> (Store, TempDb) {
        let (cfg, tmp) = temp_config();
        let store = Store::open(&cfg).await.expect("open store");
        (store, tmp)
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::temp_store;
    use super::*;

    #[tokio::test]
    async fn sqlite_opens_in_wal_with_foreign_keys_and_creates_folder() {
        let (store, dir) = temp_store().await;
        let Db::Sqlite(pool) = store.db() else {
            return; // this run is on PostgreSQL
        };
        assert!(dir.path().join("sub/herald.db").exists());
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(fk, 1);
    }

    /// `herald_database_bytes` counts the write-ahead log, where recent writes sit until a checkpoint.
    #[tokio::test]
    async fn the_size_of_a_sqlite_database_counts_its_wal() {
        let (store, dir) = temp_store().await;
        let Db::Sqlite(pool) = store.db() else {
            return; // this run is on PostgreSQL
        };
        store
            .upsert_source("https://a.example/feed", "feed", Utc::now())
            .await
            .unwrap();
        let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
            .fetch_one(pool)
            .await
            .unwrap();
        let page: i64 = sqlx::query_scalar("PRAGMA page_size")
            .fetch_one(pool)
            .await
            .unwrap();
        let wal = std::fs::metadata(dir.path().join("sub/herald.db-wal"))
            .unwrap()
            .len();
        assert!(wal > 0, "a write since the last checkpoint is in the WAL");
        // The pool may write a frame more in between (its connections' own setup), so at least what was seen:
        // the file's pages alone would be short by the whole WAL.
        let size = store.size_bytes().await.unwrap();
        assert!(
            size >= pages as u64 * page as u64 + wal,
            "{size} < {pages} pages of {page} + {wal} of WAL"
        );
    }
}
