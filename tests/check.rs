//! `herald check` against a fake Discord REST API on 127.0.0.1, through the `[discord] api_base` proxy path.

use crate::support::fake_discord::{FakeDiscord, GOOD_TOKEN};
use assert_cmd::Command;

fn check(dir: &tempfile::TempDir, api_base: &str, token: Option<&str>) -> std::process::Output {
    let mut cmd = Command::cargo_bin("herald").expect("binary built");
    cmd.env("HERALD_DATABASE__PATH", dir.path().join("h.db"))
        .env("HERALD_DISCORD__API_BASE", api_base)
        .env_remove("DISCORD_TOKEN")
        .arg("check");
    if let Some(t) = token {
        cmd.env("DISCORD_TOKEN", t);
    }
    cmd.output().expect("runs")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reports_the_bot_name_or_what_is_wrong() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let base = fake.base.clone();
    let (ok, bad, missing) = tokio::task::spawn_blocking(move || {
        (
            check(&dir, &base, Some(GOOD_TOKEN)),
            check(&dir, &base, Some("wrong")),
            check(&dir, &base, None),
        )
    })
    .await
    .unwrap();

    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert!(stdout.contains("database: ok"), "{stdout}");
    assert!(
        stdout.contains("discord: ok, logged in as herald-test via http://127.0.0.1"),
        "{stdout}"
    );

    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("Discord rejected the token (HTTP 401)"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "one line, no panic: {stderr}");

    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("DISCORD_TOKEN is not set"));

    let calls = fake.calls.lock().unwrap();
    assert_eq!(calls.len(), 2, "the missing-token run made no call");
    assert!(calls.iter().all(|c| c.path == "/api/v10/users/@me"));
    assert_eq!(calls[0].auth.as_deref(), Some("Bot good-token"));
}

#[test]
fn a_bad_api_base_is_a_config_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = check(&dir, "discord.com/api", Some("x"));
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("[discord] api_base"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_with_a_missing_or_rejected_token_is_one_line_not_a_panic() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    let base = fake.base.clone();
    let run = move |token: Option<&str>| {
        let mut cmd = Command::cargo_bin("herald").expect("binary built");
        cmd.env("HERALD_DATABASE__PATH", dir.path().join("h.db"))
            .env("HERALD_DISCORD__API_BASE", &base)
            .env("HERALD_LOG__FILTER", "off")
            .env_remove("DISCORD_TOKEN")
            .env_remove("RUST_LOG")
            .arg("run");
        if let Some(t) = token {
            cmd.env("DISCORD_TOKEN", t);
        }
        cmd.timeout(std::time::Duration::from_secs(20))
            .output()
            .expect("runs")
    };
    let (rejected, missing) = tokio::task::spawn_blocking(move || (run(Some("wrong")), run(None)))
        .await
        .unwrap();
    for (out, expected) in [
        (rejected, "Discord rejected the token"),
        (missing, "DISCORD_TOKEN is not set"),
    ] {
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(expected), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(!stderr.contains("panicked"));
    }
}
