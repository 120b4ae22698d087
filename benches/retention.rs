//! 90 days of 1,000 feeds × 20 new items a day, stored as the poller stores them, once with retention
//! (`[retention]` defaults: items 30 days, deliveries 14, a pass after each simulated day) and once without.
//! Reports the database size and the latency of a `/search` query and of a briefing's read at the end.
//!
//! `cargo bench --bench retention` (HERALD_BENCH_FEEDS and HERALD_BENCH_DAYS for a smaller run).

use std::time::Instant;

use chrono::{Duration, TimeZone, Utc};
use herald::brief::{Options, build_briefing};
use herald::config::Config;
use herald::item::NewItem;
use herald::query::{Haystack, Query};
use herald::store::Store;

const WORDS: [&str; 24] = [
    "ceasefire",
    "election",
    "markets",
    "climate",
    "parliament",
    "talks",
    "storm",
    "energy",
    "budget",
    "football",
    "vaccine",
    "border",
    "court",
    "strike",
    "drought",
    "satellite",
    "merger",
    "protest",
    "summit",
    "inflation",
    "wildfire",
    "tariff",
    "reactor",
    "harvest",
];

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A deterministic item: headline and teaser from the word list, by feed, day and number.
fn item(feed: u64, day: u64, n: u64) -> NewItem {
    let pick =
        |k: u64| WORDS[((feed * 31 + day * 17 + n * 7 + k * 13) % WORDS.len() as u64) as usize];
    let title = format!(
        "{} {} as {} {} report {n} from feed {feed}",
        pick(0),
        pick(1),
        pick(2),
        pick(3)
    );
    NewItem {
        guid: format!("{feed}-{day}-{n}"),
        url: Some(format!("https://feed{feed}.example/{day}/{n}")),
        title: title.clone(),
        author: None,
        published_at: None,
        snippet: format!(
            "{title}. Officials said the {} and the {} would be discussed again on day {day}.",
            pick(4),
            pick(5)
        ),
        body: String::new(),
        lang: None,
        outlet: None,
        image: None,
    }
}

fn main() {
    let feeds = env("HERALD_BENCH_FEEDS", 1000);
    let days = env("HERALD_BENCH_DAYS", 90);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    for retention in [true, false] {
        rt.block_on(run(feeds, days, retention));
    }
}

async fn run(feeds: u64, days: u64, retention: bool) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::defaults();
    config.database.path = dir.path().join("bench.db");
    let store = Store::open(&config.database).await.expect("store");
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 6, 0, 0).unwrap();
    let mut ids = Vec::new();
    for f in 0..feeds {
        let s = store
            .upsert_source(&format!("https://feed{f}.example/rss"), "feed", start)
            .await
            .expect("source");
        store
            .add_guild_source(1 + f % 20, s.id, 1, start)
            .await
            .expect("link");
        ids.push(s.id);
    }
    let began = Instant::now();
    let mut purge_time = 0.0;
    for day in 0..days {
        let now = start + Duration::days(day as i64);
        for (f, id) in ids.iter().enumerate() {
            let batch: Vec<NewItem> = (0..20).map(|n| item(f as u64, day, n)).collect();
            store
                .insert_items(*id, &batch, false, now)
                .await
                .expect("insert");
        }
        if retention {
            let t = Instant::now();
            let r = &config.retention;
            store
                .purge(
                    now - Duration::days(i64::from(r.items_days)),
                    now - Duration::days(i64::from(r.deliveries_days)),
                )
                .await
                .expect("purge");
            store.reclaim(8192).await.expect("reclaim");
            purge_time += t.elapsed().as_secs_f64();
        }
    }
    let fill = began.elapsed().as_secs_f64();
    let now = start + Duration::days(days as i64 - 1);
    let size = store.size_bytes().await.expect("size");

    // /search: the FTS prefilter, then the matcher, over everything stored.
    let query = Query::parse("ceasefire").expect("query");
    let t = Instant::now();
    let mut found = 0;
    for _ in 0..20 {
        let candidates = store
            .search_items(&query.fts_prefilter(), None, 50)
            .await
            .expect("search");
        found = candidates
            .iter()
            .filter(|i| query.matches(&Haystack::new(&i.title, &i.match_text())))
            .count();
    }
    let search_ms = t.elapsed().as_secs_f64() * 1000.0 / 20.0;

    // A server's briefing: its 50 feeds' items of the last day, matched, grouped and summarised.
    let server: Vec<i64> = ids.iter().copied().step_by(20).take(50).collect();
    let t = Instant::now();
    let items = store
        .items_of_sources(&server, Some(now - Duration::hours(24)), 5000)
        .await
        .expect("items");
    let b = build_briefing(&items, &[query], Options::from(&config.brief), now);
    let briefing_ms = t.elapsed().as_secs_f64() * 1000.0;
    println!(
        "retention {}: {days} days × {feeds} feeds × 20 items: filled in {fill:.0} s (retention passes {purge_time:.1} s); \
         database {:.1} MiB; /search {search_ms:.1} ms ({found} hits); briefing read + build {briefing_ms:.0} ms \
         ({} items, {} stories)",
        if retention { "on " } else { "off" },
        size as f64 / 1_048_576.0,
        items.len(),
        b.stories.len()
    );
    store.close().await;
}
