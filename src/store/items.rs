//! The `items` table: entries read from sources, stored once per (source, guid).

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::sources::display_name;
use super::{
    Backend, DbOptTime, DbTime, Store, StoreError, builder, for_both_tx, id_in, limit, on, to_secs,
};
use crate::item::{Item, NewItem, url_key};

/// The columns an [`ItemRow`] is read from: `items i` joined with `sources s`.
pub(super) const SELECT_ITEMS: &str = "SELECT i.id, i.source_id, i.guid, i.url, i.title, i.author, i.published_at, \
     i.fetched_at, i.snippet, i.body, i.outlet, s.title AS source_title, s.url AS source_url, \
     s.kind AS source_kind, a.text AS article, a.canonical_url, \
     COALESCE(a.image_url, i.image_url) AS image_url";
/// Joins an item's source and its article (when its page was read), as [`SELECT_ITEMS`] needs.
pub(super) const JOIN_SOURCE: &str = "JOIN sources s ON s.id = i.source_id \
     LEFT JOIN articles a ON a.url = i.url AND a.state = 'read'";

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

/// Longest word the search index keeps, in bytes (PostgreSQL refuses lexemes past 2 KiB; nobody searches a
/// 200-byte word).
const FTS_MAX_WORD: usize = 200;
/// Words of one item the search index keeps at most.
const FTS_MAX_WORDS: usize = 20_000;

/// What the search index holds for a text, on both backends: its folded words (`text::words`) separated by
/// single spaces. FTS5 (unicode61) splits this back into exactly these words, and PostgreSQL's `items_fts.tsv`
/// is built from exactly these words, so both find the same items for the same prefixes.
pub(super) fn fts_text(text: &str) -> String {
    let mut out = String::new();
    for w in crate::text::words(text)
        .filter(|w| w.len() <= FTS_MAX_WORD)
        .take(FTS_MAX_WORDS)
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w);
    }
    out
}

