//! `/schedule set|show|pause|resume`: when a channel's briefing is posted.

use chrono::{DateTime, Utc};
use poise::serenity_prelude as serenity;

use crate::delivery::Schedule;
use crate::discord::context::{CommandError, Context, manage_server};
use crate::discord::escape::escape;

/// When this channel's briefing is posted.
#[poise::command(
    slash_command,
    guild_only,
    subcommands("set", "show", "pause", "resume"),
    subcommand_required
)]
pub async fn schedule(_ctx: Context<'_>) -> Result<(), CommandError> {
    Ok(())
}

fn next_three(s: &Schedule, now: DateTime<Utc>) -> String {
    let runs: Vec<String> = s
        .upcoming(now, 3)
        .iter()
        .map(|t| format!("<t:{}:F>", t.timestamp()))
        .collect();
    if runs.is_empty() {
        "no upcoming runs".to_owned()
    } else {
        runs.join(", ")
    }
}

/// Post this channel's briefing at these times ("08:00", "08:00,18:30") or on a cron expression.
#[poise::command(slash_command, guild_only, check = "manage_server")]
pub async fn set(
    ctx: Context<'_>,
    #[description = "08:00, or 08:00,18:30, or a cron expression like 0 8 * * 1-5"]
    #[max_length = 100]
    when: String,
    #[description = "IANA time zone, e.g. Europe/Kyiv (default from herald's config)"]
    #[max_length = 64]
    timezone: Option<String>,
    #[description = "The channel (default: this one)"] channel: Option<serenity::GuildChannel>,
) -> Result<(), CommandError> {
    let guild_id = super::guild_id(&ctx)?;
    let data = ctx.data();
    let tz = timezone.unwrap_or_else(|| data.config.schedule.default_timezone.clone());
    let parsed = Schedule::parse(&when, &tz)?;
    let channel_id = super::target_channel(&ctx, channel);
    let now = data.clock.now();
    parsed.check_spacing(now, data.config.schedule.min_interval())?;
    data.store
        .set_schedule(
            guild_id,
            channel_id,
            parsed.spec(),
            parsed.zone().name(),
            parsed.next_after(now),
            ctx.author().id.get(),
            now,
        )
        .await?;
    ctx.send(poise::CreateReply::default().content(format!(
        "<#{channel_id}> gets its briefing at `{}` ({}). Next: {}.",
        parsed.spec(),
        parsed.zone().name(),
        next_three(&parsed, now)
    )))
    .await?;
    Ok(())
}

/// This channel's schedule and its next three runs.
#[poise::command(slash_command, guild_only)]
pub async fn show(
    ctx: Context<'_>,
    #[description = "The channel (default: this one)"] channel: Option<serenity::GuildChannel>,
) -> Result<(), CommandError> {
    let channel_id = super::target_channel(&ctx, channel);
    let Some(row) = ctx.data().store.schedule(channel_id).await? else {
        return Err(CommandError::User(format!(
            "<#{channel_id}> has no schedule. An admin can set one with `/schedule set when:08:00`."
        )));
    };
    let text = match Schedule::parse(&row.spec, &row.tz) {
        Ok(_) if row.paused => format!(
            "<#{channel_id}>: `{}` ({}), **paused**{}. Resume with `/schedule resume`.",
            row.spec,
            row.tz,
            row.paused_reason
                .as_deref()
                .map(|r| format!(" ({})", escape(r)))
                .unwrap_or_default()
        ),
        Ok(s) => format!(
            "<#{channel_id}>: `{}` ({}). Next: {}.",
            row.spec,
            row.tz,
            next_three(&s, ctx.data().clock.now())
        ),
        Err(e) => {
            format!("<#{channel_id}> has a schedule herald can no longer read ({e}); set it again.")
        }
    };
    ctx.send(poise::CreateReply::default().content(text).ephemeral(true))
        .await?;
    Ok(())
}

/// Stop posting this channel's scheduled briefing (the schedule is kept).
#[poise::command(slash_command, guild_only, check = "manage_server")]
pub async fn pause(ctx: Context<'_>) -> Result<(), CommandError> {
    let channel_id = ctx.channel_id().get();
    if !ctx
        .data()
        .store
        .set_paused(channel_id, true, None, None)
        .await?
    {
        return Err(CommandError::User(
            "This channel has no schedule to pause. Set one with `/schedule set`.".into(),
        ));
    }
    ctx.send(
        poise::CreateReply::default().content(format!("<#{channel_id}>'s briefings are paused.")),
    )
    .await?;
    Ok(())
}

/// Post this channel's scheduled briefing again.
#[poise::command(slash_command, guild_only, check = "manage_server")]
pub async fn resume(ctx: Context<'_>) -> Result<(), CommandError> {
    let channel_id = ctx.channel_id().get();
    let data = ctx.data();
    let Some(row) = data.store.schedule(channel_id).await? else {
        return Err(CommandError::User(
            "This channel has no schedule to resume. Set one with `/schedule set`.".into(),
        ));
    };
    let parsed = Schedule::parse(&row.spec, &row.tz).map_err(|e| {
        CommandError::User(format!(
            "The stored schedule no longer reads ({e}); set it again."
        ))
    })?;
    // Resuming never replays what was missed while paused: the next run counts from now.
    let now = data.clock.now();
    data.store
        .set_paused(channel_id, false, None, parsed.next_after(now))
        .await?;
    ctx.send(poise::CreateReply::default().content(format!(
        "<#{channel_id}>'s briefings resume. Next: {}.",
        next_three(&parsed, now)
    )))
    .await?;
    Ok(())
}
