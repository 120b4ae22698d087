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

    // Served as charset=utf-8 though the bytes are ISO-8859-1 or windows-1251: the declaration, then a sniff.
    for (path, title) in [
        (
            "/mislabelled/latin1.xml",
            "Café crème for the ceasefire talks",
        ),
        (
            "/mislabelled/cp1251.xml",
            "Новости о переговорах в Стамбуле",
        ),
        (
            "/mislabelled/cp1251-bare.xml",
            "Переговоры о перемирии продолжаются в Стамбуле",
        ),
    ] {
        let out = run(vec![
            "--feed".into(),
            server.url(path),
            "--no-articles".into(),
        ])
        .await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        assert!(stdout.contains(title), "{path}: {stdout}");
        assert!(!stdout.contains('\u{FFFD}'), "{path}: {stdout}");
    }

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
    // herald never knew server 1234: nothing to delete is said, and is not a success (a wrong id is the
    // likely cause).
    assert!(!out.status.success());
    assert!(
        text(&out.stderr)
            .contains("herald keeps nothing about server 1234, so nothing was deleted"),
        "{}",
        text(&out.stderr)
    );
    // Once it knows the server (a schedule), everything is deleted and counted.
    tokio::runtime::Runtime::new().unwrap().block_on(async {
        let mut cfg = herald::config::Config::defaults().database;
        dir.database(&mut cfg, "herald.db");
        let store = herald::store::Store::open(&cfg).await.unwrap();
        let now = chrono::Utc::now();
        store
            .set_schedule(1234, 99, "08:00", "UTC", None, 1, now)
            .await
            .unwrap();
        store.close().await;
    });
    let out = herald(&dir)
        .args(["forget-guild", "1234"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout)
            .contains("server 1234: deleted 0 subscriptions, 1 schedule, 0 feeds and 0 deliveries"),
        "{}",
        text(&out.stdout)
    );
}

/// What a careful user types wrong, and the one line each gets back (issue: every message one clear line).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mistake_gets_one_clear_line() {
    let server = FixtureServer::start().await;
    let dir = crate::support::test_dir();
    let run = |args: Vec<String>, env: Vec<(&'static str, String)>| {
        let mut cmd = herald(&dir);
        for (k, v) in env {
            cmd.env(k, v);
        }
        async move {
            tokio::task::spawn_blocking(move || cmd.args(args).output().unwrap())
                .await
                .unwrap()
        }
    };
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let one_line = |out: &std::process::Output| {
        assert!(!out.status.success(), "{}", text(&out.stdout));
        let stderr = text(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
        stderr
    };

    // Addresses that are not addresses are refused as URLs, never opened as files.
    for (bad, why) in [
        ("http://:8080/feed", "names no host"),
        ("http://exa mple.com/feed", "no host name may have"),
        ("http://[fe80::1%25lo]:8080/", "IPv6 address does not read"),
    ] {
        let out = run(args(&["brief", "--feed", bad]), vec![]).await;
        let stderr = text(&out.stderr);
        assert!(!out.status.success());
        assert!(
            stderr.contains("not a valid URL") && stderr.contains(why),
            "{bad}: {stderr}"
        );
        assert!(!stderr.contains("cannot read file"), "{stderr}");
        assert!(stderr.contains("from the 1 source asked"), "{stderr}");
    }
    let out = run(args(&["summarize", "gopher://x"]), vec![]).await;
    let stderr = one_line(&out);
    assert!(
        stderr.contains("gopher: addresses are not read"),
        "{stderr}"
    );
    assert!(!stderr.contains("No such file"), "{stderr}");

    // Config errors: the file once, its line, the key.
    let missing = dir.path().join("nope.toml");
    let out = run(
        vec![
            "--config".into(),
            missing.display().to_string(),
            "check".into(),
        ],
        vec![],
    )
    .await;
    let stderr = one_line(&out);
    assert_eq!(
        stderr.matches("No such file or directory").count(),
        1,
        "{stderr}"
    );
    let typo = dir.path().join("typo.toml");
    std::fs::write(&typo, "[brief]\nmax_storys = 3\n").unwrap();
    let out = run(
        vec![
            "--config".into(),
            typo.display().to_string(),
            "check".into(),
        ],
        vec![],
    )
    .await;
    let stderr = one_line(&out);
    assert!(
        stderr.contains("typo.toml") && stderr.contains("[brief] max_storys"),
        "{stderr}"
    );

    // `check` refuses what `run` would refuse, before it touches the network.
    let out = run(
        args(&["check"]),
        vec![
            ("HERALD_METRICS__LISTEN", "nonsense".into()),
            ("DISCORD_TOKEN", "t".into()),
        ],
    )
    .await;
    let stderr = one_line(&out);
    assert!(stderr.contains("[metrics] listen"), "{stderr}");
    assert!(
        !text(&out.stdout).contains("config: ok"),
        "{}",
        text(&out.stdout)
    );

    // backup into a folder that does not exist.
    let out = run(
        vec![
            "backup".into(),
            dir.path().join("no/such/dir/b.db").display().to_string(),
        ],
        vec![],
    )
    .await;
    if dir.db_url().is_empty() {
        let stderr = one_line(&out);
        assert!(
            stderr.contains("does not exist; create it first"),
            "{stderr}"
        );
    }

    // An unreachable PostgreSQL names its host and the real cause, once.
    let out = run(
        args(&["migrate"]),
        vec![(
            "HERALD_DATABASE__URL",
            "postgres://herald@127.0.0.1:1/herald".into(),
        )],
    )
    .await;
    let stderr = one_line(&out);
    assert!(
        stderr.contains("cannot connect to PostgreSQL at 127.0.0.1:1/herald"),
        "{stderr}"
    );
    assert!(stderr.contains("refused"), "{stderr}");
    assert!(!stderr.contains("pool timed out"), "{stderr}");

    // healthz against something that is not herald's health says so.
    let out = run(args(&["healthz", "--url", &server.url("/missing")]), vec![]).await;
    let stderr = one_line(&out);
    assert!(stderr.contains("404"), "{stderr}");

    // A server herald never knew.
    let out = run(args(&["forget-guild", "42"]), vec![]).await;
    let stderr = one_line(&out);
    assert!(
        stderr.contains("herald keeps nothing about server 42"),
        "{stderr}"
    );

    // Discord unreachable: the cause, not "Error while sending HTTP request." alone.
    let out = run(
        args(&["check"]),
        vec![
            ("DISCORD_TOKEN", "t".into()),
            ("HERALD_DISCORD__API_BASE", "http://127.0.0.1:1".into()),
        ],
    )
    .await;
    let stderr = text(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("Connection refused"), "{stderr}");
}

