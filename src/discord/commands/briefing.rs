//! `/briefing [topic]`: a briefing now, for this channel's topics or one topic.

use crate::brief::query::Query;
use crate::brief::{Options, build_briefing};
use crate::discord::bot::{CommandError, Context};
use crate::discord::commands::EXAMPLE;
use crate::discord::embeds::{briefing_embeds, pack};
use crate::sources::ingest::{Access, refresh_many};

/// Items read for one briefing at most.
const MAX_ITEMS: usize = 5000;

/// A briefing now, for this channel's topics or for one topic.
#[poise::command(slash_command, guild_only)]
pub async fn briefing(
    ctx: Context<'_>,
    #[description = "One topic instead of this channel's (same syntax as /subscribe)"]
    #[max_length = 200]
    topic: Option<String>,
) -> Result<(), CommandError> {
    let guild_id = ctx.guild_id().map(|g| g.get()).unwrap_or_default();
    let data = ctx.data();
    let queries: Vec<Query> = match topic.as_deref() {
        Some(t) => vec![super::parse_topic(t)?],
        None => {
            let subs = data
                .store
                .channel_subscriptions(ctx.channel_id().get())
                .await?;
            if subs.is_empty() {
                return Err(CommandError::User(format!(
                    "This channel follows no topics yet. An admin can add one with `/subscribe`, or pass \
                     `topic:` here, e.g. {EXAMPLE}"
                )));
            }
            subs.iter()
                .filter_map(|s| Query::parse(&s.query).ok())
                .collect()
        }
    };
    let sources = data.store.guild_sources(guild_id).await?;
    if sources.is_empty() {
        return Err(CommandError::User(
            "This server has no sources yet. An admin can add a news feed with `/sources add url:`.".into(),
        ));
    }
    ctx.defer().await?;

    // Bring the server's sources up to date; conditional GET keeps this cheap, and failures are recorded
    // on each source for `/sources list`.
    let now = data.clock.now();
    let list: Vec<_> = sources.iter().map(|s| s.source.clone()).collect();
    refresh_many(
        &data.store,
        &data.fetcher,
        list,
        Access::WebOnly,
        now,
        data.config.fetch.concurrency,
        |_, _| {},
    )
    .await;

    let ids: Vec<i64> = sources.iter().map(|s| s.source.id).collect();
    let since = now - chrono::Duration::hours(i64::from(data.config.brief.window_hours));
    let items = data
        .store
        .items_of_sources(&ids, Some(since), MAX_ITEMS)
        .await?;
    let briefing = build_briefing(&items, &queries, Options::from(&data.config.brief), now);
    for embeds in pack(briefing_embeds(&briefing)) {
        let mut reply = poise::CreateReply::default();
        for e in &embeds {
            reply = reply.embed(e.build());
        }
        ctx.send(reply).await?;
    }
    Ok(())
}
