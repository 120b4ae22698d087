//! `/sources add|remove|list|providers|region`: the feeds this server draws from, and the news-search
//! providers its topics are searched on.

use poise::serenity_prelude as serenity;

use crate::discord::context::{CommandError, Context, manage_server};
use crate::discord::embeds::{COLOUR, truncate};
use crate::discord::escape::escape;
use crate::sources::add_feed;
use crate::sources::search::{PROVIDERS, SearchSettings, sync_searches};
use crate::store::GuildSearch;
use crate::text;

/// The feeds this server draws from.
///
/// No `default_member_permissions` here: Discord applies it to the whole group, which would hide `list` from
/// members. `add` and `remove` carry the Manage Server check themselves.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("add", "remove", "list", "providers", "region"),
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
    let data = ctx.data();
    let candidate = add_feed::check(
        &data.store,
        guild_id,
        &url,
        data.config.discord.max_sources_per_guild,
    )
    .await?;
    // Fetching can take longer than Discord's 3-second answer window.
    ctx.defer_ephemeral().await?;
    let added = add_feed::add(
        &data.store,
        &data.readers.fetcher,
        &data.config.poll,
        guild_id,
        ctx.author().id.get(),
        &candidate,
        data.clock.now(),
    )
    .await?;
    ctx.send(poise::CreateReply::default().content(format!(
        "Added **{}** ({} items; `/briefing` shows them now, scheduled briefings start with what comes next). \
         Subscribe a channel to a topic with `/subscribe`.",
        escape(&added.name),
        added.items
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

/// The feeds and searches this server draws from, with their last success and last error.
#[poise::command(slash_command, guild_only)]
pub async fn list(ctx: Context<'_>) -> Result<(), CommandError> {
    let guild_id = super::guild_id(&ctx)?;
    let data = ctx.data();
    let feeds = data.store.guild_sources(guild_id).await?;
    let searches = data.store.guild_searches(guild_id).await?;
    let settings = SearchSettings::resolve(
        &data.store.guild_search(guild_id).await?,
        &data.config.search,
    );
    if feeds.is_empty() && searches.is_empty() {
        return Err(CommandError::User(format!(
            "No sources yet. An admin can add a feed with `/sources add url:`; topics followed with \
             `/subscribe` are also searched on {} (`/sources providers`).",
            provider_names(&ctx, &settings.providers)
        )));
    }
    let mut lines: Vec<String> = feeds
        .iter()
        .map(|s| {
            source_line(
                &s.source,
                &escape(&s.source.display_name()),
                Some(&s.source.url),
            )
        })
        .collect();
    if !searches.is_empty() {
        lines.push(format!(
            "**Searches** ({}, {}-{})",
            provider_names(&ctx, &settings.providers),
            settings.locale.language,
            settings.locale.country
        ));
        lines.extend(searches.iter().map(|s| {
            let topics: Vec<String> = s.topics.split(',').map(escape).collect();
            source_line(
                &s.source,
                &format!(
                    "{} · {}",
                    provider_title(&ctx, &s.source.kind),
                    topics.join(", ")
                ),
                None,
            )
        }));
    }
    let embed = serenity::CreateEmbed::new()
        .title("Sources")
        .colour(COLOUR)
        .description(truncate(&lines.join("\n"), 4096));
    ctx.send(poise::CreateReply::default().embed(embed).ephemeral(true))
        .await?;
    Ok(())
}

/// One source in `/sources list`: its name, link, last success and, when failing, its error and next try.
fn source_line(source: &crate::store::Source, name: &str, url: Option<&str>) -> String {
    let ok = source.last_ok_at.map_or_else(
        || "never fetched".to_owned(),
        |t| format!("last fetched <t:{}:R>", t.timestamp()),
    );
    // A failing source shows its error and when the poller (backing off) tries it again.
    let err = source
        .last_error
        .as_deref()
        .map(|e| {
            let retry = source
                .next_fetch_at
                .map(|t| {
                    format!(
                        " (failed {}×; next try <t:{}:R>)",
                        source.fail_count,
                        t.timestamp()
                    )
                })
                .unwrap_or_default();
            format!("\n  ⚠ {}{retry}", escape(&truncate(e, 200)))
        })
        .unwrap_or_default();
    let link = url.map(|u| format!(" <{u}>")).unwrap_or_default();
    format!("• **{name}**{link} — {ok}{err}")
}

/// Stores a server's search settings and rebuilds its topics' searches; returns the settings in force.
async fn save_search_settings(
    ctx: &Context<'_>,
    guild_id: u64,
    stored: &GuildSearch,
) -> Result<SearchSettings, CommandError> {
    let data = ctx.data();
    data.store
        .set_guild_search(guild_id, stored, ctx.author().id.get(), data.clock.now())
        .await?;
    resync_searches(ctx, guild_id).await
}

/// Rebuilds the searches of a server's topics from its settings (after a subscription or a settings
/// change); returns the settings in force.
pub(super) async fn resync_searches(
    ctx: &Context<'_>,
    guild_id: u64,
) -> Result<SearchSettings, CommandError> {
    let data = ctx.data();
    let cfg = &data.config.search;
    let now = data.clock.now();
    sync_searches(&data.store, &data.readers.search, cfg, Some(guild_id), now).await?;
    Ok(SearchSettings::resolve(
        &data.store.guild_search(guild_id).await?,
        cfg,
    ))
}

/// A provider's name for people, as the provider gives it.
fn provider_title(ctx: &Context<'_>, name: &str) -> &'static str {
    ctx.data()
        .readers
        .search
        .providers()
        .get(name)
        .map_or("search", |p| p.title())
}

/// "Bing News, GDELT and Google News", or "no provider".
fn provider_names(ctx: &Context<'_>, names: &[String]) -> String {
    let titles: Vec<&str> = names.iter().map(|n| provider_title(ctx, n)).collect();
    match titles.split_last() {
        None => "no provider".to_owned(),
        Some((last, [])) => (*last).to_owned(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

/// A news-search provider, as offered in `/sources providers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poise::ChoiceParameter)]
pub enum ProviderChoice {
    /// Bing News RSS.
    #[name = "Bing News"]
    Bing,
    /// The GDELT DOC 2.0 API.
    #[name = "GDELT"]
    Gdelt,
    /// Google News RSS.
    #[name = "Google News"]
    Google,
    /// Hacker News (Algolia).
    #[name = "Hacker News"]
    Hn,
}

impl ProviderChoice {
    fn key(self) -> &'static str {
        match self {
            ProviderChoice::Bing => "bing",
            ProviderChoice::Gdelt => "gdelt",
            ProviderChoice::Google => "google",
            ProviderChoice::Hn => "hn",
        }
    }
}

/// Turn a news-search provider on or off for this server's topics (no options: show them).
#[poise::command(slash_command, guild_only, check = "manage_server")]
pub async fn providers(
    ctx: Context<'_>,
    #[description = "The provider to turn on or off"] provider: Option<ProviderChoice>,
    #[description = "On (true) or off (false)"] enabled: Option<bool>,
) -> Result<(), CommandError> {
    let guild_id = super::guild_id(&ctx)?;
    let data = ctx.data();
    let mut stored = data.store.guild_search(guild_id).await?;
    let mut settings = SearchSettings::resolve(&stored, &data.config.search);
    let changed = match (provider, enabled) {
        (None, None) => None,
        (Some(p), Some(on)) => {
            let mut list: Vec<String> = settings.providers.clone();
            list.retain(|n| n != p.key());
            if on {
                list.push(p.key().to_owned());
            }
            let list: Vec<&str> = PROVIDERS
                .iter()
                .copied()
                .filter(|n| list.iter().any(|l| l == n))
                .collect();
            stored.providers = Some(list.join(","));
            Some((p, on))
        }
        _ => {
            return Err(CommandError::User(
                "Give both `provider:` and `enabled:` to change one, or neither to see them."
                    .into(),
            ));
        }
    };
    if changed.is_some() {
        settings = save_search_settings(&ctx, guild_id, &stored).await?;
    }
    let head = match changed {
        Some((p, true)) => format!("{} is on. ", provider_title(&ctx, p.key())),
        Some((p, false)) => format!("{} is off. ", provider_title(&ctx, p.key())),
        None => String::new(),
    };
    ctx.send(poise::CreateReply::default().content(format!(
        "{head}This server's topics are searched on {} in {}-{} (change with `/sources region`), beside \
         its own feeds. Turn one on or off with `/sources providers provider: enabled:`.",
        provider_names(&ctx, &settings.providers),
        settings.locale.language,
        settings.locale.country
    )))
    .await?;
    Ok(())
}

/// Set the language and region of the news this server's topics are searched in.
#[poise::command(slash_command, guild_only, check = "manage_server")]
pub async fn region(
    ctx: Context<'_>,
    #[description = "Language code (ISO 639-1), e.g. en, de, uk"]
    #[max_length = 3]
    language: String,
    #[description = "Region code (ISO 3166-1), e.g. US, DE, UA"]
    #[max_length = 2]
    country: String,
) -> Result<(), CommandError> {
    let guild_id = super::guild_id(&ctx)?;
    let data = ctx.data();
    let locale = crate::sources::search::Locale::new(&language, &country)?;
    let stored = GuildSearch {
        language: Some(locale.language.clone()),
        country: Some(locale.country.clone()),
        ..data.store.guild_search(guild_id).await?
    };
    save_search_settings(&ctx, guild_id, &stored).await?;
    ctx.send(poise::CreateReply::default().content(format!(
        "This server's topics are now searched in {}-{}.",
        locale.language, locale.country
    )))
    .await?;
    Ok(())
}
