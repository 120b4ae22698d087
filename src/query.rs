//! The topic query language: `words` (all must match), `"exact phrase"`, `a OR b`, `-exclude`.
//!
//! `OR` binds tighter than the implicit AND, as in web search: `ukraine OR kyiv "peace talks" -football` means
//! (ukraine or kyiv) and "peace talks" and not football. Matching folds case and diacritics and compares stems,
//! so "ceasefire" finds "ceasefires" and "Україна" finds "України".

use std::collections::HashSet;
use std::fmt;

use crate::text;

/// A query that could not be parsed: what is wrong, and where (1-based character position).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message} (at character {position})")]
pub struct QueryError {
    /// What is wrong, in words.
    pub message: String,
    /// Where, counting characters from 1.
    pub position: usize,
}

/// One thing to look for: a word (its stem) or a phrase (stems in a row).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Atom {
    Word {
        shown: String,
        stem: String,
        /// The other forms of the word as a name ([`name_forms`]): `Israeli` also finds "Israel".
        names: Vec<String>,
    },
    Phrase {
        shown: String,
        stems: Vec<String>,
    },
}

/// One AND-ed clause: any of several atoms, or the absence of one.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Clause {
    Any(Vec<Atom>),
    Not(Atom),
}

/// A parsed topic query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    clauses: Vec<Clause>,
}

/// A word or phrase of a topic as a search provider is asked for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchTerm {
    /// One word (letters and digits).
    Word(String),
    /// Words in a row, separated by single spaces.
    Phrase(String),
}

/// A topic as search providers are asked for it (see [`Query::search_terms`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchTerms {
    /// Every group must match; within a group, any term (OR).
    pub all: Vec<Vec<SearchTerm>>,
    /// No result may have these.
    pub none: Vec<SearchTerm>,
}

fn search_term(a: &Atom) -> Option<SearchTerm> {
    let shown = match a {
        Atom::Word { shown, .. } | Atom::Phrase { shown, .. } => shown,
    };
    let words: Vec<String> = shown
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    match (words.len(), a) {
        (0, _) => None,
        (1, Atom::Word { .. }) => Some(SearchTerm::Word(words[0].clone())),
        _ => Some(SearchTerm::Phrase(words.join(" "))),
    }
}

/// A text prepared for matching many queries: its stems, once.
#[derive(Debug, Clone)]
pub struct Haystack {
    title: Vec<String>,
    body: Vec<String>,
    set: HashSet<String>,
}

impl Haystack {
    /// Prepares a title and body.
    pub fn new(title: &str, body: &str) -> Self {
        let stems = |s: &str| text::words(s).map(|w| text::stem(&w)).collect::<Vec<_>>();
        let title_stems = stems(title);
        let body_stems = stems(body);
        let mut set: HashSet<String> = title_stems.iter().chain(&body_stems).cloned().collect();
        // Each word as written (folded, not stemmed), and those written in capitals once more, for names in
        // capitals: a query's `UPS` matches "UPS" and "ups" but never "up"; `IT` matches "IT", never "it".
        for s in [title, body] {
            set.extend(text::words(s).map(|w| format!("{EXACT}{w}")));
            set.extend(
                s.split(|c: char| !c.is_alphanumeric())
                    .filter(|w| is_acronym(w))
                    .map(|w| format!("{CAPITALS}{}", text::fold(w))),
            );
            // Names (words written with a capital), for a query word's other forms to find ([`name_forms`]):
            // "Israel" and "Israeli", "Malaysia" and "Malaysian", "China" and "Chinese" are one name.
            set.extend(
                s.split(|c: char| !c.is_alphanumeric())
                    .filter(|w| {
                        w.len() >= MIN_NAME && w.chars().next().is_some_and(char::is_uppercase)
                    })
                    .map(|w| format!("{NAME}{}", text::fold(w))),
            );
        }
        Self {
            title: title_stems,
            body: body_stems,
            set,
        }
    }
}

