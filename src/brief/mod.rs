//! From stored items to a [`Briefing`]: match the topic ([`query`]), merge the same story told by many
//! outlets ([`cluster`]), rank, and summarise ([`summarize`]). The result is a plain struct that any front end
//! renders: the terminal through [`render`], Discord through its embeds.

pub mod cluster;
pub mod query;
pub mod render;
pub mod summarize;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::item::Item;
use crate::text;
use query::{Haystack, Query};
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
}

/// The shape of a briefing.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Stories at most.
    pub max_stories: usize,
    /// Summary sentences per story.
    pub sentences: usize,
    /// Similarity at which items are one story.
    pub cluster_threshold: f64,
}

impl From<&crate::config::BriefConfig> for Options {
    fn from(c: &crate::config::BriefConfig) -> Self {
        Self {
            max_stories: c.max_stories,
            sentences: c.sentences,
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
    let mut matched: Vec<(&Item, f64)> = Vec::new();
    for item in items {
        if topics.is_empty() {
            matched.push((item, 0.0));
            continue;
        }
        // Prepared once per item, however many topics.
        let hay = Haystack::new(&item.title, item.text());
        if let Some(best) = topics.iter().filter_map(|q| q.score(&hay)).reduce(f64::max) {
            matched.push((item, best));
        }
    }
    matched.sort_by_key(|(item, _)| std::cmp::Reverse(item.time()));
    let only: Vec<&Item> = matched.iter().map(|(i, _)| *i).collect();
    let groups = cluster::cluster(&only, opts.cluster_threshold);

    let mut stories: Vec<Story> = groups
        .iter()
        .map(|g| {
            let lead = only[g[0]];
            let best = g.iter().map(|&i| matched[i].1).fold(0.0, f64::max);
            let outlets = g
                .iter()
                .map(|&i| only[i].source_id)
                .collect::<std::collections::HashSet<_>>()
                .len();
            Story {
                headline: lead.title.clone(),
                summary: story_summary(g.iter().map(|&i| only[i]), &lead.title, opts.sentences),
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
            }
        })
        .collect();
    // Relevance in whole steps, then newest first: a story two outlets carry does not bury a newer one.
    stories.sort_by(|a, b| {
        b.relevance
            .floor()
            .total_cmp(&a.relevance.floor())
            .then(b.published_at.cmp(&a.published_at))
    });
    stories.truncate(opts.max_stories);
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
        items_matched: matched.len(),
        stories,
    }
}

/// The summary of a story: an extractive summary of its reports' texts, without a sentence that merely repeats
/// the headline.
fn story_summary<'a>(
    reports: impl Iterator<Item = &'a Item>,
    headline: &str,
    sentences: usize,
) -> Vec<String> {
    let mut texts: Vec<&str> = Vec::new();
    for r in reports {
        let t = r.text();
        if !t.trim().is_empty() && !texts.contains(&t) {
            texts.push(t);
        }
    }
    if texts.is_empty() {
        return Vec::new();
    }
    let head = text::fold(headline);
    summarize(&texts, Budget::Sentences(sentences + 1))
        .into_iter()
        .filter(|s| {
            text::fold(s).trim_end_matches(['.', '!', '?'])
                != head.trim_end_matches(['.', '!', '?'])
        })
        .take(sentences)
        .collect()
}
