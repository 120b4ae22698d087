//! Keyless news search against a fixture server that answers as Bing News, GDELT, Google News and Algolia's
//! HN search do: `herald brief --topic` from the providers alone, one provider down while the others still
//! brief, each provider's query syntax, one search shared by many subscriptions, rate limits and 429 pauses
//! on a test clock, the same article from a feed and from providers stored once, and a flood of results
//! briefed as the best few stories.

use std::sync::Arc;

use crate::support::FixtureServer;
use crate::support::providers::{Mode, ProviderServer};
use assert_cmd::Command;
use chrono::{TimeZone, Utc};
use herald::clock::{Clock, ManualClock};
use herald::config::Config;
use herald::sources::articles::ArticleReader;
use herald::sources::fetch::Fetcher;
use herald::sources::ingest::{Readers, refresh};
use herald::sources::poller::Poller;
use herald::sources::search::{Searcher, sync_searches};
use herald::store::{NewSubscription, Store};

/// Both servers, and a config whose providers are all on and point at the provider server.
async fn servers(dir: &crate::support::TestDir) -> (FixtureServer, ProviderServer, Config) {
    let articles = FixtureServer::start().await;
    let providers = ProviderServer::start(&articles.url("")).await;
    let mut c = Config::defaults();
    dir.database(&mut c.database, "herald.db");
    c.fetch.allow_private_addresses = true;
    c.fetch.timeout_secs = 2;
    c.articles.host_gap_ms = 10;
    c.articles.min_words = 20;
    c.sources.default = Vec::new();
    c.search.providers = ["bing", "gdelt", "google", "hn"].map(String::from).to_vec();
    providers.configure(&mut c.search);
    (articles, providers, c)
}

