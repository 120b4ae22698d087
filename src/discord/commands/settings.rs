//! `/settings show|set`: how a channel's briefings are written and posted.

use poise::serenity_prelude as serenity;

use crate::brief::channel_settings::{ChannelSettings, Length, PostIn, Style, is_language_tag};
use crate::config::NothingNew;
use crate::discord::context::{CommandError, Context, manage_server};
use crate::discord::embeds::{COLOUR, action_rows, briefing_embeds, pack};
use crate::discord::escape::escape;

/// How a channel's briefings are written and posted.
///
/// No `default_member_permissions`: members may `show`; `set` checks Manage Server itself.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("show", "set"),
    subcommand_required
)]
pub async fn settings(_ctx: Context<'_>) -> Result<(), CommandError> {
    Ok(())
}

/// How summaries are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poise::ChoiceParameter)]
pub enum StyleChoice {
    /// herald's own summaries: no key, each article's own language.
    #[name = "extractive"]
    Extractive,
    /// An LLM's, checked against the sources.
    #[name = "llm"]
    Llm,
}

/// How long each story is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poise::ChoiceParameter)]
pub enum LengthChoice {
    /// Titles and links only.
    #[name = "headlines"]
    Headlines,
    /// One or two sentences.
    #[name = "short"]
    Short,
    /// A paragraph.
    #[name = "full"]
    Full,
}

/// Whether stories show their lead image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poise::ChoiceParameter)]
pub enum ImagesChoice {
    /// Each story shows its article's picture beside it.
    #[name = "on"]
    On,
    /// Text only.
    #[name = "off"]
    Off,
}

/// What a scheduled briefing with nothing new does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poise::ChoiceParameter)]
pub enum NothingNewChoice {
    /// Post nothing.
    #[name = "silent"]
    Silent,
    /// Post one line: "Nothing new on … since …".
    #[name = "say"]
    Say,
}

/// Where scheduled briefings are posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, poise::ChoiceParameter)]
pub enum PostInChoice {
    /// In the channel itself.
    #[name = "channel"]
    Channel,
    /// In a new thread of the channel per briefing, named for the date.
    #[name = "thread"]
    Thread,
    /// As a new post of a forum channel (give `forum:`).
    #[name = "forum"]
    Forum,
}

/// Forum tags a briefing post gets, by name (the first the forum has).
const FORUM_TAGS: &[&str] = &["briefing", "briefings", "news", "herald"];

/// The channel's settings and today's LLM use; with preview, its next briefing as if posted now.
#[poise::command(slash_command, guild_only)]
pub async fn show(
    ctx: Context<'_>,
    #[description = "The channel (default: this one)"] channel: Option<serenity::GuildChannel>,
    #[description = "Also show the channel's next briefing as it would be posted now (only you see it)"]
    preview: Option<bool>,
) -> Result<(), CommandError> {
    let guild_id = super::guild_id(&ctx)?;
    let channel_id = super::target_channel(&ctx, channel);
    let preview = preview.unwrap_or(false);
    if preview {
        // A preview may write LLM summaries on the server's budget: the admins' call, as `set` is.
        manage_server(ctx).await?;
        ctx.defer_ephemeral().await?;
    }
    let settings = load(&ctx, channel_id).await?;
    let text = describe(&ctx, guild_id, channel_id, &settings).await?;
    let embed = serenity::CreateEmbed::new()
        .title("Briefing settings")
        .colour(COLOUR)
        .description(text);
    ctx.send(poise::CreateReply::default().embed(embed).ephemeral(true))
        .await?;
    if preview {
        show_preview(&ctx, guild_id, channel_id).await?;
    }
    Ok(())
}

