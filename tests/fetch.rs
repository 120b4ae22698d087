//! The fetch path against a fixture server on 127.0.0.1: conditional GET, gzip, body cap, redirects, timeouts,
//! the private-address guard, and a full refresh into the store.

use std::sync::atomic::Ordering;

use crate::support::FixtureServer;
use chrono::Utc;
use herald::config::{Config, FetchConfig};
use herald::sources::fetch::{FetchError, Fetched, Fetcher, Validators};
use herald::sources::ingest::{IngestError, Readers, refresh};
use herald::sources::search::Searcher;
use herald::store::Store;

fn fetch_config(allow_private: bool) -> FetchConfig {
    let mut c = Config::defaults().fetch;
    c.allow_private_addresses = allow_private;
    c.max_body_bytes = 1024 * 1024;
    c.timeout_secs = 1;
    c
}

#[tokio::test]
async fn conditional_get_returns_not_modified() {
    let server = FixtureServer::start().await;
    let fetcher = Fetcher::new(&fetch_config(true)).unwrap();
    let Fetched::Body {
        validators, body, ..
    } = fetcher
        .get(&server.url("/feed.xml"), &Validators::default())
        .await
        .unwrap()
    else {
        panic!("expected a body");
    };
    assert_eq!(validators.etag.as_deref(), Some("\"v1\""));
    assert_eq!(body, crate::support::FEED.as_bytes());
    let again = fetcher
        .get(&server.url("/feed.xml"), &validators)
        .await
        .unwrap();
    assert_eq!(again, Fetched::NotModified);
}

#[tokio::test]
async fn gzip_is_decoded() {
    let server = FixtureServer::start().await;
    let fetcher = Fetcher::new(&fetch_config(true)).unwrap();
    let Fetched::Body { body, .. } = fetcher
        .get(&server.url("/gz.xml"), &Validators::default())
        .await
        .unwrap()
    else {
        panic!("expected a body");
    };
    assert_eq!(body, crate::support::FEED.as_bytes());
}

#[tokio::test]
async fn body_cap_holds_plain_and_after_decompression() {
    let server = FixtureServer::start().await;
    let fetcher = Fetcher::new(&fetch_config(true)).unwrap();
    for path in ["/big", "/bomb"] {
        let err = fetcher
            .get(&server.url(path), &Validators::default())
            .await
            .unwrap_err();
        assert!(
            matches!(err, FetchError::TooLarge(1_048_576)),
            "{path}: {err}"
        );
    }
}

#[tokio::test]
async fn redirects_followed_up_to_the_limit() {
    let server = FixtureServer::start().await;
    let fetcher = Fetcher::new(&fetch_config(true)).unwrap();
    // /redirect/N answers N+1 redirects.
    let ok = fetcher
        .get(&server.url("/redirect/4"), &Validators::default())
        .await
        .unwrap();
    assert!(matches!(ok, Fetched::Body { ref url, .. } if url.path() == "/feed.xml"));
    let err = fetcher
        .get(&server.url("/redirect/5"), &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::TooManyRedirects(5)), "{err}");
}

#[tokio::test]
async fn slow_server_times_out() {
    let server = FixtureServer::start().await;
    let fetcher = Fetcher::new(&fetch_config(true)).unwrap();
    let started = std::time::Instant::now();
    let err = fetcher
        .get(&server.url("/slow"), &Validators::default())
        .await
        .unwrap_err();
    assert!(matches!(err, FetchError::Timeout), "{err}");
    assert!(started.elapsed().as_secs() < 5);
}

#[tokio::test]
async fn private_addresses_refused_unless_allowed() {
    let server = FixtureServer::start().await;
    let guarded = Fetcher::new(&fetch_config(false)).unwrap();
    let err = guarded
        .get(&server.url("/feed.xml"), &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::Blocked { .. }),
        "literal IP: {err}"
    );
    // A name goes through the resolver, which checks what it resolves to.
    let by_name = format!("http://localhost:{}/feed.xml", server.addr.port());
    let err = guarded
        .get(&by_name, &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(err, FetchError::Blocked { .. }),
        "localhost: {err}"
    );
    assert!(err.to_string().contains("private or reserved"));
    assert_eq!(
        server.hits.feed.load(Ordering::SeqCst),
        0,
        "no request reached the server"
    );
    for bad in ["ftp://example.org/feed", "not a url"] {
        assert!(guarded.get(bad, &Validators::default()).await.is_err());
    }
}

#[tokio::test]
async fn refresh_stores_once_and_304_costs_no_write() {
    let server = FixtureServer::start().await;
    let dir = crate::support::test_dir();
    let mut db = Config::defaults().database;
    dir.database(&mut db, "h.db");
    let store = Store::open(&db).await.unwrap();
    let fetcher = Fetcher::new(&fetch_config(true)).unwrap();
    let url = server.url("/feed.xml");

    let first = refresh(&store, &fetcher, &url, Utc::now()).await.unwrap();
    assert_eq!(
        (first.new_items, first.feed_items, first.not_modified),
        (2, 2, false)
    );
    let second = refresh(&store, &fetcher, &url, Utc::now()).await.unwrap();
    assert!(second.not_modified);
    assert_eq!(server.hits.not_modified.load(Ordering::SeqCst), 1);

    let items = store
        .items_of_sources(&[first.source.id], None, 10)
        .await
        .unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].source_name, "Fixture News");
    assert_eq!(
        items[0].url.as_deref(),
        Some("http://fixture.test/news/1"),
        "relative link resolved"
    );

    let err = refresh(&store, &fetcher, &server.url("/page.html"), Utc::now())
        .await
        .unwrap_err();
    assert!(matches!(err, IngestError::Feed(_)), "{err}");
    let err = refresh(&store, &fetcher, &server.url("/missing"), Utc::now())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("HTTP 404"), "{err}");
    let failed = store
        .upsert_source(&server.url("/missing"), "feed", Utc::now())
        .await
        .unwrap();
    assert_eq!(failed.fail_count, 1);
    assert!(failed.last_error.unwrap().contains("404"));
}

