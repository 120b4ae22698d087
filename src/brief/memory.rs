//! What is new to a reader: a story told before comes back as an update that says only what its new reports
//! add, and every story told is remembered for next time ([`tellings`]).

use std::collections::HashMap;

use super::summarize::Budget;
use super::summarize::extractive::summarize_update;
use super::{Briefing, Story};
use crate::item::Item;
use crate::store::{Recall, Telling};
use crate::text;

/// Makes `story` (built from its new `reports`) an update of the story the reader was told in `known`: its
/// identity in the reader's memory, when it was first told and where, and a summary of what the new reports
/// add to the told reports and to what was said about them. Returns whether they add anything: a trickle of
/// copies of a told story (another outlet's rewrite of yesterday's wire) has no news to tell.
pub(super) fn as_update<'a>(
    story: &mut Story,
    reports: impl Iterator<Item = &'a Item>,
    known: &[&Item],
    recall: &Recall,
    budget: Budget,
) -> bool {
    let mut votes: HashMap<i64, usize> = HashMap::new();
    for item in known {
        if let Some(id) = recall.story_of.get(&item.id) {
            *votes.entry(*id).or_default() += 1;
        }
    }
    // The story most of its told reports were told with (the oldest on a tie: where it began).
    let told = votes
        .into_iter()
        .max_by_key(|(id, n)| (*n, std::cmp::Reverse(*id)))
        .map(|(id, _)| id);
    story.update = true;
    story.told_before = known.len();
    story.told_story = told;
    if let Some(s) = told.and_then(|id| recall.stories.get(&id)) {
        story.first_told = Some(s.first_told_at);
        story.first_told_link = s.message_link();
    }
    let said: &[String] = told
        .and_then(|id| recall.sentences.get(&id))
        .map_or(&[], Vec::as_slice);
    let from = said.len().saturating_sub(super::summarize::llm::MAX_KNOWN);
    story.known = said[from..].to_vec();
    let known_texts: Vec<std::borrow::Cow<'_, str>> = known
        .iter()
        .map(|i| text::prose(i.full_text()))
        .chain(said.iter().map(|s| std::borrow::Cow::Borrowed(s.as_str())))
        .collect();
    let known_refs: Vec<&str> = known_texts.iter().map(|t| t.as_ref()).collect();
    let mut owned: Vec<std::borrow::Cow<'_, str>> = Vec::new();
    for r in reports {
        let t = text::prose(r.full_text());
        if !t.trim().is_empty() && !owned.contains(&t) {
            owned.push(t);
        }
    }
    let texts: Vec<&str> = owned.iter().map(|t| t.as_ref()).collect();
    // Headlines only still rank by whether there is news to tell.
    let probe = match budget {
        Budget::Sentences(0) => Budget::Sentences(1),
        b => b,
    };
    let summary = if texts.is_empty() {
        Vec::new()
    } else {
        summarize_update(&texts, &known_refs, probe)
    };
    let news = !summary.is_empty();
    story.summary = if budget == Budget::Sentences(0) {
        Vec::new()
    } else {
        summary
    };
    news
}

/// What a briefing told, story by story, for the reader's memory: each story's reports (listed and told with
/// them) and its summary, updates continuing the story they update; and the reports of told stories that
/// added nothing, remembered with their story so they are not weighed again.
pub fn tellings(briefing: &Briefing) -> Vec<Telling> {
    briefing
        .stories
        .iter()
        .chain(&briefing.absorbed)
        .map(|s| Telling {
            story_id: s.told_story,
            headline: s.headline.clone(),
            item_ids: s.item_ids.iter().chain(&s.duplicate_ids).copied().collect(),
            sentences: if s.update && s.summary.is_empty() {
                Vec::new()
            } else {
                s.summary.clone()
            },
        })
        .collect()
}

/// How far back a reader's memory is read: a story not told for a week comes back as new.
pub const LOOKBACK: chrono::Duration = chrono::Duration::days(7);
/// Told items read at most (the newest tellings first).
pub const MAX_TOLD: usize = 3000;

