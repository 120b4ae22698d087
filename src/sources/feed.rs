//! RSS 0.9x/1.0/2.0, Atom and JSON Feed → [`NewItem`]s, through feed-rs.

use std::borrow::Cow;
use std::sync::LazyLock;

use chrono::{DateTime, Utc};
use feed_rs::model::{Entry, Feed, Link};
use sha2::{Digest, Sha256};
use url::Url;

use super::encoding::to_utf8;
use super::extract::picture;
use super::html::to_text;
use crate::item::NewItem;

/// A body that is not a feed (or is a broken one).
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: not a readable feed ({reason})")]
pub struct FeedError {
    /// The URL or file it came from.
    pub source_name: String,
    /// What the parser said, on one line.
    pub reason: String,
}

/// An e-mail address right against a non-ASCII character. feed-rs 3.0's author parser slices one byte past
/// an address it finds (`parse_person_name_email`), which panics when that byte is inside a multi-byte
/// character (found by the `feed` fuzz target).
static EMAIL_AGAINST_NON_ASCII: LazyLock<regex::bytes::Regex> = LazyLock::new(|| {
    regex::bytes::Regex::new(
        r"(?-u)([\x80-\xff]?)([A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})([\x80-\xff]?)",
    )
    .expect("valid regex")
});

/// The body with a space between an e-mail address and a non-ASCII character that touches it, on either
/// side, so feed-rs's author parser cannot slice inside a character.
fn space_out_emails(body: &[u8]) -> Cow<'_, [u8]> {
    EMAIL_AGAINST_NON_ASCII.replace_all(body, |c: &regex::bytes::Captures| {
        let mut out = Vec::with_capacity(c[0].len() + 2);
        out.extend_from_slice(&c[1]);
        if !c[1].is_empty() {
            out.push(b' ');
        }
        out.extend_from_slice(&c[2]);
        if !c[3].is_empty() {
            out.push(b' ');
        }
        out.extend_from_slice(&c[3]);
        out
    })
}

/// The reason given when the feed parser panicked on a body (caught, so one feed cannot end the poller).
pub const PARSER_PANICKED: &str = "the feed parser failed on it";

/// A parsed feed: its title and entries.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedFeed {
    /// The feed's own title, if it has one.
    pub title: Option<String>,
    /// Its entries, in feed order.
    pub items: Vec<NewItem>,
}

/// Parses `body` read from `source_name`, decoding it to UTF-8 first (`charset`: the HTTP Content-Type's, if
/// any; see [`super::encoding`]). `base` (the URL it was fetched from) resolves relative links that neither
/// xml:base nor the feed's own link resolve. A panic inside the parser is caught and becomes this feed's
/// error: one hostile feed must not end the poller.
pub fn parse_feed(
    body: &[u8],
    charset: Option<&str>,
    source_name: &str,
    base: Option<&Url>,
) -> Result<ParsedFeed, FeedError> {
    let body = to_utf8(body, charset);
    let body = space_out_emails(&body);
    // No base_uri for feed-rs: xml:base still applies, and what stays relative is resolved below against the
    // feed's own link first (the site the articles live on), then the URL it was fetched from.
    let parser = feed_rs::parser::Builder::new()
        // An empty id marks "the feed gave none": we fall back to link, then title+date, never a random id.
        .id_generator(|_, _, _| String::new())
        .build();
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parser.parse(&*body)))
        .map_err(|_| FeedError {
            source_name: source_name.to_owned(),
            reason: PARSER_PANICKED.into(),
        })?;
    let feed = parsed.map_err(|e| FeedError {
        source_name: source_name.to_owned(),
        reason: one_line(&e.to_string()),
    })?;
    if feed.entries.is_empty() && feed.title.is_none() && feed.links.is_empty() {
        return Err(FeedError {
            source_name: source_name.to_owned(),
            reason: "no channel or entries".into(),
        });
    }
    let feed_link = pick_link(&feed.links).and_then(|l| resolve(&l.href, base));
    let base = feed_link.as_ref().or(base);
    let lang = feed.language.clone();
    // Thumbnails feed-rs drops (a bare `<media:thumbnail>` in an entry, as BBC and Reddit write them), by the
    // entry's place; used only when they line up with feed-rs's entries one for one.
    let bare = bare_thumbnails(&body);
    let bare = (bare.len() == feed.entries.len()).then_some(bare);
    let items = feed
        .entries
        .iter()
        .enumerate()
        .map(|(n, e)| {
            let mut item = to_item(e, base, lang.as_deref());
            if item.image.is_none() {
                item.image = bare.as_ref().and_then(|b| b[n].clone());
            }
            item
        })
        .collect();
    Ok(ParsedFeed {
        title: feed_title(&feed),
        items,
    })
}