#[tokio::test]
async fn poller_fetches_each_url_once_honours_etag_and_backs_off_failures() {
    use herald::clock::{Clock, ManualClock};
    use herald::sources::poller::Poller;
    use std::sync::Arc;
    let server = FixtureServer::start().await;
    let dir = crate::support::test_dir();
    let mut config = Config::defaults();
    dir.database(&mut config.database, "h.db");
    config.poll.tick_ms = 15 * 60 * 1000; // one tick per interval: its share is every source
    let store = Store::open(&config.database).await.unwrap();
    // Whole seconds, as the store keeps them.
    let start = chrono::DateTime::from_timestamp(Utc::now().timestamp(), 0).unwrap();
    let clock = Arc::new(ManualClock::new(start));
    let good = store
        .upsert_source(&server.url("/feed.xml"), "feed", start)
        .await
        .unwrap();
    let bad = store
        .upsert_source(&server.url("/missing"), "feed", start)
        .await
        .unwrap();
    let unused = store
        .upsert_source(&server.url("/gz.xml"), "feed", start)
        .await
        .unwrap();
    // Three servers read the good feed, one the failing one; nobody reads the third.
    for guild in [1, 2, 3] {
        store
            .add_guild_source(guild, good.id, 9, start)
            .await
            .unwrap();
    }
    store.add_guild_source(1, bad.id, 9, start).await.unwrap();
    let poller = Poller::new(
        store.clone(),
        Readers {
            fetcher: Fetcher::new(&fetch_config(true)).unwrap(),
            search: Searcher::new(&config.search),
        },
        clock.clone(),
        config.poll.clone(),
        4,
    );

    let r = poller.tick().await.unwrap();
    assert_eq!((r.fetched, r.failed, r.new_items), (1, 1, 2));
    assert_eq!(
        server.hits.feed.load(Ordering::SeqCst),
        1,
        "one fetch per URL however many servers read it"
    );
    let r = poller.tick().await.unwrap();
    assert_eq!((r.fetched, r.failed), (0, 0), "nothing due again yet");

    // An interval later the good feed answers 304; the failing one is due again only after its backoff.
    let mut waits = Vec::new();
    for _ in 0..4 {
        let s = store
            .due_sources(clock.now() + chrono::Duration::days(1), 10)
            .await
            .unwrap();
        let failing = s.iter().find(|s| s.id == bad.id).unwrap();
        waits.push((failing.next_fetch_at.unwrap() - clock.now()).num_minutes());
        clock.set(failing.next_fetch_at.unwrap());
        poller.tick().await.unwrap();
    }
    assert_eq!(waits, [15, 30, 60, 120], "exponential backoff");
    assert!(
        server.hits.not_modified.load(Ordering::SeqCst) >= 1,
        "ETag honoured"
    );
    let failing = store.upsert_source(&bad.url, "feed", start).await.unwrap();
    assert_eq!(failing.fail_count, 5);
    assert!(
        failing.last_error.unwrap().contains("HTTP 404"),
        "the error is kept for /sources list"
    );
    let untouched = store
        .upsert_source(&unused.url, "feed", start)
        .await
        .unwrap();
    assert!(untouched.last_ok_at.is_none() && untouched.last_error.is_none());

    // What the good feed held at its first fetch is backlog: never pushed by the scheduler.
    assert!(
        store
            .fresh_items_for_channel(1, 77, start - chrono::Duration::days(1), 10)
            .await
            .unwrap()
            .is_empty()
    );
}

/// The poller and `/briefing` refresh stored sources; a stored source that is not a web address (a path the
/// CLI stored, or anything else) is refused, never read from disk.
#[tokio::test]
async fn stored_sources_are_only_ever_fetched_from_the_web() {
    let dir = crate::support::test_dir();
    let mut db = Config::defaults().database;
    dir.database(&mut db, "h.db");
    let store = Store::open(&db).await.unwrap();
    let fetcher = Fetcher::new(&fetch_config(true)).unwrap();
    let local = crate::support::fixture("feeds/rss_2.0_bbc.xml");
    for stored in [
        local.display().to_string(),
        format!("file://{}", local.display()),
    ] {
        let source = store
            .upsert_source(&stored, "feed", Utc::now())
            .await
            .unwrap();
        let err = herald::sources::ingest::refresh_source(&store, &fetcher, &source, Utc::now())
            .await
            .unwrap_err();
        assert!(matches!(err, IngestError::NotWeb { .. }), "{stored}: {err}");
        assert!(
            store
                .items_of_sources(&[source.id], None, 10)
                .await
                .unwrap()
                .is_empty(),
            "{stored} was read"
        );
    }
    // Through `refresh` (what `/sources add` calls) too, and a sloppy URL is stored normalised.
    let err = refresh(&store, &fetcher, local.to_str().unwrap(), Utc::now())
        .await
        .unwrap_err();
    assert!(matches!(err, IngestError::NotWeb { .. }), "{err}");
}
