//! Boilerplate a page carries around its article, found by structure, never by site: what the element is (a
//! figure and its caption, a navigation bar, a form, a teaser card), what its class or id says it is (share
//! bars, "related" lists, newsletter boxes, bylines, author bios), how much of its text is links, and what a
//! short line is (a credit, a date or byline line, "read more"). Readability (dom_smoothie) picks the
//! article's container; [`strip_article`] drops what it kept inside it, [`strip_lines`] the lines left.

use dom_query::NodeRef;

/// Class and id words that name a boilerplate block (matched against whole words of the attribute).
const BOILERPLATE_WORDS: &[&str] = &[
    "share",
    "sharing",
    "social",
    "related",
    "newsletter",
    "subscribe",
    "subscription",
    "signup",
    "byline",
    "caption",
    "credit",
    "credits",
    "breadcrumb",
    "breadcrumbs",
    "tags",
    "taglist",
    "comments",
    "comment",
    "promo",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "sponsor",
    "sponsored",
    "recirc",
    "recommended",
    "toc",
    "dateline",
    "timestamp",
    "print",
    "popup",
    "modal",
    "cookie",
    "paywall",
    "outbrain",
    "taboola",
    "disqus",
    "bio",
    "author",
    "authors",
    "meta",
    "widget",
    "sidebar",
    "nav",
    "navigation",
    "footer",
    "masthead",
    "kicker",
    "eyebrow",
];

/// Class and id words that name the article itself: a block named so is never dropped for its name.
const CONTENT_WORDS: &[&str] = &[
    "body", "content", "text", "story", "article", "entry", "main", "post",
];

/// The words of a class or id attribute: split at anything but letters, lower-cased.
fn attr_words(node: &NodeRef) -> Vec<String> {
    let mut words = Vec::new();
    for name in ["class", "id"] {
        if let Some(v) = node.attr(name) {
            // An id made from a heading ("sharing-with-a-single-developer") names the section's subject.
            if name == "id" && heading_slug(node, &v) {
                continue;
            }
            let mut word = String::new();
            let mut prev_lower = false;
            for c in v.chars() {
                let boundary = !c.is_ascii_alphabetic() || (c.is_ascii_uppercase() && prev_lower);
                if boundary && !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
                if c.is_ascii_alphabetic() {
                    word.push(c.to_ascii_lowercase());
                }
                prev_lower = c.is_ascii_lowercase();
            }
            if !word.is_empty() {
                words.push(word);
            }
        }
    }
    words
}

/// Whether `id` is made from the words of a heading the element holds ("sharing-with-a-single-developer").
fn heading_slug(node: &NodeRef, id: &str) -> bool {
    let id: Vec<String> = id
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    id.len() >= 2
        && node
            .descendants_it()
            .filter(|n| {
                matches!(
                    n.node_name().as_deref(),
                    Some("h1" | "h2" | "h3" | "h4" | "h5" | "h6")
                )
            })
            .take(1)
            .any(|h| {
                let words: Vec<String> = h
                    .text()
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .map(str::to_lowercase)
                    .collect();
                words.starts_with(&id) || id.starts_with(&words)
            })
}

/// Whether the element's class or id names it boilerplate (and nothing names it content).
fn named_boilerplate(node: &NodeRef) -> bool {
    let words = attr_words(node);
    words
        .iter()
        .any(|w| BOILERPLATE_WORDS.contains(&w.as_str()))
        && !words.iter().any(|w| CONTENT_WORDS.contains(&w.as_str()))
}

/// Whether `node` is a `name` element.
fn is(node: &NodeRef, name: &str) -> bool {
    node.node_name().as_deref() == Some(name)
}

/// Words of `s`.
fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Share of the element's text that is link text.
fn link_density(node: &NodeRef) -> f64 {
    let total = node.text().chars().filter(|c| !c.is_whitespace()).count();
    if total == 0 {
        return 0.0;
    }
    let linked: usize = node
        .descendants_it()
        .filter(|n| n.node_name().as_deref() == Some("a"))
        // A link that shows its address is a source the text cites, read as text.
        .filter(|a| !address_text(&a.text()))
        .map(|a| a.text().chars().filter(|c| !c.is_whitespace()).count())
        .sum();
    linked as f64 / total as f64
}

