//! The scheduler: finds channels whose time has come, builds each one's briefing from what is new for it, and
//! delivers it exactly once through an [`Outbox`].
//!
//! Exactly once, step by step:
//! 1. **Claim.** One transaction writes the delivery row (channel, slot) in state `claimed` with the briefing
//!    it will post, records the items it tells in `delivered_items`, and moves the schedule to its next run.
//!    A slot can be claimed once (`UNIQUE(channel_id, due_at)`, and the schedule must still point at it).
//! 2. **Post.** Each message carries a nonce derived from (channel, slot, part) with `enforce_nonce`, so a
//!    post repeated after a crash returns the first message instead of making a second one.
//! 3. **Record.** Each part's success is written (`parts_sent`, the message id); then the row is `sent`.
//!
//! Claimed rows are picked up again on every tick (so at start-up too) and finished from the first part not
//! recorded. A slot missed during downtime is delivered once if it is within the grace window; older ones are
//! skipped and logged. 429 and 5xx are retried with backoff; a channel that is gone or forbidden is paused
//! with the reason, and its delivery given up (its items are released for a later briefing).

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tracing::Instrument;

use crate::brief::cluster::already_told;
use crate::brief::query::Query;
use crate::brief::{Options, build_briefing};
use crate::clock::Clock;
use crate::config::{BriefConfig, NothingNew, ScheduleConfig};
use crate::deliver::{Outbox, Pacer, PostError, Scheduled, nonce};
use crate::schedule::Schedule;
use crate::store::{Claim, Delivery, ScheduleRow, Store, StoreError};

/// Items read for one channel's briefing at most.
const MAX_ITEMS: usize = 5000;
/// Due channels claimed per query.
const BATCH: usize = 500;
/// Deliveries posting at once (the pacer sets the rate; this bounds the tasks waiting on it).
const MAX_IN_FLIGHT: usize = 256;
/// A channel's first briefing, or one after a long pause, looks back this far at most.
const MAX_LOOKBACK: chrono::Duration = chrono::Duration::days(7);
/// How far back delivered stories are compared with new items.
const TOLD_LOOKBACK: chrono::Duration = chrono::Duration::days(3);
/// Delivered items compared with new ones at most.
const TOLD_MAX: usize = 500;
/// A delivery whose attempts ran out waits this long before the next round of attempts.
const RETRY_LATER: chrono::Duration = chrono::Duration::minutes(1);

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
}

/// Counters over the scheduler's life, for logs and benchmarks.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    /// Messages posted.
    pub posted: u64,
    /// 429 answers received.
    pub rate_limited: u64,
    /// Other failed attempts that were retried.
    pub retried: u64,
    /// Deliveries given up.
    pub failed: u64,
    /// Channels paused because they are gone or forbidden.
    pub paused: u64,
}

#[derive(Default)]
struct Counters {
    posted: AtomicU64,
    rate_limited: AtomicU64,
    retried: AtomicU64,
    failed: AtomicU64,
    paused: AtomicU64,
}

struct Inner<O: Outbox> {
    store: Store,
    clock: Arc<dyn Clock>,
    outbox: O,
    cfg: ScheduleConfig,
    brief: BriefConfig,
    pacer: Pacer,
    in_flight: Mutex<HashSet<i64>>,
    slots: tokio::sync::Semaphore,
    counters: Counters,
}

/// Posts every channel's briefing at its time; see the module docs. Cheap to clone (shared state).
pub struct Scheduler<O: Outbox> {
    inner: Arc<Inner<O>>,
}

impl<O: Outbox> Clone for Scheduler<O> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

