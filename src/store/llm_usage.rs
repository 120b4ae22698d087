//! LLM summaries' bookkeeping: the summary cache (`llm_cache`), the daily token counters (`llm_usage`) and the
//! day's remembered failures (`llm_failures`).

use chrono::{DateTime, Utc};

use super::{Store, StoreError, WriteTx, id_in, on, to_secs};

impl Store {
    /// A cached LLM summary.
    pub async fn llm_cached(&self, key: &str) -> Result<Option<String>, StoreError> {
        Ok(
            on!(self, pool => sqlx::query_scalar("SELECT summary FROM llm_cache WHERE key = $1")
                .bind(key)
                .fetch_optional(pool)
                .await)?,
        )
    }

    /// Caches an LLM summary (the first one stored for a key stays).
    pub async fn llm_cache_put(
        &self,
        key: &str,
        summary: &str,
        tokens: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on!(self, pool => sqlx::query(
            "INSERT INTO llm_cache (key, summary, tokens, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key) DO NOTHING",
        )
        .bind(key)
        .bind(summary)
        .bind(i64::try_from(tokens).unwrap_or(i64::MAX))
        .bind(to_secs(now))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Tokens spent on `day` (`YYYY-MM-DD`, UTC) by a server, or over all servers with `guild_id` 0.
    pub async fn llm_tokens(&self, day: &str, guild_id: u64) -> Result<u64, StoreError> {
        let n: Option<i64> = on!(self, pool => sqlx::query_scalar("SELECT tokens FROM llm_usage WHERE day = $1 AND guild_id = $2")
                .bind(day)
                .bind(id_in(guild_id))
                .fetch_optional(pool)
                .await)?;
        Ok(n.map_or(0, |n| u64::try_from(n).unwrap_or(0)))
    }

    /// Counts `tokens` spent on `day` by a server and over all.
    pub async fn add_llm_tokens(
        &self,
        day: &str,
        guild_id: u64,
        tokens: u64,
    ) -> Result<(), StoreError> {
        on!(self, pool => {
        let mut tx = pool.write_tx().await?;
        for g in [0, guild_id] {
            sqlx::query(
                "INSERT INTO llm_usage (day, guild_id, tokens) VALUES ($1, $2, $3) \
                 ON CONFLICT (day, guild_id) DO UPDATE SET tokens = llm_usage.tokens + excluded.tokens",
            )
            .bind(day)
            .bind(id_in(g))
            .bind(i64::try_from(tokens).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
            if guild_id == 0 {
                break;
            }
        }
        tx.commit().await?;
        Ok(())
        })
    }

    /// Why the LLM summary of `key` failed on `day`, if it did (then no call is made for it that day).
    pub async fn llm_failure(&self, key: &str, day: &str) -> Result<Option<String>, StoreError> {
        Ok(on!(self, pool => sqlx::query_scalar(
            "SELECT reason FROM llm_failures WHERE key = $1 AND day = $2",
        )
        .bind(key)
        .bind(day)
        .fetch_optional(pool)
        .await)?)
    }

    /// Remembers for `day` that the LLM summary of `key` failed, and why.
    pub async fn llm_failure_put(
        &self,
        key: &str,
        day: &str,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on!(self, pool => sqlx::query(
            "INSERT INTO llm_failures (key, day, reason, created_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (key, day) DO UPDATE SET reason = excluded.reason",
        )
        .bind(key)
        .bind(day)
        .bind(reason)
        .bind(to_secs(now))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Reserves `tokens` of `day`'s budgets before an LLM call: the server's (`guild_cap`) and everyone's
    /// (`all_cap`, counted under guild 0). Either both counters move or neither; `false` when the reservation
    /// would take either past its cap. Conditional updates under row locks, so processes sharing a PostgreSQL
    /// database cannot both take the last tokens.
    pub async fn reserve_llm_tokens(
        &self,
        day: &str,
        guild_id: u64,
        tokens: u64,
        guild_cap: u64,
        all_cap: u64,
    ) -> Result<bool, StoreError> {
        let n = i64::try_from(tokens).unwrap_or(i64::MAX);
        let mut counters = vec![(0u64, all_cap)];
        if guild_id != 0 {
            counters.push((guild_id, guild_cap));
        }
        on!(self, pool => {
        let mut tx = pool.write_tx().await?;
        for (g, cap) in counters {
            sqlx::query(
                "INSERT INTO llm_usage (day, guild_id, tokens) VALUES ($1, $2, 0) \
                 ON CONFLICT (day, guild_id) DO NOTHING",
            )
            .bind(day)
            .bind(id_in(g))
            .execute(&mut *tx)
            .await?;
            let moved = sqlx::query(
                "UPDATE llm_usage SET tokens = tokens + $3 WHERE day = $1 AND guild_id = $2 AND tokens + $3 <= $4",
            )
            .bind(day)
            .bind(id_in(g))
            .bind(n)
            .bind(i64::try_from(cap).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if moved == 0 {
                tx.rollback().await?;
                return Ok(false);
            }
        }
        tx.commit().await?;
        Ok(true)
        })
    }

    /// Settles a reservation with what the call really cost: moves `day`'s counters by `spent - reserved`
    /// (never below zero).
    pub async fn settle_llm_tokens(
        &self,
        day: &str,
        guild_id: u64,
        reserved: u64,
        spent: u64,
    ) -> Result<(), StoreError> {
        let delta =
            i64::try_from(spent).unwrap_or(i64::MAX) - i64::try_from(reserved).unwrap_or(i64::MAX);
        if delta == 0 {
            return Ok(());
        }
        let mut guilds = vec![0u64];
        if guild_id != 0 {
            guilds.push(guild_id);
        }
        on!(self, pool => {
        let mut tx = pool.write_tx().await?;
        for g in guilds {
            sqlx::query(
                "UPDATE llm_usage SET tokens = CASE WHEN tokens + $3 < 0 THEN 0 ELSE tokens + $3 END \
                 WHERE day = $1 AND guild_id = $2",
            )
            .bind(day)
            .bind(id_in(g))
            .bind(delta)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
        })
    }
}
