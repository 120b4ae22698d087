//! Subcommands of the `herald` binary. This is the edge: errors become `anyhow` and one line on stderr.
//! `run::serve` is public so tests run the same wiring as `herald run`, on their own clock.

mod brief;
mod check;
mod extract;
mod page;
pub mod run;
mod summarize;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::config::Config;
use clap::{Parser, Subcommand};

/// herald — daily news briefings, in Discord or in your terminal.
#[derive(Debug, Parser)]
#[command(name = "herald", version, about)]
struct Cli {
    /// A TOML file overriding config/default.toml (HERALD_<SECTION>__<KEY> env vars override both).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the Discord bot (token from DISCORD_TOKEN).
    Run,
    /// Fetch feeds, and print a summarised briefing of their stories.
    Brief(brief::Args),
    /// Check the config, the database and the Discord token (reports the bot's name).
    Check,
    /// Create the database if needed and apply pending migrations (every command also does this); with
    /// `--to postgres://…`, copy this SQLite database into that (empty) PostgreSQL database.
    Migrate {
        /// A PostgreSQL URL to copy the configured SQLite database into.
        #[arg(long, value_name = "URL")]
        to: Option<String>,
    },
    /// Print the article herald reads from a web page (a file or URL): its text, or JSON with its metadata.
    Extract(extract::Args),
    /// Summarise one article (a file or URL), or a batch of documents from a JSONL file.
    Summarize(summarize::Args),
    /// Write a consistent copy of the database to FILE while the bot runs (restore: stop herald, put the copy in
    /// place of the database file).
    Backup {
        /// Where the copy goes; it must not exist yet.
        file: PathBuf,
    },
    /// Ask a running herald's /healthz (at [metrics] listen, or --url): exit 0 when it is ready (for Docker's
    /// HEALTHCHECK).
    Healthz {
        /// The URL to ask (default: http://<[metrics] listen>/healthz).
        #[arg(long)]
        url: Option<String>,
    },
    /// Delete everything herald keeps about a Discord server at once (a data-deletion request): its
    /// subscriptions, schedules, settings, feeds and deliveries.
    ForgetGuild {
        /// The server's id.
        guild_id: u64,
    },
}

/// Loads the config, sets up logging to stderr, and runs `f` on a Tokio runtime.
/// Writes a command's output to stdout. A reader that went away (`herald brief | head`) ends the output quietly:
/// a closed pipe is not an error, and never a panic as `print!` makes it.
pub(crate) fn out(text: &str) -> anyhow::Result<()> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

fn with_runtime<F, Fut>(config: Option<&std::path::Path>, f: F) -> anyhow::Result<ExitCode>
where
    F: FnOnce(Config) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<ExitCode>>,
{
    with_runtime_logging(config, false, f)
}

/// [`with_runtime`], logging at `[log] filter` for a long-running service, or warnings only for a CLI command.
fn with_runtime_logging<F, Fut>(
    config: Option<&std::path::Path>,
    service: bool,
    f: F,
) -> anyhow::Result<ExitCode>
where
    F: FnOnce(Config) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<ExitCode>>,
{
    let config = Config::load(config)?;
    init_logging(if service { &config.log.filter } else { "warn" });
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(f(config))
}

/// Logs to stderr; RUST_LOG wins over `default`. Colour only on a terminal (never into a file or `docker
/// logs`), and never html5ever's notes on the pages it parses ("foster parenting not implemented": the page's
/// markup, not herald's state) unless RUST_LOG names html5ever.
fn init_logging(default: &str) {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(log_filter(
            std::env::var("RUST_LOG").ok().as_deref(),
            default,
        ))
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .try_init();
}

/// The filter from RUST_LOG (when set and valid) or `default`, with html5ever silenced unless named.
fn log_filter(rust_log: Option<&str>, default: &str) -> tracing_subscriber::EnvFilter {
    let base = rust_log
        .map(str::trim)
        .filter(|s| !s.is_empty() && tracing_subscriber::EnvFilter::try_new(s).is_ok())
        .unwrap_or(default);
    let directives = if base.contains("html5ever") {
        base.to_owned()
    } else {
        format!("{base},html5ever=off")
    };
    tracing_subscriber::EnvFilter::try_new(&directives)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,html5ever=off"))
}

