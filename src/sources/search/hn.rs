//! Hacker News, through Algolia: `/api/v1/search_by_date?query=…&tags=story&numericFilters=created_at_i>T`.
//! Algolia's query has phrases and exclusions (with `advancedSyntax`) but no OR, so the words of an OR list
//! are made optional (`optionalWords`) and herald's own matcher keeps what the topic means. A story without a
//! link (Ask HN) links to its discussion. Limits: one request per second, one per query per minute; 5
//! minutes away after a 429 that names no Retry-After.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use url::Url;

use super::{Limits, Locale, Provider, SearchTerm, host_of, web_url};
use crate::item::NewItem;
use crate::query::SearchTerms;
use crate::sources::html::to_text;

/// How far back a search with no earlier success looks.
const FIRST_LOOKBACK_HOURS: i64 = 24;

/// Hacker News search (Algolia).
#[derive(Debug, Clone)]
pub struct HackerNews {
    base: String,
}

impl HackerNews {
    /// Algolia's HN search at `base` (`https://hn.algolia.com`).
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
        }
    }
}

#[derive(Deserialize)]
struct Answer {
    hits: Vec<Hit>,
}

#[derive(Deserialize)]
struct Hit {
    #[serde(rename = "objectID", default)]
    object_id: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    author: Option<String>,
    #[serde(default)]
    created_at_i: Option<i64>,
    #[serde(default)]
    story_text: Option<String>,
}

fn term_text(t: &SearchTerm) -> String {
    match t {
        SearchTerm::Word(w) => w.clone(),
        SearchTerm::Phrase(p) => format!("\"{p}\""),
    }
}

/// The query with its optional words (those of OR lists), `|`-joined.
fn algolia(terms: &SearchTerms) -> Option<(String, Vec<String>)> {
    let mut parts = Vec::new();
    let mut optional = Vec::new();
    for group in &terms.all {
        for t in group {
            parts.push(term_text(t));
            if group.len() > 1 {
                match t {
                    SearchTerm::Word(w) => optional.push(w.clone()),
                    SearchTerm::Phrase(p) => optional.extend(p.split(' ').map(str::to_owned)),
                }
            }
        }
    }
    if parts.is_empty() {
        return None;
    }
    parts.extend(terms.none.iter().map(|t| format!("-{}", term_text(t))));
    Some((parts.join(" "), optional))
}

