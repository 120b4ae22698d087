//! Refreshing one source: fetch (or read a file), parse, store new items, record how it went.

use std::collections::HashSet;
use std::path::Path;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use futures_util::StreamExt;
use tracing::Instrument;

use super::feed::{FeedError, parse_feed};
use super::fetch::{FetchError, Fetched, Fetcher, Validators, has_scheme, parse_url};
use super::search::{SearchError, Searcher};
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
    /// Not something herald reads: a scheme other than http(s) (named), or not a URL at all.
    #[error("{target}: {}", match scheme {
        Some(s) => format!("{s}: addresses are not read; give an http:// or https:// address"),
        None => "not a web address; give the full URL, starting with https://".to_owned(),
    })]
    NotWeb {
        /// What was given (redacted).
        target: String,
        /// Its scheme, when it had one.
        scheme: Option<String>,
    },
    /// Written as an address (it has a scheme) but not a valid URL; never opened as a file.
    #[error("{target}: not a valid URL: {reason}; check the address")]
    BadUrl {
        /// What was given (redacted).
        target: String,
        /// Why it does not parse.
        reason: String,
    },
    /// A search provider's answer does not read (malformed, or the provider refused the query).
    #[error("{url}: {reason}")]
    Search {
        /// The search.
        url: String,
        /// What is wrong, on one line.
        reason: String,
    },
    /// Not this search's turn at its provider yet (herald's own rate limit, or a pause after a 429): not a
    /// failure; the poller tries again then.
    #[error("{url}: waiting for {provider}'s rate limit until {until}")]
    RateLimited {
        /// The search.
        url: String,
        /// The provider's name for people.
        provider: &'static str,
        /// When its next turn comes.
        until: DateTime<Utc>,
    },
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

/// What refreshes sources: the hardened fetcher for feeds, and the searcher for search sources.
#[derive(Debug, Clone)]
pub struct Readers {
    /// Fetches feeds (and, for the searcher, provider answers).
    pub fetcher: Fetcher,
    /// Runs searches.
    pub search: Searcher,
}

/// What herald may read a source from. Only the CLI reads local files; everything a Discord user types, and
/// every stored source the poller or `/briefing` refreshes, is a web address and nothing else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// http and https URLs only.
    WebOnly,
    /// Also an existing local path or a `file:` URL (`herald brief --feed FILE`).
    LocalFiles,
}

/// Where a source's body comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    /// An http(s) URL, normalised (what is stored and fetched is the same string).
    Web(String),
    /// A local file.
    File(std::path::PathBuf),
}

/// Reads `s` as a source: an http(s) URL (normalised: `http:/host/x` becomes `http://host/x`), or under
/// [`Access::LocalFiles`] an existing path, a `file:` URL, or a path that is not written as an address.
/// Anything written with a scheme is a URL: one that does not parse is refused with why, never opened as a
/// file; any scheme but http(s) (and `file:` for local files) is refused by name.
fn target(s: &str, access: Access) -> Result<Target, IngestError> {
    let files = access == Access::LocalFiles;
    if files && Path::new(s).exists() {
        return Ok(Target::File(s.into()));
    }
    if !has_scheme(s) {
        return if files {
            Ok(Target::File(s.into()))
        } else {
            Err(IngestError::NotWeb {
                target: redact(s),
                scheme: None,
            })
        };
    }
    match parse_url(s) {
        Ok(u) if matches!(u.scheme(), "http" | "https") => Ok(Target::Web(u.to_string())),
        Ok(u) if files && u.scheme() == "file" => {
            u.to_file_path()
                .map(Target::File)
                .map_err(|_| IngestError::NotWeb {
                    target: redact(s),
                    scheme: Some("file".into()),
                })
        }
        Ok(u) => Err(IngestError::NotWeb {
            target: redact(s),
            scheme: Some(u.scheme().to_owned()),
        }),
        Err(error) => Err(IngestError::BadUrl {
            target: redact(s),
            reason: match error {
                FetchError::BadUrl { reason, .. } => reason,
                other => other.to_string(),
            },
        }),
    }
}

pub use super::fetch::redact;

impl From<SearchError> for IngestError {
    fn from(e: SearchError) -> Self {
        match e {
            SearchError::Fetch { url, error } => IngestError::Fetch { url, error },
            SearchError::Answer { url, reason } => IngestError::Search { url, reason },
            SearchError::Waiting {
                url,
                provider,
                until,
            } => IngestError::RateLimited {
                url,
                provider,
                until,
            },
        }
    }
}

