//! Topics that find their own news: `/subscribe` searches the server's providers, `/briefing` briefs from
//! them with no feed added, `/sources list` shows the searches with their errors, and `/sources providers`
//! and `/sources region` change what a server searches.

use std::sync::Arc;
use std::time::Duration;

use herald::clock::SystemClock;
use serde_json::json;

use super::{ADMIN, Bot, GUILD, MEMBER, opt, sub, topic};
use crate::support::FixtureServer;
use crate::support::providers::{Mode, ProviderServer};

/// Waits until every search of the server has been asked at least once (the poller asks new ones at once).
async fn searched(bot: &Bot) {
    for _ in 0..100 {
        let searches = bot.store.guild_searches(GUILD).await.unwrap();
        if !searches.is_empty()
            && searches
                .iter()
                .all(|s| s.source.last_ok_at.is_some() || s.source.fail_count > 0)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the poller never asked the searches");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_subscription_brings_its_news_from_the_providers_with_no_feed() {
    let articles = FixtureServer::start().await;
    let providers = ProviderServer::start(&articles.url("")).await;
    providers.set("google", Mode::Broken);
    let bot = Bot::start_with(
        |c| {
            c.fetch.allow_private_addresses = true;
            c.articles.min_words = 20;
            c.search.providers = vec!["bing".into(), "google".into()];
            providers.configure(&mut c.search);
        },
        Arc::new(SystemClock),
    )
    .await;

    let r = bot.invoke("subscribe", topic("ukraine"), ADMIN).await;
    assert!(
        r.text()
            .contains("herald searches Bing News and Google News for it."),
        "{r}"
    );
    searched(&bot).await;
    assert_eq!(providers.count("bing"), 1);

    // No feed at all: the briefing comes from the providers.
    let deferred = bot.invoke("briefing", json!([]), MEMBER).await;
    let follow = bot.follow_up(&deferred).await;
    let all = follow.to_string();
    assert!(
        all.contains("Kakhovka") && all.contains("Istanbul"),
        "{follow}"
    );
    assert!(all.contains("AP News"), "outlets named: {follow}");

    // The searches are listed with their errors, like feeds.
    let listed = bot.invoke("sources", sub("list", json!([])), MEMBER).await;
    let text = listed.embed_text();
    assert!(
        text.contains("**Searches** (Bing News and Google News, en-US)"),
        "{listed}"
    );
    assert!(
        text.contains("Bing News · ukraine** — last fetched"),
        "{listed}"
    );
    assert!(text.contains("Google News · ukraine**"), "{listed}");
    assert!(text.contains("server answered HTTP 500"), "{listed}");

    // Members may look, not change.
    let shown = bot
        .invoke("sources", sub("providers", json!([])), MEMBER)
        .await;
    assert!(shown.text().contains("Manage Server"), "{shown}");
    let shown = bot
        .invoke("sources", sub("providers", json!([])), ADMIN)
        .await;
    assert!(
        shown
            .text()
            .contains("searched on Bing News and Google News in en-US"),
        "{shown}"
    );
    // Google off, Hacker News on (choices are Bing News, GDELT, Google News, Hacker News).
    let off = json!([{"name": "provider", "type": 4, "value": 2}, {"name": "enabled", "type": 5, "value": false}]);
    let r = bot.invoke("sources", sub("providers", off), ADMIN).await;
    assert!(r.text().starts_with("Google News is off."), "{r}");
    let on = json!([{"name": "provider", "type": 4, "value": 3}, {"name": "enabled", "type": 5, "value": true}]);
    let r = bot.invoke("sources", sub("providers", on), ADMIN).await;
    assert!(
        r.text().starts_with("Hacker News is on.")
            && r.text().contains("Bing News and Hacker News"),
        "{r}"
    );
    let half = json!([{"name": "provider", "type": 4, "value": 0}]);
    let r = bot.invoke("sources", sub("providers", half), ADMIN).await;
    assert!(r.text().contains("Give both"), "{r}");

    // A region applies to every search of the server.
    let bad = bot
        .invoke(
            "sources",
            sub(
                "region",
                json!([opt("language", "xx1"), opt("country", "DE")]),
            ),
            ADMIN,
        )
        .await;
    assert!(bad.text().contains("is not a language code"), "{bad}");
    let r = bot
        .invoke(
            "sources",
            sub(
                "region",
                json!([opt("language", "DE"), opt("country", "de")]),
            ),
            ADMIN,
        )
        .await;
    assert!(r.text().contains("now searched in de-DE"), "{r}");
    let searches = bot.store.guild_searches(GUILD).await.unwrap();
    let kinds: Vec<&str> = searches.iter().map(|s| s.source.kind.as_str()).collect();
    assert_eq!(kinds, ["bing", "hn"]);
    assert!(searches[0].source.url.contains("mkt=de-DE"), "{searches:?}");

    // Unsubscribing ends the searches.
    bot.invoke("unsubscribe", topic("ukraine"), ADMIN).await;
    assert!(bot.store.guild_searches(GUILD).await.unwrap().is_empty());
    assert_eq!(bot.store.polled_source_count().await.unwrap(), 0);
}

/// `/briefing` waits for the searches it started (all at once) for `[discord] briefing_search_wait_secs`; one
/// still running then is named in the answer, and what it brings follows up when it answers — only what the
/// answer did not tell.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn briefing_names_a_late_search_and_follows_up_with_what_it_brings() {
    let articles = FixtureServer::start().await;
    let providers = ProviderServer::start(&articles.url("")).await;
    providers.set("google", Mode::Slow(2500));
    let bot = Bot::start_with(
        |c| {
            c.fetch.allow_private_addresses = true;
            c.articles.min_words = 20;
            c.search.providers = vec!["bing".into(), "google".into()];
            c.discord.briefing_search_wait_secs = 1;
            providers.configure(&mut c.search);
        },
        Arc::new(SystemClock),
    )
    .await;

    let started = std::time::Instant::now();
    let deferred = bot.invoke("briefing", topic("ukraine"), MEMBER).await;
    assert_eq!(deferred.body["type"], 5, "deferred first: {deferred}");
    let both = bot.follow_ups(&deferred, 2).await;
    let (answer, more) = (&both[0], &both[1]);
    // Bing answered in time: its two stories, and a line naming the search still running.
    assert_eq!(
        answer["content"],
        "Still waiting for **Google News · ukraine**: herald follows up here with what they bring.",
        "{answer}"
    );
    let first = answer["embeds"].to_string();
    assert!(
        first.contains("Reuters") && first.contains("AP News"),
        "{answer}"
    );
    assert!(
        !first.contains("BBC") && !first.contains("The Guardian"),
        "Google had not answered: {answer}"
    );
    // Google's results follow up once it answers: its reports only, none of the answer's again.
    assert!(started.elapsed() >= Duration::from_millis(2500));
    assert_eq!(
        more["content"], "**Google News · ukraine** answered.",
        "{more}"
    );
    let later = more["embeds"].to_string();
    assert!(
        later.contains("BBC") && later.contains("The Guardian"),
        "{more}"
    );
    assert!(
        !later.contains("Reuters") && !later.contains("AP News"),
        "{more}"
    );
    assert_eq!(providers.count("google"), 1);
}
