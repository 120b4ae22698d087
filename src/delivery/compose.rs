//! Composing a channel's briefing for its slot, and claiming the slot: one transaction writes the delivery
//! row with the briefing it will post, records the items it tells, and moves the schedule on.

use chrono::{DateTime, Utc};
use tracing::Instrument;

use super::outbox::{Outbox, Scheduled};
use super::schedule::Schedule;
use super::scheduler::{Scheduler, TickReport};
use super::slots::slot_to_deliver;
use crate::brief::Options;
use crate::brief::briefer::{Briefer, MAX_ITEMS, Made, Request};
use crate::brief::channel_settings::ChannelSettings;
use crate::brief::cluster::already_told;
use crate::config::NothingNew;
use crate::query::Query;
use crate::store::{Claim, Delivery, ScheduleRow, StoreError, channel_reader};

/// A channel's first briefing, or one after a long pause, looks back this far at most.
const MAX_LOOKBACK: chrono::Duration = chrono::Duration::days(7);
/// How far back delivered stories are compared with new items.
const TOLD_LOOKBACK: chrono::Duration = chrono::Duration::days(3);
/// Delivered items compared with new ones at most.
const TOLD_MAX: usize = 500;

impl<O: Outbox> Scheduler<O> {
    pub(super) async fn claim(
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
        // One channel's briefings in order: while an earlier slot is still being posted (or waits to be taken
        // over after a crash), this one waits its turn; the schedule stays put and the next tick asks again.
        if store.has_earlier_open_delivery(channel, due_at).await? {
            span.in_scope(
                || tracing::debug!(%due_at, "an earlier briefing is still being posted; waiting"),
            );
            report.waiting += 1;
            return Ok(());
        }
        let post = self
            .compose(&row, due_at, now)
            .instrument(span.clone())
            .await?;
        let item_ids: Vec<i64> = post
            .briefing
            .stories
            .iter()
            .flat_map(|s| s.item_ids.iter().chain(&s.duplicate_ids).copied())
            .collect();
        let tellings = crate::brief::memory::tellings(&post.briefing);
        let empty = post.briefing.stories.is_empty() && post.nothing_new == NothingNew::Silent;
        // A briefing that cannot be written down is this channel's internal error, not the round's: the channel
        // is paused with the reason `/schedule show` prints, as a panic composing it would.
        let payload = match serde_json::to_string(&post) {
            Ok(payload) => payload,
            Err(e) => {
                span.in_scope(|| tracing::error!(error = %e, "cannot write the briefing down; pausing channel"));
                report.panicked += 1;
                store
                    .set_paused(
                        channel,
                        true,
                        Some(super::scheduler::COMPOSE_PANICKED),
                        None,
                    )
                    .await?;
                return Ok(());
            }
        };
        let lease_until = now + self.inner.lease();
        let claim = Claim {
            channel_id: channel,
            guild_id: row.guild_id,
            due_at,
            payload: &payload,
            item_ids: &item_ids,
            empty,
            expected_next_run: expected,
            next_run_at: schedule.next_spaced(due_at, self.inner.cfg.min_interval()),
            lease_until,
            owner: &self.inner.owner,
            tellings: &tellings,
        };
        let Some(id) = store.claim_delivery(&claim, now).await? else {
            return Ok(());
        };
        if empty {
            metrics::counter!("herald_deliveries_total", "state" => "empty").increment(1);
            report.empty += 1;
            return Ok(());
        }
        metrics::counter!("herald_deliveries_total", "state" => "claimed").increment(1);
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
            thread_id: None,
            retry_at: Some(lease_until),
        });
        Ok(())
    }

    /// The post for a channel's slot: [`next_briefing`] at `due_at`, with where and how it is posted.
    async fn compose(
        &self,
        row: &ScheduleRow,
        due_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Scheduled, StoreError> {
        let Next {
            briefing,
            round,
            since,
            settings,
        } = next_briefing(
            &self.inner.store,
            self.inner.llm.as_ref(),
            &self.inner.brief,
            Channel {
                guild_id: row.guild_id,
                channel_id: row.channel_id,
                set_at: row.updated_at,
            },
            due_at,
            now,
        )
        .await?;
        let counters = &self.inner.counters;
        let relaxed = std::sync::atomic::Ordering::Relaxed;
        counters.llm_calls.fetch_add(round.calls as u64, relaxed);
        counters.llm_cached.fetch_add(round.cached as u64, relaxed);
        Ok(Scheduled {
            briefing,
            since,
            due_at,
            ping_role: settings.ping_role,
            post_in: settings.post_in,
            nothing_new: settings.nothing_new.unwrap_or(self.inner.cfg.nothing_new),
        })
    }
}

