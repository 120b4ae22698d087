//! The GDELT DOC 2.0 API: `/api/v2/doc/doc?query=…&mode=ArtList&format=json&maxrecords=250&timespan=24h&
//! sort=DateDesc`, answering `{"articles": [{url, title, seendate, domain, language, sourcecountry}]}` — or
//! `{}` when nothing matched, or a line of plain text when it refuses the query. GDELT searches English
//! translations of the world's news, so a server's language becomes a `sourcelang:` filter; OR lists must be
//! in parentheses, and words under three letters are refused (they are left to herald's own matcher).
//! Limits: at most one request per 5 s (GDELT's own rule), one per query per minute; 429s are common: 2
//! minutes away after one that names no Retry-After.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::Deserialize;
use url::Url;

use super::{Limits, Locale, Provider, SearchTerm, web_syntax, web_url};
use crate::item::NewItem;
use crate::query::SearchTerms;
use crate::sources::html::to_text;

/// The GDELT DOC 2.0 API.
#[derive(Debug, Clone)]
pub struct Gdelt {
    base: String,
}

impl Gdelt {
    /// GDELT at `base` (`https://api.gdeltproject.org`).
    pub fn new(base: &str) -> Self {
        Self {
            base: base.trim_end_matches('/').to_owned(),
        }
    }
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    articles: Vec<Article>,
}

#[derive(Deserialize)]
struct Article {
    #[serde(default)]
    url: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    seendate: String,
    #[serde(default)]
    domain: String,
    #[serde(default)]
    language: String,
    #[serde(default)]
    socialimage: String,
}

/// GDELT's name for an ISO 639-1 language (its `sourcelang:` filter).
fn language_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "ar" => "arabic",
        "de" => "german",
        "en" => "english",
        "es" => "spanish",
        "fr" => "french",
        "it" => "italian",
        "ja" => "japanese",
        "ko" => "korean",
        "nl" => "dutch",
        "pl" => "polish",
        "pt" => "portuguese",
        "ru" => "russian",
        "sv" => "swedish",
        "tr" => "turkish",
        "uk" => "ukrainian",
        "zh" => "chinese",
        _ => return None,
    })
}

/// The ISO 639-1 code of a language GDELT names.
fn language_code(name: &str) -> Option<String> {
    let name = name.trim().to_ascii_lowercase();
    [
        "ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "sv", "tr", "uk",
        "zh",
    ]
    .into_iter()
    .find(|c| language_name(c) == Some(name.as_str()))
    .map(str::to_owned)
}

/// GDELT's `seendate`: `20230918T031500Z`.
fn seen(s: &str) -> Option<DateTime<Utc>> {
    NaiveDateTime::parse_from_str(s.trim(), "%Y%m%dT%H%M%SZ")
        .ok()
        .map(|d| d.and_utc())
}

/// GDELT's titles keep the spaces its tokenizer put before punctuation ("Talks resume , officials say").
fn tidy(title: &str) -> String {
    let mut out = title.to_owned();
    for p in [" ,", " .", " :", " ;", " !", " ?", " '", " ’"] {
        out = out.replace(p, &p[1..]);
    }
    out
}