#[derive(Debug)]
enum Token {
    Word(String, usize),
    Phrase(String, usize),
    Or(usize),
    Minus(usize),
}

fn tokenize(input: &str) -> Result<Vec<Token>, QueryError> {
    let chars: Vec<char> = input.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if matches!(c, '"' | '“' | '”' | '«' | '»') {
            let start = i;
            let close: &[char] = if c == '«' {
                &['»']
            } else {
                &['"', '”', '“']
            };
            let end = chars[i + 1..]
                .iter()
                .position(|c| close.contains(c))
                .map(|p| p + i + 1);
            let Some(end) = end else {
                return Err(QueryError {
                    message: "this quote is never closed".into(),
                    position: start + 1,
                });
            };
            tokens.push(Token::Phrase(chars[i + 1..end].iter().collect(), start + 1));
            i = end + 1;
        } else if c == '-' && chars.get(i + 1).is_some_and(|n| !n.is_whitespace()) {
            tokens.push(Token::Minus(i + 1));
            i += 1;
        } else {
            let start = i;
            while i < chars.len()
                && !chars[i].is_whitespace()
                && !matches!(chars[i], '"' | '“' | '”' | '«' | '»')
            {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            if word == "OR" || word == "|" {
                tokens.push(Token::Or(start + 1));
            } else {
                tokens.push(Token::Word(word, start + 1));
            }
        }
    }
    Ok(tokens)
}

/// Topics of this many required words or more may miss one in a text their search provider vouched for
/// ([`Query::score_vouched`]).
const VOUCHED_MIN_WORDS: usize = 3;

/// Marks a word the text writes with a capital (a name), as [`Haystack`] lists it for [`name_forms`].
const NAME: &str = "@";
/// Endings that make a name's demonym or plural from the name itself: Israel → Israeli(s), Malaysia →
/// Malaysian(s), Brazil → Brazilian, Japan → Japanese, Kurd → Kurdish, Kurds.
const NAME_TAILS: [&str; 11] = [
    "i", "is", "n", "ns", "an", "ans", "ian", "ians", "ese", "ish", "s",
];
/// Endings that make a demonym from a name's root without its last vowel: Canada → Canadian, China →
/// Chinese, Mexico → Mexican.
const ROOT_TAILS: [&str; 6] = ["ian", "ians", "an", "ans", "ese", "ish"];
/// A name shorter than this once its ending is off is not taken for a name's form ("Ira" is not "Iran").
const MIN_NAME: usize = 4;

/// What a name (a folded word) shares with its other forms: its bases (the word itself, and the word less a
/// demonym or plural ending of [`NAME_TAILS`]) and its roots (the word less its last vowel, or less an ending of
/// [`ROOT_TAILS`]). A query word and a name in the text are one name when they share a base or a root:
/// `Israeli` and "Israel" share the base "israel", `China` and "Chinese" the root "chin", "India" and
/// "Indiana" nothing. Both empty for a word with anything but letters.
struct NameKeys<'a> {
    bases: Vec<&'a str>,
    roots: Vec<&'a str>,
}

fn name_keys(word: &str) -> NameKeys<'_> {
    let mut keys = NameKeys {
        bases: Vec::new(),
        roots: Vec::new(),
    };
    if word.chars().count() < MIN_NAME || !word.chars().all(char::is_alphabetic) {
        return keys;
    }
    let long = |base: &&str, min: usize| base.chars().count() >= min;
    keys.bases.push(word);
    keys.bases.extend(
        NAME_TAILS
            .iter()
            .filter_map(|t| word.strip_suffix(t))
            .filter(|b| long(b, MIN_NAME)),
    );
    keys.roots.extend(
        word.strip_suffix(['a', 'e', 'o', 'y'])
            .into_iter()
            .chain(ROOT_TAILS.iter().filter_map(|t| word.strip_suffix(t)))
            .filter(|r| long(r, MIN_NAME - 1)),
    );
    keys
}

