//! From stored items to a [`Briefing`]: match the topic ([`query`]), merge the same story told by many
//! outlets ([`cluster`]), rank, and summarise ([`summarize`]). The result is a plain struct that any front end
//! renders: the terminal through [`render`], Discord through its embeds.

pub mod briefer;
pub mod channel_settings;
pub mod cluster;
pub mod llm;
pub mod memory;
pub mod render;
pub mod summarize;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

use crate::item::Item;
use crate::query::{Haystack, Query};
use crate::store::Recall;
use crate::text;
use summarize::{Budget, summarize};

/// One story: the same event, however many outlets told it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Story {
    /// The headline of its newest report.
    pub headline: String,
    /// One to three sentences.
    pub summary: Vec<String>,
    /// The outlet of the newest report.
    pub source: String,
    /// Link to the newest report.
    pub url: Option<String>,
    /// When the newest report was published (or first seen).
    pub published_at: DateTime<Utc>,
    /// Other outlets that told the same story, with their links.
    pub also: Vec<Coverage>,
    /// How well it matches the topic, plus how widely it was covered.
    pub relevance: f64,
    /// The stored items it tells (every report), so a channel is never briefed on them twice.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub item_ids: Vec<i64>,
    /// Other stored items for the same articles (the same page reached through another provider's link, or a
    /// feed): not listed again, but told with the story all the same.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duplicate_ids: Vec<i64>,
    /// Who wrote the summary.
    #[serde(default, skip_serializing_if = "SummaryBy::is_extractive")]
    pub summary_by: SummaryBy,
    /// Why an LLM summary was asked for but not used ("timeout", "unfaithful: …", "budget spent").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<String>,
    /// Whether this reader was told the story before and this is what is new in it: its listed reports are
    /// the new ones, and its summary says only what they add.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub update: bool,
    /// When the reader was first told the story (updates only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_told: Option<DateTime<Utc>>,
    /// How many of the story's reports the reader was told before (updates only).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub told_before: usize,
    /// A link to the message that first told the story, when it was posted on Discord (updates only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_told_link: Option<String>,
    /// The story's id in the reader's memory (updates only), so telling it continues that story.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub told_story: Option<i64>,
    /// What the reader was told of the story before (updates only): an LLM summary is asked for what the new
    /// reports add to it.
    #[serde(skip)]
    pub known: Vec<String>,
    /// The lead image of its newest report's article, else of the first other report that has one (https).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

/// Whether a count is zero (not worth serialising).
fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Who wrote a story's summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SummaryBy {
    /// herald's extractive summariser (the default style).
    #[default]
    Extractive,
    /// An LLM; `[n]` in the summary cites the story's n-th report (the lead, then `also` in order).
    Llm,
    /// herald's extractive summariser, standing in for an LLM summary that failed its check or its call: shown
    /// with a small "(extractive)" marker.
    Fallback,
}

impl SummaryBy {
    /// Whether it is the plain extractive default (not worth serialising).
    pub fn is_extractive(&self) -> bool {
        *self == SummaryBy::Extractive
    }
}

/// The host of a link, without "www.".
fn host_of(url: Option<&str>) -> Option<String> {
    let host = url::Url::parse(url?).ok()?.host_str()?.to_ascii_lowercase();
    Some(host.trim_start_matches("www.").to_owned())
}

impl Story {
    /// The other outlets that told the story, each once with its first report: not the lead's outlet again
    /// (names compared without case), nor a bare domain ("metrodaily.example") whose link is on an outlet
    /// already named.
    pub fn other_outlets(&self) -> Vec<&Coverage> {
        let mut names: Vec<String> = vec![self.source.to_lowercase()];
        let mut hosts: Vec<String> = host_of(self.url.as_deref()).into_iter().collect();
        let mut out = Vec::new();
        for c in &self.also {
            let name = c.source.to_lowercase();
            let host = host_of(c.url.as_deref());
            // A name that is only a domain is that outlet when its link is there too.
            let bare_domain = !name.contains(' ') && name.contains('.');
            if names.contains(&name)
                || (bare_domain && host.as_ref().is_some_and(|h| hosts.contains(h)))
            {
                continue;
            }
            names.push(name);
            hosts.extend(host);
            out.push(c);
        }
        out
    }