/// Whether a link's text is its address (a URL, an e-mail address, an @account): a source the text cites.
fn address_text(text: &str) -> bool {
    let t = text.trim();
    !t.contains(char::is_whitespace)
        && (t.starts_with("http://")
            || t.starts_with("https://")
            || t.starts_with("www.")
            || t.contains('@'))
}

/// Whether the next element with text after `node` is prose (20 words or more, mostly not links): `node` is
/// then a heading over its section, not a teaser.
fn heads_prose(node: &NodeRef) -> bool {
    let mut next = node.next_element_sibling();
    while let Some(n) = next.as_ref().filter(|n| n.text().trim().is_empty()) {
        next = n.next_element_sibling();
    }
    next.is_some_and(|n| {
        matches!(n.node_name().as_deref(), Some("p" | "div"))
            && word_count(&n.text()) >= 20
            && link_density(&n) < 0.5
    })
}

/// Whether `node` sits in a table of data: the nearest table around it holds no table and less than half of
/// the article's `words` (a table that lays out the page holds the page, and its navigation too).
fn in_data_table(node: &NodeRef, words: usize) -> bool {
    node.ancestors_it(None)
        .find(|a| is(a, "table"))
        .is_some_and(|t| {
            !t.descendants_it().any(|d| is(&d, "table")) && word_count(&t.text()) * 2 < words
        })
}

/// Whether `node` is a few words of a paragraph: its paragraph holds more than three times its words and
/// five more.
fn in_prose(node: &NodeRef) -> bool {
    let words = word_count(&node.text());
    node.ancestors_it(None)
        .find(|a| is(a, "p"))
        .is_some_and(|p| word_count(&p.text()) > 3 * words.max(1) + 5)
}

/// Removes the elements under `root` that `drop` picks, all picked before any goes.
fn remove_where(root: &NodeRef, drop: impl Fn(&NodeRef) -> bool) {
    let picked: Vec<NodeRef> = root.descendants_it().filter(|n| drop(n)).collect();
    for n in picked {
        n.remove_from_parent();
    }
}

/// Drops what Readability kept around the article inside its container `root`.
pub fn strip_article(root: &NodeRef) {
    // What a page hides, and its navigation, forms, dialogs and asides.
    remove_where(root, |n| {
        matches!(
            n.node_name().as_deref(),
            Some("nav" | "footer" | "form" | "button" | "select" | "label" | "dialog" | "aside")
        ) || matches!(
            n.attr("role").as_deref(),
            Some("navigation" | "complementary" | "contentinfo" | "dialog" | "alert")
        ) || n.has_attr("hidden")
            || n.attr("aria-hidden").as_deref() == Some("true")
    });
    // Teaser cards: when the container holds several `article` elements, the short ones are other stories.
    let cards = root.descendants_it().filter(|n| is(n, "article")).count();
    if cards >= 2 {
        remove_where(root, |n| is(n, "article") && word_count(&n.text()) < 100);
    }
    // Cards inside a paragraph (a hover card of related links beside a name): an inline element of two links
    // or more, over 20 words, nearly all links; the innermost such, so the name it hangs on stays.
    let hover_card = |n: &NodeRef| {
        matches!(n.node_name().as_deref(), Some("span" | "div"))
            && word_count(&n.text()) > 20
            && n.descendants_it().filter(|d| is(d, "a")).count() >= 2
            && link_density(n) > 0.8
    };
    remove_where(root, |n| {
        hover_card(n)
            && n.ancestors_it(None).any(|a| is(&a, "p"))
            && !n.descendants_it().any(|d| hover_card(&d))
    });
    // Lists and blocks that are mostly links: "related", "read more", tag lists. Not a paragraph over 40
    // words (prose that links a lot), nor a list item alone (a list is judged whole: a reference list keeps
    // the items whose title is a link), nor a heading over its section's prose (a linked title), nor
    // anything in a table of data (the links of an infobox or a table of results are its data).
    let words = word_count(&root.text());
    remove_where(root, |n| {
        let heading = matches!(
            n.node_name().as_deref(),
            Some("h2" | "h3" | "h4" | "h5" | "h6")
        );
        (heading
            || matches!(
                n.node_name().as_deref(),
                Some("p" | "ul" | "ol" | "div" | "dl")
            ))
            && link_density(n) > 0.6
            && !(is(n, "p") && word_count(&n.text()) > 40)
            && !(heading && heads_prose(n))
            && !in_data_table(n, words)
    });
    // Figures and their captions.
    remove_where(root, |n| {
        matches!(n.node_name().as_deref(), Some("figure" | "figcaption"))
            && word_count(&n.text()) < 80
    });
    // Blocks named boilerplate, unless they hold 40 % of the text or more (then the name is wrong). Never a
    // link (its class names what it links to: "meta-org" on a company's name), nor a few words inside a
    // paragraph (cut out, they leave a broken sentence), nor code (a syntax highlighter's "comment").
    let total = word_count(&root.text());
    remove_where(root, |n| {
        named_boilerplate(n)
            && word_count(&n.text()) * 5 < total * 2
            && !is(n, "a")
            && !in_prose(n)
            && !n
                .ancestors_it(None)
                .any(|a| matches!(a.node_name().as_deref(), Some("pre" | "code")))
    });
}

