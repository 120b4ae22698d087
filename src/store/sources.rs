//! The `sources` table: one row per feed URL, shared by everyone who reads it.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

use super::jobs::Work;
use super::{DbOptTime, Store, StoreError, for_both_tx, limit, on, to_secs};

/// A source row: where to fetch, what the last fetch said, and how it went.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Source {
    /// Row id.
    pub id: i64,
    /// The feed URL (or a local path, for `herald brief --feed FILE`); for a search, its request without
    /// the time-dependent parameters.
    pub url: String,
    /// `feed`, or the search provider a search source asks (`bing`, `gdelt`, `google`, `hn`).
    pub kind: String,
    /// The feed's own title, once fetched.
    pub title: Option<String>,
    /// ETag of the last 200 response, sent back as If-None-Match.
    pub etag: Option<String>,
    /// Last-Modified of the last 200 response, sent back as If-Modified-Since.
    pub last_modified: Option<String>,
    /// Failures in a row since the last success.
    pub fail_count: i64,
    /// The last failure, in words.
    pub last_error: Option<String>,
    /// When a fetch last succeeded.
    #[sqlx(try_from = "DbOptTime")]
    pub last_ok_at: Option<DateTime<Utc>>,
    /// When the poller fetches it next (`None`: as soon as it can).
    #[sqlx(try_from = "DbOptTime")]
    pub next_fetch_at: Option<DateTime<Utc>>,
}

impl Source {
    /// What to call this source in a briefing: its title, else its host, else its URL.
    pub fn display_name(&self) -> String {
        display_name(self.title.as_deref(), &self.url)
    }
}

/// A source's name for humans: its title, else the URL's host (without `www.`), else the URL or file name.
pub(crate) fn display_name(title: Option<&str>, url: &str) -> String {
    if let Some(t) = title.map(str::trim).filter(|t| !t.is_empty()) {
        return t.to_owned();
    }
    if let Ok(u) = url::Url::parse(url) {
        if let Some(host) = u.host_str() {
            return host.trim_start_matches("www.").to_owned();
        }
    }
    std::path::Path::new(url)
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| url.to_owned())
}

/// The columns a [`Source`] is read from.
pub(super) const COLUMNS: &str =
    "id, url, kind, title, etag, last_modified, fail_count, last_error, last_ok_at, next_fetch_at";

/// What a fetch of a source said, for [`SourceWrites::mark_sources`].
#[derive(Debug, Clone, Copy)]
pub(super) enum SourceMark<'a> {
    /// See [`Store::source_fetched`].
    Fetched {
        /// The source.
        id: i64,
        /// The feed's title, when it said one.
        title: Option<&'a str>,
        /// The answer's ETag.
        etag: Option<&'a str>,
        /// The answer's Last-Modified.
        last_modified: Option<&'a str>,
        /// When.
        now: DateTime<Utc>,
    },
    /// See [`Store::source_not_modified`].
    NotModified {
        /// The source.
        id: i64,
        /// When.
        now: DateTime<Utc>,
    },
    /// See [`Store::set_next_fetch`].
    NextFetch {
        /// The source.
        id: i64,
        /// When it is fetched next.
        at: DateTime<Utc>,
    },
}

/// Sources one statement of [`SourceWrites::mark_sources`] updates at most (5 bound values each).
const MARK_CHUNK: usize = 500;

