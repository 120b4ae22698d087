//! Items, the plain data that flows through the pipeline: what a source yields ([`NewItem`]) and what the
//! store gives back ([`Item`]).

use chrono::{DateTime, Utc};
use serde::Serialize;

/// One entry read from a source, before it is stored.
#[derive(Debug, Clone, PartialEq)]
pub struct NewItem {
    /// Stable id within its source: the feed's guid, else the link, else a hash of title and date.
    pub guid: String,
    /// Absolute link to the article, if the entry had one.
    pub url: Option<String>,
    /// Headline as plain text.
    pub title: String,
    /// Author's name, if given.
    pub author: Option<String>,
    /// When it was published (or last updated, when that is all the feed says).
    pub published_at: Option<DateTime<Utc>>,
    /// The feed's summary as plain text.
    pub snippet: String,
    /// The feed's full content as plain text (empty when the feed has only a summary).
    pub body: String,
    /// Language tag, if the feed declared one.
    pub lang: Option<String>,
}

/// An item as stored, with the name of its source.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Item {
    /// Row id.
    pub id: i64,
    /// The source's row id.
    pub source_id: i64,
    /// What to call the source: its feed title, else its host.
    pub source_name: String,
    /// Stable id within the source.
    pub guid: String,
    /// Link to the article.
    pub url: Option<String>,
    /// Headline.
    pub title: String,
    /// Author, if known.
    pub author: Option<String>,
    /// Publication time, if the feed gave one.
    pub published_at: Option<DateTime<Utc>>,
    /// When herald first stored it.
    pub fetched_at: DateTime<Utc>,
    /// Summary text.
    pub snippet: String,
    /// Full text, when the feed carried it.
    pub body: String,
}

impl Item {
    /// Publication time, else the time herald first saw it.
    pub fn time(&self) -> DateTime<Utc> {
        self.published_at.unwrap_or(self.fetched_at)
    }

    /// The longest text the item carries: its content, else its summary.
    pub fn text(&self) -> &str {
        if self.body.len() >= self.snippet.len() {
            &self.body
        } else {
            &self.snippet
        }
    }
}