/// Lines a page prints around the text that say nothing of the story: whole lines (lower-cased) ...
const BOILERPLATE_LINES: &[&str] = &[
    "advert",
    "advertisement",
    "caption",
    "close",
    "continue reading below",
    "continue reading",
    "read more",
    "see more",
    "related",
    "don't miss",
    "share",
    "share this",
    "share this article",
    "comments",
    "this slideshow requires javascript.",
    "story continues below advertisement",
    "story continues below",
    "related news",
    "related stories",
    "related articles",
    "more stories",
    "recommended",
    "sharing is caring!",
    "post comment",
    "post comment (+)",
    "tell us what you think...",
    "leave a comment",
    "leave a reply",
];

/// ... and how a boilerplate line begins (lower-cased).
const BOILERPLATE_OPENINGS: &[&str] = &[
    "related:",
    "read more:",
    "see more:",
    "read more on",
    "more:",
    "(image:",
    "(image credit",
    "image:",
    "image credit",
    "photo:",
    "photograph:",
    "picture:",
    "(photo:",
    "©",
    "(c)",
    "get the latest",
    "sign up for",
    "sign up to",
    "subscribe to",
    "follow him on",
    "follow her on",
    "follow us on",
    "follow them on",
    "want more stories",
    "click here",
];

/// Whether `line` is a line of boilerplate wherever it stands.
fn boilerplate_line(line: &str) -> bool {
    let lower = line.trim().to_lowercase();
    let bare = lower.trim_end_matches([':', '.', '…', '|', ' ']);
    if BOILERPLATE_LINES.contains(&bare) || BOILERPLATE_LINES.contains(&lower.as_str()) {
        return true;
    }
    if BOILERPLATE_OPENINGS.iter().any(|o| lower.starts_with(o)) && word_count(&lower) <= 40 {
        return true;
    }
    // "Image 1 of 23", "Photo 3 of 10"
    let words: Vec<&str> = lower.split_whitespace().collect();
    if words.len() <= 5
        && matches!(
            words.first(),
            Some(&("image" | "photo" | "slide" | "picture"))
        )
        && words.contains(&"of")
    {
        return true;
    }
    // A credit closing a caption: "(Image: GETTY )", "[File: Reuters]", "Photo: Damian Dovarganes, AP"
    let closes_with_credit = [
        "(image:",
        "[file:",
        "(photo:",
        "(ap photo",
        "photo:",
        "(credit:",
        "| getty",
        "getty images",
    ]
    .iter()
    .any(|c| lower.rfind(c).is_some_and(|i| lower.len() - i < 60));
    closes_with_credit && word_count(&lower) <= 60
}

