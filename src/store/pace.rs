//! The posting pace every herald process on one PostgreSQL database shares: a single row holding the next free
//! turn on the database's clock. Each post takes a turn and moves it one gap on, so N processes together post
//! at the configured rate (Discord's global limit is per bot, not per process).

use std::time::Duration;

use super::{Db, Store, StoreError};

/// The database's clock in microseconds since the epoch.
const NOW_US: &str = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT";

impl Store {
    /// Takes the next posting turn, `gap` after the one before it (or now, when the pace has fallen behind),
    /// and returns how long to wait for it. PostgreSQL only: one SQLite process paces itself.
    pub async fn take_post_turn(&self, gap: Duration) -> Result<Duration, StoreError> {
        let Db::Postgres(pool) = self.db() else {
            return Err(StoreError::Unsupported(
                "a shared posting pace needs PostgreSQL",
            ));
        };
        let gap = i64::try_from(gap.as_micros()).unwrap_or(i64::MAX);
        let wait: i64 = sqlx::query_scalar(&format!(
            "UPDATE post_pace SET next_us = GREATEST(next_us, {NOW_US}) + $1 WHERE id = 1 \
             RETURNING next_us - $1 - {NOW_US}"
        ))
        .bind(gap)
        .fetch_one(pool)
        .await?;
        Ok(Duration::from_micros(u64::try_from(wait).unwrap_or(0)))
    }

    /// Holds every process's posts back until `d` from now (after Discord answered with a global 429).
    pub async fn hold_posts(&self, d: Duration) -> Result<(), StoreError> {
        let Db::Postgres(pool) = self.db() else {
            return Err(StoreError::Unsupported(
                "a shared posting pace needs PostgreSQL",
            ));
        };
        let d = i64::try_from(d.as_micros()).unwrap_or(i64::MAX / 2);
        sqlx::query(&format!(
            "UPDATE post_pace SET next_us = GREATEST(next_us, {NOW_US} + $1) WHERE id = 1"
        ))
        .bind(d)
        .execute(pool)
        .await?;
        Ok(())
    }
}
