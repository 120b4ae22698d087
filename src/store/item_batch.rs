//! Storing many sources' items in one transaction, a few statements per [`INSERT_CHUNK`] items: what is stored
//! already is looked up, each item planned (new, a link to another source's item for the same page, or
//! nothing), then the new items, their search text and the links written. The planning is plain Rust
//! ([`Batch`]); only the statements' execution is written per backend.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::fts::fts_text;
use super::{for_both_tx, to_secs};
use crate::item::{NewItem, url_key};

/// Items stored per round of statements (14 bound values each: well inside both engines' limits).
const INSERT_CHUNK: usize = 400;

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
        let entries = entries(groups);
        let mut batch = Batch::new(groups);
        for chunk in entries.chunks(INSERT_CHUNK) {
            let mut stored: Vec<StoredRow> = lookup(QueryBuilder::new(""), chunk)
                .build_query_as()
                .fetch_all(&mut **self)
                .await?;
            if let Some(mut q) = pages_lookup(QueryBuilder::new(""), chunk) {
                stored.extend(q.build_query_as::<StoredRow>().fetch_all(&mut **self).await?);
            }
            let stored = oldest_first(stored);
            let mut plan = batch.plan(chunk, stored);
            if let Some(mut q) = batch.insert(&plan.fresh) {
                let inserted = q.build_query_as().fetch_all(&mut **self).await?;
                if let Some(mut q) = search_text(&plan.fresh, &inserted) {
                    q.build().execute(&mut **self).await?;
                }
                batch.inserted(&plan.fresh, inserted);
            }
            batch.resolve(&mut plan);
            if let Some(mut q) = batch.link(&plan.links) {
                let linked = q.build_query_as().fetch_all(&mut **self).await?;
                batch.linked(&plan.links, linked);
            }
        }
        Ok(batch.added)
    }
});

/// One item of a batch on its way in: its group, source, the item, and its page's key.
struct Entry<'a> {
    group: usize,
    source_id: i64,
    item: &'a NewItem,
    key: Option<String>,
}

/// Every group's items, in order, each with its page's key.
fn entries<'a>(groups: &'a [ItemGroup<'a>]) -> Vec<Entry<'a>> {
    groups
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
        .collect()
}

/// A stored item the lookup found: id, source, guid, page key.
type StoredRow = (i64, i64, String, Option<String>);
/// A link to write: (group, source, the item it links to).
type Link = (usize, i64, i64);

/// What to do with one chunk's entries.
struct Plan<'e, 'a> {
    /// New items.
    fresh: Vec<&'e Entry<'a>>,
    /// Links to items stored before or inserted earlier.
    links: Vec<Link>,
    /// Links to items new in this batch, by (group, source, the other source, key), resolved once that item
    /// has its id.
    later: Vec<(usize, i64, i64, String)>,
}

/// What a batch has seen and done so far, across its chunks.
struct Batch<'g> {
    groups: &'g [ItemGroup<'g>],
    /// Per group, how many items were new to its source.
    added: Vec<usize>,
    /// (source, guid) seen in this batch or stored: an item is stored once per source.
    mine: HashSet<(i64, String)>,
    /// Pages new in this batch: key → the sources that store an item for it (first one first).
    pending: HashMap<String, Vec<i64>>,
    /// Items new in this batch: (source, page key) → id.
    ids: HashMap<(i64, String), i64>,
}

/// The lookup of each source's own copies of a chunk's items (same guid). Its plan needs no statistics: every
/// arm names the whole key of the unique (source, guid) index. `q` is the statement so far (empty, or a
/// test's `EXPLAIN`).
fn lookup<'q, DB>(mut q: QueryBuilder<'q, DB>, chunk: &[Entry<'_>]) -> QueryBuilder<'q, DB>
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let mut by_source: Vec<(i64, Vec<&str>)> = Vec::new();
    for e in chunk {
        match by_source.iter_mut().find(|(s, _)| *s == e.source_id) {
            Some((_, guids)) => guids.push(&e.item.guid),
            None => by_source.push((e.source_id, vec![&e.item.guid])),
        }
    }
    q.push("SELECT id, source_id, guid, url_key FROM items WHERE ");
    for (n, (source, guids)) in by_source.iter().enumerate() {
        if n > 0 {
            q.push(" OR ");
        }
        q.push("(source_id = ")
            .push_bind(*source)
            .push(" AND guid IN (");
        let mut list = q.separated(", ");
        for guid in guids {
            list.push_bind(guid.to_string());
        }
        q.push("))");
    }
    q
}

