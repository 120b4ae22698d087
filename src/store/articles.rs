//! The `articles` table: the page behind each item's link, read once per URL and shared by every item that
//! links to it.

use super::fts::fts_text;
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

/// Why a page could not be used, and whether the reason may pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageFailure<'a> {
    /// Why, in words.
    pub why: &'a str,
    /// A passing reason (a timeout, a network or DNS failure, a 5xx, a 429): the page is asked again later,
    /// with backoff. Otherwise (a 404, not a page, no article, a paywall stub) it is never asked again.
    pub passing: bool,
    /// The publisher's URL of the page, when it was had but held no article to use (a stub behind a
    /// provider's redirect): its items are still known as that page, so the same article from another
    /// provider or a feed is one entry, and the posted link is the publisher's.
    pub canonical: Option<&'a str>,
}

impl<'a> PageFailure<'a> {
    /// A failure for good.
    pub fn lasting(why: &'a str) -> Self {
        Self {
            why,
            passing: false,
            canonical: None,
        }
    }

    /// A failure that may pass.
    pub fn passing(why: &'a str) -> Self {
        Self {
            why,
            passing: true,
            canonical: None,
        }
    }
}

/// Tries of a page that keeps failing for passing reasons, at most; after the last it is left for good.
pub const MAX_PAGE_ATTEMPTS: i64 = 4;

