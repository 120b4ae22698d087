//! Extractive summarising: choose the sentences that together cover the most of what the text is about.
//!
//! Each sentence is reduced to its set of content-word stems. A stem's weight is how much the text talks about
//! it (how many documents of the cluster use it, and how often) times how unusual the word is in general text
//! ([`text::wordfreq`]): "ceasefire" said twice outweighs "critical" said twice, as in tf-idf with a
//! background corpus. Sentences are then chosen greedily, each time the one whose *not yet covered* stems weigh
//! most, scaled by a lead prior (news puts the gist first) and by its length. Covering a stem once is all that
//! counts, so a second sentence saying the same thing gains nothing: redundancy control comes for free (this
//! is the budgeted-coverage objective of Lin and Bilmes, 2011, solved greedily).
//!
//! A cluster adds two things. Pairs of neighbouring content stems ("space station", "Kofi Annan") count as
//! concepts of their own, weighed like stems (Gillick and Favre's bigram concepts, 2009): several outlets
//! using the same phrase marks a fact more surely than their using the same words apart. And a stem already
//! covered still earns a fraction of its weight when said again, shrinking each time (a concave rather than an
//! all-or-nothing coverage, as Lin and Bilmes propose), so the story's central names and terms may recur
//! while the summary still moves on to new facts; a sentence that says nothing new (another outlet's copy of
//! the same wire story) is never chosen. A single document keeps plain stem coverage, which chose
//! better there (see README.md).
//!
//! Two habits of written news shape the choice further. In text with paragraphs, a paragraph's first sentence
//! states its point and the rest support it (Baxendale, 1958), so later sentences of a paragraph count less.
//! And a sentence that opens by pointing back ("He…", "These talks…") reads as a dangling reference out of
//! context, so it counts less too. The chosen sentences are returned in article order.

use rustc_hash::FxHashMap;

use super::Budget;
use crate::text;

/// Tuning of the extractive summariser. The defaults were chosen on development data; see README.md.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// Strength of the lead prior in a cluster: a sentence at position `p` (0-based, within its document) is
    /// weighted `1 / (1 + p)^lead`.
    pub lead: f64,
    /// For word budgets, gain is divided by `words^length_exp`.
    pub length_exp: f64,
    /// In a cluster, a pair of neighbouring content stems weighs this much of a stem used as widely; 0 turns
    /// the pairs off.
    pub bigram_weight: f64,
    /// In a cluster, a concept covered `k` times already earns `repeat_gain^k` of its weight again; 0 makes
    /// coverage all-or-nothing.
    pub repeat_gain: f64,
    /// Sentences shorter than this many words are not chosen.
    pub min_words: usize,
    /// Sentences longer than this many words are not chosen.
    pub max_words: usize,
    /// The same for a single document, where the lead is all the more the gist.
    pub lead_single: f64,
    /// For sentence budgets, gain is divided by `words^sent_len_exp`.
    pub sent_len_exp: f64,
    /// A stem's weight is multiplied by `rarity^rarity_exp` for a single document, where rarity is
    /// `7 - zipf` of its rarest word form (a word the tables do not know counts as zipf 0).
    pub rarity_exp: f64,
    /// The same for a cluster, where agreement between documents already marks what matters.
    pub rarity_exp_cluster: f64,
    /// Factor for a sentence that is not the first of its paragraph (in text with more than one paragraph).
    pub later_in_paragraph: f64,
    /// Factor for a sentence that opens with a pronoun or a demonstrative pointing back.
    pub points_back: f64,
}

impl Default for Params {
    fn default() -> Self {
        Self {
            lead: 0.6,
            lead_single: 0.8,
            length_exp: 0.5,
            sent_len_exp: 0.5,
            rarity_exp: 2.0,
            rarity_exp_cluster: 0.5,
            later_in_paragraph: 0.5,
            points_back: 0.5,
            bigram_weight: 0.6,
            repeat_gain: 0.3,
            min_words: 8,
            max_words: 60,
        }
    }
}

struct Sentence<'a> {
    doc: usize,
    pos: usize,
    /// The paragraph factor.
    factor: f64,
    /// Opens by pointing back (see [`points_back`]).
    points_back: bool,
    text: &'a str,
    words: usize,
    terms: Vec<u32>,
}