/// Parses the command line, runs the subcommand, and turns its error into one line on stderr.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Brief(args) => {
            with_runtime(cli.config.as_deref(), |config| brief::run(config, args))
        }
        Command::Run => with_runtime_logging(cli.config.as_deref(), true, run::run),
        Command::Check => with_runtime(cli.config.as_deref(), check::run),
        Command::Migrate { to } => with_runtime(cli.config.as_deref(), |config| async move {
            let store = crate::store::Store::open(&config.database).await?;
            let Some(to) = to else {
                store.close().await;
                println!("database {} is up to date", database_name(&config.database));
                return Ok(ExitCode::SUCCESS);
            };
            if !crate::store::is_postgres_url(&to) {
                anyhow::bail!("--to takes a PostgreSQL URL (postgres://user@host:5432/database)");
            }
            let mut dest_cfg = config.database.clone();
            dest_cfg.url = to;
            let dest = crate::store::Store::open(&dest_cfg).await?;
            let copied = store.copy_to(&dest).await;
            store.close().await;
            dest.close().await;
            let copied = copied?;
            let rows: u64 = copied.tables.iter().map(|(_, n)| n).sum();
            println!(
                "copied {rows} rows in {} tables from {} into PostgreSQL; set [database] url to it and start herald",
                copied.tables.len(),
                config.database.path.display()
            );
            for (table, n) in &copied.tables {
                println!("  {table}: {n}");
            }
            Ok(ExitCode::SUCCESS)
        }),
        Command::Backup { file } => with_runtime(cli.config.as_deref(), |config| async move {
            if file.exists() {
                anyhow::bail!("{} exists already; give a new file name", file.display());
            }
            if let Some(folder) = file
                .parent()
                .filter(|d| !d.as_os_str().is_empty() && !d.is_dir())
            {
                anyhow::bail!(
                    "cannot write the backup to {}: the folder {} does not exist; create it first",
                    file.display(),
                    folder.display()
                );
            }
            let store = crate::store::Store::open(&config.database).await?;
            let result = store.backup(&file).await;
            store.close().await;
            result?;
            let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
            println!(
                "backed up {} to {} ({size} bytes); to restore, stop herald and copy it over the database file",
                config.database.path.display(),
                file.display()
            );
            Ok(ExitCode::SUCCESS)
        }),
        Command::Healthz { url } => with_runtime(cli.config.as_deref(), |config| async move {
            let url = match url {
                Some(u) => u,
                None if config.metrics.listen.trim().is_empty() => {
                    anyhow::bail!(
                        "no [metrics] listen is set, so herald serves no /healthz; give --url"
                    )
                }
                None => {
                    let listen = config.metrics.listen.trim().replace("0.0.0.0", "127.0.0.1");
                    format!("http://{listen}/healthz")
                }
            };
            let client = reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(5))
                .no_proxy()
                .build()?;
            let response = client.get(&url).send().await.map_err(|e| {
                anyhow::anyhow!(
                    "cannot reach {url}: {}; is herald running with [metrics] listen there?",
                    crate::report::one_line(&e.without_url())
                )
            })?;
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            out(&body)?;
            if status.is_success() {
                return Ok(ExitCode::SUCCESS);
            }
            if status == reqwest::StatusCode::SERVICE_UNAVAILABLE {
                eprintln!(
                    "herald: {url} answered {status}: herald is running but not ready (above)"
                );
            } else {
                eprintln!(
                    "herald: {url} answered {status}, not herald's health; give the /healthz of a running \
                     herald (http://<[metrics] listen>/healthz)"
                );
            }
            Ok(ExitCode::FAILURE)
        }),
        Command::ForgetGuild { guild_id } => {
            with_runtime(cli.config.as_deref(), |config| async move {
                let store = crate::store::Store::open(&config.database).await?;
                let gone = store.forget_guild(guild_id).await;
                store.close().await;
                let gone = gone?;
                if !gone.anything() {
                    anyhow::bail!(
                        "herald keeps nothing about server {guild_id}, so nothing was deleted; check the id \
                         (in Discord: right-click the server, Copy Server ID, with Developer Mode on)"
                    );
                }
                let n = |n: u64, one: &str, many: &str| {
                    crate::text::count(usize::try_from(n).unwrap_or(usize::MAX), one, many)
                };
                println!(
                    "server {guild_id}: deleted {}, {}, {} and {}",
                    n(gone.subscriptions, "subscription", "subscriptions"),
                    n(gone.schedules, "schedule", "schedules"),
                    n(gone.sources, "feed", "feeds"),
                    n(gone.deliveries, "delivery", "deliveries")
                );
                Ok(ExitCode::SUCCESS)
            })
        }
        Command::Extract(args) => {
            with_runtime(cli.config.as_deref(), |config| extract::run(config, args))
        }
        Command::Summarize(args) => {
            with_runtime(cli.config.as_deref(), |config| summarize::run(config, args))
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("herald: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// An error and its causes on one line, each cause once ([`crate::report::one_line`]).
pub(crate) fn one_line(e: &anyhow::Error) -> String {
    crate::report::one_line(e.as_ref())
}

/// The database a config names, for messages: its PostgreSQL URL without the password, or the SQLite file.
pub(crate) fn database_name(cfg: &crate::config::DatabaseConfig) -> String {
    if crate::store::is_postgres_url(&cfg.url) {
        match url::Url::parse(cfg.url.trim()) {
            Ok(mut u) => {
                let _ = u.set_password(None);
                u.to_string()
            }
            Err(_) => "PostgreSQL".to_owned(),
        }
    } else {
        cfg.path.display().to_string()
    }
}