/// The channel a briefing is composed for.
#[derive(Debug, Clone, Copy)]
pub struct Channel {
    /// Its server.
    pub guild_id: u64,
    /// The channel.
    pub channel_id: u64,
    /// When its schedule was set (a first briefing looks back from there).
    pub set_at: DateTime<Utc>,
}

/// A channel's next briefing, and what went into it.
#[derive(Debug)]
pub struct Next {
    /// The briefing, styled.
    pub briefing: crate::brief::Briefing,
    /// Its LLM calls.
    pub round: crate::brief::llm::LlmRound,
    /// It covers items first seen from this time on.
    pub since: DateTime<Utc>,
    /// The channel's settings it was made with.
    pub settings: ChannelSettings,
}

/// What a channel's briefing for `due_at` says: items first seen since its last delivery (the first: since the
/// schedule was set, less a window; never more than a week back), not briefed to it before (not even as another
/// outlet's report of a story it was told), matching any of its topics (every item when it follows none), told
/// from the channel's memory. Reads only: the schedule records what it tells when it claims the slot, and
/// `/settings show preview:` shows it without telling anything.
pub async fn next_briefing(
    store: &crate::store::Store,
    llm: Option<&crate::brief::llm::LlmSummarizer>,
    brief: &crate::config::BriefConfig,
    channel: Channel,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<Next, StoreError> {
    let window = chrono::Duration::hours(i64::from(brief.window_hours));
    let since = store
        .last_delivery_due(channel.channel_id)
        .await?
        // A first briefing covers what arrived since the schedule was set, and a window before that.
        .unwrap_or(channel.set_at - window)
        .max(due_at - MAX_LOOKBACK);
    let topics: Vec<Query> = store
        .channel_subscriptions(channel.channel_id)
        .await?
        .iter()
        .filter_map(|s| Query::parse(&s.query).ok())
        .collect();
    let mut items = store
        .fresh_items_for_channel(channel.guild_id, channel.channel_id, since, MAX_ITEMS)
        .await?;
    // The channel's memory: a story it was told comes back only as an update with what is new.
    let reader = channel_reader(channel.channel_id);
    if store.told_story_count(&reader).await? == 0 {
        // A channel briefed before herald kept a memory: its delivered items keep their stories out.
        let told = store
            .delivered_items_since(channel.channel_id, now - TOLD_LOOKBACK, TOLD_MAX)
            .await?;
        if !told.is_empty() {
            let repeats = already_told(&items, &told, brief.cluster_threshold);
            let mut flags = repeats.into_iter();
            items.retain(|_| !flags.next().unwrap_or(false));
        }
    }
    let settings = store
        .channel_settings(channel.channel_id)
        .await?
        .map(|r| ChannelSettings::from_row(&r))
        .unwrap_or_default();
    let Made { briefing, round } = Briefer { store, llm }
        .brief(Request {
            items: &items,
            topics: &topics,
            base: Options::from(brief),
            settings: &settings,
            reader: Some(&reader),
            guild_id: channel.guild_id,
            now,
        })
        .await?;
    Ok(Next {
        briefing,
        round,
        since,
        settings,
    })
}

#[cfg(test)]
mod tests {
    use crate::config::NothingNew;
    use crate::delivery::TickReport;
    use crate::delivery::test_util::*;
    use crate::store::DeliveryState;

    #[tokio::test]
    async fn delivers_once_at_its_time_and_never_repeats_a_story() {
        let w = world(|c| c.nothing_new = NothingNew::Say).await;
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

    /// A schedule stored before `[schedule] min_interval_minutes` (every 5 minutes) posts at most hourly.
    #[tokio::test]
    async fn a_stored_schedule_that_runs_too_often_is_held_to_the_smallest_gap() {
        let w = world(|c| {
            c.min_interval_minutes = 60;
            c.nothing_new = NothingNew::Say;
        })
        .await;
        let every = crate::delivery::Schedule::parse("*/5 * * * *", "UTC").unwrap();
        w.store
            .set_schedule(
                GUILD,
                CHANNEL,
                "*/5 * * * *",
                "UTC",
                Some(at(8, 0)),
                5,
                at(7, 0),
            )
            .await
            .unwrap();
        let r = w.run_at(at(8, 0) + chrono::Duration::seconds(5)).await;
        assert_eq!(r.claimed, 1);
        let row = w.store.schedule(CHANNEL).await.unwrap().unwrap();
        assert_eq!(
            row.next_run_at,
            Some(at(9, 0)),
            "not {:?}",
            every.next_after(at(8, 0))
        );
        for minutes in [5, 10, 30, 55] {
            let r = w.run_at(at(8, minutes)).await;
            assert_eq!(r, TickReport::default(), "nothing at 08:{minutes:02}");
        }
        assert_eq!(
            w.run_at(at(9, 0)).await.claimed + w.run_at(at(9, 0)).await.empty,
            1
        );
    }

    /// A channel's 09:00 briefing waits while its 08:00 one is still being posted (or waiting to be taken up
    /// again): one channel's briefings are posted in order.
    #[tokio::test]
    async fn a_channel_s_next_slot_waits_for_the_one_before() {
        let w = world(|c| {
            c.post_attempts = 1;
            c.grace_minutes = 180;
            c.nothing_new = NothingNew::Say;
        })
        .await;
        w.store
            .set_schedule(
                GUILD,
                CHANNEL,
                "08:00,09:00",
                "UTC",
                Some(at(8, 0)),
                5,
                at(7, 0),
            )
            .await
            .unwrap();
        w.publish(0, &[item("a", "Ceasefire talks open", "Delegations met.")])
            .await;
        w.mem
            .then([Step::Fail(crate::delivery::PostError::Transient(
                "HTTP 502".into(),
            ))]);
        let r = w.run_at(at(8, 0)).await;
        assert_eq!(r.claimed, 1);
        assert!(w.mem.texts(CHANNEL).is_empty(), "the 08:00 post failed");
        // 09:00: the 08:00 delivery is taken up again first, and 09:00 waits for it.
        w.mem
            .then([Step::Fail(crate::delivery::PostError::Transient(
                "HTTP 502".into(),
            ))]);
        let r = w.run_at(at(9, 0)).await;
        assert_eq!((r.resumed, r.claimed, r.waiting), (1, 0, 1), "{r:?}");
        // Once 08:00 is posted, 09:00 follows.
        w.run_at(at(9, 1) + chrono::Duration::seconds(1)).await;
        w.run_at(at(9, 2)).await;
        let texts = w.mem.texts(CHANNEL);
        assert_eq!(texts, ["Ceasefire talks open", "nothing new"], "in order");
    }

    /// A channel remembers what it was told: a story with new facts comes back as an update linking to the
    /// message that first told it, and a day with nothing new posts nothing (the default).
    #[tokio::test]
    async fn a_developing_story_comes_back_as_an_update_and_a_quiet_day_posts_nothing() {
        let w = world(|_| {}).await;
        w.publish(
            0,
            &[item(
                "a",
                "Ceasefire talks open in Istanbul",
                "Delegations from Kyiv and Moscow met in Istanbul on Monday for ceasefire talks. The talks \
                 at Dolmabahce Palace lasted two hours, Turkish officials said.",
            )],
        )
        .await;
        assert_eq!(w.run_at(at(8, 0)).await.claimed, 1);
        assert_eq!(w.mem.texts(CHANNEL), ["Ceasefire talks open in Istanbul"]);

        w.clock.set(at(12, 0));
        w.publish(
            1,
            &[item(
                "b",
                "Istanbul talks agree a prisoner exchange",
                "Delegations from Kyiv and Moscow met in Istanbul on Monday for ceasefire talks. On \
                 Tuesday the negotiators agreed to exchange 1,200 prisoners of war within a week.",
            )],
        )
        .await;
        let day2 = at(8, 0) + chrono::Duration::days(1);
        assert_eq!(w.run_at(day2).await.claimed, 1);
        assert_eq!(
            w.mem.texts(CHANNEL)[1..],
            ["Istanbul talks agree a prisoner exchange".to_owned()]
        );
        let d = w.store.delivery(CHANNEL, day2).await.unwrap().unwrap();
        let post: crate::delivery::Scheduled = serde_json::from_str(&d.payload).unwrap();
        let story = &post.briefing.stories[0];
        assert!(story.update, "{story:#?}");
        assert_eq!(story.told_before, 1);
        assert_eq!(
            story.first_told_link.as_deref(),
            Some(format!("https://discord.com/channels/{GUILD}/{CHANNEL}/1").as_str()),
            "links to the first briefing's message"
        );
        assert_eq!(
            story.summary.join(" "),
            "On Tuesday the negotiators agreed to exchange 1,200 prisoners of war within a week."
        );

        // Day three: nothing new, nothing posted (the default), and the slot is recorded as empty.
        let day3 = at(8, 0) + chrono::Duration::days(2);
        let r = w.run_at(day3).await;
        assert_eq!((r.claimed, r.empty), (0, 1));
        assert_eq!(w.mem.texts(CHANNEL).len(), 2);
    }

    /// A channel that asked for a line on quiet days gets one, whatever the config says.
    #[tokio::test]
    async fn a_channel_may_ask_for_a_line_when_nothing_is_new() {
        let w = world(|_| {}).await;
        let settings = crate::brief::channel_settings::ChannelSettings {
            nothing_new: Some(NothingNew::Say),
            ..Default::default()
        };
        w.store
            .set_channel_settings(GUILD, CHANNEL, &settings.to_row(), 5, at(7, 0))
            .await
            .unwrap();
        assert_eq!(w.run_at(at(8, 0)).await.claimed, 1);
        assert_eq!(w.mem.texts(CHANNEL), ["nothing new"]);
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
}
