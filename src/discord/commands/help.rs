//! `/help`: what herald does and how to start, in one embed.

use poise::CreateReply;
use serenity::builder::CreateEmbed;

use crate::discord::context::{CommandError, Context};
use crate::discord::embeds::COLOUR;

/// What herald does and how to start.
#[poise::command(slash_command, guild_only)]
pub async fn help(ctx: Context<'_>) -> Result<(), CommandError> {
    let embed = CreateEmbed::new()
        .title("herald — calm daily news briefings")
        .colour(COLOUR)
        .description(
            "herald searches the news for the topics you follow and reads your feeds, merges the same story \
             told by many outlets, and posts one short, summarised briefing per channel.\n\n\
             **Start here**\n\
             1. `/subscribe topic:` what this channel follows, e.g. `ukraine OR kyiv ceasefire -football` — admins. \
             It is searched on news providers right away (`/sources providers`, `/sources region`).\n\
             2. Optionally `/sources add url:` a news feed (RSS, Atom or JSON Feed) — admins.\n\
             3. `/briefing` for a briefing now; `/search query:` to look through stored stories.\n\n\
             **Topics**: words must all match, `\"exact phrase\"`, `a OR b`, `-exclude`. Case, accents and word \
             endings do not matter (ceasefire finds ceasefires; Україна finds України).",
        );
    ctx.send(CreateReply::default().embed(embed).ephemeral(true))
        .await?;
    Ok(())
}
