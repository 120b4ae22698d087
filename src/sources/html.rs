//! HTML to plain text on html5ever (through dom_query), linear on hostile input.

/// Fields longer than this (in bytes) are cut before any parsing: no feed summary or title needs more, and
/// it bounds the work one hostile field can cause.
pub const MAX_FIELD_BYTES: usize = 256 * 1024;
/// HTML nested deeper than this is not handed to the HTML parser (whose scope checks cost time per open
/// element, so 100,000 nested `<div>`s took seconds): its tags are stripped by a linear scan instead.
const MAX_NESTING: usize = 256;
/// Pages longer than this (in bytes) are cut before article extraction.
pub const MAX_PAGE_BYTES: usize = 5 * 1024 * 1024;
/// Pages nested deeper than this are not handed to the article extractor (see [`MAX_NESTING`]).
pub const MAX_PAGE_NESTING: usize = 1024;

/// Plain text of an HTML fragment: tags dropped, entities decoded, white space folded to single spaces, and
/// control and bidirectional-override characters removed (a feed title must not drive the terminal or
/// reverse the text around it). Plain text passes through unchanged but for the folding and the cleaning.
/// Linear in the input: fields are cut at [`MAX_FIELD_BYTES`], and deeply nested HTML is stripped, not parsed.
pub fn to_text(html: &str) -> String {
    let html = cut(html, MAX_FIELD_BYTES);
    let text = if !(html.contains('<') || html.contains('&')) {
        html.to_owned()
    } else if nesting_depth(html) > MAX_NESTING {
        strip_tags(html)
    } else {
        let doc = dom_query::Document::fragment(html);
        doc.select("script, style, noscript, template").remove();
        doc.formatted_text().to_string()
    };
    fold_whitespace(&clean(&text))
}

/// `s` cut to at most `max` bytes, at a character boundary.
pub fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// Removes control characters (but line breaks and tabs) and the bidirectional embedding, override and
/// isolate characters.
pub fn clean(s: &str) -> String {
    s.chars()
        .filter(|&c| {
            !((c.is_control() && c != '\n' && c != '\t')
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'))
        })
        .collect()
}

/// Elements that never have content, so never nest.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// How deep the elements of `html` nest at most, by a linear scan of its tags (an estimate: unclosed `<p>`s
/// count as nesting, which errs on the side of the cheap path).
pub fn nesting_depth(html: &str) -> usize {
    let (mut depth, mut max) = (0usize, 0usize);
    let bytes = html.as_bytes();
    let mut i = 0;
    while let Some(off) = bytes[i..].iter().position(|&b| b == b'<') {
        i += off + 1;
        match bytes.get(i) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(b) if b.is_ascii_alphabetic() => {
                let name_end = bytes[i..]
                    .iter()
                    .position(|b| !b.is_ascii_alphanumeric())
                    .map_or(bytes.len(), |n| i + n);
                let name = html[i..name_end].to_ascii_lowercase();
                let self_closing = bytes[name_end..]
                    .iter()
                    .position(|&b| b == b'>')
                    .is_some_and(|n| n > 0 && bytes[name_end + n - 1] == b'/');
                if !self_closing && !VOID.contains(&name.as_str()) {
                    depth += 1;
                    max = max.max(depth);
                }
            }
            _ => {}
        }
    }
    max
}

/// Text of HTML without a parser: tags dropped (a line break for block tags), script and style contents
/// dropped, entities decoded. For input too deeply nested to parse cheaply.
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len() / 2);
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let tag = &rest[start + 1..];
        let Some(end) = tag.find('>') else {
            rest = "";
            break;
        };
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        rest = &tag[end + 1..];
        if matches!(name.as_str(), "script" | "style") && !tag.starts_with('/') {
            let close = format!("</{name}");
            rest = rest
                .to_ascii_lowercase()
                .find(&close)
                .map_or("", |at| &rest[at..]);
        } else if matches!(
            name.as_str(),
            "p" | "div"
                | "br"
                | "li"
                | "tr"
                | "h1"
                | "h2"
                | "h3"
                | "h4"
                | "h5"
                | "h6"
                | "blockquote"
        ) {
            out.push('\n');
        }
    }
    out.push_str(rest);
    html_escape::decode_html_entities(&out).into_owned()
}

/// Paragraphs kept as lines (empty ones dropped), every other run of white space made one space.
pub fn fold_whitespace(s: &str) -> String {
    s.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
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
    fn deep_nesting_and_huge_fields_stay_linear() {
        let deep = format!(
            "{}ceasefire{}",
            "<div>".repeat(20_000),
            "</div>".repeat(20_000)
        );
        let started = std::time::Instant::now();
        assert_eq!(to_text(&deep), "ceasefire");
        // 100,000 levels (the attack that took 17 s): cut at the field cap, then stripped.
        let deeper = format!(
            "{}ceasefire{}",
            "<div>".repeat(100_000),
            "</div>".repeat(100_000)
        );
        assert_eq!(to_text(&deeper), "");
        let huge = format!("<p>{}</p>", "word ".repeat(2_000_000));
        assert!(to_text(&huge).len() <= MAX_FIELD_BYTES);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        assert_eq!(
            strip_tags("<div>a &amp; b<script>x()</script><p>c</div>"),
            "\na & b\nc\n"
        );
        assert_eq!(
            nesting_depth("<p>a<br>b<img src=x/></p><div><span>c</span></div>"),
            2
        );
    }

    #[test]
    fn control_and_bidi_characters_are_removed() {
        assert_eq!(
            to_text("Ceasefire\u{1b}[2J \u{7}holds \u{202E}dlrow\u{202C} &amp; <b>talks</b>"),
            "Ceasefire[2J holds dlrow & talks"
        );
        assert_eq!(to_text("plain\u{0}text"), "plaintext");
    }
}