/// Marks a query word matched as written, not by its stem (an acronym).
const EXACT: &str = "=";
/// Marks a query word matched only where the text writes it in capitals too (an acronym that is also a
/// very common word: `IT`, `US`, `WHO`).
const CAPITALS: &str = "^";

/// Whether a query word is written in capitals — `UPS`, `NATO`, `EU`, `IT`, `ЄС` — and so a name to match as
/// written: stemming would make `UPS` "up" and `IT` the pronoun.
fn is_acronym(word: &str) -> bool {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    letters >= 2
        && word.chars().all(|c| c.is_alphanumeric())
        && word
            .chars()
            .filter(|c| c.is_alphabetic())
            .all(char::is_uppercase)
}

fn atom(token: &Token) -> Result<Atom, QueryError> {
    match token {
        Token::Word(w, _) if is_acronym(w) => {
            let folded = text::fold(w);
            let common = text::wordfreq::zipf(&folded).is_some_and(|z| z >= 5.0);
            Ok(Atom::Word {
                shown: w.clone(),
                stem: format!("{}{folded}", if common { CAPITALS } else { EXACT }),
                names: Vec::new(),
            })
        }
        Token::Word(w, pos) => {
            let mut stems = text::words(w).map(|w| text::stem(&w));
            let first = stems.next();
            match (first, stems.next()) {
                (Some(stem), None) => Ok(Atom::Word {
                    shown: w.clone(),
                    stem,
                    names: name_forms(&text::fold(w)),
                }),
                // "peace-talks" or "U.S." read as the phrase of their parts.
                (Some(a), Some(b)) => {
                    let stems = [a, b].into_iter().chain(stems).collect();
                    Ok(Atom::Phrase {
                        shown: w.clone(),
                        stems,
                    })
                }
                _ => Err(QueryError {
                    message: format!("{w:?} has no letters or digits to match"),
                    position: *pos,
                }),
            }
        }
        Token::Phrase(p, pos) => {
            let stems: Vec<String> = text::words(p).map(|w| text::stem(&w)).collect();
            if stems.is_empty() {
                return Err(QueryError {
                    message: "this phrase is empty".into(),
                    position: *pos,
                });
            }
            Ok(Atom::Phrase {
                shown: p.trim().to_owned(),
                stems,
            })
        }
        Token::Or(pos) => Err(QueryError {
            message: "OR needs a word on each side".into(),
            position: *pos,
        }),
        Token::Minus(pos) => Err(QueryError {
            message: "- must come right before a word or phrase".into(),
            position: *pos,
        }),
    }
}

