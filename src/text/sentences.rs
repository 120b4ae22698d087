//! Sentence splitting for news text in English, Ukrainian and Russian.
//!
//! A line break always ends a sentence (feeds and extracted articles put paragraphs on lines). Inside a line a
//! sentence ends at `.`, `!`, `?` or `…` (with any closing quotes or brackets) followed by white space and then a
//! capital letter, a digit or an opening quote — unless the word before the full stop is a known abbreviation
//! ("Dr.", "Sept.", "ст."), an initial ("J. K. Rowling") or dotted ("U.S.", "a.m.").

use std::collections::HashSet;
use std::sync::LazyLock;

/// Abbreviations that do not end a sentence, lower-cased and without their final full stop.
static ABBREVIATIONS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    "mr mrs ms dr prof sr jr st mt ft gen gov sen rep lt col capt sgt cmdr adm rev hon pres supt det insp \
     inc ltd co corp bros vs etc no nos fig vol ca approx dept est \
     jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun \
     ave blvd rd \
     ім ін т тис млн млрд грн с ст вул пл проф акад див напр обл р рр им др пр тыс руб г гг ул"
        .split_whitespace()
        .collect()
});

const CLOSERS: &[char] = &['"', '\'', '\u{201D}', '\u{2019}', '\u{00BB}', ')', ']'];
const OPENERS: &[char] = &[
    '"', '\'', '\u{201C}', '\u{2018}', '\u{00AB}', '(', '[', '\u{201E}',
];

/// Splits `text` into sentences, trimmed, in order. Empty lines and stray punctuation are dropped.
pub fn split_sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines() {
        split_line(line.trim(), &mut out);
    }
    out
}

/// Splits `text` into paragraphs (non-empty lines), each a list of sentences.
pub fn split_paragraphs(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|line| {
            let mut out = Vec::new();
            split_line(line.trim(), &mut out);
            out
        })
        .filter(|p| !p.is_empty())
        .collect()
}

fn split_line(line: &str, out: &mut Vec<String>) {
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut start = 0;
    let mut i = 0;
    while i < chars.len() {
        let (_, c) = chars[i];
        if !matches!(c, '.' | '!' | '?' | '…') {
            i += 1;
            continue;
        }
        // Take the whole run of terminators and closing quotes.
        let mut j = i + 1;
        while j < chars.len()
            && (matches!(chars[j].1, '.' | '!' | '?' | '…') || CLOSERS.contains(&chars[j].1))
        {
            j += 1;
        }
        let end_byte = chars.get(j).map_or(line.len(), |&(b, _)| b);
        if j < chars.len() && !chars[j].1.is_whitespace() {
            i = j;
            continue;
        }
        let mut k = j;
        while k < chars.len() && chars[k].1.is_whitespace() {
            k += 1;
        }
        let next = chars.get(k).map(|&(_, c)| c);
        let starts_sentence = match next {
            None => true,
            Some(n) => {
                n.is_uppercase()
                    || n.is_ascii_digit()
                    || OPENERS.contains(&n)
                    || n == '—'
                    || n == '-'
            }
        };
        if starts_sentence && !(c == '.' && j == i + 1 && is_abbreviation(&line[start..chars[i].0]))
        {
            push(&line[start..end_byte], out);
            start = chars.get(k).map_or(line.len(), |&(b, _)| b);
        }
        i = j;
    }
    push(&line[start..], out);
}

/// Whether the text before a full stop ends in an abbreviation, an initial or a dotted acronym.
fn is_abbreviation(before: &str) -> bool {
    let word = before
        .rsplit(|c: char| c.is_whitespace() || OPENERS.contains(&c))
        .next()
        .unwrap_or("");
    if word.is_empty() {
        return false;
    }
    let letters: Vec<char> = word.chars().collect();
    // "J" in "J. K. Rowling": one capital letter.
    if letters.len() == 1 && letters[0].is_uppercase() {
        return true;
    }
    // "U.S" or "a.m" (the final stop is the one being judged).
    if word.contains('.')
        && word
            .split('.')
            .all(|p| p.chars().count() <= 2 && !p.is_empty())
    {
        return true;
    }
    ABBREVIATIONS.contains(word.to_lowercase().as_str())
}

fn push(s: &str, out: &mut Vec<String>) {
    let s = s.trim();
    if s.chars().any(char::is_alphanumeric) {
        out.push(s.to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations_initials_and_decimals_do_not_split() {
        let s = split_sentences(
            "Dr. Smith met U.S. officials on Sept. 5 at 10 a.m. in Washington. Growth was 2.5 percent. \
             J. K. Rowling agreed! Did he? \"Yes,\" she said. Then it ended…",
        );
        assert_eq!(
            s,
            [
                "Dr. Smith met U.S. officials on Sept. 5 at 10 a.m. in Washington.",
                "Growth was 2.5 percent.",
                "J. K. Rowling agreed!",
                "Did he?",
                "\"Yes,\" she said.",
                "Then it ended…",
            ]
        );
    }

    #[test]
    fn quotes_close_sentences_and_lowercase_continues() {
        let s = split_sentences(
            "He said: \"We will talk.\" The talks began. \"Why?\" he asked. It was e.g. late.",
        );
        assert_eq!(
            s,
            [
                "He said: \"We will talk.\"",
                "The talks began.",
                "\"Why?\" he asked.",
                "It was e.g. late."
            ]
        );
    }

    #[test]
    fn cyrillic_and_line_breaks() {
        let s = split_sentences(
            "Переговори відбулися в Стамбулі. Делегації обмінялися полоненими.\nНова лінія без крапки\n\n«Мир можливий», — сказав він. Ст. 5 діє.",
        );
        assert_eq!(
            s,
            [
                "Переговори відбулися в Стамбулі.",
                "Делегації обмінялися полоненими.",
                "Нова лінія без крапки",
                "«Мир можливий», — сказав він.",
                "Ст. 5 діє.",
            ]
        );
    }
}
