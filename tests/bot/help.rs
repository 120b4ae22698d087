//! Registration (dev guild or global), who Discord shows each command to, and `/help`.

use std::sync::Arc;
use std::time::Duration;

use herald::clock::SystemClock;
use serde_json::json;

use super::{ADMIN, Bot, MEMBER};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connects_registers_in_the_dev_guild_and_answers_help() {
    let bot = Bot::start().await;
    let put = bot
        .fake
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

    let reply = bot.invoke("help", json!([]), MEMBER).await;
    assert_eq!(reply["type"], 4, "a message reply: {reply}");
    assert!(reply.is_ephemeral());
    assert!(
        reply["data"]["embeds"][0]["title"]
            .as_str()
            .unwrap()
            .contains("herald")
    );
    assert_eq!(
        reply["data"]["allowed_mentions"]["parse"],
        json!([]),
        "no mentions: {reply}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_dev_guild_commands_register_globally() {
    let bot = Bot::start_with(|c| c.discord.dev_guild = 0, Arc::new(SystemClock)).await;
    let put = bot
        .fake
        .wait_call(Duration::from_secs(10), |c| c.method == "PUT")
        .await
        .expect("registered");
    assert_eq!(put.path, "/api/v10/applications/1000/commands");
    let names: Vec<&str> = put
        .body
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "help",
            "subscribe",
            "unsubscribe",
            "topics",
            "sources",
            "briefing",
            "search",
            "schedule",
            "settings"
        ]
    );
    let subscribe = &put.body.as_array().unwrap()[1];
    assert_eq!(
        subscribe["default_member_permissions"], "32",
        "config commands hidden from non-admins"
    );
}

/// Discord applies `default_member_permissions` to a whole command group: what members may use (`/sources
/// list`, `/schedule show`, `/topics`) must not sit under a group hidden from them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn members_see_what_they_may_use_and_only_admins_see_config_commands() {
    let bot = Bot::start().await;
    for everyone in [
        "help", "topics", "sources", "briefing", "search", "schedule",
    ] {
        assert!(
            bot.may_invoke(everyone, MEMBER),
            "/{everyone} is hidden from members"
        );
    }
    for admin_only in ["subscribe", "unsubscribe"] {
        assert!(
            !bot.may_invoke(admin_only, MEMBER),
            "/{admin_only} is shown to members"
        );
        assert!(bot.may_invoke(admin_only, ADMIN));
        assert!(bot.may_invoke(admin_only, "8"), "Administrator passes");
    }
}
