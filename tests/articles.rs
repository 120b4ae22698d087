//! Reading the article behind each item, against a fixture server on 127.0.0.1: pages read and stored once,
//! failures recorded with their reason while the item keeps its feed text, per-host politeness, `herald
//! extract`, and `herald brief` summarising from the articles and grouping reports of one event.

use std::sync::atomic::Ordering;
use std::time::Duration;

use crate::support::{FixtureServer, article_paragraphs, fixture};
use assert_cmd::Command;
use chrono::Utc;
use herald::config::Config;
use herald::sources::articles::{ArticleReader, ReadReport};
use herald::sources::fetch::Fetcher;
use herald::sources::ingest::refresh;
use herald::store::{ArticleCounts, Store};

fn config(dir: &crate::support::TestDir) -> Config {
    let mut c = Config::defaults();
    dir.database(&mut c.database, "herald.db");
    c.fetch.allow_private_addresses = true;
    c.fetch.timeout_secs = 1;
    c.articles.per_host = 2;
    c.articles.host_gap_ms = 40;
    c.articles.min_words = 20;
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_are_read_once_and_failures_keep_the_feed_text() {
    let server = FixtureServer::start().await;
    let dir = crate::support::test_dir();
    let c = config(&dir);
    let store = Store::open(&c.database).await.unwrap();
    let fetcher = Fetcher::new(&c.fetch).unwrap();
    let refreshed = refresh(&store, &fetcher, &server.url("/news.xml"), Utc::now())
        .await
        .unwrap();
    assert_eq!(refreshed.new_items, 10);

    let reader = ArticleReader::new(fetcher.clone(), c.articles.clone());
    let mut seen = Vec::new();
    let report = reader
        .read_unread(&store, None, None, 100, Utc::now(), |url, r| {
            seen.push((url.to_owned(), r.clone()))
        })
        .await
        .unwrap();
    assert_eq!(
        report,
        ReadReport {
            read: 6,
            failed: 4,
            left: 0
        },
        "{seen:?}"
    );
    assert_eq!(
        store.article_counts().await.unwrap(),
        ArticleCounts { read: 6, failed: 4 }
    );
    for (page, reason) in [
        ("forbidden", "HTTP 403"),
        ("slow", "timed out"),
        ("pdf", "not an HTML page (application/pdf)"),
        ("stub", "words (a paywall or a stub?)"),
    ] {
        let why = store
            .article_error(&server.url(&format!("/articles/{page}")))
            .await
            .unwrap()
            .unwrap_or_default();
        assert!(why.contains(reason), "{page}: {why}");
    }

    // Politeness: never more than two at once from one host, and the starts spaced by the gap.
    assert!(server.hits.pages_max_in_flight.load(Ordering::SeqCst) <= 2);
    let mut starts = server.hits.page_starts.lock().unwrap().clone();
    starts.sort();
    for pair in starts.windows(2) {
        assert!(
            pair[1] - pair[0] >= Duration::from_millis(35),
            "{:?}",
            pair[1] - pair[0]
        );
    }

    // Items carry their article; failed ones keep the feed's teaser only.
    let items = store
        .items_of_sources(&[refreshed.source.id], None, 100)
        .await
        .unwrap();
    let a1 = items.iter().find(|i| i.guid == "a1").unwrap();
    assert_eq!(a1.article, article_paragraphs("a", 1).join("\n"));
    assert_eq!(a1.full_text(), a1.article);
    assert_eq!(
        a1.canonical_url.as_deref(),
        Some(server.url("/articles/story-a-1.html").as_str())
    );
    let stub = items.iter().find(|i| i.guid == "stub").unwrap();
    assert!(stub.article.is_empty());
    assert_eq!(stub.full_text(), "Teaser: Museum reopens.");

    // Topics and /search match an article's lead as well as the headline and teaser ("Dolmabahce" is only in
    // event a's articles).
    let q = herald::query::Query::parse("Dolmabahce").unwrap();
    let found = store
        .search_items(&q.fts_prefilter(), None, 50)
        .await
        .unwrap();
    let mut guids: Vec<String> = found
        .iter()
        .filter(|i| q.matches(&herald::query::Haystack::new(&i.title, &i.match_text())))
        .map(|i| i.guid.clone())
        .collect();
    guids.sort();
    assert_eq!(guids, ["a1", "a2", "a3"]);

    // One fetch per URL, ever: a second round, and a concurrent pair of rounds, fetch nothing.
    let again = reader
        .read_unread(&store, None, None, 100, Utc::now(), |_, _| {})
        .await
        .unwrap();
    assert_eq!(again, ReadReport::default());
    let pages = server.hits.pages.lock().unwrap().clone();
    assert!(pages.values().all(|&n| n == 1), "{pages:?}");
    assert_eq!(pages.len(), 10);
    store.close().await;
}

/// A store holding the fixture server's /news.xml items, and a reader under `c`.
async fn news_stored(server: &FixtureServer, c: &Config) -> (Store, ArticleReader) {
    let store = Store::open(&c.database).await.unwrap();
    let fetcher = Fetcher::new(&c.fetch).unwrap();
    refresh(&store, &fetcher, &server.url("/news.xml"), Utc::now())
        .await
        .unwrap();
    (store, ArticleReader::new(fetcher, c.articles.clone()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_readers_at_once_fetch_each_page_once() {
    let server = FixtureServer::start().await;
    let dir = crate::support::test_dir();
    let mut c = config(&dir);
    c.articles.host_gap_ms = 0;
    let (store, reader) = news_stored(&server, &c).await;
    let (a, b) = tokio::join!(
        reader.read_unread(&store, None, None, 100, Utc::now(), |_, _| {}),
        reader.read_unread(&store, None, None, 100, Utc::now(), |_, _| {}),
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!(a.read + b.read, 6);
    assert_eq!(a.failed + b.failed, 4);
    let pages = server.hits.pages.lock().unwrap().clone();
    assert!(pages.values().all(|&n| n == 1), "{pages:?}");
    store.close().await;
}

#[tokio::test]
async fn switched_off_reads_nothing() {
    let server = FixtureServer::start().await;
    let dir = crate::support::test_dir();
    let mut c = config(&dir);
    c.articles.enabled = false;
    let (store, reader) = news_stored(&server, &c).await;
    let r = reader
        .read_unread(&store, None, None, 100, Utc::now(), |_, _| {})
        .await
        .unwrap();
    assert_eq!(r, ReadReport::default());
    assert!(server.hits.pages.lock().unwrap().is_empty());
    store.close().await;
}

fn herald(dir: &crate::support::TestDir) -> Command {
    let mut cmd = Command::cargo_bin("herald").expect("binary built");
    cmd.env("HERALD_DATABASE__PATH", dir.path().join("herald.db"))
        .env("HERALD_DATABASE__URL", dir.db_url())
        .env("HERALD_FETCH__ALLOW_PRIVATE_ADDRESSES", "true")
        .env("HERALD_FETCH__TIMEOUT_SECS", "1")
        .env("HERALD_ARTICLES__MIN_WORDS", "20")
        .env_remove("RUST_LOG");
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn brief_reads_the_articles_groups_each_event_once_and_says_what_failed() {
    let server = FixtureServer::start().await;
    let dir = crate::support::test_dir();
    let url = server.url("/news.xml");
    let out = tokio::task::spawn_blocking(move || {
        herald(&dir)
            .args(["brief", "--format", "json", "--words", "40", "--feed", &url])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("4 of 10 article pages could not be used")
            && stderr.contains("HTTP 403 ×1"),
        "{stderr}"
    );
    let b: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stories = b["stories"].as_array().unwrap();
    let sizes: Vec<usize> = stories
        .iter()
        .map(|s| 1 + s["also"].as_array().map_or(0, Vec::len))
        .collect();
    // Event a's three reports, event b's three, and the four pages that failed, each alone.
    let mut sorted = sizes.clone();
    sorted.sort();
    assert_eq!(sorted, [1, 1, 1, 1, 3, 3], "{b:#}");
    for s in stories
        .iter()
        .filter(|s| !s["also"].as_array().unwrap().is_empty())
    {
        let summary = s["summary"].as_array().unwrap();
        let text: Vec<&str> = summary.iter().filter_map(|x| x.as_str()).collect();
        let words = text.join(" ").split_whitespace().count();
        assert!((30..=40).contains(&words), "{words}: {text:?}");
        assert!(
            !text.join(" ").contains("Teaser"),
            "summarised from the article: {text:?}"
        );
    }
    assert_eq!(b["stories_left_out"], 0);
}

/// `herald brief` over many feeds reads a budget of pages, the newest items first, not every page of every
/// feed; a later run reads the next ones, never a page that failed before.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn brief_reads_article_pages_on_a_budget() {
    let server = FixtureServer::start().await;
    let dir = crate::support::test_dir();
    let url = server.url("/news.xml");
    let run = |dir: &crate::support::TestDir| {
        let mut cmd = herald(dir);
        cmd.env("HERALD_ARTICLES__MAX_PER_RUN", "3")
            .args(["brief", "--format", "json", "--feed", &url]);
        async move {
            tokio::task::spawn_blocking(move || cmd.output().unwrap())
                .await
                .unwrap()
        }
    };
    let pages =
        |server: &FixtureServer| -> usize { server.hits.pages.lock().unwrap().values().sum() };
    let out = run(&dir).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(pages(&server), 3, "three pages of ten");
    let out = run(&dir).await;
    assert!(out.status.success());
    assert_eq!(pages(&server), 6, "the next three, none twice");
    let each: Vec<usize> = server
        .hits
        .pages
        .lock()
        .unwrap()
        .values()
        .copied()
        .collect();
    assert!(each.iter().all(|n| *n == 1), "{each:?}");
}

/// A host whose name does not resolve is asked once: its other pages fail at once with the same reason, and
/// are stored as failed (asked again only when the retry of a passing failure is due).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_that_does_not_resolve_is_asked_once() {
    let dir = crate::support::test_dir();
    let mut config = herald::config::Config::defaults();
    dir.database(&mut config.database, "h.db");
    let store = herald::store::Store::open(&config.database).await.unwrap();
    let reader = herald::sources::articles::ArticleReader::new(
        herald::sources::fetch::Fetcher::new(&config.fetch).unwrap(),
        config.articles.clone(),
    );
    let urls: Vec<String> = ["a", "b", "c"]
        .iter()
        .map(|p| format!("https://no-such-host.invalid/{p}"))
        .collect();
    assert!(reader.skipped_host(&urls[0]).is_none());
    let mut reasons = Vec::new();
    let report = reader
        .read(&store, vec![urls[0].clone()], chrono::Utc::now(), |_, r| {
            reasons.push(r.clone())
        })
        .await;
    assert_eq!(report.failed, 1);
    let why = reader
        .skipped_host(&urls[1])
        .expect("the host is remembered");
    assert!(why.contains("no-such-host.invalid was not found"), "{why}");
    let report = reader
        .read(&store, urls[1..].to_vec(), chrono::Utc::now(), |_, r| {
            reasons.push(r.clone())
        })
        .await;
    assert_eq!(report.failed, 2);
    assert!(
        reasons
            .iter()
            .all(|r| r.as_ref().unwrap_err().to_string() == why),
        "{reasons:?}"
    );
    // Failed pages are not unread any more: a later run does not try them again (until a passing failure's
    // retry is due; see store::articles' test).
    assert!(
        store
            .unread_article_urls(None, None, 10, chrono::Utc::now(), None)
            .await
            .unwrap()
            .is_empty()
    );
}

/// An empty store, and a reader under `c`.
async fn empty_store(c: &Config) -> (Store, ArticleReader) {
    let store = Store::open(&c.database).await.unwrap();
    (
        store,
        ArticleReader::new(Fetcher::new(&c.fetch).unwrap(), c.articles.clone()),
    )
}

/// Pages of one host whose name does not resolve, read at once: those waiting for the host when its name
/// failed are not asked either, so the one host counts once toward giving up, and no page is left unread.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_waiting_on_a_host_whose_name_failed_are_not_asked() {
    let dir = crate::support::test_dir();
    let (store, reader) = empty_store(&config(&dir)).await;
    let urls: Vec<String> = (0..30)
        .map(|n| format!("https://no-such-host.invalid/story/{n}"))
        .collect();
    let report = reader.read(&store, urls, Utc::now(), |_, _| {}).await;
    assert_eq!((report.read, report.failed, report.left), (0, 30, 0));
}

/// When host after host cannot be reached (here: 60 pages on 60 loopback addresses where nothing listens),
/// a read stops asking after `GIVE_UP_AFTER` in a row: the hosts asked are recorded as failed, the pages not
/// asked are left unread (nothing stored) for another time, and each says so to the caller.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_stops_asking_when_host_after_host_cannot_be_reached() {
    use herald::sources::articles::{GIVE_UP_AFTER, PageError};
    let dir = crate::support::test_dir();
    let c = config(&dir);
    let (store, reader) = empty_store(&c).await;
    let port = {
        let free = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        free.local_addr().unwrap().port()
    };
    let urls: Vec<String> = (2..62)
        .map(|n| format!("http://127.0.0.{n}:{port}/story"))
        .collect();
    let mut seen = Vec::new();
    let report = reader
        .read(&store, urls.clone(), Utc::now(), |url, r| {
            seen.push((url.to_owned(), r.clone()))
        })
        .await;
    assert_eq!(report.read, 0, "{seen:?}");
    // The hosts asked: those until the count was reached, and the others already being asked then.
    let asked_at_most = GIVE_UP_AFTER + c.articles.concurrency - 1;
    assert!(
        (GIVE_UP_AFTER..=asked_at_most).contains(&report.failed),
        "{report:?}"
    );
    assert_eq!(report.failed + report.left, urls.len());
    assert_eq!(seen.len(), urls.len());
    for (url, outcome) in &seen {
        let settled = store.article_settled(url, Utc::now()).await.unwrap();
        match outcome {
            Err(PageError::Unused(_)) => {
                assert!(settled, "a host asked is recorded: {url}")
            }
            Err(PageError::Left) => assert!(!settled, "a page left is not recorded: {url}"),
            other => panic!("{url}: {other:?}"),
        }
    }
    // Another read asks again: the pages left were not given up on.
    let left: Vec<String> = seen
        .iter()
        .filter(|(_, r)| matches!(r, Err(PageError::Left)))
        .map(|(u, _)| u.clone())
        .collect();
    let again = reader
        .read(&store, left[..3].to_vec(), Utc::now(), |_, _| {})
        .await;
    assert_eq!((again.failed, again.left), (3, 0));
}

#[test]
fn extract_prints_the_article_or_its_metadata() {
    let dir = crate::support::test_dir();
    let page = fixture("readability/001/source.html");
    let out = herald(&dir).arg("extract").arg(&page).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("So finally you're testing your frontend JavaScript code?"),
        "{text}"
    );
    assert!(!text.contains("<p>"));

    let out = herald(&dir)
        .arg("extract")
        .arg(&page)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for key in [
        "title",
        "author",
        "site_name",
        "published",
        "language",
        "canonical_url",
        "image",
        "text",
    ] {
        assert!(json.get(key).is_some(), "{key}: {json}");
    }
    assert!(
        json["title"]
            .as_str()
            .unwrap()
            .contains("Get your Frontend JavaScript Code Covered")
    );

    let empty = dir.path().join("empty.html");
    std::fs::write(
        &empty,
        "<html><head><title>x</title></head><body></body></html>",
    )
    .unwrap();
    let out = herald(&dir).arg("extract").arg(&empty).output().unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no readable article found"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caller_that_stops_waiting_leaves_the_page_to_its_task() {
    let server = FixtureServer::start().await;
    let dir = crate::support::test_dir();
    let c = config(&dir);
    let (store, reader) = news_stored(&server, &c).await;
    let slow = vec![server.url("/articles/slow")];
    // Like /briefing past its wait: the read is dropped while the page is still being fetched.
    let gave_up = tokio::time::timeout(
        Duration::from_millis(200),
        reader.read(&store, slow.clone(), Utc::now(), |_, _| {}),
    )
    .await;
    assert!(gave_up.is_err());
    // The page is still claimed by its task, so another reader does not fetch it again…
    let other = reader
        .read(&store, slow.clone(), Utc::now(), |_, _| {})
        .await;
    assert_eq!(other, ReadReport::default());
    // …and the task still records the outcome (the fetch times out after 1 s).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let why = store
        .article_error(&slow[0])
        .await
        .unwrap()
        .unwrap_or_default();
    assert!(why.contains("timed out"), "{why}");
    assert_eq!(server.hits.pages.lock().unwrap().get("slow"), Some(&1));
    store.close().await;
}
