//! Bing News RSS: `/news/search?q=…&format=rss&mkt=en-US`. Item links are `apiclick.aspx?…&url=…` redirects
//! through Bing; herald keeps the publisher's URL from their `url` parameter, and the publisher's name from
//! `<News:Source>`, and its picture from `<News:Image>`. Limits: one request per 2 s, one per query per minute; 10 minutes away after a 429 that
//! names no Retry-After.

use std::time::Duration;

use url::Url;

use super::rss::rss_items;
use super::{Limits, Locale, Provider, rfc2822, web_syntax, web_url};
use crate::item::NewItem;
use crate::query::SearchTerms;
use crate::sources::html::to_text;

/// Bing News RSS.
#[derive(Debug, Clone)]
pub struct Bing {
    base: String,
}

impl Bing {
    /// Bing at `base` (`https://www.bing.com`).
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
        }
    }
}

/// The publisher URL behind a Bing click-through link (its `url` parameter), else the link itself.
fn publisher_url(link: &str) -> Option<String> {
    let u = Url::parse(link.trim()).ok()?;
    let inner = u
        .path()
        .ends_with("apiclick.aspx")
        .then(|| {
            u.query_pairs()
                .find(|(k, _)| k == "url")
                .map(|(_, v)| v.into_owned())
        })
        .flatten();
    match inner {
        Some(target) => web_url(&target),
        None => web_url(link),
    }
}

impl Provider for Bing {
    fn name(&self) -> &'static str {
        "bing"
    }

    fn title(&self) -> &'static str {
        "Bing News"
    }

    fn limits(&self) -> Limits {
        Limits {
            gap: Duration::from_secs(2),
            per_query: Duration::from_secs(60),
            after_429: Duration::from_secs(600),
        }
    }

    fn query(&self, terms: &SearchTerms, _locale: &Locale) -> Option<String> {
        web_syntax(terms, |_| true)
    }

    fn search_url(&self, query: &str, locale: &Locale) -> Url {
        let mut u = Url::parse(&format!("{}/news/search", self.base))
            .unwrap_or_else(|_| Url::parse("https://www.bing.com/news/search").expect("valid"));
        u.query_pairs_mut()
            .append_pair("q", query)
            .append_pair("format", "rss")
            .append_pair("mkt", &format!("{}-{}", locale.language, locale.country));
        u
    }

    fn parse(&self, body: &str) -> Result<Vec<NewItem>, String> {
        let items = rss_items(body)?;
        Ok(items
            .into_iter()
            .filter_map(|i| {
                let url = publisher_url(&i.link)?;
                let title = to_text(&i.title);
                if title.is_empty() {
                    return None;
                }
                Some(NewItem {
                    guid: url.clone(),
                    url: Some(url),
                    title,
                    author: None,
                    published_at: rfc2822(&i.pub_date),
                    snippet: to_text(&i.description),
                    body: String::new(),
                    lang: None,
                    outlet: Some(to_text(&i.source)).filter(|s| !s.is_empty()),
                    image: crate::sources::extract::picture(&i.image, None, None),
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_the_publisher_url_from_the_click_through_link() {
        assert_eq!(
            publisher_url(
                "http://www.bing.com/news/apiclick.aspx?ref=FexRss&aid=&tid=x&url=https%3a%2f%2fwww.reuters.com%2fworld%2ftalks-1&c=1&mkt=en-us"
            )
            .as_deref(),
            Some("https://www.reuters.com/world/talks-1")
        );
        assert_eq!(
            publisher_url("https://example.org/a").as_deref(),
            Some("https://example.org/a")
        );
        assert_eq!(
            publisher_url("https://www.bing.com/news/apiclick.aspx?url=javascript%3aalert(1)"),
            None
        );
    }

    #[test]
    fn asks_in_the_market_of_the_locale() {
        let b = Bing::new("https://www.bing.com/");
        let u = b.search_url("(a OR b) -c", &Locale::new("de", "DE").unwrap());
        assert_eq!(
            u.as_str(),
            "https://www.bing.com/news/search?q=%28a+OR+b%29+-c&format=rss&mkt=de-DE"
        );
    }
}
