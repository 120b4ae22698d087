//! Refreshing one source: fetch (or read a file), parse, store new items, record how it went.

use std::path::Path;

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use tracing::Instrument;

use super::feed::{FeedError, parse_feed};
use super::fetch::{FetchError, Fetched, Fetcher, Validators};
use crate::store::{Source, Store, StoreError};

/// Why a source could not be refreshed. Each message starts with the source's URL or path.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// The fetch failed.
    #[error("{url}: {error}")]
    Fetch {
        /// The source.
        url: String,
        /// What went wrong.
        error: FetchError,
    },
    /// A local file could not be read.
    #[error("{path}: cannot read file: {error}")]
    File {
        /// The file.
        path: String,
        /// What the OS said.
        error: std::io::Error,
    },
    /// The body is not a feed.
    #[error(transparent)]
    Feed(#[from] FeedError),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// herald's own code panicked on this source (a bug; logged with its detail).
    #[error(
        "{url}: herald failed on this source (an internal error, logged); it is tried again later"
    )]
    Panicked {
        /// The source.
        url: String,
    },
}

/// The result of refreshing a source.
#[derive(Debug, Clone)]
pub struct Refreshed {
    /// The source, as it was before this refresh.
    pub source: Source,
    /// Items stored for the first time.
    pub new_items: usize,
    /// Items the feed holds now (0 when not modified).
    pub feed_items: usize,
    /// Whether the server answered 304 Not Modified.
    pub not_modified: bool,
}

/// What a `--feed` argument names: a URL to fetch or a local file.
fn is_url(target: &str) -> bool {
    let lower = target.get(..8).unwrap_or(target).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Refreshes the source at `target` (an http(s) URL, or a local file path for the CLI), creating its row if new.
/// A failure is recorded on the source (for `/sources list`) and returned.
pub async fn refresh(
    store: &Store,
    fetcher: &Fetcher,
    target: &str,
    now: DateTime<Utc>,
) -> Result<Refreshed, IngestError> {
    let source = source_for(store, target, now).await?;
    refresh_from(store, fetcher, &source, target, now).await
}

/// The source row for `target` (an http(s) URL, or a local file path for the CLI, stored canonicalised),
/// created if new.
pub async fn source_for(
    store: &Store,
    target: &str,
    now: DateTime<Utc>,
) -> Result<Source, StoreError> {
    let key = if is_url(target) {
        target.to_owned()
    } else {
        std::fs::canonicalize(target)
            .map_or_else(|_| target.to_owned(), |p| p.display().to_string())
    };
    store.upsert_source(&key, "feed", now).await
}

/// Refreshes many stored sources, `concurrency` at a time, each in a task of its own so that a panic in one
/// source's work becomes that source's error instead of ending the caller (a poller tick, a `/briefing`).
/// `on_done` sees each result as it finishes; the pairs come back in that (completion) order.
pub async fn refresh_many(
    store: &Store,
    fetcher: &Fetcher,
    sources: Vec<Source>,
    now: DateTime<Utc>,
    concurrency: usize,
    mut on_done: impl FnMut(&Source, &Result<Refreshed, IngestError>),
) -> Vec<(Source, Result<Refreshed, IngestError>)> {
    futures_util::stream::iter(sources)
        .map(|source| {
            let (store, fetcher) = (store.clone(), fetcher.clone());
            async move {
                let task = {
                    let source = source.clone();
                    tokio::spawn(
                        async move { refresh_source(&store, &fetcher, &source, now).await }
                            .in_current_span(),
                    )
                };
                let result = task.await.unwrap_or_else(|e| {
                    tracing::error!(source = %source.url, error = %e, "refresh panicked");
                    Err(IngestError::Panicked {
                        url: source.url.clone(),
                    })
                });
                (source, result)
            }
        })
        .buffer_unordered(concurrency.max(1))
        .inspect(|(source, result)| on_done(source, result))
        .collect()
        .await
}

/// Refreshes a stored source from its URL (what the poller does). A failure is recorded on the source and
/// returned.
pub async fn refresh_source(
    store: &Store,
    fetcher: &Fetcher,
    source: &Source,
    now: DateTime<Utc>,
) -> Result<Refreshed, IngestError> {
    refresh_from(store, fetcher, source, &source.url, now).await
}

async fn refresh_from(
    store: &Store,
    fetcher: &Fetcher,
    source: &Source,
    target: &str,
    now: DateTime<Utc>,
) -> Result<Refreshed, IngestError> {
    let span = tracing::info_span!("refresh", source = %source.url);
    match fetch_and_store(store, fetcher, source, target, now)
        .instrument(span)
        .await
    {
        Ok(r) => {
            tracing::debug!(
                new = r.new_items,
                not_modified = r.not_modified,
                "refreshed"
            );
            Ok(r)
        }
        Err(e) => {
            tracing::info!(error = %e, "refresh failed");
            if !matches!(e, IngestError::Store(_)) {
                store.source_failed(source.id, &e.to_string()).await?;
            }
            Err(e)
        }
    }
}

async fn fetch_and_store(
    store: &Store,
    fetcher: &Fetcher,
    source: &Source,
    target: &str,
    now: DateTime<Utc>,
) -> Result<Refreshed, IngestError> {
    let (body, base, validators) = if is_url(target) {
        let validators = Validators {
            etag: source.etag.clone(),
            last_modified: source.last_modified.clone(),
        };
        match fetcher.get(target, &validators).await {
            Ok(Fetched::NotModified) => {
                store.source_not_modified(source.id, now).await?;
                return Ok(Refreshed {
                    source: source.clone(),
                    new_items: 0,
                    feed_items: 0,
                    not_modified: true,
                });
            }
            Ok(Fetched::Body {
                url,
                body,
                validators,
            }) => (body, Some(url), validators),
            Err(error) => {
                return Err(IngestError::Fetch {
                    url: target.to_owned(),
                    error,
                });
            }
        }
    } else {
        let body = read_capped(Path::new(target), fetcher.max_body()).map_err(|error| {
            IngestError::File {
                path: target.to_owned(),
                error,
            }
        })?;
        (body, None, Validators::default())
    };
    let feed = parse_feed(&body, target, base.as_ref())?;
    // What a source holds when herald first reads it is backlog: briefed on request, never pushed.
    let backlog = source.last_ok_at.is_none();
    let new_items = store
        .insert_items(source.id, &feed.items, backlog, now)
        .await?;
    store
        .source_fetched(
            source.id,
            feed.title.as_deref(),
            validators.etag.as_deref(),
            validators.last_modified.as_deref(),
            now,
        )
        .await?;
    Ok(Refreshed {
        source: source.clone(),
        new_items,
        feed_items: feed.items.len(),
        not_modified: false,
    })
}

/// Reads a local file, refusing one larger than `max` bytes.
fn read_capped(path: &Path, max: u64) -> std::io::Result<Vec<u8>> {
    let len = std::fs::metadata(path)?.len();
    if len > max {
        return Err(std::io::Error::other(format!(
            "larger than the {max}-byte limit"
        )));
    }
    std::fs::read(path)
}
