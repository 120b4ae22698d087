//! Text primitives shared by topic matching, clustering and summarising: case and diacritic folding,
//! word tokens, a light stemmer for Latin and Cyrillic words, stop words, sentence splitting and how common a
//! word is in general text.

mod sentences;
mod stopwords;
pub mod wordfreq;

pub use sentences::{split_paragraphs, split_sentences};
pub use stopwords::is_stopword;

use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Words longer than this (in bytes) are not stemmed.
const MAX_STEMMED_BYTES: usize = 64;

static ENGLISH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Lower-cases and strips diacritics: "Café" → "cafe", "Україна" → "украіна", "ёлка" → "елка".
///
/// Both sides of every comparison go through this, so a letter that loses its mark (й → и) still matches itself.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    s.nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The words of `s`, folded: maximal runs of letters and digits. Apostrophes end a word ("Putin's" → "putin", "s").
pub fn words(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(fold)
}

/// The stem of a folded word: Snowball English for Latin script, a suffix stripper for Cyrillic (Ukrainian and
/// Russian endings), the word itself otherwise. "ceasefires" → "ceasefir", "украіни" → "украін".
pub fn stem(word: &str) -> String {
    // No word in any language herald reads is this long; a run of letters that is (a hostile title, a
    // base64 blob) is left unstemmed, which keeps stemming linear in the text.
    if word.len() > MAX_STEMMED_BYTES {
        return word.to_owned();
    }
    if word.chars().any(is_cyrillic) {
        return stem_cyrillic(word).to_owned();
    }
    if word.bytes().all(|b| b.is_ascii_alphabetic()) {
        return ENGLISH.stem(word).into_owned();
    }
    word.to_owned()
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}')
}

/// Noun and adjective endings of Ukrainian and Russian, folded as words are (й → и, ї → і), longest first.
static CYRILLIC_ENDINGS: LazyLock<Vec<String>> = LazyLock::new(|| {
    let mut v: Vec<String> = [
        "ями", "ами", "ого", "ому", "ему", "ими", "ыми", "ій", "ий", "ый", "ой", "ей", "ая", "яя",
        "ое", "ее", "ую", "юю", "ом", "ем", "ам", "ям", "ах", "ях", "ов", "ев", "ів", "їв", "ою",
        "ею", "ії", "ія", "ію", "их", "ых", "іх", "ої", "ої", "ья", "ье", "ью", "а", "я", "о", "е",
        "и", "ы", "у", "ю", "і", "ь", "ї",
    ]
    .iter()
    .map(|e| fold(e))
    .collect();
    v.sort_by_key(|e| std::cmp::Reverse(e.chars().count()));
    v.dedup();
    v
});

fn stem_cyrillic(word: &str) -> &str {
    let len = word.chars().count();
    for ending in CYRILLIC_ENDINGS.iter() {
        if let Some(stem) = word.strip_suffix(ending.as_str()) {
            if len - ending.chars().count() >= 3 {
                return stem;
            }
        }
    }
    word
}

/// The stems of the content words of `s`: stop words and one-letter words dropped.
pub fn content_stems(s: &str) -> Vec<String> {
    words(s)
        .filter(|w| {
            (w.chars().count() > 1 || w.chars().all(|c| c.is_ascii_digit())) && !is_stopword(w)
        })
        .map(|w| stem(&w))
        .collect()
}

/// The prose of a text with one paragraph per line: the paragraphs that read as sentences (at least four
/// words, ending in sentence punctuation, perhaps inside a closing quote or bracket), and paragraphs holding
/// at least two such sentences whatever their last words (an article that came as one block, its last line a
/// caption). Bylines, datelines, captions, headings and button labels that article extraction keeps are left
/// out, and so are a site's legal notices ("Copyright 2026 …. All rights reserved.", see [`is_legal_notice`]).
/// A text with no such paragraph comes back whole (a feed teaser without a full stop is still all there is),
/// less its legal notices and bylines: a text that is only a byline ("submitted by /u/someone [link]
/// [comments]", as a link post on reddit reads) says nothing of the story and comes back empty.
pub fn prose(text: &str) -> std::borrow::Cow<'_, str> {
    let is_prose = |line: &str| {
        if is_legal_notice(line) {
            return false;
        }
        if reads_as_sentence(line) {
            return true;
        }
        // Cheap test first: a paragraph of two sentences has a sentence end before its last word.
        line.contains(['.', '!', '?', '\u{2026}', '\u{3002}'])
            && split_sentences(line)
                .iter()
                .filter(|s| reads_as_sentence(s))
                .nth(1)
                .is_some()
    };
    if text.lines().all(is_prose) {
        return std::borrow::Cow::Borrowed(text);
    }
    let kept: Vec<&str> = text.lines().filter(|l| is_prose(l)).collect();
    if !kept.is_empty() {
        return std::borrow::Cow::Owned(kept.join("\n"));
    }
    let kept: Vec<&str> = text.lines().filter(|l| !is_byline(l)).collect();
    if kept.iter().all(|l| label_only(l)) {
        return std::borrow::Cow::Borrowed("");
    }
    let kept: Vec<&str> = kept.into_iter().filter(|l| !is_legal_notice(l)).collect();
    if kept.iter().all(|l| l.trim().is_empty()) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(kept.join("\n"))
    }
}