impl Query {
    /// Parses a topic. Errors say what is wrong and at which character.
    pub fn parse(input: &str) -> Result<Self, QueryError> {
        if let Some(at) = input
            .chars()
            .position(|c| c.is_control() && c != '\t' && c != '\n')
        {
            return Err(QueryError {
                message: "a topic cannot contain control characters".into(),
                position: at + 1,
            });
        }
        let tokens = tokenize(input)?;
        if tokens.is_empty() {
            return Err(QueryError {
                message: "the topic is empty: give at least one word".into(),
                position: 1,
            });
        }
        let mut clauses = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            match &tokens[i] {
                Token::Minus(pos) => {
                    let Some(next) = tokens.get(i + 1) else {
                        return Err(QueryError {
                            message: "- must come right before a word or phrase".into(),
                            position: *pos,
                        });
                    };
                    clauses.push(Clause::Not(atom(next)?));
                    if let Some(Token::Or(p)) = tokens.get(i + 2) {
                        return Err(QueryError {
                            message: "an excluded word cannot be part of an OR".into(),
                            position: *p,
                        });
                    }
                    i += 2;
                }
                Token::Or(pos) => {
                    return Err(QueryError {
                        message: "OR needs a word on each side".into(),
                        position: *pos,
                    });
                }
                first => {
                    let mut any = vec![atom(first)?];
                    i += 1;
                    while let Some(Token::Or(pos)) = tokens.get(i) {
                        match tokens.get(i + 1) {
                            Some(t @ (Token::Word(..) | Token::Phrase(..))) => any.push(atom(t)?),
                            _ => {
                                return Err(QueryError {
                                    message: "OR needs a word on each side".into(),
                                    position: *pos,
                                });
                            }
                        }
                        i += 2;
                    }
                    clauses.push(Clause::Any(any));
                }
            }
        }
        if !clauses.iter().any(|c| matches!(c, Clause::Any(_))) {
            return Err(QueryError {
                message: "a topic needs at least one word to look for, not only exclusions".into(),
                position: 1,
            });
        }
        Ok(Self { clauses })
    }

    /// The query as a search provider is asked for it: each AND-ed clause's alternatives, and the exclusions,
    /// as plain lower-case words and phrases (only letters and digits, so no provider syntax slips through,
    /// and topics that differ only in case ask the same search).
    pub fn search_terms(&self) -> SearchTerms {
        let mut terms = SearchTerms::default();
        for clause in &self.clauses {
            match clause {
                Clause::Any(atoms) => {
                    let any: Vec<SearchTerm> = atoms.iter().filter_map(search_term).collect();
                    if !any.is_empty() {
                        terms.all.push(any);
                    }
                }
                Clause::Not(a) => terms.none.extend(search_term(a)),
            }
        }
        terms
    }

    /// A canonical form for spotting duplicates: how the query parsed, lower-cased.
    pub fn normalized(&self) -> String {
        text::fold(&self.to_string())
    }

    /// The stems of the words a text must (or may) hold to match, as [`text::stem`] makes them: what every
    /// report this query matched shares by construction.
    pub fn stems(&self) -> Vec<String> {
        let mut out = Vec::new();
        for clause in &self.clauses {
            if let Clause::Any(atoms) = clause {
                for a in atoms {
                    match a {
                        Atom::Word { shown, .. } | Atom::Phrase { shown, .. } => {
                            out.extend(text::words(shown).map(|w| text::stem(&w)));
                        }
                    }
                }
            }
        }
        out
    }

    /// An FTS5 expression that finds every item this query can match (and some it does not): each word as a
    /// prefix of its stem, phrases as their words, exclusions left to [`Query::score`]. Built only from
    /// letters and digits, so user input cannot inject FTS syntax.
    pub fn fts_prefilter(&self) -> String {
        let clauses: Vec<String> = self
            .clauses
            .iter()
            .filter_map(|c| match c {
                Clause::Any(atoms) => {
                    let alts: Vec<String> = atoms.iter().map(fts_atom).collect();
                    Some(format!("({})", alts.join(" OR ")))
                }
                Clause::Not(_) => None,
            })
            .collect();
        clauses.join(" AND ")
    }

    /// Whether the text matches.
    pub fn matches(&self, hay: &Haystack) -> bool {
        self.score(hay).is_some()
    }

    /// `None` when the text does not match; otherwise how strongly: matched atoms count double in the title.
    pub fn score(&self, hay: &Haystack) -> Option<f64> {
        self.score_missing(hay, 0)
    }

    /// [`Query::score`] for a text a search provider returned for this topic, having matched it against the
    /// whole article with its own word forms: of a topic of [`VOUCHED_MIN_WORDS`] required words or more, one
    /// may be missing here ("Portuguese" in the topic, "Portugal" in the article). Exclusions still hold, and
    /// a shorter topic must match in full.
    pub fn score_vouched(&self, hay: &Haystack) -> Option<f64> {
        let required = self
            .clauses
            .iter()
            .filter(|c| matches!(c, Clause::Any(_)))
            .count();
        self.score_missing(hay, usize::from(required >= VOUCHED_MIN_WORDS))
    }

    /// The score when at most `misses` required clauses may be missing.
    fn score_missing(&self, hay: &Haystack, misses: usize) -> Option<f64> {
        let mut missed = 0;
        let mut score = 0.0;
        for clause in &self.clauses {
            match clause {
                Clause::Not(a) => {
                    if atom_in(a, hay) {
                        return None;
                    }
                }
                Clause::Any(atoms) => {
                    let mut hit = false;
                    for a in atoms {
                        if atom_in(a, hay) {
                            hit = true;
                            score += 1.0 + if atom_in_seq(a, &hay.title) { 1.0 } else { 0.0 };
                        }
                    }
                    if !hit {
                        missed += 1;
                        if missed > misses {
                            return None;
                        }
                    }
                }
            }
        }
        Some(score)
    }
}

