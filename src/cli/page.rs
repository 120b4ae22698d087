//! Reading one page or document named on the command line: a local file, or an http(s) URL fetched with the
//! hardened fetcher.

use anyhow::{Context, bail};

use crate::config::Config;
use crate::sources::encoding::html_to_string;
use crate::sources::fetch::{Fetched, Fetcher};

/// A document read from the command line.
pub(super) struct Input {
    /// Its text, decoded to UTF-8.
    pub text: String,
    /// Where it came from, for a URL (after redirects): resolves the page's relative links.
    pub url: Option<String>,
}

/// Reads `input`: an http(s) URL is fetched as a page, anything else is read as a file.
pub(super) async fn read(config: &Config, input: &str) -> anyhow::Result<Input> {
    if input.starts_with("http://") || input.starts_with("https://") {
        let fetcher = Fetcher::new(&config.fetch)?;
        match fetcher
            .get_page(input)
            .await
            .with_context(|| input.to_owned())?
        {
            Fetched::Body {
                body, url, charset, ..
            } => Ok(Input {
                text: html_to_string(&body, charset.as_deref()),
                url: Some(url.to_string()),
            }),
            Fetched::NotModified => {
                bail!("{input}: the server answered 304 to an unconditional request")
            }
        }
    } else {
        let bytes = std::fs::read(input).with_context(|| format!("cannot read {input}"))?;
        Ok(Input {
            text: html_to_string(&bytes, None),
            url: None,
        })
    }
}

/// Whether a document is an HTML page rather than plain text.
pub(super) fn looks_like_html(s: &str) -> bool {
    let head: String = s
        .trim_start()
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.contains("<body")
        || head.contains("<head")
}