/// What `reader` was told within [`LOOKBACK`] of `now`.
pub async fn recall(
    store: &crate::store::Store,
    reader: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Recall, crate::store::StoreError> {
    store.recall(reader, now - LOOKBACK, MAX_TOLD).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brief::{Options, build_briefing_for};
    use crate::store::ToldStory;
    use chrono::{TimeZone, Utc};

    fn report(id: i64, source: i64, day: u32, title: &str, article: &str) -> Item {
        let t = Utc.with_ymd_and_hms(2026, 11, day, 9, 0, 0).unwrap();
        Item {
            id,
            source_id: source,
            source_name: format!("Outlet {source}"),
            guid: id.to_string(),
            url: Some(format!("https://o{source}.example/{id}")),
            title: title.into(),
            author: None,
            published_at: Some(t),
            fetched_at: t,
            snippet: String::new(),
            body: String::new(),
            article: article.into(),
            canonical_url: None,
            image: None,
            from_search: false,
        }
    }

    const MONDAY: &str = "Delegations from Kyiv and Moscow met in Istanbul on Monday for ceasefire talks.\n\
        The talks at Dolmabahce Palace lasted two hours, Turkish officials said.\n\
        Both sides agreed to meet again later in the week.";

    /// The reader was told Monday's report (with its first two sentences as the summary).
    fn told_monday() -> (Vec<Item>, Recall) {
        let monday = report(1, 1, 23, "Ceasefire talks open in Istanbul", MONDAY);
        let first = Utc.with_ymd_and_hms(2026, 11, 23, 10, 0, 0).unwrap();
        let recall = Recall {
            items: vec![monday.clone()],
            story_of: [(1, 7)].into(),
            stories: [(
                7,
                ToldStory {
                    id: 7,
                    headline: monday.title.clone(),
                    first_told_at: first,
                    last_told_at: first,
                    guild_id: Some(1),
                    channel_id: Some(9),
                    message_id: Some(42),
                },
            )]
            .into(),
            sentences: [(
                7,
                vec![
                    "Delegations from Kyiv and Moscow met in Istanbul on Monday for ceasefire talks.".into(),
                ],
            )]
            .into(),
        };
        (vec![monday], recall)
    }

    fn opts() -> Options {
        Options {
            max_stories: 10,
            sentences: 3,
            summary_words: 0,
            cluster_threshold: 0.1,
        }
    }

    #[test]
    fn a_told_story_with_new_reports_is_an_update_with_only_the_new_facts() {
        let (mut items, recall) = told_monday();
        // Tuesday's writethru repeats Monday's background and adds the news.
        items.push(report(
            2,
            2,
            24,
            "Istanbul ceasefire talks agree prisoner exchange",
            "Delegations from Kyiv and Moscow met in Istanbul on Monday for ceasefire talks.\n\
             On Tuesday the negotiators agreed to exchange 1,200 prisoners of war within a week.\n\
             The talks at Dolmabahce Palace lasted two hours, Turkish officials said.",
        ));
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        let b = build_briefing_for(&items, &[], opts(), now, &recall);
        assert_eq!(b.stories.len(), 1, "{b:#?}");
        let s = &b.stories[0];
        assert!(s.update);
        assert_eq!(s.told_before, 1);
        assert_eq!(s.told_story, Some(7));
        assert_eq!(s.item_ids, [2], "only the new report is listed");
        assert_eq!(s.first_told, recall.stories[&7].first_told_at.into());
        assert_eq!(
            s.first_told_link.as_deref(),
            Some("https://discord.com/channels/1/9/42")
        );
        assert_eq!(
            s.summary,
            ["On Tuesday the negotiators agreed to exchange 1,200 prisoners of war within a week."],
            "only what is new"
        );
        let told = tellings(&b);
        assert_eq!(told[0].story_id, Some(7));
        assert_eq!(told[0].item_ids, [2]);
    }

    #[test]
    fn a_told_story_with_nothing_new_is_left_out() {
        let (items, recall) = told_monday();
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        let b = build_briefing_for(&items, &[], opts(), now, &recall);
        assert!(b.stories.is_empty(), "{b:#?}");
        assert_eq!(b.stories_unchanged, 1);
        assert!(tellings(&b).is_empty());
        assert!(
            crate::brief::render::render(&b, crate::brief::render::Format::Text)
                .contains("Nothing new since your last briefing")
        );
    }

    #[test]
    fn another_outlet_s_copy_of_a_told_story_is_remembered_but_not_told() {
        let (mut items, recall) = told_monday();
        items.push(report(
            3,
            3,
            24,
            "Kyiv and Moscow meet in Istanbul",
            "Delegations from Kyiv and Moscow met in Istanbul on Monday for ceasefire talks.\n\
             The talks at Dolmabahce Palace lasted two hours, Turkish officials said.",
        ));
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        let b = build_briefing_for(&items, &[], opts(), now, &recall);
        assert!(b.stories.is_empty(), "{b:#?}");
        let told = tellings(&b);
        assert_eq!(told.len(), 1, "the copy is remembered with its story");
        assert_eq!(
            (told[0].story_id, told[0].item_ids.clone()),
            (Some(7), vec![3])
        );
        assert!(told[0].sentences.is_empty());
    }

    #[test]
    fn a_new_story_beside_a_told_one_is_told_in_full() {
        let (mut items, recall) = told_monday();
        items.push(report(
            4,
            2,
            24,
            "Storm closes every port on the northern coast",
            "Gales closed every port on the northern coast on Tuesday, the coastguard said.\n\
             Ferries to the islands were cancelled until Thursday.",
        ));
        let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
        let b = build_briefing_for(&items, &[], opts(), now, &recall);
        assert_eq!(b.stories.len(), 1, "{b:#?}");
        assert!(!b.stories[0].update);
        assert!(!b.stories[0].summary.is_empty());
        assert_eq!(b.stories_unchanged, 1);
        let json = crate::brief::render::render(&b, crate::brief::render::Format::Json);
        assert!(!json.contains("\"update\""), "{json}");
    }
}
