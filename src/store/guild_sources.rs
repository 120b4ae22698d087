//! The `guild_sources` table: feeds a Discord server added itself (the source rows are shared by everyone).

use chrono::{DateTime, Utc};

use super::{DbId, DbTime, Source, Store, StoreError, id_in, on, to_secs};

/// A source as one server sees it.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct GuildSource {
    /// The shared source, with its last success and last error.
    #[sqlx(flatten)]
    pub source: Source,
    /// The member who added it.
    #[sqlx(try_from = "DbId")]
    pub added_by: u64,
    /// When.
    #[sqlx(try_from = "DbTime")]
    pub added_at: DateTime<Utc>,
}

impl Store {
    /// Links a source to a server; `false` when it was linked already.
    pub async fn add_guild_source(
        &self,
        guild_id: u64,
        source_id: i64,
        added_by: u64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let done = on!(self, pool => sqlx::query(
            "INSERT INTO guild_sources (guild_id, source_id, added_by, added_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (guild_id, source_id) DO NOTHING",
        )
        .bind(id_in(guild_id))
        .bind(source_id)
        .bind(id_in(added_by))
        .bind(to_secs(now))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done > 0)
    }

    /// Unlinks the source with this URL from a server; whether it was linked. The shared row stays for others.
    pub async fn remove_guild_source(&self, guild_id: u64, url: &str) -> Result<bool, StoreError> {
        let done = on!(self, pool => sqlx::query(
            "DELETE FROM guild_sources WHERE guild_id = $1 AND source_id = (SELECT id FROM sources WHERE url = $2)",
        )
        .bind(id_in(guild_id))
        .bind(url)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done > 0)
    }

    /// A server's sources, in the order they were added.
    pub async fn guild_sources(&self, guild_id: u64) -> Result<Vec<GuildSource>, StoreError> {
        let rows = on!(self, pool => sqlx::query_as::<_, GuildSource>(&format!(
            "SELECT {}, g.added_by, g.added_at FROM guild_sources g \
             JOIN sources s ON s.id = g.source_id WHERE g.guild_id = $1 ORDER BY g.added_at, s.id",
            super::sources::COLUMNS
        ))
        .bind(id_in(guild_id))
        .fetch_all(pool)
        .await)?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use crate::store::test_util::temp_store;
    use chrono::Utc;

    #[tokio::test]
    async fn servers_share_source_rows_but_keep_their_own_lists() {
        let (store, _dir) = temp_store().await;
        let now = Utc::now();
        let s = store
            .upsert_source("https://a.example/feed", "feed", now)
            .await
            .unwrap();
        assert!(store.add_guild_source(1, s.id, 5, now).await.unwrap());
        assert!(
            !store.add_guild_source(1, s.id, 5, now).await.unwrap(),
            "already there"
        );
        assert!(store.add_guild_source(2, s.id, 6, now).await.unwrap());
        store.source_failed(s.id, "HTTP 500").await.unwrap();
        let list = store.guild_sources(1).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].source.last_error.as_deref(), Some("HTTP 500"));
        assert_eq!(list[0].added_by, 5);
        assert!(
            store
                .remove_guild_source(1, "https://a.example/feed")
                .await
                .unwrap()
        );
        assert!(
            !store
                .remove_guild_source(1, "https://a.example/feed")
                .await
                .unwrap()
        );
        assert!(store.guild_sources(1).await.unwrap().is_empty());
        assert_eq!(
            store.guild_sources(2).await.unwrap().len(),
            1,
            "the other server keeps it"
        );
    }
}
