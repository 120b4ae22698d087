//! `herald run`: the Discord bot, with the poller, the article reader and the scheduler beside it, on one
//! store and one clock.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;

use crate::brief::llm::LlmSummarizer;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::delivery::Scheduler;
use crate::discord::bot::Bot;
use crate::discord::http::token_from_env;
use crate::sources::articles::ArticleReader;
use crate::sources::fetch::Fetcher;
use crate::sources::ingest::Readers;
use crate::sources::poller::Poller;
use crate::sources::search::{Searcher, sync_searches};
use crate::store::Store;
use crate::upkeep::Upkeep;

/// Runs the bot until Discord closes the connection or Ctrl-C / SIGTERM arrives.
pub async fn run(config: Config) -> anyhow::Result<ExitCode> {
    let token = token_from_env()?;
    let store = Store::open(&config.database).await?;
    tokio::select! {
        result = serve(config, store.clone(), &token, Arc::new(SystemClock)) => result?,
        _ = shutdown_signal() => tracing::info!("shutting down"),
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
}

/// Connects to Discord and serves the slash commands until the connection ends, with the poller keeping
/// sources fresh and the scheduler posting briefings beside it. The loops need only REST, so they start
/// before the gateway is ready.
pub async fn serve(
    config: Config,
    store: Store,
    token: &str,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<()> {
    let config = Arc::new(config);
    if !config.metrics.listen.trim().is_empty() {
        // Every series exists from the start, at 0, before any loop counts into it.
        let _ = crate::telemetry::recorder();
        crate::telemetry::declare();
        if let Ok(bytes) = store.size_bytes().await {
            metrics::gauge!("herald_database_bytes").set(bytes as f64);
        }
    }
    let fetcher = Fetcher::new(&config.fetch).context("HTTP client for feeds")?;
    let articles = ArticleReader::new(fetcher.clone(), config.articles.clone());
    let readers = Readers {
        fetcher,
        search: Searcher::new(&config.search),
    };
    // The searches follow the config: a changed provider URL or default list applies from this start.
    sync_searches(&store, &readers.search, &config.search, None, clock.now())
        .await
        .context("rebuilding the subscriptions' searches")?;
    let bot = Bot::connect(
        Arc::clone(&config),
        store.clone(),
        readers.clone(),
        articles.clone(),
        LlmSummarizer::new(&config.llm),
        token,
        Arc::clone(&clock),
    )
    .await?;
    let poller = Poller::new(
        store.clone(),
        readers,
        Arc::clone(&clock),
        config.poll.clone(),
        config.fetch.concurrency,
    );
    let upkeep = Upkeep::new(store.clone(), Arc::clone(&clock), config.retention.clone());
    let store_for_health = store.clone();
    let window = chrono::Duration::hours(i64::from(config.brief.window_hours));
    let reading = articles.run(store.clone(), Arc::clone(&clock), window);
    let scheduler = Scheduler::new(
        store,
        clock,
        bot.outbox(),
        config.schedule.clone(),
        config.brief.clone(),
    )
    .with_llm(LlmSummarizer::new(&config.llm));
    // A restart in the same slot resumes what the previous run had claimed at once.
    scheduler
        .take_over(&process_slot(&config))
        .await
        .context("taking over this process slot's deliveries")?;
    let _poller = AbortOnDrop(tokio::spawn(poller.run()));
    let _scheduler = AbortOnDrop(tokio::spawn(scheduler.run()));
    let _articles = AbortOnDrop(tokio::spawn(reading));
    let _upkeep = AbortOnDrop(tokio::spawn(upkeep.run()));
    let health = crate::telemetry::Health::default();
    if !config.metrics.listen.trim().is_empty() {
        crate::telemetry::serve(
            config.metrics.listen.trim(),
            store_for_health,
            health.clone(),
        )
        .await?;
    }
    bot.start(health).await?;
    Ok(())
}

/// This process's slot: `[schedule] process_slot`, else its host and its shards ("web-1/0-1/6"), which a
/// supervisor restarting it keeps, and which differs between the processes of one fleet.
fn process_slot(config: &Config) -> String {
    let configured = config.schedule.process_slot.trim();
    if !configured.is_empty() {
        return configured.to_owned();
    }
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    let shards = match config.discord.shards.trim() {
        "" => "all",
        s => s,
    };
    format!("{host}/{shards}")
}

/// Stops a background loop when its owner ends.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => return std::future::pending().await,
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
}