/// The channel's next briefing as its schedule would post it now, only to the one who asked: the same embeds
/// and buttons, made by the same call as the schedule's, and nothing recorded as told.
async fn show_preview(
    ctx: &Context<'_>,
    guild_id: u64,
    channel_id: u64,
) -> Result<(), CommandError> {
    let data = ctx.data();
    let now = data.clock.now();
    let set_at = data
        .store
        .schedule(channel_id)
        .await?
        .map_or(now, |row| row.updated_at);
    let next = crate::delivery::next_briefing(
        &data.store,
        data.llm.as_ref(),
        &data.config.brief,
        crate::delivery::Channel {
            guild_id,
            channel_id,
            set_at,
        },
        now,
        now,
    )
    .await?;
    if next.briefing.stories.is_empty() {
        let said = if next.briefing.stories_unchanged > 0 {
            format!(
                "Nothing new for <#{channel_id}> since <t:{}:f>: {} told there before {} no new reports.",
                next.since.timestamp(),
                crate::text::count(next.briefing.stories_unchanged, "story", "stories"),
                if next.briefing.stories_unchanged == 1 {
                    "has"
                } else {
                    "have"
                }
            )
        } else {
            format!(
                "Nothing new for <#{channel_id}> since <t:{}:f>, so its next briefing would be empty if it were \
                 posted now. `/sources list` shows what herald reads; `/subscribe` adds a topic.",
                next.since.timestamp()
            )
        };
        ctx.send(poise::CreateReply::default().content(said).ephemeral(true))
            .await?;
        return Ok(());
    }
    let messages = pack(briefing_embeds(&next.briefing));
    for (n, embeds) in messages.iter().enumerate() {
        let mut reply = poise::CreateReply::default()
            .ephemeral(true)
            .components(action_rows(embeds));
        if n == 0 {
            reply = reply.content(format!(
                "Preview: <#{channel_id}>'s next briefing if it were posted now (only you see this; nothing is \
                 marked as told)."
            ));
        }
        for e in embeds {
            reply = reply.embed(e.build());
        }
        ctx.send(reply).await?;
    }
    Ok(())
}

/// Change how this channel's briefings are written and posted (give only what you change).
#[poise::command(slash_command, guild_only, check = "manage_server")]
#[allow(clippy::too_many_arguments)] // one per setting, as Discord shows them
pub async fn set(
    ctx: Context<'_>,
    #[description = "The channel (default: this one)"] channel: Option<serenity::GuildChannel>,
    #[description = "extractive (no key) or llm"] style: Option<StyleChoice>,
    #[description = "Language of LLM summaries, a BCP 47 tag: en, uk, de, pt-BR…"]
    #[max_length = 35]
    language: Option<String>,
    #[description = "headlines, short (1–2 sentences) or full (a paragraph)"] length: Option<
        LengthChoice,
    >,
    #[description = "Stories per briefing"]
    #[min = 1]
    #[max = 25]
    max_stories: Option<u32>,
    #[description = "A role to ping with scheduled briefings (nobody else is ever pinged)"]
    ping: Option<serenity::Role>,
    #[description = "Stop pinging a role"] no_ping: Option<bool>,
    #[description = "Where scheduled briefings go: channel, a thread per briefing, or a forum"]
    post_in: Option<PostInChoice>,
    #[description = "The forum channel, with post_in: forum"]
    #[channel_types("Forum")]
    forum: Option<serenity::ChannelId>,
    #[description = "When nothing is new at its time: silent (post nothing) or say (one line)"]
    nothing_new: Option<NothingNewChoice>,
    #[description = "Show each story's picture beside it: on (the default) or off"] images: Option<
        ImagesChoice,
    >,
) -> Result<(), CommandError> {
    let guild_id = super::guild_id(&ctx)?;
    let channel_id = super::target_channel(&ctx, channel);
    let data = ctx.data();
    let mut s = load(&ctx, channel_id).await?;
    if let Some(choice) = post_in {
        s.post_in = where_to_post(&ctx, channel_id, choice, forum).await?;
    }
    if let Some(style) = style {
        if style == StyleChoice::Llm && data.llm.is_none() {
            return Err(CommandError::User(
                "This herald has no LLM configured (`[llm] base_url`), so summaries stay extractive. Ask \
                 whoever runs it to set one up."
                    .into(),
            ));
        }
        s.style = match style {
            StyleChoice::Extractive => Style::Extractive,
            StyleChoice::Llm => Style::Llm,
        };
    }
    if let Some(tag) = language {
        let tag = tag.trim().to_owned();
        if !is_language_tag(&tag) {
            return Err(CommandError::User(format!(
                "{} is not a language tag. Give a BCP 47 tag such as en, uk, de or pt-BR.",
                escape(&tag)
            )));
        }
        s.language = Some(tag);
    }
    if let Some(l) = length {
        s.length = Some(match l {
            LengthChoice::Headlines => Length::Headlines,
            LengthChoice::Short => Length::Short,
            LengthChoice::Full => Length::Full,
        });
    }
    if let Some(n) = max_stories {
        s.max_stories = Some(n as usize);
    }
    if let Some(role) = ping {
        if role.id.get() == guild_id {
            return Err(CommandError::User(
                "herald never pings @everyone. Pick a role members can opt into.".into(),
            ));
        }
        let can_mention_all = match ctx {
            poise::Context::Application(app) => app
                .interaction
                .app_permissions
                .is_some_and(|p| p.mention_everyone() || p.administrator()),
            poise::Context::Prefix(_) => false,
        };
        if !role.mentionable && !can_mention_all {
            return Err(CommandError::User(format!(
                "herald cannot ping **{}**: the role is not mentionable. Make it mentionable (Server Settings → \
                 Roles → Allow anyone to @mention this role), or grant herald the permission \"Mention \
                 @everyone, @here, and All Roles\".",
                escape(&role.name)
            )));
        }
        s.ping_role = Some(role.id.get());
    }
    if no_ping == Some(true) {
        s.ping_role = None;
    }
    if let Some(choice) = nothing_new {
        s.nothing_new = Some(match choice {
            NothingNewChoice::Silent => NothingNew::Silent,
            NothingNewChoice::Say => NothingNew::Say,
        });
    }
    if let Some(choice) = images {
        s.images_off = choice == ImagesChoice::Off;
    }
    data.store
        .set_channel_settings(
            guild_id,
            channel_id,
            &s.to_row(),
            ctx.author().id.get(),
            data.clock.now(),
        )
        .await?;
    let text = describe(&ctx, guild_id, channel_id, &s).await?;
    ctx.send(poise::CreateReply::default().content(format!("Saved.\n{text}")))
        .await?;
    Ok(())
}

