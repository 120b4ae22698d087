//! Benchmarks of the engine's hot paths: parsing every fixture feed, summarising the seed article, and
//! matching 10,000 items against 100 topics. Run with `cargo bench`; numbers are in README.md.

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use herald::brief::query::{Haystack, Query};
use herald::brief::summarize::{Budget, summarize};
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

criterion_group!(benches, feeds, summary, matching);
criterion_main!(benches);