/// Logs: no colour codes when stderr is not a terminal, no html5ever notes on the page's markup, and a file
/// that is not a page is refused in one line.
#[test]
fn logs_are_plain_and_pages_that_are_not_pages_are_refused() {
    let dir = crate::support::test_dir();
    let page = dir.path().join("table.html");
    std::fs::write(
        &page,
        "<html><body><table><tr><td>cell</td></tr>stray text in a table<p>A paragraph.</p></table>\
         <article><p>This is the article text, long enough to read as an article. It has two sentences \
         in it for sure.</p></article></body></html>",
    )
    .unwrap();
    let out = herald(&dir).arg("extract").arg(&page).output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("foster parenting"), "{stderr}");

    let out = herald(&dir)
        .env("RUST_LOG", "debug")
        .arg("migrate")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = text(&out.stderr);
    assert!(!stderr.is_empty(), "debug logging writes something");
    assert!(
        !stderr.contains('\u{1b}'),
        "no colour codes into a pipe: {stderr}"
    );

    let binary = dir.path().join("blob.bin");
    let noise: Vec<u8> = (0..100_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&binary, noise).unwrap();
    for cmd in ["extract", "summarize"] {
        let out = herald(&dir).arg(cmd).arg(&binary).output().unwrap();
        assert!(!out.status.success(), "{cmd}");
        assert!(out.stdout.is_empty(), "{cmd}: nothing printed");
        let stderr = text(&out.stderr);
        assert_eq!(stderr.lines().count(), 1, "{cmd}: {stderr}");
        assert!(stderr.contains("not a web page or text"), "{cmd}: {stderr}");
    }
}

