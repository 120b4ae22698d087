//! The `herald` binary as a user runs it: `brief` over files and the fixture server, `summarize` on files and
//! batches, and the errors users see.

use crate::support::{FixtureServer, fixture};
use assert_cmd::Command;

/// `herald` with its database in a temporary folder and private addresses allowed (for 127.0.0.1).
fn herald(dir: &crate::support::TestDir) -> Command {
    let mut cmd = Command::cargo_bin("herald").expect("binary built");
    cmd.env("HERALD_DATABASE__PATH", dir.path().join("herald.db"))
        .env("HERALD_DATABASE__URL", dir.db_url())
        .env("HERALD_FETCH__ALLOW_PRIVATE_ADDRESSES", "true")
        .env_remove("RUST_LOG");
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn brief_from_a_feed_file_with_a_topic() {
    let dir = crate::support::test_dir();
    let out = herald(&dir)
        .args(["brief", "--topic", "UPS OR proxmox", "--feed"])
        .arg(fixture("feeds/atom_mediarss_reddit_1.xml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("topic (UPS OR proxmox)"), "{stdout}");
    assert!(stdout.contains("Proxmox"));
    assert!(stdout.contains("Looking into UPS for server rack"));
    assert!(!stdout.contains("NSX Edge") || stdout.to_lowercase().contains("ups"));
    assert!(!dir.db_url().is_empty() || dir.path().join("herald.db").exists());
}

#[test]
fn one_bad_source_does_not_stop_the_others_and_none_readable_fails() {
    let dir = crate::support::test_dir();
    let out = herald(&dir)
        .args(["brief", "--feed"])
        .arg(fixture("feeds/rss_2.0_invalid_1.xml"))
        .arg("--feed")
        .arg(fixture("feeds/rss_2.0_bbc.xml"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("rss_2.0_invalid_1.xml: not a readable feed"),
        "{stderr}"
    );
    assert_eq!(
        stderr
            .lines()
            .filter(|l| !l.contains("article pages could not be used"))
            .count(),
        1,
        "one line per failing source: {stderr}"
    );
    assert!(text(&out.stdout).contains("1. "));

    let out = herald(&dir)
        .args(["brief", "--feed", "/nonexistent/feed.xml"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("/nonexistent/feed.xml: cannot read file"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing could be read"), "{stderr}");
}

#[test]
fn bad_arguments_are_explained() {
    let dir = crate::support::test_dir();
    let out = herald(&dir)
        .args(["brief", "--topic", "peace \"talks", "--feed", "x.xml"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("never closed (at character 7)"),
        "{}",
        text(&out.stderr)
    );
    let out = herald(&dir)
        .args(["brief", "--since", "yesterday", "--feed", "x.xml"])
        .output()
        .unwrap();
    assert!(
        text(&out.stderr).contains("give a duration such as 24h"),
        "{}",
        text(&out.stderr)
    );
    let out = herald(&dir)
        .env("HERALD_BRIEF__SENTENCES", "7")
        .args(["brief"])
        .output()
        .unwrap();
    assert!(
        text(&out.stderr).contains("sentences must be 1, 2 or 3"),
        "{}",
        text(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn brief_over_http_uses_conditional_get_and_formats() {
    let server = FixtureServer::start().await;
    let dir = crate::support::test_dir();
    let url = server.url("/feed.xml");
    let run = |format: &'static str| {
        let mut cmd = herald(&dir);
        let url = url.clone();
        async move {
            tokio::task::spawn_blocking(move || {
                cmd.args([
                    "brief",
                    "--feed",
                    &url,
                    "--topic",
                    "ukraine ceasefire",
                    "--format",
                    format,
                ])
                .output()
                .unwrap()
            })
            .await
            .unwrap()
        }
    };
    let first = run("json").await;
    assert!(first.status.success(), "{}", text(&first.stderr));
    let json: serde_json::Value = serde_json::from_slice(&first.stdout).expect("valid JSON");
    assert_eq!(json["stories"].as_array().unwrap().len(), 1);
    assert_eq!(json["stories"][0]["source"], "Fixture News");
    assert_eq!(json["stories"][0]["url"], "http://fixture.test/news/1");

    // Second run: the server answers 304, and the stored items still brief.
    let second = run("markdown").await;
    assert!(second.status.success(), "{}", text(&second.stderr));
    let md = text(&second.stdout);
    assert!(
        md.contains(
            "## [Russia and Ukraine hold peace talks in Istanbul](<http://fixture.test/news/1>)"
        ),
        "{md}"
    );
    assert_eq!(
        server
            .hits
            .not_modified
            .load(std::sync::atomic::Ordering::SeqCst),
        1
    );
}

#[test]
fn summarize_a_file_and_a_batch() {
    let dir = crate::support::test_dir();
    // The seed article in three sentences keeps its three key facts: the first direct talks in over three
    // years in Istanbul, Ukraine's conditions, and Putin staying away.
    let out = herald(&dir)
        .args(["summarize", "--sentences", "3"])
        .arg(fixture("articles/istanbul-talks-2025.txt"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    for fact in [
        "first direct peace talks in over three years",
        "30-day ceasefire, the return of abducted Ukrainian children, and a comprehensive exchange of prisoners",
        "Putin declined Volodymyr Zelenskyy's invitation to attend in person",
    ] {
        assert!(summary.contains(fact), "{fact:?} missing from:\n{summary}");
    }
    let sentences = herald::text::split_sentences(&summary);
    assert_eq!(sentences.len(), 3, "{summary}");

    let batch = dir.path().join("in.jsonl");
    std::fs::write(
        &batch,
        "{\"id\": \"a\", \"docs\": [\"One sentence here about talks. Another sentence about talks and peace.\"]}\n\
         {\"id\": 7, \"docs\": [\"Talks began in Istanbul today.\", \"In Istanbul, talks began.\"]}\n",
    )
    .unwrap();
    let out = herald(&dir)
        .args(["summarize", "--words", "5", "--batch"])
        .arg(&batch)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let lines: Vec<serde_json::Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[1]["id"], 7);
    assert!(
        lines[1]["summary"]
            .as_str()
            .unwrap()
            .split_whitespace()
            .count()
            <= 5
    );

    std::fs::write(&batch, "not json\n").unwrap();
    let out = herald(&dir)
        .args(["summarize", "--batch"])
        .arg(&batch)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("in.jsonl:1: not a {\"id\", \"docs\"} line"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn summarize_extracts_an_html_page() {
    let dir = crate::support::test_dir();
    let out = herald(&dir)
        .args(["summarize"])
        .arg(fixture("readability/001/source.html"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).lines().count() >= 2);
}

#[test]
fn migrate_creates_the_database_folder() {
    let dir = crate::support::test_dir();
    let db = dir.path().join("nested/folder/herald.db");
    // The SQLite file's folder (this test is about SQLite, whichever backend the suite runs on).
    let out = herald(&dir)
        .env("HERALD_DATABASE__PATH", &db)
        .env("HERALD_DATABASE__URL", "")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(db.exists());
    assert!(text(&out.stdout).contains("is up to date"));
}

/// Hostile and odd sources from the command line: a UTF-16 feed (once a parser panic), a Latin-1 one named
/// only by HTTP, schemes that are not the web refused by name, a URL the parser normalises fetched as the
/// web address it is, and a password in a URL never echoed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn odd_encodings_and_addresses_brief_or_fail_by_name() {
    let server = FixtureServer::start().await;
    let dir = crate::support::test_dir();
    let run = |args: Vec<String>| {
        let mut cmd = herald(&dir);
        async move {
            tokio::task::spawn_blocking(move || cmd.arg("brief").args(args).output().unwrap())
                .await
                .unwrap()
        }
    };
    let out = run(vec!["--feed".into(), server.url("/utf16.xml")]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Russia and Ukraine hold peace talks in Istanbul"));
    let out = run(vec!["--feed".into(), server.url("/latin1.xml")]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("Crème brûlée ceasefire"),
        "{}",
        text(&out.stdout)
    );

    for (feed, says) in [
        (
            "gopher://example.org/feed",
            "gopher: addresses are not read",
        ),
        ("ftp://example.org/feed.xml", "ftp: addresses are not read"),
    ] {
        let out = run(vec!["--feed".into(), feed.into()]).await;
        assert!(!out.status.success());
        assert!(
            text(&out.stderr).contains(says),
            "{feed}: {}",
            text(&out.stderr)
        );
    }
    // `http:/host/x` is the web address http://host/x, never a path relative to the working directory.
    let sloppy = server.url("/feed.xml").replacen("http://", "http:/", 1);
    let out = run(vec!["--feed".into(), sloppy]).await;
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("Rust compiler gets faster builds"));

    let secret = server
        .url("/missing")
        .replacen("http://", "http://reader:hunter2@", 1);
    let out = run(vec!["--feed".into(), secret]).await;
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("HTTP 404") && !err.contains("hunter2"),
        "{err}"
    );
}

/// A proxy from the environment resolves names itself, past herald's address guard: herald ignores it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proxy_variables_cannot_route_around_the_address_guard() {
    let server = FixtureServer::start().await;
    let dir = crate::support::test_dir();
    let proxy = format!("http://{}", server.addr);
    let target = format!("http://localhost:{}/feed.xml", server.addr.port());
    let mut cmd = herald(&dir);
    cmd.env("HERALD_FETCH__ALLOW_PRIVATE_ADDRESSES", "false");
    for var in ["HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"] {
        cmd.env(var, &proxy);
    }
    cmd.env_remove("NO_PROXY").env_remove("no_proxy");
    let out = tokio::task::spawn_blocking(move || {
        cmd.args(["brief", "--feed", &target]).output().unwrap()
    })
    .await
    .unwrap();
    assert!(!out.status.success(), "{}", text(&out.stdout));
    assert!(
        text(&out.stderr).contains("private or reserved address"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(
        server.hits.feed.load(std::sync::atomic::Ordering::SeqCst),
        0
    );
}

#[test]
fn backup_makes_a_copy_that_opens_and_forget_guild_deletes_a_server() {
    let dir = crate::support::test_dir();
    let out = herald(&dir)
        .args(["brief", "--feed"])
        .arg(fixture("feeds/rss_2.0_bbc.xml"))
        .arg("--no-articles")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let copy = dir.path().join("backup.db");
    let out = herald(&dir).arg("backup").arg(&copy).output().unwrap();
    if !dir.db_url().is_empty() {
        // On PostgreSQL, herald points at pg_dump instead.
        assert!(!out.status.success());
        assert!(
            text(&out.stderr).contains("pg_dump"),
            "{}",
            text(&out.stderr)
        );
        return;
    }
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("to restore, stop herald"));
    // The copy is a database herald opens, with the same items.
    let out = herald(&dir)
        .env("HERALD_DATABASE__PATH", &copy)
        .args(["brief", "--feed"])
        .arg(fixture("feeds/rss_2.0_bbc.xml"))
        .args(["--no-articles", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let again = herald(&dir).arg("backup").arg(&copy).output().unwrap();
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("exists already"));

    let out = herald(&dir)
        .args(["forget-guild", "1234"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains(
            "server 1234: deleted 0 subscriptions, 0 schedules, 0 feeds and 0 deliveries"
        ),
        "{}",
        text(&out.stdout)
    );
}
