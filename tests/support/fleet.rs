//! Real `herald run` processes against the fake Discord: a delivery round set up on a test's database, the
//! command that starts a process on it, and a guard that kills the processes however the caller ends. Used by
//! the crash tests and the multi-process delivery bench.

use std::process::{Child, Command, Stdio};

use chrono::{Timelike, Utc};
use herald::config::Config;
use herald::store::Store;

use super::fake_discord::{FakeDiscord, GOOD_TOKEN};
use super::{FixtureServer, TestDir};

/// The server the round's channels belong to.
pub const GUILD: u64 = 2000;

/// `herald run` on `dir`'s database, its REST calls sent to `api_base` (the fake Discord, or a proxy in front
/// of it); not started. Logs at `warn`, output discarded.
pub fn herald_command(dir: &TestDir, api_base: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_herald"));
    cmd.arg("run")
        .env("DISCORD_TOKEN", GOOD_TOKEN)
        .env("HERALD_DATABASE__PATH", dir.path().join("h.db"))
        .env("HERALD_DATABASE__URL", dir.db_url())
        .env("HERALD_DISCORD__API_BASE", api_base)
        .env("HERALD_DISCORD__DEV_GUILD", GUILD.to_string())
        .env("HERALD_FETCH__ALLOW_PRIVATE_ADDRESSES", "true")
        .env("HERALD_SCHEDULE__TICK_MS", "50")
        // A killed process holds its deliveries this long before a restarted one takes them over.
        .env("HERALD_SCHEDULE__LEASE_SECS", "1")
        .env("HERALD_SCHEDULE__POSTS_PER_SECOND", "50")
        .env("HERALD_LOG__FILTER", "warn")
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    // A bench's own settings are not herald's configuration.
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("HERALD_BENCH_") {
            cmd.env_remove(key);
        }
    }
    cmd
}

/// [`herald_command`] against the fake Discord itself.
pub fn spawn_command(dir: &TestDir, fake: &FakeDiscord) -> Command {
    herald_command(dir, &fake.base)
}

/// Kills a process with SIGKILL (std's kill on Unix: no shutdown code runs) and reaps it.
pub fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// Processes killed however the caller ends (a failed assertion must not leave them running).
pub struct Procs(pub Vec<Child>);

impl Drop for Procs {
    fn drop(&mut self) {
        for p in &mut self.0 {
            kill(p);
        }
    }
}

/// A delivery round on a database of its own: `channels` channels due this minute (a real slot of their
/// "HH:MM" schedule), each with the two fixture stories from a feed the server added.
pub struct Round {
    /// The round's database.
    pub dir: TestDir,
    /// The store on it.
    pub store: Store,
    /// The slot every channel is due at.
    pub slot: chrono::DateTime<Utc>,
    _feeds: FixtureServer,
}

impl Round {
    /// Sets the round up.
    pub async fn start(channels: u64) -> Self {
        let feeds = FixtureServer::start().await;
        let dir = super::test_dir();
        let mut config = Config::defaults();
        dir.database(&mut config.database, "h.db");
        let store = Store::open(&config.database).await.expect("store");
        let now = Utc::now();
        let slot = now
            .with_second(0)
            .and_then(|t| t.with_nanosecond(0))
            .expect("whole minute");
        let spec = format!("{:02}:{:02}", slot.hour(), slot.minute());
        let source = store
            .upsert_source(&feeds.url("/feed.xml"), "feed", now)
            .await
            .expect("source");
        store
            .add_guild_source(GUILD, source.id, 1, now)
            .await
            .expect("guild source");
        let parsed =
            herald::sources::feed::parse_feed(super::FEED.as_bytes(), None, "fixture", None)
                .expect("fixture feed");
        store
            .insert_items(source.id, &parsed.items, false, now)
            .await
            .expect("items");
        for c in 1..=channels {
            store
                .set_schedule(GUILD, c, &spec, "UTC", Some(slot), 1, now)
                .await
                .expect("schedule");
        }
        Self {
            dir,
            store,
            slot,
            _feeds: feeds,
        }
    }
}
