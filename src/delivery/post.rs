//! Posting a claimed delivery: each part with its nonce, paced under the rate limit, 429s waited out, 5xx
//! and network errors retried with backoff, a gone or forbidden channel paused; then recorded as sent.

use std::sync::atomic::Ordering;
use std::time::Duration;

use super::outbox::{Outbox, PostError, Scheduled, nonce};
use super::scheduler::Inner;
use crate::brief::channel_settings::PostIn;
use crate::store::{Delivery, StoreError};

/// A delivery whose attempts ran out waits this long before the next round of attempts.
const RETRY_LATER: chrono::Duration = chrono::Duration::minutes(1);

impl<O: Outbox> Inner<O> {
    /// Posts the parts of a claimed delivery not yet posted, then marks it sent. Gives up (releasing its
    /// items) when it can no longer be posted on time, the channel is gone, or Discord refuses it.
    pub(super) async fn deliver(&self, d: Delivery) -> Result<(), StoreError> {
        let post: Scheduled = match serde_json::from_str(&d.payload) {
            Ok(p) => p,
            Err(e) => {
                return self
                    .give_up(&d, &format!("stored briefing unreadable: {e}"))
                    .await;
            }
        };
        // Renewed now (it may have queued for a posting slot) and after every message: another process takes a
        // delivery over only when its holder stopped renewing, and then the holder stops here.
        if !self.hold(&d).await? {
            return Ok(());
        }
        let grace = chrono::Duration::minutes(i64::from(self.cfg.grace_minutes));
        if d.parts_sent == 0 && self.clock.now() - d.due_at > grace {
            return self.give_up(&d, "not posted within the grace window").await;
        }
        // A thread or forum post is opened once, and recorded before any part goes into it.
        let target = match (post.post_in, d.thread_id) {
            (PostIn::Channel, _) => d.channel_id,
            (_, Some(thread)) => thread,
            (_, None) => {
                match self
                    .with_retries(&d, || self.outbox.open(d.channel_id, &post))
                    .await?
                {
                    Some(thread) => {
                        self.store.delivery_thread(d.id, thread).await?;
                        thread
                    }
                    None => return Ok(()),
                }
            }
        };
        let parts = self.outbox.render(&post);
        for (i, part) in parts.iter().enumerate().skip(d.parts_sent) {
            let nonce = nonce(d.channel_id, d.due_at, i);
            let Some(message_id) = self
                .with_retries(&d, || self.outbox.post(target, part, &nonce))
                .await?
            else {
                return Ok(());
            };
            self.store
                .delivery_part_sent(d.id, i + 1, message_id)
                .await?;
            if i + 1 < parts.len() && !self.hold(&d).await? {
                return Ok(());
            }
            self.counters.posted.fetch_add(1, Ordering::Relaxed);
            metrics::counter!("herald_posts_total").increment(1);
        }
        self.store.delivery_sent(d.id, self.clock.now()).await?;
        metrics::counter!("herald_deliveries_total", "state" => "sent").increment(1);
        tracing::info!(parts = parts.len(), due_at = %d.due_at, "briefing delivered");
        Ok(())
    }

    /// Renews this process's hold on a delivery; `false` (logged) when another process has taken it over.
    async fn hold(&self, d: &Delivery) -> Result<bool, StoreError> {
        let until = self.clock.now() + self.lease();
        let held = self
            .store
            .renew_delivery_lease(d.id, &self.owner, until)
            .await?;
        if !held {
            tracing::warn!(
                delivery = d.id,
                "another herald process took this delivery over; leaving it to that one"
            );
        }
        Ok(held)
    }

