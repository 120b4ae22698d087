//! The items of a search provider's RSS response, with the elements feed parsers drop: the publisher each
//! result came from (`<source url=…>` in Google News, `<News:Source>` and `<News:Image>` in Bing News).

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

/// One `<item>` as the provider wrote it (text unescaped, not yet cleaned of HTML).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RssItem {
    /// `<title>`.
    pub title: String,
    /// `<link>`.
    pub link: String,
    /// `<description>` (HTML).
    pub description: String,
    /// `<pubDate>` (RFC 2822).
    pub pub_date: String,
    /// `<guid>`.
    pub guid: String,
    /// The publisher's name: `<source>` or `<News:Source>`.
    pub source: String,
    /// The publisher's site: `<source url=…>`.
    pub source_url: String,
    /// The result's picture: `<News:Image>` (Bing).
    pub image: String,
}

/// Items read at most from one response.
const MAX_ITEMS: usize = 1000;
/// Characters kept of one field at most.
const MAX_FIELD: usize = 64 * 1024;

/// The `<item>`s of an RSS document (already UTF-8). A document that is not well-formed XML is an error,
/// with quick-xml's reason; one without items is an empty list.
pub fn rss_items(xml: &str) -> Result<Vec<RssItem>, String> {
    let mut reader = Reader::from_str(xml);
    let mut items = Vec::new();
    let mut current: Option<RssItem> = None;
    // The item field being read, if any.
    let mut field: Option<&'static str> = None;
    let mut depth_in_field = 0usize;
    let mut root: Option<String> = None;
    loop {
        let event = reader.read_event().map_err(|e| {
            format!(
                "not well-formed XML at byte {}: {e}",
                reader.error_position()
            )
        })?;
        match event {
            Event::Start(e) => {
                if root.is_none() {
                    let name = local(&e);
                    if !(name.eq_ignore_ascii_case("rss") || name == "RDF") {
                        return Err(format!("not an RSS document (it is <{name}>)"));
                    }
                    root = Some(name);
                }
                if field.is_some() {
                    depth_in_field += 1;
                    continue;
                }
                let name = local(&e);
                if name.eq_ignore_ascii_case("item") {
                    current = Some(RssItem::default());
                } else if let Some(item) = current.as_mut() {
                    field = field_name(&name);
                    if field == Some("source") {
                        item.source_url = attr(&e, "url").unwrap_or_default();
                    }
                }
            }
            Event::Empty(e) => {
                if root.is_none() {
                    return Err(format!("not an RSS document (it is <{}/>)", local(&e)));
                }
                if let (Some(item), None) = (current.as_mut(), field) {
                    if local(&e).eq_ignore_ascii_case("source") {
                        item.source_url = attr(&e, "url").unwrap_or_default();
                    }
                }
            }
            Event::End(e) => {
                if field.is_some() {
                    if depth_in_field > 0 {
                        depth_in_field -= 1;
                    } else {
                        field = None;
                    }
                    continue;
                }
                if e.local_name().as_ref().eq_ignore_ascii_case("item") {
                    if let Some(item) = current.take() {
                        items.push(item);
                        if items.len() >= MAX_ITEMS {
                            break;
                        }
                    }
                }
            }
            Event::Text(t) => push(&mut current, field, &t.xml10_content()),
            Event::CData(t) => push(&mut current, field, &t),
            Event::GeneralRef(r) => {
                let text = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    _ => quick_xml::escape::resolve_predefined_entity(&r)
                        .unwrap_or_default()
                        .to_owned(),
                };
                push(&mut current, field, &text);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if root.is_none() {
        return Err("not an RSS document (no elements)".into());
    }
    Ok(items)
}

fn local(e: &BytesStart<'_>) -> String {
    e.local_name().as_ref().to_owned()
}

fn field_name(name: &str) -> Option<&'static str> {
    Some(match name {
        "title" => "title",
        "link" => "link",
        "description" => "description",
        "pubDate" => "pub_date",
        "guid" => "guid",
        n if n.eq_ignore_ascii_case("source") => "source",
        n if n.eq_ignore_ascii_case("image") => "image",
        _ => return None,
    })
}

fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == name)
        .and_then(|a| {
            a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .ok()
                .map(|v| v.into_owned())
        })
}

fn push(current: &mut Option<RssItem>, field: Option<&'static str>, text: &str) {
    let (Some(item), Some(field)) = (current.as_mut(), field) else {
        return;
    };
    let target = match field {
        "title" => &mut item.title,
        "link" => &mut item.link,
        "description" => &mut item.description,
        "pub_date" => &mut item.pub_date,
        "guid" => &mut item.guid,
        "image" => &mut item.image,
        _ => &mut item.source,
    };
    if target.len() < MAX_FIELD {
        target.push_str(crate::sources::html::cut(text, MAX_FIELD - target.len()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_items_with_their_publisher_entities_and_cdata() {
        let xml = r#"<?xml version="1.0"?><rss version="2.0" xmlns:News="https://www.bing.com/news/search?q=x&amp;format=rss">
<channel><title>x</title><item><title>Talks &amp; truce</title><link>https://a.example/1?x=1&amp;y=2</link>
<description><![CDATA[<b>bold</b> text]]></description><pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate>
<News:Source>Reuters</News:Source><News:Image>https://www.bing.com/th?id=OVFT.x&amp;pid=News</News:Image></item>
<item><title>B &#233;t&#xE9;</title><source url="https://b.example">B News</source></item></channel></rss>"#;
        let items = rss_items(xml).unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0].title, "Talks & truce");
        assert_eq!(items[0].link, "https://a.example/1?x=1&y=2");
        assert_eq!(items[0].description, "<b>bold</b> text");
        assert_eq!(items[0].source, "Reuters");
        assert_eq!(items[0].image, "https://www.bing.com/th?id=OVFT.x&pid=News");
        assert_eq!(items[1].title, "B été");
        assert_eq!(
            (items[1].source.as_str(), items[1].source_url.as_str()),
            ("B News", "https://b.example")
        );
    }

    #[test]
    fn broken_and_empty_documents_are_errors_and_no_items_is_empty() {
        assert!(rss_items("<rss><channel><item><title>x</channel>").is_err());
        assert!(rss_items("").is_err());
        assert!(rss_items("not xml at all").is_err());
        let html = rss_items("<html><body>Our systems have detected unusual traffic</body></html>");
        assert_eq!(html.unwrap_err(), "not an RSS document (it is <html>)");
        assert_eq!(
            rss_items("<rss><channel><title>none</title></channel></rss>").unwrap(),
            []
        );
    }
}
