//! The serenity client with poise's slash commands over the core, and the errors commands answer with.

use crate::config::Shards;
use std::sync::Arc;

use poise::serenity_prelude as serenity;
use serenity::{ClientBuilder, GatewayIntents, GuildId};

use super::commands;
use super::context::NEEDS_MANAGE_SERVER;
pub use super::context::{CommandError, Context, Data, manage_server};
use super::cooldown::Cooldown;
use super::http::{DiscordError, build_http};
use super::outbox::DiscordOutbox;
use crate::clock::Clock;
use crate::config::Config;
use crate::sources::articles::ArticleReader;
use crate::sources::ingest::{InFlight, Readers};
use crate::store::Store;

/// Gateway events beside commands: a server that removes herald (GUILD_DELETE that is not an outage) has its
/// schedules paused at once and its data kept for the grace period; a server herald is in (GUILD_CREATE, on
/// connect or when re-added) gets back what a departure paused.
async fn on_event(event: &serenity::FullEvent, data: &Data) -> Result<(), CommandError> {
    match event {
        serenity::FullEvent::GuildDelete { incomplete, .. } => {
            let guild = incomplete.id.get();
            if incomplete.unavailable {
                // An outage: Discord will send the server again; nothing changes.
                tracing::info!(guild, "server unavailable (Discord outage)");
            } else if data.store.guild_left(guild, data.clock.now()).await? {
                tracing::info!(
                    guild,
                    grace_days = data.config.retention.guild_grace_days,
                    "removed from server: schedules paused; data deleted after the grace period"
                );
            }
        }
        serenity::FullEvent::GuildCreate { guild, .. } => {
            let restored = data.store.guild_present(guild.id.get()).await?;
            if restored {
                tracing::info!(
                    guild = guild.id.get(),
                    "re-added within the grace period: schedules resumed"
                );
            }
        }
        _ => {}
    }
    Ok(())
}

/// Every failure becomes an ephemeral reply; internal detail goes to the log only.
async fn on_error(error: poise::FrameworkError<'_, Data, CommandError>) {
    use poise::FrameworkError as E;
    let (ctx, text) = match error {
        E::Command { error, ctx, .. } => {
            if !matches!(error, CommandError::User(_)) {
                tracing::error!(command = %ctx.command().name, guild = ?ctx.guild_id(), channel = %ctx.channel_id(), error = %error, "command failed");
            }
            (ctx, error.user_message())
        }
        E::MissingUserPermissions { ctx, .. } => (ctx, NEEDS_MANAGE_SERVER.to_owned()),
        E::CommandCheckFailed { ctx, error, .. } => (
            ctx,
            error.map_or_else(|| NEEDS_MANAGE_SERVER.to_owned(), |e| e.user_message()),
        ),
        E::GuildOnly { ctx, .. } => (
            ctx,
            "herald's commands work in a server channel, not in direct messages.".to_owned(),
        ),
        E::ArgumentParse { ctx, input, .. } => (
            ctx,
            format!(
                "I could not read the option {:?}. Check the command's options and try again.",
                input.unwrap_or_default()
            ),
        ),
        other => {
            if let Err(e) = poise::builtins::on_error(other).await {
                tracing::error!(error = %e, "error while handling an error");
            }
            return;
        }
    };
    let reply = poise::CreateReply::default().content(text).ephemeral(true);
    if let Err(e) = ctx.send(reply).await {
        tracing::warn!(error = %e, "could not send the error reply");
    }
}

/// herald's Discord client, connected and ready to start: slash commands served through poise, replies that
/// mention no one, errors answered ephemerally. It only translates; `herald run` wires the loops beside it.
pub struct Bot {
    client: serenity::Client,
    api_base: String,
    shards: Shards,
}