    /// The link of the story's n-th report (from 1: the lead, then `also` in order), as LLM citations name
    /// them.
    pub fn report_url(&self, n: usize) -> Option<&str> {
        match n {
            0 => None,
            1 => self.url.as_deref(),
            n => self.also.get(n - 2).and_then(|c| c.url.as_deref()),
        }
    }
}

/// Another outlet's report of a story.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    /// The outlet.
    pub source: String,
    /// Its link.
    pub url: Option<String>,
}

/// A briefing: stories, most relevant first and newest first within the same relevance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Briefing {
    /// The topic it answers, as parsed; `None` for "everything".
    pub topic: Option<String>,
    /// When it was built.
    pub generated_at: DateTime<Utc>,
    /// Items read.
    pub items_considered: usize,
    /// Items that matched the topic.
    pub items_matched: usize,
    /// The stories.
    pub stories: Vec<Story>,
    /// Stories that matched but did not fit under the story cap.
    #[serde(default)]
    pub stories_left_out: usize,
    /// The reports those stories held.
    #[serde(default)]
    pub items_left_out: usize,
    /// Stories the reader was told before with nothing new since, left out.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub stories_unchanged: usize,
    /// Of those, the ones with new reports that only repeat what the reader was told: not shown, but
    /// remembered as told (see [`memory::tellings`]).
    #[serde(skip)]
    pub absorbed: Vec<Story>,
}

/// The shape of a briefing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Stories at most.
    pub max_stories: usize,
    /// Summary sentences per story.
    pub sentences: usize,
    /// Summary words per story instead of sentences, when not 0.
    pub summary_words: usize,
    /// Similarity at which items are one story.
    pub cluster_threshold: f64,
}

impl Options {
    /// The summary budget of one story.
    pub fn budget(&self) -> Budget {
        if self.summary_words > 0 {
            Budget::Words(self.summary_words)
        } else {
            Budget::Sentences(self.sentences)
        }
    }
}

impl From<&crate::config::BriefConfig> for Options {
    fn from(c: &crate::config::BriefConfig) -> Self {
        Self {
            max_stories: c.max_stories,
            sentences: c.sentences,
            summary_words: c.summary_words,
            cluster_threshold: c.cluster_threshold,
        }
    }
}

/// Builds a briefing from `items` (newest first, as the store returns them) for any of `topics` (an item
/// counts when it matches one of them, scored by the best); no topics means every item counts.
pub fn build_briefing(
    items: &[Item],
    topics: &[Query],
    opts: Options,
    now: DateTime<Utc>,
) -> Briefing {
    build_briefing_for(items, topics, opts, now, &Recall::default())
}

