//! The real serenity client, through poise, against the fake Discord on 127.0.0.1.

mod support;

use std::time::Duration;

use herald::config::Config;
use herald::store::Store;
use serde_json::json;
use support::fake_discord::{FakeDiscord, GOOD_TOKEN, command_interaction};

async fn start_bot(fake: &FakeDiscord, dir: &tempfile::TempDir) {
    let mut config = Config::defaults();
    config.discord.api_base = fake.base.clone();
    config.discord.dev_guild = 2000;
    config.database.path = dir.path().join("bot.db");
    let store = Store::open(&config.database).await.expect("store");
    tokio::spawn(async move {
        if let Err(e) = herald::discord::bot::run(config, store, GOOD_TOKEN).await {
            eprintln!("bot stopped: {e}");
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connects_registers_in_the_dev_guild_and_answers_help() {
    let fake = FakeDiscord::start().await;
    let dir = tempfile::tempdir().unwrap();
    start_bot(&fake, &dir).await;
    assert!(
        fake.wait_identified(Duration::from_secs(10)).await,
        "serenity identified on the fake gateway"
    );

    let put = fake
        .wait_call(Duration::from_secs(10), |c| {
            c.method == "PUT" && c.path.ends_with("/guilds/2000/commands")
        })
        .await
        .expect("commands registered in the dev guild");
    assert_eq!(put.path, "/api/v10/applications/1000/guilds/2000/commands");
    assert!(
        put.body
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["name"] == "help"),
        "{}",
        put.body
    );

    fake.dispatch(
        "INTERACTION_CREATE",
        command_interaction(5001, "help", json!([]), "0"),
    );
    let reply = fake
        .wait_call(Duration::from_secs(10), |c| {
            c.path == "/api/v10/interactions/5001/tok-5001/callback"
        })
        .await
        .expect("the interaction was answered");
    assert_eq!(reply.body["type"], 4, "a message reply: {}", reply.body);
    assert_eq!(reply.body["data"]["flags"], 64, "ephemeral");
    assert!(
        reply.body["data"]["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .contains("herald")
    );
    assert_eq!(
        reply.body["data"]["allowed_mentions"]["parse"],
        json!([]),
        "no mentions: {}",
        reply.body
    );
}
