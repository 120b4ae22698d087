//! Subcommands of the `herald` binary. This is the edge: errors become `anyhow` and one line on stderr.

mod summarize;

use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Summarise one article (a file or URL), or a batch of documents from a JSONL file.
    Summarize(summarize::Args),
}

/// Parses the command line, runs the subcommand, and turns its error into one line on stderr.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Summarize(args) => summarize::run(cli.config.as_deref(), args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("herald: {e:#}");
            ExitCode::FAILURE
        }
    }
}
