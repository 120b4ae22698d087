//! Is an LLM summary faithful to its sources? Every number, and every capitalised name, in the summary must
//! occur in the source texts; every citation `[n]` must name a source.
//!
//! What counts as source is everything herald showed the model: each report's outlet name, its date as herald
//! printed it, its headline and its text. So "As Metro Daily reported on 2 December, …" passes when Metro Daily
//! was a source's label.
//!
//! The rule, precisely:
//! - **Numbers**: each number of the summary must have a value some number of the sources has. Values, not
//!   spellings: digit runs with `,` `.` or thin spaces between digits ("1,000", "1 000" and "1000" are one
//!   number; "1.5" is one and a half; "1.000" is read both ways), English number words ("three",
//!   "twenty-five", "a dozen"), and either times a scale word after it ("1.5 million" is 1,500,000; "3 млн",
//!   "two hundred"). "3" matches "three", "1.5 million" matches "1,500,000", and "20%" matches "20 per cent"
//!   (the number is what is compared, not its unit).
//! - **Names**: each word that starts with a capital letter — except the first word of a sentence when it is a
//!   common word (wordfreq Zipf ≥ 3.5: "The", "After", "Officials") — must match a source word: both are folded
//!   (lower case, no diacritics) and transliterated to Latin letters (Cyrillic by a Ukrainian/Russian table), so
//!   a summary in another language passes with the source's own transliteration ("Зеленський" matches
//!   "Zelensky", "Kyiv" matches "Київ"); a name matches a source word that starts with the name's first five
//!   letters (the whole name when shorter), which lets inflection and derived forms through ("Ukrainian",
//!   "Istanbul's", "Зеленського").
//!   This is also the transliteration rule for a summary in another language than its sources (a `uk`
//!   summary of English reports writes "Зеленський" for "Zelenskyy": both read "zelenski"); a translated name
//!   that is not a transliteration ("Стамбул" for "Istanbul") is refused.
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

/// Scale words after a number ("1.5 million", "3 млн"), English, Ukrainian and Russian, by their first letters.
fn scale(word: &str) -> Option<f64> {
    let w = text::fold(word);
    let w = w.trim_end_matches('.');
    Some(match w {
        "thousand" | "thousands" | "k" | "тис" | "тисяч" | "тисячі" | "тисяча" | "тыс"
        | "тысяч" | "тысячи" | "тысяча" => 1e3,
        "million" | "millions" | "mln" | "m" | "млн" => 1e6,
        "billion" | "billions" | "bn" | "b" | "млрд" => 1e9,
        "trillion" | "trillions" | "tn" | "трлн" => 1e12,
        _ if w.starts_with("мільйон") || w.starts_with("миллион") => 1e6,
        _ if w.starts_with("мільярд") || w.starts_with("миллиард") => 1e9,
        _ if w.starts_with("трильйон") || w.starts_with("триллион") => 1e12,
        _ => return None,
    })
}

/// An English number word's value: "three" 3, "twenty" 20, "hundred" is a multiplier (None here).
fn number_word(word: &str) -> Option<f64> {
    const UNITS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    let w = word.to_lowercase();
    if let Some(n) = UNITS.iter().position(|u| *u == w) {
        return Some(n as f64);
    }
    if let Some(n) = TENS.iter().position(|t| *t == w) {
        return Some(20.0 + 10.0 * n as f64);
    }
    if let Some((tens, unit)) = w.split_once('-') {
        let t = TENS.iter().position(|t| *t == tens)?;
        let u = UNITS[1..10].iter().position(|u| *u == unit)?;
        return Some(20.0 + 10.0 * t as f64 + 1.0 + u as f64);
    }
    match w.as_str() {
        "dozen" => Some(12.0),
        _ => None,
    }
}

/// A value as compared: whole numbers without a fraction, others to six places without trailing zeros.
fn canonical(v: f64) -> String {
    let s = format!("{:.6}", v);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_owned()
}

/// The readings of a digit run with its separators ("1,000" is 1000; "1.5" is 1.5; "1.000" may be either, so
/// both): every value the run may stand for.
fn readings(run: &str) -> Vec<f64> {
    let parts: Vec<&str> = run.split([',', '.', '\u{202f}', '\u{a0}', ' ']).collect();
    let digits: String = parts.concat();
    let mut out = Vec::new();
    if let Ok(v) = digits.parse::<f64>() {
        // Every separator groups thousands: "1,000", "2 000", "1.000.000".
        if parts[1..].iter().all(|p| p.len() == 3) {
            out.push(v);
        }
    }
    // The last separator is a decimal point or comma: "1.5", "3,25", "1,000.5" — but a comma before three
    // digits groups thousands ("1,000"), and a space is never a decimal sign.
    let last_sep = run.chars().rev().find(|c| !c.is_ascii_digit());
    let decimal = match last_sep {
        Some('.') => true,
        Some(',') => parts.last().is_some_and(|p| p.len() != 3),
        _ => false,
    };
    if parts.len() >= 2 && decimal {
        let (whole, frac) = parts.split_at(parts.len() - 1);
        if whole[1..].iter().all(|p| p.len() == 3) {
            if let Ok(v) = format!("{}.{}", whole.concat(), frac[0]).parse::<f64>() {
                out.push(v);
            }
        }
    }
    if out.is_empty() {
        // Odd grouping ("12,34,567"): the digits as one number, as before.
        out.extend(digits.parse::<f64>());
    }
    out
}