/// A poll's writes to sources, inside the writer's transaction.
pub(super) trait SourceWrites {
    /// Records what fetches said, a few statements for a whole batch of polls (one per kind and
    /// [`MARK_CHUNK`] sources, not one per source: on PostgreSQL each statement is a round trip). A source
    /// marked twice keeps the later mark of each kind.
    async fn mark_sources(&mut self, marks: &[SourceMark<'_>]) -> Result<(), sqlx::Error>;
}

for_both_tx!(SourceWrites {
    async fn mark_sources(&mut self, marks: &[SourceMark<'_>]) -> Result<(), sqlx::Error> {
        let Sorted {
            fetched,
            not_modified,
            next,
        } = sort_marks(marks);
        for chunk in fetched.chunks(MARK_CHUNK) {
            fetched_update(chunk).build().execute(&mut **self).await?;
        }
        for chunk in not_modified.chunks(MARK_CHUNK) {
            times_update(chunk, "fail_count = 0, last_error = NULL, last_ok_at = v.at")
                .build()
                .execute(&mut **self)
                .await?;
        }
        for chunk in next.chunks(MARK_CHUNK) {
            times_update(chunk, "next_fetch_at = v.at").build().execute(&mut **self).await?;
        }
        Ok(())
    }
});

/// A fetched source's values: id, title, ETag, Last-Modified, when.
type FetchedRow<'a> = (i64, Option<&'a str>, Option<&'a str>, Option<&'a str>, i64);

/// A batch's marks by kind, each source once per kind: fetched rows, and (id, time) for the others.
#[derive(Debug, Default, PartialEq)]
struct Sorted<'a> {
    fetched: Vec<FetchedRow<'a>>,
    not_modified: Vec<(i64, i64)>,
    next: Vec<(i64, i64)>,
}

/// The marks by kind, each source once (its last mark of that kind), in the order first marked.
fn sort_marks<'a>(marks: &[SourceMark<'a>]) -> Sorted<'a> {
    fn put<T>(rows: &mut Vec<T>, at: &mut HashMap<i64, usize>, id: i64, row: T) {
        match at.get(&id) {
            Some(&i) => rows[i] = row,
            None => {
                at.insert(id, rows.len());
                rows.push(row);
            }
        }
    }
    let mut out = Sorted::default();
    let (mut f, mut n, mut x) = (HashMap::new(), HashMap::new(), HashMap::new());
    for mark in marks {
        match *mark {
            SourceMark::Fetched {
                id,
                title,
                etag,
                last_modified,
                now,
            } => {
                let row = (id, title, etag, last_modified, to_secs(now));
                put(&mut out.fetched, &mut f, id, row)
            }
            SourceMark::NotModified { id, now } => {
                put(&mut out.not_modified, &mut n, id, (id, to_secs(now)))
            }
            SourceMark::NextFetch { id, at } => put(&mut out.next, &mut x, id, (id, to_secs(at))),
        }
    }
    out
}

/// One statement recording that the sources of `rows` were fetched.
fn fetched_update<'q, DB>(rows: &[FetchedRow<'_>]) -> QueryBuilder<'q, DB>
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let mut q = QueryBuilder::new("WITH v (id, title, etag, last_modified, ok_at) AS (");
    q.push_values(rows, |mut b, (id, title, etag, last_modified, ok_at)| {
        b.push_bind(*id)
            .push_bind(title.map(str::to_owned))
            .push_bind(etag.map(str::to_owned))
            .push_bind(last_modified.map(str::to_owned))
            .push_bind(*ok_at);
    });
    q.push(
        ") UPDATE sources SET title = COALESCE(v.title, sources.title), etag = v.etag, \
         last_modified = v.last_modified, fail_count = 0, last_error = NULL, last_ok_at = v.ok_at \
         FROM v WHERE sources.id = v.id",
    );
    q
}

/// One statement setting `set` (which reads `v.at`) on the sources of `rows` (id, time).
fn times_update<'q, DB>(rows: &[(i64, i64)], set: &str) -> QueryBuilder<'q, DB>
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let mut q = QueryBuilder::new("WITH v (id, at) AS (");
    q.push_values(rows, |mut b, (id, at)| {
        b.push_bind(*id).push_bind(*at);
    });
    q.push(") UPDATE sources SET ")
        .push(set)
        .push(" FROM v WHERE sources.id = v.id");
    q
}

impl Store {
    /// The source with this URL, created if new.
    pub async fn upsert_source(
        &self,
        url: &str,
        kind: &str,
        now: DateTime<Utc>,
    ) -> Result<Source, StoreError> {
        on!(self, pool => sqlx::query(
            "INSERT INTO sources (url, kind, created_at) VALUES ($1, $2, $3) ON CONFLICT (url) DO NOTHING",
        )
        .bind(url)
        .bind(kind)
        .bind(to_secs(now))
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))?;
        let row = on!(self, pool => sqlx::query_as::<_, Source>(&format!("SELECT {COLUMNS} FROM sources WHERE url = $1"))
                .bind(url)
                .fetch_one(pool)
                .await)?;
        Ok(row)
    }

    /// Records a successful fetch with a new body: validators for the next conditional GET, errors cleared.
    /// Committed with other sources' poll writes (see `writer`).
    pub async fn source_fetched(
        &self,
        id: i64,
        title: Option<&str>,
        etag: Option<&str>,
        last_modified: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.writer
            .write(Work::Fetched {
                id,
                title: title.map(str::to_owned),
                etag: etag.map(str::to_owned),
                last_modified: last_modified.map(str::to_owned),
                now,
            })
            .await?;
        Ok(())
    }

    /// Names a source that has no title yet (a search, named for its provider and topic).
    pub async fn name_source(&self, id: i64, title: &str) -> Result<(), StoreError> {
        on!(self, pool => sqlx::query("UPDATE sources SET title = $1 WHERE id = $2 AND title IS NULL")
            .bind(title)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Stores a poll's items and records its fetch in one write (committed with other sources' poll writes):
    /// `fresh` with the backlog mark `fresh_backlog`, `old` as backlog. Returns how many items were new.
    pub async fn store_poll(
        &self,
        source_id: i64,
        fresh: Vec<crate::item::NewItem>,
        fresh_backlog: bool,
        old: Vec<crate::item::NewItem>,
        fetched: super::FeedMeta,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        self.writer
            .write(Work::Poll {
                source_id,
                fresh,
                fresh_backlog,
                old,
                fetched,
                now,
            })
            .await
    }

    /// Records a 304 Not Modified: a success that changes nothing else. Committed with other sources' poll
    /// writes.
    pub async fn source_not_modified(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.writer.write(Work::NotModified { id, now }).await?;
        Ok(())
    }

    /// Records a failed fetch or parse, keeping the error for users to see.
    pub async fn source_failed(&self, id: i64, error: &str) -> Result<(), StoreError> {
        on!(self, pool => sqlx::query("UPDATE sources SET fail_count = fail_count + 1, last_error = $1 WHERE id = $2")
            .bind(error)
            .bind(id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected()))?;
        Ok(())
    }
}