impl Provider for Gdelt {
    fn name(&self) -> &'static str {
        "gdelt"
    }

    fn title(&self) -> &'static str {
        "GDELT"
    }

    fn limits(&self) -> Limits {
        Limits {
            gap: Duration::from_secs(5),
            per_query: Duration::from_secs(60),
            after_429: Duration::from_secs(120),
        }
    }

    fn query(&self, terms: &SearchTerms, locale: &Locale) -> Option<String> {
        let long_enough = |t: &SearchTerm| match t {
            SearchTerm::Word(w) => w.chars().count() >= 3,
            SearchTerm::Phrase(_) => true,
        };
        // GDELT refuses a quoted single word ("The specified phrase is too short"): ask for the word.
        let one_word = |t: &SearchTerm| match t {
            SearchTerm::Phrase(p) if !p.contains(' ') => SearchTerm::Word(p.clone()),
            other => other.clone(),
        };
        let terms = SearchTerms {
            all: terms
                .all
                .iter()
                .map(|group| group.iter().map(one_word).collect())
                .collect(),
            none: terms.none.iter().map(one_word).collect(),
        };
        let q = web_syntax(&terms, long_enough)?;
        Some(match language_name(&locale.language) {
            Some(lang) => format!("{q} sourcelang:{lang}"),
            None => q,
        })
    }

    fn search_url(&self, query: &str, _locale: &Locale) -> Url {
        let mut u = Url::parse(&format!("{}/api/v2/doc/doc", self.base)).unwrap_or_else(|_| {
            Url::parse("https://api.gdeltproject.org/api/v2/doc/doc").expect("valid")
        });
        u.query_pairs_mut()
            .append_pair("query", query)
            .append_pair("mode", "ArtList")
            .append_pair("format", "json")
            .append_pair("maxrecords", "250")
            .append_pair("timespan", "24h")
            .append_pair("sort", "DateDesc");
        u
    }

    fn parse(&self, body: &str) -> Result<Vec<NewItem>, String> {
        let trimmed = body.trim_start_matches('\u{feff}').trim();
        if trimmed.is_empty() {
            return Ok(Vec::new());
        }
        if !trimmed.starts_with('{') {
            // GDELT says what it refused in a line of text.
            let line: String = to_text(trimmed.lines().next().unwrap_or_default())
                .chars()
                .take(200)
                .collect();
            return Err(format!("GDELT refused the query: {line}"));
        }
        let answer: Answer =
            serde_json::from_str(trimmed).map_err(|e| format!("not GDELT's JSON: {e}"))?;
        Ok(answer
            .articles
            .into_iter()
            .filter_map(|a| {
                let url = web_url(&a.url)?;
                let title = tidy(&to_text(&a.title));
                if title.is_empty() {
                    return None;
                }
                let outlet = Some(a.domain.trim().trim_start_matches("www.").to_owned())
                    .filter(|d| !d.is_empty())
                    .or_else(|| super::host_of(&url));
                Some(NewItem {
                    guid: url.clone(),
                    url: Some(url),
                    title,
                    author: None,
                    published_at: seen(&a.seendate),
                    snippet: String::new(),
                    body: String::new(),
                    lang: language_code(&a.language),
                    outlet,
                    image: crate::sources::extract::picture(&a.socialimage, None, None),
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Query;

    #[test]
    fn or_in_parentheses_short_words_left_out_language_filtered() {
        let g = Gdelt::new("https://api.gdeltproject.org");
        let en = Locale::new("en", "US").unwrap();
        let q = |s: &str| g.query(&Query::parse(s).unwrap().search_terms(), &en);
        assert_eq!(
            q(r#"ukraine OR kyiv "peace talks" -football"#).as_deref(),
            Some(r#"(ukraine OR kyiv) "peace talks" -football sourcelang:english"#)
        );
        assert_eq!(
            q("eu sanctions").as_deref(),
            Some("sanctions sourcelang:english")
        );
        assert_eq!(q("eu OR us").as_deref(), None, "nothing GDELT accepts");
        // A quoted single word goes unquoted (GDELT: "The specified phrase is too short"), phrases stay.
        assert_eq!(
            q(r#""Pinochet" "peace talks" -"Chile""#).as_deref(),
            Some(r#"pinochet "peace talks" -chile sourcelang:english"#)
        );
        let xx = Locale::new("xx", "US").unwrap();
        assert_eq!(
            g.query(&Query::parse("ceasefire").unwrap().search_terms(), &xx)
                .as_deref(),
            Some("ceasefire")
        );
    }

    #[test]
    fn reads_articles_empty_answers_and_refusals() {
        let g = Gdelt::new("https://api.gdeltproject.org");
        let body = r#"{"articles": [{"url": "https://www.semana.com/a", "url_mobile": "", "title": "Capturan en México a exnovio , dicen", "seendate": "20230918T031500Z", "socialimage": "", "domain": "semana.com", "language": "Spanish", "sourcecountry": "Colombia"}, {"url": "javascript:x", "title": "bad"}]}"#;
        let items = g.parse(body).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].title, "Capturan en México a exnovio, dicen");
        assert_eq!(items[0].outlet.as_deref(), Some("semana.com"));
        assert_eq!(items[0].lang.as_deref(), Some("es"));
        assert_eq!(
            items[0].published_at.map(|d| d.to_rfc3339()).as_deref(),
            Some("2023-09-18T03:15:00+00:00")
        );
        assert_eq!(items[0].image, None, "no socialimage, no picture");
        // The result's picture when it is one herald may show: https, not a logo, not a data URI.
        let with = |image: &str| {
            let body = format!(
                r#"{{"articles": [{{"url": "https://a.example/1", "title": "Talks", "socialimage": "{image}"}}]}}"#
            );
            g.parse(&body).unwrap()[0].image.clone()
        };
        assert_eq!(
            with("https://img.example/talks.jpg").as_deref(),
            Some("https://img.example/talks.jpg")
        );
        assert_eq!(with("http://img.example/talks.jpg"), None);
        assert_eq!(with("https://a.example/static/logo.png"), None);
        assert_eq!(with("data:image/png;base64,AAAA"), None);
        assert!(g.parse("{}").unwrap().is_empty());
        assert!(g.parse("").unwrap().is_empty());
        let err = g.parse("The specified phrase is too short.\n").unwrap_err();
        assert!(err.contains("too short"), "{err}");
        assert!(g.parse("{\"articles\": [").is_err());
    }
}
