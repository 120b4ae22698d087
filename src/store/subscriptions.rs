//! The `subscriptions` table: which topics a channel follows.

use chrono::{DateTime, Utc};

use super::{DbId, DbTime, Store, StoreError, WriteTx, id_in, on, to_secs};

/// A channel's subscription to a topic.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Subscription {
    /// Row id.
    pub id: i64,
    /// The Discord server.
    #[sqlx(try_from = "DbId")]
    pub guild_id: u64,
    /// The channel briefed.
    #[sqlx(try_from = "DbId")]
    pub channel_id: u64,
    /// The topic query as the user typed it.
    pub query: String,
    /// The parsed, folded form that duplicates are judged by.
    pub query_norm: String,
    /// Who subscribed.
    #[sqlx(try_from = "DbId")]
    pub created_by: u64,
    /// When.
    #[sqlx(try_from = "DbTime")]
    pub created_at: DateTime<Utc>,
}

/// Why a subscription could not be added: each says what the user can do.
#[derive(Debug, thiserror::Error)]
pub enum SubscribeError {
    /// The channel already follows the same topic (same parsed form).
    #[error("This channel already follows {0}")]
    Duplicate(String),
    /// The server is at its topic limit.
    #[error(
        "this server already has {0} topics, the most allowed; remove one with /unsubscribe first"
    )]
    GuildLimit(usize),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

const COLUMNS: &str = "id, guild_id, channel_id, query, query_norm, created_by, created_at";

/// Who subscribes what, where.
#[derive(Debug, Clone)]
pub struct NewSubscription<'a> {
    /// The server.
    pub guild_id: u64,
    /// The channel.
    pub channel_id: u64,
    /// The query as typed.
    pub query: &'a str,
    /// Its normalised form (`Query::normalized`).
    pub query_norm: &'a str,
    /// The member subscribing.
    pub created_by: u64,
}

impl Store {
    /// Adds a subscription unless the channel has the same topic or the server is at `guild_limit`. The limit
    /// check and the insert share one transaction, so two admins at once cannot pass the limit.
    pub async fn subscribe(
        &self,
        new: &NewSubscription<'_>,
        guild_limit: usize,
        now: DateTime<Utc>,
    ) -> Result<Subscription, SubscribeError> {
        on!(self, pool => {
        let mut tx = pool.write_tx().await.map_err(StoreError::from)?;
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM subscriptions WHERE guild_id = $1")
                .bind(id_in(new.guild_id))
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::from)?;
        if count as usize >= guild_limit {
            return Err(SubscribeError::GuildLimit(guild_limit));
        }
        let inserted = sqlx::query_as::<_, Subscription>(&format!(
            "INSERT INTO subscriptions (guild_id, channel_id, query, query_norm, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
        ))
        .bind(id_in(new.guild_id))
        .bind(id_in(new.channel_id))
        .bind(new.query)
        .bind(new.query_norm)
        .bind(id_in(new.created_by))
        .bind(to_secs(now))
        .fetch_one(&mut *tx)
        .await;
        let row = match inserted {
            Ok(row) => row,
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(SubscribeError::Duplicate(new.query.to_owned()));
            }
            Err(e) => return Err(StoreError::from(e).into()),
        };
        tx.commit().await.map_err(StoreError::from)?;
        Ok(row)
        })
    }

    /// Removes a channel's subscription by the query as typed or its normalised form; whether one was removed.
    pub async fn unsubscribe(
        &self,
        channel_id: u64,
        query_or_norm: &str,
    ) -> Result<bool, StoreError> {
        let done = on!(self, pool => sqlx::query(
            "DELETE FROM subscriptions WHERE channel_id = $1 AND (query = $2 OR query_norm = $3)",
        )
        .bind(id_in(channel_id))
        .bind(query_or_norm)
        .bind(query_or_norm)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done > 0)
    }

    /// A channel's subscriptions, oldest first.
    pub async fn channel_subscriptions(
        &self,
        channel_id: u64,
    ) -> Result<Vec<Subscription>, StoreError> {
        let rows = on!(self, pool => sqlx::query_as::<_, Subscription>(&format!(
            "SELECT {COLUMNS} FROM subscriptions WHERE channel_id = $1 ORDER BY id"
        ))
        .bind(id_in(channel_id))
        .fetch_all(pool)
        .await)?;
        Ok(rows)
    }

    /// A server's subscriptions, by channel then age.
    pub async fn guild_subscriptions(
        &self,
        guild_id: u64,
    ) -> Result<Vec<Subscription>, StoreError> {
        let rows = on!(self, pool => sqlx::query_as::<_, Subscription>(&format!(
            "SELECT {COLUMNS} FROM subscriptions WHERE guild_id = $1 ORDER BY channel_id, id"
        ))
        .bind(id_in(guild_id))
        .fetch_all(pool)
        .await)?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_util::temp_store;

    fn sub<'a>(channel: u64, query: &'a str, norm: &'a str) -> NewSubscription<'a> {
        NewSubscription {
            guild_id: 9_000_000_000_000_000_001,
            channel_id: channel,
            query,
            query_norm: norm,
            created_by: 7,
        }
    }

    #[tokio::test]
    async fn duplicates_and_guild_limit_are_refused_with_reasons() {
        let (store, _dir) = temp_store().await;
        let now = Utc::now();
        let s = store
            .subscribe(&sub(1, "Rust compiler", "rust AND compiler"), 2, now)
            .await
            .unwrap();
        assert_eq!(
            s.guild_id, 9_000_000_000_000_000_001,
            "large snowflakes round-trip"
        );
        let dup = store
            .subscribe(&sub(1, "rust  compiler", "rust AND compiler"), 2, now)
            .await
            .unwrap_err();
        assert_eq!(
            dup.to_string(),
            "This channel already follows rust  compiler"
        );
        store
            .subscribe(&sub(2, "Rust compiler", "rust AND compiler"), 2, now)
            .await
            .unwrap();
        let full = store
            .subscribe(&sub(3, "ukraine", "ukraine"), 2, now)
            .await
            .unwrap_err();
        assert!(matches!(full, SubscribeError::GuildLimit(2)));

        assert_eq!(store.channel_subscriptions(1).await.unwrap().len(), 1);
        assert_eq!(
            store
                .guild_subscriptions(9_000_000_000_000_000_001)
                .await
                .unwrap()
                .len(),
            2
        );
        assert!(store.unsubscribe(1, "rust AND compiler").await.unwrap());
        assert!(!store.unsubscribe(1, "rust AND compiler").await.unwrap());
        assert!(store.channel_subscriptions(1).await.unwrap().is_empty());
    }
}
