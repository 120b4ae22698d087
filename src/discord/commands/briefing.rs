//! `/briefing [topic]`: a briefing now, for this channel's topics or one topic.

use std::collections::HashSet;
use std::time::Duration;

use tokio::time::Instant;

use crate::brief::briefer::{Briefer, MAX_ITEMS, Request};
use crate::brief::channel_settings::ChannelSettings;
use crate::brief::{Options, memory};
use crate::discord::commands::EXAMPLE;
use crate::discord::context::{CommandError, Context};
use crate::discord::embeds::{action_rows, briefing_embeds, pack};
use crate::discord::escape::escape;
use crate::query::Query;
use crate::sources::ingest::needs_refresh;
use crate::sources::search::{SearchSettings, topic_searches};
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
            let settings = SearchSettings::resolve(
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

    // Bring the stale sources up to date (those the poller has not fetched within its interval), all at once,
    // each once however many members ask at the same moment; failures are recorded for `/sources list`, and a
    // search whose provider is busy is briefed from what it found before. The answer waits for them a while;
    // those still running then are named, and what they bring follows up when they finish.
    let interval = chrono::Duration::minutes(i64::from(data.config.poll.interval_minutes));
    let stale: Vec<Source> = sources
        .iter()
        .filter(|s| needs_refresh(s, now, interval))
        .cloned()
        .collect();
    let concurrency = data
        .config
        .fetch
        .concurrency
        .max(stale.len().min(MAX_AT_ONCE));
    let round = data
        .refreshing
        .refresh(&data.store, &data.readers, stale, now, concurrency);
    let wait = Duration::from_secs(data.config.discord.briefing_search_wait_secs);
    let late = round.wait_until(Instant::now() + wait).await;

    let ask = Ask {
        ids: sources.iter().map(|s| s.id).collect(),
        queries,
        // The channel's briefing is told from the channel's memory, shared with its scheduled briefings: only
        // what is new to it. A `topic:` asked about is a one-off look at that topic: told in full, not
        // remembered.
        reader: topic
            .is_none()
            .then(|| channel_reader(ctx.channel_id().get())),
        guild_id,
    };
    let note = (!late.is_empty()).then(|| {
        format!(
            "Still waiting for {}: herald follows up here with what they bring.",
            names(&late)
        )
    });
    let told = tell(&ctx, &ask, note, &HashSet::new()).await?;
    if late.is_empty() {
        return Ok(());
    }
    // Follow up with what the late ones brought: the stories of their items the answer did not tell (for the
    // channel, told from its memory: a story it was just told comes back as an update).
    let still = round.wait_until(Instant::now() + FOLLOW_UP_WAIT).await;
    let done: Vec<Source> = late
        .iter()
        .filter(|s| !still.iter().any(|t| t.id == s.id))
        .cloned()
        .collect();
    let mut lines = Vec::new();
    if !done.is_empty() {
        lines.push(format!("{} answered.", names(&done)));
    }
    if !still.is_empty() {
        lines.push(format!(
            "{} still {} not answered; what {} will be in the next briefing.",
            names(&still),
            if still.len() == 1 { "has" } else { "have" },
            if still.len() == 1 {
                "it finds"
            } else {
                "they find"
            }
        ));
    }
    if done.is_empty() {
        ctx.send(poise::CreateReply::default().content(lines.join(" ")))
            .await?;
        return Ok(());
    }
    let late_ask = Ask {
        ids: done.iter().map(|s| s.id).collect(),
        ..ask
    };
    let more = tell_more(&ctx, &late_ask, &told, lines.join(" ")).await?;
    if !more {
        ctx.send(poise::CreateReply::default().content(format!(
            "{} Nothing beyond the briefing above.",
            lines.join(" ")
        )))
        .await?;
    }
    Ok(())
}

/// Refreshes `/briefing` runs at once at most (beyond `[fetch] concurrency`): every search of a channel's
/// topics, however many.
const MAX_AT_ONCE: usize = 32;

/// How long `/briefing` waits, after answering, for the sources that were late, before it says they are still
/// running (the interaction's token lasts 15 minutes).
const FOLLOW_UP_WAIT: Duration = Duration::from_secs(120);

/// What one `/briefing` briefs: its sources, topics, reader and server.
struct Ask {
    ids: Vec<i64>,
    queries: Vec<Query>,
    reader: Option<String>,
    guild_id: u64,
}

