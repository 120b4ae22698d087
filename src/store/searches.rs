//! Search sources: a server's search settings (`guild_search`) and the searches each subscription draws from
//! (`subscription_searches`). The searches themselves are rows of `sources` whose kind names the provider.

use chrono::{DateTime, Utc};

use super::{DbId, Source, Store, StoreError, WriteTx, id_in, on, to_secs};

/// A server's search settings as stored; `None` fields fall back to `[search]` in the config.
#[derive(Debug, Clone, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct GuildSearch {
    /// Providers turned on, comma-separated (`""`: none); `None`: the configured default.
    pub providers: Option<String>,
    /// News language (ISO 639-1, e.g. `en`).
    pub language: Option<String>,
    /// News region (ISO 3166-1 alpha-2, e.g. `US`).
    pub country: Option<String>,
}

/// A search some subscription of a server draws from, with the topics that use it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct GuildSearchSource {
    /// The search (its last success and last error included).
    #[sqlx(flatten)]
    pub source: Source,
    /// The topics of this server that use it, as typed, one per line.
    pub topics: String,
}

/// A subscription as the search sync needs it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SubscriptionRef {
    /// Row id.
    pub id: i64,
    /// Its server.
    #[sqlx(try_from = "DbId")]
    pub guild_id: u64,
    /// The topic as typed.
    pub query: String,
}

impl Store {
    /// A server's search settings (all `None` when it never changed them).
    pub async fn guild_search(&self, guild_id: u64) -> Result<GuildSearch, StoreError> {
        Ok(on!(self, pool => sqlx::query_as::<_, GuildSearch>(
            "SELECT providers, language, country FROM guild_search WHERE guild_id = $1",
        )
        .bind(id_in(guild_id))
        .fetch_optional(pool)
        .await)?
        .unwrap_or_default())
    }

    /// Stores a server's search settings.
    pub async fn set_guild_search(
        &self,
        guild_id: u64,
        settings: &GuildSearch,
        by: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        on!(self, pool => sqlx::query(
            "INSERT INTO guild_search (guild_id, providers, language, country, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (guild_id) DO UPDATE SET providers = excluded.providers, \
             language = excluded.language, country = excluded.country, updated_by = excluded.updated_by, \
             updated_at = excluded.updated_at",
        )
        .bind(id_in(guild_id))
        .bind(&settings.providers)
        .bind(&settings.language)
        .bind(&settings.country)
        .bind(id_in(by))
        .bind(to_secs(now))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Every subscription (of one server when `guild_id` is given), oldest first.
    pub async fn subscription_refs(
        &self,
        guild_id: Option<u64>,
    ) -> Result<Vec<SubscriptionRef>, StoreError> {
        Ok(on!(self, pool => sqlx::query_as::<_, SubscriptionRef>(
            "SELECT id, guild_id, query FROM subscriptions WHERE $1 IS NULL OR guild_id = $1 ORDER BY id",
        )
        .bind(guild_id.map(id_in))
        .fetch_all(pool)
        .await)?)
    }

    /// Makes `source_ids` the searches a subscription draws from (replacing those it had).
    pub async fn set_subscription_searches(
        &self,
        subscription_id: i64,
        source_ids: &[i64],
    ) -> Result<(), StoreError> {
        on!(self, pool => {
        let mut tx = pool.write_tx().await?;
        sqlx::query("DELETE FROM subscription_searches WHERE subscription_id = $1")
            .bind(subscription_id)
            .execute(&mut *tx)
            .await?;
        for id in source_ids {
            sqlx::query(
                "INSERT INTO subscription_searches (subscription_id, source_id) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(subscription_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
        })
    }

    /// The searches a channel's subscriptions draw from.
    pub async fn channel_searches(&self, channel_id: u64) -> Result<Vec<Source>, StoreError> {
        Ok(on!(self, pool => sqlx::query_as::<_, Source>(&format!(
            "SELECT {} FROM sources s WHERE s.id IN (SELECT ss.source_id FROM subscription_searches ss \
             JOIN subscriptions sub ON sub.id = ss.subscription_id WHERE sub.channel_id = $1) ORDER BY s.id",
            super::sources::COLUMNS
        ))
        .bind(id_in(channel_id))
        .fetch_all(pool)
        .await)?)
    }

    /// The searches a server's subscriptions draw from, with the topics using each.
    pub async fn guild_searches(
        &self,
        guild_id: u64,
    ) -> Result<Vec<GuildSearchSource>, StoreError> {
        // The topics as one comma-separated list: FTS5's SQLite has group_concat, PostgreSQL string_agg.
        let topics = match self.backend() {
            super::Backend::Sqlite => "group_concat(DISTINCT sub.query)",
            super::Backend::Postgres => "string_agg(DISTINCT sub.query, ',')",
        };
        Ok(
            on!(self, pool => sqlx::query_as::<_, GuildSearchSource>(&format!(
            "SELECT {}, {topics} AS topics FROM sources s \
             JOIN subscription_searches ss ON ss.source_id = s.id \
             JOIN subscriptions sub ON sub.id = ss.subscription_id \
             WHERE sub.guild_id = $1 GROUP BY s.id ORDER BY s.kind, s.id",
            super::sources::COLUMNS
                .split(", ")
                .map(|c| format!("s.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .bind(id_in(guild_id))
        .fetch_all(pool)
        .await)?,
        )
    }
}
