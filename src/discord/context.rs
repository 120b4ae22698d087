//! What every command reaches and how it fails: the commands' shared [`Data`], poise's [`Context`] over it,
//! [`CommandError`] (one place decides what a user is told), and the Manage Server check.

use std::sync::Arc;

use poise::serenity_prelude as serenity;

use super::cooldown::Cooldown;
use crate::clock::Clock;
use crate::config::Config;
use crate::sources::articles::ArticleReader;
use crate::sources::ingest::{InFlight, Readers};
use crate::store::Store;

/// What every command can reach: the store and the settings.
pub struct Data {
    /// The shared SQLite store.
    pub store: Store,
    /// herald's settings.
    pub config: Arc<Config>,
    /// The hardened HTTP client for feeds, and the search providers.
    pub readers: Readers,
    /// Writes LLM summaries for channels that chose them (`None`: no `[llm]` endpoint configured).
    pub llm: Option<crate::brief::llm::LlmSummarizer>,
    /// Reads the article pages behind items (shared with the background reader: one fetch per page).
    pub articles: ArticleReader,
    /// Where "now" comes from (the scheduler reads the same clock).
    pub clock: Arc<dyn Clock>,
    /// Sources `/briefing` is refreshing now (one fetch per source however many ask at once).
    pub refreshing: InFlight,
    /// `/briefing` once per member per `[discord] briefing_cooldown_secs`.
    pub member_cooldown: Cooldown,
    /// `/briefing` once per server per `[discord] briefing_guild_cooldown_secs`.
    pub guild_cooldown: Cooldown,
}

/// A command's failure. `User` is shown as written; anything else is logged and answered with a generic line.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// Something the user can fix, in a sentence that says how.
    #[error("{0}")]
    User(String),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Discord failed (boxed: serenity's error is large).
    #[error(transparent)]
    Discord(Box<serenity::Error>),
}

impl From<serenity::Error> for CommandError {
    fn from(e: serenity::Error) -> Self {
        CommandError::Discord(Box::new(e))
    }
}

impl From<crate::sources::add_feed::AddError> for CommandError {
    fn from(e: crate::sources::add_feed::AddError) -> Self {
        match e {
            crate::sources::add_feed::AddError::Store(e) => CommandError::Store(e),
            other => CommandError::User(other.explain(super::escape::escape)),
        }
    }
}

impl From<crate::locale::LocaleError> for CommandError {
    fn from(e: crate::locale::LocaleError) -> Self {
        CommandError::told(e)
    }
}

impl From<crate::clock::LookbackError> for CommandError {
    fn from(e: crate::clock::LookbackError) -> Self {
        CommandError::told(e)
    }
}

impl From<crate::store::SubscribeError> for CommandError {
    fn from(e: crate::store::SubscribeError) -> Self {
        match e {
            crate::store::SubscribeError::Store(e) => CommandError::Store(e),
            other => CommandError::told(other),
        }
    }
}

impl From<crate::delivery::schedule::ScheduleError> for CommandError {
    /// A schedule's error quotes the user's cron expression, whose `*` must stay as written: only mentions are
    /// defused.
    fn from(e: crate::delivery::schedule::ScheduleError) -> Self {
        CommandError::User(format!("{}.", super::escape::unmention(&e.to_string())))
    }
}

impl CommandError {
    /// A user error from an error whose message says what to fix: escaped for Discord, ended with a full stop.
    pub fn told(e: impl std::fmt::Display) -> Self {
        CommandError::User(format!("{}.", super::escape::escape(&e.to_string())))
    }

    /// The ephemeral answer the user gets.
    pub fn user_message(&self) -> String {
        match self {
            CommandError::User(m) => m.clone(),
            _ => "Something went wrong on herald's side. Try again in a minute; if it keeps failing, tell the \
                  server admin to check herald's logs."
                .to_owned(),
        }
    }
}

/// poise's context with herald's data and error.
pub type Context<'a> = poise::Context<'a, Data, CommandError>;

/// What a member without Manage Server is told.
pub(super) const NEEDS_MANAGE_SERVER: &str =
    "You need the Manage Server permission for this command; ask a server admin.";

/// Check for config commands: the invoking member has Manage Server (or Administrator) in this channel.
///
/// Reads the permissions Discord computed and sent with the interaction, rather than poise's
/// `required_permissions`, which fetches the guild, channel and member over REST on every call.
/// `default_member_permissions` already hides these commands from members without the permission; this
/// check holds even if a server admin overrides that in the integration settings.
pub async fn manage_server(ctx: Context<'_>) -> Result<bool, CommandError> {
    let allowed = match ctx {
        poise::Context::Application(app) => app
            .interaction
            .member
            .as_ref()
            .and_then(|m| m.permissions)
            .is_some_and(|p| p.manage_guild() || p.administrator()),
        poise::Context::Prefix(_) => false,
    };
    if allowed {
        Ok(true)
    } else {
        Err(CommandError::User(NEEDS_MANAGE_SERVER.to_owned()))
    }
}
