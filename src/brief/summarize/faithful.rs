//! Is an LLM summary faithful to its sources? Every number, and every capitalised name, in the summary must
//! occur in the source texts; every citation `[n]` must name a source.
//!
//! The rule, precisely:
//! - **Numbers**: each run of digits (with `,` `.` or thin spaces between digits, so "1,000", "1 000" and
//!   "1000" are one number) must equal a number of the sources.
//! - **Names**: each word that starts with a capital letter — except the first word of a sentence when it is a
//!   common word (wordfreq Zipf ≥ 3.5: "The", "After", "Officials") — must match a source word: both are folded
//!   (lower case, no diacritics) and transliterated to Latin letters (Cyrillic by a Ukrainian/Russian table), so
//!   a summary in another language passes with the source's own transliteration ("Зеленський" matches
//!   "Zelensky", "Kyiv" matches "Київ"); a name matches a source word that starts with the name's first five
//!   letters (the whole name when shorter), which lets inflection and derived forms through ("Ukrainian",
//!   "Istanbul's", "Зеленського").
//! - **Citations**: `[n]` with 1 ≤ n ≤ the number of sources.
//!
//! Dates are covered by both rules: a day number must be in the sources, a month or weekday name too.

use std::collections::HashSet;

use crate::text;

/// Why a summary is not faithful: what it says that no source does.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unfaithful(pub String);

/// Cyrillic to Latin, letter by letter (Ukrainian and Russian; lower case, after folding).
fn translit(c: char) -> &'static str {
    match c {
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "h",
        'ґ' => "g",
        'д' => "d",
        'е' | 'э' => "e",
        'є' => "ie",
        'ж' => "zh",
        'з' => "z",
        'и' => "y",
        'і' => "i",
        'ї' => "i",
        'й' => "i",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ь' | 'ъ' => "",
        'ы' => "y",
        'ю' => "iu",
        'я' => "ia",
        'ё' => "e",
        _ => "",
    }
}

/// A word folded and written in Latin letters, with the letter pairs that transliterations disagree on
/// (`y`/`i`, `h`/`g`, `kh`/`h`) collapsed, so "Zelensky", "Zelenskyy" and "Зеленський" compare equal.
fn latin(word: &str) -> String {
    let mut out = String::new();
    for c in text::fold(word).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if ('\u{0400}'..='\u{04FF}').contains(&c) {
            out.push_str(translit(c));
        } else if c.is_alphanumeric() {
            out.push(c);
        }
    }
    out.replace("kh", "h")
        .replace('g', "h")
        .replace('y', "i")
        .replace("ii", "i")
}

/// Whether `rest` starts with exactly three digits: what follows a space that groups thousands ("2 000").
fn thousands_group(rest: &[char]) -> bool {
    rest.len() >= 3
        && rest[..3].iter().all(char::is_ascii_digit)
        && rest.get(3).is_none_or(|c| !c.is_ascii_digit())
}