/// Refreshes the web source at `url`, creating its row (under the normalised URL) if new. A failure is
/// recorded on the source (for `/sources list`) and returned. Never reads a local file.
pub async fn refresh(
    store: &Store,
    fetcher: &Fetcher,
    url: &str,
    now: DateTime<Utc>,
) -> Result<Refreshed, IngestError> {
    let source = source_for(store, url, Access::WebOnly, now).await?;
    refresh_source(store, fetcher, &source, now).await
}

/// The source row for `target` (see [`Access`]; a local file is stored under its canonical path), created
/// if new.
pub async fn source_for(
    store: &Store,
    target_text: &str,
    access: Access,
    now: DateTime<Utc>,
) -> Result<Source, IngestError> {
    let key = match target(target_text, access)? {
        Target::Web(url) => url,
        Target::File(path) => std::fs::canonicalize(&path)
            .map_or_else(|_| path.display().to_string(), |p| p.display().to_string()),
    };
    Ok(store.upsert_source(&key, "feed", now).await?)
}

/// Refreshes a stored web source from its URL (what the poller and `/briefing` do). A failure is recorded on
/// the source and returned. A stored source that is not a web address is refused, never read from disk.
pub async fn refresh_source(
    store: &Store,
    fetcher: &Fetcher,
    source: &Source,
    now: DateTime<Utc>,
) -> Result<Refreshed, IngestError> {
    refresh_from(store, fetcher, None, source, Access::WebOnly, now).await
}

/// Whether a refresh on request (`/briefing`) should fetch `source` now: not when it was fetched within
/// `interval` (the poller keeps it that fresh anyway), nor while it is failing and backing off.
pub fn needs_refresh(source: &Source, now: DateTime<Utc>, interval: chrono::Duration) -> bool {
    let fresh = source.last_ok_at.is_some_and(|t| now - t < interval);
    let backing_off = source.fail_count > 0 && source.next_fetch_at.is_some_and(|t| t > now);
    !fresh && !backing_off
}

/// The sources being refreshed on request right now, so that many `/briefing`s at once fetch each source once.
#[derive(Debug, Clone, Default)]
pub struct InFlight(Arc<Mutex<HashSet<i64>>>);

/// The sources one caller claimed from an [`InFlight`]; the claim ends when this is dropped.
#[derive(Debug)]
pub struct Claimed {
    set: InFlight,
    ids: Vec<i64>,
}

impl InFlight {
    /// Claims those of `sources` nobody is refreshing now, and returns them with the claim.
    pub fn claim(&self, sources: Vec<Source>) -> (Vec<Source>, Claimed) {
        let mut set = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let mine: Vec<Source> = sources.into_iter().filter(|s| set.insert(s.id)).collect();
        let ids = mine.iter().map(|s| s.id).collect();
        (
            mine,
            Claimed {
                set: self.clone(),
                ids,
            },
        )
    }
}

impl InFlight {
    /// Whether anyone is refreshing the source `id` now.
    fn busy(&self, id: i64) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&id)
    }

    /// Starts refreshing `sources` on request, all at once (up to `concurrency`), in a task of its own: those
    /// another caller is refreshing now are left to it and waited on the same. The refreshes go on when the
    /// caller stops waiting (what they find is stored for the next briefing); [`Round::wait_until`] says which
    /// are still running.
    pub fn refresh(
        &self,
        store: &Store,
        readers: &Readers,
        sources: Vec<Source>,
        now: DateTime<Utc>,
        concurrency: usize,
    ) -> Round {
        let all = sources.clone();
        let (mine, claim) = self.claim(sources);
        let mine_ids: HashSet<i64> = mine.iter().map(|s| s.id).collect();
        let running = Arc::new(Mutex::new(mine_ids.clone()));
        let (store, readers, done) = (store.clone(), readers.clone(), running.clone());
        tokio::spawn(
            async move {
                refresh_many(
                    &store,
                    &readers,
                    mine,
                    Access::WebOnly,
                    now,
                    concurrency,
                    |source, _| {
                        done.lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .remove(&source.id);
                    },
                )
                .await;
                drop(claim);
            }
            .in_current_span(),
        );
        Round {
            set: self.clone(),
            sources: all,
            mine: mine_ids,
            running,
        }
    }
}

/// Sources being refreshed on request (see [`InFlight::refresh`]).
#[derive(Debug)]
pub struct Round {
    set: InFlight,
    sources: Vec<Source>,
    mine: HashSet<i64>,
    running: Arc<Mutex<HashSet<i64>>>,
}

impl Round {
    /// The sources of the round still being refreshed (by this round or by the other caller it left them to).
    pub fn running(&self) -> Vec<Source> {
        let running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        self.sources
            .iter()
            .filter(|s| {
                if self.mine.contains(&s.id) {
                    running.contains(&s.id)
                } else {
                    self.set.busy(s.id)
                }
            })
            .cloned()
            .collect()
    }

