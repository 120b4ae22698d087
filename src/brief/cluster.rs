//! One story per event: grouping the reports of the same event, across outlets and across the window.
//!
//! Each report becomes a tf-idf vector over the content stems of its headline (counted twice) and the prose of
//! its fullest text (the article read from its page, else the feed's text; bylines and captions left out by
//! [`text::prose`]). A stem weighs by how rare it is
//! among the reports being grouped (idf; a topic's few reports are measured against a news day's worth, see
//! [`cluster_topic`]) times how rare it is in general text ([`text::wordfreq`]): two reports
//! sharing "Mitch", "Nicaragua" and "mudslides" are about one event; sharing "said", "officials" and
//! "Tuesday" says nothing. Two reports whose shared stems are worth less than [`MIN_SHARED`] (each counting
//! its rarity: a name 1, a common word less) count as less similar, however short their texts. Reports whose
//! pages name the same canonical URL (after dropping `utm_*` and other tracking parameters, AMP paths,
//! fragments and trailing slashes) are the same report.
//!
//! Reports are then merged by group-average agglomerative clustering: the two groups whose reports are most
//! similar on average merge, while that average reaches the threshold. Averaging over all pairs, rather than
//! joining on any one similar pair, keeps one vague report from chaining two events together; comparing with
//! every report of a group, rather than with its first, lets a story gather the angles of a long-running
//! event. Reports published far apart (over [`SAME_EVENT_HOURS`]) are less likely to be one event. Last, a
//! report left alone (a reaction piece, a background article) joins the story it is clearly closest to when it
//! is nearly as close as that story's reports are to each other ([`attach_strays`]); it is listed with the story
//! but does not lead it. Only a story of four reports or more takes strays: three may be a topic, not an event.
//!
//! Candidate pairs come from an inverted index over each report's strongest stems (leaving out stems so common
//! they name a topic, not an event), so grouping thousands of reports compares only those that share something
//! rare.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use rustc_hash::FxHashMap;

use crate::item::{Item, url_key as normalise_url};
use crate::text;

/// Words of a report's text that join its headline in its vector: the lead, where news says what happened.
const LEAD_WORDS: usize = 2000;
/// Stems kept per report (the strongest): enough to describe an event, few enough to compare quickly.
const TOP_TERMS: usize = 400;
/// Of those, the strongest that find candidate pairs.
const KEY_TERMS: usize = 64;
/// A stem in more than this many reports, or [`MAX_DF_SHARE`] of them if that is more, does not find
/// candidates (it still counts in the similarity): it names a topic, not an event, and its pairs would make
/// grouping quadratic.
const MAX_DF: usize = 50;
/// See [`MAX_DF`].
const MAX_DF_SHARE: f64 = 0.02;
/// What the stems two reports share must be worth for their similarity to count in full, each stem counting
/// its rarity (a name 1, "rallied" about 0.5, "said" near 0): two and a half names' worth, so at least three
/// stems. Sharing three common words is how two unrelated short reports look alike ("Airline stocks rallied
/// … beat forecasts … led the gains" and "Hawks rallied … to beat … led the scoring").
const MIN_SHARED: f64 = 2.5;
/// The news day a topic's reports are measured against ([`cluster_topic`]).
const TOPIC_POOL: f32 = 150.0;
/// Words of a typical report, for how likely a report of general news holds a stem.
const BACKGROUND_REPORT_WORDS: f64 = 500.0;

/// The share of general news reports that hold a stem of rarity `r` ([`Vectors`]: 1 for a word general text
/// never uses, 0 for the commonest): a word of Zipf frequency z occurs 10^(z-9) times per word of text.
fn background_share(r: f32) -> f32 {
    let zipf = 7.0 * (1.0 - f64::from(r));
    let per_word = 10f64.powf(zipf - 9.0);
    (1.0 - (-BACKGROUND_REPORT_WORDS * per_word).exp()) as f32
}

/// Reports further apart than this (in hours) lose similarity as the gap grows.
pub const SAME_EVENT_HOURS: f64 = 48.0;

/// A report as a sparse unit vector: (stem id, weight), sorted by stem id.
type Vector = Vec<(u32, f32)>;

/// One story: indices of its reports, the core in input order, then the strays that joined it (see
/// [`attach_strays`]) in input order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    /// The story's reports: indices into the grouped items.
    pub members: Vec<usize>,
    /// How many of `members` (the first ones) are its core: the reports that tell the story, which lead it
    /// and are summarised. The rest are side angles listed with it.
    pub core: usize,
}

