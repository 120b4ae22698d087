//! `/briefing` (deferred, then follow-ups) and `/search` over stored items.

use serde_json::json;

use super::{ADMIN, Bot, GUILD, MEMBER, opt, sub, topic};
use crate::support::FixtureServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn briefing_defers_then_follows_up_and_search_finds_stored_items() {
    let feeds = FixtureServer::start().await;
    // No cooldown: the same channel asks twice (images on, then off).
    let bot = Bot::start_with(
        |c| {
            c.fetch.allow_private_addresses = true;
            c.discord.briefing_cooldown_secs = 0;
            c.discord.briefing_guild_cooldown_secs = 0;
        },
        std::sync::Arc::new(herald::clock::SystemClock),
    )
    .await;
    let store = &bot.store;

    let none = bot.invoke("briefing", json!([]), MEMBER).await;
    assert!(none.text().contains("follows no topics yet"), "{none}");
    let no_sources = bot.invoke("briefing", topic("ceasefire"), MEMBER).await;
    assert!(
        no_sources
            .text()
            .contains("no feeds and no search providers on"),
        "{no_sources}"
    );

    for path in ["/feed.xml", "/hostile.xml"] {
        let s = store
            .upsert_source(&feeds.url(path), "feed", chrono::Utc::now())
            .await
            .unwrap();
        store
            .add_guild_source(GUILD, s.id, 1, chrono::Utc::now())
            .await
            .unwrap();
    }
    bot.invoke("subscribe", topic("ceasefire"), ADMIN).await;
    // The hostile story's page was read and offered a lead image: its embed shows it beside the text.
    let page = herald::item::Article {
        title: "Ceasefire agreed".into(),
        byline: None,
        site_name: None,
        published: None,
        language: None,
        canonical_url: None,
        image: Some(herald::item::LeadImage {
            url: "https://img.hostile.test/lead.jpg".into(),
            width: Some(1200),
            height: Some(630),
        }),
        text: "A ceasefire was agreed on Friday, and officials said it holds.".into(),
    };
    store
        .save_article("http://hostile.test/1", Ok(&page), chrono::Utc::now())
        .await
        .unwrap();

    let deferred = bot.invoke("briefing", json!([]), MEMBER).await;
    assert_eq!(deferred["type"], 5, "deferred first: {deferred}");
    let follow = bot.follow_up(&deferred).await;
    let embeds = follow["embeds"].as_array().expect("embeds");
    assert!(
        embeds[0]["title"].as_str().unwrap().contains("ceasefire"),
        "{follow}"
    );
    let titles: Vec<&str> = embeds[1..]
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles.len(), 2, "both ceasefire stories: {follow}");
    // Each story at a glance: its outlet as the author, its time as the embed's timestamp (Discord shows it in
    // the reader's zone), and its size under the summary.
    for story in &embeds[1..] {
        assert!(
            story["author"]["name"]
                .as_str()
                .is_some_and(|a| !a.is_empty()),
            "{story}"
        );
        assert!(
            story["timestamp"]
                .as_str()
                .is_some_and(|t| chrono::DateTime::parse_from_rfc3339(t).is_ok()),
            "{story}"
        );
        assert!(
            story["description"]
                .as_str()
                .is_some_and(|d| d.contains("\n-# 1 report · 1 outlet")),
            "{story}"
        );
    }
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
    assert_eq!(follow["allowed_mentions"]["parse"], json!([]));
    assert_eq!(
        hostile["thumbnail"]["url"], "https://img.hostile.test/lead.jpg",
        "{hostile}"
    );
    let talks = embeds
        .iter()
        .find(|e| e["url"] == "http://fixture.test/news/1")
        .expect("talks story");
    assert!(talks.get("thumbnail").is_none(), "no image read: {talks}");
    // A link button per story under the reply, in the stories' order, each opening its story's report.
    let buttons: Vec<serde_json::Value> = follow["components"]
        .as_array()
        .expect("components")
        .iter()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .collect();
    let story_urls: Vec<&serde_json::Value> = embeds[1..].iter().map(|e| &e["url"]).collect();
    let button_urls: Vec<&serde_json::Value> = buttons.iter().map(|b| &b["url"]).collect();
    assert_eq!(button_urls, story_urls, "{follow}");
    assert!(buttons.iter().all(|b| b["style"] == 5 && b["type"] == 2));

    // A channel that turns images off gets text only.
    let saved = bot
        .invoke(
            "settings",
            // Choices go as their index: on 0, off 1.
            sub("set", json!([{"name": "images", "type": 4, "value": 1}])),
            ADMIN,
        )
        .await;
    assert!(saved.text().contains("**Images** off"), "{saved}");
    let deferred = bot.invoke("briefing", topic("ceasefire"), ADMIN).await;
    let follow = bot.follow_up(&deferred).await;
    let embeds = follow["embeds"].as_array().expect("embeds");
    assert!(embeds.len() > 1, "{follow}");
    assert!(
        embeds.iter().all(|e| e.get("thumbnail").is_none()),
        "{follow}"
    );

    let found = bot
        .invoke(
            "search",
            json!([opt("query", "istanbul talks"), opt("since", "100000d")]),
            MEMBER,
        )
        .await;
    assert!(
        found.embed_text().contains(
            "Russia and Ukraine hold peace talks in Istanbul](<http://fixture.test/news/1>)"
        ),
        "{found}"
    );
    let nothing = bot
        .invoke("search", json!([opt("query", "volcano")]), MEMBER)
        .await;
    assert!(
        nothing.text().contains("Nothing stored matches"),
        "{nothing}"
    );
    let bad = bot
        .invoke("search", json!([opt("query", "a OR")]), MEMBER)
        .await;
    assert!(bad.text().contains("does not parse"), "{bad}");
}

