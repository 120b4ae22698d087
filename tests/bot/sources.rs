//! `/sources add|remove|list` against the fixture feed server.

use serde_json::json;

use super::{ADMIN, Bot, GUILD, MEMBER, opt, sub};
use crate::support::FixtureServer;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sources_add_list_remove_against_the_fixture_server() {
    let feeds = FixtureServer::start().await;
    let bot = Bot::with_local_feeds().await;
    let store = &bot.store;
    let url = feeds.url("/feed.xml");

    let deferred = bot
        .invoke("sources", sub("add", json!([opt("url", &url)])), ADMIN)
        .await;
    assert_eq!(deferred["type"], 5, "deferred first: {deferred}");
    assert!(deferred.is_ephemeral());
    let follow = bot.follow_up(&deferred).await;
    assert!(
        follow["content"]
            .as_str()
            .unwrap()
            .contains("Added **Fixture News** (2 items;"),
        "{follow}"
    );
    assert_eq!(store.guild_sources(GUILD).await.unwrap().len(), 1);

    let page = feeds.url("/page.html");
    let deferred = bot
        .invoke("sources", sub("add", json!([opt("url", &page)])), ADMIN)
        .await;
    let refused = bot.follow_up(&deferred).await;
    assert!(
        refused["content"]
            .as_str()
            .unwrap()
            .contains("not a readable feed"),
        "{refused}"
    );

    let bad = bot
        .invoke("sources", sub("add", json!([opt("url", "ftp://x")])), ADMIN)
        .await;
    assert!(bad.text().contains("is not a web address"), "{bad}");

    // Anyone may list: Discord shows `/sources` to members, and `list` answers them.
    let listed = bot.invoke("sources", sub("list", json!([])), MEMBER).await;
    assert!(listed.embed_text().contains("Fixture News"), "{listed}");

    let denied = bot
        .invoke("sources", sub("remove", json!([opt("url", &url)])), MEMBER)
        .await;
    assert!(denied.text().contains("Manage Server"), "{denied}");
    let denied = bot
        .invoke(
            "sources",
            sub("add", json!([opt("url", "https://example.com/feed")])),
            MEMBER,
        )
        .await;
    assert!(denied.text().contains("Manage Server"), "{denied}");
    let removed = bot
        .invoke("sources", sub("remove", json!([opt("url", &url)])), ADMIN)
        .await;
    assert!(removed.text().starts_with("Removed"), "{removed}");
    assert!(store.guild_sources(GUILD).await.unwrap().is_empty());
    let unknown = bot
        .invoke(
            "sources",
            sub(
                "remove",
                json!([opt("url", "https://unknown.example/feed")]),
            ),
            ADMIN,
        )
        .await;
    assert!(unknown.is_ephemeral());
    assert!(unknown.text().contains("has no source"), "{unknown}");

    // `http:/host/x` passes as the web address it normalises to, and that is what is stored and fetched —
    // never the raw text, which would read as a path relative to the bot's folder.
    let sloppy = url.replacen("http://", "http:/", 1);
    let added = bot
        .invoke("sources", sub("add", json!([opt("url", &sloppy)])), ADMIN)
        .await;
    let follow = bot.follow_up(&added).await;
    assert!(follow.to_string().contains("Added"), "{follow}");
    let stored = store.guild_sources(GUILD).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].source.url, url);
}