    /// Waits until every source of the round is refreshed, or `deadline`; returns those still running.
    pub async fn wait_until(&self, deadline: tokio::time::Instant) -> Vec<Source> {
        loop {
            let running = self.running();
            if running.is_empty() || tokio::time::Instant::now() >= deadline {
                return running;
            }
            let next = tokio::time::Instant::now() + std::time::Duration::from_millis(50);
            tokio::time::sleep_until(next.min(deadline)).await;
        }
    }
}

impl Drop for Claimed {
    fn drop(&mut self) {
        let mut set = self.set.0.lock().unwrap_or_else(|e| e.into_inner());
        for id in &self.ids {
            set.remove(id);
        }
    }
}

/// Refreshes many stored sources, `concurrency` at a time, each in a task of its own so that a panic in one
/// source's work becomes that source's error instead of ending the caller (a poller tick, a `/briefing`).
/// Under [`Access::LocalFiles`] (the CLI) a source stored under a local path is read from disk.
/// `on_done` sees each result as it finishes; the pairs come back in that (completion) order.
pub async fn refresh_many(
    store: &Store,
    readers: &Readers,
    sources: Vec<Source>,
    access: Access,
    now: DateTime<Utc>,
    concurrency: usize,
    mut on_done: impl FnMut(&Source, &Result<Refreshed, IngestError>),
) -> Vec<(Source, Result<Refreshed, IngestError>)> {
    futures_util::stream::iter(sources)
        .map(|source| {
            let (store, readers) = (store.clone(), readers.clone());
            async move {
                let task = {
                    let source = source.clone();
                    tokio::spawn(
                        async move {
                            let Readers { fetcher, search } = &readers;
                            refresh_from(&store, fetcher, Some(search), &source, access, now).await
                        }
                        .in_current_span(),
                    )
                };
                let result = task.await.unwrap_or_else(|e| {
                    tracing::error!(source = %source.url, error = %e, "refresh panicked");
                    Err(IngestError::Panicked {
                        url: redact(&source.url),
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

async fn refresh_from(
    store: &Store,
    fetcher: &Fetcher,
    search: Option<&Searcher>,
    source: &Source,
    access: Access,
    now: DateTime<Utc>,
) -> Result<Refreshed, IngestError> {
    let span = tracing::info_span!("refresh", source = %source.url, kind = %source.kind);
    let result = if source.kind == "feed" {
        match target(&source.url, access) {
            Ok(t) => {
                fetch_and_store(store, fetcher, source, &t, now)
                    .instrument(span.clone())
                    .await
            }
            Err(e) => Err(e),
        }
    } else {
        match search {
            Some(search) => {
                search_and_store(store, fetcher, search, source, now)
                    .instrument(span.clone())
                    .await
            }
            None => Err(IngestError::Search {
                url: redact(&source.url),
                reason: "a search is refreshed by the poller, with the search providers".into(),
            }),
        }
    };
    match result {
        Ok(r) => {
            span.in_scope(|| {
                tracing::debug!(
                    new = r.new_items,
                    not_modified = r.not_modified,
                    "refreshed"
                )
            });
            Ok(r)
        }
        Err(e @ IngestError::RateLimited { .. }) => {
            span.in_scope(|| tracing::debug!(error = %e, "not its turn"));
            Err(e)
        }
        Err(e) => {
            span.in_scope(|| tracing::info!(error = %e, "refresh failed"));
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
    target: &Target,
    now: DateTime<Utc>,
) -> Result<Refreshed, IngestError> {
    let (body, charset, base, validators) = match target {
        Target::Web(url) => {
            let validators = Validators {
                etag: source.etag.clone(),
                last_modified: source.last_modified.clone(),
            };
            match fetcher.get(url, &validators).await {
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
                    charset,
                    validators,
                }) => (body, charset, Some(url), validators),
                Err(error) => {
                    return Err(IngestError::Fetch {
                        url: redact(url),
                        error,
                    });
                }
            }
        }
        Target::File(path) => {
            let body =
                read_capped(path, fetcher.max_body()).map_err(|error| IngestError::File {
                    path: redact(&path.display().to_string()),
                    error,
                })?;
            (body, None, None, Validators::default())
        }
    };
    let feed = parse_feed(
        &body,
        charset.as_deref(),
        &redact(&source.url),
        base.as_ref(),
    )?;
    // The items and the fetch record (title, validators) in one write: the next conditional GET can only
    // skip a body whose items were stored.
    let fetched = crate::store::FeedMeta {
        title: feed.title.clone(),
        etag: validators.etag.clone(),
        last_modified: validators.last_modified.clone(),
    };
    store_polled(store, source, feed.items, fetched, now).await
}

/// Stores what one read of a source gave (a feed's entries, a search's results) with its fetch record, in one
/// write: dates made plausible, the first read's items and anything published more than [`OLD_NEWS`] ago as
/// backlog.
async fn store_polled(
    store: &Store,
    source: &Source,
    mut items: Vec<crate::item::NewItem>,
    fetched: crate::store::FeedMeta,
    now: DateTime<Utc>,
) -> Result<Refreshed, IngestError> {
    for item in &mut items {
        item.published_at = plausible(item.published_at, now);
    }
    let first_read = source.last_ok_at.is_none();
    let (old, fresh) = split_old_news(&items, now);
    let new_items = store
        .store_poll(source.id, fresh, first_read, old, fetched, now)
        .await?;
    Ok(Refreshed {
        source: source.clone(),
        new_items,
        feed_items: items.len(),
        not_modified: false,
    })
}

/// Items published more than this long ago are never news: stored as backlog (so an item retention deleted
/// that a feed still carries does not come back as new).
const OLD_NEWS: chrono::Duration = chrono::Duration::days(7);

/// Runs a search and stores its results as a feed's entries are ([`store_polled`]).
async fn search_and_store(
    store: &Store,
    fetcher: &Fetcher,
    search: &Searcher,
    source: &Source,
    now: DateTime<Utc>,
) -> Result<Refreshed, IngestError> {
    let items = search.search(fetcher, source, now).await?;
    store_polled(store, source, items, crate::store::FeedMeta::default(), now).await
}

/// Items published more than [`OLD_NEWS`] ago, and the others.
fn split_old_news(
    items: &[crate::item::NewItem],
    now: DateTime<Utc>,
) -> (Vec<crate::item::NewItem>, Vec<crate::item::NewItem>) {
    items
        .iter()
        .cloned()
        .partition(|i| i.published_at.is_some_and(|p| p < now - OLD_NEWS))
}

/// A feed's date if it can be true: one in the future (a year-9999 item would stay the newest story for
/// ever) or before 1995 (1970 and year 0 are what broken feeds write for "unknown") is dropped, and the item
/// is dated by when herald first saw it.
fn plausible(date: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let earliest = DateTime::<Utc>::from_timestamp(788_918_400, 0); // 1995-01-01
    date.filter(|d| *d <= now + chrono::Duration::days(1) && earliest.is_none_or(|e| *d >= e))
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn impossible_dates_give_way_to_first_seen() {
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let at = |y, m, d| Some(Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap());
        assert_eq!(plausible(at(2026, 11, 24), now), at(2026, 11, 24));
        assert_eq!(plausible(at(9999, 1, 1), now), None);
        assert_eq!(plausible(at(1970, 1, 1), now), None);
        assert_eq!(plausible(at(0, 1, 1), now), None);
        assert_eq!(plausible(None, now), None);
    }

    #[test]
    fn targets_by_access() {
        assert_eq!(
            target("http:/example.org/f", Access::WebOnly).unwrap(),
            Target::Web("http://example.org/f".into())
        );
        assert!(matches!(
            target("file:///etc/passwd", Access::WebOnly),
            Err(IngestError::NotWeb { .. })
        ));
        assert_eq!(
            target("file:///etc/passwd", Access::LocalFiles).unwrap(),
            Target::File("/etc/passwd".into())
        );
        assert!(matches!(
            target("gopher://x/", Access::LocalFiles),
            Err(IngestError::NotWeb { scheme: Some(ref s), .. }) if s == "gopher"
        ));
        assert!(matches!(
            target("feeds/x.xml", Access::WebOnly),
            Err(IngestError::NotWeb { scheme: None, .. })
        ));
        // Written as addresses, so never opened as files, even by the CLI: each says why it is not a URL.
        for (bad, why) in [
            ("http://:8080/feed", "names no host"),
            (
                "http://exa mple.com/feed",
                "a character no host name may have",
            ),
            ("http://[fe80::1%25lo]:8080/", "IPv6 address does not read"),
        ] {
            match target(bad, Access::LocalFiles) {
                Err(e @ IngestError::BadUrl { .. }) => {
                    let text = e.to_string();
                    assert!(
                        text.contains("not a valid URL") && text.contains(why),
                        "{text}"
                    );
                }
                other => panic!("{bad}: {other:?}"),
            }
        }
        // A Windows drive letter is a path, not a scheme.
        assert!(matches!(
            target("C:\\feeds\\x.xml", Access::LocalFiles),
            Ok(Target::File(_))
        ));
        let shown = redact("https://reader:hunter2@h.example/f");
        assert_eq!(shown, "https://h.example/f");
        assert_eq!(redact("feeds/a\nb.xml"), "feeds/a\u{FFFD}b.xml");
    }
}