/// Groups items into stories: returns indices into `items`, groups ordered by their first report.
/// `threshold` is the average similarity (0 to 1) at which two groups are one story.
pub fn cluster(items: &[&Item], threshold: f64) -> Vec<Group> {
    cluster_within(items, threshold, 0.0, &[])
}

/// [`cluster`] for the reports a topic matched: a sample biased toward the topic, in which every report
/// shares the event's words. Measured among themselves, those words would look common and each report's own
/// angle would look like its story, so one event would split into a story per angle; rarity is measured
/// against a news day of [`TOPIC_POOL`] reports instead (see [`Vectors::build`]).
/// The topic's own words (`topic_stems`, as [`text::stem`] makes them) are in every report by construction:
/// sharing them is no evidence of one event (see [`MIN_SHARED`]).
pub fn cluster_topic(items: &[&Item], threshold: f64, topic_stems: &[String]) -> Vec<Group> {
    cluster_within(items, threshold, TOPIC_POOL, topic_stems)
}

fn cluster_within(items: &[&Item], threshold: f64, pool: f32, common: &[String]) -> Vec<Group> {
    if items.is_empty() {
        return Vec::new();
    }
    // Reports under one long headline are one report (a wire story several outlets ran as it came): only the
    // fullest of them is compared, so a copy whose page gave no text does not stand apart.
    let (firsts, copies) = headline_copies(items);
    let reps: Vec<&Item> = firsts.iter().map(|&i| items[i]).collect();
    let vectors = Vectors::build(&reps, pool, common);
    let edges = similar_pairs(&reps, &vectors, threshold);
    let groups = attach_strays(
        group_average(reps.len(), &edges, threshold),
        &edges,
        threshold,
    );
    groups
        .into_iter()
        .map(|g| {
            let expand = |members: &[usize]| {
                let mut out: Vec<usize> = members
                    .iter()
                    .flat_map(|&m| std::iter::once(firsts[m]).chain(copies[m].iter().copied()))
                    .collect();
                out.sort_unstable();
                out
            };
            let mut members = expand(&g.members[..g.core]);
            let core = members.len();
            members.extend(expand(&g.members[g.core..]));
            Group { members, core }
        })
        .collect()
}

/// The reports to compare, one per long headline (the one with the fullest text; every report whose headline
/// is shorter than [`SAME_HEADLINE_WORDS`] words stands for itself), in input order, and each one's copies.
fn headline_copies(items: &[&Item]) -> (Vec<usize>, Vec<Vec<usize>>) {
    let mut by_headline: HashMap<Vec<String>, usize> = HashMap::new();
    let mut firsts: Vec<usize> = Vec::with_capacity(items.len());
    let mut copies: Vec<Vec<usize>> = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let words: Vec<String> = text::words(&item.title).collect();
        if words.len() >= SAME_HEADLINE_WORDS {
            if let Some(&k) = by_headline.get(&words) {
                // The fullest text stands for the headline; the others are its copies.
                if item.full_text().len() > items[firsts[k]].full_text().len() {
                    copies[k].push(firsts[k]);
                    firsts[k] = i;
                } else {
                    copies[k].push(i);
                }
                continue;
            }
            by_headline.insert(words, firsts.len());
        }
        firsts.push(i);
        copies.push(Vec::new());
    }
    (firsts, copies)
}

/// For each of `fresh`, whether it tells a story one of `told` already told: whether grouping them all puts
/// it in a story with a told report. How a channel is kept from being briefed twice on one story that a new
/// outlet reports a day later.
pub fn already_told(fresh: &[Item], told: &[Item], threshold: f64) -> Vec<bool> {
    let all: Vec<&Item> = told.iter().chain(fresh).collect();
    let mut result = vec![false; fresh.len()];
    for group in cluster(&all, threshold) {
        if group.members.iter().any(|&i| i < told.len()) {
            for &i in group.members.iter().filter(|&&i| i >= told.len()) {
                result[i - told.len()] = true;
            }
        }
    }
    result
}

/// Each report's vector, its strongest stems (which find candidate pairs), and each stem's rarity in general
/// text (0 to 1).
struct Vectors(Vec<Vector>, Vec<Vec<u32>>, Vec<f32>);