/// How long after its `attempts`-th failed try a page whose failure may pass is asked again: 30 minutes, then
/// four times longer each time (2 h, 8 h); `None` once the tries are spent.
pub fn page_retry_after(attempts: i64) -> Option<chrono::Duration> {
    (1..MAX_PAGE_ATTEMPTS).contains(&attempts).then(|| {
        chrono::Duration::minutes(30) * 4_i32.pow(u32::try_from(attempts - 1).unwrap_or(0))
    })
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
    /// Links of stored items whose page has not been read (nor tried, or whose passing failure is due to be
    /// tried again at `now`), newest items first: of the given sources when `source_ids` is given, of sources of
    /// the kinds `only` when given (the providers whose links are redirects, read first), published (or first
    /// seen) at or after `since` when given. Only http(s) links.
    pub async fn unread_article_urls(
        &self,
        source_ids: Option<&[i64]>,
        since: Option<DateTime<Utc>>,
        max: usize,
        now: DateTime<Utc>,
        only: Option<&[&str]>,
    ) -> Result<Vec<String>, StoreError> {
        if source_ids.is_some_and(<[i64]>::is_empty) || only.is_some_and(<[&str]>::is_empty) {
            return Ok(Vec::new());
        }
        Ok(on!(self, pool => {
            let mut q = builder(
                pool,
                "SELECT i.url FROM items i JOIN sources s ON s.id = i.source_id WHERE i.url IS NOT NULL \
                 AND (i.url LIKE 'http://%' OR i.url LIKE 'https://%') \
                 AND NOT EXISTS (SELECT 1 FROM articles a WHERE a.url = i.url \
                 AND (a.retry_at IS NULL OR a.retry_at > ",
            );
            q.push_bind(to_secs(now)).push("))");
            if let Some(ids) = source_ids {
                q.push(" AND ");
                super::items::push_of_sources(&mut q, ids);
            }
            if let Some(since) = since {
                q.push(" AND COALESCE(i.published_at, i.fetched_at) >= ")
                    .push_bind(to_secs(since));
            }
            if let Some(kinds) = only {
                q.push(" AND s.kind IN (");
                let mut list = q.separated(", ");
                for kind in kinds {
                    list.push_bind(*kind);
                }
                q.push(")");
            }
            q.push(" GROUP BY i.url ORDER BY MAX(COALESCE(i.published_at, i.fetched_at)) DESC LIMIT ")
                .push_bind(limit(max));
            q.build_query_scalar::<String>().fetch_all(pool).await
        })?)
    }

    /// Records what reading `url` gave: its article, or why there is none. The first record of a URL stays,
    /// unless it is a passing failure due to be tried again: then this try's outcome replaces it (a failure
    /// that may pass again is tried again after [`page_retry_after`]). The full-text index of the items linking
    /// there gains the article's lead.
    pub async fn save_article(
        &self,
        url: &str,
        outcome: Result<&Article, PageFailure<'_>>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (state, error, read, canonical) = match outcome {
            Ok(a) => ("read", None, Some(a), a.canonical_url.as_deref()),
            Err(f) => ("failed", Some(f.why), None, f.canonical),
        };
        let passing = outcome.is_err_and(|f| f.passing);
        on!(self, pool => {
            let mut tx = pool.write_tx().await?;
            let before: Option<(String, i64, Option<i64>)> =
                sqlx::query_as("SELECT state, attempts, retry_at FROM articles WHERE url = $1")
                    .bind(url)
                    .fetch_optional(&mut *tx)
                    .await?;
            // This try's number, or none when the record there stays.
            let attempt = match before {
                None => Some(1),
                Some((state, attempts, Some(due))) if state == "failed" && due <= to_secs(now) => {
                    Some(attempts + 1)
                }
                Some(_) => None,
            };
            let retry_at = attempt
                .filter(|_| passing)
                .and_then(page_retry_after)
                .map(|wait| to_secs(now + wait));
            let done = sqlx::query(
                "INSERT INTO articles (url, state, error, title, byline, published, lang, canonical_url, \
                 text, fetched_at, site_name, image_url, image_width, image_height, attempts, retry_at) \
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16 WHERE $17 \
                 ON CONFLICT (url) DO UPDATE SET state = excluded.state, error = excluded.error, \
                 title = excluded.title, byline = excluded.byline, published = excluded.published, \
                 lang = excluded.lang, canonical_url = excluded.canonical_url, text = excluded.text, \
                 fetched_at = excluded.fetched_at, site_name = excluded.site_name, \
                 image_url = excluded.image_url, image_width = excluded.image_width, \
                 image_height = excluded.image_height, attempts = excluded.attempts, \
                 retry_at = excluded.retry_at \
                 WHERE articles.state = 'failed' AND articles.retry_at IS NOT NULL",
            )
            .bind(url)
            .bind(state)
            .bind(error)
            .bind(read.map(|a| a.title.as_str()))
            .bind(read.and_then(|a| a.byline.as_deref()))
            .bind(read.and_then(|a| a.published.as_deref()))
            .bind(read.and_then(|a| a.language.as_deref()))
            .bind(canonical)
            .bind(read.map_or("", |a| a.text.as_str()))
            .bind(to_secs(now))
            .bind(read.and_then(|a| a.site_name.as_deref()))
            .bind(read.and_then(|a| a.image.as_ref()).map(|i| i.url.as_str()))
            .bind(read.and_then(|a| a.image.as_ref()?.width).map(i64::from))
            .bind(read.and_then(|a| a.image.as_ref()?.height).map(i64::from))
            .bind(attempt.unwrap_or(1))
            .bind(retry_at)
            .bind(attempt.is_some())
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

    /// Whether `url`'s page needs no reading at `now`: it is read, or it failed and is not due to be tried again.
    pub async fn article_settled(&self, url: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(on!(self, pool => {
            sqlx::query_scalar::<_, bool>(
                "SELECT EXISTS (SELECT 1 FROM articles WHERE url = $1 \
                 AND (retry_at IS NULL OR retry_at > $2))",
            )
            .bind(url)
            .bind(to_secs(now))
            .fetch_one(pool)
            .await
        })?)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::NewItem;
    use crate::store::items::tests::item;
    use crate::store::test_util::temp_store;
    use chrono::{Duration, TimeZone};

    /// A page that failed for a passing reason is asked again after 30 minutes, then 2 hours, until it is read or
    /// its tries are spent; one that failed for good (a 404) is never asked again; a record is replaced only by
    /// a try that was due.
    #[tokio::test]
    async fn a_page_that_failed_for_a_passing_reason_is_asked_again_with_backoff() {
        let (store, _dir) = temp_store().await;
        let t0 = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
        let feed = store
            .upsert_source("https://a.example/feed", "feed", t0)
            .await
            .unwrap();
        let items: Vec<NewItem> = ["slow", "gone"]
            .iter()
            .map(|g| NewItem {
                url: Some(format!("https://a.example/{g}")),
                published_at: Some(t0),
                ..item(g, &format!("Story {g}"), 0)
            })
            .collect();
        store
            .insert_items(feed.id, &items, false, t0)
            .await
            .unwrap();
        let unread = |at: DateTime<Utc>| {
            let store = store.clone();
            async move {
                store
                    .unread_article_urls(None, None, 10, at, None)
                    .await
                    .unwrap()
            }
        };
        let slow = "https://a.example/slow";
        assert_eq!(unread(t0).await.len(), 2);
        store
            .save_article(slow, Err(PageFailure::passing("timed out")), t0)
            .await
            .unwrap();
        store
            .save_article(
                "https://a.example/gone",
                Err(PageFailure::lasting("server answered HTTP 404")),
                t0,
            )
            .await
            .unwrap();
        assert!(unread(t0).await.is_empty());
        assert!(unread(t0 + Duration::minutes(29)).await.is_empty());
        assert_eq!(unread(t0 + Duration::minutes(30)).await, [slow]);

        // A second try that fails again waits four times longer.
        let t1 = t0 + Duration::minutes(30);
        store
            .save_article(
                slow,
                Err(PageFailure::passing("server answered HTTP 503")),
                t1,
            )
            .await
            .unwrap();
        assert_eq!(
            store.article_error(slow).await.unwrap().as_deref(),
            Some("server answered HTTP 503")
        );
        assert!(unread(t1 + Duration::minutes(119)).await.is_empty());
        assert_eq!(unread(t1 + Duration::hours(2)).await, [slow]);
        // Another reader's outcome before it is due changes nothing.
        store
            .save_article(slow, Err(PageFailure::passing("timed out")), t1)
            .await
            .unwrap();
        assert_eq!(
            store.article_error(slow).await.unwrap().as_deref(),
            Some("server answered HTTP 503")
        );

        // The third try reads it: the article is stored, and nothing is left to ask.
        let article = Article {
            title: "Story slow".into(),
            byline: None,
            site_name: None,
            published: None,
            language: None,
            canonical_url: None,
            image: None,
            text: "The full article, read at last.".into(),
        };
        let t2 = t1 + Duration::hours(2);
        store.save_article(slow, Ok(&article), t2).await.unwrap();
        assert_eq!(store.article_error(slow).await.unwrap(), None);
        assert!(unread(t2 + Duration::days(30)).await.is_empty());
        assert_eq!(store.article_counts().await.unwrap().read, 1);

        // The tries are bounded: 30 min, 2 h, 8 h, then never again.
        assert_eq!(page_retry_after(1), Some(Duration::minutes(30)));
        assert_eq!(page_retry_after(2), Some(Duration::hours(2)));
        assert_eq!(page_retry_after(3), Some(Duration::hours(8)));
        assert_eq!(page_retry_after(MAX_PAGE_ATTEMPTS), None);
    }

    /// A page had but not used (a stub behind a provider's redirect) still names where it is: its item reads
    /// as that page (so the publisher's own link to it is the same article, and is what gets posted), with no
    /// article text and no image.
    #[tokio::test]
    async fn a_stub_behind_a_redirect_is_known_by_the_page_it_landed_on() {
        let (store, _dir) = temp_store().await;
        let t0 = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
        let feed = store
            .upsert_source("https://news.example/rss/search?q=x", "google", t0)
            .await
            .unwrap();
        let redirect = "https://news.example/rss/articles/CBMi123";
        let found = NewItem {
            url: Some(redirect.into()),
            published_at: Some(t0),
            ..item("g1", "Planes delayed", 0)
        };
        store
            .insert_items(feed.id, &[found], false, t0)
            .await
            .unwrap();
        let stub = PageFailure {
            canonical: Some("https://outlet.example/planes"),
            ..PageFailure::lasting("the article is only 26 words (a paywall or a stub?)")
        };
        store.save_article(redirect, Err(stub), t0).await.unwrap();
        let items = store.items_of_sources(&[feed.id], None, 10).await.unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(
            items[0].canonical_url.as_deref(),
            Some("https://outlet.example/planes")
        );
        assert_eq!(
            (items[0].article.as_str(), items[0].image.as_deref()),
            ("", None)
        );
    }
}
