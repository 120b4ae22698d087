//! Keyless news search behind every subscription: Bing News RSS ([`bing`]), the GDELT DOC 2.0 API
//! ([`gdelt`]), Google News RSS ([`google`]) and Hacker News through Algolia ([`hn`]).
//!
//! A search is a source like a feed (`sources.kind` names its provider; `sources.url` is its request without
//! time-dependent parameters), so one (provider, query, locale) is fetched once however many channels and
//! servers follow it, is polled and backed off by the poller, and shows its last error in `/sources list`.
//! Each provider translates herald's topic language ([`SearchTerms`]) into its own syntax, and results are
//! filtered by herald's own matcher afterwards, so a provider that cannot say a query exactly (Algolia has no
//! OR) is asked for more, never for less. Every request goes through the hardened [`Fetcher`] with herald's
//! User-Agent and waits its turn at the shared [`Limiter`].

pub mod bing;
pub mod gdelt;
pub mod google;
pub mod hn;
mod limiter;
pub mod rss;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use url::Url;

pub use limiter::{Limiter, Limits};

use crate::config::SearchConfig;
use crate::item::NewItem;
use crate::query::{Query, SearchTerm, SearchTerms};
use crate::sources::fetch::{FetchError, Fetched, Fetcher, Validators, redact};
use crate::store::{GuildSearch, Source, Store};

pub use crate::locale::{Locale, PROVIDERS};

/// Why a search gave no results.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The request failed.
    #[error("{url}: {error}")]
    Fetch {
        /// The search (redacted).
        url: String,
        /// What went wrong.
        error: FetchError,
    },
    /// The provider's answer does not read (malformed, or the provider refused the query), or the stored
    /// search names no provider herald has.
    #[error("{url}: {reason}")]
    Answer {
        /// The search (redacted).
        url: String,
        /// What is wrong, on one line.
        reason: String,
    },
    /// Not this search's turn at its provider yet (herald's own rate limit, or a pause after a 429).
    #[error("{url}: waiting for {provider}'s rate limit until {until}")]
    Waiting {
        /// The search (redacted).
        url: String,
        /// The provider's name for people.
        provider: &'static str,
        /// When its next turn comes.
        until: DateTime<Utc>,
    },
}

/// Providers whose result links are redirects to the publisher's page (Google News' `rss/articles/…`): their
/// pages are read before the others, so that the publisher's page they land on is known read when another
/// provider or a feed links to it directly, and is not fetched twice.
pub const REDIRECTING: &[&str] = &["google"];

/// One news-search provider: how it is asked, how often, and how its answer reads.
pub trait Provider: Send + Sync {
    /// Its name in config and commands (`bing`).
    fn name(&self) -> &'static str;
    /// Its name for people (`Bing News`).
    fn title(&self) -> &'static str;
    /// How often it may be asked.
    fn limits(&self) -> Limits;
    /// The topic in the provider's own syntax; `None` when nothing of it can be asked there.
    fn query(&self, terms: &SearchTerms, locale: &Locale) -> Option<String>;
    /// The search as stored (the source's URL): the request without time-dependent parameters.
    fn search_url(&self, query: &str, locale: &Locale) -> Url;
    /// The request to send now (the stored URL plus time-dependent parameters, where the provider has
    /// them); `since`: the last success, if any.
    fn request_url(&self, stored: &Url, _now: DateTime<Utc>, _since: Option<DateTime<Utc>>) -> Url {
        stored.clone()
    }
    /// The results in an answer (decoded to UTF-8), in the provider's order, or why it does not read.
    fn parse(&self, body: &str) -> Result<Vec<NewItem>, String>;
}

/// The providers herald can ask, built from `[search]`.
#[derive(Clone)]
pub struct Providers {
    list: Vec<Arc<dyn Provider>>,
}

impl std::fmt::Debug for Providers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list()
            .entries(self.list.iter().map(|p| p.name()))
            .finish()
    }
}

impl Providers {
    /// All four, at the base URLs `cfg` names.
    pub fn new(cfg: &SearchConfig) -> Self {
        Self {
            list: vec![
                Arc::new(bing::Bing::new(&cfg.bing_url)),
                Arc::new(gdelt::Gdelt::new(&cfg.gdelt_url)),
                Arc::new(google::Google::new(&cfg.google_url)),
                Arc::new(hn::HackerNews::new(&cfg.hn_url)),
            ],
        }
    }

