//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz, libFuzzer) and for the test that replays their
//! corpus and every finding on the stable toolchain (`tests/fuzz_corpus.rs`). Each takes arbitrary bytes and
//! must return without panicking, whatever they hold; each bounds its input the way herald's own callers do.

use chrono::{DateTime, TimeZone, Utc};

use crate::brief::summarize::{Budget, summarize};
use crate::brief::{Options, build_briefing};
use crate::delivery::Schedule;
use crate::discord::embeds::{briefing_embeds, pack};
use crate::item::Item;
use crate::query::{Haystack, Query};
use crate::sources::encoding::to_utf8;
use crate::sources::extract::extract_article;
use crate::sources::feed::{PARSER_PANICKED, parse_feed};
use crate::sources::html::{MAX_FIELD_BYTES, cut, to_text};
use crate::text::{split_paragraphs, split_sentences};

/// A fuzz target: bytes in, nothing out, never a panic.
pub type Target = fn(&[u8]);

/// Every fuzz target by name, for the corpus replay.
pub const TARGETS: &[(&str, Target)] = &[
    ("feed", feed),
    ("html_text", html_text),
    ("article", article),
    ("query", query),
    ("sentences", sentences),
    ("schedule", schedule),
    ("embeds", embeds),
];

/// Bytes as text, the way herald reads a page or a field: decoded (see [`to_utf8`]), then cut to a field.
fn text(data: &[u8]) -> String {
    let decoded = to_utf8(data, None);
    cut(&String::from_utf8_lossy(&decoded), MAX_FIELD_BYTES).to_owned()
}

/// Feed decoding and parsing, with and without an HTTP charset. A parser panic that `parse_feed` caught is
/// still a finding.
pub fn feed(data: &[u8]) {
    for charset in [None, Some("utf-16")] {
        if let Err(e) = parse_feed(data, charset, "fuzz", None) {
            assert_ne!(e.reason, PARSER_PANICKED, "the feed parser panicked");
        }
    }
    let _ = to_utf8(data, Some("windows-1251"));
}

/// HTML fragment → plain text (what every feed field goes through).
pub fn html_text(data: &[u8]) {
    let _ = to_text(&String::from_utf8_lossy(data));
}

/// A page as the article reader takes it: decoded by its declarations, extracted, and its prose for the
/// summariser.
pub fn article(data: &[u8]) {
    let page = crate::sources::encoding::html_to_string(data, None);
    if let Some(a) = extract_article(cut(&page, MAX_FIELD_BYTES), Some("http://fuzz.test/page")) {
        let _ = crate::text::prose(&a.text);
    }
}

/// The topic query language, and matching the text against itself.
pub fn query(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    if let Ok(q) = Query::parse(&s) {
        let _ = q.fts_prefilter();
        let _ = q.normalized();
        let _ = q.score(&Haystack::new(&s, &s));
    }
}

/// Sentence and paragraph splitting, and the summariser over the same text.
pub fn sentences(data: &[u8]) {
    let s = text(data);
    let _ = split_sentences(&s);
    let _ = split_paragraphs(&s);
    let _ = summarize(&[&s], Budget::Sentences(3));
    let _ = summarize(&[&s, &s], Budget::Words(100));
}

/// Schedules: the first line is the spec, the second the time zone; then the next runs.
pub fn schedule(data: &[u8]) {
    let s = String::from_utf8_lossy(data);
    let mut lines = s.splitn(2, '\n');
    let (spec, tz) = (lines.next().unwrap_or(""), lines.next().unwrap_or("UTC"));
    if let Ok(schedule) = Schedule::parse(spec, tz.trim()) {
        let mut at = start();
        for _ in 0..5 {
            match schedule.next_after(at) {
                Some(next) => at = next,
                None => break,
            }
        }
    }
}

/// A briefing of items made from the input's lines (title, text, link), as Discord embeds within limits.
pub fn embeds(data: &[u8]) {
    let s = text(data);
    let items: Vec<Item> = s
        .split("\n\n")
        .take(50)
        .enumerate()
        .map(|(i, chunk)| {
            let mut lines = chunk.lines();
            let title = lines.next().unwrap_or("").to_owned();
            let url = lines.next().map(str::to_owned);
            Item {
                id: i as i64,
                source_id: (i % 3) as i64,
                source_name: format!("source {}", i % 3),
                guid: i.to_string(),
                url,
                title,
                author: None,
                published_at: None,
                fetched_at: start(),
                snippet: lines.collect::<Vec<_>>().join("\n"),
                body: String::new(),
                article: String::new(),
                canonical_url: None,
                image: None,
                from_search: false,
            }
        })
        .collect();
    let opts = Options {
        max_stories: 10,
        sentences: 2,
        summary_words: 0,
        cluster_threshold: 0.1,
    };
    let briefing = build_briefing(&items, &[], opts, start());
    for message in pack(briefing_embeds(&briefing)) {
        for embed in &message {
            let _ = embed.build();
        }
    }
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 29, 0, 30, 0)
        .single()
        .unwrap_or_default()
}