    /// Runs one Discord call of a delivery (opening its thread, posting a part), paced, retrying 429s, 5xx and
    /// network errors with backoff. `None`: the delivery was put off or given up (and recorded so).
    async fn with_retries<F, Fut>(
        &self,
        d: &Delivery,
        mut call: F,
    ) -> Result<Option<u64>, StoreError>
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Result<u64, PostError>>,
    {
        let mut attempt: u32 = 0;
        loop {
            self.pacer.wait().await;
            match call().await {
                Ok(id) => return Ok(Some(id)),
                Err(PostError::RateLimited {
                    retry_after,
                    global,
                }) => {
                    self.counters.rate_limited.fetch_add(1, Ordering::Relaxed);
                    metrics::counter!("herald_discord_429_total").increment(1);
                    let wait = retry_after.unwrap_or_else(|| backoff(attempt));
                    if global {
                        self.pacer.hold(wait).await;
                    }
                    attempt += 1;
                    if attempt >= self.cfg.post_attempts.saturating_mul(4) {
                        self.retry_later(d, "rate limited").await?;
                        return Ok(None);
                    }
                    tokio::time::sleep(wait).await;
                }
                Err(PostError::Transient(e)) => {
                    attempt += 1;
                    if attempt >= self.cfg.post_attempts {
                        self.retry_later(d, &e).await?;
                        return Ok(None);
                    }
                    self.counters.retried.fetch_add(1, Ordering::Relaxed);
                    metrics::counter!("herald_post_retries_total").increment(1);
                    tracing::info!(error = %e, attempt, "post failed; retrying");
                    tokio::time::sleep(backoff(attempt)).await;
                }
                Err(PostError::Gone(reason)) => {
                    tracing::warn!(%reason, "channel gone or forbidden; pausing its schedule");
                    self.counters.paused.fetch_add(1, Ordering::Relaxed);
                    self.store
                        .set_paused(d.channel_id, true, Some(&reason), None)
                        .await?;
                    self.give_up(d, &reason).await?;
                    return Ok(None);
                }
                Err(PostError::Rejected(e)) => {
                    self.give_up(d, &e).await?;
                    return Ok(None);
                }
            }
        }
    }

    async fn retry_later(&self, d: &Delivery, error: &str) -> Result<(), StoreError> {
        let at = self.clock.now() + RETRY_LATER;
        tracing::warn!(%error, retry_at = %at, "delivery failed; trying again later");
        self.store.delivery_retry(d.id, error, at).await
    }

