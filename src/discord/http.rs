//! serenity's REST client, set up the herald way: no mentions by default, and an optional rate-limiting proxy.

use serenity::all::{CreateAllowedMentions, HttpBuilder};
use serenity::http::Http;

use crate::config::DiscordConfig;

/// What went wrong talking to Discord, in words that say what to do.
#[derive(Debug, thiserror::Error)]
pub enum DiscordError {
    /// No token in the environment.
    #[error(
        "DISCORD_TOKEN is not set: create a bot in the Discord Developer Portal (Bot → Reset Token) and export it"
    )]
    MissingToken,
    /// Discord (or the proxy) refused the token.
    #[error(
        "Discord rejected the token (HTTP 401): copy it again from the Developer Portal (Bot → Reset Token)"
    )]
    BadToken,
    /// herald could not set itself up (e.g. the HTTP client for feeds).
    #[error("cannot start: {0}")]
    Setup(String),
    /// Any other failure.
    #[error("cannot reach Discord at {api_base}: {reason}")]
    Unreachable {
        /// Where the call went.
        api_base: String,
        /// What failed.
        reason: String,
    },
}

/// The token from `DISCORD_TOKEN`, trimmed; a missing or blank one is an error.
pub fn token_from_env() -> Result<String, DiscordError> {
    std::env::var("DISCORD_TOKEN")
        .ok()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty())
        .ok_or(DiscordError::MissingToken)
}

/// A REST client: allowed mentions none on every message, and REST sent to `api_base` when it is a proxy
/// (serenity's own rate limiter off then, as the proxy limits).
pub fn build_http(token: &str, cfg: &DiscordConfig) -> Http {
    let mut builder =
        HttpBuilder::new(token).default_allowed_mentions(CreateAllowedMentions::new());
    if cfg.uses_proxy() {
        builder = builder
            .proxy(cfg.api_base.trim_end_matches('/'))
            .ratelimiter_disabled(true);
    }
    builder.build()
}

/// The bot's user name, or why it could not be had: what `herald check` reports.
pub async fn whoami(http: &Http, cfg: &DiscordConfig) -> Result<String, DiscordError> {
    match http.get_current_user().await {
        Ok(user) => Ok(user.name.clone()),
        Err(serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(r)))
            if r.status_code.as_u16() == 401 =>
        {
            Err(DiscordError::BadToken)
        }
        Err(e) => Err(DiscordError::Unreachable {
            api_base: cfg.api_base.clone(),
            reason: crate::report::one_line(&e),
        }),
    }
}
