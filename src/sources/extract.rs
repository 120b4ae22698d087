//! Readable-article extraction: the article a web page carries, without its navigation, banners, sidebars and
//! comments, plus what the page says about it (title, author, site name, date, language, canonical URL, lead
//! image).
//!
//! The extractor is dom_smoothie, a Rust port of Mozilla's Readability (the README compares it with
//! rs-trafilatura on the same pages). What Readability keeps inside the article's container but a reader
//! does not need (captions, credits, "related" lists, date lines: see [`boilerplate`]) is then dropped, and the
//! text cleaned of control characters and runs of white space.

pub use crate::item::{Article, LeadImage};

use super::boilerplate;
use super::html::{MAX_PAGE_BYTES, MAX_PAGE_NESTING, clean, cut, fold_whitespace, nesting_depth};

/// Extracts the readable article from a page; `url` (the page's own address) resolves relative links.
/// `None` when the page has no article-like content, or is nested deeper than [`MAX_PAGE_NESTING`] (no real
/// page is; parsing such nesting costs seconds). Pages longer than [`MAX_PAGE_BYTES`] are cut first.
pub fn extract_article(html: &str, url: Option<&str>) -> Option<Article> {
    let html = cut(html, MAX_PAGE_BYTES);
    if nesting_depth(html) > MAX_PAGE_NESTING {
        return None;
    }
    let doc = dom_query::Document::from(html);
    let canonical_url = canonical(&doc, url);
    let image = lead_image(&doc, url);
    let published = published_time(&doc);
    let ld = linked_data(&doc);
    let cfg = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        // Class names stay on the kept elements, so that boilerplate can be told by them.
        keep_classes: true,
        ..Default::default()
    };
    let mut readability = dom_smoothie::Readability::with_document(doc, url, Some(cfg)).ok()?;
    let article = readability.parse().ok()?;
    let mut raw = article.text_content.to_string();
    if let Some(root) = readability
        .doc
        .select("#readability-page-1")
        .nodes()
        .first()
    {
        let before = raw.split_whitespace().count();
        boilerplate::strip_article(root);
        let after = root.formatted_text().to_string();
        // Boilerplate is never most of an article: when the rules would drop half of it, the page is a list
        // of teasers (a section front) and is kept whole.
        if after.split_whitespace().count() * 2 >= before {
            raw = after;
        }
    }
    let text = boilerplate::strip_lines(&fold_whitespace(&clean(&raw)));
    let non_empty = |s: Option<String>| {
        s.map(|s| clean(&s).split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|s| !s.is_empty())
    };
    (!text.is_empty()).then(|| Article {
        title: non_empty(Some(article.title)).unwrap_or_default(),
        byline: non_empty(article.byline).map(|b| {
            let b = b.trim_start_matches("By ").trim_start_matches("by ");
            b.to_owned()
        }),
        site_name: non_empty(article.site_name).or(ld.publisher),
        published: non_empty(article.published_time)
            .or(ld.published)
            .or(published),
        language: non_empty(article.lang),
        canonical_url,
        image: match image {
            // The page named its picture in meta tags: that one, or none.
            Some(named) => named,
            None => {
                let found = ld.image.as_deref().and_then(|i| absolute_https(i, url));
                found
                    .filter(|u| fit_to_show(u, None, None))
                    .map(|url| LeadImage {
                        url,
                        width: None,
                        height: None,
                    })
            }
        },
        text,
    })
}

/// What a page's JSON-LD (schema.org) says of its article.
#[derive(Default)]
struct LinkedData {
    image: Option<String>,
    published: Option<String>,
    publisher: Option<String>,
}

/// The first article-like JSON-LD object of the page (an object, a list, or a `@graph`): its `image` (a URL,
/// a list, or an `ImageObject`), `datePublished` and `publisher.name`.
fn linked_data(doc: &dom_query::Document) -> LinkedData {
    use serde_json::Value;
    fn objects(v: Value, out: &mut Vec<Value>) {
        match v {
            Value::Array(items) => items.into_iter().for_each(|i| objects(i, out)),
            Value::Object(mut o) => {
                if let Some(graph) = o.remove("@graph") {
                    objects(graph, out);
                }
                out.push(Value::Object(o));
            }
            _ => {}
        }
    }
    fn image(v: &Value) -> Option<String> {
        match v {
            Value::String(s) => Some(s.clone()),
            Value::Array(items) => items.iter().find_map(image),
            Value::Object(o) => o.get("url").or_else(|| o.get("contentUrl")).and_then(image),
            _ => None,
        }
    }
    let mut found = Vec::new();
    for script in doc
        .select(r#"script[type="application/ld+json" i]"#)
        .nodes()
    {
        if let Ok(v) = serde_json::from_str::<Value>(script.text().trim()) {
            objects(v, &mut found);
        }
    }
    let article = found.iter().find(|o| {
        let kind = |t: &str| t.ends_with("Article") || t == "BlogPosting" || t == "Report";
        match o.get("@type") {
            Some(Value::String(t)) => kind(t),
            Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).any(kind),
            _ => false,
        }
    });
    let Some(article) = article else {
        return LinkedData::default();
    };
    let text = |v: Option<&Value>| {
        v.and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty() && s.len() <= 200)
            .map(str::to_owned)
    };
    LinkedData {
        image: article.get("image").and_then(image),
        published: text(article.get("datePublished")),
        publisher: text(article.get("publisher").and_then(|p| p.get("name"))),
    }
}

