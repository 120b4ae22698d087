//! HTML to plain text, and readable-article extraction, on one HTML parser (html5ever through dom_query).

/// Plain text of an HTML fragment: tags dropped, entities decoded, white space folded to single spaces.
/// Plain text passes through unchanged but for the folding.
pub fn to_text(html: &str) -> String {
    let text = if html.contains('<') || html.contains('&') {
        let doc = dom_query::Document::fragment(html);
        doc.select("script, style, noscript, template").remove();
        doc.formatted_text().to_string()
    } else {
        html.to_owned()
    };
    fold_whitespace(&text)
}

/// Paragraphs kept as lines, every other run of white space made one space.
fn fold_whitespace(s: &str) -> String {
    s.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// The main article of a web page, as Mozilla's Readability finds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Article {
    /// The article's title.
    pub title: String,
    /// Its text, one paragraph per line.
    pub text: String,
}

/// Extracts the readable article from a page; `url` resolves relative links. `None` when the page has no
/// article-like content.
pub fn extract_article(html: &str, url: Option<&str>) -> Option<Article> {
    let cfg = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        ..Default::default()
    };
    let mut readability = dom_smoothie::Readability::new(html, url, Some(cfg)).ok()?;
    let article = readability.parse().ok()?;
    let text = fold_whitespace(&article.text_content);
    (!text.is_empty()).then(|| Article {
        title: article.title.trim().to_owned(),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_tags_decodes_entities_keeps_paragraphs() {
        assert_eq!(
            to_text("<p>Talks &amp; <b>truce</b></p><p>Second&nbsp;para</p><script>x()</script>"),
            "Talks & truce\nSecond para"
        );
        assert_eq!(to_text("  plain   text \n "), "plain text");
    }

    #[test]
    fn extracts_readability_fixture_text() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/readability/001");
        let Ok(source) = std::fs::read_to_string(dir.join("source.html")) else {
            panic!("tests/fixtures/readability/001 is part of the repository");
        };
        let expected = to_text(&std::fs::read_to_string(dir.join("expected.html")).unwrap());
        let article = extract_article(&source, Some("http://fakehost/test/page.html")).unwrap();
        let first = expected.lines().next().unwrap();
        assert!(article.text.contains(first), "missing: {first}");
    }
}
