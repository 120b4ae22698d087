//! Reading the article behind each item: fetch its link's page with the hardened fetcher, extract the
//! readable article ([`super::extract`]) and store it beside the feed's teaser.
//!
//! Each URL is fetched once, ever: the outcome (the article, or why there is none) is stored under the URL,
//! and URLs being read right now are claimed, so concurrent callers (the poller, `/briefing`, `herald brief`)
//! never fetch a page twice. Politeness per host: at most `per_host` fetches at once and `host_gap_ms` between
//! the starts of two; over all hosts at most `concurrency`. A page that fails — timeout, HTTP error, not HTML,
//! no article, a stub shorter than `min_words` (paywalls serve one) — is recorded with the reason, and its items
//! keep the feed's text: reading pages never holds up a feed.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_util::{FutureExt, StreamExt};
use std::panic::AssertUnwindSafe;
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tracing::Instrument;

use super::encoding::html_to_string;
use super::extract::extract_article;
use super::fetch::{FetchError, Fetched, Fetcher};
use super::ingest::redact;
use super::search::REDIRECTING;
use crate::clock::Clock;
use crate::config::ArticlesConfig;
use crate::store::{PageFailure, Store, StoreError};

/// What asking for a page came to, short of a failure.
#[derive(Debug)]
enum Fetch {
    /// The page, read.
    Page(Box<Page>),
    /// Read meanwhile by another link (a redirect that landed on it): nothing to do.
    Settled,
    /// Not asked: the read stopped asking (see [`GIVE_UP_AFTER`]).
    Stopped,
}

/// A page read: its article, and the URL its link led to (after redirects).
#[derive(Debug)]
struct Page {
    landed: String,
    article: crate::item::Article,
}

/// Why a page read did not give its items an article (passed to the caller's `on_done`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PageError {
    /// The page could not be had, or held no article: why (stored under its URL too).
    #[error("{0}")]
    Unused(String),
    /// Not read: too many hosts in a row could not be reached, so this read stopped asking (nothing stored;
    /// the page is read another time).
    #[error("not read: {GIVE_UP_AFTER} hosts in a row could not be reached")]
    Left,
    /// Its outcome could not be stored.
    #[error("cannot store it: {0}")]
    NotStored(String),
    /// Reading it panicked (its task ended; nothing else did).
    #[error("reading the page panicked")]
    Panicked,
}

/// Why a page was not used, and whether the reason may pass (then it is asked again later, with backoff).
#[derive(Debug)]
struct Unused {
    why: String,
    passing: bool,
    /// The page's own URL, when it was had but is not used (see [`PageFailure::canonical`]).
    canonical: Option<String>,
}

impl Unused {
    fn passing(why: String) -> Self {
        Self {
            why,
            passing: true,
            canonical: None,
        }
    }

    fn lasting(why: String) -> Self {
        Self {
            why,
            passing: false,
            canonical: None,
        }
    }

    /// The same, for a page had at `canonical`.
    fn at(self, canonical: Option<String>) -> Self {
        Self { canonical, ..self }
    }
}

/// Hosts in a row that could not be reached (each asked, none answering) after which one read stops asking
/// and leaves the rest of its pages for another time: a machine whose network or DNS is down would otherwise
/// wait on every page's host in turn (a `herald brief` over 10,000 feeds spent 28 s of its 38 s so).
pub const GIVE_UP_AFTER: usize = 20;

/// Whether a host that was asked for a page answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reach {
    /// It answered (a page, or an HTTP error: the network works).
    Answered,
    /// No answer: its name did not resolve, no connection, or none in time.
    NotReached,
}

impl Reach {
    fn of(fetched: &Result<Fetched, FetchError>) -> Self {
        match fetched {
            Err(FetchError::Dns { .. } | FetchError::Timeout | FetchError::Network(_)) => {
                Self::NotReached
            }
            _ => Self::Answered,
        }
    }
}

/// Counts the hosts in a row one read asked and could not reach; any answer starts the count again (hosts
/// not asked, because they failed moments ago, are not seen at all).
#[derive(Debug, Default)]
struct Streak {
    unreachable: usize,
}

impl Streak {
    /// Takes one host's answer; whether the read should stop asking now.
    fn see(&mut self, reach: Reach) -> bool {
        match reach {
            Reach::NotReached => self.unreachable += 1,
            Reach::Answered => self.unreachable = 0,
        }
        self.unreachable >= GIVE_UP_AFTER
    }
}