    /// The provider named `name`.
    pub fn get(&self, name: &str) -> Option<&Arc<dyn Provider>> {
        self.list.iter().find(|p| p.name() == name)
    }
}

/// A server's search settings with the config's defaults filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchSettings {
    /// Providers turned on, in [`PROVIDERS`] order.
    pub providers: Vec<String>,
    /// Its news language and region.
    pub locale: Locale,
}

impl SearchSettings {
    /// `stored` over the config's defaults. A stored value that no longer reads falls back to the default.
    pub fn resolve(stored: &GuildSearch, cfg: &SearchConfig) -> Self {
        let providers: Vec<String> = match &stored.providers {
            Some(list) => list
                .split(',')
                .map(str::trim)
                .filter(|p| PROVIDERS.contains(p))
                .map(str::to_owned)
                .collect(),
            None => cfg.providers.clone(),
        };
        let providers = PROVIDERS
            .iter()
            .filter(|p| providers.iter().any(|q| q == *p))
            .map(|p| (*p).to_owned())
            .collect();
        let default = Locale::new(&cfg.language, &cfg.country).unwrap_or(Locale {
            language: "en".into(),
            country: "US".into(),
        });
        let locale = Locale::new(
            stored.language.as_deref().unwrap_or(&default.language),
            stored.country.as_deref().unwrap_or(&default.country),
        )
        .unwrap_or(default);
        Self { providers, locale }
    }
}

/// A search to run: its provider and its stored URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    /// The provider's name.
    pub provider: &'static str,
    /// The provider's name for people.
    pub provider_title: &'static str,
    /// The stored request (the source's URL).
    pub url: String,
    /// What to call it: "Bing News · ukraine ceasefire".
    pub title: String,
}

/// Runs searches: the providers, the shared limiter, and how long a caller may wait for a provider's turn.
#[derive(Debug, Clone)]
pub struct Searcher {
    providers: Providers,
    limiter: Arc<Limiter>,
    max_results: usize,
    wait: Duration,
}

impl Searcher {
    /// A searcher over `[search]`'s providers that never waits for a turn (the bot: a search whose provider
    /// is busy is tried on a later poll).
    pub fn new(cfg: &SearchConfig) -> Self {
        Self {
            providers: Providers::new(cfg),
            limiter: Arc::new(Limiter::default()),
            max_results: cfg.max_results.max(1),
            wait: Duration::ZERO,
        }
    }

    /// The same searcher, waiting up to `wait` for a provider's turn (the command line).
    pub fn waiting(mut self, wait: Duration) -> Self {
        self.wait = wait;
        self
    }

    /// The providers.
    pub fn providers(&self) -> &Providers {
        &self.providers
    }

    /// The searches that bring `topic` on the given providers in `locale` (a provider that cannot ask any of
    /// it is left out).
    pub fn searches_for(
        &self,
        topic: &Query,
        providers: &[String],
        locale: &Locale,
    ) -> Vec<Search> {
        let terms = topic.search_terms();
        providers
            .iter()
            .filter_map(|name| self.providers.get(name))
            .filter_map(|p| {
                let q = p.query(&terms, locale)?;
                Some(Search {
                    provider: p.name(),
                    provider_title: p.title(),
                    url: p.search_url(&q, locale).to_string(),
                    title: format!("{} · {topic}", p.title()),
                })
            })
            .collect()
    }