/// herald's permissions where the command runs (Discord sends them with every command).
fn app_permissions(ctx: &Context<'_>) -> serenity::Permissions {
    match ctx {
        poise::Context::Application(app) => app.interaction.app_permissions.unwrap_or_default(),
        poise::Context::Prefix(_) => serenity::Permissions::empty(),
    }
}

/// Checks that herald can post where it is asked to, or says what to grant.
async fn where_to_post(
    ctx: &Context<'_>,
    channel_id: u64,
    choice: PostInChoice,
    forum: Option<serenity::ChannelId>,
) -> Result<PostIn, CommandError> {
    use serenity::Permissions as P;
    let have = app_permissions(ctx);
    let missing = |need: &[(P, &str)]| -> Vec<String> {
        if have.administrator() {
            return Vec::new();
        }
        need.iter()
            .filter(|(p, _)| !have.contains(*p))
            .map(|(_, name)| format!("**{name}**"))
            .collect()
    };
    match choice {
        PostInChoice::Channel => Ok(PostIn::Channel),
        PostInChoice::Thread => {
            let lacking = missing(&[
                (P::CREATE_PUBLIC_THREADS, "Create Public Threads"),
                (P::SEND_MESSAGES_IN_THREADS, "Send Messages in Threads"),
            ]);
            if !lacking.is_empty() {
                return Err(CommandError::User(format!(
                    "herald cannot open threads in <#{channel_id}>: grant it {} there (channel settings → \
                     Permissions), then try again.",
                    lacking.join(" and ")
                )));
            }
            Ok(PostIn::Thread)
        }
        PostInChoice::Forum => {
            let Some(forum) = forum else {
                return Err(CommandError::User(
                    "Name the forum channel too: `post_in: forum forum: #your-forum`.".into(),
                ));
            };
            let channel = forum
                .to_channel(ctx)
                .await
                .ok()
                .and_then(|c| c.guild())
                .filter(|c| c.kind == serenity::ChannelType::Forum);
            let Some(channel) = channel else {
                return Err(CommandError::User(format!(
                    "<#{forum}> is not a forum channel herald can see. Pick a forum channel."
                )));
            };
            let lacking = missing(&[
                (P::SEND_MESSAGES, "Send Messages (Create Posts)"),
                (P::SEND_MESSAGES_IN_THREADS, "Send Messages in Posts"),
            ]);
            if !lacking.is_empty() {
                return Err(CommandError::User(format!(
                    "herald cannot post in <#{forum}>: grant it {} there, then try again.",
                    lacking.join(" and ")
                )));
            }
            let tag = channel
                .available_tags
                .iter()
                .find(|t| FORUM_TAGS.iter().any(|n| t.name.eq_ignore_ascii_case(n)))
                .map(|t| t.id.get());
            if tag.is_none() && channel.flags.contains(serenity::ChannelFlags::REQUIRE_TAG) {
                return Err(CommandError::User(format!(
                    "<#{forum}> requires a tag on every post: add a tag named \"briefing\" to it, then try again."
                )));
            }
            Ok(PostIn::Forum {
                channel: forum.get(),
                tag,
            })
        }
    }
}