impl Provider for HackerNews {
    fn name(&self) -> &'static str {
        "hn"
    }

    fn title(&self) -> &'static str {
        "Hacker News"
    }

    fn limits(&self) -> Limits {
        Limits {
            gap: Duration::from_secs(1),
            per_query: Duration::from_secs(60),
            after_429: Duration::from_secs(300),
        }
    }

    fn query(&self, terms: &SearchTerms, _locale: &Locale) -> Option<String> {
        let (q, optional) = algolia(terms)?;
        // The optional words travel with the query, after a tab no topic can contain.
        Some(if optional.is_empty() {
            q
        } else {
            format!("{q}\t{}", optional.join(","))
        })
    }

    fn search_url(&self, query: &str, _locale: &Locale) -> Url {
        let (q, optional) = query.split_once('\t').unwrap_or((query, ""));
        let mut u =
            Url::parse(&format!("{}/api/v1/search_by_date", self.base)).unwrap_or_else(|_| {
                Url::parse("https://hn.algolia.com/api/v1/search_by_date").expect("valid")
            });
        {
            let mut pairs = u.query_pairs_mut();
            pairs
                .append_pair("query", q)
                .append_pair("tags", "story")
                .append_pair("advancedSyntax", "true");
            if !optional.is_empty() {
                pairs.append_pair("optionalWords", optional);
            }
        }
        u
    }

    fn request_url(&self, stored: &Url, now: DateTime<Utc>, since: Option<DateTime<Utc>>) -> Url {
        let earliest = now - chrono::Duration::hours(FIRST_LOOKBACK_HOURS);
        // Since the last success, with an hour's overlap for stories indexed late.
        let from = since
            .map(|s| s - chrono::Duration::hours(1))
            .unwrap_or(earliest)
            .max(earliest);
        let mut u = stored.clone();
        u.query_pairs_mut().append_pair(
            "numericFilters",
            &format!("created_at_i>{}", from.timestamp()),
        );
        u
    }

    fn parse(&self, body: &str) -> Result<Vec<NewItem>, String> {
        let answer: Answer = serde_json::from_str(body.trim_start_matches('\u{feff}'))
            .map_err(|e| format!("not Algolia's JSON: {e}"))?;
        Ok(answer
            .hits
            .into_iter()
            .filter_map(|h| {
                let title = to_text(h.title.as_deref().unwrap_or_default());
                if title.is_empty() || h.object_id.trim().is_empty() {
                    return None;
                }
                let discussion = format!(
                    "https://news.ycombinator.com/item?id={}",
                    url::form_urlencoded::byte_serialize(h.object_id.trim().as_bytes())
                        .collect::<String>()
                );
                let url = h.url.as_deref().and_then(web_url).unwrap_or(discussion);
                let outlet = if h.url.as_deref().and_then(web_url).is_some() {
                    host_of(&url)
                } else {
                    Some("Hacker News".to_owned())
                };
                Some(NewItem {
                    guid: format!("hn:{}", h.object_id.trim()),
                    url: Some(url),
                    title,
                    author: h.author.filter(|a| !a.trim().is_empty()),
                    published_at: h
                        .created_at_i
                        .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0)),
                    snippet: to_text(h.story_text.as_deref().unwrap_or_default()),
                    body: String::new(),
                    lang: None,
                    outlet,
                    image: None,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Query;
    use chrono::TimeZone;

    #[test]
    fn or_lists_become_optional_words_phrases_and_exclusions_stay() {
        let hn = HackerNews::new("https://hn.algolia.com");
        let en = Locale::new("en", "US").unwrap();
        let terms = Query::parse(r#"rust OR zig "memory safety" -crypto"#)
            .unwrap()
            .search_terms();
        let q = hn.query(&terms, &en).unwrap();
        let u = hn.search_url(&q, &en);
        let pairs: Vec<(String, String)> =
            u.query_pairs().map(|(k, v)| (k.into(), v.into())).collect();
        assert!(pairs.contains(&("query".into(), r#"rust zig "memory safety" -crypto"#.into())));
        assert!(pairs.contains(&("optionalWords".into(), "rust,zig".into())));
        assert!(pairs.contains(&("advancedSyntax".into(), "true".into())));
        let now = Utc.with_ymd_and_hms(2026, 11, 25, 12, 0, 0).unwrap();
        let first = hn.request_url(&u, now, None);
        assert!(first.as_str().ends_with(&format!(
            "numericFilters=created_at_i%3E{}",
            (now - chrono::Duration::hours(24)).timestamp()
        )));
        let later = hn.request_url(&u, now, Some(now - chrono::Duration::minutes(15)));
        assert!(later.as_str().ends_with(&format!(
            "numericFilters=created_at_i%3E{}",
            (now - chrono::Duration::minutes(75)).timestamp()
        )));
    }

    #[test]
    fn reads_hits_and_links_text_posts_to_their_discussion() {
        let hn = HackerNews::new("https://hn.algolia.com");
        let body = r#"{"hits":[{"objectID":"1","title":"Rust 2.0","url":"https://www.blog.example/rust","author":"a","created_at_i":1764072000,"points":5},
            {"objectID":"2","title":"Ask HN: zig?","url":null,"story_text":"<p>What do you <i>think</i>?</p>","created_at_i":1764072000},
            {"objectID":"3","title":null}],"nbHits":3,"page":0}"#;
        let items = hn.parse(body).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].outlet.as_deref(), Some("blog.example"));
        assert_eq!(items[0].guid, "hn:1");
        assert_eq!(
            items[1].url.as_deref(),
            Some("https://news.ycombinator.com/item?id=2")
        );
        assert_eq!(items[1].outlet.as_deref(), Some("Hacker News"));
        assert_eq!(items[1].snippet, "What do you think?");
        assert!(hn.parse("{\"hits\": 3}").is_err());
        assert!(hn.parse("<html>").is_err());
    }
}