    /// Runs the search `source` stands for and returns its results as items, as `parse_feed` returns a
    /// feed's (ingest stores both kinds the same way). A provider that is not this search's turn yet is
    /// [`SearchError::Waiting`] (not a failure); a 429 also pauses the whole provider.
    pub async fn search(
        &self,
        fetcher: &Fetcher,
        source: &Source,
        now: DateTime<Utc>,
    ) -> Result<Vec<NewItem>, SearchError> {
        let shown = redact(&source.url);
        let provider = self
            .providers
            .get(&source.kind)
            .ok_or_else(|| SearchError::Answer {
                url: shown.clone(),
                reason: format!("no search provider named {:?}", source.kind),
            })?;
        let stored = Url::parse(&source.url).map_err(|_| SearchError::Answer {
            url: shown.clone(),
            reason: "the stored search is not a URL".into(),
        })?;
        self.turn(provider.as_ref(), &source.url, now).await?;
        let request = provider.request_url(&stored, now, source.last_ok_at);
        let mut retried = false;
        let fetched = loop {
            match fetcher.get(request.as_str(), &Validators::default()).await {
                Ok(fetched) => break fetched,
                Err(FetchError::RateLimited(after)) => {
                    let wait = after.unwrap_or(provider.limits().after_429);
                    // A caller that waits (the terminal) waits out a short window once, as the provider
                    // asked, rather than brief without it.
                    if !retried && !self.wait.is_zero() && wait <= self.wait.min(MAX_429_WAIT) {
                        retried = true;
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    self.limiter.pause(
                        provider.name(),
                        now + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX),
                    );
                    return Err(SearchError::Fetch {
                        url: shown.clone(),
                        error: FetchError::RateLimited(after),
                    });
                }
                Err(error) => {
                    return Err(SearchError::Fetch {
                        url: shown.clone(),
                        error,
                    });
                }
            }
        };
        let Fetched::Body { body, charset, .. } = fetched else {
            return Err(SearchError::Fetch {
                url: shown,
                error: FetchError::UnaskedNotModified,
            });
        };
        let text = String::from_utf8_lossy(&super::encoding::to_utf8(&body, charset.as_deref()))
            .into_owned();
        let mut items = provider
            .parse(&text)
            .map_err(|reason| SearchError::Answer {
                url: shown.clone(),
                reason,
            })?;
        items.truncate(self.max_results);
        Ok(items)
    }

    /// Waits for the provider's turn for this search, up to the searcher's wait.
    async fn turn(
        &self,
        provider: &dyn Provider,
        key: &str,
        now: DateTime<Utc>,
    ) -> Result<(), SearchError> {
        let mut now = now;
        loop {
            match self
                .limiter
                .take(provider.name(), provider.limits(), key, now)
            {
                Ok(()) => return Ok(()),
                Err(until) => {
                    let wait = (until - now).to_std().unwrap_or_default();
                    if wait > self.wait || self.wait.is_zero() {
                        return Err(SearchError::Waiting {
                            url: redact(key),
                            provider: provider.title(),
                            until,
                        });
                    }
                    tokio::time::sleep(wait).await;
                    now = until;
                }
            }
        }
    }
}

/// The longest 429 window a waiting caller sits out once (GDELT asks for 5 s between requests).
const MAX_429_WAIT: Duration = Duration::from_secs(6);

/// Rebuilds which searches the subscriptions of one server (every server when `guild_id` is `None`) draw
/// from: for each topic, one search per provider the server has on, in its locale. Searches no subscription
/// uses any more stop being polled; a new one is polled at once (its first answer is backlog). Returns how
/// many subscriptions were looked at.
pub async fn sync_searches(
    store: &Store,
    searcher: &Searcher,
    cfg: &SearchConfig,
    guild_id: Option<u64>,
    now: DateTime<Utc>,
) -> Result<usize, crate::store::StoreError> {
    let subs = store.subscription_refs(guild_id).await?;
    let mut settings: std::collections::HashMap<u64, SearchSettings> =
        std::collections::HashMap::new();
    for sub in &subs {
        let wanted = match settings.get(&sub.guild_id) {
            Some(s) => s.clone(),
            None => {
                let s = SearchSettings::resolve(&store.guild_search(sub.guild_id).await?, cfg);
                settings.insert(sub.guild_id, s.clone());
                s
            }
        };
        let ids = match Query::parse(&sub.query) {
            Ok(topic) => {
                let mut ids = Vec::new();
                for search in searcher.searches_for(&topic, &wanted.providers, &wanted.locale) {
                    let source = store
                        .upsert_source(&search.url, search.provider, now)
                        .await?;
                    if source.title.is_none() {
                        store.name_source(source.id, &search.title).await?;
                    }
                    ids.push(source.id);
                }
                ids
            }
            Err(_) => Vec::new(),
        };
        store.set_subscription_searches(sub.id, &ids).await?;
    }
    Ok(subs.len())
}

/// The search sources for one topic in a server (created if new, not linked to any subscription: a
/// `/briefing topic:` asks them once, and only subscriptions keep them polled).
pub async fn topic_searches(
    store: &Store,
    searcher: &Searcher,
    settings: &SearchSettings,
    topic: &Query,
    now: DateTime<Utc>,
) -> Result<Vec<Source>, crate::store::StoreError> {
    let mut sources = Vec::new();
    for search in searcher.searches_for(topic, &settings.providers, &settings.locale) {
        let source = store
            .upsert_source(&search.url, search.provider, now)
            .await?;
        if source.title.is_none() {
            store.name_source(source.id, &search.title).await?;
        }
        sources.push(Source {
            title: Some(search.title),
            ..source
        });
    }
    Ok(sources)
}

