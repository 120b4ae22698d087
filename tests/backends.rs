//! The two storage backends side by side: the same schema, the same search results, and `herald migrate --to`
//! moving an SQLite database with every table populated into PostgreSQL. These need a PostgreSQL server
//! (`HERALD_TEST_DATABASE_URL`); without one they say so on the terminal and pass.

use std::io::Write;

use assert_cmd::Command;
use chrono::{Duration, Utc};
use herald::config::Config;
use herald::item::{Article, NewItem};
use herald::store::scratch::{ScratchDb, TEST_DATABASE_ENV};
use herald::store::{ChannelSettingsRow, Claim, GuildSearch, NewSubscription, Store};

/// A PostgreSQL database for this test, or `None` after saying on the terminal (not the captured output)
/// that the PostgreSQL part was skipped.
fn postgres_or_skip(test: &str) -> Option<ScratchDb> {
    let db = ScratchDb::from_env().expect("test database");
    if db.is_none() {
        let _ = writeln!(
            std::io::stderr().lock(),
            "\nSKIPPED (no PostgreSQL): {test} — set {TEST_DATABASE_ENV}=postgres://postgres@127.0.0.1:5432/test \
             to run it and the whole suite on PostgreSQL"
        );
    }
    db
}

async fn sqlite_store(dir: &tempfile::TempDir) -> Store {
    let mut c = Config::defaults().database;
    c.path = dir.path().join("herald.db");
    Store::open(&c).await.expect("sqlite store")
}

async fn postgres_store(db: &ScratchDb) -> Store {
    let mut c = Config::defaults().database;
    db.use_in(&mut c);
    Store::open(&c).await.expect("postgres store")
}

