//! Ingest at scale: a first poll of 10,000 small RSS feeds (20 items each) served on 127.0.0.1, through the
//! same path as the poller and `herald brief` (`refresh_many`: fetch, parse, store), then a second poll where
//! every feed answers 304. Reports wall time, feeds/s, items/s and peak RSS.
//!
//! `cargo bench --bench ingest` (HERALD_BENCH_FEEDS for a smaller run; with HERALD_TEST_DATABASE_URL, on a
//! fresh PostgreSQL database).

#[path = "../tests/support/mod.rs"]
#[allow(dead_code)] // the bench uses the fixture server helper only
mod support;

use std::time::Instant;

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::Utc;
use herald::config::Config;
use herald::sources::fetch::Fetcher;
use herald::sources::ingest::{Access, Readers, refresh_many};
use herald::sources::search::Searcher;
use herald::store::Store;

/// Feed `n`: 20 items, with an ETag, answering 304 to it.
async fn feed(Path(name): Path<String>, headers: HeaderMap) -> Response {
    let n: u64 = name.trim_end_matches(".xml").parse().unwrap_or(0);
    let etag = format!("\"feed-{n}\"");
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.to_str().is_ok_and(|v| v == etag))
    {
        return StatusCode::NOT_MODIFIED.into_response();
    }
    let mut items = String::new();
    for i in 0..20 {
        items.push_str(&format!(
            "<item><title>Report {i} of feed {n} on the budget talks</title>\
             <link>https://feed{n}.example/{i}</link><guid>f{n}-{i}</guid>\
             <pubDate>Tue, 24 Nov 2026 10:{i:02}:00 GMT</pubDate>\
             <description>Feed {n} item {i}: officials met again to discuss the budget.</description></item>"
        ));
    }
    (
        [
            (header::CONTENT_TYPE, "application/rss+xml".to_owned()),
            (header::ETAG, etag),
        ],
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed {n}</title>\
             <link>https://feed{n}.example/</link>{items}</channel></rss>"
        ),
    )
        .into_response()
}

/// Peak resident memory of this process, in MiB (Linux).
fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn main() {
    let feeds: u64 = std::env::var("HERALD_BENCH_FEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run(feeds));
}

async fn run(feeds: u64) {
    let addr = support::serve(Router::new().route("/feed/{name}", get(feed))).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut config = Config::defaults();
    config.database.path = dir.path().join("bench.db");
    // With HERALD_TEST_DATABASE_URL, on a fresh PostgreSQL database of its own (dropped at the end).
    let scratch = herald::store::scratch::ScratchDb::from_env().expect("scratch database");
    if let Some(pg) = &scratch {
        pg.use_in(&mut config.database);
        println!("on PostgreSQL (a fresh database)");
    }
    config.fetch.allow_private_addresses = true;
    if let Some(n) = std::env::var("HERALD_BENCH_CONCURRENCY")
        .ok()
        .and_then(|v| v.parse().ok())
    {
        config.fetch.concurrency = n;
    }
    let store = Store::open(&config.database).await.expect("store");
    let readers = Readers {
        fetcher: Fetcher::new(&config.fetch).expect("fetcher"),
        search: Searcher::new(&config.search),
    };
    let now = Utc::now();
    let mut sources = Vec::new();
    for n in 0..feeds {
        sources.push(
            store
                .upsert_source(&format!("http://{addr}/feed/{n}.xml"), "feed", now)
                .await
                .expect("source"),
        );
    }
    for (label, expect_new) in [("first poll", true), ("second poll (304s)", false)] {
        let sources = if expect_new {
            sources.clone()
        } else {
            // Reload: the first poll stored each feed's ETag.
            let mut again = Vec::new();
            for s in &sources {
                again.push(
                    store
                        .upsert_source(&s.url, "feed", now)
                        .await
                        .expect("source"),
                );
            }
            again
        };
        let t = Instant::now();
        let results = refresh_many(
            &store,
            &readers,
            sources,
            Access::WebOnly,
            Utc::now(),
            config.fetch.concurrency,
            |_, _| {},
        )
        .await;
        let secs = t.elapsed().as_secs_f64();
        let failed = results.iter().filter(|(_, r)| r.is_err()).count();
        let stored: usize = results
            .iter()
            .filter_map(|(_, r)| r.as_ref().ok())
            .map(|r| r.new_items)
            .sum();
        println!(
            "ingest {label}: {feeds} feeds in {secs:.1} s ({:.0} feeds/s, {:.0} items/s); {stored} new items, \
             {failed} failed; peak RSS {:.0} MiB",
            feeds as f64 / secs,
            stored as f64 / secs,
            peak_rss_mib()
        );
    }
}
