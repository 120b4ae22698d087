//! `/briefing [topic]`: a briefing now, for this channel's topics or one topic.

use crate::brief::briefer::{Briefer, MAX_ITEMS, Request};
use crate::brief::settings::ChannelSettings;
use crate::brief::{Options, memory};
use crate::discord::commands::EXAMPLE;
use crate::discord::context::{CommandError, Context};
use crate::discord::embeds::{action_rows, briefing_embeds, pack};
use crate::query::Query;
use crate::sources::ingest::{Access, needs_refresh, refresh_many};
use crate::sources::search::{Settings, topic_searches};
use crate::store::{Place, Source, channel_reader};

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
    let now = data.clock.now();
    // The server's feeds, and the searches of the topics asked about: this channel's subscriptions, or the
    // one topic given (searched now, in the server's providers and locale).
    let (queries, searches) = match topic.as_deref() {
        Some(t) => {
            let query = super::parse_topic(t)?;
            let settings = Settings::resolve(
                &data.store.guild_search(guild_id).await?,
                &data.config.search,
            );
            let searches =
                topic_searches(&data.store, &data.readers.search, &settings, &query, now).await?;
            (vec![query], searches)
        }
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
            let queries = subs
                .iter()
                .filter_map(|s| Query::parse(&s.query).ok())
                .collect();
            (
                queries,
                data.store.channel_searches(ctx.channel_id().get()).await?,
            )
        }
    };
    let mut sources: Vec<Source> = data
        .store
        .guild_sources(guild_id)
        .await?
        .into_iter()
        .map(|s| s.source)
        .collect();
    sources.extend(searches);
    if sources.is_empty() {
        return Err(CommandError::User(
            "This server has no feeds and no search providers on. An admin can add a news feed with \
             `/sources add url:`, or turn a search provider on with `/sources providers`."
                .into(),
        ));
    }
    cooldowns(&ctx, guild_id)?;
    ctx.defer().await?;

    // Bring the stale sources up to date (those the poller has not fetched within its interval), each once
    // however many members ask at the same moment; failures are recorded for `/sources list`, and a search
    // whose provider is busy is briefed from what it found before.
    let interval = chrono::Duration::minutes(i64::from(data.config.poll.interval_minutes));
    let stale: Vec<_> = sources
        .iter()
        .filter(|s| needs_refresh(s, now, interval))
        .cloned()
        .collect();
    let (mine, _claim) = data.refreshing.claim(stale);
    refresh_many(
        &data.store,
        &data.readers,
        mine,
        Access::WebOnly,
        now,
        data.config.fetch.concurrency,
        |_, _| {},
    )
    .await;

    let ids: Vec<i64> = sources.iter().map(|s| s.id).collect();
    let since = now - chrono::Duration::hours(i64::from(data.config.brief.window_hours));
    // Read the pages of new items for a while; what is not read by then is briefed from the feed's text (the
    // background reader reads it for next time).
    let wait = std::time::Duration::from_secs(data.config.articles.briefing_wait_secs);
    let reading = data.articles.read_unread(
        &data.store,
        Some(&ids),
        Some(since),
        MAX_ITEMS,
        now,
        |_, _| {},
    );
    if let Ok(Err(e)) = tokio::time::timeout(wait, reading).await {
        tracing::warn!(error = %e, "cannot list article pages to read");
    }
    let items = data
        .store
        .items_of_sources(&ids, Some(since), MAX_ITEMS)
        .await?;
    // The channel's settings shape the briefing: length, story count, and LLM summaries if it chose them.
    let settings = data
        .store
        .channel_settings(ctx.channel_id().get())
        .await?
        .map(|r| ChannelSettings::from_row(&r))
        .unwrap_or_default();
    // The channel's briefing is told from the channel's memory, shared with its scheduled briefings: only
    // what is new to it. A `topic:` asked about is a one-off look at that topic: told in full, not remembered.
    let reader = topic
        .is_none()
        .then(|| channel_reader(ctx.channel_id().get()));
    let briefer = Briefer {
        store: &data.store,
        llm: data.llm.as_ref(),
    };
    let briefing = briefer
        .brief(Request {
            items: &items,
            topics: &queries,
            base: Options::from(&data.config.brief),
            settings: &settings,
            reader: reader.as_deref(),
            guild_id,
            now,
        })
        .await?
        .briefing;
    let mut first_message = None;
    for embeds in pack(briefing_embeds(&briefing)) {
        let mut reply = poise::CreateReply::default().components(action_rows(&embeds));
        for e in &embeds {
            reply = reply.embed(e.build());
        }
        let sent = ctx.send(reply).await?;
        if first_message.is_none() {
            first_message = sent.message().await.ok().map(|m| m.id.get());
        }
    }
    // Told: an update tomorrow links to this reply.
    let place = Place {
        guild_id: Some(guild_id),
        channel_id: Some(ctx.channel_id().get()),
        message_id: first_message,
        delivery_id: None,
    };
    if let Some(reader) = &reader {
        data.store
            .remember(reader, &memory::tellings(&briefing), place, now)
            .await?;
    }
    Ok(())
}

/// Takes this member's and this server's `/briefing` turn, or says how long to wait.
fn cooldowns(ctx: &Context<'_>, guild_id: u64) -> Result<(), CommandError> {
    let data = ctx.data();
    let now = std::time::Instant::now();
    let member = ctx.author().id.get();
    if let Some(wait) = data.member_cooldown.check(member, now) {
        return Err(CommandError::User(format!(
            "You asked for a briefing a moment ago. Try again in {} s — or subscribe this channel to a topic \
             and let herald post it on schedule (`/schedule set`).",
            wait.as_secs().max(1)
        )));
    }
    if let Some(wait) = data.guild_cooldown.check(guild_id, now) {
        data.member_cooldown.release(member);
        return Err(CommandError::User(format!(
            "Someone in this server just asked for a briefing. Try again in {} s.",
            wait.as_secs().max(1)
        )));
    }
    Ok(())
}