/// Month names and their short forms (English), as a date line writes them.
const MONTHS: &[&str] = &[
    "jan",
    "feb",
    "mar",
    "apr",
    "may",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Whether `line` is a short date, time or byline line: "Updated Nov 19, 6:55 AM", "By Jane Roe - 11/18/19",
/// "Published 1 day ago", "September 15, 2014".
fn dateline(line: &str) -> bool {
    let lower = line.trim().to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '|' | '·' | ';'))
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() || words.len() > 14 {
        return false;
    }
    let bare = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_owned();
    let has_month = words.iter().any(|w| MONTHS.contains(&bare(w).as_str()))
        && words.iter().any(|w| w.chars().any(|c| c.is_ascii_digit()));
    let has_clock = words.iter().any(|w| {
        let w = bare(w);
        let mut parts = w.split(':');
        matches!((parts.next(), parts.next()), (Some(h), Some(m)) if !h.is_empty() && h.len() <= 2
            && h.chars().all(|c| c.is_ascii_digit()) && m.len() >= 2 && m[..2].chars().all(|c| c.is_ascii_digit()))
    });
    let has_numeric_date = words.iter().any(|w| {
        let w = bare(w);
        let parts: Vec<&str> = w.split(['/', '.', '-']).collect();
        parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
    });
    let ago = words.len() <= 6 && words.last().is_some_and(|w| bare(w) == "ago");
    let opens = [
        "updated",
        "posted",
        "published",
        "first",
        "last",
        "modified",
        "by",
    ]
    .contains(&bare(words[0]).as_str());
    let dated = has_month || has_clock || has_numeric_date || ago;
    let quoted = lower.contains('@')
        || lower.starts_with(['—', '-', '–'])
        || lower.contains(['"', '“', '”']);
    // "This draft will expire on 15 December 2014." is a sentence that names a date.
    let sentence = !opens && words.len() >= 5 && lower.trim_end().ends_with('.');
    (dated && !quoted && !sentence && (opens || words.len() <= 8))
        || (bare(words[0]) == "by" && words.len() <= 6 && !line.trim_end().ends_with('.'))
}

/// Which of `lines` are date or byline lines to drop: a run of three or more such lines in a row is data (a
/// log, a table's rows, a timeline) and stays.
fn datelines(lines: &[&str]) -> Vec<bool> {
    let mut dated: Vec<bool> = lines.iter().map(|l| dateline(l)).collect();
    let mut start = 0;
    while start < dated.len() {
        let run = dated[start..].iter().take_while(|d| **d).count();
        if run >= 3 {
            dated[start..start + run].fill(false);
        }
        start += run.max(1);
    }
    dated
}

/// Whether `line` reads as a sentence of prose (ends like one and has a few words).
fn sentence_like(line: &str) -> bool {
    let t = line.trim_end_matches(['"', '\'', '”', '’', ')', ' ']);
    word_count(line) >= 8 && t.ends_with(['.', '!', '?', ':', ';'])
}