/// [`build_briefing`] for a reader who remembers `recall`: only what is new to them. Today's reports are
/// grouped together with the reports the reader was told (so a story is known by its reports and content,
/// however its headline changed); a story whose reports were all told is left out, one with new reports
/// comes back as an update (its story identity, a summary of only what is new, ranked by its new reports),
/// and a story never told is told in full.
pub fn build_briefing_for(
    items: &[Item],
    topics: &[Query],
    opts: Options,
    now: DateTime<Utc>,
    recall: &Recall,
) -> Briefing {
    // What the reader was told comes first, so a new link to a told page is a copy of the told report.
    let told: HashSet<i64> = recall.story_of.keys().copied().collect();
    let fresh: Vec<&Item> = items.iter().filter(|i| !told.contains(&i.id)).collect();
    let all: Vec<&Item> = recall.items.iter().chain(fresh.iter().copied()).collect();
    // One article, one entry: items whose pages are the same article (by canonical URL once read, else by
    // link) are one report — the first one stored for it, the others told with it.
    let mut first_of: HashMap<String, i64> = HashMap::new();
    let mut copies: HashMap<i64, Vec<&Item>> = HashMap::new();
    let mut unique: Vec<&Item> = Vec::with_capacity(all.len());
    for item in all {
        let key = item
            .canonical_url
            .as_deref()
            .or(item.url.as_deref())
            .map(crate::item::url_key);
        match key.and_then(|k| match first_of.entry(k) {
            std::collections::hash_map::Entry::Occupied(e) => Some(*e.get()),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(item.id);
                None
            }
        }) {
            Some(first) => copies.entry(first).or_default().push(item),
            None => unique.push(item),
        }
    }
    let mut matched: Vec<(&Item, f64)> = Vec::new();
    for item in unique {
        // A told report is compared with today's whatever it matches: it was told under these topics.
        if topics.is_empty() || told.contains(&item.id) {
            matched.push((item, 0.0));
            continue;
        }
        // Prepared once per item, however many topics. One article's copies (a provider's title alone,
        // another's teaser, a feed's text) each say part of it: the article matches when one of them does
        // (the first that does scores it; the others are not read).
        let copies = copies.get(&item.id).map_or(&[][..], Vec::as_slice);
        let best = std::iter::once(item)
            .chain(copies.iter().copied())
            .find_map(|copy| {
                let hay = Haystack::new(&copy.title, &copy.match_text());
                // A search result was matched by its provider against the whole article: one word form
                // apart from the topic's is not a reason to drop it.
                topics
                    .iter()
                    .filter_map(|q| {
                        if copy.from_search {
                            q.score_vouched(&hay)
                        } else {
                            q.score(&hay)
                        }
                    })
                    .reduce(f64::max)
            });
        if let Some(best) = best {
            matched.push((item, best));
        }
    }
    matched.sort_by_key(|(item, _)| std::cmp::Reverse(item.time()));
    let only: Vec<&Item> = matched.iter().map(|(i, _)| *i).collect();
    let groups = if topics.is_empty() {
        cluster::cluster(&only, opts.cluster_threshold)
    } else {
        let stems: Vec<String> = topics.iter().flat_map(Query::stems).collect();
        cluster::cluster_topic(&only, opts.cluster_threshold, &stems)
    };

    let mut unchanged = 0;
    let mut stories: Vec<Story> = Vec::new();
    let mut absorbed: Vec<Story> = Vec::new();
    for group in &groups {
        let is_new = |i: &usize| !told.contains(&only[*i].id);
        // Today's reports of the story, its core first: they alone are listed and summarised.
        let core: Vec<usize> = group.members[..group.core]
            .iter()
            .copied()
            .filter(is_new)
            .collect();
        let strays: Vec<usize> = group.members[group.core..]
            .iter()
            .copied()
            .filter(is_new)
            .collect();
        let known: Vec<&Item> = group
            .members
            .iter()
            .filter(|i| !is_new(i))
            .map(|&i| only[i])
            .collect();
        let (g, told_core): (Vec<usize>, usize) = if core.is_empty() {
            (strays.clone(), strays.len())
        } else {
            let n = core.len();
            (core.into_iter().chain(strays).collect(), n)
        };
        if g.is_empty() {
            // Everything in it was told: nothing to say.
            unchanged += 1;
            continue;
        }
        let lead = only[g[0]];
        let best = g.iter().map(|&i| matched[i].1).fold(0.0, f64::max);
        let outlets = g
            .iter()
            .map(|&i| only[i].source_id)
            .collect::<std::collections::HashSet<_>>()
            .len();
        let reports = || g[..told_core].iter().map(|&i| only[i]);
        let mut story = Story {
            headline: lead.title.clone(),
            // Told from the reports that make the story, not from side angles listed with it.
            summary: Vec::new(),
            source: lead.source_name.clone(),
            url: lead.url.clone(),
            published_at: lead.time(),
            also: g[1..]
                .iter()
                .map(|&i| Coverage {
                    source: only[i].source_name.clone(),
                    url: only[i].url.clone(),
                })
                .collect(),
            relevance: best + (outlets as f64).ln(),
            item_ids: g.iter().map(|&i| only[i].id).collect(),
            duplicate_ids: g
                .iter()
                .filter_map(|&i| copies.get(&only[i].id))
                .flatten()
                .map(|copy| copy.id)
                .collect(),
            summary_by: SummaryBy::Extractive,
            fallback: None,
            update: false,
            first_told: None,
            told_before: 0,
            first_told_link: None,
            told_story: None,
            known: Vec::new(),
            image: g.iter().find_map(|&i| only[i].image.clone()),
        };
        if known.is_empty() {
            story.summary = story_summary(reports(), &lead.title, opts.budget());
        } else if !memory::as_update(&mut story, reports(), &known, recall, opts.budget()) {
            // New copies of a told story, with nothing the reader was not told: not news.
            unchanged += 1;
            absorbed.push(story);
            continue;
        }
        stories.push(story);
    }
    // Relevance in whole steps, then newest first: a story two outlets carry does not bury a newer one.
    stories.sort_by(|a, b| {
        b.relevance
            .floor()
            .total_cmp(&a.relevance.floor())
            .then(b.published_at.cmp(&a.published_at))
    });
    let left_out: Vec<Story> = stories.split_off(opts.max_stories.min(stories.len()));
    Briefing {
        topic: (!topics.is_empty()).then(|| {
            topics
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(" · ")
        }),
        generated_at: now,
        items_considered: items.len(),
        items_matched: matched
            .iter()
            .filter(|(i, _)| !told.contains(&i.id))
            .count(),
        stories,
        stories_left_out: left_out.len(),
        items_left_out: left_out.iter().map(|s| s.also.len() + 1).sum(),
        stories_unchanged: unchanged,
        absorbed,
    }
}