/// The numbers of a text: digit runs, with separators between digits dropped.
fn numbers(s: &str) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_digit() {
            cur.push(c);
        } else if matches!(c, ',' | '.' | '\u{202f}' | '\u{a0}' | ' ')
            && !cur.is_empty()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit())
            && (c != ' ' || thousands_group(&chars[i + 1..]))
        {
            // A separator between digits ("1,000", "3.5", "1 000").
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// The text without its citation markers.
fn without_citations(s: &str) -> (String, Vec<usize>) {
    let mut out = String::new();
    let mut cites = Vec::new();
    let mut rest = s;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find(']') {
            Some(close)
                if close > 0
                    && after[..close]
                        .chars()
                        .all(|c| c.is_ascii_digit() || c == ',' || c == ' ') =>
            {
                for n in after[..close].split([',', ' ']).filter(|n| !n.is_empty()) {
                    cites.push(n.parse().unwrap_or(0));
                }
                rest = &after[close + 1..];
            }
            _ => {
                out.push('[');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    (out, cites)
}

/// Checks `summary` against `sources` (their full texts, headlines included), `sources.len()` of them
/// numbered from 1.
pub fn check(summary: &str, sources: &[&str]) -> Result<(), Unfaithful> {
    let (plain, cites) = without_citations(summary);
    if let Some(bad) = cites.iter().find(|&&n| n == 0 || n > sources.len()) {
        return Err(Unfaithful(format!(
            "cites [{bad}], but there are {} sources",
            sources.len()
        )));
    }
    let all = sources.join("\n");
    let known_numbers: HashSet<String> = numbers(&all).into_iter().collect();
    if let Some(n) = numbers(&plain)
        .into_iter()
        .find(|n| !known_numbers.contains(n))
    {
        return Err(Unfaithful(format!("the number {n} is in no source")));
    }
    let source_words: Vec<String> = all
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(latin)
        .collect();
    let mut sentence_start = true;
    for token in plain.split_whitespace() {
        let word: String = token
            .trim_matches(|c: char| !c.is_alphanumeric())
            .split(['\'', '’'])
            .next()
            .unwrap_or_default()
            .to_owned();
        let starts = sentence_start;
        sentence_start = token.ends_with(['.', '!', '?', ':']) || token.ends_with(".\"");
        let Some(first) = word.chars().next() else {
            continue;
        };
        if !first.is_uppercase() || word.chars().count() < 2 {
            continue;
        }
        if starts && text::wordfreq::zipf(&text::fold(&word)).is_some_and(|z| z >= 3.5) {
            continue;
        }
        let name = latin(&word);
        let stem: String = name.chars().take(5).collect();
        if stem.is_empty() {
            continue;
        }
        if !source_words.iter().any(|w| w.starts_with(&stem)) {
            return Err(Unfaithful(format!("the name {word:?} is in no source")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCES: &[&str] = &[
        "Ukrainian and Russian delegations met in Istanbul on Friday. Ukraine asked for a 30-day ceasefire and an exchange of 1,000 prisoners each.",
        "President Volodymyr Zelensky said Kyiv was ready. The talks lasted 1.5 hours, officials said.",
    ];

    #[test]
    fn faithful_summaries_pass() {
        for ok in [
            "Delegations met in Istanbul on Friday [1]. Ukraine asked for a 30-day ceasefire and a swap of 1000 prisoners [1][2].",
            "The talks in Istanbul lasted 1.5 hours [2]; Zelensky said Kyiv was ready.",
            "Officials said the Ukrainian side wants a ceasefire.",
            "Делегації зустрілися. Зеленський заявив, що Київ готовий [2].",
        ] {
            assert_eq!(check(ok, SOURCES), Ok(()), "{ok}");
        }
    }

    #[test]
    fn invented_numbers_names_and_citations_fail() {
        for (bad, why) in [
            ("Ukraine asked for a 60-day ceasefire [1].", "the number 60"),
            ("The talks were held in Geneva [1].", "\"Geneva\""),
            ("Delegations met on Friday [3].", "cites [3]"),
            ("Erdogan hosted the talks.", "\"Erdogan\""),
            ("They met on Saturday.", "\"Saturday\""),
            // A translated name, not a transliteration of the source's: the rule refuses it.
            ("Делегації зустрілися в Стамбулі.", "\"Стамбулі\""),
            ("The exchange covers 1,200 prisoners.", "the number 1200"),
        ] {
            let err = check(bad, SOURCES).unwrap_err();
            assert!(err.0.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn numbers_keep_their_separators_out() {
        assert_eq!(
            numbers("1,000 and 3.5 and 2 000 and 7, 8"),
            ["1000", "35", "2000", "7", "8"]
        );
        assert_eq!(without_citations("a [1] b [2, 3] c [x]").1, [1, 2, 3]);
    }
}
