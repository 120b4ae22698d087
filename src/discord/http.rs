//! serenity's REST client, set up the herald way: no mentions by default, and an optional rate-limiting proxy.

use std::time::Duration;

use serenity::all::{CreateAllowedMentions, HttpBuilder};
use serenity::http::{Http, LightMethod, Request, Route};

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
    /// Discord answered 429: wait (`retry_after` when it said) and ask again.
    #[error(
        "Discord is rate limiting this bot (HTTP 429){}; try again then",
        retry_after.map_or(String::new(), |d| format!(" for {:.1} s", d.as_secs_f64()))
    )]
    RateLimited {
        /// How long Discord asked to wait.
        retry_after: Option<Duration>,
    },
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

/// The bot's user name, or why it could not be had: what `herald check` reports. One call (`GET
/// /users/@me`), read by herald itself so a 429 keeps its `retry_after`.
pub async fn whoami(http: &Http, cfg: &DiscordConfig) -> Result<String, DiscordError> {
    let unreachable = |reason: String| DiscordError::Unreachable {
        api_base: cfg.api_base.clone(),
        reason,
    };
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .map_err(|e| DiscordError::Setup(crate::report::one_line(&e)))?;
    let request = Request::new(Route::UserMe, LightMethod::Get)
        .build(&client, http.token(), http.proxy.as_deref())
        .map_err(|e| unreachable(crate::report::one_line(&e)))?;
    let response = request
        .send()
        .await
        .map_err(|e| unreachable(crate::report::one_line(&e.without_url())))?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = response
        .bytes()
        .await
        .map_err(|e| unreachable(crate::report::one_line(&e.without_url())))?;
    let json: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
    match status {
        200..=299 => json["username"]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| unreachable("the answer to GET /users/@me names no user".into())),
        401 => Err(DiscordError::BadToken),
        429 => {
            let retry_after = match crate::discord::outbox::rate_limit_of(&headers, &body) {
                crate::delivery::PostError::RateLimited { retry_after, .. } => retry_after,
                _ => None,
            };
            Err(DiscordError::RateLimited { retry_after })
        }
        _ => Err(unreachable(format!(
            "{} (HTTP {status})",
            json["message"].as_str().unwrap_or("unexpected answer")
        ))),
    }
}

/// [`whoami`] at start-up, where only a refused token ends the process: a 429 is waited out for its
/// `retry_after`, and a 5xx or a network error is tried again with backoff (1 s, doubling to a minute), each
/// logged. A supervisor restarting a process that exited on a 429 would only add 429s.
pub async fn whoami_patiently(http: &Http, cfg: &DiscordConfig) -> Result<String, DiscordError> {
    let mut backoff = Duration::from_secs(1);
    loop {
        match whoami(http, cfg).await {
            Ok(name) => return Ok(name),
            Err(
                e @ (DiscordError::BadToken | DiscordError::MissingToken | DiscordError::Setup(_)),
            ) => {
                return Err(e);
            }
            Err(DiscordError::RateLimited { retry_after }) => {
                let wait = retry_after
                    .unwrap_or(backoff)
                    .max(Duration::from_millis(50));
                metrics::counter!("herald_discord_429_total").increment(1);
                tracing::warn!(
                    wait_ms = wait.as_millis() as u64,
                    "Discord rate limited the start-up check; waiting"
                );
                tokio::time::sleep(wait).await;
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in_s = backoff.as_secs(), "cannot reach Discord at start-up; trying again");
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
        }
    }
}
