//! The `articles` table: the page behind each item's link, read once per URL and shared by every item that
//! links to it.

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Sqlite};

use super::{Store, StoreError, limit, to_secs};
use crate::item::{Article, article_lead, url_key};

/// A link through another site (a search provider's redirect: another host or port) names the article by where it led: the items
/// linking to `url` are keyed by the page's canonical URL, and one that another source already stored under
/// that key becomes a link to the stored item (unless a channel was already briefed on it). A page whose
/// canonical URL is on its link's own host keeps its key: a site that names its home page as every page's
/// canonical must not merge its articles.
async fn merge_redirected(
    tx: &mut sqlx::Transaction<'static, Sqlite>,
    url: &str,
    article: &Article,
) -> Result<(), sqlx::Error> {
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
        "SELECT id, source_id, fetched_at, backlog FROM items WHERE url = ? \
         AND COALESCE(url_key, '') <> ?",
    )
    .bind(url)
    .bind(&key)
    .fetch_all(&mut **tx)
    .await?;
    for (id, source_id, fetched_at, backlog) in rows {
        let stored: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM items WHERE url_key = ? AND id <> ? ORDER BY id LIMIT 1",
        )
        .bind(&key)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        let briefed: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM delivered_items WHERE item_id = ?)")
                .bind(id)
                .fetch_one(&mut **tx)
                .await?;
        match stored {
            Some(stored) if !briefed => {
                sqlx::query(
                    "INSERT INTO item_links (source_id, item_id, fetched_at, backlog) VALUES (?, ?, ?, ?) \
                     ON CONFLICT (source_id, item_id) DO NOTHING",
                )
                .bind(source_id)
                .bind(stored)
                .bind(fetched_at)
                .bind(backlog)
                .execute(&mut **tx)
                .await?;
                // Sources linked to the duplicate follow it to the stored item.
                sqlx::query(
                    "INSERT INTO item_links (source_id, item_id, fetched_at, backlog) \
                     SELECT source_id, ?, fetched_at, backlog FROM item_links WHERE item_id = ? \
                     ON CONFLICT (source_id, item_id) DO NOTHING",
                )
                .bind(stored)
                .bind(id)
                .execute(&mut **tx)
                .await?;
                sqlx::query("DELETE FROM items WHERE id = ?")
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
            }
            Some(_) => {}
            None => {
                sqlx::query("UPDATE items SET url_key = ? WHERE id = ?")
                    .bind(&key)
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
            }
        }
    }
    Ok(())
}

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
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "SELECT i.url FROM items i WHERE i.url IS NOT NULL \
             AND (i.url LIKE 'http://%' OR i.url LIKE 'https://%') \
             AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.url = i.url)",
        );
        if let Some(ids) = source_ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            q.push(" AND ");
            super::items::push_of_sources(&mut q, ids);
        }
        if let Some(since) = since {
            q.push(" AND COALESCE(i.published_at, i.fetched_at) >= ")
                .push_bind(to_secs(since));
        }
        q.push(" GROUP BY i.url ORDER BY MAX(COALESCE(i.published_at, i.fetched_at)) DESC LIMIT ")
            .push_bind(limit(max));
        Ok(q.build_query_scalar::<String>()
            .fetch_all(self.pool())
            .await?)
    }

    /// Records what reading `url` gave: its article, or why there is none. The first record of a URL stays.
    /// The full-text index of the items linking there gains the article's lead.
    pub async fn save_article(
        &self,
        url: &str,
        outcome: Result<&Article, &str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let q = sqlx::query(
            "INSERT INTO articles (url, state, error, title, byline, published, lang, canonical_url, text, \
             fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO NOTHING",
        )
        .bind(url);
        let q = match outcome {
            Ok(a) => q
                .bind("read")
                .bind(None::<String>)
                .bind(&a.title)
                .bind(&a.byline)
                .bind(&a.published)
                .bind(&a.language)
                .bind(&a.canonical_url)
                .bind(&a.text),
            Err(why) => q
                .bind("failed")
                .bind(why)
                .bind(None::<String>)
                .bind(None::<String>)
                .bind(None::<String>)
                .bind(None::<String>)
                .bind(None::<String>)
                .bind(""),
        };
        let mut tx = self.write_tx().await?;
        let done = q.bind(to_secs(now)).execute(&mut *tx).await?;
        // /search finds an item by its article's lead too, as topic matching does.
        if let (Ok(a), 1) = (outcome, done.rows_affected()) {
            let rows: Vec<(i64, String, String, String)> =
                sqlx::query_as("SELECT id, title, snippet, body FROM items WHERE url = ?")
                    .bind(url)
                    .fetch_all(&mut *tx)
                    .await?;
            let lead = article_lead(&a.text);
            for (id, title, snippet, body) in rows {
                sqlx::query("UPDATE items_fts SET text = ? WHERE rowid = ?")
                    .bind(crate::text::fold(&format!(
                        "{title}\n{snippet}\n{body}\n{lead}"
                    )))
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        if let Ok(a) = outcome {
            merge_redirected(&mut tx, url, a).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Why reading `url` failed, if it was tried and failed.
    pub async fn article_error(&self, url: &str) -> Result<Option<String>, StoreError> {
        Ok(sqlx::query_scalar::<_, Option<String>>(
            "SELECT error FROM articles WHERE url = ? AND state = 'failed'",
        )
        .bind(url)
        .fetch_optional(self.pool())
        .await?
        .flatten())
    }

    /// Pages read and pages failed, over all time.
    pub async fn article_counts(&self) -> Result<ArticleCounts, StoreError> {
        Ok(sqlx::query_as::<_, ArticleCounts>(
            "SELECT COALESCE(SUM(state = 'read'), 0) AS read, COALESCE(SUM(state = 'failed'), 0) AS failed \
             FROM articles",
        )
        .fetch_one(self.pool())
        .await?)
    }
}
