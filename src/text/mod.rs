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
/// words, ending in sentence punctuation, perhaps inside a closing quote or bracket). Bylines, datelines,
/// captions, headings and button labels that article extraction keeps are left out. A text with no such
/// paragraph comes back whole (a feed teaser without a full stop is still all there is).
pub fn prose(text: &str) -> std::borrow::Cow<'_, str> {
    let is_prose = |line: &str| {
        let line =
            line.trim_end_matches(['"', '\'', ')', ']', '\u{201D}', '\u{2019}', '\u{BB}', ' ']);
        line.ends_with(['.', '!', '?', '\u{2026}', '\u{3002}'])
            && line.split_whitespace().count() >= 4
    };
    if text.lines().all(is_prose) {
        return std::borrow::Cow::Borrowed(text);
    }
    let kept: Vec<&str> = text.lines().filter(|l| is_prose(l)).collect();
    if kept.is_empty() {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(kept.join("\n"))
    }
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