/// The slot to deliver when a schedule due at `expected` is looked at `now`: the latest slot at or before
/// `now` that is within `grace`, and how many earlier slots are skipped. `None` when every missed slot is too
/// old. The schedule's next run is then `schedule.next_after(slot or now)`.
pub fn slot_to_deliver(
    schedule: &Schedule,
    expected: DateTime<Utc>,
    now: DateTime<Utc>,
    grace: chrono::Duration,
) -> (Option<DateTime<Utc>>, usize) {
    let oldest = now - grace;
    let mut skipped = 0;
    let mut slot = if expected >= oldest {
        Some(expected)
    } else {
        // Everything from `expected` up to the grace window is too old; counted as one skipped run.
        skipped += 1;
        schedule
            .next_after(oldest - chrono::Duration::seconds(1))
            .filter(|s| *s <= now)
    };
    while let Some(s) = slot {
        match schedule.next_after(s) {
            Some(n) if n <= now => {
                skipped += 1;
                slot = Some(n);
            }
            _ => break,
        }
    }
    (slot, skipped)
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
        let pacer = Pacer::new(cfg.posts_per_second);
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
            }),
        }
    }

    /// Ticks forever, `tick_ms` apart. Storage errors are logged and the next tick tries again.
    pub async fn run(self) {
        let mut every = tokio::time::interval(Duration::from_millis(self.inner.cfg.tick_ms));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match self.tick().await {
                Ok(r) if r != TickReport::default() => tracing::info!(?r, "scheduler tick"),
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "scheduler tick failed"),
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
        for d in self.inner.store.open_deliveries(now, BATCH).await? {
            if self.spawn(d) {
                report.resumed += 1;
            }
        }
        loop {
            let due = self.inner.store.due_schedules(now, BATCH).await?;
            let n = due.len();
            for row in due {
                self.claim(row, now, &mut report).await?;
            }
            if n < BATCH {
                break;
            }
        }
        Ok(report)
    }

    async fn claim(
        &self,
        row: ScheduleRow,
        now: DateTime<Utc>,
        report: &mut TickReport,
    ) -> Result<(), StoreError> {
        let store = &self.inner.store;
        let channel = row.channel_id;
        let span = tracing::info_span!("schedule", guild = row.guild_id, channel);
        let Some(expected) = row.next_run_at else {
            return Ok(());
        };
        let schedule = match Schedule::parse(&row.spec, &row.tz) {
            Ok(s) => s,
            Err(e) => {
                let reason = format!("the schedule no longer reads ({e}); set it again");
                span.in_scope(|| tracing::warn!(%reason, "pausing channel"));
                store.set_paused(channel, true, Some(&reason), None).await?;
                return Ok(());
            }
        };
        let grace = chrono::Duration::minutes(i64::from(self.inner.cfg.grace_minutes));
        let (slot, skipped) = slot_to_deliver(&schedule, expected, now, grace);
        if skipped > 0 {
            span.in_scope(|| {
                tracing::warn!(
                    skipped,
                    since = %expected,
                    "missed slots skipped (older than the grace window or superseded)"
                )
            });
            report.skipped += skipped;
        }
        let Some(due_at) = slot else {
            store
                .advance_schedule(channel, expected, schedule.next_after(now))
                .await?;
            return Ok(());
        };
        let post = self
            .compose(&row, due_at, now)
            .instrument(span.clone())
            .await?;
        let item_ids: Vec<i64> = post
            .briefing
            .stories
            .iter()
            .flat_map(|s| s.item_ids.iter().copied())
            .collect();
        let empty =
            post.briefing.stories.is_empty() && self.inner.cfg.nothing_new == NothingNew::Silent;
        let payload = serde_json::to_string(&post)
            .map_err(|e| StoreError::Sql(sqlx::Error::Encode(Box::new(e))))?;
        let claim = Claim {
            channel_id: channel,
            guild_id: row.guild_id,
            due_at,
            payload: &payload,
            item_ids: &item_ids,
            empty,
            expected_next_run: expected,
            next_run_at: schedule.next_after(due_at),
        };
        let Some(id) = store.claim_delivery(&claim, now).await? else {
            return Ok(());
        };
        if empty {
            report.empty += 1;
            return Ok(());
        }
        report.claimed += 1;
        span.in_scope(|| tracing::debug!(delivery = id, stories = post.briefing.stories.len(), %due_at, "claimed"));
        self.spawn(Delivery {
            id,
            channel_id: channel,
            guild_id: row.guild_id,
            due_at,
            state: crate::store::DeliveryState::Claimed,
            payload,
            parts_sent: 0,
            message_id: None,
            attempts: 0,
            error: None,
        });
        Ok(())
    }

    /// The post for a channel's slot: items first seen since its last delivery (the first: since the schedule
    /// was set, less a window; never more than a week back), not briefed to it before (not
    /// even as another outlet's report of a story it was told), matching any of its topics (every item when it
    /// follows none).
    async fn compose(
        &self,
        row: &ScheduleRow,
        due_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Scheduled, StoreError> {
        let store = &self.inner.store;
        let window = chrono::Duration::hours(i64::from(self.inner.brief.window_hours));
        let since = store
            .last_delivery_due(row.channel_id)
            .await?
            // A first briefing covers what arrived since the schedule was set, and a window before that.
            .unwrap_or(row.updated_at - window)
            .max(due_at - MAX_LOOKBACK);
        let topics: Vec<Query> = store
            .channel_subscriptions(row.channel_id)
            .await?
            .iter()
            .filter_map(|s| Query::parse(&s.query).ok())
            .collect();
        let mut items = store
            .fresh_items_for_channel(row.guild_id, row.channel_id, since, MAX_ITEMS)
            .await?;
        let told = store
            .delivered_items_since(row.channel_id, now - TOLD_LOOKBACK, TOLD_MAX)
            .await?;
        if !told.is_empty() {
            let repeats = already_told(&items, &told, self.inner.brief.cluster_threshold);
            let mut flags = repeats.into_iter();
            items.retain(|_| !flags.next().unwrap_or(false));
        }
        let briefing = build_briefing(&items, &topics, Options::from(&self.inner.brief), now);
        Ok(Scheduled {
            briefing,
            since,
            due_at,
        })
    }

    /// Starts posting a claimed delivery unless it is posting already; whether it started.
    fn spawn(&self, d: Delivery) -> bool {
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
                    if let Err(e) = inner.deliver(d).await {
                        tracing::warn!(error = %e, "delivery bookkeeping failed; retried next tick");
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

impl<O: Outbox> Inner<O> {
    /// Posts the parts of a claimed delivery not yet posted, then marks it sent. Gives up (releasing its
    /// items) when it can no longer be posted on time, the channel is gone, or Discord refuses it.
    async fn deliver(&self, d: Delivery) -> Result<(), StoreError> {
        let post: Scheduled = match serde_json::from_str(&d.payload) {
            Ok(p) => p,
            Err(e) => {
                return self
                    .give_up(&d, &format!("stored briefing unreadable: {e}"))
                    .await;
            }
        };
        let grace = chrono::Duration::minutes(i64::from(self.cfg.grace_minutes));
        if d.parts_sent == 0 && self.clock.now() - d.due_at > grace {
            return self.give_up(&d, "not posted within the grace window").await;
        }
        let parts = self.outbox.render(&post);
        for (i, part) in parts.iter().enumerate().skip(d.parts_sent) {
            let nonce = nonce(d.channel_id, d.due_at, i);
            let mut attempt: u32 = 0;
            let message_id = loop {
                self.pacer.wait().await;
                match self.outbox.post(d.channel_id, part, &nonce).await {
                    Ok(id) => break id,
                    Err(PostError::RateLimited {
                        retry_after,
                        global,
                    }) => {
                        self.counters.rate_limited.fetch_add(1, Ordering::Relaxed);
                        let wait = retry_after.unwrap_or_else(|| backoff(attempt));
                        if global {
                            self.pacer.hold(wait).await;
                        }
                        attempt += 1;
                        if attempt >= self.cfg.post_attempts.saturating_mul(4) {
                            return self.retry_later(&d, "rate limited").await;
                        }
                        tokio::time::sleep(wait).await;
                    }
                    Err(PostError::Transient(e)) => {
                        attempt += 1;
                        if attempt >= self.cfg.post_attempts {
                            return self.retry_later(&d, &e).await;
                        }
                        self.counters.retried.fetch_add(1, Ordering::Relaxed);
                        tracing::info!(error = %e, attempt, "post failed; retrying");
                        tokio::time::sleep(backoff(attempt)).await;
                    }
                    Err(PostError::Gone(reason)) => {
                        tracing::warn!(%reason, "channel gone or forbidden; pausing its schedule");
                        self.counters.paused.fetch_add(1, Ordering::Relaxed);
                        self.store
                            .set_paused(d.channel_id, true, Some(&reason), None)
                            .await?;
                        return self.give_up(&d, &reason).await;
                    }
                    Err(PostError::Rejected(e)) => return self.give_up(&d, &e).await,
                }
            };
            self.store
                .delivery_part_sent(d.id, i + 1, message_id)
                .await?;
            self.counters.posted.fetch_add(1, Ordering::Relaxed);
        }
        self.store.delivery_sent(d.id, self.clock.now()).await?;
        tracing::info!(parts = parts.len(), due_at = %d.due_at, "briefing delivered");
        Ok(())
    }

    async fn retry_later(&self, d: &Delivery, error: &str) -> Result<(), StoreError> {
        let at = self.clock.now() + RETRY_LATER;
        tracing::warn!(%error, retry_at = %at, "delivery failed; trying again later");
        self.store.delivery_retry(d.id, error, at).await
    }

    async fn give_up(&self, d: &Delivery, reason: &str) -> Result<(), StoreError> {
        tracing::warn!(%reason, due_at = %d.due_at, "delivery given up");
        self.counters.failed.fetch_add(1, Ordering::Relaxed);
        self.store
            .delivery_failed(d.id, reason, self.clock.now())
            .await
    }
}

/// Wait before retry `attempt` (1-based): 0.5 s, 1 s, 2 s … up to 30 s.
fn backoff(attempt: u32) -> Duration {
    Duration::from_millis(500)
        .saturating_mul(2_u32.saturating_pow(attempt.saturating_sub(1)))
        .min(Duration::from_secs(30))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use crate::model::NewItem;
    use crate::store::DeliveryState;
    use crate::store::test_util::temp_store;
    use chrono::TimeZone;
    use std::collections::{HashMap, VecDeque};

    /// What the in-memory outbox does with the next post.
    enum Step {
        /// Create the message and answer.
        Pass,
        /// Create the message, then fail as if the answer was lost.
        LoseAnswer,
        /// Fail without creating anything.
        Fail(PostError),
    }

    /// An outbox in memory that enforces nonces like Discord and follows a script (empty: every post passes).
    #[derive(Default)]
    struct Mem {
        /// (channel, text) of every message created.
        messages: Mutex<Vec<(u64, String)>>,
        nonces: Mutex<HashMap<String, u64>>,
        script: Mutex<VecDeque<Step>>,
    }

    impl Mem {
        fn texts(&self, channel: u64) -> Vec<String> {
            self.messages
                .lock()
                .unwrap()
                .iter()
                .filter(|(c, _)| *c == channel)
                .map(|(_, t)| t.clone())
                .collect()
        }
        fn then(&self, steps: impl IntoIterator<Item = Step>) {
            self.script.lock().unwrap().extend(steps);
        }
    }

    impl Outbox for Arc<Mem> {
        type Part = String;
        fn render(&self, post: &Scheduled) -> Vec<String> {
            if post.briefing.stories.is_empty() {
                return vec!["nothing new".into()];
            }
            // Two stories a message, so multi-part posts are exercised.
            post.briefing
                .stories
                .chunks(2)
                .map(|c| {
                    c.iter()
                        .map(|s| s.headline.as_str())
                        .collect::<Vec<_>>()
                        .join(" | ")
                })
                .collect()
        }
        async fn post(&self, channel: u64, part: &String, nonce: &str) -> Result<u64, PostError> {
            let step = self
                .script
                .lock()
                .unwrap()
                .pop_front()
                .unwrap_or(Step::Pass);
            if let Step::Fail(e) = step {
                return Err(e);
            }
            let id = {
                let mut nonces = self.nonces.lock().unwrap();
                let mut messages = self.messages.lock().unwrap();
                *nonces.entry(nonce.to_owned()).or_insert_with(|| {
                    messages.push((channel, part.clone()));
                    messages.len() as u64
                })
            };
            match step {
                Step::LoseAnswer => Err(PostError::Transient("answer lost".into())),
                _ => Ok(id),
            }
        }
    }

    const GUILD: u64 = 1;
    const CHANNEL: u64 = 9;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).unwrap()
    }

    fn item(guid: &str, title: &str, text: &str) -> NewItem {
        NewItem {
            guid: guid.into(),
            url: Some(format!("https://news.example/{guid}")),
            title: title.into(),
            author: None,
            published_at: None,
            snippet: text.into(),
            body: String::new(),
            lang: None,
        }
    }

    struct World {
        store: Store,
        clock: Arc<ManualClock>,
        mem: Arc<Mem>,
        scheduler: Scheduler<Arc<Mem>>,
        sources: Vec<i64>,
        _dir: tempfile::TempDir,
    }

    async fn world(cfg: impl FnOnce(&mut ScheduleConfig)) -> World {
        let (store, dir) = temp_store().await;
        let clock = Arc::new(ManualClock::new(at(7, 0)));
        let mut config = crate::config::Config::defaults();
        config.schedule.tick_ms = 10;
        config.schedule.posts_per_second = 1000;
        config.schedule.post_attempts = 3;
        config.brief.max_stories = 10;
        cfg(&mut config.schedule);
        let mut sources = Vec::new();
        for n in 0..2 {
            let s = store
                .upsert_source(&format!("https://s{n}.example/feed"), "feed", at(7, 0))
                .await
                .unwrap();
            store
                .add_guild_source(GUILD, s.id, 5, at(7, 0))
                .await
                .unwrap();
            sources.push(s.id);
        }
        store
            .subscribe(
                &crate::store::NewSubscription {
                    guild_id: GUILD,
                    channel_id: CHANNEL,
                    query: "ceasefire",
                    query_norm: "ceasefire",
                    created_by: 5,
                },
                25,
                at(7, 0),
            )
            .await
            .unwrap();
        let s = Schedule::parse("08:00", "UTC").unwrap();
        store
            .set_schedule(
                GUILD,
                CHANNEL,
                "08:00",
                "UTC",
                s.next_after(at(7, 0)),
                5,
                at(7, 0),
            )
            .await
            .unwrap();
        let mem = Arc::new(Mem::default());
        let scheduler = Scheduler::new(
            store.clone(),
            clock.clone(),
            Arc::clone(&mem),
            config.schedule,
            config.brief,
        );
        World {
            store,
            clock,
            mem,
            scheduler,
            sources,
            _dir: dir,
        }
    }

    impl World {
        async fn publish(&self, source: usize, items: &[NewItem]) {
            self.store
                .insert_items(self.sources[source], items, false, self.clock.now())
                .await
                .unwrap();
        }
        async fn run_at(&self, t: DateTime<Utc>) -> TickReport {
            self.clock.set(t);
            let r = self.scheduler.tick().await.unwrap();
            self.scheduler.idle().await;
            r
        }
    }

    #[test]
    fn slots_after_downtime_within_grace_once_older_skipped() {
        let s = Schedule::parse("08:00,08:30", "UTC").unwrap();
        let grace = chrono::Duration::minutes(60);
        assert_eq!(
            slot_to_deliver(&s, at(8, 0), at(8, 0), grace),
            (Some(at(8, 0)), 0)
        );
        assert_eq!(
            slot_to_deliver(&s, at(8, 0), at(8, 45), grace),
            (Some(at(8, 30)), 1),
            "two missed slots within grace: only the latest is delivered"
        );
        assert_eq!(
            slot_to_deliver(&s, at(8, 0), at(9, 15), grace),
            (Some(at(8, 30)), 1)
        );
        assert_eq!(slot_to_deliver(&s, at(8, 0), at(11, 0), grace), (None, 1));
        // A slot every minute, down for a year: bounded work, the latest minute delivered.
        let every = Schedule::parse("* * * * *", "UTC").unwrap();
        let now = at(8, 0) + chrono::Duration::days(365);
        let (slot, skipped) = slot_to_deliver(&every, at(8, 0), now, grace);
        assert_eq!(slot, Some(now));
        assert_eq!(skipped, 61);
    }

    #[tokio::test]
    async fn delivers_once_at_its_time_and_never_repeats_a_story() {
        let w = world(|_| {}).await;
        w.publish(
            0,
            &[
                item(
                    "a",
                    "Ceasefire talks open in Istanbul",
                    "Delegations met for a ceasefire.",
                ),
                item("b", "Football results", "Nothing about war."),
            ],
        )
        .await;
        assert_eq!(
            w.run_at(at(7, 59)).await,
            TickReport::default(),
            "not due yet"
        );
        let r = w.run_at(at(8, 0) + chrono::Duration::seconds(20)).await;
        assert_eq!(r.claimed, 1);
        assert_eq!(w.mem.texts(CHANNEL), ["Ceasefire talks open in Istanbul"]);
        assert_eq!(w.run_at(at(8, 5)).await, TickReport::default(), "no repeat");
        let d = w.store.delivery(CHANNEL, at(8, 0)).await.unwrap().unwrap();
        assert_eq!(
            (d.state, d.parts_sent, d.message_id),
            (DeliveryState::Sent, 1, Some(1))
        );

        // Next day: another outlet's report of the same story is not news; a new story is.
        w.clock.set(at(12, 0));
        w.publish(
            1,
            &[
                item(
                    "c",
                    "Ceasefire talks open in Istanbul, officials say",
                    "Delegations met for a ceasefire.",
                ),
                item(
                    "d",
                    "Second ceasefire collapses in the north",
                    "Fighting resumed overnight.",
                ),
            ],
        )
        .await;
        w.run_at(at(8, 0) + chrono::Duration::days(1)).await;
        assert_eq!(
            w.mem.texts(CHANNEL)[1..],
            ["Second ceasefire collapses in the north".to_owned()]
        );
        // Third day: nothing new, one line.
        w.run_at(at(8, 0) + chrono::Duration::days(2)).await;
        assert_eq!(w.mem.texts(CHANNEL)[2..], ["nothing new".to_owned()]);
        assert_eq!(w.scheduler.stats().posted, 3);
    }

    #[tokio::test]
    async fn silent_mode_posts_nothing_when_nothing_is_new() {
        let w = world(|c| c.nothing_new = NothingNew::Silent).await;
        let r = w.run_at(at(8, 0)).await;
        assert_eq!((r.claimed, r.empty), (0, 1));
        assert!(w.mem.texts(CHANNEL).is_empty());
        let d = w.store.delivery(CHANNEL, at(8, 0)).await.unwrap().unwrap();
        assert_eq!(d.state, DeliveryState::Empty);
    }

    #[tokio::test]
    async fn a_lost_answer_is_retried_with_the_same_nonce_and_posts_once() {
        let w = world(|_| {}).await;
        w.publish(0, &[item("a", "Ceasefire holds", "The ceasefire held.")])
            .await;
        // Discord creates the message but herald never hears back, then 5xx: posted once all the same.
        w.mem.then([
            Step::LoseAnswer,
            Step::Fail(PostError::Transient("HTTP 502".into())),
        ]);
        w.run_at(at(8, 0)).await;
        assert_eq!(w.mem.texts(CHANNEL), ["Ceasefire holds"]);
        let s = w.scheduler.stats();
        assert_eq!((s.posted, s.retried), (1, 2));
    }

    #[tokio::test]
    async fn restart_finishes_a_claimed_delivery_from_the_first_part_not_posted() {
        let w = world(|c| c.post_attempts = 1).await;
        let items: Vec<NewItem> = (0..3)
            .map(|i| {
                let (title, text) = [
                    ("Ceasefire agreed in Gaza", "Mediators announced it."),
                    ("Sudan ceasefire talks stall", "Generals walked out."),
                    ("Kashmir ceasefire violations reported", "Shelling at dawn."),
                ][i];
                item(&format!("{i}"), title, text)
            })
            .collect();
        w.publish(0, &items).await;
        // Part one posts; Discord creates part two but its answer is lost, and attempts (1) run out: the
        // delivery stays claimed with one part recorded, to be tried again in a minute.
        w.mem.then([Step::Pass, Step::LoseAnswer]);
        w.run_at(at(8, 0)).await;
        assert_eq!(w.mem.texts(CHANNEL).len(), 2);
        let d = w.store.delivery(CHANNEL, at(8, 0)).await.unwrap().unwrap();
        assert_eq!(
            (d.state, d.parts_sent, d.attempts),
            (DeliveryState::Claimed, 1, 1)
        );

        // A new process (same store), a minute later: the claimed row is finished, both parts, once.
        let again = Scheduler::new(
            w.store.clone(),
            w.clock.clone(),
            Arc::clone(&w.mem),
            crate::config::Config::defaults().schedule,
            crate::config::Config::defaults().brief,
        );
        w.clock.set(at(8, 1));
        let r = again.tick().await.unwrap();
        again.idle().await;
        assert_eq!(r.resumed, 1);
        assert_eq!(
            w.mem.texts(CHANNEL).len(),
            2,
            "part two's nonce returned the first copy"
        );
        let d = w.store.delivery(CHANNEL, at(8, 0)).await.unwrap().unwrap();
        assert_eq!((d.state, d.parts_sent), (DeliveryState::Sent, 2));
        // And again: nothing more.
        again.tick().await.unwrap();
        again.idle().await;
        assert_eq!(w.mem.texts(CHANNEL).len(), 2);
    }

    #[tokio::test]
    async fn a_gone_channel_is_paused_and_its_stories_released() {
        let w = world(|_| {}).await;
        w.publish(0, &[item("a", "Ceasefire holds", "The ceasefire held.")])
            .await;
        w.mem.then([Step::Fail(PostError::Gone(
            "Unknown Channel (HTTP 404)".into(),
        ))]);
        w.run_at(at(8, 0)).await;
        let s = w.store.schedule(CHANNEL).await.unwrap().unwrap();
        assert!(s.paused);
        assert_eq!(
            s.paused_reason.as_deref(),
            Some("Unknown Channel (HTTP 404)")
        );
        let d = w.store.delivery(CHANNEL, at(8, 0)).await.unwrap().unwrap();
        assert_eq!(d.state, DeliveryState::Failed);
        assert_eq!(
            w.store
                .fresh_items_for_channel(GUILD, CHANNEL, at(7, 0), 10)
                .await
                .unwrap()
                .len(),
            1,
            "the story waits for the channel's next briefing"
        );
        assert_eq!(
            w.run_at(at(8, 0) + chrono::Duration::days(1)).await,
            TickReport::default(),
            "paused"
        );
        assert_eq!(w.scheduler.stats().paused, 1);
    }

    #[tokio::test]
    async fn rate_limits_wait_and_retry() {
        let w = world(|_| {}).await;
        w.publish(0, &[item("a", "Ceasefire holds", "The ceasefire held.")])
            .await;
        w.mem.then([
            Step::Fail(PostError::RateLimited {
                retry_after: Some(Duration::from_millis(50)),
                global: true,
            }),
            Step::Fail(PostError::RateLimited {
                retry_after: None,
                global: false,
            }),
        ]);
        w.run_at(at(8, 0)).await;
        assert_eq!(w.mem.texts(CHANNEL), ["Ceasefire holds"]);
        assert_eq!(w.scheduler.stats().rate_limited, 2);
    }

    #[tokio::test]
    async fn downtime_past_grace_skips_the_slot_without_posting() {
        let w = world(|_| {}).await;
        w.publish(0, &[item("a", "Ceasefire holds", "The ceasefire held.")])
            .await;
        let r = w.run_at(at(10, 0)).await;
        assert_eq!((r.claimed, r.skipped), (0, 1));
        assert!(w.mem.texts(CHANNEL).is_empty());
        assert_eq!(
            w.store
                .schedule(CHANNEL)
                .await
                .unwrap()
                .unwrap()
                .next_run_at,
            Some(at(8, 0) + chrono::Duration::days(1))
        );
        // The story is not lost: the next slot briefs it.
        w.run_at(at(8, 0) + chrono::Duration::days(1)).await;
        assert_eq!(w.mem.texts(CHANNEL), ["Ceasefire holds"]);
    }
}
