//! The real serenity client, through poise, against the fake Discord on 127.0.0.1: one file per feature, all
//! behind the small [`Bot`] harness (start, invoke with automatic ids, reply text, embeds, follow-ups).

mod briefing;
mod guilds;
mod help;
mod metrics;
mod schedule;
mod search;
mod settings;
mod sources;
mod subscribe;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use herald::clock::{Clock, SystemClock};
use herald::config::Config;
use herald::store::Store;
use serde_json::{Value, json};

use crate::support::fake_discord::{FakeDiscord, GOOD_TOKEN, command_interaction};

/// A member with Manage Server.
pub const ADMIN: &str = "32";
/// A member with no permissions.
pub const MEMBER: &str = "0";
/// The server the fake puts the bot in, and the channel commands are invoked from.
pub const GUILD: u64 = 2000;
/// The channel commands are invoked from.
pub const CHANNEL: u64 = 3000;

/// herald's bot (client, poller and scheduler) running against a fake Discord, on its own database.
pub struct Bot {
    /// The fake Discord it talks to.
    pub fake: FakeDiscord,
    /// Its store (the same file the bot uses).
    pub store: Store,
    next_id: AtomicU64,
    _dir: crate::support::TestDir,
}

/// An interaction's callback, with the id it was sent under (for its follow-ups).
#[derive(Debug, Clone)]
pub struct Reply {
    /// The interaction id.
    pub id: u64,
    /// The callback body herald sent.
    pub body: Value,
}

impl std::ops::Deref for Reply {
    type Target = Value;
    fn deref(&self) -> &Value {
        &self.body
    }
}

impl std::fmt::Display for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.body.fmt(f)
    }
}

impl Reply {
    /// The reply's text (empty when it has none, so a `contains` check fails and prints the reply).
    pub fn text(&self) -> &str {
        self.body["data"]["content"].as_str().unwrap_or_default()
    }

    /// The description of the reply's first embed (empty when it has none).
    pub fn embed_text(&self) -> &str {
        self.body["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap_or_default()
    }

    /// Whether only the invoking member sees it.
    pub fn is_ephemeral(&self) -> bool {
        self.body["data"]["flags"] == 64
    }
}

/// Subscribes this channel to `topic_text` and schedules its briefing at 08:00 UTC, as an admin would.
pub async fn subscribe_at_eight(bot: &Bot, topic_text: &str) {
    bot.invoke("subscribe", topic(topic_text), ADMIN).await;
    bot.invoke(
        "schedule",
        sub("set", json!([opt("when", "08:00"), opt("timezone", "UTC")])),
        ADMIN,
    )
    .await;
}

/// Adds the fixture server's live feed as this server's source, as an admin would.
pub async fn add_live_feed(bot: &Bot, feeds: &crate::support::FixtureServer) {
    let added = bot
        .invoke(
            "sources",
            sub("add", json!([opt("url", &feeds.url("/live.xml"))])),
            ADMIN,
        )
        .await;
    let follow = bot.follow_up(&added).await;
    assert!(follow.to_string().contains("Added"), "{follow}");
}

/// Publishes "Ceasefire talks resume in Istanbul" (with `teaser`) beside the old item on the live feed, moves
/// `clock` to 90 minutes after `start`, and waits until the poller has read it.
pub async fn publish_news_and_poll(
    feeds: &crate::support::FixtureServer,
    clock: &herald::clock::ManualClock,
    start: chrono::DateTime<chrono::Utc>,
    teaser: &str,
) {
    feeds.set_live(crate::support::rss(
        "Live Wire",
        &[
            ("n1", "Ceasefire talks resume in Istanbul", teaser),
            ("old", "Old ceasefire report", "A ceasefire."),
        ],
    ));
    clock.set(start + chrono::Duration::minutes(90));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while feeds.hits.live.load(Ordering::SeqCst) < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the poller read the live feed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
}

/// A `topic:` option.
pub fn topic(value: &str) -> Value {
    json!([{"name": "topic", "type": 3, "value": value}])
}

/// A subcommand with its options.
pub fn sub(name: &str, options: Value) -> Value {
    json!([{"name": name, "type": 1, "options": options}])
}

/// A string option.
pub fn opt(name: &str, value: &str) -> Value {
    json!({"name": name, "type": 3, "value": value})
}

impl Bot {
    /// The bot in the dev guild, private addresses refused.
    pub async fn start() -> Self {
        Self::start_with(|_| {}, Arc::new(SystemClock)).await
    }

    /// The bot allowed to fetch from 127.0.0.1 (the fixture server).
    pub async fn with_local_feeds() -> Self {
        Self::start_with(
            |c| c.fetch.allow_private_addresses = true,
            Arc::new(SystemClock),
        )
        .await
    }

