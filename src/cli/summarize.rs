//! `herald summarize`: one article, or a JSONL batch (the format the ROUGE evaluation harnesses score).

use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::page::{self, looks_like_html};
use crate::brief::summarize::{Budget, summarize};
use crate::config::Config;
use crate::sources::extract::extract_article;
use anyhow::{Context, bail};

/// Arguments of `herald summarize`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A text or HTML file, or an http(s) URL of an article.
    #[arg(required_unless_present = "batch", conflicts_with = "batch")]
    input: Option<String>,
    /// Read lines {"id", "docs": [text, ...]} and write {"id", "summary"} lines; several docs make one
    /// multi-document summary.
    #[arg(long, value_name = "IN.jsonl")]
    batch: Option<PathBuf>,
    /// Sentences in the summary (default 3).
    #[arg(long, conflicts_with = "words")]
    sentences: Option<usize>,
    /// Words in the summary instead of sentences (the last sentence is cut with "…" to fit).
    #[arg(long)]
    words: Option<usize>,
}

impl Args {
    fn budget(&self) -> anyhow::Result<Budget> {
        match (self.sentences, self.words) {
            (Some(0), _) | (_, Some(0)) => bail!("the summary budget must be at least 1"),
            (_, Some(w)) => Ok(Budget::Words(w)),
            (Some(s), None) => Ok(Budget::Sentences(s)),
            (None, None) => Ok(Budget::Sentences(3)),
        }
    }
}

#[derive(serde::Deserialize)]
struct BatchIn {
    id: serde_json::Value,
    docs: Vec<String>,
}

#[derive(serde::Serialize)]
struct BatchOut<'a> {
    id: &'a serde_json::Value,
    summary: String,
}

/// Runs `herald summarize`.
pub async fn run(config: Config, args: Args) -> anyhow::Result<ExitCode> {
    let budget = args.budget()?;
    if let Some(batch) = &args.batch {
        return run_batch(batch, budget);
    }
    let input = args.input.as_deref().unwrap_or_default();
    let page = page::read(&config, input).await?;
    let (raw, url) = (page.text, page.url);
    let text = if looks_like_html(&raw) {
        let article = extract_article(&raw, url.as_deref())
            .with_context(|| format!("{input}: no readable article found in this page"))?;
        if !article.title.is_empty() {
            println!("{}\n", article.title);
        }
        article.text
    } else {
        raw
    };
    let summary = summarize(&[&text], budget);
    if summary.is_empty() {
        bail!("{input} has no sentences to summarise");
    }
    super::out(&format!("{}\n", summary.join(" ")))?;
    Ok(ExitCode::SUCCESS)
}

fn run_batch(path: &Path, budget: Budget) -> anyhow::Result<ExitCode> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut rows = Vec::new();
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("cannot read {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let row: BatchIn = serde_json::from_str(&line).with_context(|| {
            format!(
                "{}:{}: not a {{\"id\", \"docs\"}} line",
                path.display(),
                n + 1
            )
        })?;
        rows.push(row);
    }
    // Rows are independent: summarise them on every core, then print in input order.
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = rows.len().div_ceil(threads).max(1);
    let summaries: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = rows
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|row| {
                            let docs: Vec<&str> = row.docs.iter().map(String::as_str).collect();
                            summarize(&docs, budget).join(" ")
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    });
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for (row, summary) in rows.iter().zip(summaries) {
        serde_json::to_writer(
            &mut out,
            &BatchOut {
                id: &row.id,
                summary,
            },
        )?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