/// Says plainly, once per `cargo test`, which backend the suite ran on.
#[test]
fn the_suite_says_which_backend_it_ran_on() {
    let on = std::env::var(TEST_DATABASE_ENV).unwrap_or_default();
    let line = if on.trim().is_empty() {
        format!(
            "\nherald tests ran on SQLite only; the PostgreSQL suite was SKIPPED. Set {TEST_DATABASE_ENV} \
             (e.g. postgres://postgres@127.0.0.1:5432/test) to run every test on PostgreSQL too (.ci/run does)."
        )
    } else {
        "\nherald tests ran on PostgreSQL (each test in a database of its own).".to_owned()
    };
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

#[tokio::test]
async fn both_schemas_expose_the_same_tables_and_columns() {
    let Some(pg) = postgres_or_skip("both_schemas_expose_the_same_tables_and_columns") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sqlite = sqlite_store(&dir).await.schema().await.unwrap();
    let postgres = postgres_store(&pg).await.schema().await.unwrap();
    assert_eq!(
        sqlite, postgres,
        "migrations/sqlite and migrations/postgres differ"
    );
    for table in herald::store::TABLES {
        assert!(sqlite.contains_key(*table), "{table} missing");
    }
    for table in herald::store::STATE_TABLES {
        assert!(sqlite.contains_key(*table), "{table} missing");
    }
    assert_eq!(
        sqlite.len(),
        herald::store::TABLES.len() + herald::store::STATE_TABLES.len(),
        "{:?}",
        sqlite.keys()
    );
}

fn item(guid: &str, title: &str, body: &str) -> NewItem {
    NewItem {
        guid: guid.into(),
        url: Some(format!("https://news.example/{guid}")),
        title: title.into(),
        author: None,
        published_at: Some(Utc::now() - Duration::hours(1)),
        snippet: String::new(),
        body: body.into(),
        lang: None,
        outlet: None,
        image: None,
    }
}

#[tokio::test]
async fn search_finds_the_same_items_on_both_backends() {
    let Some(pg) = postgres_or_skip("search_finds_the_same_items_on_both_backends") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let stores = [sqlite_store(&dir).await, postgres_store(&pg).await];
    let items = [
        item(
            "1",
            "Ceasefire talks resume in Geneva",
            "Negotiators met on Tuesday.",
        ),
        item(
            "2",
            "Перемирие: переговоры в Женеве",
            "Делегации встретились во вторник.",
        ),
        item(
            "3",
            "Café owners protest new rules",
            "Zürich's cafés closed early.",
        ),
        item(
            "4",
            "COVID-19 cases fall 3.5% week-on-week",
            "Data from who.int show a drop.",
        ),
        item(
            "5",
            "Rust 1.85 released",
            "The compiler's 2024 edition is stable.",
        ),
        item(
            "6",
            "Happy drivers: fuel prices drop",
            "Prices dropped for the third week.",
        ),
        item(
            "7",
            "Unrelated cooking story",
            "A recipe for soup, not ceasefires.",
        ),
    ];
    let now = Utc::now();
    for store in &stores {
        let s = store
            .upsert_source("https://news.example/feed", "feed", now)
            .await
            .unwrap();
        store.insert_items(s.id, &items, false, now).await.unwrap();
    }
    let queries = [
        "ceasefire",
        "ceasefire talks",
        "\"ceasefire talks\"",
        "переговоры",
        "женеве OR geneva",
        "cafe",
        "zurich",
        "covid 19",
        "3 5",
        "who int",
        "rust OR compiler",
        "happy drop",
        "drivers -cooking",
        "soup OR перемирие",
        "nothingmatches",
    ];
    for text in queries {
        let q = herald::query::Query::parse(text).unwrap();
        let fts = q.fts_prefilter();
        let mut found = Vec::new();
        for store in &stores {
            let mut guids: Vec<String> = store
                .search_items(&fts, None, 50)
                .await
                .unwrap()
                .into_iter()
                .map(|i| i.guid)
                .collect();
            guids.sort();
            found.push(guids);
        }
        assert_eq!(found[0], found[1], "{text:?} ({fts}): SQLite vs PostgreSQL");
        if text != "nothingmatches" {
            assert!(!found[0].is_empty(), "{text:?} finds something");
        }
    }
}

/// An SQLite database with a row in every table, made through the store as herald makes them.
async fn populate(store: &Store) {
    let now = Utc::now();
    let feed = store
        .upsert_source("https://a.example/feed", "feed", now)
        .await
        .unwrap();
    let search = store
        .upsert_source("https://search.example/?q=x", "bing", now)
        .await
        .unwrap();
    let items: Vec<NewItem> = (0..700)
        .map(|i| {
            item(
                &format!("g{i}"),
                &format!("Story {i} ceasefire"),
                "Body text. It's 'quoted' \\ ok",
            )
        })
        .collect();
    store
        .insert_items(feed.id, &items, false, now)
        .await
        .unwrap();
    // The same article from the search: linked, not stored twice.
    store
        .insert_items(search.id, &items[..3], false, now)
        .await
        .unwrap();
    store.add_guild_source(1, feed.id, 5, now).await.unwrap();
    let sub = store
        .subscribe(
            &NewSubscription {
                guild_id: 1,
                channel_id: 10,
                query: "ceasefire",
                query_norm: "ceasefire",
                created_by: 5,
            },
            25,
            now,
        )
        .await
        .unwrap();
    store
        .set_subscription_searches(sub.id, &[search.id])
        .await
        .unwrap();
    store
        .set_schedule(
            1,
            10,
            "08:00",
            "Europe/Kyiv",
            Some(now + Duration::hours(1)),
            5,
            now,
        )
        .await
        .unwrap();
    let ids: Vec<i64> = store
        .items_of_sources(&[feed.id], None, 5)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    let claimed = store
        .claim_delivery(
            &Claim {
                channel_id: 10,
                guild_id: 1,
                due_at: now,
                payload: "{\"stories\": []}",
                item_ids: &ids,
                empty: false,
                expected_next_run: now + Duration::hours(1),
                next_run_at: Some(now + Duration::hours(25)),
                lease_until: chrono::Utc::now(),
                owner: "test",
                tellings: &[herald::store::Telling {
                    story_id: None,
                    headline: "Story 0".into(),
                    item_ids: ids.clone(),
                    sentences: vec!["Story 0 in one sentence.".into()],
                }],
            },
            now,
        )
        .await
        .unwrap();
    assert!(claimed.is_some());
    let article = Article {
        title: "Story 0".into(),
        byline: Some("A. Writer".into()),
        site_name: None,
        published: None,
        language: Some("en".into()),
        canonical_url: None,
        image: None,
        text: "The full article text.".into(),
    };
    store
        .save_article("https://news.example/g0", Ok(&article), now)
        .await
        .unwrap();
    store
        .save_article(
            "https://news.example/g1",
            Err(herald::store::PageFailure::lasting("403 Forbidden")),
            now,
        )
        .await
        .unwrap();
    store
        .set_guild_search(
            1,
            &GuildSearch {
                providers: Some("bing".into()),
                language: Some("uk".into()),
                country: Some("UA".into()),
            },
            5,
            now,
        )
        .await
        .unwrap();
    store
        .set_channel_settings(
            1,
            10,
            &ChannelSettingsRow {
                style: herald::store::Style::Llm,
                language: Some("uk".into()),
                ping_role: Some(77),
                ..ChannelSettingsRow::default()
            },
            5,
            now,
        )
        .await
        .unwrap();
    store
        .llm_cache_put("k1", "A summary [1].", 120, now)
        .await
        .unwrap();
    store.add_llm_tokens("2026-11-25", 1, 120).await.unwrap();
    store.guild_left(2, now).await.unwrap();
}

#[tokio::test]
async fn migrate_to_postgres_copies_every_table() {
    let Some(pg) = postgres_or_skip("migrate_to_postgres_copies_every_table") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sqlite = sqlite_store(&dir).await;
    populate(&sqlite).await;
    let before = sqlite.table_counts().await.unwrap();
    for (table, n) in &before {
        assert!(*n > 0, "{table} is populated before the copy");
    }
    sqlite.close().await;
    let run = |to: &str| {
        Command::cargo_bin("herald")
            .expect("binary built")
            .env("HERALD_DATABASE__PATH", dir.path().join("herald.db"))
            .env_remove("HERALD_DATABASE__URL")
            .args(["migrate", "--to", to])
            .output()
            .expect("runs")
    };
    let out = run(pg.url());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("copied"), "{stdout}");
    let postgres = postgres_store(&pg).await;
    assert_eq!(postgres.table_counts().await.unwrap(), before);
    // The copy works as a database: search, the ledger, new ids past the copied ones.
    let found = postgres
        .search_items("\"ceasefir\"*", None, 1000)
        .await
        .unwrap();
    assert_eq!(found.len(), 700);
    assert_eq!(postgres.channel_deliveries(10).await.unwrap().len(), 1);
    let next = postgres
        .upsert_source("https://b.example/feed", "feed", Utc::now())
        .await
        .unwrap();
    assert!(
        next.id > 2,
        "identity moved past the copied ids: {}",
        next.id
    );
    // A second copy into the now-full database is refused, and says why.
    let again = run(pg.url());
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("empty database"));
}