    /// Starts `herald::cli::run::serve` (client, poller, scheduler) against a new fake, with `tweak` applied to the test config, on
    /// `clock`; returns once commands are registered.
    pub async fn start_with(tweak: impl FnOnce(&mut Config), clock: Arc<dyn Clock>) -> Self {
        let _ = tracing_subscriber::fmt()
            .with_env_filter("warn,herald=info")
            .with_test_writer()
            .try_init();
        let fake = FakeDiscord::start().await;
        let dir = crate::support::test_dir();
        let mut config = Config::defaults();
        config.brief.window_hours = 24 * 365 * 100; // the fixture feeds are from 2025
        config.discord.api_base = fake.base.clone();
        config.discord.dev_guild = GUILD;
        dir.database(&mut config.database, "bot.db");
        // No search unless a test asks for it, and never on the internet: every provider points at a closed
        // local port until a test points it at its fixture server.
        config.search.providers = Vec::new();
        for url in [
            &mut config.search.bing_url,
            &mut config.search.gdelt_url,
            &mut config.search.google_url,
            &mut config.search.hn_url,
        ] {
            *url = "http://127.0.0.1:9".into();
        }
        tweak(&mut config);
        let store = Store::open(&config.database).await.expect("store");
        let bot_store = store.clone();
        tokio::spawn(async move {
            if let Err(e) = herald::cli::run::serve(config, bot_store, GOOD_TOKEN, clock).await {
                eprintln!("bot stopped: {e}");
            }
        });
        assert!(
            fake.wait_identified(Duration::from_secs(10)).await,
            "serenity identified on the fake gateway"
        );
        fake.wait_call(Duration::from_secs(10), |c| c.method == "PUT")
            .await
            .expect("commands registered");
        Self {
            fake,
            store,
            next_id: AtomicU64::new(5000),
            _dir: dir,
        }
    }

    fn id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::SeqCst)
    }

    /// Invokes `/name` as a member with `permissions` and returns herald's callback. Panics when Discord would
    /// not let that member invoke it (see [`Bot::may_invoke`]).
    pub async fn invoke(&self, name: &str, options: Value, permissions: &str) -> Reply {
        assert!(
            self.may_invoke(name, permissions),
            "Discord hides /{name} from a member with permissions {permissions}"
        );
        let id = self.id();
        self.send(id, command_interaction(id, name, options, permissions))
            .await
    }

    /// Invokes `/name` with Discord's `resolved` data for its role/channel options, herald having
    /// `app_permissions` in the channel.
    pub async fn invoke_resolved(
        &self,
        name: &str,
        options: Value,
        resolved: Value,
        permissions: &str,
        app_permissions: &str,
    ) -> Reply {
        assert!(self.may_invoke(name, permissions));
        let id = self.id();
        let mut interaction = command_interaction(id, name, options, permissions);
        interaction["data"]["resolved"] = resolved;
        interaction["app_permissions"] = json!(app_permissions);
        self.send(id, interaction).await
    }

    /// Whether Discord shows `/name` to a member with `permissions` and lets them invoke it.
    pub fn may_invoke(&self, name: &str, permissions: &str) -> bool {
        self.fake.may_invoke(name, permissions)
    }

    /// Asks for autocomplete choices of `/name`'s focused option.
    pub async fn autocomplete(&self, name: &str, options: Value, permissions: &str) -> Reply {
        let id = self.id();
        let mut interaction = command_interaction(id, name, options, permissions);
        interaction["type"] = json!(4);
        self.send(id, interaction).await
    }

    async fn send(&self, id: u64, interaction: Value) -> Reply {
        self.fake.dispatch("INTERACTION_CREATE", interaction);
        let path = format!("/api/v10/interactions/{id}/tok-{id}/callback");
        match self
            .fake
            .wait_call(Duration::from_secs(10), |c| c.path == path)
            .await
        {
            Some(call) => Reply {
                id,
                body: call.body,
            },
            None => panic!(
                "interaction {id} was not answered; calls: {:#?}",
                self.fake.calls.lock().unwrap()
            ),
        }
    }

    /// The first `n` follow-up messages (webhook POSTs) to a deferred reply, in order.
    pub async fn follow_ups(&self, reply: &Reply, n: usize) -> Vec<Value> {
        let token = format!("/webhooks/1000/tok-{}", reply.id);
        let mine =
            |c: &crate::support::fake_discord::Call| c.method == "POST" && c.path.contains(&token);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let found: Vec<Value> = self
                .fake
                .calls
                .lock()
                .unwrap()
                .iter()
                .filter(|c| mine(c))
                .map(|c| c.body.clone())
                .collect();
            if found.len() >= n || tokio::time::Instant::now() > deadline {
                assert!(
                    found.len() >= n,
                    "{} of {n} follow-ups: {found:?}",
                    found.len()
                );
                return found;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The first follow-up message (a webhook POST) to a deferred reply.
    pub async fn follow_up(&self, reply: &Reply) -> Value {
        let token = format!("/webhooks/1000/tok-{}", reply.id);
        self.fake
            .wait_call(Duration::from_secs(10), |c| {
                c.method == "POST" && c.path.contains(&token)
            })
            .await
            .unwrap_or_else(|| panic!("no follow-up to interaction {}", reply.id))
            .body
    }
}
