//! The `schedules` table: when each channel's briefing is due.

use chrono::{DateTime, Utc};

use super::{DbFlag, DbId, DbOptTime, DbTime, Store, StoreError, id_in, limit, on, to_secs};

/// A channel's schedule as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ScheduleRow {
    /// The channel.
    #[sqlx(try_from = "DbId")]
    pub channel_id: u64,
    /// Its server.
    #[sqlx(try_from = "DbId")]
    pub guild_id: u64,
    /// "08:00", "08:00,18:30" or a cron expression.
    pub spec: String,
    /// IANA zone name.
    pub tz: String,
    /// The next run, if any.
    #[sqlx(try_from = "DbOptTime")]
    pub next_run_at: Option<DateTime<Utc>>,
    /// Whether delivery is paused.
    #[sqlx(try_from = "DbFlag")]
    pub paused: bool,
    /// Why, when herald paused it itself (e.g. the channel is gone).
    pub paused_reason: Option<String>,
    /// When it was last set.
    #[sqlx(try_from = "DbTime")]
    pub updated_at: DateTime<Utc>,
}

/// The columns a [`ScheduleRow`] is read from.
const COLUMNS: &str =
    "channel_id, guild_id, spec, tz, next_run_at, paused, paused_reason, updated_at";

impl Store {
    /// Sets (or replaces) a channel's schedule, unpaused, with its next run.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_schedule(
        &self,
        guild_id: u64,
        channel_id: u64,
        spec: &str,
        tz: &str,
        next_run_at: Option<DateTime<Utc>>,
        by: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on!(self, pool => sqlx::query(
            "INSERT INTO schedules (channel_id, guild_id, spec, tz, next_run_at, paused, paused_reason, \
             updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, 0, NULL, $6, $7) \
             ON CONFLICT (channel_id) DO UPDATE SET guild_id = excluded.guild_id, spec = excluded.spec, \
             tz = excluded.tz, next_run_at = excluded.next_run_at, paused = 0, paused_reason = NULL, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at",
        )
        .bind(id_in(channel_id))
        .bind(id_in(guild_id))
        .bind(spec)
        .bind(tz)
        .bind(next_run_at.map(to_secs))
        .bind(id_in(by))
        .bind(to_secs(now))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// A channel's schedule, if it has one.
    pub async fn schedule(&self, channel_id: u64) -> Result<Option<ScheduleRow>, StoreError> {
        let row = on!(self, pool => sqlx::query_as::<_, ScheduleRow>(&format!(
            "SELECT {COLUMNS} FROM schedules WHERE channel_id = $1"
        ))
        .bind(id_in(channel_id))
        .fetch_optional(pool)
        .await)?;
        Ok(row)
    }

    /// Unpaused schedules due at `now`, most overdue first.
    pub async fn due_schedules(
        &self,
        now: DateTime<Utc>,
        max: usize,
    ) -> Result<Vec<ScheduleRow>, StoreError> {
        let rows = on!(self, pool => sqlx::query_as::<_, ScheduleRow>(&format!(
            "SELECT {COLUMNS} FROM schedules WHERE paused = 0 AND next_run_at <= $1 \
             ORDER BY next_run_at, channel_id LIMIT $2"
        ))
        .bind(to_secs(now))
        .bind(limit(max))
        .fetch_all(pool)
        .await)?;
        Ok(rows)
    }

    /// Moves a schedule on without delivering (missed slots, unreadable spec), if it still runs at `expected`.
    pub async fn advance_schedule(
        &self,
        channel_id: u64,
        expected: DateTime<Utc>,
        next_run_at: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        let done = on!(self, pool => sqlx::query(
            "UPDATE schedules SET next_run_at = $1 WHERE channel_id = $2 AND next_run_at = $3",
        )
        .bind(next_run_at.map(to_secs))
        .bind(id_in(channel_id))
        .bind(to_secs(expected))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done > 0)
    }

    /// Pauses or resumes a channel's schedule (with the next run when resuming); whether it had one.
    pub async fn set_paused(
        &self,
        channel_id: u64,
        paused: bool,
        reason: Option<&str>,
        next_run_at: Option<DateTime<Utc>>,
    ) -> Result<bool, StoreError> {
        let done = on!(self, pool => sqlx::query(
            "UPDATE schedules SET paused = $1, paused_reason = $2, \
             next_run_at = COALESCE($3, next_run_at) WHERE channel_id = $4",
        )
        .bind(i64::from(paused))
        .bind(reason)
        .bind(next_run_at.map(to_secs))
        .bind(id_in(channel_id))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_util::temp_store;

    #[tokio::test]
    async fn set_replace_pause_resume() {
        let (store, _dir) = temp_store().await;
        let now = Utc::now();
        assert_eq!(store.schedule(9).await.unwrap(), None);
        store
            .set_schedule(1, 9, "08:00", "Europe/Kyiv", Some(now), 5, now)
            .await
            .unwrap();
        store
            .set_schedule(1, 9, "0 8 * * 1-5", "UTC", None, 5, now)
            .await
            .unwrap();
        let s = store.schedule(9).await.unwrap().unwrap();
        assert_eq!(
            (s.spec.as_str(), s.tz.as_str(), s.paused),
            ("0 8 * * 1-5", "UTC", false)
        );
        assert!(
            store
                .set_paused(9, true, Some("channel deleted"), None)
                .await
                .unwrap()
        );
        let s = store.schedule(9).await.unwrap().unwrap();
        assert!(s.paused);
        assert_eq!(s.paused_reason.as_deref(), Some("channel deleted"));
        assert!(store.set_paused(9, false, None, Some(now)).await.unwrap());
        let s = store.schedule(9).await.unwrap().unwrap();
        assert!(!s.paused && s.paused_reason.is_none());
        assert_eq!(s.next_run_at.map(|t| t.timestamp()), Some(now.timestamp()));
        assert!(!store.set_paused(10, true, None, None).await.unwrap());
    }
}