/// The summary of a story: a multi-document extractive summary of its reports' fullest texts (the articles
/// read from their pages, else the feeds' text), in article order, without a sentence that only repeats the
/// headline. Never empty when a report has text: a story whose only sentence is its headline keeps it.
pub(crate) fn story_summary<'a>(
    reports: impl Iterator<Item = &'a Item>,
    headline: &str,
    budget: Budget,
) -> Vec<String> {
    if budget == Budget::Sentences(0) {
        // Headlines only.
        return Vec::new();
    }
    let mut owned: Vec<std::borrow::Cow<'_, str>> = Vec::new();
    for r in reports {
        let t = text::prose(r.full_text());
        if !t.trim().is_empty() && !owned.contains(&t) {
            owned.push(t);
        }
    }
    if owned.is_empty() {
        return Vec::new();
    }
    let texts: Vec<&str> = owned.iter().map(|t| t.as_ref()).collect();
    let head: std::collections::HashSet<String> =
        text::content_stems(headline).into_iter().collect();
    let repeats = |s: &str| {
        let stems = text::content_stems(s);
        !stems.is_empty()
            && stems.iter().filter(|t| head.contains(*t)).count() * 10 >= stems.len() * 8
    };
    // Ask for one sentence more, in case one only repeats the headline.
    let wider = match budget {
        Budget::Sentences(n) => Budget::Sentences(n + 1),
        Budget::Words(w) => Budget::Words(w),
    };
    let mut all = summarize(&texts, wider);
    if let Budget::Words(w) = budget {
        // Make up for the words of sentences that only repeat the headline.
        let repeated: usize = all
            .iter()
            .filter(|s| repeats(s))
            .map(|s| s.split_whitespace().count())
            .sum();
        if repeated > 0 {
            all = summarize(&texts, Budget::Words(w + repeated));
        }
    }
    let mut kept: Vec<String> = all.iter().filter(|s| !repeats(s)).cloned().collect();
    if let Budget::Sentences(n) = budget {
        kept.truncate(n);
    }
    if kept.is_empty() {
        kept = all.into_iter().take(1).collect();
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(id: i64, source: i64, title: &str, article: &str) -> Item {
        Item {
            id,
            source_id: source,
            source_name: format!("outlet {source}"),
            guid: id.to_string(),
            url: Some(format!("https://o{source}.example/{id}")),
            title: title.into(),
            author: None,
            published_at: None,
            fetched_at: Utc::now(),
            snippet: "A teaser line.".into(),
            body: String::new(),
            article: article.into(),
            canonical_url: None,
            image: None,
            from_search: false,
        }
    }

    /// The same article reached through a provider's redirect link and directly (a feed, another provider)
    /// is one entry of its story, never listed twice; the other item is told with it all the same.
    #[test]
    fn one_article_is_one_entry_however_many_links_reached_it() {
        let text = "Envoys met in Istanbul on Friday and agreed on a prisoner exchange. The talks lasted two \
                    hours. Observers called the exchange the first concrete result.";
        let direct = report(1, 1, "Envoys meet in Istanbul", text);
        let mut via_google = report(2, 2, "Envoys meet in Istanbul", text);
        via_google.url = Some("https://news.google.com/rss/articles/CBMiABC?oc=5".into());
        via_google.canonical_url = Some("https://o1.example/1/".into());
        let other = report(3, 3, "Envoys meet in Istanbul, talks last two hours", text);
        let b = build_briefing(
            &[direct, via_google, other],
            &[],
            Options {
                max_stories: 5,
                sentences: 2,
                summary_words: 0,
                cluster_threshold: 0.1,
            },
            Utc::now(),
        );
        assert_eq!(b.stories.len(), 1, "{b:#?}");
        let s = &b.stories[0];
        let mut listed = s.item_ids.clone();
        listed.sort();
        assert_eq!(listed, [1, 3], "the redirect's item is not listed again");
        assert_eq!(s.duplicate_ids, [2], "but it is told with the story");
        assert_eq!(s.also.len(), 1);
    }

    /// An article that came as several items (a provider's title alone, another's teaser) matches a topic
    /// when any copy does: the first stored copy lacking a word of the topic does not drop the article.
    #[test]
    fn an_article_matches_when_any_of_its_copies_does() {
        let mut title_only = report(1, 1, "Israeli officials delay two planes", "");
        title_only.snippet = String::new();
        let mut teaser = report(2, 2, "Israeli officials delay two planes", "");
        teaser.url = title_only.url.clone();
        teaser.snippet = "Two planes were held at the Palestinian airport on Wednesday.".into();
        let topic = Query::parse("airport planes Israeli").unwrap();
        let b = build_briefing(
            &[title_only, teaser],
            &[topic],
            Options::from(&crate::config::Config::defaults().brief),
            Utc::now(),
        );
        assert_eq!(b.stories.len(), 1, "{b:#?}");
        assert_eq!(b.stories[0].item_ids, [1]);
        assert_eq!(b.stories[0].duplicate_ids, [2]);
    }

    /// A search result matches on its whole article (its provider matched there); a feed's item only on the
    /// lead of its article.
    #[test]
    fn a_search_result_matches_on_its_whole_article() {
        let lead = "The ministers met for four hours. ".repeat(30);
        let article = format!("{lead}Later the talks turned to the Kakhovka reservoir.");
        let topic = Query::parse("Kakhovka reservoir").unwrap();
        let mut from_feed = report(1, 1, "Ministers meet", &article);
        let b = build_briefing(
            &[from_feed.clone()],
            std::slice::from_ref(&topic),
            Options::from(&crate::config::Config::defaults().brief),
            Utc::now(),
        );
        assert!(b.stories.is_empty(), "a feed's item: only its lead counts");
        from_feed.from_search = true;
        let b = build_briefing(
            &[from_feed],
            &[topic],
            Options::from(&crate::config::Config::defaults().brief),
            Utc::now(),
        );
        assert_eq!(
            b.stories.len(),
            1,
            "a search result: the whole article counts"
        );
    }

    #[test]
    fn headlines_length_has_no_summaries_and_full_a_paragraph() {
        let article = "Negotiators met in Istanbul on Friday for the first direct talks in years. They agreed \
                       to exchange a thousand prisoners each. The next round is due in June, officials said. \
                       Markets barely moved on the news, and analysts expected further rounds.";
        let items = [report(1, 1, "Talks in Istanbul", article)];
        let base = Options::from(&crate::config::Config::defaults().brief);
        let with = |length| {
            let s = channel_settings::ChannelSettings {
                length: Some(length),
                ..Default::default()
            };
            build_briefing(&items, &[], s.options(base), Utc::now())
        };
        let headlines = with(channel_settings::Length::Headlines);
        assert_eq!(headlines.stories.len(), 1);
        assert!(headlines.stories[0].summary.is_empty());
        let short = with(channel_settings::Length::Short);
        assert!((1..=2).contains(&short.stories[0].summary.len()));
        let full = with(channel_settings::Length::Full);
        assert!(full.stories[0].summary.len() >= short.stories[0].summary.len());
    }

    #[test]
    fn a_story_is_summarised_from_its_articles_within_the_word_budget() {
        let a = "By Our Correspondent\nDelegations from Kyiv and Moscow met in Istanbul on Friday for the first \
                 direct talks in three years, officials said.\nThe talks at Dolmabahce Palace lasted less than two \
                 hours and ended without a ceasefire.\nBoth sides agreed to exchange a thousand prisoners each, \
                 the largest swap of the war.\nShare this";
        let b = "Russian and Ukrainian negotiators met at Dolmabahce Palace in Istanbul on Friday.\nThe \
                 delegations agreed a prisoner exchange of a thousand detainees each, Turkish officials said.\n\
                 Kyiv said Moscow's demands for territory were unacceptable and the talks ended early.";
        let items = [
            report(1, 1, "Russia and Ukraine meet in Istanbul", a),
            report(2, 2, "Istanbul talks end with prisoner swap deal", b),
        ];
        let opts = Options {
            max_stories: 1,
            sentences: 2,
            summary_words: 30,
            cluster_threshold: 0.1,
        };
        let briefing = build_briefing(&items, &[], opts, Utc::now());
        assert_eq!(briefing.stories.len(), 1, "{briefing:#?}");
        let story = &briefing.stories[0];
        assert_eq!(story.also.len(), 1);
        let summary = story.summary.join(" ");
        let words = summary.split_whitespace().count();
        assert!((25..=30).contains(&words), "{words}: {summary}");
        assert!(
            !summary.contains("teaser")
                && !summary.contains("Share this")
                && !summary.contains("Correspondent")
        );
        assert!(summary.contains("Istanbul"), "{summary}");

        // With the cap at one story of two, nothing is dropped silently.
        let other = report(
            3,
            3,
            "Storm closes ports in the north",
            "Gales closed every port on the northern coast on Sunday, the coastguard said.",
        );
        let briefing = build_briefing(
            &[items[0].clone(), items[1].clone(), other],
            &[],
            opts,
            Utc::now(),
        );
        assert_eq!((briefing.stories.len(), briefing.stories_left_out), (1, 1));
        assert_eq!(
            briefing.items_left_out,
            if briefing.stories[0].also.is_empty() {
                2
            } else {
                1
            }
        );
    }

    #[test]
    fn a_summary_reads_an_article_in_one_block_and_never_the_site_s_notice() {
        let notice = "Copyright 2026 The Morning Ledger. All rights reserved. This material may not be \
                      published, broadcast, rewritten or redistributed.";
        let opts = Options {
            max_stories: 5,
            sentences: 2,
            summary_words: 60,
            cluster_threshold: 0.1,
        };
        // Two reports from one site, its notice under each: the notice is not what they share.
        let a = format!(
            "Flood waters reached the old town of Passau on Sunday, officials said.\nThe army was \
             called in to stack sandbags along the Danube.\n{notice}"
        );
        let b = format!(
            "The army joined rescue work in Passau as the Danube flooded the old town.\nHundreds of \
             residents spent the night in schools, the mayor said.\n{notice}"
        );
        let items = [
            report(1, 1, "Floods reach Passau", &a),
            report(2, 1, "Army called in as Danube floods", &b),
        ];
        let briefing = build_briefing(&items, &[], opts, Utc::now());
        assert_eq!(briefing.stories.len(), 1, "{briefing:#?}");
        let summary = briefing.stories[0].summary.join(" ");
        assert!(summary.contains("Passau"), "{summary}");
        assert!(
            !summary.contains("rights reserved") && !summary.contains("may not be"),
            "{summary}"
        );

        // The page's paragraphs came as one block whose last words are a caption, with no full stop.
        let block = format!(
            "Flood waters reached the old town of Passau on Sunday, officials said. The Danube rose \
             to its highest level in a decade. Residents were moved to schools on higher ground. Soldiers \
             stack sandbags by the Danube in Passau\nMore rain is forecast for Tuesday.\n{notice}"
        );
        let briefing = build_briefing(
            &[report(3, 1, "Floods reach Passau", &block)],
            &[],
            opts,
            Utc::now(),
        );
        let summary = briefing.stories[0].summary.join(" ");
        assert!(
            summary.contains("highest level in a decade"),
            "the block is read: {summary}"
        );
    }

    #[test]
    fn a_headline_only_story_keeps_its_one_sentence() {
        let only = report(1, 1, "Ceasefire holds in the east", "");
        let mut only = only;
        only.snippet = "Ceasefire holds in the east.".into();
        let opts = Options {
            max_stories: 5,
            sentences: 2,
            summary_words: 0,
            cluster_threshold: 0.1,
        };
        let b = build_briefing(&[only], &[], opts, Utc::now());
        assert_eq!(b.stories[0].summary, ["Ceasefire holds in the east."]);
    }
}
