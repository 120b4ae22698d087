//! `/search query:<text> [since]`: stored items matching a query, most relevant and newest first.

use poise::serenity_prelude as serenity;

use crate::clock::parse_lookback;
use crate::discord::context::{CommandError, Context};
use crate::discord::embeds::{COLOUR, truncate};
use crate::discord::escape::escape;
use crate::query::Haystack;

/// Candidates read from the full-text index at most.
const CANDIDATES: usize = 500;
/// Results shown.
const SHOWN: usize = 10;

/// Search stored stories (words, "phrases", OR, -exclude).
#[poise::command(slash_command, guild_only)]
pub async fn search(
    ctx: Context<'_>,
    #[description = "What to look for, e.g. ceasefire OR truce -football"]
    #[max_length = 200]
    query: String,
    #[description = "How far back, e.g. 24h, 3d, 2w (default 7d)"] since: Option<String>,
) -> Result<(), CommandError> {
    let parsed = super::parse_topic(&query)?;
    let window = match since.as_deref() {
        Some(s) => parse_lookback(s)?,
        None => chrono::Duration::days(7),
    };
    let from = ctx
        .data()
        .clock
        .now()
        .checked_sub_signed(window)
        .unwrap_or_default();
    let found = ctx
        .data()
        .store
        .search_items(&parsed.fts_prefilter(), Some(from), CANDIDATES)
        .await?;
    let mut hits: Vec<(f64, crate::item::Item)> = found
        .into_iter()
        .filter_map(|i| {
            parsed
                .score(&Haystack::new(&i.title, &i.match_text()))
                .map(|s| (s, i))
        })
        .collect();
    // Stable sort keeps the store's newest-first order within equal relevance.
    hits.sort_by(|a, b| b.0.total_cmp(&a.0));
    if hits.is_empty() {
        return Err(CommandError::User(format!(
            "Nothing stored matches {} in that time. Try fewer words, a longer `since`, or add sources with \
             `/sources add`.",
            escape(&query)
        )));
    }
    let total = hits.len();
    let lines: Vec<String> = hits
        .iter()
        .take(SHOWN)
        .map(|(_, i)| {
            let title = escape(&truncate(&i.title, 150));
            let head = match &i.url {
                Some(u) => format!("[{title}](<{u}>)"),
                None => title,
            };
            format!(
                "• {head} — {}, <t:{}:R>",
                escape(&i.source_name),
                i.time().timestamp()
            )
        })
        .collect();
    let embed = serenity::CreateEmbed::new()
        .title(truncate(&format!("Search: {}", escape(&query)), 256))
        .colour(COLOUR)
        .description(truncate(&lines.join("\n"), 4096))
        .footer(serenity::CreateEmbedFooter::new(format!(
            "{} of {total} matches shown",
            total.min(SHOWN)
        )));
    ctx.send(poise::CreateReply::default().embed(embed)).await?;
    Ok(())
}