/// Whether a line is a byline and nothing more: "submitted by /u/someone", "Posted by the desk", "By Jane Roe"
/// (a name of at most four capitalised words, perhaps with the link labels a feed adds: "[link] [comments]").
fn is_byline(line: &str) -> bool {
    let words: Vec<&str> = line
        .split_whitespace()
        .filter(|w| !(w.starts_with('[') && w.ends_with(']')))
        .collect();
    let lower: Vec<String> = words.iter().take(2).map(|w| w.to_lowercase()).collect();
    match lower.as_slice() {
        [verb, by]
            if by == "by"
                && ["submitted", "posted", "written", "shared"].contains(&verb.as_str()) =>
        {
            words.len() <= 8
        }
        [by, ..] if by == "by" => {
            (2..=5).contains(&words.len())
                && words[1..]
                    .iter()
                    .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase()))
        }
        _ => false,
    }
}

/// Whether a line holds nothing but white space and bracketed link labels ("[link] [comments]").
fn label_only(line: &str) -> bool {
    line.split_whitespace()
        .all(|w| w.starts_with('[') && w.ends_with(']'))
}

/// Whether `s` reads as a sentence: at least four words, ending in sentence punctuation (perhaps inside a
/// closing quote or bracket).
fn reads_as_sentence(s: &str) -> bool {
    let s = s.trim_end_matches(['"', '\'', ')', ']', '\u{201D}', '\u{2019}', '\u{BB}', ' ']);
    s.ends_with(['.', '!', '?', '\u{2026}', '\u{3002}']) && s.split_whitespace().count() >= 4
}

/// Paragraphs longer than this (in words) are never taken for a legal notice.
const NOTICE_MAX_WORDS: usize = 40;

/// Whether a paragraph is a site's legal notice rather than the article: a short line that opens with a
/// copyright mark ("©", "(c)", "Copyright" with a year or "©"), says "all rights reserved", or says that
/// the material (content, article) may not be published or reproduced. News sites put these inside the article
/// element (the AP's "This material may not be published, broadcast, rewritten or redistributed." ends
/// thousands of pages), so extraction keeps them; every report of a site sharing them would make them look
/// like the story.
pub fn is_legal_notice(line: &str) -> bool {
    let line = line.trim();
    let mut words = line.split_whitespace();
    let first = words.next().unwrap_or("");
    let opens_with_mark = first.starts_with('\u{A9}')
        || first.eq_ignore_ascii_case("(c)")
        || (first.eq_ignore_ascii_case("copyright")
            && words.next().is_some_and(|w| {
                w.starts_with('\u{A9}')
                    || w.get(..3).is_some_and(|c| c.eq_ignore_ascii_case("(c)"))
                    || w.trim_end_matches([',', '.', '-']).parse::<u16>().is_ok()
            }));
    // Every phrase below holds one of these: most paragraphs are ruled out without lower-casing them.
    let may_say = ["reserved", "not be"].iter().any(|hint| {
        line.as_bytes()
            .windows(hint.len())
            .any(|w| w.eq_ignore_ascii_case(hint.as_bytes()))
    });
    if !(opens_with_mark || may_say) || line.split_whitespace().nth(NOTICE_MAX_WORDS).is_some() {
        return false;
    }
    if opens_with_mark {
        return true;
    }
    let lower = line.to_lowercase();
    [
        "all rights reserved",
        "material may not be",
        "content may not be",
        "article may not be",
        "may not be published, broadcast",
    ]
    .iter()
    .any(|p| lower.contains(p))
}

/// Characters of a headline a story's link button shows (in Discord and in the HTML preview): enough to tell the
/// stories apart, short enough that a row of them reads on a phone.
const BUTTON_LABEL: usize = 40;

/// A story's link-button label (in Discord and in the HTML preview): its headline plain, whitespace folded, cut
/// to [`BUTTON_LABEL`] characters at a word.
pub fn button_label(headline: &str) -> String {
    shorten(
        &headline.split_whitespace().collect::<Vec<_>>().join(" "),
        BUTTON_LABEL,
    )
}

/// Cuts `s` to at most `max` characters at a word boundary (unless that loses more than half), marking the cut
/// with "…". A cut never ends in a backslash, which in Discord markdown would escape the marker.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let keep: String = s.chars().take(max.saturating_sub(1)).collect();
    let cut = match keep.rfind(char::is_whitespace) {
        Some(i) if i > keep.len() / 2 => &keep[..i],
        _ => keep.as_str(),
    };
    let cut = cut.trim_end().trim_end_matches('\\');
    format!("{cut}…")
}

