//! `/subscribe`, `/unsubscribe` and `/topics`: which topics a channel follows.

use poise::serenity_prelude as serenity;

use crate::discord::commands::EXAMPLE;
use crate::discord::context::{CommandError, Context, manage_server};
use crate::discord::embeds::COLOUR;
use crate::discord::escape::escape;
use crate::query::Query;
use crate::store::NewSubscription;
use crate::text;

/// Subscribe a channel to a topic (words, "phrases", OR, -exclude).
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    check = "manage_server"
)]
pub async fn subscribe(
    ctx: Context<'_>,
    #[description = "What to follow, e.g. ukraine OR kyiv \"peace talks\" -football"]
    #[max_length = 200]
    topic: String,
    #[description = "The channel to brief (default: this one)"] channel: Option<
        serenity::GuildChannel,
    >,
) -> Result<(), CommandError> {
    let guild_id = super::guild_id(&ctx)?;
    let query = super::parse_topic(&topic)?;
    let channel_id = super::target_channel(&ctx, channel);
    let data = ctx.data();
    let new = NewSubscription {
        guild_id,
        channel_id,
        query: topic.trim(),
        query_norm: &query.normalized(),
        created_by: ctx.author().id.get(),
    };
    let now = data.clock.now();
    data.store
        .subscribe(&new, data.config.discord.max_topics_per_guild, now)
        .await?;
    // The topic's searches: polled from now on, their first answers kept as backlog (for `/briefing`, not
    // pushed to the channel).
    let settings = super::sources::resync_searches(&ctx, guild_id).await?;
    let searched = data
        .readers
        .search
        .searches_for(&query, &settings.providers, &settings.locale);
    let feeds = data.store.guild_sources(guild_id).await?.len();
    let from = match (searched.is_empty(), feeds) {
        (true, 0) => {
            " Nothing will arrive yet: this server has no feeds and no search providers on; add a \
                     feed with `/sources add` or turn on a provider with `/sources providers`."
                .to_owned()
        }
        (true, n) => format!(" herald reads it in this server's {n} feed(s)."),
        (false, n) => format!(
            " herald searches {} for it{}.",
            provider_list(&searched),
            if n > 0 {
                format!(" and reads this server's {n} feed(s)")
            } else {
                String::new()
            }
        ),
    };
    let text = format!(
        "<#{channel_id}> now follows **{}** (read as: {}).{from} Ask for a briefing now with `/briefing`.",
        escape(topic.trim()),
        escape(&query.to_string())
    );
    ctx.send(poise::CreateReply::default().content(text))
        .await?;
    Ok(())
}

/// "Bing News, GDELT and Google News".
fn provider_list(searches: &[crate::sources::search::Search]) -> String {
    let names: Vec<&str> = searches.iter().map(|s| s.provider_title).collect();
    match names.split_last() {
        None => String::new(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

async fn autocomplete_topic(ctx: Context<'_>, partial: &str) -> Vec<serenity::AutocompleteChoice> {
    let Ok(subs) = ctx
        .data()
        .store
        .channel_subscriptions(ctx.channel_id().get())
        .await
    else {
        return Vec::new();
    };
    let needle = text::fold(partial);
    subs.into_iter()
        .filter(|s| text::fold(&s.query).contains(&needle))
        .take(25)
        .map(|s| {
            let name: String = s.query.chars().take(100).collect();
            serenity::AutocompleteChoice::new(name, s.query_norm)
        })
        .collect()
}

/// Stop following a topic in this channel.
#[poise::command(
    slash_command,
    guild_only,
    default_member_permissions = "MANAGE_GUILD",
    check = "manage_server"
)]
pub async fn unsubscribe(
    ctx: Context<'_>,
    #[description = "The topic to stop following"]
    #[autocomplete = "autocomplete_topic"]
    topic: String,
) -> Result<(), CommandError> {
    let channel_id = ctx.channel_id().get();
    let removed = ctx
        .data()
        .store
        .unsubscribe(channel_id, topic.trim())
        .await?
        || match Query::parse(&topic) {
            Ok(q) => {
                ctx.data()
                    .store
                    .unsubscribe(channel_id, &q.normalized())
                    .await?
            }
            Err(_) => false,
        };
    if !removed {
        return Err(CommandError::User(format!(
            "This channel does not follow {}. `/topics` lists what it follows.",
            escape(&topic)
        )));
    }
    ctx.send(poise::CreateReply::default().content(format!(
        "<#{channel_id}> no longer follows {}.",
        escape(&topic)
    )))
    .await?;
    Ok(())
}

/// The topics of a channel, or of the whole server, with each channel's schedule.
#[poise::command(slash_command, guild_only)]
pub async fn topics(
    ctx: Context<'_>,
    #[description = "Only this channel (default: the whole server)"] channel: Option<
        serenity::GuildChannel,
    >,
) -> Result<(), CommandError> {
    let guild_id = super::guild_id(&ctx)?;
    let subs = match &channel {
        Some(c) => ctx.data().store.channel_subscriptions(c.id.get()).await?,
        None => ctx.data().store.guild_subscriptions(guild_id).await?,
    };
    if subs.is_empty() {
        return Err(CommandError::User(
            "No topics yet. An admin can add one with `/subscribe topic:` — for example "
                .to_owned()
                + EXAMPLE,
        ));
    }
    let mut lines = Vec::new();
    let mut last = None;
    for s in &subs {
        if last != Some(s.channel_id) {
            let when = match ctx.data().store.schedule(s.channel_id).await? {
                None => " — no schedule yet (`/schedule set`)".to_owned(),
                Some(row) if row.paused => format!(" — `{}` ({}), paused", row.spec, row.tz),
                Some(row) => format!(
                    " — `{}` ({}){}",
                    row.spec,
                    row.tz,
                    row.next_run_at
                        .map(|t| format!(", next <t:{}:R>", t.timestamp()))
                        .unwrap_or_default()
                ),
            };
            let settings = ctx
                .data()
                .store
                .channel_settings(s.channel_id)
                .await?
                .map(|r| crate::brief::channel_settings::ChannelSettings::from_row(&r))
                .and_then(|c| super::settings::short_line(&c))
                .map(|l| format!(" · {l}"))
                .unwrap_or_default();
            lines.push(format!("**<#{}>**{when}{settings}", s.channel_id));
            last = Some(s.channel_id);
        }
        lines.push(format!("• {}", escape(&s.query)));
    }
    let embed = serenity::CreateEmbed::new()
        .title("Topics")
        .colour(COLOUR)
        .description(crate::discord::embeds::truncate(&lines.join("\n"), 4096));
    ctx.send(poise::CreateReply::default().embed(embed).ephemeral(true))
        .await?;
    Ok(())
}