/// `herald` run with `c` written out as its config file.
fn herald(dir: &crate::support::TestDir, c: &Config) -> Command {
    let file = dir.path().join("herald.toml");
    let list = |v: &[String]| {
        v.iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    std::fs::write(
        &file,
        format!(
            "[database]\npath = {:?}\nurl = {:?}\n[fetch]\nallow_private_addresses = true\ntimeout_secs = 2\n\
             [articles]\nhost_gap_ms = 10\nmin_words = 20\n[sources]\ndefault = []\n\
             [search]\nproviders = [{}]\nbing_url = {:?}\ngdelt_url = {:?}\ngoogle_url = {:?}\nhn_url = {:?}\n",
            c.database.path.display().to_string(),
            c.database.url,
            list(&c.search.providers),
            c.search.bing_url,
            c.search.gdelt_url,
            c.search.google_url,
            c.search.hn_url,
        ),
    )
    .unwrap();
    let mut cmd = Command::cargo_bin("herald").expect("binary built");
    cmd.arg("--config").arg(file).env_remove("RUST_LOG");
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_topic_with_no_feed_is_briefed_from_the_providers_alone() {
    let dir = crate::support::test_dir();
    let (_articles, providers, c) = servers(&dir).await;
    let out = herald(&dir, &c)
        .args(["brief", "--topic", "ukraine", "--words", "30"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    println!("{stdout}");
    // Seven results from four providers, two events: one story each, with the outlets the providers named.
    assert!(
        stdout.contains("(6 of 6 items matched, 2 stories)"),
        "one article from two providers is one item:\n{stdout}"
    );
    // (HN names no outlet: the link's host stands for it.)
    for outlet in [
        "euters",
        "AP News",
        "kyivindependent.com",
        "BBC",
        "The Guardian",
        "127.0.0.1",
    ] {
        assert!(stdout.contains(outlet), "{outlet} missing:\n{stdout}");
    }
    assert!(
        !stdout.contains("- BBC"),
        "Google's publisher suffix cut:\n{stdout}"
    );
    assert!(
        !stdout.contains("Ukraine , Russia"),
        "GDELT's spacing tidied:\n{stdout}"
    );

    // Each provider asked once, in its own syntax and the default locale, naming herald.
    for p in ["bing", "gdelt", "google", "hn"] {
        assert_eq!(providers.count(p), 1, "{p}");
    }
    for r in providers.requests() {
        assert!(r.user_agent.starts_with("herald/"), "{r:?}");
        let want: &[(&str, &str)] = match r.provider {
            "bing" => &[("q", "ukraine"), ("format", "rss"), ("mkt", "en-US")],
            "gdelt" => &[
                ("query", "ukraine sourcelang:english"),
                ("mode", "ArtList"),
                ("format", "json"),
                ("maxrecords", "250"),
                ("timespan", "24h"),
                ("sort", "DateDesc"),
            ],
            "google" => &[
                ("q", "ukraine"),
                ("hl", "en"),
                ("gl", "US"),
                ("ceid", "US:en"),
            ],
            _ => &[("query", "ukraine"), ("tags", "story")],
        };
        for (k, v) in want {
            assert_eq!(r.params.get(*k).map(String::as_str), Some(*v), "{r:?}");
        }
    }
    let hn = providers
        .requests()
        .into_iter()
        .find(|r| r.provider == "hn")
        .unwrap();
    assert!(
        hn.params["numericFilters"].starts_with("created_at_i>"),
        "{hn:?}"
    );

    // The providers' own pictures (Bing's News:Image, GDELT's socialimage) stand for the story's image where its
    // page offered none; asked again, the results stored a minute ago are briefed (no provider asked twice).
    let out = herald(&dir, &c)
        .args(["brief", "--topic", "ukraine", "--format", "json"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let briefing: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let images: Vec<&str> = briefing["stories"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["image"].as_str())
        .collect();
    assert_eq!(images.len(), 2, "{briefing}");
    assert!(
        images
            .iter()
            .all(|i| i.starts_with("https://www.bing.com/th?id=OVFT.")
                || i.starts_with("https://img.gdelt.test/")),
        "{images:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_provider_down_the_others_still_brief_and_errors_are_named() {
    let dir = crate::support::test_dir();
    let (_articles, providers, c) = servers(&dir).await;
    providers.set("gdelt", Mode::TooMany(Some(120)));
    providers.set("hn", Mode::Broken);
    providers.set("google", Mode::Malformed);
    let out = herald(&dir, &c)
        .args(["brief", "--topic", "ukraine", "--no-articles"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("Reuters") && stdout.contains("AP News"),
        "{stdout}"
    );
    assert!(
        stderr.contains("HTTP 429 Too Many Requests (retry after 120 s)"),
        "{stderr}"
    );
    assert!(stderr.contains("HTTP 500"), "{stderr}");
    assert!(
        stderr.contains("not an RSS document (it is <html>)"),
        "{stderr}"
    );

    // A 429 with a short window (GDELT asks for 5 s between requests) is waited out once in the terminal,
    // and GDELT's results are in the briefing.
    providers.set("gdelt", Mode::TooManyOnce(1));
    let before = providers.count("gdelt");
    let started = std::time::Instant::now();
    let out = herald(&dir, &c)
        .args([
            "brief",
            "--topic",
            "ukraine",
            "--no-articles",
            "--provider",
            "gdelt",
        ])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        providers.count("gdelt"),
        before + 2,
        "asked, waited, asked again"
    );
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    assert!(!text(&out.stderr).contains("429"), "{}", text(&out.stderr));

    // Every provider down or refusing: the user is told, not shown an empty briefing.
    providers.set("bing", Mode::Broken);
    providers.set("gdelt", Mode::Malformed);
    let out = herald(&dir, &c)
        .args(["brief", "--topic", "ukraine", "--no-articles"])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("GDELT refused the query: The specified phrase is too short."),
        "{stderr}"
    );
    assert!(
        stderr.contains("nothing could be read from the 4 sources asked"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operator_reaches_each_provider_in_its_syntax() {
    let dir = crate::support::test_dir();
    let (articles, providers, c) = servers(&dir).await;
    let out = herald(&dir, &c)
        .args([
            "brief",
            "--topic",
            r#"ukraine OR kyiv "peace talks" -football"#,
            "--no-articles",
        ])
        .args([
            "--provider",
            "bing",
            "--provider",
            "gdelt",
            "--provider",
            "google",
            "--provider",
            "hn",
        ])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let q = |p: &str, key: &str| {
        providers
            .requests()
            .into_iter()
            .find(|r| r.provider == p)
            .and_then(|r| r.params.get(key).cloned())
            .unwrap_or_default()
    };
    let web = r#"(ukraine OR kyiv) "peace talks" -football"#;
    assert_eq!(q("bing", "q"), web);
    assert_eq!(q("google", "q"), web);
    assert_eq!(q("gdelt", "query"), format!("{web} sourcelang:english"));
    assert_eq!(q("hn", "query"), r#"ukraine kyiv "peace talks" -football"#);
    assert_eq!(q("hn", "optionalWords"), "ukraine,kyiv");
    assert_eq!(q("hn", "advancedSyntax"), "true");

    // --provider alone reads that provider only: not the default feeds, not the other providers.
    let before = providers.requests().len();
    let out = herald(&dir, &c)
        .env(
            "HERALD_SOURCES__DEFAULT",
            format!("[\"{}\"]", articles.url("/feed.xml")),
        )
        .args([
            "brief",
            "--topic",
            "ukraine",
            "--provider",
            "hn",
            "--no-articles",
        ])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let asked: Vec<&str> = providers.requests()[before..]
        .iter()
        .map(|r| r.provider)
        .collect();
    assert_eq!(asked, ["hn"]);
    assert_eq!(
        articles.hits.feed.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "no default feed read"
    );

    // --provider limits the search; an unknown one is refused by name.
    let out = herald(&dir, &c)
        .args(["brief", "--topic", "ukraine", "--provider", "altavista"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out.stderr)
            .contains("--provider \"altavista\": herald knows bing, gdelt, google, hn")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_of_results_is_briefed_as_the_best_few_stories() {
    let dir = crate::support::test_dir();
    let (_articles, providers, c) = servers(&dir).await;
    providers.set("gdelt", Mode::Flood);
    let out = herald(&dir, &c)
        .args([
            "brief",
            "--topic",
            "ukraine",
            "--provider",
            "gdelt",
            "--no-articles",
        ])
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    // 250 results, 50 kept ([search] max_results), 10 stories told ([brief] max_stories), the rest counted.
    assert!(stdout.contains("10 stories"), "{stdout}");
    assert!(stdout.contains("40 more stories"), "{stdout}");

    // A search with no results is an empty briefing, not an error.
    providers.set("gdelt", Mode::Empty);
    let dir = crate::support::test_dir();
    let mut c = c;
    dir.database(&mut c.database, "herald.db");
    let out = herald(&dir, &c)
        .args([
            "brief",
            "--topic",
            "ukraine",
            "--provider",
            "gdelt",
            "--no-articles",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("0 stories"),
        "{}",
        text(&out.stdout)
    );
}

/// A store with `topics` subscribed in (guild, channel) pairs, and their searches built.
async fn subscribed(
    c: &Config,
    searcher: &Searcher,
    topics: &[(u64, u64, &str)],
    now: chrono::DateTime<Utc>,
) -> Store {
    let store = Store::open(&c.database).await.unwrap();
    for (guild, channel, topic) in topics {
        let q = herald::query::Query::parse(topic).unwrap();
        store
            .subscribe(
                &NewSubscription {
                    guild_id: *guild,
                    channel_id: *channel,
                    query: topic,
                    query_norm: &q.normalized(),
                    created_by: 1,
                },
                25,
                now,
            )
            .await
            .unwrap();
    }
    sync_searches(&store, searcher, &c.search, None, now)
        .await
        .unwrap();
    store
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_search_serves_every_subscription_and_rate_limits_hold_on_the_clock() {
    let dir = crate::support::test_dir();
    let (_articles, providers, mut c) = servers(&dir).await;
    c.search.providers = ["bing", "gdelt"].map(String::from).to_vec();
    // One tick takes every due source (so the limits, not the poller's spreading, decide what is asked).
    c.poll.tick_ms = 15 * 60 * 1000;
    let t0 = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
    let clock = Arc::new(ManualClock::new(t0));
    let searcher = Searcher::new(&c.search);
    // Three channels in two servers follow the same topic, however they typed it.
    let store = subscribed(
        &c,
        &searcher,
        &[(1, 10, "ukraine"), (1, 11, "Ukraine"), (2, 20, "UKRAINE")],
        t0,
    )
    .await;
    let poller = Poller::new(
        store.clone(),
        Readers {
            fetcher: Fetcher::new(&c.fetch).unwrap(),
            search: searcher.clone(),
        },
        clock.clone(),
        c.poll.clone(),
        4,
    );
    let r = poller.tick().await.unwrap();
    assert_eq!((r.fetched, r.failed), (2, 0), "{r:?}");
    assert_eq!((providers.count("bing"), providers.count("gdelt")), (1, 1));
    assert_eq!(store.polled_source_count().await.unwrap(), 2);
    let for_channel = store.channel_searches(11).await.unwrap();
    assert_eq!(for_channel.len(), 2);
    assert_eq!(for_channel, store.channel_searches(20).await.unwrap());

    // Two more topics: GDELT answers one request per 5 s, Bing one per 2 s, whatever is due.
    let store = subscribed(
        &c,
        &searcher,
        &[(1, 10, "kakhovka"), (1, 10, "istanbul")],
        t0,
    )
    .await;
    let r = poller.tick().await.unwrap();
    assert_eq!(
        r.fetched, 0,
        "same instant: every provider's gap still runs"
    );
    clock.advance(chrono::Duration::seconds(2));
    poller.tick().await.unwrap();
    assert_eq!((providers.count("bing"), providers.count("gdelt")), (2, 1));
    clock.advance(chrono::Duration::seconds(3));
    poller.tick().await.unwrap();
    assert_eq!((providers.count("bing"), providers.count("gdelt")), (3, 2));
    clock.advance(chrono::Duration::seconds(5));
    poller.tick().await.unwrap();
    assert_eq!((providers.count("bing"), providers.count("gdelt")), (3, 3));

    // A 429 pauses the whole provider for its Retry-After, and is shown on the source like any failure.
    providers.set("gdelt", Mode::TooMany(Some(600)));
    clock.advance(chrono::Duration::minutes(20));
    let r = poller.tick().await.unwrap();
    assert_eq!(r.failed, 1, "{r:?}");
    assert_eq!(providers.count("gdelt"), 4, "one request, then the pause");
    for _ in 0..9 {
        clock.advance(chrono::Duration::seconds(60));
        poller.tick().await.unwrap();
    }
    assert_eq!(providers.count("gdelt"), 4, "nothing within the 600 s");
    let searches = store.guild_searches(1).await.unwrap();
    let failed: Vec<_> = searches
        .iter()
        .filter(|s| s.source.kind == "gdelt" && s.source.fail_count > 0)
        .collect();
    assert_eq!(failed.len(), 1);
    assert!(
        failed[0]
            .source
            .last_error
            .as_deref()
            .unwrap()
            .contains("HTTP 429"),
        "{failed:?}"
    );
    providers.set("gdelt", Mode::Normal);
    clock.advance(chrono::Duration::seconds(61));
    poller.tick().await.unwrap();
    assert_eq!(
        providers.count("gdelt"),
        5,
        "asked again once the pause is over"
    );

    // The first answer of a search is backlog (for /briefing, never pushed); later ones are news.
    let fresh = store
        .fresh_items_for_channel(2, 20, t0 - chrono::Duration::days(1), 100)
        .await
        .unwrap();
    assert!(fresh.is_empty(), "{fresh:?}");
    assert!(
        !store
            .items_of_sources(
                &for_channel.iter().map(|s| s.id).collect::<Vec<_>>(),
                None,
                100
            )
            .await
            .unwrap()
            .is_empty()
    );

    // A search that suddenly returns 250 results: 50 are kept, and the channel's briefing tells the best
    // 10 stories and counts the rest.
    providers.set("bing", Mode::Flood);
    clock.advance(chrono::Duration::minutes(20));
    for _ in 0..3 {
        // Three Bing searches are due; Bing takes one every 2 s.
        clock.advance(chrono::Duration::seconds(2));
        poller.tick().await.unwrap();
    }
    let fresh = store
        .fresh_items_for_channel(2, 20, t0, 1000)
        .await
        .unwrap();
    assert_eq!(fresh.len(), 50, "[search] max_results");
    let topics = [herald::query::Query::parse("ukraine").unwrap()];
    let b = herald::brief::build_briefing(
        &fresh,
        &topics,
        herald::brief::Options::from(&c.brief),
        clock.now(),
    );
    assert_eq!((b.stories.len(), b.stories_left_out), (10, 40));

    // Topics nobody follows any more stop being searched.
    for s in store.guild_searches(1).await.unwrap() {
        assert!(!s.topics.is_empty());
    }
    assert!(store.unsubscribe(20, "ukraine").await.unwrap());
    assert!(store.unsubscribe(10, "kakhovka").await.unwrap());
    assert!(store.unsubscribe(10, "istanbul").await.unwrap());
    assert_eq!(
        store.polled_source_count().await.unwrap(),
        2,
        "guild 1 still follows ukraine"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_article_from_a_feed_and_from_providers_is_stored_once() {
    let dir = crate::support::test_dir();
    let (articles, _providers, c) = servers(&dir).await;
    let now = Utc::now();
    let searcher = Searcher::new(&c.search);
    let store = subscribed(&c, &searcher, &[(1, 10, "ukraine")], now).await;
    let fetcher = Fetcher::new(&c.fetch).unwrap();
    // The feed carries all six reports; Bing, GDELT, Google and HN return seven results for five of them.
    let feed = refresh(&store, &fetcher, &articles.url("/news.xml"), now)
        .await
        .unwrap();
    store
        .add_guild_source(1, feed.source.id, 1, now)
        .await
        .unwrap();
    let readers = Readers {
        fetcher: fetcher.clone(),
        search: searcher,
    };
    let searches = store.channel_searches(10).await.unwrap();
    assert_eq!(searches.len(), 4);
    let results = herald::sources::ingest::refresh_many(
        &store,
        &readers,
        searches.clone(),
        herald::sources::ingest::Access::WebOnly,
        now,
        4,
        |_, _| {},
    )
    .await;
    for (s, r) in &results {
        assert!(r.is_ok(), "{}: {r:?}", s.url);
    }
    let count = |store: Store, url: String| async move {
        store
            .items_of_sources(&[feed.source.id], None, 100)
            .await
            .unwrap()
            .iter()
            .filter(|i| i.url.as_deref() == Some(url.as_str()))
            .count()
    };
    let a1 = articles.url("/articles/story-a-1.html");
    assert_eq!(count(store.clone(), a1.clone()).await, 1);
    let ids: Vec<i64> = searches
        .iter()
        .map(|s| s.id)
        .chain([feed.source.id])
        .collect();
    let everything = store.items_of_sources(&ids, None, 100).await.unwrap();
    assert_eq!(
        everything
            .iter()
            .filter(|i| i.url.as_deref() == Some(&*a1))
            .count(),
        1,
        "Bing's, GDELT's and the feed's story-a-1 are one item: {everything:#?}"
    );

    // Google's links are its own redirects: once the page is read, the item is known by where it led, and
    // joins the feed's report of the same page.
    let google = searches.iter().find(|s| s.kind == "google").unwrap();
    let before = store
        .items_of_sources(&[google.id], None, 100)
        .await
        .unwrap();
    assert!(
        before
            .iter()
            .all(|i| i.url.as_deref().unwrap().contains("/rss/articles/")),
        "{before:#?}"
    );
    let reader = ArticleReader::new(fetcher, c.articles.clone());
    reader
        .read_unread(&store, None, None, 100, now, |_, _| {})
        .await
        .unwrap();
    // Each page read once: Google's redirects first, so the publisher's page they land on is known read when
    // the feed's direct link to it comes up.
    let hits = articles.hits.pages.lock().unwrap().clone();
    assert!(
        hits.values().all(|n| *n == 1),
        "a page fetched twice: {hits:?}"
    );
    let after = store
        .items_of_sources(&[google.id], None, 100)
        .await
        .unwrap();
    assert_eq!(after.len(), 2);
    assert!(
        after
            .iter()
            .all(|i| i.url.as_deref().unwrap().contains("/articles/story-")
                && !i.url.as_deref().unwrap().contains("/rss/")),
        "{after:#?}"
    );
    let all = store.items_of_sources(&ids, None, 100).await.unwrap();
    let mut urls: Vec<_> = all.iter().filter_map(|i| i.url.clone()).collect();
    urls.sort();
    urls.dedup();
    assert_eq!(urls.len(), all.len(), "no article twice: {urls:#?}");
}