impl Vectors {
    /// The vectors of `items`, rarity measured against at least `pool` reports; the stems in `common` are no
    /// evidence of one event when shared.
    fn build(items: &[&Item], pool: f32, common: &[String]) -> Self {
        let mut vocab: FxHashMap<String, u32> = FxHashMap::default();
        let mut rarity: Vec<f32> = Vec::new();
        let mut stem_of: FxHashMap<String, u32> = FxHashMap::default();
        let mut counts: Vec<FxHashMap<u32, f32>> = Vec::with_capacity(items.len());
        for item in items {
            let mut tf: FxHashMap<u32, f32> = FxHashMap::default();
            let lead: String = text::prose(item.full_text())
                .split_whitespace()
                .take(LEAD_WORDS)
                .collect::<Vec<_>>()
                .join(" ");
            for (part, times) in [(item.title.as_str(), 2.0), (lead.as_str(), 1.0)] {
                for w in text::words(part) {
                    if text::is_stopword(&w)
                        || w.chars().count() < 2
                        || w.chars().all(|c| c.is_ascii_digit())
                    {
                        continue;
                    }
                    let id = match stem_of.get(&w) {
                        Some(id) => *id,
                        None => {
                            let next = vocab.len() as u32;
                            let id = *vocab.entry(text::stem(&w)).or_insert(next);
                            if id as usize == rarity.len() {
                                rarity.push(0.0);
                            }
                            // A stem is as unusual as its rarest word form (unknown words, such as most names,
                            // count as rarest).
                            let r = ((7.0 - text::wordfreq::zipf(&w).unwrap_or(0.0)) / 7.0)
                                .clamp(0.0, 1.0) as f32;
                            rarity[id as usize] = rarity[id as usize].max(r);
                            stem_of.insert(w, id);
                            id
                        }
                    };
                    *tf.entry(id).or_insert(0.0) += times;
                }
            }
            counts.push(tf);
        }
        let mut df = vec![0u32; vocab.len()];
        for tf in &counts {
            for &t in tf.keys() {
                df[t as usize] += 1;
            }
        }
        // A set smaller than `pool` counts as if the rest of a news day were there: general news, each report
        // holding a stem as often as general text does (a name almost never, "said" nearly always).
        let missing = (pool - items.len() as f32).max(0.0);
        let n = items.len() as f32 + missing;
        let df: Vec<f32> = df
            .iter()
            .zip(&rarity)
            .map(|(&d, &r)| {
                if missing > 0.0 {
                    d as f32 + missing * background_share(r)
                } else {
                    d as f32
                }
            })
            .collect();
        let mut keys = Vec::with_capacity(counts.len());
        let vectors = counts
            .into_iter()
            .map(|tf| {
                let mut v: Vector = tf
                    .into_iter()
                    .map(|(t, c)| {
                        let idf = (1.0 + n / df[t as usize]).ln();
                        let r = rarity[t as usize];
                        (t, (1.0 + c.ln()) * idf * r)
                    })
                    .filter(|(_, w)| *w > 0.0)
                    .collect();
                v.sort_by(|a, b| b.1.total_cmp(&a.1));
                v.truncate(TOP_TERMS);
                keys.push(v.iter().take(KEY_TERMS).map(|(t, _)| *t).collect());
                let norm = v.iter().map(|(_, w)| w * w).sum::<f32>().sqrt();
                if norm > 0.0 {
                    for (_, w) in &mut v {
                        *w /= norm;
                    }
                }
                v.sort_by_key(|(t, _)| *t);
                v
            })
            .collect();
        // What two reports share is evidence of one event by its rarity; the words every report holds by
        // construction (a topic's own) still weigh in the vectors, but sharing them proves nothing.
        let mut evidence = rarity;
        for stem in common {
            if let Some(&id) = vocab.get(stem) {
                evidence[id as usize] = 0.0;
            }
        }
        Self(vectors, keys, evidence)
    }
}

/// Cosine of two unit vectors, scaled down when the stems they share are worth less than [`MIN_SHARED`]
/// (`rarity` per stem): one shared word, or three common ones, is weak evidence however short the texts
/// ("Ceasefire talks open" and "Second ceasefire collapses").
fn cosine(a: &Vector, b: &Vector, rarity: &[f32]) -> f64 {
    let (mut i, mut j, mut sum, mut shared) = (0, 0, 0.0f32, 0.0f32);
    while i < a.len() && j < b.len() {
        match a[i].0.cmp(&b[j].0) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                sum += a[i].1 * b[j].1;
                shared += rarity[a[i].0 as usize];
                i += 1;
                j += 1;
            }
        }
    }
    f64::from(sum) * (f64::from(shared) / MIN_SHARED).min(1.0)
}

