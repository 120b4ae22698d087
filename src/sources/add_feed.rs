//! A server adds a feed (`/sources add`): the address checked and normalised, the server's limit and its
//! sources checked, the feed fetched and validated, then added to the server and handed to the poller.
//! The command only answers; everything a feed must pass is here.

use chrono::{DateTime, Utc};

use super::fetch::redact;
use super::ingest::{IngestError, refresh};
use super::poller::next_after_success;
use crate::config::PollConfig;
use crate::store::{Store, StoreError};

/// Why a feed was not added, in words a server admin can act on ([`AddError::explain`]).
#[derive(Debug, thiserror::Error)]
pub enum AddError {
    /// Not an http(s) address (what was given, redacted).
    #[error("{}", self.explain(str::to_owned))]
    NotWeb(String),
    /// The server has it already.
    #[error("{}", self.explain(str::to_owned))]
    Already,
    /// The server is at its limit (how many it has).
    #[error("{}", self.explain(str::to_owned))]
    TooMany(usize),
    /// Fetching or reading it failed (why).
    #[error("{}", self.explain(str::to_owned))]
    Unreadable(String),
    /// Storage failed (herald's side, not the admin's).
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl AddError {
    /// What the admin is told, with what came from outside (the address, the fetch's reason) passed through
    /// `quote` (a front end's escaping: Discord markdown, or none in a terminal).
    pub fn explain(&self, quote: impl Fn(&str) -> String) -> String {
        match self {
            AddError::NotWeb(given) => format!(
                "{} is not a web address. Give the feed's full URL, starting with https://",
                quote(given)
            ),
            AddError::Already => {
                "This server already has that source. `/sources list` shows them all.".to_owned()
            }
            AddError::TooMany(n) => format!(
                "This server already has {n} sources, the most allowed. Remove one with `/sources remove` first."
            ),
            AddError::Unreadable(why) => format!(
                "Could not add it: {}. Check that the link is a feed (RSS, Atom or JSON Feed), not a web page.",
                quote(why)
            ),
            AddError::Store(e) => e.to_string(),
        }
    }
}

/// A feed a server may add: its normalised address, once the server's own sources and limit allow it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate(String);

/// Checks `raw` before anything is fetched (quick enough to answer at once): what is checked is what is stored
/// and fetched, the normalised URL (`http:/host/x` → `http://host/x`), never the raw text, which could later
/// read as a local path.
pub async fn check(
    store: &Store,
    guild_id: u64,
    raw: &str,
    max_sources: usize,
) -> Result<Candidate, AddError> {
    let Some(url) = url::Url::parse(raw.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(String::from)
    else {
        return Err(AddError::NotWeb(redact(raw.trim())));
    };
    let existing = store.guild_sources(guild_id).await?;
    if existing.iter().any(|s| s.source.url == url) {
        return Err(AddError::Already);
    }
    if existing.len() >= max_sources {
        return Err(AddError::TooMany(existing.len()));
    }
    Ok(Candidate(url))
}

/// A feed added to a server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Added {
    /// What to call it (its title, else its host).
    pub name: String,
    /// The items it held.
    pub items: usize,
}

/// Fetches `candidate` (a failure is recorded on the source for `/sources list`), adds it to the server, and
/// hands it to the poller one interval on: what it held now is stored as backlog, so the channels' scheduled
/// briefings start with what comes next instead of a flood.
pub async fn add(
    store: &Store,
    fetcher: &super::fetch::Fetcher,
    poll: &PollConfig,
    guild_id: u64,
    added_by: u64,
    candidate: &Candidate,
    now: DateTime<Utc>,
) -> Result<Added, AddError> {
    let refreshed = refresh(store, fetcher, &candidate.0, now)
        .await
        .map_err(|e| match e {
            IngestError::Store(e) => AddError::Store(e),
            other => AddError::Unreadable(other.to_string()),
        })?;
    let id = refreshed.source.id;
    store.add_guild_source(guild_id, id, added_by, now).await?;
    store
        .set_next_fetch(id, next_after_success(poll, id, now))
        .await?;
    let name = store
        .upsert_source(&refreshed.source.url, "feed", now)
        .await?
        .display_name();
    Ok(Added {
        name,
        items: refreshed.feed_items,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::test_util::temp_store;

    /// Each refusal says what to do, with what came from outside quoted by the front end's escaping; a feed
    /// that cannot be read is not added, and its failure is recorded on the source.
    #[tokio::test]
    async fn a_feed_is_checked_before_it_is_fetched_and_refused_in_words() {
        let (store, _dir) = temp_store().await;
        let now = Utc::now();
        let config = crate::config::Config::defaults();
        let quote = |s: &str| format!("«{s}»");

        let not_web = check(&store, 1, "ftp://user:pw@a.example/feed", 5)
            .await
            .unwrap_err();
        assert_eq!(
            not_web.explain(quote),
            "«ftp://a.example/feed» is not a web address. Give the feed's full URL, starting with https://"
        );

        let have = store
            .upsert_source("https://a.example/feed", "feed", now)
            .await
            .unwrap();
        store.add_guild_source(1, have.id, 7, now).await.unwrap();
        let again = check(&store, 1, " https://a.example/feed ", 5).await;
        assert!(matches!(again, Err(AddError::Already)), "{again:?}");
        let full = check(&store, 1, "https://b.example/feed", 1)
            .await
            .unwrap_err();
        assert!(
            full.explain(quote)
                .contains("already has 1 sources, the most allowed")
        );
        // Normalised before anything else: `http:/host/x` is the address `http://host/x`.
        let candidate = check(&store, 1, "http:/b.example/x", 5).await.unwrap();
        assert_eq!(candidate, Candidate("http://b.example/x".into()));

        // A private address is refused by the fetcher: not added, the reason said and recorded.
        let fetcher = crate::sources::fetch::Fetcher::new(&config.fetch).unwrap();
        let private = check(&store, 1, "http://127.0.0.1:9/feed.xml", 5)
            .await
            .unwrap();
        let refused = add(&store, &fetcher, &config.poll, 1, 7, &private, now)
            .await
            .unwrap_err();
        let said = refused.explain(quote);
        assert!(
            said.starts_with("Could not add it: «") && said.contains("private or reserved address"),
            "{said}"
        );
        assert_eq!(store.guild_sources(1).await.unwrap().len(), 1);
    }
}