/// A word as an FTS prefix: the part its folded form shares with its stem ("happy"/"happi" → "happ"*).
fn fts_prefix(word: &str) -> String {
    format!("\"{}\"*", prefix_of(word))
}

/// The part of a folded word its stem keeps (the word itself when they share nothing).
fn prefix_of(word: &str) -> String {
    let stem = text::stem(word);
    let common: String = word
        .chars()
        .zip(stem.chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a)
        .collect();
    if common.is_empty() {
        word.to_owned()
    } else {
        common
    }
}

fn fts_atom(a: &Atom) -> String {
    let shown = match a {
        // A name written with a capital is looked for under its shortest form too, so `Israeli` finds
        // "Israel" (every name key is a prefix of the word).
        Atom::Word { shown, .. } if shown.chars().next().is_some_and(char::is_uppercase) => {
            let folded = text::fold(shown);
            let mut prefix = prefix_of(&folded);
            if let Some(base) = name_keys(&folded).bases.into_iter().min_by_key(|b| b.len()) {
                if base.len() < prefix.len() {
                    prefix = base.to_owned();
                }
            }
            return format!("(\"{prefix}\"*)");
        }
        Atom::Word { shown, .. } | Atom::Phrase { shown, .. } => shown,
    };
    let words: Vec<String> = text::words(shown).map(|w| fts_prefix(&w)).collect();
    format!("({})", words.join(" AND "))
}

/// The words a name in the text may be for `word` to meet it: every name sharing a base or a root with it
/// ([`name_keys`]), each marked as [`Haystack`] marks a name. Made once per query word, so a text only lists
/// its names as written.
fn name_forms(word: &str) -> Vec<String> {
    let keys = name_keys(word);
    let mut forms: Vec<String> = Vec::new();
    for base in keys.bases {
        forms.push(base.to_owned());
        forms.extend(NAME_TAILS.iter().map(|t| format!("{base}{t}")));
    }
    for root in keys.roots {
        forms.extend(["a", "e", "o", "y"].iter().map(|v| format!("{root}{v}")));
        forms.extend(ROOT_TAILS.iter().map(|t| format!("{root}{t}")));
    }
    forms.sort();
    forms.dedup();
    forms.into_iter().map(|f| format!("{NAME}{f}")).collect()
}

fn atom_in(a: &Atom, hay: &Haystack) -> bool {
    match a {
        Atom::Word { stem, names, .. } => {
            hay.set.contains(stem) || names.iter().any(|k| hay.set.contains(k))
        }
        Atom::Phrase { .. } => atom_in_seq(a, &hay.title) || atom_in_seq(a, &hay.body),
    }
}

fn atom_in_seq(a: &Atom, seq: &[String]) -> bool {
    match a {
        // A word as written is in a sequence of stems as its stem (used for ranking, after it matched).
        Atom::Word { stem, .. } if stem.starts_with(EXACT) || stem.starts_with(CAPITALS) => {
            seq.contains(&text::stem(&stem[1..]))
        }
        Atom::Word { stem, .. } => seq.contains(stem),
        Atom::Phrase { stems, .. } => seq.windows(stems.len()).any(|w| w == stems.as_slice()),
    }
}

impl fmt::Display for Atom {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Atom::Word { shown, .. } => write!(f, "{shown}"),
            Atom::Phrase { shown, .. } => write!(f, "\"{shown}\""),
        }
    }
}

