//! `herald extract`: what herald reads from a web page — the article text, or it and its metadata as JSON.

use std::process::ExitCode;

use anyhow::Context;

use super::page;
use crate::config::Config;
use crate::sources::extract::extract_article;

/// Output of `herald extract`.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    /// The article text, one paragraph per line.
    Text,
    /// {"title", "author", "site_name", "published", "language", "canonical_url", "image", "text"}.
    Json,
}

/// Arguments of `herald extract`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// An HTML file, or an http(s) URL of a page.
    input: String,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// Runs `herald extract`.
pub async fn run(config: Config, args: Args) -> anyhow::Result<ExitCode> {
    let page = page::read(&config, &args.input).await?;
    let article = extract_article(&page.text, page.url.as_deref()).with_context(|| {
        format!(
            "{}: no readable article found in this page (is it an article, and HTML?)",
            args.input
        )
    })?;
    match args.format {
        Format::Text => super::out(&format!("{}\n", article.text))?,
        Format::Json => super::out(&format!("{}\n", serde_json::to_string_pretty(&article)?))?,
    }
    Ok(ExitCode::SUCCESS)
}
