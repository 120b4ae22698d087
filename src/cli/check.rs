//! `herald check`: is this installation ready to run? Config, database, and the Discord token.

use std::process::ExitCode;

use crate::config::Config;
use crate::discord::http::{build_http, token_from_env, whoami};
use crate::store::Store;

/// Runs `herald check`, printing one line per check.
pub async fn run(config: Config) -> anyhow::Result<ExitCode> {
    println!("config: ok");
    let store = Store::open(&config.database).await?;
    store.close().await;
    println!("database: ok ({})", super::database_name(&config.database));
    let token = token_from_env()?;
    let http = build_http(&token, &config.discord);
    let name = whoami(&http, &config.discord).await?;
    let via = if config.discord.uses_proxy() {
        format!(" via {}", config.discord.api_base)
    } else {
        String::new()
    };
    println!("discord: ok, logged in as {name}{via}");
    Ok(ExitCode::SUCCESS)
}
