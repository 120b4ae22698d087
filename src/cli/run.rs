//! `herald run`: the Discord bot, with the poller and the scheduler beside it.

use std::process::ExitCode;
use std::sync::Arc;

use herald::clock::SystemClock;

use herald::config::Config;
use herald::discord::bot;
use herald::discord::http::token_from_env;
use herald::store::Store;

/// Runs the bot until Discord closes the connection or Ctrl-C / SIGTERM arrives.
pub async fn run(config: Config) -> anyhow::Result<ExitCode> {
    let token = token_from_env()?;
    let store = Store::open(&config.database).await?;
    tokio::select! {
        result = bot::run(config, store.clone(), &token, Arc::new(SystemClock)) => result?,
        _ = shutdown_signal() => tracing::info!("shutting down"),
    }
    store.close().await;
    Ok(ExitCode::SUCCESS)
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
