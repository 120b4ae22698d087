//! How common a word is in general text, so that a summary can tell a story's own words ("ceasefire",
//! "abducted") from words any text uses ("said", "critical").
//!
//! The tables are the Zipf frequencies of [wordfreq](https://github.com/rspeer/wordfreq) (log10 of a word's
//! occurrences per billion words: "the" 7.7, "ceasefire" 3.3), compiled into the binary: English words at 2.5
//! and up and the numbers 0–9999, and the 30,000 most frequent Ukrainian and Russian words each, as a
//! finite-state transducer (the `fst` crate) that build.rs compiles: no start-up work, 2 bytes a word.
//! `scripts/gen_wordfreq.py` regenerates them; the data is CC BY-SA 4.0 (src/text/wordfreq/README.md).

use std::sync::LazyLock;

use fst::Map;

/// Built by build.rs from src/text/wordfreq/*.txt: folded word → Zipf frequency × 10.
static TABLE: LazyLock<Option<Map<&'static [u8]>>> =
    LazyLock::new(|| Map::new(&include_bytes!(concat!(env!("OUT_DIR"), "/wordfreq.fst"))[..]).ok());

/// The Zipf frequency of a folded word (see [`super::fold`]), or `None` when the word is rarer than the
/// tables go (names, typos, rare inflections, numbers of five digits and more).
pub fn zipf(word: &str) -> Option<f64> {
    let z = TABLE.as_ref()?.get(word)?;
    Some(z as f64 / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::fold;

    #[test]
    fn common_words_are_more_frequent_than_a_story_s_own() {
        let the = zipf("the").unwrap();
        let said = zipf("said").unwrap();
        let ceasefire = zipf("ceasefire").unwrap();
        assert!(the > 7.0 && the < 8.0, "{the}");
        assert!(said > ceasefire + 1.0, "said {said}, ceasefire {ceasefire}");
        assert!(zipf("2022").unwrap() > zipf("7391").unwrap_or(0.0));
        assert_eq!(zipf("dolmabahce"), None);
    }

    #[test]
    fn ukrainian_and_russian_words_are_looked_up_folded() {
        let ukraine = zipf(&fold("України")).unwrap();
        let talks = zipf(&fold("переговоры")).unwrap();
        assert!(ukraine > 4.0, "{ukraine}");
        assert!(talks > 3.0, "{talks}");
        assert!(zipf(&fold("він")).unwrap() > zipf(&fold("переговори")).unwrap());
    }
}
