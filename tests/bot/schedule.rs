//! `/schedule set|show|pause|resume`, and a scheduled briefing posted once at its time through serenity.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone;
use herald::clock::ManualClock;
use serde_json::{Value, json};

use super::{ADMIN, Bot, CHANNEL, GUILD, MEMBER, opt, sub, topic};
use crate::support::{FixtureServer, rss};

fn when(w: &str, tz: &str) -> Value {
    json!([opt("when", w), opt("timezone", tz)])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn schedule_set_show_pause_resume_and_errors() {
    let bot = Bot::start().await;
    let store = &bot.store;

    let set = bot
        .invoke(
            "schedule",
            sub("set", when("08:00,18:30", "America/New_York")),
            ADMIN,
        )
        .await;
    let text = set.text();
    assert!(
        text.contains("at `08:00,18:30` (America/New_York). Next: <t:"),
        "{set}"
    );
    assert_eq!(text.matches("<t:").count(), 3, "three next runs: {text}");
    let row = store.schedule(CHANNEL).await.unwrap().expect("stored");
    assert_eq!(
        (row.spec.as_str(), row.tz.as_str(), row.paused),
        ("08:00,18:30", "America/New_York", false)
    );
    assert!(row.next_run_at.is_some());

    let bad_zone = bot
        .invoke("schedule", sub("set", when("08:00", "Mars/Olympus")), ADMIN)
        .await;
    assert!(bad_zone.is_ephemeral());
    assert!(bad_zone.text().contains("Europe/Kyiv"), "{bad_zone}");
    let bad_time = bot
        .invoke("schedule", sub("set", when("25:00", "UTC")), ADMIN)
        .await;
    assert!(bad_time.text().contains("e.g. 08:00"), "{bad_time}");
    let bad_cron = bot
        .invoke("schedule", sub("set", when("every morning", "UTC")), ADMIN)
        .await;
    assert!(bad_cron.text().contains("0 8 * * 1-5"), "{bad_cron}");
    // Schedules that would spam, or never post, are refused with what works; the stored one stays.
    let spam = bot
        .invoke("schedule", sub("set", when("*/5 * * * * *", "UTC")), ADMIN)
        .await;
    assert!(spam.is_ephemeral());
    assert!(
        spam.text().contains("5 seconds apart") && spam.text().contains("at least 60 minutes"),
        "{spam}"
    );
    let never = bot
        .invoke("schedule", sub("set", when("0 0 30 2 *", "UTC")), ADMIN)
        .await;
    assert!(never.text().contains("never comes round"), "{never}");
    let short = bot
        .invoke("schedule", sub("set", when("* * *", "UTC")), ADMIN)
        .await;
    assert!(
        short.text().contains("a cron line is 5 fields") && !short.text().contains("(^)"),
        "{short}"
    );
    assert_eq!(
        store.schedule(CHANNEL).await.unwrap().unwrap().spec,
        "08:00,18:30",
        "a refused schedule changes nothing"
    );
    let denied = bot
        .invoke("schedule", sub("set", when("09:00", "UTC")), MEMBER)
        .await;
    assert!(denied.text().contains("Manage Server"), "{denied}");

    let show = bot.invoke("schedule", sub("show", json!([])), MEMBER).await;
    assert_eq!(show.text().matches("<t:").count(), 3, "{show}");
    let paused = bot.invoke("schedule", sub("pause", json!([])), ADMIN).await;
    assert!(paused.text().contains("paused"), "{paused}");
    assert!(store.schedule(CHANNEL).await.unwrap().unwrap().paused);
    let show = bot.invoke("schedule", sub("show", json!([])), MEMBER).await;
    assert!(show.text().contains("**paused**"), "{show}");
    let resumed = bot
        .invoke("schedule", sub("resume", json!([])), ADMIN)
        .await;
    assert!(resumed.text().contains("resume"), "{resumed}");
    assert!(!store.schedule(CHANNEL).await.unwrap().unwrap().paused);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_briefing_is_posted_once_at_its_time_with_a_nonce() {
    let feeds = FixtureServer::start().await;
    feeds.set_live(rss(
        "Live Wire",
        &[(
            "old",
            "Old ceasefire report",
            "What the feed held before herald read it: a ceasefire.",
        )],
    ));
    let start = chrono::Utc.with_ymd_and_hms(2026, 11, 24, 6, 0, 0).unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let bot = Bot::start_with(
        |c| {
            c.fetch.allow_private_addresses = true;
            c.schedule.tick_ms = 50;
            c.poll.tick_ms = 50;
            // This channel asked for a line on quiet days (the default posts nothing).
            c.schedule.nothing_new = herald::config::NothingNew::Say;
        },
        clock.clone(),
    )
    .await;
    let (fake, store) = (&bot.fake, &bot.store);
    let live = feeds.url("/live.xml");
    let added = bot
        .invoke("sources", sub("add", json!([opt("url", &live)])), ADMIN)
        .await;
    assert_eq!(added["type"], 5, "deferred: {added}");
    let follow = bot.follow_up(&added).await;
    assert!(
        follow.to_string().contains("Added"),
        "source added: {follow}"
    );
    bot.invoke("subscribe", topic("ceasefire"), ADMIN).await;
    let set = bot
        .invoke("schedule", sub("set", when("08:00", "UTC")), ADMIN)
        .await;
    assert!(set.text().contains("Next: <t:1795507200:F>"), "{set}");

    let listed = bot.invoke("topics", json!([]), MEMBER).await;
    assert!(
        listed
            .embed_text()
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
    assert!(
        fake.posted_in(CHANNEL).is_empty(),
        "nothing before its time"
    );

    // Two more channels of the server are due at 08:00: one deleted (404), one herald may no longer see
    // (403). And Discord allows one request a second now, so the three posts meet 429s.
    let due = chrono::Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap();
    for channel in [3001, 3002] {
        store
            .set_schedule(GUILD, channel, "08:00", "UTC", Some(due), 1, start)
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
    let posted = fake.posted_in(CHANNEL);
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
        .delivery(CHANNEL, due)
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
    let posted = fake.posted_in(CHANNEL);
    assert_eq!(posted.len(), 2, "{posted:#?}");
    let text = posted[1].body["content"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("Nothing new on ceasefire since <t:"),
        "{text}"
    );
    assert!(!posted[1].body.to_string().contains("Istanbul"));
}

/// Through serenity and the fake Discord: a story told on Monday comes back on Tuesday as an update that links
/// to Monday's message and says only what is new; Wednesday, with nothing new, posts nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_developing_story_is_posted_as_an_update_linking_to_the_first_telling() {
    let feeds = FixtureServer::start().await;
    feeds.set_live(rss("Live Wire", &[]));
    let start = chrono::Utc.with_ymd_and_hms(2026, 11, 24, 6, 0, 0).unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let bot = Bot::start_with(
        |c| {
            c.fetch.allow_private_addresses = true;
            c.schedule.tick_ms = 50;
            c.poll.tick_ms = 50;
        },
        clock.clone(),
    )
    .await;
    let (fake, store) = (&bot.fake, &bot.store);
    let added = bot
        .invoke(
            "sources",
            sub("add", json!([opt("url", &feeds.url("/live.xml"))])),
            ADMIN,
        )
        .await;
    bot.follow_up(&added).await;
    bot.invoke("subscribe", topic("ceasefire"), ADMIN).await;
    bot.invoke("schedule", sub("set", when("08:00", "UTC")), ADMIN)
        .await;
    let monday = (
        "m1",
        "Ceasefire talks open in Istanbul",
        "Delegations from Kyiv and Moscow met in Istanbul on Monday for ceasefire talks. The talks at \
         Dolmabahce Palace lasted two hours, Turkish officials said.",
    );
    let tuesday = (
        "t1",
        "Istanbul ceasefire talks agree a prisoner exchange",
        "Delegations from Kyiv and Moscow met in Istanbul on Monday for ceasefire talks. On Tuesday the \
         negotiators agreed to exchange 1,200 prisoners of war within a week.",
    );
    // Waits until the poller has read the feed `n` times, then a little for the write.
    let polled = |n: usize| {
        let feeds = &feeds;
        async move {
            let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
            while feeds.hits.live.load(std::sync::atomic::Ordering::SeqCst) < n {
                assert!(tokio::time::Instant::now() < deadline, "polled {n} times");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    };
    let hits = || feeds.hits.live.load(std::sync::atomic::Ordering::SeqCst);
    feeds.set_live(rss("Live Wire", &[monday]));
    let before = hits();
    clock.set(start + chrono::Duration::minutes(90));
    polled(before + 1).await;
    clock.set(start + chrono::Duration::minutes(120) + chrono::Duration::seconds(20));
    assert!(fake.wait_posted(1, Duration::from_secs(10)).await, "Monday");

    feeds.set_live(rss("Live Wire", &[tuesday, monday]));
    let before = hits();
    clock.set(start + chrono::Duration::hours(20));
    polled(before + 1).await;
    // An admin previews Tuesday's briefing: the same update, only to them, and nothing marked as told (the
    // scheduled post below still tells it). A member may not preview (it may spend the LLM budget).
    let preview = json!([{"name": "preview", "type": 5, "value": true}]);
    let refused = bot
        .invoke("settings", sub("show", preview.clone()), MEMBER)
        .await;
    assert!(refused.text().contains("Manage Server"), "{refused}");
    let asked = bot.invoke("settings", sub("show", preview), ADMIN).await;
    assert_eq!(asked.body["type"], 5, "deferred: {asked}");
    assert!(asked.is_ephemeral(), "{asked}");
    let shown = bot.follow_ups(&asked, 2).await;
    assert_eq!(
        shown[0]["embeds"][0]["title"], "Briefing settings",
        "{}",
        shown[0]
    );
    let look = &shown[1];
    assert_eq!(look["flags"], 64, "only the admin sees it: {look}");
    assert!(
        look["content"]
            .as_str()
            .is_some_and(|c| c.starts_with("Preview:")),
        "{look}"
    );
    assert_eq!(
        look["embeds"][1]["title"], "Istanbul ceasefire talks agree a prisoner exchange",
        "{look}"
    );
    let previewed = look["embeds"][1]["description"]
        .as_str()
        .unwrap_or_default();
    assert!(
        previewed.starts_with("*Update · first told <t:"),
        "{previewed}"
    );
    assert_eq!(
        look["components"][0]["components"][0]["url"], look["embeds"][1]["url"],
        "{look}"
    );
    assert_eq!(fake.posted_in(CHANNEL).len(), 1, "a preview posts nothing");
    clock.set(start + chrono::Duration::hours(26) + chrono::Duration::seconds(20));
    assert!(
        fake.wait_posted(2, Duration::from_secs(10)).await,
        "Tuesday"
    );
    let posted = fake.posted_in(CHANNEL);
    let story = &posted[1].body["embeds"][1];
    assert_eq!(
        story["title"], "Istanbul ceasefire talks agree a prisoner exchange",
        "{story}"
    );
    let description = story["description"].as_str().unwrap_or_default();
    let link = format!(
        "https://discord.com/channels/{GUILD}/{CHANNEL}/{}",
        posted[0].id
    );
    assert!(
        description.starts_with("*Update · first told <t:") && description.contains(&link),
        "{description}"
    );
    assert!(description.contains("1,200 prisoners"), "{description}");
    assert!(!description.contains("Dolmabahce"), "{description}");
    // Under the message, a link button opens the story's report (the fake refuses buttons Discord would).
    let row = &posted[1].body["components"][0];
    assert_eq!(row["type"], 1, "{}", posted[1].body);
    assert_eq!(row["components"][0]["style"], 5, "{row}");
    assert_eq!(row["components"][0]["url"], story["url"], "{row}");
    assert_eq!(
        row["components"][0]["label"], "Istanbul ceasefire talks agree a…",
        "{row}"
    );

    // Wednesday: nothing new, nothing posted.
    clock.set(start + chrono::Duration::hours(50) + chrono::Duration::seconds(20));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while store
        .delivery(
            CHANNEL,
            chrono::Utc.with_ymd_and_hms(2026, 11, 26, 8, 0, 0).unwrap(),
        )
        .await
        .unwrap()
        .is_none()
    {
        assert!(tokio::time::Instant::now() < deadline, "Wednesday's slot");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        fake.posted_in(CHANNEL).len(),
        2,
        "a quiet day posts nothing"
    );
}