/// Every number a text states, as canonical values: digit runs in each of their readings, number words
/// ("three", "twenty-five"), each times a scale word that follows ("1.5 million", "3 млн", "two hundred").
/// A number may stand for several values ("1.000"); each reading is in the set.
fn number_values(s: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = s.chars().collect();
    let mut found: Vec<(Vec<f64>, usize)> = Vec::new(); // readings, and the char index after the number
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_ascii_digit() {
            let start = i;
            let mut j = i;
            while j < chars.len() {
                let c = chars[j];
                // A digit, or a separator between digits ("1,000", "3.5", "2 000").
                let separator = matches!(c, ',' | '.' | '\u{202f}' | '\u{a0}' | ' ')
                    && chars.get(j + 1).is_some_and(|n| n.is_ascii_digit())
                    && (c != ' ' || thousands_group(&chars[j + 1..]));
                if !(c.is_ascii_digit() || separator) {
                    break;
                }
                j += 1;
            }
            let run: String = chars[start..j].iter().collect();
            found.push((readings(&run), j));
            i = j;
        } else if chars[i].is_alphabetic() && (i == 0 || !chars[i - 1].is_alphanumeric()) {
            let start = i;
            let mut j = i;
            while j < chars.len() && (chars[j].is_alphabetic() || chars[j] == '-') {
                j += 1;
            }
            let word: String = chars[start..j].iter().collect();
            if let Some(v) = number_word(word.trim_end_matches('-')) {
                found.push((vec![v], j));
            } else if matches!(word.to_lowercase().as_str(), "a" | "an") {
                // "a thousand", "a million": the scale word alone is the number.
                let next: String = chars[j..]
                    .iter()
                    .skip_while(|c| c.is_whitespace())
                    .take_while(|c| c.is_alphabetic())
                    .collect();
                let value = if next.eq_ignore_ascii_case("hundred") {
                    Some(100.0)
                } else {
                    scale(&next).filter(|_| next.len() > 2)
                };
                if let Some(v) = value {
                    found.push((vec![v], j));
                }
            }
            i = j;
        } else {
            i += 1;
        }
    }
    found
        .into_iter()
        .map(|(values, end)| {
            // A scale word right after ("1.5 million", "two hundred", "3 млн.").
            let rest: String = chars[end..].iter().take(24).collect();
            let next = rest
                .trim_start()
                .split(|c: char| !c.is_alphabetic() && c != '.')
                .next()
                .unwrap_or_default();
            let factor = if next.eq_ignore_ascii_case("hundred") {
                Some(100.0)
            } else {
                scale(next)
            };
            let mut out: Vec<String> = values.iter().map(|v| canonical(*v)).collect();
            if let Some(f) = factor {
                out.extend(values.iter().map(|v| canonical(v * f)));
            }
            out
        })
        .collect()
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
    let known_numbers: HashSet<String> = number_values(&all).into_iter().flatten().collect();
    if let Some(n) = number_values(&plain)
        .into_iter()
        .find(|readings| !readings.iter().any(|r| known_numbers.contains(r)))
    {
        return Err(Unfaithful(format!(
            "the number {} is in no source",
            n.first().map_or("?", String::as_str)
        )));
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

    /// A model that names its outlets and dates, and writes numbers in other forms, passes; an invented
    /// number still fails.
    #[test]
    fn outlets_dates_and_numbers_in_their_common_forms_pass() {
        let sources: &[&str] = &[
            "Metro Daily, 2 December 2026\nMinisters meet\nThree ministers met. Aid of 1,500,000 dollars was \
             pledged, and turnout rose by 20 per cent.",
            "The Morning Ledger, 2 December 2026\nAid pledged\nPresident Volodymyr Zelenskyy thanked them.",
        ];
        for ok in [
            "3 ministers met [1].",
            "Aid of 1.5 million dollars was pledged [1].",
            "Turnout rose 20% [1].",
            "As Metro Daily reported on 2 December, three ministers met [1].",
            "The Morning Ledger wrote that Zelenskyy thanked them [2].",
            "Зеленський подякував їм [2].",
        ] {
            assert_eq!(check(ok, sources), Ok(()), "{ok}");
        }
        for (bad, why) in [
            ("4 ministers met [1].", "the number 4"),
            (
                "Aid of 2.5 million dollars was pledged [1].",
                "the number 2.5",
            ),
            (
                "As the Evening Standard reported, ministers met.",
                "\"Evening\"",
            ),
            ("Ministers met on 5 December [1].", "the number 5"),
        ] {
            let err = check(bad, sources).unwrap_err();
            assert!(err.0.contains(why), "{bad}: {err}");
        }
    }

    #[test]
    fn numbers_are_read_as_values_in_their_common_forms() {
        let first = |s: &str| -> Vec<Vec<String>> { number_values(s) };
        assert_eq!(
            first("1,000 and 3.5 and 2 000 and 7, 8"),
            [
                vec!["1000"],
                vec!["3.5"],
                vec!["2000"],
                vec!["7"],
                vec!["8"]
            ]
        );
        // "1.000" may be a thousand or one: both readings.
        assert_eq!(first("1.000")[0], ["1000", "1"]);
        // Scale words multiply; the number alone stays a reading too.
        assert!(first("1.5 million")[0].contains(&"1500000".to_owned()));
        assert!(first("3 млн")[0].contains(&"3000000".to_owned()));
        assert!(first("two hundred")[0].contains(&"200".to_owned()));
        assert_eq!(first("twenty-five")[0], ["25"]);
        assert!(first("a thousand detainees")[0].contains(&"1000".to_owned()));
        assert!(first("a cat").is_empty());
        assert_eq!(without_citations("a [1] b [2, 3] c [x]").1, [1, 2, 3]);
    }
}