    async fn give_up(&self, d: &Delivery, reason: &str) -> Result<(), StoreError> {
        tracing::warn!(%reason, due_at = %d.due_at, "delivery given up");
        self.counters.failed.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("herald_deliveries_total", "state" => "failed").increment(1);
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
    use std::sync::Arc;
    use std::time::Duration;

    use std::sync::atomic::Ordering;

    use crate::delivery::test_util::*;
    use crate::delivery::{Pacer, PostError, Scheduler, TickReport};
    use crate::item::NewItem;
    use crate::store::DeliveryState;

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

    /// A delivery this process claimed but has not posted yet (here: waiting out a long 429) keeps its lease:
    /// the scheduler extends what it holds every quarter lease, so no other process takes it over mid-queue.
    #[tokio::test]
    async fn a_waiting_delivery_keeps_its_lease() {
        let w = world(|c| c.lease_secs = 60).await;
        w.publish(0, &[item("1", "Ceasefire holds", "Calm.")]).await;
        w.mem.then([Step::Fail(PostError::RateLimited {
            retry_after: Some(Duration::from_secs(600)),
            global: false,
        })]);
        w.clock.set(at(8, 0));
        w.scheduler.tick().await.unwrap();
        let lease = |w: &World| {
            let (store, slot) = (w.store.clone(), at(8, 0));
            async move {
                store
                    .delivery(CHANNEL, slot)
                    .await
                    .unwrap()
                    .unwrap()
                    .retry_at
            }
        };
        // Give the task its first (refused) attempt; it then waits ten minutes, still in flight.
        while w.scheduler.stats().rate_limited == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        assert_eq!(lease(&w).await, Some(at(8, 1)));
        // Within a quarter lease nothing is renewed; past it, the lease runs from the tick.
        w.clock.set(at(8, 0) + chrono::Duration::seconds(10));
        w.scheduler.tick().await.unwrap();
        assert_eq!(lease(&w).await, Some(at(8, 1)));
        let tick = at(8, 0) + chrono::Duration::seconds(20);
        w.clock.set(tick);
        w.scheduler.tick().await.unwrap();
        assert_eq!(lease(&w).await, Some(tick + chrono::Duration::seconds(60)));
        let past_first_lease = at(8, 1) + chrono::Duration::seconds(5);
        assert!(
            w.store
                .claim_open_deliveries(past_first_lease, past_first_lease, "another", 10)
                .await
                .unwrap()
                .is_empty(),
            "still held"
        );
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
    async fn a_thread_is_opened_once_and_a_restart_finishes_in_it() {
        let w = world(|c| c.post_attempts = 1).await;
        let thread = crate::brief::channel_settings::ChannelSettings {
            post_in: crate::brief::channel_settings::PostIn::Thread,
            ..Default::default()
        };
        w.store
            .set_channel_settings(GUILD, CHANNEL, &thread.to_row(), 5, at(7, 0))
            .await
            .unwrap();
        let items: Vec<NewItem> = [
            ("Ceasefire agreed in Gaza", "Mediators announced it."),
            ("Sudan ceasefire talks stall", "Generals walked out."),
            ("Kashmir ceasefire violations reported", "Shelling at dawn."),
        ]
        .iter()
        .enumerate()
        .map(|(i, (title, text))| item(&i.to_string(), title, text))
        .collect();
        w.publish(0, &items).await;
        w.mem
            .then([Step::Pass, Step::Fail(PostError::Transient("502".into()))]);
        w.run_at(at(8, 0)).await;
        let d = w.store.delivery(CHANNEL, at(8, 0)).await.unwrap().unwrap();
        assert_eq!(
            (d.state, d.thread_id, d.parts_sent),
            (DeliveryState::Claimed, Some(CHANNEL + 1000), 1)
        );
        w.run_at(at(8, 1)).await;
        let d = w.store.delivery(CHANNEL, at(8, 0)).await.unwrap().unwrap();
        assert_eq!((d.state, d.parts_sent), (DeliveryState::Sent, 2));
        assert_eq!(
            *w.mem.opened.lock().unwrap(),
            [(CHANNEL, CHANNEL + 1000)],
            "opened once"
        );
        assert_eq!(w.mem.texts(CHANNEL + 1000).len(), 2);
        assert!(w.mem.texts(CHANNEL).is_empty());
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

    #[tokio::test(start_paused = true)]
    async fn pacer_spaces_posts_and_holds_after_a_global_limit() {
        let pacer = Pacer::new(50);
        let start = tokio::time::Instant::now();
        for _ in 0..100 {
            pacer.wait().await;
        }
        let took = start.elapsed();
        assert!(
            took >= Duration::from_millis(1980) && took < Duration::from_millis(2000),
            "{took:?}"
        );
        pacer.hold(Duration::from_secs(3)).await;
        let before = tokio::time::Instant::now();
        pacer.wait().await;
        assert!(before.elapsed() >= Duration::from_secs(3));
    }

    /// Two processes on one PostgreSQL database post at the configured rate together, not each at it; on
    /// SQLite the pacer is the process's own.
    #[tokio::test]
    async fn processes_on_one_database_share_the_pace() {
        let (store, _db) = crate::store::test_util::temp_store().await;
        let a = Arc::new(Pacer::for_store(50, &store));
        let b = Arc::new(Pacer::for_store(50, &store));
        if store.backend() == crate::store::Backend::Sqlite {
            assert!(a.shared.is_none());
            return;
        }
        let start = std::time::Instant::now();
        let run = |p: Arc<Pacer>| async move {
            for _ in 0..20 {
                p.wait().await;
            }
        };
        tokio::join!(run(Arc::clone(&a)), run(Arc::clone(&b)));
        // 40 turns 20 ms apart: the 40th comes 780 ms after the first (each alone would be done in 380 ms).
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(760), "{took:?}");
        a.hold(Duration::from_millis(500)).await;
        let before = std::time::Instant::now();
        b.wait().await;
        assert!(
            before.elapsed() >= Duration::from_millis(450),
            "a 429 seen by one holds the other"
        );
    }

    /// A database that stops answering does not stop posting: the pacer paces this process alone meanwhile.
    #[tokio::test]
    async fn a_shared_pace_the_database_cannot_give_falls_back_to_the_process() {
        let (store, _db) = crate::store::test_util::temp_store().await;
        if store.backend() == crate::store::Backend::Sqlite {
            return;
        }
        let pacer = Pacer::for_store(50, &store);
        store.close().await;
        let start = std::time::Instant::now();
        for _ in 0..10 {
            pacer.wait().await;
        }
        let took = start.elapsed();
        assert!(pacer.alone.load(Ordering::Relaxed), "pacing alone");
        assert!(
            took >= Duration::from_millis(170) && took < Duration::from_secs(5),
            "{took:?}"
        );
    }
}
