//! The `articles` table: the page behind each item's link, read once per URL and shared by every item that
//! links to it.

use super::items::fts_text;
use super::{Store, StoreError, WriteTx, builder, for_both_tx, limit, on, to_secs};
use crate::item::{Article, article_lead, url_key};
use chrono::{DateTime, Utc};

/// A link through another site (a search provider's redirect: another host or port) names the article by where it led: the items
/// linking to `url` are keyed by the page's canonical URL, and one that another source already stored under
/// that key becomes a link to the stored item (unless a channel was already briefed on it). A page whose
/// canonical URL is on its link's own host keeps its key: a site that names its home page as every page's
/// canonical must not merge its articles.
trait MergeRedirected {
    /// Merges the items linking to `url` by where it led (see above).
    async fn merge_redirected(&mut self, url: &str, article: &Article) -> Result<(), sqlx::Error>;
}

for_both_tx!(MergeRedirected {
async fn merge_redirected(&mut self, url: &str, article: &Article) -> Result<(), sqlx::Error> {
    let Some(canonical) = article.canonical_url.as_deref() else {
        return Ok(());
    };
    let host = |u: &str| {
        let u = url::Url::parse(u).ok()?;
        Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?))
    };
    let (Some(from), Some(to)) = (host(url), host(canonical)) else {
        return Ok(());
    };
    if from == to {
        return Ok(());
    }
    let key = url_key(canonical);
    let rows: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT id, source_id, fetched_at, backlog FROM items WHERE url = $1 \
         AND COALESCE(url_key, '') <> $2",
    )
    .bind(url)
    .bind(&key)
    .fetch_all(&mut **self)
    .await?;
    for (id, source_id, fetched_at, backlog) in rows {
        let stored: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM items WHERE url_key = $1 AND id <> $2 ORDER BY id LIMIT 1",
        )
        .bind(&key)
        .bind(id)
        .fetch_optional(&mut **self)
        .await?;
        let briefed: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM delivered_items WHERE item_id = $1)")
                .bind(id)
                .fetch_one(&mut **self)
                .await?;
        match stored {
            Some(stored) if !briefed => {
                sqlx::query(
                    "INSERT INTO item_links (source_id, item_id, fetched_at, backlog) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (source_id, item_id) DO NOTHING",
                )
                .bind(source_id)
                .bind(stored)
                .bind(fetched_at)
                .bind(backlog)
                .execute(&mut **self)
                .await?;
                // Sources linked to the duplicate follow it to the stored item.
                sqlx::query(
                    "INSERT INTO item_links (source_id, item_id, fetched_at, backlog) \
                     SELECT source_id, $1, fetched_at, backlog FROM item_links WHERE item_id = $2 \
                     ON CONFLICT (source_id, item_id) DO NOTHING",
                )
                .bind(stored)
                .bind(id)
                .execute(&mut **self)
                .await?;
                sqlx::query("DELETE FROM items WHERE id = $1")
                    .bind(id)
                    .execute(&mut **self)
                    .await?;
            }
            Some(_) => {}
            None => {
                sqlx::query("UPDATE items SET url_key = $1 WHERE id = $2")
                    .bind(&key)
                    .bind(id)
                    .execute(&mut **self)
                    .await?;
            }
        }
    }
    Ok(())
}
});

/// How many article pages were read and how many failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct ArticleCounts {
    /// Pages whose article is stored.
    pub read: i64,
    /// Pages that could not be used (the item keeps its feed text).
    pub failed: i64,
}