impl Store {
    /// Sources some server reads (the poller's work: a feed a server added, a search a subscription draws
    /// from) that are due at `now`, most overdue first.
    pub async fn due_sources(
        &self,
        now: DateTime<Utc>,
        max: usize,
    ) -> Result<Vec<Source>, StoreError> {
        let rows = on!(self, pool => sqlx::query_as::<_, Source>(&format!(
            "SELECT {COLUMNS} FROM sources s WHERE (EXISTS (SELECT 1 FROM guild_sources g WHERE g.source_id = s.id) \
             OR EXISTS (SELECT 1 FROM subscription_searches ss WHERE ss.source_id = s.id)) \
             AND COALESCE(s.next_fetch_at, 0) <= $1 ORDER BY COALESCE(s.next_fetch_at, 0), s.id LIMIT $2"
        ))
        .bind(to_secs(now))
        .bind(limit(max))
        .fetch_all(pool)
        .await)?;
        Ok(rows)
    }

    /// Takes the sources due at `now` (as [`Store::due_sources`]) for this process until `lease_until`: their
    /// next fetch moves to the lease's end, so no other process polls them meanwhile, and if this one dies
    /// they are polled again when it lapses. The poller sets the real next fetch once it is done. PostgreSQL
    /// picks the rows with `FOR UPDATE SKIP LOCKED`, so processes polling at once take different sources.
    pub async fn claim_due_sources(
        &self,
        now: DateTime<Utc>,
        lease_until: DateTime<Utc>,
        max: usize,
    ) -> Result<Vec<Source>, StoreError> {
        let lock = self.skip_locked();
        let mut rows = on!(self, pool => sqlx::query_as::<_, Source>(&format!(
            "UPDATE sources SET next_fetch_at = $1 WHERE id IN (SELECT s.id FROM sources s \
             WHERE (EXISTS (SELECT 1 FROM guild_sources g WHERE g.source_id = s.id) \
             OR EXISTS (SELECT 1 FROM subscription_searches ss WHERE ss.source_id = s.id)) \
             AND COALESCE(s.next_fetch_at, 0) <= $2 ORDER BY COALESCE(s.next_fetch_at, 0), s.id LIMIT $3 {lock}) \
             RETURNING {COLUMNS}"
        ))
        .bind(to_secs(lease_until))
        .bind(to_secs(now))
        .bind(limit(max))
        .fetch_all(pool)
        .await)?;
        rows.sort_by_key(|s| s.id);
        Ok(rows)
    }