/// "GDELT · ukraine and Bing News · ukraine": sources by name, escaped.
fn names(sources: &[Source]) -> String {
    let names: Vec<String> = sources
        .iter()
        .map(|s| format!("**{}**", escape(&s.display_name())))
        .collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Briefs `ask` now, leaving out the items in `told`, and sends it (with `note` above it when given); returns
/// the items it told.
async fn tell(
    ctx: &Context<'_>,
    ask: &Ask,
    note: Option<String>,
    told: &HashSet<i64>,
) -> Result<HashSet<i64>, CommandError> {
    let briefing = brief(ctx, ask, told).await?;
    send(ctx, ask, &briefing, note).await?;
    Ok(told_items(&briefing))
}

/// The follow-up for the late sources: the stories they add, under `line`; `false` (nothing sent) when they
/// add none.
async fn tell_more(
    ctx: &Context<'_>,
    ask: &Ask,
    told: &HashSet<i64>,
    line: String,
) -> Result<bool, CommandError> {
    let briefing = brief(ctx, ask, told).await?;
    if briefing.stories.is_empty() {
        return Ok(false);
    }
    send(ctx, ask, &briefing, Some(line)).await?;
    Ok(true)
}

/// The items a briefing told, with the duplicates it told with them.
fn told_items(briefing: &crate::brief::Briefing) -> HashSet<i64> {
    briefing
        .stories
        .iter()
        .flat_map(|s| s.item_ids.iter().chain(&s.duplicate_ids).copied())
        .collect()
}

/// The briefing `ask` gets now: the pages of its new items read for a while (what is not read by then is
/// briefed from the feed's text; the background reader reads it for next time), its items but those in
/// `told`, the channel's settings.
async fn brief(
    ctx: &Context<'_>,
    ask: &Ask,
    told: &HashSet<i64>,
) -> Result<crate::brief::Briefing, CommandError> {
    let data = ctx.data();
    let now = data.clock.now();
    let since = now - chrono::Duration::hours(i64::from(data.config.brief.window_hours));
    let wait = Duration::from_secs(data.config.articles.briefing_wait_secs);
    let reading = data.articles.read_unread(
        &data.store,
        Some(&ask.ids),
        Some(since),
        MAX_ITEMS,
        now,
        |_, _| {},
    );
    if let Ok(Err(e)) = tokio::time::timeout(wait, reading).await {
        tracing::warn!(error = %e, "cannot list article pages to read");
    }
    let mut items = data
        .store
        .items_of_sources(&ask.ids, Some(since), MAX_ITEMS)
        .await?;
    items.retain(|i| !told.contains(&i.id));
    // The channel's settings shape the briefing: length, story count, and LLM summaries if it chose them.
    let settings = data
        .store
        .channel_settings(ctx.channel_id().get())
        .await?
        .map(|r| ChannelSettings::from_row(&r))
        .unwrap_or_default();
    let briefer = Briefer {
        store: &data.store,
        llm: data.llm.as_ref(),
    };
    Ok(briefer
        .brief(Request {
            items: &items,
            topics: &ask.queries,
            base: Options::from(&data.config.brief),
            settings: &settings,
            reader: ask.reader.as_deref(),
            guild_id: ask.guild_id,
            now,
        })
        .await?
        .briefing)
}

/// Sends a briefing as follow-ups (`note` as the first message's text), and remembers it for the channel.
async fn send(
    ctx: &Context<'_>,
    ask: &Ask,
    briefing: &crate::brief::Briefing,
    note: Option<String>,
) -> Result<(), CommandError> {
    let data = ctx.data();
    let mut first_message = None;
    let mut note = note;
    for embeds in pack(briefing_embeds(briefing)) {
        let mut reply = poise::CreateReply::default().components(action_rows(&embeds));
        if let Some(n) = note.take() {
            reply = reply.content(n);
        }
        for e in &embeds {
            reply = reply.embed(e.build());
        }
        let sent = ctx.send(reply).await?;
        if first_message.is_none() {
            first_message = sent.message().await.ok().map(|m| m.id.get());
        }
    }
    // Told: an update tomorrow links to this reply.
    if let Some(reader) = &ask.reader {
        let place = Place {
            guild_id: Some(ask.guild_id),
            channel_id: Some(ctx.channel_id().get()),
            message_id: first_message,
            delivery_id: None,
        };
        data.store
            .remember(reader, &memory::tellings(briefing), place, data.clock.now())
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
