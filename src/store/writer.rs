//! One writer for the poll's writes. Sources are fetched and parsed concurrently, but SQLite has one write lock:
//! many tasks each committing their own source's items, fetch record and next poll time queue for it through
//! the busy handler, which sleeps. Instead every such write is handed to this writer, which commits whatever
//! has queued up — many sources' writes — in one transaction, and answers each caller with its own result. The
//! items of every source in a batch go in together, a few multi-row statements per few hundred items whatever
//! their sources (`InsertItems::insert_batch`). A batch that fails is retried write by write, so one bad source
//! cannot fail the others.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::{mpsc, oneshot};

use super::item_batch::{InsertItems, ItemGroup};
use super::jobs::Work;
use super::sources::{SourceMark, SourceWrites};
use super::{Db, StoreError, WriteTx, on};

/// Writes committed in one transaction at most.
const MAX_JOBS: usize = 512;
/// Items committed in one transaction at most (a batch stops growing past this).
const MAX_ITEMS: usize = 10_000;

#[derive(Debug)]
struct Job {
    work: Work,
    done: oneshot::Sender<Result<usize, StoreError>>,
}

/// The handle `Store` keeps: where writes go.
#[derive(Debug, Clone)]
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer task over `pool` (it ends when every handle is dropped).
    pub(super) fn start(pool: Db) -> Self {
        let (jobs, rx) = mpsc::channel(1024);
        tokio::spawn(run(pool, rx));
        Self { jobs }
    }

    /// Commits `work` (in the next batch); for items, how many were new.
    pub(super) async fn write(&self, work: Work) -> Result<usize, StoreError> {
        let (done, answer) = oneshot::channel();
        if self.jobs.send(Job { work, done }).await.is_err() {
            return Err(StoreError::Sql(sqlx::Error::PoolClosed));
        }
        answer
            .await
            .unwrap_or(Err(StoreError::Sql(sqlx::Error::PoolClosed)))
    }
}

/// Rows a PostgreSQL table may gain before its planner statistics are refreshed, at least; and the share of
/// its size (a half) past which they are refreshed when it is larger.
const ANALYZE_MIN_ROWS: u64 = 1000;

/// How much the item tables grew since their statistics were last gathered (PostgreSQL only). The writer's own
/// lookups plan the same without statistics (see `item_batch`); the reads of briefings and searches are planned
/// better with them, and autovacuum wakes once a minute at best, so the writer refreshes them as the tables
/// grow — in the background, since ANALYZE of 200,000 items takes about half a second.
#[derive(Debug, Default)]
struct Growth {
    /// Rows added since the last ANALYZE.
    since: u64,
    /// Rows the tables had then (as far as this writer knows).
    base: u64,
}

impl Growth {
    /// Counts `added` rows; whether the statistics are now stale.
    fn add(&mut self, added: u64) -> bool {
        self.since += added;
        self.since >= ANALYZE_MIN_ROWS.max(self.base / 2)
    }
}

/// Refreshes the planner statistics of the tables a poll grows (PostgreSQL; SQLite's planner uses the indexes
/// without them).
async fn analyze(pool: &sqlx::PgPool) -> Result<(), sqlx::Error> {
    sqlx::query("ANALYZE items, item_links, items_fts")
        .execute(pool)
        .await?;
    Ok(())
}

async fn run(pool: Db, mut rx: mpsc::Receiver<Job>) {
    let mut growth = Growth::default();
    // One ANALYZE at a time; growth meanwhile counts toward the next.
    let analyzing = Arc::new(AtomicBool::new(false));
    while let Some(first) = rx.recv().await {
        let mut items = first.work.items();
        let mut batch = vec![first];
        while batch.len() < MAX_JOBS && items < MAX_ITEMS {
            match rx.try_recv() {
                Ok(job) => {
                    items += job.work.items();
                    batch.push(job);
                }
                Err(_) => break,
            }
        }
        match commit(&pool, &batch).await {
            Ok(counts) => {
                let added: usize = counts.iter().sum();
                if let Db::Postgres(pg) = &pool {
                    if growth.add(added as u64) && !analyzing.swap(true, Ordering::AcqRel) {
                        growth.base += growth.since;
                        growth.since = 0;
                        let (pg, analyzing) = (pg.clone(), analyzing.clone());
                        tokio::spawn(async move {
                            match analyze(&pg).await {
                                Ok(()) => tracing::debug!("planner statistics refreshed"),
                                Err(e) => {
                                    tracing::warn!(error = %e, "ANALYZE after a large write failed")
                                }
                            }
                            analyzing.store(false, Ordering::Release);
                        });
                    }
                }
                for (job, n) in batch.into_iter().zip(counts) {
                    let _ = job.done.send(Ok(n));
                }
            }
            Err(e) if batch.len() == 1 => {
                if let Some(job) = batch.pop() {
                    let _ = job.done.send(Err(e.into()));
                }
            }
            Err(_) => {
                // One write broke the batch: each on its own, so the others still land.
                for job in batch {
                    let result = commit(&pool, std::slice::from_ref(&job))
                        .await
                        .map(|c| c[0])
                        .map_err(StoreError::from);
                    let _ = job.done.send(result);
                }
            }
        }
    }
}