    /// How many sources the poller keeps fresh (those some server reads).
    pub async fn polled_source_count(&self) -> Result<usize, StoreError> {
        let n: i64 = on!(self, pool => sqlx::query_scalar(
            "SELECT COUNT(*) FROM (SELECT source_id FROM guild_sources \
             UNION SELECT source_id FROM subscription_searches) AS polled",
        )
        .fetch_one(pool)
        .await)?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// Sets when the poller fetches a source next. Committed with other sources' poll writes.
    pub async fn set_next_fetch(&self, id: i64, at: DateTime<Utc>) -> Result<(), StoreError> {
        self.writer.write(Work::NextFetch { id, at }).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_util::temp_store;

    /// Each source once per kind of mark, its later mark winning; kinds kept apart.
    #[test]
    fn a_batch_marks_each_source_once_per_kind_the_later_mark_winning() {
        let at = |s| DateTime::from_timestamp(s, 0).unwrap();
        let fetched = |id, etag, now| SourceMark::Fetched {
            id,
            title: None,
            etag: Some(etag),
            last_modified: None,
            now: at(now),
        };
        let marks = [
            fetched(1, "a", 10),
            SourceMark::NotModified { id: 2, now: at(11) },
            fetched(3, "c", 12),
            fetched(1, "a2", 13),
            SourceMark::NextFetch { id: 1, at: at(14) },
            SourceMark::NotModified { id: 2, now: at(15) },
        ];
        assert_eq!(
            sort_marks(&marks),
            Sorted {
                fetched: vec![
                    (1, None, Some("a2"), None, 13),
                    (3, None, Some("c"), None, 12)
                ],
                not_modified: vec![(2, 15)],
                next: vec![(1, 14)],
            }
        );
    }

    /// 1,200 polls answered at once are written in batches (the writer takes up to 512 jobs at a time, more
    /// than one statement's [`MARK_CHUNK`]), and each source gets its own answer: its ETag, title and time.
    #[tokio::test]
    async fn many_polls_written_together_each_record_their_own_answer() {
        let (store, _dir) = temp_store().await;
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let url = |n| format!("https://f{n}.example/feed");
        let mut ids = Vec::new();
        for n in 0..1200 {
            ids.push(store.upsert_source(&url(n), "feed", now).await.unwrap().id);
        }
        let writes = ids.iter().enumerate().map(|(n, id)| {
            let store = store.clone();
            let id = *id;
            async move {
                let (etag, title) = (format!("\"e{n}\""), format!("Feed {n}"));
                let when = now + chrono::Duration::seconds(n as i64);
                if n % 3 == 0 {
                    store.source_not_modified(id, when).await
                } else {
                    store
                        .source_fetched(id, Some(&title), Some(&etag), None, when)
                        .await
                }
            }
        });
        for done in futures_util::future::join_all(writes).await {
            done.unwrap();
        }
        for n in 0..1200 {
            // Upserting a known URL reads its row.
            let s = store.upsert_source(&url(n), "feed", now).await.unwrap();
            let when = now + chrono::Duration::seconds(n as i64);
            assert_eq!(s.last_ok_at, Some(when), "source {n}");
            if n % 3 == 0 {
                assert_eq!((s.etag, s.title), (None, None), "source {n}");
            } else {
                assert_eq!(s.etag, Some(format!("\"e{n}\"")), "source {n}");
                assert_eq!(s.title, Some(format!("Feed {n}")), "source {n}");
            }
        }
    }

    /// A due source is taken by one poller at a time: claimed, it is not due again until the lease ends.
    #[tokio::test]
    async fn due_sources_are_claimed_once_until_the_lease_ends() {
        let (store, _dir) = temp_store().await;
        let now = Utc::now();
        let s = store
            .upsert_source("https://a.example/feed", "feed", now)
            .await
            .unwrap();
        store.add_guild_source(1, s.id, 5, now).await.unwrap();
        let lease = now + chrono::Duration::minutes(15);
        let first = store.claim_due_sources(now, lease, 10).await.unwrap();
        assert_eq!(first.iter().map(|s| s.id).collect::<Vec<_>>(), [s.id]);
        assert!(
            store
                .claim_due_sources(now, lease, 10)
                .await
                .unwrap()
                .is_empty()
        );
        let after = lease + chrono::Duration::seconds(1);
        assert_eq!(
            store
                .claim_due_sources(after, after, 10)
                .await
                .unwrap()
                .len(),
            1
        );
    }

    #[tokio::test]
    async fn upsert_is_idempotent_and_status_round_trips() {
        let (store, _dir) = temp_store().await;
        let now = Utc::now();
        let a = store
            .upsert_source("https://example.org/feed", "feed", now)
            .await
            .unwrap();
        let b = store
            .upsert_source("https://example.org/feed", "feed", now)
            .await
            .unwrap();
        assert_eq!(a.id, b.id);
        assert_eq!(a.display_name(), "example.org");

        store.source_failed(a.id, "HTTP 500").await.unwrap();
        store.source_failed(a.id, "HTTP 502").await.unwrap();
        let s = store.upsert_source(&a.url, "feed", now).await.unwrap();
        assert_eq!(
            (s.fail_count, s.last_error.as_deref()),
            (2, Some("HTTP 502"))
        );

        store
            .source_fetched(a.id, Some("Example"), Some("\"v1\""), None, now)
            .await
            .unwrap();
        let s = store.upsert_source(&a.url, "feed", now).await.unwrap();
        assert_eq!(s.fail_count, 0);
        assert_eq!(s.last_error, None);
        assert_eq!(s.etag.as_deref(), Some("\"v1\""));
        assert_eq!(s.display_name(), "Example");
        assert_eq!(s.last_ok_at.map(|t| t.timestamp()), Some(now.timestamp()));
    }

    #[test]
    fn display_name_falls_back_to_file_name() {
        assert_eq!(display_name(None, "../feeds/bbc.xml"), "bbc.xml");
        assert_eq!(
            display_name(Some("  "), "https://www.bbc.co.uk/x"),
            "bbc.co.uk"
        );
    }
}