/// 1 for reports within [`SAME_EVENT_HOURS`] of each other, then falling off with the gap.
fn time_factor(a: &Item, b: &Item) -> f64 {
    let hours = (a.time() - b.time()).num_minutes().abs() as f64 / 60.0;
    if hours <= SAME_EVENT_HOURS {
        1.0
    } else {
        SAME_EVENT_HOURS / hours
    }
}

/// Whether two reports are the same page: the same link, or the same canonical URL, once normalised.
fn same_page(a: &Item, b: &Item) -> bool {
    let keys = |i: &Item| {
        [i.canonical_url.as_deref(), i.url.as_deref()]
            .into_iter()
            .flatten()
            .map(normalise_url)
            .collect::<Vec<_>>()
    };
    let (ka, kb) = (keys(a), keys(b));
    ka.iter().any(|k| kb.contains(k))
}

/// Headlines of at least this many words that two reports share word for word make them one report (a wire
/// story that several outlets ran as it came).
const SAME_HEADLINE_WORDS: usize = 6;

/// Similar pairs (i < j) with their similarity: candidates share one of their strongest stems.
fn similar_pairs(items: &[&Item], vectors: &Vectors, threshold: f64) -> Vec<(usize, usize, f64)> {
    let n = items.len();
    let max_df = MAX_DF.max((n as f64 * MAX_DF_SHARE) as usize);
    let mut postings: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
    for (i, keys) in vectors.1.iter().enumerate() {
        for &t in keys {
            postings.entry(t).or_default().push(i);
        }
    }
    let rarity = &vectors.2;
    let vectors = &vectors.0;
    // Pairs below a fraction of the threshold cannot lift a group's average much; keeping them lets an
    // average fall, though, so they count as what they are.
    let floor = threshold * 0.25;
    let mut seen: FxHashMap<(u32, u32), ()> = FxHashMap::default();
    let mut edges = Vec::new();
    for list in postings.values().filter(|l| l.len() <= max_df) {
        for (a, &i) in list.iter().enumerate() {
            for &j in &list[a + 1..] {
                if seen.insert((i as u32, j as u32), ()).is_some() {
                    continue;
                }
                let s = if same_page(items[i], items[j]) {
                    1.0
                } else {
                    cosine(&vectors[i], &vectors[j], rarity) * time_factor(items[i], items[j])
                };
                if s >= floor {
                    edges.push((i, j, s));
                }
            }
        }
    }
    // Same pages that share no strong stem (an empty text) still merge.
    let mut by_url: HashMap<String, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        for key in [item.canonical_url.as_deref(), item.url.as_deref()]
            .into_iter()
            .flatten()
        {
            match by_url.entry(normalise_url(key)) {
                std::collections::hash_map::Entry::Occupied(e) => {
                    let j = *e.get();
                    if j != i && !seen.contains_key(&(j as u32, i as u32)) {
                        seen.insert((j as u32, i as u32), ());
                        edges.push((j, i, 1.0));
                    }
                }
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(i);
                }
            }
        }
    }
    edges
}

/// Stories of at most this many reports are strays: they may join a bigger story, and take no strays
/// themselves. Three reports on one topic may be a coincidence of the day (three court cases, three football
/// previews) rather than one event; letting them gather strays grows a topic, not a story.
const STRAY_SIZE: usize = 3;
/// A stray joins a story when its average similarity to the story's reports reaches this share of the
/// threshold...
const STRAY_SHARE_OF_THRESHOLD: f64 = 0.5;
/// ...and this share of how similar the story's own reports are to each other (its cohesion)...
const STRAY_SHARE_OF_COHESION: f64 = 0.3;
/// ...and it is clearly closer to that story than to any other: by this factor.
const STRAY_MARGIN: f64 = 1.2;

