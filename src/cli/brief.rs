//! `herald brief`: fetch, store, match, summarise and print a briefing.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use crate::brief::briefer::{Briefer, MAX_ITEMS, Request};
use crate::brief::channel_settings::{ChannelSettings, Length, Style, is_language_tag};
use crate::brief::llm::LlmSummarizer;
use crate::brief::render::{Format, render};
use crate::brief::{Options, memory};
use crate::clock::parse_lookback;
use crate::config::Config;
use crate::query::Query;
use crate::sources::articles::{ArticleReader, GIVE_UP_AFTER, PageError, tally};
use crate::sources::fetch::Fetcher;
use crate::sources::ingest::{Access, IngestError, Readers, refresh_many, source_for};
use crate::sources::search::{PROVIDERS, SearchSettings, Searcher, topic_searches};
use crate::store::{GuildSearch, Place, Store, named_reader};
use anyhow::{Context, bail};
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};

/// Arguments of `herald brief`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Only stories matching this query: words (all must match), "exact phrase", a OR b, -exclude.
    #[arg(long, value_name = "QUERY")]
    topic: Option<String>,
    /// A feed URL or a local feed file; repeat for more. Default: [sources] default in the config, and with
    /// --topic, the search providers of [search] providers too.
    #[arg(long, value_name = "URL_OR_FILE")]
    feed: Vec<String>,
    /// Search the topic on this provider only (bing, gdelt, google, hn), and read no default feed; repeat for
    /// more. With --feed, adds the search to those feeds.
    #[arg(long, value_name = "NAME")]
    provider: Vec<String>,
    /// Only items published within this long, e.g. 24h, 3d, 90m. Default: every item of the feeds.
    #[arg(long, value_name = "DURATION")]
    since: Option<String>,
    /// Stories at most (default: [brief] max_stories).
    #[arg(long, value_name = "N")]
    max_stories: Option<usize>,
    /// Summarise each story in about this many words (whole sentences, the last cut with "…") instead of
    /// [brief] sentences.
    #[arg(long, value_name = "N")]
    words: Option<usize>,
    /// Do not read the article pages behind the items; summarise from the feeds' text.
    #[arg(long)]
    no_articles: bool,
    /// How summaries are written: extractive (herald's own, no key) or llm (the [llm] endpoint, checked
    /// against the sources; a story whose LLM summary cannot be had keeps its extractive one, marked).
    #[arg(long, value_name = "STYLE", value_parser = ["extractive", "llm"])]
    style: Option<String>,
    /// The language of LLM summaries, a BCP 47 tag (en, uk, de, pt-BR). Default: en.
    #[arg(long, value_name = "TAG")]
    language: Option<String>,
    /// Story length: headlines (titles and links), short (1–2 sentences) or full (a paragraph).
    #[arg(long, value_name = "LENGTH", value_parser = ["headlines", "short", "full"])]
    length: Option<String>,
    /// Remember what this briefing tells under NAME (in the database), and tell NAME only what is new since
    /// its last briefing: a story told before comes back as an update with its new facts, or not at all.
    #[arg(long, value_name = "NAME")]
    reader: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// The longest reader name.
const MAX_READER: usize = 100;

/// Checks a `--reader` name: 1 to 100 characters, no control characters.
fn reader_name(name: &str) -> anyhow::Result<String> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_READER || name.chars().any(char::is_control) {
        bail!(
            "--reader {name:?}: give a name of 1 to {MAX_READER} characters (letters, digits, spaces, \
             punctuation), e.g. --reader morning"
        );
    }
    Ok(name.to_owned())
}