/// `herald brief --style llm` through the same core as the bot: LLM summaries in the JSON with their style,
/// a second run from the cache, an unfaithful model's stories extractive with the reason, a budget that
/// cannot cover a call starting none, and a clear error without an endpoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn brief_writes_llm_summaries_in_the_terminal() {
    use crate::support::llm::{Answer, FakeLlm};
    let fake = FakeLlm::start().await;
    let run = |dir: &crate::support::TestDir, env: Vec<(&'static str, String)>, extra: &[&str]| {
        let mut cmd = herald(dir);
        cmd.env("HERALD_LLM__BASE_URL", fake.base_url())
            .env("HERALD_LLM__MODEL", "test-model")
            .args([
                "brief",
                "--no-articles",
                "--max-stories",
                "3",
                "--format",
                "json",
            ])
            .args(extra)
            .arg("--feed")
            .arg(fixture("feeds/atom_mediarss_reddit_1.xml"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        async move {
            tokio::task::spawn_blocking(move || cmd.output().unwrap())
                .await
                .unwrap()
        }
    };
    let stories = |out: &std::process::Output| -> Vec<serde_json::Value> {
        assert!(out.status.success(), "{}", text(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        v["stories"].as_array().unwrap().clone()
    };

    // Extractive by default: every story says so, and no call is made.
    let dir = crate::support::test_dir();
    let plain = stories(&run(&dir, vec![], &[]).await);
    assert!(
        plain
            .iter()
            .all(|s| s["style"] == "extractive" && s.get("fallback").is_none())
    );
    assert!(fake.calls().is_empty());

    // LLM: each story's summary written by the model, citing, in the language asked.
    let out = run(
        &dir,
        vec![],
        &["--style", "llm", "--language", "uk", "--length", "full"],
    )
    .await;
    let llm = stories(&out);
    assert_eq!(llm.len(), 3);
    for s in &llm {
        assert_eq!(s["style"], "llm", "{s}");
        let summary = s["summary"][0].as_str().unwrap();
        assert!(
            summary.starts_with("За повідомленням ") && summary.ends_with("[1]."),
            "{summary}"
        );
    }
    let calls = fake.calls().len();
    assert_eq!(calls, 3);
    assert!(fake.calls()[0].system.contains("BCP 47 tag \"uk\""));
    // The same briefing again: from the cache, no second call.
    let again = stories(
        &run(
            &dir,
            vec![],
            &["--style", "llm", "--language", "uk", "--length", "full"],
        )
        .await,
    );
    assert_eq!(fake.calls().len(), calls, "no second call");
    assert_eq!(again, llm);

    // A model that invents a fact: extractive, with the reason; in text, marked.
    let dir = crate::support::test_dir();
    fake.script((0..6).map(|_| Answer::Invent(90)));
    let out = run(&dir, vec![], &["--style", "llm"]).await;
    for s in stories(&out) {
        assert_eq!(s["style"], "extractive", "{s}");
        assert_eq!(
            s["fallback"], "unfaithful: the number 4321 is in no source",
            "{s}"
        );
    }

    // A budget no call fits: no call is sent.
    let dir = crate::support::test_dir();
    let before = fake.calls().len();
    let out = run(
        &dir,
        vec![("HERALD_LLM__DAILY_TOKEN_BUDGET", "10".into())],
        &["--style", "llm"],
    )
    .await;
    for s in stories(&out) {
        assert_eq!(s["fallback"], "budget spent", "{s}");
    }
    assert_eq!(fake.calls().len(), before);

    // No endpoint: one line saying what to set.
    let out = herald(&dir)
        .args(["brief", "--style", "llm", "--feed"])
        .arg(fixture("feeds/atom_mediarss_reddit_1.xml"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--style llm needs an LLM endpoint"),
        "{}",
        text(&out.stderr)
    );
}

/// `--reader NAME` remembers what it told NAME: the same feed again tells NAME nothing, another reader (or no
/// reader) gets it all, and a bad name is refused.
#[test]
fn a_reader_is_told_each_story_once() {
    let dir = crate::support::test_dir();
    let feed = fixture("feeds/rss_2.0_bbc.xml");
    let brief = |extra: &[&str]| {
        let out = herald(&dir)
            .args(["brief", "--feed"])
            .arg(&feed)
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let stories = |json: &str| -> usize {
        let v: serde_json::Value = serde_json::from_str(json).unwrap();
        v["stories"].as_array().map_or(0, Vec::len)
    };
    let first = brief(&["--reader", "morning", "--format", "json"]);
    let told = stories(&first);
    assert!(told > 0, "{first}");
    let again = brief(&["--reader", "morning", "--format", "json"]);
    assert_eq!(stories(&again), 0, "{again}");
    let v: serde_json::Value = serde_json::from_str(&again).unwrap();
    assert_eq!(v["stories_unchanged"].as_u64(), Some(told as u64));
    assert!(brief(&["--reader", "morning"]).contains("Nothing new since your last briefing"));
    assert_eq!(
        stories(&brief(&["--reader", "evening", "--format", "json"])),
        told
    );
    assert_eq!(
        stories(&brief(&["--format", "json"])),
        told,
        "no reader: all"
    );
    let out = herald(&dir)
        .args(["brief", "--reader", "", "--feed"])
        .arg(&feed)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--reader"),
        "{}",
        text(&out.stderr)
    );
}

/// A reader that goes away (`herald extract … | head`) ends the output quietly: no panic, exit 0.
#[test]
fn a_closed_pipe_ends_the_output_quietly() {
    use assert_cmd::cargo::CommandCargoExt;
    let dir = crate::support::test_dir();
    let page = fixture("readability/cnn/source.html");
    for args in [vec!["extract"], vec!["extract", "--format", "json"]] {
        let mut child = std::process::Command::cargo_bin("herald")
            .expect("binary built")
            .env("HERALD_DATABASE__PATH", dir.path().join("herald.db"))
            .env("HERALD_DATABASE__URL", dir.db_url())
            .env_remove("RUST_LOG")
            .args(&args)
            .arg(&page)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // The reader leaves before herald writes a byte.
        drop(child.stdout.take());
        let out = child.wait_with_output().unwrap();
        let stderr = text(&out.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(out.status.success(), "{args:?}: {stderr}");
    }
}