fn feed_title(feed: &Feed) -> Option<String> {
    feed.title
        .as_ref()
        .map(|t| to_text(&t.content))
        .filter(|t| !t.is_empty())
}

fn to_item(entry: &Entry, base: Option<&Url>, lang: Option<&str>) -> NewItem {
    let url = pick_link(&entry.links)
        .and_then(|l| resolve(&l.href, base))
        .map(String::from);
    let published_at = entry.published.or(entry.updated);
    let snippet = entry
        .summary
        .as_ref()
        .map(|t| to_text(&t.content))
        .unwrap_or_default();
    let body = entry
        .content
        .as_ref()
        .and_then(|c| c.body.as_deref())
        .map(to_text)
        .unwrap_or_default();
    let mut title = entry
        .title
        .as_ref()
        .map(|t| to_text(&t.content))
        .unwrap_or_default();
    if title.is_empty() {
        title = headline_from(if snippet.is_empty() { &body } else { &snippet });
    }
    let guid = if !entry.id.trim().is_empty() {
        entry.id.trim().to_owned()
    } else if let Some(u) = &url {
        u.clone()
    } else {
        hash_guid(&title, published_at)
    };
    NewItem {
        guid,
        url,
        title,
        author: entry
            .authors
            .iter()
            .find_map(|a| a.name.clone())
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty()),
        published_at,
        snippet,
        body,
        lang: entry.language.clone().or_else(|| lang.map(str::to_owned)),
        outlet: None,
        image: entry_picture(entry),
    }
}

/// The picture an entry names: the widest of its media thumbnails and image contents (Media RSS, enclosures) that
/// [`picture`] would show. (feed-rs keeps a Media RSS thumbnail only beside media content.)
fn entry_picture(entry: &Entry) -> Option<String> {
    let is_image = |c: &feed_rs::model::MediaContent| match &c.content_type {
        Some(t) => t.to_string().starts_with("image/"),
        // Media RSS often names no type: the file's extension tells.
        None => c.url.as_ref().is_some_and(|u| {
            let path = u.path().to_ascii_lowercase();
            [".jpg", ".jpeg", ".png", ".webp", ".gif", ".avif"]
                .iter()
                .any(|e| path.ends_with(e))
        }),
    };
    let mut candidates: Vec<(&str, Option<u32>, Option<u32>)> = Vec::new();
    for m in &entry.media {
        for t in &m.thumbnails {
            candidates.push((&t.image.uri, t.image.width, t.image.height));
        }
        for c in m.content.iter().filter(|c| is_image(c)) {
            if let Some(u) = &c.url {
                candidates.push((u.as_str(), c.width, c.height));
            }
        }
    }
    candidates.sort_by_key(|(_, w, _)| std::cmp::Reverse(w.unwrap_or(0)));
    candidates
        .into_iter()
        .find_map(|(u, w, h)| picture(u, w, h))
}

/// A picture an entry names: its URL, and its width and height when given.
type Candidate = (String, Option<u32>, Option<u32>);