/// The article text with its boilerplate lines dropped (credits, calls to subscribe, "read more", date and
/// byline lines). A text with no line of prose, or only boilerplate lines, comes back as it was.
pub fn strip_lines(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    if !lines.iter().any(|l| sentence_like(l)) {
        return lines.join("\n");
    }
    let datelines = datelines(&lines);
    let kept: Vec<&str> = lines
        .iter()
        .zip(&datelines)
        .filter(|(l, dateline)| !(boilerplate_line(l) || **dateline))
        .map(|(l, _)| *l)
        .collect();
    if kept.is_empty() {
        return lines.join("\n");
    }
    kept.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::extract::extract_article;

    const PROSE: &str = "Delegations from both countries met in Istanbul on Friday for the first direct talks \
        in three years, officials said, and agreed to exchange a thousand prisoners each.";
    const MORE: &str = "The talks lasted less than two hours, and no ceasefire was agreed, according to officials \
        who spoke on condition of anonymity because they were not allowed to brief reporters.";
    const LAST: &str = "A second round is planned for next month in Geneva, where both sides hope to agree on \
        an exchange of the bodies of soldiers killed in the fighting, the officials added.";

    fn page(inner: &str) -> String {
        format!(
            "<html><head><title>Talks</title></head><body><article class=\"story-body\">{inner}</article></body></html>"
        )
    }

    #[test]
    fn captions_credits_related_lists_share_bars_and_date_lines_are_dropped_by_structure() {
        let html = page(&format!(
            r#"<div class="article-meta">Updated Nov 19, 6:55 AM; Posted Nov 19, 6:51 AM</div>
            <p>By Jane Roe - 11/18/19 11:04 PM EST</p>
            <figure><img src="https://img.example/a.jpg"><figcaption>Delegates arrive in Istanbul on Friday.
              (Image: GETTY)</figcaption></figure>
            <p>{PROSE}</p>
            <div class="photo"><img src="https://img.example/b.jpg"><span class="newsCaption">The delegations
              shook hands before the talks began in the palace.</span></div>
            <div class="share-bar"><a href="/s/fb">Facebook</a> <a href="/s/x">X</a> Share this</div>
            <p>{MORE}</p>
            <p>Related: <a href="/other">Prisoner exchange: what we know about the deal so far</a></p>
            <ul><li><a href="/a">Ceasefire talks stall as both sides trade blame</a></li>
              <li><a href="/b">Who is in the room: the negotiators</a></li></ul>
            <p>Image 1 of 23</p>
            <p>{LAST}</p>
            <p>Sign up for our daily newsletter to get the latest news delivered to your inbox.</p>"#
        ));
        let got = extract_article(&html, Some("https://news.example/talks"))
            .unwrap()
            .text;
        assert_eq!(got, format!("{PROSE}\n{MORE}\n{LAST}"), "{got}");
    }

    #[test]
    fn teaser_cards_and_hover_cards_of_links_are_dropped_but_the_names_in_the_text_stay() {
        let card = |n: usize| {
            format!(
                r#"<article class="card"><h3>OTHER STORY {n}</h3><p><a href="/o{n}">Another story of the day
                that the site wants read next, told in a teaser of a couple of lines.</a></p></article>"#
            )
        };
        let html = page(&format!(
            r#"<p>{PROSE}</p><p>Officials said Rep. <span class="rollover-people"><a href="/p/1">Jane Roe</a><span
            class="block"><a href="/x1">Roe votes against the funding bill over surveillance authority and more
            </a> <a href="/x2">Progressives oppose spending stopgap measure over surveillance authority extension
            </a> <a href="/x3">Senators call for a 5G security coordinator</a></span></span> was not told.</p>
            <p>{MORE}</p><p>{LAST}</p><p>{PROSE}</p><p>{MORE}</p>{}{}{}<p>{LAST}</p>"#,
            card(1),
            card(2),
            card(3)
        ));
        let got = extract_article(&html, Some("https://news.example/talks"))
            .unwrap()
            .text;
        assert!(got.contains("Rep. Jane Roe was not told."), "{got}");
        assert!(
            !got.contains("OTHER STORY") && !got.contains("surveillance"),
            "{got}"
        );
        assert!(got.contains(LAST));
    }

    #[test]
    fn a_page_of_teasers_or_a_section_named_like_boilerplate_is_kept() {
        // A section front: the rules would drop most of it, so it stays whole.
        let cards: String = (1..=6)
            .map(|n| {
                format!(
                    r#"<article><h2><a href="/s{n}">Story number {n} of the front page</a></h2><p>{PROSE}</p></article>"#
                )
            })
            .collect();
        let got = extract_article(&page(&cards), Some("https://news.example/"))
            .unwrap()
            .text;
        assert_eq!(got.matches("Delegations").count(), 6, "{got}");
        // An id made from the section's heading says what it is about, not what it is.
        let html = page(&format!(
            r#"<p>{PROSE}</p><section id="sharing-with-a-single-developer"><h2>Sharing with a single
            developer</h2><p>{MORE}</p></section><p>{LAST}</p>"#
        ));
        let got = extract_article(&html, Some("https://news.example/talks"))
            .unwrap()
            .text;
        assert!(got.contains(MORE), "{got}");
    }

    #[test]
    fn linked_headings_cited_addresses_reference_lists_and_tables_stay_while_link_lists_go() {
        let html = page(&format!(
            r#"<h3><a href="https://games.example/rez">Rez Infinite ($30)</a></h3>
            <p class="video"><iframe src="https://video.example/1"></iframe></p>
            <p>{PROSE}</p>
            <p>Source: <a href="http://amzn.to/2hXQPDr">http://amzn.to/2hXQPDr</a></p>
            <p>{MORE}</p>
            <ol><li><a href="https://news.example/a">Talks in Istanbul end without a ceasefire</a></li>
              <li>Officials, 12 May. <a href="https://news.example/b">A thousand prisoners exchanged</a></li>
              <li>Reporters, 13 May. Retrieved 14 May, from the agency's own statement, read in full.</li></ol>
            <table><tr><th>Capital</th><td><div><a href="https://wiki.example/Geneva">Geneva</a></div></td></tr>
              <tr><th>Languages</th><td><ul><li><a href="https://wiki.example/French">French</a></li></ul></td></tr>
            </table>
            <p>{LAST}</p>
            <h3><a href="https://news.example/c">Who is in the room: the negotiators</a></h3>
            <ul><li><a href="https://news.example/d">Ceasefire talks stall as both sides trade blame</a></li>
              <li><a href="https://news.example/e">Prisoner exchange: what we know so far</a></li></ul>"#
        ));
        let got = extract_article(&html, Some("https://news.example/talks"))
            .unwrap()
            .text;
        for kept in [
            "Rez Infinite ($30)",
            "http://amzn.to/2hXQPDr",
            "Talks in Istanbul end without a ceasefire",
            "Geneva",
            "French",
            LAST,
        ] {
            assert!(got.contains(kept), "{kept} missing from {got}");
        }
        for dropped in ["the negotiators", "Ceasefire talks stall", "what we know"] {
            assert!(!got.contains(dropped), "{dropped} kept in {got}");
        }
    }

    #[test]
    fn names_never_cut_words_out_of_a_sentence_or_lines_out_of_code() {
        let html = page(&format!(
            r#"<p>{PROSE}</p>
            <p><a href="https://news.example/yahoo" class="meta-org">Yahoo</a>’s $4.8 billion sale to <a
            href="https://news.example/verizon" class="meta-org">Verizon</a> is a complicated beast, showing how
            acquisition structures <span class="kicker">can</span> affect how shareholders are treated.</p>
            <pre><code><span class="token comment">// add.c</span>
int add(int x, int y) {{ return x + y; }}</code></pre>
            <div class="newsletter-promo"><h4>Every morning</h4><p>Our briefing arrives in your inbox every day
            of the week.</p></div>
            <p>{MORE}</p><p>{LAST}</p>"#
        ));
        let got = extract_article(&html, Some("https://news.example/talks"))
            .unwrap()
            .text;
        assert!(
            got.contains("Yahoo’s $4.8 billion sale to Verizon is a complicated beast"),
            "{got}"
        );
        assert!(got.contains("structures can affect"), "{got}");
        assert!(got.contains("// add.c"), "{got}");
        assert!(!got.contains("Our briefing arrives"), "{got}");
    }

    #[test]
    fn dated_rows_citations_and_sentences_are_not_datelines() {
        let log = [
            "2020-08-01 18:00:00+00 | 200 | 4084",
            "2020-08-01 18:00:00+00 | 404 | 0",
            "2020-08-01 17:59:00+00 | 400 | 12",
        ];
        let text = format!(
            "Updated Nov 19, 6:55 AM\n{PROSE}\n{}\n{MORE}\nThis Internet-Draft will expire on 15 December \
             2014.\n^ Zawinski, Jamie (1996). \"nscp dorm\". Retrieved 2007-10-12.",
            log.join("\n")
        );
        let got = strip_lines(&text);
        assert!(!got.contains("Updated Nov 19"), "{got}");
        for kept in log.into_iter().chain([
            "This Internet-Draft will expire on 15 December 2014.",
            "nscp dorm",
        ]) {
            assert!(got.contains(kept), "{kept} missing from {got}");
        }
    }

    #[test]
    fn lines_tell_boilerplate_from_prose() {
        for line in [
            "Advertisement",
            "Continue Reading Below",
            "(Image: © NASA/ESA/K. Retherford/SWRI)",
            "Photo: Damian Dovarganes, AP",
            "Image 1 of 23",
            "Roughly 13,000 US troops remain in Afghanistan [File: Reuters]",
            "Follow him on Twitter @someone",
        ] {
            assert!(boilerplate_line(line), "{line}");
        }
        for line in [
            "Published 1 day ago",
            "Updated: Sat 8:31 PM, Feb 17, 2018",
            "September 15, 2014",
            "By Reuters",
            "PUBLISHED: 10:48, Tue, Nov 19, 2019",
        ] {
            assert!(dateline(line), "{line}");
        }
        for line in [
            PROSE,
            "— Rep. Ilhan Omar (@Ilhan) November 19, 2019",
            "Colombia had lost to Belgium on Monday.",
            "The share price fell 3% on the news, the company said in a statement.",
            "By the end of the day, the talks had collapsed and the delegations left Istanbul.",
        ] {
            assert!(!boilerplate_line(line) && !dateline(line), "{line}");
        }
    }
}