impl Bot {
    /// Checks the token (failing fast and clearly on a refused one, waiting out a 429 or an outage) and builds
    /// the client. On
    /// READY it registers the commands, in `[discord] dev_guild` when set, else globally.
    pub async fn connect(
        config: Arc<Config>,
        store: Store,
        readers: Readers,
        articles: ArticleReader,
        llm: Option<crate::brief::llm::LlmSummarizer>,
        token: &str,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, DiscordError> {
        let http = build_http(token, &config.discord);
        super::http::whoami_patiently(&http, &config.discord).await?;
        let api_base = config.discord.api_base.clone();
        let shards = Shards::parse(&config.discord.shards)
            .map_err(|e| DiscordError::Setup(e.to_string()))?;
        let dev_guild = config.discord.dev_guild;
        let framework = poise::Framework::builder()
            .options(poise::FrameworkOptions {
                commands: commands::all(),
                on_error: |e| Box::pin(on_error(e)),
                // poise would allow user mentions in replies; feed text must never ping anyone.
                allowed_mentions: Some(serenity::CreateAllowedMentions::new()),
                event_handler: |_ctx, event, _framework, data| Box::pin(on_event(event, data)),
                ..Default::default()
            })
            .initialize_owners(false)
            .setup(move |ctx, ready, framework| {
                Box::pin(async move {
                    let commands = &framework.options().commands;
                    if dev_guild != 0 {
                        poise::builtins::register_in_guild(ctx, commands, GuildId::new(dev_guild))
                            .await?;
                    } else {
                        poise::builtins::register_globally(ctx, commands).await?;
                    }
                    tracing::info!(bot = %ready.user.name, dev_guild, "ready; commands registered");
                    let cooldown = |secs| Cooldown::new(std::time::Duration::from_secs(secs));
                    Ok(Data {
                        member_cooldown: cooldown(config.discord.briefing_cooldown_secs),
                        guild_cooldown: cooldown(config.discord.briefing_guild_cooldown_secs),
                        store,
                        config,
                        readers,
                        articles,
                        llm,
                        clock,
                        refreshing: InFlight::default(),
                    })
                })
            })
            .build();
        let client = ClientBuilder::new_with_http(http, GatewayIntents::GUILDS)
            .framework(framework)
            .await
            .map_err(|e| unreachable(&api_base, e))?;
        Ok(Self {
            client,
            api_base,
            shards,
        })
    }

    /// The outbox scheduled briefings are posted through: the client's own REST client and rate limiter.
    pub fn outbox(&self) -> DiscordOutbox {
        DiscordOutbox::new(Arc::clone(&self.client.http))
    }

    /// Connects to the gateway and serves until the connection ends, reporting the gateway's state to
    /// `health` (for `/healthz`) and its heartbeat latency as `herald_gateway_latency_seconds`.
    pub async fn start(mut self, health: crate::telemetry::Health) -> Result<(), DiscordError> {
        let api_base = self.api_base;
        let shards = Arc::clone(&self.client.shard_manager);
        let watch = tokio::spawn(async move {
            let mut every = tokio::time::interval(std::time::Duration::from_secs(1));
            loop {
                every.tick().await;
                let runners = shards.runners.lock().await;
                let up = !runners.is_empty()
                    && runners
                        .values()
                        .all(|r| r.stage == serenity::ConnectionStage::Connected);
                health.set_gateway(up);
                if let Some(latency) = runners.values().filter_map(|r| r.latency).max() {
                    metrics::gauge!("herald_gateway_latency_seconds").set(latency.as_secs_f64());
                }
            }
        });
        let _watch = AbortOnDrop(watch);
        let started = match self.shards {
            Shards::One => self.client.start().await,
            Shards::Auto => self.client.start_autosharded().await,
            // serenity's range end is the last shard run (inclusive).
            Shards::Range { first, last, total } => {
                self.client.start_shard_range(first..last, total).await
            }
        };
        started.map_err(|e| unreachable(&api_base, e))
    }
}

/// Stops a background task when its owner ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn unreachable(api_base: &str, e: serenity::Error) -> DiscordError {
    DiscordError::Unreachable {
        api_base: api_base.to_owned(),
        reason: e.to_string(),
    }
}
