//! Benchmarks of the engine's hot paths: parsing every fixture feed, summarising the seed article, matching
//! 10,000 items against 100 topics, extracting articles from the fixture pages, grouping 10,000 reports into
//! stories, and briefing a whole news day (330 reports with full articles). Run with `cargo bench`; numbers
//! are in README.md.

use std::path::PathBuf;

use chrono::{Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use herald::brief::cluster::cluster;
use herald::brief::summarize::{Budget, summarize};
use herald::brief::{Options, build_briefing};
use herald::item::Item;
use herald::query::{Haystack, Query};
use herald::sources::encoding::html_to_string;
use herald::sources::extract::extract_article;
use herald::sources::feed::parse_feed;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn feeds(c: &mut Criterion) {
    let mut bodies = Vec::new();
    for entry in std::fs::read_dir(fixture("feeds")).expect("tests/fixtures/feeds") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_some_and(|e| e == "xml" || e == "json") {
            bodies.push((
                path.display().to_string(),
                std::fs::read(&path).expect("fixture"),
            ));
        }
    }
    c.bench_function("parse all 68 fixture feeds", |b| {
        b.iter(|| {
            bodies
                .iter()
                .map(|(name, body)| parse_feed(body, None, name, None).map_or(0, |f| f.items.len()))
                .sum::<usize>()
        })
    });
}

fn summary(c: &mut Criterion) {
    let article =
        std::fs::read_to_string(fixture("articles/istanbul-talks-2025.txt")).expect("seed article");
    c.bench_function("summarise the seed article to 3 sentences", |b| {
        b.iter(|| summarize(&[&article], Budget::Sentences(3)))
    });
}

fn matching(c: &mut Criterion) {
    let words = [
        "ukraine",
        "russia",
        "talks",
        "ceasefire",
        "istanbul",
        "rust",
        "compiler",
        "release",
        "election",
        "market",
        "energy",
        "climate",
        "football",
        "storm",
        "bank",
        "court",
        "minister",
        "prisoners",
        "children",
        "summit",
    ];
    let items: Vec<Haystack> = (0..10_000)
        .map(|i| {
            let title = format!(
                "{} {} update number {i}",
                words[i % 20],
                words[(i * 7) % 20]
            );
            let body = (0..40)
                .map(|k| words[(i + k * 3) % 20])
                .collect::<Vec<_>>()
                .join(" ");
            Haystack::new(&title, &body)
        })
        .collect();
    let topics: Vec<Query> = (0..100)
        .map(|t| {
            let q = match t % 4 {
                0 => format!("{} {}", words[t % 20], words[(t + 3) % 20]),
                1 => format!(
                    "{} OR {} -{}",
                    words[t % 20],
                    words[(t + 5) % 20],
                    words[(t + 1) % 20]
                ),
                2 => format!("\"{} {}\"", words[t % 20], words[(t + 3) % 20]),
                _ => words[t % 20].to_owned(),
            };
            Query::parse(&q).expect("bench query parses")
        })
        .collect();
    let mut group = c.benchmark_group("match");
    group.sample_size(10);
    group.bench_function("10,000 items x 100 topics", |b| {
        b.iter(|| {
            items
                .iter()
                .map(|h| topics.iter().filter(|q| q.matches(h)).count())
                .sum::<usize>()
        })
    });
    group.bench_function("prepare 10,000 items", |b| {
        b.iter(|| {
            (0..10_000)
                .map(|i| Haystack::new(words[i % 20], "peace talks in Istanbul"))
                .collect::<Vec<_>>()
        })
    });
    group.finish();
}

fn extraction(c: &mut Criterion) {
    let mut pages = Vec::new();
    for entry in std::fs::read_dir(fixture("readability")).expect("tests/fixtures/readability") {
        let path = entry.expect("dir entry").path().join("source.html");
        if let Ok(bytes) = std::fs::read(&path) {
            pages.push(html_to_string(&bytes, None));
        }
    }
    let bytes: usize = pages.iter().map(String::len).sum();
    let mut group = c.benchmark_group("extract");
    group.sample_size(10);
    group.bench_function(
        format!("{} fixture pages ({} KiB)", pages.len(), bytes / 1024),
        |b| {
            b.iter(|| {
                pages
                    .iter()
                    .filter_map(|p| extract_article(p, Some("https://example.com/a")))
                    .count()
            })
        },
    );
    group.finish();
}

/// `n` reports of `n / per_event` synthetic events: each report is `sentences` sentences of the seed
/// article's words, with two of its event's own names in each sentence, as reports of one event share names
/// and places that other events do not.
fn reports(n: usize, per_event: usize, sentences: usize) -> Vec<Item> {
    let seed =
        std::fs::read_to_string(fixture("articles/istanbul-talks-2025.txt")).expect("seed article");
    let pool: Vec<&str> = seed
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 2)
        .collect();
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |m: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % m as u64) as usize
    };
    let now = Utc::now();
    (0..n)
        .map(|i| {
            let event = i / per_event;
            let names: Vec<String> = (0..6).map(|k| format!("Vel{event}x{k}ar")).collect();
            let mut text = String::new();
            for _ in 0..sentences {
                let mut words: Vec<String> =
                    (0..14).map(|_| pool[next(pool.len())].to_owned()).collect();
                words[next(14)] = names[next(6)].clone();
                words[next(14)] = names[next(6)].clone();
                text.push_str(&words.join(" "));
                text.push_str(".\n");
            }
            let title = format!("{} {} {}", names[0], pool[next(pool.len())], names[1]);
            Item {
                id: i as i64,
                source_id: (i % 4) as i64,
                source_name: format!("outlet {}", i % 4),
                guid: i.to_string(),
                url: Some(format!("https://outlet{}.example/{i}", i % 4)),
                title,
                author: None,
                published_at: Some(now - Duration::minutes((i % 1320) as i64)),
                fetched_at: now,
                snippet: text.lines().next().unwrap_or_default().to_owned(),
                body: String::new(),
                article: text,
                canonical_url: None,
                image: None,
                from_search: false,
            }
        })
        .collect()
}

fn stories(c: &mut Criterion) {
    let many = reports(10_000, 10, 8);
    let refs: Vec<&Item> = many.iter().collect();
    let day = reports(330, 11, 25);
    let opts = Options {
        max_stories: 100,
        sentences: 2,
        summary_words: 100,
        cluster_threshold: 0.1,
    };
    let mut group = c.benchmark_group("stories");
    group.sample_size(10);
    group.bench_function("group 10,000 reports (1,000 events)", |b| {
        b.iter(|| cluster(&refs, 0.1).len())
    });
    group.bench_function(
        "brief a news day: 330 reports, 30 events, 100 words each",
        |b| b.iter(|| build_briefing(&day, &[], opts, Utc::now()).stories.len()),
    );
    group.finish();
}

criterion_group!(benches, feeds, summary, matching, extraction, stories);
criterion_main!(benches);