/// `n` and its noun, singular for one: `count(1, "story", "stories")` is "1 story".
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_diacritics_in_latin_and_cyrillic() {
        assert_eq!(fold("Café Zürich"), "cafe zurich");
        assert_eq!(fold("Україна"), fold("україна"));
        assert_eq!(fold("ЁЛКА"), "елка");
    }

    #[test]
    fn stems_inflections_together() {
        assert_eq!(stem("ceasefire"), stem("ceasefires"));
        assert_eq!(stem("talks"), stem("talk"));
        assert_eq!(stem(&fold("Україна")), stem(&fold("України")));
        assert_eq!(stem(&fold("Украина")), stem(&fold("Украины")));
        assert_eq!(stem(&fold("переговоры")), stem(&fold("переговоров")));
        assert_eq!(stem("мир"), "мир", "short stems are left alone");
    }

    #[test]
    fn a_megabyte_word_is_not_stemmed() {
        let y = "y".repeat(1 << 20);
        let started = std::time::Instant::now();
        assert_eq!(content_stems(&y), std::slice::from_ref(&y));
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }

    #[test]
    fn prose_drops_bylines_and_labels_but_never_everything() {
        let page = "By The Associated PressNov. 25, 2026\nTalks resumed in Istanbul on Friday, officials said.\n\
                    Share this\n\"We are ready,\" the envoy told reporters.\nLeave a Reply";
        assert_eq!(
            prose(page),
            "Talks resumed in Istanbul on Friday, officials said.\n\"We are ready,\" the envoy told reporters."
        );
        assert_eq!(
            prose("Ceasefire holds in the east"),
            "Ceasefire holds in the east"
        );
        assert!(matches!(
            prose("One sentence here, in full."),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn a_text_that_is_only_a_byline_is_no_prose() {
        // A link post's text is its byline and the feed's link labels: nothing of the story.
        assert_eq!(prose("submitted by /u/sala81\n[link] [comments]"), "");
        assert_eq!(prose("By Jane Roe"), "");
        // A teaser without a full stop is still all there is, less its byline.
        assert_eq!(
            prose("By Friday the talks had stalled\nsubmitted by /u/someone"),
            "By Friday the talks had stalled"
        );
    }

    #[test]
    fn an_article_in_one_block_is_prose_though_its_last_words_are_a_caption() {
        let block = "She has lived in New York for a year now. She works for an auction house in the city. \
                     Princess Eugenie, pictured at a party last summer";
        let page = format!("By Staff Writers\n{block}\nShare this");
        assert_eq!(prose(&page), block);
        // One sentence and a caption is not enough to tell prose from a label.
        assert_eq!(
            prose("Lead.\nPictured: the mayor. On Tuesday\nTalks resumed in Istanbul on Friday."),
            "Talks resumed in Istanbul on Friday."
        );
    }

    #[test]
    fn legal_notices_are_not_prose() {
        let page = "Talks resumed in Istanbul on Friday, officials said.\n\
                    Copyright 2026 The Associated Press. All rights reserved. This material may not be \
                    published, broadcast, rewritten or redistributed.\n\
                    \u{A9} 2026 Example Media Group. All rights reserved.";
        assert_eq!(
            prose(page),
            "Talks resumed in Istanbul on Friday, officials said."
        );
        for notice in [
            "Copyright \u{A9} 2024 Reuters.",
            "(c) 2024 Example News",
            "This material may not be published, broadcast, rewritten or redistributed.",
            "ALL RIGHTS RESERVED.",
            "This Material May Not Be Reproduced Without Permission.",
        ] {
            assert!(is_legal_notice(notice), "{notice}");
        }
        // An article about copyright is still the article.
        for sentence in [
            "Copyright law was last changed in 1998, the minister said.",
            "The court ruled the photos may not be published until the trial ends.",
            "Copyright \u{A9} marks, the lawyers said, matter less than who took the photographs of \
             the palace, which the family says were taken without permission on a private road at dawn while \
             the guards looked on and a crowd of reporters waited at the gates for a statement that never came.",
        ] {
            assert!(!is_legal_notice(sentence), "{sentence}");
        }
        // A teaser that is only a notice is still all there is.
        assert_eq!(prose("All rights reserved"), "All rights reserved");
    }

    #[test]
    fn content_stems_drop_stop_words() {
        assert_eq!(
            content_stems("The talks in Istanbul were held"),
            ["talk", "istanbul", "held"]
        );
        assert_eq!(
            content_stems("Переговори в Стамбулі"),
            ["переговор", "стамбул"]
        );
    }
}
