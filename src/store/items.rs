//! The `items` table: entries read from sources, stored once per (source, guid).

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::fts::fts_to_tsquery;
use super::sources::display_name;
use super::{Backend, DbOptTime, DbTime, Store, StoreError, builder, id_in, limit, on, to_secs};
use crate::item::{Item, NewItem};

/// The columns an [`ItemRow`] is read from: `items i` joined with `sources s`.
pub(super) const SELECT_ITEMS: &str = "SELECT i.id, i.source_id, i.guid, i.url, i.title, i.author, i.published_at, \
     i.fetched_at, i.snippet, i.body, i.outlet, s.title AS source_title, s.url AS source_url, \
     s.kind AS source_kind, a.text AS article, a.canonical_url, \
     COALESCE(a.image_url, i.image_url) AS image_url";
/// Joins an item's source and its article, as [`SELECT_ITEMS`] needs: the text and image of a page read, and
/// the canonical URL of any page had (a failed page's text is empty and its image none).
pub(super) const JOIN_SOURCE: &str = "JOIN sources s ON s.id = i.source_id \
     LEFT JOIN articles a ON a.url = i.url";

/// The ids of a channel's sources, binding the server as `$1` and the channel as `$2`: the feeds its server
/// added and the searches of its subscriptions.
pub(super) const CHANNEL_SOURCES: &str = "SELECT source_id FROM guild_sources WHERE guild_id = $1 \
     UNION SELECT ss.source_id FROM subscription_searches ss \
     JOIN subscriptions sub ON sub.id = ss.subscription_id WHERE sub.channel_id = $2";

/// An item row as sqlx maps it; its source's title and URL become the item's `source_name`.
#[derive(sqlx::FromRow)]
pub(super) struct ItemRow {
    id: i64,
    source_id: i64,
    guid: String,
    url: Option<String>,
    title: String,
    author: Option<String>,
    #[sqlx(try_from = "DbOptTime")]
    published_at: Option<DateTime<Utc>>,
    #[sqlx(try_from = "DbTime")]
    fetched_at: DateTime<Utc>,
    snippet: String,
    body: String,
    outlet: Option<String>,
    source_title: Option<String>,
    source_url: String,
    source_kind: String,
    article: Option<String>,
    canonical_url: Option<String>,
    image_url: Option<String>,
}

impl From<ItemRow> for Item {
    fn from(r: ItemRow) -> Self {
        Item {
            id: r.id,
            source_id: r.source_id,
            source_name: match r.outlet.filter(|o| !o.trim().is_empty()) {
                Some(outlet) => outlet,
                None => display_name(r.source_title.as_deref(), &r.source_url),
            },
            guid: r.guid,
            url: r.url,
            title: r.title,
            author: r.author,
            published_at: r.published_at,
            fetched_at: r.fetched_at,
            snippet: r.snippet,
            body: r.body,
            article: r.article.unwrap_or_default(),
            canonical_url: r.canonical_url,
            image: r.image_url,
            from_search: r.source_kind != "feed",
        }
    }
}

/// Pushes "item `i` came from one of `source_ids`": stored under one, or linked to one (`item_links`).
pub(super) fn push_of_sources<'a, DB>(q: &mut QueryBuilder<'a, DB>, source_ids: &[i64])
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    q.push("(i.source_id IN (");
    let mut ids = q.separated(", ");
    for id in source_ids {
        ids.push_bind(*id);
    }
    q.push(") OR EXISTS (SELECT 1 FROM item_links l WHERE l.item_id = i.id AND l.source_id IN (");
    let mut ids = q.separated(", ");
    for id in source_ids {
        ids.push_bind(*id);
    }
    q.push(")))");
}

pub(super) fn items(rows: Vec<ItemRow>) -> Vec<Item> {
    rows.into_iter().map(Item::from).collect()
}

