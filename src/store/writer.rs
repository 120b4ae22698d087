//! One writer for new items. Sources are fetched and parsed concurrently, but SQLite has one write lock: many
//! tasks each committing their own source's items queue for it through the busy handler, which sleeps. Instead
//! every `insert_items` is handed to this writer, which commits whatever has queued up — many sources' items —
//! in one transaction, and answers each caller with its own count. A batch that fails is retried source by
//! source, so one bad source cannot fail the others.

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use super::items::InsertItems;
use super::{Db, StoreError, WriteTx, on};
use crate::item::NewItem;

/// Sources' items committed in one transaction at most.
const MAX_SOURCES: usize = 256;
/// Items committed in one transaction at most (a batch stops growing past this).
const MAX_ITEMS: usize = 10_000;

struct Job {
    source_id: i64,
    items: Vec<NewItem>,
    backlog: bool,
    now: DateTime<Utc>,
    done: oneshot::Sender<Result<usize, StoreError>>,
}

/// The handle `Store` keeps: where insert jobs go.
#[derive(Debug, Clone)]
pub(super) struct Writer {
    jobs: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job")
            .field("source_id", &self.source_id)
            .field("items", &self.items.len())
            .finish()
    }
}

impl Writer {
    /// Starts the writer task over `pool` (it ends when every handle is dropped).
    pub(super) fn start(pool: Db) -> Self {
        let (jobs, rx) = mpsc::channel(1024);
        tokio::spawn(run(pool, rx));
        Self { jobs }
    }

    /// Stores one source's items (through the next batch) and returns how many were new.
    pub(super) async fn insert(
        &self,
        source_id: i64,
        items: Vec<NewItem>,
        backlog: bool,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let (done, answer) = oneshot::channel();
        let job = Job {
            source_id,
            items,
            backlog,
            now,
            done,
        };
        if self.jobs.send(job).await.is_err() {
            return Err(StoreError::Sql(sqlx::Error::PoolClosed));
        }
        answer
            .await
            .unwrap_or(Err(StoreError::Sql(sqlx::Error::PoolClosed)))
    }
}

async fn run(pool: Db, mut rx: mpsc::Receiver<Job>) {
    while let Some(first) = rx.recv().await {
        let mut items = first.items.len();
        let mut batch = vec![first];
        while batch.len() < MAX_SOURCES && items < MAX_ITEMS {
            match rx.try_recv() {
                Ok(job) => {
                    items += job.items.len();
                    batch.push(job);
                }
                Err(_) => break,
            }
        }
        match commit(&pool, &batch).await {
            Ok(counts) => {
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
                // One source's items broke the batch: each on its own, so the others still land.
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

/// Commits the jobs' items in one transaction; the count of new items per job.
async fn commit(db: &Db, jobs: &[Job]) -> Result<Vec<usize>, sqlx::Error> {
    on!(db, pool => {
        let mut tx = pool.write_tx().await?;
        let mut counts = Vec::with_capacity(jobs.len());
        for job in jobs {
            counts.push(tx.insert_in(job.source_id, &job.items, job.backlog, job.now).await?);
        }
        tx.commit().await?;
        Ok(counts)
    })
}