/// Second pass: a report that no story took (alone, or in a group of up to three) joins the story of more
/// than [`STRAY_SIZE`] reports it resembles most, if it is nearly as close to that story as the story's own
/// reports are to each other, and clearly closer to it than to any other story. Group-average merging needs a
/// stray to reach the threshold with a whole story at once, which an outlet's side angle on an event (the
/// reaction, the background piece) rarely does; measured against the story's cohesion, a side angle on a
/// tight story still counts, and an unrelated report does not.
fn attach_strays(
    groups: Vec<Vec<usize>>,
    edges: &[(usize, usize, f64)],
    threshold: f64,
) -> Vec<Group> {
    let n = groups.iter().map(Vec::len).sum();
    let mut group_of = vec![0usize; n];
    for (g, members) in groups.iter().enumerate() {
        for &i in members {
            group_of[i] = g;
        }
    }
    let big = |g: usize| groups[g].len() > STRAY_SIZE;
    // Sum of similarities inside each big story, and from each stray group to each big story.
    let mut inner = vec![0.0f64; groups.len()];
    let mut to_big: FxHashMap<(usize, usize), f64> = FxHashMap::default();
    for &(i, j, s) in edges {
        let (gi, gj) = (group_of[i], group_of[j]);
        if gi == gj {
            inner[gi] += s;
        } else if big(gi) && !big(gj) {
            *to_big.entry((gj, gi)).or_insert(0.0) += s;
        } else if big(gj) && !big(gi) {
            *to_big.entry((gi, gj)).or_insert(0.0) += s;
        }
    }
    let cohesion = |g: usize| {
        let k = groups[g].len() as f64;
        inner[g] / (k * (k - 1.0) / 2.0)
    };
    // Per stray: its closest story (average similarity, story) and the next closest story's average.
    let mut closest: FxHashMap<usize, (f64, usize, f64)> = FxHashMap::default();
    for (&(stray, story), &sum) in &to_big {
        let avg = sum / (groups[stray].len() * groups[story].len()) as f64;
        let entry = closest.entry(stray).or_insert((0.0, story, 0.0));
        if avg > entry.0 {
            *entry = (avg, story, entry.0);
        } else if avg > entry.2 {
            entry.2 = avg;
        }
    }
    let best: FxHashMap<usize, usize> = closest
        .into_iter()
        .filter(|&(_, (avg, story, next))| {
            avg >= threshold * STRAY_SHARE_OF_THRESHOLD
                && avg >= cohesion(story) * STRAY_SHARE_OF_COHESION
                // Between two stories about as close (or a tie), it joins neither.
                && avg >= next * STRAY_MARGIN
        })
        .map(|(stray, (_, story, _))| (stray, story))
        .collect();
    let mut strays: Vec<Vec<usize>> = vec![Vec::new(); groups.len()];
    for (&stray, &story) in &best {
        strays[story].extend_from_slice(&groups[stray]);
    }
    let mut stories: Vec<Group> = groups
        .into_iter()
        .zip(strays)
        .enumerate()
        .filter(|(g, _)| !best.contains_key(g))
        .map(|(_, (mut members, mut strays))| {
            let core = members.len();
            strays.sort_unstable();
            members.extend(strays);
            Group { members, core }
        })
        .collect();
    stories.sort_by_key(|g| g.members[0]);
    stories
}

/// A candidate merge in the heap: groups `a` and `b` (by their current versions) at average similarity `sim`.
#[derive(PartialEq)]
struct Merge {
    sim: f64,
    a: usize,
    b: usize,
    versions: (u32, u32),
}

impl Eq for Merge {}
impl PartialOrd for Merge {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Merge {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sim
            .total_cmp(&other.sim)
            // Ties: the earlier groups first, so the result does not depend on hashing.
            .then_with(|| other.a.cmp(&self.a))
            .then_with(|| other.b.cmp(&self.b))
    }
}

