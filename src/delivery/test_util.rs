//! The scheduler's test world: an in-memory outbox that enforces nonces like Discord and follows a script,
//! and a store with two sources, one subscribed channel and its 08:00 schedule, on a hand-moved clock.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use chrono::{DateTime, TimeZone, Utc};

use super::{Outbox, PostError, Schedule, Scheduled, Scheduler, TickReport};
use crate::clock::{Clock, ManualClock};
use crate::config::ScheduleConfig;
use crate::item::NewItem;
use crate::store::Store;
use crate::store::test_util::temp_store;

/// What the in-memory outbox does with the next post.
pub enum Step {
    /// Create the message and answer.
    Pass,
    /// Create the message, then fail as if the answer was lost.
    LoseAnswer,
    /// Fail without creating anything.
    Fail(PostError),
}

/// An outbox in memory that enforces nonces like Discord and follows a script (empty: every post passes).
#[derive(Default)]
pub struct Mem {
    /// (channel, text) of every message created.
    messages: Mutex<Vec<(u64, String)>>,
    nonces: Mutex<HashMap<String, u64>>,
    script: Mutex<VecDeque<Step>>,
    /// Threads opened: (channel, thread id).
    pub opened: Mutex<Vec<(u64, u64)>>,
}

impl Mem {
    pub fn texts(&self, channel: u64) -> Vec<String> {
        self.messages
            .lock()
            .unwrap()
            .iter()
            .filter(|(c, _)| *c == channel)
            .map(|(_, t)| t.clone())
            .collect()
    }
    pub fn then(&self, steps: impl IntoIterator<Item = Step>) {
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
    /// A thread per post that asks for one (its id is the channel's plus 1000); a forum post in the forum.
    async fn open(&self, channel: u64, post: &Scheduled) -> Result<u64, PostError> {
        use crate::brief::channel_settings::PostIn;
        let thread = match post.post_in {
            PostIn::Channel => return Ok(channel),
            PostIn::Thread => channel + 1000,
            PostIn::Forum { channel: forum, .. } => forum + 1000,
        };
        self.opened.lock().unwrap().push((channel, thread));
        Ok(thread)
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

pub const GUILD: u64 = 1;
pub const CHANNEL: u64 = 9;

pub fn at(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, h, m, 0).unwrap()
}

pub fn item(guid: &str, title: &str, text: &str) -> NewItem {
    NewItem {
        guid: guid.into(),
        url: Some(format!("https://news.example/{guid}")),
        title: title.into(),
        author: None,
        published_at: None,
        snippet: text.into(),
        body: String::new(),
        lang: None,
        outlet: None,
        image: None,
    }
}

pub struct World {
    pub store: Store,
    pub clock: Arc<ManualClock>,
    pub mem: Arc<Mem>,
    pub scheduler: Scheduler<Arc<Mem>>,
    pub sources: Vec<i64>,
    _dir: crate::store::test_util::TempDb,
}

pub async fn world(cfg: impl FnOnce(&mut ScheduleConfig)) -> World {
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
    pub async fn publish(&self, source: usize, items: &[NewItem]) {
        self.store
            .insert_items(self.sources[source], items, false, self.clock.now())
            .await
            .unwrap();
    }
    pub async fn run_at(&self, t: DateTime<Utc>) -> TickReport {
        self.clock.set(t);
        let r = self.scheduler.tick().await.unwrap();
        self.scheduler.idle().await;
        r
    }
}