/// A term as most web search engines read it: a word, or a quoted phrase.
fn quoted(t: &SearchTerm) -> String {
    match t {
        SearchTerm::Word(w) => w.clone(),
        SearchTerm::Phrase(p) => format!("\"{p}\""),
    }
}

/// `a (b OR c) "d e" -f`: the syntax Bing and Google share. `None` when nothing is left to ask.
fn web_syntax(terms: &SearchTerms, keep: impl Fn(&SearchTerm) -> bool) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for group in &terms.all {
        let alts: Vec<String> = group.iter().filter(|t| keep(t)).map(quoted).collect();
        match alts.len() {
            0 => {}
            1 => parts.push(alts[0].clone()),
            _ => parts.push(format!("({})", alts.join(" OR "))),
        }
    }
    if parts.is_empty() {
        return None;
    }
    parts.extend(
        terms
            .none
            .iter()
            .filter(|t| keep(t))
            .map(|t| format!("-{}", quoted(t))),
    );
    Some(parts.join(" "))
}

/// An RFC 2822 date (RSS `pubDate`), if it reads.
fn rfc2822(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(s.trim())
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// A URL's host without `www.`, for naming an outlet the provider did not name.
fn host_of(url: &str) -> Option<String> {
    Url::parse(url)
        .ok()?
        .host_str()
        .map(|h| h.trim_start_matches("www.").to_owned())
}

/// An absolute http(s) URL, or `None`.
fn web_url(s: &str) -> Option<String> {
    Url::parse(s.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &str) -> SearchTerms {
        Query::parse(q).unwrap().search_terms()
    }

    #[test]
    fn web_syntax_for_every_operator() {
        assert_eq!(
            web_syntax(
                &terms(r#"ukraine OR kyiv "peace talks" -football -"premier league""#),
                |_| true
            )
            .unwrap(),
            r#"(ukraine OR kyiv) "peace talks" -football -"premier league""#
        );
        assert_eq!(web_syntax(&terms("-x y"), |_| true).unwrap(), "y -x");
        assert_eq!(
            web_syntax(&terms("ab"), |t| matches!(t, SearchTerm::Phrase(_))),
            None
        );
    }

    #[test]
    fn locales_are_checked_and_settings_fall_back() {
        assert!(Locale::new("en", "us").is_ok());
        assert!(Locale::new("english", "US").is_err());
        assert!(Locale::new("en", "USA").is_err());
        let cfg = crate::config::Config::defaults().search;
        let s = SearchSettings::resolve(&GuildSearch::default(), &cfg);
        assert_eq!(s.providers, ["bing", "gdelt", "google"]);
        assert_eq!(s.locale, Locale::new("en", "US").unwrap());
        let stored = GuildSearch {
            providers: Some("hn,nonsense,bing".into()),
            language: Some("uk".into()),
            country: Some("UA".into()),
        };
        let s = SearchSettings::resolve(&stored, &cfg);
        assert_eq!(s.providers, ["bing", "hn"]);
        assert_eq!(s.locale, Locale::new("uk", "UA").unwrap());
        let none = GuildSearch {
            providers: Some(String::new()),
            ..GuildSearch::default()
        };
        assert!(SearchSettings::resolve(&none, &cfg).providers.is_empty());
    }

    #[test]
    fn one_search_per_provider_query_and_locale() {
        let s = Searcher::new(&crate::config::Config::defaults().search);
        let en = Locale::new("en", "US").unwrap();
        let all: Vec<String> = PROVIDERS.iter().map(|p| (*p).to_owned()).collect();
        let a = s.searches_for(&Query::parse("Ukraine ceasefire").unwrap(), &all, &en);
        let b = s.searches_for(&Query::parse("ukraine  ceasefire").unwrap(), &all, &en);
        assert_eq!(a.len(), 4);
        assert_eq!(
            a.iter().map(|x| &x.url).collect::<Vec<_>>(),
            b.iter().map(|x| &x.url).collect::<Vec<_>>(),
            "case and spacing make no other search"
        );
        let uk = Locale::new("uk", "UA").unwrap();
        let c = s.searches_for(&Query::parse("ukraine ceasefire").unwrap(), &all, &uk);
        assert_ne!(a[0].url, c[0].url, "another locale is another search");
    }
}
