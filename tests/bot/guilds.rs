//! Servers that remove herald, through the gateway: GUILD_DELETE marked `unavailable` is an outage and
//! changes nothing; without it herald was removed, and the server's schedules pause at once; GUILD_CREATE
//! within the grace period resumes them.

use std::time::Duration;

use serde_json::{Value, json};

use super::{Bot, CHANNEL, GUILD, subscribe_at_eight};

/// A server as GUILD_CREATE carries it (what serenity needs to read one).
fn guild_create() -> Value {
    json!({
        "id": GUILD.to_string(), "name": "Test Server", "icon": null, "icon_hash": null, "splash": null,
        "discovery_splash": null, "owner_id": "4000", "afk_channel_id": null, "afk_timeout": 300,
        "widget_enabled": false, "widget_channel_id": null, "verification_level": 0, "roles": [], "emojis": [],
        "features": [], "mfa_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0, "application_id": null, "system_channel_id": null,
        "system_channel_flags": 0, "rules_channel_id": null, "max_presences": null, "max_members": 100,
        "vanity_url_code": null, "description": null, "banner": null, "premium_tier": 0,
        "premium_subscription_count": 0, "preferred_locale": "en-US", "public_updates_channel_id": null,
        "max_video_channel_users": 25, "max_stage_video_channel_users": 50, "approximate_member_count": null,
        "approximate_presence_count": null, "welcome_screen": null, "nsfw_level": 0, "stickers": [],
        "premium_progress_bar_enabled": false, "joined_at": "2026-01-01T00:00:00+00:00", "large": false,
        "unavailable": false, "member_count": 2, "voice_states": [], "members": [], "channels": [],
        "threads": [], "presences": [], "stage_instances": [], "guild_scheduled_events": [],
        "safety_alerts_channel_id": null, "incidents_data": null
    })
}

async fn paused(bot: &Bot) -> (bool, Option<String>) {
    let s = bot.store.schedule(CHANNEL).await.unwrap().unwrap();
    (s.paused, s.paused_reason)
}

async fn until(bot: &Bot, want: bool) {
    for _ in 0..100 {
        if paused(bot).await.0 == want {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("schedule never became paused = {want}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn guild_delete_pauses_an_outage_does_not_and_a_return_restores() {
    let bot = Bot::start().await;
    subscribe_at_eight(&bot, "ceasefire").await;

    // An outage: nothing changes.
    bot.fake.dispatch(
        "GUILD_DELETE",
        json!({"id": GUILD.to_string(), "unavailable": true}),
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(paused(&bot).await, (false, None));

    // Removed: paused at once, data kept.
    bot.fake
        .dispatch("GUILD_DELETE", json!({"id": GUILD.to_string()}));
    until(&bot, true).await;
    assert_eq!(
        paused(&bot).await.1.as_deref(),
        Some(herald::store::REMOVED_REASON)
    );
    assert_eq!(
        bot.store
            .channel_subscriptions(CHANNEL)
            .await
            .unwrap()
            .len(),
        1
    );

    // Re-added within the grace period: the schedule runs again.
    bot.fake.dispatch("GUILD_CREATE", guild_create());
    until(&bot, false).await;
    assert_eq!(paused(&bot).await, (false, None));
}
