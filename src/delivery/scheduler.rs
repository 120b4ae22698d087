//! The [`Scheduler`]: each tick resumes claimed deliveries and claims every due channel's slot (see
//! `compose`), and each claimed delivery posts in a task of its own (see `post`).

use std::collections::HashSet;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::FutureExt;

use tracing::Instrument;

use super::counters::{Counters, Stats};
use super::outbox::Outbox;
use super::pace::Pacer;
use crate::brief::llm::LlmSummarizer;
use crate::clock::Clock;
use crate::config::{BriefConfig, ScheduleConfig};
use crate::store::{Delivery, Store, StoreError};

/// Due channels claimed per query.
const BATCH: usize = 500;
/// Why a channel was paused after composing its briefing panicked (shown by `/schedule show`).
pub(super) const COMPOSE_PANICKED: &str = "herald failed while composing this channel's briefing (an internal error, \
     logged); `/schedule resume` tries again";
/// Deliveries posting at once (the pacer sets the rate; this bounds the tasks waiting on it).
const MAX_IN_FLIGHT: usize = 256;

/// What one tick did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    /// Slots claimed with something to post.
    pub claimed: usize,
    /// Slots claimed with nothing new and nothing to post.
    pub empty: usize,
    /// Missed slots skipped (older than the grace window, or superseded by a later one).
    pub skipped: usize,
    /// Claimed deliveries picked up again (after a crash or a failed attempt).
    pub resumed: usize,
    /// Channels whose briefing panicked while being composed (each paused with the reason).
    pub panicked: usize,
    /// Due slots left for a later tick because the channel's earlier briefing is still being posted.
    pub waiting: usize,
}

/// What every part of a scheduler shares: the store, the clock, the outbox and the counters.
pub(super) struct Inner<O: Outbox> {
    pub(super) store: Store,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) outbox: O,
    pub(super) cfg: ScheduleConfig,
    pub(super) brief: BriefConfig,
    pub(super) pacer: Pacer,
    pub(super) in_flight: Mutex<HashSet<i64>>,
    pub(super) slots: tokio::sync::Semaphore,
    pub(super) counters: Counters,
    pub(super) llm: Option<LlmSummarizer>,
    /// This process, as it signs the deliveries it claims (unique per start; [`Scheduler::take_over`] ties it
    /// to a process slot).
    pub(super) owner: String,
    /// When the leases on the deliveries waiting here were last extended.
    pub(super) renewed: Mutex<Option<DateTime<Utc>>>,
}

impl<O: Outbox> Inner<O> {
    /// How long a claim holds a delivery before another process may take it over.
    pub(super) fn lease(&self) -> chrono::Duration {
        chrono::Duration::seconds(i64::try_from(self.cfg.lease_secs.max(1)).unwrap_or(i64::MAX))
    }
}

/// A name for this process, unique per start: host process id and start time.
fn process_owner() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{}-{nanos:x}", std::process::id())
}

/// Posts every channel's briefing at its time; see the module docs. Cheap to clone (shared state).
pub struct Scheduler<O: Outbox> {
    pub(super) inner: Arc<Inner<O>>,
}