/// For each `<item>`/`<entry>` of the document, in order, the widest picture its own `<media:thumbnail>`s name
/// that [`picture`] would show. Empty when the document does not read as XML to the end.
fn bare_thumbnails(xml: &[u8]) -> Vec<Option<String>> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_reader(xml);
    let mut buf = Vec::new();
    let mut out = Vec::new();
    // The entry being read: its candidates (url, width, height).
    let mut current: Option<Vec<Candidate>> = None;
    loop {
        buf.clear();
        let (e, closes) = match reader.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => (e, false),
            Ok(Event::Empty(e)) => (e, true),
            Ok(Event::End(e)) => {
                let name = e.local_name().into_inner();
                if name == "item" || name == "entry" {
                    if let Some(mut found) = current.take() {
                        found.sort_by_key(|(_, w, _)| std::cmp::Reverse(w.unwrap_or(0)));
                        out.push(found.iter().find_map(|(u, w, h)| picture(u, *w, *h)));
                    }
                }
                continue;
            }
            Ok(Event::Eof) => return out,
            Err(_) => return Vec::new(),
            Ok(_) => continue,
        };
        let name = e.local_name().into_inner();
        if (name == "item" || name == "entry") && !closes {
            current = Some(Vec::new());
        } else if name == "thumbnail"
            && e.name().prefix().is_some_and(|p| p.into_inner() == "media")
        {
            if let Some(found) = current.as_mut() {
                let attr = |key: &str| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.into_inner() == key)
                        .and_then(|a| {
                            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                                .ok()
                                .map(|v| v.into_owned())
                        })
                };
                if let Some(url) = attr("url") {
                    let size = |k: &str| attr(k).and_then(|v| v.trim().parse::<u32>().ok());
                    found.push((url, size("width"), size("height")));
                }
            }
        }
    }
}

/// The link to show: an alternate (or unlabelled) HTML link first, else the first link.
fn pick_link(links: &[Link]) -> Option<&Link> {
    links
        .iter()
        .find(|l| matches!(l.rel.as_deref(), None | Some("alternate")) && !l.href.trim().is_empty())
        .or_else(|| links.iter().find(|l| !l.href.trim().is_empty()))
}

/// An absolute http(s) URL for `href`, joined to `base` when relative.
fn resolve(href: &str, base: Option<&Url>) -> Option<Url> {
    let href = href.trim();
    let url = match Url::parse(href) {
        Ok(u) => u,
        Err(url::ParseError::RelativeUrlWithoutBase) => base?.join(href).ok()?,
        Err(_) => return None,
    };
    matches!(url.scheme(), "http" | "https").then_some(url)
}

/// A headline for an untitled entry: the start of its text.
fn headline_from(text: &str) -> String {
    let first = text.lines().next().unwrap_or("");
    if first.chars().count() <= 100 {
        return if first.is_empty() {
            "(untitled)".to_owned()
        } else {
            first.to_owned()
        };
    }
    let cut: String = first.chars().take(100).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}

