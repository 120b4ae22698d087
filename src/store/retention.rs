//! Retention: deleting old items (with what only they refer to), compacting old deliveries, dropping sources
//! nobody uses, and reclaiming the space, in small batches so the bot's own writes never wait long.

use chrono::{DateTime, Utc};

use super::{Store, StoreError, WriteTx, limit, on, to_secs};

/// What one retention pass deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Items deleted (their full-text rows and links went with them).
    pub items: u64,
    /// Article pages no item links to any more.
    pub articles: u64,
    /// Finished deliveries whose stored briefing and ledger were dropped.
    pub deliveries: u64,
    /// Sources nobody reads and that hold nothing.
    pub sources: u64,
}

/// Rows deleted per statement, so one pass never holds the write lock for long.
const BATCH: usize = 2000;

impl Store {
    /// Deletes items first seen before `items_before` (except those a delivery still posting tells), article
    /// pages no item links to, the stored briefings and ledger rows of deliveries finished before
    /// `deliveries_before`, and sources that no server reads and that hold no item (created before
    /// `items_before`). Runs in batches of a few thousand rows, each its own transaction.
    pub async fn purge(
        &self,
        items_before: DateTime<Utc>,
        deliveries_before: DateTime<Utc>,
    ) -> Result<Purged, StoreError> {
        let mut purged = Purged::default();
        loop {
            let n = on!(self, pool => sqlx::query(
                "DELETE FROM items WHERE id IN (SELECT i.id FROM items i WHERE i.fetched_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM delivered_items d JOIN deliveries v ON v.id = d.delivery_id \
                 WHERE d.item_id = i.id AND v.state = 'claimed') LIMIT $2)",
            )
            .bind(to_secs(items_before))
            .bind(limit(BATCH))
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
            purged.items += n;
            if n < BATCH as u64 {
                break;
            }
        }
        loop {
            let n = on!(self, pool => sqlx::query(
                "DELETE FROM articles WHERE url IN (SELECT a.url FROM articles a WHERE a.fetched_at < $1 \
                 AND NOT EXISTS (SELECT 1 FROM items i WHERE i.url = a.url) LIMIT $2)",
            )
            .bind(to_secs(items_before))
            .bind(limit(BATCH))
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
            purged.articles += n;
            if n < BATCH as u64 {
                break;
            }
        }
        on!(self, pool => {
        let mut tx = pool.write_tx().await?;
        sqlx::query(
            "DELETE FROM delivered_items WHERE delivery_id IN (SELECT id FROM deliveries \
             WHERE state <> 'claimed' AND finished_at < $1)",
        )
        .bind(to_secs(deliveries_before))
        .execute(&mut *tx)
        .await?;
        purged.deliveries = sqlx::query(
            "UPDATE deliveries SET payload = '' WHERE state <> 'claimed' AND finished_at < $1 AND payload <> ''",
        )
        .bind(to_secs(deliveries_before))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        purged.sources = sqlx::query(
            "DELETE FROM sources WHERE created_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM guild_sources g WHERE g.source_id = sources.id) \
             AND NOT EXISTS (SELECT 1 FROM subscription_searches s WHERE s.source_id = sources.id) \
             AND NOT EXISTS (SELECT 1 FROM items i WHERE i.source_id = sources.id) \
             AND NOT EXISTS (SELECT 1 FROM item_links l WHERE l.source_id = sources.id)",
        )
        .bind(to_secs(items_before))
        .execute(&mut *tx)
        .await?
        .rows_affected();
        // A reader forgets a story not told for as long as finished deliveries are kept (its items and
        // sentences go with it).
        sqlx::query("DELETE FROM told_stories WHERE last_told_at < $1")
            .bind(to_secs(deliveries_before))
            .execute(&mut *tx)
            .await?;
        // Failed LLM summaries are remembered for their day only.
        sqlx::query("DELETE FROM llm_failures WHERE created_at < $1")
            .bind(to_secs(deliveries_before))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(purged)
        })
    }

    /// Returns up to `pages` free pages to the file system (incremental vacuum: a little at a time, so the bot
    /// is never blocked the way a full VACUUM blocks it). A database created before herald set
    /// `auto_vacuum = INCREMENTAL` reclaims nothing until one full `VACUUM`. On PostgreSQL autovacuum does
    /// this job, and this does nothing.
    pub async fn reclaim(&self, pages: u32) -> Result<(), StoreError> {
        if let super::Db::Sqlite(pool) = self.db() {
            sqlx::query(&format!("PRAGMA incremental_vacuum({pages})"))
                .execute(pool)
                .await?;
        }
        Ok(())
    }

    /// The database's size in bytes (pages in use and free).
    pub async fn size_bytes(&self) -> Result<u64, StoreError> {
        let bytes: i64 = match self.db() {
            super::Db::Sqlite(pool) => {
                let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
                    .fetch_one(pool)
                    .await?;
                let size: i64 = sqlx::query_scalar("PRAGMA page_size")
                    .fetch_one(pool)
                    .await?;
                // The write-ahead log holds committed pages not yet copied into the file: count it too.
                let file: Option<String> =
                    sqlx::query_scalar("SELECT file FROM pragma_database_list WHERE name = 'main'")
                        .fetch_optional(pool)
                        .await?;
                let wal = file
                    .filter(|f| !f.is_empty())
                    .and_then(|f| std::fs::metadata(format!("{f}-wal")).ok())
                    .map_or(0, |m| i64::try_from(m.len()).unwrap_or(0));
                pages * size + wal
            }
            super::Db::Postgres(pool) => {
                sqlx::query_scalar("SELECT pg_database_size(current_database())")
                    .fetch_one(pool)
                    .await?
            }
        };
        Ok(u64::try_from(bytes).unwrap_or(0))
    }

    /// SQLite's `PRAGMA integrity_check` ("ok" when the file is sound); PostgreSQL checks itself: "ok".
    pub async fn integrity_check(&self) -> Result<String, StoreError> {
        match self.db() {
            super::Db::Sqlite(pool) => Ok(sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(pool)
                .await?),
            super::Db::Postgres(_) => Ok("ok".to_owned()),
        }
    }

    /// A consistent copy of the live database at `path` (`VACUUM INTO`: a transaction's snapshot, written
    /// while the bot keeps reading and writing). The file must not exist. PostgreSQL is backed up with its
    /// own tools (`pg_dump`), and this says so.
    pub async fn backup(&self, path: &std::path::Path) -> Result<(), StoreError> {
        match self.db() {
            super::Db::Sqlite(pool) => {
                sqlx::query("VACUUM INTO $1")
                    .bind(path.display().to_string())
                    .execute(pool)
                    .await?;
                Ok(())
            }
            super::Db::Postgres(_) => Err(StoreError::Unsupported(
                "herald backup copies SQLite databases; back PostgreSQL up with pg_dump",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::{Article, NewItem};
    use crate::store::Claim;
    use crate::store::test_util::temp_store;
    use chrono::{Duration, TimeZone};

    fn item(guid: &str, title: &str) -> NewItem {
        NewItem {
            guid: guid.into(),
            url: Some(format!("https://a.example/{guid}")),
            title: title.into(),
            author: None,
            published_at: None,
            snippet: format!("{title} in detail."),
            body: String::new(),
            lang: None,
            outlet: None,
            image: None,
        }
    }

    #[tokio::test]
    async fn retention_deletes_exactly_what_it_should() {
        let (store, _dir) = temp_store().await;
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let old = now - Duration::days(40);
        let feed = store
            .upsert_source("https://a.example/feed", "feed", old)
            .await
            .unwrap();
        store.add_guild_source(1, feed.id, 1, old).await.unwrap();
        let unused = store
            .upsert_source("https://nobody.example/feed", "feed", old)
            .await
            .unwrap();
        store
            .insert_items(
                feed.id,
                &[item("o1", "Zeppelin parade"), item("o2", "Quokka census")],
                false,
                old,
            )
            .await
            .unwrap();
        store
            .insert_items(feed.id, &[item("n1", "Zeppelin returns")], false, now)
            .await
            .unwrap();
        let article = Article {
            title: "Zeppelin parade".into(),
            byline: None,
            site_name: None,
            published: None,
            language: None,
            canonical_url: None,
            image: None,
            text: "The zeppelin parade drew crowds.".into(),
        };
        store
            .save_article("https://a.example/o1", Ok(&article), old)
            .await
            .unwrap();
        let ids: Vec<i64> = store
            .items_of_sources(&[feed.id], None, 10)
            .await
            .unwrap()
            .iter()
            .filter(|i| i.guid.starts_with('o'))
            .map(|i| i.id)
            .collect();
        let census = ids[0].max(ids[1]);
        // A delivery still posting tells the census (its item must stay); one finished long ago told both.
        store
            .set_schedule(1, 7, "08:00", "UTC", Some(now), 1, old)
            .await
            .unwrap();
        let pending = Claim {
            channel_id: 7,
            guild_id: 1,
            due_at: now,
            payload: "{\"pending\": true}",
            item_ids: &[census],
            empty: false,
            expected_next_run: now,
            next_run_at: Some(now + Duration::days(1)),
            lease_until: now,
            owner: "test",
            tellings: &[],
        };
        assert!(store.claim_delivery(&pending, now).await.unwrap().is_some());
        store
            .set_schedule(1, 8, "08:00", "UTC", Some(old), 1, old)
            .await
            .unwrap();
        let done = Claim {
            channel_id: 8,
            guild_id: 1,
            due_at: old,
            payload: "{\"long\": \"briefing text\"}",
            item_ids: &ids,
            empty: false,
            expected_next_run: old,
            next_run_at: Some(old + Duration::days(1)),
            lease_until: old,
            owner: "test",
            tellings: &[],
        };
        let done_id = store.claim_delivery(&done, old).await.unwrap().unwrap();
        store.delivery_sent(done_id, old).await.unwrap();

        let purged = store
            .purge(now - Duration::days(30), now - Duration::days(14))
            .await
            .unwrap();
        assert_eq!(
            purged,
            Purged {
                items: 1,
                articles: 1,
                deliveries: 1,
                sources: 1,
            }
        );
        let left: Vec<String> = store
            .items_of_sources(&[feed.id], None, 10)
            .await
            .unwrap()
            .into_iter()
            .map(|i| i.guid)
            .collect();
        assert_eq!(left.len(), 2);
        assert!(
            left.contains(&"o2".to_owned()),
            "a pending delivery's item stays: {left:?}"
        );
        assert!(left.contains(&"n1".to_owned()));
        // The full-text index finds nothing deleted.
        let found = store.search_items("zeppelin*", None, 10).await.unwrap();
        assert_eq!(
            found.iter().map(|i| i.guid.as_str()).collect::<Vec<_>>(),
            ["n1"]
        );
        assert_eq!(store.article_counts().await.unwrap().read, 0);
        let d = store.delivery(8, old).await.unwrap().unwrap();
        assert_eq!(d.payload, "", "compacted");
        let pending = store.delivery(7, now).await.unwrap().unwrap();
        assert_eq!(pending.payload, "{\"pending\": true}");
        let unused_left: i64 =
            on!(store, pool => sqlx::query_scalar("SELECT COUNT(*) FROM sources WHERE url = $1")
            .bind(&unused.url)
            .fetch_one(pool)
            .await)
            .unwrap();
        assert_eq!(
            unused_left, 0,
            "a source nobody reads and that holds nothing is deleted"
        );
        // Space goes back to the file system a little at a time: the database's pages (the file once the WAL
        // is checkpointed; the WAL itself, which the vacuum writes to, comes and goes) never grow.
        if let crate::store::Db::Sqlite(pool) = store.db() {
            let pages = || async {
                sqlx::query_scalar::<_, i64>("PRAGMA page_count")
                    .fetch_one(pool)
                    .await
                    .unwrap()
            };
            let before = pages().await;
            store.reclaim(1000).await.unwrap();
            assert!(pages().await <= before);
        } else {
            // PostgreSQL's autovacuum does this job: reclaiming is a no-op that succeeds.
            store.reclaim(1000).await.unwrap();
        }
    }
}