/// The lookup of the items stored for a chunk's pages (any source), or `None` when no item has a page; `q`
/// as for [`lookup`].
fn pages_lookup<'q, DB: PagesLookup>(
    mut q: QueryBuilder<'q, DB>,
    chunk: &[Entry<'_>],
) -> Option<QueryBuilder<'q, DB>> {
    let keys: HashSet<&String> = chunk.iter().filter_map(|e| e.key.as_ref()).collect();
    if keys.is_empty() {
        return None;
    }
    let mut keys: Vec<String> = keys.into_iter().cloned().collect();
    keys.sort_unstable();
    DB::push_pages(&mut q, keys);
    Some(q)
}

/// Items stored per page that [`pages_lookup`] reads, oldest first: a page is one item, with more only where
/// one source carries it under several guids or a page read later turned out to be another's, so the oldest
/// few always include the other source's item an entry links to.
const ITEMS_PER_PAGE: i64 = 8;

/// The shape of the pages lookup on each backend.
pub(super) trait PagesLookup: sqlx::Database {
    /// Adds the query of the items stored for `keys` (sorted, distinct), as [`StoredRow`]s, to `q`.
    fn push_pages<'q>(q: &mut QueryBuilder<'q, Self>, keys: Vec<String>);
}

impl PagesLookup for sqlx::Sqlite {
    /// `url_key IN (…)`: SQLite's planner takes the `(url_key, id)` index for it without statistics.
    fn push_pages<'q>(q: &mut QueryBuilder<'q, Self>, keys: Vec<String>) {
        q.push("SELECT id, source_id, guid, url_key FROM items WHERE url_key IN (");
        let mut list = q.separated(", ");
        for key in keys {
            list.push_bind(key);
        }
        q.push(") ORDER BY id");
    }
}

impl PagesLookup for sqlx::Postgres {
    /// One index probe per page, whatever the planner knows: a table never analysed makes `url_key IN (…)`
    /// look like a fifth of the table per 40 keys, and the planner scanned all of it for every chunk (72–250 ms
    /// a lookup on 200,000 items, against 4 ms for 800 keys with this shape). The probe is the only plan a lateral join to
    /// an ordered, limited subquery of the outer key has, and the `(url_key, id)` index serves it in order.
    fn push_pages<'q>(q: &mut QueryBuilder<'q, Self>, keys: Vec<String>) {
        q.push("SELECT i.id, i.source_id, i.guid, i.url_key FROM unnest(")
            .push_bind(keys)
            .push("::text[]) AS k(key) CROSS JOIN LATERAL (SELECT id, source_id, guid, url_key FROM items ")
            .push("WHERE url_key = k.key ORDER BY id LIMIT ")
            .push(ITEMS_PER_PAGE)
            .push(") i");
    }
}

/// Both lookups' rows as one list, each item once, oldest first.
fn oldest_first(mut rows: Vec<StoredRow>) -> Vec<StoredRow> {
    rows.sort_unstable_by_key(|r| r.0);
    rows.dedup_by_key(|r| r.0);
    rows
}

/// The search text of the items just inserted (`inserted`: id, source, guid).
fn search_text<'q, DB>(
    fresh: &[&Entry<'_>],
    inserted: &[(i64, i64, String)],
) -> Option<QueryBuilder<'q, DB>>
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    if inserted.is_empty() {
        return None;
    }
    let by_item = by_item(fresh);
    let mut q = QueryBuilder::new("INSERT INTO items_fts (rowid, text) ");
    q.push_values(inserted, |mut b, (id, source, guid)| {
        let text = by_item
            .get(&(*source, guid.as_str()))
            .map(|e| {
                let i = e.item;
                fts_text(&format!("{}\n{}\n{}", i.title, i.snippet, i.body))
            })
            .unwrap_or_default();
        b.push_bind(*id).push_bind(text);
    });
    Some(q)
}

/// New entries by (source, guid).
fn by_item<'e, 'a>(fresh: &[&'e Entry<'a>]) -> HashMap<(i64, &'e str), &'e Entry<'a>> {
    fresh
        .iter()
        .map(|e| ((e.source_id, e.item.guid.as_str()), *e))
        .collect()
}

