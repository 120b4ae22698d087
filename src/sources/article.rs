//! Readable-article extraction: the article a web page carries, without its navigation, banners, sidebars and
//! comments, plus what the page says about it (title, byline, date, language, canonical URL).
//!
//! The extractor is dom_smoothie, a Rust port of Mozilla's Readability (the README compares it with
//! rs-trafilatura on the same pages). Its output is then cleaned of what Readability keeps but a reader does
//! not need (control characters, runs of white space).

pub use crate::item::Article;

use super::html::{MAX_PAGE_BYTES, MAX_PAGE_NESTING, clean, cut, fold_whitespace, nesting_depth};

/// Extracts the readable article from a page; `url` (the page's own address) resolves relative links.
/// `None` when the page has no article-like content, or is nested deeper than [`MAX_PAGE_NESTING`] (no real
/// page is; parsing such nesting costs seconds). Pages longer than [`MAX_PAGE_BYTES`] are cut first.
pub fn extract_article(html: &str, url: Option<&str>) -> Option<Article> {
    let html = cut(html, MAX_PAGE_BYTES);
    if nesting_depth(html) > MAX_PAGE_NESTING {
        return None;
    }
    let canonical_url = canonical(html, url);
    let cfg = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        ..Default::default()
    };
    let mut readability = dom_smoothie::Readability::new(html, url, Some(cfg)).ok()?;
    let article = readability.parse().ok()?;
    let text = fold_whitespace(&clean(&article.text_content));
    let non_empty = |s: Option<String>| {
        s.map(|s| clean(&s).split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|s| !s.is_empty())
    };
    (!text.is_empty()).then(|| Article {
        title: non_empty(Some(article.title)).unwrap_or_default(),
        byline: non_empty(article.byline),
        published: non_empty(article.published_time),
        language: non_empty(article.lang),
        canonical_url,
        text,
    })
}

/// The page's canonical URL, resolved against `base`; only http(s).
fn canonical(html: &str, base: Option<&str>) -> Option<String> {
    let doc = dom_query::Document::from(html);
    let found = doc
        .select(r#"link[rel="canonical" i]"#)
        .attr("href")
        .or_else(|| doc.select(r#"meta[property="og:url" i]"#).attr("content"))?;
    let found = found.trim();
    let url = match base.and_then(|b| url::Url::parse(b).ok()) {
        Some(base) => base.join(found).ok()?,
        None => url::Url::parse(found).ok()?,
    };
    matches!(url.scheme(), "http" | "https").then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extracts_readability_fixture_text() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/readability/001");
        let Ok(source) = std::fs::read_to_string(dir.join("source.html")) else {
            panic!("tests/fixtures/readability/001 is part of the repository");
        };
        let expected = super::super::html::to_text(
            &std::fs::read_to_string(dir.join("expected.html")).unwrap(),
        );
        let article = extract_article(&source, Some("http://fakehost/test/page.html")).unwrap();
        let first = expected.lines().next().unwrap();
        assert!(article.text.contains(first), "missing: {first}");
    }

    /// Token F1 of `got` against `want`, as bags of lower-cased words (the measure README reports).
    fn token_f1(got: &str, want: &str) -> f64 {
        let bag = |s: &str| {
            let mut m = std::collections::HashMap::<String, usize>::new();
            for w in s
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
            {
                *m.entry(w.to_lowercase()).or_default() += 1;
            }
            m
        };
        let (g, w) = (bag(got), bag(want));
        let common: usize = g
            .iter()
            .map(|(k, n)| (*n).min(*w.get(k).unwrap_or(&0)))
            .sum();
        let (total_g, total_w): (usize, usize) = (g.values().sum(), w.values().sum());
        if common == 0 {
            return 0.0;
        }
        let (p, r) = (
            common as f64 / total_g as f64,
            common as f64 / total_w as f64,
        );
        2.0 * p * r / (p + r)
    }

    #[test]
    fn fixture_pages_extract_as_readability_expects() {
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/readability");
        let mut pages = 0;
        for entry in std::fs::read_dir(&root).unwrap() {
            let dir = entry.unwrap().path();
            if !dir.join("source.html").exists() {
                continue;
            }
            let source = std::fs::read(dir.join("source.html")).unwrap();
            let source = super::super::encoding::html_to_string(&source, None);
            let expected = super::super::html::to_text(
                &std::fs::read_to_string(dir.join("expected.html")).unwrap(),
            );
            let got = extract_article(&source, Some("http://fakehost/test/page.html"))
                .map(|a| a.text)
                .unwrap_or_default();
            let f1 = token_f1(&got, &expected);
            assert!(f1 >= 0.9, "{}: token F1 {f1:.3}", dir.display());
            pages += 1;
        }
        assert!(pages >= 7, "{pages} pages");
    }

    #[test]
    fn reads_metadata_and_canonical_url() {
        let page = r#"<html lang="en"><head><title>Talks resume | The Daily</title>
            <link rel="canonical" href="/world/talks-resume">
            <meta name="author" content="Jane Roe">
            <meta property="article:published_time" content="2025-05-16T09:00:00Z"></head>
            <body><nav><a href="/">Home</a></nav><article><h1>Talks resume</h1>
            <p>Delegations from both countries met in Istanbul on Friday for the first direct talks in three
            years, officials said, and agreed to exchange a thousand prisoners each.</p>
            <p>The talks lasted less than two hours, and no ceasefire was agreed, according to officials who
            spoke on condition of anonymity because they were not allowed to brief reporters.</p>
            </article></body></html>"#;
        let a = extract_article(
            page,
            Some("https://daily.example/world/talks-resume?utm_source=x"),
        )
        .unwrap();
        assert_eq!(
            a.canonical_url.as_deref(),
            Some("https://daily.example/world/talks-resume")
        );
        assert_eq!(a.byline.as_deref(), Some("Jane Roe"));
        assert_eq!(a.language.as_deref(), Some("en"));
        assert_eq!(a.published.as_deref(), Some("2025-05-16T09:00:00Z"));
        assert!(
            a.text.starts_with("Delegations from both countries"),
            "{}",
            a.text
        );
        assert_eq!(a.text.lines().count(), 2);
        assert!(!a.text.contains("Home"));
    }

    #[test]
    fn a_page_without_an_article_is_none() {
        assert_eq!(extract_article("<html><body></body></html>", None), None);
        assert_eq!(extract_article("", None), None);
    }
}