/// One read's [`Streak`], kept by its pages' tasks as each host answers or not (while the page still holds
/// its fetch slot, so at most the fetches already under way when the count is reached go on), and whether the
/// read gave up: a page whose host is not asked yet then is not.
#[derive(Debug, Default)]
struct GiveUp {
    streak: Mutex<Streak>,
    stopped: AtomicBool,
}

impl GiveUp {
    /// Takes one host's answer.
    fn see(&self, reach: Reach) {
        let over = self
            .streak
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .see(reach);
        if over && !self.stopped.swap(true, Ordering::Relaxed) {
            // Info, not a warning: `herald brief` says it in its own words, and `herald run`'s reader pauses.
            tracing::info!(
                hosts = GIVE_UP_AFTER,
                "hosts in a row could not be reached; the other pages are left for another time"
            );
        }
    }

    /// Whether the read gave up.
    fn stopped(&self) -> bool {
        self.stopped.load(Ordering::Relaxed)
    }
}

/// Rounds the background reader sits out after one that gave up ([`GIVE_UP_AFTER`]), doubling while rounds
/// keep giving up, up to [`MAX_PAUSE_ROUNDS`] (15 minutes): while the network is down it asks 20 hosts now and
/// then, not every 5 seconds.
#[derive(Debug, Default)]
struct Pause {
    /// Rounds to sit out after the next round that gives up.
    next: u32,
    /// Rounds left to sit out now.
    left: u32,
}

/// The longest pause, in rounds of [`ROUND_EVERY`].
const MAX_PAUSE_ROUNDS: u32 = 180;

impl Pause {
    /// Whether this round is sat out.
    fn skip(&mut self) -> bool {
        if self.left == 0 {
            return false;
        }
        self.left -= 1;
        true
    }

    /// Takes a round's report: one that gave up starts a pause, one that did not ends the doubling.
    fn after(&mut self, report: &ReadReport) {
        if report.left > 0 {
            self.next = (self.next * 2).clamp(6, MAX_PAUSE_ROUNDS);
            self.left = self.next;
        } else {
            self.next = 0;
        }
    }
}

/// How often the background reader looks for unread pages.
const ROUND_EVERY: Duration = Duration::from_secs(5);
/// Pages one background round reads at most.
const ROUND_PAGES: usize = 200;

/// What one read did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadReport {
    /// Pages whose article was stored.
    pub read: usize,
    /// Pages that failed (recorded with the reason).
    pub failed: usize,
    /// Pages left unread because [`GIVE_UP_AFTER`] hosts in a row could not be reached (read another time).
    pub left: usize,
}

/// Reads article pages politely; cheap to clone, and meant to be shared by everything that reads pages.
#[derive(Clone)]
pub struct ArticleReader {
    inner: Arc<Inner>,
}

struct Inner {
    fetcher: Fetcher,
    cfg: ArticlesConfig,
    global: Semaphore,
    hosts: Mutex<HashMap<String, Arc<Host>>>,
    in_flight: Mutex<HashSet<String>>,
}

/// One host's gate: fetches at once, and when the next may start.
struct Host {
    slots: Semaphore,
    next_start: tokio::sync::Mutex<Instant>,
    /// Until when this host is not asked (its name did not resolve), and why.
    unreachable: Mutex<Option<(Instant, String)>>,
}

impl Host {
    /// Why this host is not asked now, if it is not.
    fn skipped(&self) -> Option<String> {
        self.unreachable
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|(until, _)| *until > Instant::now())
            .map(|(_, why)| why.clone())
    }
}

/// How long a host whose name did not resolve is not asked again: its other pages fail at once, with the
/// same reason, instead of each waiting on DNS (10,000 feeds once took 6 minutes a `herald brief` this way).
const DNS_FAILURE_TTL: Duration = Duration::from_secs(15 * 60);

impl ArticleReader {
    /// A reader fetching with `fetcher` under the `[articles]` limits.
    pub fn new(fetcher: Fetcher, cfg: ArticlesConfig) -> Self {
        Self {
            inner: Arc::new(Inner {
                fetcher,
                global: Semaphore::new(cfg.concurrency.max(1)),
                cfg,
                hosts: Mutex::new(HashMap::new()),
                in_flight: Mutex::new(HashSet::new()),
            }),
        }
    }