/// Group-average agglomerative clustering over sparse similarities (a missing pair counts as 0).
fn group_average(n: usize, edges: &[(usize, usize, f64)], threshold: f64) -> Vec<Vec<usize>> {
    let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    let mut alive = vec![true; n];
    let mut version = vec![0u32; n];
    // Sum of pair similarities between two live groups, keyed by group ids.
    let mut sums: Vec<FxHashMap<usize, f64>> = vec![FxHashMap::default(); n];
    for &(i, j, s) in edges {
        *sums[i].entry(j).or_insert(0.0) += s;
        *sums[j].entry(i).or_insert(0.0) += s;
    }
    let mut heap = BinaryHeap::new();
    for (i, row) in sums.iter().enumerate() {
        for (&j, &s) in row {
            if i < j && s >= threshold {
                heap.push(Merge {
                    sim: s,
                    a: i,
                    b: j,
                    versions: (0, 0),
                });
            }
        }
    }
    while let Some(m) = heap.pop() {
        if m.sim < threshold {
            break;
        }
        if !alive[m.a]
            || !alive[m.b]
            || version[m.a] != m.versions.0
            || version[m.b] != m.versions.1
        {
            continue;
        }
        // Merge b into a.
        let (a, b) = (m.a, m.b);
        alive[b] = false;
        let moved = std::mem::take(&mut members[b]);
        members[a].extend(moved);
        version[a] += 1;
        let row_b = std::mem::take(&mut sums[b]);
        sums[a].remove(&b);
        for (c, s) in row_b {
            if c == a {
                continue;
            }
            *sums[a].entry(c).or_insert(0.0) += s;
            let row_c = &mut sums[c];
            row_c.remove(&b);
            *row_c.entry(a).or_insert(0.0) += s;
        }
        let size_a = members[a].len() as f64;
        for (&c, &s) in &sums[a] {
            if !alive[c] {
                continue;
            }
            let avg = s / (size_a * members[c].len() as f64);
            if avg >= threshold {
                let (x, y) = if a < c { (a, c) } else { (c, a) };
                heap.push(Merge {
                    sim: avg,
                    a: x,
                    b: y,
                    versions: (version[x], version[y]),
                });
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = members
        .into_iter()
        .zip(alive)
        .filter(|(_, alive)| *alive)
        .map(|(mut g, _)| {
            g.sort_unstable();
            g
        })
        .collect();
    groups.sort_by_key(|g| g[0]);
    groups
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn members(groups: Vec<Group>) -> Vec<Vec<usize>> {
        groups.into_iter().map(|g| g.members).collect()
    }

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
            article: String::new(),
            canonical_url: None,
            image: None,
            from_search: false,
        }
    }

    #[test]
    fn short_reports_sharing_only_common_words_stay_apart_and_sharing_names_merge() {
        let items = [
            item(
                1,
                1,
                "Airline stocks rallied and beat forecasts",
                "Airline stocks rallied after jet fuel costs dropped and passenger traffic beat forecasts. \
                 Carriers with transatlantic networks led the gains.",
            ),
            item(
                2,
                2,
                "Riverside Hawks rallied to beat the Comets",
                "The Riverside Hawks rallied from 18 points down to beat the Capital Comets. Guard Marcus \
                 Bell led the scoring with 31 points.",
            ),
            item(
                3,
                3,
                "Kakhovka dam breached, Zelensky says",
                "Zelensky said the Kakhovka dam on the Dnipro was blown up overnight.",
            ),
            item(
                4,
                4,
                "Zelensky blames Moscow for Kakhovka breach",
                "Water poured through the Kakhovka dam, and Zelensky blamed Moscow.",
            ),
        ];
        let refs: Vec<&Item> = items.iter().collect();
        assert_eq!(
            members(cluster(&refs, 0.1)),
            vec![vec![0], vec![1], vec![2, 3]]
        );
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
        assert_eq!(members(cluster(&refs, 0.3)), vec![vec![0, 1, 3], vec![2]]);
    }

    /// Report `n` of event `e`: article-length text sharing the event's names, and common words any report has.
    fn report(e: usize, n: usize) -> Item {
        let names = [
            ("Medinsky", "Umerov", "Dolmabahce"),
            ("Kakhovka", "Ukrhydroenergo", "Oleshky"),
            ("Lindqvist", "Northgate", "Rovers"),
            ("Mahathir", "Anwar", "Putrajaya"),
            ("Samaranch", "Lausanne", "Nagano"),
        ][e];
        let (a, b, c) = names;
        let text = format!(
            "{a} and {b} met in {c} on Friday, officials said in report {n}.\n\
             The meeting lasted two hours and both sides said talks would continue next week.\n\
             {b} told reporters in {c} that {a} had agreed to the main points.\n\
             Analysts said the government would respond after the weekend."
        );
        let mut i = item(
            (e * 10 + n) as i64,
            n as i64,
            &format!("{a} and {b} in {c}, update {n}"),
            "",
        );
        i.article = text;
        i
    }

    /// A topic's briefing groups only the few reports that matched it. Each tells the event from its own angle
    /// (its own people and places) and shares the event's names with the others; measured against only these
    /// reports the shared names look common and each angle like a story of its own. Measured against a news
    /// day's worth of reports, the event is one story, and a second event in the set stays apart.
    #[test]
    fn a_topic_s_few_reports_of_one_event_are_one_story_and_another_event_stays_apart() {
        let angles = [
            "Ruiz Valdez Choluteca Pespire Nacaome",
            "Zelaya Ortez Olancho Catacamas Juticalpa",
            "Mejia Banegas Yoro Olanchito Sabanagrande",
            "Funes Alvarado Comayagua Siguatepeque Marcala",
            "Lagos Paredes Ocotepeque Gracias Erandique",
            "Cerrato Dubon Danli Trojes Yuscaran",
        ];
        let mut items: Vec<Item> = angles
            .iter()
            .enumerate()
            .map(|(n, angle)| {
                let mut i = item(n as i64, n as i64, &format!("Mitch in Tegucigalpa: {angle}"), "");
                i.article = format!(
                    "Hurricane Mitch struck Honduras and Tegucigalpa this week, and Mitch's floods cut \
                     Tegucigalpa off from the north of Honduras.\n{angle} reported on the storm."
                );
                i
            })
            .collect();
        let mut other = item(10, 10, "Kabila rebels advance on Kinshasa", "");
        other.article =
            "Rebels fighting Laurent Kabila advanced on Kinshasa, Congo. Kabila's army retreated \
                         from Kisangani."
                .into();
        items.push(other);
        let refs: Vec<&Item> = items.iter().collect();
        assert_eq!(
            members(cluster_topic(&refs, 0.1, &["mitch".to_owned()])),
            vec![vec![0, 1, 2, 3, 4, 5], vec![6]]
        );
        assert!(
            members(cluster(&refs, 0.1)).len() > 2,
            "measured among themselves, the angles split the event"
        );
    }

    /// A wire story that two outlets ran under one headline is one report: the copy whose page gave no text
    /// follows its twin into the story instead of standing apart; short headlines alike prove nothing.
    #[test]
    fn copies_under_one_long_headline_follow_the_fullest() {
        let text = "Israeli security officials delayed two planes at the Palestinian airport in Gaza on \
                    Wednesday. The Gaza airport opened last month under the Wye River accord.";
        let headline = "Israeli security officials delay two planes at Gaza airport";
        let mut items = [
            item(1, 1, headline, text),
            item(2, 2, "Gaza airport faces Israeli closure threat", text),
            item(3, 3, headline, ""),
            item(
                4,
                4,
                "Live updates",
                "Markets fell on Monday as oil prices rose.",
            ),
            item(
                5,
                5,
                "Live updates",
                "The Hawks beat the Comets in overtime.",
            ),
        ];
        items[2].snippet = String::new();
        let refs: Vec<&Item> = items.iter().collect();
        // In a topic's briefing, what the headline shares with its twin beyond the topic's words is common.
        let topic = crate::query::Query::parse("Israeli planes airport").unwrap();
        let groups = cluster_topic(&refs, 0.1, &topic.stems());
        assert_eq!(
            members(groups.clone()),
            vec![vec![0, 1, 2], vec![3], vec![4]]
        );
        assert_eq!(groups[0].core, 3, "the copy is core, as its twin is");
        // Only the fullest of the copies is compared, wherever it stands; the short headlines stand alone.
        assert_eq!(
            headline_copies(&refs),
            (vec![0, 1, 3, 4], vec![vec![2], vec![], vec![], vec![]])
        );
        let copy_first: Vec<&Item> = [&items[2], &items[0], &items[1]].into();
        assert_eq!(
            headline_copies(&copy_first),
            (vec![1, 2], vec![vec![0], vec![]])
        );
    }

    #[test]
    fn reports_of_five_events_make_five_stories() {
        let items: Vec<Item> = (0..5)
            .flat_map(|e| (0..4).map(move |n| report(e, n)))
            .collect();
        let refs: Vec<&Item> = items.iter().collect();
        let groups = members(cluster(&refs, 0.1));
        assert_eq!(groups.len(), 5, "{groups:?}");
        for g in &groups {
            let event = g[0] / 4;
            assert!(g.iter().all(|&i| i / 4 == event), "{groups:?}");
        }
        // A channel told event 0 is not told its new reports again; another event's are news.
        let told: Vec<Item> = (0..2).map(|n| report(0, n)).collect();
        let fresh = vec![report(0, 3), report(2, 1)];
        assert_eq!(already_told(&fresh, &told, 0.1), [true, false]);
    }

    #[test]
    fn tracking_amp_and_slashes_do_not_make_another_page() {
        let base = "example.com/world/2025/talks";
        for u in [
            "https://www.example.com/world/2025/talks/",
            "http://example.com/world/2025/talks?utm_source=rss&utm_medium=feed",
            "https://example.com/world/2025/talks#comments",
            "https://amp.example.com/world/2025/talks/amp/",
            "https://example.com/amp/world/2025/talks",
            "https://example.com/world/2025/talks.amp?fbclid=x",
        ] {
            assert_eq!(normalise_url(u), base, "{u}");
        }
        assert_eq!(
            normalise_url("https://example.com/story?id=7&utm_campaign=x"),
            "example.com/story?id=7"
        );
        assert_ne!(
            normalise_url("https://example.com/story?id=7"),
            normalise_url("https://example.com/story?id=8")
        );
    }

    #[test]
    fn one_page_under_two_links_is_one_story_whatever_its_text() {
        let mut a = item(1, 1, "Talks", "");
        let mut b = item(2, 2, "Something else entirely", "");
        a.url = Some("https://news.example/a?utm_source=x".into());
        b.canonical_url = Some("https://news.example/a/".into());
        let refs = [&a, &b];
        assert_eq!(members(cluster(&refs, 0.3)), vec![vec![0, 1]]);
    }

    /// An edge at similarity `s` from each of `from` to each of `to` (each pair once when they are one group).
    fn pairs(edges: &mut Vec<(usize, usize, f64)>, from: &[usize], to: &[usize], s: f64) {
        for &i in from {
            for &j in to {
                if from != to || i < j {
                    edges.push((i.min(j), i.max(j), s));
                }
            }
        }
    }

    #[test]
    fn a_side_angle_joins_the_story_it_is_close_to_and_an_unrelated_report_does_not() {
        let mut edges = Vec::new();
        // A tight story (cohesion 0.3) and a loose one (0.12), at threshold 0.1.
        pairs(&mut edges, &[1, 2, 3, 13], &[1, 2, 3, 13], 0.3);
        pairs(&mut edges, &[6, 7, 8, 14], &[6, 7, 8, 14], 0.12);
        // Close enough to the tight story: joins it, though it is the newest report (index 0).
        pairs(&mut edges, &[0], &[1, 2, 3, 13], 0.1);
        // Above half the threshold, but far from what the tight story's reports are to each other.
        pairs(&mut edges, &[4], &[1, 2, 3, 13], 0.06);
        // Below half the threshold: too weak for any story.
        pairs(&mut edges, &[5], &[6, 7, 8, 14], 0.045);
        // The same 0.06 is close enough to the loose story.
        pairs(&mut edges, &[9], &[6, 7, 8, 14], 0.06);
        // A pair of one-outlet reports, one of them close to the tight story: they join it together.
        pairs(&mut edges, &[10], &[11], 0.2);
        pairs(&mut edges, &[11], &[1, 2, 3, 13], 0.2);
        // Close enough to the loose story, but nearly as close to the tight one: joins neither.
        pairs(&mut edges, &[12], &[6, 7, 8, 14], 0.065);
        pairs(&mut edges, &[12], &[1, 2, 3, 13], 0.06);
        // Three reports as tight as the tight story are not enough to gather a report that would join four.
        pairs(&mut edges, &[15, 16, 17], &[15, 16, 17], 0.3);
        pairs(&mut edges, &[18], &[15, 16, 17], 0.1);
        let groups = vec![
            vec![0],
            vec![1, 2, 3, 13],
            vec![4],
            vec![5],
            vec![6, 7, 8, 14],
            vec![9],
            vec![10, 11],
            vec![12],
            vec![15, 16, 17],
            vec![18],
        ];
        let stories = attach_strays(groups, &edges, 0.1);
        let one = |i| Group {
            members: vec![i],
            core: 1,
        };
        assert_eq!(
            stories,
            vec![
                // The core leads; side angles follow it, so the story's headline is the core's.
                Group {
                    members: vec![1, 2, 3, 13, 0, 10, 11],
                    core: 4
                },
                one(4),
                one(5),
                Group {
                    members: vec![6, 7, 8, 14, 9],
                    core: 4
                },
                one(12),
                Group {
                    members: vec![15, 16, 17],
                    core: 3
                },
                one(18),
            ]
        );
    }
}
