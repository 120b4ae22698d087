//! `/settings show|set` through the fake Discord, and what the settings do: an LLM summary with citations in a
//! scheduled briefing that pings exactly the chosen role, one LLM call per story shared by two channels, and a
//! fallback marked "(extractive)".

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone;
use herald::brief::channel_settings::{ChannelSettings, Length, Style};
use herald::clock::ManualClock;
use herald::store::NewSubscription;
use serde_json::{Value, json};

use super::{
    ADMIN, Bot, CHANNEL, GUILD, MEMBER, add_live_feed, opt, publish_news_and_poll, sub,
    subscribe_at_eight, topic,
};
use crate::support::llm::{Answer, FakeLlm};
use crate::support::{FixtureServer, rss};

fn role(id: &str, mentionable: bool) -> Value {
    json!({"roles": {id: {
        "id": id, "name": "news", "color": 0,
        "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null}, "hoist": false, "position": 1, "permissions": "0",
        "managed": false, "mentionable": mentionable, "flags": 0, "icon": null, "unicode_emoji": null
    }}})
}

/// Subscribes another channel of the server to "ceasefire", due at 08:00 on 24 November 2026 (straight in the
/// store: the fake's interactions all come from one channel). Returns the slot.
async fn second_channel(
    store: &herald::store::Store,
    channel: u64,
    start: chrono::DateTime<chrono::Utc>,
) -> chrono::DateTime<chrono::Utc> {
    store
        .subscribe(
            &NewSubscription {
                guild_id: GUILD,
                channel_id: channel,
                query: "ceasefire",
                query_norm: "ceasefire",
                created_by: 1,
            },
            25,
            start,
        )
        .await
        .unwrap();
    let due = chrono::Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap();
    store
        .set_schedule(GUILD, channel, "08:00", "UTC", Some(due), 1, start)
        .await
        .unwrap();
    due
}