impl fmt::Display for Query {
    /// How the query parsed: `(a OR b) AND "c d" AND NOT e`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (n, clause) in self.clauses.iter().enumerate() {
            if n > 0 {
                write!(f, " AND ")?;
            }
            match clause {
                Clause::Not(a) => write!(f, "NOT {a}")?,
                Clause::Any(atoms) if atoms.len() == 1 => write!(f, "{}", atoms[0])?,
                Clause::Any(atoms) => {
                    let parts: Vec<String> = atoms.iter().map(ToString::to_string).collect();
                    write!(f, "({})", parts.join(" OR "))?;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(q: &str, title: &str, body: &str) -> bool {
        Query::parse(q)
            .unwrap()
            .matches(&Haystack::new(title, body))
    }

    #[test]
    fn control_characters_are_refused_where_they_stand() {
        let e = Query::parse("peace\0talks").unwrap_err();
        assert_eq!(e.position, 6);
        assert!(e.message.contains("control characters"));
        assert!(Query::parse("peace\u{1b}[31m").is_err());
        assert!(Query::parse("peace talks").is_ok());
    }

    /// A name meets its demonym and plural ("Israel", "Israeli", "Israelis"; "China", "Chinese"; "Malaysia",
    /// "Malaysian") where the text writes it as a name, and not a different name that merely starts alike.
    #[test]
    fn names_meet_their_other_forms() {
        let body = "Israel closed the airport to Palestinian planes on Friday.";
        assert!(m("Palestinian planes airport Israeli", "", body));
        assert!(m("Israel", "", "Israeli jets and Israelis at home"));
        assert!(
            m("israeli", "", "Israel said"),
            "a topic typed in lower case"
        );
        assert!(m("China", "", "Chinese officials said"));
        assert!(m("Chinese", "", "China said"));
        assert!(m("Malaysia", "", "Malaysian police"));
        assert!(m("Canadian", "", "Canada votes"));
        assert!(m("Kurds", "", "Kurdish fighters"));
        for (q, text) in [
            ("India", "Indiana voters"),
            ("Niger", "Nigeria's election"),
            ("Austria", "Australia's cabinet"),
            ("Iran", "Ira Glass"),
            ("China", "chinese food"),
        ] {
            assert!(!m(q, "", text), "{q} / {text}");
        }
        // The full-text prefilter looks for a capitalised name under its shortest form.
        assert_eq!(
            Query::parse("Malaysian").unwrap().fts_prefilter(),
            r#"(("malays"*))"#
        );
    }

    /// A search result its provider matched against the whole article may miss one word form of a topic of
    /// three words or more; exclusions hold, and a shorter topic matches in full or not at all.
    #[test]
    fn a_provider_vouched_result_may_miss_one_word_of_a_long_topic() {
        let hay = Haystack::new(
            "Protesters urge inquiry",
            "East Timor protesters named Indonesian officers; Portugal asked the UN to act.",
        );
        let long = Query::parse("Timor Indonesian Portuguese East").unwrap();
        assert_eq!(long.score(&hay), None);
        assert!(long.score_vouched(&hay).is_some());
        let two_missing = Query::parse("Timor Indonesian Portuguese Jakarta").unwrap();
        assert_eq!(two_missing.score_vouched(&hay), None);
        let excluded = Query::parse("Timor Indonesian Portuguese -Portugal").unwrap();
        assert_eq!(excluded.score_vouched(&hay), None);
        let short = Query::parse("Timor Jakarta").unwrap();
        assert_eq!(short.score_vouched(&hay), None);
    }

    #[test]
    fn words_phrases_or_and_exclusions() {
        assert!(m("peace talks", "Talks on peace resume", ""));
        assert!(!m("peace talks", "Talks resume", ""));
        assert!(m("\"peace talks\"", "", "The peace talks in Istanbul"));
        assert!(!m("\"peace talks\"", "", "talks about peace"));
        assert!(m("UPS OR proxmox", "My Proxmox cluster", ""));
        assert!(m("UPS OR proxmox", "", "the ups died"));
        assert!(!m("UPS OR proxmox", "Upset about it", ""));
        // A word in capitals is a name: never stemmed (UPS is not "up"); one that is also a very common word
        // (IT, US) matches only where the text writes it in capitals too.
        assert!(!m("UPS", "Cleaned up the Lack Rack", ""));
        assert!(m("UPS", "New UPS for the rack", ""));
        assert!(m("NATO", "", "NATO's summit opens"));
        assert!(!m("NATO", "", "nation states"));
        assert!(m("EU sanctions", "EU agrees new sanctions", ""));
        assert!(m("IT budget", "IT budget cut", ""));
        assert!(!m("IT budget", "It is the budget", ""));
        assert!(m("ЄС", "ЄС ухвалив санкції", ""));
        assert!(!m("ukraine -football", "Ukraine football final", ""));
        assert!(m("ukraine -football", "Ukraine talks", ""));
        assert!(m("kyiv OR kiev ceasefire", "Kiev calls for ceasefire", ""));
    }

    #[test]
    fn folds_case_diacritics_and_inflection() {
        assert!(m("ceasefire", "Two ceasefires collapsed", ""));
        assert!(m("Україна", "", "Делегація України прибула"));
        assert!(m("україна", "", "УКРАЇНА"));
        assert!(m(
            "Украина переговоры",
            "",
            "Украины и России начали переговоров"
        ));
        assert!(m("zurich cafe", "Café in Zürich", ""));
        assert!(m("\"мирні переговори\"", "", "Мирні переговори тривають"));
    }

    #[test]
    fn shows_how_it_parsed() {
        let q = Query::parse("ukraine OR kyiv \"peace talks\" -football").unwrap();
        assert_eq!(
            q.to_string(),
            "(ukraine OR kyiv) AND \"peace talks\" AND NOT football"
        );
        assert_eq!(
            Query::parse("Rust  compiler").unwrap().normalized(),
            Query::parse("rust compiler").unwrap().normalized()
        );
    }

    #[test]
    fn errors_say_what_and_where() {
        let e = |q: &str| Query::parse(q).unwrap_err();
        assert_eq!(e("peace \"talks").position, 7);
        assert!(e("peace \"talks").message.contains("never closed"));
        assert_eq!(e("OR peace").position, 1);
        assert_eq!(e("peace OR").position, 7);
        assert!(e("").message.contains("empty"));
        assert!(e("-football").message.contains("only exclusions"));
        assert_eq!(e("-war OR peace").position, 6);
        assert_eq!(e("a \"\"").message, "this phrase is empty");
        assert!(e("!!!").message.contains("no letters"));
    }

    #[test]
    fn search_terms_keep_groups_phrases_and_exclusions_without_syntax() {
        let q = Query::parse(r#"ukraine OR kyiv "peace talks" -football U.S. (war"#).unwrap();
        let t = q.search_terms();
        use SearchTerm::*;
        assert_eq!(
            t.all,
            [
                vec![Word("ukraine".into()), Word("kyiv".into())],
                vec![Phrase("peace talks".into())],
                vec![Phrase("u s".into())],
                vec![Word("war".into())],
            ]
        );
        assert_eq!(t.none, [Word("football".into())]);
    }

    #[test]
    fn fts_prefilter_is_prefixes_only() {
        let q = Query::parse("ceasefire OR truce \"peace talks\" -football").unwrap();
        assert_eq!(
            q.fts_prefilter(),
            r#"(("ceasefir"*) OR ("truce"*)) AND (("peac"* AND "talk"*))"#
        );
        let q = Query::parse("happy \"; DROP\"").unwrap();
        assert_eq!(q.fts_prefilter(), r#"(("happ"*)) AND (("drop"*))"#);
    }

    #[test]
    fn score_prefers_title_hits() {
        let q = Query::parse("ceasefire").unwrap();
        let title = q.score(&Haystack::new("Ceasefire agreed", "")).unwrap();
        let body = q.score(&Haystack::new("News", "a ceasefire")).unwrap();
        assert!(title > body);
    }
}