impl Store {
    /// Links of stored items whose page has not been read (nor tried), newest items first: of the given
    /// sources when `source_ids` is given, published (or first seen) at or after `since` when given. Only
    /// http(s) links.
    pub async fn unread_article_urls(
        &self,
        source_ids: Option<&[i64]>,
        since: Option<DateTime<Utc>>,
        max: usize,
    ) -> Result<Vec<String>, StoreError> {
        if source_ids.is_some_and(<[i64]>::is_empty) {
            return Ok(Vec::new());
        }
        Ok(on!(self, pool => {
            let mut q = builder(
                pool,
                "SELECT i.url FROM items i WHERE i.url IS NOT NULL \
                 AND (i.url LIKE 'http://%' OR i.url LIKE 'https://%') \
                 AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.url = i.url)",
            );
            if let Some(ids) = source_ids {
                q.push(" AND ");
                super::items::push_of_sources(&mut q, ids);
            }
            if let Some(since) = since {
                q.push(" AND COALESCE(i.published_at, i.fetched_at) >= ")
                    .push_bind(to_secs(since));
            }
            q.push(" GROUP BY i.url ORDER BY MAX(COALESCE(i.published_at, i.fetched_at)) DESC LIMIT ")
                .push_bind(limit(max));
            q.build_query_scalar::<String>().fetch_all(pool).await
        })?)
    }

    /// Records what reading `url` gave: its article, or why there is none. The first record of a URL stays.
    /// The full-text index of the items linking there gains the article's lead.
    pub async fn save_article(
        &self,
        url: &str,
        outcome: Result<&Article, &str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (state, error, read) = match outcome {
            Ok(a) => ("read", None, Some(a)),
            Err(why) => ("failed", Some(why), None),
        };
        on!(self, pool => {
            let mut tx = pool.write_tx().await?;
            let done = sqlx::query(
                "INSERT INTO articles (url, state, error, title, byline, published, lang, canonical_url, \
                 text, fetched_at, site_name, image_url, image_width, image_height) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) ON CONFLICT (url) DO NOTHING",
            )
            .bind(url)
            .bind(state)
            .bind(error)
            .bind(read.map(|a| a.title.as_str()))
            .bind(read.and_then(|a| a.byline.as_deref()))
            .bind(read.and_then(|a| a.published.as_deref()))
            .bind(read.and_then(|a| a.language.as_deref()))
            .bind(read.and_then(|a| a.canonical_url.as_deref()))
            .bind(read.map_or("", |a| a.text.as_str()))
            .bind(to_secs(now))
            .bind(read.and_then(|a| a.site_name.as_deref()))
            .bind(read.and_then(|a| a.image.as_ref()).map(|i| i.url.as_str()))
            .bind(read.and_then(|a| a.image.as_ref()?.width).map(i64::from))
            .bind(read.and_then(|a| a.image.as_ref()?.height).map(i64::from))
            .execute(&mut *tx)
            .await?;
            // /search finds an item by its article's lead too, as topic matching does.
            if let (Some(a), 1) = (read, done.rows_affected()) {
                let rows: Vec<(i64, String, String, String)> =
                    sqlx::query_as("SELECT id, title, snippet, body FROM items WHERE url = $1")
                        .bind(url)
                        .fetch_all(&mut *tx)
                        .await?;
                let lead = article_lead(&a.text);
                for (id, title, snippet, body) in rows {
                    sqlx::query("UPDATE items_fts SET text = $1 WHERE rowid = $2")
                        .bind(fts_text(&format!("{title}\n{snippet}\n{body}\n{lead}")))
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
            if let Some(a) = read {
                tx.merge_redirected(url, a).await?;
            }
            tx.commit().await
        })?;
        Ok(())
    }

    /// Why reading `url` failed, if it was tried and failed.
    pub async fn article_error(&self, url: &str) -> Result<Option<String>, StoreError> {
        Ok(on!(self, pool => sqlx::query_scalar::<_, Option<String>>(
            "SELECT error FROM articles WHERE url = $1 AND state = 'failed'",
        )
        .bind(url)
        .fetch_optional(pool)
        .await)?
        .flatten())
    }

    /// Pages read and pages failed, over all time.
    pub async fn article_counts(&self) -> Result<ArticleCounts, StoreError> {
        Ok(on!(self, pool => sqlx::query_as::<_, ArticleCounts>(
            "SELECT CAST(COUNT(*) FILTER (WHERE state = 'read') AS BIGINT) AS read, \
             CAST(COUNT(*) FILTER (WHERE state = 'failed') AS BIGINT) AS failed FROM articles",
        )
        .fetch_one(pool)
        .await)?)
    }
}