/// `/briefing` must not turn members into a crawler: a source fetched within the poll interval is not
/// fetched again, and a member (or the server) waits between two briefings, told so ephemerally.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn briefing_fetches_only_stale_sources_and_members_wait_their_turn() {
    use std::sync::atomic::Ordering::SeqCst;
    let feeds = FixtureServer::start().await;
    for no_cooldown in [false, true] {
        let bot = Bot::start_with(
            |c| {
                c.fetch.allow_private_addresses = true;
                // The poller must not fetch the feed between the count below and /briefing.
                c.poll.tick_ms = 3_600_000;
                if no_cooldown {
                    c.discord.briefing_cooldown_secs = 0;
                    c.discord.briefing_guild_cooldown_secs = 0;
                }
            },
            std::sync::Arc::new(herald::clock::SystemClock),
        )
        .await;
        let s = bot
            .store
            .upsert_source(&feeds.url("/feed.xml"), "feed", chrono::Utc::now())
            .await
            .unwrap();
        // Not the poller's to fetch (its first tick may run late on a busy machine): only /briefing's.
        bot.store
            .set_next_fetch(s.id, chrono::Utc::now() + chrono::Duration::hours(2))
            .await
            .unwrap();
        bot.store
            .add_guild_source(GUILD, s.id, 1, chrono::Utc::now())
            .await
            .unwrap();
        bot.invoke("subscribe", topic("ceasefire"), ADMIN).await;
        let before = feeds.hits.feed.load(SeqCst);
        let first = bot.invoke("briefing", json!([]), MEMBER).await;
        assert_eq!(first["type"], 5, "{first}");
        bot.follow_up(&first).await;
        assert_eq!(
            feeds.hits.feed.load(SeqCst),
            before + 1,
            "a never-fetched source is fetched"
        );
        let again = bot.invoke("briefing", json!([]), MEMBER).await;
        if no_cooldown {
            assert_eq!(again["type"], 5, "{again}");
            bot.follow_up(&again).await;
            assert_eq!(
                feeds.hits.feed.load(SeqCst),
                before + 1,
                "fetched a moment ago: not fetched again"
            );
        } else {
            assert!(again.is_ephemeral(), "{again}");
            assert!(again.text().contains("Try again in"), "{again}");
        }
    }
}
