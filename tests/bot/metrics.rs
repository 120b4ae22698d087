//! `/metrics` and `/healthz` over HTTP while a scripted round runs: counters move as herald polls, stores,
//! claims and posts; health is ready once the gateway is connected.

use std::sync::Arc;
use std::time::Duration;

use chrono::TimeZone;
use herald::clock::ManualClock;

use super::{Bot, CHANNEL, add_live_feed, publish_news_and_poll, subscribe_at_eight};
use crate::support::{FixtureServer, rss};

/// A free port on 127.0.0.1.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn get(url: &str) -> (u16, String) {
    let r = reqwest::get(url).await.expect("listener answers");
    (r.status().as_u16(), r.text().await.unwrap())
}

/// The value of a metric line (`name{labels} value`), summed over lines starting with `prefix`.
fn value(scrape: &str, prefix: &str) -> f64 {
    scrape
        .lines()
        .filter(|l| l.starts_with(prefix))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn counters_move_as_a_round_runs_and_health_follows_the_gateway() {
    let feeds = FixtureServer::start().await;
    feeds.set_live(rss(
        "Live Wire",
        &[("old", "Old ceasefire report", "A ceasefire.")],
    ));
    let start = chrono::Utc.with_ymd_and_hms(2026, 11, 24, 6, 0, 0).unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let port = free_port();
    let bot = Bot::start_with(
        |c| {
            c.fetch.allow_private_addresses = true;
            c.schedule.tick_ms = 50;
            c.poll.tick_ms = 50;
            c.articles.enabled = false;
            c.metrics.listen = format!("127.0.0.1:{port}");
        },
        clock.clone(),
    )
    .await;
    let base = format!("http://127.0.0.1:{port}");
    let mut ready = (0, String::new());
    for _ in 0..50 {
        ready = get(&format!("{base}/healthz")).await;
        if ready.0 == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(ready.0, 200, "{}", ready.1);
    assert!(ready.1.contains("gateway: connected"), "{}", ready.1);

    let (_, before) = get(&format!("{base}/metrics")).await;
    // Every series is there from the start, at 0 until it counts, so alerts and dashboards see it.
    for series in [
        "herald_discord_429_total",
        "herald_polls_total{outcome=\"failed\"}",
        "herald_deliveries_total{state=\"failed\"}",
        "herald_llm_fallbacks_total",
        "herald_post_retries_total",
        "herald_articles_total{outcome=\"failed\"}",
        "herald_loop_lag_seconds{loop=\"poller\"}",
    ] {
        assert!(
            before.lines().any(|l| l.starts_with(&format!("{series} "))),
            "{series} missing at start:\n{before}"
        );
    }
    assert!(
        before.contains("# HELP herald_discord_429_total"),
        "{before}"
    );
    assert!(value(&before, "herald_database_bytes") > 0.0, "{before}");
    add_live_feed(&bot, &feeds).await;
    subscribe_at_eight(&bot, "ceasefire").await;
    publish_news_and_poll(&feeds, &clock, start, "Negotiators met again.").await;
    clock.set(start + chrono::Duration::minutes(120) + chrono::Duration::seconds(20));
    assert!(bot.fake.wait_posted(1, Duration::from_secs(10)).await);
    assert_eq!(bot.fake.posted_in(CHANNEL).len(), 1);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let (status, after) = get(&format!("{base}/metrics")).await;
    assert_eq!(status, 200);
    // Other tests in this process count into the same recorder: compare before and after.
    for (metric, at_least) in [
        ("herald_polls_total{outcome=\"ok\"}", 1.0),
        ("herald_items_stored_total", 1.0),
        ("herald_deliveries_total{state=\"claimed\"}", 1.0),
        ("herald_deliveries_total{state=\"sent\"}", 1.0),
        ("herald_posts_total", 1.0),
    ] {
        let moved = value(&after, metric) - value(&before, metric);
        assert!(moved >= at_least, "{metric} moved {moved}:\n{after}");
    }
    assert!(
        after.contains("herald_loop_lag_seconds{loop=\"scheduler\"}"),
        "{after}"
    );
    assert!(
        after.contains("# TYPE herald_posts_total counter"),
        "{after}"
    );
}
