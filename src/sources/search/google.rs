//! Google News RSS search: `/rss/search?q=…&hl=en&gl=US&ceid=US:en`. Item links are Google's own redirect
//! pages (read only through the hardened fetcher, like any link); `<source url=…>` names the publisher, which
//! is kept as the outlet and cut from the end of the headline ("Talks resume - Reuters"). Limits: one request
//! per 2 s and one per query per minute; 10 minutes away after a 429 that names no Retry-After.

use std::time::Duration;

use url::Url;

use super::rss::rss_items;
use super::{Limits, Locale, Provider, rfc2822, web_syntax, web_url};
use crate::item::NewItem;
use crate::query::SearchTerms;
use crate::sources::html::to_text;

/// Google News RSS search.
#[derive(Debug, Clone)]
pub struct Google {
    base: String,
}

impl Google {
    /// Google News at `base` (`https://news.google.com`).
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
        }
    }
}

/// The headline without the " - Publisher" Google appends.
fn headline(title: &str, publisher: &str) -> String {
    if publisher.is_empty() {
        return title.to_owned();
    }
    title
        .strip_suffix(publisher)
        .map(|t| t.trim_end())
        .and_then(|t| t.strip_suffix(['-', '–', '—', '|']))
        .map(|t| t.trim_end().to_owned())
        .filter(|t| !t.is_empty())
        .unwrap_or_else(|| title.to_owned())
}

impl Provider for Google {
    fn name(&self) -> &'static str {
        "google"
    }

    fn title(&self) -> &'static str {
        "Google News"
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
        let mut u = Url::parse(&format!("{}/rss/search", self.base))
            .unwrap_or_else(|_| Url::parse("https://news.google.com/rss/search").expect("valid"));
        u.query_pairs_mut()
            .append_pair("q", query)
            .append_pair("hl", &locale.language)
            .append_pair("gl", &locale.country)
            .append_pair("ceid", &format!("{}:{}", locale.country, locale.language));
        u
    }

    fn parse(&self, body: &str) -> Result<Vec<NewItem>, String> {
        let items = rss_items(body)?;
        Ok(items
            .into_iter()
            .filter_map(|i| {
                let url = web_url(&i.link)?;
                let publisher = to_text(&i.source);
                let title = headline(&to_text(&i.title), &publisher);
                if title.is_empty() {
                    return None;
                }
                // The description repeats the headline and the publisher as links; anything more (other
                // outlets' headlines) is not this report's text either.
                let guid = Some(i.guid.trim().to_owned())
                    .filter(|g| !g.is_empty())
                    .unwrap_or_else(|| url.clone());
                Some(NewItem {
                    guid,
                    url: Some(url),
                    title,
                    author: None,
                    published_at: rfc2822(&i.pub_date),
                    snippet: String::new(),
                    body: String::new(),
                    lang: None,
                    outlet: Some(publisher).filter(|p| !p.is_empty()),
                    image: None,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publisher_is_cut_from_the_headline_only_when_it_is_there() {
        assert_eq!(
            headline("Talks resume - Reuters", "Reuters"),
            "Talks resume"
        );
        assert_eq!(headline("Talks resume – BBC", "BBC"), "Talks resume");
        assert_eq!(headline("Reuters", "Reuters"), "Reuters");
        assert_eq!(headline("Talks resume", "AP"), "Talks resume");
        assert_eq!(headline("Talks resume", ""), "Talks resume");
    }

    #[test]
    fn asks_with_language_and_region() {
        let g = Google::new("https://news.google.com");
        let u = g.search_url("\"peace talks\"", &Locale::new("uk", "UA").unwrap());
        assert_eq!(
            u.as_str(),
            "https://news.google.com/rss/search?q=%22peace+talks%22&hl=uk&gl=UA&ceid=UA%3Auk"
        );
    }
}