fn hash_guid(title: &str, date: Option<DateTime<Utc>>) -> String {
    let mut h = Sha256::new();
    h.update(title.as_bytes());
    h.update(date.map(|d| d.to_rfc3339()).unwrap_or_default().as_bytes());
    let digest = h.finalize();
    let hex: String = digest[..12].iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn fixtures() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feeds")
    }

    fn parse_fixture(name: &str) -> Result<ParsedFeed, FeedError> {
        let body = std::fs::read(fixtures().join(name)).expect("fixture present in tests/fixtures");
        parse_feed(&body, None, name, None)
    }

    #[test]
    fn every_fixture_feed_parses_but_the_invalid_one() {
        let mut parsed = 0;
        for entry in std::fs::read_dir(fixtures()).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if !(name.ends_with(".xml") || name.ends_with(".json")) {
                continue;
            }
            let result = parse_fixture(&name);
            // xml_*.xml are feed-rs's tests of its XML layer (a book catalogue, a bare <rdf>): not feeds.
            if name == "rss_2.0_invalid_1.xml" || name.starts_with("xml_") {
                let err = result.unwrap_err().to_string();
                assert!(
                    err.starts_with(&format!("{name}: not a readable feed (")),
                    "{err}"
                );
                assert!(!err.contains('\n'));
                continue;
            }
            let feed = result.unwrap_or_else(|e| panic!("{e}"));
            for item in &feed.items {
                assert!(!item.guid.is_empty(), "{name}: empty guid");
                assert!(!item.title.is_empty(), "{name}: empty title");
                if let Some(u) = &item.url {
                    assert!(u.starts_with("http"), "{name}: relative link {u}");
                }
                assert!(
                    !item.snippet.contains("<p>") && !item.body.contains("<p>"),
                    "{name}: tags left"
                );
            }
            parsed += 1;
        }
        assert_eq!(parsed, 64, "every feed fixture parses");
    }

    /// quick-xml used to panic ("set_encoding() called after prefix buffer was drained") on these, and one
    /// such feed would have ended the poller for every server.
    #[test]
    fn utf16_feeds_parse_with_a_mark_without_one_or_with_a_lying_declaration() {
        let rss = "<?xml version=\"1.0\" encoding=\"UTF-16\"?><rss version=\"2.0\"><channel><title>Wire</title>\
            <item><title>Київ talks resume</title><link>https://w.example/1</link></item></channel></rss>";
        for (bom, big_endian) in [(true, false), (true, true), (false, false), (false, true)] {
            let body = crate::sources::encoding::test_util::utf16(rss, big_endian, bom);
            let feed = parse_feed(&body, None, "t", None).unwrap();
            assert_eq!(
                feed.items[0].title, "Київ talks resume",
                "bom {bom}, be {big_endian}"
            );
        }
        // The HTTP charset names what the declaration does not.
        let (latin1, _, _) = encoding_rs::WINDOWS_1252.encode(
            "<rss version=\"2.0\"><channel><title>Café</title><item><title>Crème brûlée</title></item></channel></rss>",
        );
        let feed = parse_feed(&latin1, Some("ISO-8859-1"), "t", None).unwrap();
        assert_eq!(feed.items[0].title, "Crème brûlée");
    }

    /// Found by the `feed` fuzz target: feed-rs's author parser sliced inside the character after an address.
    #[test]
    fn an_address_against_a_non_ascii_character_does_not_break_the_feed() {
        let rss = "<rss version=\"2.0\"><channel><title>Wire</title>\
            <webMaster>webmaster@wire.example\u{FFFD}\u{FFFD}</webMaster><managingEditor>«ed@wire.example</managingEditor>\
            <item><title>Talks resume</title><author>desk@wire.example—Kyiv desk</author></item></channel></rss>";
        let feed = parse_feed(rss.as_bytes(), None, "t", None).unwrap();
        assert_eq!(feed.items[0].title, "Talks resume");
        assert_eq!(
            space_out_emails("«a@b.example—x a@b.example".as_bytes()).as_ref(),
            "« a@b.example —x a@b.example".as_bytes()
        );
    }

    /// An entry's picture: the widest of its media images, or an image enclosure; never an http or logo one.
    #[test]
    fn an_entry_names_its_picture() {
        let rss = br#"<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>Wire</title>
            <item><title>Thumbs</title><link>https://w.example/1</link>
              <media:content url="https://img.w.example/large.jpg" medium="image" width="1024" height="576">
                <media:thumbnail url="https://img.w.example/small.jpg" width="140" height="80"/></media:content></item>
            <item><title>Enclosure</title><link>https://w.example/2</link>
              <enclosure url="https://img.w.example/photo.jpg" type="image/jpeg" length="1000"/></item>
            <item><title>Bare thumbnail</title><link>https://w.example/4</link>
              <media:thumbnail width="240" height="135" url="https://ichef.w.example/news/240/p0.jpg"/></item>
            <item><title>Insecure and logos</title><link>https://w.example/3</link>
              <media:content url="http://img.w.example/plain.jpg" medium="image"/>
              <media:content url="https://img.w.example/site-logo.png" medium="image"/>
              <enclosure url="https://w.example/episode.mp3" type="audio/mpeg" length="1000"/></item>
            </channel></rss>"#;
        let feed = parse_feed(rss, None, "t", None).unwrap();
        let images: Vec<Option<&str>> = feed.items.iter().map(|i| i.image.as_deref()).collect();
        assert_eq!(
            images,
            [
                Some("https://img.w.example/large.jpg"),
                Some("https://img.w.example/photo.jpg"),
                Some("https://ichef.w.example/news/240/p0.jpg"),
                None
            ]
        );
    }

    /// Reddit's feed names each post's picture in a bare `<media:thumbnail>` (which feed-rs drops): it is read,
    /// and only that post gets it.
    #[test]
    fn a_bare_media_thumbnail_is_read_in_a_real_feed() {
        let feed = parse_fixture("atom_mediarss_reddit_1.xml").unwrap();
        let with: Vec<(&str, &str)> = feed
            .items
            .iter()
            .filter_map(|i| Some((i.title.as_str(), i.image.as_deref()?)))
            .collect();
        assert_eq!(
            with,
            [(
                "Cleaned up the Lack Rack",
                "https://b.thumbs.redditmedia.com/_MXt-0n8VXQc-EQ7Q0vFioALFWFITAgVWu4Wf8dThhU.jpg"
            )]
        );
    }

    #[test]
    fn html_page_is_not_a_feed() {
        let err = parse_feed(
            b"<!doctype html><html><body><p>hi</p></body></html>",
            None,
            "https://x.example/",
            None,
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .starts_with("https://x.example/: not a readable feed"),
            "{err}"
        );
    }

    #[test]
    fn relative_links_resolve_against_xml_base_or_feed_link() {
        let feed = parse_fixture("rss_2.0_relurl_1.xml").unwrap();
        assert_eq!(feed.title.as_deref(), Some("Insanity Industries"));
        assert!(feed.items.iter().all(|i| {
            i.url
                .as_deref()
                .is_some_and(|u| u.starts_with("https://insanity.industries/"))
        }));
        let base = Url::parse("https://news.example/feeds/rss").unwrap();
        let rss = br#"<rss version="2.0"><channel><title>T</title><item><title>A</title><link>/a/1</link></item></channel></rss>"#;
        let feed = parse_feed(rss, None, "t", Some(&base)).unwrap();
        assert_eq!(
            feed.items[0].url.as_deref(),
            Some("https://news.example/a/1")
        );
    }

    #[test]
    fn guid_falls_back_to_link_then_title_and_date_hash() {
        let rss = br#"<rss version="2.0"><channel><title>T</title>
            <item><title>With link</title><link>https://n.example/1</link></item>
            <item><title>No link</title><pubDate>Fri, 16 May 2025 10:00:00 GMT</pubDate></item>
            <item><guid>g-3</guid><title>Has &lt;b&gt;guid&lt;/b&gt; &amp; more</title></item></channel></rss>"#;
        let a = parse_feed(rss, None, "t", None).unwrap();
        let b = parse_feed(rss, None, "t", None).unwrap();
        assert_eq!(a, b, "ids are stable across parses");
        assert_eq!(a.items[0].guid, "https://n.example/1");
        assert!(a.items[1].guid.starts_with("sha256:"));
        assert_eq!(a.items[2].guid, "g-3");
        assert_eq!(a.items[2].title, "Has guid & more");
    }

    #[test]
    fn json_feed_and_atom_fields() {
        let feed = parse_fixture("jsonfeed_spec_1.json").unwrap();
        assert!(!feed.items.is_empty());
        let feed = parse_fixture("atom_mediarss_reddit_1.xml").unwrap();
        let item = &feed.items[0];
        assert!(item.published_at.is_some());
        assert!(item.author.is_some());
    }
}
