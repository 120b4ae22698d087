//! Reading one page or document named on the command line: a local file, or an http(s) URL fetched with the
//! hardened fetcher.

use anyhow::{Context, bail};

use crate::config::Config;
use crate::sources::encoding::{binary_kind, html_to_string};
use crate::sources::fetch::{Fetched, Fetcher, has_scheme, parse_url};
use crate::sources::ingest::redact;

/// A document read from the command line.
pub(super) struct Input {
    /// Its text, decoded to UTF-8.
    pub text: String,
    /// Where it came from, for a URL (after redirects): resolves the page's relative links.
    pub url: Option<String>,
}

/// Reads `input`: anything written as an address is a URL (an http(s) one is fetched as a page; another
/// scheme, or one that does not parse, is refused with why), anything else is read as a file. A body that is
/// not text (an image, a PDF, an archive: by its Content-Type or its first bytes) is refused in one line.
pub(super) async fn read(config: &Config, input: &str) -> anyhow::Result<Input> {
    if has_scheme(input) && !std::path::Path::new(input).exists() {
        let url = parse_url(input)?;
        if !matches!(url.scheme(), "http" | "https") {
            bail!(
                "{}: {}: addresses are not read; give an http:// or https:// address, or a file",
                redact(input),
                url.scheme()
            );
        }
        let fetcher = Fetcher::new(&config.fetch)?;
        match fetcher
            .get_page(input)
            .await
            .with_context(|| redact(input))?
        {
            Fetched::Body {
                body, url, charset, ..
            } => {
                refuse_binary(input, &body)?;
                Ok(Input {
                    text: html_to_string(&body, charset.as_deref()),
                    url: Some(url.to_string()),
                })
            }
            Fetched::NotModified => {
                bail!("{input}: the server answered 304 to an unconditional request")
            }
        }
    } else {
        let bytes = std::fs::read(input).map_err(|e| {
            anyhow::anyhow!(
                "{}: cannot read this file: {}",
                redact(input),
                crate::report::one_line(&e)
            )
        })?;
        refuse_binary(input, &bytes)?;
        Ok(Input {
            text: html_to_string(&bytes, None),
            url: None,
        })
    }
}

/// Refuses a body that is not text: herald reads web pages and plain text, not images or documents.
fn refuse_binary(input: &str, body: &[u8]) -> anyhow::Result<()> {
    if let Some(kind) = binary_kind(body) {
        bail!(
            "{}: this is {kind}, not a web page or text; give an HTML page or a text file",
            redact(input)
        );
    }
    Ok(())
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
