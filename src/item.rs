//! Items, the plain data that flows through the pipeline: what a source yields ([`NewItem`]) and what the
//! store gives back ([`Item`]), and the article read from an item's page ([`Article`]).

use chrono::{DateTime, Utc};
use serde::Serialize;

/// The main article of a web page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Article {
    /// The article's title.
    pub title: String,
    /// Who wrote it, as the page says (JSON `author`).
    #[serde(rename = "author")]
    pub byline: Option<String>,
    /// The publisher's name (`og:site_name`, JSON-LD `publisher`).
    pub site_name: Option<String>,
    /// When it was published, as the page says (usually ISO 8601).
    pub published: Option<String>,
    /// The page's language tag.
    pub language: Option<String>,
    /// The page's canonical URL (`<link rel=canonical>`, else `og:url`), absolute.
    pub canonical_url: Option<String>,
    /// The page's lead image, when it names one fit to show (see [`LeadImage`]).
    pub image: Option<LeadImage>,
    /// Its text, one paragraph per line.
    pub text: String,
}

/// The picture a page offers for itself (`og:image`, `twitter:image`, JSON-LD `image`): an absolute https URL,
/// never a data URI, a logo, an icon or a tracking pixel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadImage {
    /// Its https URL.
    pub url: String,
    /// Its width in pixels, when the page says (`og:image:width`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub width: Option<u32>,
    /// Its height in pixels, when the page says (`og:image:height`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub height: Option<u32>,
}

/// Words of an article's lead that topics match against (see [`Item::match_text`]).
pub const MATCH_LEAD_WORDS: usize = 80;

/// The first [`MATCH_LEAD_WORDS`] words of an article's prose.
pub fn article_lead(article: &str) -> String {
    crate::text::prose(article)
        .split_whitespace()
        .take(MATCH_LEAD_WORDS)
        .collect::<Vec<_>>()
        .join(" ")
}

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
    /// The publisher, when the source is not (a search provider names the outlet of each result).
    pub outlet: Option<String>,
    /// The picture the entry names itself (a feed's media thumbnail, a provider's result image): absolute
    /// https, not a logo or pixel. A read page's own lead image wins over it.
    pub image: Option<String>,
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
    /// The article read from its page (see `sources::articles`); empty until read, or when it could not be.
    pub article: String,
    /// The page's canonical URL, when its page was read and named one.
    pub canonical_url: Option<String>,
    /// The page's lead image (an https URL), when its page was read and offered one fit to show.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// Whether a search provider found it: the provider matched the topic against the whole article, so herald
    /// matches it against the whole article too once read (a feed's item only on its lead).
    #[serde(skip)]
    pub from_search: bool,
}

impl Item {
    /// Publication time, else the time herald first saw it.
    pub fn time(&self) -> DateTime<Utc> {
        self.published_at.unwrap_or(self.fetched_at)
    }

    /// The fullest text known: the article read from its page, else [`Item::text`].
    pub fn full_text(&self) -> &str {
        if self.article.is_empty() {
            self.text()
        } else {
            &self.article
        }
    }

    /// What topics are matched against, beside the headline: the feed's text and the lead of the article
    /// (its first [`MATCH_LEAD_WORDS`] words of prose), so an item from a feed that carries only headlines
    /// still matches on what its article opens with, and not on a word deep in it. A search result is matched
    /// on its whole article, as its provider matched it.
    pub fn match_text(&self) -> std::borrow::Cow<'_, str> {
        if self.article.is_empty() {
            return std::borrow::Cow::Borrowed(self.text());
        }
        if self.from_search {
            // The provider found it in the whole article: herald's matcher reads what the provider read.
            return std::borrow::Cow::Owned(format!(
                "{}\n{}",
                self.text(),
                crate::text::prose(&self.article)
            ));
        }
        std::borrow::Cow::Owned(format!("{}\n{}", self.text(), article_lead(&self.article)))
    }

    /// The longest text the feed carried: its content, else its summary.
    pub fn text(&self) -> &str {
        if self.body.len() >= self.snippet.len() {
            &self.body
        } else {
            &self.snippet
        }
    }
}

/// A URL reduced to what names the article (how duplicates are found, in storage and in clustering): scheme and `www.` dropped, tracking parameters (`utm_*`, `fbclid`,
/// `gclid`, `ref`…), fragment, AMP markers and trailing slashes removed.
pub fn url_key(url: &str) -> String {
    let Ok(mut u) = url::Url::parse(url) else {
        return url.trim().trim_end_matches('/').to_owned();
    };
    u.set_fragment(None);
    let kept: Vec<(String, String)> = u
        .query_pairs()
        .filter(|(k, _)| {
            let k = k.to_ascii_lowercase();
            !(k.starts_with("utm_")
                || matches!(
                    k.as_str(),
                    "fbclid"
                        | "gclid"
                        | "mc_cid"
                        | "mc_eid"
                        | "ref"
                        | "ref_src"
                        | "cmpid"
                        | "ito"
                        | "amp"
                        | "outputtype"
                ))
        })
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let query = (!kept.is_empty()).then(|| {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(kept)
            .finish()
    });
    let host = u
        .host_str()
        .unwrap_or("")
        .trim_start_matches("www.")
        .trim_start_matches("amp.")
        .to_owned();
    let mut path = u.path().to_owned();
    for amp in ["/amp/", "/amp"] {
        if path.ends_with(amp) {
            path.truncate(path.len() - amp.len());
        }
    }
    if let Some(rest) = path.strip_prefix("/amp/") {
        path = format!("/{rest}");
    }
    let path = path.trim_end_matches('/').trim_end_matches(".amp");
    match query {
        Some(q) => format!("{host}{path}?{q}"),
        None => format!("{host}{path}"),
    }
}