impl Store {
    /// Stores the items of one source in one transaction; those already stored (same guid) are left as they
    /// were. An item whose link names an article another source already stored (same [`url_key`]) is not
    /// stored twice: this source is linked to the stored item instead (`item_links`), and it counts as new for
    /// this source. `backlog` marks them as what the source held before herald first read it: kept for
    /// /briefing and /search, never pushed by the scheduler. Returns how many were new.
    pub async fn insert_items(
        &self,
        source_id: i64,
        items: &[NewItem],
        backlog: bool,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        if items.is_empty() {
            return Ok(0);
        }
        self.writer
            .write(super::jobs::Work::Items {
                source_id,
                items: items.to_vec(),
                backlog,
                now,
            })
            .await
    }

    /// Items of the given sources, newest first, published (or first seen) at or after `since` when given.
    pub async fn items_of_sources(
        &self,
        source_ids: &[i64],
        since: Option<DateTime<Utc>>,
        max: usize,
    ) -> Result<Vec<Item>, StoreError> {
        if source_ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = on!(self, pool => {
            let mut q = builder(pool, format!("{SELECT_ITEMS} FROM items i {JOIN_SOURCE} WHERE "));
            push_of_sources(&mut q, source_ids);
            if let Some(since) = since {
                q.push(" AND COALESCE(i.published_at, i.fetched_at) >= ")
                    .push_bind(to_secs(since));
            }
            q.push(" ORDER BY COALESCE(i.published_at, i.fetched_at) DESC, i.id DESC LIMIT ")
                .push_bind(limit(max));
            q.build_query_as::<ItemRow>().fetch_all(pool).await
        })?;
        Ok(items(rows))
    }
}

impl Store {
    /// What a channel's scheduled briefing may hold: items first seen at or after `since` by one of the
    /// channel's sources (its server's feeds and its subscriptions' searches), not as backlog, and never
    /// briefed to this channel before; newest first.
    pub async fn fresh_items_for_channel(
        &self,
        guild_id: u64,
        channel_id: u64,
        since: DateTime<Utc>,
        max: usize,
    ) -> Result<Vec<Item>, StoreError> {
        let rows = on!(self, pool => sqlx::query_as::<_, ItemRow>(&format!(
            "WITH src(id) AS ({CHANNEL_SOURCES}), \
             seen(item_id) AS ( \
               SELECT i.id FROM items i WHERE i.source_id IN (SELECT id FROM src) \
                 AND i.fetched_at >= $3 AND i.backlog = 0 \
               UNION SELECT l.item_id FROM item_links l WHERE l.source_id IN (SELECT id FROM src) \
                 AND l.fetched_at >= $3 AND l.backlog = 0) \
             {SELECT_ITEMS} FROM seen JOIN items i ON i.id = seen.item_id {JOIN_SOURCE} \
             WHERE NOT EXISTS (SELECT 1 FROM delivered_items d WHERE d.channel_id = $2 AND d.item_id = i.id) \
             ORDER BY COALESCE(i.published_at, i.fetched_at) DESC, i.id DESC LIMIT $4"
        ))
        .bind(id_in(guild_id))
        .bind(id_in(channel_id))
        .bind(to_secs(since))
        .bind(limit(max))
        .fetch_all(pool)
        .await)?;
        Ok(items(rows))
    }

    /// Items briefed to a channel by deliveries due at or after `since`, newest slot first.
    pub async fn delivered_items_since(
        &self,
        channel_id: u64,
        since: DateTime<Utc>,
        max: usize,
    ) -> Result<Vec<Item>, StoreError> {
        let rows = on!(self, pool => sqlx::query_as::<_, ItemRow>(&format!(
            "{SELECT_ITEMS} FROM delivered_items d JOIN deliveries v ON v.id = d.delivery_id \
             JOIN items i ON i.id = d.item_id {JOIN_SOURCE} \
             WHERE d.channel_id = $1 AND v.due_at >= $2 ORDER BY v.due_at DESC, i.id DESC LIMIT $3"
        ))
        .bind(id_in(channel_id))
        .bind(to_secs(since))
        .bind(limit(max))
        .fetch_all(pool)
        .await)?;
        Ok(items(rows))
    }

