//! `/sources add|remove|list`: the feeds this server draws from.

use poise::serenity_prelude as serenity;

use crate::discord::bot::{CommandError, Context, manage_server};
use crate::discord::embeds::{COLOUR, truncate};
use crate::discord::escape::escape;
use crate::sources::ingest::{redact, refresh};
use crate::text;

/// The feeds this server draws from.
///
/// No `default_member_permissions` here: Discord applies it to the whole group, which would hide `list` from
/// members. `add` and `remove` carry the Manage Server check themselves.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("add", "remove", "list"),
    subcommand_required
)]
pub async fn sources(_ctx: Context<'_>) -> Result<(), CommandError> {
    Ok(())
}

/// Add a news feed (RSS, Atom or JSON Feed) by its URL.
#[poise::command(slash_command, guild_only, check = "manage_server")]
pub async fn add(
    ctx: Context<'_>,
    #[description = "The feed's URL, e.g. https://feeds.bbci.co.uk/news/world/rss.xml"]
    #[max_length = 500]
    url: String,
) -> Result<(), CommandError> {
    let guild_id = super::guild_id(&ctx)?;
    // What is checked is what is stored and fetched: the normalised URL (`http:/host/x` → `http://host/x`),
    // never the raw text, which could later read as a local path.
    let Some(url) = url::Url::parse(url.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(String::from)
    else {
        return Err(CommandError::User(format!(
            "{} is not a web address. Give the feed's full URL, starting with https://",
            escape(&redact(url.trim()))
        )));
    };
    let data = ctx.data();
    let existing = data.store.guild_sources(guild_id).await?;
    if existing.iter().any(|s| s.source.url == url) {
        return Err(CommandError::User(
            "This server already has that source. `/sources list` shows them all.".into(),
        ));
    }
    if existing.len() >= data.config.discord.max_sources_per_guild {
        return Err(CommandError::User(format!(
            "This server already has {} sources, the most allowed. Remove one with `/sources remove` first.",
            existing.len()
        )));
    }
    // Fetching can take longer than Discord's 3-second answer window.
    ctx.defer_ephemeral().await?;
    let now = ctx.data().clock.now();
    let refreshed = refresh(&data.store, &data.fetcher, &url, now).await.map_err(|e| match e {
        crate::sources::ingest::IngestError::Store(e) => CommandError::Store(e),
        other => CommandError::User(format!(
            "Could not add it: {}. Check that the link is a feed (RSS, Atom or JSON Feed), not a web page.",
            escape(&other.to_string())
        )),
    })?;
    data.store
        .add_guild_source(guild_id, refreshed.source.id, ctx.author().id.get(), now)
        .await?;
    // Just fetched: the poller takes it from here, one interval on. What it held now is stored as backlog,
    // so the channels' scheduled briefings start with what comes next instead of a flood.
    data.store
        .set_next_fetch(
            refreshed.source.id,
            crate::sources::poller::next_after_success(&data.config.poll, refreshed.source.id, now),
        )
        .await?;
    let name = data
        .store
        .upsert_source(&refreshed.source.url, "feed", now)
        .await?
        .display_name();
    ctx.send(poise::CreateReply::default().content(format!(
        "Added **{}** ({} items; `/briefing` shows them now, scheduled briefings start with what comes next). \
         Subscribe a channel to a topic with `/subscribe`.",
        escape(&name),
        refreshed.feed_items
    )))
    .await?;
    Ok(())
}

async fn autocomplete_source(ctx: Context<'_>, partial: &str) -> Vec<serenity::AutocompleteChoice> {
    let Some(guild_id) = ctx.guild_id() else {
        return Vec::new();
    };
    let Ok(list) = ctx.data().store.guild_sources(guild_id.get()).await else {
        return Vec::new();
    };
    let needle = text::fold(partial);
    list.into_iter()
        .filter(|s| {
            text::fold(&s.source.url).contains(&needle)
                || text::fold(&s.source.display_name()).contains(&needle)
        })
        .take(25)
        .filter(|s| s.source.url.chars().count() <= 100)
        .map(|s| {
            let name: String = format!("{} — {}", s.source.display_name(), s.source.url)
                .chars()
                .take(100)
                .collect();
            serenity::AutocompleteChoice::new(name, s.source.url)
        })
        .collect()
}

/// Stop drawing from a feed.
#[poise::command(slash_command, guild_only, check = "manage_server")]
pub async fn remove(
    ctx: Context<'_>,
    #[description = "The feed to remove"]
    #[autocomplete = "autocomplete_source"]
    url: String,
) -> Result<(), CommandError> {
    let guild_id = super::guild_id(&ctx)?;
    if !ctx
        .data()
        .store
        .remove_guild_source(guild_id, url.trim())
        .await?
    {
        return Err(CommandError::User(format!(
            "This server has no source {}. `/sources list` shows them.",
            escape(&url)
        )));
    }
    ctx.send(poise::CreateReply::default().content(format!("Removed {}.", escape(&url))))
        .await?;
    Ok(())
}

/// The feeds this server draws from, with their last success and last error.
#[poise::command(slash_command, guild_only)]
pub async fn list(ctx: Context<'_>) -> Result<(), CommandError> {
    let guild_id = super::guild_id(&ctx)?;
    let list = ctx.data().store.guild_sources(guild_id).await?;
    if list.is_empty() {
        return Err(CommandError::User(
            "No sources yet. An admin can add a feed with `/sources add url:`.".into(),
        ));
    }
    let lines: Vec<String> = list
        .iter()
        .map(|s| {
            let ok = s.source.last_ok_at.map_or_else(
                || "never fetched".to_owned(),
                |t| format!("last fetched <t:{}:R>", t.timestamp()),
            );
            // A failing source shows its error and when the poller (backing off) tries it again.
            let err = s
                .source
                .last_error
                .as_deref()
                .map(|e| {
                    let retry = s
                        .source
                        .next_fetch_at
                        .map(|t| {
                            format!(
                                " (failed {}×; next try <t:{}:R>)",
                                s.source.fail_count,
                                t.timestamp()
                            )
                        })
                        .unwrap_or_default();
                    format!("\n  ⚠ {}{retry}", escape(&truncate(e, 200)))
                })
                .unwrap_or_default();
            format!(
                "• **{}** <{}> — {ok}{err}",
                escape(&s.source.display_name()),
                s.source.url
            )
        })
        .collect();
    let embed = serenity::CreateEmbed::new()
        .title("Sources")
        .colour(COLOUR)
        .description(truncate(&lines.join("\n"), 4096));
    ctx.send(poise::CreateReply::default().embed(embed).ephemeral(true))
        .await?;
    Ok(())
}
