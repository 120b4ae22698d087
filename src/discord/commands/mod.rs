//! Slash commands, one file per feature. Each is a plain `async fn`; failures go to the shared `on_error`.

mod briefing;
mod help;
mod schedule;
mod search;
mod sources;
mod subscribe;

use super::bot::{CommandError, Context, Data};

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
    ]
}
