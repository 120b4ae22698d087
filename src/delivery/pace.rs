//! The posting pace: posts spaced evenly under Discord's global limit, shared by every process on PostgreSQL.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::store::{Backend, Store};

/// Spaces posts evenly at a rate, for every task that shares it; a global 429 holds everyone back. On
/// PostgreSQL the pace is shared by every herald process on the database (Discord's global limit is the bot's,
/// not a process's): each post takes its turn from the database, and a process that cannot reach it paces
/// itself alone meanwhile.
#[derive(Debug)]
pub struct Pacer {
    next: tokio::sync::Mutex<tokio::time::Instant>,
    gap: Duration,
    pub(super) shared: Option<Store>,
    pub(super) alone: AtomicBool,
}

impl Pacer {
    /// A pacer letting `per_second` posts of this process through each second, evenly spaced.
    pub fn new(per_second: u32) -> Self {
        Self {
            next: tokio::sync::Mutex::new(tokio::time::Instant::now()),
            gap: Duration::from_secs(1) / per_second.max(1),
            shared: None,
            alone: AtomicBool::new(false),
        }
    }

    /// A pacer letting `per_second` posts through each second for all the processes on `store`'s database
    /// together when it is PostgreSQL; on SQLite (one process) the same as [`Pacer::new`].
    pub fn for_store(per_second: u32, store: &Store) -> Self {
        let mut pacer = Self::new(per_second);
        if store.backend() == Backend::Postgres {
            pacer.shared = Some(store.clone());
        }
        pacer
    }

    /// Waits for this caller's turn.
    pub async fn wait(&self) {
        if let Some(store) = &self.shared {
            match store.take_post_turn(self.gap).await {
                Ok(wait) => {
                    if self.alone.swap(false, Ordering::Relaxed) {
                        tracing::info!("the shared posting pace is back");
                    }
                    tokio::time::sleep(wait).await;
                    return;
                }
                Err(e) => {
                    if !self.alone.swap(true, Ordering::Relaxed) {
                        tracing::warn!(
                            error = %e,
                            "cannot take a posting turn from the database; pacing this process alone until it answers"
                        );
                    }
                }
            }
        }
        let turn = {
            let mut next = self.next.lock().await;
            let now = tokio::time::Instant::now();
            let turn = (*next).max(now);
            *next = turn + self.gap;
            turn
        };
        tokio::time::sleep_until(turn).await;
    }

    /// Holds every caller back for `d` from now (after a global rate limit), in every process sharing the pace.
    pub async fn hold(&self, d: Duration) {
        {
            let mut next = self.next.lock().await;
            *next = (*next).max(tokio::time::Instant::now() + d);
        }
        if let Some(store) = &self.shared {
            if let Err(e) = store.hold_posts(d).await {
                tracing::warn!(error = %e, "cannot hold the shared posting pace back");
            }
        }
    }
}
