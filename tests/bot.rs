//! The real serenity client, through poise, against the fake Discord on 127.0.0.1.

mod support;

use std::sync::Arc;
use std::time::Duration;

use herald::clock::{Clock, ManualClock, SystemClock};
use herald::config::Config;
use herald::store::Store;
use serde_json::json;
use support::fake_discord::{FakeDiscord, GOOD_TOKEN, command_interaction};

async fn start_bot(fake: &FakeDiscord, dir: &tempfile::TempDir) -> Store {
    start_bot_with(fake, dir, false).await
}

async fn start_bot_with(fake: &FakeDiscord, dir: &tempfile::TempDir, allow_private: bool) -> Store {
    start_bot_in(fake, dir, allow_private, 2000).await
}

async fn start_bot_in(
    fake: &FakeDiscord,
    dir: &tempfile::TempDir,
    allow_private: bool,
    dev_guild: u64,
) -> Store {
    let tweak = move |config: &mut Config| {
        config.fetch.allow_private_addresses = allow_private;
        config.discord.dev_guild = dev_guild;
    };
    launch(fake, dir, tweak, Arc::new(SystemClock)).await
}

/// Starts `herald::discord::bot::run` (client, poller and scheduler) against the fake, on `clock`.
async fn launch(
    fake: &FakeDiscord,
    dir: &tempfile::TempDir,
    tweak: impl FnOnce(&mut Config),
    clock: Arc<dyn Clock>,
) -> Store {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("warn,herald=info")
        .with_test_writer()
        .try_init();
    let mut config = Config::defaults();
    config.brief.window_hours = 24 * 365 * 100; // the fixture feeds are from 2025
    config.discord.api_base = fake.base.clone();
    config.discord.dev_guild = 2000;
    config.database.path = dir.path().join("bot.db");
    tweak(&mut config);
    let store = Store::open(&config.database).await.expect("store");
    let bot_store = store.clone();
    tokio::spawn(async move {
        if let Err(e) = herald::discord::bot::run(config, bot_store, GOOD_TOKEN, clock).await {
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
    store
}

/// Sends a command interaction and returns the body of its callback.
async fn invoke(
    fake: &FakeDiscord,
    id: u64,
    name: &str,
    options: serde_json::Value,
    permissions: &str,
) -> serde_json::Value {
    fake.dispatch(
        "INTERACTION_CREATE",
        command_interaction(id, name, options, permissions),
    );
    let path = format!("/api/v10/interactions/{id}/tok-{id}/callback");
    match fake
        .wait_call(Duration::from_secs(10), |c| c.path == path)
        .await
    {
        Some(call) => call.body,
        None => panic!(
            "interaction {id} ({name}) was not answered; calls: {:#?}",
            fake.calls.lock().unwrap()
        ),
    }
}

const ADMIN: &str = "32"; // MANAGE_GUILD

/// The text of an interaction reply (empty when it has none, so a `contains` check fails and prints the reply).
fn reply_text(reply: &serde_json::Value) -> &str {
    reply["data"]["content"].as_str().unwrap_or_default()
}

fn topic(value: &str) -> serde_json::Value {
    json!([{"name": "topic", "type": 3, "value": value}])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connects_registers_in_the_dev_guild_and_answers_help() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    start_bot(&fake, &dir).await;
    assert!(
        fake.wait_identified(Duration::from_secs(10)).await,
        "serenity identified on the fake gateway"
    );

    let put = fake
        .wait_call(Duration::from_secs(10), |c| {
            c.method == "PUT" && c.path.ends_with("/guilds/2000/commands")
        })
        .await
        .expect("commands registered in the dev guild");
    assert_eq!(put.path, "/api/v10/applications/1000/guilds/2000/commands");
    assert!(
        put.body
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "help"),
        "{}",
        put.body
    );

    fake.dispatch(
        "INTERACTION_CREATE",
        command_interaction(5001, "help", json!([]), "0"),
    );
    let reply = fake
        .wait_call(Duration::from_secs(10), |c| {
            c.path == "/api/v10/interactions/5001/tok-5001/callback"
        })
        .await
        .expect("the interaction was answered");
    assert_eq!(reply.body["type"], 4, "a message reply: {}", reply.body);
    assert_eq!(reply.body["data"]["flags"], 64, "ephemeral");
    assert!(
        reply.body["data"]["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .contains("herald")
    );
    assert_eq!(
        reply.body["data"]["allowed_mentions"]["parse"],
        json!([]),
        "no mentions: {}",
        reply.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_unsubscribe_topics_and_their_errors() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter("warn,herald=info")
        .with_test_writer()
        .try_init();
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = start_bot(&fake, &dir).await;

    let ok = invoke(&fake, 6001, "subscribe", topic("rust  compiler"), ADMIN).await;
    let content = reply_text(&ok);
    assert!(
        content.contains("<#3000> now follows **rust  compiler** (read as: rust AND compiler)"),
        "{ok}"
    );
    assert_eq!(store.channel_subscriptions(3000).await.unwrap().len(), 1);

    let dup = invoke(&fake, 6002, "subscribe", topic("Rust compiler"), ADMIN).await;
    assert_eq!(dup["data"]["flags"], 64, "errors are ephemeral");
    assert!(reply_text(&dup).contains("already follows"), "{dup}");

    let bad = invoke(&fake, 6003, "subscribe", topic("peace \"talks"), ADMIN).await;
    let text = reply_text(&bad);
    assert!(
        text.contains("never closed (at character 7)") && text.contains("A topic that works"),
        "{bad}"
    );

    let denied = invoke(&fake, 6004, "subscribe", topic("ukraine"), "0").await;
    assert_eq!(denied["data"]["flags"], 64);
    assert!(reply_text(&denied).contains("Manage Server"), "{denied}");
    assert_eq!(
        store.channel_subscriptions(3000).await.unwrap().len(),
        1,
        "nothing written"
    );

    let ping = invoke(
        &fake,
        6005,
        "subscribe",
        topic("@everyone <@&123> **x**"),
        ADMIN,
    )
    .await;
    let text = reply_text(&ping);
    assert!(!text.is_empty(), "{ping}");
    assert!(
        !text.contains("@everyone") && !text.contains("<@&123>") && !text.contains("**x**"),
        "{ping}"
    );
    assert_eq!(ping["data"]["allowed_mentions"]["parse"], json!([]));

    // Autocomplete lists this channel's topics.
    let mut auto = command_interaction(
        6006,
        "unsubscribe",
        json!([{"name": "topic", "type": 3, "value": "ru", "focused": true}]),
        ADMIN,
    );
    auto["type"] = json!(4);
    fake.dispatch("INTERACTION_CREATE", auto);
    let choices = fake
        .wait_call(Duration::from_secs(10), |c| {
            c.path == "/api/v10/interactions/6006/tok-6006/callback"
        })
        .await
        .expect("autocomplete answered")
        .body;
    assert_eq!(choices["type"], 8, "{choices}");
    assert_eq!(
        choices["data"]["choices"],
        json!([{"name": "rust  compiler", "value": "rust and compiler"}])
    );

    let listed = invoke(&fake, 6007, "topics", json!([]), "0").await;
    assert!(
        listed["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .contains("rust  compiler"),
        "{listed}"
    );
    assert!(
        listed["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .contains("<#3000>** — no schedule yet (`/schedule set`)"),
        "{listed}"
    );

    let gone = invoke(
        &fake,
        6008,
        "unsubscribe",
        topic("rust and compiler"),
        ADMIN,
    )
    .await;
    assert!(reply_text(&gone).contains("no longer follows"), "{gone}");
    let again = invoke(
        &fake,
        6009,
        "unsubscribe",
        topic("rust and compiler"),
        ADMIN,
    )
    .await;
    assert!(reply_text(&again).contains("does not follow"), "{again}");
    assert_eq!(
        store.channel_subscriptions(3000).await.unwrap().len(),
        1,
        "only the escaped-mention topic is left"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_add_list_remove_against_the_fixture_server() {
    let feeds = support::FixtureServer::start().await;
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = start_bot_with(&fake, &dir, true).await;
    let sub = |name: &str, options: serde_json::Value| json!([{"name": name, "type": 1, "options": options}]);
    let url = feeds.url("/feed.xml");

    let deferred = invoke(
        &fake,
        7001,
        "sources",
        sub("add", json!([{"name": "url", "type": 3, "value": url}])),
        ADMIN,
    )
    .await;
    assert_eq!(deferred["type"], 5, "deferred first: {deferred}");
    assert_eq!(deferred["data"]["flags"], 64);
    let follow = fake
        .wait_call(Duration::from_secs(10), |c| {
            c.method == "POST" && c.path.contains("/webhooks/1000/tok-7001")
        })
        .await
        .expect("follow-up");
    assert!(
        follow.body["content"]
            .as_str()
            .unwrap()
            .contains("Added **Fixture News** (2 items;"),
        "{}",
        follow.body
    );
    assert_eq!(store.guild_sources(2000).await.unwrap().len(), 1);

    let page = feeds.url("/page.html");
    invoke(
        &fake,
        7002,
        "sources",
        sub("add", json!([{"name": "url", "type": 3, "value": page}])),
        ADMIN,
    )
    .await;
    let refused = fake
        .wait_call(Duration::from_secs(10), |c| {
            c.path.contains("/webhooks/1000/tok-7002")
        })
        .await
        .expect("follow-up");
    assert!(
        refused.body["content"]
            .as_str()
            .unwrap()
            .contains("not a readable feed"),
        "{}",
        refused.body
    );

    let bad = invoke(
        &fake,
        7003,
        "sources",
        sub(
            "add",
            json!([{"name": "url", "type": 3, "value": "ftp://x"}]),
        ),
        ADMIN,
    )
    .await;
    assert!(reply_text(&bad).contains("is not a web address"), "{bad}");

    let listed = invoke(&fake, 7004, "sources", sub("list", json!([])), "0").await;
    assert!(
        listed["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .contains("Fixture News"),
        "{listed}"
    );

    let denied = invoke(
        &fake,
        7005,
        "sources",
        sub("remove", json!([{"name": "url", "type": 3, "value": url}])),
        "0",
    )
    .await;
    assert!(reply_text(&denied).contains("Manage Server"), "{denied}");
    let removed = invoke(
        &fake,
        7006,
        "sources",
        sub("remove", json!([{"name": "url", "type": 3, "value": url}])),
        ADMIN,
    )
    .await;
    assert!(reply_text(&removed).starts_with("Removed"), "{removed}");
    assert!(store.guild_sources(2000).await.unwrap().is_empty());
    let unknown = invoke(
        &fake,
        7007,
        "sources",
        sub(
            "remove",
            json!([{"name": "url", "type": 3, "value": "https://unknown.example/feed"}]),
        ),
        ADMIN,
    )
    .await;
    assert_eq!(unknown["data"]["flags"], 64);
    assert!(reply_text(&unknown).contains("has no source"), "{unknown}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn briefing_defers_then_follows_up_and_search_finds_stored_items() {
    let feeds = support::FixtureServer::start().await;
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = start_bot_with(&fake, &dir, true).await;

    let none = invoke(&fake, 8001, "briefing", json!([]), "0").await;
    assert!(
        reply_text(&none).contains("follows no topics yet"),
        "{none}"
    );
    let no_sources = invoke(&fake, 8002, "briefing", topic("ceasefire"), "0").await;
    assert!(
        reply_text(&no_sources).contains("no sources yet"),
        "{no_sources}"
    );

    for (i, path) in ["/feed.xml", "/hostile.xml"].iter().enumerate() {
        let s = store
            .upsert_source(&feeds.url(path), "feed", chrono::Utc::now())
            .await
            .unwrap();
        store
            .add_guild_source(2000, s.id, 1, chrono::Utc::now())
            .await
            .unwrap();
        assert!(i < 2);
    }
    invoke(&fake, 8003, "subscribe", topic("ceasefire"), ADMIN).await;

    let deferred = invoke(&fake, 8004, "briefing", json!([]), "0").await;
    assert_eq!(deferred["type"], 5, "deferred first: {deferred}");
    let follow = fake
        .wait_call(Duration::from_secs(10), |c| {
            c.path.contains("/webhooks/1000/tok-8004")
        })
        .await
        .expect("the briefing follows up");
    let embeds = follow.body["embeds"].as_array().expect("embeds");
    assert!(
        embeds[0]["title"].as_str().unwrap().contains("ceasefire"),
        "{}",
        follow.body
    );
    let titles: Vec<&str> = embeds[1..]
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 2, "both ceasefire stories: {}", follow.body);
    assert!(
        titles
            .iter()
            .any(|t| t.contains("Russia and Ukraine hold peace talks"))
    );
    let hostile = embeds
        .iter()
        .find(|e| e["url"] == "http://hostile.test/1")
        .expect("hostile story");
    let shown = hostile.to_string();
    assert!(
        !shown.contains("@everyone") && !shown.contains("@here") && !shown.contains("<@&123>"),
        "{shown}"
    );
    assert!(
        hostile["title"]
            .as_str()
            .unwrap()
            .contains("\\*\\*ceasefire\\*\\*"),
        "{shown}"
    );
    assert_eq!(follow.body["allowed_mentions"]["parse"], json!([]));

    let found = invoke(&fake, 8005, "search", json!([{"name": "query", "type": 3, "value": "istanbul talks"}, {"name": "since", "type": 3, "value": "100000d"}]), "0").await;
    let text = found["data"]["embeds"][0]["description"].as_str().unwrap();
    assert!(
        text.contains(
            "Russia and Ukraine hold peace talks in Istanbul](<http://fixture.test/news/1>)"
        ),
        "{found}"
    );
    let nothing = invoke(
        &fake,
        8006,
        "search",
        json!([{"name": "query", "type": 3, "value": "volcano"}]),
        "0",
    )
    .await;
    assert!(
        reply_text(&nothing).contains("Nothing stored matches"),
        "{nothing}"
    );
    let bad = invoke(
        &fake,
        8007,
        "search",
        json!([{"name": "query", "type": 3, "value": "a OR"}]),
        "0",
    )
    .await;
    assert!(reply_text(&bad).contains("does not parse"), "{bad}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_dev_guild_commands_register_globally() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    start_bot_in(&fake, &dir, false, 0).await;
    let put = fake
        .wait_call(Duration::from_secs(10), |c| c.method == "PUT")
        .await
        .expect("registered");
    assert_eq!(put.path, "/api/v10/applications/1000/commands");
    let names: Vec<&str> = put
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "help",
            "subscribe",
            "unsubscribe",
            "topics",
            "sources",
            "briefing",
            "search",
            "schedule"
        ]
    );
    let subscribe = &put.body.as_array().unwrap()[1];
    assert_eq!(
        subscribe["default_member_permissions"], "32",
        "config commands hidden from non-admins"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedule_set_show_pause_resume_and_errors() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = start_bot(&fake, &dir).await;
    let sub = |name: &str, options: serde_json::Value| json!([{"name": name, "type": 1, "options": options}]);
    let when = |w: &str, tz: &str| json!([{"name": "when", "type": 3, "value": w}, {"name": "timezone", "type": 3, "value": tz}]);

    let set = invoke(
        &fake,
        9001,
        "schedule",
        sub("set", when("08:00,18:30", "America/New_York")),
        ADMIN,
    )
    .await;
    let text = reply_text(&set);
    assert!(
        text.contains("at `08:00,18:30` (America/New_York). Next: <t:"),
        "{set}"
    );
    assert_eq!(text.matches("<t:").count(), 3, "three next runs: {text}");
    let row = store.schedule(3000).await.unwrap().expect("stored");
    assert_eq!(
        (row.spec.as_str(), row.tz.as_str(), row.paused),
        ("08:00,18:30", "America/New_York", false)
    );
    assert!(row.next_run_at.is_some());

    let bad_zone = invoke(
        &fake,
        9002,
        "schedule",
        sub("set", when("08:00", "Mars/Olympus")),
        ADMIN,
    )
    .await;
    assert_eq!(bad_zone["data"]["flags"], 64);
    assert!(reply_text(&bad_zone).contains("Europe/Kyiv"), "{bad_zone}");
    let bad_time = invoke(
        &fake,
        9003,
        "schedule",
        sub("set", when("25:00", "UTC")),
        ADMIN,
    )
    .await;
    assert!(reply_text(&bad_time).contains("e.g. 08:00"), "{bad_time}");
    let bad_cron = invoke(
        &fake,
        9004,
        "schedule",
        sub("set", when("every morning", "UTC")),
        ADMIN,
    )
    .await;
    assert!(reply_text(&bad_cron).contains("0 8 * * 1-5"), "{bad_cron}");
    let denied = invoke(
        &fake,
        9005,
        "schedule",
        sub("set", when("09:00", "UTC")),
        "0",
    )
    .await;
    assert!(reply_text(&denied).contains("Manage Server"), "{denied}");

    let show = invoke(&fake, 9006, "schedule", sub("show", json!([])), "0").await;
    assert_eq!(reply_text(&show).matches("<t:").count(), 3, "{show}");
    let paused = invoke(&fake, 9007, "schedule", sub("pause", json!([])), ADMIN).await;
    assert!(reply_text(&paused).contains("paused"), "{paused}");
    assert!(store.schedule(3000).await.unwrap().unwrap().paused);
    let show = invoke(&fake, 9008, "schedule", sub("show", json!([])), "0").await;
    assert!(reply_text(&show).contains("**paused**"), "{show}");
    let resumed = invoke(&fake, 9009, "schedule", sub("resume", json!([])), ADMIN).await;
    assert!(reply_text(&resumed).contains("resume"), "{resumed}");
    assert!(!store.schedule(3000).await.unwrap().unwrap().paused);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_briefing_is_posted_once_at_its_time_with_a_nonce() {
    use chrono::TimeZone;
    use support::{FixtureServer, rss};
    let fake = FakeDiscord::start().await;
    let feeds = FixtureServer::start().await;
    feeds.set_live(rss(
        "Live Wire",
        &[(
            "old",
            "Old ceasefire report",
            "What the feed held before herald read it: a ceasefire.",
        )],
    ));
    let dir = tempfile::tempdir().unwrap();
    let start = chrono::Utc.with_ymd_and_hms(2026, 11, 24, 6, 0, 0).unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let store = launch(
        &fake,
        &dir,
        |c| {
            c.fetch.allow_private_addresses = true;
            c.schedule.tick_ms = 50;
            c.poll.tick_ms = 50;
        },
        clock.clone(),
    )
    .await;
    let sub = |name: &str, options: serde_json::Value| json!([{"name": name, "type": 1, "options": options}]);
    let live = feeds.url("/live.xml");
    let added = invoke(
        &fake,
        9101,
        "sources",
        sub("add", json!([{"name": "url", "type": 3, "value": live}])),
        ADMIN,
    )
    .await;
    assert_eq!(added["type"], 5, "deferred: {added}");
    fake.wait_call(Duration::from_secs(10), |c| {
        c.path.contains("/webhooks/") && c.body.to_string().contains("Added")
    })
    .await
    .expect("source added");
    invoke(&fake, 9102, "subscribe", topic("ceasefire"), ADMIN).await;
    let when = json!([{"name": "when", "type": 3, "value": "08:00"}, {"name": "timezone", "type": 3, "value": "UTC"}]);
    let set = invoke(&fake, 9103, "schedule", sub("set", when), ADMIN).await;
    assert!(reply_text(&set).contains("Next: <t:1795507200:F>"), "{set}");

    let listed = invoke(&fake, 9104, "topics", json!([]), "0").await;
    assert!(
        listed["data"]["embeds"][0]["description"]
            .as_str()
            .unwrap()
            .contains("<#3000>** — `08:00` (UTC), next <t:1795507200:R>"),
        "{listed}"
    );

    // News arrives; the poller picks it up when the source is due again (15 minutes and a bit).
    feeds.set_live(rss(
        "Live Wire",
        &[
            (
                "n1",
                "Ceasefire talks resume in Istanbul",
                "Negotiators met again to discuss a ceasefire.",
            ),
            ("n2", "Football results", "The home side won."),
            (
                "old",
                "Old ceasefire report",
                "What the feed held before herald read it: a ceasefire.",
            ),
        ],
    ));
    clock.set(start + chrono::Duration::minutes(90));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while feeds.hits.live.load(std::sync::atomic::Ordering::SeqCst) < 2 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the poller fetched the due source"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(fake.posted_in(3000).is_empty(), "nothing before its time");

    // Two more channels of the server are due at 08:00: one deleted (404), one herald may no longer see
    // (403). And Discord allows one request a second now, so the three posts meet 429s.
    let due = chrono::Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap();
    for channel in [3001, 3002] {
        store
            .set_schedule(2000, channel, "08:00", "UTC", Some(due), 1, start)
            .await
            .unwrap();
    }
    {
        let mut c = fake.channels.lock().unwrap();
        c.gone.push(3001);
        c.forbidden.push(3002);
        c.per_second = Some(1);
    }

    // 08:00: exactly one message, with the new matching story only (not the backlog, not football).
    clock.set(start + chrono::Duration::minutes(120) + chrono::Duration::seconds(20));
    assert!(
        fake.wait_posted(1, Duration::from_secs(10)).await,
        "briefing posted"
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(15);
    while !(store.schedule(3001).await.unwrap().unwrap().paused
        && store.schedule(3002).await.unwrap().unwrap().paused)
    {
        assert!(
            tokio::time::Instant::now() < deadline,
            "gone channels paused"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let gone = store.schedule(3001).await.unwrap().unwrap();
    assert_eq!(
        gone.paused_reason.as_deref(),
        Some("Unknown Channel (HTTP 404)")
    );
    let forbidden = store.schedule(3002).await.unwrap().unwrap();
    assert_eq!(
        forbidden.paused_reason.as_deref(),
        Some("Missing Access (HTTP 403)")
    );
    assert!(
        fake.channels.lock().unwrap().rate_limited > 0,
        "429s met and retried"
    );
    fake.channels.lock().unwrap().per_second = None;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let posted = fake.posted_in(3000);
    assert_eq!(posted.len(), 1, "{posted:#?}");
    let body = posted[0].body.to_string();
    assert!(
        body.contains("Ceasefire talks resume in Istanbul"),
        "{body}"
    );
    assert!(
        !body.contains("Old ceasefire report"),
        "backlog is not pushed: {body}"
    );
    assert!(!body.contains("Football"), "{body}");
    assert_eq!(posted[0].nonce.as_deref().map(str::len), Some(24));
    assert_eq!(posted[0].body["enforce_nonce"], true);
    assert_eq!(posted[0].body["allowed_mentions"]["parse"], json!([]));
    let d = store
        .delivery(3000, due)
        .await
        .unwrap()
        .expect("delivery row");
    assert_eq!(
        (d.state, d.message_id),
        (herald::store::DeliveryState::Sent, Some(posted[0].id))
    );

    // The next day, nothing new: one line, and the story is not told again.
    clock.set(start + chrono::Duration::hours(26) + chrono::Duration::seconds(20));
    assert!(
        fake.wait_posted(2, Duration::from_secs(10)).await,
        "second day posted"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    let posted = fake.posted_in(3000);
    assert_eq!(posted.len(), 2, "{posted:#?}");
    let text = posted[1].body["content"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("Nothing new on ceasefire since <t:"),
        "{text}"
    );
    assert!(!posted[1].body.to_string().contains("Istanbul"));
}