    /// Whether `[articles] enabled` is on.
    pub fn enabled(&self) -> bool {
        self.inner.cfg.enabled
    }

    /// Reads the pages of new items in the background, for ever: every few seconds, up to a batch of the newest
    /// items within `window` whose page is unread. A failing round is logged and the next one tries again; a
    /// panic is caught and the loop carries on.
    pub async fn run(self, store: Store, clock: Arc<dyn Clock>, window: chrono::Duration) {
        if !self.enabled() {
            return;
        }
        let mut every = tokio::time::interval(ROUND_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut pause = Pause::default();
        loop {
            every.tick().await;
            if pause.skip() {
                continue;
            }
            let now = clock.now();
            let round = self.read_unread(
                &store,
                None,
                Some(now - window),
                ROUND_PAGES,
                now,
                |_, _| {},
            );
            match AssertUnwindSafe(round).catch_unwind().await {
                Ok(Ok(report)) if report.read + report.failed > 0 => {
                    tracing::debug!(?report, "article pages read");
                    pause.after(&report);
                }
                Ok(Ok(_)) => {}
                Ok(Err(e)) => tracing::warn!(error = %e, "article round failed"),
                Err(_) => tracing::error!("article round panicked; carrying on"),
            }
        }
    }

    /// Reads the pages of stored items not read yet (of `source_ids` when given, published at or after
    /// `since` when given), at most `max` of them, newest first. `on_done` sees each page as it finishes.
    pub async fn read_unread(
        &self,
        store: &Store,
        source_ids: Option<&[i64]>,
        since: Option<DateTime<Utc>>,
        max: usize,
        now: DateTime<Utc>,
        on_done: impl FnMut(&str, &Result<(), PageError>),
    ) -> Result<ReadReport, StoreError> {
        if !self.enabled() {
            return Ok(ReadReport::default());
        }
        // Redirects first: the pages they land on are then read, and not listed again for the direct links.
        let redirects = store
            .unread_article_urls(source_ids, since, max, now, Some(REDIRECTING))
            .await?;
        let mut on_done = on_done;
        let mut report = self.read(store, redirects, now, &mut on_done).await;
        if report.left > 0 {
            return Ok(report);
        }
        let room = max.saturating_sub(report.read + report.failed);
        let urls = store
            .unread_article_urls(source_ids, since, room, now, None)
            .await?;
        let rest = self.read(store, urls, now, &mut on_done).await;
        report.read += rest.read;
        report.failed += rest.failed;
        report.left += rest.left;
        Ok(report)
    }

    /// Reads the pages at `urls` (those another caller is reading now are left to it) and stores each
    /// outcome. Each page is read in a task of its own, so a panic is that page's failure. Once
    /// [`GIVE_UP_AFTER`] hosts in a row could not be reached, the pages not asked yet are left unread.
    pub async fn read(
        &self,
        store: &Store,
        urls: Vec<String>,
        now: DateTime<Utc>,
        mut on_done: impl FnMut(&str, &Result<(), PageError>),
    ) -> ReadReport {
        let claims = self.claim(urls);
        let mut report = ReadReport::default();
        let give_up = Arc::new(GiveUp::default());
        let mut tasks = futures_util::stream::iter(claims)
            .map(|claim| {
                let (reader, store, give_up) = (self.clone(), store.clone(), give_up.clone());
                let url = claim.url.clone();
                let span = tracing::info_span!("article", url = %redact(&url));
                async move {
                    // The claim lives in the task: a caller that stops waiting (a `/briefing` past its wait)
                    // leaves the page claimed until its task has stored it.
                    let task = tokio::spawn(
                        async move {
                            let outcome = reader.read_one(&store, &claim.url, now, &give_up).await;
                            drop(claim);
                            outcome
                        }
                        .instrument(span),
                    );
                    let result = task.await.unwrap_or_else(|e| {
                        tracing::error!(url = %redact(&url), error = %e, "reading an article panicked");
                        Err(PageError::Panicked)
                    });
                    (url, result)
                }
            })
            // Tasks wait on their host's gate before they take a global slot, so let enough of them queue
            // that other hosts keep the global slots busy.
            .buffer_unordered(self.inner.cfg.concurrency.max(1) * 8);
        while let Some((url, result)) = tasks.next().await {
            match &result {
                Ok(()) => {
                    metrics::counter!("herald_articles_total", "outcome" => "read").increment(1);
                    report.read += 1;
                }
                Err(PageError::Left) => {
                    metrics::counter!("herald_articles_total", "outcome" => "left").increment(1);
                    report.left += 1;
                }
                Err(_) => {
                    metrics::counter!("herald_articles_total", "outcome" => "failed").increment(1);
                    report.failed += 1;
                }
            }
            on_done(&url, &result);
        }
        report
    }

    /// Fetches, extracts and stores one page; `Err` holds why it was not used (already stored too), or
    /// [`PageError::Left`] when the read gave up before its host was asked (nothing stored).
    async fn read_one(
        &self,
        store: &Store,
        url: &str,
        now: DateTime<Utc>,
        give_up: &GiveUp,
    ) -> Result<(), PageError> {
        let outcome = match self.fetch_article(store, url, now, give_up).await {
            // Read meanwhile, under this link (a redirect that landed here did it): nothing to do.
            Ok(Fetch::Settled) => return Ok(()),
            Ok(Fetch::Stopped) => return Err(PageError::Left),
            Ok(Fetch::Page(page)) => Ok(*page),
            Err(e) => Err(e),
        };
        // A link that led elsewhere (a provider's redirect) read the page it landed on: that page is read too,
        // so an item linking there directly does not fetch it again.
        if let Ok(Page { landed, article }) = &outcome {
            if landed != url {
                if let Err(e) = store.save_article(landed, Ok(article), now).await {
                    tracing::warn!(error = %e, "cannot store an article");
                }
            }
        }
        let outcome = outcome.map(|p| p.article);
        let saved = store
            .save_article(
                url,
                outcome.as_ref().map_err(|u| PageFailure {
                    why: &u.why,
                    passing: u.passing,
                    canonical: u.canonical.as_deref(),
                }),
                now,
            )
            .await;
        if let Err(e) = saved {
            tracing::warn!(error = %e, "cannot store an article");
            return Err(PageError::NotStored(e.to_string()));
        }
        match outcome {
            Ok(_) => Ok(()),
            Err(Unused { why, passing, .. }) => {
                tracing::debug!(reason = %why, passing, "article not used; its items keep the feed's text");
                Err(PageError::Unused(why))
            }
        }
    }

    /// Why pages on `url`'s host are not asked now (its name did not resolve moments ago), if they are not.
    pub fn skipped_host(&self, url: &str) -> Option<String> {
        self.host(url).skipped()
    }

    /// The article at `url` and where its link led, unless by the time its host had room the page needed no
    /// reading any more or the read gave up.
    async fn fetch_article(
        &self,
        store: &Store,
        url: &str,
        now: DateTime<Utc>,
        give_up: &GiveUp,
    ) -> Result<Fetch, Unused> {
        let host = self.host(url);
        if let Some(why) = host.skipped() {
            return Err(Unused::passing(why));
        }
        let fetched = {
            let _slot = host
                .slots
                .acquire()
                .await
                .map_err(|e| Unused::passing(e.to_string()))?;
            // Its name may have failed while this page waited for the host: then it is not asked again.
            if let Some(why) = host.skipped() {
                return Err(Unused::passing(why));
            }
            {
                let mut next = host.next_start.lock().await;
                tokio::time::sleep_until(*next).await;
                *next = Instant::now() + Duration::from_millis(self.inner.cfg.host_gap_ms);
            }
            let _global = self
                .inner
                .global
                .acquire()
                .await
                .map_err(|e| Unused::passing(e.to_string()))?;
            if give_up.stopped() {
                return Ok(Fetch::Stopped);
            }
            // Pages are read in order, redirects first: one that landed here may have read this page.
            if store.article_settled(url, now).await.unwrap_or(false) {
                return Ok(Fetch::Settled);
            }
            let fetched = self.inner.fetcher.get_page(url).await;
            give_up.see(Reach::of(&fetched));
            fetched
        };
        let (body, final_url, charset) = match fetched {
            Ok(Fetched::Body {
                body, url, charset, ..
            }) => (body, url.to_string(), charset),
            Ok(Fetched::NotModified) => {
                return Err(Unused::lasting("the server answered 304".to_owned()));
            }
            Err(e @ FetchError::Dns { .. }) => {
                let why = e.to_string();
                *host.unreachable.lock().unwrap_or_else(|e| e.into_inner()) =
                    Some((Instant::now() + DNS_FAILURE_TTL, why.clone()));
                return Err(Unused::passing(why));
            }
            Err(e) => {
                let passing = matches!(
                    e,
                    FetchError::Timeout | FetchError::Network(_) | FetchError::RateLimited(_)
                ) || matches!(e, FetchError::Status(s) if s >= 500 || s == 408);
                return Err(Unused {
                    passing,
                    ..Unused::lasting(e.to_string())
                });
            }
        };
        let min_words = self.inner.cfg.min_words;
        // Parsing a page is CPU work: off the async threads.
        let landed = final_url.clone();
        let base = final_url.clone();
        let extracted = tokio::task::spawn_blocking(move || {
            let html = html_to_string(&body, charset.as_deref());
            extract_article(&html, Some(&base))
        })
        .await
        .map_err(|_| Unused::lasting("extracting the article panicked".to_owned()))?;
        // A page that names no canonical URL is known by where its link led (a search provider's redirect
        // lands on the publisher's page), whether or not it holds an article to use.
        let landed_elsewhere = (final_url != url).then_some(final_url);
        let Some(mut article) = extracted else {
            return Err(
                Unused::lasting("no readable article in the page".to_owned()).at(landed_elsewhere),
            );
        };
        article.canonical_url = article.canonical_url.or(landed_elsewhere);
        let words = article.text.split_whitespace().count();
        if words < min_words {
            return Err(Unused::lasting(format!(
                "the article is only {words} words (a paywall or a stub?)"
            ))
            .at(article.canonical_url));
        }
        Ok(Fetch::Page(Box::new(Page { landed, article })))
    }

    /// The gate of `url`'s host (with its port).
    fn host(&self, url: &str) -> Arc<Host> {
        let key = url::Url::parse(url)
            .ok()
            .map(|u| {
                format!(
                    "{}:{}",
                    u.host_str().unwrap_or(""),
                    u.port_or_known_default().unwrap_or(0)
                )
            })
            .unwrap_or_default();
        let mut hosts = self.inner.hosts.lock().unwrap_or_else(|e| e.into_inner());
        // Forget idle hosts now and then, so the map stays as small as the set of hosts being read.
        if hosts.len() > 4096 {
            hosts.retain(|_, h| Arc::strong_count(h) > 1);
        }
        hosts
            .entry(key)
            .or_insert_with(|| {
                Arc::new(Host {
                    slots: Semaphore::new(self.inner.cfg.per_host.max(1)),
                    next_start: tokio::sync::Mutex::new(Instant::now()),
                    unreachable: Mutex::new(None),
                })
            })
            .clone()
    }

    /// Claims those of `urls` nobody is reading now (each once).
    fn claim(&self, urls: Vec<String>) -> Vec<Claim> {
        let mut set = self
            .inner
            .in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        urls.into_iter()
            .filter(|u| set.insert(u.clone()))
            .map(|url| Claim {
                reader: self.clone(),
                url,
            })
            .collect()
    }
}

/// A URL one caller is reading; released when dropped.
struct Claim {
    reader: ArticleReader,
    url: String,
}

impl Drop for Claim {
    fn drop(&mut self) {
        self.reader
            .inner
            .in_flight
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.url);
    }
}

