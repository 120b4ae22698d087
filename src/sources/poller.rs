//! The poller: keeps every source some server reads fresh, one fetch per URL however many channels use it.
//!
//! Each tick it takes the sources whose `next_fetch_at` has come, at most its share of them (all polled sources
//! spread evenly over the interval), so a start-up with everything due does not fetch in one burst. A success
//! schedules the next fetch one interval later (plus a small per-source offset); a failure doubles the wait,
//! from one interval up to `max_backoff_hours`, and the error stays on the source for `/sources list`.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::FutureExt;
use std::panic::AssertUnwindSafe;

use crate::clock::Clock;
use crate::config::PollConfig;
use crate::sources::ingest::{Access, IngestError, Readers, refresh_many};
use crate::store::{Store, StoreError};

/// What one tick did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct PollReport {
    /// Sources fetched (or found not modified).
    pub fetched: usize,
    /// Sources that failed.
    pub failed: usize,
    /// New items stored.
    pub new_items: usize,
}

/// Keeps sources fresh; see the module docs.
pub struct Poller {
    store: Store,
    readers: Readers,
    clock: Arc<dyn Clock>,
    cfg: PollConfig,
    concurrency: usize,
}

impl Poller {
    /// A poller over `store`, reading feeds and searches with `readers`, `concurrency` sources at a time.
    pub fn new(
        store: Store,
        readers: Readers,
        clock: Arc<dyn Clock>,
        cfg: PollConfig,
        concurrency: usize,
    ) -> Self {
        Self {
            store,
            readers,
            clock,
            cfg,
            concurrency: concurrency.max(1),
        }
    }

    /// Ticks forever, `tick_ms` apart. Storage errors are logged and the next tick tries again; a panic in a
    /// tick is caught, logged and counted, and the loop carries on (each source's work runs in a task of its
    /// own already, so one source cannot take a tick down).
    pub async fn run(self) {
        let mut every = tokio::time::interval(Duration::from_millis(self.cfg.tick_ms));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut panics = 0u64;
        loop {
            let due = every.tick().await;
            metrics::gauge!("herald_loop_lag_seconds", "loop" => "poller")
                .set(due.elapsed().as_secs_f64());
            match AssertUnwindSafe(self.tick()).catch_unwind().await {
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "poller tick failed"),
                Err(_) => {
                    panics += 1;
                    tracing::error!(panics, "poller tick panicked; carrying on");
                }
            }
        }
    }

    /// Fetches the sources due now (at most this tick's share) and schedules each one's next fetch.
    pub async fn tick(&self) -> Result<PollReport, StoreError> {
        let now = self.clock.now();
        let polled = self.store.polled_source_count().await?;
        if polled == 0 {
            return Ok(PollReport::default());
        }
        // Taken for one interval: another process (PostgreSQL) leaves them alone, and if this one dies they
        // are polled again once that has passed.
        let due = self
            .store
            .claim_due_sources(now, now + interval(&self.cfg), share(&self.cfg, polled))
            .await?;
        let results = refresh_many(
            &self.store,
            &self.readers,
            due,
            Access::WebOnly,
            now,
            self.concurrency,
            |_, _| {},
        )
        .await;
        let mut report = PollReport::default();
        let mut next_fetches = Vec::with_capacity(results.len());
        for (source, result) in results {
            let next = match result {
                Ok(r) => {
                    let outcome = if r.not_modified { "not_modified" } else { "ok" };
                    metrics::counter!("herald_polls_total", "outcome" => outcome).increment(1);
                    metrics::counter!("herald_items_stored_total").increment(r.new_items as u64);
                    report.fetched += 1;
                    report.new_items += r.new_items;
                    next_after_success(&self.cfg, source.id, now)
                }
                // Not this search's turn at its provider: not a failure, and no sooner than the turn.
                Err(IngestError::RateLimited { until, .. }) => {
                    metrics::counter!("herald_polls_total", "outcome" => "waiting").increment(1);
                    until
                }
                Err(e) => {
                    metrics::counter!("herald_polls_total", "outcome" => "failed").increment(1);
                    report.failed += 1;
                    let next = next_after_failure(&self.cfg, source.fail_count + 1, now);
                    tracing::info!(source = %source.url, error = %e, retry_at = %next, "poll failed; backing off");
                    next
                }
            };
            next_fetches.push(self.store.set_next_fetch(source.id, next));
        }
        // All at once: the store's writer commits them in a few transactions, not one each.
        futures_util::future::try_join_all(next_fetches).await?;
        if report.fetched + report.failed > 0 {
            tracing::debug!(?report, "poll tick");
        }
        Ok(report)
    }
}

fn interval(cfg: &PollConfig) -> chrono::Duration {
    chrono::Duration::minutes(i64::from(cfg.interval_minutes))
}

/// How many due sources one tick takes: every polled source once per interval, spread over its ticks.
fn share(cfg: &PollConfig, polled: usize) -> usize {
    let ticks = (interval(cfg).num_milliseconds().max(1) as u64 / cfg.tick_ms.max(1)).max(1);
    (polled as u64).div_ceil(ticks).max(1) as usize
}

/// When a source is fetched next after a success: one interval on, plus an offset of up to a tenth of the
/// interval that depends on the source alone, so sources added together drift apart.
pub fn next_after_success(cfg: &PollConfig, source_id: i64, now: DateTime<Utc>) -> DateTime<Utc> {
    let spread = (interval(cfg).num_seconds() / 10).max(1);
    let offset = source_id.wrapping_mul(7919).rem_euclid(spread);
    now + interval(cfg) + chrono::Duration::seconds(offset)
}

/// When a source that has now failed `fails` times in a row is tried again: one interval, then doubling,
/// capped at `max_backoff_hours`.
pub fn next_after_failure(cfg: &PollConfig, fails: i64, now: DateTime<Utc>) -> DateTime<Utc> {
    let cap = chrono::Duration::hours(i64::from(cfg.max_backoff_hours));
    let doublings = u32::try_from(fails.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
    let wait = interval(cfg)
        .checked_mul(2_i32.saturating_pow(doublings))
        .map_or(cap, |w| w.min(cap));
    now + wait
}

#[cfg(test)]
mod tests {
    use super::*;

    const CFG: PollConfig = PollConfig {
        interval_minutes: 15,
        max_backoff_hours: 6,
        tick_ms: 1000,
    };

    #[test]
    fn backoff_doubles_from_one_interval_up_to_the_cap() {
        let now = Utc::now();
        let waits: Vec<i64> = (1..=8)
            .map(|n| (next_after_failure(&CFG, n, now) - now).num_minutes())
            .collect();
        assert_eq!(waits, [15, 30, 60, 120, 240, 360, 360, 360]);
        assert_eq!(
            (next_after_failure(&CFG, i64::MAX, now) - now).num_hours(),
            6,
            "no overflow"
        );
    }

    #[test]
    fn polls_spread_over_the_interval() {
        // 900 ticks per interval: 1000 sources need 2 a tick, 10 sources 1 a tick (never 0).
        assert_eq!(share(&CFG, 1000), 2);
        assert_eq!(share(&CFG, 10), 1);
        assert_eq!(share(&CFG, 90_000), 100);
        let now = Utc::now();
        let offsets: std::collections::HashSet<i64> = (1..=20)
            .map(|id| (next_after_success(&CFG, id, now) - now).num_seconds())
            .collect();
        assert!(
            offsets.len() > 15,
            "sources fetched together drift apart: {offsets:?}"
        );
        assert!(offsets.iter().all(|s| (900..990).contains(s)));
    }
}