/// An FTS5 expression as `Query::fts_prefilter` builds it (`"prefix"*` terms, `AND`, `OR`, parentheses) as
/// the same tsquery: `'prefix':*`, `&`, `|`. Anything else in the expression is dropped (it never holds more).
pub(super) fn fts_to_tsquery(fts: &str) -> String {
    let mut out = String::new();
    // After an operand or ')', another operand without an operator between is an implicit AND (as in FTS5).
    let mut after_operand = false;
    let mut chars = fts.chars().peekable();
    let operand = |out: &mut String, after: &mut bool, lexeme: &str, prefix: bool| {
        if *after {
            out.push_str(" & ");
        }
        out.push('\'');
        out.push_str(&lexeme.replace('\\', "\\\\").replace('\'', "''"));
        out.push('\'');
        if prefix {
            out.push_str(":*");
        }
        *after = true;
    };
    while let Some(c) = chars.next() {
        match c {
            '(' => {
                if after_operand {
                    out.push_str(" & ");
                }
                out.push('(');
                after_operand = false;
            }
            ')' => {
                out.push(')');
                after_operand = true;
            }
            '"' => {
                let lexeme: String = chars.by_ref().take_while(|&c| c != '"').collect();
                let prefix = chars.next_if_eq(&'*').is_some();
                operand(&mut out, &mut after_operand, &lexeme, prefix);
            }
            c if c.is_alphanumeric() => {
                let mut word = String::from(c);
                while let Some(n) = chars.next_if(|n| n.is_alphanumeric()) {
                    word.push(n);
                }
                match word.as_str() {
                    "AND" => {
                        out.push_str(" & ");
                        after_operand = false;
                    }
                    "OR" => {
                        out.push_str(" | ");
                        after_operand = false;
                    }
                    // A bare word, as FTS5 reads it (folded like the index).
                    _ => {
                        let prefix = chars.next_if_eq(&'*').is_some();
                        operand(
                            &mut out,
                            &mut after_operand,
                            &crate::text::fold(&word),
                            prefix,
                        );
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// One source's items for [`InsertItems::insert_batch`].
pub(super) struct ItemGroup<'a> {
    /// The source they were read from.
    pub source_id: i64,
    /// The items, in feed order.
    pub items: &'a [NewItem],
    /// Whether they are backlog (briefed on request, never pushed).
    pub backlog: bool,
    /// When they were fetched.
    pub now: DateTime<Utc>,
}

/// One item of a batch on its way in: its group, source, the item, and its page's key.
struct Entry<'a> {
    group: usize,
    source_id: i64,
    item: &'a NewItem,
    key: Option<String>,
}

/// Storing items inside a caller's transaction.
pub(super) trait InsertItems {
    /// Stores many sources' items with a few statements per [`INSERT_CHUNK`] items, whatever their sources:
    /// one lookup of what is stored already (this source's guid, or another source's item for the same page),
    /// the new items, their links to other sources' items for the same page, their search text. An item whose
    /// page another source already carries (stored before, or new earlier in this batch) becomes a link to
    /// that item. Returns, per group, how many were new to its source.
    async fn insert_batch(&mut self, groups: &[ItemGroup<'_>]) -> Result<Vec<usize>, sqlx::Error>;
}

for_both_tx!(InsertItems {
async fn insert_batch(&mut self, groups: &[ItemGroup<'_>]) -> Result<Vec<usize>, sqlx::Error> {
    use std::collections::{HashMap, HashSet};
    let mut added = vec![0usize; groups.len()];
    let entries: Vec<Entry<'_>> = groups
        .iter()
        .enumerate()
        .flat_map(|(g, group)| {
            group.items.iter().map(move |item| Entry {
                group: g,
                source_id: group.source_id,
                item,
                key: item.url.as_deref().map(url_key),
            })
        })
        .collect();
    // (source, guid) seen in this batch or stored: an item is stored once per source.
    let mut mine: HashSet<(i64, String)> = HashSet::new();
    // Pages new in this batch: key → the sources that store an item for it (first one first).
    let mut pending: HashMap<String, Vec<i64>> = HashMap::new();
    // Items new in this batch: (source, page key) → id.
    let mut ids: HashMap<(i64, String), i64> = HashMap::new();
    for chunk in entries.chunks(INSERT_CHUNK) {
        // What is stored already: each source's own copies (same guid), and any items for the same pages.
        let mut by_source: Vec<(i64, Vec<&str>)> = Vec::new();
        for e in chunk {
            match by_source.iter_mut().find(|(s, _)| *s == e.source_id) {
                Some((_, guids)) => guids.push(&e.item.guid),
                None => by_source.push((e.source_id, vec![&e.item.guid])),
            }
        }
        let mut q = QueryBuilder::new("SELECT id, source_id, guid, url_key FROM items WHERE ");
        for (n, (source, guids)) in by_source.iter().enumerate() {
            if n > 0 {
                q.push(" OR ");
            }
            q.push("(source_id = ").push_bind(*source).push(" AND guid IN (");
            let mut list = q.separated(", ");
            for guid in guids {
                list.push_bind(guid.to_string());
            }
            q.push("))");
        }
        let keys: HashSet<&String> = chunk.iter().filter_map(|e| e.key.as_ref()).collect();
        if !keys.is_empty() {
            q.push(" OR url_key IN (");
            let mut list = q.separated(", ");
            for key in keys {
                list.push_bind(key.clone());
            }
            q.push(")");
        }
        q.push(" ORDER BY id");
        let stored: Vec<(i64, i64, String, Option<String>)> =
            q.build_query_as().fetch_all(&mut **self).await?;
        // Stored items per page, oldest first.
        let asked: HashSet<(i64, &str)> = chunk
            .iter()
            .map(|e| (e.source_id, e.item.guid.as_str()))
            .collect();
        let mut pages: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
        for (id, source, guid, key) in stored {
            if asked.contains(&(source, guid.as_str())) {
                mine.insert((source, guid));
            }
            if let Some(key) = key {
                pages.entry(key).or_default().push((id, source));
            }
        }
        // Links to stored items: (group, source, item id); to items new in this batch: (group, source, the
        // other source, key).
        let mut links: Vec<(usize, i64, i64)> = Vec::new();
        let mut later: Vec<(usize, i64, i64, String)> = Vec::new();
        let mut fresh: Vec<&Entry<'_>> = Vec::new();
        for e in chunk {
            if !mine.insert((e.source_id, e.item.guid.clone())) {
                continue; // stored already, or twice in this feed
            }
            let Some(key) = &e.key else {
                fresh.push(e);
                continue;
            };
            let stored = pages
                .get(key)
                .and_then(|ids| ids.iter().find(|(_, s)| *s != e.source_id));
            let new_elsewhere = pending
                .get(key)
                .and_then(|sources| sources.iter().find(|s| **s != e.source_id));
            if let Some((id, _)) = stored {
                links.push((e.group, e.source_id, *id));
            } else if let Some(other) = new_elsewhere {
                later.push((e.group, e.source_id, *other, key.clone()));
            } else {
                pending.entry(key.clone()).or_default().push(e.source_id);
                fresh.push(e);
            }
        }
        // The new items.
        if !fresh.is_empty() {
            let mut q = QueryBuilder::new(
                "INSERT INTO items (source_id, guid, url, title, author, published_at, fetched_at, \
                 snippet, body, lang, backlog, outlet, url_key, image_url) ",
            );
            q.push_values(&fresh, |mut b, e| {
                let item = e.item;
                b.push_bind(e.source_id)
                    .push_bind(item.guid.clone())
                    .push_bind(item.url.clone())
                    .push_bind(item.title.clone())
                    .push_bind(item.author.clone())
                    .push_bind(item.published_at.map(to_secs))
                    .push_bind(to_secs(groups[e.group].now))
                    .push_bind(item.snippet.clone())
                    .push_bind(item.body.clone())
                    .push_bind(item.lang.clone())
                    .push_bind(i64::from(groups[e.group].backlog))
                    .push_bind(item.outlet.clone())
                    .push_bind(e.key.clone())
                    .push_bind(item.image.clone());
            });
            q.push(" ON CONFLICT (source_id, guid) DO NOTHING RETURNING id, source_id, guid");
            let inserted: Vec<(i64, i64, String)> = q.build_query_as().fetch_all(&mut **self).await?;
            let by_item: HashMap<(i64, &str), &Entry<'_>> = fresh
                .iter()
                .map(|e| ((e.source_id, e.item.guid.as_str()), *e))
                .collect();
            if !inserted.is_empty() {
                let mut q = QueryBuilder::new("INSERT INTO items_fts (rowid, text) ");
                q.push_values(&inserted, |mut b, (id, source, guid)| {
                    let text = by_item
                        .get(&(*source, guid.as_str()))
                        .map(|e| {
                            let i = e.item;
                            fts_text(&format!("{}\n{}\n{}", i.title, i.snippet, i.body))
                        })
                        .unwrap_or_default();
                    b.push_bind(*id).push_bind(text);
                });
                q.build().execute(&mut **self).await?;
            }
            for (id, source, guid) in inserted {
                if let Some(e) = by_item.get(&(source, guid.as_str())) {
                    added[e.group] += 1;
                    if let Some(key) = &e.key {
                        ids.insert((source, key.clone()), id);
                    }
                }
            }
        }
        // Links to pages another source stored in this batch (once that item has its id).
        for (group, source, other, key) in later {
            if let Some(id) = ids.get(&(other, key)) {
                links.push((group, source, *id));
            }
        }
        if !links.is_empty() {
            let mut q = QueryBuilder::new("INSERT INTO item_links (source_id, item_id, fetched_at, backlog) ");
            q.push_values(&links, |mut b, (group, source, item_id)| {
                b.push_bind(*source)
                    .push_bind(*item_id)
                    .push_bind(to_secs(groups[*group].now))
                    .push_bind(i64::from(groups[*group].backlog));
            });
            q.push(" ON CONFLICT (source_id, item_id) DO NOTHING RETURNING source_id, item_id");
            let linked: Vec<(i64, i64)> = q.build_query_as().fetch_all(&mut **self).await?;
            let group_of: HashMap<(i64, i64), usize> =
                links.iter().rev().map(|&(g, s, i)| ((s, i), g)).collect();
            for link in linked {
                if let Some(&group) = group_of.get(&link) {
                    added[group] += 1;
                }
            }
        }
    }
    Ok(added)
}
});

/// Items stored per round of statements (13 bound values each: well inside both engines' limits).
const INSERT_CHUNK: usize = 400;

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
mod tests {
    use super::*;
    use crate::store::test_util::temp_store;
    use chrono::Duration;

    /// Two sources polled in the same writer batch that carry the same new page (one with a tracking
    /// parameter) store it once: an item for the first, a link for the second; a guid twice in one feed is
    /// one item; the same batch again adds nothing.
    #[tokio::test]
    async fn one_batch_stores_a_page_two_sources_carry_once() {
        use crate::store::WriteTx;
        let (store, _dir) = temp_store().await;
        let now = Utc::now();
        let (a, b) = two_sources(&store, now).await;
        let page = |guid: &str, url: &str| NewItem {
            url: Some(url.into()),
            ..item(guid, "Ceasefire holds", 1)
        };
        let a_items = [
            page("a1", "https://news.example/story?utm_source=a"),
            page("a2", "https://news.example/other"),
        ];
        let b_items = [
            page("b1", "https://news.example/story"),
            page("b1", "https://news.example/story"),
            page("b2", "https://news.example/only-b"),
        ];
        let groups = [
            ItemGroup {
                source_id: a.id,
                items: &a_items,
                backlog: false,
                now,
            },
            ItemGroup {
                source_id: b.id,
                items: &b_items,
                backlog: true,
                now,
            },
        ];
        let batch = || async {
            on!(store, pool => {
                let mut tx = pool.write_tx().await?;
                let counts = tx.insert_batch(&groups).await?;
                tx.commit().await?;
                Ok::<_, sqlx::Error>(counts)
            })
        };
        assert_eq!(batch().await.unwrap(), [2, 2]);
        let (items, links): (i64, Vec<(i64, i64, i64)>) = async {
            on!(store, pool => {
                let items: i64 =
                    sqlx::query_scalar("SELECT count(*) FROM items").fetch_one(pool).await?;
                let links = sqlx::query_as(
                    "SELECT l.source_id, i.source_id, l.backlog FROM item_links l \
                     JOIN items i ON i.id = l.item_id",
                )
                .fetch_all(pool)
                .await?;
                Ok::<_, sqlx::Error>((items, links))
            })
        }
        .await
        .unwrap();
        assert_eq!(items, 3, "a1, a2 and b2");
        assert_eq!(
            links,
            [(b.id, a.id, 1)],
            "b's copy of the story links to a's item, as backlog"
        );
        assert_eq!(
            batch().await.unwrap(),
            [0, 0],
            "nothing new the second time"
        );
    }

    /// Feeds a and b.
    async fn two_sources(
        store: &Store,
        now: DateTime<Utc>,
    ) -> (crate::store::Source, crate::store::Source) {
        let add = |url: &'static str| store.upsert_source(url, "feed", now);
        (
            add("https://a.example/feed").await.unwrap(),
            add("https://b.example/feed").await.unwrap(),
        )
    }

    fn item(guid: &str, title: &str, age_h: i64) -> NewItem {
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
