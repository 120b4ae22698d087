//! Servers that leave: `guild_departures`, and deleting a server's data (after the grace period, or at once
//! on a data-deletion request).

use chrono::{DateTime, Utc};

use super::{DbId, Store, StoreError, WriteTx, id_in, limit, on, to_secs};

/// Why a departed server's schedules are paused (a return resumes exactly these).
pub const REMOVED_REASON: &str = "herald was removed from this server";

/// What forgetting a server deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Forgotten {
    /// Subscriptions (and with them their searches' links).
    pub subscriptions: u64,
    /// Schedules.
    pub schedules: u64,
    /// Feeds the server had added (the shared source rows stay while someone else reads them).
    pub sources: u64,
    /// Deliveries (and their ledger).
    pub deliveries: u64,
    /// Other rows: channel settings, search settings, the departure record, LLM usage.
    pub other: u64,
}

impl Forgotten {
    /// Whether herald kept anything about the server at all.
    pub fn anything(&self) -> bool {
        self.subscriptions + self.schedules + self.sources + self.deliveries + self.other > 0
    }
}

impl Store {
    /// Records that herald was removed from a server and pauses its schedules; `false` if already recorded.
    pub async fn guild_left(&self, guild_id: u64, now: DateTime<Utc>) -> Result<bool, StoreError> {
        on!(self, pool => {
        let mut tx = pool.write_tx().await?;
        let done = sqlx::query(
            "INSERT INTO guild_departures (guild_id, left_at) VALUES ($1, $2) ON CONFLICT (guild_id) DO NOTHING",
        )
        .bind(id_in(guild_id))
        .bind(to_secs(now))
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE schedules SET paused = 1, paused_reason = $1 WHERE guild_id = $2 AND paused = 0",
        )
        .bind(REMOVED_REASON)
        .bind(id_in(guild_id))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
        })
    }

    /// herald is in a server (again): a departure still in its grace period is cancelled and the schedules it
    /// paused resume. `true` when something was restored.
    pub async fn guild_present(&self, guild_id: u64) -> Result<bool, StoreError> {
        on!(self, pool => {
        let mut tx = pool.write_tx().await?;
        let done = sqlx::query("DELETE FROM guild_departures WHERE guild_id = $1")
            .bind(id_in(guild_id))
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() > 0 {
            sqlx::query(
                "UPDATE schedules SET paused = 0, paused_reason = NULL WHERE guild_id = $1 AND paused_reason = $2",
            )
            .bind(id_in(guild_id))
            .bind(REMOVED_REASON)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(done.rows_affected() > 0)
        })
    }

    /// Servers that left before `before` (their grace period is over).
    pub async fn departed_before(
        &self,
        before: DateTime<Utc>,
        max: usize,
    ) -> Result<Vec<u64>, StoreError> {
        let ids: Vec<DbId> = on!(self, pool => sqlx::query_scalar(
            "SELECT guild_id FROM guild_departures WHERE left_at < $1 ORDER BY left_at LIMIT $2",
        )
        .bind(to_secs(before))
        .bind(limit(max))
        .fetch_all(pool)
        .await)?;
        Ok(ids.into_iter().map(u64::from).collect())
    }

    /// Deletes everything herald keeps about a server: subscriptions, schedules, settings, its feeds and search
    /// settings, its deliveries and their ledger, and its departure record. Shared sources and items stay for
    /// other servers (and retention). One transaction.
    pub async fn forget_guild(&self, guild_id: u64) -> Result<Forgotten, StoreError> {
        let g = id_in(guild_id);
        on!(self, pool => {
        let mut tx = pool.write_tx().await?;
        let mut counts = [0u64; 9];
        for (n, sql) in [
            "DELETE FROM subscriptions WHERE guild_id = $1",
            "DELETE FROM schedules WHERE guild_id = $1",
            "DELETE FROM guild_sources WHERE guild_id = $1",
            "DELETE FROM deliveries WHERE guild_id = $1",
            "DELETE FROM channel_settings WHERE guild_id = $1",
            "DELETE FROM guild_search WHERE guild_id = $1",
            "DELETE FROM guild_departures WHERE guild_id = $1",
            "DELETE FROM llm_usage WHERE guild_id = $1",
            "DELETE FROM told_stories WHERE guild_id = $1",
        ]
        .into_iter()
        .enumerate()
        {
            counts[n] = sqlx::query(sql)
                .bind(g)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        let [subscriptions, schedules, sources, deliveries, other @ ..] = counts;
        tx.commit().await?;
        Ok(Forgotten {
            subscriptions,
            schedules,
            sources,
            deliveries,
            other: other.iter().sum(),
        })
        })
    }
}
