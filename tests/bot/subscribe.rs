//! `/subscribe`, `/unsubscribe` (with autocomplete) and `/topics`.

use serde_json::json;

use super::{ADMIN, Bot, CHANNEL, MEMBER, topic};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_unsubscribe_topics_and_their_errors() {
    let bot = Bot::start().await;
    let store = &bot.store;

    let ok = bot
        .invoke("subscribe", topic("rust  compiler"), ADMIN)
        .await;
    assert!(
        ok.text()
            .contains("<#3000> now follows **rust  compiler** (read as: rust AND compiler)"),
        "{ok}"
    );
    assert_eq!(store.channel_subscriptions(CHANNEL).await.unwrap().len(), 1);

    let dup = bot.invoke("subscribe", topic("Rust compiler"), ADMIN).await;
    assert!(dup.is_ephemeral(), "errors are ephemeral");
    assert!(dup.text().contains("already follows"), "{dup}");

    let bad = bot.invoke("subscribe", topic("peace \"talks"), ADMIN).await;
    assert!(
        bad.text().contains("never closed (at character 7)")
            && bad.text().contains("A topic that works"),
        "{bad}"
    );

    // Discord hides /subscribe from members; where a server admin opened it to everyone, herald still checks.
    assert!(!bot.may_invoke("subscribe", MEMBER));
    bot.fake.open_to_everyone("subscribe");
    let denied = bot.invoke("subscribe", topic("ukraine"), MEMBER).await;
    assert!(denied.is_ephemeral());
    assert!(denied.text().contains("Manage Server"), "{denied}");
    assert_eq!(
        store.channel_subscriptions(CHANNEL).await.unwrap().len(),
        1,
        "nothing written"
    );

    let ping = bot
        .invoke("subscribe", topic("@everyone <@&123> **x**"), ADMIN)
        .await;
    let text = ping.text();
    assert!(!text.is_empty(), "{ping}");
    assert!(
        !text.contains("@everyone") && !text.contains("<@&123>") && !text.contains("**x**"),
        "{ping}"
    );
    assert_eq!(ping["data"]["allowed_mentions"]["parse"], json!([]));

    // Autocomplete lists this channel's topics.
    let choices = bot
        .autocomplete(
            "unsubscribe",
            json!([{"name": "topic", "type": 3, "value": "ru", "focused": true}]),
            ADMIN,
        )
        .await;
    assert_eq!(choices["type"], 8, "{choices}");
    assert_eq!(
        choices["data"]["choices"],
        json!([{"name": "rust  compiler", "value": "rust and compiler"}])
    );

    let listed = bot.invoke("topics", json!([]), MEMBER).await;
    assert!(listed.embed_text().contains("rust  compiler"), "{listed}");
    assert!(
        listed
            .embed_text()
            .contains("<#3000>** — no schedule yet (`/schedule set`)"),
        "{listed}"
    );

    let gone = bot
        .invoke("unsubscribe", topic("rust and compiler"), ADMIN)
        .await;
    assert!(gone.text().contains("no longer follows"), "{gone}");
    let again = bot
        .invoke("unsubscribe", topic("rust and compiler"), ADMIN)
        .await;
    assert!(again.text().contains("does not follow"), "{again}");
    assert_eq!(
        store.channel_subscriptions(CHANNEL).await.unwrap().len(),
        1,
        "only the escaped-mention topic is left"
    );
}