async fn load(ctx: &Context<'_>, channel_id: u64) -> Result<ChannelSettings, CommandError> {
    Ok(ctx
        .data()
        .store
        .channel_settings(channel_id)
        .await?
        .map(|r| ChannelSettings::from_row(&r))
        .unwrap_or_default())
}

/// The settings in words, one per line, with today's LLM use when the channel uses it.
async fn describe(
    ctx: &Context<'_>,
    guild_id: u64,
    channel_id: u64,
    s: &ChannelSettings,
) -> Result<String, CommandError> {
    let data = ctx.data();
    let brief = &data.config.brief;
    let style = match s.style {
        Style::Extractive => {
            "extractive (herald's own summaries; each in its article's language)".to_owned()
        }
        Style::Llm => format!(
            "llm, in `{}` (checked against the sources; \"(extractive)\" marks a story where it fell back)",
            escape(s.llm_language())
        ),
    };
    let length = match s.length {
        Some(l) => l.name().to_owned(),
        None if brief.summary_words > 0 => format!("default (about {} words)", brief.summary_words),
        None => format!("default ({} sentences)", brief.sentences),
    };
    let stories = s.max_stories.map_or_else(
        || format!("default ({})", brief.max_stories),
        |n| n.to_string(),
    );
    let post_in = match s.post_in {
        PostIn::Channel => "this channel".to_owned(),
        PostIn::Thread => "a new thread per briefing".to_owned(),
        PostIn::Forum { channel, .. } => format!("a new post in <#{channel}> per briefing"),
    };
    let ping = s.ping_role.map_or_else(
        || "nobody".to_owned(),
        |r| format!("<@&{r}> (scheduled briefings only)"),
    );
    let quiet = |n: NothingNew| match n {
        NothingNew::Silent => "post nothing",
        NothingNew::Say => "post one line (\"Nothing new on … since …\")",
    };
    let nothing_new = match s.nothing_new {
        Some(n) => quiet(n).to_owned(),
        None => format!("default ({})", quiet(data.config.schedule.nothing_new)),
    };
    let mut lines = vec![
        format!("**Channel** <#{channel_id}>"),
        format!("**Style** {style}"),
        format!("**Length** {length}"),
        format!("**Stories** {stories}"),
        format!("**Posted in** {post_in}"),
        format!("**Ping** {ping}"),
        format!("**Nothing new** {nothing_new}"),
        format!(
            "**Images** {}",
            if s.images_off {
                "off (text only)"
            } else {
                "on (each story's picture beside it)"
            }
        ),
    ];
    if let Some(llm) = &data.llm {
        let ((mine, mine_cap), (all, all_cap)) =
            llm.usage(&data.store, guild_id, data.clock.now()).await?;
        lines.push(format!(
            "**LLM today** {mine} of {mine_cap} tokens for this server ({all} of {all_cap} for all)"
        ));
    }
    Ok(lines.join("\n"))
}

/// A channel's settings in one short line for `/topics`, when it changed any.
pub fn short_line(s: &ChannelSettings) -> Option<String> {
    if *s == ChannelSettings::default() {
        return None;
    }
    let mut parts = vec![match s.style {
        Style::Extractive => "extractive".to_owned(),
        Style::Llm => format!("llm ({})", escape(s.llm_language())),
    }];
    if let Some(l) = s.length {
        parts.push(l.name().to_owned());
    }
    if let Some(n) = s.max_stories {
        parts.push(format!("{n} stories"));
    }
    match s.post_in {
        PostIn::Channel => {}
        PostIn::Thread => parts.push("in threads".to_owned()),
        PostIn::Forum { channel, .. } => parts.push(format!("in <#{channel}>")),
    }
    if let Some(r) = s.ping_role {
        parts.push(format!("pings <@&{r}>"));
    }
    match s.nothing_new {
        Some(NothingNew::Say) => parts.push("says when nothing is new".to_owned()),
        Some(NothingNew::Silent) => parts.push("silent when nothing is new".to_owned()),
        None => {}
    }
    if s.images_off {
        parts.push("no images".to_owned());
    }
    Some(parts.join(", "))
}