/// Summarises one document (`docs.len() == 1`) or a cluster of documents about one event.
///
/// Returns whole sentences from the input, in order (document order, then position), within `budget`.
pub fn summarize(docs: &[&str], budget: Budget) -> Vec<String> {
    summarize_with(docs, budget, Params::default())
}

/// [`summarize`] with explicit parameters.
pub fn summarize_with(docs: &[&str], budget: Budget, params: Params) -> Vec<String> {
    summarize_beyond(docs, &[], budget, params)
}

/// A summary of what `docs` add to what the reader knows (`known`: texts told before, such as yesterday's
/// reports of the story and the summary it was given): an update. A sentence that restates a known one (most
/// of its content words are in one known sentence) is never chosen, unless it carries a number or a name the
/// reader was not told ("at least 60 dead" after "at least 50 dead"); the concepts of the known text count as
/// covered already, so a sentence with new facts outranks one with old facts in new words. Empty when the
/// documents say nothing new.
pub fn summarize_update(docs: &[&str], known: &[&str], budget: Budget) -> Vec<String> {
    summarize_beyond(docs, known, budget, Params::default())
}

/// The share of a sentence's content stems found in one known sentence at which it restates that sentence.
const RESTATES: f64 = 0.75;

/// The summariser: `known` texts (possibly none) count as covered already; see [`summarize_update`].
fn summarize_beyond(docs: &[&str], known: &[&str], budget: Budget, params: Params) -> Vec<String> {
    // A sentence's position counts paragraphs before it plus sentences before it in its paragraph: in text
    // without paragraph breaks that is the sentence index; in paragraphed text each paragraph's opening
    // sentence (its topic sentence) ranks by its paragraph, and the others take the paragraph factor.
    let split: Vec<Vec<(usize, f64, String)>> = docs
        .iter()
        .map(|d| {
            let paragraphs = text::split_paragraphs(d);
            let later = if paragraphs.len() > 1 {
                params.later_in_paragraph
            } else {
                1.0
            };
            paragraphs
                .into_iter()
                .enumerate()
                .flat_map(|(k, para)| {
                    para.into_iter().enumerate().map(move |(j, s)| {
                        let factor = if j > 0 { later } else { 1.0 };
                        (k + j, factor, s)
                    })
                })
                .collect()
        })
        .collect();
    let mut vocab: FxHashMap<String, u32> = FxHashMap::default();
    let mut stem_cache: FxHashMap<String, u32> = FxHashMap::default();
    let multi = docs.len() > 1;
    let pairs_on = multi && params.bigram_weight > 0.0;
    // Pairs of neighbouring stems get ids of their own, offset past the stems' once all are known.
    let mut pair_ids: FxHashMap<(u32, u32), u32> = FxHashMap::default();
    let mut pair_parts: Vec<(u32, u32)> = Vec::new();
    let mut sentence_pairs: Vec<Vec<u32>> = Vec::new();
    let mut sentences = Vec::new();
    for (doc, sents) in split.iter().enumerate() {
        for (pos, factor, s) in sents {
            let mut terms = Vec::new();
            let mut words = 0;
            for w in text::words(s) {
                words += 1;
                if text::is_stopword(&w)
                    || (w.chars().count() < 2 && !w.chars().all(|c| c.is_ascii_digit()))
                {
                    continue;
                }
                let id = match stem_cache.get(&w) {
                    Some(id) => *id,
                    None => {
                        let next = vocab.len() as u32;
                        let id = *vocab.entry(text::stem(&w)).or_insert(next);
                        stem_cache.insert(w, id);
                        id
                    }
                };
                terms.push(id);
            }
            let mut pairs = Vec::new();
            if pairs_on {
                for w in terms.windows(2) {
                    let key = (w[0], w[1]);
                    let next = pair_parts.len() as u32;
                    let id = *pair_ids.entry(key).or_insert(next);
                    if id == next {
                        pair_parts.push(key);
                    }
                    pairs.push(id);
                }
            }
            sentence_pairs.push(pairs);
            sentences.push(Sentence {
                doc,
                pos: *pos,
                factor: *factor,
                points_back: points_back(s),
                text: s,
                words,
                terms,
            });
        }
    }
    if sentences.is_empty() {
        return Vec::new();
    }

    let n_stems = vocab.len();
    // What the reader knows, in the documents' stems (a known word the documents never use cannot make a
    // candidate a restatement, nor be covered by one), and each candidate that only restates it.
    let mut known_terms: rustc_hash::FxHashSet<u32> = rustc_hash::FxHashSet::default();
    let mut restated = vec![false; sentences.len()];
    if !known.is_empty() {
        let known_stem_of = |w: &str| -> Option<u32> {
            stem_cache
                .get(w)
                .copied()
                .or_else(|| vocab.get(&text::stem(w)).copied())
        };
        let mut known_sets: Vec<rustc_hash::FxHashSet<u32>> = Vec::new();
        let mut known_words: rustc_hash::FxHashSet<String> = rustc_hash::FxHashSet::default();
        for k in known {
            for para in text::split_paragraphs(k) {
                for sentence in para {
                    let mut set = rustc_hash::FxHashSet::default();
                    let mut prev: Option<u32> = None;
                    for w in text::words(&sentence) {
                        if text::is_stopword(&w) {
                            continue;
                        }
                        known_words.insert(w.clone());
                        let id = known_stem_of(&w);
                        if let Some(id) = id {
                            set.insert(id);
                            known_terms.insert(id);
                            if let Some(p) = prev
                                && let Some(pair) = pair_ids.get(&(p, id))
                            {
                                known_terms.insert(*pair + n_stems as u32);
                            }
                        }
                        prev = id;
                    }
                    if !set.is_empty() {
                        known_sets.push(set);
                    }
                }
            }
        }
        for (i, s) in sentences.iter().enumerate() {
            let mine: rustc_hash::FxHashSet<u32> = s.terms.iter().copied().collect();
            if mine.is_empty() {
                continue;
            }
            let best = known_sets
                .iter()
                .map(|k| mine.iter().filter(|t| k.contains(t)).count())
                .max()
                .unwrap_or(0) as f64
                / mine.len() as f64;
            // A number or a name the reader was not told makes a near-copy news all the same.
            let new_fact = || {
                s.text.split_whitespace().skip(1).any(|raw| {
                    let w: String = raw
                        .chars()
                        .filter(|c| c.is_alphanumeric())
                        .collect::<String>();
                    let folded = text::words(&w).next().unwrap_or_default();
                    !folded.is_empty()
                        && (w.chars().any(|c| c.is_ascii_digit())
                            || w.chars().next().is_some_and(char::is_uppercase))
                        && !known_words.contains(&folded)
                })
            };
            restated[i] = best >= 1.0 || (best >= RESTATES && !new_fact());
        }
    }
    for (s, pairs) in sentences.iter_mut().zip(sentence_pairs) {
        s.terms
            .extend(pairs.into_iter().map(|p| p + n_stems as u32));
    }

    // Weight of a concept: documents using it (the cluster's agreement on what matters) plus a damped count.
    let n_terms = n_stems + pair_parts.len();
    let mut count = vec![0u32; n_terms];
    let mut docs_with = vec![0u32; n_terms];
    let mut last_doc = vec![usize::MAX; n_terms];
    for s in &sentences {
        for &t in &s.terms {
            count[t as usize] += 1;
            if last_doc[t as usize] != s.doc {
                last_doc[t as usize] = s.doc;
                docs_with[t as usize] += 1;
            }
        }
    }
    let rarity_exp = if multi {
        params.rarity_exp_cluster
    } else {
        params.rarity_exp
    };
    // In an update a fact said once is news all the same: it keeps half a mention's weight.
    let once = if known.is_empty() { 0.0 } else { 0.5 };
    let mut weight: Vec<f64> = (0..n_terms)
        .map(|t| {
            let c = f64::from(count[t]);
            if multi {
                let d = f64::from(docs_with[t]);
                if d < 2.0 { once } else { d + c.ln() }
            } else if c < 2.0 {
                once
            } else {
                c
            }
        })
        .collect();
    // A stem is as unusual as its rarest word form: 7 - zipf, a word the tables do not know counting as 0.
    let mut rarity = vec![0.0f64; n_terms];
    for (word, &id) in &stem_cache {
        let t = id as usize;
        if weight[t] > 0.0 {
            let r = (7.0 - text::wordfreq::zipf(word).unwrap_or(0.0)).max(0.0);
            rarity[t] = rarity[t].max(r);
        }
    }
    // A pair is as unusual as its two stems on average, and weighs `bigram_weight` of a stem.
    for (k, &(a, b)) in pair_parts.iter().enumerate() {
        let t = n_stems + k;
        rarity[t] = (rarity[a as usize] + rarity[b as usize]) / 2.0;
        weight[t] *= params.bigram_weight;
    }
    for (w, r) in weight.iter_mut().zip(&rarity) {
        *w *= r.powf(rarity_exp);
    }

    for s in &mut sentences {
        s.terms.sort_unstable();
        s.terms.dedup();
    }
    let eligible: Vec<bool> = sentences
        .iter()
        .zip(&restated)
        .map(|(s, r)| !r && s.words >= params.min_words && s.words <= params.max_words)
        .collect();
    let any_eligible = eligible.iter().any(|e| *e);

    let repeat_gain = if multi { params.repeat_gain } else { 0.0 };
    // How often each concept is covered so far; it earns `repeat_gain^times` of its weight again.
    let mut times = vec![0i32; n_terms];
    for &t in &known_terms {
        if let Some(k) = times.get_mut(t as usize) {
            *k = 1;
        }
    }
    let mut chosen: Vec<usize> = Vec::new();
    let mut words_used = 0usize;
    loop {
        match budget {
            Budget::Sentences(n) if chosen.len() >= n => break,
            Budget::Words(n) if words_used >= n => break,
            _ => {}
        }
        // Words budgets prefer sentences that fit (at most half of one is cut); when none fits, the best of
        // the rest is taken and cut to fill the budget.
        let mut best_fit: Option<(f64, usize)> = None;
        let mut best_any: Option<(f64, usize)> = None;
        let lead = if multi {
            params.lead
        } else {
            params.lead_single
        };
        for (i, s) in sentences.iter().enumerate() {
            if chosen.contains(&i) || (any_eligible && !eligible[i]) || restated[i] {
                continue;
            }
            // What the sentence covers for the first time, and its whole gain with what it repeats.
            let (new, gain) = s.terms.iter().fold((0.0f64, 0.0f64), |(new, gain), t| {
                let (w, k) = (weight[*t as usize], times[*t as usize]);
                if k == 0 {
                    (new + w, gain + w)
                } else {
                    (new, gain + w * repeat_gain.powi(k))
                }
            });
            // A sentence must say something new: what it repeats only adds to what it says first. In an
            // update even the first must: the reader knows the rest.
            if new <= 0.0 && (!chosen.is_empty() || !known.is_empty()) {
                continue;
            }
            let prior = (1.0 + s.pos as f64).powf(-lead);
            let len_exp = match budget {
                Budget::Words(_) => params.length_exp,
                Budget::Sentences(_) => params.sent_len_exp,
            };
            // A sentence pointing back reads fine right after the one it points to.
            let dangling = s.points_back
                && (i == 0 || !chosen.contains(&(i - 1)) || sentences[i - 1].doc != s.doc);
            let factor = if dangling {
                s.factor * params.points_back
            } else {
                s.factor
            };
            let score = factor * gain * prior / (s.words.max(1) as f64).powf(len_exp);
            let fits = match budget {
                Budget::Words(n) => words_used + s.words <= n + s.words / 2,
                Budget::Sentences(_) => true,
            };
            if fits && best_fit.is_none_or(|(b, _)| score > b) {
                best_fit = Some((score, i));
            }
            if best_any.is_none_or(|(b, _)| score > b) {
                best_any = Some((score, i));
            }
        }
        let best = best_fit.or(best_any);
        let Some((score, i)) = best else { break };
        if score <= 0.0 && !chosen.is_empty() {
            break;
        }
        for &t in &sentences[i].terms {
            times[t as usize] = times[t as usize].saturating_add(1);
        }
        words_used += sentences[i].words;
        chosen.push(i);
    }

    chosen.sort_by_key(|&i| (sentences[i].pos, sentences[i].doc));
    if !multi {
        chosen.sort_by_key(|&i| sentences[i].pos);
    }
    let mut out: Vec<String> = chosen
        .iter()
        .map(|&i| sentences[i].text.to_owned())
        .collect();
    if let Budget::Words(n) = budget {
        cut_to_words(&mut out, n);
    }
    out
}