/// The reasons pages failed, most common first, as "HTTP 403 ×2, timed out ×1". Reasons that differ only in
/// a host, URL or count are tallied together ("the host a.example was not found (…) ×300, and the like for 299
/// others"), and past the five commonest the rest are counted, so the line stays one line however many pages
/// failed.
pub fn tally(reasons: &[String]) -> String {
    // (shape, first reason of that shape, distinct reasons, count)
    let mut groups: Vec<(String, String, HashSet<String>, usize)> = Vec::new();
    for r in reasons {
        let shape = shape_of(r);
        match groups.iter_mut().find(|g| g.0 == shape) {
            Some(g) => {
                g.2.insert(r.clone());
                g.3 += 1;
            }
            None => groups.push((shape, r.clone(), HashSet::from([r.clone()]), 1)),
        }
    }
    groups.sort_by_key(|g| std::cmp::Reverse(g.3));
    let shown: Vec<String> = groups
        .iter()
        .take(TALLY_SHOWN)
        .map(|(_, first, distinct, n)| match distinct.len() {
            1 => format!("{first} ×{n}"),
            2 => format!("{first} ×{n}, and the like for 1 other"),
            d => format!("{first} ×{n}, and the like for {} others", d - 1),
        })
        .collect();
    let rest: usize = groups.iter().skip(TALLY_SHOWN).map(|g| g.3).sum();
    if rest > 0 {
        format!("{}; {rest} for other reasons", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// Kinds of reasons [`tally`] names at most.
const TALLY_SHOWN: usize = 5;

/// A reason with its hosts, URLs and numbers blanked, so reasons of one kind compare equal.
fn shape_of(reason: &str) -> String {
    reason
        .split_whitespace()
        .map(|w| {
            let core = w.trim_matches(|c: char| !c.is_alphanumeric());
            // A status code (three digits) tells kinds apart; a count or a name does not.
            let status = core.len() == 3 && core.chars().all(|c| c.is_ascii_digit());
            let named = core.contains('.') && core.chars().any(|c| c.is_ascii_alphabetic())
                || core.contains("://")
                || (!status && core.chars().any(|c| c.is_ascii_digit()));
            if named { "#" } else { w }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A background round that gave up sits out 6 rounds (30 s), then 12, 24 … up to 15 minutes while rounds
    /// keep giving up; a round that did not ends the doubling.
    #[test]
    fn rounds_that_give_up_pause_the_reader_longer_each_time() {
        let gave_up = ReadReport {
            read: 0,
            failed: GIVE_UP_AFTER,
            left: 5,
        };
        let mut pause = Pause::default();
        assert!(!pause.skip());
        let mut sat_out = Vec::new();
        for _ in 0..8 {
            pause.after(&gave_up);
            let mut n = 0;
            while pause.skip() {
                n += 1;
            }
            sat_out.push(n);
        }
        assert_eq!(sat_out, [6, 12, 24, 48, 96, 180, 180, 180]);
        pause.after(&ReadReport {
            read: 3,
            failed: 1,
            left: 0,
        });
        assert!(!pause.skip());
        pause.after(&gave_up);
        assert_eq!(pause.left, 6, "the doubling starts over");
    }

    /// The count of hosts in a row not reached: an answer of any kind (an HTTP error too) starts it again.
    #[test]
    fn a_streak_counts_hosts_asked_and_not_reached_in_a_row() {
        let mut streak = Streak::default();
        for _ in 0..GIVE_UP_AFTER - 1 {
            assert!(!streak.see(Reach::NotReached));
        }
        assert!(!streak.see(Reach::Answered));
        for _ in 0..GIVE_UP_AFTER - 1 {
            assert!(!streak.see(Reach::NotReached));
        }
        assert!(streak.see(Reach::NotReached));
        let fetched = |e| Reach::of(&Err(e));
        assert_eq!(fetched(FetchError::Timeout), Reach::NotReached);
        assert_eq!(
            fetched(FetchError::Network("connection refused".into())),
            Reach::NotReached
        );
        assert_eq!(fetched(FetchError::Status(503)), Reach::Answered);
        assert_eq!(fetched(FetchError::RateLimited(None)), Reach::Answered);
    }

    /// Failures that differ only in a host or a count are one kind; status codes stay apart; past five kinds
    /// the rest are counted: one line however many pages failed.
    #[test]
    fn a_tally_stays_one_line_however_many_pages_failed() {
        let mut reasons: Vec<String> = (0..300)
            .map(|i| format!("the host site{i}.example.org was not found (no answer)"))
            .collect();
        reasons.extend([
            "server answered HTTP 403".into(),
            "server answered HTTP 404".into(),
        ]);
        reasons.extend([
            "the article is only 12 words".into(),
            "the article is only 31 words".into(),
        ]);
        assert_eq!(
            tally(&reasons),
            "the host site0.example.org was not found (no answer) ×300, and the like for 299 others, the \
             article is only 12 words ×2, and the like for 1 other, server answered HTTP 403 ×1, server \
             answered HTTP 404 ×1"
        );
        let kinds: Vec<String> = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
            .iter()
            .map(|k| format!("kind {k} failure"))
            .collect();
        let line = tally(&kinds);
        assert!(line.ends_with("; 4 for other reasons"), "{line}");
    }
}