/// When the page says it was published, where Readability's metadata did not find it: the meta tags news
/// sites use (`article:published`, `itemprop=datePublished`, `pubdate`, Dublin Core), else the first `<time
/// datetime>` of the page.
fn published_time(doc: &dom_query::Document) -> Option<String> {
    let found = [
        r#"meta[property="article:published_time" i]"#,
        r#"meta[property="article:published" i]"#,
        r#"meta[itemprop="datePublished" i]"#,
        r#"meta[name="pubdate" i]"#,
        r#"meta[name="publishdate" i]"#,
        r#"meta[name="date" i]"#,
        r#"meta[name="dc.date.issued" i]"#,
        r#"meta[name="parsely-pub-date" i]"#,
    ]
    .iter()
    .find_map(|sel| doc.select(sel).attr("content"))
    .or_else(|| doc.select("time[datetime]").attr("datetime"))?;
    let found = found.trim();
    (!found.is_empty() && found.len() <= 64).then(|| found.to_owned())
}

/// Smallest side, in pixels, of a picture worth showing: smaller ones are icons, badges and tracking pixels.
const MIN_IMAGE_SIDE: u32 = 120;

/// The page's lead image from its `og:image` (or `og:image:secure_url`, `twitter:image`) meta tags, with the
/// size hints the page gives: `None` when the page names none (then the JSON-LD `image` Readability reads is
/// taken, see [`extract_article`]), `Some(None)` when none it names is fit to show.
fn lead_image(doc: &dom_query::Document, base: Option<&str>) -> Option<Option<LeadImage>> {
    let meta = |names: &[&str]| {
        names.iter().find_map(|n| {
            let sel = doc.select(&format!(r#"meta[property="{n}" i], meta[name="{n}" i]"#));
            sel.attr("content")
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        })
    };
    let size = |names: &[&str]| meta(names).and_then(|v| v.parse::<u32>().ok());
    let width = size(&["og:image:width", "twitter:image:width"]);
    let height = size(&["og:image:height", "twitter:image:height"]);
    let named: Vec<String> = [
        "og:image:secure_url",
        "og:image:url",
        "og:image",
        "twitter:image",
        "twitter:image:src",
    ]
    .iter()
    .filter_map(|n| meta(&[n]))
    .collect();
    if named.is_empty() {
        return None;
    }
    Some(
        named
            .iter()
            .filter_map(|raw| absolute_https(raw, base))
            .find(|url| fit_to_show(url, width, height))
            .map(|url| LeadImage { url, width, height }),
    )
}

/// A picture a feed entry or a search result names, as herald shows it: an absolute https URL (no data URI,
/// no http: Discord shows https pictures only) of at most 2,048 characters, not a logo, icon or pixel by its
/// size hints or file name; else `None`.
pub fn picture(raw: &str, width: Option<u32>, height: Option<u32>) -> Option<String> {
    absolute_https(raw, None)
        .filter(|u| u.len() <= MAX_PICTURE_URL && fit_to_show(u, width, height))
}

/// Longest picture URL kept (Discord's embed URL limit).
const MAX_PICTURE_URL: usize = 2048;

/// `raw` as an absolute https URL (resolved against `base`); `None` for http, data URIs and other schemes
/// (Discord shows https pictures only).
fn absolute_https(raw: &str, base: Option<&str>) -> Option<String> {
    let raw = raw.trim();
    let url = match base.and_then(|b| url::Url::parse(b).ok()) {
        Some(base) => base.join(raw).ok()?,
        None => url::Url::parse(raw).ok()?,
    };
    if url.scheme() != "https" {
        return None;
    }
    url.host_str()?;
    Some(url.to_string())
}

/// Whether the picture at `url` is a lead image and not a logo, icon, placeholder or tracking pixel: by its
/// size hints, else by the words of its file name.
fn fit_to_show(url: &str, width: Option<u32>, height: Option<u32>) -> bool {
    if width.is_some_and(|w| w < MIN_IMAGE_SIDE) || height.is_some_and(|h| h < MIN_IMAGE_SIDE) {
        return false;
    }
    let Ok(parsed) = url::Url::parse(url) else {
        return false;
    };
    let path = parsed.path().to_ascii_lowercase();
    let file = path.rsplit('/').next().unwrap_or_default();
    let words: Vec<&str> = file
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let named_small = words.iter().any(|w| {
        matches!(
            *w,
            "logo"
                | "icon"
                | "favicon"
                | "sprite"
                | "pixel"
                | "spacer"
                | "blank"
                | "transparent"
                | "placeholder"
                | "default"
                | "avatar"
                | "1x1"
        )
    }) || file.ends_with(".ico")
        || file.ends_with(".svg")
        || path.contains("/logo")
        || path.contains("/icons/");
    !named_small
}

/// The page's canonical URL, resolved against `base`; only http(s).
fn canonical(doc: &dom_query::Document, base: Option<&str>) -> Option<String> {
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
    fn reads_site_name_published_time_and_a_lead_image_fit_to_show() {
        let body = r#"<body><article><p>Delegations from both countries met in Istanbul on Friday for the
            first direct talks in three years, officials said, and agreed to exchange prisoners.</p><p>The talks
            lasted less than two hours, and no ceasefire was agreed, according to officials who spoke on
            condition of anonymity.</p></article></body>"#;
        let with_head =
            |head: &str| format!("<html><head><title>Talks</title>{head}</head>{body}</html>");
        let a = extract_article(
            &with_head(
                r#"<meta property="og:site_name" content="The Daily">
                <meta property="og:image" content="/img/talks-lead.jpg">
                <meta property="og:image:width" content="1200"><meta property="og:image:height" content="630">
                <meta itemprop="datePublished" content="2026-12-02T08:00:00Z">"#,
            ),
            Some("https://daily.example/world/talks"),
        )
        .unwrap();
        assert_eq!(a.site_name.as_deref(), Some("The Daily"));
        assert_eq!(a.published.as_deref(), Some("2026-12-02T08:00:00Z"));
        assert_eq!(
            a.image,
            Some(LeadImage {
                url: "https://daily.example/img/talks-lead.jpg".into(),
                width: Some(1200),
                height: Some(630)
            })
        );
        // Not shown: http, data URIs, logos and icons, pictures the page says are tiny; twitter:image is next.
        for (head, want) in [
            (
                r#"<meta property="og:image" content="http://daily.example/a.jpg">"#,
                None,
            ),
            (
                r#"<meta property="og:image" content="data:image/gif;base64,R0lGOD">"#,
                None,
            ),
            (
                r#"<meta property="og:image" content="https://daily.example/static/logo.png">"#,
                None,
            ),
            (
                r#"<meta property="og:image" content="https://daily.example/favicon.ico">"#,
                None,
            ),
            (
                r#"<meta property="og:image" content="https://t.example/p.gif"><meta property="og:image:width" content="1">"#,
                None,
            ),
            (
                r#"<meta property="og:image" content="https://daily.example/site-logo.svg">
                <meta name="twitter:image" content="https://cdn.example/talks.jpg">"#,
                Some("https://cdn.example/talks.jpg"),
            ),
            (
                r#"<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",
                "headline":"Talks","image":["https://cdn.example/ld.jpg"],"publisher":{"@type":"Organization","name":"The Daily"}}</script>"#,
                Some("https://cdn.example/ld.jpg"),
            ),
        ] {
            let a = extract_article(&with_head(head), Some("https://daily.example/world/talks"))
                .unwrap();
            assert_eq!(a.image.map(|i| i.url).as_deref(), want, "{head}");
        }
    }

    #[test]
    fn fixture_page_metadata() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/readability");
        let read = |name: &str| {
            let source = std::fs::read(dir.join(name).join("source.html")).unwrap();
            let source = super::super::encoding::html_to_string(&source, None);
            extract_article(&source, Some("http://fakehost/test/page.html")).unwrap()
        };
        let ny = read("nytimes-1");
        assert_eq!(ny.byline.as_deref(), Some("Jeffrey Gettleman"));
        assert_eq!(ny.published.as_deref(), Some("2017-01-13T00:00:04-05:00"));
        assert_eq!(ny.language.as_deref(), Some("en"));
        assert_eq!(
            ny.image.map(|i| i.url).as_deref(),
            Some(
                "https://static01.nyt.com/images/2017/01/14/world/13SUDAN-1/13SUDAN-1-facebookJumbo.jpg"
            )
        );
        let wapo = read("wapo-1");
        assert_eq!(wapo.byline.as_deref(), Some("Erin Cunningham"));
        assert_eq!(wapo.site_name.as_deref(), Some("Washington Post"));
        assert_eq!(wapo.image, None, "its og:image is http");
        let lib = read("liberation-1");
        assert_eq!(lib.site_name.as_deref(), Some("Libération.fr"));
        assert_eq!(lib.published.as_deref(), Some("2015-04-30T07:19:58"));
        assert_eq!(lib.language.as_deref(), Some("fr"));
    }

    #[test]
    fn a_page_without_an_article_is_none() {
        assert_eq!(extract_article("<html><body></body></html>", None), None);
        assert_eq!(extract_article("", None), None);
    }
}