/// The jobs' items as the groups of one batch, and the job each group belongs to.
fn item_groups(jobs: &[Job]) -> (Vec<ItemGroup<'_>>, Vec<usize>) {
    let mut groups = Vec::new();
    let mut owner = Vec::new();
    for (j, job) in jobs.iter().enumerate() {
        match &job.work {
            Work::Items {
                source_id,
                items,
                backlog,
                now,
            } => {
                groups.push(ItemGroup {
                    source_id: *source_id,
                    items,
                    backlog: *backlog,
                    now: *now,
                });
                owner.push(j);
            }
            Work::Poll {
                source_id,
                fresh,
                fresh_backlog,
                old,
                now,
                ..
            } => {
                groups.push(ItemGroup {
                    source_id: *source_id,
                    items: fresh,
                    backlog: *fresh_backlog,
                    now: *now,
                });
                owner.push(j);
                if !old.is_empty() {
                    groups.push(ItemGroup {
                        source_id: *source_id,
                        items: old,
                        backlog: true,
                        now: *now,
                    });
                    owner.push(j);
                }
            }
            _ => {}
        }
    }
    (groups, owner)
}

/// Commits the jobs in one transaction; per job, the count of new items (0 for other writes).
async fn commit(db: &Db, jobs: &[Job]) -> Result<Vec<usize>, sqlx::Error> {
    on!(db, pool => {
        let mut tx = pool.write_tx().await?;
        // Every job's items first, in one batch of statements; then the fetch records.
        let (groups, owner) = item_groups(jobs);
        let mut counts = vec![0usize; jobs.len()];
        if !groups.is_empty() {
            for (g, n) in tx.insert_batch(&groups).await?.into_iter().enumerate() {
                counts[owner[g]] += n;
            }
        }
        let marks: Vec<SourceMark<'_>> = jobs
            .iter()
            .filter_map(|job| match &job.work {
                Work::Items { .. } => None,
                Work::Poll { source_id, fetched, now, .. } => Some(SourceMark::Fetched {
                    id: *source_id,
                    title: fetched.title.as_deref(),
                    etag: fetched.etag.as_deref(),
                    last_modified: fetched.last_modified.as_deref(),
                    now: *now,
                }),
                Work::Fetched { id, title, etag, last_modified, now } => Some(SourceMark::Fetched {
                    id: *id,
                    title: title.as_deref(),
                    etag: etag.as_deref(),
                    last_modified: last_modified.as_deref(),
                    now: *now,
                }),
                Work::NotModified { id, now } => Some(SourceMark::NotModified { id: *id, now: *now }),
                Work::NextFetch { id, at } => Some(SourceMark::NextFetch { id: *id, at: *at }),
            })
            .collect();
        tx.mark_sources(&marks).await?;
        tx.commit().await?;
        Ok(counts)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::item::NewItem;
    use crate::store::test_util::temp_store;

    #[test]
    fn statistics_refresh_after_a_thousand_rows_then_half_the_table() {
        let mut g = Growth::default();
        assert!(!g.add(999));
        assert!(g.add(1));
        g.base = 100_000;
        g.since = 0;
        assert!(!g.add(49_999));
        assert!(g.add(1));
    }

    /// A fresh PostgreSQL database gets planner statistics for its items soon after a poll has grown them
    /// (the writer runs ANALYZE in the background), without waiting for autovacuum.
    #[tokio::test]
    async fn a_big_first_poll_on_postgresql_leaves_statistics_behind() {
        let (store, _db) = temp_store().await;
        let Db::Postgres(pool) = store.db() else {
            return; // SQLite plans with its indexes alone
        };
        let now = chrono::Utc::now();
        let source = store
            .upsert_source("https://a.example/feed", "feed", now)
            .await
            .unwrap();
        let items: Vec<NewItem> = (0..1500)
            .map(|n| NewItem {
                guid: format!("g{n}"),
                url: Some(format!("https://a.example/{n}")),
                title: format!("Item {n}"),
                author: None,
                published_at: None,
                snippet: String::new(),
                body: String::new(),
                lang: None,
                outlet: None,
                image: None,
            })
            .collect();
        assert_eq!(
            store
                .insert_items(source.id, &items, false, now)
                .await
                .unwrap(),
            1500
        );
        // The planner's own view: rows counted by ANALYZE (-1 or 0 on a table never analysed). The writer
        // runs it in the background: give it a few seconds.
        let mut rows = -1.0f32;
        for _ in 0..100 {
            rows = sqlx::query_scalar("SELECT reltuples FROM pg_class WHERE relname = 'items'")
                .fetch_one(pool)
                .await
                .unwrap();
            if rows >= 1000.0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert!(
            rows >= 1000.0,
            "items analysed after the write: {rows} rows known"
        );
    }
}