impl<'g> Batch<'g> {
    fn new(groups: &'g [ItemGroup<'g>]) -> Self {
        Self {
            groups,
            added: vec![0; groups.len()],
            mine: HashSet::new(),
            pending: HashMap::new(),
            ids: HashMap::new(),
        }
    }

    /// Plans a chunk from what the lookup found stored.
    fn plan<'e, 'a>(&mut self, chunk: &'e [Entry<'a>], stored: Vec<StoredRow>) -> Plan<'e, 'a> {
        // Stored items per page, oldest first.
        let asked: HashSet<(i64, &str)> = chunk
            .iter()
            .map(|e| (e.source_id, e.item.guid.as_str()))
            .collect();
        let mut pages: HashMap<String, Vec<(i64, i64)>> = HashMap::new();
        for (id, source, guid, key) in stored {
            if asked.contains(&(source, guid.as_str())) {
                self.mine.insert((source, guid));
            }
            if let Some(key) = key {
                pages.entry(key).or_default().push((id, source));
            }
        }
        let mut plan = Plan {
            fresh: Vec::new(),
            links: Vec::new(),
            later: Vec::new(),
        };
        for e in chunk {
            if !self.mine.insert((e.source_id, e.item.guid.clone())) {
                continue; // stored already, or twice in this feed
            }
            let Some(key) = &e.key else {
                plan.fresh.push(e);
                continue;
            };
            let stored = pages
                .get(key)
                .and_then(|ids| ids.iter().find(|(_, s)| *s != e.source_id));
            let new_elsewhere = self
                .pending
                .get(key)
                .and_then(|sources| sources.iter().find(|s| **s != e.source_id));
            if let Some((id, _)) = stored {
                plan.links.push((e.group, e.source_id, *id));
            } else if let Some(other) = new_elsewhere {
                plan.later.push((e.group, e.source_id, *other, key.clone()));
            } else {
                self.pending
                    .entry(key.clone())
                    .or_default()
                    .push(e.source_id);
                plan.fresh.push(e);
            }
        }
        plan
    }

    /// The insert of the new items, returning (id, source, guid) of each stored.
    fn insert<'q, DB>(&self, fresh: &[&Entry<'_>]) -> Option<QueryBuilder<'q, DB>>
    where
        DB: sqlx::Database,
        i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        if fresh.is_empty() {
            return None;
        }
        let mut q = QueryBuilder::new(
            "INSERT INTO items (source_id, guid, url, title, author, published_at, fetched_at, snippet, body, \
             lang, backlog, outlet, url_key, image_url) ",
        );
        q.push_values(fresh, |mut b, e| {
            let (item, group) = (e.item, &self.groups[e.group]);
            b.push_bind(e.source_id)
                .push_bind(item.guid.clone())
                .push_bind(item.url.clone())
                .push_bind(item.title.clone())
                .push_bind(item.author.clone())
                .push_bind(item.published_at.map(to_secs))
                .push_bind(to_secs(group.now))
                .push_bind(item.snippet.clone())
                .push_bind(item.body.clone())
                .push_bind(item.lang.clone())
                .push_bind(i64::from(group.backlog))
                .push_bind(item.outlet.clone())
                .push_bind(e.key.clone())
                .push_bind(item.image.clone());
        });
        q.push(" ON CONFLICT (source_id, guid) DO NOTHING RETURNING id, source_id, guid");
        Some(q)
    }

    /// Counts the items stored and remembers their ids for later links.
    fn inserted(&mut self, fresh: &[&Entry<'_>], inserted: Vec<(i64, i64, String)>) {
        let by_item = by_item(fresh);
        for (id, source, guid) in inserted {
            if let Some(e) = by_item.get(&(source, guid.as_str())) {
                self.added[e.group] += 1;
                if let Some(key) = &e.key {
                    self.ids.insert((source, key.clone()), id);
                }
            }
        }
    }

    /// Turns the links to pages another source stored in this batch into links, now that those have ids.
    fn resolve(&self, plan: &mut Plan<'_, '_>) {
        for (group, source, other, key) in plan.later.drain(..) {
            if let Some(id) = self.ids.get(&(other, key)) {
                plan.links.push((group, source, *id));
            }
        }
    }

    /// The insert of the links, returning (source, item) of each new one.
    fn link<'q, DB>(&self, links: &[Link]) -> Option<QueryBuilder<'q, DB>>
    where
        DB: sqlx::Database,
        i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    {
        if links.is_empty() {
            return None;
        }
        let mut q =
            QueryBuilder::new("INSERT INTO item_links (source_id, item_id, fetched_at, backlog) ");
        q.push_values(links, |mut b, (group, source, item_id)| {
            let group = &self.groups[*group];
            b.push_bind(*source)
                .push_bind(*item_id)
                .push_bind(to_secs(group.now))
                .push_bind(i64::from(group.backlog));
        });
        q.push(" ON CONFLICT (source_id, item_id) DO NOTHING RETURNING source_id, item_id");
        Some(q)
    }

    /// Counts the links stored.
    fn linked(&mut self, links: &[Link], linked: Vec<(i64, i64)>) {
        let group_of: HashMap<(i64, i64), usize> =
            links.iter().rev().map(|&(g, s, i)| ((s, i), g)).collect();
        for link in linked {
            if let Some(&group) = group_of.get(&link) {
                self.added[group] += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::items::tests::{item, two_sources};
    use crate::store::on;
    use crate::store::test_util::temp_store;

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

    /// On a PostgreSQL table of 50,000 items that was never analysed (autovacuum off), both lookups of a
    /// 400-item chunk probe their indexes: no plan scans the table (the pages lookup as `url_key IN (…)` did).
    #[tokio::test]
    async fn lookups_probe_the_indexes_on_a_table_without_statistics() {
        use crate::store::Db;
        let (store, _dir) = temp_store().await;
        let Db::Postgres(pool) = store.db() else {
            return; // SQLite plans with its indexes alone
        };
        let now = Utc::now();
        let (a, b) = two_sources(&store, now).await;
        sqlx::query("ALTER TABLE items SET (autovacuum_enabled = false)")
            .execute(pool)
            .await
            .unwrap();
        sqlx::query(
            "INSERT INTO items (source_id, guid, url, title, fetched_at, url_key) SELECT $1, 'old' || g, \
             'https://example.org/' || g, 'Item', 0, 'example.org/' || g FROM generate_series(1, 50000) g",
        )
        .bind(a.id)
        .execute(pool)
        .await
        .unwrap();
        let known: f32 =
            sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE relname = 'items'")
                .fetch_one(pool)
                .await
                .unwrap();
        assert!(known <= 0.0, "no statistics yet: {known}");
        assert_eq!(url_key("https://example.org/7"), "example.org/7");
        let items: Vec<NewItem> = (0..INSERT_CHUNK)
            .map(|n| NewItem {
                url: Some(format!("https://example.org/{}", n * 7)),
                ..item(&format!("new{n}"), "Item", 1)
            })
            .collect();
        let chunk: Vec<Entry<'_>> = items
            .iter()
            .enumerate()
            .map(|(n, item)| Entry {
                group: 0,
                source_id: if n % 2 == 0 { a.id } else { b.id },
                item,
                key: item.url.as_deref().map(url_key),
            })
            .collect();
        let plan = |q: QueryBuilder<'static, sqlx::Postgres>| async move {
            let mut q = q;
            let lines: Vec<String> = q.build_query_scalar().fetch_all(pool).await.unwrap();
            lines.join("\n")
        };
        let guids = plan(lookup(QueryBuilder::new("EXPLAIN "), &chunk)).await;
        let pages = plan(pages_lookup(QueryBuilder::new("EXPLAIN "), &chunk).unwrap()).await;
        for (what, plan) in [("guids", &guids), ("pages", &pages)] {
            assert!(
                !plan.contains("Seq Scan"),
                "{what} lookup scans the table:\n{plan}"
            );
            assert!(
                plan.contains("Index"),
                "{what} lookup uses no index:\n{plan}"
            );
        }
        assert!(pages.contains("items_url_key"), "{pages}");
        // And the lookup finds what it should: every seventh page is stored, by the other source.
        let mut q = pages_lookup(QueryBuilder::new(""), &chunk).unwrap();
        let found: Vec<StoredRow> = q.build_query_as().fetch_all(pool).await.unwrap();
        assert_eq!(
            found.len(),
            INSERT_CHUNK - 1,
            "page 0 is not stored; the others are"
        );
    }
}