    /// Items whose text matches the FTS5 expression `fts` (build it with `Query::fts_prefilter`), newest first,
    /// published (or first seen) at or after `since` when given.
    pub async fn search_items(
        &self,
        fts: &str,
        since: Option<DateTime<Utc>>,
        max: usize,
    ) -> Result<Vec<Item>, StoreError> {
        // FTS5 matches its expression; PostgreSQL the same expression as a tsquery over the same words.
        let (matches, fts) = match self.backend() {
            Backend::Sqlite => ("items_fts MATCH $1", fts.to_owned()),
            Backend::Postgres => ("f.tsv @@ $1::tsquery", fts_to_tsquery(fts)),
        };
        let rows = on!(self, pool => sqlx::query_as::<_, ItemRow>(&format!(
            "{SELECT_ITEMS} FROM items_fts f JOIN items i ON i.id = f.rowid {JOIN_SOURCE} \
             WHERE {matches} AND COALESCE(i.published_at, i.fetched_at) >= $2 \
             ORDER BY COALESCE(i.published_at, i.fetched_at) DESC, i.id DESC LIMIT $3"
        ))
        .bind(fts)
        .bind(since.map_or(i64::MIN, to_secs))
        .bind(limit(max))
        .fetch_all(pool)
        .await)?;
        Ok(items(rows))
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::store::test_util::temp_store;
    use chrono::Duration;

    /// Feeds a and b.
    pub(crate) async fn two_sources(
        store: &Store,
        now: DateTime<Utc>,
    ) -> (crate::store::Source, crate::store::Source) {
        let add = |url: &'static str| store.upsert_source(url, "feed", now);
        (
            add("https://a.example/feed").await.unwrap(),
            add("https://b.example/feed").await.unwrap(),
        )
    }

    pub(crate) fn item(guid: &str, title: &str, age_h: i64) -> NewItem {
        NewItem {
            guid: guid.into(),
            url: Some(format!("https://example.org/{guid}")),
            title: title.into(),
            author: None,
            published_at: Some(Utc::now() - Duration::hours(age_h)),
            snippet: "s".into(),
            body: String::new(),
            lang: None,
            outlet: None,
            image: None,
        }
    }

    #[tokio::test]
    async fn stored_once_per_source_and_guid_newest_first() {
        let (store, _dir) = temp_store().await;
        let now = Utc::now();
        let (a, b) = two_sources(&store, now).await;
        let batch = [item("1", "old", 48), item("2", "new", 1)];
        assert_eq!(
            store.insert_items(a.id, &batch, false, now).await.unwrap(),
            2
        );
        assert_eq!(
            store.insert_items(a.id, &batch, false, now).await.unwrap(),
            0,
            "same guids again"
        );
        assert_eq!(
            store
                .insert_items(b.id, &batch[..1], false, now)
                .await
                .unwrap(),
            1,
            "other source"
        );

        let all = store.items_of_sources(&[a.id], None, 100).await.unwrap();
        assert_eq!(
            all.iter().map(|i| i.title.as_str()).collect::<Vec<_>>(),
            ["new", "old"]
        );
        assert_eq!(all[0].source_name, "a.example");
        let recent = store
            .items_of_sources(&[a.id, b.id], Some(now - Duration::hours(24)), 100)
            .await
            .unwrap();
        assert_eq!(recent.len(), 1);
        assert!(
            store
                .items_of_sources(&[], None, 10)
                .await
                .unwrap()
                .is_empty()
        );
    }

    #[tokio::test]
    async fn one_article_from_two_sources_is_one_item_seen_by_both() {
        let (store, _dir) = temp_store().await;
        let now = Utc::now();
        let feed = store
            .upsert_source("https://a.example/feed", "feed", now)
            .await
            .unwrap();
        let search = store
            .upsert_source("https://search.example/?q=x", "bing", now)
            .await
            .unwrap();
        store.add_guild_source(1, feed.id, 1, now).await.unwrap();
        assert_eq!(
            store
                .insert_items(feed.id, &[item("1", "Talks", 1)], false, now)
                .await
                .unwrap(),
            1
        );
        // The provider's copy of the same page (tracking parameters and all) links to the stored item.
        let mut copy = item("bing-1", "Talks (from Bing)", 1);
        copy.url = Some("https://www.example.org/1/?utm_source=bing".into());
        copy.outlet = Some("Example Times".into());
        let later = now + Duration::minutes(5);
        assert_eq!(
            store
                .insert_items(search.id, std::slice::from_ref(&copy), true, later)
                .await
                .unwrap(),
            1,
            "new for the search"
        );
        assert_eq!(
            store
                .insert_items(search.id, &[copy], true, later)
                .await
                .unwrap(),
            0,
            "and only once"
        );
        let seen = store
            .items_of_sources(&[search.id], None, 10)
            .await
            .unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(
            (seen[0].title.as_str(), seen[0].source_name.as_str()),
            ("Talks", "a.example"),
            "the stored item, as its first source told it"
        );
        assert_eq!(
            store
                .items_of_sources(&[feed.id, search.id], None, 10)
                .await
                .unwrap()
                .len(),
            1
        );
        let n: i64 = on!(store, pool => sqlx::query_scalar("SELECT COUNT(*) FROM items")
            .fetch_one(pool)
            .await)
        .unwrap();
        assert_eq!(n, 1);
        // A channel sees it once, through the feed its server added.
        let fresh = store
            .fresh_items_for_channel(1, 10, now - Duration::hours(1), 10)
            .await
            .unwrap();
        assert_eq!(fresh.len(), 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writers_wait_instead_of_failing_locked() {
        let (store, _dir) = temp_store().await;
        let now = Utc::now();
        let mut tasks = Vec::new();
        for n in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                let s = store
                    .upsert_source(&format!("https://s{n}.example/feed"), "feed", now)
                    .await?;
                let batch: Vec<NewItem> =
                    (0..50).map(|k| item(&format!("{n}-{k}"), "t", 1)).collect();
                store.insert_items(s.id, &batch, false, now).await
            }));
        }
        for t in tasks {
            assert_eq!(t.await.unwrap().unwrap(), 50);
        }
    }

    #[tokio::test]
    async fn full_text_search_finds_inflections_and_folds_diacritics() {
        use crate::query::{Haystack, Query};
        let (store, _dir) = temp_store().await;
        let now = Utc::now();
        let a = store
            .upsert_source("https://a.example/feed", "feed", now)
            .await
            .unwrap();
        let batch = [
            item("1", "Two ceasefires collapsed overnight", 2),
            item("2", "Делегація України прибула до Стамбула", 1),
            item("3", "Football results", 3),
        ];
        store.insert_items(a.id, &batch, false, now).await.unwrap();
        let search = |q: &str| {
            let query = Query::parse(q).unwrap();
            let store = store.clone();
            async move {
                let found = store
                    .search_items(&query.fts_prefilter(), None, 50)
                    .await
                    .unwrap();
                found
                    .into_iter()
                    .filter(|i| query.matches(&Haystack::new(&i.title, &i.match_text())))
                    .map(|i| i.guid)
                    .collect::<Vec<_>>()
            }
        };
        assert_eq!(search("ceasefire").await, ["1"]);
        assert_eq!(search("Україна").await, ["2"]);
        assert_eq!(
            search("ceasefire OR україна").await,
            ["2", "1"],
            "newest first"
        );
        assert!(search("ceasefire -collapsed").await.is_empty());
    }
}