impl<O: Outbox> Clone for Scheduler<O> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<O: Outbox> Scheduler<O> {
    /// A scheduler over `store`, posting through `outbox`, reading the time from `clock`.
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        outbox: O,
        cfg: ScheduleConfig,
        brief: BriefConfig,
    ) -> Self {
        let pacer = Pacer::for_store(cfg.posts_per_second, &store);
        Self {
            inner: Arc::new(Inner {
                store,
                clock,
                outbox,
                cfg,
                brief,
                pacer,
                in_flight: Mutex::new(HashSet::new()),
                slots: tokio::sync::Semaphore::new(MAX_IN_FLIGHT),
                counters: Counters::default(),
                llm: None,
                owner: process_owner(),
                renewed: Mutex::new(None),
            }),
        }
    }

    /// Takes over `slot` for this process (see [`Store::take_over_slot`]): the deliveries its previous run had
    /// claimed are resumed at the next tick instead of after their leases. Returns how many.
    pub async fn take_over(&self, slot: &str) -> Result<u64, StoreError> {
        let freed = self
            .inner
            .store
            .take_over_slot(slot, &self.inner.owner, self.inner.clock.now())
            .await?;
        if freed > 0 {
            tracing::info!(
                slot,
                freed,
                "resuming the deliveries this slot's previous run had claimed"
            );
        }
        Ok(freed)
    }

    /// The same scheduler writing LLM summaries with `llm` for channels that chose them (call before the
    /// scheduler is shared or run).
    pub fn with_llm(mut self, llm: Option<LlmSummarizer>) -> Self {
        if let Some(inner) = Arc::get_mut(&mut self.inner) {
            inner.llm = llm;
        }
        self
    }

    /// Ticks forever, `tick_ms` apart. Storage errors are logged and the next tick tries again.
    pub async fn run(self) {
        let mut every = tokio::time::interval(Duration::from_millis(self.inner.cfg.tick_ms));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut panics = 0u64;
        loop {
            let due = every.tick().await;
            metrics::gauge!("herald_loop_lag_seconds", "loop" => "scheduler")
                .set(due.elapsed().as_secs_f64());
            match AssertUnwindSafe(self.tick()).catch_unwind().await {
                Ok(Ok(r)) if r != TickReport::default() => tracing::info!(?r, "scheduler tick"),
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "scheduler tick failed"),
                Err(_) => {
                    panics += 1;
                    tracing::error!(panics, "scheduler tick panicked; carrying on");
                }
            }
        }
    }

    /// Counters so far.
    pub fn stats(&self) -> Stats {
        let c = &self.inner.counters;
        Stats {
            posted: c.posted.load(Ordering::Relaxed),
            rate_limited: c.rate_limited.load(Ordering::Relaxed),
            retried: c.retried.load(Ordering::Relaxed),
            failed: c.failed.load(Ordering::Relaxed),
            paused: c.paused.load(Ordering::Relaxed),
            llm_calls: c.llm_calls.load(Ordering::Relaxed),
            llm_cached: c.llm_cached.load(Ordering::Relaxed),
        }
    }

    /// Deliveries posting now.
    pub fn in_flight(&self) -> usize {
        self.inner
            .in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .len()
    }

    /// Waits until no delivery is posting (tests and benchmarks).
    pub async fn idle(&self) {
        while self.in_flight() > 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// One round: picks up claimed deliveries that are ready, then claims every due channel's slot and starts
    /// posting it. Returns once everything is claimed; posting goes on in the background.
    pub async fn tick(&self) -> Result<TickReport, StoreError> {
        let now = self.inner.clock.now();
        let mut report = TickReport::default();
        let lease_until = now + self.inner.lease();
        self.renew_waiting(now, lease_until).await?;
        for d in self
            .inner
            .store
            .claim_open_deliveries(now, lease_until, &self.inner.owner, BATCH)
            .await?
        {
            if self.spawn(d) {
                report.resumed += 1;
            }
        }
        loop {
            let due = self.inner.store.due_schedules(now, BATCH).await?;
            let n = due.len();
            for row in due {
                let (guild, channel) = (row.guild_id, row.channel_id);
                // One channel's briefing must not stop every channel after it: a panic composing it pauses
                // that channel with a reason `/schedule show` prints, and the round goes on.
                let claimed = AssertUnwindSafe(self.claim(row, now, &mut report))
                    .catch_unwind()
                    .await;
                match claimed {
                    Ok(result) => result?,
                    Err(_) => {
                        tracing::error!(
                            guild,
                            channel,
                            "composing a briefing panicked; pausing the channel"
                        );
                        report.panicked += 1;
                        self.inner
                            .store
                            .set_paused(channel, true, Some(COMPOSE_PANICKED), None)
                            .await?;
                    }
                }
            }
            if n < BATCH {
                break;
            }
        }
        Ok(report)
    }

    /// Keeps the deliveries this process claimed and has not posted yet its own: a round bigger than the process
    /// posts within one lease would otherwise lapse while it waits its turn, and be taken over by other
    /// processes mid-queue. Runs every quarter lease.
    async fn renew_waiting(
        &self,
        now: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        {
            let mut renewed = self.inner.renewed.lock().unwrap_or_else(|e| e.into_inner());
            if renewed.is_some_and(|at| now - at < self.inner.lease() / 4) {
                return Ok(());
            }
            *renewed = Some(now);
        }
        let ids: Vec<i64> = self
            .inner
            .in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .copied()
            .collect();
        if !ids.is_empty() {
            self.inner
                .store
                .renew_delivery_leases(&ids, &self.inner.owner, until)
                .await?;
        }
        Ok(())
    }

    /// Starts posting a claimed delivery unless it is posting already; whether it started.
    pub(super) fn spawn(&self, d: Delivery) -> bool {
        if !self
            .inner
            .in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(d.id)
        {
            return false;
        }
        let inner = Arc::clone(&self.inner);
        let span = tracing::info_span!(
            "deliver",
            guild = d.guild_id,
            channel = d.channel_id,
            delivery = d.id
        );
        tokio::spawn(
            async move {
                let id = d.id;
                if let Ok(_permit) = inner.slots.acquire().await {
                    match AssertUnwindSafe(inner.deliver(d)).catch_unwind().await {
                        Ok(Ok(())) => {}
                        Ok(Err(e)) => {
                            tracing::warn!(error = %e, "delivery bookkeeping failed; retried next tick")
                        }
                        Err(_) => tracing::error!("delivery panicked; retried next tick"),
                    }
                }
                inner
                    .in_flight
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&id);
            }
            .instrument(span),
        );
        true
    }
}
