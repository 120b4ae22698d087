//! Slash commands, one file per feature. Each is a plain `async fn`; failures go to the shared `on_error`.

mod briefing;
mod help;
mod schedule;
mod search;
mod settings;
mod sources;
mod subscribe;

use poise::serenity_prelude as serenity;

use super::context::{CommandError, Context, Data};
use crate::query::Query;

/// An example topic for error messages.
pub const EXAMPLE: &str = "`ukraine OR kyiv \"peace talks\" -football`";

/// A topic or search query a member typed, or an answer saying what is wrong and showing one that works.
fn parse_topic(text: &str) -> Result<Query, CommandError> {
    Query::parse(text).map_err(|e| {
        CommandError::User(format!(
            "That topic does not parse: {e}. A topic that works: {EXAMPLE}"
        ))
    })
}

/// The channel a command acts on: the `channel:` option when given, else the channel it was invoked in.
fn target_channel(ctx: &Context<'_>, channel: Option<serenity::GuildChannel>) -> u64 {
    channel.map_or(ctx.channel_id(), |c| c.id).get()
}

/// The server a command runs in; commands are guild-only, so this fails only on a malformed interaction.
fn guild_id(ctx: &Context<'_>) -> Result<u64, CommandError> {
    ctx.guild_id()
        .map(|g| g.get())
        .ok_or_else(|| CommandError::User("Use this command in a server channel.".into()))
}

/// Every command herald registers.
pub fn all() -> Vec<poise::Command<Data, CommandError>> {
    vec![
        help::help(),
        subscribe::subscribe(),
        subscribe::unsubscribe(),
        subscribe::topics(),
        sources::sources(),
        briefing::briefing(),
        search::search(),
        schedule::schedule(),
        settings::settings(),
    ]
}