/// The per-channel settings a `herald brief` run asks for (`--style`, `--language`, `--length`): the same
/// settings a Discord channel has, applied by the same code.
fn settings_of(args: &Args, config: &Config) -> anyhow::Result<ChannelSettings> {
    let mut settings = ChannelSettings::default();
    if args.style.as_deref() == Some("llm") {
        if config.llm.base_url.trim().is_empty() {
            bail!(
                "--style llm needs an LLM endpoint: set [llm] base_url (or HERALD_LLM__BASE_URL), e.g. \
                 http://127.0.0.1:11434 for Ollama (README: LLM summaries)"
            );
        }
        settings.style = Style::Llm;
    }
    if let Some(tag) = &args.language {
        if !is_language_tag(tag) {
            bail!(
                "--language {tag:?} is not a language tag; give a BCP 47 tag such as en, uk, de or pt-BR"
            );
        }
        if settings.style != Style::Llm {
            bail!("--language sets the language of LLM summaries: give --style llm too");
        }
        settings.language = Some(tag.clone());
    }
    if let Some(length) = &args.length {
        if args.words.is_some() {
            bail!("--length and --words both set how long a story is: give one");
        }
        settings.length = Length::parse(length);
    }
    Ok(settings)
}

/// Runs `herald brief`.
pub async fn run(config: Config, args: Args) -> anyhow::Result<ExitCode> {
    let topic = args
        .topic
        .as_deref()
        .map(Query::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--topic: {e}"))?;
    let since = match args.since.as_deref() {
        Some(s) => Some(Utc::now() - parse_lookback(s).context("--since")?),
        None => None,
    };
    let settings = settings_of(&args, &config)?;
    let reader = args
        .reader
        .as_deref()
        .map(reader_name)
        .transpose()?
        .map(|n| named_reader(&n));
    let mut opts = Options::from(&config.brief);
    if let Some(n) = args.max_stories {
        if n == 0 {
            bail!("--max-stories must be at least 1");
        }
        opts.max_stories = n;
    }
    if let Some(w) = args.words {
        if w == 0 {
            bail!("--words must be at least 1");
        }
        opts.summary_words = w;
    }
    // `--provider` alone reads those providers only: the default feeds come with a bare `--topic`, or none.
    let feeds = if !args.feed.is_empty() {
        args.feed.clone()
    } else if args.provider.is_empty() {
        config.sources.default.clone()
    } else {
        Vec::new()
    };
    if let Some(bad) = args
        .provider
        .iter()
        .find(|p| !PROVIDERS.contains(&p.as_str()))
    {
        bail!("--provider {bad:?}: herald knows {}", PROVIDERS.join(", "));
    }
    if !args.provider.is_empty() && topic.is_none() {
        bail!("--provider searches a topic: give --topic too");
    }
    // A topic with no --feed (or with --provider) is also searched, as a subscription is.
    let providers: Vec<String> = match &topic {
        Some(_) if !args.provider.is_empty() => args.provider.clone(),
        Some(_) if args.feed.is_empty() => config.search.providers.clone(),
        _ => Vec::new(),
    };
    if feeds.is_empty() && providers.is_empty() {
        bail!(
            "no sources: pass --feed URL_OR_FILE, or --topic with [search] providers on, or set [sources] \
             default in the config"
        );
    }

    let store = Store::open(&config.database).await?;
    let readers = Readers {
        fetcher: Fetcher::new(&config.fetch)?,
        // A terminal user would rather wait a few seconds for GDELT's turn than go without it.
        search: Searcher::new(&config.search).waiting(Duration::from_secs(10)),
    };
    let now = Utc::now();
    let searches = match &topic {
        Some(t) if !providers.is_empty() => {
            let settings = SearchSettings::resolve(
                &GuildSearch {
                    providers: Some(providers.join(",")),
                    ..GuildSearch::default()
                },
                &config.search,
            );
            topic_searches(&store, &readers.search, &settings, t, now).await?
        }
        _ => Vec::new(),
    };
    let progress = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new((feeds.len() + searches.len()) as u64);
        bar.set_style(
            ProgressStyle::with_template("{spinner} {prefix} {pos}/{len} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_prefix("feeds");
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    } else {
        ProgressBar::hidden()
    };

    // Every source the user asked for counts, readable or not, so the last line says how many were asked.
    let asked = feeds.len() + searches.len();
    let mut sources = searches;
    for feed in &feeds {
        match source_for(&store, feed, Access::LocalFiles, now).await {
            Ok(source) => sources.push(source),
            Err(IngestError::Store(e)) => return Err(e.into()),
            Err(e) => eprintln!("herald: {e}"),
        }
    }
    let results = refresh_many(
        &store,
        &readers,
        sources,
        Access::LocalFiles,
        now,
        config.fetch.concurrency,
        |source, _| {
            progress.inc(1);
            progress.set_message(source.url.clone());
        },
    )
    .await;

    let mut source_ids = Vec::new();
    for (_, r) in results {
        match r {
            Ok(r) => source_ids.push(r.source.id),
            Err(e) => eprintln!("herald: {e}"),
        }
    }
    if source_ids.is_empty() {
        progress.finish_and_clear();
        store.close().await;
        bail!(
            "nothing could be read from the {} asked (each one's reason is above)",
            crate::text::count(asked, "source", "sources")
        );
    }
    if config.articles.enabled && !args.no_articles {
        read_articles(
            &store,
            &config,
            &readers.fetcher,
            &source_ids,
            since,
            &progress,
        )
        .await?;
    }
    let items = store
        .items_of_sources(&source_ids, since, MAX_ITEMS)
        .await?;
    let now = Utc::now();
    if settings.style == Style::Llm {
        progress.set_prefix("summaries");
        progress.set_message(String::new());
    }
    // The terminal's LLM tokens count toward the day's global budget (no server is charged).
    let llm = LlmSummarizer::new(&config.llm);
    let briefer = Briefer {
        store: &store,
        llm: llm.as_ref(),
    };
    let made = briefer
        .brief(Request {
            items: &items,
            topics: topic.as_slice(),
            base: opts,
            settings: &settings,
            reader: reader.as_deref(),
            guild_id: 0,
            now,
        })
        .await;
    let briefing = match made {
        Ok(made) => made.briefing,
        Err(e) => {
            progress.finish_and_clear();
            store.close().await;
            return Err(e.into());
        }
    };
    progress.finish_and_clear();
    if let Some(r) = &reader {
        let remembered = store
            .remember(r, &memory::tellings(&briefing), Place::default(), now)
            .await;
        if let Err(e) = remembered {
            store.close().await;
            return Err(e.into());
        }
    }
    store.close().await;
    super::out(&render(&briefing, args.format))?;
    Ok(ExitCode::SUCCESS)
}

/// Reads the article pages of the items the briefing will cover, counting them on the progress bar, and says
/// on stderr how many could not be used and why (their items keep the feed's text).
async fn read_articles(
    store: &Store,
    config: &Config,
    fetcher: &Fetcher,
    source_ids: &[i64],
    since: Option<chrono::DateTime<Utc>>,
    progress: &ProgressBar,
) -> anyhow::Result<()> {
    let reader = ArticleReader::new(fetcher.clone(), config.articles.clone());
    let now = Utc::now();
    let max = config.articles.max_per_run;
    // As many as are listed now, at most: a redirect's landing page read on the way is not asked again.
    let pending = store
        .unread_article_urls(Some(source_ids), since, max, now, None)
        .await?
        .len();
    if pending == 0 {
        return Ok(());
    }
    progress.set_prefix("pages");
    progress.set_position(0);
    progress.set_length(pending as u64);
    let mut reasons = Vec::new();
    let report = reader
        .read_unread(store, Some(source_ids), since, max, now, |url, result| {
            progress.inc(1);
            progress.set_message(url.to_owned());
            match result {
                Err(PageError::Left) | Ok(()) => {}
                Err(why) => reasons.push(why.to_string()),
            }
        })
        .await?;
    let total = report.read + report.failed;
    progress.suspend(|| {
        if !reasons.is_empty() {
            eprintln!(
                "herald: {} of {total} article pages could not be used ({}); those items are summarised from \
                 their feed's text",
                reasons.len(),
                tally(&reasons)
            );
        }
        if report.left > 0 {
            eprintln!(
                "herald: stopped reading article pages after {GIVE_UP_AFTER} sites in a row could not be reached \
                 (is the network or its DNS down?); {} left unread are summarised from their feed's text and \
                 read another time",
                crate::text::count(report.left, "page", "pages")
            );
        }
    });
    Ok(())
}
