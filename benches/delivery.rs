//! 10,000 channels due in the same minute, posted through the real Discord outbox (serenity) to the fake
//! Discord enforcing Discord's global limit of 50 requests per second. Reports the total time against the
//! 200 s that 10,000 posts at 50/s need at best, and how many 429s the fake sent.
//!
//! `cargo bench --bench delivery` (set HERALD_BENCH_CHANNELS for a smaller run). With HERALD_BENCH_LLM=1 every
//! channel asks for LLM summaries from a fake OpenAI-compatible endpoint on 127.0.0.1, and the LLM calls of the
//! round are reported with the cache hits (each of which is a call the cache saved).

#[path = "../tests/support/mod.rs"]
#[allow(dead_code)] // the bench uses the fake Discord and the fake LLM only
mod support;

use std::sync::Arc;
use std::time::Instant;

use chrono::TimeZone;
use herald::clock::ManualClock;
use herald::config::Config;
use herald::delivery::Scheduler;
use herald::discord::http::build_http;
use herald::discord::outbox::DiscordOutbox;
use herald::item::NewItem;
use herald::store::{NewSubscription, Store};
use support::fake_discord::{FakeDiscord, GOOD_TOKEN};

const TOPICS: [&str; 10] = [
    "ceasefire",
    "election",
    "rust",
    "climate",
    "markets",
    "football",
    "ukraine",
    "space",
    "health",
    "ai",
];

fn main() {
    let channels: u64 = std::env::var("HERALD_BENCH_CHANNELS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run(channels));
}

async fn run(channels: u64) {
    let fake = FakeDiscord::start().await;
    fake.channels.lock().unwrap().per_second = Some(50);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::defaults();
    config.database.path = dir.path().join("bench.db");
    config.discord.api_base = fake.base.clone();
    let llm = if std::env::var("HERALD_BENCH_LLM").is_ok_and(|v| v == "1") {
        let fake = support::llm::FakeLlm::start().await;
        config.llm.base_url = fake.base_url();
        config.llm.daily_token_budget = u64::MAX / 2;
        config.llm.guild_daily_token_budget = u64::MAX / 2;
        Some(fake)
    } else {
        None
    };
    let store = Store::open(&config.database).await.expect("store");

    // 100 servers, each with its channels, two shared feeds and 200 fresh items over ten topics.
    let slot = chrono::Utc.with_ymd_and_hms(2026, 11, 24, 8, 0, 0).unwrap();
    let before = slot - chrono::Duration::hours(2);
    let setup = Instant::now();
    let mut sources = Vec::new();
    for s in 0..2 {
        let src = store
            .upsert_source(&format!("https://feed{s}.example/rss"), "feed", before)
            .await
            .expect("source");
        let items: Vec<NewItem> = (0..100)
            .map(|i| {
                let topic = TOPICS[i % TOPICS.len()];
                NewItem {
                    guid: format!("{s}-{i}"),
                    url: Some(format!("https://feed{s}.example/{i}")),
                    title: format!("Story {i} about {topic} from outlet {s} number {}", i * 7 + s),
                    author: None,
                    published_at: Some(before),
                    snippet: format!(
                        "Report {i} on {topic}. Officials said more details would follow. Outlet {s} \
                         followed the {topic} story through the night."
                    ),
                    body: String::new(),
                    lang: None,
                    outlet: None,
                    image: None,
                }
            })
            .collect();
        store
            .insert_items(src.id, &items, false, before)
            .await
            .expect("items");
        sources.push(src.id);
    }
    let guilds = 100;
    for g in 1..=guilds {
        for s in &sources {
            store
                .add_guild_source(g, *s, 1, before)
                .await
                .expect("link");
        }
    }
    for c in 1..=channels {
        let guild = c % guilds + 1;
        let topic = TOPICS[(c % TOPICS.len() as u64) as usize];
        store
            .subscribe(
                &NewSubscription {
                    guild_id: guild,
                    channel_id: c,
                    query: topic,
                    query_norm: topic,
                    created_by: 1,
                },
                usize::MAX,
                before,
            )
            .await
            .expect("subscribe");
        store
            .set_schedule(guild, c, "08:00", "UTC", Some(slot), 1, before)
            .await
            .expect("schedule");
        if llm.is_some() {
            let llm_style = herald::brief::channel_settings::ChannelSettings {
                style: herald::brief::channel_settings::Style::Llm,
                ..Default::default()
            };
            store
                .set_channel_settings(guild, c, &llm_style.to_row(), 1, before)
                .await
                .expect("settings");
        }
    }
    eprintln!(
        "setup: {channels} channels in {:.1} s",
        setup.elapsed().as_secs_f64()
    );

    let clock = Arc::new(ManualClock::new(slot + chrono::Duration::seconds(30)));
    let http = Arc::new(build_http(GOOD_TOKEN, &config.discord));
    let scheduler = Scheduler::new(
        store.clone(),
        clock,
        DiscordOutbox::new(http),
        config.schedule.clone(),
        config.brief.clone(),
    )
    .with_llm(herald::brief::llm::LlmSummarizer::new(&config.llm));
    let start = Instant::now();
    let report = scheduler.tick().await.expect("tick");
    let claimed_in = start.elapsed();
    scheduler.idle().await;
    let total = start.elapsed();
    let stats = scheduler.stats();
    let fake_counts = {
        let c = fake.channels.lock().unwrap();
        (c.posted.len(), c.rate_limited, c.limited_requests)
    };
    let bound = channels as f64 / 50.0;
    println!(
        "delivery: {channels} channels due at once: all claimed (briefings built) in {:.1} s; all posted in \
         {:.1} s (bound {bound:.0} s at 50/s; {:.1}x); {} messages; 429s from the fake: {} of {} requests; \
         scheduler saw {} rate limits, {} retries, {} failures",
        claimed_in.as_secs_f64(),
        total.as_secs_f64(),
        total.as_secs_f64() / bound,
        fake_counts.0,
        fake_counts.1,
        fake_counts.2,
        stats.rate_limited,
        stats.retried,
        stats.failed,
    );
    if let Some(fake) = &llm {
        let per = |n: u64| n as f64 / channels as f64;
        println!(
            "llm: {} calls to the endpoint for {channels} channels ({} requests seen by the fake), {} summaries \
             from the cache; without the cache: {} calls ({:.2} calls per channel with it, {:.2} without)",
            stats.llm_calls,
            fake.calls().len(),
            stats.llm_cached,
            stats.llm_calls + stats.llm_cached,
            per(stats.llm_calls),
            per(stats.llm_calls + stats.llm_cached),
        );
    }
    assert_eq!(report.claimed as u64, channels, "every channel claimed");
    assert_eq!(fake_counts.0 as u64, channels, "one message per channel");
}
