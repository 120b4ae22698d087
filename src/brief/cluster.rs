//! Merging the same story told by many outlets: greedy clustering on headline-and-lead word overlap.

use std::collections::HashSet;

use crate::item::Item;
use crate::text;

/// Words of the lead that join the headline in an item's signature.
const LEAD_WORDS: usize = 40;

/// An item's signature: the content stems of its headline and the start of its text.
fn signature(item: &Item) -> HashSet<String> {
    let lead: String = item
        .text()
        .split_whitespace()
        .take(LEAD_WORDS)
        .collect::<Vec<_>>()
        .join(" ");
    let mut set: HashSet<String> = text::content_stems(&item.title).into_iter().collect();
    set.extend(text::content_stems(&lead));
    set
}

/// Cosine similarity of two stem sets.
fn similarity(a: &HashSet<String>, b: &HashSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let shared = a.intersection(b).count() as f64;
    shared / ((a.len() * b.len()) as f64).sqrt()
}

/// Groups items (given newest first) into stories: an item joins the first story whose first item it resembles
/// at `threshold` or more, and from a source the story does not have yet. Returns indices into `items`, each
/// group in input order.
pub fn cluster(items: &[&Item], threshold: f64) -> Vec<Vec<usize>> {
    let signatures: Vec<HashSet<String>> = items.iter().map(|i| signature(i)).collect();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, sig) in signatures.iter().enumerate() {
        let home = groups.iter_mut().find(|g| {
            !g.iter().any(|&j| {
                items[j].source_id == items[i].source_id
                    && items[j].url == items[i].url
                    && items[j].url.is_some()
            }) && similarity(&signatures[g[0]], sig) >= threshold
        });
        match home {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    groups
}

/// For each of `fresh`, whether it tells a story one of `told` already told (similar at `threshold` or more):
/// how a channel is kept from being briefed twice on one story that a new outlet reports a day later.
pub fn already_told(fresh: &[Item], told: &[Item], threshold: f64) -> Vec<bool> {
    let told: Vec<HashSet<String>> = told.iter().map(signature).collect();
    fresh
        .iter()
        .map(|item| {
            let sig = signature(item);
            told.iter().any(|t| similarity(t, &sig) >= threshold)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn item(id: i64, source: i64, title: &str, text: &str) -> Item {
        Item {
            id,
            source_id: source,
            source_name: format!("s{source}"),
            guid: id.to_string(),
            url: Some(format!("https://s{source}.example/{id}")),
            title: title.into(),
            author: None,
            published_at: None,
            fetched_at: Utc::now(),
            snippet: text.into(),
            body: String::new(),
        }
    }

    #[test]
    fn same_story_from_many_outlets_merges() {
        let items = [
            item(
                1,
                1,
                "Russia and Ukraine hold first direct peace talks in Istanbul",
                "Delegations met in Istanbul.",
            ),
            item(
                2,
                2,
                "Ukraine, Russia hold first direct talks in Istanbul in three years",
                "Delegations met.",
            ),
            item(
                3,
                3,
                "Rust 1.90 released with faster compiler",
                "The Rust team announced a release.",
            ),
            item(
                4,
                4,
                "Istanbul peace talks: Russia and Ukraine meet",
                "Delegations met in Istanbul on Friday.",
            ),
        ];
        let refs: Vec<&Item> = items.iter().collect();
        let groups = cluster(&refs, 0.45);
        assert_eq!(groups, vec![vec![0, 1, 3], vec![2]]);
    }
}