/// herald's usual permissions in a channel: View Channels, Send Messages, Embed Links.
const USUAL: &str = "19456";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn settings_shape_briefings_llm_citations_role_ping_and_shared_cache() {
    let feeds = FixtureServer::start().await;
    feeds.set_live(rss(
        "Live Wire",
        &[("old", "Old ceasefire report", "A ceasefire was reported.")],
    ));
    let llm = FakeLlm::start().await;
    let start = chrono::Utc.with_ymd_and_hms(2026, 11, 24, 6, 0, 0).unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let bot = Bot::start_with(
        |c| {
            c.fetch.allow_private_addresses = true;
            c.schedule.tick_ms = 50;
            c.poll.tick_ms = 50;
            c.articles.enabled = false;
            c.llm.base_url = llm.base_url();
        },
        clock.clone(),
    )
    .await;
    let (fake, store) = (&bot.fake, &bot.store);

    // Show (anyone), set (Manage Server only), refusals that say what to do.
    let shown = bot.invoke("settings", sub("show", json!([])), MEMBER).await;
    assert!(shown.is_ephemeral());
    let text = shown.embed_text();
    assert!(text.contains("**Style** extractive"), "{shown}");
    assert!(text.contains("**Length** default (2 sentences)"), "{shown}");
    assert!(text.contains("**Stories** default (10)"), "{shown}");
    assert!(text.contains("**Ping** nobody"), "{shown}");
    assert!(text.contains("**LLM today** 0 of 50000 tokens"), "{shown}");
    let denied = bot
        .invoke(
            "settings",
            sub(
                "set",
                json!([{"name": "max_stories", "type": 4, "value": 3}]),
            ),
            MEMBER,
        )
        .await;
    assert!(denied.text().contains("Manage Server"), "{denied}");
    let bad = bot
        .invoke(
            "settings",
            sub("set", json!([opt("language", "ukrainian please")])),
            ADMIN,
        )
        .await;
    assert!(bad.text().contains("is not a language tag"), "{bad}");
    let set = bot
        .invoke(
            "settings",
            sub(
                "set",
                json!([
                    {"name": "style", "type": 4, "value": 1},
                    opt("language", "uk"),
                    {"name": "length", "type": 4, "value": 1},
                    {"name": "max_stories", "type": 4, "value": 3}
                ]),
            ),
            ADMIN,
        )
        .await;
    let text = set.text();
    assert!(text.starts_with("Saved."), "{set}");
    assert!(text.contains("**Style** llm, in `uk`"), "{set}");
    assert!(
        text.contains("**Length** short") && text.contains("**Stories** 3"),
        "{set}"
    );
    // A role herald may not mention is refused with what to grant; a mentionable one is kept.
    let ping = |id: &str| json!([{"name": "ping", "type": 8, "value": id}]);
    let refused = bot
        .invoke_resolved(
            "settings",
            sub("set", ping("777")),
            role("777", false),
            ADMIN,
            USUAL,
        )
        .await;
    assert!(refused.text().contains("not mentionable"), "{refused}");
    assert!(
        refused
            .text()
            .contains("Mention @everyone, @here, and All Roles"),
        "{refused}"
    );
    let everyone = GUILD.to_string();
    let refused = bot
        .invoke_resolved(
            "settings",
            sub("set", ping(&everyone)),
            role(&everyone, true),
            ADMIN,
            USUAL,
        )
        .await;
    assert!(
        refused.text().contains("never pings @everyone"),
        "{refused}"
    );
    let kept = bot
        .invoke_resolved(
            "settings",
            sub("set", ping("777")),
            role("777", true),
            ADMIN,
            USUAL,
        )
        .await;
    assert!(kept.text().contains("**Ping** <@&777>"), "{kept}");
    let stored =
        ChannelSettings::from_row(&store.channel_settings(CHANNEL).await.unwrap().unwrap());
    assert_eq!(
        (
            stored.style,
            stored.length,
            stored.max_stories,
            stored.ping_role
        ),
        (Style::Llm, Some(Length::Short), Some(3), Some(777))
    );

    bot.invoke("subscribe", topic("ceasefire"), ADMIN).await;
    let listed = bot.invoke("topics", json!([]), MEMBER).await;
    assert!(
        listed
            .embed_text()
            .contains("· llm (uk), short, 3 stories, pings <@&777>"),
        "{listed}"
    );

    // A second channel of the server follows the same topic with the same LLM settings, and no ping.
    add_live_feed(&bot, &feeds).await;
    bot.invoke(
        "schedule",
        sub("set", json!([opt("when", "08:00"), opt("timezone", "UTC")])),
        ADMIN,
    )
    .await;
    let other = 3005;
    second_channel(store, other, start).await;
    let mut twin = stored.clone();
    twin.ping_role = None;
    store
        .set_channel_settings(GUILD, other, &twin.to_row(), 1, start)
        .await
        .unwrap();

    publish_news_and_poll(
        &feeds,
        &clock,
        start,
        "Negotiators met again in Istanbul to discuss a ceasefire.",
    )
    .await;
    clock.set(start + chrono::Duration::minutes(120) + chrono::Duration::seconds(20));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while fake.posted_in(CHANNEL).is_empty() || fake.posted_in(other).is_empty() {
        assert!(tokio::time::Instant::now() < deadline, "both posted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mine = &fake.posted_in(CHANNEL)[0].body;
    assert_eq!(mine["content"], "<@&777>", "{mine}");
    assert_eq!(mine["allowed_mentions"]["parse"], json!([]), "{mine}");
    let roles = mine["allowed_mentions"]["roles"].to_string();
    assert!(
        roles == "[\"777\"]" || roles == "[777]",
        "only that role: {mine}"
    );
    assert!(
        mine["allowed_mentions"]
            .get("users")
            .is_none_or(|u| u == &json!([])),
        "{mine}"
    );
    let story = mine["embeds"][1]["description"].as_str().unwrap();
    assert!(
        story.contains(&format!("[\\[1\\]](<{}/n1>)", "http://live.test")),
        "citation linked to its report: {story}"
    );
    let twin_post = &fake.posted_in(other)[0].body;
    assert!(
        twin_post
            .get("content")
            .is_none_or(|c| c.is_null() || c == ""),
        "no ping there: {twin_post}"
    );
    assert_eq!(twin_post["allowed_mentions"]["parse"], json!([]));
    assert_eq!(
        twin_post["embeds"][1]["description"],
        mine["embeds"][1]["description"]
    );
    let calls = llm.calls();
    assert_eq!(
        calls.len(),
        1,
        "one call for the story, shared by both channels: {calls:#?}"
    );
    assert!(calls[0].system.contains("\"uk\""));

    // In full length the story needs a new summary; an unfaithful answer twice: told extractively, marked.
    let set = bot
        .invoke(
            "settings",
            sub("set", json!([{"name": "length", "type": 4, "value": 2}])),
            ADMIN,
        )
        .await;
    assert!(set.text().contains("**Length** full"), "{set}");
    llm.script([
        Answer::Text("Talks resumed in Geneva [1].".into(), 40),
        Answer::Text("Talks resumed in Geneva [1].".into(), 40),
    ]);
    let deferred = bot
        .invoke("briefing", topic("istanbul talks"), MEMBER)
        .await;
    let follow = bot.follow_up(&deferred).await;
    let desc = follow["embeds"][1]["description"]
        .as_str()
        .unwrap_or_default();
    // The summary (the description's first line; the story's size and outlets follow) is marked.
    assert!(
        desc.lines()
            .next()
            .unwrap_or_default()
            .ends_with("*(extractive)*"),
        "{follow}"
    );
    assert!(!desc.contains("Geneva"), "{follow}");
    let shown = bot.invoke("settings", sub("show", json!([])), MEMBER).await;
    assert!(
        shown
            .embed_text()
            .contains("**LLM today** 180 of 50000 tokens"),
        "{shown}"
    );
}

fn forum_option(id: &str) -> (Value, Value) {
    (
        json!({"name": "forum", "type": 7, "value": id}),
        json!({"channels": {id: {"id": id, "name": "briefings", "type": 15, "permissions": "0"}}}),
    )
}

/// Every permission.
const ALL: &str = "2147483647";
/// herald's usual permissions and the thread ones: Create Public Threads, Send Messages in Threads.
const THREADS: &str = "309237664768";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn briefings_go_into_a_new_thread_or_a_tagged_forum_post() {
    let feeds = FixtureServer::start().await;
    feeds.set_live(rss(
        "Live Wire",
        &[("old", "Old ceasefire report", "A ceasefire.")],
    ));
    let start = chrono::Utc.with_ymd_and_hms(2026, 11, 24, 6, 0, 0).unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let bot = Bot::start_with(
        |c| {
            c.fetch.allow_private_addresses = true;
            c.schedule.tick_ms = 50;
            c.poll.tick_ms = 50;
            c.articles.enabled = false;
        },
        clock.clone(),
    )
    .await;
    let (fake, store) = (&bot.fake, &bot.store);
    {
        let mut c = fake.channels.lock().unwrap();
        c.forums.insert(
            4000,
            (vec![(54, "Sport".into()), (55, "Briefing".into())], true),
        );
        c.forums.insert(4001, (vec![(56, "Sport".into())], true));
    }
    let post_in = |v: u64| json!({"name": "post_in", "type": 4, "value": v});

    // Refusals say what to grant or give: no LLM configured here.
    let no = bot
        .invoke(
            "settings",
            sub("set", json!([{"name": "style", "type": 4, "value": 1}])),
            ADMIN,
        )
        .await;
    assert!(no.text().contains("has no LLM configured"), "{no}");
    let no = bot
        .invoke_resolved(
            "settings",
            sub("set", json!([post_in(1)])),
            json!({}),
            ADMIN,
            USUAL,
        )
        .await;
    assert!(
        no.text()
            .contains("grant it **Create Public Threads** and **Send Messages in Threads**"),
        "{no}"
    );
    let no = bot
        .invoke("settings", sub("set", json!([post_in(2)])), ADMIN)
        .await;
    assert!(no.text().contains("Name the forum channel too"), "{no}");
    let (opt_4001, resolved_4001) = forum_option("4001");
    let no = bot
        .invoke_resolved(
            "settings",
            sub("set", json!([post_in(2), opt_4001])),
            resolved_4001,
            ADMIN,
            ALL,
        )
        .await;
    assert!(no.text().contains("requires a tag on every post"), "{no}");
    let (opt_4002, resolved_4002) = forum_option("4002");
    let no = bot
        .invoke_resolved(
            "settings",
            sub("set", json!([post_in(2), opt_4002])),
            resolved_4002,
            ADMIN,
            ALL,
        )
        .await;
    assert!(no.text().contains("is not a forum channel"), "{no}");

    // A thread is allowed once herald may open threads (shown, then kept for another channel below).
    let ok = bot
        .invoke_resolved(
            "settings",
            sub("set", json!([post_in(1)])),
            json!({}),
            ADMIN,
            THREADS,
        )
        .await;
    assert!(
        ok.text()
            .contains("**Posted in** a new thread per briefing"),
        "{ok}"
    );
    // This channel: a post in forum 4000, tagged "Briefing". Another channel: a thread per briefing.
    let (opt_4000, resolved_4000) = forum_option("4000");
    let ok = bot
        .invoke_resolved(
            "settings",
            sub("set", json!([post_in(2), opt_4000])),
            resolved_4000,
            ADMIN,
            ALL,
        )
        .await;
    assert!(
        ok.text()
            .contains("**Posted in** a new post in <#4000> per briefing"),
        "{ok}"
    );
    let stored = store.channel_settings(CHANNEL).await.unwrap().unwrap();
    assert_eq!(
        (stored.post_in, stored.forum_id, stored.forum_tag),
        (herald::store::Placement::Forum, Some(4000), Some(55))
    );
    let other = 3006;
    let thread_settings = ChannelSettings {
        post_in: herald::brief::channel_settings::PostIn::Thread,
        ..ChannelSettings::default()
    };
    store
        .set_channel_settings(GUILD, other, &thread_settings.to_row(), 1, start)
        .await
        .unwrap();

    add_live_feed(&bot, &feeds).await;
    subscribe_at_eight(&bot, "ceasefire").await;
    let due = second_channel(store, other, start).await;
    publish_news_and_poll(&feeds, &clock, start, "Negotiators met again.").await;
    clock.set(start + chrono::Duration::minutes(120) + chrono::Duration::seconds(20));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let threads = fake.channels.lock().unwrap().threads.clone();
        let done = [CHANNEL, other]
            .iter()
            .all(|c| store_sent(&threads, *c).is_some_and(|t| !fake.posted_in(t).is_empty()));
        if done {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "both posted: {:#?}",
            fake.channels.lock().unwrap().threads
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let threads = fake.channels.lock().unwrap().threads.clone();
    assert_eq!(threads.len(), 2, "one thread each: {threads:#?}");
    let (_, thread, body) = threads.iter().find(|t| t.0 == other).unwrap();
    assert_eq!(body["name"], "ceasefire — 2026-11-24");
    assert_eq!(body["type"], 11);
    assert!(
        fake.posted_in(CHANNEL).is_empty(),
        "nothing in the channel itself"
    );
    let inside = fake.posted_in(*thread);
    assert_eq!(inside.len(), 1);
    assert!(
        inside[0]
            .body
            .to_string()
            .contains("Ceasefire talks resume in Istanbul")
    );
    let (_, post, body) = threads.iter().find(|t| t.0 == 4000).unwrap();
    assert_eq!(body["applied_tags"], json!(["55"]), "{body}");
    assert_eq!(body["message"]["allowed_mentions"]["parse"], json!([]));
    let inside = fake.posted_in(*post);
    assert_eq!(
        inside.len(),
        2,
        "the starter message, then the briefing: {inside:#?}"
    );
    assert!(
        inside[1]
            .body
            .to_string()
            .contains("Ceasefire talks resume in Istanbul")
    );
    // Each delivery recorded where it posted, so a restart would finish there instead of opening another.
    let d = store.delivery(other, due).await.unwrap().unwrap();
    assert_eq!(
        (d.thread_id, d.state),
        (Some(*thread), herald::store::DeliveryState::Sent)
    );
    let d = store.delivery(CHANNEL, due).await.unwrap().unwrap();
    assert_eq!(d.thread_id, Some(*post));
}

/// The thread opened under `parent`, if any.
fn store_sent(threads: &[(u64, u64, Value)], parent: u64) -> Option<u64> {
    let parent = if parent == CHANNEL { 4000 } else { parent };
    threads.iter().find(|t| t.0 == parent).map(|t| t.1)
}