/// Words that, opening a sentence, point back to something said before it (folded, as [`text::words`] gives
/// them): English, Ukrainian and Russian personal pronouns and demonstratives.
const POINTING_BACK: &[&str] = &[
    "he", "she", "it", "they", "this", "these", "those", "his", "her", "its", "their", "him",
    "them", "він", "вона", "воно", "вони", "це", "цеи", "ця", "ці", "иого", "іі", "іх", "он",
    "она", "оно", "они", "это", "этот", "эта", "эти", "его", "ее", "их",
];

/// Whether `sentence` opens with a word of [`POINTING_BACK`].
fn points_back(sentence: &str) -> bool {
    text::words(sentence)
        .next()
        .is_some_and(|w| POINTING_BACK.contains(&w.as_str()))
}

/// Cuts the summary to `n` words, ending a cut sentence with "…".
fn cut_to_words(sentences: &mut Vec<String>, n: usize) {
    let mut left = n;
    let mut keep = 0;
    for s in sentences.iter_mut() {
        if left == 0 {
            break;
        }
        let count = s.split_whitespace().count();
        keep += 1;
        if count <= left {
            left -= count;
        } else {
            let cut: Vec<&str> = s.split_whitespace().take(left).collect();
            *s = format!("{}…", cut.join(" ").trim_end_matches([',', ';', ':']));
            left = 0;
        }
    }
    sentences.truncate(keep);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_within_budget_in_article_order() {
        let doc = "Russia and Ukraine held peace talks in Istanbul on Friday. \
                   The weather in the city was mild and sunny for most of the day. \
                   The peace talks in Istanbul ended after two hours without a ceasefire. \
                   Ukraine asked Russia for a ceasefire and a prisoner exchange at the talks.";
        let s = summarize(&[doc], Budget::Sentences(2));
        assert_eq!(s.len(), 2);
        assert!(s[0].starts_with("Russia and Ukraine held"));
        assert!(!s.iter().any(|x| x.contains("weather")));
        let w = summarize(&[doc], Budget::Words(15));
        let n: usize = w.iter().map(|s| s.split_whitespace().count()).sum();
        assert_eq!(n, 15);
    }

    #[test]
    fn a_story_s_own_words_outweigh_everyday_ones() {
        // The two candidates after the lede repeat words of the text as often; "ceasefire" and "prisoners" are
        // the story's own, "people" and "things" any text's.
        let doc = "Delegations met in Istanbul on Friday morning for the first round of talks. \
                   Many people said that things would take time and that people should wait for things. \
                   The ceasefire proposal included a swap of prisoners and a ceasefire monitored abroad. \
                   Officials in Istanbul added that prisoners would be freed after a week of talks.";
        let plain = Params {
            rarity_exp: 0.0,
            ..Params::default()
        };
        let without = summarize_with(&[doc], Budget::Sentences(2), plain);
        assert!(without[1].starts_with("Many people"), "{without:?}");
        let s = summarize(&[doc], Budget::Sentences(2));
        assert!(s[1].starts_with("The ceasefire proposal"), "{s:?}");
    }

    #[test]
    fn later_sentences_of_a_paragraph_count_less() {
        let lines = [
            "Negotiators from Ukraine and Russia met in Istanbul for peace talks on Friday.",
            "Officials described the opening session of the talks as calm and businesslike. \
             Ukraine demanded a ceasefire and a prisoner exchange before any more peace talks.",
            "Russia answered that a ceasefire and a prisoner exchange would have to wait for now.",
        ];
        // Flat, "Ukraine demanded" is earlier; as the second sentence of its paragraph it yields to the
        // opening sentence of the next.
        let flat = summarize(&[&lines.join(" ")], Budget::Sentences(2));
        assert!(flat[1].starts_with("Ukraine demanded"), "{flat:?}");
        let paragraphed = summarize(&[&lines.join("\n")], Budget::Sentences(2));
        assert!(
            paragraphed[1].starts_with("Russia answered"),
            "{paragraphed:?}"
        );
    }

    #[test]
    fn a_sentence_pointing_back_counts_less_away_from_what_it_points_to() {
        let doc = "Negotiators from Ukraine and Russia met in Istanbul for peace talks on Friday. \
                   Turkish hosts served tea and coffee to all of the delegations before the session. \
                   They insisted that a ceasefire and a prisoner exchange must come first. \
                   Kyiv insisted that a ceasefire and a prisoner exchange must come first, officials said. \
                   Talks in Istanbul resume Monday.";
        let s = summarize(&[doc], Budget::Sentences(2));
        assert!(s[1].starts_with("Kyiv insisted"), "{s:?}");
        let without = summarize_with(
            &[doc],
            Budget::Sentences(2),
            Params {
                points_back: 1.0,
                ..Params::default()
            },
        );
        assert!(without[1].starts_with("They insisted"), "{without:?}");
    }

    #[test]
    fn pointing_back_openings() {
        assert!(points_back("He underscored the choice."));
        assert!(points_back("These face-to-face talks resumed."));
        assert!(points_back("Він заявив про це."));
        assert!(points_back("Это было вчера."));
        assert!(!points_back("Hence the talks."));
        assert!(!points_back("Heathrow reopened."));
        assert!(!points_back("Україна вимагає перемир'я."));
    }

    #[test]
    fn in_a_cluster_a_phrase_the_outlets_share_outweighs_its_words_apart() {
        // The first two reports use the same words; only the second keeps the outlets' phrases together
        // ("twelve hostages", "border guards"). Without pairs of stems they tie and the first report wins.
        let docs = [
            "Guards said the border rebels released hostages, twelve, near the north on Tuesday.",
            "Twelve hostages were released by rebels near the north, border guards said on Tuesday.",
            "Twelve hostages walked free, border guards said.",
            "Border guards counted twelve hostages.",
        ];
        let s = summarize(&docs, Budget::Sentences(1));
        assert!(s[0].starts_with("Twelve hostages were"), "{s:?}");
        let plain = Params {
            bigram_weight: 0.0,
            ..Params::default()
        };
        let without = summarize_with(&docs, Budget::Sentences(1), plain);
        assert!(without[0].starts_with("Guards said"), "{without:?}");
    }

    #[test]
    fn in_a_cluster_the_story_s_names_may_recur() {
        // After the lede, the candidates that name the story's actors again add little that is new; the weather
        // sentence adds more, but about a side matter. All-or-nothing coverage takes the side matter.
        let docs = [
            "Kofi Annan arrived in Libya on Saturday for talks with Moammar Gadhafi about Lockerbie.\n\
             Annan and Gadhafi discussed a trial of the Lockerbie suspects in the Netherlands.\n\
             Airline officials and weather forecasters expected crowds and rain over the holiday weekend.",
            "Kofi Annan met Moammar Gadhafi in Libya on Saturday to discuss the Lockerbie suspects.\n\
             Airline officials said crowds would travel despite rain forecast by weather services.",
            "Annan flew to Libya to see Gadhafi about the Lockerbie suspects and a trial in the Netherlands.\n\
             Libya has been under United Nations sanctions since 1992.",
        ];
        let s = summarize(&docs, Budget::Sentences(2));
        assert!(s.iter().all(|x| x.contains("Lockerbie")), "{s:?}");
        let plain = Params {
            repeat_gain: 0.0,
            ..Params::default()
        };
        let without = summarize_with(&docs, Budget::Sentences(2), plain);
        assert!(without.iter().any(|x| x.contains("weather")), "{without:?}");
    }

    #[test]
    fn a_cluster_of_copies_is_not_summarised_twice_over() {
        // Four outlets ran the same wire copy: once its sentences are in, nothing new is left to add.
        let copy = "Kofi Annan arrived in Libya on Saturday for talks with Moammar Gadhafi about Lockerbie. \
                    Annan and Gadhafi discussed a trial of the two suspects in the Netherlands.";
        let s = summarize(&[copy, copy, copy, copy], Budget::Sentences(5));
        assert_eq!(s.len(), 2, "{s:?}");
        let w = summarize(&[copy, copy, copy, copy], Budget::Words(100));
        let n: usize = w.iter().map(|x| x.split_whitespace().count()).sum();
        assert_eq!(n, 27, "{w:?}");
    }

    #[test]
    fn empty_and_tiny_inputs() {
        assert!(summarize(&[""], Budget::Sentences(3)).is_empty());
        assert_eq!(
            summarize(&["Short one."], Budget::Sentences(3)),
            ["Short one."]
        );
    }
}
